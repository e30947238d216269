//! The binary as the command-line tests run it: a FILESYSTEM store file for a bucket directory,
//! and `costscope --store FILE` with its cache and state inside a temp directory.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// Write `dir/federated-store.yaml` pointing at `bucket` (a FILESYSTEM store) and return its path.
pub fn store_file(dir: &Path, bucket: &Path) -> PathBuf {
    let yaml = dir.join("federated-store.yaml");
    std::fs::write(&yaml, format!("type: FILESYSTEM\nconfig:\n  directory: \"{}\"\n", bucket.display())).unwrap();
    yaml
}

/// `costscope --store yaml` with `COSTSCOPE_CACHE_DIR`/`COSTSCOPE_STATE_DIR` under `tmp` and no
/// `RUST_LOG`; it may write into the bucket (add `--read-only` for an auditor's run).
pub fn costscope(tmp: &Path, yaml: &Path) -> Command {
    let mut c = Command::cargo_bin("costscope").unwrap();
    c.env("COSTSCOPE_CACHE_DIR", tmp.join("cache"))
        .env("COSTSCOPE_STATE_DIR", tmp.join("state"))
        .env_remove("RUST_LOG")
        .arg("--store")
        .arg(yaml);
    c
}

/// [`costscope`] with `--read-only`.
pub fn costscope_read_only(tmp: &Path, yaml: &Path) -> Command {
    let mut c = costscope(tmp, yaml);
    c.arg("--read-only");
    c
}

/// A one-day bucket under `tmp/bucket` (one allocation and its node in cluster `c1`, written by
/// [`super::mock_bucket::write_bucket`]), its store file, ingested once through the binary.
/// Returns the store file.
pub fn tiny_ingested_bucket(tmp: &Path) -> PathBuf {
    use super::mock_bucket::{Costs, Props, allocation, node, write_bucket};
    let bucket = tmp.join("bucket");
    let props = Props {
        cluster: "c1",
        node: "n1",
        namespace: "ns",
        pod: "p",
        container: "c",
        ..Default::default()
    };
    write_bucket(
        &bucket,
        &[allocation("c1/n1/ns/p/c", &props, Costs::ONES)],
        &[node("c1", "n1", 2.0, 2.0, 0.0)],
    );
    let yaml = store_file(tmp, &bucket);
    let out = costscope(tmp, &yaml).args(["ingest", "--once"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    yaml
}
