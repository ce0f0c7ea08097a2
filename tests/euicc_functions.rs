//! One test per ES10 function and per reachable result code of the simulated eUICC (issue 3),
//! each built from an encoded request through `handle_es10` and checked on the decoded answer.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rasn::types::OctetString;
use sgp32_harness::asn1::pkix::SubjectKeyIdentifier;
use sgp32_harness::asn1::rsp::{
    DeleteNotificationStatus, EuiccConfiguredAddressesRequest, EuiccConfiguredAddressesResponse,
    EuiccInfo1, GetEuiccChallengeRequest, GetEuiccChallengeResponse, GetEuiccDataRequest,
    GetEuiccDataResponse, GetEuiccInfo1Request, GetEuiccInfo2Request, GetRatRequest,
    GetRatResponse, Iccid, NotificationSentRequest, NotificationSentResponse, Octet1, ProfileClass,
    ProfileInfoListRequest, ProfileInfoListSearchCriteria, ProfileState,
};
use sgp32_harness::asn1::sgp32::*;
use sgp32_harness::crypto::{Backend, provider};
use sgp32_harness::euicc::testing::{TestEim, verify_result};
use sgp32_harness::euicc::{
    CounterRule, Es10Error, Euicc, Faults, Profile, Settings, Sgp32Version,
};
use sgp32_harness::pki::Pki;

fn pki() -> Arc<Pki> {
    static PKI: OnceLock<Arc<Pki>> = OnceLock::new();
    PKI.get_or_init(|| Arc::new(Pki::generate(7, 0).unwrap()))
        .clone()
}

fn iccid(n: u8) -> Iccid {
    Iccid::from_digits(&format!("8944000000000000{n:02}")).unwrap()
}

struct Rig {
    euicc: Euicc,
    eim: TestEim,
    cert: Vec<u8>,
}

/// An eUICC with `profiles`, one eIM associated through AddInitialEim (token 1).
fn rig_with(profiles: Vec<Profile>, settings: Settings, faults: Faults) -> Rig {
    let mut builder = Euicc::builder(pki(), 3).settings(settings);
    for p in profiles {
        builder = builder.profile(p);
    }
    let euicc = builder.build().unwrap();
    let eim = TestEim::from_pki(&pki(), 0, "eim-1", Backend::RustCrypto);
    let mut rig = Rig {
        euicc,
        eim,
        cert: Vec::new(),
    };
    let config = rig.eim.config(0, Some(-1));
    let answer: AddInitialEimResponse = rig.call(&AddInitialEimRequest {
        eim_configuration_data_list: vec![config],
        extensions: Default::default(),
    });
    assert_eq!(
        answer.0,
        AddInitialEimResponseChoice::AddInitialEimOk(vec![AddInitialEimOkEntry::AssociationToken(
            1
        )])
    );
    rig.eim.association_token = Some(1);
    let certs: GetCertsResponse = rig.call(&GetCertsRequest::default());
    let GetCertsResponseChoice::Certs(certs) = certs.0 else {
        panic!("no certs")
    };
    rig.cert = certs.euicc_certificate.to_der().unwrap();
    *rig.euicc.faults_mut() = faults;
    rig
}

fn rig(profiles: Vec<Profile>) -> Rig {
    rig_with(profiles, Settings::default(), Faults::default())
}

/// Two disabled profiles and an enabled one (iccid 3).
fn three() -> Vec<Profile> {
    vec![
        Profile::new(iccid(1)),
        Profile::new(iccid(2)),
        Profile::new(iccid(3)).enabled(),
    ]
}

impl Rig {
    fn raw(&mut self, request: &[u8]) -> Vec<u8> {
        self.euicc.handle_es10(request).unwrap()
    }

    fn call<T: rasn::Decode>(&mut self, request: &impl rasn::Encode) -> T {
        let bytes = self.raw(&rasn::der::encode(request).unwrap());
        rasn::der::decode(&bytes).unwrap()
    }

    /// Runs a package; the result verified by the eIM with the other backend.
    fn run(&mut self, package: EuiccPackage) -> EuiccPackageResult {
        let request = self
            .eim
            .package(&self.euicc.eid(), package, Some(&[1, 2, 3]));
        let answer = self.raw(&request);
        verify_result(
            &answer,
            &self.cert,
            self.eim.association_token,
            Backend::RustCrypto,
        )
        .unwrap()
    }

    fn results(&mut self, package: EuiccPackage) -> Vec<EuiccResultData> {
        match self.run(package).0 {
            EuiccPackageResultChoice::EuiccPackageResultSigned(s) => {
                let data = s.euicc_package_result_data_signed;
                assert_eq!(data.eim_id, self.eim.eim_id);
                assert_eq!(data.counter_value, self.eim.counter);
                assert_eq!(data.eim_transaction_id.as_deref(), Some(&[1u8, 2, 3][..]));
                data.euicc_result
            }
            other => panic!("not a signed result: {other:?}"),
        }
    }

    fn psmos(&mut self, list: Vec<Psmo>) -> Vec<EuiccResultData> {
        self.results(EuiccPackage::PsmoList(list))
    }

    fn ecos(&mut self, list: Vec<Eco>) -> Vec<EuiccResultData> {
        self.results(EuiccPackage::EcoList(list))
    }

    fn error_code(&mut self, request: Vec<u8>) -> EuiccPackageErrorCode {
        let answer = self.raw(&request);
        let result = verify_result(
            &answer,
            &self.cert,
            self.eim.association_token,
            Backend::AwsLc,
        )
        .unwrap();
        match result.0 {
            EuiccPackageResultChoice::EuiccPackageErrorSigned(e) => {
                e.euicc_package_error_data_signed.euicc_package_error_code
            }
            other => panic!("not a signed error: {other:?}"),
        }
    }

    fn state(&self, n: u8) -> Option<bool> {
        self.euicc
            .profiles()
            .iter()
            .find(|p| p.iccid == iccid(n))
            .map(|p| p.enabled)
    }

    fn fallback(&self) -> Vec<Iccid> {
        self.euicc
            .profiles()
            .iter()
            .filter(|p| p.fallback)
            .map(|p| p.iccid.clone())
            .collect()
    }
}

fn enable(n: u8) -> Psmo {
    Psmo::Enable(PsmoEnable {
        iccid: iccid(n),
        rollback_flag: None,
        extensions: Default::default(),
    })
}

fn enable_rollback(n: u8) -> Psmo {
    Psmo::Enable(PsmoEnable {
        iccid: iccid(n),
        rollback_flag: Some(()),
        extensions: Default::default(),
    })
}

fn psmo_iccid(n: u8) -> PsmoIccid {
    PsmoIccid {
        iccid: iccid(n),
        extensions: Default::default(),
    }
}

fn enable_result(r: EnableProfileResult) -> EuiccResultData {
    EuiccResultData::EnableResult(r)
}

// ---------------------------------------------------------------------------------------------
// ES10 functions

