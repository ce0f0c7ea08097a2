//! The indirect profile download relay of the reference eIM (SGP.32 3.2.3.2, 6.3.2.1-6.3.2.5):
//! the ESipa download functions are relayed to the SM-DP+ over ES9+' (the SGP.22 JSON binding,
//! SGP.22 6.5.2), sans-IO.
//!
//! [`Eim::handle_esipa`](super::Eim::handle_esipa) answers [`EsipaAnswer::Relay`] with a
//! [`RelayRequest`] (the SM-DP+ address and URL, the ES9+ function, the JSON body, an opaque
//! [`RelayTicket`]); the transport posts it and hands the SM-DP+'s answer to
//! [`Eim::complete_relay`], which gives the ESipa answer.
//!
//! # ESipa -> ES9+'
//! | ESipa (SGP.32 6.3.2) | Checks at the eIM | ES9+ request (JSON) |
//! |---|---|---|
//! | InitiateAuthenticationRequestEsipa | eimTransactionId names an order whose ProfileDownloadTriggerRequest is the device's outstanding package, else invalidEimTransactionId(52) (absent too: this eIM always sends one); smdpAddress (when present) equals the activation code's address, case-insensitively, else smdpAddressMismatch(50) (a contactDefaultSmdp trigger has no activation code: the IPA's smdpAddress, the eUICC's default SM-DP+, is taken); an address with no configured URL -> invalidDpAddress(1); no euiccInfo1 (minimizeEsipaBytes) and none stored from the device's eUICC data -> undefinedError(127) | initiateAuthentication {euiccChallenge (the 16 bytes), euiccInfo1 (the 'BF20' TLV, or the stored one), smdpAddress} |
//! | AuthenticateClientRequestEsipa | transactionId of a relayed session, else invalidTransactionId(10) | authenticateClient {transactionId, authenticateServerResponse (the 'BF38' TLV as received; a compact one rebuilt, else undefinedError(127))} |
//! | GetBoundProfilePackageRequestEsipa | the same, else invalidTransactionId(95) | getBoundProfilePackage {transactionId, prepareDownloadResponse (the 'BF21' TLV as received, a compact one rebuilt)} |
//! | CancelSessionRequestEsipa | the same, else invalidTransactionId(1) | cancelSession {transactionId, cancelSessionResponse ('BF41' around the content of the received '\[1\]', a compact one rebuilt)} |
//! | HandleNotificationEsipa (PIR or OtherSignedNotification, full form) | the notificationAddress has a URL | handleNotification {pendingNotification (the TLV as received)} |
//!
//! The compact forms of an IPA with minimizeEsipaBytes are rebuilt into the full ones as
//! [`super::compact`] describes, from the device's stored eUICC data and what the session's
//! answers told ([`SessionFacts`]); the GetBoundProfilePackage answer to such an IPA (it left
//! euiccInfo1 out, or its eUICC data announced minimizeEsipaBytes) has no transactionId
//! (SGP.32 6.3.2.3).
//!
//! A session ([`RelaySession`]: EID, SM-DP+ address and URL, the download order) is remembered
//! by the SM-DP+'s transactionId from InitiateAuthentication until CancelSession succeeds or
//! the PIR arrives (at most [`MAX_RELAY_SESSIONS`]; the oldest is dropped beyond).
//!
//! # ES9+' -> ESipa
//! Executed-Success: the Ok alternative built from the SM-DP+'s fields (DER, the same bytes:
//! transactionId, serverSigned1, the content of serverSignature1 '5F37', of
//! euiccCiPKIdToBeUsed '04', serverCertificate; profileMetadata, smdpSigned2, smdpSignature2,
//! smdpCertificate; the boundProfilePackage TLV copied as sent). Failed: the SGP.22 status code
//! mapped with [`crate::smdp::asn1_error_code`] (the ESipa error lists repeat the SGP.22
//! numbers): InitiateAuthentication 8.8.1/3.8 -> invalidDpAddress(1), 8.8.3 ->
//! euiccVersionNotSupportedByDp(2), other -> ciPKIdNotSupported(3); AuthenticateClient 8.1.2
//! -> eumCertificateInvalid(1)/Expired(2 with 6.3), 8.1.3 and 8.1.4 -> euiccCertificateInvalid(3)/
//! Expired(4), 8.1/6.1 -> euiccSignatureInvalid(5), 8.2.6 -> matchingIdRefused(6), 8.1.1 ->
//! eidMismatch(7), 8.11.1 -> ciPKUnknown(9), 8.10.1 -> invalidTransactionId(10);
//! GetBoundProfilePackage 8.1/6.1 -> 1, 8.2.7/2.2 -> 2, 8.2.7/3.8 -> 3, 8.2.7/6.4 -> 4, 8.10.1 ->
//! 95; CancelSession 8.10.1 -> 1, 8.1/6.1 -> 2; anything else -> undefinedError(127). A
//! transport failure, an HTTP status other than 200, or a body that is not the binding's
//! JSON -> undefinedError(127).
//!
//! The conversions themselves are public functions ([`initiate_authentication_json`] ..
//! [`handle_notification_json`], [`initiate_authentication_answer`] ..
//! [`cancel_session_answer`]): the IPA's direct download (SGP.32 3.2.3.1) uses the same ones.
//!
//! # The PIR
//! HandleNotificationEsipa with a ProfileInstallationResult: recorded; the session of its
//! transactionId (if any) ends and completes its download order (`done` with a successResult,
//! `failed` with the errorResult; the outcome carries the finalResult and the ICCID); then it is
//! forwarded to the SM-DP+ at its notificationAddress (also a late PIR with no session). The
//! IPA is answered NoContent whatever the SM-DP+ says. A download that ends without a PIR fails
//! its order, so the trigger is not sent again on the next poll: a relayed CancelSession
//! (whatever the SM-DP+ answers; the session ends when it accepts), and an InitiateAuthentication
//! the SM-DP+ refuses. (One the eIM refuses itself, 50 or 52, leaves the order as it is.) A compactProfileInstallationResult of an
//! open session is rebuilt and handled the same way; one with no session, and a
//! compactOtherSignedNotification, are recorded only (nothing to rebuild them from).

