//! `costscope serve`: open the store and its database, keep ingesting in the background (as the
//! TUI does; or follow another process's read copies), and answer the OpenCost/Kubecost API
//! ([`crate::serve`]) until SIGINT or SIGTERM, then finish the requests in flight.

use std::sync::Arc;
use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::cli::{GlobalArgs, ServeArgs, UsageError};
use crate::progress::{TaskId, TaskProgress};
use crate::query::CostSource;
use crate::serve::auth::Token;
use crate::serve::status::MigrationSource;
use crate::serve::{ServeState, metrics::Metrics};

/// The token `args` ask for: read from `--token-file`; none on loopback; a non-loopback address
/// without a token is refused unless `--no-auth`.
///
/// Errors: a usage error (exit 2) for a public address without a token, an unreadable or empty
/// token file.
fn token(args: &ServeArgs) -> Result<Option<Token>> {
    match &args.token_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| UsageError(format!("--token-file {}: {e}", path.display())))?;
            Ok(Some(Token::new(&text).map_err(|e| UsageError(format!("--token-file {}: {e}", path.display())))?))
        }
        None if args.listen.ip().is_loopback() || args.no_auth => Ok(None),
        None => Err(UsageError(format!(
            "--listen {} is reachable from other machines: give --token-file FILE (clients send Authorization: Bearer <token>), or --no-auth on purpose",
            args.listen
        ))
        .into()),
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

/// Run the server until a signal.
///
/// Errors: the store or database cannot be opened, the address cannot be bound, a bad token
/// setting (exit 2).
pub async fn run(global: &GlobalArgs, args: ServeArgs) -> Result<()> {
    let token = token(&args)?;
    let (store, agg) = super::open_waiting(global).await?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .wrap_err_with(|| format!("cannot listen on {}", args.listen))?;
    let cancel = CancellationToken::new();
    let (tx, rx) = watch::channel(TaskProgress::new(TaskId::Ingest));
    let ingest = if args.no_ingest {
        None
    } else if agg.is_read_copy() {
        Some(tokio::spawn(super::browse::follow_loop(agg.clone(), tx, cancel.clone())))
    } else {
        Some(tokio::spawn(super::browse::ingest_loop(
            agg.clone(),
            store.clone(),
            global.ingest_options(),
            tx,
            cancel.clone(),
        )))
    };
    let (mig_options, ingested_days) = super::browse::migration_inputs(global, &agg);
    let state = Arc::new(ServeState {
        source: agg.clone() as Arc<dyn CostSource>,
        labels: crate::config::AppConfig::load()?.labels,
        ingest: ingest.is_some().then_some(rx),
        metrics: Metrics::default(),
        now: crate::clock::now,
        cache: Default::default(),
        migration: Some(MigrationSource::new(store.inner.clone(), mig_options, ingested_days)),
    });
    let auth = if token.is_some() { "token required" } else { "no token" };
    eprintln!(
        "serving {} on http://{} ({auth}; routes bare and under /model; Ctrl-C to stop)",
        store.description,
        listener.local_addr().unwrap_or(args.listen)
    );
    let app = crate::serve::router(state, token);
    let served = crate::serve::serve(listener, app, shutdown_signal()).await;
    cancel.cancel();
    if let Some(task) = ingest {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }
    served.wrap_err("the server stopped")
}
