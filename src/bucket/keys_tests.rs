//! Unit tests of [`super`]: parse ↔ format round trips and rejection of near misses.

use super::*;

fn etl(pipeline: Pipeline, res: &str, start: i64, end: i64) -> EtlFile {
    EtlFile {
        pipeline,
        resolution: Resolution::parse(res).unwrap(),
        start,
        end,
    }
}

#[test]
fn federated_combined_and_backup_keys_round_trip() {
    let cases = [
        (
            "federated/prod-us-east-1/etl/bingen/allocations/1d/1793404800-1793491200",
            KeyKind::Federated {
                cluster: "prod-us-east-1".into(),
                file: etl(Pipeline::Allocations, "1d", 1793404800, 1793491200),
            },
        ),
        (
            "federated/c/etl/bingen/networkinsights/10m/1793404800-1793405400",
            KeyKind::Federated {
                cluster: "c".into(),
                file: etl(Pipeline::NetworkInsights, "10m", 1793404800, 1793405400),
            },
        ),
        (
            "federated/combined/etl/bingen/assets/1h/1793404800-1793408400",
            KeyKind::Combined {
                file: etl(Pipeline::Assets, "1h", 1793404800, 1793408400),
            },
        ),
        (
            "etl/bingen/allocations/1d/1791331200-1791417600",
            KeyKind::Backup {
                file: etl(Pipeline::Allocations, "1d", 1791331200, 1791417600),
                top_level_cloudcosts: false,
            },
        ),
        (
            "cloudcosts/1d/1791331200-1791417600",
            KeyKind::Backup {
                file: etl(Pipeline::CloudCosts, "1d", 1791331200, 1791417600),
                top_level_cloudcosts: true,
            },
        ),
        (
            "etl/bingen/cloudcosts/1w/1791331200-1791936000",
            KeyKind::Backup {
                file: etl(Pipeline::CloudCosts, "1w", 1791331200, 1791936000),
                top_level_cloudcosts: false,
            },
        ),
    ];
    for (key, want) in cases {
        let got = parse_key(key);
        assert_eq!(got, want, "{key}");
        assert_eq!(got.to_key().as_deref(), Some(key), "format back {key}");
    }
}

#[test]
fn thanos_block_files_round_trip() {
    let ulid = "01M4DBVAM0ENXZM9TNYDKM4AVB";
    for (rest, file) in [
        ("meta.json", BlockFile::Meta),
        ("index", BlockFile::Index),
        ("chunks/000001", BlockFile::Chunk(1)),
        ("chunks/000123", BlockFile::Chunk(123)),
        ("deletion-mark.json", BlockFile::DeletionMark),
        ("no-compact-mark.json", BlockFile::NoCompactMark),
    ] {
        let key = format!("{ulid}/{rest}");
        let got = parse_key(&key);
        assert_eq!(got, KeyKind::ThanosBlockFile { ulid: ulid.into(), file }, "{key}");
        assert_eq!(got.to_key(), Some(key));
    }
}

#[test]
fn manifest_key_is_recognised() {
    assert_eq!(parse_key(FEDERATOR_MANIFEST_KEY), KeyKind::FederatorManifest);
    assert_eq!(KeyKind::FederatorManifest.to_key().as_deref(), Some(FEDERATOR_MANIFEST_KEY));
}

#[test]
fn near_misses_are_unknown() {
    for key in [
        "federated/c/etl/bingen/allocations/1d/1793404800-1793491200.json",
        "federated/c/etl/bingen/allocations/1d/prefix.1793404800-1793491200",
        "federated/c/etl/bingen/allocations/1d/1793491200-1793404800", // end before start
        "federated/c/etl/bingen/allocations/1d/-5-10",
        "federated/c/etl/bingen/allocations/01d/1-2",
        "federated/c/etl/bingen/allocations/1s/1-2",
        "federated/c/etl/bingen/heartbeat/1d/1-2",
        "federated/c/etl/bingen/allocations/1d",
        "federated//etl/bingen/allocations/1d/1-2",
        "federated/c/etl/allocations/1d/1-2",
        "etl/bingen/allocations/1d/1-2/x",
        "cloudcosts/1d",
        "01M4DBVAM0ENXZM9TNYDKM4AVB/chunks/1",
        "01M4DBVAM0ENXZM9TNYDKM4AVB/other",
        "01M4DBVAM0ENXZM9TNYDKM4AVI/meta.json", // I is not Crockford base32
        "81M4DBVAM0ENXZM9TNYDKM4AVB/meta.json", // above the 128-bit limit
        "federated/cluster1/1h/2026-03-01T00:00:00Z.json",
        "",
    ] {
        assert_eq!(parse_key(key), KeyKind::Unknown, "{key:?}");
    }
}

