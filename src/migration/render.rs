//! Text output of `costscope migration --format table`: one row per cluster (Thanos days, backup
//! days, federated days, ingested days, % done of the counted window, % of source days, last
//! write, ETA, phase), an overall row, the per-day strip (one letter per UTC day, a line of `━`
//! under the days the window counts, legend below), parity mismatches, Thanos facts and
//! unreadable files. The cell formatters are public so the TUI shows the same texts.

use std::fmt::Write;

use chrono::{DateTime, Utc};

use super::report::{ClusterPhase, ClusterReport, DayState, MigrationReport, Progress};

/// `61.9%`, or `—` when nothing is expected.
pub fn percent_text(p: Option<f64>) -> String {
    p.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"))
}

/// A span of seconds in its two largest units: `45s`, `12m`, `3h05m`, `2d04h`.
pub fn duration_text(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d{:02}h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// ETA cell: `done` at 100 %, the time left while files are being written (`3h05m`), else `—`
/// (stalled, or the missing days have nothing ETL Utils could write).
pub fn eta_text(p: &Progress) -> String {
    match (p.phase, p.eta_seconds) {
        // The ETA is the counted window's: done for a cluster whose earlier history is pending.
        (ClusterPhase::CaughtUp | ClusterPhase::Settling | ClusterPhase::HistoryPending, _) => "done".into(),
        (ClusterPhase::Migrating, Some(s)) => duration_text(s),
        _ => "—".into(),
    }
}

/// Last-write cell: `12m ago`, or `—` when no migration write was seen.
pub fn last_write_text(p: &Progress, now: DateTime<Utc>) -> String {
    p.last_write.map_or_else(
        || "—".to_string(),
        |t| format!("{} ago", duration_text((now - t).num_seconds() as f64)),
    )
}

/// Thanos-days cell: full days, plus partial days after a `+` (`44+1`).
pub fn thanos_days_text(c: &ClusterReport) -> String {
    if c.thanos_partial_days == 0 {
        c.thanos_full_days.to_string()
    } else {
        format!("{}+{}", c.thanos_full_days, c.thanos_partial_days)
    }
}

/// The per-day strip: one [`DayState::letter`] per day, oldest first.
pub fn strip(c: &ClusterReport) -> String {
    c.days.iter().map(|d| d.state.letter()).collect()
}

/// The counted-window marker under a strip: `━` under each day inside the progress window, a
/// space under the others (`days` as in [`ClusterReport::days`]).
pub fn counted_marks(c: &ClusterReport) -> String {
    c.days.iter().map(|d| if d.in_progress_window { '━' } else { ' ' }).collect()
}

/// `I ingested  M migrated  E empty file  P pending  T Thanos only  . no source`.
pub fn legend() -> String {
    DayState::ALL
        .iter()
        .map(|s| format!("{} {}", s.letter(), s.label()))
        .collect::<Vec<_>>()
        .join("  ")
}

/// The line above a strip of `days` cells: the first day's label at the left and the last day's
/// ending over the last cell (only the first when both do not fit).
pub fn ruler(days: usize, first: &str, last: &str) -> String {
    let (f, l) = (first.chars().count(), last.chars().count());
    if days > f + l {
        format!("{first}{}{last}", " ".repeat(days - f - l))
    } else {
        first.to_string()
    }
}

/// What one cell is computed from: the row's name, its cluster (`None` on the `(all)` row), the
/// progress figures and the clock.
pub struct CellInput<'a> {
    pub name: &'a str,
    pub cluster: Option<&'a ClusterReport>,
    pub progress: &'a Progress,
    pub now: DateTime<Utc>,
}

