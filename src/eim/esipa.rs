//! ESipa handling of the eIM (SGP.32 6.3.2): [`Eim::handle_esipa`].

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::SystemTime;

use rasn::types::{FixedOctetString, OctetString};
use serde_json::{Value, json};

use super::store::{
    CertRef, DeviceCert, DeviceRecord, OrderKind, OrderState, Outstanding, Queued, StoredEuiccInfo,
};
use super::{Eim, EimFault, EsipaAnswer, NOTIFICATION_LOG, NotificationRecord};
use crate::asn1::rsp::{FinalResult, TransactionId};
use crate::asn1::sgp32::{
    Eco, EimAcknowledgements, EimPackageResult, EmptyResponse, EsipaMessageFromEimToIpa,
    EsipaMessageFromIpaToEim, EuiccPackage, EuiccPackageRequest, EuiccPackageResult,
    EuiccPackageResultChoice, EuiccPackageSigned, EuiccResultData, GetEimPackageError,
    GetEimPackageRequest, GetEimPackageResponse, GetEimPackageResponseChoice,
    HandleNotificationEsipaChoice, IpaEuiccDataResponseChoice, PendingNotification,
    ProfileDownloadData, ProfileDownloadTriggerRequest, ProfileDownloadTriggerResultData,
    ProvideEimPackageResult, ProvideEimPackageResultError, ProvideEimPackageResultResponse,
    ProvideEimPackageResultResponseChoice, Psmo, SequenceNumber, association_token_tlv,
    eim_signed_data, received_euicc_package_result_data,
};
use crate::asn1::tlv::{Tlv, children};
use crate::crypto::{VerifyingKey, provider, raw_to_der};
use crate::pki::{ChainError, Eid, check_euicc_chain};

/// The TLV at the start of `bytes`, if it parses ([`crate::asn1::tlv::split`]).
fn split_tlv(bytes: &[u8]) -> Option<Tlv<'_>> {
    crate::asn1::tlv::split(bytes).ok()
}

/// For a body that did not decode: a 'BF4F' whose content lacks '5A' is missingEid (4), one
/// whose '5A' is not 16 bytes is invalidEid (3).
fn get_eim_package_eid_problem(body: &[u8]) -> Option<i64> {
    let tlv = split_tlv(body)?;
    if tlv.tag != [0xbf, 0x4f] || tlv.whole.len() != body.len() {
        return None;
    }
    match children(tlv.content).iter().find(|c| c.tag == [0x5a]) {
        None => Some(GetEimPackageError::MISSING_EID.0),
        Some(e) if e.content.len() != 16 => Some(GetEimPackageError::INVALID_EID.0),
        Some(_) => None,
    }
}

/// The raw 'BF51' EuiccPackageResult inside a raw 'BF50' ProvideEimPackageResult.
fn raw_epr(bf50: &[u8]) -> Option<&[u8]> {
    let tlv = split_tlv(bf50)?;
    let alternative = children(tlv.content)
        .into_iter()
        .find(|c| c.tag != [0x5a])?;
    match alternative.tag {
        [0xbf, 0x51] => Some(alternative.whole),
        [0x30] => split_tlv(alternative.content)
            .filter(|t| t.tag == [0xbf, 0x51])
            .map(|t| t.whole),
        _ => None,
    }
}

/// Whether a tag list (concatenated BER tags) names at least one element of IpaEuiccData
/// (SGP.32 2.11.1.3: A0 81 A2 BF20 BF22 83 84 A5 A6 A8 A9; 87 is the eIM's own).
fn names_ipa_euicc_data(tag_list: &[u8]) -> bool {
    const ELEMENTS: [&[u8]; 11] = [
        &[0xA0],
        &[0x81],
        &[0xA2],
        &[0xBF, 0x20],
        &[0xBF, 0x22],
        &[0x83],
        &[0x84],
        &[0xA5],
        &[0xA6],
        &[0xA8],
        &[0xA9],
    ];
    let mut rest = tag_list;
    while let Some(&first) = rest.first() {
        let mut len = 1;
        if first & 0x1f == 0x1f {
            while rest.get(len).is_some_and(|b| b & 0x80 != 0) {
                len += 1;
            }
            len += 1;
        }
        let (tag, tail) = rest.split_at(len.min(rest.len()));
        if ELEMENTS.contains(&tag) {
            return true;
        }
        rest = tail;
    }
    false
}

