//! `costscope demo`: write the demo bucket (see [`crate::demo::bucket`]) and open the TUI on it.

use crate::cli::{DemoArgs, GlobalArgs};
use crate::demo::bucket::{DemoSpec, write_demo};
use color_eyre::eyre::{Result, WrapErr};

/// Write the bucket ending today (UTC), then browse it unless `--no-tui`.
pub async fn run(global: &GlobalArgs, args: DemoArgs) -> Result<()> {
    let dir = args.dir.clone().unwrap_or_else(|| {
        crate::config::paths::demo_store_file()
            .parent()
            .map_or_else(|| crate::config::cache_dir().join("demo"), std::path::Path::to_path_buf)
    });
    let today = chrono::Utc::now().timestamp().div_euclid(86_400) * 86_400;
    let spec = DemoSpec {
        clusters: args.clusters,
        days: args.days,
        seed: args.seed,
        containers: args.containers,
        end: today + 86_400,
        hourly_hours: 0,
    };
    if dir.join("federated").exists() {
        std::fs::remove_dir_all(dir.join("federated")).wrap_err_with(|| format!("clearing {}", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).wrap_err_with(|| format!("creating {}", dir.display()))?;
    let dir = dir.canonicalize()?;
    let t = std::time::Instant::now();
    let yaml = write_demo(&dir, &spec).wrap_err_with(|| format!("writing the demo bucket under {}", dir.display()))?;
    eprintln!(
        "demo bucket: {} clusters × {} days (seed {}) in {} ({:.1} s)\nstore file:  {}\n\
         query it:    costscope --store {} allocation --aggregate namespace   (or: costscope --demo allocation …)",
        spec.clusters,
        spec.days,
        spec.seed,
        dir.display(),
        t.elapsed().as_secs_f64(),
        yaml.display(),
        yaml.display()
    );
    if args.no_tui {
        return Ok(());
    }
    if !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        eprintln!("not a terminal: the TUI is not opened (the bucket is written; query it as above)");
        return Ok(());
    }
    let mut g = global.clone();
    g.store = Some(yaml);
    super::browse::run(&g).await
}
