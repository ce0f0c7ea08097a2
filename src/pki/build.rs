//! Key derivation and certificate building for the test PKI (RFC 5280 profile of SGP.22 4.5.2).

use std::str::FromStr;
use std::time::Duration;

use der::asn1::{Ia5String, OctetString, UtcTime};
use der::{DateTime, Encode};
use p256::NistP256;
use p256::ecdsa::SigningKey;
use sha2::{Digest, Sha256};
use spki::{ObjectIdentifier, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::constraints::name::GeneralSubtree;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, ExtendedKeyUsage, KeyUsage,
    NameConstraints, SubjectAltName, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use super::PkiError;

/// RFC 5280 4.2.1.1.
pub(crate) const OID_AUTHORITY_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
/// RFC 5280 4.2.1.2.
pub(crate) const OID_SUBJECT_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
/// RFC 5280 4.2.1.3.
pub(crate) const OID_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
/// RFC 5280 4.2.1.4.
pub(crate) const OID_CERT_POLICIES: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32");
/// RFC 5280 4.2.1.6.
pub(crate) const OID_SUBJECT_ALT_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
/// RFC 5280 4.2.1.9.
pub(crate) const OID_BASIC_CONSTRAINTS: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.5.29.19");
/// RFC 5280 4.2.1.10.
pub(crate) const OID_NAME_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.30");
/// RFC 5280 4.2.1.12.
pub(crate) const OID_EXT_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
/// id-kp-serverAuth.
pub(crate) const OID_KP_SERVER_AUTH: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.1");
/// id-kp-clientAuth.
pub(crate) const OID_KP_CLIENT_AUTH: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.2");

/// SGP.22 4.5.2.1 certificate policies (id-rspRole, 2.23.146.1.2.1.x).
pub(crate) mod policy {
    use spki::ObjectIdentifier;
    /// id-rspRole-ci.
    pub const CI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.146.1.2.1.0");
    /// id-rspRole-euicc.
    pub const EUICC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.146.1.2.1.1");
    /// id-rspRole-eum.
    pub const EUM: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.146.1.2.1.2");
    /// id-rspRole-dp-tls.
    pub const DP_TLS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.146.1.2.1.3");
    /// id-rspRole-dp-auth.
    pub const DP_AUTH: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.146.1.2.1.4");
    /// id-rspRole-dp-pb.
    pub const DP_PB: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.146.1.2.1.5");
}

/// The roles of the PKI; the label enters the key derivation and names the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Certificate Issuer (self-signed root).
    Ci,
    /// eUICC Manufacturer (sub-CA of the CI, constrained to the EIN).
    Eum,
    /// An eUICC (issued by the EUM).
    Euicc,
    /// SM-DP+ authentication (CERT.DPauth.SIG).
    DpAuth,
    /// SM-DP+ profile binding (CERT.DPpb.SIG).
    DpPb,
    /// SM-DP+ TLS server.
    DpTls,
    /// eIM package signing.
    EimSign,
    /// eIM TLS server (ESipa over HTTPS).
    EimTls,
}

impl Role {
    /// All roles, in manifest order.
    pub const ALL: [Role; 8] = [
        Role::Ci,
        Role::Eum,
        Role::Euicc,
        Role::DpAuth,
        Role::DpPb,
        Role::DpTls,
        Role::EimSign,
        Role::EimTls,
    ];

    /// The role name used in `pki.json` and in the key derivation.
    pub fn label(self) -> &'static str {
        match self {
            Role::Ci => "ci",
            Role::Eum => "eum",
            Role::Euicc => "euicc",
            Role::DpAuth => "dp_auth",
            Role::DpPb => "dp_pb",
            Role::DpTls => "dp_tls",
            Role::EimSign => "eim_sign",
            Role::EimTls => "eim_tls",
        }
    }

    /// Parses a `pki.json` role name.
    pub fn from_label(label: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.label() == label)
    }

    /// A small number identifying the role in certificate serial numbers.
    fn serial_tag(self) -> u8 {
        match self {
            Role::Ci => 1,
            Role::Eum => 2,
            Role::Euicc => 3,
            Role::DpAuth => 4,
            Role::DpPb => 5,
            Role::DpTls => 6,
            Role::EimSign => 7,
            Role::EimTls => 8,
        }
    }
}

