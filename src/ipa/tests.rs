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

/// The indirect profile download (SGP.32 3.2.3.2), hand-fed: every event is given by the test.
/// The well-formed ES10 and ES9+ answers come from the real simulated eUICC and mock SM-DP+
/// (they carry real certificates and signatures); error answers are built by hand.
mod download {
    use std::sync::{Arc, OnceLock};

    use rasn::types::BitString;

    use super::*;
    use crate::asn1::rsp::{self, AuthenticateErrorCode, CancelSessionReason, Iccid};
    use crate::asn1::sgp32::*;
    use crate::crypto::Backend;
    use crate::eim::compact::{self, SessionFacts};
    use crate::euicc::Euicc;
    use crate::pki::Pki;
    use crate::smdp::es2::{ConfirmOrder, DownloadOrder};
    use crate::smdp::{DEFAULT_PROFILE_TYPE, OrderState, Smdp, SmdpConfig, sgp26_v3_dir};

    const ADDRESS: &str = "smdp.unit.example";
    const EIM_TID: [u8; 2] = [0xE1, 0x07];

    fn pki() -> Arc<Pki> {
        static PKI: OnceLock<Arc<Pki>> = OnceLock::new();
        PKI.get_or_init(|| Arc::new(Pki::generate(41, 2).unwrap()))
            .clone()
    }

    fn recode<A: rasn::Encode, B: rasn::Decode>(a: &A) -> B {
        rasn::der::decode(&rasn::der::encode(a).unwrap()).unwrap()
    }

    fn body(m: EsipaMessageFromEimToIpa) -> IpaEvent {
        ok(rasn::der::encode(&m).unwrap())
    }

    fn indirect_config(eid: [u8; 16]) -> IpaConfig {
        let mut features = BitString::repeat(false, 6);
        features.set(1, true);
        IpaConfig {
            eid: Some(eid),
            capabilities: IpaCapabilities {
                ipa_features: features,
                ..Default::default()
            },
            ..config()
        }
    }

    fn trigger(ac: &str) -> IpaEvent {
        body(EsipaMessageFromEimToIpa::GetEimPackageResponse(Box::new(
            GetEimPackageResponse(GetEimPackageResponseChoice::ProfileDownloadTriggerRequest(
                Box::new(ProfileDownloadTriggerRequest {
                    profile_download_data: Some(ProfileDownloadData::ActivationCode(ac.into())),
                    eim_transaction_id: Some(EIM_TID.to_vec().into()),
                    extensions: Default::default(),
                }),
            )),
        )))
    }

    /// A device with an order released at the SM-DP+, and its IPA at the trigger.
    struct Flow {
        smdp: Smdp,
        euicc: Euicc,
        ipa: Ipa,
        iccid: String,
        action: IpaAction,
        /// The eUICC's last ES10 answer, as it gave it to the IPA.
        es10_answer: Vec<u8>,
        /// serverSigned1 of the SM-DP+'s InitiateAuthentication answer (session data the eIM
        /// keeps).
        server_signed1: Option<rsp::ServerSigned1>,
    }

    impl Flow {
        fn new(index: u64) -> Flow {
            Flow::with_config(index, indirect_config)
        }

        fn with_config(index: u64, cfg: fn([u8; 16]) -> IpaConfig) -> Flow {
            let smdp = Smdp::new(
                SmdpConfig::sgp26_default(&pki(), &sgp26_v3_dir(), Backend::AwsLc)
                    .unwrap()
                    .with_address(ADDRESS),
            );
            let euicc = Euicc::builder(pki(), index).build().unwrap();
            let iccid = smdp
                .download_order(&DownloadOrder {
                    eid: Some(euicc.eid().digits()),
                    iccid: None,
                    profile_type: Some(DEFAULT_PROFILE_TYPE.into()),
                })
                .unwrap();
            smdp.confirm_order(&ConfirmOrder {
                iccid: iccid.clone(),
                eid: None,
                matching_id: Some("UNIT-MATCH".into()),
                confirmation_code: None,
                release_flag: true,
            })
            .unwrap();
            let mut ipa = Ipa::new(cfg(*euicc.eid().as_bcd()));
            sent_esipa(ipa.handle(IpaEvent::StartPoll));
            let action = ipa.handle(trigger(&format!("1${ADDRESS}$UNIT-MATCH")));
            Flow {
                smdp,
                euicc,
                ipa,
                iccid,
                action,
                es10_answer: Vec::new(),
                server_signed1: None,
            }
        }

        /// The pending ES10 request.
        fn es10_request(&self) -> Es10Request {
            match &self.action {
                IpaAction::SendEs10(der) => rasn::der::decode(der).unwrap(),
                other => panic!("not SendEs10 in {}: {other:?}", self.ipa.state_name()),
            }
        }

        /// The pending ESipa request.
        fn esipa_request(&self) -> EsipaMessageFromIpaToEim {
            sent_esipa(self.action.clone())
        }

        fn feed(&mut self, event: IpaEvent) {
            self.action = self.ipa.handle(event);
        }

        /// The eUICC answers the pending ES10 request.
        fn card(&mut self) {
            let IpaAction::SendEs10(der) = &self.action else {
                panic!("not SendEs10: {:?}", self.action)
            };
            let answer = self.euicc.handle_es10(der).unwrap();
            self.es10_answer = answer.clone();
            self.feed(IpaEvent::Es10Response(answer));
        }

        /// The SM-DP+ answers the pending ESipa request (what the eIM's ES9+' relay does).
        fn smdp(&mut self) {
            let answer = self.relay(self.esipa_request());
            self.feed(body(answer));
        }

