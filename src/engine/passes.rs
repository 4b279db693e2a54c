//! One text through all rules: a loop of passes. Each pass parses, asks
//! every rule for edits, resolves conflicts and splices. An edit that lost a
//! conflict is asked for again in the next pass. The loop ends when a pass
//! has nothing to do; a text that has not settled after [`MAX_PASSES`] is an
//! error, not a guess.

use std::ops::Range;
use std::sync::Arc;

use crate::config::RuleSet;
use crate::content::Content;
use crate::document::Document;
use crate::edit::{self, Change, Edit, EditSink, FixId, Reach, Tier};
use crate::fresh::Fresh;
use crate::report::{CleanError, Hit};
use crate::rules::Context;
use crate::suppress::Suppressions;

/// Most passes a text may take before it is reported as not settling.
pub const MAX_PASSES: usize = 8;

/// The result of cleaning one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Cleaned {
    /// The cleaned text; equal to the input when nothing changed.
    pub output: String,
    /// Every edit applied, located in the input text.
    pub hits: Vec<Hit>,
    /// Parses done (0 when no rule could apply and the parse was skipped).
    pub passes: usize,
    /// Share of the input's visible text that the clean removed with rules
    /// that may remove article (0–1): block, zone and image removals, not
    /// markup, URL or `chrome = true` rules. What the removal guard weighs.
    pub removed_share: f64,
    /// True when the output is known to need no further change: the last
    /// parse found nothing to do in it, only settling rules acted in the last
    /// pass, or no rule could touch the input at all. False when a pass was
    /// undone because it changed what is code.
    pub verified: bool,
    /// Review-tier edits not applied, located in the input: what the passes
    /// would have done with them too.
    pub review: Vec<Hit>,
    /// The applied edits of each pass, in the text that pass edited.
    passes_edits: Vec<Vec<Edit>>,
}

impl Cleaned {
    pub fn changed(&self, input: &str) -> bool {
        self.output != input
    }

    /// The applied edits of every pass as one set of changes of `input` (the
    /// text this came from): sorted, apart, and spliced into the input they
    /// give `output`. Worked out on demand: only reports that list each
    /// file's fixes need them.
    pub fn changes(&self, input: &str) -> Vec<Change> {
        let changes = edit::compose(input, &self.passes_edits);
        debug_assert_eq!(edit::apply_changes(input, &changes), self.output);
        changes
    }
}

/// Cleans a text with a rule set. Pure: text in, result out. Review-tier
/// fixes are applied when the rule set says so ([`RuleSet::apply_review`]);
/// otherwise [`Cleaned::review`] tells what they would do.
pub fn clean_text(input: &str, rules: &RuleSet, force: bool) -> Result<Cleaned, CleanError> {
    clean_at(input, rules, force, rules.apply_review)
}

