//! The ESipa ASN.1 function binding over HTTP(S) (SGP.32 6.1, 6.3), both ends.
//!
//! Every ESipa request is one DER `EsipaMessageFromIpaToEim` posted to the single path
//! `/gsma/rsp2/asn1` (SGP.32 6.1.1) with `Content-Type: application/x-gsma-rsp-asn1` and
//! `X-Admin-Protocol: gsma/rsp/v2.1.0`; the answer is one DER `EsipaMessageFromEimToIpa` in a
//! 200 with the same two headers. Functional errors (eidNotFound, ...) travel as the ASN.1 error
//! alternatives inside a 200: that is the eIM's business ([`EsipaHandler`]), not this module's.
//!
//! # Server side: [`EsipaBinding`]
//!
//! An [`HttpHandler`] that checks the binding and passes the body to an [`EsipaHandler`]. The
//! checks run in this order; the first that fails decides the status. onomondo-eim's behaviour
//! (the notes, 1.2) is followed where it is known.
//!
//! | Condition | Status | Why |
//! |---|---|---|
//! | body longer than the server's `max_body` (1 MiB) | 413 (the excess is drained up to 4 MiB and the connection kept; beyond, `Connection: close`) | HTTP server layer, before any ESipa check (RFC 9110 15.5.14) |
//! | path (query ignored) is not `/gsma/rsp2/asn1` | 404 | SGP.32 6.1.1: the only ASN.1 binding path |
//! | method is not `POST` | 405 with `Allow: POST` | RFC 9110 15.5.6 requires `Allow` |
//! | `X-Admin-Protocol` missing or not an accepted value (`gsma/rsp/v2.1.0`) | 400 | as onomondo-eim ("Unsupported x-admin-protocol"); SGP.32 6.1 makes the header mandatory |
//! | `Content-Type` missing or not `application/x-gsma-rsp-asn1` (media type compared case-insensitively, parameters ignored) | 415 | as onomondo-eim; RFC 9110 15.5.16 |
//! | empty body | 400 | no ESipa message is empty |
//! | handler answers [`EsipaReply::Undecodable`] (not DER, not an `EsipaMessageFromIpaToEim`, or an eIM→IPA message) | 400 | as onomondo-eim (undecodable / unsupported message type) |
//! | handler panics | 500 | HTTP server layer, as onomondo-eim on a handler crash |
//! | handler answers [`EsipaReply::Message`] | 200 with the content type and `X-Admin-Protocol` | SGP.32 6.3 |
//! | handler answers [`EsipaReply::NoContent`] (HandleNotification: no response defined, SGP.32 6.3.2.4) | 204 by default; 200 with an empty body when [`BindingOptions::no_content`] is [`NoContentStatus::OkEmpty`] | 204 is what SGP.22's ES9+ binding prescribes for HandleNotification; onomondo-eim and the SGP.33 IPAd test answer 200 with 0 bytes, hence the switch (the notes, 1.1, mark this uncertain) |
//!
//! The error statuses carry a short `text/plain` reason. `User-Agent` is not enforced (real
//! IPAs differ; SGP.32 6.1 CR111005R00 asks for `gsma-rsp-ipad` or `gsma-rsp-ipae`, free text
//! after a `;`): it is only observed, counted in [`UserAgentObservations`] (conforming,
//! other, missing; the last non-conforming value kept) so a report can flag it, and handed to
//! the handler in [`EsipaContext`].
//!
//! Every response header value is configurable through [`BindingOptions`] (the content type
//! and `X-Admin-Protocol` of the answers, the NoContent status) so an eIM fault switch can
//! send, e.g., the wrong content type.
//!
//! # Client side: [`EsipaClient`]
//!
//! The client of the simulated IPA, the tests and the load generator: ONE keep-alive
//! connection per client ([`HttpClient`]), the ESipa headers from [`ClientOptions`] on every
//! [`EsipaClient::post`], [`EsipaClient::raw_request`] for binding-violation tests, and a
//! [`Trace`] of every exchange when enabled.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tracing::debug;

