//! Synthetic WeChat-style articles for benchmarks, shared by the criterion
//! benches and the `gen-corpus` example. Deterministic for a seed.
#![allow(dead_code)]

use std::fmt::Write as _;

/// SplitMix64: small, fast and good enough for synthetic text.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `0.0..1.0`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "研究",
    "数据",
    "系统",
    "我们",
    "发现",
    "这个",
    "问题",
    "方法",
    "时间",
    "城市",
    "生活",
    "工作",
    "技术",
    "团队",
    "用户",
    "模型",
    "结果",
    "分析",
    "过程",
    "社会",
    "经济",
    "发展",
    "历史",
    "文化",
    "学生",
    "老师",
    "医生",
    "健康",
    "饮食",
    "运动",
    "睡眠",
    "记忆",
    "情绪",
    "朋友",
    "家庭",
    "孩子",
    "市场",
    "公司",
    "产品",
    "设计",
    "安全",
    "漏洞",
    "内核",
    "程序",
    "网络",
    "服务器",
    "数据库",
    "实验",
    "论文",
    "作者",
    "读者",
    "记者",
    "采访",
    "故事",
    "电影",
    "音乐",
    "书籍",
    "旅行",
    "夜跑",
    "天气",
    "季节",
    "春天",
    "冬天",
    "早上",
    "晚上",
    "周末",
    "今年",
    "去年",
    "未来",
    "过去",
    "现在",
    "重要",
    "简单",
    "复杂",
    "明显",
    "可能",
    "已经",
    "仍然",
    "因为",
    "所以",
    "但是",
    "如果",
    "虽然",
    "而且",
    "其实",
    "尤其",
    "比如",
    "甚至",
    "终于",
    "突然",
    "慢慢",
    "一起",
    "一直",
    "每天",
    "大约",
];
const CHARS: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理世车";
const ENGLISH: &[&str] = &[
    "eBPF",
    "Rust",
    "Kubernetes",
    "AArch64",
    "LLM",
    "GPU",
    "API",
    "HTTP/2",
    "Linux",
    "JAMA",
    "Python",
    "SQL",
    "CVE-2024-3094",
    "Redis",
    "TCP",
];
const PUNCT: &[&str] = &["，", "，", "，", "、", "；", "："];
const END: &[&str] = &["。", "。", "。", "！", "？", "……"];
const ACCOUNTS: &[&str] = &[
    "三联生活周刊",
    "安全研究GoSSIP",
    "城市夜跑",
    "知识分子",
    "读书笔记",
    "技术周刊",
    "科学松鼠会",
    "每日健康",
    "旅行手记",
    "数据观察",
];

pub struct Gen {
    pub rng: Rng,
    chars: Vec<char>,
    biz: String,
    /// What junk this file has, in the archive profile ([`archive_article`]);
    /// `None` for the default corpus.
    junk: Option<Junk>,
}

/// The kinds of junk one file of the archive profile has: each is drawn per
/// file with the share of files in which `mdscrub clean --statistics`
/// found it on a real archive of 11,299 exports (116 MB, 45 edits a file,
/// 98% of files changed).
#[derive(Clone, Copy)]
struct Junk {
    /// Whitespace-only lines between blocks (`blank-lines`: 71% of files,
    /// 38 a file).
    blank_lines: bool,
    /// Tracking parameters on images (`wechat-image-params`: 37%, 9 a file).
    image_params: bool,
    /// `****`, `** **` and bold around images (`emphasis-debris`: 43%, 8 a
    /// file).
    emphasis: bool,
    /// Images glued into text (`glued-image`: 23%, 7.5 a file).
    glued: bool,
    /// Share parameters on article links (`wechat-article-params`: 43%,
    /// 3.7 a file).
    article_params: bool,
}

impl Gen {
    fn word(&mut self, out: &mut String) {
        if self.rng.chance(0.55) {
            out.push_str(self.rng.pick(WORDS));
        } else {
            for _ in 0..1 + self.rng.below(2) {
                out.push(self.chars[self.rng.below(self.chars.len())]);
            }
        }
    }

