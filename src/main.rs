//! The `costscope` binary: install error hooks, parse the command line, dispatch.

use clap::{CommandFactory, FromArgMatches};
use color_eyre::eyre::{Result, WrapErr, eyre};
use costscope::bingen::{self, RootKind};
use costscope::cli::{BenchCommand, Cli, Command, InspectArgs, InspectFormat, UsageError};
use costscope::commands;
use costscope::inspect;
use costscope::query::DataKind;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// mimalloc for every allocation of the process, DuckDB's C++ included (`override`): DuckDB's
/// aggregation allocates heavily; with glibc malloc cold queries were 5–20% slower and peak RSS
/// ~15% higher (docs/performance.md).
#[cfg(target_os = "linux")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
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
    let cmd = Cli::command().mut_subcommand("allocation", |c| {
        let examples = c.get_after_help().map(|h| h.to_string()).unwrap_or_default();
        c.after_help(format!("{examples}\n\n{aliases}"))
    });
    Cli::from_arg_matches(&cmd.get_matches()).unwrap_or_else(|e| e.exit())
}

/// Print a failed command's error once, on one line, to stderr: `error: what: why`, red only when
/// stderr is a terminal and `NO_COLOR` is unset. A [`UsageError`] exits 2 (as clap's own usage
/// errors do), anything else 1. With `RUST_LOG` set, the full report (causes, locations) follows.
fn report(e: &color_eyre::Report) -> ExitCode {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let line = format!("{e:#}").replace('\n', " ");
    let mut err = std::io::stderr().lock();
    let _ = if color {
        writeln!(err, "\x1b[31merror:\x1b[0m {line}")
    } else {
        writeln!(err, "error: {line}")
    };
    if std::env::var_os("RUST_LOG").is_some() {
        let _ = writeln!(err, "{e:?}");
    }
    if e.downcast_ref::<UsageError>().is_some() {
        ExitCode::from(2)
    } else {
        ExitCode::FAILURE
    }
}

fn run(cli: Cli) -> Result<()> {
    let rt = || tokio::runtime::Builder::new_multi_thread().enable_all().build();
    match cli.command {
        Some(Command::Inspect(args)) => run_inspect(&cli.global, args),
        Some(Command::Bench(b)) => run_bench(b),
        Some(Command::Ingest(args)) => rt()?.block_on(commands::ingest::run(&cli.global, args)),
        Some(Command::Allocation(args)) => rt()?.block_on(commands::query::run(&cli.global, DataKind::Allocation, args)),
        Some(Command::Assets(args)) => rt()?.block_on(commands::query::run(&cli.global, DataKind::Asset, args)),
        Some(Command::Cloudcost(args)) => rt()?.block_on(commands::query::run(&cli.global, DataKind::CloudCost, args)),
        Some(Command::Bucket(args)) => rt()?.block_on(commands::bucket::run(&cli.global, args)),
        Some(Command::Federate(args)) => rt()?.block_on(commands::federate::run(&cli.global, args)),
        Some(Command::Demo(args)) => rt()?.block_on(commands::demo::run(&cli.global, args)),
        Some(Command::Migration(args)) => rt()?.block_on(commands::migration::run(&cli.global, args)),
        None => rt()?.block_on(commands::browse::run(&cli.global)),
    }
}

fn run_inspect(global: &costscope::cli::GlobalArgs, args: InspectArgs) -> Result<()> {
    if !args.file.exists() {
        // Not a local file: treat it as an object key in the store.
        let key = args.file.to_string_lossy().to_string();
        let path = costscope::config::find_store_file(global.store.as_deref())
            .map_err(|e| eyre!("{key} is not a local file, and no store to read it from: {e}"))?;
        let (_, store) = costscope::config::open_store(&path)?;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let bytes = rt.block_on(async {
            use object_store::ObjectStoreExt;
            store.inner.get(&object_store::path::Path::from(key.as_str())).await?.bytes().await
        });
        let bytes = bytes.map_err(|e| eyre!("reading {key} from {}: {e}", store.description))?;
        return print_inspect(&key, &bytes, &args);
    }
    let key = args.file.to_string_lossy().to_string();
    let file = std::fs::File::open(&args.file).wrap_err_with(|| format!("opening {key}"))?;
    // SAFETY: the map is read-only and private; a file truncated by another process while we read
    // it could fault, which is the documented hazard of memory maps. Files we inspect are ETL
    // outputs that are written once and never changed in place.
    let empty = file.metadata().map(|m| m.len() == 0).unwrap_or(false);
    let map = if empty {
        None
    } else {
        Some(unsafe { memmap2::MmapOptions::new().populate().map(&file) }.wrap_err_with(|| format!("mapping {key}"))?)
    };
    let data: &[u8] = map.as_deref().unwrap_or(&[]);
    print_inspect(&key, data, &args)
}

