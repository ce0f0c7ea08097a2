//! Full -> compact conversions of the eUICC's download answers, for an IPA announcing
//! `minimizeEsipaBytes` (SGP.32 ipaFeatures bit 5, SGP.32 2.11.1.1 / 6.3.2).
//!
//! The simulated eUICC answers the full SGP.22 forms; such an IPA compacts them itself before
//! putting them on ESipa. A compact form drops only what the eIM can rebuild from data it keeps
//! (the session: transactionId, serverAddress, serverChallenge, smdpOid, ICCID; an eUICC data
//! request: euiccInfo1, euiccInfo2 (its extCardResource replaced by the compact form's), the
//! eUICC and EUM certificates; the ISD-P AID pattern
//! [`ISDP_AID_TEMPLATE`] with bytes 14-15 put back) and keeps the eUICC's signature as it is: the
//! signatures cover the full forms, which the eIM rebuilds before relaying them (nothing is
//! re-signed).
//!
//! A full form that carries something the compact form cannot (unknown extension elements in
//! the data the compact form drops, an ISD-P AID outside the pattern) is not compacted: the
//! functions return [`CompactError`] and the IPA sends the full form.

use rasn::types::FixedOctetString;
use thiserror::Error;

use crate::asn1::rsp::{CancelSessionResponseOk, FinalResult, PrepareDownloadResponseOk};
use crate::asn1::sgp32::{
    AuthenticateResponseOk, AuthenticateServerResponse, AuthenticateServerResponseChoice,
    CancelSessionResponse, CancelSessionResponseChoice, CompactAuthenticateResponseOk,
    CompactCancelSessionResponseOk, CompactEuiccCancelSessionSigned, CompactEuiccSigned1,
    CompactEuiccSigned2, CompactFinalResult, CompactPrepareDownloadResponseOk,
    CompactProfileInstallationResult, CompactProfileInstallationResultData, CompactSignedData,
    CompactSuccessResult, PendingNotification, PrepareDownloadResponse,
    PrepareDownloadResponseChoice, ProfileInstallationResult,
};
use crate::euicc::{ISDP_AID_TEMPLATE, SIMA_RESPONSE_OK};

/// Why a full form is not compacted (the IPA then sends it as it is).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CompactError {
    /// The full form has unknown extension elements in a part the compact form drops; the eIM
    /// could not rebuild the signed data.
    #[error("{0} carries extension elements the compact form cannot keep")]
    Extensions(&'static str),
    /// The ISD-P AID is not 16 bytes `A0000005591010FFFFFFFF8900 xx xx 00`; compactAid (bytes
    /// 14 and 15) would not identify it.
    #[error("ISD-P AID {0} does not follow the A0000005591010FFFFFFFF8900xxxx00 pattern")]
    IsdpAid(String),
}

fn no_extensions(empty: bool, what: &'static str) -> Result<(), CompactError> {
    if empty {
        Ok(())
    } else {
        Err(CompactError::Extensions(what))
    }
}

/// SGP.32 `CompactAuthenticateResponseOk` from `SGP32-AuthenticateResponseOk`: signedData =
/// `compactEuiccSigned1` { extCardResource = euiccSigned1.euiccInfo2.extCardResource ('84'),
/// ctxParams1 = euiccSigned1.ctxParams1 }, euiccSignature1 as it is, euiccCertificate and
/// eumCertificate left out (the eIM has them from an eUICC data request).
pub fn compact_authenticate_response(
    ok: &AuthenticateResponseOk,
) -> Result<CompactAuthenticateResponseOk, CompactError> {
    let signed1 = &ok.euicc_signed1;
    no_extensions(signed1.extensions.is_empty(), "euiccSigned1")?;
    no_extensions(ok.extensions.is_empty(), "authenticateResponseOk")?;
    Ok(CompactAuthenticateResponseOk {
        signed_data: CompactSignedData::CompactEuiccSigned1(Box::new(CompactEuiccSigned1 {
            ext_card_resource: signed1.euicc_info2.ext_card_resource.clone(),
            ctx_params1: Some(signed1.ctx_params1.clone()),
            extensions: Default::default(),
        })),
        euicc_signature1: ok.euicc_signature1.clone(),
        euicc_certificate: None,
        eum_certificate: None,
        extensions: Default::default(),
    })
}

