//! Reading texts and writing them back safely.
//!
//! Reading: a file is text when it is UTF-8 (with or without a BOM, kept as
//! part of the text) without NUL bytes. Other files are reported and left
//! alone, unless the run names an [`Encoding`] to try: then a GB18030 or
//! UTF-16 file is decoded, and written back in the same encoding. A decoded
//! file must encode back to exactly the bytes it was read from, so the bytes
//! outside an edit stay identical there too.
//!
//! Writing: the new bytes go to a temporary file (named [`TEMP_PREFIX`]…`.tmp`)
//! in the target's own folder, are flushed to disk, take the target's
//! permissions, and the temporary file is renamed over the target, so a reader
//! sees the old file or the new one, never half of one. Just before the
//! rename the target is read again: a file that changed since it was read (size,
//! modification time or content) is not overwritten. A symlink stays a
//! symlink: the file it points to is written. A temporary file is locked by
//! its run while it lives; those nobody holds were left by an interrupted
//! run and are removed by the next run that writes in that folder
//! ([`sweep_temps`]), never those of a run still going.

mod read;
mod write;

pub use read::{
    Codec, Decoded, Encoding, Input, ReadError, content_hash, decode, decode_as, read_text,
};
pub use write::{
    Durability, Original, Staged, Stray, StrayFate, WriteError, is_temp_name, mirror_path, stage,
    stage_mirror, sweep_temps, sync_dir, sync_staged,
};

/// Names of our temporary files start with this and end with [`TEMP_SUFFIX`].
pub const TEMP_PREFIX: &str = ".mdscrub-";
/// Names of our temporary files end with this.
pub const TEMP_SUFFIX: &str = ".tmp";
/// Length of the random part of a temporary file's name.
const TEMP_RANDOM_LEN: usize = 6;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_are_recognised_strictly() {
        assert!(is_temp_name(".mdscrub-a1B2c3.tmp"));
        assert!(!is_temp_name(".mdscrub-a1B2c3.tmp.md"));
        assert!(!is_temp_name(".mdscrub-.tmp"));
        assert!(!is_temp_name(".mdscrub-notes.tmp2"));
        assert!(!is_temp_name("mdscrub-a1B2c3.tmp"));
        assert!(!is_temp_name(".mdscrub-a1/2c3.tmp"));
    }

    #[test]
    fn utf8_with_and_without_bom_is_kept() {
        for bytes in [&b"\xEF\xBB\xBFhi\r\n"[..], b"hi\n", b""] {
            let d = decode_as(bytes.to_vec(), Encoding::Gb18030).unwrap();
            assert_eq!(d.codec, Codec::Utf8);
            assert_eq!(d.text.as_bytes(), bytes);
        }
    }

    #[test]
    fn gb18030_is_guessed_and_round_trips() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("# 标题\n\n正文，点赞。\n");
        let bytes = bytes.into_owned();
        match decode_as(bytes.clone(), Encoding::Utf8) {
            Err(ReadError::NotUtf8 { at: 2, guess }) => assert_eq!(guess, Some("GB18030")),
            other => panic!("{other:?}"),
        }
        let d = decode_as(bytes.clone(), Encoding::Gb18030).unwrap();
        assert_eq!(d.text, "# 标题\n\n正文，点赞。\n");
        assert_eq!(&*d.codec.encode(&d.text), &bytes[..]);
    }

    #[test]
    fn gb18030_that_does_not_round_trip_is_refused() {
        // 0x80 decodes to € but € encodes as A2 E3.
        let bytes = b"price \x80 and \xb1\xea\n".to_vec();
        match decode_as(bytes, Encoding::Gb18030) {
            Err(ReadError::NoRoundTrip { at: 6, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn utf16_both_orders_with_and_without_bom() {
        let text = "\u{feff}# 标题\r\n正文\n";
        for codec in [Codec::Utf16Le, Codec::Utf16Be] {
            let with_bom = codec.encode(text).into_owned();
            let without = codec.encode(&text[3..]).into_owned();
            assert!(matches!(
                decode_as(with_bom.clone(), Encoding::Utf8),
                Err(ReadError::NotUtf8 {
                    at: 0,
                    guess: Some(_)
                })
            ));
            let d = decode_as(with_bom, Encoding::Utf16).unwrap();
            assert_eq!((d.text.as_str(), d.codec), (text, codec));
            let d = decode_as(without, Encoding::Utf16).unwrap();
            assert_eq!((d.text.as_str(), d.codec), (&text[3..], codec));
        }
    }

    #[test]
    fn nul_is_binary_and_bad_utf16_is_located() {
        assert!(matches!(
            decode_as(b"a\0b".to_vec(), Encoding::Gb18030),
            Err(ReadError::Binary)
        ));
        // An unpaired surrogate at byte 4.
        let bytes = vec![0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0];
        assert!(matches!(
            decode_as(bytes, Encoding::Utf16),
            Err(ReadError::NotEncoding { at: 4, .. })
        ));
    }
}
