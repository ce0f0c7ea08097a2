//! ES10b.LoadEuiccPackage (SGP.32 2.11, 3.3.1): verification, the PSMOs and eCOs, the signed
//! result; the profile state changes and notifications shared with fallback and rollback.

use rasn::types::OctetString;

use super::Sgp32Version;
use super::state::{AssociatedEim, Euicc, PendingItem, RollbackPoint, eim_key, event_bits};
use crate::asn1::rsp::{Iccid, NotificationMetadata, TransactionId};
use crate::asn1::sgp32::{
    AddEimResult, AddEimResultCode, ConfigureImmediateEnableResult, DeleteEimResult,
    DeleteProfileResult, DisableProfileResult, Eco, EimConfigurationData, EimIdInfo,
    EnableProfileResult, EuiccPackage, EuiccPackageErrorCode, EuiccPackageErrorDataSigned,
    EuiccPackageErrorSigned, EuiccPackageErrorUnsigned, EuiccPackageRequest, EuiccPackageResult,
    EuiccPackageResultChoice, EuiccPackageResultDataSigned, EuiccPackageResultSigned,
    EuiccResultData, ListEimError, ListEimResult, ProfileInfoListError, ProfileInfoListResponse,
    ProfileInfoListResponseChoice, Psmo, PsmoEnable, RollbackProfileResult,
    SetDefaultDpAddressResponse, SetDefaultDpAddressResult, SetFallbackAttributeResult,
    UnsetFallbackAttributeResult, association_token_tlv, received_euicc_package_signed,
};
use crate::asn1::tlv::encode as encode_tlv;

/// NotificationEvent bits (SGP.22 5.7.10).
pub(crate) const EVENT_ENABLE: usize = 1;
pub(crate) const EVENT_DISABLE: usize = 2;
pub(crate) const EVENT_DELETE: usize = 3;

/// commandError(7) and undefinedError(127), the same value in every result code list.
const COMMAND_ERROR: i64 = 7;
const UNDEFINED_ERROR: i64 = 127;

/// What a result or error is signed and echoed with.
#[derive(Debug, Clone)]
pub(crate) struct SignCtx {
    pub(crate) eim_id: String,
    pub(crate) counter: i64,
    pub(crate) stored_counter: i64,
    pub(crate) eim_transaction_id: Option<TransactionId>,
    pub(crate) association_token: Option<i64>,
    pub(crate) eim_signature_tlv: Vec<u8>,
}

/// State of one package's execution.
#[derive(Debug, Default)]
struct Exec {
    /// `Some(previous)` once an enable with rollbackFlag succeeded.
    rollback_previous: Option<Option<Iccid>>,
}

/// Whether the enable PSMO asks for rollback: `05 00` as the module has it, or a tagged
/// `80 00` that lands among the unknown elements.
fn rollback_requested(enable: &PsmoEnable) -> bool {
    enable.rollback_flag.is_some()
        || enable
            .extensions
            .0
            .iter()
            .any(|any| any.as_bytes() == [0x80, 0x00])
}

impl Euicc {
    /// ECDSA over `msg` with SK.EUICC (r||s); 64 zero bytes if the backend fails.
    pub(crate) fn sign(&self, msg: &[u8]) -> Vec<u8> {
        let sig = if self.settings.deterministic_signatures {
            self.key.sign_deterministic(msg)
        } else {
            self.key.sign(msg)
        };
        match sig {
            Ok(sig) => sig.to_vec(),
            Err(e) => {
                tracing::warn!(error = %e, "eUICC signing failed");
                vec![0; 64]
            }
        }
    }

    /// euiccSignEPR / euiccSignEPE over `data_der` || token TLV (v1.2) or || eimSignature
    /// TLV (v1.0), with the wrong-signature fault applied.
    fn sign_package_data(&self, data_der: &[u8], ctx: &SignCtx) -> OctetString {
        let mut msg = data_der.to_vec();
        match self.settings.version {
            Sgp32Version::V1_2 => match association_token_tlv(ctx.association_token) {
                Ok(t) => msg.extend(t),
                Err(e) => tracing::warn!(error = %e, "association token TLV"),
            },
            Sgp32Version::V1_0 => msg.extend_from_slice(&ctx.eim_signature_tlv),
        }
        let mut sig = self.sign(&msg);
        if self.faults.wrong_result_signature
            && let Some(b) = sig.get_mut(10)
        {
            *b ^= 0x01;
        }
        OctetString::from(sig)
    }

