//! Fuzz the bingen decoder: any bytes, any root type, must return Ok or Err — never panic, hang or
//! allocate without bound. Run with `cargo fuzz run decode` from the repository root (not in CI).
//! Seed corpus: `cp -r tests/fixtures/opencost-codec/v24/federated fuzz/corpus/decode/`.
#![no_main]

use costscope::bingen::{self, RootKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    let kind = RootKind::ALL[data[0] as usize % RootKind::ALL.len()];
    let body = &data[1..];
    if let Ok(d) = bingen::decode(body, kind) {
        // Whatever decodes must re-encode and decode to the same value.
        let again = bingen::encode(&d.root, d.versions.as_versions());
        let d2 = bingen::decode(&again, kind).expect("re-encoded data decodes");
        assert_eq!(format!("{:?}", d.root), format!("{:?}", d2.root));
    }
    let _ = bingen::decode_streaming(body, kind, &mut |_| {});
});