/// One column of the migration table, shared by the CLI table and the TUI's Migration tab: its
/// titles, alignment, the order narrow terminals keep it in, and its cell.
pub struct Column {
    /// Title in the CLI table (`SOURCE DAYS`).
    pub cli_title: &'static str,
    /// Title in the TUI (`src days`).
    pub tui_title: &'static str,
    /// Numbers are right-aligned, text left.
    pub right_aligned: bool,
    /// The TUI drops columns of higher `keep` first when the terminal is narrow (0 stays).
    pub keep: u8,
    /// The phase column: styled by phase in the TUI.
    pub is_phase: bool,
    /// The cell's text.
    pub cell: fn(&CellInput<'_>) -> String,
}

/// A count of the row's cluster, empty on the `(all)` row.
fn count(c: &CellInput<'_>, f: fn(&ClusterReport) -> usize) -> String {
    c.cluster.map_or_else(String::new, |c| f(c).to_string())
}

const fn col(
    cli_title: &'static str,
    tui_title: &'static str,
    right_aligned: bool,
    keep: u8,
    cell: fn(&CellInput<'_>) -> String,
) -> Column {
    Column {
        cli_title,
        tui_title,
        right_aligned,
        keep,
        is_phase: false,
        cell,
    }
}

/// Every column of the migration table, in display order.
pub const COLUMNS: &[Column] = &[
    col("CLUSTER", "cluster", false, 0, |c| c.name.to_string()),
    col("THANOS", "Thanos", true, 7, |c| c.cluster.map(thanos_days_text).unwrap_or_default()),
    col("BACKUP", "backup", true, 6, |c| count(c, |c| c.backup_days)),
    col("FEDERATED", "fed.", true, 5, |c| count(c, |c| c.federated_days)),
    col("INGESTED", "ingested", true, 8, |c| count(c, |c| c.ingested_days)),
    col("DONE", "done", true, 1, |c| percent_text(c.progress.percent_done)),
    col("SOURCE DAYS", "src days", true, 3, |c| {
        percent_text(c.progress.percent_of_source_days)
    }),
    col("LAST WRITE", "last write", false, 9, |c| last_write_text(c.progress, c.now)),
    col("ETA", "ETA", false, 4, |c| eta_text(c.progress)),
    Column {
        is_phase: true,
        ..col("STATE", "state", false, 2, |c| c.progress.phase.label().to_string())
    },
];

/// The cells of one cluster row (or the `(all)` row when `c` is `None`), in [`COLUMNS`] order.
pub fn row(name: &str, c: Option<&ClusterReport>, p: &Progress, now: DateTime<Utc>) -> Vec<String> {
    let input = CellInput {
        name,
        cluster: c,
        progress: p,
        now,
    };
    COLUMNS.iter().map(|col| (col.cell)(&input)).collect()
}

/// The whole text report. `now` is the clock for "ago" (usually [`MigrationReport::generated_at`]).
pub fn render_table(r: &MigrationReport, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let mut rows: Vec<Vec<String>> = vec![COLUMNS.iter().map(|c| c.cli_title.to_string()).collect()];
    rows.extend(r.clusters.iter().map(|c| row(&c.cluster, Some(c), &c.progress, now)));
    if r.clusters.len() > 1 {
        rows.push(row("(all)", None, &r.overall, now));
    }
    let widths: Vec<usize> = (0..COLUMNS.len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for cells in &rows {
        let line: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if COLUMNS[i].right_aligned {
                    format!("{v:>w$}", w = widths[i])
                } else {
                    format!("{v:<w$}", w = widths[i])
                }
            })
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    if r.clusters.is_empty() {
        out.push_str("\nno Thanos block, ETL backup or federated ETL file found\n");
        return out;
    }
    let (first, last) = (r.first_day.clone().unwrap_or_default(), r.last_day.clone().unwrap_or_default());
    let days = r.clusters[0].days.len();
    let _ = write!(out, "\ndays {first} … {last} ({days})");
    if let Some((a, b)) = &r.progress_window {
        let _ = write!(out, "; % done is measured over {a} … {b} (━ below the strips)");
    }
    out.push('\n');
    if let Some(t) = r.copied_at {
        let _ = writeln!(
            out,
            "bucket copied {} ago: object times are copy times; writes are counted after it",
            duration_text((now - t).num_seconds() as f64)
        );
    }
    let name_w = r
        .clusters
        .iter()
        .map(|c| c.cluster.chars().count())
        .max()
        .unwrap_or(0)
        .max("counted".len());
    let _ = writeln!(out, "{:name_w$}  {}", "", ruler(days, &first, &last));
    for c in &r.clusters {
        let _ = writeln!(out, "{:<name_w$}  {}", c.cluster, strip(c));
    }
    let _ = writeln!(out, "{:<name_w$}  {}", "counted", counted_marks(&r.clusters[0]).trim_end());
    let _ = writeln!(out, "legend: {}", legend());
    let checked: usize = r.clusters.iter().map(|c| c.parity_checked_days).sum();
    let _ = writeln!(
        out,
        "\nparity: {checked} migrated days checked, {} mismatches (tolerance $0.01)",
        r.mismatches.len()
    );
    for m in &r.mismatches {
        let _ = writeln!(
            out,
            "  {} {} {}: backup ${:.4} vs federated ${:.4} (Δ {:+.4})",
            m.cluster,
            m.day,
            m.pipeline,
            m.backup_total,
            m.federated_total,
            m.federated_total - m.backup_total
        );
    }
    let t = &r.thanos;
    let _ = writeln!(
        out,
        "thanos: {} blocks used (label {}); skipped {} partial upload(s), {} deletion-marked, {} without the label",
        t.blocks_used,
        t.cluster_label,
        t.partial_uploads.len(),
        t.deletion_marked.len(),
        t.unlabelled.len()
    );
    for p in &r.problems {
        let _ = writeln!(out, "unreadable: {}: {}", p.key, p.error);
    }
    out
}
