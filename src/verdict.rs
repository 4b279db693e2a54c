//! What a command ended with, as far as the exit code cares.

use mdscrub::report::Summary;

/// `main` turns it into the exit code: 2 on a failure, else 1 when the
/// command found what it was asked to report, else 0.
#[derive(Debug, Clone, Copy, Default)]
pub struct Verdict {
    /// A file failed or was refused.
    pub failed: bool,
    /// Something the command reports as a finding: files that would change
    /// (`check`, `diff --exit-code`), rule examples that do not hold.
    pub found: bool,
    /// The run was stopped by a signal: the exit code it calls for (130
    /// for SIGINT, 143 for SIGTERM), which wins over the others.
    pub interrupted: Option<u8>,
}

impl Verdict {
    /// The verdict of a run over files; changed files are findings when
    /// `changes_found`.
    pub fn of(s: &Summary, changes_found: bool) -> Verdict {
        Verdict {
            failed: s.failed > 0 || s.refused > 0,
            found: changes_found && s.changed > 0,
            interrupted: None,
        }
    }
}