use std::collections::{HashMap, VecDeque};

use serde_json::{Map, Value, json};

use super::compact::{self, CompactError, SessionFacts};
use super::esipa::Verdict;
use super::{Eim, EimFault, EsipaAnswer, OrderId};
use crate::asn1::pkix::Certificate;
use crate::asn1::rsp::{FinalResult, ServerSigned1, SmdpSigned2, TransactionId};
use crate::asn1::sgp32::{
    AuthenticateClientErrorEsipa, AuthenticateClientOkDPEsipa, AuthenticateClientRequestEsipa,
    AuthenticateClientResponseEsipa, AuthenticateClientResponseEsipaChoice,
    CancelSessionErrorEsipa, CancelSessionOk, CancelSessionRequestEsipa,
    CancelSessionResponseEsipa, CancelSessionResponseEsipaChoice, EsipaMessageFromEimToIpa,
    GetBoundProfilePackageErrorEsipa, GetBoundProfilePackageRequestEsipa,
    InitiateAuthenticationErrorEsipa, InitiateAuthenticationOkEsipa,
    InitiateAuthenticationRequestEsipa, InitiateAuthenticationResponseEsipa,
    InitiateAuthenticationResponseEsipaChoice, PendingNotification, StoreMetadataRequest,
};
use crate::asn1::sgp32::{
    AuthenticateServerResponseChoice, CancelSessionResponseChoice, CompactAuthenticateResponseOk,
    CompactSignedData, EuiccInfo2, PrepareDownloadResponseChoice,
};
use crate::asn1::tlv;
use crate::eim::store::{CertRef, OrderKind, Outstanding, StoredEuiccInfo};
use crate::smdp::es9_json::{b64_decode, b64_encode};
use crate::smdp::{Es9Function, Status, asn1_error_code};

/// Relay sessions kept at most.
pub const MAX_RELAY_SESSIONS: usize = 100_000;

/// Where the `relay-to-wrong-smdp` fault sends a request when no other SM-DP+ is configured.
pub const NOWHERE_URL: &str = "http://127.0.0.1:9";

/// The JSON binding's path name of an ES9+ function (SGP.22 6.5.2).
pub fn es9_path_name(f: Es9Function) -> &'static str {
    match f {
        Es9Function::InitiateAuthentication => "initiateAuthentication",
        Es9Function::AuthenticateClient => "authenticateClient",
        Es9Function::GetBoundProfilePackage => "getBoundProfilePackage",
        Es9Function::HandleNotification => "handleNotification",
        Es9Function::CancelSession => "cancelSession",
    }
}

/// One ES9+' call the transport must make for the eIM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayRequest {
    /// The SM-DP+ address (as in the activation code / notificationAddress).
    pub smdp_address: String,
    /// Its base URL (`http(s)://host:port[/prefix]`) from the eIM's map.
    pub url: String,
    /// The ES9+ function.
    pub function: Es9Function,
    /// The JSON body.
    pub body: Vec<u8>,
    /// What to give back to [`Eim::complete_relay`].
    pub ticket: RelayTicket,
}

impl RelayRequest {
    /// The path below the URL: `/gsma/rsp2/es9plus/<function>`.
    pub fn path(&self) -> String {
        format!(
            "{}{}",
            crate::smdp::es9_json::ES9_PREFIX,
            es9_path_name(self.function)
        )
    }
}

/// What the SM-DP+ answered (or that it could not be reached).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayOutcome {
    /// The HTTP status and body.
    Answer { status: u16, body: Vec<u8> },
    /// No answer (connect, TLS, timeout).
    TransportFailure(String),
}

/// Opaque: what the eIM needs to turn the SM-DP+'s answer into the ESipa answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayTicket(Ticket);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Ticket {
    Initiate(Box<RelaySession>),
    AuthenticateClient {
        txid: Vec<u8>,
    },
    /// `keep_txid`: whether the answer keeps the transactionId (not for minimizeEsipaBytes).
    GetBpp {
        txid: Vec<u8>,
        keep_txid: bool,
    },
    Cancel {
        txid: Vec<u8>,
    },
    Notification,
}

/// A relayed download session (keyed by the SM-DP+'s transactionId).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelaySession {
    /// The device.
    pub eid: [u8; 16],
    /// The SM-DP+ address.
    pub smdp_address: String,
    /// The URL relayed to.
    pub url: String,
    /// The download order (None only with `eim-transaction-id-ignored`).
    pub order_id: Option<OrderId>,
    /// The IPA uses the compact forms (minimizeEsipaBytes: it left euiccInfo1 out, or its
    /// eUICC data announced it).
    pub minimize: bool,
    /// What the SM-DP+'s answers told, for rebuilding the compact forms.
    pub facts: SessionFacts,
}

/// The relay sessions, bounded.
#[derive(Debug, Default)]
pub(super) struct RelaySessions {
    map: HashMap<Vec<u8>, RelaySession>,
    order: VecDeque<Vec<u8>>,
}

impl RelaySessions {
    fn insert(&mut self, txid: Vec<u8>, s: RelaySession) {
        if self.map.insert(txid.clone(), s).is_none() {
            self.order.push_back(txid);
        }
        while self.map.len() > MAX_RELAY_SESSIONS {
            match self.order.pop_front() {
                Some(old) => {
                    self.map.remove(&old);
                }
                None => break,
            }
        }
    }

    fn update(&mut self, txid: &[u8], f: impl FnOnce(&mut RelaySession)) {
        if let Some(s) = self.map.get_mut(txid) {
            f(s);
        }
    }

    fn remove(&mut self, txid: &[u8]) -> Option<RelaySession> {
        let s = self.map.remove(txid)?;
        self.order.retain(|t| t != txid);
        Some(s)
    }
}

