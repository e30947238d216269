//! Pieces shared by the provider parsers: the parse context (file name, warnings, key lines),
//! Thanos durations, the `http_config` block and the `max_retries` mapping.
//!
//! Follows thanos-io/objstore `exthttp/transport.go` (`HTTPConfig`, `DefaultHTTPConfig`) and
//! `exthttp/tlsconfig.go` (`TLSConfig`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use object_store::{Certificate, ClientOptions, RetryConfig};
use serde::{Deserialize, Deserializer};
use serde_yaml::Value;

use super::error::ConfigError;

/// State carried through one parse: where the text came from, the text (to locate keys) and the
/// warnings collected so far.
pub(crate) struct Ctx<'a> {
    /// File name for messages, as the caller gave it.
    pub file: String,
    /// The YAML text, used only to find the line of a key for semantic errors.
    pub text: &'a str,
    /// Directory that relative paths (FILESYSTEM `directory`, `ca_file`, SSE-C key) resolve against.
    pub base_dir: PathBuf,
    /// One-line warnings about ignored or approximated fields.
    pub warnings: Vec<String>,
}

impl Ctx<'_> {
    /// An [`ConfigError::Invalid`] pointing at the line of `key_path` (e.g. `["config", "bucket"]`)
    /// when it can be found in the text.
    pub fn invalid(&self, key_path: &[&str], message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.clone(),
            line: find_key_line(self.text, key_path),
            message: message.into(),
        }
    }

    /// Records a one-line warning and logs it with `tracing::warn!`.
    pub fn warn(&mut self, message: String) {
        tracing::warn!(file = %self.file, "{message}");
        self.warnings.push(message);
    }

    /// Warns that `field` is accepted for Thanos compatibility but has no effect here, when the
    /// YAML sets it to something other than an empty/false/zero value.
    pub fn ignored(&mut self, provider: &str, field: &str, value: &Option<Value>, why: &str) {
        if value.as_ref().is_some_and(is_set) {
            self.warn(format!("{provider} config field `{field}` is ignored: {why}"));
        }
    }

    /// Resolves `p` against [`Ctx::base_dir`] unless it is absolute (a leading `~/` means `$HOME`),
    /// dropping `.` components.
    pub fn resolve_path(&self, p: &str) -> PathBuf {
        if let Some(rest) = p.strip_prefix("~/")
            && let Some(home) = std::env::var_os("HOME")
        {
            return PathBuf::from(home).join(rest);
        }
        let path = Path::new(p);
        let joined = if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base_dir.join(path)
        };
        // Drop `.` components so that `./bucket` and `bucket` give the same identity.
        joined.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect()
    }
}

/// True when a YAML value carries information: not null, `false`, `0`, `""`, or an empty (or
/// all-empty) mapping/sequence. `trace: {enable: false}` and `put_user_metadata: {}` are "unset".
pub(crate) fn is_set(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Sequence(s) => s.iter().any(is_set),
        Value::Mapping(m) => m.values().any(is_set),
        Value::Tagged(t) => is_set(&t.value),
    }
}

/// 1-based line of the mapping key at `path` (each component must appear, in order, more deeply
/// indented than the previous one). A heuristic over the raw text; `None` when not found.
pub(crate) fn find_key_line(text: &str, path: &[&str]) -> Option<usize> {
    let mut start = 0usize;
    let mut min_indent: Option<usize> = None;
    let mut found = None;
    let lines: Vec<&str> = text.lines().collect();
    for comp in path {
        let mut hit = None;
        for (i, line) in lines.iter().enumerate().skip(start) {
            let indent = line.len() - line.trim_start().len();
            let body = line.trim_start();
            if body.starts_with('#') || body.is_empty() {
                continue;
            }
            if min_indent.is_some_and(|m| indent <= m) {
                break; // left the parent mapping
            }
            let key = body.split(':').next().unwrap_or("").trim().trim_matches(['"', '\'']);
            if body.contains(':') && key == *comp {
                hit = Some((i, indent));
                break;
            }
        }
        let (i, indent) = hit?;
        found = Some(i + 1);
        start = i + 1;
        min_indent = Some(indent);
    }
    found
}

/// Parses a Thanos (Prometheus `model.Duration`) duration such as `90s`, `2m`, `1h30m`, `500ms`
/// or `0`. Zero means "no limit / default" in Thanos, so it yields `None`.
pub(crate) fn parse_duration(s: &str) -> Result<Option<Duration>, DurationError> {
    let s = s.trim();
    if s.is_empty() || s == "0" {
        return Ok(None);
    }
    match humantime::parse_duration(s) {
        Ok(d) if d.is_zero() => Ok(None),
        Ok(d) => Ok(Some(d)),
        Err(source) => Err(DurationError {
            text: s.to_string(),
            source,
        }),
    }
}

/// A duration [`parse_duration`] does not read.
#[derive(Debug, thiserror::Error)]
#[error("invalid duration `{text}` ({source}); use forms like 90s, 2m, 1h30m")]
pub(crate) struct DurationError {
    /// The text given.
    text: String,
    /// humantime's reason.
    #[source]
    source: humantime::DurationError,
}

