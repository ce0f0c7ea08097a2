//! Certificate chain checks: signatures (ECDSA with SHA-256 on P-256 or brainpoolP256r1),
//! issuer/subject linkage, validity at a given time, CA flags, and the SGP.22 4.5.2.1.0.2 rule
//! that the EID of an eUICC certificate lies inside the EIN range its EUM certificate permits.

use std::time::SystemTime;

use der::asn1::{PrintableStringRef, Utf8StringRef};
use der::{Decode, Encode};
use ecdsa::signature::hazmat::PrehashVerifier;
use sha2::{Digest, Sha256};
use spki::ObjectIdentifier;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, NameConstraints};
use x509_cert::name::Name;

use super::eid::Eid;

/// ecdsa-with-SHA256 (RFC 5758 3.2).
const OID_ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// id-ecPublicKey.
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// secp256r1 / NIST P-256.
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// brainpoolP256r1 (RFC 5639).
const OID_BP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.36.3.3.2.8.1.1.7");
/// X.520 serialNumber.
const OID_SERIAL_NUMBER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.5");
/// X.520 organizationName.
const OID_ORGANIZATION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.10");

/// Why a chain was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// A certificate is not valid DER X.509.
    #[error("{which} certificate does not parse: {reason}")]
    Parse {
        /// Which certificate of the chain (e.g. "eUICC", "EUM", "CI", or a position).
        which: String,
        /// The decoder's message.
        reason: String,
    },
    /// A certificate's issuer name is not its parent's subject name.
    #[error("{which} certificate issuer {issuer} is not the subject {parent} of its parent")]
    IssuerMismatch {
        /// The child certificate.
        which: String,
        /// Its issuer name.
        issuer: String,
        /// The parent's subject name.
        parent: String,
    },
    /// The signature algorithm or the issuer key type is not supported.
    #[error("{which} certificate: unsupported algorithm {what}")]
    UnsupportedAlgorithm {
        /// The certificate.
        which: String,
        /// The algorithm or curve OID.
        what: String,
    },
    /// The issuer's public key is not a valid point, or the signature is not a valid DER
    /// ECDSA signature.
    #[error("{which} certificate: malformed key or signature: {reason}")]
    Malformed {
        /// The certificate.
        which: String,
        /// Details.
        reason: String,
    },
    /// The signature does not verify with the parent's public key.
    #[error("{which} certificate signature does not verify with its issuer's key")]
    BadSignature {
        /// The certificate.
        which: String,
    },
    /// The time is after notAfter.
    #[error("{which} certificate expired (notAfter {not_after})")]
    Expired {
        /// The certificate.
        which: String,
        /// Its notAfter.
        not_after: String,
    },
    /// The time is before notBefore.
    #[error("{which} certificate not yet valid (notBefore {not_before})")]
    NotYetValid {
        /// The certificate.
        which: String,
        /// Its notBefore.
        not_before: String,
    },
    /// A certificate used as an issuer is not a CA (basicConstraints cA false or absent).
    #[error("{which} certificate is not a CA")]
    NotCa {
        /// The certificate.
        which: String,
    },
    /// The eUICC certificate subject has no serialNumber holding a 32-digit EID.
    #[error("eUICC certificate subject has no 32-digit EID serialNumber: {0}")]
    NoEid(String),
    /// The EID's check digits are wrong (SGP.29).
    #[error("EID {0} has wrong check digits")]
    BadEidCheckDigits(String),
    /// The EUM certificate has no nameConstraints with a directoryName serialNumber (EIN).
    #[error("EUM certificate has no nameConstraints permitting an EIN")]
    MissingNameConstraints,
    /// The EID is outside every EIN range the EUM certificate permits.
    #[error("EID {eid} is outside the EUM's permitted EIN(s) {permitted:?}")]
    EidOutsideRange {
        /// The EID.
        eid: String,
        /// The permitted EIN prefixes.
        permitted: Vec<String>,
    },
    /// The eUICC subject organisation differs from the one the EUM's name constraint requires.
    #[error("eUICC subject O={found:?} does not match the EUM name constraint O={required:?}")]
    OrganisationMismatch {
        /// Required by the constraint.
        required: String,
        /// Found in the eUICC subject (None: absent).
        found: Option<String>,
    },
}

