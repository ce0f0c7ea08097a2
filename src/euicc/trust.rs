//! The CI certificates the simulated eUICC trusts for verifying RSP servers (SGP.22 4.5.2,
//! 5.7.13: `euiccCiPKIdListForVerification`), and the checks of an SM-DP+ certificate against
//! them.
//!
//! The eUICC always trusts the CI of its own test PKI (the one that issued its EUM, hence the
//! only one in `euiccCiPKIdListForSigning`). [`Settings::trusted_cis`](super::Settings) adds
//! more; by default the SGP.26 v3 NIST test CI (`CN=Test CI,OU=TESTCERT,O=RSPTEST,C=IT`, SKI
//! F54172BDF98A95D65CBEB88A38A1C11D800A85C3), embedded here so that an SM-DP+ signing with the
//! SGP.26 v3 DPauth / DPpb keys (`shared/spec/certs/sgp26-v3/`) can authenticate. Test material:
//! never a production trust store.

use std::sync::{Arc, OnceLock};

use der::Decode;
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectKeyIdentifier;
use x509_cert::ext::pkix::certpolicy::CertificatePolicies;

use crate::pki::build::key_identifier;
use crate::pki::check::{ChainError, verify_issued_by};

/// `shared/spec/certs/sgp26-v3/CertificateIssuer/CERT_CI_ECDSA_NIST.der` (SGP.26 v3 test CI,
/// NIST P-256, valid 2020-04-01 to 2055-04-01).
const SGP26_V3_CI_NIST_HEX: &str = concat!(
    "30820250308201f7a003020102020900b874f3abfa6c44d3300a06082a8648ce3d04030230443110300e06035504030c",
    "07546573742043493111300f060355040b0c0854455354434552543110300e060355040a0c0752535054455354310b30",
    "090603550406130249543020170d3230303430313038323735315a180f32303535303430313038323735315a30443110",
    "300e06035504030c07546573742043493111300f060355040b0c0854455354434552543110300e060355040a0c075253",
    "5054455354310b30090603550406130249543059301306072a8648ce3d020106082a8648ce3d03010703420004940657",
    "a673dc288f89d52ea8a47704992791f9c34b0036e633e2d0cba9454d65db32eb17981799d2f24388ee2b95c1094546c9",
    "7901ceaeba9650919a2e20d229a381cf3081cc301d0603551d0e04160414f54172bdf98a95d65cbeb88a38a1c11d800a",
    "85c3300f0603551d130101ff040530030101ff30170603551d200101ff040d300b3009060767811201020100300e0603",
    "551d0f0101ff040403020106300e0603551d1104073005880388370130610603551d1f045a3058302aa028a026862468",
    "7474703a2f2f63692e746573742e6578616d706c652e636f6d2f43524c2d412e63726c302aa028a0268624687474703a",
    "2f2f63692e746573742e6578616d706c652e636f6d2f43524c2d422e63726c300a06082a8648ce3d0403020347003044",
    "022052756aafc2020a6cecbf2e5f3c20892510ff29751d298bd3b015d9605a4fe67d022057982836e4d205ddd2e6c3c1",
    "b455937f6b6e493b602fd1b66c357489a935f76b",
);

/// id-rspRole-dp-auth (SGP.22 4.5.2.1.0.3).
pub(crate) const POLICY_DP_AUTH: &str = "2.23.146.1.2.1.4";
/// id-rspRole-dp-pb.
pub(crate) const POLICY_DP_PB: &str = "2.23.146.1.2.1.5";
/// id-rspRole-ds-auth.
pub(crate) const POLICY_DS_AUTH: &str = "2.23.146.1.2.1.6";

/// A trusted CI certificate with its public key identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedCi {
    /// The certificate (DER).
    pub cert_der: Vec<u8>,
    /// Its public key identifier: the subjectKeyIdentifier, or when absent the RFC 7093
    /// method-1 identifier of its key (what the harness PKI puts in its SKIs).
    pub pk_id: Vec<u8>,
}

