//! The ES10 entry points and the ES10b/ES10c functions other than LoadEuiccPackage.

use rasn::types::{BitString, OctetString};

use super::state::{Euicc, FallbackState, PendingItem};
use super::{Es10Error, Es10Request, Es10Response};
use crate::asn1::pkix::SubjectKeyIdentifier;
use crate::asn1::rsp::NotificationSentResponse;
use crate::asn1::rsp::ProfileClass;
use crate::asn1::rsp::{
    DeleteNotificationStatus, EuiccConfiguredAddressesResponse, EuiccInfo1,
    GetEuiccChallengeResponse, GetEuiccDataResponse, GetRatResponse, Octet16, OctetTo16,
    OtherSignedNotification, ProfileInfoListRequest, ProfileInfoListSearchCriteria, ProfileState,
    VersionType,
};
use crate::asn1::sgp32::{
    AddInitialEimError, AddInitialEimOkEntry, AddInitialEimRequest, AddInitialEimResponse,
    AddInitialEimResponseChoice, Certs, ConfigImmediateEnableResult,
    ConfigureImmediateProfileEnablingRequest, ConfigureImmediateProfileEnablingResponse,
    EimSearchCriteria, EuiccInfo2, EuiccMemoryResetRequest, EuiccMemoryResetResponse,
    ExecuteFallbackMechanismResponse, ExecuteFallbackMechanismResult, GetCertsError,
    GetCertsRequest, GetCertsResponse, GetCertsResponseChoice, GetEimConfigurationDataRequest,
    GetEimConfigurationDataResponse, ImmediateEnableRequest, ImmediateEnableResponse,
    ImmediateEnableResult, IoTSpecificInfo, IpaMode, NotificationsSearchCriteria,
    PendingNotification, ProfileInfo, ProfileInfoListError, ProfileInfoListResponse,
    ProfileInfoListResponseChoice, ProfileRollbackCmdResult, ProfileRollbackResponse,
    ResetEimResult, ResetImmediateEnableConfigResult, ResetResult,
    RetrieveNotificationsListRequest, RetrieveNotificationsListResponse,
    RetrieveNotificationsListResponseChoice, ReturnFromFallbackResponse, ReturnFromFallbackResult,
    SetDefaultDpAddressResponse, SetDefaultDpAddressResult, named_bits,
};
use crate::asn1::tlv::encode as encode_tlv;

/// The length of the TLV at the start of `bytes` (tag, length and value), BER definite
/// lengths only.
fn tlv_len(bytes: &[u8]) -> Result<usize, Es10Error> {
    crate::asn1::tlv::split(bytes)
        .map(|t| t.whole.len())
        .map_err(|e| Es10Error::Undecodable(e.as_str().to_owned()))
}

/// The tags of a tag list ('5C' value): one-octet tags, or multi-octet ones ('9F70', 'BF22').
fn parse_tag_list(mut bytes: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut tags = Vec::new();
    while !bytes.is_empty() {
        let len = crate::asn1::tlv::tag_len(bytes).ok()?;
        let (tag, rest) = bytes.split_at(len);
        tags.push(tag.to_vec());
        bytes = rest;
    }
    Some(tags)
}

fn bits_of(set: &[usize]) -> BitString {
    named_bits(set)
}

impl Euicc {
    /// One ES10 request (BER-TLV) in, one response (DER TLV) out. See the module docs.
    pub fn handle_es10(&mut self, request: &[u8]) -> Result<Vec<u8>, Es10Error> {
        if let Some(answer) = self.bpp_segment(request) {
            return answer;
        }
        let len = tlv_len(request)?;
        if len < request.len() {
            return Err(Es10Error::TrailingBytes(request.len() - len));
        }
        let decoded: Es10Request =
            rasn::ber::decode(request).map_err(|e| Es10Error::Undecodable(e.to_string()))?;
        let response = match decoded {
            Es10Request::LoadEuiccPackage(r) => {
                Es10Response::LoadEuiccPackage(self.load_euicc_package(&r, request))
            }
            Es10Request::AuthenticateServer(r) => Es10Response::AuthenticateServer(
                self.authenticate_server(&r, super::download::first_inner_tlv(request)),
            ),
            Es10Request::PrepareDownload(r) => Es10Response::PrepareDownload(
                self.prepare_download(&r, super::download::first_inner_tlv(request)),
            ),
            Es10Request::LoadBoundProfilePackage(_) => {
                Es10Response::LoadBoundProfilePackage(self.load_bound_profile_package(request))
            }
            other => self.handle(other)?,
        };
        rasn::der::encode(&response).map_err(|e| Es10Error::Encode(e.to_string()))
    }

