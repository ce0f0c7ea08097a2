//! DTLS 1.2 (RFC 6347) under CoAP: the `coaps` carrier of ESipa (SGP.32 6.2, RFC 7252 9.1).
//!
//! Both ends implement the datagram traits of [`super::datagram`], so CoAP runs over DTLS as it
//! runs over plain UDP: [`DtlsChannel`] is the client (the IPA's association with the eIM),
//! [`DtlsEndpoint`] the server (one UDP socket, one DTLS session per peer address).
//!
//! # Crate choice
//!
//! The DTLS engine is `dimpl` 0.9: a sans-io DTLS 1.2/1.3 state machine (feed datagrams, poll
//! records and timers), pure crates.io, on the aws-lc-rs provider the TLS stack already uses and
//! on the same `der` 0.8 / `x509-cert` 0.3 as our PKI: it added four small crates to the build
//! (`dimpl`, `ccm`, `ctr`, `aead`). Sans-io fits the layering: the tokio socket, the timers and
//! the per-peer session table are ours (below), as the datagram traits want. It was the first
//! candidate tried and both modes worked on loopback at once, so `dtls` 0.17 and `webrtc-dtls`
//! 0.12 (async stacks with their own connection and listener types; `webrtc-dtls` 0.12 builds
//! only with `webrtc-util` pinned to 0.11) were not pursued, nor `openssl` (system library).
//! What `dimpl` does not do: PKI validation (it checks the handshake signatures with the peer's
//! leaf certificate and hands us the certificate; the trust decision below is ours), and DTLS
//! connection ids (RFC 9146): not supported by `dimpl` 0.9, so a session is bound to the peer's
//! address and a NAT rebinding means a new handshake. Its PSK suite is
//! TLS_PSK_WITH_AES_128_CCM_8 only; its engine is DTLS 1.2 here (1.3 suites are switched off).
//!
//! # Modes
//!
//! - Certificates: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 (RFC 5289), ECDHE on P-256, the
//!   server authenticated by its certificate (usually the test PKI's `eim_tls`, see
//!   [`DtlsServerConfig::from_credential`]); no client certificate is requested. The client's
//!   trust is a [`TlsTrust`], as for HTTPS and as `trustedPublicKeyDataTls` would say:
//!   [`TlsTrust::Roots`] = the leaf must chain to one of the CA certificates (signature,
//!   validity at the current time, serverAuth usage, and the server name: the configured
//!   [`DtlsClientConfig::server_name`] or else the server's IP address, both of which the
//!   `eim_tls` certificate carries); [`TlsTrust::PinnedCert`] = the leaf must be exactly this
//!   certificate (nothing else about it is checked, like the HTTPS pin). The check runs when
//!   the certificate arrives, before the handshake can complete; a refused certificate ends the
//!   handshake with an error.
//! - PSK: TLS_PSK_WITH_AES_128_CCM_8 (RFC 6655; the suite RFC 7252 9.1.3.1 mandates for CoAP).
//!   The identity and key are configurable; the harness default for a device is
//!   [`default_psk_identity`] = the EID as 32 hex digits (ASCII) and [`derive_psk`] =
//!   SHA-256(`"sgp32-harness dtls-psk v1"` || 0x00 || seed (8 bytes big-endian) || EID (16 BCD
//!   bytes)), all 32 bytes, so an eIM that knows the seed needs no key table
//!   ([`DtlsServerConfig::psk_from_seed`]). The server takes any lookup by identity.
//!
//! A server configured with a certificate AND a PSK lookup serves both kinds of clients: it
//! picks the mode from the cipher suites of each ClientHello.
//!
//! # Robustness
//!
//! The server never panics on network input: a datagram from an unknown address that is not a
//! ClientHello, a record `dimpl` cannot use, a failed handshake or a fatal alert is logged with
//! `tracing` and dropped (a failed session is forgotten). Sessions idle for longer than
//! [`DtlsServerConfig::idle_timeout`] are dropped, and at most
//! [`DtlsServerConfig::max_sessions`] exist at once (half-open ones included; `dimpl` ends a
//! handshake that does not finish within [`DtlsOptions::handshake_timeout`]). The server uses
//! the HelloVerifyRequest cookie exchange (RFC 6347 4.2.1). A ClientHello from the address of
//! an established session starts a second handshake beside it (RFC 6347 4.2.8: the client
//! restarted behind the same address); the new session replaces the old one only when its
//! handshake completes, so a late duplicate of an old ClientHello never ends a live session.
//!
//! The client's handshake is bounded by [`DtlsOptions::handshake_timeout`] overall and by
//! [`DtlsOptions::flight_retries`] retransmissions per flight, the first after
//! [`DtlsOptions::flight_start_rto`] and doubling (RFC 6347 4.2.4.1).
//!
//! A failed handshake ends the other side's handshake at once with a plaintext fatal alert
//! (both write epochs are still 0 then) instead of leaving it to time out: the server answers
//! a ClientHello offering none of its suites, or a handshake `dimpl` rejects, with
//! `handshake_failure`, or `bad_record_mac` when the client's Finished does not decrypt (a
//! wrong PSK, or an unknown identity, which `dimpl` handles the same way so as not to reveal
//! which identities exist); the client answers a refused certificate with `bad_certificate`
//! and does not send its own next flight.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use dimpl::crypto::Dtls12CipherSuite;
use dimpl::{Config, Dtls, DtlsCertificate, NamedGroup, Output, PskResolver};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use sha2::{Digest, Sha256};
use tokio::net::UdpSocket;
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio::time::Instant;
use tracing::{debug, trace, warn};

use super::TransportError;
use super::datagram::{DatagramChannel, DatagramEndpoint, MAX_DATAGRAM};
use super::tls::{TlsTrust, provider};
use crate::pki::{Credential, Eid};

/// Largest plaintext of one DTLS record (RFC 6347 4.1 / RFC 5246 6.2.1: 2^14 bytes).
pub const MAX_PLAINTEXT: usize = 16_384;

/// The certificate-mode cipher suite (RFC 5289).
const CERT_SUITE: Dtls12CipherSuite = Dtls12CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256;
/// The PSK cipher suite (RFC 6655), CoAP's mandatory PSK suite (RFC 7252 9.1.3.1).
const PSK_SUITE: Dtls12CipherSuite = Dtls12CipherSuite::PSK_AES128_CCM_8;
/// Label of the default PSK derivation ([`derive_psk`]).
const PSK_LABEL: &[u8] = b"sgp32-harness dtls-psk v1";
/// Plaintext datagrams buffered for the application before new ones are dropped.
const INCOMING_QUEUE: usize = 1024;
/// Pending application sends (commands to a driver task).
const COMMAND_QUEUE: usize = 1024;
/// Engine timers further away than this are treated as none (see [`poll_all`]).
const FAR_TIMER: Duration = Duration::from_secs(3600);

/// Handshake timing and record size of one end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtlsOptions {
    /// The whole handshake must finish within this time (default 15 s).
    pub handshake_timeout: Duration,
    /// First retransmission of a handshake flight (default 1 s, RFC 6347 4.2.4.1), doubling
    /// after each retry with +/-25% jitter.
    pub flight_start_rto: Duration,
    /// Retransmissions per flight after the first send (default 4).
    pub flight_retries: usize,
    /// Largest datagram the handshake produces (default 1150 bytes; longer handshake
    /// messages are fragmented).
    pub mtu: usize,
}

impl Default for DtlsOptions {
    fn default() -> Self {
        DtlsOptions {
            handshake_timeout: Duration::from_secs(15),
            flight_start_rto: Duration::from_secs(1),
            flight_retries: 4,
            mtu: 1150,
        }
    }
}

