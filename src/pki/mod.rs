//! Deterministic test PKI: CI -> EUM -> eUICC, CI -> SM-DP+ (DPauth, DPpb, DPtls), CI -> eIM
//! (signing, TLS). SGP.22 4.5.2 certificate profiles, SGP.32 2.11 eIM.
//!
//! **Test material.** Every key here derives from a public seed: anyone can recompute it. These
//! certificates must never be installed in a production trust store; the harness only hands
//! them to its own simulated parties (and writes them where `sgp32 pki init` is told to).
//!
//! # Contents
//! All keys are NIST P-256; all certificates are X.509 v3 signed with ecdsa-with-SHA256.
//!
//! | role       | issuer | subject                                             | extensions (after AKI, SKI) |
//! |------------|--------|-----------------------------------------------------|-----------------------------|
//! | `ci`       | itself | CN=sgp32-harness Test CI, O=sgp32-harness TEST ONLY | basicConstraints cA (critical), keyUsage keyCertSign+cRLSign (critical), certificatePolicies id-rspRole-ci 2.23.146.1.2.1.0 (critical); no AKI |
//! | `eum`      | CI     | CN=sgp32-harness Test EUM, O=sgp32-harness Test EUM | basicConstraints cA pathLen 0, keyUsage keyCertSign, policies id-rspRole-eum (.2), nameConstraints (all critical) |
//! | `euicc`    | EUM    | CN=Test eUICC, serialNumber=EID, O=sgp32-harness Test EUM | keyUsage digitalSignature, policies id-rspRole-euicc (.1) (critical) |
//! | `dp_auth`  | CI     | CN=sgp32-harness SM-DP+ auth, O=sgp32-harness TEST ONLY | keyUsage digitalSignature, policies id-rspRole-dp-auth (.4) (critical) |
//! | `dp_pb`    | CI     | CN=sgp32-harness SM-DP+ pb, O=...                   | keyUsage digitalSignature, policies id-rspRole-dp-pb (.5) (critical) |
//! | `dp_tls`   | CI     | CN=localhost, O=...                                 | keyUsage digitalSignature, extKeyUsage serverAuth+clientAuth (critical), policies id-rspRole-dp-tls (.3) (not critical, as SGP.26, for webpki); SAN DNS localhost, IP 127.0.0.1 |
//! | `eim_sign` | CI     | CN=sgp32-harness eIM, O=...                         | keyUsage digitalSignature (critical) |
//! | `eim_tls`  | CI     | CN=localhost, O=...                                 | keyUsage digitalSignature, extKeyUsage serverAuth+clientAuth (critical); SAN DNS localhost, IP 127.0.0.1 |
//!
//! - The key identifiers (SKI, AKI keyIdentifier) are the leftmost 160 bits of SHA-256 of the
//!   subjectPublicKey (RFC 7093 method 1).
//! - The EUM's nameConstraints (SGP.22 4.5.2.1.0.2, the SGP.26 encoding) is one permitted
//!   subtree, a directoryName `O=sgp32-harness Test EUM, serialNumber=89049032`: the EIN
//!   [`EIN`] is the prefix every EID it certifies must start with (a GSMA-specific reading of
//!   serialNumber, checked by [`check::check_euicc_chain`], not by RFC 5280 name matching). The
//!   test EID 89049032123451234512345678901235 of the vectors lies inside. Generic RFC 5280
//!   validators (OpenSSL, webpki) read the constraint as a DN prefix and reject the eUICC
//!   certificates with "permitted subtree violation"; they do the same with the SGP.26 v1.2 test eUICC
//!   certificate. Check eUICC chains with [`check::check_euicc_chain`].
//! - The eIM signing certificate is issued by the harness CI (rather than self-signed) so one
//!   trust anchor covers every party; SGP.32 defines no eIM certificate policy OID, so it has
//!   none. The SGP.22 subjectAltName registeredID and CRL distribution points are left out.
//! - Serial numbers: one byte for the role (1 ci, 2 eum, 3 euicc, 4 dp_auth, 5 dp_pb, 6 dp_tls,
//!   7 eim_sign, 8 eim_tls) followed by the 8-byte big-endian device index (0 for the others).
//!
//! # Derivation
//! Each private key is [`derive_key`]`(seed, role, index)`: SHA-256("sgp32-pki" 0x00 role 0x00
//! seed_be64 index_be64 counter_be32) taken as the scalar (counter 0 unless the hash is not a
//! valid scalar). eUICC number `i` has key `derive_key(seed, Role::Euicc, i)` and EID
//! [`Eid::from_ein_and_index`]`(EIN, i)`; its certificate is built on demand by
//! [`Pki::euicc`], so a million devices need no storage (key derivation is one hash and one
//! scalar multiplication, [`euicc_key`]; the certificate costs one ECDSA signature).
//! Signatures are RFC 6979 deterministic, so the same seed gives the same bytes.
//!
//! # Validity
//! Every certificate: notBefore 2025-01-01T00:00:00Z, notAfter 2049-12-31T23:59:59Z (UTCTime),
//! [`build::NOT_BEFORE`], [`build::NOT_AFTER`].
//!
//! # Files
//! [`Pki::write`] writes `<role>.cert.pem` and `<role>.key.pem` (PKCS#8) per role,
//! `euicc-<i>.cert.pem`/`.key.pem` per written device, and `pki.json` (see [`Manifest`]);
//! [`Pki::load`] reads them back. [`sgp26`] loads the GSMA SGP.26 v3 test certificates.

