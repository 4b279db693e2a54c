//! Outcomes of a run: one [`FileReport`] per file, the [`Hit`]s in it, and the
//! [`Summary`] over all files. Data only; printing lives with the binary.

use std::path::PathBuf;
use std::sync::Arc;

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
    Refused(String),
    /// Could not be processed; left as it was.
    Failed(String),
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
        }
    }

    pub fn failed(path: PathBuf, reason: String) -> FileReport {
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
        self.scanned += 1;
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
