//! The compact download forms of an IPA with minimizeEsipaBytes (SGP.32 4.7 ipaFeatures bit 5;
//! 6.3.2.1-6.3.2.5) turned back into the full SGP.22 forms the SM-DP+ takes over ES9+', sans-IO.
//!
//! A compact form leaves out what the eIM can know by itself. The eUICC's signatures cover the
//! full forms, so every left-out field is rebuilt exactly as the eUICC signed it, or the SM-DP+
//! refuses the signature:
//!
//! | Compact (ESipa) | Full (ES9+') | Where the left-out fields come from |
//! |---|---|---|
//! | InitiateAuthenticationRequestEsipa without euiccInfo1 | euiccInfo1 | the device's last IpaEuiccData ('BF20') |
//! | compactAuthenticateResponseOk {compactEuiccSigned1 {extCardResource, ctxParams1}, euiccSignature1, certificates optional} | authenticateResponseOk {EuiccSigned1 {transactionId, serverAddress, serverChallenge, euiccInfo2, ctxParams1}, euiccSignature1, CERT.EUICC, CERT.EUM} | transactionId, serverAddress, serverChallenge: the session's serverSigned1; euiccInfo2: the device's IpaEuiccData ('BF22') with extCardResource replaced by the one received; certificates: those received, else the device's (IpaEuiccData 'A6'/'A5', or the ones the eIM derives) |
//! | compactDownloadResponseOk {compactEuiccSigned2 {euiccOtpk, hashCc}, euiccSignature2} | downloadResponseOk {EUICCSigned2 {transactionId, euiccOtpk, hashCc}, euiccSignature2} | transactionId of the request |
//! | compactCancelSessionResponseOk {{reason}, signature} | cancelSessionResponseOk {EuiccCancelSessionSigned {transactionId, smdpOid, reason}, signature} | smdpOid: the registeredID of CERT.DPauth (serverCertificate); no reason: undefinedReason(127) **[guess]** |
//! | compactProfileInstallationResult {{transactionId, seqNumber, iccidPresent, compactFinalResult}, euiccSignPIR} | ProfileInstallationResult {{transactionId, notificationMetadata {seqNumber, install, notificationAddress, iccid}, smdpOid, finalResult}, euiccSignPIR} | notificationAddress: the session's serverAddress; iccid (when iccidPresent): the profileMetadata of AuthenticateClient; smdpOid as above; the ISD-P AID: [`ISDP_AID_TEMPLATE`] with bytes 14-15 replaced by compactAid; simaResponse absent: [`SIMA_RESPONSE_OK`] |
//!
//! And the other way: the GetBoundProfilePackage answer to such an IPA has no transactionId.
//!
//! The CHOICE of SM-DP+ OID when CERT.DPauth has no registeredID follows the harness's eUICC
//! ([`UNKNOWN_SMDP_OID`]); the AID template is configurable
//! ([`EimConfig::isdp_aid_template`](super::EimConfig)). Compact OtherSignedNotifications are not
//! rebuilt (they are recorded, not forwarded).

use rasn::types::{ObjectIdentifier, OctetString};
use thiserror::Error;

use super::store::StoredEuiccInfo;
use crate::asn1::pkix::Certificate;
use crate::asn1::rsp::{
    CancelSessionReason, CancelSessionResponseOk, EuiccCancelSessionSigned, EuiccSigned2,
    FinalResult, Iccid, NotificationMetadata, Octet16, PrepareDownloadResponseOk,
    ProfileInstallationResultData, SuccessResult, TransactionId,
};
use crate::asn1::sgp32::{
    AuthenticateResponseOk, AuthenticateServerResponse, AuthenticateServerResponseChoice,
    CancelSessionResponse, CancelSessionResponseChoice, CompactAuthenticateResponseOk,
    CompactCancelSessionResponseOk, CompactFinalResult, CompactPrepareDownloadResponseOk,
    CompactProfileInstallationResult, CompactSignedData, EuiccInfo2, EuiccSigned1, IpaEuiccData,
    PrepareDownloadResponse, PrepareDownloadResponseChoice, ProfileInstallationResult, named_bits,
};
pub use crate::euicc::{SIMA_RESPONSE_OK, UNKNOWN_SMDP_OID};

/// The ISD-P AID whose bytes 14 and 15 (1-based) a compactAid replaces: the usual ISD-P AID
/// pattern `A0000005591010FFFFFFFF89 00 00 1x 00` **[guess]**: SGP.32 only says the compact
/// form carries bytes 14 and 15.
pub const ISDP_AID_TEMPLATE: [u8; 16] = [
    0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x10, 0x00,
];

/// NotificationEvent bit of profile installation.
const EVENT_INSTALL: usize = 0;