    /// The typed entry point: one decoded ES10 request, its response. A LoadEuiccPackage is
    /// verified over its DER re-encoding.
    pub fn handle(&mut self, request: Es10Request) -> Result<Es10Response, Es10Error> {
        Ok(match request {
            Es10Request::GetEuiccChallenge(_) => {
                Es10Response::GetEuiccChallenge(self.get_euicc_challenge())
            }
            Es10Request::GetEuiccInfo1(_) => Es10Response::GetEuiccInfo1(self.euicc_info1()),
            Es10Request::GetEuiccInfo2(_) => Es10Response::GetEuiccInfo2(self.euicc_info2()),
            Es10Request::GetEid(r) => {
                if r.tag_list.as_ref() != [0x5a] {
                    return Err(Es10Error::IncorrectData("GetEID tagList must be '5A'"));
                }
                Es10Response::GetEid(GetEuiccDataResponse {
                    eid_value: Octet16::new(*self.eid.as_bcd()),
                    extensions: Default::default(),
                })
            }
            Es10Request::GetProfilesInfo(r) => {
                Es10Response::GetProfilesInfo(self.profile_info_list(&r))
            }
            Es10Request::GetEimConfigurationData(r) => {
                Es10Response::GetEimConfigurationData(self.get_eim_configuration_data(&r))
            }
            Es10Request::AddInitialEim(r) => Es10Response::AddInitialEim(self.add_initial_eim(&r)),
            Es10Request::GetCerts(r) => Es10Response::GetCerts(self.get_certs(&r)),
            Es10Request::LoadEuiccPackage(r) => {
                let raw = rasn::der::encode(&r).map_err(|e| Es10Error::Encode(e.to_string()))?;
                Es10Response::LoadEuiccPackage(self.load_euicc_package(&r, &raw))
            }
            Es10Request::RetrieveNotificationsList(r) => {
                Es10Response::RetrieveNotificationsList(self.retrieve_notifications(&r))
            }
            Es10Request::RemoveNotificationFromList(r) => {
                let before = self.pending.len();
                self.pending.retain(|p| p.seq_number() != r.seq_number);
                let status = if self.pending.len() < before {
                    DeleteNotificationStatus::OK
                } else {
                    DeleteNotificationStatus::NOTHING_TO_DELETE
                };
                Es10Response::RemoveNotificationFromList(NotificationSentResponse {
                    delete_notification_status: status,
                    extensions: Default::default(),
                })
            }
            Es10Request::ProfileRollback(_) => {
                Es10Response::ProfileRollback(self.profile_rollback())
            }
            Es10Request::ImmediateEnable(r) => {
                Es10Response::ImmediateEnable(self.immediate_enable_profile(&r))
            }
            Es10Request::ConfigureImmediateProfileEnabling(r) => {
                Es10Response::ConfigureImmediateProfileEnabling(self.configure_immediate(&r))
            }
            Es10Request::ExecuteFallbackMechanism(_) => {
                Es10Response::ExecuteFallbackMechanism(self.execute_fallback())
            }
            Es10Request::ReturnFromFallback(_) => {
                Es10Response::ReturnFromFallback(self.return_from_fallback())
            }
            Es10Request::EuiccMemoryReset(r) => {
                Es10Response::EuiccMemoryReset(self.memory_reset(&r))
            }
            Es10Request::SetDefaultDpAddress(r) => {
                let result = if self.faults.undefined_error {
                    SetDefaultDpAddressResult::UNDEFINED_ERROR
                } else {
                    self.default_dp_address = Some(r.default_dp_address);
                    SetDefaultDpAddressResult::OK
                };
                Es10Response::SetDefaultDpAddress(SetDefaultDpAddressResponse {
                    set_default_dp_address_result: result,
                    extensions: Default::default(),
                })
            }
            Es10Request::GetRat(_) => Es10Response::GetRat(GetRatResponse {
                rat: self.rat.clone(),
                extensions: Default::default(),
            }),
            Es10Request::GetEuiccConfiguredAddresses(_) => {
                Es10Response::GetEuiccConfiguredAddresses(EuiccConfiguredAddressesResponse {
                    default_dp_address: self.default_dp_address.clone(),
                    root_ds_address: self.root_ds_address.clone(),
                    extensions: Default::default(),
                })
            }
            Es10Request::AuthenticateServer(r) => {
                Es10Response::AuthenticateServer(self.authenticate_server(&r, None))
            }
            Es10Request::PrepareDownload(r) => {
                Es10Response::PrepareDownload(self.prepare_download(&r, None))
            }
            Es10Request::CancelSession(r) => Es10Response::CancelSession(self.cancel_session(&r)),
            Es10Request::LoadBoundProfilePackage(r) => {
                let raw = rasn::der::encode(&r).map_err(|e| Es10Error::Encode(e.to_string()))?;
                Es10Response::LoadBoundProfilePackage(self.load_bound_profile_package(&raw))
            }
            Es10Request::ListNotification(_) => {
                return Err(Es10Error::Unsupported("ListNotification"));
            }
            Es10Request::SetNickname(_) => return Err(Es10Error::Unsupported("SetNickname")),
            Es10Request::EnableProfile(_) => return Err(Es10Error::Unsupported("EnableProfile")),
            Es10Request::DisableProfile(_) => {
                return Err(Es10Error::Unsupported("DisableProfile"));
            }
            Es10Request::DeleteProfile(_) => return Err(Es10Error::Unsupported("DeleteProfile")),
            Es10Request::LoadCrl(_) => return Err(Es10Error::Unsupported("LoadCRL")),
            Es10Request::IpaeActivation(_) => {
                return Err(Es10Error::Unsupported("IpaeActivation"));
            }
            Es10Request::EnableEmergencyProfile(_) => {
                return Err(Es10Error::Unsupported("EnableEmergencyProfile"));
            }
            Es10Request::DisableEmergencyProfile(_) => {
                return Err(Es10Error::Unsupported("DisableEmergencyProfile"));
            }
            Es10Request::GetConnectivityParameters(_) => {
                return Err(Es10Error::Unsupported("GetConnectivityParameters"));
            }
        })
    }

