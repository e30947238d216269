//! Read copies of the database, so a second costscope process (the CLI in one pane while the TUI
//! runs in another) can answer queries while the first one holds DuckDB's write lock.
//!
//! DuckDB lets one process open a database file for writing and no other process open it at all.
//! Kubecost's Aggregator has the same problem between its writer and its query servers and solves
//! it by publishing read-only copies of the write database (`readDBPath` with an epoch,
//! `dbCopyFull`). costscope does the same (docs/architecture.md, "Two processes, one store"):
//!
//! * the process that ingests (TUI, `ingest --watch`, any command's ingest pass) publishes, after
//!   a pass that changed rows (or when no copy exists yet), a checkpointed copy of its file as
//!   `<db>.read/<unix milliseconds>.duckdb` — written under a temporary name, then renamed, so a
//!   reader never sees a partial copy; older copies are removed, the newest two kept;
//! * a process that finds the database locked opens the newest copy read-only and skips its own
//!   ingest (it cannot write): its answers are at most one ingest pass older than the writer's.

use super::{Aggregator, AggregatorError, readers, schema};
use duckdb::{AccessMode, Config, Connection};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Copies kept after a publish (the newest and the one before, which a reader may be opening).
const KEEP: usize = 2;

/// The directory of `db`'s read copies: `<db>.read/` next to the database file.
pub fn read_copy_dir(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(".read");
    PathBuf::from(s)
}

/// The read copies of `db`, oldest first (file names are unix milliseconds).
fn copies(db: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(read_copy_dir(db)) else {
        return Vec::new();
    };
    let mut v: Vec<(u128, PathBuf)> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let ms = p.file_name()?.to_str()?.strip_suffix(".duckdb")?.parse().ok()?;
            Some((ms, p))
        })
        .collect();
    v.sort();
    v.into_iter().map(|(_, p)| p).collect()
}

/// True when the database file `db` has at least one published read copy.
pub fn has_read_copy(db: &Path) -> bool {
    !copies(db).is_empty()
}

/// True when `e` is DuckDB refusing a file because another process holds its lock.
pub fn is_lock_conflict(e: &AggregatorError) -> bool {
    let text = e.to_string();
    text.contains("Could not set lock") || text.contains("Conflicting lock")
}

/// What a read copy follows: the writer's database file, and the copy open now.
#[derive(Debug)]
pub(super) struct ReadCopyOf {
    db: PathBuf,
    current: Mutex<PathBuf>,
}

/// Open the copy at `path` read-only, checking its schema; readers are cloned from the connection.
fn open_copy(path: &Path) -> Result<Connection, AggregatorError> {
    let err = |source| AggregatorError::Db {
        path: path.display().to_string(),
        source,
    };
    let config = Config::default().access_mode(AccessMode::ReadOnly).map_err(err)?;
    let conn = Connection::open_with_flags(path, config).map_err(err)?;
    conn.execute_batch("SET autoinstall_known_extensions=false; SET autoload_known_extensions=false;")
        .map_err(err)?;
    let v: Option<String> = conn.query_row("SELECT v FROM meta WHERE k = 'schema'", [], |r| r.get(0)).ok();
    let needed = schema::version();
    if v.as_deref() != Some(&needed) {
        return Err(AggregatorError::ReadCopySchema {
            path: path.to_path_buf(),
            found: v,
            needed,
        });
    }
    Ok(conn)
}

/// Copy the database file `db` byte for byte to `tmp` once a checkpoint has left every row in it
/// (no write-ahead log left): a file copy costs no CPU, where `COPY FROM DATABASE` decompresses
/// and compresses every table again (a third of the CPU of a cold ingest of small files,
/// docs/performance.md, "Small files: where the CPU goes"). A child `cp` process reads the file,
/// so this process opens and closes no descriptor of it: closing one would drop DuckDB's POSIX
/// write lock. The copy is synced before it is published. Returns false (nothing left at `tmp`)
/// when the checkpoint was refused or left a WAL, or `cp` failed: the caller copies through DuckDB.
fn copy_checkpointed_file(c: &Connection, db: &Path, tmp: &Path) -> bool {
    let mut wal = db.as_os_str().to_owned();
    wal.push(".wal");
    if c.execute_batch("CHECKPOINT").is_err() {
        return false;
    }
    // The WAL is removed (or emptied) once every row is in the file.
    let no_wal = std::fs::metadata(&wal).map_or_else(|e| e.kind() == std::io::ErrorKind::NotFound, |m| m.len() == 0);
    if !no_wal {
        return false;
    }
    let copied = std::process::Command::new("cp")
        .arg("--")
        .arg(db)
        .arg(tmp)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
        && std::fs::File::open(tmp).and_then(|f| f.sync_all()).is_ok();
    if !copied {
        let _ = std::fs::remove_file(tmp);
    }
    copied
}