        /// The SM-DP+'s answer to a full ESipa request (what the eIM's ES9+' relay does).
        fn relay(&mut self, request: EsipaMessageFromIpaToEim) -> EsipaMessageFromEimToIpa {
            match request {
                EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(r) => {
                    let ok = self
                        .smdp
                        .initiate_authentication(&rsp::InitiateAuthenticationRequest {
                            euicc_challenge: r.euicc_challenge,
                            smdp_address: r.smdp_address.clone().unwrap(),
                            euicc_info1: r.euicc_info1.clone().unwrap(),
                            extensions: Default::default(),
                        })
                        .unwrap();
                    self.server_signed1 = Some(ok.server_signed1.clone());
                    EsipaMessageFromEimToIpa::InitiateAuthenticationResponseEsipa(Box::new(
                        InitiateAuthenticationResponseEsipa(
                            InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationOkEsipa(
                                Box::new(InitiateAuthenticationOkEsipa {
                                    transaction_id: Some(ok.transaction_id),
                                    server_signed1: ok.server_signed1,
                                    server_signature1: ok.server_signature1,
                                    euicc_ci_pk_identifier_to_be_used: ok
                                        .euicc_ci_pk_id_to_be_used
                                        .0,
                                    server_certificate: ok.server_certificate,
                                    matching_id: None,
                                    ctx_params1: None,
                                    extensions: Default::default(),
                                }),
                            ),
                        ),
                    ))
                }
                EsipaMessageFromIpaToEim::AuthenticateClientRequestEsipa(r) => {
                    let ok = self
                        .smdp
                        .authenticate_client(
                            &rsp::AuthenticateClientRequest {
                                transaction_id: r.transaction_id.clone(),
                                authenticate_server_response: recode(
                                    &r.authenticate_server_response,
                                ),
                                extensions: Default::default(),
                            },
                            None,
                        )
                        .unwrap();
                    EsipaMessageFromEimToIpa::AuthenticateClientResponseEsipa(Box::new(
                        AuthenticateClientResponseEsipa(
                            AuthenticateClientResponseEsipaChoice::AuthenticateClientOkDPEsipa(
                                Box::new(AuthenticateClientOkDPEsipa {
                                    transaction_id: Some(ok.transaction_id),
                                    profile_meta_data: Some(recode(&ok.profile_meta_data)),
                                    smdp_signed2: ok.smdp_signed2,
                                    smdp_signature2: ok.smdp_signature2,
                                    smdp_certificate: ok.smdp_certificate,
                                    hash_cc: None,
                                    extensions: Default::default(),
                                }),
                            ),
                        ),
                    ))
                }
                EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(r) => {
                    let (transaction_id, bpp) = self
                        .smdp
                        .get_bound_profile_package(
                            &rsp::GetBoundProfilePackageRequest {
                                transaction_id: r.transaction_id.clone(),
                                prepare_download_response: recode(&r.prepare_download_response),
                                extensions: Default::default(),
                            },
                            None,
                        )
                        .unwrap();
                    bpp_answer(transaction_id, &bpp)
                }
                other => panic!("not relayed here: {other:?}"),
            }
        }

        /// Runs the real exchange up to the GetBoundProfilePackage request.
        fn to_get_bpp(index: u64) -> Flow {
            let mut f = Flow::new(index);
            f.card(); // GetEUICCInfo1
            f.card(); // GetEUICCChallenge
            f.smdp(); // InitiateAuthentication
            f.card(); // AuthenticateServer
            f.smdp(); // AuthenticateClient
            f.card(); // PrepareDownload
            assert_eq!(f.ipa.state_name(), "DlGetBpp");
            f
        }

        fn transaction_id(&self) -> rsp::TransactionId {
            rsp::TransactionId::from(
                hex::decode(
                    self.smdp
                        .order(&self.iccid)
                        .unwrap()
                        .transaction_id
                        .unwrap(),
                )
                .unwrap(),
            )
        }
    }

    fn bpp_answer(transaction_id: rsp::TransactionId, bpp: &[u8]) -> EsipaMessageFromEimToIpa {
        EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(Box::new(
            GetBoundProfilePackageResponseEsipa(
                GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageOkEsipa(Box::new(
                    GetBoundProfilePackageOkEsipa {
                        transaction_id: Some(transaction_id),
                        bound_profile_package: rasn::der::decode(bpp).unwrap(),
                        extensions: Default::default(),
                    },
                )),
            ),
        ))
    }

    fn cancel_ok() -> IpaEvent {
        body(EsipaMessageFromEimToIpa::CancelSessionResponseEsipa(
            Box::new(CancelSessionResponseEsipa(
                CancelSessionResponseEsipaChoice::CancelSessionOk(Default::default()),
            )),
        ))
    }

    /// Expects ES10b CancelSession for `txid` with undefinedReason; the eUICC signs it; expects
    /// CancelSessionRequestEsipa with the eUICC's answer; the eIM answers cancelSessionOk.
    fn expect_cancel(f: &mut Flow, txid: &rsp::TransactionId, signed: bool) {
        let Es10Request::CancelSession(c) = f.es10_request() else {
            panic!("{:?}", f.action)
        };
        assert_eq!(&c.transaction_id, txid);
        assert_eq!(c.reason, CancelSessionReason::UNDEFINED_REASON);
        f.card();
        let EsipaMessageFromIpaToEim::CancelSessionRequestEsipa(r) = f.esipa_request() else {
            panic!("{:?}", f.action)
        };
        assert_eq!(&r.transaction_id, txid);
        assert_eq!(
            matches!(
                r.cancel_session_response.0,
                CancelSessionResponseChoice::CancelSessionResponseOk(_)
            ),
            signed,
            "{:?}",
            r.cancel_session_response
        );
        f.feed(cancel_ok());
    }

