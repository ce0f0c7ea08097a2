//! The mock SM-DP+ (SGP.22 v2.5 5.3 ES2+, 5.6 ES9+; SGP.32 uses ES9+ directly and the eIM
//! relays it as ES9+'), sans-IO: typed functions in, typed answers or an SGP.22 status code
//! out. The bindings are separate: [`es9_json`] (SGP.22 6.5, JSON over HTTP), [`es2`] (ES2+
//! over JSON), [`Smdp::handle_asn1`] (SGP.22 6.6, `RemoteProfileProvisioningRequest`), and
//! [`server`] puts them on sockets (`sgp32 serve smdp`).
//!
//! # Credentials ([`SmdpConfig`])
//! One or more [`DpCredentials`] sets (a CI certificate, DPauth and DPpb keys and certificates).
//! [`SmdpConfig::sgp26_default`]: the SGP.26 v3 NIST DPauth/DPpb of
//! `shared/spec/certs/sgp26-v3/` (valid to 2030), trusting eUICC chains to the SGP.26 CI and
//! to the harness PKI's CI (the SGP.26 v3 set has no eUICC keys, the harness's simulated
//! eUICCs are issued by the harness CI). [`SmdpConfig::from_harness_pki`]: the harness PKI's
//! DPauth/DPpb and CI only. TLS always uses the harness PKI's `dp_tls` (the SGP.26 DPtls
//! certificates expired on 2026-08-02).
//!
//! # ES9+ (SGP.22 5.6) — what is checked, and the status codes (subject / reason)
//! - **InitiateAuthentication** (5.6.1): `smdpAddress` must equal ours, compared
//!   case-insensitively (else 8.8.1/3.8). `euiccCiPKIdToBeUsed` is the first entry of
//!   `euiccCiPKIdListForVerification` for which we hold a DPauth certificate (else 8.8.2/3.1);
//!   **choice:** `euiccCiPKIdListForSigning` must also name at least one CI we trust for eUICC
//!   chains (else 8.8.2/3.1). A fresh 16-byte transactionId and serverChallenge;
//!   `serverSignature1` = SK.DPauth ECDSA, raw r||s, over DER(serverSigned1) (the whole '30'
//!   TLV), SGP.22 5.7.13.
//! - **AuthenticateClient** (5.6.3): unknown transactionId or a session past this step ->
//!   8.10.1/3.9; an `authenticateResponseError` from the eUICC ends the session ->
//!   8.1/3.8 (choice); euiccSigned1.transactionId different -> 8.10.1/3.9; the chain
//!   CERT.EUICC -> CERT.EUM -> a trusted CI ([`crate::pki::check_euicc_chain`]): EUM bad 8.1.2/6.1,
//!   expired 8.1.2/6.3; eUICC bad 8.1.3/6.1, expired 8.1.3/6.3; EID outside the EUM's
//!   permitted range 8.1.4/6.1; `euiccSignature1` over the euiccSigned1 TLV **as received**,
//!   or a serverChallenge other than the session's -> 8.1/6.1; `matchingId` naming no
//!   released order -> 8.2.6/3.8; an order for another EID -> 8.1.1/3.8. Answer:
//!   `profileMetaData` (the order's StoreMetadataRequest) and `smdpSigned2 {transactionId,
//!   ccRequiredFlag}`; `smdpSignature2` = SK.DPpb over DER(smdpSigned2) || the euiccSignature1
//!   TLV ('5F37' length value) — SGP.22 5.6.3 / 5.7.5 ("smdpSignature2 ... computed over
//!   smdpSigned2 and euiccSignature1"; osmo-smdpp and the ES10b.PrepareDownload check read it
//!   the same way: the '5F37' tag and length are included).
//! - **GetBoundProfilePackage** (5.6.2): unknown transactionId, a session not authenticated, or
//!   euiccSigned2.transactionId different -> 8.10.1/3.9; a `downloadResponseError` ends the
//!   session -> 8.1/3.8 (choice); `euiccSignature2` over the received euiccSigned2 TLV ||
//!   the smdpSignature2 TLV we sent (SGP.22 5.7.5: "euiccSignature2 ... over euiccSigned2
//!   and smdpSignature2"; the '5F37' tag and length included, as osmo-smdpp checks) ->
//!   8.1/6.1; with a confirmation code: `hashCc` missing 8.2.7/2.2, wrong 8.2.7/3.8 (the
//!   expected value SHA-256(SHA-256(code) || transactionId), SGP.22 3.1.3), the fourth wrong
//!   one 8.2.7/6.4 and the session ends. The BPP is [`crate::profile::build_bpp`] of the
//!   order's profile with the euiccOtpk; if it can't be built -> 8.2/3.7 (harness problem).
//! - **HandleNotification** (5.6.4): recorded ([`NotificationRecord`]); a PIR of a known
//!   session has its euiccSignPIR checked (over the received ProfileInstallationResultData)
//!   and moves the order to `installed` or `failed`; no answer body.
//! - **CancelSession** (5.6.5): unknown transactionId -> 8.10.1/3.9; the eUICC's
//!   `euiccCancelSessionSignature` over the received euiccCancelSessionSigned TLV, with the
//!   session's eUICC key once AuthenticateClient has delivered it (before that there is no key:
//!   **choice:** accepted unverified), bad -> 8.1/6.1; its transactionId different -> 8.10.1/3.9;
//!   smdpOid not ours (when our DPauth certificate names one) -> 8.8/3.10. The session ends;
//!   **choice:** the order goes back to `released`, so the download can be retried.
//!
//! # ES2+ (SGP.22 5.3) — see [`es2`]
//! Orders are keyed by ICCID; states `allocated` (DownloadOrder), `confirmed` (ConfirmOrder
//! without releaseFlag), `released` (ConfirmOrder with releaseFlag, or ReleaseProfile),
//! `downloaded` (a BPP was delivered), `installed` / `failed` (the PIR), `cancelled`
//! (CancelOrder).
//!
//! # Left out
//! SM-DS registration, ES12, CRLs, profile rebinding (`bppEuiccOtpk`), ReplaceSessionKeys,
//! order expiry, the SGP.22 v3 fields, the eIM relay and the IPA flows (elsewhere).

pub mod es2;
pub mod es9_json;
pub mod server;

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use rasn::types::{ObjectIdentifier, OctetString};
use serde::Serialize;

