//! The order API (the eIM's northbound side): typed views and the JSON routing of
//! [`Eim::handle_api`] (table in the module docs).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::store::{DeviceRecord, OrderRecord, OrderState};
use super::{Eim, EimError};
use crate::asn1::pkix::Certificate;
use crate::asn1::rsp::Iccid;
use crate::asn1::sgp32::{
    Eco, EcoDeleteEim, EcoListEim, EimConfigurationData, EimPublicKeyData, Psmo,
    PsmoConfigureImmediateEnable, PsmoEmpty, PsmoEnable, PsmoIccid, SetDefaultDpAddressRequest,
};
use crate::pki::Eid;

/// An order's state and outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderStatus {
    /// Order id.
    #[serde(rename = "orderId")]
    pub id: u64,
    /// EID, 32 digits.
    pub eid: String,
    /// `psmo`, `eco`, `euicc-data`, `download`.
    pub kind: &'static str,
    /// queued, delivered, done, failed.
    pub state: OrderState,
    /// counterValue of its eUICC Package.
    #[serde(rename = "counterValue", skip_serializing_if = "Option::is_none")]
    pub counter: Option<i64>,
    /// eimTransactionId, hex.
    #[serde(rename = "eimTransactionId")]
    pub transaction_id: String,
    /// One outcome per operation.
    pub outcomes: Vec<Value>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl OrderStatus {
    pub(super) fn new(id: u64, o: &OrderRecord) -> Self {
        OrderStatus {
            id,
            eid: hex::encode(o.eid),
            kind: o.kind.name(),
            state: o.state,
            counter: o.counter,
            transaction_id: hex::encode(o.transaction_id),
            outcomes: o.outcomes.clone(),
            reason: o.reason.clone(),
        }
    }
}

/// A device with its last known state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceStatus {
    /// EID, 32 digits.
    pub eid: String,
    /// The last counterValue used.
    #[serde(rename = "counterValue")]
    pub counter: i64,
    /// associationToken.
    #[serde(rename = "associationToken", skip_serializing_if = "Option::is_none")]
    pub association_token: Option<i64>,
    /// Orders waiting (not counting the outstanding one).
    pub queued: usize,
    /// The order whose package is outstanding.
    #[serde(rename = "outstandingOrder", skip_serializing_if = "Option::is_none")]
    pub outstanding_order: Option<u64>,
    /// notifyStateChange in the last poll.
    #[serde(rename = "notifyStateChange")]
    pub notify_state_change: bool,
    /// Last stateChangeCause.
    #[serde(rename = "stateChangeCause", skip_serializing_if = "Option::is_none")]
    pub state_change_cause: Option<String>,
    /// Last rPLMN, hex.
    #[serde(rename = "rPLMN", skip_serializing_if = "Option::is_none")]
    pub r_plmn: Option<String>,
    /// Unix seconds of the last poll (0: never).
    #[serde(rename = "lastPoll")]
    pub last_poll: u64,
    /// Polls.
    pub polls: u64,
    /// ICCID digits of the profile known to be enabled.
    #[serde(rename = "enabledIccid", skip_serializing_if = "Option::is_none")]
    pub enabled_iccid: Option<String>,
    /// Results accepted.
    #[serde(rename = "resultsAccepted")]
    pub results_accepted: u32,
    /// Results rejected.
    #[serde(rename = "resultsRejected")]
    pub results_rejected: u32,
}

impl DeviceStatus {
    pub(super) fn new(eid: [u8; 16], r: &DeviceRecord) -> Self {
        let s = &r.state;
        DeviceStatus {
            eid: hex::encode(eid),
            counter: r.counter,
            association_token: r.association_token,
            queued: r.queue.len(),
            outstanding_order: r.outstanding.as_ref().map(|o| o.order_id),
            notify_state_change: s.notify_state_change,
            state_change_cause: s.state_change_cause.map(|c| {
                crate::asn1::sgp32::StateChangeCause(c)
                    .name()
                    .map(str::to_string)
                    .unwrap_or_else(|| c.to_string())
            }),
            r_plmn: s.r_plmn.map(hex::encode),
            last_poll: s.last_poll,
            polls: s.polls,
            enabled_iccid: s.enabled_iccid.map(|i| Iccid::new(i).digits()),
            results_accepted: s.results_accepted,
            results_rejected: s.results_rejected,
        }
    }
}

