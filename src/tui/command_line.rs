//! The `:` command line (k9s habit): `:alloc`, `:assets`, `:cloud`, `:pipeline`, `:migration`
//! switch views, `:q` quits, and an aggregate key (`:ns`, `:pod`, `:cluster,label:team`, ...)
//! re-aggregates the current cost view (allocations when another view is shown), `:cols cpu,ram`
//! picks its columns (`:cols all`, `:cols` for the default). One table,
//! [`VIEWS`], names every view word, so the help, the hint and the parser agree.

use crate::query::{Aggregate, DataKind, column_index, columns, parse_aggregate};

use super::state::Tab;

/// View words, first the one the help shows: (words, view).
pub const VIEWS: &[(&[&str], Tab)] = &[
    (&["alloc", "allocation", "allocations"], Tab::Allocations),
    (&["assets", "asset"], Tab::Assets),
    (&["cloud", "cloudcost", "cloudcosts"], Tab::CloudCosts),
    (&["pipeline", "pipe"], Tab::Pipeline),
    (&["migration", "mig"], Tab::Migration),
];

/// k9s-style short names of aggregate keys: (short, key).
pub const KEY_ALIASES: &[(&str, &str)] = &[("ns", "namespace"), ("po", "pod"), ("no", "node"), ("svc", "service")];

/// What a command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineCommand {
    /// Show this view.
    Go(Tab),
    /// Aggregate `view` (a cost view) by these keys.
    Aggregate(Tab, Aggregate),
    /// Show these columns of `view` (indices into its kind's columns, in order); `None`: the
    /// default columns.
    Columns(Tab, Option<Vec<usize>>),
    /// Quit.
    Quit,
}

/// Parse the text typed after `:` while `current` is shown.
///
/// Errors: a one-line message naming what is accepted.
pub fn parse(text: &str, current: Tab) -> Result<LineCommand, String> {
    let word = text.trim().trim_start_matches(':').trim();
    if matches!(word, "q" | "q!" | "quit") {
        return Ok(LineCommand::Quit);
    }
    if let Some((_, tab)) = VIEWS.iter().find(|(words, _)| words.contains(&word)) {
        return Ok(LineCommand::Go(*tab));
    }
    let view = if current.kind().is_some() { current } else { Tab::Allocations };
    let kind = view.kind().unwrap_or(DataKind::Allocation);
    if let Some(rest) = ["columns", "cols"]
        .iter()
        .find_map(|p| word.strip_prefix(p).filter(|r| r.is_empty() || r.starts_with(' ')))
    {
        return parse_columns(rest, view, kind);
    }
    let keys: Vec<&str> = word
        .split(',')
        .map(|k| {
            let k = k.trim();
            KEY_ALIASES.iter().find(|(short, _)| *short == k).map_or(k, |(_, key)| key)
        })
        .collect();
    let keys = keys.join(",");
    match parse_aggregate(&keys, kind) {
        Ok(aggregate) if !word.is_empty() => Ok(LineCommand::Aggregate(view, aggregate)),
        _ => Err(format!(
            "unknown command {word:?}; try :{} · :ns · :pod · :cluster,label:team (an aggregate) · :q",
            VIEWS.iter().map(|(w, _)| w[0]).collect::<Vec<_>>().join(" :")
        )),
    }
}

/// `:cols` arguments: empty (default columns), `all`, or a comma/space list of column names
/// ([`column_index`]).
fn parse_columns(rest: &str, view: Tab, kind: DataKind) -> Result<LineCommand, String> {
    let rest = rest.trim();
    if rest.is_empty() {
        return Ok(LineCommand::Columns(view, None));
    }
    if rest.eq_ignore_ascii_case("all") {
        return Ok(LineCommand::Columns(view, Some((0..columns(kind).len()).collect())));
    }
    let mut chosen = Vec::new();
    for w in rest.split([',', ' ']).map(str::trim).filter(|w| !w.is_empty()) {
        match column_index(kind, w) {
            Some(i) if !chosen.contains(&i) => chosen.push(i),
            Some(_) => {}
            None => {
                let names: Vec<&str> = columns(kind).iter().map(|c| c.json()).collect();
                return Err(format!(
                    "unknown column {w:?} for {}; columns: {}, or all",
                    kind.plural(),
                    names.join(", ")
                ));
            }
        }
    }
    Ok(LineCommand::Columns(view, Some(chosen)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_quit_and_aggregates() {
        for (text, tab) in [
            ("alloc", Tab::Allocations),
            (" :assets ", Tab::Assets),
            ("cloud", Tab::CloudCosts),
            ("pipeline", Tab::Pipeline),
            ("migration", Tab::Migration),
        ] {
            assert_eq!(parse(text, Tab::Assets), Ok(LineCommand::Go(tab)), "{text}");
        }
        assert_eq!(parse("q", Tab::Pipeline), Ok(LineCommand::Quit));
        assert_eq!(
            parse("ns", Tab::Allocations),
            Ok(LineCommand::Aggregate(
                Tab::Allocations,
                parse_aggregate("namespace", DataKind::Allocation).unwrap()
            ))
        );
        assert_eq!(
            parse("cluster,ns", Tab::Migration),
            Ok(LineCommand::Aggregate(
                Tab::Allocations,
                parse_aggregate("cluster,namespace", DataKind::Allocation).unwrap()
            )),
            "outside a cost view an aggregate applies to allocations"
        );
        assert_eq!(
            parse("type", Tab::Assets),
            Ok(LineCommand::Aggregate(
                Tab::Assets,
                parse_aggregate("type", DataKind::Asset).unwrap()
            ))
        );
        let e = parse("bogus", Tab::Allocations).unwrap_err();
        assert!(e.contains("bogus") && e.contains(":alloc") && e.contains(":q"), "{e}");
        assert!(parse("", Tab::Allocations).is_err());
    }
}