    fn echoed_counter(&self, ctx: &SignCtx) -> i64 {
        if self.faults.stale_counter {
            ctx.stored_counter
        } else {
            ctx.counter
        }
    }

    fn echoed_transaction_id(&self, ctx: &SignCtx) -> Option<TransactionId> {
        if !self.faults.wrong_eim_transaction_id {
            return ctx.eim_transaction_id.clone();
        }
        let mut id = ctx
            .eim_transaction_id
            .as_ref()
            .map(|t| t.to_vec())
            .unwrap_or_default();
        match id.last_mut() {
            Some(b) => *b ^= 0xff,
            None => id.push(0),
        }
        Some(TransactionId::new(id))
    }

    fn signed_error(&self, ctx: &SignCtx, code: EuiccPackageErrorCode) -> EuiccPackageResult {
        let data = EuiccPackageErrorDataSigned {
            eim_id: ctx.eim_id.clone(),
            counter_value: self.echoed_counter(ctx),
            eim_transaction_id: self.echoed_transaction_id(ctx),
            euicc_package_error_code: code,
            extensions: Default::default(),
        };
        let der = data.to_der().unwrap_or_default();
        let sig = self.sign_package_data(&der, ctx);
        EuiccPackageResult(EuiccPackageResultChoice::EuiccPackageErrorSigned(Box::new(
            EuiccPackageErrorSigned {
                euicc_package_error_data_signed: data,
                euicc_sign_epe: sig,
                extensions: Default::default(),
            },
        )))
    }

    /// A signed result with the next seqNumber, kept as a pending notification.
    pub(crate) fn signed_result(
        &mut self,
        ctx: &SignCtx,
        results: Vec<EuiccResultData>,
    ) -> EuiccPackageResult {
        let seq_number = self.next_seq_number();
        let data = EuiccPackageResultDataSigned {
            eim_id: ctx.eim_id.clone(),
            counter_value: self.echoed_counter(ctx),
            eim_transaction_id: self.echoed_transaction_id(ctx),
            seq_number,
            euicc_result: results,
            extensions: Default::default(),
        };
        let der = data.to_der().unwrap_or_default();
        let sig = self.sign_package_data(&der, ctx);
        let result = EuiccPackageResult(EuiccPackageResultChoice::EuiccPackageResultSigned(
            Box::new(EuiccPackageResultSigned {
                euicc_package_result_data_signed: data,
                euicc_sign_epr: sig,
                extensions: Default::default(),
            }),
        ));
        self.pending.push(PendingItem::PackageResult {
            seq_number,
            result: result.clone(),
        });
        result
    }

