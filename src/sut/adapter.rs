//! SUT adapters: what a conformance scenario needs from an eIM besides ESipa — its
//! configuration, device registration, orders (PSMOs, eCOs, an eUICC data request, a download
//! trigger), the outcome of an order, and a reset.
//!
//! Two adapters ship:
//! - [`ReferenceAdapter`]: the embedded reference eIM, in-process (`--sut reference`).
//! - [`ReferenceApiAdapter`]: the reference eIM's JSON order API over HTTP
//!   (`[api] adapter = "reference"` in a SUT profile; `serve eim --api` runs it).
//!
//! Adapters for other vendors' APIs implement [`SutAdapter`]; the trait speaks the typed
//! SGP.32 model ([`Psmo`], [`Eco`]) so that an adapter only translates.
//!
//! An order's outcome ([`OrderReport`]) is what the SUT says about it: `queued`, `delivered`
//! (the package went out, no result yet), `done` (a result arrived and the SUT accepted it),
//! `failed` (the SUT refused the result or the eUICC reported an error).

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::profile::SutProfile;
use crate::asn1::sgp32::{Eco, EimConfigurationData, EimPublicKeyData, Psmo};
use crate::eim::{Eim, EimPublicConfig, OrderState};
use crate::pki::Eid;
use crate::transport::{ClientOptions, HttpClient, TlsClientConfig};

/// Why an adapter call failed. Always a harness-side or SUT-API problem, never a verdict.
#[derive(Debug, thiserror::Error)]
pub enum SutError {
    /// The SUT's order API refused the request.
    #[error("the SUT's order API answered {status} to {what}: {body}")]
    Refused {
        what: String,
        status: u16,
        body: String,
    },
    /// The SUT's order API could not be reached.
    #[error("the SUT's order API is unreachable: {0}")]
    Unreachable(String),
    /// The SUT's order API answered something this adapter does not understand.
    #[error("the SUT's order API answered {what} with something unexpected: {detail}")]
    Unexpected { what: String, detail: String },
    /// The SUT profile is not usable.
    #[error("SUT profile: {0}")]
    Profile(String),
}

/// One operation to order at the SUT for one eUICC.
#[derive(Debug, Clone, PartialEq)]
pub enum Order {
    /// An eUICC package of PSMOs (SGP.32 2.11.1.1).
    Psmos(Vec<Psmo>),
    /// An eUICC package of eCOs (SGP.32 2.11.1.2).
    Ecos(Vec<Eco>),
    /// An IpaEuiccDataRequest with this tagList (SGP.32 2.11.1.3).
    EuiccData {
        /// The requested tags (e.g. `BF20 BF22`).
        tag_list: Vec<u8>,
    },
    /// A ProfileDownloadTriggerRequest (SGP.32 2.11.1.4).
    DownloadTrigger {
        /// The activation code.
        activation_code: String,
    },
    /// A ProfileDownloadTriggerRequest with contactDefaultSmdp: the device downloads from its
    /// eUICC's default SM-DP+ (SGP.32 2.11.1.4).
    DefaultSmdpTrigger,
}

impl Order {
    /// `psmo`, `eco`, `euicc-data` or `download`.
    pub fn kind(&self) -> &'static str {
        match self {
            Order::Psmos(_) => "psmo",
            Order::Ecos(_) => "eco",
            Order::EuiccData { .. } => "euicc-data",
            Order::DownloadTrigger { .. } | Order::DefaultSmdpTrigger => "download",
        }
    }
}

/// A device the SUT is told about: what an eUICC maker's device list says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRegistration {
    pub eid: Eid,
    /// The association token the eUICC gave this eIM at AddInitialEim.
    pub association_token: Option<i64>,
    /// The counterValue the eUICC starts from for this eIM.
    pub counter: i64,
    /// CERT.EUICC (DER), when the SUT should know it before the first result.
    pub certificate_der: Option<Vec<u8>>,
}

/// Where an order stands at the SUT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderProgress {
    Queued,
    Delivered,
    Done,
    Failed,
}

impl From<OrderState> for OrderProgress {
    fn from(s: OrderState) -> Self {
        match s {
            OrderState::Queued => OrderProgress::Queued,
            OrderState::Delivered => OrderProgress::Delivered,
            OrderState::Done => OrderProgress::Done,
            OrderState::Failed => OrderProgress::Failed,
        }
    }
}

