//! The report writers: `results.json`, `junit.xml`, `summary.md`, `index.html`.
//!
//! Every text from the run (titles, expected/actual, reasons, ids) is escaped for its format;
//! characters XML 1.0 forbids (control characters other than tab, LF, CR; U+FFFE, U+FFFF) are
//! replaced by U+FFFD so the XML and HTML stay well formed whatever the SUT answered.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{CaseResult, MatchKind, ReportError, RunResults, Verdict};

/// `results.json`: the run as pretty-printed JSON (fields in declaration order).
pub fn results_json(run: &RunResults) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(run)?;
    text.push('\n');
    Ok(text)
}

/// Writes `results.json`, `junit.xml`, `summary.md` and `index.html` into `dir` (created if
/// needed), then a page per case under `cases/` ([`case_html`], with the decoded trace read
/// from the case's trace file when there is one); returns the paths written.
pub fn write_all(run: &RunResults, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    let mkdir = |d: &Path| {
        std::fs::create_dir_all(d).map_err(|source| ReportError::Write {
            path: d.to_owned(),
            source,
        })
    };
    mkdir(dir)?;
    let mut files = vec![
        ("results.json".to_string(), results_json(run)?),
        ("junit.xml".to_string(), junit_xml(run)),
        ("summary.md".to_string(), summary_md(run)),
        ("index.html".to_string(), index_html(run)),
    ];
    if !run.cases.is_empty() {
        mkdir(&dir.join("cases"))?;
    }
    for case in &run.cases {
        // A trace that can't be read is shown as missing on the page, not an error of the run.
        let trace = case
            .trace
            .as_ref()
            .and_then(|t| std::fs::read_to_string(dir.join(t)).ok());
        files.push((case_page(&case.id), case_html(run, case, trace.as_deref())));
    }
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| ReportError::Write {
            path: path.clone(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// The page of a case, relative to the report directory: `cases/case-ID.html`.
pub fn case_page(id: &str) -> String {
    format!("cases/{}.html", anchor(id))
}

/// Escapes text for XML/HTML content and attribute values (`&`, `<`, `>`, `"`, `'`), replacing
/// characters XML 1.0 forbids with U+FFFD.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Cases grouped by feature file, features sorted, cases in run order.
fn by_feature(run: &RunResults) -> BTreeMap<&str, Vec<&CaseResult>> {
    let mut map: BTreeMap<&str, Vec<&CaseResult>> = BTreeMap::new();
    for case in &run.cases {
        map.entry(case.feature.as_str()).or_default().push(case);
    }
    map
}

fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

fn expected_failure(case: &CaseResult) -> Option<&str> {
    case.expectation
        .as_ref()
        .filter(|e| e.kind == MatchKind::Expected && case.verdict != Verdict::Pass)
        .map(|e| e.reason.as_str())
}

fn is_unexpected_pass(case: &CaseResult) -> bool {
    case.expectation
        .as_ref()
        .is_some_and(|e| e.kind == MatchKind::UnexpectedPass)
}

/// `junit.xml`: `<testsuites>` with one `<testsuite>` per feature file (name = the file,
/// sorted) and one `<testcase>` per case (`name` = `ID: title`, `classname` = the feature
/// file with `/` as `.` and without `.feature`, `time` in seconds). Per verdict:
/// - FAIL: `<failure message="REQUIREMENT" type="FAIL">` with `spec`, `expected` and `actual`
///   lines in the body;
/// - ERROR: `<error message="REQUIREMENT" type="ERROR">`, same body;
/// - SKIP, UNSUPPORTED: `<skipped message="SKIP: ACTUAL"/>`;
/// - NON_STRICT: passed, with a `<system-out>` note (`NON_STRICT (@should not met): ...`);
/// - PASS: passed; an unexpected pass gets a `<system-out>` note.
///
/// A FAIL or ERROR the expectations file expects is written as `<skipped message="expected
/// FAIL: REASON">` (as pytest writes xfail) so a CI reading JUnit follows the same gate.
pub fn junit_xml(run: &RunResults) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let total = run.counts();
    let groups = by_feature(run);
    let expected_count = run
        .cases
        .iter()
        .filter(|c| expected_failure(c).is_some())
        .count();
    let count_not_expected = |v: Verdict| {
        run.cases
            .iter()
            .filter(|c| c.verdict == v && expected_failure(c).is_none())
            .count()
    };
    let total_ms: u64 = run.cases.iter().map(|c| c.duration_ms).sum();
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\" timestamp=\"{}\">",
        xml_escape(&format!("sgp32 {} ({})", run.sut, run.run_id)),
        total.total(),
        count_not_expected(Verdict::Fail),
        count_not_expected(Verdict::Error),
        total.get(Verdict::Skip) + total.get(Verdict::Unsupported) + expected_count,
        seconds(total_ms),
        xml_escape(&run.started),
    );
    for (feature, cases) in groups {
        let count = |pred: &dyn Fn(&CaseResult) -> bool| cases.iter().filter(|c| pred(c)).count();
        let failures = count(&|c| c.verdict == Verdict::Fail && expected_failure(c).is_none());
        let errors = count(&|c| c.verdict == Verdict::Error && expected_failure(c).is_none());
        let skipped = count(&|c| {
            matches!(c.verdict, Verdict::Skip | Verdict::Unsupported)
                || expected_failure(c).is_some()
        });
        let ms: u64 = cases.iter().map(|c| c.duration_ms).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{}\">",
            xml_escape(feature),
            cases.len(),
            seconds(ms),
        );
        let classname = feature
            .strip_suffix(".feature")
            .unwrap_or(feature)
            .replace('/', ".");
        for case in cases {
            let _ = write!(
                out,
                "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
                xml_escape(&format!("{}: {}", case.id, case.title)),
                xml_escape(&classname),
                seconds(case.duration_ms),
            );
            let body = format!(
                "spec: SGP.32 {}\nlevel: {}\nexpected: {}\nactual: {}",
                case.spec, case.level, case.expected, case.actual
            );
            let inner = if let Some(reason) = expected_failure(case) {
                Some(format!(
                    "      <skipped message=\"{}\"/>\n",
                    xml_escape(&format!("expected {}: {reason}", case.verdict))
                ))
            } else {
                match case.verdict {
                    Verdict::Fail | Verdict::Error => {
                        let tag = if case.verdict == Verdict::Fail {
                            "failure"
                        } else {
                            "error"
                        };
                        Some(format!(
                            "      <{tag} message=\"{}\" type=\"{}\">{}</{tag}>\n",
                            xml_escape(&case.requirement),
                            case.verdict,
                            xml_escape(&body)
                        ))
                    }
                    Verdict::Skip | Verdict::Unsupported => Some(format!(
                        "      <skipped message=\"{}\"/>\n",
                        xml_escape(&format!("{}: {}", case.verdict, case.actual))
                    )),
                    Verdict::NonStrict => Some(format!(
                        "      <system-out>{}</system-out>\n",
                        xml_escape(&format!(
                            "NON_STRICT (@{} not met): {}\n{body}",
                            case.level, case.requirement
                        ))
                    )),
                    Verdict::Pass if is_unexpected_pass(case) => {
                        let reason = case.expectation.as_ref().map_or("", |e| e.reason.as_str());
                        let expected = case
                            .expectation
                            .as_ref()
                            .map_or(Verdict::Pass, |e| e.verdict);
                        Some(format!(
                            "      <system-out>{}</system-out>\n",
                            xml_escape(&format!("unexpected pass: expected {expected} ({reason})"))
                        ))
                    }
                    Verdict::Pass => None,
                }
            };
            match inner {
                Some(inner) => {
                    out.push_str(">\n");
                    out.push_str(&inner);
                    out.push_str("    </testcase>\n");
                }
                None => out.push_str("/>\n"),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// Escapes text for a Markdown table cell: HTML-escaped (`&`, `<`, `>`), `|` as `\|`, line
/// breaks as `<br>`.
fn md_cell(text: &str) -> String {
    xml_escape(text)
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace(['\n', '\r'], "<br>")
}

/// `summary.md`: a heading with the run, a table of counts per verdict (every verdict, zero
/// included), the expectation notes (expected failures, unexpected passes) when any, then a
/// table of the non-PASS cases in run order: id, level, spec, verdict, expected, actual.
pub fn summary_md(run: &RunResults) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# SGP.32 conformance run {}\n", md_cell(&run.run_id));
    let _ = writeln!(
        out,
        "SUT `{}`, transport {}, SGP.32 v{}, started {}.\n",
        run.sut.replace('`', "'"),
        md_cell(&run.transport),
        md_cell(&run.sgp32_version),
        md_cell(&run.started)
    );
    let _ = writeln!(out, "{}\n", md_cell(&run.summary_line()));
    let counts = run.counts();
    out.push_str("| verdict | cases |\n|---|---:|\n");
    for v in Verdict::ALL {
        let _ = writeln!(out, "| {v} | {} |", counts.get(v));
    }
    let _ = writeln!(out, "| total | {} |", counts.total());
    let noted: Vec<&CaseResult> = run
        .cases
        .iter()
        .filter(|c| c.expectation.is_some())
        .collect();
    if !noted.is_empty() {
        out.push_str("\n## Expectations\n\n| id | verdict | expected | outcome | reason |\n|---|---|---|---|---|\n");
        for c in noted {
            if let Some(e) = &c.expectation {
                let outcome = match e.kind {
                    MatchKind::Expected => "expected",
                    MatchKind::UnexpectedPass => "unexpected pass",
                    MatchKind::Different => "different verdict",
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {outcome} | {} |",
                    md_cell(&c.id),
                    c.verdict,
                    e.verdict,
                    md_cell(&e.reason)
                );
            }
        }
    }
    let bad: Vec<&CaseResult> = run
        .cases
        .iter()
        .filter(|c| c.verdict != Verdict::Pass)
        .collect();
    out.push_str("\n## Cases not passed\n\n");
    if bad.is_empty() {
        out.push_str("None.\n");
    } else {
        out.push_str(
            "| id | level | spec | verdict | expected | actual |\n|---|---|---|---|---|---|\n",
        );
        for c in bad {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                md_cell(&c.id),
                c.level,
                md_cell(&c.spec),
                c.verdict,
                md_cell(&c.expected),
                md_cell(&c.actual)
            );
        }
    }
    out
}

/// A fragment id for a case's section in `index.html`: `case-` and the id with every character
/// outside `[A-Za-z0-9_-]` as `_`.
fn anchor(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("case-{safe}")
}

/// Percent-encodes a relative trace path for an `href` (unreserved characters and `/` kept).
fn href(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

const CSS: &str = "body{font-family:sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}\
.PASS{background:#c8f0c8}.FAIL{background:#f4b4b4}.NON_STRICT{background:#fbe3a8}\
.UNSUPPORTED{background:#dde4f0}.SKIP{background:#e8e8e8}.ERROR{background:#d9b8f0}\
pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}section{border-top:1px solid #ccc;margin-top:1em}";

/// `index.html`: one self-contained page (inline CSS, no script, no network): the run, the
/// counts per verdict, a SUT x case matrix (one row per case, one column for the run's SUT; each
/// cell coloured by verdict and linking to the case's section) and a section per case with its
/// title, spec, level, tags, requirement, expected, actual, expectation and a link to its trace
/// file (relative to the report directory).
pub fn index_html(run: &RunResults) -> String {
    let e = xml_escape;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>SGP.32 run {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        e(&run.run_id)
    );
    let _ = writeln!(
        out,
        "<h1>SGP.32 conformance run {}</h1>\n<p>SUT <code>{}</code>, transport {}, SGP.32 v{}, started {}.</p>\n<p>{}</p>",
        e(&run.run_id),
        e(&run.sut),
        e(&run.transport),
        e(&run.sgp32_version),
        e(&run.started),
        e(&run.summary_line())
    );
    let counts = run.counts();
    out.push_str("<table>\n<tr><th>verdict</th><th>cases</th></tr>\n");
    for v in Verdict::ALL {
        let _ = writeln!(
            out,
            "<tr><td class=\"{v}\">{v}</td><td>{}</td></tr>",
            counts.get(v)
        );
    }
    out.push_str("</table>\n<h2>Cases</h2>\n<table>\n");
    let _ = writeln!(
        out,
        "<tr><th>case</th><th>level</th><th>spec</th><th>title</th><th>{}</th></tr>",
        e(&run.sut)
    );
    for c in &run.cases {
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
            anchor(&c.id),
            e(&c.id),
            c.level,
            e(&c.spec),
            e(&c.title),
            c.verdict,
            c.verdict
        );
    }
    out.push_str("</table>\n");
    for c in &run.cases {
        let _ = writeln!(
            out,
            "<section id=\"{}\">\n<h3>{}: {} <span class=\"{}\">{}</span></h3>",
            anchor(&c.id),
            e(&c.id),
            e(&c.title),
            c.verdict,
            c.verdict
        );
        let _ = writeln!(
            out,
            "<p><a href=\"{}\">case page with the decoded trace</a></p>",
            href(&case_page(&c.id))
        );
        out.push_str(&case_details(c));
        if let Some(x) = &c.expectation {
            let _ = writeln!(
                out,
                "<p>Expectation: {} ({:?}): {}</p>",
                x.verdict,
                x.kind,
                e(&x.reason)
            );
        }
        match &c.trace {
            Some(t) => {
                let _ = writeln!(out, "<p><a href=\"{}\">trace: {}</a></p>", href(t), e(t));
            }
            None => out.push_str("<p>No trace.</p>\n"),
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// What both the index section and the page of a case show: spec, level, feature, tags,
/// duration, requirement, expected and actual.
fn case_details(c: &CaseResult) -> String {
    let e = xml_escape;
    format!(
        "<p>SGP.32 {}, @{}, feature <code>{}</code>, tags {}, {} ms</p>\n<p>Requirement: {}</p>\n<p>Expected:</p>\n<pre>{}</pre>\n<p>Actual:</p>\n<pre>{}</pre>\n",
        e(&c.spec),
        c.level,
        e(&c.feature),
        e(&c.tags.join(" ")),
        c.duration_ms,
        e(&c.requirement),
        e(&c.expected),
        e(&c.actual)
    )
}

/// The page of one case (`cases/case-ID.html`, self-contained like `index.html`): its
/// verdict, requirement, expected and actual, and its trace message by message — time,
/// device, direction, interface, HTTP status, the ASN.1 type, the decoded form (JSON) and the
/// exact bytes (hex). `trace` is the JSON Lines text of the trace file; lines that are not JSON
/// are shown as they are.
pub fn case_html(run: &RunResults, c: &CaseResult, trace: Option<&str>) -> String {
    let e = xml_escape;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        e(&c.id),
        e(&c.title)
    );
    let _ = writeln!(
        out,
        "<p><a href=\"../index.html#{}\">run {}</a> (SUT <code>{}</code>, transport {})</p>",
        anchor(&c.id),
        e(&run.run_id),
        e(&run.sut),
        e(&run.transport)
    );
    let _ = writeln!(
        out,
        "<h1>{}: {} <span class=\"{}\">{}</span></h1>",
        e(&c.id),
        e(&c.title),
        c.verdict,
        c.verdict
    );
    out.push_str(&case_details(c));
    let Some(trace) = trace else {
        out.push_str("<p>No trace.</p>\n</body>\n</html>\n");
        return out;
    };
    if let Some(t) = &c.trace {
        let _ = writeln!(
            out,
            "<h2>Trace</h2>\n<p>JSON Lines file: <a href=\"../{}\">{}</a></p>",
            href(t),
            e(t)
        );
    }
    out.push_str("<table>\n<tr><th>#</th><th>time</th><th>device</th><th>direction</th><th>interface</th><th>status</th><th>message</th></tr>\n");
    for (n, line) in trace.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td colspan=\"6\"><pre>{}</pre></td></tr>",
                n + 1,
                e(line)
            );
            continue;
        };
        let field = |k: &str| match v.get(k) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        };
        let mut message = String::new();
        let type_name = field("type");
        if !type_name.is_empty() {
            let _ = write!(message, "<b>{}</b>", e(&type_name));
        }
        let error = field("error");
        if !error.is_empty() {
            let _ = write!(message, "<p class=\"ERROR\">{}</p>", e(&error));
        }
        if let Some(decoded) = v.get("decoded") {
            let pretty = serde_json::to_string_pretty(decoded).unwrap_or_default();
            let _ = write!(message, "<pre>{}</pre>", e(&pretty));
        }
        let hex = field("hex");
        if !hex.is_empty() {
            let _ = write!(
                message,
                "<details><summary>{} bytes</summary><pre>{}</pre></details>",
                hex.len() / 2,
                e(&hex)
            );
        }
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            n + 1,
            e(&field("time")),
            e(&field("device")),
            e(&field("direction")),
            e(&field("interface")),
            e(&field("status")),
            message
        );
    }
    out.push_str("</table>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            xml_escape("a<b & \"c\" 'd'>\u{1}\t"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\u{FFFD}\t"
        );
        assert_eq!(md_cell("a|b\n<c>"), "a\\|b<br>&lt;c&gt;");
        assert_eq!(anchor("PSMO-003 x\"y"), "case-PSMO-003_x_y");
        assert_eq!(href("traces/A B\".jsonl"), "traces/A%20B%22.jsonl");
        assert_eq!(seconds(1234), "1.234");
        assert_eq!(seconds(5), "0.005");
    }
}
