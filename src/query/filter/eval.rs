//! In-memory evaluation of a [`Filter`] against any item that can report its
//! field values (an allocation, asset or cloud cost row).
//!
//! Follows OpenCost `core/pkg/filter/matcher` (`StringMatcher`,
//! `StringSliceMatcher`, `StringMapMatcher`): a missing map key compares as
//! the empty string, `services:""` matches an empty list, and a negated
//! operator is the exact negation of its positive form. One deliberate
//! difference: on a list or a bare map, `~:`/`<~:`/`~>:` test each element
//! (or key) for substring/prefix/suffix, where OpenCost treats `~:` there as
//! exact membership; exact membership is still `:`.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};

use super::ast::{Filter, Op};
use super::field::{Field, FieldShape};

/// A list of strings a [`FilterTarget`] can expose for `services`.
/// Implemented for `Vec<T>` with `T: AsRef<str>` (so both `Vec<String>` and
/// the model's `Vec<Arc<str>>` work without copying).
pub trait StrList {
    /// The elements, in any order.
    fn item_iter(&self) -> Box<dyn Iterator<Item = &str> + '_>;
}

impl<T: AsRef<str>> StrList for Vec<T> {
    fn item_iter(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.iter().map(AsRef::as_ref))
    }
}

/// A string→string map a [`FilterTarget`] can expose for `label` and
/// `annotation`. Implemented for `HashMap<K, V>`, `BTreeMap<K, V>` (`K:
/// Borrow<str>`) and `Vec<(K, V)>` (`K: AsRef<str>`), with `V: AsRef<str>`,
/// so `String` and `Arc<str>` keys/values both work; the model's ordered
/// map (a `Vec<(Arc<str>, Arc<str>)>` inside) can pass its inner vector.
pub trait KeyValues {
    /// The value stored under `key`, if any.
    fn value_of(&self, key: &str) -> Option<&str>;
    /// Every key, in any order.
    fn key_iter(&self) -> Box<dyn Iterator<Item = &str> + '_>;
}

impl<K, V, S> KeyValues for HashMap<K, V, S>
where
    K: Borrow<str> + Hash + Eq,
    V: AsRef<str>,
    S: BuildHasher,
{
    fn value_of(&self, key: &str) -> Option<&str> {
        self.get(key).map(AsRef::as_ref)
    }
    fn key_iter(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.keys().map(Borrow::borrow))
    }
}

impl<K: Borrow<str> + Ord, V: AsRef<str>> KeyValues for BTreeMap<K, V> {
    fn value_of(&self, key: &str) -> Option<&str> {
        self.get(key).map(AsRef::as_ref)
    }
    fn key_iter(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.keys().map(Borrow::borrow))
    }
}

impl<K: AsRef<str>, V: AsRef<str>> KeyValues for Vec<(K, V)> {
    fn value_of(&self, key: &str) -> Option<&str> {
        self.iter().find(|(k, _)| k.as_ref() == key).map(|(_, v)| v.as_ref())
    }
    fn key_iter(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        Box::new(self.iter().map(|(k, _)| k.as_ref()))
    }
}

