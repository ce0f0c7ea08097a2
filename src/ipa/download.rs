//! The IPA's profile download, indirect (SGP.32 3.2.3.2, notes 4.4) or direct (SGP.32 3.2.3.1,
//! below), started by a ProfileDownloadTriggerRequest in a GetEimPackage answer.
//!
//! # Sequence (one state per step)
//! `DlInfo1` ES10b GetEUICCInfo1 (not with minimizeEsipaBytes, see Choices) -> `DlChallenge`
//! ES10b GetEUICCChallenge -> `DlInitiate` ESipa InitiateAuthenticationRequestEsipa
//! (euiccChallenge, smdpAddress, euiccInfo1, eimTransactionId) -> `DlAuthenticateServer` ES10b AuthenticateServer (ctxParams1 with the
//! activation code's matchingId and deviceInfo with the configured TAC) -> `DlAuthenticateClient`
//! ESipa AuthenticateClientRequestEsipa -> `DlPrepare` ES10b PrepareDownload (hashCc =
//! SHA-256(SHA-256(CC) | transactionId) when a confirmation code is configured, SGP.22 3.1.3) ->
//! `DlGetBpp` ESipa GetBoundProfilePackageRequestEsipa -> `DlLoad` ES10b LoadBoundProfilePackage
//! (the whole BPP) -> [`DlImmediateEnable` ES10b ImmediateEnable, when the IPA is configured
//! for it ([`super::IpaConfig::immediate_enable`]) and the profile was installed] -> `DlNotify` ESipa HandleNotificationEsipa with the PIR (HTTP 204, any 2xx
//! accepted, the body ignored) -> `DlRemove` ES10b RemoveNotificationFromList(PIR seqNumber) ->
//! [`IpaOutcome::ProfileDownloaded`].
//!
//! A trigger with contactDefaultSmdp (SGP.32 2.11.1.4) starts with `DlDefaultAddress`, ES10a
//! GetEuiccConfiguredAddresses: the eUICC's defaultDpAddress becomes the SM-DP+ address and the
//! download runs without a matchingId (SGP.22 3.1.1: the SM-DP+ finds the order by the EID). An
//! eUICC without a default SM-DP+ address: profileDownloadTriggerResult / profileDownloadError
//! undefinedError ([`IpaOutcome::DownloadTriggerRefused`]). contactSmds is refused the same way
//! (no SM-DS here).
//!
//! # Choices
//! - minimizeEsipaBytes (ipaFeatures bit 5, indirect download only): the simulated eUICC
//!   answers the full SGP.22 forms and the IPA compacts them itself ([`super::compact`]) before
//!   putting them on ESipa; the eUICC's signatures cover the full forms, so nothing is re-signed.
//!   The download starts at `DlChallenge` (no ES10b GetEUICCInfo1) and
//!   InitiateAuthenticationRequestEsipa has no euiccInfo1. AuthenticateClientRequestEsipa
//!   carries compactAuthenticateResponseOk {compactEuiccSigned1 {extCardResource (from
//!   euiccInfo2), ctxParams1}, euiccSignature1, no certificates};
//!   GetBoundProfilePackageRequestEsipa compactDownloadResponseOk {compactEuiccSigned2
//!   {euiccOtpk, hashCc}, euiccSignature2}; HandleNotificationEsipa
//!   compactProfileInstallationResult {transactionId, seqNumber, iccidPresent,
//!   compactSuccessResult {compactAid = bytes 14-15 of the ISD-P AID, simaResponse only when it
//!   is not '30 07 A0 05 30 03 80 01 00'} or errorResult, euiccSignPIR};
//!   CancelSessionRequestEsipa compactCancelSessionResponseOk {reason,
//!   euiccCancelSessionSignature}. Error alternatives and compact eUICC answers go as they are;
//!   a full form the compact one cannot carry (unknown extension elements in the dropped data,
//!   an ISD-P AID outside `A0000005591010FFFFFFFF8900xxxx00`) is sent full. The
//!   GetBoundProfilePackage answer is accepted with or without transactionId (the eIM leaves it
//!   out for such an IPA). To verify and relay, the eIM rebuilds the full forms from data it
//!   keeps: euiccInfo1, euiccInfo2 (with extCardResource replaced by the compact form's) and
//!   the eUICC/EUM certificates from an eUICC data request (ipaEuiccDataRequest 'BF20' /
//!   'BF22' / 'A5' / 'A6'); ctxParams1 from the compact form; transactionId, serverAddress,
//!   serverChallenge (its serverSigned1), smdpOid (the SM-DP+ certificate) and the ICCID (the
//!   profile metadata) from the session; notificationAddress = serverAddress and
//!   profileManagementOperation = notificationInstall for the PIR; the ISD-P AID =
//!   `A0000005591010FFFFFFFF8900` + compactAid + `00`. The direct download (ES9+) always
//!   sends the full forms, and without bit 5 the indirect one does too.
//! - The IPA runs the download only when its capabilities announce
//!   `indirectRspServerCommunication` (ipaFeatures bit 1, SGP.32 4.7); otherwise, and for an
//!   activation code that does not parse (SGP.22 4.1), contactSmds or a trigger without
//!   profileDownloadData, it answers
//!   profileDownloadTriggerResult / profileDownloadError undefinedError as before
//!   ([`IpaOutcome::DownloadTriggerRefused`]).
//! - Errors after InitiateAuthentication (an ESipa error alternative, an eUICC
//!   authenticateResponseError / downloadResponseError): ES10b CancelSession with reason
//!   `undefinedReason` (127): endUserRejection/postponed/timeout need an end user (none in
//!   SGP.32 v1.2), pprNotAllowed/metadataMismatch belong to profile policy checks this IPA does
//!   not make, and a LoadBoundProfilePackage failure is reported by the PIR, not cancelled. The
//!   eUICC's answer (signed cancelSessionResponseOk, or its error) goes in
//!   CancelSessionRequestEsipa; then [`IpaOutcome::DownloadFailed`]. The SGP.22 alternative of
//!   relaying an eUICC error response in the next ES9+ request is not used.
//! - initiateAuthenticationErrorEsipa ends the download with no CancelSession (no transactionId
//!   exists yet). ESipa transport failures follow the retry rules; when they give up, or when
//!   the eUICC cannot answer, the download ends without CancelSession. A PIR that cannot be
//!   delivered stays on the eUICC (`notified: false`, not removed).
//! - No profileDownloadTriggerResult is sent for an indirect download: the eIM sees the PIR or
//!   the CancelSession (SGP.32 3.2.3.2).
//!
//! # Direct download (SGP.32 3.2.3.1)
//! With `directRspServerCommunication` (ipaFeatures bit 0) and without
//! `indirectRspServerCommunication` (bit 1; with both, the indirect flow is used) the IPA runs
//! the same states and the same ES10 steps, but each ESipa request of the indirect flow goes to
//! the SM-DP+ named in the activation code as its ES9+ request in the SGP.22 JSON binding
//! ([`IpaAction::SendEs9`]): the body is built from the ESipa request's DER and the SM-DP+'s
//! answer ([`IpaEvent::Es9Response`] / `Es9Failed`) is turned back into the ESipa answer by the
//! reference eIM's own relay conversion ([`crate::eim::relay`]), so the SM-DP+ status codes map
//! to the same ESipa error codes and the same error handling follows (an ES9+ error after
//! InitiateAuthentication -> ES10b CancelSession -> ES9+ cancelSession to the SM-DP+). ES9+ is
//! not retried (a transport failure counts as undefinedError). The sequence:
//! `DlInfo1` -> `DlChallenge` -> `DlInitiate` (ES9+ initiateAuthentication) ->
//! `DlAuthenticateServer` -> `DlAuthenticateClient` (ES9+ authenticateClient) -> `DlPrepare` ->
//! `DlGetBpp` (ES9+ getBoundProfilePackage) -> `DlLoad` -> `DlNotify` (ES9+ handleNotification
//! with the PIR, to its notificationAddress; 2xx = taken) -> `DlReport` (ESipa
//! ProvideEimPackageResult with profileDownloadTriggerResult {eimTransactionId,
//! profileInstallationResult = the PIR}) -> `DlRemove` ES10b RemoveNotificationFromList(PIR
//! seqNumber) -> [`IpaOutcome::ProfileDownloaded`]. Reporting order: the SM-DP+ gets the PIR
//! first, then the eIM; the PIR is removed only when the SM-DP+ took it AND the eIM listed its
//! seqNumber in eimAcknowledgements, else it stays on the eUICC (`notified: false`). After a
//! failure (with or without CancelSession) `DlReport` carries profileDownloadError
//! undefinedError(127) (no errorResponse), then [`IpaOutcome::DownloadFailed`] whatever the
//! eIM answers (`cancelled`: the SM-DP+ answered cancelSession with success).