use crate::asn1::Extensions;
use crate::asn1::pkix::{Certificate, SubjectKeyIdentifier};
use crate::asn1::rsp::{
    AuthenticateClientError, AuthenticateClientOk, AuthenticateClientRequest,
    AuthenticateClientResponseEs9, AuthenticateServerResponse, BoundProfilePackage,
    CancelSessionError, CancelSessionOk, CancelSessionRequestEs9, CancelSessionResponse,
    CancelSessionResponseEs9, CtxParams1, FinalResult, GetBoundProfilePackageError,
    GetBoundProfilePackageOk, GetBoundProfilePackageRequest, GetBoundProfilePackageResponse,
    HandleNotification, Iccid, InitiateAuthenticationError, InitiateAuthenticationOkEs9,
    InitiateAuthenticationRequest, InitiateAuthenticationResponse, Octet16, PendingNotification,
    PrepareDownloadResponse, RemoteProfileProvisioningRequest, RemoteProfileProvisioningResponse,
    ServerSigned1, SmdpSigned2, StoreMetadataRequest, TransactionId,
};
use crate::asn1::tlv;
use crate::crypto::{Backend, CryptoProvider, Curve, SigningKey, VerifyingKey, provider};
use crate::pki::{ChainError, Eid, Pki};
use crate::profile::{BindingParams, ProfileContent};

/// The ASN.1 binding's content type (SGP.22 6.6).
pub const ASN1_CONTENT_TYPE: &str = "application/x-gsma-rsp-asn1";

/// Where the SGP.26 v3 test certificates are (the shared reference material).
pub fn sgp26_v3_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/certs/sgp26-v3")
}

/// Notifications kept ([`Smdp::notifications`]).
pub const NOTIFICATION_LOG: usize = 1024;

/// Sessions kept at most; the oldest is dropped beyond.
pub const MAX_SESSIONS: usize = 100_000;

/// Wrong confirmation codes accepted per session before 8.2.7/6.4.
pub const CC_RETRIES: u32 = 3;

/// Errors building the SM-DP+.
#[derive(Debug, thiserror::Error)]
pub enum SmdpError {
    /// The PKI material could not be loaded.
    #[error("PKI: {0}")]
    Pki(String),
    /// A key could not be used.
    #[error("crypto: {0}")]
    Crypto(String),
    /// A bad configuration value.
    #[error("configuration: {0}")]
    Config(String),
}

/// An SGP.22 status code: subject code, reason code, message (SGP.22 6.5.1.4; the table of
/// each function in 5.3 / 5.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    #[serde(rename = "subjectCode")]
    pub subject: String,
    #[serde(rename = "reasonCode")]
    pub reason: String,
    pub message: String,
}

impl Status {
    /// A status with these codes.
    pub fn new(subject: &str, reason: &str, message: impl Into<String>) -> Status {
        Status {
            subject: subject.into(),
            reason: reason.into(),
            message: message.into(),
        }
    }

    /// Whether this is `subject`/`reason`.
    pub fn is(&self, subject: &str, reason: &str) -> bool {
        self.subject == subject && self.reason == reason
    }

    fn unknown_transaction() -> Status {
        Status::new("8.10.1", "3.9", "TransactionId - Unknown")
    }
    fn euicc_signature() -> Status {
        Status::new("8.1", "6.1", "eUICC - Verification failed")
    }
}

/// One set of SM-DP+ credentials under one CI.
#[derive(Debug, Clone)]
pub struct DpCredentials {
    /// The CI certificate (DER).
    pub ci_cert_der: Vec<u8>,
    /// The CI's key identifier (its SubjectKeyIdentifier).
    pub ci_pk_id: Vec<u8>,
    /// SK.DPauth.ECDSA.
    pub dp_auth_key: SigningKey,
    /// CERT.DPauth.ECDSA (DER).
    pub dp_auth_cert_der: Vec<u8>,
    /// SK.DPpb.ECDSA.
    pub dp_pb_key: SigningKey,
    /// CERT.DPpb.ECDSA (DER).
    pub dp_pb_cert_der: Vec<u8>,
}

impl DpCredentials {
    /// The SGP.26 v3 NIST DPauth and DPpb (from `dir`, the `sgp26-v3` directory).
    pub fn sgp26_nist(dir: &Path, backend: Backend) -> Result<DpCredentials, SmdpError> {
        use crate::pki::sgp26::{Curve as Sgp26Curve, Sgp26V3};
        let v3 =
            Sgp26V3::load(dir, Sgp26Curve::NistP256).map_err(|e| SmdpError::Pki(e.to_string()))?;
        let key = |k: &crate::pki::sgp26::EcKey| -> Result<SigningKey, SmdpError> {
            let sk = k
                .p256_signing_key()
                .ok_or_else(|| SmdpError::Crypto("not a P-256 key".into()))?;
            provider(backend)
                .signing_key_from_scalar(Curve::P256, &sk.to_bytes())
                .map_err(|e| SmdpError::Crypto(e.to_string()))
        };
        DpCredentials::new(
            v3.ci_cert_der.clone(),
            key(&v3.dp_auth.key)?,
            v3.dp_auth.cert_der.clone(),
            key(&v3.dp_pb.key)?,
            v3.dp_pb.cert_der.clone(),
        )
    }

    /// The harness PKI's DPauth and DPpb.
    pub fn from_pki(pki: &Pki, backend: Backend) -> Result<DpCredentials, SmdpError> {
        let key = |c: &crate::pki::Credential| {
            provider(backend)
                .signing_key_from_scalar(Curve::P256, &c.key.to_bytes())
                .map_err(|e| SmdpError::Crypto(e.to_string()))
        };
        DpCredentials::new(
            pki.ci.cert_der.clone(),
            key(&pki.dp_auth)?,
            pki.dp_auth.cert_der.clone(),
            key(&pki.dp_pb)?,
            pki.dp_pb.cert_der.clone(),
        )
    }

    /// A set from its parts; the CI key identifier is read from the CI certificate.
    pub fn new(
        ci_cert_der: Vec<u8>,
        dp_auth_key: SigningKey,
        dp_auth_cert_der: Vec<u8>,
        dp_pb_key: SigningKey,
        dp_pb_cert_der: Vec<u8>,
    ) -> Result<DpCredentials, SmdpError> {
        let ci_pk_id = subject_key_id(&ci_cert_der).ok_or_else(|| {
            SmdpError::Config("the CI certificate has no subjectKeyIdentifier".into())
        })?;
        Ok(DpCredentials {
            ci_cert_der,
            ci_pk_id,
            dp_auth_key,
            dp_auth_cert_der,
            dp_pb_key,
            dp_pb_cert_der,
        })
    }
}

