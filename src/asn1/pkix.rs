//! The PKIX types the RSP modules import (Certificate, SubjectPublicKeyInfo, ...).
//!
//! From PKIX1Explicit88 / PKIX1Implicit88 (RFC 5280, `shared/spec/asn1/v1.2/PKIX1*.asn`).
//! These modules are *not* `EXTENSIBILITY IMPLIED`, so the SEQUENCEs here have no
//! [`crate::asn1::Extensions`] field: a certificate is exactly what RFC 5280 says it is.
//!
//! The inner structure of a certificate is not modelled in rasn: `tbsCertificate` and
//! `signatureAlgorithm` are kept as whole TLVs ([`Any`]), which keeps re-encoding byte-identical
//! (signatures over them stay verifiable) and leaves the X.509 parsing to `x509-cert`
//! ([`Certificate::to_x509`]). [`Certificate`] is still a real SEQUENCE type (not an `Any`), so an
//! implicitly tagged use such as SGP.32 `eumCertificate [5] Certificate` encodes as
//! `A5 <contents>` as the module requires.

use rasn::prelude::*;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// Errors of the PKIX helpers.
#[derive(Debug, thiserror::Error)]
pub enum PkixError {
    /// The bytes are not a DER encoding of the type.
    #[error("DER decoding failed: {0}")]
    Decode(#[from] rasn::error::DecodeError),
    /// The value could not be encoded.
    #[error("DER encoding failed: {0}")]
    Encode(#[from] rasn::error::EncodeError),
    /// `x509-cert` rejected the certificate.
    #[error("X.509 parsing failed: {0}")]
    X509(#[from] der::Error),
}

/// Serializes an [`Any`] (a whole TLV) as lower-case hex (serde `serialize_with` helper).
pub fn any_hex<S: Serializer>(value: &Any, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&hex::encode(value.as_bytes()))
}

/// RFC 5280 4.1 `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }`.
///
/// `tbs_certificate` and `signature_algorithm` are the whole TLVs of those components (see the
/// module docs). No `extensions` field: PKIX1Explicit88 is not `EXTENSIBILITY IMPLIED`.
///
/// JSON: `{"subject", "issuer", "serial" (hex), "notBefore", "notAfter", "der" (hex)}`, the
/// first five only when `x509-cert` can parse the certificate.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// `tbsCertificate TBSCertificate` (whole TLV, `30 ...`).
    pub tbs_certificate: Any,
    /// `signatureAlgorithm AlgorithmIdentifier` (whole TLV, `30 ...`).
    pub signature_algorithm: Any,
    /// `signatureValue BIT STRING`.
    pub signature_value: BitString,
}

impl Certificate {
    /// The DER encoding (untagged, `30 ...`).
    pub fn to_der(&self) -> Result<Vec<u8>, PkixError> {
        Ok(rasn::der::encode(self)?)
    }

    /// Decodes a DER certificate (`30 ...`); trailing bytes are an error.
    pub fn from_der(bytes: &[u8]) -> Result<Self, PkixError> {
        Ok(rasn::der::decode(bytes)?)
    }

    /// Parses the certificate with `x509-cert` (for names, validity, keys, extensions).
    pub fn to_x509(&self) -> Result<x509_cert::Certificate, PkixError> {
        Ok(<x509_cert::Certificate as der::Decode>::from_der(
            &self.to_der()?,
        )?)
    }

    /// Converts an `x509-cert` certificate (re-encoded as DER).
    pub fn from_x509(cert: &x509_cert::Certificate) -> Result<Self, PkixError> {
        Self::from_der(&der::Encode::to_der(cert)?)
    }
}

impl TryFrom<&Certificate> for x509_cert::Certificate {
    type Error = PkixError;
    fn try_from(value: &Certificate) -> Result<Self, Self::Error> {
        value.to_x509()
    }
}

impl TryFrom<&x509_cert::Certificate> for Certificate {
    type Error = PkixError;
    fn try_from(value: &x509_cert::Certificate) -> Result<Self, Self::Error> {
        Certificate::from_x509(value)
    }
}

impl Serialize for Certificate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let der = self.to_der().unwrap_or_default();
        let parsed = <x509_cert::Certificate as der::Decode>::from_der(&der).ok();
        let mut map = serializer.serialize_map(None)?;
        if let Some(cert) = parsed {
            let tbs = cert.tbs_certificate();
            map.serialize_entry("subject", &tbs.subject().to_string())?;
            map.serialize_entry("issuer", &tbs.issuer().to_string())?;
            map.serialize_entry("serial", &hex::encode(tbs.serial_number().as_bytes()))?;
            map.serialize_entry("notBefore", &tbs.validity().not_before.to_string())?;
            map.serialize_entry("notAfter", &tbs.validity().not_after.to_string())?;
        }
        map.serialize_entry("der", &hex::encode(&der))?;
        map.end()
    }
}