/// Why a certificate is not a usable CI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a usable CI certificate: {0}")]
pub struct TrustError(String);

impl TrustedCi {
    /// Parses a CI certificate; its key identifier is read from it.
    pub fn from_der(cert_der: &[u8]) -> Result<TrustedCi, TrustError> {
        let cert = Certificate::from_der(cert_der).map_err(|e| TrustError(e.to_string()))?;
        Ok(TrustedCi {
            cert_der: cert_der.to_vec(),
            pk_id: pk_id_of(&cert),
        })
    }

    /// The SGP.26 v3 NIST test CI (embedded; see the module docs).
    pub fn sgp26_v3_nist() -> TrustedCi {
        let der = hex::decode(SGP26_V3_CI_NIST_HEX).unwrap_or_default();
        // The constant is known good (a unit test decodes it).
        TrustedCi::from_der(&der).unwrap_or(TrustedCi {
            cert_der: der,
            pk_id: Vec::new(),
        })
    }
}

/// The subjectKeyIdentifier of `cert`, or the RFC 7093 identifier of its key.
pub(crate) fn pk_id_of(cert: &Certificate) -> Vec<u8> {
    match cert
        .tbs_certificate()
        .get_extension::<SubjectKeyIdentifier>()
    {
        Ok(Some((_, ski))) => ski.0.as_bytes().to_vec(),
        _ => key_identifier(
            cert.tbs_certificate()
                .subject_public_key_info()
                .subject_public_key
                .raw_bytes(),
        ),
    }
}

/// The extra CIs an eUICC trusts besides its own PKI's CI (a cheap-to-clone shared list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedCis(Arc<Vec<TrustedCi>>);

impl Default for TrustedCis {
    /// The SGP.26 v3 NIST test CI.
    fn default() -> Self {
        static DEFAULT: OnceLock<TrustedCis> = OnceLock::new();
        DEFAULT
            .get_or_init(|| TrustedCis(Arc::new(vec![TrustedCi::sgp26_v3_nist()])))
            .clone()
    }
}

impl TrustedCis {
    /// No extra CI: only the eUICC's own PKI CI is trusted.
    pub fn none() -> Self {
        TrustedCis(Arc::new(Vec::new()))
    }

    /// These CIs.
    pub fn new(cis: Vec<TrustedCi>) -> Self {
        TrustedCis(Arc::new(cis))
    }

    /// This list plus `ci`.
    pub fn with(self, ci: TrustedCi) -> Self {
        let mut v = (*self.0).clone();
        v.push(ci);
        TrustedCis(Arc::new(v))
    }

    /// The CIs.
    pub fn iter(&self) -> impl Iterator<Item = &TrustedCi> {
        self.0.iter()
    }
}

/// What a server certificate check found.
#[derive(Debug, Clone)]
pub(crate) struct CheckedServerCert {
    /// The SM-DP+ OID (subjectAltName registeredID), if present.
    pub(crate) oid: Option<rasn::types::ObjectIdentifier>,
}

/// Why a server certificate was refused (mapped to the function's error code by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CertProblem {
    /// Not decodable, not issued by a trusted CI, bad signature, not a CI issuer.
    Invalid(String),
    /// The key is not on a supported curve (P-256, brainpoolP256r1).
    UnsupportedCurve(String),
    /// The certificate policy is not the expected role.
    WrongPolicy(String),
}

