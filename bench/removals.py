#!/usr/bin/env python3
"""Lists what a clean would remove from a folder, rule by rule, for a precision
audit of an archive nobody labelled: each distinct removed text once, with how
often it goes and one place it goes from.

    mdscrub check -qq --no-cache --format json DIR > report.json
    python3 bench/removals.py report.json [--review] [--all-rules]

URL parameters, whitespace and markup repairs are left out unless
--all-rules is given; --review adds the review-tier edits (marked R). Images
are counted per rule, not listed. Read the list for lines of an article
(a title, a sentence, a reference) among the junk."""
import collections
import json
import re
import sys

MARKUP = {
    "tidy", "blank-lines", "clear-blank-lines", "trim-block-ends", "dead-hard-breaks",
    "zero-width", "emphasis-debris", "glued-image", "broken-url", "image-title",
    "repair-entity-query", "wechat-entity-query", "wechat-image-params",
    "wechat-article-params", "csdn-legacy-watermark", "csdn-watermark", "placeholder-alt",
}
IMAGE = re.compile(r"(\[?!\[[^\]]*\]\([^)]*\)\]?(\([^)]*\))?\s*)+")


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 1:
        sys.exit(__doc__)
    review, all_rules = "--review" in argv, "--all-rules" in argv
    report = json.load(open(args[0], encoding="utf-8"))
    texts = collections.defaultdict(collections.Counter)
    where = {}
    images = collections.Counter()
    for f in report["files"]:
        edits = [(e, "") for e in f.get("edits", [])]
        if review:
            edits += [(e, "R") for e in f.get("review", [])]
        for e, mark in edits:
            removed = e["removed"].strip()
            if not removed or e["replacement"].strip() or (e["rule"] in MARKUP and not all_rules):
                continue
            if IMAGE.fullmatch(removed):
                images[e["rule"]] += 1
                continue
            key = (mark, removed.replace("\n", "⏎")[:160])
            texts[e["rule"]][key] += 1
            where.setdefault((e["rule"], key), f"{f['path']}:{e['line']}")
    for rule in sorted(set(texts) | set(images), key=lambda r: -sum(texts[r].values())):
        print(f"== {rule}: {sum(texts[rule].values())} texts ({len(texts[rule])} distinct), {images[rule]} images")
        for (mark, text), n in texts[rule].most_common():
            print(f"  {n:4d} {mark:1} {text}")
            print(f"       {where[(rule, (mark, text))]}")


if __name__ == "__main__":
    main(sys.argv[1:])
