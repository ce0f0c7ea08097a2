//! Snapshot tests of the report formats (results.json, junit.xml, summary.md, index.html) for a
//! hand-made run covering every verdict, with texts that need escaping.

use std::path::Path;

use sgp32_harness::report::{
    CaseResult, Expectations, Level, RunResults, Verdict, case_page, index_html, junit_xml,
    results_json, summary_md, write_all,
};

fn case(id: &str, feature: &str, level: Level, verdict: Verdict) -> CaseResult {
    CaseResult {
        id: id.to_owned(),
        title: format!("{id} title"),
        feature: feature.to_owned(),
        spec: "2.11.1.1".to_owned(),
        level,
        tags: vec![
            format!("id:{id}"),
            level.as_str().to_owned(),
            "role:eim".to_owned(),
        ],
        verdict,
        requirement: String::new(),
        expected: String::new(),
        actual: String::new(),
        duration_ms: 12,
        trace: Some(format!("traces/{id}.jsonl")),
        expectation: None,
    }
}

/// One case per verdict, plus an expected failure and an unexpected pass.
fn sample() -> RunResults {
    let mut pass = case(
        "PSMO-001",
        "psmo/enable.feature",
        Level::Must,
        Verdict::Pass,
    );
    pass.title = "enable a disabled profile".to_owned();
    let mut fail = case(
        "PSMO-003",
        "psmo/enable.feature",
        Level::Must,
        Verdict::Fail,
    );
    fail.title = "enable <already> enabled & \"reported\"".to_owned();
    fail.requirement =
        "the eIM reports profileNotInDisabledState (2) when the profile's state is 'enabled' & <x>"
            .to_owned();
    fail.expected = "enableResult = profileNotInDisabledState(2)".to_owned();
    fail.actual = "enableResult = ok(0) | order \"done\"\nsecond line <b>".to_owned();
    fail.duration_ms = 1234;
    let mut non_strict = case(
        "ESIPA-010",
        "esipa/binding.feature",
        Level::Should,
        Verdict::NonStrict,
    );
    non_strict.spec = "6.1.1".to_owned();
    non_strict.requirement = "User-Agent should be accepted".to_owned();
    non_strict.expected = "200".to_owned();
    non_strict.actual = "400 <html>".to_owned();
    let mut unsupported = case(
        "ECO-004",
        "eco/add_eim.feature",
        Level::Must,
        Verdict::Unsupported,
    );
    unsupported.actual = "SUT declares feature eco absent".to_owned();
    unsupported.trace = None;
    let mut skip = case(
        "ROB-005",
        "robustness/bulk.feature",
        Level::May,
        Verdict::Skip,
    );
    skip.actual = "filtered out by --tags 'not @slow'".to_owned();
    skip.trace = None;
    let mut error = case(
        "SEC-002",
        "security/signature.feature",
        Level::Must,
        Verdict::Error,
    );
    error.requirement = "the package signature verifies with the eIM key".to_owned();
    error.actual = "harness: connection refused (os error 111)\u{1}".to_owned();
    let mut xfail = case(
        "PSMO-007",
        "psmo/delete.feature",
        Level::Must,
        Verdict::Fail,
    );
    xfail.requirement = "delete of an enabled profile is refused".to_owned();
    xfail.expected = "profileNotInDisabledState".to_owned();
    xfail.actual = "ok".to_owned();
    let mut xpass = case(
        "PSMO-008",
        "psmo/delete.feature",
        Level::Must,
        Verdict::Pass,
    );
    xpass.title = "delete a disabled profile".to_owned();
    let mut run = RunResults {
        run_id: "2026-11-27T08-33-09Z".to_owned(),
        sut: "vendor <x> & \"y\"".to_owned(),
        transport: "https".to_owned(),
        sgp32_version: "1.2".to_owned(),
        started: "2026-11-27T08:33:09Z".to_owned(),
        cases: vec![
            pass,
            fail,
            non_strict,
            unsupported,
            skip,
            error,
            xfail,
            xpass,
        ],
    };
    let expectations = Expectations::parse(
        r#"
[cases."PSMO-007"]
verdict = "FAIL"
reason = "known: vendor deletes enabled profiles <ticket #42>"

[cases."PSMO-008"]
verdict = "FAIL"
reason = "was broken in 1.0"
"#,
        Path::new("expect.toml"),
    )
    .unwrap();
    let warnings = expectations.apply(&mut run);
    assert!(warnings.is_empty(), "{warnings:?}");
    run
}

