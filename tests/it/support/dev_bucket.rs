//! Helpers for tests that run on a copy of `shared/buckets/dev` (3 clusters, 933 objects) and
//! compare with `shared/buckets/dev-truth.json`.
#![allow(dead_code)]

use costscope::config::{Store, StoreConfig, build_store};
use futures::{StreamExt, TryStreamExt};
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The crate root, read at run time (cargo sets `CARGO_MANIFEST_DIR` for test processes), so a
/// test binary built from another checkout into a shared target directory still finds this one.
pub fn crate_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from)
}

/// `../shared` next to the crate (the read-only references).
pub fn shared_dir() -> PathBuf {
    crate_dir().join("../shared")
}

/// The reference decoder (`tools/bingen_ref.py` beside the buckets, a reading of OpenCost's
/// codec independent of ours) decodes `file` into JSON; skipped with a note where python3
/// cannot run.
pub fn reference_decoder_reads(file: &std::path::Path) {
    let script = shared_dir().join("tools/bingen_ref.py");
    match std::process::Command::new("python3").arg(&script).arg(file).output() {
        Err(e) => eprintln!("note: skipping the reference-decoder check, python3 is not runnable: {e}"),
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "bingen_ref.py {} failed: {stderr}", file.display());
            assert!(
                String::from_utf8_lossy(&out.stdout).contains("\"__type\""),
                "no JSON from bingen_ref.py"
            );
        }
    }
}

/// The dev bucket directory.
pub fn dev_dir() -> PathBuf {
    shared_dir().join("buckets/dev")
}

/// `dev-truth.json`, parsed.
pub fn truth() -> Value {
    let path = shared_dir().join("buckets/dev-truth.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("dev-truth.json parses")
}

/// Copy the dev bucket into `dst` with fresh, writable files and directories (the originals are
/// read-only).
pub fn copy_dev(dst: &Path) {
    let src = dev_dir();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        let rel = dir.strip_prefix(&src).unwrap();
        std::fs::create_dir_all(dst.join(rel)).unwrap();
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let to = dst.join(p.strip_prefix(&src).unwrap());
                std::fs::write(&to, std::fs::read(&p).unwrap()).unwrap();
            }
        }
    }
}

/// A FILESYSTEM store over `dir`, built from objstore YAML like a user's federated-store.yaml.
pub fn fs_store(dir: &Path) -> Store {
    let yaml = format!("type: FILESYSTEM\nconfig:\n  directory: {}\n", dir.display());
    let cfg = StoreConfig::parse(&yaml, &dir.join("federated-store.yaml")).expect("store YAML parses");
    build_store(&cfg).expect("store opens")
}

/// Every file under `dir` (none when it does not exist): relative path with `/`, full path.
fn files(dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    let mut out = Vec::new();
    if !dir.exists() {
        return out;
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if std::fs::metadata(&p).unwrap().is_dir() {
                stack.push(p);
            } else {
                out.push((p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"), p));
            }
        }
    }
    out
}

/// Every file under `dir`: relative path → (size, modification time).
pub fn snapshot(dir: &Path) -> BTreeMap<String, (u64, SystemTime)> {
    files(dir)
        .into_iter()
        .map(|(rel, p)| {
            let m = std::fs::metadata(&p).unwrap();
            (rel, (m.len(), m.modified().unwrap()))
        })
        .collect()
}

/// Every file under `dir`: relative path → sha256 of its bytes.
pub fn checksums(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    use sha2::Digest;
    files(dir)
        .into_iter()
        .map(|(rel, p)| (rel, sha2::Sha256::digest(std::fs::read(&p).unwrap()).to_vec()))
        .collect()
}

/// `a` and `b` equal within a relative tolerance of 1e-9 (absolute near zero).
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-9)
}