/// Derives the P-256 private key of `role` number `index` from `seed`: the scalar is
/// SHA-256("sgp32-pki" || 0x00 || role label || 0x00 || seed (8 bytes BE) || index (8 bytes BE)
/// || counter (4 bytes BE)), for the first counter from 0 whose hash is a valid non-zero scalar
/// below the group order (the counter moves with probability ~2^-32). One hash and no
/// certificate work: cheap enough to derive a device key on demand.
pub fn derive_key(seed: u64, role: Role, index: u64) -> SigningKey {
    let mut counter: u32 = 0;
    loop {
        if let Ok(key) = SigningKey::from_slice(&key_candidate(seed, role, index, counter)) {
            return key;
        }
        counter = counter.wrapping_add(1);
    }
}

/// The private scalar of [`derive_key`] (32 bytes, big-endian) without computing the public
/// key: no elliptic-curve arithmetic, for the fleet eUICC that imports the scalar into its own
/// crypto backend at every materialisation (benches/euicc.rs).
pub fn derive_scalar(seed: u64, role: Role, index: u64) -> [u8; 32] {
    let mut counter: u32 = 0;
    loop {
        let candidate = key_candidate(seed, role, index, counter);
        // The same acceptance as SigningKey::from_slice: non-zero and below the order.
        if p256::SecretKey::from_slice(&candidate).is_ok() {
            return candidate;
        }
        counter = counter.wrapping_add(1);
    }
}

/// The hash of [`derive_key`] for one counter value.
fn key_candidate(seed: u64, role: Role, index: u64, counter: u32) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"sgp32-pki\0");
    h.update(role.label().as_bytes());
    h.update([0u8]);
    h.update(seed.to_be_bytes());
    h.update(index.to_be_bytes());
    h.update(counter.to_be_bytes());
    h.finalize().into()
}

/// Key identifier: the leftmost 160 bits of SHA-256 of the subjectPublicKey BIT STRING value
/// (RFC 7093 2, method 1).
pub fn key_identifier(public_key_bits: &[u8]) -> Vec<u8> {
    let d = Sha256::digest(public_key_bits);
    d.get(..20).unwrap_or(&d[..]).to_vec()
}

/// notBefore of every certificate: 2025-01-01T00:00:00Z.
pub const NOT_BEFORE: (u16, u8, u8, u8, u8, u8) = (2025, 1, 1, 0, 0, 0);
/// notAfter of every certificate: 2049-12-31T23:59:59Z (the last second UTCTime can encode).
pub const NOT_AFTER: (u16, u8, u8, u8, u8, u8) = (2049, 12, 31, 23, 59, 59);

fn utc(t: (u16, u8, u8, u8, u8, u8)) -> Result<Time, der::Error> {
    let dt = DateTime::new(t.0, t.1, t.2, t.3, t.4, t.5)?;
    Ok(Time::UtcTime(UtcTime::from_date_time(dt)?))
}

/// The fixed validity of every certificate of the PKI.
pub fn validity() -> Result<Validity, der::Error> {
    Ok(Validity::new(utc(NOT_BEFORE)?, utc(NOT_AFTER)?))
}

/// The fixed validity bounds as seconds since the Unix epoch.
pub fn validity_unix() -> Result<(Duration, Duration), der::Error> {
    let nb = DateTime::new(
        NOT_BEFORE.0,
        NOT_BEFORE.1,
        NOT_BEFORE.2,
        NOT_BEFORE.3,
        NOT_BEFORE.4,
        NOT_BEFORE.5,
    )?;
    let na = DateTime::new(
        NOT_AFTER.0,
        NOT_AFTER.1,
        NOT_AFTER.2,
        NOT_AFTER.3,
        NOT_AFTER.4,
        NOT_AFTER.5,
    )?;
    Ok((nb.unix_duration(), na.unix_duration()))
}