fn parse(which: &str, der_bytes: &[u8]) -> Result<Certificate, ChainError> {
    Certificate::from_der(der_bytes).map_err(|e| ChainError::Parse {
        which: which.to_string(),
        reason: e.to_string(),
    })
}

/// Verifies that `cert` was signed by the key of `issuer` (ecdsa-with-SHA256 over the DER of
/// the TBSCertificate) and that `cert`'s issuer name is `issuer`'s subject name.
pub fn verify_issued_by(
    which: &str,
    cert: &Certificate,
    issuer: &Certificate,
) -> Result<(), ChainError> {
    let tbs = cert.tbs_certificate();
    if tbs.issuer() != issuer.tbs_certificate().subject() {
        return Err(ChainError::IssuerMismatch {
            which: which.to_string(),
            issuer: tbs.issuer().to_string(),
            parent: issuer.tbs_certificate().subject().to_string(),
        });
    }
    let alg = cert.signature_algorithm();
    if alg.oid != OID_ECDSA_SHA256 {
        return Err(ChainError::UnsupportedAlgorithm {
            which: which.to_string(),
            what: alg.oid.to_string(),
        });
    }
    let malformed = |reason: String| ChainError::Malformed {
        which: which.to_string(),
        reason,
    };
    let tbs_der = tbs.to_der().map_err(|e| malformed(e.to_string()))?;
    let digest = Sha256::digest(&tbs_der);
    let sig = cert
        .signature()
        .as_bytes()
        .ok_or_else(|| malformed("signature BIT STRING has unused bits".into()))?;
    let spki = issuer.tbs_certificate().subject_public_key_info();
    if spki.algorithm.oid != OID_EC_PUBLIC_KEY {
        return Err(ChainError::UnsupportedAlgorithm {
            which: which.to_string(),
            what: spki.algorithm.oid.to_string(),
        });
    }
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
        .ok_or_else(|| malformed("issuer key has no named curve".into()))?;
    let point = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| malformed("issuer public key BIT STRING has unused bits".into()))?;
    let ok = if curve == OID_P256 {
        let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
            .map_err(|e| malformed(format!("issuer key: {e}")))?;
        let sig = p256::ecdsa::Signature::from_der(sig)
            .map_err(|e| malformed(format!("signature: {e}")))?;
        vk.verify_prehash(&digest, &sig).is_ok()
    } else if curve == OID_BP256R1 {
        let vk = ecdsa::VerifyingKey::<bp256::BrainpoolP256r1>::from_sec1_bytes(point)
            .map_err(|e| malformed(format!("issuer key: {e}")))?;
        let sig = bp256::r1::ecdsa::Signature::from_der(sig)
            .map_err(|e| malformed(format!("signature: {e}")))?;
        vk.verify_prehash(&digest, &sig).is_ok()
    } else {
        return Err(ChainError::UnsupportedAlgorithm {
            which: which.to_string(),
            what: curve.to_string(),
        });
    };
    if ok {
        Ok(())
    } else {
        Err(ChainError::BadSignature {
            which: which.to_string(),
        })
    }
}

/// Checks notBefore <= at <= notAfter.
pub fn check_validity(which: &str, cert: &Certificate, at: SystemTime) -> Result<(), ChainError> {
    let v = cert.tbs_certificate().validity();
    if at < v.not_before.to_system_time() {
        return Err(ChainError::NotYetValid {
            which: which.to_string(),
            not_before: v.not_before.to_string(),
        });
    }
    if at > v.not_after.to_system_time() {
        return Err(ChainError::Expired {
            which: which.to_string(),
            not_after: v.not_after.to_string(),
        });
    }
    Ok(())
}