pub mod build;
pub mod check;
pub mod eid;
pub mod sgp26;

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use der::{Decode, EncodePem};
use p256::ecdsa::SigningKey;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use serde::{Deserialize, Serialize};
use x509_cert::Certificate;
use x509_cert::ext::pkix::{KeyUsage, KeyUsages};
use x509_cert::name::Name;

pub use build::{Role, derive_key, derive_scalar};
pub use check::{ChainError, check_chain, check_euicc_chain, is_ca_certificate};
pub use eid::{Eid, EidError};

use build::{
    OID_KP_CLIENT_AUTH, OID_KP_SERVER_AUTH, Template, basic_constraints, ein_name_constraints,
    ext_key_usage, key_usage, localhost_san, parse_name, policies, policy,
};

/// The EIN (EID prefix) of the test EUM (SGP.29; the EIN of the vectors' test EID).
pub const EIN: &str = "89049032";
/// Organisation of the EUM and of its eUICC certificates.
pub const EUM_ORG: &str = "sgp32-harness Test EUM";
/// Organisation of the other test certificates.
pub const ORG: &str = "sgp32-harness TEST ONLY";
/// The `format` value of `pki.json`.
pub const MANIFEST_FORMAT: &str = "sgp32-harness-pki/1";

/// Errors of the test PKI.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// `pki.json` is missing a field, malformed, or names an unknown role.
    #[error("{path}: bad manifest: {reason}")]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A PEM file is malformed or holds the wrong kind of block or key.
    #[error("{path}: bad PEM: {reason}")]
    Pem {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A certificate does not parse.
    #[error("{path}: bad certificate: {reason}")]
    Certificate {
        /// The file.
        path: PathBuf,
        /// The decoder's message.
        reason: String,
    },
    /// A private key does not belong to its certificate.
    #[error("{0}: private key does not match the certificate's public key")]
    KeyMismatch(PathBuf),
    /// Building a certificate failed.
    #[error("building a certificate: {0}")]
    Build(String),
    /// DER encoding failed.
    #[error("DER: {0}")]
    Der(#[from] der::Error),
    /// An EID could not be built.
    #[error(transparent)]
    Eid(#[from] EidError),
}

impl PkiError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        PkiError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
    pub(crate) fn pem(path: &Path, reason: String) -> Self {
        PkiError::Pem {
            path: path.to_path_buf(),
            reason,
        }
    }
}

/// A private key and its certificate.
#[derive(Clone, Debug)]
pub struct Credential {
    /// The P-256 signing key.
    pub key: SigningKey,
    /// The certificate, DER.
    pub cert_der: Vec<u8>,
}

impl Credential {
    /// The parsed certificate.
    pub fn certificate(&self) -> Result<Certificate, PkiError> {
        Certificate::from_der(&self.cert_der).map_err(PkiError::from)
    }

    /// The certificate as PEM (LF line endings).
    pub fn cert_pem(&self) -> Result<String, PkiError> {
        Ok(self.certificate()?.to_pem(LineEnding::LF)?)
    }

    /// The private key as PKCS#8 PEM (LF line endings).
    pub fn key_pem(&self) -> Result<String, PkiError> {
        let pem = self
            .key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| PkiError::Build(format!("PKCS#8: {e}")))?;
        Ok(pem.to_string())
    }

    /// The certificate's subject.
    pub fn subject(&self) -> Result<Name, PkiError> {
        Ok(self.certificate()?.tbs_certificate().subject().clone())
    }
}