/// A certificate request of the PKI: who, what extensions; signed by `build`.
pub(crate) struct Template {
    pub role: Role,
    pub index: u64,
    pub subject: Name,
    /// None: self-signed.
    pub issuer: Option<Name>,
    /// Extensions after AKI/SKI, in order.
    pub extensions: Vec<Extension>,
    pub validity: Validity,
}

struct Profile<'a>(&'a Template);

impl BuilderProfile for Profile<'_> {
    fn get_issuer(&self, subject: &Name) -> Name {
        self.0.issuer.clone().unwrap_or_else(|| subject.clone())
    }

    fn get_subject(&self) -> Name {
        self.0.subject.clone()
    }

    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let mut out = Vec::with_capacity(self.0.extensions.len() + 2);
        if self.0.issuer.is_some() {
            let aki = AuthorityKeyIdentifier {
                key_identifier: Some(OctetString::new(key_identifier(
                    issuer_spk.subject_public_key.raw_bytes(),
                ))?),
                authority_cert_issuer: None,
                authority_cert_serial_number: None,
            };
            out.push(ext(OID_AUTHORITY_KEY_ID, false, &aki)?);
        }
        let ski = SubjectKeyIdentifier(OctetString::new(key_identifier(
            spk.subject_public_key.raw_bytes(),
        ))?);
        out.push(ext(OID_SUBJECT_KEY_ID, false, &ski)?);
        out.extend(self.0.extensions.iter().cloned());
        Ok(out)
    }
}

/// Encodes one extension.
pub(crate) fn ext<T: Encode>(
    oid: ObjectIdentifier,
    critical: bool,
    value: &T,
) -> Result<Extension, der::Error> {
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

/// keyUsage (critical).
pub(crate) fn key_usage(usage: KeyUsage) -> Result<Extension, der::Error> {
    ext(OID_KEY_USAGE, true, &usage)
}

/// basicConstraints (critical).
pub(crate) fn basic_constraints(ca: bool, path_len: Option<u8>) -> Result<Extension, der::Error> {
    ext(
        OID_BASIC_CONSTRAINTS,
        true,
        &BasicConstraints {
            ca,
            path_len_constraint: path_len,
        },
    )
}

/// certificatePolicies (SGP.22 4.5.2.1) with one policy OID; critical except on TLS
/// certificates (as in SGP.26), where TLS stacks such as webpki reject unknown critical
/// extensions.
pub(crate) fn policies(oid: ObjectIdentifier, critical: bool) -> Result<Extension, der::Error> {
    ext(
        OID_CERT_POLICIES,
        critical,
        &CertificatePolicies(vec![PolicyInformation {
            policy_identifier: oid,
            policy_qualifiers: None,
        }]),
    )
}

/// extendedKeyUsage (critical).
pub(crate) fn ext_key_usage(oids: Vec<ObjectIdentifier>) -> Result<Extension, der::Error> {
    ext(OID_EXT_KEY_USAGE, true, &ExtendedKeyUsage(oids))
}

/// subjectAltName (non-critical).
pub(crate) fn subject_alt_name(names: Vec<GeneralName>) -> Result<Extension, der::Error> {
    ext(OID_SUBJECT_ALT_NAME, false, &SubjectAltName(names))
}

/// subjectAltName for a local TLS server: DNS `localhost` and IP 127.0.0.1.
pub(crate) fn localhost_san() -> Result<Extension, PkiError> {
    let dns = Ia5String::new("localhost").map_err(PkiError::from)?;
    subject_alt_name(vec![
        GeneralName::DnsName(dns),
        GeneralName::from(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)),
    ])
    .map_err(PkiError::from)
}