    /// One sentence of 8–40 characters, ending in Chinese punctuation.
    fn sentence(&mut self, out: &mut String) {
        let clauses = 1 + self.rng.below(3);
        for c in 0..clauses {
            for _ in 0..3 + self.rng.below(8) {
                if self.rng.chance(0.03) {
                    out.push(' ');
                    out.push_str(self.rng.pick(ENGLISH));
                    out.push(' ');
                } else {
                    self.word(out);
                }
            }
            if c + 1 < clauses {
                out.push_str(self.rng.pick(PUNCT));
            }
        }
        out.push_str(self.rng.pick(END));
    }

    fn id(&mut self, len: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| A[self.rng.below(A.len())] as char)
            .collect()
    }

    fn hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit(self.rng.below(16) as u32, 16).unwrap())
            .collect()
    }

    /// A WeChat image URL with a tracking query, entity-mangled some of the
    /// time, as the exporters leave them.
    fn image_url(&mut self) -> String {
        let fmt = self
            .rng
            .pick(&["jpeg", "png", "gif", "jpeg", "png", "webp"]);
        let dir = match fmt {
            "gif" => "mmbiz_gif",
            "png" => "sz_mmbiz_png",
            _ => "mmbiz_jpg",
        };
        let size = self.rng.pick(&["640", "640", "0", "300"]);
        let mut url = format!(
            "https://mmbiz.qpic.cn/{dir}/{}/{size}?wx_fmt={fmt}",
            self.id(86)
        );
        if self.junk.is_some_and(|j| !j.image_params) {
            return url;
        }
        let mangled = self.rng.chance(0.4);
        let params: &[&str] = match self.rng.below(5) {
            0 => &[],
            1 => &["from=appmsg"],
            2 => &["from=appmsg", "tp=webp", "wxfrom=5", "wx_lazy=1", "wx_co=1"],
            3 => &["wxfrom=5", "wx_lazy=1", "wx_co=1"],
            _ => &["from=appmsg", "tp=wxpic"],
        };
        for p in params {
            url.push('&');
            if mangled {
                // `&from;=appmsg`, `&wx;_lazy=1`: `;` after the first alnum run.
                let cut = p.find(|c: char| !c.is_ascii_alphanumeric()).unwrap();
                url.push_str(&p[..cut]);
                url.push(';');
                url.push_str(&p[cut..]);
            } else {
                url.push_str(p);
            }
        }
        if self.rng.chance(0.1) {
            let _ = write!(url, "#imgIndex={}", self.rng.below(20));
        }
        url
    }

    /// A link to another article with share parameters and the redirect
    /// fragment.
    fn article_url(&mut self) -> String {
        let mid = self.rng.below(100_000);
        let idx = 1 + self.rng.below(4);
        let sn = self.hex(32);
        let mut url = format!(
            "https://mp.weixin.qq.com/s?__biz={}==&mid=22474{mid:05}&idx={idx}&sn={sn}",
            self.biz
        );
        if self.junk.is_some_and(|j| !j.article_params) {
            return url;
        }
        if self.rng.chance(0.7) {
            let _ = write!(url, "&chksm={}", self.hex(96));
        }
        if self.rng.chance(0.6) {
            let _ = write!(url, "&scene={}", self.rng.pick(&["21", "58", "27"]));
        }
        if self.rng.chance(0.2) {
            let _ = write!(
                url,
                "&key={}&ascene=1&uin={}&devicetype=Windows&pass_ticket={}",
                self.hex(64),
                self.id(12),
                self.id(40)
            );
        }
        if self.rng.chance(0.7) {
            url.push_str(self.rng.pick(&["#wechat_redirect", "#rd"]));
        }
        url
    }

    fn paragraph(&mut self, out: &mut String) {
        let sentences = 2 + self.rng.below(7);
        if let Some(j) = self.junk {
            if j.emphasis && self.rng.chance(0.45) {
                out.push_str(self.rng.pick(&["**** ", "** ** ", "**标注** ****"]));
            }
            if j.glued && self.rng.chance(0.35) {
                self.sentence(out);
                let u = self.image_url();
                let _ = write!(out, "![]({u})");
            }
        }
        for _ in 0..sentences {
            match self.rng.below(40) {
                0 => {
                    out.push_str("**");
                    self.sentence(out);
                    out.push_str("**");
                }
                1 => {
                    out.push_str(" `");
                    out.push_str(self.rng.pick(&["bpf()", "malloc", "git rebase", "O(n)"]));
                    out.push_str("` ");
                }
                2 => {
                    out.push('[');
                    self.word(out);
                    self.word(out);
                    out.push_str("](");
                    let u = self.article_url();
                    out.push_str(&u);
                    out.push(')');
                }
                3 if self.junk.is_none_or(|j| j.glued) => {
                    // An image glued into the text.
                    self.sentence(out);
                    let u = self.image_url();
                    let _ = write!(out, "![]({u})");
                }
                _ => self.sentence(out),
            }
        }
        out.push('\n');
    }

    fn block(&mut self, out: &mut String) {
        match self.rng.below(100) {
            0..=54 => self.paragraph(out),
            55..=69 => {
                let u = self.image_url();
                if self.junk.is_some_and(|j| j.emphasis) && self.rng.chance(0.3) {
                    let _ = writeln!(out, "**![]({u})**");
                    return;
                }
                let _ = writeln!(out, "![]({u})");
                if self.junk.is_none_or(|j| j.glued) && self.rng.chance(0.3) {
                    // Caption glued after the image.
                    let mut cap = String::new();
                    self.word(&mut cap);
                    self.word(&mut cap);
                    out.pop();
                    let _ = writeln!(out, "《{cap}》剧照");
                }
            }
            70..=75 => {
                out.push_str(self.rng.pick(&["## ", "### ", "**"]));
                let bold = out.ends_with("**");
                for _ in 0..2 + self.rng.below(4) {
                    self.word(out);
                }
                out.push_str(if bold { "**\n" } else { "\n" });
            }
            76..=81 => {
                let lang = self.rng.pick(&["c", "python", "rust", "bash", ""]);
                let _ = writeln!(out, "```{lang}");
                for i in 0..3 + self.rng.below(15) {
                    let _ = writeln!(
                        out,
                        "    let x{i} = fetch(\"https://mmbiz.qpic.cn/a/{}/640?wx_fmt=png&from=appmsg\"); // 点赞",
                        self.id(8)
                    );
                }
                out.push_str("```\n");
            }
            82..=86 => {
                let cols = 2 + self.rng.below(3);
                let row = |g: &mut Gen, out: &mut String| {
                    out.push('|');
                    for _ in 0..cols {
                        out.push(' ');
                        g.word(out);
                        out.push_str(" |");
                    }
                    out.push('\n');
                };
                row(self, out);
                out.push('|');
                for _ in 0..cols {
                    out.push_str("---|");
                }
                out.push('\n');
                for _ in 0..2 + self.rng.below(6) {
                    row(self, out);
                }
            }
            87..=93 => {
                let ordered = self.rng.chance(0.5);
                for i in 0..2 + self.rng.below(5) {
                    if ordered {
                        let _ = write!(out, "{}. ", i + 1);
                    } else {
                        out.push_str("* ");
                    }
                    self.sentence(out);
                    out.push('\n');
                }
            }
            _ => {
                out.push_str("> ");
                self.sentence(out);
                self.sentence(out);
                out.push('\n');
            }
        }
    }

    pub fn article(&mut self, target: usize) -> String {
        let mut out = String::with_capacity(target + 4096);
        let account = self.rng.pick(ACCOUNTS);
        let mut title = String::new();
        for _ in 0..3 + self.rng.below(5) {
            self.word(&mut title);
        }
        if self.rng.chance(0.5) {
            let u = self.article_url();
            let _ = write!(
                out,
                "---\ntitle: {title}\nurl: {u}\nsource: {account}\ndate: 20{:02}-{:02}-{:02}\n---\n\n",
                18 + self.rng.below(8),
                1 + self.rng.below(12),
                1 + self.rng.below(28)
            );
        }
        let _ = writeln!(out, "# {title}\n");
        if self
            .rng
            .chance(if self.junk.is_some() { 0.99 } else { 0.3 })
        {
            let _ = writeln!(
                out,
                "[**返回列表页**](/gzh/{account})\n\n小懒自动备份，仅供查阅学习\n"
            );
        }
        if self.rng.chance(0.4) {
            out.push_str(self.rng.pick(&[
                "点击上方蓝字关注我们\n\n",
                "点击上方“蓝字”，关注我们\n\n",
                "**设为星标，第一时间收到推送**\n\n",
            ]));
        }
        if self.rng.chance(0.6) {
            let u = self.image_url();
            let _ = writeln!(out, "![cover_image]({u})\n");
        }
        // The tail below adds roughly 15% on top of the body.
        let body = target * 85 / 100;
        while out.len() < body {
            self.block(&mut out);
            if self.junk.is_some_and(|j| j.blank_lines) && self.rng.chance(0.9) {
                out.push_str(self.rng.pick(&[" \n", "  \n", "\t\n"]));
            } else {
                out.push('\n');
            }
        }
        // The archive has each kind of tail junk in fewer files.
        let tail = if self.junk.is_some() { 0.6 } else { 1.0 };
        if self.rng.chance(0.5 * tail) {
            out.push_str(self.rng.pick(&[
                "点个“在看”，让更多人看到\n\n",
                "**欢迎文末分享、点赞、在看三连！**\n\n",
                "喜欢就点赞、转发、在看吧\n\n",
            ]));
        }
        if self.rng.chance(0.4 * tail) {
            let _ = writeln!(out, "本文为「{account}」原创内容，未经许可严禁转载。\n");
        }
        if self.rng.chance(0.3 * tail) {
            out.push_str(
                self.rng
                    .pick(&["**-END-**\n\n", "THE END\n\n", "···END···\n\n"]),
            );
        }
        if self.rng.chance(0.3 * tail) {
            let u = self.image_url();
            let _ = writeln!(out, "![二维码]({u})\n");
        }
        if self.rng.chance(0.6 * tail) {
            out.push_str(
                self.rng
                    .pick(&["**往期推荐**\n\n", "大家都在看\n\n", "推荐阅读：\n\n"]),
            );
            let items = 2 + (target / 8000).min(4);
            for _ in 0..items {
                let u = self.article_url();
                let mut t = String::new();
                for _ in 0..3 + self.rng.below(4) {
                    self.word(&mut t);
                }
                if self.rng.chance(0.5) {
                    let img = self.image_url();
                    let _ = writeln!(out, "[![]({img})]({u})\n");
                }
                let _ = writeln!(out, "* [{t}]({u})");
            }
            out.push('\n');
        }
        if self.rng.chance(0.2) {
            out.push_str("预览时标签不可点\n\n微信扫一扫\n关注该公众号\n");
        }
        out
    }
}

