//! `type: AZURE` — Thanos Azure config → `object_store::azure::MicrosoftAzure`.
//!
//! Follows thanos-io/objstore `providers/azure/azure.go` (`Config`, `validate`, the `max_retries`
//! → `pipeline_config.max_tries` rule) and `providers/azure/helpers.go` (endpoint URL
//! `https://{account}.{endpoint}`, credential order: connection string, account key, client
//! secret, user-assigned managed identity, default chain).

use std::sync::Arc;
use std::time::Duration;

use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::{ObjectStore, RetryConfig};
use serde::Deserialize;
use serde_yaml::Value;

use super::common::{Ctx, HttpOptions, RawHttp, de_duration, retry_from_attempts};
use super::error::ConfigError;
use super::secret::{Secret, redact};

/// Raw `config:` block of `type: AZURE`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "an AZURE config mapping")]
pub(crate) struct RawAzure {
    storage_account: Option<String>,
    storage_account_key: Option<Secret>,
    storage_connection_string: Option<Secret>,
    container: Option<String>,
    endpoint: Option<String>,
    az_tenant_id: Option<String>,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    user_assigned_id: Option<String>,
    max_retries: Option<i64>,
    pipeline_config: Option<RawPipeline>,
    http_config: Option<RawHttp>,
    reader_config: Option<Value>,
    storage_create_container: Option<Value>,
    msi_resource: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "a pipeline_config mapping")]
struct RawPipeline {
    max_tries: Option<i64>,
    #[serde(default, deserialize_with = "de_duration")]
    try_timeout: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    retry_delay: Option<Duration>,
    #[serde(default, deserialize_with = "de_duration")]
    max_retry_delay: Option<Duration>,
}

/// Where Azure credentials come from.
#[derive(Clone, Debug)]
pub enum AzureCredentials {
    /// Shared key (`storage_account_key`, or `AccountKey` of a connection string).
    AccessKey(Secret),
    /// SAS token (`SharedAccessSignature` of a connection string).
    Sas(Secret),
    /// Service principal (`az_tenant_id` + `client_id` + `client_secret`).
    ClientSecret {
        /// Entra ID tenant.
        tenant_id: String,
        /// Application (client) id.
        client_id: String,
        /// Client secret.
        client_secret: Secret,
    },
    /// `user_assigned_id`: that identity via workload identity when `AZURE_TENANT_ID` and
    /// `AZURE_FEDERATED_TOKEN_FILE` are set (AKS), else via the managed-identity endpoint.
    UserAssigned {
        /// Client id of the user-assigned identity.
        client_id: String,
    },
    /// Nothing in the YAML: object_store's chain over `AZURE_*` variables (account key, workload
    /// identity, client secret, SAS, then managed identity).
    Environment,
}

/// Typed Azure settings. `Debug` shows no credential.
#[derive(Clone, Debug)]
pub struct AzureConfig {
    /// Storage account name.
    pub storage_account: String,
    /// Container name.
    pub container: String,
    /// Account URL (`https://{account}.{suffix}`, or a full URL such as Azurite's
    /// `http://127.0.0.1:10000/devstoreaccount1`); `None` = `https://{account}.blob.core.windows.net`.
    pub account_url: Option<String>,
    /// Credential source.
    pub credentials: AzureCredentials,
    /// Retry policy from `max_retries` / `pipeline_config` (`None` = object_store default).
    pub retry: Option<RetryConfig>,
    /// Per-request timeout from `pipeline_config.try_timeout`.
    pub try_timeout: Option<Duration>,
    /// Client options from `http_config`.
    pub http: HttpOptions,
}

const P: &str = "AZURE";
const DEFAULT_SUFFIX: &str = "blob.core.windows.net";

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Fields of an Azure Storage connection string that matter for blob access.
#[derive(Default)]
struct ConnString {
    account: Option<String>,
    key: Option<String>,
    sas: Option<String>,
    blob_endpoint: Option<String>,
}

