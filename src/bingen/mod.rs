//! The Kubecost/OpenCost "bingen" ETL codec.
//!
//! Reads every root a Kubecost or OpenCost bucket holds — `AllocationSet`, `AssetSet`,
//! `CloudCostSet`, their `*SetRange` roots, a bare `Allocation` and a bare `Window` — at every
//! version from the v15 layout up to the current ones (Allocation 24, Assets 21, CloudCost 3,
//! Window 18), gzip-wrapped or not, and writes them back at any of those versions. The wire format
//! is OpenCost's generated codec, `core/pkg/opencost/opencost_codecs.go`, over the buffer of
//! `core/pkg/util/buffer.go`.
//!
//! Decoding never panics: truncated, corrupt or hostile input yields a [`DecodeError`] naming the
//! struct, the byte offset and what was expected, and declared counts are checked against the bytes
//! left before anything is allocated.

mod allocation;
mod asset;
mod cloudcost;
mod error;
mod reader;
mod versions;
mod window;
mod writer;

pub use error::DecodeError;
pub use versions::{Family, SeenVersions, Versions};

use crate::model::{
    Allocation, AllocationSet, AllocationSetRange, Asset, AssetSet, AssetSetRange, CloudCost, CloudCostSet, CloudCostSetRange, Str, Window,
};
use reader::Reader;
use std::borrow::Cow;
use std::io::Read;
use writer::Writer;

/// Upper bound on the inflated size of a gzip-wrapped file, bytes (512 MiB, about 14× a
/// 60k-allocation day of 36 MB, the largest real file we know of); larger is a decode error, not
/// an out-of-memory. Inflating never holds more than this plus one read buffer.
pub const MAX_INFLATED_BYTES: u64 = 512 << 20;

/// The kind of root object a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RootKind {
    AllocationSet,
    AllocationSetRange,
    Allocation,
    AssetSet,
    AssetSetRange,
    CloudCostSet,
    CloudCostSetRange,
    Window,
}

impl RootKind {
    /// Every root kind.
    pub const ALL: [RootKind; 8] = [
        RootKind::AllocationSet,
        RootKind::AllocationSetRange,
        RootKind::Allocation,
        RootKind::AssetSet,
        RootKind::AssetSetRange,
        RootKind::CloudCostSet,
        RootKind::CloudCostSetRange,
        RootKind::Window,
    ];

    /// The OpenCost type name (`AllocationSet`).
    pub fn name(self) -> &'static str {
        match self {
            RootKind::AllocationSet => "AllocationSet",
            RootKind::AllocationSetRange => "AllocationSetRange",
            RootKind::Allocation => "Allocation",
            RootKind::AssetSet => "AssetSet",
            RootKind::AssetSetRange => "AssetSetRange",
            RootKind::CloudCostSet => "CloudCostSet",
            RootKind::CloudCostSetRange => "CloudCostSetRange",
            RootKind::Window => "Window",
        }
    }

    /// Parse a type name, case-insensitively.
    pub fn parse(s: &str) -> Option<RootKind> {
        RootKind::ALL.into_iter().find(|k| k.name().eq_ignore_ascii_case(s))
    }

    /// Infer the root from an object key or path: a `/allocations/`, `/assets/` or `/cloudcosts/`
    /// directory gives the set type (as in `federated/<c>/etl/bingen/assets/1d/<s>-<e>`).
    pub fn from_key(key: &str) -> Option<RootKind> {
        let key = key.replace('\\', "/");
        let parts: Vec<&str> = key.split('/').collect();
        let dir = |name: &str| parts.iter().rev().skip(1).any(|p| *p == name);
        if dir("allocations") {
            Some(RootKind::AllocationSet)
        } else if dir("assets") {
            Some(RootKind::AssetSet)
        } else if dir("cloudcosts") {
            Some(RootKind::CloudCostSet)
        } else {
            None
        }
    }

    /// True for roots OpenCost writes with a `BGST` string table (the three sets).
    pub fn has_string_table(self) -> bool {
        matches!(self, RootKind::AllocationSet | RootKind::AssetSet | RootKind::CloudCostSet)
    }
}

/// A decoded root object.
#[derive(Clone, Debug, PartialEq)]
pub enum Root {
    AllocationSet(AllocationSet),
    AllocationSetRange(AllocationSetRange),
    Allocation(Box<Allocation>),
    AssetSet(AssetSet),
    AssetSetRange(AssetSetRange),
    CloudCostSet(CloudCostSet),
    CloudCostSetRange(CloudCostSetRange),
    Window(Window),
}

