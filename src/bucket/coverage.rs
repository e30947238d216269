//! Which windows each federated cluster lacks, measured against the rest of the bucket
//! (docs/user-guide.md, "bucket"): the **federated window** (first to last window of the pipeline
//! and resolution in any cluster's federated tree) and the **ETL backup** (the Thanos-era combined
//! sets of the same pipeline and resolution). A cluster whose federated files start twelve days
//! after the others has no gap between its own first and last file, yet twelve windows missing
//! against both (issue 28). Pure: computed from an [`Inventory`]'s listing, nothing is read.

use serde::Serialize;

use super::inventory::{Inventory, Source};
use super::keys::{Pipeline, Resolution};

/// What one federated cluster × pipeline × resolution lacks. Windows are identified by their
/// start (unix seconds), oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Coverage {
    /// The federated cluster folder.
    pub cluster: String,
    /// The pipeline.
    pub pipeline: Pipeline,
    /// The resolution.
    pub resolution: Resolution,
    /// Windows of the federated window with no file of this cluster (its own gaps included).
    pub missing_in_federated_window: Vec<i64>,
    /// Windows the ETL backup holds for this pipeline and resolution with no file of this
    /// cluster (the backup is one set for all clusters: whether it holds this cluster's items that
    /// window is known only by decoding it, as the Migration view does).
    pub backup_only: Vec<i64>,
}

impl Inventory {
    /// The federated window of `pipeline` × `resolution`: the first and the last regular window
    /// start ([`super::inventory::Series::is_regular`]) of any federated cluster's series; `None` when no cluster has one.
    pub fn federated_window(&self, pipeline: Pipeline, resolution: Resolution) -> Option<(i64, i64)> {
        let fed = self
            .series
            .iter()
            .filter(|s| matches!(s.source, Source::Federated(_)) && s.pipeline == pipeline && s.resolution == resolution);
        let firsts = fed.clone().filter_map(|s| s.regular_files().next().map(|f| f.start)).min()?;
        let lasts = fed.filter_map(|s| s.regular_files().last().map(|f| f.start)).max()?;
        Some((firsts, lasts))
    }

    /// Every federated series' [`Coverage`], in series order.
    pub fn coverage(&self) -> Vec<Coverage> {
        self.series
            .iter()
            .filter_map(|s| {
                let Source::Federated(cluster) = &s.source else { return None };
                let have = s.regular_starts();
                let step = s.resolution.seconds().max(1);
                let missing_in_federated_window = match self.federated_window(s.pipeline, s.resolution) {
                    Some((a, b)) => (0..=(b - a) / step).map(|i| a + i * step).filter(|t| !have.contains(t)).collect(),
                    None => Vec::new(),
                };
                let backup = self
                    .series
                    .iter()
                    .find(|b| b.source == Source::Backup && b.pipeline == s.pipeline && b.resolution == s.resolution);
                let backup_only = backup.map_or_else(Vec::new, |b| b.regular_starts().difference(&have).copied().collect());
                Some(Coverage {
                    cluster: cluster.clone(),
                    pipeline: s.pipeline,
                    resolution: s.resolution,
                    missing_in_federated_window,
                    backup_only,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bucket::inventory::ObjectInfo;

    const DAY: i64 = 86_400;
    const D0: i64 = 1_792_368_000;

    fn object(key: String) -> ObjectInfo {
        ObjectInfo {
            key,
            size: 1_000,
            e_tag: None,
            last_modified: chrono::DateTime::default(),
        }
    }

    fn daily(prefix: &str, days: std::ops::Range<i64>) -> Vec<ObjectInfo> {
        days.map(|d| {
            let s = D0 + d * DAY;
            object(format!("{prefix}/etl/bingen/allocations/1d/{s}-{}", s + DAY))
        })
        .collect()
    }

    /// `late` starts 12 days after `early`; the backup holds those days: no gap of its own, but
    /// 12 windows missing against both the federated window and the backup.
    #[test]
    fn a_cluster_that_starts_late_lacks_the_days_before_its_first_file() {
        let mut objects = daily("federated/early", 0..30);
        objects.extend(daily("federated/late", 12..30));
        objects.extend(
            daily("", 0..20)
                .into_iter()
                .map(|o| object(o.key.trim_start_matches('/').to_string())),
        );
        let inv = Inventory::from_objects(objects);
        let late = inv.series.iter().find(|s| s.source == Source::Federated("late".into())).unwrap();
        assert_eq!(late.missing_windows(), 0, "no gap between its own first and last file");
        let cov = inv.coverage();
        let late = cov.iter().find(|c| c.cluster == "late").unwrap();
        let first_twelve: Vec<i64> = (0..12).map(|d| D0 + d * DAY).collect();
        assert_eq!(late.missing_in_federated_window, first_twelve);
        assert_eq!(late.backup_only, first_twelve);
        let early = cov.iter().find(|c| c.cluster == "early").unwrap();
        assert!(early.missing_in_federated_window.is_empty() && early.backup_only.is_empty());
        assert_eq!(
            inv.federated_window(Pipeline::Allocations, Resolution::DAY),
            Some((D0, D0 + 29 * DAY))
        );
    }
}
