//! One text through all rules ([`clean_text`]), and one file through read,
//! clean and write ([`process_file`]); [`run`] does that for many files in
//! parallel.
//!
//! Cleaning is a loop of passes: parse, ask every rule for edits, resolve
//! conflicts, splice. An edit that lost a conflict is asked for again in the
//! next pass. The loop ends when a pass has nothing to do; a text that has not
//! settled after [`MAX_PASSES`] is an error, not a guess.

use std::collections::{BTreeSet, VecDeque};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, mpsc};

use rayon::prelude::*;

use crate::cache::Cache;
use crate::config::RuleSet;
use crate::content::Content;
use crate::document::Document;
use crate::edit::{self, Edit, EditSink, Reach};
use crate::fsio;
pub use crate::fsio::mirror_path;
use crate::report::{FileReport, Hit, Status};
use crate::rules::Context;
use crate::suppress::Suppressions;
pub use crate::targets::{Target, Targets};

/// Most passes a text may take before it is reported as not settling.
pub const MAX_PASSES: usize = 8;

/// The result of cleaning one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Cleaned {
    /// The cleaned text; equal to the input when nothing changed.
    pub output: String,
    /// Every edit applied, located in the input text.
    pub hits: Vec<Hit>,
    /// Parses done (0 when no rule could apply and the parse was skipped).
    pub passes: usize,
    /// Share of the input's visible text that the clean removed with rules
    /// that may remove article (0–1): block, zone and image removals, not
    /// markup, URL or `chrome = true` rules. What the removal guard weighs.
    pub removed_share: f64,
    /// True when the output is known to need no further change: the last
    /// parse found nothing to do in it, only settling rules acted in the last
    /// pass, or no rule could touch the input at all. False when a pass was
    /// undone because it changed what is code.
    pub verified: bool,
}