fn encode(message: EsipaMessageFromEimToIpa) -> Vec<u8> {
    rasn::der::encode(&message).unwrap_or_default()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The seqNumber of a pending notification.
fn notification_seq(n: &PendingNotification) -> (i64, &'static str) {
    match n {
        PendingNotification::ProfileInstallationResult(p) => (
            p.profile_installation_result_data
                .notification_metadata
                .seq_number,
            "profileInstallationResult",
        ),
        PendingNotification::OtherSignedNotification(o) => (
            o.tbs_other_notification.seq_number,
            "otherSignedNotification",
        ),
        PendingNotification::CompactProfileInstallationResult(p) => (
            p.compact_profile_installation_result_data.seq_number,
            "compactProfileInstallationResult",
        ),
        PendingNotification::CompactOtherSignedNotification(o) => (
            o.tbs_other_notification.seq_number,
            "compactOtherSignedNotification",
        ),
    }
}

/// The eimTransactionId a result carries.
fn result_transaction_id(result: &EimPackageResult) -> Option<Vec<u8>> {
    let from_epr = |e: &EuiccPackageResult| match &e.0 {
        EuiccPackageResultChoice::EuiccPackageResultSigned(s) => s
            .euicc_package_result_data_signed
            .eim_transaction_id
            .as_ref()
            .map(|t| t.to_vec()),
        EuiccPackageResultChoice::EuiccPackageErrorSigned(s) => s
            .euicc_package_error_data_signed
            .eim_transaction_id
            .as_ref()
            .map(|t| t.to_vec()),
        EuiccPackageResultChoice::EuiccPackageErrorUnsigned(u) => {
            u.eim_transaction_id.as_ref().map(|t| t.to_vec())
        }
    };
    match result {
        EimPackageResult::EuiccPackageResult(e) => from_epr(e),
        EimPackageResult::EprAndNotifications(e) => from_epr(&e.euicc_package_result),
        EimPackageResult::IpaEuiccDataResponse(r) => match &r.0 {
            IpaEuiccDataResponseChoice::IpaEuiccData(d) => {
                d.eim_transaction_id.as_ref().map(|t| t.to_vec())
            }
            IpaEuiccDataResponseChoice::IpaEuiccDataResponseError(e) => {
                e.eim_transaction_id.as_ref().map(|t| t.to_vec())
            }
        },
        EimPackageResult::ProfileDownloadTriggerResult(r) => {
            r.eim_transaction_id.as_ref().map(|t| t.to_vec())
        }
        EimPackageResult::EimPackageResultResponseError(e) => {
            e.eim_transaction_id.as_ref().map(|t| t.to_vec())
        }
    }
}

/// A change to the device record, applied when a result is accepted.
pub(super) type Apply = Box<dyn FnOnce(&mut DeviceRecord) + Send>;

/// What processing a result decided. An accepted result with a `reason` is an authentic
/// result whose operations reported errors (SGP.32 2.11.2.1): the device record follows it,
/// the order fails with the eUICC's codes.
pub(super) struct Verdict {
    pub(super) accepted: bool,
    pub(super) outcomes: Vec<Value>,
    pub(super) reason: Option<String>,
    /// Applied to the device record when accepted.
    pub(super) apply: Option<Apply>,
}

impl Verdict {
    pub(super) fn failed(reason: impl Into<String>) -> Self {
        Verdict {
            accepted: false,
            outcomes: Vec::new(),
            reason: Some(reason.into()),
            apply: None,
        }
    }
}

/// A snapshot of the device taken before the (lock-free) checks.
struct Snapshot {
    outstanding: Option<Box<Outstanding>>,
    token: Option<i64>,
    cert: CertRef,
    last_txid: Option<[u8; 16]>,
}

/// The known enabled profile after an accepted PSMO list.
fn enabled_after(
    psmos: &[Psmo],
    results: &[EuiccResultData],
    mut enabled: Option<[u8; 10]>,
) -> Option<[u8; 10]> {
    use crate::asn1::sgp32::{
        DeleteProfileResult, DisableProfileResult, EnableProfileResult, RollbackProfileResult,
    };
    // A rolled-back package (ProfileRollback's result: the package's results followed by
    // rollbackResult ok) left the profile enabled before it in place.
    if results
        .iter()
        .any(|r| *r == EuiccResultData::RollbackResult(RollbackProfileResult::OK))
    {
        return enabled;
    }
    for (p, r) in psmos.iter().zip(results) {
        match (p, r) {
            (Psmo::Enable(e), EuiccResultData::EnableResult(EnableProfileResult::OK)) => {
                enabled = Some(*e.iccid.0);
            }
            (Psmo::Disable(d), EuiccResultData::DisableResult(DisableProfileResult::OK))
            | (Psmo::Delete(d), EuiccResultData::DeleteResult(DeleteProfileResult::OK))
                if enabled == Some(*d.iccid.0) =>
            {
                enabled = None;
            }
            _ => {}
        }
    }
    enabled
}

/// The operations of a result that did not succeed (SGP.32 2.11.2.1), as
/// `N: resultName codeName(code)` (1-based). Success is `ok`, a list, the RAT, an association
/// token, or lastEimDeleted (the eIM was deleted, it was the last one); processingTerminated
/// is always an error.
fn operation_errors(results: &[EuiccResultData]) -> Vec<String> {
    use crate::asn1::sgp32::{
        AddEimResult, DeleteEimResult, ListEimResult, ProfileInfoListResponseChoice,
    };
    let code = |name: &str, ok: bool, text: String| (!ok).then(|| format!("{name} {text}"));
    results
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let error = match r {
                EuiccResultData::EnableResult(c) => code("enableResult", c.0 == 0, c.to_string()),
                EuiccResultData::DisableResult(c) => code("disableResult", c.0 == 0, c.to_string()),
                EuiccResultData::DeleteResult(c) => code("deleteResult", c.0 == 0, c.to_string()),
                EuiccResultData::ListProfileInfoResult(l) => match &l.0 {
                    ProfileInfoListResponseChoice::ProfileInfoListOk(_) => None,
                    ProfileInfoListResponseChoice::ProfileInfoListError(e) => {
                        code("listProfileInfoResult", false, e.to_string())
                    }
                },
                EuiccResultData::GetRatResult(_) => None,
                EuiccResultData::ConfigureImmediateEnableResult(c) => {
                    code("configureImmediateEnableResult", c.0 == 0, c.to_string())
                }
                EuiccResultData::AddEimResult(AddEimResult::AssociationToken(_)) => None,
                EuiccResultData::AddEimResult(AddEimResult::AddEimResultCode(c)) => {
                    code("addEimResult", c.0 == 0, c.to_string())
                }
                EuiccResultData::DeleteEimResult(c) => code(
                    "deleteEimResult",
                    c.0 == 0 || *c == DeleteEimResult::LAST_EIM_DELETED,
                    c.to_string(),
                ),
                EuiccResultData::UpdateEimResult(c) => {
                    code("updateEimResult", c.0 == 0, c.to_string())
                }
                EuiccResultData::ListEimResult(ListEimResult::EimIdList(_)) => None,
                EuiccResultData::ListEimResult(ListEimResult::ListEimError(e)) => {
                    code("listEimResult", false, e.to_string())
                }
                EuiccResultData::RollbackResult(c) => {
                    code("rollbackResult", c.0 == 0, c.to_string())
                }
                EuiccResultData::SetFallbackAttributeResult(c) => {
                    code("setFallbackAttributeResult", c.0 == 0, c.to_string())
                }
                EuiccResultData::UnsetFallbackAttributeResult(c) => {
                    code("unsetFallbackAttributeResult", c.0 == 0, c.to_string())
                }
                EuiccResultData::ProcessingTerminated(c) => {
                    code("processingTerminated", false, c.to_string())
                }
                EuiccResultData::SetDefaultDpAddressResult(r) => {
                    let c = r.set_default_dp_address_result;
                    code("setDefaultDpAddressResult", c.0 == 0, c.to_string())
                }
            };
            error.map(|e| format!("{}: {e}", i + 1))
        })
        .collect()
}

/// With `result-data-dropped`: an outcome `{"name": data}` whose data is structured (a profile
/// list, the RAT, an eIM list, an association token) keeps only its name.
fn drop_result_data(outcome: &mut Value) {
    if let Some(map) = outcome.as_object_mut() {
        for v in map.values_mut() {
            if v.is_object() || v.is_array() {
                *v = Value::Null;
            }
        }
    }
}

/// With `wrong-operation`: the PSMO a buggy eIM puts in the package instead of `p` (another
/// alternative of the CHOICE).
fn wrong_psmo(p: &Psmo) -> Psmo {
    use crate::asn1::sgp32::{PsmoEnable, PsmoIccid};
    match p {
        Psmo::Enable(e) => Psmo::Disable(PsmoIccid {
            iccid: e.iccid.clone(),
            extensions: Default::default(),
        }),
        Psmo::Disable(d) | Psmo::Delete(d) => Psmo::Enable(PsmoEnable {
            iccid: d.iccid.clone(),
            rollback_flag: None,
            extensions: Default::default(),
        }),
        Psmo::ListProfileInfo(_) | Psmo::SetFallbackAttribute(_) => {
            Psmo::GetRat(Default::default())
        }
        Psmo::GetRat(_)
        | Psmo::UnsetFallbackAttribute(_)
        | Psmo::SetDefaultDpAddress(_)
        | Psmo::ConfigureImmediateEnable(_) => Psmo::ListProfileInfo(Box::default()),
    }
}

/// With `wrong-operation`: the eCO a buggy eIM puts in the package instead of `e`.
fn wrong_eco(e: &Eco) -> Eco {
    use crate::asn1::sgp32::{EcoDeleteEim, EcoListEim};
    match e {
        Eco::AddEim(c) => Eco::UpdateEim(c.clone()),
        Eco::UpdateEim(c) => Eco::AddEim(c.clone()),
        Eco::DeleteEim(_) => Eco::ListEim(EcoListEim::default()),
        Eco::ListEim(_) => Eco::DeleteEim(EcoDeleteEim {
            eim_id: "no-such-eim".into(),
            extensions: Default::default(),
        }),
    }
}

impl Eim {
    /// SGP.32 6.3: one `EsipaMessageFromIpaToEim` in, what to answer out. Never panics on
    /// input.
    pub fn handle_esipa(&self, body: &[u8]) -> EsipaAnswer {
        let whole = split_tlv(body).map(|t| t.whole.len());
        let message = match rasn::der::decode::<EsipaMessageFromIpaToEim>(body) {
            Ok(m) if whole == Some(body.len()) => m,
            Ok(_) => return EsipaAnswer::Undecodable("trailing bytes after the message".into()),
            Err(e) => {
                return match get_eim_package_eid_problem(body) {
                    Some(code) => EsipaAnswer::Message(self.eid_package_error(code)),
                    None => {
                        EsipaAnswer::Undecodable(format!("not an EsipaMessageFromIpaToEim: {e}"))
                    }
                };
            }
        };
        match message {
            EsipaMessageFromIpaToEim::GetEimPackageRequest(r) => {
                EsipaAnswer::Message(self.get_eim_package(&r))
            }
            EsipaMessageFromIpaToEim::ProvideEimPackageResult(p) => {
                EsipaAnswer::Message(self.provide_result(body, &p))
            }
            EsipaMessageFromIpaToEim::HandleNotificationEsipa(h) => match h.0 {
                HandleNotificationEsipaChoice::PendingNotification(n) => {
                    self.record_notifications(std::slice::from_ref(&*n));
                    self.relay_notification(body, &n)
                }
                HandleNotificationEsipaChoice::ProvideEimPackageResult(p) => {
                    let inner = split_tlv(body).map(|t| t.content).unwrap_or_default();
                    let _ = self.provide_result(inner, &p);
                    EsipaAnswer::NoContent
                }
            },
            EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(r) => {
                self.relay_initiate(body, &r)
            }
            EsipaMessageFromIpaToEim::AuthenticateClientRequestEsipa(r) => {
                self.relay_authenticate_client(body, &r)
            }
            EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(r) => {
                self.relay_get_bpp(body, &r)
            }
            EsipaMessageFromIpaToEim::CancelSessionRequestEsipa(r) => self.relay_cancel(body, &r),
            EsipaMessageFromIpaToEim::TransferEimPackageResponse(_) => EsipaAnswer::Undecodable(
                "transferEimPackageResponse: eIM Package Injection is not offered".into(),
            ),
        }
    }

