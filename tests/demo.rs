//! The embedded demo (`costscope demo`), run through the binary as a newcomer does: its data
//! is realistic enough to trust, here that no node is allocated more than it costs, so idle by
//! node is never negative (issue 10: negative idle in the demo).

use assert_cmd::Command;

#[test]
fn the_default_demo_has_no_negative_idle_on_any_node() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("costscope")
            .unwrap()
            .current_dir(tmp.path())
            .env("COSTSCOPE_CACHE_DIR", tmp.path().join("cache"))
            .env("COSTSCOPE_STATE_DIR", tmp.path().join("state"))
            .env("XDG_CONFIG_HOME", tmp.path().join("config"))
            .env_remove("COSTSCOPE_STORE")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    run(&["demo", "--no-tui"]);
    let out = run(&[
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