impl Cleaned {
    pub fn changed(&self, input: &str) -> bool {
        self.output != input
    }
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

/// Cleans a text with a rule set. Pure: text in, result out.
pub fn clean_text(input: &str, rules: &RuleSet, force: bool) -> Result<Cleaned, CleanError> {
    // The literal prefilter: a text that no rule may touch is not parsed.
    if !rules.may_apply(input) {
        return Ok(Cleaned {
            output: input.to_string(),
            hits: Vec::new(),
            passes: 0,
            removed_share: 0.0,
            verified: true,
        });
    }
    let settling: Vec<&str> = rules
        .rules
        .iter()
        .filter(|r| r.rule.settles())
        .map(|r| &*r.id)
        .collect();
    // Rules whose removals the guard does not weigh: exporter chrome.
    let uncounted: Vec<&str> = rules
        .rules
        .iter()
        .filter(|r| r.meta.chrome)
        .map(|r| &*r.id)
        .collect();
    let mut current = input.to_string();
    let mut passes: Vec<Vec<Edit>> = Vec::new();
    let mut touched: Vec<Range<usize>> = Vec::new();
    let mut visible_before = None;
    // Visible characters that rules which may remove article took, per pass:
    // what the removal guard weighs.
    let mut article_removed: Vec<usize> = Vec::new();
    // Code of the input, followed through the passes. A pass whose edits
    // change what is code (an edit that opens or closes a fence, or joins an
    // indented block to a paragraph) is undone and the clean stops there, so
    // what was code stays code and nothing else becomes code.
    let mut input_code: Vec<Range<usize>> = Vec::new();
    let mut before_last: Option<String> = None;
    let mut settled = false;
    let mut verified = false;
    let mut parses = 0;
    while parses < MAX_PASSES {
        let doc = Document::parse(&current);
        parses += 1;
        let mut code = doc.protected.clone();
        code.sort_by_key(|r| r.start);
        if parses == 1 {
            input_code = code;
        } else if code != input_code
            && let Some(text) = before_last.take()
        {
            current = text;
            passes.pop();
            article_removed.pop();
            settled = true;
            break;
        }
        let ctx = Context {
            touched: &touched,
            head: crate::rules::head_of(input),
        };
        let mut edits = Vec::new();
        for r in &rules.rules {
            r.rule.check(
                &doc,
                &ctx,
                &mut EditSink::with_reach(&r.id, r.rule.reach(), &mut edits),
            );
        }
        let suppressed = Suppressions::scan(&current, &doc.protected);
        if !suppressed.is_empty() {
            edits.retain(|e| !suppressed.blocks(&e.rule, &e.range));
        }
        // The content model is asked only when some edit removes more than
        // markup: most passes of most texts have none.
        if edits.iter().any(|e| e.reach != Reach::Markup) {
            Content::of(&doc, &rules.protect).filter(&doc, &mut edits);
        }
        let (edits, lost) = edit::resolve_counting(&current, edits, &doc.protected);
        if edits.is_empty() {
            settled = true;
            verified = true;
            break;
        }
        // The visible text is counted only where the removed share needs it:
        // not for a text the first pass leaves as it is.
        visible_before.get_or_insert_with(|| doc.visible_chars());
        article_removed.push(removed_article(&doc, &edits, &uncounted));
        drop(doc);
        // A pass whose edits all come from rules that only tidy up after
        // others, with no edit waiting for another pass, leaves nothing for a
        // further pass to find: stop without parsing the result again.
        let only_settling =
            lost == 0 && parses < MAX_PASSES && edits.iter().all(|e| settling.contains(&&*e.rule));
        let next = edit::apply(&current, &edits);
        map_sorted_forward(&mut input_code, &edits);
        touched = touched
            .iter()
            .map(|r| edit::map_forward(r.start, &edits)..edit::map_forward(r.end, &edits))
            .collect();
        // Edits of rules that only tidy up after others do not count as
        // touched: tidying next to a tidy edit would creep through the file.
        let mut delta: isize = 0;
        for e in &edits {
            let start = (e.range.start as isize + delta) as usize;
            if !settling.contains(&&*e.rule) {
                touched.push(start..start + e.replacement.len());
            }
            delta += e.replacement.len() as isize - e.range.len() as isize;
        }
        before_last = Some(std::mem::replace(&mut current, next));
        passes.push(edits);
        if only_settling {
            // Settling rules leave nothing to find by their contract (the
            // idempotence properties and corpus tests hold them to it).
            settled = true;
            verified = true;
            break;
        }
    }
    if !settled {
        let last: Vec<&str> = passes
            .last()
            .map(|p| p.iter().map(|e| &*e.rule).collect())
            .unwrap_or_default();
        return Err(CleanError::Unsettled {
            passes: parses,
            rules: dedup_join(last),
        });
    }
    let before = visible_before.unwrap_or(0);
    let removed: usize = article_removed.iter().sum();
    let removed_share = if before == 0 {
        0.0
    } else {
        (removed as f64 / before as f64).min(1.0)
    };
    let hits = locate_hits(input, &passes);
    if removed_share > rules.max_removed && !force {
        let mut by_rule: Vec<(Arc<str>, usize)> = Vec::new();
        for h in &hits {
            match by_rule.iter_mut().find(|(r, _)| *r == h.rule) {
                Some((_, n)) => *n += h.removed.chars().count(),
                None => by_rule.push((h.rule.clone(), h.removed.chars().count())),
            }
        }
        by_rule.sort_by_key(|r| std::cmp::Reverse(r.1));
        return Err(CleanError::TooMuchRemoved {
            share: removed_share,
            limit: rules.max_removed,
            rules: dedup_join(by_rule.iter().take(3).map(|(r, _)| &**r).collect()),
        });
    }
    Ok(Cleaned {
        output: current,
        hits,
        passes: parses,
        removed_share,
        verified,
    })
}

impl RuleSet {
    /// Runs every example of the active rules; returns the count run and the
    /// failures.
    pub fn test_examples(&self) -> (usize, Vec<crate::config::ExampleFailure>) {
        let mut run = 0;
        let mut failures = Vec::new();
        for r in &self.rules {
            for (i, ex) in r.meta.examples.iter().enumerate() {
                run += 1;
                let got = self
                    .example_set(r, &ex.with)
                    .and_then(|set| clean_text(&ex.input, &set, true).map_err(|e| e.to_string()))
                    .map(|c| c.output);
                if got.as_deref() != Ok(ex.output.as_str()) {
                    failures.push(crate::config::ExampleFailure {
                        rule: r.id.to_string(),
                        line: r.meta.line,
                        number: i + 1,
                        input: ex.input.clone(),
                        expected: ex.output.clone(),
                        got,
                    });
                }
            }
        }
        (run, failures)
    }
}

/// Visible characters of `doc` that `edits` (sorted, not overlapping) remove,
/// counting only the edits of rules that may remove article: not markup or
/// URL edits, and not the rules in `uncounted` (exporter chrome).
fn removed_article(doc: &Document, edits: &[Edit], uncounted: &[&str]) -> usize {
    let counted: Vec<&Range<usize>> = edits
        .iter()
        .filter(|e| e.reach != Reach::Markup && !uncounted.contains(&&*e.rule))
        .map(|e| &e.range)
        .collect();
    if counted.is_empty() {
        return 0;
    }
    let mut sum = 0;
    let mut i = 0;
    while i < doc.nodes.len() {
        let n = &doc.nodes[i];
        if matches!(n.kind, crate::document::Kind::Image(_)) {
            i = n.end;
            continue;
        }
        let at = n.range.start;
        let k = counted.partition_point(|r| r.end <= at);
        if counted.get(k).is_some_and(|r| r.start <= at) {
            sum += doc.visible_chars_of(n);
        }
        i += 1;
    }
    sum
}

/// Moves sorted ranges that no edit overlaps to where they are after
/// `edits` (sorted too), in one sweep.
fn map_sorted_forward(ranges: &mut [Range<usize>], edits: &[Edit]) {
    let mut delta: isize = 0;
    let mut next = edits.iter().peekable();
    for r in ranges {
        while let Some(e) = next.next_if(|e| e.range.end <= r.start) {
            delta += e.replacement.len() as isize - e.range.len() as isize;
        }
        r.start = (r.start as isize + delta) as usize;
        r.end = (r.end as isize + delta) as usize;
    }
}

fn dedup_join(mut ids: Vec<&str>) -> String {
    let mut seen = Vec::new();
    ids.retain(|id| {
        if seen.contains(id) {
            false
        } else {
            seen.push(*id);
            true
        }
    });
    ids.join(", ")
}

/// Describes every applied edit against the input text: the line and column
/// where it (or the text it grew from) starts.
fn locate_hits(input: &str, passes: &[Vec<Edit>]) -> Vec<Hit> {
    if passes.iter().all(Vec::is_empty) {
        return Vec::new();
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', input.as_bytes()).map(|i| i + 1))
        .collect();
    let mut hits = Vec::new();
    let mut text = input.to_string();
    for (pass, edits) in passes.iter().enumerate() {
        for e in edits {
            let mut at = e.range.start;
            let mut end = e.range.end;
            for earlier in passes[..pass].iter().rev() {
                at = edit::map_back(at, earlier);
                end = map_back_end(end, earlier);
            }
            let line = line_starts.partition_point(|&s| s <= at);
            hits.push(Hit {
                rule: e.rule.clone(),
                line,
                // Filled in below, in one sweep.
                column: 0,
                offset: at,
                end: end.max(at),
                pass: pass + 1,
                removed: text[e.range.clone()].to_string(),
                replacement: e.replacement.clone(),
            });
        }
        text = edit::apply(&text, edits);
    }
    hits.sort_by_key(|h| (h.offset, h.pass));
    // Columns in one sweep (counting from each line's start for every hit is
    // quadratic on a long line with many hits).
    let (mut from, mut column, mut line) = (0, 1, 0);
    for h in &mut hits {
        let at = h.offset.min(input.len());
        if h.line != line {
            (from, column, line) = (line_starts[h.line - 1], 1, h.line);
        }
        column += input[from..at].chars().count();
        from = at;
        h.column = column;
    }
    hits
}

/// Like [`edit::map_back`] for the end of a span: an offset inside a
/// replacement maps to the end of the range it replaced.
fn map_back_end(offset: usize, edits: &[Edit]) -> usize {
    let mut delta: isize = 0;
    for e in edits {
        let new_start = (e.range.start as isize + delta) as usize;
        let new_end = new_start + e.replacement.len();
        if offset <= new_start {
            break;
        }
        if offset <= new_end {
            return e.range.end;
        }
        delta += e.replacement.len() as isize - e.range.len() as isize;
    }
    (offset as isize - delta).max(0) as usize
}

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
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            mode: Mode::Check,
            force: false,
            max_file_size: 32 * 1024 * 1024,
            keep_text: false,
            encoding: fsio::Encoding::Utf8,
            fsync: true,
            cache: None,
            before_write: None,
        }
    }
}

