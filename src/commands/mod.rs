//! One module per command: each takes its resolved settings, prints what the
//! command is for, and returns a [`crate::verdict::Verdict`].

pub mod check;
pub mod clean;
pub mod completions;
pub mod diff;
pub mod learn;
pub mod rules;
