//! `type: GCS` — Thanos GCS config → `object_store::gcp::GoogleCloudStorage`.
//!
//! Follows thanos-io/objstore `providers/gcs/gcs.go` (`Config`): `bucket`, `service_account`
//! (the JSON key as a string; empty → Application Default Credentials), `max_retries`,
//! `http_config`; gRPC and upload-chunk options are accepted and ignored.

use std::sync::Arc;

use object_store::gcp::GoogleCloudStorageBuilder;
use object_store::{ObjectStore, RetryConfig};
use serde::{Deserialize, Deserializer};
use serde_yaml::Value;

use super::common::{Ctx, HttpOptions, RawHttp, retry_from_attempts};
use super::error::ConfigError;
use super::secret::{Secret, redact};

/// Raw `config:` block of `type: GCS`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a GCS config mapping")]
pub(crate) struct RawGcs {
    bucket: Option<String>,
    #[serde(default, deserialize_with = "de_service_account")]
    service_account: Option<Secret>,
    max_retries: Option<i64>,
    http_config: Option<RawHttp>,
    use_grpc: Option<Value>,
    grpc_conn_pool_size: Option<Value>,
    chunk_size_bytes: Option<Value>,
    no_auth: Option<Value>,
}

/// Accepts the key as a string (Thanos' form) or, leniently, as an inline YAML/JSON mapping,
/// which is re-encoded as JSON.
fn de_service_account<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(Secret::new(s))),
        Some(v @ Value::Mapping(_)) => serde_json::to_string(&v)
            .map(|s| Some(Secret::new(s)))
            .map_err(|_| serde::de::Error::custom("service_account mapping is not valid JSON")),
        Some(_) => Err(serde::de::Error::custom(
            "service_account must be the service-account JSON key as a string",
        )),
    }
}

/// Typed GCS settings. `Debug` shows no credential.
#[derive(Clone, Debug)]
pub struct GcsConfig {
    /// Bucket name.
    pub bucket: String,
    /// Service-account JSON key text; `None` → Application Default Credentials
    /// (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud's ADC file, then the GCE/GKE metadata server,
    /// which covers Workload Identity). The JSON may carry `gcs_base_url` and `disable_oauth: true`
    /// (object_store extensions, used against fake-gcs-server).
    pub service_account: Option<Secret>,
    /// Retry policy from `max_retries` (Thanos counts attempts; `None` = default).
    pub retry: Option<RetryConfig>,
    /// Client options from `http_config`.
    pub http: HttpOptions,
}

const P: &str = "GCS";

impl GcsConfig {
    /// Validates the raw block and records warnings for ignored fields.
    pub(crate) fn from_raw(raw: RawGcs, ctx: &mut Ctx<'_>) -> Result<Self, ConfigError> {
        let bucket = raw
            .bucket
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .ok_or_else(|| ctx.invalid(&["config"], "GCS config needs `bucket`"))?;
        let service_account = raw.service_account.filter(|s| !s.expose().trim().is_empty());
        if let Some(sa) = &service_account
            && serde_json::from_str::<serde_json::Value>(sa.expose()).is_err()
        {
            return Err(ctx.invalid(
                &["config", "service_account"],
                "GCS service_account is not valid JSON; paste the whole service-account key file \
                 (use a YAML block scalar `service_account: |`)",
            ));
        }
        ctx.ignored(P, "use_grpc", &raw.use_grpc, "object_store uses the JSON/XML HTTP API");
        ctx.ignored(
            P,
            "grpc_conn_pool_size",
            &raw.grpc_conn_pool_size,
            "object_store uses the JSON/XML HTTP API",
        );
        ctx.ignored(P, "chunk_size_bytes", &raw.chunk_size_bytes, "it only affects uploads");
        ctx.ignored(
            P,
            "no_auth",
            &raw.no_auth,
            "use `disable_oauth` in the service_account JSON for emulators",
        );
        let retry = retry_from_attempts(raw.max_retries).map_err(|m| ctx.invalid(&["config", "max_retries"], format!("GCS {m}")))?;
        let http = HttpOptions::from_raw(raw.http_config, P, ctx);
        Ok(GcsConfig {
            bucket,
            service_account,
            retry,
            http,
        })
    }

    /// `gcs_base_url` from the service-account JSON, if any (emulators).
    fn base_url(&self) -> Option<String> {
        let sa = self.service_account.as_ref()?;
        let v: serde_json::Value = serde_json::from_str(sa.expose()).ok()?;
        v.get("gcs_base_url")?.as_str().map(|s| s.trim_end_matches('/').to_string())
    }

    /// Every credential value (the whole JSON and its private key), for scrubbing messages.
    pub(crate) fn secrets(&self) -> Vec<String> {
        let Some(sa) = &self.service_account else {
            return Vec::new();
        };
        let mut v = vec![sa.expose().to_string()];
        if let Ok(json) = serde_json::from_str::<serde_json::Value>(sa.expose()) {
            for key in ["private_key", "private_key_id", "refresh_token", "client_secret"] {
                if let Some(s) = json.get(key).and_then(|x| x.as_str()) {
                    v.push(s.to_string());
                }
            }
        }
        v
    }

    /// Secret-free identity: `gs://bucket`, or `gs+<base url>/bucket` for an emulator.
    pub(crate) fn identity(&self) -> String {
        match self.base_url() {
            None => format!("gs://{}", self.bucket),
            Some(url) => format!("gs+{url}/{}", self.bucket),
        }
    }

    /// Builds the client; errors are scrubbed of the key.
    pub(crate) fn build(&self, file: &str) -> Result<(Arc<dyn ObjectStore>, String), ConfigError> {
        let secrets = self.secrets();
        let fail = |message: String| {
            let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
            ConfigError::Build {
                file: file.to_string(),
                backend: P,
                message: redact(&message, &refs),
            }
        };
        let base_url = self.base_url();
        let allow_http = base_url.as_deref().is_some_and(|u| u.starts_with("http://"));
        let mut b = match &self.service_account {
            // An explicit key must not meet GOOGLE_SERVICE_ACCOUNT* from the environment
            // (object_store refuses a path and a key together).
            Some(sa) => GoogleCloudStorageBuilder::new().with_service_account_key(sa.expose()),
            None => GoogleCloudStorageBuilder::from_env(),
        }
        .with_bucket_name(&self.bucket);
        if let Some(r) = &self.retry {
            b = b.with_retry(r.clone());
        }
        b = b.with_client_options(self.http.client_options(allow_http).map_err(|e| fail(e.to_string()))?);
        let store = b.build().map_err(|e| fail(e.to_string()))?;
        let how = if self.service_account.is_some() {
            "service-account key"
        } else {
            "application default credentials"
        };
        let at = base_url.map(|u| format!(" at {u}")).unwrap_or_default();
        let store = super::paged_list::PagedList::new(store);
        Ok((Arc::new(store), format!("GCS bucket {}{at} ({how})", self.bucket)))
    }
}
