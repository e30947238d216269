//! End to end: the real binary in tmux on `shared/buckets/dev` (read-only) and on a copy of it
//! (a default session must leave it byte-identical). Waits for ingest,
//! pages forward and back, drills into a namespace and back, changes the window, exports CSV and
//! quits; asserts on the screen text and on the CSV's totals against `dev-truth.json`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux").args(args).output().expect("tmux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

struct Session(String);

impl Session {
    fn screen(&self) -> String {
        tmux(&["capture-pane", "-p", "-t", &self.0])
    }
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            tmux(&["send-keys", "-t", &self.0, k]);
            std::thread::sleep(Duration::from_millis(150));
        }
    }
    fn type_text(&self, text: &str) {
        tmux(&["send-keys", "-t", &self.0, "-l", text]);
        std::thread::sleep(Duration::from_millis(150));
    }
    /// Wait until the screen contains `needle` (60 s at most); return the screen.
    fn wait_for(&self, needle: &str) -> String {
        self.wait_for_all(&[needle])
    }
    /// Wait until one screen contains every one of `needles` (60 s at most); return it. A view's
    /// title changes at once, its rows when the query answers ("page" appears then).
    fn wait_for_all(&self, needles: &[&str]) -> String {
        let t = Instant::now();
        loop {
            let s = self.screen();
            if needles.iter().all(|n| s.contains(n)) {
                return s;
            }
            assert!(
                t.elapsed() < Duration::from_secs(60),
                "timed out waiting for {needles:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        tmux(&["kill-session", "-t", &self.0]);
    }
}

fn dev_dir() -> PathBuf {
    PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("../shared/buckets/dev")
        .canonicalize()
        .unwrap()
}

#[test]
fn browse_dev_bucket_in_tmux() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("note: tmux is not installed; skipping the end-to-end TUI test (scripts/test.sh installs it)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("federated-store.yaml");
    std::fs::write(
        &yaml,
        format!("type: FILESYSTEM\nconfig:\n  directory: \"{}\"\n", dev_dir().display()),
    )
    .unwrap();
    let before: Vec<_> = walk(&dev_dir());
    let name = format!("costscope-e2e-{}", std::process::id());
    let cmd = format!(
        "cd {dir} && COSTSCOPE_CACHE_DIR={dir}/cache COSTSCOPE_STATE_DIR={dir}/state {bin} --store {yaml} --read-only; echo EXITED $? > {dir}/exit",
        dir = tmp.path().display(),
        bin = env!("CARGO_BIN_EXE_costscope"),
        yaml = yaml.display()
    );
    tmux(&["new-session", "-d", "-s", &name, "-x", "160", "-y", "48", &cmd]);
    let s = Session(name);

    // Ingest finishes and the default window is the last 7 days of data (data ends 2026-11-21).
    let screen = s.wait_for("kube-system");
    assert!(
        screen.contains("2026-11-14"),
        "default window starts 7 days before the newest data:\n{screen}"
    );
    assert!(screen.contains("Allocations by namespace"), "{screen}");

    // Aggregate by pod: many rows, so pages.
    s.keys(&["a", "C-u"]);
    s.type_text("pod");
    s.keys(&["Enter"]);
    let screen = s.wait_for_all(&["Allocations by pod", "page 1/"]);
    assert!(screen.contains("rows 1–"), "{screen}");
    s.keys(&["n"]);
    s.wait_for("page 2/");
    s.keys(&["p"]);
    s.wait_for("page 1/");

    // Back to namespaces, drill into the first one (a namespace), then back.
    s.keys(&["a", "C-u"]);
    s.type_text("namespace");
    s.keys(&["Enter"]);
    s.wait_for_all(&["Allocations by namespace", "page 1/"]);
    // First page, top row (the costliest namespace, ml-training, not an idle row).
    s.keys(&["g", "k", "k", "k", "Enter"]);
    let screen = s.wait_for("Allocations by controller");
    assert!(screen.contains("namespace:\""), "drill-down adds a namespace filter:\n{screen}");
    s.keys(&["Escape"]);
    s.wait_for_all(&["Allocations by namespace", "page 1/"]);

    // One day window, then export the whole query to CSV.
    s.keys(&["w", "C-u"]);
    s.type_text("2026-11-19,2026-11-20");
    s.keys(&["Enter"]);
    s.wait_for_all(&["2026-11-19", "page 1/"]);
    s.keys(&["e"]);
    let screen = s.wait_for("exported");
    assert!(screen.contains(".csv"), "{screen}");
    s.keys(&["q"]);
    assert_eq!(wait_exit(tmp.path()), "EXITED 0");

    // The CSV holds every row of the one-day query: Σ workloads = Σ clusters' totalCost, and the
    // idle rows = Σ idleCost, both from dev-truth.json.
    let csv = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "csv"))
        .expect("a CSV file");
    let mut rdr = csv::Reader::from_path(&csv).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let total_col = headers.iter().position(|h| h == "totalCost").expect("totalCost column");
    let (mut workloads, mut idle) = (0.0, 0.0);
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let v: f64 = rec[total_col].parse().unwrap();
        if rec[0].contains("__idle__") { idle += v } else { workloads += v }
    }
    let truth: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dev_dir().join("../dev-truth.json")).unwrap()).unwrap();
    let (mut want_w, mut want_i) = (0.0, 0.0);
    for c in truth["clusters"].as_object().unwrap().values() {
        if let Some(d) = c["federated"]["allocations1d"].get("2026-11-19") {
            want_w += d["totalCost"].as_f64().unwrap();
        }
        if let Some(d) = c["federated"]["assets1d"].get("2026-11-19") {
            want_i += d["idleCost"].as_f64().unwrap_or(0.0);
        }
    }
    assert!(
        (workloads - want_w).abs() < 1e-6 * want_w,
        "CSV workloads {workloads} vs truth {want_w}"
    );
    assert!((idle - want_i).abs() < 1e-6 * want_i, "CSV idle {idle} vs truth {want_i}");
    assert_eq!(walk(&dev_dir()), before, "read-only: the bucket is unchanged");
}

