//! End to end: `mdscrub diff --html` on the bundled examples plus a hostile
//! document, opened in headless Chromium. The page state comes from the URL
//! fragment (`#file=…&rule=…`), so `--dump-dom` and `--screenshot` show what
//! the script rendered. When Chromium is not installed the test fails under
//! CI (the `CI` variable set) and skips with a note on stderr otherwise.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::CommandCargoExt;

mod common;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const EXAMPLE: &str = "examples/exports/wechat/城市夜跑的十年.md";

/// A document that tries to break out of every place text can land in.
const HOSTILE: &str =
    "# 标题 </textarea></script><script>document.body.setAttribute('data-pwned','1')</script>

点击上方蓝字关注我们

正文 `</script>` 与 <img src=x onerror=\"document.body.setAttribute('data-pwned','2')\"> 之后。

![](https://mmbiz.qpic.cn/mmbiz_jpg/abc/640?wx_fmt=jpeg&from=appmsg)
";

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("MDSCRUB_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in [
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs headless Chromium on `url` with extra `args`; returns stdout.
fn chromium(bin: &Path, args: &[&str], url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdout(out.reopen().unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium failed on {url}: {status}");
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::fs::read_to_string(out.path()).unwrap()
}

/// Percent-encodes everything but unreserved characters.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The files rendered in the list (their `data-path`s).
fn listed(dom: &str) -> Vec<String> {
    dom.split("class=\"file status-")
        .skip(1)
        .filter_map(|s| s.split("data-path=\"").nth(1))
        .filter_map(|s| s.split('"').next())
        .map(|s| {
            s.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .collect()
}

#[test]
fn report_opens_in_chromium_with_totals_diffs_filters_and_no_injection() {
    let Some(bin) = find_chromium() else {
        common::require_or_skip(
            "Chromium (apt-get install chromium, or set MDSCRUB_CHROMIUM)",
            false,
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("hostile<b>.md"), HOSTILE).unwrap();
    let report = dir.path().join("report.html");
    let status = Command::cargo_bin("mdscrub")
        .unwrap()
        .current_dir(ROOT)
        .arg("diff")
        .arg("--html")
        .arg(&report)
        .arg("examples/exports")
        .arg(&docs)
        .status()
        .unwrap();
    assert!(status.success());
    let hostile_path = docs.join("hostile<b>.md").display().to_string();
    let page = format!("file://{}", encode(&report.display().to_string()));

    // What the page should say, from the same run as JSON.
    let json = Command::cargo_bin("mdscrub")
        .unwrap()
        .current_dir(ROOT)
        .args(["check", "--format", "json", "examples/exports"])
        .arg(&docs)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let totals = &json["totals"];
    let listed_files: Vec<&serde_json::Value> = json["files"].as_array().unwrap().iter().collect();
    let n = listed_files.len();
    assert!(n >= 2, "the examples and the hostile file would change");

    // 1. The example file opened: totals, its hunks, marks labelled by rule.
    let dom = chromium(
        &bin,
        &["--dump-dom"],
        &format!("{page}#file={}", encode(EXAMPLE)),
    );
    assert!(dom.contains("data-ready=\""), "the script ran to the end");
    for key in [
        "scanned", "changed", "refused", "failed", "skipped", "edits",
    ] {
        let cell = format!("<dd data-total=\"{key}\">{}</dd>", totals[key]);
        assert!(dom.contains(&cell), "no {cell} in the page");
    }
    let bytes = format!("<dd data-total=\"bytes\">{}</dd>", totals["bytes_removed"]);
    assert!(dom.contains(&bytes), "no {bytes} in the page");
    assert!(dom.contains(&format!("{n} of {n} listed files")));
    assert_eq!(dom.matches("<table class=\"diff unified\">").count(), 1);
    assert!(dom.contains("<span class=\"tag c"), "marks are labelled");
    // The export-site chrome line is removed and labelled with its rule.
    let mark = dom
        .split("<del class=\"m\"")
        .find(|s| s.contains("返回列表页"))
        .expect("the removed 返回列表页 line is marked");
    assert!(mark.contains("removed by export-site-chrome"), "{mark}");
    assert!(mark.contains(">export-site-chrome</span>"));
    // Unchanged lines around a change are shown too.
    assert!(dom.contains("真正让人坚持下来的"));
    assert!(!dom.contains("data-pwned=\""));

    // 2. A rule filter from the fragment: only files with that rule remain,
    // the bar is on, and the side-by-side view renders.
    let rule = "glued-image";
    let with_rule: Vec<String> = listed_files
        .iter()
        .filter(|f| {
            f["edits"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["rule"] == rule)
        })
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert!(
        !with_rule.is_empty() && with_rule.len() < n,
        "{rule} hits some files but not all: {with_rule:?}"
    );
    let url = format!("{page}#rule={rule}&view=split&file={}", encode(EXAMPLE));
    let dom = chromium(&bin, &["--dump-dom"], &url);
    assert_eq!(listed(&dom), with_rule);
    assert!(
        dom.contains(&format!("{} of {n} listed files", with_rule.len())),
        "{dom}"
    );
    assert!(dom.contains("class=\"bar on\""));
    assert!(dom.contains("<table class=\"diff split\">"));
    assert!(
        dom.contains("class=\"m dim\""),
        "other rules' marks are dimmed"
    );

    // 3. The hostile file: its text is shown as text, nothing ran.
    let dom = chromium(
        &bin,
        &["--dump-dom"],
        &format!("{page}#file={}", encode(&hostile_path)),
    );
    assert!(!dom.contains("data-pwned=\""), "a document's script ran");
    assert!(dom.contains(
        "&lt;/textarea&gt;&lt;/script&gt;&lt;script&gt;document.body.setAttribute('data-pwned','1')&lt;/script&gt;"
    ));
    assert!(dom.contains("&lt;img src=x onerror="));
    assert!(dom.contains("<title>mdscrub report</title>"));
    assert_eq!(listed(&dom).len(), n);
    assert!(listed(&dom).contains(&hostile_path));

    // 4. The search box (from the fragment) finds text with markup in it,
    // and the path filter narrows by path.
    let dom = chromium(
        &bin,
        &["--dump-dom"],
        &format!("{page}#q={}", encode("<img src=x onerror")),
    );
    assert_eq!(listed(&dom), std::slice::from_ref(&hostile_path));
    let dom = chromium(
        &bin,
        &["--dump-dom"],
        &format!("{page}#path=exports%20wechat/"),
    );
    assert_eq!(listed(&dom), [EXAMPLE]);

    // 5. A screenshot of the filtered state is not blank.
    let shot = dir.path().join("shot.png");
    chromium(
        &bin,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,1400",
        ],
        &url,
    );
    if let Some(keep) = std::env::var_os("MDSCRUB_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
    let png = std::fs::read(&shot).expect("a screenshot was written");
    assert!(png.starts_with(b"\x89PNG"));
    // Let the browser decode it: count pixels unlike the background colour
    // and distinct colours.
    let probe = dir.path().join("probe.html");
    std::fs::write(
        &probe,
        format!(
            "<!DOCTYPE html><body><pre id=\"out\">pending</pre>\
             <img id=\"img\" src=\"data:image/png;base64,{}\">\
             <script>\
             var img = document.getElementById('img');\
             function run() {{\
               var c = document.createElement('canvas');\
               c.width = img.naturalWidth; c.height = img.naturalHeight;\
               var x = c.getContext('2d'); x.drawImage(img, 0, 0);\
               var d = x.getImageData(0, 0, c.width, c.height).data;\
               var bg = [d[0], d[1], d[2]], diff = 0, colours = {{}};\
               for (var i = 0; i < d.length; i += 4) {{\
                 if (Math.abs(d[i]-bg[0]) + Math.abs(d[i+1]-bg[1]) + Math.abs(d[i+2]-bg[2]) > 30) diff++;\
                 colours[(d[i] >> 4) + ',' + (d[i+1] >> 4) + ',' + (d[i+2] >> 4)] = 1;\
               }}\
               document.getElementById('out').textContent = 'size=' + c.width + 'x' + c.height +\
                 ' ink=' + (diff / (d.length / 4)).toFixed(4) + ' colours=' + Object.keys(colours).length;\
             }}\
             if (img.complete) run(); else img.onload = run;\
             </script></body>",
            base64(&png)
        ),
    )
    .unwrap();
    let dom = chromium(
        &bin,
        &["--dump-dom"],
        &format!("file://{}", encode(&probe.display().to_string())),
    );
    let out = dom
        .split("<pre id=\"out\">")
        .nth(1)
        .and_then(|s| s.split("</pre>").next())
        .unwrap();
    let field = |name: &str| -> f64 {
        out.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {out:?}"))
    };
    assert!(out.starts_with("size=1280x1400"), "{out}");
    assert!(
        field("ink=") > 0.03,
        "the screenshot is (nearly) blank: {out}"
    );
    assert!(
        field("colours=") >= 8.0,
        "the screenshot has too few colours: {out}"
    );
    eprintln!("screenshot: {out}");
}

#[test]
fn check_format_html_writes_the_page_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), HOSTILE).unwrap();
    let out = Command::cargo_bin("mdscrub")
        .unwrap()
        .args(["check", "--format", "html"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a file would change");
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    assert!(page.contains("<dd data-total=\"changed\">1</dd>"));
    // The file's body is embedded (check keeps the text for the page).
    assert!(page.contains("<script type=\"application/json\" id=\"f0\">"));
    assert!(page.contains("点击上方蓝字关注我们"));
    assert!(!page.contains("<script>document"));
}

#[test]
fn diff_html_to_an_unwritable_place_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), HOSTILE).unwrap();
    let target = dir.path().join("missing").join("report.html");
    let out = Command::cargo_bin("mdscrub")
        .unwrap()
        .arg("diff")
        .arg("--html")
        .arg(&target)
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("cannot create the HTML report"), "{err}");
    assert!(err.contains("report.html"), "{err}");
}
