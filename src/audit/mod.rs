//! Audits (docs/audit.md): what each figure was computed from and whether a copy of a bucket is
//! complete and unaltered. [`sha256_hex`] is the digest every audit record uses; [`verify`] checks
//! a bucket object by object ([`scan`] reads, [`checks`] judges); [`manifest`] writes and compares
//! inventories; [`report`] heads exported figures with their inputs.

pub mod checks;
pub mod manifest;
pub mod report;
pub mod scan;
pub mod verify;

use sha2::{Digest, Sha256};

/// Lowercase hex sha256 of `bytes` (64 characters), as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn sha256_of_empty_and_abc() {
        assert_eq!(
            super::sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
