//! The simulated IPA against the reference eIM over real sockets on 127.0.0.1, with a real
//! simulated eUICC behind it (issue 5, first bullet).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sgp32_harness::asn1::rsp::Iccid;
use sgp32_harness::asn1::sgp32::*;
use sgp32_harness::crypto::Backend;
use sgp32_harness::eim::server::{EimServerOptions, RunningEim};
use sgp32_harness::eim::{EimFaults, OrderState};
use sgp32_harness::euicc::{Euicc, Profile};
use sgp32_harness::ipa::{IpaConfig, IpaDriver, IpaError, IpaMode, IpaOutcome};
use sgp32_harness::pki::Pki;

const ICCID_A: &str = "89440000000000000011";
const ICCID_B: &str = "89440000000000000022";

fn pki() -> Arc<Pki> {
    static PKI: OnceLock<Arc<Pki>> = OnceLock::new();
    PKI.get_or_init(|| Arc::new(Pki::generate(6, 0).unwrap()))
        .clone()
}

async fn start(tls: bool) -> RunningEim {
    let options = EimServerOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        tls,
        api: None,
    };
    RunningEim::start_default(&pki(), Backend::AwsLc, EimFaults::NONE, &options)
        .await
        .unwrap()
}

fn iccid(digits: &str) -> Iccid {
    Iccid::from_digits(digits).unwrap()
}

/// A device with profile A enabled and profile B disabled (both notify enable/disable), the
/// eIM added (AddInitialEim), registered at the eIM (with its certificate when `cert`).
fn device(eim: &RunningEim, index: u64, register: bool, cert: bool) -> Euicc {
    let mut euicc = Euicc::builder(pki(), index)
        .profile(
            Profile::new(iccid(ICCID_A))
                .enabled()
                .notify(&[0, 1, 2, 3], "smdp.example.com"),
        )
        .profile(Profile::new(iccid(ICCID_B)).notify(&[0, 1, 2, 3], "smdp.example.com"))
        .build()
        .unwrap();
    let add = AddInitialEimRequest {
        eim_configuration_data_list: vec![
            eim.eim().config().eim_configuration_data(Some(0), Some(-1)),
        ],
        extensions: Default::default(),
    };
    euicc
        .handle_es10(&rasn::der::encode(&add).unwrap())
        .unwrap();
    if register {
        let der = pki().euicc(index).unwrap().credential.cert_der;
        eim.eim()
            .register_euicc(euicc.eid(), Some(1), 0, cert.then_some(der))
            .unwrap();
    }
    euicc
}

fn config() -> IpaConfig {
    IpaConfig {
        retries: 2,
        backoff_base: Duration::ZERO,
        ..Default::default()
    }
}

async fn driver(eim: &RunningEim, euicc: Euicc, tls: bool) -> IpaDriver<Euicc> {
    let trust = tls.then(|| {
        sgp32_harness::transport::TlsClientConfig::trusting(vec![pki().ci.cert_der.clone()])
    });
    IpaDriver::connect(&eim.esipa_url(), trust, config(), euicc)
        .await
        .unwrap()
}

fn enabled(euicc: &Euicc) -> Vec<String> {
    euicc
        .profiles()
        .iter()
        .filter(|p| p.enabled)
        .map(|p| format!("{:?}", p.iccid))
        .collect()
}