impl Gen {
    /// The generator of file number `index` of a corpus made with `seed`.
    pub fn for_file(seed: u64, index: usize) -> Gen {
        let mut rng = Rng(seed ^ (index as u64).wrapping_mul(0xA076_1D64_78BD_642F));
        rng.next();
        let mut g = Rng(seed ^ (index as u64 % 10));
        let biz = format!("Mz{:012}", g.next() % 1_000_000_000_000);
        Gen {
            rng,
            chars: CHARS.chars().collect(),
            biz,
            junk: None,
        }
    }
}

/// File `index` of a corpus made with `seed`: its size is drawn from 2–60 KB
/// (about 20 KB on average) unless `size` is given; one file in ten uses CRLF.
pub fn article(seed: u64, index: usize, size: Option<usize>) -> String {
    let mut g = Gen::for_file(seed, index);
    // Skewed small: mean about 20 KB.
    let drawn = 2048 + (59_392.0 * g.rng.unit().powf(2.2)) as usize;
    let mut text = g.article(size.unwrap_or(drawn));
    if g.rng.chance(0.1) {
        text = text.replace('\n', "\r\n");
    }
    text
}

/// File `index` of an archive-profile corpus made with `seed`: shaped after
/// a real archive of 11,299 WeChat exports (116 MB, about 10 KB a file),
/// with each kind of junk in the share of files where it was found there
/// (see [`Junk`]) and export-site chrome in nearly every file.
pub fn archive_article(seed: u64, index: usize) -> String {
    let mut g = Gen::for_file(seed, index);
    g.junk = Some(Junk {
        blank_lines: g.rng.chance(0.71),
        image_params: g.rng.chance(0.37),
        emphasis: g.rng.chance(0.43),
        glued: g.rng.chance(0.23),
        article_params: g.rng.chance(0.43),
    });
    // Skewed small: mean about 10 KB.
    let drawn = 1024 + (36_000.0 * g.rng.unit().powf(2.5)) as usize;
    let mut text = g.article(drawn);
    if g.rng.chance(0.1) {
        text = text.replace('\n', "\r\n");
    }
    text
}
