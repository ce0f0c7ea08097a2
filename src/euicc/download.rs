//! The download side of the ISD-R (SGP.22 3.1.3): AuthenticateServer (5.7.13), PrepareDownload
//! (5.7.5), LoadBoundProfilePackage (5.7.6) and CancelSession (5.7.14), in their SGP.32 forms
//! (the full, non-compact alternatives). See the module docs of [`crate::euicc`] for the
//! signed data and the choices.

use rasn::types::{ObjectIdentifier, OctetString};

use super::state::{Euicc, PendingItem, Profile, event_bits, isdp_aid};
use super::trust::{CertProblem, POLICY_DP_AUTH, POLICY_DP_PB, POLICY_DS_AUTH, check_server_cert};
use crate::asn1::rsp::{
    AuthenticateErrorCode, AuthenticateResponseError, AuthenticateServerRequest, BppCommandId,
    CancelSessionRequest, CancelSessionResponseOk, DownloadErrorCode, ErrorReason, ErrorResult,
    EuiccCancelSessionSigned, EuiccSignPIR, EuiccSigned2, FinalResult, Iccid, NotificationMetadata,
    Octet16, Octet32, PrepareDownloadRequest, PrepareDownloadResponseError,
    PrepareDownloadResponseOk, ProfileInstallationResultData, SuccessResult, TransactionId,
};
use crate::asn1::sgp32::{
    AuthenticateResponseOk, AuthenticateServerResponse, AuthenticateServerResponseChoice,
    CancelSessionResponse, CancelSessionResponseChoice, CancelSessionResponseError, EuiccSigned1,
    PrepareDownloadResponse, PrepareDownloadResponseChoice, ProfileInstallationResult,
};
use crate::asn1::tlv;
use crate::crypto::{EckaPrivateKey, VerifyingKey, provider};
use crate::profile::{OpenedProfile, OpeningParams, open_bpp};

/// The smdpOid used when the SM-DP+ certificate carries no subjectAltName registeredID (the
/// harness PKI's certificates have none): `2.999` (the X.660 example arc).
pub const UNKNOWN_SMDP_OID: [u32; 2] = [2, 999];

/// The simaResponse of a successful installation: EUICCResponse with peStatus ok
/// (`30 07 A0 05 30 03 80 01 00`, the value SGP.32's CompactSuccessResult leaves out).
pub const SIMA_RESPONSE_OK: [u8; 9] = [0x30, 0x07, 0xA0, 0x05, 0x30, 0x03, 0x80, 0x01, 0x00];

/// Largest BoundProfilePackage the segmented form buffers (a bigger declared length is refused).
pub const MAX_BPP_LEN: usize = 1 << 20;

/// The NotificationEvent bit of profile installation.
const EVENT_INSTALL: usize = 0;

/// An RSP download session (SGP.22 3.1.3), opened by a successful AuthenticateServer.
#[derive(Debug, Clone)]
pub struct DownloadSession {
    /// The TransactionId of serverSigned1.
    pub transaction_id: TransactionId,
    /// serverAddress of serverSigned1: the PIR's notificationAddress.
    pub server_address: String,
    /// serverChallenge of serverSigned1.
    pub server_challenge: Octet16,
    /// The SM-DP+ OID (subjectAltName registeredID of CERT.DPauth), when present.
    pub smdp_oid: Option<ObjectIdentifier>,
    /// matchingId of ctxParams1, when present.
    pub matching_id: Option<String>,
    /// The euiccSignature1 TLV (`5F37 40 ..`): the tail of smdpSignature2's signed data.
    pub euicc_signature1_tlv: Vec<u8>,
    /// Set by a successful PrepareDownload.
    pub prepared: Option<PreparedDownload>,
}

impl DownloadSession {
    /// The smdpOid to sign (the certificate's, or [`UNKNOWN_SMDP_OID`]).
    pub fn smdp_oid_or_unknown(&self) -> ObjectIdentifier {
        self.smdp_oid.clone().unwrap_or_else(unknown_oid)
    }
}

/// What PrepareDownload leaves for LoadBoundProfilePackage.
#[derive(Debug, Clone)]
pub struct PreparedDownload {
    /// otSK.EUICC.ECKA.
    pub euicc_otsk: EckaPrivateKey,
    /// PK.DPpb of the CERT.DPpb received.
    pub dp_pb: VerifyingKey,
    /// hashCc signed in euiccSigned2, if any.
    pub hash_cc: Option<Octet32>,
}