impl DtlsOptions {
    /// Short timers for tests on loopback: 3 s handshake, 100 ms first retransmission.
    pub fn fast() -> DtlsOptions {
        DtlsOptions {
            handshake_timeout: Duration::from_secs(3),
            flight_start_rto: Duration::from_millis(100),
            flight_retries: 4,
            mtu: 1150,
        }
    }

    fn builder(&self) -> dimpl::ConfigBuilder {
        Config::builder()
            .handshake_timeout(self.handshake_timeout)
            .flight_start_rto(self.flight_start_rto)
            .flight_retries(self.flight_retries)
            .mtu(self.mtu)
            .dtls13_cipher_suites(&[])
            .kx_groups(&[NamedGroup::Secp256r1])
    }
}

/// The harness's default PSK identity of a device: its EID as 32 hex digits, ASCII.
pub fn default_psk_identity(eid: &Eid) -> Vec<u8> {
    eid.digits().into_bytes()
}

/// The harness's default PSK of a device: SHA-256(`"sgp32-harness dtls-psk v1"` || 0x00 ||
/// `seed` (8 bytes big-endian) || the EID's 16 BCD bytes), 32 bytes.
pub fn derive_psk(seed: u64, eid: &Eid) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(PSK_LABEL);
    h.update([0u8]);
    h.update(seed.to_be_bytes());
    h.update(eid.as_bcd());
    h.finalize().to_vec()
}

/// A server's PSK lookup: the key of a client identity, or `None` for an unknown identity.
pub type PskLookup = Arc<dyn Fn(&[u8]) -> Option<Vec<u8>> + Send + Sync>;

/// Client authentication of the server, or the shared key.
#[derive(Clone)]
pub enum DtlsClientAuth {
    /// ECDHE-ECDSA: the server's certificate must satisfy `trust`.
    Certificate(TlsTrust),
    /// Pre-shared key.
    Psk {
        /// The identity sent in the ClientKeyExchange.
        identity: Vec<u8>,
        /// The key.
        key: Vec<u8>,
    },
}

impl fmt::Debug for DtlsClientAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DtlsClientAuth::Certificate(trust) => {
                f.debug_tuple("Certificate").field(trust).finish()
            }
            DtlsClientAuth::Psk { identity, key } => f
                .debug_struct("Psk")
                .field("identity", &String::from_utf8_lossy(identity))
                .field("key_len", &key.len())
                .finish(),
        }
    }
}

/// Client DTLS configuration.
#[derive(Debug, Clone)]
pub struct DtlsClientConfig {
    /// How the server is authenticated.
    pub auth: DtlsClientAuth,
    /// The name checked in the server certificate under [`TlsTrust::Roots`] (default: the
    /// server's IP address).
    pub server_name: Option<String>,
    /// Timers.
    pub options: DtlsOptions,
}

impl DtlsClientConfig {
    /// Certificate mode trusting the CA certificates `roots` (DER).
    pub fn trusting(roots: Vec<Vec<u8>>) -> DtlsClientConfig {
        DtlsClientConfig::with_trust(TlsTrust::Roots(roots))
    }

    /// Certificate mode pinning exactly the server certificate `cert_der`.
    pub fn pinning(cert_der: Vec<u8>) -> DtlsClientConfig {
        DtlsClientConfig::with_trust(TlsTrust::PinnedCert(cert_der))
    }

    /// Certificate mode with `trust`.
    pub fn with_trust(trust: TlsTrust) -> DtlsClientConfig {
        DtlsClientConfig {
            auth: DtlsClientAuth::Certificate(trust),
            server_name: None,
            options: DtlsOptions::default(),
        }
    }

    /// PSK mode with `identity` and `key`.
    pub fn psk(identity: Vec<u8>, key: Vec<u8>) -> DtlsClientConfig {
        DtlsClientConfig {
            auth: DtlsClientAuth::Psk { identity, key },
            server_name: None,
            options: DtlsOptions::default(),
        }
    }

    /// PSK mode with the harness defaults of device `eid` under PKI seed `seed`
    /// ([`default_psk_identity`], [`derive_psk`]).
    pub fn psk_for_eid(seed: u64, eid: &Eid) -> DtlsClientConfig {
        DtlsClientConfig::psk(default_psk_identity(eid), derive_psk(seed, eid))
    }

    /// The same with the server name `name` checked in the certificate.
    pub fn with_server_name(mut self, name: impl Into<String>) -> DtlsClientConfig {
        self.server_name = Some(name.into());
        self
    }

    /// The same with timers `options`.
    pub fn with_options(mut self, options: DtlsOptions) -> DtlsClientConfig {
        self.options = options;
        self
    }
}

/// The server's certificate (DER, sent alone: the client holds the CA) and its P-256 key
/// (PKCS#8 DER).
#[derive(Clone)]
pub struct DtlsServerCert {
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
    /// The private key, PKCS#8 (or SEC1) DER.
    pub key_der: Vec<u8>,
}

impl fmt::Debug for DtlsServerCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DtlsServerCert")
            .field("cert_len", &self.cert_der.len())
            .finish_non_exhaustive()
    }
}

/// Server DTLS configuration: a certificate, a PSK lookup, or both.
#[derive(Clone)]
pub struct DtlsServerConfig {
    /// Certificate mode material.
    pub certificate: Option<DtlsServerCert>,
    /// PSK mode lookup.
    pub psk: Option<PskLookup>,
    /// Optional PSK identity hint (RFC 4279 2) sent in the ServerKeyExchange.
    pub psk_hint: Option<Vec<u8>>,
    /// Timers.
    pub options: DtlsOptions,
    /// A session without traffic for this long is dropped (default 300 s).
    pub idle_timeout: Duration,
    /// At most this many sessions (established or handshaking) at once (default 100 000).
    pub max_sessions: usize,
}

impl fmt::Debug for DtlsServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DtlsServerConfig")
            .field("certificate", &self.certificate)
            .field("psk", &self.psk.is_some())
            .field("options", &self.options)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_sessions", &self.max_sessions)
            .finish()
    }
}

impl DtlsServerConfig {
    fn empty() -> DtlsServerConfig {
        DtlsServerConfig {
            certificate: None,
            psk: None,
            psk_hint: None,
            options: DtlsOptions::default(),
            idle_timeout: Duration::from_secs(300),
            max_sessions: 100_000,
        }
    }

    /// Certificate mode from a DER certificate and a PKCS#8 DER P-256 key.
    pub fn from_der(cert_der: Vec<u8>, key_der: Vec<u8>) -> DtlsServerConfig {
        DtlsServerConfig {
            certificate: Some(DtlsServerCert { cert_der, key_der }),
            ..DtlsServerConfig::empty()
        }
    }

    /// Certificate mode from a test PKI credential (e.g. `Pki::eim_tls`).
    pub fn from_credential(credential: &Credential) -> Result<DtlsServerConfig, TransportError> {
        Ok(DtlsServerConfig::from_der(
            credential.cert_der.clone(),
            super::tls::credential_key_pkcs8(credential)?,
        ))
    }

    /// PSK mode with `lookup`.
    pub fn psk(lookup: PskLookup) -> DtlsServerConfig {
        DtlsServerConfig {
            psk: Some(lookup),
            ..DtlsServerConfig::empty()
        }
    }

    /// PSK mode with the harness defaults under PKI seed `seed`: the identity must be an EID
    /// in hex ([`default_psk_identity`]) and its key is [`derive_psk`]`(seed, eid)`.
    pub fn psk_from_seed(seed: u64) -> DtlsServerConfig {
        DtlsServerConfig::psk(seed_psk_lookup(seed))
    }

