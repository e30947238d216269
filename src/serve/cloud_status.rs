//! `/cloudCost/status`: OpenCost's cloud-cost integrations (`pkg/cloudcost/status.go` `Status`,
//! docs/api.md §6.5), one per provider and account whose cloud costs the bucket holds.
//!
//! OpenCost answers `[]` when no integration is configured, and the OpenCost UI's Cloud Costs page
//! then says "There are no Cloud Cost integrations currently configured" and shows nothing
//! (`app/routes/legacy/cloud.tsx` reads `status.length`). A bucket with cloud-cost sets was written
//! by such an integration, so costscope reports it: key `<provider>/<accountID>`, source `bucket`,
//! active and valid, last run the end of the stored data, coverage its window, connection
//! `Successful`, no config (costscope holds no credentials).

use serde::Serialize;

use super::allocation::utc;
use super::params::Params;
use crate::query::Window;

/// One integration, with OpenCost's JSON names (note `RefreshRate`, capitalised as OpenCost).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudStatusJson {
    pub key: String,
    pub source: &'static str,
    pub provider: String,
    pub active: bool,
    pub valid: bool,
    pub last_run: String,
    pub next_run: String,
    #[serde(rename = "RefreshRate")]
    pub refresh_rate: &'static str,
    pub created: String,
    pub runs: usize,
    pub coverage: String,
    pub connection_status: &'static str,
    pub config: Option<()>,
}

/// The query parameters listing the integrations over `extent` (unix seconds): cloud costs by
/// provider and account over the whole stored window.
pub fn params((start, end): (i64, i64)) -> Params {
    Params::new(vec![
        ("window".into(), format!("{start},{end}")),
        ("aggregate".into(), "provider,accountID".into()),
    ])
}

impl CloudStatusJson {
    /// The integration of `provider`/`account` whose sets cover `window`.
    pub fn of(provider: &str, account: &str, window: &Window) -> CloudStatusJson {
        CloudStatusJson {
            key: format!("{provider}/{account}"),
            source: "bucket",
            provider: provider.to_string(),
            active: true,
            valid: true,
            last_run: utc(window.end),
            next_run: utc(window.end),
            refresh_rate: "",
            created: utc(window.start),
            runs: 1,
            coverage: format!("{},{}", utc(window.start), utc(window.end)),
            connection_status: "Successful",
            config: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_has_opencosts_field_names() {
        let w = Window::new(
            chrono::DateTime::from_timestamp(1_794_614_400, 0).unwrap_or_default(),
            chrono::DateTime::from_timestamp(1_795_219_200, 0).unwrap_or_default(),
        )
        .unwrap();
        let v = serde_json::to_value(CloudStatusJson::of("AWS", "123", &w)).unwrap();
        assert_eq!(v["key"], "AWS/123");
        assert_eq!(v["connectionStatus"], "Successful");
        assert_eq!(v["RefreshRate"], "");
        assert_eq!(v["lastRun"], "2026-11-21T00:00:00Z");
        assert!(v["config"].is_null() && v["active"] == true, "{v}");
    }
}