/// Why `http_config.tls_config.ca_file` was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CaFileError {
    /// The file could not be read.
    #[error("http_config.tls_config.ca_file {}: {source}", path.display())]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// Not a PEM bundle.
    #[error("http_config.tls_config.ca_file {}: not a PEM bundle: {source}", path.display())]
    NotPem {
        /// The file.
        path: std::path::PathBuf,
        /// object_store's error.
        #[source]
        source: object_store::Error,
    },
    /// A PEM file without a certificate.
    #[error("http_config.tls_config.ca_file {}: no certificate in the file", path.display())]
    Empty {
        /// The file.
        path: std::path::PathBuf,
    },
}

/// A negative `max_retries`.
#[derive(Debug, thiserror::Error)]
#[error("max_retries must be 0 or more, found {0}")]
pub(crate) struct NegativeRetries(i64);

/// serde adapter for optional Thanos durations; errors carry serde_yaml's line and column.
pub(crate) fn de_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) => parse_duration(&s).map_err(serde::de::Error::custom),
    }
}

/// Thanos `http_config`, as found under S3, GCS and AZURE configs.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "an http_config mapping")]
pub(crate) struct RawHttp {
    #[serde(default, deserialize_with = "de_duration")]
    idle_conn_timeout: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    response_header_timeout: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    tls_handshake_timeout: Option<Duration>,
    insecure_skip_verify: Option<bool>,
    max_idle_conns_per_host: Option<usize>,
    tls_config: Option<RawTls>,
    expect_continue_timeout: Option<Value>,
    max_idle_conns: Option<Value>,
    max_conns_per_host: Option<Value>,
    disable_compression: Option<Value>,
}

/// Thanos `http_config.tls_config`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a tls_config mapping")]
struct RawTls {
    ca_file: Option<String>,
    cert_file: Option<Value>,
    key_file: Option<Value>,
    server_name: Option<Value>,
    insecure_skip_verify: Option<bool>,
}

/// The parts of Thanos' `http_config` that object_store's `ClientOptions` can express.
///
/// Mapping: `idle_conn_timeout` → `with_pool_idle_timeout`; `response_header_timeout` →
/// `with_read_timeout` (closest: reqwest has no header-only timeout); `tls_handshake_timeout` →
/// `with_connect_timeout`; `max_idle_conns_per_host` → `with_pool_max_idle_per_host`;
/// `insecure_skip_verify` (either level) → `with_allow_invalid_certificates`; `tls_config.ca_file`
/// → `with_root_certificate`. Unset fields keep object_store's defaults (30 s per request, 5 s
/// connect).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HttpOptions {
    /// How long an idle pooled connection is kept.
    pub idle_conn_timeout: Option<Duration>,
    /// Maximum wait between reads of one response (approximates Go's response-header timeout).
    pub response_header_timeout: Option<Duration>,
    /// Maximum time to establish a connection, TLS included.
    pub tls_handshake_timeout: Option<Duration>,
    /// Accept any server certificate (testing only).
    pub insecure_skip_verify: bool,
    /// Idle connections kept per host; `None` keeps the default.
    pub max_idle_conns_per_host: Option<usize>,
    /// Extra PEM CA bundle to trust, absolute (resolved against the YAML's directory).
    pub ca_file: Option<PathBuf>,
}

impl HttpOptions {
    /// Converts the raw block, warning about fields object_store has no equivalent for.
    pub(crate) fn from_raw(raw: Option<RawHttp>, provider: &str, ctx: &mut Ctx<'_>) -> Self {
        let Some(raw) = raw else {
            return Self::default();
        };
        let none = "object_store's HTTP client has no equivalent";
        ctx.ignored(provider, "http_config.expect_continue_timeout", &raw.expect_continue_timeout, none);
        ctx.ignored(provider, "http_config.max_idle_conns", &raw.max_idle_conns, none);
        ctx.ignored(provider, "http_config.max_conns_per_host", &raw.max_conns_per_host, none);
        ctx.ignored(provider, "http_config.disable_compression", &raw.disable_compression, none);
        let tls = raw.tls_config.unwrap_or_default();
        let mtls = "client certificates (mTLS) are not supported; requests are sent without one";
        ctx.ignored(provider, "http_config.tls_config.cert_file", &tls.cert_file, mtls);
        ctx.ignored(provider, "http_config.tls_config.key_file", &tls.key_file, mtls);
        ctx.ignored(provider, "http_config.tls_config.server_name", &tls.server_name, none);
        HttpOptions {
            idle_conn_timeout: raw.idle_conn_timeout,
            response_header_timeout: raw.response_header_timeout,
            tls_handshake_timeout: raw.tls_handshake_timeout,
            insecure_skip_verify: raw.insecure_skip_verify.unwrap_or(false) || tls.insecure_skip_verify.unwrap_or(false),
            max_idle_conns_per_host: raw.max_idle_conns_per_host.filter(|n| *n > 0),
            ca_file: tls.ca_file.filter(|s| !s.is_empty()).map(|p| ctx.resolve_path(&p)),
        }
    }

