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
//! symlink: the file it points to is written. Temporary files left by an
//! interrupted run are removed by the next run that writes in that folder
//! ([`remove_stale_temps`]).

use std::borrow::Cow;
use std::fmt;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::SystemTime;

use xxhash_rust::xxh3::xxh3_128;

use crate::report::Status;

/// Names of our temporary files start with this and end with [`TEMP_SUFFIX`].
pub const TEMP_PREFIX: &str = ".mdscrub-";
/// Names of our temporary files end with this.
pub const TEMP_SUFFIX: &str = ".tmp";
/// Length of the random part of a temporary file's name.
const TEMP_RANDOM_LEN: usize = 6;

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
    len: u64,
    modified: Option<SystemTime>,
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

/// Why a file could not be read as text.
#[derive(Debug)]
pub enum ReadError {
    TooLarge {
        size: u64,
        limit: u64,
    },
    Binary,
    /// Not UTF-8 (the first bad byte), with a guess at what it is.
    NotUtf8 {
        at: usize,
        guess: Option<&'static str>,
    },
    /// Not UTF-8 and not valid in the encoding the run asked to try either.
    NotEncoding {
        encoding: Encoding,
        utf8_at: usize,
        at: usize,
    },
    /// Decodes, but does not encode back to the same bytes.
    NoRoundTrip {
        codec: Codec,
        at: usize,
    },
    Io(std::io::Error),
}

impl ReadError {
    pub fn into_status(self) -> Status {
        match self {
            ReadError::TooLarge { size, limit } => Status::Skipped(format!(
                "file is {size} bytes, over the {limit}-byte limit (--max-file-size); left as it is"
            )),
            ReadError::Binary => Status::Skipped("binary file (contains NUL bytes)".into()),
            ReadError::NotUtf8 { at, guess } => Status::Failed(match guess {
                Some(g) => format!(
                    "not UTF-8 at byte {at}; looks like {g} (rerun with --encoding {} to clean it); left as it is",
                    if g == "GB18030" { "gb18030" } else { "utf-16" }
                ),
                None => format!("not UTF-8 at byte {at}; encoding not recognised; left as it is"),
            }),
            ReadError::NotEncoding {
                encoding,
                utf8_at,
                at,
            } => Status::Failed(format!(
                "not UTF-8 at byte {utf8_at}, and not valid {encoding} at byte {at}; left as it is"
            )),
            ReadError::NoRoundTrip { codec, at } => Status::Failed(format!(
                "{} text does not encode back to the same bytes (from byte {at}); left as it is",
                codec.name()
            )),
            ReadError::Io(e) => Status::Failed(format!("cannot read: {}", io_reason(&e))),
        }
    }
}

/// An I/O error in words, naming the common cases plainly.
fn io_reason(e: &std::io::Error) -> String {
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
    match String::from_utf8(bytes) {
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

/// Why a file was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// The file changed since it was read; it was left as it is.
    Changed(&'static str),
    /// The file has no write permission; it was left as it is.
    ReadOnly,
    /// Anything else, in words.
    Failed(String),
}

impl WriteError {
    pub fn into_status(self) -> Status {
        match self {
            WriteError::Changed(what) => Status::Skipped(format!(
                "changed while being cleaned ({what} differs from what was read); left as it is, rerun to clean it"
            )),
            WriteError::ReadOnly => Status::Failed(
                "file is read-only; left as it is (make it writable to clean it)".into(),
            ),
            WriteError::Failed(why) => Status::Failed(why),
        }
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.clone().into_status() {
            Status::Skipped(s) | Status::Failed(s) => f.write_str(&s),
            _ => Ok(()),
        }
    }
}

/// Checks the file at `target` still is what `input` was.
fn unchanged_since(target: &Path, original: &Original) -> Result<(), WriteError> {
    let mut file =
        File::open(target).map_err(|e| WriteError::Failed(write_reason("cannot stat", &e)))?;
    let meta = file
        .metadata()
        .map_err(|e| WriteError::Failed(write_reason("cannot stat", &e)))?;
    original.same_size_and_time(&meta)?;
    let mut now = Vec::with_capacity(meta.len() as usize);
    // Through `take`: `File::read_to_end` would ask the size again.
    Read::by_ref(&mut file)
        .take(u64::MAX)
        .read_to_end(&mut now)
        .map_err(|e| WriteError::Failed(write_reason("cannot read again", &e)))?;
    if content_hash(&now) != original.hash {
        return Err(WriteError::Changed("content"));
    }
    Ok(())
}

/// What a file was when it was read, to tell before replacing it whether it
/// changed since: size, modification time and a 128-bit hash of the bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Original {
    len: u64,
    modified: Option<SystemTime>,
    hash: u128,
}

impl Original {
    /// Refuses when `meta` gives another size or modification time.
    fn same_size_and_time(&self, meta: &fs::Metadata) -> Result<(), WriteError> {
        if meta.len() != self.len {
            return Err(WriteError::Changed("size"));
        }
        if meta.modified().ok() != self.modified {
            return Err(WriteError::Changed("modification time"));
        }
        Ok(())
    }
}

impl Input {
    /// What the file was when it was read.
    pub fn original(&self) -> Original {
        Original {
            len: self.len,
            modified: self.modified,
            hash: self.content_hash(),
        }
    }
}

/// A file's replacement, written to a temporary file beside it and not yet
/// renamed over it ([`stage`]). Dropped without [`Staged::commit`], the
/// temporary file is removed and the file stays as it was.
#[derive(Debug)]
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    target: PathBuf,
    original: Option<Original>,
}