/// RFC 5280 5.1 `CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }`
/// (a CRL), kept like [`Certificate`]. No `extensions` field (PKIX is not
/// `EXTENSIBILITY IMPLIED`).
///
/// JSON: `{"issuer", "thisUpdate", "nextUpdate", "der"}`, the first three when `x509-cert` parses it.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
pub struct CertificateList {
    /// `tbsCertList TBSCertList` (whole TLV).
    pub tbs_cert_list: Any,
    /// `signatureAlgorithm AlgorithmIdentifier` (whole TLV).
    pub signature_algorithm: Any,
    /// `signatureValue BIT STRING`.
    pub signature_value: BitString,
}

impl CertificateList {
    /// The DER encoding (untagged, `30 ...`).
    pub fn to_der(&self) -> Result<Vec<u8>, PkixError> {
        Ok(rasn::der::encode(self)?)
    }

    /// Decodes a DER CRL; trailing bytes are an error.
    pub fn from_der(bytes: &[u8]) -> Result<Self, PkixError> {
        Ok(rasn::der::decode(bytes)?)
    }

    /// Parses the CRL with `x509-cert`.
    pub fn to_x509(&self) -> Result<x509_cert::crl::CertificateList, PkixError> {
        Ok(<x509_cert::crl::CertificateList as der::Decode>::from_der(
            &self.to_der()?,
        )?)
    }
}

impl Serialize for CertificateList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let der = self.to_der().unwrap_or_default();
        let parsed = <x509_cert::crl::CertificateList as der::Decode>::from_der(&der).ok();
        let mut map = serializer.serialize_map(None)?;
        if let Some(crl) = parsed {
            map.serialize_entry("issuer", &crl.tbs_cert_list.issuer.to_string())?;
            map.serialize_entry("thisUpdate", &crl.tbs_cert_list.this_update.to_string())?;
            if let Some(next) = crl.tbs_cert_list.next_update {
                map.serialize_entry("nextUpdate", &next.to_string())?;
            }
        }
        map.serialize_entry("der", &hex::encode(&der))?;
        map.end()
    }
}

/// RFC 5280 4.1 `SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
/// subjectPublicKey BIT STRING }`; `algorithm` is kept as a whole TLV. No `extensions` field.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectPublicKeyInfo {
    /// `algorithm AlgorithmIdentifier` (whole TLV, `30 ...`), hex in JSON.
    #[serde(serialize_with = "any_hex")]
    pub algorithm: Any,
    /// `subjectPublicKey BIT STRING` (for EC keys: the SEC1 point).
    #[serde(
        rename = "subjectPublicKey",
        serialize_with = "crate::asn1::json::bits"
    )]
    pub subject_public_key: BitString,
}

impl SubjectPublicKeyInfo {
    /// The DER encoding (untagged, `30 ...`).
    pub fn to_der(&self) -> Result<Vec<u8>, PkixError> {
        Ok(rasn::der::encode(self)?)
    }

    /// Decodes a DER SubjectPublicKeyInfo; trailing bytes are an error.
    pub fn from_der(bytes: &[u8]) -> Result<Self, PkixError> {
        Ok(rasn::der::decode(bytes)?)
    }

    /// Parses it with `spki`.
    pub fn to_spki(&self) -> Result<spki::SubjectPublicKeyInfoOwned, PkixError> {
        Ok(<spki::SubjectPublicKeyInfoOwned as der::Decode>::from_der(
            &self.to_der()?,
        )?)
    }

    /// The bytes of `subjectPublicKey` (for EC keys the uncompressed point `04 X Y`).
    pub fn public_key_bytes(&self) -> Vec<u8> {
        self.subject_public_key.clone().into_vec()
    }
}

