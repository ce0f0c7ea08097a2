//! The reference eIM on sockets: ESipa over HTTP or HTTPS (the transport's ESipa binding in
//! front of [`Eim::handle_esipa`]) and the JSON order API over plain HTTP on its own port
//! ([`Eim::handle_api`]). `sgp32 serve eim` runs this; tests and the conformance runner start
//! it in-process the same way.
//!
//! ESipa over CoAP (SGP.32 6.2) listens too when asked ([`EimCoapOptions`]): plain UDP
//! (`--coap`) and DTLS (`--coaps`, the eIM's TLS certificate and the harness's PSKs), the
//! [`EsipaCoap`] binding in front of the same eIM, the CoAP server's duplicate detection and
//! Request-Tag handling switched by the eIM's CoAP fault switches.
//!
//! The eIM is created once its ESipa socket is bound, so that its eimFqdn (what a device is
//! told in AddInitialEim) is the address actually listened on, also when port 0 was asked for.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

use super::{Eim, EimConfig, EimError, EimFault, EsipaAnswer, RelayOutcome, RelayRequest};
use crate::crypto::{Backend, pem_encode};
use crate::pki::Pki;
use crate::smdp::es9_json::{ADMIN_PROTOCOL, JSON_CONTENT_TYPE};
use crate::sut::profile::{ApiEndpoint, EimIdentity, Features, SutProfile, TlsTrust};
use crate::transport::coap::server::ServerBehaviour;
use crate::transport::coap::{CoapServer, EsipaCoap, EsipaCoapOptions, RunningCoap};
use crate::transport::dtls::seed_psk_lookup;
use crate::transport::{
    BindingOptions, ClientOptions, EsipaBinding, EsipaHandler, EsipaReply, HttpClient, HttpHandler,
    HttpRequest, HttpResponse, HttpServer, RunningServer, TlsClientConfig, TlsServerConfig,
    TransportError,
};
use crate::transport::{
    CoapConfig, DatagramEndpoint, DtlsEndpoint, DtlsOptions, DtlsServerConfig, LinkProfile,
    LossyEndpoint, UdpEndpoint,
};

pub use crate::transport::esipa_http::ESIPA_PATH;

impl EsipaHandler for Eim {
    fn handle_esipa(&self, body: &[u8]) -> EsipaReply {
        answer_esipa(self, &Relayer::default(), body)
    }
}

/// One ESipa message through the eIM, with the ES9+' relay done by `relayer`.
fn answer_esipa(eim: &Eim, relayer: &Relayer, body: &[u8]) -> EsipaReply {
    let mut answer = Eim::handle_esipa(eim, body);
    if let EsipaAnswer::Relay(request) = answer {
        let outcome = relayer.relay(&eim.eim_config().smdp_tls, &request);
        answer = eim.complete_relay(request.ticket, outcome);
    }
    match answer {
        EsipaAnswer::Message(der) => EsipaReply::Message(der),
        EsipaAnswer::NoContent => EsipaReply::NoContent,
        EsipaAnswer::Undecodable(reason) => EsipaReply::Undecodable(reason),
        EsipaAnswer::Relay(_) => EsipaReply::Undecodable("relay loop".into()),
    }
}

/// Performs ES9+' calls (the JSON binding, SGP.22 6.5) for the eIM: one keep-alive client per
/// SM-DP+ URL, kept idle between calls. The ESipa handler is synchronous; the call blocks it:
/// on a multi-thread runtime with `block_in_place`, else on a thread of its own.
#[derive(Default)]
pub struct Relayer {
    idle: Mutex<HashMap<String, Vec<HttpClient>>>,
}