/// [`clean_text`], applying review-tier fixes when `apply_review`.
fn clean_at(
    input: &str,
    rules: &RuleSet,
    force: bool,
    apply_review: bool,
) -> Result<Cleaned, CleanError> {
    // The literal prefilter: a text that no rule may touch is not parsed.
    if !rules.may_apply(input) {
        return Ok(Cleaned {
            output: input.to_string(),
            hits: Vec::new(),
            passes: 0,
            removed_share: 0.0,
            verified: true,
            review: Vec::new(),
            passes_edits: Vec::new(),
        });
    }
    let settling: Vec<&str> = rules
        .rules
        .iter()
        .filter(|r| r.rule.settles())
        .map(|r| &*r.id)
        .collect();
    // Rules whose removals the guard does not weigh: exporter chrome.
    let uncounted: Vec<&str> = rules
        .rules
        .iter()
        .filter(|r| r.meta.chrome)
        .map(|r| &*r.id)
        .collect();
    let mut current = input.to_string();
    let mut passes: Vec<Vec<Edit>> = Vec::new();
    let mut touched: Vec<Range<usize>> = Vec::new();
    let mut visible_before = None;
    // Visible characters that rules which may remove article took, per pass:
    // what the removal guard weighs.
    let mut article_removed: Vec<usize> = Vec::new();
    // Code of the input, followed through the passes. A pass whose edits
    // change what is code (an edit that opens or closes a fence, or joins an
    // indented block to a paragraph) is undone and the clean stops there, so
    // what was code stays code and nothing else becomes code.
    let mut input_code: Vec<Range<usize>> = Vec::new();
    let mut before_last: Option<String> = None;
    let mut settled = false;
    let mut verified = false;
    // Review-tier edits held back, by the pass whose text they edit.
    let mut held: Vec<(usize, Vec<Edit>)> = Vec::new();
    let mut parses = 0;
    // What the last pass wrote, in the text it gave (`None`: look at all).
    let mut changed: Option<Vec<crate::fresh::Written>> = None;
    // The top-level blocks of the last parse, where its edits moved them.
    let mut tops_before: Vec<Range<usize>> = Vec::new();
    while parses < MAX_PASSES {
        let doc = Document::parse(&current);
        parses += 1;
        let mut code = doc.protected.clone();
        code.sort_by_key(|r| r.start);
        if parses == 1 {
            input_code = code;
        } else if code != input_code
            && let Some(text) = before_last.take()
        {
            current = text;
            passes.pop();
            held.retain(|(p, _)| *p < passes.len());
            article_removed.pop();
            settled = true;
            break;
        }
        // From the second pass on, rules that read a block alone look only
        // at the blocks the previous pass changed.
        let mut tops = None;
        let fresh = changed.as_deref().map(|c| {
            Fresh::of(
                &doc,
                tops.insert(crate::fresh::extents(&doc)),
                c,
                &tops_before,
            )
        });
        let ctx = Context {
            touched: &touched,
            head: crate::rules::head_of(input),
            head_now: if parses == 1 {
                ""
            } else {
                crate::rules::head_of(&current)
            },
            fresh: fresh.as_ref(),
            asked: &[],
            chrome: &[],
            protect: None,
        };
        let mut edits = Vec::new();
        for r in rules.rules.iter().filter(|r| !r.rule.judges_others()) {
            let sink = EditSink::with_reach(&r.id, r.rule.reach(), &mut edits);
            r.rule.check(&doc, &ctx, &mut sink.at_tier(r.meta.tier));
        }
        // Where the rules asked to edit: an edit that is not applied (held
        // for review, refused by the content model or a suppression, lost
        // to another) may be applied in a later pass, when the edits around
        // it have changed what its judges see, so its block is looked at
        // again (`fresh`).
        let mut asked: Vec<Range<usize>> = if rules.use_prefilter {
            edits.iter().map(|e| e.range.clone()).collect()
        } else {
            Vec::new()
        };
        let suppressed = Suppressions::scan(&current, &doc.protected);
        let mut content = None;
        let sift = Sift {
            doc: &doc,
            suppressed: &suppressed,
            apply_review,
            protect: &rules.protect,
        };
        // Rules that judge the others' edits run after them all, and see
        // what those come to once suppressions and the content model have
        // judged them (the held review-tier edits among them). Their own
        // edits then join the others', and all are judged together, as if
        // every rule had run at once (a list whose items two rules take
        // goes whole).
        let (edits, mut review) = if rules.rules.iter().any(|r| r.rule.judges_others()) {
            let first = edits.len();
            let (mut seen, held) = sift.sift(edits.clone(), &mut content);
            let applied = seen.len();
            seen.extend(held);
            let mut judged = Vec::new();
            {
                let ctx = Context {
                    asked: &seen,
                    chrome: &uncounted,
                    protect: Some(&rules.protect),
                    ..ctx
                };
                for r in rules.rules.iter().filter(|r| r.rule.judges_others()) {
                    let sink = EditSink::with_reach(&r.id, r.rule.reach(), &mut judged);
                    r.rule.check(&doc, &ctx, &mut sink.at_tier(r.meta.tier));
                }
            }
            if judged.is_empty() {
                // Nothing joins the others' edits: what they came to is the
                // pass's.
                let held = seen.split_off(applied);
                (seen, held)
            } else {
                if rules.use_prefilter {
                    asked.extend(judged.iter().map(|e| e.range.clone()));
                }
                // Fix ids past every id the others' sink gave, so fixes stay
                // apart.
                edit::append_fixes(&mut edits, judged, first as u32);
                sift.sift(edits, &mut content)
            }
        } else {
            sift.sift(edits, &mut content)
        };
        let (edits, lost) = edit::resolve_counting(&current, edits, &doc.protected);
        if !review.is_empty() {
            // What the applied edits already do is no review's business. A
            // review edit that does more than an applied edit inside it (an
            // image's removal, around the removal of its tracking
            // parameters) stays: `--apply review` would make it, and by the
            // next pass what made it a guess may be gone.
            review.retain(|r| {
                !edits
                    .iter()
                    .any(|e| crate::document::covers(&e.range, &r.range))
            });
            let review = edit::resolve(&current, review, &doc.protected);
            if !review.is_empty() {
                held.push((passes.len(), review));
            }
        }
        if edits.is_empty() {
            settled = true;
            verified = true;
            break;
        }
        // The visible text is counted only where the removed share needs it:
        // not for a text the first pass leaves as it is.
        visible_before.get_or_insert_with(|| doc.visible_chars());
        article_removed.push(removed_article(&doc, &edits, &uncounted));
        // The blocks of this parse, for the next pass to tell which are new
        // (worked out only when a next pass follows and may use them).
        let tops = match tops {
            Some(tops) => tops,
            None if rules.use_prefilter => crate::fresh::extents(&doc),
            None => Vec::new(),
        };
        drop(doc);
        // A pass whose edits all come from rules that only tidy up after
        // others, with no edit waiting for another pass, leaves nothing for a
        // further pass to find: stop without parsing the result again.
        // An edit at the very start may change what the first line is (a
        // `---` that becomes front matter, taking code with it): parse the
        // result again.
        let only_settling = lost == 0
            && parses < MAX_PASSES
            && edits.iter().all(|e| settling.contains(&&*e.rule))
            && edits.iter().all(|e| e.range.start > 0);
        let next = edit::apply(&current, &edits);
        // The blocks the next pass must look at again: where this one wrote,
        // and where it was asked to edit and did not.
        changed = if rules.use_prefilter
            && !crate::fresh::refers(&next)
            && !crate::fresh::suppresses(&next)
        {
            let mut applied: Vec<(usize, usize)> =
                edits.iter().map(|e| (e.range.start, e.range.end)).collect();
            applied.sort_unstable();
            let unapplied: Vec<Range<usize>> = asked
                .into_iter()
                .filter(|r| applied.binary_search(&(r.start, r.end)).is_err())
                .collect();
            crate::fresh::changed_by(&current, &edits, &unapplied)
        } else {
            None
        };
        map_sorted_forward(&mut input_code, &edits);
        let map = edit::OffsetMap::new(&edits);
        tops_before = tops
            .iter()
            .map(|r| map.forward(r.start)..map.forward(r.end))
            .collect();
        touched = touched
            .iter()
            .map(|r| map.forward(r.start)..map.forward(r.end))
            .collect();
        // Edits of rules that only tidy up after others do not count as
        // touched: tidying next to a tidy edit would creep through the file.
        let mut delta: isize = 0;
        for e in &edits {
            let start = (e.range.start as isize + delta) as usize;
            if !settling.contains(&&*e.rule) {
                touched.push(start..start + e.replacement.len());
            }
            delta += e.replacement.len() as isize - e.range.len() as isize;
        }
        before_last = Some(std::mem::replace(&mut current, next));
        passes.push(edits);
        if only_settling {
            // Settling rules leave nothing to find by their contract (the
            // idempotence properties and corpus tests hold them to it).
            settled = true;
            verified = true;
            break;
        }
    }
    if !settled {
        let last: Vec<&str> = passes
            .last()
            .map(|p| p.iter().map(|e| &*e.rule).collect())
            .unwrap_or_default();
        return Err(CleanError::Unsettled {
            passes: parses,
            rules: dedup_join(last),
        });
    }
    let before = visible_before.unwrap_or(0);
    let removed: usize = article_removed.iter().sum();
    let removed_share = if before == 0 {
        0.0
    } else {
        (removed as f64 / before as f64).min(1.0)
    };
    let (hits, review) = locate_hits(input, &passes, &held);
    if removed_share > rules.max_removed && !force {
        let mut by_rule: Vec<(Arc<str>, usize)> = Vec::new();
        for h in &hits {
            match by_rule.iter_mut().find(|(r, _)| *r == h.rule) {
                Some((_, n)) => *n += h.removed.chars().count(),
                None => by_rule.push((h.rule.clone(), h.removed.chars().count())),
            }
        }
        by_rule.sort_by_key(|r| std::cmp::Reverse(r.1));
        return Err(CleanError::TooMuchRemoved {
            share: removed_share,
            limit: rules.max_removed,
            rules: dedup_join(by_rule.iter().take(3).map(|(r, _)| &**r).collect()),
        });
    }
    Ok(Cleaned {
        output: current,
        passes_edits: passes,
        hits,
        passes: parses,
        removed_share,
        verified,
        review,
    })
}

