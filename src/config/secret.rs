//! A string that must never be printed, and helpers that scrub secrets out of messages.
//!
//! Every credential read from an objstore YAML file is held in a [`Secret`], whose `Debug` and
//! `Display` both print `<redacted>`. Messages that come from outside code (serde_yaml, object_store)
//! are passed through [`redact`] with the list of secret values before they are shown, so a parse or
//! build error cannot echo a key back either.

use std::fmt;

use serde::{Deserialize, Deserializer};

/// What [`Secret`] prints instead of its value, and what [`redact`] substitutes.
pub const REDACTED: &str = "<redacted>";

/// A credential string (secret key, account key, client secret, service-account JSON, …).
///
/// Shape: any UTF-8 string. `Debug` and `Display` print [`REDACTED`]; only [`Secret::expose`]
/// returns the value, and it is called solely where the value is handed to an object_store builder.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value. An empty string is a valid (empty) secret; callers treat it as "not set".
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value itself. Use only to hand it to a client library.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True for the empty string, which Thanos treats as "not configured".
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret)
    }
}

/// Replaces every occurrence of each secret value in `message` by [`REDACTED`].
///
/// Values shorter than 4 characters are skipped: they cannot be told apart from ordinary words, and
/// no real credential is that short. Longer secrets are replaced first so that a secret containing
/// another one is removed whole.
pub fn redact(message: &str, secrets: &[&str]) -> String {
    let mut sorted: Vec<&str> = secrets.iter().copied().filter(|s| s.len() >= 4).collect();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = message.to_string();
    for s in sorted {
        if out.contains(s) {
            out = out.replace(s, REDACTED);
        }
    }
    out
}

/// The credentials of every store opened by this process ([`register`]); [`scrub`] removes them.
static REGISTERED: std::sync::RwLock<Vec<String>> = std::sync::RwLock::new(Vec::new());

/// Remember `values` (a store's credentials) so that [`scrub`] removes them, and the forms a
/// server may echo them in (percent-encoded, as in a canonical request or a SAS query string),
/// from every message shown or logged afterwards. Values shorter than 4 characters are ignored.
pub fn register(values: impl IntoIterator<Item = String>) {
    let mut forms = Vec::new();
    for v in values.into_iter().filter(|v| v.len() >= 4) {
        let encode = |lower: bool| -> String {
            v.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                    _ if lower => format!("%{b:02x}"),
                    _ => format!("%{b:02X}"),
                })
                .collect()
        };
        for e in [encode(false), encode(true)] {
            if e != v {
                forms.push(e);
            }
        }
        // A PEM private key is echoed line by line: each long line is a secret of its own.
        forms.extend(v.lines().map(str::trim).filter(|l| l.len() >= 16).map(str::to_string));
        forms.push(v);
    }
    let mut reg = REGISTERED.write().unwrap_or_else(|e| e.into_inner());
    for f in forms {
        if !reg.contains(&f) {
            reg.push(f);
        }
    }
}

/// Environment variables whose values are credentials object_store may read (AWS, Azure, GCS);
/// [`register_env`] registers them.
const SECRET_ENV: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_ACCESS_KEY",
    "AZURE_STORAGE_SAS_KEY",
    "AZURE_STORAGE_CONNECTION_STRING",
    "AZURE_CLIENT_SECRET",
    "GOOGLE_SERVICE_ACCOUNT_KEY",
];

/// [`register`] the credentials found in the environment (`AWS_SECRET_ACCESS_KEY`, `AZURE_CLIENT_SECRET`, …); call once at start.
pub fn register_env() {
    register(SECRET_ENV.iter().filter_map(|k| std::env::var(k).ok()));
}

/// `message` with every [`register`]ed credential replaced by [`REDACTED`], and the user-info of
/// every URL in it ([`hide_url_userinfo`]): applied to every error line, warning, log line and
/// TUI message, whatever produced it (an S3 error body echoes the access key id and the
/// canonical request, for instance; object_store's errors quote the endpoint URL).
pub fn scrub(message: &str) -> std::borrow::Cow<'_, str> {
    let message = hide_url_userinfo(message);
    let reg = REGISTERED.read().unwrap_or_else(|e| e.into_inner());
    if !reg.iter().any(|s| message.contains(s.as_str())) {
        return message;
    }
    let refs: Vec<&str> = reg.iter().map(String::as_str).collect();
    std::borrow::Cow::Owned(redact(&message, &refs))
}

/// Byte ranges of the user-info (`user:password`) of every `scheme://user:password@host` URL in
/// `text` (RFC 3986 §3.2.1; an endpoint such as `http://AK:SK@minio:9000` carries credentials).
fn userinfo_spans(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("://") {
        let start = from + i + 3;
        let authority_end = text[start..]
            .find(|c: char| c.is_whitespace() || "/?#\"'`<>,;".contains(c))
            .map_or(text.len(), |j| start + j);
        if let Some(at) = text[start..authority_end].rfind('@')
            && at > 0
        {
            out.push(start..start + at);
        }
        from = start;
    }
    out
}