fn unknown_oid() -> ObjectIdentifier {
    ObjectIdentifier::new_unchecked(std::borrow::Cow::Borrowed(&UNKNOWN_SMDP_OID[..]))
}

/// The first TLV inside the TLV `request` (the signed part of AuthenticateServer and
/// PrepareDownload), as received.
pub(crate) fn first_inner_tlv(request: &[u8]) -> Option<&[u8]> {
    let outer = tlv::split(request).ok()?;
    tlv::split(outer.content).ok().map(|t| t.whole)
}

/// The declared total length of a BF36 TLV whose header is at the start of `bytes`.
pub(crate) fn bpp_declared_len(bytes: &[u8]) -> Option<usize> {
    if bytes.get(..2)? != [0xBF, 0x36] {
        return None;
    }
    let first = *bytes.get(2)?;
    let (len, header) = match first {
        n if n < 0x80 => (usize::from(n), 3),
        0x81..=0x83 => {
            let k = usize::from(first & 0x7F);
            let octets = bytes.get(3..3 + k)?;
            (
                octets
                    .iter()
                    .fold(0usize, |a, b| (a << 8) | usize::from(*b)),
                3 + k,
            )
        }
        _ => return None,
    };
    Some(header + len)
}

fn auth_error(tid: &TransactionId, code: AuthenticateErrorCode) -> AuthenticateServerResponse {
    AuthenticateServerResponse(AuthenticateServerResponseChoice::AuthenticateResponseError(
        AuthenticateResponseError {
            transaction_id: tid.clone(),
            authenticate_error_code: code,
            extensions: Default::default(),
        },
    ))
}

fn download_error(tid: &TransactionId, code: DownloadErrorCode) -> PrepareDownloadResponse {
    PrepareDownloadResponse(PrepareDownloadResponseChoice::DownloadResponseError(
        PrepareDownloadResponseError {
            transaction_id: tid.clone(),
            download_error_code: code,
            extensions: Default::default(),
        },
    ))
}

fn cancel_error(code: CancelSessionResponseError) -> CancelSessionResponse {
    CancelSessionResponse(CancelSessionResponseChoice::CancelSessionResponseError(
        code,
    ))
}

/// `5F37 len sig`.
fn signature_tlv(sig: &[u8]) -> Vec<u8> {
    tlv::encode(&[0x5F, 0x37], sig)
}

impl Euicc {
    /// The ongoing download session, if any.
    pub fn download_session(&self) -> Option<&DownloadSession> {
        self.session.as_ref()
    }

    /// The trust anchors for RSP server certificates: the own PKI's CI, then
    /// [`super::Settings::trusted_cis`].
    fn anchors(&self) -> Vec<&[u8]> {
        let mut v: Vec<&[u8]> = Vec::new();
        if let Some(pki) = &self.certs.pki {
            v.push(&pki.ci.cert_der);
        }
        v.extend(
            self.settings
                .trusted_cis
                .iter()
                .map(|c| c.cert_der.as_slice()),
        );
        v
    }

    /// `euiccCiPKIdListForVerification`: the own CI, then the extra trusted CIs.
    pub(crate) fn verification_pk_ids(&self) -> Vec<Vec<u8>> {
        let mut ids = self.ci_pk_ids.clone();
        for ci in self.settings.trusted_cis.iter() {
            if !ids.contains(&ci.pk_id) {
                ids.push(ci.pk_id.clone());
            }
        }
        ids
    }