fn check_ca(which: &str, cert: &Certificate) -> Result<(), ChainError> {
    match cert.tbs_certificate().get_extension::<BasicConstraints>() {
        Ok(Some((_, bc))) if bc.ca => Ok(()),
        Ok(_) => Err(ChainError::NotCa {
            which: which.to_string(),
        }),
        Err(e) => Err(ChainError::Parse {
            which: which.to_string(),
            reason: format!("basicConstraints: {e}"),
        }),
    }
}

/// Verifies a chain given leaf first and trust anchor last: each certificate is signed by the
/// next and names it as issuer, every issuer is a CA, the anchor is self-signed, and all are
/// valid at `at`. Certificates are named by their position ("0" = leaf).
pub fn check_chain(chain: &[&[u8]], at: SystemTime) -> Result<(), ChainError> {
    let certs = chain
        .iter()
        .enumerate()
        .map(|(i, d)| parse(&i.to_string(), d))
        .collect::<Result<Vec<_>, _>>()?;
    for (i, cert) in certs.iter().enumerate() {
        let which = i.to_string();
        check_validity(&which, cert, at)?;
        match certs.get(i + 1) {
            Some(parent) => {
                check_ca(&(i + 1).to_string(), parent)?;
                verify_issued_by(&which, cert, parent)?;
            }
            None => verify_issued_by(&which, cert, cert)?,
        }
    }
    Ok(())
}

fn attr_string(name: &Name, oid: ObjectIdentifier) -> Option<String> {
    name.iter().find(|atv| atv.oid == oid).and_then(|atv| {
        if let Ok(s) = PrintableStringRef::try_from(&atv.value) {
            Some(s.as_str().to_string())
        } else if let Ok(s) = Utf8StringRef::try_from(&atv.value) {
            Some(s.as_str().to_string())
        } else {
            None
        }
    })
}

/// The EID in an eUICC certificate's subject serialNumber (SGP.22 4.5.2.1.0.2).
pub fn euicc_cert_eid(cert: &Certificate) -> Result<Eid, ChainError> {
    let subject = cert.tbs_certificate().subject();
    let serial = attr_string(subject, OID_SERIAL_NUMBER)
        .ok_or_else(|| ChainError::NoEid(subject.to_string()))?;
    Eid::from_digits(&serial).map_err(|_| ChainError::NoEid(serial.clone()))
}

/// The permitted directoryName subtrees of an EUM certificate as (EIN, organisation) pairs.
pub fn eum_permitted_eins(cert: &Certificate) -> Result<Vec<(String, Option<String>)>, ChainError> {
    let nc = match cert.tbs_certificate().get_extension::<NameConstraints>() {
        Ok(Some((_, nc))) => nc,
        Ok(None) => return Err(ChainError::MissingNameConstraints),
        Err(e) => {
            return Err(ChainError::Parse {
                which: "EUM".into(),
                reason: format!("nameConstraints: {e}"),
            });
        }
    };
    let out: Vec<_> =
        nc.permitted_subtrees
            .iter()
            .flatten()
            .filter_map(|st| match &st.base {
                GeneralName::DirectoryName(n) => attr_string(n, OID_SERIAL_NUMBER)
                    .map(|ein| (ein, attr_string(n, OID_ORGANIZATION))),
                _ => None,
            })
            .collect();
    if out.is_empty() {
        return Err(ChainError::MissingNameConstraints);
    }
    Ok(out)
}

