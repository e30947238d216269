//! The filter compiler: turns the surface syntax tree ([`Filter`]) into the tests OpenCost's
//! matcher runs, so the in-memory evaluator (`eval.rs`) and the SQL translation (`sql.rs`) share
//! one meaning.
//!
//! Passes, in OpenCost's order (`docs/semantics.md` §2–§4):
//! 1. **Aliases** — `team:"x"` reads the label named by the [`LabelConfig`], or, when the item
//!    has no such label, the annotation of that name; for `""`/`__unallocated__` also "neither".
//! 2. **Key sanitizing** is done by the parser (it knows the data kind).
//! 3. **`__unallocated__` → `""`** for every operator, so it means "empty or missing".
//!
//! Then each comparison becomes a [`Test`] per value: a positive operator ORs its values, a
//! negated one is the NOT of that OR.
//!
//! Follows OpenCost `core/pkg/filter/transform/unallocated.go`,
//! `core/pkg/opencost/allocationmatcher.go` (`NewAllocationAliasPass`), `core/pkg/filter/ast/parser.go`
//! (`:` on slices and key-less maps) and `core/pkg/filter/matcher/*matcher.go`.

use super::ast::{Filter, Op};
use super::field::{Field, FieldShape};
use crate::query::kind::UNALLOCATED;
use crate::query::labels::{LabelAlias, LabelConfig};

/// A map-valued field (`label`, `annotation`, `namespaceLabel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapField {
    /// `label` (on allocations: pod labels, then namespace labels).
    Label,
    /// `annotation`.
    Annotation,
    /// `namespaceLabel`.
    NamespaceLabel,
}

impl MapField {
    /// The key-less [`Field`] of this map (what [`super::SqlColumns`] is asked about).
    pub fn field(self) -> Field {
        match self {
            MapField::Label => Field::Label(None),
            MapField::Annotation => Field::Annotation(None),
            MapField::NamespaceLabel => Field::NamespaceLabel(None),
        }
    }

    fn of(field: &Field) -> Option<MapField> {
        match field {
            Field::Label(_) => Some(MapField::Label),
            Field::Annotation(_) => Some(MapField::Annotation),
            Field::NamespaceLabel(_) => Some(MapField::NamespaceLabel),
            _ => None,
        }
    }
}

/// A string comparison of a positive operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrOp {
    /// `:`.
    Equals,
    /// `~:` (substring).
    Contains,
    /// `<~:`.
    StartsWith,
    /// `~>:`.
    EndsWith,
}

impl StrOp {
    fn of(op: Op) -> StrOp {
        match op.positive() {
            Op::Contains => StrOp::Contains,
            Op::StartsWith => StrOp::StartsWith,
            Op::EndsWith => StrOp::EndsWith,
            _ => StrOp::Equals,
        }
    }

    /// Applies the comparison: `have <op> want`.
    pub fn test(self, have: &str, want: &str) -> bool {
        match self {
            StrOp::Equals => have == want,
            StrOp::Contains => have.contains(want),
            StrOp::StartsWith => have.starts_with(want),
            StrOp::EndsWith => have.ends_with(want),
        }
    }
}

/// One leaf test on one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// A string field (missing = `""`) compared with `value`.
    Str { field: Field, op: StrOp, value: String },
    /// The value under `key` of a map (missing key = `""`) compared with `value`.
    MapValue {
        map: MapField,
        key: String,
        op: StrOp,
        value: String,
    },
    /// The map has `key` (`label:"k"`, `label~:"k"`).
    HasKey { map: MapField, key: String },
    /// Some key of the map starts (`StartsWith`) or ends (`EndsWith`) with `value`.
    AnyKey { map: MapField, op: StrOp, value: String },
    /// Some element of a list field equals `value`, or the list is empty and `value` is `""`
    /// (`services:"a"`, `services~:"a"`).
    ListHas { field: Field, value: String },
    /// Some element starts (`StartsWith`) or ends (`EndsWith`) with `value`; an empty list never.
    ListAny { field: Field, op: StrOp, value: String },
}

/// A compiled filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// Matches everything.
    True,
    /// All must hold (empty = true).
    And(Vec<Node>),
    /// One must hold (empty = false).
    Or(Vec<Node>),
    /// Negation.
    Not(Box<Node>),
    /// A leaf.
    Test(Test),
}