/// The SM-DP+'s configuration.
#[derive(Debug, Clone)]
pub struct SmdpConfig {
    /// Its SM-DP+ address (FQDN, or `host:port`); compared case-insensitively.
    pub address: String,
    /// The credential sets, in order of preference.
    pub credentials: Vec<DpCredentials>,
    /// CI certificates (DER) eUICC certificate chains may end at.
    pub euicc_ci_certs_der: Vec<Vec<u8>>,
    /// Profile types DownloadOrder accepts (each gives the sample profile).
    pub profile_types: Vec<String>,
    /// The first 18 digits of the ICCIDs of the pool minus the counter (`Smdp::next_iccid` appends the counter).
    pub iccid_prefix: String,
    /// Largest plaintext per profile element segment of a BPP.
    pub segment_size: usize,
    /// Crypto backend.
    pub backend: Backend,
    /// Bind packages with ReplaceSessionKeys (SGP.22 5.5.3: fresh PPK-ENC/PPK-MAC protect the
    /// profile elements instead of the session keys). Default false.
    pub replace_session_keys: bool,
}

impl SmdpConfig {
    /// The default: SGP.26 v3 NIST DPauth/DPpb from `sgp26_dir`; eUICC chains may end at the
    /// SGP.26 CI or at the harness PKI's CI; address `localhost`.
    pub fn sgp26_default(
        pki: &Pki,
        sgp26_dir: &Path,
        backend: Backend,
    ) -> Result<SmdpConfig, SmdpError> {
        let creds = DpCredentials::sgp26_nist(sgp26_dir, backend)?;
        let trust = vec![creds.ci_cert_der.clone(), pki.ci.cert_der.clone()];
        Ok(SmdpConfig::with(vec![creds], trust, backend))
    }

    /// Everything from the harness PKI (its CI, DPauth, DPpb).
    pub fn from_harness_pki(pki: &Pki, backend: Backend) -> Result<SmdpConfig, SmdpError> {
        let creds = DpCredentials::from_pki(pki, backend)?;
        Ok(SmdpConfig::with(
            vec![creds],
            vec![pki.ci.cert_der.clone()],
            backend,
        ))
    }

    fn with(credentials: Vec<DpCredentials>, trust: Vec<Vec<u8>>, backend: Backend) -> SmdpConfig {
        SmdpConfig {
            address: "localhost".into(),
            credentials,
            euicc_ci_certs_der: trust,
            profile_types: vec![DEFAULT_PROFILE_TYPE.into()],
            iccid_prefix: "894900990000000".into(),
            segment_size: 1020,
            backend,
            replace_session_keys: false,
        }
    }

    /// With this SM-DP+ address.
    pub fn with_address(mut self, address: impl Into<String>) -> SmdpConfig {
        self.address = address.into();
        self
    }
}

/// The profile type of the sample profile.
pub const DEFAULT_PROFILE_TYPE: &str = "sgp32-harness-sample";

/// An order's state (SGP.22 5.3 ES2+).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum OrderState {
    /// DownloadOrder done.
    Allocated,
    /// ConfirmOrder without releaseFlag.
    Confirmed,
    /// Released: the eUICC may download it.
    Released,
    /// A BPP was delivered.
    Downloaded,
    /// The PIR reported success.
    Installed,
    /// The PIR reported an error.
    Failed,
    /// CancelOrder.
    Cancelled,
}

/// One order (keyed by ICCID).
#[derive(Debug, Clone)]
pub struct Order {
    pub iccid: String,
    pub eid: Option<Eid>,
    pub profile_type: Option<String>,
    pub matching_id: Option<String>,
    pub confirmation_code: Option<String>,
    pub state: OrderState,
    pub profile: ProfileContent,
    /// The last session that downloaded it.
    pub transaction_id: Option<Vec<u8>>,
}

/// What [`Smdp::order`] reports about an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderStatus {
    pub iccid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eid: Option<String>,
    #[serde(rename = "matchingId", skip_serializing_if = "Option::is_none")]
    pub matching_id: Option<String>,
    pub state: OrderState,
    #[serde(rename = "transactionId", skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
}

/// A notification received in HandleNotification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationRecord {
    /// `pir` or `other`.
    pub kind: &'static str,
    #[serde(rename = "seqNumber")]
    pub seq_number: i64,
    #[serde(rename = "notificationAddress")]
    pub notification_address: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iccid: Option<String>,
    /// PIR: its transactionId (hex).
    #[serde(rename = "transactionId", skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
    /// PIR: successResult.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub success: Option<bool>,
    /// Whether the signature verified; None when no key was known for it.
    #[serde(rename = "signatureValid", skip_serializing_if = "Option::is_none")]
    pub signature_valid: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Initiated,
    Authenticated,
    Bound,
}

struct Session {
    server_challenge: [u8; 16],
    creds: usize,
    stage: Stage,
    eid: Option<Eid>,
    euicc_key: Option<VerifyingKey>,
    order_iccid: Option<String>,
    smdp_signature2_tlv: Vec<u8>,
    cc_failures: u32,
}

#[derive(Default)]
struct State {
    orders: HashMap<String, Order>,
    matching_ids: HashMap<String, String>,
    sessions: HashMap<Vec<u8>, Session>,
    session_order: VecDeque<Vec<u8>>,
    notifications: VecDeque<NotificationRecord>,
    next_iccid: u64,
    next_matching_id: u64,
}

/// The mock SM-DP+.
pub struct Smdp {
    config: SmdpConfig,
    crypto: &'static dyn CryptoProvider,
    state: Mutex<State>,
}

/// The ES9+ functions (SGP.22 5.6), for the bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Es9Function {
    InitiateAuthentication,
    AuthenticateClient,
    GetBoundProfilePackage,
    HandleNotification,
    CancelSession,
}

impl Es9Function {
    /// From the last segment of the JSON binding's path (SGP.22 6.5.2).
    pub fn from_path_name(name: &str) -> Option<Es9Function> {
        Some(match name {
            "initiateAuthentication" => Es9Function::InitiateAuthentication,
            "authenticateClient" => Es9Function::AuthenticateClient,
            "getBoundProfilePackage" => Es9Function::GetBoundProfilePackage,
            "handleNotification" => Es9Function::HandleNotification,
            "cancelSession" => Es9Function::CancelSession,
            _ => return None,
        })
    }
}

/// What the ASN.1 binding answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Asn1Answer {
    /// A `RemoteProfileProvisioningResponse` (HTTP 200).
    Message(Vec<u8>),
    /// HandleNotification (HTTP 204).
    NoContent,
    /// Not a `RemoteProfileProvisioningRequest` (HTTP 400).
    Undecodable(String),
}

fn random16() -> [u8; 16] {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        // No OS randomness: fall back to the clock and a counter (a mock server only).
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let t = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        b = crate::crypto::sha256(&[t.to_be_bytes().as_slice(), &n.to_be_bytes()].concat())[..16]
            .try_into()
            .unwrap_or([0; 16]);
    }
    b
}

