//! Unit tests of YAML parsing, validation, redaction and identities (no network).

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

const FILE: &str = "federated-store.yaml";

fn parse(text: &str) -> Result<StoreConfig, ConfigError> {
    StoreConfig::parse(text, Path::new(FILE))
}

fn err(text: &str) -> String {
    parse(text).expect_err("expected an error").to_string()
}

#[test]
fn syntax_error_names_line_and_column() {
    let e = err("type: S3\nconfig:\n  bucket: kubecost\n  endpoint: [oops\n");
    assert!(e.starts_with("federated-store.yaml:"), "{e}");
    let mut parts = e.splitn(4, ':');
    parts.next();
    let line: usize = parts.next().unwrap().parse().expect(&e);
    let col: usize = parts.next().unwrap().parse().expect(&e);
    assert!(line >= 4 && col >= 1, "{e}");
    // The problem's own location is moved to the front; libyaml's context mark may remain.
    assert!(!e.contains(&format!(" at line {line} column {col}")), "location repeated: {e}");
    assert!(e.contains("while parsing a flow sequence at line 4"), "{e}");
}

#[test]
fn type_error_names_the_line_of_the_value() {
    let e = err("type: S3\nconfig:\n  bucket: kubecost\n  insecure: maybe\n");
    assert!(e.starts_with("federated-store.yaml:4:13: "), "{e}");
    assert!(e.contains("config.insecure"), "{e}");
}

#[test]
fn unknown_key_names_its_line() {
    let e = err("type: S3\nconfig:\n  bukcet: kubecost\n");
    assert!(e.starts_with("federated-store.yaml:3:3: "), "{e}");
    assert!(e.contains("unknown field `bukcet`"), "{e}");
    let e = err("type: S3\nconfig: {bucket: b}\nprefx: x\n");
    assert!(e.starts_with("federated-store.yaml:3:1: "), "{e}");
}

#[test]
fn bad_duration_names_its_line() {
    let text = "type: S3\nconfig:\n  bucket: b\n  http_config:\n    idle_conn_timeout: 9 bananas\n";
    let e = err(text);
    assert!(e.starts_with("federated-store.yaml:5:"), "{e}");
    assert!(e.contains("invalid duration"), "{e}");
}

#[test]
fn wrong_top_level_shape_names_a_line() {
    let e = err("just a string\n");
    assert!(e.starts_with("federated-store.yaml:1:1: "), "{e}");
    assert!(e.contains("mapping with `type`"), "{e}");
    let e = err("config:\n  bucket: b\n");
    assert!(e.starts_with("federated-store.yaml:1:1: "), "{e}");
    assert!(e.contains("missing field `type`"), "{e}");
}

#[test]
fn empty_file_is_explained() {
    let e = err("# nothing here\n\n");
    assert!(e.starts_with("federated-store.yaml: the file is empty"), "{e}");
}

#[test]
fn unknown_type_lists_supported_types() {
    let e = err("type: DROPBOX\nconfig: {}\n");
    assert!(e.starts_with("federated-store.yaml:1: unknown store type `DROPBOX`"), "{e}");
    for t in SUPPORTED_TYPES {
        assert!(e.contains(t), "{t} missing from {e}");
    }
    let e = err("type: swift\nconfig: {}\n");
    assert!(e.contains("type SWIFT is a Thanos store that costscope cannot open"), "{e}");
    assert!(e.contains("supported types: S3, GCS, AZURE, FILESYSTEM, MEMORY"), "{e}");
}

#[test]
fn type_is_case_insensitive_and_prefix_is_trimmed() {
    let cfg = parse("type: s3\nconfig:\n  bucket: b\n  endpoint: minio:9000\nprefix: /team-a/\n").unwrap();
    assert_eq!(cfg.backend.type_name(), "S3");
    assert_eq!(cfg.prefix, "team-a");
}

#[test]
fn signature_version2_is_rejected_and_false_is_fine() {
    let text = "type: S3\nconfig:\n  bucket: b\n  endpoint: minio:9000\n  signature_version2: true\n";
    let e = err(text);
    assert!(
        e.starts_with("federated-store.yaml:5: S3 signature_version2: true is not supported"),
        "{e}"
    );
    assert!(e.contains("Signature V4"), "{e}");
    parse(&text.replace("true", "false")).unwrap();
}

