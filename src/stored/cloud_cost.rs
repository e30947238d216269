//! The `cloud_costs` table and Parquet dataset: one row per cloud bill line item (OpenCost
//! `core/pkg/opencost/cloudcost.go`). Parquet names are Kubecost's cloud-cost JSON fields
//! lower-cased; each of the five cost metrics is stored in USD with its Kubernetes share 0..1.

use super::{Field, Get, Table, win_end, win_start};
use crate::model::{CloudCost, CloudCostProperties, Str};
use crate::query::DataKind;
use std::borrow::Cow;

/// The properties' string `get`, empty without properties.
fn prop(c: &CloudCost, get: fn(&CloudCostProperties) -> &Str) -> Cow<'_, str> {
    super::prop(c.properties.as_ref(), get)
}

/// The `cloud_costs` table: database columns and Parquet columns, in order.
pub static TABLE: Table<CloudCost> = Table {
    name: DataKind::CloudCost.table(),
    per_file: true,
    primary_key: None,
    fields: &[
        Field::db("key", Get::Key),
        Field::text("provider_id", "properties.providerid", |c| prop(c, |p| &p.provider_id)),
        Field::text("provider", "properties.provider", |c| prop(c, |p| &p.provider)),
        Field::text("account_id", "properties.accountid", |c| prop(c, |p| &p.account_id)),
        Field::text("account_name", "properties.accountname", |c| prop(c, |p| &p.account_name)),
        Field::text("invoice_entity_id", "properties.invoiceentityid", |c| {
            prop(c, |p| &p.invoice_entity_id)
        }),
        Field::text("invoice_entity_name", "properties.invoiceentityname", |c| {
            prop(c, |p| &p.invoice_entity_name)
        }),
        Field::text("region_id", "properties.regionid", |c| prop(c, |p| &p.region_id)),
        Field::text("availability_zone", "properties.availabilityzone", |c| {
            prop(c, |p| &p.availability_zone)
        }),
        Field::text("service", "properties.service", |c| prop(c, |p| &p.service)),
        Field::text("category", "properties.category", |c| prop(c, |p| &p.category)),
        Field::both(
            "labels",
            "labels",
            Get::Map(|c| [c.properties.as_ref().and_then(|p| p.labels.as_ref()), None]),
        ),
        Field::parquet("window.start", Get::Str(|c| win_start(&c.window))),
        Field::parquet("window.end", Get::Str(|c| win_end(&c.window))),
        Field::f64("list_cost", "listcost", |c| c.list_cost.cost),
        Field::f64("list_cost_k8s_pct", "listcostkubernetespercent", |c| c.list_cost.kubernetes_percent),
        Field::f64("net_cost", "netcost", |c| c.net_cost.cost),
        Field::f64("net_cost_k8s_pct", "netcostkubernetespercent", |c| c.net_cost.kubernetes_percent),
        Field::f64("amortized_net_cost", "amortizednetcost", |c| c.amortized_net_cost.cost),
        Field::f64("amortized_net_cost_k8s_pct", "amortizednetcostkubernetespercent", |c| {
            c.amortized_net_cost.kubernetes_percent
        }),
        Field::f64("invoiced_cost", "invoicedcost", |c| c.invoiced_cost.cost),
        Field::f64("invoiced_cost_k8s_pct", "invoicedcostkubernetespercent", |c| {
            c.invoiced_cost.kubernetes_percent
        }),
        Field::f64("amortized_cost", "amortizedcost", |c| c.amortized_cost.cost),
        Field::f64("amortized_cost_k8s_pct", "amortizedcostkubernetespercent", |c| {
            c.amortized_cost.kubernetes_percent
        }),
    ],
};
