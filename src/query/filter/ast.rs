//! The filter syntax tree and its canonical text form.
//!
//! Follows OpenCost `core/pkg/filter/ast` (`AndOp`, `OrOp`, `EqualOp`,
//! `ContainsOp`, `ContainsPrefixOp`, `ContainsSuffixOp`, `NotOp`, `VoidOp`),
//! kept closer to the surface syntax: a comparison keeps its operator and its
//! whole value list instead of being expanded into OR/AND/NOT nodes.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::field::Field;

/// A comparison operator of filter language v2.
///
/// Meaning per field shape (see [`super::FieldShape`]): on a string field it
/// compares the string; on `services` it asks whether *any element* matches
/// (`:` = list contains); on a bare `label`/`annotation` it asks whether *any
/// key* matches (`:` = has key). Negated operators are the exact negation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Op {
    /// `:` equals.
    Equals,
    /// `!:` not equals.
    NotEquals,
    /// `~:` contains (substring).
    Contains,
    /// `!~:` does not contain.
    NotContains,
    /// `<~:` starts with.
    StartsWith,
    /// `!<~:` does not start with.
    NotStartsWith,
    /// `~>:` ends with.
    EndsWith,
    /// `!~>:` does not end with.
    NotEndsWith,
}

/// Every operator in the order shown in error messages.
pub const ALL_OPS: [Op; 8] = [
    Op::Equals,
    Op::NotEquals,
    Op::Contains,
    Op::NotContains,
    Op::StartsWith,
    Op::NotStartsWith,
    Op::EndsWith,
    Op::NotEndsWith,
];

impl Op {
    /// The operator's text: `:`, `!:`, `~:`, `!~:`, `<~:`, `!<~:`, `~>:`, `!~>:`.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Equals => ":",
            Op::NotEquals => "!:",
            Op::Contains => "~:",
            Op::NotContains => "!~:",
            Op::StartsWith => "<~:",
            Op::NotStartsWith => "!<~:",
            Op::EndsWith => "~>:",
            Op::NotEndsWith => "!~>:",
        }
    }

    /// True for the four `!` operators.
    pub fn is_negated(self) -> bool {
        matches!(self, Op::NotEquals | Op::NotContains | Op::NotStartsWith | Op::NotEndsWith)
    }

    /// The operator without its `!` (identity for positive operators).
    pub fn positive(self) -> Op {
        match self {
            Op::NotEquals => Op::Equals,
            Op::NotContains => Op::Contains,
            Op::NotStartsWith => Op::StartsWith,
            Op::NotEndsWith => Op::EndsWith,
            p => p,
        }
    }

    /// `expected one of : !: ~: !~: <~: !<~: ~>: !~>:` — the list used in
    /// parse errors.
    pub fn expected_list() -> String {
        let syms: Vec<&str> = ALL_OPS.iter().map(|o| o.symbol()).collect();
        format!("expected one of {}", syms.join(" "))
    }
}

impl fmt::Display for Op {
    /// Prints [`Op::symbol`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// A parsed filter (Kubecost filter language v2).
///
/// * `All` matches everything; the empty filter string parses to it.
/// * `And`/`Or` hold two or more operands when produced by the parser
///   (`a+b+c`, `a|b|c`). An empty `And` matches everything, an empty `Or`
///   nothing.
/// * `Cmp` compares one field with one or more values. Several values mean
///   *any of* for positive operators and *none of* for negated ones:
///   `namespace!:"a","b"` keeps rows whose namespace is neither `a` nor `b`
///   (OpenCost expands this to `AND(NOT a, NOT b)`).
///
/// `Display` prints canonical text that [`super::parse_filter`] reads back to
/// an equal tree (nested groups are always parenthesised).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Filter {
    /// All operands must match.
    And(Vec<Filter>),
    /// At least one operand must match.
    Or(Vec<Filter>),
    /// `field op "v1","v2",…`
    Cmp {
        /// Left-hand side, with the map key for `label[k]`.
        field: Field,
        /// Comparison operator.
        op: Op,
        /// One or more values (unescaped).
        values: Vec<String>,
    },
    /// Matches everything (empty filter).
    All,
}

impl Filter {
    /// A single-value comparison, e.g. `Filter::cmp(Field::Namespace, Op::Equals, "kubecost")`.
    pub fn cmp(field: Field, op: Op, value: impl Into<String>) -> Filter {
        Filter::Cmp {
            field,
            op,
            values: vec![value.into()],
        }
    }

