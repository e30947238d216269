//! Recursive-descent parser for filter language v2.
//!
//! Grammar (follows OpenCost `core/pkg/filter/ast/parser.go`):
//!
//! ```text
//! filter     ::= ε | group
//! group      ::= element ( '+' element )* | element ( '|' element )*
//! element    ::= '(' group ')' | comparison
//! comparison ::= field ( '[' key ']' )? op string ( ',' string )*
//! op         ::= ':' | '!:' | '~:' | '!~:' | '<~:' | '!<~:' | '~>:' | '!~>:'
//! ```
//!
//! Mixing `+` and `|` in one group without parentheses is an error, as in
//! OpenCost. Unlike OpenCost, parsing stops at the first error (reported with
//! its column) instead of collecting several.

use super::ast::{Filter, Op};
use super::error::FilterError;
use super::field::{Field, FieldShape};
use super::lexer::{Token, TokenKind, tokenize};
use crate::query::kind::DataKind;
use crate::query::labels::sanitize_key;

/// Parses `s` as a filter over `kind`'s fields. The empty (or all-blank)
/// string gives [`Filter::All`]. Field names are case-sensitive, as in
/// OpenCost (a wrong case gets a "did you mean" hint); values must be
/// double-quoted. For allocations and assets, map keys (`label[k]`) and the
/// keys given to key-only forms (`label:"k"`) are sanitized to their
/// Prometheus form ([`sanitize_key`]).
///
/// Errors: [`FilterError`] with the 1-based column and what was expected
/// there — the operator list after a field, a quoted value after an
/// operator, the valid field names for `kind` for an unknown field, `)` for
/// an unclosed `(`, and parentheses when `+` and `|` are mixed.
///
/// Follows Kubecost docs `apis/filters-api.md` and OpenCost `core/pkg/filter/ast`.
pub fn parse_filter(s: &str, kind: DataKind) -> Result<Filter, FilterError> {
    let tokens = tokenize(s)?;
    let mut p = Parser {
        input: s,
        tokens,
        pos: 0,
        kind,
        depth: 0,
    };
    if p.peek().kind == TokenKind::Eof {
        return Ok(Filter::All);
    }
    let f = p.group(None)?;
    // `group(None)` only returns at end of input.
    debug_assert_eq!(p.peek().kind, TokenKind::Eof);
    Ok(f)
}

/// The most parentheses open at once. Each level is a call of the parser here and of the
/// compiler and both evaluators later, so 10,000 of them overflowed the stack (issue 35.9); real
/// filters nest a few levels.
pub const MAX_NESTING: usize = 64;