impl Relayer {
    /// Posts `request` and returns what the SM-DP+ answered.
    pub fn relay(&self, tls: &TlsClientConfig, request: &RelayRequest) -> RelayOutcome {
        let call = self.call(tls, request);
        match tokio::runtime::Handle::try_current() {
            Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                tokio::task::block_in_place(|| h.block_on(call))
            }
            _ => std::thread::scope(|s| {
                s.spawn(|| {
                    match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(rt) => rt.block_on(call),
                        Err(e) => RelayOutcome::TransportFailure(e.to_string()),
                    }
                })
                .join()
                .unwrap_or_else(|_| RelayOutcome::TransportFailure("relay thread panicked".into()))
            }),
        }
    }

    async fn call(&self, tls: &TlsClientConfig, request: &RelayRequest) -> RelayOutcome {
        let pooled = self
            .idle
            .lock()
            .ok()
            .and_then(|mut m| m.get_mut(&request.url).and_then(Vec::pop));
        let mut client = match pooled {
            Some(c) => c,
            None => {
                let tls = request.url.starts_with("https://").then(|| tls.clone());
                match HttpClient::connect(&request.url, tls, ClientOptions::default()).await {
                    Ok(c) => c,
                    Err(e) => return RelayOutcome::TransportFailure(e.to_string()),
                }
            }
        };
        let path = format!(
            "{}{}",
            client
                .target()
                .path
                .as_deref()
                .unwrap_or_default()
                .trim_end_matches('/'),
            request.path()
        );
        let headers = [
            ("Content-Type".to_string(), JSON_CONTENT_TYPE.to_string()),
            ("X-Admin-Protocol".to_string(), ADMIN_PROTOCOL.to_string()),
            ("User-Agent".to_string(), "gsma-rsp-eim".to_string()),
        ];
        tracing::debug!(url = %request.url, path = %path, "ES9+' relay");
        let outcome = match client
            .request("POST", &path, &headers, request.body.clone().into())
            .await
        {
            Ok(r) => RelayOutcome::Answer {
                status: r.status,
                body: r.body.to_vec(),
            },
            Err(e) => return RelayOutcome::TransportFailure(e.to_string()),
        };
        if let Ok(mut m) = self.idle.lock() {
            m.entry(request.url.clone()).or_default().push(client);
        }
        outcome
    }
}

/// The eIM behind both servers, set right after the ESipa socket is bound.
#[derive(Default)]
struct EimSlot(OnceLock<Arc<Eim>>, Relayer);

impl EsipaHandler for EimSlot {
    fn handle_esipa(&self, body: &[u8]) -> EsipaReply {
        match self.0.get() {
            Some(eim) => answer_esipa(eim, &self.1, body),
            None => EsipaReply::Undecodable("the eIM is starting".into()),
        }
    }
}

impl HttpHandler for EimSlot {
    fn handle(&self, request: HttpRequest) -> HttpResponse {
        let Some(eim) = self.0.get() else {
            return HttpResponse::text(503, "the eIM is starting");
        };
        let (status, body) = eim.handle_api(&request.method, &request.path, &request.body);
        HttpResponse::new(status, body).with_header("Content-Type", "application/json")
    }
}

/// The HTTP binding as the eIM's configuration (its fault switches) says (SGP.32 6.1).
fn binding_options(config: &EimConfig) -> BindingOptions {
    let faults = config.faults;
    let mut options = BindingOptions {
        response_content_type: config.response_content_type().to_string(),
        check_requests: !faults.has(EimFault::BindingViolationsAccepted),
        error_status: faults.has(EimFault::BindingErrorsAs500).then_some(500),
        ..BindingOptions::default()
    };
    if faults.has(EimFault::AdminProtocolOmitted) {
        options.response_admin_protocol = String::new();
    }
    options
}

/// The CoAP server's behaviour as the eIM's fault switches say (RFC 7252 4.5, RFC 9175).
fn coap_behaviour(config: &EimConfig) -> ServerBehaviour {
    let faults = config.faults;
    ServerBehaviour {
        deduplicate: !faults.has(EimFault::CoapDuplicatesReprocessed),
        answer_duplicates: !faults.has(EimFault::CoapDuplicatesIgnored),
        request_tags: !faults.has(EimFault::CoapRequestTagIgnored),
    }
}

/// ESipa over CoAP listeners of the reference eIM (SGP.32 6.2).
#[derive(Debug, Clone, Default)]
pub struct EimCoapOptions {
    /// CoAP over UDP listen address.
    pub coap: Option<SocketAddr>,
    /// CoAP over DTLS listen address: the test PKI's eIM TLS certificate
    /// (ECDHE-ECDSA) and the harness's seed-derived PSKs (identity = the EID in hex).
    pub coaps: Option<SocketAddr>,
    /// CoAP parameters of the server (timers, block size, path, method, body limit).
    pub config: CoapConfig,
    /// DTLS timers (default [`DtlsOptions::default`]).
    pub dtls: Option<DtlsOptions>,
    /// An emulated lossy link in front of the CoAP listeners (one flow per peer).
    pub link: Option<LinkProfile>,
}

/// How to run the reference eIM.
#[derive(Debug, Clone)]
pub struct EimServerOptions {
    /// The ESipa listen address.
    pub listen: SocketAddr,
    /// ESipa over HTTPS (the test PKI's eIM TLS certificate) instead of HTTP.
    pub tls: bool,
    /// The order API's listen address (plain HTTP), if any.
    pub api: Option<SocketAddr>,
}