#[test]
fn half_credentials_name_the_missing_key() {
    let base = "type: S3\nconfig:\n  bucket: b\n  endpoint: minio:9000\n";
    let e = err(&format!("{base}  access_key: AKIAEXAMPLE\n"));
    assert!(e.contains("S3 config has access_key but no secret_key"), "{e}");
    assert!(e.starts_with("federated-store.yaml:5: "), "{e}");
    let e = err(&format!("{base}  secret_key: abcdefgh\n"));
    assert!(e.contains("S3 config has secret_key but no access_key"), "{e}");
    let e = err(&format!("{base}  session_token: tok-12345\n"));
    assert!(e.contains("session_token but no access_key/secret_key"), "{e}");

    let az = "type: AZURE\nconfig:\n  storage_account: acct\n  container: c\n  client_id: app\n";
    let e = err(az);
    assert!(e.contains("missing az_tenant_id, client_secret"), "{e}");
    let e = err(&format!("{az}  user_assigned_id: mi\n"));
    assert!(e.contains("user_assigned_id cannot be combined"), "{e}");
    let e = err("type: AZURE\nconfig:\n  container: c\n");
    assert!(e.contains("AZURE config needs `storage_account`"), "{e}");
    let e = err("type: GCS\nconfig: {}\n");
    assert!(e.contains("GCS config needs `bucket`"), "{e}");
    let e = err("type: FILESYSTEM\nconfig: {}\n");
    assert!(e.contains("FILESYSTEM config needs `directory`"), "{e}");
}

#[test]
fn relative_filesystem_dir_resolves_against_the_yaml_directory() {
    let cfg = StoreConfig::parse(
        "type: FILESYSTEM\nconfig:\n  directory: ./bucket\n",
        Path::new("/etc/costscope/federated-store.yaml"),
    )
    .unwrap();
    let Backend::Filesystem { directory } = &cfg.backend else {
        panic!("{cfg:?}")
    };
    assert_eq!(directory, &PathBuf::from("/etc/costscope/bucket"));

    // And it opens from a different working directory.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("bucket")).unwrap();
    let yaml = tmp.path().join("federated-store.yaml");
    std::fs::write(&yaml, "type: FILESYSTEM\nconfig:\n  directory: bucket\nprefix: p\n").unwrap();
    let (cfg, store) = open_store(&yaml).unwrap();
    assert_eq!(
        store.identity,
        format!("file://{}/bucket/p", std::fs::canonicalize(tmp.path()).unwrap().display())
    );
    assert!(cfg.warnings.is_empty());

    let missing = StoreConfig::parse("type: FILESYSTEM\nconfig:\n  directory: nope\n", &yaml).unwrap();
    let e = build_store(&missing).unwrap_err().to_string();
    assert!(e.contains("does not exist"), "{e}");
}

#[test]
fn write_only_fields_warn_and_empty_ones_do_not() {
    let cfg = parse(
        "type: S3\nconfig:\n  bucket: b\n  endpoint: minio:9000\n  part_size: 134217728\n  \
         put_user_metadata: {}\n  trace: {enable: false}\n  send_content_md5: true\n  \
         http_config:\n    max_idle_conns: 100\n",
    )
    .unwrap();
    let w = cfg.warnings.join("\n");
    assert!(w.contains("`part_size` is ignored"), "{w}");
    assert!(w.contains("`send_content_md5` is ignored"), "{w}");
    assert!(w.contains("`http_config.max_idle_conns` is ignored"), "{w}");
    assert!(!w.contains("put_user_metadata") && !w.contains("trace"), "{w}");
    assert_eq!(cfg.warnings.len(), 3, "{w}");
}

