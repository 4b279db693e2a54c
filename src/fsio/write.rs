//! Writing a text back: staged in a temporary file beside the target,
//! synced, checked against what was read, renamed over the target.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::read::io_reason;
use super::{Input, TEMP_PREFIX, TEMP_RANDOM_LEN, TEMP_SUFFIX, content_hash};

/// Why a file was not written. Its message is what the file's report says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// The file changed since it was read; it was left as it is.
    #[error(
        "changed while being cleaned ({0} differs from what was read); left as it is, rerun to clean it"
    )]
    Changed(&'static str),
    /// The file has no write permission; it was left as it is.
    #[error("file is read-only; left as it is (make it writable to clean it)")]
    ReadOnly,
    /// Anything else, in words.
    #[error("{0}")]
    Failed(String),
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
