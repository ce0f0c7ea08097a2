//! Key encodings shared by every backend (run once per key, never on a hot path): PKCS#8 and
//! SEC1 private keys, SubjectPublicKeyInfo, X.509 certificates, PEM.

use der::{Decode, Encode};
use elliptic_curve::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey};
use elliptic_curve::sec1::ToSec1Point;

use super::{CryptoError, Curve, Result};

fn invalid(msg: impl Into<String>) -> CryptoError {
    CryptoError::InvalidKey(msg.into())
}

/// The private scalar and curve of a PKCS#8 or SEC1 (RFC 5915) DER private key.
pub(crate) fn private_scalar_from_der(der: &[u8]) -> Result<(Curve, [u8; 32])> {
    let mut out = [0u8; 32];
    if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
        out.copy_from_slice(&k.to_bytes());
        return Ok((Curve::P256, out));
    }
    if let Ok(k) = bp256::r1::SecretKey::from_pkcs8_der(der) {
        out.copy_from_slice(&k.to_bytes());
        return Ok((Curve::BrainpoolP256r1, out));
    }
    // SEC1: the curve comes from the `parameters` field; without it P-256 is tried first.
    if let Ok(k) = p256::SecretKey::from_sec1_der(der) {
        out.copy_from_slice(&k.to_bytes());
        return Ok((Curve::P256, out));
    }
    if let Ok(k) = bp256::r1::SecretKey::from_sec1_der(der) {
        out.copy_from_slice(&k.to_bytes());
        return Ok((Curve::BrainpoolP256r1, out));
    }
    Err(invalid(
        "not a PKCS#8 or SEC1 EC private key on P-256 or brainpoolP256r1",
    ))
}

/// The curve and uncompressed SEC1 point of a DER SubjectPublicKeyInfo.
pub(crate) fn point_from_spki_der(der: &[u8]) -> Result<(Curve, Vec<u8>)> {
    if let Ok(k) = p256::PublicKey::from_public_key_der(der) {
        return Ok((Curve::P256, k.to_sec1_point(false).as_bytes().to_vec()));
    }
    if let Ok(k) = elliptic_curve::PublicKey::<bp256::BrainpoolP256r1>::from_public_key_der(der) {
        return Ok((
            Curve::BrainpoolP256r1,
            k.to_sec1_point(false).as_bytes().to_vec(),
        ));
    }
    Err(invalid(
        "not an id-ecPublicKey SubjectPublicKeyInfo on P-256 or brainpoolP256r1",
    ))
}

/// The DER SubjectPublicKeyInfo of an X.509 certificate.
pub(crate) fn spki_der_from_certificate_der(der: &[u8]) -> Result<Vec<u8>> {
    let cert = x509_cert::Certificate::from_der(der)
        .map_err(|e| invalid(format!("bad X.509 certificate: {e}")))?;
    cert.tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| invalid(format!("cannot re-encode SubjectPublicKeyInfo: {e}")))
}

/// The body of the first PEM block whose label is one of `labels`.
pub(crate) fn pem_body(text: &str, labels: &[&str]) -> Result<Vec<u8>> {
    let blocks = pem::parse_many(text).map_err(|e| invalid(format!("bad PEM: {e}")))?;
    blocks
        .into_iter()
        .find(|b| labels.contains(&b.tag()))
        .map(|b| b.into_contents())
        .ok_or_else(|| invalid(format!("no PEM block labelled {}", labels.join(" or "))))
}

pub(crate) fn to_pem(label: &str, der: &[u8]) -> String {
    pem::encode_config(
        &pem::Pem::new(label, der),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

/// PKCS#8 v1 DER of a private scalar.
pub(crate) fn pkcs8_der(curve: Curve, scalar: &[u8; 32]) -> Result<Vec<u8>> {
    let doc = match curve {
        Curve::P256 => p256::SecretKey::from_slice(scalar)
            .map_err(|_| invalid("scalar out of range"))?
            .to_pkcs8_der(),
        Curve::BrainpoolP256r1 => bp256::r1::SecretKey::from_slice(scalar)
            .map_err(|_| invalid("scalar out of range"))?
            .to_pkcs8_der(),
    }
    .map_err(|e| invalid(format!("PKCS#8 encoding failed: {e}")))?;
    Ok(doc.as_bytes().to_vec())
}

const OID_EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_BP256R1: &[u8] = &[
    0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07,
];

/// DER SubjectPublicKeyInfo of an uncompressed point (65 bytes, so every length is short form).
pub(crate) fn spki_der(curve: Curve, point: &[u8; 65]) -> Vec<u8> {
    let curve_oid = match curve {
        Curve::P256 => OID_P256,
        Curve::BrainpoolP256r1 => OID_BP256R1,
    };
    let alg_len = OID_EC_PUBLIC_KEY.len() + curve_oid.len();
    let bits_len = 1 + point.len();
    let total = 2 + alg_len + 2 + bits_len;
    let mut out = Vec::with_capacity(2 + total);
    out.extend_from_slice(&[0x30, total as u8, 0x30, alg_len as u8]);
    out.extend_from_slice(OID_EC_PUBLIC_KEY);
    out.extend_from_slice(curve_oid);
    out.extend_from_slice(&[0x03, bits_len as u8, 0x00]);
    out.extend_from_slice(point);
    out
}
