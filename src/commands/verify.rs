//! `costscope verify [--window W] [--format table|json] [--manifest FILE] [--against FILE]`
//! (docs/audit.md): read every ETL object, run the checks, print every finding; exit 1 when any
//! check failed.

use crate::audit::checks::Check;
use crate::audit::manifest::Manifest;
use crate::audit::verify::{VerifyInputs, VerifyReport, verify};
use crate::cli::{GlobalArgs, ReportFormat, UsageError, VerifyArgs};
use color_eyre::eyre::{Result, WrapErr, bail};

/// `costscope verify`.
///
/// Errors: no store / a bad config, a bad `--window`, an unreadable or edited `--against`
/// manifest, a `--manifest` path inside a FILESYSTEM bucket, a listing that fails, an unreadable
/// database; and, after the report is printed, any failed check.
pub async fn run(global: &GlobalArgs, args: VerifyArgs) -> Result<()> {
    let store = super::open_store(global)?;
    let window = super::window_bounds(args.window.as_deref())?;
    if let Some(m) = &args.manifest {
        // A manifest written into the bucket would be an object of the bucket it describes.
        super::refuse_output_inside("--manifest", m, store.local_root.as_deref())?;
    }
    let against = match &args.against {
        Some(path) => Some(Manifest::read(path).map_err(|e| UsageError(e.to_string()))?),
        None => None,
    };
    let db = global
        .db
        .clone()
        .unwrap_or_else(|| crate::aggregator::default_db_path(&store.identity));
    let ingest_log = match (args.no_ingest_log, db.exists()) {
        (false, true) => Some(super::open_db(&db)?.ingest_log()?),
        _ => None,
    };
    let inv = super::noting_waits(&store.description, crate::bucket::scan(&*store.inner))
        .await
        .wrap_err_with(|| format!("scanning {}", store.description))?;
    let inputs = VerifyInputs {
        max_object_bytes: global.max_object_bytes(),
        window,
        ingest_log,
        against,
    };
    let (report, records) = verify(store.inner.clone(), &store.identity, &inv, &inputs).await;
    let written = match &args.manifest {
        Some(path) => {
            let sha = Manifest::of(&store.identity, window, &records)
                .write(path)
                .wrap_err_with(|| format!("writing the manifest {}", path.display()))?;
            Some((path.display().to_string(), sha))
        }
        None => None,
    };
    let text = match args.format {
        ReportFormat::Table => table(&store.description, &report, &inputs, written.as_ref()),
        ReportFormat::Json => {
            let mut v = serde_json::to_value(&report)?;
            if let (Some((path, sha)), Some(o)) = (&written, v.as_object_mut()) {
                o.insert("manifest".into(), serde_json::json!({"path": path, "sha256": sha}));
            }
            if let Some(o) = v.as_object_mut() {
                o.insert("passed".into(), serde_json::json!(report.passed()));
            }
            serde_json::to_string_pretty(&v)? + "\n"
        }
    };
    super::write_stdout(&text)?;
    if !report.passed() {
        let counts: Vec<String> = report.counts().iter().map(|(c, n)| format!("{n} {}", c.name())).collect();
        bail!("verify failed: {} finding(s): {}", report.findings.len(), counts.join(", "));
    }
    Ok(())
}

/// The text report: what was read, one line per check, then every finding.
fn table(description: &str, r: &VerifyReport, inputs: &VerifyInputs, written: Option<&(String, String)>) -> String {
    let counts = r.counts();
    // A check that had nothing to compare shows `-`, not `ok`.
    let ran = |c: Check| match c {
        Check::HourlyDaily => r.compared.hourly_days > 0,
        Check::Combined => r.compared.combined_sets > 0,
        Check::IngestLog => r.ingest_log_entries.is_some(),
        Check::Manifest => inputs.against.is_some(),
        Check::Decode | Check::Name | Check::Empty | Check::Gap | Check::Overlap => true,
    };
    let mark = |c: Check| match counts.get(&c) {
        Some(n) => format!("FAILED ({n})"),
        None if ran(c) => "ok".to_string(),
        None => "-".to_string(),
    };
    let mut out = format!(
        "verify {description}\nobjects   {} ({:.1} MB), {} empty sets\n",
        r.objects,
        r.bytes as f64 / 1e6,
        r.empty_sets
    );
    let lines: [(Check, String); 9] = [
        (Check::Decode, "every object decodes".into()),
        (Check::Name, "key window = set window, one window of its resolution".into()),
        (Check::Empty, "files ≤ 86 B are empty sets and empty sets ≤ 86 B".into()),
        (Check::Gap, "no missing window between a series' first and last file".into()),
        (Check::Overlap, "no overlapping windows".into()),
        (
            Check::HourlyDaily,
            format!("24 hourly sets sum to their daily set ({} days compared)", r.compared.hourly_days),
        ),
        (
            Check::Combined,
            format!("federated/combined = sum of clusters ({} sets compared)", r.compared.combined_sets),
        ),
        (
            Check::IngestLog,
            match (r.ingest_log_entries, r.not_ingested_yet) {
                (Some(n), Some(y)) => format!("local ingest log matches the bucket ({n} entries; {y} objects not ingested yet)"),
                _ => "local ingest log: no database for this store (not compared)".into(),
            },
        ),
        (
            Check::Manifest,
            match &inputs.against {
                Some(m) => format!("bucket = manifest of {} ({} objects)", m.created_at, m.objects.len()),
                None => "manifest: none given (--against FILE)".into(),
            },
        ),
    ];
    for (check, what) in lines {
        out.push_str(&format!("{:<13} {:<10} {what}\n", check.name(), mark(check)));
    }
    if !r.findings.is_empty() {
        out.push_str("\nFINDINGS\n");
        for f in &r.findings {
            out.push_str(&format!(
                "{:<13} {}  {}\n",
                f.check.name(),
                crate::format::printable(&f.key),
                crate::format::printable(&f.reason)
            ));
        }
    }
    if !r.coverage.is_empty() {
        out.push_str("\nCOVERAGE (not a failure: windows other series of the bucket have)\n");
        for c in &r.coverage {
            out.push_str(&format!(
                "{} {} {}: {} window(s) of the federated window without a file, {} of the ETL backup not federated\n",
                crate::format::printable(&c.cluster),
                c.pipeline,
                c.resolution,
                c.missing_in_federated_window.len(),
                c.backup_only.len()
            ));
        }
    }
    if let Some((path, sha)) = written {
        out.push_str(&format!("\nmanifest  {path}  sha256 {sha}\n"));
    }
    out.push_str(if r.passed() { "\nverify passed\n" } else { "\nverify FAILED\n" });
    out
}