/// Processes one file: read, clean, and write when the mode says so. A file
/// written is durable when this returns (its data and its folder are synced).
pub fn process_file(target: &Target, rules: &RuleSet, opts: &RunOptions) -> FileReport {
    process_file_in(target, rules, opts, None)
}

/// [`process_file`]; with `staged`, a file rewritten in place or mirrored is
/// only staged (written beside its destination, not synced, not renamed)
/// into `staged`, for the run to sync and commit in batches.
fn process_file_in(
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
            report.status = e.into_status();
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
                report.status = e.into_status();
            }
        }
        report
    };
    let cache = opts.cache.as_deref();
    if cache.is_some_and(|c| c.knows_clean(input.content_hash())) {
        return unchanged(report);
    }
    let cleaned = match clean_text(&input.text, rules, opts.force) {
        Ok(c) => c,
        Err(e @ CleanError::TooMuchRemoved { .. }) => {
            report.status = Status::Refused(e.to_string());
            return report;
        }
        Err(e) => {
            report.status = Status::Failed(e.to_string());
            return report;
        }
    };
    if cleaned.output == input.text {
        if let Some(c) = cache
            && cleaned.verified
        {
            c.note_clean(input.content_hash());
        }
        return unchanged(report);
    }
    report.bytes_removed = input.text.len() as i64 - cleaned.output.len() as i64;
    report.hits = cleaned.hits;
    // A clean that writes reports counts, never the texts of its hits: they
    // would only be dropped unread.
    if !matches!(opts.mode, Mode::Check) && !opts.keep_text {
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
    match written {
        Ok(()) => {
            // What is written needs no further change: a later run over it
            // skips its parse.
            if let Some(c) = cache
                && cleaned.verified
                && opts.mode != Mode::Check
            {
                c.note_clean(fsio::content_hash(&bytes));
            }
        }
        Err(e) => {
            report.status = e.into_status();
            return report;
        }
    }
    if opts.keep_text {
        report.text = Some((input.text, cleaned.output));
    }
    report
}

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

