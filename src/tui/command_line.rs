//! The `:` command line (k9s habit): `:alloc`, `:assets`, `:cloud`, `:pipeline`, `:migration`
//! switch views, `:q` quits, and an aggregate key (`:ns`, `:pod`, `:cluster,label:team`, ...)
//! re-aggregates the current cost view (allocations when another view is shown), `:cols cpu,ram`
//! picks its columns (`:cols all`, `:cols` for the default), `:sort ram desc` sorts by a column
//! named by its title or JSON name (or `name`) without cycling through the others. One table,
//! [`VIEWS`], names every view word, so the help, the hint and the parser agree.

use crate::query::{Aggregate, DataKind, Filter, Sort, SortKey, column_index, columns, parse_aggregate, parse_filter};

use super::state::Tab;

/// View words, first the one the help shows: (words, view).
pub const VIEWS: &[(&[&str], Tab)] = &[
    (&["alloc", "allocation", "allocations"], Tab::Allocations),
    (&["assets", "asset"], Tab::Assets),
    (&["cloud", "cloudcost", "cloudcosts"], Tab::CloudCosts),
    (&["pipeline", "pipe"], Tab::Pipeline),
    (&["migration", "mig"], Tab::Migration),
    (&["savings", "save"], Tab::Savings),
];

/// k9s-style short names of aggregate keys: (short, key).
pub const KEY_ALIASES: &[(&str, &str)] = &[("ns", "namespace"), ("po", "pod"), ("no", "node"), ("svc", "service")];

/// What a command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineCommand {
    /// Show this view.
    Go(Tab),
    /// Aggregate `view` (a cost view) by these keys, and filter it when a filter is given (`:no`
    /// on Assets: the Node assets by name).
    Aggregate(Tab, Aggregate, Option<Filter>),
    /// Show these columns of `view` (indices into its kind's columns, in order); `None`: the
    /// default columns.
    Columns(Tab, Option<Vec<usize>>),
    /// Sort `view` (a cost view) this way.
    Sort(Tab, Sort),
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
    if let Some(rest) = word.strip_prefix("sort").filter(|r| r.is_empty() || r.starts_with(' ')) {
        return parse_sort(rest, view, kind);
    }
    let keys: Vec<&str> = word
        .split(',')
        .map(|k| {
            let k = k.trim();
            KEY_ALIASES.iter().find(|(short, _)| *short == k).map_or(k, |(_, key)| key)
        })
        .collect();
    let keys = keys.join(",");
    if kind == DataKind::Asset && keys == "node" {
        // Assets have no node key: k9s's `:no` there lists the Node assets by name.
        let aggregate = parse_aggregate("name", kind).map_err(|e| e.to_string())?;
        let filter = parse_filter(r#"assetType:"Node""#, kind).map_err(|e| e.to_string())?;
        return Ok(LineCommand::Aggregate(view, aggregate, Some(filter)));
    }
    match parse_aggregate(&keys, kind) {
        Ok(aggregate) if !word.is_empty() => Ok(LineCommand::Aggregate(view, aggregate, None)),
        _ => Err(format!(
            "unknown command {word:?}; try :{} · :ns · :pod · :cluster,label:team (an aggregate) · :q",
            VIEWS.iter().map(|(w, _)| w[0]).collect::<Vec<_>>().join(" :")
        )),
    }
}

/// `:sort` arguments: a column (title or JSON name, [`column_index`]) or `name`, then optionally
/// `asc` or `desc` (default: descending for columns, ascending for names, as `s` does).
fn parse_sort(rest: &str, view: Tab, kind: DataKind) -> Result<LineCommand, String> {
    let mut words = rest.split_whitespace();
    let usage = || {
        let names: Vec<&str> = columns(kind).iter().map(|c| c.title).collect();
        format!(
            "usage: :sort COLUMN [asc|desc]; columns of {}: name, {}",
            kind.plural(),
            names.join(", ")
        )
    };
    let key = match words.next() {
        None => return Err(usage()),
        Some(w) if w.eq_ignore_ascii_case("name") => SortKey::Name,
        Some(w) => match column_index(kind, w) {
            Some(i) => SortKey::Column(columns(kind)[i].id),
            None => return Err(format!("unknown column {w:?}; {}", usage())),
        },
    };
    let descending = match words.next().map(str::to_ascii_lowercase).as_deref() {
        None => key != SortKey::Name,
        Some("desc") => true,
        Some("asc") => false,
        Some(_) => return Err(usage()),
    };
    match words.next() {
        None => Ok(LineCommand::Sort(view, Sort { key, descending })),
        Some(_) => Err(usage()),
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
                parse_aggregate("namespace", DataKind::Allocation).unwrap(),
                None
            ))
        );
        assert_eq!(
            parse("cluster,ns", Tab::Migration),
            Ok(LineCommand::Aggregate(
                Tab::Allocations,
                parse_aggregate("cluster,namespace", DataKind::Allocation).unwrap(),
                None
            )),
            "outside a cost view an aggregate applies to allocations"
        );
        assert_eq!(
            parse("type", Tab::Assets),
            Ok(LineCommand::Aggregate(
                Tab::Assets,
                parse_aggregate("type", DataKind::Asset).unwrap(),
                None
            ))
        );
        // The guide's `:no` works on every cost view it names (issue 28).
        assert_eq!(
            parse("no", Tab::Assets),
            Ok(LineCommand::Aggregate(
                Tab::Assets,
                parse_aggregate("name", DataKind::Asset).unwrap(),
                Some(parse_filter(r#"assetType:"Node""#, DataKind::Asset).unwrap())
            ))
        );
        assert!(matches!(
            parse("no", Tab::Allocations),
            Ok(LineCommand::Aggregate(Tab::Allocations, _, None))
        ));
        // `:sort` picks a column by title or JSON name (issue 28: no cycling through ten).
        let ram = column_index(DataKind::Allocation, "ram").unwrap();
        let ram_sort = |descending| {
            Ok(LineCommand::Sort(
                Tab::Allocations,
                Sort {
                    key: SortKey::Column(columns(DataKind::Allocation)[ram].id),
                    descending,
                },
            ))
        };
        assert_eq!(parse("sort RAM", Tab::Allocations), ram_sort(true));
        assert_eq!(parse("sort ramCost asc", Tab::Allocations), ram_sort(false));
        assert!(matches!(
            parse("sort name", Tab::Assets),
            Ok(LineCommand::Sort(
                Tab::Assets,
                Sort {
                    key: SortKey::Name,
                    descending: false
                }
            ))
        ));
        for bad in ["sort", "sort bogus", "sort ram up", "sort ram asc x"] {
            assert!(parse(bad, Tab::Allocations).unwrap_err().contains("usage: :sort"), "{bad}");
        }
        let e = parse("bogus", Tab::Allocations).unwrap_err();
        assert!(e.contains("bogus") && e.contains(":alloc") && e.contains(":q"), "{e}");
        assert!(parse("", Tab::Allocations).is_err());
    }
}
