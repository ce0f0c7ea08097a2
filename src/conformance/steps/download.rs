//! Profile download through the SUT (SGP.32 3.2.3.2 indirect; 3.2.3.1 direct, the device talking
//! ES9+ to the SM-DP+ itself and reporting in profileDownloadTriggerResult): a profile prepared at the
//! harness's mock SM-DP+ over ES2+, a download trigger ordered at the SUT, the device's IPA
//! running the download through the SUT's ES9+' relay, and what the SM-DP+ saw.

use cucumber::step::Collection;

use super::{Args, re};
use crate::asn1::es10::{Es10Request, Es10Response};
use crate::asn1::rsp::{GetEuiccChallengeRequest, GetEuiccInfo1Request, Iccid};
use crate::asn1::sgp32::{
    AuthenticateServerResponseChoice, CancelSessionResponseChoice, EsipaMessageFromEimToIpa,
    EsipaMessageFromIpaToEim, GetBoundProfilePackageResponseEsipaChoice,
    GetEimPackageResponseChoice, HandleNotificationEsipaChoice, InitiateAuthenticationErrorEsipa,
    InitiateAuthenticationRequestEsipa, InitiateAuthenticationResponseEsipaChoice,
    PendingNotification, PrepareDownloadResponseChoice, ipa_features,
};
use crate::asn1::sgp32::{Psmo, PsmoEnable};
use crate::conformance::runner::SMDP_ADDRESS;
use crate::conformance::world::{
    DeviceSpec, EimWorld, PreparedDownload, StepError, StepResult, check, fail, harness,
};
use crate::ipa::{IpaConfig, IpaOutcome};
use crate::smdp::OrderState;
use crate::step;
use crate::sut::Order;

pub fn register(c: Collection<EimWorld>) -> Collection<EimWorld> {
    c.given(
        None,
        re(r"^a device registered at the SUT that downloads directly from the SM-DP\+$"),
        step!(registered_direct),
    )
    .given(
        None,
        re(r"^a device registered at the SUT whose IPA enables a downloaded profile at once$"),
        step!(registered_immediate_enable),
    )
    .given(
        None,
        re(r"^a device registered at the SUT whose IPA minimizes ESipa bytes$"),
        step!(registered_minimizing),
    )
    .given(
        None,
        re(r"^the operator has a profile released for the device at the SM-DP\+( under an unknown matchingId)?$"),
        step!(released),
    )
    .when(
        None,
        re(r"^the SUT is ordered to trigger the download of that profile$"),
        step!(trigger),
    )
    .when(
        None,
        re(r"^the SUT is ordered to trigger a download from the device's default SM-DP\+$"),
        step!(trigger_default_smdp),
    )
    .when(
        None,
        re(r"^the SUT is ordered to enable the downloaded profile$"),
        step!(enable_downloaded),
    )
    .when(
        None,
        re(r"^the device fetches its package without running it$"),
        step!(fetch_only),
    )
    .when(
        None,
        re(r"^the device starts the download naming another (eimTransactionId|SM-DP\+ address)$"),
        step!(initiate_naming_another),
    )
    .when(
        None,
        re(r"^the device delivers its installation result to the SUT again$"),
        step!(pir_again),
    )
    .then(
        None,
        re(r"^the SM-DP\+ received the installation result of that profile twice$"),
        step!(smdp_got_pir_twice),
    )
    .then(
        None,
        re(r"^the device downloaded and installed that profile$"),
        step!(installed),
    )
    .then(
        None,
        re(r"^the download failed at the SM-DP\+ and the session was cancelled( through the SUT)?$"),
        step!(failed_and_cancelled),
    )
    .then(
        None,
        re(r"^the SM-DP\+ received the installation result of that profile$"),
        step!(smdp_got_pir),
    )
    .then(
        None,
        re(r"^the device ran the download in the compact forms$"),
        step!(ran_compact),
    )
    .then(
        None,
        re(r"^the SUT's GetBoundProfilePackage answer has no transactionId$"),
        step!(bpp_answer_without_txid),
    )
    .then(
        None,
        re(r"^the downloaded profile is enabled on the device$"),
        step!(downloaded_enabled),
    )
    .then(
        None,
        re(r"^the SUT answers InitiateAuthentication with (invalidEimTransactionId|smdpAddressMismatch)$"),
        step!(initiate_refused),
    )
}

