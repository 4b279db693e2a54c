//! Logical lines. WeChat's editor closes a styled span with a hard break, so
//! one sentence often arrives as several lines: `点击上方⏎蓝字⏎关注我们`, or
//! `建议大家能把⏎**星落安全团队**⏎“⏎**设为星标**⏎”，⏎否则可能就看不到了啦⏎！`.
//! Read line by line, no piece says what the sentence says. A line joins the
//! one before it when that one does not end a sentence and either the line
//! is a fragment (a few characters) or the one before is a fragment that
//! stops on a comma or a quote, or a stub of three characters or fewer; and
//! whatever the lengths, when the one before ends on an opening quote or
//! bracket or the line starts with a closing one (or with `，。！？`, which
//! never start a line of Chinese). A heading-like line
//! (`**走之前点个赞**`) and the sentence under it, a line that ends a
//! sentence, or two long lines stay apart, so an article's line next to a
//! junk line keeps its own reading.

use std::ops::Range;

/// Lines of at most this many characters (spaces aside) are fragments.
pub(crate) const FRAGMENT_CHARS: usize = 6;

/// Characters that end a sentence.
fn ends_sentence(line: &str) -> bool {
    line.trim_end()
        .ends_with(['。', '！', '？', '!', '?', '；', ';', '…', '~', '～', '.'])
}

/// A line that starts an item (`1.`, `2、`, `-`, `•`) starts its own line.
fn starts_item(line: &str) -> bool {
    crate::content::is_numbered(line) || line.trim_start().starts_with(['-', '•', '·', '*', '+'])
}

fn is_fragment(line: &str) -> bool {
    line.chars().filter(|c| !c.is_whitespace()).count() <= FRAGMENT_CHARS
}

/// A piece too short to stand as a line of its own (`**致力于**`).
fn is_stub(line: &str) -> bool {
    line.chars().filter(|c| !c.is_whitespace()).count() <= 3
}

/// A line that ends inside a sentence: on a comma, a quote or a bracket.
fn continues(line: &str) -> bool {
    line.trim_end().ends_with([
        '，', ',', '、', '“', '”', '"', '「', '」', '『', '』', '‘', '’', '（', '(', '：', ':', '—',
    ])
}

/// A line that ends on an opening quote or bracket: what it opens is on the
/// next line, whatever its length (`后台回复“⏎20250124⏎”，即可获取`).
fn opens(line: &str) -> bool {
    line.trim_end()
        .ends_with(['“', '「', '『', '‘', '（', '(', '《', '【'])
}

/// A line that starts with a closing quote or bracket, or with punctuation
/// that never starts a line in Chinese text: it ends the line before.
fn closes(line: &str) -> bool {
    line.trim_start().starts_with([
        '”', '」', '』', '’', '）', ')', '》', '】', '，', '。', '！', '？', '、', '；', '：',
    ])
}

/// The logical lines of a paragraph's `lines` (their visible texts), as
/// ranges of line indices in order. `apart(i)` keeps line `i` a line of its
/// own (a line that shows an image).
pub(crate) fn logical_spans<S: AsRef<str>>(
    lines: &[S],
    apart: impl Fn(usize) -> bool,
) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let line = line.as_ref();
        let joins = i > 0 && !apart(i) && !apart(i - 1) && !starts_item(line) && {
            let prev = lines[i - 1].as_ref();
            opens(prev)
                || closes(line)
                || (!ends_sentence(prev)
                    && (is_fragment(line)
                        || (is_fragment(prev) && (continues(prev) || is_stub(prev)))))
        };
        match spans.last_mut() {
            Some(last) if joins => last.end = i + 1,
            _ => spans.push(i..i + 1),
        }
    }
    spans
}

/// The logical lines of `text` (lines cut at `\n`), each joined without a
/// separator and trimmed.
pub(crate) fn logical_lines(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    logical_spans(&lines, |_| false)
        .into_iter()
        .map(|s| lines[s].concat())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_join_into_their_sentence() {
        assert_eq!(
            logical_lines("点击上方\n蓝字\n关注我们"),
            ["点击上方蓝字关注我们"]
        );
        assert_eq!(
            logical_lines(
                "现在只对常读和星标的公众号才展示大图推送，建议大家能把\n星落安全团队\n“\n设为星标\n”，\n否则可能就看不到了啦\n！"
            ),
            [
                "现在只对常读和星标的公众号才展示大图推送，建议大家能把星落安全团队“设为星标”，否则可能就看不到了啦！"
            ]
        );
    }

    #[test]
    fn sentences_and_long_lines_stay_apart() {
        // A line that ends a sentence ends its logical line.
        assert_eq!(
            logical_lines("谢谢阅读。\n喜欢就点赞转发支持一下\n我们下期见。"),
            ["谢谢阅读。", "喜欢就点赞转发支持一下我们下期见。"]
        );
        // A short line in bold, then the sentence under it.
        assert_eq!(
            logical_lines("走之前点个赞\n各位读者，再次感谢"),
            ["走之前点个赞", "各位读者，再次感谢"]
        );
        // A stub of a few characters starts the sentence under it.
        assert_eq!(
            logical_lines("致力于\n第一时间为企业级用户提供权威漏洞情报和有效\n解决方案。"),
            ["致力于第一时间为企业级用户提供权威漏洞情报和有效解决方案。"]
        );
        // Two long lines without an end of sentence stay two lines.
        assert_eq!(
            logical_lines("第一行是一句相当长的正文内容\n第二行也是一句相当长的正文"),
            ["第一行是一句相当长的正文内容", "第二行也是一句相当长的正文"]
        );
    }

    #[test]
    fn quotes_and_brackets_hold_their_lines_together_whatever_their_length() {
        assert_eq!(
            logical_lines("关注微信公众号后台回复“\n20250124\n”，即可获取项目下载地址！"),
            ["关注微信公众号后台回复“20250124”，即可获取项目下载地址！"]
        );
        // A long line after a sentence stays apart, unless it starts with
        // what only ends a sentence.
        assert_eq!(
            logical_lines("这是第一句完整的话。\n这是第二句完整的话，也很长很长。"),
            ["这是第一句完整的话。", "这是第二句完整的话，也很长很长。"]
        );
        assert_eq!(
            logical_lines("他说：“这是一句很长很长的话。\n”然后走了，再也没有回来。"),
            ["他说：“这是一句很长很长的话。”然后走了，再也没有回来。"]
        );
    }

    #[test]
    fn items_start_their_own_line() {
        assert_eq!(logical_lines("1.点赞\n2.正文项"), ["1.点赞", "2.正文项"]);
        assert_eq!(logical_lines("• 点赞\n• 正文"), ["• 点赞", "• 正文"]);
    }

    #[test]
    fn lines_kept_apart_do_not_join() {
        let lines = ["点击上方", "蓝字", "关注我们"];
        assert_eq!(logical_spans(&lines, |i| i == 1), [0..1, 1..2, 2..3]);
    }
}
