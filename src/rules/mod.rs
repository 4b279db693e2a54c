//! Rule kinds: the vocabulary of cleaning steps. Each kind lives in its own
//! file and is listed once in [`KINDS`]; rule instances come from TOML.

use std::ops::Range;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::DeserializeOwned;

use crate::document::Document;
use crate::edit::{Edit, EditSink, Reach};

mod classify_zones;
mod clear_alt;
mod clear_blank_lines;
pub(crate) mod clearurls;
mod cut_text;
mod decode_url_amp;
mod delete_chars;
mod drop_block;
pub(crate) use drop_block::html_text;
mod drop_empty_text_link;
mod drop_image;
mod drop_line;
mod drop_link_run;
mod drop_repeated_image;
mod drop_tail;
mod glob;
pub use glob::{Glob, GlobError, any_glob};
mod join_broken_url;
pub mod learned;
pub(crate) mod literals;
mod pattern;
pub(crate) mod raw;
pub(crate) use pattern::Pattern;
pub mod repair_emphasis;
mod repair_entity_query;
mod rewrite_url;
mod split_glued_images;
mod strip_query;
mod tidy;
mod trim_block_ends;
mod unwrap_empty_link;
mod unwrap_link;
mod unwrap_redirect;

/// What a rule knows besides the document.
#[derive(Debug, Default, Clone, Copy)]
pub struct Context<'a> {
    /// Byte ranges of this text that earlier passes of this run produced.
    /// Only [`tidy`] looks at them: it cleans up around earlier edits only.
    pub touched: &'a [Range<usize>],
    /// The first lines ([`HEAD_LINES`]) of the text as it was before this
    /// clean: what `if-matches` gates test (exporter fingerprints).
    pub head: &'a str,
    /// The first lines of the text this pass reads: a gate opens on them
    /// too, so that what a later clean of the output would find open (a
    /// fingerprint that removals above brought into the first lines), this
    /// clean finds open in its last pass. Empty in the first pass (the text
    /// is the input).
    pub head_now: &'a str,
    /// From the second pass on, the blocks the previous pass changed; `None`
    /// when every block is to be looked at (see [`Context::is_fresh`]).
    pub fresh: Option<&'a crate::fresh::Fresh>,
    /// For a rule that judges after the others ([`Rule::judges_others`]):
    /// the edits the other rules asked for in this pass that suppressions
    /// and the content model let through (review-tier ones included),
    /// before conflicts between them are settled. Empty for the other rules.
    pub asked: &'a [Edit],
    /// For a rule that judges after the others: the ids of the rules that
    /// remove only an exporter's or a page's chrome (`chrome = true`). What
    /// they delete (a placeholder caption between two images) says nothing
    /// of the article around it.
    pub chrome: &'a [&'a str],
    /// For a rule that judges after the others: the rules file's `protect`
    /// patterns (attribution lines), where a run of junk it reads ends.
    pub protect: Option<&'a crate::content::Protect>,
}

impl Context<'_> {
    /// False when `range` lies in a top-level block that the previous pass
    /// left as it was ([`crate::fresh`]). Only a rule whose edits in a block
    /// depend on that block alone may skip such a block: it found nothing
    /// to do there before.
    pub fn is_fresh(&self, range: &Range<usize>) -> bool {
        self.fresh.is_none_or(|f| f.holds(range))
    }
}

/// How many lines of a document, blank ones aside, an `if-matches` gate
/// looks at.
pub const HEAD_LINES: usize = 40;

/// The first [`HEAD_LINES`] lines of a text that are not blank, and the
/// blank ones among them: tidying blank lines away moves no line in or out.
pub fn head_of(text: &str) -> &str {
    let mut start = 0;
    let mut counted = 0;
    for nl in memchr::memchr_iter(b'\n', text.as_bytes()) {
        if !text[start..nl].trim().is_empty() {
            counted += 1;
            if counted == HEAD_LINES {
                return &text[..nl + 1];
            }
        }
        start = nl + 1;
    }
    text
}

