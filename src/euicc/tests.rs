//! Unit tests of the eUICC helpers; the ES10 behaviour is tested from encoded requests in
//! `tests/euicc_functions.rs`, `tests/euicc_vectors.rs`, `tests/euicc_props.rs` and
//! `tests/euicc_compact.rs`.

use std::sync::Arc;

use super::state::isdp_aid;
use super::*;
use crate::asn1::rsp::Iccid;
use crate::pki::Pki;

#[test]
fn counter_rules() {
    assert!(CounterRule::StrictlyGreater.accepts(1, 2));
    assert!(!CounterRule::StrictlyGreater.accepts(2, 2));
    assert!(CounterRule::GreaterOrEqual.accepts(2, 2));
    assert!(!CounterRule::GreaterOrEqual.accepts(3, 2));
    assert_eq!(Settings::default().max_counter, 8_388_607);
    assert_eq!(
        Settings::default().counter_rule,
        CounterRule::StrictlyGreater
    );
    assert_eq!(Settings::default().version, Sgp32Version::V1_2);
    assert_eq!(Faults::default(), Faults::default());
    assert!(!Faults::default().wrong_result_signature);
}

#[test]
fn isdp_aids_differ_per_slot() {
    assert_eq!(
        hex::encode_upper(isdp_aid(0)),
        "A0000005591010FFFFFFFF8900001000"
    );
    assert_eq!(
        hex::encode_upper(isdp_aid(1)),
        "A0000005591010FFFFFFFF8900001100"
    );
    assert_eq!(
        hex::encode_upper(isdp_aid(2)),
        "A0000005591010FFFFFFFF8900001200"
    );
    // Only bytes 14 and 15 (1-based) vary: SGP.32 compactAid keeps them.
    assert_eq!(isdp_aid(1)[..13], isdp_aid(2)[..13]);
    assert_eq!(isdp_aid(1)[15], 0);
}

#[test]
fn builder_refuses_inconsistent_profiles() {
    let pki = Arc::new(Pki::generate(3, 0).unwrap());
    let p = |n: u8| Profile::new(Iccid::from_digits(&format!("89440000000000000{n:03}")).unwrap());
    let two_enabled = Euicc::builder(pki.clone(), 0)
        .profile(p(1).enabled())
        .profile(p(2).enabled())
        .build();
    assert!(matches!(two_enabled, Err(EuiccError::Profiles(_))));
    let two_fallback = Euicc::builder(pki.clone(), 0)
        .profile(p(1).fallback())
        .profile(p(2).fallback())
        .build();
    assert!(matches!(two_fallback, Err(EuiccError::Profiles(_))));
    let repeated = Euicc::builder(pki.clone(), 0)
        .profile(p(1))
        .profile(p(1))
        .build();
    assert!(matches!(repeated, Err(EuiccError::Profiles(_))));
    let ok = Euicc::builder(pki, 9).profile(p(1)).build().unwrap();
    assert_eq!(ok.eid(), crate::pki::euicc_eid(9).unwrap());
    assert_eq!(ok.profiles()[0].isdp_aid, isdp_aid(0));
}

#[test]
fn changing_the_backend_keeps_the_key() {
    let pki = Arc::new(Pki::generate(3, 0).unwrap());
    let mut euicc = Euicc::builder(pki, 1).build().unwrap();
    let before = euicc.verifying_key().unwrap().to_sec1_uncompressed();
    euicc
        .set_settings(Settings {
            backend: crate::crypto::Backend::RustCrypto,
            ..Settings::default()
        })
        .unwrap();
    let after = euicc.verifying_key().unwrap();
    assert_eq!(after.backend(), crate::crypto::Backend::RustCrypto);
    assert_eq!(after.to_sec1_uncompressed(), before);
}
