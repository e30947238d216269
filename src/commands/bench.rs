//! `costscope bench decode|ingest|fleet|export|serve|savings`: the speed benchmarks (`docs/performance.md`), printed as a
//! table or JSON.

use crate::cli::BenchCommand;
use color_eyre::eyre::Result;

/// `costscope bench`.
///
/// Errors: the benchmark's own (temporary directory, generation, ingest, queries).
pub fn run(b: BenchCommand) -> Result<()> {
    match b {
        BenchCommand::Decode { allocations, runs, json } => {
            let dir = tempfile::tempdir()?;
            let exe = std::env::current_exe().ok();
            let r = crate::bench::decode_bench(allocations, runs, dir.path(), exe.as_deref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!("allocations        {}", r.allocations);
                println!("file size          {:.1} MB", r.file_bytes as f64 / 1e6);
                println!("encode             {:.3} s", r.encode_seconds);
                println!(
                    "decode (best of {runs}) {:.3} s = {:.0} allocations/s, {:.1} MB/s, {:.2} µs/allocation",
                    r.decode_seconds, r.allocations_per_second, r.megabytes_per_second, r.micros_per_allocation
                );
                println!("peak RSS           {:.0} MiB", r.peak_rss_bytes as f64 / 1048576.0);
                if let (Some(s), Some(aps)) = (r.inspect_process_seconds, r.inspect_allocations_per_second) {
                    println!("inspect process    {s:.3} s = {aps:.0} allocations/s (whole `inspect --format summary`)");
                }
            }
            Ok(())
        }
        BenchCommand::Ingest {
            containers,
            days,
            runs,
            dir,
            json,
        } => {
            let dir = dir.unwrap_or_else(|| crate::config::cache_dir().join("bench"));
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let r = rt.block_on(crate::bench::ingest::ingest_bench(&dir, containers, days, runs))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "bucket             {} containers/day × {} days, {} files, {:.0} MB (generated in {:.1} s)",
                    r.containers_per_day,
                    r.days,
                    r.files,
                    r.bucket_bytes as f64 / 1e6,
                    r.generate_seconds
                );
                println!(
                    "cold ingest        {:.1} s, {} rows ({:.0} rows/s)",
                    r.ingest_seconds, r.rows, r.rows_per_second
                );
                println!("database           {:.0} MB", r.database_bytes as f64 / 1e6);
                println!("peak RSS           {:.0} MiB", r.peak_rss_bytes as f64 / 1048576.0);
                for q in &r.queries {
                    println!(
                        "query {:<38} rows {:>7}  cold p50 {:>6.1} ms p99 {:>6.1} ms  page p50 {:>5.1} ms p99 {:>5.1} ms",
                        q.name, q.total_rows, q.cold_p50_ms, q.cold_p99_ms, q.page_p50_ms, q.page_p99_ms
                    );
                }
                let f = &r.controller_floor;
                println!(
                    "{:<44} groups {:>7}  p50 {:>6.1} ms p99 {:>6.1} ms  controller cold p50 ÷ floor p50 = {:.2}",
                    f.name, f.total_rows, f.cold_p50_ms, f.cold_p99_ms, r.controller_cold_over_floor
                );
            }
            Ok(())
        }
        BenchCommand::Savings {
            containers,
            days,
            dir,
            json,
        } => {
            let dir = dir.unwrap_or_else(|| crate::config::cache_dir().join("bench"));
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let r = rt.block_on(crate::bench::savings::savings_bench(&dir, containers, days))?;
            match json {
                true => println!("{}", serde_json::to_string_pretty(&r)?),
                false => print!("{}", crate::bench::savings::text(&r)),
            }
            Ok(())
        }
        BenchCommand::Serve {
            containers,
            days,
            clients,
            requests,
            dir,
            json,
        } => {
            let dir = dir.unwrap_or_else(|| crate::config::cache_dir().join("bench"));
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let r = rt.block_on(crate::bench::serve::serve_bench(&dir, containers, days, clients, requests))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "bucket             {} containers/day × {} days, {} rows (cold ingest {:.1} s)",
                    r.containers_per_day, r.days, r.rows, r.ingest_seconds
                );
                println!("clients            {}", r.clients);
                for s in &r.shapes {
                    println!(
                        "{:<45} {:>6} req  {:>7.0} req/s  p50 {:>6.1} ms  p99 {:>6.1} ms  errors {}",
                        s.name, s.requests, s.requests_per_second, s.p50_ms, s.p99_ms, s.errors
                    );
                }
                println!("new queries by controller answered meanwhile: {}", r.background_queries);
                println!("peak RSS           {:.0} MiB", r.peak_rss_bytes as f64 / 1048576.0);
            }
            Ok(())
        }
        BenchCommand::Export {
            containers,
            days,
            concurrency,
            dir,
            json,
        } => {
            let dir = dir.unwrap_or_else(|| crate::config::cache_dir().join("bench"));
            let n = concurrency.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let r = rt.block_on(crate::bench::export::export_bench(&dir, containers, days, n))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "export             {} containers/day × {} days: {} partitions, {} rows in {:.2} s",
                    r.containers, r.days, r.report.written, r.report.rows, r.report.seconds
                );
                println!(
                    "throughput         {:.0} rows/s, {:.1} MB/s read, {:.1} files/s; {:.1} MB Parquet written",
                    r.rows_per_second,
                    r.megabytes_per_second,
                    r.files_per_second,
                    r.report.parquet_bytes as f64 / 1e6
                );
                println!("peak RSS           {:.0} MiB", r.peak_rss_bytes as f64 / 1048576.0);
            }
            Ok(())
        }
        BenchCommand::Fleet {
            clusters,
            days,
            containers,
            hourly_hours,
            latency_ms,
            upload_to,
            fresh_files,
            cold_only,
            dir,
            json,
        } => {
            let dir = dir.unwrap_or_else(|| crate::config::cache_dir().join("bench"));
            std::fs::create_dir_all(&dir)?;
            let spec = crate::bench::fleet::FleetSpec {
                clusters,
                days,
                containers,
                hourly_hours,
                latency_ms,
                fresh_files,
                cold_only,
            };
            let remote = match &upload_to {
                Some(file) => Some(crate::config::open_store(file)?.1),
                None => None,
            };
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            let r = rt.block_on(crate::bench::fleet::fleet_bench(
                &dir,
                &spec,
                remote.as_ref().map(|s| (s.identity.as_str(), s.inner.clone())),
            ))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
                return Ok(());
            }
            println!(
                "bucket             {} clusters × {} days + {} h hourly, {} files, {:.1} MB",
                r.clusters,
                r.days,
                r.hourly_hours,
                r.files,
                r.bucket_bytes as f64 / 1e6
            );
            for run in &r.runs {
                println!(
                    "{:<32} {:>7.2} s  {:>5} files  {:>7.0} files/s  {:>6.2} ms/file  {} rows  \
                     CPU {:.2} s = {:.2} ms/file, {:.1} MB/s",
                    run.name,
                    run.seconds,
                    run.files_ingested,
                    run.files_per_second,
                    run.ms_per_file,
                    run.rows,
                    run.cpu_seconds,
                    run.cpu_ms_per_file,
                    run.mb_per_cpu_second
                );
            }
            println!("database           {:.0} MB", r.database_bytes as f64 / 1e6);
            if r.fresh_files > 0 {
                println!(
                    "new file → query   p50 {:.2} s, max {:.2} s over {} files (ingest every {} s)",
                    r.fresh_p50_seconds,
                    r.fresh_max_seconds,
                    r.fresh_files,
                    crate::aggregator::ingest::WATCH_INTERVAL.as_secs()
                );
            }
            println!("peak RSS           {:.0} MiB", r.peak_rss_bytes as f64 / 1048576.0);
            Ok(())
        }
    }
}