    #[test]
    fn happy_path_step_by_step() {
        let mut f = Flow::new(1);
        assert_eq!(f.ipa.state_name(), "DlInfo1");
        assert!(matches!(f.es10_request(), Es10Request::GetEuiccInfo1(_)));
        f.card();
        assert!(matches!(
            f.es10_request(),
            Es10Request::GetEuiccChallenge(_)
        ));
        f.card();
        let EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(init) = f.esipa_request()
        else {
            panic!()
        };
        assert_eq!(init.smdp_address.as_deref(), Some(ADDRESS));
        assert!(init.euicc_info1.is_some(), "full form: euiccInfo1 present");
        assert_eq!(init.eim_transaction_id.as_deref(), Some(&EIM_TID[..]));
        f.smdp();
        let Es10Request::AuthenticateServer(auth) = f.es10_request() else {
            panic!()
        };
        let rsp::CtxParams1::CtxParamsForCommonAuthentication(ctx) = &auth.ctx_params1;
        assert_eq!(ctx.matching_id.as_deref(), Some("UNIT-MATCH"));
        assert_eq!(&ctx.device_info.tac[..], &[0x35, 0x29, 0x06, 0x11]);
        let txid = auth.server_signed1.transaction_id.clone();
        f.card();
        let EsipaMessageFromIpaToEim::AuthenticateClientRequestEsipa(ac) = f.esipa_request() else {
            panic!()
        };
        assert_eq!(ac.transaction_id, txid);
        assert!(matches!(
            ac.authenticate_server_response.0,
            AuthenticateServerResponseChoice::AuthenticateResponseOk(_)
        ));
        f.smdp();
        let Es10Request::PrepareDownload(prep) = f.es10_request() else {
            panic!()
        };
        assert_eq!(prep.hash_cc, None);
        f.card();
        let EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(g) = f.esipa_request()
        else {
            panic!()
        };
        assert_eq!(g.transaction_id, txid);
        assert!(matches!(
            g.prepare_download_response.0,
            PrepareDownloadResponseChoice::DownloadResponseOk(_)
        ));
        f.smdp();
        assert!(matches!(
            f.es10_request(),
            Es10Request::LoadBoundProfilePackage(_)
        ));
        f.card();
        let EsipaMessageFromIpaToEim::HandleNotificationEsipa(h) = f.esipa_request() else {
            panic!()
        };
        let HandleNotificationEsipaChoice::PendingNotification(n) = h.0 else {
            panic!()
        };
        let PendingNotification::ProfileInstallationResult(pir) = *n else {
            panic!("full PIR form")
        };
        let seq = pir
            .profile_installation_result_data
            .notification_metadata
            .seq_number;
        // A transient failure is retried with the same bytes, then 204 No Content.
        let first = f.action.clone();
        f.feed(IpaEvent::EsipaResponse {
            status: 503,
            body: Vec::new(),
        });
        assert_eq!(f.action, IpaAction::Wait(Duration::from_millis(10)));
        f.feed(IpaEvent::WaitElapsed);
        assert_eq!(f.action, first);
        f.feed(IpaEvent::EsipaResponse {
            status: 204,
            body: Vec::new(),
        });
        let Es10Request::RemoveNotificationFromList(rm) = f.es10_request() else {
            panic!()
        };
        assert_eq!(rm.seq_number, seq);
        f.card();
        let id = Iccid::from_digits(&f.iccid).unwrap();
        assert_eq!(
            f.action,
            IpaAction::Finished(IpaOutcome::ProfileDownloaded {
                iccid: Some(id),
                transaction_id: txid,
                eim_transaction_id: Some(EIM_TID.to_vec().into()),
                installed: true,
                seq_number: seq,
                notified: true,
            })
        );
        assert!(f.ipa.is_idle());
    }

    fn refused(ac: &str, cfg: IpaConfig) {
        let mut ipa = Ipa::new(cfg);
        sent_esipa(ipa.handle(IpaEvent::StartPoll));
        let EsipaMessageFromIpaToEim::ProvideEimPackageResult(p) =
            sent_esipa(ipa.handle(trigger(ac)))
        else {
            panic!("{ac}: no refusal")
        };
        let EimPackageResult::ProfileDownloadTriggerResult(r) = p.eim_package_result else {
            panic!()
        };
        assert_eq!(r.eim_transaction_id.as_deref(), Some(&EIM_TID[..]));
        let ProfileDownloadTriggerResultData::ProfileDownloadError(e) =
            r.profile_download_trigger_result_data
        else {
            panic!()
        };
        assert_eq!(
            e.profile_download_error_reason,
            ProfileDownloadErrorReason::UNDEFINED_ERROR
        );
        let empty = body(EsipaMessageFromEimToIpa::ProvideEimPackageResultResponse(
            Box::new(crate::asn1::sgp32::ProvideEimPackageResultResponse(
                ProvideEimPackageResultResponseChoice::EmptyResponse(Default::default()),
            )),
        ));
        assert_eq!(
            ipa.handle(empty),
            IpaAction::Finished(IpaOutcome::DownloadTriggerRefused)
        );
    }

    #[test]
    fn a_bad_activation_code_or_no_indirect_capability_is_refused() {
        for ac in ["2$a.example$X", "1$a.example", "1$$X", "garbage"] {
            refused(ac, indirect_config(EID));
        }
        // A good code, but the IPA does not announce indirectRspServerCommunication.
        refused("1$a.example$X", config());
    }

    #[test]
    fn initiate_authentication_error_ends_without_cancel_session() {
        let mut f = Flow::new(2);
        f.card();
        f.card();
        f.feed(body(
            EsipaMessageFromEimToIpa::InitiateAuthenticationResponseEsipa(Box::new(
                InitiateAuthenticationResponseEsipa(
                    InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationErrorEsipa(
                        InitiateAuthenticationErrorEsipa::INVALID_EIM_TRANSACTION_ID,
                    ),
                ),
            )),
        ));
        assert_eq!(
            f.action,
            IpaAction::Finished(IpaOutcome::DownloadFailed {
                step: DownloadStep::InitiateAuthentication,
                reason: DownloadFailure::InitiateAuthentication(
                    InitiateAuthenticationErrorEsipa::INVALID_EIM_TRANSACTION_ID
                ),
                cancelled: false,
            })
        );
    }

    #[test]
    fn an_euicc_authenticate_response_error_cancels_the_session() {
        let mut f = Flow::new(3);
        f.card();
        f.card();
        f.smdp();
        let Es10Request::AuthenticateServer(auth) = f.es10_request() else {
            panic!()
        };
        let txid = auth.server_signed1.transaction_id.clone();
        // The eUICC refuses (hand-made answer): no session is open on it.
        let error = AuthenticateServerResponse(
            AuthenticateServerResponseChoice::AuthenticateResponseError(
                rsp::AuthenticateResponseError {
                    transaction_id: txid.clone(),
                    authenticate_error_code: AuthenticateErrorCode::INVALID_SIGNATURE,
                    extensions: Default::default(),
                },
            ),
        );
        f.feed(IpaEvent::Es10Response(rasn::der::encode(&error).unwrap()));
        // The eUICC has no session: its CancelSession answer is an error, relayed as it is.
        expect_cancel(&mut f, &txid, false);
        assert_eq!(
            f.action,
            IpaAction::Finished(IpaOutcome::DownloadFailed {
                step: DownloadStep::AuthenticateServer,
                reason: DownloadFailure::AuthenticateServer(
                    AuthenticateErrorCode::INVALID_SIGNATURE
                ),
                cancelled: true,
            })
        );
    }

