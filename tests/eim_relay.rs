//! Indirect profile download through the reference eIM (SGP.32 3.2.3.2) over real sockets on
//! 127.0.0.1: the mock SM-DP+ (ES2+ order and confirm, ES9+ JSON), the reference eIM relaying
//! ESipa over ES9+' (`--smdp ADDRESS=URL`), and a simulated eUICC driven by hand here as the
//! IPA would drive it (GetEUICCInfo1, GetEUICCChallenge, AuthenticateServer, PrepareDownload,
//! LoadBoundProfilePackage, CancelSession), ESipa through the transport's client.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use rasn::types::FixedOctetString;
use serde_json::{Value, json};
use sgp32_harness::asn1::pkix::SubjectKeyIdentifier;
use sgp32_harness::asn1::rsp::{
    AuthenticateServerRequest, CancelSessionReason, CancelSessionRequest, CtxParams1,
    CtxParamsForCommonAuthentication, DeviceInfo, EuiccInfo1, FinalResult,
    GetEuiccChallengeRequest, GetEuiccChallengeResponse, GetEuiccInfo1Request, Iccid, Octet4,
    PrepareDownloadRequest, TransactionId,
};
use sgp32_harness::asn1::sgp32::*;
use sgp32_harness::asn1::tlv;
use sgp32_harness::crypto::Backend;
use sgp32_harness::eim::server::{EimServerOptions, RunningEim};
use sgp32_harness::eim::{EimConfig, EimFault, EimFaults, OrderId, OrderState};
use sgp32_harness::euicc::Euicc;
use sgp32_harness::pki::Pki;
use sgp32_harness::smdp::server::{RunningSmdp, SmdpServerOptions};
use sgp32_harness::smdp::{
    DEFAULT_PROFILE_TYPE, OrderState as DpOrderState, SmdpConfig, sgp26_v3_dir,
};
use sgp32_harness::transport::{ClientOptions, EsipaClient, HttpClient};

const ADDRESS: &str = "testsmdpplus1.example.com";
const OTHER_ADDRESS: &str = "smdp2.harness.example";

fn pki() -> Arc<Pki> {
    static PKI: OnceLock<Arc<Pki>> = OnceLock::new();
    PKI.get_or_init(|| Arc::new(Pki::generate(31, 0).unwrap()))
        .clone()
}

struct World {
    smdp: RunningSmdp,
    other: RunningSmdp,
    eim: RunningEim,
    ipa: EsipaClient,
    euicc: Euicc,
}

async fn start_smdp(address: &str, tls: bool, harness: bool) -> RunningSmdp {
    let pki = pki();
    let config = if harness {
        SmdpConfig::from_harness_pki(&pki, Backend::RustCrypto).unwrap()
    } else {
        SmdpConfig::sgp26_default(&pki, &sgp26_v3_dir(), Backend::RustCrypto).unwrap()
    };
    let options = SmdpServerOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        tls,
        address: Some(address.into()),
    };
    RunningSmdp::start(&pki, config, &options).await.unwrap()
}

/// The SM-DP+ (SGP.26 DPauth, over HTTPS with the harness TLS certificate when `tls`), a second
/// SM-DP+ (harness PKI, HTTP), the eIM mapping both addresses, and a registered eUICC.
async fn world(faults: &[EimFault], tls: bool, index: u64) -> World {
    let pki = pki();
    let other = start_smdp(OTHER_ADDRESS, false, true).await;
    let smdp = start_smdp(ADDRESS, tls, false).await;
    let config = EimConfig::from_pki(&pki, Backend::AwsLc)
        .unwrap()
        .with_faults(faults.iter().copied().collect::<EimFaults>())
        .with_smdp(ADDRESS, smdp.base_url())
        .with_smdp(OTHER_ADDRESS, other.base_url());
    let options = EimServerOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        tls: false,
        api: None,
    };
    let eim = RunningEim::start(&pki, config, &options).await.unwrap();
    let ipa = EsipaClient::connect(&eim.esipa_url(), None, ClientOptions::default())
        .await
        .unwrap();
    let euicc = Euicc::builder(pki.clone(), index).build().unwrap();
    eim.eim()
        .register_euicc(euicc.eid(), Some(1), 0, None)
        .unwrap();
    World {
        smdp,
        other,
        eim,
        ipa,
        euicc,
    }
}

fn es10<T: rasn::Decode>(euicc: &mut Euicc, request: &impl rasn::Encode) -> T {
    let answer = euicc
        .handle_es10(&rasn::der::encode(request).unwrap())
        .unwrap();
    rasn::der::decode(&answer).unwrap()
}

