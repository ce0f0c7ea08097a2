//! The async driver of [`Ipa`]: ESipa over one [`EsipaClient`] (one keep-alive connection for
//! all procedures), ES10 through an [`Es10Handler`], back-off with `tokio::time::sleep`, and a
//! trace of every exchange. A direct download's ES9+ calls (SGP.22 6.5 JSON binding) go over
//! one keep-alive [`HttpClient`] per SM-DP+ base URL ([`IpaConfig::smdp_url`], TLS trust
//! [`IpaConfig::smdp_tls`]).

use serde::Serialize;

use super::{Ipa, IpaAction, IpaConfig, IpaEvent, IpaOutcome};
use crate::euicc::apdu::Es10Handler;
use crate::smdp::es9_json::{ADMIN_PROTOCOL, ES9_PREFIX, JSON_CONTENT_TYPE};
use crate::transport::{ClientOptions, EsipaClient, HttpClient, TlsClientConfig, TransportError};

/// One traced message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpaTraceEntry {
    /// `ipa->eim`, `eim->ipa`, `ipa->euicc`, `euicc->ipa`, `ipa->smdp`, `smdp->ipa`.
    pub direction: &'static str,
    /// `ESipa`, `ES10` or `ES9+`.
    pub interface: &'static str,
    /// HTTP status of an ESipa response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The bytes, hex (empty for a failure).
    pub hex: String,
    /// A failure instead of bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When it was recorded, microseconds since the Unix epoch.
    pub time_us: u64,
}

impl IpaTraceEntry {
    /// An entry stamped now.
    pub fn now(
        direction: &'static str,
        interface: &'static str,
        status: Option<u16>,
        bytes: &[u8],
        error: Option<String>,
    ) -> Self {
        let time_us = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
            .unwrap_or_default();
        IpaTraceEntry {
            direction,
            interface,
            status,
            hex: hex::encode(bytes),
            error,
            time_us,
        }
    }
}

/// Runs the IPA state machine over real I/O.
pub struct IpaDriver<H: Es10Handler> {
    ipa: Ipa,
    client: EsipaClient,
    card: H,
    trace: Vec<IpaTraceEntry>,
    /// ES9+ clients by SM-DP+ base URL (direct download).
    smdp_clients: std::collections::HashMap<String, HttpClient>,
    /// Test hook: the next N ProvideEimPackageResult posts are not sent; the state machine gets
    /// `EsipaFailed("injected")` instead (exercises retries and ProfileRollback).
    pub fail_provide_deliveries: u32,
}

impl<H: Es10Handler> IpaDriver<H> {
    /// A driver over an already connected client.
    pub fn new(config: IpaConfig, client: EsipaClient, card: H) -> Self {
        IpaDriver {
            ipa: Ipa::new(config),
            client,
            card,
            trace: Vec::new(),
            smdp_clients: Default::default(),
            fail_provide_deliveries: 0,
        }
    }

    /// Connects to `url` with the mode's User-Agent and otherwise default options.
    pub async fn connect(
        url: &str,
        tls: Option<TlsClientConfig>,
        config: IpaConfig,
        card: H,
    ) -> Result<Self, TransportError> {
        let options = ClientOptions {
            user_agent: Some(config.mode.user_agent().to_string()),
            ..ClientOptions::default()
        };
        let client = EsipaClient::connect(url, tls, options).await?;
        Ok(Self::new(config, client, card))
    }

    /// The state machine.
    pub fn ipa(&self) -> &Ipa {
        &self.ipa
    }

    /// The state machine, mutable (e.g. to set notifyStateChange).
    pub fn ipa_mut(&mut self) -> &mut Ipa {
        &mut self.ipa
    }

    /// The eUICC.
    pub fn card(&self) -> &H {
        &self.card
    }

    /// The eUICC, mutable.
    pub fn card_mut(&mut self) -> &mut H {
        &mut self.card
    }

    /// The ESipa client.
    pub fn client(&self) -> &EsipaClient {
        &self.client
    }

    /// Every exchange so far.
    pub fn trace(&self) -> &[IpaTraceEntry] {
        &self.trace
    }

    fn record(&mut self, direction: &'static str, interface: &'static str, bytes: &[u8]) {
        self.trace
            .push(IpaTraceEntry::now(direction, interface, None, bytes, None));
    }