/// RFC 5280 4.2.1.2 `SubjectKeyIdentifier ::= KeyIdentifier` (`KeyIdentifier ::= OCTET STRING`).
///
/// A newtype (untagged, encodes as `04 ...`) that serializes as hex on its own and implements
/// `AsRef<[u8]>`, so `json::hex`/`json::hex_seq` work on it too.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[rasn(delegate)]
pub struct SubjectKeyIdentifier(pub OctetString);

impl SubjectKeyIdentifier {
    /// Wraps the key identifier bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(OctetString::from(bytes.into()))
    }
}

impl AsRef<[u8]> for SubjectKeyIdentifier {
    fn as_ref(&self) -> &[u8] {
        self.0.as_ref()
    }
}

impl From<Vec<u8>> for SubjectKeyIdentifier {
    fn from(value: Vec<u8>) -> Self {
        Self::new(value)
    }
}

impl From<&[u8]> for SubjectKeyIdentifier {
    fn from(value: &[u8]) -> Self {
        Self::new(value.to_vec())
    }
}

impl Serialize for SubjectKeyIdentifier {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&hex::encode(self.as_ref()))
    }
}

/// RFC 5280 4.1 `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }`.
///
/// JSON: the alternative name and the time in RFC 3339 form, e.g. `{"utcTime": "2026-01-01T00:00:00+00:00"}`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice)]
pub enum Time {
    /// `utcTime UTCTime`.
    UtcTime(UtcTime),
    /// `generalTime GeneralizedTime`.
    GeneralTime(GeneralizedTime),
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            Time::UtcTime(t) => map.serialize_entry("utcTime", &t.to_rfc3339())?,
            Time::GeneralTime(t) => map.serialize_entry("generalTime", &t.to_rfc3339())?,
        }
        map.end()
    }
}

/// The registeredID of the subjectAltName (the SM-DP+ OID, SGP.22 4.5.2.1.0.3), read from the
/// raw extension: `const-oid` refuses OIDs such as SGP.26's `2.999.10` (first subidentifier
/// above 127), so the OID contents are decoded here (X.690 8.19).
pub fn smdp_oid(cert: &x509_cert::Certificate) -> Option<ObjectIdentifier> {
    let ext = cert
        .tbs_certificate()
        .extensions()?
        .iter()
        .find(|e| e.extn_id.to_string() == "2.5.29.17")?;
    let seq = crate::asn1::tlv::split(ext.extn_value.as_bytes()).ok()?;
    let rid = crate::asn1::tlv::children(seq.content)
        .into_iter()
        .find(|t| t.tag == [0x88])?;
    oid_from_contents(rid.content)
}

/// An OBJECT IDENTIFIER from its contents octets.
pub fn oid_from_contents(bytes: &[u8]) -> Option<ObjectIdentifier> {
    let mut subs = Vec::new();
    let mut acc: u32 = 0;
    for (i, b) in bytes.iter().enumerate() {
        acc = acc.checked_mul(128)?.checked_add(u32::from(b & 0x7F))?;
        if b & 0x80 == 0 {
            subs.push(acc);
            acc = 0;
        } else if i + 1 == bytes.len() {
            return None;
        }
    }
    let first = *subs.first()?;
    let mut arcs = match first {
        0..=39 => vec![0, first],
        40..=79 => vec![1, first - 40],
        _ => vec![2, first - 80],
    };
    arcs.extend_from_slice(subs.get(1..)?);
    ObjectIdentifier::new(arcs)
}

