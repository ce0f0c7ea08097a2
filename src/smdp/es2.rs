//! ES2+ (SGP.22 5.3): the operator's orders. Typed functions on [`Smdp`] and their JSON
//! binding ([`Smdp::handle_es2_json`], SGP.22 6.5.2.1, `POST /gsma/rsp2/es2plus/<function>`).
//!
//! | Function | Request fields | Answer fields |
//! |---|---|---|
//! | downloadOrder | `eid`?, `iccid`? \| `profileType`? | `iccid` |
//! | confirmOrder | `iccid`, `eid`?, `matchingId`?, `confirmationCode`?, `smdsAddress`?, `releaseFlag` | `eid`?, `matchingId`, `smdpAddress`, `activationCode` (harness extension) |
//! | cancelOrder | `iccid`, `eid`?, `matchingId`?, `finalProfileStatusIndicator`? | |
//! | releaseProfile | `iccid` | |
//!
//! Requests may carry `header {functionRequesterIdentifier, functionCallIdentifier}` (accepted,
//! not required). Status codes (SGP.22 5.3.1-5.3.4 as read; the generic 1.1 ones are a
//! harness **choice**): EID malformed or wrong check digits 8.1.1/2.1; ICCID malformed
//! 8.2.1/2.1; ICCID already ordered 8.2.1/3.3; ICCID unknown 8.2.1/3.9; unknown profile type
//! 8.2.5/3.9; pool exhausted 8.2.5/4.3; an order in a state the function can't leave
//! 8.2.1/3.5 (invalid transition); matchingId already used 8.2.6/3.3; EID different from the
//! order's 8.1.1/3.10; neither `iccid` nor `profileType` 1.1/2.2.

use serde_json::{Map, Value, json};

use super::es9_json::{JsonAnswer, field_str};
use super::{DEFAULT_PROFILE_TYPE, Order, OrderState, Smdp, Status, order_profile};
use crate::asn1::rsp::Iccid;
use crate::pki::Eid;

/// DownloadOrder input (SGP.22 5.3.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DownloadOrder {
    pub eid: Option<String>,
    pub iccid: Option<String>,
    pub profile_type: Option<String>,
}

/// ConfirmOrder input (SGP.22 5.3.2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfirmOrder {
    pub iccid: String,
    pub eid: Option<String>,
    pub matching_id: Option<String>,
    pub confirmation_code: Option<String>,
    pub release_flag: bool,
}

/// ConfirmOrder output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirmed {
    pub eid: Option<String>,
    pub matching_id: String,
    pub smdp_address: String,
    /// `1$ADDRESS$MATCHINGID` (SGP.22 4.1).
    pub activation_code: String,
}

fn parse_eid(eid: &str) -> Result<Eid, Status> {
    Eid::from_digits(eid)
        .ok()
        .filter(Eid::is_valid)
        .ok_or_else(|| Status::new("8.1.1", "2.1", "EID - Invalid"))
}

fn parse_iccid(iccid: &str) -> Result<Iccid, Status> {
    let digits = iccid.trim_end_matches(['F', 'f']);
    Iccid::from_digits(digits).ok_or_else(|| Status::new("8.2.1", "2.1", "Profile ICCID - Invalid"))
}

fn transition() -> Status {
    Status::new("8.2.1", "3.5", "Profile ICCID - Invalid transition")
}

fn unknown_iccid() -> Status {
    Status::new("8.2.1", "3.9", "Profile ICCID - Unknown")
}

