//! Crypto provider: ECDSA (raw `r||s`), ECKA + the SGP.22 key derivation, AES-128-CBC and
//! AES-CMAC for SCP03t (BSP), SHA-256.
//!
//! # The provider trait
//!
//! Like rustls' `CryptoProvider`, [`CryptoProvider`] is one trait with several backends chosen
//! at run time ([`Backend`], [`provider`]). The provider is a factory: keys are parsed or
//! imported **once** into opaque handles ([`SigningKey`], [`VerifyingKey`], [`EckaPrivateKey`],
//! [`Aes128Key`], [`CmacKey`]) that hold the backend's own parsed key, so the hot paths of the
//! load generator (millions of `sign`/`verify`, segment protection) never re-parse key material.
//! Handles are cheap to clone (`Arc`) and `Send + Sync`.
//!
//! | Backend | Crates | Role |
//! |---|---|---|
//! | [`Backend::AwsLc`] (default) | `aws-lc-rs` (ECDSA `*_FIXED_SIGNING`, `agreement`, `cipher` CBC/ECB, `cmac`, `digest`) | fast |
//! | [`Backend::RustCrypto`] | `p256`, `bp256`, `sha2`, `aes`, `cbc`, `cmac` | portable reference |
//!
//! brainpoolP256r1 (the SGP.26 "BRP" variants) exists only in the RustCrypto crates (`bp256`):
//! the aws-lc-rs provider hands brainpool keys to the RustCrypto code, so every provider accepts
//! both curves. Key *encodings* (PKCS#8, SEC1 `EC PRIVATE KEY`, SubjectPublicKeyInfo, PEM) are
//! handled once in this module with the RustCrypto/`der` crates, whatever the backend: they run
//! once per key, never on a hot path.
//!
//! # Signature format
//!
//! SGP.22/SGP.32 carry ECDSA signatures as the 64-byte **plain format** of BSI TR-03111
//! (section 5.2.1): `r || s`, each the 32-byte big-endian, left-zero-padded integer (for example
//! the `eimSignature` `5F37 40 ...` of an SGP.32 EuiccPackageRequest). X.509 and TLS use the DER
//! `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` of RFC 5480/X9.62.
//! [`raw_to_der`] and [`der_to_raw`] convert strictly between the two. [`SigningKey::sign`]
//! returns `r||s`; [`SigningKey::sign_deterministic`] is RFC 6979 (same key and message, same
//! bytes, on every backend: the test PKI needs reproducible certificates).
//!
//! # SGP.22 key derivation (BSP, SGP.22 2.6.4.2)
//!
//! The session keys of the bound profile package come from the ECKA shared secret `ShS`
//! (BSI TR-03111 ECKA-DH: the x-coordinate, 32 bytes) through the X9.63 KDF with SHA-256
//! (BSI TR-03111 4.3.3), with the CRT values of InitialiseSecureChannelRequest (keyType,
//! keyLength, hostId) and the EID as SharedInfo:
//!
//! ```text
//! KeyData = SHA-256(ShS || 00000001 || SharedInfo) || SHA-256(ShS || 00000002 || SharedInfo)
//! SharedInfo = keyType (1 byte, '88' = AES) || keyLength (1 byte, 0x10)
//!            || len(hostId) (1 byte) || hostId || len(EID) (1 byte) || EID (16 bytes)
//! initial MAC chaining value = KeyData[0..16], S-ENC = KeyData[16..32], S-MAC = KeyData[32..48]
//! ```
//!
//! The counter is 32-bit big-endian starting at 1. The exact layout (a one-byte length in front
//! of host id and of EID; output order MAC chaining value, S-ENC, S-MAC) was established on, and
//! is tested against, every entry of `shared/spec/vectors/bsp/scp03t-kat.json` (`kdf`), see
//! [`derive_session_keys`] and [`shared_info`].
//!
//! # SCP03t segment protection
//!
//! [`Bsp`] implements SGP.22 2.6.4.3-2.6.4.5 (encryption with a per-segment ICV, `80 00..`
//! padding, C-MAC with MAC chaining); its documentation lists the exact rules.

mod awslc;
mod bsp;
mod kdf;
mod keys;
mod rustcrypto;
mod sig;

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

pub use bsp::{Bsp, MAC_LEN, MAX_SEGMENT_LEN, SegmentKind};
pub use kdf::{SessionKeys, derive_session_keys, shared_info};
pub use sig::{der_to_raw, raw_to_der};