/// The SM-DP+ address of an activation code (`1$ADDRESS$MATCHINGID...`, SGP.22 4.1).
pub fn activation_code_address(ac: &str) -> Option<&str> {
    ac.split('$').nth(1).filter(|a| !a.is_empty())
}

fn encode(m: EsipaMessageFromEimToIpa) -> Vec<u8> {
    rasn::der::encode(&m).unwrap_or_default()
}

fn encode_der<T: rasn::Encode>(v: T) -> Result<Vec<u8>, CompactError> {
    rasn::der::encode(&v).map_err(|e| CompactError::Encode(e.to_string()))
}

fn initiate_error(code: InitiateAuthenticationErrorEsipa) -> EsipaAnswer {
    EsipaAnswer::Message(encode(
        EsipaMessageFromEimToIpa::InitiateAuthenticationResponseEsipa(Box::new(
            InitiateAuthenticationResponseEsipa(
                InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationErrorEsipa(code),
            ),
        )),
    ))
}

fn authenticate_error(code: AuthenticateClientErrorEsipa) -> EsipaAnswer {
    EsipaAnswer::Message(encode(
        EsipaMessageFromEimToIpa::AuthenticateClientResponseEsipa(Box::new(
            AuthenticateClientResponseEsipa(
                AuthenticateClientResponseEsipaChoice::AuthenticateClientErrorEsipa(code),
            ),
        )),
    ))
}

fn bpp_error(code: GetBoundProfilePackageErrorEsipa) -> EsipaAnswer {
    use crate::asn1::sgp32::{
        GetBoundProfilePackageResponseEsipa, GetBoundProfilePackageResponseEsipaChoice,
    };
    EsipaAnswer::Message(encode(
        EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(Box::new(
            GetBoundProfilePackageResponseEsipa(
                GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageErrorEsipa(code),
            ),
        )),
    ))
}

fn cancel_answer(choice: CancelSessionResponseEsipaChoice) -> EsipaAnswer {
    EsipaAnswer::Message(encode(
        EsipaMessageFromEimToIpa::CancelSessionResponseEsipa(Box::new(CancelSessionResponseEsipa(
            choice,
        ))),
    ))
}

/// The child TLV with `tag` of the outer TLV of `body`.
fn raw_child<'a>(body: &'a [u8], tag: &[u8]) -> Option<tlv::Tlv<'a>> {
    let outer = tlv::split(body).ok()?;
    tlv::children(outer.content)
        .into_iter()
        .find(|c| c.tag == tag)
}

fn json_body(fields: Value) -> Vec<u8> {
    serde_json::to_vec(&fields).unwrap_or_default()
}

/// The SM-DP+'s answer: `Ok(fields)` on Executed-Success, `Err(Some(status))` on Failed,
/// `Err(None)` when it is no answer of the binding.
fn parse_answer(outcome: &RelayOutcome) -> Result<Map<String, Value>, Option<Status>> {
    let RelayOutcome::Answer { status, body } = outcome else {
        return Err(None);
    };
    if *status != 200 {
        return Err(None);
    }
    let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) else {
        return Err(None);
    };
    let exec = obj
        .get("header")
        .and_then(|h| h.get("functionExecutionStatus"))
        .ok_or(None)?;
    match exec.get("status").and_then(Value::as_str) {
        Some("Executed-Success") | Some("Executed-WithWarning") => Ok(obj),
        Some("Failed") => {
            let data = exec.get("statusCodeData");
            let text = |n: &str| {
                data.and_then(|d| d.get(n))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            Err(Some(Status::new(
                &text("subjectCode"),
                &text("reasonCode"),
                text("message"),
            )))
        }
        _ => Err(None),
    }
}

fn field_bytes(obj: &Map<String, Value>, name: &str) -> Option<Vec<u8>> {
    b64_decode(obj.get(name)?.as_str()?)
}

fn field_der<T: rasn::Decode>(obj: &Map<String, Value>, name: &str) -> Option<T> {
    rasn::der::decode(&field_bytes(obj, name)?).ok()
}

/// The content of a TLV field with the given tag ('5F37' signatures, '04' key ids).
fn field_tlv_content(obj: &Map<String, Value>, name: &str, tag: &[u8]) -> Option<Vec<u8>> {
    let bytes = field_bytes(obj, name)?;
    let t = tlv::split(&bytes).ok()?;
    (t.tag == tag && t.whole.len() == bytes.len()).then(|| t.content.to_vec())
}

fn field_txid(obj: &Map<String, Value>) -> Option<Vec<u8>> {
    hex::decode(obj.get("transactionId")?.as_str()?)
        .ok()
        .filter(|t| !t.is_empty() && t.len() <= 16)
}

// ---------------------------------------------------------------------------------------------
// The ES9+ JSON conversion (SGP.22 6.5.2), shared by the eIM's relay and the IPA's direct
// download (`crate::ipa::download`): ESipa request DER -> ES9+ request JSON, ES9+ answer ->
// the ESipa answer's alternative.

/// ES9+ initiateAuthentication JSON for an InitiateAuthenticationRequestEsipa (`body` is its
/// DER, `r` the decoded request): euiccChallenge, euiccInfo1 (the 'BF20' TLV as received),
/// smdpAddress. `None` without euiccInfo1.
pub fn initiate_authentication_json(
    body: &[u8],
    r: &InitiateAuthenticationRequestEsipa,
    address: &str,
) -> Option<Vec<u8>> {
    let info1 = raw_child(body, &[0xbf, 0x20])?;
    Some(initiate_json(r, info1.whole, address))
}

/// ES9+ initiateAuthentication JSON with the given euiccInfo1 TLV.
fn initiate_json(r: &InitiateAuthenticationRequestEsipa, info1: &[u8], address: &str) -> Vec<u8> {
    json_body(json!({
        "euiccChallenge": b64_encode(r.euicc_challenge.as_ref()),
        "euiccInfo1": b64_encode(info1),
        "smdpAddress": address,
    }))
}