struct Parser<'a> {
    input: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    kind: DataKind,
    /// Parentheses open at the current position.
    depth: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Joiner {
    And,
    Or,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos]
    }

    fn advance(&mut self) -> Token {
        let t = self.tokens[self.pos].clone();
        if t.kind != TokenKind::Eof {
            self.pos += 1;
        }
        t
    }

    fn err(&self, tok: &Token, message: impl Into<String>) -> FilterError {
        FilterError::at_byte(self.input, tok.start, message)
    }

    fn column_of(&self, byte: usize) -> usize {
        self.input[..byte].chars().count() + 1
    }

    /// Parses operands joined by one kind of joiner. `open` is the byte
    /// offset of the `(` this group is inside, `None` at top level. Returns
    /// with the closing `)` (or end of input) not consumed.
    fn group(&mut self, open: Option<usize>) -> Result<Filter, FilterError> {
        let mut items = vec![self.element()?];
        let mut joiner: Option<(Joiner, usize)> = None;
        loop {
            let tok = self.peek().clone();
            let this = match tok.kind {
                TokenKind::Plus => Joiner::And,
                TokenKind::Pipe => Joiner::Or,
                TokenKind::RParen if open.is_some() => break,
                TokenKind::RParen => {
                    return Err(self.err(&tok, "unmatched ')': there is no '(' before it"));
                }
                TokenKind::Eof => match open {
                    Some(at) => {
                        let msg = format!(
                            "expected ')' to close the '(' at column {}, found end of filter",
                            self.column_of(at)
                        );
                        return Err(self.err(&tok, msg));
                    }
                    None => break,
                },
                ref other => {
                    let close = if open.is_some() { ", ')'" } else { "" };
                    let msg = format!(
                        "expected '+' (and), '|' (or){close} or end of filter after a comparison, found {}",
                        other.describe()
                    );
                    return Err(self.err(&tok, msg));
                }
            };
            match joiner {
                Some((first, at)) if first != this => {
                    let (a, b) = if first == Joiner::And { ("+", "|") } else { ("|", "+") };
                    let msg = format!(
                        "cannot mix '{a}' and '{b}' at the same level (the '{a}' is at column {}); \
                         add parentheses, e.g. (x+y)|z or x+(y|z)",
                        self.column_of(at)
                    );
                    return Err(self.err(&tok, msg));
                }
                Some(_) => {}
                None => joiner = Some((this, tok.start)),
            }
            self.advance();
            items.push(self.element()?);
        }
        Ok(match joiner {
            None => items.pop().expect("one element"),
            Some((Joiner::And, _)) => Filter::And(items),
            Some((Joiner::Or, _)) => Filter::Or(items),
        })
    }

    fn element(&mut self) -> Result<Filter, FilterError> {
        let tok = self.peek().clone();
        match tok.kind {
            TokenKind::LParen => {
                if self.depth >= MAX_NESTING {
                    let msg = format!("too deeply nested: more than {MAX_NESTING} '(' open at once");
                    return Err(self.err(&tok, msg));
                }
                self.advance();
                self.depth += 1;
                let inner = self.group(Some(tok.start))?;
                self.depth -= 1;
                let close = self.advance();
                debug_assert_eq!(close.kind, TokenKind::RParen);
                Ok(inner)
            }
            TokenKind::Word(_) => self.comparison(),
            ref other => Err(self.err(
                &tok,
                format!(
                    "expected a comparison like namespace:\"kube-system\" or '(', found {}",
                    other.describe()
                ),
            )),
        }
    }

    fn comparison(&mut self) -> Result<Filter, FilterError> {
        let name_tok = self.advance();
        let TokenKind::Word(name) = &name_tok.kind else {
            unreachable!("element() checked for a word");
        };
        let mut field = Field::from_name(name, self.kind).ok_or_else(|| {
            let hint = match Field::case_hint(name, self.kind) {
                Some(n) => format!(" (field names are case-sensitive: did you mean '{n}'?)"),
                None => String::new(),
            };
            self.err(
                &name_tok,
                format!(
                    "unknown filter field '{name}' for {}{hint}; valid fields: {}",
                    self.kind.plural(),
                    Field::names_for(self.kind)
                ),
            )
        })?;
        // Allocation and asset label keys are stored in Prometheus form, so the key a user types
        // is sanitized the same way (docs/semantics.md §1); cloud-cost keys are kept as typed.
        let sanitize = self.kind != DataKind::CloudCost;
        let fix = |k: String| if sanitize { sanitize_key(&k) } else { k };
        if let TokenKind::Key(key) = &self.peek().kind {
            let key = key.clone();
            let key_tok = self.advance();
            field = match field.with_key(Some(fix(key))) {
                Some(keyed) => keyed,
                None => {
                    return Err(self.err(
                        &key_tok,
                        format!("field {field} takes no [key]; only label[...], annotation[...] and namespaceLabel[...] do"),
                    ));
                }
            };
        }
        let op_tok = self.advance();
        let op = match op_tok.kind {
            TokenKind::Op(op) => op,
            ref other => {
                let msg = format!("{} after field {field}, found {}", Op::expected_list(), other.describe());
                return Err(self.err(&op_tok, msg));
            }
        };
        let mut values = vec![self.value(&field, op)?];
        while self.peek().kind == TokenKind::Comma {
            self.advance();
            values.push(self.value(&field, op)?);
        }
        if field.shape() == FieldShape::MapKeys {
            // `label:"app.kubernetes.io/name"`: the value is a key.
            values = values.into_iter().map(fix).collect();
        }
        Ok(Filter::Cmp { field, op, values })
    }

    fn value(&mut self, field: &Field, op: Op) -> Result<String, FilterError> {
        let tok = self.advance();
        match tok.kind {
            TokenKind::Str(s) => Ok(s),
            TokenKind::Word(ref w) => Err(self.err(
                &tok,
                format!("expected a double-quoted value after {field}{op}, found {w} (quote it: \"{w}\")"),
            )),
            ref other => Err(self.err(
                &tok,
                format!("expected a double-quoted value after {field}{op}, found {}", other.describe()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alloc(s: &str) -> Filter {
        parse_filter(s, DataKind::Allocation).unwrap_or_else(|e| panic!("{e}"))
    }

    fn err(s: &str) -> FilterError {
        parse_filter(s, DataKind::Allocation).unwrap_err()
    }

    fn eq(field: Field, v: &str) -> Filter {
        Filter::cmp(field, Op::Equals, v)
    }

    #[test]
    fn nesting_is_bounded_with_the_column_of_the_first_paren_too_many() {
        let nested = |n: usize| format!("{}namespace:\"a\"{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(alloc(&nested(MAX_NESTING)), eq(Field::Namespace, "a"));
        let e = err(&nested(10_000));
        assert_eq!(e.column, MAX_NESTING + 1, "{e}");
        assert!(e.message.contains("too deeply nested"), "{e}");
        // Depth counts open parentheses, not their total.
        let wide = vec![nested(MAX_NESTING); 50].join("+");
        assert!(parse_filter(&wide, DataKind::Allocation).is_ok());
    }

    #[test]
    fn empty_is_all() {
        assert_eq!(alloc(""), Filter::All);
        assert_eq!(alloc("  \t"), Filter::All);
    }

    #[test]
    fn spec_examples() {
        assert_eq!(
            alloc(r#"namespace:"kubecost"+container:"cost-model""#),
            Filter::And(vec![eq(Field::Namespace, "kubecost"), eq(Field::Container, "cost-model")])
        );
        assert_eq!(
            alloc(r#"cluster!:"cluster-one""#),
            Filter::cmp(Field::Cluster, Op::NotEquals, "cluster-one")
        );
        assert_eq!(
            alloc(r#"namespace!:"kubecost","kube-system""#),
            Filter::Cmp {
                field: Field::Namespace,
                op: Op::NotEquals,
                values: vec!["kubecost".into(), "kube-system".into()]
            }
        );
        assert_eq!(
            alloc(r#"label[app]:"cost-analyzer""#),
            eq(Field::Label(Some("app".into())), "cost-analyzer")
        );
        assert_eq!(
            alloc(r#"(namespace:"a"|namespace:"b")+cluster:"c""#),
            Filter::And(vec![
                Filter::Or(vec![eq(Field::Namespace, "a"), eq(Field::Namespace, "b")]),
                eq(Field::Cluster, "c")
            ])
        );
    }

    #[test]
    fn whitespace_case_and_nesting() {
        assert_eq!(
            alloc(" ( ( namespace : \"a\" ) ) | label [ app ] ~: \"x\" "),
            Filter::Or(vec![
                eq(Field::Namespace, "a"),
                Filter::cmp(Field::Label(Some("app".into())), Op::Contains, "x")
            ])
        );
        assert_eq!(alloc(r#"team:"t""#), eq(Field::Alias(crate::query::LabelAlias::Team), "t"));
        assert_eq!(alloc(r#"annotation:"k""#), eq(Field::Annotation(None), "k"));
    }

    #[test]
    fn every_operator() {
        for op in super::super::ast::ALL_OPS {
            let f = alloc(&format!("pod{}\"x\"", op.symbol()));
            assert_eq!(f, Filter::cmp(Field::Pod, op, "x"));
        }
    }

    #[test]
    fn unquoted_value_points_at_it() {
        let e = err("namespace:kubecost");
        assert_eq!(e.column, 11);
        assert!(e.message.contains("double-quoted") && e.message.contains("\"kubecost\""), "{e}");
    }

    #[test]
    fn wrong_operator_lists_operators() {
        let e = err(r#"namespace="x""#);
        assert_eq!(e.column, 10);
        assert!(e.message.contains("expected one of : !: ~: !~: <~: !<~: ~>: !~>:"), "{e}");
        assert!(e.message.contains("'='"), "{e}");
    }

    #[test]
    fn unknown_field_lists_fields_for_kind() {
        let e = err(r#"namespace:"a"+bogus:"b""#);
        assert_eq!(e.column, 15);
        assert!(
            e.message.contains("'bogus'") && e.message.contains("controllerName") && e.message.contains("team"),
            "{e}"
        );
        let e = parse_filter(r#"namespace:"a""#, DataKind::Asset).unwrap_err();
        assert!(e.message.contains("assetType") && !e.message.contains("controllerName"), "{e}");
        let e = parse_filter(r#"cluster:"a""#, DataKind::CloudCost).unwrap_err();
        assert!(e.message.contains("invoiceEntityID"), "{e}");
    }

    #[test]
    fn mixing_and_or_is_rejected() {
        let e = err(r#"namespace:"x"+cluster:"y"|pod:"z""#);
        assert_eq!(e.column, 26);
        assert!(e.message.contains("cannot mix") && e.message.contains("column 14"), "{e}");
        let e = err(r#"namespace:"x"|cluster:"y"+pod:"z""#);
        assert_eq!(e.column, 26);
        // The spec's abstract example uses unknown fields; it fails too.
        assert!(parse_filter(r#"a:"x"+b:"y"|c:"z""#, DataKind::Allocation).is_err());
        // Parentheses make it legal.
        alloc(r#"(namespace:"x"+cluster:"y")|pod:"z""#);
    }

    #[test]
    fn parens_must_balance() {
        let e = err(r#"(namespace:"a""#);
        assert_eq!(e.column, 15);
        assert!(e.message.contains("expected ')'") && e.message.contains("column 1"), "{e}");
        let e = err(r#"namespace:"a")"#);
        assert_eq!(e.column, 14);
        assert!(e.message.contains("unmatched ')'"), "{e}");
        let e = err("()");
        assert_eq!(e.column, 2);
    }

    #[test]
    fn trailing_and_leading_joiners() {
        let e = err(r#"namespace:"a"+"#);
        assert_eq!(e.column, 15);
        assert!(e.message.contains("found end of filter"), "{e}");
        assert_eq!(err(r#"+namespace:"a""#).column, 1);
        assert_eq!(err(r#"namespace:"a","#).column, 15);
        assert_eq!(err(r#"namespace:"a" pod:"b""#).column, 15);
    }

    #[test]
    fn unterminated_string() {
        let e = err(r#"namespace:"kube"#);
        assert_eq!(e.column, 11);
        assert!(e.message.contains("unterminated"), "{e}");
    }

    #[test]
    fn key_only_on_maps() {
        let e = err(r#"namespace[x]:"a""#);
        assert_eq!(e.column, 10);
        assert!(e.message.contains("takes no [key]"), "{e}");
        let e = err(r#"label[app]"x""#);
        assert_eq!(e.column, 11);
    }
}
