//! `build_store` against real backends: a local directory, the in-memory store, and — when
//! `scripts/test-servers.sh` has started them — moto (S3), Azurite (Azure Blob) and
//! fake-gcs-server (GCS, read path only: its XML PUT is not supported, so objects are seeded
//! through its JSON upload API).
//!
//! Run the server tests with:
//! ```text
//! scripts/test-servers.sh start && eval "$(scripts/test-servers.sh env)" && cargo test --test objstore_servers
//! ```
//! Each server test prints a note and passes without doing anything when its `COSTSCOPE_TEST_*`
//! variable is unset.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use costscope::config::{Store, StoreConfig, build_store};
use futures::TryStreamExt;
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// Azurite's documented development-account key (public; the same in every Azurite install).
const AZURITE_KEY: &str = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

fn server(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => Some(v.trim().trim_end_matches('/').to_string()),
        _ => {
            eprintln!(
                "note: skipping, {var} is not set (run `scripts/test-servers.sh start` and \
                 `eval \"$(scripts/test-servers.sh env)\"` to run this test)"
            );
            None
        }
    }
}

fn bucket() -> String {
    std::env::var("COSTSCOPE_TEST_BUCKET").unwrap_or_else(|_| "kubecost".into())
}

/// A prefix no other run or test uses, so reruns against a long-lived server never collide.
fn unique(tag: &str) -> String {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
    format!("costscope-test/{tag}-{}-{nanos}", std::process::id())
}

fn store_from_yaml(dir: &Path, yaml: &str) -> (StoreConfig, Store) {
    let file = dir.join("federated-store.yaml");
    std::fs::write(&file, yaml).unwrap();
    let cfg = StoreConfig::load(&file).unwrap_or_else(|e| panic!("parse: {e}"));
    let store = build_store(&cfg).unwrap_or_else(|e| panic!("build: {e}"));
    (cfg, store)
}

/// put two objects, then list (recursive and by delimiter), get, get_range and head them.
async fn round_trip(store: &dyn ObjectStore) {
    let a = ObjPath::from("federated/cluster-a/etl/bingen/allocations/1d/1700000000-1700086400");
    let b = ObjPath::from("federated/cluster-b/etl/bingen/assets/1d/1700000000-1700086400");
    store.put(&a, PutPayload::from_static(b"alloc-bytes")).await.expect("put a");
    store.put(&b, PutPayload::from_static(b"asset-bytes!")).await.expect("put b");
    read_back(store, &a, b"alloc-bytes").await;
    read_back(store, &b, b"asset-bytes!").await;

    let mut keys: Vec<String> = store
        .list(Some(&ObjPath::from("federated")))
        .map_ok(|m| m.location.to_string())
        .try_collect()
        .await
        .expect("list");
    keys.sort();
    assert_eq!(keys, vec![a.to_string(), b.to_string()]);

    let listing = store
        .list_with_delimiter(Some(&ObjPath::from("federated")))
        .await
        .expect("list_with_delimiter");
    let mut dirs: Vec<String> = listing.common_prefixes.iter().map(|p| p.to_string()).collect();
    dirs.sort();
    assert_eq!(dirs, vec!["federated/cluster-a", "federated/cluster-b"]);
}

async fn read_back(store: &dyn ObjectStore, key: &ObjPath, want: &[u8]) {
    let got = store.get(key).await.expect("get").bytes().await.expect("body");
    assert_eq!(&got[..], want);
    let meta = store.head(key).await.expect("head");
    assert_eq!(meta.size, want.len() as u64);
    let range = store.get_range(key, 2..5).await.expect("get_range");
    assert_eq!(&range[..], &want[2..5]);
}

#[tokio::test]
async fn filesystem_store_round_trip_with_relative_dir_and_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("bucket")).unwrap();
    let (_, store) = store_from_yaml(tmp.path(), "type: filesystem\nconfig:\n  directory: bucket\nprefix: kubecost/\n");
    assert_eq!(
        store.identity,
        format!("file://{}/bucket/kubecost", std::fs::canonicalize(tmp.path()).unwrap().display())
    );
    round_trip(store.inner.as_ref()).await;
    // The prefix is a real directory under the configured one.
    assert!(tmp.path().join("bucket/kubecost/federated/cluster-a").is_dir());
}

#[tokio::test]
async fn memory_store_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, store) = store_from_yaml(tmp.path(), "type: MEMORY\n");
    assert_eq!(store.identity, "memory://");
    round_trip(store.inner.as_ref()).await;
}

