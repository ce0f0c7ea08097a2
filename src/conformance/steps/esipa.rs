//! ESipa functions from the wire (SGP.32 6.3.2.6 GetEimPackage, 6.3.2.7
//! ProvideEimPackageResult): error answers to crafted messages, the repeated poll, the
//! acknowledgements of a delivered result, notifyStateChange.

use cucumber::step::Collection;
use rasn::types::FixedOctetString;

use super::{Args, re};
use crate::asn1::rsp::TransactionId;
use crate::asn1::sgp32::{
    EimPackageResult, EsipaMessageFromEimToIpa, EsipaMessageFromIpaToEim,
    EuiccPackageErrorUnsigned, EuiccPackageResult, EuiccPackageResultChoice, GetEimPackageError,
    GetEimPackageRequest, GetEimPackageResponseChoice, ProvideEimPackageResult,
    ProvideEimPackageResultError, ProvideEimPackageResultResponseChoice, StateChangeCause,
};
use crate::asn1::tlv;
use crate::conformance::steps::binding::der;
use crate::conformance::world::{EimWorld, StepError, StepResult, check, fail, harness};
use crate::ipa::{IpaOutcome, NotifyStateChange, notification_seq};
use crate::pki::{Eid, euicc_eid};
use crate::step;

pub fn register(c: Collection<EimWorld>) -> Collection<EimWorld> {
    c.when(
        None,
        re(r"^a GetEimPackageRequest (with an EID whose check digits are wrong|with a 10-byte EID|without eidValue) is sent to the SUT$"),
        step!(send_bad_poll),
    )
    .when(
        None,
        re(r"^a ProvideEimPackageResult (for an EID the SUT does not know|with an EID whose check digits are wrong|without eidValue and with an eimTransactionId the SUT never sent|of the device while no package is outstanding) is sent to the SUT$"),
        step!(send_bad_result),
    )
    .when(
        None,
        re(r"^the device's GetEimPackageRequest is sent to the SUT twice$"),
        step!(poll_twice),
    )
    .when(
        None,
        re(r"^the device reports a state change \(cause (\w+), rPLMN ([0-9A-Fa-f]{6})\) on its next poll$"),
        step!(state_change),
    )
    .then(
        None,
        re(r"^the device's poll is answered with eimPackageError (\w+)$"),
        step!(poll_error),
    )
    .then(
        None,
        re(r"^the SUT answers it with eimPackageError (\w+)$"),
        step!(raw_poll_error),
    )
    .then(
        None,
        re(r"^the SUT answers it with provideEimPackageResultError(?: (\w+))?$"),
        step!(raw_result_error),
    )
    .then(
        None,
        re(r"^the SUT answers it with eimAcknowledgements or emptyResponse$"),
        step!(raw_result_taken),
    )
    .then(
        None,
        re(r"^both answers carry the same eUICC Package, byte for byte$"),
        step!(same_package),
    )
    .then(
        None,
        re(r"^the device executed the package the SUT had sent before$"),
        step!(executed_same),
    )
    .then(
        None,
        re(r"^the SUT acknowledged the result and every notification the device delivered$"),
        step!(acknowledged_all),
    )
}

const GET_EIM_PACKAGE: &str = "SGP.32 6.3.2.6: GetEimPackage answers the error its table names";
const PROVIDE_RESULT: &str =
    "SGP.32 6.3.2.7: ProvideEimPackageResult answers the error its table names";

fn package_error_code(name: &str) -> Result<GetEimPackageError, StepError> {
    Ok(match name {
        "noEimPackageAvailable" => GetEimPackageError::NO_EIM_PACKAGE_AVAILABLE,
        "eidNotFound" => GetEimPackageError::EID_NOT_FOUND,
        "invalidEid" => GetEimPackageError::INVALID_EID,
        "missingEid" => GetEimPackageError::MISSING_EID,
        "undefinedError" => GetEimPackageError::UNDEFINED_ERROR,
        other => return Err(harness(format!("no eimPackageError {other:?}"))),
    })
}

fn result_error_code(name: &str) -> Result<ProvideEimPackageResultError, StepError> {
    Ok(match name {
        "eidNotFound" => ProvideEimPackageResultError::EID_NOT_FOUND,
        "invalidEid" => ProvideEimPackageResultError::INVALID_EID,
        "missingEid" => ProvideEimPackageResultError::MISSING_EID,
        "undefinedError" => ProvideEimPackageResultError::UNDEFINED_ERROR,
        other => {
            return Err(harness(format!(
                "no provideEimPackageResultError {other:?}"
            )));
        }
    })
}