    /// The same also accepting PSK clients through `lookup`.
    pub fn with_psk(mut self, lookup: PskLookup) -> DtlsServerConfig {
        self.psk = Some(lookup);
        self
    }

    /// The same with timers `options`.
    pub fn with_options(mut self, options: DtlsOptions) -> DtlsServerConfig {
        self.options = options;
        self
    }

    /// The same with idle timeout `idle`.
    pub fn with_idle_timeout(mut self, idle: Duration) -> DtlsServerConfig {
        self.idle_timeout = idle;
        self
    }

    /// The same with at most `max` sessions.
    pub fn with_max_sessions(mut self, max: usize) -> DtlsServerConfig {
        self.max_sessions = max;
        self
    }

    /// The dimpl configurations (certificate mode, PSK mode), checked.
    fn build(&self) -> Result<ServerMaterial, TransportError> {
        let config_err = |e: dimpl::Error| TransportError::TlsConfig(format!("DTLS: {e}"));
        let cert = match &self.certificate {
            None => None,
            Some(c) => {
                if c.cert_der.is_empty() {
                    return Err(TransportError::TlsConfig(
                        "DTLS server certificate is empty".into(),
                    ));
                }
                check_server_key(&c.key_der)?;
                let config = self
                    .options
                    .builder()
                    .require_client_certificate(false)
                    .dtls12_cipher_suites(&[CERT_SUITE])
                    .build()
                    .map_err(config_err)?;
                Some((
                    Arc::new(config),
                    DtlsCertificate {
                        certificate: c.cert_der.clone(),
                        private_key: c.key_der.clone(),
                    },
                ))
            }
        };
        let psk = match &self.psk {
            None => None,
            Some(lookup) => {
                let config = self
                    .options
                    .builder()
                    .require_client_certificate(false)
                    .dtls12_cipher_suites(&[PSK_SUITE])
                    .with_psk_server(
                        self.psk_hint.clone(),
                        Arc::new(LookupResolver(AssertUnwindSafe(lookup.clone()))),
                    )
                    .build()
                    .map_err(config_err)?;
                Some(Arc::new(config))
            }
        };
        if cert.is_none() && psk.is_none() {
            return Err(TransportError::TlsConfig(
                "DTLS server needs a certificate or a PSK lookup".into(),
            ));
        }
        Ok(ServerMaterial { cert, psk })
    }
}

/// The lookup of [`DtlsServerConfig::psk_from_seed`].
pub fn seed_psk_lookup(seed: u64) -> PskLookup {
    Arc::new(move |identity: &[u8]| {
        let text = std::str::from_utf8(identity).ok()?;
        let eid = Eid::from_hex(text).ok()?;
        Some(derive_psk(seed, &eid))
    })
}

/// dimpl loads the key with `expect`: refuse a key it would not load before it gets there.
fn check_server_key(key_der: &[u8]) -> Result<(), TransportError> {
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair};
    if EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, key_der).is_ok() {
        return Ok(());
    }
    if p256::SecretKey::from_sec1_der(key_der).is_ok() {
        return Ok(());
    }
    Err(TransportError::TlsConfig(
        "DTLS server key is not a P-256 PKCS#8 or SEC1 DER key".into(),
    ))
}

struct LookupResolver(AssertUnwindSafe<PskLookup>);

impl PskResolver for LookupResolver {
    fn resolve(&self, identity: &[u8]) -> Option<Vec<u8>> {
        (self.0.0)(identity)
    }
}

/// The client's side of a PSK: the one key, whatever the hint.
struct FixedKey(Vec<u8>);

impl PskResolver for FixedKey {
    fn resolve(&self, _identity: &[u8]) -> Option<Vec<u8>> {
        Some(self.0.clone())
    }
}

struct ServerMaterial {
    cert: Option<(Arc<Config>, DtlsCertificate)>,
    psk: Option<Arc<Config>>,
}

fn dtls_err(context: &str, e: dimpl::Error) -> TransportError {
    TransportError::Dtls(format!("{context}: {e}"))
}

/// The certificate `dimpl` needs to build a client engine (it would only send it if a server
/// asked for a client certificate, which ours does not): self-signed, derived from a fixed
/// label, made once.
fn placeholder_client_certificate() -> Result<DtlsCertificate, TransportError> {
    static CERT: OnceLock<Result<DtlsCertificate, String>> = OnceLock::new();
    CERT.get_or_init(|| {
        use crate::pki::build::{Role, Template, build, derive_key, parse_name, validity};
        use p256::pkcs8::EncodePrivateKey;
        let key = derive_key(0, Role::EimTls, u64::MAX);
        let template = Template {
            role: Role::EimTls,
            index: u64::MAX,
            subject: parse_name("CN=sgp32-harness DTLS client").map_err(|e| e.to_string())?,
            issuer: None,
            extensions: Vec::new(),
            validity: validity().map_err(|e| e.to_string())?,
        };
        let certificate = build(&template, &key, &key).map_err(|e| e.to_string())?;
        let private_key = key.to_pkcs8_der().map_err(|e| e.to_string())?;
        Ok(DtlsCertificate {
            certificate,
            private_key: private_key.as_bytes().to_vec(),
        })
    })
    .clone()
    .map_err(|e| TransportError::TlsConfig(format!("DTLS client certificate: {e}")))
}

/// The client's decision on the server certificate.
enum CertCheck {
    /// PSK mode: no certificate expected.
    None,
    /// Path validation to these anchors with this name.
    Roots {
        verifier: Arc<rustls::client::WebPkiServerVerifier>,
        name: ServerName<'static>,
    },
    /// Exactly this certificate.
    Pinned(Vec<u8>),
}

impl CertCheck {
    fn new(config: &DtlsClientConfig, server: SocketAddr) -> Result<CertCheck, TransportError> {
        let trust = match &config.auth {
            DtlsClientAuth::Psk { .. } => return Ok(CertCheck::None),
            DtlsClientAuth::Certificate(trust) => trust,
        };
        match trust {
            TlsTrust::PinnedCert(der) => Ok(CertCheck::Pinned(der.clone())),
            TlsTrust::Roots(roots) => {
                let mut store = rustls::RootCertStore::empty();
                for der in roots {
                    store
                        .add(CertificateDer::from(der.clone()))
                        .map_err(|e| TransportError::TlsConfig(format!("trust anchor: {e}")))?;
                }
                let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
                    Arc::new(store),
                    provider(),
                )
                .build()
                .map_err(|e| TransportError::TlsConfig(e.to_string()))?;
                let name = match &config.server_name {
                    Some(n) => ServerName::try_from(n.clone()).map_err(|e| {
                        TransportError::TlsConfig(format!("server name {n:?}: {e}"))
                    })?,
                    None => ServerName::IpAddress(server.ip().into()),
                };
                Ok(CertCheck::Roots { verifier, name })
            }
        }
    }

    /// Accepts or refuses the server's leaf certificate.
    fn check(&self, leaf: &[u8]) -> Result<(), String> {
        use rustls::client::danger::ServerCertVerifier;
        match self {
            CertCheck::None => Err("a certificate in PSK mode".into()),
            CertCheck::Pinned(pin) => {
                if leaf == pin.as_slice() {
                    Ok(())
                } else {
                    Err("server certificate is not the pinned certificate".into())
                }
            }
            CertCheck::Roots { verifier, name } => verifier
                .verify_server_cert(&CertificateDer::from(leaf), &[], name, &[], UnixTime::now())
                .map(|_| ())
                .map_err(|e| format!("server certificate refused: {e}")),
        }
    }

    fn expects_certificate(&self) -> bool {
        !matches!(self, CertCheck::None)
    }
}

