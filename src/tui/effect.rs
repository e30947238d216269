//! Running one [`Effect`] against a [`CostSource`], blocking. The runtime calls [`perform`]
//! inside `tokio::task::spawn_blocking`; tests call it directly, so both go through the same
//! code. This is the only place the TUI touches the data source.

use std::fs;

use crate::query::CostSource;

use super::action::{Action, Effect};
use super::export::write_csv;

/// Run `effect` (blocking) and return the action that reports its answer; `None` for
/// [`Effect::Quit`] and [`Effect::SetMigrationHorizon`], which the runtime handles itself.
pub fn perform(source: &dyn CostSource, effect: Effect) -> Option<Action> {
    Some(match effect {
        Effect::LoadExtent { kind, generation } => Action::ExtentLoaded {
            kind,
            generation,
            result: source.data_extent(kind),
        },
        Effect::RunQuery { request, generation } => {
            let started = std::time::Instant::now();
            let result = source.query(&request);
            tracing::debug!(kind = ?request.kind, offset = request.offset, limit = request.limit, ms = started.elapsed().as_millis() as u64, ok = result.is_ok(), "query");
            Action::PageLoaded {
                kind: request.kind,
                generation,
                result,
            }
        }
        Effect::LoadSeries { request, row, generation } => Action::SeriesLoaded {
            kind: request.kind,
            generation,
            result: source.daily_series(&request, &row).and_then(|series| {
                Ok(super::tab::RowDetail {
                    series,
                    sources: source.sources(&request, &row)?,
                })
            }),
        },
        Effect::LoadChart { request, rows, generation } => Action::ChartLoaded {
            kind: request.kind,
            generation,
            result: rows
                .iter()
                .map(|r| source.daily_series(&request, r).map(|s| (r.name.clone(), s)))
                .collect(),
        },
        Effect::LoadInsight {
            request,
            with_delta,
            generation,
        } => Action::InsightLoaded {
            kind: request.kind,
            generation,
            result: super::insight::load(source, &request, with_delta).map(Box::new),
        },
        Effect::Export { request, path } => {
            let result = (|| -> Result<(std::path::PathBuf, usize), String> {
                let page = source.query(&request).map_err(|e| e.to_string())?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
                let file = fs::File::create(&path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                let rows = write_csv(std::io::BufWriter::new(file), request.kind, &request.aggregate, &page)
                    .map_err(|e| format!("writing {}: {e}", path.display()))?;
                tracing::info!(path = %path.display(), rows, "exported");
                Ok((path, rows))
            })();
            Action::Exported(result)
        }
        Effect::LoadSavings { ask, generation } => Action::SavingsLoaded {
            generation,
            result: super::savings_kinds::load(source, &ask),
        },
        Effect::LoadSavingsTotals { labels, generation } => Action::SavingsTotalsLoaded {
            generation,
            totals: super::savings_kinds::totals(source, &labels),
        },
        Effect::ExportSavings { ask, path } => {
            Action::Exported(super::savings_kinds::export(source, &ask, &path).map_err(|e| e.to_string()))
        }
        Effect::Quit | Effect::SetMigrationHorizon(_) => return None,
    })
}