    /// Runs one procedure (one poll) to its end.
    pub async fn run_procedure(&mut self) -> IpaOutcome {
        let mut action = self.ipa.handle(IpaEvent::StartPoll);
        loop {
            let event = match action {
                IpaAction::Finished(outcome) => return outcome,
                IpaAction::Wait(d) => {
                    tokio::time::sleep(d).await;
                    IpaEvent::WaitElapsed
                }
                IpaAction::SendEs9 {
                    address,
                    function,
                    json,
                } => {
                    self.record("ipa->smdp", "ES9+", &json);
                    match self.es9(&address, function, json).await {
                        Ok((status, body)) => {
                            self.trace.push(IpaTraceEntry::now(
                                "smdp->ipa",
                                "ES9+",
                                Some(status),
                                &body,
                                None,
                            ));
                            IpaEvent::Es9Response { status, body }
                        }
                        Err(e) => {
                            let reason = e.to_string();
                            self.trace.push(IpaTraceEntry::now(
                                "smdp->ipa",
                                "ES9+",
                                None,
                                &[],
                                Some(reason.clone()),
                            ));
                            IpaEvent::Es9Failed(reason)
                        }
                    }
                }
                IpaAction::SendEs10(request) => {
                    self.record("ipa->euicc", "ES10", &request);
                    match self.card.handle_es10(&request) {
                        Ok(response) => {
                            self.record("euicc->ipa", "ES10", &response);
                            IpaEvent::Es10Response(response)
                        }
                        Err(e) => {
                            let reason = e.to_string();
                            self.trace.push(IpaTraceEntry::now(
                                "euicc->ipa",
                                "ES10",
                                None,
                                &[],
                                Some(reason.clone()),
                            ));
                            IpaEvent::Es10Failed(reason)
                        }
                    }
                }
                IpaAction::SendEsipa(der) => {
                    self.record("ipa->eim", "ESipa", &der);
                    if self.fail_provide_deliveries > 0 && der.starts_with(&[0xbf, 0x50]) {
                        self.fail_provide_deliveries -= 1;
                        self.trace.push(IpaTraceEntry::now(
                            "eim->ipa",
                            "ESipa",
                            None,
                            &[],
                            Some("injected".into()),
                        ));
                        IpaEvent::EsipaFailed("injected".into())
                    } else {
                        match self.client.post(&der).await {
                            Ok(r) => {
                                self.trace.push(IpaTraceEntry::now(
                                    "eim->ipa",
                                    "ESipa",
                                    Some(r.status),
                                    &r.body,
                                    None,
                                ));
                                IpaEvent::EsipaResponse {
                                    status: r.status,
                                    body: r.body.to_vec(),
                                }
                            }
                            Err(e) => {
                                let reason = e.to_string();
                                self.trace.push(IpaTraceEntry::now(
                                    "eim->ipa",
                                    "ESipa",
                                    None,
                                    &[],
                                    Some(reason.clone()),
                                ));
                                IpaEvent::EsipaFailed(reason)
                            }
                        }
                    }
                }
            };
            action = self.ipa.handle(event);
        }
    }

    /// One ES9+ call to the SM-DP+ at `address` (SGP.22 6.5.1: POST, JSON, X-Admin-Protocol).
    async fn es9(
        &mut self,
        address: &str,
        function: crate::smdp::Es9Function,
        json: Vec<u8>,
    ) -> Result<(u16, Vec<u8>), TransportError> {
        let config = self.ipa.config();
        let url = config.smdp_url(address);
        let client = match self.smdp_clients.remove(&url) {
            Some(c) => c,
            None => {
                let tls = if url.starts_with("https://") {
                    config.smdp_tls.clone()
                } else {
                    None
                };
                let options = ClientOptions {
                    user_agent: Some(config.mode.user_agent().to_string()),
                    ..ClientOptions::default()
                };
                HttpClient::connect(&url, tls, options).await?
            }
        };
        let mut client = client;
        let path = format!(
            "{}{}{}",
            client
                .target()
                .path
                .as_deref()
                .unwrap_or_default()
                .trim_end_matches('/'),
            ES9_PREFIX,
            crate::eim::relay::es9_path_name(function)
        );
        let headers = [
            ("Content-Type".to_string(), JSON_CONTENT_TYPE.to_string()),
            ("X-Admin-Protocol".to_string(), ADMIN_PROTOCOL.to_string()),
        ];
        let response = client.request("POST", &path, &headers, json.into()).await?;
        self.smdp_clients.insert(url, client);
        Ok((response.status, response.body.to_vec()))
    }

    /// Runs procedures until `noEimPackageAvailable` (or any outcome other than an executed
    /// package / answered data request), at most `max` procedures. Returns every outcome.
    pub async fn poll_until_idle(&mut self, max: usize) -> Vec<IpaOutcome> {
        let mut outcomes = Vec::new();
        for _ in 0..max {
            let outcome = self.run_procedure().await;
            let more = matches!(
                outcome,
                IpaOutcome::PackageExecuted { .. }
                    | IpaOutcome::EuiccDataProvided { .. }
                    | IpaOutcome::DownloadTriggerRefused
                    | IpaOutcome::ProfileDownloaded { .. }
                    | IpaOutcome::DownloadFailed { .. }
            );
            outcomes.push(outcome);
            if !more {
                break;
            }
        }
        outcomes
    }
}