    #[test]
    fn a_get_bound_profile_package_error_cancels_the_session() {
        let mut f = Flow::to_get_bpp(4);
        let txid = f.transaction_id();
        f.feed(body(
            EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(Box::new(
                GetBoundProfilePackageResponseEsipa(
                    GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageErrorEsipa(
                        GetBoundProfilePackageErrorEsipa::DOWNLOAD_ORDER_EXPIRED,
                    ),
                ),
            )),
        ));
        // The eUICC's session is open: it signs the cancellation.
        expect_cancel(&mut f, &txid, true);
        assert_eq!(
            f.action,
            IpaAction::Finished(IpaOutcome::DownloadFailed {
                step: DownloadStep::GetBoundProfilePackage,
                reason: DownloadFailure::GetBoundProfilePackage(
                    GetBoundProfilePackageErrorEsipa::DOWNLOAD_ORDER_EXPIRED
                ),
                cancelled: true,
            })
        );
        let id = Iccid::from_digits(&f.iccid).unwrap();
        assert!(f.euicc.profiles().iter().all(|p| p.iccid != id));
    }

    #[test]
    fn a_pir_with_error_result_is_delivered_and_reported_not_installed() {
        let mut f = Flow::to_get_bpp(5);
        let EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(g) = f.esipa_request()
        else {
            panic!()
        };
        let (txid, bpp) = f
            .smdp
            .get_bound_profile_package(
                &rsp::GetBoundProfilePackageRequest {
                    transaction_id: g.transaction_id.clone(),
                    prepare_download_response: recode(&g.prepare_download_response),
                    extensions: Default::default(),
                },
                None,
            )
            .unwrap();
        // A flipped byte near the end (the last profile element segment's MAC).
        let mut bad = bpp.clone();
        let at = bad.len() - 3;
        bad[at] ^= 0x01;
        f.feed(body(bpp_answer(txid.clone(), &bad)));
        f.card(); // LoadBoundProfilePackage: errorResult PIR
        let EsipaMessageFromIpaToEim::HandleNotificationEsipa(_) = f.esipa_request() else {
            panic!("{:?}", f.action)
        };
        f.feed(IpaEvent::EsipaResponse {
            status: 204,
            body: Vec::new(),
        });
        f.card(); // RemoveNotificationFromList
        let IpaAction::Finished(IpaOutcome::ProfileDownloaded {
            installed,
            notified,
            transaction_id,
            ..
        }) = &f.action
        else {
            panic!("{:?}", f.action)
        };
        assert!(!installed);
        assert!(notified);
        assert_eq!(transaction_id, &txid);
        let id = Iccid::from_digits(&f.iccid).unwrap();
        assert!(f.euicc.profiles().iter().all(|p| p.iccid != id));
        assert_ne!(f.smdp.order(&f.iccid).unwrap().state, OrderState::Installed);
    }

    #[test]
    fn an_undeliverable_pir_stays_on_the_euicc() {
        let mut f = Flow::to_get_bpp(6);
        f.smdp();
        f.card();
        for _ in 0..3 {
            f.feed(IpaEvent::EsipaFailed("down".into()));
            assert!(matches!(f.action, IpaAction::Wait(_)));
            f.feed(IpaEvent::WaitElapsed);
        }
        f.feed(IpaEvent::EsipaFailed("down".into()));
        let IpaAction::Finished(IpaOutcome::ProfileDownloaded {
            installed: true,
            notified: false,
            seq_number,
            ..
        }) = f.action
        else {
            panic!("{:?}", f.action)
        };
        assert!(
            f.euicc
                .pending()
                .iter()
                .any(|p| p.seq_number() == seq_number)
        );
    }

    #[test]
    fn an_unexpected_esipa_answer_in_the_download_cancels() {
        let mut f = Flow::to_get_bpp(7);
        let txid = f.transaction_id();
        f.feed(cancel_ok()); // a CancelSessionResponseEsipa where the BPP is due
        expect_cancel(&mut f, &txid, true);
        let IpaAction::Finished(IpaOutcome::DownloadFailed {
            step: DownloadStep::GetBoundProfilePackage,
            reason: DownloadFailure::Ipa(IpaError::UnexpectedEsipa { .. }),
            cancelled: true,
        }) = f.action
        else {
            panic!("{:?}", f.action)
        };
    }

    // -----------------------------------------------------------------------------------------
    // Direct download (SGP.32 3.2.3.1): the same steps, ES9+ JSON to the SM-DP+ by hand here.

    fn direct_config(eid: [u8; 16]) -> IpaConfig {
        let mut features = BitString::repeat(false, 6);
        features.set(0, true);
        IpaConfig {
            eid: Some(eid),
            capabilities: IpaCapabilities {
                ipa_features: features,
                ..Default::default()
            },
            ..config()
        }
    }

    impl Flow {
        /// The pending ES9+ request: (address, function, JSON).
        fn es9_request(&self) -> (String, crate::smdp::Es9Function, serde_json::Value) {
            match &self.action {
                IpaAction::SendEs9 {
                    address,
                    function,
                    json,
                } => (
                    address.clone(),
                    *function,
                    serde_json::from_slice(json).unwrap(),
                ),
                other => panic!("not SendEs9 in {}: {other:?}", self.ipa.state_name()),
            }
        }

        /// The SM-DP+ answers the pending ES9+ request over its JSON binding.
        fn es9(&mut self) {
            let IpaAction::SendEs9 { function, json, .. } = &self.action else {
                panic!("not SendEs9: {:?}", self.action)
            };
            let answer = self
                .smdp
                .handle_es9_json(crate::eim::relay::es9_path_name(*function), json);
            self.feed(IpaEvent::Es9Response {
                status: answer.status,
                body: answer.body_bytes(),
            });
        }

        /// The pending ProvideEimPackageResult's profileDownloadTriggerResult.
        fn report(&self) -> ProfileDownloadTriggerResult {
            let EsipaMessageFromIpaToEim::ProvideEimPackageResult(p) = self.esipa_request() else {
                panic!("{:?}", self.action)
            };
            let EimPackageResult::ProfileDownloadTriggerResult(r) = p.eim_package_result else {
                panic!("not a profileDownloadTriggerResult")
            };
            *r
        }
    }

    fn provide_answer(choice: ProvideEimPackageResultResponseChoice) -> IpaEvent {
        body(EsipaMessageFromEimToIpa::ProvideEimPackageResultResponse(
            Box::new(ProvideEimPackageResultResponse(choice)),
        ))
    }

