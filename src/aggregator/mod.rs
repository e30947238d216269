//! The aggregator: an embedded DuckDB database that holds every allocation, asset and cloud cost
//! of a store, filled incrementally from `federated/<cluster>/…` bingen files (like Kubecost 2.x's
//! Aggregator, docs/architecture.md) and answering Kubecost-style paginated queries ([`CostSource`]).
//!
//! One database per store, in the user cache dir, keyed by a hash of the store's identity, so
//! switching buckets never mixes data. Ingest writes through one connection, queries read through
//! a pool of others (`readers.rs`; DuckDB MVCC), so a long ingest never blocks the TUI and a slow
//! query never blocks a cheap one.

mod columns_sql;
pub mod ingest;
mod ingest_stages;
mod params;
pub mod provenance;
mod query_alloc;
mod query_assets;
mod query_cloud;
mod query_common;
pub mod readcopy;
mod readers;
mod results;
pub mod retention;
pub mod rollup;
pub mod savings;
pub mod schema;
mod share_sql;
mod steps_sql;
mod write;

use crate::query::{Accumulate, CostSource, DailySeries, DataKind, Page, QueryError, QueryRequest, Row, Window};
use duckdb::Connection;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use ingest::{IngestOptions, IngestReport};
pub use retention::Retention;

/// An open aggregator database.
pub struct Aggregator {
    path: PathBuf,
    writer: Mutex<Connection>,
    /// The reader connections, each with its materialised results.
    readers: readers::Readers,
    /// For a read copy ([`readcopy`]): the database file it copies and the copy open now.
    read_copy_of: Option<readcopy::ReadCopyOf>,
}

/// Errors of the aggregator, each one line naming what was being done, with its cause as the
/// source.
#[derive(Debug, thiserror::Error)]
pub enum AggregatorError {
    /// DuckDB failed on the database at `path`.
    #[error("database {path}: {source}")]
    Db {
        /// The database file (`:memory:` for an in-memory one).
        path: String,
        /// DuckDB's error.
        #[source]
        source: duckdb::Error,
    },
    /// A file or directory of the database could not be created, written or renamed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// `creating`, `publishing`, …
        what: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The system's error.
        #[source]
        source: std::io::Error,
    },
    /// A read copy another costscope version wrote.
    #[error("read copy {} has schema {found:?}, this costscope needs {needed}", path.display())]
    ReadCopySchema {
        /// The copy.
        path: PathBuf,
        /// Its schema version, if it records one.
        found: Option<String>,
        /// [`schema::version`].
        needed: String,
    },
    /// The bucket's `federated/` tree could not be listed.
    #[error("listing federated/: {source}")]
    Listing {
        /// The object store's error.
        #[source]
        source: object_store::Error,
    },
    /// A background task of the ingest died (a panic or a cancelled runtime).
    #[error("{what} failed: {source}")]
    Task {
        /// `download task`, `write task`, `database task`.
        what: &'static str,
        /// Tokio's error.
        #[source]
        source: tokio::task::JoinError,
    },
}

/// Environment variable setting DuckDB's memory cap (its `memory_limit`, e.g. `1.5GB`, `4GB`), or
/// `default` for DuckDB's own 80 % of RAM. Unset: [`DEFAULT_MEMORY_LIMIT_BYTES`].
pub const MEMORY_LIMIT_ENV: &str = "COSTSCOPE_DB_MEMORY_LIMIT";

/// The memory cap when [`MEMORY_LIMIT_ENV`] is unset, bytes (1.5 GB), unless DuckDB's own default
/// is lower. Beyond it DuckDB evicts blocks it has written and spills to temporary files. Measured
/// (docs/performance.md, "Retention scale"): 60k containers/day × 91 days ingests in 73 s at a
/// 1,827 MiB peak for the whole benchmark, where DuckDB's default let the buffer pool hold every
/// block written (2,300 MiB, 85 s).
pub const DEFAULT_MEMORY_LIMIT_BYTES: f64 = 1.5e9;