/// The file to replace for `path`, and its metadata: `path` itself, or, when
/// `path` is a symlink, the file it leads to (so the link stays a link).
/// Only a link is resolved: a plain file is renamed over through the path
/// it was found by (a linked folder on the way leads to the same folder).
fn resolve_target(path: &Path) -> Result<(PathBuf, fs::Metadata), WriteError> {
    let cannot_stat = |e: std::io::Error| WriteError::Failed(write_reason("cannot stat", &e));
    let own = fs::symlink_metadata(path).map_err(cannot_stat)?;
    if own.file_type().is_symlink() {
        let target = fs::canonicalize(path)
            .map_err(|e| WriteError::Failed(write_reason("cannot resolve path", &e)))?;
        let meta = fs::metadata(&target).map_err(cannot_stat)?;
        return Ok((target, meta));
    }
    // A bare file name is in the current folder: name it, so that the
    // folder can be synced after the rename.
    let target = match path.parent() {
        Some(p) if p.as_os_str().is_empty() => Path::new(".").join(path),
        _ => path.to_path_buf(),
    };
    Ok((target, own))
}

/// Writes the replacement of `path` to a temporary file in its folder, with
/// its permissions and owner, without syncing it; [`Staged::finish`] (or a
/// batch: [`sync_staged`], [`Staged::commit`]) puts it in place atomically.
/// A symlink stays a symlink: the file it points to is replaced. A read-only
/// file is refused. With `read`, refuses when the file's size or
/// modification time already differ from what was read, and the commit
/// looks again, content included.
pub fn stage(path: &Path, bytes: &[u8], read: Option<&Input>) -> Result<Staged, WriteError> {
    let (target, meta) = resolve_target(path)?;
    let original = read.map(Input::original);
    if let Some(original) = &original {
        original.same_size_and_time(&meta)?;
    }
    if meta.permissions().readonly() {
        return Err(WriteError::ReadOnly);
    }
    let dir = target
        .parent()
        .ok_or_else(|| WriteError::Failed("file has no parent folder".into()))?;
    let mut tmp = temp_in(dir)?;
    // Permissions and owner first, so that one sync of the file covers them.
    tmp.as_file()
        .set_permissions(meta.permissions())
        .map_err(|e| WriteError::Failed(write_reason("cannot copy permissions", &e)))?;
    keep_owner(tmp.as_file(), &meta);
    tmp.write_all(bytes)
        .map_err(|e| WriteError::Failed(write_reason("cannot write temporary file", &e)))?;
    Ok(Staged {
        tmp,
        target,
        original,
    })
}

impl Staged {
    /// Syncs the temporary file's data and metadata to disk.
    pub fn sync(&self) -> Result<(), WriteError> {
        self.tmp
            .as_file()
            .sync_all()
            .map_err(|e| WriteError::Failed(write_reason("cannot write temporary file", &e)))
    }

    /// Puts the replacement in place on its own: with [`Durability::Full`]
    /// the file is synced before and its folder after the commit.
    pub fn finish(self, durability: Durability) -> Result<(), WriteError> {
        if durability == Durability::Full {
            self.sync()?;
        }
        let dir = self.commit()?;
        if durability == Durability::Full {
            sync_dir(&dir);
        }
        Ok(())
    }

    /// Takes a last look at the file (unless it was staged without what was
    /// read) and renames the replacement over it; returns the folder.
    pub fn commit(self) -> Result<PathBuf, WriteError> {
        if let Some(original) = &self.original {
            unchanged_since(&self.target, original)?;
        }
        let dir = self
            .target
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        self.tmp
            .persist(&self.target)
            .map_err(|e| WriteError::Failed(write_reason("cannot replace file", &e.error)))?;
        Ok(dir)
    }
}