/// Why a compact form could not be rebuilt (the request is answered undefinedError).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CompactError {
    /// No euiccInfo1 in the request and none stored from an eUICC data request.
    #[error("no euiccInfo1: the device's eUICC data (BF20) was never read")]
    NoEuiccInfo1,
    /// No euiccInfo2 stored from an eUICC data request.
    #[error("no euiccInfo2: the device's eUICC data (BF22) was never read")]
    NoEuiccInfo2,
    /// The stored euiccInfo2 does not decode.
    #[error("the stored euiccInfo2 does not decode: {0}")]
    BadEuiccInfo2(String),
    /// Neither sent nor known.
    #[error("no {0}: not sent, and the device's certificates are unknown")]
    NoCertificate(&'static str),
    /// A certificate does not decode.
    #[error("{0} does not decode")]
    BadCertificate(&'static str),
    /// compactEuiccSigned1 without ctxParams1 (this eIM sends no ctxParams1 of its own).
    #[error("compactEuiccSigned1 without ctxParams1, and this eIM generated none")]
    NoCtxParams1,
    /// compactEuiccSigned2 without euiccOtpk (bppEuiccOtpk: rebinding, not supported).
    #[error("compactEuiccSigned2 without euiccOtpk (rebinding is not supported)")]
    NoOtpk,
    /// The rebuilt form does not encode.
    #[error("encoding: {0}")]
    Encode(String),
}

/// What the eIM learnt of a relayed session, for the rebuilding.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionFacts {
    /// serverAddress of serverSigned1.
    pub server_address: String,
    /// serverChallenge of serverSigned1.
    pub server_challenge: Octet16,
    /// The registeredID of CERT.DPauth, when it has one.
    pub smdp_oid: Option<ObjectIdentifier>,
    /// The ICCID of the profileMetadata the SM-DP+ sent in AuthenticateClient.
    pub iccid: Option<Iccid>,
}

impl SessionFacts {
    /// The smdpOid the eUICC signs.
    pub fn smdp_oid_or_unknown(&self) -> ObjectIdentifier {
        self.smdp_oid.clone().unwrap_or_else(|| {
            ObjectIdentifier::new_unchecked(std::borrow::Cow::Borrowed(&UNKNOWN_SMDP_OID[..]))
        })
    }
}

impl StoredEuiccInfo {
    /// What an IpaEuiccData tells (the DER of euiccInfo1/euiccInfo2, minimizeEsipaBytes).
    pub fn from_ipa_euicc_data(d: &IpaEuiccData) -> Self {
        let der = |v: Option<Vec<u8>>| v.filter(|d| !d.is_empty());
        StoredEuiccInfo {
            euicc_info1: der(d
                .euicc_info1
                .as_ref()
                .and_then(|i| rasn::der::encode(i).ok())),
            euicc_info2: der(d
                .euicc_info2
                .as_ref()
                .and_then(|i| rasn::der::encode(i).ok())),
            minimize_esipa_bytes: d.ipa_capabilities.as_ref().is_some_and(|c| {
                c.ipa_features
                    .get(crate::asn1::sgp32::ipa_features::MINIMIZE_ESIPA_BYTES)
                    .is_some_and(|b| *b)
            }),
        }
    }

    /// Takes what `newer` has; keeps the rest (minimizeEsipaBytes only when ipaCapabilities
    /// came).
    pub fn merge(&mut self, newer: &StoredEuiccInfo, capabilities_present: bool) {
        if newer.euicc_info1.is_some() {
            self.euicc_info1.clone_from(&newer.euicc_info1);
        }
        if newer.euicc_info2.is_some() {
            self.euicc_info2.clone_from(&newer.euicc_info2);
        }
        if capabilities_present {
            self.minimize_esipa_bytes = newer.minimize_esipa_bytes;
        }
    }
}

