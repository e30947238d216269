//! No credential reaches the screen or a file, even when a server echoes it: an S3 endpoint that
//! answers 403 SignatureDoesNotMatch with the access key id, the session token and the
//! canonical request in its body (as AWS does) leaves stderr and stdout of `bucket`, `ingest` and
//! `allocation` free of all three, and so are the files costscope writes.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

const ACCESS: &str = "AKIALEAKTEST0123456789";
const SECRET: &str = "leak/Secret+Key=0123456789abcdefghijkl";
const TOKEN: &str = "FwoGZXIvYXdzEXAMPLE/session+token==";

/// Answer every request with AWS's 403 body, echoing the request's credentials back.
fn echoing_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                headers.push(line.trim_end().to_string());
            }
            let token = headers
                .iter()
                .find_map(|h| {
                    h.to_ascii_lowercase()
                        .starts_with("x-amz-security-token:")
                        .then(|| h[21..].trim().to_string())
                })
                .unwrap_or_default();
            let body = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SignatureDoesNotMatch</Code>\
                 <Message>The request signature we calculated does not match the signature you provided.</Message>\
                 <AWSAccessKeyId>{ACCESS}</AWSAccessKeyId><CanonicalRequest>GET /\nx-amz-security-token:{token}\n\
                 X-Amz-Security-Token={}</CanonicalRequest><SecretEcho>{SECRET}</SecretEcho></Error>",
                token.replace('/', "%2F").replace('+', "%2B").replace('=', "%3D")
            );
            let mut s = stream;
            let _ = write!(
                s,
                "HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    port
}

#[test]
fn server_echoed_credentials_never_reach_output_or_files() {
    let port = echoing_server();
    let tmp = tempfile::tempdir().unwrap();
    let yaml = tmp.path().join("federated-store.yaml");
    std::fs::write(
        &yaml,
        format!(
            "type: S3\nconfig:\n  bucket: costs\n  endpoint: 127.0.0.1:{port}\n  insecure: true\n  region: us-east-1\n  \
             access_key: {ACCESS}\n  secret_key: {SECRET}\n  session_token: {TOKEN}\n"
        ),
    )
    .unwrap();
    for args in [&["bucket"][..], &["ingest", "--once"], &["allocation", "--format", "json"]] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_costscope"))
            .env("COSTSCOPE_CACHE_DIR", tmp.path().join("cache"))
            .env("COSTSCOPE_STATE_DIR", tmp.path().join("state"))
            .env("RUST_LOG", "debug")
            .env_remove("AWS_ACCESS_KEY_ID")
            .args(args)
            .arg("--store")
            .arg(&yaml)
            .output()
            .unwrap();
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!out.status.success(), "{args:?}: {all}");
        assert!(
            all.contains("403") || all.contains("SignatureDoesNotMatch") || all.contains("Forbidden"),
            "{args:?}: {all}"
        );
        for (name, s) in [("access key", ACCESS), ("secret key", SECRET), ("session token", TOKEN)] {
            let encoded = s.replace('/', "%2F").replace('+', "%2B").replace('=', "%3D");
            assert!(!all.contains(s) && !all.contains(&encoded), "{args:?} printed the {name}: {all}");
        }
    }
    // Whatever costscope wrote (cache, state) holds no credential either.
    let mut stack = vec![tmp.path().to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p != yaml {
                let bytes = std::fs::read(&p).unwrap();
                let text = String::from_utf8_lossy(&bytes);
                for s in [ACCESS, SECRET, TOKEN] {
                    assert!(!text.contains(s), "{} holds a credential", p.display());
                }
            }
        }
    }
}

/// Credentials in an endpoint URL's user-info (`http://AK:SK@host`), and a credential pasted as a
/// YAML key (quoted by serde's "unknown field"), never reach the output (issue 35.10).
#[test]
fn credentials_in_an_endpoint_url_or_a_yaml_key_are_never_shown() {
    const USER: &str = "AKURLUSER0123456789";
    const PASSWORD: &str = "SkUrlPass0123456789abc";
    const AS_KEY: &str = "AKIAPASTEDASAKEY0123";
    let port = echoing_server();
    let tmp = tempfile::tempdir().unwrap();
    let in_url = tmp.path().join("in-url.yaml");
    std::fs::write(
        &in_url,
        format!("type: S3\nconfig:\n  bucket: costs\n  endpoint: http://{USER}:{PASSWORD}@127.0.0.1:{port}\n  region: us-east-1\n"),
    )
    .unwrap();
    let as_key = tmp.path().join("as-key.yaml");
    std::fs::write(&as_key, format!("type: S3\nconfig:\n  bucket: costs\n  {AS_KEY}: x\n")).unwrap();
    for (yaml, args) in [
        (&in_url, &["bucket"][..]),
        (&in_url, &["ingest", "--once"]),
        (&in_url, &["allocation", "--format", "json"]),
        (&as_key, &["bucket"]),
    ] {
        let out = crate::support::cli::costscope(tmp.path(), yaml)
            .env("RUST_LOG", "debug")
            .args(args)
            .output()
            .unwrap();
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!out.status.success(), "{args:?}: {all}");
        for s in [USER, PASSWORD, AS_KEY] {
            assert!(!all.contains(s), "{args:?} printed {s}: {all}");
        }
        if yaml == &as_key {
            assert!(
                all.contains("as-key.yaml:4:3:") && all.contains("unknown field (not shown)"),
                "{all}"
            );
        }
    }
}