    /// `self AND other`, flattening nested `And`s and dropping `All`, so that
    /// adding drill-down conditions to a user filter stays readable.
    pub fn and(self, other: Filter) -> Filter {
        match (self, other) {
            (Filter::All, x) | (x, Filter::All) => x,
            (Filter::And(mut a), Filter::And(b)) => {
                a.extend(b);
                Filter::And(a)
            }
            (Filter::And(mut a), x) => {
                a.push(x);
                Filter::And(a)
            }
            (x, Filter::And(mut b)) => {
                b.insert(0, x);
                Filter::And(b)
            }
            (x, y) => Filter::And(vec![x, y]),
        }
    }

    /// True for `All` and for an empty `And`.
    pub fn is_all(&self) -> bool {
        match self {
            Filter::All => true,
            Filter::And(v) => v.iter().all(Filter::is_all),
            _ => false,
        }
    }
}

/// Writes `s` as a double-quoted filter string, escaping `"`, `\`, newline,
/// tab and carriage return with a backslash (the escapes the lexer accepts).
pub fn write_quoted(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

fn write_group(f: &mut fmt::Formatter<'_>, items: &[Filter], joiner: &str) -> fmt::Result {
    let mut first = true;
    for item in items {
        if joiner == "+" && item.is_all() {
            continue; // `All` is neutral under AND.
        }
        if !first {
            f.write_str(joiner)?;
        }
        first = false;
        match item {
            Filter::And(v) | Filter::Or(v) if v.len() != 1 => write!(f, "({item})")?,
            _ => write!(f, "{item}")?,
        }
    }
    Ok(())
}

impl fmt::Display for Filter {
    /// Canonical filter text: no spaces, canonical field names, values
    /// quoted and escaped, `+`/`|` between operands, nested groups in
    /// parentheses. `All` prints as the empty string. An `Or` that contains
    /// `All` prints as the empty string too (it matches everything); an empty
    /// `Or` prints `()`, which has no meaning and does not parse.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::All => Ok(()),
            Filter::And(items) => write_group(f, items, "+"),
            Filter::Or(items) if items.iter().any(Filter::is_all) => Ok(()),
            Filter::Or(items) if items.is_empty() => f.write_str("()"),
            Filter::Or(items) => write_group(f, items, "|"),
            Filter::Cmp { field, op, values } => {
                write!(f, "{field}{op}")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_quoted(f, v)?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_cmp_escapes() {
        let f = Filter::Cmp {
            field: Field::Label(Some("app".into())),
            op: Op::NotContains,
            values: vec!["a\"b".into(), "c\\d\n".into()],
        };
        assert_eq!(f.to_string(), r#"label[app]!~:"a\"b","c\\d\n""#);
    }

    #[test]
    fn display_groups_parenthesise_nested() {
        let a = Filter::cmp(Field::Namespace, Op::Equals, "a");
        let b = Filter::cmp(Field::Namespace, Op::Equals, "b");
        let c = Filter::cmp(Field::Cluster, Op::Equals, "c");
        let f = Filter::And(vec![Filter::Or(vec![a.clone(), b.clone()]), c.clone()]);
        assert_eq!(f.to_string(), r#"(namespace:"a"|namespace:"b")+cluster:"c""#);
        assert_eq!(Filter::All.to_string(), "");
        assert_eq!(Filter::And(vec![Filter::All, c.clone()]).to_string(), r#"cluster:"c""#);
        assert_eq!(Filter::Or(vec![Filter::All, c.clone()]).to_string(), "");
        assert_eq!(Filter::Or(vec![]).to_string(), "()");
    }

    #[test]
    fn and_combinator_flattens() {
        let a = Filter::cmp(Field::Namespace, Op::Equals, "a");
        let b = Filter::cmp(Field::Pod, Op::Equals, "b");
        assert_eq!(Filter::All.and(a.clone()), a);
        let ab = a.clone().and(b.clone());
        assert_eq!(ab, Filter::And(vec![a.clone(), b.clone()]));
        assert_eq!(ab.clone().and(a.clone()), Filter::And(vec![a.clone(), b.clone(), a.clone()]));
        assert!(Filter::And(vec![]).is_all());
    }

    #[test]
    fn op_table() {
        assert_eq!(Op::expected_list(), "expected one of : !: ~: !~: <~: !<~: ~>: !~>:");
        for op in ALL_OPS {
            assert_eq!(op.is_negated(), op.symbol().starts_with('!'));
            assert!(!op.positive().is_negated());
        }
    }
}