    /// SGP.22 5.7.7 GetEUICCChallenge: 16 bytes from the seeded stream
    /// SHA-256("euicc-challenge" || seed || EID || n).
    fn get_euicc_challenge(&mut self) -> GetEuiccChallengeResponse {
        let digest = crate::crypto::provider(self.settings.backend).sha256_parts(&[
            b"euicc-challenge",
            &self.challenge_seed.to_be_bytes(),
            self.eid.as_bcd(),
            &self.challenges.to_be_bytes(),
        ]);
        self.challenges = self.challenges.wrapping_add(1);
        let mut challenge = [0u8; 16];
        challenge.copy_from_slice(&digest[..16]);
        self.last_challenge = Some(challenge);
        GetEuiccChallengeResponse {
            euicc_challenge: Octet16::new(challenge),
            extensions: Default::default(),
        }
    }

    /// euiccCiPKIdListForSigning: the CI of the eUICC's own certificate chain.
    fn ci_list(&self) -> Vec<SubjectKeyIdentifier> {
        self.ci_pk_ids
            .iter()
            .map(|id| SubjectKeyIdentifier::new(id.clone()))
            .collect()
    }

    /// euiccCiPKIdListForVerification: the own CI and [`super::Settings::trusted_cis`].
    fn ci_verification_list(&self) -> Vec<SubjectKeyIdentifier> {
        self.verification_pk_ids()
            .into_iter()
            .map(SubjectKeyIdentifier::new)
            .collect()
    }