/// ES9+ authenticateClient JSON for an AuthenticateClientRequestEsipa DER: transactionId and
/// authenticateServerResponse (the 'BF38' TLV as received).
pub fn authenticate_client_json(body: &[u8], txid: &[u8]) -> Option<Vec<u8>> {
    let raw = raw_child(body, &[0xbf, 0x38])?;
    Some(authenticate_json(raw.whole, txid))
}

fn authenticate_json(response: &[u8], txid: &[u8]) -> Vec<u8> {
    json_body(json!({
        "transactionId": hex::encode_upper(txid),
        "authenticateServerResponse": b64_encode(response),
    }))
}

/// ES9+ getBoundProfilePackage JSON for a GetBoundProfilePackageRequestEsipa DER:
/// transactionId and prepareDownloadResponse (the 'BF21' TLV as received).
pub fn get_bound_profile_package_json(body: &[u8], txid: &[u8]) -> Option<Vec<u8>> {
    let raw = raw_child(body, &[0xbf, 0x21])?;
    Some(bpp_json(raw.whole, txid))
}

fn bpp_json(response: &[u8], txid: &[u8]) -> Vec<u8> {
    json_body(json!({
        "transactionId": hex::encode_upper(txid),
        "prepareDownloadResponse": b64_encode(response),
    }))
}

/// ES9+ cancelSession JSON for a CancelSessionRequestEsipa DER: transactionId and
/// cancelSessionResponse ('BF41' around the content of the received '\[1\]').
pub fn cancel_session_json(body: &[u8], txid: &[u8]) -> Option<Vec<u8>> {
    let raw = raw_child(body, &[0xa1])?;
    // '[1]' replaced the 'BF41' of CancelSessionResponse: put it back for ES9+.
    let response = tlv::encode(&[0xbf, 0x41], raw.content);
    Some(cancel_json(&response, txid))
}

fn cancel_json(response: &[u8], txid: &[u8]) -> Vec<u8> {
    json_body(json!({
        "transactionId": hex::encode_upper(txid),
        "cancelSessionResponse": b64_encode(response),
    }))
}

/// ES9+ handleNotification JSON for a HandleNotificationEsipa DER with a pending
/// notification: pendingNotification (the TLV as received).
pub fn handle_notification_json(body: &[u8]) -> Option<Vec<u8>> {
    let raw = raw_child(body, &[0xa0]).and_then(|a0| tlv::split(a0.content).ok())?;
    Some(notification_json(raw.whole))
}

fn notification_json(notification: &[u8]) -> Vec<u8> {
    json_body(json!({ "pendingNotification": b64_encode(notification) }))
}

fn error_code(f: Es9Function, e: &Option<Status>) -> i64 {
    match e {
        Some(s) => asn1_error_code(f, s),
        None => 127,
    }
}

/// The SM-DP+'s initiateAuthentication answer as InitiateAuthenticationOkEsipa (with its
/// transactionId), or the ESipa error (module docs).
pub fn initiate_authentication_answer(
    outcome: &RelayOutcome,
) -> Result<InitiateAuthenticationOkEsipa, InitiateAuthenticationErrorEsipa> {
    let obj = parse_answer(outcome).map_err(|e| {
        InitiateAuthenticationErrorEsipa(error_code(Es9Function::InitiateAuthentication, &e))
    })?;
    let ok = (|| {
        Some(InitiateAuthenticationOkEsipa {
            transaction_id: Some(TransactionId::new(field_txid(&obj)?)),
            server_signed1: field_der::<ServerSigned1>(&obj, "serverSigned1")?,
            server_signature1: field_tlv_content(&obj, "serverSignature1", &[0x5f, 0x37])?.into(),
            euicc_ci_pk_identifier_to_be_used: field_tlv_content(
                &obj,
                "euiccCiPKIdToBeUsed",
                &[0x04],
            )?
            .into(),
            server_certificate: field_der::<Certificate>(&obj, "serverCertificate")?,
            matching_id: None,
            ctx_params1: None,
            extensions: Default::default(),
        })
    })();
    ok.ok_or(InitiateAuthenticationErrorEsipa::UNDEFINED_ERROR)
}

/// The SM-DP+'s authenticateClient answer as AuthenticateClientOkDPEsipa, or the ESipa error;
/// `txid` is used when the answer carries none.
pub fn authenticate_client_answer(
    outcome: &RelayOutcome,
    txid: Vec<u8>,
) -> Result<AuthenticateClientOkDPEsipa, AuthenticateClientErrorEsipa> {
    let obj = parse_answer(outcome).map_err(|e| {
        AuthenticateClientErrorEsipa(error_code(Es9Function::AuthenticateClient, &e))
    })?;
    let ok = (|| {
        Some(AuthenticateClientOkDPEsipa {
            transaction_id: Some(TransactionId::new(field_txid(&obj).unwrap_or(txid))),
            profile_meta_data: match obj.get("profileMetadata") {
                Some(_) => Some(field_der::<StoreMetadataRequest>(&obj, "profileMetadata")?),
                None => None,
            },
            smdp_signed2: field_der::<SmdpSigned2>(&obj, "smdpSigned2")?,
            smdp_signature2: field_tlv_content(&obj, "smdpSignature2", &[0x5f, 0x37])?.into(),
            smdp_certificate: field_der::<Certificate>(&obj, "smdpCertificate")?,
            hash_cc: None,
            extensions: Default::default(),
        })
    })();
    ok.ok_or(AuthenticateClientErrorEsipa::UNDEFINED_ERROR)
}

/// The SM-DP+'s getBoundProfilePackage answer as the DER of GetBoundProfilePackageResponseEsipa
/// ('BF3A' { 'A0' { '80' transactionId, 'BF36' as the SM-DP+ sent it } }), or the ESipa error.
/// (The IPA's direct download uses it; the relay drops the transactionId for minimizeEsipaBytes.)
pub fn get_bound_profile_package_answer(
    outcome: &RelayOutcome,
    txid: Vec<u8>,
) -> Result<Vec<u8>, GetBoundProfilePackageErrorEsipa> {
    bpp_answer(outcome, txid, true)
}