/// What an engine reported besides packets and its timer.
#[derive(Debug)]
enum Event {
    Connected,
    PeerCert(Vec<u8>),
    Data(Vec<u8>),
    CloseNotify,
}

/// Polls `dtls` until it has nothing more to say; returns the packets to send, the events,
/// and the next timer.
fn poll_all(dtls: &mut Dtls, buf: &mut Vec<u8>) -> (Vec<Vec<u8>>, Vec<Event>, Option<Instant>) {
    let mut packets = Vec::new();
    let mut events = Vec::new();
    loop {
        match dtls.poll_output(buf) {
            Output::Packet(p) => packets.push(p.to_vec()),
            Output::BufferTooSmall { needed } => {
                let needed = needed.min(4 * MAX_DATAGRAM);
                if needed <= buf.len() {
                    // Would loop forever; give up on this poll.
                    warn!(needed, "DTLS output buffer request not satisfiable");
                    return (packets, events, None);
                }
                buf.resize(needed, 0);
            }
            Output::Timeout(t) => {
                // An idle engine asks to be woken in ten years (a new instant at every poll):
                // that is no timer, and would otherwise pile up in the server's timer heap.
                let t = to_tokio(t);
                let timer = (t <= Instant::now() + FAR_TIMER).then_some(t);
                return (packets, events, timer);
            }
            Output::Connected => events.push(Event::Connected),
            Output::PeerCert(c) => events.push(Event::PeerCert(c.to_vec())),
            Output::ApplicationData(d) => events.push(Event::Data(d.to_vec())),
            Output::CloseNotify => events.push(Event::CloseNotify),
            other => trace!(?other, "DTLS output ignored"),
        }
    }
}

/// dimpl's clock is `std::time::Instant`; ours is tokio's (the same clock unless paused).
fn to_tokio(t: std::time::Instant) -> Instant {
    Instant::from_std(t)
}

fn now_std() -> std::time::Instant {
    Instant::now().into_std()
}

// ---------------------------------------------------------------------------------------------
// Client

enum ClientCommand {
    Send(Vec<u8>, oneshot::Sender<Result<(), TransportError>>),
}

/// A DTLS 1.2 client session with one server (the IPA side of coaps).
#[derive(Debug)]
pub struct DtlsChannel {
    peer: SocketAddr,
    local: SocketAddr,
    commands: mpsc::Sender<ClientCommand>,
    incoming: Mutex<mpsc::Receiver<Result<Vec<u8>, TransportError>>>,
}

impl fmt::Debug for ClientCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientCommand::Send(d, _) => write!(f, "Send({} bytes)", d.len()),
        }
    }
}

impl DtlsChannel {
    /// Binds an ephemeral local port, connects it to `server` and runs the handshake; returns
    /// once the session is established and the server is authenticated, or an error: the
    /// handshake failed (alert, refused certificate, wrong key...) or did not finish within
    /// [`DtlsOptions::handshake_timeout`] ([`TransportError::Timeout`]).
    pub async fn connect(
        server: SocketAddr,
        config: &DtlsClientConfig,
    ) -> Result<DtlsChannel, TransportError> {
        let check = CertCheck::new(config, server)?;
        let mut dtls = match &config.auth {
            DtlsClientAuth::Certificate(_) => {
                let cfg = config
                    .options
                    .builder()
                    .dtls12_cipher_suites(&[CERT_SUITE])
                    .build()
                    .map_err(|e| TransportError::TlsConfig(format!("DTLS: {e}")))?;
                Dtls::new_12(Arc::new(cfg), placeholder_client_certificate()?, now_std())
            }
            DtlsClientAuth::Psk { identity, key } => {
                let cfg = config
                    .options
                    .builder()
                    .dtls12_cipher_suites(&[PSK_SUITE])
                    .with_psk_client(identity.clone(), Arc::new(FixedKey(key.clone())))
                    .build()
                    .map_err(|e| TransportError::TlsConfig(format!("DTLS: {e}")))?;
                Dtls::new_12_psk(Arc::new(cfg), now_std())
            }
        };
        dtls.set_active(true);

        let socket = super::datagram::connected_socket(server).await?;
        let local = socket.local_addr()?;

        let (cmd_tx, cmd_rx) = mpsc::channel(COMMAND_QUEUE);
        let (in_tx, in_rx) = mpsc::channel(INCOMING_QUEUE);
        let (done_tx, done_rx) = oneshot::channel();
        let driver = ClientDriver {
            socket,
            server,
            dtls,
            check,
            cert_ok: false,
            handshake: Some(done_tx),
            incoming: in_tx,
        };
        tokio::spawn(driver.run(cmd_rx));

        // dimpl enforces the handshake timeout itself; this bound is the backstop.
        let limit = config.options.handshake_timeout + Duration::from_millis(500);
        match tokio::time::timeout(limit, done_rx).await {
            Ok(Ok(Ok(()))) => Ok(DtlsChannel {
                peer: server,
                local,
                commands: cmd_tx,
                incoming: Mutex::new(in_rx),
            }),
            Ok(Ok(Err(e))) => Err(e),
            Ok(Err(_)) => Err(TransportError::Dtls("handshake driver ended".into())),
            Err(_) => Err(TransportError::Timeout {
                what: "DTLS handshake",
                after: config.options.handshake_timeout,
            }),
        }
        // On an error the command sender is dropped here, which stops the driver.
    }

    /// The local address of the session's socket.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }
}

#[async_trait]
impl DatagramChannel for DtlsChannel {
    async fn send(&self, datagram: &[u8]) -> Result<(), TransportError> {
        if datagram.len() > MAX_PLAINTEXT {
            return Err(TransportError::Dtls(format!(
                "datagram of {} bytes exceeds the DTLS record limit {MAX_PLAINTEXT}",
                datagram.len()
            )));
        }
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(ClientCommand::Send(datagram.to_vec(), tx))
            .await
            .map_err(|_| TransportError::Dtls("session closed".into()))?;
        rx.await
            .map_err(|_| TransportError::Dtls("session closed".into()))?
    }

    async fn recv(&self) -> Result<Vec<u8>, TransportError> {
        let mut incoming = self.incoming.lock().await;
        match incoming.recv().await {
            Some(r) => r,
            None => Err(TransportError::Dtls("session closed".into())),
        }
    }

    fn peer_addr(&self) -> SocketAddr {
        self.peer
    }
}

struct ClientDriver {
    socket: UdpSocket,
    server: SocketAddr,
    dtls: Dtls,
    check: CertCheck,
    /// The server certificate passed the check.
    cert_ok: bool,
    /// Told the handshake's outcome once.
    handshake: Option<oneshot::Sender<Result<(), TransportError>>>,
    incoming: mpsc::Sender<Result<Vec<u8>, TransportError>>,
}