/// One configured rule instance.
pub trait Rule: Send + Sync + std::fmt::Debug {
    /// Looks at `doc` and pushes the edits this rule wants.
    fn check(&self, doc: &Document, ctx: &Context, out: &mut EditSink);

    /// Literal strings one of which must occur in a text for this rule to have
    /// anything to do there; `None` when the rule cannot say. Lets the engine
    /// skip parsing files no rule can touch.
    fn needles(&self) -> Option<Vec<String>> {
        None
    }

    /// Needles of the rule's pattern over *visible* text (see
    /// [`literals`]): searched in a squeezed copy of the text, not the raw
    /// text. `None` when the rule has none.
    fn visible_needles(&self) -> Option<Vec<String>> {
        None
    }

    /// False when the rule is switched off for a document whose first lines
    /// ([`head_of`] the text before the clean) are `head` (`if-matches`).
    fn gate_open(&self, _head: &str) -> bool {
        true
    }

    /// A finer raw-text test, asked only when one of [`Rule::needles`] occurs
    /// in `text` (or the rule has none): false only when the rule certainly
    /// makes no edit in `text`. Must stay cheap (one scan at most) and
    /// conservative: when unsure, true.
    fn may_fire(&self, _text: &str) -> bool {
        true
    }

    /// True when [`Rule::may_fire`] is the default one (always true): the
    /// prefilter asks such rules before the ones whose test scans the text.
    fn may_fire_is_free(&self) -> bool {
        false
    }

    /// What this rule's edits may take out of a document; the content model
    /// ([`crate::content`]) checks every edit that is not markup only.
    fn reach(&self) -> Reach {
        Reach::Markup
    }

    /// True when this rule's edits only tidy and never enable another rule
    /// (so a pass where only such rules fired needs no re-check), and do not
    /// count as touched text for `tidy`.
    fn settles(&self) -> bool {
        false
    }

    /// True when this rule acts only next to other rules' edits (`tidy`): it
    /// has nothing to do in a text no other rule touches, so it does not
    /// stop the literal prefilter from skipping such a text.
    fn follows_others(&self) -> bool {
        false
    }

    /// True when this rule reads what the other rules of the same pass asked
    /// for ([`Context::asked`]): the engine runs it after them, then judges
    /// all the pass's edits together. The prefilter asks it as any other
    /// rule: what it may do in a text with no other rule's edit is up to
    /// its own needles and test.
    fn judges_others(&self) -> bool {
        false
    }
}

/// A rule kind: its name in TOML, how to build an instance from settings,
/// and the JSON schema of those settings.
pub struct RuleKind {
    pub name: &'static str,
    pub summary: &'static str,
    pub build: fn(toml::Table) -> Result<Box<dyn Rule>, BuildError>,
    /// The schema of the kind's own settings: the struct `build` reads
    /// (`schema_of::<kind::Settings>`). The config schema for editors
    /// ([`crate::config::schema`]) is made of these.
    pub schema: fn(&mut SchemaGenerator) -> Schema,
}

/// The schema of a kind's settings struct, inline (not a reference): the
/// config schema merges its keys with the keys every rule takes.
fn schema_of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    T::json_schema(generator)
}

