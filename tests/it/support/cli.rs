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
