//! The download side of the simulated eUICC (issue 6): AuthenticateServer, PrepareDownload,
//! LoadBoundProfilePackage and CancelSession driven by an SM-DP+ simulated here with the
//! harness PKI's DPauth/DPpb keys (and the SGP.26 v3 ones), every eUICC signature checked with
//! the other crypto backend (the eUICC signs with aws-lc, the test verifies with RustCrypto).

use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use proptest::prelude::*;
use rasn::types::OctetString;
use sgp32_harness::asn1::pkix::{Certificate, SubjectKeyIdentifier};
use sgp32_harness::asn1::rsp::{
    AuthenticateErrorCode, AuthenticateServerRequest, BoundProfilePackage, BppCommandId,
    BppSegment86, BppSegment87, BppSegment88, CancelSessionReason, CancelSessionRequest,
    ControlRefTemplate, CtxParams1, CtxParamsForCommonAuthentication, DeviceInfo,
    DownloadErrorCode, ErrorReason, EuiccInfo1, FinalResult, GetEuiccChallengeRequest,
    GetEuiccChallengeResponse, GetEuiccInfo1Request, Iccid, InitialiseSecureChannelRequest, Octet1,
    Octet4, Octet16, Octet32, OctetTo16, PrepareDownloadRequest, RemoteOpId, ServerSigned1,
    SmdpSigned2, TransactionId,
};
use sgp32_harness::asn1::sgp32::{
    AuthenticateResponseOk, AuthenticateServerResponse, AuthenticateServerResponseChoice,
    CancelSessionResponse, CancelSessionResponseChoice, CancelSessionResponseError,
    NotificationsSearchCriteria, PendingNotification, PrepareDownloadResponse,
    PrepareDownloadResponseChoice, ProfileInstallationResult, RetrieveNotificationsListRequest,
    RetrieveNotificationsListResponse, RetrieveNotificationsListResponseChoice, named_bits,
};
use sgp32_harness::crypto::{Backend, Curve, SigningKey, VerifyingKey, provider};
use sgp32_harness::euicc::{Euicc, Settings, TrustedCis};
use sgp32_harness::pki::Pki;
use sgp32_harness::pki::sgp26::{self, Sgp26V3};

fn pki() -> Arc<Pki> {
    static PKI: OnceLock<Arc<Pki>> = OnceLock::new();
    PKI.get_or_init(|| Arc::new(Pki::generate(21, 0).unwrap()))
        .clone()
}

/// Another PKI: its CI is trusted by nobody.
fn foreign_pki() -> Arc<Pki> {
    static PKI: OnceLock<Arc<Pki>> = OnceLock::new();
    PKI.get_or_init(|| Arc::new(Pki::generate(99, 0).unwrap()))
        .clone()
}

fn sgp26_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/certs/sgp26-v3")
}

fn der<T: rasn::Encode>(v: &T) -> Vec<u8> {
    rasn::der::encode(v).unwrap()
}

fn rc() -> &'static dyn sgp32_harness::crypto::CryptoProvider {
    provider(Backend::RustCrypto)
}

fn key(k: &p256::ecdsa::SigningKey) -> SigningKey {
    rc().signing_key_from_scalar(Curve::P256, &k.to_bytes())
        .unwrap()
}

/// The simulated SM-DP+: DPauth and DPpb keys and certificates, and its address.
struct Dp {
    auth: SigningKey,
    auth_cert: Vec<u8>,
    pb: SigningKey,
    pb_cert: Vec<u8>,
    /// The CI key identifier to name in euiccCiPKIdToBeUsed.
    ci_id: Vec<u8>,
    address: String,
}

fn ski(cert_der: &[u8]) -> Vec<u8> {
    use der::Decode;
    let c = x509_cert::Certificate::from_der(cert_der).unwrap();
    let (_, ski) = c
        .tbs_certificate()
        .get_extension::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
        .unwrap()
        .unwrap();
    ski.0.as_bytes().to_vec()
}

fn harness_dp(pki: &Pki) -> Dp {
    Dp {
        auth: key(&pki.dp_auth.key),
        auth_cert: pki.dp_auth.cert_der.clone(),
        pb: key(&pki.dp_pb.key),
        pb_cert: pki.dp_pb.cert_der.clone(),
        ci_id: ski(&pki.ci.cert_der),
        address: "smdp.harness.example".into(),
    }
}

fn sgp26_dp() -> Dp {
    let v3 = Sgp26V3::load(&sgp26_dir(), sgp26::Curve::NistP256).unwrap();
    Dp {
        auth: key(&v3.dp_auth.key.p256_signing_key().unwrap()),
        auth_cert: v3.dp_auth.cert_der.clone(),
        pb: key(&v3.dp_pb.key.p256_signing_key().unwrap()),
        pb_cert: v3.dp_pb.cert_der.clone(),
        ci_id: ski(&v3.ci_cert_der),
        address: "testsmdpplus1.example.com".into(),
    }
}

fn euicc_with(settings: Settings) -> Euicc {
    Euicc::builder(pki(), 4).settings(settings).build().unwrap()
}

fn euicc() -> Euicc {
    euicc_with(Settings::default())
}

