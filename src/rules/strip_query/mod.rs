//! `strip-query`: remove query parameters from URLs on matching hosts.
//!
//! Either `remove` lists parameter-name globs to drop, or `keep` lists the only
//! names to keep. `drop-fragment` lists fragment globs to drop with their `#`.
//! The query text itself is edited: remaining parameters keep their order and
//! spelling (including `&amp;` separators in HTML), and `?` goes when nothing
//! is left.

use std::ops::Range;

use schemars::JsonSchema;
use serde::Deserialize;

use super::{BuildError, Context, Glob, Rule, any_glob, globs, host_globs, settings};
use crate::document::Document;
use crate::edit::{self, EditSink};

mod parts;
mod scan;
use parts::{Parts, decode_with_map, name_of, params, split_url};
use scan::{finder, longest_literal, remove_starts};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct Settings {
    /// Host globs (`mmbiz.qpic.cn`, `*.qpic.cn`).
    hosts: Vec<String>,
    /// Path globs the rule is limited to (`/s`); empty means any path.
    #[serde(default)]
    paths: Vec<String>,
    /// Parameter-name globs to remove.
    #[serde(default)]
    remove: Vec<String>,
    /// Parameter names to keep; every other parameter is removed.
    #[serde(default)]
    keep: Option<Vec<String>>,
    /// Fragment globs to remove (`wechat_redirect`, `rd`, `imgIndex=*`).
    #[serde(default)]
    drop_fragment: Vec<String>,
    /// Host globs of image proxies (`images.weserv.nl`) whose `url`
    /// parameter holds a URL, plain or percent-encoded, that this rule cleans
    /// in place.
    #[serde(default)]
    proxies: Vec<String>,
}

#[derive(Debug)]
struct StripQuery {
    hosts: Vec<Glob>,
    host_needles: Vec<String>,
    paths: Vec<Glob>,
    remove: Vec<Glob>,
    /// With `remove`: the literal start of each glob, when none is empty. A
    /// query holding none of them (and no `;` of a mangled name) has nothing
    /// to remove.
    remove_starts: Option<Vec<String>>,
    keep: Option<Vec<String>>,
    fragments: Vec<Glob>,
    proxies: Vec<Glob>,
    /// The `remove` globs as written.
    remove_globs: Vec<String>,
    /// `remove` and `drop-fragment` globs with `*` appended: whether some
    /// longer name or fragment could match (for the raw-text scan).
    remove_prefix: Vec<Glob>,
    fragment_prefix: Vec<Glob>,
    /// Host needles and proxy needles, ASCII case-insensitive, for the
    /// raw-text scan (`None` when some needle is too short to search).
    host_finder: Option<aho_corasick::AhoCorasick>,
    proxy_finder: Option<aho_corasick::AhoCorasick>,
}

pub fn build(table: toml::Table) -> Result<Box<dyn Rule>, BuildError> {
    let s: Settings = settings(table)?;
    if s.hosts.is_empty() {
        return Err("`hosts` must list at least one host glob".into());
    }
    if s.keep.is_some() && !s.remove.is_empty() {
        return Err("set either `keep` or `remove`, not both".into());
    }
    if s.keep.is_none() && s.remove.is_empty() && s.drop_fragment.is_empty() {
        return Err("nothing to do: set `remove`, `keep` or `drop-fragment`".into());
    }
    let host_needles: Vec<String> = s.hosts.iter().map(|h| longest_literal(h)).collect();
    let proxy_needles: Vec<String> = s.proxies.iter().map(|h| longest_literal(h)).collect();
    let remove = globs("remove", &s.remove)?;
    let fragments = globs("drop-fragment", &s.drop_fragment)?;
    Ok(Box::new(StripQuery {
        hosts: host_globs("hosts", &s.hosts)?,
        host_needles: host_needles.clone(),
        paths: globs("paths", &s.paths)?,
        remove_starts: remove_starts(&remove, s.keep.is_some()),
        remove_prefix: remove.iter().map(Glob::then_anything).collect(),
        remove,
        remove_globs: s.remove.clone(),
        fragment_prefix: fragments.iter().map(Glob::then_anything).collect(),
        host_finder: finder(&host_needles),
        proxy_finder: finder(&proxy_needles),
        keep: s.keep,
        fragments,
        proxies: host_globs("proxies", &s.proxies)?,
    }))
}

