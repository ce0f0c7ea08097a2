//! The compact form of fleet eUICCs (issue 3): size bound, materialise/fold round trips, state
//! that survives a fold (counters, profile states, deletions), state that cannot be folded.

use std::sync::Arc;

use sgp32_harness::asn1::rsp::Iccid;
use sgp32_harness::asn1::sgp32::*;
use sgp32_harness::crypto::Backend;
use sgp32_harness::euicc::testing::{TestEim, verify_result};
use sgp32_harness::euicc::{CompactError, CompactEuicc, FleetTemplate, Profile, Settings};
use sgp32_harness::pki::Pki;

fn template() -> (FleetTemplate, TestEim) {
    let pki = Arc::new(Pki::generate(5, 0).unwrap());
    let mut eim = TestEim::from_pki(&pki, 0, "fleet-eim", Backend::AwsLc);
    let config = eim.config(0, Some(-1));
    eim.association_token = Some(1);
    let slot = || Profile::new(Iccid::default());
    let template = FleetTemplate::new(
        pki,
        "8988",
        vec![slot().enabled(), slot().fallback(), slot()],
        vec![config],
        Settings::default(),
    )
    .unwrap();
    (template, eim)
}

fn enable(template: &FleetTemplate, index: u64, slot: usize, rollback: bool) -> EuiccPackage {
    EuiccPackage::PsmoList(vec![Psmo::Enable(PsmoEnable {
        iccid: template.iccid(index, slot),
        rollback_flag: rollback.then_some(()),
        extensions: Default::default(),
    })])
}

#[test]
fn compact_euicc_fits_in_64_bytes() {
    let size = std::mem::size_of::<CompactEuicc>();
    println!("size_of::<CompactEuicc>() = {size} bytes");
    assert!(size <= 64, "{size}");
}

#[test]
fn provisioned_device_round_trips() {
    let (template, _) = template();
    let compact = template.provisioned(42);
    assert_eq!(compact.profiles_present, 0b111);
    assert_eq!((compact.enabled, compact.fallback), (1, 2));
    assert_eq!(compact.next_association_token, 2);
    let euicc = template.materialise(&compact).unwrap();
    assert_eq!(euicc.eid(), sgp32_harness::pki::euicc_eid(42).unwrap());
    assert_eq!(euicc.profiles()[2].iccid.digits(), "89880200000000000042");
    assert_eq!(euicc.eims()[0].association_token, Some(1));
    assert_eq!(euicc.to_compact(&template).unwrap(), compact);
}

#[test]
fn executed_package_survives_folding() {
    let (template, mut eim) = template();
    let mut euicc = template.materialise(&template.provisioned(7)).unwrap();
    let cert = euicc.certs().unwrap().euicc_der.clone();
    let request = eim.package(&euicc.eid(), enable(&template, 7, 2, false), None);
    let answer = euicc.handle_es10(&request).unwrap();
    let result = verify_result(&answer, &cert, Some(1), Backend::RustCrypto).unwrap();
    assert!(matches!(
        result.0,
        EuiccPackageResultChoice::EuiccPackageResultSigned(_)
    ));
    // Delete slot 0, now disabled.
    let delete = EuiccPackage::PsmoList(vec![Psmo::Delete(PsmoIccid {
        iccid: template.iccid(7, 0),
        extensions: Default::default(),
    })]);
    let answer = euicc
        .handle_es10(&eim.package(&euicc.eid(), delete, None))
        .unwrap();
    verify_result(&answer, &cert, Some(1), Backend::RustCrypto).unwrap();

    let compact = euicc.to_compact(&template).unwrap();
    assert_eq!(compact.eim_counters[0], 2);
    assert_eq!(compact.enabled, 3);
    assert_eq!(compact.profiles_present, 0b110);
    assert_eq!(compact.next_seq, 3);

    let mut again = template.materialise(&compact).unwrap();
    assert_eq!(again.to_compact(&template).unwrap(), compact);
    assert!(again.profiles()[1].enabled);
    // The stored counter survived: the same package is a replay.
    let answer = again.handle_es10(&request).unwrap();
    let result = verify_result(&answer, &cert, Some(1), Backend::RustCrypto).unwrap();
    let EuiccPackageResultChoice::EuiccPackageErrorSigned(e) = result.0 else {
        panic!("{result:?}")
    };
    assert_eq!(
        e.euicc_package_error_data_signed.euicc_package_error_code,
        EuiccPackageErrorCode::REPLAY_ERROR
    );
}

#[test]
fn state_outside_the_template_is_not_foldable() {
    let (template, mut eim) = template();
    let mut euicc = template.materialise(&template.provisioned(1)).unwrap();
    let request = eim.package(&euicc.eid(), enable(&template, 1, 2, true), None);
    euicc.handle_es10(&request).unwrap();
    assert_eq!(
        euicc.to_compact(&template),
        Err(CompactError::NotRepresentable("rollback point"))
    );
    let mut euicc = template.materialise(&template.provisioned(2)).unwrap();
    let other = TestEim::from_pki(&Pki::generate(5, 0).unwrap(), 1, "other", Backend::AwsLc);
    let add = EuiccPackage::EcoList(vec![Eco::AddEim(Box::new(other.config(0, None)))]);
    eim.counter = 0;
    euicc
        .handle_es10(&eim.package(&euicc.eid(), add, None))
        .unwrap();
    assert_eq!(
        euicc.to_compact(&template),
        Err(CompactError::NotRepresentable("eIM outside the template"))
    );
}