    /// SGP.22 5.7.8 GetEUICCInfo1.
    fn euicc_info1(&self) -> EuiccInfo1 {
        EuiccInfo1 {
            svn: VersionType::from_parts(2, 5, 0),
            euicc_ci_pk_id_list_for_verification: self.ci_verification_list(),
            euicc_ci_pk_id_list_for_signing: self.ci_list(),
            extensions: Default::default(),
        }
    }

    /// SGP.32 5.9.x GetEUICCInfo2 (SGP.32 form).
    pub(crate) fn euicc_info2(&self) -> EuiccInfo2 {
        // extCardResource (SGP.22 5.7.8): installed applications, free NVM, free RAM.
        let mut ext = encode_tlv(&[0x81], &[self.profiles.len() as u8]);
        ext.extend(encode_tlv(&[0x82], &[0x00, 0x10, 0x00, 0x00]));
        ext.extend(encode_tlv(&[0x83], &[0x00, 0x80, 0x00]));
        EuiccInfo2 {
            profile_version: VersionType::from_parts(2, 3, 1),
            svn: VersionType::from_parts(2, 5, 0),
            euicc_firmware_ver: VersionType::from_parts(1, 0, 0),
            ext_card_resource: OctetString::from(ext),
            // usimSupport(1), isimSupport(2), csimSupport(3), ..., eapClient? kept small.
            uicc_capability: bits_of(&[1, 2, 4, 6, 7, 8]),
            ts102241_version: Some(VersionType::from_parts(9, 2, 0)),
            globalplatform_version: Some(VersionType::from_parts(2, 3, 0)),
            // additionalProfile(0), crlSupport(1), testProfileSupport(3).
            rsp_capability: bits_of(&[0, 1, 3]),
            euicc_ci_pk_id_list_for_verification: self.ci_verification_list(),
            euicc_ci_pk_id_list_for_signing: self.ci_list(),
            euicc_category: None,
            forbidden_profile_policy_rules: None,
            pp_version: VersionType::from_parts(0, 0, 1),
            sas_acreditation_number: "SGP32-HARNESS-TEST".into(),
            certification_data_object: None,
            tre_properties: None,
            tre_product_reference: None,
            additional_euicc_profile_package_versions: None,
            ipa_mode: Some(IpaMode(self.settings.ipa_mode)),
            euicc_ci_pk_id_list_for_signing_v3: None,
            additional_euicc_info: None,
            highest_svn: None,
            iot_specific_info: Some(IoTSpecificInfo {
                iot_version: vec![VersionType::new(self.settings.version.version_bytes())],
                ecall_supported: Some(()),
                fallback_supported: Some(()),
                extensions: Default::default(),
            }),
            extensions: Default::default(),
        }
    }

    /// SGP.32 ProfileInfo of profile `p`, restricted to `tags` when given.
    fn profile_info(&self, i: usize, tags: Option<&[Vec<u8>]>) -> Option<ProfileInfo> {
        let p = self.profiles.get(i)?;
        let want = |tag: &[u8]| tags.is_none_or(|t| t.iter().any(|x| x == tag));
        let ppr: Vec<usize> = [(1, p.ppr1), (2, p.ppr2)]
            .into_iter()
            .filter_map(|(b, on)| on.then_some(b))
            .collect();
        Some(ProfileInfo {
            iccid: want(&[0x5a]).then(|| p.iccid.clone()),
            isdp_aid: want(&[0x4f])
                .then(|| OctetTo16::new(p.isdp_aid.clone()))
                .filter(|a| !a.is_empty() && a.len() <= 16),
            profile_state: want(&[0x9f, 0x70]).then_some(if p.enabled {
                ProfileState::ENABLED
            } else {
                ProfileState::DISABLED
            }),
            profile_nickname: want(&[0x90]).then(|| p.nickname.clone()).flatten(),
            service_provider_name: want(&[0x91]).then(|| p.service_provider_name.clone()),
            profile_name: want(&[0x92]).then(|| p.profile_name.clone()),
            profile_class: want(&[0x95]).then_some(p.class),
            notification_configuration_info: want(&[0xb6])
                .then(|| p.notification_configuration.clone())
                .filter(|n| !n.is_empty()),
            profile_policy_rules: (want(&[0x99]) && !ppr.is_empty()).then(|| named_bits(&ppr)),
            ecall_indication: want(&[0x9f, 0x7b]).then_some(p.ecall_indication).flatten(),
            fallback_attribute: want(&[0x9f, 0x26]) && p.fallback,
            fallback_allowed: want(&[0x9f, 0x67]).then_some(p.fallback_allowed).flatten(),
            ..Default::default()
        })
    }

