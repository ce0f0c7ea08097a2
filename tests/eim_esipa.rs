//! The reference eIM through encoded ESipa messages (`Eim::handle_esipa`) with the real
//! simulated eUICC executing its packages: GetEimPackage errors and the captured request,
//! package signatures, result checks, acknowledgements, repeats, the counter rule under
//! concurrent polls, the other result alternatives, and every fault switch.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, OnceLock};

use rasn::types::FixedOctetString;
use sgp32_harness::asn1::rsp::{Iccid, Octet16, TransactionId};
use sgp32_harness::asn1::sgp32::*;
use sgp32_harness::crypto::{Backend, der_to_raw, provider};
use sgp32_harness::eim::{
    Eim, EimConfig, EimFault, EimFaults, EsipaAnswer, OrderState, OrderStatus,
};
use sgp32_harness::euicc::{Euicc, Profile};
use sgp32_harness::pki::{Eid, Pki};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared");

fn pki() -> Arc<Pki> {
    static PKI: OnceLock<Arc<Pki>> = OnceLock::new();
    PKI.get_or_init(|| Arc::new(Pki::generate(7, 0).unwrap()))
        .clone()
}

/// A PKI with another CI.
fn other_pki() -> Arc<Pki> {
    static PKI: OnceLock<Arc<Pki>> = OnceLock::new();
    PKI.get_or_init(|| Arc::new(Pki::generate(8, 0).unwrap()))
        .clone()
}

fn eim_with(faults: &[EimFault]) -> Eim {
    Eim::new(
        EimConfig::from_pki(&pki(), Backend::AwsLc)
            .unwrap()
            .with_faults(faults.iter().copied().collect::<EimFaults>()),
    )
}

fn eim() -> Eim {
    eim_with(&[])
}

fn iccid(n: u8) -> Iccid {
    Iccid::from_digits(&format!("8944000000000000{n:02}")).unwrap()
}

fn es10<T: rasn::Decode>(euicc: &mut Euicc, request: &impl rasn::Encode) -> T {
    let bytes = euicc
        .handle_es10(&rasn::der::encode(request).unwrap())
        .unwrap();
    rasn::der::decode(&bytes).unwrap()
}

/// A simulated eUICC (profile 1 disabled and notifying enable/disable, profile 2 enabled)
/// that has this eIM through AddInitialEim (token 1); registered with its GetCerts
/// certificate.
fn device_on(eim: &Eim, pki: Arc<Pki>, index: u64, eid: Option<Eid>) -> Euicc {
    let mut builder = Euicc::builder(pki, index)
        .profile(Profile::new(iccid(1)).notify(&[1, 2], "smdp.example.com"))
        .profile(Profile::new(iccid(2)).enabled());
    if let Some(eid) = eid {
        builder = builder.eid(eid);
    }
    let mut euicc = builder.build().unwrap();
    let config = eim.config().eim_configuration_data(Some(0), Some(-1));
    let answer: AddInitialEimResponse = es10(
        &mut euicc,
        &AddInitialEimRequest {
            eim_configuration_data_list: vec![config],
            extensions: Default::default(),
        },
    );
    assert_eq!(
        answer.0,
        AddInitialEimResponseChoice::AddInitialEimOk(vec![AddInitialEimOkEntry::AssociationToken(
            1
        )])
    );
    let certs: GetCertsResponse = es10(&mut euicc, &GetCertsRequest::default());
    let GetCertsResponseChoice::Certs(certs) = certs.0 else {
        panic!("no certs")
    };
    let cert = certs.euicc_certificate.to_der().unwrap();
    assert!(
        eim.register_euicc(euicc.eid(), Some(1), 0, Some(cert))
            .unwrap()
    );
    euicc
}

fn device(eim: &Eim, index: u64) -> Euicc {
    device_on(eim, pki(), index, None)
}

fn poll_raw(eim: &Eim, eid: &Eid) -> Vec<u8> {
    match eim.handle_esipa(&common::poll_request(eid)) {
        EsipaAnswer::Message(m) => m,
        other => panic!("unexpected {other:?}"),
    }
}

fn decode_package(bytes: &[u8]) -> GetEimPackageResponseChoice {
    let EsipaMessageFromEimToIpa::GetEimPackageResponse(r) =
        rasn::der::decode::<EsipaMessageFromEimToIpa>(bytes).unwrap()
    else {
        panic!("not a GetEimPackageResponse")
    };
    r.0
}

fn poll(eim: &Eim, eid: &Eid) -> GetEimPackageResponseChoice {
    decode_package(&poll_raw(eim, eid))
}

fn package(eim: &Eim, eid: &Eid) -> EuiccPackageRequest {
    match poll(eim, eid) {
        GetEimPackageResponseChoice::EuiccPackageRequest(p) => *p,
        other => panic!("not a package: {other:?}"),
    }
}

fn error_of(choice: GetEimPackageResponseChoice) -> GetEimPackageError {
    match choice {
        GetEimPackageResponseChoice::EimPackageError(e) => e,
        other => panic!("not an error: {other:?}"),
    }
}

/// Runs a package on the eUICC; the result and the other pending notifications.
fn execute(
    euicc: &mut Euicc,
    request: &EuiccPackageRequest,
) -> (Vec<u8>, Vec<PendingNotification>) {
    let result = euicc
        .handle_es10(&rasn::der::encode(request).unwrap())
        .unwrap();
    let all: RetrieveNotificationsListResponse = es10(
        euicc,
        &RetrieveNotificationsListRequest {
            search_criteria: None,
            extensions: Default::default(),
        },
    );
    let list = match all.0 {
        RetrieveNotificationsListResponseChoice::NotificationList(l) => l,
        _ => Vec::new(),
    };
    (result, list)
}

fn provide(eim: &Eim, eid: Option<&Eid>, result: EimPackageResult) -> EsipaAnswer {
    let message =
        EsipaMessageFromIpaToEim::ProvideEimPackageResult(Box::new(ProvideEimPackageResult {
            eid_value: eid.map(|e| FixedOctetString::from(*e.as_bcd())),
            eim_package_result: result,
            extensions: Default::default(),
        }));
    eim.handle_esipa(&rasn::der::encode(&message).unwrap())
}

fn provide_response(answer: EsipaAnswer) -> ProvideEimPackageResultResponseChoice {
    let EsipaAnswer::Message(m) = answer else {
        panic!("no message: {answer:?}")
    };
    let EsipaMessageFromEimToIpa::ProvideEimPackageResultResponse(r) =
        rasn::der::decode::<EsipaMessageFromEimToIpa>(&m).unwrap()
    else {
        panic!("not a ProvideEimPackageResultResponse")
    };
    r.0
}

fn acks(answer: EsipaAnswer) -> Vec<i64> {
    match provide_response(answer) {
        ProvideEimPackageResultResponseChoice::EimAcknowledgements(a) => {
            a.0.iter().map(|s| s.0).collect()
        }
        other => panic!("not acknowledgements: {other:?}"),
    }
}

fn epr_and_notifications(result: &[u8], list: Vec<PendingNotification>) -> EimPackageResult {
    EimPackageResult::EprAndNotifications(EprAndNotifications {
        euicc_package_result: rasn::der::decode(result).unwrap(),
        notification_list: list,
        extensions: Default::default(),
    })
}

/// One round: poll, execute on the eUICC, provide with notifications; the acks.
fn round(eim: &Eim, euicc: &mut Euicc) -> Vec<i64> {
    let eid = euicc.eid();
    let request = package(eim, &eid);
    let (result, list) = execute(euicc, &request);
    acks(provide(
        eim,
        Some(&eid),
        epr_and_notifications(&result, list),
    ))
}

fn enable(n: u8) -> Psmo {
    Psmo::Enable(PsmoEnable {
        iccid: iccid(n),
        rollback_flag: None,
        extensions: Default::default(),
    })
}

fn status(eim: &Eim, id: u64) -> OrderStatus {
    eim.order(id).unwrap()
}

fn enabled_iccid(eim: &Eim, eid: &Eid) -> Option<String> {
    eim.devices(0, 100)
        .into_iter()
        .find(|d| d.eid == eid.to_string())
        .unwrap()
        .enabled_iccid
}

fn verifies_with_eim_cert(p: &EuiccPackageRequest, token: Option<i64>) -> bool {
    let key = provider(Backend::RustCrypto)
        .verifying_key_from_certificate_der(&pki().eim_sign.cert_der)
        .unwrap();
    let data = eim_signed_data(&p.euicc_package_signed, token).unwrap();
    key.verify(&data, &p.eim_signature).is_ok()
}

// ---------------------------------------------------------------------------------------------
// GetEimPackage

#[test]
fn captured_request_gets_eid_not_found_then_no_package_once_registered() {
    let request = std::fs::read(format!(
        "{SHARED}/spec/vectors/esipa-live/getEimPackageRequest_req.der"
    ))
    .unwrap();
    let eim = eim();
    let EsipaAnswer::Message(m) = eim.handle_esipa(&request) else {
        panic!()
    };
    assert_eq!(m, [0xbf, 0x4f, 0x03, 0x02, 0x01, 0x02]);
    assert_eq!(
        error_of(decode_package(&m)),
        GetEimPackageError::EID_NOT_FOUND
    );
    let eid = Eid::from_digits("89049032123451234512345678901235").unwrap();
    eim.register_euicc(eid, Some(1), 0, None).unwrap();
    let EsipaAnswer::Message(m) = eim.handle_esipa(&request) else {
        panic!()
    };
    assert_eq!(
        error_of(decode_package(&m)),
        GetEimPackageError::NO_EIM_PACKAGE_AVAILABLE
    );
    let device = &eim.devices(0, 10)[0];
    assert_eq!(device.polls, 1);
    assert!(!device.notify_state_change);
}

#[test]
fn invalid_and_missing_eids() {
    let eim = eim();
    // Wrong check digits.
    let bad = Eid::from_digits("89049032123451234512345678901234").unwrap();
    assert_eq!(error_of(poll(&eim, &bad)), GetEimPackageError::INVALID_EID);
    let answer = |body: &[u8]| match eim.handle_esipa(body) {
        EsipaAnswer::Message(m) => error_of(decode_package(&m)),
        other => panic!("{other:?}"),
    };
    // No eidValue: only notifyStateChange.
    assert_eq!(
        answer(&[0xbf, 0x4f, 0x02, 0x80, 0x00]),
        GetEimPackageError::MISSING_EID
    );
    assert_eq!(answer(&[0xbf, 0x4f, 0x00]), GetEimPackageError::MISSING_EID);
    // A 15-byte eidValue.
    let mut short = vec![0xbf, 0x4f, 0x11, 0x5a, 0x0f];
    short.extend([0x89; 15]);
    assert_eq!(answer(&short), GetEimPackageError::INVALID_EID);
    // Non-decimal BCD.
    let mut hexy = vec![0xbf, 0x4f, 0x12, 0x5a, 0x10];
    hexy.extend([0xab; 16]);
    assert_eq!(answer(&hexy), GetEimPackageError::INVALID_EID);
}

#[test]
fn undecodable_bodies_and_trailing_bytes() {
    let eim = eim();
    assert!(matches!(eim.handle_esipa(&[]), EsipaAnswer::Undecodable(_)));
    assert!(matches!(
        eim.handle_esipa(&[0x30, 0x00]),
        EsipaAnswer::Undecodable(_)
    ));
    let mut trailing = std::fs::read(format!(
        "{SHARED}/spec/vectors/esipa-live/getEimPackageRequest_req.der"
    ))
    .unwrap();
    trailing.push(0);
    assert!(matches!(
        eim.handle_esipa(&trailing),
        EsipaAnswer::Undecodable(_)
    ));
}

#[test]
fn state_change_and_rplmn_are_recorded() {
    let eim = eim();
    let euicc = device(&eim, 1);
    let request = EsipaMessageFromIpaToEim::GetEimPackageRequest(Box::new(GetEimPackageRequest {
        eid_value: FixedOctetString::from(*euicc.eid().as_bcd()),
        notify_state_change: Some(()),
        state_change_cause: Some(StateChangeCause::FALLBACK),
        r_plmn: Some(FixedOctetString::from([0x62, 0xf2, 0x10])),
        extensions: Default::default(),
    }));
    eim.handle_esipa(&rasn::der::encode(&request).unwrap());
    let d = &eim.devices(0, 10)[0];
    assert!(d.notify_state_change);
    assert_eq!(d.state_change_cause.as_deref(), Some("fallback"));
    assert_eq!(d.r_plmn.as_deref(), Some("62f210"));
    assert_eq!(d.polls, 1);
    assert!(d.last_poll > 1_700_000_000);
}

