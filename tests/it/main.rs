//! Every integration test in one binary, so the bundled DuckDB is linked once (ripgrep's and
//! bottom's layout). Each module is one area; shared helpers are in [`support`]. Tests that need
//! the object-store test servers (moto, Azurite, fake-gcs) skip themselves when `scripts/test.sh`
//! has not started them.

mod support;

mod aggregator_dev;
mod audit_provenance;
mod audit_verify;
mod bingen_fixtures;
mod bingen_robustness;
mod bucket_doctor;
mod bucket_inventory;
mod cli_inspect;
mod cli_limits;
mod cli_paths;
mod cli_s3;
mod compare_cli;
mod cost_source;
mod export_parquet;
mod federator;
mod fuzz;
mod hostile_keys;
mod hostile_sizes;
mod hung_store;
mod ingest_checks;
mod kill9;
mod migrate;
mod migration;
mod migration_copy;
mod objstore_servers;
mod projection_cli;
mod query_filter;
mod read_copy_follow;
mod read_only_paths;
mod retention;
mod savings;
mod savings_kinds;
mod secrets;
mod semantics_filters;
mod semantics_keys;
mod semantics_share;
mod semantics_windows;
mod serve;
mod share_dev;
mod steps_dev;
mod tui_drill_dev;
mod tui_loads;
mod tui_migration;
mod tui_runner;
mod tui_savings;
mod tui_search;
mod tui_state;
mod tui_tmux;
mod tui_views;