/// ES2+ DownloadOrder + ConfirmOrder (release) over HTTP: (ICCID, activation code).
async fn es2_order(smdp: &RunningSmdp, eid: &str) -> (String, String) {
    let mut client = HttpClient::connect(&smdp.base_url(), tls_of(smdp), ClientOptions::default())
        .await
        .unwrap();
    let headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        (
            "X-Admin-Protocol".to_string(),
            "gsma/rsp/v2.1.0".to_string(),
        ),
    ];
    let mut post = async |function: &str, body: Value| -> Value {
        let r = client
            .request(
                "POST",
                &format!("/gsma/rsp2/es2plus/{function}"),
                &headers,
                Bytes::from(body.to_string()),
            )
            .await
            .unwrap();
        assert_eq!(r.status, 200);
        let j: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            j["header"]["functionExecutionStatus"]["status"], "Executed-Success",
            "{j}"
        );
        j
    };
    let j = post(
        "downloadOrder",
        json!({"eid": eid, "profileType": DEFAULT_PROFILE_TYPE}),
    )
    .await;
    let iccid = j["iccid"].as_str().unwrap().to_string();
    let j = post("confirmOrder", json!({"iccid": iccid, "releaseFlag": true})).await;
    (iccid, j["activationCode"].as_str().unwrap().to_string())
}

fn tls_of(smdp: &RunningSmdp) -> Option<sgp32_harness::transport::TlsClientConfig> {
    smdp.base_url().starts_with("https").then(|| {
        sgp32_harness::transport::TlsClientConfig::trusting(vec![pki().ci.cert_der.clone()])
    })
}

impl World {
    async fn esipa(
        &mut self,
        message: EsipaMessageFromIpaToEim,
    ) -> Option<EsipaMessageFromEimToIpa> {
        let r = self
            .ipa
            .post(&rasn::der::encode(&message).unwrap())
            .await
            .unwrap();
        if r.status == 204 {
            return None;
        }
        assert_eq!(r.status, 200, "{:?}", String::from_utf8_lossy(&r.body));
        Some(rasn::der::decode(&r.body).unwrap())
    }

    /// An ES2+ order at the SM-DP+ for this eUICC, the download trigger ordered at the eIM and
    /// fetched with GetEimPackage: (ICCID, activation code, eIM order, eimTransactionId).
    async fn trigger(&mut self) -> (String, String, OrderId, TransactionId) {
        let eid = self.euicc.eid();
        let (iccid, ac) = es2_order(&self.smdp, &eid.digits()).await;
        assert!(ac.starts_with(&format!("1${ADDRESS}$")), "{ac}");
        let order = self
            .eim
            .eim()
            .order_download_trigger(eid, ac.clone())
            .unwrap();
        let poll = EsipaMessageFromIpaToEim::GetEimPackageRequest(Box::new(GetEimPackageRequest {
            eid_value: FixedOctetString::from(*eid.as_bcd()),
            ..Default::default()
        }));
        let Some(EsipaMessageFromEimToIpa::GetEimPackageResponse(r)) = self.esipa(poll).await
        else {
            panic!("no GetEimPackageResponse")
        };
        let GetEimPackageResponseChoice::ProfileDownloadTriggerRequest(t) = r.0 else {
            panic!("not a download trigger: {:?}", r.0)
        };
        assert_eq!(
            t.profile_download_data,
            Some(ProfileDownloadData::ActivationCode(ac.clone()))
        );
        (iccid, ac, order, t.eim_transaction_id.unwrap())
    }

    /// GetEUICCInfo1 + GetEUICCChallenge, then ESipa InitiateAuthentication.
    async fn initiate(
        &mut self,
        eim_txid: Option<TransactionId>,
        address: &str,
    ) -> InitiateAuthenticationResponseEsipaChoice {
        let info1: EuiccInfo1 = es10(&mut self.euicc, &GetEuiccInfo1Request::default());
        let challenge: GetEuiccChallengeResponse =
            es10(&mut self.euicc, &GetEuiccChallengeRequest::default());
        let message = EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(Box::new(
            InitiateAuthenticationRequestEsipa {
                euicc_challenge: challenge.euicc_challenge,
                smdp_address: Some(address.into()),
                euicc_info1: Some(info1),
                eim_transaction_id: eim_txid,
                extensions: Default::default(),
            },
        ));
        match self.esipa(message).await {
            Some(EsipaMessageFromEimToIpa::InitiateAuthenticationResponseEsipa(r)) => r.0,
            other => panic!("not an InitiateAuthenticationResponseEsipa: {other:?}"),
        }
    }

