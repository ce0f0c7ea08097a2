//! The real vectors drive the simulated eUICC (issue 3): an eUICC with the vectors' test EID
//! and a disabled profile 98001032547698103285 accepts `bpp/sample_eim_cfg.ber` as
//! AddInitialEim (association token 1), then the signed PSMO package of
//! `esipa-live/getEimPackage_psmo_enable_resp.der` (counter 2) enables the profile with a
//! result that verifies with the eUICC certificate; the same package again is a replayError;
//! a changed byte in the signed part is rejected.

use std::sync::Arc;

use sgp32_harness::asn1::rsp::{Iccid, ProfileInfoListRequest, ProfileState};
use sgp32_harness::asn1::sgp32::{
    AddInitialEimOkEntry, AddInitialEimResponse, AddInitialEimResponseChoice, EnableProfileResult,
    EuiccPackageErrorCode, EuiccPackageResultChoice, EuiccResultData, GetCertsRequest,
    GetCertsResponse, GetCertsResponseChoice, ProfileInfoListResponse,
    ProfileInfoListResponseChoice,
};
use sgp32_harness::crypto::Backend;
use sgp32_harness::euicc::testing::verify_result;
use sgp32_harness::euicc::{Euicc, Profile};
use sgp32_harness::pki::{Eid, Pki};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/spec/vectors");

fn vector(path: &str) -> Vec<u8> {
    std::fs::read(format!("{VECTORS}/{path}")).unwrap()
}

fn iccid() -> Iccid {
    Iccid::try_from(&hex::decode("98001032547698103285").unwrap()[..]).unwrap()
}

/// The PSMO package: the BF51 inside `BF4F 81 85 { ... }`.
fn package() -> Vec<u8> {
    let bytes = vector("esipa-live/getEimPackage_psmo_enable_resp.der");
    assert_eq!(&bytes[..4], [0xbf, 0x4f, 0x81, 0x85]);
    bytes[4..].to_vec()
}

fn euicc() -> Euicc {
    let pki = Arc::new(Pki::generate(0, 0).unwrap());
    Euicc::builder(pki, 0)
        .eid(Eid::from_digits("89049032123451234512345678901235").unwrap())
        .profile(Profile::new(iccid()))
        .build()
        .unwrap()
}

fn add_initial_eim(euicc: &mut Euicc) {
    let answer = euicc
        .handle_es10(&vector("bpp/sample_eim_cfg.ber"))
        .unwrap();
    let answer: AddInitialEimResponse = rasn::der::decode(&answer).unwrap();
    assert_eq!(
        answer.0,
        AddInitialEimResponseChoice::AddInitialEimOk(vec![AddInitialEimOkEntry::AssociationToken(
            1
        )])
    );
}

fn euicc_cert(euicc: &mut Euicc) -> Vec<u8> {
    let answer = euicc
        .handle_es10(&rasn::der::encode(&GetCertsRequest::default()).unwrap())
        .unwrap();
    let GetCertsResponseChoice::Certs(certs) =
        rasn::der::decode::<GetCertsResponse>(&answer).unwrap().0
    else {
        panic!("no certificates")
    };
    certs.euicc_certificate.to_der().unwrap()
}

fn profile_state(euicc: &mut Euicc) -> ProfileState {
    let request = rasn::der::encode(&ProfileInfoListRequest::default()).unwrap();
    let answer: ProfileInfoListResponse =
        rasn::der::decode(&euicc.handle_es10(&request).unwrap()).unwrap();
    let ProfileInfoListResponseChoice::ProfileInfoListOk(list) = answer.0 else {
        panic!("profile info error")
    };
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].iccid, Some(iccid()));
    list[0].profile_state.unwrap()
}

