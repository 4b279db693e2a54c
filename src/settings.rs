//! Flags and the rules file, resolved once into what a command runs with
//! ([`Job`]): the commands see [`Settings`], not clap's types. The only
//! place that reads the flags every file command shares ([`Common`]).

use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use mdscrub::cache;
use mdscrub::config::RuleSet;
use mdscrub::engine::{Mode, RunOptions};
use mdscrub::learn::{LearnOptions, Learned};
use mdscrub::walk::{Globs, Shard, WalkOptions};

use crate::cli::{ApplyTier, Cli, ColorChoice, Command, Common, Format, RulesArgs, Shell};
use crate::learning;

/// A command with everything it needs, resolved.
pub enum Job {
    Clean(Settings),
    Check(Settings, Format),
    Diff(Settings, DiffOutput),
    Rules(RuleSet, RulesView),
    /// Print the JSON schema of rules files.
    Schema,
    Learn(Settings, LearnOutput),
    Completions(Shell),
}

/// Where `learn` puts what it learned.
pub struct LearnOutput {
    /// The learned file to write (and update, when it exists).
    pub file: PathBuf,
    /// Print the learned file instead of writing it.
    pub print: bool,
    pub opts: LearnOptions,
}

/// What `mdscrub rules` shows.
pub enum RulesView {
    List,
    Presets,
    Explain(String),
    Test,
}

/// What `diff` prints.
pub struct DiffOutput {
    /// A line per file instead of the diff.
    pub stat: bool,
    /// Files that would change make exit code 1.
    pub exit_code: bool,
    /// Colour the diff.
    pub color: bool,
    /// Write the HTML report here (`-`: standard output) instead of the diff.
    pub html: Option<PathBuf>,
}

/// The settings of a command that runs over files (or standard input).
pub struct Settings {
    /// The active rules, narrowed by `--select` / `--ignore`, with the
    /// learned rules when there is learned boilerplate.
    pub rules: RuleSet,
    /// The learned file in use, if any.
    pub learned_file: Option<PathBuf>,
    /// The rules file in use (absolute), if any.
    pub rules_file: Option<PathBuf>,
    /// Where the files come from.
    pub input: Input,
    /// Paths left out: `--exclude`, and the rules file's `exclude` (which also
    /// matches paths below the rules file's folder).
    pub exclude: Globs,
    /// Excludes apply to paths named on the command line too.
    pub force_exclude: bool,
    /// What the engine does with each file.
    pub run: RunOptions,
    /// The folder of the cache of clean contents; `None` for no cache.
    pub cache_dir: Option<PathBuf>,
    /// 0: everything; 1 (`-q`): no summary; 2 (`-qq`): only the command's
    /// output and errors that stop the run.
    pub quiet: u8,
    pub verbose: bool,
    pub statistics: bool,
    /// Files that would change do not make the exit code 1.
    pub exit_zero: bool,
}

/// Where a command's files come from.
pub enum Input {
    /// Standard input, named so in reports and for excludes.
    Stdin { name: PathBuf },
    /// Files and folders to walk.
    Paths {
        paths: Vec<PathBuf>,
        /// Files taken from folders beyond `*.md` and `*.markdown`.
        include: Globs,
        shard: Option<Shard>,
        /// Leave out what ignore files ignore.
        ignore_files: bool,
        /// Threads; `None`: one per core.
        jobs: Option<usize>,
    },
}

impl Input {
    pub fn is_stdin(&self) -> bool {
        matches!(self, Input::Stdin { .. })
    }
}

impl Settings {
    /// How the paths are walked; `None` for standard input.
    pub fn walk_options(&self) -> Option<WalkOptions> {
        match &self.input {
            Input::Stdin { .. } => None,
            Input::Paths {
                include,
                shard,
                ignore_files,
                ..
            } => Some(WalkOptions {
                exclude: self.exclude.clone(),
                include: include.clone(),
                force_exclude: self.force_exclude,
                shard: *shard,
                ignore_files: *ignore_files,
            }),
        }
    }
}