/// [`get_bound_profile_package_answer`], without the transactionId unless `keep_txid`
/// (SGP.32 6.3.2.3: removed for an IPA with minimizeEsipaBytes).
fn bpp_answer(
    outcome: &RelayOutcome,
    txid: Vec<u8>,
    keep_txid: bool,
) -> Result<Vec<u8>, GetBoundProfilePackageErrorEsipa> {
    let obj = parse_answer(outcome).map_err(|e| {
        GetBoundProfilePackageErrorEsipa(error_code(Es9Function::GetBoundProfilePackage, &e))
    })?;
    let bpp = field_bytes(&obj, "boundProfilePackage")
        .filter(|b| tlv::split(b).is_ok_and(|t| t.tag == [0xbf, 0x36] && t.whole.len() == b.len()))
        .ok_or(GetBoundProfilePackageErrorEsipa::UNDEFINED_ERROR)?;
    let txid = field_txid(&obj).unwrap_or(txid);
    let mut ok = if keep_txid {
        tlv::encode(&[0x80], &txid)
    } else {
        Vec::new()
    };
    ok.extend_from_slice(&bpp);
    Ok(tlv::encode(&[0xbf, 0x3a], &tlv::encode(&[0xa0], &ok)))
}

/// The SM-DP+'s cancelSession answer as the CancelSessionResponseEsipa alternative.
pub fn cancel_session_answer(outcome: &RelayOutcome) -> CancelSessionResponseEsipaChoice {
    match parse_answer(outcome) {
        Ok(_) => CancelSessionResponseEsipaChoice::CancelSessionOk(CancelSessionOk::default()),
        Err(e) => CancelSessionResponseEsipaChoice::CancelSessionError(CancelSessionErrorEsipa(
            error_code(Es9Function::CancelSession, &e),
        )),
    }
}

impl Eim {
    fn smdp_url(&self, address: &str) -> Option<String> {
        self.config
            .smdp_urls
            .iter()
            .find(|(a, _)| a.eq_ignore_ascii_case(address))
            .map(|(_, u)| u.clone())
    }

    /// With `relay-to-wrong-smdp`: the URL of another configured SM-DP+, else [`NOWHERE_URL`].
    fn wrong_url(&self, address: &str) -> String {
        self.config
            .smdp_urls
            .iter()
            .find(|(a, _)| !a.eq_ignore_ascii_case(address))
            .map(|(_, u)| u.clone())
            .unwrap_or_else(|| NOWHERE_URL.to_string())
    }

    /// What the device's eUICC data told (for the compact forms).
    fn stored_euicc_info(&self, eid: &[u8; 16]) -> Option<StoredEuiccInfo> {
        let mut info = None;
        self.store.update_device(eid, &mut |r| {
            info = r.euicc_info.as_deref().cloned();
        });
        info
    }

    /// The DER of the full AuthenticateServerResponse a compactAuthenticateResponseOk stands
    /// for ([`compact::full_authenticate_response`], with the device's stored euiccInfo2 and
    /// certificates).
    fn full_authenticate_response(
        &self,
        session: &RelaySession,
        c: &CompactAuthenticateResponseOk,
        txid: &TransactionId,
    ) -> Result<Vec<u8>, CompactError> {
        let stored = self.stored_euicc_info(&session.eid).unwrap_or_default();
        let mut cert_ref = CertRef::None;
        self.store.update_device(&session.eid, &mut |r| {
            cert_ref = r.cert.clone();
        });
        let cert = self.device_cert(&session.eid, &cert_ref).ok();
        let eum = cert
            .as_ref()
            .and_then(|c| c.eum_der.clone())
            .or_else(|| self.config.eum_certs_der.first().cloned());
        let mut c = c.clone();
        if self.has_fault(EimFault::ExtCardResourceNotReplaced)
            && let CompactSignedData::CompactEuiccSigned1(s1) = &mut c.signed_data
            && let Some(info2) = stored
                .euicc_info2
                .as_deref()
                .and_then(|d| rasn::der::decode::<EuiccInfo2>(d).ok())
        {
            s1.ext_card_resource = info2.ext_card_resource;
        }
        compact::full_authenticate_response(
            &c,
            txid,
            &session.facts,
            stored.euicc_info2.as_deref(),
            (cert.as_ref().map(|c| &c.euicc_der[..]), eum.as_deref()),
        )
        .and_then(encode_der)
    }

    fn session(&self, txid: &[u8]) -> Option<RelaySession> {
        self.relay_sessions
            .lock()
            .ok()
            .and_then(|s| s.map.get(txid).cloned())
    }

    fn end_session(&self, txid: &[u8]) -> Option<RelaySession> {
        self.relay_sessions
            .lock()
            .ok()
            .and_then(|mut s| s.remove(txid))
    }

    /// The download order an eimTransactionId names, if its trigger is the device's
    /// outstanding package: (order, EID, activation code; None for contactDefaultSmdp).
    fn outstanding_download(&self, eim_txid: &[u8]) -> Option<(OrderId, [u8; 16], Option<String>)> {
        let id = self.order_of_transaction(eim_txid)?;
        let order = self.store.order(id)?;
        let OrderKind::Download(ac) = &*order.kind else {
            return None;
        };
        let mut outstanding = None;
        self.store.update_device(&order.eid, &mut |r| {
            outstanding = r.outstanding.as_ref().map(|o| o.order_id);
        });
        (outstanding == Some(id)).then(|| (id, order.eid, ac.clone()))
    }