/// SGP.32 `CompactPrepareDownloadResponseOk` from `PrepareDownloadResponseOk` (SGP.22 5.7.5):
/// `compactEuiccSigned2` { euiccOtpk, hashCc (as in euiccSigned2) }, euiccSignature2 as it is
/// (euiccSigned2.transactionId is the session's).
pub fn compact_prepare_download_response(
    ok: &PrepareDownloadResponseOk,
) -> Result<CompactPrepareDownloadResponseOk, CompactError> {
    let signed2 = &ok.euicc_signed2;
    no_extensions(signed2.extensions.is_empty(), "euiccSigned2")?;
    no_extensions(ok.extensions.is_empty(), "downloadResponseOk")?;
    Ok(CompactPrepareDownloadResponseOk {
        compact_euicc_signed2: CompactEuiccSigned2 {
            euicc_otpk: Some(signed2.euicc_otpk.clone()),
            hash_cc: signed2.hash_cc.clone(),
            extensions: Default::default(),
        },
        euicc_signature2: ok.euicc_signature2.clone(),
        extensions: Default::default(),
    })
}

/// SGP.32 `compactAid` of an ISD-P AID: bytes 14 and 15 (1-based), when the AID is 16 bytes
/// [`ISDP_AID_TEMPLATE`] but for those two bytes.
pub fn compact_aid(aid: &[u8]) -> Result<[u8; 2], CompactError> {
    match aid {
        [prefix @ .., b14, b15, last]
            if prefix == &ISDP_AID_TEMPLATE[..13] && *last == ISDP_AID_TEMPLATE[15] =>
        {
            Ok([*b14, *b15])
        }
        _ => Err(CompactError::IsdpAid(hex::encode_upper(aid))),
    }
}

/// SGP.32 `CompactProfileInstallationResult` from `SGP32-ProfileInstallationResult`:
/// `compactProfileInstallationResultData` { transactionId, seqNumber (notificationMetadata),
/// iccidPresent (whether notificationMetadata has an iccid; DEFAULT TRUE), compactFinalResult
/// = successResult -> `compactSuccessResult` { compactAid ([`compact_aid`]), simaResponse
/// left out when it is the 9-byte success value [`SIMA_RESPONSE_OK`] }, errorResult as it is },
/// euiccSignPIR as it is. The eIM rebuilds smdpOid, notificationAddress (the session's
/// serverAddress), profileManagementOperation (notificationInstall), the ICCID and the AID.
pub fn compact_profile_installation_result(
    pir: &ProfileInstallationResult,
) -> Result<CompactProfileInstallationResult, CompactError> {
    let data = &pir.profile_installation_result_data;
    let metadata = &data.notification_metadata;
    no_extensions(pir.extensions.is_empty(), "profileInstallationResult")?;
    no_extensions(data.extensions.is_empty(), "profileInstallationResultData")?;
    no_extensions(metadata.extensions.is_empty(), "notificationMetadata")?;
    let compact_final_result = match &data.final_result {
        FinalResult::SuccessResult(success) => {
            no_extensions(success.extensions.is_empty(), "successResult")?;
            let sima_response =
                Some(success.sima_response.clone()).filter(|s| s[..] != SIMA_RESPONSE_OK[..]);
            CompactFinalResult::CompactSuccessResult(CompactSuccessResult {
                compact_aid: FixedOctetString::from(compact_aid(&success.aid)?),
                sima_response,
                extensions: Default::default(),
            })
        }
        FinalResult::ErrorResult(error) => CompactFinalResult::ErrorResult(error.clone()),
    };
    Ok(CompactProfileInstallationResult {
        compact_profile_installation_result_data: CompactProfileInstallationResultData {
            transaction_id: data.transaction_id.clone(),
            seq_number: metadata.seq_number,
            iccid_present: metadata.iccid.is_some(),
            compact_final_result,
            extensions: Default::default(),
        },
        euicc_sign_pir: pir.euicc_sign_pir.clone(),
        extensions: Default::default(),
    })
}

/// SGP.32 `CompactCancelSessionResponseOk` from `CancelSessionResponseOk` (SGP.22 5.7.14):
/// `compactEuiccCancelSessionSigned` { reason }, euiccCancelSessionSignature as it is
/// (transactionId and smdpOid are the session's).
pub fn compact_cancel_session_response(
    ok: &CancelSessionResponseOk,
) -> Result<CompactCancelSessionResponseOk, CompactError> {
    let signed = &ok.euicc_cancel_session_signed;
    no_extensions(signed.extensions.is_empty(), "euiccCancelSessionSigned")?;
    no_extensions(ok.extensions.is_empty(), "cancelSessionResponseOk")?;
    Ok(CompactCancelSessionResponseOk {
        compact_euicc_cancel_session_signed: CompactEuiccCancelSessionSigned {
            reason: Some(signed.reason),
            extensions: Default::default(),
        },
        euicc_cancel_session_signature: ok.euicc_cancel_session_signature.clone(),
        extensions: Default::default(),
    })
}