impl Root {
    /// The window a set says it covers (`AllocationSet`, `AssetSet`, `CloudCostSet`); `None` for
    /// other roots.
    pub fn set_window(&self) -> Option<crate::model::Window> {
        match self {
            Root::AllocationSet(s) => Some(s.window),
            Root::AssetSet(s) => Some(s.window),
            Root::CloudCostSet(s) => Some(s.window),
            Root::AllocationSetRange(_) | Root::Allocation(_) | Root::AssetSetRange(_) | Root::CloudCostSetRange(_) | Root::Window(_) => {
                None
            }
        }
    }

    /// The kind of this root.
    pub fn kind(&self) -> RootKind {
        match self {
            Root::AllocationSet(_) => RootKind::AllocationSet,
            Root::AllocationSetRange(_) => RootKind::AllocationSetRange,
            Root::Allocation(_) => RootKind::Allocation,
            Root::AssetSet(_) => RootKind::AssetSet,
            Root::AssetSetRange(_) => RootKind::AssetSetRange,
            Root::CloudCostSet(_) => RootKind::CloudCostSet,
            Root::CloudCostSetRange(_) => RootKind::CloudCostSetRange,
            Root::Window(_) => RootKind::Window,
        }
    }
}

/// A decoded file with facts about its encoding.
#[derive(Clone, Debug)]
pub struct Decoded {
    /// The root object.
    pub root: Root,
    /// Version bytes seen, per version set.
    pub versions: SeenVersions,
    /// The file was gzip-wrapped.
    pub gzipped: bool,
    /// Entries in the `BGST` string table (0 when absent).
    pub string_table_len: usize,
    /// Bytes after the root object (Go ignores them; so do we, but report them).
    pub trailing_bytes: usize,
}

/// Inflate gzip-wrapped data (magic `1f 8b`), else borrow it as is.
///
/// Errors: a corrupt gzip stream, or an inflated size above [`MAX_INFLATED_BYTES`].
pub fn inflate(data: &[u8]) -> Result<Cow<'_, [u8]>, DecodeError> {
    if data.len() < 2 || data[0] != 0x1f || data[1] != 0x8b {
        reject_text(data)?;
        return Ok(Cow::Borrowed(data));
    }
    let inflated = inflate_capped(data, MAX_INFLATED_BYTES).map_err(|e| DecodeError {
        offset: 0,
        structure: "gzip",
        message: format!("corrupt gzip stream: {e}"),
    })?;
    let Some(out) = inflated else {
        return Err(DecodeError {
            offset: 0,
            structure: "gzip",
            message: format!("inflates to more than {MAX_INFLATED_BYTES} bytes"),
        });
    };
    reject_text(&out)?;
    Ok(Cow::Owned(out))
}

