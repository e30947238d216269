//! `type: S3` — Thanos S3 config → `object_store::aws::AmazonS3`.
//!
//! Follows thanos-io/objstore `providers/s3/s3.go` (`Config`, `SSEConfig`, `validate`) for field
//! names and validation (Thanos `pkg/objstore/s3`), mapped onto object_store's `AmazonS3Builder`.

use std::fmt;
use std::path::PathBuf;

use object_store::RetryConfig;
use serde::Deserialize;
use serde_yaml::Value;

use super::common::{Ctx, HttpOptions, RawHttp, retry_from_attempts};
use super::error::ConfigError;
use super::secret::Secret;

/// Raw `config:` block of `type: S3`, every Thanos key accepted (unknown keys are YAML errors).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "an S3 config mapping")]
pub(crate) struct RawS3 {
    bucket: Option<String>,
    endpoint: Option<String>,
    region: Option<String>,
    insecure: Option<bool>,
    signature_version2: Option<bool>,
    access_key: Option<Secret>,
    secret_key: Option<Secret>,
    session_token: Option<Secret>,
    aws_sdk_auth: Option<bool>,
    sts_endpoint: Option<String>,
    bucket_lookup_type: Option<String>,
    sse_config: Option<RawSse>,
    max_retries: Option<i64>,
    http_config: Option<RawHttp>,
    put_user_metadata: Option<Value>,
    trace: Option<Value>,
    list_objects_version: Option<Value>,
    send_content_md5: Option<Value>,
    disable_multipart: Option<Value>,
    part_size: Option<Value>,
    disable_dualstack: Option<Value>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, expecting = "an sse_config mapping")]
struct RawSse {
    #[serde(rename = "type")]
    kind: Option<String>,
    kms_key_id: Option<Secret>,
    kms_encryption_context: Option<Value>,
    encryption_key: Option<String>,
}

/// Where S3 credentials come from.
#[derive(Clone, Debug)]
pub enum S3Credentials {
    /// `access_key` + `secret_key` (+ optional `session_token`) from the YAML; the environment's
    /// `AWS_SESSION_TOKEN` is not mixed in.
    Static {
        /// Access key id (redacted in Debug as well).
        access_key: Secret,
        /// Secret access key.
        secret_key: Secret,
        /// Temporary-credential session token.
        session_token: Option<Secret>,
    },
    /// No keys in the YAML: object_store's chain over the environment — `AWS_ACCESS_KEY_ID`/
    /// `AWS_SECRET_ACCESS_KEY`, web identity (IRSA: `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`),
    /// ECS task role, EKS Pod Identity, then EC2 instance metadata. `~/.aws/credentials` profiles
    /// are not read (object_store has no profile support).
    Environment,
}

/// Server-side encryption (`sse_config`). Only SSE-C changes reads (the key is sent on GET); SSE-S3
/// and SSE-KMS only affect objects costscope writes.
#[derive(Clone)]
pub enum S3Sse {
    /// `SSE-S3`: S3-managed keys (`x-amz-server-side-encryption: AES256`).
    S3,
    /// `SSE-KMS` with `kms_key_id` (an ARN or key id).
    Kms {
        /// KMS key id or ARN.
        key_id: Secret,
    },
    /// `SSE-C`: customer key read from the file `encryption_key` (exactly 32 raw bytes, as Thanos
    /// and minio require), path resolved against the YAML's directory.
    CustomerKey {
        /// Path of the 32-byte key file.
        key_file: PathBuf,
    },
}

impl fmt::Debug for S3Sse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            S3Sse::S3 => f.write_str("SSE-S3"),
            S3Sse::Kms { .. } => f.write_str("SSE-KMS { key_id: <redacted> }"),
            S3Sse::CustomerKey { .. } => f.write_str("SSE-C { key_file: <redacted> }"),
        }
    }
}

/// Typed S3 settings after validation. `Debug` shows no credential.
#[derive(Clone, Debug)]
pub struct S3Config {
    /// Bucket name.
    pub bucket: String,
    /// Endpoint URL with scheme (`http://127.0.0.1:5000`), or `None` for AWS' own regional
    /// endpoint (`s3.amazonaws.com` and `s3.<region>.amazonaws.com` in the YAML map to `None`).
    pub endpoint: Option<String>,
    /// Signing region: the YAML's, else the one in an AWS endpoint, else (AWS only)
    /// `AWS_REGION`/`AWS_DEFAULT_REGION`, else `us-east-1`.
    pub region: String,
    /// Virtual-hosted-style requests (`bucket_lookup_type: virtual-hosted`; `auto` on AWS hosts).
    pub virtual_hosted_style: bool,
    /// Plain HTTP allowed (`insecure: true`).
    pub allow_http: bool,
    /// Credential source.
    pub credentials: S3Credentials,
    /// STS endpoint URL for web-identity token exchange (`sts_endpoint`).
    pub sts_endpoint: Option<String>,
    /// Server-side encryption.
    pub sse: Option<S3Sse>,
    /// Retry policy from `max_retries` (`None` = object_store default).
    pub retry: Option<RetryConfig>,
    /// Client options from `http_config`.
    pub http: HttpOptions,
}