/// Every rule kind mdscrub knows.
pub const KINDS: &[RuleKind] = &[
    RuleKind {
        name: "strip-query",
        summary: "remove tracking parameters (or keep only listed ones) from URLs on matching hosts",
        build: strip_query::build,
        schema: schema_of::<strip_query::Settings>,
    },
    RuleKind {
        name: "repair-entity-query",
        summary: "undo `&name;=` mangling of query strings inside URLs",
        build: repair_entity_query::build,
        schema: schema_of::<repair_entity_query::Settings>,
    },
    RuleKind {
        name: "drop-block",
        summary: "remove a short block (paragraph, heading, list item, HTML block) whose text matches",
        build: drop_block::build,
        schema: schema_of::<drop_block::Settings>,
    },
    RuleKind {
        name: "cut-text",
        summary: "remove the part of a paragraph line that a regex matches in its source (an exporter's banner before the attribution)",
        build: cut_text::build,
        schema: schema_of::<cut_text::Settings>,
    },
    RuleKind {
        name: "drop-line",
        summary: "remove one matching line of a multi-line paragraph",
        build: drop_line::build,
        schema: schema_of::<drop_line::Settings>,
    },
    RuleKind {
        name: "classify-zones",
        summary: "score the units of a document's head and tail by vocabulary families and shape, let neighbours decide the doubtful ones, and remove the junk (safe or review by score)",
        build: classify_zones::build,
        schema: schema_of::<classify_zones::Settings>,
    },
    RuleKind {
        name: "drop-tail",
        summary: "remove everything from a matching header block to the end of the document",
        build: drop_tail::build,
        schema: schema_of::<drop_tail::Settings>,
    },
    RuleKind {
        name: "drop-link-run",
        summary: "remove a run of blocks that are nothing but links to article pages (a gallery of the account's other articles), with its header, in the tail or under a header that names it",
        build: drop_link_run::build,
        schema: schema_of::<drop_link_run::Settings>,
    },
    RuleKind {
        name: "drop-image",
        summary: "remove images (and links wrapping only them) whose URL or alt text matches",
        build: drop_image::build,
        schema: schema_of::<drop_image::Settings>,
    },
    RuleKind {
        name: "drop-repeated-image",
        summary: "remove images a document shows `min-count` times or more (dividers, section icons)",
        build: drop_repeated_image::build,
        schema: schema_of::<drop_repeated_image::Settings>,
    },
    RuleKind {
        name: "split-glued-images",
        summary: "put an image glued into paragraph text on its own line",
        build: split_glued_images::build,
        schema: schema_of::<split_glued_images::Settings>,
    },
    RuleKind {
        name: "unwrap-empty-link",
        summary: "turn `[text]()` into `text`; remove `[]()` and `![]()`",
        build: unwrap_empty_link::build,
        schema: schema_of::<unwrap_empty_link::Settings>,
    },
    RuleKind {
        name: "join-broken-url",
        summary: "rejoin a link destination broken by a newline inside `(...)`",
        build: join_broken_url::build,
        schema: schema_of::<join_broken_url::Settings>,
    },
    RuleKind {
        name: "decode-url-amp",
        summary: "turn `&amp;` inside URLs into `&`",
        build: decode_url_amp::build,
        schema: schema_of::<decode_url_amp::Settings>,
    },
    RuleKind {
        name: "unwrap-redirect",
        summary: "replace a redirect wrapper URL (link.zhihu.com/?target=) by its decoded target",
        build: unwrap_redirect::build,
        schema: schema_of::<unwrap_redirect::Settings>,
    },
    RuleKind {
        name: "rewrite-url",
        summary: "regex replacement inside URLs on matching hosts",
        build: rewrite_url::build,
        schema: schema_of::<rewrite_url::Settings>,
    },
    RuleKind {
        name: "unwrap-link",
        summary: "turn a link whose URL matches (javascript:, search links) into its text",
        build: unwrap_link::build,
        schema: schema_of::<unwrap_link::Settings>,
    },
    RuleKind {
        name: "drop-empty-text-link",
        summary: "remove links with no text, `[](url)`, on matching hosts",
        build: drop_empty_text_link::build,
        schema: schema_of::<drop_empty_text_link::Settings>,
    },
    RuleKind {
        name: "clear-alt",
        summary: "empty placeholder alt text of images (图片, 在这里插入图片描述, image.png)",
        build: clear_alt::build,
        schema: schema_of::<clear_alt::Settings>,
    },
    RuleKind {
        name: "repair-emphasis",
        summary: "remove `**` pairs around nothing and emphasis around images only; keep asterisks that may be content",
        build: repair_emphasis::build,
        schema: schema_of::<repair_emphasis::Settings>,
    },
    RuleKind {
        name: "clear-blank-lines",
        summary: "empty lines that hold only spaces or tabs, outside code and HTML",
        build: clear_blank_lines::build,
        schema: schema_of::<clear_blank_lines::Settings>,
    },
    RuleKind {
        name: "trim-block-ends",
        summary: "remove the spaces and tabs ending a paragraph or heading (a hard break there breaks nothing)",
        build: trim_block_ends::build,
        schema: schema_of::<trim_block_ends::Settings>,
    },
    RuleKind {
        name: "delete-chars",
        summary: "remove listed characters (zero-width spaces) from text, never from code",
        build: delete_chars::build,
        schema: schema_of::<delete_chars::Settings>,
    },
    RuleKind {
        name: "tidy",
        summary: "collapse blank lines and whitespace-only lines left next to this run's edits",
        build: tidy::build,
        schema: schema_of::<tidy::Settings>,
    },
];

