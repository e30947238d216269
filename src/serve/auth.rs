//! Bearer-token check of `costscope serve`: a request must carry the token as
//! `Authorization: Bearer <token>` or `X-API-KEY: <token>` (both accepted, as Kubecost's
//! frontends send either). The comparison takes the same time whatever the first differing byte,
//! and the token is never logged.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The token a server requires (kept out of `Debug` output).
#[derive(Clone)]
pub struct Token(Arc<str>);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl Token {
    /// A token from its text (surrounding whitespace trimmed).
    ///
    /// Errors: an empty token (it would accept an empty header).
    pub fn new(text: &str) -> Result<Token, EmptyToken> {
        let t = text.trim();
        if t.is_empty() {
            return Err(EmptyToken);
        }
        crate::config::secret::register([t.to_string()]);
        Ok(Token(t.into()))
    }

    /// Whether `headers` carry this token.
    pub fn accepts(&self, headers: &HeaderMap) -> bool {
        let bearer = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")));
        let key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
        [bearer, key]
            .into_iter()
            .flatten()
            .any(|given| same(given.trim().as_bytes(), self.0.as_bytes()))
    }
}

/// The token file held no token.
#[derive(Debug, thiserror::Error)]
#[error("the token is empty")]
pub struct EmptyToken;

/// Equality in time independent of where `a` and `b` differ (length differences return early:
/// the length of a token is not a secret worth a timing channel).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Middleware: 401 with OpenCost's error body unless the request carries the token.
/// `/healthz` stays open so probes work.
pub async fn require(State(token): State<Token>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/healthz" || token.accepts(req.headers()) {
        return next.run(req).await;
    }
    let body = serde_json::json!({"code": 401, "data": null, "message": "Error: missing or wrong token (send Authorization: Bearer <token> or X-API-KEY: <token>)"});
    (StatusCode::UNAUTHORIZED, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_headers_are_accepted_and_wrong_tokens_are_not() {
        let t = Token::new(" s3cret\n").unwrap();
        let mut h = HeaderMap::new();
        assert!(!t.accepts(&h));
        h.insert("authorization", "Bearer s3cret".parse().unwrap());
        assert!(t.accepts(&h));
        let mut h = HeaderMap::new();
        h.insert("x-api-key", "s3cret".parse().unwrap());
        assert!(t.accepts(&h));
        h.insert("x-api-key", "s3cres".parse().unwrap());
        assert!(!t.accepts(&h));
        assert!(Token::new("  ").is_err());
        assert!(!format!("{t:?}").contains("s3cret"));
    }
}