use super::TransportError;
use super::client::{ClientOptions, HttpClient, HttpClientResponse, Target};
use super::coap::{self, CoapClient, CoapTarget};
use super::datagram::{DatagramChannel, UdpChannel};
use super::dtls::{DtlsChannel, DtlsClientConfig};
use super::http::{HttpHandler, HttpRequest, HttpResponse};
use super::link::LossyChannel;
use super::tls::{TlsClientConfig, TlsVersion};
use super::trace::Trace;

/// The ASN.1 binding path (SGP.32 6.1.1).
pub const ESIPA_PATH: &str = "/gsma/rsp2/asn1";
/// The ASN.1 binding content type (SGP.32 6.1).
pub const CONTENT_TYPE: &str = "application/x-gsma-rsp-asn1";
/// The `X-Admin-Protocol` value (SGP.32 6.1).
pub const ADMIN_PROTOCOL: &str = "gsma/rsp/v2.1.0";
/// `User-Agent` of an IPAd (SGP.32 6.1, CR111005R00).
pub const USER_AGENT_IPAD: &str = "gsma-rsp-ipad";
/// `User-Agent` of an IPAe (SGP.32 6.1, CR111005R00).
pub const USER_AGENT_IPAE: &str = "gsma-rsp-ipae";
/// The interface name in traces.
pub const INTERFACE: &str = "ESipa";

/// What the eIM answers to one ESipa message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EsipaReply {
    /// A DER `EsipaMessageFromEimToIpa`: 200.
    Message(Vec<u8>),
    /// No response message (HandleNotification, SGP.32 6.3.2.4): 204 or 200 with no body.
    NoContent,
    /// The body is not an `EsipaMessageFromIpaToEim` this eIM can decode: 400 with the reason.
    Undecodable(String),
}

/// What the binding knows about the request besides its body.
#[derive(Debug, Clone, Copy)]
pub struct EsipaContext<'a> {
    /// The client's address.
    pub peer: SocketAddr,
    /// The connection (same number = same keep-alive connection).
    pub connection_id: u64,
    /// The `User-Agent` sent, if any.
    pub user_agent: Option<&'a str>,
}

/// The eIM's side of ESipa (implemented in `crate::eim`).
pub trait EsipaHandler: Send + Sync + 'static {
    /// Answers one DER ESipa message (the binding has checked path, method and headers, and
    /// that the body is not empty).
    fn handle_esipa(&self, body: &[u8]) -> EsipaReply;

    /// As [`EsipaHandler::handle_esipa`] with the connection context; the binding calls this
    /// one. The default ignores the context.
    fn handle_esipa_with(&self, body: &[u8], context: &EsipaContext<'_>) -> EsipaReply {
        let _ = context;
        self.handle_esipa(body)
    }
}

/// The status for [`EsipaReply::NoContent`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoContentStatus {
    /// 204 No Content (default).
    #[default]
    NoContent204,
    /// 200 OK with an empty body (onomondo-eim).
    OkEmpty,
}

/// Configuration of the server side of the binding.
#[derive(Debug, Clone)]
pub struct BindingOptions {
    /// `Content-Type` of 200 answers (default `application/x-gsma-rsp-asn1`).
    pub response_content_type: String,
    /// `X-Admin-Protocol` of the answers (default `gsma/rsp/v2.1.0`).
    pub response_admin_protocol: String,
    /// `X-Admin-Protocol` values accepted in requests (default `gsma/rsp/v2.1.0` only).
    pub accepted_admin_protocols: Vec<String>,
    /// The content type requests must carry (default `application/x-gsma-rsp-asn1`).
    pub request_content_type: String,
    /// The status of [`EsipaReply::NoContent`].
    pub no_content: NoContentStatus,
    /// Whether path, method, `X-Admin-Protocol` and `Content-Type` of requests are checked
    /// (default true; false only for an eIM fault switch).
    pub check_requests: bool,
    /// A status that replaces every error status of the table (default none; an eIM fault
    /// switch sets 500).
    pub error_status: Option<u16>,
}