    /// Builds object_store `ClientOptions`; `allow_http` permits plain-HTTP endpoints.
    /// Errors ([`CaFileError`]) when `ca_file` cannot be read or holds no PEM certificate.
    pub(crate) fn client_options(&self, allow_http: bool) -> Result<ClientOptions, CaFileError> {
        let mut o = ClientOptions::new().with_allow_http(allow_http);
        if let Some(d) = self.idle_conn_timeout {
            o = o.with_pool_idle_timeout(d);
        }
        if let Some(d) = self.response_header_timeout {
            o = o.with_read_timeout(d);
        }
        if let Some(d) = self.tls_handshake_timeout {
            o = o.with_connect_timeout(d);
        }
        if let Some(n) = self.max_idle_conns_per_host {
            o = o.with_pool_max_idle_per_host(n);
        }
        if self.insecure_skip_verify {
            o = o.with_allow_invalid_certificates(true);
        }
        if let Some(path) = &self.ca_file {
            let pem = std::fs::read(path).map_err(|source| CaFileError::Read {
                path: path.clone(),
                source,
            })?;
            let certs = Certificate::from_pem_bundle(&pem).map_err(|source| CaFileError::NotPem {
                path: path.clone(),
                source,
            })?;
            if certs.is_empty() {
                return Err(CaFileError::Empty { path: path.clone() });
            }
            for c in certs {
                o = o.with_root_certificate(c);
            }
        }
        Ok(o)
    }
}

/// How long one request is retried before costscope gives up, by default: 60 s (object_store's
/// own default is 3 minutes, which left a hung endpoint looking like a hung costscope).
pub const DEFAULT_RETRY_TIMEOUT: Duration = Duration::from_secs(60);

/// Environment variable overriding [`DEFAULT_RETRY_TIMEOUT`], in seconds (Thanos' objstore YAML
/// has no such field, and Kubecost reads the same file, so it is not added there).
pub const RETRY_TIMEOUT_ENV: &str = "COSTSCOPE_STORE_TIMEOUT";

/// The retry deadline: `$COSTSCOPE_STORE_TIMEOUT` seconds when set to a number, else
/// [`DEFAULT_RETRY_TIMEOUT`].
pub fn retry_timeout() -> Duration {
    std::env::var(RETRY_TIMEOUT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(DEFAULT_RETRY_TIMEOUT, Duration::from_secs_f64)
}

/// Maps Thanos `max_retries` (which, for S3/minio, GCS and Azure, counts *attempts*; 0 = client
/// default) to object_store's `RetryConfig::max_retries` (which counts *retries*; default 10),
/// with the [`retry_timeout`] deadline. Errors on a negative value.
pub(crate) fn retry_from_attempts(attempts: Option<i64>) -> Result<Option<RetryConfig>, NegativeRetries> {
    let base = RetryConfig {
        retry_timeout: retry_timeout(),
        ..RetryConfig::default()
    };
    match attempts {
        None | Some(0) => Ok(Some(base)),
        Some(n) if n < 0 => Err(NegativeRetries(n)),
        Some(n) => Ok(Some(RetryConfig {
            max_retries: usize::try_from(n - 1).unwrap_or(usize::MAX),
            ..base
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_follow_thanos_forms() {
        assert_eq!(parse_duration("90s").unwrap(), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("2m").unwrap(), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h30m").unwrap(), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms").unwrap(), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("0").unwrap(), None);
        assert!(parse_duration("9 bananas").is_err());
    }

    #[test]
    fn key_lines_follow_nesting() {
        let text = "type: S3\nconfig:\n  bucket: b\n  sse_config:\n    type: SSE-C\nprefix: x\n";
        assert_eq!(find_key_line(text, &["type"]), Some(1));
        assert_eq!(find_key_line(text, &["config", "sse_config", "type"]), Some(5));
        assert_eq!(find_key_line(text, &["config", "bucket"]), Some(3));
        assert_eq!(find_key_line(text, &["config", "prefix"]), None);
    }

    #[test]
    fn retries_count_attempts() {
        let default = retry_from_attempts(Some(0)).unwrap().unwrap();
        assert_eq!(default.max_retries, RetryConfig::default().max_retries);
        assert!(default.retry_timeout <= DEFAULT_RETRY_TIMEOUT);
        assert_eq!(retry_from_attempts(Some(1)).unwrap().unwrap().max_retries, 0);
        assert_eq!(retry_from_attempts(Some(5)).unwrap().unwrap().max_retries, 4);
        assert!(retry_from_attempts(Some(-1)).is_err());
    }

    #[test]
    fn emptiness_rules() {
        let v: Value = serde_yaml::from_str("{enable: false}").unwrap();
        assert!(!is_set(&v));
        let v: Value = serde_yaml::from_str("{X-Amz-Acl: bucket-owner-full-control}").unwrap();
        assert!(is_set(&v));
        assert!(is_set(&Value::from(134217728)));
        assert!(!is_set(&Value::Null));
    }
}