    /// SGP.32 6.3.2.1 ESipa.InitiateAuthentication (module docs).
    pub(super) fn relay_initiate(
        &self,
        body: &[u8],
        r: &InitiateAuthenticationRequestEsipa,
    ) -> EsipaAnswer {
        let found = r
            .eim_transaction_id
            .as_deref()
            .and_then(|t| self.outstanding_download(t));
        let (order_id, eid, address) = match found {
            Some((id, eid, ac)) => {
                let ac_address = ac
                    .as_deref()
                    .and_then(activation_code_address)
                    .map(str::to_string);
                let address = match (&r.smdp_address, ac_address) {
                    (Some(asked), Some(_)) if self.has_fault(EimFault::SmdpAddressUnchecked) => {
                        asked.clone()
                    }
                    (Some(asked), Some(ac)) if !asked.eq_ignore_ascii_case(&ac) => {
                        return initiate_error(
                            InitiateAuthenticationErrorEsipa::SMDP_ADDRESS_MISMATCH,
                        );
                    }
                    (_, Some(ac)) => ac,
                    (Some(_), None) if self.has_fault(EimFault::DefaultSmdpDownloadRefused) => {
                        return initiate_error(
                            InitiateAuthenticationErrorEsipa::SMDP_ADDRESS_MISMATCH,
                        );
                    }
                    // contactDefaultSmdp: the eUICC's default SM-DP+, as the IPA names it.
                    (Some(asked), None) => asked.clone(),
                    (None, None) => {
                        return initiate_error(
                            InitiateAuthenticationErrorEsipa::INVALID_DP_ADDRESS,
                        );
                    }
                };
                (Some(id), eid, address)
            }
            None if self.has_fault(EimFault::EimTransactionIdIgnored) => match &r.smdp_address {
                Some(a) => (None, [0u8; 16], a.clone()),
                None => {
                    return initiate_error(InitiateAuthenticationErrorEsipa::INVALID_DP_ADDRESS);
                }
            },
            None => {
                return initiate_error(
                    InitiateAuthenticationErrorEsipa::INVALID_EIM_TRANSACTION_ID,
                );
            }
        };
        let Some(mut url) = self.smdp_url(&address) else {
            return initiate_error(InitiateAuthenticationErrorEsipa::INVALID_DP_ADDRESS);
        };
        if self.has_fault(EimFault::RelayToWrongSmdp) {
            url = self.wrong_url(&address);
        }
        let stored = self.stored_euicc_info(&eid);
        let body = match raw_child(body, &[0xbf, 0x20]) {
            Some(info1) => initiate_json(r, info1.whole, &address),
            None => match stored.as_ref().and_then(|s| s.euicc_info1.as_deref()) {
                Some(info1) => initiate_json(r, info1, &address),
                None => {
                    tracing::info!(error = %CompactError::NoEuiccInfo1, "InitiateAuthentication");
                    return initiate_error(InitiateAuthenticationErrorEsipa::UNDEFINED_ERROR);
                }
            },
        };
        let session = RelaySession {
            eid,
            smdp_address: address.clone(),
            url: url.clone(),
            order_id,
            minimize: r.euicc_info1.is_none() || stored.is_some_and(|s| s.minimize_esipa_bytes),
            facts: SessionFacts::default(),
        };
        EsipaAnswer::Relay(RelayRequest {
            smdp_address: address,
            url,
            function: Es9Function::InitiateAuthentication,
            body,
            ticket: RelayTicket(Ticket::Initiate(Box::new(session))),
        })
    }

    /// SGP.32 6.3.2.2 ESipa.AuthenticateClient.
    pub(super) fn relay_authenticate_client(
        &self,
        body: &[u8],
        r: &AuthenticateClientRequestEsipa,
    ) -> EsipaAnswer {
        let txid = r.transaction_id.to_vec();
        let Some(session) = self.session(&txid) else {
            return authenticate_error(AuthenticateClientErrorEsipa::INVALID_TRANSACTION_ID);
        };
        let response = match &r.authenticate_server_response.0 {
            AuthenticateServerResponseChoice::CompactAuthenticateResponseOk(c)
                if !self.has_fault(EimFault::CompactRelayedAsIs) =>
            {
                self.full_authenticate_response(&session, c, &r.transaction_id)
            }
            _ => raw_child(body, &[0xbf, 0x38])
                .map(|t| t.whole.to_vec())
                .ok_or(CompactError::Missing("authenticateServerResponse")),
        };
        let body = match response {
            Ok(response) => authenticate_json(&response, &txid),
            Err(e) => {
                tracing::info!(error = %e, "AuthenticateClient not relayed");
                return authenticate_error(AuthenticateClientErrorEsipa::UNDEFINED_ERROR);
            }
        };
        EsipaAnswer::Relay(RelayRequest {
            smdp_address: session.smdp_address,
            url: session.url,
            function: Es9Function::AuthenticateClient,
            body,
            ticket: RelayTicket(Ticket::AuthenticateClient { txid }),
        })
    }

    /// SGP.32 6.3.2.3 ESipa.GetBoundProfilePackage.
    pub(super) fn relay_get_bpp(
        &self,
        body: &[u8],
        r: &GetBoundProfilePackageRequestEsipa,
    ) -> EsipaAnswer {
        let txid = r.transaction_id.to_vec();
        let Some(session) = self.session(&txid) else {
            return bpp_error(GetBoundProfilePackageErrorEsipa::INVALID_TRANSACTION_ID);
        };
        let response = match &r.prepare_download_response.0 {
            PrepareDownloadResponseChoice::CompactDownloadResponseOk(c)
                if !self.has_fault(EimFault::CompactRelayedAsIs) =>
            {
                compact::full_prepare_download_response(c, &r.transaction_id).and_then(encode_der)
            }
            _ => raw_child(body, &[0xbf, 0x21])
                .map(|t| t.whole.to_vec())
                .ok_or(CompactError::Missing("prepareDownloadResponse")),
        };
        let body = match response {
            Ok(response) => bpp_json(&response, &txid),
            Err(e) => {
                tracing::info!(error = %e, "GetBoundProfilePackage not relayed");
                return bpp_error(GetBoundProfilePackageErrorEsipa::UNDEFINED_ERROR);
            }
        };
        let keep_txid = !session.minimize || self.has_fault(EimFault::GbppTransactionIdKept);
        EsipaAnswer::Relay(RelayRequest {
            smdp_address: session.smdp_address,
            url: session.url,
            function: Es9Function::GetBoundProfilePackage,
            body,
            ticket: RelayTicket(Ticket::GetBpp { txid, keep_txid }),
        })
    }

