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

/// The device a `for device N` capture names, as a position.
fn position(w: &EimWorld, number: Option<usize>) -> Result<usize, StepError> {
    match number {
        Some(n) if n >= 1 && n <= w.devices.len() => Ok(n - 1),
        Some(n) => Err(harness(format!("there is no device {n}"))),
        None => w
            .devices
            .len()
            .checked_sub(1)
            .ok_or_else(|| harness("no device was set up")),
    }
}

/// Places a PSMO order for the device a capture names.
pub async fn order_psmos(w: &mut EimWorld, number: Option<usize>, psmos: Vec<Psmo>) -> StepResult {
    let device = position(w, number)?;
    w.place_order(device, Order::Psmos(psmos)).await.map(|_| ())
}

async fn order_profile(w: &mut EimWorld, a: Args) -> StepResult {
    let id = iccid(a.str(2)?)?;
    let psmo = match a.str(1)? {
        "enable" => Psmo::Enable(PsmoEnable {
            iccid: id,
            rollback_flag: a.opt(3).map(|_| ()),
            extensions: Default::default(),
        }),
        "disable" => Psmo::Disable(PsmoIccid {
            iccid: id,
            extensions: Default::default(),
        }),
        _ => Psmo::Delete(PsmoIccid {
            iccid: id,
            extensions: Default::default(),
        }),
    };
    order_psmos(w, a.parse_opt(4)?, vec![psmo]).await
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
