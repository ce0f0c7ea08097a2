//! Hand-fed events, no sockets.

use std::time::Duration;

use super::*;
use crate::asn1::sgp32::GetEimPackageResponse;

const EID: [u8; 16] = [
    0x89, 0x04, 0x90, 0x32, 0x12, 0x34, 0x51, 0x23, 0x45, 0x12, 0x34, 0x56, 0x78, 0x90, 0x12, 0x35,
];

fn config() -> IpaConfig {
    IpaConfig {
        eid: Some(EID),
        retries: 3,
        backoff_base: Duration::from_millis(10),
        ..Default::default()
    }
}

fn eim_error(code: GetEimPackageError) -> Vec<u8> {
    rasn::der::encode(&EsipaMessageFromEimToIpa::GetEimPackageResponse(Box::new(
        GetEimPackageResponse(GetEimPackageResponseChoice::EimPackageError(code)),
    )))
    .unwrap()
}

fn ok(body: Vec<u8>) -> IpaEvent {
    IpaEvent::EsipaResponse { status: 200, body }
}

fn sent_esipa(action: IpaAction) -> EsipaMessageFromIpaToEim {
    match action {
        IpaAction::SendEsipa(der) => rasn::der::decode(&der).unwrap(),
        other => panic!("not SendEsipa: {other:?}"),
    }
}

#[test]
fn poll_sends_get_eim_package_with_notify_state_change_once() {
    let mut ipa = Ipa::new(IpaConfig {
        notify_state_change: Some(NotifyStateChange {
            cause: Some(StateChangeCause::FALLBACK),
            r_plmn: Some([0x62, 0xf2, 0x10]),
        }),
        ..config()
    });
    let EsipaMessageFromIpaToEim::GetEimPackageRequest(r) =
        sent_esipa(ipa.handle(IpaEvent::StartPoll))
    else {
        panic!()
    };
    assert_eq!(&r.eid_value[..], &EID);
    assert_eq!(r.notify_state_change, Some(()));
    assert_eq!(r.state_change_cause, Some(StateChangeCause::FALLBACK));
    assert_eq!(r.r_plmn.as_deref(), Some(&[0x62, 0xf2, 0x10]));
    assert_eq!(ipa.state_name(), "GetEimPackage");
    assert_eq!(
        ipa.handle(ok(eim_error(GetEimPackageError::NO_EIM_PACKAGE_AVAILABLE))),
        IpaAction::Finished(IpaOutcome::NothingToDo)
    );
    assert!(ipa.is_idle());
    let EsipaMessageFromIpaToEim::GetEimPackageRequest(r) =
        sent_esipa(ipa.handle(IpaEvent::StartPoll))
    else {
        panic!()
    };
    assert_eq!(r.notify_state_change, None, "sent once");
    assert_eq!(r.state_change_cause, None);
}

#[test]
fn eid_is_read_from_the_euicc_when_not_configured() {
    let mut ipa = Ipa::new(IpaConfig {
        eid: None,
        ..config()
    });
    let IpaAction::SendEs10(get_eid) = ipa.handle(IpaEvent::StartPoll) else {
        panic!()
    };
    assert_eq!(get_eid, hex::decode("bf3e035c015a").unwrap());
    let mut response = hex::decode("bf3e125a10").unwrap();
    response.extend_from_slice(&EID);
    let EsipaMessageFromIpaToEim::GetEimPackageRequest(r) =
        sent_esipa(ipa.handle(IpaEvent::Es10Response(response)))
    else {
        panic!()
    };
    assert_eq!(&r.eid_value[..], &EID);
    assert_eq!(ipa.eid(), Some(EID));
}

#[test]
fn garbage_es10_answer_to_get_eid_is_an_es10_error() {
    let mut ipa = Ipa::new(IpaConfig {
        eid: None,
        ..config()
    });
    ipa.handle(IpaEvent::StartPoll);
    let action = ipa.handle(IpaEvent::Es10Response(vec![0xff, 0x00, 0x12]));
    assert!(
        matches!(
            action,
            IpaAction::Finished(IpaOutcome::Failed(IpaError::Es10 {
                state: "FetchEid",
                ..
            }))
        ),
        "{action:?}"
    );
    assert!(ipa.is_idle());
}