/// [`smdp_oid`] of a DER certificate (`None` when it does not parse or has no registeredID).
pub fn smdp_oid_of_der(cert_der: &[u8]) -> Option<ObjectIdentifier> {
    let cert = <x509_cert::Certificate as der::Decode>::from_der(cert_der).ok()?;
    smdp_oid(&cert)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_contents() {
        let oid = |b: &[u8]| oid_from_contents(b).map(|o| o.to_string());
        assert_eq!(oid(&[0x88, 0x37, 0x0A]).as_deref(), Some("2.999.10"));
        assert_eq!(
            oid(&[0x67, 0x81, 0x12, 0x01]).as_deref(),
            Some("2.23.146.1")
        );
        assert_eq!(oid(&[0x2A, 0x03]).as_deref(), Some("1.2.3"));
        assert_eq!(oid(&[0x88]), None);
        assert_eq!(oid(&[]), None);
    }

    fn read_cert(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../shared/spec/certs/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn certificate_round_trips_and_parses() {
        let der = read_cert("sgp26-v1.2/CERT_EUM_ECDSA_NIST.der");
        let cert = Certificate::from_der(&der).unwrap();
        assert_eq!(cert.tbs_certificate.as_bytes()[0], 0x30);
        assert_eq!(cert.signature_algorithm.as_bytes()[0], 0x30);
        assert_eq!(cert.to_der().unwrap(), der);
        let x509 = cert.to_x509().unwrap();
        assert_eq!(Certificate::from_x509(&x509).unwrap(), cert);
        let json = serde_json::to_value(&cert).unwrap();
        assert_eq!(json["der"], hex::encode(&der));
        assert!(json["subject"].as_str().unwrap().contains("EUM"), "{json}");
        assert!(json["notAfter"].is_string());
        assert!(json["serial"].is_string());
    }

    #[test]
    fn certificate_is_implicitly_taggable() {
        #[derive(AsnType, Decode, Encode, Debug, PartialEq)]
        struct Holder {
            #[rasn(tag(context, 5))]
            eum: Certificate,
            #[rasn(tag(context, 6))]
            euicc: Option<Certificate>,
        }
        let der = read_cert("sgp26-v1.2/CERT_EUM_ECDSA_NIST.der");
        let cert = Certificate::from_der(&der).unwrap();
        let holder = Holder {
            eum: cert.clone(),
            euicc: None,
        };
        let enc = rasn::der::encode(&holder).unwrap();
        // 30 len A5 len <contents of the certificate>
        let inner = &enc[enc.len() - der.len()..];
        assert_eq!(inner[0], 0xa5);
        assert_eq!(&inner[1..], &der[1..]);
        assert_eq!(rasn::der::decode::<Holder>(&enc).unwrap(), holder);
    }

    #[test]
    fn garbage_is_an_error_and_serializes_as_hex_only() {
        assert!(Certificate::from_der(&[0x30, 0x03, 0x02, 0x01]).is_err());
        let der = read_cert("sgp26-v1.2/CERT_EUM_ECDSA_NIST.der");
        let mut extra = der.clone();
        extra.push(0);
        assert!(Certificate::from_der(&extra).is_err());
        // Structurally a Certificate but not X.509: JSON is just the DER.
        let fake = Certificate {
            tbs_certificate: Any::new(vec![0x30, 0x00]),
            signature_algorithm: Any::new(vec![0x30, 0x00]),
            signature_value: BitString::from_slice(&[1, 2]),
        };
        assert!(fake.to_x509().is_err());
        let json = serde_json::to_value(&fake).unwrap();
        assert_eq!(json, serde_json::json!({"der": "3009300030000303000102"}));
    }

    #[test]
    fn subject_public_key_info_and_key_identifier() {
        let der = read_cert("sgp26-v1.2/CERT_CI_ECDSA_NIST.der");
        let x509 = Certificate::from_der(&der).unwrap().to_x509().unwrap();
        let spki_der =
            der::Encode::to_der(x509.tbs_certificate().subject_public_key_info()).unwrap();
        let spki = SubjectPublicKeyInfo::from_der(&spki_der).unwrap();
        assert_eq!(spki.to_der().unwrap(), spki_der);
        assert_eq!(spki.public_key_bytes().len(), 65);
        assert_eq!(spki.public_key_bytes()[0], 0x04);
        assert!(spki.to_spki().is_ok());

        let ski = SubjectKeyIdentifier::new(vec![0xf5, 0x41]);
        assert_eq!(rasn::der::encode(&ski).unwrap(), [0x04, 0x02, 0xf5, 0x41]);
        assert_eq!(serde_json::to_string(&ski).unwrap(), "\"f541\"");
        assert_eq!(
            rasn::der::decode::<SubjectKeyIdentifier>(&[0x04, 0x02, 0xf5, 0x41]).unwrap(),
            ski
        );
    }

    #[test]
    fn time_choice() {
        // UTCTime 200401000000Z
        let utc = hex::decode("170d3230303430313030303030305a").unwrap();
        let t: Time = rasn::der::decode(&utc).unwrap();
        assert!(matches!(t, Time::UtcTime(_)));
        assert_eq!(rasn::der::encode(&t).unwrap(), utc);
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            "{\"utcTime\":\"2020-04-01T00:00:00+00:00\"}"
        );
    }
}
