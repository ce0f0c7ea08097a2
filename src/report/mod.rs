//! Conformance reports: verdicts, run results, expectations, the CI gate, the report writers
//! and the comparison of two runs (ARCHITECTURE.md "Verdicts" and "Reports", CLI.md, issue 5).
//!
//! The conformance runner fills a [`RunResults`] (one [`CaseResult`] per scenario), applies an
//! expectations file ([`Expectations::apply`]), writes the reports ([`write_all`]) and maps
//! [`gate`] onto the exit status. `sgp32 compare` uses [`compare()`].
//!
//! # Verdicts
//! PASS, FAIL (a `@must` requirement is violated), NON_STRICT (a `@should` is not met; a failed
//! `@may` is NON_STRICT too, see [`Level::failed_verdict`]), UNSUPPORTED (the SUT profile
//! declares the feature absent), SKIP (not run: filtered out or a precondition not met), ERROR
//! (the harness could not run the case). Serialized in upper case: `PASS`, `FAIL`,
//! `NON_STRICT`, `UNSUPPORTED`, `SKIP`, `ERROR`.
//!
//! **How bad** ([`Verdict::severity`]), used by `compare`:
//! `PASS (0) < UNSUPPORTED = SKIP (1) < NON_STRICT (2) < FAIL (3)`.
//! ERROR has no rank: it says nothing about the SUT and is never reported as the SUT's FAIL.
//! See [the `compare` module](mod@compare) for how a change to or from ERROR is judged.
//!
//! # Gate ([`gate`])
//! - exit 2 (harness error) when any ERROR case is not expected (an expectation
//!   `verdict = "ERROR"` covers it); this wins over exit 1, since the run is incomplete;
//! - else exit 1 when any FAIL case is not expected;
//! - else exit 0. NON_STRICT, SKIP and UNSUPPORTED never fail the gate (they are counted and
//!   listed in the summary); an unexpected pass is reported but does not fail the gate (as in
//!   BoGo / tlsfuzzer: the expectations file should then be tightened, which a human decides).
//!
//! # Files (written by [`write_all`] into `--out DIR`, default `reports/<run-id>/`)
//! - `results.json`: [`RunResults`] as JSON: `run_id`, `sut`, `transport`, `sgp32_version`,
//!   `started` (RFC 3339 UTC), `cases` (see [`CaseResult`]; `trace` and `expectation` omitted
//!   when absent). Read back with [`RunResults::read`].
//! - `junit.xml`: see [`junit_xml`].
//! - `summary.md`: see [`summary_md`].
//! - `index.html`: see [`index_html`].
//! - `cases/case-ID.html`: a page per case with its decoded trace, see [`case_html`].
//!
//! The run id is the UTC start time in a form fit for a directory name:
//! `2026-11-27T08-33-09Z` ([`run_id`]).

pub mod compare;
pub mod expect;
pub mod writers;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub use compare::{CaseChange, Change, Comparison, compare};
pub use expect::{
    Expectation, ExpectationMatch, Expectations, GateOutcome, MatchKind, Unexpected, gate,
};
pub use writers::{
    case_html, case_page, index_html, junit_xml, results_json, summary_md, write_all,
};

