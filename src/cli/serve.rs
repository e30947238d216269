//! `costscope serve` options.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

/// Options of `costscope serve` (docs/user-guide.md, "serve").
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on. A non-loopback address needs `--token-file` (or, on purpose,
    /// `--no-auth`).
    #[arg(long, default_value = "127.0.0.1:9003")]
    pub listen: SocketAddr,
    /// File holding the API token: requests must send `Authorization: Bearer <token>` or
    /// `X-API-KEY: <token>` (`/healthz` stays open).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Serve a non-loopback address without a token (anyone who reaches the port reads the costs).
    #[arg(long, conflicts_with = "token_file")]
    pub no_auth: bool,
    /// Answer from the database as it is: no background ingest.
    #[arg(long)]
    pub no_ingest: bool,
}