    /// ES10b.LoadEuiccPackage (SGP.32 5.9.x, 2.11): `raw` is the request TLV as received.
    pub(crate) fn load_euicc_package(
        &mut self,
        request: &EuiccPackageRequest,
        raw: &[u8],
    ) -> EuiccPackageResult {
        let signed = &request.euicc_package_signed;
        let unsigned = |association_token| {
            EuiccPackageResult(EuiccPackageResultChoice::EuiccPackageErrorUnsigned(
                EuiccPackageErrorUnsigned {
                    eim_id: signed.eim_id.clone(),
                    eim_transaction_id: signed.eim_transaction_id.clone(),
                    association_token,
                    extensions: Default::default(),
                },
            ))
        };
        let Some(ei) = self.eim_index(&signed.eim_id) else {
            tracing::debug!(eim_id = %signed.eim_id, "package from an unknown eIM");
            return unsigned(None);
        };
        let (token, stored_counter, key) = {
            let eim = &self.eims[ei];
            (eim.association_token, eim.counter, eim.key.clone())
        };
        let Some(key) = key else {
            return unsigned(token);
        };
        let verified = received_euicc_package_signed(raw)
            .ok()
            .and_then(|bytes| {
                let mut data = bytes.to_vec();
                data.extend(association_token_tlv(token).ok()?);
                Some(data)
            })
            .is_some_and(|data| key.verify(&data, &request.eim_signature).is_ok());
        if !verified {
            tracing::debug!(eim_id = %signed.eim_id, "eimSignature does not verify");
            return unsigned(token);
        }
        let ctx = SignCtx {
            eim_id: signed.eim_id.clone(),
            counter: signed.counter_value,
            stored_counter,
            eim_transaction_id: signed.eim_transaction_id.clone(),
            association_token: token,
            eim_signature_tlv: encode_tlv(&[0x5f, 0x37], &request.eim_signature),
        };
        let operations = match &signed.euicc_package {
            EuiccPackage::PsmoList(l) => l.len(),
            EuiccPackage::EcoList(l) => l.len(),
        };
        let code = if signed.eid_value[..] != self.eid.as_bcd()[..] {
            Some(EuiccPackageErrorCode::INVALID_EID)
        } else if signed.counter_value < 0 || signed.counter_value > self.settings.max_counter {
            Some(EuiccPackageErrorCode::COUNTER_VALUE_OUT_OF_RANGE)
        } else if !self
            .settings
            .counter_rule
            .accepts(stored_counter, signed.counter_value)
        {
            Some(EuiccPackageErrorCode::REPLAY_ERROR)
        } else if operations > self.settings.max_package_operations {
            Some(EuiccPackageErrorCode::SIZE_OVERFLOW)
        } else if self.faults.ecall_active {
            Some(EuiccPackageErrorCode::ECALL_ACTIVE)
        } else {
            None
        };
        if let Some(code) = code {
            return self.signed_error(&ctx, code);
        }
        self.eims[ei].counter = signed.counter_value;
        self.rollback = None;
        let mut exec = Exec::default();
        let limit = self.faults.terminate_after.map_or(usize::MAX, |(n, _)| n);
        let mut results: Vec<EuiccResultData> = match &signed.euicc_package {
            EuiccPackage::PsmoList(list) => list
                .iter()
                .take(limit)
                .map(|psmo| self.run_psmo(psmo, &mut exec))
                .collect(),
            EuiccPackage::EcoList(list) => list
                .iter()
                .take(limit)
                .map(|eco| self.run_eco(eco))
                .collect(),
        };
        if let Some((n, reason)) = self.faults.terminate_after
            && n < operations
        {
            results.push(EuiccResultData::ProcessingTerminated(reason));
        }
        if let Some(previous) = exec.rollback_previous {
            self.rollback = Some(RollbackPoint {
                eim_id: ctx.eim_id.clone(),
                counter: ctx.counter,
                eim_transaction_id: ctx.eim_transaction_id.clone(),
                association_token: ctx.association_token,
                eim_signature_tlv: ctx.eim_signature_tlv.clone(),
                previous,
                results: results.clone(),
            });
        }
        self.signed_result(&ctx, results)
    }

    /// The result of ProfileRollback (SGP.32 5.9.16) for the rollback point `point`.
    pub(crate) fn rollback_to(&mut self, point: RollbackPoint) -> EuiccPackageResult {
        match &point.previous {
            Some(iccid) => {
                if let Some(i) = self.profile_index(iccid) {
                    self.enable_profile(i);
                }
            }
            None => {
                if let Some(i) = self.enabled_index() {
                    self.disable_profile(i);
                }
            }
        }
        let stored_counter = self
            .eim_index(&point.eim_id)
            .and_then(|i| self.eims.get(i))
            .map_or(point.counter, |e| e.counter);
        let ctx = SignCtx {
            eim_id: point.eim_id,
            counter: point.counter,
            stored_counter,
            eim_transaction_id: point.eim_transaction_id,
            association_token: point.association_token,
            eim_signature_tlv: point.eim_signature_tlv,
        };
        let mut results = point.results;
        results.push(EuiccResultData::RollbackResult(RollbackProfileResult::OK));
        self.signed_result(&ctx, results)
    }