use thiserror::Error;

use super::{
    Answer, Ipa, IpaAction, IpaError, IpaEvent, IpaOutcome, Pending, State, compact, encode, es10,
};
use crate::asn1::es10::Es10Request;
use crate::asn1::pkix::SubjectKeyIdentifier;
use crate::asn1::rsp::{
    AuthenticateErrorCode, AuthenticateServerRequest, CancelSessionReason, CancelSessionRequest,
    CtxParams1, CtxParamsForCommonAuthentication, DeviceInfo, DownloadErrorCode,
    EuiccConfiguredAddressesResponse, EuiccInfo1, FinalResult, GetEuiccChallengeRequest,
    GetEuiccChallengeResponse, GetEuiccInfo1Request, Iccid, NotificationSentRequest, Octet4,
    Octet32, PrepareDownloadRequest, TransactionId,
};
use crate::asn1::sgp32::{
    AuthenticateClientErrorEsipa, AuthenticateClientRequestEsipa,
    AuthenticateClientResponseEsipaChoice, AuthenticateServerResponse,
    AuthenticateServerResponseChoice, CancelSessionRequestEsipa, CancelSessionResponse,
    CancelSessionResponseEsipaChoice, EsipaMessageFromEimToIpa, EsipaMessageFromIpaToEim,
    GetBoundProfilePackageErrorEsipa, GetBoundProfilePackageRequestEsipa,
    GetBoundProfilePackageResponseEsipaChoice, HandleNotificationEsipa,
    HandleNotificationEsipaChoice, InitiateAuthenticationErrorEsipa,
    InitiateAuthenticationRequestEsipa, InitiateAuthenticationResponseEsipaChoice,
    PendingNotification, PrepareDownloadResponse, PrepareDownloadResponseChoice,
    ProfileDownloadTriggerRequest, ProfileInstallationResult,
};
use crate::asn1::sgp32::{
    AuthenticateClientResponseEsipa, CancelSessionResponseEsipa, EimPackageResult,
    GetBoundProfilePackageResponseEsipa, ImmediateEnableRequest, ImmediateEnableResponse,
    InitiateAuthenticationResponseEsipa, ProfileDownloadError, ProfileDownloadErrorReason,
    ProfileDownloadTriggerResult, ProfileDownloadTriggerResultData,
    ProvideEimPackageResultResponseChoice, ipa_features,
};
use crate::eim::RelayOutcome;
use crate::eim::relay;
use crate::smdp::Es9Function;

/// An activation code (SGP.22 4.1): `1$SMDP_ADDRESS$AC_TOKEN[$SMDP_OID[$CC_REQUIRED]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivationCode {
    /// The SM-DP+ address (FQDN, possibly with a port).
    pub smdp_address: String,
    /// The AC token (the matchingId); may be empty.
    pub matching_id: String,
    /// The SM-DP+ OID, when given.
    pub smdp_oid: Option<String>,
    /// The Confirmation Code Required Flag (`1`).
    pub confirmation_code_required: bool,
}

/// Why an activation code was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ActivationCodeError {
    /// AC_Format is not `1`.
    #[error("activation code format {0:?} is not 1")]
    Format(String),
    /// Fewer than 3 or more than 5 `$`-separated fields.
    #[error("activation code has {0} fields (3 to 5 expected)")]
    Fields(usize),
    /// The SM-DP+ address is empty or contains characters an FQDN cannot have.
    #[error("invalid SM-DP+ address {0:?}")]
    Address(String),
    /// The Confirmation Code Required Flag is neither empty nor `1`.
    #[error("invalid confirmation code required flag {0:?}")]
    ConfirmationFlag(String),
}

