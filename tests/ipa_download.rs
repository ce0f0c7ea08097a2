//! The IPA's indirect profile download (SGP.32 3.2.3.2) in process: the sans-IO IPA state
//! machine against a real simulated eUICC (`Euicc::handle_es10`) and a real sans-IO mock SM-DP+,
//! with a minimal test-only relay standing in for the eIM's ES9+' (it maps each ESipa request to
//! the SM-DP+'s ES9+ function and the answer back; the reference eIM does this over the network).

use std::sync::{Arc, OnceLock};

use rasn::types::BitString;
use sgp32_harness::asn1::rsp::{self, Iccid};
use sgp32_harness::asn1::sgp32::*;
use sgp32_harness::crypto::Backend;
use sgp32_harness::euicc::Euicc;
use sgp32_harness::ipa::{
    DownloadFailure, DownloadStep, Ipa, IpaAction, IpaConfig, IpaEvent, IpaOutcome,
};
use sgp32_harness::pki::Pki;
use sgp32_harness::smdp::{
    Es9Function, OrderState, Smdp, SmdpConfig, asn1_error_code, sgp26_v3_dir,
};

const ADDRESS: &str = "smdp.harness.example";

fn pki() -> Arc<Pki> {
    static PKI: OnceLock<Arc<Pki>> = OnceLock::new();
    PKI.get_or_init(|| Arc::new(Pki::generate(31, 2).unwrap()))
        .clone()
}

/// The same DER, read as the other module's type (SGP.32 forms vs SGP.22 forms).
fn recode<A: rasn::Encode, B: rasn::Decode>(a: &A) -> B {
    rasn::der::decode(&rasn::der::encode(a).unwrap()).unwrap()
}

fn answer(m: EsipaMessageFromEimToIpa) -> (u16, Vec<u8>) {
    (200, rasn::der::encode(&m).unwrap())
}