/// Errors of reading, parsing and writing report files.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a valid results.json: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path} is not a valid expectations file: {source}")]
    Toml {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot serialize results: {0}")]
    Serialize(#[from] serde_json::Error),
    #[error("cannot format time: {0}")]
    Time(#[from] time::error::Format),
}

/// The verdict of one case (ARCHITECTURE.md "Verdicts").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// The requirement is met.
    Pass,
    /// A `@must` requirement is violated.
    Fail,
    /// A `@should` (or `@may`) requirement is not met.
    NonStrict,
    /// The SUT profile declares the feature absent.
    Unsupported,
    /// Not run (filtered out, or a precondition of the scenario not met).
    Skip,
    /// The harness could not run the case; never blamed on the SUT.
    Error,
}

impl Verdict {
    /// All verdicts, in report order.
    pub const ALL: [Verdict; 6] = [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::NonStrict,
        Verdict::Unsupported,
        Verdict::Skip,
        Verdict::Error,
    ];

    /// The serialized name (`PASS`, `NON_STRICT`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::NonStrict => "NON_STRICT",
            Verdict::Unsupported => "UNSUPPORTED",
            Verdict::Skip => "SKIP",
            Verdict::Error => "ERROR",
        }
    }

    /// How bad the verdict is for the SUT: PASS 0, UNSUPPORTED and SKIP 1, NON_STRICT 2,
    /// FAIL 3; `None` for ERROR (a harness problem says nothing about the SUT).
    pub fn severity(self) -> Option<u8> {
        match self {
            Verdict::Pass => Some(0),
            Verdict::Unsupported | Verdict::Skip => Some(1),
            Verdict::NonStrict => Some(2),
            Verdict::Fail => Some(3),
            Verdict::Error => None,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The requirement level of a case (`@must`, `@should`, `@may`; RFC 2119 as used by SGP.32).
/// Serialized in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Must,
    Should,
    May,
}

impl Level {
    /// The verdict of a case of this level whose check failed: FAIL for `@must`, NON_STRICT for
    /// `@should` and `@may` (an optional behaviour done wrongly is reported, not gated).
    pub fn failed_verdict(self) -> Verdict {
        match self {
            Level::Must => Verdict::Fail,
            Level::Should | Level::May => Verdict::NonStrict,
        }
    }

    /// The tag name (`must`, `should`, `may`).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "must",
            Level::Should => "should",
            Level::May => "may",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One case of a run: a scenario of the catalogue and what came of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseResult {
    /// Stable id (`@id:PSMO-003`), without the `id:` prefix.
    pub id: String,
    /// The scenario title.
    pub title: String,
    /// The feature file, relative to the catalogue root (`psmo/enable.feature`).
    pub feature: String,
    /// The SGP.32 section checked (`@spec:2.11.1.1`), e.g. `2.11.1.1`.
    pub spec: String,
    pub level: Level,
    /// All tags of the scenario, without `@`.
    #[serde(default)]
    pub tags: Vec<String>,
    pub verdict: Verdict,
    /// The requirement checked, in words (the failure message).
    #[serde(default)]
    pub requirement: String,
    /// What the requirement expects to see.
    #[serde(default)]
    pub expected: String,
    /// What was seen.
    #[serde(default)]
    pub actual: String,
    pub duration_ms: u64,
    /// The trace file (JSON Lines), relative to the report directory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
    /// Set by [`Expectations::apply`] when an expectation names this case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expectation: Option<ExpectationMatch>,
}

/// The results of one run (`results.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunResults {
    /// The run id ([`run_id`]), also the default report directory name.
    pub run_id: String,
    /// The SUT: `reference` or the SUT profile's name / path.
    pub sut: String,
    /// The ESipa transport (`https`, `http`, `coap`, `coaps`).
    pub transport: String,
    /// The SGP.32 version run (`1.2`).
    pub sgp32_version: String,
    /// Start of the run, RFC 3339 UTC.
    pub started: String,
    pub cases: Vec<CaseResult>,
}

impl RunResults {
    /// An empty run started at `started` (converted to UTC), its id derived from that time.
    pub fn new(
        sut: impl Into<String>,
        transport: impl Into<String>,
        sgp32_version: impl Into<String>,
        started: OffsetDateTime,
    ) -> Result<Self, ReportError> {
        let started = started.to_offset(time::UtcOffset::UTC);
        Ok(RunResults {
            run_id: run_id(started)?,
            sut: sut.into(),
            transport: transport.into(),
            sgp32_version: sgp32_version.into(),
            started: started.format(&Rfc3339)?,
            cases: Vec::new(),
        })
    }

    /// Reads a `results.json`; a missing, unreadable or malformed file is an error.
    pub fn read(path: &Path) -> Result<Self, ReportError> {
        let text = std::fs::read_to_string(path).map_err(|source| ReportError::Read {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| ReportError::Json {
            path: path.to_owned(),
            source,
        })
    }

    /// The number of cases per verdict.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for case in &self.cases {
            counts.add(case.verdict);
        }
        counts
    }

    /// The one closing line for stdout, e.g.
    /// `7 cases: 2 PASS, 1 FAIL, 1 NON_STRICT, 1 UNSUPPORTED, 1 SKIP, 1 ERROR; 1 expected, 1 unexpected pass`
    /// (verdicts with no case are left out; the part after `;` only when expectations apply).
    pub fn summary_line(&self) -> String {
        let counts = self.counts();
        let parts: Vec<String> = Verdict::ALL
            .iter()
            .filter(|v| counts.get(**v) > 0)
            .map(|v| format!("{} {v}", counts.get(*v)))
            .collect();
        let mut line = format!(
            "{} case{}: {}",
            self.cases.len(),
            if self.cases.len() == 1 { "" } else { "s" },
            if parts.is_empty() {
                "none run".to_owned()
            } else {
                parts.join(", ")
            }
        );
        let expected = self.count_matches(MatchKind::Expected);
        let xpass = self.count_matches(MatchKind::UnexpectedPass);
        let mut extra = Vec::new();
        if expected > 0 {
            extra.push(format!("{expected} expected"));
        }
        if xpass > 0 {
            extra.push(format!(
                "{xpass} unexpected pass{}",
                if xpass == 1 { "" } else { "es" }
            ));
        }
        if !extra.is_empty() {
            line.push_str("; ");
            line.push_str(&extra.join(", "));
        }
        line
    }

    fn count_matches(&self, kind: MatchKind) -> usize {
        self.cases
            .iter()
            .filter(|c| c.expectation.as_ref().is_some_and(|e| e.kind == kind))
            .count()
    }
}