    /// ES10b AuthenticateServer with the relayed answer, then ESipa AuthenticateClient.
    async fn authenticate(
        &mut self,
        ok: &InitiateAuthenticationOkEsipa,
        matching_id: &str,
    ) -> AuthenticateClientOkDPEsipa {
        let request = AuthenticateServerRequest {
            server_signed1: ok.server_signed1.clone(),
            server_signature1: ok.server_signature1.clone(),
            euicc_ci_pk_id_to_be_used: SubjectKeyIdentifier::new(
                ok.euicc_ci_pk_identifier_to_be_used.to_vec(),
            ),
            server_certificate: ok.server_certificate.clone(),
            ctx_params1: CtxParams1::CtxParamsForCommonAuthentication(
                CtxParamsForCommonAuthentication {
                    matching_id: Some(matching_id.into()),
                    device_info: DeviceInfo {
                        tac: Octet4::new([0x35, 0x29, 0x06, 0x11]),
                        device_capabilities: Default::default(),
                        imei: None,
                        extensions: Default::default(),
                    },
                    extensions: Default::default(),
                },
            ),
            extensions: Default::default(),
        };
        let response: AuthenticateServerResponse = es10(&mut self.euicc, &request);
        assert!(
            matches!(
                response.0,
                AuthenticateServerResponseChoice::AuthenticateResponseOk(_)
            ),
            "{response:?}"
        );
        let message = EsipaMessageFromIpaToEim::AuthenticateClientRequestEsipa(Box::new(
            AuthenticateClientRequestEsipa {
                transaction_id: ok.transaction_id.clone().unwrap(),
                authenticate_server_response: response,
                extensions: Default::default(),
            },
        ));
        match self.esipa(message).await {
            Some(EsipaMessageFromEimToIpa::AuthenticateClientResponseEsipa(r)) => match r.0 {
                AuthenticateClientResponseEsipaChoice::AuthenticateClientOkDPEsipa(ok) => *ok,
                other => panic!("AuthenticateClient failed: {other:?}"),
            },
            other => panic!("not an AuthenticateClientResponseEsipa: {other:?}"),
        }
    }

    /// ES10b PrepareDownload, then ESipa GetBoundProfilePackage: the BPP (DER).
    async fn get_bpp(&mut self, ok: &AuthenticateClientOkDPEsipa) -> Vec<u8> {
        let request = PrepareDownloadRequest {
            smdp_signed2: ok.smdp_signed2.clone(),
            smdp_signature2: ok.smdp_signature2.clone(),
            hash_cc: None,
            smdp_certificate: ok.smdp_certificate.clone(),
            extensions: Default::default(),
        };
        let response: PrepareDownloadResponse = es10(&mut self.euicc, &request);
        let message = EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(Box::new(
            GetBoundProfilePackageRequestEsipa {
                transaction_id: ok.transaction_id.clone().unwrap(),
                prepare_download_response: response,
                extensions: Default::default(),
            },
        ));
        match self.esipa(message).await {
            Some(EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(r)) => match r.0 {
                GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageOkEsipa(ok) => {
                    rasn::der::encode(&ok.bound_profile_package).unwrap()
                }
                other => panic!("GetBoundProfilePackage failed: {other:?}"),
            },
            other => panic!("not a GetBoundProfilePackageResponseEsipa: {other:?}"),
        }
    }

    /// ESipa HandleNotification with the PIR as the eUICC produced it (expects 204).
    async fn handle_notification(&mut self, pir: &[u8]) {
        let body = tlv::encode(&[0xbf, 0x3d], &tlv::encode(&[0xa0], pir));
        let r = self.ipa.post(&body).await.unwrap();
        assert_eq!(r.status, 204);
    }

    /// The whole download up to the PIR (the eUICC's answer to LoadBoundProfilePackage).
    async fn download(&mut self) -> (String, OrderId, Vec<u8>) {
        let (iccid, ac, order, eim_txid) = self.trigger().await;
        let InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationOkEsipa(ok) =
            self.initiate(Some(eim_txid), ADDRESS).await
        else {
            panic!("InitiateAuthentication failed")
        };
        let matching_id = ac.split('$').nth(2).unwrap().to_string();
        let ok2 = self.authenticate(&ok, &matching_id).await;
        let bpp = self.get_bpp(&ok2).await;
        let pir = self.euicc.handle_es10(&bpp).unwrap();
        (iccid, order, pir)
    }

