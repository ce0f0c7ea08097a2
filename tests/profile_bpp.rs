//! Bound profile packages end to end (SGP.22 2.5.5, 5.5, 5.7.6): the SM-DP+ builds with
//! `build_bpp`, the eUICC opens with `open_bpp`, on both crypto backends crossed; every
//! tampering fails with its bppCommandId and errorReason; the captured `bpp/bpp.ber` and the
//! `bpp_decode` known answer of `bsp/scp03t-kat.json`.

mod common;

use proptest::prelude::*;
use sgp32_harness::asn1::rsp::{
    BoundProfilePackage, BppCommandId, ConfigureISDPRequest, ErrorReason, Iccid, IconType,
    InitialiseSecureChannelRequest, Octet1, ProfileClass, RemoteOpId, StoreMetadataRequest,
    TransactionId,
};
use sgp32_harness::asn1::tlv;
use sgp32_harness::crypto::{
    Backend, Bsp, CryptoProvider, EckaPrivateKey, MAX_SEGMENT_LEN, SessionKeys, SigningKey,
    VerifyingKey, provider,
};
use sgp32_harness::pki::Eid;
use sgp32_harness::profile::{
    BindingParams, BppInstallError, HOST_ID, OpenedProfile, OpeningParams, ProfileContent,
    build_bpp, open_bpp, open_bpp_with_session_keys, sample_profile, smdp_signed_data, summarize,
};

const EID: &str = "89049032123451234512345678901235";

fn certs() -> std::path::PathBuf {
    common::vectors_dir().join("../certs/sgp26-v3/DPpb")
}

fn iccid() -> Iccid {
    Iccid::new([0x98, 0x94, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0xF5])
}

fn tid() -> TransactionId {
    TransactionId(
        hex::decode("0e1c96ddec2f4603963d3c26f89e533e")
            .unwrap()
            .into(),
    )
}

/// SK.DPpb / PK.DPpb of SGP.26 v3 (NIST or BRP), as `p`'s handles.
fn dp_pb(p: &dyn CryptoProvider, brp: bool) -> (SigningKey, VerifyingKey) {
    let v = if brp { "BRP" } else { "NIST" };
    let sk = std::fs::read_to_string(certs().join(format!("SK_S_SM_DPpb_ECDSA_{v}.pem"))).unwrap();
    let cert = std::fs::read(certs().join(format!("CERT_S_SM_DPpb_ECDSA_{v}.der"))).unwrap();
    (
        p.signing_key_from_pem(&sk).unwrap(),
        p.verifying_key_from_certificate_der(&cert).unwrap(),
    )
}

/// One download session: both one-time keys, the DPpb key pair, on a build and an open
/// backend.
struct Session {
    build: &'static dyn CryptoProvider,
    open: &'static dyn CryptoProvider,
    euicc_otsk: EckaPrivateKey,
    smdp_otsk: EckaPrivateKey,
    sk_dp_pb: SigningKey,
    pk_dp_pb: VerifyingKey,
}

impl Session {
    fn new(build: Backend, open: Backend) -> Session {
        let (b, o) = (provider(build), provider(open));
        Session {
            build: b,
            open: o,
            euicc_otsk: o.generate_ecka_key().unwrap(),
            smdp_otsk: b.generate_ecka_key().unwrap(),
            sk_dp_pb: dp_pb(b, false).0,
            pk_dp_pb: dp_pb(o, false).1,
        }
    }

    fn bpp(&self, profile: &ProfileContent, rsk: bool, segment_size: usize) -> Vec<u8> {
        let otpk = self.euicc_otsk.public_key_sec1();
        build_bpp(
            &BindingParams {
                provider: self.build,
                transaction_id: tid(),
                eid: EID.parse().unwrap(),
                euicc_otpk: &otpk,
                dp_pb_key: &self.sk_dp_pb,
                smdp_otsk: Some(self.smdp_otsk.clone()),
                replace_session_keys: rsk,
                segment_size,
            },
            profile,
        )
        .unwrap()
    }

    fn open(&self, bpp: &[u8]) -> Result<OpenedProfile, BppInstallError> {
        open_bpp(
            bpp,
            &OpeningParams {
                provider: self.open,
                transaction_id: &tid(),
                eid: EID.parse().unwrap(),
                euicc_otsk: &self.euicc_otsk,
                dp_pb: &self.pk_dp_pb,
            },
        )
    }
}

fn fails(r: Result<OpenedProfile, BppInstallError>) -> (BppCommandId, ErrorReason) {
    let e = r.expect_err("the package must be refused");
    (e.command, e.reason)
}

/// The sample profile plus a large extra element, so that it needs several segments.
fn big_profile() -> ProfileContent {
    let mut p = sample_profile(iccid(), "Big profile");
    let filler: Vec<u8> = (0..3000u32).map(|i| (i * 7) as u8).collect();
    p.elements.extend(tlv::encode(&[0xA9], &filler)); // nonStandard [9]
    p
}