/// Resolves the command line into a [`Job`].
pub fn resolve(cli: Cli) -> anyhow::Result<Job> {
    Ok(match cli.command {
        Command::Clean {
            common,
            out,
            no_fsync,
        } => Job::Clean(Settings::resolve(
            &common,
            Task::Clean {
                out,
                fsync: !no_fsync,
            },
        )?),
        // `check --fix` is `clean`; `check --diff` is `diff --exit-code`.
        Command::Check {
            common, fix: true, ..
        } => Job::Clean(Settings::resolve(
            &common,
            Task::Clean {
                out: None,
                fsync: true,
            },
        )?),
        Command::Check {
            common, diff: true, ..
        } => Job::Diff(
            Settings::resolve(&common, Task::Check { keep_text: true })?,
            DiffOutput {
                stat: false,
                exit_code: true,
                color: color(ColorChoice::Auto),
                html: None,
            },
        ),
        Command::Check { common, format, .. } => {
            let keep_text = format == Format::Html;
            let mut settings = Settings::resolve(&common, Task::Check { keep_text })?;
            settings.run.fixes = matches!(format, Format::Json | Format::Sarif);
            Job::Check(settings, format)
        }
        Command::Diff {
            common,
            stat,
            exit_code,
            color: choice,
            html,
        } => {
            if let Some(path) = &html {
                check_writable(path, "the HTML report")?;
            }
            let settings = Settings::resolve(&common, Task::Check { keep_text: true })?;
            Job::Diff(
                settings,
                DiffOutput {
                    stat,
                    exit_code,
                    color: color(choice),
                    html,
                },
            )
        }
        Command::Rules { schema: true, .. } => Job::Schema,
        Command::Rules {
            rules,
            explain,
            presets,
            test,
            schema: false,
        } => {
            let (set, _) = load_rules(&rules, false)?;
            let view = if test {
                RulesView::Test
            } else if let Some(id) = explain {
                RulesView::Explain(id)
            } else if presets {
                RulesView::Presets
            } else {
                RulesView::List
            };
            Job::Rules(set, view)
        }
        Command::Learn {
            common,
            output,
            print,
            min_files,
        } => {
            if common.paths.iter().any(|p| p == Path::new("-")) {
                bail!("learn reads files, not standard input");
            }
            if let Some(file) = output.as_deref().filter(|_| !print) {
                check_writable(file, "the learned file")?;
            }
            let settings = Settings::resolve(&common, Task::Check { keep_text: false })?;
            let given = output.is_some();
            let file = output
                .or_else(|| settings.learned_file.clone())
                .unwrap_or_else(|| default_learned_file(settings.rules_file.as_deref()));
            if !print && !given {
                check_writable(&file, "the learned file")?;
            }
            Job::Learn(
                settings,
                LearnOutput {
                    file,
                    print,
                    opts: LearnOptions {
                        min_files: min_files.max(2),
                    },
                },
            )
        }
        Command::Completions { shell } => Job::Completions(shell),
    })
}

/// Whether a diff goes to standard output coloured.
fn color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && io::IsTerminal::is_terminal(&io::stdout())
        }
    }
}