/// A raw ECDSA signature: `r || s`, BSI TR-03111 plain format (32 + 32 bytes).
pub type RawSignature = [u8; 64];

/// Errors of the crypto module.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum CryptoError {
    /// A key could not be parsed or imported (wrong curve, bad encoding, not on the curve, ...).
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// A signature has the wrong length or encoding.
    #[error("malformed signature: {0}")]
    MalformedSignature(String),
    /// A well-formed signature does not verify.
    #[error("signature verification failed")]
    BadSignature,
    /// The backend refused an operation (RNG failure, internal error).
    #[error("{backend} backend failure: {what}")]
    Backend {
        /// The backend that failed.
        backend: Backend,
        /// What failed.
        what: &'static str,
    },
    /// Input of the wrong size for a cipher or KDF operation.
    #[error("invalid length: {0}")]
    InvalidLength(String),
    /// SCP03t: the segment is not a valid TLV.
    #[error("SCP03t structure error: {0}")]
    Scp03tStructure(String),
    /// SCP03t: the C-MAC does not verify.
    #[error("SCP03t security error: C-MAC mismatch")]
    Scp03tMac,
    /// SCP03t: the decrypted data is not padded with '80 00..'.
    #[error("SCP03t security error: bad padding")]
    Scp03tPadding,
    /// An unknown backend name.
    #[error("unknown crypto backend {0:?} (expected \"aws-lc\" or \"rustcrypto\")")]
    UnknownBackend(String),
}

/// Result of this module.
pub type Result<T, E = CryptoError> = std::result::Result<T, E>;

/// The crypto backends, selectable at run time (`--crypto aws-lc|rustcrypto`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Backend {
    /// `aws-lc-rs`: the fast backend (the library rustls also uses). Default.
    #[default]
    AwsLc,
    /// The RustCrypto crates: the portable reference.
    RustCrypto,
}

impl Backend {
    /// Every backend, for tests and benches.
    pub const ALL: [Backend; 2] = [Backend::AwsLc, Backend::RustCrypto];

    /// The name accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            Backend::AwsLc => "aws-lc",
            Backend::RustCrypto => "rustcrypto",
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Backend {
    type Err = CryptoError;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "aws-lc" | "awslc" | "aws-lc-rs" => Ok(Backend::AwsLc),
            "rustcrypto" | "rust-crypto" => Ok(Backend::RustCrypto),
            _ => Err(CryptoError::UnknownBackend(s.to_owned())),
        }
    }
}

/// The elliptic curves of the SGP.22/SGP.26 PKI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    /// NIST P-256 (secp256r1, prime256v1), OID 1.2.840.10045.3.1.7.
    P256,
    /// brainpoolP256r1 (RFC 5639), OID 1.3.36.3.3.2.8.1.1.7 (SGP.26 "BRP").
    BrainpoolP256r1,
}

/// The provider selected by `backend`; providers are stateless statics.
pub fn provider(backend: Backend) -> &'static dyn CryptoProvider {
    match backend {
        Backend::AwsLc => &awslc::AwsLcProvider,
        Backend::RustCrypto => &rustcrypto::RustCryptoProvider,
    }
}

/// The default (fast) provider.
pub fn default_provider() -> &'static dyn CryptoProvider {
    provider(Backend::default())
}

/// `der` as a PEM block labelled `label` (LF line endings), e.g. `CERTIFICATE`.
pub fn pem_encode(label: &str, der: &[u8]) -> String {
    keys::to_pem(label, der)
}

/// SHA-256 with the default provider.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    default_provider().sha256(data)
}

/// A crypto backend: a factory of parsed key handles plus the stateless primitives.
///
/// Required methods are the backend's primitives; provided methods (key encodings, the KDF)
/// are built on them and are the same for every backend.
pub trait CryptoProvider: Send + Sync + fmt::Debug {
    /// Which backend this is.
    fn backend(&self) -> Backend;

    /// SHA-256 of the concatenation of `parts` (avoids copying for the KDF and signed data).
    fn sha256_parts(&self, parts: &[&[u8]]) -> [u8; 32];

    /// A fresh random ECDSA key pair on `curve`.
    fn generate_signing_key(&self, curve: Curve) -> Result<SigningKey>;

    /// Imports an ECDSA private key from its 32-byte big-endian scalar.
    fn signing_key_from_scalar(&self, curve: Curve, scalar: &[u8]) -> Result<SigningKey>;

