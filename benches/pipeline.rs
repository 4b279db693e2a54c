//! Criterion benches: the whole pipeline on a small, a typical and a 1 MB
//! synthetic article, the parse alone, and each rule kind alone on the typical
//! article, so that a regression points at its rule.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mdscrub::RuleSet;
use mdscrub::document::Document;
use mdscrub::edit::EditSink;
use mdscrub::rules::Context;

#[path = "support/synth.rs"]
mod synth;

const SEED: u64 = 7;

fn docs() -> [(&'static str, String); 3] {
    [
        ("small-3k", synth::article(SEED, 1, Some(3 * 1024))),
        ("typical-20k", synth::article(SEED, 2, Some(20 * 1024))),
        ("large-1m", synth::article(SEED, 3, Some(1024 * 1024))),
    ]
}

fn pipeline(c: &mut Criterion) {
    let rules = RuleSet::default_rules();
    let mut g = c.benchmark_group("pipeline");
    for (name, text) in docs() {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(format!("clean/{name}"), |b| {
            b.iter(|| mdscrub::clean_text(black_box(&text), &rules, true).unwrap())
        });
        let cleaned = mdscrub::clean_text(&text, &rules, true).unwrap().output;
        g.bench_function(format!("check-cleaned/{name}"), |b| {
            b.iter(|| mdscrub::clean_text(black_box(&cleaned), &rules, true).unwrap())
        });
    }
    g.finish();
}

fn parse(c: &mut Criterion) {
    let (_, text) = &docs()[1];
    let options = mdscrub::document::parse_options();
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("comrak/typical-20k", |b| {
        b.iter(|| {
            let arena = comrak::Arena::new();
            comrak::parse_document(&arena, black_box(text), &options)
                .children()
                .count()
        })
    });
    g.bench_function("document/typical-20k", |b| {
        b.iter(|| Document::parse(black_box(text)).len())
    });
    g.finish();
}

fn rule_kinds(c: &mut Criterion) {
    let (_, text) = &docs()[1];
    let rules = RuleSet::default_rules();
    let doc = Document::parse(text);
    // Tidy only looks next to earlier edits: give it every image line.
    let touched: Vec<_> = text.match_indices("![").map(|(i, _)| i..i + 2).collect();
    let mut g = c.benchmark_group("rule-kind");
    for kind in mdscrub::rules::KINDS {
        let of_kind: Vec<_> = rules.rules.iter().filter(|r| r.kind == kind.name).collect();
        if of_kind.is_empty() {
            continue;
        }
        g.bench_function(format!("{}/typical-20k", kind.name), |b| {
            b.iter(|| {
                let ctx = Context {
                    touched: &touched,
                    head: mdscrub::rules::head_of(text),
                    head_now: "",
                    fresh: None,
                    asked: &[],
                    chrome: &[],
                    protect: None,
                };
                let mut edits = Vec::new();
                for r in &of_kind {
                    r.rule
                        .check(black_box(&doc), &ctx, &mut EditSink::new(&r.id, &mut edits));
                }
                edits.len()
            })
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
    targets = pipeline, parse, rule_kinds
}
criterion_main!(benches);