    // -----------------------------------------------------------------------------------------
    // Profile state changes (with notifications).

    /// OtherSignedNotifications for event `bit` of profile `i` (per its configuration).
    fn notify(&mut self, i: usize, bit: usize) {
        let Some(profile) = self.profiles.get(i) else {
            return;
        };
        let targets: Vec<(String, Iccid)> = profile
            .notification_configuration
            .iter()
            .filter(|c| c.profile_management_operation.get(bit).is_some_and(|b| *b))
            .map(|c| (c.notification_address.clone(), profile.iccid.clone()))
            .collect();
        for (address, iccid) in targets {
            let metadata = NotificationMetadata {
                seq_number: self.next_seq_number(),
                profile_management_operation: event_bits(bit),
                notification_address: address,
                iccid: Some(iccid),
                extensions: Default::default(),
            };
            let der = rasn::der::encode(&metadata).unwrap_or_default();
            let signature = self.sign(&der);
            self.pending.push(PendingItem::Other {
                metadata,
                signature,
            });
        }
    }

    /// Enables profile `i`, disabling the enabled one first.
    pub(crate) fn enable_profile(&mut self, i: usize) {
        if let Some(current) = self.enabled_index() {
            if current == i {
                return;
            }
            self.disable_profile(current);
        }
        if let Some(p) = self.profiles.get_mut(i) {
            p.enabled = true;
            self.notify(i, EVENT_ENABLE);
        }
    }

    /// Disables profile `i`.
    pub(crate) fn disable_profile(&mut self, i: usize) {
        if let Some(p) = self.profiles.get_mut(i)
            && p.enabled
        {
            p.enabled = false;
            self.notify(i, EVENT_DISABLE);
        }
    }

    /// Deletes profile `i` (with notification when `notify`).
    pub(crate) fn delete_profile(&mut self, i: usize, notify: bool) {
        if i >= self.profiles.len() {
            return;
        }
        if notify {
            self.notify(i, EVENT_DELETE);
        }
        let removed = self.profiles.remove(i);
        if self.last_installed.as_ref() == Some(&removed.iccid) {
            self.last_installed = None;
        }
    }

    // -----------------------------------------------------------------------------------------
    // PSMOs (SGP.32 2.11.1.2; notes 3.4).