impl Rule for StripQuery {
    fn check(&self, doc: &Document, ctx: &Context, out: &mut EditSink) {
        for (i, site) in doc.urls().iter().enumerate() {
            // A URL's rewrite reads the URL alone.
            if !ctx.is_fresh(&site.range) {
                continue;
            }
            let raw = &doc.text[site.range.clone()];
            let start = site.range.start;
            for (range, replacement) in self.rewrite_with_host(raw, doc.url_host(i)) {
                out.replace(start + range.start..start + range.end, replacement);
            }
        }
    }

    fn needles(&self) -> Option<Vec<String>> {
        if self.host_needles.iter().any(|n| n.len() < 3) {
            // Any host (`*`): a `remove` list whose globs all start with a
            // literal (`utm_*`) needs one of those literals in the text.
            if self.keep.is_some() || !self.fragments.is_empty() || !self.proxies.is_empty() {
                return None;
            }
            let prefixes: Vec<String> = self
                .remove_globs
                .iter()
                .map(|g| g.split(['*', '?']).next().unwrap_or("").to_string())
                .collect();
            if prefixes.is_empty() || prefixes.iter().any(|p| p.len() < 3) {
                return None;
            }
            return Some(prefixes);
        }
        Some(self.host_needles.clone())
    }

    fn may_fire(&self, text: &str) -> bool {
        self.may_fire_raw(text)
    }
}

impl StripQuery {
    /// The ranges of `raw` to replace and their replacements (none when
    /// nothing changes), sorted and disjoint.
    #[cfg(test)]
    fn rewrite(&self, raw: &str) -> Vec<(Range<usize>, String)> {
        self.rewrite_with_host(raw, crate::url_text::url_plain_host(raw).as_deref())
    }

    /// [`StripQuery::rewrite`] of a URL whose plain host is known
    /// ([`crate::url_text::url_plain_host`]).
    fn rewrite_with_host(&self, raw: &str, plain: Option<&str>) -> Vec<(Range<usize>, String)> {
        // Most URLs are on other hosts: tell from the host alone when it is
        // a plain name, before splitting the whole URL.
        if let Some(host) = plain
            && !any_glob(&self.hosts, host)
            && !any_glob(&self.proxies, host)
        {
            return Vec::new();
        }
        let Some(parts) = split_url(raw) else {
            return Vec::new();
        };
        if !self.proxies.is_empty() && any_glob(&self.proxies, &parts.host) {
            return parts
                .query
                .and_then(|q| self.rewrite_proxied(raw, q))
                .into_iter()
                .collect();
        }
        self.rewrite_parts(raw, parts, true)
    }

    /// The URL inside a proxy's `url=` parameter, cleaned in its own
    /// spelling: percent-encoded (`640%3Fwx_fmt%3Dgif%26tp%3Dwebp`) or plain.
    fn rewrite_proxied(&self, raw: &str, query: usize) -> Option<(Range<usize>, String)> {
        let q = &raw[query + 1..];
        let rel = q
            .match_indices("url=")
            .find(|(i, _)| *i == 0 || q[..*i].ends_with('&'))?
            .0;
        let start = query + 1 + rel + 4;
        let inner = &raw[start..];
        let lower = inner.to_ascii_lowercase();
        if !(lower.starts_with("http%3a") || lower.starts_with("https%3a") || lower.contains("%3f"))
        {
            let edits = self.rewrite_direct(inner, true);
            let first = edits.first()?.0.start;
            let last = edits.last()?.0.end;
            return Some((
                start + first..start + last,
                splice(inner, first..last, &edits),
            ));
        }
        // Percent-encoded: clean the decoded URL, then encode the new tail
        // the way the old one was.
        let (decoded, map) = decode_with_map(inner);
        // Not `&from;=` there: its `&` or `=` may be percent-encoded in the
        // text, where `repair-entity-query` does not repair it.
        let edits = self.rewrite_direct(&decoded, false);
        let first = edits.first()?.0.start;
        let r = first..decoded.len();
        let rep = splice(&decoded, r.clone(), &edits);
        let from = map[r.start];
        let upper = !inner.contains("%3f") && !inner.contains("%3d");
        let mut enc = String::with_capacity(rep.len() * 2);
        for c in rep.chars() {
            match c {
                '?' => enc.push_str(if upper { "%3F" } else { "%3f" }),
                '&' => enc.push_str("%26"),
                '=' => enc.push_str(if upper { "%3D" } else { "%3d" }),
                '#' => enc.push_str("%23"),
                c => enc.push(c),
            }
        }
        Some((start + from..raw.len(), enc))
    }