#[test]
fn resolutions_parse_format_and_order() {
    for s in ["1d", "1h", "10m", "1w", "2d", "48h"] {
        assert_eq!(Resolution::parse(s).unwrap().to_string(), s);
    }
    assert_eq!(Resolution::parse("1d").unwrap().seconds(), 86_400);
    assert_eq!(Resolution::parse("10m").unwrap().seconds(), 600);
    assert_eq!(Resolution::parse("1w").unwrap().seconds(), 604_800);
    for bad in ["", "d", "0d", "-1d", "1", "1x", "1.5h", "+1h"] {
        assert_eq!(Resolution::parse(bad), None, "{bad:?}");
    }
    let mut v = [Resolution::HOUR, Resolution::parse("10m").unwrap(), Resolution::DAY];
    v.sort();
    assert_eq!(v.iter().map(|r| r.to_string()).collect::<Vec<_>>(), ["1d", "1h", "10m"]);
}

#[test]
fn pipelines_map_to_root_kinds() {
    assert_eq!(Pipeline::Allocations.root_kind(), Some(RootKind::AllocationSet));
    assert_eq!(Pipeline::Assets.root_kind(), Some(RootKind::AssetSet));
    assert_eq!(Pipeline::CloudCosts.root_kind(), Some(RootKind::CloudCostSet));
    assert_eq!(Pipeline::NetworkInsights.root_kind(), None);
    for p in Pipeline::ALL {
        assert_eq!(Pipeline::parse(p.name()), Some(p));
    }
    assert_eq!(Pipeline::parse("Allocations"), None);
}

#[test]
fn foreign_layouts_are_named() {
    let cases = [
        (
            "federated/cluster1/1h/2026-03-01T00:00:00Z.json",
            ForeignLayout::Kubecost3Json,
            "federated/cluster1/1h/",
        ),
        (
            "federated/cluster1/10m/2026-03-01T00:10:00Z.json.gz",
            ForeignLayout::Kubecost3Json,
            "federated/cluster1/10m/",
        ),
        (
            "federated/uid-1/kubemodel/1h/2026/03/01/20260301000000",
            ForeignLayout::KubeModel,
            "federated/uid-1/kubemodel/",
        ),
        (
            "uid-1/kubemodel/1d/2026/03/01/20260301000000",
            ForeignLayout::KubeModel,
            "uid-1/kubemodel/",
        ),
        (
            "federated/c/etl/bingen/heartbeat/1d/1-2",
            ForeignLayout::EventExport,
            "federated/c/etl/bingen/heartbeat/",
        ),
        (
            "federated/c/diagnostics/x.json",
            ForeignLayout::EventExport,
            "federated/c/diagnostics/",
        ),
        ("diagnostics/c.json", ForeignLayout::Diagnostics, "diagnostics/"),
        (
            "debug/metas/01M4DBVAM0ENXZM9TNYDKM4AVB.json",
            ForeignLayout::ThanosDebug,
            "debug/metas/",
        ),
    ];
    for (key, layout, dir) in cases {
        assert_eq!(foreign_layout(key), Some((layout, dir.to_string())), "{key}");
    }
    assert_eq!(foreign_layout("random/file.txt"), None);
    assert_eq!(foreign_layout("federated/c/etl/bingen/allocations/1d/1-2"), None);
}

#[test]
fn window_names() {
    assert_eq!(parse_window_name("1793404800-1793491200"), Some((1793404800, 1793491200)));
    assert_eq!(format_window_name(1793404800, 1793491200), "1793404800-1793491200");
    for bad in ["1-1", "a-2", "1-", "-1", "1-2-3", "+1-2", "1 -2"] {
        assert_eq!(parse_window_name(bad), None, "{bad:?}");
    }
}
