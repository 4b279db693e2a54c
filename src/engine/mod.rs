//! The engine: one text through all rules ([`clean_text`]: `passes.rs`), one
//! file through read, clean and write ([`process_file`]: `file.rs`), and many
//! files in parallel ([`run`]: `run.rs`, with the ordered scheduler of
//! `ordered.rs` and the symlink de-duplication of `links.rs`). Rules files'
//! examples run here too (`examples.rs`), above the config that holds them.

mod examples;
mod file;
mod links;
mod ordered;
mod passes;
mod run;

pub use crate::fsio::mirror_path;
pub use crate::report::CleanError;
pub use crate::targets::{Target, Targets};
pub use file::{Mode, RunOptions, process_file, unknown_suppressions};
#[cfg(test)]
pub(crate) use passes::map_back_end_walk;
pub use passes::{Cleaned, MAX_PASSES, clean_text};
pub use run::{RunEnd, run, run_each, run_with};
