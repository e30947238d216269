//! Request right-sizing after Kubecost's `requestSizingV2` with the `max` algorithm (Kubecost
//! docs, "Container request right-sizing recommendations API"; `docs/semantics.md`, "Request
//! right-sizing").

use super::{SavingsPage, SavingsQuery};
use serde::Serialize;

/// The parameters of a right-sizing query, with Kubecost's names and defaults
/// (`targetCPUUtilization` 0.7, `targetRAMUtilization` 0.7, `minRecCPUMillicores` 10,
/// `minRecRAMBytes` 20 MiB).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SizingParams {
    /// Fraction of the recommended CPU request the maximum use should fill, in (0, 1].
    #[serde(rename = "targetCPUUtilization")]
    pub target_cpu_utilization: f64,
    /// Fraction of the recommended RAM request the maximum use should fill, in (0, 1].
    #[serde(rename = "targetRAMUtilization")]
    pub target_ram_utilization: f64,
    /// Smallest CPU recommendation, millicores (≥ 0).
    #[serde(rename = "minRecCPUMillicores")]
    pub min_rec_cpu_millicores: f64,
    /// Smallest RAM recommendation, bytes (≥ 0).
    #[serde(rename = "minRecRAMBytes")]
    pub min_rec_ram_bytes: f64,
}

impl Default for SizingParams {
    fn default() -> SizingParams {
        SizingParams {
            target_cpu_utilization: 0.7,
            target_ram_utilization: 0.7,
            min_rec_cpu_millicores: 10.0,
            min_rec_ram_bytes: 20.0 * 1024.0 * 1024.0,
        }
    }
}

/// Why right-sizing parameters were refused (one line, naming the parameter).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SizingParamsError {
    /// A target utilization outside (0, 1].
    #[error("{name} {value}: expected a fraction in (0, 1]")]
    Target {
        /// Kubecost's parameter name.
        name: &'static str,
        /// The value given.
        value: f64,
    },
    /// A negative or non-finite minimum.
    #[error("{name} {value}: expected a number ≥ 0")]
    Minimum {
        /// Kubecost's parameter name.
        name: &'static str,
        /// The value given.
        value: f64,
    },
}

impl SizingParams {
    /// Check every parameter's range.
    ///
    /// Errors: [`SizingParamsError`] for the first parameter out of range.
    pub fn validate(&self) -> Result<(), SizingParamsError> {
        for (name, value) in [
            ("targetCPUUtilization", self.target_cpu_utilization),
            ("targetRAMUtilization", self.target_ram_utilization),
        ] {
            if !(value > 0.0 && value <= 1.0) {
                return Err(SizingParamsError::Target { name, value });
            }
        }
        for (name, value) in [
            ("minRecCPUMillicores", self.min_rec_cpu_millicores),
            ("minRecRAMBytes", self.min_rec_ram_bytes),
        ] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(SizingParamsError::Minimum { name, value });
            }
        }
        Ok(())
    }
}

/// One right-sizing query: the allocations of the window that the filter keeps, grouped into
/// container specs, recommended with [`SizingParams`], sorted (default `monthlySavings`
/// descending, ties by the spec) and paged.
pub type SizingRequest = SavingsQuery<SizingParams>;

/// One page of a right-sizing answer: [`SavingsPage::left_out`] counts the specs left out because
/// no allocation of theirs carried `rawAllocationOnly` maxima (aggregated sets only); the totals
/// are `cpuSavings`, `ramSavings` (USD over the window) and `monthlySavings`.
pub type SizingPage = SavingsPage<SizingRow>;