/// What decides which of a pass's edits may apply: suppression comments,
/// the run's tier, and the content model.
struct Sift<'a> {
    doc: &'a Document<'a>,
    suppressed: &'a Suppressions,
    apply_review: bool,
    protect: &'a crate::content::Protect,
}

impl Sift<'_> {
    /// Splits `edits` into those the pass may apply and the review-tier ones
    /// it holds back (all applied under `apply_review`), less the fixes a
    /// suppression blocks and what the content model refuses. `content` is
    /// the pass's content model, built on first need.
    fn sift(&self, mut edits: Vec<Edit>, content: &mut Option<Content>) -> (Vec<Edit>, Vec<Edit>) {
        if !self.suppressed.is_empty() {
            // A suppressed edit takes its whole fix with it.
            let mut blocked: Vec<FixId> = edits
                .iter()
                .filter(|e| self.suppressed.blocks(&e.rule, &e.range))
                .map(|e| e.fix)
                .collect();
            if !blocked.is_empty() {
                blocked.sort_unstable();
                edits.retain(|e| blocked.binary_search(&e.fix).is_err());
            }
        }
        // Review-tier fixes wait for `--apply review`; a run that does not
        // apply them still says what they would do. The content model judges
        // the edits a pass applies (a list item goes only with its siblings),
        // and the held ones apart.
        let mut review = Vec::new();
        if !self.apply_review && edits.iter().any(|e| e.tier == Tier::Review) {
            (review, edits) = edits.into_iter().partition(|e| e.tier == Tier::Review);
        }
        // The content model is asked only when some edit removes more than
        // markup: most passes of most texts have none.
        for set in [&mut edits, &mut review] {
            if set.iter().any(|e| e.reach != Reach::Markup) {
                let content = content.get_or_insert_with(|| Content::lazy(self.doc));
                // Only the blocks these edits reach are read.
                let reach = set
                    .iter()
                    .filter(|e| e.reach != Reach::Markup)
                    .map(|e| e.range.clone());
                content.cover(self.doc, self.protect, reach);
                content.filter(self.doc, set);
            }
        }
        (edits, review)
    }
}

