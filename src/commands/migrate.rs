//! `costscope migrate [--apply] [--clusters a,b] [--from D] [--to D] [--resolution 1d|1h]
//! [--pipelines allocations,assets] [--jobs N] [--manifest FILE] [--format table|json]`: plan
//! (and apply) the Thanos-era ETL backup → federated folders migration ([`crate::migrate`]).

use crate::audit::manifest::{Manifest, ManifestObject, ManifestWindow};
use crate::bucket::keys::{Pipeline, Resolution};
use crate::cli::{GlobalArgs, MigrateArgs, ReportFormat, UsageError};
use crate::migrate::{self, MigrateError, MigrateOptions, MigrateReport, Outcome};
use chrono::NaiveDate;
use color_eyre::eyre::{Result, WrapErr};

/// A `--from`/`--to` day as the Unix second its UTC day starts at, plus `days_after` days.
///
/// Errors: a [`UsageError`] naming the flag.
fn day_option(flag: &str, text: Option<&str>, days_after: i64) -> Result<Option<i64>, UsageError> {
    text.map(|t| {
        NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
            .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp() + days_after * 86_400)
            .map_err(|e| UsageError(format!("{flag} {t:?}: expected a UTC day YYYY-MM-DD ({e})")))
    })
    .transpose()
}

/// The options the arguments ask for. Errors: a bad `--from`/`--to`, or `--from` after `--to`.
pub fn options(global: &GlobalArgs, args: &MigrateArgs) -> Result<MigrateOptions, UsageError> {
    let from = day_option("--from", args.from.as_deref(), 0)?;
    let to = day_option("--to", args.to.as_deref(), 1)?;
    if let (Some(f), Some(t)) = (from, to)
        && f >= t
    {
        return Err(UsageError("--from is after --to".into()));
    }
    Ok(MigrateOptions {
        clusters: crate::cli::cluster_list(&args.clusters),
        from,
        to,
        resolutions: match args.resolution.as_deref() {
            Some(r) => Resolution::parse(r).into_iter().collect(),
            None => vec![Resolution::DAY, Resolution::HOUR],
        },
        pipelines: args.pipelines.iter().filter_map(|p| Pipeline::parse(p)).collect(),
        apply: args.apply,
        jobs: args.jobs.max(1),
        max_object_bytes: global.max_object_bytes(),
    })
}

/// The `verify` manifest (docs/audit.md) of the files this run wrote and verified.
pub fn manifest_of(store: &str, r: &MigrateReport) -> Manifest {
    let objects: Vec<ManifestObject> = r
        .rows
        .iter()
        .filter_map(|row| match (&row.outcome, &row.target_key) {
            (Some(Outcome::Verified { size, sha256 }), Some(key)) => Some(ManifestObject {
                key: key.clone(),
                size: *size,
                sha256: sha256.clone(),
                window: ManifestWindow::of(row.start, row.end),
                items: row.source.map(|s| s.items),
                total_cost: row.source.map(|s| s.total_cost),
            }),
            _ => None,
        })
        .collect();
    Manifest::with_objects(store, None, objects)
}

/// `costscope migrate`: plan, print the table (or JSON) on stdout; with `--apply` write, verify
/// and optionally record the manifest.
///
/// Errors: `--apply` with `--read-only` or a bad `--from`/`--to` (usage, exit 2); no store or a
/// bad store config; a listing that fails after retries; a manifest that cannot be written;
/// [`MigrateError::Failed`] (exit 1, after the report) when a file failed to write or verify.
pub async fn run(global: &GlobalArgs, args: MigrateArgs) -> Result<()> {
    if args.apply && global.read_only {
        return Err(UsageError("--apply writes into the bucket and --read-only forbids that; drop one of them".into()).into());
    }
    let opts = options(global, &args)?;
    let store = super::open_store(global)?;
    if let Some(path) = &args.manifest {
        super::refuse_output_inside("--manifest", path, store.local_root.as_deref())?;
    }
    let report = migrate::run(store.inner.clone(), &opts)
        .await
        .wrap_err_with(|| format!("migrating {}", store.description))?;
    let text = match args.format {
        ReportFormat::Table => format!("{}\n\n{}", store.description, migrate::render::render_table(&report)),
        ReportFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    super::write_stdout(&text)?;
    if let Some(path) = &args.manifest {
        let sha = manifest_of(&store.identity, &report)
            .write(path)
            .wrap_err_with(|| format!("writing the manifest {}", path.display()))?;
        eprintln!("manifest: {} (sha256 {sha})", path.display());
    }
    if report.summary.failed > 0 {
        return Err(MigrateError::Failed {
            failed: report.summary.failed,
        }
        .into());
    }
    Ok(())
}
