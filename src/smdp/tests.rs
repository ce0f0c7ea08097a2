use super::*;

fn smdp() -> (Pki, Smdp) {
    let pki = Pki::generate(3, 0).unwrap();
    let config = SmdpConfig::from_harness_pki(&pki, Backend::RustCrypto)
        .unwrap()
        .with_address("smdp.example");
    (pki, Smdp::new(config))
}

#[test]
fn luhn_and_the_iccid_pool() {
    // 8949009900000000010: body 894900990000000001, Luhn check digit 0.
    assert_eq!(luhn("894900990000000001"), 0);
    assert_eq!(luhn("7992739871"), 3);
    let (_, s) = smdp();
    let mut st = s.lock();
    let a = s.next_iccid(&mut st).unwrap();
    let b = s.next_iccid(&mut st).unwrap();
    assert_eq!(a, "8949009900000000010");
    assert_eq!(b.len(), 19);
    assert_ne!(a, b);
    assert!(Iccid::from_digits(&a).is_some());
}

#[test]
fn ci_key_identifiers_are_read_from_certificates() {
    let v3 =
        std::fs::read(sgp26_v3_dir().join("CertificateIssuer/CERT_CI_ECDSA_NIST.der")).unwrap();
    assert_eq!(
        hex::encode(subject_key_id(&v3).unwrap()),
        "f54172bdf98a95d65cbeb88a38a1c11d800a85c3"
    );
    let dpauth =
        std::fs::read(sgp26_v3_dir().join("DPauth/CERT_S_SM_DPauth_ECDSA_NIST.der")).unwrap();
    // SAN registeredID 2.999.10 ('88 37 0A').
    assert_eq!(san_registered_id(&dpauth).unwrap(), vec![0x88, 0x37, 0x0a]);
    assert!(subject_key_id(b"\x30\x00").is_none());
}

#[test]
fn the_signed_part_is_taken_as_received() {
    // 'BF38 A0 { 30 02 0102, 5F37 01 FF }'
    let tlv = hex::decode("bf380aa008300201025f3701ff").unwrap();
    assert_eq!(
        received_signed_part(&tlv).unwrap(),
        &[0x30, 0x02, 0x01, 0x02]
    );
    // The error alternative ('A1') has no signed part.
    assert!(received_signed_part(&hex::decode("bf3803a10100").unwrap()).is_none());
    assert!(received_signed_part(&[0xbf]).is_none());
    assert_eq!(
        find_tlv(&tlv, &[&[0xbf, 0x38], &[0xa0]]).unwrap(),
        &tlv[3..]
    );
    assert!(find_tlv(&tlv, &[&[0x30]]).is_none());
}

#[test]
fn chain_errors_map_to_sgp22_codes() {
    let s = chain_status(&ChainError::BadSignature {
        which: "EUM".into(),
    });
    assert!(s.is("8.1.2", "6.1"), "{s:?}");
    let s = chain_status(&ChainError::BadSignature {
        which: "eUICC".into(),
    });
    assert!(s.is("8.1.3", "6.1"), "{s:?}");
    let s = chain_status(&ChainError::Expired {
        which: "eUICC".into(),
        not_after: "x".into(),
    });
    assert!(s.is("8.1.3", "6.3"), "{s:?}");
    let s = chain_status(&ChainError::EidOutsideRange {
        eid: "1".into(),
        permitted: vec![],
    });
    assert!(s.is("8.1.4", "6.1"), "{s:?}");
}

#[test]
fn asn1_error_codes() {
    use Es9Function::*;
    let f = |func, a, b| asn1_error_code(func, &Status::new(a, b, ""));
    assert_eq!(f(InitiateAuthentication, "8.8.1", "3.8"), 1);
    assert_eq!(f(InitiateAuthentication, "8.8.2", "3.1"), 3);
    assert_eq!(f(AuthenticateClient, "8.1", "6.1"), 5);
    assert_eq!(f(AuthenticateClient, "8.2.6", "3.8"), 6);
    assert_eq!(f(AuthenticateClient, "8.10.1", "3.9"), 10);
    assert_eq!(f(GetBoundProfilePackage, "8.10.1", "3.9"), 95);
    assert_eq!(f(GetBoundProfilePackage, "8.2.7", "2.2"), 2);
    assert_eq!(f(CancelSession, "8.1", "6.1"), 2);
    assert_eq!(f(CancelSession, "8.10.1", "3.9"), 1);
}

#[test]
fn asn1_binding_rejects_garbage_and_answers_unknown_transactions() {
    let (_, s) = smdp();
    assert!(matches!(
        s.handle_asn1(b"\x01\x02"),
        Asn1Answer::Undecodable(_)
    ));
    // A2 { BF41 { 80 01 07, A1 { 81 01 05 } } }: CancelSession for an unknown transaction.
    let body = hex::decode("a20bbf4108800107a103810105").unwrap();
    match s.handle_asn1(&body) {
        Asn1Answer::Message(der) => {
            let r: RemoteProfileProvisioningResponse = rasn::der::decode(&der).unwrap();
            assert_eq!(
                r,
                RemoteProfileProvisioningResponse::CancelSessionResponseEs9(
                    CancelSessionResponseEs9::CancelSessionError(CancelSessionError(1))
                )
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn harness_pki_credentials_are_used_when_asked() {
    let (pki, s) = smdp();
    assert_eq!(s.config().credentials.len(), 1);
    assert_eq!(
        s.config().credentials[0].dp_auth_cert_der,
        pki.dp_auth.cert_der
    );
    assert_eq!(
        s.config().credentials[0].ci_pk_id,
        subject_key_id(&pki.ci.cert_der).unwrap()
    );
    assert_eq!(s.activation_code("M-1"), "1$smdp.example$M-1");
}
