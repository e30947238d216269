//! Request right-sizing after Kubecost's `requestSizingV2` with the `max` algorithm (Kubecost
//! docs, "Container request right-sizing recommendations API"; `docs/semantics.md`, "Request
//! right-sizing").

use crate::query::{Filter, LabelConfig, Window};
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

/// What a right-sizing result is sorted by: one of [`SizingRow`]'s JSON fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SizingSortKey {
    Cluster,
    Namespace,
    ControllerKind,
    Controller,
    Container,
    CpuRequestCores,
    CpuRecommendationCores,
    RamRequestBytes,
    RamRecommendationBytes,
    CpuSavings,
    RamSavings,
    MonthlySavings,
}

impl SizingSortKey {
    /// Every key, in the row's field order.
    pub const ALL: [SizingSortKey; 12] = [
        SizingSortKey::Cluster,
        SizingSortKey::Namespace,
        SizingSortKey::ControllerKind,
        SizingSortKey::Controller,
        SizingSortKey::Container,
        SizingSortKey::CpuRequestCores,
        SizingSortKey::CpuRecommendationCores,
        SizingSortKey::RamRequestBytes,
        SizingSortKey::RamRecommendationBytes,
        SizingSortKey::CpuSavings,
        SizingSortKey::RamSavings,
        SizingSortKey::MonthlySavings,
    ];

    /// The JSON field name `--sort` takes (`monthlySavings`).
    pub fn name(self) -> &'static str {
        match self {
            SizingSortKey::Cluster => "cluster",
            SizingSortKey::Namespace => "namespace",
            SizingSortKey::ControllerKind => "controllerKind",
            SizingSortKey::Controller => "controller",
            SizingSortKey::Container => "container",
            SizingSortKey::CpuRequestCores => "cpuRequestCores",
            SizingSortKey::CpuRecommendationCores => "cpuRecommendationCores",
            SizingSortKey::RamRequestBytes => "ramRequestBytes",
            SizingSortKey::RamRecommendationBytes => "ramRecommendationBytes",
            SizingSortKey::CpuSavings => "cpuSavings",
            SizingSortKey::RamSavings => "ramSavings",
            SizingSortKey::MonthlySavings => "monthlySavings",
        }
    }
}

/// Why a right-sizing sort (`FIELD[:asc|desc]`) was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SizingSortError {
    /// Not `asc` or `desc`.
    #[error("sort direction {0:?}: expected asc or desc")]
    Direction(String),
    /// Not a field of the row.
    #[error("unknown sort field {field:?}; accepted: {accepted}")]
    Field {
        /// The field asked for.
        field: String,
        /// The accepted names, comma-separated.
        accepted: String,
    },
}

/// Sort order of a right-sizing result; ties break by the spec (cluster, namespace, kind,
/// controller, container) so pages are stable. Default `monthlySavings` descending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SizingSort {
    /// The field.
    pub key: SizingSortKey,
    /// Largest first.
    pub descending: bool,
}

impl Default for SizingSort {
    fn default() -> SizingSort {
        SizingSort {
            key: SizingSortKey::MonthlySavings,
            descending: true,
        }
    }
}

impl SizingSort {
    /// Parse `FIELD[:asc|desc]` (field names case-insensitive; default direction desc).
    ///
    /// Errors: [`SizingSortError`], listing what is accepted.
    pub fn parse(s: &str) -> Result<SizingSort, SizingSortError> {
        let (f, dir) = s.split_once(':').unwrap_or((s, "desc"));
        let descending = match dir.to_ascii_lowercase().as_str() {
            "desc" | "" => true,
            "asc" => false,
            other => return Err(SizingSortError::Direction(other.to_string())),
        };
        match SizingSortKey::ALL.iter().find(|k| k.name().eq_ignore_ascii_case(f.trim())) {
            Some(&key) => Ok(SizingSort { key, descending }),
            None => Err(SizingSortError::Field {
                field: f.to_string(),
                accepted: SizingSortKey::ALL.map(|k| k.name()).join(", "),
            }),
        }
    }

    /// Sort `rows` in this order (ties by spec).
    pub fn apply(&self, rows: &mut [SizingRow]) {
        rows.sort_by(|a, b| {
            let o = a.compare(b, self.key);
            let o = if self.descending { o.reverse() } else { o };
            o.then_with(|| a.spec().cmp(&b.spec()))
        });
    }
}