impl ClientDriver {
    async fn run(mut self, mut commands: mpsc::Receiver<ClientCommand>) {
        let mut out = vec![0u8; 2048];
        let mut rbuf = vec![0u8; MAX_DATAGRAM];
        let mut step: Result<(), TransportError> = self
            .dtls
            .handle_timeout(now_std())
            .map_err(|e| dtls_err("start", e));
        loop {
            if let Err(e) = step {
                self.fail(e);
                return;
            }
            let timer = match self.flush(&mut out).await {
                Ok(t) => t,
                Err(e) => {
                    self.fail(e);
                    return;
                }
            };
            if self.dtls.is_closed() {
                self.fail(TransportError::Dtls("session closed".into()));
                return;
            }
            let sleep_until = timer.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            step = tokio::select! {
                r = self.socket.recv(&mut rbuf) => match r {
                    Ok(n) => {
                        let packet = rbuf.get(..n).unwrap_or_default();
                        self.dtls
                            .handle_timeout(now_std())
                            .and_then(|()| self.dtls.handle_packet(packet))
                            .map_err(|e| dtls_err("record from the server", e))
                    }
                    Err(e) => {
                        // ICMP port unreachable and the like: the datagram is lost, go on.
                        debug!(server = %self.server, error = %e, "DTLS client socket error");
                        Ok(())
                    }
                },
                cmd = commands.recv() => match cmd {
                    Some(ClientCommand::Send(data, reply)) => {
                        let r = self
                            .dtls
                            .send_application_data(&data)
                            .map(|_| ())
                            .map_err(|e| dtls_err("send", e));
                        let fatal = r.as_ref().err().map(|e| TransportError::Dtls(e.to_string()));
                        let _ = reply.send(r);
                        match fatal {
                            Some(e) => Err(e),
                            None => Ok(()),
                        }
                    }
                    None => {
                        // The channel was dropped: say goodbye and stop.
                        let _ = self.dtls.close();
                        let _ = self.flush(&mut out).await;
                        debug!(server = %self.server, "DTLS client session closed");
                        return;
                    }
                },
                () = tokio::time::sleep_until(sleep_until) => {
                    self.dtls
                        .handle_timeout(now_std())
                        .map_err(|e| dtls_err("handshake", e))
                }
            };
        }
    }

    /// Sends what the engine produced and handles its events; returns the next timer.
    async fn flush(&mut self, out: &mut Vec<u8>) -> Result<Option<Instant>, TransportError> {
        // Events first: a refused certificate must stop the flight that would follow it.
        let (packets, events, timer) = poll_all(&mut self.dtls, out);
        for event in events {
            match event {
                Event::PeerCert(der) => {
                    if let Err(reason) = self.check.check(&der) {
                        // Tell the server at once rather than let its handshake time out.
                        let _ = self
                            .socket
                            .send(&plaintext_alert(ALERT_BAD_CERTIFICATE))
                            .await;
                        return Err(TransportError::Dtls(reason));
                    }
                    self.cert_ok = true;
                    debug!(server = %self.server, "DTLS server certificate accepted");
                }
                Event::Connected => {
                    if self.check.expects_certificate() && !self.cert_ok {
                        return Err(TransportError::Dtls(
                            "handshake completed without a server certificate".into(),
                        ));
                    }
                    debug!(server = %self.server, "DTLS client session established");
                    if let Some(tx) = self.handshake.take() {
                        let _ = tx.send(Ok(()));
                    }
                }
                Event::Data(d) => {
                    if self.incoming.try_send(Ok(d)).is_err() {
                        debug!(server = %self.server, "DTLS client receive queue full, datagram dropped");
                    }
                }
                Event::CloseNotify => {
                    return Err(TransportError::Dtls("the server closed the session".into()));
                }
            }
        }
        for p in packets {
            if let Err(e) = self.socket.send(&p).await {
                debug!(server = %self.server, error = %e, "DTLS client send failed");
            }
        }
        Ok(timer)
    }

    fn fail(&mut self, error: TransportError) {
        let _ = self.dtls.close();
        match self.handshake.take() {
            Some(tx) => {
                debug!(server = %self.server, %error, "DTLS handshake failed");
                let _ = tx.send(Err(error));
            }
            None => {
                debug!(server = %self.server, %error, "DTLS client session failed");
                let _ = self.incoming.try_send(Err(error));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Server

enum ServerCommand {
    SendTo(
        SocketAddr,
        Vec<u8>,
        oneshot::Sender<Result<(), TransportError>>,
    ),
    Sessions(oneshot::Sender<usize>),
}

/// A DTLS 1.2 server socket (the eIM side of coaps): one DTLS session per peer address.
#[derive(Debug)]
pub struct DtlsEndpoint {
    local: SocketAddr,
    commands: mpsc::Sender<ServerCommand>,
    incoming: Mutex<mpsc::Receiver<(SocketAddr, Vec<u8>)>>,
}

impl fmt::Debug for ServerCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerCommand::SendTo(p, d, _) => write!(f, "SendTo({p}, {} bytes)", d.len()),
            ServerCommand::Sessions(_) => f.write_str("Sessions"),
        }
    }
}

impl DtlsEndpoint {
    /// Binds `addr` (port 0 for any free port) and starts serving DTLS on it. The driver task
    /// runs until the endpoint is dropped.
    pub async fn bind(
        addr: SocketAddr,
        config: &DtlsServerConfig,
    ) -> Result<DtlsEndpoint, TransportError> {
        let material = config.build()?;
        let socket = UdpSocket::bind(addr)
            .await
            .map_err(|source| TransportError::Bind { addr, source })?;
        let local = socket.local_addr()?;
        let (cmd_tx, cmd_rx) = mpsc::channel(COMMAND_QUEUE);
        let (in_tx, in_rx) = mpsc::channel(INCOMING_QUEUE);
        let driver = ServerDriver {
            socket,
            material,
            idle_timeout: config.idle_timeout,
            max_sessions: config.max_sessions,
            sessions: HashMap::new(),
            timers: BinaryHeap::new(),
            incoming: in_tx,
            out: vec![0u8; 2048],
        };
        tokio::spawn(driver.run(cmd_rx));
        Ok(DtlsEndpoint {
            local,
            commands: cmd_tx,
            incoming: Mutex::new(in_rx),
        })
    }

    /// The number of sessions (established or handshaking).
    pub async fn session_count(&self) -> usize {
        let (tx, rx) = oneshot::channel();
        if self
            .commands
            .send(ServerCommand::Sessions(tx))
            .await
            .is_err()
        {
            return 0;
        }
        rx.await.unwrap_or(0)
    }
}

#[async_trait]
impl DatagramEndpoint for DtlsEndpoint {
    async fn recv_from(&self) -> Result<(SocketAddr, Vec<u8>), TransportError> {
        let mut incoming = self.incoming.lock().await;
        incoming
            .recv()
            .await
            .ok_or_else(|| TransportError::Dtls("endpoint stopped".into()))
    }

    async fn send_to(&self, peer: SocketAddr, datagram: &[u8]) -> Result<(), TransportError> {
        if datagram.len() > MAX_PLAINTEXT {
            return Err(TransportError::Dtls(format!(
                "datagram of {} bytes exceeds the DTLS record limit {MAX_PLAINTEXT}",
                datagram.len()
            )));
        }
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(ServerCommand::SendTo(peer, datagram.to_vec(), tx))
            .await
            .map_err(|_| TransportError::Dtls("endpoint stopped".into()))?;
        rx.await
            .map_err(|_| TransportError::Dtls("endpoint stopped".into()))?
    }

    fn local_addr(&self) -> SocketAddr {
        self.local
    }
}

struct Session {
    dtls: Dtls,
    /// The engine's next timer.
    timer: Option<Instant>,
    last_seen: Instant,
    connected: bool,
    /// A new handshake from the address of this established session: the client restarted
    /// (RFC 6347 4.2.8). It replaces this session once it completes; until then this one
    /// stays, so a stray old ClientHello cannot end a live session.
    successor: Option<Box<Session>>,
}

impl Session {
    fn new(dtls: Dtls, now: Instant) -> Session {
        Session {
            dtls,
            timer: None,
            last_seen: now,
            connected: false,
            successor: None,
        }
    }

    fn feed(&mut self, now: Instant, packet: &[u8]) -> Result<(), Failure> {
        let dtls = &mut self.dtls;
        guarded(|| {
            dtls.handle_timeout(now.into_std())?;
            dtls.handle_packet(packet)
        })
    }

    fn tick(&mut self, now: Instant) -> Result<(), Failure> {
        let dtls = &mut self.dtls;
        guarded(|| dtls.handle_timeout(now.into_std()))
    }

