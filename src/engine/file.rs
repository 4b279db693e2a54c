//! One file through read, clean and write.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::clean_text;
use crate::cache::Cache;
use crate::config::RuleSet;
use crate::fsio;
use crate::report::{FileReport, Status};
use crate::targets::Target;

/// What to do with the files of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Rewrite files in place.
    Write,
    /// Write cleaned copies under `out`, mirroring each file's path relative
    /// to the root it was found under.
    Mirror { out: PathBuf },
    /// Change nothing; report what would change.
    Check,
}

/// Settings of a run, resolved from the command line.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub mode: Mode,
    pub force: bool,
    pub max_file_size: u64,
    /// Keep each changed file's old and new text in its report (for diffs).
    pub keep_text: bool,
    /// List each changed file's net changes in its report (what the JSON
    /// `fix` and the SARIF fixes show); other reports do without them.
    pub fixes: bool,
    /// Encoding to try for files that are not UTF-8 (`--encoding`).
    pub encoding: fsio::Encoding,
    /// Sync written files and their folders to disk (`false`: `--no-fsync`,
    /// for throwaway copies).
    pub fsync: bool,
    /// Contents known clean from earlier runs; this run adds the ones it
    /// finds clean and the ones it writes. `None`: every file is processed.
    pub cache: Option<Arc<Cache>>,
    /// For tests only: called with a file's path after the file was read and
    /// cleaned and just before it is written in place, so a test can change
    /// or remove the file under the engine's feet. `None` in real runs.
    pub before_write: Option<fn(&Path)>,
    /// Set (by a signal handler, say) to stop the run: files not yet
    /// started are not processed, those in hand are finished, and the run
    /// returns early ([`RunEnd::not_processed`](super::RunEnd)).
    pub cancel: Option<Arc<AtomicBool>>,
}

impl RunOptions {
    /// True once the run was asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::SeqCst))
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            mode: Mode::Check,
            force: false,
            max_file_size: 32 * 1024 * 1024,
            keep_text: false,
            fixes: false,
            encoding: fsio::Encoding::Utf8,
            fsync: true,
            cache: None,
            before_write: None,
            cancel: None,
        }
    }
}

/// The suppression comments of `text` that name no rule of `rules`.
pub fn unknown_suppressions(text: &str, rules: &RuleSet) -> Vec<crate::suppress::UnknownId> {
    if !crate::suppress::may_hold(text) {
        return Vec::new();
    }
    let known: Vec<&str> = rules.ids().collect();
    crate::suppress::unknown_ids(text, &known)
}

/// Processes one file: read, clean, and write when the mode says so. A file
/// written is durable when this returns (its data and its folder are synced).
pub fn process_file(target: &Target, rules: &RuleSet, opts: &RunOptions) -> FileReport {
    process_file_in(target, rules, opts, None)
}

/// [`process_file`]; with `staged`, a file rewritten in place or mirrored is
/// only staged (written beside its destination, not synced, not renamed)
/// into `staged`, for the run to sync and commit in batches.
pub(super) fn process_file_in(
    target: &Target,
    rules: &RuleSet,
    opts: &RunOptions,
    staged: Option<&mut Option<fsio::Staged>>,
) -> FileReport {
    let path = &target.path;
    let mut report = FileReport::new(path.clone());
    let input = match fsio::read_text(path, opts.max_file_size, opts.encoding) {
        Ok(t) => t,
        Err(e) => {
            report.status = e.into();
            return report;
        }
    };
    let durability = if opts.fsync {
        fsio::Durability::Full
    } else {
        fsio::Durability::None
    };
    // A staged write goes to the run's batch when there is one, else it is
    // finished at once.
    let settle = |written: Result<fsio::Staged, fsio::WriteError>,
                  staged: Option<&mut Option<fsio::Staged>>|
     -> Result<(), fsio::WriteError> {
        let written = written?;
        match staged {
            Some(slot) => *slot = Some(written),
            None => written.finish(durability)?,
        }
        Ok(())
    };
    let mut staged = staged;
    // A file left as it is: only a mirror needs a copy of it.
    let mut unchanged = |mut report: FileReport| {
        if let Mode::Mirror { out } = &opts.mode {
            let copy = fsio::stage_mirror(&target.root, path, out, input.bytes());
            if let Err(e) = settle(copy, staged.as_deref_mut()) {
                report.status = e.into();
            }
        }
        report
    };
    report.warnings = unknown_suppressions(&input.text, rules);
    let cache = opts.cache.as_deref();
    if cache.is_some_and(|c| c.knows_clean(input.content_hash())) {
        return unchanged(report);
    }
    let mut cleaned = match clean_text(&input.text, rules, opts.force) {
        Ok(c) => c,
        Err(e) => {
            report.status = e.into();
            return report;
        }
    };
    // Review-tier edits not applied are reported, with or without safe
    // ones; a text that has them is not recorded as clean.
    report.review = std::mem::take(&mut cleaned.review);
    if cleaned.output == input.text {
        if let Some(c) = cache
            && cleaned.verified
            && report.review.is_empty()
        {
            c.note_clean(input.content_hash());
        }
        return unchanged(report);
    }
    report.bytes_removed = input.text.len() as i64 - cleaned.output.len() as i64;
    report.hits = std::mem::take(&mut cleaned.hits);
    // A clean that writes reports counts, never the texts of its hits: they
    // would only be dropped unread.
    if matches!(opts.mode, Mode::Check) || opts.keep_text {
        if opts.fixes {
            report.changes = cleaned.changes(&input.text);
        }
    } else {
        for h in &mut report.hits {
            h.removed = String::new();
            h.replacement = String::new();
        }
    }
    report.status = Status::Changed;
    let bytes = input.codec.encode(&cleaned.output);
    let written = match &opts.mode {
        Mode::Check => Ok(()),
        Mode::Write => {
            if let Some(hook) = opts.before_write {
                hook(path);
            }
            settle(fsio::stage(path, &bytes, Some(&input)), staged)
        }
        Mode::Mirror { out } => settle(fsio::stage_mirror(&target.root, path, out, &bytes), staged),
    };
    // Another run wrote the very same text first: the file is clean.
    let written = match written {
        Err(fsio::WriteError::AlreadyWritten) => Ok(()),
        w => w,
    };
    match written {
        Ok(()) => {
            // What is written needs no further change: a later run over it
            // skips its parse.
            if let Some(c) = cache
                && cleaned.verified
                && opts.mode != Mode::Check
                && report.review.is_empty()
            {
                c.note_clean(fsio::content_hash(&bytes));
            }
        }
        Err(e) => {
            report.status = e.into();
            return report;
        }
    }
    if opts.keep_text {
        report.text = Some((input.text, cleaned.output));
    }
    report
}