/// Parses an activation code (SGP.22 4.1). An `LPA:` prefix (the QR code form) is accepted.
pub fn parse_activation_code(text: &str) -> Result<ActivationCode, ActivationCodeError> {
    let text = text.strip_prefix("LPA:").unwrap_or(text);
    let fields: Vec<&str> = text.split('$').collect();
    if !(3..=5).contains(&fields.len()) {
        return Err(ActivationCodeError::Fields(fields.len()));
    }
    let field = |i: usize| fields.get(i).copied().unwrap_or_default();
    if field(0) != "1" {
        return Err(ActivationCodeError::Format(field(0).to_string()));
    }
    let address = field(1);
    let address_ok = !address.is_empty()
        && address
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'));
    if !address_ok {
        return Err(ActivationCodeError::Address(address.to_string()));
    }
    let confirmation_code_required = match field(4) {
        "" => false,
        "1" => true,
        other => return Err(ActivationCodeError::ConfirmationFlag(other.to_string())),
    };
    Ok(ActivationCode {
        smdp_address: address.to_string(),
        matching_id: field(2).to_string(),
        smdp_oid: Some(field(3)).filter(|o| !o.is_empty()).map(str::to_string),
        confirmation_code_required,
    })
}

/// The step of the download where it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownloadStep {
    /// ES10a GetEuiccConfiguredAddresses (contactDefaultSmdp).
    GetEuiccConfiguredAddresses,
    /// ES10b GetEUICCInfo1.
    GetEuiccInfo1,
    /// ES10b GetEUICCChallenge.
    GetEuiccChallenge,
    /// ESipa InitiateAuthentication.
    InitiateAuthentication,
    /// ES10b AuthenticateServer.
    AuthenticateServer,
    /// ESipa AuthenticateClient.
    AuthenticateClient,
    /// ES10b PrepareDownload.
    PrepareDownload,
    /// ESipa GetBoundProfilePackage.
    GetBoundProfilePackage,
    /// ES10b LoadBoundProfilePackage.
    LoadBoundProfilePackage,
}

/// Why a download failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownloadFailure {
    /// initiateAuthenticationErrorEsipa.
    InitiateAuthentication(InitiateAuthenticationErrorEsipa),
    /// authenticateClientErrorEsipa.
    AuthenticateClient(AuthenticateClientErrorEsipa),
    /// getBoundProfilePackageErrorEsipa.
    GetBoundProfilePackage(GetBoundProfilePackageErrorEsipa),
    /// The eUICC's authenticateResponseError.
    AuthenticateServer(AuthenticateErrorCode),
    /// The eUICC's downloadResponseError.
    PrepareDownload(DownloadErrorCode),
    /// Transport, decoding, eUICC failure or an answer of the wrong kind.
    Ipa(IpaError),
}

/// A download in progress.
#[derive(Debug, Clone)]
pub(super) struct Dl {
    eim_transaction_id: Option<TransactionId>,
    ac: ActivationCode,
    info1: Option<EuiccInfo1>,
    transaction_id: Option<TransactionId>,
    iccid: Option<Iccid>,
    failure: Option<(DownloadStep, DownloadFailure)>,
    /// seqNumber, success, ICCID of the PIR.
    pir: Option<(i64, bool, Option<Iccid>)>,
    /// Direct download (SGP.32 3.2.3.1): ES9+ to the SM-DP+ instead of ESipa.
    direct: bool,
    /// Indirect download of an IPA with minimizeEsipaBytes (ipaFeatures bit 5): no
    /// GetEUICCInfo1, compact forms on ESipa ([`super::compact`]).
    compact: bool,
    /// Direct: the PIR, reported to the eIM in profileDownloadTriggerResult.
    pir_full: Option<Box<ProfileInstallationResult>>,
    /// Direct: whether the SM-DP+ took the PIR (HandleNotification 2xx).
    smdp_notified: bool,
    /// Direct: whether the SM-DP+ answered CancelSession with success.
    cancelled: bool,
    /// The PIR while ImmediateEnable runs, delivered next.
    pir_pending: Option<Box<ProfileInstallationResult>>,
    phase: Phase,
}

#[derive(Debug, Clone)]
enum Phase {
    /// contactDefaultSmdp: ES10a GetEuiccConfiguredAddresses for the default SM-DP+ address.
    DefaultAddress,
    Info1,
    Challenge,
    Initiate(Pending),
    AuthenticateServer,
    AuthenticateClient(Pending),
    Prepare,
    GetBpp(Pending),
    Load,
    /// ES10b ImmediateEnable of the profile just installed (SGP.32 5.9.15).
    ImmediateEnable,
    Notify(Pending),
    Remove,
    CancelEs10,
    CancelEsipa(Pending),
    /// Direct: ProvideEimPackageResult with profileDownloadTriggerResult.
    Report(Pending),
}

impl Dl {
    pub(super) fn name(&self) -> &'static str {
        match self.phase {
            Phase::DefaultAddress => "DlDefaultAddress",
            Phase::Info1 => "DlInfo1",
            Phase::Challenge => "DlChallenge",
            Phase::Initiate(_) => "DlInitiate",
            Phase::AuthenticateServer => "DlAuthenticateServer",
            Phase::AuthenticateClient(_) => "DlAuthenticateClient",
            Phase::Prepare => "DlPrepare",
            Phase::GetBpp(_) => "DlGetBpp",
            Phase::Load => "DlLoad",
            Phase::ImmediateEnable => "DlImmediateEnable",
            Phase::Notify(_) => "DlNotify",
            Phase::Remove => "DlRemove",
            Phase::CancelEs10 => "DlCancelEs10",
            Phase::CancelEsipa(_) => "DlCancelEsipa",
            Phase::Report(_) => "DlReport",
        }
    }

    /// The step of an ES10 phase.
    fn es10_step(&self) -> DownloadStep {
        match self.phase {
            Phase::DefaultAddress => DownloadStep::GetEuiccConfiguredAddresses,
            Phase::Info1 => DownloadStep::GetEuiccInfo1,
            Phase::Challenge => DownloadStep::GetEuiccChallenge,
            Phase::AuthenticateServer => DownloadStep::AuthenticateServer,
            Phase::Prepare => DownloadStep::PrepareDownload,
            // Load; Remove and CancelEs10 failures are handled by their callers.
            _ => DownloadStep::LoadBoundProfilePackage,
        }
    }
}

