//! Helpers shared by integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The crate root, read at run time (cargo sets `CARGO_MANIFEST_DIR` for test processes), so a
/// test binary built from another checkout into a shared target directory still finds this one.
pub fn crate_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

/// `tests/fixtures/opencost-codec`.
pub fn codec_fixtures() -> PathBuf {
    crate_dir().join("tests/fixtures/opencost-codec")
}

/// Every bingen fixture file: (generation dir, path relative to it, absolute path).
pub fn codec_fixture_files() -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    for generation in ["v20", "v22", "v24"] {
        let root = codec_fixtures().join(generation);
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                let rel = p.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
                if rel.starts_with("json") {
                    continue;
                }
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push((generation.to_string(), rel, p));
                }
            }
        }
    }
    out.sort();
    assert_eq!(out.len(), 45, "expected 15 fixture files per generation");
    out
}

/// Root kind for a fixture's relative path.
pub fn root_kind_of(rel: &str) -> costscope::bingen::RootKind {
    use costscope::bingen::RootKind;
    let name = rel.rsplit('/').next().unwrap();
    match name {
        "allocationsetrange.bin" => RootKind::AllocationSetRange,
        "allocation_single.bin" => RootKind::Allocation,
        "assetsetrange.bin" => RootKind::AssetSetRange,
        "cloudcostsetrange.bin" => RootKind::CloudCostSetRange,
        n if n.starts_with("window_") => RootKind::Window,
        _ => RootKind::from_key(rel).expect("set fixture under allocations/assets/cloudcosts"),
    }
}
