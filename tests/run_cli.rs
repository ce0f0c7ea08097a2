//! `sgp32 run` and `sgp32 list` as a user runs them: the catalogue listing, a run against the
//! embedded eIM with reports, a fault switched on (exit 1) and expected (exit 0), and a run
//! against `sgp32 serve eim` in another process through its `--write-sut` profile.

mod common;

use std::path::PathBuf;

use common::sgp32;
use sgp32_harness::report::{RunResults, Verdict};

fn scratch(name: &str) -> PathBuf {
    common::scratch(&format!("run-cli-{name}"))
}

/// The cases of one area (the tag `@psmo` and so on) and a tag expression for them.
const SUBSET: &str = "@psmo or @esipa";

#[test]
fn list_prints_one_case_a_line_with_unique_ids() {
    let out = sgp32().arg("list").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert!(ids.len() >= 2, "{text}");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "ids are unique: {text}");
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert!(["must", "should", "may"].contains(&cols[1]), "{line}");
        assert!(cols[2].chars().next().unwrap().is_ascii_digit(), "{line}");
    }
    // --tags filters.
    let out = sgp32().args(["list", "--tags", "@psmo"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.is_empty() && text.lines().all(|l| l.starts_with("PSMO-")),
        "{text}"
    );
    // A bad expression is a usage error.
    let out = sgp32()
        .args(["list", "--tags", "@a and and"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn run_writes_reports_and_a_fault_fails_the_run_unless_expected() {
    let dir = scratch("faults");
    let out = sgp32()
        .args(["run", "--tags", SUBSET, "--out"])
        .arg(dir.join("clean"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let results = RunResults::read(&dir.join("clean/results.json")).unwrap();
    assert!(!results.cases.is_empty());
    assert!(results.cases.iter().all(|c| c.verdict == Verdict::Pass));
    assert_eq!(results.sut, "reference");
    assert_eq!(results.transport, "https");
    for c in &results.cases {
        let trace = c.trace.as_ref().expect("every case has a trace");
        let text = std::fs::read_to_string(dir.join("clean").join(trace)).unwrap();
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(v["time"].is_string() && v["direction"].is_string() && v["hex"].is_string());
        }
    }
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(" PASS"),
        "closing line with the counts: {stdout}"
    );

    // With a fault switched on, a case fails: exit 1, and the failure names the requirement.
    let out = sgp32()
        .args([
            "run",
            "--tags",
            SUBSET,
            "--eim-fault",
            "bad-package-signature",
            "--out",
        ])
        .arg(dir.join("fault"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let results = RunResults::read(&dir.join("fault/results.json")).unwrap();
    let failed: Vec<_> = results
        .cases
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .collect();
    assert!(!failed.is_empty());
    assert!(
        failed
            .iter()
            .all(|c| !c.requirement.is_empty() && !c.actual.is_empty())
    );

    // Expected failures keep the gate green.
    let mut expect = String::new();
    for c in &failed {
        expect.push_str(&format!(
            "[cases.\"{}\"]\nverdict = \"FAIL\"\nreason = \"known\"\n",
            c.id
        ));
    }
    std::fs::write(dir.join("expect.toml"), expect).unwrap();
    let out = sgp32()
        .args([
            "run",
            "--tags",
            SUBSET,
            "--eim-fault",
            "bad-package-signature",
            "--expect",
        ])
        .arg(dir.join("expect.toml"))
        .arg("--out")
        .arg(dir.join("expected"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");

    // Usage errors exit 2.
    for args in [
        vec!["run", "--eim-fault", "no-such-fault"],
        vec!["run", "--transport", "carrier-pigeon"],
        vec!["run", "--tags", "@no-such-tag"],
    ] {
        let out = sgp32()
            .args(&args)
            .arg("--out")
            .arg(dir.join("usage"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
    }
}

#[test]
fn the_catalogue_passes_against_serve_eim_in_another_process_through_its_sut_profile() {
    let dir = scratch("serve");
    let sut = dir.join("sut.toml");
    // The eIM relays downloads to the harness's SM-DP+ address at a free local port, which the
    // run finds in the written profile's [smdp] table and starts its mock SM-DP+ on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let smdp = format!("smdp.sgp32-harness.test=http://127.0.0.1:{port}");
    let server = common::Serving::eim(&["--tls", "--smdp", &smdp], &sut);
    let out = sgp32()
        .arg("run")
        .arg("--sut")
        .arg(&sut)
        .arg("--out")
        .arg(dir.join("reports"))
        .output()
        .unwrap();
    drop(server);
    let results = RunResults::read(&dir.join("reports/results.json")).unwrap();
    let not_passed: Vec<_> = results
        .cases
        .iter()
        .filter(|c| !matches!(c.verdict, Verdict::Pass | Verdict::Unsupported))
        .map(|c| format!("{} {} {} {}", c.id, c.verdict, c.requirement, c.actual))
        .collect();
    assert!(not_passed.is_empty(), "{not_passed:#?}");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(results.sut, sut.display().to_string());
    assert!(results.cases.iter().any(|c| c.verdict == Verdict::Pass));
    // The download cases ran against the mock SM-DP+ the run started where the profile says.
    let downloads: Vec<_> = results
        .cases
        .iter()
        .filter(|c| c.id.starts_with("DL-"))
        .map(|c| (c.id.clone(), c.verdict))
        .collect();
    assert!(!downloads.is_empty());
    assert!(
        downloads.iter().all(|(_, v)| *v == Verdict::Pass),
        "{downloads:?}"
    );
}