/// The subjectKeyIdentifier of a certificate (DER), if it has one.
pub fn subject_key_id(cert_der: &[u8]) -> Option<Vec<u8>> {
    extension_value(cert_der, "2.5.29.14").and_then(|v| {
        let t = tlv::split(&v).ok()?;
        (t.tag == [0x04]).then(|| t.content.to_vec())
    })
}

/// The first registeredID ('88') of a certificate's subjectAltName (the SM-DP+ OID, SGP.22
/// 4.5.2.1), as OID content octets.
fn san_registered_id(cert_der: &[u8]) -> Option<Vec<u8>> {
    let v = extension_value(cert_der, "2.5.29.17")?;
    let seq = tlv::split(&v).ok()?;
    tlv::children(seq.content)
        .into_iter()
        .find(|c| c.tag == [0x88])
        .map(|c| c.content.to_vec())
}

fn extension_value(cert_der: &[u8], oid: &str) -> Option<Vec<u8>> {
    use der::Decode;
    let cert = x509_cert::Certificate::from_der(cert_der).ok()?;
    let exts = cert.tbs_certificate().extensions()?;
    exts.iter()
        .find(|e| e.extn_id.to_string() == oid)
        .map(|e| e.extn_value.as_bytes().to_vec())
}

/// The element of `bytes` reached by following `path`: each step names the tag of a TLV in
/// the current content (the first with that tag); returns that TLV whole.
fn find_tlv<'a>(bytes: &'a [u8], path: &[&[u8]]) -> Option<&'a [u8]> {
    let mut current = tlv::split(bytes).ok()?;
    for (i, tag) in path.iter().enumerate() {
        if i == 0 {
            if current.tag != *tag {
                return None;
            }
            continue;
        }
        current = tlv::children(current.content)
            .into_iter()
            .find(|c| c.tag == *tag)?;
    }
    Some(current.whole)
}

/// The signed part ('30' TLV, first element) of a `[n] CHOICE { ok SEQUENCE {30.., 5F37 ..} }`
/// as received: `choice_tlv` is 'BF38 A0 ...', 'BF21 A0 ...' or 'BF41 A0 ...'.
pub fn received_signed_part(choice_tlv: &[u8]) -> Option<&[u8]> {
    let outer = tlv::split(choice_tlv).ok()?;
    let ok = tlv::split(outer.content).ok()?;
    if ok.tag != [0xa0] {
        return None;
    }
    let first = tlv::children(ok.content).into_iter().next()?;
    (first.tag == [0x30]).then_some(first.whole)
}

fn sig_tlv(sig: &[u8]) -> Vec<u8> {
    tlv::encode(&[0x5f, 0x37], sig)
}

fn der<T: rasn::Encode>(v: &T) -> Result<Vec<u8>, Status> {
    rasn::der::encode(v).map_err(|e| Status::new("8.2", "3.7", format!("encoding: {e}")))
}

/// Luhn check digit of `digits`.
fn luhn(digits: &str) -> u8 {
    let mut sum = 0u32;
    for (i, d) in digits.bytes().rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if i % 2 == 0 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    ((10 - sum % 10) % 10) as u8
}

/// The profile an order downloads: the sample profile with the metadata fixed to the order's
/// ICCID (and a name and service provider when the sample has none).
pub fn order_profile(iccid: &Iccid, name: &str) -> ProfileContent {
    let mut p = crate::profile::sample_profile(iccid.clone(), name);
    p.iccid = iccid.clone();
    p.metadata.iccid = iccid.clone();
    if p.metadata.profile_name.is_empty() {
        p.metadata.profile_name = name.into();
    }
    if p.metadata.service_provider_name.is_empty() {
        p.metadata.service_provider_name = "sgp32-harness".into();
    }
    p
}

impl Smdp {
    /// An SM-DP+ with `config`; no orders, no sessions.
    pub fn new(config: SmdpConfig) -> Smdp {
        let crypto = provider(config.backend);
        Smdp {
            config,
            crypto,
            state: Mutex::new(State::default()),
        }
    }

    /// Its configuration.
    pub fn config(&self) -> &SmdpConfig {
        &self.config
    }

    /// Its SM-DP+ address.
    pub fn address(&self) -> &str {
        &self.config.address
    }