impl Default for BindingOptions {
    fn default() -> Self {
        BindingOptions {
            response_content_type: CONTENT_TYPE.to_string(),
            response_admin_protocol: ADMIN_PROTOCOL.to_string(),
            accepted_admin_protocols: vec![ADMIN_PROTOCOL.to_string()],
            request_content_type: CONTENT_TYPE.to_string(),
            no_content: NoContentStatus::NoContent204,
            check_requests: true,
            error_status: None,
        }
    }
}

/// Counts of the `User-Agent` values seen (observed, never enforced).
#[derive(Debug, Default)]
pub struct UserAgentObservations {
    conforming: AtomicU64,
    other: AtomicU64,
    missing: AtomicU64,
    last_other: Mutex<Option<String>>,
}

impl UserAgentObservations {
    /// Requests with `gsma-rsp-ipad` or `gsma-rsp-ipae` (optionally `;` and free text).
    pub fn conforming(&self) -> u64 {
        self.conforming.load(Ordering::Relaxed)
    }
    /// Requests with another `User-Agent`.
    pub fn other(&self) -> u64 {
        self.other.load(Ordering::Relaxed)
    }
    /// Requests without `User-Agent`.
    pub fn missing(&self) -> u64 {
        self.missing.load(Ordering::Relaxed)
    }
    /// The last non-conforming value seen.
    pub fn last_other(&self) -> Option<String> {
        self.last_other.lock().ok().and_then(|g| g.clone())
    }

    fn observe(&self, user_agent: Option<&str>) {
        match user_agent {
            None => {
                self.missing.fetch_add(1, Ordering::Relaxed);
            }
            Some(ua) if user_agent_conforms(ua) => {
                self.conforming.fetch_add(1, Ordering::Relaxed);
            }
            Some(ua) => {
                self.other.fetch_add(1, Ordering::Relaxed);
                debug!(user_agent = ua, "non-conforming ESipa User-Agent");
                if let Ok(mut g) = self.last_other.lock() {
                    *g = Some(ua.to_string());
                }
            }
        }
    }
}

/// Whether a `User-Agent` is `gsma-rsp-ipad` or `gsma-rsp-ipae`, optionally followed by `;`
/// and free text (SGP.32 6.1, CR111005R00).
pub fn user_agent_conforms(value: &str) -> bool {
    let product = value.split(';').next().unwrap_or("").trim();
    product == USER_AGENT_IPAD || product == USER_AGENT_IPAE
}

/// Whether `value`'s media type (before any `;` parameter) is `expected`, case-insensitively.
fn media_type_is(value: &str, expected: &str) -> bool {
    value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .eq_ignore_ascii_case(expected)
}

/// The server side of the binding: an [`HttpHandler`] in front of an [`EsipaHandler`].
pub struct EsipaBinding<H: EsipaHandler + ?Sized = dyn EsipaHandler> {
    handler: std::sync::Arc<H>,
    options: BindingOptions,
    user_agents: UserAgentObservations,
}

impl<H: EsipaHandler + ?Sized> EsipaBinding<H> {
    /// The binding with default options.
    pub fn new(handler: std::sync::Arc<H>) -> EsipaBinding<H> {
        EsipaBinding::with_options(handler, BindingOptions::default())
    }

    /// The binding with `options`.
    pub fn with_options(handler: std::sync::Arc<H>, options: BindingOptions) -> EsipaBinding<H> {
        EsipaBinding {
            handler,
            options,
            user_agents: UserAgentObservations::default(),
        }
    }

    /// The options.
    pub fn options(&self) -> &BindingOptions {
        &self.options
    }

    /// The `User-Agent` observations.
    pub fn user_agents(&self) -> &UserAgentObservations {
        &self.user_agents
    }

    /// The ESipa handler.
    pub fn handler(&self) -> &std::sync::Arc<H> {
        &self.handler
    }

    fn error(&self, status: u16, reason: &str) -> HttpResponse {
        self.admin_protocol(HttpResponse::text(
            self.options.error_status.unwrap_or(status),
            reason,
        ))
    }

    /// Adds `X-Admin-Protocol` (none when the option is empty).
    fn admin_protocol(&self, response: HttpResponse) -> HttpResponse {
        if self.options.response_admin_protocol.is_empty() {
            response
        } else {
            response.with_header("X-Admin-Protocol", &self.options.response_admin_protocol)
        }
    }
}

