//! The simulated IPA (SGP.32 3.3.1, notes 4.2/4.3/4.7): a state machine without I/O ([`Ipa`])
//! and an async driver ([`IpaDriver`]) that runs it over an [`EsipaClient`](crate::transport::EsipaClient)
//! and an [`Es10Handler`](crate::euicc::apdu::Es10Handler).
//!
//! # Sans-IO interface
//! [`Ipa::handle`] takes one [`IpaEvent`] and returns exactly one [`IpaAction`]:
//! `StartPoll` starts a procedure; every `SendEsipa`/`SendEs10` action is answered by the
//! matching response or failure event; `Wait` is answered by `WaitElapsed`; `Finished` ends the
//! procedure (the machine is back to idle, ready for the next `StartPoll`). Any event that does
//! not fit the current state finishes the procedure with [`IpaError::UnexpectedEvent`]; any
//! undecodable or unexpected answer finishes it with a clear [`IpaError`], never a panic.
//!
//! # States (one per step of the generic eUICC package procedure, SGP.32 3.3.1)
//! - `FetchEid`: ES10c GetEID (`BF3E`), only when the EID was not configured.
//! - `GetEimPackage`: ESipa GetEimPackageRequest (steps 1-2), with `notifyStateChange`,
//!   `stateChangeCause` and `rPLMN` when configured ([`NotifyStateChange`], sent once).
//! - `LoadPackage`: ES10b LoadEuiccPackage (steps 3-8) with the EuiccPackageRequest as received.
//! - `RetrieveEpr`: ES10b RetrieveNotificationsList with `searchCriteria seqNumber` = the
//!   result's seqNumber (step 9). The eUICC's stored copy is used when it returns one, else the
//!   LoadEuiccPackage answer (an error result without seqNumber skips this step).
//! - `RetrieveNotifications`: ES10b RetrieveNotificationsList without search criteria: all other
//!   pending notifications, bundled in `ePRAndNotifications` so the eIM can forward and
//!   acknowledge them in the same exchange (choice: this IPA always empties its queue this way).
//! - `Provide`: ESipa ProvideEimPackageResult (`ePRAndNotifications`, with `eidValue`; steps 10-14).
//! - `Rollback`: ES10b ProfileRollback, once, when `Provide` could not be delivered after the
//!   retries and the package held an enable PSMO with `rollbackFlag` (notes 4.3); then the
//!   procedure restarts at step 9 with the rollback's EuiccPackageResult. The enable's own
//!   result stays pending on the eUICC (a later euiccPackageResultList request can fetch it).
//! - `RemoveNotifications`: ES10b RemoveNotificationFromList for the EPR's seqNumber and each
//!   acknowledged seqNumber (steps 15-17; deduplicated, in order). An `emptyResponse` removes
//!   only the EPR's seqNumber.
//! - `GatherData`: for an IpaEuiccDataRequest, one ES10 call per supported tag group, then
//!   `ProvideData` sends `ipaEuiccDataResponse`. Supported tags: `A0` notificationsList
//!   (RetrieveNotificationsList, honouring searchCriteriaNotification), `A2`
//!   euiccPackageResultList (honouring searchCriteriaEuiccPackageResult, else all results),
//!   `BF20` euiccInfo1, `BF22` euiccInfo2, `A5`/`A6` certificates (GetCerts with
//!   euiccCiPKIdentifierToBeUsed), `A8` ipaCapabilities (from the config); `eimTransactionId`
//!   is always echoed. Left out (silently absent): `81` defaultSmdpAddress, `83`
//!   rootSmdsAddress, `84` associationToken, `A9` deviceInfo.
//! - `Dl*`: a ProfileDownloadTriggerRequest runs the indirect profile download (SGP.32
//!   3.2.3.2) with the `indirectRspServerCommunication` capability, or the direct one (SGP.32
//!   3.2.3.1: ES9+ to the SM-DP+ itself, [`IpaAction::SendEs9`]) with only
//!   `directRspServerCommunication`, see [`download`]; with `minimizeEsipaBytes` the indirect
//!   download puts the compact forms on ESipa ([`compact`]). With neither capability, or with a
//!   bad activation code, the IPA answers `profileDownloadTriggerResult` with
//!   `profileDownloadError undefinedError` (echoing the eimTransactionId).
//!
//! # Retries
//! A transport failure (or a 5xx status) on ESipa is retried `retries` times; before retry
//! `n` (1-based) the machine emits `Wait(backoff_base * n^2)` (the reference IPA's
//! (i+1)^2 schedule, notes 4.2), then resends the same DER on `WaitElapsed`.

pub mod compact;
pub mod download;
mod driver;

pub use download::{
    ActivationCode, ActivationCodeError, DownloadFailure, DownloadStep, parse_activation_code,
};

pub use driver::{IpaDriver, IpaTraceEntry};

use std::time::Duration;

use rasn::types::FixedOctetString;
use thiserror::Error;

