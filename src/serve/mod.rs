//! `costscope serve`: the OpenCost/Kubecost cost API over the local aggregator (docs/api.md for
//! the shapes and their sources; docs/user-guide.md, "serve", for pointing clients at it).
//!
//! Every route answers both bare (OpenCost, port 9003) and under `/model` (Kubecost's
//! frontend); the two differ only in the idle default ([`params::Flavor`]). Queries run on
//! blocking threads, each within [`QUERY_DEADLINE`]; the ingest writes in the background and a
//! query never waits on a pass. Responses are the typed shapes of [`allocation`] and [`assets`]
//! inside OpenCost's envelope `{"code":200,"status":"success","data":…}`; a bad parameter is HTTP
//! 400 with `{"code":400,"data":null,"message":"Error: invalid '<name>' parameter: …"}`.

pub mod allocation;
pub mod assets;
pub mod auth;
pub mod cache;
pub mod cloud_status;
pub mod metrics;
pub mod params;
mod routes;
pub mod status;

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::sync::watch;

use crate::progress::TaskProgress;
use crate::query::{CostSource, LabelConfig};

pub use routes::router;

/// Longest a query may run before the request is answered 503 (the query is then abandoned).
pub const QUERY_DEADLINE: Duration = Duration::from_secs(120);

/// What the handlers share: the cost source, the label config, the ingest's progress (for
/// `/healthz`-adjacent status and `/metrics`) and the request metrics.
pub struct ServeState {
    /// Answers the queries (the aggregator).
    pub source: Arc<dyn CostSource>,
    /// Label aliases (`team`, `department`, …), from the app config.
    pub labels: LabelConfig,
    /// The background ingest's progress, when one runs.
    pub ingest: Option<watch::Receiver<TaskProgress>>,
    /// Request counts and latencies per route.
    pub metrics: metrics::Metrics,
    /// The time "now" for relative windows ([`crate::clock::now`], pinned in tests).
    pub now: fn() -> chrono::DateTime<chrono::Utc>,
    /// Answers kept for repeated requests.
    pub cache: cache::ResponseCache,
    /// What `/costscope/migration` scans; `None` answers 404.
    pub migration: Option<status::MigrationSource>,
}

/// OpenCost's success envelope.
#[derive(Serialize)]
pub struct Envelope<T: Serialize> {
    pub code: u16,
    pub status: &'static str,
    pub data: T,
}

/// A success answer: HTTP 200 with `data` in the envelope.
pub fn ok<T: Serialize>(data: T) -> Response {
    Json(Envelope {
        code: 200,
        status: "success",
        data,
    })
    .into_response()
}

/// Why a request failed; `Display` is the message clients see after "Error: ".
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A parameter the API does not accept (400).
    #[error(transparent)]
    Param(#[from] params::ParamError),
    /// The query could not be answered as asked (400) or the database failed (500).
    #[error(transparent)]
    Query(#[from] crate::query::QueryError),
    /// The query ran past [`QUERY_DEADLINE`] (503).
    #[error("the query took longer than {0} s; narrow the window or the aggregation")]
    Deadline(u64),
    /// The query task died (500).
    #[error("the query failed: {0}")]
    Task(String),
    /// A status route could not answer (404 without a bucket, else 500).
    #[error(transparent)]
    Status(#[from] status::StatusError),
}

impl ApiError {
    /// The HTTP status of the error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Param(_) => StatusCode::BAD_REQUEST,
            ApiError::Query(crate::query::QueryError::Invalid(_)) => StatusCode::BAD_REQUEST,
            ApiError::Query(_) | ApiError::Task(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Deadline(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Status(status::StatusError::Unavailable) => StatusCode::NOT_FOUND,
            ApiError::Status(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// OpenCost's error body (`aggregation.go` `WriteError`).
#[derive(Serialize)]
struct ErrorBody {
    code: u16,
    data: Option<()>,
    message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = crate::config::secret::scrub(&format!("Error: {self}")).into_owned();
        (
            status,
            Json(ErrorBody {
                code: status.as_u16(),
                data: None,
                message,
            }),
        )
            .into_response()
    }
}

/// Serve `router` on `listener` until `shutdown` resolves, then finish the requests in flight.
///
/// Errors: the listener's I/O errors.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