impl<H: EsipaHandler + ?Sized> HttpHandler for EsipaBinding<H> {
    fn handle(&self, request: HttpRequest) -> HttpResponse {
        let check = self.options.check_requests;
        if check && request.path_only() != ESIPA_PATH {
            return self.error(
                404,
                "not found: the ESipa ASN.1 binding is POST /gsma/rsp2/asn1",
            );
        }
        if check && request.method != "POST" {
            return self
                .error(405, "method not allowed: use POST")
                .with_header("Allow", "POST");
        }
        let user_agent = request.header("user-agent");
        self.user_agents.observe(user_agent);
        match request.header("x-admin-protocol") {
            _ if !check => {}
            Some(v)
                if self
                    .options
                    .accepted_admin_protocols
                    .iter()
                    .any(|a| a == v.trim()) => {}
            Some(_) => return self.error(400, "Unsupported x-admin-protocol"),
            None => return self.error(400, "missing X-Admin-Protocol"),
        }
        match request.header("content-type") {
            _ if !check => {}
            Some(v) if media_type_is(v, &self.options.request_content_type) => {}
            _ => {
                return self.error(
                    415,
                    "unsupported media type: use application/x-gsma-rsp-asn1",
                );
            }
        }
        if request.body.is_empty() {
            return self.error(400, "empty body: an ESipa message is expected");
        }
        let context = EsipaContext {
            peer: request.peer,
            connection_id: request.connection_id,
            user_agent,
        };
        match self.handler.handle_esipa_with(&request.body, &context) {
            EsipaReply::Message(der) => self.admin_protocol(
                HttpResponse::new(200, der)
                    .with_header("Content-Type", &self.options.response_content_type),
            ),
            EsipaReply::NoContent => {
                let status = match self.options.no_content {
                    NoContentStatus::NoContent204 => 204,
                    NoContentStatus::OkEmpty => 200,
                };
                self.admin_protocol(HttpResponse::new(status, Bytes::new()))
            }
            EsipaReply::Undecodable(reason) => {
                self.error(400, &format!("undecodable ESipa message: {reason}"))
            }
        }
    }
}

/// An ESipa response as the client sees it.
pub type EsipaHttpResponse = HttpClientResponse;

/// What an [`EsipaClient`] carries ESipa over.
pub enum Carrier {
    /// HTTP/1.1 or HTTPS: one keep-alive connection.
    Http(HttpClient),
    /// CoAP over UDP or DTLS (SGP.32 6.2).
    Coap(CoapCarrier),
}

/// ESipa over CoAP: a client on one channel (SGP.32 6.2).
pub struct CoapCarrier {
    client: CoapClient,
    target: CoapTarget,
    /// Channels opened (1; 2 after [`Carrier::close`] and a new request).
    opened: u64,
    closed: bool,
}

impl CoapCarrier {
    /// The CoAP client.
    pub fn client(&self) -> &CoapClient {
        &self.client
    }
}

impl Carrier {
    /// Closes the connection (HTTP) or forgets the channel (CoAP: the next request goes out
    /// from a new local port, as after a reboot of the device).
    pub fn close(&mut self) {
        match self {
            Carrier::Http(h) => h.close(),
            Carrier::Coap(c) => c.closed = true,
        }
    }

    /// The HTTP client, when the carrier is HTTP.
    pub fn as_http(&mut self) -> Option<&mut HttpClient> {
        match self {
            Carrier::Http(h) => Some(h),
            Carrier::Coap(_) => None,
        }
    }

    /// The CoAP carrier, when the carrier is CoAP.
    pub fn as_coap(&self) -> Option<&CoapCarrier> {
        match self {
            Carrier::Coap(c) => Some(c),
            Carrier::Http(_) => None,
        }
    }
}

