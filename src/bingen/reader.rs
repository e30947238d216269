//! Wire primitives for decoding (OpenCost `core/pkg/util/buffer.go` semantics): little-endian
//! fixed-width scalars, u16-length strings or int32 string-table indices, nil markers, Go time.

use super::error::DecodeError;
use super::versions::{Family, SeenVersions, Versions};
use crate::model::StrMap;
use crate::model::{GoTime, Str};
use std::sync::Arc;

pub(crate) type R<T> = Result<T, DecodeError>;

/// Cursor over one decompressed bingen file.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    table: Vec<Str>,
    /// Struct currently being decoded, for error messages.
    pub ctx: &'static str,
    pub seen: SeenVersions,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader {
            buf,
            pos: 0,
            table: Vec::new(),
            ctx: "file",
            seen: SeenVersions::default(),
        }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn table_len(&self) -> usize {
        self.table.len()
    }

    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    #[cold]
    pub fn err(&self, at: usize, message: String) -> DecodeError {
        DecodeError {
            offset: at,
            structure: self.ctx,
            message,
        }
    }

    #[cold]
    fn short(&self, n: usize, what: &str) -> DecodeError {
        self.err(
            self.pos,
            format!("expected {what} ({n} bytes), only {} bytes left", self.remaining()),
        )
    }

    #[inline]
    fn take(&mut self, n: usize, what: &str) -> R<&'a [u8]> {
        if self.remaining() < n {
            return Err(self.short(n, what));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    #[inline]
    fn arr<const N: usize>(&mut self, what: &str) -> R<[u8; N]> {
        if self.remaining() < N {
            return Err(self.short(N, what));
        }
        let mut a = [0u8; N];
        a.copy_from_slice(&self.buf[self.pos..self.pos + N]);
        self.pos += N;
        Ok(a)
    }

    #[inline]
    pub fn u8(&mut self) -> R<u8> {
        Ok(self.arr::<1>("a byte")?[0])
    }

    #[inline]
    pub fn bool(&mut self) -> R<bool> {
        Ok(self.arr::<1>("a bool")?[0] != 0)
    }

    #[inline]
    pub fn i32(&mut self) -> R<i32> {
        Ok(i32::from_le_bytes(self.arr::<4>("an int32")?))
    }

    #[inline]
    pub fn f64(&mut self) -> R<f64> {
        Ok(f64::from_le_bytes(self.arr::<8>("a float64")?))
    }

    /// Nil marker: true when a value follows.
    #[inline]
    pub fn present(&mut self) -> R<bool> {
        Ok(self.arr::<1>("a nil marker")?[0] != 0)
    }

    /// A count (map/slice length) that must be non-negative and, at `min_bytes` per element,
    /// fit in the bytes left — checked before anything is allocated.
    #[inline]
    pub fn count(&mut self, min_bytes: usize) -> R<usize> {
        let at = self.pos;
        let n = self.i32()?;
        if n < 0 {
            return Err(self.err(at, format!("negative element count {n}")));
        }
        let n = n as usize;
        if n.saturating_mul(min_bytes.max(1)) > self.remaining() {
            return Err(self.err(
                at,
                format!(
                    "element count {n} needs at least {} bytes, only {} left",
                    n * min_bytes.max(1),
                    self.remaining()
                ),
            ));
        }
        Ok(n)
    }

    /// Read a struct's version byte, record it, and reject versions outside the readable range.
    #[inline]
    pub fn version(&mut self, f: Family) -> R<u8> {
        let at = self.pos;
        let v = self.u8()?;
        let (lo, hi) = (Versions::OLDEST.get(f), Versions::CURRENT.get(f));
        if v > hi || v < lo {
            return Err(self.bad_version(at, v, lo, hi));
        }
        self.seen.record(f, v);
        Ok(v)
    }

    #[cold]
    fn bad_version(&self, at: usize, v: u8, lo: u8, hi: u8) -> DecodeError {
        if v > hi {
            self.err(
                at,
                format!("version {v} is newer than this decoder knows (got {v}, know up to {hi})"),
            )
        } else {
            self.err(at, format!("version {v} is older than the oldest supported layout {lo}"))
        }
    }

    /// Enter a nested struct: skip the int32 compatibility word and decode with `name` as context.
    #[inline]
    pub fn nested<T>(&mut self, name: &'static str, f: impl FnOnce(&mut Self) -> R<T>) -> R<T> {
        self.i32()?;
        self.within(name, f)
    }

    /// Decode with `name` as the error context, restoring the parent's afterwards.
    #[inline]
    pub fn within<T>(&mut self, name: &'static str, f: impl FnOnce(&mut Self) -> R<T>) -> R<T> {
        let parent = std::mem::replace(&mut self.ctx, name);
        let out = f(self)?;
        self.ctx = parent;
        Ok(out)
    }

    /// Inline string: u16 LE length then bytes (invalid UTF-8 is replaced, as Go strings are bytes).
    pub fn inline_str(&mut self) -> R<Str> {
        let n = u16::from_le_bytes(self.arr::<2>("a string length")?) as usize;
        let b = self.take(n, "string bytes")?;
        Ok(match std::str::from_utf8(b) {
            Ok(s) => Arc::from(s),
            Err(_) => Arc::from(String::from_utf8_lossy(b).as_ref()),
        })
    }

    /// A string field: a table index when a non-empty table is active, else inline.
    #[inline]
    pub fn string(&mut self) -> R<Str> {
        if self.table.is_empty() {
            return self.inline_str();
        }
        let at = self.pos;
        let i = self.i32()?;
        match usize::try_from(i).ok().and_then(|i| self.table.get(i)) {
            Some(s) => Ok(s.clone()),
            None => Err(self.err(
                at,
                format!("string table index {i} out of range (table has {} entries)", self.table.len()),
            )),
        }
    }

    /// Read the `BGST` string table, if the data starts with one.
    pub fn read_table(&mut self) -> R<()> {
        if self.buf.len() >= 4 && &self.buf[..4] == b"BGST" {
            self.pos = 4;
            self.within("string table", |r| {
                let n = r.count(2)?;
                let mut t = Vec::with_capacity(n);
                for _ in 0..n {
                    t.push(r.inline_str()?);
                }
                r.table = t;
                Ok(())
            })?;
        }
        Ok(())
    }

    /// Go `time.Time` binary (int32 length, then version 1 or 2 blob, big-endian inside).
    pub fn time(&mut self) -> R<GoTime> {
        let at = self.pos;
        let n = self.i32()?;
        if n != 15 && n != 16 {
            return Err(self.err(at, format!("time length must be 15 or 16, got {n}")));
        }
        let b = self.take(n as usize, "time.Time bytes")?;
        let ver = b[0];
        if !(ver == 1 && n == 15 || ver == 2 && n == 16) {
            return Err(self.err(
                at + 4,
                format!("time.Time binary version {ver} with length {n} (expected 1/15 or 2/16)"),
            ));
        }
        let go_secs = i64::from_be_bytes(b[1..9].try_into().expect("8 bytes"));
        let nanos = i32::from_be_bytes(b[9..13].try_into().expect("4 bytes"));
        if !(0..1_000_000_000).contains(&nanos) {
            return Err(self.err(at + 13, format!("time.Time nanoseconds {nanos} out of range")));
        }
        let offset_min = i16::from_be_bytes([b[13], b[14]]);
        let offset_sec = if ver == 2 { Some(b[15] as i8) } else { None };
        let unix = go_secs.wrapping_sub(crate::model::GO_EPOCH_TO_UNIX);
        Ok(GoTime {
            unix,
            nanos: nanos as u32,
            offset_min,
            offset_sec,
        })
    }

    /// Nil marker then `f`.
    #[inline]
    pub fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> R<T>) -> R<Option<T>> {
        if self.present()? { f(self).map(Some) } else { Ok(None) }
    }

    /// `?[]S`.
    pub fn opt_str_list(&mut self) -> R<Option<Vec<Str>>> {
        self.opt(|r| {
            let n = r.count(2)?;
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                v.push(r.string()?);
            }
            Ok(v)
        })
    }

    /// `?map<S,S>`.
    pub fn opt_str_map(&mut self) -> R<Option<StrMap>> {
        self.opt(|r| {
            let n = r.count(4)?;
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                let k = r.string()?;
                v.push((k, r.string()?));
            }
            Ok(StrMap(v))
        })
    }

    /// `?map<S,B>`.
    pub fn opt_bool_map(&mut self) -> R<Option<StrMap<Str, bool>>> {
        self.opt(|r| {
            let n = r.count(3)?;
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                let k = r.string()?;
                v.push((k, r.bool()?));
            }
            Ok(StrMap(v))
        })
    }

    /// `?map<S, ?N(T)>` where each value is a nested struct behind a nil marker.
    pub fn opt_struct_map<T>(&mut self, name: &'static str, mut f: impl FnMut(&mut Self) -> R<T>) -> R<Option<StrMap<Str, Option<T>>>> {
        self.opt(|r| {
            let n = r.count(3)?;
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                let k = r.string()?;
                let val = r.opt(|r| r.nested(name, &mut f))?;
                v.push((k, val));
            }
            Ok(StrMap(v))
        })
    }

    /// `?[]?N(T)`: a nilable slice of nilable nested structs.
    pub fn opt_struct_list<T>(&mut self, name: &'static str, mut f: impl FnMut(&mut Self) -> R<T>) -> R<Option<Vec<Option<T>>>> {
        self.opt(|r| {
            let n = r.count(1)?;
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                v.push(r.opt(|r| r.nested(name, &mut f))?);
            }
            Ok(v)
        })
    }
}