/// Looks a kind up by name.
pub fn kind(name: &str) -> Option<&'static RuleKind> {
    KINDS.iter().find(|k| k.name == name)
}

/// Why a rule could not be built from its settings.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BuildError {
    /// A setting is unknown, missing or of the wrong type.
    #[error("{0}")]
    Settings(String),
    /// A regex setting does not compile.
    #[error("`{key}` is not a valid regex: {source}")]
    Regex {
        key: String,
        #[source]
        source: regex::Error,
    },
    /// A glob setting is not one rules take.
    #[error("`{key}`: {source}")]
    Glob {
        key: String,
        #[source]
        source: GlobError,
    },
    /// Settings that are well-formed but do not make a rule.
    #[error("{0}")]
    Invalid(String),
}

impl From<&str> for BuildError {
    fn from(message: &str) -> BuildError {
        BuildError::Invalid(message.to_string())
    }
}

impl From<String> for BuildError {
    fn from(message: String) -> BuildError {
        BuildError::Invalid(message)
    }
}

/// Deserializes a rule's own settings, rejecting unknown keys.
pub(crate) fn settings<T: DeserializeOwned>(table: toml::Table) -> Result<T, BuildError> {
    toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| BuildError::Settings(e.message().trim().to_string()))
}

/// Compiles a regex setting, naming the setting on error.
pub(crate) fn regex(key: &str, pattern: &str) -> Result<Pattern, BuildError> {
    Pattern::new(pattern).map_err(|source| BuildError::Regex {
        key: key.to_string(),
        source,
    })
}

/// Compiles the globs of a setting, naming the setting on error.
pub(crate) fn globs<S: AsRef<str>>(
    key: &str,
    patterns: impl IntoIterator<Item = S>,
) -> Result<Vec<Glob>, BuildError> {
    patterns
        .into_iter()
        .map(|p| {
            Glob::new(p.as_ref()).map_err(|source| BuildError::Glob {
                key: key.to_string(),
                source,
            })
        })
        .collect()
}

/// Compiles host globs (lower-cased, as hosts are compared), naming the
/// setting on error.
pub(crate) fn host_globs(key: &str, hosts: &[String]) -> Result<Vec<Glob>, BuildError> {
    globs(key, hosts.iter().map(|h| h.to_ascii_lowercase()))
}

/// Default for `max-chars`.
pub(crate) fn default_max_chars() -> usize {
    60
}

/// Literal prefilter strings taken from a regex: the alternatives of a regex
/// that is a plain alternation of literals, or `None`.
pub(crate) fn regex_needles(pattern: &str) -> Option<Vec<String>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut ex = Extractor::new();
    ex.kind(ExtractKind::Prefix);
    let seq = ex.extract(&hir);
    let lits = seq.literals()?;
    if lits.is_empty() || lits.iter().any(|l| l.as_bytes().is_empty()) {
        return None;
    }
    lits.iter()
        .map(|l| String::from_utf8(l.as_bytes().to_vec()).ok())
        .collect()
}

pub(crate) use crate::url_text::{plain_host, scheme_end};

/// False when a full parse of a URL (after `&amp;` → `&`) would certainly
/// not give a host matching `hosts`: its plain host `plain`
/// ([`crate::url_text::url_plain_host`], [`Document::url_host`]) matches
/// none of them. Spares a `url::Url::parse` for every URL on other hosts.
pub(crate) fn host_may_match(plain: Option<&str>, hosts: &[Glob]) -> bool {
    plain.is_none_or(|host| any_glob(hosts, host))
}