    /// Polls the engine: what to send and deliver, whether it is finished, a new timer.
    fn poll(&mut self, out: &mut Vec<u8>, peer: SocketAddr) -> Polled {
        let dtls = &mut self.dtls;
        let Ok((packets, events, timer)) =
            std::panic::catch_unwind(AssertUnwindSafe(|| poll_all(dtls, out)))
        else {
            warn!(%peer, "DTLS engine panicked; session dropped");
            return Polled {
                packets: Vec::new(),
                data: Vec::new(),
                closed: true,
                new_timer: None,
            };
        };
        let mut polled = Polled {
            packets,
            data: Vec::new(),
            closed: false,
            new_timer: None,
        };
        for event in events {
            match event {
                Event::Connected => {
                    self.connected = true;
                    debug!(%peer, "DTLS session established");
                }
                Event::Data(d) => polled.data.push(d),
                Event::PeerCert(_) => {}
                Event::CloseNotify => {
                    debug!(%peer, "DTLS peer closed the session");
                    polled.closed = true;
                }
            }
        }
        if timer != self.timer {
            self.timer = timer;
            polled.new_timer = timer;
        }
        polled.closed |= self.dtls.is_closed();
        polled
    }
}

/// What one poll of a session's engine produced.
struct Polled {
    packets: Vec<Vec<u8>>,
    data: Vec<Vec<u8>>,
    closed: bool,
    new_timer: Option<Instant>,
}

impl ServerMaterial {
    /// A server engine for a ClientHello offering `suites`: PSK if it offers the PSK suite and
    /// a lookup is configured, else certificates if configured.
    fn engine_for(&self, suites: &[u16]) -> Option<Dtls> {
        let offers = |s: Dtls12CipherSuite| suites.contains(&s.as_u16());
        let now = now_std();
        if let Some(cfg) = &self.psk
            && offers(PSK_SUITE)
        {
            return Some(Dtls::new_12_psk(cfg.clone(), now));
        }
        if let Some((cfg, cert)) = &self.cert
            && offers(CERT_SUITE)
        {
            return Some(Dtls::new_12(cfg.clone(), cert.clone(), now));
        }
        None
    }
}

/// Why a server session failed.
#[derive(Debug)]
enum Failure {
    /// The engine reported a (fatal) error.
    Engine(dimpl::Error),
    /// The engine panicked: the session is lost, the endpoint and its other sessions are not.
    Panicked,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Engine(e) => e.fmt(f),
            Failure::Panicked => f.write_str("the DTLS engine panicked"),
        }
    }
}

/// Runs an engine call, so that a panic inside `dimpl` on some input costs one session, not
/// the endpoint's driver task.
fn guarded(f: impl FnOnce() -> Result<(), dimpl::Error>) -> Result<(), Failure> {
    match std::panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(Failure::Engine),
        Err(_) => Err(Failure::Panicked),
    }
}

/// The fatal alert that tells a client why its handshake failed.
fn alert_for(e: &Failure) -> u8 {
    match e {
        Failure::Engine(dimpl::Error::CryptoError(_)) => ALERT_BAD_RECORD_MAC,
        Failure::Engine(dimpl::Error::SecurityError(
            dimpl::SecurityError::ClientFinishedVerificationFailed,
        )) => ALERT_DECRYPT_ERROR,
        Failure::Engine(_) => ALERT_HANDSHAKE_FAILURE,
        Failure::Panicked => ALERT_INTERNAL_ERROR,
    }
}

/// Feeds `packet` to the successor handshake of an established session, if it has one. When
/// the new handshake fails it goes, with an alert to the peer, and the established session
/// stays: false then (nothing to flush).
async fn feed_successor(
    socket: &UdpSocket,
    peer: SocketAddr,
    session: &mut Session,
    now: Instant,
    packet: &[u8],
) -> bool {
    let Some(successor) = session.successor.as_mut() else {
        return true;
    };
    match successor.feed(now, packet) {
        Ok(_) => true,
        Err(e) => {
            warn!(%peer, error = %e, "DTLS: new handshake failed; the established session stays");
            session.successor = None;
            send_alert(socket, peer, alert_for(&e)).await;
            false
        }
    }
}

async fn send_alert(socket: &UdpSocket, peer: SocketAddr, description: u8) {
    if let Err(e) = socket.send_to(&plaintext_alert(description), peer).await {
        debug!(%peer, error = %e, "DTLS endpoint send failed");
    }
}

struct ServerDriver {
    socket: UdpSocket,
    material: ServerMaterial,
    idle_timeout: Duration,
    max_sessions: usize,
    sessions: HashMap<SocketAddr, Session>,
    /// Session timers, lazily invalidated (an entry counts only if it is still the timer of
    /// the peer's session or of its successor).
    timers: BinaryHeap<Reverse<(Instant, SocketAddr)>>,
    incoming: mpsc::Sender<(SocketAddr, Vec<u8>)>,
    out: Vec<u8>,
}

impl ServerDriver {
    async fn run(mut self, mut commands: mpsc::Receiver<ServerCommand>) {
        let mut rbuf = vec![0u8; MAX_DATAGRAM];
        let sweep_every = (self.idle_timeout / 4).max(Duration::from_millis(50));
        let mut next_sweep = Instant::now() + sweep_every;
        loop {
            let next_timer = self.timers.peek().map(|Reverse((t, _))| *t);
            let wake = next_timer.map_or(next_sweep, |t| t.min(next_sweep));
            tokio::select! {
                r = self.socket.recv_from(&mut rbuf) => match r {
                    Ok((n, peer)) => {
                        let packet = rbuf.get(..n).unwrap_or_default().to_vec();
                        self.on_datagram(peer, &packet).await;
                    }
                    Err(e) => debug!(error = %e, "DTLS endpoint socket error"),
                },
                cmd = commands.recv() => match cmd {
                    Some(ServerCommand::SendTo(peer, data, reply)) => {
                        let r = self.send_to(peer, &data).await;
                        let _ = reply.send(r);
                    }
                    Some(ServerCommand::Sessions(reply)) => {
                        let _ = reply.send(self.sessions.len());
                    }
                    None => {
                        self.close_all().await;
                        return;
                    }
                },
                () = tokio::time::sleep_until(wake) => {
                    let now = Instant::now();
                    self.fire_timers(now).await;
                    if now >= next_sweep {
                        self.sweep(now);
                        next_sweep = now + sweep_every;
                    }
                }
            }
        }
    }

    async fn on_datagram(&mut self, peer: SocketAddr, packet: &[u8]) {
        let now = Instant::now();
        let Some(session) = self.sessions.get_mut(&peer) else {
            self.on_new_peer(peer, packet, now).await;
            return;
        };
        session.last_seen = now;
        let epoch0 = first_record_epoch(packet) == Some(0);

        // A ClientHello on an established session starts a successor handshake.
        if session.connected
            && session.successor.is_none()
            && let Some(suites) = client_hello_suites(packet)
        {
            match self.material.engine_for(&suites) {
                Some(dtls) => {
                    debug!(%peer, "DTLS: new handshake from an established session's address");
                    session.successor = Some(Box::new(Session::new(dtls, now)));
                }
                None => {
                    debug!(%peer, "DTLS: ClientHello offers no suite of this server, refused");
                    send_alert(&self.socket, peer, ALERT_HANDSHAKE_FAILURE).await;
                    return;
                }
            }
        }

        if session.successor.is_some() {
            if epoch0 {
                // The new handshake's plaintext flights.
                if feed_successor(&self.socket, peer, session, now, packet).await {
                    self.flush(peer).await;
                }
                return;
            }
            // Encrypted: the established session's traffic, or the new handshake's Finished
            // if the established session had no use for it.
            if let Err(e) = session.feed(now, packet) {
                warn!(%peer, error = %e, "DTLS: session failed, dropped");
                self.drop_session(peer).await;
                return;
            }
            if self.flush(peer).await > 0 {
                return;
            }
            let Some(session) = self.sessions.get_mut(&peer) else {
                return;
            };
            if feed_successor(&self.socket, peer, session, now, packet).await {
                self.flush(peer).await;
            }
            return;
        }

        if let Err(e) = session.feed(now, packet) {
            let handshaking = !session.connected;
            warn!(%peer, error = %e, "DTLS: session failed, dropped");
            self.drop_session(peer).await;
            if handshaking {
                send_alert(&self.socket, peer, alert_for(&e)).await;
            }
            return;
        }
        self.flush(peer).await;
    }