fn or_full<C, F>(converted: Result<C, CompactError>, full: F) -> Result<C, F> {
    converted.map_err(|e| {
        tracing::info!(%e, "full form sent instead of the compact one");
        full
    })
}

/// `SGP32-AuthenticateServerResponse` as an IPA with minimizeEsipaBytes sends it:
/// authenticateResponseOk -> compactAuthenticateResponseOk ([`compact_authenticate_response`],
/// or the full form when it cannot be compacted); errors and compact answers as they are.
pub fn minimize_authenticate_server_response(
    response: AuthenticateServerResponse,
) -> AuthenticateServerResponse {
    AuthenticateServerResponse(match response.0 {
        AuthenticateServerResponseChoice::AuthenticateResponseOk(ok) => {
            match or_full(compact_authenticate_response(&ok), ok) {
                Ok(c) => {
                    AuthenticateServerResponseChoice::CompactAuthenticateResponseOk(Box::new(c))
                }
                Err(ok) => AuthenticateServerResponseChoice::AuthenticateResponseOk(ok),
            }
        }
        other => other,
    })
}

/// `SGP32-PrepareDownloadResponse` as an IPA with minimizeEsipaBytes sends it:
/// downloadResponseOk -> compactDownloadResponseOk ([`compact_prepare_download_response`], or
/// the full form when it cannot be compacted); errors and compact answers as they are.
pub fn minimize_prepare_download_response(
    response: PrepareDownloadResponse,
) -> PrepareDownloadResponse {
    PrepareDownloadResponse(match response.0 {
        PrepareDownloadResponseChoice::DownloadResponseOk(ok) => {
            match or_full(compact_prepare_download_response(&ok), ok) {
                Ok(c) => PrepareDownloadResponseChoice::CompactDownloadResponseOk(c),
                Err(ok) => PrepareDownloadResponseChoice::DownloadResponseOk(ok),
            }
        }
        other => other,
    })
}

/// The PIR as an IPA with minimizeEsipaBytes sends it in HandleNotificationEsipa:
/// compactProfileInstallationResult ([`compact_profile_installation_result`]), or
/// profileInstallationResult when it cannot be compacted.
pub fn minimize_profile_installation_result(pir: ProfileInstallationResult) -> PendingNotification {
    match or_full(compact_profile_installation_result(&pir), pir) {
        Ok(c) => PendingNotification::CompactProfileInstallationResult(Box::new(c)),
        Err(pir) => PendingNotification::ProfileInstallationResult(Box::new(pir)),
    }
}