#[test]
fn s3_fields_map_to_object_store_settings() {
    let cfg = parse(
        "type: S3\nconfig:\n  bucket: kubecost\n  endpoint: 127.0.0.1:5000\n  insecure: true\n  \
         access_key: testing\n  secret_key: testing\n  max_retries: 3\n  \
         sse_config:\n    type: SSE-KMS\n    kms_key_id: arn:aws:kms:k\n  \
         http_config:\n    idle_conn_timeout: 90s\n    response_header_timeout: 2m\n    \
         tls_handshake_timeout: 10s\n    max_idle_conns_per_host: 7\n    insecure_skip_verify: true\n",
    )
    .unwrap();
    let Backend::S3(s3) = &cfg.backend else { panic!() };
    assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:5000"));
    assert_eq!(s3.region, "us-east-1");
    assert!(s3.allow_http && !s3.virtual_hosted_style);
    assert_eq!(s3.retry.as_ref().unwrap().max_retries, 2);
    assert!(matches!(s3.sse, Some(S3Sse::Kms { .. })));
    assert_eq!(s3.http.idle_conn_timeout, Some(Duration::from_secs(90)));
    assert_eq!(s3.http.response_header_timeout, Some(Duration::from_secs(120)));
    assert_eq!(s3.http.tls_handshake_timeout, Some(Duration::from_secs(10)));
    assert_eq!(s3.http.max_idle_conns_per_host, Some(7));
    assert!(s3.http.insecure_skip_verify);
    let store = build_store(&cfg).unwrap();
    assert_eq!(store.identity, "s3+http://127.0.0.1:5000/kubecost");

    // AWS endpoints are left to object_store, with the region taken from the host.
    let cfg =
        parse("type: S3\nconfig:\n  bucket: b\n  endpoint: s3.eu-west-1.amazonaws.com\n  access_key: a1b2\n  secret_key: c3d4\n").unwrap();
    let Backend::S3(s3) = &cfg.backend else { panic!() };
    assert_eq!((s3.endpoint.as_deref(), s3.region.as_str()), (None, "eu-west-1"));
    assert!(s3.virtual_hosted_style);
    assert_eq!(build_store(&cfg).unwrap().identity, "s3://b");

    // virtual-hosted lookup on a custom endpoint puts the bucket in the host.
    let cfg = parse("type: S3\nconfig:\n  bucket: b\n  endpoint: minio.local\n  bucket_lookup_type: virtual-hosted\n").unwrap();
    let Backend::S3(s3) = &cfg.backend else { panic!() };
    assert!(s3.virtual_hosted_style);
    let e = err("type: S3\nconfig:\n  bucket: b\n  bucket_lookup_type: dns\n");
    assert!(e.contains("not one of auto, path, virtual-hosted"), "{e}");
}

#[test]
fn azure_endpoint_suffix_and_full_url() {
    let base = "type: AZURE\nconfig:\n  storage_account: acct\n  container: c\n";
    let cfg = parse(base).unwrap();
    let Backend::Azure(a) = &cfg.backend else { panic!() };
    assert_eq!(a.account_url, None);
    assert!(matches!(a.credentials, AzureCredentials::Environment));
    let cfg = parse(&format!("{base}  endpoint: blob.core.chinacloudapi.cn\n")).unwrap();
    let Backend::Azure(a) = &cfg.backend else { panic!() };
    assert_eq!(a.account_url.as_deref(), Some("https://acct.blob.core.chinacloudapi.cn"));
    let cfg = parse(&format!(
        "{base}  endpoint: http://127.0.0.1:10000/devstoreaccount1/\n  max_retries: 1\n"
    ))
    .unwrap();
    let Backend::Azure(a) = &cfg.backend else { panic!() };
    assert_eq!(a.account_url.as_deref(), Some("http://127.0.0.1:10000/devstoreaccount1"));
    assert_eq!(a.retry.as_ref().unwrap().max_retries, 0);
}

#[test]
fn gcs_accepts_inline_mapping_and_rejects_non_json() {
    let cfg = parse(
        "type: GCS\nconfig:\n  bucket: b\n  service_account: {\"type\": \"service_account\", \
         \"private_key\": \"pk\", \"private_key_id\": \"id\", \"client_email\": \"x@y\", \
         \"gcs_base_url\": \"http://127.0.0.1:4443\", \"disable_oauth\": true}\n",
    )
    .unwrap();
    let Backend::Gcs(g) = &cfg.backend else { panic!() };
    assert!(g.service_account.as_ref().unwrap().expose().contains("\"disable_oauth\":true"));
    assert_eq!(build_store(&cfg).unwrap().identity, "gs+http://127.0.0.1:4443/b");
    let e = err("type: GCS\nconfig:\n  bucket: b\n  service_account: not-json-at-all\n");
    assert!(
        e.starts_with("federated-store.yaml:4: GCS service_account is not valid JSON"),
        "{e}"
    );
}