/// SGP.22 4.5.2.1.0.2 nameConstraints (critical) of the EUM certificate: permittedSubtrees with
/// one directoryName carrying O = the EUM organisation and serialNumber = the EIN, the encoding
/// of the SGP.26 EUM test certificates.
pub(crate) fn ein_name_constraints(org: &str, ein: &str) -> Result<Extension, PkiError> {
    let name = parse_name(&format!("serialNumber={ein},O={org}"))?;
    let nc = NameConstraints {
        permitted_subtrees: Some(vec![GeneralSubtree {
            base: GeneralName::DirectoryName(name),
            minimum: 0,
            maximum: None,
        }]),
        excluded_subtrees: None,
    };
    ext(OID_NAME_CONSTRAINTS, true, &nc).map_err(PkiError::from)
}

/// Parses an RFC 4514 name (last RDN first, as RFC 4514 writes them).
pub(crate) fn parse_name(s: &str) -> Result<Name, PkiError> {
    Name::from_str(s).map_err(|e| PkiError::Build(format!("name {s:?}: {e}")))
}

/// Builds and signs (RFC 6979 deterministic ECDSA P-256 with SHA-256) the certificate of
/// `subject_key` from the template; `issuer_key` signs (itself for the self-signed CI).
pub(crate) fn build(
    t: &Template,
    subject_key: &SigningKey,
    issuer_key: &SigningKey,
) -> Result<Vec<u8>, PkiError> {
    let spki = SubjectPublicKeyInfoOwned::from_key(subject_key.verifying_key())
        .map_err(|e| PkiError::Build(format!("public key: {e}")))?;
    let mut serial = vec![t.role.serial_tag()];
    serial.extend_from_slice(&t.index.to_be_bytes());
    let serial = SerialNumber::new(&serial).map_err(PkiError::from)?;
    let builder = CertificateBuilder::new(Profile(t), serial, t.validity, spki)
        .map_err(|e| PkiError::Build(e.to_string()))?;
    let cert = builder
        .build::<_, ecdsa::der::Signature<NistP256>>(issuer_key)
        .map_err(|e| PkiError::Build(e.to_string()))?;
    cert.to_der().map_err(PkiError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_is_stable_and_separated() {
        let a = derive_key(0, Role::Euicc, 0);
        for (seed, role, index) in [
            (0, Role::Euicc, 0),
            (7, Role::Euicc, 123_456),
            (3, Role::Ci, 0),
        ] {
            assert_eq!(
                &derive_scalar(seed, role, index)[..],
                derive_key(seed, role, index).to_bytes().as_slice(),
            );
        }
        assert_eq!(a.to_bytes(), derive_key(0, Role::Euicc, 0).to_bytes());
        assert_ne!(a.to_bytes(), derive_key(1, Role::Euicc, 0).to_bytes());
        assert_ne!(a.to_bytes(), derive_key(0, Role::Euicc, 1).to_bytes());
        assert_ne!(a.to_bytes(), derive_key(0, Role::Eum, 0).to_bytes());
        // Known answer: the scalar is the SHA-256 of the documented input.
        let mut h = Sha256::new();
        h.update(b"sgp32-pki\0euicc\0");
        h.update(0u64.to_be_bytes());
        h.update(0u64.to_be_bytes());
        h.update(0u32.to_be_bytes());
        assert_eq!(a.to_bytes().as_slice(), h.finalize().as_slice());
    }

    #[test]
    fn role_labels_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_label(r.label()), Some(r));
        }
        assert_eq!(Role::from_label("nope"), None);
    }

    #[test]
    fn validity_is_fixed() {
        let (nb, na) = validity_unix().unwrap();
        assert_eq!(nb.as_secs(), 1_735_689_600);
        assert_eq!(na.as_secs(), 2_524_607_999);
    }
}