pub(crate) const P: &str = "S3";

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn nonempty_secret(s: Option<Secret>) -> Option<Secret> {
    s.filter(|s| !s.expose().trim().is_empty())
}

/// For a standard AWS S3 host: `Some(None)` for the global `s3.amazonaws.com`, `Some(Some(region))`
/// for `s3.<r>.amazonaws.com`, `s3-<r>.amazonaws.com` and `s3.dualstack.<r>.amazonaws.com`;
/// `None` for every other host (MinIO, FIPS, VPC endpoints, …).
fn aws_standard_host(host: &str) -> Option<Option<String>> {
    let host = host.to_ascii_lowercase();
    let mid = host.strip_suffix(".amazonaws.com")?;
    if mid == "s3" {
        return Some(None);
    }
    let region = mid
        .strip_prefix("s3.dualstack.")
        .or_else(|| mid.strip_prefix("s3."))
        .or_else(|| mid.strip_prefix("s3-"))?;
    (!region.is_empty() && !region.contains('.')).then(|| Some(region.to_string()))
}

fn env_region() -> Option<String> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

impl S3Config {
    /// Validates the raw block (Thanos `validate` rules plus ours) and records warnings.
    pub(crate) fn from_raw(raw: RawS3, ctx: &mut Ctx<'_>) -> Result<Self, ConfigError> {
        if raw.signature_version2 == Some(true) {
            return Err(ctx.invalid(
                &["config", "signature_version2"],
                "S3 signature_version2: true is not supported: object_store signs with AWS \
                 Signature V4 only. Remove the key or set it to false (every current \
                 S3-compatible service accepts V4).",
            ));
        }
        let bucket = nonempty(raw.bucket).ok_or_else(|| ctx.invalid(&["config"], "S3 config needs `bucket`"))?;

        let why_write = "it only affects uploads, which object_store configures itself";
        ctx.ignored(P, "put_user_metadata", &raw.put_user_metadata, why_write);
        ctx.ignored(P, "part_size", &raw.part_size, why_write);
        ctx.ignored(P, "disable_multipart", &raw.disable_multipart, why_write);
        ctx.ignored(P, "send_content_md5", &raw.send_content_md5, why_write);
        ctx.ignored(
            P,
            "list_objects_version",
            &raw.list_objects_version,
            "object_store always lists with ListObjectsV2",
        );
        ctx.ignored(P, "trace", &raw.trace, "use costscope's own log (RUST_LOG) to trace requests");
        ctx.ignored(
            P,
            "disable_dualstack",
            &raw.disable_dualstack,
            "object_store never uses dual-stack endpoints",
        );

        let access = nonempty_secret(raw.access_key);
        let secret = nonempty_secret(raw.secret_key);
        let token = nonempty_secret(raw.session_token);
        let sdk_auth = raw.aws_sdk_auth == Some(true);
        let hint = "set both, or neither to use environment credentials (AWS_* variables, \
                    IRSA/web identity, ECS/EKS, instance metadata)";
        let credentials = match (access, secret) {
            (Some(_), _) if sdk_auth => {
                return Err(ctx.invalid(&["config", "aws_sdk_auth"], "S3 aws_sdk_auth and access_key are mutually exclusive"));
            }
            (Some(access_key), Some(secret_key)) => S3Credentials::Static {
                access_key,
                secret_key,
                session_token: token,
            },
            (Some(_), None) => {
                return Err(ctx.invalid(
                    &["config", "access_key"],
                    format!("S3 config has access_key but no secret_key; {hint}"),
                ));
            }
            (None, Some(_)) => {
                return Err(ctx.invalid(
                    &["config", "secret_key"],
                    format!("S3 config has secret_key but no access_key; {hint}"),
                ));
            }
            (None, None) if token.is_some() => {
                return Err(ctx.invalid(
                    &["config", "session_token"],
                    "S3 config has session_token but no access_key/secret_key; a session token \
                     is only used together with both keys",
                ));
            }
            (None, None) => {
                if sdk_auth {
                    ctx.warn(
                        "S3 aws_sdk_auth: using object_store's environment credential chain; \
                         ~/.aws/credentials profiles and SSO are not read"
                            .into(),
                    );
                }
                S3Credentials::Environment
            }
        };

        let allow_http = raw.insecure.unwrap_or(false);
        let lookup = nonempty(raw.bucket_lookup_type).unwrap_or_else(|| "auto".into());
        if !matches!(lookup.as_str(), "auto" | "path" | "virtual-hosted") {
            return Err(ctx.invalid(
                &["config", "bucket_lookup_type"],
                format!("S3 bucket_lookup_type `{lookup}` is not one of auto, path, virtual-hosted"),
            ));
        }
        let yaml_region = nonempty(raw.region);
        let endpoint_raw = nonempty(raw.endpoint).map(|e| e.trim_end_matches('/').to_string());
        let (endpoint, region, virtual_hosted_style) = match endpoint_raw {
            None => (None, yaml_region.or_else(env_region), lookup != "path"),
            Some(ep) => {
                let (scheme, host) = match ep.split_once("://") {
                    Some((s, h)) => (s.to_string(), h.to_string()),
                    None => ((if allow_http { "http" } else { "https" }).to_string(), ep.clone()),
                };
                match aws_standard_host(&host) {
                    Some(host_region) => {
                        let region = yaml_region.or(host_region).or_else(env_region);
                        (None, region, lookup != "path")
                    }
                    None => {
                        let region = yaml_region.or_else(|| Some("us-east-1".into()));
                        let vh = lookup == "virtual-hosted" || (lookup == "auto" && host.ends_with(".amazonaws.com"));
                        (Some(format!("{scheme}://{host}")), region, vh)
                    }
                }
            }
        };
        let region = region.unwrap_or_else(|| {
            ctx.warn(
                "S3 region is empty and AWS_REGION is unset; assuming us-east-1 (set `region` \
                 if the bucket lives elsewhere)"
                    .into(),
            );
            "us-east-1".into()
        });
        // Dotted bucket names break TLS with virtual-hosted AWS URLs.
        let virtual_hosted_style = virtual_hosted_style && !(endpoint.is_none() && bucket.contains('.'));
        let allow_http = allow_http || endpoint.as_deref().is_some_and(|e| e.starts_with("http://"));

        let sse = Self::sse_from_raw(raw.sse_config, ctx)?;
        let retry = retry_from_attempts(raw.max_retries).map_err(|m| ctx.invalid(&["config", "max_retries"], format!("S3 {m}")))?;
        let http = HttpOptions::from_raw(raw.http_config, P, ctx);
        Ok(S3Config {
            bucket,
            endpoint,
            region,
            virtual_hosted_style,
            allow_http,
            credentials,
            sts_endpoint: nonempty(raw.sts_endpoint),
            sse,
            retry,
            http,
        })
    }

