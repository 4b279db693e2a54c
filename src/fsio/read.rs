//! Reading a file as text: UTF-8, or an encoding the run names, decoded only
//! when it encodes back to the very bytes read.

use std::borrow::Cow;
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;
use std::time::SystemTime;

use xxhash_rust::xxh3::xxh3_128;

/// The encoding to try for files that are not UTF-8 (`--encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 only: any other file is reported and left alone.
    #[default]
    Utf8,
    /// GB18030 (a superset of GBK and GB2312).
    Gb18030,
    /// UTF-16, little- or big-endian (from the BOM; without one, guessed from
    /// where the zero bytes of ASCII characters are; little-endian otherwise).
    Utf16,
}

impl FromStr for Encoding {
    type Err = String;

    fn from_str(s: &str) -> Result<Encoding, String> {
        match s.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gb18030" => Ok(Encoding::Gb18030),
            "utf-16" | "utf16" => Ok(Encoding::Utf16),
            _ => Err(format!(
                "unknown encoding `{s}` (known: utf-8, gb18030, utf-16)"
            )),
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Gb18030 => "gb18030",
            Encoding::Utf16 => "utf-16",
        })
    }
}

/// How a file's bytes became text, so the text can go back the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Utf8,
    Gb18030,
    Utf16Le,
    Utf16Be,
}

impl Codec {
    pub fn name(self) -> &'static str {
        match self {
            Codec::Utf8 => "UTF-8",
            Codec::Gb18030 => "GB18030",
            Codec::Utf16Le => "UTF-16LE",
            Codec::Utf16Be => "UTF-16BE",
        }
    }

    /// The bytes of `text` in this encoding.
    pub fn encode(self, text: &str) -> Cow<'_, [u8]> {
        match self {
            Codec::Utf8 => Cow::Borrowed(text.as_bytes()),
            // GB18030 maps every Unicode scalar value, so nothing is lost.
            Codec::Gb18030 => Cow::Owned(encoding_rs::GB18030.encode(text).0.into_owned()),
            Codec::Utf16Le => Cow::Owned(text.encode_utf16().flat_map(u16::to_le_bytes).collect()),
            Codec::Utf16Be => Cow::Owned(text.encode_utf16().flat_map(u16::to_be_bytes).collect()),
        }
    }
}

/// A file's text and what it looked like when read.
#[derive(Debug)]
pub struct Input {
    pub text: String,
    pub codec: Codec,
    /// The bytes as read, when they are not `text`'s own bytes.
    raw: Option<Vec<u8>>,
    pub(super) len: u64,
    pub(super) modified: Option<SystemTime>,
    /// [`content_hash`] of the bytes, computed once for the cache and the
    /// last look before a rename.
    hash: std::cell::OnceCell<u128>,
}

impl Input {
    /// The file's bytes as they were read.
    pub fn bytes(&self) -> &[u8] {
        self.raw.as_deref().unwrap_or(self.text.as_bytes())
    }

    /// [`content_hash`] of the bytes as they were read.
    pub fn content_hash(&self) -> u128 {
        *self.hash.get_or_init(|| content_hash(self.bytes()))
    }
}

/// The 128-bit hash (xxh3) that tells contents apart: the cache's key and
/// what the last look before a rename compares.
pub fn content_hash(bytes: &[u8]) -> u128 {
    xxh3_128(bytes)
}

/// Text decoded from bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub codec: Codec,
    /// The bytes, when they are not `text`'s own bytes.
    pub raw: Option<Vec<u8>>,
}

