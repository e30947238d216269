//! Shared costs: which allocations are overhead to be spread over the others, how, and what
//! extra cost is shared with them. Mirrors Kubecost's `/model/allocation` parameters
//! `shareNamespaces`, `shareLabels`, `shareCost`, `shareSplit` and `shareTenancyCosts`
//! (Kubecost docs `api-allocation.md`, "Sharing"; OpenCost `AllocationAggregationOptions` in
//! `core/pkg/opencost/allocation.go`). The rules are in `docs/semantics.md` §9.

use super::labels::sanitize_key;
use serde::Serialize;

/// How shared cost is divided among the rows that receive it (Kubecost `shareSplit`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ShareSplit {
    /// In proportion to each row's totalCost (less its own sharedCost) — Kubecost's default.
    #[default]
    Weighted,
    /// The same amount to every row.
    Even,
}

impl ShareSplit {
    /// Both splits, the default first.
    pub const ALL: [ShareSplit; 2] = [ShareSplit::Weighted, ShareSplit::Even];
    /// `weighted` or `even`.
    pub fn name(self) -> &'static str {
        match self {
            ShareSplit::Weighted => "weighted",
            ShareSplit::Even => "even",
        }
    }
    /// Parse `weighted` or `even`, case-insensitively.
    pub fn parse(s: &str) -> Option<ShareSplit> {
        ShareSplit::ALL.into_iter().find(|v| v.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// What a query shares. The default shares nothing.
///
/// * `namespaces`: allocations in these namespaces are shared (`shareNamespaces`).
/// * `labels`: allocations with label `key` = `value` are shared (`shareLabels=k:v`); keys are
///   stored sanitized as Prometheus stores them (`app.kubernetes.io/team` → `app_kubernetes_io_team`).
/// * `monthly_cost`: USD per month of overhead outside the cluster (`shareCost`), shared as
///   `monthly_cost × hours of the window / 730`.
/// * `tenancy`: cluster management and node-attached disk assets are shared too
///   (`shareTenancyCosts`; off by default here, see `docs/semantics.md` §10).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sharing {
    pub namespaces: Vec<String>,
    pub labels: Vec<(String, String)>,
    pub monthly_cost: f64,
    pub split: ShareSplit,
    pub tenancy: bool,
}

// `monthly_cost` is never NaN (parsing refuses it), so equality is total.
impl Eq for Sharing {}

/// Kubecost's hours per month, the divisor of `shareCost`.
pub const HOURS_PER_MONTH: f64 = 730.0;

/// A sharing setting that cannot be read, naming the value and what is accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShareError {
    /// A share label without `key:value` form (or with an empty key).
    #[error("share label {0:?}: expected key:value (e.g. team:platform)")]
    Label(String),
    /// A monthly cost that is not a finite, non-negative USD amount.
    #[error("share cost {0:?}: expected a monthly amount in USD (e.g. 300 or 30.42)")]
    Cost(String),
    /// A split other than `weighted` or `even`.
    #[error("unknown share split {0:?}; accepted: weighted, even")]
    Split(String),
    /// A tenancy switch other than true/false (on/off, yes/no).
    #[error("tenancy={0:?}: expected true or false")]
    Tenancy(String),
    /// A prompt setting that does not exist.
    #[error("unknown sharing setting {0:?}; accepted: namespaces=, labels=, cost=, split=, tenancy=")]
    Setting(String),
}

impl Sharing {
    /// True when anything is shared.
    pub fn is_active(&self) -> bool {
        !self.namespaces.is_empty() || !self.labels.is_empty() || self.monthly_cost != 0.0 || self.tenancy
    }

    /// True when some allocations are shared (by namespace or label).
    pub fn shares_allocations(&self) -> bool {
        !self.namespaces.is_empty() || !self.labels.is_empty()
    }

