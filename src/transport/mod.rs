//! Transports: the HTTP/1.1 and HTTPS carriage of ESipa (SGP.32 6.1, 6.3), both ends.
//!
//! The protocol parties (eIM, IPA, eUICC) are state machines without I/O; this module moves
//! their bytes over sockets. It has four parts:
//!
//! - [`http`]: a generic HTTP/1.1 server on tokio + hyper 1, optionally over TLS (rustls,
//!   aws-lc-rs provider, TLS 1.2 and 1.3). One task per connection, keep-alive, a body size
//!   limit (413), a handler panic answered with 500, bounded graceful shutdown. It dispatches to
//!   a synchronous [`HttpHandler`] that sees only small owned structs ([`HttpRequest`],
//!   [`HttpResponse`]); hyper stays inside this module.
//! - [`client`]: a keep-alive HTTP/1.1 client holding ONE connection (plain TCP or
//!   tokio-rustls), reconnecting on demand when the server closed it between requests.
//! - [`esipa_http`]: the ESipa ASN.1 function binding over HTTP (`POST /gsma/rsp2/asn1`, the
//!   content type and `X-Admin-Protocol` headers). Server side: [`EsipaBinding`], an
//!   [`HttpHandler`] that checks the binding and hands the DER body to an [`EsipaHandler`];
//!   the status table is in that module's docs. Client side: [`EsipaClient`], the client the
//!   simulated IPA, the tests and the load generator use.
//! - [`trace`]: a simple record of every exchange ([`Trace`]), appended to by the client when
//!   enabled.
//!
//! TLS material ([`TlsServerConfig`], [`TlsClientConfig`]) is in [`tls`]: DER or PEM, with the
//! test PKI's `eim_tls` credential ([`crate::pki::Pki`]) as the usual server certificate.

pub mod client;
pub mod coap;
pub mod datagram;
pub mod dtls;
pub mod esipa_http;
pub mod http;
pub mod link;
pub mod tls;
pub mod trace;

use std::net::SocketAddr;
use std::time::Duration;

pub use client::{ClientOptions, HttpClient, HttpClientResponse, Target};
pub use coap::{CoapClient, CoapConfig, CoapServer, CoapTarget};
pub use datagram::{DatagramChannel, DatagramEndpoint, UdpChannel, UdpEndpoint};
pub use dtls::{
    DtlsChannel, DtlsClientAuth, DtlsClientConfig, DtlsEndpoint, DtlsOptions, DtlsServerConfig,
    PskLookup,
};
pub use esipa_http::{
    BindingOptions, EsipaBinding, EsipaClient, EsipaContext, EsipaHandler, EsipaHttpResponse,
    EsipaReply, NoContentStatus, UserAgentObservations,
};
pub use http::{HttpHandler, HttpRequest, HttpResponse, HttpServer, RunningServer, ServerOptions};
pub use link::{LinkProfile, LossyChannel, LossyEndpoint};
pub use tls::{TlsClientConfig, TlsServerConfig, TlsTrust, TlsVersion, TlsVersions};
pub use trace::{Direction, Trace, TraceEntry};

/// Errors of the transports.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The server could not bind its listening address (in use, no permission, ...).
    #[error("cannot bind {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// A TLS configuration could not be built (bad certificate or key, bad version set).
    #[error("TLS configuration: {0}")]
    TlsConfig(String),
    /// The URL or address given to the client is not usable.
    #[error("bad target {target:?}: {reason}")]
    Target {
        /// What was given.
        target: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The TCP connection could not be opened.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// `host:port`.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The TLS handshake failed (untrusted certificate, name mismatch, no common version...).
    #[error("TLS handshake with {server} failed: {reason}")]
    TlsHandshake {
        /// The server name used.
        server: String,
        /// rustls's message.
        reason: String,
    },
    /// An operation did not finish in time.
    #[error("{what} timed out after {after:?}")]
    Timeout {
        /// What timed out (`connect`, `TLS handshake`, `request`).
        what: &'static str,
        /// The limit.
        after: Duration,
    },
    /// The request could not be built (invalid method, path or header).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The HTTP exchange failed (connection closed mid-message, protocol error, ...).
    #[error("HTTP: {0}")]
    Http(String),
    /// The response body exceeded the client's limit.
    #[error("response body larger than {limit} bytes")]
    ResponseTooLarge {
        /// The limit.
        limit: usize,
    },
    /// A CoAP exchange failed (no acknowledgement after the last retransmission, a reset, a
    /// block-wise transfer that does not fit together, ...).
    #[error("CoAP: {0}")]
    Coap(String),
    /// A DTLS handshake or record failed (untrusted certificate, wrong PSK, alert, ...).
    #[error("DTLS: {0}")]
    Dtls(String),
    /// Another I/O error.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}
