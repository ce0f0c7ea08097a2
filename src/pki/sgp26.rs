//! Loader for the SGP.26 v3 test certificates and keys (`shared/spec/certs/sgp26-v3/`): the
//! test CI, SM-DP+ DPauth / DPpb (and the second SM-DP+, "DP2") and DPtls, in the NIST P-256
//! and brainpoolP256r1 (BRP) variants, with their private keys (`SK_*.pem`, SEC1
//! `EC PRIVATE KEY` preceded by an `EC PARAMETERS` block).
//!
//! Test material from the GSMA test specification: for the harness's simulated parties only,
//! never for a production trust store. Note the SGP.26 v3 DPtls certificates expired on
//! 2026-08-02; TLS should use the harness's own PKI ([`super::Pki`]).

use std::path::{Path, PathBuf};

use der::Decode;
use x509_cert::Certificate;

use super::PkiError;

/// The curve of an SGP.26 variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    /// NIST P-256 (secp256r1): files ending `_NIST`.
    NistP256,
    /// brainpoolP256r1: files ending `_BRP`.
    BrainpoolP256r1,
}

impl Curve {
    fn suffix(self) -> &'static str {
        match self {
            Curve::NistP256 => "NIST",
            Curve::BrainpoolP256r1 => "BRP",
        }
    }
}

/// A private key of one of the two curves.
#[derive(Clone)]
pub enum EcKey {
    /// P-256.
    NistP256(p256::SecretKey),
    /// brainpoolP256r1.
    BrainpoolP256r1(bp256::r1::SecretKey),
}

impl std::fmt::Debug for EcKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EcKey::NistP256(_) => f.write_str("EcKey::NistP256(..)"),
            EcKey::BrainpoolP256r1(_) => f.write_str("EcKey::BrainpoolP256r1(..)"),
        }
    }
}

impl EcKey {
    /// The uncompressed SEC1 public point (65 bytes).
    pub fn public_sec1(&self) -> Vec<u8> {
        use elliptic_curve::sec1::ToSec1Point;
        match self {
            EcKey::NistP256(k) => k.public_key().to_sec1_point(false).as_bytes().to_vec(),
            EcKey::BrainpoolP256r1(k) => k.public_key().to_sec1_point(false).as_bytes().to_vec(),
        }
    }

    /// The P-256 signing key, if this is a P-256 key.
    pub fn p256_signing_key(&self) -> Option<p256::ecdsa::SigningKey> {
        match self {
            EcKey::NistP256(k) => Some(p256::ecdsa::SigningKey::from(k)),
            EcKey::BrainpoolP256r1(_) => None,
        }
    }
}

/// Reads an EC private key from a PEM file holding a SEC1 `EC PRIVATE KEY` (optionally after an
/// `EC PARAMETERS` block) or a PKCS#8 `PRIVATE KEY`, on `curve`.
pub fn load_ec_key(path: &Path, curve: Curve) -> Result<EcKey, PkiError> {
    let text = std::fs::read(path).map_err(|e| PkiError::io(path, e))?;
    let blocks = pem::parse_many(&text).map_err(|e| PkiError::pem(path, e.to_string()))?;
    let bad = |reason: String| PkiError::pem(path, reason);
    for b in &blocks {
        match (b.tag(), curve) {
            ("EC PRIVATE KEY", Curve::NistP256) => {
                return p256::SecretKey::from_sec1_der(b.contents())
                    .map(EcKey::NistP256)
                    .map_err(|e| bad(format!("SEC1 P-256 key: {e}")));
            }
            ("EC PRIVATE KEY", Curve::BrainpoolP256r1) => {
                return bp256::r1::SecretKey::from_sec1_der(b.contents())
                    .map(EcKey::BrainpoolP256r1)
                    .map_err(|e| bad(format!("SEC1 brainpoolP256r1 key: {e}")));
            }
            ("PRIVATE KEY", Curve::NistP256) => {
                use p256::pkcs8::DecodePrivateKey;
                return p256::SecretKey::from_pkcs8_der(b.contents())
                    .map(EcKey::NistP256)
                    .map_err(|e| bad(format!("PKCS#8 P-256 key: {e}")));
            }
            ("PRIVATE KEY", Curve::BrainpoolP256r1) => {
                use bp256::pkcs8::DecodePrivateKey;
                return bp256::r1::SecretKey::from_pkcs8_der(b.contents())
                    .map(EcKey::BrainpoolP256r1)
                    .map_err(|e| bad(format!("PKCS#8 brainpoolP256r1 key: {e}")));
            }
            _ => {}
        }
    }
    Err(bad("no EC PRIVATE KEY or PRIVATE KEY block".into()))
}

