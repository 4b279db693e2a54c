//! mdscrub: clean exported Markdown articles with lossless, rule-driven edits.
//!
//! The library is silent: it returns reports and never prints. The pieces, in
//! the order a file meets them: [`walk`] finds files, [`fsio`] reads them,
//! [`document`] parses a text, [`rules`] turn it into [`edit`]s, [`engine`]
//! loops until the text settles and writes it back, [`report`] holds outcomes.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod cache;
pub mod config;
pub mod content;
pub mod diff;
pub mod document;
pub mod edit;
pub mod engine;
pub(crate) mod fragments;
pub mod fresh;
pub mod fsio;
pub mod learn;
pub mod prefilter;
pub mod report;
pub mod rules;
pub mod suggest;
pub mod suppress;
pub mod targets;
pub mod url_text;
pub mod walk;

pub use config::{ConfigError, RuleSet};
pub use engine::{CleanError, Cleaned, clean_text};
