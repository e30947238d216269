//! Retention never wipes the cache on one hostile key (issue 35.1): it counts back from the newest
//! window that decoded, never from an unreadable, future-dated or absurd key; what it removes is
//! said; out-of-range `--retention-*` values are usage errors (exit 2), never a panic.

use std::path::Path;

use crate::support::cli::{costscope, store_file};
use crate::support::dev_bucket::copy_dev;

const DAILY: &str = "federated/prod-us-east-1/etl/bingen/allocations/1d";
const HOURLY: &str = "federated/prod-us-east-1/etl/bingen/allocations/1h";
/// After the dev bucket's newest window (2026-11-21), so the day after it is a plausible key.
const NOW: &str = "2026-11-22T12:00:00Z";

/// `costscope` on the store file `yaml` with its cache under `tmp` and "now" pinned to [`NOW`].
fn cs(tmp: &Path, yaml: &Path) -> assert_cmd::Command {
    let mut c = costscope(tmp, yaml);
    c.env("COSTSCOPE_NOW", NOW);
    c
}

/// `ingest --once` plus `args`: (exit code, stdout, stderr).
fn ingest(tmp: &Path, yaml: &Path, args: &[&str]) -> (i32, String, String) {
    let out = cs(tmp, yaml).args(["ingest", "--once"]).args(args).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// Every cluster's allocation costs of the dev bucket's days, as CSV, from the database as it is.
fn costs(tmp: &Path, yaml: &Path) -> String {
    let out = cs(tmp, yaml)
        .args([
            "allocation",
            "--window",
            "1790000000,1796000000",
            "--aggregate",
            "cluster",
            "--format",
            "csv",
            "--no-ingest",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Whether two CSV answers hold the same rows and values (numbers to 1e-9, relative: sums of
/// floating-point values in another order differ in the last digits).
fn same_costs(a: &str, b: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            let (x, y): (Vec<&str>, Vec<&str>) = (x.split(',').collect(), y.split(',').collect());
            x.len() == y.len()
                && x.iter().zip(&y).all(|(u, v)| match (u.parse::<f64>(), v.parse::<f64>()) {
                    (Ok(u), Ok(v)) => (u - v).abs() <= 1e-9 * u.abs().max(v.abs()).max(1.0),
                    _ => u == v,
                })
        })
}

/// A copy of the dev bucket under `tmp/bucket` and its store file.
fn dev_copy(tmp: &Path) -> std::path::PathBuf {
    let bucket = tmp.join("bucket");
    copy_dev(&bucket);
    store_file(tmp, &bucket)
}

#[test]
fn future_dated_and_absurd_keys_never_wipe_the_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = dev_copy(tmp.path());
    let (code, out, err) = ingest(tmp.path(), &yaml, &[]);
    assert_eq!(code, 0, "{out}{err}");
    let before = costs(tmp.path(), &yaml);
    assert!(before.lines().count() > 3, "{before}");

    // Empty objects under keys dated 2100 and spanning all of time, daily and hourly.
    let bucket = tmp.path().join("bucket");
    for key in [
        format!("{DAILY}/4102444800-4102531200"),
        format!("{DAILY}/0-9223372036854775807"),
        format!("{HOURLY}/4102444800-4102448400"),
    ] {
        std::fs::write(bucket.join(key), b"").unwrap();
    }
    let (code, out, err) = ingest(tmp.path(), &yaml, &[]);
    assert_eq!(code, 1, "the unreadable files fail the pass: {out}{err}");
    assert!(out.contains(" 0 removed"), "{out}");
    assert!(err.contains("4102444800-4102531200"), "the bad key is named: {err}");
    let after = costs(tmp.path(), &yaml);
    assert!(same_costs(&after, &before), "nothing was lost:\n{after}\nvs\n{before}");

    // A fresh cache over the hostile bucket loads everything too.
    let fresh = tempfile::tempdir().unwrap();
    let (code, out, err) = ingest(fresh.path(), &yaml, &[]);
    assert_eq!(code, 1, "{out}{err}");
    let fresh_costs = costs(fresh.path(), &yaml);
    assert!(same_costs(&fresh_costs, &before), "{fresh_costs}\nvs\n{before}");
}

#[test]
fn retention_counts_from_the_newest_set_that_decoded_and_says_what_it_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = dev_copy(tmp.path());
    let clean_tmp = tempfile::tempdir().unwrap();
    let clean_yaml = dev_copy(clean_tmp.path());
    // The day after the newest one, plausible by its key, but empty.
    std::fs::write(tmp.path().join("bucket").join(DAILY).join("1795219200-1795305600"), b"").unwrap();

    let (_, out, err) = ingest(clean_tmp.path(), &clean_yaml, &["--retention-days", "3"]);
    let want = costs(clean_tmp.path(), &clean_yaml);
    let (code, got_out, got_err) = ingest(tmp.path(), &yaml, &["--retention-days", "3"]);
    assert_eq!(code, 1, "{got_out}{got_err}");
    let got = costs(tmp.path(), &yaml);
    assert!(
        same_costs(&got, &want),
        "3 days back from the newest day that decoded: {out}{err}\n{got}\nvs\n{want}"
    );

    // A shorter retention removes the oldest day, and says so.
    let (_, out, err) = ingest(tmp.path(), &yaml, &["--retention-days", "2"]);
    assert!(!out.contains(" 0 removed"), "{out}");
    assert!(
        err.contains("note: removed") && err.contains("out of retention") && err.contains("2026-11-19, 2 days before 2026-11-21"),
        "{err}"
    );
    let (_, out, err) = ingest(clean_tmp.path(), &clean_yaml, &["--retention-days", "2"]);
    let (got, want) = (costs(tmp.path(), &yaml), costs(clean_tmp.path(), &clean_yaml));
    assert!(same_costs(&got, &want), "{out}{err}\n{got}\nvs\n{want}");
}

#[test]
fn out_of_range_retention_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let bucket = tmp.path().join("bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    let yaml = store_file(tmp.path(), &bucket);
    for arg in [
        "--retention-days=-1",
        "--retention-days=0",
        "--retention-days=9223372036854775807",
        "--retention-hours=-9223372036854775808",
        "--retention-hours=99999999999",
    ] {
        let (code, out, err) = ingest(tmp.path(), &yaml, &[arg]);
        assert_eq!(code, 2, "{arg}: {out}{err}");
        let flag = arg.split('=').next().unwrap();
        assert!(err.contains(flag) && !err.contains("panicked"), "{arg}: {err}");
    }
}