/// An EID with valid check digits that no device of the run uses (never registered).
fn unknown_eid(w: &EimWorld) -> Result<Eid, StepError> {
    let ctx = w.ctx()?;
    euicc_eid(ctx.allocate(1)).map_err(|e| harness(format!("EID: {e}")))
}

/// `eid` with its check digits made wrong.
fn wrong_check_digits(eid: Eid) -> [u8; 16] {
    let mut bcd = *eid.as_bcd();
    if let Some(last) = bcd.last_mut() {
        // The last byte holds the two check digits (nibble-swapped); changing one by 1 mod 10
        // always breaks the mod-97 check.
        let low = *last & 0x0f;
        *last = (*last & 0xf0) | ((low + 1) % 10);
    }
    bcd
}

async fn send_bad_poll(w: &mut EimWorld, a: Args) -> StepResult {
    let eid = unknown_eid(w)?;
    let body = match a.str(1)? {
        "with an EID whose check digits are wrong" => der(
            &EsipaMessageFromIpaToEim::GetEimPackageRequest(Box::new(GetEimPackageRequest {
                eid_value: FixedOctetString::from(wrong_check_digits(eid)),
                ..Default::default()
            })),
        )?,
        "with a 10-byte EID" => tlv::encode(
            &[0xbf, 0x4f],
            &tlv::encode(&[0x5a], eid.as_bcd().get(..10).unwrap_or_default()),
        ),
        _ => tlv::encode(&[0xbf, 0x4f], &[]),
    };
    w.raw_post(&body).await.map(|_| ())
}

/// An unsigned error result naming the SUT's eimId (a well-formed EimPackageResult).
fn unsigned_result(eim_id: &str, txid: Option<Vec<u8>>) -> EimPackageResult {
    EimPackageResult::EuiccPackageResult(EuiccPackageResult(
        EuiccPackageResultChoice::EuiccPackageErrorUnsigned(EuiccPackageErrorUnsigned {
            eim_id: eim_id.to_string(),
            eim_transaction_id: txid.map(TransactionId::new),
            ..Default::default()
        }),
    ))
}

async fn send_bad_result(w: &mut EimWorld, a: Args) -> StepResult {
    let ctx = w.ctx()?;
    let eim_id = ctx.eim.eim_id.clone();
    let (eid, txid) = match a.str(1)? {
        "for an EID the SUT does not know" => (Some(*unknown_eid(w)?.as_bcd()), None),
        "with an EID whose check digits are wrong" => {
            (Some(wrong_check_digits(unknown_eid(w)?)), None)
        }
        "of the device while no package is outstanding" => {
            (Some(*w.device(None)?.eid.as_bcd()), None)
        }
        _ => (None, Some(vec![0x5a; 16])),
    };
    let body = der(&EsipaMessageFromIpaToEim::ProvideEimPackageResult(
        Box::new(ProvideEimPackageResult {
            eid_value: eid.map(FixedOctetString::from),
            eim_package_result: unsigned_result(&eim_id, txid),
            extensions: Default::default(),
        }),
    ))?;
    w.raw_post(&body).await.map(|_| ())
}

async fn poll_twice(w: &mut EimWorld, _: Args) -> StepResult {
    let body = w.get_eim_package_der(None)?;
    w.raw_post(&body).await?;
    w.raw_post(&body).await.map(|_| ())
}

async fn state_change(w: &mut EimWorld, a: Args) -> StepResult {
    let cause = match a.str(1)? {
        "otherEim" => StateChangeCause::OTHER_EIM,
        "fallback" => StateChangeCause::FALLBACK,
        "emergencyProfile" => StateChangeCause::EMERGENCY_PROFILE,
        "reset" => StateChangeCause::RESET,
        "immediateEnableProfile" => StateChangeCause::IMMEDIATE_ENABLE_PROFILE,
        "deviceChange" => StateChangeCause::DEVICE_CHANGE,
        "undefined" => StateChangeCause::UNDEFINED,
        other => return Err(harness(format!("no stateChangeCause {other:?}"))),
    };
    let plmn: [u8; 3] = hex::decode(a.str(2)?)
        .ok()
        .and_then(|v| v.try_into().ok())
        .ok_or_else(|| harness("rPLMN is 3 bytes of hex"))?;
    w.device(None)?
        .driver
        .ipa_mut()
        .notify_state_change(NotifyStateChange {
            cause: Some(cause),
            r_plmn: Some(plmn),
        });
    Ok(())
}