    /// Imports an ECDSA public key from a SEC1 point (uncompressed `04 || X || Y`; compressed
    /// points are accepted too).
    fn verifying_key_from_sec1(&self, curve: Curve, point: &[u8]) -> Result<VerifyingKey>;

    /// A fresh random (one-time) ECKA key pair on P-256 (otSK.EUICC.ECKA / otSK.DP.ECKA).
    fn generate_ecka_key(&self) -> Result<EckaPrivateKey>;

    /// Imports an ECKA private key (P-256) from its 32-byte big-endian scalar.
    fn ecka_key_from_scalar(&self, scalar: &[u8]) -> Result<EckaPrivateKey>;

    /// An AES-128 key (CBC without padding, single-block ECB) with its key schedule computed.
    fn aes128(&self, key: &[u8; 16]) -> Result<Aes128Key>;

    /// An AES-128 CMAC key (NIST SP 800-38B) with its subkeys computed.
    fn cmac_aes128(&self, key: &[u8; 16]) -> Result<CmacKey>;

    /// SHA-256.
    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        self.sha256_parts(&[data])
    }

    /// Imports an ECDSA private key from DER: PKCS#8 `PrivateKeyInfo` or SEC1 `ECPrivateKey`
    /// (RFC 5915), P-256 or brainpoolP256r1 (the curve is read from the encoding).
    fn signing_key_from_der(&self, der: &[u8]) -> Result<SigningKey> {
        let (curve, scalar) = keys::private_scalar_from_der(der)?;
        self.signing_key_from_scalar(curve, &scalar[..])
    }

    /// Imports an ECDSA private key from PEM (`PRIVATE KEY` or `EC PRIVATE KEY`).
    fn signing_key_from_pem(&self, pem: &str) -> Result<SigningKey> {
        let der = keys::pem_body(pem, &["PRIVATE KEY", "EC PRIVATE KEY"])?;
        self.signing_key_from_der(&der)
    }

    /// Imports an ECDSA public key from a DER SubjectPublicKeyInfo (id-ecPublicKey, P-256 or
    /// brainpoolP256r1).
    fn verifying_key_from_spki_der(&self, der: &[u8]) -> Result<VerifyingKey> {
        let (curve, point) = keys::point_from_spki_der(der)?;
        self.verifying_key_from_sec1(curve, &point)
    }

    /// Imports an ECDSA public key from a PEM `PUBLIC KEY`.
    fn verifying_key_from_spki_pem(&self, pem: &str) -> Result<VerifyingKey> {
        let der = keys::pem_body(pem, &["PUBLIC KEY"])?;
        self.verifying_key_from_spki_der(&der)
    }

    /// The public key of an X.509 certificate (DER).
    fn verifying_key_from_certificate_der(&self, der: &[u8]) -> Result<VerifyingKey> {
        let spki = keys::spki_der_from_certificate_der(der)?;
        self.verifying_key_from_spki_der(&spki)
    }

    /// The public key of an X.509 certificate (PEM `CERTIFICATE`).
    fn verifying_key_from_certificate_pem(&self, pem: &str) -> Result<VerifyingKey> {
        let der = keys::pem_body(pem, &["CERTIFICATE"])?;
        self.verifying_key_from_certificate_der(&der)
    }

    /// SGP.22 BSP session keys from an ECKA shared secret (X9.63 KDF, SHA-256); see
    /// [`derive_session_keys`].
    fn derive_session_keys(
        &self,
        shared_secret: &[u8],
        key_type: u8,
        key_length: u8,
        host_id: &[u8],
        eid: &[u8],
    ) -> Result<SessionKeys> {
        kdf::derive_session_keys_with(self, shared_secret, key_type, key_length, host_id, eid)
    }
}

// ---------------------------------------------------------------------------------------------
// Backend-side operations behind the opaque handles.

pub(crate) trait SigningKeyOps: Send + Sync {
    fn backend(&self) -> Backend;
    fn curve(&self) -> Curve;
    /// Randomized (or hedged) ECDSA-SHA256, `r||s`.
    fn sign(&self, msg: &[u8]) -> Result<RawSignature>;
    /// The private scalar, 32 bytes big-endian (export, RFC 6979).
    fn scalar(&self) -> Result<[u8; 32]>;
    /// The public key as an uncompressed SEC1 point.
    fn public_point(&self) -> [u8; 65];
    /// The matching verifying key of the same backend.
    fn verifying_key(&self) -> Result<VerifyingKey>;
    /// RFC 6979 deterministic ECDSA-SHA256. Default: through the RustCrypto code.
    fn sign_deterministic(&self, msg: &[u8]) -> Result<RawSignature> {
        rustcrypto::sign_deterministic(self.curve(), &self.scalar()?, msg)
    }
}