/// Opens the CoAP channel to `target` with the settings registered for it: plain UDP for
/// `coap`; for `coaps` the registered connector, else DTLS in certificate mode with the trust
/// of `tls`; through the registered lossy link, if any.
pub async fn coap_channel(
    target: &CoapTarget,
    tls: Option<&TlsClientConfig>,
    settings: &coap::EndpointSettings,
) -> Result<Arc<dyn DatagramChannel>, TransportError> {
    let addr = target.resolve()?;
    let channel: Arc<dyn DatagramChannel> = if target.secure {
        match (&settings.connector, tls) {
            (Some(connect), _) => connect(addr).await?,
            (None, Some(tls)) => {
                let mut config = DtlsClientConfig::with_trust(tls.trust.clone());
                config.server_name = tls.server_name.clone();
                Arc::new(DtlsChannel::connect(addr, &config).await?)
            }
            (None, None) => {
                return Err(TransportError::Target {
                    target: target.authority(),
                    reason: "coaps needs DTLS settings (a trust or a PSK)".into(),
                });
            }
        }
    } else {
        Arc::new(UdpChannel::connect(addr).await?)
    };
    Ok(match settings.link {
        Some(profile) => {
            static FLOWS: AtomicU64 = AtomicU64::new(0);
            let flow = FLOWS.fetch_add(1, Ordering::Relaxed);
            Arc::new(LossyChannel::new(channel, profile, flow))
        }
        None => channel,
    })
}

/// The CoAP method code of an HTTP-style method name (RFC 7252 12.1.1, RFC 8132).
fn coap_method(method: &str) -> Result<u8, TransportError> {
    Ok(match method.to_ascii_uppercase().as_str() {
        "GET" => 1,
        "POST" => 2,
        "PUT" => 3,
        "DELETE" => 4,
        "FETCH" => 5,
        "PATCH" => 6,
        "IPATCH" => 7,
        other => {
            return Err(TransportError::InvalidRequest(format!(
                "no CoAP method {other}"
            )));
        }
    })
}

/// The ESipa path of an ESipa URL (`http(s)://`, `coap(s)://` or `host:port`): the URL's
/// path, else `/gsma/rsp2/asn1`.
pub fn esipa_path_of(url: &str) -> Result<String, TransportError> {
    let path = if url.starts_with("coap://") || url.starts_with("coaps://") {
        CoapTarget::parse(url)?.path
    } else {
        Target::parse(url)?.path
    };
    Ok(path.unwrap_or_else(|| ESIPA_PATH.to_string()))
}

/// The IPA's side: one keep-alive connection (or one CoAP channel) to an eIM's ESipa endpoint.
pub struct EsipaClient {
    carrier: Carrier,
    path: String,
    headers: Vec<(String, String)>,
    trace: Option<Trace>,
    tls: Option<TlsClientConfig>,
}

impl EsipaClient {
    /// Connects to `target`: `http://host:port[/path]`, `https://host:port[/path]` (needs
    /// `tls`) or `host:port` (TLS when `tls` is given). A path in the URL replaces
    /// [`ClientOptions::path`].
    pub async fn connect(
        target: &str,
        tls: Option<TlsClientConfig>,
        options: ClientOptions,
    ) -> Result<EsipaClient, TransportError> {
        if target.starts_with("coap://") || target.starts_with("coaps://") {
            return EsipaClient::connect_coap(target, tls, options).await;
        }
        let http = HttpClient::connect(target, tls, options).await?;
        Ok(EsipaClient::from_http(http))
    }

    /// Connects to `coap://host:port[/path]` or `coaps://...` (SGP.32 6.2): ESipa in
    /// confirmable CoAP requests, with the settings registered for the endpoint
    /// ([`coap::register_endpoint`]: CoAP timers, a lossy link, a DTLS connector); `coaps`
    /// without a registered connector uses DTLS with the trust of `tls`. The path is the
    /// URL's, else the registered configuration's. No HTTP header travels: the trace records
    /// the headers of `options` as for HTTP, for comparison.
    pub async fn connect_coap(
        target: &str,
        tls: Option<TlsClientConfig>,
        options: ClientOptions,
    ) -> Result<EsipaClient, TransportError> {
        let target = CoapTarget::parse(target)?;
        let settings = coap::endpoint_settings(&target.authority());
        let channel = coap_channel(&target, tls.as_ref(), &settings).await?;
        let path = target
            .path
            .clone()
            .unwrap_or_else(|| settings.config.path.clone());
        let client = CoapClient::new(channel, settings.config)?;
        let trace = options.trace.then(Trace::new);
        Ok(EsipaClient {
            carrier: Carrier::Coap(CoapCarrier {
                client,
                target,
                opened: 1,
                closed: false,
            }),
            path,
            headers: Vec::new(),
            trace,
            tls,
        })
    }