/// Test-only ES9+' relay: one ESipa request in, the HTTP status and body out.
fn relay(smdp: &Smdp, der: &[u8]) -> (u16, Vec<u8>) {
    let message: EsipaMessageFromIpaToEim = rasn::der::decode(der).unwrap();
    match message {
        EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(r) => {
            let request = rsp::InitiateAuthenticationRequest {
                euicc_challenge: r.euicc_challenge,
                smdp_address: r.smdp_address.clone().unwrap(),
                euicc_info1: r.euicc_info1.clone().unwrap(),
                extensions: Default::default(),
            };
            let choice = match smdp.initiate_authentication(&request) {
                Ok(ok) => InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationOkEsipa(
                    Box::new(InitiateAuthenticationOkEsipa {
                        transaction_id: Some(ok.transaction_id),
                        server_signed1: ok.server_signed1,
                        server_signature1: ok.server_signature1,
                        euicc_ci_pk_identifier_to_be_used: ok.euicc_ci_pk_id_to_be_used.0,
                        server_certificate: ok.server_certificate,
                        matching_id: None,
                        ctx_params1: None,
                        extensions: Default::default(),
                    }),
                ),
                Err(s) => {
                    InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationErrorEsipa(
                        InitiateAuthenticationErrorEsipa(asn1_error_code(
                            Es9Function::InitiateAuthentication,
                            &s,
                        )),
                    )
                }
            };
            answer(
                EsipaMessageFromEimToIpa::InitiateAuthenticationResponseEsipa(Box::new(
                    InitiateAuthenticationResponseEsipa(choice),
                )),
            )
        }
        EsipaMessageFromIpaToEim::AuthenticateClientRequestEsipa(r) => {
            let request = rsp::AuthenticateClientRequest {
                transaction_id: r.transaction_id.clone(),
                authenticate_server_response: recode(&r.authenticate_server_response),
                extensions: Default::default(),
            };
            let choice = match smdp.authenticate_client(&request, None) {
                Ok(ok) => AuthenticateClientResponseEsipaChoice::AuthenticateClientOkDPEsipa(
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
                Err(s) => AuthenticateClientResponseEsipaChoice::AuthenticateClientErrorEsipa(
                    AuthenticateClientErrorEsipa(asn1_error_code(
                        Es9Function::AuthenticateClient,
                        &s,
                    )),
                ),
            };
            answer(EsipaMessageFromEimToIpa::AuthenticateClientResponseEsipa(
                Box::new(AuthenticateClientResponseEsipa(choice)),
            ))
        }
        EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(r) => {
            let request = rsp::GetBoundProfilePackageRequest {
                transaction_id: r.transaction_id.clone(),
                prepare_download_response: recode(&r.prepare_download_response),
                extensions: Default::default(),
            };
            let choice = match smdp.get_bound_profile_package(&request, None) {
                Ok((transaction_id, bpp)) => {
                    GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageOkEsipa(
                        Box::new(GetBoundProfilePackageOkEsipa {
                            transaction_id: Some(transaction_id),
                            bound_profile_package: rasn::der::decode(&bpp).unwrap(),
                            extensions: Default::default(),
                        }),
                    )
                }
                Err(s) => {
                    GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageErrorEsipa(
                        GetBoundProfilePackageErrorEsipa(asn1_error_code(
                            Es9Function::GetBoundProfilePackage,
                            &s,
                        )),
                    )
                }
            };
            answer(
                EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(Box::new(
                    GetBoundProfilePackageResponseEsipa(choice),
                )),
            )
        }
        EsipaMessageFromIpaToEim::HandleNotificationEsipa(h) => {
            let HandleNotificationEsipaChoice::PendingNotification(n) = h.0 else {
                panic!("not a notification")
            };
            smdp.handle_notification(
                &rsp::HandleNotification {
                    pending_notification: recode(&*n),
                    extensions: Default::default(),
                },
                None,
            );
            (204, Vec::new())
        }
        EsipaMessageFromIpaToEim::CancelSessionRequestEsipa(r) => {
            let request = rsp::CancelSessionRequestEs9 {
                transaction_id: r.transaction_id.clone(),
                cancel_session_response: recode(&r.cancel_session_response),
                extensions: Default::default(),
            };
            let choice = match smdp.cancel_session(&request, None) {
                Ok(()) => CancelSessionResponseEsipaChoice::CancelSessionOk(Default::default()),
                Err(s) => CancelSessionResponseEsipaChoice::CancelSessionError(
                    CancelSessionErrorEsipa(asn1_error_code(Es9Function::CancelSession, &s)),
                ),
            };
            answer(EsipaMessageFromEimToIpa::CancelSessionResponseEsipa(
                Box::new(CancelSessionResponseEsipa(choice)),
            ))
        }
        other => panic!("not a download message: {other:?}"),
    }
}

struct Setup {
    smdp: Smdp,
    euicc: Euicc,
    iccid: String,
    matching_id: String,
}

fn setup(index: u64) -> Setup {
    let smdp = Smdp::new(
        SmdpConfig::sgp26_default(&pki(), &sgp26_v3_dir(), Backend::AwsLc)
            .unwrap()
            .with_address(ADDRESS),
    );
    let euicc = Euicc::builder(pki(), index).build().unwrap();
    let matching_id = format!("IPA-DL-{index}");
    let (iccid, _) = smdp.order_released(&euicc.eid(), &matching_id).unwrap();
    Setup {
        smdp,
        euicc,
        iccid,
        matching_id,
    }
}

fn ipa_config(eid: [u8; 16]) -> IpaConfig {
    let mut features = BitString::repeat(false, 6);
    features.set(1, true); // indirectRspServerCommunication
    IpaConfig {
        eid: Some(eid),
        capabilities: IpaCapabilities {
            ipa_features: features,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Runs one procedure whose GetEimPackage answer is a trigger with `activation_code`; returns
/// the outcome and every ESipa request the IPA sent.
fn run(
    smdp: &Smdp,
    euicc: &mut Euicc,
    activation_code: String,
) -> (IpaOutcome, Vec<EsipaMessageFromIpaToEim>) {
    let config = ipa_config(*euicc.eid().as_bcd());
    run_with(smdp, euicc, activation_code, config)
}

/// As [`run`] with the IPA configured by `config`.
fn run_with(
    smdp: &Smdp,
    euicc: &mut Euicc,
    activation_code: String,
    config: IpaConfig,
) -> (IpaOutcome, Vec<EsipaMessageFromIpaToEim>) {
    let mut ipa = Ipa::new(config);
    let IpaAction::SendEsipa(first) = ipa.handle(IpaEvent::StartPoll) else {
        panic!("GetEimPackage expected")
    };
    assert!(matches!(
        rasn::der::decode::<EsipaMessageFromIpaToEim>(&first).unwrap(),
        EsipaMessageFromIpaToEim::GetEimPackageRequest(_)
    ));
    let trigger = ProfileDownloadTriggerRequest {
        profile_download_data: Some(ProfileDownloadData::ActivationCode(activation_code)),
        eim_transaction_id: Some(rsp::TransactionId::from(vec![0xE1, 0x01])),
        extensions: Default::default(),
    };
    let (_, body) = answer(EsipaMessageFromEimToIpa::GetEimPackageResponse(Box::new(
        GetEimPackageResponse(GetEimPackageResponseChoice::ProfileDownloadTriggerRequest(
            Box::new(trigger),
        )),
    )));
    let mut action = ipa.handle(IpaEvent::EsipaResponse { status: 200, body });
    let mut sent = Vec::new();
    for _ in 0..100 {
        let event = match action {
            IpaAction::Finished(outcome) => return (outcome, sent),
            IpaAction::Wait(_) => IpaEvent::WaitElapsed,
            IpaAction::SendEs10(request) => match euicc.handle_es10(&request) {
                Ok(r) => IpaEvent::Es10Response(r),
                Err(e) => IpaEvent::Es10Failed(e.to_string()),
            },
            IpaAction::SendEs9 { .. } => panic!("ES9+ in an indirect download"),
            IpaAction::SendEsipa(der) => {
                sent.push(rasn::der::decode(&der).unwrap());
                let (status, body) = relay(smdp, &der);
                IpaEvent::EsipaResponse { status, body }
            }
        };
        action = ipa.handle(event);
    }
    panic!("the procedure did not finish")
}

#[test]
fn the_ipa_downloads_and_installs_the_ordered_profile_and_delivers_the_pir() {
    let Setup {
        smdp,
        mut euicc,
        iccid,
        matching_id,
    } = setup(1);
    let (outcome, sent) = run(&smdp, &mut euicc, format!("1${ADDRESS}${matching_id}"));
    let IpaOutcome::ProfileDownloaded {
        iccid: got,
        transaction_id,
        eim_transaction_id,
        installed,
        seq_number,
        notified,
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    let id = Iccid::from_digits(&iccid).unwrap();
    assert_eq!(got, Some(id.clone()));
    assert!(installed && notified);
    assert_eq!(eim_transaction_id.as_deref(), Some(&[0xE1, 0x01][..]));
    // The installed profile is the order's, disabled.
    let profile = euicc.profiles().iter().find(|p| p.iccid == id).unwrap();
    assert!(!profile.enabled);
    // The SM-DP+ got the PIR and completed the order; the PIR left the eUICC.
    let order = smdp.order(&iccid).unwrap();
    assert_eq!(order.state, OrderState::Installed);
    assert_eq!(
        order.transaction_id,
        Some(hex::encode_upper(&transaction_id))
    );
    assert_eq!(smdp.notifications().len(), 1);
    assert!(seq_number > 0);
    assert!(
        euicc.pending().iter().all(|p| p.seq_number() != seq_number),
        "PIR {seq_number} still pending"
    );
    // The ESipa sequence, full forms, the eimTransactionId and the address relayed.
    let kinds: Vec<&str> = sent
        .iter()
        .map(|m| match m {
            EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(r) => {
                assert_eq!(r.smdp_address.as_deref(), Some(ADDRESS));
                assert!(r.euicc_info1.is_some());
                assert_eq!(r.eim_transaction_id.as_deref(), Some(&[0xE1, 0x01][..]));
                "init"
            }
            EsipaMessageFromIpaToEim::AuthenticateClientRequestEsipa(_) => "auth",
            EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(_) => "bpp",
            EsipaMessageFromIpaToEim::HandleNotificationEsipa(_) => "notify",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["init", "auth", "bpp", "notify"]);
}

/// An IPA configured for ImmediateEnable (SGP.32 5.9.15) enables the new profile after
/// installing it when the eUICC allows it, and leaves it disabled when not; the PIR is delivered
/// in both cases.
#[test]
fn immediate_enable_after_installation_follows_the_euicc_configuration() {
    for configured in [true, false] {
        let Setup {
            smdp,
            mut euicc,
            iccid,
            matching_id,
        } = setup(if configured { 11 } else { 12 });
        if configured {
            let request = ConfigureImmediateProfileEnablingRequest {
                immediate_enable_flag: Some(()),
                ..Default::default()
            };
            let answer = euicc
                .handle_es10(&rasn::der::encode(&request).unwrap())
                .unwrap();
            let answer: ConfigureImmediateProfileEnablingResponse =
                rasn::der::decode(&answer).unwrap();
            assert_eq!(
                answer.config_immediate_enable_result,
                ConfigImmediateEnableResult::OK
            );
        }
        let config = IpaConfig {
            immediate_enable: true,
            ..ipa_config(*euicc.eid().as_bcd())
        };
        let (outcome, sent) = run_with(
            &smdp,
            &mut euicc,
            format!("1${ADDRESS}${matching_id}"),
            config,
        );
        assert!(
            matches!(
                outcome,
                IpaOutcome::ProfileDownloaded {
                    installed: true,
                    notified: true,
                    ..
                }
            ),
            "{outcome:?}"
        );
        let id = Iccid::from_digits(&iccid).unwrap();
        let profile = euicc.profiles().iter().find(|p| p.iccid == id).unwrap();
        assert_eq!(profile.enabled, configured, "configured: {configured}");
        assert!(matches!(
            sent.last(),
            Some(EsipaMessageFromIpaToEim::HandleNotificationEsipa(_))
        ));
        assert_eq!(smdp.order(&iccid).unwrap().state, OrderState::Installed);
    }
}

#[test]
fn a_wrong_matching_id_ends_in_download_failed_after_cancel_session() {
    let Setup {
        smdp,
        mut euicc,
        iccid,
        ..
    } = setup(2);
    let (outcome, sent) = run(&smdp, &mut euicc, format!("1${ADDRESS}$NOT-ORDERED"));
    let IpaOutcome::DownloadFailed {
        step,
        reason,
        cancelled,
    } = &outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(*step, DownloadStep::AuthenticateClient);
    assert_eq!(
        *reason,
        DownloadFailure::AuthenticateClient(AuthenticateClientErrorEsipa::MATCHING_ID_REFUSED)
    );
    // The eUICC signed the cancellation and the IPA relayed it.
    let Some(EsipaMessageFromIpaToEim::CancelSessionRequestEsipa(cancel)) = sent.last() else {
        panic!("no CancelSession: {sent:?}")
    };
    assert!(matches!(
        cancel.cancel_session_response.0,
        CancelSessionResponseChoice::CancelSessionResponseOk(_)
    ));
    assert!(*cancelled, "the SM-DP+ accepted the signed cancellation");
    let id = Iccid::from_digits(&iccid).unwrap();
    assert!(euicc.profiles().iter().all(|p| p.iccid != id));
    assert_eq!(smdp.order(&iccid).unwrap().state, OrderState::Released);
}

// ---------------------------------------------------------------------------------------------
// Direct download (SGP.32 3.2.3.1) over real sockets on 127.0.0.1: the IPA (IpaDriver, the real
// eUICC) talks ES9+ JSON to a RunningSmdp itself and reports to the reference eIM (RunningEim)
// with profileDownloadTriggerResult.

fn direct_config(eid: [u8; 16], smdp_url: String) -> IpaConfig {
    let mut features = BitString::repeat(false, 6);
    features.set(0, true); // directRspServerCommunication only
    let mut config = IpaConfig {
        eid: Some(eid),
        capabilities: IpaCapabilities {
            ipa_features: features,
            ..Default::default()
        },
        ..Default::default()
    };
    config.smdp_urls.insert(ADDRESS.to_uppercase(), smdp_url);
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_direct_download_over_http_installs_and_is_reported_to_the_eim() {
    use sgp32_harness::eim::server::{EimServerOptions, RunningEim};
    use sgp32_harness::eim::{EimConfig, OrderState as EimOrderState};
    use sgp32_harness::ipa::IpaDriver;
    use sgp32_harness::smdp::server::{RunningSmdp, SmdpServerOptions};

    let pki = pki();
    let smdp = RunningSmdp::start(
        &pki,
        SmdpConfig::sgp26_default(&pki, &sgp26_v3_dir(), Backend::AwsLc).unwrap(),
        &SmdpServerOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            tls: false,
            address: Some(ADDRESS.into()),
        },
    )
    .await
    .unwrap();
    // The eIM knows no SM-DP+: a relay attempt would fail, the download must be direct.
    let eim = RunningEim::start(
        &pki,
        EimConfig::from_pki(&pki, Backend::AwsLc).unwrap(),
        &EimServerOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            tls: false,
            api: None,
        },
    )
    .await
    .unwrap();
    let euicc = Euicc::builder(pki.clone(), 7).build().unwrap();
    let eid = euicc.eid();
    eim.eim().register_euicc(eid, Some(1), 0, None).unwrap();
    let (iccid, confirmed) = smdp.smdp().order_released(&eid, "DIRECT-7").unwrap();
    assert!(confirmed.activation_code.contains(ADDRESS));
    let order = eim
        .eim()
        .order_download_trigger(eid, confirmed.activation_code.clone())
        .unwrap();

    let config = direct_config(*eid.as_bcd(), smdp.base_url());
    let mut driver = IpaDriver::connect(&eim.esipa_url(), None, config, euicc)
        .await
        .unwrap();
    let outcome = driver.run_procedure().await;
    let IpaOutcome::ProfileDownloaded {
        iccid: got,
        installed,
        notified,
        seq_number,
        eim_transaction_id,
        ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    let id = Iccid::from_digits(&iccid).unwrap();
    assert_eq!(got, Some(id.clone()));
    assert!(installed && notified);
    assert!(eim_transaction_id.is_some());
    // The profile is installed (disabled) and the PIR left the eUICC.
    let card = driver.card();
    assert!(card.profiles().iter().any(|p| p.iccid == id && !p.enabled));
    assert!(card.pending().iter().all(|p| p.seq_number() != seq_number));
    // The SM-DP+ got the PIR from the IPA; the eIM's order is done with the PIR's result.
    assert_eq!(
        smdp.smdp().order(&iccid).unwrap().state,
        OrderState::Installed
    );
    assert_eq!(smdp.smdp().notifications().len(), 1);
    let status = eim.eim().order(order).unwrap();
    assert_eq!(status.state, EimOrderState::Done, "{status:?}");
    assert!(status.outcomes[0]["profileInstallationResult"]["successResult"].is_object());
    // ES9+ went to the SM-DP+, ESipa to the eIM: GetEimPackage and the report only.
    let es9: Vec<&str> = driver
        .trace()
        .iter()
        .filter(|t| t.direction == "smdp->ipa")
        .map(|t| {
            assert_eq!(t.status, Some(if t.hex.is_empty() { 204 } else { 200 }));
            t.interface
        })
        .collect();
    assert_eq!(es9.len(), 4, "initiate, authenticate, bpp, notification");
    let esipa = driver
        .trace()
        .iter()
        .filter(|t| t.direction == "ipa->eim")
        .count();
    assert_eq!(esipa, 2, "GetEimPackage and ProvideEimPackageResult");

    // The next poll: nothing left.
    assert_eq!(driver.run_procedure().await, IpaOutcome::NothingToDo);
    eim.shutdown().await;
    smdp.shutdown().await;
}