    /// GetProfilesInfo (SGP.22 5.7.15, SGP.32 ProfileInfo) and the listProfileInfo PSMO.
    pub(crate) fn profile_info_list(
        &self,
        req: &ProfileInfoListRequest,
    ) -> ProfileInfoListResponse {
        let tags = match &req.tag_list {
            None => None,
            Some(list) => match parse_tag_list(list) {
                Some(tags) => Some(tags),
                None => {
                    return ProfileInfoListResponse(
                        ProfileInfoListResponseChoice::ProfileInfoListError(
                            ProfileInfoListError::INCORRECT_INPUT_VALUES,
                        ),
                    );
                }
            },
        };
        let infos = self
            .profiles
            .iter()
            .enumerate()
            .filter(|(_, p)| match &req.search_criteria {
                None => true,
                Some(ProfileInfoListSearchCriteria::Iccid(iccid)) => &p.iccid == iccid,
                Some(ProfileInfoListSearchCriteria::IsdpAid(aid)) => p.isdp_aid[..] == aid[..],
                Some(ProfileInfoListSearchCriteria::ProfileClass(class)) => p.class == *class,
            })
            .filter_map(|(i, _)| self.profile_info(i, tags.as_deref()))
            .collect();
        ProfileInfoListResponse(ProfileInfoListResponseChoice::ProfileInfoListOk(infos))
    }

    /// SGP.32 5.9.18 GetEimConfigurationData (see the module docs for what is left out).
    fn get_eim_configuration_data(
        &self,
        req: &GetEimConfigurationDataRequest,
    ) -> GetEimConfigurationDataResponse {
        let list = self
            .eims
            .iter()
            .filter(|e| match &req.search_criteria {
                None => true,
                Some(EimSearchCriteria::EimId(id)) => &e.config.eim_id == id,
            })
            .map(|e| {
                let mut c = e.config.clone();
                c.counter_value = None;
                c.association_token = None;
                c.eim_public_key_data = None;
                c
            })
            .collect();
        GetEimConfigurationDataResponse {
            eim_configuration_data_list: list,
            extensions: Default::default(),
        }
    }

    /// SGP.32 5.9.4 AddInitialEim.
    fn add_initial_eim(&mut self, req: &AddInitialEimRequest) -> AddInitialEimResponse {
        let error = |e: i64| {
            AddInitialEimResponse(AddInitialEimResponseChoice::AddInitialEimError(
                AddInitialEimError(e),
            ))
        };
        if self.faults.undefined_error {
            return error(AddInitialEimError::UNDEFINED_ERROR.0);
        }
        if !self.eims.is_empty() {
            return error(AddInitialEimError::ASSOCIATED_EIM_ALREADY_EXISTS.0);
        }
        let list = &req.eim_configuration_data_list;
        if self.faults.insufficient_memory || list.len() > self.settings.max_eims {
            return error(AddInitialEimError::INSUFFICIENT_MEMORY.0);
        }
        if list.is_empty() {
            return error(AddInitialEimError::COMMAND_ERROR.0);
        }
        let mut keys = Vec::with_capacity(list.len());
        for (i, config) in list.iter().enumerate() {
            if list[..i].iter().any(|c| c.eim_id == config.eim_id) {
                return error(AddInitialEimError::ASSOCIATED_EIM_ALREADY_EXISTS.0);
            }
            match self.check_eim_config(config, true) {
                Ok(key) => keys.push(key),
                Err(code) => return error(code),
            }
        }
        let entries = list
            .iter()
            .zip(keys)
            .map(|(config, key)| match self.associate_eim(config, key) {
                Some(token) => AddInitialEimOkEntry::AssociationToken(token),
                None => AddInitialEimOkEntry::AddOk(()),
            })
            .collect();
        AddInitialEimResponse(AddInitialEimResponseChoice::AddInitialEimOk(entries))
    }

