//! `costscope export --out DIR|store:PREFIX` (docs/scale-out.md): plan the partitions, write
//! those whose sources changed, print a summary; exit 1 when any partition failed.

use crate::bucket::keys::Pipeline;
use crate::cli::{ExportArgs, GlobalArgs, ReportFormat, UsageError};
use crate::export::target::Target;
use crate::export::{ExportOptions, export, plan};
use color_eyre::eyre::{Result, WrapErr, bail};

/// `costscope export`.
///
/// Errors: no store / a bad config, a bad option (`--kinds`, `--window`), `store:` output with
/// `--read-only` or a local output inside a FILESYSTEM bucket, a listing that fails; and, after
/// the summary is printed, any partition that could not be written.
pub async fn run(global: &GlobalArgs, args: ExportArgs) -> Result<()> {
    let store = super::open_store(global)?;
    let kinds = args
        .kinds
        .iter()
        .map(|k| match Pipeline::parse(k.trim()) {
            Some(p) if p.root_kind().is_some() => Ok(p),
            _ => Err(UsageError(format!(
                "--kinds: unknown {k:?}; accepted: allocations, assets, cloudcosts"
            ))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let window = super::window_bounds(args.window.as_deref())?;
    let out = match args.out.strip_prefix("store:") {
        Some(_) if global.read_only => {
            return Err(
                UsageError("--out store:… writes into the bucket, which --read-only forbids; give a local directory".into()).into(),
            );
        }
        Some(prefix) => Target::Store {
            store: store.inner.clone(),
            prefix: prefix.trim_matches('/').to_string(),
        },
        None => {
            let dir = std::path::PathBuf::from(&args.out);
            super::refuse_output_inside("--out", &dir, store.local_root.as_deref())?;
            Target::Dir(dir)
        }
    };
    let opts = ExportOptions {
        window,
        clusters: Some(crate::cli::cluster_list(&args.clusters)).filter(|c| !c.is_empty()),
        kinds,
        hourly: args.resolution == "1h",
        concurrency: args
            .concurrency
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get())),
        max_object_bytes: global.max_object_bytes(),
    };
    let inv = super::noting_waits(&store.description, crate::bucket::scan(&*store.inner))
        .await
        .wrap_err_with(|| format!("scanning {}", store.description))?;
    let parts = plan(&inv, &opts);
    let r = export(store.inner.clone(), parts, &out, &opts).await;
    let text = match args.format {
        ReportFormat::Json => serde_json::to_string_pretty(&r)? + "\n",
        ReportFormat::Table => {
            let mut t = format!(
                "export to {}\npartitions {} · written {} · unchanged {} · failed {}\nrows {} · read {:.1} MB · wrote {:.1} MB Parquet · {:.1} s ({:.0} rows/s)\n",
                out.show(""),
                r.partitions,
                r.written,
                r.unchanged,
                r.failures.len(),
                r.rows,
                r.source_bytes as f64 / 1e6,
                r.parquet_bytes as f64 / 1e6,
                r.seconds,
                r.rows as f64 / r.seconds.max(1e-9)
            );
            if r.stale_temporaries > 0 {
                t.push_str(&format!(
                    "removed {} temporary file(s) left by interrupted exports\n",
                    r.stale_temporaries
                ));
            }
            for f in &r.failures {
                t.push_str(&format!(
                    "failed {}: {}\n",
                    crate::format::printable(&f.partition),
                    crate::format::printable(&f.reason)
                ));
            }
            t
        }
    };
    super::write_stdout(&text)?;
    if !r.failures.is_empty() {
        bail!(
            "{} of {} partitions not written (the others are); see the list above",
            r.failures.len(),
            r.partitions
        );
    }
    Ok(())
}
