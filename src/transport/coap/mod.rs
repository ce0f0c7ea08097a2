//! ESipa over CoAP (RFC 7252) on UDP or DTLS (SGP.32 6.2), both ends.
//!
//! - [`CoapConfig`]: the transmission parameters (RFC 7252 4.8: ACK_TIMEOUT,
//!   ACK_RANDOM_FACTOR, MAX_RETRANSMIT, NSTART), the block size (RFC 7959), the method and path
//!   of ESipa requests (the public sources don't settle them: POST `/gsma/rsp2/asn1` by
//!   default, see the notes 1.3), limits.
//! - [`client::CoapClient`]: confirmable requests with retransmission and exponential back-off,
//!   token matching, empty ACK then separate response, Block1 uploads tagged with a Request-Tag
//!   (RFC 9175) and Block2 downloads, over any [`DatagramChannel`].
//! - [`server::CoapServer`]: duplicate detection by message id (a duplicate CON is answered
//!   from the cache, the handler runs once), an empty ACK when the handler is slower than
//!   [`CoapConfig::separate_after`] then a confirmable separate response, Block1 reassembly
//!   per Request-Tag and Block2 serving, 4.13 for bodies over the limit; over any
//!   [`DatagramEndpoint`](crate::transport::datagram::DatagramEndpoint). Malformed datagrams are dropped (a confirmable one whose header can
//!   be read is reset), never a crash.
//! - [`esipa`]: the ESipa binding on top ([`esipa::EsipaCoap`]) and the CoAP-code to
//!   HTTP-status mapping the [`EsipaClient`](super::EsipaClient) uses so the IPA sees the
//!   same answers as over HTTP.
//! - [`blockwise`]: the block options and the reassembly stores.
//!
//! Which carrier (plain UDP, DTLS, a lossy link) is the channel's business
//! ([`super::datagram`], [`super::link`]). Client settings per endpoint (timers scaled down in
//! tests, a link profile, the DTLS connector for `coaps`) are registered with
//! [`register_endpoint`], because the IPA driver and the conformance World only hand a URL to
//! [`EsipaClient::connect`](super::EsipaClient::connect).

pub mod blockwise;
pub mod client;
pub mod esipa;
pub mod server;

use std::collections::HashMap;
use std::future::Future;
use std::net::{SocketAddr, ToSocketAddrs};
use std::pin::Pin;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use super::TransportError;
use super::datagram::DatagramChannel;
use super::link::LinkProfile;

pub use client::{CoapClient, CoapResponse};
pub use esipa::{EsipaCoap, EsipaCoapOptions, http_status};
pub use server::{CoapHandler, CoapReply, CoapRequest, CoapServer, CoapServerStats, RunningCoap};

/// The CoAP method code of POST (RFC 7252 12.1.1).
pub const POST: u8 = 0x02;
/// The CoAP default port (RFC 7252 6.1).
pub const DEFAULT_PORT: u16 = 5683;
/// The CoAPS default port (RFC 7252 6.2).
pub const DEFAULT_SECURE_PORT: u16 = 5684;

/// A CoAP code as `c.dd` (RFC 7252 3).
pub fn code_string(code: u8) -> String {
    format!("{}.{:02}", code >> 5, code & 0x1f)
}

/// An empty message (RFC 7252 4.1: ACK or RST, code 0.00, no token) of `kind` with message id
/// `mid`.
pub(crate) fn empty_message(kind: coap_lite::MessageType, mid: u16) -> Vec<u8> {
    let mut p = coap_lite::Packet::new();
    p.header.set_type(kind);
    p.header.code = coap_lite::MessageClass::Empty;
    p.header.message_id = mid;
    p.to_bytes().unwrap_or_default()
}

/// A code from its class and detail (`code(2, 4)` = 2.04 = 0x44).
pub const fn code(class: u8, detail: u8) -> u8 {
    (class << 5) | (detail & 0x1f)
}

