//! The doctor's report as text: one line per finding kind (count, bytes), a total, then each
//! non-empty kind's objects (at most [`KEYS_SHOWN`] per kind; `--format json` lists them all).

use std::fmt::Write;

use super::DoctorReport;
use crate::bucket::report::human_bytes;

/// Objects listed per kind in the table.
pub const KEYS_SHOWN: usize = 20;

/// The report as an aligned text table followed by the objects of each kind found.
pub fn render_table(r: &DoctorReport) -> String {
    let label_width = r
        .findings
        .iter()
        .map(|f| f.kind.label().len())
        .max()
        .unwrap_or(0)
        .max("FINDING".len());
    let mut out = String::new();
    let _ = writeln!(out, "{:<label_width$}  {:>6}  {:>9}", "FINDING", "COUNT", "BYTES");
    for f in &r.findings {
        let _ = writeln!(out, "{:<label_width$}  {:>6}  {:>9}", f.kind.label(), f.count, human_bytes(f.bytes));
    }
    let _ = writeln!(
        out,
        "\nTotal: {} finding(s); {} objects listed, {} sets decoded; hourly retention {} h before {}",
        r.total_findings,
        r.objects_listed,
        r.sets_decoded,
        r.hourly_retention_hours,
        r.generated_at.format("%Y-%m-%d %H:%M UTC")
    );
    for f in r.findings.iter().filter(|f| f.count > 0) {
        let _ = writeln!(out, "\n{} ({}, {}):", f.kind.label(), f.count, human_bytes(f.bytes));
        let key_width = f.items.iter().take(KEYS_SHOWN).map(|i| i.key.len()).max().unwrap_or(0);
        for i in f.items.iter().take(KEYS_SHOWN) {
            let _ = writeln!(out, "  {:<key_width$}  {:>9}  {}", i.key, human_bytes(i.bytes), i.detail);
        }
        if f.count > KEYS_SHOWN {
            let _ = writeln!(out, "  … and {} more (--format json lists every key)", f.count - KEYS_SHOWN);
        }
    }
    out
}