/// Why a file could not be read as text. Its message is what the file's
/// report says.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("file is {size} bytes, over the {limit}-byte limit (--max-file-size); left as it is")]
    TooLarge { size: u64, limit: u64 },
    #[error("binary file (contains NUL bytes)")]
    Binary,
    /// Not UTF-8 (the first bad byte), with a guess at what it is.
    #[error("{}", not_utf8(*at, *guess))]
    NotUtf8 {
        at: usize,
        guess: Option<&'static str>,
    },
    /// Not UTF-8 and not valid in the encoding the run asked to try either.
    #[error("not UTF-8 at byte {utf8_at}, and not valid {encoding} at byte {at}; left as it is")]
    NotEncoding {
        encoding: Encoding,
        utf8_at: usize,
        at: usize,
    },
    /// Decodes, but does not encode back to the same bytes.
    #[error(
        "{} text does not encode back to the same bytes (from byte {at}); left as it is",
        codec.name()
    )]
    NoRoundTrip { codec: Codec, at: usize },
    #[error("cannot read: {}", io_reason(.0))]
    Io(#[source] std::io::Error),
}

fn not_utf8(at: usize, guess: Option<&str>) -> String {
    match guess {
        Some(g) => format!(
            "not UTF-8 at byte {at}; looks like {g} (rerun with --encoding {} to clean it); left as it is",
            if g == "GB18030" { "gb18030" } else { "utf-16" }
        ),
        None => format!("not UTF-8 at byte {at}; encoding not recognised; left as it is"),
    }
}

/// An I/O error in words, naming the common cases plainly.
pub(super) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => format!("file vanished or does not exist ({e})"),
        std::io::ErrorKind::PermissionDenied => format!("permission denied ({e})"),
        _ => e.to_string(),
    }
}

/// Reads a file as UTF-8 text (a BOM is kept as part of the text), or, for a
/// file that is not UTF-8, as `encoding` when that is not UTF-8.
pub fn read_text(path: &Path, max_size: u64, encoding: Encoding) -> Result<Input, ReadError> {
    let file = File::open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::Io(std::io::Error::other("not a regular file")));
    }
    if meta.len() > max_size {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit: max_size,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow after the size check; never read past the limit.
    file.take(max_size.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > max_size {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit: max_size,
        });
    }
    let len = bytes.len() as u64;
    let decoded = decode_as(bytes, encoding)?;
    Ok(Input {
        text: decoded.text,
        codec: decoded.codec,
        raw: decoded.raw,
        len,
        modified: meta.modified().ok(),
        hash: std::cell::OnceCell::new(),
    })
}

/// Checks bytes are UTF-8 text, not binary.
pub fn decode(bytes: Vec<u8>) -> Result<String, ReadError> {
    decode_as(bytes, Encoding::Utf8).map(|d| d.text)
}

/// `String::from_utf8`, validated with SIMD first: the check reads every
/// byte of every file, and CJK text is where the standard library's check
/// is slowest. Invalid bytes go through the standard check for the error.
fn utf8(bytes: Vec<u8>) -> Result<String, std::string::FromUtf8Error> {
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: simdutf8 has just validated every byte as UTF-8.
        Ok(unsafe { String::from_utf8_unchecked(bytes) })
    } else {
        String::from_utf8(bytes)
    }
}

/// Decodes bytes: UTF-8 when they are UTF-8, else `encoding` when the run
/// names one. NUL bytes (outside UTF-16) mean a binary file.
pub fn decode_as(bytes: Vec<u8>, encoding: Encoding) -> Result<Decoded, ReadError> {
    let has_nul = bytes.contains(&0);
    if encoding == Encoding::Utf16 && (utf16_bom(&bytes).is_some() || has_nul) {
        return decode_utf16(bytes);
    }
    if has_nul {
        return match utf16_bom(&bytes) {
            Some(codec) => Err(ReadError::NotUtf8 {
                at: 0,
                guess: Some(codec.name()),
            }),
            None => Err(ReadError::Binary),
        };
    }
    match utf8(bytes) {
        Ok(text) => Ok(Decoded {
            text,
            codec: Codec::Utf8,
            raw: None,
        }),
        Err(e) => {
            let utf8_at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            match encoding {
                Encoding::Gb18030 => {
                    let text = decode_gb18030(&bytes).map_err(|at| ReadError::NotEncoding {
                        encoding,
                        utf8_at,
                        at,
                    })?;
                    check_round_trip(Codec::Gb18030, &text, &bytes)?;
                    Ok(Decoded {
                        text,
                        codec: Codec::Gb18030,
                        raw: Some(bytes),
                    })
                }
                Encoding::Utf8 | Encoding::Utf16 => Err(ReadError::NotUtf8 {
                    at: utf8_at,
                    guess: guess(&bytes),
                }),
            }
        }
    }
}

