//! Text formatting for the TUI: dates, windows, relative times and width-aware truncation with
//! `…`, plus the numbers of [`crate::format`] (shared with the command line). Pure functions, no
//! terminal code.

use chrono::{DateTime, Utc};
use ratatui::text::Span;

pub use crate::format::{bytes, compact, cores, is_negative, money, percent, thousands, value};
use crate::query::Window;

/// `YYYY-MM-DD` of a UTC instant.
pub fn date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// The window with both dates. Day-aligned windows print their first and last *included* day
/// and the day count (`2026-11-15 – 2026-11-21 (7 days)`, the end being exclusive at midnight);
/// other windows print both instants (`2026-11-21 13:00 → 2026-11-22 13:00 UTC`).
pub fn window(w: &Window) -> String {
    if w.is_day_aligned() {
        let days = w.duration().num_days();
        let last = w.end - chrono::Duration::days(1);
        let unit = if days == 1 { "day" } else { "days" };
        if days == 1 {
            format!("{} (1 {unit})", date(w.start))
        } else {
            format!("{} – {} ({days} {unit})", date(w.start), date(last))
        }
    } else {
        format!("{} → {} UTC", w.start.format("%Y-%m-%d %H:%M"), w.end.format("%Y-%m-%d %H:%M"))
    }
}

/// Time of `t` with how long ago or ahead it is relative to `now`:
/// `10:20:30 UTC (2m ago)`, `10:30:00 UTC (in 8m)`; the date is added when it is not `now`'s day.
pub fn relative_time(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let clock = if t.date_naive() == now.date_naive() {
        t.format("%H:%M:%S UTC").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M UTC").to_string()
    };
    let secs = (now - t).num_seconds();
    let span = human_span(secs.unsigned_abs());
    if secs >= 0 {
        format!("{clock} ({span} ago)")
    } else {
        format!("{clock} (in {span})")
    }
}

fn human_span(secs: u64) -> String {
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m", secs / 60),
        3600..=86_399 => format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60),
        _ => format!("{}d", secs / 86_400),
    }
}

/// Display width of `s` in terminal cells.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

fn char_width(c: char) -> usize {
    let mut buf = [0u8; 4];
    width(c.encode_utf8(&mut buf))
}

/// `s` cut to at most `max` terminal cells, ending in `…` when something was cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = char_width(c);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `s` cut to at most `max` terminal cells by replacing its middle with `…`, keeping the start
/// and the end (so a long path keeps its file name).
pub fn truncate_middle(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max < 3 {
        return truncate(s, max);
    }
    let head_budget = (max - 1) / 3;
    let tail_budget = max - 1 - head_budget;
    let head = truncate(s, head_budget + 1);
    let head = head.trim_end_matches('…');
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = char_width(c);
        if used + w > tail_budget {
            break;
        }
        tail.push(c);
        used += w;
    }
    let tail: String = tail.into_iter().rev().collect();
    format!("{head}…{tail}")
}

/// Every name of `names` cut to `max` cells ([`truncate_middle`]), except that names whose cuts
/// would read the same although the names differ (`ip-10-0-1-12…internal/__idle__` for two nodes)
/// are cut around where they differ instead: a short head, `…`, the text from just before the
/// first difference, and `…` when more follows. Rows of one page stay distinguishable (issue 28).
pub fn truncate_distinct(names: &[String], max: usize) -> Vec<String> {
    let plain: Vec<String> = names.iter().map(|n| truncate_middle(n, max)).collect();
    (0..names.len())
        .map(|i| {
            let differs_at = (0..names.len())
                .filter(|&j| plain[j] == plain[i] && names[j] != names[i])
                .map(|j| names[i].chars().zip(names[j].chars()).take_while(|(a, b)| a == b).count())
                .min();
            match differs_at {
                Some(at) if max >= 8 => around(&names[i], at, max),
                _ => plain[i].clone(),
            }
        })
        .collect()
}

/// `s` shown from a little before char `at`, within `max` cells: `head…middle…`.
fn around(s: &str, at: usize, max: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let head_len = (max / 4).min(at);
    let head: String = chars[..head_len].iter().collect();
    let from = at.saturating_sub(2).max(head_len);
    let rest: String = chars[from..].iter().collect();
    let room = max.saturating_sub(width(&head) + 1);
    let sep = if from > head_len { "…" } else { "" };
    let room = room + usize::from(sep.is_empty());
    format!("{head}{sep}{}", truncate(&rest, room))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn names_that_would_read_the_same_are_cut_where_they_differ() {
        let names: Vec<String> = [
            "dev-ap-south-1/ip-10-0-1-12.ap-south-1.compute.internal/__idle__",
            "dev-ap-south-1/ip-10-0-3-12.ap-south-1.compute.internal/__idle__",
            "kube-system",
        ]
        .map(String::from)
        .to_vec();
        let cut = truncate_distinct(&names, 30);
        assert_ne!(cut[0], cut[1], "{cut:?}");
        assert!(cut.iter().all(|c| width(c) <= 30), "{cut:?}");
        assert!(cut[0].contains("1-12") && cut[1].contains("3-12"), "{cut:?}");
        assert!(cut[0].contains('…') && cut[0].starts_with("dev-ap"), "{cut:?}");
        assert_eq!(cut[2], "kube-system");
        // Names that stay apart when cut in the middle keep that cut.
        let apart: Vec<String> = ["alpha-service-one", "beta-service-two"].map(String::from).to_vec();
        assert_eq!(
            truncate_distinct(&apart, 10),
            apart.iter().map(|n| truncate_middle(n, 10)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn windows_show_both_dates() {
        let d = |day| Utc.with_ymd_and_hms(2026, 11, day, 0, 0, 0).unwrap();
        let w = Window::new(d(15), d(22)).unwrap();
        assert_eq!(window(&w), "2026-11-15 – 2026-11-21 (7 days)");
        let w = Window::new(d(21), d(22)).unwrap();
        assert_eq!(window(&w), "2026-11-21 (1 day)");
        let w = Window::new(d(21) + chrono::Duration::hours(13), d(22) + chrono::Duration::hours(13)).unwrap();
        assert_eq!(window(&w), "2026-11-21 13:00 → 2026-11-22 13:00 UTC");
    }

    #[test]
    fn truncation_is_width_aware() {
        assert_eq!(truncate("kube-system", 20), "kube-system");
        assert_eq!(truncate("kube-system", 6), "kube-…");
        assert_eq!(width(&truncate("日本語のなまえ", 5)), 5);
        assert_eq!(truncate("abc", 0), "");
        let msg = "exported 5 rows to /tmp/exports/costscope-allocations-namespace-20261123T005147Z.csv";
        let cut = truncate_middle(msg, 60);
        assert_eq!(width(&cut), 60);
        assert!(
            cut.starts_with("exported 5 rows to") && cut.ends_with("20261123T005147Z.csv"),
            "{cut}"
        );
        assert_eq!(truncate_middle("short", 60), "short");
    }

    #[test]
    fn relative_times() {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 10, 30, 0).unwrap();
        assert_eq!(relative_time(now - chrono::Duration::seconds(150), now), "10:27:30 UTC (2m ago)");
        assert_eq!(relative_time(now + chrono::Duration::minutes(8), now), "10:38:00 UTC (in 8m)");
        assert_eq!(relative_time(now - chrono::Duration::days(2), now), "2026-11-20 10:30 UTC (2d ago)");
    }
}
