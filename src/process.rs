//! Runs a file command: walks the paths (or reads standard input), cleans
//! each file through the engine, hands each report in path order to the
//! command's printer, and folds the reports into an [`Outcome`].

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;

use mdscrub::cache::Cache;
use mdscrub::config::RuleSet;
use mdscrub::engine::{self, RunOptions};
use mdscrub::fsio;
use mdscrub::report::{FileReport, Status, Summary, path_text};
use mdscrub::walk;

use crate::interrupt::Interrupt;
use crate::output::pipe;
use crate::output::text::{self, RuleTotals};
use crate::progress::Progress;
use crate::settings::{Input, Settings};
use crate::verdict::Verdict;

/// What a file command keeps of its reports as they go by: totals, hits per
/// rule, and the reports that name a problem (without hits or texts).
pub struct Outcome {
    pub summary: Summary,
    pub rules: RuleTotals,
    pub problems: Vec<FileReport>,
    /// Cleaned text of standard input, in stdin mode.
    pub stdin_output: Option<String>,
    pub started: Instant,
    /// Temporary files of interrupted runs the run found.
    pub strays: Vec<fsio::Stray>,
    /// The signal that stopped the run (name, exit code), and how many
    /// files it left unprocessed.
    pub interrupted: Option<(&'static str, u8)>,
    pub not_processed: usize,
}

impl Outcome {
    /// The verdict of the run (changed files are findings when
    /// `changes_found`); a signal's exit code wins.
    pub fn verdict(&self, changes_found: bool) -> Verdict {
        Verdict {
            interrupted: self.interrupted.map(|(_, code)| code),
            ..Verdict::of(&self.summary, changes_found)
        }
    }

    /// Problems (on standard error, unless `-qq`), then the summary (unless
    /// `-q`) and the statistics (when asked for): on standard output when it
    /// is meant for people, else on standard error.
    pub fn finish(&self, settings: &Settings, word: &str, to_stdout: bool) -> anyhow::Result<()> {
        if settings.quiet < 2 {
            let mut err = anstream::stderr().lock();
            text::problems(&mut err, &self.problems)?;
            text::strays(&mut err, &self.strays, settings.verbose)?;
            if let Some((signal, _)) = self.interrupted {
                text::interrupted(&mut err, signal, self.not_processed)?;
            }
        }
        let mut out: Box<dyn Write> = if to_stdout {
            Box::new(pipe::text_stdout())
        } else {
            Box::new(anstream::stderr().lock())
        };
        if settings.quiet == 0 {
            text::summary(&mut out, &self.summary, word, self.started.elapsed())?;
        }
        if settings.statistics {
            text::statistics(&mut out, &self.rules)?;
        }
        out.flush()?;
        Ok(())
    }
}

/// Hands reports, in path order, to a command's printer and folds them into
/// the [`Outcome`]; then drops them.
struct Fold<'a> {
    outcome: Outcome,
    each: &'a mut dyn FnMut(FileReport) -> io::Result<()>,
    /// The first error of `each` (output closed): nothing more is printed.
    error: Option<io::Error>,
    verbose: bool,
    /// `-qq`: no warnings.
    silent: bool,
}

impl Fold<'_> {
    fn take(&mut self, r: FileReport) {
        let o = &mut self.outcome;
        o.summary.add(&r);
        o.rules.add(&r);
        if let Status::Failed(_) | Status::Refused(_) | Status::Skipped(_) = r.status {
            o.problems.push(FileReport {
                status: r.status.clone(),
                ..FileReport::new(r.path.clone())
            });
        }
        if !self.silent {
            let mut err = anstream::stderr().lock();
            for w in &r.warnings {
                let _ = writeln!(err, "warning: {}:{}: {w}", path_text(&r.path), w.line);
            }
        }
        if self.error.is_some() {
            return;
        }
        if self.verbose
            && let Err(e) = text::verbose_file(&mut io::stderr().lock(), &r)
        {
            self.error = Some(e);
            return;
        }
        if let Err(e) = (self.each)(r) {
            self.error = Some(e);
        }
    }

    fn finish(self) -> anyhow::Result<Outcome> {
        match self.error {
            Some(e) => Err(e.into()),
            None => Ok(self.outcome),
        }
    }
}

/// Walks (or reads standard input) and processes, handing each report to
/// `each` in path order as soon as it is ready; returns what was folded.
pub fn run(
    settings: &Settings,
    each: &mut dyn FnMut(FileReport) -> io::Result<()>,
) -> anyhow::Result<Outcome> {
    let mut fold = Fold {
        outcome: Outcome {
            summary: Summary::default(),
            rules: RuleTotals::default(),
            problems: Vec::new(),
            stdin_output: None,
            started: Instant::now(),
            strays: Vec::new(),
            interrupted: None,
            not_processed: 0,
        },
        each,
        error: None,
        verbose: settings.verbose,
        silent: settings.quiet >= 2,
    };
    match &settings.input {
        Input::Stdin { name } => stdin(settings, name.clone(), &mut fold)?,
        Input::Paths { paths, jobs, .. } => files(settings, paths, *jobs, &mut fold)?,
    }
    fold.finish()
}

