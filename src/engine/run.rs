//! Many files in parallel: links resolved first, each file through
//! [`process_file`](super::process_file) on rayon's pool, reports handed on in
//! path order, durable writes synced and committed in batches.

use std::collections::BTreeSet;
use std::path::PathBuf;

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
/// folders it writes to are removed.
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

/// [`run`] without keeping anything: each report goes to `each` on the
/// calling thread, in path order, as soon as it and every report before it
/// are ready, and is not kept. Files are processed in parallel on rayon's
/// pool while `each` runs. When the run writes, each folder a file was
/// renamed into is synced once, after the last file; a written file is
/// durable when this returns.
pub fn run_each(
    targets: &Targets,
    rules: &RuleSet,
    opts: &RunOptions,
    each: &mut dyn FnMut(FileReport),
) {
    // The folders the run writes into: temporary files an interrupted run
    // left there are removed first.
    let mut written_to = BTreeSet::new();
    let in_place = (opts.mode == Mode::Write).then_some(&mut written_to);
    let (kept, mut skipped) = resolve_links(targets, in_place);
    if let Mode::Mirror { out } = &opts.mode {
        written_to = mirror_folders(targets, &kept, out);
    }
    for dir in written_to {
        fsio::remove_stale_temps(&dir);
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
    let process = |&i: &u32| {
        let t = targets.get(i as usize);
        let mut staged = None;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            process_file_in(&t, rules, opts, batched.then_some(&mut staged))
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
        (report, staged)
    };
    let mut emit = |r: FileReport| {
        while let Some(s) = skipped.next_if(|s| s.path <= r.path) {
            each(s);
        }
        each(r);
    };
    let mut batch: Vec<(FileReport, Option<fsio::Staged>)> = Vec::new();
    ordered_map(&kept, process, |(r, staged)| {
        if staged.is_none() && batch.is_empty() {
            emit(r);
            return;
        }
        batch.push((r, staged));
        if batch.len() >= COMMIT_BATCH {
            commit_batch(&mut batch, &mut renamed, &mut emit);
        }
    });
    commit_batch(&mut batch, &mut renamed, &mut emit);
    skipped.for_each(&mut *each);
    let dirs: Vec<PathBuf> = renamed.into_iter().collect();
    dirs.par_iter().for_each(|d| fsio::sync_dir(d));
}

/// How many reports wait, at most, for their batch of staged writes to be
/// synced and committed.
const COMMIT_BATCH: usize = 64;

/// Syncs the staged writes of `batch` in one go, renames each over its file
/// (after a last look that the file did not change), and hands the reports
/// on in order; a write that could not be synced or committed leaves its
/// file as it was and makes its report a failure or a skip.
fn commit_batch(
    batch: &mut Vec<(FileReport, Option<fsio::Staged>)>,
    renamed: &mut BTreeSet<PathBuf>,
    emit: &mut impl FnMut(FileReport),
) {
    let staged: Vec<&fsio::Staged> = batch.iter().filter_map(|(_, s)| s.as_ref()).collect();
    let mut synced = fsio::sync_staged(&staged).into_iter();
    for (mut report, staged) in batch.drain(..) {
        if let Some(staged) = staged {
            let committed = match synced.next().flatten() {
                Some(e) => Err(e),
                None => staged.commit(),
            };
            match committed {
                Ok(dir) => {
                    renamed.insert(dir);
                }
                Err(e) => {
                    report.status = e.into();
                    report.text = None;
                }
            }
        }
        emit(report);
    }
}
