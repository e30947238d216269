//! Everyday command-line paths on the dev bucket (`shared/buckets/dev` as a FILESYSTEM store),
//! run through the binary as a user or a script does: whole csv/json results without `--limit`,
//! one-line usage errors with exit code 2 and no escape bytes in pipes, and a query answered while
//! another costscope process (`ingest --watch`, as the TUI does) holds the database.

use crate::support::dev_bucket;

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

const DAY: &str = "2026-11-19,2026-11-20";

/// A temp dir with a store file for the dev bucket; caches and state stay inside it.
fn setup() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("federated-store.yaml");
    let text = format!("type: FILESYSTEM\nconfig:\n  directory: \"{}\"\n", dev_bucket::dev_dir().display());
    std::fs::write(&yaml, text).unwrap();
    (tmp, yaml)
}

fn costscope(tmp: &Path, yaml: &Path) -> Command {
    let mut c = Command::cargo_bin("costscope").unwrap();
    c.env("COSTSCOPE_CACHE_DIR", tmp.join("cache"))
        .env("COSTSCOPE_STATE_DIR", tmp.join("state"))
        .env_remove("RUST_LOG")
        .arg("--store")
        .arg(yaml)
        .arg("--db")
        .arg(tmp.join("costscope.duckdb"));
    c
}

