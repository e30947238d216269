//! Tokenizer for filter language v2.
//!
//! Follows OpenCost `core/pkg/filter/ast/lexer.go`: the same operator set,
//! `"…"` strings, `[…]` keyed access and whitespace skipped between tokens.
//! Differences: strings accept backslash escapes (`\"`, `\\`, `\n`, `\t`,
//! `\r`); field names are not classified here (the parser does it per data
//! kind); and a character that starts no token becomes [`TokenKind::Other`]
//! so the parser can say what it expected at that spot.

use super::ast::Op;
use super::error::FilterError;

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenKind {
    /// A bare word: letters, digits, `-`, `_`, `.` (field names; an unquoted
    /// value also lexes as a word and is rejected by the parser).
    Word(String),
    /// Keyed access `[app]`, holding the key text between the brackets.
    Key(String),
    /// A double-quoted string, holding the unescaped text.
    Str(String),
    /// One of the eight comparison operators.
    Op(Op),
    /// `,` between values.
    Comma,
    /// `+` (AND).
    Plus,
    /// `|` (OR).
    Pipe,
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// Any other character (e.g. `=`), reported by the parser in context.
    Other(char),
    /// End of input.
    Eof,
}

/// A token and its byte span `[start, end)` in the input (usable for syntax
/// highlighting; [`FilterError::at_byte`] turns `start` into a column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The token.
    pub kind: TokenKind,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
}