/// Bytes of a size as DuckDB writes and reads them (`1.5GB`, `18.6 GiB`, `512.0 MiB`, `100 bytes`).
fn size_bytes(text: &str) -> Option<f64> {
    let t = text.trim();
    let unit = t.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    let number: f64 = t[..t.len() - unit.len()].parse().ok()?;
    let scale = match unit.trim() {
        "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        "KiB" => 1024.0,
        "MiB" => 1048576.0,
        "GiB" => 1073741824.0,
        "TiB" => 1099511627776.0,
        "B" | "bytes" => 1.0,
        _ => return None,
    };
    Some(number * scale)
}

/// The `memory_limit` to set on `conn`, if any: [`MEMORY_LIMIT_ENV`] when it is a size (another
/// value is ignored with a warning), nothing for `default`, else [`DEFAULT_MEMORY_LIMIT_BYTES`]
/// when DuckDB's own default is higher.
fn memory_limit(conn: &Connection) -> Option<String> {
    match std::env::var(MEMORY_LIMIT_ENV) {
        Ok(v) if v.trim().eq_ignore_ascii_case("default") => None,
        Ok(v) => match size_bytes(&v) {
            Some(b) if b > 0.0 => Some(format!("{}B", b.round() as u64)),
            _ => {
                tracing::warn!(value = %v.trim(), "{MEMORY_LIMIT_ENV} is not a size like 1.5GB; ignored");
                None
            }
        },
        Err(_) => {
            let current: String = conn.query_row("SELECT current_setting('memory_limit')", [], |r| r.get(0)).ok()?;
            (size_bytes(&current)? > DEFAULT_MEMORY_LIMIT_BYTES).then(|| format!("{}B", DEFAULT_MEMORY_LIMIT_BYTES as u64))
        }
    }
}

/// Default database file for a store identity: `<cache_dir>/db/<sha256(identity)[..16]>.duckdb`.
pub fn default_db_path(store_identity: &str) -> PathBuf {
    let h = Sha256::digest(store_identity.as_bytes());
    let hex: String = h.iter().take(8).map(|b| format!("{b:02x}")).collect();
    crate::config::cache_dir().join("db").join(format!("{hex}.duckdb"))
}

impl Aggregator {
    /// Open (creating if needed) the database at `path` and apply the schema. A database with an
    /// older schema version is emptied and rebuilt from the bucket on the next ingest.
    ///
    /// Errors: the directory cannot be created or DuckDB cannot open the file (e.g. another
    /// costscope process holds it).
    pub fn open(path: &Path) -> Result<Aggregator, AggregatorError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| AggregatorError::Io {
                what: "creating",
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let db = |source| AggregatorError::Db {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open(path).map_err(db)?;
        Self::init(&conn).map_err(db)?;
        Ok(Aggregator {
            path: path.to_path_buf(),
            readers: readers::Readers::new(&conn).map_err(db)?,
            writer: Mutex::new(conn),
            read_copy_of: None,
        })
    }

    /// An in-memory database (tests, `--read-only` audits without a cache).
    pub fn open_in_memory() -> Result<Aggregator, AggregatorError> {
        let db = |source| AggregatorError::Db {
            path: ":memory:".into(),
            source,
        };
        let conn = Connection::open_in_memory().map_err(db)?;
        Self::init(&conn).map_err(db)?;
        Ok(Aggregator {
            path: PathBuf::from(":memory:"),
            readers: readers::Readers::new(&conn).map_err(db)?,
            writer: Mutex::new(conn),
            read_copy_of: None,
        })
    }

    fn init(conn: &Connection) -> duckdb::Result<()> {
        conn.execute_batch("SET autoinstall_known_extensions=false; SET autoload_known_extensions=false;")?;
        // Ingest commits one transaction per file; with DuckDB's default 16 MB threshold nearly
        // every commit of a 60k-allocation file triggered a checkpoint (0.5–1 s each). Ingest
        // checkpoints itself after each pass.
        conn.execute_batch("SET checkpoint_threshold = '512MB';")?;
        if let Some(limit) = memory_limit(conn) {
            // Written rows stay in memory until a checkpoint puts them in the file, and only
            // then can DuckDB evict them: under a cap, checkpoint more often.
            conn.execute_batch(&format!("SET memory_limit = '{limit}'; SET checkpoint_threshold = '128MB';"))?;
            tracing::debug!(%limit, "DuckDB memory limit");
        }
        conn.execute_batch("CREATE TABLE IF NOT EXISTS meta (k VARCHAR PRIMARY KEY, v VARCHAR);")?;
        let v: Option<String> = conn.query_row("SELECT v FROM meta WHERE k = 'schema'", [], |r| r.get(0)).ok();
        let version = schema::version();
        let current = v.as_deref() == Some(&version);
        if v.is_some() && !current {
            // Another schema: its tables are rebuilt from the bucket (columns may have changed).
            for t in write::all_file_tables().chain([crate::stored::ingest_log::TABLE.name]) {
                conn.execute_batch(&format!("DROP TABLE IF EXISTS {t};"))?;
            }
        }
        conn.execute_batch(&schema::ddl())?;
        conn.execute_batch(&rollup::ddl())?;
        if !current {
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", [&version])?;
        }
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run `f` with the writer connection, for reads and maintenance that change no row
    /// (ingest log lookups, checkpoints): cached query results stay valid.
    pub(crate) fn with_writer<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        let mut c = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut c)
    }

