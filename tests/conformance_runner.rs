//! The runner's verdicts on a small hand-made catalogue against the embedded reference eIM:
//! PASS, FAIL (a @must the SUT breaks), NON_STRICT (the same as a @should), ERROR (a step no
//! definition matches: the harness's problem), UNSUPPORTED (a feature the SUT declares absent),
//! traces written, and a badly tagged catalogue refused.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use sgp32_harness::conformance::{RunError, RunOptions, TagFilter, run};
use sgp32_harness::pki::Pki;
use sgp32_harness::report::Verdict;

fn pki() -> Arc<Pki> {
    static PKI: OnceLock<Arc<Pki>> = OnceLock::new();
    PKI.get_or_init(|| Arc::new(Pki::generate(11, 0).unwrap()))
        .clone()
}

fn catalogue(name: &str, features: &[(&str, &str)]) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("runner-{name}"));
    let _ = std::fs::remove_dir_all(&root);
    for (file, text) in features {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    root
}

const VERDICTS: &str = r#"@esipa @role:eim
Feature: verdicts

  @id:T-PASS @spec:6.3.2.6 @must @catches:choice-tag-twice
  Scenario: nothing queued
    Given a device registered at the SUT
    When the device polls the SUT
    Then the SUT has no package for the device

  @id:T-FAIL @spec:6.3.2.6 @must @catches:choice-tag-twice
  Scenario: an unknown device expects no package (the SUT rightly answers eidNotFound)
    Given a device the SUT does not know
    When the device polls the SUT
    Then the SUT has no package for the device

  @id:T-SHOULD @spec:6.3.2.6 @should
  Scenario: the same as a should
    Given a device the SUT does not know
    When the device polls the SUT
    Then the SUT has no package for the device

  @id:T-ERROR @spec:6.3.2.6 @must @catches:choice-tag-twice
  Scenario: a step nobody wrote
    Given a device registered at the SUT
    When the harness does something it cannot do

  @id:T-UNSUP @spec:6.3.2.6 @must @catches:choice-tag-twice @feature:injection
  Scenario: a feature the reference eIM declares absent
    Given a device registered at the SUT
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_verdict_comes_from_what_happened() {
    let root = catalogue("verdicts", &[("esipa/verdicts.feature", VERDICTS)]);
    let mut options = RunOptions::reference(pki());
    options.root = root.clone();
    options.out = Some(root.join("out"));
    let results = run(&options, None).await.unwrap();
    let verdict = |id: &str| {
        results
            .cases
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{id} missing: {results:#?}"))
            .clone()
    };
    assert_eq!(verdict("T-PASS").verdict, Verdict::Pass);
    let fail = verdict("T-FAIL");
    assert_eq!(fail.verdict, Verdict::Fail, "{fail:#?}");
    assert!(fail.requirement.contains("6.3.2.6"), "{fail:#?}");
    assert!(fail.expected.contains("noEimPackageAvailable"), "{fail:#?}");
    assert!(fail.actual.contains("eidNotFound"), "{fail:#?}");
    assert_eq!(verdict("T-SHOULD").verdict, Verdict::NonStrict);
    let error = verdict("T-ERROR");
    assert_eq!(error.verdict, Verdict::Error, "{error:#?}");
    assert!(error.actual.contains("matches no step"), "{error:#?}");
    assert_eq!(verdict("T-UNSUP").verdict, Verdict::Unsupported);
    assert_eq!(results.cases.len(), 5);

    // Traces: the failed case's trace holds the poll and the SUT's answer.
    let trace = fail.trace.expect("a trace");
    let text = std::fs::read_to_string(root.join("out").join(trace)).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["direction"] == "ipa->eim" && l["type"] == "EsipaMessageFromIpaToEim")
    );
    assert!(
        lines
            .iter()
            .any(|l| l["direction"] == "eim->ipa" && l["status"] == 200)
    );

    // --tags selects; an unsupported case is still reported when selected.
    options.tags = TagFilter::parse("@must and not @feature:injection").unwrap();
    options.out = None;
    let results = run(&options, None).await.unwrap();
    let ids: Vec<&str> = results.cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["T-PASS", "T-FAIL", "T-ERROR"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_badly_tagged_catalogue_is_refused() {
    for (name, text) in [
        (
            "no-catches",
            "@esipa\nFeature: x\n  @id:X-1 @spec:1 @must\n  Scenario: s\n    Given a device registered at the SUT\n",
        ),
        (
            "no-id",
            "@esipa\nFeature: x\n  @spec:1 @should\n  Scenario: s\n    Given a device registered at the SUT\n",
        ),
        (
            "duplicate",
            "@esipa\nFeature: x\n  @id:X-1 @spec:1 @should\n  Scenario: a\n    Given a device registered at the SUT\n  @id:X-1 @spec:1 @should\n  Scenario: b\n    Given a device registered at the SUT\n",
        ),
        (
            "no-area",
            "Feature: x\n  @id:X-1 @spec:1 @should\n  Scenario: s\n    Given a device registered at the SUT\n",
        ),
    ] {
        let root = catalogue(name, &[("esipa/x.feature", text)]);
        let mut options = RunOptions::reference(pki());
        options.root = root;
        let err = run(&options, None).await.unwrap_err();
        assert!(matches!(err, RunError::Catalogue(_)), "{name}: {err}");
    }
}
