//! The SVG diagrams of every example, rendered by a real browser: headless Chromium
//! (Debian's `chromium`, installed by scripts/setup-browser.sh; LHW_CHROMIUM names another
//! binary) loads them in one page that reports any error, then screenshots each to PNG; the
//! pictures must have the SVG's size and not be blank.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lhw_compiler::graph::{self, Format, WfSpecView};

mod harness;

fn chromium() -> PathBuf {
    let candidates: Vec<String> = match std::env::var("LHW_CHROMIUM") {
        Ok(bin) => vec![bin],
        Err(_) => vec!["chromium".into(), "chromium-browser".into()],
    };
    for c in &candidates {
        let path = Path::new(c);
        if path.is_absolute() && path.exists() {
            return path.to_path_buf();
        }
        if let Some(dirs) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&dirs) {
                let full = dir.join(c);
                if full.is_file() {
                    return full;
                }
            }
        }
    }
    panic!("no Chromium ({candidates:?}); run `bash scripts/setup-browser.sh` or set LHW_CHROMIUM");
}

/// Runs Chromium headless with a fresh profile on `url`, returning its stdout.
fn run_chromium(profile: &Path, extra: &[String], url: &str) -> String {
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(url)
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("start chromium");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish on {url} within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("chromium output");
    assert!(
        out.status.success(),
        "chromium failed on {url}: {:?}",
        out.status
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `(name, svg)` of every workflow of every example.
fn example_svgs() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for dir in ["examples", "examples/e2e"] {
        for entry in std::fs::read_dir(harness::repo().join(dir)).expect("examples") {
            let path = entry.expect("entry").path();
            // Test files (`*.test.lhw`) hold tests, not workflows to draw.
            if path.extension().is_some_and(|e| e == "lhw")
                && !path.to_string_lossy().ends_with(".test.lhw")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read");
        let output = lhw_compiler::compile(&text).output.expect("compiles");
        for spec in &output.wf_specs {
            let lines = graph::source_lines(&output, &spec.name, &text);
            let g = graph::build(WfSpecView::of_request(spec), &lines);
            out.push((spec.name.clone(), graph::render(&g, Format::Svg)));
        }
    }
    out
}

fn svg_size(svg: &str) -> (u32, u32) {
    let attr = |name: &str| -> u32 {
        let at = svg.find(&format!(" {name}=\"")).expect("size attribute") + name.len() + 3;
        let end = at + svg[at..].find('"').expect("quote");
        svg[at..end].parse::<f64>().expect("number").ceil() as u32
    };
    (attr("width"), attr("height"))
}

#[test]
fn chromium_renders_every_example_diagram() {
    let dir = tempfile::tempdir().expect("dir");
    let svgs = example_svgs();
    assert!(svgs.len() >= 16, "{} diagrams", svgs.len());
    let mut page = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><script>\n\
         var errors = [];\n\
         window.addEventListener('error', function (e) { errors.push('error: ' + e.message); }, true);\n\
         var origError = console.error;\n\
         console.error = function () { errors.push('console: ' + Array.from(arguments).join(' ')); };\n\
         </script></head><body>\n",
    );
    for (i, (name, svg)) in svgs.iter().enumerate() {
        let file = format!("{i:02}-{name}.svg");
        std::fs::write(dir.path().join(&file), svg).expect("write svg");
        page.push_str(&format!(
            "<img src=\"{file}\" data-name=\"{name}\" \
             onerror=\"errors.push('cannot load {name}')\">\n"
        ));
    }
    page.push_str(
        "<pre id=\"result\">pending</pre><script>\n\
         window.addEventListener('load', function () {\n\
           document.querySelectorAll('img').forEach(function (img) {\n\
             if (!img.complete || img.naturalWidth === 0) errors.push('not drawn: ' + img.dataset.name);\n\
           });\n\
           document.getElementById('result').textContent = errors.length ? errors.join('\\n') : 'ok ' + document.images.length;\n\
         });\n\
         </script></body></html>\n",
    );
    std::fs::write(dir.path().join("index.html"), page).expect("write page");
    let dom = run_chromium(
        &dir.path().join("profile-page"),
        &["--dump-dom".to_string()],
        &format!("file://{}", dir.path().join("index.html").display()),
    );
    let expected = format!("<pre id=\"result\">ok {}</pre>", svgs.len());
    assert!(dom.contains(&expected), "the page reported errors:\n{dom}");

    for (i, (name, svg)) in svgs.iter().enumerate() {
        let file = dir.path().join(format!("{i:02}-{name}.svg"));
        let png_path = dir.path().join(format!("{i:02}-{name}.png"));
        let (w, h) = svg_size(svg);
        let (w, h) = (w.min(4000), h.min(4000));
        run_chromium(
            &dir.path().join(format!("profile-{i}")),
            &[
                format!("--screenshot={}", png_path.display()),
                format!("--window-size={w},{h}"),
            ],
            &format!("file://{}", file.display()),
        );
        let decoder = png::Decoder::new(std::fs::File::open(&png_path).expect("png written"));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).expect("PNG frame");
        assert_eq!((info.width, info.height), (w, h), "{name}: size");
        let channels = info.color_type.samples();
        let pixels = &buf[..info.buffer_size()];
        let total = pixels.len() / channels;
        let inked = pixels
            .chunks(channels)
            .filter(|p| p[..3].iter().any(|&c| c < 200))
            .count();
        let mut colours: Vec<[u8; 3]> = pixels
            .chunks(channels)
            .map(|p| [p[0] & 0xf0, p[1] & 0xf0, p[2] & 0xf0])
            .collect();
        colours.sort_unstable();
        colours.dedup();
        assert!(
            inked * 100 > total,
            "{name}: the picture is blank ({inked} of {total} pixels drawn)"
        );
        assert!(colours.len() >= 8, "{name}: only {} colours", colours.len());
    }
}
