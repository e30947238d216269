//! The pool of reader connections: several queries run at once, so a slow new query never holds
//! up a cheap one (issue 33 item 7; docs/performance.md, "Serving the API").
//!
//! Every reader is a clone of the writer's connection (one DuckDB database instance, MVCC), so
//! readers never wait on an ingest pass and see each committed file at once. Each reader keeps
//! its own materialised results ([`ResultCache`]: temporary tables belong to one connection);
//! all of them share one data generation, bumped by every write, which drops them all.
//!
//! A query takes the free reader with the lowest number: a lone client (the TUI, one CLI
//! command) therefore always lands on reader 0 and finds the results it materialised for the
//! previous page; concurrent clients (the server) spread over the others. When every reader is
//! busy, the query waits for the first one freed.

use super::results::ResultCache;
use duckdb::{Connection, InterruptHandle};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Reader connections per database: one for a long new query, one for pages of cached results,
/// one spare. DuckDB runs each query on all cores already, so more readers only add memory
/// (each keeps up to [`super::results::CACHE_ENTRIES`] materialised results).
pub const READERS: usize = 3;

/// Environment variable overriding [`READERS`] (1 to 16; another value is ignored), e.g. `1` to
/// measure the server with a single reader as before the pool (docs/performance.md).
pub const READERS_ENV: &str = "COSTSCOPE_DB_READERS";

/// How many readers to open: [`READERS_ENV`] when it holds 1 to 16, else [`READERS`].
fn reader_count() -> usize {
    std::env::var(READERS_ENV)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|n| (1..=16).contains(n))
        .unwrap_or(READERS)
}

/// One reader connection with what belongs to it.
struct Slot {
    conn: Mutex<Connection>,
    /// Interrupts the query running on `conn`; replaced with it.
    interrupt: Mutex<Arc<InterruptHandle>>,
    results: ResultCache,
}

/// The reader connections and which of them are free.
pub(super) struct Readers {
    slots: Vec<Slot>,
    /// Numbers of the free slots.
    free: Mutex<Vec<usize>>,
    freed: Condvar,
    /// The data generation every slot's cache checks (see [`ResultCache::invalidate`]).
    generation: Arc<AtomicU64>,
}

/// Gives a slot back to the pool when the query ends, even by a panic.
struct Taken<'a> {
    readers: &'a Readers,
    index: usize,
}

impl Drop for Taken<'_> {
    fn drop(&mut self) {
        lock(&self.readers.free).push(self.index);
        self.readers.freed.notify_one();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Readers {
    /// [`READERS`] (or [`READERS_ENV`]) clones of `conn`.
    ///
    /// Errors: DuckDB cannot open another connection to the database.
    pub fn new(conn: &Connection) -> duckdb::Result<Readers> {
        Readers::open(conn, reader_count())
    }

    /// `count` clones of `conn`.
    fn open(conn: &Connection, count: usize) -> duckdb::Result<Readers> {
        let generation = Arc::new(AtomicU64::new(0));
        let slots = (0..count)
            .map(|_| {
                let c = conn.try_clone()?;
                Ok(Slot {
                    interrupt: Mutex::new(c.interrupt_handle()),
                    conn: Mutex::new(c),
                    results: ResultCache::new(generation.clone()),
                })
            })
            .collect::<duckdb::Result<Vec<_>>>()?;
        Ok(Readers {
            free: Mutex::new((0..slots.len()).collect()),
            slots,
            freed: Condvar::new(),
            generation,
        })
    }

    fn take(&self) -> Taken<'_> {
        let mut free = lock(&self.free);
        loop {
            if let Some(pos) = free.iter().enumerate().min_by_key(|(_, i)| **i).map(|(pos, _)| pos) {
                let index = free.swap_remove(pos);
                return Taken { readers: self, index };
            }
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Run `f` on a free reader with that reader's materialised results.
    pub fn with<T>(&self, f: impl FnOnce(&Connection, &ResultCache) -> T) -> T {
        let taken = self.take();
        let slot = &self.slots[taken.index];
        let conn = lock(&slot.conn);
        f(&conn, &slot.results)
    }

    /// Interrupt the queries running now (the TUI's superseded query; a free reader is left
    /// alone so its next query is not cancelled).
    pub fn interrupt(&self) {
        let free = lock(&self.free).clone();
        for (i, slot) in self.slots.iter().enumerate() {
            if !free.contains(&i) {
                lock(&slot.interrupt).interrupt();
            }
        }
    }

    /// Mark every reader's cached results stale (after any write to the database).
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// The data generation: changes on every [`Readers::invalidate`].
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Point every reader at a new database (a newer read copy): each slot gets a clone of
    /// `conn` once its running query ends; every cached result is dropped.
    ///
    /// Errors: DuckDB cannot open another connection to `conn`'s database.
    pub fn replace(&self, conn: &Connection) -> duckdb::Result<()> {
        for slot in &self.slots {
            let c = conn.try_clone()?;
            let mut held = lock(&slot.conn);
            *lock(&slot.interrupt) = c.interrupt_handle();
            *held = c;
        }
        self.invalidate();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// While one reader is held by a query, another query runs on a second reader at once
    /// instead of waiting; a lone query always gets reader 0.
    #[test]
    fn a_held_reader_does_not_block_the_next_query() {
        let conn = Connection::open_in_memory().unwrap();
        let readers = Readers::open(&conn, 3).unwrap();
        assert_eq!(readers.take().index, 0);
        let first = readers.take();
        let second = readers.take();
        assert_eq!((first.index, second.index), (0, 1));
        // Reader 2 is still free: this query does not wait for the two held above.
        let n: i64 = readers.with(|c, _| c.query_row("SELECT 41 + 1", [], |r| r.get(0)).unwrap());
        assert_eq!(n, 42);
        drop(first);
        assert_eq!(readers.take().index, 0);
    }

    /// A query waiting for a reader gets one as soon as another query gives it back.
    #[test]
    fn a_query_waits_for_the_first_reader_freed() {
        let conn = Connection::open_in_memory().unwrap();
        let readers = Arc::new(Readers::open(&conn, 3).unwrap());
        // Hold every reader: the guards are forgotten and one index is handed back by hand below.
        let held: Vec<usize> = (0..readers.slots.len())
            .map(|_| {
                let t = readers.take();
                let i = t.index;
                std::mem::forget(t);
                i
            })
            .collect();
        let (tx, rx) = std::sync::mpsc::channel();
        let r = readers.clone();
        let waiter = std::thread::spawn(move || {
            let got = r.take().index;
            tx.send(got).unwrap();
        });
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(200)).is_err(),
            "every reader is held"
        );
        lock(&readers.free).push(held[1]);
        readers.freed.notify_one();
        assert_eq!(rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap(), held[1]);
        waiter.join().unwrap();
    }
}