    /// Build from the CLI's flags: namespaces, `key:value` labels, a monthly USD amount, the
    /// split name and the tenancy switch.
    ///
    /// Errors: a label without `:`, an empty namespace or label key, a negative, NaN or infinite
    /// cost, an unknown split; each message says what is accepted.
    pub fn from_parts(
        namespaces: &[String],
        labels: &[String],
        monthly_cost: Option<&str>,
        split: ShareSplit,
        tenancy: bool,
    ) -> Result<Sharing, ShareError> {
        let namespaces = namespaces.iter().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).collect();
        let labels = labels.iter().map(|l| parse_label(l)).collect::<Result<Vec<_>, _>>()?;
        let monthly_cost = match monthly_cost {
            None => 0.0,
            Some(c) => parse_cost(c)?,
        };
        Ok(Sharing {
            namespaces,
            labels,
            monthly_cost,
            split,
            tenancy,
        })
    }

    /// Parse the TUI's sharing prompt: space-separated `namespaces=a,b`, `labels=k:v,k2:v2`,
    /// `cost=USD` (monthly), `split=weighted|even`, `tenancy=true|false`; a bare word is a comma
    /// list of namespaces; an empty text shares nothing. [`Sharing::spec`] writes this form.
    ///
    /// Errors: an unknown setting or a bad value, naming it and what is accepted.
    pub fn parse_spec(text: &str) -> Result<Sharing, ShareError> {
        let (mut ns, mut labels, mut cost, mut split, mut tenancy) = (Vec::new(), Vec::new(), None, ShareSplit::default(), false);
        for word in text.split_whitespace() {
            let (k, v) = word.split_once('=').unwrap_or(("namespaces", word));
            let list = || v.split(',').map(str::to_string).filter(|s| !s.is_empty());
            match k.to_ascii_lowercase().as_str() {
                "namespaces" | "ns" | "sharenamespaces" => ns.extend(list()),
                "labels" | "sharelabels" => labels.extend(list()),
                "cost" | "sharecost" => cost = Some(v.to_string()),
                "split" | "sharesplit" => {
                    split = ShareSplit::parse(v).ok_or_else(|| ShareError::Split(v.to_string()))?;
                }
                "tenancy" | "sharetenancycosts" => {
                    tenancy = match v.to_ascii_lowercase().as_str() {
                        "true" | "on" | "yes" => true,
                        "false" | "off" | "no" => false,
                        _ => return Err(ShareError::Tenancy(v.to_string())),
                    }
                }
                _ => return Err(ShareError::Setting(k.to_string())),
            }
        }
        Sharing::from_parts(&ns, &labels, cost.as_deref(), split, tenancy)
    }

    /// The prompt form of these settings ([`Sharing::parse_spec`] reads it back); empty when
    /// nothing is shared.
    pub fn spec(&self) -> String {
        let mut out = self.lists("=");
        if self.monthly_cost != 0.0 {
            out.push(format!("cost={}", self.monthly_cost));
        }
        if self.tenancy {
            out.push("tenancy=true".into());
        }
        if self.is_active() && self.split != ShareSplit::Weighted {
            out.push(format!("split={}", self.split.name()));
        }
        out.join(" ")
    }

    /// The settings in one line for headers and the CLI table (`namespaces kube-system,monitoring
    /// · $300.00/month · split weighted`); `None` when nothing is shared.
    pub fn describe(&self) -> Option<String> {
        if !self.is_active() {
            return None;
        }
        let mut parts = self.lists(" ");
        if self.monthly_cost != 0.0 {
            parts.push(format!("${:.2}/month", self.monthly_cost));
        }
        if self.tenancy {
            parts.push("tenancy costs".into());
        }
        parts.push(format!("split {}", self.split.name()));
        Some(parts.join(" · "))
    }
}

impl Sharing {
    /// `namespaces<sep>a,b` and `labels<sep>k:v,…`, for the lists that are not empty.
    fn lists(&self, sep: &str) -> Vec<String> {
        let labels: Vec<String> = self.labels.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        [("namespaces", self.namespaces.join(",")), ("labels", labels.join(","))]
            .into_iter()
            .filter(|(_, list)| !list.is_empty())
            .map(|(name, list)| format!("{name}{sep}{list}"))
            .collect()
    }
}

/// `key:value` → (sanitized key, value).
fn parse_label(s: &str) -> Result<(String, String), ShareError> {
    match s.split_once(':') {
        Some((k, v)) if !k.trim().is_empty() => Ok((sanitize_key(k.trim()), v.trim().to_string())),
        _ => Err(ShareError::Label(s.to_string())),
    }
}

/// A monthly USD amount: finite and not negative.
fn parse_cost(s: &str) -> Result<f64, ShareError> {
    match s.trim().trim_start_matches('$').parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(ShareError::Cost(s.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_round_trips_and_bare_words_are_namespaces() {
        let s = Sharing::parse_spec("kube-system,monitoring labels=app.kubernetes.io/team:infra cost=30.42 split=even tenancy=on").unwrap();
        assert_eq!(s.namespaces, ["kube-system", "monitoring"]);
        assert_eq!(s.labels, [("app_kubernetes_io_team".to_string(), "infra".to_string())]);
        assert_eq!((s.monthly_cost, s.split, s.tenancy), (30.42, ShareSplit::Even, true));
        assert_eq!(Sharing::parse_spec(&s.spec()).unwrap(), s);
        assert_eq!(Sharing::parse_spec("").unwrap(), Sharing::default());
        assert!(!Sharing::default().is_active());
        assert_eq!(Sharing::default().spec(), "");
    }

    #[test]
    fn bad_settings_name_what_is_accepted() {
        assert!(Sharing::parse_spec("labels=team").unwrap_err().to_string().contains("key:value"));
        assert!(Sharing::parse_spec("cost=-3").unwrap_err().to_string().contains("monthly amount"));
        assert!(Sharing::parse_spec("cost=NaN").unwrap_err().to_string().contains("monthly amount"));
        assert!(
            Sharing::parse_spec("split=fair")
                .unwrap_err()
                .to_string()
                .contains("weighted, even")
        );
        assert!(Sharing::parse_spec("colour=red").unwrap_err().to_string().contains("namespaces="));
    }

    #[test]
    fn describe_names_every_setting() {
        let s = Sharing::from_parts(&["kube-system".into()], &[], Some("$300"), ShareSplit::Weighted, false).unwrap();
        assert_eq!(s.describe().unwrap(), "namespaces kube-system · $300.00/month · split weighted");
        assert_eq!(Sharing::default().describe(), None);
    }
}