async fn poll_error(w: &mut EimWorld, a: Args) -> StepResult {
    let want = package_error_code(a.str(1)?)?;
    let outcome = w.last_outcome(None)?;
    let seen = match &outcome {
        IpaOutcome::EimPackageError(e) => Some(*e),
        IpaOutcome::NothingToDo => Some(GetEimPackageError::NO_EIM_PACKAGE_AVAILABLE),
        _ => None,
    };
    check(
        seen == Some(want),
        GET_EIM_PACKAGE,
        format!("eimPackageError {}", a.str(1)?),
        outcome,
    )
}

async fn raw_poll_error(w: &mut EimWorld, a: Args) -> StepResult {
    let want = package_error_code(a.str(1)?)?;
    let expected = format!("eimPackageError {}", a.str(1)?);
    match w.raw_message(GET_EIM_PACKAGE)? {
        EsipaMessageFromEimToIpa::GetEimPackageResponse(r) => match r.0 {
            GetEimPackageResponseChoice::EimPackageError(e) => check(
                e == want,
                GET_EIM_PACKAGE,
                expected,
                format!("eimPackageError {e}"),
            ),
            other => Err(fail(GET_EIM_PACKAGE, expected, format!("{other:?}"))),
        },
        other => Err(fail(GET_EIM_PACKAGE, expected, format!("{other:?}"))),
    }
}

async fn raw_result_error(w: &mut EimWorld, a: Args) -> StepResult {
    let want = a.opt(1).map(result_error_code).transpose()?;
    let expected = match a.opt(1) {
        Some(name) => format!("provideEimPackageResultError {name}"),
        None => "provideEimPackageResultError".into(),
    };
    match w.raw_message(PROVIDE_RESULT)? {
        EsipaMessageFromEimToIpa::ProvideEimPackageResultResponse(r) => match r.0 {
            ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(e) => check(
                want.is_none_or(|w| w == e),
                PROVIDE_RESULT,
                expected,
                format!("provideEimPackageResultError {e}"),
            ),
            other => Err(fail(PROVIDE_RESULT, expected, format!("{other:?}"))),
        },
        other => Err(fail(PROVIDE_RESULT, expected, format!("{other:?}"))),
    }
}

async fn raw_result_taken(w: &mut EimWorld, _: Args) -> StepResult {
    const TAKEN: &str = "SGP.32 6.3.2.7 (CR12014R02): a result without eidValue is correlated by its eimTransactionId";
    match w.raw_message(TAKEN)? {
        EsipaMessageFromEimToIpa::ProvideEimPackageResultResponse(r) => check(
            !matches!(
                r.0,
                ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(_)
            ),
            TAKEN,
            "eimAcknowledgements or emptyResponse",
            r.0,
        ),
        other => Err(fail(
            TAKEN,
            "a ProvideEimPackageResultResponse",
            format!("{other:?}"),
        )),
    }
}

const REPEAT: &str = "SGP.32 6.3.2.6, 3.3.1: until its result arrives, a repeated GetEimPackage gets the same eUICC Package (same counterValue, same signature)";

/// The counterValue of the eUICC Package in a GetEimPackageResponse body.
fn package_counter(body: &[u8]) -> Option<i64> {
    match rasn::der::decode::<EsipaMessageFromEimToIpa>(body).ok()? {
        EsipaMessageFromEimToIpa::GetEimPackageResponse(r) => match r.0 {
            GetEimPackageResponseChoice::EuiccPackageRequest(p) => {
                Some(p.euicc_package_signed.counter_value)
            }
            _ => None,
        },
        _ => None,
    }
}