/// Compiles `filter` with `labels` resolving the alias fields.
pub fn compile(filter: &Filter, labels: &LabelConfig) -> Node {
    match filter {
        Filter::All => Node::True,
        Filter::And(v) => Node::And(v.iter().map(|f| compile(f, labels)).collect()),
        Filter::Or(v) => Node::Or(v.iter().map(|f| compile(f, labels)).collect()),
        Filter::Cmp { field, op, values } => {
            let each: Vec<Node> = values
                .iter()
                .map(|v| {
                    let v = if v == UNALLOCATED { "" } else { v.as_str() };
                    positive(field, StrOp::of(*op), v, labels)
                })
                .collect();
            let any = if each.len() == 1 {
                each.into_iter().next().unwrap_or(Node::Or(Vec::new()))
            } else {
                Node::Or(each)
            };
            if op.is_negated() { Node::Not(Box::new(any)) } else { any }
        }
    }
}

/// The test of one value with a positive operator.
fn positive(field: &Field, op: StrOp, value: &str, labels: &LabelConfig) -> Node {
    if let Field::Alias(alias) = field {
        return alias_node(*alias, op, value, labels);
    }
    let value = value.to_string();
    let test = match (field.shape(), MapField::of(field)) {
        (FieldShape::Scalar, Some(map)) => Test::MapValue {
            map,
            key: field.map_key().unwrap_or_default().to_string(),
            op,
            value,
        },
        (FieldShape::MapKeys, Some(map)) => match op {
            StrOp::Equals | StrOp::Contains => Test::HasKey { map, key: value },
            _ => Test::AnyKey { map, op, value },
        },
        (FieldShape::List, _) => match op {
            StrOp::Equals | StrOp::Contains => Test::ListHas {
                field: field.clone(),
                value,
            },
            _ => Test::ListAny {
                field: field.clone(),
                op,
                value,
            },
        },
        _ => Test::Str {
            field: field.clone(),
            op,
            value,
        },
    };
    Node::Test(test)
}

/// `alias OP v` = (label K present ∧ label[K] OP v) ∨ (label K absent ∧ annotation K present ∧
/// annotation[K] OP v) ∨, for v = "", (neither present). OpenCost `convertAliasFilterToLabelAnnotationFilter`.
fn alias_node(alias: LabelAlias, op: StrOp, value: &str, labels: &LabelConfig) -> Node {
    let key = labels.key(alias);
    let has = |map| Node::Test(Test::HasKey { map, key: key.clone() });
    let cmp = |map| {
        Node::Test(Test::MapValue {
            map,
            key: key.clone(),
            op,
            value: value.to_string(),
        })
    };
    let not = |n| Node::Not(Box::new(n));
    let mut any = vec![
        Node::And(vec![has(MapField::Label), cmp(MapField::Label)]),
        Node::And(vec![
            not(has(MapField::Label)),
            has(MapField::Annotation),
            cmp(MapField::Annotation),
        ]),
    ];
    if value.is_empty() {
        any.push(Node::And(vec![not(has(MapField::Label)), not(has(MapField::Annotation))]));
    }
    Node::Or(any)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::filter::parse_filter;
    use crate::query::kind::DataKind;

    fn c(s: &str) -> Node {
        compile(&parse_filter(s, DataKind::Allocation).unwrap(), &LabelConfig::default())
    }

    #[test]
    fn unallocated_becomes_empty_for_every_operator() {
        assert_eq!(
            c(r#"namespace!~:"__unallocated__""#),
            Node::Not(Box::new(Node::Test(Test::Str {
                field: Field::Namespace,
                op: StrOp::Contains,
                value: String::new()
            })))
        );
    }

    #[test]
    fn key_only_and_list_contains_mean_membership() {
        assert_eq!(
            c(r#"label~:"app""#),
            Node::Test(Test::HasKey {
                map: MapField::Label,
                key: "app".into()
            })
        );
        assert_eq!(
            c(r#"services~:"a""#),
            Node::Test(Test::ListHas {
                field: Field::Services,
                value: "a".into()
            })
        );
    }

    #[test]
    fn alias_reads_the_configured_label() {
        let Node::Or(parts) = c(r#"product:"x""#) else { panic!() };
        assert_eq!(parts.len(), 2);
        let Node::Or(parts) = c(r#"product:"__unallocated__""#) else {
            panic!()
        };
        assert_eq!(parts.len(), 3);
        assert!(format!("{parts:?}").contains("key: \"app\""));
    }
}