    /// SGP.32 5.9.10 GetCerts.
    fn get_certs(&self, req: &GetCertsRequest) -> GetCertsResponse {
        let error = |e| GetCertsResponse(GetCertsResponseChoice::GetCertsError(e));
        if let Some(id) = &req.euicc_ci_pk_id
            && !self.ci_pk_ids.iter().any(|own| own[..] == id.as_ref()[..])
        {
            return error(GetCertsError::INVALID_CI_PK_ID);
        }
        match self.certs() {
            Ok(c) => GetCertsResponse(GetCertsResponseChoice::Certs(Box::new(Certs {
                eum_certificate: c.eum.clone(),
                euicc_certificate: c.euicc.clone(),
                extensions: Default::default(),
            }))),
            Err(e) => {
                tracing::warn!(error = %e, "eUICC certificates unavailable");
                error(GetCertsError::UNDEFINED_ERROR)
            }
        }
    }

    fn pending_notification(&self, item: &PendingItem) -> Option<PendingNotification> {
        if let PendingItem::Pir { result, .. } = item {
            return Some(PendingNotification::ProfileInstallationResult(
                result.clone(),
            ));
        }
        let PendingItem::Other {
            metadata,
            signature,
        } = item
        else {
            return None;
        };
        let certs = self.certs().ok()?;
        Some(PendingNotification::OtherSignedNotification(Box::new(
            OtherSignedNotification {
                tbs_other_notification: metadata.clone(),
                euicc_notification_signature: OctetString::from(signature.clone()),
                euicc_certificate: certs.euicc.clone(),
                eum_certificate: certs.eum.clone(),
                extensions: Default::default(),
            },
        )))
    }

    /// SGP.32 RetrieveNotificationsList (SGP.22 5.7.10 plus euiccPackageResults).
    fn retrieve_notifications(
        &self,
        req: &RetrieveNotificationsListRequest,
    ) -> RetrieveNotificationsListResponse {
        let results = |items: Vec<&PendingItem>| {
            items
                .into_iter()
                .filter_map(|p| match p {
                    PendingItem::PackageResult { result, .. } => Some(result.clone()),
                    PendingItem::Other { .. } | PendingItem::Pir { .. } => None,
                })
                .collect::<Vec<_>>()
        };
        let others = |items: Vec<&PendingItem>| {
            items
                .into_iter()
                .filter_map(|p| self.pending_notification(p))
                .collect::<Vec<_>>()
        };
        let choice = match &req.search_criteria {
            Some(NotificationsSearchCriteria::EuiccPackageResults(())) => {
                RetrieveNotificationsListResponseChoice::EuiccPackageResultList(results(
                    self.pending.iter().collect(),
                ))
            }
            Some(NotificationsSearchCriteria::SeqNumber(n)) => {
                match self.pending.iter().find(|p| p.seq_number() == *n) {
                    Some(item @ PendingItem::PackageResult { .. }) => {
                        RetrieveNotificationsListResponseChoice::EuiccPackageResultList(results(
                            vec![item],
                        ))
                    }
                    Some(item) => {
                        RetrieveNotificationsListResponseChoice::NotificationList(others(vec![
                            item,
                        ]))
                    }
                    None => RetrieveNotificationsListResponseChoice::NotificationList(Vec::new()),
                }
            }
            Some(NotificationsSearchCriteria::ProfileManagementOperation(ops)) => {
                RetrieveNotificationsListResponseChoice::NotificationList(others(
                    self.pending
                        .iter()
                        .filter(|p| match p {
                            PendingItem::Other { metadata, .. } => metadata
                                .profile_management_operation
                                .iter()
                                .enumerate()
                                .any(|(bit, on)| *on && ops.get(bit).is_some_and(|b| *b)),
                            // A PIR is the installation notification (bit 0).
                            PendingItem::Pir { .. } => ops.first().is_some_and(|b| *b),
                            PendingItem::PackageResult { .. } => false,
                        })
                        .collect(),
                ))
            }
            None => RetrieveNotificationsListResponseChoice::NotificationList(others(
                self.pending.iter().collect(),
            )),
        };
        RetrieveNotificationsListResponse(choice)
    }