const INDIRECT: &str = "SGP.32 3.2.3.2: the eIM relays the indirect profile download between the IPA and the SM-DP+ named in the activation code";

const MINIMIZE: &str = "SGP.32 6.3.2.3: the transactionId of GetBoundProfilePackageOkEsipa is removed for an IPA with minimizeEsipaBytes";

const DIRECT: &str = "SGP.32 3.2.3.1: the IPA downloads directly from the SM-DP+ named in the eIM's activation code and reports the result in profileDownloadTriggerResult";

impl EimWorld {
    /// Whether the current device downloads directly (ipaFeatures directRspServerCommunication
    /// without indirectRspServerCommunication).
    fn downloads_directly(&mut self) -> bool {
        self.device(None).is_ok_and(|d| {
            let f = &d.driver.ipa().config().capabilities.ipa_features;
            f.first().is_some_and(|b| *b) && !f.get(1).is_some_and(|b| *b)
        })
    }

    /// The profile prepared for this scenario.
    fn prepared(&self) -> Result<PreparedDownload, StepError> {
        self.download
            .clone()
            .ok_or_else(|| harness("no profile was prepared at the SM-DP+"))
    }

    /// The prepared profile and its ICCID.
    fn prepared_iccid(&self) -> Result<(PreparedDownload, Iccid), StepError> {
        let prepared = self.prepared()?;
        let iccid = Iccid::from_digits(&prepared.iccid)
            .ok_or_else(|| harness(format!("bad ICCID {}", prepared.iccid)))?;
        Ok((prepared, iccid))
    }
}

/// The run's mock SM-DP+.
fn smdp_of(w: &EimWorld) -> Result<std::sync::Arc<crate::smdp::Smdp>, StepError> {
    w.ctx()?
        .smdp
        .clone()
        .ok_or_else(|| harness("this run has no mock SM-DP+"))
}

async fn registered_direct(w: &mut EimWorld, _: Args) -> StepResult {
    let ctx = w.ctx()?;
    if !ctx.ipa.smdp_urls.contains_key(SMDP_ADDRESS) {
        return Err(harness("this run has no URL for the mock SM-DP+"));
    }
    let spec = DeviceSpec {
        ipa: Some(ctx.direct_download_ipa()),
        ..DeviceSpec::default()
    };
    w.add_device(spec).await.map(|_| ())
}

/// A device whose IPA asks for ES10b.ImmediateEnable after an installation (SGP.32 5.9.15).
async fn registered_immediate_enable(w: &mut EimWorld, _: Args) -> StepResult {
    let ctx = w.ctx()?;
    let spec = DeviceSpec {
        ipa: Some(IpaConfig {
            immediate_enable: true,
            ..ctx.ipa.clone()
        }),
        ..DeviceSpec::default()
    };
    w.add_device(spec).await.map(|_| ())
}

async fn registered_minimizing(w: &mut EimWorld, _: Args) -> StepResult {
    let ctx = w.ctx()?;
    let spec = DeviceSpec {
        ipa: Some(IpaConfig {
            capabilities: crate::asn1::sgp32::IpaCapabilities {
                ipa_features: crate::asn1::sgp32::named_bits(&[
                    ipa_features::INDIRECT_RSP_SERVER_COMMUNICATION,
                    ipa_features::MINIMIZE_ESIPA_BYTES,
                ]),
                ..ctx.ipa.capabilities.clone()
            },
            ..ctx.ipa.clone()
        }),
        ..DeviceSpec::default()
    };
    w.add_device(spec).await.map(|_| ())
}

async fn released(w: &mut EimWorld, a: Args) -> StepResult {
    let smdp = smdp_of(w)?;
    let previous = w.download.as_ref().map(|p| p.matching_id.clone());
    let device = w.device(None)?;
    let eid = device.eid;
    // A second profile for the same device needs a matchingId of its own.
    let matching_id = match previous {
        None => format!("MATCH-{}", device.index),
        Some(m) => format!("{m}-NEXT"),
    };
    let (iccid, confirmed) = smdp
        .order_released(&eid, &matching_id)
        .map_err(|e| harness(format!("ES2+ order at the mock SM-DP+: {e:?}")))?;
    // An activation code whose matchingId the SM-DP+ does not know (the cancel path).
    let activation_code = match a.opt(1) {
        Some(_) => format!("1${SMDP_ADDRESS}$UNKNOWN-{matching_id}"),
        None => confirmed.activation_code,
    };
    w.download = Some(PreparedDownload {
        iccid,
        matching_id,
        activation_code,
        eim_transaction_id: None,
    });
    Ok(())
}