/// SGP.22 4.5.2.1.0.2 / 5.1.1 (eUICC authentication at the server): checks the chain
/// eUICC -> EUM -> CI at time `at` (signatures, issuer names, CA flags, validity; the CI is the
/// trust anchor and must be self-signed), that the eUICC certificate's EID has valid SGP.29
/// check digits, and that it starts with an EIN permitted by the EUM's nameConstraints (and,
/// where the constraint names an organisation, that the eUICC subject carries the same O).
/// Returns the EID.
pub fn check_euicc_chain(
    euicc: &[u8],
    eum: &[u8],
    ci: &[u8],
    at: SystemTime,
) -> Result<Eid, ChainError> {
    let euicc_c = parse("eUICC", euicc)?;
    let eum_c = parse("EUM", eum)?;
    let ci_c = parse("CI", ci)?;
    verify_issued_by("CI", &ci_c, &ci_c)?;
    check_ca("CI", &ci_c)?;
    verify_issued_by("EUM", &eum_c, &ci_c)?;
    check_ca("EUM", &eum_c)?;
    verify_issued_by("eUICC", &euicc_c, &eum_c)?;
    check_validity("CI", &ci_c, at)?;
    check_validity("EUM", &eum_c, at)?;
    check_validity("eUICC", &euicc_c, at)?;
    let eid = euicc_cert_eid(&euicc_c)?;
    if !eid.is_valid() {
        return Err(ChainError::BadEidCheckDigits(eid.to_string()));
    }
    let permitted = eum_permitted_eins(&eum_c)?;
    let subject_org = attr_string(euicc_c.tbs_certificate().subject(), OID_ORGANIZATION);
    let Some((_, org)) = permitted.iter().find(|(ein, _)| eid.starts_with(ein)) else {
        return Err(ChainError::EidOutsideRange {
            eid: eid.to_string(),
            permitted: permitted.into_iter().map(|(e, _)| e).collect(),
        });
    };
    if let Some(required) = org
        && subject_org.as_deref() != Some(required.as_str())
    {
        return Err(ChainError::OrganisationMismatch {
            required: required.clone(),
            found: subject_org,
        });
    }
    Ok(eid)
}

/// Whether `der` is a CA certificate (basicConstraints cA TRUE); false for anything that does
/// not parse. Used to tell a trust anchor from a pinned leaf certificate in a SUT profile.
pub fn is_ca_certificate(der: &[u8]) -> bool {
    Certificate::from_der(der)
        .ok()
        .and_then(|c| {
            c.tbs_certificate()
                .get_extension::<BasicConstraints>()
                .ok()
                .flatten()
        })
        .is_some_and(|(_, bc)| bc.ca)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    fn v12(name: &str) -> Vec<u8> {
        let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/spec/certs/sgp26-v1.2")
            .join(name);
        std::fs::read(p).unwrap()
    }

    /// 2027-01-01T00:00:00Z.
    fn at() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_798_761_600)
    }

    #[test]
    fn sgp26_v12_euicc_chain_passes_both_curves() {
        for curve in ["NIST", "BRP"] {
            let euicc = v12(&format!("CERT_EUICC_ECDSA_{curve}.der"));
            let eum = v12(&format!("CERT_EUM_ECDSA_{curve}.der"));
            let ci = v12(&format!("CERT_CI_ECDSA_{curve}.der"));
            let eid = check_euicc_chain(&euicc, &eum, &ci, at()).unwrap();
            assert_eq!(eid.to_string(), "89049032123451234512345678901235");
            let eum_c = Certificate::from_der(&eum).unwrap();
            assert_eq!(
                eum_permitted_eins(&eum_c).unwrap(),
                vec![("89049032".to_string(), Some("RSP Test EUM".to_string()))]
            );
        }
    }

    #[test]
    fn sgp26_v12_mixed_curves_fail() {
        let euicc = v12("CERT_EUICC_ECDSA_NIST.der");
        let eum = v12("CERT_EUM_ECDSA_BRP.der");
        let ci = v12("CERT_CI_ECDSA_BRP.der");
        assert!(matches!(
            check_euicc_chain(&euicc, &eum, &ci, at()),
            Err(ChainError::BadSignature { .. } | ChainError::IssuerMismatch { .. })
        ));
    }

    #[test]
    fn eum_without_name_constraints_is_rejected() {
        // The CI certificate has no nameConstraints.
        let ci = Certificate::from_der(&v12("CERT_CI_ECDSA_NIST.der")).unwrap();
        assert_eq!(
            eum_permitted_eins(&ci),
            Err(ChainError::MissingNameConstraints)
        );
    }
}