/// Fails unless a file can be written at `path` (`-`: standard output), so
/// that a bad output path stops a run before it starts rather than after.
/// An existing file is opened without being changed; a new one is created
/// and removed again.
fn check_writable(path: &Path, what: &str) -> anyhow::Result<()> {
    if path == Path::new("-") {
        return Ok(());
    }
    let cannot = |verb: &str| format!("cannot {verb} {what} {}", path.display());
    if path.is_dir() {
        bail!("{}: it is a folder", cannot("write"));
    }
    if path.exists() {
        std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .with_context(|| cannot("write"))?;
    } else {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .with_context(|| cannot("create"))?;
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

/// Name of the learned file found beside the rules file.
pub const LEARNED_NAME: &str = "mdscrub-learned.toml";

/// Where the learned file is looked for: beside the rules file, else in the
/// current folder.
fn default_learned_file(rules_file: Option<&Path>) -> PathBuf {
    match rules_file.and_then(Path::parent) {
        Some(dir) => dir.join(LEARNED_NAME),
        None => PathBuf::from(LEARNED_NAME),
    }
}

/// The learned file a command uses: `--learned FILE` (which must exist), or
/// the default one when it exists; and what it holds.
fn load_learned(
    explicit: Option<&Path>,
    rules_file: Option<&Path>,
) -> anyhow::Result<(Option<PathBuf>, Learned)> {
    let file = match explicit {
        Some(f) => f.to_path_buf(),
        None => {
            let f = default_learned_file(rules_file);
            if !f.is_file() {
                return Ok((None, Learned::default()));
            }
            f
        }
    };
    let learned = Learned::load(&file).map_err(anyhow::Error::msg)?;
    Ok((Some(file), learned))
}

/// What a file command does with the files, before it is known whether they
/// come from standard input.
enum Task {
    /// Write the cleaned files in place, or under `out`.
    Clean { out: Option<PathBuf>, fsync: bool },
    /// Change nothing; keep the old and new texts when `keep_text`.
    Check { keep_text: bool },
}

impl Settings {
    fn resolve(common: &Common, task: Task) -> anyhow::Result<Settings> {
        let (mut rules, file) = find_rules(&common.rules)?;
        if let Some(apply) = common.apply {
            rules.apply_review = apply == ApplyTier::Review;
        }
        let (learned_file, mut learned) = load_learned(common.learned.as_deref(), file.as_deref())?;
        let paths = if common.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            common.paths.clone()
        };
        let dash = paths.iter().any(|p| p == Path::new("-"));
        if dash && paths.len() > 1 {
            bail!("`-` (standard input) must be the only path");
        }
        let (mode, keep_text, fsync) = match task {
            Task::Clean { out: Some(_), .. } if dash => {
                bail!("--out cannot be used with `-` (standard input goes to standard output)")
            }
            Task::Clean {
                out: Some(out),
                fsync,
            } => (Mode::Mirror { out }, false, fsync),
            // Standard input is cleaned to standard output, not written back.
            Task::Clean { out: None, fsync } if dash => (Mode::Check, false, fsync),
            Task::Clean { out: None, fsync } => (Mode::Write, false, fsync),
            Task::Check { keep_text } => (Mode::Check, keep_text, true),
        };
        // The rules file's excludes also match paths below the file's folder.
        let base = file
            .as_deref()
            .and_then(Path::parent)
            .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
        let exclude = Globs::new(&common.exclude)
            .and_then(|g| g.with_base(&rules.extra.exclude, &base))
            .map_err(anyhow::Error::msg)?;
        let input = if dash {
            Input::Stdin {
                name: common
                    .stdin_filename
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("<stdin>")),
            }
        } else {
            Input::Paths {
                paths,
                include: Globs::new(&common.include).map_err(anyhow::Error::msg)?,
                shard: common.shard,
                ignore_files: !common.no_ignore,
                jobs: common.jobs,
            }
        };
        if common.learn {
            let Input::Paths {
                paths,
                include,
                ignore_files,
                ..
            } = &input
            else {
                bail!("--learn needs files to learn from, not standard input");
            };
            // On the run's threads: the pool is set before its first use.
            crate::process::set_threads(common.jobs)?;
            // Over every file of the run, whatever the shard: every runner
            // learns the same.
            let (run, _) = learning::learn_paths(
                paths,
                &WalkOptions {
                    exclude: exclude.clone(),
                    include: include.clone(),
                    force_exclude: common.force_exclude,
                    shard: None,
                    ignore_files: *ignore_files,
                },
                common.max_file_size,
                common.encoding,
                LearnOptions::default(),
            );
            learned = learned.joined_with(run);
        }
        if !learned.is_empty() {
            rules.add_learned(&learned);
        }
        let rules = narrow(rules, &common.rules, file.as_deref(), common.verbose)?;
        if !learned.is_empty() && common.verbose {
            let from = learned_file
                .as_deref()
                .map_or_else(|| "this run".to_string(), |f| f.display().to_string());
            eprintln!(
                "learned: {} lines and {} images from {from}",
                learned.text.len(),
                learned.image.len()
            );
        }
        let cache_dir = if common.no_cache {
            None
        } else {
            common.cache_dir.clone().or_else(cache::default_dir)
        };
        Ok(Settings {
            rules,
            learned_file,
            rules_file: file,
            input,
            exclude,
            force_exclude: common.force_exclude,
            run: RunOptions {
                mode,
                force: common.force,
                max_file_size: common.max_file_size,
                keep_text,
                fixes: false,
                encoding: common.encoding,
                fsync,
                cache: None,
                before_write: None,
                cancel: None,
            },
            cache_dir,
            quiet: common.quiet,
            verbose: common.verbose,
            statistics: common.statistics,
            exit_zero: common.exit_zero,
        })
    }
}

/// Loads the rules a command asked for (file, discovery or defaults) and
/// narrows them with `--select` / `--ignore`; with the file they came from
/// (absolute), if any.
fn load_rules(args: &RulesArgs, verbose: bool) -> anyhow::Result<(RuleSet, Option<PathBuf>)> {
    let (set, file) = find_rules(args)?;
    let set = narrow(set, args, file.as_deref(), verbose)?;
    Ok((set, file))
}

/// The rules a command asked for (file, discovery or defaults), with the file
/// they came from (absolute), if any.
fn find_rules(args: &RulesArgs) -> anyhow::Result<(RuleSet, Option<PathBuf>)> {
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let (set, file) = RuleSet::find_and_load(args.rules.as_deref(), &cwd)?;
    Ok((set, file.map(|f| cwd.join(f))))
}

/// `set` narrowed with `--select` / `--ignore`; with `verbose`, says which
/// rules are used.
fn narrow(
    set: RuleSet,
    args: &RulesArgs,
    file: Option<&Path>,
    verbose: bool,
) -> anyhow::Result<RuleSet> {
    let set = set
        .narrow(&args.select, &args.ignore)
        .map_err(anyhow::Error::msg)?;
    if verbose {
        let from = match file {
            Some(f) => f.display().to_string(),
            None => "the embedded default rules".to_string(),
        };
        eprintln!(
            "rules: {from} ({} on, {} off)",
            set.rules.len(),
            set.extra.disabled.len()
        );
    }
    Ok(set)
}