/// Syncs staged files to disk before they are committed: on Linux with one
/// `syncfs` per file system they are on (one flush for the batch instead of
/// one per file), elsewhere file by file. For each file, in order: the
/// error that leaves it uncommitted, when its sync failed.
#[cfg(target_os = "linux")]
pub fn sync_staged(staged: &[&Staged]) -> Vec<Option<WriteError>> {
    use std::os::unix::fs::MetadataExt;
    // (device, outcome of its syncfs)
    let mut done: Vec<(u64, Option<String>)> = Vec::new();
    staged
        .iter()
        .map(|s| {
            let Ok(dev) = s.tmp.as_file().metadata().map(|m| m.dev()) else {
                return s.sync().err();
            };
            if let Some((_, outcome)) = done.iter().find(|(d, _)| *d == dev) {
                return outcome.clone().map(WriteError::Failed);
            }
            let outcome = rustix::fs::syncfs(s.tmp.as_file())
                .map_err(|e| write_reason("cannot write temporary file", &e.into()))
                .err();
            done.push((dev, outcome.clone()));
            outcome.map(WriteError::Failed)
        })
        .collect()
}

/// [`sync_staged`] where there is no `syncfs`: file by file.
#[cfg(not(target_os = "linux"))]
pub fn sync_staged(staged: &[&Staged]) -> Vec<Option<WriteError>> {
    staged.iter().map(|s| s.sync().err()).collect()
}

fn write_reason(what: &str, e: &std::io::Error) -> String {
    format!("{what}: {}; left as it is", io_reason(e))
}

fn temp_in(dir: &Path) -> Result<tempfile::NamedTempFile, WriteError> {
    tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .rand_bytes(TEMP_RANDOM_LEN)
        .tempfile_in(dir)
        .map_err(|e| WriteError::Failed(write_reason("cannot create temporary file", &e)))
}

/// How much of a write is synced to disk before it counts as done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// The temporary file before the rename, and the folder after it: the
    /// write is durable when it is done.
    Full,
    /// Nothing: a killed process still leaves old or new, but a crash of the
    /// system may lose the write (`--no-fsync`, for throwaway copies).
    None,
}

/// Gives the new file the old one's owner where allowed (when running as
/// another user, e.g. root, the file would otherwise change hands).
#[cfg(unix)]
fn keep_owner(file: &File, old: &fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    if let Ok(now) = file.metadata()
        && (now.uid() != old.uid() || now.gid() != old.gid())
    {
        // Not allowed for an ordinary user; the mode bits are kept anyway.
        let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
    }
}

#[cfg(not(unix))]
fn keep_owner(_file: &File, _old: &fs::Metadata) {}

/// Makes the renames in `dir` durable (best effort; not every system allows
/// it).
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The mirror path of `path` (found under `root`) inside `out`.
pub fn mirror_path(root: &Path, path: &Path, out: &Path) -> PathBuf {
    let rel = if root == path {
        path.file_name().map(PathBuf::from).unwrap_or_default()
    } else {
        path.strip_prefix(root).unwrap_or(path).to_path_buf()
    };
    let rel: PathBuf = rel
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .collect();
    out.join(rel)
}

/// Writes `bytes`, the copy of `path` (found under `root`) for the mirror
/// tree `out`, to a temporary file beside its place there, without syncing
/// it: a new mirror file gets the permissions of `path` (plus write for its
/// owner), an existing one keeps its own.
pub fn stage_mirror(
    root: &Path,
    path: &Path,
    out: &Path,
    bytes: &[u8],
) -> Result<Staged, WriteError> {
    let dest = mirror_path(root, path, out);
    if let Some(parent) = dest.parent() {
        fs::create_dir_all(parent).map_err(|e| {
            WriteError::Failed(write_reason(
                &format!("cannot create {}", parent.display()),
                &e,
            ))
        })?;
    }
    if dest.exists() {
        return stage(&dest, bytes, None);
    }
    let dir = dest.parent().unwrap_or(Path::new("."));
    let mut tmp = temp_in(dir)?;
    if let Ok(meta) = fs::metadata(path) {
        // The source's bits, but writable by its owner: a later run must be
        // able to replace the copy.
        let mut perms = meta.permissions();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            perms.set_mode(perms.mode() | 0o200);
        }
        #[cfg(not(unix))]
        perms.set_readonly(false);
        tmp.as_file()
            .set_permissions(perms)
            .map_err(|e| WriteError::Failed(write_reason("cannot copy permissions", &e)))?;
    }
    tmp.write_all(bytes)
        .map_err(|e| WriteError::Failed(write_reason("cannot write", &e)))?;
    Ok(Staged {
        tmp,
        target: dest,
        original: None,
    })
}

/// True for the name of a temporary file this module makes.
pub fn is_temp_name(name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|random| {
            random.len() == TEMP_RANDOM_LEN && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Removes temporary files an interrupted run left in `dir` (regular files
/// named like ours only; nothing else is touched). Returns those removed.
pub fn remove_stale_temps(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let is_ours = entry.file_name().to_str().is_some_and(is_temp_name);
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if is_ours && is_file && fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed
}

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
