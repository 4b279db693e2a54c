//! Printers: turn reports into text for people, CI annotations, JSON, SARIF,
//! patches or an HTML page. Each takes a `Write`, so tests capture output in
//! a buffer; none decides where output goes or what the exit code is.

pub mod github;
pub mod html;
pub mod json;
pub mod learned;
pub mod patch;
pub mod pipe;
pub mod sarif;
pub mod text;