fn call<T: rasn::Decode>(e: &mut Euicc, req: &impl rasn::Encode) -> T {
    let answer = e.handle_es10(&der(req)).unwrap();
    rasn::der::decode(&answer).unwrap()
}

fn challenge(e: &mut Euicc) -> [u8; 16] {
    let r: GetEuiccChallengeResponse = call(e, &GetEuiccChallengeRequest::default());
    let mut c = [0u8; 16];
    c.copy_from_slice(r.euicc_challenge.as_ref());
    c
}

fn tid(n: u8) -> TransactionId {
    TransactionId::new(vec![0xA5, 0x71, 0x19, n])
}

fn ctx_params(matching_id: &str) -> CtxParams1 {
    CtxParams1::CtxParamsForCommonAuthentication(CtxParamsForCommonAuthentication {
        matching_id: Some(matching_id.into()),
        device_info: DeviceInfo {
            tac: Octet4::new([0x35, 0x29, 0x06, 0x11]),
            device_capabilities: Default::default(),
            imei: None,
            extensions: Default::default(),
        },
        extensions: Default::default(),
    })
}

/// AuthenticateServerRequest signed by `dp` over DER(serverSigned1).
fn auth_request(dp: &Dp, challenge: [u8; 16], tid: TransactionId) -> AuthenticateServerRequest {
    let s1 = ServerSigned1 {
        transaction_id: tid,
        euicc_challenge: Octet16::new(challenge),
        server_address: dp.address.clone(),
        server_challenge: Octet16::new([0x5C; 16]),
        extensions: Default::default(),
    };
    let sig = dp.auth.sign(&der(&s1)).unwrap();
    AuthenticateServerRequest {
        server_signed1: s1,
        server_signature1: OctetString::from(sig.to_vec()),
        euicc_ci_pk_id_to_be_used: SubjectKeyIdentifier::new(dp.ci_id.clone()),
        server_certificate: Certificate::from_der(&dp.auth_cert).unwrap(),
        ctx_params1: ctx_params("MATCHING-ID-1"),
        extensions: Default::default(),
    }
}

fn tlv_5f37(sig: &[u8]) -> Vec<u8> {
    let mut v = vec![0x5F, 0x37, sig.len() as u8];
    v.extend_from_slice(sig);
    v
}

/// PrepareDownloadRequest signed by `dp` over DER(smdpSigned2) || euiccSignature1 TLV.
fn prepare_request(
    dp: &Dp,
    ok: &AuthenticateResponseOk,
    tid: TransactionId,
    cc: Option<[u8; 32]>,
) -> PrepareDownloadRequest {
    let s2 = SmdpSigned2 {
        transaction_id: tid,
        cc_required_flag: cc.is_some(),
        bpp_euicc_otpk: None,
        extensions: Default::default(),
    };
    let mut msg = der(&s2);
    msg.extend(tlv_5f37(&ok.euicc_signature1));
    let sig = dp.pb.sign(&msg).unwrap();
    PrepareDownloadRequest {
        smdp_signed2: s2,
        smdp_signature2: OctetString::from(sig.to_vec()),
        hash_cc: cc.map(Octet32::new),
        smdp_certificate: Certificate::from_der(&dp.pb_cert).unwrap(),
        extensions: Default::default(),
    }
}

