//! `costscope federate [--once] [--dry-run] [--read-only] [--clusters a,b] [--cutoff DATE] [--out DIR]`:
//! run the federator with a progress bar on stderr ([`super::progress_bar`]).

use crate::cli::{FederateArgs, GlobalArgs, ReportFormat};
use crate::config::secret::scrub;
use crate::federator::{self, Action, FederateError, FederateOptions, FederateReport, Output};
use crate::progress::TaskProgress;
use color_eyre::eyre::{Result, eyre};
use std::io::Write;
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// Where `--out` / `--read-only` send the output: `--out DIR` always writes there; `--read-only`
/// alone uses [`federator::default_local_dir`]; otherwise the bucket.
pub fn output_for(global: &GlobalArgs, args: &FederateArgs, store_identity: &str) -> Output {
    match (&args.out, global.read_only) {
        (Some(dir), _) => Output::LocalDir(dir.clone()),
        (None, true) => Output::LocalDir(federator::default_local_dir(store_identity)),
        (None, false) => Output::Bucket,
    }
}

/// Write one pass's result to `out`: dry-run keys and the summary line (or the JSON report);
/// failures and notes go to stderr.
fn write_report(out: &mut dyn Write, r: &std::result::Result<FederateReport, FederateError>, format: ReportFormat) -> std::io::Result<()> {
    let r = match r {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: federator pass failed: {}", scrub(&e.to_string()));
            return Ok(());
        }
    };
    if format == ReportFormat::Json {
        serde_json::to_writer_pretty(&mut *out, r)?;
        return writeln!(out);
    }
    for w in r.windows.iter().filter(|w| w.action == Action::WouldWrite) {
        writeln!(out, "would write {} ({} source file(s))", w.key, w.sources)?;
    }
    for f in &r.failures {
        eprintln!("warning: skipped {}: {}", scrub(&f.key), scrub(&f.reason));
    }
    for n in &r.notes {
        eprintln!("note: {}", scrub(n));
    }
    writeln!(
        out,
        "federate → {}: {} window(s): {} written, {} unchanged, {} would write, {} kept non-empty, {} failed, {} before cutoff; \
         {} items, {} read, {} written in {:.2} s",
        r.target,
        r.windows.len(),
        r.written,
        r.unchanged,
        r.would_write,
        r.kept_non_empty,
        r.failed,
        r.skipped_before_cutoff,
        r.items,
        crate::bucket::report::human_bytes(r.bytes_read),
        crate::bucket::report::human_bytes(r.bytes_written),
        r.seconds
    )
}

/// [`write_report`] to stdout; a closed pipe (`| head`) is not an error.
fn print_report(r: &std::result::Result<FederateReport, FederateError>, format: ReportFormat) {
    if let Err(e) = write_report(&mut std::io::stdout().lock(), r, format)
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: writing the report: {e}");
    }
}

/// `costscope federate`.
///
/// Errors: no store / bad config, a bad `--cutoff`, or (with `--once`) a pass that could not run.
pub async fn run(global: &GlobalArgs, args: FederateArgs) -> Result<()> {
    let store = super::open_store(global)?;
    let cutoff = args
        .cutoff
        .as_deref()
        .map(federator::parse_cutoff)
        .transpose()
        .map_err(|e| eyre!(e))?;
    let opts = FederateOptions {
        clusters: crate::cli::cluster_list(&args.clusters),
        cutoff,
        dry_run: args.dry_run,
        output: output_for(global, &args, &store.identity),
        bucket_root: store.local_root.clone(),
        max_object_bytes: global.max_object_bytes(),
    };
    if let Output::LocalDir(dir) = &opts.output {
        super::refuse_output_inside("--out", dir, store.local_root.as_deref())?;
        eprintln!("output: local directory {} (nothing is written to the bucket)", dir.display());
    }
    let (tx, rx) = watch::channel(TaskProgress::new(federator::TASK));
    let display = super::progress_bar::spawn(rx, federator::progress_line, false);
    if args.once {
        let r = federator::run_once(store.inner.clone(), &opts, tx).await;
        display.finish().await;
        let r = Ok(r?);
        print_report(&r, args.format);
        return Ok(());
    }
    let cancel = CancellationToken::new();
    let on_signal = cancel.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        on_signal.cancel();
    });
    let format = args.format;
    let shown = &display;
    let mut on_pass = move |r: &std::result::Result<FederateReport, FederateError>| shown.suspend(|| print_report(r, format));
    federator::run_loop(
        store.inner.clone(),
        &opts,
        Duration::from_secs(args.interval.max(1)),
        tx,
        cancel,
        &mut on_pass,
    )
    .await;
    display.finish().await;
    Ok(())
}
