//! Unit tests of the eIM's configuration, registration and transaction ids; the ESipa
//! behaviour is tested from encoded messages in `tests/eim_esipa.rs`, the order API in
//! `tests/eim_api.rs`.

use super::*;

fn eim() -> Eim {
    Eim::from_seed(3, Backend::RustCrypto, EimFaults::NONE).unwrap()
}

#[test]
fn transaction_ids_name_their_order() {
    let eim = eim();
    let t = eim.transaction_id(42);
    assert_eq!(&t[..8], 42u64.to_be_bytes());
    assert_eq!(eim.order_of_transaction(&t), Some(42));
    let mut forged = t;
    forged[15] ^= 1;
    assert_eq!(eim.order_of_transaction(&forged), None);
    assert_eq!(eim.order_of_transaction(&t[..8]), None);
    assert_ne!(eim.transaction_id(43), t);
}

#[test]
fn registration_rules() {
    let eim = eim();
    let bad = Eid::from_digits("89049032123451234512345678901234").unwrap();
    assert!(matches!(
        eim.register_euicc(bad, None, 0, None),
        Err(EimError::InvalidEid(_))
    ));
    let good = euicc_eid(1).unwrap();
    assert!(eim.register_euicc(good, Some(2), 7, None).unwrap());
    assert!(!eim.register_euicc(good, Some(2), 7, None).unwrap());
    assert!(matches!(
        eim.register_range(0, 3, 0),
        Err(EimError::BadRequest(_))
    ));
    assert!(eim.register_range(3, 3, u64::MAX - 1).is_err());
    let (first, last) = eim.register_range(1000, 3, 10).unwrap();
    assert_eq!(first, euicc_eid(10).unwrap());
    assert_eq!(last, euicc_eid(1009).unwrap());
    assert_eq!(eim.store().device_count(), 1001);
    let unknown = euicc_eid(5000).unwrap();
    assert!(matches!(
        eim.order_psmos(unknown, vec![Psmo::GetRat(Default::default())]),
        Err(EimError::UnknownEid(_))
    ));
}

#[test]
fn public_config_and_configuration_data() {
    let eim = eim();
    let public = eim.config();
    assert_eq!(public.supported_protocols, ["eimRetrieveHttps"]);
    let data = public.eim_configuration_data(Some(5), None);
    assert_eq!(data.eim_id, "sgp32-harness-eim");
    assert_eq!(data.counter_value, Some(5));
    assert_eq!(data.association_token, None);
    assert_eq!(data.eim_supported_protocol, Some(named_bits(&[0])));
    let Some(EimPublicKeyData::EimCertificate(cert)) = data.eim_public_key_data else {
        panic!("no certificate")
    };
    assert_eq!(cert.to_der().unwrap(), eim.eim_config().signing_cert_der);
    assert_eq!(eim.response_content_type(), CONTENT_TYPE);
}

#[test]
fn eim_is_shareable_between_transport_tasks() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Eim>();
    assert_send_sync::<MemStore>();
}
