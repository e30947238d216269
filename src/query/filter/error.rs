//! Filter parse errors that point at a column of the input.

use std::fmt;

/// A filter that failed to lex or parse.
///
/// `column` is 1-based and counts characters (not bytes); a column one past
/// the last character means "at the end of the input". `message` says what
/// was found and what was expected there, e.g.
/// `expected one of : !: ~: !~: <~: !<~: ~>: !~>: after field namespace, found '='`.
///
/// `Display` prints the message, the input, and a caret under the column:
///
/// ```text
/// filter error at column 11: expected a double-quoted value, found kubecost (quote it: "kubecost")
///   namespace:kubecost
///             ^
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// 1-based character column of the problem.
    pub column: usize,
    /// What was found and what was expected.
    pub message: String,
    /// The whole filter text that was parsed.
    pub input: String,
}

impl FilterError {
    /// Builds an error at byte offset `byte` of `input` (converted to a
    /// 1-based character column; offsets past the end mean "at the end").
    pub fn at_byte(input: &str, byte: usize, message: impl Into<String>) -> FilterError {
        let byte = byte.min(input.len());
        let column = input[..byte].chars().count() + 1;
        FilterError {
            column,
            message: message.into(),
            input: input.to_string(),
        }
    }
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "filter error at column {}: {}", self.column, self.message)?;
        // Keep the caret aligned under tabs by echoing them.
        let pad: String = self
            .input
            .chars()
            .take(self.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let shown: String = self.input.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
        writeln!(f, "  {shown}")?;
        write!(f, "  {pad}^")
    }
}

impl std::error::Error for FilterError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_under_column() {
        let e = FilterError::at_byte("namespace:kubecost", 10, "expected a quoted value");
        assert_eq!(e.column, 11);
        assert_eq!(
            e.to_string(),
            "filter error at column 11: expected a quoted value\n  namespace:kubecost\n            ^"
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let e = FilterError::at_byte("label[é]:x", 10, "m");
        assert_eq!(e.column, 10);
        let end = FilterError::at_byte("ab", 99, "m");
        assert_eq!(end.column, 3);
    }
}
