//! Outcomes of a run: one [`FileReport`] per file, the [`Hit`]s in it, why a
//! file was refused or failed ([`FileError`]), and the [`Summary`] over all
//! files. Data only; printing lives with the binary.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::fsio::{ReadError, WriteError};

/// One applied edit, located in the file as it was before the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: Arc<str>,
    /// 1-based line in the original text.
    pub line: usize,
    /// 1-based column (in characters) in the original text.
    pub column: usize,
    /// Byte offset in the original text.
    pub offset: usize,
    /// Byte offset in the original text where the edited span ends (for an
    /// edit of a later pass, the end of the original text it grew from).
    pub end: usize,
    /// The pass that applied it (1-based).
    pub pass: usize,
    /// The text the edit replaced, as it was in that pass.
    pub removed: String,
    pub replacement: String,
    /// The safety tier of the fix it belongs to.
    pub tier: crate::edit::Tier,
}

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Nothing to change.
    Unchanged,
    /// Changed (or, in check mode, would change).
    Changed,
    /// Left alone on purpose (binary file); not an error.
    Skipped(String),
    /// Left alone because cleaning it would remove too much.
    Refused(FileError),
    /// Could not be processed; left as it was.
    Failed(FileError),
}

/// Why a text was not cleaned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CleanError {
    #[error("rules did not settle after {passes} passes (last rules to fire: {rules})")]
    Unsettled { passes: usize, rules: String },
    #[error(
        "refused: the rules would remove {:.0}% of the visible text (limit {:.0}%; most removed by: {rules}); rerun with --force to clean anyway",
        share * 100.0,
        limit * 100.0
    )]
    TooMuchRemoved {
        share: f64,
        limit: f64,
        rules: String,
    },
}

/// Why a file was refused or failed and left as it was. Its message is what
/// the file's report says. Two are equal when they say the same.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FileError {
    /// Could not be read as text.
    #[error(transparent)]
    Read(Arc<ReadError>),
    /// Could not be written back (or copied to the mirror).
    #[error(transparent)]
    Write(WriteError),
    /// The rules did not settle, or would remove too much.
    #[error(transparent)]
    Clean(CleanError),
    /// A path given to the run could not be opened.
    #[error("cannot open: {0}")]
    Open(Arc<std::io::Error>),
    /// A folder could not be listed while walking.
    #[error("cannot read folder: {0}")]
    Folder(Arc<ignore::Error>),
    /// A rule panicked on this file; the payload's message.
    #[error(
        "internal error while cleaning this file ({0}); left as it is. This is a bug: please report it with the file"
    )]
    Panic(String),
}

impl PartialEq for FileError {
    fn eq(&self, other: &FileError) -> bool {
        self.to_string() == other.to_string()
    }
}

impl Eq for FileError {}

impl From<ReadError> for Status {
    /// Too large and binary files are skipped, the others failed.
    fn from(e: ReadError) -> Status {
        match e {
            ReadError::TooLarge { .. } | ReadError::Binary => Status::Skipped(e.to_string()),
            _ => Status::Failed(FileError::Read(Arc::new(e))),
        }
    }
}

impl From<WriteError> for Status {
    /// Every write error is a failure: the file was to be cleaned and is left
    /// as it was (one that changed under the run too: rerun to clean it).
    /// A file another run already cleaned the same way is changed.
    fn from(e: WriteError) -> Status {
        match e {
            WriteError::AlreadyWritten => Status::Changed,
            _ => Status::Failed(FileError::Write(e)),
        }
    }
}

impl From<CleanError> for Status {
    /// Removing too much is a refusal, not settling a failure.
    fn from(e: CleanError) -> Status {
        match e {
            CleanError::TooMuchRemoved { .. } => Status::Refused(FileError::Clean(e)),
            CleanError::Unsettled { .. } => Status::Failed(FileError::Clean(e)),
        }
    }
}

/// The outcome for one file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileReport {
    pub path: PathBuf,
    pub status: Status,
    pub hits: Vec<Hit>,
    /// Bytes the clean removed (negative when it added more than it removed).
    pub bytes_removed: i64,
    /// The old and new text of a changed file, when the run keeps them.
    pub text: Option<(String, String)>,
    /// Review-tier edits the run did not apply: what `--apply review` would
    /// add, located in the original text.
    pub review: Vec<Hit>,
    /// Problems of the text that did not stop its clean: suppression
    /// comments naming no rule.
    pub warnings: Vec<crate::suppress::UnknownId>,
    /// The clean as changes of the original text (sorted, apart; spliced
    /// into it they give the cleaned text), when the run keeps them: in
    /// check mode and with the texts.
    pub changes: Vec<crate::edit::Change>,
}

impl FileReport {
    pub fn new(path: PathBuf) -> FileReport {
        FileReport {
            path,
            status: Status::Unchanged,
            hits: Vec::new(),
            bytes_removed: 0,
            text: None,
            review: Vec::new(),
            warnings: Vec::new(),
            changes: Vec::new(),
        }
    }

    pub fn failed(path: PathBuf, reason: FileError) -> FileReport {
        let mut r = FileReport::new(path);
        r.status = Status::Failed(reason);
        r
    }

    /// Hits per rule id, in order of first appearance.
    pub fn rule_counts(&self) -> Vec<(Arc<str>, usize)> {
        let mut counts: Vec<(Arc<str>, usize)> = Vec::new();
        for h in &self.hits {
            match counts.iter_mut().find(|(r, _)| *r == h.rule) {
                Some((_, n)) => *n += 1,
                None => counts.push((h.rule.clone(), 1)),
            }
        }
        counts
    }
}

/// Totals over a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub scanned: usize,
    pub changed: usize,
    pub edits: usize,
    pub bytes_removed: i64,
    pub skipped: usize,
    pub refused: usize,
    pub failed: usize,
    /// Review-tier edits the run did not apply.
    pub review: usize,
}

impl Summary {
    pub fn of(reports: &[FileReport]) -> Summary {
        let mut s = Summary::default();
        for r in reports {
            s.add(r);
        }
        s
    }

    /// Counts one more file.
    pub fn add(&mut self, r: &FileReport) {
        // A path that could not be opened or walked was not scanned.
        if !matches!(
            r.status,
            Status::Failed(FileError::Open(_) | FileError::Folder(_))
        ) {
            self.scanned += 1;
        }
        self.review += r.review.len();
        match r.status {
            Status::Changed => {
                self.changed += 1;
                self.edits += r.hits.len();
                self.bytes_removed += r.bytes_removed;
            }
            Status::Skipped(_) => self.skipped += 1,
            Status::Refused(_) => self.refused += 1,
            Status::Failed(_) => self.failed += 1,
            Status::Unchanged => {}
        }
    }
}

/// A path as text for people and reports: as it is when it is UTF-8, and
/// with each byte that is not UTF-8 written `\xNN` (not replaced by `�`, so
/// two such names stay apart and the real name can be told).
pub fn path_text(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        if let Ok(s) = std::str::from_utf8(bytes) {
            return s.to_string();
        }
        let mut out = String::with_capacity(bytes.len() + 8);
        for chunk in bytes.utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_are_escaped_not_replaced() {
        use std::os::unix::ffi::OsStrExt;
        let p = Path::new(std::ffi::OsStr::from_bytes(
            b"dir/\xff\xfebad-\xe6\x96\x87.md",
        ));
        assert_eq!(path_text(p), "dir/\\xff\\xfebad-文.md");
        assert_eq!(path_text(Path::new("a/文章.md")), "a/文章.md");
    }
}
