//! Rule globs: the hand matcher of `rules::Glob` against globset's matcher
//! (one `GlobMatcher` per glob, and one `GlobSet`) on the hosts and parameter
//! names of the default rules, to tell whether the hand matcher pays.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mdscrub::rules::{Glob, any_glob};

/// Globs as the default rules write them, and strings they are tested on.
const CASES: &[(&str, &[&str], &[&str])] = &[
    (
        "hosts",
        &[
            "mmbiz.qpic.cn",
            "*.qpic.cn",
            "mp.weixin.qq.com",
            "*.weixin.qq.com",
            "*.csdnimg.cn",
            "upload-images.jianshu.io",
            "*.jianshu.io",
            "*.byteimg.com",
        ],
        &[
            "mmbiz.qpic.cn",
            "mp.weixin.qq.com",
            "img-blog.csdnimg.cn",
            "p3-juejin.byteimg.com",
            "github.com",
            "upload-images.jianshu.io",
            "example.com",
            "images.weserv.nl",
        ],
    ),
    (
        "params",
        &[
            "from",
            "wxfrom",
            "wx_lazy",
            "wx_co",
            "tp",
            "retryload",
            "random",
            "watermark",
            "usePicPrefetch",
            "randomid",
            "sharer_*",
            "utm_*",
            "imageMogr2*",
        ],
        &[
            "wx_fmt",
            "from",
            "tp",
            "wxfrom",
            "utm_source",
            "id",
            "sharer_time",
            "imgIndex",
            "x-oss-process",
            "key",
            "uin",
            "q",
        ],
    ),
];

fn globs(c: &mut Criterion) {
    let mut g = c.benchmark_group("glob");
    for (name, patterns, texts) in CASES {
        let ours: Vec<Glob> = patterns.iter().map(|p| Glob::new(p).unwrap()).collect();
        let matchers: Vec<globset::GlobMatcher> = patterns
            .iter()
            .map(|p| globset::Glob::new(p).unwrap().compile_matcher())
            .collect();
        let mut set = globset::GlobSetBuilder::new();
        for p in *patterns {
            set.add(globset::Glob::new(p).unwrap());
        }
        let set = set.build().unwrap();
        // The three agree before they are timed.
        for t in *texts {
            let want = any_glob(&ours, t);
            assert_eq!(matchers.iter().any(|m| m.is_match(t)), want, "{t}");
            assert_eq!(set.is_match(t), want, "{t}");
        }
        g.bench_function(format!("{name}/rules-glob"), |b| {
            b.iter(|| {
                texts
                    .iter()
                    .filter(|t| any_glob(&ours, black_box(t)))
                    .count()
            })
        });
        g.bench_function(format!("{name}/globset-matchers"), |b| {
            b.iter(|| {
                texts
                    .iter()
                    .filter(|t| matchers.iter().any(|m| m.is_match(black_box(t))))
                    .count()
            })
        });
        g.bench_function(format!("{name}/globset-set"), |b| {
            b.iter(|| texts.iter().filter(|t| set.is_match(black_box(t))).count())
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2))
        .sample_size(20);
    targets = globs
}
criterion_main!(benches);