/// Inflate a gzip stream whose inflated size is at most `cap` bytes; `None` when it is larger
/// (nothing past the count is kept). The stream is inflated twice, first only counting, so the
/// output is allocated once at its exact size: peak memory is the inflated size, never a growing
/// buffer's 1.5–2× of it.
fn inflate_capped(data: &[u8], cap: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut counter = flate2::read::GzDecoder::new(data).take(cap + 1);
    let len = std::io::copy(&mut counter, &mut std::io::sink())?;
    if len > cap {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(len as usize);
    flate2::read::GzDecoder::new(data).take(len).read_to_end(&mut out)?;
    Ok(Some(out))
}

/// A bingen file starts with a version byte or the `BGST` table marker and its binary length,
/// never with a run of text: 16 or more leading bytes that are all printable ASCII or whitespace
/// are a text file (YAML, JSON, an HTML error page), reported as such instead of as a
/// "version 104" struct.
fn reject_text(data: &[u8]) -> Result<(), DecodeError> {
    let head = &data[..data.len().min(16)];
    let texty = |b: &u8| b.is_ascii_graphic() || b.is_ascii_whitespace();
    if head.len() == 16 && head.iter().all(texty) {
        let shown: String = String::from_utf8_lossy(head)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        return Err(DecodeError {
            offset: 0,
            structure: "file",
            message: format!("not a bingen file: it starts with text ({:?}…)", shown.trim_end()),
        });
    }
    Ok(())
}

/// Decode one file holding a `kind` root. Accepts gzip-wrapped data and files with or without a
/// `BGST` string table.
///
/// Errors: [`DecodeError`] with the struct, byte offset (in the inflated data) and expectation.
pub fn decode(data: &[u8], kind: RootKind) -> Result<Decoded, DecodeError> {
    let gzipped = data.len() >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    let data = inflate(data)?;
    let mut r = Reader::new(&data);
    r.read_table()?;
    let root = match kind {
        RootKind::AllocationSet => Root::AllocationSet(allocation::read_allocation_set(&mut r)?),
        RootKind::AllocationSetRange => Root::AllocationSetRange(allocation::read_allocation_set_range(&mut r)?),
        RootKind::Allocation => Root::Allocation(Box::new(allocation::read_allocation(&mut r)?)),
        RootKind::AssetSet => Root::AssetSet(asset::read_asset_set(&mut r)?),
        RootKind::AssetSetRange => Root::AssetSetRange(asset::read_asset_set_range(&mut r)?),
        RootKind::CloudCostSet => Root::CloudCostSet(cloudcost::read_cloud_cost_set(&mut r)?),
        RootKind::CloudCostSetRange => Root::CloudCostSetRange(cloudcost::read_cloud_cost_set_range(&mut r)?),
        RootKind::Window => Root::Window(window::read_window(&mut r)?),
    };
    let string_table_len = r.table_len();
    Ok(Decoded {
        root,
        versions: r.seen,
        gzipped,
        string_table_len,
        trailing_bytes: r.remaining(),
    })
}

/// One item of a set, handed over by [`decode_streaming`]: the set's map key and the value.
///
/// Items are built one at a time and lent to the callback, never stored in bulk, so the size gap
/// between an allocation and the other variants costs nothing; boxing would cost an allocation per
/// item.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Item {
    Allocation(Str, Allocation),
    Asset(Str, Asset),
    CloudCost(Str, CloudCost),
}

/// Decode like [`decode`], but hand every allocation, asset or cloud cost to `each` as it is read
/// instead of keeping it: memory stays flat whatever the file size. The returned root holds the
/// set's header (window, warnings, ...) with an empty item map. Nil map values are skipped. For
/// range roots and a bare `Allocation` the items of the fully decoded root are handed over.
///
/// Errors as [`decode`]; items before the error have already been handed over.
pub fn decode_streaming(data: &[u8], kind: RootKind, each: &mut dyn FnMut(Item)) -> Result<Decoded, DecodeError> {
    if !kind.has_string_table() {
        let d = decode(data, kind)?;
        emit_items(&d.root, each);
        return Ok(d);
    }
    let gzipped = data.len() >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    let data = inflate(data)?;
    let mut r = Reader::new(&data);
    r.read_table()?;
    let string_table_len = r.table_len();
    let root = match kind {
        RootKind::AllocationSet => Root::AllocationSet(allocation::read_allocation_set_with(&mut r, &mut |k, a| {
            if let Some(a) = a {
                each(Item::Allocation(k, a))
            }
        })?),
        RootKind::AssetSet => Root::AssetSet(asset::read_asset_set_with(&mut r, &mut |k, a| {
            if let Some(a) = a {
                each(Item::Asset(k, a))
            }
        })?),
        _ => Root::CloudCostSet(cloudcost::read_cloud_cost_set_with(&mut r, &mut |k, c| {
            if let Some(c) = c {
                each(Item::CloudCost(k, c))
            }
        })?),
    };
    Ok(Decoded {
        root,
        versions: r.seen,
        gzipped,
        string_table_len,
        trailing_bytes: r.remaining(),
    })
}

fn emit_items(root: &Root, each: &mut dyn FnMut(Item)) {
    let allocs = |s: &AllocationSet, each: &mut dyn FnMut(Item)| {
        for (k, a) in s.allocations.iter().flat_map(|m| m.iter()) {
            if let Some(a) = a {
                each(Item::Allocation(k.clone(), a.clone()));
            }
        }
    };
    let assets = |s: &AssetSet, each: &mut dyn FnMut(Item)| {
        for (k, a) in s.assets.iter().flat_map(|m| m.iter()) {
            if let Some(a) = a {
                each(Item::Asset(k.clone(), a.clone()));
            }
        }
    };
    let clouds = |s: &CloudCostSet, each: &mut dyn FnMut(Item)| {
        for (k, c) in s.cloud_costs.iter().flat_map(|m| m.iter()) {
            if let Some(c) = c {
                each(Item::CloudCost(k.clone(), c.clone()));
            }
        }
    };
    match root {
        Root::AllocationSet(s) => allocs(s, each),
        Root::AllocationSetRange(r) => r.allocations.iter().flatten().flatten().for_each(|s| allocs(s, each)),
        Root::Allocation(a) => each(Item::Allocation(a.name.clone(), (**a).clone())),
        Root::AssetSet(s) => assets(s, each),
        Root::AssetSetRange(r) => r.assets.iter().flatten().flatten().for_each(|s| assets(s, each)),
        Root::CloudCostSet(s) => clouds(s, each),
        Root::CloudCostSetRange(r) => r.cloud_cost_sets.iter().flatten().flatten().for_each(|s| clouds(s, each)),
        Root::Window(_) => {}
    }
}