impl Ipa {
    /// Starts an indirect or direct download, or refuses the trigger.
    pub(super) fn start_download(&mut self, trigger: ProfileDownloadTriggerRequest) -> IpaAction {
        let features = &self.config.capabilities.ipa_features;
        let indirect = features.get(1).is_some_and(|b| *b);
        let direct = !indirect && features.first().is_some_and(|b| *b);
        let compact = indirect
            && features
                .get(ipa_features::MINIMIZE_ESIPA_BYTES)
                .is_some_and(|b| *b);
        // contactDefaultSmdp: the address comes from the eUICC first (DlDefaultAddress).
        let default_smdp = matches!(
            trigger.profile_download_data,
            Some(crate::asn1::sgp32::ProfileDownloadData::ContactDefaultSmdp(
                ()
            ))
        );
        let ac = match &trigger.profile_download_data {
            Some(crate::asn1::sgp32::ProfileDownloadData::ActivationCode(text)) => {
                parse_activation_code(text)
                    .map_err(|e| tracing::info!(%e, "activation code refused"))
                    .ok()
            }
            _ if default_smdp => Some(ActivationCode {
                smdp_address: String::new(),
                matching_id: String::new(),
                smdp_oid: None,
                confirmation_code_required: false,
            }),
            _ => None,
        };
        match ac {
            Some(ac) if indirect || direct => {
                let dl = Dl {
                    eim_transaction_id: trigger.eim_transaction_id,
                    ac,
                    info1: None,
                    transaction_id: None,
                    iccid: None,
                    failure: None,
                    pir: None,
                    direct,
                    compact,
                    pir_full: None,
                    smdp_notified: false,
                    cancelled: false,
                    pir_pending: None,
                    phase: Phase::Info1,
                };
                if default_smdp {
                    return self.es10_dl(
                        dl,
                        Es10Request::GetEuiccConfiguredAddresses(Default::default()),
                        Phase::DefaultAddress,
                    );
                }
                self.begin_authentication(dl)
            }
            _ => self.refuse_trigger(trigger.eim_transaction_id),
        }
    }

    fn send_dl(
        &mut self,
        mut dl: Dl,
        message: EsipaMessageFromIpaToEim,
        phase: fn(Pending) -> Phase,
    ) -> IpaAction {
        let der = encode(&message);
        dl.phase = phase(self.send_esipa(der.clone()));
        let action = if dl.direct {
            es9_request(&dl, &message, &der)
        } else {
            IpaAction::SendEsipa(der)
        };
        self.state = State::Download(Box::new(dl));
        action
    }

    /// The first ES10 step of the authentication: GetEUICCInfo1, or GetEUICCChallenge with
    /// minimizeEsipaBytes (InitiateAuthenticationRequestEsipa goes without euiccInfo1).
    fn begin_authentication(&mut self, dl: Dl) -> IpaAction {
        if dl.compact {
            self.es10_dl(
                dl,
                Es10Request::GetEuiccChallenge(GetEuiccChallengeRequest::default()),
                Phase::Challenge,
            )
        } else {
            self.es10_dl(
                dl,
                Es10Request::GetEuiccInfo1(GetEuiccInfo1Request::default()),
                Phase::Info1,
            )
        }
    }

    fn es10_dl(&mut self, mut dl: Dl, request: Es10Request, phase: Phase) -> IpaAction {
        dl.phase = phase;
        self.state = State::Download(Box::new(dl));
        es10(request)
    }

    /// The download failed: a direct one reports profileDownloadError to the eIM first.
    fn dl_failed(
        &mut self,
        mut dl: Dl,
        step: DownloadStep,
        reason: DownloadFailure,
        cancelled: bool,
    ) -> IpaAction {
        if dl.direct && !matches!(dl.phase, Phase::Report(_)) {
            dl.failure = Some((step, reason));
            dl.cancelled = cancelled;
            return self.report(dl);
        }
        self.finish(IpaOutcome::DownloadFailed {
            step,
            reason,
            cancelled,
        })
    }

    /// ES10b CancelSession, then ESipa CancelSession, then DownloadFailed.
    fn cancel(&mut self, mut dl: Dl, step: DownloadStep, reason: DownloadFailure) -> IpaAction {
        let Some(transaction_id) = dl.transaction_id.clone() else {
            return self.dl_failed(dl, step, reason, false);
        };
        dl.failure = Some((step, reason));
        self.es10_dl(
            dl,
            Es10Request::CancelSession(CancelSessionRequest {
                transaction_id,
                reason: CancelSessionReason::UNDEFINED_REASON,
                extensions: Default::default(),
            }),
            Phase::CancelEs10,
        )
    }

    fn finish_cancel(&mut self, mut dl: Dl, cancelled: bool) -> IpaAction {
        let (step, reason) = dl.failure.take().unwrap_or((
            DownloadStep::InitiateAuthentication,
            DownloadFailure::Ipa(IpaError::UnexpectedEvent {
                state: "DlCancel",
                event: "none",
            }),
        ));
        self.dl_failed(dl, step, reason, cancelled)
    }

    fn finish_downloaded(&mut self, dl: Dl, notified: bool) -> IpaAction {
        let (seq_number, installed, iccid) = dl.pir.unwrap_or((0, false, None));
        self.finish(IpaOutcome::ProfileDownloaded {
            iccid: iccid.or(dl.iccid),
            transaction_id: dl.transaction_id.unwrap_or_default(),
            eim_transaction_id: dl.eim_transaction_id,
            installed,
            seq_number,
            notified,
        })
    }

    /// One event of a download.
    pub(super) fn download_step(&mut self, dl: Dl, event: IpaEvent) -> IpaAction {
        let name = dl.name();
        if dl.direct {
            match (&dl.phase, event) {
                (_, IpaEvent::Es9Response { status, body }) => {
                    return self.on_dl_es9(dl, RelayOutcome::Answer { status, body }, name);
                }
                (_, IpaEvent::Es9Failed(e)) => {
                    return self.on_dl_es9(dl, RelayOutcome::TransportFailure(e), name);
                }
                (Phase::Report(p), event) => {
                    let p = p.clone();
                    return self.on_report(dl, p, event, name);
                }
                (_, event) => return self.download_step_esipa(dl, event, name),
            }
        }
        self.download_step_esipa(dl, event, name)
    }