/// Visible characters of `doc` that `edits` (sorted, not overlapping) remove,
/// counting only the edits of rules that may remove article: not markup or
/// URL edits, and not the rules in `uncounted` (exporter chrome).
fn removed_article(doc: &Document, edits: &[Edit], uncounted: &[&str]) -> usize {
    let counted: Vec<&Range<usize>> = edits
        .iter()
        .filter(|e| e.reach != Reach::Markup && !uncounted.contains(&&*e.rule))
        .map(|e| &e.range)
        .collect();
    if counted.is_empty() {
        return 0;
    }
    let mut sum = 0;
    let mut i = 0;
    while i < doc.nodes.len() {
        let n = &doc.nodes[i];
        if matches!(n.kind, crate::document::Kind::Image(_)) {
            i = n.end;
            continue;
        }
        let at = n.range.start;
        let k = counted.partition_point(|r| r.end <= at);
        if counted.get(k).is_some_and(|r| r.start <= at) {
            sum += doc.visible_chars_of(n);
        }
        i += 1;
    }
    sum
}

/// Moves sorted ranges that no edit overlaps to where they are after
/// `edits` (sorted too), in one sweep.
fn map_sorted_forward(ranges: &mut [Range<usize>], edits: &[Edit]) {
    let mut delta: isize = 0;
    let mut next = edits.iter().peekable();
    for r in ranges {
        while let Some(e) = next.next_if(|e| e.range.end <= r.start) {
            delta += e.replacement.len() as isize - e.range.len() as isize;
        }
        r.start = (r.start as isize + delta) as usize;
        r.end = (r.end as isize + delta) as usize;
    }
}

fn dedup_join(mut ids: Vec<&str>) -> String {
    let mut seen = Vec::new();
    ids.retain(|id| {
        if seen.contains(id) {
            false
        } else {
            seen.push(*id);
            true
        }
    });
    ids.join(", ")
}

