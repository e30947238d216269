//! costscope — a terminal cost explorer for the Kubernetes cost data that Kubecost and OpenCost
//! store in object storage as bingen ETL files.
//!
//! Layers (see `docs/architecture.md`): [`bingen`] decodes and encodes the ETL files into the
//! plain types of [`model`].

pub mod aggregator;
pub mod audit;
pub mod bench;
pub mod bingen;
pub mod bucket;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod demo;
pub mod export;
pub mod federator;
pub mod format;
pub mod inspect;
pub mod migrate;
pub mod migration;
pub mod model;
pub mod output;
pub mod progress;
pub mod query;
pub mod response;
pub mod serve;
pub mod stored;
pub mod tui;
pub mod waits;
