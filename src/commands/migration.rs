//! `costscope migration [--format table|json] [--watch] [--cluster-label LABEL] [--map A=B,..]`:
//! scan the bucket for the Thanos → Aggregator migration and print per-cluster progress, the
//! per-day strip and parity mismatches (table), or the whole report (JSON). Ingested days come
//! from the local database's ingest log ([`crate::aggregator::Aggregator::ingested_days`]).

use std::collections::HashSet;
use std::sync::Arc;

use chrono::Duration;
use color_eyre::eyre::{Result, WrapErr};

use crate::aggregator::default_db_path;
use crate::cli::{GlobalArgs, MigrationArgs, ReportFormat};
use crate::migration::{MigrationOptions, Scanner, parse_cluster_map, render::render_table};

/// The scan options the arguments ask for.
///
/// Errors: a `--map` entry that is not `THANOS=FOLDER`.
pub fn options(global: &GlobalArgs, args: &MigrationArgs) -> Result<MigrationOptions> {
    Ok(MigrationOptions {
        cluster_label: args.cluster_label.clone(),
        cluster_map: parse_cluster_map(args.cluster_map.iter().map(String::as_str))?,
        parity: !args.no_parity,
        caught_up_after: Duration::minutes(args.caught_up_after.into()),
        horizon_days: args.horizon_days.map(i64::from),
        max_object_bytes: global.max_object_bytes(),
        ..MigrationOptions::default()
    })
}

/// Ingested days from the database named by the global options. A database that does not exist
/// yet holds none; one another costscope process holds is read from its read copy.
fn ingested_days(global: &GlobalArgs, identity: &str) -> Result<HashSet<(String, i64)>> {
    let db = global.db.clone().unwrap_or_else(|| default_db_path(identity));
    if !db.exists() {
        eprintln!(
            "note: no database at {} yet: no day counts as ingested (run `costscope ingest`)",
            db.display()
        );
        return Ok(HashSet::new());
    }
    super::open_db(&db)?
        .ingested_days()
        .wrap_err_with(|| format!("reading ingested days from {}", db.display()))
}

/// `costscope migration`: one scan (or one every `--interval` seconds with `--watch`, until
/// Ctrl-C), printed as a table or JSON on stdout.
///
/// Errors: no store file or a bad store config, a bad `--map`, a listing that fails after retries,
/// or a database error reading the ingest log.
pub async fn run(global: &GlobalArgs, args: MigrationArgs) -> Result<()> {
    let store = super::open_store(global)?;
    let mut scanner = Scanner::new(options(global, &args)?);
    let global = Arc::new(global.clone());
    loop {
        let (g, identity) = (Arc::clone(&global), store.identity.clone());
        let ingested = tokio::task::spawn_blocking(move || ingested_days(&g, &identity)).await??;
        let now = crate::clock::now();
        let report = scanner
            .scan(&*store.inner, &ingested, now)
            .await
            .wrap_err_with(|| format!("scanning {}", store.description))?;
        let text = match (args.format, args.watch) {
            (ReportFormat::Table, _) => format!(
                "{} at {}\n\n{}",
                store.description,
                now.format("%Y-%m-%d %H:%M:%S UTC"),
                render_table(&report, now)
            ),
            (ReportFormat::Json, false) => serde_json::to_string_pretty(&report)? + "\n",
            (ReportFormat::Json, true) => serde_json::to_string(&report)? + "\n",
        };
        super::write_stdout(&text)?;
        if !args.watch {
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(args.interval.max(1))) => println!(),
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}