/// How many finished reports may wait for an earlier, slower file before the
/// workers pause: it bounds what a run holds, whatever its number of files.
const REORDER_WINDOW: usize = 64;

/// How many consecutive files a worker claims at once and hands over in one
/// go: fewer wake-ups of the thread that hands reports out in order (one per
/// file made thousands of context switches on a run of 2,000 files).
const CLAIM: usize = 8;

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
            FileReport::failed(
                t.path.clone(),
                format!(
                    "internal error while cleaning this file ({what}); left as it is. This is a bug: please report it with the file"
                ),
            )
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
                    report.status = e.into_status();
                    report.text = None;
                }
            }
        }
        emit(report);
    }
}

/// Maps `items` with `f` on rayon's pool and hands the results to `each` on
/// the calling thread in the order of `items`, each as soon as it and all
/// before it are done. Workers stay at most [`REORDER_WINDOW`] items ahead
/// of `each`, so at most that many results wait at once.
fn ordered_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync, mut each: impl FnMut(R)) {
    if items.is_empty() {
        return;
    }
    if rayon::current_thread_index().is_some() {
        // Called from a worker of a pool: waiting here for the other workers
        // could wait for this very thread. Ordered chunks instead.
        for chunk in items.chunks(REORDER_WINDOW) {
            let done: Vec<R> = chunk.par_iter().map(&f).collect();
            done.into_iter().for_each(&mut each);
        }
        return;
    }
    let next = AtomicUsize::new(0);
    // How many results `each` has had; `usize::MAX` stops the workers (the
    // consumer unwound).
    let handed = (Mutex::new(0usize), Condvar::new());
    struct StopOnUnwind<'a>(&'a (Mutex<usize>, Condvar));
    impl Drop for StopOnUnwind<'_> {
        fn drop(&mut self) {
            if std::thread::panicking() {
                *self.0.0.lock().unwrap_or_else(|e| e.into_inner()) = usize::MAX;
                self.0.1.notify_all();
            }
        }
    }
    let (tx, rx) = mpsc::channel::<(usize, Vec<R>)>();
    let workers = rayon::current_num_threads().clamp(1, items.len());
    rayon::in_place_scope(|s| {
        let (next, handed, f) = (&next, &handed, &f);
        for _ in 0..workers {
            let tx = tx.clone();
            s.spawn(move |_| {
                loop {
                    // Claimed in order, a few at a time, so the earliest
                    // unfinished item is always being worked on and never
                    // waits here. Handing results over a few at a time wakes
                    // the consumer a few times less.
                    let i = next.fetch_add(CLAIM, Ordering::Relaxed);
                    if i >= items.len() {
                        return;
                    }
                    let end = (i + CLAIM).min(items.len());
                    let mut n = handed.0.lock().unwrap_or_else(|e| e.into_inner());
                    while *n != usize::MAX && end > *n + REORDER_WINDOW {
                        n = handed.1.wait(n).unwrap_or_else(|e| e.into_inner());
                    }
                    if *n == usize::MAX {
                        return;
                    }
                    drop(n);
                    let done: Vec<R> = items[i..end].iter().map(f).collect();
                    if tx.send((i, done)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let _stop = StopOnUnwind(handed);
        let mut waiting: VecDeque<Option<R>> = VecDeque::new();
        let mut want = 0;
        for (i, done) in rx {
            let first = i - want;
            if waiting.len() < first + done.len() {
                waiting.resize_with(first + done.len(), || None);
            }
            for (slot, r) in waiting.range_mut(first..).zip(done) {
                *slot = Some(r);
            }
            let before = want;
            while let Some(Some(_)) = waiting.front() {
                if let Some(Some(r)) = waiting.pop_front() {
                    each(r);
                }
                want += 1;
            }
            if want != before {
                *handed.0.lock().unwrap_or_else(|e| e.into_inner()) = want;
                handed.1.notify_all();
            }
        }
    });
}

/// Drops symlinks that lead outside the run's roots (reported as skipped) and
/// second paths to one file. A path given on its own (its own root) is
/// followed wherever it leads: the user named it. Returns the indices of the
/// targets to process, sorted by path (indices, not copies, and hashes of
/// the real paths, not the paths: what a run holds per file stays small).
/// With `folders`, the real folder of every file kept is added to it.
fn resolve_links(
    targets: &Targets,
    mut folders: Option<&mut BTreeSet<PathBuf>>,
) -> (Vec<u32>, Vec<FileReport>) {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    let real = RealPaths::new(targets);
    let roots: BTreeSet<&Path> = real.roots.iter().map(PathBuf::as_path).collect();
    let hasher = BuildHasherDefault::<DefaultHasher>::default();
    // (hash of the real path, link flag | index) of every target not left
    // alone: sorted, the paths to one file come together, plain paths first.
    // A 32-bit hash keeps this small; paths whose hashes collide are told
    // apart below.
    const LINK: u32 = 1 << 31;
    let mut found: Vec<(u32, u32)> = Vec::with_capacity(targets.len());
    let mut skipped = Vec::new();
    for i in 0..targets.len() {
        let (link, path) = real.of(targets, i);
        if link {
            let t = targets.get(i);
            if t.path != *t.root && !roots.iter().any(|r| path.starts_with(r)) {
                let mut r = FileReport::new(t.path.clone());
                r.status = Status::Skipped(format!(
                    "symlink to {}, which is outside the given paths; left alone",
                    path.display()
                ));
                skipped.push(r);
                continue;
            }
        }
        // Paths to one file share its folder: adding it for each is enough.
        if let Some(folders) = folders.as_deref_mut()
            && let Some(dir) = path.parent()
        {
            folders.insert(dir.to_path_buf());
        }
        let hash = hasher.hash_one(&path) as u32;
        found.push((hash, i as u32 | if link { LINK } else { 0 }));
    }
    found.sort_unstable();
    let mut kept: Vec<u32> = Vec::with_capacity(found.len());
    for run in found.chunk_by(|a, b| a.0 == b.0) {
        if let [(_, i)] = run {
            kept.push(i & !LINK);
            continue;
        }
        // Equal hashes: one file, or (rarely) different files.
        let mut reals: Vec<PathBuf> = Vec::new();
        for (_, i) in run {
            let (_, path) = real.of(targets, (i & !LINK) as usize);
            if !reals.contains(&path) {
                reals.push(path);
                kept.push(i & !LINK);
            }
        }
    }
    drop(found);
    kept.sort_by(|&a, &b| targets.cmp_paths(a as usize, b as usize));
    (kept, skipped)
}

/// Real paths of the files of a run: the real path of each root, resolved
/// once, and the files' own paths resolved only where they may hold a link.
struct RealPaths {
    /// The real path of each of [`Targets::roots`] (itself when it cannot be
    /// resolved).
    roots: Vec<PathBuf>,
}

impl RealPaths {
    fn new(targets: &Targets) -> RealPaths {
        RealPaths {
            roots: targets.roots().iter().map(|r| canonical(r)).collect(),
        }
    }

    /// Whether the `i`th file's path is a symlink, and its real path. A
    /// file that a walk found below its root without following links is no
    /// link, and its real path is its root's joined with the rest: no
    /// system call per file.
    fn of(&self, targets: &Targets, i: usize) -> (bool, PathBuf) {
        match targets.below_walked_root(i) {
            Some((root, rel)) => (false, self.roots[root].join(rel)),
            None => {
                let path = targets.path(i);
                let link =
                    std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
                (link, canonical(&path))
            }
        }
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The folders the mirror copies of the files `kept` go into.
fn mirror_folders(targets: &Targets, kept: &[u32], out: &Path) -> BTreeSet<PathBuf> {
    kept.iter()
        .map(|&i| targets.get(i as usize))
        .filter_map(|t| {
            mirror_path(&t.root, &t.path, out)
                .parent()
                .map(Path::to_path_buf)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(toml_text: &str) -> RuleSet {
        RuleSet::parse(toml_text, "test.toml").unwrap()
    }

    const DROP_AND_TIDY: &str = r#"
[[rule]]
id = "drop"
kind = "drop-block"
description = "d"
pattern = "^DROP$"

[[rule]]
id = "tidy"
kind = "tidy"
description = "t"
"#;

    #[test]
    fn tidy_stays_next_to_edits_and_settles() {
        // Regression: tidy's own edits counted as touched, so it crept one
        // blank run further per pass and never settled.
        let mut input = String::from("A\n  \n  \nDROP\n  \n  \nB\n");
        for i in 0..20 {
            input.push_str(&format!("  \n  \np{i}\n"));
        }
        let out = clean_text(&input, &rules(DROP_AND_TIDY), false).unwrap();
        assert!(out.passes <= 3, "passes: {}", out.passes);
        assert!(
            out.output.starts_with("A\n\nB\n  \n  \np0\n"),
            "{:?}",
            out.output
        );
    }

    #[test]
    fn second_run_changes_nothing() {
        let input = "A\n\n\nDROP\n\n\nB\nDROP";
        let set = rules(DROP_AND_TIDY);
        let once = clean_text(input, &set, false).unwrap();
        assert_eq!(once.output, "A\n\nB\nDROP");
        let twice = clean_text(&once.output, &set, false).unwrap();
        assert_eq!(twice.output, once.output);
        assert!(twice.hits.is_empty());
    }

    #[test]
    fn guard_refuses_and_force_overrides() {
        let input = "DROP\n\nkeep\n";
        let mut set = rules(DROP_AND_TIDY);
        set.max_removed = 0.1;
        let err = clean_text(input, &set, false).unwrap_err();
        assert!(matches!(err, CleanError::TooMuchRemoved { .. }), "{err}");
        assert!(err.to_string().contains("drop"), "{err}");
        let forced = clean_text(input, &set, true).unwrap();
        assert_eq!(forced.output, "keep\n");
    }

    #[test]
    fn ordered_map_hands_results_over_in_order_with_a_bounded_window() {
        let items: Vec<usize> = (0..500).collect();
        let in_flight = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let mut seen = Vec::new();
        {
            ordered_map(
                &items,
                |&i| {
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    // Early items are slow, so later ones finish first.
                    if i % 97 == 0 {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                    i * 2
                },
                |r| {
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    seen.push(r);
                },
            )
        }
        let doubled: Vec<usize> = items.iter().map(|i| i * 2).collect();
        assert_eq!(seen, doubled);
        // Finished but not yet handed over, plus one in hand per worker.
        let workers = rayon::current_num_threads();
        assert!(
            most.load(Ordering::SeqCst) <= REORDER_WINDOW + workers,
            "{most:?}"
        );
        // From inside a pool of one thread (no waiting on itself).
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let mut again = Vec::new();
        pool.install(|| ordered_map(&items, |&i| i * 2, |r| again.push(r)));
        assert_eq!(again, doubled);
    }

    #[test]
    fn hits_are_located_in_the_input() {
        let input = "some text\n\nDROP\n\nmore text\n";
        let out = clean_text(input, &rules(DROP_AND_TIDY), false).unwrap();
        let drop = out.hits.iter().find(|h| &*h.rule == "drop").unwrap();
        assert_eq!((drop.line, drop.column), (3, 1));
        assert_eq!(drop.removed, "DROP\n");
    }
}
