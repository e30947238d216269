//! Tests of `aggregate=` parsing and the key facts (facts F5/F6 of `docs/semantics-facts.md`).

use super::*;

#[test]
fn allocation_keys_and_aliases() {
    let a = parse_aggregate(
        "cluster, node,namespace,controllerkind,CONTROLLER,service,pod,container",
        DataKind::Allocation,
    )
    .unwrap();
    assert_eq!(
        a.to_string(),
        "cluster,node,namespace,controllerKind,controller,service,pod,container"
    );
    let a = parse_aggregate("namespace,label:app.kubernetes.io/name,annotation: owner/x ", DataKind::Allocation).unwrap();
    assert_eq!(
        a.keys(),
        &[
            AggregateKey::Namespace,
            AggregateKey::Label("app_kubernetes_io_name".into()),
            AggregateKey::Annotation("owner_x".into())
        ]
    );
    assert_eq!(
        parse_aggregate("controllerName", DataKind::Allocation).unwrap().0,
        vec![AggregateKey::Controller]
    );
    assert_eq!(
        parse_aggregate("Team", DataKind::Allocation).unwrap().0,
        vec![AggregateKey::Alias(LabelAlias::Team)]
    );
    assert!(parse_aggregate("", DataKind::Allocation).unwrap().is_empty());
    assert_eq!(parse_aggregate("Label:App", DataKind::Allocation).unwrap().to_string(), "label:App");
}

#[test]
fn asset_and_cloud_keys() {
    let a = parse_aggregate(
        "type,cluster,category,provider,providerid,account,project,service,name,label:env",
        DataKind::Asset,
    )
    .unwrap();
    assert_eq!(
        a.to_string(),
        "type,cluster,category,provider,providerID,account,project,service,name,label:env"
    );
    let c = parse_aggregate(
        "invoiceEntityID,accountID,provider,providerID,category,service,label:team,invoiceEntityName,accountName,regionID,availabilityZone",
        DataKind::CloudCost,
    )
    .unwrap();
    assert_eq!(c.0.len(), 11);
    assert_eq!(parse_aggregate(&c.to_string(), DataKind::CloudCost).unwrap(), c);
}

#[test]
fn errors_list_accepted_keys_for_the_kind() {
    let e = parse_aggregate("namespace,bogus", DataKind::Allocation).unwrap_err();
    let m = e.to_string();
    assert!(m.contains("\"bogus\""), "{m}");
    for k in [
        "cluster",
        "node",
        "namespace",
        "controllerKind",
        "controller",
        "service",
        "pod",
        "container",
        "label:<name>",
        "annotation:<name>",
    ] {
        assert!(m.contains(k), "{m} lacks {k}");
    }
    let m = parse_aggregate("namespace", DataKind::Asset).unwrap_err().to_string();
    assert!(m.contains("for assets") && m.contains("providerID") && m.contains("type"), "{m}");
    assert!(!m.contains("annotation"), "{m}");
    let m = parse_aggregate("pod", DataKind::CloudCost).unwrap_err().to_string();
    assert!(m.contains("invoiceEntityID") && m.contains("availabilityZone"), "{m}");
    assert!(matches!(
        parse_aggregate("annotation:x", DataKind::Asset),
        Err(AggregateError::Unknown { .. })
    ));
    assert!(matches!(
        parse_aggregate("label:", DataKind::Asset),
        Err(AggregateError::Incomplete { .. })
    ));
    assert!(matches!(
        parse_aggregate("pod,,node", DataKind::Allocation),
        Err(AggregateError::Incomplete { .. })
    ));
    assert!(matches!(
        parse_aggregate("pod,Pod", DataKind::Allocation),
        Err(AggregateError::Duplicate { .. })
    ));
}