#[test]
fn vector_add_initial_eim_then_psmo_enable_then_replay() {
    let mut euicc = euicc();
    add_initial_eim(&mut euicc);
    assert_eq!(profile_state(&mut euicc), ProfileState::DISABLED);
    let cert = euicc_cert(&mut euicc);

    let answer = euicc.handle_es10(&package()).unwrap();
    // The eIM's check, with the other backend than the eUICC's (aws-lc).
    let result = verify_result(&answer, &cert, Some(1), Backend::RustCrypto).unwrap();
    let EuiccPackageResultChoice::EuiccPackageResultSigned(signed) = result.0 else {
        panic!("not a signed result: {result:?}")
    };
    let data = &signed.euicc_package_result_data_signed;
    assert_eq!(data.eim_id, "eIM");
    assert_eq!(data.counter_value, 2);
    assert_eq!(
        data.eim_transaction_id.as_deref(),
        Some(&hex::decode("633eae19b033509cb21d2e7bd0b1f90b").unwrap()[..])
    );
    assert_eq!(
        data.euicc_result,
        vec![EuiccResultData::EnableResult(EnableProfileResult::OK)]
    );
    assert_eq!(profile_state(&mut euicc), ProfileState::ENABLED);
    // A wrong association token does not verify.
    assert!(verify_result(&answer, &cert, Some(2), Backend::RustCrypto).is_err());

    // The same package again: a signed replayError.
    let again = euicc.handle_es10(&package()).unwrap();
    let result = verify_result(&again, &cert, Some(1), Backend::AwsLc).unwrap();
    let EuiccPackageResultChoice::EuiccPackageErrorSigned(error) = result.0 else {
        panic!("not a signed error: {result:?}")
    };
    assert_eq!(
        error
            .euicc_package_error_data_signed
            .euicc_package_error_code,
        EuiccPackageErrorCode::REPLAY_ERROR
    );
    assert_eq!(error.euicc_package_error_data_signed.counter_value, 2);
}

#[test]
fn vector_with_any_signed_byte_changed_is_rejected_unsigned() {
    let original = package();
    // BF51 81 81 30 3C ...: the EuiccPackageSigned content starts at offset 6 and ends
    // before 5F37 at offset 6 + 0x3c.
    let signed_content = 6..6 + 0x3c;
    for at in signed_content
        .clone()
        .step_by(7)
        .chain([signed_content.end - 1])
    {
        let mut changed = original.clone();
        // A changed tag or length may break the structure (an Es10Error, skipped); any
        // decodable change must fail the signature.
        changed[at] ^= 0x01;
        let mut euicc = euicc();
        add_initial_eim(&mut euicc);
        let Ok(answer) = euicc.handle_es10(&changed) else {
            continue; // the change broke the TLV structure: rejected before anything else
        };
        let result: sgp32_harness::asn1::sgp32::EuiccPackageResult =
            rasn::der::decode(&answer).unwrap();
        assert!(
            matches!(
                result.0,
                EuiccPackageResultChoice::EuiccPackageErrorUnsigned(_)
            ),
            "byte {at}: {result:?}"
        );
        assert_eq!(
            profile_state(&mut euicc),
            ProfileState::DISABLED,
            "byte {at}"
        );
    }
    // The ICCID's last byte in particular (a value byte: always decodable).
    let mut changed = original.clone();
    let iccid_end = 6 + 0x3c - 1;
    assert_eq!(changed[iccid_end], 0x85);
    changed[iccid_end] = 0x86;
    let mut euicc = euicc();
    add_initial_eim(&mut euicc);
    let answer = euicc.handle_es10(&changed).unwrap();
    let result: sgp32_harness::asn1::sgp32::EuiccPackageResult =
        rasn::der::decode(&answer).unwrap();
    let EuiccPackageResultChoice::EuiccPackageErrorUnsigned(unsigned) = result.0 else {
        panic!("{result:?}")
    };
    assert_eq!(unsigned.eim_id, "eIM");
    assert_eq!(unsigned.association_token, Some(1));
}

#[test]
fn vector_add_initial_eim_is_refused_once_an_eim_is_associated() {
    let mut euicc = euicc();
    add_initial_eim(&mut euicc);
    let answer = euicc
        .handle_es10(&vector("bpp/sample_eim_cfg.ber"))
        .unwrap();
    let answer: AddInitialEimResponse = rasn::der::decode(&answer).unwrap();
    assert_eq!(
        answer.0,
        AddInitialEimResponseChoice::AddInitialEimError(
            sgp32_harness::asn1::sgp32::AddInitialEimError::ASSOCIATED_EIM_ALREADY_EXISTS
        )
    );
}