fn print_inspect(key: &str, data: &[u8], args: &InspectArgs) -> Result<()> {
    let kind = root_kind(key, args)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        InspectFormat::Summary => {
            let summary = inspect::summarize(data, kind).map_err(|e| eyre!("{key}: {e}"))?;
            write!(out, "file:     {key} ({} bytes)\n{summary}", data.len())?;
        }
        InspectFormat::Json => {
            let decoded = bingen::decode(data, kind).map_err(|e| eyre!("{key}: {e}"))?;
            serde_json::to_writer_pretty(&mut out, &inspect::to_json(&decoded))?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Root type from `--type`, else from the key's pipeline directory.
fn root_kind(key: &str, args: &InspectArgs) -> Result<RootKind> {
    match &args.root_type {
        Some(t) => RootKind::parse(t).ok_or_else(|| {
            let names: Vec<&str> = RootKind::ALL.iter().map(|k| k.name()).collect();
            eyre!("unknown --type {t:?}; expected one of {}", names.join(", "))
        }),
        None => RootKind::from_key(key).ok_or_else(|| {
            eyre!("cannot tell the root type of {key}: its path has no allocations/, assets/ or cloudcosts/ directory; pass --type AllocationSet (or AssetSet, CloudCostSet, ...)")
        }),
    }
}

fn run_bench(b: BenchCommand) -> Result<()> {
    match b {
        BenchCommand::Decode { allocations, runs, json } => {
            let dir = tempfile::tempdir()?;
            let exe = std::env::current_exe().ok();
            let r = costscope::bench::decode_bench(allocations, runs, dir.path(), exe.as_deref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!("allocations        {}", r.allocations);
                println!("file size          {:.1} MB", r.file_bytes as f64 / 1e6);
                println!("encode             {:.3} s", r.encode_seconds);
                println!(
                    "decode (best of {runs}) {:.3} s = {:.0} allocations/s, {:.1} MB/s, {:.2} µs/allocation",
                    r.decode_seconds, r.allocations_per_second, r.megabytes_per_second, r.micros_per_allocation
                );
                println!("peak RSS           {:.0} MiB", r.peak_rss_bytes as f64 / 1048576.0);
                if let (Some(s), Some(aps)) = (r.inspect_process_seconds, r.inspect_allocations_per_second) {
                    println!("inspect process    {s:.3} s = {aps:.0} allocations/s (whole `inspect --format summary`)");
                }
            }
            Ok(())
        }
        BenchCommand::Ingest {
            containers,
            days,
            runs,
            dir,
            json,
        } => {
            let dir = dir.unwrap_or_else(|| costscope::config::cache_dir().join("bench"));
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let r = rt.block_on(costscope::bench::ingest::ingest_bench(&dir, containers, days, runs))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "bucket             {} containers/day × {} days, {} files, {:.0} MB (generated in {:.1} s)",
                    r.containers_per_day,
                    r.days,
                    r.files,
                    r.bucket_bytes as f64 / 1e6,
                    r.generate_seconds
                );
                println!(
                    "cold ingest        {:.1} s, {} rows ({:.0} rows/s)",
                    r.ingest_seconds, r.rows, r.rows_per_second
                );
                println!("database           {:.0} MB", r.database_bytes as f64 / 1e6);
                println!("peak RSS           {:.0} MiB", r.peak_rss_bytes as f64 / 1048576.0);
                for q in &r.queries {
                    println!(
                        "query {:<38} rows {:>7}  cold p50 {:>6.1} ms p99 {:>6.1} ms  page p50 {:>5.1} ms p99 {:>5.1} ms",
                        q.name, q.total_rows, q.cold_p50_ms, q.cold_p99_ms, q.page_p50_ms, q.page_p99_ms
                    );
                }
            }
            Ok(())
        }
    }
}