/// Why the reference eIM could not start.
#[derive(Debug, thiserror::Error)]
pub enum EimServerError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Eim(#[from] EimError),
}

/// A running reference eIM.
pub struct RunningEim {
    eim: Arc<Eim>,
    esipa: RunningServer,
    api: Option<RunningServer>,
    tls_cert_der: Vec<u8>,
    coap: Option<RunningCoap>,
    coaps: Option<RunningCoap>,
    coap_path: String,
}

impl RunningEim {
    /// Binds ESipa (and the order API) and starts answering. `config` is the eIM's
    /// configuration; its FQDN becomes the bound ESipa address.
    pub async fn start(
        pki: &Pki,
        config: EimConfig,
        options: &EimServerOptions,
    ) -> Result<RunningEim, EimServerError> {
        RunningEim::start_with_coap(pki, config, options, &EimCoapOptions::default()).await
    }

    /// As [`RunningEim::start`], with ESipa over CoAP and CoAP/DTLS as `coap` says.
    pub async fn start_with_coap(
        pki: &Pki,
        mut config: EimConfig,
        options: &EimServerOptions,
        coap: &EimCoapOptions,
    ) -> Result<RunningEim, EimServerError> {
        let behaviour = coap_behaviour(&config);
        let slot = Arc::new(EimSlot::default());
        let tls = if options.tls {
            Some(TlsServerConfig::from_credential(&pki.eim_tls)?)
        } else {
            None
        };
        let binding = binding_options(&config);
        let esipa_handler: Arc<dyn HttpHandler> =
            Arc::new(EsipaBinding::with_options(slot.clone(), binding));
        let esipa = HttpServer::bind(options.listen, tls, esipa_handler).await?;
        config.fqdn = esipa.local_addr().to_string();
        let eim = Arc::new(Eim::new(config));
        let _ = slot.0.set(eim.clone());
        let api = match options.api {
            Some(addr) => {
                let handler: Arc<dyn HttpHandler> = slot.clone();
                Some(HttpServer::bind(addr, None, handler).await?)
            }
            None => None,
        };
        let binding: Arc<dyn crate::transport::coap::CoapHandler> = Arc::new(EsipaCoap::new(
            slot.clone(),
            EsipaCoapOptions {
                path: coap.config.path.clone(),
                method: coap.config.method,
            },
        ));
        let coap_server = match coap.coap {
            Some(addr) => {
                let mut endpoint: Arc<dyn DatagramEndpoint> =
                    Arc::new(UdpEndpoint::bind(addr).await?);
                if let Some(link) = coap.link {
                    endpoint = Arc::new(LossyEndpoint::new(endpoint, link));
                }
                Some(CoapServer::start(
                    endpoint,
                    binding.clone(),
                    coap.config.clone(),
                    behaviour,
                )?)
            }
            None => None,
        };
        let coaps_server = match coap.coaps {
            Some(addr) => {
                let dtls = DtlsServerConfig::from_credential(&pki.eim_tls)?
                    .with_psk(seed_psk_lookup(pki.seed))
                    .with_options(coap.dtls.unwrap_or_default());
                let mut endpoint: Arc<dyn DatagramEndpoint> =
                    Arc::new(DtlsEndpoint::bind(addr, &dtls).await?);
                if let Some(link) = coap.link {
                    endpoint = Arc::new(LossyEndpoint::new(endpoint, link));
                }
                Some(CoapServer::start(
                    endpoint,
                    binding,
                    coap.config.clone(),
                    behaviour,
                )?)
            }
            None => None,
        };
        Ok(RunningEim {
            eim,
            esipa,
            api,
            tls_cert_der: pki.eim_tls.cert_der.clone(),
            coap: coap_server,
            coaps: coaps_server,
            coap_path: coap.config.path.clone(),
        })
    }

    /// Starts the default reference eIM of the test PKI of `seed`.
    pub async fn start_default(
        pki: &Pki,
        backend: Backend,
        faults: super::EimFaults,
        options: &EimServerOptions,
    ) -> Result<RunningEim, EimServerError> {
        let config = EimConfig::from_pki(pki, backend)?.with_faults(faults);
        RunningEim::start(pki, config, options).await
    }

    /// The eIM itself (the in-process adapter orders through it without HTTP).
    pub fn eim(&self) -> &Arc<Eim> {
        &self.eim
    }