#[test]
fn get_euicc_challenge_is_16_fresh_seeded_bytes() {
    let mut a = rig(vec![]);
    let c1: GetEuiccChallengeResponse = a.call(&GetEuiccChallengeRequest::default());
    let c2: GetEuiccChallengeResponse = a.call(&GetEuiccChallengeRequest::default());
    assert_eq!(c1.euicc_challenge.len(), 16);
    assert_ne!(c1.euicc_challenge, c2.euicc_challenge);
    let mut b = rig(vec![]);
    let d1: GetEuiccChallengeResponse = b.call(&GetEuiccChallengeRequest::default());
    assert_eq!(c1.euicc_challenge, d1.euicc_challenge, "seeded");
}

#[test]
fn get_euicc_info1_and_info2() {
    let mut r = rig(vec![]);
    let info1: EuiccInfo1 = r.call(&GetEuiccInfo1Request::default());
    // The harness CI and, by default, the SGP.26 v3 NIST test CI (for SGP.26 DPauth/DPpb).
    assert_eq!(info1.euicc_ci_pk_id_list_for_verification.len(), 2);
    assert_eq!(
        info1.euicc_ci_pk_id_list_for_verification[0].as_ref().len(),
        20
    );
    let info2: EuiccInfo2 = r.call(&GetEuiccInfo2Request::default());
    assert_eq!(info2.ipa_mode, Some(IpaMode::IPAD));
    let iot = info2.iot_specific_info.unwrap();
    assert_eq!(iot.iot_version[0].as_ref(), [1, 2, 0]);
    assert!(iot.fallback_supported.is_some() && iot.ecall_supported.is_some());
    assert_eq!(
        info2.euicc_ci_pk_id_list_for_signing,
        info1.euicc_ci_pk_id_list_for_signing
    );
    let settings = Settings {
        version: Sgp32Version::V1_0,
        ipa_mode: 1,
        ..Settings::default()
    };
    let mut v10 = rig_with(vec![], settings, Faults::default());
    let info2: EuiccInfo2 = v10.call(&GetEuiccInfo2Request::default());
    assert_eq!(
        info2.iot_specific_info.unwrap().iot_version[0].as_ref(),
        [1, 0, 0]
    );
    assert_eq!(info2.ipa_mode, Some(IpaMode::IPAE));
}

#[test]
fn get_eid_answers_the_eid_and_refuses_another_tag_list() {
    let mut r = rig(vec![]);
    let eid: GetEuiccDataResponse = r.call(&GetEuiccDataRequest {
        tag_list: Octet1::new([0x5a]),
        extensions: Default::default(),
    });
    assert_eq!(eid.eid_value.as_ref(), r.euicc.eid().as_bcd());
    let bad = rasn::der::encode(&GetEuiccDataRequest {
        tag_list: Octet1::new([0x4f]),
        extensions: Default::default(),
    })
    .unwrap();
    assert!(matches!(
        r.euicc.handle_es10(&bad),
        Err(Es10Error::IncorrectData(_))
    ));
}

#[test]
fn get_profiles_info_searches_and_filters_tags() {
    let mut r = rig(vec![
        Profile::new(iccid(1)).class(ProfileClass::TEST),
        Profile::new(iccid(2)).enabled().fallback(),
    ]);
    let all: ProfileInfoListResponse = r.call(&ProfileInfoListRequest::default());
    let ProfileInfoListResponseChoice::ProfileInfoListOk(list) = all.0 else {
        panic!()
    };
    assert_eq!(list.len(), 2);
    assert_eq!(list[1].profile_state, Some(ProfileState::ENABLED));
    assert!(list[1].fallback_attribute);
    assert_eq!(list[0].profile_class, Some(ProfileClass::TEST));
    let by_iccid: ProfileInfoListResponse = r.call(&ProfileInfoListRequest {
        search_criteria: Some(ProfileInfoListSearchCriteria::Iccid(iccid(2))),
        tag_list: Some(OctetString::from(vec![0x5a, 0x9f, 0x70])),
        extensions: Default::default(),
    });
    let ProfileInfoListResponseChoice::ProfileInfoListOk(list) = by_iccid.0 else {
        panic!()
    };
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].iccid, Some(iccid(2)));
    assert_eq!(list[0].profile_state, Some(ProfileState::ENABLED));
    assert_eq!(list[0].profile_name, None, "not in the tag list");
    assert!(!list[0].fallback_attribute, "not in the tag list");
    let by_class: ProfileInfoListResponse = r.call(&ProfileInfoListRequest {
        search_criteria: Some(ProfileInfoListSearchCriteria::ProfileClass(
            ProfileClass::TEST,
        )),
        ..Default::default()
    });
    let ProfileInfoListResponseChoice::ProfileInfoListOk(list) = by_class.0 else {
        panic!()
    };
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].iccid, Some(iccid(1)));
    let malformed: ProfileInfoListResponse = r.call(&ProfileInfoListRequest {
        tag_list: Some(OctetString::from(vec![0x9f])),
        ..Default::default()
    });
    assert_eq!(
        malformed.0,
        ProfileInfoListResponseChoice::ProfileInfoListError(
            ProfileInfoListError::INCORRECT_INPUT_VALUES
        )
    );
}

#[test]
fn get_eim_configuration_data_lists_and_searches() {
    let mut r = rig(vec![]);
    let all: GetEimConfigurationDataResponse = r.call(&GetEimConfigurationDataRequest::default());
    assert_eq!(all.eim_configuration_data_list.len(), 1);
    let c = &all.eim_configuration_data_list[0];
    assert_eq!(c.eim_id, "eim-1");
    assert_eq!(c.eim_fqdn.as_deref(), Some("eim.example.com"));
    assert_eq!(c.counter_value, None);
    assert_eq!(c.eim_public_key_data, None);
    let none: GetEimConfigurationDataResponse = r.call(&GetEimConfigurationDataRequest {
        search_criteria: Some(EimSearchCriteria::EimId("other".into())),
        extensions: Default::default(),
    });
    assert!(none.eim_configuration_data_list.is_empty());
    let one: GetEimConfigurationDataResponse = r.call(&GetEimConfigurationDataRequest {
        search_criteria: Some(EimSearchCriteria::EimId("eim-1".into())),
        extensions: Default::default(),
    });
    assert_eq!(one.eim_configuration_data_list.len(), 1);
}

fn fresh() -> Euicc {
    Euicc::builder(pki(), 4).build().unwrap()
}

fn add_initial(euicc: &mut Euicc, list: Vec<EimConfigurationData>) -> AddInitialEimResponseChoice {
    let request = rasn::der::encode(&AddInitialEimRequest {
        eim_configuration_data_list: list,
        extensions: Default::default(),
    })
    .unwrap();
    rasn::der::decode::<AddInitialEimResponse>(&euicc.handle_es10(&request).unwrap())
        .unwrap()
        .0
}