#[test]
fn round_trip_on_both_backends_crossed_with_and_without_ppk_and_segment_sizes() {
    for build in Backend::ALL {
        for open in Backend::ALL {
            let s = Session::new(build, open);
            for profile in [sample_profile(iccid(), "Operator profile"), big_profile()] {
                for rsk in [false, true] {
                    for size in [1, 16, 100, 1007, 5000] {
                        let bpp = s.bpp(&profile, rsk, size);
                        let opened = s.open(&bpp).unwrap_or_else(|e| {
                            panic!("{build}->{open} rsk={rsk} size={size}: {e}")
                        });
                        assert_eq!(opened.iccid, iccid());
                        assert_eq!(opened.metadata, profile.metadata);
                        assert_eq!(opened.elements, profile.elements);
                        assert!(profile.matches(&opened) && profile == opened);
                        assert_eq!(ProfileContent::from(opened), profile);

                        let d: BoundProfilePackage = rasn::der::decode(&bpp).unwrap();
                        assert_eq!(d.second_sequence_of87.is_some(), rsk);
                        let chunk = size.min(1007);
                        assert_eq!(
                            d.sequence_of86.len(),
                            profile.elements.len().div_ceil(chunk),
                            "size {size}"
                        );
                        // Every segment TLV fits 1020 bytes.
                        for seg in d.sequence_of86.iter() {
                            assert!(seg.len() + 4 <= MAX_SEGMENT_LEN);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn sample_profile_is_what_the_docs_say() {
    let p = sample_profile(iccid(), "Operator profile");
    let s = summarize(&p.elements).unwrap();
    assert_eq!(s.iccid, iccid());
    assert_eq!(s.element_tags, [0xA0, 0xB0, 0xA1, 0xAA]);
    assert_eq!((s.major_version, s.minor_version), (2, 3));
    assert_eq!(p.metadata.iccid, iccid());
    assert_eq!(p.metadata.profile_name, "Operator profile");
    assert_eq!(p.metadata.service_provider_name, "SGP32 Harness");
    assert_eq!(p.metadata.profile_class, None);
    assert_eq!(
        p.metadata.profile_class_or_default(),
        ProfileClass::OPERATIONAL
    );
    // The metadata's DER: BF25 { 5A iccid, 91 spn, 92 name } (no '95': DEFAULT operational).
    let der = rasn::der::encode(&p.metadata).unwrap();
    assert_eq!(
        hex::encode(&der),
        format!(
            "bf252d5a0a{}910d{}9210{}",
            hex::encode(iccid().as_ref() as &[u8]),
            hex::encode("SGP32 Harness"),
            hex::encode("Operator profile")
        )
    );
    assert_ne!(p, sample_profile(iccid(), "Other"));
}

/// The exact data smdpSign covers, rebuilt by hand: the BF23 contents before '5F37'
/// (remoteOpId, transactionId, CRT, smdpOtpk TLVs) || '5F49 41' otPK.EUICC.ECKA.
#[test]
fn smdp_sign_covers_bf23_contents_and_the_euicc_one_time_key() {
    for b in Backend::ALL {
        let s = Session::new(b, b);
        let bpp = s.bpp(&sample_profile(iccid(), "x"), false, 1007);
        let d: BoundProfilePackage = rasn::der::decode(&bpp).unwrap();
        let isc = &d.initialise_secure_channel_request;
        assert_eq!(isc.remote_op_id, RemoteOpId::INSTALL_BOUND_PROFILE_PACKAGE);
        assert_eq!(isc.transaction_id, tid());
        assert_eq!(isc.control_ref_template.key_type.as_ref(), [0x88]);
        assert_eq!(isc.control_ref_template.key_len.as_ref(), [0x10]);
        assert_eq!(isc.control_ref_template.host_id.as_ref() as &[u8], HOST_ID);
        assert_eq!(isc.smdp_otpk.as_ref(), s.smdp_otsk.public_key_sec1());
        assert_eq!(isc.smdp_sign.len(), 64);

        let euicc_otpk = s.euicc_otsk.public_key_sec1();
        let mut want = Vec::new();
        tlv::push(&mut want, &[0x82], &[0x01]);
        tlv::push(&mut want, &[0x80], tid().as_ref());
        let mut crt = vec![0x80, 0x01, 0x88, 0x81, 0x01, 0x10];
        tlv::push(&mut crt, &[0x84], HOST_ID);
        tlv::push(&mut want, &[0xA6], &crt);
        tlv::push(&mut want, &[0x5F, 0x49], &s.smdp_otsk.public_key_sec1());
        tlv::push(&mut want, &[0x5F, 0x49], &euicc_otpk);
        let isc_der = rasn::der::encode(isc).unwrap();
        assert_eq!(smdp_signed_data(&isc_der, &euicc_otpk).unwrap(), want);
        s.pk_dp_pb.verify(&want, &isc.smdp_sign).unwrap();
        // Not over the BF23 without euiccOtpk, nor over the whole TLV.
        assert!(
            s.pk_dp_pb
                .verify(&want[..want.len() - 68], &isc.smdp_sign)
                .is_err()
        );
    }
}

/// The segments decrypt with keys derived independently: ECKA + the SGP.22 KDF.
#[test]
fn session_keys_are_ecka_and_the_sgp22_kdf() {
    let s = Session::new(Backend::AwsLc, Backend::RustCrypto);
    let profile = sample_profile(iccid(), "keys");
    let bpp = s.bpp(&profile, false, 1007);
    let d: BoundProfilePackage = rasn::der::decode(&bpp).unwrap();
    let shs = s.euicc_otsk.agree(&s.smdp_otsk.public_key_sec1()).unwrap();
    let eid: Eid = EID.parse().unwrap();
    let keys = s
        .open
        .derive_session_keys(&shs, 0x88, 0x10, HOST_ID, eid.as_bcd())
        .unwrap();
    let mut bsp = Bsp::new(s.open, &keys).unwrap();
    let seg87 = tlv::encode(&[0x87], d.first_sequence_of87[0].as_ref());
    assert_eq!(bsp.unprotect(&seg87).unwrap(), [0xBF, 0x24, 0x00]);
    let seg88 = tlv::encode(&[0x88], d.sequence_of88[0].as_ref());
    assert_eq!(
        bsp.unprotect_mac_only(&seg88).unwrap(),
        rasn::der::encode(&profile.metadata).unwrap()
    );
    let seg86 = tlv::encode(&[0x86], d.sequence_of86[0].as_ref());
    assert_eq!(bsp.unprotect(&seg86).unwrap(), profile.elements);
    // The same through the library entry point with the keys given.
    let opened = open_bpp_with_session_keys(&bpp, s.open, &keys, None).unwrap();
    assert!(profile.matches(&opened));
}

/// What a flipped byte at each offset must give, from the package's TLV structure.
#[derive(Debug, Clone)]
enum Want {
    Exact(ErrorReason),
    OneOf(Vec<ErrorReason>),
    /// Any reason (tags and lengths inside BF23: decoding, then whatever check sees it).
    Any,
    /// scp03tStructureError of any container command (configureISDP .. loadProfileElements).
    ContainerTag,
}

fn expectations(bpp: &[u8]) -> Vec<(BppCommandId, Want)> {
    use ErrorReason as R;
    let structure = Want::Exact(R::SCP03T_STRUCTURE_ERROR);
    let isc_cmd = BppCommandId::INITIALISE_SECURE_CHANNEL;
    let mut out = Vec::with_capacity(bpp.len());
    let outer = tlv::split(bpp).unwrap();
    let hdr = |t: &tlv::Tlv<'_>| t.whole.len() - t.content.len();
    out.extend((0..hdr(&outer)).map(|_| (isc_cmd, structure.clone())));
    let mut rest = outer.content;
    while !rest.is_empty() {
        let c = tlv::split(rest).unwrap();
        rest = &rest[c.whole.len()..];
        if c.tag == [0xBF, 0x23] {
            out.extend((0..hdr(&c)).map(|_| (isc_cmd, Want::Any)));
            for f in tlv::children(c.content) {
                out.extend((0..hdr(&f)).map(|_| (isc_cmd, Want::Any)));
                let reason = match f.tag {
                    [0x82] => R::UNSUPPORTED_REMOTE_OPERATION_TYPE,
                    [0x80] => R::INVALID_TRANSACTION_ID,
                    _ => R::INVALID_SIGNATURE,
                };
                if f.tag == [0xA6] {
                    for g in tlv::children(f.content) {
                        out.extend((0..hdr(&g)).map(|_| (isc_cmd, Want::Any)));
                        let r = if g.tag == [0x84] {
                            R::INVALID_SIGNATURE
                        } else {
                            R::UNSUPPORTED_CRT_VALUES
                        };
                        out.extend(g.content.iter().map(|_| (isc_cmd, Want::Exact(r))));
                    }
                } else {
                    out.extend(f.content.iter().map(|_| (isc_cmd, Want::Exact(reason))));
                }
            }
            continue;
        }
        let cmd = match c.tag {
            [0xA0] => BppCommandId::CONFIGURE_ISDP,
            [0xA1] => BppCommandId::STORE_METADATA,
            [0xA2] => BppCommandId::REPLACE_SESSION_KEYS,
            _ => BppCommandId::LOAD_PROFILE_ELEMENTS,
        };
        // A container's tag flipped may make the eUICC take it for another container
        // (A2 <-> A3): a structure error of one of the container commands.
        out.push((cmd, Want::ContainerTag));
        out.extend((1..hdr(&c)).map(|_| (cmd, structure.clone())));
        for (i, seg) in tlv::children(c.content).into_iter().enumerate() {
            let seg_cmd = if cmd == BppCommandId::STORE_METADATA && i > 0 {
                BppCommandId::STORE_METADATA2
            } else {
                cmd
            };
            out.push((seg_cmd, structure.clone()));
            out.extend((1..hdr(&seg)).map(|_| {
                (
                    seg_cmd,
                    Want::OneOf(vec![R::SCP03T_STRUCTURE_ERROR, R::SCP03T_SECURITY_ERROR]),
                )
            }));
            out.extend(
                seg.content
                    .iter()
                    .map(|_| (seg_cmd, Want::Exact(R::SCP03T_SECURITY_ERROR))),
            );
        }
    }
    assert_eq!(out.len(), bpp.len());
    out
}

fn check_every_flip(s: &Session, bpp: &[u8], flips: &[u8]) {
    let want = expectations(bpp);
    for (i, (cmd, w)) in want.iter().enumerate() {
        for &x in flips {
            let mut bad = bpp.to_vec();
            bad[i] ^= x;
            let e = s.open(&bad).expect_err(&format!("flip {x:02x} at {i}"));
            if !matches!(w, Want::ContainerTag) {
                assert_eq!(e.command, *cmd, "flip {x:02x} at {i}: {e}");
            }
            let ok = match w {
                Want::ContainerTag => {
                    e.reason == ErrorReason::SCP03T_STRUCTURE_ERROR
                        && (1..=5).contains(&e.command.0)
                        && e.command != BppCommandId::STORE_METADATA2
                }
                Want::Exact(r) => e.reason == *r,
                Want::OneOf(rs) => rs.contains(&e.reason),
                Want::Any => true,
            };
            assert!(ok, "flip {x:02x} at {i}: want {w:?}, got {e}");
        }
    }
}

#[test]
fn every_flipped_byte_fails_with_its_command_and_reason() {
    let s = Session::new(Backend::AwsLc, Backend::AwsLc);
    let profile = sample_profile(iccid(), "flip");
    for rsk in [false, true] {
        let bpp = s.bpp(&profile, rsk, 64);
        assert!(s.open(&bpp).is_ok());
        check_every_flip(&s, &bpp, &[0x01, 0x80]);
    }
}

#[test]
fn every_flipped_byte_fails_on_the_rustcrypto_backend_too() {
    let s = Session::new(Backend::RustCrypto, Backend::RustCrypto);
    let bpp = s.bpp(&sample_profile(iccid(), "flip"), true, 100);
    check_every_flip(&s, &bpp, &[0x01]);
}

/// A metadata of two '88' segments (a 1024-byte icon): the second is storeMetadata2.
#[test]
fn second_metadata_segment_is_store_metadata2() {
    let s = Session::new(Backend::AwsLc, Backend::RustCrypto);
    let mut profile = sample_profile(iccid(), "icon");
    profile.metadata.icon_type = Some(IconType::PNG);
    profile.metadata.icon = Some(vec![0x5A; 1024].into());
    let bpp = s.bpp(&profile, false, 1007);
    let d: BoundProfilePackage = rasn::der::decode(&bpp).unwrap();
    assert_eq!(d.sequence_of88.len(), 2);
    assert!(profile.matches(&s.open(&bpp).unwrap()));
    // A flip in the C-MAC (last byte) of each '88' segment.
    let a1 = tlv::children(tlv::split(&bpp).unwrap().content)[2];
    assert_eq!(a1.tag, [0xA1]);
    let base = a1.whole.as_ptr() as usize - bpp.as_ptr() as usize + 4; // A1 82 LL LL
    let mut at = base;
    for (i, seg) in tlv::children(a1.content).iter().enumerate() {
        at += seg.whole.len();
        let mut bad = bpp.clone();
        bad[at - 1] ^= 0x01;
        let cmd = if i == 0 {
            BppCommandId::STORE_METADATA
        } else {
            BppCommandId::STORE_METADATA2
        };
        assert_eq!(
            fails(s.open(&bad)),
            (cmd, ErrorReason::SCP03T_SECURITY_ERROR)
        );
    }
    assert_eq!(at, base + a1.content.len());
}

#[test]
fn wrong_session_parameters_fail_at_initialise_secure_channel() {
    use ErrorReason as R;
    for (b, o) in [
        (Backend::AwsLc, Backend::RustCrypto),
        (Backend::RustCrypto, Backend::AwsLc),
    ] {
        let s = Session::new(b, o);
        let bpp = s.bpp(&sample_profile(iccid(), "p"), true, 200);
        let isc = BppCommandId::INITIALISE_SECURE_CHANNEL;
        let eid: Eid = EID.parse().unwrap();
        let params = |tid: &TransactionId, otsk: &EckaPrivateKey, pk: &VerifyingKey, eid: Eid| {
            open_bpp(
                &bpp,
                &OpeningParams {
                    provider: s.open,
                    transaction_id: tid,
                    eid,
                    euicc_otsk: otsk,
                    dp_pb: pk,
                },
            )
        };
        assert!(params(&tid(), &s.euicc_otsk, &s.pk_dp_pb, eid).is_ok());
        // Another transaction id.
        let other_tid = TransactionId(vec![1, 2, 3].into());
        assert_eq!(
            fails(params(&other_tid, &s.euicc_otsk, &s.pk_dp_pb, eid)),
            (isc, R::INVALID_TRANSACTION_ID)
        );
        // Another PK.DPpb (SGP.26 DP2pb; and the BRP DPpb).
        let dp2 = std::fs::read(certs().join("CERT_S_SM_DP2pb_ECDSA_NIST.der")).unwrap();
        let dp2 = s.open.verifying_key_from_certificate_der(&dp2).unwrap();
        assert_eq!(
            fails(params(&tid(), &s.euicc_otsk, &dp2, eid)),
            (isc, R::INVALID_SIGNATURE)
        );
        let brp = dp_pb(s.open, true).1;
        assert_eq!(
            fails(params(&tid(), &s.euicc_otsk, &brp, eid)),
            (isc, R::INVALID_SIGNATURE)
        );
        // Another eUICC one-time key: smdpSign covers euiccOtpk.
        let other = s.open.generate_ecka_key().unwrap();
        assert_eq!(
            fails(params(&tid(), &other, &s.pk_dp_pb, eid)),
            (isc, R::INVALID_SIGNATURE)
        );
        // Another EID: other session keys, the first C-MAC fails.
        let other_eid = Eid::from_ein_and_index("89049032", 7).unwrap();
        assert_eq!(
            fails(params(&tid(), &s.euicc_otsk, &s.pk_dp_pb, other_eid)),
            (BppCommandId::CONFIGURE_ISDP, R::SCP03T_SECURITY_ERROR)
        );
    }
}

/// Re-signs a modified BF23 with SK.DPpb so that only the modified value is wrong.
fn with_isc(s: &Session, bpp: &[u8], f: impl Fn(&mut InitialiseSecureChannelRequest)) -> Vec<u8> {
    let mut d: BoundProfilePackage = rasn::der::decode(bpp).unwrap();
    let isc = &mut d.initialise_secure_channel_request;
    f(isc);
    let der = rasn::der::encode(isc).unwrap();
    let tbs = smdp_signed_data(&der, &s.euicc_otsk.public_key_sec1()).unwrap();
    isc.smdp_sign = s.sk_dp_pb.sign(&tbs).unwrap().to_vec().into();
    rasn::der::encode(&d).unwrap()
}

#[test]
fn signed_but_unsupported_values_fail_with_their_reasons() {
    use ErrorReason as R;
    let s = Session::new(Backend::AwsLc, Backend::AwsLc);
    let bpp = s.bpp(&sample_profile(iccid(), "p"), false, 1007);
    let isc = BppCommandId::INITIALISE_SECURE_CHANNEL;
    // Re-encoding through the ASN.1 types and re-signing changes nothing.
    assert!(s.open(&with_isc(&s, &bpp, |_| {})).is_ok());
    let bad = with_isc(&s, &bpp, |i| {
        i.control_ref_template.key_len = Octet1::new([0x20])
    });
    assert_eq!(fails(s.open(&bad)), (isc, R::UNSUPPORTED_CRT_VALUES));
    let bad = with_isc(&s, &bpp, |i| {
        i.control_ref_template.key_type = Octet1::new([0x80])
    });
    assert_eq!(fails(s.open(&bad)), (isc, R::UNSUPPORTED_CRT_VALUES));
    let bad = with_isc(&s, &bpp, |i| i.remote_op_id = RemoteOpId(2));
    assert_eq!(
        fails(s.open(&bad)),
        (isc, R::UNSUPPORTED_REMOTE_OPERATION_TYPE)
    );
    // A signed smdpOtpk that is not a point.
    let bad = with_isc(&s, &bpp, |i| i.smdp_otpk = vec![0x04; 65].into());
    assert_eq!(fails(s.open(&bad)), (isc, R::INCORRECT_INPUT_VALUES));
    // Another hostId, signed: the session keys differ.
    let bad = with_isc(&s, &bpp, |i| {
        i.control_ref_template.host_id =
            sgp32_harness::asn1::rsp::OctetTo16(b"other".to_vec().into())
    });
    assert_eq!(
        fails(s.open(&bad)),
        (BppCommandId::CONFIGURE_ISDP, R::SCP03T_SECURITY_ERROR)
    );
}

#[test]
fn profile_content_problems_fail_at_load_profile_elements() {
    use ErrorReason as R;
    let s = Session::new(Backend::RustCrypto, Backend::AwsLc);
    let lpe = BppCommandId::LOAD_PROFILE_ELEMENTS;
    // Metadata of another ICCID than the ProfileHeader's.
    let mut p = sample_profile(iccid(), "p");
    p.metadata.iccid = Iccid::new([0x98; 10]);
    assert_eq!(
        fails(s.open(&s.bpp(&p, true, 50))),
        (lpe, R::INSTALL_FAILED_DUE_TO_DATA_MISMATCH)
    );
    // Elements without a header first, or not TLVs.
    let mut p = sample_profile(iccid(), "p");
    let header = tlv::split(&p.elements).unwrap().whole.len();
    p.elements.drain(..header);
    assert_eq!(
        fails(s.open(&s.bpp(&p, false, 50))),
        (lpe, R::INSTALL_FAILED_DUE_TO_PE_PROCESSING_ERROR)
    );
    let mut p = sample_profile(iccid(), "p");
    p.elements.push(0xA1);
    assert_eq!(
        fails(s.open(&s.bpp(&p, false, 50))),
        (lpe, R::INSTALL_FAILED_DUE_TO_PE_PROCESSING_ERROR)
    );
}

#[test]
fn structural_damage_names_its_container() {
    use ErrorReason as R;
    let s = Session::new(Backend::AwsLc, Backend::AwsLc);
    let bpp = s.bpp(&sample_profile(iccid(), "p"), true, 40);
    let structure = R::SCP03T_STRUCTURE_ERROR;
    // Trailing bytes, truncations.
    let mut long = bpp.clone();
    long.push(0);
    assert_eq!(
        fails(s.open(&long)),
        (BppCommandId::INITIALISE_SECURE_CHANNEL, structure)
    );
    for cut in 0..bpp.len() {
        assert!(s.open(&bpp[..cut]).is_err(), "cut {cut}");
    }
    // Containers removed, in order.
    let d: BoundProfilePackage = rasn::der::decode(&bpp).unwrap();
    let isc = rasn::der::encode(&d.initialise_secure_channel_request).unwrap();
    let parts: Vec<_> = tlv::children(tlv::split(&bpp).unwrap().content)
        .iter()
        .map(|t| t.whole.to_vec())
        .collect();
    assert_eq!(parts[0], isc);
    let without = |skip: usize| {
        let body: Vec<u8> = parts
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .flat_map(|(_, p)| p.clone())
            .collect();
        tlv::encode(&[0xBF, 0x36], &body)
    };
    assert_eq!(fails(s.open(&without(1))).0, BppCommandId::CONFIGURE_ISDP);
    assert_eq!(fails(s.open(&without(2))).0, BppCommandId::STORE_METADATA);
    // Without A2 the '86' segments are under the PPKs: the first C-MAC fails.
    assert_eq!(
        fails(s.open(&without(3))),
        (
            BppCommandId::LOAD_PROFILE_ELEMENTS,
            R::SCP03T_SECURITY_ERROR
        )
    );
    assert_eq!(
        fails(s.open(&without(4))),
        (BppCommandId::LOAD_PROFILE_ELEMENTS, structure)
    );
    // Segments swapped inside A3: MAC chaining.
    let a3 = tlv::split(&parts[4]).unwrap();
    let mut segs: Vec<&[u8]> = tlv::children(a3.content).iter().map(|t| t.whole).collect();
    assert!(segs.len() > 2);
    segs.swap(0, 1);
    let mut body: Vec<u8> = parts[..4].concat();
    tlv::push(&mut body, &[0xA3], &segs.concat());
    assert_eq!(
        fails(s.open(&tlv::encode(&[0xBF, 0x36], &body))),
        (
            BppCommandId::LOAD_PROFILE_ELEMENTS,
            R::SCP03T_SECURITY_ERROR
        )
    );
    // Not a BPP at all.
    assert_eq!(
        fails(s.open(&[0x30, 0x00])),
        (BppCommandId::INITIALISE_SECURE_CHANNEL, structure)
    );
    assert_eq!(
        fails(s.open(&[])),
        (BppCommandId::INITIALISE_SECURE_CHANNEL, structure)
    );
}

#[test]
fn build_refuses_what_it_cannot_bind() {
    let s = Session::new(Backend::AwsLc, Backend::AwsLc);
    let profile = sample_profile(iccid(), "p");
    let eid: Eid = EID.parse().unwrap();
    let params = |otpk: &[u8], size: usize| {
        build_bpp(
            &BindingParams {
                provider: s.build,
                transaction_id: tid(),
                eid,
                euicc_otpk: otpk,
                dp_pb_key: &s.sk_dp_pb,
                smdp_otsk: None,
                replace_session_keys: false,
                segment_size: size,
            },
            &profile,
        )
    };
    let otpk = s.euicc_otsk.public_key_sec1();
    assert!(params(&otpk, 0).is_err());
    assert!(params(&[0x04; 65], 100).is_err());
    assert!(params(&[], 100).is_err());
    // A fresh SM-DP+ one-time key each time.
    let a: BoundProfilePackage = rasn::der::decode(&params(&otpk, 100).unwrap()).unwrap();
    let b: BoundProfilePackage = rasn::der::decode(&params(&otpk, 100).unwrap()).unwrap();
    assert_ne!(
        a.initialise_secure_channel_request.smdp_otpk,
        b.initialise_secure_channel_request.smdp_otpk
    );
}

// ---------------------------------------------------------------------------------------------
// The captured vectors.

fn kat() -> serde_json::Value {
    serde_json::from_slice(&common::read_vector("bsp/scp03t-kat.json")).unwrap()
}

fn kat_keys(v: &serde_json::Value, enc: &str, mac: &str) -> SessionKeys {
    let h = |k: &str| -> [u8; 16] {
        hex::decode(v[k].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap()
    };
    SessionKeys {
        s_enc: h(enc),
        s_mac: h(mac),
        initial_mcv: h("initial_mac_chaining_value"),
    }
}

fn b64(s: &str) -> Vec<u8> {
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        acc = (acc << 6) | ALPHA.iter().position(|&a| a == c).unwrap() as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// `bpp/bpp.ber` (captured from an SM-DP+) is a BoundProfilePackage with one ConfigureISDP,
/// one StoreMetadata, one ReplaceSessionKeys and 13 profile element segments of up to 1036
/// bytes (more than the 1020 this harness makes; the eUICC side accepts them); its metadata
/// is readable (MAC-only). Its one-time keys are not in the vectors, so its session keys can't
/// be derived and smdpSign can't be checked (the signed data needs the eUICC's otPK); none of
/// the key sets of the KAT file opens it.
#[test]
fn captured_bpp_parses_and_the_kat_keys_do_not_open_it() {
    let bytes = common::read_vector("bpp/bpp.ber");
    let d: BoundProfilePackage = rasn::der::decode(&bytes).unwrap();
    assert_eq!(rasn::der::encode(&d).unwrap(), bytes);
    let isc = &d.initialise_secure_channel_request;
    assert_eq!(isc.remote_op_id, RemoteOpId::INSTALL_BOUND_PROFILE_PACKAGE);
    assert_eq!(
        hex::encode(isc.transaction_id.as_ref() as &[u8]),
        "0e1c96ddec2f4603963d3c26f89e533e"
    );
    assert_eq!(isc.control_ref_template.key_type.as_ref(), [0x88]);
    assert_eq!(isc.control_ref_template.key_len.as_ref(), [0x10]);
    assert_eq!(
        isc.control_ref_template.host_id.as_ref() as &[u8],
        b"mahlzeit"
    );
    assert_eq!((isc.smdp_otpk.len(), isc.smdp_otpk[0]), (65, 0x04));
    assert_eq!(isc.smdp_sign.len(), 64);
    assert_eq!(d.first_sequence_of87.len(), 1);
    assert_eq!(d.sequence_of88.len(), 1);
    assert_eq!(
        d.second_sequence_of87.as_ref().map(|s| s[0].len()),
        Some(72)
    );
    assert_eq!(d.sequence_of86.len(), 13);
    assert!(d.sequence_of86.iter().all(|s| s.len() + 4 <= 1036));
    assert!(d.sequence_of86[0].len() + 4 > MAX_SEGMENT_LEN);
    // smdp_signed_data reads its BF23: the contents before 5F37, then our 5F49.
    let isc_der = rasn::der::encode(isc).unwrap();
    let tbs = smdp_signed_data(&isc_der, &[0x04; 65]).unwrap();
    let signed_len = isc_der.len() - 4 - 67; // BF23 81 L, 5F37 40 r||s
    assert_eq!(&tbs[..signed_len], &isc_der[4..4 + signed_len]);
    assert_eq!(&tbs[signed_len..signed_len + 3], [0x5F, 0x49, 0x41]);
    // The ICCID of its metadata is readable; the segments are not, with any KAT key set.
    let meta88 = tlv::encode(&[0x88], d.sequence_of88[0].as_ref());
    let meta: StoreMetadataRequest = rasn::ber::decode(&meta88[2..meta88.len() - 8]).unwrap();
    assert_eq!(
        hex::encode(meta.iccid.as_ref() as &[u8]),
        "98001032547698103285"
    );
    let k = kat();
    let sets = [
        kat_keys(&k["bpp_decode"]["session_keys"], "s_enc", "s_mac"),
        kat_keys(&k["segments"]["keys"], "s_enc", "s_mac"),
        kat_keys(&k["kdf"][0], "s_enc", "s_mac"),
    ];
    for keys in &sets {
        for p in Backend::ALL.map(provider) {
            let e = open_bpp_with_session_keys(&bytes, p, keys, None).unwrap_err();
            assert_eq!(
                (e.command, e.reason),
                (
                    BppCommandId::CONFIGURE_ISDP,
                    ErrorReason::SCP03T_SECURITY_ERROR
                )
            );
        }
    }
}

/// The `bpp_decode` package of the KAT file, installed with its keys. Its encoder wraps every
/// segment twice (`A0 1C 87 1A [87 18 ..]`); as received it fails the first C-MAC (the MAC is
/// over the inner TLV). With the extra wrapping removed — the segment bytes unchanged — the
/// eUICC side opens it: ConfigureISDP, the metadata and the profile elements (under the PPKs
/// given beside it, as it has no ReplaceSessionKeys) are the expected plaintexts.
#[test]
fn kat_bound_profile_package_installs_with_its_keys() {
    let k = kat();
    let d = &k["bpp_decode"];
    let raw = b64(d["bpp_base64"].as_str().unwrap());
    let session = kat_keys(&d["session_keys"], "s_enc", "s_mac");
    let ppk = kat_keys(&d["ppk_keys"], "ppk_enc", "ppk_mac");
    let outer = tlv::split(&raw).unwrap();
    let mut body = Vec::new();
    for part in tlv::children(outer.content) {
        if part.tag == [0xBF, 0x23] {
            body.extend_from_slice(part.whole);
            continue;
        }
        let inner: Vec<u8> = tlv::children(part.content)
            .iter()
            .map(|wrapper| {
                let seg = tlv::split(wrapper.content).unwrap();
                assert_eq!(
                    (seg.tag, seg.whole.len()),
                    (wrapper.tag, wrapper.content.len())
                );
                seg.whole.to_vec()
            })
            .collect::<Vec<_>>()
            .concat();
        tlv::push(&mut body, part.tag, &inner);
    }
    let normalized = tlv::encode(&[0xBF, 0x36], &body);
    let expected_pe = b64(d["expected_profile_elements_plain_base64"]
        .as_str()
        .unwrap());
    let expected_meta: StoreMetadataRequest = rasn::der::decode(
        &hex::decode(d["expected_store_metadata_plain"].as_str().unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        hex::decode(d["expected_configure_isdp_plain"].as_str().unwrap()).unwrap(),
        rasn::der::encode(&ConfigureISDPRequest::default()).unwrap()
    );
    for p in Backend::ALL.map(provider) {
        let e = open_bpp_with_session_keys(&raw, p, &session, Some(&ppk)).unwrap_err();
        assert_eq!(
            (e.command, e.reason),
            (
                BppCommandId::CONFIGURE_ISDP,
                ErrorReason::SCP03T_SECURITY_ERROR
            )
        );
        let opened = open_bpp_with_session_keys(&normalized, p, &session, Some(&ppk)).unwrap();
        assert_eq!(opened.metadata, expected_meta);
        assert_eq!(
            hex::encode(opened.iccid.as_ref() as &[u8]),
            "89000123456789012341"
        );
        assert!(opened.elements == expected_pe);
        let summary = summarize(&opened.elements).unwrap();
        assert_eq!(summary.iccid, opened.iccid);
        assert_eq!(
            summary.profile_type.as_deref(),
            Some("GSMA Generic eUICC Test Profile")
        );
        // Without the PPKs the profile elements fail their first C-MAC.
        let e = open_bpp_with_session_keys(&normalized, p, &session, None).unwrap_err();
        assert_eq!(
            (e.command, e.reason),
            (
                BppCommandId::LOAD_PROFILE_ELEMENTS,
                ErrorReason::SCP03T_SECURITY_ERROR
            )
        );
    }
    // A flipped byte in each segment of the known answer fails it with its command.
    let want = expectations(&normalized);
    let mut last = None;
    for (i, (cmd, w)) in want.iter().enumerate() {
        if let Want::Exact(ErrorReason::SCP03T_SECURITY_ERROR) = w {
            if last == Some(*cmd) && want.get(i + 1).map(|x| x.0) == Some(*cmd) {
                continue;
            }
            last = Some(*cmd);
            let mut bad = normalized.clone();
            bad[i] ^= 0x01;
            let e =
                open_bpp_with_session_keys(&bad, provider(Backend::AwsLc), &session, Some(&ppk))
                    .unwrap_err();
            assert_eq!(
                (e.command, e.reason),
                (*cmd, ErrorReason::SCP03T_SECURITY_ERROR),
                "at {i}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Never panic.

fn fixed_session() -> &'static (Session, Vec<u8>) {
    static S: std::sync::OnceLock<(Session, Vec<u8>)> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let s = Session::new(Backend::AwsLc, Backend::AwsLc);
        let bpp = s.bpp(&sample_profile(iccid(), "prop"), true, 48);
        (s, bpp)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let (s, _) = fixed_session();
        prop_assert!(s.open(&bytes).is_err());
        let mut with_header = vec![0xBF, 0x36];
        with_header.extend(tlv::encode(&[0xBF, 0x23], &bytes));
        let _ = s.open(&tlv::encode(&[0xBF, 0x36], &with_header[2..]));
        let keys = SessionKeys { s_enc: [1; 16], s_mac: [2; 16], initial_mcv: [3; 16] };
        let _ = open_bpp_with_session_keys(&bytes, s.open, &keys, Some(&keys));
    }

    #[test]
    fn mutated_packages_never_panic_and_are_refused(
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>(), 0u8..3), 1..6)
    ) {
        let (s, bpp) = fixed_session();
        let mut bad = bpp.clone();
        for (at, value, op) in edits {
            if bad.is_empty() { break; }
            let i = at.index(bad.len());
            match op {
                0 => bad[i] = value,
                1 => { bad.remove(i); }
                _ => bad.insert(i, value),
            }
        }
        let r = s.open(&bad);
        if bad != *bpp {
            prop_assert!(r.is_err());
        }
    }
}
