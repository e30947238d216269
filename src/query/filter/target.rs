//! [`FilterTarget`] for the model's [`Allocation`], so a filter can be checked against decoded
//! bingen allocations in memory, with the same answer as the aggregator's SQL
//! (`docs/semantics.md` §3–§4; field list of OpenCost `core/pkg/opencost/allocationmatcher.go`).

use super::eval::{FieldValue, FilterTarget};
use super::field::Field;
use crate::model::Allocation;

impl FilterTarget for Allocation {
    /// Scalar fields read the allocation's properties (`provider` reads `providerID`, as
    /// OpenCost's allocation matcher does); an allocation without properties has every field
    /// missing.
    fn field(&self, f: &Field) -> FieldValue<'_> {
        let Some(p) = self.properties.as_ref() else {
            return FieldValue::Missing;
        };
        match f {
            Field::Cluster => FieldValue::Str(&p.cluster),
            Field::Node => FieldValue::Str(&p.node),
            Field::Namespace => FieldValue::Str(&p.namespace),
            Field::ControllerName => FieldValue::Str(&p.controller),
            Field::ControllerKind => FieldValue::Str(&p.controller_kind),
            Field::Container => FieldValue::Str(&p.container),
            Field::Pod => FieldValue::Str(&p.pod),
            Field::Provider | Field::ProviderID => FieldValue::Str(&p.provider_id),
            Field::Services => p.services.as_ref().map_or(FieldValue::Missing, |v| FieldValue::List(v)),
            Field::Label(None) => p.labels.as_ref().map_or(FieldValue::Missing, |m| FieldValue::Map(&m.0)),
            Field::Annotation(None) => p.annotations.as_ref().map_or(FieldValue::Missing, |m| FieldValue::Map(&m.0)),
            Field::NamespaceLabel(None) => p.namespace_labels.as_ref().map_or(FieldValue::Missing, |m| FieldValue::Map(&m.0)),
            _ => FieldValue::Missing,
        }
    }
}