    fn run_psmo(&mut self, psmo: &Psmo, exec: &mut Exec) -> EuiccResultData {
        let undefined = self.faults.undefined_error;
        match psmo {
            Psmo::Enable(e) => EuiccResultData::EnableResult(if undefined {
                EnableProfileResult::UNDEFINED_ERROR
            } else {
                self.psmo_enable(e, exec)
            }),
            Psmo::Disable(d) => EuiccResultData::DisableResult(if undefined {
                DisableProfileResult::UNDEFINED_ERROR
            } else {
                self.psmo_disable(&d.iccid)
            }),
            Psmo::Delete(d) => EuiccResultData::DeleteResult(if undefined {
                DeleteProfileResult::UNDEFINED_ERROR
            } else {
                self.psmo_delete(&d.iccid, exec)
            }),
            Psmo::ListProfileInfo(req) => EuiccResultData::ListProfileInfoResult(if undefined {
                ProfileInfoListResponse(ProfileInfoListResponseChoice::ProfileInfoListError(
                    ProfileInfoListError::UNDEFINED_ERROR,
                ))
            } else if self.faults.profile_change_ongoing {
                ProfileInfoListResponse(ProfileInfoListResponseChoice::ProfileInfoListError(
                    ProfileInfoListError::PROFILE_CHANGE_ONGOING,
                ))
            } else {
                self.profile_info_list(req)
            }),
            Psmo::GetRat(_) => EuiccResultData::GetRatResult(self.rat.clone()),
            Psmo::ConfigureImmediateEnable(c) => {
                EuiccResultData::ConfigureImmediateEnableResult(if undefined {
                    ConfigureImmediateEnableResult::UNDEFINED_ERROR
                } else if self.faults.insufficient_memory {
                    ConfigureImmediateEnableResult::INSUFFICIENT_MEMORY
                } else if self.faults.command_error {
                    ConfigureImmediateEnableResult::COMMAND_ERROR
                } else {
                    self.immediate_enable.enabled = c.immediate_enable_flag.is_some();
                    self.immediate_enable.default_smdp_oid = c.default_smdp_oid.clone();
                    self.immediate_enable.default_smdp_address = c.default_smdp_address.clone();
                    ConfigureImmediateEnableResult::OK
                })
            }
            Psmo::SetFallbackAttribute(s) => {
                EuiccResultData::SetFallbackAttributeResult(if undefined {
                    SetFallbackAttributeResult::UNDEFINED_ERROR
                } else {
                    self.psmo_set_fallback(&s.iccid)
                })
            }
            Psmo::UnsetFallbackAttribute(_) => {
                EuiccResultData::UnsetFallbackAttributeResult(if undefined {
                    UnsetFallbackAttributeResult::UNDEFINED_ERROR
                } else if self.faults.command_error {
                    UnsetFallbackAttributeResult::COMMAND_ERROR
                } else {
                    self.psmo_unset_fallback()
                })
            }
            Psmo::SetDefaultDpAddress(s) => {
                let result = if undefined {
                    SetDefaultDpAddressResult::UNDEFINED_ERROR
                } else {
                    self.default_dp_address = Some(s.default_dp_address.clone());
                    SetDefaultDpAddressResult::OK
                };
                EuiccResultData::SetDefaultDpAddressResult(SetDefaultDpAddressResponse {
                    set_default_dp_address_result: result,
                    extensions: Default::default(),
                })
            }
        }
    }

    fn psmo_enable(&mut self, enable: &PsmoEnable, exec: &mut Exec) -> EnableProfileResult {
        if self.faults.cat_busy {
            return EnableProfileResult::CAT_BUSY;
        }
        let Some(i) = self.profile_index(&enable.iccid) else {
            return EnableProfileResult::ICCID_OR_AID_NOT_FOUND;
        };
        if self.profiles[i].enabled {
            return EnableProfileResult::PROFILE_NOT_IN_DISABLED_STATE;
        }
        let rollback = rollback_requested(enable);
        if rollback && (!self.settings.rollback_supported || exec.rollback_previous.is_some()) {
            return EnableProfileResult::ROLLBACK_NOT_AVAILABLE;
        }
        let current = self.enabled_index();
        if current.is_some_and(|c| self.profiles[c].ppr1) {
            return EnableProfileResult::DISALLOWED_BY_POLICY;
        }
        let previous = current.map(|c| self.profiles[c].iccid.clone());
        self.enable_profile(i);
        self.fallback_active = None;
        if rollback {
            exec.rollback_previous = Some(previous);
        }
        EnableProfileResult::OK
    }

    fn psmo_disable(&mut self, iccid: &Iccid) -> DisableProfileResult {
        if self.faults.cat_busy {
            return DisableProfileResult::CAT_BUSY;
        }
        let Some(i) = self.profile_index(iccid) else {
            return DisableProfileResult::ICCID_OR_AID_NOT_FOUND;
        };
        if !self.profiles[i].enabled {
            return DisableProfileResult::PROFILE_NOT_IN_ENABLED_STATE;
        }
        if self.profiles[i].ppr1 {
            return DisableProfileResult::DISALLOWED_BY_POLICY;
        }
        self.disable_profile(i);
        if self.profiles[i].fallback {
            self.fallback_active = None;
        }
        DisableProfileResult::OK
    }