    /// SGP.32 6.3.2.5 ESipa.CancelSession.
    pub(super) fn relay_cancel(&self, body: &[u8], r: &CancelSessionRequestEsipa) -> EsipaAnswer {
        let txid = r.transaction_id.to_vec();
        let Some(session) = self.session(&txid) else {
            return cancel_answer(CancelSessionResponseEsipaChoice::CancelSessionError(
                CancelSessionErrorEsipa::INVALID_TRANSACTION_ID,
            ));
        };
        let body = match &r.cancel_session_response.0 {
            CancelSessionResponseChoice::CompactCancelSessionResponseOk(c)
                if !self.has_fault(EimFault::CompactRelayedAsIs) =>
            {
                encode_der(compact::full_cancel_session_response(
                    c,
                    &r.transaction_id,
                    &session.facts,
                ))
                .ok()
                .map(|response| cancel_json(&response, &txid))
            }
            _ => cancel_session_json(body, &txid),
        };
        let Some(body) = body else {
            return cancel_answer(CancelSessionResponseEsipaChoice::CancelSessionError(
                CancelSessionErrorEsipa::UNDEFINED_ERROR,
            ));
        };
        EsipaAnswer::Relay(RelayRequest {
            smdp_address: session.smdp_address,
            url: session.url,
            function: Es9Function::CancelSession,
            body,
            ticket: RelayTicket(Ticket::Cancel { txid }),
        })
    }

    /// SGP.32 6.3.2.4 ESipa.HandleNotification with a pending notification: completes the
    /// download order of a PIR and forwards the notification (module docs).
    pub(super) fn relay_notification(&self, body: &[u8], n: &PendingNotification) -> EsipaAnswer {
        let mut rebuilt = None;
        let (address, is_pir) = match n {
            PendingNotification::CompactProfileInstallationResult(c) => {
                let txid = &c.compact_profile_installation_result_data.transaction_id;
                let Some(session) = self.end_session(txid) else {
                    tracing::info!("a compact PIR with no open session: recorded, not forwarded");
                    return EsipaAnswer::NoContent;
                };
                let pir = compact::full_profile_installation_result(
                    c,
                    &session.facts,
                    &self.config.isdp_aid_template,
                );
                self.complete_download(&session, &pir);
                if !self.has_fault(EimFault::CompactRelayedAsIs) {
                    rebuilt = encode_der(PendingNotification::ProfileInstallationResult(Box::new(
                        pir,
                    )))
                    .ok();
                }
                (session.facts.server_address, true)
            }
            PendingNotification::ProfileInstallationResult(pir) => {
                let data = &pir.profile_installation_result_data;
                if let Some(session) = self.end_session(&data.transaction_id) {
                    self.complete_download(&session, pir);
                }
                (
                    data.notification_metadata.notification_address.clone(),
                    true,
                )
            }
            PendingNotification::OtherSignedNotification(o) => {
                (o.tbs_other_notification.notification_address.clone(), false)
            }
            _ => return EsipaAnswer::NoContent,
        };
        if is_pir && self.has_fault(EimFault::PirNotForwarded) {
            return EsipaAnswer::NoContent;
        }
        let Some(url) = self.smdp_url(&address) else {
            tracing::warn!(%address, "no URL for the notificationAddress: not forwarded");
            return EsipaAnswer::NoContent;
        };
        let body = match &rebuilt {
            Some(pir) => Some(notification_json(pir)),
            None => handle_notification_json(body),
        };
        let Some(body) = body else {
            return EsipaAnswer::NoContent;
        };
        EsipaAnswer::Relay(RelayRequest {
            smdp_address: address,
            url,
            function: Es9Function::HandleNotification,
            body,
            ticket: RelayTicket(Ticket::Notification),
        })
    }

    /// The session's download order, while it is the device's outstanding package.
    fn outstanding_download_of(&self, session: &RelaySession) -> Option<Outstanding> {
        let order_id = session.order_id?;
        let mut out = None;
        self.store.update_device(&session.eid, &mut |r| {
            out = r
                .outstanding
                .as_ref()
                .filter(|o| o.order_id == order_id)
                .map(|o| (**o).clone());
        });
        out
    }

    /// A download that ended without a PIR (the IPA cancelled it, or InitiateAuthentication
    /// was refused) fails its order, so the trigger is not sent again (module docs).
    fn fail_download(&self, session: &RelaySession, reason: String) {
        if self.has_fault(EimFault::EndedDownloadLeftOpen) {
            return;
        }
        if let Some(out) = self.outstanding_download_of(session) {
            self.finish(&session.eid, &out, Verdict::failed(reason));
        }
    }

    /// The PIR of a relayed session completes its download order.
    fn complete_download(
        &self,
        session: &RelaySession,
        pir: &crate::asn1::sgp32::ProfileInstallationResult,
    ) {
        let Some(out) = self.outstanding_download_of(session) else {
            return;
        };
        let data = &pir.profile_installation_result_data;
        let mut outcome = json!({
            "profileInstallationResult":
                serde_json::to_value(&data.final_result).unwrap_or(Value::Null),
        });
        if let Some(iccid) = &data.notification_metadata.iccid {
            outcome["iccid"] = Value::String(iccid.digits());
        }
        let verdict = match &data.final_result {
            FinalResult::SuccessResult(_) => Verdict {
                accepted: true,
                outcomes: vec![outcome],
                reason: None,
                apply: None,
            },
            FinalResult::ErrorResult(e) => Verdict {
                outcomes: vec![outcome],
                ..Verdict::failed(format!(
                    "profile installation failed: {}",
                    serde_json::to_string(e).unwrap_or_default()
                ))
            },
        };
        self.finish(&session.eid, &out, verdict);
    }