async fn trigger(w: &mut EimWorld, _: Args) -> StepResult {
    let prepared = w.prepared()?;
    let device = w.last_position()?;
    w.place_order(
        device,
        Order::DownloadTrigger {
            activation_code: prepared.activation_code,
        },
    )
    .await
    .map(|_| ())
}

async fn installed(w: &mut EimWorld, _: Args) -> StepResult {
    let (prepared, want) = w.prepared_iccid()?;
    let requirement = if w.downloads_directly() {
        DIRECT
    } else {
        INDIRECT
    };
    let outcome = w.last_outcome(None)?;
    let ok = matches!(
        &outcome,
        IpaOutcome::ProfileDownloaded { iccid: Some(i), installed: true, .. } if *i == want
    );
    check(
        ok,
        requirement,
        format!("the profile {} downloaded and installed", prepared.iccid),
        &outcome,
    )?;
    let device = w.device(None)?;
    let on_card = device
        .driver
        .card()
        .profiles()
        .iter()
        .find(|p| p.iccid == want)
        .map(|p| p.enabled);
    // A device that asks for ImmediateEnable may have enabled it already (checked by its own step).
    let immediate = device.driver.ipa().config().immediate_enable;
    check(
        on_card == Some(false) || (immediate && on_card.is_some()),
        requirement,
        "the profile installed (disabled unless immediately enabled)",
        on_card,
    )
}

async fn failed_and_cancelled(w: &mut EimWorld, a: Args) -> StepResult {
    let outcome = w.last_outcome(None)?;
    let requirement = match a.opt(1) {
        // cancelSessionOk is what the SM-DP+ answered to the relayed CancelSession.
        Some(_) => {
            "SGP.32 3.2.3.2, SGP.22 3.1.3: a download the SM-DP+ refuses is cancelled; the eIM relays CancelSession to the SM-DP+ and answers cancelSessionOk"
        }
        None => {
            "SGP.32 3.2.3.1, SGP.22 3.1.3: a download the SM-DP+ refuses is cancelled at the SM-DP+"
        }
    };
    check(
        matches!(
            outcome,
            IpaOutcome::DownloadFailed {
                cancelled: true,
                ..
            }
        ),
        requirement,
        "DownloadFailed with the session cancelled",
        &outcome,
    )
}

async fn smdp_got_pir(w: &mut EimWorld, _: Args) -> StepResult {
    let prepared = w.prepared()?;
    let smdp = smdp_of(w)?;
    let state = smdp.order(&prepared.iccid).map(|o| o.state);
    let requirement = if w.downloads_directly() {
        "SGP.32 3.2.3.1, SGP.22 3.5: the IPA delivers the PIR to the SM-DP+ at its notificationAddress"
    } else {
        "SGP.32 3.2.3.2, 3.5: the eIM forwards the PIR to the SM-DP+ at its notificationAddress"
    };
    check(
        state == Some(OrderState::Installed),
        requirement,
        "the SM-DP+ order installed (its PIR received)",
        state,
    )
}

/// contactDefaultSmdp (SGP.32 2.11.1.4): the profile prepared for the device's EID is found
/// by the SM-DP+ without a matchingId.
async fn trigger_default_smdp(w: &mut EimWorld, _: Args) -> StepResult {
    w.prepared()?;
    let device = w.last_position()?;
    w.place_order(device, Order::DefaultSmdpTrigger)
        .await
        .map(|_| ())
}

async fn enable_downloaded(w: &mut EimWorld, _: Args) -> StepResult {
    let (_, iccid) = w.prepared_iccid()?;
    let device = w.last_position()?;
    w.place_order(
        device,
        Order::Psmos(vec![Psmo::Enable(PsmoEnable {
            iccid,
            rollback_flag: None,
            extensions: Default::default(),
        })]),
    )
    .await
    .map(|_| ())
}