/// A field's value as reported by a [`FilterTarget`].
#[derive(Clone, Copy)]
pub enum FieldValue<'a> {
    /// A string field (`namespace`, `cluster`, …), or an already-resolved
    /// `label[k]` / alias value.
    Str(&'a str),
    /// A list field (`services`).
    List(&'a dyn StrList),
    /// A map field (`label`, `annotation`): the whole map; the evaluator
    /// applies the `[key]` itself.
    Map(&'a dyn KeyValues),
    /// The item has no such field (compares as `""`, an empty list or an
    /// empty map). For an alias field (`team`, …) it means "not resolved
    /// here: read `label[team]` instead".
    Missing,
}

/// Anything a filter can be evaluated against.
///
/// `field` is called with the field of each comparison:
/// * scalar fields → `Str` (or `Missing`),
/// * `services` → `List`,
/// * `label`/`annotation`, with or without a key → `Map` with the whole map
///   (returning `Str` for a keyed field is also accepted),
/// * alias fields (`department`, `environment`, `owner`, `product`, `team`)
///   → `Str` if the target maps them itself, else `Missing`, and the
///   evaluator falls back to `label[<alias>]`.
pub trait FilterTarget {
    /// The value of `f` for this item.
    fn field(&self, f: &Field) -> FieldValue<'_>;
}

impl Filter {
    /// True when `target` passes the filter. `All` and an empty `And` pass
    /// everything; an empty `Or` passes nothing. See the module docs for the
    /// per-shape operator semantics.
    pub fn matches(&self, target: &dyn FilterTarget) -> bool {
        match self {
            Filter::All => true,
            Filter::And(items) => items.iter().all(|f| f.matches(target)),
            Filter::Or(items) => items.iter().any(|f| f.matches(target)),
            Filter::Cmp { field, op, values } => {
                let hit = values.iter().any(|v| positive_match(target, field, op.positive(), v));
                hit != op.is_negated()
            }
        }
    }
}

/// String comparison for a positive operator.
fn str_match(op: Op, have: &str, want: &str) -> bool {
    match op {
        Op::Equals => have == want,
        Op::Contains => have.contains(want),
        Op::StartsWith => have.starts_with(want),
        Op::EndsWith => have.ends_with(want),
        negated => unreachable!("positive_match is given positive ops, got {negated:?}"),
    }
}

/// Evaluates one value against a field with a positive operator.
fn positive_match(target: &dyn FilterTarget, field: &Field, op: Op, want: &str) -> bool {
    match field.shape() {
        FieldShape::Scalar => str_match(op, scalar_value(target, field), want),
        FieldShape::List => {
            let mut items: Box<dyn Iterator<Item = &str>> = match target.field(field) {
                FieldValue::List(l) => l.item_iter(),
                FieldValue::Str(s) => Box::new(std::iter::once(s)),
                FieldValue::Map(_) | FieldValue::Missing => Box::new(std::iter::empty()),
            };
            if op == Op::Equals {
                // OpenCost: `services:""` also matches an empty list.
                let mut empty = true;
                for s in items {
                    empty = false;
                    if s == want {
                        return true;
                    }
                }
                return empty && want.is_empty();
            }
            items.any(|s| str_match(op, s, want))
        }
        FieldShape::MapKeys => match target.field(field) {
            FieldValue::Map(m) => {
                if op == Op::Equals {
                    m.value_of(want).is_some()
                } else {
                    m.key_iter().any(|k| str_match(op, k, want))
                }
            }
            _ => false,
        },
    }
}

/// The string value of a scalar-shaped field: plain fields, `label[k]`,
/// `annotation[k]` and aliases (with the `label[<alias>]` fallback).
fn scalar_value<'t>(target: &'t dyn FilterTarget, field: &Field) -> &'t str {
    if let Some(alias) = field.alias_label() {
        if let FieldValue::Str(s) = target.field(field) {
            return s;
        }
        return scalar_value(target, &Field::Label(Some(alias.to_string())));
    }
    match target.field(field) {
        FieldValue::Str(s) => s,
        FieldValue::Map(m) => field.map_key().and_then(|k| m.value_of(k)).unwrap_or(""),
        FieldValue::List(_) | FieldValue::Missing => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::filter::parse_filter;
    use crate::query::kind::DataKind;

    struct Alloc {
        namespace: String,
        services: Vec<String>,
        labels: BTreeMap<String, String>,
        team: Option<String>,
    }

    impl FilterTarget for Alloc {
        fn field(&self, f: &Field) -> FieldValue<'_> {
            match f {
                Field::Namespace => FieldValue::Str(&self.namespace),
                Field::Services => FieldValue::List(&self.services),
                Field::Label(_) => FieldValue::Map(&self.labels),
                Field::Team => self.team.as_deref().map_or(FieldValue::Missing, FieldValue::Str),
                _ => FieldValue::Missing,
            }
        }
    }

    fn item() -> Alloc {
        Alloc {
            namespace: "kube-system".into(),
            services: vec!["kube-dns".into(), "metrics".into()],
            labels: [("app".to_string(), "cost-analyzer".to_string()), ("team".into(), "infra".into())]
                .into_iter()
                .collect(),
            team: None,
        }
    }

    fn m(f: &str, t: &Alloc) -> bool {
        parse_filter(f, DataKind::Allocation).unwrap().matches(t)
    }

    #[test]
    fn scalar_truth_table() {
        let t = item();
        let rows: &[(&str, bool)] = &[
            (r#"namespace:"kube-system""#, true),
            (r#"namespace:"kube""#, false),
            (r#"namespace!:"kube-system""#, false),
            (r#"namespace!:"kube""#, true),
            (r#"namespace~:"be-sy""#, true),
            (r#"namespace~:"zzz""#, false),
            (r#"namespace!~:"be-sy""#, false),
            (r#"namespace!~:"zzz""#, true),
            (r#"namespace<~:"kube-""#, true),
            (r#"namespace<~:"system""#, false),
            (r#"namespace!<~:"kube-""#, false),
            (r#"namespace!<~:"system""#, true),
            (r#"namespace~>:"system""#, true),
            (r#"namespace~>:"kube""#, false),
            (r#"namespace!~>:"system""#, false),
            (r#"namespace!~>:"kube""#, true),
            (r#"namespace:"a","kube-system""#, true),
            (r#"namespace!:"a","kube-system""#, false),
            (r#"namespace!:"a","b""#, true),
            (r#"pod:"""#, true),
            (r#"pod!:"""#, false),
        ];
        for (f, want) in rows {
            assert_eq!(m(f, &t), *want, "{f}");
        }
    }

    #[test]
    fn list_truth_table() {
        let t = item();
        for (f, want) in [
            (r#"services:"kube-dns""#, true),
            (r#"services:"kube""#, false),
            (r#"services!:"kube-dns""#, false),
            (r#"services~:"dn""#, true),
            (r#"services!~:"dn""#, false),
            (r#"services<~:"metr""#, true),
            (r#"services~>:"dns""#, true),
            (r#"services!~>:"xyz""#, true),
            (r#"services:"""#, false),
        ] {
            assert_eq!(m(f, &t), want, "{f}");
        }
        let empty = Alloc {
            services: vec![],
            ..item()
        };
        assert!(m(r#"services:"""#, &empty));
        assert!(!m(r#"services~:"a""#, &empty));
        assert!(m(r#"services!:"a""#, &empty));
    }

    #[test]
    fn map_truth_table() {
        let t = item();
        for (f, want) in [
            (r#"label:"app""#, true),
            (r#"label:"ap""#, false),
            (r#"label!:"app""#, false),
            (r#"label~:"pp""#, true),
            (r#"label<~:"te""#, true),
            (r#"label~>:"am""#, true),
            (r#"label!~>:"am""#, false),
            (r#"label[app]:"cost-analyzer""#, true),
            (r#"label[app]<~:"cost""#, true),
            (r#"label[app]!:"cost-analyzer""#, false),
            (r#"label[missing]:"""#, true),
            (r#"label[missing]!:"x""#, true),
            (r#"annotation:"app""#, false),
            (r#"annotation[x]:"""#, true),
        ] {
            assert_eq!(m(f, &t), want, "{f}");
        }
    }

    #[test]
    fn alias_falls_back_to_label_unless_resolved() {
        let t = item();
        assert!(m(r#"team:"infra""#, &t));
        let mapped = Alloc {
            team: Some("platform".into()),
            ..item()
        };
        assert!(m(r#"team:"platform""#, &mapped));
        assert!(!m(r#"team:"infra""#, &mapped));
        assert!(m(r#"owner:"""#, &t));
    }

    #[test]
    fn groups() {
        let t = item();
        assert!(m(r#"(namespace:"a"|namespace:"kube-system")+label[app]:"cost-analyzer""#, &t));
        assert!(!m(r#"namespace:"kube-system"+label[app]:"x""#, &t));
        assert!(m(r#"namespace:"x"|(label:"app"+services:"metrics")"#, &t));
        assert!(m("", &t));
        assert!(!Filter::Or(vec![]).matches(&t));
        assert!(Filter::And(vec![]).matches(&t));
    }

    #[test]
    fn arc_str_model_shapes_work() {
        use std::sync::Arc;
        // The shapes of `model::AllocationProperties`: Arc<str> strings,
        // Option<Vec<Arc<str>>> services, an ordered Vec of label pairs.
        struct P {
            services: Option<Vec<Arc<str>>>,
            labels: Vec<(Arc<str>, Arc<str>)>,
        }
        impl FilterTarget for P {
            fn field(&self, f: &Field) -> FieldValue<'_> {
                match f {
                    Field::Label(_) => FieldValue::Map(&self.labels),
                    Field::Services => self.services.as_ref().map_or(FieldValue::Missing, |l| FieldValue::List(l)),
                    _ => FieldValue::Missing,
                }
            }
        }
        let p = P {
            services: Some(vec![Arc::from("kube-dns")]),
            labels: vec![(Arc::from("env"), Arc::from("prod"))],
        };
        let m = |f: &str, kind| parse_filter(f, kind).unwrap().matches(&p);
        assert!(m(r#"label[env]:"prod""#, DataKind::Asset));
        assert!(m(r#"label:"env""#, DataKind::CloudCost));
        assert!(m(r#"services~:"dns""#, DataKind::Allocation));
        let none = P {
            services: None,
            labels: vec![],
        };
        let f = parse_filter(r#"services:"""#, DataKind::Allocation).unwrap();
        assert!(f.matches(&none));
    }
}