/// CoAP transmission parameters and ESipa-over-CoAP settings (RFC 7252 4.8, RFC 7959;
/// SGP.32 6.2). The defaults are RFC 7252's; tests scale the timers down.
#[derive(Debug, Clone, PartialEq)]
pub struct CoapConfig {
    /// ACK_TIMEOUT (default 2 s).
    pub ack_timeout: Duration,
    /// ACK_RANDOM_FACTOR (default 1.5; at least 1).
    pub ack_random_factor: f64,
    /// MAX_RETRANSMIT (default 4).
    pub max_retransmit: u32,
    /// NSTART: outstanding requests per client at once (default 1).
    pub nstart: usize,
    /// MAX_LATENCY, for EXCHANGE_LIFETIME (default 100 s).
    pub max_latency: Duration,
    /// Block size for Block1 requests and Block2 responses: 16 to 1024, a power of two
    /// (default 1024).
    pub block_size: usize,
    /// The method code of ESipa requests (default POST, 0.02).
    pub method: u8,
    /// The ESipa path (default `/gsma/rsp2/asn1`).
    pub path: String,
    /// Whether block-wise requests carry a Request-Tag (default true, RFC 9175).
    pub request_tag: bool,
    /// Client: the longest wait for a separate response after an empty ACK, and for a whole
    /// block-wise exchange (default 30 s).
    pub response_timeout: Duration,
    /// Server: how long the handler may run before an empty ACK is sent and the answer
    /// follows as a separate response (default ACK_TIMEOUT / 2).
    pub separate_after: Option<Duration>,
    /// Largest request or response body (reassembled) accepted (default 1 MiB).
    pub max_body: usize,
    /// Server: at most this many message ids remembered for duplicate detection (default
    /// 100,000); beyond, the oldest are forgotten before EXCHANGE_LIFETIME, so memory stays
    /// bounded under load.
    pub max_remembered: usize,
}

impl Default for CoapConfig {
    fn default() -> Self {
        CoapConfig {
            ack_timeout: Duration::from_secs(2),
            ack_random_factor: 1.5,
            max_retransmit: 4,
            nstart: 1,
            max_latency: Duration::from_secs(100),
            block_size: 1024,
            method: POST,
            path: super::esipa_http::ESIPA_PATH.to_string(),
            request_tag: true,
            response_timeout: Duration::from_secs(30),
            separate_after: None,
            max_body: 1024 * 1024,
            max_remembered: 100_000,
        }
    }
}

impl CoapConfig {
    /// Timers scaled for tests: ACK_TIMEOUT `ack`, everything else default (MAX_LATENCY
    /// stays 100 s, so a message id is remembered for over 200 s, as on a real network).
    pub fn fast(ack: Duration) -> CoapConfig {
        CoapConfig {
            ack_timeout: ack,
            response_timeout: (ack * 250).max(Duration::from_secs(5)),
            ..CoapConfig::default()
        }
    }

    /// The block size's SZX; an error for a size that is not 16..=1024 and a power of two.
    pub fn szx(&self) -> Result<u8, TransportError> {
        blockwise::szx_for(self.block_size).map_err(|e| TransportError::Coap(e.to_string()))
    }

    /// MAX_TRANSMIT_SPAN (RFC 7252 4.8.2).
    pub fn max_transmit_span(&self) -> Duration {
        let factor = ((1u64 << self.max_retransmit.min(20)) - 1) as f64 * self.random_factor();
        self.ack_timeout.mul_f64(factor)
    }

    /// EXCHANGE_LIFETIME (RFC 7252 4.8.2): how long a message id is remembered.
    pub fn exchange_lifetime(&self) -> Duration {
        self.max_transmit_span() + self.max_latency * 2 + self.ack_timeout
    }

    /// The server's wait before an empty ACK.
    pub fn separate_after(&self) -> Duration {
        self.separate_after.unwrap_or(self.ack_timeout / 2)
    }

    fn random_factor(&self) -> f64 {
        if self.ack_random_factor.is_finite() && self.ack_random_factor >= 1.0 {
            self.ack_random_factor
        } else {
            1.0
        }
    }