#[test]
fn drill_down_chain() {
    let mut k = AggregateKey::Cluster;
    let mut chain = vec![k.to_string()];
    while let Some(n) = k.finer(DataKind::Allocation) {
        chain.push(n.to_string());
        k = n;
    }
    assert_eq!(chain, ["cluster", "namespace", "controller", "pod", "container"]);
    assert_eq!(
        AggregateKey::Label("a".into()).finer(DataKind::Allocation),
        Some(AggregateKey::Controller)
    );
    assert_eq!(AggregateKey::Deployment.finer(DataKind::Allocation), Some(AggregateKey::Pod));
    assert_eq!(AggregateKey::Type.finer(DataKind::Asset), Some(AggregateKey::Name));
    assert_eq!(AggregateKey::Name.finer(DataKind::Asset), None);
}

#[test]
fn filter_for_drill_down() {
    let f = AggregateKey::Controller.filter_for(DataKind::Allocation, "web").unwrap();
    assert_eq!(f.to_string(), r#"controllerKind:""+controllerName:"web""#);
    let f = AggregateKey::Controller
        .filter_for(DataKind::Allocation, "statefulset:queue-cfs")
        .unwrap();
    assert_eq!(f.to_string(), r#"controllerKind:"statefulset"+controllerName:"queue-cfs""#);
    let f = AggregateKey::Label("app".into())
        .filter_for(DataKind::Allocation, UNALLOCATED)
        .unwrap();
    assert_eq!(f.to_string(), r#"label[app]:"""#);
    let f = AggregateKey::Service.filter_for(DataKind::Allocation, "svc").unwrap();
    assert_eq!(f.to_string(), r#"services:"svc""#);
    let f = AggregateKey::Type.filter_for(DataKind::Asset, "Node").unwrap();
    assert_eq!(f.to_string(), r#"assetType:"Node""#);
    assert!(AggregateKey::Pod.filter_for(DataKind::Asset, "x").is_none());
}

#[test]
fn controller_kind_shortcuts_and_label_aliases() {
    let a = parse_aggregate("deployment,StatefulSet,daemonset,job,cronjob", DataKind::Allocation).unwrap();
    assert_eq!(a.to_string(), "deployment,statefulset,daemonset,job,cronjob");
    let f = AggregateKey::Deployment.filter_for(DataKind::Allocation, "web").unwrap();
    assert_eq!(f.to_string(), r#"controllerKind:"deployment"+controllerName:"web""#);
    let f = AggregateKey::Deployment.filter_for(DataKind::Allocation, UNALLOCATED).unwrap();
    assert_eq!(f.to_string(), r#"controllerKind!:"deployment"|controllerName:"""#);
    for alias in ["department", "environment", "owner", "product", "team"] {
        let a = parse_aggregate(alias, DataKind::Allocation).unwrap();
        assert_eq!(a.to_string(), alias);
        assert!(parse_aggregate(alias, DataKind::Asset).is_err(), "{alias} is allocation-only");
    }
    let m = accepted_keys(DataKind::Allocation);
    assert!(m.contains("deployment") && m.contains("cronjob") && m.contains("team"), "{m}");
}

#[test]
fn label_names_sanitized_except_cloud_costs() {
    assert_eq!(
        parse_aggregate("label:app.kubernetes.io/name", DataKind::Asset)
            .unwrap()
            .to_string(),
        "label:app_kubernetes_io_name"
    );
    assert_eq!(
        parse_aggregate("label:team.x", DataKind::CloudCost).unwrap().to_string(),
        "label:team.x"
    );
    let f = AggregateKey::Label("team".into())
        .filter_for(DataKind::Asset, "team=infra")
        .unwrap();
    assert_eq!(f.to_string(), r#"label[team]:"infra""#);
    let f = AggregateKey::Label("team".into()).filter_for(DataKind::Asset, UNDEFINED).unwrap();
    assert_eq!(f.to_string(), r#"label[team]:"""#);
}

#[test]
fn cloud_cost_default_is_the_opencost_item() {
    assert_eq!(
        Aggregate::cloud_cost_default().to_string(),
        "invoiceEntityID,accountID,provider,providerID,category,service"
    );
}
