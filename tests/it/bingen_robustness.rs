//! Bad input: truncations, random mutations, too-new versions, unknown asset types, gzip.

use crate::support::common;
use crate::support::rng::Rng;

use costscope::bingen::{self, Root, RootKind, Versions};
use std::io::Write;

#[test]
fn every_truncation_of_every_fixture_is_an_error() {
    for (generation, rel, path) in common::codec_fixture_files() {
        let bytes = std::fs::read(&path).unwrap();
        let kind = common::root_kind_of(&rel);
        for len in 0..bytes.len() {
            let r = bingen::decode(&bytes[..len], kind);
            assert!(
                r.is_err(),
                "{generation}/{rel} cut to {len} of {} bytes decoded without error",
                bytes.len()
            );
        }
    }
}

#[test]
fn truncation_error_names_struct_and_offset() {
    let p = common::codec_fixtures().join("v24/federated/cluster-one/etl/bingen/allocations/1h/1730725200-1730728800");
    let bytes = std::fs::read(p).unwrap();
    let err = bingen::decode(&bytes[..bytes.len() - 3], RootKind::AllocationSet).unwrap_err();
    assert!(err.offset <= bytes.len() - 3 && err.offset > 0x129, "{err}");
    assert_eq!(
        err.structure, "AllocationSet",
        "the cut falls in the set's trailing warnings/errors: {err}"
    );
    assert!(err.to_string().contains("byte offset"), "{err}");
}

#[test]
fn seeded_random_mutations_never_panic() {
    let mut rng = Rng(0x5EED_C057_5C0E);
    let mut decoded_ok = 0usize;
    let mut errors = 0usize;
    for (_, rel, path) in common::codec_fixture_files() {
        let bytes = std::fs::read(&path).unwrap();
        let kind = common::root_kind_of(&rel);
        for _ in 0..100 {
            let mut m = bytes.clone();
            for _ in 0..1 + rng.next() % 4 {
                let i = (rng.next() as usize) % m.len();
                m[i] = match rng.next() % 4 {
                    0 => 0xff,
                    1 => 0x00,
                    2 => m[i] ^ (1 << (rng.next() % 8)),
                    _ => rng.next() as u8,
                };
            }
            match bingen::decode(&m, kind) {
                Ok(_) => decoded_ok += 1,
                Err(e) => {
                    assert!(!e.message.is_empty());
                    errors += 1
                }
            }
        }
    }
    assert_eq!(decoded_ok + errors, 4500);
    assert!(errors > 1000, "mutations should mostly be caught ({errors} errors)");
}

#[test]
fn huge_declared_count_is_rejected_before_allocating() {
    // BGST with 2^31-1 table entries in a 12-byte file.
    let mut data = b"BGST".to_vec();
    data.extend_from_slice(&i32::MAX.to_le_bytes());
    data.extend_from_slice(&[0, 0, 0, 0]);
    let err = bingen::decode(&data, RootKind::AllocationSet).unwrap_err();
    assert_eq!(err.structure, "string table");
    assert!(err.message.contains("element count 2147483647"), "{err}");
}

#[test]
fn newer_version_is_a_clear_error() {
    let p = common::codec_fixtures().join("v24/misc/allocation_single.bin");
    let mut bytes = std::fs::read(p).unwrap();
    bytes[0] = 25;
    let err = bingen::decode(&bytes, RootKind::Allocation).unwrap_err();
    assert_eq!(err.offset, 0);
    assert!(err.to_string().contains("got 25, know up to 24"), "{err}");
}