impl Smdp {
    /// SGP.22 5.3.1 ES2+.DownloadOrder: returns the ICCID.
    pub fn download_order(&self, req: &DownloadOrder) -> Result<String, Status> {
        let eid = req.eid.as_deref().map(parse_eid).transpose()?;
        let mut st = self.lock();
        let (iccid, profile_type) = match (&req.iccid, &req.profile_type) {
            (Some(iccid), _) => {
                let parsed = parse_iccid(iccid)?;
                let digits = parsed.digits();
                if st.orders.contains_key(&digits) {
                    return Err(Status::new(
                        "8.2.1",
                        "3.3",
                        "Profile ICCID - Already in use",
                    ));
                }
                (parsed, req.profile_type.clone())
            }
            (None, Some(t)) => {
                if !self.config.profile_types.iter().any(|p| p == t) {
                    return Err(Status::new("8.2.5", "3.9", "Profile Type - Unknown"));
                }
                let digits = self.next_iccid(&mut st).ok_or_else(|| {
                    Status::new("8.2.5", "4.3", "Profile Type - No eligible profile")
                })?;
                let parsed = parse_iccid(&digits)?;
                (parsed, Some(t.clone()))
            }
            (None, None) => {
                return Err(Status::new(
                    "1.1",
                    "2.2",
                    "Mandatory Element Missing: iccid or profileType",
                ));
            }
        };
        let digits = iccid.digits();
        let name = profile_type
            .clone()
            .unwrap_or_else(|| DEFAULT_PROFILE_TYPE.into());
        let order = Order {
            iccid: digits.clone(),
            eid,
            profile_type,
            matching_id: None,
            confirmation_code: None,
            state: OrderState::Allocated,
            profile: order_profile(&iccid, &name),
            transaction_id: None,
        };
        st.orders.insert(digits.clone(), order);
        Ok(digits)
    }

    /// What an operator does to let one eUICC download a profile: DownloadOrder of the default
    /// profile type for `eid`, then ConfirmOrder with `matching_id`, released. Returns the
    /// ICCID and the confirmation (with the activation code).
    pub fn order_released(
        &self,
        eid: &crate::pki::Eid,
        matching_id: &str,
    ) -> Result<(String, Confirmed), Status> {
        let iccid = self.download_order(&DownloadOrder {
            eid: Some(eid.digits()),
            iccid: None,
            profile_type: Some(super::DEFAULT_PROFILE_TYPE.into()),
        })?;
        let confirmed = self.confirm_order(&ConfirmOrder {
            iccid: iccid.clone(),
            eid: None,
            matching_id: Some(matching_id.into()),
            confirmation_code: None,
            release_flag: true,
        })?;
        Ok((iccid, confirmed))
    }

    /// SGP.22 5.3.2 ES2+.ConfirmOrder: links the order to a matchingId (generated when not
    /// given) and, with `release_flag`, releases it.
    pub fn confirm_order(&self, req: &ConfirmOrder) -> Result<Confirmed, Status> {
        let iccid = parse_iccid(&req.iccid)?.digits();
        let eid = req.eid.as_deref().map(parse_eid).transpose()?;
        let mut st = self.lock();
        let state = st.orders.get(&iccid).ok_or_else(unknown_iccid)?.state;
        if state != OrderState::Allocated {
            return Err(transition());
        }
        let matching_id = match req.matching_id.as_deref().filter(|m| !m.is_empty()) {
            Some(m) => {
                if st.matching_ids.contains_key(m) {
                    return Err(Status::new("8.2.6", "3.3", "Matching ID - Already in use"));
                }
                m.to_string()
            }
            None => loop {
                st.next_matching_id += 1;
                let r = super::random16();
                let m = format!(
                    "{}-{:05}",
                    hex::encode_upper(&r[..6]),
                    st.next_matching_id % 100_000
                );
                if !st.matching_ids.contains_key(&m) {
                    break m;
                }
            },
        };
        let Some(order) = st.orders.get_mut(&iccid) else {
            return Err(unknown_iccid());
        };
        match (order.eid, eid) {
            (Some(a), Some(b)) if a != b => {
                return Err(Status::new("8.1.1", "3.10", "EID - Invalid association"));
            }
            (None, Some(b)) => order.eid = Some(b),
            _ => {}
        }
        order.matching_id = Some(matching_id.clone());
        order.confirmation_code = req.confirmation_code.clone().filter(|c| !c.is_empty());
        order.state = if req.release_flag {
            OrderState::Released
        } else {
            OrderState::Confirmed
        };
        let eid = order.eid.map(|e| e.digits());
        st.matching_ids.insert(matching_id.clone(), iccid);
        Ok(Confirmed {
            eid,
            activation_code: self.activation_code(&matching_id),
            matching_id,
            smdp_address: self.config.address.clone(),
        })
    }