async fn downloaded_enabled(w: &mut EimWorld, _: Args) -> StepResult {
    let (prepared, want) = w.prepared_iccid()?;
    let device = w.device(None)?;
    let enabled = device
        .driver
        .card()
        .profiles()
        .iter()
        .find(|p| p.enabled)
        .map(|p| p.iccid.digits());
    check(
        enabled.as_deref() == Some(prepared.iccid.as_str()),
        "SGP.32 2.11.1.1: an enable PSMO for the downloaded profile enables it",
        format!("profile {} enabled", want.digits()),
        enabled,
    )
}

/// The device's GetEimPackage sent by hand, so that the trigger is delivered (outstanding) but
/// the IPA does not run the download.
async fn fetch_only(w: &mut EimWorld, _: Args) -> StepResult {
    let eid = w.device(None)?.eid;
    let request = EsipaMessageFromIpaToEim::GetEimPackageRequest(Box::new(
        crate::asn1::sgp32::GetEimPackageRequest {
            eid_value: (*eid.as_bcd()).into(),
            ..Default::default()
        },
    ));
    let der = rasn::der::encode(&request)
        .map_err(|e| harness(format!("cannot encode GetEimPackageRequest: {e}")))?;
    let answer = w
        .raw_post(&der)
        .await?
        .ok_or_else(|| fail(INDIRECT, "an answer to GetEimPackage", "none"))?;
    let trigger = match rasn::der::decode::<EsipaMessageFromEimToIpa>(&answer.body) {
        Ok(EsipaMessageFromEimToIpa::GetEimPackageResponse(r)) => match r.0 {
            GetEimPackageResponseChoice::ProfileDownloadTriggerRequest(t) => Some(t),
            _ => None,
        },
        _ => None,
    };
    let trigger = trigger.ok_or_else(|| {
        fail(
            INDIRECT,
            "HTTP 200 with the ProfileDownloadTriggerRequest ordered",
            format!("HTTP {} {}", answer.status, hex::encode(&answer.body)),
        )
    })?;
    if let Some(d) = w.download.as_mut() {
        d.eim_transaction_id = trigger.eim_transaction_id;
    }
    Ok(())
}

/// An InitiateAuthentication sent by hand: with another eimTransactionId, or with the trigger's
/// eimTransactionId and another SM-DP+ address than the activation code's.
async fn initiate_naming_another(w: &mut EimWorld, a: Args) -> StepResult {
    let other_address = a.str(1)? != "eimTransactionId";
    let prepared = w.prepared()?;
    let (address, eim_transaction_id) = if other_address {
        let id = prepared
            .eim_transaction_id
            .clone()
            .ok_or_else(|| harness("the trigger was not fetched by hand first"))?;
        ("other-smdp.sgp32-harness.test".to_string(), id)
    } else {
        (
            SMDP_ADDRESS.to_string(),
            crate::asn1::rsp::TransactionId::new(vec![0x5a; 16]),
        )
    };
    let card = w.device(None)?.driver.card_mut();
    let challenge = match card.handle(Es10Request::GetEuiccChallenge(
        GetEuiccChallengeRequest::default(),
    )) {
        Ok(Es10Response::GetEuiccChallenge(c)) => c.euicc_challenge,
        other => return Err(harness(format!("GetEUICCChallenge answered {other:?}"))),
    };
    let info1 = match card.handle(Es10Request::GetEuiccInfo1(GetEuiccInfo1Request::default())) {
        Ok(Es10Response::GetEuiccInfo1(i)) => i,
        other => return Err(harness(format!("GetEUICCInfo1 answered {other:?}"))),
    };
    let request = EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(Box::new(
        InitiateAuthenticationRequestEsipa {
            euicc_challenge: challenge,
            smdp_address: Some(address),
            euicc_info1: Some(info1),
            eim_transaction_id: Some(eim_transaction_id),
            extensions: Default::default(),
        },
    ));
    let der = rasn::der::encode(&request).map_err(|e| {
        harness(format!(
            "cannot encode InitiateAuthenticationRequestEsipa: {e}"
        ))
    })?;
    w.raw_post(&der).await.map(|_| ())
}