/// Parses `Key=Value;…` (keys case-insensitive). `UseDevelopmentStorage=true` means Azurite's
/// well-known account at `http://127.0.0.1:10000/devstoreaccount1`.
fn parse_connection_string(s: &str) -> ConnString {
    let mut c = ConnString::default();
    let (mut protocol, mut suffix, mut dev) = ("https".to_string(), DEFAULT_SUFFIX.to_string(), false);
    for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        match k.trim().to_ascii_lowercase().as_str() {
            "accountname" => c.account = Some(v.to_string()),
            "accountkey" => c.key = Some(v.to_string()),
            "sharedaccesssignature" => c.sas = Some(v.trim_start_matches('?').to_string()),
            "blobendpoint" => c.blob_endpoint = Some(v.trim_end_matches('/').to_string()),
            "defaultendpointsprotocol" => protocol = v.to_string(),
            "endpointsuffix" => suffix = format!("blob.{v}"),
            "usedevelopmentstorage" => dev = v.eq_ignore_ascii_case("true"),
            _ => {}
        }
    }
    if dev {
        c.account.get_or_insert_with(|| "devstoreaccount1".into());
        c.key
            .get_or_insert_with(|| "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==".into());
        c.blob_endpoint
            .get_or_insert_with(|| "http://127.0.0.1:10000/devstoreaccount1".into());
    }
    if c.blob_endpoint.is_none()
        && let Some(a) = &c.account
    {
        c.blob_endpoint = Some(format!("{protocol}://{a}.{suffix}"));
    }
    c
}

