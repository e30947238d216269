//! Wire primitives for encoding, the mirror of `reader.rs`. Strings go through a string table
//! built in first-use order (as OpenCost's `util.Buffer` does) when the root has one.

use super::versions::Versions;
use crate::model::{GO_EPOCH_TO_UNIX, GoTime, Str, StrMap};
use std::collections::HashMap;

/// Output buffer for one root object.
pub(crate) struct Writer {
    buf: Vec<u8>,
    table: Option<(HashMap<Str, u32>, Vec<Str>)>,
    /// Versions to write and to gate fields with.
    pub v: Versions,
}

impl Writer {
    pub fn new(with_table: bool, v: Versions) -> Self {
        Writer {
            buf: Vec::with_capacity(1 << 12),
            table: with_table.then(|| (HashMap::new(), Vec::new())),
            v,
        }
    }

    /// Finish: `BGST` + table + body when a table is used, else the body alone.
    pub fn finish(self) -> Vec<u8> {
        let Some((_, entries)) = self.table else { return self.buf };
        let table_len: usize = entries.iter().map(|s| 2 + s.len().min(u16::MAX as usize)).sum();
        let mut out = Vec::with_capacity(8 + table_len + self.buf.len());
        out.extend_from_slice(b"BGST");
        out.extend_from_slice(&(entries.len() as i32).to_le_bytes());
        for s in &entries {
            push_inline(&mut out, s);
        }
        out.extend_from_slice(&self.buf);
        out
    }

    #[inline]
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    #[inline]
    pub fn bool(&mut self, v: bool) {
        self.buf.push(v as u8);
    }
    #[inline]
    pub fn i32(&mut self, v: i32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    #[inline]
    pub fn f64(&mut self, v: f64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    #[inline]
    pub fn len(&mut self, n: usize) {
        self.i32(n as i32);
    }

    /// Nested struct prefix: the int32 compatibility word (always 0).
    #[inline]
    pub fn compat(&mut self) {
        self.i32(0);
    }

    /// Inline string (cut to 65535 bytes like OpenCost writers since 2024-05).
    pub fn inline_str(&mut self, s: &str) {
        push_inline(&mut self.buf, s);
    }

    /// A string field: table index if a table is active, else inline.
    #[inline]
    pub fn string(&mut self, s: &Str) {
        match &mut self.table {
            None => push_inline(&mut self.buf, s),
            Some((index, entries)) => {
                let i = match index.get(s) {
                    Some(&i) => i,
                    None => {
                        let i = entries.len() as u32;
                        index.insert(s.clone(), i);
                        entries.push(s.clone());
                        i
                    }
                };
                self.buf.extend_from_slice(&(i as i32).to_le_bytes());
            }
        }
    }

    /// Go `time.Time.MarshalBinary` with the int32 length prefix.
    pub fn time(&mut self, t: &GoTime) {
        let v2 = t.offset_sec.is_some();
        self.i32(if v2 { 16 } else { 15 });
        self.buf.push(if v2 { 2 } else { 1 });
        self.buf.extend_from_slice(&(t.unix.wrapping_add(GO_EPOCH_TO_UNIX)).to_be_bytes());
        self.buf.extend_from_slice(&(t.nanos as i32).to_be_bytes());
        self.buf.extend_from_slice(&t.offset_min.to_be_bytes());
        if let Some(s) = t.offset_sec {
            self.buf.push(s as u8);
        }
    }

    /// Nil marker and, when present, the value.
    #[inline]
    pub fn opt<T>(&mut self, v: &Option<T>, f: impl FnOnce(&mut Self, &T)) {
        match v {
            None => self.u8(0),
            Some(x) => {
                self.u8(1);
                f(self, x)
            }
        }
    }

    pub fn opt_str_list(&mut self, v: &Option<Vec<Str>>) {
        self.opt(v, |w, l| {
            w.len(l.len());
            for s in l {
                w.string(s);
            }
        });
    }

    pub fn opt_str_map(&mut self, v: &Option<StrMap>) {
        self.opt(v, |w, m| {
            w.len(m.len());
            for (k, val) in m.iter() {
                w.string(k);
                w.string(val);
            }
        });
    }

    pub fn opt_bool_map(&mut self, v: &Option<StrMap<Str, bool>>) {
        self.opt(v, |w, m| {
            w.len(m.len());
            for (k, val) in m.iter() {
                w.string(k);
                w.bool(*val);
            }
        });
    }

    /// `?map<S, ?N(T)>`.
    pub fn opt_struct_map<T>(&mut self, v: &Option<StrMap<Str, Option<T>>>, mut f: impl FnMut(&mut Self, &T)) {
        self.opt(v, |w, m| {
            w.len(m.len());
            for (k, val) in m.iter() {
                w.string(k);
                w.opt(val, |w, x| {
                    w.compat();
                    f(w, x)
                });
            }
        });
    }

    /// `?[]?N(T)`.
    pub fn opt_struct_list<T>(&mut self, v: &Option<Vec<Option<T>>>, mut f: impl FnMut(&mut Self, &T)) {
        self.opt(v, |w, l| {
            w.len(l.len());
            for val in l {
                w.opt(val, |w, x| {
                    w.compat();
                    f(w, x)
                });
            }
        });
    }
}

fn push_inline(out: &mut Vec<u8>, s: &str) {
    let mut b = s.as_bytes();
    if b.len() > u16::MAX as usize {
        b = &b[..u16::MAX as usize];
    }
    out.extend_from_slice(&(b.len() as u16).to_le_bytes());
    out.extend_from_slice(b);
}