    fn download_step_esipa(&mut self, dl: Dl, event: IpaEvent, name: &'static str) -> IpaAction {
        match &dl.phase {
            Phase::Initiate(p)
            | Phase::AuthenticateClient(p)
            | Phase::GetBpp(p)
            | Phase::CancelEsipa(p) => {
                let p = p.clone();
                let step = match dl.phase {
                    Phase::Initiate(_) => DownloadStep::InitiateAuthentication,
                    Phase::AuthenticateClient(_) => DownloadStep::AuthenticateClient,
                    _ => DownloadStep::GetBoundProfilePackage,
                };
                match self.esipa_answer(p, event, name) {
                    Answer::Again(p, action) => {
                        let mut dl = dl;
                        dl.phase = match dl.phase {
                            Phase::Initiate(_) => Phase::Initiate(p),
                            Phase::AuthenticateClient(_) => Phase::AuthenticateClient(p),
                            Phase::GetBpp(_) => Phase::GetBpp(p),
                            _ => Phase::CancelEsipa(p),
                        };
                        self.state = State::Download(Box::new(dl));
                        action
                    }
                    Answer::GaveUp(e) if matches!(dl.phase, Phase::CancelEsipa(_)) => {
                        tracing::info!(%e, "CancelSession not delivered");
                        self.finish_cancel(dl, false)
                    }
                    Answer::GaveUp(e) => self.dl_failed(dl, step, DownloadFailure::Ipa(e), false),
                    Answer::Message(m) => self.on_dl_esipa(dl, m, step, name),
                }
            }
            Phase::Notify(p) => {
                let p = p.clone();
                match event {
                    IpaEvent::EsipaResponse { status, .. } if (200..300).contains(&status) => {
                        self.remove_pir(dl)
                    }
                    event => match self.esipa_answer(p, event, name) {
                        Answer::Again(p, action) => {
                            let mut dl = dl;
                            dl.phase = Phase::Notify(p);
                            self.state = State::Download(Box::new(dl));
                            action
                        }
                        Answer::GaveUp(e) => {
                            tracing::info!(%e, "PIR not delivered; it stays on the eUICC");
                            self.finish_downloaded(dl, false)
                        }
                        Answer::Message(_) => self.remove_pir(dl),
                    },
                }
            }
            _ => match event {
                IpaEvent::Es10Response(bytes) => self.on_dl_es10(dl, &bytes, name),
                IpaEvent::Es10Failed(reason) => self.on_dl_es10_failure(dl, name, reason),
                other => self.fail(IpaError::UnexpectedEvent {
                    state: name,
                    event: other.name(),
                }),
            },
        }
    }

    fn on_dl_es10_failure(&mut self, mut dl: Dl, state: &'static str, reason: String) -> IpaAction {
        match dl.phase {
            Phase::Remove => self.finish_downloaded(dl, true),
            // The profile is installed: its PIR is delivered whatever ImmediateEnable did.
            Phase::ImmediateEnable if dl.pir_pending.is_some() => {
                tracing::info!(%reason, "ImmediateEnable failed");
                match dl.pir_pending.take() {
                    Some(pir) => self.notify_pir(dl, *pir),
                    None => self.finish_downloaded(dl, false),
                }
            }
            Phase::CancelEs10 => self.finish_cancel(dl, false),
            _ => {
                let step = dl.es10_step();
                self.dl_failed(
                    dl,
                    step,
                    DownloadFailure::Ipa(IpaError::Es10 { state, reason }),
                    false,
                )
            }
        }
    }

    /// Delivers the PIR (indirect: ESipa HandleNotification; direct: ES9+).
    fn notify_pir(&mut self, dl: Dl, pir: ProfileInstallationResult) -> IpaAction {
        let notification = if dl.compact {
            compact::minimize_profile_installation_result(pir)
        } else {
            PendingNotification::ProfileInstallationResult(Box::new(pir))
        };
        let message =
            EsipaMessageFromIpaToEim::HandleNotificationEsipa(Box::new(HandleNotificationEsipa(
                HandleNotificationEsipaChoice::PendingNotification(Box::new(notification)),
            )));
        self.send_dl(dl, message, Phase::Notify)
    }

    fn remove_pir(&mut self, dl: Dl) -> IpaAction {
        let seq_number = dl.pir.as_ref().map(|p| p.0).unwrap_or_default();
        self.es10_dl(
            dl,
            Es10Request::RemoveNotificationFromList(NotificationSentRequest {
                seq_number,
                extensions: Default::default(),
            }),
            Phase::Remove,
        )
    }

