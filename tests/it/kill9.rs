//! kill -9 at random moments (issue: reliability): 20 times during `ingest` and 20 during
//! `federate`, 10 during `export`, on a copy of the dev bucket. Afterwards a normal run completes,
//! the answer equals a clean run's (so nothing was lost or counted twice), every combined file
//! under its final name decodes (no half-written file; staging names `<key>#<n>` are not objects),
//! and an export's dataset equals an uninterrupted export's, manifests included, with no
//! temporary left (issue 34 item 4).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::dev_bucket::copy_dev;
use crate::support::rng::Rng;

const KILLS: usize = 20;

fn costscope(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_costscope"));
    c.env("COSTSCOPE_CACHE_DIR", dir.join("cache"))
        .env("COSTSCOPE_STATE_DIR", dir.join("state"))
        .args(args)
        .arg("--store")
        .arg(dir.join("store.yaml"))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn setup() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dev(&tmp.path().join("bucket"));
    let yaml = format!(
        "type: FILESYSTEM\nconfig:\n  directory: \"{}\"\n",
        tmp.path().join("bucket").display()
    );
    std::fs::write(tmp.path().join("store.yaml"), yaml).unwrap();
    tmp
}

/// Give the next run work: rewrite a few random source files (same bytes, new modification
/// time, so a new ETag) under `bucket/federated/<cluster>/`.
fn touch_some(bucket: &Path, rng: &mut Rng, round: u64) {
    let mut files = Vec::new();
    let mut stack = vec![bucket.join("federated")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() && !p.ends_with("combined") {
                stack.push(p);
            } else if p.is_file() {
                files.push(p);
            }
        }
    }
    files.sort();
    for _ in 0..30 {
        let p = &files[(rng.next() % files.len() as u64) as usize];
        let t = std::time::SystemTime::now() + Duration::from_secs(round * 10 + rng.next() % 10);
        std::fs::File::options().write(true).open(p).unwrap().set_modified(t).unwrap();
    }
}

/// Start `args` and SIGKILL it after a random delay below `max_ms`, until `kills` runs were
/// killed before they finished (at most 5 × `kills` tries); between tries some source files
/// change, so each run has work to be interrupted in. Returns the kills that hit a running pass.
fn kill_repeatedly(dir: &Path, args: &[&str], max_ms: u64, seed: u64, kills: usize) -> usize {
    let mut rng = Rng(seed);
    let mut killed = 0;
    for round in 0..5 * kills as u64 {
        if killed >= kills {
            break;
        }
        touch_some(&dir.join("bucket"), &mut rng, round);
        let mut child = costscope(dir, args).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(rng.next() % max_ms));
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    killed
}

/// The CSV cells of two answers agree: text exactly, numbers to 1e-9 relative (sums of the same
/// rows in another order differ in the last bits).
fn same_answer(a: &str, b: &str) -> bool {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    la.len() == lb.len()
        && la.iter().zip(&lb).all(|(x, y)| {
            let (cx, cy): (Vec<&str>, Vec<&str>) = (x.split(',').collect(), y.split(',').collect());
            cx.len() == cy.len()
                && cx.iter().zip(&cy).all(|(p, q)| match (p.parse::<f64>(), q.parse::<f64>()) {
                    (Ok(u), Ok(v)) => (u - v).abs() <= 1e-9 * u.abs().max(v.abs()).max(1.0),
                    _ => p == q,
                })
        })
}

