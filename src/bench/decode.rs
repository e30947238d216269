//! `costscope bench decode`: the codec benchmark. Encodes a realistic AllocationSet with our
//! encoder, then measures decode throughput (allocations/s, MB/s), peak memory, and the whole
//! `costscope inspect --format summary` process on that file.

use crate::bingen;
use crate::demo::workload;
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

/// Results of one decode benchmark run. Times in seconds, sizes in bytes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecodeBench {
    pub allocations: usize,
    pub file_bytes: usize,
    pub encode_seconds: f64,
    /// Best of `runs` in-process decodes.
    pub decode_seconds: f64,
    pub allocations_per_second: f64,
    pub megabytes_per_second: f64,
    pub micros_per_allocation: f64,
    /// Peak resident set of this process (VmHWM), bytes.
    pub peak_rss_bytes: u64,
    /// Best wall time of the whole `inspect --format summary` process, if measured.
    pub inspect_process_seconds: Option<f64>,
    pub inspect_allocations_per_second: Option<f64>,
}

/// Peak resident set size of this process in bytes (Linux `/proc/self/status` VmHWM; 0 elsewhere).
pub fn peak_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()))
        .map_or(0, |kb| kb * 1024)
}

/// Run the decode benchmark on `n` synthetic allocations, `runs` decode repetitions; when `exe` is
/// given, also time `exe inspect --format summary FILE` (the file is written under `dir`).
///
/// Errors: I/O errors writing the file or starting the process; a decode error (a bug).
pub fn decode_bench(n: usize, runs: usize, dir: &Path, exe: Option<&Path>) -> color_eyre::Result<DecodeBench> {
    let set = workload::allocation_set("bench-cluster", n, 1_793_404_800, 42);
    let allocations = set.len();
    let t = Instant::now();
    let bytes = bingen::encode_allocation_set(&set);
    let encode_seconds = t.elapsed().as_secs_f64();
    drop(set);
    let mut best = f64::MAX;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let d = bingen::decode_allocation_set(&bytes)?;
        let el = t.elapsed().as_secs_f64();
        assert_eq!(d.len(), allocations, "decoded count");
        best = best.min(el);
    }
    let file = dir.join("1793404800-1793491200");
    std::fs::write(&file, &bytes)?;
    let mut inspect_best = None;
    if let Some(exe) = exe {
        let mut b = f64::MAX;
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            let out = std::process::Command::new(exe)
                .args(["inspect", "--format", "summary", "--type", "AllocationSet"])
                .arg(&file)
                .output()?;
            let el = t.elapsed().as_secs_f64();
            color_eyre::eyre::ensure!(out.status.success(), "inspect failed: {}", String::from_utf8_lossy(&out.stderr));
            b = b.min(el);
        }
        inspect_best = Some(b);
    }
    Ok(DecodeBench {
        allocations,
        file_bytes: bytes.len(),
        encode_seconds,
        decode_seconds: best,
        allocations_per_second: allocations as f64 / best,
        megabytes_per_second: bytes.len() as f64 / 1e6 / best,
        micros_per_allocation: best * 1e6 / allocations as f64,
        peak_rss_bytes: peak_rss_bytes(),
        inspect_process_seconds: inspect_best,
        inspect_allocations_per_second: inspect_best.map(|s| allocations as f64 / s),
    })
}