    /// SGP.32 5.9.16 ProfileRollback.
    fn profile_rollback(&mut self) -> ProfileRollbackResponse {
        let (cmd_result, euicc_package_result) = if self.faults.undefined_error {
            (ProfileRollbackCmdResult::UNDEFINED_ERROR, None)
        } else if self.faults.cat_busy {
            (ProfileRollbackCmdResult::CAT_BUSY, None)
        } else if self.faults.command_error {
            (ProfileRollbackCmdResult::COMMAND_ERROR, None)
        } else {
            match self.rollback.take() {
                None => (ProfileRollbackCmdResult::ROLLBACK_NOT_ALLOWED, None),
                Some(point) => (ProfileRollbackCmdResult::OK, Some(self.rollback_to(point))),
            }
        };
        ProfileRollbackResponse {
            cmd_result,
            euicc_package_result,
            extensions: Default::default(),
        }
    }

    /// SGP.32 5.9.15 ImmediateEnable.
    fn immediate_enable_profile(
        &mut self,
        req: &ImmediateEnableRequest,
    ) -> ImmediateEnableResponse {
        let result = if self.faults.undefined_error {
            ImmediateEnableResult::UNDEFINED_ERROR
        } else if self.faults.cat_busy {
            ImmediateEnableResult::CAT_BUSY
        } else {
            match (&self.last_installed, self.immediate_enable.enabled) {
                (Some(iccid), true) => match self.profile_index(&iccid.clone()) {
                    Some(i) if !self.profiles[i].enabled => {
                        self.enable_profile(i);
                        self.last_installed = None;
                        self.fallback_active = None;
                        if req.refresh_flag {
                            self.rollback = None;
                        }
                        ImmediateEnableResult::OK
                    }
                    _ => ImmediateEnableResult::IMMEDIATE_ENABLE_NOT_AVAILABLE,
                },
                _ => ImmediateEnableResult::IMMEDIATE_ENABLE_NOT_AVAILABLE,
            }
        };
        ImmediateEnableResponse {
            immediate_enable_result: result,
            extensions: Default::default(),
        }
    }

    /// SGP.32 5.9.17 ConfigureImmediateProfileEnabling.
    fn configure_immediate(
        &mut self,
        req: &ConfigureImmediateProfileEnablingRequest,
    ) -> ConfigureImmediateProfileEnablingResponse {
        let result = if self.faults.undefined_error {
            ConfigImmediateEnableResult::UNDEFINED_ERROR
        } else if self.faults.insufficient_memory {
            ConfigImmediateEnableResult::INSUFFICIENT_MEMORY
        } else if !self.eims.is_empty() {
            ConfigImmediateEnableResult::ASSOCIATED_EIM_ALREADY_EXISTS
        } else {
            self.immediate_enable.enabled = req.immediate_enable_flag.is_some();
            self.immediate_enable.default_smdp_oid = req.default_smdp_oid.clone();
            self.immediate_enable.default_smdp_address = req.default_smdp_address.clone();
            ConfigImmediateEnableResult::OK
        };
        ConfigureImmediateProfileEnablingResponse {
            config_immediate_enable_result: result,
            extensions: Default::default(),
        }
    }

    /// SGP.32 5.9.20 ExecuteFallbackMechanism.
    fn execute_fallback(&mut self) -> ExecuteFallbackMechanismResponse {
        let fallback = self.profiles.iter().position(|p| p.fallback);
        let result = if self.faults.undefined_error {
            ExecuteFallbackMechanismResult::UNDEFINED_ERROR
        } else if self.faults.ecall_active {
            ExecuteFallbackMechanismResult::ECALL_ACTIVE
        } else if self.faults.cat_busy {
            ExecuteFallbackMechanismResult::CAT_BUSY
        } else if self.faults.command_error {
            ExecuteFallbackMechanismResult::COMMAND_ERROR
        } else {
            match fallback {
                None => ExecuteFallbackMechanismResult::FALLBACK_NOT_AVAILABLE,
                Some(_) if self.fallback_active.is_some() => {
                    ExecuteFallbackMechanismResult::FALLBACK_NOT_AVAILABLE
                }
                Some(i) if self.profiles[i].enabled => {
                    ExecuteFallbackMechanismResult::PROFILE_NOT_IN_DISABLED_STATE
                }
                Some(i) => {
                    let previous = self.enabled_index().map(|c| self.profiles[c].iccid.clone());
                    self.enable_profile(i);
                    self.fallback_active = Some(FallbackState { previous });
                    ExecuteFallbackMechanismResult::OK
                }
            }
        };
        ExecuteFallbackMechanismResponse {
            execute_fallback_mechanism_result: result,
            extensions: Default::default(),
        }
    }