    /// The activation code of a matching id (SGP.22 4.1: `1$ADDRESS$MATCHINGID`).
    pub fn activation_code(&self, matching_id: &str) -> String {
        format!("1${}${}", self.config.address, matching_id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// An order's status.
    pub fn order(&self, iccid: &str) -> Option<OrderStatus> {
        let st = self.lock();
        st.orders.get(iccid).map(order_status)
    }

    /// The notifications received (oldest first, at most [`NOTIFICATION_LOG`]).
    pub fn notifications(&self) -> Vec<NotificationRecord> {
        self.lock().notifications.iter().cloned().collect()
    }

    /// The number of open sessions.
    pub fn open_sessions(&self) -> usize {
        self.lock().sessions.len()
    }

    /// The next ICCID of the pool: `iccid_prefix`, a counter to 18 digits, the Luhn digit
    /// (19 digits).
    fn next_iccid(&self, st: &mut State) -> Option<String> {
        let prefix = &self.config.iccid_prefix;
        let width = 18usize.checked_sub(prefix.len())?;
        loop {
            st.next_iccid += 1;
            let body = format!("{prefix}{:0width$}", st.next_iccid);
            if body.len() != 18 {
                return None;
            }
            let digits = format!("{body}{}", luhn(&body));
            if !st.orders.contains_key(&digits) {
                return Some(digits);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // ES9+
    // -----------------------------------------------------------------------------------------

    /// SGP.22 5.6.1 ES9+.InitiateAuthentication.
    pub fn initiate_authentication(
        &self,
        req: &InitiateAuthenticationRequest,
    ) -> Result<InitiateAuthenticationOkEs9, Status> {
        if !req.smdp_address.eq_ignore_ascii_case(&self.config.address) {
            return Err(Status::new("8.8.1", "3.8", "Invalid SM-DP+ Address"));
        }
        let info = &req.euicc_info1;
        let creds = info
            .euicc_ci_pk_id_list_for_verification
            .iter()
            .find_map(|id| {
                self.config
                    .credentials
                    .iter()
                    .position(|c| c.ci_pk_id.as_slice() == id.as_ref())
            })
            .ok_or_else(|| {
                Status::new(
                    "8.8.2",
                    "3.1",
                    "None of the proposed Public Key Identifiers is supported by the SM-DP+",
                )
            })?;
        let signing_ok = info.euicc_ci_pk_id_list_for_signing.iter().any(|id| {
            self.config
                .euicc_ci_certs_der
                .iter()
                .any(|ci| subject_key_id(ci).as_deref() == Some(id.as_ref()))
        });
        if !signing_ok {
            return Err(Status::new(
                "8.8.2",
                "3.1",
                "None of the eUICC's CI Public Key Identifiers for signing is trusted by the SM-DP+",
            ));
        }
        let c = &self.config.credentials[creds];
        let transaction_id = random16().to_vec();
        let server_challenge = random16();
        let signed = ServerSigned1 {
            transaction_id: TransactionId::new(transaction_id.clone()),
            euicc_challenge: req.euicc_challenge.clone(),
            server_address: self.config.address.clone(),
            server_challenge: Octet16::new(server_challenge),
            extensions: Extensions::default(),
        };
        let signature = c
            .dp_auth_key
            .sign(&der(&signed)?)
            .map_err(|e| Status::new("8.8.4", "3.7", format!("signing: {e}")))?;
        let certificate: Certificate = rasn::der::decode(&c.dp_auth_cert_der)
            .map_err(|e| Status::new("8.8.4", "3.7", format!("DPauth certificate: {e}")))?;
        let mut st = self.lock();
        st.sessions.insert(
            transaction_id.clone(),
            Session {
                server_challenge,
                creds,
                stage: Stage::Initiated,
                eid: None,
                euicc_key: None,
                order_iccid: None,
                smdp_signature2_tlv: Vec::new(),
                cc_failures: 0,
            },
        );
        st.session_order.push_back(transaction_id.clone());
        while st.session_order.len() > MAX_SESSIONS {
            if let Some(old) = st.session_order.pop_front() {
                st.sessions.remove(&old);
            }
        }
        Ok(InitiateAuthenticationOkEs9 {
            transaction_id: TransactionId::new(transaction_id),
            server_signed1: signed,
            server_signature1: OctetString::from(signature.to_vec()),
            euicc_ci_pk_id_to_be_used: SubjectKeyIdentifier::new(c.ci_pk_id.clone()),
            server_certificate: certificate,
            extensions: Extensions::default(),
        })
    }

    /// SGP.22 5.6.3 ES9+.AuthenticateClient. `raw_response` is the AuthenticateServerResponse
    /// ('BF38' TLV) as received: euiccSignature1 is verified over its euiccSigned1 bytes (else
    /// over the re-encoding).
    pub fn authenticate_client(
        &self,
        req: &AuthenticateClientRequest,
        raw_response: Option<&[u8]>,
    ) -> Result<AuthenticateClientOk, Status> {
        let txid = req.transaction_id.to_vec();
        let mut st = self.lock();
        let session = st
            .sessions
            .get(&txid)
            .filter(|s| s.stage == Stage::Initiated)
            .ok_or_else(Status::unknown_transaction)?;
        let ok = match &req.authenticate_server_response {
            AuthenticateServerResponse::AuthenticateResponseOk(ok) => ok,
            AuthenticateServerResponse::AuthenticateResponseError(e) => {
                let code = e.authenticate_error_code;
                end_session(&mut st, &txid);
                return Err(Status::new(
                    "8.1",
                    "3.8",
                    format!("the eUICC refused the authentication: {code:?}"),
                ));
            }
        };
        let signed = &ok.euicc_signed1;
        if signed.transaction_id.as_ref() != txid.as_slice() {
            return Err(Status::unknown_transaction());
        }
        let euicc_der = der(&ok.euicc_certificate)?;
        let eum_der = der(&ok.eum_certificate)?;
        let eid = self.check_euicc_chain(&euicc_der, &eum_der)?;
        let key = self
            .crypto
            .verifying_key_from_certificate_der(&euicc_der)
            .map_err(|e| Status::new("8.1.3", "6.1", format!("eUICC certificate key: {e}")))?;
        let signed_bytes = match raw_response.and_then(received_signed_part) {
            Some(b) => b.to_vec(),
            None => der(signed)?,
        };
        if key.verify(&signed_bytes, &ok.euicc_signature1).is_err() {
            return Err(Status::euicc_signature());
        }
        if signed.server_challenge.as_ref() != session.server_challenge {
            return Err(Status::new(
                "8.1",
                "6.1",
                "eUICC - Verification failed (serverChallenge)",
            ));
        }
        let matching_id = match &signed.ctx_params1 {
            CtxParams1::CtxParamsForCommonAuthentication(c) => c.matching_id.clone(),
        };
        let creds = session.creds;
        let iccid = find_order(&st, matching_id.as_deref(), &eid)?;
        let order = st
            .orders
            .get(&iccid)
            .ok_or_else(|| Status::new("8.2.6", "3.8", "Matching ID - Refused"))?;
        if let Some(want) = order.eid
            && want != eid
        {
            return Err(Status::new("8.1.1", "3.8", "EID - Refused"));
        }
        let metadata: StoreMetadataRequest = order.profile.metadata.clone();
        let smdp_signed2 = SmdpSigned2 {
            transaction_id: TransactionId::new(txid.clone()),
            cc_required_flag: order.confirmation_code.is_some(),
            bpp_euicc_otpk: None,
            extensions: Extensions::default(),
        };
        let c = &self.config.credentials[creds];
        let mut data = der(&smdp_signed2)?;
        data.extend(sig_tlv(&ok.euicc_signature1));
        let signature = c
            .dp_pb_key
            .sign(&data)
            .map_err(|e| Status::new("8.2", "3.7", format!("signing: {e}")))?;
        let certificate: Certificate = rasn::der::decode(&c.dp_pb_cert_der)
            .map_err(|e| Status::new("8.2", "3.7", format!("DPpb certificate: {e}")))?;
        if let Some(s) = st.sessions.get_mut(&txid) {
            s.stage = Stage::Authenticated;
            s.eid = Some(eid);
            s.euicc_key = Some(key);
            s.order_iccid = Some(iccid.clone());
            s.smdp_signature2_tlv = sig_tlv(&signature);
        }
        if let Some(o) = st.orders.get_mut(&iccid) {
            o.transaction_id = Some(txid.clone());
        }
        Ok(AuthenticateClientOk {
            transaction_id: TransactionId::new(txid),
            profile_meta_data: metadata,
            smdp_signed2,
            smdp_signature2: OctetString::from(signature.to_vec()),
            smdp_certificate: certificate,
            extensions: Extensions::default(),
        })
    }

    /// SGP.22 4.5.2.1.0.2: the eUICC chain must end at one of the trusted CIs.
    fn check_euicc_chain(&self, euicc: &[u8], eum: &[u8]) -> Result<Eid, Status> {
        let mut best: Option<(u8, ChainError)> = None;
        for ci in &self.config.euicc_ci_certs_der {
            match crate::pki::check_euicc_chain(euicc, eum, ci, SystemTime::now()) {
                Ok(eid) => return Ok(eid),
                Err(e) => {
                    // Errors about the EUM -> CI link mean "not this CI": least informative.
                    let rank = match &e {
                        ChainError::IssuerMismatch { which, .. }
                        | ChainError::BadSignature { which }
                            if which == "EUM" =>
                        {
                            0
                        }
                        _ => 1,
                    };
                    if best.as_ref().is_none_or(|(r, _)| rank > *r) {
                        best = Some((rank, e));
                    }
                }
            }
        }
        Err(match best {
            None => Status::new("8.11.1", "3.9", "CI Public Key - Unknown"),
            Some((_, e)) => chain_status(&e),
        })
    }

    /// SGP.22 5.6.2 ES9+.GetBoundProfilePackage. `raw_response` is the PrepareDownloadResponse
    /// ('BF21' TLV) as received. Returns the answer and the BPP's DER.
    pub fn get_bound_profile_package(
        &self,
        req: &GetBoundProfilePackageRequest,
        raw_response: Option<&[u8]>,
    ) -> Result<(TransactionId, Vec<u8>), Status> {
        let txid = req.transaction_id.to_vec();
        let mut st = self.lock();
        let session = st
            .sessions
            .get(&txid)
            .filter(|s| s.stage == Stage::Authenticated)
            .ok_or_else(Status::unknown_transaction)?;
        let ok = match &req.prepare_download_response {
            PrepareDownloadResponse::DownloadResponseOk(ok) => ok,
            PrepareDownloadResponse::DownloadResponseError(e) => {
                let code = e.download_error_code;
                end_session(&mut st, &txid);
                return Err(Status::new(
                    "8.1",
                    "3.8",
                    format!("the eUICC refused the download: {code:?}"),
                ));
            }
        };
        let signed = &ok.euicc_signed2;
        if signed.transaction_id.as_ref() != txid.as_slice() {
            return Err(Status::unknown_transaction());
        }
        let mut data = match raw_response.and_then(received_signed_part) {
            Some(b) => b.to_vec(),
            None => der(signed)?,
        };
        data.extend(&session.smdp_signature2_tlv);
        let valid = session
            .euicc_key
            .as_ref()
            .is_some_and(|k| k.verify(&data, &ok.euicc_signature2).is_ok());
        if !valid {
            return Err(Status::euicc_signature());
        }
        let (Some(iccid), Some(eid), creds) =
            (session.order_iccid.clone(), session.eid, session.creds)
        else {
            return Err(Status::unknown_transaction());
        };
        let order = st
            .orders
            .get(&iccid)
            .ok_or_else(|| Status::new("8.2.1", "3.9", "Profile ICCID - Unknown"))?;
        if let Some(code) = &order.confirmation_code {
            let expected = {
                let h = crate::crypto::sha256(code.as_bytes());
                crate::crypto::sha256(&[h.as_slice(), &txid].concat())
            };
            match &signed.hash_cc {
                None => {
                    return Err(Status::new(
                        "8.2.7",
                        "2.2",
                        "Confirmation Code - Mandatory Element Missing",
                    ));
                }
                Some(h) if h.as_ref() != expected => {
                    let failures = st.sessions.get_mut(&txid).map_or(0, |s| {
                        s.cc_failures += 1;
                        s.cc_failures
                    });
                    if failures > CC_RETRIES {
                        end_session(&mut st, &txid);
                        return Err(Status::new(
                            "8.2.7",
                            "6.4",
                            "Confirmation Code - Maximum number of retries exceeded",
                        ));
                    }
                    return Err(Status::new("8.2.7", "3.8", "Confirmation Code - Refused"));
                }
                Some(_) => {}
            }
        }
        let c = &self.config.credentials[creds];
        let params = BindingParams {
            provider: self.crypto,
            transaction_id: TransactionId::new(txid.clone()),
            eid,
            euicc_otpk: &signed.euicc_otpk,
            dp_pb_key: &c.dp_pb_key,
            smdp_otsk: None,
            replace_session_keys: self.config.replace_session_keys,
            segment_size: self.config.segment_size,
        };
        let bpp = crate::profile::build_bpp(&params, &order.profile)
            .map_err(|e| Status::new("8.2", "3.7", format!("Profile - Unavailable: {e}")))?;
        if let Some(s) = st.sessions.get_mut(&txid) {
            s.stage = Stage::Bound;
        }
        if let Some(o) = st.orders.get_mut(&iccid) {
            o.state = OrderState::Downloaded;
        }
        Ok((TransactionId::new(txid), bpp))
    }

    /// SGP.22 5.6.4 ES9+.HandleNotification. `raw` is the pendingNotification TLV as received
    /// ('BF37' or '30'), used to check the signature.
    pub fn handle_notification(&self, req: &HandleNotification, raw: Option<&[u8]>) {
        let mut st = self.lock();
        let record = match &req.pending_notification {
            PendingNotification::ProfileInstallationResult(pir) => {
                let data = &pir.profile_installation_result_data;
                let txid = data.transaction_id.to_vec();
                let success = matches!(data.final_result, FinalResult::SuccessResult(_));
                let signed = match raw.and_then(|r| find_tlv(r, &[&[0xbf, 0x37], &[0xbf, 0x27]])) {
                    Some(b) => Some(b.to_vec()),
                    None => rasn::der::encode(data).ok(),
                };
                let signature_valid = st
                    .sessions
                    .get(&txid)
                    .and_then(|s| s.euicc_key.as_ref())
                    .zip(signed)
                    .map(|(k, d)| k.verify(&d, &pir.euicc_sign_pir).is_ok());
                if signature_valid == Some(true)
                    && let Some(iccid) = st.sessions.get(&txid).and_then(|s| s.order_iccid.clone())
                {
                    if let Some(o) = st.orders.get_mut(&iccid) {
                        o.state = if success {
                            OrderState::Installed
                        } else {
                            OrderState::Failed
                        };
                    }
                    end_session(&mut st, &txid);
                }
                NotificationRecord {
                    kind: "pir",
                    seq_number: data.notification_metadata.seq_number,
                    notification_address: data.notification_metadata.notification_address.clone(),
                    iccid: data
                        .notification_metadata
                        .iccid
                        .as_ref()
                        .map(|i| i.digits()),
                    transaction_id: Some(hex::encode_upper(&txid)),
                    success: Some(success),
                    signature_valid,
                }
            }
            PendingNotification::OtherSignedNotification(n) => {
                let meta = &n.tbs_other_notification;
                let signature_valid = (|| {
                    let cert = rasn::der::encode(&n.euicc_certificate).ok()?;
                    let key = self.crypto.verifying_key_from_certificate_der(&cert).ok()?;
                    let signed = match raw.and_then(|r| find_tlv(r, &[&[0x30], &[0xbf, 0x2f]])) {
                        Some(b) => b.to_vec(),
                        None => rasn::der::encode(meta).ok()?,
                    };
                    Some(key.verify(&signed, &n.euicc_notification_signature).is_ok())
                })();
                NotificationRecord {
                    kind: "other",
                    seq_number: meta.seq_number,
                    notification_address: meta.notification_address.clone(),
                    iccid: meta.iccid.as_ref().map(|i| i.digits()),
                    transaction_id: None,
                    success: None,
                    signature_valid,
                }
            }
        };
        tracing::debug!(?record, "SM-DP+ notification");
        st.notifications.push_back(record);
        while st.notifications.len() > NOTIFICATION_LOG {
            st.notifications.pop_front();
        }
    }

    /// SGP.22 5.6.5 ES9+.CancelSession. `raw_response` is the CancelSessionResponse ('BF41'
    /// TLV) as received.
    pub fn cancel_session(
        &self,
        req: &CancelSessionRequestEs9,
        raw_response: Option<&[u8]>,
    ) -> Result<(), Status> {
        let txid = req.transaction_id.to_vec();
        let mut st = self.lock();
        let session = st
            .sessions
            .get(&txid)
            .ok_or_else(Status::unknown_transaction)?;
        if let CancelSessionResponse::CancelSessionResponseOk(ok) = &req.cancel_session_response {
            let signed = &ok.euicc_cancel_session_signed;
            if let Some(key) = &session.euicc_key {
                let data = match raw_response.and_then(received_signed_part) {
                    Some(b) => b.to_vec(),
                    None => der(signed)?,
                };
                if key
                    .verify(&data, &ok.euicc_cancel_session_signature)
                    .is_err()
                {
                    return Err(Status::euicc_signature());
                }
            }
            if signed.transaction_id.as_ref() != txid.as_slice() {
                return Err(Status::unknown_transaction());
            }
            let ours = san_registered_id(&self.config.credentials[session.creds].dp_auth_cert_der);
            if let Some(ours) = ours
                && oid_content(&signed.smdp_oid).as_deref() != Some(ours.as_slice())
            {
                return Err(Status::new("8.8", "3.10", "SM-DP+ - Invalid Association"));
            }
        }
        if let Some(iccid) = session.order_iccid.clone()
            && let Some(o) = st.orders.get_mut(&iccid)
            && matches!(o.state, OrderState::Released | OrderState::Downloaded)
        {
            o.state = OrderState::Released;
        }
        end_session(&mut st, &txid);
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // The ASN.1 binding (SGP.22 6.6)
    // -----------------------------------------------------------------------------------------

    /// One `RemoteProfileProvisioningRequest` (DER) in, the answer out; errors are the
    /// function's error INTEGER ([`asn1_error_code`]).
    pub fn handle_asn1(&self, body: &[u8]) -> Asn1Answer {
        let req: RemoteProfileProvisioningRequest = match rasn::der::decode(body) {
            Ok(r) => r,
            Err(e) => {
                return Asn1Answer::Undecodable(format!(
                    "not a RemoteProfileProvisioningRequest: {e}"
                ));
            }
        };
        // The inner request TLV ('A2' content) as received.
        let inner = tlv::split(body)
            .ok()
            .and_then(|t| tlv::split(t.content).ok());
        let child = |tag: &[u8]| {
            inner.and_then(|t| {
                tlv::children(t.content)
                    .into_iter()
                    .find(|c| c.tag == tag)
                    .map(|c| c.whole)
            })
        };
        let response = match req {
            RemoteProfileProvisioningRequest::InitiateAuthenticationRequest(r) => {
                RemoteProfileProvisioningResponse::InitiateAuthenticationResponse(
                    match self.initiate_authentication(&r) {
                        Ok(ok) => InitiateAuthenticationResponse::InitiateAuthenticationOk(ok),
                        Err(s) => InitiateAuthenticationResponse::InitiateAuthenticationError(
                            InitiateAuthenticationError(asn1_error_code(
                                Es9Function::InitiateAuthentication,
                                &s,
                            )),
                        ),
                    },
                )
            }
            RemoteProfileProvisioningRequest::AuthenticateClientRequest(r) => {
                RemoteProfileProvisioningResponse::AuthenticateClientResponseEs9(
                    match self.authenticate_client(&r, child(&[0xbf, 0x38])) {
                        Ok(ok) => AuthenticateClientResponseEs9::AuthenticateClientOk(ok),
                        Err(s) => AuthenticateClientResponseEs9::AuthenticateClientError(
                            AuthenticateClientError(asn1_error_code(
                                Es9Function::AuthenticateClient,
                                &s,
                            )),
                        ),
                    },
                )
            }
            RemoteProfileProvisioningRequest::GetBoundProfilePackageRequest(r) => {
                let answer = self
                    .get_bound_profile_package(&r, child(&[0xbf, 0x21]))
                    .and_then(|(txid, bpp)| {
                        rasn::der::decode::<BoundProfilePackage>(&bpp)
                            .map(|b| (txid, b))
                            .map_err(|e| Status::new("8.2", "3.7", format!("BPP: {e}")))
                    });
                RemoteProfileProvisioningResponse::GetBoundProfilePackageResponse(match answer {
                    Ok((transaction_id, bound_profile_package)) => {
                        GetBoundProfilePackageResponse::GetBoundProfilePackageOk(
                            GetBoundProfilePackageOk {
                                transaction_id,
                                bound_profile_package,
                                extensions: Extensions::default(),
                            },
                        )
                    }
                    Err(s) => GetBoundProfilePackageResponse::GetBoundProfilePackageError(
                        GetBoundProfilePackageError(asn1_error_code(
                            Es9Function::GetBoundProfilePackage,
                            &s,
                        )),
                    ),
                })
            }
            RemoteProfileProvisioningRequest::CancelSessionRequestEs9(r) => {
                let raw = child(&[0xbf, 0x41]).and_then(|t| {
                    tlv::split(t)
                        .ok()
                        .and_then(|t| {
                            tlv::children(t.content)
                                .into_iter()
                                .find(|c| c.tag == [0xa1])
                        })
                        .map(|c| c.whole)
                });
                RemoteProfileProvisioningResponse::CancelSessionResponseEs9(
                    match self.cancel_session(&r, raw) {
                        Ok(()) => {
                            CancelSessionResponseEs9::CancelSessionOk(CancelSessionOk::default())
                        }
                        Err(s) => CancelSessionResponseEs9::CancelSessionError(CancelSessionError(
                            asn1_error_code(Es9Function::CancelSession, &s),
                        )),
                    },
                )
            }
            RemoteProfileProvisioningRequest::HandleNotification(r) => {
                let raw = child(&[0xbf, 0x3d]).and_then(|t| {
                    tlv::split(t)
                        .ok()
                        .and_then(|t| tlv::split(t.content).ok())
                        .and_then(|a0| tlv::split(a0.content).ok())
                        .map(|n| n.whole)
                });
                self.handle_notification(&r, raw);
                return Asn1Answer::NoContent;
            }
        };
        match rasn::der::encode(&response) {
            Ok(b) => Asn1Answer::Message(b),
            Err(e) => Asn1Answer::Undecodable(format!("cannot encode the answer: {e}")),
        }
    }
}

fn oid_content(oid: &ObjectIdentifier) -> Option<Vec<u8>> {
    let bytes = rasn::der::encode(oid).ok()?;
    tlv::split(&bytes).ok().map(|t| t.content.to_vec())
}

fn end_session(st: &mut State, txid: &[u8]) {
    st.sessions.remove(txid);
    st.session_order.retain(|t| t.as_slice() != txid);
}

fn order_status(o: &Order) -> OrderStatus {
    OrderStatus {
        iccid: o.iccid.clone(),
        eid: o.eid.map(|e| e.digits()),
        matching_id: o.matching_id.clone(),
        state: o.state,
        transaction_id: o.transaction_id.as_ref().map(hex::encode_upper),
    }
}

/// The order a matchingId names: it must exist and be released. Without a matchingId (or an
/// empty one), a released order bound to the EID.
fn find_order(st: &State, matching_id: Option<&str>, eid: &Eid) -> Result<String, Status> {
    let refused = || Status::new("8.2.6", "3.8", "Matching ID - Refused");
    let iccid = match matching_id.filter(|m| !m.is_empty()) {
        Some(m) => st.matching_ids.get(m).cloned().ok_or_else(refused)?,
        None => st
            .orders
            .values()
            .filter(|o| o.state == OrderState::Released && o.eid == Some(*eid))
            .map(|o| o.iccid.clone())
            .min()
            .ok_or_else(refused)?,
    };
    match st.orders.get(&iccid) {
        Some(o) if o.state == OrderState::Released => Ok(iccid),
        _ => Err(refused()),
    }
}

/// The status code of a rejected eUICC chain (SGP.22 5.6.3).
fn chain_status(e: &ChainError) -> Status {
    let which_eum = |w: &str| w == "EUM" || w == "CI";
    let msg = e.to_string();
    match e {
        ChainError::Expired { which, .. } | ChainError::NotYetValid { which, .. } => {
            if which_eum(which) {
                Status::new("8.1.2", "6.3", format!("EUM Certificate - Expired: {msg}"))
            } else {
                Status::new(
                    "8.1.3",
                    "6.3",
                    format!("eUICC Certificate - Expired: {msg}"),
                )
            }
        }
        ChainError::EidOutsideRange { .. }
        | ChainError::MissingNameConstraints
        | ChainError::OrganisationMismatch { .. } => Status::new(
            "8.1.4",
            "6.1",
            format!("EID outside the EUM's range: {msg}"),
        ),
        ChainError::Parse { which, .. }
        | ChainError::IssuerMismatch { which, .. }
        | ChainError::UnsupportedAlgorithm { which, .. }
        | ChainError::Malformed { which, .. }
        | ChainError::BadSignature { which }
        | ChainError::NotCa { which }
            if which_eum(which) =>
        {
            Status::new(
                "8.1.2",
                "6.1",
                format!("EUM Certificate - Verification failed: {msg}"),
            )
        }
        _ => Status::new(
            "8.1.3",
            "6.1",
            format!("eUICC Certificate - Verification failed: {msg}"),
        ),
    }
}

/// The ASN.1 binding's error INTEGER for a status of `function` (SGP.22 6.6 error lists).
pub fn asn1_error_code(function: Es9Function, s: &Status) -> i64 {
    match function {
        Es9Function::InitiateAuthentication => {
            if s.is("8.8.1", "3.8") {
                InitiateAuthenticationError::INVALID_DP_ADDRESS.0
            } else if s.subject == "8.8.3" {
                InitiateAuthenticationError::EUICC_VERSION_NOT_SUPPORTED_BY_DP.0
            } else {
                InitiateAuthenticationError::CI_PK_NOT_SUPPORTED.0
            }
        }
        Es9Function::AuthenticateClient => match (s.subject.as_str(), s.reason.as_str()) {
            ("8.1.2", "6.3") => AuthenticateClientError::EUM_CERTIFICATE_EXPIRED.0,
            ("8.1.2", _) => AuthenticateClientError::EUM_CERTIFICATE_INVALID.0,
            ("8.1.3", "6.3") => AuthenticateClientError::EUICC_CERTIFICATE_EXPIRED.0,
            ("8.1.3", _) | ("8.1.4", _) => AuthenticateClientError::EUICC_CERTIFICATE_INVALID.0,
            ("8.1", "6.1") => AuthenticateClientError::EUICC_SIGNATURE_INVALID.0,
            ("8.2.6", _) => AuthenticateClientError::MATCHING_ID_REFUSED.0,
            ("8.1.1", _) => AuthenticateClientError::EID_MISMATCH.0,
            ("8.11.1", _) => AuthenticateClientError::CI_PK_UNKNOWN.0,
            ("8.10.1", _) => AuthenticateClientError::INVALID_TRANSACTION_ID.0,
            _ => AuthenticateClientError::UNDEFINED_ERROR.0,
        },
        Es9Function::GetBoundProfilePackage => match (s.subject.as_str(), s.reason.as_str()) {
            ("8.1", "6.1") => GetBoundProfilePackageError::EUICC_SIGNATURE_INVALID.0,
            ("8.2.7", "2.2") => GetBoundProfilePackageError::CONFIRMATION_CODE_MISSING.0,
            ("8.2.7", "3.8") => GetBoundProfilePackageError::CONFIRMATION_CODE_REFUSED.0,
            ("8.2.7", "6.4") => GetBoundProfilePackageError::CONFIRMATION_CODE_RETRIES_EXCEEDED.0,
            ("8.10.1", _) => GetBoundProfilePackageError::INVALID_TRANSACTION_ID.0,
            _ => GetBoundProfilePackageError::UNDEFINED_ERROR.0,
        },
        Es9Function::CancelSession => match (s.subject.as_str(), s.reason.as_str()) {
            ("8.10.1", _) => CancelSessionError::INVALID_TRANSACTION_ID.0,
            ("8.1", "6.1") => CancelSessionError::EUICC_SIGNATURE_INVALID.0,
            _ => CancelSessionError::UNDEFINED_ERROR.0,
        },
        Es9Function::HandleNotification => 127,
    }
}

#[cfg(test)]
mod tests;