// ----- JSON request bodies -----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    eid: String,
    #[serde(rename = "associationToken", default)]
    association_token: Option<i64>,
    #[serde(default)]
    counter: i64,
    #[serde(default)]
    certificate: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkBody {
    count: u64,
    seed: u64,
    #[serde(rename = "firstIndex", default)]
    first_index: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IccidJson {
    iccid: String,
    #[serde(default)]
    rollback: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddressJson {
    address: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImmediateJson {
    #[serde(rename = "immediateEnable", default)]
    immediate_enable: bool,
    #[serde(rename = "defaultSmdpAddress", default)]
    default_smdp_address: Option<String>,
}

#[derive(Deserialize)]
enum PsmoJson {
    #[serde(rename = "enable")]
    Enable(IccidJson),
    #[serde(rename = "disable")]
    Disable(IccidJson),
    #[serde(rename = "delete")]
    Delete(IccidJson),
    #[serde(rename = "listProfileInfo")]
    ListProfileInfo(Empty),
    #[serde(rename = "getRAT")]
    GetRat(Empty),
    #[serde(rename = "setFallbackAttribute")]
    SetFallbackAttribute(IccidJson),
    #[serde(rename = "unsetFallbackAttribute")]
    UnsetFallbackAttribute(Empty),
    #[serde(rename = "setDefaultDpAddress")]
    SetDefaultDpAddress(AddressJson),
    #[serde(rename = "configureImmediateEnable")]
    ConfigureImmediateEnable(ImmediateJson),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EimJson {
    #[serde(rename = "eimId")]
    eim_id: String,
    #[serde(rename = "eimFqdn", default)]
    eim_fqdn: Option<String>,
    #[serde(rename = "counterValue", default)]
    counter_value: Option<i64>,
    #[serde(rename = "associationToken", default)]
    association_token: Option<i64>,
    #[serde(rename = "eimCertificate", default)]
    eim_certificate: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EimIdJson {
    #[serde(rename = "eimId")]
    eim_id: String,
}

#[derive(Deserialize)]
#[allow(clippy::enum_variant_names)] // the eCO names of SGP.32
enum EcoJson {
    #[serde(rename = "addEim")]
    AddEim(EimJson),
    #[serde(rename = "updateEim")]
    UpdateEim(EimJson),
    #[serde(rename = "deleteEim")]
    DeleteEim(EimIdJson),
    #[serde(rename = "listEim")]
    ListEim(Empty),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PsmoOrder {
    eid: String,
    psmos: Vec<PsmoJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EcoOrder {
    eid: String,
    ecos: Vec<EcoJson>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DataOrder {
    eid: String,
    #[serde(rename = "tagList")]
    tag_list: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DownloadOrder {
    eid: String,
    /// The activation code, or:
    #[serde(rename = "activationCode", default)]
    activation_code: Option<String>,
    /// `true`: contactDefaultSmdp (the eUICC's default SM-DP+).
    #[serde(rename = "contactDefaultSmdp", default)]
    contact_default_smdp: bool,
}

type Answer = (u16, Vec<u8>);

fn reply(status: u16, value: Value) -> Answer {
    (status, serde_json::to_vec(&value).unwrap_or_default())
}

fn error(status: u16, message: impl std::fmt::Display) -> Answer {
    reply(status, json!({ "error": message.to_string() }))
}

fn from_eim_error(e: EimError) -> Answer {
    match e {
        EimError::UnknownEid(_) => error(404, e),
        _ => error(400, e),
    }
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, Answer> {
    serde_json::from_slice(body).map_err(|e| error(400, format!("bad JSON: {e}")))
}

fn eid(text: &str) -> Result<Eid, Answer> {
    let eid = Eid::from_digits(text).map_err(|e| error(400, e))?;
    if eid.is_valid() {
        Ok(eid)
    } else {
        Err(error(400, format!("EID {text} has wrong check digits")))
    }
}

fn iccid(text: &str) -> Result<Iccid, Answer> {
    Iccid::from_digits(text).ok_or_else(|| error(400, format!("bad ICCID {text:?}")))
}

fn hex_bytes(what: &str, text: &str) -> Result<Vec<u8>, Answer> {
    hex::decode(text).map_err(|e| error(400, format!("{what}: {e}")))
}

fn psmo(p: PsmoJson) -> Result<Psmo, Answer> {
    let with = |j: IccidJson| -> Result<PsmoIccid, Answer> {
        Ok(PsmoIccid {
            iccid: iccid(&j.iccid)?,
            extensions: Default::default(),
        })
    };
    Ok(match p {
        PsmoJson::Enable(j) => Psmo::Enable(PsmoEnable {
            iccid: iccid(&j.iccid)?,
            rollback_flag: j.rollback.then_some(()),
            extensions: Default::default(),
        }),
        PsmoJson::Disable(j) => Psmo::Disable(with(j)?),
        PsmoJson::Delete(j) => Psmo::Delete(with(j)?),
        PsmoJson::ListProfileInfo(_) => Psmo::ListProfileInfo(Box::default()),
        PsmoJson::GetRat(_) => Psmo::GetRat(PsmoEmpty::default()),
        PsmoJson::SetFallbackAttribute(j) => Psmo::SetFallbackAttribute(with(j)?),
        PsmoJson::UnsetFallbackAttribute(_) => Psmo::UnsetFallbackAttribute(PsmoEmpty::default()),
        PsmoJson::SetDefaultDpAddress(a) => Psmo::SetDefaultDpAddress(SetDefaultDpAddressRequest {
            default_dp_address: a.address,
            extensions: Default::default(),
        }),
        PsmoJson::ConfigureImmediateEnable(i) => {
            Psmo::ConfigureImmediateEnable(PsmoConfigureImmediateEnable {
                immediate_enable_flag: i.immediate_enable.then_some(()),
                default_smdp_address: i.default_smdp_address,
                ..Default::default()
            })
        }
    })
}

fn eim_data(j: EimJson) -> Result<Box<EimConfigurationData>, Answer> {
    let cert = match j.eim_certificate {
        Some(h) => {
            let der = hex_bytes("eimCertificate", &h)?;
            Some(EimPublicKeyData::EimCertificate(Box::new(
                Certificate::from_der(&der)
                    .map_err(|e| error(400, format!("eimCertificate: {e}")))?,
            )))
        }
        None => None,
    };
    Ok(Box::new(EimConfigurationData {
        eim_id: j.eim_id,
        eim_fqdn: j.eim_fqdn,
        counter_value: j.counter_value,
        association_token: j.association_token,
        eim_public_key_data: cert,
        ..Default::default()
    }))
}

fn eco(e: EcoJson) -> Result<Eco, Answer> {
    Ok(match e {
        EcoJson::AddEim(j) => Eco::AddEim(eim_data(j)?),
        EcoJson::UpdateEim(j) => Eco::UpdateEim(eim_data(j)?),
        EcoJson::DeleteEim(d) => Eco::DeleteEim(EcoDeleteEim {
            eim_id: d.eim_id,
            extensions: Default::default(),
        }),
        EcoJson::ListEim(_) => Eco::ListEim(EcoListEim::default()),
    })
}

/// `offset` and `limit` from a query string.
fn paging(query: &str) -> Result<(usize, usize), Answer> {
    let (mut offset, mut limit) = (0usize, 100usize);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let n: usize = v
            .parse()
            .map_err(|_| error(400, format!("{k} must be a number")))?;
        match k {
            "offset" => offset = n,
            "limit" => limit = n.min(10_000),
            _ => return Err(error(400, format!("unknown parameter {k}"))),
        }
    }
    Ok((offset, limit))
}

impl Eim {
    /// The order API as JSON over HTTP: method, path (with query), body -> status and JSON.
    pub fn handle_api(&self, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
        match self.route(method, path, body) {
            Ok(a) | Err(a) => a,
        }
    }

    fn route(&self, method: &str, path: &str, body: &[u8]) -> Result<Answer, Answer> {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let order_id = path
            .strip_prefix("/orders/")
            .and_then(|s| s.parse::<u64>().ok());
        let known = matches!(
            path,
            "/config"
                | "/euiccs"
                | "/euiccs/bulk"
                | "/orders/psmo"
                | "/orders/eco"
                | "/orders/euicc-data"
                | "/orders/download"
        ) || order_id.is_some();
        if !known {
            return Err(error(404, format!("no route {path}")));
        }
        let created = |id: u64| reply(201, json!({ "orderId": id }));
        match (method, path) {
            ("GET", "/config") => Ok(reply(
                200,
                serde_json::to_value(self.config()).unwrap_or(Value::Null),
            )),
            ("POST", "/euiccs") => {
                let b: RegisterBody = parse(body)?;
                let e = eid(&b.eid)?;
                let cert = b
                    .certificate
                    .map(|h| hex_bytes("certificate", &h))
                    .transpose()?;
                let new = self
                    .register_euicc(e, b.association_token, b.counter, cert)
                    .map_err(from_eim_error)?;
                Ok(reply(201, json!({ "eid": e.to_string(), "created": new })))
            }
            ("POST", "/euiccs/bulk") => {
                let b: BulkBody = parse(body)?;
                let (first, last) = self
                    .register_range(b.count, b.seed, b.first_index)
                    .map_err(from_eim_error)?;
                Ok(reply(
                    201,
                    json!({ "registered": b.count, "firstEid": first.to_string(), "lastEid": last.to_string() }),
                ))
            }
            ("GET", "/euiccs") => {
                let (offset, limit) = paging(query)?;
                let devices = self.devices(offset, limit);
                Ok(reply(
                    200,
                    json!({ "total": self.store.device_count(), "devices": devices }),
                ))
            }
            ("POST", "/orders/psmo") => {
                let b: PsmoOrder = parse(body)?;
                let e = eid(&b.eid)?;
                let list = b.psmos.into_iter().map(psmo).collect::<Result<_, _>>()?;
                Ok(created(self.order_psmos(e, list).map_err(from_eim_error)?))
            }
            ("POST", "/orders/eco") => {
                let b: EcoOrder = parse(body)?;
                let e = eid(&b.eid)?;
                let list = b.ecos.into_iter().map(eco).collect::<Result<_, _>>()?;
                Ok(created(self.order_ecos(e, list).map_err(from_eim_error)?))
            }
            ("POST", "/orders/euicc-data") => {
                let b: DataOrder = parse(body)?;
                let e = eid(&b.eid)?;
                let tags = hex_bytes("tagList", &b.tag_list)?;
                Ok(created(
                    self.order_euicc_data(e, tags).map_err(from_eim_error)?,
                ))
            }
            ("POST", "/orders/download") => {
                let b: DownloadOrder = parse(body)?;
                let e = eid(&b.eid)?;
                let id = match (b.activation_code, b.contact_default_smdp) {
                    (Some(ac), false) => self.order_download_trigger(e, ac),
                    (None, true) => self.order_default_smdp_trigger(e),
                    _ => {
                        return Err(error(
                            400,
                            "give either activationCode or contactDefaultSmdp: true",
                        ));
                    }
                };
                Ok(created(id.map_err(from_eim_error)?))
            }
            ("GET", _) if order_id.is_some() => {
                let id = order_id.unwrap_or_default();
                match self.order(id) {
                    Some(s) => Ok(reply(200, serde_json::to_value(s).unwrap_or(Value::Null))),
                    None => Err(error(404, format!("no order {id}"))),
                }
            }
            _ => Err(error(405, format!("{method} not allowed on {path}"))),
        }
    }
}