#[test]
fn results_json_snapshot_and_round_trip() {
    let run = sample();
    let text = results_json(&run).unwrap();
    insta::assert_snapshot!("results_json", text);
    let back: RunResults = serde_json::from_str(&text).unwrap();
    assert_eq!(back, run);
}

#[test]
fn junit_snapshot_and_well_formed() {
    let xml = junit_xml(&sample());
    check_well_formed(&xml);
    insta::assert_snapshot!("junit_xml", xml);
}

#[test]
fn summary_md_snapshot() {
    insta::assert_snapshot!("summary_md", summary_md(&sample()));
}

#[test]
fn index_html_snapshot_and_well_formed() {
    let html = index_html(&sample());
    check_html(&html);
    insta::assert_snapshot!("index_html", html);
}

#[test]
fn summary_line_counts() {
    assert_eq!(
        sample().summary_line(),
        "8 cases: 2 PASS, 2 FAIL, 1 NON_STRICT, 1 UNSUPPORTED, 1 SKIP, 1 ERROR; 1 expected, 1 unexpected pass"
    );
}

#[test]
fn write_all_writes_the_reports_and_a_page_per_case_linked_from_the_index() {
    let dir = std::env::temp_dir().join(format!("sgp32-report-write-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let run = sample();
    // One case's trace file exists: its page shows the decoded messages.
    let traced = run.cases.iter().find(|c| c.trace.is_some()).unwrap();
    let trace_path = dir.join("nested").join(traced.trace.as_ref().unwrap());
    std::fs::create_dir_all(trace_path.parent().unwrap()).unwrap();
    std::fs::write(
        &trace_path,
        concat!(
            r#"{"time":"2026-11-27T09:00:00Z","device":"89049032123451234512345678901235","direction":"ipa->eim","interface":"ESipa","hex":"bf4f00","type":"EsipaMessageFromIpaToEim","decoded":{"getEimPackageRequest":{"eidValue":"<eid>"}}}"#,
            "\n",
            "not json <b>\n"
        ),
    )
    .unwrap();
    let written = write_all(&run, &dir.join("nested")).unwrap();
    let names: Vec<String> = written
        .iter()
        .map(|p| {
            p.strip_prefix(dir.join("nested"))
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut expected = vec![
        "results.json".to_string(),
        "junit.xml".into(),
        "summary.md".into(),
        "index.html".into(),
    ];
    expected.extend(run.cases.iter().map(|c| case_page(&c.id)));
    assert_eq!(names, expected);
    let back = RunResults::read(&dir.join("nested/results.json")).unwrap();
    assert_eq!(back, run);
    let html = std::fs::read_to_string(dir.join("nested/index.html")).unwrap();
    for case in &run.cases {
        let anchor = format!("case-{}", case.id);
        assert!(html.contains(&format!("href=\"#{anchor}\"")), "{anchor}");
        assert!(html.contains(&format!("id=\"{anchor}\"")), "{anchor}");
        assert!(
            html.contains(&format!("href=\"{}\"", case_page(&case.id))),
            "index links the page of {}",
            case.id
        );
        if let Some(trace) = &case.trace {
            assert!(html.contains(&format!("href=\"{trace}\"")), "{trace}");
        }
        let page = std::fs::read_to_string(dir.join("nested").join(case_page(&case.id))).unwrap();
        check_html(&page);
        assert!(page.contains(&case.id) && page.contains("../index.html"));
    }
    let page = std::fs::read_to_string(dir.join("nested").join(case_page(&traced.id))).unwrap();
    assert!(page.contains("<b>EsipaMessageFromIpaToEim</b>"), "{page}");
    assert!(
        page.contains("&quot;eidValue&quot;: &quot;&lt;eid&gt;&quot;"),
        "{page}"
    );
    assert!(page.contains("<pre>bf4f00</pre>"), "{page}");
    assert!(page.contains("not json &lt;b&gt;"), "{page}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The pages are written as XHTML-compatible markup: every tag closed except <meta>.
fn check_html(html: &str) {
    check_well_formed(
        &html
            .replace("<meta charset=\"utf-8\">", "<meta charset=\"utf-8\"/>")
            .replace("<!DOCTYPE html>\n", ""),
    );
}

/// A tiny XML well-formedness check: balanced tags, quoted attributes, only the five
/// predefined entities, no raw `<` or `&` in text or attributes.
fn check_well_formed(xml: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = xml;
    if let Some(after) = rest.strip_prefix("<?xml") {
        let end = after.find("?>").expect("unterminated declaration");
        rest = &after[end + 2..];
    }
    while !rest.is_empty() {
        match rest.find('<') {
            None => {
                check_text(rest);
                rest = "";
            }
            Some(i) => {
                check_text(&rest[..i]);
                let tag_end = rest[i..].find('>').expect("unterminated tag") + i;
                let tag = &rest[i + 1..tag_end];
                rest = &rest[tag_end + 1..];
                if let Some(name) = tag.strip_prefix('/') {
                    let open = stack.pop().unwrap_or_else(|| panic!("stray </{name}>"));
                    assert_eq!(open, name, "mismatched </{name}>, open <{open}>");
                    continue;
                }
                let self_closing = tag.ends_with('/');
                let tag = tag.trim_end_matches('/');
                let (name, attrs) = tag.split_once(' ').unwrap_or((tag, ""));
                assert!(
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                    "bad tag name {name:?}"
                );
                check_attrs(attrs);
                if !self_closing {
                    stack.push(name.to_owned());
                }
            }
        }
    }
    assert!(stack.is_empty(), "unclosed tags {stack:?}");
}

fn check_attrs(mut attrs: &str) {
    loop {
        attrs = attrs.trim_start();
        if attrs.is_empty() {
            return;
        }
        let eq = attrs
            .find("=\"")
            .unwrap_or_else(|| panic!("bad attribute in {attrs:?}"));
        let name = &attrs[..eq];
        assert!(
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "bad attribute name {name:?}"
        );
        let value_start = eq + 2;
        let close = attrs[value_start..]
            .find('"')
            .expect("unterminated attribute")
            + value_start;
        let value = &attrs[value_start..close];
        assert!(!value.contains('<'), "raw < in attribute {value:?}");
        check_text(value);
        attrs = &attrs[close + 1..];
    }
}

fn check_text(text: &str) {
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        let after = &rest[i + 1..];
        let end = after
            .find(';')
            .unwrap_or_else(|| panic!("raw & in {text:?}"));
        let entity = &after[..end];
        assert!(
            ["amp", "lt", "gt", "quot", "apos"].contains(&entity),
            "unknown entity &{entity}; in {text:?}"
        );
        rest = &after[end + 1..];
    }
    assert!(
        text.chars()
            .all(|c| c == '\t' || c == '\n' || c == '\r' || c >= ' '),
        "control character in {text:?}"
    );
}

#[test]
#[should_panic(expected = "mismatched")]
fn well_formed_check_rejects_crossed_tags() {
    check_well_formed("<a><b></a></b>");
}

#[test]
#[should_panic(expected = "raw &")]
fn well_formed_check_rejects_raw_ampersand() {
    check_well_formed("<a x=\"1 & 2\"/>");
}

#[test]
#[should_panic(expected = "unclosed")]
fn well_formed_check_rejects_unclosed() {
    check_well_formed("<a><b/>");
}
