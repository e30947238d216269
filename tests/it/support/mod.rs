//! Helpers shared by the integration test modules.

pub mod common;
pub mod dev_bucket;
pub mod migration_dev;
pub mod mock_bucket;
pub mod tui;