    /// SGP.22 5.7.13 AuthenticateServer. `signed1_raw`: serverSigned1 as received (None: its
    /// DER re-encoding is verified).
    pub(crate) fn authenticate_server(
        &mut self,
        req: &AuthenticateServerRequest,
        signed1_raw: Option<&[u8]>,
    ) -> AuthenticateServerResponse {
        let s1 = &req.server_signed1;
        let tid = &s1.transaction_id;
        // A new authentication ends any ongoing session; the challenge is used once.
        self.session = None;
        let Some(challenge) = self.last_challenge.take() else {
            return auth_error(tid, AuthenticateErrorCode::NO_SESSION_CONTEXT);
        };
        if !self
            .verification_pk_ids()
            .iter()
            .any(|id| id[..] == req.euicc_ci_pk_id_to_be_used.as_ref()[..])
        {
            return auth_error(tid, AuthenticateErrorCode::CI_PK_UNKNOWN);
        }
        let Ok(cert_der) = req.server_certificate.to_der() else {
            return auth_error(tid, AuthenticateErrorCode::INVALID_CERTIFICATE);
        };
        let checked = match check_server_cert(
            &cert_der,
            self.anchors().into_iter(),
            &[POLICY_DP_AUTH, POLICY_DS_AUTH],
        ) {
            Ok(c) => c,
            Err(problem) => {
                tracing::debug!(?problem, "AuthenticateServer: serverCertificate refused");
                let code = match problem {
                    CertProblem::Invalid(_) => AuthenticateErrorCode::INVALID_CERTIFICATE,
                    CertProblem::UnsupportedCurve(_) => AuthenticateErrorCode::UNSUPPORTED_CURVE,
                    CertProblem::WrongPolicy(_) => AuthenticateErrorCode::INVALID_OID,
                };
                return auth_error(tid, code);
            }
        };
        let p = provider(self.settings.backend);
        let Ok(server_key) = p.verifying_key_from_certificate_der(&cert_der) else {
            return auth_error(tid, AuthenticateErrorCode::UNSUPPORTED_CURVE);
        };
        let signed_data = match signed1_raw {
            Some(raw) => raw.to_vec(),
            None => match rasn::der::encode(s1) {
                Ok(d) => d,
                Err(_) => return auth_error(tid, AuthenticateErrorCode::UNDEFINED_ERROR),
            },
        };
        if server_key
            .verify(&signed_data, &req.server_signature1)
            .is_err()
        {
            return auth_error(tid, AuthenticateErrorCode::INVALID_SIGNATURE);
        }
        if s1.euicc_challenge.as_ref() != challenge {
            return auth_error(tid, AuthenticateErrorCode::EUICC_CHALLENGE_MISMATCH);
        }
        let Ok(certs) = self.certs() else {
            return auth_error(tid, AuthenticateErrorCode::UNDEFINED_ERROR);
        };
        let signed1 = EuiccSigned1 {
            transaction_id: tid.clone(),
            server_address: s1.server_address.clone(),
            server_challenge: s1.server_challenge.clone(),
            euicc_info2: self.euicc_info2(),
            ctx_params1: req.ctx_params1.clone(),
            extensions: Default::default(),
        };
        let Ok(signed1_der) = rasn::der::encode(&signed1) else {
            return auth_error(tid, AuthenticateErrorCode::UNDEFINED_ERROR);
        };
        let signature = self.sign(&signed1_der);
        let crate::asn1::rsp::CtxParams1::CtxParamsForCommonAuthentication(ctx) = &req.ctx_params1;
        self.session = Some(DownloadSession {
            transaction_id: tid.clone(),
            server_address: s1.server_address.clone(),
            server_challenge: s1.server_challenge.clone(),
            smdp_oid: checked.oid,
            matching_id: ctx.matching_id.clone(),
            euicc_signature1_tlv: signature_tlv(&signature),
            prepared: None,
        });
        AuthenticateServerResponse(AuthenticateServerResponseChoice::AuthenticateResponseOk(
            Box::new(AuthenticateResponseOk {
                euicc_signed1: signed1,
                euicc_signature1: OctetString::from(signature),
                euicc_certificate: certs.euicc.clone(),
                eum_certificate: certs.eum.clone(),
                extensions: Default::default(),
            }),
        ))
    }