fn auth_error(r: AuthenticateServerResponse) -> AuthenticateErrorCode {
    match r.0 {
        AuthenticateServerResponseChoice::AuthenticateResponseError(e) => e.authenticate_error_code,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn download_error(r: PrepareDownloadResponse) -> DownloadErrorCode {
    match r.0 {
        PrepareDownloadResponseChoice::DownloadResponseError(e) => e.download_error_code,
        other => panic!("expected an error, got {other:?}"),
    }
}

/// The eUICC's public key from its certificate, on the RustCrypto backend.
fn euicc_key(ok: &AuthenticateResponseOk) -> VerifyingKey {
    rc().verifying_key_from_certificate_der(&ok.euicc_certificate.to_der().unwrap())
        .unwrap()
}

/// GetEUICCChallenge + AuthenticateServer, checked to succeed.
fn authenticate(e: &mut Euicc, dp: &Dp, t: TransactionId) -> AuthenticateResponseOk {
    let c = challenge(e);
    let r: AuthenticateServerResponse = call(e, &auth_request(dp, c, t));
    match r.0 {
        AuthenticateServerResponseChoice::AuthenticateResponseOk(ok) => *ok,
        other => panic!("AuthenticateServer failed: {other:?}"),
    }
}

/// Authenticate + PrepareDownload, checked to succeed.
fn prepare(
    e: &mut Euicc,
    dp: &Dp,
    t: TransactionId,
) -> (
    AuthenticateResponseOk,
    sgp32_harness::asn1::rsp::PrepareDownloadResponseOk,
) {
    let ok1 = authenticate(e, dp, t.clone());
    let r: PrepareDownloadResponse = call(e, &prepare_request(dp, &ok1, t, None));
    match r.0 {
        PrepareDownloadResponseChoice::DownloadResponseOk(ok2) => (ok1, *ok2),
        other => panic!("PrepareDownload failed: {other:?}"),
    }
}

#[test]
fn authenticate_and_prepare_with_the_harness_pki() {
    let pki = pki();
    let dp = harness_dp(&pki);
    let mut e = euicc();
    let t = tid(1);
    let ok1 = authenticate(&mut e, &dp, t.clone());
    // euiccSignature1 over DER(euiccSigned1), with CERT.EUICC, chained EUICC -> EUM -> CI.
    let vk = euicc_key(&ok1);
    vk.verify(&der(&ok1.euicc_signed1), &ok1.euicc_signature1)
        .unwrap();
    let s1 = &ok1.euicc_signed1;
    assert_eq!(s1.transaction_id, t);
    assert_eq!(s1.server_address, "smdp.harness.example");
    assert_eq!(s1.server_challenge, Octet16::new([0x5C; 16]));
    assert_eq!(s1.ctx_params1, ctx_params("MATCHING-ID-1"));
    assert!(s1.euicc_info2.ipa_mode.is_some());
    let eid = sgp32_harness::pki::check_euicc_chain(
        &ok1.euicc_certificate.to_der().unwrap(),
        &ok1.eum_certificate.to_der().unwrap(),
        &pki.ci.cert_der,
        SystemTime::now(),
    )
    .unwrap();
    assert_eq!(eid, e.eid());
    let session = e.download_session().unwrap();
    assert_eq!(session.matching_id.as_deref(), Some("MATCHING-ID-1"));
    assert!(session.prepared.is_none());

    let r: PrepareDownloadResponse = call(&mut e, &prepare_request(&dp, &ok1, t.clone(), None));
    let PrepareDownloadResponseChoice::DownloadResponseOk(ok2) = r.0 else {
        panic!("{r:?}")
    };
    assert_eq!(ok2.euicc_signed2.transaction_id, t);
    assert_eq!(ok2.euicc_signed2.euicc_otpk.len(), 65);
    assert_eq!(ok2.euicc_signed2.euicc_otpk[0], 0x04);
    assert_eq!(ok2.euicc_signed2.hash_cc, None);
    let prepared = e.download_session().unwrap().prepared.as_ref().unwrap();
    assert_eq!(
        prepared.euicc_otsk.public_key_sec1().to_vec(),
        ok2.euicc_signed2.euicc_otpk.to_vec()
    );
}

#[test]
fn euicc_signature2_covers_the_smdp_signature2_tlv() {
    let dp = harness_dp(&pki());
    let mut e = euicc();
    let t = tid(2);
    let ok1 = authenticate(&mut e, &dp, t.clone());
    let req = prepare_request(&dp, &ok1, t.clone(), Some([0xCC; 32]));
    let r: PrepareDownloadResponse = call(&mut e, &req);
    let PrepareDownloadResponseChoice::DownloadResponseOk(ok2) = r.0 else {
        panic!("{r:?}")
    };
    let vk = euicc_key(&ok1);
    let mut msg = der(&ok2.euicc_signed2);
    msg.extend(tlv_5f37(&req.smdp_signature2));
    vk.verify(&msg, &ok2.euicc_signature2).unwrap();
    // Without the TLV it does not verify.
    assert!(
        vk.verify(&der(&ok2.euicc_signed2), &ok2.euicc_signature2)
            .is_err()
    );
    // ccRequiredFlag: hashCc is signed.
    assert_eq!(ok2.euicc_signed2.hash_cc, Some(Octet32::new([0xCC; 32])));
    // A second PrepareDownload in the same session is refused.
    let again: PrepareDownloadResponse = call(&mut e, &req);
    assert_eq!(download_error(again), DownloadErrorCode::NO_SESSION_CONTEXT);
}

#[test]
fn sgp26_v3_dpauth_and_dppb_authenticate() {
    let dp = sgp26_dp();
    let mut e = euicc();
    let t = tid(3);
    let (ok1, ok2) = prepare(&mut e, &dp, t.clone());
    euicc_key(&ok1)
        .verify(&der(&ok1.euicc_signed1), &ok1.euicc_signature1)
        .unwrap();
    assert_eq!(ok2.euicc_signed2.transaction_id, t);
    let oid = e.download_session().unwrap().smdp_oid.clone().unwrap();
    assert_eq!(oid.to_string(), "2.999.10");
    // CancelSession signs the SM-DP+ OID of CERT.DPauth.
    let r: CancelSessionResponse = call(
        &mut e,
        &CancelSessionRequest {
            transaction_id: t,
            reason: CancelSessionReason::POSTPONED,
            extensions: Default::default(),
        },
    );
    let CancelSessionResponseChoice::CancelSessionResponseOk(ok) = r.0 else {
        panic!("{r:?}")
    };
    assert_eq!(
        ok.euicc_cancel_session_signed.smdp_oid.to_string(),
        "2.999.10"
    );
}

fn b64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64"),
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| *c != b'=') {
        acc = (acc << 6) | u32::from(val(c));
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// A captured ES9+ InitiateAuthentication answer (SGP.26 DPauth): its serverSigned1,
/// serverSignature1 and serverCertificate pass the certificate and signature checks (the
/// eUICC gets as far as the challenge, which is not its own); a flipped signature byte does not.
#[test]
fn captured_initiate_authentication_answer_verifies() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/spec/vectors/es9-json/initiateAuthentication_resp.json");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let field = |n: &str| b64(json[n].as_str().unwrap());
    let s1: ServerSigned1 = rasn::der::decode(&field("serverSigned1")).unwrap();
    let sig_tlv = field("serverSignature1");
    assert_eq!(&sig_tlv[..3], [0x5F, 0x37, 0x40]);
    let ci_id = field("euiccCiPKIdToBeUsed");
    let request = |sig: &[u8]| AuthenticateServerRequest {
        server_signed1: s1.clone(),
        server_signature1: OctetString::from(sig.to_vec()),
        euicc_ci_pk_id_to_be_used: SubjectKeyIdentifier::new(ci_id[2..].to_vec()),
        server_certificate: Certificate::from_der(&field("serverCertificate")).unwrap(),
        ctx_params1: ctx_params("X"),
        extensions: Default::default(),
    };
    let mut e = euicc();
    challenge(&mut e);
    let r: AuthenticateServerResponse = call(&mut e, &request(&sig_tlv[3..]));
    assert_eq!(
        auth_error(r),
        AuthenticateErrorCode::EUICC_CHALLENGE_MISMATCH
    );
    let mut bad = sig_tlv[3..].to_vec();
    bad[5] ^= 1;
    challenge(&mut e);
    let r: AuthenticateServerResponse = call(&mut e, &request(&bad));
    assert_eq!(auth_error(r), AuthenticateErrorCode::INVALID_SIGNATURE);
}

#[test]
fn authenticate_server_errors() {
    let dp = harness_dp(&pki());
    let mut e = euicc();

    // No GetEUICCChallenge: noSessionContext.
    let r: AuthenticateServerResponse = call(&mut e, &auth_request(&dp, [0; 16], tid(1)));
    assert_eq!(auth_error(r), AuthenticateErrorCode::NO_SESSION_CONTEXT);

    // Bad serverSignature1.
    let c = challenge(&mut e);
    let mut req = auth_request(&dp, c, tid(1));
    let mut sig = req.server_signature1.to_vec();
    sig[40] ^= 0x80;
    req.server_signature1 = OctetString::from(sig);
    let r: AuthenticateServerResponse = call(&mut e, &req);
    assert_eq!(auth_error(r), AuthenticateErrorCode::INVALID_SIGNATURE);
    assert!(e.download_session().is_none());

    // Another challenge than the last one.
    let c = challenge(&mut e);
    let mut other = c;
    other[0] ^= 1;
    let r: AuthenticateServerResponse = call(&mut e, &auth_request(&dp, other, tid(1)));
    assert_eq!(
        auth_error(r),
        AuthenticateErrorCode::EUICC_CHALLENGE_MISMATCH
    );

    // The challenge is used once.
    let c = challenge(&mut e);
    let req = auth_request(&dp, c, tid(1));
    let r: AuthenticateServerResponse = call(&mut e, &req);
    assert!(matches!(
        r.0,
        AuthenticateServerResponseChoice::AuthenticateResponseOk(_)
    ));
    let r: AuthenticateServerResponse = call(&mut e, &req);
    assert_eq!(auth_error(r), AuthenticateErrorCode::NO_SESSION_CONTEXT);

    // DPauth from an untrusted CI, naming our CI: invalidCertificate.
    let foreign = harness_dp(&foreign_pki());
    let c = challenge(&mut e);
    let mut req = auth_request(&foreign, c, tid(1));
    req.euicc_ci_pk_id_to_be_used = SubjectKeyIdentifier::new(dp.ci_id.clone());
    let r: AuthenticateServerResponse = call(&mut e, &req);
    assert_eq!(auth_error(r), AuthenticateErrorCode::INVALID_CERTIFICATE);
    // ... naming its own CI: ciPKUnknown.
    let c = challenge(&mut e);
    let r: AuthenticateServerResponse = call(&mut e, &auth_request(&foreign, c, tid(1)));
    assert_eq!(auth_error(r), AuthenticateErrorCode::CI_PK_UNKNOWN);

    // A DPpb certificate (and key) used for authentication: invalidOid.
    let swapped = Dp {
        auth: dp.pb.clone(),
        auth_cert: dp.pb_cert.clone(),
        pb: dp.pb.clone(),
        pb_cert: dp.pb_cert.clone(),
        ci_id: dp.ci_id.clone(),
        address: dp.address.clone(),
    };
    let c = challenge(&mut e);
    let r: AuthenticateServerResponse = call(&mut e, &auth_request(&swapped, c, tid(1)));
    assert_eq!(auth_error(r), AuthenticateErrorCode::INVALID_OID);

    // The SGP.26 DPauth when only the own CI is trusted.
    let mut strict = euicc_with(Settings {
        trusted_cis: TrustedCis::none(),
        ..Settings::default()
    });
    let sgp26 = sgp26_dp();
    let c = challenge(&mut strict);
    let r: AuthenticateServerResponse = call(&mut strict, &auth_request(&sgp26, c, tid(1)));
    assert_eq!(auth_error(r), AuthenticateErrorCode::CI_PK_UNKNOWN);
    let c = challenge(&mut strict);
    let mut req = auth_request(&sgp26, c, tid(1));
    req.euicc_ci_pk_id_to_be_used = SubjectKeyIdentifier::new(dp.ci_id.clone());
    let r: AuthenticateServerResponse = call(&mut strict, &req);
    assert_eq!(auth_error(r), AuthenticateErrorCode::INVALID_CERTIFICATE);
}

#[test]
fn ci_lists_of_euicc_info1() {
    let dp = harness_dp(&pki());
    let mut e = euicc();
    let info: EuiccInfo1 = call(&mut e, &GetEuiccInfo1Request::default());
    let ids = |l: &[SubjectKeyIdentifier]| {
        l.iter()
            .map(|s| hex::encode_upper(s.as_ref()))
            .collect::<Vec<_>>()
    };
    let own = hex::encode_upper(&dp.ci_id);
    assert_eq!(
        ids(&info.euicc_ci_pk_id_list_for_verification),
        [
            own.clone(),
            "F54172BDF98A95D65CBEB88A38A1C11D800A85C3".into()
        ]
    );
    assert_eq!(
        ids(&info.euicc_ci_pk_id_list_for_signing),
        vec![own.clone()]
    );
    let mut strict = euicc_with(Settings {
        trusted_cis: TrustedCis::none(),
        ..Settings::default()
    });
    let info: EuiccInfo1 = call(&mut strict, &GetEuiccInfo1Request::default());
    assert_eq!(ids(&info.euicc_ci_pk_id_list_for_verification), [own]);
}

#[test]
fn prepare_download_errors() {
    let dp = harness_dp(&pki());
    let mut e = euicc();

    // No session.
    let fake = authenticate(&mut euicc(), &dp, tid(9));
    let r: PrepareDownloadResponse = call(&mut e, &prepare_request(&dp, &fake, tid(9), None));
    assert_eq!(download_error(r), DownloadErrorCode::NO_SESSION_CONTEXT);

    let t = tid(4);
    let ok1 = authenticate(&mut e, &dp, t.clone());

    // Bad smdpSignature2.
    let mut req = prepare_request(&dp, &ok1, t.clone(), None);
    let mut sig = req.smdp_signature2.to_vec();
    sig[3] ^= 1;
    req.smdp_signature2 = OctetString::from(sig);
    let r: PrepareDownloadResponse = call(&mut e, &req);
    assert_eq!(download_error(r), DownloadErrorCode::INVALID_SIGNATURE);

    // Signed over smdpSigned2 alone (without the euiccSignature1 TLV).
    let mut req = prepare_request(&dp, &ok1, t.clone(), None);
    req.smdp_signature2 =
        OctetString::from(dp.pb.sign(&der(&req.smdp_signature2)).unwrap().to_vec());
    let r: PrepareDownloadResponse = call(&mut e, &req);
    assert_eq!(download_error(r), DownloadErrorCode::INVALID_SIGNATURE);

    // Properly signed, another transactionId.
    let r: PrepareDownloadResponse = call(&mut e, &prepare_request(&dp, &ok1, tid(5), None));
    assert_eq!(download_error(r), DownloadErrorCode::INVALID_TRANSACTION_ID);

    // CERT.DPauth as smdpCertificate: not a DPpb certificate.
    let mut req = prepare_request(&dp, &ok1, t.clone(), None);
    req.smdp_certificate = Certificate::from_der(&dp.auth_cert).unwrap();
    let r: PrepareDownloadResponse = call(&mut e, &req);
    assert_eq!(download_error(r), DownloadErrorCode::INVALID_CERTIFICATE);

    // A DPpb from an untrusted CI.
    let foreign = harness_dp(&foreign_pki());
    let r: PrepareDownloadResponse =
        call(&mut e, &prepare_request(&foreign, &ok1, t.clone(), None));
    assert_eq!(download_error(r), DownloadErrorCode::INVALID_CERTIFICATE);

    // ccRequiredFlag without hashCc.
    let mut req = prepare_request(&dp, &ok1, t.clone(), Some([1; 32]));
    req.hash_cc = None;
    let r: PrepareDownloadResponse = call(&mut e, &req);
    assert_eq!(download_error(r), DownloadErrorCode::UNDEFINED_ERROR);

    // The session survived the errors.
    let r: PrepareDownloadResponse = call(&mut e, &prepare_request(&dp, &ok1, t, None));
    assert!(matches!(
        r.0,
        PrepareDownloadResponseChoice::DownloadResponseOk(_)
    ));
}

#[test]
fn cancel_session_is_signed() {
    let dp = harness_dp(&pki());
    let mut e = euicc();
    let cancel = |t: TransactionId| CancelSessionRequest {
        transaction_id: t,
        reason: CancelSessionReason::END_USER_REJECTION,
        extensions: Default::default(),
    };
    // No session.
    let r: CancelSessionResponse = call(&mut e, &cancel(tid(6)));
    assert_eq!(
        r.0,
        CancelSessionResponseChoice::CancelSessionResponseError(
            CancelSessionResponseError::INVALID_TRANSACTION_ID
        )
    );
    let t = tid(6);
    let ok1 = authenticate(&mut e, &dp, t.clone());
    // Another transaction.
    let r: CancelSessionResponse = call(&mut e, &cancel(tid(7)));
    assert_eq!(
        r.0,
        CancelSessionResponseChoice::CancelSessionResponseError(
            CancelSessionResponseError::INVALID_TRANSACTION_ID
        )
    );
    let r: CancelSessionResponse = call(&mut e, &cancel(t.clone()));
    let CancelSessionResponseChoice::CancelSessionResponseOk(ok) = r.0 else {
        panic!("{r:?}")
    };
    let signed = &ok.euicc_cancel_session_signed;
    assert_eq!(signed.transaction_id, t);
    assert_eq!(signed.reason, CancelSessionReason::END_USER_REJECTION);
    // The harness DPauth has no registeredID: the placeholder OID.
    assert_eq!(signed.smdp_oid.to_string(), "2.999");
    euicc_key(&ok1)
        .verify(&der(signed), &ok.euicc_cancel_session_signature)
        .unwrap();
    // The session is over.
    assert!(e.download_session().is_none());
    let r: CancelSessionResponse = call(&mut e, &cancel(t));
    assert!(matches!(
        r.0,
        CancelSessionResponseChoice::CancelSessionResponseError(_)
    ));
}

/// A structurally valid BPP whose smdpSign is zeros: no implementation of open_bpp accepts it.
fn unusable_bpp(t: TransactionId) -> Vec<u8> {
    let otpk = rc().generate_ecka_key().unwrap().public_key_sec1();
    der(&BoundProfilePackage {
        initialise_secure_channel_request: InitialiseSecureChannelRequest {
            remote_op_id: RemoteOpId::INSTALL_BOUND_PROFILE_PACKAGE,
            transaction_id: t,
            control_ref_template: ControlRefTemplate {
                key_type: Octet1::new([0x88]),
                key_len: Octet1::new([0x10]),
                host_id: OctetTo16::new(b"harness".to_vec()),
                extensions: Default::default(),
            },
            smdp_otpk: OctetString::from(otpk.to_vec()),
            smdp_sign: OctetString::from(vec![0u8; 64]),
            extensions: Default::default(),
        },
        first_sequence_of87: vec![BppSegment87::new(vec![0x11; 40])],
        sequence_of88: vec![BppSegment88::new(vec![0x22; 40])],
        second_sequence_of87: None,
        sequence_of86: vec![
            BppSegment86::new(vec![0x33; 300]),
            BppSegment86::new(vec![0x44; 24]),
        ],
        extensions: Default::default(),
    })
}

fn pir_error(pir: &ProfileInstallationResult) -> (BppCommandId, ErrorReason) {
    match &pir.profile_installation_result_data.final_result {
        FinalResult::ErrorResult(e) => (e.bpp_command_id, e.error_reason),
        other => panic!("expected an errorResult, got {other:?}"),
    }
}

fn retrieve(e: &mut Euicc) -> Vec<PendingNotification> {
    let r: RetrieveNotificationsListResponse = call(
        e,
        &RetrieveNotificationsListRequest {
            search_criteria: None,
            extensions: Default::default(),
        },
    );
    match r.0 {
        RetrieveNotificationsListResponseChoice::NotificationList(l) => l,
        other => panic!("{other:?}"),
    }
}

#[test]
fn load_bpp_without_a_session() {
    let dp = harness_dp(&pki());
    let mut e = euicc();
    let ok1 = authenticate(&mut euicc(), &dp, tid(1));
    let pir: ProfileInstallationResult = call(
        &mut e,
        &rasn::der::decode::<BoundProfilePackage>(&unusable_bpp(tid(8))).unwrap(),
    );
    assert_eq!(
        pir_error(&pir),
        (
            BppCommandId::INITIALISE_SECURE_CHANNEL,
            ErrorReason::INVALID_TRANSACTION_ID
        )
    );
    assert_eq!(pir.profile_installation_result_data.transaction_id, tid(8));
    // Signed like any PIR (same key as ok1's certificate: same eUICC index and PKI).
    euicc_key(&ok1)
        .verify(
            &der(&pir.profile_installation_result_data),
            pir.euicc_sign_pir.as_ref(),
        )
        .unwrap();
    assert!(e.pending().is_empty());
    // Authenticated but not prepared: the same error, and the session ends.
    authenticate(&mut e, &dp, tid(9));
    let answer = e.handle_es10(&unusable_bpp(tid(9))).unwrap();
    let pir: ProfileInstallationResult = rasn::der::decode(&answer).unwrap();
    assert_eq!(pir_error(&pir).1, ErrorReason::INVALID_TRANSACTION_ID);
    assert!(e.download_session().is_none());
}

/// The PIR of a BPP that open_bpp rejects carries open_bpp's bppCommandId and errorReason, is
/// signed over DER(ProfileInstallationResultData), kept as a notification, and installs nothing.
#[test]
fn rejected_bpp_gives_a_signed_error_pir() {
    let dp = harness_dp(&pki());
    let mut e = euicc();
    let t = tid(10);
    let (ok1, _) = prepare(&mut e, &dp, t.clone());
    let bpp = unusable_bpp(t.clone());
    let expected = {
        let s = e.download_session().unwrap();
        let prepared = s.prepared.as_ref().unwrap();
        sgp32_harness::profile::open_bpp(
            &bpp,
            &sgp32_harness::profile::OpeningParams {
                provider: rc(),
                transaction_id: &s.transaction_id,
                eid: e.eid(),
                euicc_otsk: &prepared.euicc_otsk,
                dp_pb: &prepared.dp_pb,
            },
        )
        .unwrap_err()
    };
    let profiles_before = e.profiles().len();
    let answer = e.handle_es10(&bpp).unwrap();
    let pir: ProfileInstallationResult = rasn::der::decode(&answer).unwrap();
    assert_eq!(pir_error(&pir), (expected.command, expected.reason));
    let data = &pir.profile_installation_result_data;
    assert_eq!(data.transaction_id, t);
    assert_eq!(data.notification_metadata.notification_address, dp.address);
    assert_eq!(
        data.notification_metadata.profile_management_operation,
        named_bits(&[0])
    );
    assert_eq!(data.notification_metadata.iccid, None);
    euicc_key(&ok1)
        .verify(&der(data), pir.euicc_sign_pir.as_ref())
        .unwrap();
    assert_eq!(e.profiles().len(), profiles_before);
    assert!(e.download_session().is_none());
    // Pending, retrievable (all, by seqNumber, by the install operation) and removable.
    let seq = data.notification_metadata.seq_number;
    let list = retrieve(&mut e);
    assert_eq!(
        list,
        vec![PendingNotification::ProfileInstallationResult(Box::new(
            pir.clone()
        ))]
    );
    let r: RetrieveNotificationsListResponse = call(
        &mut e,
        &RetrieveNotificationsListRequest {
            search_criteria: Some(NotificationsSearchCriteria::ProfileManagementOperation(
                named_bits(&[0]),
            )),
            extensions: Default::default(),
        },
    );
    assert_eq!(
        r.0,
        RetrieveNotificationsListResponseChoice::NotificationList(list)
    );
    let r: sgp32_harness::asn1::rsp::NotificationSentResponse = call(
        &mut e,
        &sgp32_harness::asn1::rsp::NotificationSentRequest {
            seq_number: seq,
            extensions: Default::default(),
        },
    );
    assert_eq!(
        r.delete_notification_status,
        sgp32_harness::asn1::rsp::DeleteNotificationStatus::OK
    );
    assert!(retrieve(&mut e).is_empty());
}

/// The segmented form (SGP.22 5.7.6): BF36 header with BF23, then A0, A1, A3 each on their own;
/// the intermediate segments answer nothing, the last one the PIR.
#[test]
fn segmented_bpp_is_reassembled() {
    let dp = harness_dp(&pki());
    let mut e = euicc();
    let t = tid(11);
    prepare(&mut e, &dp, t.clone());
    let bpp = unusable_bpp(t.clone());
    let outer = sgp32_harness::asn1::tlv::split(&bpp).unwrap();
    let header_len = bpp.len() - outer.content.len();
    let parts = sgp32_harness::asn1::tlv::children(outer.content);
    assert_eq!(parts.len(), 4);
    let first = [&bpp[..header_len], parts[0].whole].concat();
    assert_eq!(e.handle_es10(&first).unwrap(), Vec::<u8>::new());
    for p in &parts[1..3] {
        assert_eq!(e.handle_es10(p.whole).unwrap(), Vec::<u8>::new());
    }
    // The last part in two pieces (its header, then its segments).
    let last = parts[3].whole;
    assert_eq!(e.handle_es10(&last[..4]).unwrap(), Vec::<u8>::new());
    let answer = e.handle_es10(&last[4..]).unwrap();
    let pir: ProfileInstallationResult = rasn::der::decode(&answer).unwrap();
    assert_eq!(pir.profile_installation_result_data.transaction_id, t);
    assert!(matches!(
        pir.profile_installation_result_data.final_result,
        FinalResult::ErrorResult(_)
    ));
    // A partial BPP is abandoned by the next ES10 request.
    assert_eq!(e.handle_es10(&first).unwrap(), Vec::<u8>::new());
    let info: EuiccInfo1 = call(&mut e, &GetEuiccInfo1Request::default());
    assert_eq!(info.euicc_ci_pk_id_list_for_signing.len(), 1);
}

/// The whole download with a BPP built by the SM-DP+ side: the profile is installed disabled,
/// the PIR says success with the ISD-P AID and verifies, and it is a pending notification.
#[test]

fn downloads_and_installs_a_profile() {
    use sgp32_harness::profile::{BindingParams, build_bpp, sample_profile};
    let dp = sgp26_dp();
    let mut e = euicc();
    let t = tid(12);
    let (ok1, ok2) = prepare(&mut e, &dp, t.clone());
    let iccid = Iccid::from_digits("8949449999999990001").unwrap();
    let profile = sample_profile(iccid.clone(), "Harness profile");
    let bpp = build_bpp(
        &BindingParams {
            provider: rc(),
            transaction_id: t.clone(),
            eid: e.eid(),
            euicc_otpk: &ok2.euicc_signed2.euicc_otpk,
            dp_pb_key: &dp.pb,
            smdp_otsk: None,
            replace_session_keys: false,
            segment_size: 1020,
        },
        &profile,
    )
    .unwrap();
    let answer = e.handle_es10(&bpp).unwrap();
    let pir: ProfileInstallationResult = rasn::der::decode(&answer).unwrap();
    let data = &pir.profile_installation_result_data;
    let FinalResult::SuccessResult(ok) = &data.final_result else {
        panic!("{:?}", data.final_result)
    };
    assert_eq!(data.notification_metadata.iccid.as_ref(), Some(&iccid));
    assert_eq!(data.smdp_oid.to_string(), "2.999.10");
    euicc_key(&ok1)
        .verify(&der(data), pir.euicc_sign_pir.as_ref())
        .unwrap();
    let installed = e.profiles().iter().find(|p| p.iccid == iccid).unwrap();
    assert!(!installed.enabled);
    assert_eq!(installed.isdp_aid, ok.aid.to_vec());
    assert_eq!(installed.profile_name, profile.metadata.profile_name);
    assert_eq!(retrieve(&mut e).len(), 1);
    // The same ICCID again: iccidAlreadyExists at storeMetadata.
    let t2 = tid(13);
    let (_, ok2) = prepare(&mut e, &dp, t2.clone());
    let bpp = build_bpp(
        &BindingParams {
            provider: rc(),
            transaction_id: t2,
            eid: e.eid(),
            euicc_otpk: &ok2.euicc_signed2.euicc_otpk,
            dp_pb_key: &dp.pb,
            smdp_otsk: None,
            replace_session_keys: false,
            segment_size: 1020,
        },
        &profile,
    )
    .unwrap();
    let pir: ProfileInstallationResult = rasn::der::decode(&e.handle_es10(&bpp).unwrap()).unwrap();
    assert_eq!(
        pir_error(&pir),
        (
            BppCommandId::STORE_METADATA,
            ErrorReason::INSTALL_FAILED_DUE_TO_ICCID_ALREADY_EXISTS_ON_EUICC
        )
    );
}

/// One download-side step of a random sequence.
#[derive(Debug, Clone)]
enum Step {
    Challenge,
    Authenticate { good_challenge: bool, t: u8 },
    Prepare { t: u8, bad_sig: bool },
    Load { t: u8 },
    Cancel { t: u8 },
    Garbage(Vec<u8>),
}

fn step() -> impl Strategy<Value = Step> {
    let prefixes = prop_oneof![
        Just(vec![0xBF, 0x38]),
        Just(vec![0xBF, 0x21]),
        Just(vec![0xBF, 0x36]),
        Just(vec![0xBF, 0x41]),
        Just(vec![]),
    ];
    prop_oneof![
        2 => Just(Step::Challenge),
        2 => (any::<bool>(), 0u8..2).prop_map(|(g, t)| Step::Authenticate { good_challenge: g, t }),
        2 => (0u8..2, any::<bool>()).prop_map(|(t, b)| Step::Prepare { t, bad_sig: b }),
        1 => (0u8..2).prop_map(|t| Step::Load { t }),
        1 => (0u8..2).prop_map(|t| Step::Cancel { t }),
        2 => (prefixes, prop::collection::vec(any::<u8>(), 0..80))
            .prop_map(|(mut p, rest)| { p.extend(rest); Step::Garbage(p) }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random ES10 bytes and download functions in any order never panic, always answer a
    /// decodable response or an Es10Error, and a session exists only after a successful
    /// AuthenticateServer.
    #[test]
    fn download_functions_in_any_order_never_panic(steps in prop::collection::vec(step(), 1..14)) {
        let dp = harness_dp(&pki());
        let mut e = euicc();
        let mut last_challenge = [0u8; 16];
        let mut last_ok1: Option<AuthenticateResponseOk> = None;
        for s in steps {
            match s {
                Step::Challenge => last_challenge = challenge(&mut e),
                Step::Authenticate { good_challenge, t } => {
                    let mut c = last_challenge;
                    if !good_challenge { c[15] ^= 0xFF; }
                    let r: AuthenticateServerResponse = call(&mut e, &auth_request(&dp, c, tid(t)));
                    match r.0 {
                        AuthenticateServerResponseChoice::AuthenticateResponseOk(ok) => {
                            prop_assert!(e.download_session().is_some());
                            last_ok1 = Some(*ok);
                        }
                        _ => prop_assert!(e.download_session().is_none()),
                    }
                }
                Step::Prepare { t, bad_sig } => {
                    if let Some(ok1) = &last_ok1 {
                        let mut req = prepare_request(&dp, ok1, tid(t), None);
                        if bad_sig { req.smdp_signature2 = OctetString::from(vec![1u8; 64]); }
                        let _: PrepareDownloadResponse = call(&mut e, &req);
                    }
                }
                Step::Load { t } => {
                    let _: ProfileInstallationResult = rasn::der::decode(
                        &e.handle_es10(&unusable_bpp(tid(t))).unwrap()).unwrap();
                    prop_assert!(e.download_session().is_none());
                }
                Step::Cancel { t } => {
                    let _: CancelSessionResponse = call(&mut e, &CancelSessionRequest {
                        transaction_id: tid(t),
                        reason: CancelSessionReason::TIMEOUT,
                        extensions: Default::default(),
                    });
                }
                Step::Garbage(bytes) => {
                    let _ = e.handle_es10(&bytes);
                }
            }
        }
    }
}