    /// SGP.32 5.9.21 ReturnFromFallback.
    fn return_from_fallback(&mut self) -> ReturnFromFallbackResponse {
        let result = if self.faults.undefined_error {
            ReturnFromFallbackResult::UNDEFINED_ERROR
        } else if self.faults.cat_busy {
            ReturnFromFallbackResult::CAT_BUSY
        } else if self.faults.command_error {
            ReturnFromFallbackResult::COMMAND_ERROR
        } else {
            match self.fallback_active.take() {
                None => ReturnFromFallbackResult::FALLBACK_NOT_AVAILABLE,
                Some(state) => {
                    match state.previous.and_then(|iccid| self.profile_index(&iccid)) {
                        Some(i) => self.enable_profile(i),
                        None => {
                            if let Some(i) = self.enabled_index() {
                                self.disable_profile(i);
                            }
                        }
                    }
                    ReturnFromFallbackResult::OK
                }
            }
        };
        ReturnFromFallbackResponse {
            return_from_fallback_result: result,
            extensions: Default::default(),
        }
    }

    /// SGP.32 5.9.5 eUICCMemoryReset (BF64).
    fn memory_reset(&mut self, req: &EuiccMemoryResetRequest) -> EuiccMemoryResetResponse {
        let bit = |b: usize| req.reset_options.get(b).is_some_and(|x| *x);
        if self.faults.ecall_active || self.faults.cat_busy || self.faults.undefined_error {
            let code = if self.faults.undefined_error {
                ResetResult::UNDEFINED_ERROR
            } else if self.faults.ecall_active {
                ResetResult::ECALL_ACTIVE
            } else {
                ResetResult::CAT_BUSY
            };
            return EuiccMemoryResetResponse {
                reset_result: code,
                reset_eim_result: None,
                reset_immediate_enable_config_result: None,
                extensions: Default::default(),
            };
        }
        let mut deleted = false;
        let classes: Vec<ProfileClass> = [
            (0, ProfileClass::OPERATIONAL),
            (1, ProfileClass::TEST),
            (3, ProfileClass::TEST),
            (4, ProfileClass::PROVISIONING),
        ]
        .into_iter()
        .filter(|(b, _)| bit(*b))
        .map(|(_, c)| c)
        .collect();
        while let Some(i) = self
            .profiles
            .iter()
            .position(|p| classes.contains(&p.class))
        {
            if let Some(p) = self.profiles.get_mut(i) {
                p.enabled = false;
            }
            self.delete_profile(i, false);
            deleted = true;
        }
        if deleted {
            self.rollback = None;
            self.fallback_active = None;
        }
        if bit(2) && self.default_dp_address.take().is_some() {
            deleted = true;
        }
        let reset_eim_result = bit(5).then(|| {
            if self.eims.is_empty() {
                ResetEimResult::NOTHING_TO_DELETE
            } else {
                self.eims.clear();
                ResetEimResult::OK
            }
        });
        let reset_immediate_enable_config_result = bit(6).then(|| {
            self.immediate_enable = Default::default();
            ResetImmediateEnableConfigResult::OK
        });
        let any_other = reset_eim_result == Some(ResetEimResult::OK)
            || reset_immediate_enable_config_result.is_some();
        EuiccMemoryResetResponse {
            reset_result: if deleted || any_other {
                ResetResult::OK
            } else {
                ResetResult::NOTHING_TO_DELETE
            },
            reset_eim_result,
            reset_immediate_enable_config_result,
            extensions: Default::default(),
        }
    }
}