    fn acks(seqs: &[i64]) -> IpaEvent {
        provide_answer(ProvideEimPackageResultResponseChoice::EimAcknowledgements(
            EimAcknowledgements(seqs.iter().map(|s| SequenceNumber(*s)).collect()),
        ))
    }

    #[test]
    fn direct_happy_path_es9_then_report_then_remove() {
        use crate::smdp::Es9Function as F;
        let mut f = Flow::with_config(11, direct_config);
        f.card(); // GetEUICCInfo1
        f.card(); // GetEUICCChallenge
        let (address, function, json) = f.es9_request();
        assert_eq!(
            (address.as_str(), function),
            (ADDRESS, F::InitiateAuthentication)
        );
        assert_eq!(json["smdpAddress"], ADDRESS);
        assert!(json["euiccInfo1"].is_string() && json["euiccChallenge"].is_string());
        f.es9();
        let Es10Request::AuthenticateServer(auth) = f.es10_request() else {
            panic!("{:?}", f.action)
        };
        let txid = auth.server_signed1.transaction_id.clone();
        f.card();
        let (_, function, json) = f.es9_request();
        assert_eq!(function, F::AuthenticateClient);
        assert_eq!(json["transactionId"], hex::encode_upper(&txid));
        f.es9();
        f.card(); // PrepareDownload
        assert_eq!(f.es9_request().1, F::GetBoundProfilePackage);
        f.es9();
        assert!(matches!(
            f.es10_request(),
            Es10Request::LoadBoundProfilePackage(_)
        ));
        f.card();
        // The PIR to the SM-DP+ at its notificationAddress.
        let (address, function, json) = f.es9_request();
        assert_eq!(
            (address.as_str(), function),
            (ADDRESS, F::HandleNotification)
        );
        assert!(json["pendingNotification"].is_string());
        f.es9();
        assert_eq!(f.smdp.order(&f.iccid).unwrap().state, OrderState::Installed);
        // Then the report to the eIM, with the PIR and the trigger's eimTransactionId.
        let r = f.report();
        assert_eq!(r.eim_transaction_id.as_deref(), Some(&EIM_TID[..]));
        let ProfileDownloadTriggerResultData::ProfileInstallationResult(pir) =
            r.profile_download_trigger_result_data
        else {
            panic!("not the PIR")
        };
        let seq = pir
            .profile_installation_result_data
            .notification_metadata
            .seq_number;
        assert_eq!(pir.profile_installation_result_data.transaction_id, txid);
        // The eIM acknowledges the PIR: it is removed.
        f.feed(acks(&[seq]));
        let Es10Request::RemoveNotificationFromList(rm) = f.es10_request() else {
            panic!("{:?}", f.action)
        };
        assert_eq!(rm.seq_number, seq);
        f.card();
        let id = Iccid::from_digits(&f.iccid).unwrap();
        assert_eq!(
            f.action,
            IpaAction::Finished(IpaOutcome::ProfileDownloaded {
                iccid: Some(id),
                transaction_id: txid,
                eim_transaction_id: Some(EIM_TID.to_vec().into()),
                installed: true,
                seq_number: seq,
                notified: true,
            })
        );
        assert!(f.euicc.pending().iter().all(|p| p.seq_number() != seq));
    }

    #[test]
    fn direct_pir_not_acknowledged_stays_on_the_euicc() {
        let mut f = Flow::with_config(12, direct_config);
        for _ in 0..2 {
            f.card();
        }
        f.es9(); // InitiateAuthentication
        f.card();
        f.es9(); // AuthenticateClient
        f.card();
        f.es9(); // GetBoundProfilePackage
        f.card(); // LoadBoundProfilePackage
        // The SM-DP+ cannot be reached for the PIR: still reported, not removed.
        f.feed(IpaEvent::Es9Failed("refused".into()));
        let r = f.report();
        assert!(matches!(
            r.profile_download_trigger_result_data,
            ProfileDownloadTriggerResultData::ProfileInstallationResult(_)
        ));
        f.feed(provide_answer(
            ProvideEimPackageResultResponseChoice::EmptyResponse(Default::default()),
        ));
        let IpaAction::Finished(IpaOutcome::ProfileDownloaded {
            installed: true,
            notified: false,
            seq_number,
            ..
        }) = f.action
        else {
            panic!("{:?}", f.action)
        };
        assert!(
            f.euicc
                .pending()
                .iter()
                .any(|p| p.seq_number() == seq_number)
        );
    }

    #[test]
    fn direct_es9_error_cancels_at_the_smdp_then_reports_profile_download_error() {
        use crate::smdp::Es9Function as F;
        let mut f = Flow::with_config(13, direct_config);
        f.card();
        f.card();
        f.es9(); // InitiateAuthentication
        let Es10Request::AuthenticateServer(auth) = f.es10_request() else {
            panic!("{:?}", f.action)
        };
        let txid = auth.server_signed1.transaction_id.clone();
        f.card();
        assert_eq!(f.es9_request().1, F::AuthenticateClient);
        // The SM-DP+ refuses (8.2.6 / 3.8 matchingId refused), by hand.
        let refused = crate::smdp::es9_json::JsonAnswer::failed(crate::smdp::Status::new(
            "8.2.6", "3.8", "refused",
        ));
        f.feed(IpaEvent::Es9Response {
            status: 200,
            body: refused.body_bytes(),
        });
        // ES10b CancelSession, then ES9+ cancelSession to the SM-DP+ (not ESipa).
        let Es10Request::CancelSession(c) = f.es10_request() else {
            panic!("{:?}", f.action)
        };
        assert_eq!(c.transaction_id, txid);
        f.card();
        let (address, function, json) = f.es9_request();
        assert_eq!((address.as_str(), function), (ADDRESS, F::CancelSession));
        assert_eq!(json["transactionId"], hex::encode_upper(&txid));
        f.es9();
        // Then profileDownloadError to the eIM.
        let r = f.report();
        assert_eq!(r.eim_transaction_id.as_deref(), Some(&EIM_TID[..]));
        let ProfileDownloadTriggerResultData::ProfileDownloadError(e) =
            r.profile_download_trigger_result_data
        else {
            panic!("not profileDownloadError")
        };
        assert_eq!(
            e.profile_download_error_reason,
            ProfileDownloadErrorReason::UNDEFINED_ERROR
        );
        f.feed(acks(&[]));
        assert_eq!(
            f.action,
            IpaAction::Finished(IpaOutcome::DownloadFailed {
                step: DownloadStep::AuthenticateClient,
                reason: DownloadFailure::AuthenticateClient(
                    AuthenticateClientErrorEsipa::MATCHING_ID_REFUSED
                ),
                cancelled: true,
            })
        );
    }