// ---------------------------------------------------------------------------------------------
// The PSMO round trip

#[test]
fn ordered_psmo_is_signed_executed_acknowledged_and_done() {
    let eim = eim();
    let mut euicc = device(&eim, 2);
    let eid = euicc.eid();
    let order = eim.order_psmos(eid, vec![enable(1)]).unwrap();
    assert_eq!(status(&eim, order).state, OrderState::Queued);

    let first = poll_raw(&eim, &eid);
    let request = match decode_package(&first) {
        GetEimPackageResponseChoice::EuiccPackageRequest(p) => *p,
        other => panic!("{other:?}"),
    };
    let signed = &request.euicc_package_signed;
    assert_eq!(signed.eim_id, "sgp32-harness-eim");
    assert_eq!(&*signed.eid_value, eid.as_bcd());
    assert_eq!(signed.counter_value, 1);
    assert_eq!(
        signed.eim_transaction_id.as_deref(),
        Some(&eim.transaction_id(order)[..])
    );
    assert_eq!(request.eim_signature.len(), 64);
    assert!(verifies_with_eim_cert(&request, Some(1)));
    assert!(!verifies_with_eim_cert(&request, None));
    // The same bytes until the result arrives.
    assert_eq!(poll_raw(&eim, &eid), first);
    let s = status(&eim, order);
    assert_eq!(s.state, OrderState::Delivered);
    assert_eq!(s.counter, Some(1));

    let (result, list) = execute(&mut euicc, &request);
    assert_eq!(list.len(), 1, "the enable of profile 1 is notified");
    let EuiccPackageResult(EuiccPackageResultChoice::EuiccPackageResultSigned(signed_result)) =
        rasn::der::decode(&result).unwrap()
    else {
        panic!("not a signed result")
    };
    let epr_seq = signed_result.euicc_package_result_data_signed.seq_number;
    let mut expected: Vec<i64> = vec![epr_seq];
    expected.extend(list.iter().map(|n| match n {
        PendingNotification::OtherSignedNotification(o) => o.tbs_other_notification.seq_number,
        _ => panic!(),
    }));
    let acked = acks(provide(
        &eim,
        Some(&eid),
        epr_and_notifications(&result, list.clone()),
    ));
    assert_eq!(acked, expected);

    let s = status(&eim, order);
    assert_eq!(s.state, OrderState::Done, "{s:?}");
    assert_eq!(s.outcomes, vec![serde_json::json!({"enableResult": "ok"})]);
    assert_eq!(s.reason, None);
    assert_eq!(
        enabled_iccid(&eim, &eid).as_deref(),
        Some("894400000000000001")
    );
    assert_eq!(
        error_of(poll(&eim, &eid)),
        GetEimPackageError::NO_EIM_PACKAGE_AVAILABLE
    );
    // The same result again: acknowledged again, no effect.
    let again = acks(provide(
        &eim,
        Some(&eid),
        epr_and_notifications(&result, list),
    ));
    assert_eq!(again, expected);
    assert_eq!(eim.devices(0, 1)[0].results_accepted, 1);
}

#[test]
fn results_without_eid_are_correlated_by_transaction_id() {
    let eim = eim();
    let mut euicc = device(&eim, 3);
    let eid = euicc.eid();
    let order = eim.order_psmos(eid, vec![enable(1)]).unwrap();
    let request = package(&eim, &eid);
    let (result, _) = execute(&mut euicc, &request);
    let answer = provide(
        &eim,
        None,
        EimPackageResult::EuiccPackageResult(rasn::der::decode(&result).unwrap()),
    );
    assert_eq!(acks(answer).len(), 1);
    assert_eq!(status(&eim, order).state, OrderState::Done);
}

