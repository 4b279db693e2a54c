//! Command-line flags (clap derive only). `main.rs` turns them into settings.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// Clean files in place (or into a mirror folder with --out).
    Clean {
        #[command(flatten)]
        common: Common,
        /// Write cleaned copies under DIR instead of changing the inputs.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Change nothing; list files that would change. Exit 1 when any would.
    Check {
        #[command(flatten)]
        common: Common,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Change nothing; print a unified diff of what `clean` would write.
    Diff {
        #[command(flatten)]
        common: Common,
        /// Print a per-file summary instead of the diff.
        #[arg(long)]
        stat: bool,
        /// Exit 1 when there is a difference.
        #[arg(long)]
        exit_code: bool,
        /// When to colour the diff.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
        /// Write a self-contained HTML report to FILE (`-`: stdout) instead of the diff.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
    /// List the active rules.
    Rules {
        /// Rules file to use instead of the embedded defaults.
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
    },
}

/// Options every file command takes.
#[derive(Debug, Args)]
pub struct Common {
    /// Files or folders to process (folders: every *.md and *.markdown below).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Rules file to use instead of the embedded defaults.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Clean files even when the rules would remove more than `max-removed`.
    #[arg(long)]
    pub force: bool,
    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 32 * 1024 * 1024)]
    pub max_file_size: u64,
    /// Number of threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Print only errors.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Github,
    /// A self-contained HTML page with every diff (as `diff --html`).
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
