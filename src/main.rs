//! The `mdscrub` binary: parse flags, resolve them into settings, run, print,
//! and map the outcome to an exit code (0 clean, 1 would change, 2 failure).
//!
//! Standard output carries what a command is for (the cleaned text of
//! `clean -`, the check report, the diff); progress and errors go to standard
//! error, and so do the summary and statistics unless standard output is
//! meant for people (`clean` of files, `check --format text`).

mod cli;
mod html_report;
mod printer;
mod progress;
mod rules_cmd;

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, bail};
use clap::{CommandFactory, Parser};

use cli::{Cli, ColorChoice, Command, Common, Format, RulesArgs};
use mdscrub::cache::{self, Cache};
use mdscrub::config::RuleSet;
use mdscrub::engine::{self, CleanError, Mode, RunOptions};
use mdscrub::fsio;
use mdscrub::report::{FileReport, Status, Summary};
use mdscrub::walk::{self, Globs, WalkOptions};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let _ = writeln!(anstream::stderr(), "mdscrub: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Loads the rules a command asked for (file, discovery or defaults) and
/// narrows them with `--select` / `--ignore`.
fn load_rules(args: &RulesArgs, verbose: bool) -> anyhow::Result<Rules> {
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let (set, file) = RuleSet::find_and_load(args.rules.as_deref(), &cwd)?;
    let file = file.map(|f| cwd.join(f));
    let set = set
        .narrow(&args.select, &args.ignore)
        .map_err(anyhow::Error::msg)?;
    if verbose {
        let from = match &file {
            Some(f) => f.display().to_string(),
            None => "the embedded default rules".to_string(),
        };
        eprintln!(
            "rules: {from} ({} on, {} off)",
            set.rules.len(),
            set.extra.disabled.len()
        );
    }
    Ok(Rules { set, file })
}

/// The rules of a run and the file they came from (absolute).
struct Rules {
    set: RuleSet,
    file: Option<PathBuf>,
}

/// What a file command keeps of its reports as they go by: totals, hits per
/// rule, and the reports that name a problem (without hits or texts).
struct Outcome {
    summary: Summary,
    rules: printer::RuleTotals,
    problems: Vec<FileReport>,
    /// Cleaned text of standard input, in stdin mode.
    stdin_output: Option<String>,
    started: Instant,
}

/// Hands reports, in path order, to a command's printer and folds them into
/// the [`Outcome`]; then drops them.
struct Fold<'a> {
    outcome: Outcome,
    each: &'a mut dyn FnMut(FileReport) -> io::Result<()>,
    /// The first error of `each` (output closed): nothing more is printed.
    error: Option<io::Error>,
    verbose: bool,
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
        if self.error.is_some() {
            return;
        }
        if self.verbose
            && let Err(e) = printer::verbose_file(&mut io::stderr().lock(), &r)
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

fn is_stdin(common: &Common) -> anyhow::Result<bool> {
    let dash = common.paths.iter().any(|p| p == Path::new("-"));
    if dash && common.paths.len() > 1 {
        bail!("`-` (standard input) must be the only path");
    }
    Ok(dash)
}

/// Walks (or reads standard input) and processes, handing each report to
/// `each` in path order as soon as it is ready; returns what was folded.
fn process(
    common: &Common,
    loaded: &Rules,
    opts: &RunOptions,
    each: &mut dyn FnMut(FileReport) -> io::Result<()>,
) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let mut fold = Fold {
        outcome: Outcome {
            summary: Summary::default(),
            rules: printer::RuleTotals::default(),
            problems: Vec::new(),
            stdin_output: None,
            started,
        },
        each,
        error: None,
        verbose: common.verbose,
    };
    let rules = &loaded.set;
    // The rules file's excludes also match paths below the file's folder.
    let base = loaded
        .file
        .as_deref()
        .and_then(Path::parent)
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    let exclude = Globs::new(&common.exclude)
        .and_then(|g| g.with_base(&rules.extra.exclude, &base))
        .map_err(anyhow::Error::msg)?;
    if is_stdin(common)? {
        let name = common
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("<stdin>"));
        let mut bytes = Vec::new();
        io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        let (report, output) = match fsio::decode(bytes) {
            Err(e) => (
                FileReport {
                    status: e.into_status(),
                    ..FileReport::new(name)
                },
                None,
            ),
            Ok(text) if common.force_exclude && exclude.matches_any_ancestor(&name) => {
                if common.verbose {
                    eprintln!("excluded: {}", name.display());
                }
                (FileReport::new(name), Some(text))
            }
            Ok(text) => {
                let (report, out) = clean_one(name, text, rules, opts);
                (report, Some(out))
            }
        };
        // `--verbose` lists the files of a walk; standard input is no walk.
        fold.verbose = false;
        fold.take(report);
        fold.outcome.stdin_output = output;
        return fold.finish();
    }
    if let Some(n) = common.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()?;
    }
    let include = Globs::new(&common.include).map_err(anyhow::Error::msg)?;
    let walked = walk::walk(
        &common.paths,
        &WalkOptions {
            exclude,
            include,
            force_exclude: common.force_exclude,
            shard: common.shard,
        },
    );
    if common.verbose {
        eprintln!(
            "files: {} to process, {} excluded, {} in other shards",
            walked.targets.len(),
            walked.excluded,
            walked.other_shards
        );
    }
    let cache = open_cache(common, rules, opts);
    let opts = &RunOptions {
        cache: cache.clone(),
        ..opts.clone()
    };
    let bar = progress::Progress::new(walked.targets.len(), !common.quiet);
    // Paths that could not be walked join the reports in path order (after a
    // report of the same path, as a stable sort would put them).
    let mut failures = walked.failures;
    failures.sort_by(|a, b| a.path.cmp(&b.path));
    let mut failures = failures.into_iter().peekable();
    engine::run_each(&walked.targets, rules, opts, &mut |r| {
        bar.inc();
        bar.suspend(|| {
            while let Some(f) = failures.next_if(|f| f.path < r.path) {
                fold.take(f);
            }
            fold.take(r);
        });
    });
    bar.finish();
    failures.for_each(|f| fold.take(f));
    if let Some(cache) = cache {
        let saved = cache.save();
        if common.verbose {
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
    fold.finish()
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
    match engine::clean_text(&text, rules, opts.force) {
        Ok(c) => {
            report.bytes_removed = text.len() as i64 - c.output.len() as i64;
            report.hits = c.hits;
            if c.output != text {
                report.status = Status::Changed;
                let out = c.output.clone();
                report.text = Some((text, c.output));
                return (report, out);
            }
            (report, text)
        }
        Err(e @ CleanError::TooMuchRemoved { .. }) => {
            report.status = Status::Refused(e.to_string());
            (report, text)
        }
        Err(e) => {
            report.status = Status::Failed(e.to_string());
            (report, text)
        }
    }
}

fn has_failures(s: &Summary) -> bool {
    s.failed > 0 || s.refused > 0
}

fn options(common: &Common, mode: Mode, keep_text: bool) -> RunOptions {
    RunOptions {
        mode,
        force: common.force,
        max_file_size: common.max_file_size,
        keep_text,
        encoding: common.encoding,
        fsync: true,
        cache: None,
        before_write: None,
    }
}

/// The cache of clean contents for a run over files, unless switched off or
/// there is no folder to keep it in.
fn open_cache(common: &Common, rules: &RuleSet, opts: &RunOptions) -> Option<Arc<Cache>> {
    if common.no_cache {
        return None;
    }
    let dir = common.cache_dir.clone().or_else(cache::default_dir)?;
    let fingerprint = rules.fingerprint(&format!("{:?}", opts.encoding));
    Some(Arc::new(Cache::open(&dir, fingerprint)))
}

/// Problems (on standard error), then the summary and the statistics: on
/// standard output when it is meant for people, else on standard error.
fn finish(common: &Common, outcome: &Outcome, word: &str, to_stdout: bool) -> anyhow::Result<()> {
    printer::problems(&mut anstream::stderr().lock(), &outcome.problems)?;
    if !common.quiet {
        let mut out: Box<dyn Write> = if to_stdout {
            Box::new(anstream::stdout().lock())
        } else {
            Box::new(anstream::stderr().lock())
        };
        printer::summary(&mut out, &outcome.summary, word, outcome.started.elapsed())?;
        if common.statistics {
            printer::statistics(&mut out, &outcome.rules)?;
        }
        out.flush()?;
    }
    Ok(())
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Clean {
            common,
            out,
            no_fsync,
        } => {
            let rules = load_rules(&common.rules, common.verbose)?;
            let stdin = is_stdin(&common)?;
            if stdin && out.is_some() {
                bail!("--out cannot be used with `-` (standard input goes to standard output)");
            }
            let mode = match out {
                Some(out) => Mode::Mirror { out },
                None if stdin => Mode::Check,
                None => Mode::Write,
            };
            let mut opts = options(&common, mode, false);
            opts.fsync = !no_fsync;
            let outcome = process(&common, &rules, &opts, &mut |_| Ok(()))?;
            if let Some(text) = &outcome.stdin_output {
                let mut stdout = io::stdout().lock();
                stdout.write_all(text.as_bytes())?;
                stdout.flush()?;
            }
            finish(&common, &outcome, "changed", !stdin)?;
            Ok(if has_failures(&outcome.summary) { 2 } else { 0 })
        }
        Command::Check { common, format } => {
            let rules = load_rules(&common.rules, common.verbose)?;
            let html = format == Format::Html;
            let opts = options(&common, Mode::Check, html);
            let set = &rules.set;
            let mut stdout = io::BufWriter::new(io::stdout().lock());
            let mut json = printer::JsonStream::new()?;
            let mut sarif = match format {
                Format::Sarif => Some(printer::SarifStream::begin(set)?),
                _ => None,
            };
            // The HTML report holds every file's texts; only it keeps reports.
            let mut kept = Vec::new();
            let outcome = process(&common, &rules, &opts, &mut |r| match format {
                Format::Text if !common.quiet => printer::check_text(&mut stdout, &r),
                Format::Text => Ok(()),
                Format::Json => json.file(&mut stdout, &r),
                Format::Github => printer::check_github(&mut stdout, &r),
                Format::Sarif => sarif.as_mut().map_or(Ok(()), |s| s.file(&r, set)),
                Format::Html => {
                    kept.push(r);
                    Ok(())
                }
            })?;
            match format {
                Format::Json => json.end(&mut stdout, &outcome.summary)?,
                Format::Sarif => {
                    if let Some(s) = sarif {
                        s.end(&mut stdout, set)?;
                    }
                }
                Format::Html => html_report::write(&mut stdout, &kept, &outcome.summary)?,
                _ => {}
            }
            stdout.flush()?;
            drop(stdout);
            finish(&common, &outcome, "would change", format == Format::Text)?;
            let s = &outcome.summary;
            Ok(if has_failures(s) {
                2
            } else if s.changed > 0 {
                1
            } else {
                0
            })
        }
        Command::Diff {
            common,
            stat,
            exit_code,
            color,
            html,
        } => {
            let rules = load_rules(&common.rules, common.verbose)?;
            let use_color = match color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                        && std::io::IsTerminal::is_terminal(&io::stdout())
                }
            };
            // Colour is decided here; write raw bytes past anstream's filter.
            let mut raw = io::BufWriter::new(io::stdout().lock());
            // The HTML report holds every file's texts; only it keeps reports.
            let mut kept = Vec::new();
            let opts = options(&common, Mode::Check, true);
            let outcome = process(&common, &rules, &opts, &mut |r| {
                if html.is_some() {
                    kept.push(r);
                    Ok(())
                } else if stat {
                    printer::diff_stat(&mut raw, &r)
                } else {
                    printer::diff(&mut raw, &r, use_color)
                }
            })?;
            if let Some(path) = html {
                html_report::write_to(&path, &kept, &outcome.summary)?;
            }
            raw.flush()?;
            drop(raw);
            finish(&common, &outcome, "would change", false)?;
            let s = &outcome.summary;
            Ok(if has_failures(s) {
                2
            } else if exit_code && s.changed > 0 {
                1
            } else {
                0
            })
        }
        Command::Rules {
            rules,
            explain,
            presets,
            test,
        } => {
            let set = load_rules(&rules, false)?.set;
            let stdout = &mut io::stdout().lock();
            if test {
                return Ok(rules_cmd::test(stdout, &set)?);
            }
            if let Some(id) = explain {
                let Some((rule, on)) = set.find_rule(&id) else {
                    bail!("no rule `{id}` in {}", set.extra.file);
                };
                rules_cmd::explain(stdout, &set, rule, on)?;
                return Ok(0);
            }
            if presets {
                rules_cmd::presets(stdout, &set)?;
                return Ok(0);
            }
            rules_cmd::list(stdout, &set)?;
            Ok(0)
        }
        Command::Completions { shell } => {
            let shell = match shell {
                cli::Shell::Bash => clap_complete::Shell::Bash,
                cli::Shell::Zsh => clap_complete::Shell::Zsh,
                cli::Shell::Fish => clap_complete::Shell::Fish,
            };
            clap_complete::generate(shell, &mut Cli::command(), "mdscrub", &mut io::stdout());
            Ok(0)
        }
    }
}