use crate::asn1::es10::Es10Request;
use crate::asn1::rsp::{
    GetEuiccDataRequest, GetEuiccDataResponse, GetEuiccInfo1Request, GetEuiccInfo2Request,
    NotificationSentRequest, TransactionId,
};
use crate::asn1::sgp32::{
    EimAcknowledgements, EimPackageResult, EprAndNotifications, EsipaMessageFromEimToIpa,
    EsipaMessageFromIpaToEim, EuiccInfo2, EuiccPackage, EuiccPackageRequest, EuiccPackageResult,
    EuiccPackageResultChoice, GetCertsRequest, GetCertsResponse, GetCertsResponseChoice,
    GetEimPackageError, GetEimPackageRequest, GetEimPackageResponseChoice, IpaCapabilities,
    IpaEuiccData, IpaEuiccDataRequest, IpaEuiccDataResponse, IpaEuiccDataResponseChoice,
    NotificationsSearchCriteria, PendingNotification, ProfileDownloadError,
    ProfileDownloadErrorReason, ProfileDownloadTriggerResult, ProfileDownloadTriggerResultData,
    ProfileRollbackRequest, ProfileRollbackResponse, ProvideEimPackageResult,
    ProvideEimPackageResultError, ProvideEimPackageResultResponseChoice, Psmo,
    RetrieveNotificationsListRequest, RetrieveNotificationsListResponse,
    RetrieveNotificationsListResponseChoice, SearchCriteriaEuiccPackageResult,
    SearchCriteriaNotification, StateChangeCause,
};

/// Errors that end a procedure.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IpaError {
    /// ESipa could not be delivered after the retries.
    #[error("ESipa transport failed after {attempts} attempts: {reason}")]
    Transport {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        reason: String,
    },
    /// The eIM answered with a non-2xx status that is not retried.
    #[error("ESipa answered HTTP {0}")]
    HttpStatus(u16),
    /// The ESipa body did not decode as EsipaMessageFromEimToIpa.
    #[error("undecodable ESipa answer in {state}: {reason}")]
    UndecodableEsipa {
        /// The state.
        state: &'static str,
        /// The decoder's message.
        reason: String,
    },
    /// A decodable ESipa answer of the wrong kind.
    #[error("unexpected ESipa answer in {state}: {got}")]
    UnexpectedEsipa {
        /// The state.
        state: &'static str,
        /// What arrived.
        got: String,
    },
    /// The eUICC failed or answered something undecodable.
    #[error("ES10 failure in {state}: {reason}")]
    Es10 {
        /// The state.
        state: &'static str,
        /// Why.
        reason: String,
    },
    /// An event that does not fit the state.
    #[error("unexpected event {event} in state {state}")]
    UnexpectedEvent {
        /// The state.
        state: &'static str,
        /// The event's name.
        event: &'static str,
    },
}

/// How a procedure ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpaOutcome {
    /// `noEimPackageAvailable`.
    NothingToDo,
    /// An eUICC Package was executed and its result delivered.
    PackageExecuted {
        /// counterValue of the package.
        counter_value: i64,
        /// seqNumber of the delivered EuiccPackageResult (None for an unsigned error).
        seq_number: Option<i64>,
        /// The seqNumbers the eIM acknowledged.
        acknowledged: Vec<i64>,
        /// The seqNumbers removed from the eUICC afterwards.
        removed: Vec<i64>,
        /// Whether ProfileRollback ran and its result was the one delivered.
        rolled_back: bool,
    },
    /// An IpaEuiccDataRequest was answered.
    EuiccDataProvided {
        /// The seqNumbers acknowledged (and removed).
        acknowledged: Vec<i64>,
    },
    /// A ProfileDownloadTriggerRequest was refused with profileDownloadError (neither
    /// indirectRspServerCommunication nor directRspServerCommunication, or a bad activation
    /// code).
    DownloadTriggerRefused,
    /// A profile download ran to LoadBoundProfilePackage (SGP.32 3.2.3.2 indirect, 3.2.3.1
    /// direct).
    ProfileDownloaded {
        /// The ICCID (from the PIR, else from the profile metadata).
        iccid: Option<crate::asn1::rsp::Iccid>,
        /// The SM-DP+ TransactionID.
        transaction_id: crate::asn1::rsp::TransactionId,
        /// The eimTransactionId of the trigger.
        eim_transaction_id: Option<crate::asn1::rsp::TransactionId>,
        /// Whether the PIR says successResult.
        installed: bool,
        /// The PIR's seqNumber.
        seq_number: i64,
        /// Whether the PIR was delivered and then removed from the eUICC (indirect:
        /// HandleNotification to the eIM; direct: HandleNotification to the SM-DP+ and the
        /// eIM's acknowledgement of the profileDownloadTriggerResult).
        notified: bool,
    },
    /// A profile download failed (after CancelSession where one could be run; a direct one
    /// after its profileDownloadError was reported to the eIM).
    DownloadFailed {
        /// Where.
        step: DownloadStep,
        /// Why.
        reason: DownloadFailure,
        /// Whether the eIM (direct: the SM-DP+) answered cancelSessionOk to CancelSession.
        cancelled: bool,
    },
    /// GetEimPackage answered an eimPackageError other than noEimPackageAvailable.
    EimPackageError(GetEimPackageError),
    /// ProvideEimPackageResult answered provideEimPackageResultError.
    ProvideResultError(ProvideEimPackageResultError),
    /// The procedure failed.
    Failed(IpaError),
}

/// Input of the state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpaEvent {
    /// Start a procedure (a poll).
    StartPoll,
    /// An ESipa response arrived.
    EsipaResponse {
        /// HTTP status.
        status: u16,
        /// The body.
        body: Vec<u8>,
    },
    /// The ESipa request could not be delivered / answered.
    EsipaFailed(String),
    /// The eUICC answered.
    Es10Response(Vec<u8>),
    /// The eUICC could not answer at all.
    Es10Failed(String),
    /// The requested back-off is over.
    WaitElapsed,
    /// An ES9+ answer of the SM-DP+ (direct download).
    Es9Response {
        /// HTTP status.
        status: u16,
        /// The body (JSON, or empty for 204).
        body: Vec<u8>,
    },
    /// The ES9+ request could not be delivered / answered.
    Es9Failed(String),
}

