//! The `costscope` binary: install error hooks, parse the command line, dispatch.

use clap::FromArgMatches;
use color_eyre::eyre::Result;
use costscope::cli::{Cli, CliCommand, UsageError};
use costscope::commands;
use costscope::query::DataKind;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// mimalloc for every allocation of the process, DuckDB's C++ included (`override`): DuckDB's
/// aggregation allocates heavily; with glibc malloc cold queries were 5–20% slower and peak RSS
/// ~15% higher (docs/performance.md).
#[cfg(target_os = "linux")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Transparent huge pages off for this process (Linux), unless `COSTSCOPE_THP=1`: mimalloc
/// advises them on its segments, so the kernel zeroes 2 MiB at the first touch of each, and again
/// after every purge gives the memory back. On an ingest of small files that was 28 % of the
/// CPU (`clear_page_erms`), 0.8 s of system time for 270 files, and 40 % of the peak RSS
/// (docs/performance.md, "Small files: where the CPU goes").
#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    if std::env::var_os("COSTSCOPE_THP").is_some_and(|v| v == "1") {
        return;
    }
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and changes no memory; a kernel
    // that refuses it leaves the process as it was.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

use costscope::config::ConfigError;
use costscope::config::secret::scrub;

fn main() -> ExitCode {
    #[cfg(target_os = "linux")]
    no_transparent_huge_pages();
    costscope::config::secret::register_env();
    let cli = parse_cli();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e),
    }
}

/// Parse the command line; `allocation --help` also lists the label-config aliases as the app
/// config sets them (defaults when the config is missing or unreadable: the query itself reports
/// a bad config).
fn parse_cli() -> Cli {
    let config = costscope::config::AppConfig::path().map_or_else(|| "config.yaml".to_string(), |p| p.display().to_string());
    let labels = costscope::config::AppConfig::load().map(|c| c.labels).unwrap_or_default();
    let aliases = format!(
        "Label aliases (filter fields and aggregate keys; the label, else the annotation): {}.\nSet them in {config} (or $COSTSCOPE_CONFIG), e.g.\n  labels:\n    environment: stage\n    owner: example.com/owner",
        labels.describe()
    );
    let cmd = costscope::cli::command().mut_subcommand("allocation", |c| {
        let examples = c.get_after_help().map(|h| h.to_string()).unwrap_or_default();
        c.after_help(format!("{examples}\n\n{aliases}"))
    });
    Cli::from_arg_matches(&cmd.get_matches()).unwrap_or_else(|e| e.exit())
}

/// Print a failed command's error once to stderr: `error: what: why` on one line, red only when
/// stderr is a terminal and `NO_COLOR` is unset. An error whose message has its own lines (the
/// places a store file was looked for, a filter's input with a caret under the column) keeps them,
/// below the first. A usage error ([`UsageError`], no store file found) exits 2 (as clap's own usage
/// errors do), anything else 1. With `RUST_LOG` set, the full report (causes, locations) follows.
fn report(e: &color_eyre::Report) -> ExitCode {
    if commands::is_broken_pipe(e) {
        return ExitCode::SUCCESS;
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = scrub(&format!("{e:#}")).into_owned();
    let mut err = std::io::stderr().lock();
    let _ = if color {
        writeln!(err, "\x1b[31merror:\x1b[0m {text}")
    } else {
        writeln!(err, "error: {text}")
    };
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = writeln!(err, "{}", scrub(&format!("{e:?}")));
    }
    let no_store = matches!(e.downcast_ref::<ConfigError>(), Some(ConfigError::NotFound { .. }));
    if no_store || e.downcast_ref::<UsageError>().is_some() {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}

fn run(cli: Cli) -> Result<()> {
    let rt = || tokio::runtime::Builder::new_multi_thread().enable_all().build();
    if cli.command.is_some() {
        // A CLI pass says what it waits for on the network; the TUI's stderr is its screen.
        costscope::waits::note_on_stderr();
    }
    match cli.command {
        Some(CliCommand::Inspect(args)) => commands::inspect::run(&cli.global, args),
        Some(CliCommand::Bench(b)) => commands::bench::run(b),
        Some(CliCommand::Ingest(args)) => rt()?.block_on(commands::ingest::run(&cli.global, args)),
        Some(CliCommand::Allocation(args)) => rt()?.block_on(commands::query::run(&cli.global, DataKind::Allocation, args)),
        Some(CliCommand::Assets(args)) => rt()?.block_on(commands::query::run(&cli.global, DataKind::Asset, args)),
        Some(CliCommand::Cloudcost(args)) => rt()?.block_on(commands::query::run(&cli.global, DataKind::CloudCost, args)),
        Some(CliCommand::Bucket(args)) => rt()?.block_on(commands::bucket::run(&cli.global, args)),
        Some(CliCommand::Federate(args)) => rt()?.block_on(commands::federate::run(&cli.global, args)),
        Some(CliCommand::Demo(args)) => rt()?.block_on(commands::demo::run(&cli.global, args)),
        Some(CliCommand::Migration(args)) => rt()?.block_on(commands::migration::run(&cli.global, args)),
        Some(CliCommand::Migrate(args)) => rt()?.block_on(commands::migrate::run(&cli.global, args)),
        Some(CliCommand::Verify(args)) => rt()?.block_on(commands::verify::run(&cli.global, args)),
        Some(CliCommand::Export(args)) => rt()?.block_on(commands::export::run(&cli.global, args)),
        Some(CliCommand::Savings(c)) => rt()?.block_on(commands::savings::run(&cli.global, c)),
        Some(CliCommand::Serve(args)) => rt()?.block_on(commands::serve::run(&cli.global, args)),
        None => rt()?.block_on(commands::browse::run(&cli.global)),
    }
}