/// What the SUT reports about an order.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OrderReport {
    #[serde(rename = "state")]
    pub progress: OrderProgress,
    /// The counterValue the SUT gave the package, once delivered.
    #[serde(default, rename = "counterValue")]
    pub counter: Option<i64>,
    /// The eimTransactionId, hex (may be empty).
    #[serde(default, rename = "eimTransactionId")]
    pub transaction_id: String,
    /// What the eUICC reported, per operation (the SUT's own representation).
    #[serde(default)]
    pub outcomes: Vec<Value>,
    /// Why the SUT refused or failed it.
    #[serde(default)]
    pub reason: Option<String>,
}

/// What a scenario needs from an eIM under test besides ESipa.
#[async_trait]
pub trait SutAdapter: Send + Sync {
    /// The eIM's identity as a device needs it (AddInitialEim, SGP.32 2.11.1).
    async fn eim_config(&self) -> Result<EimPublicConfig, SutError>;
    /// Tells the SUT about a device.
    async fn register(&self, device: &DeviceRegistration) -> Result<(), SutError>;
    /// Orders an operation; returns the SUT's order reference.
    async fn order(&self, eid: Eid, order: &Order) -> Result<String, SutError>;
    /// The SUT's report on an order.
    async fn report(&self, order: &str) -> Result<OrderReport, SutError>;
    /// Puts the SUT back in a known state between runs, if it can (default: nothing to do;
    /// scenarios use fresh EIDs).
    async fn reset(&self) -> Result<(), SutError> {
        Ok(())
    }
}

/// The embedded reference eIM, called in-process.
pub struct ReferenceAdapter {
    eim: Arc<Eim>,
}

impl ReferenceAdapter {
    pub fn new(eim: Arc<Eim>) -> Self {
        ReferenceAdapter { eim }
    }
}

fn refused(what: &str, e: impl std::fmt::Display) -> SutError {
    SutError::Refused {
        what: what.to_string(),
        status: 400,
        body: e.to_string(),
    }
}

#[async_trait]
impl SutAdapter for ReferenceAdapter {
    async fn eim_config(&self) -> Result<EimPublicConfig, SutError> {
        Ok(self.eim.config())
    }

    async fn register(&self, d: &DeviceRegistration) -> Result<(), SutError> {
        self.eim
            .register_euicc(
                d.eid,
                d.association_token,
                d.counter,
                d.certificate_der.clone(),
            )
            .map(|_| ())
            .map_err(|e| refused("register", e))
    }

    async fn order(&self, eid: Eid, order: &Order) -> Result<String, SutError> {
        let id = match order.clone() {
            Order::Psmos(p) => self.eim.order_psmos(eid, p),
            Order::Ecos(e) => self.eim.order_ecos(eid, e),
            Order::EuiccData { tag_list } => self.eim.order_euicc_data(eid, tag_list),
            Order::DownloadTrigger { activation_code } => {
                self.eim.order_download_trigger(eid, activation_code)
            }
            Order::DefaultSmdpTrigger => self.eim.order_default_smdp_trigger(eid),
        }
        .map_err(|e| refused(order.kind(), e))?;
        Ok(id.to_string())
    }

    async fn report(&self, order: &str) -> Result<OrderReport, SutError> {
        let status = order
            .parse()
            .ok()
            .and_then(|id| self.eim.order(id))
            .ok_or_else(|| refused("report", format!("no order {order}")))?;
        Ok(OrderReport {
            progress: status.state.into(),
            counter: status.counter,
            transaction_id: status.transaction_id,
            outcomes: status.outcomes,
            reason: status.reason,
        })
    }
}

/// The reference eIM's JSON order API over HTTP(S) (the `reference` adapter of a SUT profile).
pub struct ReferenceApiAdapter {
    client: Mutex<HttpClient>,
    config: EimPublicConfig,
}