impl IpaEvent {
    fn name(&self) -> &'static str {
        match self {
            IpaEvent::StartPoll => "StartPoll",
            IpaEvent::EsipaResponse { .. } => "EsipaResponse",
            IpaEvent::EsipaFailed(_) => "EsipaFailed",
            IpaEvent::Es10Response(_) => "Es10Response",
            IpaEvent::Es10Failed(_) => "Es10Failed",
            IpaEvent::WaitElapsed => "WaitElapsed",
            IpaEvent::Es9Response { .. } => "Es9Response",
            IpaEvent::Es9Failed(_) => "Es9Failed",
        }
    }
}

/// Output of the state machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpaAction {
    /// POST this DER on ESipa (one connection for the whole procedure).
    SendEsipa(Vec<u8>),
    /// Send this ES10 request to the eUICC.
    SendEs10(Vec<u8>),
    /// Sleep, then feed `WaitElapsed`.
    Wait(Duration),
    /// POST this ES9+ JSON request to the SM-DP+ at `address` (direct download, the SGP.22
    /// JSON binding: `<base URL>/gsma/rsp2/es9plus/<function>`); answered by `Es9Response` or
    /// `Es9Failed`. The base URL comes from [`IpaConfig::smdp_urls`] (default
    /// `https://ADDRESS`).
    SendEs9 {
        /// The SM-DP+ address (activation code / notificationAddress).
        address: String,
        /// The ES9+ function.
        function: crate::smdp::Es9Function,
        /// The JSON body.
        json: Vec<u8>,
    },
    /// The procedure is over.
    Finished(IpaOutcome),
}

/// IPAd or IPAe (SGP.32 2.2); sets the User-Agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IpaMode {
    /// IPA in the device (`gsma-rsp-ipad`).
    #[default]
    IpaD,
    /// IPA in the eUICC (`gsma-rsp-ipae`).
    IpaE,
}

impl IpaMode {
    /// The User-Agent product (SGP.32 6.1).
    pub fn user_agent(self) -> &'static str {
        match self {
            IpaMode::IpaD => crate::transport::esipa_http::USER_AGENT_IPAD,
            IpaMode::IpaE => crate::transport::esipa_http::USER_AGENT_IPAE,
        }
    }
}

/// What the next GetEimPackageRequest reports (SGP.32 6.3.2.6); consumed by the first poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyStateChange {
    /// `stateChangeCause`.
    pub cause: Option<StateChangeCause>,
    /// `rPLMN` (3 bytes, MCC/MNC).
    pub r_plmn: Option<[u8; 3]>,
}

/// Configuration of one IPA.
#[derive(Debug, Clone)]
pub struct IpaConfig {
    /// The EID; `None` reads it from the eUICC (GetEID) at the first procedure.
    pub eid: Option<[u8; 16]>,
    /// IPAd or IPAe.
    pub mode: IpaMode,
    /// `IpaCapabilities` reported in ipaEuiccData (tag A8).
    pub capabilities: IpaCapabilities,
    /// Retries of an ESipa exchange after the first attempt.
    pub retries: u32,
    /// Back-off base: retry n waits `base * n^2`.
    pub backoff_base: Duration,
    /// notifyStateChange for the next poll.
    pub notify_state_change: Option<NotifyStateChange>,
    /// TAC of deviceInfo in ctxParams1 (profile download).
    pub tac: [u8; 4],
    /// Confirmation code for PrepareDownload's hashCc (profile download), when required.
    pub confirmation_code: Option<String>,
    /// Direct download: SM-DP+ address -> base URL (`http(s)://host:port[/prefix]`), matched
    /// case-insensitively; an address not listed is reached at `https://ADDRESS`.
    pub smdp_urls: std::collections::BTreeMap<String, String>,
    /// Direct download: TLS trust for `https` SM-DP+ URLs (None: `https` cannot be used).
    pub smdp_tls: Option<crate::transport::TlsClientConfig>,
    /// After a successful installation, ask the eUICC to enable the new profile at once
    /// (ES10b.ImmediateEnable, SGP.32 5.9.15, refreshFlag false) before the PIR is delivered.
    /// The eUICC refuses (immediateEnableNotAvailable) unless a configureImmediateEnable PSMO
    /// turned immediate enabling on; the download goes on either way. Default off.
    pub immediate_enable: bool,
}

impl IpaConfig {
    /// The base URL of the SM-DP+ at `address` (direct download).
    pub fn smdp_url(&self, address: &str) -> String {
        self.smdp_urls
            .iter()
            .find(|(a, _)| a.eq_ignore_ascii_case(address))
            .map(|(_, u)| u.clone())
            .unwrap_or_else(|| format!("https://{address}"))
    }
}

impl Default for IpaConfig {
    fn default() -> Self {
        IpaConfig {
            eid: None,
            mode: IpaMode::IpaD,
            capabilities: IpaCapabilities::default(),
            retries: 3,
            backoff_base: Duration::from_secs(1),
            notify_state_change: None,
            tac: [0x35, 0x29, 0x06, 0x11],
            confirmation_code: None,
            smdp_urls: Default::default(),
            smdp_tls: None,
            immediate_enable: false,
        }
    }
}

/// An ESipa exchange in flight, with its retry count.
#[derive(Debug, Clone)]
struct Pending {
    der: Vec<u8>,
    attempt: u32,
}

