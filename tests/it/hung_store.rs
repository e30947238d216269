//! A store endpoint that accepts connections and never answers: costscope says what it waits
//! for after 3 s and gives up after the documented deadline (`COSTSCOPE_STORE_TIMEOUT`, and the
//! store file's `http_config.response_header_timeout` per read) with a one-line error, instead
//! of hanging silently for object_store's 3 minutes.

use std::net::TcpListener;
use std::time::{Duration, Instant};

#[test]
fn a_hung_endpoint_is_noted_and_given_up_on() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accept and hold every connection open, never writing a byte.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("federated-store.yaml");
    std::fs::write(
        &yaml,
        format!(
            "type: S3\nconfig:\n  bucket: costs\n  endpoint: 127.0.0.1:{port}\n  insecure: true\n  region: us-east-1\n  \
             access_key: AKIAHUNGTEST\n  secret_key: hung-secret-key\n  http_config:\n    response_header_timeout: 1s\n"
        ),
    )
    .unwrap();
    let started = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_costscope"))
        .env("COSTSCOPE_CACHE_DIR", tmp.path().join("cache"))
        .env("COSTSCOPE_STORE_TIMEOUT", "5")
        .args(["bucket", "--store"])
        .arg(&yaml)
        .output()
        .unwrap();
    let waited = started.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("note: still waiting for S3 bucket costs"), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1, "{err}");
    // Far below object_store's default 3 minutes (5 s deadline + the attempt in flight + start).
    assert!(waited < Duration::from_secs(40), "gave up after {waited:?}");
}

/// A pass of `ingest --once` (its listing) against a hung endpoint says what it waits for (the
/// listing and its prefix) after 3 s and gives up at the store timeout with one error line
/// (issue 35 item 7).
#[test]
fn an_ingest_pass_on_a_hung_endpoint_says_what_it_waits_for() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("federated-store.yaml");
    std::fs::write(
        &yaml,
        format!(
            "type: S3\nconfig:\n  bucket: costs\n  endpoint: 127.0.0.1:{port}\n  insecure: true\n  region: us-east-1\n  \
             access_key: AKIAHUNGTEST\n  secret_key: hung-secret-key\n"
        ),
    )
    .unwrap();
    let started = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_costscope"))
        .env("COSTSCOPE_CACHE_DIR", tmp.path().join("cache"))
        .env("COSTSCOPE_STATE_DIR", tmp.path().join("state"))
        .env("COSTSCOPE_STORE_TIMEOUT", "5")
        .args(["ingest", "--once", "--store"])
        .arg(&yaml)
        .output()
        .unwrap();
    let waited = started.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("note: still waiting for listing federated/"), "{err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1, "{err}");
    assert!(!err.contains("hung-secret-key"), "{err}");
    // Far below object_store's default 3 minutes (no response_header_timeout: the store timeout
    // of 5 s bounds the listing request).
    assert!(waited < Duration::from_secs(40), "gave up after {waited:?}");
}