#[test]
fn provide_result_eid_errors() {
    let eim = eim();
    let unknown = sgp32_harness::pki::euicc_eid(999).unwrap();
    let error = EimPackageResult::EimPackageResultResponseError(EimPackageResultResponseError {
        eim_transaction_id: None,
        eim_package_result_error_code: EimPackageResultErrorCode::UNKNOWN_PACKAGE,
        extensions: Default::default(),
    });
    assert_eq!(
        provide_response(provide(&eim, Some(&unknown), error.clone())),
        ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(
            ProvideEimPackageResultError::EID_NOT_FOUND
        )
    );
    let bad = Eid::from_digits("89049032123451234512345678901234").unwrap();
    assert_eq!(
        provide_response(provide(&eim, Some(&bad), error.clone())),
        ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(
            ProvideEimPackageResultError::INVALID_EID
        )
    );
    assert_eq!(
        provide_response(provide(&eim, None, error)),
        ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(
            ProvideEimPackageResultError::MISSING_EID
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Failed checks change no device state

fn failed_round(eim: &Eim, euicc: &mut Euicc) -> OrderStatus {
    let eid = euicc.eid();
    let order = eim.order_psmos(eid, vec![enable(1)]).unwrap();
    let request = package(eim, &eid);
    let (result, list) = execute(euicc, &request);
    acks(provide(
        eim,
        Some(&eid),
        epr_and_notifications(&result, list),
    ));
    status(eim, order)
}

fn assert_failed(eim: &Eim, euicc: &mut Euicc, reason_part: &str) {
    let eid = euicc.eid();
    let s = failed_round(eim, euicc);
    assert_eq!(s.state, OrderState::Failed, "{s:?}");
    let reason = s.reason.unwrap();
    assert!(reason.contains(reason_part), "{reason}");
    assert!(s.outcomes.is_empty());
    assert_eq!(enabled_iccid(eim, &eid), None);
    let d = eim
        .devices(0, 10)
        .into_iter()
        .find(|d| d.eid == eid.to_string())
        .unwrap();
    assert_eq!((d.results_accepted, d.results_rejected), (0, 1));
    // The queue moves on.
    assert_eq!(
        error_of(poll(eim, &eid)),
        GetEimPackageError::NO_EIM_PACKAGE_AVAILABLE
    );
}

#[test]
fn bad_euicc_signature_fails_the_order() {
    let eim = eim();
    let mut euicc = device(&eim, 4);
    euicc.faults_mut().wrong_result_signature = true;
    assert_failed(&eim, &mut euicc, "does not verify");
}

#[test]
fn results_of_a_v1_0_euicc_are_accepted_and_still_checked() {
    let eim = eim();
    let mut euicc = device(&eim, 40);
    let eid = euicc.eid();
    let settings = sgp32_harness::euicc::Settings {
        version: sgp32_harness::euicc::Sgp32Version::V1_0,
        ..euicc.settings().clone()
    };
    euicc.set_settings(settings).unwrap();
    let s = failed_round(&eim, &mut euicc);
    assert_eq!(
        s.state,
        OrderState::Done,
        "v1.0 form (data || eimSignature TLV): {s:?}"
    );
    assert_eq!(enabled_iccid(&eim, &eid), Some(iccid(1).digits()));
    // A bad v1.0 signature is refused like a bad v1.2 one.
    let mut euicc = device(&eim, 41);
    let settings = sgp32_harness::euicc::Settings {
        version: sgp32_harness::euicc::Sgp32Version::V1_0,
        ..euicc.settings().clone()
    };
    euicc.set_settings(settings).unwrap();
    euicc.faults_mut().wrong_result_signature = true;
    assert_failed(&eim, &mut euicc, "does not verify");
}

#[test]
fn wrong_counter_echoed_fails_the_order() {
    let eim = eim();
    let mut euicc = device(&eim, 5);
    euicc.faults_mut().stale_counter = true;
    assert_failed(&eim, &mut euicc, "counterValue 0");
}

#[test]
fn wrong_transaction_id_echoed_fails_the_order() {
    let eim = eim();
    let mut euicc = device(&eim, 6);
    euicc.faults_mut().wrong_eim_transaction_id = true;
    assert_failed(&eim, &mut euicc, "eimTransactionId");
}

#[test]
fn certificate_from_an_unknown_ci_fails_the_order() {
    let eim = eim();
    let mut euicc = device_on(&eim, other_pki(), 7, None);
    assert_failed(&eim, &mut euicc, "chain");
}

#[test]
fn eid_outside_the_eum_range_fails_the_order() {
    let eim = eim();
    let outside = Eid::from_digits("89049033000000000000000000000700")
        .unwrap()
        .with_check_digits();
    let mut euicc = device_on(&eim, pki(), 8, Some(outside));
    assert_failed(&eim, &mut euicc, "chain");
}

#[test]
fn unsigned_and_signed_errors_fail_the_order() {
    let eim = eim();
    let mut euicc = device(&eim, 9);
    let eid = euicc.eid();
    euicc.faults_mut().ecall_active = true;
    let s = failed_round(&eim, &mut euicc);
    assert_eq!(s.state, OrderState::Failed);
    assert!(
        s.reason
            .unwrap()
            .contains("euiccPackageErrorSigned: ecallActive")
    );
    // An error without signature: the eIM sends its own error alternative.
    euicc.faults_mut().ecall_active = false;
    let order = eim.order_psmos(eid, vec![enable(1)]).unwrap();
    let request = package(&eim, &eid);
    let unsigned = EuiccPackageResult(EuiccPackageResultChoice::EuiccPackageErrorUnsigned(
        EuiccPackageErrorUnsigned {
            eim_id: "sgp32-harness-eim".into(),
            eim_transaction_id: request.euicc_package_signed.eim_transaction_id.clone(),
            association_token: Some(1),
            extensions: Default::default(),
        },
    ));
    let acked = acks(provide(
        &eim,
        Some(&eid),
        EimPackageResult::EuiccPackageResult(unsigned),
    ));
    assert!(acked.is_empty());
    let s = status(&eim, order);
    assert_eq!(s.state, OrderState::Failed);
    assert!(s.reason.unwrap().contains("unauthenticated"));
}

// ---------------------------------------------------------------------------------------------
// Counter rule

#[test]
fn concurrent_polls_of_one_eid_share_one_package() {
    let eim = eim();
    let euicc = device(&eim, 10);
    let eid = euicc.eid();
    for n in [1, 2, 1] {
        eim.order_psmos(eid, vec![enable(n)]).unwrap();
    }
    let answers: Vec<Vec<u8>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..100).map(|_| s.spawn(|| poll_raw(&eim, &eid))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(answers.iter().all(|a| *a == answers[0]));
    let GetEimPackageResponseChoice::EuiccPackageRequest(p) = decode_package(&answers[0]) else {
        panic!()
    };
    assert_eq!(p.euicc_package_signed.counter_value, 1);
    assert_eq!(eim.devices(0, 1)[0].counter, 1);
    assert_eq!(eim.devices(0, 1)[0].polls, 100);
}

#[test]
fn counter_rule_holds_under_concurrent_polls_with_results() {
    let eim = eim();
    let euicc = Mutex::new(device(&eim, 11));
    let eid = euicc.lock().unwrap().eid();
    let orders: Vec<u64> = (0..6)
        .map(|i| {
            eim.order_psmos(eid, vec![enable(1 + (i % 2) as u8)])
                .unwrap()
        })
        .collect();
    let seen: Mutex<BTreeMap<i64, BTreeSet<Vec<u8>>>> = Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for _ in 0..100 {
            s.spawn(|| {
                let answer = poll_raw(&eim, &eid);
                let GetEimPackageResponseChoice::EuiccPackageRequest(p) = decode_package(&answer)
                else {
                    return;
                };
                seen.lock()
                    .unwrap()
                    .entry(p.euicc_package_signed.counter_value)
                    .or_default()
                    .insert(answer.clone());
                // Execute and report under the eUICC's lock, as one IPA would.
                let mut e = euicc.lock().unwrap();
                let (result, list) = execute(&mut e, &p);
                provide(&eim, Some(&eid), epr_and_notifications(&result, list));
            });
        }
    });
    // Finish whatever is left, one IPA.
    let mut e = euicc.into_inner().unwrap();
    loop {
        let answer = poll_raw(&eim, &eid);
        let GetEimPackageResponseChoice::EuiccPackageRequest(p) = decode_package(&answer) else {
            break;
        };
        seen.lock()
            .unwrap()
            .entry(p.euicc_package_signed.counter_value)
            .or_default()
            .insert(answer);
        let (result, list) = execute(&mut e, &p);
        provide(&eim, Some(&eid), epr_and_notifications(&result, list));
    }
    let seen = seen.into_inner().unwrap();
    assert_eq!(
        seen.keys().copied().collect::<Vec<_>>(),
        (1..=6).collect::<Vec<_>>()
    );
    assert!(
        seen.values().all(|packages| packages.len() == 1),
        "a counter used twice"
    );
    for (i, id) in orders.iter().enumerate() {
        let s = status(&eim, *id);
        assert_eq!(s.state, OrderState::Done, "{s:?}");
        assert_eq!(s.counter, Some(i as i64 + 1));
    }
}

// ---------------------------------------------------------------------------------------------
// Other packages and results

#[test]
fn euicc_data_request_teaches_the_certificate() {
    let eim = eim();
    // Registered without a certificate: the eUICC data response brings it.
    let mut euicc = device(&eim, 12);
    let eid = euicc.eid();
    eim.register_euicc(eid, Some(1), 0, None).unwrap();
    let order = eim
        .order_euicc_data(eid, hex::decode("A6A5").unwrap())
        .unwrap();
    let GetEimPackageResponseChoice::IpaEuiccDataRequest(r) = poll(&eim, &eid) else {
        panic!()
    };
    assert_eq!(r.tag_list.to_vec(), [0xa6, 0xa5]);
    let txid = r.eim_transaction_id.clone().unwrap();
    assert_eq!(&txid[..], &eim.transaction_id(order)[..]);
    let certs: GetCertsResponse = es10(&mut euicc, &GetCertsRequest::default());
    let GetCertsResponseChoice::Certs(certs) = certs.0 else {
        panic!()
    };
    let data = IpaEuiccData {
        euicc_certificate: Some(certs.euicc_certificate),
        eum_certificate: Some(certs.eum_certificate),
        eim_transaction_id: Some(txid),
        ..Default::default()
    };
    let answer = provide(
        &eim,
        Some(&eid),
        EimPackageResult::IpaEuiccDataResponse(IpaEuiccDataResponse(
            IpaEuiccDataResponseChoice::IpaEuiccData(Box::new(data)),
        )),
    );
    assert!(matches!(
        provide_response(answer),
        ProvideEimPackageResultResponseChoice::EmptyResponse(_)
    ));
    let s = status(&eim, order);
    assert_eq!(s.state, OrderState::Done);
    assert_eq!(
        s.outcomes,
        vec![
            serde_json::json!({"ipaEuiccData": ["eumCertificate", "euiccCertificate", "eimTransactionId"]})
        ]
    );
    // The learned certificate verifies the next result.
    let psmo = eim.order_psmos(eid, vec![enable(1)]).unwrap();
    round(&eim, &mut euicc);
    assert_eq!(status(&eim, psmo).state, OrderState::Done);
}

#[test]
fn unknown_certificate_fails_the_order() {
    let eim = eim();
    let mut euicc = device(&eim, 13);
    eim.register_euicc(euicc.eid(), Some(1), 0, None).unwrap();
    assert_failed(&eim, &mut euicc, "no eUICC certificate");
}

#[test]
fn download_trigger_and_error_results() {
    let eim = eim();
    let euicc = device(&eim, 14);
    let eid = euicc.eid();
    let order = eim
        .order_download_trigger(eid, "1$smdp.example.com$MATCHING".into())
        .unwrap();
    let GetEimPackageResponseChoice::ProfileDownloadTriggerRequest(r) = poll(&eim, &eid) else {
        panic!()
    };
    assert_eq!(
        r.profile_download_data,
        Some(ProfileDownloadData::ActivationCode(
            "1$smdp.example.com$MATCHING".into()
        ))
    );
    let result = ProfileDownloadTriggerResult {
        eim_transaction_id: r.eim_transaction_id.clone(),
        profile_download_trigger_result_data:
            ProfileDownloadTriggerResultData::ProfileDownloadError(ProfileDownloadError {
                profile_download_error_reason: ProfileDownloadErrorReason::UNDEFINED_ERROR,
                error_response: None,
                extensions: Default::default(),
            }),
        extensions: Default::default(),
    };
    provide(
        &eim,
        Some(&eid),
        EimPackageResult::ProfileDownloadTriggerResult(Box::new(result)),
    );
    let s = status(&eim, order);
    assert_eq!(s.state, OrderState::Failed);
    assert!(s.reason.unwrap().contains("profileDownloadError"));

    // eimPackageResultResponseError, correlated by eimTransactionId only.
    let order = eim.order_euicc_data(eid, vec![0x80]).unwrap();
    let GetEimPackageResponseChoice::IpaEuiccDataRequest(r) = poll(&eim, &eid) else {
        panic!()
    };
    let answer = provide(
        &eim,
        None,
        EimPackageResult::EimPackageResultResponseError(EimPackageResultResponseError {
            eim_transaction_id: r.eim_transaction_id.clone(),
            eim_package_result_error_code: EimPackageResultErrorCode::INVALID_PACKAGE_FORMAT,
            extensions: Default::default(),
        }),
    );
    assert!(matches!(
        provide_response(answer),
        ProvideEimPackageResultResponseChoice::EmptyResponse(_)
    ));
    let s = status(&eim, order);
    assert_eq!(s.state, OrderState::Failed);
    assert!(s.reason.unwrap().contains("invalidPackageFormat"));
}

#[test]
fn result_for_no_package_is_undefined_error() {
    let eim = eim();
    let euicc = device(&eim, 15);
    let answer = provide(
        &eim,
        Some(&euicc.eid()),
        EimPackageResult::EimPackageResultResponseError(EimPackageResultResponseError {
            eim_transaction_id: Some(TransactionId::new(vec![1; 16])),
            eim_package_result_error_code: EimPackageResultErrorCode::UNKNOWN_PACKAGE,
            extensions: Default::default(),
        }),
    );
    assert_eq!(
        provide_response(answer),
        ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(
            ProvideEimPackageResultError::UNDEFINED_ERROR
        )
    );
}

#[test]
fn handle_notification_is_recorded_without_content() {
    let eim = eim();
    let mut euicc = device(&eim, 16);
    let eid = euicc.eid();
    eim.order_psmos(eid, vec![enable(1)]).unwrap();
    let request = package(&eim, &eid);
    let (_, list) = execute(&mut euicc, &request);
    let n = list[0].clone();
    let message =
        EsipaMessageFromIpaToEim::HandleNotificationEsipa(Box::new(HandleNotificationEsipa(
            HandleNotificationEsipaChoice::PendingNotification(Box::new(n)),
        )));
    assert_eq!(
        eim.handle_esipa(&rasn::der::encode(&message).unwrap()),
        EsipaAnswer::NoContent
    );
    let (log, count) = eim.notifications();
    assert_eq!(count, 1);
    assert_eq!(log[0].kind, "otherSignedNotification");
}

#[test]
fn initiate_authentication_without_a_known_eim_transaction_id_is_refused() {
    let eim = eim();
    let message = EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(Box::new(
        InitiateAuthenticationRequestEsipa {
            euicc_challenge: Octet16::new([7; 16]),
            smdp_address: Some("smdp.example.com".into()),
            euicc_info1: None,
            eim_transaction_id: None,
            extensions: Default::default(),
        },
    ));
    let EsipaAnswer::Message(m) = eim.handle_esipa(&rasn::der::encode(&message).unwrap()) else {
        panic!()
    };
    let EsipaMessageFromEimToIpa::InitiateAuthenticationResponseEsipa(r) =
        rasn::der::decode(&m).unwrap()
    else {
        panic!()
    };
    assert_eq!(
        r.0,
        InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationErrorEsipa(
            InitiateAuthenticationErrorEsipa::INVALID_EIM_TRANSACTION_ID
        )
    );
}

// ---------------------------------------------------------------------------------------------
// The download relay (sans-IO: the Relay answers, not the SM-DP+; tests/eim_relay.rs runs it
// against the mock SM-DP+ over sockets)

const RELAY_A: &str = "smdp-a.example.com";
const RELAY_B: &str = "smdp-b.example.com";

fn relay_eim(faults: &[EimFault]) -> Eim {
    Eim::new(
        EimConfig::from_pki(&pki(), Backend::AwsLc)
            .unwrap()
            .with_faults(faults.iter().copied().collect::<EimFaults>())
            .with_smdp(RELAY_A, "http://127.0.0.1:1001")
            .with_smdp(RELAY_B, "http://127.0.0.1:1002"),
    )
}

/// A registered EID with a delivered download trigger for `RELAY_A`: (EID, eimTransactionId).
fn delivered_trigger(eim: &Eim, index: u64) -> (Eid, TransactionId) {
    let eid = sgp32_harness::pki::euicc_eid(index).unwrap();
    eim.register_euicc(eid, Some(1), 0, None).unwrap();
    eim.order_download_trigger(eid, format!("1${RELAY_A}$MATCH-{index}"))
        .unwrap();
    let GetEimPackageResponseChoice::ProfileDownloadTriggerRequest(t) =
        decode_package(&poll_raw(eim, &eid))
    else {
        panic!("no trigger")
    };
    (eid, t.eim_transaction_id.unwrap())
}

fn euicc_info1() -> sgp32_harness::asn1::rsp::EuiccInfo1 {
    sgp32_harness::asn1::rsp::EuiccInfo1 {
        svn: sgp32_harness::asn1::rsp::VersionType::from_parts(2, 5, 0),
        euicc_ci_pk_id_list_for_verification: Vec::new(),
        euicc_ci_pk_id_list_for_signing: Vec::new(),
        extensions: Default::default(),
    }
}

fn initiate_raw(eim: &Eim, txid: Option<TransactionId>, address: &str) -> EsipaAnswer {
    let message = EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(Box::new(
        InitiateAuthenticationRequestEsipa {
            euicc_challenge: Octet16::new([7; 16]),
            smdp_address: Some(address.into()),
            euicc_info1: Some(euicc_info1()),
            eim_transaction_id: txid,
            extensions: Default::default(),
        },
    ));
    eim.handle_esipa(&rasn::der::encode(&message).unwrap())
}

fn initiate_error_code(answer: EsipaAnswer) -> i64 {
    let EsipaAnswer::Message(m) = answer else {
        panic!("not a message: {answer:?}")
    };
    match rasn::der::decode(&m).unwrap() {
        EsipaMessageFromEimToIpa::InitiateAuthenticationResponseEsipa(r) => match r.0 {
            InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationErrorEsipa(e) => e.0,
            other => panic!("not an error: {other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn initiate_authentication_checks_before_relaying() {
    let eim = relay_eim(&[]);
    let (_, txid) = delivered_trigger(&eim, 70);
    let mut wrong = txid.to_vec();
    wrong[0] ^= 1;
    assert_eq!(
        initiate_error_code(initiate_raw(&eim, Some(TransactionId::new(wrong)), RELAY_A)),
        52
    );
    assert_eq!(initiate_error_code(initiate_raw(&eim, None, RELAY_A)), 52);
    assert_eq!(
        initiate_error_code(initiate_raw(&eim, Some(txid.clone()), RELAY_B)),
        50
    );
    let EsipaAnswer::Relay(r) = initiate_raw(&eim, Some(txid.clone()), "SMDP-A.example.com") else {
        panic!("not relayed")
    };
    assert_eq!(r.url, "http://127.0.0.1:1001");
    assert_eq!(r.path(), "/gsma/rsp2/es9plus/initiateAuthentication");
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["smdpAddress"], RELAY_A);
    assert_eq!(body["euiccChallenge"], "BwcHBwcHBwcHBwcHBwcHBw==");
    // An address the activation code names but the eIM has no URL for: invalidDpAddress.
    let plain = eim_with(&[]);
    let (_, txid) = delivered_trigger(&plain, 71);
    assert_eq!(
        initiate_error_code(initiate_raw(&plain, Some(txid), RELAY_A)),
        1
    );
    // The SM-DP+'s error is mapped; a transport failure is undefinedError.
    let failed = br#"{"header":{"functionExecutionStatus":{"status":"Failed","statusCodeData":{"subjectCode":"8.8.2","reasonCode":"3.1","message":"x"}}}}"#;
    assert_eq!(
        initiate_error_code(eim.complete_relay(
            r.ticket.clone(),
            sgp32_harness::eim::RelayOutcome::Answer {
                status: 200,
                body: failed.to_vec()
            }
        )),
        3
    );
    assert_eq!(
        initiate_error_code(eim.complete_relay(
            r.ticket,
            sgp32_harness::eim::RelayOutcome::TransportFailure("refused".into())
        )),
        127
    );
}

#[test]
fn fault_relay_to_wrong_smdp() {
    let reference = relay_eim(&[]);
    let (_, txid) = delivered_trigger(&reference, 72);
    let EsipaAnswer::Relay(r) = initiate_raw(&reference, Some(txid), RELAY_A) else {
        panic!("not relayed")
    };
    assert_eq!(r.url, "http://127.0.0.1:1001");

    let eim = relay_eim(&[EimFault::RelayToWrongSmdp]);
    let (_, txid) = delivered_trigger(&eim, 72);
    let EsipaAnswer::Relay(r) = initiate_raw(&eim, Some(txid), RELAY_A) else {
        panic!("not relayed")
    };
    assert_eq!(r.url, "http://127.0.0.1:1002");
}

#[test]
fn fault_eim_transaction_id_ignored() {
    let unknown = Some(TransactionId::new(vec![9; 16]));
    let reference = relay_eim(&[]);
    delivered_trigger(&reference, 73);
    assert_eq!(
        initiate_error_code(initiate_raw(&reference, unknown.clone(), RELAY_A)),
        52
    );
    let eim = relay_eim(&[EimFault::EimTransactionIdIgnored]);
    delivered_trigger(&eim, 73);
    assert!(matches!(
        initiate_raw(&eim, unknown, RELAY_A),
        EsipaAnswer::Relay(_)
    ));
}

#[test]
fn fault_smdp_address_unchecked() {
    let reference = relay_eim(&[]);
    let (_, txid) = delivered_trigger(&reference, 74);
    assert_eq!(
        initiate_error_code(initiate_raw(&reference, Some(txid), RELAY_B)),
        50,
        "smdpAddressMismatch"
    );
    let eim = relay_eim(&[EimFault::SmdpAddressUnchecked]);
    let (_, txid) = delivered_trigger(&eim, 74);
    let EsipaAnswer::Relay(r) = initiate_raw(&eim, Some(txid), RELAY_B) else {
        panic!("relayed to the address asked")
    };
    assert_eq!(r.url, "http://127.0.0.1:1002");
}

/// A (late) PIR for `RELAY_A`: no session, unsigned; only its forwarding matters here.
fn pir_notification(address: &str) -> Vec<u8> {
    use sgp32_harness::asn1::rsp::{
        FinalResult, NotificationMetadata, ProfileInstallationResultData, SuccessResult,
    };
    let pir = ProfileInstallationResult {
        profile_installation_result_data: ProfileInstallationResultData {
            transaction_id: TransactionId::new(vec![1, 2, 3, 4]),
            notification_metadata: NotificationMetadata {
                seq_number: 5,
                profile_management_operation: named_bits(&[0]),
                notification_address: address.into(),
                iccid: Some(iccid(9)),
                extensions: Default::default(),
            },
            smdp_oid: rasn::types::ObjectIdentifier::new(vec![2, 999, 10]).unwrap(),
            final_result: FinalResult::SuccessResult(SuccessResult {
                aid: vec![0xa0, 0, 0, 5, 0x59, 0x10, 0x10, 1].into(),
                sima_response: vec![0x30, 0x00].into(),
                extensions: Default::default(),
            }),
            extensions: Default::default(),
        },
        euicc_sign_pir: vec![0u8; 64].into(),
        extensions: Default::default(),
    };
    rasn::der::encode(&EsipaMessageFromIpaToEim::HandleNotificationEsipa(
        Box::new(HandleNotificationEsipa(
            HandleNotificationEsipaChoice::PendingNotification(Box::new(
                PendingNotification::ProfileInstallationResult(Box::new(pir)),
            )),
        )),
    ))
    .unwrap()
}

#[test]
fn fault_pir_not_forwarded() {
    let reference = relay_eim(&[]);
    let EsipaAnswer::Relay(r) = reference.handle_esipa(&pir_notification(RELAY_A)) else {
        panic!("a late PIR is forwarded")
    };
    assert_eq!(r.url, "http://127.0.0.1:1001");
    assert_eq!(r.path(), "/gsma/rsp2/es9plus/handleNotification");
    let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let forwarded =
        sgp32_harness::smdp::es9_json::b64_decode(body["pendingNotification"].as_str().unwrap())
            .unwrap();
    assert_eq!(&forwarded[..2], &[0xbf, 0x37]);
    // No URL for the address: recorded, not forwarded.
    assert_eq!(
        reference.handle_esipa(&pir_notification("elsewhere.example")),
        EsipaAnswer::NoContent
    );

    let eim = relay_eim(&[EimFault::PirNotForwarded]);
    assert_eq!(
        eim.handle_esipa(&pir_notification(RELAY_A)),
        EsipaAnswer::NoContent
    );
    assert_eq!(eim.notifications().1, 1);
}

// ---------------------------------------------------------------------------------------------
// Fault switches: each changes what it names

#[test]
fn fault_counter_reused() {
    let eim = eim_with(&[EimFault::CounterReused]);
    let mut euicc = device(&eim, 20);
    let eid = euicc.eid();
    let order = eim.order_psmos(eid, vec![enable(1)]).unwrap();
    let p = package(&eim, &eid);
    assert_eq!(p.euicc_package_signed.counter_value, 0);
    let (result, list) = execute(&mut euicc, &p);
    provide(&eim, Some(&eid), epr_and_notifications(&result, list));
    assert!(status(&eim, order).reason.unwrap().contains("replayError"));
}

#[test]
fn fault_counter_skip() {
    let eim = eim_with(&[EimFault::CounterSkip]);
    let euicc = device(&eim, 21);
    eim.order_psmos(euicc.eid(), vec![enable(1)]).unwrap();
    assert_eq!(
        package(&eim, &euicc.eid())
            .euicc_package_signed
            .counter_value,
        2
    );
}

#[test]
fn fault_bad_package_signature() {
    let eim = eim_with(&[EimFault::BadPackageSignature]);
    let mut euicc = device(&eim, 22);
    let eid = euicc.eid();
    let order = eim.order_psmos(eid, vec![enable(1)]).unwrap();
    let p = package(&eim, &eid);
    assert_eq!(p.eim_signature.len(), 64);
    assert!(!verifies_with_eim_cert(&p, Some(1)));
    let (result, _) = execute(&mut euicc, &p);
    assert!(matches!(
        rasn::der::decode::<EuiccPackageResult>(&result).unwrap().0,
        EuiccPackageResultChoice::EuiccPackageErrorUnsigned(_)
    ));
    provide(
        &eim,
        Some(&eid),
        EimPackageResult::EuiccPackageResult(rasn::der::decode(&result).unwrap()),
    );
    assert_eq!(status(&eim, order).state, OrderState::Failed);
}

#[test]
fn fault_signature_without_association_token() {
    let eim = eim_with(&[EimFault::SignatureWithoutAssociationToken]);
    let euicc = device(&eim, 23);
    eim.order_psmos(euicc.eid(), vec![enable(1)]).unwrap();
    let p = package(&eim, &euicc.eid());
    assert!(verifies_with_eim_cert(&p, None));
    assert!(!verifies_with_eim_cert(&p, Some(1)));
}

#[test]
fn fault_der_signature() {
    let eim = eim_with(&[EimFault::DerSignature]);
    let euicc = device(&eim, 24);
    eim.order_psmos(euicc.eid(), vec![enable(1)]).unwrap();
    let mut p = package(&eim, &euicc.eid());
    assert_eq!(p.eim_signature[0], 0x30);
    assert_ne!(p.eim_signature.len(), 64);
    p.eim_signature = der_to_raw(&p.eim_signature).unwrap().to_vec().into();
    assert!(verifies_with_eim_cert(&p, Some(1)));
}

#[test]
fn fault_package_for_other_eid() {
    let eim = eim_with(&[EimFault::PackageForOtherEid]);
    let euicc = device(&eim, 25);
    let eid = euicc.eid();
    eim.order_psmos(eid, vec![enable(1)]).unwrap();
    let p = package(&eim, &eid);
    let named = Eid::from_bcd(*p.euicc_package_signed.eid_value).unwrap();
    assert_ne!(named, eid);
    assert!(named.is_valid());
    assert!(verifies_with_eim_cert(&p, Some(1)));
}

#[test]
fn fault_choice_tag_twice() {
    let eim = eim_with(&[EimFault::ChoiceTagTwice]);
    let euicc = device(&eim, 26);
    let answer = poll_raw(&eim, &euicc.eid());
    assert_eq!(
        answer,
        [0xbf, 0x4f, 0x06, 0xbf, 0x4f, 0x03, 0x02, 0x01, 0x01]
    );
    eim.order_psmos(euicc.eid(), vec![enable(1)]).unwrap();
    let answer = poll_raw(&eim, &euicc.eid());
    assert_eq!(&answer[..2], [0xbf, 0x4f]);
    let start = match answer[2] {
        0x81 => 4,
        0x82 => 5,
        _ => 3,
    };
    let inner = &answer[start..];
    assert_eq!(&inner[..2], [0xbf, 0x4f]);
    assert!(matches!(
        decode_package(inner),
        GetEimPackageResponseChoice::EuiccPackageRequest(_)
    ));
}

#[test]
fn fault_accept_bad_result_signature() {
    let eim = eim_with(&[EimFault::AcceptBadResultSignature]);
    let mut euicc = device(&eim, 27);
    euicc.faults_mut().wrong_result_signature = true;
    let s = failed_round(&eim, &mut euicc);
    assert_eq!(s.state, OrderState::Done);
    assert_eq!(
        enabled_iccid(&eim, &euicc.eid()).as_deref(),
        Some("894400000000000001")
    );
}

#[test]
fn fault_accept_counter_mismatch() {
    let eim = eim_with(&[EimFault::AcceptCounterMismatch]);
    let mut euicc = device(&eim, 28);
    euicc.faults_mut().stale_counter = true;
    assert_eq!(failed_round(&eim, &mut euicc).state, OrderState::Done);
}

#[test]
fn fault_accept_unknown_ci() {
    let eim = eim_with(&[EimFault::AcceptUnknownCi]);
    let mut euicc = device_on(&eim, other_pki(), 29, None);
    assert_eq!(failed_round(&eim, &mut euicc).state, OrderState::Done);
}

#[test]
fn fault_eid_not_found_as_no_package() {
    let eim = eim_with(&[EimFault::EidNotFoundAsNoPackage]);
    let unknown = sgp32_harness::pki::euicc_eid(4242).unwrap();
    assert_eq!(
        error_of(poll(&eim, &unknown)),
        GetEimPackageError::NO_EIM_PACKAGE_AVAILABLE
    );
}

#[test]
fn fault_wrong_content_type() {
    assert_eq!(eim().response_content_type(), "application/x-gsma-rsp-asn1");
    let eim = eim_with(&[EimFault::WrongContentType]);
    assert_eq!(eim.response_content_type(), "application/octet-stream");
}

#[test]
fn every_fault_has_a_test_here() {
    let source = include_str!("eim_esipa.rs");
    for f in EimFault::ALL {
        let name = format!("fn fault_{}()", f.name().replace('-', "_"));
        assert!(source.contains(&name), "no test {name}");
    }
}

#[test]
fn bulk_range_devices_verify_with_derived_certificates() {
    let eim = eim();
    let (first, last) = eim.register_range(50, 7, 100).unwrap();
    assert_eq!(first, sgp32_harness::pki::euicc_eid(100).unwrap());
    assert_eq!(last, sgp32_harness::pki::euicc_eid(149).unwrap());
    let mut euicc = Euicc::builder(pki(), 120)
        .profile(Profile::new(iccid(1)))
        .profile(Profile::new(iccid(2)).enabled())
        .build()
        .unwrap();
    let config = eim.config().eim_configuration_data(Some(0), Some(-1));
    let _: AddInitialEimResponse = es10(
        &mut euicc,
        &AddInitialEimRequest {
            eim_configuration_data_list: vec![config],
            extensions: Default::default(),
        },
    );
    let order = eim.order_psmos(euicc.eid(), vec![enable(1)]).unwrap();
    round(&eim, &mut euicc);
    assert_eq!(status(&eim, order).state, OrderState::Done);
}

#[test]
fn result_inside_handle_notification_is_processed_without_content() {
    let eim = eim();
    let mut euicc = device(&eim, 17);
    let eid = euicc.eid();
    let order = eim.order_psmos(eid, vec![enable(1)]).unwrap();
    let request = package(&eim, &eid);
    let (result, list) = execute(&mut euicc, &request);
    let message = EsipaMessageFromIpaToEim::HandleNotificationEsipa(Box::new(
        HandleNotificationEsipa(HandleNotificationEsipaChoice::ProvideEimPackageResult(
            Box::new(ProvideEimPackageResult {
                eid_value: Some(FixedOctetString::from(*eid.as_bcd())),
                eim_package_result: epr_and_notifications(&result, list),
                extensions: Default::default(),
            }),
        )),
    ));
    assert_eq!(
        eim.handle_esipa(&rasn::der::encode(&message).unwrap()),
        EsipaAnswer::NoContent
    );
    assert_eq!(status(&eim, order).state, OrderState::Done);
    assert_eq!(
        enabled_iccid(&eim, &eid).as_deref(),
        Some("894400000000000001")
    );
}

#[test]
fn transfer_eim_package_response_is_not_a_request_here() {
    let message = EsipaMessageFromIpaToEim::TransferEimPackageResponse(Box::new(
        TransferEimPackageResponse(TransferEimPackageResponseChoice::EimPackageReceived(())),
    ));
    assert!(matches!(
        eim().handle_esipa(&rasn::der::encode(&message).unwrap()),
        EsipaAnswer::Undecodable(r) if r.contains("Injection")
    ));
}

/// A direct download's report: profileDownloadTriggerResult with a successful PIR (seqNumber
/// 77) for a fresh download order. Returns the order and the PIR's acknowledgements.
fn provide_direct_download_result(eim: &Eim) -> (u64, Vec<i64>) {
    use sgp32_harness::asn1::rsp::{
        FinalResult, NotificationMetadata, ProfileInstallationResultData, SuccessResult,
    };
    let euicc = device(eim, 18);
    let eid = euicc.eid();
    let order = eim
        .order_download_trigger(eid, "1$smdp.example.com$OK".into())
        .unwrap();
    let GetEimPackageResponseChoice::ProfileDownloadTriggerRequest(r) = poll(eim, &eid) else {
        panic!()
    };
    let pir = ProfileInstallationResult {
        profile_installation_result_data: ProfileInstallationResultData {
            transaction_id: TransactionId::new(vec![9; 16]),
            notification_metadata: NotificationMetadata {
                seq_number: 77,
                profile_management_operation: named_bits(&[0]),
                notification_address: "smdp.example.com".into(),
                iccid: Some(iccid(5)),
                extensions: Default::default(),
            },
            smdp_oid: rasn::types::ObjectIdentifier::new(vec![1, 3, 6, 1, 4, 1, 99]).unwrap(),
            final_result: FinalResult::SuccessResult(SuccessResult {
                aid: vec![0xa0, 0, 0, 5, 0x59].into(),
                sima_response: vec![0x30, 0x00].into(),
                extensions: Default::default(),
            }),
            extensions: Default::default(),
        },
        euicc_sign_pir: sgp32_harness::asn1::rsp::EuiccSignPIR::new(vec![0; 64]),
        extensions: Default::default(),
    };
    let result = ProfileDownloadTriggerResult {
        eim_transaction_id: r.eim_transaction_id.clone(),
        profile_download_trigger_result_data:
            ProfileDownloadTriggerResultData::ProfileInstallationResult(Box::new(pir)),
        extensions: Default::default(),
    };
    let answer = provide(
        eim,
        Some(&eid),
        EimPackageResult::ProfileDownloadTriggerResult(Box::new(result)),
    );
    (order, acks(answer))
}

#[test]
fn download_trigger_success_is_done_and_the_pir_acknowledged() {
    let eim = eim();
    let (order, acks) = provide_direct_download_result(&eim);
    assert_eq!(acks, [77]);
    let s = status(&eim, order);
    assert_eq!(s.state, OrderState::Done, "{s:?}");
    assert!(s.outcomes[0]["profileInstallationResult"]["successResult"].is_object());
}

#[test]
fn fault_download_result_ignored() {
    let eim = eim_with(&[EimFault::DownloadResultIgnored]);
    let (order, acks) = provide_direct_download_result(&eim);
    // The PIR is still taken and acknowledged; the order stays open.
    assert_eq!(acks, [77]);
    let s = status(&eim, order);
    assert_ne!(s.state, OrderState::Done, "{s:?}");
    assert_ne!(s.state, OrderState::Failed, "{s:?}");
}

// ---------------------------------------------------------------------------------------------
// Result codes of the operations (SGP.32 2.11.2.1) and the faults about them

fn psmo_package(p: &EuiccPackageRequest) -> Vec<Psmo> {
    match &p.euicc_package_signed.euicc_package {
        EuiccPackage::PsmoList(l) => l.clone(),
        other => panic!("not PSMOs: {other:?}"),
    }
}

#[test]
fn operations_reporting_errors_fail_the_order_with_their_codes() {
    let eim = eim();
    let mut euicc = device(&eim, 60);
    let eid = euicc.eid();
    // Profile 2 is enabled: enable -> profileNotInDisabledState.
    let order = eim.order_psmos(eid, vec![enable(2)]).unwrap();
    round(&eim, &mut euicc);
    let s = status(&eim, order);
    assert_eq!(s.state, OrderState::Failed, "{s:?}");
    assert_eq!(
        s.outcomes,
        vec![serde_json::json!({"enableResult": "profileNotInDisabledState"})]
    );
    assert_eq!(
        s.reason.as_deref(),
        Some("the eUICC reported 1: enableResult profileNotInDisabledState(2)")
    );
    // The first operation succeeds, the second fails: the order fails, the known state
    // follows the enable.
    let delete = Psmo::Delete(PsmoIccid {
        iccid: iccid(1),
        extensions: Default::default(),
    });
    let order = eim.order_psmos(eid, vec![enable(1), delete]).unwrap();
    round(&eim, &mut euicc);
    let s = status(&eim, order);
    assert_eq!(s.state, OrderState::Failed, "{s:?}");
    assert_eq!(s.outcomes.len(), 2);
    assert!(
        s.reason
            .unwrap()
            .contains("2: deleteResult profileNotInDisabledState(2)")
    );
    assert_eq!(
        enabled_iccid(&eim, &eid).as_deref(),
        Some("894400000000000001")
    );
    // processingTerminated is an error too.
    euicc.faults_mut().terminate_after = Some((0, ProcessingTerminated::INTERRUPTION));
    let order = eim.order_psmos(eid, vec![enable(2)]).unwrap();
    round(&eim, &mut euicc);
    let s = status(&eim, order);
    assert_eq!(s.state, OrderState::Failed);
    assert!(
        s.reason
            .unwrap()
            .contains("processingTerminated interruption(3)")
    );
}

#[test]
fn fault_result_codes_ignored() {
    let eim = eim_with(&[EimFault::ResultCodesIgnored]);
    let mut euicc = device(&eim, 61);
    let order = eim.order_psmos(euicc.eid(), vec![enable(2)]).unwrap();
    round(&eim, &mut euicc);
    let s = status(&eim, order);
    assert_eq!(s.state, OrderState::Done, "{s:?}");
    assert_eq!(s.reason, None);
}

#[test]
fn fault_result_codes_dropped() {
    let eim = eim_with(&[EimFault::ResultCodesDropped]);
    let mut euicc = device(&eim, 62);
    let order = eim.order_psmos(euicc.eid(), vec![enable(2)]).unwrap();
    round(&eim, &mut euicc);
    let s = status(&eim, order);
    assert_eq!(s.state, OrderState::Failed);
    assert!(s.outcomes.is_empty());
    assert!(!s.reason.unwrap().contains("profileNotInDisabledState"));
    // A successful order keeps its outcomes.
    let order = eim.order_psmos(euicc.eid(), vec![enable(1)]).unwrap();
    round(&eim, &mut euicc);
    assert_eq!(status(&eim, order).outcomes.len(), 1);
}

#[test]
fn fault_result_data_dropped() {
    for (faults, data) in [(vec![], true), (vec![EimFault::ResultDataDropped], false)] {
        let eim = eim_with(&faults);
        let mut euicc = device(&eim, 63);
        let order = eim
            .order_psmos(
                euicc.eid(),
                vec![Psmo::ListProfileInfo(Box::default()), enable(1)],
            )
            .unwrap();
        round(&eim, &mut euicc);
        let s = status(&eim, order);
        assert_eq!(s.state, OrderState::Done);
        assert_eq!(
            s.outcomes[0]["listProfileInfoResult"]["profileInfoListOk"].is_array(),
            data,
            "{s:?}"
        );
        assert_eq!(s.outcomes[1], serde_json::json!({"enableResult": "ok"}));
    }
}

#[test]
fn fault_wrong_operation() {
    let faulty = eim_with(&[EimFault::WrongOperation]);
    let euicc = device(&faulty, 64);
    let eid = euicc.eid();
    faulty.order_psmos(eid, vec![enable(1)]).unwrap();
    let sent = psmo_package(&package(&faulty, &eid));
    assert!(
        matches!(&sent[..], [Psmo::Disable(d)] if d.iccid == iccid(1)),
        "{sent:?}"
    );
    let right = eim();
    let euicc = device(&right, 64);
    right.order_psmos(euicc.eid(), vec![enable(1)]).unwrap();
    assert_eq!(
        psmo_package(&package(&right, &euicc.eid())),
        vec![enable(1)]
    );
}

#[test]
fn fault_rollback_flag_dropped() {
    let with_rollback = Psmo::Enable(PsmoEnable {
        iccid: iccid(1),
        rollback_flag: Some(()),
        extensions: Default::default(),
    });
    let right = eim();
    let euicc = device(&right, 65);
    right
        .order_psmos(euicc.eid(), vec![with_rollback.clone()])
        .unwrap();
    assert_eq!(
        psmo_package(&package(&right, &euicc.eid())),
        vec![with_rollback.clone()]
    );
    let eim = eim_with(&[EimFault::RollbackFlagDropped]);
    let euicc = device(&eim, 65);
    eim.order_psmos(euicc.eid(), vec![with_rollback]).unwrap();
    assert_eq!(psmo_package(&package(&eim, &euicc.eid())), vec![enable(1)]);
}

// ---------------------------------------------------------------------------------------------
// Fault switches of the ESipa / eUICC data / binding catalogue (more detail in the unit tests
// of src/eim/esipa.rs and src/eim/server.rs).

fn unsigned_result(eim: &Eim) -> EimPackageResult {
    EimPackageResult::EuiccPackageResult(EuiccPackageResult(
        EuiccPackageResultChoice::EuiccPackageErrorUnsigned(EuiccPackageErrorUnsigned {
            eim_id: eim.config().eim_id,
            ..Default::default()
        }),
    ))
}

fn bad_check_digits(eid: &Eid) -> Eid {
    let mut bcd = *eid.as_bcd();
    bcd[15] ^= 0x01;
    Eid::from_bcd(bcd).unwrap()
}

#[test]
fn fault_eid_errors_undefined() {
    let eim = eim_with(&[EimFault::EidErrorsUndefined]);
    let bad = bad_check_digits(&sgp32_harness::pki::euicc_eid(40).unwrap());
    assert_eq!(
        error_of(poll(&eim, &bad)),
        GetEimPackageError::UNDEFINED_ERROR
    );
    assert_eq!(
        provide_response(provide(&eim, Some(&bad), unsigned_result(&eim))),
        ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(
            ProvideEimPackageResultError::UNDEFINED_ERROR
        )
    );
}

#[test]
fn fault_result_errors_acknowledged() {
    let eim = eim_with(&[EimFault::ResultErrorsAcknowledged]);
    let unknown = sgp32_harness::pki::euicc_eid(41).unwrap();
    assert!(matches!(
        provide_response(provide(&eim, Some(&unknown), unsigned_result(&eim))),
        ProvideEimPackageResultResponseChoice::EmptyResponse(_)
    ));
}

#[test]
fn fault_new_package_on_repoll() {
    let eim = eim_with(&[EimFault::NewPackageOnRepoll]);
    let euicc = device(&eim, 42);
    eim.order_psmos(euicc.eid(), vec![enable(1)]).unwrap();
    let first = package(&eim, &euicc.eid());
    let second = package(&eim, &euicc.eid());
    assert_eq!(first.euicc_package_signed.counter_value, 1);
    assert_eq!(second.euicc_package_signed.counter_value, 2);
}

#[test]
fn fault_acknowledgements_omitted() {
    let eim = eim_with(&[EimFault::AcknowledgementsOmitted]);
    let mut euicc = device(&eim, 43);
    eim.order_psmos(euicc.eid(), vec![enable(1)]).unwrap();
    let eid = euicc.eid();
    let request = package(&eim, &eid);
    let (result, list) = execute(&mut euicc, &request);
    assert!(!list.is_empty());
    assert!(matches!(
        provide_response(provide(
            &eim,
            Some(&eid),
            epr_and_notifications(&result, list)
        )),
        ProvideEimPackageResultResponseChoice::EmptyResponse(_)
    ));
}

#[test]
fn fault_notify_state_change_refused() {
    let eim = eim_with(&[EimFault::NotifyStateChangeRefused]);
    let euicc = device(&eim, 44);
    let request = EsipaMessageFromIpaToEim::GetEimPackageRequest(Box::new(GetEimPackageRequest {
        eid_value: FixedOctetString::from(*euicc.eid().as_bcd()),
        notify_state_change: Some(()),
        ..Default::default()
    }));
    let EsipaAnswer::Message(m) = eim.handle_esipa(&rasn::der::encode(&request).unwrap()) else {
        panic!("no message")
    };
    assert_eq!(
        error_of(decode_package(&m)),
        GetEimPackageError::UNDEFINED_ERROR
    );
}

#[test]
fn fault_data_tag_list_ignored() {
    let eim = eim_with(&[EimFault::DataTagListIgnored]);
    let euicc = device(&eim, 45);
    eim.order_euicc_data(euicc.eid(), vec![0xa6]).unwrap();
    let GetEimPackageResponseChoice::IpaEuiccDataRequest(r) = poll(&eim, &euicc.eid()) else {
        panic!("not a data request")
    };
    assert_eq!(r.tag_list.to_vec(), [0xbf, 0x20]);
}

fn data_round(faults: &[EimFault], error: bool) -> OrderState {
    let eim = eim_with(faults);
    let euicc = device(&eim, 46);
    let id = eim.order_euicc_data(euicc.eid(), vec![0xbf, 0x20]).unwrap();
    let GetEimPackageResponseChoice::IpaEuiccDataRequest(r) = poll(&eim, &euicc.eid()) else {
        panic!("not a data request")
    };
    let txid = r.eim_transaction_id.clone();
    let choice = if error {
        IpaEuiccDataResponseChoice::IpaEuiccDataResponseError(IpaEuiccDataResponseError {
            eim_transaction_id: txid,
            ipa_euicc_data_error_code: IpaEuiccDataErrorCode::INCORRECT_TAG_LIST,
            extensions: Default::default(),
        })
    } else {
        IpaEuiccDataResponseChoice::IpaEuiccData(Box::new(IpaEuiccData {
            eim_transaction_id: txid,
            ..Default::default()
        }))
    };
    let _ = provide(
        &eim,
        Some(&euicc.eid()),
        EimPackageResult::IpaEuiccDataResponse(IpaEuiccDataResponse(choice)),
    );
    status(&eim, id).state
}

#[test]
fn fault_euicc_data_result_refused() {
    assert_eq!(data_round(&[], false), OrderState::Done);
    assert_eq!(
        data_round(&[EimFault::EuiccDataResultRefused], false),
        OrderState::Failed
    );
}

#[test]
fn fault_euicc_data_error_accepted() {
    assert_eq!(data_round(&[], true), OrderState::Failed);
    assert_eq!(
        data_round(&[EimFault::EuiccDataErrorAccepted], true),
        OrderState::Done
    );
}

#[test]
fn fault_eid_required_in_result() {
    let eim = eim_with(&[EimFault::EidRequiredInResult]);
    let mut euicc = device(&eim, 47);
    eim.order_psmos(euicc.eid(), vec![enable(1)]).unwrap();
    let request = package(&eim, &euicc.eid());
    let (result, list) = execute(&mut euicc, &request);
    assert_eq!(
        provide_response(provide(&eim, None, epr_and_notifications(&result, list))),
        ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(
            ProvideEimPackageResultError::MISSING_EID
        )
    );
}

/// One request to the reference eIM's ESipa binding over HTTP with `faults`.
async fn binding_exchange(
    faults: &[EimFault],
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> sgp32_harness::transport::HttpClientResponse {
    use sgp32_harness::eim::server::{EimServerOptions, RunningEim};
    use sgp32_harness::transport::{ClientOptions, HttpClient};
    let options = EimServerOptions {
        listen: ([127, 0, 0, 1], 0).into(),
        tls: false,
        api: None,
    };
    let running = RunningEim::start_default(
        &pki(),
        Backend::AwsLc,
        faults.iter().copied().collect(),
        &options,
    )
    .await
    .unwrap();
    let eid = sgp32_harness::pki::euicc_eid(48).unwrap();
    let body = common::poll_request(&eid);
    let url = format!("http://{}", running.esipa_addr());
    let mut client = HttpClient::connect(&url, None, ClientOptions::default())
        .await
        .unwrap();
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let r = client
        .request(method, path, &headers, body.into())
        .await
        .unwrap();
    running.shutdown().await;
    r
}

const ESIPA_HEADERS: [(&str, &str); 2] = [
    ("Content-Type", "application/x-gsma-rsp-asn1"),
    ("X-Admin-Protocol", "gsma/rsp/v2.1.0"),
];

#[tokio::test]
async fn fault_binding_violations_accepted() {
    let plain = binding_exchange(&[], "PUT", "/gsma/rsp2/asn1", &ESIPA_HEADERS).await;
    assert_eq!(plain.status, 405);
    let r = binding_exchange(
        &[EimFault::BindingViolationsAccepted],
        "PUT",
        "/elsewhere",
        &[],
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn fault_binding_errors_as_500() {
    let r = binding_exchange(
        &[EimFault::BindingErrorsAs500],
        "POST",
        "/gsma/rsp2/asn1",
        &[],
    )
    .await;
    assert_eq!(r.status, 500);
}

#[tokio::test]
async fn fault_admin_protocol_omitted() {
    let plain = binding_exchange(&[], "POST", "/gsma/rsp2/asn1", &ESIPA_HEADERS).await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("x-admin-protocol"), Some("gsma/rsp/v2.1.0"));
    let r = binding_exchange(
        &[EimFault::AdminProtocolOmitted],
        "POST",
        "/gsma/rsp2/asn1",
        &ESIPA_HEADERS,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-admin-protocol"), None);
}

// ---------------------------------------------------------------------------------------------
// Fault switches of the security and robustness catalogue

#[test]
fn fault_accept_wrong_transaction_id() {
    let reference = eim();
    let mut euicc = device(&reference, 40);
    euicc.faults_mut().wrong_eim_transaction_id = true;
    assert_eq!(
        failed_round(&reference, &mut euicc).state,
        OrderState::Failed
    );
    let eim = eim_with(&[EimFault::AcceptWrongTransactionId]);
    let mut euicc = device(&eim, 40);
    euicc.faults_mut().wrong_eim_transaction_id = true;
    assert_eq!(failed_round(&eim, &mut euicc).state, OrderState::Done);
}

/// Device `one` executes its package; the result is delivered under `other`'s EID.
fn result_under_other_eid(eim: &Eim, one: &mut Euicc, other: &Euicc) -> (u64, EsipaAnswer) {
    let order = eim.order_psmos(one.eid(), vec![enable(1)]).unwrap();
    let request = package(eim, &one.eid());
    let (result, list) = execute(one, &request);
    let answer = provide(
        eim,
        Some(&other.eid()),
        epr_and_notifications(&result, list),
    );
    (order, answer)
}

#[test]
fn fault_accept_result_for_other_eid() {
    let reference = eim();
    let (mut one, two) = (device(&reference, 41), device(&reference, 42));
    let (order, answer) = result_under_other_eid(&reference, &mut one, &two);
    assert_eq!(
        provide_response(answer),
        ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(
            ProvideEimPackageResultError::UNDEFINED_ERROR
        )
    );
    assert_eq!(status(&reference, order).state, OrderState::Delivered);

    let eim = eim_with(&[EimFault::AcceptResultForOtherEid]);
    let (mut one, two) = (device(&eim, 41), device(&eim, 42));
    let (order, _) = result_under_other_eid(&eim, &mut one, &two);
    assert_eq!(status(&eim, order).state, OrderState::Done);
}

#[test]
fn fault_accept_eid_outside_eum_range() {
    let outside = Eid::from_digits("89049033000000000000000000000700")
        .unwrap()
        .with_check_digits();
    let eim = eim_with(&[EimFault::AcceptEidOutsideEumRange]);
    let mut euicc = device_on(&eim, pki(), 43, Some(outside));
    assert_eq!(failed_round(&eim, &mut euicc).state, OrderState::Done);
    // The rest of the chain is still checked: another CI is refused.
    let mut foreign = device_on(&eim, other_pki(), 44, None);
    assert_eq!(failed_round(&eim, &mut foreign).state, OrderState::Failed);
}

/// Order 1 is executed and its result accepted; order 2's package is fetched; then order 1's
/// result arrives again. Returns order 2 and the answer to the repeat.
fn repeat_while_next_outstanding(eim: &Eim, euicc: &mut Euicc) -> (u64, EsipaAnswer) {
    let eid = euicc.eid();
    let first = eim.order_psmos(eid, vec![enable(1)]).unwrap();
    let request = package(eim, &eid);
    let (result, list) = execute(euicc, &request);
    provide(
        eim,
        Some(&eid),
        epr_and_notifications(&result, list.clone()),
    );
    assert_eq!(status(eim, first).state, OrderState::Done);
    let second = eim.order_psmos(eid, vec![enable(2)]).unwrap();
    let _ = package(eim, &eid);
    let answer = provide(eim, Some(&eid), epr_and_notifications(&result, list));
    (second, answer)
}

#[test]
fn fault_duplicate_result_processed_twice() {
    let reference = eim();
    let mut euicc = device(&reference, 46);
    let (second, answer) = repeat_while_next_outstanding(&reference, &mut euicc);
    assert!(!acks(answer).is_empty());
    assert_eq!(status(&reference, second).state, OrderState::Delivered);

    let eim = eim_with(&[EimFault::DuplicateResultProcessedTwice]);
    let mut euicc = device(&eim, 46);
    let (second, _) = repeat_while_next_outstanding(&eim, &mut euicc);
    let s = status(&eim, second);
    assert_eq!(s.state, OrderState::Failed, "{s:?}");
    assert!(s.reason.unwrap().contains("counterValue"));
}

#[test]
fn fault_transaction_id_reused() {
    let txid = |eim: &Eim, euicc: &mut Euicc| {
        eim.order_psmos(euicc.eid(), vec![enable(1)]).unwrap();
        let p = package(eim, &euicc.eid());
        let (result, list) = execute(euicc, &p);
        provide(
            eim,
            Some(&euicc.eid()),
            epr_and_notifications(&result, list),
        );
        p.euicc_package_signed.eim_transaction_id.unwrap()
    };
    let reference = eim();
    let mut euicc = device(&reference, 47);
    assert_ne!(txid(&reference, &mut euicc), txid(&reference, &mut euicc));

    let eim = eim_with(&[EimFault::TransactionIdReused]);
    let mut euicc = device(&eim, 47);
    let first = txid(&eim, &mut euicc);
    assert_eq!(first.to_vec(), eim.transaction_id(0).to_vec());
    assert_eq!(txid(&eim, &mut euicc), first);
}

/// The captured ESipa InitiateAuthentication answer comes out byte for byte from the SM-DP+
/// answer it carries (as the JSON binding would have sent it).
#[test]
fn relayed_initiate_authentication_answer_keeps_the_smdp_bytes() {
    use sgp32_harness::smdp::es9_json::b64_encode;
    let captured = std::fs::read(format!(
        "{SHARED}/spec/vectors/esipa-to-es9/2_initiateAuthenticationResponseEsipa.der"
    ))
    .unwrap();
    let EsipaMessageFromEimToIpa::InitiateAuthenticationResponseEsipa(r) =
        rasn::der::decode(&captured).unwrap()
    else {
        panic!("not an InitiateAuthenticationResponseEsipa")
    };
    let InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationOkEsipa(ok) = r.0 else {
        panic!("not ok")
    };
    let tlv = |tag: &[u8], v: &[u8]| sgp32_harness::asn1::tlv::encode(tag, v);
    let json = serde_json::json!({
        "header": {"functionExecutionStatus": {"status": "Executed-Success"}},
        "transactionId": hex::encode_upper(ok.transaction_id.as_ref().unwrap().as_ref()),
        "serverSigned1": b64_encode(&rasn::der::encode(&ok.server_signed1).unwrap()),
        "serverSignature1": b64_encode(&tlv(&[0x5f, 0x37], &ok.server_signature1)),
        "euiccCiPKIdToBeUsed": b64_encode(&tlv(&[0x04], &ok.euicc_ci_pk_identifier_to_be_used)),
        "serverCertificate": b64_encode(&rasn::der::encode(&ok.server_certificate).unwrap()),
    });
    let eim = relay_eim(&[]);
    let (_, txid) = delivered_trigger(&eim, 74);
    let EsipaAnswer::Relay(request) = initiate_raw(&eim, Some(txid), RELAY_A) else {
        panic!("not relayed")
    };
    let answer = eim.complete_relay(
        request.ticket,
        sgp32_harness::eim::RelayOutcome::Answer {
            status: 200,
            body: serde_json::to_vec(&json).unwrap(),
        },
    );
    assert_eq!(answer, EsipaAnswer::Message(captured));
    assert_eq!(eim.relay_sessions(), 1);
}

#[test]
fn fault_data_error_left_open() {
    assert_eq!(data_round(&[], true), OrderState::Failed);
    assert_eq!(
        data_round(&[EimFault::DataErrorLeftOpen], true),
        OrderState::Delivered
    );
}

#[test]
fn fault_repeated_result_unanswered() {
    let twice = |eim: &Eim| {
        let mut euicc = device(eim, 49);
        eim.order_psmos(euicc.eid(), vec![enable(1)]).unwrap();
        let p = package(eim, &euicc.eid());
        let (result, list) = execute(&mut euicc, &p);
        let first = provide(
            eim,
            Some(&euicc.eid()),
            epr_and_notifications(&result, list.clone()),
        );
        let second = provide(
            eim,
            Some(&euicc.eid()),
            epr_and_notifications(&result, list),
        );
        (first, second)
    };
    let (first, second) = twice(&eim());
    assert!(!acks(first).is_empty());
    assert!(!acks(second).is_empty());

    let (first, second) = twice(&eim_with(&[EimFault::RepeatedResultUnanswered]));
    assert!(!acks(first).is_empty());
    assert_eq!(second, EsipaAnswer::Message(Vec::new()));
}

#[test]
fn fault_unusable_data_request_stuck() {
    for (tags, usable) in [
        (vec![], false),
        (vec![0x5a, 0xdf, 0x7f], false),
        (vec![0x5a, 0xbf, 0x20], true),
    ] {
        for faulty in [false, true] {
            let faults: &[EimFault] = if faulty {
                &[EimFault::UnusableDataRequestStuck]
            } else {
                &[]
            };
            let eim = eim_with(faults);
            let euicc = device(&eim, 50);
            let id = eim.order_euicc_data(euicc.eid(), tags.clone()).unwrap();
            let answer = poll(&eim, &euicc.eid());
            if faulty && !usable {
                assert_eq!(
                    error_of(answer),
                    GetEimPackageError::NO_EIM_PACKAGE_AVAILABLE,
                    "{tags:02x?}"
                );
                assert_eq!(status(&eim, id).state, OrderState::Queued);
            } else {
                assert!(
                    matches!(answer, GetEimPackageResponseChoice::IpaEuiccDataRequest(_)),
                    "{tags:02x?} faulty {faulty}: {answer:?}"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Fault switches of the CoAP binding (SGP.32 6.2)

/// The reference eIM with `faults`, listening on CoAP; a raw UDP socket to it.
async fn coap_eim(
    faults: &[EimFault],
) -> (
    sgp32_harness::eim::server::RunningEim,
    tokio::net::UdpSocket,
) {
    use sgp32_harness::eim::server::{EimCoapOptions, EimServerOptions, RunningEim};
    let options = EimServerOptions {
        listen: ([127, 0, 0, 1], 0).into(),
        tls: false,
        api: None,
    };
    let coap = EimCoapOptions {
        coap: Some(([127, 0, 0, 1], 0).into()),
        ..EimCoapOptions::default()
    };
    let config = EimConfig::from_pki(&pki(), Backend::AwsLc)
        .unwrap()
        .with_faults(faults.iter().copied().collect::<EimFaults>());
    let running = RunningEim::start_with_coap(&pki(), config, &options, &coap)
        .await
        .unwrap();
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    socket
        .connect(running.coap_server().unwrap().local_addr())
        .await
        .unwrap();
    (running, socket)
}

/// A confirmable POST /gsma/rsp2/asn1 with `mid`, token `t` and `options`.
fn coap_post(mid: u16, options: &[(u16, Vec<u8>)], payload: &[u8]) -> Vec<u8> {
    use coap_lite::{CoapOption, MessageClass, MessageType, Packet};
    let mut p = Packet::new();
    p.header.set_type(MessageType::Confirmable);
    p.header.code = MessageClass::from(2u8);
    p.header.message_id = mid;
    p.set_token(mid.to_be_bytes().to_vec());
    for segment in ["gsma", "rsp2", "asn1"] {
        p.add_option(CoapOption::UriPath, segment.as_bytes().to_vec());
    }
    for (n, v) in options {
        p.add_option(CoapOption::from(*n), v.clone());
    }
    p.payload = payload.to_vec();
    p.to_bytes().unwrap()
}

async fn coap_answer(s: &tokio::net::UdpSocket, within_ms: u64) -> Option<coap_lite::Packet> {
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(
        std::time::Duration::from_millis(within_ms),
        s.recv(&mut buf),
    )
    .await
    .ok()?
    .ok()?;
    coap_lite::Packet::from_bytes(&buf[..n]).ok()
}

fn coap_poll(index: u64) -> Vec<u8> {
    common::poll_request(&sgp32_harness::pki::euicc_eid(index).unwrap())
}

#[tokio::test]
async fn fault_coap_duplicates_reprocessed() {
    for (faults, runs) in [
        (&[][..], 1),
        (&[EimFault::CoapDuplicatesReprocessed][..], 2),
    ] {
        let (running, s) = coap_eim(faults).await;
        let d = coap_post(1, &[], &coap_poll(60));
        for _ in 0..2 {
            s.send(&d).await.unwrap();
            assert!(coap_answer(&s, 5000).await.is_some());
        }
        let stats = running.coap_server().unwrap().stats();
        assert_eq!(
            stats.handled.load(std::sync::atomic::Ordering::Relaxed),
            runs,
            "{faults:?}"
        );
        running.shutdown().await;
    }
}

#[tokio::test]
async fn fault_coap_duplicates_ignored() {
    for (faults, answered) in [
        (&[][..], true),
        (&[EimFault::CoapDuplicatesIgnored][..], false),
    ] {
        let (running, s) = coap_eim(faults).await;
        let d = coap_post(2, &[], &coap_poll(61));
        s.send(&d).await.unwrap();
        let first = coap_answer(&s, 5000).await.unwrap();
        s.send(&d).await.unwrap();
        let again = coap_answer(&s, 300).await;
        assert_eq!(again.is_some(), answered, "{faults:?}");
        if let Some(a) = again {
            assert_eq!(a, first);
        }
        running.shutdown().await;
    }
}

#[tokio::test]
async fn fault_coap_request_tag_ignored() {
    use sgp32_harness::transport::coap::blockwise::{BLOCK1, BlockOpt, REQUEST_TAG};
    for (faults, apart) in [
        (&[][..], true),
        (&[EimFault::CoapRequestTagIgnored][..], false),
    ] {
        let (running, s) = coap_eim(faults).await;
        let (a, b) = (coap_poll(62), coap_poll(63));
        let block = |body: &[u8], num: u32| {
            let start = num as usize * 16;
            let end = (start + 16).min(body.len());
            let more = end < body.len();
            (
                body[start..end].to_vec(),
                BlockOpt { num, more, szx: 0 }.encode(),
            )
        };
        // Interleave the two requests' blocks: a0 b0 a1 b1 ...
        let blocks = a.len().div_ceil(16) as u32;
        let mut finals = Vec::new();
        let mut mid = 100;
        for num in 0..blocks {
            for (tag, body) in [(b"A", &a), (b"B", &b)] {
                let (chunk, opt) = block(body, num);
                mid += 1;
                let options = [(BLOCK1, opt), (REQUEST_TAG, tag.to_vec())];
                s.send(&coap_post(mid, &options, &chunk)).await.unwrap();
                let r = coap_answer(&s, 5000).await.unwrap();
                if num + 1 == blocks {
                    finals.push(r);
                }
            }
        }
        let ok = finals.iter().all(|r| {
            u8::from(r.header.code) == 0x44
                && matches!(
                    rasn::der::decode::<EsipaMessageFromEimToIpa>(&r.payload),
                    Ok(EsipaMessageFromEimToIpa::GetEimPackageResponse(_))
                )
        });
        assert_eq!(ok, apart, "{faults:?}");
        running.shutdown().await;
    }
}

// ---------------------------------------------------------------------------------------------
// Sans-IO downloads through the reference eIM's relay to the mock SM-DP+: by an IPA that sends
// the compact forms (minimizeEsipaBytes, ipaFeatures bit 5), and triggered with
// contactDefaultSmdp.

const RIG_SMDP: &str = "smdp.compact.example";

struct DownloadRig {
    eim: Eim,
    smdp: sgp32_harness::smdp::Smdp,
    euicc: Euicc,
    ipa: sgp32_harness::ipa::Ipa,
}

impl DownloadRig {
    /// A device whose IPA minimizes ESipa bytes.
    fn new(faults: &[EimFault], index: u64) -> DownloadRig {
        DownloadRig::with_features(
            faults,
            index,
            &[
                ipa_features::INDIRECT_RSP_SERVER_COMMUNICATION,
                ipa_features::MINIMIZE_ESIPA_BYTES,
            ],
        )
    }

    /// A device whose IPA announces these ipaFeatures.
    fn with_features(faults: &[EimFault], index: u64, features: &[usize]) -> DownloadRig {
        use sgp32_harness::ipa::{Ipa, IpaConfig};
        use sgp32_harness::smdp::{Smdp, SmdpConfig, sgp26_v3_dir};
        let eim = Eim::new(
            EimConfig::from_pki(&pki(), Backend::AwsLc)
                .unwrap()
                .with_faults(faults.iter().copied().collect::<EimFaults>())
                .with_smdp(RIG_SMDP, "http://127.0.0.1:9"),
        );
        let smdp = Smdp::new(
            SmdpConfig::sgp26_default(&pki(), &sgp26_v3_dir(), Backend::AwsLc)
                .unwrap()
                .with_address(RIG_SMDP),
        );
        let euicc = device(&eim, index);
        let ipa = Ipa::new(IpaConfig {
            eid: Some(*euicc.eid().as_bcd()),
            capabilities: IpaCapabilities {
                ipa_features: named_bits(features),
                ..Default::default()
            },
            ..Default::default()
        });
        DownloadRig {
            eim,
            smdp,
            euicc,
            ipa,
        }
    }

    /// One IPA procedure: ES10 to the eUICC, ESipa to the eIM, whose ES9+' relay requests go
    /// to the SM-DP+'s JSON binding. Returns the outcome and the eIM's ESipa answers.
    fn procedure(&mut self) -> (sgp32_harness::ipa::IpaOutcome, Vec<Vec<u8>>) {
        use sgp32_harness::eim::{RelayOutcome, relay::es9_path_name};
        use sgp32_harness::ipa::{IpaAction, IpaEvent};
        let mut answers = Vec::new();
        let mut action = self.ipa.handle(IpaEvent::StartPoll);
        for _ in 0..100 {
            let event = match action {
                IpaAction::Finished(outcome) => return (outcome, answers),
                IpaAction::Wait(_) => IpaEvent::WaitElapsed,
                IpaAction::SendEs10(r) => match self.euicc.handle_es10(&r) {
                    Ok(r) => IpaEvent::Es10Response(r),
                    Err(e) => IpaEvent::Es10Failed(e.to_string()),
                },
                IpaAction::SendEs9 { .. } => panic!("ES9+ in an indirect download"),
                IpaAction::SendEsipa(der) => {
                    let mut answer = self.eim.handle_esipa(&der);
                    while let EsipaAnswer::Relay(r) = answer {
                        let json = self
                            .smdp
                            .handle_es9_json(es9_path_name(r.function), &r.body);
                        let body = json
                            .body
                            .map(|b| serde_json::to_vec(&b).unwrap())
                            .unwrap_or_default();
                        answer = self.eim.complete_relay(
                            r.ticket,
                            RelayOutcome::Answer {
                                status: json.status,
                                body,
                            },
                        );
                    }
                    match answer {
                        EsipaAnswer::Message(m) => {
                            answers.push(m.clone());
                            IpaEvent::EsipaResponse {
                                status: 200,
                                body: m,
                            }
                        }
                        EsipaAnswer::NoContent => IpaEvent::EsipaResponse {
                            status: 204,
                            body: Vec::new(),
                        },
                        other => panic!("{other:?}"),
                    }
                }
            };
            action = self.ipa.handle(event);
        }
        panic!("the procedure did not finish")
    }

    /// The eUICC data the eIM needs for the compact forms: BF20 BF22 A5 A6 A8.
    fn read_euicc_data(&mut self) {
        let id = self
            .eim
            .order_euicc_data(
                self.euicc.eid(),
                vec![0xBF, 0x20, 0xBF, 0x22, 0xA5, 0xA6, 0xA8],
            )
            .unwrap();
        self.procedure();
        assert_eq!(self.eim.order(id).unwrap().state, OrderState::Done);
    }

    /// A profile released at the SM-DP+, its trigger ordered and run: the outcome, the eIM's
    /// answers and whether the SM-DP+ took the (rebuilt) PIR.
    fn download(&mut self, n: u32) -> (sgp32_harness::ipa::IpaOutcome, Vec<Vec<u8>>, bool) {
        self.download_with(n, false)
    }

    /// [`Self::download`], triggered with an activation code or with contactDefaultSmdp.
    fn download_with(
        &mut self,
        n: u32,
        default_smdp: bool,
    ) -> (sgp32_harness::ipa::IpaOutcome, Vec<Vec<u8>>, bool) {
        let matching_id = format!("RIG-{n}");
        let (iccid, confirmed) = self
            .smdp
            .order_released(&self.euicc.eid(), &matching_id)
            .unwrap();
        if default_smdp {
            self.eim
                .order_default_smdp_trigger(self.euicc.eid())
                .unwrap();
        } else {
            self.eim
                .order_download_trigger(self.euicc.eid(), confirmed.activation_code)
                .unwrap();
        }
        let (outcome, answers) = self.procedure();
        let installed = self.smdp.order(&iccid).map(|o| o.state)
            == Some(sgp32_harness::smdp::OrderState::Installed);
        (outcome, answers, installed)
    }
}

/// The download failed for this reason.
fn assert_download_failed(
    outcome: &sgp32_harness::ipa::IpaOutcome,
    want: sgp32_harness::ipa::DownloadFailure,
) {
    match outcome {
        sgp32_harness::ipa::IpaOutcome::DownloadFailed { reason, .. } if *reason == want => {}
        other => panic!("expected DownloadFailed with {want:?}, got {other:?}"),
    }
}

fn downloaded(outcome: &sgp32_harness::ipa::IpaOutcome) -> bool {
    matches!(
        outcome,
        sgp32_harness::ipa::IpaOutcome::ProfileDownloaded {
            installed: true,
            ..
        }
    )
}

/// The transactionId of the GetBoundProfilePackage answer among `answers` (outer None: none).
fn bpp_answer_txid(answers: &[Vec<u8>]) -> Option<Option<TransactionId>> {
    answers.iter().find_map(|a| match rasn::der::decode(a) {
        Ok(EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(r)) => match r.0 {
            GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageOkEsipa(ok) => {
                Some(ok.transaction_id)
            }
            _ => None,
        },
        _ => None,
    })
}

#[test]
fn compact_forms_are_rebuilt_and_the_smdp_verifies_them() {
    let mut rig = DownloadRig::new(&[], 80);
    rig.read_euicc_data();
    let (outcome, answers, installed) = rig.download(1);
    assert!(downloaded(&outcome), "{outcome:?}");
    assert!(installed, "the SM-DP+ took the rebuilt PIR");
    assert_eq!(bpp_answer_txid(&answers), Some(None));
    // A second download: extCardResource changed (one more profile), the rebuild follows it.
    let (outcome, _, installed) = rig.download(2);
    assert!(downloaded(&outcome) && installed, "{outcome:?}");
}

#[test]
fn compact_download_without_euicc_data_is_refused_at_initiate_authentication() {
    let mut rig = DownloadRig::new(&[], 81);
    let (outcome, _, installed) = rig.download(1);
    assert!(!installed);
    assert_download_failed(
        &outcome,
        sgp32_harness::ipa::DownloadFailure::InitiateAuthentication(
            InitiateAuthenticationErrorEsipa::UNDEFINED_ERROR,
        ),
    );
}

#[test]
fn fault_compact_relayed_as_is() {
    let mut rig = DownloadRig::new(&[EimFault::CompactRelayedAsIs], 82);
    rig.read_euicc_data();
    let (outcome, _, installed) = rig.download(1);
    assert!(!downloaded(&outcome) && !installed, "{outcome:?}");
}

#[test]
fn fault_gbpp_transaction_id_kept() {
    let mut rig = DownloadRig::new(&[EimFault::GbppTransactionIdKept], 83);
    rig.read_euicc_data();
    let (outcome, answers, _) = rig.download(1);
    assert!(downloaded(&outcome), "{outcome:?}");
    assert!(matches!(bpp_answer_txid(&answers), Some(Some(_))));
}

#[test]
fn fault_ext_card_resource_not_replaced() {
    let mut rig = DownloadRig::new(&[EimFault::ExtCardResourceNotReplaced], 84);
    rig.read_euicc_data();
    // The first download is signed over the extCardResource the eIM read: it passes.
    let (outcome, _, _) = rig.download(1);
    assert!(downloaded(&outcome), "{outcome:?}");
    // The second is signed over the new one: the SM-DP+ refuses the stale rebuild.
    let (outcome, _, installed) = rig.download(2);
    assert!(!installed);
    assert_download_failed(
        &outcome,
        sgp32_harness::ipa::DownloadFailure::AuthenticateClient(
            AuthenticateClientErrorEsipa::EUICC_SIGNATURE_INVALID,
        ),
    );
}

/// The eUICC's default SM-DP+ address, set as a setDefaultDpAddress PSMO would.
fn set_default_dp_address(euicc: &mut Euicc, address: &str) {
    let r: SetDefaultDpAddressResponse = es10(
        euicc,
        &SetDefaultDpAddressRequest {
            default_dp_address: address.into(),
            extensions: Default::default(),
        },
    );
    assert_eq!(r.set_default_dp_address_result.0, 0);
}

const INDIRECT: &[usize] = &[ipa_features::INDIRECT_RSP_SERVER_COMMUNICATION];

#[test]
fn a_contact_default_smdp_trigger_downloads_from_the_euicc_default_address() {
    let mut rig = DownloadRig::with_features(&[], 85, INDIRECT);
    set_default_dp_address(&mut rig.euicc, RIG_SMDP);
    let (outcome, answers, installed) = rig.download_with(1, true);
    assert!(downloaded(&outcome) && installed, "{outcome:?}");
    // The trigger carried contactDefaultSmdp.
    let trigger = answers.iter().find_map(|a| match rasn::der::decode(a) {
        Ok(EsipaMessageFromEimToIpa::GetEimPackageResponse(r)) => match r.0 {
            GetEimPackageResponseChoice::ProfileDownloadTriggerRequest(t) => Some(t),
            _ => None,
        },
        _ => None,
    });
    assert_eq!(
        trigger.and_then(|t| t.profile_download_data),
        Some(ProfileDownloadData::ContactDefaultSmdp(()))
    );
}

#[test]
fn a_contact_default_smdp_trigger_without_default_address_is_refused_by_the_ipa() {
    let mut rig = DownloadRig::with_features(&[], 86, INDIRECT);
    let (outcome, _, installed) = rig.download_with(1, true);
    assert!(!installed);
    assert!(
        matches!(
            outcome,
            sgp32_harness::ipa::IpaOutcome::DownloadTriggerRefused
        ),
        "{outcome:?}"
    );
}

#[test]
fn fault_default_smdp_download_refused() {
    let mut rig = DownloadRig::with_features(&[EimFault::DefaultSmdpDownloadRefused], 87, INDIRECT);
    set_default_dp_address(&mut rig.euicc, RIG_SMDP);
    let (outcome, _, installed) = rig.download_with(1, true);
    assert!(!installed);
    assert_download_failed(
        &outcome,
        sgp32_harness::ipa::DownloadFailure::InitiateAuthentication(
            InitiateAuthenticationErrorEsipa::SMDP_ADDRESS_MISMATCH,
        ),
    );
    // An activation-code download (another device) is not affected.
    let mut rig = DownloadRig::with_features(&[EimFault::DefaultSmdpDownloadRefused], 88, INDIRECT);
    let (outcome, _, installed) = rig.download_with(1, false);
    assert!(downloaded(&outcome) && installed, "{outcome:?}");
}

/// A download the SM-DP+ refuses (unknown matchingId): the IPA cancels it through the eIM.
/// Returns the order's state and what the device's next poll got.
fn cancelled_download(
    faults: &[EimFault],
    index: u64,
) -> (OrderState, GetEimPackageResponseChoice) {
    let mut rig = DownloadRig::with_features(faults, index, INDIRECT);
    let id = rig
        .eim
        .order_download_trigger(rig.euicc.eid(), format!("1${RIG_SMDP}$UNKNOWN"))
        .unwrap();
    let (outcome, _) = rig.procedure();
    assert!(
        matches!(
            outcome,
            sgp32_harness::ipa::IpaOutcome::DownloadFailed {
                cancelled: true,
                ..
            }
        ),
        "{outcome:?}"
    );
    (
        rig.eim.order(id).unwrap().state,
        poll(&rig.eim, &rig.euicc.eid()),
    )
}

#[test]
fn fault_ended_download_left_open() {
    let (state, next) = cancelled_download(&[], 89);
    assert_eq!(state, OrderState::Failed);
    assert!(
        matches!(next, GetEimPackageResponseChoice::EimPackageError(_)),
        "no package after the failed download: {next:?}"
    );
    let (state, next) = cancelled_download(&[EimFault::EndedDownloadLeftOpen], 90);
    assert_eq!(state, OrderState::Delivered);
    assert!(
        matches!(
            next,
            GetEimPackageResponseChoice::ProfileDownloadTriggerRequest(_)
        ),
        "the trigger again: {next:?}"
    );
}
