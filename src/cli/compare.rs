//! `sgp32 compare BASE NEW`: two `results.json` files, case by case.
//!
//! Prints one line per case that got worse, better, appeared or disappeared, then a count
//! line; the rules are in [`crate::report::compare::Change::between`] and the
//! `report::compare` module docs. Exit 1 when any case's verdict got worse, 0 otherwise, 2 when
//! a file can't be read or isn't a results.json.

use std::path::PathBuf;

use clap::Args;

use super::Outcome;
use crate::report::{RunResults, compare};

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The baseline results.json.
    pub base: PathBuf,
    /// The new results.json.
    pub new: PathBuf,
}

pub fn run(args: &CompareArgs) -> anyhow::Result<Outcome> {
    let base = RunResults::read(&args.base)?;
    let new = RunResults::read(&args.new)?;
    let comparison = compare(&base, &new);
    print!("{}", comparison.render());
    Ok(if comparison.is_worse() {
        Outcome::CheckFailed
    } else {
        Outcome::Success
    })
}
