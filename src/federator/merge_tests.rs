//! Unit tests of [`super::Merger`].

use super::*;
use crate::model::{Allocation, AllocationProperties};

const S: i64 = 1_794_355_200;
const E: i64 = S + 86_400;

fn alloc(cluster: &str, name: &str, cpu_cost: f64) -> Allocation {
    Allocation {
        name: format!("{cluster}/{name}").into(),
        properties: Some(AllocationProperties {
            cluster: cluster.into(),
            ..Default::default()
        }),
        window: Window::utc(S, E),
        cpu_cost,
        ..Default::default()
    }
}

fn set(window: Window, items: &[Allocation], warning: Option<&str>, from_source: &str) -> Vec<u8> {
    let mut s = AllocationSet::empty(window);
    for a in items {
        s.allocations.as_mut().unwrap().0.push((a.name.clone(), Some(a.clone())));
    }
    s.warnings = warning.map(|w| vec![w.into()]);
    s.from_source = from_source.into();
    bingen::encode_allocation_set(&s)
}

#[test]
fn union_keeps_every_cluster_and_concatenates_warnings() {
    let mut m = Merger::new(Pipeline::Allocations, S, E).unwrap();
    assert_eq!(
        m.add(
            "a",
            &set(Window::utc(S, E), &[alloc("a", "x", 1.0), alloc("a", "y", 2.0)], Some("wa"), "src")
        )
        .unwrap(),
        2
    );
    assert_eq!(m.add("b", &set(Window::utc(S, E), &[], None, "src")).unwrap(), 0);
    assert_eq!(
        m.add("c", &set(Window::utc(S, E), &[alloc("c", "x", 4.0)], Some("wc"), "src"))
            .unwrap(),
        1
    );
    let out = m.finish();
    assert_eq!((out.items, out.sources), (3, 3));
    assert!(out.duplicates.is_empty());
    let s = bingen::decode_allocation_set(&out.bytes).unwrap();
    let names: Vec<&str> = s.iter().map(|a| &*a.name).collect();
    assert_eq!(names, ["a/x", "a/y", "c/x"]);
    assert_eq!(s.iter().map(|a| a.total_cost()).sum::<f64>(), 7.0);
    assert_eq!(s.warnings.unwrap(), vec![Str::from("wa"), Str::from("wc")]);
    assert_eq!(&*s.from_source, "src", "agreed tag is kept");
    assert_eq!(s.window, Window::utc(S, E));
}

#[test]
fn duplicate_keys_keep_the_first_and_are_reported() {
    let mut m = Merger::new(Pipeline::Allocations, S, E).unwrap();
    m.add("a", &set(Window::utc(S, E), &[alloc("a", "x", 1.0)], None, "one")).unwrap();
    assert_eq!(
        m.add("b", &set(Window::utc(S, E), &[alloc("a", "x", 5.0)], None, "two")).unwrap(),
        0
    );
    let out = m.finish();
    assert_eq!(out.duplicates, vec![("b".to_string(), Str::from("a/x"))]);
    let s = bingen::decode_allocation_set(&out.bytes).unwrap();
    assert_eq!(s.iter().map(|a| a.cpu_cost).collect::<Vec<_>>(), [1.0]);
    assert_eq!(&*s.from_source, "", "disagreeing tags are cleared");
}

#[test]
fn a_wrong_window_or_bad_bytes_are_rejected_without_harm() {
    let mut m = Merger::new(Pipeline::Allocations, S, E).unwrap();
    let err = m
        .add("a", &set(Window::utc(S - 86_400, S), &[alloc("a", "x", 1.0)], None, ""))
        .unwrap_err();
    assert!(err.to_string().contains("does not match"), "{err}");
    let err = m.add("b", b"BGST garbage").unwrap_err();
    assert!(err.to_string().starts_with("cannot decode"), "{err}");
    m.add("c", &set(Window::utc(S, E), &[alloc("c", "z", 1.0)], None, "")).unwrap();
    let out = m.finish();
    assert_eq!((out.items, out.sources), (1, 1));
}

#[test]
fn empty_inputs_give_opencosts_empty_set() {
    let out = Merger::new(Pipeline::Allocations, S, E).unwrap().finish();
    assert_eq!(out.bytes, bingen::encode_allocation_set(&AllocationSet::empty(Window::utc(S, E))));
    assert_eq!(out.bytes.len(), 77, "the size OpenCost writes for an empty AllocationSet");
    assert!(Merger::new(Pipeline::NetworkInsights, S, E).is_none());
}
