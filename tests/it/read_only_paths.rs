//! `--read-only` never writes into a FILESYSTEM bucket (issue 35.4): every output path is resolved
//! as writing to it would resolve it (`..` after a folder that does not exist yet, symlinks to the
//! bucket, a dangling symlink whose target would be created inside it) and refused when it lands
//! inside the store's directory. The bucket is byte-for-byte unchanged afterwards.

use crate::support::cli::{costscope_read_only, tiny_ingested_bucket};
use crate::support::dev_bucket::snapshot;
use std::os::unix::fs::symlink;

#[test]
fn read_only_outputs_that_resolve_into_the_store_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let yaml = tiny_ingested_bucket(t);
    let bucket = t.join("bucket");
    symlink(&bucket, t.join("link")).unwrap();
    symlink(bucket.join("new.duckdb"), t.join("dangling")).unwrap();
    let before = snapshot(&bucket);
    let via_missing = |rest: &str| t.join("missing").join("..").join(rest).display().to_string();
    let cases: Vec<Vec<String>> = vec![
        vec!["federate".into(), "--once".into(), "--out".into(), via_missing("bucket/out")],
        vec!["federate".into(), "--once".into(), "--out".into(), via_missing("link/out")],
        vec!["export".into(), "--out".into(), via_missing("bucket/exp")],
        vec!["export".into(), "--out".into(), t.join("link/exp").display().to_string()],
        vec![
            "--db".into(),
            bucket.join("cache.duckdb").display().to_string(),
            "allocation".into(),
        ],
        vec!["--db".into(), via_missing("link/sub/cache.duckdb"), "allocation".into()],
        vec!["--db".into(), t.join("dangling").display().to_string(), "allocation".into()],
    ];
    for args in &cases {
        let out = costscope_read_only(t, &yaml).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("inside the store's directory"), "{args:?}: {err}");
    }
    assert_eq!(snapshot(&bucket), before, "nothing was written into the bucket");
    assert!(!t.join("missing").exists() && !bucket.join("new.duckdb").exists());

    // The same shapes that land outside the bucket are accepted.
    let out = costscope_read_only(t, &yaml)
        .args(["federate", "--once", "--dry-run", "--out"])
        .arg(via_missing("elsewhere"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
