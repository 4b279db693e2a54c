//! Globs for rule hosts and URL parameters: the dialect of file excludes
//! (globset's), limited to what a host or a parameter needs, and matched
//! without a regex, since they are tested once per URL parameter.
//!
//! A glob here is literal text with `*` (any run of characters, `/` and
//! line breaks included) and `?` (any one byte), matched against the whole
//! string, exactly as `globset::Glob::new(glob)?.compile_matcher()` matches
//! it. Classes (`[ab]`), alternations (`{a,b}`), escapes (`\`) and `**` next
//! to a `/` are globset syntax this matcher does not take: such a glob is an
//! error, not a literal.

/// A glob matched against a whole string.
#[derive(Debug, Clone)]
pub struct Glob {
    /// The glob as written.
    text: String,
    tokens: Vec<Token>,
    /// The common shapes, matched without the general loop.
    shape: Shape,
}

/// A glob of one of the common shapes (`mmbiz.qpic.cn`, `*.qpic.cn`,
/// `utm_*`, `*`), or any other.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    Exact(String),
    Suffix(String),
    Prefix(String),
    Any,
    General,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    /// `*`: any run of bytes.
    Star,
    /// `?`: any one byte.
    Any,
    Byte(u8),
}

/// Why a glob is not one this matcher takes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("glob `{glob}`: {why} (hosts and parameters take literal text, `*` and `?`)")]
pub struct GlobError {
    pub glob: String,
    pub why: &'static str,
}

impl Glob {
    /// Compiles a glob; globset syntax beyond `*` and `?` is an error.
    pub fn new(glob: &str) -> Result<Glob, GlobError> {
        let refuse = |why| {
            Err(GlobError {
                glob: glob.to_string(),
                why,
            })
        };
        if glob.contains('[') {
            return refuse("a class (`[...]`) is not supported here");
        }
        if glob.contains(['{', '}']) {
            return refuse("an alternation (`{a,b}`) is not supported here");
        }
        if glob.contains('\\') {
            return refuse("an escape (`\\`) is not supported here");
        }
        if glob.contains("/**") || glob.contains("**/") {
            return refuse("`**` next to `/` is not supported here (`*` already crosses `/`)");
        }
        Ok(Glob::compile(glob))
    }

    fn compile(glob: &str) -> Glob {
        let wild = |s: &str| s.contains(['*', '?']);
        let shape = if !glob.is_empty() && glob.bytes().all(|b| b == b'*') {
            Shape::Any
        } else if !wild(glob) {
            Shape::Exact(glob.to_string())
        } else if let Some(rest) = glob.strip_prefix('*')
            && !wild(rest)
        {
            Shape::Suffix(rest.to_string())
        } else if let Some(rest) = glob.strip_suffix('*')
            && !wild(rest)
        {
            Shape::Prefix(rest.to_string())
        } else {
            Shape::General
        };
        Glob {
            text: glob.to_string(),
            tokens: glob
                .bytes()
                .map(|b| match b {
                    b'*' => Token::Star,
                    b'?' => Token::Any,
                    b => Token::Byte(b),
                })
                .collect(),
            shape,
        }
    }

    /// This glob with `*` appended: it matches every string that starts
    /// with a match of this one.
    pub fn then_anything(&self) -> Glob {
        Glob::compile(&format!("{}*", self.text))
    }

    /// The literal text every match starts with (up to the first wildcard).
    pub fn literal_prefix(&self) -> String {
        let bytes: Vec<u8> = self
            .tokens
            .iter()
            .map_while(|t| match t {
                Token::Byte(b) => Some(*b),
                _ => None,
            })
            .collect();
        // Wildcards are ASCII, so the bytes before the first one are text.
        String::from_utf8(bytes).expect("a glob's literal prefix is UTF-8")
    }

    /// True when the glob matches the whole of `s`.
    pub fn is_match(&self, s: &str) -> bool {
        match &self.shape {
            Shape::Exact(lit) => return s == lit,
            Shape::Suffix(lit) => return s.ends_with(lit.as_str()),
            Shape::Prefix(lit) => return s.starts_with(lit.as_str()),
            Shape::Any => return true,
            Shape::General => {}
        }
        let pat = &self.tokens;
        let s = s.as_bytes();
        let (mut p, mut i) = (0, 0);
        // Where the last `*` was, and where in `s` it stopped taking bytes.
        let mut star: Option<(usize, usize)> = None;
        while i < s.len() {
            match pat.get(p) {
                Some(Token::Byte(b)) if *b == s[i] => {
                    p += 1;
                    i += 1;
                    continue;
                }
                Some(Token::Any) => {
                    p += 1;
                    i += 1;
                    continue;
                }
                Some(Token::Star) => {
                    star = Some((p, i));
                    p += 1;
                    continue;
                }
                _ => {}
            }
            // Mismatch: let the last `*` take one more byte.
            let Some((sp, from)) = star else {
                return false;
            };
            star = Some((sp, from + 1));
            i = from + 1;
            p = sp + 1;
        }
        pat[p..].iter().all(|t| *t == Token::Star)
    }
}

/// Any of several globs.
pub fn any_glob(globs: &[Glob], s: &str) -> bool {
    globs.iter().any(|g| g.is_match(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(g: &str) -> Glob {
        Glob::new(g).unwrap()
    }

    #[test]
    fn globs_match_whole_strings() {
        let g = glob("utm_*");
        assert!(g.is_match("utm_source"));
        assert!(!g.is_match("xutm_source"));
        assert!(glob("*.qpic.cn").is_match("mmbiz.qpic.cn"));
        assert!(!glob("*.qpic.cn").is_match("qpic.cn.evil.com"));
    }

    #[test]
    fn globs_match_as_globset_does() {
        let globs = [
            "*",
            "a*",
            "*a",
            "a?c",
            "*.qpic.cn",
            "imgIndex=*",
            "a*b*c",
            "?",
            "",
            "中*文",
            "中?文",
            "中???文",
            "*?",
            "utm_*",
            "mmbiz.qpic.cn",
            "**",
            "***",
            "a**b",
            "*\n",
            "/s",
            "/mp/*",
            "*/a",
            "a,b",
            "]x!",
            "a*?*c",
        ];
        let texts = [
            "",
            "a",
            "abc",
            "aXc",
            "a\nc",
            "ab\nbc",
            "x.qpic.cn",
            "imgIndex=3",
            "axbyc",
            "中间文",
            "中\n文",
            "\n",
            "aa",
            "utm_",
            "utm_a\nb",
            "a\nx.qpic.cn",
            "mmbiz.qpic.cn",
            "*\n",
            "/s",
            "/mp/appmsgalbum",
            "x/y/a",
            "a,b",
            "]x!",
            "a/b",
            "acc",
        ];
        for g in globs {
            let theirs = globset::Glob::new(g).unwrap().compile_matcher();
            for t in texts {
                assert_eq!(
                    glob(g).is_match(t),
                    theirs.is_match(t),
                    "glob {g:?} on {t:?}"
                );
            }
        }
    }

    #[test]
    fn globset_syntax_beyond_star_and_question_mark_is_an_error() {
        for g in ["[ab]", "{a,b}", "a\\*", "**/a", "a/**", "a/**/b", "}"] {
            let e = Glob::new(g).unwrap_err();
            assert_eq!(e.glob, g);
            assert!(e.to_string().contains("not supported here"), "{e}");
        }
    }
}