pub(crate) trait VerifyingKeyOps: Send + Sync {
    fn backend(&self) -> Backend;
    fn curve(&self) -> Curve;
    fn verify(&self, msg: &[u8], sig: &RawSignature) -> bool;
    fn public_point(&self) -> [u8; 65];
}

pub(crate) trait EckaOps: Send + Sync {
    fn backend(&self) -> Backend;
    fn public_point(&self) -> [u8; 65];
    fn agree(&self, peer_point: &[u8]) -> Result<[u8; 32]>;
}

pub(crate) trait BlockCipherOps: Send + Sync {
    fn backend(&self) -> Backend;
    fn encrypt_block(&self, block: &mut [u8; 16]) -> Result<()>;
    /// CBC in place; `buf.len()` is a non-zero multiple of 16 (checked by the caller).
    fn cbc_encrypt(&self, iv: &[u8; 16], buf: &mut [u8]) -> Result<()>;
    fn cbc_decrypt(&self, iv: &[u8; 16], buf: &mut [u8]) -> Result<()>;
}

pub(crate) trait CmacOps: Send + Sync {
    fn backend(&self) -> Backend;
    fn mac(&self, parts: &[&[u8]]) -> Result<[u8; 16]>;
}

// ---------------------------------------------------------------------------------------------
// Public handles.

/// An ECDSA private key parsed once by its backend. Sign with SHA-256.
#[derive(Clone)]
pub struct SigningKey(Arc<dyn SigningKeyOps>);

impl SigningKey {
    /// The backend holding the key.
    pub fn backend(&self) -> Backend {
        self.0.backend()
    }

    /// The key's curve.
    pub fn curve(&self) -> Curve {
        self.0.curve()
    }

    /// ECDSA with SHA-256 over `msg`, random nonce (aws-lc-rs) or RFC 6979 hedged with fresh
    /// randomness (RustCrypto); `r||s`.
    pub fn sign(&self, msg: &[u8]) -> Result<RawSignature> {
        self.0.sign(msg)
    }

    /// Deterministic ECDSA with SHA-256 (RFC 6979): the same key and message give the same
    /// bytes on every backend. On aws-lc-rs (which has no RFC 6979) this goes through the
    /// RustCrypto code and re-imports the scalar on each call: meant for the test PKI, not for
    /// the load generator's hot path.
    pub fn sign_deterministic(&self, msg: &[u8]) -> Result<RawSignature> {
        self.0.sign_deterministic(msg)
    }

    /// The public key, as a verifying key of the same backend.
    pub fn verifying_key(&self) -> Result<VerifyingKey> {
        self.0.verifying_key()
    }

    /// The public key as an uncompressed SEC1 point `04 || X || Y`.
    pub fn public_key_sec1(&self) -> [u8; 65] {
        self.0.public_point()
    }

    /// The private scalar (32 bytes, big-endian). Secret: for export only.
    pub fn to_scalar_bytes(&self) -> Result<[u8; 32]> {
        self.0.scalar()
    }

    /// PKCS#8 `PrivateKeyInfo` DER (with the public key), for the test PKI files.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>> {
        keys::pkcs8_der(self.curve(), &self.0.scalar()?)
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pkcs8_pem(&self) -> Result<String> {
        Ok(keys::to_pem("PRIVATE KEY", &self.to_pkcs8_der()?))
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("backend", &self.backend())
            .field("curve", &self.curve())
            .finish_non_exhaustive()
    }
}

/// An ECDSA public key parsed once by its backend. Verify with SHA-256.
#[derive(Clone)]
pub struct VerifyingKey(Arc<dyn VerifyingKeyOps>);

impl VerifyingKey {
    /// The backend holding the key.
    pub fn backend(&self) -> Backend {
        self.0.backend()
    }

    /// The key's curve.
    pub fn curve(&self) -> Curve {
        self.0.curve()
    }

    /// Verifies a 64-byte `r||s` ECDSA-SHA256 signature over `msg`.
    pub fn verify(&self, msg: &[u8], signature: &[u8]) -> Result<()> {
        let sig: &RawSignature = signature.try_into().map_err(|_| {
            CryptoError::MalformedSignature(format!(
                "r||s signature must be 64 bytes, got {}",
                signature.len()
            ))
        })?;
        if self.0.verify(msg, sig) {
            Ok(())
        } else {
            Err(CryptoError::BadSignature)
        }
    }

