//! Expectations files (`--expect FILE`) and the CI gate.
//!
//! The file is TOML, one table per case:
//! ```toml
//! [cases."PSMO-003"]
//! verdict = "FAIL"
//! reason = "vendor X reports disable of an enabled profile as undefinedError (ticket 42)"
//! ```
//! Applying it to a run ([`Expectations::apply`]) marks each named case with an
//! [`ExpectationMatch`]:
//! - [`MatchKind::Expected`]: the verdict is the expected one; a FAIL or ERROR so marked does not
//!   break the gate ("expected failure");
//! - [`MatchKind::UnexpectedPass`]: a non-PASS verdict was expected and the case passed; it is
//!   reported (summary, summary line, JUnit note) but does not fail the gate;
//! - [`MatchKind::Different`]: another non-PASS verdict than expected (e.g. ERROR instead of
//!   FAIL); the actual verdict counts in the gate as if there were no expectation.
//!
//! An expectation naming a case that is not in the run is returned as a warning (the catalogue
//! or the `--tags` filter changed; not an error, since a filtered run legitimately lacks cases).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Counts, ReportError, RunResults, Verdict};

/// One expectation: the verdict a case is known to get, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub verdict: Verdict,
    #[serde(default)]
    pub reason: String,
}

/// An expectations file: case id -> expectation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    #[serde(default)]
    pub cases: BTreeMap<String, Expectation>,
}

/// How a case's verdict relates to its expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The verdict is the expected one.
    Expected,
    /// A non-PASS verdict was expected; the case passed.
    UnexpectedPass,
    /// Another non-PASS verdict than the expected one.
    Different,
}

/// The expectation a case was held to, recorded in `results.json` as
/// `"expectation": {"verdict": "FAIL", "reason": "...", "kind": "expected"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectationMatch {
    /// The expected verdict.
    pub verdict: Verdict,
    pub reason: String,
    pub kind: MatchKind,
}

impl Expectations {
    /// Parses an expectations file's text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ReportError> {
        toml::from_str(text).map_err(|source| ReportError::Toml {
            path: path.to_owned(),
            source,
        })
    }

    /// Reads and parses an expectations file.
    pub fn read(path: &Path) -> Result<Self, ReportError> {
        let text = std::fs::read_to_string(path).map_err(|source| ReportError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Marks each case of `run` that an expectation names (replacing an earlier mark; a case
    /// no longer named loses its mark). Returns a warning per expectation naming no case of the run.
    pub fn apply(&self, run: &mut RunResults) -> Vec<String> {
        for case in &mut run.cases {
            case.expectation = self.cases.get(&case.id).map(|exp| {
                let kind = if case.verdict == exp.verdict {
                    MatchKind::Expected
                } else if case.verdict == Verdict::Pass {
                    MatchKind::UnexpectedPass
                } else {
                    MatchKind::Different
                };
                ExpectationMatch {
                    verdict: exp.verdict,
                    reason: exp.reason.clone(),
                    kind,
                }
            });
        }
        self.cases
            .keys()
            .filter(|id| !run.cases.iter().any(|c| &c.id == *id))
            .map(|id| format!("expectation for unknown case {id}: no such case in this run"))
            .collect()
    }
}

/// A case that decides the gate: an unexpected FAIL or ERROR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unexpected {
    pub id: String,
    pub verdict: Verdict,
}

/// What the gate concluded about a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateOutcome {
    /// 0 pass, 1 an unexpected FAIL, 2 an unexpected ERROR (harness error; wins over 1).
    pub exit_code: u8,
    pub counts: Counts,
    /// The unexpected FAIL and ERROR cases, in run order.
    pub unexpected: Vec<Unexpected>,
    /// Cases expected not to pass that passed (reported, not gating).
    pub unexpected_passes: Vec<String>,
}

/// The CI gate over a run (after [`Expectations::apply`], if any): see the module docs.
pub fn gate(run: &RunResults) -> GateOutcome {
    let mut unexpected = Vec::new();
    let mut unexpected_passes = Vec::new();
    for case in &run.cases {
        let kind = case.expectation.as_ref().map(|e| e.kind);
        if kind == Some(MatchKind::UnexpectedPass) {
            unexpected_passes.push(case.id.clone());
        }
        let gating = matches!(case.verdict, Verdict::Fail | Verdict::Error);
        if gating && kind != Some(MatchKind::Expected) {
            unexpected.push(Unexpected {
                id: case.id.clone(),
                verdict: case.verdict,
            });
        }
    }
    let exit_code = if unexpected.iter().any(|u| u.verdict == Verdict::Error) {
        2
    } else if unexpected.is_empty() {
        0
    } else {
        1
    };
    GateOutcome {
        exit_code,
        counts: run.counts(),
        unexpected,
        unexpected_passes,
    }
}
