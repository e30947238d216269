//! CPU time of this process for the benchmarks: user plus system seconds over every thread
//! (DuckDB's included), from `getrusage(RUSAGE_SELF)`. Other builds share the machine, so CPU
//! time is steadier than wall time (docs/performance.md).

/// User plus system CPU seconds this process has used so far, every thread included; 0 where
/// `getrusage` is unavailable (not Unix) or fails.
pub fn cpu_seconds() -> f64 {
    #[cfg(unix)]
    {
        let mut u = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: `u` is a writable rusage; getrusage fills it or returns -1 and leaves it zeroed.
        let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, u.as_mut_ptr()) };
        if rc != 0 {
            return 0.0;
        }
        // SAFETY: zero-initialised, and filled in by getrusage on success.
        let u = unsafe { u.assume_init() };
        let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        secs(u.ru_utime) + secs(u.ru_stime)
    }
    #[cfg(not(unix))]
    {
        0.0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cpu_time_grows_with_work() {
        let before = super::cpu_seconds();
        let mut x = 0u64;
        while super::cpu_seconds() <= before {
            x = x.wrapping_add(std::hint::black_box(1));
        }
        // Other test threads count too, so the loop may not run at all: only the clock is checked.
        std::hint::black_box(x);
        assert!(super::cpu_seconds() > before);
    }
}