#[tokio::test]
async fn s3_moto_round_trip_with_prefix() {
    let Some(url) = server("COSTSCOPE_TEST_S3") else {
        return;
    };
    let host = url.trim_start_matches("http://");
    let prefix = unique("s3");
    let tmp = tempfile::tempdir().unwrap();
    let yaml = format!(
        "type: S3\nconfig:\n  bucket: {}\n  endpoint: {host}\n  insecure: true\n  \
         access_key: testing\n  secret_key: testing\n  signature_version2: false\n  \
         max_retries: 2\n  put_user_metadata: {{}}\n  \
         http_config:\n    idle_conn_timeout: 90s\n    response_header_timeout: 2m\n\
         prefix: {prefix}\n",
        bucket()
    );
    let (cfg, store) = store_from_yaml(tmp.path(), &yaml);
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
    assert_eq!(store.identity, format!("s3+http://{host}/{}/{prefix}", bucket()));
    round_trip(store.inner.as_ref()).await;

    // The same bucket without the prefix sees the objects under it.
    let (_, bare) = store_from_yaml(tmp.path(), &yaml.replace(&format!("prefix: {prefix}\n"), ""));
    let key = ObjPath::from(format!(
        "{prefix}/federated/cluster-a/etl/bingen/allocations/1d/1700000000-1700086400"
    ));
    assert_eq!(bare.inner.head(&key).await.expect("head via bare store").size, 11);

    // Wrong keys are rejected by the server (signature check), proving the keys are used.
    let (_, bad) = store_from_yaml(tmp.path(), &yaml.replace("secret_key: testing", "secret_key: wrong-secret"));
    let e = bad.inner.head(&ObjPath::from("federated/x")).await;
    assert!(e.is_err(), "{e:?}");
}

#[tokio::test]
async fn azure_azurite_round_trip_with_prefix() {
    let Some(url) = server("COSTSCOPE_TEST_AZURE") else {
        return;
    };
    let prefix = unique("azure");
    let tmp = tempfile::tempdir().unwrap();
    let yaml = format!(
        "type: AZURE\nconfig:\n  storage_account: devstoreaccount1\n  storage_account_key: {AZURITE_KEY}\n  \
         container: {}\n  endpoint: {url}\n  max_retries: 2\nprefix: {prefix}\n",
        bucket()
    );
    let (cfg, store) = store_from_yaml(tmp.path(), &yaml);
    assert!(cfg.warnings.is_empty(), "{:?}", cfg.warnings);
    assert_eq!(store.identity, format!("azure+{url}/{}/{prefix}", bucket()));
    assert!(!format!("{cfg:?}").contains(AZURITE_KEY));
    round_trip(store.inner.as_ref()).await;

    let (_, bare) = store_from_yaml(tmp.path(), &yaml.replace(&format!("prefix: {prefix}\n"), ""));
    let key = ObjPath::from(format!("{prefix}/federated/cluster-b/etl/bingen/assets/1d/1700000000-1700086400"));
    assert_eq!(bare.inner.head(&key).await.expect("head via bare store").size, 12);
}

/// Uploads `body` as `bucket/name` through fake-gcs-server's JSON media upload
/// (`POST /upload/storage/v1/b/B/o?uploadType=media&name=K`), with plain std networking.
fn gcs_seed(base_url: &str, bucket: &str, name: &str, body: &[u8]) {
    let hostport = base_url.trim_start_matches("http://");
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let mut conn = TcpStream::connect(hostport).expect("connect to fake-gcs-server");
    let head = format!(
        "POST /upload/storage/v1/b/{bucket}/o?uploadType=media&name={encoded} HTTP/1.1\r\n\
         Host: {hostport}\r\nContent-Type: application/octet-stream\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).unwrap();
    conn.write_all(body).unwrap();
    let mut resp = String::new();
    conn.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "upload of {name} failed: {resp}");
}

#[tokio::test]
async fn gcs_fake_server_read_path_with_prefix() {
    let Some(url) = server("COSTSCOPE_TEST_GCS") else {
        return;
    };
    let prefix = unique("gcs");
    let b = bucket();
    let a_key = "federated/cluster-a/etl/bingen/allocations/1d/1700000000-1700086400";
    let b_key = "federated/cluster-b/etl/bingen/assets/1d/1700000000-1700086400";
    gcs_seed(&url, &b, &format!("{prefix}/{a_key}"), b"alloc-bytes");
    gcs_seed(&url, &b, &format!("{prefix}/{b_key}"), b"asset-bytes!");

    // object_store's emulator hooks: gcs_base_url + disable_oauth in the service-account JSON.
    let tmp = tempfile::tempdir().unwrap();
    let yaml = format!(
        "type: GCS\nconfig:\n  bucket: {b}\n  service_account: |-\n    \
         {{\"type\": \"service_account\", \"client_email\": \"test@example.com\", \
         \"private_key\": \"\", \"private_key_id\": \"\", \
         \"gcs_base_url\": \"{url}\", \"disable_oauth\": true}}\n  \
         use_grpc: false\nprefix: {prefix}\n"
    );
    let (_, store) = store_from_yaml(tmp.path(), &yaml);
    assert_eq!(store.identity, format!("gs+{url}/{b}/{prefix}"));
    let s = store.inner.as_ref();
    read_back(s, &ObjPath::from(a_key), b"alloc-bytes").await;
    read_back(s, &ObjPath::from(b_key), b"asset-bytes!").await;

    let mut keys: Vec<String> = s
        .list(Some(&ObjPath::from("federated")))
        .map_ok(|m| m.location.to_string())
        .try_collect()
        .await
        .expect("list");
    keys.sort();
    assert_eq!(keys, vec![a_key.to_string(), b_key.to_string()]);
    let listing = s
        .list_with_delimiter(Some(&ObjPath::from("federated")))
        .await
        .expect("list_with_delimiter");
    let mut dirs: Vec<String> = listing.common_prefixes.iter().map(|p| p.to_string()).collect();
    dirs.sort();
    assert_eq!(dirs, vec!["federated/cluster-a", "federated/cluster-b"]);
}
