//! Decode errors: every error names the struct being read, the byte offset, and what was expected.

use std::fmt;

/// A bingen decode failure.
///
/// `offset` is the byte offset in the (decompressed) file where the problem was found,
/// `structure` the OpenCost struct being read (`Allocation`, `AssetSet`, ...), and `message` says
/// what was expected and what was found. Produced for truncated, corrupt, hostile and too-new files;
/// the decoder never panics and never allocates more than the input can justify.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset into the decompressed data.
    pub offset: usize,
    /// Struct being decoded.
    pub structure: &'static str,
    /// What was expected / found.
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte offset {}: {}", self.structure, self.offset, self.message)
    }
}

impl std::error::Error for DecodeError {}
