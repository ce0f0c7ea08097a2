//! Comparison of two runs (`sgp32 compare BASE NEW`).
//!
//! Cases are matched by id. Each case present in both runs is judged by [`Change::between`]:
//! - both verdicts ranked ([`Verdict::severity`]): higher rank in NEW is **worse**, lower is
//!   **better**, equal rank (e.g. SKIP -> UNSUPPORTED) is the same;
//! - X -> ERROR (X not ERROR) is **worse**: the new run no longer shows what the baseline
//!   showed, and a regression gate must not pass because the harness broke. It is printed as
//!   a harness error, not as a failure of the SUT;
//! - ERROR -> FAIL or NON_STRICT is **worse** (a failure the baseline did not show);
//!   ERROR -> PASS, SKIP or UNSUPPORTED is **better**; ERROR -> ERROR is the same.
//!
//! A case only in NEW **appeared**, a case only in BASE **disappeared**: both are listed but
//! neither makes the comparison fail (the catalogue or the `--tags` filter changed).
//! [`Comparison::is_worse`] (exit 1) is true when any case got worse.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{RunResults, Verdict};

/// How a case's verdict changed from BASE to NEW.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    Better,
    Worse,
    /// Only in NEW.
    Appeared,
    /// Only in BASE.
    Disappeared,
}

impl Change {
    /// The change between two verdicts of the same case (rules in the module docs).
    pub fn between(base: Verdict, new: Verdict) -> Change {
        match (base.severity(), new.severity()) {
            (Some(b), Some(n)) if n > b => Change::Worse,
            (Some(b), Some(n)) if n < b => Change::Better,
            (Some(_), Some(_)) | (None, None) => Change::Same,
            (Some(_), None) => Change::Worse,
            (None, Some(n)) if n >= 2 => Change::Worse,
            (None, Some(_)) => Change::Better,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Change::Same => "same",
            Change::Better => "better",
            Change::Worse => "worse",
            Change::Appeared => "appeared",
            Change::Disappeared => "disappeared",
        }
    }
}

/// One case of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseChange {
    pub id: String,
    pub base: Option<Verdict>,
    pub new: Option<Verdict>,
    pub change: Change,
}

/// The comparison of two runs, cases sorted by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub cases: Vec<CaseChange>,
}

/// Compares BASE and NEW case by case (see the module docs).
pub fn compare(base: &RunResults, new: &RunResults) -> Comparison {
    let mut by_id: BTreeMap<&str, (Option<Verdict>, Option<Verdict>)> = BTreeMap::new();
    for case in &base.cases {
        by_id.entry(&case.id).or_default().0 = Some(case.verdict);
    }
    for case in &new.cases {
        by_id.entry(&case.id).or_default().1 = Some(case.verdict);
    }
    let cases = by_id
        .into_iter()
        .map(|(id, (b, n))| {
            let change = match (b, n) {
                (Some(b), Some(n)) => Change::between(b, n),
                (None, _) => Change::Appeared,
                (Some(_), None) => Change::Disappeared,
            };
            CaseChange {
                id: id.to_owned(),
                base: b,
                new: n,
                change,
            }
        })
        .collect();
    Comparison { cases }
}

impl Comparison {
    /// True when any case got worse (`sgp32 compare` exits 1).
    pub fn is_worse(&self) -> bool {
        self.cases.iter().any(|c| c.change == Change::Worse)
    }

    /// The number of cases with this change.
    pub fn count(&self, change: Change) -> usize {
        self.cases.iter().filter(|c| c.change == change).count()
    }

    /// The text `sgp32 compare` prints: one line per changed case
    /// (`worse       PSMO-003  PASS -> FAIL`; a new ERROR is marked `(harness error)`), then a
    /// count line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let name = |v: Option<Verdict>| v.map_or("-", Verdict::as_str);
        for case in self.cases.iter().filter(|c| c.change != Change::Same) {
            let note = if case.new == Some(Verdict::Error) {
                "  (harness error, not a failure of the SUT)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{:<11} {}  {} -> {}{note}",
                case.change.label(),
                case.id,
                name(case.base),
                name(case.new)
            );
        }
        let _ = writeln!(
            out,
            "{} worse, {} better, {} same, {} appeared, {} disappeared",
            self.count(Change::Worse),
            self.count(Change::Better),
            self.count(Change::Same),
            self.count(Change::Appeared),
            self.count(Change::Disappeared)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::*;

    #[test]
    fn change_rules() {
        assert_eq!(Change::between(Pass, Fail), Change::Worse);
        assert_eq!(Change::between(Pass, NonStrict), Change::Worse);
        assert_eq!(Change::between(Pass, Skip), Change::Worse);
        assert_eq!(Change::between(NonStrict, Fail), Change::Worse);
        assert_eq!(Change::between(Fail, Pass), Change::Better);
        assert_eq!(Change::between(Skip, Unsupported), Change::Same);
        assert_eq!(Change::between(Pass, Error), Change::Worse);
        assert_eq!(Change::between(Fail, Error), Change::Worse);
        assert_eq!(Change::between(Error, Error), Change::Same);
        assert_eq!(Change::between(Error, Pass), Change::Better);
        assert_eq!(Change::between(Error, Unsupported), Change::Better);
        assert_eq!(Change::between(Error, NonStrict), Change::Worse);
        assert_eq!(Change::between(Error, Fail), Change::Worse);
    }
}