impl AzureConfig {
    /// Validates the raw block with Thanos' `validate` rules and records warnings.
    pub(crate) fn from_raw(raw: RawAzure, ctx: &mut Ctx<'_>) -> Result<Self, ConfigError> {
        let key = raw.storage_account_key.filter(|s| !s.is_empty());
        let conn = raw.storage_connection_string.filter(|s| !s.is_empty());
        let tenant = nonempty(raw.az_tenant_id);
        let client_id = nonempty(raw.client_id);
        let client_secret = raw.client_secret.filter(|s| !s.is_empty());
        let user_assigned = nonempty(raw.user_assigned_id);
        let at = |k: &'static str| ["config", k];

        if user_assigned.is_some() && (key.is_some() || conn.is_some() || client_id.is_some()) {
            return Err(ctx.invalid(
                &at("user_assigned_id"),
                "AZURE user_assigned_id cannot be combined with storage_account_key, \
                 storage_connection_string or client_id",
            ));
        }
        if key.is_some() && conn.is_some() {
            return Err(ctx.invalid(
                &at("storage_account_key"),
                "AZURE storage_account_key and storage_connection_string cannot both be set",
            ));
        }
        let sp_parts = [tenant.is_some(), client_id.is_some(), client_secret.is_some()];
        if sp_parts.iter().any(|x| *x) && !sp_parts.iter().all(|x| *x) {
            let missing: Vec<&str> = ["az_tenant_id", "client_id", "client_secret"]
                .iter()
                .zip(sp_parts)
                .filter(|(_, present)| !present)
                .map(|(name, _)| *name)
                .collect();
            let first_present = ["az_tenant_id", "client_id", "client_secret"]
                .iter()
                .zip(sp_parts)
                .find(|(_, p)| *p)
                .map(|(n, _)| *n)
                .unwrap_or("client_id");
            return Err(ctx.invalid(
                &at(first_present),
                format!(
                    "AZURE az_tenant_id, client_id and client_secret must be set together; missing {}",
                    missing.join(", ")
                ),
            ));
        }

        let parsed = conn.as_ref().map(|c| parse_connection_string(c.expose()));
        let storage_account = nonempty(raw.storage_account)
            .or_else(|| parsed.as_ref().and_then(|p| p.account.clone()))
            .ok_or_else(|| ctx.invalid(&["config"], "AZURE config needs `storage_account`"))?;
        let container = nonempty(raw.container).ok_or_else(|| ctx.invalid(&["config"], "AZURE config needs `container`"))?;

        let endpoint = nonempty(raw.endpoint).map(|e| e.trim_end_matches('/').to_string());
        if let Some(e) = endpoint.as_deref().filter(|e| !e.contains("://") && is_host_address(e)) {
            return Err(ctx.invalid(
                &["config", "endpoint"],
                format!(
                    "AZURE `endpoint` {e:?} is an address, but Thanos joins the endpoint to the account as \
                     <storage_account>.<endpoint> (a domain suffix such as blob.core.windows.net); for Azurite \
                     or another emulator give the whole URL, e.g. http://{e}/{storage_account}"
                ),
            ));
        }
        let account_url = match (endpoint, parsed.as_ref().and_then(|p| p.blob_endpoint.clone())) {
            (Some(e), _) if e.contains("://") => Some(e),
            (Some(e), _) if e == DEFAULT_SUFFIX => None,
            (Some(e), _) => Some(format!("https://{storage_account}.{e}")),
            (None, from_conn) => from_conn,
        };

        let credentials = if let Some(k) = key {
            AzureCredentials::AccessKey(k)
        } else if let Some(p) = parsed {
            match (p.key, p.sas) {
                (Some(k), _) => AzureCredentials::AccessKey(Secret::new(k)),
                (None, Some(s)) => AzureCredentials::Sas(Secret::new(s)),
                (None, None) => {
                    return Err(ctx.invalid(
                        &at("storage_connection_string"),
                        "AZURE storage_connection_string has neither AccountKey nor SharedAccessSignature",
                    ));
                }
            }
        } else if let (Some(tenant_id), Some(client_id), Some(client_secret)) = (tenant, client_id, client_secret) {
            AzureCredentials::ClientSecret {
                tenant_id,
                client_id,
                client_secret,
            }
        } else if let Some(client_id) = user_assigned {
            AzureCredentials::UserAssigned { client_id }
        } else {
            AzureCredentials::Environment
        };

        let pipeline = raw.pipeline_config.unwrap_or_default();
        let attempts = raw.max_retries.filter(|n| *n != 0).or(pipeline.max_tries);
        let mut retry = retry_from_attempts(attempts).map_err(|m| ctx.invalid(&at("max_retries"), format!("AZURE {m}")))?;
        if pipeline.retry_delay.is_some() || pipeline.max_retry_delay.is_some() {
            let r = retry.get_or_insert_with(RetryConfig::default);
            if let Some(d) = pipeline.retry_delay {
                r.backoff.init_backoff = d;
            }
            if let Some(d) = pipeline.max_retry_delay {
                r.backoff.max_backoff = d;
            }
        }
        ctx.ignored(P, "reader_config", &raw.reader_config, "object_store retries whole requests");
        ctx.ignored(
            P,
            "storage_create_container",
            &raw.storage_create_container,
            "costscope never creates containers",
        );
        ctx.ignored(
            P,
            "msi_resource",
            &raw.msi_resource,
            "deprecated in Thanos; the resource is implied",
        );
        let http = HttpOptions::from_raw(raw.http_config, P, ctx);
        Ok(AzureConfig {
            storage_account,
            container,
            account_url,
            credentials,
            retry,
            try_timeout: pipeline.try_timeout,
            http,
        })
    }