/// The full AuthenticateServerResponse of a compactAuthenticateResponseOk (module docs).
/// `certs`: the device's (CERT.EUICC, CERT.EUM) DER, used for the ones not sent.
pub fn full_authenticate_response(
    compact: &CompactAuthenticateResponseOk,
    transaction_id: &TransactionId,
    facts: &SessionFacts,
    euicc_info2: Option<&[u8]>,
    certs: (Option<&[u8]>, Option<&[u8]>),
) -> Result<AuthenticateServerResponse, CompactError> {
    let euicc_signed1 = match &compact.signed_data {
        CompactSignedData::EuiccSigned1(full) => (**full).clone(),
        CompactSignedData::CompactEuiccSigned1(c) => {
            let der = euicc_info2.ok_or(CompactError::NoEuiccInfo2)?;
            let mut info2 = rasn::der::decode::<EuiccInfo2>(der)
                .map_err(|e| CompactError::BadEuiccInfo2(e.to_string()))?;
            info2.ext_card_resource = c.ext_card_resource.clone();
            EuiccSigned1 {
                transaction_id: transaction_id.clone(),
                server_address: facts.server_address.clone(),
                server_challenge: facts.server_challenge.clone(),
                euicc_info2: info2,
                ctx_params1: c.ctx_params1.clone().ok_or(CompactError::NoCtxParams1)?,
                extensions: Default::default(),
            }
        }
    };
    let cert = |sent: &Option<Certificate>, known: Option<&[u8]>, name: &'static str| match sent {
        Some(c) => Ok(c.clone()),
        None => Certificate::from_der(known.ok_or(CompactError::NoCertificate(name))?)
            .map_err(|_| CompactError::BadCertificate(name)),
    };
    Ok(AuthenticateServerResponse(
        AuthenticateServerResponseChoice::AuthenticateResponseOk(Box::new(
            AuthenticateResponseOk {
                euicc_signed1,
                euicc_signature1: compact.euicc_signature1.clone(),
                euicc_certificate: cert(&compact.euicc_certificate, certs.0, "CERT.EUICC")?,
                eum_certificate: cert(&compact.eum_certificate, certs.1, "CERT.EUM")?,
                extensions: Default::default(),
            },
        )),
    ))
}

/// The full PrepareDownloadResponse of a compactDownloadResponseOk.
pub fn full_prepare_download_response(
    compact: &CompactPrepareDownloadResponseOk,
    transaction_id: &TransactionId,
) -> Result<PrepareDownloadResponse, CompactError> {
    let c = &compact.compact_euicc_signed2;
    Ok(PrepareDownloadResponse(
        PrepareDownloadResponseChoice::DownloadResponseOk(Box::new(PrepareDownloadResponseOk {
            euicc_signed2: EuiccSigned2 {
                transaction_id: transaction_id.clone(),
                euicc_otpk: c.euicc_otpk.clone().ok_or(CompactError::NoOtpk)?,
                hash_cc: c.hash_cc.clone(),
                extensions: Default::default(),
            },
            euicc_signature2: compact.euicc_signature2.clone(),
            extensions: Default::default(),
        })),
    ))
}

/// The full CancelSessionResponse of a compactCancelSessionResponseOk.
pub fn full_cancel_session_response(
    compact: &CompactCancelSessionResponseOk,
    transaction_id: &TransactionId,
    facts: &SessionFacts,
) -> CancelSessionResponse {
    CancelSessionResponse(CancelSessionResponseChoice::CancelSessionResponseOk(
        Box::new(CancelSessionResponseOk {
            euicc_cancel_session_signed: EuiccCancelSessionSigned {
                transaction_id: transaction_id.clone(),
                smdp_oid: facts.smdp_oid_or_unknown(),
                reason: compact
                    .compact_euicc_cancel_session_signed
                    .reason
                    .unwrap_or(CancelSessionReason::UNDEFINED_REASON),
                extensions: Default::default(),
            },
            euicc_cancel_session_signature: compact.euicc_cancel_session_signature.clone(),
            extensions: Default::default(),
        }),
    ))
}

/// The full ProfileInstallationResult of a compactProfileInstallationResult (module docs).
pub fn full_profile_installation_result(
    compact: &CompactProfileInstallationResult,
    facts: &SessionFacts,
    aid_template: &[u8; 16],
) -> ProfileInstallationResult {
    let c = &compact.compact_profile_installation_result_data;
    let final_result = match &c.compact_final_result {
        CompactFinalResult::CompactSuccessResult(s) => {
            let mut aid = *aid_template;
            aid[13..15].copy_from_slice(&s.compact_aid[..]);
            FinalResult::SuccessResult(SuccessResult {
                aid: OctetString::from(aid.to_vec()),
                sima_response: s
                    .sima_response
                    .clone()
                    .unwrap_or_else(|| OctetString::from(SIMA_RESPONSE_OK.to_vec())),
                extensions: Default::default(),
            })
        }
        CompactFinalResult::ErrorResult(e) => FinalResult::ErrorResult(e.clone()),
    };
    ProfileInstallationResult {
        profile_installation_result_data: ProfileInstallationResultData {
            transaction_id: c.transaction_id.clone(),
            notification_metadata: NotificationMetadata {
                seq_number: c.seq_number,
                profile_management_operation: named_bits(&[EVENT_INSTALL]),
                notification_address: facts.server_address.clone(),
                iccid: if c.iccid_present {
                    facts.iccid.clone()
                } else {
                    None
                },
                extensions: Default::default(),
            },
            smdp_oid: facts.smdp_oid_or_unknown(),
            final_result,
            extensions: Default::default(),
        },
        euicc_sign_pir: compact.euicc_sign_pir.clone(),
        extensions: Default::default(),
    }
}