/// Describes every applied edit against the input text: the line and column
/// where it (or the text it grew from) starts.
/// Also describes the review-tier edits held back (`held`: the pass whose
/// text each set edits, and the edits) against the input text.
fn locate_hits(
    input: &str,
    passes: &[Vec<Edit>],
    held: &[(usize, Vec<Edit>)],
) -> (Vec<Hit>, Vec<Hit>) {
    if passes.iter().all(Vec::is_empty) && held.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', input.as_bytes()).map(|i| i + 1))
        .collect();
    let maps: Vec<edit::OffsetMap> = passes.iter().map(|p| edit::OffsetMap::new(p)).collect();
    let locate = |pass: usize, e: &Edit, text: &str| {
        let mut at = e.range.start;
        let mut end = e.range.end;
        for earlier in maps[..pass].iter().rev() {
            at = earlier.back(at);
            end = earlier.back_end(end);
        }
        let line = line_starts.partition_point(|&s| s <= at);
        Hit {
            rule: e.rule.clone(),
            line,
            // Filled in below, in one sweep.
            column: 0,
            offset: at,
            end: end.max(at),
            pass: pass + 1,
            removed: text[e.range.clone()].to_string(),
            replacement: e.replacement.clone(),
            tier: e.tier,
        }
    };
    let mut hits = Vec::new();
    let mut review = Vec::new();
    let mut text = input.to_string();
    for pass in 0..=passes.len() {
        for (_, edits) in held.iter().filter(|(p, _)| *p == pass) {
            review.extend(edits.iter().map(|e| locate(pass, e, &text)));
        }
        let Some(edits) = passes.get(pass) else {
            break;
        };
        hits.extend(edits.iter().map(|e| locate(pass, e, &text)));
        text = edit::apply(&text, edits);
    }
    set_columns(input, &line_starts, &mut hits);
    set_columns(input, &line_starts, &mut review);
    // A held fix is asked for again in every later pass: once is enough.
    review.dedup_by(|a, b| {
        (a.offset, a.end, &a.rule, &a.replacement) == (b.offset, b.end, &b.rule, &b.replacement)
    });
    (hits, review)
}

/// Sorts hits by place and fills in their columns.
fn set_columns(input: &str, line_starts: &[usize], hits: &mut [Hit]) {
    hits.sort_by_key(|h| (h.offset, h.pass));
    // Columns in one sweep (counting from each line's start for every hit is
    // quadratic on a long line with many hits).
    let (mut from, mut column, mut line) = (0, 1, 0);
    for h in hits.iter_mut() {
        let at = h.offset.min(input.len());
        if h.line != line {
            (from, column, line) = (line_starts[h.line - 1], 1, h.line);
        }
        column += input[from..at].chars().count();
        from = at;
        h.column = column;
    }
}