impl ReferenceApiAdapter {
    /// Connects to the profile's `[api] url`; the eIM identity comes from the profile.
    pub async fn connect(profile: &SutProfile) -> Result<Self, SutError> {
        let tls = profile.api.url.starts_with("https:").then(|| {
            profile
                .tls
                .trusted_certificate_pem
                .as_deref()
                .and_then(|p| pem_der(p).ok())
                .map(TlsClientConfig::pinning)
        });
        let client = HttpClient::connect(&profile.api.url, tls.flatten(), ClientOptions::default())
            .await
            .map_err(|e| SutError::Unreachable(format!("{}: {e}", profile.api.url)))?;
        Ok(ReferenceApiAdapter {
            client: Mutex::new(client),
            config: public_config(profile)?,
        })
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, SutError> {
        let what = format!("{method} {path}");
        let mut headers = Vec::new();
        let bytes = match body {
            Some(v) => {
                headers.push(("Content-Type".to_string(), "application/json".to_string()));
                Bytes::from(v.to_string())
            }
            None => Bytes::new(),
        };
        let response = self
            .client
            .lock()
            .await
            .request(method, path, &headers, bytes)
            .await
            .map_err(|e| SutError::Unreachable(format!("{what}: {e}")))?;
        if !(200..300).contains(&response.status) {
            return Err(SutError::Refused {
                what,
                status: response.status,
                body: String::from_utf8_lossy(&response.body).into_owned(),
            });
        }
        serde_json::from_slice(&response.body).map_err(|e| SutError::Unexpected {
            what,
            detail: e.to_string(),
        })
    }
}

#[async_trait]
impl SutAdapter for ReferenceApiAdapter {
    async fn eim_config(&self) -> Result<EimPublicConfig, SutError> {
        Ok(self.config.clone())
    }

    async fn register(&self, d: &DeviceRegistration) -> Result<(), SutError> {
        let mut body = json!({ "eid": d.eid.to_string(), "counter": d.counter });
        if let Some(t) = d.association_token {
            body["associationToken"] = json!(t);
        }
        if let Some(c) = &d.certificate_der {
            body["certificate"] = json!(hex::encode(c));
        }
        self.call("POST", "/euiccs", Some(body)).await.map(|_| ())
    }

    async fn order(&self, eid: Eid, order: &Order) -> Result<String, SutError> {
        let (path, body) = order_json(eid, order)?;
        let answer = self.call("POST", path, Some(body)).await?;
        answer
            .get("orderId")
            .and_then(Value::as_u64)
            .map(|id| id.to_string())
            .ok_or_else(|| SutError::Unexpected {
                what: format!("POST {path}"),
                detail: format!("no orderId in {answer}"),
            })
    }

