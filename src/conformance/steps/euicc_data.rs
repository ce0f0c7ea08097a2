//! eUICC data requests (SGP.32 2.11.1.3, 3.3.2 IpaEuiccDataRequest): ordered through the
//! adapter, answered by the device's IPA (or, for the error case, by a crafted answer), and
//! what the SUT asks for and reports.

use cucumber::step::Collection;
use rasn::types::FixedOctetString;

use super::{Args, re};
use crate::asn1::es10::{Es10Request, Es10Response};
use crate::asn1::sgp32::{
    EimPackageResult, EsipaMessageFromEimToIpa, EsipaMessageFromIpaToEim,
    ExecuteFallbackMechanismRequest, GetEimPackageResponseChoice, IpaEuiccData,
    IpaEuiccDataErrorCode, IpaEuiccDataRequest, IpaEuiccDataResponse, IpaEuiccDataResponseChoice,
    IpaEuiccDataResponseError, ProvideEimPackageResult,
};
use crate::conformance::steps::binding::der;
use crate::conformance::world::{
    EimWorld, PlacedOrder, StepError, StepResult, check, fail, harness,
};
use crate::ipa::IpaOutcome;
use crate::step;
use crate::sut::{Order, OrderProgress, SutError};

pub fn register(c: Collection<EimWorld>) -> Collection<EimWorld> {
    c.when(
        None,
        re(r"^the device switches to its fallback profile locally \(pending notifications\)$"),
        step!(local_fallback),
    )
    .when(
        None,
        re(r"^the SUT is ordered to fetch the eUICC data ([0-9A-Fa-f ]+)$"),
        step!(order_data),
    )
    .when(
        None,
        re(r"^the SUT is asked to fetch the eUICC data (?:\[\]|([0-9A-Fa-f ]+)), which it may refuse$"),
        step!(ask_data),
    )
    .when(
        None,
        re(r"^the device answers the SUT's eUICC data request (with ipaEuiccDataResponseError incorrectTagList|without eidValue)$"),
        step!(answer_error),
    )
    .then(
        None,
        re(r"^the device answered the eUICC data request$"),
        step!(answered),
    )
    .then(
        None,
        re(r"^the SUT asked the device for exactly the tags ordered$"),
        step!(asked_tags),
    )
    .then(
        None,
        re(r"^the SUT's report names the data items? (.+)$"),
        step!(report_names),
    )
    .then(
        None,
        re(r"^the SUT refused the order or reported it done or failed$"),
        step!(refused_or_settled),
    )
}

/// A tag list from hex with optional spaces.
fn tags(text: &str) -> Result<Vec<u8>, StepError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(&compact).map_err(|e| harness(format!("bad tag list {text:?}: {e}")))
}

/// ES10b ExecuteFallbackMechanism on the eUICC (the IPA's local action, no eIM involved): the
/// disable and enable leave notifications pending.
async fn local_fallback(w: &mut EimWorld, _: Args) -> StepResult {
    let device = w.device(None)?;
    let card = device.driver.card_mut();
    let before = card.pending().len();
    let answer = card.handle(Es10Request::ExecuteFallbackMechanism(
        ExecuteFallbackMechanismRequest::default(),
    ));
    if !matches!(answer, Ok(Es10Response::ExecuteFallbackMechanism(_)))
        || card.pending().len() < before + 2
    {
        return Err(harness(format!(
            "the local fallback did not leave notifications: {answer:?}, {} pending",
            card.pending().len()
        )));
    }
    Ok(())
}

async fn order_data(w: &mut EimWorld, a: Args) -> StepResult {
    let tag_list = tags(a.str(1)?)?;
    let device = w.last_position()?;
    w.place_order(device, Order::EuiccData { tag_list })
        .await
        .map(|_| ())
}