/// For a rule's own tests: one pass of `rule` over `text`, its fixes
/// resolved and applied as the engine does, without the other rules.
#[cfg(test)]
pub(crate) fn apply_once(rule: &dyn Rule, text: &str, ctx: &Context) -> String {
    let doc = Document::parse(text);
    let id: std::sync::Arc<str> = std::sync::Arc::from("test");
    let mut edits = Vec::new();
    rule.check(&doc, ctx, &mut EditSink::new(&id, &mut edits));
    let edits = crate::edit::resolve(text, edits, &doc.protected);
    crate::edit::apply(text, &edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_prefilter_never_rejects_a_matching_url() {
        let globs = [
            Glob::new("link.zhihu.com").unwrap(),
            Glob::new("*.byteimg.com").unwrap(),
        ];
        let may_match =
            |u: &str| host_may_match(crate::url_text::url_plain_host(u).as_deref(), &globs);
        let urls = [
            "https://link.zhihu.com/?target=x",
            "https://LINK.ZHIHU.COM/?target=x",
            "https://u:p@link.zhihu.com:443/?target=x",
            "https://link.zhihu.com\\@evil.com/",
            "https://evil.com\\@link.zhihu.com/",
            "https://link%2ezhihu.com/?target=x",
            "https://link.zhi\thu.com/",
            " https://link.zhihu.com/",
            "https://p3-juejin.byteimg.com/a~tplv-x-watermark.image?",
            "https://e.com/x?y=link.zhihu.com",
            "http://a&amp;@link.zhihu.com/",
            "//link.zhihu.com/",
            "mailto:a@link.zhihu.com",
        ];
        for u in urls {
            let host = url::Url::parse(&u.replace("&amp;", "&"))
                .ok()
                .and_then(|p| p.host_str().map(str::to_ascii_lowercase));
            if host.is_some_and(|h| any_glob(&globs, &h)) {
                assert!(may_match(u), "{u:?}");
            }
        }
        assert!(!may_match("https://e.com/x?y=link.zhihu.com"));
        assert!(!may_match("https://mmbiz.qpic.cn/a"));
    }

    #[test]
    fn needles_from_alternations() {
        let re = regex::Regex::new("大家都在看|往期推荐").unwrap();
        let mut n = regex_needles(re.as_str()).unwrap();
        n.sort();
        assert_eq!(n, vec!["大家都在看", "往期推荐"]);
        assert!(regex_needles(".*x").is_none());
    }
}

/// A regex over a block's visible text, limited to short texts: the shared
/// test of the text-dropping kinds.
#[derive(Debug, Clone)]
pub(crate) struct ShortText {
    pub pattern: Pattern,
    pub max_chars: usize,
    /// A text this matches stays, though `pattern` matches it (a rule's
    /// `unless`).
    pub unless: Option<Pattern>,
}

impl ShortText {
    pub fn new(pattern: Pattern, max_chars: usize) -> ShortText {
        ShortText {
            pattern,
            max_chars,
            unless: None,
        }
    }

    /// `pattern` matches `text` and `unless` does not; no length test.
    pub fn matches(&self, text: &str) -> bool {
        self.pattern.is_match(text) && !self.unless.as_ref().is_some_and(|u| u.is_match(text))
    }

    /// [`ShortText::is_match`] of a text already trimmed and counted.
    pub fn is_match_measured(&self, m: crate::document::Measured) -> bool {
        !m.text.is_empty() && m.chars <= self.max_chars && self.matches(m.text)
    }

    /// True when the trimmed text is at most `max_chars` long and matches.
    pub fn is_match(&self, text: &str) -> bool {
        let t = text.trim();
        // A character is at most 4 bytes: long texts fail without a scan.
        !t.is_empty()
            && t.len() <= self.max_chars.saturating_mul(4)
            && (t.len() <= self.max_chars || t.chars().count() <= self.max_chars)
            && self.matches(t)
    }
}
