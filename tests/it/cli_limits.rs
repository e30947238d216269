//! Input that once crashed or stalled the CLI (issue 35.9, 35.11) is a usage error, exit 2, with
//! a message saying what to change: a filter nested 10,000 parentheses deep (a stack overflow,
//! exit 134), a window cut into millions of steps (minutes of work), 500 aggregate keys (a DuckDB
//! binder error, exit 1). What is just inside each bound still answers.

use crate::support::cli::{costscope, tiny_ingested_bucket};
use std::path::Path;

/// The tiny bucket's day.
const DAY: &str = "1793577600,1793664000";

/// `costscope allocation --no-ingest --format csv` plus `args` on the bucket of `yaml`: (exit
/// code, stderr).
fn allocation(tmp: &Path, yaml: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = costscope(tmp, yaml)
        .args(["allocation", "--no-ingest", "--format", "csv"])
        .args(args)
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_filter_nested_too_deep_is_a_usage_error_at_its_column() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tiny_ingested_bucket(tmp.path());
    let nested = |n: usize| format!("{}namespace:\"ns\"{}", "(".repeat(n), ")".repeat(n));
    let (code, err) = allocation(tmp.path(), &yaml, &["--window", DAY, "--filter", &nested(10_000)]);
    assert_eq!(code, Some(2), "{}", &err[..err.len().min(500)]);
    assert!(
        err.contains("filter error at column 65: too deeply nested"),
        "{}",
        &err[..err.len().min(500)]
    );
    let (code, err) = allocation(
        tmp.path(),
        &yaml,
        &["--window", DAY, "--filter", &nested(costscope::query::filter::MAX_NESTING)],
    );
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn a_window_of_too_many_steps_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tiny_ingested_bucket(tmp.path());
    for args in [
        &["--accumulate", "hour", "--window", "100000d"][..],
        &["--accumulate", "false", "--step", "1h", "--window", "0,1796000000"][..],
    ] {
        let (code, err) = allocation(tmp.path(), &yaml, args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert!(err.contains("more than 5000") && err.lines().count() == 1, "{args:?}: {err}");
    }
    let (code, err) = allocation(tmp.path(), &yaml, &["--accumulate", "day", "--window", "1000d"]);
    assert_eq!(code, Some(0), "a thousand days is within the bound: {err}");
}

#[test]
fn too_many_aggregate_keys_are_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tiny_ingested_bucket(tmp.path());
    let labels = |n: usize| (0..n).map(|i| format!("label:l{i}")).collect::<Vec<_>>().join(",");
    let (code, err) = allocation(tmp.path(), &yaml, &["--window", DAY, "--aggregate", &labels(500)]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("500 aggregate keys; at most 32"), "{err}");
    let (code, err) = allocation(
        tmp.path(),
        &yaml,
        &["--window", DAY, "--aggregate", &labels(costscope::query::MAX_AGGREGATE_KEYS)],
    );
    assert_eq!(code, Some(0), "{err}");
}