    /// A datagram from an address without a session: a ClientHello opens one.
    async fn on_new_peer(&mut self, peer: SocketAddr, packet: &[u8], now: Instant) {
        let Some(suites) = client_hello_suites(packet) else {
            debug!(%peer, len = packet.len(), "DTLS: datagram from an unknown peer is not a ClientHello, dropped");
            return;
        };
        if self.sessions.len() >= self.max_sessions {
            warn!(%peer, max = self.max_sessions, "DTLS: session table full, ClientHello dropped");
            return;
        }
        let Some(dtls) = self.material.engine_for(&suites) else {
            debug!(%peer, "DTLS: ClientHello offers no suite of this server, refused");
            send_alert(&self.socket, peer, ALERT_HANDSHAKE_FAILURE).await;
            return;
        };
        let mut session = Session::new(dtls, now);
        if let Err(e) = session.feed(now, packet) {
            debug!(%peer, error = %e, "DTLS: ClientHello refused");
            send_alert(&self.socket, peer, alert_for(&e)).await;
            return;
        }
        self.sessions.insert(peer, session);
        self.flush(peer).await;
    }

    async fn send_to(&mut self, peer: SocketAddr, data: &[u8]) -> Result<(), TransportError> {
        let Some(session) = self.sessions.get_mut(&peer) else {
            return Err(TransportError::Dtls(format!("no DTLS session with {peer}")));
        };
        if !session.connected {
            return Err(TransportError::Dtls(format!(
                "DTLS session with {peer} is not established"
            )));
        }
        let dtls = &mut session.dtls;
        if let Err(e) = guarded(|| dtls.send_application_data(data).map(|_| ())) {
            warn!(%peer, error = %e, "DTLS: send failed, session dropped");
            self.drop_session(peer).await;
            return Err(TransportError::Dtls(format!("send: {e}")));
        }
        self.flush(peer).await;
        Ok(())
    }

    /// Sends a session's (and its successor's) output, delivers their data, re-arms their
    /// timers, promotes a successor that completed; returns how many datagrams the session
    /// itself delivered.
    async fn flush(&mut self, peer: SocketAddr) -> usize {
        let Some(session) = self.sessions.get_mut(&peer) else {
            return 0;
        };
        let main = session.poll(&mut self.out, peer);
        let next = session
            .successor
            .as_mut()
            .map(|s| s.poll(&mut self.out, peer));
        let delivered = main.data.len();
        for t in [main.new_timer, next.as_ref().and_then(|n| n.new_timer)]
            .into_iter()
            .flatten()
        {
            self.timers.push(Reverse((t, peer)));
        }
        let promote = session.successor.as_ref().is_some_and(|s| s.connected);
        let next_closed = next.as_ref().is_some_and(|n| n.closed);
        let (next_packets, next_data) = next.map(|n| (n.packets, n.data)).unwrap_or_default();
        for d in main.data.into_iter().chain(next_data) {
            if self.incoming.try_send((peer, d)).is_err() {
                debug!(%peer, "DTLS endpoint receive queue full, datagram dropped");
            }
        }
        for p in main.packets.iter().chain(next_packets.iter()) {
            if let Err(e) = self.socket.send_to(p, peer).await {
                debug!(%peer, error = %e, "DTLS endpoint send failed");
            }
        }
        let Some(session) = self.sessions.get_mut(&peer) else {
            return delivered;
        };
        if promote || (main.closed && !next_closed) {
            match session.successor.take() {
                Some(successor) => {
                    debug!(%peer, "DTLS: the new handshake replaces the session");
                    *session = *successor;
                }
                None => {
                    self.sessions.remove(&peer);
                }
            }
        } else if main.closed {
            self.sessions.remove(&peer);
        } else if next_closed {
            session.successor = None;
        }
        delivered
    }

    async fn fire_timers(&mut self, now: Instant) {
        while let Some(Reverse((t, peer))) = self.timers.peek().copied() {
            if t > now {
                break;
            }
            self.timers.pop();
            let Some(session) = self.sessions.get_mut(&peer) else {
                continue;
            };
            let mut due = false;
            if session.timer == Some(t) {
                due = true;
                session.timer = None;
                if let Err(e) = session.tick(now) {
                    debug!(%peer, error = %e, "DTLS: session timed out, dropped");
                    self.drop_session(peer).await;
                    continue;
                }
            }
            if let Some(successor) = session.successor.as_mut()
                && successor.timer == Some(t)
            {
                due = true;
                successor.timer = None;
                if let Err(e) = successor.tick(now) {
                    debug!(%peer, error = %e, "DTLS: new handshake timed out; the session stays");
                    session.successor = None;
                }
            }
            if due {
                self.flush(peer).await;
            }
        }
    }

    fn sweep(&mut self, now: Instant) {
        let idle = self.idle_timeout;
        let before = self.sessions.len();
        self.sessions
            .retain(|_, s| now.saturating_duration_since(s.last_seen) < idle);
        let dropped = before - self.sessions.len();
        if dropped > 0 {
            debug!(dropped, "DTLS: idle sessions dropped");
        }
        if self.sessions.is_empty() {
            self.timers.clear();
        }
    }

    /// Forgets a session after sending whatever it still has (an alert).
    async fn drop_session(&mut self, peer: SocketAddr) {
        if let Some(mut session) = self.sessions.remove(&peer) {
            let packets = session.poll(&mut self.out, peer).packets;
            for p in packets {
                let _ = self.socket.send_to(&p, peer).await;
            }
        }
    }

    async fn close_all(&mut self) {
        let peers: Vec<SocketAddr> = self.sessions.keys().copied().collect();
        for peer in peers {
            if let Some(session) = self.sessions.get_mut(&peer) {
                let dtls = &mut session.dtls;
                let _ = guarded(|| dtls.close());
            }
            self.drop_session(peer).await;
        }
    }
}

/// The epoch of a datagram's first record (RFC 6347 4.1), if it has a record header.
fn first_record_epoch(packet: &[u8]) -> Option<u16> {
    Some(u16::from_be_bytes([*packet.get(3)?, *packet.get(4)?]))
}

/// bad_record_mac (RFC 5246 7.2.2).
const ALERT_BAD_RECORD_MAC: u8 = 20;
/// handshake_failure (RFC 5246 7.2.2).
const ALERT_HANDSHAKE_FAILURE: u8 = 40;
/// decrypt_error (RFC 5246 7.2.2).
const ALERT_DECRYPT_ERROR: u8 = 51;
/// internal_error (RFC 5246 7.2.2).
const ALERT_INTERNAL_ERROR: u8 = 80;
/// bad_certificate (RFC 5246 7.2.2).
const ALERT_BAD_CERTIFICATE: u8 = 42;