/// One device of the PKI.
#[derive(Clone, Debug)]
pub struct EuiccCredentials {
    /// Device index.
    pub index: u64,
    /// Its EID (inside [`EIN`], valid check digits).
    pub eid: Eid,
    /// Its key (SK.EUICC.SIG) and certificate (CERT.EUICC.SIG), issued by the EUM.
    pub credential: Credential,
}

/// The key of eUICC `index` (cheap: no certificate work).
pub fn euicc_key(seed: u64, index: u64) -> SigningKey {
    derive_key(seed, Role::Euicc, index)
}

/// The private scalar of [`euicc_key`] without computing the public key (cheaper still).
pub fn euicc_scalar(seed: u64, index: u64) -> [u8; 32] {
    derive_scalar(seed, Role::Euicc, index)
}

/// The EID of eUICC `index`: [`Eid::from_ein_and_index`]`(EIN, index)`.
pub fn euicc_eid(index: u64) -> Result<Eid, EidError> {
    Eid::from_ein_and_index(EIN, index)
}

/// The whole test PKI of one seed.
#[derive(Clone, Debug)]
pub struct Pki {
    /// The seed everything derives from.
    pub seed: u64,
    /// Certificate Issuer (trust anchor).
    pub ci: Credential,
    /// eUICC Manufacturer.
    pub eum: Credential,
    /// SM-DP+ authentication.
    pub dp_auth: Credential,
    /// SM-DP+ profile binding.
    pub dp_pb: Credential,
    /// SM-DP+ TLS (localhost, 127.0.0.1).
    pub dp_tls: Credential,
    /// eIM package signing.
    pub eim_sign: Credential,
    /// eIM TLS (localhost, 127.0.0.1).
    pub eim_tls: Credential,
    /// The eUICCs built eagerly (written by [`Pki::write`]); others come from [`Pki::euicc`].
    pub euiccs: Vec<EuiccCredentials>,
}

/// One credential in `pki.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Role: `ci`, `eum`, `euicc`, `dp_auth`, `dp_pb`, `dp_tls`, `eim_sign`, `eim_tls`.
    pub role: String,
    /// Device index (eUICC only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    /// EID, 32 digits (eUICC only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eid: Option<String>,
    /// Certificate subject (RFC 4514), for reading.
    pub subject: String,
    /// Certificate PEM file, relative to the directory.
    pub certificate: String,
    /// PKCS#8 private key PEM file, relative to the directory.
    #[serde(rename = "privateKey")]
    pub private_key: String,
}

/// `pki.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: String,
    /// A reminder that this is test material.
    pub note: String,
    /// The seed.
    pub seed: u64,
    /// The EUM's EIN.
    pub ein: String,
    /// notBefore of every certificate (RFC 3339).
    #[serde(rename = "notBefore")]
    pub not_before: String,
    /// notAfter of every certificate (RFC 3339).
    #[serde(rename = "notAfter")]
    pub not_after: String,
    /// The credentials.
    pub files: Vec<ManifestEntry>,
}

/// A file written by [`Pki::write`], for the CLI summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    /// Path written.
    pub path: PathBuf,
    /// What it holds, e.g. `eum certificate` or `euicc[0] key (EID ...)`.
    pub what: String,
}

fn rfc3339(t: (u16, u8, u8, u8, u8, u8)) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.0, t.1, t.2, t.3, t.4, t.5
    )
}

fn file_stem(role: Role, index: Option<u64>) -> String {
    match index {
        Some(i) => format!("euicc-{i}"),
        None => role.label().replace('_', "-"),
    }
}