    /// Wraps an encoded GetEimPackageResponse message twice with `choice-tag-twice`.
    fn package_answer(&self, encoded: Vec<u8>) -> Vec<u8> {
        if !self.has_fault(EimFault::ChoiceTagTwice) {
            return encoded;
        }
        let mut out = vec![0xbf, 0x4f];
        let len = encoded.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let octets = (len as u64).to_be_bytes();
            let skip = octets.iter().take_while(|b| **b == 0).count();
            let used = octets.get(skip..).unwrap_or_default();
            out.push(0x80 | used.len() as u8);
            out.extend_from_slice(used);
        }
        out.extend(encoded);
        out
    }

    pub(super) fn encode_package_error(&self, code: i64) -> Vec<u8> {
        self.package_answer(encode(EsipaMessageFromEimToIpa::GetEimPackageResponse(
            Box::new(GetEimPackageResponse(
                GetEimPackageResponseChoice::EimPackageError(GetEimPackageError(code)),
            )),
        )))
    }

    /// A pre-encoded GetEimPackage error (1..=4), else encoded now.
    fn package_error(&self, code: i64) -> Vec<u8> {
        usize::try_from(code - 1)
            .ok()
            .and_then(|i| self.package_errors.get(i))
            .cloned()
            .unwrap_or_else(|| self.encode_package_error(code))
    }

    /// An invalidEid / missingEid GetEimPackage error (undefinedError with
    /// `eid-errors-undefined`).
    fn eid_package_error(&self, code: i64) -> Vec<u8> {
        if self.has_fault(EimFault::EidErrorsUndefined) {
            self.package_error(GetEimPackageError::UNDEFINED_ERROR.0)
        } else {
            self.package_error(code)
        }
    }

    /// SGP.32 6.3.2.6 ESipa.GetEimPackage.
    fn get_eim_package(&self, request: &GetEimPackageRequest) -> Vec<u8> {
        let bcd: [u8; 16] = *request.eid_value;
        if !Eid::from_bcd(bcd).is_ok_and(|e| e.is_valid()) {
            return self.eid_package_error(GetEimPackageError::INVALID_EID.0);
        }
        if request.notify_state_change.is_some()
            && self.has_fault(EimFault::NotifyStateChangeRefused)
        {
            return self.package_error(GetEimPackageError::UNDEFINED_ERROR.0);
        }
        let repoll_rebuilds = self.has_fault(EimFault::NewPackageOnRepoll);
        let now = now_secs();
        let mut answer: Option<Arc<Vec<u8>>> = None;
        let mut delivered: Option<(u64, Option<i64>)> = None;
        let mut failed: Vec<(u64, String)> = Vec::new();
        let found = self.store.update_device(&bcd, &mut |rec| {
            let st = &mut rec.state;
            st.polls += 1;
            st.last_poll = now;
            st.notify_state_change = request.notify_state_change.is_some();
            if let Some(c) = &request.state_change_cause {
                st.state_change_cause = Some(c.0);
            }
            if let Some(p) = &request.r_plmn {
                st.r_plmn = Some(**p);
            }
            if let Some(out) = &rec.outstanding {
                if repoll_rebuilds {
                    let q = Queued {
                        order_id: out.order_id,
                        kind: out.kind.clone(),
                    };
                    if let Ok(new) = self.build_package(&bcd, rec, &q) {
                        answer = Some(new.answer.clone());
                        delivered = Some((q.order_id, new.counter));
                        rec.outstanding = Some(Box::new(new));
                        return;
                    }
                }
                answer = rec.outstanding.as_ref().map(|o| o.answer.clone());
                return;
            }
            while let Some(q) = rec.queue.pop_front() {
                if self.has_fault(EimFault::UnusableDataRequestStuck)
                    && let OrderKind::EuiccData(r) = &*q.kind
                    && !names_ipa_euicc_data(&r.tag_list)
                {
                    rec.queue.push_front(q);
                    return;
                }
                match self.build_package(&bcd, rec, &q) {
                    Ok(out) => {
                        answer = Some(out.answer.clone());
                        delivered = Some((q.order_id, out.counter));
                        rec.outstanding = Some(Box::new(out));
                        return;
                    }
                    Err(e) => failed.push((q.order_id, e)),
                }
            }
        });
        if !found {
            return if self.has_fault(EimFault::EidNotFoundAsNoPackage) {
                self.package_error(GetEimPackageError::NO_EIM_PACKAGE_AVAILABLE.0)
            } else {
                self.package_error(GetEimPackageError::EID_NOT_FOUND.0)
            };
        }
        if let Some((id, counter)) = delivered {
            self.store.update_order(id, &mut |o| {
                if o.state == OrderState::Queued {
                    o.state = OrderState::Delivered;
                }
                o.counter = counter;
            });
        }
        for (id, reason) in failed {
            self.store.update_order(id, &mut |o| {
                o.state = OrderState::Failed;
                o.reason = Some(format!("package not built: {reason}"));
            });
        }
        match answer {
            Some(a) => a.to_vec(),
            None => self.package_error(GetEimPackageError::NO_EIM_PACKAGE_AVAILABLE.0),
        }
    }

    /// Builds the package of a queued order, spending a counter for eUICC Packages.
    fn build_package(
        &self,
        eid: &[u8; 16],
        rec: &mut DeviceRecord,
        q: &Queued,
    ) -> Result<Outstanding, String> {
        let txid = if self.has_fault(EimFault::TransactionIdReused) {
            self.transaction_id(0)
        } else {
            self.transaction_id(q.order_id)
        };
        let mut counter = None;
        let choice = match &*q.kind {
            OrderKind::Psmo(_) | OrderKind::Eco(_) => {
                let package = match &*q.kind {
                    OrderKind::Psmo(p) => EuiccPackage::PsmoList(
                        p.iter().map(|p| self.psmo_as_sent(p)).collect::<Vec<_>>(),
                    ),
                    OrderKind::Eco(e) if self.has_fault(EimFault::WrongOperation) => {
                        EuiccPackage::EcoList(e.iter().map(wrong_eco).collect())
                    }
                    OrderKind::Eco(e) => EuiccPackage::EcoList(e.clone()),
                    _ => return Err("not an eUICC Package".into()),
                };
                let step = if self.has_fault(EimFault::CounterReused) {
                    0
                } else if self.has_fault(EimFault::CounterSkip) {
                    2
                } else {
                    1
                };
                // A counter set through the order API may sit at the top of the range: the
                // order fails ("package not built") rather than the counter wrapping.
                let value = rec
                    .counter
                    .checked_add(step)
                    .ok_or_else(|| format!("counterValue {} cannot go up", rec.counter))?;
                let eid_value = if self.has_fault(EimFault::PackageForOtherEid) {
                    other_eid(eid)
                } else {
                    *eid
                };
                let signed = EuiccPackageSigned {
                    eim_id: self.config.eim_id.clone(),
                    eid_value: FixedOctetString::from(eid_value),
                    counter_value: value,
                    eim_transaction_id: Some(TransactionId::new(txid.to_vec())),
                    euicc_package: package,
                    extensions: Default::default(),
                };
                let token = if self.has_fault(EimFault::SignatureWithoutAssociationToken) {
                    None
                } else {
                    rec.association_token
                };
                let data = eim_signed_data(&signed, token).map_err(|e| e.to_string())?;
                let raw = self
                    .config
                    .signing_key
                    .sign(&data)
                    .map_err(|e| e.to_string())?;
                let mut signature = if self.has_fault(EimFault::DerSignature) {
                    raw_to_der(&raw).map_err(|e| e.to_string())?
                } else {
                    raw.to_vec()
                };
                if self.has_fault(EimFault::BadPackageSignature)
                    && let Some(b) = signature.get_mut(20)
                {
                    *b ^= 0x01;
                }
                rec.counter = value;
                counter = Some(value);
                GetEimPackageResponseChoice::EuiccPackageRequest(Box::new(EuiccPackageRequest {
                    euicc_package_signed: signed,
                    eim_signature: OctetString::from(signature),
                    extensions: Default::default(),
                }))
            }
            OrderKind::EuiccData(r) => {
                let mut r = r.clone();
                r.eim_transaction_id = Some(TransactionId::new(txid.to_vec()));
                if self.has_fault(EimFault::DataTagListIgnored) {
                    r.tag_list = vec![0xbf, 0x20].into();
                }
                GetEimPackageResponseChoice::IpaEuiccDataRequest(r)
            }
            OrderKind::Download(ac) => GetEimPackageResponseChoice::ProfileDownloadTriggerRequest(
                Box::new(ProfileDownloadTriggerRequest {
                    profile_download_data: Some(match ac {
                        Some(ac) => ProfileDownloadData::ActivationCode(ac.clone()),
                        None => ProfileDownloadData::ContactDefaultSmdp(()),
                    }),
                    eim_transaction_id: Some(TransactionId::new(txid.to_vec())),
                    extensions: Default::default(),
                }),
            ),
        };
        let answer = self.package_answer(encode(EsipaMessageFromEimToIpa::GetEimPackageResponse(
            Box::new(GetEimPackageResponse(choice)),
        )));
        Ok(Outstanding {
            order_id: q.order_id,
            kind: q.kind.clone(),
            answer: Arc::new(answer),
            counter,
            transaction_id: txid,
        })
    }

    /// The PSMO as the package carries it (faults `wrong-operation`, `rollback-flag-dropped`).
    fn psmo_as_sent(&self, p: &Psmo) -> Psmo {
        if self.has_fault(EimFault::WrongOperation) {
            return wrong_psmo(p);
        }
        match p {
            Psmo::Enable(e) if self.has_fault(EimFault::RollbackFlagDropped) => {
                let mut e = e.clone();
                e.rollback_flag = None;
                e.extensions = Default::default();
                Psmo::Enable(e)
            }
            other => other.clone(),
        }
    }

    fn result_response(&self, choice: ProvideEimPackageResultResponseChoice) -> Vec<u8> {
        encode(EsipaMessageFromEimToIpa::ProvideEimPackageResultResponse(
            Box::new(ProvideEimPackageResultResponse(choice)),
        ))
    }

    fn result_error(&self, code: ProvideEimPackageResultError) -> Vec<u8> {
        if self.has_fault(EimFault::ResultErrorsAcknowledged) {
            return self.result_response(ProvideEimPackageResultResponseChoice::EmptyResponse(
                EmptyResponse::default(),
            ));
        }
        let code = if self.has_fault(EimFault::EidErrorsUndefined)
            && (code == ProvideEimPackageResultError::INVALID_EID
                || code == ProvideEimPackageResultError::MISSING_EID)
        {
            ProvideEimPackageResultError::UNDEFINED_ERROR
        } else {
            code
        };
        self.result_response(
            ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(code),
        )
    }

    fn acknowledge(&self, seqs: Vec<i64>, empty_if_none: bool) -> Vec<u8> {
        if (seqs.is_empty() && empty_if_none) || self.has_fault(EimFault::AcknowledgementsOmitted) {
            return self.result_response(ProvideEimPackageResultResponseChoice::EmptyResponse(
                EmptyResponse::default(),
            ));
        }
        self.result_response(ProvideEimPackageResultResponseChoice::EimAcknowledgements(
            EimAcknowledgements(seqs.into_iter().map(SequenceNumber).collect()),
        ))
    }

    /// Records notifications; returns their seqNumbers.
    fn record_notifications(&self, list: &[PendingNotification]) -> Vec<i64> {
        let mut seqs = Vec::with_capacity(list.len());
        if let Ok(mut log) = self.notifications.lock() {
            for n in list {
                let (seq_number, kind) = notification_seq(n);
                seqs.push(seq_number);
                if log.len() >= NOTIFICATION_LOG {
                    log.pop_front();
                }
                log.push_back(NotificationRecord { seq_number, kind });
            }
        }
        self.notification_count
            .fetch_add(list.len() as u64, Ordering::Relaxed);
        seqs
    }

    /// SGP.32 6.3.2.7 ESipa.ProvideEimPackageResult; `raw` is the 'BF50' TLV as received.
    fn provide_result(&self, raw: &[u8], p: &ProvideEimPackageResult) -> Vec<u8> {
        let txid = result_transaction_id(&p.eim_package_result);
        let by_transaction = || {
            txid.as_deref()
                .and_then(|t| self.order_of_transaction(t))
                .and_then(|id| self.store.order(id))
                .map(|o| o.eid)
        };
        let eid: [u8; 16] = match &p.eid_value {
            Some(_)
                if self.has_fault(EimFault::AcceptResultForOtherEid)
                    && by_transaction().is_some() =>
            {
                by_transaction().unwrap_or_default()
            }
            Some(v) => {
                let bcd: [u8; 16] = **v;
                if !Eid::from_bcd(bcd).is_ok_and(|e| e.is_valid()) {
                    return self.result_error(ProvideEimPackageResultError::INVALID_EID);
                }
                bcd
            }
            None if self.has_fault(EimFault::EidRequiredInResult) => {
                return self.result_error(ProvideEimPackageResultError::MISSING_EID);
            }
            None => match by_transaction() {
                Some(eid) => eid,
                None => return self.result_error(ProvideEimPackageResultError::MISSING_EID),
            },
        };
        let mut snapshot = None;
        let found = self.store.update_device(&eid, &mut |rec| {
            snapshot = Some(Snapshot {
                outstanding: rec.outstanding.clone(),
                token: rec.association_token,
                cert: rec.cert.clone(),
                last_txid: rec.last_transaction_id,
            });
        });
        let Some(snap) = snapshot.filter(|_| found) else {
            return self.result_error(ProvideEimPackageResultError::EID_NOT_FOUND);
        };
        // A result for a package already processed (the last one, or an older one an IPA
        // executed late): acknowledged again, no effect.
        let outstanding_id = snap.outstanding.as_ref().map(|o| o.order_id);
        let is_repeat = !self.has_fault(EimFault::DuplicateResultProcessedTwice)
            && txid.is_some()
            && (txid.as_deref() == snap.last_txid.as_ref().map(|t| &t[..])
                || txid
                    .as_deref()
                    .and_then(|t| self.order_of_transaction(t))
                    .filter(|id| Some(*id) != outstanding_id)
                    .and_then(|id| self.store.order(id))
                    .is_some_and(|o| matches!(o.state, OrderState::Done | OrderState::Failed)));
        let outstanding_matches = |o: &Outstanding| match txid.as_deref() {
            Some(t) => t == o.transaction_id,
            None => true,
        };

        match &p.eim_package_result {
            EimPackageResult::EuiccPackageResult(_) | EimPackageResult::EprAndNotifications(_) => {
                let (epr, notifications) = match &p.eim_package_result {
                    EimPackageResult::EprAndNotifications(e) => {
                        (&e.euicc_package_result, &e.notification_list[..])
                    }
                    EimPackageResult::EuiccPackageResult(e) => (e, &[][..]),
                    _ => return self.result_error(ProvideEimPackageResultError::UNDEFINED_ERROR),
                };
                let mut seqs = Vec::new();
                if let EuiccPackageResultChoice::EuiccPackageResultSigned(s) = &epr.0 {
                    seqs.push(s.euicc_package_result_data_signed.seq_number);
                }
                let notification_seqs = self.record_notifications(notifications);
                let count = u32::try_from(notifications.len()).unwrap_or(u32::MAX);
                self.store.update_device(&eid, &mut |r| {
                    r.state.notifications = r.state.notifications.saturating_add(count)
                });
                seqs.extend(notification_seqs);
                if is_repeat
                    && snap
                        .outstanding
                        .as_ref()
                        .is_none_or(|o| !outstanding_matches(o))
                {
                    if self.has_fault(EimFault::RepeatedResultUnanswered) {
                        return Vec::new();
                    }
                    return self.acknowledge(seqs, false);
                }
                let Some(out) = snap.outstanding.as_deref() else {
                    return self.result_error(ProvideEimPackageResultError::UNDEFINED_ERROR);
                };
                let reencoded;
                let raw_epr = match raw_epr(raw) {
                    Some(r) => r,
                    None => {
                        reencoded = rasn::der::encode(epr).unwrap_or_default();
                        &reencoded[..]
                    }
                };
                let verdict = self.check_epr(&eid, epr, raw_epr, out, &snap);
                self.finish(&eid, out, verdict);
                self.acknowledge(seqs, false)
            }
            EimPackageResult::IpaEuiccDataResponse(r) => {
                let mut seqs = Vec::new();
                if let IpaEuiccDataResponseChoice::IpaEuiccData(d) = &r.0
                    && let Some(list) = &d.notifications_list
                {
                    seqs = self.record_notifications(list);
                }
                let Some(out) = snap.outstanding.as_deref().filter(|o| {
                    matches!(*o.kind, OrderKind::EuiccData(_)) && outstanding_matches(o)
                }) else {
                    return if is_repeat {
                        self.acknowledge(seqs, true)
                    } else {
                        self.result_error(ProvideEimPackageResultError::UNDEFINED_ERROR)
                    };
                };
                let verdict = match &r.0 {
                    IpaEuiccDataResponseChoice::IpaEuiccData(_)
                        if self.has_fault(EimFault::EuiccDataResultRefused) =>
                    {
                        Verdict::failed("ipaEuiccData refused")
                    }
                    IpaEuiccDataResponseChoice::IpaEuiccData(d) => {
                        let present = serde_json::to_value(&**d)
                            .ok()
                            .and_then(|v| {
                                v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>())
                            })
                            .unwrap_or_default();
                        let euicc = d.euicc_certificate.as_ref().and_then(|c| c.to_der().ok());
                        let eum = d.eum_certificate.as_ref().and_then(|c| c.to_der().ok());
                        let token = d.association_token;
                        let info = StoredEuiccInfo::from_ipa_euicc_data(d);
                        let capabilities = d.ipa_capabilities.is_some();
                        Verdict {
                            accepted: true,
                            outcomes: vec![json!({ "ipaEuiccData": present })],
                            reason: None,
                            apply: Some(Box::new(move |rec: &mut DeviceRecord| {
                                if let Some(der) = euicc {
                                    rec.cert = CertRef::Known(Arc::new(DeviceCert::new(der, eum)));
                                }
                                if rec.association_token.is_none() {
                                    rec.association_token = token;
                                }
                                let mut merged = rec.euicc_info.take().unwrap_or_default();
                                merged.merge(&info, capabilities);
                                rec.euicc_info =
                                    (*merged != StoredEuiccInfo::default()).then_some(merged);
                            })),
                        }
                    }
                    IpaEuiccDataResponseChoice::IpaEuiccDataResponseError(_)
                        if self.has_fault(EimFault::EuiccDataErrorAccepted) =>
                    {
                        Verdict {
                            accepted: true,
                            outcomes: Vec::new(),
                            reason: None,
                            apply: None,
                        }
                    }
                    IpaEuiccDataResponseChoice::IpaEuiccDataResponseError(_)
                        if self.has_fault(EimFault::DataErrorLeftOpen) =>
                    {
                        self.store.update_device(&eid, &mut |rec| {
                            if rec.outstanding.as_ref().map(|o| o.order_id) == Some(out.order_id) {
                                rec.outstanding = None;
                                rec.last_transaction_id = Some(out.transaction_id);
                            }
                        });
                        return self.acknowledge(seqs, true);
                    }
                    IpaEuiccDataResponseChoice::IpaEuiccDataResponseError(e) => Verdict::failed(
                        format!("ipaEuiccDataResponseError: {}", e.ipa_euicc_data_error_code),
                    ),
                };
                self.finish(&eid, out, verdict);
                self.acknowledge(seqs, true)
            }
            EimPackageResult::ProfileDownloadTriggerResult(r) => {
                let mut seqs = Vec::new();
                let verdict = match &r.profile_download_trigger_result_data {
                    ProfileDownloadTriggerResultData::ProfileInstallationResult(pir) => {
                        seqs = self.record_notifications(&[
                            PendingNotification::ProfileInstallationResult(pir.clone()),
                        ]);
                        let final_result = &pir.profile_installation_result_data.final_result;
                        let outcome = serde_json::to_value(final_result).unwrap_or(Value::Null);
                        match final_result {
                            FinalResult::SuccessResult(_) => Verdict {
                                accepted: true,
                                outcomes: vec![json!({ "profileInstallationResult": outcome })],
                                reason: None,
                                apply: None,
                            },
                            FinalResult::ErrorResult(_) => Verdict {
                                outcomes: vec![json!({ "profileInstallationResult": outcome })],
                                ..Verdict::failed("profile installation failed")
                            },
                        }
                    }
                    ProfileDownloadTriggerResultData::ProfileDownloadError(e) => {
                        Verdict::failed(format!(
                            "profileDownloadError: {}",
                            serde_json::to_string(e).unwrap_or_default()
                        ))
                    }
                };
                let Some(out) = snap.outstanding.as_deref().filter(|o| {
                    matches!(*o.kind, OrderKind::Download(_)) && outstanding_matches(o)
                }) else {
                    return if is_repeat {
                        self.acknowledge(seqs, true)
                    } else {
                        self.result_error(ProvideEimPackageResultError::UNDEFINED_ERROR)
                    };
                };
                if !self.has_fault(EimFault::DownloadResultIgnored) {
                    self.finish(&eid, out, verdict);
                }
                self.acknowledge(seqs, true)
            }
            EimPackageResult::EimPackageResultResponseError(e) => {
                let Some(out) = snap
                    .outstanding
                    .as_deref()
                    .filter(|o| outstanding_matches(o))
                else {
                    return if is_repeat {
                        self.acknowledge(Vec::new(), true)
                    } else {
                        self.result_error(ProvideEimPackageResultError::UNDEFINED_ERROR)
                    };
                };
                self.finish(
                    &eid,
                    out,
                    Verdict::failed(format!(
                        "eimPackageResultResponseError: {}",
                        e.eim_package_result_error_code
                    )),
                );
                self.acknowledge(Vec::new(), true)
            }
        }
    }

    /// Applies a verdict: clears the outstanding package (once), changes the device only when
    /// accepted, and records the order's outcome.
    pub(super) fn finish(&self, eid: &[u8; 16], out: &Outstanding, verdict: Verdict) {
        let Verdict {
            accepted,
            outcomes,
            reason,
            apply,
        } = verdict;
        let mut apply = apply;
        let mut took = false;
        self.store.update_device(eid, &mut |rec| {
            if rec.outstanding.as_ref().map(|o| o.order_id) != Some(out.order_id) {
                return;
            }
            took = true;
            rec.outstanding = None;
            rec.last_transaction_id = Some(out.transaction_id);
            if accepted {
                rec.state.results_accepted = rec.state.results_accepted.saturating_add(1);
                if let Some(f) = apply.take() {
                    f(rec);
                }
            } else {
                rec.state.results_rejected = rec.state.results_rejected.saturating_add(1);
            }
        });
        if !took {
            return;
        }
        let mut outcomes = Some(outcomes);
        let mut reason = reason;
        let done = accepted && reason.is_none();
        self.store.update_order(out.order_id, &mut |o| {
            o.state = if done {
                OrderState::Done
            } else {
                OrderState::Failed
            };
            o.outcomes = outcomes.take().unwrap_or_default();
            o.reason = reason.take();
        });
    }

    /// The checks of an EuiccPackageResult against the package sent (module docs).
    fn check_epr(
        &self,
        eid: &[u8; 16],
        epr: &EuiccPackageResult,
        raw_epr: &[u8],
        out: &Outstanding,
        snap: &Snapshot,
    ) -> Verdict {
        if !out.kind.is_euicc_package() {
            return Verdict::failed(
                "an EuiccPackageResult answers a package that is not an eUICC Package",
            );
        }
        let (eim_id, counter, txid, signature) = match &epr.0 {
            EuiccPackageResultChoice::EuiccPackageResultSigned(s) => {
                let d = &s.euicc_package_result_data_signed;
                (
                    &d.eim_id,
                    d.counter_value,
                    &d.eim_transaction_id,
                    &s.euicc_sign_epr,
                )
            }
            EuiccPackageResultChoice::EuiccPackageErrorSigned(s) => {
                let d = &s.euicc_package_error_data_signed;
                (
                    &d.eim_id,
                    d.counter_value,
                    &d.eim_transaction_id,
                    &s.euicc_sign_epe,
                )
            }
            EuiccPackageResultChoice::EuiccPackageErrorUnsigned(u) => {
                return Verdict::failed(format!(
                    "euiccPackageErrorUnsigned (unauthenticated) for eimId {:?}",
                    u.eim_id
                ));
            }
        };
        if let Err(e) =
            self.verify_euicc_signature(eid, &snap.cert, snap.token, out, raw_epr, signature)
            && !self.has_fault(EimFault::AcceptBadResultSignature)
        {
            return Verdict::failed(e);
        }
        if *eim_id != self.config.eim_id {
            return Verdict::failed(format!("eimId {eim_id:?} is not ours"));
        }
        if Some(counter) != out.counter && !self.has_fault(EimFault::AcceptCounterMismatch) {
            return Verdict::failed(format!(
                "counterValue {counter} is not the {:?} sent",
                out.counter
            ));
        }
        if txid.as_deref() != Some(&out.transaction_id[..])
            && !self.has_fault(EimFault::AcceptWrongTransactionId)
        {
            return Verdict::failed(format!(
                "eimTransactionId {} is not the {} sent",
                txid.as_deref()
                    .map(hex::encode)
                    .unwrap_or_else(|| "(absent)".into()),
                hex::encode(out.transaction_id)
            ));
        }
        match &epr.0 {
            EuiccPackageResultChoice::EuiccPackageResultSigned(s) => {
                let results = s.euicc_package_result_data_signed.euicc_result.clone();
                let mut outcomes: Vec<Value> = results
                    .iter()
                    .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
                    .collect();
                if self.has_fault(EimFault::ResultDataDropped) {
                    outcomes.iter_mut().for_each(drop_result_data);
                }
                let errors = operation_errors(&results);
                let reason = if errors.is_empty() || self.has_fault(EimFault::ResultCodesIgnored) {
                    None
                } else if self.has_fault(EimFault::ResultCodesDropped) {
                    outcomes.clear();
                    Some("the eUICC reported an error".to_string())
                } else {
                    Some(format!("the eUICC reported {}", errors.join(", ")))
                };
                let kind = out.kind.clone();
                Verdict {
                    accepted: true,
                    outcomes,
                    reason,
                    apply: Some(Box::new(move |rec: &mut DeviceRecord| {
                        if let OrderKind::Psmo(psmos) = &*kind {
                            rec.state.enabled_iccid =
                                enabled_after(psmos, &results, rec.state.enabled_iccid);
                        }
                    })),
                }
            }
            EuiccPackageResultChoice::EuiccPackageErrorSigned(s) => Verdict::failed(format!(
                "euiccPackageErrorSigned: {}",
                s.euicc_package_error_data_signed.euicc_package_error_code
            )),
            EuiccPackageResultChoice::EuiccPackageErrorUnsigned(_) => {
                Verdict::failed("euiccPackageErrorUnsigned")
            }
        }
    }

    /// The device's certificate, resolving a derived one (and remembering it).
    pub(super) fn device_cert(
        &self,
        eid: &[u8; 16],
        cert: &CertRef,
    ) -> Result<Arc<DeviceCert>, String> {
        match cert {
            CertRef::Known(c) => Ok(c.clone()),
            CertRef::None => Err("no eUICC certificate known for this EID".into()),
            CertRef::Derived { seed, index } => {
                let pki = self.pki(*seed)?;
                let cred = pki.euicc(*index).map_err(|e| e.to_string())?;
                let c = Arc::new(DeviceCert::new(
                    cred.credential.cert_der,
                    Some(pki.eum.cert_der.clone()),
                ));
                let known = c.clone();
                self.store.update_device(eid, &mut |r| {
                    if matches!(r.cert, CertRef::Derived { .. }) {
                        r.cert = CertRef::Known(known.clone());
                    }
                });
                Ok(c)
            }
        }
    }

    /// The chain check of a device certificate: CI -> EUM -> eUICC, EID in the EUM's range,
    /// the certificate's EID the device's.
    fn check_chain(&self, eid: &[u8; 16], cert: &DeviceCert) -> Result<(), String> {
        let now = SystemTime::now();
        let eums = cert.eum_der.iter().chain(self.config.eum_certs_der.iter());
        let mut last = "no EUM certificate".to_string();
        for eum in eums {
            match check_euicc_chain(&cert.euicc_der, eum, &self.config.ci_cert_der, now) {
                Ok(cert_eid) if cert_eid.as_bcd() == eid => return Ok(()),
                Ok(cert_eid) => {
                    last = format!("certificate EID {cert_eid} is not the device's EID")
                }
                Err(ChainError::EidOutsideRange { eid: outside, .. })
                    if self.has_fault(EimFault::AcceptEidOutsideEumRange)
                        && Eid::from_bcd(*eid).is_ok_and(|e| e.to_string() == outside) =>
                {
                    return Ok(());
                }
                Err(e) => last = format!("eUICC certificate chain: {e}"),
            }
        }
        Err(last)
    }

    fn verify_euicc_signature(
        &self,
        eid: &[u8; 16],
        cert: &CertRef,
        token: Option<i64>,
        out: &Outstanding,
        raw_epr: &[u8],
        signature: &[u8],
    ) -> Result<(), String> {
        let cert = self.device_cert(eid, cert)?;
        if !self.has_fault(EimFault::AcceptUnknownCi) {
            cert.chain
                .get_or_init(|| self.check_chain(eid, &cert))
                .clone()?;
        }
        let key: VerifyingKey = cert
            .key
            .get_or_init(|| {
                provider(self.config.backend)
                    .verifying_key_from_certificate_der(&cert.euicc_der)
                    .map_err(|e| format!("eUICC certificate key: {e}"))
            })
            .clone()?;
        let signed = received_euicc_package_result_data(raw_epr).map_err(|e| e.to_string())?;
        let mut data = signed.to_vec();
        data.extend(association_token_tlv(token).map_err(|e| e.to_string())?);
        if key.verify(&data, signature).is_ok() {
            return Ok(());
        }
        // An SGP.32 v1.0 eUICC signs data || the eimSignature TLV of the package instead
        // (v1.0 2.11.2.1): accepted too, so that a mixed fleet can be served.
        if let Some(eim_signature) = package_eim_signature(&out.answer) {
            let mut data = signed.to_vec();
            data.extend(crate::asn1::tlv::encode(&[0x5f, 0x37], &eim_signature));
            if key.verify(&data, signature).is_ok() {
                return Ok(());
            }
        }
        Err("the eUICC signature of the result does not verify with CERT.EUICC".into())
    }
}

