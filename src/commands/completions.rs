//! `mdscrub completions`: a shell completion script on standard output.

use clap::CommandFactory;

use crate::cli::{Cli, Shell};
use crate::verdict::Verdict;

pub fn run(shell: Shell) -> Verdict {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(
        shell,
        &mut Cli::command(),
        "mdscrub",
        &mut crate::output::pipe::stdout(),
    );
    Verdict::default()
}