#[test]
fn add_initial_eim_result_codes() {
    let eim = TestEim::from_pki(&pki(), 0, "eim-1", Backend::AwsLc);
    let err = |c| AddInitialEimResponseChoice::AddInitialEimError(c);
    // invalidAssociationToken: the eUICC generates tokens (-1).
    assert_eq!(
        add_initial(&mut fresh(), vec![eim.config(0, Some(5))]),
        err(AddInitialEimError::INVALID_ASSOCIATION_TOKEN)
    );
    assert_eq!(
        add_initial(&mut fresh(), vec![eim.config(0x80_0000, None)]),
        err(AddInitialEimError::COUNTER_VALUE_OUT_OF_RANGE)
    );
    let mut unknown_ci = eim.config(0, None);
    unknown_ci.euicc_ci_pk_id = Some(SubjectKeyIdentifier::new(vec![1; 20]));
    assert_eq!(
        add_initial(&mut fresh(), vec![unknown_ci]),
        err(AddInitialEimError::CI_PK_UNKNOWN)
    );
    // A key that is not on the curve: commandError.
    let mut spki = eim.key.verifying_key().unwrap().to_spki_der();
    let last = spki.len() - 1;
    spki[last] ^= 0x01;
    let mut bad_key = eim.config(0, None);
    bad_key.eim_public_key_data = Some(EimPublicKeyData::EimPublicKey(
        rasn::der::decode(&spki).unwrap(),
    ));
    assert_eq!(
        add_initial(&mut fresh(), vec![bad_key]),
        err(AddInitialEimError::COMMAND_ERROR)
    );
    let mut full = fresh();
    full.faults_mut().insufficient_memory = true;
    assert_eq!(
        add_initial(&mut full, vec![eim.config(0, None)]),
        err(AddInitialEimError::INSUFFICIENT_MEMORY)
    );
    // Without a token request: addOk; then refused.
    let mut e = fresh();
    assert_eq!(
        add_initial(&mut e, vec![eim.config(0, None)]),
        AddInitialEimResponseChoice::AddInitialEimOk(vec![AddInitialEimOkEntry::AddOk(())])
    );
    assert_eq!(
        add_initial(&mut e, vec![eim.config(0, None)]),
        err(AddInitialEimError::ASSOCIATED_EIM_ALREADY_EXISTS)
    );
    // Several eIMs at once: one token each.
    let second = TestEim::from_pki(&pki(), 1, "eim-2", Backend::AwsLc);
    let mut two = fresh();
    assert_eq!(
        add_initial(
            &mut two,
            vec![eim.config(0, Some(-1)), second.config(10, Some(-1))]
        ),
        AddInitialEimResponseChoice::AddInitialEimOk(vec![
            AddInitialEimOkEntry::AssociationToken(1),
            AddInitialEimOkEntry::AssociationToken(2)
        ])
    );
    assert_eq!(two.eims()[1].counter, 10);
}

#[test]
fn get_certs_chain_verifies_and_unknown_ci_is_refused() {
    let mut r = rig(vec![]);
    let eid = pki()
        .check_euicc(&r.cert, std::time::SystemTime::now())
        .unwrap();
    assert_eq!(eid, r.euicc.eid());
    let bad: GetCertsResponse = r.call(&GetCertsRequest {
        euicc_ci_pk_id: Some(SubjectKeyIdentifier::new(vec![9; 20])),
        extensions: Default::default(),
    });
    assert_eq!(
        bad.0,
        GetCertsResponseChoice::GetCertsError(GetCertsError::INVALID_CI_PK_ID)
    );
}

// ---------------------------------------------------------------------------------------------
// LoadEuiccPackage: verification

#[test]
fn package_from_an_unknown_eim_is_an_unsigned_error() {
    let mut r = rig(three());
    let mut stranger = TestEim::from_pki(&pki(), 2, "stranger", Backend::AwsLc);
    let request = stranger.package(
        &r.euicc.eid(),
        EuiccPackage::PsmoList(vec![enable(1)]),
        None,
    );
    let answer: EuiccPackageResult = rasn::der::decode(&r.raw(&request)).unwrap();
    let EuiccPackageResultChoice::EuiccPackageErrorUnsigned(u) = answer.0 else {
        panic!("{answer:?}")
    };
    assert_eq!(u.eim_id, "stranger");
    assert_eq!(u.association_token, None);
    assert_eq!(r.state(1), Some(false));
}

#[test]
fn package_signed_with_another_key_is_an_unsigned_error() {
    let mut r = rig(three());
    let mut impostor = TestEim::from_pki(&pki(), 2, "eim-1", Backend::AwsLc);
    impostor.association_token = Some(1);
    let request = impostor.package(
        &r.euicc.eid(),
        EuiccPackage::PsmoList(vec![enable(1)]),
        None,
    );
    let answer: EuiccPackageResult = rasn::der::decode(&r.raw(&request)).unwrap();
    let EuiccPackageResultChoice::EuiccPackageErrorUnsigned(u) = answer.0 else {
        panic!("{answer:?}")
    };
    assert_eq!(u.association_token, Some(1));
    assert_eq!(r.state(1), Some(false));
    assert_eq!(r.euicc.eims()[0].counter, 0, "counter not stored");
}

#[test]
fn package_for_another_eid_is_invalid_eid() {
    let mut r = rig(three());
    let other = sgp32_harness::pki::euicc_eid(99).unwrap();
    let request = r
        .eim
        .package(&other, EuiccPackage::PsmoList(vec![enable(1)]), None);
    assert_eq!(r.error_code(request), EuiccPackageErrorCode::INVALID_EID);
    assert_eq!(r.state(1), Some(false));
}

#[test]
fn replayed_or_old_counter_is_replay_error() {
    let mut r = rig(three());
    r.eim.counter = 5;
    assert_eq!(
        r.psmos(vec![enable(1)]),
        vec![enable_result(EnableProfileResult::OK)]
    );
    let eid = r.euicc.eid();
    for counter in [6, 3] {
        let request = r.eim.package_with_counter(
            &eid,
            counter,
            EuiccPackage::PsmoList(vec![enable(2)]),
            None,
        );
        assert_eq!(r.error_code(request), EuiccPackageErrorCode::REPLAY_ERROR);
    }
    assert_eq!(r.state(2), Some(false));
    assert_eq!(r.euicc.eims()[0].counter, 6);
}

#[test]
fn counter_rule_greater_or_equal_accepts_the_same_counter() {
    let settings = Settings {
        counter_rule: CounterRule::GreaterOrEqual,
        ..Settings::default()
    };
    let mut r = rig_with(three(), settings, Faults::default());
    r.psmos(vec![enable(1)]);
    r.eim.counter -= 1; // the same counter again
    assert_eq!(
        r.psmos(vec![enable(2)]),
        vec![enable_result(EnableProfileResult::OK)]
    );
}

#[test]
fn counter_above_the_maximum_is_out_of_range() {
    let mut r = rig(three());
    let eid = r.euicc.eid();
    let request = r.eim.package_with_counter(
        &eid,
        0x80_0000,
        EuiccPackage::PsmoList(vec![enable(1)]),
        None,
    );
    assert_eq!(
        r.error_code(request),
        EuiccPackageErrorCode::COUNTER_VALUE_OUT_OF_RANGE
    );
    let settings = Settings {
        max_counter: 10,
        ..Settings::default()
    };
    let mut small = rig_with(three(), settings, Faults::default());
    let request = small.eim.package_with_counter(
        &eid_of(&small),
        11,
        EuiccPackage::PsmoList(vec![enable(1)]),
        None,
    );
    assert_eq!(
        small.error_code(request),
        EuiccPackageErrorCode::COUNTER_VALUE_OUT_OF_RANGE
    );
}