    fn on_dl_es10(&mut self, mut dl: Dl, bytes: &[u8], name: &'static str) -> IpaAction {
        fn undecodable<E: std::fmt::Display>(name: &'static str) -> impl Fn(E) -> String {
            move |e| format!("{name}: {e}")
        }
        match dl.phase {
            Phase::DefaultAddress => {
                match rasn::der::decode::<EuiccConfiguredAddressesResponse>(bytes) {
                    Ok(r) => match r.default_dp_address.filter(|a| !a.is_empty()) {
                        Some(address) => {
                            dl.ac.smdp_address = address;
                            self.begin_authentication(dl)
                        }
                        None => {
                            tracing::info!("contactDefaultSmdp: the eUICC has no default SM-DP+");
                            self.refuse_trigger(dl.eim_transaction_id)
                        }
                    },
                    Err(e) => self.on_dl_es10_failure(dl, name, undecodable(name)(e)),
                }
            }
            Phase::Info1 => match rasn::der::decode::<EuiccInfo1>(bytes) {
                Ok(info1) => {
                    dl.info1 = Some(info1);
                    self.es10_dl(
                        dl,
                        Es10Request::GetEuiccChallenge(GetEuiccChallengeRequest::default()),
                        Phase::Challenge,
                    )
                }
                Err(e) => self.on_dl_es10_failure(dl, name, undecodable(name)(e)),
            },
            Phase::Challenge => match rasn::der::decode::<GetEuiccChallengeResponse>(bytes) {
                Ok(c) => {
                    let request = InitiateAuthenticationRequestEsipa {
                        euicc_challenge: c.euicc_challenge,
                        smdp_address: Some(dl.ac.smdp_address.clone()),
                        // None with minimizeEsipaBytes (GetEUICCInfo1 was not run).
                        euicc_info1: dl.info1.clone().filter(|_| !dl.compact),
                        eim_transaction_id: dl.eim_transaction_id.clone(),
                        extensions: Default::default(),
                    };
                    self.send_dl(
                        dl,
                        EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(Box::new(
                            request,
                        )),
                        Phase::Initiate,
                    )
                }
                Err(e) => self.on_dl_es10_failure(dl, name, undecodable(name)(e)),
            },
            Phase::AuthenticateServer => {
                match rasn::der::decode::<AuthenticateServerResponse>(bytes) {
                    Ok(AuthenticateServerResponse(
                        AuthenticateServerResponseChoice::AuthenticateResponseError(e),
                    )) => self.cancel(
                        dl,
                        DownloadStep::AuthenticateServer,
                        DownloadFailure::AuthenticateServer(e.authenticate_error_code),
                    ),
                    Ok(response) => {
                        let response = if dl.compact {
                            compact::minimize_authenticate_server_response(response)
                        } else {
                            response
                        };
                        let request = AuthenticateClientRequestEsipa {
                            transaction_id: dl.transaction_id.clone().unwrap_or_default(),
                            authenticate_server_response: response,
                            extensions: Default::default(),
                        };
                        self.send_dl(
                            dl,
                            EsipaMessageFromIpaToEim::AuthenticateClientRequestEsipa(Box::new(
                                request,
                            )),
                            Phase::AuthenticateClient,
                        )
                    }
                    Err(e) => self.on_dl_es10_failure(dl, name, undecodable(name)(e)),
                }
            }
            Phase::Prepare => match rasn::der::decode::<PrepareDownloadResponse>(bytes) {
                Ok(PrepareDownloadResponse(
                    PrepareDownloadResponseChoice::DownloadResponseError(e),
                )) => self.cancel(
                    dl,
                    DownloadStep::PrepareDownload,
                    DownloadFailure::PrepareDownload(e.download_error_code),
                ),
                Ok(response) => {
                    let response = if dl.compact {
                        compact::minimize_prepare_download_response(response)
                    } else {
                        response
                    };
                    let request = GetBoundProfilePackageRequestEsipa {
                        transaction_id: dl.transaction_id.clone().unwrap_or_default(),
                        prepare_download_response: response,
                        extensions: Default::default(),
                    };
                    self.send_dl(
                        dl,
                        EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(Box::new(
                            request,
                        )),
                        Phase::GetBpp,
                    )
                }
                Err(e) => self.on_dl_es10_failure(dl, name, undecodable(name)(e)),
            },
            Phase::Load => match rasn::der::decode::<ProfileInstallationResult>(bytes) {
                Ok(pir) => {
                    let data = &pir.profile_installation_result_data;
                    let installed = matches!(data.final_result, FinalResult::SuccessResult(_));
                    dl.pir = Some((
                        data.notification_metadata.seq_number,
                        installed,
                        data.notification_metadata.iccid.clone(),
                    ));
                    if dl.direct {
                        dl.pir_full = Some(Box::new(pir.clone()));
                    }
                    if installed && self.config.immediate_enable {
                        dl.pir_pending = Some(Box::new(pir));
                        return self.es10_dl(
                            dl,
                            Es10Request::ImmediateEnable(ImmediateEnableRequest::default()),
                            Phase::ImmediateEnable,
                        );
                    }
                    self.notify_pir(dl, pir)
                }
                Err(e) => self.on_dl_es10_failure(dl, name, undecodable(name)(e)),
            },
            Phase::ImmediateEnable => {
                // The result is informational: the profile is installed either way.
                match rasn::der::decode::<ImmediateEnableResponse>(bytes) {
                    Ok(r) => {
                        tracing::debug!(result = %r.immediate_enable_result, "ImmediateEnable")
                    }
                    Err(e) => tracing::info!(%e, "undecodable ImmediateEnable answer"),
                }
                match dl.pir_pending.take() {
                    Some(pir) => self.notify_pir(dl, *pir),
                    None => self.fail(IpaError::UnexpectedEvent {
                        state: name,
                        event: "Es10Response",
                    }),
                }
            }
            Phase::Remove => {
                // The deleteNotificationStatus is informational.
                self.finish_downloaded(dl, true)
            }
            Phase::CancelEs10 => match rasn::der::decode::<CancelSessionResponse>(bytes) {
                Ok(response) => {
                    let response = if dl.compact {
                        compact::minimize_cancel_session_response(response)
                    } else {
                        response
                    };
                    let request = CancelSessionRequestEsipa {
                        transaction_id: dl.transaction_id.clone().unwrap_or_default(),
                        cancel_session_response: response,
                        extensions: Default::default(),
                    };
                    self.send_dl(
                        dl,
                        EsipaMessageFromIpaToEim::CancelSessionRequestEsipa(Box::new(request)),
                        Phase::CancelEsipa,
                    )
                }
                Err(e) => {
                    tracing::info!(%e, "undecodable CancelSession answer");
                    self.finish_cancel(dl, false)
                }
            },
            _ => self.fail(IpaError::UnexpectedEvent {
                state: name,
                event: "Es10Response",
            }),
        }
    }