impl Pki {
    /// Derives the PKI of `seed`, with the first `euiccs` device certificates built eagerly.
    pub fn generate(seed: u64, euiccs: u32) -> Result<Pki, PkiError> {
        let validity = build::validity()?;
        let ci_key = derive_key(seed, Role::Ci, 0);
        let ci_name = parse_name(&format!("CN=sgp32-harness Test CI,O={ORG}"))?;
        let ci_cert = build::build(
            &Template {
                role: Role::Ci,
                index: 0,
                subject: ci_name.clone(),
                issuer: None,
                extensions: vec![
                    basic_constraints(true, None)?,
                    key_usage(KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign))?,
                    policies(policy::CI, true)?,
                ],
                validity,
            },
            &ci_key,
            &ci_key,
        )?;
        let ci = Credential {
            key: ci_key,
            cert_der: ci_cert,
        };

        let issue = |role: Role, subject: &str, extensions| -> Result<Credential, PkiError> {
            let key = derive_key(seed, role, 0);
            let cert_der = build::build(
                &Template {
                    role,
                    index: 0,
                    subject: parse_name(subject)?,
                    issuer: Some(ci_name.clone()),
                    extensions,
                    validity,
                },
                &key,
                &ci.key,
            )?;
            Ok(Credential { key, cert_der })
        };
        let digital_signature = || key_usage(KeyUsage(KeyUsages::DigitalSignature.into()));
        let tls_eku = || ext_key_usage(vec![OID_KP_SERVER_AUTH, OID_KP_CLIENT_AUTH]);

        let eum = issue(
            Role::Eum,
            &format!("CN=sgp32-harness Test EUM,O={EUM_ORG}"),
            vec![
                basic_constraints(true, Some(0))?,
                key_usage(KeyUsage(KeyUsages::KeyCertSign.into()))?,
                policies(policy::EUM, true)?,
                ein_name_constraints(EUM_ORG, EIN)?,
            ],
        )?;
        let dp_auth = issue(
            Role::DpAuth,
            &format!("CN=sgp32-harness SM-DP\\+ auth,O={ORG}"),
            vec![digital_signature()?, policies(policy::DP_AUTH, true)?],
        )?;
        let dp_pb = issue(
            Role::DpPb,
            &format!("CN=sgp32-harness SM-DP\\+ pb,O={ORG}"),
            vec![digital_signature()?, policies(policy::DP_PB, true)?],
        )?;
        let dp_tls = issue(
            Role::DpTls,
            &format!("CN=localhost,OU=SM-DP\\+ TLS,O={ORG}"),
            vec![
                digital_signature()?,
                tls_eku()?,
                policies(policy::DP_TLS, false)?,
                localhost_san()?,
            ],
        )?;
        let eim_sign = issue(
            Role::EimSign,
            &format!("CN=sgp32-harness eIM,O={ORG}"),
            vec![digital_signature()?],
        )?;
        let eim_tls = issue(
            Role::EimTls,
            &format!("CN=localhost,OU=eIM TLS,O={ORG}"),
            vec![digital_signature()?, tls_eku()?, localhost_san()?],
        )?;

