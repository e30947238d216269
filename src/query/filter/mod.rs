//! Kubecost filter language v2 (`filter=` parameter): lexer, parser, syntax
//! tree, in-memory evaluation and DuckDB SQL translation.
//!
//! Follows Kubecost docs `apis/filters-api.md` (see
//! docs/semantics.md §2–§4) and OpenCost `core/pkg/filter/ast`
//! (grammar, field names, operator meaning).
//!
//! ```text
//! namespace:"kubecost"+container:"cost-model"     AND
//! (namespace:"a"|namespace:"b")+cluster:"c"        OR inside AND needs ( )
//! namespace!:"kubecost","kube-system"              none of the values
//! label[app]:"cost-analyzer"                       map value (missing key = "")
//! label:"app"                                      map has key
//! services:"kube-dns"                              list contains
//! ```
//!
//! Operators: `:` equals, `!:`, `~:` contains, `!~:`, `<~:` starts with,
//! `!<~:`, `~>:` ends with, `!~>:`. Values are double-quoted with the
//! escapes `\" \\ \n \t \r`.
//!
//! Typical use:
//!
//! ```
//! use costscope::query::{DataKind, parse_filter};
//! let f = parse_filter(r#"namespace!:"kube-system""#, DataKind::Allocation).unwrap();
//! assert_eq!(f.to_string(), r#"namespace!:"kube-system""#);
//! ```

mod ast;
mod compile;
mod error;
mod eval;
mod field;
pub mod lexer;
mod parser;
mod sql;
mod target;

pub use ast::{ALL_OPS, Filter, Op, write_quoted};
pub use compile::{MapField, Node, StrOp, Test, compile};
pub use error::FilterError;
pub use eval::{FieldValue, FilterTarget, KeyValues, StrList};
pub use field::{Field, FieldShape};
pub use parser::{MAX_NESTING, parse_filter};
pub use sql::{Bind, SqlColumns, to_sql, to_sql_bound};