/// When `COSTSCOPE_TEST_S3` is set (moto started by `scripts/test-servers.sh`): an S3 store with a
/// fresh prefix in bucket `$COSTSCOPE_TEST_BUCKET` (default `kubecost`) holding every dev file,
/// uploaded 16 at a time. `None`, with a printed note, when the variable is unset.
pub async fn dev_on_s3(tag: &str) -> Option<Store> {
    dev_on_s3_with_yaml(tag).await.map(|(store, _)| store)
}

/// As [`dev_on_s3`], also returning the `federated-store.yaml` text that opens the same store.
pub async fn dev_on_s3_with_yaml(tag: &str) -> Option<(Store, String)> {
    let url = server_url("COSTSCOPE_TEST_S3", tag)?;
    let host = url.trim_start_matches("http://").to_string();
    let bucket = std::env::var("COSTSCOPE_TEST_BUCKET").unwrap_or_else(|_| "kubecost".into());
    let prefix = unique_prefix(tag);
    let yaml = format!(
        "type: S3\nconfig:\n  bucket: {bucket}\n  endpoint: {host}\n  insecure: true\n  access_key: testing\n  secret_key: testing\n  region: us-east-1\nprefix: {prefix}\n"
    );
    Some(upload_dev(yaml).await)
}

/// Azurite's documented development-account key (public, the same in every Azurite install).
const AZURITE_KEY: &str = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// When `COSTSCOPE_TEST_AZURE` is set (Azurite started by `scripts/test-servers.sh`): an Azure store
/// with a fresh prefix holding every dev file. `None`, with a printed note, when unset.
pub async fn dev_on_azure(tag: &str) -> Option<Store> {
    let url = server_url("COSTSCOPE_TEST_AZURE", tag)?;
    let container = std::env::var("COSTSCOPE_TEST_BUCKET").unwrap_or_else(|_| "kubecost".into());
    let prefix = unique_prefix(tag);
    let yaml = format!(
        "type: AZURE\nconfig:\n  storage_account: devstoreaccount1\n  storage_account_key: {AZURITE_KEY}\n  container: {container}\n  endpoint: {url}\nprefix: {prefix}\n"
    );
    Some(upload_dev(yaml).await.0)
}

fn server_url(var: &str, tag: &str) -> Option<String> {
    let url = std::env::var(var).ok().filter(|v| !v.trim().is_empty());
    if url.is_none() {
        eprintln!(
            "note: skipping the {var} part of {tag}: it is not set (run `scripts/test-servers.sh start` and \
             `eval \"$(scripts/test-servers.sh env)\"`)"
        );
    }
    url.map(|u| u.trim().trim_end_matches('/').to_string())
}

fn unique_prefix(tag: &str) -> String {
    let nanos = SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("costscope-test/{tag}-{}-{nanos}", std::process::id())
}

/// Open the store of `yaml` and upload every dev file to it, 16 at a time.
async fn upload_dev(yaml: String) -> (Store, String) {
    let cfg = StoreConfig::parse(&yaml, Path::new("federated-store.yaml")).expect("store YAML parses");
    let store = build_store(&cfg).expect("store opens");
    let local = fs_store(&dev_dir()).inner;
    let metas: Vec<_> = local.list(None).try_collect().await.expect("list dev");
    assert_eq!(metas.len(), 933);
    let uploads: Vec<_> = futures::stream::iter(metas.into_iter().map(|m| {
        let (local, s3) = (local.clone(), store.inner.clone());
        async move {
            let data = local.get(&m.location).await?.bytes().await?;
            s3.put(&m.location, PutPayload::from(data)).await.map(|_| ())
        }
    }))
    .buffer_unordered(16)
    .collect()
    .await;
    for r in uploads {
        r.expect("upload to the test server");
    }
    (store, yaml)
}

/// Every object of `store`: key → (size, etag).
pub async fn listing(store: &dyn ObjectStore) -> BTreeMap<String, (u64, Option<String>)> {
    let metas: Vec<_> = store.list(None).try_collect().await.expect("list");
    metas.into_iter().map(|m| (m.location.to_string(), (m.size, m.e_tag))).collect()
}
