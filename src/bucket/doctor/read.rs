//! The doctor's one read of each ETL set: fetched within the `--max-object-size` limit and the
//! fetch budget ([`crate::bucket::fetch`]), decoded with items streamed and only counted (never
//! kept), so memory stays flat whatever the set's size. The bingen codec puts a set's window
//! after its items (OpenCost `opencost_codecs.go`, `AllocationSet.UnmarshalBinary`), so the
//! window cannot be had from a header: the whole set is walked once.

use futures::StreamExt;
use object_store::ObjectStore;

use super::{SetFact, SetFacts};
use crate::bingen::{RootKind, decode_streaming};
use crate::bucket::fetch::Fetcher;
use crate::bucket::inventory::Inventory;

/// Reads in flight at once.
pub const READS_AT_ONCE: usize = 8;

/// Item count and window of one set's bytes.
fn fact(data: &[u8], kind: RootKind) -> SetFact {
    let mut items = 0u64;
    match decode_streaming(data, kind, &mut |_| items += 1) {
        Ok(d) => SetFact::Decoded {
            items,
            window: d.root.set_window().and_then(|w| Some((w.start_unix()?, w.end_unix()?))),
        },
        Err(e) => SetFact::Failed(e.to_string()),
    }
}

/// Read and decode every ETL set of `inv` whose pipeline costscope decodes (allocations, assets,
/// cloud costs), [`READS_AT_ONCE`] at a time, refusing objects over `max_object_bytes`. A file
/// that cannot be fetched or decoded is a [`SetFact::Failed`], never an error of the whole read.
pub async fn read_sets(store: &dyn ObjectStore, inv: &Inventory, max_object_bytes: u64) -> SetFacts {
    let fetcher = Fetcher::new(max_object_bytes);
    let fetcher = &fetcher;
    let wanted = inv.series.iter().filter_map(|s| Some((s, s.pipeline.root_kind()?)));
    let files: Vec<(String, u64, RootKind)> = wanted
        .flat_map(|(s, kind)| s.files.iter().map(move |f| (f.object.key.clone(), f.object.size, kind)))
        .collect();
    futures::stream::iter(files)
        .map(|(key, size, kind)| async move {
            let fact = match fetcher.get(store, &key, size).await {
                Ok(got) => fetcher
                    .decode(move || fact(&got.bytes, kind))
                    .await
                    .unwrap_or_else(|e| SetFact::Failed(e.to_string())),
                Err(e) => SetFact::Failed(e.to_string()),
            };
            (key, fact)
        })
        .buffer_unordered(READS_AT_ONCE)
        .collect()
        .await
}