/// Reads a certificate from a DER or PEM file and checks it parses as X.509.
pub fn load_cert(path: &Path) -> Result<Vec<u8>, PkiError> {
    let bytes = std::fs::read(path).map_err(|e| PkiError::io(path, e))?;
    let der_bytes = if bytes.starts_with(b"-----BEGIN") {
        let p = pem::parse(&bytes).map_err(|e| PkiError::pem(path, e.to_string()))?;
        if p.tag() != "CERTIFICATE" {
            return Err(PkiError::pem(
                path,
                format!("expected CERTIFICATE, got {}", p.tag()),
            ));
        }
        p.into_contents()
    } else {
        bytes
    };
    Certificate::from_der(&der_bytes).map_err(|e| PkiError::Certificate {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    Ok(der_bytes)
}

/// A certificate with its private key.
#[derive(Debug, Clone)]
pub struct Sgp26Credential {
    /// The certificate (DER).
    pub cert_der: Vec<u8>,
    /// The private key.
    pub key: EcKey,
    /// Where the certificate was read from.
    pub cert_path: PathBuf,
}

/// The SGP.26 v3 material of one curve.
#[derive(Debug, Clone)]
pub struct Sgp26V3 {
    /// The curve of this variant.
    pub curve: Curve,
    /// The test CI certificate (DER; its private key is not published).
    pub ci_cert_der: Vec<u8>,
    /// SM-DP+ authentication (CERT.DPauth.SIG), issued by the CI.
    pub dp_auth: Sgp26Credential,
    /// SM-DP+ profile binding (CERT.DPpb.SIG), issued by the CI.
    pub dp_pb: Sgp26Credential,
    /// Second test SM-DP+ ("DP2") authentication.
    pub dp2_auth: Sgp26Credential,
    /// Second test SM-DP+ ("DP2") profile binding.
    pub dp2_pb: Sgp26Credential,
    /// SM-DP+ TLS (expired 2026-08-02: see the module docs).
    pub dp_tls: Sgp26Credential,
}

fn credential(
    dir: &Path,
    sub: &str,
    name: &str,
    curve: Curve,
) -> Result<Sgp26Credential, PkiError> {
    let cert_path = dir
        .join(sub)
        .join(format!("CERT_{name}_{}.der", curve.suffix()));
    let key_path = dir
        .join(sub)
        .join(format!("SK_{name}_{}.pem", curve.suffix()));
    let cert_der = load_cert(&cert_path)?;
    let key = load_ec_key(&key_path, curve)?;
    check_key_matches(&cert_path, &cert_der, &key.public_sec1())?;
    Ok(Sgp26Credential {
        cert_der,
        key,
        cert_path,
    })
}

/// Checks the certificate's subjectPublicKey is `public_sec1`.
pub(crate) fn check_key_matches(
    path: &Path,
    cert_der: &[u8],
    public_sec1: &[u8],
) -> Result<(), PkiError> {
    let cert = Certificate::from_der(cert_der).map_err(|e| PkiError::Certificate {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let spk = cert
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .raw_bytes();
    if spk != public_sec1 {
        return Err(PkiError::KeyMismatch(path.to_path_buf()));
    }
    Ok(())
}

impl Sgp26V3 {
    /// Loads the SGP.26 v3 set of `curve` from `dir` (the `sgp26-v3` directory with
    /// `CertificateIssuer/`, `DPauth/`, `DPpb/`, `DPtls/`). Each private key is checked against
    /// its certificate. The DPtls NIST key is `SK_S_SM_DP_TLS_NIST.pem`.
    pub fn load(dir: &Path, curve: Curve) -> Result<Self, PkiError> {
        let ci_cert_der = load_cert(
            &dir.join("CertificateIssuer")
                .join(format!("CERT_CI_ECDSA_{}.der", curve.suffix())),
        )?;
        Ok(Sgp26V3 {
            curve,
            ci_cert_der,
            dp_auth: credential(dir, "DPauth", "S_SM_DPauth_ECDSA", curve)?,
            dp_pb: credential(dir, "DPpb", "S_SM_DPpb_ECDSA", curve)?,
            dp2_auth: credential(dir, "DPauth", "S_SM_DP2auth_ECDSA", curve)?,
            dp2_pb: credential(dir, "DPpb", "S_SM_DP2pb_ECDSA", curve)?,
            dp_tls: credential(dir, "DPtls", "S_SM_DP_TLS", curve)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{ChainError, check_chain};
    use super::*;
    use std::time::{Duration, SystemTime};

    fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/certs/sgp26-v3")
    }

    fn at_2027() -> SystemTime {
        // 2027-01-01T00:00:00Z
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_798_761_600)
    }

    #[test]
    fn nist_set_loads_and_chains_to_ci() {
        let v3 = Sgp26V3::load(&dir(), Curve::NistP256).unwrap();
        for cred in [&v3.dp_auth, &v3.dp_pb, &v3.dp2_auth, &v3.dp2_pb] {
            check_chain(&[&cred.cert_der, &v3.ci_cert_der], at_2027()).unwrap();
            assert!(cred.key.p256_signing_key().is_some());
        }
        // DPtls expired on 2026-08-02.
        assert!(matches!(
            check_chain(&[&v3.dp_tls.cert_der, &v3.ci_cert_der], at_2027()),
            Err(ChainError::Expired { .. })
        ));
        let before = SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600); // 2026-01-01
        check_chain(&[&v3.dp_tls.cert_der, &v3.ci_cert_der], before).unwrap();
    }

    #[test]
    fn brp_set_loads_and_chains_to_ci() {
        let v3 = Sgp26V3::load(&dir(), Curve::BrainpoolP256r1).unwrap();
        check_chain(&[&v3.dp_auth.cert_der, &v3.ci_cert_der], at_2027()).unwrap();
        check_chain(&[&v3.dp_pb.cert_der, &v3.ci_cert_der], at_2027()).unwrap();
        assert!(v3.dp_auth.key.p256_signing_key().is_none());
    }

    #[test]
    fn nist_leaf_does_not_chain_to_brp_ci() {
        let nist = Sgp26V3::load(&dir(), Curve::NistP256).unwrap();
        let brp = Sgp26V3::load(&dir(), Curve::BrainpoolP256r1).unwrap();
        // Same CI name in both variants, different key: the signature must fail.
        assert!(matches!(
            check_chain(&[&nist.dp_auth.cert_der, &brp.ci_cert_der], at_2027()),
            Err(ChainError::BadSignature { .. })
        ));
    }

    #[test]
    fn wrong_curve_or_missing_file_is_an_error() {
        let path = dir().join("DPauth/SK_S_SM_DPauth_ECDSA_BRP.pem");
        assert!(load_ec_key(&path, Curve::NistP256).is_err());
        assert!(matches!(
            Sgp26V3::load(Path::new("/nonexistent-sgp26"), Curve::NistP256),
            Err(PkiError::Io { .. })
        ));
    }

    #[test]
    fn eim_sample_key_matches_its_cert() {
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/spec/certs/eim-sample");
        let cert = load_cert(&base.join("sample_eim_cert_nist.crt")).unwrap();
        let key = load_ec_key(&base.join("sample_eim_cert_nist.key"), Curve::NistP256).unwrap();
        check_key_matches(&base, &cert, &key.public_sec1()).unwrap();
    }
}