fn eid_of(r: &Rig) -> sgp32_harness::pki::Eid {
    r.euicc.eid()
}

#[test]
fn too_many_operations_is_size_overflow_and_ecall_is_ecall_active() {
    let settings = Settings {
        max_package_operations: 2,
        ..Settings::default()
    };
    let mut r = rig_with(three(), settings, Faults::default());
    let eid = r.euicc.eid();
    let request = r.eim.package(
        &eid,
        EuiccPackage::PsmoList(vec![enable(1), enable(2), enable(1)]),
        None,
    );
    assert_eq!(r.error_code(request), EuiccPackageErrorCode::SIZE_OVERFLOW);
    r.euicc.faults_mut().ecall_active = true;
    let request = r
        .eim
        .package(&eid, EuiccPackage::PsmoList(vec![enable(1)]), None);
    assert_eq!(r.error_code(request), EuiccPackageErrorCode::ECALL_ACTIVE);
    assert_eq!(r.state(1), Some(false));
}

// ---------------------------------------------------------------------------------------------
// PSMOs

#[test]
fn enable_result_codes_and_implicit_disable() {
    let mut r = rig(three());
    assert_eq!(
        r.psmos(vec![enable(9), enable(3), enable(1)]),
        vec![
            enable_result(EnableProfileResult::ICCID_OR_AID_NOT_FOUND),
            enable_result(EnableProfileResult::PROFILE_NOT_IN_DISABLED_STATE),
            enable_result(EnableProfileResult::OK),
        ]
    );
    assert_eq!((r.state(1), r.state(3)), (Some(true), Some(false)));
    r.euicc.faults_mut().cat_busy = true;
    assert_eq!(
        r.psmos(vec![enable(2)]),
        vec![enable_result(EnableProfileResult::CAT_BUSY)]
    );
    r.euicc.faults_mut().cat_busy = false;
    let mut ppr = three();
    ppr[2].ppr1 = true;
    let mut p = rig(ppr);
    assert_eq!(
        p.psmos(vec![enable(1)]),
        vec![enable_result(EnableProfileResult::DISALLOWED_BY_POLICY)]
    );
}

#[test]
fn disable_result_codes() {
    let mut profiles = three();
    profiles.push(Profile::new(iccid(4)));
    let mut r = rig(profiles);
    let disable = |n| Psmo::Disable(psmo_iccid(n));
    assert_eq!(
        r.psmos(vec![disable(9), disable(1), disable(3)]),
        vec![
            EuiccResultData::DisableResult(DisableProfileResult::ICCID_OR_AID_NOT_FOUND),
            EuiccResultData::DisableResult(DisableProfileResult::PROFILE_NOT_IN_ENABLED_STATE),
            EuiccResultData::DisableResult(DisableProfileResult::OK),
        ]
    );
    assert_eq!(r.euicc.enabled_index(), None);
    let mut ppr = three();
    ppr[2].ppr1 = true;
    let mut p = rig(ppr);
    assert_eq!(
        p.psmos(vec![disable(3)]),
        vec![EuiccResultData::DisableResult(
            DisableProfileResult::DISALLOWED_BY_POLICY
        )]
    );
    p.euicc.faults_mut().cat_busy = true;
    assert_eq!(
        p.psmos(vec![disable(3)]),
        vec![EuiccResultData::DisableResult(
            DisableProfileResult::CAT_BUSY
        )]
    );
}

#[test]
fn delete_result_codes() {
    let mut profiles = three();
    profiles[1].ppr2 = true;
    let mut r = rig(profiles);
    let delete = |n| Psmo::Delete(psmo_iccid(n));
    assert_eq!(
        r.psmos(vec![delete(3), delete(9), delete(2), delete(1)]),
        vec![
            EuiccResultData::DeleteResult(DeleteProfileResult::PROFILE_NOT_IN_DISABLED_STATE),
            EuiccResultData::DeleteResult(DeleteProfileResult::ICCID_OR_AID_NOT_FOUND),
            EuiccResultData::DeleteResult(DeleteProfileResult::DISALLOWED_BY_POLICY),
            EuiccResultData::DeleteResult(DeleteProfileResult::OK),
        ]
    );
    assert_eq!(r.state(1), None);
    assert_eq!(r.euicc.profiles().len(), 2);
}

#[test]
fn fallback_attribute_rules() {
    let mut profiles = three();
    profiles[1].fallback_allowed = Some(false);
    let mut r = rig(profiles);
    let set = |n| Psmo::SetFallbackAttribute(psmo_iccid(n));
    let unset = || Psmo::UnsetFallbackAttribute(PsmoEmpty::default());
    let s = EuiccResultData::SetFallbackAttributeResult;
    let u = EuiccResultData::UnsetFallbackAttributeResult;
    assert_eq!(
        r.psmos(vec![unset(), set(9), set(2), set(1), set(3)]),
        vec![
            u(UnsetFallbackAttributeResult::NO_FALLBACK_ATTRIBUTE),
            s(SetFallbackAttributeResult::ICCID_OR_AID_NOT_FOUND),
            s(SetFallbackAttributeResult::FALLBACK_NOT_ALLOWED),
            s(SetFallbackAttributeResult::OK),
            s(SetFallbackAttributeResult::OK),
        ]
    );
    // The attribute moved: one Fallback Profile, the enabled profile 3.
    assert_eq!(r.fallback(), vec![iccid(3)]);
    assert_eq!(
        r.psmos(vec![unset(), set(1)]),
        vec![
            u(UnsetFallbackAttributeResult::FALLBACK_PROFILE_ENABLED),
            s(SetFallbackAttributeResult::FALLBACK_PROFILE_ENABLED),
        ]
    );
    assert_eq!(
        r.psmos(vec![enable(1), unset()]),
        vec![
            enable_result(EnableProfileResult::OK),
            u(UnsetFallbackAttributeResult::OK)
        ]
    );
    assert!(r.fallback().is_empty());
}

