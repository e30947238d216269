//! Saying on stderr what a CLI pass waits for on the network (docs/reliability.md, "Network"): a
//! store that accepts connections but never answers otherwise looks like a hung costscope. Every
//! listing request (`bucket/listing.rs`) and whole-object read (`bucket/fetch.rs`) that takes
//! longer than [`NOTE_AFTER`] calls [`say`]; the CLI turns that into one `note:` line on stderr
//! ([`note_on_stderr`]), at most one per [`NOTE_AFTER`]. The TUI does not (stderr is its screen).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a request runs before it is said to be waited for.
pub const NOTE_AFTER: Duration = Duration::from_secs(3);

static ON_STDERR: AtomicBool = AtomicBool::new(false);
static LAST: Mutex<Option<Instant>> = Mutex::new(None);
/// Waits a command notes in its own words ([`noting_as_command`]) running now: the notes of
/// their requests are left out.
static COMMAND_WAITS: AtomicUsize = AtomicUsize::new(0);

/// From now on, [`say`] prints on stderr (the CLI commands; never the TUI).
pub fn note_on_stderr() {
    ON_STDERR.store(true, Ordering::Relaxed);
}

/// The note for `what`: `note: still waiting for <what>; each request is retried for up to 60 s
/// ($COSTSCOPE_STORE_TIMEOUT seconds; …)`.
pub fn message(what: &str) -> String {
    format!(
        "note: still waiting for {}; each request is retried for up to {} s (${} seconds; per-read timeout: the store file's http_config.response_header_timeout)",
        crate::config::secret::scrub(what),
        crate::config::retry_timeout().as_secs(),
        crate::config::RETRY_TIMEOUT_ENV
    )
}

/// Print [`message`] of `what` on stderr when [`note_on_stderr`] was called, no command notes
/// its own wait, and no note was printed in the last [`NOTE_AFTER`] (several reads stalled at
/// once make one line). `force` prints whether notes are on or not (a command's own wait).
pub fn say(what: &str, force: bool) {
    if !force && (!ON_STDERR.load(Ordering::Relaxed) || COMMAND_WAITS.load(Ordering::Relaxed) > 0) {
        return;
    }
    let mut last = LAST.lock().unwrap_or_else(|e| e.into_inner());
    if last.is_some_and(|t| t.elapsed() < NOTE_AFTER) {
        return;
    }
    *last = Some(Instant::now());
    eprintln!("{}", message(what));
}

/// Await `fut`; when it takes longer than [`NOTE_AFTER`], [`say`] what it waits for (`what` is
/// only built then).
pub async fn noting<T>(what: impl FnOnce() -> String, fut: impl std::future::Future<Output = T>) -> T {
    noting_after(NOTE_AFTER, what, fut).await
}

/// [`noting`] after `after` instead of [`NOTE_AFTER`] (a large object's read takes longer
/// without anything being wrong).
pub async fn noting_after<T>(after: Duration, what: impl FnOnce() -> String, fut: impl std::future::Future<Output = T>) -> T {
    tokio::pin!(fut);
    tokio::select! {
        out = &mut fut => return out,
        _ = tokio::time::sleep(after) => {}
    }
    say(&what(), false);
    fut.await
}

/// Await `fut`, a command's whole wait (`bucket`'s scan), noting it as `what` after
/// [`NOTE_AFTER`] whether notes are on or not; its requests' own notes are left out meanwhile.
pub async fn noting_as_command<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    struct Active;
    impl Drop for Active {
        fn drop(&mut self) {
            COMMAND_WAITS.fetch_sub(1, Ordering::Relaxed);
        }
    }
    COMMAND_WAITS.fetch_add(1, Ordering::Relaxed);
    let _active = Active;
    tokio::pin!(fut);
    tokio::select! {
        out = &mut fut => return out,
        _ = tokio::time::sleep(NOTE_AFTER) => {}
    }
    say(what, true);
    fut.await
}
