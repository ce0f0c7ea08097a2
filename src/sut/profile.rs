//! SUT profiles: what `sgp32 serve eim --write-sut FILE` writes and what `run` and `load`
//! (`--sut FILE.toml`) read — the SUT's ESipa endpoints per transport, its order API and the
//! adapter that speaks it, its eIM identity, the TLS trust for its ESipa endpoints, and the
//! features it declares (`shared/design/CLI.md`, "Files").
//!
//! ```toml
//! name = "sgp32 reference eIM"
//! role = "eim"
//! sgp32_version = "1.2"
//!
//! [esipa]
//! http = "http://127.0.0.1:8080/gsma/rsp2/asn1"     # any of http, https, coap, coaps
//!
//! [api]
//! adapter = "reference"                             # the reference eIM's JSON order API
//! url = "http://127.0.0.1:8081"
//!
//! [eim]
//! eim_id = "sgp32-reference-eim"
//! fqdn = "127.0.0.1:8080"
//! signing_certificate_pem = "-----BEGIN CERTIFICATE-----..."
//!
//! [tls]
//! trusted_certificate_pem = "-----BEGIN CERTIFICATE-----..."   # for https/coaps endpoints
//!
//! [features]
//! absent = ["coaps"]                                # declared absent: their cases are UNSUPPORTED
//!
//! [smdp]                                            # optional: SM-DP+ address -> ES9+ URL
//! "testsmdpplus1.example.com" = "http://127.0.0.1:8443"
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// A SUT profile (TOML).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SutProfile {
    /// A name for reports.
    pub name: String,
    /// The SUT's role: `eim` (later `smdp`, `ipa`).
    pub role: String,
    /// The SGP.32 version the SUT speaks: `1.2` or `1.0`.
    pub sgp32_version: String,
    /// ESipa endpoints by transport (`http`, `https`, `coap`, `coaps`) -> URL.
    pub esipa: BTreeMap<String, String>,
    /// The order API.
    pub api: ApiEndpoint,
    /// The eIM's identity, as a device needs it for AddInitialEim.
    pub eim: EimIdentity,
    /// Trust for the TLS (and DTLS) endpoints.
    #[serde(default)]
    pub tls: TlsTrust,
    /// Declared features.
    #[serde(default)]
    pub features: Features,
    /// The SM-DP+ addresses the SUT relays indirect downloads to (SGP.32 3.2.3.2), address ->
    /// ES9+ base URL, as it was configured (`serve eim --smdp ADDRESS=URL`): activation codes
    /// ordered at the SUT name these addresses. Optional.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub smdp: BTreeMap<String, String>,
}

/// Where and how the harness orders operations at the SUT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiEndpoint {
    /// The adapter that speaks the API: `reference` (the reference eIM's JSON order API).
    pub adapter: String,
    /// Its base URL.
    pub url: String,
}

/// The eIM identity of the SUT (EimConfigurationData material, SGP.32 2.11.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EimIdentity {
    /// eimId.
    pub eim_id: String,
    /// eimFqdn.
    pub fqdn: String,
    /// The certificate whose key signs eUICC packages (PEM).
    pub signing_certificate_pem: String,
}

/// TLS trust for the SUT's endpoints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsTrust {
    /// The certificate to trust (PEM), as `trustedPublicKeyDataTls` would say: the eIM's own
    /// TLS certificate (a client pins it: `TlsClientConfig::pinning`) or a CA certificate (a
    /// trust anchor: `TlsClientConfig::trusting`). The reference eIM writes its own certificate.
    pub trusted_certificate_pem: Option<String>,
}

/// Features the SUT declares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Features {
    /// Features declared absent (their cases become UNSUPPORTED, not FAIL).
    #[serde(default)]
    pub absent: Vec<String>,
}

/// Why a SUT profile could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SutProfileError {
    #[error("cannot read SUT profile {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write SUT profile {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("SUT profile {path} is not valid: {source}")]
    Parse {
        path: String,
        #[source]
        source: toml::de::Error,
    },
    #[error("SUT profile cannot be written as TOML: {0}")]
    Serialize(#[from] toml::ser::Error),
}

impl SutProfile {
    /// The profile as TOML text.
    pub fn to_toml(&self) -> Result<String, SutProfileError> {
        Ok(toml::to_string_pretty(self)?)
    }

    /// Parses TOML text (`origin` names it in errors).
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, SutProfileError> {
        toml::from_str(text).map_err(|source| SutProfileError::Parse {
            path: origin.to_string(),
            source,
        })
    }

    /// Writes the profile to `path`.
    pub fn write(&self, path: &Path) -> Result<(), SutProfileError> {
        std::fs::write(path, self.to_toml()?).map_err(|source| SutProfileError::Write {
            path: path.display().to_string(),
            source,
        })
    }

    /// Reads a profile from `path`.
    pub fn read(path: &Path) -> Result<Self, SutProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| SutProfileError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_toml(&text, &path.display().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SutProfile {
        SutProfile {
            name: "sgp32 reference eIM".into(),
            role: "eim".into(),
            sgp32_version: "1.2".into(),
            esipa: BTreeMap::from([(
                "https".to_string(),
                "https://127.0.0.1:8443/gsma/rsp2/asn1".to_string(),
            )]),
            api: ApiEndpoint {
                adapter: "reference".into(),
                url: "http://127.0.0.1:8081".into(),
            },
            eim: EimIdentity {
                eim_id: "sgp32-reference-eim".into(),
                fqdn: "127.0.0.1:8443".into(),
                signing_certificate_pem:
                    "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n".into(),
            },
            tls: TlsTrust {
                trusted_certificate_pem: Some("pem".into()),
            },
            features: Features {
                absent: vec!["coaps".into()],
            },
            smdp: BTreeMap::from([(
                "testsmdpplus1.example.com".to_string(),
                "http://127.0.0.1:9443".to_string(),
            )]),
        }
    }

    #[test]
    fn round_trips_through_toml() {
        let text = sample().to_toml().unwrap();
        assert!(text.contains("[esipa]"), "{text}");
        assert!(text.contains("[smdp]"), "{text}");
        assert_eq!(SutProfile::from_toml(&text, "t").unwrap(), sample());
        // The SM-DP+ map is optional.
        let mut without = sample();
        without.smdp.clear();
        let text = without.to_toml().unwrap();
        assert!(!text.contains("[smdp]"), "{text}");
        assert_eq!(SutProfile::from_toml(&text, "t").unwrap(), without);
    }

    #[test]
    fn unknown_keys_and_missing_sections_are_clear_errors() {
        let text = sample().to_toml().unwrap().replace("role = ", "rolle = ");
        let err = SutProfile::from_toml(&text, "x.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("x.toml") && err.contains("rolle"), "{err}");
        let err = SutProfile::from_toml("name = 'a'", "y.toml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("y.toml"), "{err}");
    }
}