async fn initiate_refused(w: &mut EimWorld, a: Args) -> StepResult {
    let (req, want, name) = if a.str(1)? == "smdpAddressMismatch" {
        (
            "SGP.32 3.2.3.2, 6.3.2.1: the eIM checks that InitiateAuthentication names the SM-DP+ of the activation code it sent",
            InitiateAuthenticationErrorEsipa::SMDP_ADDRESS_MISMATCH,
            "smdpAddressMismatch(50)",
        )
    } else {
        (
            "SGP.32 3.2.3.2, 6.3.2.1: the eIM checks the eimTransactionId of an InitiateAuthentication against the download trigger it sent",
            InitiateAuthenticationErrorEsipa::INVALID_EIM_TRANSACTION_ID,
            "invalidEimTransactionId(52)",
        )
    };
    let expected = format!("initiateAuthenticationErrorEsipa {name}");
    let answer = w
        .raw
        .iter()
        .rev()
        .find(|e| e.direction == "eim->ipa" && e.interface == "ESipa")
        .ok_or_else(|| harness("no ESipa answer was recorded"))?;
    let body = hex::decode(&answer.hex).unwrap_or_default();
    let seen = match rasn::der::decode::<EsipaMessageFromEimToIpa>(&body) {
        Ok(EsipaMessageFromEimToIpa::InitiateAuthenticationResponseEsipa(r)) => match r.0 {
            InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationErrorEsipa(e) => {
                Some(e)
            }
            InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationOkEsipa(_) => {
                return Err(fail(
                    req,
                    expected,
                    "initiateAuthenticationOkEsipa: the request was relayed",
                ));
            }
        },
        _ => None,
    };
    check(
        seen == Some(want),
        req,
        expected,
        format!("HTTP {:?}, {seen:?} ({})", answer.status, answer.hex),
    )
}

/// The device's last HandleNotificationEsipa, sent again by hand after its session ended: a
/// late PIR with no open session.
async fn pir_again(w: &mut EimWorld, _: Args) -> StepResult {
    let sent = w
        .device(None)?
        .driver
        .trace()
        .iter()
        .rev()
        .filter(|e| e.direction == "ipa->eim")
        .filter_map(|e| hex::decode(&e.hex).ok())
        .find(|b| {
            matches!(
                rasn::der::decode::<EsipaMessageFromIpaToEim>(b),
                Ok(EsipaMessageFromIpaToEim::HandleNotificationEsipa(_))
            )
        })
        .ok_or_else(|| harness("the device sent no HandleNotification"))?;
    let answer = w
        .raw_post(&sent)
        .await?
        .ok_or_else(|| fail(INDIRECT, "an answer to HandleNotification", "none"))?;
    check(
        (200..300).contains(&answer.status),
        "SGP.32 6.1, 6.3.2.5: HandleNotification is answered 204 (no content)",
        "HTTP 2xx",
        answer.status,
    )
}

async fn smdp_got_pir_twice(w: &mut EimWorld, _: Args) -> StepResult {
    let prepared = w.prepared()?;
    let smdp = smdp_of(w)?;
    let received = smdp
        .notifications()
        .iter()
        .filter(|n| n.kind == "pir" && n.iccid.as_deref() == Some(prepared.iccid.as_str()))
        .count();
    check(
        received == 2,
        "SGP.32 3.2.3.2, 3.5: the eIM forwards every PIR to the SM-DP+, also one that arrives after the download session ended",
        "the PIR received twice by the SM-DP+",
        format!("{received} time(s)"),
    )
}

/// The device's ESipa messages of one direction, decoded.
fn esipa_sent<T: rasn::Decode>(w: &mut EimWorld, direction: &str) -> Result<Vec<T>, StepError> {
    Ok(w.device(None)?
        .driver
        .trace()
        .iter()
        .filter(|e| e.direction == direction && e.interface == "ESipa")
        .filter_map(|e| hex::decode(&e.hex).ok())
        .filter_map(|b| rasn::der::decode::<T>(&b).ok())
        .collect())
}