/// The result being delivered (steps 9-17).
#[derive(Debug, Clone)]
struct ResultCtx {
    counter_value: i64,
    epr: EuiccPackageResult,
    notifications: Vec<PendingNotification>,
    rollback_allowed: bool,
    rolled_back: bool,
    acknowledged: Vec<i64>,
    /// An ipaEuiccData / download trigger delivery (no EPR of its own).
    other: bool,
}

/// One ES10 step of an IpaEuiccDataRequest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DataStep {
    Notifications,
    PackageResults,
    Info1,
    Info2,
    Certs,
}

#[derive(Debug, Clone)]
enum State {
    Idle,
    FetchEid,
    GetEimPackage(Pending),
    LoadPackage(ResultCtx),
    RetrieveEpr(ResultCtx),
    RetrieveNotifications(ResultCtx),
    Provide(Pending, ResultCtx),
    Rollback(ResultCtx),
    RemoveNotifications(Vec<i64>, ResultCtx),
    GatherData(Box<IpaEuiccDataRequest>, Vec<DataStep>, Box<IpaEuiccData>),
    ProvideOther(Pending, bool),
    Download(Box<download::Dl>),
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            State::Idle => "Idle",
            State::FetchEid => "FetchEid",
            State::GetEimPackage(_) => "GetEimPackage",
            State::LoadPackage(_) => "LoadPackage",
            State::RetrieveEpr(_) => "RetrieveEpr",
            State::RetrieveNotifications(_) => "RetrieveNotifications",
            State::Provide(..) => "Provide",
            State::Rollback(_) => "Rollback",
            State::RemoveNotifications(..) => "RemoveNotifications",
            State::GatherData(..) => "GatherData",
            State::ProvideOther(..) => "ProvideOther",
            State::Download(dl) => dl.name(),
        }
    }
}

/// The IPA state machine (sans-IO).
#[derive(Debug, Clone)]
pub struct Ipa {
    config: IpaConfig,
    eid: Option<[u8; 16]>,
    state: State,
}

fn encode<T: rasn::Encode>(value: &T) -> Vec<u8> {
    // Encoding values built in this module cannot fail for constraint reasons; an empty
    // vector would be refused by any receiver and shows up in the trace.
    rasn::der::encode(value).unwrap_or_default()
}

fn es10(request: Es10Request) -> IpaAction {
    IpaAction::SendEs10(encode(&request))
}

fn epr_seq(epr: &EuiccPackageResult) -> Option<i64> {
    match &epr.0 {
        EuiccPackageResultChoice::EuiccPackageResultSigned(s) => {
            Some(s.euicc_package_result_data_signed.seq_number)
        }
        _ => None,
    }
}

/// The seqNumber of a pending notification (SGP.32 PendingNotification).
pub fn notification_seq(n: &PendingNotification) -> i64 {
    match n {
        PendingNotification::ProfileInstallationResult(p) => {
            p.profile_installation_result_data
                .notification_metadata
                .seq_number
        }
        PendingNotification::OtherSignedNotification(o) => o.tbs_other_notification.seq_number,
        PendingNotification::CompactProfileInstallationResult(c) => {
            c.compact_profile_installation_result_data.seq_number
        }
        PendingNotification::CompactOtherSignedNotification(c) => {
            c.tbs_other_notification.seq_number
        }
    }
}

/// Splits a BER tag list (`5C` content of IpaEuiccDataRequest) into tags.
fn split_tags(list: &[u8]) -> Vec<Vec<u8>> {
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(&first) = list.get(i) {
        let mut tag = vec![first];
        i += 1;
        if first & 0x1f == 0x1f {
            while let Some(&b) = list.get(i) {
                tag.push(b);
                i += 1;
                if b & 0x80 == 0 {
                    break;
                }
            }
        }
        tags.push(tag);
    }
    tags
}

