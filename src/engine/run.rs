//! Many files in parallel: links resolved first, each file through
//! [`process_file`](super::process_file) on rayon's pool, reports handed on in
//! path order, durable writes synced and committed in batches.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::file::{Mode, RunOptions, process_file_in};
use super::links::{mirror_folders, resolve_links};
use super::ordered::ordered_map;
use crate::config::RuleSet;
use crate::fsio;
use crate::report::{FileError, FileReport};
use crate::targets::{Target, Targets};

/// Processes files in parallel; reports come back sorted by path.
///
/// Before any file is read: a symlink found below a folder is processed only
/// when the file it points to lies under one of the run's roots, and a file
/// reached by several paths (itself and symlinks to it) is processed once.
/// When the run writes, temporary files an interrupted run left in the
/// folders it writes to (those no live run holds) are removed.
pub fn run(targets: &[Target], rules: &RuleSet, opts: &RunOptions) -> Vec<FileReport> {
    run_with(targets, rules, opts, &|_| {})
}

/// [`run`], calling `done` with each report, in path order, as soon as it
/// and every report before it are ready.
pub fn run_with(
    targets: &[Target],
    rules: &RuleSet,
    opts: &RunOptions,
    done: &(dyn Fn(&FileReport) + Sync),
) -> Vec<FileReport> {
    let mut reports = Vec::with_capacity(targets.len());
    run_each(&Targets::from(targets), rules, opts, &mut |r| {
        done(&r);
        reports.push(r);
    });
    reports
}

/// What a run met beside its files.
#[derive(Debug, Default)]
pub struct RunEnd {
    /// Temporary files of ours that no live run holds, found in the folders
    /// the run reads (`check`, `diff`: left, and reported) or writes
    /// (`clean`: removed, or reported when they cannot be).
    pub strays: Vec<fsio::Stray>,
    /// Files not processed because the run was cancelled
    /// ([`RunOptions::cancel`]): they have no report.
    pub not_processed: usize,
}