/// Like [`edit::map_back`] for the end of a span: an offset inside a
/// replacement maps to the end of the range it replaced. The walk that
/// [`edit::OffsetMap::back_end`] is checked against.
#[cfg(test)]
pub(crate) fn map_back_end_walk(offset: usize, edits: &[Edit]) -> usize {
    let mut delta: isize = 0;
    for e in edits {
        let new_start = (e.range.start as isize + delta) as usize;
        let new_end = new_start + e.replacement.len();
        if offset <= new_start {
            break;
        }
        if offset <= new_end {
            return e.range.end;
        }
        delta += e.replacement.len() as isize - e.range.len() as isize;
    }
    (offset as isize - delta).max(0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(toml_text: &str) -> RuleSet {
        RuleSet::parse(toml_text, "test.toml").unwrap()
    }

    const DROP_AND_TIDY: &str = r#"
[[rule]]
id = "drop"
kind = "drop-block"
description = "d"
pattern = "^DROP$"

[[rule]]
id = "tidy"
kind = "tidy"
description = "t"
"#;

    /// Edits inside what another edit of the same pass keeps or deletes
    /// apply in that pass: the spaces of a blank line inside a run that
    /// `tidy` collapses, an image's parameters inside an empty link that is
    /// unwrapped. Each used to lose its clash and take one more parse.
    #[test]
    fn edits_inside_an_unwrapped_link_or_a_collapsed_run_do_not_wait() {
        let rules = RuleSet::default_rules();
        let text = "# 标题\n\n正文第一段，讲完一件事。\n\n点击上方蓝字关注我们\n\n  \n\n   \n\n\
                    [![](https://mmbiz.qpic.cn/mmbiz_png/Ab1/640?wx_fmt=png&from;=appmsg)]()\n\n\
                    正文第二段。\n";
        let c = clean_text(text, &rules, true).unwrap();
        assert_eq!(
            c.output,
            "# 标题\n\n正文第一段，讲完一件事。\n\n\
             ![](https://mmbiz.qpic.cn/mmbiz_png/Ab1/640?wx_fmt=png)\n\n正文第二段。\n"
        );
        // The removals, the unwrap and the parameters in the first pass;
        // tidy's collapse in the second, which settles.
        assert_eq!(c.passes, 2, "{:#?}", c.hits);
        let late: Vec<&str> = c
            .hits
            .iter()
            .filter(|h| h.pass > 1 && &*h.rule != "tidy")
            .map(|h| &*h.rule)
            .collect();
        assert!(late.is_empty(), "{late:?}");
    }

    #[test]
    fn tidy_stays_next_to_edits_and_settles() {
        // Regression: tidy's own edits counted as touched, so it crept one
        // blank run further per pass and never settled.
        let mut input = String::from("A\n  \n  \nDROP\n  \n  \nB\n");
        for i in 0..20 {
            input.push_str(&format!("  \n  \np{i}\n"));
        }
        let out = clean_text(&input, &rules(DROP_AND_TIDY), false).unwrap();
        assert!(out.passes <= 3, "passes: {}", out.passes);
        assert!(
            out.output.starts_with("A\n\nB\n  \n  \np0\n"),
            "{:?}",
            out.output
        );
    }

    #[test]
    fn second_run_changes_nothing() {
        let input = "A\n\n\nDROP\n\n\nB\nDROP";
        let set = rules(DROP_AND_TIDY);
        let once = clean_text(input, &set, false).unwrap();
        assert_eq!(once.output, "A\n\nB\nDROP");
        let twice = clean_text(&once.output, &set, false).unwrap();
        assert_eq!(twice.output, once.output);
        assert!(twice.hits.is_empty());
    }

    #[test]
    fn guard_refuses_and_force_overrides() {
        let input = "DROP\n\nkeep\n";
        let mut set = rules(DROP_AND_TIDY);
        set.max_removed = 0.1;
        let err = clean_text(input, &set, false).unwrap_err();
        assert!(matches!(err, CleanError::TooMuchRemoved { .. }), "{err}");
        assert!(err.to_string().contains("drop"), "{err}");
        let forced = clean_text(input, &set, true).unwrap();
        assert_eq!(forced.output, "keep\n");
    }

    /// A window counts the blocks that stay: a stack of matches at an edge
    /// goes in one pass, not one a pass (twelve used to fail to settle),
    /// and a second clean finds nothing more.
    #[test]
    fn a_stack_of_matches_in_a_window_goes_at_once() {
        let set = rules(
            r#"
[[rule]]
id = "tail"
kind = "drop-block"
description = "d"
pattern = "^DROP"
tail = 1

[[rule]]
id = "head"
kind = "drop-block"
description = "d"
pattern = "^TOP"
head = 1
"#,
        );
        let mut input = String::from(
            "TOP0\n\nTOP1\n\nkeep\n\nkeep this line too\nDROP in a paragraph that stays\n\n",
        );
        for i in 0..12 {
            input.push_str(&format!("DROP{i}\n\n"));
        }
        let out = clean_text(&input, &set, true).unwrap();
        assert_eq!(
            out.output.trim(),
            "keep\n\nkeep this line too\nDROP in a paragraph that stays"
        );
        assert!(out.passes <= 2, "passes: {}", out.passes);
        let again = clean_text(&out.output, &set, true).unwrap();
        assert_eq!(again.output, out.output);
    }

    #[test]
    fn hits_are_located_in_the_input() {
        let input = "some text\n\nDROP\n\nmore text\n";
        let out = clean_text(input, &rules(DROP_AND_TIDY), false).unwrap();
        let drop = out.hits.iter().find(|h| &*h.rule == "drop").unwrap();
        assert_eq!((drop.line, drop.column), (3, 1));
        assert_eq!(drop.removed, "DROP\n");
    }
}