impl Ipa {
    /// A fresh IPA, idle.
    pub fn new(config: IpaConfig) -> Self {
        Ipa {
            eid: config.eid,
            config,
            state: State::Idle,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &IpaConfig {
        &self.config
    }

    /// Sets the notifyStateChange for the next poll.
    pub fn notify_state_change(&mut self, notify: NotifyStateChange) {
        self.config.notify_state_change = Some(notify);
    }

    /// The EID, once known.
    pub fn eid(&self) -> Option<[u8; 16]> {
        self.eid
    }

    /// The current state's name (for traces and tests).
    pub fn state_name(&self) -> &'static str {
        self.state.name()
    }

    /// Whether no procedure is running.
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::Idle)
    }

    /// Feeds one event, returns the next action.
    pub fn handle(&mut self, event: IpaEvent) -> IpaAction {
        let state = std::mem::replace(&mut self.state, State::Idle);
        let name = state.name();
        let action = self.step(state, event);
        if let IpaAction::Finished(outcome) = &action {
            tracing::debug!(from = name, ?outcome, "IPA procedure finished");
            self.state = State::Idle;
        }
        action
    }

    fn finish(&mut self, outcome: IpaOutcome) -> IpaAction {
        self.state = State::Idle;
        IpaAction::Finished(outcome)
    }

    fn fail(&mut self, error: IpaError) -> IpaAction {
        self.finish(IpaOutcome::Failed(error))
    }

    fn send_esipa(&mut self, der: Vec<u8>) -> Pending {
        Pending { der, attempt: 0 }
    }

    fn step(&mut self, state: State, event: IpaEvent) -> IpaAction {
        let name = state.name();
        match (state, event) {
            (State::Idle, IpaEvent::StartPoll) => match self.eid {
                None => {
                    self.state = State::FetchEid;
                    es10(Es10Request::GetEid(GetEuiccDataRequest {
                        tag_list: [0x5a].into(),
                        extensions: Default::default(),
                    }))
                }
                Some(eid) => self.start_get_package(eid),
            },
            (State::FetchEid, IpaEvent::Es10Response(bytes)) => {
                match rasn::der::decode::<GetEuiccDataResponse>(&bytes) {
                    Ok(r) => {
                        let mut eid = [0u8; 16];
                        eid.copy_from_slice(&r.eid_value.0[..]);
                        self.eid = Some(eid);
                        self.start_get_package(eid)
                    }
                    Err(e) => self.es10_error(name, e.to_string()),
                }
            }
            // ESipa exchanges with retries.
            (State::GetEimPackage(p), event) => match self.esipa_answer(p, event, name) {
                Answer::Again(p, action) => {
                    self.state = State::GetEimPackage(p);
                    action
                }
                Answer::GaveUp(e) => self.fail(e),
                Answer::Message(m) => self.on_get_package(m),
            },
            (State::Provide(p, ctx), event) => match self.esipa_answer(p, event, name) {
                Answer::Again(p, action) => {
                    self.state = State::Provide(p, ctx);
                    action
                }
                Answer::GaveUp(e @ IpaError::Transport { .. })
                    if ctx.rollback_allowed && !ctx.rolled_back =>
                {
                    tracing::info!(%e, "result not delivered: ProfileRollback");
                    self.state = State::Rollback(ctx);
                    es10(Es10Request::ProfileRollback(ProfileRollbackRequest {
                        refresh_flag: false,
                        extensions: Default::default(),
                    }))
                }
                Answer::GaveUp(e) => self.fail(e),
                Answer::Message(m) => self.on_provide_response(m, ctx),
            },
            (State::ProvideOther(p, trigger), event) => match self.esipa_answer(p, event, name) {
                Answer::Again(p, action) => {
                    self.state = State::ProvideOther(p, trigger);
                    action
                }
                Answer::GaveUp(e) => self.fail(e),
                Answer::Message(m) => match provide_choice(m, name) {
                    Err(e) => self.fail(e),
                    Ok(ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(e)) => {
                        self.finish(IpaOutcome::ProvideResultError(e))
                    }
                    Ok(_) if trigger => self.finish(IpaOutcome::DownloadTriggerRefused),
                    Ok(ProvideEimPackageResultResponseChoice::EimAcknowledgements(acks)) => {
                        let acknowledged: Vec<i64> = acks.0.iter().map(|s| s.0).collect();
                        let ctx = ResultCtx {
                            counter_value: 0,
                            epr: EuiccPackageResult(
                                EuiccPackageResultChoice::EuiccPackageErrorUnsigned(
                                    Default::default(),
                                ),
                            ),
                            notifications: Vec::new(),
                            rollback_allowed: false,
                            rolled_back: false,
                            acknowledged: acknowledged.clone(),
                            other: true,
                        };
                        self.remove_next(acknowledged, ctx)
                    }
                    Ok(ProvideEimPackageResultResponseChoice::EmptyResponse(_)) => {
                        self.finish(IpaOutcome::EuiccDataProvided {
                            acknowledged: Vec::new(),
                        })
                    }
                },
            },
            (State::LoadPackage(mut ctx), IpaEvent::Es10Response(bytes)) => {
                match rasn::der::decode::<EuiccPackageResult>(&bytes) {
                    Ok(epr) => {
                        ctx.epr = epr;
                        self.retrieve_epr(ctx)
                    }
                    Err(e) => self.es10_error(name, e.to_string()),
                }
            }
            (State::RetrieveEpr(mut ctx), IpaEvent::Es10Response(bytes)) => {
                match rasn::der::decode::<RetrieveNotificationsListResponse>(&bytes) {
                    Ok(RetrieveNotificationsListResponse(
                        RetrieveNotificationsListResponseChoice::EuiccPackageResultList(list),
                    )) => {
                        if let Some(stored) = list.into_iter().next() {
                            ctx.epr = stored;
                        }
                        self.retrieve_notifications(ctx)
                    }
                    Ok(_) => self.retrieve_notifications(ctx),
                    Err(e) => self.es10_error(name, e.to_string()),
                }
            }
            (State::RetrieveNotifications(mut ctx), IpaEvent::Es10Response(bytes)) => {
                match rasn::der::decode::<RetrieveNotificationsListResponse>(&bytes) {
                    Ok(RetrieveNotificationsListResponse(
                        RetrieveNotificationsListResponseChoice::NotificationList(list),
                    )) => {
                        ctx.notifications = list;
                        self.provide(ctx)
                    }
                    Ok(_) => self.provide(ctx),
                    Err(e) => self.es10_error(name, e.to_string()),
                }
            }
            (State::Rollback(mut ctx), IpaEvent::Es10Response(bytes)) => {
                ctx.rolled_back = true;
                match rasn::der::decode::<ProfileRollbackResponse>(&bytes) {
                    Ok(ProfileRollbackResponse {
                        euicc_package_result: Some(epr),
                        ..
                    }) => {
                        ctx.epr = epr;
                        self.retrieve_epr(ctx)
                    }
                    Ok(r) => self.es10_error(
                        name,
                        format!("ProfileRollback cmdResult {:?}", r.cmd_result),
                    ),
                    Err(e) => self.es10_error(name, e.to_string()),
                }
            }
            (State::RemoveNotifications(rest, ctx), IpaEvent::Es10Response(_)) => {
                // The deleteNotificationStatus is informational (nothingToDelete is fine).
                self.remove_next(rest, ctx)
            }
            (State::GatherData(req, steps, data), IpaEvent::Es10Response(bytes)) => {
                self.on_data(req, steps, data, &bytes, name)
            }
            (State::Download(dl), event) => self.download_step(*dl, event),
            (_, IpaEvent::Es10Failed(reason)) => self.es10_error(name, reason),
            (state, event) => {
                let event = event.name();
                let _ = state;
                self.fail(IpaError::UnexpectedEvent { state: name, event })
            }
        }
    }

    fn es10_error(&mut self, state: &'static str, reason: String) -> IpaAction {
        self.fail(IpaError::Es10 { state, reason })
    }

    fn start_get_package(&mut self, eid: [u8; 16]) -> IpaAction {
        let notify = self.config.notify_state_change.take();
        let request = GetEimPackageRequest {
            eid_value: FixedOctetString::from(eid),
            notify_state_change: notify.as_ref().map(|_| ()),
            state_change_cause: notify.as_ref().and_then(|n| n.cause),
            r_plmn: notify
                .as_ref()
                .and_then(|n| n.r_plmn)
                .map(FixedOctetString::from),
            extensions: Default::default(),
        };
        let der = encode(&EsipaMessageFromIpaToEim::GetEimPackageRequest(Box::new(
            request,
        )));
        self.state = State::GetEimPackage(self.send_esipa(der.clone()));
        IpaAction::SendEsipa(der)
    }

    /// Handles an event while an ESipa exchange is in flight.
    fn esipa_answer(&self, p: Pending, event: IpaEvent, state: &'static str) -> Answer {
        let retry = |mut p: Pending, reason: String| {
            if p.attempt < self.config.retries {
                p.attempt += 1;
                let n = p.attempt;
                Answer::Again(p, IpaAction::Wait(self.config.backoff_base * (n * n)))
            } else {
                Answer::GaveUp(IpaError::Transport {
                    attempts: p.attempt + 1,
                    reason,
                })
            }
        };
        match event {
            IpaEvent::WaitElapsed if p.attempt > 0 => {
                let der = p.der.clone();
                Answer::Again(p, IpaAction::SendEsipa(der))
            }
            IpaEvent::EsipaFailed(reason) => retry(p, reason),
            IpaEvent::EsipaResponse { status, .. } if status >= 500 => {
                retry(p, format!("HTTP {status}"))
            }
            IpaEvent::EsipaResponse { status, .. } if !(200..300).contains(&status) => {
                Answer::GaveUp(IpaError::HttpStatus(status))
            }
            IpaEvent::EsipaResponse { body, .. } => {
                match rasn::der::decode::<EsipaMessageFromEimToIpa>(&body) {
                    Ok(m) => Answer::Message(m),
                    Err(e) => Answer::GaveUp(IpaError::UndecodableEsipa {
                        state,
                        reason: e.to_string(),
                    }),
                }
            }
            other => Answer::GaveUp(IpaError::UnexpectedEvent {
                state,
                event: other.name(),
            }),
        }
    }

    fn on_get_package(&mut self, message: EsipaMessageFromEimToIpa) -> IpaAction {
        let EsipaMessageFromEimToIpa::GetEimPackageResponse(response) = message else {
            return self.fail(IpaError::UnexpectedEsipa {
                state: "GetEimPackage",
                got: message_name(&message),
            });
        };
        match response.0 {
            GetEimPackageResponseChoice::EimPackageError(e)
                if e == GetEimPackageError::NO_EIM_PACKAGE_AVAILABLE =>
            {
                self.finish(IpaOutcome::NothingToDo)
            }
            GetEimPackageResponseChoice::EimPackageError(e) => {
                self.finish(IpaOutcome::EimPackageError(e))
            }
            GetEimPackageResponseChoice::EuiccPackageRequest(request) => {
                self.load_package(*request)
            }
            GetEimPackageResponseChoice::IpaEuiccDataRequest(request) => self.gather(request),
            GetEimPackageResponseChoice::ProfileDownloadTriggerRequest(trigger) => {
                self.start_download(*trigger)
            }
        }
    }

    /// Answers a trigger with profileDownloadError undefinedError.
    fn refuse_trigger(&mut self, eim_transaction_id: Option<TransactionId>) -> IpaAction {
        let result = ProfileDownloadTriggerResult {
            eim_transaction_id,
            profile_download_trigger_result_data:
                ProfileDownloadTriggerResultData::ProfileDownloadError(ProfileDownloadError {
                    profile_download_error_reason: ProfileDownloadErrorReason::UNDEFINED_ERROR,
                    error_response: None,
                    extensions: Default::default(),
                }),
            extensions: Default::default(),
        };
        let der = self.provide_der(EimPackageResult::ProfileDownloadTriggerResult(Box::new(
            result,
        )));
        self.state = State::ProvideOther(self.send_esipa(der.clone()), true);
        IpaAction::SendEsipa(der)
    }

    fn load_package(&mut self, request: EuiccPackageRequest) -> IpaAction {
        let signed = &request.euicc_package_signed;
        let rollback_allowed = match &signed.euicc_package {
            EuiccPackage::PsmoList(list) => list
                .iter()
                .any(|p| matches!(p, Psmo::Enable(e) if e.rollback_flag.is_some())),
            EuiccPackage::EcoList(_) => false,
        };
        let ctx = ResultCtx {
            counter_value: signed.counter_value,
            epr: EuiccPackageResult(EuiccPackageResultChoice::EuiccPackageErrorUnsigned(
                Default::default(),
            )),
            notifications: Vec::new(),
            rollback_allowed,
            rolled_back: false,
            acknowledged: Vec::new(),
            other: false,
        };
        self.state = State::LoadPackage(ctx);
        es10(Es10Request::LoadEuiccPackage(request))
    }

    fn retrieve_epr(&mut self, ctx: ResultCtx) -> IpaAction {
        match epr_seq(&ctx.epr) {
            Some(seq) => {
                self.state = State::RetrieveEpr(ctx);
                es10(Es10Request::RetrieveNotificationsList(
                    RetrieveNotificationsListRequest {
                        search_criteria: Some(NotificationsSearchCriteria::SeqNumber(seq)),
                        extensions: Default::default(),
                    },
                ))
            }
            None => self.retrieve_notifications(ctx),
        }
    }

    fn retrieve_notifications(&mut self, ctx: ResultCtx) -> IpaAction {
        self.state = State::RetrieveNotifications(ctx);
        es10(Es10Request::RetrieveNotificationsList(
            RetrieveNotificationsListRequest::default(),
        ))
    }

    fn provide_der(&self, result: EimPackageResult) -> Vec<u8> {
        encode(&EsipaMessageFromIpaToEim::ProvideEimPackageResult(
            Box::new(ProvideEimPackageResult {
                eid_value: self.eid.map(FixedOctetString::from),
                eim_package_result: result,
                extensions: Default::default(),
            }),
        ))
    }

    fn provide(&mut self, ctx: ResultCtx) -> IpaAction {
        let der = self.provide_der(EimPackageResult::EprAndNotifications(EprAndNotifications {
            euicc_package_result: ctx.epr.clone(),
            notification_list: ctx.notifications.clone(),
            extensions: Default::default(),
        }));
        self.state = State::Provide(self.send_esipa(der.clone()), ctx);
        IpaAction::SendEsipa(der)
    }

    fn on_provide_response(
        &mut self,
        message: EsipaMessageFromEimToIpa,
        mut ctx: ResultCtx,
    ) -> IpaAction {
        let mut remove: Vec<i64> = epr_seq(&ctx.epr).into_iter().collect();
        match provide_choice(message, "Provide") {
            Err(e) => return self.fail(e),
            Ok(ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(e)) => {
                return self.finish(IpaOutcome::ProvideResultError(e));
            }
            Ok(ProvideEimPackageResultResponseChoice::EimAcknowledgements(
                EimAcknowledgements(acks),
            )) => {
                ctx.acknowledged = acks.iter().map(|s| s.0).collect();
                for seq in &ctx.acknowledged {
                    if !remove.contains(seq) {
                        remove.push(*seq);
                    }
                }
            }
            Ok(ProvideEimPackageResultResponseChoice::EmptyResponse(_)) => {}
        }
        self.remove_next(remove, ctx)
    }

    /// Removes the next seqNumber, or finishes.
    fn remove_next(&mut self, mut rest: Vec<i64>, mut ctx: ResultCtx) -> IpaAction {
        if rest.is_empty() {
            if ctx.other {
                return self.finish(IpaOutcome::EuiccDataProvided {
                    acknowledged: ctx.acknowledged,
                });
            }
            let seq_number = epr_seq(&ctx.epr);
            let mut removed: Vec<i64> = seq_number.into_iter().collect();
            for s in &ctx.acknowledged {
                if !removed.contains(s) {
                    removed.push(*s);
                }
            }
            return self.finish(IpaOutcome::PackageExecuted {
                counter_value: ctx.counter_value,
                seq_number,
                acknowledged: std::mem::take(&mut ctx.acknowledged),
                removed,
                rolled_back: ctx.rolled_back,
            });
        }
        let seq = rest.remove(0);
        self.state = State::RemoveNotifications(rest, ctx);
        es10(Es10Request::RemoveNotificationFromList(
            NotificationSentRequest {
                seq_number: seq,
                extensions: Default::default(),
            },
        ))
    }

    fn gather(&mut self, request: Box<IpaEuiccDataRequest>) -> IpaAction {
        let mut steps = Vec::new();
        let mut data = IpaEuiccData {
            eim_transaction_id: request.eim_transaction_id.clone(),
            ..Default::default()
        };
        for tag in split_tags(&request.tag_list) {
            let step = match tag.as_slice() {
                [0xa0] | [0x80] => Some(DataStep::Notifications),
                [0xa2] | [0x82] => Some(DataStep::PackageResults),
                [0xbf, 0x20] => Some(DataStep::Info1),
                [0xbf, 0x22] => Some(DataStep::Info2),
                [0xa5] | [0xa6] => Some(DataStep::Certs),
                [0xa8] => {
                    data.ipa_capabilities = Some(self.config.capabilities.clone());
                    None
                }
                other => {
                    tracing::debug!(tag = %hex::encode(other), "ipaEuiccData tag not supported");
                    None
                }
            };
            if let Some(step) = step
                && !steps.contains(&step)
            {
                steps.push(step);
            }
        }
        self.next_data(request, steps, Box::new(data))
    }

    fn next_data(
        &mut self,
        request: Box<IpaEuiccDataRequest>,
        steps: Vec<DataStep>,
        data: Box<IpaEuiccData>,
    ) -> IpaAction {
        let Some(step) = steps.first().copied() else {
            let der = self.provide_der(EimPackageResult::IpaEuiccDataResponse(
                IpaEuiccDataResponse(IpaEuiccDataResponseChoice::IpaEuiccData(data)),
            ));
            self.state = State::ProvideOther(self.send_esipa(der.clone()), false);
            return IpaAction::SendEsipa(der);
        };
        let request_es10 = match step {
            DataStep::Notifications => {
                Es10Request::RetrieveNotificationsList(RetrieveNotificationsListRequest {
                    search_criteria: request.search_criteria_notification.as_ref().map(
                        |c| match c {
                            SearchCriteriaNotification::SeqNumber(n) => {
                                NotificationsSearchCriteria::SeqNumber(*n)
                            }
                            SearchCriteriaNotification::ProfileManagementOperation(op) => {
                                NotificationsSearchCriteria::ProfileManagementOperation(op.clone())
                            }
                        },
                    ),
                    extensions: Default::default(),
                })
            }
            DataStep::PackageResults => {
                Es10Request::RetrieveNotificationsList(RetrieveNotificationsListRequest {
                    search_criteria: Some(match &request.search_criteria_euicc_package_result {
                        Some(SearchCriteriaEuiccPackageResult::SeqNumber(n)) => {
                            NotificationsSearchCriteria::SeqNumber(*n)
                        }
                        None => NotificationsSearchCriteria::EuiccPackageResults(()),
                    }),
                    extensions: Default::default(),
                })
            }
            DataStep::Info1 => Es10Request::GetEuiccInfo1(GetEuiccInfo1Request::default()),
            DataStep::Info2 => Es10Request::GetEuiccInfo2(GetEuiccInfo2Request::default()),
            DataStep::Certs => Es10Request::GetCerts(GetCertsRequest {
                euicc_ci_pk_id: request
                    .euicc_ci_pk_identifier_to_be_used
                    .clone()
                    .map(crate::asn1::pkix::SubjectKeyIdentifier),
                extensions: Default::default(),
            }),
        };
        self.state = State::GatherData(request, steps, data);
        es10(request_es10)
    }

    fn on_data(
        &mut self,
        request: Box<IpaEuiccDataRequest>,
        mut steps: Vec<DataStep>,
        mut data: Box<IpaEuiccData>,
        bytes: &[u8],
        name: &'static str,
    ) -> IpaAction {
        let Some(step) = steps.first().copied() else {
            return self.fail(IpaError::UnexpectedEvent {
                state: name,
                event: "Es10Response",
            });
        };
        steps.remove(0);
        let decoded: Result<(), String> = match step {
            DataStep::Notifications | DataStep::PackageResults => rasn::der::decode::<
                RetrieveNotificationsListResponse,
            >(bytes)
            .map(|r| match r.0 {
                RetrieveNotificationsListResponseChoice::NotificationList(l) => {
                    if step == DataStep::Notifications {
                        data.notifications_list = Some(l);
                    } else {
                        data.euicc_package_result_list = Some(Vec::new());
                    }
                }
                RetrieveNotificationsListResponseChoice::EuiccPackageResultList(l) => {
                    if step == DataStep::PackageResults {
                        data.euicc_package_result_list = Some(l);
                    } else {
                        data.notifications_list = Some(Vec::new());
                    }
                }
                RetrieveNotificationsListResponseChoice::NotificationsListResultError(_) => {}
            })
            .map_err(|e| e.to_string()),
            DataStep::Info1 => rasn::der::decode(bytes)
                .map(|i| data.euicc_info1 = Some(i))
                .map_err(|e| e.to_string()),
            DataStep::Info2 => rasn::der::decode::<EuiccInfo2>(bytes)
                .map(|i| data.euicc_info2 = Some(i))
                .map_err(|e| e.to_string()),
            DataStep::Certs => match rasn::der::decode::<GetCertsResponse>(bytes) {
                Ok(GetCertsResponse(GetCertsResponseChoice::Certs(certs))) => {
                    let tags = split_tags(&request.tag_list);
                    if tags.iter().any(|t| t == &[0xa5]) {
                        data.eum_certificate = Some(certs.eum_certificate.clone());
                    }
                    if tags.iter().any(|t| t == &[0xa6]) {
                        data.euicc_certificate = Some(certs.euicc_certificate.clone());
                    }
                    Ok(())
                }
                Ok(GetCertsResponse(GetCertsResponseChoice::GetCertsError(e))) => {
                    Err(format!("GetCerts error {e:?}"))
                }
                Err(e) => Err(e.to_string()),
            },
        };
        match decoded {
            Ok(()) => self.next_data(request, steps, data),
            Err(e) => self.es10_error(name, e),
        }
    }
}

enum Answer {
    Again(Pending, IpaAction),
    GaveUp(IpaError),
    Message(EsipaMessageFromEimToIpa),
}

fn message_name(message: &EsipaMessageFromEimToIpa) -> String {
    let debug = format!("{message:?}");
    debug.split('(').next().unwrap_or_default().to_string()
}

fn provide_choice(
    message: EsipaMessageFromEimToIpa,
    state: &'static str,
) -> Result<ProvideEimPackageResultResponseChoice, IpaError> {
    match message {
        EsipaMessageFromEimToIpa::ProvideEimPackageResultResponse(r) => Ok(r.0),
        other => Err(IpaError::UnexpectedEsipa {
            state,
            got: message_name(&other),
        }),
    }
}

#[cfg(test)]
mod tests;
