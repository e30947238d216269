//! `costscope savings requests`: the right-sizing request from the command line; its page renders
//! like every kind's ([`super::render`]) (docs/user-guide.md, "Savings"; docs/semantics.md,
//! "Request right-sizing").

use crate::cli::{RequestsArgs, UsageError};
use crate::query::DataKind;
use crate::query::savings::{SizingParams, SizingRequest, SizingRow};
use color_eyre::eyre::Result;

/// Build the request from the command line. Errors: a usage error naming the option.
pub fn request(src: &dyn crate::query::CostSource, a: &RequestsArgs) -> Result<SizingRequest> {
    let params = SizingParams {
        target_cpu_utilization: a.target_cpu_utilization,
        target_ram_utilization: a.target_ram_utilization,
        min_rec_cpu_millicores: a.min_cpu_millicores,
        min_rec_ram_bytes: a.min_ram_mib * 1024.0 * 1024.0,
    };
    params.validate().map_err(|e| UsageError(e.to_string()))?;
    super::query::<SizingRow, _>(src, &a.common, DataKind::Allocation, 7, params)
}
