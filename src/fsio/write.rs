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
    /// The running user could not write the file in place (its permission
    /// bits for that user, e.g. another user's 0644 file); left as it is.
    #[error("file is not writable by this user ({0}); left as it is")]
    NotWritable(String),
    /// Replacing the file would give it another owner or group (a user
    /// cannot give a file away); left as it is.
    #[error(
        "{0}; replacing it would change its owner, so it is left as it is (run as its owner to clean it)"
    )]
    OwnerNotKept(String),
    /// The file system is full (or the user's quota used up).
    #[error("{0}; left as it is")]
    NoSpace(String),
    /// The file changed since it was read, into exactly the text this run
    /// would write (another run cleaned it first): nothing to do.
    #[error("already holds the cleaned text")]
    AlreadyWritten,
    /// Anything else, in words.
    #[error("{0}")]
    Failed(String),
}

/// Checks the file at `target` still is what `input` was. A file that
/// changed into the text to write (hash `new`) is [`WriteError::AlreadyWritten`].
fn unchanged_since(target: &Path, original: &Original, new: u128) -> Result<(), WriteError> {
    let mut file =
        File::open(target).map_err(|e| WriteError::Failed(write_reason("cannot stat", &e)))?;
    let meta = file
        .metadata()
        .map_err(|e| WriteError::Failed(write_reason("cannot stat", &e)))?;
    if let Err(e) = original.same_size_and_time(&meta) {
        return Err(changed_or_done(target, e, new));
    }
    let mut now = Vec::with_capacity(meta.len() as usize);
    // Through `take`: `File::read_to_end` would ask the size again.
    Read::by_ref(&mut file)
        .take(u64::MAX)
        .read_to_end(&mut now)
        .map_err(|e| WriteError::Failed(write_reason("cannot read again", &e)))?;
    let now = content_hash(&now);
    if now == new {
        return Err(WriteError::AlreadyWritten);
    }
    if now != original.hash {
        return Err(WriteError::Changed("content"));
    }
    Ok(())
}

/// `changed`, unless the file at `target` now holds the text to write (hash
/// `new`): then another run wrote it, and there is nothing left to do.
fn changed_or_done(target: &Path, changed: WriteError, new: u128) -> WriteError {
    match fs::read(target) {
        Ok(now) if content_hash(&now) == new => WriteError::AlreadyWritten,
        _ => changed,
    }
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
    /// Hash of the bytes written, to tell a file another run already
    /// cleaned from one changed otherwise.
    new_hash: u128,
    /// Room the staged bytes take (only counted under the test seam of
    /// [`space`]), and the size of the file the commit frees.
    room: space::Room,
    freed: u64,
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
    let new_hash = content_hash(bytes);
    if let Some(original) = &original
        && let Err(e) = original.same_size_and_time(&meta)
    {
        return Err(changed_or_done(&target, e, new_hash));
    }
    may_replace(&meta)?;
    let dir = target
        .parent()
        .ok_or_else(|| WriteError::Failed("file has no parent folder".into()))?;
    let room = space::take(bytes.len() as u64)
        .map_err(|e| write_error("cannot write temporary file", &e))?;
    let mut tmp = temp_in(dir)?;
    // Permissions and owner first, so that one sync of the file covers them.
    tmp.as_file()
        .set_permissions(meta.permissions())
        .map_err(|e| WriteError::Failed(write_reason("cannot copy permissions", &e)))?;
    keep_owner(tmp.as_file(), &meta)?;
    tmp.write_all(bytes)
        .map_err(|e| write_error("cannot write temporary file", &e))?;
    Ok(Staged {
        tmp,
        target,
        original,
        new_hash,
        room,
        freed: meta.len(),
    })
}