#[test]
fn eid_not_found_ends_with_that_error() {
    let mut ipa = Ipa::new(config());
    ipa.handle(IpaEvent::StartPoll);
    assert_eq!(
        ipa.handle(ok(eim_error(GetEimPackageError::EID_NOT_FOUND))),
        IpaAction::Finished(IpaOutcome::EimPackageError(
            GetEimPackageError::EID_NOT_FOUND
        ))
    );
}

#[test]
fn garbage_and_unexpected_esipa_answers_are_clear_errors() {
    for body in [
        vec![],
        vec![0x30, 0x80],
        vec![0xbf, 0x4f, 0x05, 0x01],
        vec![0x04, 0x00],
    ] {
        let mut ipa = Ipa::new(config());
        ipa.handle(IpaEvent::StartPoll);
        let action = ipa.handle(ok(body.clone()));
        assert!(
            matches!(
                action,
                IpaAction::Finished(IpaOutcome::Failed(IpaError::UndecodableEsipa { .. }))
            ),
            "{body:02x?}: {action:?}"
        );
    }
    // A well-formed ProvideEimPackageResultResponse where GetEimPackageResponse is due.
    let wrong = hex::decode("bf50023000").unwrap_or_default();
    let mut ipa = Ipa::new(config());
    ipa.handle(IpaEvent::StartPoll);
    let action = ipa.handle(ok(wrong));
    assert!(
        matches!(action, IpaAction::Finished(IpaOutcome::Failed(_))),
        "{action:?}"
    );
    // A 4xx is not retried.
    let mut ipa = Ipa::new(config());
    ipa.handle(IpaEvent::StartPoll);
    assert_eq!(
        ipa.handle(IpaEvent::EsipaResponse {
            status: 404,
            body: vec![]
        }),
        IpaAction::Finished(IpaOutcome::Failed(IpaError::HttpStatus(404)))
    );
}

#[test]
fn events_out_of_place_fail_without_panic() {
    let mut ipa = Ipa::new(config());
    for event in [
        IpaEvent::WaitElapsed,
        IpaEvent::Es10Response(vec![1, 2, 3]),
        ok(vec![]),
        IpaEvent::EsipaFailed("x".into()),
    ] {
        let action = ipa.handle(event);
        assert!(
            matches!(
                action,
                IpaAction::Finished(IpaOutcome::Failed(IpaError::UnexpectedEvent {
                    state: "Idle",
                    ..
                }))
            ),
            "{action:?}"
        );
    }
    ipa.handle(IpaEvent::StartPoll);
    let action = ipa.handle(IpaEvent::Es10Response(vec![]));
    assert!(
        matches!(
            action,
            IpaAction::Finished(IpaOutcome::Failed(IpaError::UnexpectedEvent {
                state: "GetEimPackage",
                ..
            }))
        ),
        "{action:?}"
    );
    // A WaitElapsed with no wait requested.
    ipa.handle(IpaEvent::StartPoll);
    let action = ipa.handle(IpaEvent::WaitElapsed);
    assert!(
        matches!(
            action,
            IpaAction::Finished(IpaOutcome::Failed(IpaError::UnexpectedEvent { .. }))
        ),
        "{action:?}"
    );
}

#[test]
fn transport_failures_back_off_quadratically_then_resend_the_same_bytes() {
    let mut ipa = Ipa::new(config());
    let IpaAction::SendEsipa(first) = ipa.handle(IpaEvent::StartPoll) else {
        panic!()
    };
    for n in 1u32..=3 {
        assert_eq!(
            ipa.handle(IpaEvent::EsipaFailed("reset".into())),
            IpaAction::Wait(Duration::from_millis(10) * n * n)
        );
        assert_eq!(
            ipa.handle(IpaEvent::WaitElapsed),
            IpaAction::SendEsipa(first.clone())
        );
    }
    assert_eq!(
        ipa.handle(IpaEvent::EsipaFailed("reset".into())),
        IpaAction::Finished(IpaOutcome::Failed(IpaError::Transport {
            attempts: 4,
            reason: "reset".into()
        }))
    );
    // A 503 counts as a failure; then success.
    ipa.handle(IpaEvent::StartPoll);
    assert_eq!(
        ipa.handle(IpaEvent::EsipaResponse {
            status: 503,
            body: vec![]
        }),
        IpaAction::Wait(Duration::from_millis(10))
    );
    assert!(matches!(
        ipa.handle(IpaEvent::WaitElapsed),
        IpaAction::SendEsipa(_)
    ));
    assert_eq!(
        ipa.handle(ok(eim_error(GetEimPackageError::NO_EIM_PACKAGE_AVAILABLE))),
        IpaAction::Finished(IpaOutcome::NothingToDo)
    );
}

