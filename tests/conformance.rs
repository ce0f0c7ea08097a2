//! The conformance catalogue (`features/`) against the embedded reference eIM, then the fault
//! sweep. `harness = false`: cucumber runs the scenarios; this target prints one line a case and
//! a closing `N passed, N failed` line (cucumber prints no `test result:` line of its own).
//!
//! 1. The whole catalogue with no fault: every case must PASS.
//! 2. For each fault switch of the reference eIM: the cases tagged `@catches:FAULT` run against
//!    the eIM with that fault and each must FAIL (or NON_STRICT for a `@should`/`@may`); every
//!    switch must be claimed by some case, and every `@catches` must name a switch.
//!
//! The target fails when any of this does not hold, or when no case ran. `SGP32_SWEEP=0` skips
//! the sweep (for a quick catalogue run while writing features).

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::sync::Arc;

use sgp32_harness::conformance::{Observer, RunOptions, TagFilter, catalogue, run};
use sgp32_harness::eim::{EimFault, EimFaults};
use sgp32_harness::pki::Pki;
use sgp32_harness::report::{CaseResult, Verdict};

struct Lines(&'static str);

impl Observer for Lines {
    fn finished(&self, case: &CaseResult) {
        println!(
            "{}{:<12} {:<11} {}",
            self.0,
            case.id,
            case.verdict.as_str(),
            case.title
        );
        if case.verdict != Verdict::Pass {
            println!(
                "{}    {} | expected {} | saw {}",
                self.0, case.requirement, case.expected, case.actual
            );
        }
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    match conformance().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("the conformance run could not be made: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn conformance() -> anyhow::Result<bool> {
    let pki = Arc::new(Pki::generate(7, 0)?);
    let mut options = RunOptions::reference(pki);
    options.root = concat!(env!("CARGO_MANIFEST_DIR"), "/features").into();
    options.out = Some(concat!(env!("CARGO_TARGET_TMPDIR"), "/conformance").into());

    // 1. The catalogue, no fault: all pass.
    let results = run(&options, Some(Arc::new(Lines("")))).await?;
    let passed = results
        .cases
        .iter()
        .filter(|c| c.verdict == Verdict::Pass)
        .count();
    let failed = results.cases.len() - passed;
    let mut ok = failed == 0;
    if results.cases.is_empty() {
        eprintln!("no scenario ran");
        ok = false;
    }

    // 2. The fault sweep.
    let mut sweep_passed = 0;
    let mut sweep_failed = 0;
    if std::env::var("SGP32_SWEEP").as_deref() != Ok("0") {
        let cases = catalogue::load(&options.root)?;
        let known: BTreeSet<&str> = EimFault::ALL.iter().map(|f| f.name()).collect();
        for case in &cases {
            for name in &case.catches {
                if !known.contains(name.as_str()) {
                    println!("{}: @catches:{name} names no fault switch", case.id);
                    ok = false;
                }
            }
        }
        for fault in EimFault::ALL {
            let claimed = cases
                .iter()
                .filter(|c| c.catches.iter().any(|n| n == fault.name()))
                .count();
            if claimed == 0 {
                println!("fault {fault}: no case claims it (@catches:{fault})");
                ok = false;
                continue;
            }
            let mut with_fault = options.clone();
            with_fault.faults = EimFaults::NONE.with(fault);
            with_fault.tags = TagFilter::parse(&format!("@catches:{fault}"))?;
            with_fault.out = None;
            let prefix: &'static str = Box::leak(format!("[{fault}] ").into_boxed_str());
            let swept = run(&with_fault, Some(Arc::new(Lines(prefix)))).await?;
            for c in &swept.cases {
                let caught = c.verdict == c.level.failed_verdict();
                if caught {
                    sweep_passed += 1;
                } else {
                    sweep_failed += 1;
                    println!(
                        "fault {fault}: case {} should fail with it but was {}",
                        c.id, c.verdict
                    );
                }
            }
        }
        ok &= sweep_failed == 0;
    }
    println!(
        "{} passed, {} failed",
        passed + sweep_passed,
        failed + sweep_failed
    );
    Ok(ok)
}
