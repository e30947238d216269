//! In-memory evaluation of a [`Filter`] against any item that can report its
//! field values (an allocation, asset or cloud cost row).
//!
//! Runs the compiled tests of [`super::compile`], which follow OpenCost
//! `core/pkg/filter/matcher` (`StringMatcher`, `StringSliceMatcher`,
//! `StringMapMatcher`): a missing map key compares as the empty string,
//! `services:""` matches an empty list, `~:` on a list or a key-less map is
//! membership (like `:`), and a negated operator is the exact negation of its
//! positive form (`docs/semantics.md` §3).

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};

use super::ast::Filter;
use super::compile::{MapField, Node, Test, compile};
use super::field::Field;
use crate::query::labels::LabelConfig;

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
    /// A string field (`namespace`, `cluster`, …).
    Str(&'a str),
    /// A list field (`services`).
    List(&'a dyn StrList),
    /// A map field (`label`, `annotation`, `namespaceLabel`): the whole map;
    /// the evaluator applies the `[key]` itself.
    Map(&'a dyn KeyValues),
    /// The item has no such field (compares as `""`, an empty list or an
    /// empty map).
    Missing,
}

/// Anything a filter can be evaluated against.
///
/// `field` is called with scalar fields (→ `Str` or `Missing`), `services`
/// (→ `List`) and the key-less map fields `Label(None)`, `Annotation(None)`,
/// `NamespaceLabel(None)` (→ `Map`). Alias fields are never asked: they are
/// compiled to label/annotation lookups ([`super::compile`]).
pub trait FilterTarget {
    /// The value of `f` for this item.
    fn field(&self, f: &Field) -> FieldValue<'_>;
}

impl Filter {
    /// True when `target` passes the filter, with OpenCost's default label
    /// config for the alias fields ([`Filter::matches_with`]).
    pub fn matches(&self, target: &dyn FilterTarget) -> bool {
        self.matches_with(target, &LabelConfig::default())
    }

    /// True when `target` passes the filter, aliases resolved through
    /// `labels`. `All` and an empty `And` pass everything; an empty `Or`
    /// passes nothing. Semantics: `docs/semantics.md` §3.
    pub fn matches_with(&self, target: &dyn FilterTarget, labels: &LabelConfig) -> bool {
        eval(&compile(self, labels), target)
    }
}

fn eval(node: &Node, t: &dyn FilterTarget) -> bool {
    match node {
        Node::True => true,
        Node::And(v) => v.iter().all(|n| eval(n, t)),
        Node::Or(v) => v.iter().any(|n| eval(n, t)),
        Node::Not(n) => !eval(n, t),
        Node::Test(x) => test(x, t),
    }
}

fn map_of(t: &dyn FilterTarget, map: MapField) -> Option<&dyn KeyValues> {
    match t.field(&map.field()) {
        FieldValue::Map(m) => Some(m),
        _ => None,
    }
}

fn items<'t>(t: &'t dyn FilterTarget, field: &Field) -> Box<dyn Iterator<Item = &'t str> + 't> {
    match t.field(field) {
        FieldValue::List(l) => l.item_iter(),
        _ => Box::new(std::iter::empty()),
    }
}

fn test(x: &Test, t: &dyn FilterTarget) -> bool {
    match x {
        Test::Str { field, op, value } => {
            let have = match t.field(field) {
                FieldValue::Str(s) => s,
                _ => "",
            };
            op.test(have, value)
        }
        Test::MapValue { map, key, op, value } => op.test(map_of(t, *map).and_then(|m| m.value_of(key)).unwrap_or(""), value),
        Test::HasKey { map, key } => map_of(t, *map).is_some_and(|m| m.value_of(key).is_some()),
        Test::AnyKey { map, op, value } => map_of(t, *map).is_some_and(|m| m.key_iter().any(|k| op.test(k, value))),
        Test::ListHas { field, value } => {
            let mut empty = true;
            for s in items(t, field) {
                empty = false;
                if s == value {
                    return true;
                }
            }
            empty && value.is_empty()
        }
        Test::ListAny { field, op, value } => items(t, field).any(|s| op.test(s, value)),
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
        annotations: BTreeMap<String, String>,
    }

    impl FilterTarget for Alloc {
        fn field(&self, f: &Field) -> FieldValue<'_> {
            match f {
                Field::Namespace => FieldValue::Str(&self.namespace),
                Field::Services => FieldValue::List(&self.services),
                Field::Label(_) => FieldValue::Map(&self.labels),
                Field::Annotation(_) => FieldValue::Map(&self.annotations),
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
            annotations: BTreeMap::new(),
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
            (r#"services~:"dn""#, false),
            (r#"services~:"kube-dns""#, true),
            (r#"services!~:"dn""#, true),
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
            (r#"label~:"pp""#, false),
            (r#"label~:"app""#, true),
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
    fn alias_reads_label_then_annotation() {
        let t = item();
        assert!(m(r#"team:"infra""#, &t));
        assert!(m(r#"product:"cost-analyzer""#, &t), "product reads label app");
        let annotated = Alloc {
            labels: BTreeMap::new(),
            annotations: [("team".to_string(), "platform".to_string())].into_iter().collect(),
            ..item()
        };
        assert!(m(r#"team:"platform""#, &annotated));
        assert!(!m(r#"team:"__unallocated__""#, &annotated));
        let both = Alloc {
            annotations: [("team".to_string(), "platform".to_string())].into_iter().collect(),
            ..item()
        };
        assert!(!m(r#"team:"platform""#, &both), "a present label wins");
        assert!(m(r#"owner:"""#, &t));
        assert!(m(r#"owner:"__unallocated__""#, &t));
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
        assert!(m(r#"services~>:"dns""#, DataKind::Allocation));
        let none = P {
            services: None,
            labels: vec![],
        };
        let f = parse_filter(r#"services:"""#, DataKind::Allocation).unwrap();
        assert!(f.matches(&none));
    }
}