    /// SGP.22 5.7.5 PrepareDownload. `signed2_raw`: smdpSigned2 as received (None: its DER
    /// re-encoding is verified).
    pub(crate) fn prepare_download(
        &mut self,
        req: &PrepareDownloadRequest,
        signed2_raw: Option<&[u8]>,
    ) -> PrepareDownloadResponse {
        let s2 = &req.smdp_signed2;
        let tid = &s2.transaction_id;
        let anchors: Vec<Vec<u8>> = self.anchors().into_iter().map(<[u8]>::to_vec).collect();
        let backend = self.settings.backend;
        let Some(session) = self.session.as_ref() else {
            return download_error(tid, DownloadErrorCode::NO_SESSION_CONTEXT);
        };
        if session.prepared.is_some() {
            // The session is past PrepareDownload.
            return download_error(tid, DownloadErrorCode::NO_SESSION_CONTEXT);
        }
        let Ok(cert_der) = req.smdp_certificate.to_der() else {
            return download_error(tid, DownloadErrorCode::INVALID_CERTIFICATE);
        };
        let checked = match check_server_cert(
            &cert_der,
            anchors.iter().map(Vec::as_slice),
            &[POLICY_DP_PB],
        ) {
            Ok(c) => c,
            Err(problem) => {
                tracing::debug!(?problem, "PrepareDownload: smdpCertificate refused");
                let code = match problem {
                    CertProblem::UnsupportedCurve(_) => DownloadErrorCode::UNSUPPORTED_CURVE,
                    _ => DownloadErrorCode::INVALID_CERTIFICATE,
                };
                return download_error(tid, code);
            }
        };
        if let (Some(pb), Some(auth)) = (&checked.oid, &session.smdp_oid)
            && pb != auth
        {
            return download_error(tid, DownloadErrorCode::INVALID_CERTIFICATE);
        }
        let p = provider(backend);
        let Ok(dp_pb) = p.verifying_key_from_certificate_der(&cert_der) else {
            return download_error(tid, DownloadErrorCode::UNSUPPORTED_CURVE);
        };
        let mut signed_data = match signed2_raw {
            Some(raw) => raw.to_vec(),
            None => match rasn::der::encode(s2) {
                Ok(d) => d,
                Err(_) => return download_error(tid, DownloadErrorCode::UNDEFINED_ERROR),
            },
        };
        signed_data.extend_from_slice(&session.euicc_signature1_tlv);
        if dp_pb.verify(&signed_data, &req.smdp_signature2).is_err() {
            return download_error(tid, DownloadErrorCode::INVALID_SIGNATURE);
        }
        if tid != &session.transaction_id {
            return download_error(tid, DownloadErrorCode::INVALID_TRANSACTION_ID);
        }
        if s2.cc_required_flag && req.hash_cc.is_none() {
            // SGP.22 v2.5 has no dedicated code (no hashCcMandatory in DownloadErrorCode).
            return download_error(tid, DownloadErrorCode::UNDEFINED_ERROR);
        }
        let hash_cc = if s2.cc_required_flag {
            req.hash_cc.clone()
        } else {
            None
        };
        let Some(otsk) = self.one_time_key(tid) else {
            return download_error(tid, DownloadErrorCode::UNDEFINED_ERROR);
        };
        let signed2 = EuiccSigned2 {
            transaction_id: tid.clone(),
            euicc_otpk: OctetString::from(otsk.public_key_sec1().to_vec()),
            hash_cc: hash_cc.clone(),
            extensions: Default::default(),
        };
        let Ok(mut msg) = rasn::der::encode(&signed2) else {
            return download_error(tid, DownloadErrorCode::UNDEFINED_ERROR);
        };
        msg.extend(signature_tlv(&req.smdp_signature2));
        let signature = self.sign(&msg);
        if let Some(session) = self.session.as_mut() {
            session.prepared = Some(PreparedDownload {
                euicc_otsk: otsk,
                dp_pb,
                hash_cc,
            });
        }
        PrepareDownloadResponse(PrepareDownloadResponseChoice::DownloadResponseOk(Box::new(
            PrepareDownloadResponseOk {
                euicc_signed2: signed2,
                euicc_signature2: OctetString::from(signature),
                extensions: Default::default(),
            },
        )))
    }

    /// otSK.EUICC.ECKA, derived from the seed, the EID, the transaction and the challenge count
    /// (sans-IO: reproducible): SHA-256("euicc-otsk" || seed || EID || tid || n || try).
    fn one_time_key(&self, tid: &TransactionId) -> Option<EckaPrivateKey> {
        let p = provider(self.settings.backend);
        (0u8..8).find_map(|attempt| {
            let scalar = p.sha256_parts(&[
                b"euicc-otsk",
                &self.challenge_seed.to_be_bytes(),
                self.eid.as_bcd(),
                tid.as_ref(),
                &self.challenges.to_be_bytes(),
                &[attempt],
            ]);
            p.ecka_key_from_scalar(&scalar).ok()
        })
    }

