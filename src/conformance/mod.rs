//! The conformance runner (ARCHITECTURE.md "One conformance case, end to end"): the catalogue
//! of Gherkin cases in `features/`, run by cucumber with a [`world::EimWorld`] per scenario,
//! step definitions per domain concept ([`steps`]), verdicts and JSON Lines traces per case.
//!
//! [`runner::run`] is what `sgp32 run` and the `conformance` test target call.

pub mod catalogue;
pub mod context;
pub mod runner;
pub mod steps;
pub mod trace;
pub mod world;

pub use catalogue::{CaseInfo, TagFilter};
pub use runner::{Observer, RunError, RunOptions, SutChoice, run};
pub use world::{EimWorld, StepError, StepResult};
