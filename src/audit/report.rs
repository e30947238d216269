//! What an exported figure names about its inputs (docs/audit.md, "Reports"): the report header
//! of `--report-header` / `--manifest`, and the `--provenance` renderings of a row's sources.

use crate::query::{SourceObject, Window};

/// The header of a report: store identity (no secrets), window, the command line, costscope's
/// version and, when given, the sha256 of the manifest the figures were checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportHeader {
    pub store: String,
    pub window: Window,
    /// The command line after the program name, words joined by spaces (quoted when needed).
    pub query: String,
    pub version: String,
    pub manifest_sha256: Option<String>,
}

impl ReportHeader {
    /// A header for this process's command line.
    pub fn new(store: &str, window: &Window, manifest_sha256: Option<String>) -> ReportHeader {
        ReportHeader {
            store: store.to_string(),
            window: *window,
            query: command_line(std::env::args().skip(1)),
            version: env!("CARGO_PKG_VERSION").to_string(),
            manifest_sha256,
        }
    }

    /// The header as `# ` lines, put before a CSV header or a table.
    pub fn comment_lines(&self) -> String {
        let mut s = format!(
            "# costscope {} report\n# store: {}\n# window: {} .. {}\n# query: {}\n",
            self.version,
            self.store,
            self.window.start.to_rfc3339(),
            self.window.end.to_rfc3339(),
            self.query
        );
        if let Some(m) = &self.manifest_sha256 {
            s.push_str(&format!("# manifest sha256: {m}\n"));
        }
        s
    }
}

/// Words joined by spaces; a word with a space, quote or shell character is single-quoted.
fn command_line(words: impl Iterator<Item = String>) -> String {
    words
        .map(|w| {
            let plain = !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || "-_=.,/:@+".contains(c));
            if plain { w } else { format!("'{}'", w.replace('\'', "'\\''")) }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A row's sources for its CSV `sources` cell: `key@sha256` entries joined by `;`.
pub fn sources_cell(sources: &[SourceObject]) -> String {
    sources
        .iter()
        .map(|s| format!("{}@{}", s.key, s.sha256))
        .collect::<Vec<_>>()
        .join(";")
}

/// The lines under a table for one row: `sources of <name>: N objects, M items` and one indented
/// line per object (key, sha256's first 12 hex digits, items).
pub fn sources_lines(name: &str, sources: &[SourceObject]) -> String {
    let items: u64 = sources.iter().map(|s| s.rows).sum();
    let mut out = format!(
        "sources of {}: {} objects, {items} items\n",
        crate::format::printable(name),
        sources.len()
    );
    for s in sources {
        out.push_str(&format!(
            "  {}  sha256 {}  {} items\n",
            s.key,
            &s.sha256[..s.sha256.len().min(12)],
            s.rows
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn command_line_quotes_what_a_shell_would_split() {
        let words = ["allocation", "--filter", "namespace:\"a b\"", "--window", "7d"].map(String::from);
        assert_eq!(
            super::command_line(words.into_iter()),
            "allocation --filter 'namespace:\"a b\"' --window 7d"
        );
    }
}