fn enable(iccid_digits: &str, rollback: bool) -> Psmo {
    Psmo::Enable(PsmoEnable {
        iccid: iccid(iccid_digits),
        rollback_flag: rollback.then_some(()),
        extensions: Default::default(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enable_psmo_runs_the_whole_procedure_over_https() {
    let eim = start(true).await;
    let euicc = device(&eim, 1, true, true);
    let eid = euicc.eid();
    let order = eim
        .eim()
        .order_psmos(eid, vec![enable(ICCID_B, false)])
        .unwrap();
    let mut ipa = driver(&eim, euicc, true).await;
    let outcome = ipa.run_procedure().await;
    let IpaOutcome::PackageExecuted {
        counter_value,
        seq_number: Some(seq),
        acknowledged,
        removed,
        rolled_back: false,
    } = &outcome
    else {
        panic!("{outcome:?}\n{:#?}", ipa.trace())
    };
    assert_eq!(*counter_value, 1);
    assert!(
        !acknowledged.is_empty(),
        "the eIM acknowledges: {outcome:?}"
    );
    assert!(removed.contains(seq));
    let status = eim.eim().order(order).unwrap();
    assert_eq!(status.state, OrderState::Done, "{status:?}");
    assert_eq!(enabled(ipa.card()), vec![format!("{:?}", iccid(ICCID_B))]);
    assert!(
        ipa.card().pending().is_empty(),
        "notifications removed after the acks: {:?}",
        ipa.card().pending()
    );
    assert_eq!(ipa.ipa().eid(), Some(*eid.as_bcd()), "EID read via GetEID");
    // The trace holds both interfaces, starting with GetEID then GetEimPackage.
    let trace = ipa.trace();
    assert_eq!(trace[0].interface, "ES10");
    assert!(trace[0].hex.starts_with("bf3e"));
    assert!(
        trace
            .iter()
            .any(|e| e.direction == "ipa->eim" && e.hex.starts_with("bf4f"))
    );
    assert!(
        trace
            .iter()
            .any(|e| e.direction == "ipa->eim" && e.hex.starts_with("bf50"))
    );
    assert_eq!(ipa.client().connections_opened(), 1);
    assert_eq!(ipa.run_procedure().await, IpaOutcome::NothingToDo);
    eim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_orders_are_three_procedures_then_idle() {
    let eim = start(false).await;
    let euicc = device(&eim, 2, true, true);
    let eid = euicc.eid();
    let mut orders = Vec::new();
    for _ in 0..3 {
        let rat = Psmo::GetRat(PsmoEmpty::default());
        orders.push(eim.eim().order_psmos(eid, vec![rat]).unwrap());
    }
    let mut ipa = driver(&eim, euicc, false).await;
    let outcomes = ipa.poll_until_idle(10).await;
    assert_eq!(outcomes.len(), 4, "{outcomes:?}");
    let counters: Vec<i64> = outcomes
        .iter()
        .filter_map(|o| match o {
            IpaOutcome::PackageExecuted { counter_value, .. } => Some(*counter_value),
            _ => None,
        })
        .collect();
    assert_eq!(counters, vec![1, 2, 3]);
    assert_eq!(outcomes[3], IpaOutcome::NothingToDo);
    for order in orders {
        assert_eq!(eim.eim().order(order).unwrap().state, OrderState::Done);
    }
    assert_eq!(ipa.client().connections_opened(), 1);
    eim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_request_teaches_the_eim_the_certificate() {
    let eim = start(false).await;
    // Registered without a certificate: the eIM must learn it from ipaEuiccData.
    let euicc = device(&eim, 3, true, false);
    let eid = euicc.eid();
    let order = eim
        .eim()
        .order_euicc_data(eid, vec![0xa5, 0xa6, 0xbf, 0x20, 0xbf, 0x22, 0xa8])
        .unwrap();
    let mut ipa = driver(&eim, euicc, false).await;
    let outcome = ipa.run_procedure().await;
    assert!(
        matches!(outcome, IpaOutcome::EuiccDataProvided { .. }),
        "{outcome:?}"
    );
    let status = eim.eim().order(order).unwrap();
    assert_eq!(status.state, OrderState::Done, "{status:?}");
    // The data went out with the certificates and both euiccInfo.
    let sent = ipa
        .trace()
        .iter()
        .rfind(|e| e.direction == "ipa->eim")
        .unwrap();
    let message: EsipaMessageFromIpaToEim =
        rasn::der::decode(&hex::decode(&sent.hex).unwrap()).unwrap();
    let EsipaMessageFromIpaToEim::ProvideEimPackageResult(p) = message else {
        panic!()
    };
    let EimPackageResult::IpaEuiccDataResponse(IpaEuiccDataResponse(
        IpaEuiccDataResponseChoice::IpaEuiccData(data),
    )) = p.eim_package_result
    else {
        panic!("{:?}", p.eim_package_result)
    };
    assert!(data.eum_certificate.is_some() && data.euicc_certificate.is_some());
    assert!(data.euicc_info1.is_some() && data.euicc_info2.is_some());
    assert!(data.ipa_capabilities.is_some());
    // With the certificate learned, the eIM verifies a signed result: a PSMO goes done.
    let psmo = eim
        .eim()
        .order_psmos(eid, vec![Psmo::GetRat(PsmoEmpty::default())])
        .unwrap();
    let outcome = ipa.run_procedure().await;
    assert!(
        matches!(outcome, IpaOutcome::PackageExecuted { .. }),
        "{outcome:?}"
    );
    let status = eim.eim().order(psmo).unwrap();
    assert_eq!(status.state, OrderState::Done, "{status:?}");
    eim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unregistered_device_gets_eid_not_found() {
    let eim = start(false).await;
    let euicc = device(&eim, 4, false, false);
    let mut ipa = driver(&eim, euicc, false).await;
    assert_eq!(
        ipa.run_procedure().await,
        IpaOutcome::EimPackageError(GetEimPackageError::EID_NOT_FOUND)
    );
    assert_eq!(
        ipa.poll_until_idle(5).await,
        vec![IpaOutcome::EimPackageError(
            GetEimPackageError::EID_NOT_FOUND
        )]
    );
    eim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_delivery_failures_are_retried_then_succeed() {
    let eim = start(false).await;
    let euicc = device(&eim, 5, true, true);
    let eid = euicc.eid();
    let order = eim
        .eim()
        .order_psmos(eid, vec![enable(ICCID_B, true)])
        .unwrap();
    let mut ipa = driver(&eim, euicc, false).await;
    ipa.fail_provide_deliveries = 2; // retries = 2: the third attempt gets through
    let outcome = ipa.run_procedure().await;
    assert!(
        matches!(
            outcome,
            IpaOutcome::PackageExecuted {
                rolled_back: false,
                ..
            }
        ),
        "{outcome:?}"
    );
    let failures = ipa
        .trace()
        .iter()
        .filter(|e| e.error.as_deref() == Some("injected"))
        .count();
    assert_eq!(failures, 2);
    assert_eq!(eim.eim().order(order).unwrap().state, OrderState::Done);
    assert_eq!(enabled(ipa.card()), vec![format!("{:?}", iccid(ICCID_B))]);
    eim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undeliverable_enable_with_rollback_flag_is_rolled_back_once() {
    let eim = start(false).await;
    let euicc = device(&eim, 6, true, true);
    let eid = euicc.eid();
    let order = eim
        .eim()
        .order_psmos(eid, vec![enable(ICCID_B, true)])
        .unwrap();
    let mut ipa = driver(&eim, euicc, false).await;
    ipa.fail_provide_deliveries = 3; // 1 + 2 retries all fail
    let outcome = ipa.run_procedure().await;
    let IpaOutcome::PackageExecuted {
        rolled_back: true,
        seq_number: Some(seq),
        ..
    } = outcome
    else {
        panic!("{outcome:?}\n{:#?}", ipa.trace())
    };
    assert_eq!(
        enabled(ipa.card()),
        vec![format!("{:?}", iccid(ICCID_A))],
        "previous profile enabled again"
    );
    let rollbacks = ipa
        .trace()
        .iter()
        .filter(|e| e.direction == "ipa->euicc" && e.hex.starts_with("bf58"))
        .count();
    assert_eq!(rollbacks, 1, "ProfileRollback ran once");
    // What got delivered is the rollback's result.
    let sent = ipa
        .trace()
        .iter()
        .rfind(|e| e.direction == "ipa->eim" && e.hex.starts_with("bf50"))
        .unwrap();
    let EsipaMessageFromIpaToEim::ProvideEimPackageResult(p) =
        rasn::der::decode(&hex::decode(&sent.hex).unwrap()).unwrap()
    else {
        panic!()
    };
    let EimPackageResult::EprAndNotifications(epr) = p.eim_package_result else {
        panic!()
    };
    let EuiccPackageResultChoice::EuiccPackageResultSigned(signed) = epr.euicc_package_result.0
    else {
        panic!()
    };
    assert_eq!(signed.euicc_package_result_data_signed.seq_number, seq);
    // The simulated eUICC's rollback result carries the enable's result, then rollbackResult.
    assert!(
        matches!(
            signed.euicc_package_result_data_signed.euicc_result.last(),
            Some(EuiccResultData::RollbackResult(_))
        ),
        "{:?}",
        signed.euicc_package_result_data_signed.euicc_result
    );
    let status = eim.eim().order(order).unwrap();
    assert_ne!(status.state, OrderState::Delivered, "{status:?}");
    assert_ne!(status.state, OrderState::Queued, "{status:?}");
    eim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undelivered_result_without_rollback_flag_fails_after_retries() {
    let eim = start(false).await;
    let euicc = device(&eim, 1, true, true);
    let eid = euicc.eid();
    eim.eim()
        .order_psmos(eid, vec![enable(ICCID_B, false)])
        .unwrap();
    let mut config = config();
    config.mode = IpaMode::IpaE;
    let client =
        sgp32_harness::transport::EsipaClient::connect(&eim.esipa_url(), None, Default::default())
            .await
            .unwrap();
    let mut ipa = IpaDriver::new(config, client, euicc);
    ipa.fail_provide_deliveries = 3;
    let outcome = ipa.run_procedure().await;
    assert!(
        matches!(
            outcome,
            IpaOutcome::Failed(IpaError::Transport { attempts: 3, .. })
        ),
        "{outcome:?}"
    );
    assert_eq!(enabled(ipa.card()), vec![format!("{:?}", iccid(ICCID_B))]);
    eim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_trigger_is_refused_with_profile_download_error_for_now() {
    let eim = start(false).await;
    let euicc = device(&eim, 2, true, true);
    let eid = euicc.eid();
    let order = eim
        .eim()
        .order_download_trigger(eid, "1$smdp.example.com$MATCHING-ID".into())
        .unwrap();
    let mut ipa = driver(&eim, euicc, false).await;
    let outcomes = ipa.poll_until_idle(5).await;
    assert_eq!(
        outcomes,
        vec![IpaOutcome::DownloadTriggerRefused, IpaOutcome::NothingToDo]
    );
    let status = eim.eim().order(order).unwrap();
    assert_ne!(status.state, OrderState::Delivered, "{status:?}");
    assert_ne!(status.state, OrderState::Queued, "{status:?}");
    eim.shutdown().await;
}