    #[test]
    fn indirect_wins_when_both_capabilities_are_announced() {
        fn both(eid: [u8; 16]) -> IpaConfig {
            let mut c = direct_config(eid);
            c.capabilities.ipa_features.set(1, true);
            c
        }
        let mut f = Flow::with_config(14, both);
        f.card();
        f.card();
        assert!(matches!(
            f.esipa_request(),
            EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(_)
        ));
    }

    // -----------------------------------------------------------------------------------------
    // minimizeEsipaBytes (ipaFeatures bit 5): the IPA compacts the eUICC's full answers on
    // ESipa; the test plays the eIM, which rebuilds the full forms before relaying them.

    fn compact_config(eid: [u8; 16]) -> IpaConfig {
        let mut c = indirect_config(eid);
        c.capabilities
            .ipa_features
            .set(ipa_features::MINIMIZE_ESIPA_BYTES, true);
        c
    }

    /// What the eIM keeps to rebuild the full forms: the answers to an ipaEuiccDataRequest for
    /// 'BF20', 'BF22', 'A5' and 'A6' (read from the eUICC directly here).
    struct Kept {
        info1: rsp::EuiccInfo1,
        info2: EuiccInfo2,
        certs: Certs,
    }

    /// The session facts the eIM keeps (serverSigned1 of InitiateAuthentication, the SM-DP+
    /// OID, the ICCID of the profile metadata).
    fn facts(
        s1: &rsp::ServerSigned1,
        smdp_oid: Option<rasn::types::ObjectIdentifier>,
        iccid: Option<Iccid>,
    ) -> SessionFacts {
        SessionFacts {
            server_address: s1.server_address.clone(),
            server_challenge: s1.server_challenge.clone(),
            smdp_oid,
            iccid,
        }
    }

    impl Flow {
        fn es10_direct<T: rasn::Decode>(&mut self, request: Es10Request) -> T {
            let answer = self
                .euicc
                .handle_es10(&rasn::der::encode(&request).unwrap())
                .unwrap();
            rasn::der::decode(&answer).unwrap()
        }

        fn kept(&mut self) -> Kept {
            let GetCertsResponse(GetCertsResponseChoice::Certs(certs)) =
                self.es10_direct(Es10Request::GetCerts(GetCertsRequest {
                    euicc_ci_pk_id: None,
                    extensions: Default::default(),
                }))
            else {
                panic!("no certificates")
            };
            Kept {
                info1: self.es10_direct(Es10Request::GetEuiccInfo1(Default::default())),
                info2: self.es10_direct(Es10Request::GetEuiccInfo2(Default::default())),
                certs: *certs,
            }
        }

        /// The eIM for an IPA with minimizeEsipaBytes: rebuilds the full form of the pending
        /// request, checks it is the eUICC's own answer byte for byte, relays it to the SM-DP+
        /// (which verifies the eUICC's signature on it) and answers GetBoundProfilePackage
        /// without transactionId.
        fn eim(&mut self) {
            let kept = self.kept();
            let request = match self.esipa_request() {
                EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(mut r) => {
                    assert_eq!(r.euicc_info1, None, "minimizeEsipaBytes: no euiccInfo1");
                    r.euicc_info1 = Some(kept.info1.clone());
                    EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(r)
                }
                EsipaMessageFromIpaToEim::AuthenticateClientRequestEsipa(mut r) => {
                    let AuthenticateServerResponseChoice::CompactAuthenticateResponseOk(c) =
                        &r.authenticate_server_response.0
                    else {
                        panic!("not compact: {:?}", r.authenticate_server_response)
                    };
                    assert_eq!((&c.euicc_certificate, &c.eum_certificate), (&None, &None));
                    let s1 = self.server_signed1.clone().unwrap();
                    let certs = (
                        rasn::der::encode(&kept.certs.euicc_certificate).unwrap(),
                        rasn::der::encode(&kept.certs.eum_certificate).unwrap(),
                    );
                    let full = compact::full_authenticate_response(
                        c,
                        &s1.transaction_id,
                        &facts(&s1, None, None),
                        Some(&rasn::der::encode(&kept.info2).unwrap()),
                        (Some(&certs.0), Some(&certs.1)),
                    )
                    .unwrap();
                    assert_eq!(
                        hex::encode(rasn::der::encode(&full).unwrap()),
                        hex::encode(&self.es10_answer),
                        "the eIM rebuilds the eUICC's AuthenticateServer answer"
                    );
                    r.authenticate_server_response = full;
                    EsipaMessageFromIpaToEim::AuthenticateClientRequestEsipa(r)
                }
                EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(mut r) => {
                    let PrepareDownloadResponseChoice::CompactDownloadResponseOk(c) =
                        &r.prepare_download_response.0
                    else {
                        panic!("not compact: {:?}", r.prepare_download_response)
                    };
                    let full =
                        compact::full_prepare_download_response(c, &r.transaction_id).unwrap();
                    assert_eq!(
                        hex::encode(rasn::der::encode(&full).unwrap()),
                        hex::encode(&self.es10_answer),
                        "the eIM rebuilds the eUICC's PrepareDownload answer"
                    );
                    r.prepare_download_response = full;
                    EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(r)
                }
                other => panic!("not rebuilt here: {other:?}"),
            };
            let mut answer = self.relay(request);
            if let EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(r) = &mut answer
                && let GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageOkEsipa(ok) =
                    &mut r.0
            {
                ok.transaction_id = None;
            }
            self.feed(body(answer));
        }

        /// Runs a minimizeEsipaBytes download up to the GetBoundProfilePackage request.
        fn compact_to_get_bpp(index: u64) -> Flow {
            let mut f = Flow::with_config(index, compact_config);
            f.card(); // GetEUICCChallenge
            f.eim(); // InitiateAuthentication
            f.card(); // AuthenticateServer
            f.eim(); // AuthenticateClient
            f.card(); // PrepareDownload
            assert_eq!(f.ipa.state_name(), "DlGetBpp");
            f
        }
    }