    fn on_dl_esipa(
        &mut self,
        mut dl: Dl,
        message: EsipaMessageFromEimToIpa,
        step: DownloadStep,
        name: &'static str,
    ) -> IpaAction {
        let unexpected = |m: &EsipaMessageFromEimToIpa| {
            DownloadFailure::Ipa(IpaError::UnexpectedEsipa {
                state: name,
                got: super::message_name(m),
            })
        };
        match (&dl.phase, message) {
            (
                Phase::Initiate(_),
                EsipaMessageFromEimToIpa::InitiateAuthenticationResponseEsipa(r),
            ) => match r.0 {
                InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationErrorEsipa(e) => {
                    self.dl_failed(dl, step, DownloadFailure::InitiateAuthentication(e), false)
                }
                InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationOkEsipa(ok) => {
                    let ok = *ok;
                    dl.transaction_id = Some(
                        ok.transaction_id
                            .unwrap_or_else(|| ok.server_signed1.transaction_id.clone()),
                    );
                    let matching_id = Some(dl.ac.matching_id.clone()).filter(|m| !m.is_empty());
                    let request = AuthenticateServerRequest {
                        server_signed1: ok.server_signed1,
                        server_signature1: ok.server_signature1,
                        euicc_ci_pk_id_to_be_used: SubjectKeyIdentifier(
                            ok.euicc_ci_pk_identifier_to_be_used,
                        ),
                        server_certificate: ok.server_certificate,
                        ctx_params1: CtxParams1::CtxParamsForCommonAuthentication(
                            CtxParamsForCommonAuthentication {
                                matching_id,
                                device_info: DeviceInfo {
                                    tac: Octet4::new(self.config.tac),
                                    device_capabilities: Default::default(),
                                    imei: None,
                                    extensions: Default::default(),
                                },
                                extensions: Default::default(),
                            },
                        ),
                        extensions: Default::default(),
                    };
                    self.es10_dl(
                        dl,
                        Es10Request::AuthenticateServer(request),
                        Phase::AuthenticateServer,
                    )
                }
            },
            (
                Phase::AuthenticateClient(_),
                EsipaMessageFromEimToIpa::AuthenticateClientResponseEsipa(r),
            ) => match r.0 {
                AuthenticateClientResponseEsipaChoice::AuthenticateClientErrorEsipa(e) => {
                    self.cancel(dl, step, DownloadFailure::AuthenticateClient(e))
                }
                AuthenticateClientResponseEsipaChoice::AuthenticateClientOkDSEsipa(_) => {
                    let reason = DownloadFailure::Ipa(IpaError::UnexpectedEsipa {
                        state: name,
                        got: "authenticateClientOkDSEsipa".into(),
                    });
                    self.cancel(dl, step, reason)
                }
                AuthenticateClientResponseEsipaChoice::AuthenticateClientOkDPEsipa(ok) => {
                    let ok = *ok;
                    dl.iccid = ok.profile_meta_data.as_ref().map(|m| m.iccid.clone());
                    let hash_cc = self.config.confirmation_code.as_ref().map(|cc| {
                        let txid = dl.transaction_id.clone().unwrap_or_default();
                        let inner = crate::crypto::sha256(cc.as_bytes());
                        Octet32::new(crate::crypto::sha256(&[&inner[..], &txid[..]].concat()))
                    });
                    let request = PrepareDownloadRequest {
                        smdp_signed2: ok.smdp_signed2,
                        smdp_signature2: ok.smdp_signature2,
                        hash_cc,
                        smdp_certificate: ok.smdp_certificate,
                        extensions: Default::default(),
                    };
                    self.es10_dl(dl, Es10Request::PrepareDownload(request), Phase::Prepare)
                }
            },
            (
                Phase::GetBpp(_),
                EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(r),
            ) => match r.0 {
                GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageErrorEsipa(e) => {
                    self.cancel(dl, step, DownloadFailure::GetBoundProfilePackage(e))
                }
                GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageOkEsipa(ok) => {
                    self.es10_dl(
                        dl,
                        Es10Request::LoadBoundProfilePackage(ok.bound_profile_package),
                        Phase::Load,
                    )
                }
            },
            (Phase::CancelEsipa(_), EsipaMessageFromEimToIpa::CancelSessionResponseEsipa(r)) => {
                let cancelled = matches!(r.0, CancelSessionResponseEsipaChoice::CancelSessionOk(_));
                self.finish_cancel(dl, cancelled)
            }
            (Phase::CancelEsipa(_), _) => self.finish_cancel(dl, false),
            (Phase::Initiate(_), m) => {
                let reason = unexpected(&m);
                self.dl_failed(dl, step, reason, false)
            }
            (_, m) => {
                let reason = unexpected(&m);
                self.cancel(dl, step, reason)
            }
        }
    }
}

/// The ES9+ request of a direct download for the ESipa message the indirect flow would send
/// (the eIM's relay conversion, [`crate::eim::relay`]).
fn es9_request(dl: &Dl, message: &EsipaMessageFromIpaToEim, der: &[u8]) -> IpaAction {
    let txid = dl.transaction_id.clone().unwrap_or_default();
    let address = dl.ac.smdp_address.clone();
    let (address, function, json) = match message {
        EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(r) => (
            address.clone(),
            Es9Function::InitiateAuthentication,
            relay::initiate_authentication_json(der, r, &address),
        ),
        EsipaMessageFromIpaToEim::AuthenticateClientRequestEsipa(_) => (
            address,
            Es9Function::AuthenticateClient,
            relay::authenticate_client_json(der, &txid),
        ),
        EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(_) => (
            address,
            Es9Function::GetBoundProfilePackage,
            relay::get_bound_profile_package_json(der, &txid),
        ),
        EsipaMessageFromIpaToEim::CancelSessionRequestEsipa(_) => (
            address,
            Es9Function::CancelSession,
            relay::cancel_session_json(der, &txid),
        ),
        // HandleNotification: to the PIR's notificationAddress (SGP.22 3.5).
        _ => (
            dl.pir_full
                .as_ref()
                .map(|p| {
                    p.profile_installation_result_data
                        .notification_metadata
                        .notification_address
                        .clone()
                })
                .unwrap_or(address),
            Es9Function::HandleNotification,
            relay::handle_notification_json(der),
        ),
    };
    // The builders only fail on a message without its element, which this IPA never sends;
    // an empty body would be refused by the SM-DP+ and show up in the trace.
    IpaAction::SendEs9 {
        address,
        function,
        json: json.unwrap_or_default(),
    }
}