impl TokenKind {
    /// Short description for error messages: `'+'`, `end of filter`,
    /// `word kubecost`, `"x"`.
    pub fn describe(&self) -> String {
        match self {
            TokenKind::Word(w) => w.clone(),
            TokenKind::Key(k) => format!("[{k}]"),
            TokenKind::Str(s) => {
                let mut out = String::new();
                let _ = super::ast::write_quoted(&mut out, s);
                out
            }
            TokenKind::Op(op) => format!("'{}'", op.symbol()),
            TokenKind::Comma => "','".into(),
            TokenKind::Plus => "'+'".into(),
            TokenKind::Pipe => "'|'".into(),
            TokenKind::LParen => "'('".into(),
            TokenKind::RParen => "')'".into(),
            TokenKind::Other(c) => format!("'{c}'"),
            TokenKind::Eof => "end of filter".into(),
        }
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_' || c == '.'
}

/// Splits `input` into tokens, ending with [`TokenKind::Eof`] (whose span is
/// the input length). Errors (with the column of the offending character):
/// a malformed operator such as `~` or `!<x`, an unterminated string or
/// `[key]`, an empty `[]`, and an unknown backslash escape.
pub fn tokenize(input: &str) -> Result<Vec<Token>, FilterError> {
    let mut out = Vec::new();
    let mut it = input.char_indices().peekable();
    let bad_op = |at: usize| FilterError::at_byte(input, at, format!("malformed operator; {}", Op::expected_list()));
    while let Some((start, c)) = it.next() {
        let simple = match c {
            ' ' | '\t' | '\n' | '\r' => continue,
            ',' => Some(TokenKind::Comma),
            '+' => Some(TokenKind::Plus),
            '|' => Some(TokenKind::Pipe),
            '(' => Some(TokenKind::LParen),
            ')' => Some(TokenKind::RParen),
            ':' => Some(TokenKind::Op(Op::Equals)),
            _ => None,
        };
        if let Some(kind) = simple {
            out.push(Token {
                kind,
                start,
                end: start + 1,
            });
            continue;
        }
        let kind = match c {
            '!' | '~' | '<' => {
                // Read the operator's remaining punctuation greedily, then
                // look it up; anything unknown is a malformed operator.
                let mut text = String::from(c);
                while let Some(&(_, n)) = it.peek() {
                    if matches!(n, '~' | '<' | '>' | ':') && !text.ends_with(':') {
                        text.push(n);
                        it.next();
                    } else {
                        break;
                    }
                }
                let op = super::ast::ALL_OPS.into_iter().find(|o| o.symbol() == text);
                TokenKind::Op(op.ok_or_else(|| bad_op(start))?)
            }
            '"' => TokenKind::Str(lex_string(input, start, &mut it)?),
            '[' => {
                let mut key = String::new();
                loop {
                    match it.next() {
                        Some((_, ']')) => break,
                        Some((_, ch)) => key.push(ch),
                        None => {
                            return Err(FilterError::at_byte(
                                input,
                                start,
                                "unterminated '[': expected a key and ']' as in label[app]",
                            ));
                        }
                    }
                }
                if key.trim().is_empty() {
                    return Err(FilterError::at_byte(input, start, "empty '[]': expected a key as in label[app]"));
                }
                TokenKind::Key(key.trim().to_string())
            }
            c if is_word_char(c) => {
                let mut w = String::from(c);
                while let Some(&(_, n)) = it.peek() {
                    if !is_word_char(n) {
                        break;
                    }
                    w.push(n);
                    it.next();
                }
                TokenKind::Word(w)
            }
            other => TokenKind::Other(other),
        };
        let end = it.peek().map_or(input.len(), |&(i, _)| i);
        out.push(Token { kind, start, end });
    }
    out.push(Token {
        kind: TokenKind::Eof,
        start: input.len(),
        end: input.len(),
    });
    Ok(out)
}

/// Reads the rest of a string whose opening quote is at byte `start`.
fn lex_string(input: &str, start: usize, it: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Result<String, FilterError> {
    let mut s = String::new();
    loop {
        match it.next() {
            Some((_, '"')) => return Ok(s),
            Some((at, '\\')) => match it.next() {
                Some((_, '"')) => s.push('"'),
                Some((_, '\\')) => s.push('\\'),
                Some((_, 'n')) => s.push('\n'),
                Some((_, 't')) => s.push('\t'),
                Some((_, 'r')) => s.push('\r'),
                Some(_) => {
                    return Err(FilterError::at_byte(
                        input,
                        at,
                        r#"unknown escape; accepted escapes are \" \\ \n \t \r"#,
                    ));
                }
                None => break,
            },
            Some((_, ch)) => s.push(ch),
            None => break,
        }
    }
    Err(FilterError::at_byte(
        input,
        start,
        "unterminated string: expected a closing '\"' for the string that starts here",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<TokenKind> {
        tokenize(s).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn all_operators() {
        let toks = kinds(r#": !: ~: !~: <~: !<~: ~>: !~>:"#);
        let ops: Vec<TokenKind> = super::super::ast::ALL_OPS.into_iter().map(TokenKind::Op).collect();
        assert_eq!(&toks[..8], &ops[..]);
        assert_eq!(toks[8], TokenKind::Eof);
    }

    #[test]
    fn comparison_tokens_and_spans() {
        let toks = tokenize(r#"label[app] : "a\"b" ,"c""#).unwrap();
        let k: Vec<_> = toks.iter().map(|t| t.kind.clone()).collect();
        assert_eq!(
            k,
            vec![
                TokenKind::Word("label".into()),
                TokenKind::Key("app".into()),
                TokenKind::Op(Op::Equals),
                TokenKind::Str("a\"b".into()),
                TokenKind::Comma,
                TokenKind::Str("c".into()),
                TokenKind::Eof
            ]
        );
        assert_eq!((toks[1].start, toks[1].end), (5, 10));
        assert_eq!((toks[3].start, toks[3].end), (13, 19));
    }

    #[test]
    fn string_escapes() {
        assert_eq!(kinds(r#""a\nb\tc\rd\\e\"f""#)[0], TokenKind::Str("a\nb\tc\rd\\e\"f".into()));
    }

    #[test]
    fn unknown_char_is_a_token() {
        assert_eq!(kinds("a=")[1], TokenKind::Other('='));
    }

    #[test]
    fn errors_with_columns() {
        let e = tokenize(r#"namespace:"abc"#).unwrap_err();
        assert_eq!(e.column, 11);
        assert!(e.message.contains("unterminated string"), "{}", e.message);
        assert_eq!(tokenize("pod~\"x\"").unwrap_err().column, 4);
        assert_eq!(tokenize("pod!<x").unwrap_err().column, 4);
        assert_eq!(tokenize("label[app").unwrap_err().column, 6);
        assert_eq!(tokenize("label[]").unwrap_err().column, 6);
        let e = tokenize(r#"pod:"a\qb""#).unwrap_err();
        assert_eq!(e.column, 7);
        assert!(e.message.contains("escape"));
    }
}
