//! TLS configuration of both ends (rustls with the aws-lc-rs provider, chosen explicitly).
//!
//! SGP.32 2.6.3 asks for TLS 1.2 at least; the server offers 1.2 and 1.3 by default and the
//! client can be restricted to one of them ([`TlsVersions`]) so tests cover both. The server
//! certificate is the test PKI's `eim_tls` (ECDSA P-256, SAN `localhost` and `127.0.0.1`,
//! issued by the test CI). The client either trusts CA certificates through a rustls
//! `RootCertStore` (normal path validation, server name from the URL host; IP addresses work as
//! `ServerName::IpAddress`), or pins one exact server certificate ([`TlsTrust::PinnedCert`],
//! like an IPA holding the eIM's TLS certificate from `trustedPublicKeyDataTls`): then only the
//! certificate bytes are compared (no chain, name or validity check), while the handshake
//! signatures are still verified with the certificate's key.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::TransportError;
use crate::pki::Credential;

/// The protocol versions an end offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsVersions {
    /// TLS 1.2 and 1.3 (the default).
    #[default]
    Both,
    /// TLS 1.2 only.
    Tls12Only,
    /// TLS 1.3 only.
    Tls13Only,
}

impl TlsVersions {
    fn rustls(self) -> &'static [&'static rustls::SupportedProtocolVersion] {
        static BOTH: [&rustls::SupportedProtocolVersion; 2] =
            [&rustls::version::TLS13, &rustls::version::TLS12];
        static V12: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS12];
        static V13: [&rustls::SupportedProtocolVersion; 1] = [&rustls::version::TLS13];
        match self {
            TlsVersions::Both => &BOTH,
            TlsVersions::Tls12Only => &V12,
            TlsVersions::Tls13Only => &V13,
        }
    }
}

/// A negotiated TLS version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsVersion {
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
    /// Anything else rustls reports (not expected with the versions above).
    Other,
}

impl TlsVersion {
    pub(crate) fn from_rustls(v: Option<rustls::ProtocolVersion>) -> Option<TlsVersion> {
        v.map(|v| match v {
            rustls::ProtocolVersion::TLSv1_2 => TlsVersion::Tls12,
            rustls::ProtocolVersion::TLSv1_3 => TlsVersion::Tls13,
            _ => TlsVersion::Other,
        })
    }
}

/// The aws-lc-rs crypto provider, chosen explicitly (no process-wide default is installed).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Server TLS material: certificate chain (leaf first) and private key.
#[derive(Debug)]
pub struct TlsServerConfig {
    /// The certificate chain, leaf first, DER.
    pub cert_chain: Vec<CertificateDer<'static>>,
    /// The private key (PKCS#8, SEC1 or PKCS#1).
    pub key: PrivateKeyDer<'static>,
    /// The versions offered.
    pub versions: TlsVersions,
}

impl Clone for TlsServerConfig {
    fn clone(&self) -> Self {
        TlsServerConfig {
            cert_chain: self.cert_chain.clone(),
            key: self.key.clone_key(),
            versions: self.versions,
        }
    }
}

/// A test PKI credential's private key as PKCS#8 DER (what rustls and dimpl load).
pub(crate) fn credential_key_pkcs8(credential: &Credential) -> Result<Vec<u8>, TransportError> {
    use p256::pkcs8::EncodePrivateKey;
    credential
        .key
        .to_pkcs8_der()
        .map(|k| k.as_bytes().to_vec())
        .map_err(|e| TransportError::TlsConfig(format!("encoding the key: {e}")))
}