    /// SGP.22 5.7.6 LoadBoundProfilePackage: `bpp` is the whole BF36 TLV. Always answers a
    /// ProfileInstallationResult and ends the session.
    pub(crate) fn load_bound_profile_package(&mut self, bpp: &[u8]) -> ProfileInstallationResult {
        let session = self.session.take();
        let Some((session, prepared)) = session.and_then(|s| s.prepared.clone().map(|p| (s, p)))
        else {
            // No prepared session: nothing to derive keys from. The PIR names the BPP's
            // transactionId and is not kept as a notification (no SM-DP+ to send it to).
            let tid = rasn::ber::decode::<crate::asn1::rsp::BoundProfilePackage>(bpp)
                .map(|b| b.initialise_secure_channel_request.transaction_id)
                .unwrap_or_default();
            let data = self.pir_data(
                tid,
                unknown_oid(),
                String::new(),
                None,
                error_result(
                    BppCommandId::INITIALISE_SECURE_CHANNEL,
                    ErrorReason::INVALID_TRANSACTION_ID,
                ),
            );
            return self.sign_pir(data);
        };
        let p = provider(self.settings.backend);
        let params = OpeningParams {
            provider: p,
            transaction_id: &session.transaction_id,
            eid: self.eid,
            euicc_otsk: &prepared.euicc_otsk,
            dp_pb: &prepared.dp_pb,
        };
        let (iccid, final_result) = match open_bpp(bpp, &params) {
            Err(e) => {
                tracing::debug!(error = %e, "LoadBoundProfilePackage refused");
                (None, error_result(e.command, e.reason))
            }
            Ok(opened) if self.profile_index(&opened.iccid).is_some() => (
                None,
                error_result(
                    BppCommandId::STORE_METADATA,
                    ErrorReason::INSTALL_FAILED_DUE_TO_ICCID_ALREADY_EXISTS_ON_EUICC,
                ),
            ),
            Ok(opened) => {
                let iccid = opened.iccid.clone();
                let aid = self.install(opened);
                (
                    Some(iccid),
                    FinalResult::SuccessResult(SuccessResult {
                        aid: OctetString::from(aid),
                        sima_response: OctetString::from(SIMA_RESPONSE_OK.to_vec()),
                        extensions: Default::default(),
                    }),
                )
            }
        };
        let oid = session.smdp_oid_or_unknown();
        let data = self.pir_data(
            session.transaction_id,
            oid,
            session.server_address,
            iccid,
            final_result,
        );
        let pir = self.sign_pir(data);
        self.pending.push(PendingItem::Pir {
            seq_number: pir
                .profile_installation_result_data
                .notification_metadata
                .seq_number,
            result: Box::new(pir.clone()),
        });
        pir
    }

    /// Installs an opened profile, disabled; returns its ISD-P AID.
    fn install(&mut self, opened: OpenedProfile) -> Vec<u8> {
        let slot = (0..=self.profiles.len())
            .find(|s| {
                let aid = isdp_aid(*s);
                !self.profiles.iter().any(|p| p.isdp_aid == aid)
            })
            .unwrap_or(self.profiles.len());
        let m = &opened.metadata;
        let ppr = |bit: usize| {
            m.profile_policy_rules
                .as_ref()
                .is_some_and(|b| b.get(bit).is_some_and(|x| *x))
        };
        let mut profile = Profile::new(opened.iccid.clone());
        profile.isdp_aid = isdp_aid(slot);
        profile.class = m.profile_class_or_default();
        profile.service_provider_name = m.service_provider_name.clone();
        profile.profile_name = m.profile_name.clone();
        profile.ppr1 = ppr(1);
        profile.ppr2 = ppr(2);
        profile.notification_configuration = m
            .notification_configuration_info
            .clone()
            .unwrap_or_default();
        let aid = profile.isdp_aid.clone();
        self.profiles.push(profile);
        self.last_installed = Some(opened.iccid);
        aid
    }

    fn pir_data(
        &mut self,
        transaction_id: TransactionId,
        smdp_oid: ObjectIdentifier,
        notification_address: String,
        iccid: Option<Iccid>,
        final_result: FinalResult,
    ) -> ProfileInstallationResultData {
        ProfileInstallationResultData {
            transaction_id,
            notification_metadata: NotificationMetadata {
                seq_number: self.next_seq_number(),
                profile_management_operation: event_bits(EVENT_INSTALL),
                notification_address,
                iccid,
                extensions: Default::default(),
            },
            smdp_oid,
            final_result,
            extensions: Default::default(),
        }
    }

    /// euiccSignPIR: SK.EUICC over DER(ProfileInstallationResultData) ('BF27 ..').
    fn sign_pir(&self, data: ProfileInstallationResultData) -> ProfileInstallationResult {
        let der = rasn::der::encode(&data).unwrap_or_default();
        let sig = self.sign(&der);
        ProfileInstallationResult {
            profile_installation_result_data: data,
            euicc_sign_pir: EuiccSignPIR::new(sig),
            extensions: Default::default(),
        }
    }