/// The number of cases per verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts(BTreeMap<Verdict, usize>);

impl Counts {
    pub fn add(&mut self, verdict: Verdict) {
        *self.0.entry(verdict).or_default() += 1;
    }

    pub fn get(&self, verdict: Verdict) -> usize {
        self.0.get(&verdict).copied().unwrap_or(0)
    }

    pub fn total(&self) -> usize {
        self.0.values().sum()
    }
}

/// The run id for a run started at `started`: its UTC time as `YYYY-MM-DDTHH-MM-SSZ`, fit for
/// a directory name on every OS (no `:`).
pub fn run_id(started: OffsetDateTime) -> Result<String, ReportError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]T[hour]-[minute]-[second]Z");
    Ok(started.to_offset(time::UtcOffset::UTC).format(&fmt)?)
}

/// The default report directory of a run: `reports/<run-id>/`.
pub fn default_out_dir(run_id: &str) -> PathBuf {
    Path::new("reports").join(run_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn run_id_is_utc_and_directory_safe() {
        let id = run_id(datetime!(2026-11-27 09:33:09 +01:00)).unwrap();
        assert_eq!(id, "2026-11-27T08-33-09Z");
        let run = RunResults::new(
            "reference",
            "https",
            "1.2",
            datetime!(2026-11-27 09:33:09 +01:00),
        )
        .unwrap();
        assert_eq!(run.started, "2026-11-27T08:33:09Z");
        assert_eq!(
            default_out_dir(&run.run_id),
            Path::new("reports/2026-11-27T08-33-09Z")
        );
    }

    #[test]
    fn verdict_names_and_order() {
        let names: Vec<String> = Verdict::ALL
            .iter()
            .map(|v| serde_json::to_string(v).unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "\"PASS\"",
                "\"FAIL\"",
                "\"NON_STRICT\"",
                "\"UNSUPPORTED\"",
                "\"SKIP\"",
                "\"ERROR\""
            ]
        );
        assert!(Verdict::Pass.severity() < Verdict::Skip.severity());
        assert_eq!(Verdict::Skip.severity(), Verdict::Unsupported.severity());
        assert!(Verdict::Skip.severity() < Verdict::NonStrict.severity());
        assert!(Verdict::NonStrict.severity() < Verdict::Fail.severity());
        assert_eq!(Verdict::Error.severity(), None);
        assert_eq!(Level::Should.failed_verdict(), Verdict::NonStrict);
        assert_eq!(Level::Must.failed_verdict(), Verdict::Fail);
    }

    #[test]
    fn read_reports_bad_files_as_errors() {
        let dir = std::env::temp_dir().join(format!("sgp32-report-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = RunResults::read(&dir.join("missing.json")).unwrap_err();
        assert!(matches!(missing, ReportError::Read { .. }), "{missing}");
        let bad = dir.join("bad.json");
        std::fs::write(&bad, r#"{"run_id": "x", "cases": [{"verdict": "MAYBE"}]}"#).unwrap();
        let err = RunResults::read(&bad).unwrap_err();
        assert!(matches!(err, ReportError::Json { .. }), "{err}");
        assert!(err.to_string().contains("bad.json"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