/// `SGP32-CancelSessionResponse` as an IPA with minimizeEsipaBytes sends it:
/// cancelSessionResponseOk -> compactCancelSessionResponseOk
/// ([`compact_cancel_session_response`], or the full form when it cannot be compacted); errors
/// and compact answers as they are.
pub fn minimize_cancel_session_response(response: CancelSessionResponse) -> CancelSessionResponse {
    CancelSessionResponse(match response.0 {
        CancelSessionResponseChoice::CancelSessionResponseOk(ok) => {
            match or_full(compact_cancel_session_response(&ok), ok) {
                Ok(c) => CancelSessionResponseChoice::CompactCancelSessionResponseOk(c),
                Err(ok) => CancelSessionResponseChoice::CancelSessionResponseOk(ok),
            }
        }
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use rasn::types::{Any, OctetString};

    use super::*;
    use crate::asn1::Extensions;
    use crate::asn1::pkix::Certificate;
    use crate::asn1::rsp::TransactionId;
    use crate::asn1::sgp32::{
        EuiccSigned1, InitiateAuthenticationResponseEsipa,
        InitiateAuthenticationResponseEsipaChoice,
    };

    const TID: &str = "ca6042de2aed4658a76e35e6db0ffc84";
    const SIG: &str = "11111111111111111111111111111111111111111111111111111111111111112222222222222222222222222222222222222222222222222222222222222222";

    /// Hex without spaces.
    fn h(text: &str) -> Vec<u8> {
        hex::decode(text.replace(' ', "")).unwrap()
    }

    /// A TLV (hex) with the DER length of `value` (hex, spaces ignored).
    fn tlv(tag: &str, value: &str) -> String {
        let value = value.replace(' ', "");
        let len = value.len() / 2;
        let len = match len {
            0..=0x7f => format!("{len:02x}"),
            0x80..=0xff => format!("81{len:02x}"),
            _ => format!("82{len:04x}"),
        };
        format!("{tag}{len}{value}")
    }

    /// Decodes a DER value given in hex.
    fn d<T: rasn::Decode>(text: &str) -> T {
        rasn::der::decode(&h(text)).unwrap()
    }

    fn tid() -> TransactionId {
        d(&tlv("04", TID))
    }

    /// CERT.DPauth of the captured InitiateAuthentication answer (any certificate will do).
    fn certificate() -> Certificate {
        let path = format!(
            "{}/../shared/spec/vectors/esipa-to-es9/2_initiateAuthenticationResponseEsipa.der",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).unwrap();
        let message: InitiateAuthenticationResponseEsipa = rasn::der::decode(&bytes).unwrap();
        match message.0 {
            InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationOkEsipa(ok) => {
                ok.server_certificate
            }
            other => panic!("{other:?}"),
        }
    }

    const AID: &str = "a0000005591010ffffffff8900001100";
    const ICCID: &str = "989209012143658709f5";
    const ADDRESS: &str = "736d64702e6578616d706c65"; // "smdp.example"
    const OID: &str = "0603883701";

    fn ctx() -> String {
        // ctxParamsForCommonAuthentication 'A0' { deviceInfo 'A1' { tac '80', caps 'A1' } }.
        tlv("a0", &tlv("a1", "800435290611a100"))
    }

    /// An SGP.32 EUICCInfo2 body with extCardResource '84 03 0a0b0c'.
    fn euicc_info2() -> String {
        let key = "f54172bdf98a95d65cbeb88a38a1c11d800a85c3";
        let body = "810302030082030205008303010203".to_string()
            + &tlv("84", "0a0b0c")
            + "85020780"
            + "88020560"
            + &tlv("a9", &tlv("04", key))
            + &tlv("aa", &tlv("04", key))
            + "8b0102"
            + "0403000100"
            + &tlv("0c", "4143")
            + "900100"
            + &tlv("b4", &(tlv("a0", "0403010200") + "81008200"));
        tlv("bf22", &body)
    }

    fn authenticate_ok() -> AuthenticateResponseOk {
        AuthenticateResponseOk {
            euicc_signed1: EuiccSigned1 {
                transaction_id: tid(),
                server_address: "smdp.example".into(),
                server_challenge: d(&tlv("04", &"42".repeat(16))),
                euicc_info2: d(&euicc_info2()),
                ctx_params1: d(&ctx()),
                extensions: Extensions::default(),
            },
            euicc_signature1: OctetString::from(h(SIG)),
            euicc_certificate: certificate(),
            eum_certificate: certificate(),
            extensions: Extensions::default(),
        }
    }

    fn hex_der<T: rasn::Encode>(value: &T) -> String {
        hex::encode(rasn::der::encode(value).unwrap())
    }

    fn unknown() -> Extensions {
        Extensions(vec![Any::new(h("9f7f0100"))])
    }

    #[test]
    fn authenticate_response_ok_becomes_compact_euicc_signed1_without_certificates() {
        let compact = compact_authenticate_response(&authenticate_ok()).unwrap();
        // CompactAuthenticateResponseOk: '30' { signedData compactEuiccSigned1 'A0' {
        // extCardResource '84', ctxParams1 'A2' { 'A0' } }, euiccSignature1 '5F37' }, no
        // 'A1'/'A2' certificates.
        let signed = tlv("a0", &(tlv("84", "0a0b0c") + &tlv("a2", &ctx())));
        let body = signed + &tlv("5f37", SIG);
        assert_eq!(hex_der(&compact), tlv("30", &body));
        // In SGP32-AuthenticateServerResponse: 'BF38' { compactAuthenticateResponseOk 'A2' }.
        let full = AuthenticateServerResponse(
            AuthenticateServerResponseChoice::AuthenticateResponseOk(Box::new(authenticate_ok())),
        );
        assert_eq!(
            hex_der(&minimize_authenticate_server_response(full)),
            tlv("bf38", &tlv("a2", &body))
        );
    }

    #[test]
    fn authenticate_errors_and_compact_answers_pass_as_they_are() {
        let error = AuthenticateServerResponse(
            AuthenticateServerResponseChoice::AuthenticateResponseError(d(&tlv(
                "30",
                &(tlv("80", TID) + "020102"),
            ))),
        );
        assert_eq!(minimize_authenticate_server_response(error.clone()), error);
        let compact = AuthenticateServerResponse(
            AuthenticateServerResponseChoice::CompactAuthenticateResponseOk(Box::new(
                compact_authenticate_response(&authenticate_ok()).unwrap(),
            )),
        );
        assert_eq!(
            minimize_authenticate_server_response(compact.clone()),
            compact
        );
    }

    #[test]
    fn unknown_elements_in_dropped_data_keep_the_full_form() {
        let mut ok = authenticate_ok();
        ok.euicc_signed1.extensions = unknown();
        assert_eq!(
            compact_authenticate_response(&ok),
            Err(CompactError::Extensions("euiccSigned1"))
        );
        let full = AuthenticateServerResponse(
            AuthenticateServerResponseChoice::AuthenticateResponseOk(Box::new(ok)),
        );
        assert_eq!(minimize_authenticate_server_response(full.clone()), full);
        let mut pir = pir(&success(AID, "3007a00530038001 00"), true);
        pir.profile_installation_result_data
            .notification_metadata
            .extensions = unknown();
        assert_eq!(
            compact_profile_installation_result(&pir),
            Err(CompactError::Extensions("notificationMetadata"))
        );
        assert!(matches!(
            minimize_profile_installation_result(pir),
            PendingNotification::ProfileInstallationResult(_)
        ));
    }

    fn prepare_ok(hash_cc: bool) -> PrepareDownloadResponseOk {
        let hash = if hash_cc {
            tlv("04", &"33".repeat(32))
        } else {
            String::new()
        };
        let signed2 = tlv(
            "30",
            &(tlv("80", TID) + &tlv("5f49", &format!("04{SIG}")) + &hash),
        );
        d(&tlv("30", &(signed2 + &tlv("5f37", SIG))))
    }

    #[test]
    fn prepare_download_ok_keeps_otpk_hash_cc_and_signature() {
        for hash_cc in [false, true] {
            let hash = if hash_cc {
                tlv("04", &"33".repeat(32))
            } else {
                String::new()
            };
            // CompactPrepareDownloadResponseOk: '30' { compactEuiccSigned2 '30' { euiccOtpk
            // '5F49', hashCc '04' OPTIONAL }, euiccSignature2 '5F37' } (no transactionId).
            let body = tlv("30", &(tlv("5f49", &format!("04{SIG}")) + &hash)) + &tlv("5f37", SIG);
            let compact = compact_prepare_download_response(&prepare_ok(hash_cc)).unwrap();
            assert_eq!(hex_der(&compact), tlv("30", &body));
            let full = PrepareDownloadResponse(PrepareDownloadResponseChoice::DownloadResponseOk(
                Box::new(prepare_ok(hash_cc)),
            ));
            // 'BF21' { compactDownloadResponseOk 'A2' }.
            assert_eq!(
                hex_der(&minimize_prepare_download_response(full)),
                tlv("bf21", &tlv("a2", &body))
            );
        }
        let error = PrepareDownloadResponse(PrepareDownloadResponseChoice::DownloadResponseError(
            d(&tlv("30", &(tlv("80", TID) + "020105"))),
        ));
        assert_eq!(minimize_prepare_download_response(error.clone()), error);
    }

    /// successResult 'A0' { aid '4F', simaResponse '04' }.
    fn success(aid: &str, sima: &str) -> String {
        tlv("a0", &(tlv("4f", aid) + &tlv("04", sima)))
    }

    /// A PIR 'BF37' with `final_result` (the 'A0'/'A1' alternative) and seqNumber 3.
    fn pir(final_result: &str, iccid: bool) -> ProfileInstallationResult {
        let iccid = if iccid {
            tlv("5a", ICCID)
        } else {
            String::new()
        };
        let metadata = tlv(
            "bf2f",
            &("800103810207 80".to_string() + &tlv("0c", ADDRESS) + &iccid),
        );
        let data = tlv(
            "bf27",
            &(tlv("80", TID) + &metadata + OID + &tlv("a2", final_result)),
        );
        d(&tlv("bf37", &(data + &tlv("5f37", SIG))))
    }

    #[test]
    fn pir_success_keeps_transaction_seq_compact_aid_and_signature() {
        let full = pir(&success(AID, "3007a005300380 0100"), true);
        let compact = compact_profile_installation_result(&full).unwrap();
        // CompactProfileInstallationResult: '30' { compactProfileInstallationResultData 'A0' {
        // transactionId '80', seqNumber '02', (iccidPresent TRUE left out), compactFinalResult
        // 'A2' { compactSuccessResult 'A0' { compactAid '4F' = bytes 14-15 } } }, '5F37' }.
        let data = tlv(
            "a0",
            &(tlv("80", TID) + "020103" + &tlv("a2", &tlv("a0", "4f020011"))),
        );
        let body = data + &tlv("5f37", SIG);
        assert_eq!(hex_der(&compact), tlv("30", &body));
        // As SGP32-PendingNotification: compactProfileInstallationResult 'A0'.
        assert_eq!(
            hex_der(&minimize_profile_installation_result(full)),
            tlv("a0", &body)
        );
    }

    #[test]
    fn pir_without_iccid_or_with_another_sima_response_says_so() {
        let full = pir(&success(AID, "3007a00530038001 01"), false);
        let data = tlv(
            "a0",
            &(tlv("80", TID)
                + "020103"
                + "010100"
                + &tlv(
                    "a2",
                    &tlv("a0", &("4f020011".to_string() + "04093007a0053003800101")),
                )),
        );
        assert_eq!(
            hex_der(&compact_profile_installation_result(&full).unwrap()),
            tlv("30", &(data + &tlv("5f37", SIG)))
        );
    }

    #[test]
    fn pir_error_result_is_copied() {
        // errorResult 'A1' { bppCommandId '80' 3, errorReason '81' 8 }.
        let error = tlv("a1", "800103810108");
        let full = pir(&error, false);
        let data = tlv(
            "a0",
            &(tlv("80", TID) + "020103" + "010100" + &tlv("a2", &error)),
        );
        assert_eq!(
            hex_der(&compact_profile_installation_result(&full).unwrap()),
            tlv("30", &(data + &tlv("5f37", SIG)))
        );
    }

    #[test]
    fn an_aid_outside_the_pattern_keeps_the_full_pir() {
        assert_eq!(compact_aid(&h(AID)), Ok([0x00, 0x11]));
        assert_eq!(
            compact_aid(&h("a0000005591010ffffffff8900001000")),
            Ok([0x00, 0x10])
        );
        for aid in [
            "a0000005591010ffffffff89000011",     // 15 bytes
            "a0000005591010ffffffff890000110000", // 17 bytes
            "a0000005591010ffffffff8900001101",   // byte 16 not 00
            "a0000005591010ffffffff8901001100",   // byte 13 not 00
            "a0000005591010",
        ] {
            assert_eq!(
                compact_aid(&h(aid)),
                Err(CompactError::IsdpAid(aid.to_uppercase())),
                "{aid}"
            );
            let full = pir(&success(aid, "3007a00530038001 00"), true);
            assert!(compact_profile_installation_result(&full).is_err());
            assert_eq!(
                minimize_profile_installation_result(full.clone()),
                PendingNotification::ProfileInstallationResult(Box::new(full))
            );
        }
    }

    fn cancel_ok() -> CancelSessionResponseOk {
        // euiccCancelSessionSigned '30' { transactionId '80', smdpOid '81', reason '82' 127 }.
        let signed = tlv("30", &(tlv("80", TID) + "8103883701" + "82017f"));
        d(&tlv("30", &(signed + &tlv("5f37", SIG))))
    }

    #[test]
    fn cancel_session_ok_keeps_reason_and_signature() {
        // CompactCancelSessionResponseOk: '30' { compactEuiccCancelSessionSigned '30' { reason
        // '80' }, euiccCancelSessionSignature '5F37' }.
        let body = tlv("30", "80017f") + &tlv("5f37", SIG);
        let compact = compact_cancel_session_response(&cancel_ok()).unwrap();
        assert_eq!(hex_der(&compact), tlv("30", &body));
        let full = CancelSessionResponse(CancelSessionResponseChoice::CancelSessionResponseOk(
            Box::new(cancel_ok()),
        ));
        // 'BF41' { compactCancelSessionResponseOk 'A2' }.
        assert_eq!(
            hex_der(&minimize_cancel_session_response(full)),
            tlv("bf41", &tlv("a2", &body))
        );
        // cancelSessionResponseError '81' passes as it is.
        let error: CancelSessionResponse = d(&tlv("bf41", "810105"));
        assert_eq!(minimize_cancel_session_response(error.clone()), error);
    }
}