    /// Connects to a socket address.
    pub async fn connect_addr(
        addr: SocketAddr,
        tls: Option<TlsClientConfig>,
        options: ClientOptions,
    ) -> Result<EsipaClient, TransportError> {
        let http = HttpClient::connect_target(Target::from(addr), tls, options).await?;
        Ok(EsipaClient::from_http(http))
    }

    fn from_http(http: HttpClient) -> EsipaClient {
        let o = http.options();
        let path = http.target().path.clone().unwrap_or_else(|| o.path.clone());
        let mut headers = Vec::new();
        if let Some(v) = &o.user_agent {
            headers.push(("User-Agent".to_string(), v.clone()));
        }
        if let Some(v) = &o.content_type {
            headers.push(("Content-Type".to_string(), v.clone()));
        }
        if let Some(v) = &o.admin_protocol {
            headers.push(("X-Admin-Protocol".to_string(), v.clone()));
        }
        headers.extend(o.extra_headers.iter().cloned());
        let trace = o.trace.then(Trace::new);
        EsipaClient {
            carrier: Carrier::Http(http),
            path,
            headers,
            trace,
            tls: None,
        }
    }

    /// Posts one DER ESipa message with the ESipa headers; any status is returned as a
    /// response (only transport failures are errors).
    pub async fn post(&mut self, der: &[u8]) -> Result<EsipaHttpResponse, TransportError> {
        let path = std::mem::take(&mut self.path);
        let headers = std::mem::take(&mut self.headers);
        let r = self
            .exchange("POST", &path, &headers, Bytes::copy_from_slice(der))
            .await;
        self.path = path;
        self.headers = headers;
        r
    }

    /// Sends any request on the same connection, with exactly `headers` (plus `Host`): for
    /// tests of binding violations.
    pub async fn raw_request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<EsipaHttpResponse, TransportError> {
        self.exchange(method, path, headers, Bytes::copy_from_slice(body))
            .await
    }

    async fn exchange(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Bytes,
    ) -> Result<EsipaHttpResponse, TransportError> {
        if let Some(t) = self.trace.as_mut() {
            t.request(INTERFACE, method, path, headers, &body);
        }
        let r = match &mut self.carrier {
            Carrier::Http(http) => http.request(method, path, headers, body).await?,
            Carrier::Coap(c) => {
                if c.closed {
                    let settings = coap::endpoint_settings(&c.target.authority());
                    let channel = coap_channel(&c.target, self.tls.as_ref(), &settings).await?;
                    c.client = CoapClient::new(channel, settings.config)?;
                    c.opened += 1;
                    c.closed = false;
                }
                let method = if method == "POST" {
                    c.client.config().method
                } else {
                    coap_method(method)?
                };
                let r = c.client.request(method, path, &body).await?;
                HttpClientResponse {
                    status: coap::http_status(r.code, !r.payload.is_empty()),
                    headers: vec![("coap-code".to_string(), r.code_string())],
                    body: Bytes::from(r.payload),
                }
            }
        };
        if let Some(t) = self.trace.as_mut() {
            t.response(INTERFACE, r.status, &r.headers, &r.body);
        }
        Ok(r)
    }

    /// Starts recording (a new, empty trace) if not already recording.
    pub fn enable_trace(&mut self) {
        if self.trace.is_none() {
            self.trace = Some(Trace::new());
        }
    }

    /// The trace, when recording.
    pub fn trace(&self) -> Option<&Trace> {
        self.trace.as_ref()
    }

    /// Takes the trace, leaving an empty one (recording goes on).
    pub fn take_trace(&mut self) -> Option<Trace> {
        self.trace.as_mut().map(std::mem::take)
    }