async fn same_package(w: &mut EimWorld, _: Args) -> StepResult {
    let second = w
        .raw_answer(0)?
        .map_err(|e| fail(REPEAT, "two answers", e))?;
    let first = w
        .raw_answer(1)?
        .map_err(|e| fail(REPEAT, "two answers", e))?;
    let Some(counter) = package_counter(&first.body).filter(|_| first.status == 200) else {
        return Err(fail(
            REPEAT,
            "an EuiccPackageRequest on the first poll",
            format!("HTTP {} {}", first.status, hex::encode(&first.body)),
        ));
    };
    check(
        second.status == 200 && second.body == first.body,
        REPEAT,
        format!(
            "the same {} bytes (counterValue {counter})",
            first.body.len()
        ),
        format!(
            "HTTP {}, {} bytes, counterValue {:?}",
            second.status,
            second.body.len(),
            package_counter(&second.body)
        ),
    )
}

async fn executed_same(w: &mut EimWorld, _: Args) -> StepResult {
    let sent = w
        .raw_answer(0)?
        .ok()
        .and_then(|a| package_counter(&a.body))
        .ok_or_else(|| harness("no package was fetched before"))?;
    let outcome = w.last_outcome(None)?;
    match outcome {
        IpaOutcome::PackageExecuted { counter_value, .. } => check(
            counter_value == sent,
            REPEAT,
            format!("the package with counterValue {sent}"),
            format!("counterValue {counter_value}"),
        ),
        other => Err(fail(
            REPEAT,
            format!("the package with counterValue {sent} executed"),
            format!("{other:?}"),
        )),
    }
}

const ACKS: &str = "SGP.32 6.3.2.7, 3.3.1 steps 10-14: eimAcknowledgements list the seqNumbers of the result and of every notification delivered with it";

/// The seqNumbers (result, notifications) of the last ProvideEimPackageResult the device sent.
fn delivered_seqs(w: &mut EimWorld) -> Result<Vec<i64>, StepError> {
    let device = w.device(None)?;
    let message = device
        .driver
        .trace()
        .iter()
        .rev()
        .filter(|e| e.direction == "ipa->eim")
        .filter_map(|e| hex::decode(&e.hex).ok())
        .find_map(
            |b| match rasn::der::decode::<EsipaMessageFromIpaToEim>(&b) {
                Ok(EsipaMessageFromIpaToEim::ProvideEimPackageResult(p)) => Some(p),
                _ => None,
            },
        )
        .ok_or_else(|| harness("the device delivered no result"))?;
    let mut seqs = Vec::new();
    match &message.eim_package_result {
        EimPackageResult::EprAndNotifications(e) => {
            if let EuiccPackageResultChoice::EuiccPackageResultSigned(s) = &e.euicc_package_result.0
            {
                seqs.push(s.euicc_package_result_data_signed.seq_number);
            }
            seqs.extend(e.notification_list.iter().map(notification_seq));
        }
        EimPackageResult::EuiccPackageResult(EuiccPackageResult(
            EuiccPackageResultChoice::EuiccPackageResultSigned(s),
        )) => seqs.push(s.euicc_package_result_data_signed.seq_number),
        EimPackageResult::IpaEuiccDataResponse(r) => {
            if let crate::asn1::sgp32::IpaEuiccDataResponseChoice::IpaEuiccData(d) = &r.0 {
                seqs.extend(d.notifications_list.iter().flatten().map(notification_seq));
            }
        }
        _ => {}
    }
    Ok(seqs)
}

async fn acknowledged_all(w: &mut EimWorld, _: Args) -> StepResult {
    let delivered = delivered_seqs(w)?;
    if delivered.len() < 2 {
        // The ordered enable yields a result and notifications; fewer means the SUT's package
        // was not the one ordered or was not executed.
        return Err(fail(
            ACKS,
            "a signed result and the enable's notifications delivered",
            format!("only seqNumbers {delivered:?} delivered"),
        ));
    }
    let acknowledged = match w.last_outcome(None)? {
        IpaOutcome::PackageExecuted { acknowledged, .. }
        | IpaOutcome::EuiccDataProvided { acknowledged } => acknowledged,
        other => {
            return Err(fail(ACKS, "a delivered result", format!("{other:?}")));
        }
    };
    let missing: Vec<i64> = delivered
        .iter()
        .filter(|s| !acknowledged.contains(s))
        .copied()
        .collect();
    check(
        missing.is_empty(),
        ACKS,
        format!("eimAcknowledgements with {delivered:?}"),
        format!("acknowledged {acknowledged:?} (missing {missing:?})"),
    )
}