#[test]
fn rollback_after_an_enable_that_allowed_it() {
    let mut r = rig(three());
    let rollback = rasn::der::encode(&ProfileRollbackRequest::default()).unwrap();
    let answer: ProfileRollbackResponse = rasn::der::decode(&r.raw(&rollback)).unwrap();
    assert_eq!(
        answer.cmd_result,
        ProfileRollbackCmdResult::ROLLBACK_NOT_ALLOWED
    );
    // Without rollbackFlag: no rollback.
    r.psmos(vec![enable(1)]);
    let answer: ProfileRollbackResponse = rasn::der::decode(&r.raw(&rollback)).unwrap();
    assert_eq!(
        answer.cmd_result,
        ProfileRollbackCmdResult::ROLLBACK_NOT_ALLOWED
    );
    // With it: a second one in the package is rollbackNotAvailable, deleting the rollback
    // target too.
    assert_eq!(
        r.psmos(vec![
            enable_rollback(2),
            enable_rollback(3),
            Psmo::Delete(psmo_iccid(1))
        ]),
        vec![
            enable_result(EnableProfileResult::OK),
            enable_result(EnableProfileResult::ROLLBACK_NOT_AVAILABLE),
            EuiccResultData::DeleteResult(DeleteProfileResult::ROLLBACK_NOT_AVAILABLE),
        ]
    );
    assert_eq!(r.state(2), Some(true));
    let answer = r.raw(&rollback);
    let answer: ProfileRollbackResponse = rasn::der::decode(&answer).unwrap();
    assert_eq!(answer.cmd_result, ProfileRollbackCmdResult::OK);
    assert_eq!((r.state(1), r.state(2)), (Some(true), Some(false)));
    let result = answer.euicc_package_result.unwrap();
    let bytes = rasn::der::encode(&result).unwrap();
    let result = verify_result(&bytes, &r.cert, Some(1), Backend::RustCrypto).unwrap();
    let EuiccPackageResultChoice::EuiccPackageResultSigned(s) = result.0 else {
        panic!()
    };
    assert_eq!(
        s.euicc_package_result_data_signed.counter_value,
        r.eim.counter
    );
    assert_eq!(
        s.euicc_package_result_data_signed.euicc_result.last(),
        Some(&EuiccResultData::RollbackResult(RollbackProfileResult::OK))
    );
    // Only once.
    let answer: ProfileRollbackResponse = rasn::der::decode(&r.raw(&rollback)).unwrap();
    assert_eq!(
        answer.cmd_result,
        ProfileRollbackCmdResult::ROLLBACK_NOT_ALLOWED
    );
}

#[test]
fn rollback_flag_without_rollback_support_is_not_available() {
    let settings = Settings {
        rollback_supported: false,
        ..Settings::default()
    };
    let mut r = rig_with(three(), settings, Faults::default());
    assert_eq!(
        r.psmos(vec![enable_rollback(1)]),
        vec![enable_result(EnableProfileResult::ROLLBACK_NOT_AVAILABLE)]
    );
    // A tagged '80 00' rollbackFlag (as some eIMs send) counts too.
    let mut tagged = PsmoEnable {
        iccid: iccid(1),
        rollback_flag: None,
        extensions: Default::default(),
    };
    tagged
        .extensions
        .0
        .push(rasn::types::Any::new(vec![0x80, 0x00]));
    assert_eq!(
        r.psmos(vec![Psmo::Enable(tagged)]),
        vec![enable_result(EnableProfileResult::ROLLBACK_NOT_AVAILABLE)]
    );
}

#[test]
fn list_profile_info_get_rat_configure_immediate_enable_and_default_dp_psmos() {
    let mut r = rig(three());
    let results = r.psmos(vec![
        Psmo::ListProfileInfo(Box::new(ProfileInfoListRequest {
            search_criteria: Some(ProfileInfoListSearchCriteria::Iccid(iccid(3))),
            ..Default::default()
        })),
        Psmo::GetRat(PsmoEmpty::default()),
        Psmo::ConfigureImmediateEnable(PsmoConfigureImmediateEnable {
            immediate_enable_flag: Some(()),
            default_smdp_address: Some("smdp.example.com".into()),
            ..Default::default()
        }),
        Psmo::SetDefaultDpAddress(SetDefaultDpAddressRequest {
            default_dp_address: "dp.example.com".into(),
            extensions: Default::default(),
        }),
    ]);
    let EuiccResultData::ListProfileInfoResult(ProfileInfoListResponse(
        ProfileInfoListResponseChoice::ProfileInfoListOk(list),
    )) = &results[0]
    else {
        panic!("{results:?}")
    };
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].profile_state, Some(ProfileState::ENABLED));
    assert_eq!(results[1], EuiccResultData::GetRatResult(vec![]));
    assert_eq!(
        results[2],
        EuiccResultData::ConfigureImmediateEnableResult(ConfigureImmediateEnableResult::OK)
    );
    assert!(r.euicc.immediate_enable().enabled);
    assert_eq!(
        results[3],
        EuiccResultData::SetDefaultDpAddressResult(SetDefaultDpAddressResponse {
            set_default_dp_address_result: SetDefaultDpAddressResult::OK,
            extensions: Default::default()
        })
    );
    assert_eq!(r.euicc.default_dp_address(), Some("dp.example.com"));
    r.euicc.faults_mut().insufficient_memory = true;
    assert_eq!(
        r.psmos(vec![Psmo::ConfigureImmediateEnable(Default::default())]),
        vec![EuiccResultData::ConfigureImmediateEnableResult(
            ConfigureImmediateEnableResult::INSUFFICIENT_MEMORY
        )]
    );
}

// ---------------------------------------------------------------------------------------------
// eCOs

#[test]
fn add_update_list_delete_eims() {
    let mut r = rig(three());
    let second = TestEim::from_pki(&pki(), 1, "eim-2", Backend::AwsLc);
    let results = r.ecos(vec![
        Eco::AddEim(Box::new(second.config(100, Some(-1)))),
        Eco::AddEim(Box::new(second.config(0, None))),
        Eco::AddEim(Box::new(
            TestEim::from_pki(&pki(), 2, "eim-3", Backend::AwsLc).config(0, Some(7)),
        )),
        Eco::ListEim(EcoListEim::default()),
    ]);
    assert_eq!(
        results[0],
        EuiccResultData::AddEimResult(AddEimResult::AssociationToken(2))
    );
    assert_eq!(
        results[1],
        EuiccResultData::AddEimResult(AddEimResult::AddEimResultCode(
            AddEimResultCode::ASSOCIATED_EIM_ALREADY_EXISTS
        ))
    );
    assert_eq!(
        results[2],
        EuiccResultData::AddEimResult(AddEimResult::AddEimResultCode(
            AddEimResultCode::INVALID_ASSOCIATION_TOKEN
        ))
    );
    let EuiccResultData::ListEimResult(ListEimResult::EimIdList(ids)) = &results[3] else {
        panic!()
    };
    let ids: Vec<&str> = ids.iter().map(|i| i.eim_id.as_str()).collect();
    assert_eq!(ids, ["eim-1", "eim-2"]);

    // The second eIM drives the eUICC with its own counter (from 100).
    let mut second = second;
    second.association_token = Some(2);
    second.counter = 100;
    let eid = r.euicc.eid();
    let request = second.package(&eid, EuiccPackage::PsmoList(vec![enable(1)]), None);
    let answer = r.raw(&request);
    let result = verify_result(&answer, &r.cert, Some(2), Backend::RustCrypto).unwrap();
    assert!(matches!(
        result.0,
        EuiccPackageResultChoice::EuiccPackageResultSigned(_)
    ));
    assert_eq!(r.state(1), Some(true));

    // updateEim resets the second eIM's counter; unknown eIM: eimNotFound.
    let mut update = second.config(5, None);
    update.eim_fqdn = Some("new.example.com".into());
    let mut out_of_range = second.config(0x80_0000, None);
    out_of_range.eim_fqdn = None;
    let results = r.ecos(vec![
        Eco::UpdateEim(Box::new(update)),
        Eco::UpdateEim(Box::new(
            TestEim::from_pki(&pki(), 3, "nobody", Backend::AwsLc).config(0, None),
        )),
        Eco::UpdateEim(Box::new(out_of_range)),
    ]);
    assert_eq!(
        results,
        vec![
            EuiccResultData::UpdateEimResult(UpdateEimResult::OK),
            EuiccResultData::UpdateEimResult(UpdateEimResult::EIM_NOT_FOUND),
            EuiccResultData::UpdateEimResult(UpdateEimResult::COUNTER_VALUE_OUT_OF_RANGE),
        ]
    );
    assert_eq!(r.euicc.eims()[1].counter, 5);
    assert_eq!(
        r.euicc.eims()[1].config.eim_fqdn.as_deref(),
        Some("new.example.com")
    );
    second.counter = 5;
    let request = second.package(&eid, EuiccPackage::PsmoList(vec![enable(2)]), None);
    let answer = r.raw(&request);
    verify_result(&answer, &r.cert, Some(2), Backend::RustCrypto).unwrap();
    assert_eq!(
        r.state(2),
        Some(true),
        "counter 6 accepted after the reset to 5"
    );

    // deleteEim: unknown, then the other eIM, then itself: lastEimDeleted.
    let delete = |id: &str| {
        Eco::DeleteEim(EcoDeleteEim {
            eim_id: id.into(),
            extensions: Default::default(),
        })
    };
    let results = r.ecos(vec![delete("nobody"), delete("eim-2"), delete("eim-1")]);
    assert_eq!(
        results,
        vec![
            EuiccResultData::DeleteEimResult(DeleteEimResult::EIM_NOT_FOUND),
            EuiccResultData::DeleteEimResult(DeleteEimResult::OK),
            EuiccResultData::DeleteEimResult(DeleteEimResult::LAST_EIM_DELETED),
        ]
    );
    assert!(r.euicc.eims().is_empty());
    // AddInitialEim works again; the token keeps increasing.
    assert_eq!(
        add_initial(&mut r.euicc, vec![r.eim.config(0, Some(-1))]),
        AddInitialEimResponseChoice::AddInitialEimOk(vec![AddInitialEimOkEntry::AssociationToken(
            3
        )])
    );
}