    #[test]
    fn minimize_esipa_bytes_sends_compact_forms_the_eim_can_rebuild() {
        let mut f = Flow::with_config(15, compact_config);
        // No GetEUICCInfo1: the download starts at GetEUICCChallenge.
        assert_eq!(f.ipa.state_name(), "DlChallenge");
        assert!(matches!(
            f.es10_request(),
            Es10Request::GetEuiccChallenge(_)
        ));
        f.card();
        let EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(init) = f.esipa_request()
        else {
            panic!("{:?}", f.action)
        };
        assert_eq!(init.euicc_info1, None);
        assert_eq!(init.smdp_address.as_deref(), Some(ADDRESS));
        assert_eq!(init.eim_transaction_id.as_deref(), Some(&EIM_TID[..]));
        f.eim();
        let Es10Request::AuthenticateServer(auth) = f.es10_request() else {
            panic!("{:?}", f.action)
        };
        let txid = auth.server_signed1.transaction_id.clone();
        f.card();
        // compactAuthenticateResponseOk {compactEuiccSigned1 {extCardResource, ctxParams1},
        // euiccSignature1}: the values of the eUICC's full answer.
        let full: AuthenticateServerResponse = rasn::der::decode(&f.es10_answer).unwrap();
        let AuthenticateServerResponseChoice::AuthenticateResponseOk(full) = full.0 else {
            panic!("{full:?}")
        };
        let EsipaMessageFromIpaToEim::AuthenticateClientRequestEsipa(ac) = f.esipa_request() else {
            panic!("{:?}", f.action)
        };
        assert_eq!(ac.transaction_id, txid);
        let AuthenticateServerResponseChoice::CompactAuthenticateResponseOk(c) =
            &ac.authenticate_server_response.0
        else {
            panic!("{:?}", ac.authenticate_server_response)
        };
        let CompactSignedData::CompactEuiccSigned1(signed) = &c.signed_data else {
            panic!("{c:?}")
        };
        assert_eq!(
            signed.ext_card_resource,
            full.euicc_signed1.euicc_info2.ext_card_resource
        );
        assert_eq!(
            signed.ctx_params1.as_ref(),
            Some(&full.euicc_signed1.ctx_params1)
        );
        assert_eq!(c.euicc_signature1, full.euicc_signature1);
        f.eim(); // the SM-DP+ verified euiccSignature1 on the rebuilt form
        f.card(); // PrepareDownload
        let full: PrepareDownloadResponse = rasn::der::decode(&f.es10_answer).unwrap();
        let PrepareDownloadResponseChoice::DownloadResponseOk(full) = full.0 else {
            panic!("{full:?}")
        };
        let EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(g) = f.esipa_request()
        else {
            panic!("{:?}", f.action)
        };
        assert_eq!(g.transaction_id, txid);
        let PrepareDownloadResponseChoice::CompactDownloadResponseOk(c) =
            &g.prepare_download_response.0
        else {
            panic!("{:?}", g.prepare_download_response)
        };
        assert_eq!(
            c.compact_euicc_signed2.euicc_otpk.as_ref(),
            Some(&full.euicc_signed2.euicc_otpk)
        );
        assert_eq!(c.compact_euicc_signed2.hash_cc, None);
        assert_eq!(c.euicc_signature2, full.euicc_signature2);
        // The SM-DP+ verified euiccSignature2; the answer comes without transactionId.
        f.eim();
        assert!(matches!(
            f.es10_request(),
            Es10Request::LoadBoundProfilePackage(_)
        ));
        f.card();
        let full: ProfileInstallationResult = rasn::der::decode(&f.es10_answer).unwrap();
        let EsipaMessageFromIpaToEim::HandleNotificationEsipa(h) = f.esipa_request() else {
            panic!("{:?}", f.action)
        };
        let HandleNotificationEsipaChoice::PendingNotification(n) = h.0 else {
            panic!()
        };
        let PendingNotification::CompactProfileInstallationResult(c) = *n else {
            panic!("not the compact PIR: {n:?}")
        };
        let data = &c.compact_profile_installation_result_data;
        let seq = full
            .profile_installation_result_data
            .notification_metadata
            .seq_number;
        assert_eq!((&data.transaction_id, data.seq_number), (&txid, seq));
        assert!(data.iccid_present);
        let rsp::FinalResult::SuccessResult(success) =
            &full.profile_installation_result_data.final_result
        else {
            panic!("{full:?}")
        };
        let CompactFinalResult::CompactSuccessResult(s) = &data.compact_final_result else {
            panic!("{data:?}")
        };
        assert_eq!(&s.compact_aid[..], &success.aid[13..15]);
        assert_eq!(
            s.sima_response, None,
            "the success simaResponse is left out"
        );
        // The eIM rebuilds the PIR (smdpOid: the session's, here the eUICC's own value) and
        // the SM-DP+ accepts its signature.
        let id = Iccid::from_digits(&f.iccid).unwrap();
        let s1 = f.server_signed1.clone().unwrap();
        let smdp_oid = &full.profile_installation_result_data.smdp_oid;
        let rebuilt = compact::full_profile_installation_result(
            &c,
            &facts(&s1, Some(smdp_oid.clone()), Some(id.clone())),
            &compact::ISDP_AID_TEMPLATE,
        );
        assert_eq!(
            hex::encode(rasn::der::encode(&rebuilt).unwrap()),
            hex::encode(&f.es10_answer)
        );
        f.smdp.handle_notification(
            &rsp::HandleNotification {
                pending_notification: rsp::PendingNotification::ProfileInstallationResult(recode(
                    &rebuilt,
                )),
                extensions: Default::default(),
            },
            None,
        );
        assert_eq!(f.smdp.order(&f.iccid).unwrap().state, OrderState::Installed);
        f.feed(IpaEvent::EsipaResponse {
            status: 204,
            body: Vec::new(),
        });
        let Es10Request::RemoveNotificationFromList(rm) = f.es10_request() else {
            panic!("{:?}", f.action)
        };
        assert_eq!(rm.seq_number, seq);
        f.card();
        assert_eq!(
            f.action,
            IpaAction::Finished(IpaOutcome::ProfileDownloaded {
                iccid: Some(id),
                transaction_id: txid,
                eim_transaction_id: Some(EIM_TID.to_vec().into()),
                installed: true,
                seq_number: seq,
                notified: true,
            })
        );
    }