    /// The edits that clean `raw`: deletions of the removed parameters (with
    /// their separators) and of a dropped fragment. Kept parameters are not
    /// inside any edit, so other rules can edit them in the same pass (repair
    /// `&from;=` mangling, decode `&amp;`). With `mangled`, a parameter name
    /// mangled into an entity reads as what it is (see [`name_of`]).
    fn rewrite_direct(&self, raw: &str, mangled: bool) -> Vec<(Range<usize>, String)> {
        match split_url(raw) {
            Some(parts) => self.rewrite_parts(raw, parts, mangled),
            None => Vec::new(),
        }
    }

    /// [`Self::rewrite_direct`] on a URL already split.
    fn rewrite_parts(&self, raw: &str, parts: Parts, mangled: bool) -> Vec<(Range<usize>, String)> {
        if !any_glob(&self.hosts, &parts.host) {
            return Vec::new();
        }
        let path = if parts.path.is_empty() {
            "/"
        } else {
            parts.path
        };
        if !self.paths.is_empty() && !any_glob(&self.paths, path) {
            return Vec::new();
        }
        let q_end = parts.fragment.unwrap_or(raw.len());
        // Kept parameters: (start of separator, start, end) in `raw`.
        let mut kept: Vec<(usize, usize, usize)> = Vec::new();
        let mut changed = false;
        let drop_fragment = parts
            .fragment
            .is_some_and(|f| any_glob(&self.fragments, &raw[f + 1..]));
        if !drop_fragment && let (Some(q), Some(starts)) = (parts.query, &self.remove_starts) {
            // No parameter name can match: nothing to do.
            let query = &raw[q + 1..q_end];
            let mangled_name = mangled && query.contains(';');
            if !mangled_name && !starts.iter().any(|s| query.contains(s.as_str())) {
                return Vec::new();
            }
        }
        if let Some(q) = parts.query {
            for (sep, param) in params(&raw[q + 1..q_end]) {
                let (sep, param) = (sep + q + 1, param.start + q + 1..param.end + q + 1);
                let text = &raw[param.clone()];
                if text.is_empty() {
                    // `?&a=1`, `a=1&&b=2`: an empty parameter is tidied away
                    // only when the URL is rewritten anyway.
                } else if self.drops(&name_of(text, mangled && sep < param.start)) {
                    changed = true;
                } else {
                    kept.push((sep, param.start, param.end));
                }
            }
        }
        if !changed && !drop_fragment {
            // Nothing to remove: the URL stays as written, a bare `?` or
            // empty parameters included.
            return Vec::new();
        }
        let mut gone: Vec<Range<usize>> = Vec::new();
        if let Some(q) = parts.query {
            match (kept.first(), kept.last()) {
                (Some(first), Some(last)) => {
                    // The first kept parameter follows `?` directly; the
                    // others keep their own separators.
                    gone.push(q + 1..first.1);
                    for pair in kept.windows(2) {
                        gone.push(pair[0].2..pair[1].0);
                    }
                    gone.push(last.2..q_end);
                }
                _ => gone.push(q..q_end),
            }
        }
        if drop_fragment {
            gone.push(q_end..raw.len());
        }
        let mut edits: Vec<(Range<usize>, String)> = Vec::new();
        for r in gone.into_iter().filter(|r| !r.is_empty()) {
            match edits.last_mut() {
                Some((prev, _)) if prev.end == r.start => prev.end = r.end,
                _ => edits.push((r, String::new())),
            }
        }
        edits
    }