#[test]
fn memory_store_with_prefix() {
    let cfg = parse("type: MEMORY\nprefix: x/y\n").unwrap();
    let store = build_store(&cfg).unwrap();
    assert_eq!(store.identity, "memory://x/y");
    assert!(store.description.contains("prefix x/y"));
}

/// Every secret below must be absent from every Debug and error string this module produces.
#[test]
fn secrets_never_leak() {
    const SECRETS: &[&str] = &[
        "AKIA-ACCESS-0001",
        "S3-SECRET-KEY-0002",
        "S3-SESSION-TOKEN-0003",
        "AZ-ACCOUNT-KEY-0004",
        "AZ-CLIENT-SECRET-0005",
        "GCS-PRIVATE-KEY-0006",
        "arn:aws:kms:KMS-KEY-0007",
        "CONN-STRING-KEY-0008",
    ];
    let check = |what: &str, s: &str| {
        for secret in SECRETS {
            assert!(!s.contains(secret), "{what} leaks {secret}: {s}");
        }
    };
    let s3 = "type: S3\nconfig:\n  bucket: b\n  endpoint: minio:9000\n  access_key: AKIA-ACCESS-0001\n  \
              secret_key: S3-SECRET-KEY-0002\n  session_token: S3-SESSION-TOKEN-0003\n  \
              sse_config:\n    type: SSE-KMS\n    kms_key_id: arn:aws:kms:KMS-KEY-0007\n";
    let azure = "type: AZURE\nconfig:\n  storage_account: acct\n  container: c\n  \
                 storage_account_key: AZ-ACCOUNT-KEY-0004\n";
    let azure_sp = "type: AZURE\nconfig:\n  storage_account: acct\n  container: c\n  \
                    az_tenant_id: t\n  client_id: app\n  client_secret: AZ-CLIENT-SECRET-0005\n";
    let gcs = "type: GCS\nconfig:\n  bucket: b\n  service_account: '{\"private_key\": \"GCS-PRIVATE-KEY-0006\", \
               \"private_key_id\": \"k\", \"client_email\": \"e@x\"}'\n";
    let conn = "type: AZURE\nconfig:\n  container: c\n  storage_connection_string: \
                'AccountName=acct;AccountKey=CONN-STRING-KEY-0008'\n";

    for (name, text) in [("s3", s3), ("azure", azure), ("azure_sp", azure_sp), ("gcs", gcs), ("conn", conn)] {
        let cfg = parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        check(name, &format!("{cfg:?}"));
        check(name, &format!("{cfg:#?}"));
        check(name, &cfg.warnings.join("\n"));
        // Building fails for invalid keys (not base64, bad PEM): the errors must not echo them.
        match build_store(&cfg) {
            Ok(store) => check(name, &format!("{store:?} {} {}", store.identity, store.description)),
            Err(e) => check(name, &format!("{e} {e:?}")),
        }
    }

    // Errors produced while the secrets are in the text.
    let broken = [
        s3.replace("  secret_key: S3-SECRET-KEY-0002\n", ""),
        s3.replace("  access_key: AKIA-ACCESS-0001\n", ""),
        s3.replace("endpoint: minio:9000", "endpoint: [minio"),
        s3.replace("bucket: b", "bucket: b\n  bogus_key: 1"),
        s3.replace("type: SSE-KMS", "type: SSE-X"),
        format!("{s3}  signature_version2: true\n"),
        azure_sp.replace("  az_tenant_id: t\n", ""),
        format!("{azure}  user_assigned_id: x\n"),
        gcs.replace("bucket: b", "bucket: [b"),
        // serde_yaml quotes a mistyped value in its message: the scrubber must catch a secret
        // value wherever it reappears.
        "type: S3\nconfig:\n  secret_key: S3-SECRET-KEY-0002\n  insecure: S3-SECRET-KEY-0002\n".into(),
    ];
    for text in &broken {
        let e = parse(text).expect_err(text);
        check("error", &format!("{e} {e:?}"));
    }
}