/// Checks `cert_der` (an SM-DP+ certificate) against `anchors`: issued (name and signature) by
/// one of them, with a certificatePolicies OID among `policies`. Validity periods are not
/// checked (an eUICC has no reliable clock).
pub(crate) fn check_server_cert<'a>(
    cert_der: &[u8],
    anchors: impl Iterator<Item = &'a [u8]>,
    policies: &[&str],
) -> Result<CheckedServerCert, CertProblem> {
    let cert = Certificate::from_der(cert_der).map_err(|e| CertProblem::Invalid(e.to_string()))?;
    let mut last = CertProblem::Invalid("no trusted CI issued it".into());
    let mut issued = false;
    for anchor in anchors {
        let Ok(ci) = Certificate::from_der(anchor) else {
            continue;
        };
        match verify_issued_by("server", &cert, &ci) {
            Ok(()) => {
                issued = true;
                break;
            }
            Err(ChainError::IssuerMismatch { .. }) => {}
            Err(ChainError::UnsupportedAlgorithm { what, .. }) => {
                last = CertProblem::UnsupportedCurve(what)
            }
            Err(e) => last = CertProblem::Invalid(e.to_string()),
        }
    }
    if !issued {
        return Err(last);
    }
    let spki = cert.tbs_certificate().subject_public_key_info();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<spki::ObjectIdentifier>().ok())
        .map(|o| o.to_string())
        .unwrap_or_default();
    if curve != "1.2.840.10045.3.1.7" && curve != "1.3.36.3.3.2.8.1.1.7" {
        return Err(CertProblem::UnsupportedCurve(curve));
    }
    let found: Vec<String> = match cert
        .tbs_certificate()
        .get_extension::<CertificatePolicies>()
    {
        Ok(Some((_, p))) => {
            p.0.iter()
                .map(|i| i.policy_identifier.to_string())
                .collect()
        }
        Ok(None) => Vec::new(),
        Err(e) => return Err(CertProblem::Invalid(format!("certificatePolicies: {e}"))),
    };
    if !found.iter().any(|f| policies.contains(&f.as_str())) {
        return Err(CertProblem::WrongPolicy(format!(
            "certificate policies {found:?}, expected one of {policies:?}"
        )));
    }
    let oid = crate::asn1::pkix::smdp_oid(&cert);
    Ok(CheckedServerCert { oid })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_ci_is_the_sgp26_v3_file() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/spec/certs/sgp26-v3/CertificateIssuer/CERT_CI_ECDSA_NIST.der"
        );
        let file = std::fs::read(path).unwrap();
        let ci = TrustedCi::sgp26_v3_nist();
        assert_eq!(ci.cert_der, file);
        assert_eq!(
            hex::encode_upper(&ci.pk_id),
            "F54172BDF98A95D65CBEB88A38A1C11D800A85C3"
        );
    }

    #[test]
    fn sgp26_dpauth_checks_against_the_embedded_ci_only() {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/spec/certs/sgp26-v3/"
        );
        let dp_auth =
            std::fs::read(format!("{dir}DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der")).unwrap();
        let dp_pb = std::fs::read(format!("{dir}DPpb/CERT_S_SM_DPpb_ECDSA_NIST.der")).unwrap();
        let ci = TrustedCi::sgp26_v3_nist();
        let ok = check_server_cert(
            &dp_auth,
            [ci.cert_der.as_slice()].into_iter(),
            &[POLICY_DP_AUTH, POLICY_DS_AUTH],
        )
        .unwrap();
        assert_eq!(ok.oid.unwrap().to_string(), "2.999.10");
        // DPauth is not a DPpb certificate.
        assert!(matches!(
            check_server_cert(
                &dp_auth,
                [ci.cert_der.as_slice()].into_iter(),
                &[POLICY_DP_PB]
            ),
            Err(CertProblem::WrongPolicy(_))
        ));
        check_server_cert(
            &dp_pb,
            [ci.cert_der.as_slice()].into_iter(),
            &[POLICY_DP_PB],
        )
        .unwrap();
        // The BRP CI has the same name and another key.
        let brp = std::fs::read(format!("{dir}CertificateIssuer/CERT_CI_ECDSA_BRP.der")).unwrap();
        assert!(matches!(
            check_server_cert(&dp_auth, [brp.as_slice()].into_iter(), &[POLICY_DP_AUTH]),
            Err(CertProblem::Invalid(_))
        ));
        assert!(matches!(
            check_server_cert(
                b"\x30\x00",
                [ci.cert_der.as_slice()].into_iter(),
                &[POLICY_DP_AUTH]
            ),
            Err(CertProblem::Invalid(_))
        ));
    }
}