    #[test]
    fn minimize_esipa_bytes_cancel_session_is_compact() {
        let mut f = Flow::compact_to_get_bpp(16);
        let txid = f.transaction_id();
        f.feed(body(
            EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(Box::new(
                GetBoundProfilePackageResponseEsipa(
                    GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageErrorEsipa(
                        GetBoundProfilePackageErrorEsipa::DOWNLOAD_ORDER_EXPIRED,
                    ),
                ),
            )),
        ));
        let Es10Request::CancelSession(_) = f.es10_request() else {
            panic!("{:?}", f.action)
        };
        f.card();
        let full: CancelSessionResponse = rasn::der::decode(&f.es10_answer).unwrap();
        let CancelSessionResponseChoice::CancelSessionResponseOk(full) = full.0 else {
            panic!("{full:?}")
        };
        let EsipaMessageFromIpaToEim::CancelSessionRequestEsipa(r) = f.esipa_request() else {
            panic!("{:?}", f.action)
        };
        assert_eq!(r.transaction_id, txid);
        let CancelSessionResponseChoice::CompactCancelSessionResponseOk(c) =
            &r.cancel_session_response.0
        else {
            panic!("{:?}", r.cancel_session_response)
        };
        assert_eq!(
            c.compact_euicc_cancel_session_signed.reason,
            Some(CancelSessionReason::UNDEFINED_REASON)
        );
        assert_eq!(
            c.euicc_cancel_session_signature,
            full.euicc_cancel_session_signature
        );
        // The eIM rebuilds it (transactionId and smdpOid of the session) and the SM-DP+
        // accepts the eUICC's signature.
        let facts = SessionFacts {
            smdp_oid: Some(full.euicc_cancel_session_signed.smdp_oid.clone()),
            ..SessionFacts::default()
        };
        let rebuilt: rsp::CancelSessionResponse =
            recode(&compact::full_cancel_session_response(c, &txid, &facts));
        assert_eq!(
            hex::encode(rasn::der::encode(&rebuilt).unwrap()),
            hex::encode(&f.es10_answer)
        );
        f.smdp
            .cancel_session(
                &rsp::CancelSessionRequestEs9 {
                    transaction_id: txid.clone(),
                    cancel_session_response: rebuilt,
                    extensions: Default::default(),
                },
                None,
            )
            .unwrap();
        f.feed(cancel_ok());
        assert_eq!(
            f.action,
            IpaAction::Finished(IpaOutcome::DownloadFailed {
                step: DownloadStep::GetBoundProfilePackage,
                reason: DownloadFailure::GetBoundProfilePackage(
                    GetBoundProfilePackageErrorEsipa::DOWNLOAD_ORDER_EXPIRED
                ),
                cancelled: true,
            })
        );
    }

    #[test]
    fn minimize_esipa_bytes_relays_euicc_errors_as_they_are() {
        let mut f = Flow::with_config(17, compact_config);
        f.card(); // GetEUICCChallenge
        f.eim(); // InitiateAuthentication
        let Es10Request::AuthenticateServer(auth) = f.es10_request() else {
            panic!("{:?}", f.action)
        };
        let txid = auth.server_signed1.transaction_id.clone();
        let error = AuthenticateServerResponse(
            AuthenticateServerResponseChoice::AuthenticateResponseError(
                rsp::AuthenticateResponseError {
                    transaction_id: txid.clone(),
                    authenticate_error_code: AuthenticateErrorCode::INVALID_SIGNATURE,
                    extensions: Default::default(),
                },
            ),
        );
        f.feed(IpaEvent::Es10Response(rasn::der::encode(&error).unwrap()));
        // The eUICC has no session: cancelSessionResponseError, relayed as it is.
        let Es10Request::CancelSession(_) = f.es10_request() else {
            panic!("{:?}", f.action)
        };
        f.card();
        let EsipaMessageFromIpaToEim::CancelSessionRequestEsipa(r) = f.esipa_request() else {
            panic!("{:?}", f.action)
        };
        let relayed = rasn::der::encode(&r.cancel_session_response).unwrap();
        assert_eq!(hex::encode(relayed), hex::encode(&f.es10_answer));
        assert!(matches!(
            r.cancel_session_response.0,
            CancelSessionResponseChoice::CancelSessionResponseError(_)
        ));
    }

    #[test]
    fn the_bound_profile_package_is_taken_with_or_without_transaction_id() {
        for (index, with_txid) in [(18, true), (19, false)] {
            let mut f = Flow::to_get_bpp(index);
            let EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(g) = f.esipa_request()
            else {
                panic!("{:?}", f.action)
            };
            let mut answer =
                f.relay(EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(g));
            if let EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(r) = &mut answer
                && let GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageOkEsipa(ok) =
                    &mut r.0
            {
                assert!(ok.transaction_id.is_some());
                if !with_txid {
                    ok.transaction_id = None;
                }
            }
            f.feed(body(answer));
            assert!(
                matches!(f.es10_request(), Es10Request::LoadBoundProfilePackage(_)),
                "with transactionId: {with_txid}"
            );
        }
    }

    #[test]
    fn the_direct_download_ignores_minimize_esipa_bytes() {
        use crate::smdp::Es9Function as F;
        fn direct_minimized(eid: [u8; 16]) -> IpaConfig {
            let mut c = direct_config(eid);
            c.capabilities
                .ipa_features
                .set(ipa_features::MINIMIZE_ESIPA_BYTES, true);
            c
        }
        let mut f = Flow::with_config(20, direct_minimized);
        assert!(matches!(f.es10_request(), Es10Request::GetEuiccInfo1(_)));
        f.card();
        f.card(); // GetEUICCChallenge
        let (_, function, json) = f.es9_request();
        assert_eq!(function, F::InitiateAuthentication);
        assert!(json["euiccInfo1"].is_string());
        f.es9();
        f.card(); // AuthenticateServer
        f.es9(); // AuthenticateClient: the SM-DP+ takes the full form
        f.card(); // PrepareDownload
        assert_eq!(f.es9_request().1, F::GetBoundProfilePackage);
        f.es9();
        f.card(); // LoadBoundProfilePackage
        assert_eq!(f.es9_request().1, F::HandleNotification);
        f.es9();
        assert_eq!(f.smdp.order(&f.iccid).unwrap().state, OrderState::Installed);
        let r = f.report();
        assert!(matches!(
            r.profile_download_trigger_result_data,
            ProfileDownloadTriggerResultData::ProfileInstallationResult(_)
        ));
    }
}