fn check_round_trip(codec: Codec, text: &str, bytes: &[u8]) -> Result<(), ReadError> {
    let back = codec.encode(text);
    if *back == *bytes {
        return Ok(());
    }
    let at = back
        .iter()
        .zip(bytes)
        .position(|(a, b)| a != b)
        .unwrap_or(back.len().min(bytes.len()));
    Err(ReadError::NoRoundTrip { codec, at })
}

/// A cheap guess at the encoding of bytes that are not UTF-8.
fn guess(bytes: &[u8]) -> Option<&'static str> {
    if let Some(codec) = utf16_bom(bytes) {
        return Some(codec.name());
    }
    decode_gb18030(bytes).ok().map(|_| "GB18030")
}

/// GB18030 text, or the offset of the first byte that is not valid GB18030.
fn decode_gb18030(bytes: &[u8]) -> Result<String, usize> {
    let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
    let cap = decoder
        .max_utf8_buffer_length_without_replacement(bytes.len())
        .unwrap_or(bytes.len().saturating_mul(3));
    let mut out = String::with_capacity(cap);
    let (result, read) = decoder.decode_to_string_without_replacement(bytes, &mut out, true);
    match result {
        encoding_rs::DecoderResult::InputEmpty => Ok(out),
        encoding_rs::DecoderResult::Malformed(bad, after) => {
            Err(read.saturating_sub(bad as usize + after as usize))
        }
        // Cannot happen with the capacity above; report where it stopped.
        encoding_rs::DecoderResult::OutputFull => Err(read),
    }
}

fn utf16_bom(bytes: &[u8]) -> Option<Codec> {
    match bytes {
        [0xFF, 0xFE, ..] => Some(Codec::Utf16Le),
        [0xFE, 0xFF, ..] => Some(Codec::Utf16Be),
        _ => None,
    }
}

/// UTF-16 text (a BOM, when present, is kept as U+FEFF at its start).
fn decode_utf16(bytes: Vec<u8>) -> Result<Decoded, ReadError> {
    let codec = utf16_bom(&bytes).unwrap_or_else(|| {
        // ASCII in UTF-16LE has its zero byte second; in BE, first.
        let sample = &bytes[..bytes.len().min(4096)];
        let zeros_first = sample.chunks_exact(2).filter(|p| p[0] == 0).count();
        let zeros_second = sample.chunks_exact(2).filter(|p| p[1] == 0).count();
        if zeros_first > zeros_second {
            Codec::Utf16Be
        } else {
            Codec::Utf16Le
        }
    });
    let bad = |at: usize| ReadError::NotEncoding {
        encoding: Encoding::Utf16,
        utf8_at: std::str::from_utf8(&bytes)
            .err()
            .map_or(0, |e| e.valid_up_to()),
        at,
    };
    if !bytes.len().is_multiple_of(2) {
        return Err(bad(bytes.len() - 1));
    }
    let units = bytes.chunks_exact(2).map(|p| match codec {
        Codec::Utf16Be => u16::from_be_bytes([p[0], p[1]]),
        _ => u16::from_le_bytes([p[0], p[1]]),
    });
    let mut text = String::with_capacity(bytes.len());
    let mut at = 0;
    for c in char::decode_utf16(units) {
        match c {
            Ok('\0') => return Err(ReadError::Binary),
            Ok(c) => {
                text.push(c);
                at += c.len_utf16() * 2;
            }
            Err(_) => return Err(bad(at)),
        }
    }
    Ok(Decoded {
        text,
        codec,
        raw: Some(bytes),
    })
}