impl Ipa {
    /// A direct download's ES9+ answer (or its failure): turned into the ESipa answer the
    /// indirect flow would get (the eIM's relay conversion), then the same steps.
    fn on_dl_es9(&mut self, mut dl: Dl, outcome: RelayOutcome, name: &'static str) -> IpaAction {
        let txid = dl.transaction_id.clone().unwrap_or_default().to_vec();
        let (step, message) = match &dl.phase {
            Phase::Initiate(_) => (
                DownloadStep::InitiateAuthentication,
                EsipaMessageFromEimToIpa::InitiateAuthenticationResponseEsipa(Box::new(
                    InitiateAuthenticationResponseEsipa(
                        match relay::initiate_authentication_answer(&outcome) {
                            Ok(ok) => {
                                InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationOkEsipa(
                                    Box::new(ok),
                                )
                            }
                            Err(e) => {
                                InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationErrorEsipa(e)
                            }
                        },
                    ),
                )),
            ),
            Phase::AuthenticateClient(_) => (
                DownloadStep::AuthenticateClient,
                EsipaMessageFromEimToIpa::AuthenticateClientResponseEsipa(Box::new(
                    AuthenticateClientResponseEsipa(
                        match relay::authenticate_client_answer(&outcome, txid) {
                            Ok(ok) => {
                                AuthenticateClientResponseEsipaChoice::AuthenticateClientOkDPEsipa(
                                    Box::new(ok),
                                )
                            }
                            Err(e) => {
                                AuthenticateClientResponseEsipaChoice::AuthenticateClientErrorEsipa(e)
                            }
                        },
                    ),
                )),
            ),
            Phase::GetBpp(_) => {
                let message = match relay::get_bound_profile_package_answer(&outcome, txid) {
                    Ok(der) => rasn::der::decode::<EsipaMessageFromEimToIpa>(&der).ok(),
                    Err(e) => Some(EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(
                        Box::new(GetBoundProfilePackageResponseEsipa(
                            GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageErrorEsipa(e),
                        )),
                    )),
                };
                let message = message.unwrap_or(
                    EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(Box::new(
                        GetBoundProfilePackageResponseEsipa(
                            GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageErrorEsipa(
                                GetBoundProfilePackageErrorEsipa::UNDEFINED_ERROR,
                            ),
                        ),
                    )),
                );
                (DownloadStep::GetBoundProfilePackage, message)
            }
            Phase::CancelEsipa(_) => (
                DownloadStep::GetBoundProfilePackage,
                EsipaMessageFromEimToIpa::CancelSessionResponseEsipa(Box::new(
                    CancelSessionResponseEsipa(relay::cancel_session_answer(&outcome)),
                )),
            ),
            Phase::Notify(_) => {
                dl.smdp_notified = matches!(
                    outcome,
                    RelayOutcome::Answer { status, .. } if (200..300).contains(&status)
                );
                if !dl.smdp_notified {
                    tracing::info!(?outcome, "PIR not taken by the SM-DP+; it stays on the eUICC");
                }
                return self.report(dl);
            }
            _ => {
                return self.fail(IpaError::UnexpectedEvent {
                    state: name,
                    event: "Es9Response",
                });
            }
        };
        self.on_dl_esipa(dl, message, step, name)
    }

    /// Direct: ProvideEimPackageResult with profileDownloadTriggerResult (SGP.32 3.2.3.1):
    /// the PIR, or profileDownloadError undefinedError after a failure.
    fn report(&mut self, mut dl: Dl) -> IpaAction {
        let data = match (&dl.failure, &dl.pir_full) {
            (None, Some(pir)) => {
                ProfileDownloadTriggerResultData::ProfileInstallationResult(pir.clone())
            }
            _ => ProfileDownloadTriggerResultData::ProfileDownloadError(ProfileDownloadError {
                profile_download_error_reason: ProfileDownloadErrorReason::UNDEFINED_ERROR,
                error_response: None,
                extensions: Default::default(),
            }),
        };
        let der = self.provide_der(EimPackageResult::ProfileDownloadTriggerResult(Box::new(
            ProfileDownloadTriggerResult {
                eim_transaction_id: dl.eim_transaction_id.clone(),
                profile_download_trigger_result_data: data,
                extensions: Default::default(),
            },
        )));
        dl.phase = Phase::Report(self.send_esipa(der.clone()));
        self.state = State::Download(Box::new(dl));
        IpaAction::SendEsipa(der)
    }

    /// Direct: the eIM's answer to the report. The PIR is removed from the eUICC when the
    /// SM-DP+ took it and the eIM acknowledged its seqNumber.
    fn on_report(&mut self, dl: Dl, p: Pending, event: IpaEvent, name: &'static str) -> IpaAction {
        let acknowledged = match self.esipa_answer(p, event, name) {
            Answer::Again(p, action) => {
                let mut dl = dl;
                dl.phase = Phase::Report(p);
                self.state = State::Download(Box::new(dl));
                return action;
            }
            Answer::GaveUp(e) => {
                tracing::info!(%e, "profileDownloadTriggerResult not delivered");
                Vec::new()
            }
            Answer::Message(m) => match super::provide_choice(m, name) {
                Ok(ProvideEimPackageResultResponseChoice::EimAcknowledgements(acks)) => {
                    acks.0.iter().map(|s| s.0).collect()
                }
                Ok(_) => Vec::new(),
                Err(e) => {
                    tracing::info!(%e, "unexpected answer to profileDownloadTriggerResult");
                    Vec::new()
                }
            },
        };
        if let Some((step, reason)) = dl.failure.clone() {
            let cancelled = dl.cancelled;
            return self.dl_failed(dl, step, reason, cancelled);
        }
        let seq = dl.pir.as_ref().map(|p| p.0);
        if dl.smdp_notified && seq.is_some_and(|s| acknowledged.contains(&s)) {
            self.remove_pir(dl)
        } else {
            self.finish_downloaded(dl, false)
        }
    }
}

#[cfg(test)]
mod ac_tests {
    use super::*;

    #[test]
    fn activation_codes_parse_per_sgp22_4_1() {
        let ac = parse_activation_code("1$smdp.example.com$MATCH-1").unwrap();
        assert_eq!(ac.smdp_address, "smdp.example.com");
        assert_eq!(ac.matching_id, "MATCH-1");
        assert_eq!(ac.smdp_oid, None);
        assert!(!ac.confirmation_code_required);
        let ac = parse_activation_code("LPA:1$127.0.0.1:8443$$1.3.6.1.4.1.31746$1").unwrap();
        assert_eq!(ac.smdp_address, "127.0.0.1:8443");
        assert_eq!(ac.matching_id, "");
        assert_eq!(ac.smdp_oid.as_deref(), Some("1.3.6.1.4.1.31746"));
        assert!(ac.confirmation_code_required);
    }

    #[test]
    fn bad_activation_codes_are_refused() {
        assert_eq!(
            parse_activation_code("2$smdp.example.com$X"),
            Err(ActivationCodeError::Format("2".into()))
        );
        assert_eq!(
            parse_activation_code("1$smdp.example.com"),
            Err(ActivationCodeError::Fields(2))
        );
        assert_eq!(
            parse_activation_code("1$$X"),
            Err(ActivationCodeError::Address(String::new()))
        );
        assert_eq!(
            parse_activation_code("1$smdp example$X"),
            Err(ActivationCodeError::Address("smdp example".into()))
        );
        assert_eq!(
            parse_activation_code("1$a.b$X$$2"),
            Err(ActivationCodeError::ConfirmationFlag("2".into()))
        );
        assert_eq!(
            parse_activation_code("1$a$b$c$d$e"),
            Err(ActivationCodeError::Fields(6))
        );
    }
}