/// The eimSignature of the eUICC Package in an encoded GetEimPackage answer.
fn package_eim_signature(answer: &[u8]) -> Option<Vec<u8>> {
    match rasn::der::decode::<EsipaMessageFromEimToIpa>(answer).ok()? {
        EsipaMessageFromEimToIpa::GetEimPackageResponse(r) => match r.0 {
            GetEimPackageResponseChoice::EuiccPackageRequest(p) => Some(p.eim_signature.to_vec()),
            _ => None,
        },
        _ => None,
    }
}

/// Another valid EID: the 30th digit changed, check digits recomputed.
fn other_eid(eid: &[u8; 16]) -> [u8; 16] {
    let mut b = *eid;
    let low = b[14] & 0x0f;
    b[14] = (b[14] & 0xf0) | ((low + 1) % 10);
    Eid::from_bcd(b)
        .map(|e| *e.with_check_digits().as_bcd())
        .unwrap_or(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    mod faults {
        use super::*;
        use crate::asn1::sgp32::{
            EimPackageResultErrorCode, EimPackageResultResponseError, IpaEuiccData,
            IpaEuiccDataErrorCode, IpaEuiccDataResponse, IpaEuiccDataResponseError,
        };
        use crate::crypto::Backend;
        use crate::eim::{EimFaults, OrderState};

        fn eim(faults: &[EimFault]) -> Eim {
            Eim::from_seed(
                3,
                Backend::RustCrypto,
                faults.iter().copied().collect::<EimFaults>(),
            )
            .unwrap()
        }

        fn registered(eim: &Eim, index: u64) -> Eid {
            let eid = crate::pki::euicc_eid(index).unwrap();
            eim.register_euicc(eid, Some(1), 0, None).unwrap();
            eid
        }

        fn answer(eim: &Eim, message: EsipaMessageFromIpaToEim) -> EsipaMessageFromEimToIpa {
            match eim.handle_esipa(&rasn::der::encode(&message).unwrap()) {
                EsipaAnswer::Message(m) => rasn::der::decode(&m).unwrap(),
                other => panic!("no message: {other:?}"),
            }
        }

        fn poll_bytes(eim: &Eim, bcd: [u8; 16], notify: bool) -> Vec<u8> {
            let request = GetEimPackageRequest {
                eid_value: FixedOctetString::from(bcd),
                notify_state_change: notify.then_some(()),
                ..Default::default()
            };
            let message = EsipaMessageFromIpaToEim::GetEimPackageRequest(Box::new(request));
            match eim.handle_esipa(&rasn::der::encode(&message).unwrap()) {
                EsipaAnswer::Message(m) => m,
                other => panic!("no message: {other:?}"),
            }
        }

        fn poll(eim: &Eim, bcd: [u8; 16], notify: bool) -> GetEimPackageResponseChoice {
            match rasn::der::decode(&poll_bytes(eim, bcd, notify)).unwrap() {
                EsipaMessageFromEimToIpa::GetEimPackageResponse(r) => r.0,
                other => panic!("not a GetEimPackageResponse: {other:?}"),
            }
        }

        fn error(choice: GetEimPackageResponseChoice) -> i64 {
            match choice {
                GetEimPackageResponseChoice::EimPackageError(e) => e.0,
                other => panic!("not an error: {other:?}"),
            }
        }

        fn provide(
            eim: &Eim,
            eid: Option<[u8; 16]>,
            result: EimPackageResult,
        ) -> ProvideEimPackageResultResponseChoice {
            let message = EsipaMessageFromIpaToEim::ProvideEimPackageResult(Box::new(
                ProvideEimPackageResult {
                    eid_value: eid.map(FixedOctetString::from),
                    eim_package_result: result,
                    extensions: Default::default(),
                },
            ));
            match answer(eim, message) {
                EsipaMessageFromEimToIpa::ProvideEimPackageResultResponse(r) => r.0,
                other => panic!("not a ProvideEimPackageResultResponse: {other:?}"),
            }
        }

        fn unsigned_error() -> EimPackageResult {
            EimPackageResult::EuiccPackageResult(EuiccPackageResult(
                EuiccPackageResultChoice::EuiccPackageErrorUnsigned(Default::default()),
            ))
        }

        fn bad_check_digits(eid: Eid) -> [u8; 16] {
            let mut bcd = *eid.as_bcd();
            bcd[15] ^= 0x10;
            bcd
        }

        fn data_order(eim: &Eim, eid: Eid, tags: &[u8]) -> (u64, Option<TransactionId>) {
            let id = eim.order_euicc_data(eid, tags.to_vec()).unwrap();
            match poll(eim, *eid.as_bcd(), false) {
                GetEimPackageResponseChoice::IpaEuiccDataRequest(r) => {
                    (id, r.eim_transaction_id.clone())
                }
                other => panic!("not a data request: {other:?}"),
            }
        }

        fn data_result(txid: Option<TransactionId>) -> EimPackageResult {
            EimPackageResult::IpaEuiccDataResponse(IpaEuiccDataResponse(
                IpaEuiccDataResponseChoice::IpaEuiccData(Box::new(IpaEuiccData {
                    eim_transaction_id: txid,
                    ..Default::default()
                })),
            ))
        }

        fn data_error(txid: Option<TransactionId>) -> EimPackageResult {
            EimPackageResult::IpaEuiccDataResponse(IpaEuiccDataResponse(
                IpaEuiccDataResponseChoice::IpaEuiccDataResponseError(IpaEuiccDataResponseError {
                    eim_transaction_id: txid,
                    ipa_euicc_data_error_code: IpaEuiccDataErrorCode::INCORRECT_TAG_LIST,
                    extensions: Default::default(),
                }),
            ))
        }

        #[test]
        fn eid_errors_undefined() {
            let eid = crate::pki::euicc_eid(1).unwrap();
            for (faults, invalid, missing) in [
                (vec![], 3, 4),
                (vec![EimFault::EidErrorsUndefined], 127, 127),
            ] {
                let eim = eim(&faults);
                assert_eq!(error(poll(&eim, bad_check_digits(eid), false)), invalid);
                let EsipaAnswer::Message(m) = eim.handle_esipa(&[0xbf, 0x4f, 0x00]) else {
                    panic!("no answer to BF4F00")
                };
                let EsipaMessageFromEimToIpa::GetEimPackageResponse(r) =
                    rasn::der::decode(&m).unwrap()
                else {
                    panic!("not a GetEimPackageResponse")
                };
                assert_eq!(error(r.0), missing);
                assert_eq!(
                    provide(&eim, Some(bad_check_digits(eid)), unsigned_error()),
                    ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(
                        ProvideEimPackageResultError(invalid)
                    )
                );
                // eidNotFound stays.
                assert_eq!(
                    provide(&eim, Some(*eid.as_bcd()), unsigned_error()),
                    ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(
                        ProvideEimPackageResultError::EID_NOT_FOUND
                    )
                );
            }
        }

        #[test]
        fn result_errors_acknowledged() {
            let unknown = *crate::pki::euicc_eid(2).unwrap().as_bcd();
            let plain = eim(&[]);
            assert_eq!(
                provide(&plain, Some(unknown), unsigned_error()),
                ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(
                    ProvideEimPackageResultError::EID_NOT_FOUND
                )
            );
            let faulty = eim(&[EimFault::ResultErrorsAcknowledged]);
            assert!(matches!(
                provide(&faulty, Some(unknown), unsigned_error()),
                ProvideEimPackageResultResponseChoice::EmptyResponse(_)
            ));
            let eid = registered(&faulty, 3);
            assert!(matches!(
                provide(&faulty, Some(*eid.as_bcd()), unsigned_error()),
                ProvideEimPackageResultResponseChoice::EmptyResponse(_)
            ));
        }

        #[test]
        fn new_package_on_repoll() {
            for (faults, same) in [(vec![], true), (vec![EimFault::NewPackageOnRepoll], false)] {
                let eim = eim(&faults);
                let eid = registered(&eim, 4);
                let id = eim
                    .order_psmos(eid, vec![Psmo::GetRat(Default::default())])
                    .unwrap();
                let first = poll_bytes(&eim, *eid.as_bcd(), false);
                let second = poll_bytes(&eim, *eid.as_bcd(), false);
                assert_eq!(first == second, same);
                assert_eq!(
                    eim.order(id).unwrap().counter,
                    Some(if same { 1 } else { 2 })
                );
            }
        }

        #[test]
        fn acknowledgements_omitted() {
            for (faults, acks) in [
                (vec![], true),
                (vec![EimFault::AcknowledgementsOmitted], false),
            ] {
                let eim = eim(&faults);
                let eid = registered(&eim, 5);
                eim.order_psmos(eid, vec![Psmo::GetRat(Default::default())])
                    .unwrap();
                let _ = poll(&eim, *eid.as_bcd(), false);
                let answer = provide(&eim, Some(*eid.as_bcd()), unsigned_error());
                assert_eq!(
                    matches!(
                        answer,
                        ProvideEimPackageResultResponseChoice::EimAcknowledgements(_)
                    ),
                    acks,
                    "{answer:?}"
                );
            }
        }

        fn eim_plain() -> Eim {
            eim(&[])
        }

        #[test]
        fn notify_state_change_refused() {
            let eim = eim(&[EimFault::NotifyStateChangeRefused]);
            let eid = registered(&eim, 6);
            assert_eq!(error(poll(&eim, *eid.as_bcd(), true)), 127);
            assert_eq!(error(poll(&eim, *eid.as_bcd(), false)), 1);
            let plain = eim_plain();
            let eid = registered(&plain, 6);
            assert_eq!(error(poll(&plain, *eid.as_bcd(), true)), 1);
        }

        #[test]
        fn data_tag_list_ignored() {
            for (faults, tags) in [
                (vec![], vec![0xa0, 0xa6]),
                (vec![EimFault::DataTagListIgnored], vec![0xbf, 0x20]),
            ] {
                let eim = eim(&faults);
                let eid = registered(&eim, 7);
                eim.order_euicc_data(eid, vec![0xa0, 0xa6]).unwrap();
                match poll(&eim, *eid.as_bcd(), false) {
                    GetEimPackageResponseChoice::IpaEuiccDataRequest(r) => {
                        assert_eq!(r.tag_list.to_vec(), tags)
                    }
                    other => panic!("not a data request: {other:?}"),
                }
            }
        }

        #[test]
        fn euicc_data_result_refused_and_error_accepted() {
            let cases = [
                (vec![], false, OrderState::Done),
                (
                    vec![EimFault::EuiccDataResultRefused],
                    false,
                    OrderState::Failed,
                ),
                (vec![], true, OrderState::Failed),
                (
                    vec![EimFault::EuiccDataErrorAccepted],
                    true,
                    OrderState::Done,
                ),
            ];
            for (faults, error_answer, state) in cases {
                let eim = eim(&faults);
                let eid = registered(&eim, 8);
                let (id, txid) = data_order(&eim, eid, &[0xbf, 0x20]);
                let result = if error_answer {
                    data_error(txid)
                } else {
                    data_result(txid)
                };
                let _ = provide(&eim, Some(*eid.as_bcd()), result);
                assert_eq!(
                    eim.order(id).unwrap().state,
                    state,
                    "{faults:?} {error_answer}"
                );
            }
        }

        #[test]
        fn eid_required_in_result() {
            for (faults, ok) in [(vec![], true), (vec![EimFault::EidRequiredInResult], false)] {
                let eim = eim(&faults);
                let eid = registered(&eim, 9);
                let (id, txid) = data_order(&eim, eid, &[0xbf, 0x20]);
                let answer = provide(&eim, None, data_result(txid));
                assert_eq!(
                    answer
                        == ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(
                            ProvideEimPackageResultError::MISSING_EID
                        ),
                    !ok
                );
                assert_eq!(eim.order(id).unwrap().state == OrderState::Done, ok);
            }
            // An eimPackageResultResponseError without eidValue is correlated the same way.
            let eim = eim(&[]);
            let eid = registered(&eim, 10);
            let (id, txid) = data_order(&eim, eid, &[0xbf, 0x20]);
            let _ = provide(
                &eim,
                None,
                EimPackageResult::EimPackageResultResponseError(EimPackageResultResponseError {
                    eim_transaction_id: txid,
                    eim_package_result_error_code: EimPackageResultErrorCode::UNKNOWN_PACKAGE,
                    extensions: Default::default(),
                }),
            );
            assert_eq!(eim.order(id).unwrap().state, OrderState::Failed);
        }
    }

    #[test]
    fn tlv_splitting() {
        let t = split_tlv(&[0xbf, 0x4f, 0x02, 0x80, 0x00, 0xff]).unwrap();
        assert_eq!(t.tag, [0xbf, 0x4f]);
        assert_eq!(t.content, [0x80, 0x00]);
        assert_eq!(t.whole.len(), 5);
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([0u8; 0x80]);
        assert_eq!(split_tlv(&long).unwrap().content.len(), 0x80);
        assert!(split_tlv(&[0x04, 0x05, 0x00]).is_none());
        assert!(split_tlv(&[0x04, 0x80]).is_none());
        assert!(split_tlv(&[0xbf]).is_none());
        assert_eq!(children(&[0x80, 0x00, 0x81, 0x01, 0x07]).len(), 2);
    }

    #[test]
    fn eid_problems_of_undecodable_polls() {
        assert_eq!(get_eim_package_eid_problem(&[0xbf, 0x4f, 0x00]), Some(4));
        assert_eq!(
            get_eim_package_eid_problem(&[0xbf, 0x4f, 0x03, 0x5a, 0x01, 0x89]),
            Some(3)
        );
        assert_eq!(get_eim_package_eid_problem(&[0xbf, 0x50, 0x00]), None);
        // Trailing bytes: not a GetEimPackageRequest at all.
        assert_eq!(get_eim_package_eid_problem(&[0xbf, 0x4f, 0x00, 0x00]), None);
    }

    #[test]
    fn raw_epr_is_found_in_both_alternatives() {
        let epr = [0xbf, 0x51, 0x02, 0xa2, 0x00];
        let mut direct = vec![0xbf, 0x50, 0x07, 0x5a, 0x00];
        direct.extend(epr);
        assert_eq!(raw_epr(&direct), Some(&epr[..]));
        let mut seq = vec![0xbf, 0x50, 0x09, 0x30, 0x07];
        seq.extend(epr);
        seq.extend([0xa0, 0x00]);
        assert_eq!(raw_epr(&seq), Some(&epr[..]));
        assert_eq!(raw_epr(&[0xbf, 0x50, 0x02, 0xa0, 0x00]), None);
    }

    #[test]
    fn other_eid_is_valid_and_different() {
        let eid = crate::pki::euicc_eid(5).unwrap();
        let other = Eid::from_bcd(other_eid(eid.as_bcd())).unwrap();
        assert_ne!(other, eid);
        assert!(other.is_valid());
        assert!(other.starts_with(crate::pki::EIN));
    }

    #[test]
    fn enabled_profile_follows_successful_operations() {
        use crate::asn1::rsp::Iccid;
        use crate::asn1::sgp32::{
            DisableProfileResult, EnableProfileResult, PsmoEnable, PsmoIccid,
        };
        let a = Iccid::from_digits("894400000000000001").unwrap();
        let enable = Psmo::Enable(PsmoEnable {
            iccid: a.clone(),
            rollback_flag: None,
            extensions: Default::default(),
        });
        let disable = Psmo::Disable(PsmoIccid {
            iccid: a.clone(),
            extensions: Default::default(),
        });
        let ok = EuiccResultData::EnableResult(EnableProfileResult::OK);
        let bad = EuiccResultData::EnableResult(EnableProfileResult::CAT_BUSY);
        assert_eq!(
            enabled_after(
                std::slice::from_ref(&enable),
                std::slice::from_ref(&ok),
                None
            ),
            Some(*a.0)
        );
        assert_eq!(
            enabled_after(std::slice::from_ref(&enable), &[bad], None),
            None
        );
        // After ProfileRollback the enable is undone.
        let b = Iccid::from_digits("894400000000000002").unwrap();
        let rolled_back = [
            ok.clone(),
            EuiccResultData::RollbackResult(crate::asn1::sgp32::RollbackProfileResult::OK),
        ];
        assert_eq!(
            enabled_after(std::slice::from_ref(&enable), &rolled_back, Some(*b.0)),
            Some(*b.0)
        );
        assert_eq!(
            enabled_after(
                &[enable, disable],
                &[ok, EuiccResultData::DisableResult(DisableProfileResult::OK)],
                None
            ),
            None
        );
    }
}
