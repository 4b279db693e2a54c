//! The whole per-document pipeline on arbitrary bytes: decode (UTF-8, or the
//! encoding the first byte picks), parse, run the default rules, splice,
//! re-parse until settled, encode back. Nothing may panic, a decoded file
//! must encode back to its own bytes, and a cleaned text must clean to itself.
//!
//! Run with `cargo +nightly fuzz run clean -- -dict=fuzz/clean.dict`.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use mdscrub::fsio::{self, Encoding};
use mdscrub::{RuleSet, clean_text};

static RULES: LazyLock<RuleSet> = LazyLock::new(RuleSet::default_rules);

fuzz_target!(|data: &[u8]| {
    let (encoding, bytes) = match data.split_first() {
        Some((b, rest)) => (
            match b % 3 {
                0 => Encoding::Utf8,
                1 => Encoding::Gb18030,
                _ => Encoding::Utf16,
            },
            rest,
        ),
        None => (Encoding::Utf8, data),
    };
    let Ok(decoded) = fsio::decode_as(bytes.to_vec(), encoding) else {
        return;
    };
    assert_eq!(&*decoded.codec.encode(&decoded.text), bytes, "round trip");
    // The guard may refuse; that is an answer, not a crash.
    let _ = clean_text(&decoded.text, &RULES, false);
    if let Ok(once) = clean_text(&decoded.text, &RULES, true) {
        let _ = decoded.codec.encode(&once.output);
        let twice = clean_text(&once.output, &RULES, true).expect("a cleaned text settles");
        assert_eq!(twice.output, once.output, "cleaning is idempotent");
    }
});
