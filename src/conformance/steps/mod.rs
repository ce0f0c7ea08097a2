//! Step definitions, one file per domain concept. Each file has a `register` function adding
//! its steps to the collection; [`collection`] has them all.
//!
//! A step is an `async fn(&mut EimWorld, Args) -> StepResult` registered with a regex through
//! [`step!`](crate::step); patterns are anchored (`^...$`) so that no two steps overlap.
//! Words the catalogue uses throughout:
//! - "device" is an IPA with its eUICC; "device 2" is the second one set up, no number means
//!   the last one;
//! - profiles `A` (enabled on a new device), `B` and `C` (disabled), or ICCID digits;
//! - "the SUT" is the eIM under test, reached over ESipa (the wire) and its order API (the
//!   adapter).

use std::future::Future;
use std::pin::Pin;
use std::str::FromStr;

use cucumber::step::Collection;
use regex::Regex;

use super::world::{EimWorld, StepError, StepResult, harness};

pub mod binding;
pub mod coap;
pub mod download;
pub mod eco;
pub mod esipa;
pub mod euicc_data;
pub mod fleet;
pub mod orders;
pub mod results;
pub mod robustness;
pub mod security;

/// The future a registered step returns.
pub type StepFuture<'a> = Pin<Box<dyn Future<Output = ()> + 'a>>;

/// Turns `async fn(&mut EimWorld, Args) -> StepResult` into a cucumber step: a failure is
/// recorded in the World (the first one decides the verdict) and ends the scenario.
#[macro_export]
macro_rules! step {
    ($f:path) => {{
        fn adapter<'a>(
            w: &'a mut $crate::conformance::world::EimWorld,
            ctx: ::cucumber::step::Context,
        ) -> $crate::conformance::steps::StepFuture<'a> {
            Box::pin(async move {
                let args = $crate::conformance::steps::Args::from_context(&ctx);
                let result = $f(w, args).await;
                $crate::conformance::steps::conclude(w, result);
            })
        }
        adapter as ::cucumber::Step<$crate::conformance::world::EimWorld>
    }};
}

/// Records a step's failure and ends the step (without the panic hook's noise).
pub fn conclude(w: &mut EimWorld, result: StepResult) {
    if let Err(e) = result {
        w.record(&e);
        std::panic::resume_unwind(Box::new(e.to_string()));
    }
}

/// A step's arguments: the regex captures (1-based as in the pattern), the doc string and the
/// data table.
#[derive(Debug, Clone, Default)]
pub struct Args {
    captures: Vec<Option<String>>,
    pub docstring: Option<String>,
    pub table: Vec<Vec<String>>,
}

impl Args {
    /// From cucumber's step context.
    pub fn from_context(ctx: &cucumber::step::Context) -> Args {
        Args {
            captures: ctx
                .matches
                .iter()
                .skip(1)
                .map(|(_, v)| Some(v.clone()))
                .collect(),
            docstring: ctx.step.docstring.clone(),
            table: ctx
                .step
                .table
                .as_ref()
                .map(|t| t.rows.clone())
                .unwrap_or_default(),
        }
    }

    /// Capture `i` (1-based), if the optional group matched (empty counts as absent).
    pub fn opt(&self, i: usize) -> Option<&str> {
        self.captures
            .get(i.wrapping_sub(1))
            .and_then(|c| c.as_deref())
            .filter(|s| !s.is_empty())
    }

    /// Capture `i` (1-based).
    pub fn str(&self, i: usize) -> Result<&str, StepError> {
        self.opt(i)
            .ok_or_else(|| harness(format!("step capture {i} is missing")))
    }

    /// Capture `i` parsed.
    pub fn parse<T: FromStr>(&self, i: usize) -> Result<T, StepError>
    where
        T::Err: std::fmt::Display,
    {
        let s = self.str(i)?;
        s.parse()
            .map_err(|e| harness(format!("step capture {i} ({s:?}): {e}")))
    }

    /// Capture `i` parsed, when present.
    pub fn parse_opt<T: FromStr>(&self, i: usize) -> Result<Option<T>, StepError>
    where
        T::Err: std::fmt::Display,
    {
        self.opt(i).map(|_| self.parse(i)).transpose()
    }
}

/// A step pattern; patterns are literals of this crate.
pub fn re(pattern: &str) -> Regex {
    #[allow(clippy::expect_used)] // a pattern of the catalogue's own code; tested by every run
    Regex::new(pattern).expect("step pattern")
}

/// Every step of the catalogue.
pub fn collection() -> Collection<EimWorld> {
    let c = Collection::new();
    let c = fleet::register(c);
    let c = results::register(c);
    let c = eco::register(c);
    let c = orders::register(c);
    let c = esipa::register(c);
    let c = euicc_data::register(c);
    let c = security::register(c);
    let c = robustness::register(c);
    let c = download::register(c);
    let c = coap::register(c);
    binding::register(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_compiles_and_is_anchored() {
        // Building the collection compiles every pattern.
        let c = collection();
        let text = format!("{c:?}");
        assert!(!text.is_empty());
    }
}