    /// Verifies a DER `ECDSA-Sig-Value` signature (X.509, TLS) over `msg`.
    pub fn verify_der(&self, msg: &[u8], der_signature: &[u8]) -> Result<()> {
        let raw = der_to_raw(der_signature)?;
        self.verify(msg, &raw)
    }

    /// The public key as an uncompressed SEC1 point `04 || X || Y`.
    pub fn to_sec1_uncompressed(&self) -> [u8; 65] {
        self.0.public_point()
    }

    /// DER SubjectPublicKeyInfo (id-ecPublicKey with the named curve).
    pub fn to_spki_der(&self) -> Vec<u8> {
        keys::spki_der(self.curve(), &self.0.public_point())
    }

    /// PEM `PUBLIC KEY`.
    pub fn to_spki_pem(&self) -> String {
        keys::to_pem("PUBLIC KEY", &self.to_spki_der())
    }
}

impl PartialEq for VerifyingKey {
    fn eq(&self, other: &Self) -> bool {
        self.curve() == other.curve() && self.0.public_point() == other.0.public_point()
    }
}

impl Eq for VerifyingKey {}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("backend", &self.backend())
            .field("curve", &self.curve())
            .field("point", &hex::encode(self.0.public_point()))
            .finish()
    }
}

/// A P-256 ECKA (ECDH, BSI TR-03111) private key, e.g. otSK.EUICC.ECKA or otSK.DP.ECKA.
#[derive(Clone)]
pub struct EckaPrivateKey(Arc<dyn EckaOps>);

impl EckaPrivateKey {
    /// The backend holding the key.
    pub fn backend(&self) -> Backend {
        self.0.backend()
    }

    /// The public key as an uncompressed SEC1 point (the `5F49` value of SGP.22 5.5.x).
    pub fn public_key_sec1(&self) -> [u8; 65] {
        self.0.public_point()
    }

    /// ECKA shared secret with the peer's SEC1 public point: the x-coordinate `ShS` (32 bytes).
    /// The peer point is validated (on the curve, not the identity).
    pub fn agree(&self, peer_public_sec1: &[u8]) -> Result<[u8; 32]> {
        self.0.agree(peer_public_sec1)
    }
}

impl fmt::Debug for EckaPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EckaPrivateKey")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

/// An AES-128 key with its schedule: CBC without padding and single blocks, as SCP03t needs.
#[derive(Clone)]
pub struct Aes128Key(Arc<dyn BlockCipherOps>);

impl Aes128Key {
    /// The backend holding the key.
    pub fn backend(&self) -> Backend {
        self.0.backend()
    }

    /// Encrypts one block in place (AES-ECB of a single block; the SCP03t ICV).
    pub fn encrypt_block(&self, block: &mut [u8; 16]) -> Result<()> {
        self.0.encrypt_block(block)
    }

    /// AES-128-CBC encryption in place, no padding: `buf` must be a non-empty multiple of 16.
    pub fn cbc_encrypt_in_place(&self, iv: &[u8; 16], buf: &mut [u8]) -> Result<()> {
        check_blocks(buf.len())?;
        self.0.cbc_encrypt(iv, buf)
    }

    /// AES-128-CBC decryption in place, no padding: `buf` must be a non-empty multiple of 16.
    pub fn cbc_decrypt_in_place(&self, iv: &[u8; 16], buf: &mut [u8]) -> Result<()> {
        check_blocks(buf.len())?;
        self.0.cbc_decrypt(iv, buf)
    }
}

impl fmt::Debug for Aes128Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Aes128Key")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

fn check_blocks(len: usize) -> Result<()> {
    if len == 0 || !len.is_multiple_of(16) {
        return Err(CryptoError::InvalidLength(format!(
            "AES-CBC data must be a non-empty multiple of 16 bytes, got {len}"
        )));
    }
    Ok(())
}

/// An AES-128 CMAC key (NIST SP 800-38B) with its subkeys.
#[derive(Clone)]
pub struct CmacKey(Arc<dyn CmacOps>);

impl CmacKey {
    /// The backend holding the key.
    pub fn backend(&self) -> Backend {
        self.0.backend()
    }

    /// The full 16-byte CMAC of the concatenation of `parts`.
    pub fn mac(&self, parts: &[&[u8]]) -> Result<[u8; 16]> {
        self.0.mac(parts)
    }
}

impl fmt::Debug for CmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CmacKey")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

/// Constant-time equality of two byte strings of the same length.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests;
