//! Label keys as Kubecost stores them, and the label config behind the five alias fields.
//!
//! * [`sanitize_key`]: Kubernetes label and annotation keys reach Kubecost through Prometheus,
//!   which only allows `[A-Za-z0-9_]` in label names, so `app.kubernetes.io/name` is stored as
//!   `app_kubernetes_io_name`. Kubecost applies the same rewrite to the key a user types in a
//!   filter (`label[app.kubernetes.io/name]`) or an aggregate (`label:app.kubernetes.io/name`).
//! * [`LabelConfig`]: which label each alias (`department`, `environment`, `owner`, `product`,
//!   `team`) reads, with OpenCost's defaults (`environment` → `env`, `product` → `app`).
//!
//! Follows OpenCost `core/pkg/util/promutil/promutil.go` (`SanitizeLabelName`) and
//! `core/pkg/opencost/config.go` (`NewLabelConfig`); rules in `docs/semantics.md` §1 and §5.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The Prometheus form of a label or annotation key: every character that is not an ASCII
/// letter, ASCII digit or `_` becomes one `_` (one per Unicode code point; runs are kept, case
/// is kept, a leading digit is kept, the empty key stays empty).
///
/// `sanitize_key("app.kubernetes.io/name") == "app_kubernetes_io_name"`,
/// `sanitize_key("baz---baz") == "baz___baz"`, `sanitize_key("é-x") == "__x"`.
pub fn sanitize_key(key: &str) -> String {
    key.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' })
        .collect()
}

/// One of Kubecost's five label-mapping aliases, usable as a filter field (`team:"infra"`) and
/// as an aggregate key (`--aggregate team`). Each reads the label named in [`LabelConfig`],
/// falling back to the annotation of that name (OpenCost `allocationmatcher.go`,
/// `allocationprops.go` `GenerateKey`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum LabelAlias {
    /// `department` (default label `department`).
    Department,
    /// `environment` (default label `env`).
    Environment,
    /// `owner` (default label `owner`).
    Owner,
    /// `product` (default label `app`).
    Product,
    /// `team` (default label `team`).
    Team,
}

impl LabelAlias {
    /// Every alias, in Kubecost's order.
    pub const ALL: [LabelAlias; 5] = [
        LabelAlias::Department,
        LabelAlias::Environment,
        LabelAlias::Owner,
        LabelAlias::Product,
        LabelAlias::Team,
    ];

    /// The alias as typed: `department`, `environment`, `owner`, `product`, `team`.
    pub fn name(self) -> &'static str {
        match self {
            LabelAlias::Department => "department",
            LabelAlias::Environment => "environment",
            LabelAlias::Owner => "owner",
            LabelAlias::Product => "product",
            LabelAlias::Team => "team",
        }
    }

    /// The alias named `s` (ASCII case-insensitive), if any.
    pub fn from_name(s: &str) -> Option<LabelAlias> {
        Self::ALL.into_iter().find(|a| a.name().eq_ignore_ascii_case(s))
    }

    /// OpenCost's default label for this alias (`NewLabelConfig`).
    pub fn default_label(self) -> &'static str {
        match self {
            LabelAlias::Department => "department",
            LabelAlias::Environment => "env",
            LabelAlias::Owner => "owner",
            LabelAlias::Product => "app",
            LabelAlias::Team => "team",
        }
    }
}

impl fmt::Display for LabelAlias {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which label each [`LabelAlias`] reads. Set in the app config file (`labels:` section, see
/// `docs/user-guide.md`); names are trimmed and sanitized with [`sanitize_key`] when read.
///
/// YAML shape (every key optional, defaults shown):
/// ```yaml
/// labels:
///   department: department
///   environment: env
///   owner: owner
///   product: app
///   team: team
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabelConfig {
    /// Label read by `department`.
    pub department: String,
    /// Label read by `environment`.
    pub environment: String,
    /// Label read by `owner`.
    pub owner: String,
    /// Label read by `product`.
    pub product: String,
    /// Label read by `team`.
    pub team: String,
}

impl Default for LabelConfig {
    fn default() -> Self {
        LabelConfig {
            department: LabelAlias::Department.default_label().into(),
            environment: LabelAlias::Environment.default_label().into(),
            owner: LabelAlias::Owner.default_label().into(),
            product: LabelAlias::Product.default_label().into(),
            team: LabelAlias::Team.default_label().into(),
        }
    }
}

impl LabelConfig {
    /// The sanitized label key `alias` reads (`environment` → `env` by default).
    pub fn key(&self, alias: LabelAlias) -> String {
        let raw = match alias {
            LabelAlias::Department => &self.department,
            LabelAlias::Environment => &self.environment,
            LabelAlias::Owner => &self.owner,
            LabelAlias::Product => &self.product,
            LabelAlias::Team => &self.team,
        };
        sanitize_key(raw.trim())
    }

    /// One line per alias, `environment → label env`, for `--help` and the user guide.
    pub fn describe(&self) -> String {
        LabelAlias::ALL
            .iter()
            .map(|a| format!("{a} → label {}", self.key(*a)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Facts F1 (docs/semantics-facts.md), ported from OpenCost `promutil_test.go`.
    #[test]
    fn sanitize_table() {
        for (input, want) in [
            ("foo", "foo"),
            ("foo-foo", "foo_foo"),
            ("baz---baz", "baz___baz"),
            ("control-plane", "control_plane"),
            ("gatekeeper.sh/operation", "gatekeeper_sh_operation"),
            ("pod-template-hash", "pod_template_hash"),
            ("cloud.google.com/gke-nodepool", "cloud_google_com_gke_nodepool"),
            ("app.kubernetes.io/name", "app_kubernetes_io_name"),
            ("1abc", "1abc"),
            ("Team", "Team"),
            ("é-x", "__x"),
            ("", ""),
        ] {
            assert_eq!(sanitize_key(input), want, "{input:?}");
        }
    }

    #[test]
    fn defaults_follow_opencost() {
        let c = LabelConfig::default();
        assert_eq!(c.key(LabelAlias::Environment), "env");
        assert_eq!(c.key(LabelAlias::Product), "app");
        let custom = LabelConfig {
            owner: " example.com/project ".into(),
            ..LabelConfig::default()
        };
        assert_eq!(custom.key(LabelAlias::Owner), "example_com_project");
        assert_eq!(LabelAlias::from_name("TEAM"), Some(LabelAlias::Team));
        assert!(c.describe().contains("product → label app"));
    }
}