    /// Run `f` with the writer connection to change rows; cached query results are dropped
    /// (whether or not `f` succeeded: a failed file still rewrites its ingest log entry).
    pub(crate) fn writing<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        let out = self.with_writer(f);
        self.readers.invalidate();
        out
    }

    /// Drop every cached query result, so the next query runs from the tables (benchmarks).
    pub fn forget_results(&self) {
        self.readers.invalidate();
    }

    /// Run `f` with a free reader connection (`readers.rs`).
    pub(crate) fn with_reader<T>(&self, f: impl FnOnce(&Connection) -> T) -> T {
        self.readers.with(|c, _| f(c))
    }

    /// `(cluster, UTC day start in unix seconds)` of every daily allocation file ingested without
    /// error — the "INGESTED" fact of the migration view.
    ///
    /// Errors: a DuckDB failure reading `ingest_log`.
    pub fn ingested_days(&self) -> Result<std::collections::HashSet<(String, i64)>, AggregatorError> {
        self.with_reader(|c| -> duckdb::Result<std::collections::HashSet<(String, i64)>> {
            let mut st = c.prepare(
                "SELECT cluster, window_start FROM ingest_log WHERE pipeline = 'allocations' AND resolution = '1d' AND status = ?",
            )?;
            let rows = st.query_map([write::LogStatus::Ok.as_str()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?;
            rows.collect()
        })
        .map_err(|source| AggregatorError::Db {
            path: self.path.display().to_string(),
            source,
        })
    }

    /// Write the WAL into the database file (so its size is the stored size).
    ///
    /// Errors: a DuckDB failure.
    pub fn checkpoint(&self) -> Result<(), AggregatorError> {
        self.with_writer(|c| c.execute_batch("CHECKPOINT"))
            .map_err(|source| AggregatorError::Db {
                path: self.path.display().to_string(),
                source,
            })
    }

    /// The ingest log: one entry per object ingested or refused (docs/audit.md).
    ///
    /// Errors: a DuckDB failure.
    pub fn ingest_log(&self) -> Result<Vec<provenance::LoggedObject>, QueryError> {
        self.with_reader(provenance::logged_objects)
    }

    /// Row counts per table (allocations, assets, cloud_costs, ingest_log).
    pub fn counts(&self) -> Result<[i64; 4], AggregatorError> {
        self.with_reader(|c| {
            let mut out = [0i64; 4];
            let tables = DataKind::ALL.map(DataKind::table);
            for (o, t) in out.iter_mut().zip(tables.iter().chain([&crate::stored::ingest_log::TABLE.name])) {
                *o = c.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))?;
            }
            Ok(out)
        })
        .map_err(|source| AggregatorError::Db {
            path: self.path.display().to_string(),
            source,
        })
    }
}

impl From<duckdb::Error> for QueryError {
    /// Every DuckDB failure of a query is [`QueryError::Db`].
    fn from(e: duckdb::Error) -> QueryError {
        QueryError::Db(crate::query::DatabaseError::new(e))
    }
}