    async fn report(&self, order: &str) -> Result<OrderReport, SutError> {
        let path = format!("/orders/{order}");
        let answer = self.call("GET", &path, None).await?;
        serde_json::from_value(answer).map_err(|e| SutError::Unexpected {
            what: format!("GET {path}"),
            detail: e.to_string(),
        })
    }
}

/// The DER of the first PEM block.
pub fn pem_der(text: &str) -> Result<Vec<u8>, SutError> {
    pem::parse(text)
        .map(|p| p.into_contents())
        .map_err(|e| SutError::Profile(format!("bad PEM: {e}")))
}

/// The eIM identity of a SUT profile as a device needs it: the signing certificate, and the
/// TLS trust as trustedPublicKeyDataTls (ESipa over HTTPS, SGP.32 2.11.1).
pub fn public_config(profile: &SutProfile) -> Result<EimPublicConfig, SutError> {
    let signing_cert_der = pem_der(&profile.eim.signing_certificate_pem)?;
    let tls_cert_der = match &profile.tls.trusted_certificate_pem {
        Some(p) => pem_der(p)?,
        None => Vec::new(),
    };
    let mut protocols = Vec::new();
    if profile.esipa.contains_key("https") || profile.esipa.contains_key("http") {
        protocols.push("eimRetrieveHttps".to_string());
    }
    if profile.esipa.contains_key("coaps") || profile.esipa.contains_key("coap") {
        protocols.push("eimRetrieveCoaps".to_string());
    }
    let mut config = EimPublicConfig {
        eim_id: profile.eim.eim_id.clone(),
        eim_fqdn: profile.eim.fqdn.clone(),
        signing_cert_der,
        tls_cert_der,
        supported_protocols: protocols,
        eim_configuration_data: Vec::new(),
    };
    config.eim_configuration_data =
        rasn::der::encode(&config.eim_configuration_data(Some(0), Some(-1)))
            .map_err(|e| SutError::Profile(format!("cannot encode EimConfigurationData: {e}")))?;
    Ok(config)
}

/// An order in the reference eIM's JSON order API: the path and the body.
pub fn order_json(eid: Eid, order: &Order) -> Result<(&'static str, Value), SutError> {
    let eid = eid.to_string();
    Ok(match order {
        Order::Psmos(list) => (
            "/orders/psmo",
            json!({ "eid": eid, "psmos": list.iter().map(psmo_json).collect::<Vec<_>>() }),
        ),
        Order::Ecos(list) => (
            "/orders/eco",
            json!({ "eid": eid, "ecos": list.iter().map(eco_json).collect::<Result<Vec<_>, _>>()? }),
        ),
        Order::EuiccData { tag_list } => (
            "/orders/euicc-data",
            json!({ "eid": eid, "tagList": hex::encode(tag_list) }),
        ),
        Order::DownloadTrigger { activation_code } => (
            "/orders/download",
            json!({ "eid": eid, "activationCode": activation_code }),
        ),
        Order::DefaultSmdpTrigger => (
            "/orders/download",
            json!({ "eid": eid, "contactDefaultSmdp": true }),
        ),
    })
}

fn psmo_json(p: &Psmo) -> Value {
    let iccid = |i: &crate::asn1::rsp::Iccid| json!({ "iccid": i.digits() });
    match p {
        Psmo::Enable(e) => {
            json!({ "enable": { "iccid": e.iccid.digits(), "rollback": e.rollback_flag.is_some() } })
        }
        Psmo::Disable(d) => json!({ "disable": iccid(&d.iccid) }),
        Psmo::Delete(d) => json!({ "delete": iccid(&d.iccid) }),
        Psmo::ListProfileInfo(_) => json!({ "listProfileInfo": {} }),
        Psmo::GetRat(_) => json!({ "getRAT": {} }),
        Psmo::SetFallbackAttribute(d) => json!({ "setFallbackAttribute": iccid(&d.iccid) }),
        Psmo::UnsetFallbackAttribute(_) => json!({ "unsetFallbackAttribute": {} }),
        Psmo::SetDefaultDpAddress(a) => {
            json!({ "setDefaultDpAddress": { "address": a.default_dp_address } })
        }
        Psmo::ConfigureImmediateEnable(c) => {
            let mut v = json!({ "immediateEnable": c.immediate_enable_flag.is_some() });
            if let Some(a) = &c.default_smdp_address {
                v["defaultSmdpAddress"] = json!(a);
            }
            json!({ "configureImmediateEnable": v })
        }
    }
}

fn eim_json(d: &EimConfigurationData) -> Result<Value, SutError> {
    let mut v = json!({ "eimId": d.eim_id });
    if let Some(f) = &d.eim_fqdn {
        v["eimFqdn"] = json!(f);
    }
    if let Some(c) = d.counter_value {
        v["counterValue"] = json!(c);
    }
    if let Some(t) = d.association_token {
        v["associationToken"] = json!(t);
    }
    match &d.eim_public_key_data {
        Some(EimPublicKeyData::EimCertificate(cert)) => {
            let der = rasn::der::encode(cert.as_ref()).map_err(|e| {
                SutError::Profile(format!("cannot encode the eIM certificate: {e}"))
            })?;
            v["eimCertificate"] = json!(hex::encode(der));
        }
        Some(_) => {
            return Err(SutError::Profile(
                "the reference order API takes eIM certificates, not bare public keys".into(),
            ));
        }
        None => {}
    }
    Ok(v)
}

fn eco_json(e: &Eco) -> Result<Value, SutError> {
    Ok(match e {
        Eco::AddEim(d) => json!({ "addEim": eim_json(d)? }),
        Eco::UpdateEim(d) => json!({ "updateEim": eim_json(d)? }),
        Eco::DeleteEim(d) => json!({ "deleteEim": { "eimId": d.eim_id } }),
        Eco::ListEim(_) => json!({ "listEim": {} }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_report_reads_what_the_reference_order_api_writes() {
        let status = crate::eim::OrderStatus {
            id: 7,
            eid: "89049032000000000000000000000260".into(),
            kind: "psmo",
            state: OrderState::Done,
            counter: Some(3),
            transaction_id: "0a0b".into(),
            outcomes: vec![json!({"enable": "ok"})],
            reason: None,
        };
        let report: OrderReport =
            serde_json::from_value(serde_json::to_value(&status).unwrap()).unwrap();
        assert_eq!(report.progress, OrderProgress::Done);
        assert_eq!(report.counter, Some(3));
        assert_eq!(report.transaction_id, "0a0b");
        assert_eq!(report.outcomes, status.outcomes);
    }
}
