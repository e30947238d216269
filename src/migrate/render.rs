//! `costscope migrate`'s text output: one aligned row per cluster × window × pipeline ×
//! resolution, then the problems, the notes and the summary line.

use super::{MigrateReport, Outcome, PlanRow, Share, Summary};
use crate::bucket::report::{human_bytes, window_label};
use crate::format::printable;

const HEADER: [&str; 9] = [
    "CLUSTER",
    "PIPELINE",
    "RES",
    "WINDOW",
    "STATE",
    "BACKUP ITEMS",
    "BACKUP COST",
    "FEDERATED COST",
    "RESULT",
];
/// Right-aligned columns (numbers).
const NUMERIC: [bool; 9] = [false, false, false, false, false, true, true, true, false];

fn cost(s: Option<Share>) -> String {
    s.map_or_else(|| "—".to_string(), |s| format!("{:.4}", s.total_cost))
}

fn cells(r: &PlanRow) -> [String; 9] {
    [
        printable(&r.cluster).into_owned(),
        r.pipeline.to_string(),
        r.resolution.to_string(),
        window_label(r.start, r.resolution),
        r.state.label().to_string(),
        r.source.map_or_else(|| "—".to_string(), |s| s.items.to_string()),
        cost(r.source),
        r.federated
            .map_or_else(String::new, |s| format!("{:.4} ({} items)", s.total_cost, s.items)),
        r.outcome.as_ref().map_or_else(String::new, |o| o.label().to_string()),
    ]
}

/// The plan as an aligned table, the problems of unreadable rows and failed writes, the notes and
/// the summary line ([`summary_line`]).
pub fn render_table(r: &MigrateReport) -> String {
    let rows: Vec<[String; 9]> = r.rows.iter().map(cells).collect();
    let mut width = HEADER.map(|h| h.chars().count());
    for c in &rows {
        for (w, v) in width.iter_mut().zip(c) {
            *w = (*w).max(v.chars().count());
        }
    }
    let mut out = String::new();
    let line = |vals: &[String], out: &mut String| {
        let mut l = String::new();
        for (i, v) in vals.iter().enumerate() {
            let pad = " ".repeat(width[i] - v.chars().count());
            if i > 0 {
                l.push_str("  ");
            }
            if NUMERIC[i] {
                l.push_str(&pad);
                l.push_str(v);
            } else {
                l.push_str(v);
                l.push_str(&pad);
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&HEADER.map(String::from), &mut out);
    for c in &rows {
        line(c, &mut out);
    }
    let problems: Vec<String> = r
        .rows
        .iter()
        .filter_map(|row| match (&row.problem, &row.outcome) {
            (Some(p), _) => Some(format!("unreadable  {}", printable(p))),
            (_, Some(Outcome::WriteFailed { reason } | Outcome::VerifyFailed { reason })) => Some(format!(
                "{}  {}",
                row.outcome.as_ref().map_or("", Outcome::label),
                printable(reason)
            )),
            _ => None,
        })
        .collect();
    if !problems.is_empty() {
        out.push_str("\nPROBLEMS\n");
        for p in problems {
            out.push_str(&p);
            out.push('\n');
        }
    }
    if !r.notes.is_empty() {
        out.push('\n');
        for n in &r.notes {
            out.push_str(&format!("note: {}\n", printable(n)));
        }
    }
    out.push('\n');
    out.push_str(&summary_line(r));
    out.push('\n');
    out
}

/// `migrate (dry run): 12 create, 3 same, 0 differs, 2 empty source, 0 unreadable; nothing
/// written; 1.2 MB read in 0.40 s` or, with `--apply`, `… ; 12 created, 12 verified, 0 failed;
/// 300 kB written …`.
pub fn summary_line(r: &MigrateReport) -> String {
    let Summary {
        create,
        same,
        differs,
        empty_source,
        unreadable,
        created,
        verified,
        failed,
    } = r.summary;
    let plan = format!("{create} create, {same} same, {differs} differs, {empty_source} empty source, {unreadable} unreadable");
    if r.applied {
        format!(
            "migrate --apply: {plan}; {created} created, {verified} verified, {failed} failed; {} read, {} written in {:.2} s",
            human_bytes(r.bytes_read),
            human_bytes(r.bytes_written),
            r.seconds
        )
    } else {
        format!(
            "migrate (dry run): {plan}; nothing written (--apply writes the {create} create file(s)); {} read in {:.2} s",
            human_bytes(r.bytes_read),
            r.seconds
        )
    }
}