/// The form of a download message the device sent: `Some((name, compact))` for the messages
/// that have a compact form (SGP.32 6.3.2), `None` for the others.
fn download_form(m: &EsipaMessageFromIpaToEim) -> Option<(&'static str, bool)> {
    match m {
        EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(r) => Some((
            "InitiateAuthentication without euiccInfo1",
            r.euicc_info1.is_none(),
        )),
        EsipaMessageFromIpaToEim::AuthenticateClientRequestEsipa(r) => {
            match r.authenticate_server_response.0 {
                AuthenticateServerResponseChoice::CompactAuthenticateResponseOk(_) => {
                    Some(("compactAuthenticateResponseOk", true))
                }
                AuthenticateServerResponseChoice::AuthenticateResponseOk(_) => {
                    Some(("compactAuthenticateResponseOk", false))
                }
                AuthenticateServerResponseChoice::AuthenticateResponseError(_) => None,
            }
        }
        EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(r) => {
            match r.prepare_download_response.0 {
                PrepareDownloadResponseChoice::CompactDownloadResponseOk(_) => {
                    Some(("compactDownloadResponseOk", true))
                }
                PrepareDownloadResponseChoice::DownloadResponseOk(_) => {
                    Some(("compactDownloadResponseOk", false))
                }
                PrepareDownloadResponseChoice::DownloadResponseError(_) => None,
            }
        }
        EsipaMessageFromIpaToEim::CancelSessionRequestEsipa(r) => match r.cancel_session_response.0
        {
            CancelSessionResponseChoice::CompactCancelSessionResponseOk(_) => {
                Some(("compactCancelSessionResponseOk", true))
            }
            CancelSessionResponseChoice::CancelSessionResponseOk(_) => {
                Some(("compactCancelSessionResponseOk", false))
            }
            CancelSessionResponseChoice::CancelSessionResponseError(_) => None,
        },
        EsipaMessageFromIpaToEim::HandleNotificationEsipa(h) => match &h.0 {
            HandleNotificationEsipaChoice::PendingNotification(n) => match **n {
                PendingNotification::CompactProfileInstallationResult(_) => {
                    Some(("compactProfileInstallationResult", true))
                }
                PendingNotification::ProfileInstallationResult(_) => {
                    Some(("compactProfileInstallationResult", false))
                }
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

/// A self-check of the harness: every download message the device sent that has a compact form
/// was sent in it, at least InitiateAuthentication and AuthenticateClient (else the case would
/// test the full forms and prove nothing about the SUT's rebuilding). A harness ERROR otherwise.
async fn ran_compact(w: &mut EimWorld, _: Args) -> StepResult {
    let sent = esipa_sent::<EsipaMessageFromIpaToEim>(w, "ipa->eim")?;
    let forms: Vec<(&str, bool)> = sent.iter().filter_map(download_form).collect();
    let full: Vec<&str> = forms.iter().filter(|f| !f.1).map(|f| f.0).collect();
    let needed = [
        "InitiateAuthentication without euiccInfo1",
        "compactAuthenticateResponseOk",
    ];
    let missing: Vec<&str> = needed
        .into_iter()
        .filter(|n| !forms.contains(&(n, true)))
        .collect();
    if full.is_empty() && missing.is_empty() {
        Ok(())
    } else {
        Err(harness(format!(
            "the device did not use the compact forms: full forms sent instead of {full:?}, none of {missing:?}"
        )))
    }
}

async fn bpp_answer_without_txid(w: &mut EimWorld, _: Args) -> StepResult {
    let answers = esipa_sent::<EsipaMessageFromEimToIpa>(w, "eim->ipa")?;
    let ok = answers
        .iter()
        .rev()
        .find_map(|m| match m {
            EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(r) => match &r.0 {
                GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageOkEsipa(ok) => {
                    Some(ok)
                }
                _ => None,
            },
            _ => None,
        })
        .ok_or_else(|| {
            fail(
                MINIMIZE,
                "getBoundProfilePackageOkEsipa",
                "no GetBoundProfilePackage answer with a package",
            )
        })?;
    check(
        ok.transaction_id.is_none(),
        MINIMIZE,
        "getBoundProfilePackageOkEsipa without transactionId",
        format!(
            "transactionId {}",
            ok.transaction_id
                .as_ref()
                .map(|t| hex::encode_upper(&t[..]))
                .unwrap_or_default()
        ),
    )
}
