//! Reading texts and writing them back safely.
//!
//! A write goes to a temporary file in the target's own folder, is flushed to
//! disk, takes the target's permissions, and is renamed over the target, so a
//! reader sees the old file or the new one, never half of one. A file that
//! changed since it was read is not overwritten.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

use crate::report::Status;

/// A file's text and what it looked like when read.
#[derive(Debug)]
pub struct Input {
    pub text: String,
    len: u64,
    modified: Option<SystemTime>,
}

/// Why a file could not be read as text.
#[derive(Debug)]
pub enum ReadError {
    TooLarge { size: u64, limit: u64 },
    Binary,
    NotUtf8 { at: usize },
    Io(std::io::Error),
}

impl ReadError {
    pub fn into_status(self) -> Status {
        match self {
            ReadError::TooLarge { size, limit } => Status::Failed(format!(
                "file is {size} bytes, over the {limit}-byte limit (--max-file-size)"
            )),
            ReadError::Binary => Status::Skipped("binary file (contains NUL bytes)".into()),
            ReadError::NotUtf8 { at } => Status::Failed(format!("not UTF-8 at byte {at}")),
            ReadError::Io(e) => Status::Failed(format!("cannot read: {e}")),
        }
    }
}

/// Reads a file as UTF-8 text (a BOM is kept as part of the text).
pub fn read_text(path: &Path, max_size: u64) -> Result<Input, ReadError> {
    let meta = fs::metadata(path).map_err(ReadError::Io)?;
    if meta.len() > max_size {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit: max_size,
        });
    }
    let bytes = fs::read(path).map_err(ReadError::Io)?;
    let text = decode(bytes)?;
    Ok(Input {
        len: meta.len(),
        modified: meta.modified().ok(),
        text,
    })
}

/// Checks bytes are UTF-8 text, not binary.
pub fn decode(bytes: Vec<u8>) -> Result<String, ReadError> {
    if bytes.contains(&0) {
        return Err(ReadError::Binary);
    }
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        at: e.utf8_error().valid_up_to(),
    })
}

/// Replaces `path`'s content with `text` atomically, keeping its permissions.
/// With `read`, refuses when the file changed since it was read. A symlink
/// stays a symlink: its target is written.
pub fn write_atomic(path: &Path, text: &str, read: Option<&Input>) -> Result<(), String> {
    let target = fs::canonicalize(path).map_err(|e| format!("cannot resolve path: {e}"))?;
    let meta = fs::metadata(&target).map_err(|e| format!("cannot stat: {e}"))?;
    if let Some(input) = read
        && (meta.len() != input.len || meta.modified().ok() != input.modified)
    {
        return Err("changed while being cleaned; left as it is".into());
    }
    let dir = target
        .parent()
        .ok_or_else(|| "file has no parent folder".to_string())?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".mdscrub-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot create temporary file: {e}"))?;
    tmp.write_all(text.as_bytes())
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| format!("cannot write temporary file: {e}"))?;
    fs::set_permissions(tmp.path(), meta.permissions())
        .map_err(|e| format!("cannot copy permissions: {e}"))?;
    tmp.persist(&target)
        .map_err(|e| format!("cannot replace file: {}", e.error))?;
    Ok(())
}

/// Writes `text` to the mirror of `path` under `out`.
pub fn write_mirror(root: &Path, path: &Path, out: &Path, text: &str) -> Result<(), String> {
    let dest = crate::engine::mirror_path(root, path, out);
    if let Some(parent) = dest.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    if dest.exists() {
        write_atomic(&dest, text, None)
    } else {
        let dir = dest.parent().unwrap_or(Path::new("."));
        let mut tmp = tempfile::Builder::new()
            .prefix(".mdscrub-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| format!("cannot create temporary file: {e}"))?;
        tmp.write_all(text.as_bytes())
            .map_err(|e| format!("cannot write: {e}"))?;
        tmp.persist(&dest)
            .map_err(|e| format!("cannot write {}: {}", dest.display(), e.error))?;
        Ok(())
    }
}