#[test]
fn tag_lists_split_into_one_and_two_byte_tags() {
    assert_eq!(
        split_tags(&hex::decode("80bf20bf22a5a6bf").unwrap()),
        vec![
            vec![0x80],
            vec![0xbf, 0x20],
            vec![0xbf, 0x22],
            vec![0xa5],
            vec![0xa6],
            vec![0xbf]
        ]
    );
    assert!(split_tags(&[]).is_empty());
}

#[test]
fn user_agent_follows_the_mode() {
    assert_eq!(IpaMode::IpaD.user_agent(), "gsma-rsp-ipad");
    assert_eq!(IpaMode::IpaE.user_agent(), "gsma-rsp-ipae");
}

/// Drives a fresh IPA to the `Provide` state of a package (enable with/without rollbackFlag)
/// whose result is an unsigned error (no seqNumber, so step 9's seqNumber search is skipped).
fn to_provide(rollback: bool) -> Ipa {
    use crate::asn1::sgp32::{EuiccPackageErrorUnsigned, EuiccPackageSigned, PsmoEnable};
    let mut ipa = Ipa::new(config());
    ipa.handle(IpaEvent::StartPoll);
    let package = EuiccPackageRequest {
        euicc_package_signed: EuiccPackageSigned {
            eim_id: "eim".into(),
            eid_value: FixedOctetString::from(EID),
            counter_value: 7,
            eim_transaction_id: None,
            euicc_package: EuiccPackage::PsmoList(vec![Psmo::Enable(PsmoEnable {
                iccid: crate::asn1::rsp::Iccid::from_digits("89440000000000000011").unwrap(),
                rollback_flag: rollback.then_some(()),
                extensions: Default::default(),
            })]),
            extensions: Default::default(),
        },
        eim_signature: vec![1, 2, 3].into(),
        extensions: Default::default(),
    };
    let body = rasn::der::encode(&EsipaMessageFromEimToIpa::GetEimPackageResponse(Box::new(
        GetEimPackageResponse(GetEimPackageResponseChoice::EuiccPackageRequest(Box::new(
            package.clone(),
        ))),
    )))
    .unwrap();
    let IpaAction::SendEs10(load) = ipa.handle(ok(body)) else {
        panic!()
    };
    assert_eq!(
        load,
        rasn::der::encode(&package).unwrap(),
        "LoadEuiccPackage as received"
    );
    let epr = EuiccPackageResult(EuiccPackageResultChoice::EuiccPackageErrorUnsigned(
        EuiccPackageErrorUnsigned {
            eim_id: "eim".into(),
            ..Default::default()
        },
    ));
    let IpaAction::SendEs10(retrieve) =
        ipa.handle(IpaEvent::Es10Response(rasn::der::encode(&epr).unwrap()))
    else {
        panic!()
    };
    assert_eq!(ipa.state_name(), "RetrieveNotifications");
    assert!(retrieve.starts_with(&[0xbf, 0x2b]));
    let empty = RetrieveNotificationsListResponse(
        RetrieveNotificationsListResponseChoice::NotificationList(vec![]),
    );
    let EsipaMessageFromIpaToEim::ProvideEimPackageResult(p) =
        sent_esipa(ipa.handle(IpaEvent::Es10Response(rasn::der::encode(&empty).unwrap())))
    else {
        panic!()
    };
    assert_eq!(p.eid_value.as_deref(), Some(&EID));
    assert!(matches!(
        p.eim_package_result,
        EimPackageResult::EprAndNotifications(_)
    ));
    assert_eq!(ipa.state_name(), "Provide");
    ipa
}

