//! Devices: setting up the fleet of a scenario and running ESipa procedures (polls).

use cucumber::step::Collection;

use super::{Args, re};
use crate::conformance::world::{DeviceSpec, EimWorld, StepResult, check, fail};
use crate::ipa::IpaOutcome;
use crate::step;

pub fn register(c: Collection<EimWorld>) -> Collection<EimWorld> {
    c.given(
        None,
        re(r"^a device registered at the SUT$"),
        step!(registered),
    )
    .given(
        None,
        re(r"^(\d+) devices registered at the SUT$"),
        step!(many_registered),
    )
    .given(
        None,
        re(r"^a device the SUT does not know$"),
        step!(unknown),
    )
    .given(
        None,
        re(r"^a device registered at the SUT without its certificate$"),
        step!(without_certificate),
    )
    .when(
        None,
        re(r"^(?:the device|device (\d+)) polls the SUT$"),
        step!(polls),
    )
    .when(
        None,
        re(r"^(?:the device|device (\d+)) polls the SUT until it has nothing to do$"),
        step!(polls_until_idle),
    )
    .then(
        None,
        re(r"^the SUT has no package for (?:the device|device (\d+))$"),
        step!(nothing_to_do),
    )
    .then(
        None,
        re(r"^(?:the device|device (\d+)) executed an eUICC package$"),
        step!(executed),
    )
}

async fn registered(w: &mut EimWorld, _: Args) -> StepResult {
    w.add_device(DeviceSpec::default()).await.map(|_| ())
}

async fn many_registered(w: &mut EimWorld, a: Args) -> StepResult {
    for _ in 0..a.parse::<usize>(1)? {
        w.add_device(DeviceSpec::default()).await?;
    }
    Ok(())
}

async fn unknown(w: &mut EimWorld, _: Args) -> StepResult {
    let spec = DeviceSpec {
        registered: false,
        ..DeviceSpec::default()
    };
    w.add_device(spec).await.map(|_| ())
}

async fn without_certificate(w: &mut EimWorld, _: Args) -> StepResult {
    let spec = DeviceSpec {
        with_certificate: false,
        ..DeviceSpec::default()
    };
    w.add_device(spec).await.map(|_| ())
}

async fn polls(w: &mut EimWorld, a: Args) -> StepResult {
    w.poll(a.parse_opt(1)?).await.map(|_| ())
}

async fn polls_until_idle(w: &mut EimWorld, a: Args) -> StepResult {
    let number = a.parse_opt(1)?;
    for _ in 0..16 {
        let outcome = w.poll(number).await?;
        if !matches!(
            outcome,
            IpaOutcome::PackageExecuted { .. } | IpaOutcome::EuiccDataProvided { .. }
        ) {
            return Ok(());
        }
    }
    Err(fail(
        "SGP.32 3.3.1: each package is delivered once",
        "noEimPackageAvailable within 16 polls",
        "a package on every poll",
    ))
}

async fn nothing_to_do(w: &mut EimWorld, a: Args) -> StepResult {
    let outcome = w.last_outcome(a.parse_opt(1)?)?;
    check(
        outcome == IpaOutcome::NothingToDo,
        "SGP.32 6.3.2.6: GetEimPackage answers noEimPackageAvailable when nothing is queued",
        "eimPackageError noEimPackageAvailable",
        outcome,
    )
}

async fn executed(w: &mut EimWorld, a: Args) -> StepResult {
    let outcome = w.last_outcome(a.parse_opt(1)?)?;
    // An unsigned error (no seqNumber) means the eUICC refused the package itself (its
    // signature, EID or counter): the package was not executed.
    check(
        matches!(
            outcome,
            IpaOutcome::PackageExecuted {
                seq_number: Some(_),
                ..
            }
        ),
        "SGP.32 3.3.1: the ordered eUICC Package is verified and executed by the eUICC and its signed result delivered",
        "an executed package with a signed result",
        outcome,
    )
}