    fn drops(&self, name: &str) -> bool {
        match &self.keep {
            Some(keep) => !keep.iter().any(|k| k == name),
            None => any_glob(&self.remove, name),
        }
    }
}

/// `text[range]` with `edits` (sorted, inside `range`) spliced in.
fn splice(text: &str, range: Range<usize>, edits: &[(Range<usize>, String)]) -> String {
    edit::splice(text, range, edits.iter().map(|(r, s)| (r, s.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(toml_text: &str) -> StripQuery {
        let s: Settings = toml::from_str(toml_text).unwrap();
        StripQuery {
            hosts: globs("hosts", &s.hosts).unwrap(),
            host_needles: Vec::new(),
            paths: globs("paths", &s.paths).unwrap(),
            remove_starts: remove_starts(&globs("remove", &s.remove).unwrap(), s.keep.is_some()),
            remove: globs("remove", &s.remove).unwrap(),
            keep: s.keep,
            fragments: globs("drop-fragment", &s.drop_fragment).unwrap(),
            proxies: globs("proxies", &s.proxies).unwrap(),
            remove_globs: Vec::new(),
            remove_prefix: Vec::new(),
            fragment_prefix: Vec::new(),
            host_finder: None,
            proxy_finder: None,
        }
    }

    fn apply(r: &StripQuery, url: &str) -> String {
        splice(url, 0..url.len(), &r.rewrite(url))
    }

    #[test]
    fn removes_listed_params_keeping_order_and_spelling() {
        let r = rule(
            r#"hosts = ["*.qpic.cn"]
remove = ["from", "wx*", "tp"]"#,
        );
        assert_eq!(
            apply(
                &r,
                "https://mmbiz.qpic.cn/a/640?wx_fmt=jpeg&from=appmsg&tp=webp&wxfrom=5&WX_KEEP=1"
            ),
            "https://mmbiz.qpic.cn/a/640?WX_KEEP=1"
        );
        assert_eq!(
            apply(&r, "https://mmbiz.qpic.cn/a/640?from=appmsg"),
            "https://mmbiz.qpic.cn/a/640"
        );
        assert_eq!(
            apply(&r, "https://example.com/?from=1"),
            "https://example.com/?from=1"
        );
    }

    #[test]
    fn keep_list_limited_to_path_and_fragment_dropped() {
        let r = rule(
            r#"hosts = ["mp.weixin.qq.com"]
paths = ["/s"]
keep = ["__biz", "mid", "idx", "sn"]
drop-fragment = ["wechat_redirect", "rd"]"#,
        );
        assert_eq!(
            apply(
                &r,
                "http://mp.weixin.qq.com/s?__biz=MTc==&mid=26&idx=3&sn=f1&chksm=59&scene=21#wechat_redirect"
            ),
            "http://mp.weixin.qq.com/s?__biz=MTc==&mid=26&idx=3&sn=f1"
        );
        assert_eq!(
            apply(&r, "https://mp.weixin.qq.com/s/OXiqHvWJkmqz7FbclDd1jA"),
            "https://mp.weixin.qq.com/s/OXiqHvWJkmqz7FbclDd1jA"
        );
        assert_eq!(
            apply(
                &r,
                "https://mp.weixin.qq.com/mp/appmsgalbum?__biz=1&album_id=2#wechat_redirect"
            ),
            "https://mp.weixin.qq.com/mp/appmsgalbum?__biz=1&album_id=2#wechat_redirect"
        );
        assert_eq!(
            apply(
                &r,
                "https://mp.weixin.qq.com/s?__biz=1&amp;mid=2&amp;scene=3"
            ),
            "https://mp.weixin.qq.com/s?__biz=1&amp;mid=2"
        );
    }

    #[test]
    fn urls_inside_image_proxies_are_cleaned_in_their_spelling() {
        let r = rule(
            r#"hosts = ["mmbiz.qpic.cn", "*.csdnimg.cn"]
remove = ["tp", "wxfrom", "x-oss-process"]
proxies = ["images.weserv.nl", "pic.2ge.org"]"#,
        );
        assert_eq!(
            apply(
                &r,
                "https://images.weserv.nl/?url=https%3A//mmbiz.qpic.cn/a/640%3Fwx_fmt%3Dgif%26tp%3Dwebp%26wxfrom%3D5"
            ),
            "https://images.weserv.nl/?url=https%3A//mmbiz.qpic.cn/a/640%3Fwx_fmt%3Dgif"
        );
        assert_eq!(
            apply(
                &r,
                "https://images.weserv.nl/?url=https%3A//mmbiz.qpic.cn/a/640%3Ftp%3Dwebp"
            ),
            "https://images.weserv.nl/?url=https%3A//mmbiz.qpic.cn/a/640"
        );
        assert_eq!(
            apply(
                &r,
                "https://pic.2ge.org/cdn/?url=https://img-blog.csdnimg.cn/b.png?x-oss-process=image/watermark,type_Z,t_70"
            ),
            "https://pic.2ge.org/cdn/?url=https://img-blog.csdnimg.cn/b.png"
        );
        assert_eq!(
            apply(
                &r,
                "https://images.weserv.nl/?url=https%3A//e.com/a%3Ftp%3D1"
            ),
            "https://images.weserv.nl/?url=https%3A//e.com/a%3Ftp%3D1"
        );
    }

    #[test]
    fn empty_parameters_are_tidied_only_when_something_is_removed() {
        let r = rule(
            r#"hosts = ["*.qpic.cn"]
remove = ["from"]"#,
        );
        // Nothing to remove: the query stays exactly as written.
        for url in [
            "https://mmbiz.qpic.cn/a/640?&wx_fmt=png",
            "https://mmbiz.qpic.cn/a/640?wx_fmt=png&&x=1",
            "https://mmbiz.qpic.cn/a/640?",
            "https://mmbiz.qpic.cn/a/640?#frag",
        ] {
            assert_eq!(apply(&r, url), url);
        }
        assert_eq!(
            apply(&r, "https://mmbiz.qpic.cn/a/640?&wx_fmt=png&from=appmsg"),
            "https://mmbiz.qpic.cn/a/640?wx_fmt=png"
        );
        assert_eq!(
            apply(&r, "https://mmbiz.qpic.cn/a/640?&from=appmsg#frag"),
            "https://mmbiz.qpic.cn/a/640#frag"
        );
        let f = rule(
            r#"hosts = ["*.qpic.cn"]
drop-fragment = ["imgIndex=*"]"#,
        );
        assert_eq!(
            apply(&f, "https://mmbiz.qpic.cn/a/640?&#imgIndex=2"),
            "https://mmbiz.qpic.cn/a/640"
        );
        assert_eq!(
            apply(&f, "https://mmbiz.qpic.cn/a/640?wx_fmt=png&#imgIndex=2"),
            "https://mmbiz.qpic.cn/a/640?wx_fmt=png"
        );
    }

    #[test]
    fn mangled_names_read_as_what_they_are() {
        let r = rule(
            r#"hosts = ["*.qpic.cn"]
remove = ["from", "wx_lazy", "tp"]
drop-fragment = ["imgIndex=*"]"#,
        );
        assert_eq!(
            apply(
                &r,
                "https://mmbiz.qpic.cn/a/640?wx_fmt=png&from;=appmsg&amp;wx;_lazy=1&tp;=webp#imgIndex=2"
            ),
            "https://mmbiz.qpic.cn/a/640?wx_fmt=png"
        );
        // Real entities and the first parameter (no `&` before it) are not
        // mangling: `repair-entity-query` would not repair them either.
        for url in [
            "https://mmbiz.qpic.cn/a/640?from;=appmsg",
            "https://mmbiz.qpic.cn/a/640?a=1&amp;lt;=2",
            "https://mmbiz.qpic.cn/a/640?a=1&from;1=2",
        ] {
            assert_eq!(apply(&r, url), url);
        }
    }

    #[test]
    fn kept_parameters_lie_outside_every_edit() {
        let r = rule(
            r#"hosts = ["*.qpic.cn"]
remove = ["from", "tp"]
drop-fragment = ["imgIndex=*"]"#,
        );
        let url = "https://mmbiz.qpic.cn/a/640?from=1&wx_fmt=png&amp;tp;=webp&amp;keep;=1&tp=2#imgIndex=3";
        let edits = r.rewrite(url);
        let ranges: Vec<&str> = edits.iter().map(|(r, _)| &url[r.clone()]).collect();
        assert_eq!(ranges, ["from=1&", "&amp;tp;=webp", "&tp=2#imgIndex=3"]);
        assert!(edits.iter().all(|(_, rep)| rep.is_empty()));
        assert_eq!(
            apply(&r, url),
            "https://mmbiz.qpic.cn/a/640?wx_fmt=png&amp;keep;=1"
        );
    }

    #[test]
    fn queries_without_a_removable_name_are_skipped_but_fragments_still_go() {
        let r = rule(
            r#"hosts = ["*"]
remove = ["utm_*", "from"]
drop-fragment = ["rd"]"#,
        );
        assert_eq!(
            remove_starts(&globs("remove", ["utm_*", "from"]).unwrap(), false),
            Some(vec!["utm_".into(), "from".into()])
        );
        assert_eq!(
            remove_starts(&globs("remove", ["*_id"]).unwrap(), false),
            None
        );
        assert_eq!(
            apply(&r, "https://e.com/?a=1&b=2#rd"),
            "https://e.com/?a=1&b=2"
        );
        assert_eq!(
            apply(&r, "https://e.com/?a=1&b=2#x"),
            "https://e.com/?a=1&b=2#x"
        );
        assert_eq!(
            apply(&r, "https://e.com/?a=1&utm_s=2"),
            "https://e.com/?a=1"
        );
        assert_eq!(
            apply(&r, "https://e.com/?a=1&from;=2"),
            "https://e.com/?a=1"
        );
    }

    #[test]
    fn mangled_queries_clean_in_one_pass_of_edits() {
        let rules = crate::config::RuleSet::default_rules();
        let input = "文字\n\n![](https://mmbiz.qpic.cn/a/640?wx_fmt=png&from;=appmsg&wx;_lazy=1&amp;tp;=webp&keep;=1#imgIndex=7)\n";
        let once = crate::clean_text(input, &rules, true).unwrap();
        assert_eq!(
            once.output,
            "文字\n\n![](https://mmbiz.qpic.cn/a/640?wx_fmt=png&keep=1)\n"
        );
        // Strip and repair both act in the first pass; the second finds
        // nothing.
        assert!(once.hits.iter().all(|h| h.pass == 1), "{:?}", once.hits);
        assert_eq!(once.passes, 2);
        let twice = crate::clean_text(&once.output, &rules, true).unwrap();
        assert_eq!(twice.output, once.output);
    }

    #[test]
    fn relative_and_odd_urls_are_left_alone() {
        let r = rule(
            r#"hosts = ["*"]
remove = ["*"]"#,
        );
        assert_eq!(apply(&r, "/gzh/x?from=1"), "/gzh/x?from=1");
        assert_eq!(apply(&r, "mailto:a@b?subject=x"), "mailto:a@b?subject=x");
        assert_eq!(apply(&r, "//h.com/p?x=1"), "//h.com/p");
        assert_eq!(apply(&r, "https://h.com/p?"), "https://h.com/p?");
    }
}