    /// Every credential value, for scrubbing messages.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        match &self.credentials {
            AzureCredentials::AccessKey(s) | AzureCredentials::Sas(s) => vec![s.expose()],
            AzureCredentials::ClientSecret { client_secret, .. } => vec![client_secret.expose()],
            _ => Vec::new(),
        }
    }

    /// Secret-free identity: `azure://account/container`, or `azure+<account url>/container`.
    pub(crate) fn identity(&self) -> String {
        match &self.account_url {
            None => format!("azure://{}/{}", self.storage_account, self.container),
            Some(u) => format!("azure+{u}/{}", self.container),
        }
    }

    /// Builds the client; errors are scrubbed of credentials.
    pub(crate) fn build(&self, file: &str) -> Result<(Arc<dyn ObjectStore>, String), ConfigError> {
        let fail = |message: String| ConfigError::Build {
            file: file.to_string(),
            backend: P,
            message: redact(&message, &self.secrets()),
        };
        let allow_http = self.account_url.as_deref().is_some_and(|u| u.starts_with("http://"));
        let mut b = match &self.credentials {
            AzureCredentials::AccessKey(k) => MicrosoftAzureBuilder::new().with_access_key(k.expose()),
            AzureCredentials::Sas(s) => MicrosoftAzureBuilder::new().with_config(AzureConfigKey::SasKey, s.expose()),
            AzureCredentials::ClientSecret {
                tenant_id,
                client_id,
                client_secret,
            } => MicrosoftAzureBuilder::new().with_client_secret_authorization(client_id, client_secret.expose(), tenant_id),
            AzureCredentials::UserAssigned { client_id } => MicrosoftAzureBuilder::from_env().with_client_id(client_id),
            AzureCredentials::Environment => MicrosoftAzureBuilder::from_env(),
        }
        .with_account(&self.storage_account)
        .with_container_name(&self.container)
        .with_allow_http(allow_http);
        if let Some(u) = &self.account_url {
            b = b.with_endpoint(u.clone());
        }
        if let Some(r) = &self.retry {
            b = b.with_retry(r.clone());
        }
        let mut opts = self.http.client_options(allow_http).map_err(|e| fail(e.to_string()))?;
        if let Some(t) = self.try_timeout {
            opts = opts.with_timeout(t);
        }
        let store = b.with_client_options(opts).build().map_err(|e| fail(e.to_string()))?;
        let at = self
            .account_url
            .clone()
            .unwrap_or_else(|| format!("https://{}.{DEFAULT_SUFFIX}", self.storage_account));
        let how = match self.credentials {
            AzureCredentials::AccessKey(_) => "account key",
            AzureCredentials::Sas(_) => "SAS token",
            AzureCredentials::ClientSecret { .. } => "client secret",
            AzureCredentials::UserAssigned { .. } => "user-assigned identity",
            AzureCredentials::Environment => "environment credentials",
        };
        Ok((Arc::new(store), format!("Azure container {} at {at} ({how})", self.container)))
    }
}

/// True for `10.0.0.1`, `10.0.0.1:10000`, `[::1]:10000`, `localhost:10000`: a host, not a domain
/// suffix.
fn is_host_address(e: &str) -> bool {
    let host = match e.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !h.is_empty() => h,
        _ => e,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok() || e.parse::<std::net::IpAddr>().is_ok()
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_address_endpoint_asks_for_a_url() {
        assert!(is_host_address("10.0.0.1:10000") && is_host_address("localhost:10000") && is_host_address("[::1]:10000"));
        assert!(!is_host_address("blob.core.windows.net") && !is_host_address("blob.core.chinacloudapi.cn"));
    }
    use super::*;

    #[test]
    fn connection_strings() {
        let c =
            parse_connection_string("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.chinacloudapi.cn");
        assert_eq!(c.account.as_deref(), Some("acct"));
        assert_eq!(c.key.as_deref(), Some("a2V5"));
        assert_eq!(c.blob_endpoint.as_deref(), Some("https://acct.blob.core.chinacloudapi.cn"));
        let d = parse_connection_string("UseDevelopmentStorage=true");
        assert_eq!(d.blob_endpoint.as_deref(), Some("http://127.0.0.1:10000/devstoreaccount1"));
        let s = parse_connection_string("BlobEndpoint=https://x.example/;SharedAccessSignature=?sv=1&sig=abc");
        assert_eq!(s.sas.as_deref(), Some("sv=1&sig=abc"));
        assert_eq!(s.blob_endpoint.as_deref(), Some("https://x.example"));
    }
}
