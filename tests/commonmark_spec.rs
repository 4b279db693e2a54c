//! Every example of the CommonMark spec (0.31.2) through the default clean:
//! the rendered HTML must not change, except where a rule exists to change
//! it (`[text]()`, an empty link, is unwrapped by `empty-link`).
//!
//! The spec text is third-party (CC-BY-SA-4.0) and not in the repository:
//! `scripts/fetch-commonmark-spec.sh` puts it in `target/commonmark-spec/`
//! (or where `MDSCRUB_COMMONMARK_SPEC` says). Without it the test skips
//! with a note, except under CI (the `CI` variable set), where it fails.
//!
//! The HTML is rendered twice, with the options the rules parse with
//! (`document::parse_options`: the GFM extensions the cleaner reads) and
//! with plain CommonMark (what the spec defines, and what another reader of
//! the cleaned file may use); both must be unchanged. Raw HTML is rendered
//! as is, so that a change to it shows.

use std::fmt::Write as _;
use std::path::PathBuf;

use comrak::{Options, markdown_to_html};
use mdscrub::{RuleSet, clean_text};

mod common;

/// The rule whose edits may change an example's HTML.
const EMPTY_LINK: &str = "empty-link";

struct Example {
    number: usize,
    section: String,
    markdown: String,
}

fn spec_path() -> PathBuf {
    match std::env::var_os("MDSCRUB_COMMONMARK_SPEC") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/commonmark-spec/spec.txt"),
    }
}

/// The examples of `spec.txt`: between a fence of 32 backticks plus
/// ` example` and a fence of 32 backticks; the Markdown ends at a line
/// holding only `.`; `→` stands for a tab.
fn parse_spec(text: &str) -> Vec<Example> {
    let fence = "`".repeat(32);
    let open = format!("{fence} example");
    let mut examples = Vec::new();
    let mut section = String::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line == open {
            let mut markdown = String::new();
            for l in lines.by_ref() {
                if l == "." {
                    break;
                }
                markdown.push_str(l);
                markdown.push('\n');
            }
            for l in lines.by_ref() {
                if l == fence {
                    break;
                }
            }
            examples.push(Example {
                number: examples.len() + 1,
                section: section.clone(),
                markdown: markdown.replace('→', "\t"),
            });
        } else if let Some(title) = line.strip_prefix('#') {
            // Headings of the spec's own prose (examples are fenced above).
            section = title.trim_start_matches('#').trim().to_string();
        }
    }
    examples
}

fn option_sets() -> [(&'static str, Options<'static>); 2] {
    let mut project = mdscrub::document::parse_options();
    project.render.r#unsafe = true;
    let mut plain = Options::default();
    plain.render.r#unsafe = true;
    [("parse options", project), ("plain CommonMark", plain)]
}

/// The names of the option sets under which `a` and `b` render differently.
fn html_differs(a: &str, b: &str) -> Vec<&'static str> {
    option_sets()
        .into_iter()
        .filter(|(_, o)| markdown_to_html(a, o) != markdown_to_html(b, o))
        .map(|(name, _)| name)
        .collect()
}

/// A `]()`-shaped empty link: what `empty-link` is for.
fn has_empty_link(markdown: &str) -> bool {
    markdown.contains("]()")
}

/// The default rules, less `rules`.
fn without(rules: &[&str]) -> RuleSet {
    let ignore: Vec<String> = rules.iter().map(|r| r.to_string()).collect();
    RuleSet::default_rules()
        .narrow(&[], &ignore)
        .expect("the rules named are default rules")
}

/// Cleans `markdown` (forced, so the removal guard hides nothing) and tells
/// whether the HTML changed, and which rules made edits.
fn check(example: &Example, rules: &RuleSet) -> Result<(), String> {
    let cleaned = clean_text(&example.markdown, rules, true)
        .map_err(|e| format!("example {} ({}): {e}", example.number, example.section))?;
    let differs = html_differs(&example.markdown, &cleaned.output);
    if differs.is_empty() {
        return Ok(());
    }
    let mut hit: Vec<&str> = cleaned.hits.iter().map(|h| &*h.rule).collect();
    hit.sort_unstable();
    hit.dedup();
    Err(format!(
        "example {} ({}): HTML changed ({}) by {}\n  input:  {:?}\n  output: {:?}",
        example.number,
        example.section,
        differs.join(", "),
        hit.join(", "),
        example.markdown,
        cleaned.output
    ))
}

#[test]
fn the_default_clean_keeps_every_spec_example_rendering_the_same() {
    let path = spec_path();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            let what = format!(
                "the CommonMark spec text {} ({e}; run scripts/fetch-commonmark-spec.sh)",
                path.display()
            );
            common::require_or_skip(&what, false);
            return;
        }
    };
    let examples = parse_spec(&text);
    assert_eq!(examples.len(), 652, "spec 0.31.2 has 652 examples");

    let defaults = without(&[]);
    let no_empty_link = without(&[EMPTY_LINK]);
    let mut failures = String::new();
    let mut changed_by_default = Vec::new();
    for example in &examples {
        // Without `empty-link`, nothing may change what an example renders.
        if let Err(e) = check(example, &no_empty_link) {
            writeln!(failures, "{e}").unwrap();
        }
        if check(example, &defaults).is_err() {
            changed_by_default.push(example.number);
        }
    }
    // With it, exactly the examples holding an empty link change.
    let with_empty_link: Vec<usize> = examples
        .iter()
        .filter(|e| has_empty_link(&e.markdown))
        .map(|e| e.number)
        .collect();
    for n in &changed_by_default {
        if !with_empty_link.contains(n) && !failures.contains(&format!("example {n} (")) {
            let e = check(&examples[n - 1], &defaults).unwrap_err();
            writeln!(failures, "{e}").unwrap();
        }
    }
    assert!(failures.is_empty(), "spec examples changed:\n{failures}");
    assert_eq!(
        changed_by_default, with_empty_link,
        "the examples the default clean changes should be those with an empty link `]()`"
    );
}