/// Decode an `AllocationSet` file. Errors as [`decode`].
pub fn decode_allocation_set(data: &[u8]) -> Result<AllocationSet, DecodeError> {
    match decode(data, RootKind::AllocationSet)?.root {
        Root::AllocationSet(s) => Ok(s),
        _ => unreachable!("decode returns the requested root"),
    }
}

/// Decode an `AssetSet` file. Errors as [`decode`].
pub fn decode_asset_set(data: &[u8]) -> Result<AssetSet, DecodeError> {
    match decode(data, RootKind::AssetSet)?.root {
        Root::AssetSet(s) => Ok(s),
        _ => unreachable!("decode returns the requested root"),
    }
}

/// Decode a `CloudCostSet` file. Errors as [`decode`].
pub fn decode_cloud_cost_set(data: &[u8]) -> Result<CloudCostSet, DecodeError> {
    match decode(data, RootKind::CloudCostSet)?.root {
        Root::CloudCostSet(s) => Ok(s),
        _ => unreachable!("decode returns the requested root"),
    }
}

/// Encode `root` at versions `v`, as OpenCost's `MarshalBinary()` would: the three set roots get a
/// `BGST` string table (strings in first-use order), ranges, `Allocation` and `Window` have inline
/// strings. Maps are written in their stored order, so decode → encode at the file's own versions
/// reproduces the original bytes. Fields gated above `v` are dropped.
pub fn encode(root: &Root, v: Versions) -> Vec<u8> {
    let mut w = Writer::new(root.kind().has_string_table(), v);
    match root {
        Root::AllocationSet(s) => allocation::write_allocation_set(&mut w, s),
        Root::AllocationSetRange(s) => allocation::write_allocation_set_range(&mut w, s),
        Root::Allocation(a) => allocation::write_allocation(&mut w, a),
        Root::AssetSet(s) => asset::write_asset_set(&mut w, s),
        Root::AssetSetRange(s) => asset::write_asset_set_range(&mut w, s),
        Root::CloudCostSet(s) => cloudcost::write_cloud_cost_set(&mut w, s),
        Root::CloudCostSetRange(s) => cloudcost::write_cloud_cost_set_range(&mut w, s),
        Root::Window(win) => window::write_window(&mut w, win),
    }
    w.finish()
}

/// Encode an `AllocationSet` at the current versions.
pub fn encode_allocation_set(s: &AllocationSet) -> Vec<u8> {
    let mut w = Writer::new(true, Versions::CURRENT);
    allocation::write_allocation_set(&mut w, s);
    w.finish()
}

/// Encode an `AssetSet` at the current versions.
pub fn encode_asset_set(s: &AssetSet) -> Vec<u8> {
    let mut w = Writer::new(true, Versions::CURRENT);
    asset::write_asset_set(&mut w, s);
    w.finish()
}

/// Encode a `CloudCostSet` at the current versions.
pub fn encode_cloud_cost_set(s: &CloudCostSet) -> Vec<u8> {
    let mut w = Writer::new(true, Versions::CURRENT);
    cloudcost::write_cloud_cost_set(&mut w, s);
    w.finish()
}

impl serde::Serialize for Root {
    /// The root's own JSON (Kubecost field names), without a type wrapper.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Root::AllocationSet(x) => x.serialize(s),
            Root::AllocationSetRange(x) => x.serialize(s),
            Root::Allocation(x) => x.serialize(s),
            Root::AssetSet(x) => x.serialize(s),
            Root::AssetSetRange(x) => x.serialize(s),
            Root::CloudCostSet(x) => x.serialize(s),
            Root::CloudCostSetRange(x) => x.serialize(s),
            Root::Window(x) => x.serialize(s),
        }
    }
}