    /// SGP.22 5.7.14 CancelSession.
    pub(crate) fn cancel_session(&mut self, req: &CancelSessionRequest) -> CancelSessionResponse {
        let Some(session) = self.session.as_ref() else {
            return cancel_error(CancelSessionResponseError::INVALID_TRANSACTION_ID);
        };
        if session.transaction_id != req.transaction_id {
            return cancel_error(CancelSessionResponseError::INVALID_TRANSACTION_ID);
        }
        let signed = EuiccCancelSessionSigned {
            transaction_id: req.transaction_id.clone(),
            smdp_oid: session.smdp_oid_or_unknown(),
            reason: req.reason,
            extensions: Default::default(),
        };
        let Ok(der) = rasn::der::encode(&signed) else {
            return cancel_error(CancelSessionResponseError::UNDEFINED_ERROR);
        };
        let signature = self.sign(&der);
        self.session = None;
        CancelSessionResponse(CancelSessionResponseChoice::CancelSessionResponseOk(
            Box::new(CancelSessionResponseOk {
                euicc_cancel_session_signed: signed,
                euicc_cancel_session_signature: OctetString::from(signature),
                extensions: Default::default(),
            }),
        ))
    }

    /// The segmented LoadBoundProfilePackage (SGP.22 5.7.6: BF36 header with BF23, then each
    /// A0/A1/A2/A3 part in its own STORE DATA sequence): `Some(Ok(empty))` while buffering,
    /// `Some(result)` with the whole BPP's answer once the declared length is reached, `None`
    /// when `request` is not part of a segmented BPP.
    pub(crate) fn bpp_segment(
        &mut self,
        request: &[u8],
    ) -> Option<Result<Vec<u8>, super::Es10Error>> {
        // A request starting with 'BF' (a new ES10 function) abandons a partial BPP.
        if let Some(mut buf) = self.bpp_buffer.take()
            && request.first() != Some(&0xBF)
        {
            buf.extend_from_slice(request);
            let total = bpp_declared_len(&buf)?;
            return Some(if buf.len() < total {
                self.bpp_buffer = Some(buf);
                Ok(Vec::new())
            } else if buf.len() > total {
                Err(super::Es10Error::TrailingBytes(buf.len() - total))
            } else {
                self.handle_es10(&buf)
            });
        }
        let total = bpp_declared_len(request)?;
        if request.len() >= total {
            return None;
        }
        if total > MAX_BPP_LEN {
            return Some(Err(super::Es10Error::IncorrectData(
                "BoundProfilePackage too long",
            )));
        }
        self.bpp_buffer = Some(request.to_vec());
        Some(Ok(Vec::new()))
    }
}

fn error_result(command: BppCommandId, reason: ErrorReason) -> FinalResult {
    FinalResult::ErrorResult(ErrorResult {
        bpp_command_id: command,
        error_reason: reason,
        sima_response: None,
        extensions: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_lengths() {
        assert_eq!(bpp_declared_len(&[0xBF, 0x36, 0x05]), Some(8));
        assert_eq!(bpp_declared_len(&[0xBF, 0x36, 0x81, 0x80]), Some(4 + 0x80));
        assert_eq!(
            bpp_declared_len(&[0xBF, 0x36, 0x82, 0x01, 0x00]),
            Some(5 + 256)
        );
        assert_eq!(bpp_declared_len(&[0xBF, 0x36, 0x82, 0x01]), None);
        assert_eq!(bpp_declared_len(&[0xBF, 0x36, 0x80]), None);
        assert_eq!(bpp_declared_len(&[0xBF, 0x37, 0x01]), None);
        assert_eq!(bpp_declared_len(&[]), None);
    }

    #[test]
    fn first_inner_tlv_is_as_received() {
        let req = [0xBF, 0x38, 0x06, 0x30, 0x02, 0x80, 0x00, 0x04, 0x00];
        assert_eq!(first_inner_tlv(&req), Some(&[0x30, 0x02, 0x80, 0x00][..]));
        assert_eq!(first_inner_tlv(&[0xBF, 0x38, 0x00]), None);
    }

    #[test]
    fn unknown_oid_is_two_arcs() {
        assert_eq!(unknown_oid().to_string(), "2.999");
    }
}
