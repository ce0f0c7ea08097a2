//! Tests of the test PKI: determinism, chains, EIN range, negative chain checks, write/load.

use std::time::{Duration, SystemTime};

use der::Decode;
use x509_cert::Certificate;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, NameConstraints, SubjectAltName,
};

use super::*;

/// 2030-01-01T00:00:00Z.
fn at() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_456_000)
}

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "sgp32-pki-unit-{name}-{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn cert(c: &Credential) -> Certificate {
    Certificate::from_der(&c.cert_der).unwrap()
}

#[test]
fn same_seed_same_bytes_different_seed_different_keys() {
    let a = Pki::generate(7, 2).unwrap();
    let b = Pki::generate(7, 2).unwrap();
    let c = Pki::generate(8, 2).unwrap();
    for ((_, x), ((_, y), (_, z))) in a
        .credentials()
        .into_iter()
        .zip(b.credentials().into_iter().zip(c.credentials()))
    {
        assert_eq!(x.cert_der, y.cert_der);
        assert_eq!(x.key.to_bytes(), y.key.to_bytes());
        assert_ne!(x.key.to_bytes(), z.key.to_bytes());
        assert_ne!(x.cert_der, z.cert_der);
    }
    for i in 0..2 {
        assert_eq!(
            a.euiccs[i].credential.cert_der,
            b.euiccs[i].credential.cert_der
        );
        assert_ne!(
            a.euiccs[i].credential.key.to_bytes(),
            c.euiccs[i].credential.key.to_bytes()
        );
        // EIDs depend on the index only.
        assert_eq!(a.euiccs[i].eid, c.euiccs[i].eid);
    }
    // Written files are byte-identical too.
    let (da, db, dc) = (temp_dir("a"), temp_dir("b"), temp_dir("c"));
    let wa = a.write(&da).unwrap();
    b.write(&db).unwrap();
    c.write(&dc).unwrap();
    assert_eq!(wa.len(), 2 * 9 + 1);
    for f in &wa {
        let name = f.path.file_name().unwrap();
        let bytes_a = std::fs::read(da.join(name)).unwrap();
        assert_eq!(bytes_a, std::fs::read(db.join(name)).unwrap(), "{name:?}");
        if name.to_string_lossy().ends_with(".key.pem") {
            assert_ne!(bytes_a, std::fs::read(dc.join(name)).unwrap(), "{name:?}");
        }
    }
    for d in [da, db, dc] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn on_demand_euicc_equals_eager_one() {
    let pki = Pki::generate(1, 3).unwrap();
    let e = pki.euicc(2).unwrap();
    assert_eq!(e.credential.cert_der, pki.euiccs[2].credential.cert_der);
    assert_eq!(
        pki.euicc_key(1_000_000).to_bytes(),
        euicc_key(1, 1_000_000).to_bytes()
    );
    let far = pki.euicc(999_999).unwrap();
    assert_eq!(
        pki.check_euicc(&far.credential.cert_der, at()).unwrap(),
        far.eid
    );
}

#[test]
fn chains_verify_with_p256() {
    let pki = Pki::generate(0, 2).unwrap();
    // CI -> EUM -> eUICC.
    for e in &pki.euiccs {
        check_chain(
            &[&e.credential.cert_der, &pki.eum.cert_der, &pki.ci.cert_der],
            at(),
        )
        .unwrap();
        let eid = pki.check_euicc(&e.credential.cert_der, at()).unwrap();
        assert_eq!(eid, e.eid);
        assert!(eid.is_valid());
        assert!(eid.starts_with(EIN));
    }
    // CI -> DPauth / DPpb / DPtls / eIM.
    for c in [
        &pki.dp_auth,
        &pki.dp_pb,
        &pki.dp_tls,
        &pki.eim_sign,
        &pki.eim_tls,
    ] {
        check_chain(&[&c.cert_der, &pki.ci.cert_der], at()).unwrap();
    }
    // The eUICC certificate is not signed by the CI directly.
    assert!(matches!(
        check_chain(
            &[&pki.euiccs[0].credential.cert_der, &pki.ci.cert_der],
            at()
        ),
        Err(ChainError::IssuerMismatch { .. })
    ));
}

#[test]
fn certificate_contents() {
    let pki = Pki::generate(0, 1).unwrap();
    let ci = cert(&pki.ci);
    assert_eq!(
        ci.tbs_certificate().issuer(),
        ci.tbs_certificate().subject()
    );
    let (crit, bc) = ci
        .tbs_certificate()
        .get_extension::<BasicConstraints>()
        .unwrap()
        .unwrap();
    assert!(crit && bc.ca && bc.path_len_constraint.is_none());
    let (_, ku) = ci
        .tbs_certificate()
        .get_extension::<KeyUsage>()
        .unwrap()
        .unwrap();
    assert!(ku.key_cert_sign() && ku.crl_sign() && !ku.digital_signature());

    let eum = cert(&pki.eum);
    let (_, bc) = eum
        .tbs_certificate()
        .get_extension::<BasicConstraints>()
        .unwrap()
        .unwrap();
    assert!(bc.ca);
    assert_eq!(bc.path_len_constraint, Some(0));
    let (crit, nc) = eum
        .tbs_certificate()
        .get_extension::<NameConstraints>()
        .unwrap()
        .unwrap();
    assert!(crit);
    assert_eq!(
        check::eum_permitted_eins(&eum).unwrap(),
        vec![(EIN.to_string(), Some(EUM_ORG.to_string()))]
    );
    assert_eq!(nc.permitted_subtrees.unwrap().len(), 1);

    let eu = cert(&pki.euiccs[0].credential);
    assert_eq!(
        eu.tbs_certificate().issuer(),
        eum.tbs_certificate().subject()
    );
    assert_eq!(check::euicc_cert_eid(&eu).unwrap(), pki.euiccs[0].eid);
    let (_, ku) = eu
        .tbs_certificate()
        .get_extension::<KeyUsage>()
        .unwrap()
        .unwrap();
    assert_eq!(ku, KeyUsage(KeyUsages::DigitalSignature.into()));

    for c in [&pki.dp_auth, &pki.dp_pb, &pki.eim_sign] {
        let (_, ku) = cert(c)
            .tbs_certificate()
            .get_extension::<KeyUsage>()
            .unwrap()
            .unwrap();
        assert_eq!(ku, KeyUsage(KeyUsages::DigitalSignature.into()));
    }
    for c in [&pki.dp_tls, &pki.eim_tls] {
        let c = cert(c);
        // TLS stacks (webpki) reject critical extensions they don't process.
        let webpki_known = [
            "2.5.29.15",
            "2.5.29.17",
            "2.5.29.19",
            "2.5.29.30",
            "2.5.29.31",
            "2.5.29.37",
        ];
        for e in c.tbs_certificate().extensions().unwrap() {
            assert!(
                !e.critical || webpki_known.contains(&e.extn_id.to_string().as_str()),
                "critical {}",
                e.extn_id
            );
        }
        let (_, eku) = c
            .tbs_certificate()
            .get_extension::<ExtendedKeyUsage>()
            .unwrap()
            .unwrap();
        assert!(eku.0.contains(&build::OID_KP_SERVER_AUTH));
        let (_, san) = c
            .tbs_certificate()
            .get_extension::<SubjectAltName>()
            .unwrap()
            .unwrap();
        assert!(
            san.0
                .iter()
                .any(|n| matches!(n, GeneralName::DnsName(d) if d.as_str() == "localhost"))
        );
        assert!(
            san.0.iter().any(
                |n| matches!(n, GeneralName::IpAddress(ip) if ip.as_bytes() == [127, 0, 0, 1])
            )
        );
    }
    // Fixed validity.
    let v = ci.tbs_certificate().validity();
    let (nb, na) = build::validity_unix().unwrap();
    assert_eq!(v.not_before.to_unix_duration(), nb);
    assert_eq!(v.not_after.to_unix_duration(), na);
}

#[test]
fn vector_eid_is_inside_the_eum_range() {
    let pki = Pki::generate(0, 0).unwrap();
    let eid = Eid::from_digits("89049032123451234512345678901235").unwrap();
    let c = pki.issue_euicc(0, eid, euicc_key(0, 0)).unwrap();
    assert_eq!(pki.check_euicc(&c.cert_der, at()).unwrap(), eid);
}

#[test]
fn chain_check_rejects_eid_outside_ein() {
    let pki = Pki::generate(0, 0).unwrap();
    let eid = Eid::from_ein_and_index("89049033", 5).unwrap();
    assert!(eid.is_valid());
    let c = pki.issue_euicc(5, eid, euicc_key(0, 5)).unwrap();
    match pki.check_euicc(&c.cert_der, at()) {
        Err(ChainError::EidOutsideRange { eid: e, permitted }) => {
            assert_eq!(e, eid.to_string());
            assert_eq!(permitted, vec![EIN.to_string()]);
        }
        other => panic!("expected EidOutsideRange, got {other:?}"),
    }
}

#[test]
fn chain_check_rejects_bad_check_digits() {
    let pki = Pki::generate(0, 0).unwrap();
    let eid = Eid::from_digits("89049032123451234512345678901234").unwrap();
    let c = pki.issue_euicc(1, eid, euicc_key(0, 1)).unwrap();
    assert!(matches!(
        pki.check_euicc(&c.cert_der, at()),
        Err(ChainError::BadEidCheckDigits(_))
    ));
}

#[test]
fn chain_check_rejects_wrong_signer() {
    let pki = Pki::generate(0, 1).unwrap();
    let other = Pki::generate(1, 1).unwrap();
    // Same names, different keys: an eUICC of another seed against this EUM.
    assert!(matches!(
        pki.check_euicc(&other.euiccs[0].credential.cert_der, at()),
        Err(ChainError::BadSignature { which }) if which == "eUICC"
    ));
    // EUM of another seed under this CI.
    assert!(matches!(
        check_euicc_chain(
            &other.euiccs[0].credential.cert_der,
            &other.eum.cert_der,
            &pki.ci.cert_der,
            at()
        ),
        Err(ChainError::BadSignature { which }) if which == "EUM"
    ));
    // A flipped byte in the signature.
    let mut der = pki.euiccs[0].credential.cert_der.clone();
    let n = der.len();
    der[n - 5] ^= 0x01;
    assert!(matches!(
        pki.check_euicc(&der, at()),
        Err(ChainError::BadSignature { .. } | ChainError::Malformed { .. })
    ));
    // Garbage does not parse.
    assert!(matches!(
        pki.check_euicc(b"\x30\x03\x02\x01", at()),
        Err(ChainError::Parse { .. })
    ));
    // A leaf used as issuer: not a CA.
    assert!(matches!(
        check_euicc_chain(
            &pki.euiccs[0].credential.cert_der,
            &pki.dp_auth.cert_der,
            &pki.ci.cert_der,
            at()
        ),
        Err(ChainError::NotCa { which }) if which == "EUM"
    ));
}

#[test]
fn chain_check_rejects_expired_and_not_yet_valid() {
    let pki = Pki::generate(0, 1).unwrap();
    let c = &pki.euiccs[0].credential.cert_der;
    // 2050-01-01: after notAfter.
    let late = SystemTime::UNIX_EPOCH + Duration::from_secs(2_524_608_000);
    assert!(matches!(
        pki.check_euicc(c, late),
        Err(ChainError::Expired { .. })
    ));
    // 2024-06-01: before notBefore.
    let early = SystemTime::UNIX_EPOCH + Duration::from_secs(1_717_200_000);
    assert!(matches!(
        pki.check_euicc(c, early),
        Err(ChainError::NotYetValid { .. })
    ));
    assert!(matches!(
        check_chain(&[&pki.dp_auth.cert_der, &pki.ci.cert_der], late),
        Err(ChainError::Expired { .. })
    ));
}

#[test]
fn write_load_round_trip() {
    let pki = Pki::generate(42, 3).unwrap();
    let dir = temp_dir("roundtrip");
    pki.write(&dir).unwrap();
    let loaded = Pki::load(&dir).unwrap();
    assert_eq!(loaded.seed, 42);
    for ((ra, a), (rb, b)) in pki.credentials().into_iter().zip(loaded.credentials()) {
        assert_eq!(ra, rb);
        assert_eq!(a.cert_der, b.cert_der);
        assert_eq!(a.key.to_bytes(), b.key.to_bytes());
    }
    assert_eq!(loaded.euiccs.len(), 3);
    for (a, b) in pki.euiccs.iter().zip(&loaded.euiccs) {
        assert_eq!(a.index, b.index);
        assert_eq!(a.eid, b.eid);
        assert_eq!(a.credential.cert_der, b.credential.cert_der);
        assert_eq!(a.credential.key.to_bytes(), b.credential.key.to_bytes());
    }
    // On-demand devices of the loaded PKI match the generated ones.
    assert_eq!(
        loaded.euicc(10).unwrap().credential.cert_der,
        pki.euicc(10).unwrap().credential.cert_der
    );
    let via_option = Pki::from_seed_or_dir(0, Some(&dir), 0).unwrap();
    assert_eq!(via_option.ci.cert_der, pki.ci.cert_der);
    assert_eq!(
        Pki::from_seed_or_dir(42, None, 0).unwrap().ci.cert_der,
        pki.ci.cert_der
    );
    let manifest: Manifest =
        serde_json::from_str(&std::fs::read_to_string(dir.join("pki.json")).unwrap()).unwrap();
    assert_eq!(manifest.not_before, "2025-01-01T00:00:00Z");
    assert_eq!(manifest.not_after, "2049-12-31T23:59:59Z");
    assert_eq!(manifest.files.len(), 10);
    assert_eq!(manifest.files[0].role, "ci");
    assert_eq!(manifest.files[7].role, "euicc");
    assert_eq!(
        manifest.files[7].eid.as_deref(),
        Some(pki.euiccs[0].eid.to_string().as_str())
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn load_errors_are_errors() {
    let pki = Pki::generate(3, 1).unwrap();
    // Missing directory.
    assert!(matches!(
        Pki::load(Path::new("/nonexistent-sgp32-pki")),
        Err(PkiError::Io { .. })
    ));
    // Corrupt manifest.
    let dir = temp_dir("corrupt");
    pki.write(&dir).unwrap();
    std::fs::write(dir.join("pki.json"), "{ not json").unwrap();
    assert!(matches!(Pki::load(&dir), Err(PkiError::Manifest { .. })));
    // Missing key file.
    pki.write(&dir).unwrap();
    std::fs::remove_file(dir.join("eum.key.pem")).unwrap();
    assert!(matches!(Pki::load(&dir), Err(PkiError::Io { .. })));
    // Corrupt certificate.
    pki.write(&dir).unwrap();
    std::fs::write(
        dir.join("ci.cert.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    assert!(matches!(Pki::load(&dir), Err(PkiError::Certificate { .. })));
    // Key swapped with another role's key.
    pki.write(&dir).unwrap();
    std::fs::copy(dir.join("dp-pb.key.pem"), dir.join("dp-auth.key.pem")).unwrap();
    assert!(matches!(Pki::load(&dir), Err(PkiError::KeyMismatch(_))));
    // Garbage key file.
    pki.write(&dir).unwrap();
    std::fs::write(dir.join("eim-tls.key.pem"), "hello").unwrap();
    assert!(matches!(Pki::load(&dir), Err(PkiError::Pem { .. })));
    // Missing role.
    pki.write(&dir).unwrap();
    let mut m = pki.manifest().unwrap();
    m.files.retain(|f| f.role != "dp_tls");
    std::fs::write(dir.join("pki.json"), serde_json::to_string(&m).unwrap()).unwrap();
    assert!(
        matches!(Pki::load(&dir), Err(PkiError::Manifest { reason, .. }) if reason.contains("dp_tls"))
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// Pins the bytes of seed 0 so an unintended change of derivation, names, extensions or dates
/// shows up (update deliberately, with a note: files written before then stop matching).
#[test]
fn seed_zero_is_pinned() {
    use sha2::{Digest, Sha256};
    let pki = Pki::generate(0, 1).unwrap();
    let h = |d: &[u8]| hex::encode(Sha256::digest(d));
    assert_eq!(
        h(&pki.ci.cert_der),
        "957aba4a6cc43b381871b27685c982002e7ee5e45f3cda643a335e4d16d39d53"
    );
    assert_eq!(
        h(&pki.eum.cert_der),
        "5b1c0e593c01a029fdbeb58e90888f45ef655ec431afa6cf1fcd7c7169c2a7db"
    );
    assert_eq!(
        h(&pki.euiccs[0].credential.cert_der),
        "f9d9476e8ae87a4eb4096efa3e0005a3b7bb0b5c059ada6e57afd62615861010"
    );
    assert_eq!(
        hex::encode(pki.euiccs[0].credential.key.to_bytes()),
        "ef62a11eeb0be74cf2411826649be32734c4a5ddcbdda11250af83d069045df3"
    );
    assert_eq!(
        pki.euiccs[0].eid.to_string(),
        "89049032000000000000000000000066"
    );
}