/// One container spec's recommendation. Units: cores, bytes, USD over the window (`cpuSavings`,
/// `ramSavings`) and USD per 730-hour month (`monthlySavings`). Negative savings mean the
/// container is under-requested (the recommendation costs more than the request).
#[derive(Clone, Debug, PartialEq)]
pub struct SizingRow {
    pub cluster: String,
    pub namespace: String,
    /// The controller's kind; `pod` for a bare pod.
    pub controller_kind: String,
    /// The controller's name; the pod's name for a bare pod.
    pub controller: String,
    pub container: String,
    /// Request average of the spec in the newest set holding it (minute-weighted over its
    /// allocations there), cores.
    pub cpu_request_cores: f64,
    /// max(max `cpuCoreUsageMax` ÷ targetCPUUtilization, minRecCPUMillicores ÷ 1000), cores.
    pub cpu_recommendation_cores: f64,
    /// As `cpuRequestCores`, bytes.
    pub ram_request_bytes: f64,
    /// max(max `ramByteUsageMax` ÷ targetRAMUtilization, minRecRAMBytes), bytes.
    pub ram_recommendation_bytes: f64,
    /// Σ over the spec's allocations of `cpuCost` − recommendation × hours × `cpuCost ÷ cpuCoreHours`, USD.
    pub cpu_savings: f64,
    /// Σ of `ramCost` − recommendation × hours × `ramCost ÷ ramByteHours`, USD.
    pub ram_savings: f64,
    /// (cpuSavings + ramSavings) × 730 ÷ hours of data covered, USD per month.
    pub monthly_savings: f64,
}

crate::savings_row!(SizingRow, monthly: "monthlySavings", totals: ["cpuSavings", "ramSavings", "monthlySavings"], fields: [
    "cluster" => Text(cluster),
    "namespace" => Text(namespace),
    "controllerKind" => Text(controller_kind),
    "controller" => Text(controller),
    "container" => Text(container),
    "cpuRequestCores" => Cores(cpu_request_cores),
    "cpuRecommendationCores" => Cores(cpu_recommendation_cores),
    "ramRequestBytes" => Bytes(ram_request_bytes),
    "ramRecommendationBytes" => Bytes(ram_recommendation_bytes),
    "cpuSavings" => Usd(cpu_savings),
    "ramSavings" => Usd(ram_savings),
    "monthlySavings" => Usd(monthly_savings),
]);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::savings::{SavingsRow, SavingsSort, SizingSortError};
    use crate::query::{Filter, LabelConfig};

    fn row(c: &str, m: f64) -> SizingRow {
        SizingRow {
            cluster: c.into(),
            namespace: "n".into(),
            controller_kind: "deployment".into(),
            controller: "d".into(),
            container: "x".into(),
            cpu_request_cores: 0.0,
            cpu_recommendation_cores: 0.0,
            ram_request_bytes: 0.0,
            ram_recommendation_bytes: 0.0,
            cpu_savings: m,
            ram_savings: 0.0,
            monthly_savings: m,
        }
    }

    #[test]
    fn sorts_parse_and_pages_total_the_whole_result() {
        assert_eq!(SavingsSort::parse::<SizingRow>("CLUSTER:asc").unwrap().field, "cluster");
        assert!(matches!(
            SavingsSort::parse::<SizingRow>("cost"),
            Err(SizingSortError::Field { .. })
        ));
        assert_eq!(SizingRow::TOTALS, ["cpuSavings", "ramSavings", "monthlySavings"]);
        let req = SizingRequest {
            window: super::super::rows::first_day(),
            filter: Filter::All,
            labels: LabelConfig::default(),
            params: SizingParams::default(),
            sort: SavingsSort::monthly::<SizingRow>(),
            offset: 1,
            limit: 1,
        };
        let page = SizingPage::from_rows(vec![row("a", 1.0), row("b", -3.0), row("c", 2.0)], &req, 24.0, 0);
        assert_eq!(page.total_rows, 3);
        assert_eq!(page.rows[0].cluster, "a");
        assert_eq!(page.totals.get("monthlySavings"), 0.0);
    }

    #[test]
    fn parameters_out_of_range_are_named() {
        let p = SizingParams {
            target_cpu_utilization: 1.5,
            ..SizingParams::default()
        };
        assert_eq!(
            p.validate().unwrap_err().to_string(),
            "targetCPUUtilization 1.5: expected a fraction in (0, 1]"
        );
        assert!(SizingParams::default().validate().is_ok());
    }
}
