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
//! | compactCancelSessionResponseOk {{reason}, signature} | cancelSessionResponseOk {EuiccCancelSessionSigned {transactionId, smdpOid, reason}, signature} | smdpOid: the registeredID of CERT.DPauth (serverCertificate); no reason: undefinedReason(127) **\[guess\]** |
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
pub use crate::euicc::{ISDP_AID_TEMPLATE, SIMA_RESPONSE_OK, UNKNOWN_SMDP_OID};

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
    /// The request lacks the element to relay.
    #[error("the request has no {0}")]
    Missing(&'static str),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::rsp::{BppCommandId, ErrorReason, ErrorResult, EuiccSignPIR};
    use crate::asn1::sgp32::{
        CompactEuiccCancelSessionSigned, CompactEuiccSigned1, CompactEuiccSigned2,
        CompactProfileInstallationResultData, CompactSuccessResult,
    };

    fn facts() -> SessionFacts {
        SessionFacts {
            server_address: "smdp.example.com".into(),
            server_challenge: Octet16::new([7; 16]),
            smdp_oid: ObjectIdentifier::new(vec![2, 999, 10]),
            iccid: Iccid::from_digits("89049032123451234512"),
        }
    }

    fn compact_pir(
        iccid_present: bool,
        result: CompactFinalResult,
    ) -> CompactProfileInstallationResult {
        CompactProfileInstallationResult {
            compact_profile_installation_result_data: CompactProfileInstallationResultData {
                transaction_id: TransactionId::new(vec![1, 2, 3]),
                seq_number: 9,
                iccid_present,
                compact_final_result: result,
                extensions: Default::default(),
            },
            euicc_sign_pir: EuiccSignPIR::new(vec![0xAA; 64]),
            extensions: Default::default(),
        }
    }

    #[test]
    fn a_compact_pir_gets_the_session_facts_and_the_aid_pattern() {
        let pir = full_profile_installation_result(
            &compact_pir(
                true,
                CompactFinalResult::CompactSuccessResult(CompactSuccessResult {
                    compact_aid: [0x00, 0x11].into(),
                    sima_response: None,
                    extensions: Default::default(),
                }),
            ),
            &facts(),
            &ISDP_AID_TEMPLATE,
        );
        let data = &pir.profile_installation_result_data;
        assert_eq!(data.transaction_id, TransactionId::new(vec![1, 2, 3]));
        let meta = &data.notification_metadata;
        assert_eq!(meta.seq_number, 9);
        assert_eq!(meta.notification_address, "smdp.example.com");
        assert_eq!(meta.iccid, facts().iccid);
        // NotificationEvent install: '03 02 07 80'.
        assert_eq!(
            hex::encode(rasn::der::encode(&meta.profile_management_operation).unwrap()),
            "03020780"
        );
        assert_eq!(data.smdp_oid.to_string(), "2.999.10");
        let FinalResult::SuccessResult(s) = &data.final_result else {
            panic!("{:?}", data.final_result)
        };
        assert_eq!(
            hex::encode_upper(&s.aid[..]),
            "A0000005591010FFFFFFFF8900001100"
        );
        assert_eq!(&s.sima_response[..], &SIMA_RESPONSE_OK[..]);
        assert_eq!(&pir.euicc_sign_pir[..], &[0xAA; 64][..]);
    }

    #[test]
    fn a_compact_error_pir_without_iccid_keeps_its_error() {
        let error = ErrorResult {
            bpp_command_id: BppCommandId::STORE_METADATA,
            error_reason: ErrorReason::INSTALL_FAILED_DUE_TO_ICCID_ALREADY_EXISTS_ON_EUICC,
            sima_response: None,
            extensions: Default::default(),
        };
        let pir = full_profile_installation_result(
            &compact_pir(false, CompactFinalResult::ErrorResult(error.clone())),
            &facts(),
            &ISDP_AID_TEMPLATE,
        );
        let data = &pir.profile_installation_result_data;
        assert_eq!(data.notification_metadata.iccid, None);
        assert_eq!(data.final_result, FinalResult::ErrorResult(error));
    }

    #[test]
    fn an_sm_dp_without_oid_gets_the_harness_euicc_placeholder() {
        let facts = SessionFacts {
            smdp_oid: None,
            ..facts()
        };
        assert_eq!(facts.smdp_oid_or_unknown().to_string(), "2.999");
    }

    #[test]
    fn compact_download_and_cancel_answers_get_the_transaction_id() {
        let tid = TransactionId::new(vec![5; 16]);
        let compact = CompactPrepareDownloadResponseOk {
            compact_euicc_signed2: CompactEuiccSigned2 {
                euicc_otpk: Some(OctetString::from(vec![4; 65])),
                hash_cc: None,
                extensions: Default::default(),
            },
            euicc_signature2: OctetString::from(vec![1; 64]),
            extensions: Default::default(),
        };
        let PrepareDownloadResponseChoice::DownloadResponseOk(ok) =
            full_prepare_download_response(&compact, &tid).unwrap().0
        else {
            panic!("not downloadResponseOk")
        };
        assert_eq!(ok.euicc_signed2.transaction_id, tid);
        assert_eq!(&ok.euicc_signed2.euicc_otpk[..], &[4; 65][..]);
        // bppEuiccOtpk (rebinding) is not supported.
        let mut no_otpk = compact.clone();
        no_otpk.compact_euicc_signed2.euicc_otpk = None;
        assert_eq!(
            full_prepare_download_response(&no_otpk, &tid),
            Err(CompactError::NoOtpk)
        );

        let cancel = CompactCancelSessionResponseOk {
            compact_euicc_cancel_session_signed: CompactEuiccCancelSessionSigned {
                reason: None,
                extensions: Default::default(),
            },
            euicc_cancel_session_signature: OctetString::from(vec![2; 64]),
            extensions: Default::default(),
        };
        let CancelSessionResponseChoice::CancelSessionResponseOk(ok) =
            full_cancel_session_response(&cancel, &tid, &facts()).0
        else {
            panic!("not cancelSessionResponseOk")
        };
        let signed = &ok.euicc_cancel_session_signed;
        assert_eq!(signed.transaction_id, tid);
        assert_eq!(signed.smdp_oid.to_string(), "2.999.10");
        assert_eq!(signed.reason, CancelSessionReason::UNDEFINED_REASON);
    }

    #[test]
    fn a_compact_authenticate_response_needs_the_stored_data() {
        let compact = CompactAuthenticateResponseOk {
            signed_data: CompactSignedData::CompactEuiccSigned1(Box::new(CompactEuiccSigned1 {
                ext_card_resource: OctetString::from(vec![0x81, 0x01, 0x00]),
                ctx_params1: None,
                extensions: Default::default(),
            })),
            euicc_signature1: OctetString::from(vec![3; 64]),
            euicc_certificate: None,
            eum_certificate: None,
            extensions: Default::default(),
        };
        let tid = TransactionId::new(vec![5; 16]);
        assert_eq!(
            full_authenticate_response(&compact, &tid, &facts(), None, (None, None)),
            Err(CompactError::NoEuiccInfo2)
        );
        assert!(matches!(
            full_authenticate_response(
                &compact,
                &tid,
                &facts(),
                Some(&[0xBF, 0x22, 0x00]),
                (None, None)
            ),
            Err(CompactError::BadEuiccInfo2(_))
        ));
    }

    #[test]
    fn stored_info_merges_what_came() {
        let mut s = StoredEuiccInfo {
            euicc_info1: Some(vec![1]),
            euicc_info2: Some(vec![2]),
            minimize_esipa_bytes: true,
        };
        s.merge(
            &StoredEuiccInfo {
                euicc_info1: None,
                euicc_info2: Some(vec![3]),
                minimize_esipa_bytes: false,
            },
            false,
        );
        assert_eq!(s.euicc_info1, Some(vec![1]));
        assert_eq!(s.euicc_info2, Some(vec![3]));
        assert!(s.minimize_esipa_bytes);
        s.merge(&StoredEuiccInfo::default(), true);
        assert!(!s.minimize_esipa_bytes);
    }
}
