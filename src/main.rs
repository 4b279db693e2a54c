//! The `mdscrub` binary: parse flags, resolve them into settings, run, print,
//! and map the outcome to an exit code (0 clean, 1 would change, 2 failure).

mod cli;
mod html_report;
mod printer;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, ColorChoice, Command, Common, Format};
use mdscrub::config::{RuleSet, RulesSource};
use mdscrub::engine::{self, Mode, RunOptions};
use mdscrub::report::{FileReport, Summary};
use mdscrub::walk;

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

fn load_rules(path: Option<&std::path::Path>) -> anyhow::Result<RuleSet> {
    let source = match path {
        Some(p) => RulesSource::File(p.to_path_buf()),
        None => RulesSource::Default,
    };
    Ok(source.load()?)
}

/// Walks, processes and returns the reports (walk failures included).
fn process(common: &Common, rules: &RuleSet, opts: &RunOptions) -> anyhow::Result<Vec<FileReport>> {
    if let Some(n) = common.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()?;
    }
    let (targets, mut failures) = walk::targets(&common.paths);
    let mut reports = engine::run(&targets, rules, opts);
    reports.append(&mut failures);
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(reports)
}

fn has_failures(s: &Summary) -> bool {
    s.failed > 0 || s.refused > 0
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    let stdout = &mut anstream::stdout().lock();
    let stderr = &mut anstream::stderr().lock();
    match cli.command {
        Command::Clean { common, out } => {
            let rules = load_rules(common.rules.as_deref())?;
            let opts = RunOptions {
                mode: match out {
                    Some(out) => Mode::Mirror { out },
                    None => Mode::Write,
                },
                force: common.force,
                max_file_size: common.max_file_size,
                keep_text: false,
            };
            let reports = process(&common, &rules, &opts)?;
            let s = Summary::of(&reports);
            printer::problems(stderr, &reports)?;
            if !common.quiet {
                printer::summary(stdout, &s, "changed")?;
            }
            Ok(if has_failures(&s) { 2 } else { 0 })
        }
        Command::Check { common, format } => {
            let rules = load_rules(common.rules.as_deref())?;
            let opts = RunOptions {
                mode: Mode::Check,
                force: common.force,
                max_file_size: common.max_file_size,
                keep_text: format == Format::Html,
            };
            let reports = process(&common, &rules, &opts)?;
            let s = Summary::of(&reports);
            match format {
                Format::Html => {
                    html_report::write(&mut io::BufWriter::new(io::stdout().lock()), &reports, &s)?
                }
                Format::Text => {
                    if !common.quiet {
                        printer::check_text(stdout, &reports)?;
                    }
                    printer::problems(stderr, &reports)?;
                    if !common.quiet {
                        printer::summary(stdout, &s, "would change")?;
                    }
                }
                Format::Json => printer::check_json(stdout, &reports, &s)?,
                Format::Github => printer::check_github(stdout, &reports)?,
            }
            Ok(if has_failures(&s) {
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
            let rules = load_rules(common.rules.as_deref())?;
            let opts = RunOptions {
                mode: Mode::Check,
                force: common.force,
                max_file_size: common.max_file_size,
                keep_text: true,
            };
            let reports = process(&common, &rules, &opts)?;
            let s = Summary::of(&reports);
            let use_color = match color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                        && is_terminal::stdout()
                }
            };
            // Colour is decided here; write raw bytes past anstream's filter.
            let mut raw = io::stdout().lock();
            if let Some(path) = html {
                html_report::write_to(&path, &reports, &s)?;
            } else if stat {
                printer::diff_stat(&mut raw, &reports)?;
            } else {
                printer::diff(&mut raw, &reports, use_color)?;
            }
            raw.flush()?;
            printer::problems(stderr, &reports)?;
            if !common.quiet {
                printer::summary(stderr, &s, "would change")?;
            }
            Ok(if has_failures(&s) {
                2
            } else if exit_code && s.changed > 0 {
                1
            } else {
                0
            })
        }
        Command::Rules { rules } => {
            let set = load_rules(rules.as_deref())?;
            for r in &set.rules {
                writeln!(stdout, "{:<28} {:<20} {}", r.id, r.kind, r.description)?;
            }
            Ok(0)
        }
    }
}

mod is_terminal {
    use std::io::IsTerminal;

    pub fn stdout() -> bool {
        std::io::stdout().is_terminal()
    }
}