#[test]
fn unknown_asset_type_is_a_clear_error() {
    let p = common::codec_fixtures().join("v24/federated/cluster-one/etl/bingen/assets/1h/1730725200-1730728800");
    let bytes = std::fs::read(p).unwrap();
    let needle = b"opencost.Node";
    let at = bytes.windows(needle.len()).position(|w| w == needle).expect("a Node asset");
    let mut bad = bytes.clone();
    bad[at + 9..at + 13].copy_from_slice(b"Nope");
    let err = bingen::decode(&bad, RootKind::AssetSet).unwrap_err();
    assert!(
        err.message.contains("unknown asset type") && err.message.contains("opencost.Nope"),
        "{err}"
    );
    assert!(err.message.contains("known: Any, Cloud"), "{err}");
}

#[test]
fn gzip_wrapped_files_decode_like_plain_ones() {
    let p = common::codec_fixtures().join("v24/federated/cluster-one/etl/bingen/assets/1d/1730678400-1730764800");
    let bytes = std::fs::read(p).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&bytes).unwrap();
    let gz = gz.finish().unwrap();
    let plain = bingen::decode(&bytes, RootKind::AssetSet).unwrap();
    let wrapped = bingen::decode(&gz, RootKind::AssetSet).unwrap();
    assert!(wrapped.gzipped && !plain.gzipped);
    assert_eq!(plain.root, wrapped.root);
    let err = bingen::decode(&gz[..gz.len() / 2], RootKind::AssetSet).unwrap_err();
    assert_eq!(err.structure, "gzip");
}

#[test]
fn cloud_cost_v1_reads_four_metrics() {
    let p = common::codec_fixtures().join("v24/federated/cluster-one/etl/bingen/cloudcosts/1d/1730678400-1730764800");
    let d = bingen::decode(&std::fs::read(p).unwrap(), RootKind::CloudCostSet).unwrap();
    let v1 = Versions {
        cloudcost: 1,
        ..Versions::CURRENT
    };
    let old = bingen::encode(&d.root, v1);
    let back = bingen::decode(&old, RootKind::CloudCostSet).unwrap();
    assert_eq!(back.versions.max(bingen::Family::CloudCost), Some(1));
    let (Root::CloudCostSet(a), Root::CloudCostSet(b)) = (&d.root, &back.root) else {
        unreachable!()
    };
    assert_eq!(a.len(), b.len());
    for ((_, x), (_, y)) in a.cloud_costs.as_ref().unwrap().iter().zip(b.cloud_costs.as_ref().unwrap().iter()) {
        let (x, y) = (x.as_ref().unwrap(), y.as_ref().unwrap());
        assert_eq!(x.list_cost, y.list_cost);
        assert_eq!(x.invoiced_cost, y.invoiced_cost);
        assert_eq!(y.amortized_cost.cost, 0.0, "v1 has no AmortizedCost");
        assert_eq!(y.properties.as_ref().unwrap().region_id.as_ref(), "", "regionID is a v3 field");
    }
}

#[test]
fn empty_sets_have_the_sizes_opencost_writes() {
    use costscope::model::{AllocationSet, AssetSet, Window};
    let w = Window::utc(1_793_404_800, 1_793_491_200);
    let v22 = Versions {
        allocation: 22,
        assets: 21,
        cloudcost: 3,
        window: 17,
    };
    assert_eq!(bingen::encode(&Root::AllocationSet(AllocationSet::empty(w)), v22).len(), 77);
    assert_eq!(bingen::encode(&Root::AssetSet(AssetSet::empty(w)), v22).len(), 68);
}

/// A text file (a YAML, an HTML error page saved under an ETL key) is "not a bingen file", not a
/// struct of version 104; gzip-wrapped text too.
#[test]
fn text_files_are_not_bingen() {
    let text = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
    let e = bingen::decode(text, RootKind::AllocationSet).unwrap_err();
    assert!(e.to_string().contains("not a bingen file"), "{e}");
    assert!(e.to_string().contains("apiVersion"), "{e}");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"<html><body>403 Forbidden</body></html>").unwrap();
    let e = bingen::decode(&gz.finish().unwrap(), RootKind::AssetSet).unwrap_err();
    assert!(e.to_string().contains("not a bingen file"), "{e}");
}