impl TlsServerConfig {
    /// From a DER certificate chain (leaf first) and a PKCS#8 DER private key.
    pub fn from_der(cert_chain: Vec<Vec<u8>>, key_pkcs8_der: Vec<u8>) -> TlsServerConfig {
        TlsServerConfig {
            cert_chain: cert_chain.into_iter().map(CertificateDer::from).collect(),
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pkcs8_der)),
            versions: TlsVersions::Both,
        }
    }

    /// From PEM text: every `CERTIFICATE` block of `certs_pem` (leaf first) and the first
    /// private key block of `key_pem` (`PRIVATE KEY`, `EC PRIVATE KEY` or `RSA PRIVATE KEY`).
    pub fn from_pem(certs_pem: &[u8], key_pem: &[u8]) -> Result<TlsServerConfig, TransportError> {
        let cert_chain = CertificateDer::pem_slice_iter(certs_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TransportError::TlsConfig(format!("certificate PEM: {e}")))?;
        if cert_chain.is_empty() {
            return Err(TransportError::TlsConfig(
                "no CERTIFICATE block in the certificate PEM".into(),
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(key_pem)
            .map_err(|e| TransportError::TlsConfig(format!("private key PEM: {e}")))?;
        Ok(TlsServerConfig {
            cert_chain,
            key,
            versions: TlsVersions::Both,
        })
    }

    /// From a test PKI credential (e.g. `Pki::eim_tls`): its certificate alone as the chain.
    pub fn from_credential(credential: &Credential) -> Result<TlsServerConfig, TransportError> {
        Ok(TlsServerConfig::from_der(
            vec![credential.cert_der.clone()],
            credential_key_pkcs8(credential)?,
        ))
    }

    /// The same material offering only `versions`.
    pub fn with_versions(mut self, versions: TlsVersions) -> TlsServerConfig {
        self.versions = versions;
        self
    }

    /// The rustls configuration (ALPN `http/1.1`).
    pub fn build(&self) -> Result<Arc<rustls::ServerConfig>, TransportError> {
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(self.versions.rustls())
            .map_err(|e| TransportError::TlsConfig(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(self.cert_chain.clone(), self.key.clone_key())
            .map_err(|e| TransportError::TlsConfig(e.to_string()))?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// What the client trusts.
#[derive(Debug, Clone)]
pub enum TlsTrust {
    /// CA certificates (DER): normal path validation and server name check.
    Roots(Vec<Vec<u8>>),
    /// Exactly this server certificate (DER); nothing else is checked about it.
    PinnedCert(Vec<u8>),
}

/// Client TLS configuration.
#[derive(Debug, Clone)]
pub struct TlsClientConfig {
    /// The trust anchors.
    pub trust: TlsTrust,
    /// The versions offered.
    pub versions: TlsVersions,
    /// The server name to send and check, instead of the URL host.
    pub server_name: Option<String>,
}

impl TlsClientConfig {
    /// Trusting the CA certificates `roots` (DER), TLS 1.2 and 1.3.
    pub fn trusting(roots: Vec<Vec<u8>>) -> TlsClientConfig {
        TlsClientConfig {
            trust: TlsTrust::Roots(roots),
            versions: TlsVersions::Both,
            server_name: None,
        }
    }

    /// Pinning exactly the server certificate `cert_der`, TLS 1.2 and 1.3.
    pub fn pinning(cert_der: Vec<u8>) -> TlsClientConfig {
        TlsClientConfig {
            trust: TlsTrust::PinnedCert(cert_der),
            versions: TlsVersions::Both,
            server_name: None,
        }
    }

    /// The same trust offering only `versions`.
    pub fn with_versions(mut self, versions: TlsVersions) -> TlsClientConfig {
        self.versions = versions;
        self
    }

    /// The rustls configuration (ALPN `http/1.1`).
    pub fn build(&self) -> Result<Arc<rustls::ClientConfig>, TransportError> {
        let provider = provider();
        let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(self.versions.rustls())
            .map_err(|e| TransportError::TlsConfig(e.to_string()))?;
        let mut config = match &self.trust {
            TlsTrust::Roots(roots) => {
                let mut store = rustls::RootCertStore::empty();
                for der in roots {
                    store
                        .add(CertificateDer::from(der.clone()))
                        .map_err(|e| TransportError::TlsConfig(format!("trust anchor: {e}")))?;
                }
                builder.with_root_certificates(store).with_no_client_auth()
            }
            TlsTrust::PinnedCert(der) => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(PinnedCertVerifier {
                    cert: der.clone(),
                    provider,
                }))
                .with_no_client_auth(),
        };
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

/// Accepts exactly one server certificate; verifies the handshake signatures with its key.
#[derive(Debug)]
struct PinnedCertVerifier {
    cert: Vec<u8>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedCertVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.cert.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "server certificate differs from the pinned certificate".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_config_from_pem_and_errors() {
        let pki = crate::pki::Pki::generate(7, 0).unwrap();
        let cfg = TlsServerConfig::from_credential(&pki.eim_tls).unwrap();
        assert_eq!(cfg.cert_chain.len(), 1);
        assert!(cfg.build().is_ok());
        assert!(
            cfg.clone()
                .with_versions(TlsVersions::Tls12Only)
                .build()
                .is_ok()
        );

        let cert_pem = pem::encode(&pem::Pem::new("CERTIFICATE", pki.eim_tls.cert_der.clone()));
        let key_pem = match &cfg.key {
            PrivateKeyDer::Pkcs8(k) => {
                pem::encode(&pem::Pem::new("PRIVATE KEY", k.secret_pkcs8_der().to_vec()))
            }
            _ => panic!("pkcs8 expected"),
        };
        let from_pem = TlsServerConfig::from_pem(cert_pem.as_bytes(), key_pem.as_bytes()).unwrap();
        assert_eq!(from_pem.cert_chain, cfg.cert_chain);
        assert!(from_pem.build().is_ok());

        // No certificate block, no key block, a key that isn't a key.
        assert!(matches!(
            TlsServerConfig::from_pem(key_pem.as_bytes(), key_pem.as_bytes()),
            Err(TransportError::TlsConfig(_))
        ));
        assert!(matches!(
            TlsServerConfig::from_pem(cert_pem.as_bytes(), cert_pem.as_bytes()),
            Err(TransportError::TlsConfig(_))
        ));
        let bad = TlsServerConfig::from_der(vec![pki.eim_tls.cert_der.clone()], vec![1, 2, 3]);
        assert!(matches!(bad.build(), Err(TransportError::TlsConfig(_))));
        // Key of another certificate.
        let other = TlsServerConfig::from_credential(&pki.dp_tls).unwrap();
        let mixed = TlsServerConfig {
            cert_chain: cfg.cert_chain.clone(),
            key: other.key.clone_key(),
            versions: TlsVersions::Both,
        };
        assert!(matches!(mixed.build(), Err(TransportError::TlsConfig(_))));
    }

    #[test]
    fn client_config_rejects_garbage_anchor() {
        let cfg = TlsClientConfig::trusting(vec![vec![0x30, 0x03, 0x02, 0x01, 0x00]]);
        assert!(matches!(cfg.build(), Err(TransportError::TlsConfig(_))));
        let pki = crate::pki::Pki::generate(7, 0).unwrap();
        assert!(
            TlsClientConfig::trusting(vec![pki.ci.cert_der.clone()])
                .with_versions(TlsVersions::Tls13Only)
                .build()
                .is_ok()
        );
        assert!(
            TlsClientConfig::pinning(pki.eim_tls.cert_der)
                .build()
                .is_ok()
        );
    }
}