/// Wait (10 s at most) until the shell wrapper has written the TUI's exit line to `dir/exit`
/// (the file may exist empty for a moment before `echo` writes it); return the line.
fn wait_exit(dir: &Path) -> String {
    let t = Instant::now();
    loop {
        let line = std::fs::read_to_string(dir.join("exit")).unwrap_or_default();
        if line.ends_with('\n') {
            return line.trim().to_string();
        }
        assert!(t.elapsed() < Duration::from_secs(10), "the TUI did not exit on q");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every object under `dir` with a hash of its bytes.
fn checksums(dir: &Path) -> Vec<(PathBuf, u64)> {
    use std::hash::{Hash, Hasher};
    walk(dir)
        .into_iter()
        .map(|(p, _)| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(&p).unwrap().hash(&mut h);
            (p.strip_prefix(dir).unwrap().to_path_buf(), h.finish())
        })
        .collect()
}

/// A default session (no `--read-only`, no flags) on a writable copy of the dev bucket runs the
/// federator and the ingest to the end and leaves every object byte-identical: combined output
/// goes to the local cache unless the user asks for bucket writes (`costscope federate`).
#[test]
fn default_session_leaves_a_copied_bucket_byte_identical() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("note: tmux is not installed; skipping (scripts/test.sh installs it)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let bucket = tmp.path().join("bucket");
    crate::support::dev_bucket::copy_dev(&bucket);
    let before = checksums(&bucket);
    let yaml = tmp.path().join("federated-store.yaml");
    std::fs::write(&yaml, format!("type: FILESYSTEM\nconfig:\n  directory: \"{}\"\n", bucket.display())).unwrap();
    let name = format!("costscope-copy-{}", std::process::id());
    let cmd = format!(
        "cd {dir} && COSTSCOPE_CACHE_DIR={dir}/cache COSTSCOPE_STATE_DIR={dir}/state {bin} --store {yaml}; echo EXITED $? > {dir}/exit",
        dir = tmp.path().display(),
        bin = env!("CARGO_BIN_EXE_costscope"),
        yaml = yaml.display()
    );
    tmux(&["new-session", "-d", "-s", &name, "-x", "160", "-y", "48", &cmd]);
    let s = Session(name);
    let screen = s.wait_for_all(&["kube-system", "federator ✓", "ingest ✓"]);
    assert!(
        screen.contains("no bucket writes"),
        "the header says the session is read-only:\n{screen}"
    );
    s.keys(&["2", "3", "5", "1", "q"]);
    assert_eq!(wait_exit(tmp.path()), "EXITED 0");
    assert_eq!(checksums(&bucket), before, "every bucket object is unchanged and none was added");
}

fn walk(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let len = p.metadata().unwrap().len();
                out.push((p, len));
            }
        }
    }
    out.sort();
    out
}

/// SIGTERM and SIGHUP end a running TUI through its normal exit path (issue 35 item 9): exit 0,
/// and the terminal is out of raw mode (`stty -a`, run in the same pane afterwards, shows
/// `icanon` and `echo`). Before, the default action killed it with the terminal left raw.
#[test]
fn sigterm_and_sighup_end_the_tui_with_the_terminal_restored() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("note: tmux is not installed; skipping (scripts/test.sh installs it)");
        return;
    }
    for signal in ["TERM", "HUP"] {
        let tmp = tempfile::tempdir().unwrap();
        let yaml = tmp.path().join("federated-store.yaml");
        std::fs::write(
            &yaml,
            format!("type: FILESYSTEM\nconfig:\n  directory: \"{}\"\n", dev_dir().display()),
        )
        .unwrap();
        let name = format!("costscope-sig{signal}-{}", std::process::id());
        // `exec` keeps the shell's pid, which it writes first; the pane's shell runs `stty` after.
        let cmd = format!(
            "cd {dir} && sh -c 'echo $$ > {dir}/pid; exec env COSTSCOPE_CACHE_DIR={dir}/cache COSTSCOPE_STATE_DIR={dir}/state {bin} --store {yaml} --read-only'; \
             code=$?; stty -a > {dir}/stty; echo EXITED $code > {dir}/exit; sleep 60",
            dir = tmp.path().display(),
            bin = env!("CARGO_BIN_EXE_costscope"),
            yaml = yaml.display()
        );
        tmux(&["new-session", "-d", "-s", &name, "-x", "160", "-y", "48", &cmd]);
        let s = Session(name);
        s.wait_for("Allocations by namespace");
        let pid = std::fs::read_to_string(tmp.path().join("pid")).unwrap();
        let sent = Command::new("kill").args([&format!("-{signal}"), pid.trim()]).status().unwrap();
        assert!(sent.success());
        assert_eq!(wait_exit(tmp.path()), "EXITED 0", "SIG{signal} ends the TUI like q");
        let stty = std::fs::read_to_string(tmp.path().join("stty")).unwrap();
        let flags: Vec<&str> = stty.split_whitespace().collect();
        for flag in ["icanon", "echo"] {
            assert!(
                flags.contains(&flag),
                "after SIG{signal} the terminal is still raw ({flag} off):\n{stty}"
            );
        }
    }
}