    /// The ESipa URL (`http://127.0.0.1:PORT/gsma/rsp2/asn1`, or `https://`).
    pub fn esipa_url(&self) -> String {
        format!("{}{ESIPA_PATH}", self.esipa.base_url())
    }

    /// The ESipa socket address.
    pub fn esipa_addr(&self) -> SocketAddr {
        self.esipa.local_addr()
    }

    /// The ESipa over CoAP URL (`coap://127.0.0.1:PORT/gsma/rsp2/asn1`), if it listens.
    pub fn coap_url(&self) -> Option<String> {
        self.coap
            .as_ref()
            .map(|c| format!("coap://{}{}", c.local_addr(), self.coap_path))
    }

    /// The ESipa over CoAP/DTLS URL (`coaps://...`), if it listens.
    pub fn coaps_url(&self) -> Option<String> {
        self.coaps
            .as_ref()
            .map(|c| format!("coaps://{}{}", c.local_addr(), self.coap_path))
    }

    /// The CoAP server (UDP), if it runs.
    pub fn coap_server(&self) -> Option<&RunningCoap> {
        self.coap.as_ref()
    }

    /// The CoAP server (DTLS), if it runs.
    pub fn coaps_server(&self) -> Option<&RunningCoap> {
        self.coaps.as_ref()
    }

    /// The order API's base URL, if it runs.
    pub fn api_url(&self) -> Option<String> {
        self.api.as_ref().map(|a| a.base_url())
    }

    /// A SUT profile that points `run` and `load` in another process at this eIM.
    pub fn sut_profile(&self) -> SutProfile {
        let public = self.eim.config();
        let scheme = if self.esipa.is_tls() { "https" } else { "http" };
        let mut esipa = BTreeMap::from([(scheme.to_string(), self.esipa_url())]);
        let mut absent = vec!["injection".to_string()];
        for (name, url) in [("coap", self.coap_url()), ("coaps", self.coaps_url())] {
            match url {
                Some(url) => {
                    esipa.insert(name.to_string(), url);
                }
                None => absent.push(name.to_string()),
            }
        }
        SutProfile {
            name: "sgp32 reference eIM".into(),
            role: "eim".into(),
            sgp32_version: "1.2".into(),
            esipa,
            api: ApiEndpoint {
                adapter: "reference".into(),
                url: self.api_url().unwrap_or_default(),
            },
            eim: EimIdentity {
                eim_id: public.eim_id.clone(),
                fqdn: public.eim_fqdn.clone(),
                signing_certificate_pem: pem_encode("CERTIFICATE", &public.signing_cert_der),
            },
            tls: TlsTrust {
                trusted_certificate_pem: (self.esipa.is_tls() || self.coaps.is_some())
                    .then(|| pem_encode("CERTIFICATE", &self.tls_cert_der)),
            },
            features: Features { absent },
            smdp: self.eim.eim_config().smdp_urls.clone(),
        }
    }

    /// Stops the servers (open requests finish first).
    pub async fn shutdown(self) {
        if let Some(c) = self.coap {
            c.shutdown().await;
        }
        if let Some(c) = self.coaps {
            c.shutdown().await;
        }
        self.esipa.shutdown().await;
        if let Some(api) = self.api {
            api.shutdown().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eim::EimFaults;

    fn options(faults: &[EimFault]) -> BindingOptions {
        let pki = Pki::generate(3, 0).unwrap();
        let config = EimConfig::from_pki(&pki, Backend::RustCrypto)
            .unwrap()
            .with_faults(faults.iter().copied().collect::<EimFaults>());
        binding_options(&config)
    }

    #[test]
    fn binding_faults_shape_the_binding() {
        let plain = options(&[]);
        assert!(plain.check_requests);
        assert_eq!(plain.error_status, None);
        assert_eq!(plain.response_admin_protocol, "gsma/rsp/v2.1.0");
        assert_eq!(plain.response_content_type, "application/x-gsma-rsp-asn1");
        assert!(!options(&[EimFault::BindingViolationsAccepted]).check_requests);
        assert_eq!(
            options(&[EimFault::BindingErrorsAs500]).error_status,
            Some(500)
        );
        assert_eq!(
            options(&[EimFault::AdminProtocolOmitted]).response_admin_protocol,
            ""
        );
        assert_eq!(
            options(&[EimFault::WrongContentType]).response_content_type,
            "application/octet-stream"
        );
    }
}