    /// The ESipa path posted to.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The headers sent with every [`EsipaClient::post`].
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// How many connections (CoAP: channels) were opened (1 unless the server closed one).
    pub fn connections_opened(&self) -> u64 {
        match &self.carrier {
            Carrier::Http(h) => h.connections_opened(),
            Carrier::Coap(c) => c.opened,
        }
    }

    /// The TLS version negotiated on the last handshake (HTTPS only).
    pub fn tls_version(&self) -> Option<TlsVersion> {
        match &self.carrier {
            Carrier::Http(h) => h.tls_version(),
            Carrier::Coap(_) => None,
        }
    }

    /// The underlying carrier (an HTTP client or a CoAP client): `close()` drops the
    /// connection.
    pub fn http(&mut self) -> &mut Carrier {
        &mut self.carrier
    }

    /// The underlying carrier.
    pub fn carrier(&self) -> &Carrier {
        &self.carrier
    }

    /// Whether ESipa goes over CoAP.
    pub fn is_coap(&self) -> bool {
        matches!(self.carrier, Carrier::Coap(_))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    struct Fixed(EsipaReply);
    impl EsipaHandler for Fixed {
        fn handle_esipa(&self, _body: &[u8]) -> EsipaReply {
            self.0.clone()
        }
    }

    fn req(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            path: path.into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: Bytes::copy_from_slice(body),
            peer: "127.0.0.1:1".parse().unwrap(),
            connection_id: 1,
        }
    }

    const GOOD: &[(&str, &str)] = &[
        ("content-type", CONTENT_TYPE),
        ("x-admin-protocol", ADMIN_PROTOCOL),
        ("user-agent", "gsma-rsp-ipad"),
    ];

    #[test]
    fn status_table() {
        let b = EsipaBinding::new(Arc::new(Fixed(EsipaReply::Message(vec![0xbf, 0x4f, 0]))));
        let r = b.handle(req("POST", ESIPA_PATH, GOOD, &[1]));
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some(CONTENT_TYPE));
        assert_eq!(r.header("x-admin-protocol"), Some(ADMIN_PROTOCOL));
        assert_eq!(&r.body[..], &[0xbf, 0x4f, 0]);
        // Query ignored; content type with parameters and other case accepted.
        let h = [
            ("content-type", "Application/X-GSMA-RSP-ASN1; x=1"),
            ("x-admin-protocol", ADMIN_PROTOCOL),
        ];
        assert_eq!(
            b.handle(req("POST", "/gsma/rsp2/asn1?a=b", &h, &[1]))
                .status,
            200
        );
        assert_eq!(
            b.handle(req("POST", "/gsma/rsp2/asn1/", GOOD, &[1])).status,
            404
        );
        assert_eq!(b.handle(req("POST", "/", GOOD, &[1])).status, 404);
        let r = b.handle(req("GET", ESIPA_PATH, GOOD, &[]));
        assert_eq!(r.status, 405);
        assert_eq!(r.header("allow"), Some("POST"));
        let no_ap = [("content-type", CONTENT_TYPE)];
        assert_eq!(b.handle(req("POST", ESIPA_PATH, &no_ap, &[1])).status, 400);
        let bad_ap = [
            ("content-type", CONTENT_TYPE),
            ("x-admin-protocol", "gsma/rsp/v2.2.0"),
        ];
        assert_eq!(b.handle(req("POST", ESIPA_PATH, &bad_ap, &[1])).status, 400);
        let no_ct = [("x-admin-protocol", ADMIN_PROTOCOL)];
        assert_eq!(b.handle(req("POST", ESIPA_PATH, &no_ct, &[1])).status, 415);
        let bad_ct = [
            ("content-type", "application/json"),
            ("x-admin-protocol", ADMIN_PROTOCOL),
        ];
        assert_eq!(b.handle(req("POST", ESIPA_PATH, &bad_ct, &[1])).status, 415);
        assert_eq!(b.handle(req("POST", ESIPA_PATH, GOOD, &[])).status, 400);