/// One right-sizing query: the allocations of `window` that `filter` keeps, grouped into
/// container specs, recommended with `params`, sorted and paged.
#[derive(Clone, Debug)]
pub struct SizingRequest {
    /// Half-open UTC window (the sets answering it as for an allocation query).
    pub window: Window,
    /// Kubecost filter v2 over allocations.
    pub filter: Filter,
    /// Which label each alias field reads.
    pub labels: LabelConfig,
    /// Targets and minimums.
    pub params: SizingParams,
    /// Row order.
    pub sort: SizingSort,
    /// First row of the page.
    pub offset: usize,
    /// Rows per page; 0 = all rows.
    pub limit: usize,
}

/// One container spec's recommendation. Units: cores, bytes, USD over the window (`cpuSavings`,
/// `ramSavings`) and USD per 730-hour month (`monthlySavings`). Negative savings mean the
/// container is under-requested (the recommendation costs more than the request).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
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

impl SizingRow {
    /// The spec's key, for stable ties.
    fn spec(&self) -> (&str, &str, &str, &str, &str) {
        (
            &self.cluster,
            &self.namespace,
            &self.controller_kind,
            &self.controller,
            &self.container,
        )
    }

    fn compare(&self, other: &SizingRow, key: SizingSortKey) -> std::cmp::Ordering {
        let num = |f: fn(&SizingRow) -> f64| f(self).total_cmp(&f(other));
        match key {
            SizingSortKey::Cluster => self.cluster.cmp(&other.cluster),
            SizingSortKey::Namespace => self.namespace.cmp(&other.namespace),
            SizingSortKey::ControllerKind => self.controller_kind.cmp(&other.controller_kind),
            SizingSortKey::Controller => self.controller.cmp(&other.controller),
            SizingSortKey::Container => self.container.cmp(&other.container),
            SizingSortKey::CpuRequestCores => num(|r| r.cpu_request_cores),
            SizingSortKey::CpuRecommendationCores => num(|r| r.cpu_recommendation_cores),
            SizingSortKey::RamRequestBytes => num(|r| r.ram_request_bytes),
            SizingSortKey::RamRecommendationBytes => num(|r| r.ram_recommendation_bytes),
            SizingSortKey::CpuSavings => num(|r| r.cpu_savings),
            SizingSortKey::RamSavings => num(|r| r.ram_savings),
            SizingSortKey::MonthlySavings => num(|r| r.monthly_savings),
        }
    }
}

/// Savings summed over every row of the result (not just the page), USD.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SizingTotals {
    pub cpu_savings: f64,
    pub ram_savings: f64,
    pub monthly_savings: f64,
}

/// One page of a right-sizing answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SizingPage {
    pub rows: Vec<SizingRow>,
    /// Specs in the whole result.
    pub total_rows: usize,
    pub totals: SizingTotals,
    /// Hours of data covered (first set start to last set end of the sets read); 0 without data.
    pub covered_hours: f64,
    /// Specs left out because no allocation of theirs carried `rawAllocationOnly` maxima
    /// (aggregated sets only).
    pub without_maxima: usize,
}

impl SizingPage {
    /// Sort `rows` (the whole result) by `req.sort`, total them and keep `req`'s page.
    pub fn from_rows(mut rows: Vec<SizingRow>, req: &SizingRequest, covered_hours: f64, without_maxima: usize) -> SizingPage {
        req.sort.apply(&mut rows);
        let totals = rows.iter().fold(SizingTotals::default(), |t, r| SizingTotals {
            cpu_savings: t.cpu_savings + r.cpu_savings,
            ram_savings: t.ram_savings + r.ram_savings,
            monthly_savings: t.monthly_savings + r.monthly_savings,
        });
        let total_rows = rows.len();
        let rows = rows.drain(super::page_range(req.offset, req.limit, total_rows)).collect();
        SizingPage {
            rows,
            total_rows,
            totals,
            covered_hours,
            without_maxima,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(SizingSort::parse("CLUSTER:asc").unwrap().key, SizingSortKey::Cluster);
        assert!(matches!(SizingSort::parse("cost"), Err(SizingSortError::Field { .. })));
        let req = SizingRequest {
            window: super::super::rows::first_day(),
            filter: Filter::All,
            labels: LabelConfig::default(),
            params: SizingParams::default(),
            sort: SizingSort::default(),
            offset: 1,
            limit: 1,
        };
        let page = SizingPage::from_rows(vec![row("a", 1.0), row("b", -3.0), row("c", 2.0)], &req, 24.0, 0);
        assert_eq!(page.total_rows, 3);
        assert_eq!(page.rows[0].cluster, "a");
        assert_eq!(page.totals.monthly_savings, 0.0);
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
