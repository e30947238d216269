//! `costscope inspect FILE|KEY`: decode one bingen file (a local path, memory-mapped, or an
//! object key in the store) and print a summary or its JSON.

use crate::bingen::{self, RootKind};
use crate::cli::{GlobalArgs, InspectArgs, InspectFormat};
use crate::inspect;
use color_eyre::eyre::{Result, WrapErr, eyre};
use std::io::Write;

/// `costscope inspect`.
///
/// Errors: no such file and no store to read the key from, an unreadable object or file, an
/// unknown `--type`, a root type the path does not tell, or a file that does not decode (key and
/// byte offset in the message).
pub fn run(global: &GlobalArgs, args: InspectArgs) -> Result<()> {
    if !args.file.exists() {
        // Not a local file: treat it as an object key in the store.
        let key = args.file.to_string_lossy().to_string();
        let path = crate::config::find_store_file(global.store.as_deref(), global.demo)
            .map_err(|e| crate::cli::UsageError(format!("{key} is not a local file, and no store to read it from: {e}")))?;
        let (_, store) = crate::config::open_store(&path)?;
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let bytes = rt.block_on(async {
            use object_store::ObjectStoreExt;
            // The key as `costscope bucket` lists it: parsed, not re-encoded.
            store
                .inner
                .get(&object_store::path::Path::parse(key.as_str())?)
                .await?
                .bytes()
                .await
        });
        let bytes = bytes.map_err(|e| eyre!("reading {key} from {}: {e}", store.description))?;
        return print_inspect(&key, &bytes, &args);
    }
    let key = args.file.to_string_lossy().to_string();
    // Read, not memory-mapped: a file truncated by another process while mapped would kill the
    // process with SIGBUS; a read sees a consistent (if short) copy, which decodes or errors.
    let data = std::fs::read(&args.file).wrap_err_with(|| format!("reading {key}"))?;
    print_inspect(&key, &data, &args)
}

fn print_inspect(key: &str, data: &[u8], args: &InspectArgs) -> Result<()> {
    let kind = root_kind(key, args)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        InspectFormat::Summary => {
            let summary = inspect::summarize(data, kind).map_err(|e| eyre!("{key}: {e}"))?;
            write!(out, "file:     {key} ({} bytes)\n{summary}", data.len())?;
        }
        InspectFormat::Json => {
            let decoded = bingen::decode(data, kind).map_err(|e| eyre!("{key}: {e}"))?;
            serde_json::to_writer_pretty(&mut out, &inspect::to_json(&decoded))?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// Root type from `--type`, else from the key's pipeline directory.
fn root_kind(key: &str, args: &InspectArgs) -> Result<RootKind> {
    match &args.root_type {
        Some(t) => RootKind::parse(t).ok_or_else(|| {
            let names: Vec<&str> = RootKind::ALL.iter().map(|k| k.name()).collect();
            eyre!("unknown --type {t:?}; expected one of {}", names.join(", "))
        }),
        None => RootKind::from_key(key).ok_or_else(|| {
            eyre!("cannot tell the root type of {key}: its path has no allocations/, assets/ or cloudcosts/ directory; pass --type AllocationSet (or AssetSet, CloudCostSet, ...)")
        }),
    }
}