/// [`run`] without keeping anything: each report goes to `each` on the
/// calling thread, in path order, as soon as it and every report before it
/// are ready, and is not kept. Files are processed in parallel on rayon's
/// pool while `each` runs. When the run writes, each folder a file was
/// renamed into is synced once, after the last file; a written file is
/// durable when this returns.
///
/// When the file system is full, what is staged is committed and the rest
/// is written one file at a time; the files that did not fit are tried
/// again at the end (their reports, and those after them, wait for it), so
/// every file that fits is cleaned. Once [`RunOptions::cancel`] is set, no
/// file is started: what is in hand is finished, what is staged committed,
/// and the run returns.
pub fn run_each(
    targets: &Targets,
    rules: &RuleSet,
    opts: &RunOptions,
    each: &mut dyn FnMut(FileReport),
) -> RunEnd {
    let mut end = RunEnd::default();
    // The folders the run reads or writes: temporary files an interrupted
    // run left there are removed first (or, when the run writes nothing
    // there, reported).
    let mut folders = BTreeSet::new();
    let (kept, mut skipped) = resolve_links(targets, Some(&mut folders));
    let sweep: Vec<(PathBuf, bool)> = match &opts.mode {
        Mode::Write => folders.into_iter().map(|d| (d, true)).collect(),
        Mode::Check => folders.into_iter().map(|d| (d, false)).collect(),
        // The inputs are not written: only the mirror's folders.
        Mode::Mirror { out } => mirror_folders(targets, &kept, out)
            .into_iter()
            .map(|d| (d, true))
            .collect(),
    };
    for (dir, remove) in &sweep {
        end.strays.extend(fsio::sweep_temps(dir, *remove));
    }
    // Reports of links left alone join the others in path order (before a
    // processed file of the same path, as a stable sort would put them).
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    let mut skipped = skipped.into_iter().peekable();
    // Folders files were renamed into: each synced once, after the last.
    let mut renamed = BTreeSet::new();
    // Writes that are to be durable are staged by the workers and synced and
    // committed here in batches: one flush of the file system per batch
    // instead of one per file.
    let batched = opts.mode != Mode::Check && opts.fsync;
    // Once a write found the disk full: files are processed and written one
    // at a time (under `one_at_a_time`), not staged.
    let no_space = AtomicBool::new(false);
    let one_at_a_time = Mutex::new(());
    let process = |&i: &u32, retry: bool| -> Option<Done> {
        if opts.cancelled() {
            return None;
        }
        let t = targets.get(i as usize);
        let full = no_space.load(Ordering::SeqCst);
        let _alone =
            (full || retry).then(|| one_at_a_time.lock().unwrap_or_else(|e| e.into_inner()));
        let mut staged = None;
        let stage = batched && !full && !retry;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            process_file_in(&t, rules, opts, stage.then_some(&mut staged))
        }));
        let report = result.unwrap_or_else(|payload| {
            // Whatever was staged before the panic is not written.
            staged = None;
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            FileReport::failed(t.path.clone(), FileError::Panic(what))
        });
        if is_no_space(&report) {
            no_space.store(true, Ordering::SeqCst);
        }
        Some(Done {
            index: i,
            report,
            staged,
        })
    };
    // Reports held back behind a file that did not fit, to keep path order
    // while it waits to be tried again; and the files to try again.
    let mut held: Vec<FileReport> = Vec::new();
    let mut retry: Vec<(usize, u32)> = Vec::new();
    let mut batch: Vec<Done> = Vec::new();
    let mut settle = |batch: &mut Vec<Done>, held: &mut Vec<FileReport>| {
        for done in commit_batch(batch, &mut renamed) {
            if is_no_space(&done.report) {
                retry.push((held.len(), done.index));
            }
            if retry.is_empty() {
                while let Some(s) = skipped.next_if(|s| s.path <= done.report.path) {
                    each(s);
                }
                each(done.report);
            } else {
                held.push(done.report);
            }
        }
    };
    ordered_map(
        &kept,
        |i| process(i, false),
        |done| {
            let Some(done) = done else {
                end.not_processed += 1;
                return;
            };
            let full = no_space.load(Ordering::SeqCst);
            batch.push(done);
            // A full disk: commit what is staged at once, to free its room.
            if batch.len() >= COMMIT_BATCH || full || batch.iter().all(|d| d.staged.is_none()) {
                settle(&mut batch, &mut held);
            }
        },
    );
    settle(&mut batch, &mut held);
    // Files that found the disk full, again, one at a time, for as long as
    // one more fits.
    let mut retry = std::mem::take(&mut retry);
    while !retry.is_empty() && !opts.cancelled() {
        let before = retry.len();
        retry.retain(|&(at, i)| {
            let Some(done) = process(&i, true) else {
                return true;
            };
            let fits = !is_no_space(&done.report);
            held[at] = done.report;
            !fits
        });
        if retry.len() == before {
            break;
        }
    }
    for r in held {
        while let Some(s) = skipped.next_if(|s| s.path <= r.path) {
            each(s);
        }
        each(r);
    }
    skipped.for_each(&mut *each);
    let dirs: Vec<PathBuf> = renamed.into_iter().collect();
    dirs.par_iter().for_each(|d| fsio::sync_dir(d));
    end
}

/// A file processed: its index among the targets, its report, and its
/// write, when staged for the batch.
struct Done {
    index: u32,
    report: FileReport,
    staged: Option<fsio::Staged>,
}

/// True for a report of a write that found the disk full.
fn is_no_space(r: &FileReport) -> bool {
    matches!(
        r.status,
        crate::report::Status::Failed(FileError::Write(fsio::WriteError::NoSpace(_)))
    )
}

/// How many reports wait, at most, for their batch of staged writes to be
/// synced and committed.
const COMMIT_BATCH: usize = 64;

/// Syncs the staged writes of `batch` in one go, renames each over its file
/// (after a last look that the file did not change), and returns the
/// batch in order, emptied of its writes; a write that could not be synced
/// or committed leaves its file as it was and makes its report a failure.
fn commit_batch(batch: &mut Vec<Done>, renamed: &mut BTreeSet<PathBuf>) -> Vec<Done> {
    let staged: Vec<&fsio::Staged> = batch.iter().filter_map(|d| d.staged.as_ref()).collect();
    let mut synced = fsio::sync_staged(&staged).into_iter();
    let mut out = Vec::with_capacity(batch.len());
    for mut done in batch.drain(..) {
        if let Some(staged) = done.staged.take() {
            let committed = match synced.next().flatten() {
                Some(e) => Err(e),
                None => staged.commit(),
            };
            match committed {
                Ok(dir) => {
                    renamed.insert(dir);
                }
                // Another run wrote the same text first.
                Err(fsio::WriteError::AlreadyWritten) => {}
                Err(e) => {
                    done.report.status = e.into();
                    done.report.text = None;
                }
            }
        }
        out.push(done);
    }
    out
}