    fn psmo_delete(&mut self, iccid: &Iccid, exec: &Exec) -> DeleteProfileResult {
        let Some(i) = self.profile_index(iccid) else {
            return DeleteProfileResult::ICCID_OR_AID_NOT_FOUND;
        };
        if self.profiles[i].enabled {
            return DeleteProfileResult::PROFILE_NOT_IN_DISABLED_STATE;
        }
        if self.profiles[i].ppr2 {
            return DeleteProfileResult::DISALLOWED_BY_POLICY;
        }
        if exec.rollback_previous.as_ref() == Some(&Some(iccid.clone())) {
            return DeleteProfileResult::ROLLBACK_NOT_AVAILABLE;
        }
        if self
            .fallback_active
            .as_ref()
            .is_some_and(|f| f.previous.as_ref() == Some(iccid))
        {
            return DeleteProfileResult::RETURN_FALLBACK_PROFILE;
        }
        self.delete_profile(i, true);
        DeleteProfileResult::OK
    }

    fn psmo_set_fallback(&mut self, iccid: &Iccid) -> SetFallbackAttributeResult {
        let Some(i) = self.profile_index(iccid) else {
            return SetFallbackAttributeResult::ICCID_OR_AID_NOT_FOUND;
        };
        if self.profiles[i].fallback_allowed == Some(false) {
            return SetFallbackAttributeResult::FALLBACK_NOT_ALLOWED;
        }
        if self
            .profiles
            .iter()
            .enumerate()
            .any(|(j, p)| j != i && p.fallback && p.enabled)
        {
            return SetFallbackAttributeResult::FALLBACK_PROFILE_ENABLED;
        }
        for (j, p) in self.profiles.iter_mut().enumerate() {
            p.fallback = j == i;
        }
        SetFallbackAttributeResult::OK
    }

    fn psmo_unset_fallback(&mut self) -> UnsetFallbackAttributeResult {
        let Some(i) = self.profiles.iter().position(|p| p.fallback) else {
            return UnsetFallbackAttributeResult::NO_FALLBACK_ATTRIBUTE;
        };
        if self.profiles[i].enabled {
            return UnsetFallbackAttributeResult::FALLBACK_PROFILE_ENABLED;
        }
        self.profiles[i].fallback = false;
        UnsetFallbackAttributeResult::OK
    }

    // -----------------------------------------------------------------------------------------
    // eCOs (SGP.32 2.11.1.3; notes 3.5).

    fn run_eco(&mut self, eco: &Eco) -> EuiccResultData {
        let undefined = self.faults.undefined_error;
        let command_error = self.faults.command_error;
        match eco {
            Eco::AddEim(config) => EuiccResultData::AddEimResult(if undefined {
                AddEimResult::AddEimResultCode(AddEimResultCode::UNDEFINED_ERROR)
            } else if command_error {
                AddEimResult::AddEimResultCode(AddEimResultCode::COMMAND_ERROR)
            } else {
                self.eco_add_eim(config)
            }),
            Eco::DeleteEim(d) => EuiccResultData::DeleteEimResult(if undefined {
                DeleteEimResult::UNDEFINED_ERROR
            } else if command_error {
                DeleteEimResult::COMMAND_ERROR
            } else {
                match self.eim_index(&d.eim_id) {
                    None => DeleteEimResult::EIM_NOT_FOUND,
                    Some(i) => {
                        self.eims.remove(i);
                        if self.eims.is_empty() {
                            DeleteEimResult::LAST_EIM_DELETED
                        } else {
                            DeleteEimResult::OK
                        }
                    }
                }
            }),
            Eco::UpdateEim(config) => EuiccResultData::UpdateEimResult(
                crate::asn1::sgp32::UpdateEimResult(if undefined {
                    UNDEFINED_ERROR
                } else if command_error {
                    COMMAND_ERROR
                } else {
                    self.eco_update_eim(config)
                }),
            ),
            Eco::ListEim(_) => EuiccResultData::ListEimResult(if undefined {
                ListEimResult::ListEimError(ListEimError::UNDEFINED_ERROR)
            } else {
                ListEimResult::EimIdList(
                    self.eims
                        .iter()
                        .map(|e| EimIdInfo {
                            eim_id: e.config.eim_id.clone(),
                            eim_id_type: e.config.eim_id_type,
                            extensions: Default::default(),
                        })
                        .collect(),
                )
            }),
        }
    }