impl Staged {
    /// Syncs the temporary file's data and metadata to disk.
    pub fn sync(&self) -> Result<(), WriteError> {
        self.tmp
            .as_file()
            .sync_all()
            .map_err(|e| write_error("cannot write temporary file", &e))
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
            unchanged_since(&self.target, original, self.new_hash)?;
        }
        let dir = self
            .target
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        // The temporary file stays locked until the rename is done (its
        // handle is dropped after it), so no other run takes it for a stray.
        self.tmp
            .persist(&self.target)
            .map_err(|e| WriteError::Failed(write_reason("cannot replace file", &e.error)))?;
        self.room.keep(self.freed);
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
    let mut done: Vec<(u64, Option<WriteError>)> = Vec::new();
    staged
        .iter()
        .map(|s| {
            let Ok(dev) = s.tmp.as_file().metadata().map(|m| m.dev()) else {
                return s.sync().err();
            };
            if let Some((_, outcome)) = done.iter().find(|(d, _)| *d == dev) {
                return outcome.clone();
            }
            let outcome = rustix::fs::syncfs(s.tmp.as_file())
                .map_err(|e| write_error("cannot write temporary file", &e.into()))
                .err();
            done.push((dev, outcome.clone()));
            outcome
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

/// A failed write in words; a full file system (or quota) is
/// [`WriteError::NoSpace`], which a run answers by writing one file at a
/// time.
fn write_error(what: &str, e: &std::io::Error) -> WriteError {
    use std::io::ErrorKind;
    if matches!(e.kind(), ErrorKind::StorageFull | ErrorKind::QuotaExceeded) {
        return WriteError::NoSpace(format!("{what}: {e}"));
    }
    WriteError::Failed(write_reason(what, e))
}

/// A new temporary file in `dir`, locked (an advisory lock, `flock` on
/// Unix) for as long as it is open: the lock tells other runs it is in use,
/// so that they do not take it for a stray ([`sweep_temps`]).
fn temp_in(dir: &Path) -> Result<tempfile::NamedTempFile, WriteError> {
    let cannot = |e: &std::io::Error| write_error("cannot create temporary file", e);
    // Between its creation and its lock, a run sweeping the folder may take
    // the new file for a stray and remove it: then try another name.
    for _ in 0..8 {
        let tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .rand_bytes(TEMP_RANDOM_LEN)
            .tempfile_in(dir)
            .map_err(|e| cannot(&e))?;
        match tmp.as_file().try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => continue,
            // No locks on this file system: the file is still ours.
            Err(std::fs::TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
                return Ok(tmp);
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(cannot(&e)),
        }
        if still_named(&tmp) {
            return Ok(tmp);
        }
    }
    Err(WriteError::Failed(
        "cannot create temporary file: another run kept removing it; left as it is".into(),
    ))
}

/// True when the temporary file's name still leads to the file it holds.
fn still_named(tmp: &tempfile::NamedTempFile) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (fs::symlink_metadata(tmp.path()), tmp.as_file().metadata()) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    tmp.path().exists()
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

/// Gives the new file the old one's owner and group (when running as
/// another user, e.g. root, the file would otherwise change hands).
/// [`may_replace`] has refused the files whose owner could not be kept.
#[cfg(unix)]
fn keep_owner(file: &File, old: &fs::Metadata) -> Result<(), WriteError> {
    use std::os::unix::fs::MetadataExt;
    let now = file
        .metadata()
        .map_err(|e| WriteError::Failed(write_reason("cannot stat temporary file", &e)))?;
    if now.uid() != old.uid() || now.gid() != old.gid() {
        std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())).map_err(|e| {
            WriteError::Failed(write_reason(
                &format!("cannot keep owner {} and group {}", old.uid(), old.gid()),
                &e,
            ))
        })?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn keep_owner(_file: &File, _old: &fs::Metadata) -> Result<(), WriteError> {
    Ok(())
}

/// Refuses to replace a file the running user could not write in place, or
/// whose owner or group the replacement could not keep: a read-only file
/// (no write bit at all) for anyone; for a user other than root, a file
/// whose permission bits for that user (owner, group or others) deny
/// writing, and a file of another owner, or of a group the user is not in.
#[cfg(unix)]
fn may_replace(meta: &fs::Metadata) -> Result<(), WriteError> {
    use std::os::unix::fs::MetadataExt;
    let mode = meta.mode();
    if mode & 0o222 == 0 {
        return Err(WriteError::ReadOnly);
    }
    let user = RunningUser::get();
    if user.uid == 0 {
        return Ok(());
    }
    let (uid, gid) = (meta.uid(), meta.gid());
    let (bit, as_whom) = if uid == user.uid {
        (0o200, "its owner")
    } else if user.in_group(gid) {
        (0o020, "its group")
    } else {
        (0o002, "others")
    };
    if mode & bit == 0 {
        return Err(WriteError::NotWritable(format!(
            "mode {:o}, owner uid {uid}, group gid {gid}; you are uid {} and write as {as_whom}",
            mode & 0o7777,
            user.uid
        )));
    }
    if uid != user.uid {
        return Err(WriteError::OwnerNotKept(format!(
            "file belongs to uid {uid}, not to you (uid {})",
            user.uid
        )));
    }
    if !user.in_group(gid) {
        return Err(WriteError::OwnerNotKept(format!(
            "file's group is gid {gid}, which you (uid {}) are not in",
            user.uid
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn may_replace(meta: &fs::Metadata) -> Result<(), WriteError> {
    if meta.permissions().readonly() {
        return Err(WriteError::ReadOnly);
    }
    Ok(())
}

/// Who the run is, for [`may_replace`]: effective user, group and the
/// supplementary groups, read once.
#[cfg(unix)]
struct RunningUser {
    uid: u32,
    gid: u32,
    groups: Vec<u32>,
}

#[cfg(unix)]
impl RunningUser {
    fn get() -> &'static RunningUser {
        static USER: std::sync::OnceLock<RunningUser> = std::sync::OnceLock::new();
        USER.get_or_init(|| {
            // SAFETY: these calls only read the process's credentials; the
            // buffer passed to getgroups has the room it is told of.
            unsafe {
                let n = libc::getgroups(0, std::ptr::null_mut()).max(0);
                let mut groups = vec![0 as libc::gid_t; n as usize];
                let got = libc::getgroups(n, groups.as_mut_ptr()).max(0);
                groups.truncate(got as usize);
                RunningUser {
                    uid: libc::geteuid(),
                    gid: libc::getegid(),
                    groups,
                }
            }
        })
    }

    fn in_group(&self, gid: u32) -> bool {
        gid == self.gid || self.groups.contains(&gid)
    }
}

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
    let room = space::take(bytes.len() as u64).map_err(|e| write_error("cannot write", &e))?;
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
        .map_err(|e| write_error("cannot write", &e))?;
    Ok(Staged {
        tmp,
        target: dest,
        original: None,
        new_hash: content_hash(bytes),
        room,
        freed: 0,
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

/// A temporary file of ours that no live run holds: one an interrupted run
/// left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stray {
    pub path: PathBuf,
    pub fate: StrayFate,
}

/// What became of a [`Stray`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrayFate {
    /// Removed.
    Removed,
    /// Found and left (a run that changes nothing).
    Found,
    /// Could not be removed, or not checked (why, in words).
    Kept(String),
}

/// The temporary files of ours in `dir` that no live run holds (regular
/// files named like ours whose lock can be taken; nothing else is
/// touched), removed when `remove`. A temporary file a live run is writing
/// is locked by it and left alone, so runs on one folder do not take each
/// other's files away.
pub fn sweep_temps(dir: &Path, remove: bool) -> Vec<Stray> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut strays = Vec::new();
    for entry in entries.flatten() {
        let is_ours = entry.file_name().to_str().is_some_and(is_temp_name);
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if !(is_ours && is_file) {
            continue;
        }
        let path = entry.path();
        let file = File::open(&path).or_else(|_| File::options().write(true).open(&path));
        let file = match file {
            Ok(f) => f,
            // Renamed or removed by its run meanwhile.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                let why = format!(
                    "cannot open it to see whether a run uses it: {}",
                    io_reason(&e)
                );
                strays.push(Stray {
                    path,
                    fate: StrayFate::Kept(why),
                });
                continue;
            }
        };
        match file.try_lock() {
            Ok(()) => {}
            // A live run holds it.
            Err(std::fs::TryLockError::WouldBlock) => continue,
            // No locks here: as before locks, a file named like ours is a
            // stray.
            Err(std::fs::TryLockError::Error(_)) => {}
        }
        if !remove {
            strays.push(Stray {
                path,
                fate: StrayFate::Found,
            });
            continue;
        }
        // Removed while locked: a run that opened it meanwhile waits for
        // the lock, then finds it gone.
        match fs::remove_file(&path) {
            Ok(()) => strays.push(Stray {
                path,
                fate: StrayFate::Removed,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => strays.push(Stray {
                path,
                fate: StrayFate::Kept(format!("cannot remove it: {}", io_reason(&e))),
            }),
        }
        drop(file);
    }
    strays.sort_by(|a, b| a.path.cmp(&b.path));
    strays
}

/// A test seam for a full file system, in debug builds only: with
/// `MDSCRUB_TEST_NO_SPACE=<bytes>` in the environment, writes of temporary
/// files draw on a budget of that many bytes as if it were the free space
/// of the disk: staging takes the new file's size, a commit gives back the
/// size of the file it replaced, a dropped temporary file gives back its
/// own. A write that does not fit fails as a full disk does (`ENOSPC`).
mod space {
    #[cfg(debug_assertions)]
    use std::sync::atomic::{AtomicI64, Ordering};

    /// Room taken for one staged file.
    #[derive(Debug)]
    pub struct Room(#[cfg(debug_assertions)] u64);

    #[cfg(debug_assertions)]
    fn budget() -> Option<&'static AtomicI64> {
        static BUDGET: std::sync::OnceLock<Option<AtomicI64>> = std::sync::OnceLock::new();
        BUDGET
            .get_or_init(|| {
                std::env::var("MDSCRUB_TEST_NO_SPACE")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .map(AtomicI64::new)
            })
            .as_ref()
    }

    /// Takes room for `n` bytes, or fails as a full disk.
    #[cfg(debug_assertions)]
    pub fn take(n: u64) -> std::io::Result<Room> {
        let Some(b) = budget() else {
            return Ok(Room(0));
        };
        let n = n as i64;
        b.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |free| {
            (free >= n).then_some(free - n)
        })
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::StorageFull))?;
        Ok(Room(n as u64))
    }

    #[cfg(not(debug_assertions))]
    pub fn take(_n: u64) -> std::io::Result<Room> {
        Ok(Room())
    }

    impl Room {
        /// The staged file took the place of one of `freed` bytes.
        pub fn keep(mut self, freed: u64) {
            #[cfg(debug_assertions)]
            {
                self.0 = 0;
                if let Some(b) = budget() {
                    b.fetch_add(freed as i64, Ordering::SeqCst);
                }
            }
            #[cfg(not(debug_assertions))]
            let _ = (&mut self, freed);
        }
    }

    #[cfg(debug_assertions)]
    impl Drop for Room {
        fn drop(&mut self) {
            if let Some(b) = budget() {
                b.fetch_add(self.0 as i64, Ordering::SeqCst);
            }
        }
    }
}