    /// SGP.22 5.3.3 ES2+.CancelOrder.
    pub fn cancel_order(
        &self,
        iccid: &str,
        eid: Option<&str>,
        matching_id: Option<&str>,
    ) -> Result<(), Status> {
        let iccid = parse_iccid(iccid)?.digits();
        let eid = eid.map(parse_eid).transpose()?;
        let mut st = self.lock();
        let order = st.orders.get_mut(&iccid).ok_or_else(unknown_iccid)?;
        if let (Some(a), Some(b)) = (order.eid, eid)
            && a != b
        {
            return Err(Status::new("8.1.1", "3.10", "EID - Invalid association"));
        }
        if let Some(m) = matching_id
            && order.matching_id.as_deref() != Some(m)
        {
            return Err(Status::new(
                "8.2.6",
                "3.10",
                "Matching ID - Invalid association",
            ));
        }
        if matches!(
            order.state,
            OrderState::Installed | OrderState::Cancelled | OrderState::Downloaded
        ) {
            return Err(transition());
        }
        order.state = OrderState::Cancelled;
        if let Some(m) = order.matching_id.clone() {
            st.matching_ids.remove(&m);
        }
        Ok(())
    }

    /// SGP.22 5.3.4 ES2+.ReleaseProfile: a confirmed order becomes downloadable.
    pub fn release_profile(&self, iccid: &str) -> Result<(), Status> {
        let iccid = parse_iccid(iccid)?.digits();
        let mut st = self.lock();
        let order = st.orders.get_mut(&iccid).ok_or_else(unknown_iccid)?;
        if order.state != OrderState::Confirmed {
            return Err(transition());
        }
        order.state = OrderState::Released;
        Ok(())
    }

    /// The ES2+ JSON binding: `function` is the last path segment, `body` the request.
    pub fn handle_es2_json(&self, function: &str, body: &[u8]) -> JsonAnswer {
        let obj: Map<String, Value> = match serde_json::from_slice(body) {
            Ok(Value::Object(o)) => o,
            _ => {
                return JsonAnswer::failed(Status::new(
                    "1.1",
                    "2.1",
                    "Invalid: the body is not a JSON object",
                ));
            }
        };
        let result = match function {
            "downloadOrder" => (|| {
                let req = DownloadOrder {
                    eid: opt_str(&obj, "eid")?,
                    iccid: opt_str(&obj, "iccid")?,
                    profile_type: opt_str(&obj, "profileType")?,
                };
                let iccid = self.download_order(&req)?;
                Ok(json!({ "iccid": iccid }))
            })(),
            "confirmOrder" => (|| {
                let release_flag = match obj.get("releaseFlag") {
                    Some(Value::Bool(b)) => *b,
                    None => {
                        return Err(Status::new(
                            "1.1",
                            "2.2",
                            "Mandatory Element Missing: releaseFlag",
                        ));
                    }
                    Some(_) => return Err(Status::new("1.1", "2.1", "Invalid: releaseFlag")),
                };
                let req = ConfirmOrder {
                    iccid: field_str(&obj, "iccid")?.to_string(),
                    eid: opt_str(&obj, "eid")?,
                    matching_id: opt_str(&obj, "matchingId")?,
                    confirmation_code: opt_str(&obj, "confirmationCode")?,
                    release_flag,
                };
                let c = self.confirm_order(&req)?;
                let mut out = Map::new();
                if let Some(eid) = c.eid {
                    out.insert("eid".into(), Value::String(eid));
                }
                out.insert("matchingId".into(), Value::String(c.matching_id));
                out.insert("smdpAddress".into(), Value::String(c.smdp_address));
                out.insert("activationCode".into(), Value::String(c.activation_code));
                Ok(Value::Object(out))
            })(),
            "cancelOrder" => (|| {
                self.cancel_order(
                    field_str(&obj, "iccid")?,
                    opt_str(&obj, "eid")?.as_deref(),
                    opt_str(&obj, "matchingId")?.as_deref(),
                )?;
                Ok(json!({}))
            })(),
            "releaseProfile" => (|| {
                self.release_profile(field_str(&obj, "iccid")?)?;
                Ok(json!({}))
            })(),
            _ => return JsonAnswer::not_found(),
        };
        match result {
            Ok(Value::Object(o)) => JsonAnswer::success(o),
            Ok(_) => JsonAnswer::success(Map::new()),
            Err(s) => JsonAnswer::failed(s),
        }
    }
}

fn opt_str(obj: &Map<String, Value>, name: &str) -> Result<Option<String>, Status> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Status::new("1.1", "2.1", format!("Invalid: {name}"))),
    }
}