/// A fatal alert in a plaintext epoch-0 record (RFC 6347 4.1): what a side sends while its
/// write epoch is still 0, i.e. when a handshake fails before its ChangeCipherSpec. The
/// sequence number is set above any a handshake uses so that the peer's replay window takes
/// it.
fn plaintext_alert(description: u8) -> [u8; 15] {
    [
        21,
        0xfe,
        0xfd, // alert, DTLS 1.2
        0,
        0, // epoch 0
        0,
        0,
        0,
        1,
        0,
        0, // sequence number 65536
        0,
        2, // length
        2,
        description, // fatal
    ]
}

/// The cipher suites of a datagram whose first record is an unfragmented-at-start DTLS
/// ClientHello (RFC 6347 4.1, 4.2.2, 4.3.2), or `None`.
fn client_hello_suites(packet: &[u8]) -> Option<Vec<u16>> {
    // Record header: type(1) version(2) epoch(2) sequence(6) length(2).
    let (&content_type, _) = packet.split_first()?;
    if content_type != 22 {
        return None;
    }
    let epoch = u16::from_be_bytes([*packet.get(3)?, *packet.get(4)?]);
    if epoch != 0 {
        return None;
    }
    let len = usize::from(u16::from_be_bytes([*packet.get(11)?, *packet.get(12)?]));
    let record = packet.get(13..13usize.checked_add(len)?)?;
    // Handshake header: type(1) length(3) message_seq(2) fragment_offset(3) fragment_length(3).
    if *record.first()? != 1 {
        return None;
    }
    let frag_offset = record.get(6..9)?;
    if frag_offset != [0, 0, 0] {
        return None;
    }
    let body = record.get(12..)?;
    // ClientHello: version(2) random(32) session_id<0..32> cookie<0..2^8-1> cipher_suites<2..>.
    let mut pos = 34usize;
    let sid_len = usize::from(*body.get(pos)?);
    pos = pos.checked_add(1 + sid_len)?;
    let cookie_len = usize::from(*body.get(pos)?);
    pos = pos.checked_add(1 + cookie_len)?;
    let suites_len = usize::from(u16::from_be_bytes([*body.get(pos)?, *body.get(pos + 1)?]));
    pos += 2;
    let suites = body.get(pos..pos.checked_add(suites_len)?)?;
    Some(
        suites
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psk_derivation_known_answer() {
        let eid = Eid::from_digits("89049032000000000000000000000019").unwrap();
        let mut h = Sha256::new();
        h.update(b"sgp32-harness dtls-psk v1\0");
        h.update(7u64.to_be_bytes());
        h.update(eid.as_bcd());
        assert_eq!(derive_psk(7, &eid), h.finalize().to_vec());
        assert_eq!(derive_psk(7, &eid).len(), 32);
        assert_ne!(derive_psk(7, &eid), derive_psk(8, &eid));
        assert_eq!(
            default_psk_identity(&eid),
            b"89049032000000000000000000000019".to_vec()
        );
        let lookup = seed_psk_lookup(7);
        assert_eq!(
            lookup(&default_psk_identity(&eid)),
            Some(derive_psk(7, &eid))
        );
        assert_eq!(lookup(b"not an eid"), None);
        assert_eq!(lookup(&[0xff, 0xfe]), None);
    }

    #[test]
    fn client_hello_parser_takes_suites_and_rejects_junk() {
        // A minimal ClientHello: no session id, no cookie, two suites.
        let mut body = vec![0xfe, 0xfd];
        body.extend_from_slice(&[0u8; 32]);
        body.extend_from_slice(&[0, 0, 0, 4, 0xc0, 0x2b, 0xc0, 0xa8, 1, 0]);
        let mut hs = vec![
            1,
            0,
            0,
            body.len() as u8,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            body.len() as u8,
        ];
        hs.extend_from_slice(&body);
        let mut rec = vec![22, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, hs.len() as u8];
        rec.extend_from_slice(&hs);
        assert_eq!(client_hello_suites(&rec), Some(vec![0xc02b, 0xc0a8]));
        // Truncations and other types never panic and never pass.
        for n in 0..rec.len() - 1 {
            let _ = client_hello_suites(&rec[..n]);
        }
        assert_eq!(client_hello_suites(&rec[..20]), None);
        let mut other = rec.clone();
        other[0] = 23;
        assert_eq!(client_hello_suites(&other), None);
        let mut epoch1 = rec.clone();
        epoch1[4] = 1;
        assert_eq!(client_hello_suites(&epoch1), None);
        assert_eq!(client_hello_suites(&[]), None);
    }

    #[test]
    fn server_config_needs_material_and_a_usable_key() {
        assert!(matches!(
            DtlsServerConfig::empty().build(),
            Err(TransportError::TlsConfig(_))
        ));
        assert!(matches!(
            DtlsServerConfig::from_der(vec![1, 2, 3], vec![4, 5, 6]).build(),
            Err(TransportError::TlsConfig(_))
        ));
    }

    /// Runs client and server engines against each other in memory through [`poll_all`].
    #[test]
    fn engines_handshake_in_memory_and_an_idle_engine_has_no_timer() {
        let key = b"0123456789abcdef".to_vec();
        let lookup: PskLookup = {
            let key = key.clone();
            Arc::new(move |id: &[u8]| (id == b"dev").then(|| key.clone()))
        };
        let client_cfg = DtlsOptions::fast()
            .builder()
            .dtls12_cipher_suites(&[PSK_SUITE])
            .with_psk_client(b"dev".to_vec(), Arc::new(FixedKey(key)))
            .build()
            .unwrap();
        let server_cfg = DtlsOptions::fast()
            .builder()
            .dtls12_cipher_suites(&[PSK_SUITE])
            .with_psk_server(None, Arc::new(LookupResolver(AssertUnwindSafe(lookup))))
            .build()
            .unwrap();
        let mut client = Dtls::new_12_psk(Arc::new(client_cfg), now_std());
        client.set_active(true);
        let mut server = Dtls::new_12_psk(Arc::new(server_cfg), now_std());
        client.handle_timeout(now_std()).unwrap();
        server.handle_timeout(now_std()).unwrap();
        let mut buf = vec![0u8; 64];
        let (mut c_up, mut s_up) = (false, false);
        let mut timers = (None, None);
        for _ in 0..20 {
            let (packets, events, t) = poll_all(&mut client, &mut buf);
            timers.0 = t;
            c_up |= events.iter().any(|e| matches!(e, Event::Connected));
            for p in packets {
                server.handle_packet(&p).unwrap();
            }
            let (packets, events, t) = poll_all(&mut server, &mut buf);
            timers.1 = t;
            s_up |= events.iter().any(|e| matches!(e, Event::Connected));
            for p in packets {
                client.handle_packet(&p).unwrap();
            }
        }
        assert!(c_up && s_up, "client {c_up} server {s_up}");
        assert!(buf.len() > 64, "the small buffer was grown on request");
        assert_eq!(timers, (None, None), "established and idle: no timer");

        client.send_application_data(b"hello").unwrap();
        let (packets, _, _) = poll_all(&mut client, &mut buf);
        assert_eq!(packets.len(), 1);
        assert!(!packets[0].windows(5).any(|w| w == b"hello"), "encrypted");
        server.handle_packet(&packets[0]).unwrap();
        let (_, events, _) = poll_all(&mut server, &mut buf);
        assert!(matches!(events.as_slice(), [Event::Data(d)] if d == b"hello"));
    }

    #[test]
    fn placeholder_certificate_is_built_once() {
        let a = placeholder_client_certificate().unwrap();
        let b = placeholder_client_certificate().unwrap();
        assert_eq!(a.certificate, b.certificate);
        assert!(!a.private_key.is_empty());
    }
}
