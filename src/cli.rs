//! Command-line flags (clap derive only). `settings.rs` turns them into settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use mdscrub::walk::Shard;

#[derive(Debug, Parser)]
#[command(
    name = "mdscrub",
    version,
    about = "Clean exported Markdown articles: tracking parameters, calls to action, recommended-article tails, glued images.",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Clean files in place (or into a mirror folder with --out). With `-`,
    /// clean standard input to standard output.
    Clean {
        #[command(flatten)]
        common: Common,
        /// Write cleaned copies under DIR instead of changing the inputs.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Do not sync written files and folders to disk: faster, and a
        /// killed run still leaves each file old or new, but a system crash
        /// may lose writes. For throwaway copies.
        #[arg(long)]
        no_fsync: bool,
    },
    /// Change nothing; list files that would change. Exit 1 when any would,
    /// 2 when a file or the rules failed.
    Check {
        #[command(flatten)]
        common: Common,
        /// Output format.
        #[arg(long, visible_alias = "output-format", value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Clean the files instead (as `mdscrub clean`).
        #[arg(long, conflicts_with_all = ["diff", "format"])]
        fix: bool,
        /// Print the diff instead (as `mdscrub diff --exit-code`).
        #[arg(long, conflicts_with = "format")]
        diff: bool,
    },
    /// Change nothing; print a unified diff of what `clean` would write.
    Diff {
        #[command(flatten)]
        common: Common,
        /// Print a per-file summary instead of the diff.
        #[arg(long, conflicts_with = "html")]
        stat: bool,
        /// Exit 1 when there is a difference.
        #[arg(long, conflicts_with = "exit_zero")]
        exit_code: bool,
        /// When to colour the diff (auto: on a terminal, unless NO_COLOR is set).
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Write a self-contained HTML report to FILE (`-`: stdout) instead of the diff.
        #[arg(long, value_name = "FILE", conflicts_with = "color")]
        html: Option<PathBuf>,
    },
    /// List the active rules or the presets, explain one rule, test the
    /// rules' examples, or print the schema of rules files.
    Rules {
        #[command(flatten)]
        rules: RulesArgs,
        /// Show one rule's settings and examples.
        #[arg(long, value_name = "ID", conflicts_with_all = ["test", "presets"])]
        explain: Option<String>,
        /// List the presets: which run, which are opt-in, their rules and
        /// gates.
        #[arg(long, conflicts_with = "test")]
        presets: bool,
        /// Run every example of the active rules; exit 1 on any mismatch.
        #[arg(long)]
        test: bool,
        /// Print the JSON schema of rules files (for editors; the
        /// repository's mdscrub.schema.json) and read no rules file.
        #[arg(long, conflicts_with_all = ["explain", "presets", "test", "select", "ignore", "rules"])]
        schema: bool,
    },
    /// Learn the boilerplate that recurs across the files (an account's
    /// footer, banner, dividers) and write it as a learned file that
    /// `clean`, `check` and `diff` use.
    Learn {
        #[command(flatten)]
        common: Common,
        /// Write the learned file here (default: the learned file in use,
        /// else mdscrub-learned.toml beside the rules file or in the current
        /// folder). An existing file is updated: entries a person marked
        /// `keep = true` or added by hand stay.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        /// Print the learned file to standard output instead of writing it.
        #[arg(long)]
        print: bool,
        /// Fewest distinct articles a line or image must recur in.
        #[arg(long, value_name = "N", default_value_t = 3)]
        min_files: u32,
    },
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// Which fixes a run applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApplyTier {
    Safe,
    Review,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

/// Which rules a command uses.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Rules file (default: the first mdscrub.toml or .mdscrub.toml in the
    /// current folder or above, else the embedded defaults).
    #[arg(long = "config", visible_alias = "rules", value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Run only these rules (comma-separated ids).
    #[arg(long, value_name = "ID,...", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not run these rules (comma-separated ids).
    #[arg(long, value_name = "ID,...", value_delimiter = ',')]
    pub ignore: Vec<String>,
}

/// Options every file command takes.
#[derive(Debug, Args)]
pub struct Common {
    /// Files or folders to process (folders: every *.md and *.markdown
    /// below, less what ignore files ignore); `-` alone reads standard
    /// input. Default: the current folder.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Walk into what `.gitignore`, `.ignore` and `.mdscrubignore` files
    /// ignore too.
    #[arg(long)]
    pub no_ignore: bool,
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Leave out paths matching GLOB (repeatable; adds to `exclude` of the
    /// rules file).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Also take files matching GLOB from folders (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Apply excludes to files named on the command line (and to
    /// --stdin-filename) too.
    #[arg(long)]
    pub force_exclude: bool,
    /// Name of standard input in reports and for excludes.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Process only the files whose path hashes to shard K of N (1 ≤ K ≤ N).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Learned boilerplate to remove (default: mdscrub-learned.toml beside
    /// the rules file, or in the current folder when there is none).
    #[arg(long, value_name = "FILE")]
    pub learned: Option<PathBuf>,
    /// Learn the boilerplate of the files of this run first (in memory, on
    /// top of a learned file in use), then clean with it.
    #[arg(long)]
    pub learn: bool,
    /// Which fixes to apply: `safe` (the default), or `review` to apply the
    /// guesses too (a zone classifier's doubtful hits, unchecked URL
    /// rewrites). Review-tier edits not applied are still reported, marked.
    #[arg(long, value_enum, value_name = "TIER")]
    pub apply: Option<ApplyTier>,
    /// Clean files even when the rules would remove more than `max-removed`.
    #[arg(long)]
    pub force: bool,
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 32 * 1024 * 1024)]
    pub max_file_size: u64,
    /// Encoding of files that are not UTF-8 (gb18030 or utf-16): decode them,
    /// clean them and write them back in it. UTF-8 files stay UTF-8.
    #[arg(long, value_name = "ENCODING", default_value = "utf-8")]
    pub encoding: mdscrub::fsio::Encoding,
    /// Number of threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Leave out the summary (the report, errors and asked-for statistics
    /// stay); twice (`-qq`): print nothing but the command's output (a diff,
    /// a machine format, the cleaned text of `-`) and errors that stop the
    /// run.
    #[arg(short, long, action = clap::ArgAction::Count, conflicts_with = "verbose")]
    pub quiet: u8,
    /// Exit 0 even when files would change (a failure still exits 2).
    #[arg(long)]
    pub exit_zero: bool,
    /// Also say which rules file is used and what happened to every file.
    #[arg(short, long)]
    pub verbose: bool,
    /// After the summary, a table of hits per rule, most frequent first.
    #[arg(long)]
    pub statistics: bool,
    /// Process every file, even one whose content an earlier run with the
    /// same rules found clean.
    #[arg(long)]
    pub no_cache: bool,
    /// Keep the cache of clean contents here (default: MDSCRUB_CACHE_DIR,
    /// else the user's cache folder).
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Github,
    Sarif,
    /// A self-contained HTML page with every diff (as `diff --html`).
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
