//! The TUI's latest-wins runner: many page queries of one kind in quick succession run as the
//! first and the last only (the ones between are replaced while they wait), the running one is
//! interrupted, and the last generation is answered.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use costscope::query::{CostSource, DailySeries, DataKind, IdleMode, Page, QueryError, QueryRequest, Row};
use costscope::tui::runner::{Runner, RunnerMessage};
use costscope::tui::{Action, Effect};

use crate::support::tui::FakeSource;

/// A source whose queries take a while (so they overlap) and that counts queries and interrupts.
struct Slow {
    inner: FakeSource,
    queries: AtomicUsize,
    interrupts: AtomicUsize,
}

impl CostSource for Slow {
    fn query(&self, req: &QueryRequest) -> Result<Page, QueryError> {
        self.queries.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(std::time::Duration::from_millis(150));
        self.inner.query(req)
    }
    fn daily_series(&self, req: &QueryRequest, row: &Row) -> Result<DailySeries, QueryError> {
        self.inner.daily_series(req, row)
    }
    fn sources(&self, req: &QueryRequest, row: &Row) -> Result<Vec<costscope::query::SourceObject>, QueryError> {
        self.inner.sources(req, row)
    }
    fn data_extent(&self, kind: DataKind) -> Result<Option<(i64, i64)>, QueryError> {
        self.inner.data_extent(kind)
    }
    fn interrupt(&self) {
        self.interrupts.fetch_add(1, Ordering::SeqCst);
    }
}

fn request(offset: usize) -> QueryRequest {
    let window = crate::support::window(crate::support::tui::day(15), crate::support::tui::day(22));
    QueryRequest {
        offset,
        limit: 10,
        ..crate::support::request(DataKind::Allocation, window, "namespace", "", IdleMode::SeparateByCluster)
    }
}

#[test]
fn twenty_quick_queries_run_as_two_and_the_last_is_answered() {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let source = Arc::new(Slow {
        inner: FakeSource::standard(),
        queries: AtomicUsize::new(0),
        interrupts: AtomicUsize::new(0),
    });
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let answered = rt.block_on(async {
        let runner = Runner::new(source.clone(), tx);
        for generation in 1..=20u64 {
            runner.start(Effect::RunQuery {
                request: request(0),
                generation,
            });
        }
        let mut answered = Vec::new();
        while let Some(m) = rx.recv().await {
            match m {
                RunnerMessage::Action(Action::PageLoaded { generation, result, .. }) => {
                    assert!(result.is_ok());
                    answered.push(generation);
                    if generation == 20 {
                        break;
                    }
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        answered
    });
    assert_eq!(answered, [1, 20], "the first ran, the last was answered, none between");
    assert_eq!(source.queries.load(Ordering::SeqCst), 2);
    assert!(source.interrupts.load(Ordering::SeqCst) >= 1, "the running query was asked to stop");
}