/// Cleans standard input; its cleaned text (or the input itself, when it was
/// not cleaned) goes into the outcome.
fn stdin(settings: &Settings, name: PathBuf, fold: &mut Fold) -> anyhow::Result<()> {
    let mut bytes = Vec::new();
    io::stdin()
        .read_to_end(&mut bytes)
        .context("cannot read standard input")?;
    let (report, output) = match fsio::decode(bytes) {
        Err(e) => (
            FileReport {
                status: e.into(),
                ..FileReport::new(name)
            },
            None,
        ),
        Ok(text) if settings.force_exclude && settings.exclude.matches_any_ancestor(&name) => {
            if settings.verbose {
                eprintln!("excluded: {}", path_text(&name));
            }
            (FileReport::new(name), Some(text))
        }
        Ok(text) => {
            let (report, out) = clean_one(name, text, &settings.rules, &settings.run);
            (report, Some(out))
        }
    };
    // `--verbose` lists the files of a walk; standard input is no walk.
    fold.verbose = false;
    fold.take(report);
    fold.outcome.stdin_output = output;
    Ok(())
}

/// Sets the number of threads of the run (`-j`), once: before the first
/// parallel work of the process, which may be learning (`--learn`) before
/// the clean. Later calls do nothing.
pub fn set_threads(jobs: Option<usize>) -> anyhow::Result<()> {
    static SET: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let Some(n) = jobs else {
        return Ok(());
    };
    SET.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .map_err(|e| e.to_string())
    })
    .clone()
    .map_err(anyhow::Error::msg)
}

/// Walks the paths and cleans the files found, on the engine's threads.
fn files(
    settings: &Settings,
    paths: &[PathBuf],
    jobs: Option<usize>,
    fold: &mut Fold,
) -> anyhow::Result<()> {
    set_threads(jobs)?;
    let walked = walk::walk(paths, &settings.walk_options().unwrap_or_default());
    for w in &walked.warnings {
        eprintln!("warning: {w}");
    }
    if settings.verbose {
        for n in &walked.notes {
            eprintln!("note: {n}");
        }
        eprintln!(
            "files: {} to process, {} excluded, {} in other shards",
            walked.targets.len(),
            walked.excluded,
            walked.other_shards
        );
    }
    let cache = open_cache(settings);
    let interrupt = Interrupt::install();
    let opts = &RunOptions {
        cache: cache.clone(),
        cancel: Some(interrupt.stop.clone()),
        ..settings.run.clone()
    };
    let bar = Progress::new(walked.targets.len(), settings.quiet == 0);
    // Paths that could not be walked join the reports in path order (after a
    // report of the same path, as a stable sort would put them).
    let mut failures = walked.failures;
    failures.sort_by(|a, b| a.path.cmp(&b.path));
    let mut failures = failures.into_iter().peekable();
    // While the bar shows, reports wait and are printed in batches with the
    // bar out of the way, so that it is redrawn a few times a second rather
    // than once per file.
    let mut waiting: Vec<FileReport> = Vec::new();
    let mut take = |r: FileReport, fold: &mut Fold| {
        while let Some(f) = failures.next_if(|f| f.path < r.path) {
            fold.take(f);
        }
        fold.take(r);
    };
    let end = engine::run_each(&walked.targets, &settings.rules, opts, &mut |r| {
        bar.inc();
        if !bar.is_shown() && waiting.is_empty() {
            take(r, fold);
            return;
        }
        waiting.push(r);
        if bar.due() {
            bar.tick(|| waiting.drain(..).for_each(|r| take(r, fold)));
        }
    });
    bar.tick(|| waiting.drain(..).for_each(|r| take(r, fold)));
    bar.finish();
    failures.for_each(|f| fold.take(f));
    fold.outcome.strays = end.strays;
    fold.outcome.not_processed = end.not_processed;
    fold.outcome.interrupted = interrupt.caught();
    if let Some(cache) = cache {
        let saved = cache.save();
        if settings.verbose {
            eprintln!(
                "cache: {} of {} files known clean from earlier runs ({})",
                cache.hits(),
                walked.targets.len(),
                cache.path().display()
            );
            if let Err(e) = saved {
                eprintln!("cache: not written: {e}");
            }
        }
    }
    Ok(())
}

/// The cache of clean contents for a run over files, unless switched off or
/// there is no folder to keep it in.
fn open_cache(settings: &Settings) -> Option<Arc<Cache>> {
    let dir = settings.cache_dir.as_deref()?;
    let fingerprint = settings
        .rules
        .fingerprint(&format!("{:?}", settings.run.encoding));
    Some(Arc::new(Cache::open(dir, fingerprint)))
}

/// Cleans one text that did not come from a file (standard input): the report
/// and the text to write out (the input itself when it was not cleaned).
fn clean_one(
    name: PathBuf,
    text: String,
    rules: &RuleSet,
    opts: &RunOptions,
) -> (FileReport, String) {
    let mut report = FileReport::new(name);
    report.warnings = engine::unknown_suppressions(&text, rules);
    match engine::clean_text(&text, rules, opts.force) {
        Ok(mut c) => {
            report.bytes_removed = text.len() as i64 - c.output.len() as i64;
            report.hits = std::mem::take(&mut c.hits);
            if c.output != text {
                report.status = Status::Changed;
                if opts.fixes {
                    report.changes = c.changes(&text);
                }
                let out = c.output.clone();
                report.text = Some((text, c.output));
                return (report, out);
            }
            (report, text)
        }
        Err(e) => {
            report.status = e.into();
            (report, text)
        }
    }
}