async fn ask_data(w: &mut EimWorld, a: Args) -> StepResult {
    let tag_list = match a.opt(1) {
        Some(t) => tags(t)?,
        None => Vec::new(),
    };
    let device = w.last_position()?;
    let ctx = w.ctx()?;
    let eid = w.device(None)?.eid;
    let order = Order::EuiccData { tag_list };
    match ctx.adapter.order(eid, &order).await {
        Ok(reference) => {
            w.orders.push(PlacedOrder {
                device,
                reference,
                order,
            });
            Ok(())
        }
        // The SUT's order API refusing it is an answer, not a harness problem.
        Err(SutError::Refused { status, body, .. }) => {
            tracing::info!(status, body, "the SUT refused the eUICC data order");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

const DATA: &str = "SGP.32 2.11.1.3, 3.3.2: an eUICC data request is delivered with the ordered tag list, answered, and the SUT reports the data";

/// The IpaEuiccDataRequest the device last received, from its trace or the raw trace.
fn received_request(w: &mut EimWorld) -> Result<Option<IpaEuiccDataRequest>, StepError> {
    let from_raw: Vec<String> = w
        .raw
        .iter()
        .filter(|e| e.direction == "eim->ipa")
        .map(|e| e.hex.clone())
        .collect();
    let device = w.device(None)?;
    let found = device
        .driver
        .trace()
        .iter()
        .filter(|e| e.direction == "eim->ipa")
        .map(|e| e.hex.clone())
        .chain(from_raw)
        .filter_map(|h| hex::decode(h).ok())
        .filter_map(
            |b| match rasn::der::decode::<EsipaMessageFromEimToIpa>(&b) {
                Ok(EsipaMessageFromEimToIpa::GetEimPackageResponse(r)) => match r.0 {
                    GetEimPackageResponseChoice::IpaEuiccDataRequest(d) => Some(*d),
                    _ => None,
                },
                _ => None,
            },
        )
        .next_back();
    Ok(found)
}

async fn answered(w: &mut EimWorld, _: Args) -> StepResult {
    let outcome = w.last_outcome(None)?;
    check(
        matches!(outcome, IpaOutcome::EuiccDataProvided { .. }),
        DATA,
        "an IpaEuiccDataRequest answered and acknowledged",
        outcome,
    )
}

async fn asked_tags(w: &mut EimWorld, _: Args) -> StepResult {
    let Order::EuiccData { tag_list } = w.last_order()?.order.clone() else {
        return Err(harness("the last order is not an eUICC data request"));
    };
    let received = received_request(w)?
        .ok_or_else(|| fail(DATA, "an IpaEuiccDataRequest", "none received"))?;
    check(
        received.tag_list.as_ref() == tag_list.as_slice(),
        DATA,
        format!("tagList {}", hex::encode_upper(&tag_list)),
        format!("tagList {}", hex::encode_upper(&received.tag_list)),
    )
}

async fn report_names(w: &mut EimWorld, a: Args) -> StepResult {
    let report = w.settled_report().await?;
    let text = serde_json::to_string(&report.outcomes).unwrap_or_default();
    let names: Vec<&str> = a
        .str(1)?
        .split([',', ' '])
        .filter(|n| !n.is_empty() && *n != "and")
        .collect();
    let missing: Vec<&str> = names
        .iter()
        .filter(|n| !text.contains(*n))
        .copied()
        .collect();
    check(
        report.progress == OrderProgress::Done && missing.is_empty(),
        DATA,
        format!("order done naming {}", names.join(", ")),
        format!(
            "{:?}, outcomes {text} (missing {missing:?})",
            report.progress
        ),
    )
}

async fn refused_or_settled(w: &mut EimWorld, _: Args) -> StepResult {
    if w.orders.is_empty() {
        return Ok(());
    }
    let report = w.settled_report().await?;
    check(
        matches!(report.progress, OrderProgress::Done | OrderProgress::Failed),
        "SGP.32 2.11.1.3: an eUICC data request without usable tags is refused or settles",
        "the order refused, done or failed",
        report,
    )
}

/// Fetches the device's package on the wire and answers it with a crafted result: an
/// ipaEuiccDataResponseError, or an empty ipaEuiccData without eidValue.
async fn answer_error(w: &mut EimWorld, a: Args) -> StepResult {
    let with_error = a.str(1)? == "with ipaEuiccDataResponseError incorrectTagList";
    let poll = w.get_eim_package_der(None)?;
    w.raw_post(&poll).await?;
    let request = match w.raw_message(DATA)? {
        EsipaMessageFromEimToIpa::GetEimPackageResponse(r) => match r.0 {
            GetEimPackageResponseChoice::IpaEuiccDataRequest(d) => *d,
            other => {
                return Err(fail(DATA, "an IpaEuiccDataRequest", format!("{other:?}")));
            }
        },
        other => return Err(fail(DATA, "a GetEimPackageResponse", format!("{other:?}"))),
    };
    let eid = w.device(None)?.eid;
    let body = der(&EsipaMessageFromIpaToEim::ProvideEimPackageResult(
        Box::new(ProvideEimPackageResult {
            eid_value: with_error.then(|| FixedOctetString::from(*eid.as_bcd())),
            eim_package_result: EimPackageResult::IpaEuiccDataResponse(IpaEuiccDataResponse(
                if with_error {
                    IpaEuiccDataResponseChoice::IpaEuiccDataResponseError(
                        IpaEuiccDataResponseError {
                            eim_transaction_id: request.eim_transaction_id,
                            ipa_euicc_data_error_code: IpaEuiccDataErrorCode::INCORRECT_TAG_LIST,
                            extensions: Default::default(),
                        },
                    )
                } else {
                    IpaEuiccDataResponseChoice::IpaEuiccData(Box::new(IpaEuiccData {
                        eim_transaction_id: request.eim_transaction_id,
                        ..Default::default()
                    }))
                },
            )),
            extensions: Default::default(),
        }),
    ))?;
    w.raw_post(&body).await.map(|_| ())
}