/// `allocation` for a week by cluster, as CSV text.
fn week(dir: &Path) -> String {
    let out = costscope(
        dir,
        &[
            "allocation",
            "--window",
            "2026-11-14,2026-11-21",
            "--aggregate",
            "cluster",
            "--format",
            "csv",
        ],
    )
    .stdout(Stdio::piped())
    .output()
    .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn kill_9_during_ingest_loses_and_duplicates_nothing() {
    let hurt = setup();
    let killed = kill_repeatedly(hurt.path(), &["ingest", "--once"], 700, 0x1E57_0009, KILLS);
    assert!(killed >= KILLS, "only {killed} kills hit a running ingest");
    assert!(costscope(hurt.path(), &["ingest", "--once"]).status().unwrap().success());
    let clean = setup();
    assert!(costscope(clean.path(), &["ingest", "--once"]).status().unwrap().success());
    let (a, b) = (week(hurt.path()), week(clean.path()));
    assert!(same_answer(&a, &b), "after {killed} kills mid-ingest:\n{a}\nvs a clean run:\n{b}");
}

/// Every combined file (final names only), with its bytes.
fn combined(bucket: &Path) -> Vec<(String, Vec<u8>)> {
    let root = bucket.join("federated/combined/etl/bingen");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                stack.push(p);
            } else if !name.contains('#') {
                out.push((p.strip_prefix(bucket).unwrap().display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn kill_9_during_federate_leaves_no_half_written_file() {
    let hurt = setup();
    let killed = kill_repeatedly(hurt.path(), &["federate", "--once"], 200, 0x0FED_0009, KILLS);
    assert!(killed >= KILLS, "only {killed} kills hit a running federate");
    for (key, bytes) in combined(&hurt.path().join("bucket")) {
        let kind = costscope::bingen::RootKind::from_key(&key).unwrap();
        costscope::bingen::decode(&bytes, kind).unwrap_or_else(|e| panic!("{key} is half written: {e}"));
    }
    assert!(costscope(hurt.path(), &["federate", "--once"]).status().unwrap().success());
    let clean = setup();
    assert!(costscope(clean.path(), &["federate", "--once"]).status().unwrap().success());
    let (a, b) = (combined(&hurt.path().join("bucket")), combined(&clean.path().join("bucket")));
    assert_eq!(a.len(), b.len(), "after {killed} kills mid-federate");
    for ((ka, va), (kb, vb)) in a.iter().zip(&b) {
        assert_eq!(ka, kb);
        assert!(va == vb, "{ka} differs from a clean federation after {killed} kills");
    }
}

/// Every file under `dir` (relative path, bytes), sorted.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn kill_9_during_export_converges() {
    let hurt = setup();
    let out = hurt.path().join("dataset");
    let out_arg = out.display().to_string();
    let args = ["export", "--out", out_arg.as_str()];
    let killed = kill_repeatedly(hurt.path(), &args, 300, 0x0E_0009, 10);
    assert!(killed >= 10, "only {killed} kills hit a running export");
    // What a killed export leaves: a temporary of a process of this host that is gone (whatever
    // the kills left), and an hour-old one in the naming of older versions.
    let part = out.join("allocations/cluster=dev-ap-south-1/year=2026/month=11/day=20");
    std::fs::create_dir_all(&part).unwrap();
    let mut child = Command::new("true").spawn().unwrap();
    let gone = child.id();
    child.wait().unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let host: String = host
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '.')
        .collect();
    let host = if host.is_empty() { "host".to_string() } else { host };
    std::fs::write(part.join(format!(".tmp-_costscope_sources.json-{host}-{gone}")), b"{").unwrap();
    let legacy = part.join(".tmp-part-0.parquet-4242");
    std::fs::write(&legacy, b"PAR1").unwrap();
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3_600);
    std::fs::File::options()
        .write(true)
        .open(&legacy)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();

    assert!(costscope(hurt.path(), &args).status().unwrap().success());
    let after = tree(&out);
    let left: Vec<&String> = after.iter().map(|(k, _)| k).filter(|k| k.contains(".tmp-")).collect();
    assert!(left.is_empty(), "temporaries survive the rerun after {killed} kills: {left:?}");
    // An uninterrupted export of the same bucket.
    let clean = hurt.path().join("clean");
    let clean_arg = clean.display().to_string();
    assert!(
        costscope(hurt.path(), &["export", "--out", clean_arg.as_str()])
            .status()
            .unwrap()
            .success()
    );
    let want = tree(&clean);
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    assert_eq!(names(&after), names(&want), "after {killed} kills mid-export");
    for ((k, a), (_, b)) in after.iter().zip(&want) {
        assert!(a == b, "{k} differs from an uninterrupted export's after {killed} kills");
    }
}