fn json_query(tmp: &Path, yaml: &Path, aggregate: &str, extra: &[&str]) -> (serde_json::Value, String) {
    let out = costscope(tmp, yaml)
        .args(["allocation", "--window", DAY, "--aggregate", aggregate, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (serde_json::from_slice(&out.stdout).unwrap(), stderr)
}

#[test]
fn csv_and_json_without_limit_hold_every_row() {
    let (tmp, yaml) = setup();
    let (v, _) = json_query(tmp.path(), &yaml, "pod", &[]);
    let total = v["totalRows"].as_u64().unwrap() as usize;
    assert!(total > 50, "pods in a day of the dev bucket: {total}");
    assert_eq!(v["data"].as_array().unwrap().len(), total, "json holds every row");

    let out = costscope(tmp.path(), &yaml)
        .args([
            "allocation",
            "--window",
            DAY,
            "--aggregate",
            "pod",
            "--format",
            "csv",
            "--no-ingest",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), total + 1, "csv: header + every row");
    assert!(text.starts_with("name,pod,cpuCost,"), "{}", &text[..40]);

    // --limit still pages on request.
    let (v, _) = json_query(tmp.path(), &yaml, "pod", &["--limit", "10", "--offset", "20", "--no-ingest"]);
    assert_eq!(v["data"].as_array().unwrap().len(), 10);
    assert_eq!(v["offset"], 20);

    // A table pages (50 rows) and says how to see the rest.
    let out = costscope(tmp.path(), &yaml)
        .args(["allocation", "--window", DAY, "--aggregate", "pod", "--no-ingest"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(&format!("rows 1–50 of {total}")), "{text}");
    assert!(text.contains("--offset 50"), "{text}");
}

#[test]
fn usage_errors_are_one_line_exit_2_and_plain_in_pipes() {
    let (tmp, yaml) = setup();
    for args in [
        &["allocation", "--idle", "x"][..],
        &["allocation", "--window", "fortnight", "--no-ingest"][..],
        &["allocation", "--filter", "namespace:", "--no-ingest"][..],
        &["cloudcost", "--cost-metric", "bogus"][..],
    ] {
        let out = costscope(tmp.path(), &yaml).args(args).env("RUST_BACKTRACE", "1").output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(!err.contains('\x1b'), "{args:?}: escape bytes in a pipe: {err:?}");
        assert!(!err.contains("backtrace") && !err.contains("Location"), "{args:?}: {err}");
        assert!(err.trim().starts_with("error"), "{args:?}: {err}");
    }
    let out = costscope(tmp.path(), &yaml).args(["allocation", "--idle", "x"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("separate") && err.contains("hide"), "lists the accepted values: {err}");

    // A bad filter is one error whose caret stands under the column, on the line below the input.
    let out = costscope(tmp.path(), &yaml)
        .args(["allocation", "--filter", "namespace:kubecost", "--no-ingest"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[0].starts_with("error: --filter: filter error at column 11"), "{err}");
    let input_at = lines[1].find("namespace:kubecost").expect("the input on the second line");
    assert_eq!(lines[2].find('^'), Some(input_at + 10), "caret under column 11: {err}");

    // The TUI without a terminal names the CLI instead of an OS error.
    // assert_cmd pipes stdin and stdout: no terminal, as under cron or CI.
    let out = costscope(tmp.path(), &yaml).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the TUI needs a terminal") && err.contains("costscope allocation"),
        "{err}"
    );
    assert!(!err.contains("os error"), "{err}");
}

/// A query while another process holds the database: it answers from the writer's read copy with
/// the writer's figures.
#[test]
fn cli_answers_while_another_process_ingests() {
    let (tmp, yaml) = setup();
    let db = tmp.path().join("costscope.duckdb");
    let bin = assert_cmd::cargo::cargo_bin("costscope");
    let mut writer = std::process::Command::new(&bin)
        .env("COSTSCOPE_CACHE_DIR", tmp.path().join("cache"))
        .env("COSTSCOPE_STATE_DIR", tmp.path().join("state"))
        .arg("--store")
        .arg(&yaml)
        .arg("--db")
        .arg(&db)
        .args(["ingest", "--watch", "--interval", "1"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(tmp.path().join("writer.err")).unwrap())
        .spawn()
        .unwrap();
    let copies = PathBuf::from(format!("{}.read", db.display()));
    let t = Instant::now();
    let published = loop {
        let n = std::fs::read_dir(&copies)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| e.path().extension().is_some_and(|x| x == "duckdb"))
                    .count()
            })
            .unwrap_or(0);
        if n > 0 {
            break true;
        }
        if t.elapsed() > Duration::from_secs(120) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let during = published.then(|| json_query(tmp.path(), &yaml, "cluster", &[]));
    // The migration report also reads the ingest log through the read copy.
    let mig = costscope(tmp.path(), &yaml)
        .args(["migration", "--format", "json"])
        .output()
        .unwrap();
    let _ = writer.kill();
    let _ = writer.wait();
    let (v, stderr) = during.expect("the writer published a read copy within 120 s");
    let werr = std::fs::read_to_string(tmp.path().join("writer.err")).unwrap_or_default();
    assert!(stderr.contains("read copy"), "query stderr {stderr:?}; writer stderr: {werr}");
    assert!(
        mig.status.success(),
        "migration: {:?} {}",
        mig.status,
        String::from_utf8_lossy(&mig.stderr)
    );

    // The same query once the writer is gone (direct open) gives the same figures.
    let (direct, _) = json_query(tmp.path(), &yaml, "cluster", &["--no-ingest"]);
    assert_eq!(v["totalRows"], direct["totalRows"]);
    assert_eq!(v["totals"], direct["totals"]);
    let truth = dev_bucket::truth();
    let want: f64 = truth["clusters"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|c| c["federated"]["allocations1d"]["2026-11-19"]["totalCost"].as_f64())
        .sum();
    let got: f64 = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| !r["name"].as_str().unwrap().contains("__idle__"))
        .map(|r| r["totalCost"].as_f64().unwrap())
        .sum();
    assert!((got - want).abs() <= 1e-6 * want, "{got} vs truth {want}");
}

/// `--search` keeps the rows whose name contains the text, like the TUI's `/` with plain text.
#[test]
fn search_keeps_rows_whose_name_contains_the_text() {
    let (tmp, yaml) = setup();
    let (v, _) = json_query(tmp.path(), &yaml, "pod", &["--search", "Kube-Proxy"]);
    let rows = v["data"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert_eq!(v["totalRows"].as_u64().unwrap() as usize, rows.len());
    assert!(rows.iter().all(|r| r["name"].as_str().unwrap().contains("kube-proxy")), "{v}");
}

/// kubectl-cost's `--show-*` flags and `--columns` choose the table's columns; `-A` shows all; a
/// bad column name is a usage error before anything is ingested.
#[test]
fn table_columns_follow_show_flags_and_columns() {
    let (tmp, yaml) = setup();
    let header = |extra: &[&str]| {
        let out = costscope(tmp.path(), &yaml)
            .args(["allocation", "--window", DAY, "--aggregate", "cluster"])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).unwrap();
        text.lines()
            .next()
            .unwrap()
            .split_whitespace()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(header(&["--show-cpu", "--show-memory"]), ["NAME", "CPU", "RAM", "TOTAL"]);
    assert_eq!(header(&["--columns", "total,pv"]), ["NAME", "TOTAL", "PV"]);
    let all = header(&["-A"]);
    assert!(all.contains(&"EXTERNAL".to_string()) && all.len() > 15, "{all:?}");
    assert!(header(&[]).contains(&"SHARED".to_string()));
    let out = costscope(tmp.path(), &yaml)
        .args(["allocation", "--columns", "cpu,bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("\"bogus\"") && err.contains("cpuCost"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line, no ingest progress first: {err}");
}

/// Run the binary as a newcomer with a fresh home in `tmp`: no store configured, caches, state
/// and config inside `tmp`.
fn newcomer(tmp: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("costscope")
        .unwrap()
        .current_dir(tmp)
        .env("COSTSCOPE_CACHE_DIR", tmp.join("cache"))
        .env("COSTSCOPE_STATE_DIR", tmp.join("state"))
        .env("XDG_CONFIG_HOME", tmp.join("config"))
        .env_remove("COSTSCOPE_STORE")
        .args(args)
        .output()
        .unwrap()
}

/// Without a store file every command but `demo` fails with exit 2 and says where it looked, even
/// after `costscope demo` wrote its bucket (a cron job that lost its config must never report the
/// demo's costs, issue 28); `--demo` opts in, and says which store it read.
#[test]
fn no_store_is_an_error_and_the_demo_is_used_only_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| newcomer(tmp.path(), args);
    let refused = |args: &[&str]| {
        let out = run(args);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            out.stdout.is_empty(),
            "{args:?} printed figures: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        err
    };
    let err = refused(&["allocation", "--aggregate", "cluster"]);
    let lines: Vec<&str> = err.lines().collect();
    assert!(lines[0].starts_with("error: no store file found"), "{err}");
    assert!(lines[0].contains("--demo"), "{err}");
    assert!(lines.len() >= 3, "one short line, then the places looked: {err}");
    assert!(
        err.contains("$COSTSCOPE_STORE (not set)") && err.contains("federated-store.yaml (no such file)"),
        "{err}"
    );
    let err = refused(&["--demo", "assets"]);
    assert!(err.contains("no demo written yet: run `costscope demo`"), "{err}");

    let out = run(&["demo", "--no-tui", "--clusters", "1", "--days", "3"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for args in [
        &["allocation"][..],
        &["assets"],
        &["cloudcost"],
        &["bucket"],
        &["ingest", "--once"],
        &["migration"],
    ] {
        let err = refused(args);
        assert!(err.starts_with("error: no store file found"), "{args:?}: {err}");
    }
    let out = run(&["--demo", "allocation", "--aggregate", "cluster", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["totalRows"].as_u64().unwrap() >= 1);
}

/// An empty window says where the data is (stderr), and the output is still well-formed.
#[test]
fn an_empty_window_says_where_the_data_is() {
    let (tmp, yaml) = setup();
    let out = costscope(tmp.path(), &yaml)
        .args(["allocation", "--window", "2025-01-01,2025-01-08", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no allocations in this window; the data covers 2026-"), "{err}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["totalRows"], 0);
}

/// The embedded demo is realistic enough to trust: no node is allocated more than it costs, so
/// idle by node is never negative (issue 10: negative idle in the demo).
#[test]
fn the_default_demo_has_no_negative_idle_on_any_node() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = newcomer(tmp.path(), args);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    run(&["demo", "--no-tui"]);
    let out = run(&[
        "--demo",
        "allocation",
        "--window",
        "30d",
        "--aggregate",
        "namespace",
        "--idle",
        "node",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let idle: Vec<&serde_json::Value> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["name"].as_str().unwrap().ends_with("/__idle__"))
        .collect();
    assert!(idle.len() > 50, "one idle row per node: {}", idle.len());
    for r in idle {
        for field in ["cpuCost", "ramCost", "gpuCost", "totalCost"] {
            let x = r[field].as_f64().unwrap();
            assert!(x >= -0.005, "{} {field} = {x}", r["name"]);
        }
    }
}

/// `costscope … | head -1`: when the reader closes the pipe, the program ends quietly with exit
/// code 0 (it used to panic with "failed printing to stdout", exit 101).
#[test]
fn a_closed_stdout_pipe_ends_quietly() {
    use std::io::BufRead;
    let (tmp, yaml) = setup();
    // Ingest first so the query itself prints at once.
    let ok = costscope(tmp.path(), &yaml).args(["ingest", "--once"]).output().unwrap();
    assert!(ok.status.success());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_costscope"))
        .env("COSTSCOPE_CACHE_DIR", tmp.path().join("cache"))
        .env("COSTSCOPE_STATE_DIR", tmp.path().join("state"))
        .args(["--store"])
        .arg(&yaml)
        .arg("--db")
        .arg(tmp.path().join("costscope.duckdb"))
        // One row per allocation over 20 days: ~680 KB, far more than a pipe buffer holds.
        .args([
            "allocation",
            "--no-ingest",
            "--window",
            "2026-11-01,2026-11-21",
            "--aggregate",
            "",
            "--format",
            "csv",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("name,"), "{first}");
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked") && !err.contains("failed printing"), "{err}");
}

/// `--rate monthly` says so in every format: the table's rate line, JSON's `rate` and
/// `coveredHours`, a `rate` column in CSV; and its totalCost is the cumulative one × 730 / hours.
#[test]
fn rate_is_named_in_table_json_and_csv() {
    let (tmp, yaml) = setup();
    let week = ["--window", "2026-11-14,2026-11-21"];
    let json = |rate: &str| -> serde_json::Value {
        let out = costscope(tmp.path(), &yaml)
            .args(["allocation", "--aggregate", "cluster", "--format", "json", "--rate", rate])
            .args(week)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let (cum, monthly) = (json("cumulative"), json("monthly"));
    assert_eq!(monthly["rate"], "monthly");
    let hours = monthly["coveredHours"].as_f64().unwrap();
    assert!((hours - 168.0).abs() < 1e-9, "{hours}");
    let (a, b) = (
        cum["totals"]["totalCost"].as_f64().unwrap(),
        monthly["totals"]["totalCost"].as_f64().unwrap(),
    );
    assert!((b - a * 730.0 / hours).abs() < 1e-6 * b, "{a} → {b}");
    let out = costscope(tmp.path(), &yaml)
        .args(["allocation", "--aggregate", "cluster", "--rate", "monthly", "--format", "csv"])
        .args(week)
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.lines().next().unwrap().ends_with(",rate") && csv.lines().nth(1).unwrap().ends_with(",monthly"),
        "{csv}"
    );
    let out = costscope(tmp.path(), &yaml)
        .args(["allocation", "--aggregate", "cluster", "--rate", "daily"])
        .args(week)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("daily rate: USD columns × 24 h / 168.0 h of data"), "{table}");
}

/// `--accumulate false` answers one page per day: JSON's `data` holds 7 pages with their
/// windows whose totals add up to the week's; CSV starts each row with its `window`; a step with
/// another accumulate is a usage error (exit 2).
#[test]
fn accumulate_false_answers_one_page_per_step() {
    let (tmp, yaml) = setup();
    let run = |extra: &[&str]| {
        costscope(tmp.path(), &yaml)
            .args(["allocation", "--aggregate", "namespace", "--window", "2026-11-14,2026-11-21"])
            .args(extra)
            .output()
            .unwrap()
    };
    let week: serde_json::Value = serde_json::from_slice(&run(&["--format", "json"]).stdout).unwrap();
    let steps: serde_json::Value = serde_json::from_slice(&run(&["--format", "json", "--accumulate", "false"]).stdout).unwrap();
    let data = steps["data"].as_array().unwrap();
    assert_eq!(data.len(), 7);
    assert_eq!(data[0]["window"]["start"], "2026-11-14T00:00:00+00:00");
    let sum: f64 = data.iter().map(|p| p["totals"]["totalCost"].as_f64().unwrap()).sum();
    let want = week["totals"]["totalCost"].as_f64().unwrap();
    assert!((sum - want).abs() < 1e-6 * want, "{sum} vs {want}");
    let csv = String::from_utf8(run(&["--format", "csv", "--accumulate", "day"]).stdout).unwrap();
    assert!(csv.starts_with("window,name,namespace,"), "{csv}");
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("2026-11-14T00:00:00Z/2026-11-15T00:00:00Z,"),
        "{csv}"
    );
    let bad = run(&["--accumulate", "day", "--step", "1h"]);
    assert_eq!(bad.status.code(), Some(2), "{}", String::from_utf8_lossy(&bad.stderr));
}

/// Machine output is clean (issue 28): counts are whole numbers in JSON, CSV carries no float
/// noise, and each query command's `--help` lists only the options of its kind.
#[test]
fn machine_output_and_help_are_clean() {
    let (tmp, yaml) = setup();
    let run = |args: &[&str]| {
        let out = costscope(tmp.path(), &yaml).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let v: serde_json::Value = serde_json::from_str(&run(&["assets", "--window", DAY, "--aggregate", "type", "--format", "json"])).unwrap();
    assert!(v["totals"]["count"].is_u64(), "{}", v["totals"]);
    assert!(v["data"].as_array().unwrap().iter().all(|r| r["count"].is_u64()), "{v}");
    for (kind, by) in [("allocation", "cluster"), ("assets", "type"), ("cloudcost", "service")] {
        let csv = run(&[
            kind,
            "--window",
            "2026-11-01,2026-11-20",
            "--aggregate",
            by,
            "--format",
            "csv",
            "--no-ingest",
        ]);
        for field in csv.lines().skip(1).flat_map(|l| l.split(',')) {
            if let Some((_, decimals)) = field.split_once('.').filter(|_| field.parse::<f64>().is_ok()) {
                assert!(decimals.len() <= 10 && !field.contains('e'), "{kind}: float noise {field}");
            }
        }
    }
    let help = |kind: &str| run(&[kind, "--help"]);
    let (alloc, cloud, assets) = (help("allocation"), help("cloudcost"), help("assets"));
    assert!(alloc.contains("--idle") && alloc.contains("--share-namespaces") && !alloc.contains("--cost-metric"));
    assert!(
        cloud.contains("--cost-metric") && !cloud.contains("--idle") && !cloud.contains("--share-namespaces"),
        "{cloud}"
    );
    assert!(
        assets.contains("--show-cpu") && !assets.contains("--show-pv") && !assets.contains("--idle"),
        "{assets}"
    );
}