    /// Checks an eIM configuration (addEim, updateEim, AddInitialEim): the key, the CI key id,
    /// the counter range and (for additions) the association token request. The error is the
    /// result code, the same number in every code list (3, 5, 6, 7).
    pub(crate) fn check_eim_config(
        &self,
        config: &EimConfigurationData,
        adding: bool,
    ) -> Result<Option<crate::crypto::VerifyingKey>, i64> {
        if let Some(id) = &config.euicc_ci_pk_id
            && !self.ci_pk_ids.iter().any(|own| own[..] == id.as_ref()[..])
        {
            return Err(AddEimResultCode::CI_PK_UNKNOWN.0);
        }
        if adding && config.association_token.is_some_and(|t| t != -1) {
            return Err(AddEimResultCode::INVALID_ASSOCIATION_TOKEN.0);
        }
        if config
            .counter_value
            .is_some_and(|c| c < 0 || c > self.settings.max_counter)
        {
            return Err(AddEimResultCode::COUNTER_VALUE_OUT_OF_RANGE.0);
        }
        eim_key(config, self.settings.backend).map_err(|_| COMMAND_ERROR)
    }

    /// Stores a checked new eIM; the generated association token, if it asked for one.
    pub(crate) fn associate_eim(
        &mut self,
        config: &EimConfigurationData,
        key: Option<crate::crypto::VerifyingKey>,
    ) -> Option<i64> {
        let association_token = if config.association_token == Some(-1) {
            let t = self.next_association_token;
            self.next_association_token = self.next_association_token.saturating_add(1);
            Some(t)
        } else {
            None
        };
        self.eims.push(AssociatedEim {
            config: config.clone(),
            counter: config.counter_value.unwrap_or(0),
            association_token,
            key,
        });
        association_token
    }

    fn eco_add_eim(&mut self, config: &EimConfigurationData) -> AddEimResult {
        let code = |c: i64| AddEimResult::AddEimResultCode(AddEimResultCode(c));
        if self.faults.insufficient_memory || self.eims.len() >= self.settings.max_eims {
            return code(AddEimResultCode::INSUFFICIENT_MEMORY.0);
        }
        if self.eim_index(&config.eim_id).is_some() {
            return code(AddEimResultCode::ASSOCIATED_EIM_ALREADY_EXISTS.0);
        }
        match self.check_eim_config(config, true) {
            Err(c) => code(c),
            Ok(key) => match self.associate_eim(config, key) {
                Some(token) => AddEimResult::AssociationToken(token),
                None => code(AddEimResultCode::OK.0),
            },
        }
    }

    fn eco_update_eim(&mut self, config: &EimConfigurationData) -> i64 {
        let Some(i) = self.eim_index(&config.eim_id) else {
            return crate::asn1::sgp32::UpdateEimResult::EIM_NOT_FOUND.0;
        };
        let key = match self.check_eim_config(config, false) {
            Ok(key) => key,
            Err(c) => return c,
        };
        let eim = &mut self.eims[i];
        let stored = &mut eim.config;
        if config.eim_fqdn.is_some() {
            stored.eim_fqdn = config.eim_fqdn.clone();
        }
        if config.eim_id_type.is_some() {
            stored.eim_id_type = config.eim_id_type;
        }
        if let Some(counter) = config.counter_value {
            stored.counter_value = Some(counter);
            eim.counter = counter;
        }
        if config.eim_public_key_data.is_some() {
            stored.eim_public_key_data = config.eim_public_key_data.clone();
            eim.key = key;
        }
        if config.trusted_public_key_data_tls.is_some() {
            stored.trusted_public_key_data_tls = config.trusted_public_key_data_tls.clone();
        }
        if config.eim_supported_protocol.is_some() {
            stored.eim_supported_protocol = config.eim_supported_protocol.clone();
        }
        if config.euicc_ci_pk_id.is_some() {
            stored.euicc_ci_pk_id = config.euicc_ci_pk_id.clone();
        }
        if config.indirect_profile_download.is_some() {
            stored.indirect_profile_download = Some(());
        }
        crate::asn1::sgp32::UpdateEimResult::OK.0
    }
}