        let mut pki = Pki {
            seed,
            ci,
            eum,
            dp_auth,
            dp_pb,
            dp_tls,
            eim_sign,
            eim_tls,
            euiccs: Vec::new(),
        };
        pki.euiccs = (0..u64::from(euiccs))
            .map(|i| pki.euicc(i))
            .collect::<Result<_, _>>()?;
        Ok(pki)
    }

    /// The key of device `index` (cheap, no certificate).
    pub fn euicc_key(&self, index: u64) -> SigningKey {
        euicc_key(self.seed, index)
    }

    /// The private scalar of device `index` (no elliptic-curve arithmetic).
    pub fn euicc_scalar(&self, index: u64) -> [u8; 32] {
        euicc_scalar(self.seed, index)
    }

    /// Device `index`: EID, key and a certificate issued by the EUM (one ECDSA signature).
    pub fn euicc(&self, index: u64) -> Result<EuiccCredentials, PkiError> {
        let eid = euicc_eid(index)?;
        let key = self.euicc_key(index);
        let credential = self.issue_euicc(index, eid, key)?;
        Ok(EuiccCredentials {
            index,
            eid,
            credential,
        })
    }

    /// Issues an eUICC certificate under the EUM for any EID and key (e.g. the vectors' test
    /// EID 89049032123451234512345678901235, or an EID outside the EIN for negative tests);
    /// `serial_index` goes into the serial number.
    pub fn issue_euicc(
        &self,
        serial_index: u64,
        eid: Eid,
        key: SigningKey,
    ) -> Result<Credential, PkiError> {
        let eum_subject = self.eum.subject()?;
        let cert_der = build::build(
            &Template {
                role: Role::Euicc,
                index: serial_index,
                subject: parse_name(&format!("CN=Test eUICC,serialNumber={eid},O={EUM_ORG}"))?,
                issuer: Some(eum_subject),
                extensions: vec![
                    key_usage(KeyUsage(KeyUsages::DigitalSignature.into()))?,
                    policies(policy::EUICC, true)?,
                ],
                validity: build::validity()?,
            },
            &key,
            &self.eum.key,
        )?;
        Ok(Credential { key, cert_der })
    }

    /// [`check_euicc_chain`] of an eUICC certificate against this PKI's EUM and CI.
    pub fn check_euicc(&self, euicc_cert_der: &[u8], at: SystemTime) -> Result<Eid, ChainError> {
        check_euicc_chain(euicc_cert_der, &self.eum.cert_der, &self.ci.cert_der, at)
    }

    /// The single-instance credentials with their roles, in manifest order.
    pub fn credentials(&self) -> [(Role, &Credential); 7] {
        [
            (Role::Ci, &self.ci),
            (Role::Eum, &self.eum),
            (Role::DpAuth, &self.dp_auth),
            (Role::DpPb, &self.dp_pb),
            (Role::DpTls, &self.dp_tls),
            (Role::EimSign, &self.eim_sign),
            (Role::EimTls, &self.eim_tls),
        ]
    }

    /// The manifest describing what [`Pki::write`] writes.
    pub fn manifest(&self) -> Result<Manifest, PkiError> {
        let mut files = Vec::new();
        let entry = |role: Role, index: Option<u64>, eid: Option<Eid>, c: &Credential| {
            let stem = file_stem(role, index);
            Ok::<_, PkiError>(ManifestEntry {
                role: role.label().to_string(),
                index,
                eid: eid.map(|e| e.to_string()),
                subject: c.subject()?.to_string(),
                certificate: format!("{stem}.cert.pem"),
                private_key: format!("{stem}.key.pem"),
            })
        };
        for (role, c) in self.credentials() {
            files.push(entry(role, None, None, c)?);
        }
        for e in &self.euiccs {
            files.push(entry(
                Role::Euicc,
                Some(e.index),
                Some(e.eid),
                &e.credential,
            )?);
        }
        Ok(Manifest {
            format: MANIFEST_FORMAT.to_string(),
            note: "Test PKI derived from a public seed: never install in a production trust store"
                .to_string(),
            seed: self.seed,
            ein: EIN.to_string(),
            not_before: rfc3339(build::NOT_BEFORE),
            not_after: rfc3339(build::NOT_AFTER),
            files,
        })
    }

    /// Writes the PEM files and `pki.json` into `dir` (created if missing). Same seed, same
    /// bytes. Returns the files written, in order.
    pub fn write(&self, dir: &Path) -> Result<Vec<WrittenFile>, PkiError> {
        std::fs::create_dir_all(dir).map_err(|e| PkiError::io(dir, e))?;
        let manifest = self.manifest()?;
        let mut written = Vec::new();
        let mut put = |name: &str, text: &str, what: String| -> Result<(), PkiError> {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| PkiError::io(&path, e))?;
            written.push(WrittenFile { path, what });
            Ok(())
        };
        let creds = self
            .credentials()
            .into_iter()
            .map(|(r, c)| (r, c, None))
            .chain(
                self.euiccs
                    .iter()
                    .map(|e| (Role::Euicc, &e.credential, Some(e))),
            );
        for ((role, c, device), m) in creds.zip(&manifest.files) {
            let label = match device {
                Some(d) => format!("euicc[{}] (EID {})", d.index, d.eid),
                None => role.label().to_string(),
            };
            put(
                &m.certificate,
                &c.cert_pem()?,
                format!("{label} certificate"),
            )?;
            put(
                &m.private_key,
                &c.key_pem()?,
                format!("{label} private key"),
            )?;
        }
        let json = serde_json::to_string_pretty(&manifest)
            .map_err(|e| PkiError::Build(format!("manifest: {e}")))?;
        put("pki.json", &format!("{json}\n"), "manifest".to_string())?;
        Ok(written)
    }

    /// The PKI a command should use (the global `--seed N` / `--pki DIR` options): loaded from
    /// `dir` when given, else derived from `seed` with the first `euiccs` devices built.
    pub fn from_seed_or_dir(seed: u64, dir: Option<&Path>, euiccs: u32) -> Result<Pki, PkiError> {
        match dir {
            Some(d) => Pki::load(d),
            None => Pki::generate(seed, euiccs),
        }
    }

    /// Reads a PKI written by [`Pki::write`]. Every certificate must parse and match its key;
    /// every role must be present once (eUICCs any number of times). Devices beyond the
    /// written ones ([`Pki::euicc`]) derive from the manifest's seed under the loaded EUM key.
    pub fn load(dir: &Path) -> Result<Pki, PkiError> {
        let mpath = dir.join("pki.json");
        let text = std::fs::read_to_string(&mpath).map_err(|e| PkiError::io(&mpath, e))?;
        let bad = |reason: String| PkiError::Manifest {
            path: mpath.clone(),
            reason,
        };
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if manifest.format != MANIFEST_FORMAT {
            return Err(bad(format!("unknown format {:?}", manifest.format)));
        }
        let mut singles: [Option<Credential>; 7] = Default::default();
        let order = [
            Role::Ci,
            Role::Eum,
            Role::DpAuth,
            Role::DpPb,
            Role::DpTls,
            Role::EimSign,
            Role::EimTls,
        ];
        let mut euiccs = Vec::new();
        for m in &manifest.files {
            let role = Role::from_label(&m.role)
                .ok_or_else(|| bad(format!("unknown role {:?}", m.role)))?;
            let cred = load_credential(dir, &m.certificate, &m.private_key)?;
            if role == Role::Euicc {
                let index = m
                    .index
                    .ok_or_else(|| bad("euicc entry without index".into()))?;
                let eid_text = m
                    .eid
                    .as_deref()
                    .ok_or_else(|| bad("euicc entry without eid".into()))?;
                let eid = Eid::from_digits(eid_text)?;
                euiccs.push(EuiccCredentials {
                    index,
                    eid,
                    credential: cred,
                });
            } else {
                let slot = order
                    .iter()
                    .position(|r| *r == role)
                    .and_then(|i| singles.get_mut(i))
                    .ok_or_else(|| bad(format!("role {:?}", m.role)))?;
                if slot.replace(cred).is_some() {
                    return Err(bad(format!("role {} listed twice", m.role)));
                }
            }
        }
        let mut take = |role: Role| {
            order
                .iter()
                .position(|r| *r == role)
                .and_then(|i| singles.get_mut(i))
                .and_then(Option::take)
                .ok_or_else(|| bad(format!("role {} missing", role.label())))
        };
        Ok(Pki {
            seed: manifest.seed,
            ci: take(Role::Ci)?,
            eum: take(Role::Eum)?,
            dp_auth: take(Role::DpAuth)?,
            dp_pb: take(Role::DpPb)?,
            dp_tls: take(Role::DpTls)?,
            eim_sign: take(Role::EimSign)?,
            eim_tls: take(Role::EimTls)?,
            euiccs,
        })
    }
}

/// Reads a certificate PEM and a PKCS#8 key PEM (paths relative to `dir`) and checks they match.
fn load_credential(dir: &Path, cert: &str, key: &str) -> Result<Credential, PkiError> {
    let cert_path = dir.join(cert);
    let key_path = dir.join(key);
    let cert_der = sgp26::load_cert(&cert_path)?;
    let key_text = std::fs::read_to_string(&key_path).map_err(|e| PkiError::io(&key_path, e))?;
    let key = SigningKey::from_pkcs8_pem(&key_text)
        .map_err(|e| PkiError::pem(&key_path, format!("PKCS#8 P-256 key: {e}")))?;
    let public = key.verifying_key().to_sec1_point(false);
    sgp26::check_key_matches(&cert_path, &cert_der, public.as_bytes())?;
    Ok(Credential { key, cert_der })
}

#[cfg(test)]
mod tests;
