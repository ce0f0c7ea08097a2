//! Orders at the SUT (through the adapter) and what the SUT reports about them; the profile
//! state the eUICC ends in.

use cucumber::step::Collection;

use super::{Args, re};
use crate::asn1::sgp32::{
    Psmo, PsmoConfigureImmediateEnable, PsmoEmpty, PsmoEnable, PsmoIccid,
    SetDefaultDpAddressRequest,
};
use crate::conformance::world::{EimWorld, StepError, StepResult, check, harness, iccid};
use crate::step;
use crate::sut::{Order, OrderProgress};

pub fn register(c: Collection<EimWorld>) -> Collection<EimWorld> {
    c.when(
        None,
        re(r#"^the SUT is ordered to (enable|disable|delete) profile "([^"]+)"( with rollback allowed)?(?: for device (\d+))?$"#),
        step!(order_profile),
    )
    .when(
        None,
        re(r#"^the SUT is ordered to (list the profiles|get the RAT|unset the fallback attribute|enable immediate enable)(?: for device (\d+))?$"#),
        step!(order_simple),
    )
    .when(
        None,
        re(r#"^the SUT is ordered to set the fallback attribute on profile "([^"]+)"(?: for device (\d+))?$"#),
        step!(order_fallback),
    )
    .when(
        None,
        re(r#"^the SUT is ordered to set the default SM-DP\+ address to "([^"]*)"(?: for device (\d+))?$"#),
        step!(order_default_dp),
    )
    .when(
        None,
        re(r"^the SUT is ordered one package of PSMOs:$"),
        step!(order_package),
    )
    .then(
        None,
        re(r#"^(?:profile "([^"]+)" is|no profile is) the fallback profile on the device$"#),
        step!(fallback_state),
    )
    .then(
        None,
        re(r#"^the default SM-DP\+ address of the device is "([^"]*)"$"#),
        step!(default_dp_state),
    )
    .then(
        None,
        re(r"^immediate enable is configured on the device$"),
        step!(immediate_enable_state),
    )
    .then(
        None,
        re(r#"^the device keeps a rollback point to profile "([^"]+)"$"#),
        step!(rollback_state),
    )
    .then(
        None,
        re(r"^the SUT reports the order (done|failed|delivered|queued)$"),
        step!(order_state),
    )
    .then(
        None,
        re(r#"^profile "([^"]+)" is (enabled|disabled|not installed) on (?:the device|device (\d+))$"#),
        step!(profile_state),
    )
}

/// Places a PSMO order for the device a capture names.
pub async fn order_psmos(w: &mut EimWorld, number: Option<usize>, psmos: Vec<Psmo>) -> StepResult {
    let device = w.position(number)?;
    w.place_order(device, Order::Psmos(psmos)).await.map(|_| ())
}

/// An enable, disable or delete PSMO of profile `name`.
fn profile_psmo(operation: &str, name: &str, rollback: bool) -> Result<Psmo, StepError> {
    let id = iccid(name)?;
    Ok(match operation {
        "enable" => Psmo::Enable(PsmoEnable {
            iccid: id,
            rollback_flag: rollback.then_some(()),
            extensions: Default::default(),
        }),
        "disable" => Psmo::Disable(PsmoIccid {
            iccid: id,
            extensions: Default::default(),
        }),
        "delete" => Psmo::Delete(PsmoIccid {
            iccid: id,
            extensions: Default::default(),
        }),
        other => return Err(harness(format!("no profile operation {other:?}"))),
    })
}

async fn order_profile(w: &mut EimWorld, a: Args) -> StepResult {
    let psmo = profile_psmo(a.str(1)?, a.str(2)?, a.opt(3).is_some())?;
    order_psmos(w, a.parse_opt(4)?, vec![psmo]).await
}

/// A table of `| operation | profile |` rows (enable, disable, delete) as one package.
async fn order_package(w: &mut EimWorld, a: Args) -> StepResult {
    let psmos = a
        .table
        .iter()
        .map(|row| match row.as_slice() {
            [op, name, ..] => profile_psmo(op.trim(), name.trim(), false),
            _ => Err(harness("a PSMO row is | operation | profile |")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    order_psmos(w, None, psmos).await
}

async fn fallback_state(w: &mut EimWorld, a: Args) -> StepResult {
    let want = a.opt(1).map(iccid).transpose()?;
    let seen: Vec<String> = w
        .device(None)?
        .driver
        .card()
        .profiles()
        .iter()
        .filter(|p| p.fallback)
        .map(|p| p.iccid.digits())
        .collect();
    check(
        seen == want.iter().map(|i| i.digits()).collect::<Vec<_>>(),
        "SGP.32 2.11.1.1: the fallback attribute is where the ordered set/unsetFallbackAttribute put it",
        format!("fallback profile {:?}", want.map(|i| i.digits())),
        seen,
    )
}

async fn default_dp_state(w: &mut EimWorld, a: Args) -> StepResult {
    let want = a.opt(1).unwrap_or_default().to_string();
    let seen = w
        .device(None)?
        .driver
        .card()
        .default_dp_address()
        .map(str::to_string);
    check(
        seen.as_deref() == Some(want.as_str()),
        "SGP.32 2.11.1.1, 5.9.25: setDefaultDpAddress sets the eUICC's default SM-DP+ address",
        format!("default SM-DP+ address {want:?}"),
        seen,
    )
}

async fn immediate_enable_state(w: &mut EimWorld, _: Args) -> StepResult {
    let seen = w.device(None)?.driver.card().immediate_enable().clone();
    check(
        seen.enabled,
        "SGP.32 2.11.1.1, 5.9.17: configureImmediateEnable with immediateEnableFlag turns immediate enabling on",
        "immediateEnableFlag set on the eUICC",
        seen,
    )
}

async fn rollback_state(w: &mut EimWorld, a: Args) -> StepResult {
    let id = iccid(a.str(1)?)?;
    let seen = w
        .device(None)?
        .driver
        .card()
        .rollback_point()
        .map(|r| r.previous.as_ref().map(|i| i.digits()));
    check(
        seen == Some(Some(id.digits())),
        "SGP.32 2.11.1.1: an enable ordered with rollback allowed carries rollbackFlag, so the eUICC keeps a rollback point",
        format!("a rollback point to profile {}", id.digits()),
        seen,
    )
}

async fn order_simple(w: &mut EimWorld, a: Args) -> StepResult {
    let psmo = match a.str(1)? {
        "list the profiles" => Psmo::ListProfileInfo(Box::default()),
        "get the RAT" => Psmo::GetRat(PsmoEmpty::default()),
        "unset the fallback attribute" => Psmo::UnsetFallbackAttribute(PsmoEmpty::default()),
        _ => Psmo::ConfigureImmediateEnable(PsmoConfigureImmediateEnable {
            immediate_enable_flag: Some(()),
            ..Default::default()
        }),
    };
    order_psmos(w, a.parse_opt(2)?, vec![psmo]).await
}

async fn order_fallback(w: &mut EimWorld, a: Args) -> StepResult {
    let psmo = Psmo::SetFallbackAttribute(PsmoIccid {
        iccid: iccid(a.str(1)?)?,
        extensions: Default::default(),
    });
    order_psmos(w, a.parse_opt(2)?, vec![psmo]).await
}

async fn order_default_dp(w: &mut EimWorld, a: Args) -> StepResult {
    let psmo = Psmo::SetDefaultDpAddress(SetDefaultDpAddressRequest {
        default_dp_address: a.opt(1).unwrap_or_default().to_string(),
        extensions: Default::default(),
    });
    order_psmos(w, a.parse_opt(2)?, vec![psmo]).await
}

async fn order_state(w: &mut EimWorld, a: Args) -> StepResult {
    let want = match a.str(1)? {
        "done" => OrderProgress::Done,
        "failed" => OrderProgress::Failed,
        "delivered" => OrderProgress::Delivered,
        _ => OrderProgress::Queued,
    };
    let report = if matches!(want, OrderProgress::Done | OrderProgress::Failed) {
        w.settled_report().await?
    } else {
        let ctx = w.ctx()?;
        let reference = w.last_order()?.reference.clone();
        ctx.adapter.report(&reference).await?
    };
    check(
        report.progress == want,
        "the SUT reports the outcome of an order as the eUICC's result says (SGP.32 3.3.1)",
        format!("order {}", a.str(1)?),
        report,
    )
}

async fn profile_state(w: &mut EimWorld, a: Args) -> StepResult {
    let id = iccid(a.str(1)?)?;
    let want = a.str(2)?.to_string();
    let device = w.device(a.parse_opt(3)?)?;
    let profile = device
        .driver
        .card()
        .profiles()
        .iter()
        .find(|p| p.iccid == id);
    let seen = match profile {
        None => "not installed",
        Some(p) if p.enabled => "enabled",
        Some(_) => "disabled",
    };
    check(
        seen == want,
        "the eUICC ends in the state the ordered operations lead to",
        format!("profile {} {want}", id.digits()),
        seen,
    )
}