/// `message` with the user-info of every URL replaced by [`REDACTED`]
/// (`http://AK:SK@host/b` → `http://<redacted>@host/b`).
pub fn hide_url_userinfo(message: &str) -> std::borrow::Cow<'_, str> {
    let spans = userinfo_spans(message);
    if spans.is_empty() {
        return std::borrow::Cow::Borrowed(message);
    }
    let mut out = String::with_capacity(message.len());
    let mut last = 0;
    for r in spans {
        out.push_str(&message[last..r.start]);
        out.push_str(REDACTED);
        last = r.end;
    }
    out.push_str(&message[last..]);
    std::borrow::Cow::Owned(out)
}

/// The user-info of every URL in `text` and its parts (`AK:SK`, `AK`, `SK`), percent-decoded as
/// written: credentials to [`register`] (a server may echo the user or the password alone).
pub(crate) fn url_userinfo(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for r in userinfo_spans(text) {
        let info = &text[r];
        out.push(info.to_string());
        if let Some((user, password)) = info.split_once(':') {
            out.extend([user.to_string(), password.to_string()]);
        }
    }
    out
}

/// Keys whose values are credentials in Thanos objstore YAML (any provider).
pub(crate) const SECRET_KEYS: &[&str] = &[
    "access_key",
    "secret_key",
    "session_token",
    "storage_account_key",
    "storage_connection_string",
    "client_secret",
    "service_account",
    "kms_key_id",
    "encryption_key",
    "private_key",
];

/// Best-effort scan of raw YAML text for the values of [`SECRET_KEYS`] (`key: value` on one line,
/// quotes removed), used to scrub serde_yaml messages when the file could not be parsed at all.
pub(crate) fn secret_values_in_text(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start().trim_start_matches("- ");
        let Some((key, value)) = trimmed.split_once(':') else {
            continue;
        };
        let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
        if !SECRET_KEYS.contains(&key) {
            continue;
        }
        let value = value.trim().trim_end_matches(',');
        let value = value.trim_matches(|c| c == '"' || c == '\'');
        if !value.is_empty() && value != "|" && value != ">" {
            found.push(value.to_string());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_are_scrubbed_raw_and_percent_encoded() {
        register(["AKIAEXAMPLEKEY123".to_string(), "se/cr+et=tok".to_string(), "abc".to_string()]);
        let echoed = "<AWSAccessKeyId>AKIAEXAMPLEKEY123</AWSAccessKeyId> X-Amz-Security-Token=se%2Fcr%2Bet%3Dtok or se%2fcr%2bet%3dtok, raw se/cr+et=tok, abc";
        let s = scrub(echoed);
        assert!(
            !s.contains("AKIAEXAMPLE") && !s.contains("se%2F") && !s.contains("se%2f") && !s.contains("se/cr"),
            "{s}"
        );
        assert!(s.ends_with(", abc"), "short values are left alone: {s}");
    }

    #[test]
    fn url_user_info_is_hidden_and_registered() {
        let m = "error sending request for url (http://AKIDURL123:SKURL456@minio:9000/bucket/k): refused; see https://docs.example/x";
        let s = scrub(m);
        assert_eq!(
            s,
            "error sending request for url (http://<redacted>@minio:9000/bucket/k): refused; see https://docs.example/x"
        );
        assert_eq!(url_userinfo("s3+http://AK12:SK34@h/b"), vec!["AK12:SK34", "AK12", "SK34"]);
        assert_eq!(hide_url_userinfo("plain text, no url@all"), "plain text, no url@all");
    }

    #[test]
    fn secret_never_formats_its_value() {
        let s = Secret::new("hunter2-very-secret");
        assert_eq!(format!("{s:?}"), REDACTED);
        assert_eq!(format!("{s}"), REDACTED);
        assert_eq!(s.expose(), "hunter2-very-secret");
    }

    #[test]
    fn redact_replaces_longest_first_and_skips_tiny_values() {
        let msg = "key abcdefgh and abcd and ab";
        assert_eq!(redact(msg, &["abcd", "abcdefgh", "ab"]), "key <redacted> and <redacted> and ab");
    }

    #[test]
    fn scans_secret_values_from_yaml_lines() {
        let text = "config:\n  secret_key: \"s3cr3t-value\"\n  bucket: b\n  \"client_secret\": 'xyz123'\n";
        assert_eq!(secret_values_in_text(text), vec!["s3cr3t-value", "xyz123"]);
    }
}