    /// Turns the SM-DP+'s answer to a [`RelayRequest`] into the ESipa answer (module docs).
    pub fn complete_relay(&self, ticket: RelayTicket, outcome: RelayOutcome) -> EsipaAnswer {
        match ticket.0 {
            Ticket::Initiate(session) => {
                let ok = match initiate_authentication_answer(&outcome) {
                    Ok(ok) => ok,
                    Err(e) => {
                        self.fail_download(
                            &session,
                            format!("InitiateAuthentication refused: initiateAuthenticationErrorEsipa {e}"),
                        );
                        return initiate_error(e);
                    }
                };
                let txid = ok
                    .transaction_id
                    .as_ref()
                    .map(|t| t.to_vec())
                    .unwrap_or_default();
                let mut session = *session;
                session.facts = SessionFacts {
                    server_address: ok.server_signed1.server_address.clone(),
                    server_challenge: ok.server_signed1.server_challenge.clone(),
                    smdp_oid: ok
                        .server_certificate
                        .to_der()
                        .ok()
                        .and_then(|d| crate::asn1::pkix::smdp_oid_of_der(&d)),
                    iccid: None,
                };
                if let Ok(mut s) = self.relay_sessions.lock() {
                    s.insert(txid, session);
                }
                EsipaAnswer::Message(encode(
                    EsipaMessageFromEimToIpa::InitiateAuthenticationResponseEsipa(Box::new(
                        InitiateAuthenticationResponseEsipa(
                            InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationOkEsipa(
                                Box::new(ok),
                            ),
                        ),
                    )),
                ))
            }
            Ticket::AuthenticateClient { txid } => {
                let ok = authenticate_client_answer(&outcome, txid.clone());
                if let (Ok(ok), Ok(mut s)) = (&ok, self.relay_sessions.lock()) {
                    let iccid = ok.profile_meta_data.as_ref().map(|m| m.iccid.clone());
                    s.update(&txid, |session| session.facts.iccid = iccid);
                }
                match ok {
                    Ok(ok) => EsipaAnswer::Message(encode(
                        EsipaMessageFromEimToIpa::AuthenticateClientResponseEsipa(Box::new(
                            AuthenticateClientResponseEsipa(
                                AuthenticateClientResponseEsipaChoice::AuthenticateClientOkDPEsipa(
                                    Box::new(ok),
                                ),
                            ),
                        )),
                    )),
                    Err(e) => authenticate_error(e),
                }
            }
            Ticket::GetBpp { txid, keep_txid } => match bpp_answer(&outcome, txid, keep_txid) {
                Ok(der) => EsipaAnswer::Message(der),
                Err(e) => bpp_error(e),
            },
            Ticket::Cancel { txid } => {
                let choice = cancel_session_answer(&outcome);
                let cancelled =
                    matches!(choice, CancelSessionResponseEsipaChoice::CancelSessionOk(_));
                let session = if cancelled {
                    self.end_session(&txid)
                } else {
                    self.session(&txid)
                };
                if let Some(session) = session {
                    let reason = match &choice {
                        CancelSessionResponseEsipaChoice::CancelSessionOk(_) => {
                            "the download was cancelled (CancelSession)".to_string()
                        }
                        CancelSessionResponseEsipaChoice::CancelSessionError(e) => format!(
                            "the download was cancelled; the SM-DP+ answered cancelSessionError {e}"
                        ),
                    };
                    self.fail_download(&session, reason);
                }
                cancel_answer(choice)
            }
            Ticket::Notification => {
                if let RelayOutcome::TransportFailure(e) = &outcome {
                    tracing::warn!(error = %e, "notification not delivered to the SM-DP+");
                }
                EsipaAnswer::NoContent
            }
        }
    }

    /// The open relay sessions.
    pub fn relay_sessions(&self) -> usize {
        self.relay_sessions.lock().map(|s| s.map.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_code_addresses() {
        assert_eq!(
            activation_code_address("1$smdp.example.com$MATCH"),
            Some("smdp.example.com")
        );
        assert_eq!(activation_code_address("1$$x"), None);
        assert_eq!(activation_code_address("garbage"), None);
    }

    #[test]
    fn answers_are_parsed() {
        let ok = RelayOutcome::Answer {
            status: 200,
            body: br#"{"header":{"functionExecutionStatus":{"status":"Executed-Success"}},"a":1}"#
                .to_vec(),
        };
        assert!(parse_answer(&ok).unwrap().contains_key("a"));
        let failed = RelayOutcome::Answer {
            status: 200,
            body: br#"{"header":{"functionExecutionStatus":{"status":"Failed","statusCodeData":{"subjectCode":"8.8.1","reasonCode":"3.8","message":"x"}}}}"#.to_vec(),
        };
        let s = parse_answer(&failed).unwrap_err().unwrap();
        assert!(s.is("8.8.1", "3.8"));
        assert_eq!(asn1_error_code(Es9Function::InitiateAuthentication, &s), 1);
        assert_eq!(
            parse_answer(&RelayOutcome::Answer {
                status: 500,
                body: Vec::new()
            }),
            Err(None)
        );
        assert_eq!(
            parse_answer(&RelayOutcome::TransportFailure("x".into())),
            Err(None)
        );
    }

    #[test]
    fn sessions_are_bounded_and_removed() {
        let mut s = RelaySessions::default();
        let session = RelaySession {
            eid: [0; 16],
            smdp_address: "a".into(),
            url: "u".into(),
            order_id: None,
            minimize: false,
            facts: SessionFacts::default(),
        };
        s.insert(vec![1], session.clone());
        s.insert(vec![2], session.clone());
        assert_eq!(s.remove(&[1]), Some(session));
        assert_eq!(s.remove(&[1]), None);
        assert_eq!(s.map.len(), 1);
        assert_eq!(s.order.len(), 1);
    }
}