    fn sse_from_raw(raw: Option<RawSse>, ctx: &mut Ctx<'_>) -> Result<Option<S3Sse>, ConfigError> {
        let Some(raw) = raw else { return Ok(None) };
        let Some(kind) = nonempty(raw.kind) else {
            return Ok(None);
        };
        let at = ["config", "sse_config", "type"];
        match kind.to_ascii_uppercase().as_str() {
            "SSE-S3" => Ok(Some(S3Sse::S3)),
            "SSE-KMS" => {
                let key_id = nonempty_secret(raw.kms_key_id)
                    .ok_or_else(|| ctx.invalid(&at, "S3 sse_config.type SSE-KMS needs sse_config.kms_key_id"))?;
                ctx.ignored(
                    P,
                    "sse_config.kms_encryption_context",
                    &raw.kms_encryption_context,
                    "object_store cannot send a KMS encryption context",
                );
                Ok(Some(S3Sse::Kms { key_id }))
            }
            "SSE-C" => {
                let path = nonempty(raw.encryption_key)
                    .ok_or_else(|| ctx.invalid(&at, "S3 sse_config.type SSE-C needs sse_config.encryption_key (a key file path)"))?;
                Ok(Some(S3Sse::CustomerKey {
                    key_file: ctx.resolve_path(&path),
                }))
            }
            other => Err(ctx.invalid(&at, format!("S3 sse_config.type `{other}` is not one of SSE-S3, SSE-KMS, SSE-C"))),
        }
    }

    /// Every credential value, for scrubbing messages.
    pub(crate) fn secrets(&self) -> Vec<&str> {
        let mut v = Vec::new();
        if let S3Credentials::Static {
            access_key,
            secret_key,
            session_token,
        } = &self.credentials
        {
            v.extend([access_key.expose(), secret_key.expose()]);
            v.extend(session_token.iter().map(|t| t.expose()));
        }
        if let Some(S3Sse::Kms { key_id }) = &self.sse {
            v.push(key_id.expose());
        }
        v
    }

    /// Stable, secret-free identity: `s3://bucket` on AWS, `s3+http://host:port/bucket` (or
    /// `s3+https://…`) for other endpoints.
    pub(crate) fn identity(&self) -> String {
        match &self.endpoint {
            None => format!("s3://{}", self.bucket),
            Some(ep) => format!("s3+{}/{}", ep, self.bucket),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_aws_hosts() {
        assert_eq!(aws_standard_host("s3.amazonaws.com"), Some(None));
        assert_eq!(aws_standard_host("s3.eu-west-1.amazonaws.com"), Some(Some("eu-west-1".into())));
        assert_eq!(aws_standard_host("s3-us-west-2.amazonaws.com"), Some(Some("us-west-2".into())));
        assert_eq!(
            aws_standard_host("s3.dualstack.ap-south-1.amazonaws.com"),
            Some(Some("ap-south-1".into()))
        );
        assert_eq!(aws_standard_host("minio.local:9000"), None);
        assert_eq!(aws_standard_host("bucket.vpce-1.s3.us-east-1.vpce.amazonaws.com"), None);
    }
}
