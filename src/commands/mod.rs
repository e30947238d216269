//! Handlers of the data subcommands (`ingest`, `allocation`, `assets`, `cloudcost`, `bucket`, `federate`): open the
//! store and its database, run the work, print the result. Kept out of `main.rs` so it stays thin.

pub mod browse;
pub mod bucket;
pub mod demo;
pub mod federate;
pub mod ingest;
pub mod migration;
pub mod query;

use crate::aggregator::{Aggregator, default_db_path};
use crate::cli::GlobalArgs;
use crate::config::{self, Store};
use color_eyre::eyre::{Result, WrapErr};
use std::sync::Arc;

/// Open the store named by the global options (lookup order of DESIGN.md §4) and its database
/// (`--db`, else one per store identity in the cache dir).
///
/// Errors: no store file found (the message lists where it looked), a bad YAML (file:line), a
/// database that cannot be opened.
pub fn open(global: &GlobalArgs) -> Result<(Store, Arc<Aggregator>)> {
    let store = open_store(global)?;
    let db = global.db.clone().unwrap_or_else(|| default_db_path(&store.identity));
    let agg = Aggregator::open(&db).wrap_err_with(|| format!("opening database {}", db.display()))?;
    Ok((store, Arc::new(agg)))
}

/// Open only the store named by the global options (lookup order of DESIGN.md §4), printing the
/// config's warnings on stderr (`bucket` and `federate` need no database).
///
/// Errors: no store file found (the message lists where it looked), a bad YAML (file:line), a
/// client that cannot be built.
pub fn open_store(global: &GlobalArgs) -> Result<Store> {
    let path = config::find_store_file(global.store.as_deref())?;
    let (cfg, store) = config::open_store(&path)?;
    for w in &cfg.warnings {
        eprintln!("warning: {w}");
    }
    Ok(store)
}