        let b = EsipaBinding::new(Arc::new(Fixed(EsipaReply::Undecodable("x".into()))));
        let r = b.handle(req("POST", ESIPA_PATH, GOOD, &[1]));
        assert_eq!(r.status, 400);
        assert!(String::from_utf8_lossy(&r.body).contains("undecodable"));

        let b = EsipaBinding::new(Arc::new(Fixed(EsipaReply::NoContent)));
        let r = b.handle(req("POST", ESIPA_PATH, GOOD, &[1]));
        assert_eq!((r.status, r.body.len()), (204, 0));
        let b = EsipaBinding::with_options(
            Arc::new(Fixed(EsipaReply::NoContent)),
            BindingOptions {
                no_content: NoContentStatus::OkEmpty,
                response_content_type: "text/html".into(),
                ..BindingOptions::default()
            },
        );
        let r = b.handle(req("POST", ESIPA_PATH, GOOD, &[1]));
        assert_eq!((r.status, r.body.len()), (200, 0));
        let b = EsipaBinding::with_options(
            Arc::new(Fixed(EsipaReply::Message(vec![1]))),
            BindingOptions {
                response_content_type: "text/html".into(),
                ..BindingOptions::default()
            },
        );
        let r = b.handle(req("POST", ESIPA_PATH, GOOD, &[1]));
        assert_eq!(r.header("content-type"), Some("text/html"));
    }

    #[test]
    fn fault_options_loosen_checks_change_statuses_and_drop_the_admin_protocol() {
        let lenient = EsipaBinding::with_options(
            Arc::new(Fixed(EsipaReply::Message(vec![1]))),
            BindingOptions {
                check_requests: false,
                response_admin_protocol: String::new(),
                ..BindingOptions::default()
            },
        );
        let none: [(&str, &str); 0] = [];
        for (method, path) in [("POST", "/elsewhere"), ("GET", ESIPA_PATH)] {
            let r = lenient.handle(req(method, path, &none, &[1]));
            assert_eq!(r.status, 200, "{method} {path}");
            assert_eq!(r.header("x-admin-protocol"), None);
        }
        // The empty body is still refused.
        assert_eq!(
            lenient.handle(req("POST", ESIPA_PATH, GOOD, &[])).status,
            400
        );
        let as500 = EsipaBinding::with_options(
            Arc::new(Fixed(EsipaReply::Undecodable("x".into()))),
            BindingOptions {
                error_status: Some(500),
                ..BindingOptions::default()
            },
        );
        assert_eq!(as500.handle(req("POST", "/", GOOD, &[1])).status, 500);
        assert_eq!(as500.handle(req("GET", ESIPA_PATH, GOOD, &[1])).status, 500);
        assert_eq!(
            as500.handle(req("POST", ESIPA_PATH, GOOD, &[1])).status,
            500
        );
        let r = as500.handle(req("POST", ESIPA_PATH, &none, &[1]));
        assert_eq!(r.status, 500);
        assert_eq!(r.header("x-admin-protocol"), Some(ADMIN_PROTOCOL));
    }

    #[test]
    fn user_agent_observed_not_enforced() {
        let b = EsipaBinding::new(Arc::new(Fixed(EsipaReply::NoContent)));
        let base = [
            ("content-type", CONTENT_TYPE),
            ("x-admin-protocol", ADMIN_PROTOCOL),
        ];
        let with = |ua: &str| {
            let mut h = base.to_vec();
            h.push(("user-agent", ua));
            b.handle(req("POST", ESIPA_PATH, &h, &[1])).status
        };
        assert_eq!(with("gsma-rsp-ipad"), 204);
        assert_eq!(with("gsma-rsp-ipae; build 7"), 204);
        assert_eq!(with("curl/8"), 204);
        assert_eq!(b.handle(req("POST", ESIPA_PATH, &base, &[1])).status, 204);
        let o = b.user_agents();
        assert_eq!((o.conforming(), o.other(), o.missing()), (2, 1, 1));
        assert_eq!(o.last_other().as_deref(), Some("curl/8"));
        assert!(!user_agent_conforms("gsma-rsp-ipadx"));
    }
}