impl Aggregator {
    /// For a read copy: switch to the newest copy the writing process has published, when it is
    /// not the one open (docs/architecture.md, "Two processes, one store"). Returns true when it
    /// switched; cached query results are then dropped. A TUI opened beside `ingest --watch`
    /// calls this every pass interval, so its figures follow the writer's (issue 35).
    ///
    /// Errors: the newest copy cannot be opened (the one open stays in use).
    pub fn follow_newest_copy(&self) -> Result<bool, AggregatorError> {
        let Some(of) = &self.read_copy_of else { return Ok(false) };
        let Some(newest) = copies(&of.db).pop() else { return Ok(false) };
        let mut current = of.current.lock().unwrap_or_else(|e| e.into_inner());
        if *current == newest {
            return Ok(false);
        }
        let writer = open_copy(&newest)?;
        self.readers.replace(&writer).map_err(|source| AggregatorError::Db {
            path: newest.display().to_string(),
            source,
        })?;
        *self.writer.lock().unwrap_or_else(|e| e.into_inner()) = writer;
        *current = newest;
        Ok(true)
    }

    /// True when this is a read copy opened by [`Aggregator::open_read_copy`] (no ingest).
    pub fn is_read_copy(&self) -> bool {
        self.read_copy_of.is_some()
    }

    /// True when this database file has at least one published read copy.
    pub fn has_read_copy(&self) -> bool {
        has_read_copy(&self.path)
    }

    /// Publish a copy of the database for other processes (see the module docs), written into a
    /// temporary file then renamed: the checkpointed file copied as it is, or, when a checkpoint
    /// cannot be made now, the database copied by DuckDB (`COPY FROM DATABASE`). Holds the writer
    /// connection throughout, so no write lands in the middle of the copy.
    /// Does nothing for an in-memory database or a read copy. Returns the copy's path.
    ///
    /// Errors: the copy cannot be written (disk full: the partial file is removed); the next pass
    /// retries.
    pub fn publish_read_copy(&self) -> Result<Option<PathBuf>, AggregatorError> {
        if self.path == Path::new(":memory:") || self.is_read_copy() {
            return Ok(None);
        }
        let other = |what: &'static str, p: &Path, source: std::io::Error| AggregatorError::Io {
            what,
            path: p.to_path_buf(),
            source,
        };
        let dir = read_copy_dir(&self.path);
        std::fs::create_dir_all(&dir).map_err(|e| other("creating", &dir, e))?;
        let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        let dst = dir.join(format!("{ms}.duckdb"));
        let tmp = dir.join(format!("{ms}.duckdb.tmp"));
        // The copy is made by DuckDB (`COPY FROM DATABASE`), never by opening the file ourselves:
        // closing any descriptor of a file drops every POSIX lock this process holds on it, and
        // DuckDB's write lock is one, so `fs::copy` would let a second writer in.
        self.with_writer(|c| {
            let db = |source| AggregatorError::Db {
                path: self.path.display().to_string(),
                source,
            };
            if copy_checkpointed_file(c, &self.path, &tmp) {
                return std::fs::rename(&tmp, &dst).map_err(|e| other("publishing", &dst, e));
            }
            let main: String = c.query_row("SELECT current_database()", [], |r| r.get(0)).map_err(db)?;
            let tmp_sql = tmp.display().to_string().replace('\'', "''");
            let sql = format!(
                "ATTACH '{tmp_sql}' AS costscope_read_copy; \
                 COPY FROM DATABASE \"{main}\" TO costscope_read_copy; \
                 DETACH costscope_read_copy;"
            );
            if let Err(e) = c.execute_batch(&sql) {
                let _ = c.execute_batch("DETACH DATABASE IF EXISTS costscope_read_copy;");
                let _ = std::fs::remove_file(&tmp);
                return Err(db(e));
            }
            std::fs::rename(&tmp, &dst).map_err(|e| other("publishing", &dst, e))
        })?;
        let all = copies(&self.path);
        for old in all.iter().take(all.len().saturating_sub(KEEP)) {
            let _ = std::fs::remove_file(old);
        }
        Ok(Some(dst))
    }

    /// Open the newest read copy of the database `db` read-only, or `None` when no process has
    /// published one. The returned aggregator answers queries; ingesting into it fails.
    ///
    /// Errors: DuckDB cannot open the copy, or the copy has another schema version.
    pub fn open_read_copy(db: &Path) -> Result<Option<Aggregator>, AggregatorError> {
        let Some(path) = copies(db).pop() else {
            return Ok(None);
        };
        let conn = open_copy(&path)?;
        let readers = readers::Readers::new(&conn).map_err(|source| AggregatorError::Db {
            path: path.display().to_string(),
            source,
        })?;
        Ok(Some(Aggregator {
            path: path.clone(),
            writer: Mutex::new(conn),
            readers,
            read_copy_of: Some(ReadCopyOf {
                db: db.to_path_buf(),
                current: Mutex::new(path),
            }),
        }))
    }
}
