//! Building the `object_store::aws::AmazonS3` client from a validated [`S3Config`].
//!
//! Maps the Thanos S3 options onto object_store 0.14's `AmazonS3Builder` (its docs name each key).

use std::sync::Arc;

use object_store::ObjectStore;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};

use super::error::ConfigError;
use super::s3::{P, S3Config, S3Credentials, S3Sse};
use super::secret::redact;

impl S3Config {
    /// Builds the client. Errors name the problem (unreadable SSE-C key, CA file, object_store
    /// builder error) with secrets scrubbed.
    pub(crate) fn build(&self, file: &str) -> Result<(Arc<dyn ObjectStore>, String), ConfigError> {
        let fail = |message: String| ConfigError::Build {
            file: file.to_string(),
            backend: P,
            message: redact(&message, &self.secrets()),
        };
        let mut b = builder_from_env(matches!(self.credentials, S3Credentials::Static { .. }))
            .with_bucket_name(&self.bucket)
            .with_region(&self.region)
            .with_allow_http(self.allow_http)
            .with_virtual_hosted_style_request(self.virtual_hosted_style);
        if let Some(ep) = &self.endpoint {
            let url = if self.virtual_hosted_style {
                let (scheme, host) = ep.split_once("://").unwrap_or(("https", ep));
                format!("{scheme}://{}.{host}", self.bucket)
            } else {
                ep.clone()
            };
            // AWS_ENDPOINT_URL_S3 would otherwise take precedence over the YAML's endpoint.
            b = b.with_endpoint(&url).with_config(AmazonS3ConfigKey::S3Endpoint, url);
        }
        if let S3Credentials::Static {
            access_key,
            secret_key,
            session_token,
        } = &self.credentials
        {
            b = b
                .with_access_key_id(access_key.expose())
                .with_secret_access_key(secret_key.expose());
            if let Some(t) = session_token {
                b = b.with_token(t.expose());
            }
        }
        if let Some(sts) = &self.sts_endpoint {
            b = b.with_config(AmazonS3ConfigKey::StsEndpoint, sts);
        }
        match &self.sse {
            None => {}
            Some(S3Sse::S3) => {
                let key = "aws_server_side_encryption".parse().map_err(|e| fail(format!("{e}")))?;
                b = b.with_config(key, "AES256");
            }
            Some(S3Sse::Kms { key_id }) => b = b.with_sse_kms_encryption(key_id.expose()),
            Some(S3Sse::CustomerKey { key_file }) => {
                let key =
                    std::fs::read(key_file).map_err(|e| fail(format!("reading sse_config.encryption_key {}: {e}", key_file.display())))?;
                if key.len() != 32 {
                    return Err(fail(format!(
                        "sse_config.encryption_key {} must hold exactly 32 bytes, found {}",
                        key_file.display(),
                        key.len()
                    )));
                }
                b = b.with_ssec_encryption(base64(&key));
            }
        }
        if let Some(r) = &self.retry {
            b = b.with_retry(r.clone());
        }
        b = b.with_client_options(self.http.client_options(self.allow_http).map_err(|e| fail(e.to_string()))?);
        let store = b.build().map_err(|e| fail(e.to_string()))?;
        let where_ = self.endpoint.as_deref().unwrap_or("AWS");
        let how = match self.credentials {
            S3Credentials::Static { .. } => "static keys",
            S3Credentials::Environment => "environment credentials",
        };
        let desc = format!("S3 bucket {} at {where_} (region {}, {how})", self.bucket, self.region);
        Ok((Arc::new(super::paged_list::PagedList::new(store)), desc))
    }
}

/// `AmazonS3Builder::from_env()`, except that with YAML keys the environment's credential
/// variables (notably `AWS_SESSION_TOKEN`) are left out so they cannot mix with the YAML's keys.
fn builder_from_env(static_keys: bool) -> AmazonS3Builder {
    if !static_keys {
        return AmazonS3Builder::from_env();
    }
    let mut b = AmazonS3Builder::new();
    for (k, v) in std::env::vars() {
        if !k.starts_with("AWS_") {
            continue;
        }
        if let Ok(key) = k.to_ascii_lowercase().parse::<AmazonS3ConfigKey>()
            && !matches!(
                key,
                AmazonS3ConfigKey::AccessKeyId | AmazonS3ConfigKey::SecretAccessKey | AmazonS3ConfigKey::Token
            )
        {
            b = b.with_config(key, v);
        }
    }
    b
}

/// Standard base64 with padding (RFC 4648 §4), for the SSE-C key header.
fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