#[test]
fn add_eim_insufficient_memory_and_ci_pk_unknown() {
    let settings = Settings {
        max_eims: 1,
        ..Settings::default()
    };
    let mut r = rig_with(three(), settings, Faults::default());
    let second = TestEim::from_pki(&pki(), 1, "eim-2", Backend::AwsLc);
    assert_eq!(
        r.ecos(vec![Eco::AddEim(Box::new(second.config(0, None)))]),
        vec![EuiccResultData::AddEimResult(
            AddEimResult::AddEimResultCode(AddEimResultCode::INSUFFICIENT_MEMORY)
        )]
    );
    let mut r = rig(three());
    let mut config = second.config(0, None);
    config.euicc_ci_pk_id = Some(SubjectKeyIdentifier::new(vec![3; 20]));
    let mut too_big = second.config(-5, None);
    too_big.eim_id = "eim-3".into();
    assert_eq!(
        r.ecos(vec![
            Eco::AddEim(Box::new(config)),
            Eco::AddEim(Box::new(too_big))
        ]),
        vec![
            EuiccResultData::AddEimResult(AddEimResult::AddEimResultCode(
                AddEimResultCode::CI_PK_UNKNOWN
            )),
            EuiccResultData::AddEimResult(AddEimResult::AddEimResultCode(
                AddEimResultCode::COUNTER_VALUE_OUT_OF_RANGE
            )),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Notifications

#[test]
fn notifications_results_and_profile_events() {
    let mut profiles = three();
    profiles[0] = Profile::new(iccid(1)).notify(&[1, 2, 3], "smdp.example.com");
    profiles[2] = Profile::new(iccid(3))
        .enabled()
        .notify(&[2], "other.example.com");
    let mut r = rig(profiles);
    r.psmos(vec![enable(1)]); // disable 3 (notified), enable 1 (notified)
    let retrieve = |criteria| RetrieveNotificationsListRequest {
        search_criteria: criteria,
        extensions: Default::default(),
    };
    let results: RetrieveNotificationsListResponse = r.call(&retrieve(Some(
        NotificationsSearchCriteria::EuiccPackageResults(()),
    )));
    let RetrieveNotificationsListResponseChoice::EuiccPackageResultList(list) = results.0 else {
        panic!()
    };
    assert_eq!(list.len(), 1);
    let EuiccPackageResultChoice::EuiccPackageResultSigned(s) = &list[0].0 else {
        panic!()
    };
    let epr_seq = s.euicc_package_result_data_signed.seq_number;

    let all: RetrieveNotificationsListResponse = r.call(&retrieve(None));
    let RetrieveNotificationsListResponseChoice::NotificationList(list) = all.0 else {
        panic!()
    };
    assert_eq!(list.len(), 2);
    let key = provider(Backend::RustCrypto)
        .verifying_key_from_certificate_der(&r.cert)
        .unwrap();
    let mut seqs = vec![];
    for n in &list {
        let PendingNotification::OtherSignedNotification(o) = n else {
            panic!()
        };
        let metadata = rasn::der::encode(&o.tbs_other_notification).unwrap();
        key.verify(&metadata, &o.euicc_notification_signature)
            .unwrap();
        seqs.push(o.tbs_other_notification.seq_number);
    }
    assert_eq!(
        list.iter()
            .map(|n| match n {
                PendingNotification::OtherSignedNotification(o) =>
                    o.tbs_other_notification.notification_address.clone(),
                _ => String::new(),
            })
            .collect::<Vec<_>>(),
        ["other.example.com", "smdp.example.com"]
    );
    // Sequence numbers increase: the disable, the enable, then the package result.
    assert!(seqs[0] < seqs[1] && seqs[1] < epr_seq);

    let by_op: RetrieveNotificationsListResponse = r.call(&retrieve(Some(
        NotificationsSearchCriteria::ProfileManagementOperation(named_bits(&[1])),
    )));
    let RetrieveNotificationsListResponseChoice::NotificationList(list) = by_op.0 else {
        panic!()
    };
    assert_eq!(list.len(), 1);
    let by_seq: RetrieveNotificationsListResponse = r.call(&retrieve(Some(
        NotificationsSearchCriteria::SeqNumber(epr_seq),
    )));
    assert!(matches!(
        by_seq.0,
        RetrieveNotificationsListResponseChoice::EuiccPackageResultList(l) if l.len() == 1
    ));

    let remove = |seq| NotificationSentRequest {
        seq_number: seq,
        extensions: Default::default(),
    };
    let ok: NotificationSentResponse = r.call(&remove(epr_seq));
    assert_eq!(ok.delete_notification_status, DeleteNotificationStatus::OK);
    let again: NotificationSentResponse = r.call(&remove(epr_seq));
    assert_eq!(
        again.delete_notification_status,
        DeleteNotificationStatus::NOTHING_TO_DELETE
    );
    assert_eq!(r.euicc.pending().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Immediate enable, fallback, memory reset, addresses, RAT

#[test]
fn immediate_enable_and_its_configuration() {
    let mut e = Euicc::builder(pki(), 5)
        .profile(Profile::new(iccid(1)).enabled())
        .profile(Profile::new(iccid(2)))
        .installed(iccid(2))
        .build()
        .unwrap();
    let call = |e: &mut Euicc, req: &[u8]| e.handle_es10(req).unwrap();
    let immediate = rasn::der::encode(&ImmediateEnableRequest {
        refresh_flag: true,
        extensions: Default::default(),
    })
    .unwrap();
    let answer: ImmediateEnableResponse = rasn::der::decode(&call(&mut e, &immediate)).unwrap();
    assert_eq!(
        answer.immediate_enable_result,
        ImmediateEnableResult::IMMEDIATE_ENABLE_NOT_AVAILABLE
    );
    let configure = rasn::der::encode(&ConfigureImmediateProfileEnablingRequest {
        immediate_enable_flag: Some(()),
        ..Default::default()
    })
    .unwrap();
    let answer: ConfigureImmediateProfileEnablingResponse =
        rasn::der::decode(&call(&mut e, &configure)).unwrap();
    assert_eq!(
        answer.config_immediate_enable_result,
        ConfigImmediateEnableResult::OK
    );
    let answer: ImmediateEnableResponse = rasn::der::decode(&call(&mut e, &immediate)).unwrap();
    assert_eq!(answer.immediate_enable_result, ImmediateEnableResult::OK);
    assert!(e.profiles()[1].enabled && !e.profiles()[0].enabled);
    e.faults_mut().insufficient_memory = true;
    let answer: ConfigureImmediateProfileEnablingResponse =
        rasn::der::decode(&call(&mut e, &configure)).unwrap();
    assert_eq!(
        answer.config_immediate_enable_result,
        ConfigImmediateEnableResult::INSUFFICIENT_MEMORY
    );
    // With an eIM associated, only the eIM configures it.
    let mut r = rig(three());
    let answer: ConfigureImmediateProfileEnablingResponse =
        rasn::der::decode(&r.raw(&configure)).unwrap();
    assert_eq!(
        answer.config_immediate_enable_result,
        ConfigImmediateEnableResult::ASSOCIATED_EIM_ALREADY_EXISTS
    );
}

#[test]
fn fallback_mechanism_and_return() {
    let execute = rasn::der::encode(&ExecuteFallbackMechanismRequest::default()).unwrap();
    let back = rasn::der::encode(&ReturnFromFallbackRequest::default()).unwrap();
    let exec = |r: &mut Rig| {
        rasn::der::decode::<ExecuteFallbackMechanismResponse>(&r.raw(&execute))
            .unwrap()
            .execute_fallback_mechanism_result
    };
    let ret = |r: &mut Rig| {
        rasn::der::decode::<ReturnFromFallbackResponse>(&r.raw(&back))
            .unwrap()
            .return_from_fallback_result
    };
    let mut none = rig(three());
    assert_eq!(
        exec(&mut none),
        ExecuteFallbackMechanismResult::FALLBACK_NOT_AVAILABLE
    );
    assert_eq!(
        ret(&mut none),
        ReturnFromFallbackResult::FALLBACK_NOT_AVAILABLE
    );

    let mut profiles = three();
    profiles[0] = Profile::new(iccid(1)).fallback();
    let mut r = rig(profiles);
    r.euicc.faults_mut().ecall_active = true;
    assert_eq!(exec(&mut r), ExecuteFallbackMechanismResult::ECALL_ACTIVE);
    r.euicc.faults_mut().ecall_active = false;
    assert_eq!(exec(&mut r), ExecuteFallbackMechanismResult::OK);
    assert_eq!((r.state(1), r.state(3)), (Some(true), Some(false)));
    assert_eq!(
        exec(&mut r),
        ExecuteFallbackMechanismResult::FALLBACK_NOT_AVAILABLE
    );
    // While the fallback is active, the profile to return to can't be deleted.
    assert_eq!(
        r.psmos(vec![Psmo::Delete(psmo_iccid(3))]),
        vec![EuiccResultData::DeleteResult(
            DeleteProfileResult::RETURN_FALLBACK_PROFILE
        )]
    );
    assert_eq!(ret(&mut r), ReturnFromFallbackResult::OK);
    assert_eq!((r.state(1), r.state(3)), (Some(false), Some(true)));
    // The Fallback Profile already enabled: profileNotInDisabledState.
    r.psmos(vec![enable(1)]);
    assert_eq!(
        exec(&mut r),
        ExecuteFallbackMechanismResult::PROFILE_NOT_IN_DISABLED_STATE
    );
}

#[test]
fn memory_reset_options() {
    let mut profiles = three();
    profiles[0] = Profile::new(iccid(1)).class(ProfileClass::TEST);
    let mut r = rig(profiles);
    let reset = |bits: &[usize]| {
        rasn::der::encode(&EuiccMemoryResetRequest {
            reset_options: named_bits(bits),
            extensions: Default::default(),
        })
        .unwrap()
    };
    let answer: EuiccMemoryResetResponse = rasn::der::decode(&r.raw(&reset(&[0]))).unwrap();
    assert_eq!(answer.reset_result, ResetResult::OK);
    assert_eq!(r.euicc.profiles().len(), 1);
    let answer: EuiccMemoryResetResponse = rasn::der::decode(&r.raw(&reset(&[0]))).unwrap();
    assert_eq!(answer.reset_result, ResetResult::NOTHING_TO_DELETE);
    let answer: EuiccMemoryResetResponse = rasn::der::decode(&r.raw(&reset(&[1, 5, 6]))).unwrap();
    assert_eq!(answer.reset_result, ResetResult::OK);
    assert_eq!(answer.reset_eim_result, Some(ResetEimResult::OK));
    assert_eq!(
        answer.reset_immediate_enable_config_result,
        Some(ResetImmediateEnableConfigResult::OK)
    );
    assert!(r.euicc.profiles().is_empty() && r.euicc.eims().is_empty());
    let answer: EuiccMemoryResetResponse = rasn::der::decode(&r.raw(&reset(&[5]))).unwrap();
    assert_eq!(
        answer.reset_eim_result,
        Some(ResetEimResult::NOTHING_TO_DELETE)
    );
    r.euicc.faults_mut().ecall_active = true;
    let answer: EuiccMemoryResetResponse = rasn::der::decode(&r.raw(&reset(&[0]))).unwrap();
    assert_eq!(answer.reset_result, ResetResult::ECALL_ACTIVE);
}

#[test]
fn set_default_dp_address_get_configured_addresses_and_rat() {
    let mut r = rig(vec![]);
    let answer: SetDefaultDpAddressResponse = r.call(&SetDefaultDpAddressRequest {
        default_dp_address: "dp.example.org".into(),
        extensions: Default::default(),
    });
    assert_eq!(
        answer.set_default_dp_address_result,
        SetDefaultDpAddressResult::OK
    );
    let addresses: EuiccConfiguredAddressesResponse =
        r.call(&EuiccConfiguredAddressesRequest::default());
    assert_eq!(
        addresses.default_dp_address.as_deref(),
        Some("dp.example.org")
    );
    let rat: GetRatResponse = r.call(&GetRatRequest::default());
    assert!(rat.rat.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Faults, versions, malformed input

#[test]
fn fault_knobs_change_the_result() {
    let mut r = rig(three());
    r.euicc.faults_mut().wrong_result_signature = true;
    let request = r.eim.package(
        &r.euicc.eid(),
        EuiccPackage::PsmoList(vec![enable(1)]),
        None,
    );
    let answer = r.raw(&request);
    assert!(verify_result(&answer, &r.cert, Some(1), Backend::AwsLc).is_err());

    let faults = Faults {
        stale_counter: true,
        wrong_eim_transaction_id: true,
        delay: Duration::from_millis(250),
        ..Faults::default()
    };
    let mut r = rig_with(three(), Settings::default(), faults);
    assert_eq!(r.euicc.delay(), Duration::from_millis(250));
    let request = r.eim.package(
        &r.euicc.eid(),
        EuiccPackage::PsmoList(vec![enable(1)]),
        Some(&[7, 7]),
    );
    let answer = r.raw(&request);
    let result = verify_result(&answer, &r.cert, Some(1), Backend::AwsLc).unwrap();
    let EuiccPackageResultChoice::EuiccPackageResultSigned(s) = result.0 else {
        panic!()
    };
    assert_eq!(s.euicc_package_result_data_signed.counter_value, 0, "stale");
    assert_eq!(
        s.euicc_package_result_data_signed
            .eim_transaction_id
            .as_deref(),
        Some(&[7u8, 0xf8][..])
    );

    let mut r = rig(three());
    r.euicc.faults_mut().undefined_error = true;
    assert_eq!(
        r.psmos(vec![enable(1), Psmo::Delete(psmo_iccid(2))]),
        vec![
            enable_result(EnableProfileResult::UNDEFINED_ERROR),
            EuiccResultData::DeleteResult(DeleteProfileResult::UNDEFINED_ERROR)
        ]
    );
    r.euicc.faults_mut().undefined_error = false;
    r.euicc.faults_mut().command_error = true;
    assert_eq!(
        r.ecos(vec![Eco::DeleteEim(EcoDeleteEim {
            eim_id: "eim-1".into(),
            extensions: Default::default()
        })]),
        vec![EuiccResultData::DeleteEimResult(
            DeleteEimResult::COMMAND_ERROR
        )]
    );
}

#[test]
fn processing_terminated_and_profile_change_ongoing_are_reachable() {
    for reason in [
        ProcessingTerminated::RESULT_SIZE_OVERFLOW,
        ProcessingTerminated::UNKNOWN_OR_DAMAGED_COMMAND,
        ProcessingTerminated::INTERRUPTION,
        ProcessingTerminated::UNDEFINED_ERROR,
    ] {
        let mut r = rig(three());
        r.euicc.faults_mut().terminate_after = Some((1, reason));
        // enable 1 runs; the disable of profile 1 that follows is never executed.
        assert_eq!(
            r.psmos(vec![enable(1), Psmo::Disable(psmo_iccid(1))]),
            vec![
                enable_result(EnableProfileResult::OK),
                EuiccResultData::ProcessingTerminated(reason)
            ]
        );
        assert_eq!(r.state(1), Some(true), "{reason}");
    }
    // A package no longer than the limit is not cut.
    let mut r = rig(three());
    r.euicc.faults_mut().terminate_after = Some((1, ProcessingTerminated::INTERRUPTION));
    assert_eq!(
        r.psmos(vec![enable(2)]),
        vec![enable_result(EnableProfileResult::OK)]
    );

    let mut r = rig(three());
    r.euicc.faults_mut().profile_change_ongoing = true;
    assert_eq!(
        r.psmos(vec![Psmo::ListProfileInfo(Box::default())]),
        vec![EuiccResultData::ListProfileInfoResult(
            ProfileInfoListResponse(ProfileInfoListResponseChoice::ProfileInfoListError(
                ProfileInfoListError::PROFILE_CHANGE_ONGOING
            ))
        )]
    );
}

#[test]
fn v1_0_results_are_signed_over_data_and_eim_signature() {
    let settings = Settings {
        version: Sgp32Version::V1_0,
        ..Settings::default()
    };
    let mut r = rig_with(three(), settings, Faults::default());
    let request = r.eim.package(
        &r.euicc.eid(),
        EuiccPackage::PsmoList(vec![enable(1)]),
        None,
    );
    let answer = r.raw(&request);
    // Not the v1.2 input...
    assert!(verify_result(&answer, &r.cert, Some(1), Backend::AwsLc).is_err());
    // ...but data || 5F37 40 eimSignature.
    let sent: EuiccPackageRequest = rasn::der::decode(&request).unwrap();
    let mut data = received_euicc_package_result_data(&answer)
        .unwrap()
        .to_vec();
    data.extend([0x5f, 0x37, 0x40]);
    data.extend(sent.eim_signature.iter());
    let result: EuiccPackageResult = rasn::der::decode(&answer).unwrap();
    let EuiccPackageResultChoice::EuiccPackageResultSigned(s) = result.0 else {
        panic!()
    };
    provider(Backend::RustCrypto)
        .verifying_key_from_certificate_der(&r.cert)
        .unwrap()
        .verify(&data, &s.euicc_sign_epr)
        .unwrap();
}

#[test]
fn malformed_and_unsupported_requests_are_es10_errors() {
    let mut e = fresh();
    assert!(matches!(e.handle_es10(&[]), Err(Es10Error::Undecodable(_))));
    assert!(matches!(
        e.handle_es10(&[0xbf, 0x2e, 0x05, 0x00]),
        Err(Es10Error::Undecodable(_))
    ));
    assert!(matches!(
        e.handle_es10(&[0xbf, 0x2e, 0x00, 0x00]),
        Err(Es10Error::TrailingBytes(1))
    ));
    assert!(matches!(
        e.handle_es10(&[0xbf, 0x7f, 0x00]),
        Err(Es10Error::Undecodable(_))
    ));
    // ES10c.EnableProfile (BF31) is not an IoT eUICC function here.
    let mut enable = vec![0xbf, 0x31, 0x11, 0xa0, 0x0c, 0x5a, 0x0a];
    enable.extend(iccid(1).iter());
    enable.extend([0x81, 0x01, 0xff]);
    assert_eq!(
        e.handle_es10(&enable),
        Err(Es10Error::Unsupported("EnableProfile"))
    );
    // CancelSession without a download session: invalidTransactionId.
    let cancel = [0xbf, 0x41, 0x06, 0x80, 0x01, 0x01, 0x81, 0x01, 0x00];
    let answer: CancelSessionResponse =
        rasn::der::decode(&e.handle_es10(&cancel).unwrap()).unwrap();
    assert_eq!(
        answer.0,
        CancelSessionResponseChoice::CancelSessionResponseError(
            CancelSessionResponseError::INVALID_TRANSACTION_ID
        )
    );
}