    fn pir_count(&self) -> usize {
        self.smdp
            .smdp()
            .notifications()
            .iter()
            .filter(|n| n.kind == "pir")
            .count()
    }

    async fn shutdown(self) {
        self.eim.shutdown().await;
        self.smdp.shutdown().await;
        self.other.shutdown().await;
    }
}

fn initiate_error(choice: InitiateAuthenticationResponseEsipaChoice) -> i64 {
    match choice {
        InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationErrorEsipa(e) => e.0,
        other => panic!("not an error: {other:?}"),
    }
}

async fn nominal(tls: bool) {
    let mut w = world(&[], tls, 1).await;
    let (iccid, order, pir_bytes) = w.download().await;
    let pir: ProfileInstallationResult = rasn::der::decode(&pir_bytes).unwrap();
    let data = &pir.profile_installation_result_data;
    assert!(
        matches!(data.final_result, FinalResult::SuccessResult(_)),
        "{:?}",
        data.final_result
    );
    // The eUICC installed the profile the SM-DP+ prepared (disabled).
    let installed = w
        .euicc
        .profiles()
        .iter()
        .find(|p| p.iccid == Iccid::from_digits(&iccid).unwrap())
        .expect("the ordered profile is installed");
    assert!(!installed.enabled);
    assert_eq!(w.eim.eim().relay_sessions(), 1);
    assert_eq!(
        w.eim.eim().order(order).unwrap().state,
        OrderState::Delivered
    );

    w.handle_notification(&pir_bytes).await;
    // The SM-DP+ got the PIR (signature verified with the session's eUICC key).
    let notes = w.smdp.smdp().notifications();
    let n = notes.iter().find(|n| n.kind == "pir").unwrap();
    assert_eq!(n.iccid.as_deref(), Some(iccid.as_str()));
    assert_eq!(n.signature_valid, Some(true));
    assert_eq!(n.success, Some(true));
    assert_eq!(
        w.smdp.smdp().order(&iccid).unwrap().state,
        DpOrderState::Installed
    );
    // The eIM's order is done, its report names the ICCID.
    let status = w.eim.eim().order(order).unwrap();
    assert_eq!(status.state, OrderState::Done, "{status:?}");
    let report = serde_json::to_value(&status).unwrap();
    assert!(report.to_string().contains(&iccid), "{report}");
    assert_eq!(w.eim.eim().relay_sessions(), 0);
    // The other SM-DP+ saw nothing.
    assert!(w.other.smdp().notifications().is_empty());
    assert_eq!(w.other.smdp().open_sessions(), 0);

    // A late PIR (the session is gone) is still forwarded.
    w.handle_notification(&pir_bytes).await;
    assert_eq!(w.pir_count(), 2);
    w.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indirect_download_installs_the_ordered_profile() {
    nominal(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn indirect_download_to_an_https_smdp() {
    nominal(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_eim_transaction_id_is_refused() {
    let mut w = world(&[], false, 2).await;
    let (_, _, order, txid) = w.trigger().await;
    let mut wrong = txid.to_vec();
    wrong[15] ^= 1;
    assert_eq!(
        initiate_error(w.initiate(Some(TransactionId::new(wrong)), ADDRESS).await),
        52
    );
    assert_eq!(initiate_error(w.initiate(None, ADDRESS).await), 52);
    assert_eq!(w.smdp.smdp().open_sessions(), 0);
    assert_eq!(
        w.eim.eim().order(order).unwrap().state,
        OrderState::Delivered
    );
    // The right one works.
    assert!(matches!(
        w.initiate(Some(txid), ADDRESS).await,
        InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationOkEsipa(_)
    ));
    assert_eq!(w.smdp.smdp().open_sessions(), 1);
    w.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_smdp_address_is_a_mismatch() {
    let mut w = world(&[], false, 3).await;
    // The SUT profile names the SM-DP+ map.
    assert_eq!(
        w.eim.sut_profile().smdp.get(ADDRESS),
        Some(&w.smdp.base_url())
    );
    let (_, _, _, txid) = w.trigger().await;
    assert_eq!(
        initiate_error(w.initiate(Some(txid.clone()), OTHER_ADDRESS).await),
        50
    );
    assert_eq!(w.smdp.smdp().open_sessions(), 0);
    assert_eq!(w.other.smdp().open_sessions(), 0);
    w.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_session_is_relayed() {
    let mut w = world(&[], false, 4).await;
    let (iccid, ac, _, txid) = w.trigger().await;
    let InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationOkEsipa(ok) =
        w.initiate(Some(txid), ADDRESS).await
    else {
        panic!()
    };
    let ok2 = w.authenticate(&ok, ac.split('$').nth(2).unwrap()).await;
    let t = ok2.transaction_id.clone().unwrap();
    assert_eq!(w.smdp.smdp().open_sessions(), 1);
    let response: CancelSessionResponse = es10(
        &mut w.euicc,
        &CancelSessionRequest {
            transaction_id: t.clone(),
            reason: CancelSessionReason::POSTPONED,
            extensions: Default::default(),
        },
    );
    let cancel = |r: CancelSessionResponse| {
        EsipaMessageFromIpaToEim::CancelSessionRequestEsipa(Box::new(CancelSessionRequestEsipa {
            transaction_id: t.clone(),
            cancel_session_response: r,
            extensions: Default::default(),
        }))
    };
    let answer = w.esipa(cancel(response.clone())).await;
    let Some(EsipaMessageFromEimToIpa::CancelSessionResponseEsipa(r)) = answer else {
        panic!("{answer:?}")
    };
    assert!(
        matches!(r.0, CancelSessionResponseEsipaChoice::CancelSessionOk(_)),
        "{r:?}"
    );
    assert_eq!(w.smdp.smdp().open_sessions(), 0);
    assert_eq!(
        w.smdp.smdp().order(&iccid).unwrap().state,
        DpOrderState::Released
    );
    assert_eq!(w.eim.eim().relay_sessions(), 0);
    // Again: the session is gone at the eIM.
    let answer = w.esipa(cancel(response)).await;
    let Some(EsipaMessageFromEimToIpa::CancelSessionResponseEsipa(r)) = answer else {
        panic!("{answer:?}")
    };
    assert_eq!(
        r.0,
        CancelSessionResponseEsipaChoice::CancelSessionError(
            CancelSessionErrorEsipa::INVALID_TRANSACTION_ID
        )
    );
    w.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_transaction_ids_are_refused() {
    let mut w = world(&[], false, 5).await;
    let t = TransactionId::new(vec![1, 2, 3, 4]);
    let response: PrepareDownloadResponse =
        PrepareDownloadResponse(PrepareDownloadResponseChoice::DownloadResponseError(
            sgp32_harness::asn1::rsp::PrepareDownloadResponseError {
                transaction_id: t.clone(),
                download_error_code:
                    sgp32_harness::asn1::rsp::DownloadErrorCode::NO_SESSION_CONTEXT,
                extensions: Default::default(),
            },
        ));
    let answer = w
        .esipa(
            EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(Box::new(
                GetBoundProfilePackageRequestEsipa {
                    transaction_id: t,
                    prepare_download_response: response,
                    extensions: Default::default(),
                },
            )),
        )
        .await;
    let Some(EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(r)) = answer else {
        panic!("{answer:?}")
    };
    assert_eq!(
        r.0,
        GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageErrorEsipa(
            GetBoundProfilePackageErrorEsipa::INVALID_TRANSACTION_ID
        )
    );
    w.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// The relay's fault switches make the matching check fail.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_to_wrong_smdp_fails_the_download() {
    let mut w = world(&[EimFault::RelayToWrongSmdp], false, 6).await;
    let (_, _, _, txid) = w.trigger().await;
    // The other SM-DP+ is asked and refuses the address it is not.
    assert_eq!(initiate_error(w.initiate(Some(txid), ADDRESS).await), 1);
    assert_eq!(w.smdp.smdp().open_sessions(), 0);
    w.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eim_transaction_id_ignored_relays_a_wrong_one() {
    let mut w = world(&[EimFault::EimTransactionIdIgnored], false, 7).await;
    let (_, _, _, txid) = w.trigger().await;
    let mut wrong = txid.to_vec();
    wrong[15] ^= 1;
    assert!(matches!(
        w.initiate(Some(TransactionId::new(wrong)), ADDRESS).await,
        InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationOkEsipa(_)
    ));
    assert_eq!(w.smdp.smdp().open_sessions(), 1);
    w.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pir_not_forwarded_leaves_the_smdp_unaware() {
    let mut w = world(&[EimFault::PirNotForwarded], false, 8).await;
    let (iccid, order, pir) = w.download().await;
    w.handle_notification(&pir).await;
    assert_eq!(w.pir_count(), 0);
    assert_eq!(
        w.smdp.smdp().order(&iccid).unwrap().state,
        DpOrderState::Downloaded
    );
    // The eIM itself still completes its order.
    assert_eq!(w.eim.eim().order(order).unwrap().state, OrderState::Done);
    w.shutdown().await;
}