#[test]
fn provide_answers_garbage_error_or_empty() {
    let mut ipa = to_provide(false);
    let action = ipa.handle(ok(vec![0xbf, 0x50, 0x01]));
    assert!(
        matches!(
            action,
            IpaAction::Finished(IpaOutcome::Failed(IpaError::UndecodableEsipa {
                state: "Provide",
                ..
            }))
        ),
        "{action:?}"
    );
    let mut ipa = to_provide(false);
    let error = rasn::der::encode(&EsipaMessageFromEimToIpa::ProvideEimPackageResultResponse(
        Box::new(crate::asn1::sgp32::ProvideEimPackageResultResponse(
            ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(
                ProvideEimPackageResultError::EID_NOT_FOUND,
            ),
        )),
    ))
    .unwrap();
    assert_eq!(
        ipa.handle(ok(error)),
        IpaAction::Finished(IpaOutcome::ProvideResultError(
            ProvideEimPackageResultError::EID_NOT_FOUND
        ))
    );
    // A GetEimPackageResponse where a ProvideEimPackageResultResponse is due.
    let mut ipa = to_provide(false);
    let action = ipa.handle(ok(eim_error(GetEimPackageError::NO_EIM_PACKAGE_AVAILABLE)));
    assert!(
        matches!(
            action,
            IpaAction::Finished(IpaOutcome::Failed(IpaError::UnexpectedEsipa {
                state: "Provide",
                ..
            }))
        ),
        "{action:?}"
    );
}

#[test]
fn undeliverable_result_rolls_back_once_only_with_rollback_flag() {
    for rollback in [false, true] {
        let mut ipa = to_provide(rollback);
        for _ in 0..3 {
            assert!(matches!(
                ipa.handle(IpaEvent::EsipaFailed("down".into())),
                IpaAction::Wait(_)
            ));
            assert!(matches!(
                ipa.handle(IpaEvent::WaitElapsed),
                IpaAction::SendEsipa(_)
            ));
        }
        let action = ipa.handle(IpaEvent::EsipaFailed("down".into()));
        if !rollback {
            assert!(
                matches!(
                    action,
                    IpaAction::Finished(IpaOutcome::Failed(IpaError::Transport {
                        attempts: 4,
                        ..
                    }))
                ),
                "{action:?}"
            );
            continue;
        }
        let IpaAction::SendEs10(request) = action else {
            panic!("{action:?}")
        };
        assert_eq!(
            request,
            hex::decode("bf5803800100").unwrap(),
            "ProfileRollback refreshFlag false"
        );
        // Rollback refused by the eUICC: a clear ES10 error.
        let mut refused = ipa.clone();
        let response = ProfileRollbackResponse {
            cmd_result: crate::asn1::sgp32::ProfileRollbackCmdResult::ROLLBACK_NOT_ALLOWED,
            euicc_package_result: None,
            extensions: Default::default(),
        };
        let action = refused.handle(IpaEvent::Es10Response(
            rasn::der::encode(&response).unwrap(),
        ));
        assert!(
            matches!(
                action,
                IpaAction::Finished(IpaOutcome::Failed(IpaError::Es10 {
                    state: "Rollback",
                    ..
                }))
            ),
            "{action:?}"
        );
        // Rollback done: back to step 9, deliver again; a second failure does not roll back again.
        let response = ProfileRollbackResponse {
            cmd_result: crate::asn1::sgp32::ProfileRollbackCmdResult::OK,
            euicc_package_result: Some(EuiccPackageResult(
                EuiccPackageResultChoice::EuiccPackageErrorUnsigned(Default::default()),
            )),
            extensions: Default::default(),
        };
        let IpaAction::SendEs10(_) = ipa.handle(IpaEvent::Es10Response(
            rasn::der::encode(&response).unwrap(),
        )) else {
            panic!()
        };
        let empty = RetrieveNotificationsListResponse(
            RetrieveNotificationsListResponseChoice::NotificationList(vec![]),
        );
        assert!(matches!(
            ipa.handle(IpaEvent::Es10Response(rasn::der::encode(&empty).unwrap())),
            IpaAction::SendEsipa(_)
        ));
        for _ in 0..3 {
            ipa.handle(IpaEvent::EsipaFailed("down".into()));
            ipa.handle(IpaEvent::WaitElapsed);
        }
        let action = ipa.handle(IpaEvent::EsipaFailed("down".into()));
        assert!(
            matches!(
                action,
                IpaAction::Finished(IpaOutcome::Failed(IpaError::Transport { .. }))
            ),
            "{action:?}"
        );
    }
}