impl Aggregator {
    /// Every step of `accumulate` over `req.window` answered by one statement (allocations whose
    /// steps align with their ETL sets; `docs/semantics.md` §10), or `None` when the steps must
    /// run one by one ([`CostSource::query_steps`] then does).
    pub fn steps_at_once(&self, req: &QueryRequest, accumulate: Accumulate) -> Option<Result<Vec<(Window, Page)>, QueryError>> {
        let windows = accumulate.windows(req.window);
        if req.kind != DataKind::Allocation || windows.len() < 2 {
            return None;
        }
        let r = self.with_reader(|c| query_alloc::steps(c, req, &windows))?;
        Some(r.map(|pages| windows.into_iter().zip(pages).collect()))
    }
}

impl CostSource for Aggregator {
    fn savings(&self) -> Option<&dyn crate::query::savings::SavingsSource> {
        Some(self)
    }

    fn interrupt(&self) {
        self.readers.interrupt();
    }

    fn query(&self, req: &QueryRequest) -> Result<Page, QueryError> {
        self.readers.with(|c, results| match req.kind {
            DataKind::Allocation => query_alloc::page(c, req, results),
            DataKind::Asset => query_assets::page(c, req, results),
            DataKind::CloudCost => query_cloud::page(c, req, results),
        })
    }

    fn data_generation(&self) -> u64 {
        self.readers.generation()
    }

    fn query_steps(&self, req: &QueryRequest, accumulate: Accumulate) -> Result<Vec<(Window, Page)>, QueryError> {
        match self.steps_at_once(req, accumulate) {
            Some(r) => r,
            None => crate::query::steps::each_step(self, req, accumulate),
        }
    }

    fn daily_series(&self, req: &QueryRequest, row: &Row) -> Result<DailySeries, QueryError> {
        self.with_reader(|c| match req.kind {
            DataKind::Allocation => query_alloc::series(c, req, row),
            DataKind::Asset => query_assets::series(c, req, row),
            DataKind::CloudCost => query_cloud::series(c, req, row),
        })
    }

    fn sources(&self, req: &QueryRequest, row: &Row) -> Result<Vec<crate::query::SourceObject>, QueryError> {
        self.with_reader(|c| provenance::sources(c, req, row))
    }

    fn data_extent(&self, kind: DataKind) -> Result<Option<(i64, i64)>, QueryError> {
        self.span(kind, "WHERE resolution = '1d'")
    }

    fn data_span(&self, kind: DataKind) -> Result<Option<(i64, i64)>, QueryError> {
        self.span(kind, "")
    }
}

impl Aggregator {
    /// First start and last end (unix seconds) of the sets of `kind` that `filter` (a `WHERE`
    /// clause or nothing) keeps; `None` when there is none.
    fn span(&self, kind: DataKind, filter: &str) -> Result<Option<(i64, i64)>, QueryError> {
        let table = kind.table();
        self.with_reader(|c| {
            c.query_row(
                &format!("SELECT min(window_start), max(window_end) FROM {table} {filter}"),
                [],
                |r| {
                    Ok(match (r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?) {
                        (Some(s), Some(e)) => Some((s, e)),
                        _ => None,
                    })
                },
            )
            .map_err(QueryError::from)
        })
    }
}

#[cfg(test)]
mod memory_tests {
    #[test]
    fn sizes_read_as_duckdb_writes_them() {
        assert_eq!(super::size_bytes("1.5GB"), Some(1.5e9));
        assert_eq!(super::size_bytes("18.6 GiB"), Some(18.6 * 1073741824.0));
        assert_eq!(super::size_bytes("512.0 MiB"), Some(512.0 * 1048576.0));
        assert_eq!(super::size_bytes("lots"), None);
        assert_eq!(super::size_bytes("3 parsecs"), None);
    }

    /// Without the environment variable, the database is capped at 1.5 GB (or DuckDB's own
    /// default when lower), as DuckDB reads it back.
    #[test]
    fn the_database_is_capped_by_default() {
        if std::env::var_os(super::MEMORY_LIMIT_ENV).is_some() {
            return;
        }
        let agg = super::Aggregator::open_in_memory().unwrap();
        let limit: String = agg.with_writer(|c| c.query_row("SELECT current_setting('memory_limit')", [], |r| r.get(0)).unwrap());
        let bytes = super::size_bytes(&limit).unwrap();
        assert!(bytes <= super::DEFAULT_MEMORY_LIMIT_BYTES * 1.01, "{limit}");
    }
}
