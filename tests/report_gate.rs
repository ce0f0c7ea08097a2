//! The CI gate with and without an expectations file.

mod common;

use std::path::Path;

use sgp32_harness::report::{Expectations, MatchKind, RunResults, Unexpected, Verdict, gate};

fn run(verdicts: &[(&str, Verdict)]) -> RunResults {
    common::run_with(verdicts)
}

fn expect(text: &str) -> Expectations {
    Expectations::parse(text, Path::new("expect.toml")).unwrap()
}

#[test]
fn without_expectations() {
    let ok = run(&[
        ("A", Verdict::Pass),
        ("B", Verdict::NonStrict),
        ("C", Verdict::Skip),
        ("D", Verdict::Unsupported),
    ]);
    let g = gate(&ok);
    assert_eq!(
        g.exit_code, 0,
        "NON_STRICT, SKIP, UNSUPPORTED don't fail the gate"
    );
    assert_eq!(g.counts.total(), 4);
    assert_eq!(g.counts.get(Verdict::NonStrict), 1);
    assert!(g.unexpected.is_empty());

    let g = gate(&run(&[("A", Verdict::Pass), ("B", Verdict::Fail)]));
    assert_eq!(g.exit_code, 1);
    assert_eq!(
        g.unexpected,
        [Unexpected {
            id: "B".to_owned(),
            verdict: Verdict::Fail
        }]
    );

    let g = gate(&run(&[("A", Verdict::Fail), ("B", Verdict::Error)]));
    assert_eq!(
        g.exit_code, 2,
        "an ERROR makes the run a harness error, over a FAIL"
    );
    assert_eq!(g.unexpected.len(), 2);
}

#[test]
fn expected_failure_does_not_fail_the_gate() {
    let mut r = run(&[("A", Verdict::Pass), ("PSMO-003", Verdict::Fail)]);
    let warnings =
        expect("[cases.\"PSMO-003\"]\nverdict = \"FAIL\"\nreason = \"known\"\n").apply(&mut r);
    assert!(warnings.is_empty());
    let m = r.cases[1].expectation.as_ref().unwrap();
    assert_eq!(
        (m.kind, m.verdict, m.reason.as_str()),
        (MatchKind::Expected, Verdict::Fail, "known")
    );
    let g = gate(&r);
    assert_eq!(g.exit_code, 0);
    assert!(g.unexpected.is_empty());
    assert_eq!(g.counts.get(Verdict::Fail), 1, "still counted as FAIL");
}

#[test]
fn expected_error_and_different_verdict() {
    let mut r = run(&[("A", Verdict::Error), ("B", Verdict::Error)]);
    expect("[cases.A]\nverdict = \"ERROR\"\n[cases.B]\nverdict = \"FAIL\"\n").apply(&mut r);
    assert_eq!(
        r.cases[1].expectation.as_ref().unwrap().kind,
        MatchKind::Different
    );
    let g = gate(&r);
    assert_eq!(g.exit_code, 2, "B's ERROR was not the expected verdict");
    assert_eq!(g.unexpected.len(), 1);
    assert_eq!(g.unexpected[0].id, "B");

    let mut r = run(&[("A", Verdict::Error)]);
    expect("[cases.A]\nverdict = \"ERROR\"\n").apply(&mut r);
    assert_eq!(gate(&r).exit_code, 0);
}

#[test]
fn unexpected_pass_is_reported_not_gating() {
    let mut r = run(&[("A", Verdict::Pass), ("B", Verdict::Pass)]);
    expect("[cases.B]\nverdict = \"FAIL\"\nreason = \"r\"\n").apply(&mut r);
    let g = gate(&r);
    assert_eq!(g.exit_code, 0);
    assert_eq!(g.unexpected_passes, ["B"]);
    assert!(
        r.summary_line().ends_with("; 1 unexpected pass"),
        "{}",
        r.summary_line()
    );
}

#[test]
fn unknown_case_is_a_warning() {
    let mut r = run(&[("A", Verdict::Fail)]);
    let warnings = expect("[cases.ZZZ-999]\nverdict = \"FAIL\"\n").apply(&mut r);
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains("ZZZ-999"), "{}", warnings[0]);
    assert_eq!(gate(&r).exit_code, 1);
}

#[test]
fn bad_expectation_files_are_errors() {
    for bad in [
        "[cases.A]\nverdict = \"BROKEN\"\n",
        "[cases.A]\nreason = \"no verdict\"\n",
        "[cases.A]\nverdict = \"FAIL\"\nverdikt = \"x\"\n",
        "not toml [",
    ] {
        let err = Expectations::parse(bad, Path::new("e.toml")).unwrap_err();
        assert!(err.to_string().contains("e.toml"), "{err}");
    }
    let missing = Expectations::read(Path::new("/nonexistent/expect.toml")).unwrap_err();
    assert!(missing.to_string().contains("/nonexistent/expect.toml"));
}