    /// Checks the settings (block size, NSTART, factor).
    pub fn validate(&self) -> Result<(), TransportError> {
        self.szx()?;
        if self.nstart == 0 {
            return Err(TransportError::Coap("NSTART must be at least 1".into()));
        }
        if !(self.ack_random_factor.is_finite() && self.ack_random_factor >= 1.0) {
            return Err(TransportError::Coap(
                "ACK_RANDOM_FACTOR must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// A `coap://` or `coaps://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoapTarget {
    /// `coaps`.
    pub secure: bool,
    /// The host as written (no brackets).
    pub host: String,
    /// The port (5683 / 5684 by default).
    pub port: u16,
    /// The path, if the URL has one other than `/`.
    pub path: Option<String>,
}

impl CoapTarget {
    /// Parses `coap://host[:port][/path]` or `coaps://...` (IPv6 hosts in brackets).
    pub fn parse(url: &str) -> Result<CoapTarget, TransportError> {
        let bad = |reason: &str| TransportError::Target {
            target: url.to_string(),
            reason: reason.to_string(),
        };
        let (secure, rest) = if let Some(r) = url.strip_prefix("coaps://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("coap://") {
            (false, r)
        } else {
            return Err(bad("scheme must be coap or coaps"));
        };
        let default_port = if secure {
            DEFAULT_SECURE_PORT
        } else {
            DEFAULT_PORT
        };
        let (host, port, path) =
            super::client::host_port_path(rest, Some(default_port)).map_err(bad)?;
        Ok(CoapTarget {
            secure,
            host,
            port,
            path,
        })
    }

    /// `host:port` (brackets around IPv6), the key of [`register_endpoint`].
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The first socket address the host resolves to.
    pub fn resolve(&self) -> Result<SocketAddr, TransportError> {
        (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|source| TransportError::Connect {
                addr: self.authority(),
                source,
            })?
            .next()
            .ok_or_else(|| TransportError::Target {
                target: self.authority(),
                reason: "resolves to no address".into(),
            })
    }
}

/// A future of a connected channel.
pub type ChannelFuture =
    Pin<Box<dyn Future<Output = Result<Arc<dyn DatagramChannel>, TransportError>> + Send>>;

/// Opens the secure channel of a `coaps` endpoint (DTLS, `super::dtls`) to a server address.
pub type Connector = Arc<dyn Fn(SocketAddr) -> ChannelFuture + Send + Sync>;

/// Client-side settings for one CoAP endpoint (`host:port`), used by
/// [`EsipaClient::connect`](super::EsipaClient::connect) for `coap://` and `coaps://` URLs.
#[derive(Clone, Default)]
pub struct EndpointSettings {
    /// The CoAP parameters (default [`CoapConfig::default`]).
    pub config: CoapConfig,
    /// A lossy link between the client and the endpoint ([`super::link::LossyChannel`]); every
    /// client gets the next flow of the profile's seed.
    pub link: Option<LinkProfile>,
    /// How to open a `coaps` channel (DTLS); `coaps` URLs without one are refused.
    pub connector: Option<Connector>,
}

impl std::fmt::Debug for EndpointSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointSettings")
            .field("config", &self.config)
            .field("link", &self.link)
            .field("connector", &self.connector.is_some())
            .finish()
    }
}

fn registry() -> &'static RwLock<HashMap<String, EndpointSettings>> {
    static REGISTRY: OnceLock<RwLock<HashMap<String, EndpointSettings>>> = OnceLock::new();
    REGISTRY.get_or_init(RwLock::default)
}

/// Sets the client settings for the endpoint `authority` (`host:port` as in the URL).
pub fn register_endpoint(authority: &str, settings: EndpointSettings) {
    if let Ok(mut r) = registry().write() {
        r.insert(authority.to_string(), settings);
    }
}

/// Forgets the settings of `authority`.
pub fn unregister_endpoint(authority: &str) {
    if let Ok(mut r) = registry().write() {
        r.remove(authority);
    }
}

/// The settings of `authority` (defaults when none are registered).
pub fn endpoint_settings(authority: &str) -> EndpointSettings {
    registry()
        .read()
        .ok()
        .and_then(|r| r.get(authority).cloned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        let t = CoapTarget::parse("coap://127.0.0.1:5999/gsma/rsp2/asn1").unwrap();
        assert_eq!(
            t,
            CoapTarget {
                secure: false,
                host: "127.0.0.1".into(),
                port: 5999,
                path: Some("/gsma/rsp2/asn1".into())
            }
        );
        assert_eq!(t.authority(), "127.0.0.1:5999");
        let s = CoapTarget::parse("coaps://[::1]").unwrap();
        assert_eq!((s.secure, s.port, s.path.clone()), (true, 5684, None));
        assert_eq!(s.authority(), "[::1]:5684");
        assert_eq!(CoapTarget::parse("coap://h/").unwrap().port, 5683);
        assert!(CoapTarget::parse("http://h").is_err());
        assert!(CoapTarget::parse("coap://:1").is_err());
        assert!(CoapTarget::parse("coap://h:x").is_err());
    }

    #[test]
    fn rfc7252_derived_times() {
        let c = CoapConfig::default();
        // RFC 7252 4.8.2: MAX_TRANSMIT_SPAN 45 s, EXCHANGE_LIFETIME 247 s.
        assert_eq!(c.max_transmit_span(), Duration::from_secs(45));
        assert_eq!(c.exchange_lifetime(), Duration::from_secs(247));
        assert_eq!(c.separate_after(), Duration::from_secs(1));
        assert_eq!(code_string(code(2, 4)), "2.04");
        assert_eq!(code(4, 13), 0x8d);
        assert!(c.validate().is_ok());
        let bad = CoapConfig {
            block_size: 100,
            ..CoapConfig::default()
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn registry_round_trip() {
        let key = "registry.test:1";
        assert_eq!(endpoint_settings(key).config, CoapConfig::default());
        register_endpoint(
            key,
            EndpointSettings {
                config: CoapConfig::fast(Duration::from_millis(20)),
                ..EndpointSettings::default()
            },
        );
        assert_eq!(
            endpoint_settings(key).config.ack_timeout,
            Duration::from_millis(20)
        );
        unregister_endpoint(key);
        assert_eq!(endpoint_settings(key).config, CoapConfig::default());
    }
}
