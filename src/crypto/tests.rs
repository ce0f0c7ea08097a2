//! Tests of the crypto module: known answers (SGP.22 KDF and SCP03t, the whole BPP of the KAT
//! file, NIST/RFC vectors), the real eIM signature vector, cross-backend properties, negatives.

use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};
use serde_json::Value;

use super::*;

const KAT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/spec/vectors/bsp/scp03t-kat.json"
));
const PSMO: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/spec/vectors/esipa-live/getEimPackage_psmo_enable_resp.der"
));
const EIM_CERT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/spec/certs/eim-sample/sample_eim_cert_nist.crt"
));
const EIM_KEY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/spec/certs/eim-sample/sample_eim_cert_nist.key"
));

fn providers() -> [&'static dyn CryptoProvider; 2] {
    [provider(Backend::AwsLc), provider(Backend::RustCrypto)]
}

fn kat() -> Value {
    serde_json::from_str(KAT).unwrap()
}

fn hx(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn h16(v: &Value) -> [u8; 16] {
    hx(v).try_into().unwrap()
}

fn b64(s: &str) -> Vec<u8> {
    const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = ALPHA.iter().position(|&a| a == c).unwrap() as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Minimal BER-TLV walk: (tag bytes, value, whole TLV, rest).
fn tlv(input: &[u8]) -> (Vec<u8>, &[u8], &[u8], &[u8]) {
    let mut i = 1;
    if input[0] & 0x1F == 0x1F {
        while input[i] & 0x80 != 0 {
            i += 1;
        }
        i += 1;
    }
    let tag = input[..i].to_vec();
    let l0 = input[i];
    i += 1;
    let len = if l0 < 0x80 {
        usize::from(l0)
    } else {
        let n = usize::from(l0 & 0x7F);
        let len = input[i..i + n]
            .iter()
            .fold(0usize, |a, &b| a << 8 | usize::from(b));
        i += n;
        len
    };
    (
        tag,
        &input[i..i + len],
        &input[..i + len],
        &input[i + len..],
    )
}

fn children(mut input: &[u8]) -> Vec<(Vec<u8>, &[u8], &[u8])> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (t, v, whole, rest) = tlv(input);
        out.push((t, v, whole));
        input = rest;
    }
    out
}

fn session_keys(v: &Value, enc: &str, mac: &str) -> SessionKeys {
    SessionKeys {
        s_enc: h16(&v[enc]),
        s_mac: h16(&v[mac]),
        initial_mcv: h16(&v["initial_mac_chaining_value"]),
    }
}

// ------------------------------------------------------------------------------------------
// Backend selection.

#[test]
fn backend_names_and_default() {
    assert_eq!(Backend::default(), Backend::AwsLc);
    assert_eq!("aws-lc".parse::<Backend>().unwrap(), Backend::AwsLc);
    assert_eq!(
        "rustcrypto".parse::<Backend>().unwrap(),
        Backend::RustCrypto
    );
    assert!("openssl".parse::<Backend>().is_err());
    for b in Backend::ALL {
        assert_eq!(b.name().parse::<Backend>().unwrap(), b);
        assert_eq!(provider(b).backend(), b);
    }
}

// ------------------------------------------------------------------------------------------
// Symmetric primitives: NIST vectors.

#[test]
fn sha256_known_answers() {
    for p in providers() {
        assert_eq!(
            hex::encode(p.sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            p.sha256_parts(&[b"a", b"", b"bc"]),
            p.sha256(b"abc"),
            "{:?}",
            p.backend()
        );
    }
}

#[test]
fn aes_cbc_and_cmac_nist_vectors() {
    // SP 800-38A F.2.1 (CBC-AES128) and SP 800-38B D.1 (CMAC-AES128).
    let key: [u8; 16] = hex::decode("2b7e151628aed2a6abf7158809cf4f3c")
        .unwrap()
        .try_into()
        .unwrap();
    let iv: [u8; 16] = hex::decode("000102030405060708090a0b0c0d0e0f")
        .unwrap()
        .try_into()
        .unwrap();
    let plain =
        hex::decode("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51").unwrap();
    let cipher = "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2";
    for p in providers() {
        let aes = p.aes128(&key).unwrap();
        let mut buf = plain.clone();
        aes.cbc_encrypt_in_place(&iv, &mut buf).unwrap();
        assert_eq!(hex::encode(&buf), cipher, "{:?}", p.backend());
        aes.cbc_decrypt_in_place(&iv, &mut buf).unwrap();
        assert_eq!(buf, plain);
        assert!(aes.cbc_encrypt_in_place(&iv, &mut [0u8; 15]).is_err());
        assert!(aes.cbc_decrypt_in_place(&iv, &mut []).is_err());
        // ECB of one block = CBC with a zero IV.
        let mut block: [u8; 16] = plain[..16].try_into().unwrap();
        aes.encrypt_block(&mut block).unwrap();
        assert_eq!(hex::encode(block), "3ad77bb40d7a3660a89ecaf32466ef97");

        let cmac = p.cmac_aes128(&key).unwrap();
        assert_eq!(
            hex::encode(cmac.mac(&[]).unwrap()),
            "bb1d6929e95937287fa37d129b756746"
        );
        assert_eq!(
            hex::encode(cmac.mac(&[&plain[..16]]).unwrap()),
            "070a16b46b4d4144f79bdd9dd04a287c"
        );
        assert_eq!(
            cmac.mac(&[&plain[..5], &plain[5..16]]).unwrap(),
            cmac.mac(&[&plain[..16]]).unwrap()
        );
    }
}

// ------------------------------------------------------------------------------------------
// SGP.22 KDF and SCP03t: the KAT file.

#[test]
fn kdf_known_answers() {
    let kat = kat();
    let entries = kat["kdf"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    for p in providers() {
        for e in entries {
            let key_type = u8::from_str_radix(e["key_type"].as_str().unwrap(), 16).unwrap();
            let key_length = u8::try_from(e["key_length"].as_u64().unwrap()).unwrap();
            assert_eq!((key_type, key_length), (0x88, 16));
            let keys = p
                .derive_session_keys(
                    &hx(&e["shared_secret"]),
                    key_type,
                    key_length,
                    &hx(&e["host_id"]),
                    &hx(&e["eid"]),
                )
                .unwrap();
            assert_eq!(keys, session_keys(e, "s_enc", "s_mac"), "{:?}", p.backend());
        }
    }
    // The free function (default provider) and the SharedInfo layout.
    let e = &entries[1];
    let info = shared_info(0x88, 16, &hx(&e["host_id"]), &hx(&e["eid"])).unwrap();
    assert_eq!(
        hex::encode(&info),
        "881008808080808080808010".to_owned() + e["eid"].as_str().unwrap()
    );
    let keys = derive_session_keys(
        &hx(&e["shared_secret"]),
        0x88,
        16,
        &hx(&e["host_id"]),
        &hx(&e["eid"]),
    )
    .unwrap();
    assert_eq!(keys.s_mac, h16(&e["s_mac"]));
    assert!(derive_session_keys(&hx(&e["shared_secret"]), 0x88, 32, &[], &[]).is_err());
}

fn run_ops(p: &dyn CryptoProvider, keys: &SessionKeys, ops: &[Value]) {
    let mut tx = Bsp::new(p, keys).unwrap();
    let mut rx = Bsp::new(p, keys).unwrap();
    for (i, op) in ops.iter().enumerate() {
        let tag = u8::from_str_radix(op["tag"].as_str().unwrap(), 16).unwrap();
        let plain = hx(&op["plain"]);
        let expected = hx(&op["protected"]);
        let (got, back) = match op["op"].as_str().unwrap() {
            "encrypt_and_mac" | "encrypt_and_mac_one" => {
                (tx.protect(tag, &plain).unwrap(), rx.unprotect(&expected))
            }
            "mac_only" => (
                tx.protect_mac_only(tag, &plain).unwrap(),
                rx.unprotect_mac_only(&expected),
            ),
            other => panic!("unknown op {other}"),
        };
        assert_eq!(
            hex::encode(got),
            hex::encode(&expected),
            "op {i} {:?}",
            p.backend()
        );
        assert_eq!(back.unwrap(), plain, "op {i} {:?}", p.backend());
        assert_eq!(tx.segment_counter(), i as u64 + 2);
        assert_eq!(tx.mac_chaining_value(), rx.mac_chaining_value());
    }
}

#[test]
fn scp03t_segments_known_answers() {
    let kat = kat();
    let seg = &kat["segments"];
    for p in providers() {
        run_ops(
            p,
            &session_keys(&seg["keys"], "s_enc", "s_mac"),
            seg["operations"].as_array().unwrap(),
        );
    }
}

#[test]
fn scp03t_ppk_segments_known_answers() {
    let kat = kat();
    let seg = &kat["ppk_segments"];
    let ops = seg["operations"].as_array().unwrap();
    assert_eq!(hx(&ops[0]["protected"]).len(), MAX_SEGMENT_LEN);
    for p in providers() {
        run_ops(p, &session_keys(&seg["keys"], "ppk_enc", "ppk_mac"), ops);
    }
}

/// The whole bound profile package of the KAT file: BF36 { BF23 InitialiseSecureChannel,
/// A0 { 87 ConfigureISDP }, A1 { 88 StoreMetadata.. }, A3 { 86 profile elements.. } }
/// (SGP.22 2.5.5, 5.5). There is no A2 (ReplaceSessionKeys) in this package: the profile
/// elements are protected with the PPK set given beside it (a new session, counter 1).
/// Quirk of this package (not of `bpp/bpp.ber`, which has `A0 1A 87 18 ..`): every segment is
/// wrapped twice, `A0 1C 87 1A [87 18 <ciphertext> <C-MAC>]`; the segment that is MACed and
/// decrypted is the inner TLV.
#[test]
fn scp03t_bound_profile_package_decode() {
    let kat = kat();
    let d = &kat["bpp_decode"];
    let bpp = b64(d["bpp_base64"].as_str().unwrap());
    let (tag, body, _, rest) = tlv(&bpp);
    assert_eq!(tag, [0xBF, 0x36]);
    assert!(rest.is_empty());
    let parts = children(body);
    let tags: Vec<_> = parts.iter().map(|(t, _, _)| hex::encode(t)).collect();
    assert_eq!(tags, ["bf23", "a0", "a1", "a3"]);
    let expected_pe = b64(d["expected_profile_elements_plain_base64"]
        .as_str()
        .unwrap());
    let session = session_keys(&d["session_keys"], "s_enc", "s_mac");
    let ppk = session_keys(&d["ppk_keys"], "ppk_enc", "ppk_mac");
    let segments = |seq: &[u8]| -> Vec<Vec<u8>> {
        children(seq)
            .into_iter()
            .map(|(t, v, _)| {
                let (inner_tag, _, inner, rest) = tlv(v);
                assert_eq!((inner_tag, rest.len()), (t, 0), "doubly wrapped segment");
                inner.to_vec()
            })
            .collect()
    };
    // Per segment: (segment, plaintext).
    let decode = |seq: &[u8], want_tag: u8, bsp: &mut Bsp| -> Vec<(Vec<u8>, Vec<u8>)> {
        segments(seq)
            .into_iter()
            .enumerate()
            .map(|(i, seg)| {
                assert_eq!(seg[0], want_tag);
                match bsp.unprotect_by_tag(&seg) {
                    Ok(plain) => (seg, plain),
                    Err(e) => panic!("segment {i} of {want_tag:02x}: {e}"),
                }
            })
            .collect()
    };
    let concat = |segs: &[(Vec<u8>, Vec<u8>)]| -> Vec<u8> {
        segs.iter().flat_map(|(_, p)| p.clone()).collect()
    };
    for p in providers() {
        let mut bsp = Bsp::new(p, &session).unwrap();
        let isdp = decode(parts[1].1, 0x87, &mut bsp);
        assert_eq!(concat(&isdp), hx(&d["expected_configure_isdp_plain"]));
        let meta = decode(parts[2].1, 0x88, &mut bsp);
        assert_eq!(concat(&meta), hx(&d["expected_store_metadata_plain"]));
        let mut bsp = Bsp::new(p, &ppk).unwrap();
        let pe = decode(parts[3].1, 0x86, &mut bsp);
        assert!(pe.len() > 1, "several profile element segments");
        let pe_plain = concat(&pe);
        assert_eq!(pe_plain.len(), expected_pe.len());
        assert!(
            pe_plain == expected_pe,
            "profile elements differ ({:?})",
            p.backend()
        );

        // Re-protecting each segment's plaintext rebuilds the segment byte for byte.
        let mut tx = Bsp::new(p, &session).unwrap();
        for (seg, plain) in isdp.iter().chain(&meta) {
            let again = if seg[0] == 0x88 {
                tx.protect_mac_only(seg[0], plain).unwrap()
            } else {
                tx.protect(seg[0], plain).unwrap()
            };
            assert_eq!(&again, seg, "{:?}", p.backend());
        }
        let mut tx = Bsp::new(p, &ppk).unwrap();
        for (seg, plain) in &pe {
            assert_eq!(&tx.protect(0x86, plain).unwrap(), seg, "{:?}", p.backend());
        }
    }
}

#[test]
fn scp03t_rejects_tampering_and_keeps_state() {
    let keys = SessionKeys {
        s_enc: [1; 16],
        s_mac: [2; 16],
        initial_mcv: [3; 16],
    };
    for p in providers() {
        let mut tx = Bsp::new(p, &keys).unwrap();
        let plain: Vec<u8> = (0..100u8).collect();
        let seg = tx.protect(0x86, &plain).unwrap();
        let seg2 = tx.protect(0x86, b"second").unwrap();
        let mut rx = Bsp::new(p, &keys).unwrap();
        let before = (rx.mac_chaining_value(), rx.segment_counter());
        // Any flipped byte: MAC error (or structure error for the header).
        for i in 0..seg.len() {
            let mut bad = seg.clone();
            bad[i] ^= 0x01;
            assert!(rx.unprotect(&bad).is_err(), "flip at {i}");
        }
        // Truncations and extensions.
        for cut in 0..seg.len() {
            assert!(rx.unprotect(&seg[..cut]).is_err(), "cut at {cut}");
        }
        assert!(rx.unprotect(&[seg.clone(), vec![0]].concat()).is_err());
        // Out of order: the second segment first fails (MAC chaining, counter).
        assert_eq!(rx.unprotect(&seg2), Err(CryptoError::Scp03tMac));
        assert_eq!((rx.mac_chaining_value(), rx.segment_counter()), before);
        // The state is untouched: the genuine sequence still decodes.
        assert_eq!(rx.unprotect(&seg).unwrap(), plain);
        assert_eq!(rx.unprotect(&seg2).unwrap(), b"second");

        // Bad padding under a valid MAC: build such a segment by hand.
        let mut forge = Bsp::new(p, &keys).unwrap();
        let enc = p.aes128(&keys.s_enc).unwrap();
        let mac = p.cmac_aes128(&keys.s_mac).unwrap();
        for block in [[0u8; 16], [0x41; 16], {
            let mut b = [0u8; 16];
            b[3] = 0x80;
            b[4] = 0x01;
            b
        }] {
            let mut icv = [0u8; 16];
            icv[15] = 1;
            enc.encrypt_block(&mut icv).unwrap();
            let mut ct = block;
            enc.cbc_encrypt_in_place(&icv, &mut ct).unwrap();
            let mut seg = vec![0x87, 24];
            seg.extend_from_slice(&ct);
            let m = mac.mac(&[&keys.initial_mcv, &seg]).unwrap();
            seg.extend_from_slice(&m[..8]);
            assert_eq!(forge.unprotect(&seg), Err(CryptoError::Scp03tPadding));
            assert_eq!(forge.segment_counter(), 1);
        }
        // A MACed segment whose ciphertext is not block aligned.
        let mut seg = vec![0x87, 8 + 5, 1, 2, 3, 4, 5];
        let m = mac.mac(&[&keys.initial_mcv, &seg]).unwrap();
        seg.extend_from_slice(&m[..8]);
        assert!(matches!(
            forge.unprotect(&seg),
            Err(CryptoError::Scp03tStructure(_))
        ));
        // Non-minimal length.
        assert!(matches!(
            forge.unprotect(&[0x87, 0x81, 0x18]),
            Err(CryptoError::Scp03tStructure(_))
        ));
        // Too long for one segment (value over 65535 bytes); splitting at 1020 bytes.
        assert!(tx.protect(0x86, &[0u8; 65535]).is_err());
        let segs = tx
            .protect_split(SegmentKind::Encrypted, 0x86, &[0u8; 3000])
            .unwrap();
        let lens: Vec<usize> = segs.iter().map(Vec::len).collect();
        assert_eq!(lens, [MAX_SEGMENT_LEN, MAX_SEGMENT_LEN, 1 + 3 + 992 + 8]);
    }
}

#[test]
fn scp03t_garbage_never_panics() {
    let keys = SessionKeys {
        s_enc: [9; 16],
        s_mac: [8; 16],
        initial_mcv: [7; 16],
    };
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    for p in providers() {
        let mut rx = Bsp::new(p, &keys).unwrap();
        for _ in 0..500 {
            let len = (rng.next_u32() % 300) as usize;
            let mut v = vec![0u8; len];
            rng.fill_bytes(&mut v);
            if let Some(b) = v.get_mut(0) {
                *b = [0x86, 0x87, 0x88, 0xBF][(rng.next_u32() % 4) as usize];
            }
            assert!(rx.unprotect_by_tag(&v).is_err());
        }
    }
}

// ------------------------------------------------------------------------------------------
// ECDSA.

#[test]
fn rfc6979_known_answer_on_every_backend() {
    // RFC 6979 A.2.5, P-256 with SHA-256, message "sample".
    let x =
        hex::decode("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721").unwrap();
    let want = "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716\
                f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8";
    for p in providers() {
        let k = p.signing_key_from_scalar(Curve::P256, &x).unwrap();
        assert_eq!(hex::encode(k.sign_deterministic(b"sample").unwrap()), want);
        assert_eq!(
            hex::encode(&k.public_key_sec1()[1..33]),
            "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
        );
    }
}

#[test]
fn sign_with_one_backend_verify_with_the_other() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x5350_3332);
    for round in 0..40 {
        let curve = if round % 4 == 3 {
            Curve::BrainpoolP256r1
        } else {
            Curve::P256
        };
        let mut scalar = [0u8; 32];
        rng.fill_bytes(&mut scalar);
        scalar[0] &= 0x7F; // below both group orders
        let mut msg = vec![0u8; (rng.next_u32() % 600) as usize];
        rng.fill_bytes(&mut msg);
        let keys: Vec<SigningKey> = providers()
            .iter()
            .map(|p| p.signing_key_from_scalar(curve, &scalar).unwrap())
            .collect();
        assert_eq!(keys[0].public_key_sec1(), keys[1].public_key_sec1());
        // RFC 6979: identical bytes on both backends.
        let det: Vec<_> = keys
            .iter()
            .map(|k| k.sign_deterministic(&msg).unwrap())
            .collect();
        assert_eq!(det[0], det[1]);
        for signer in &keys {
            let sig = signer.sign(&msg).unwrap();
            for verifier in &keys {
                let vk = verifier.verifying_key().unwrap();
                vk.verify(&msg, &sig).unwrap();
                vk.verify(&msg, &det[0]).unwrap();
                // Same key imported from the SEC1 point on the other backends.
                for p in providers() {
                    let vk2 = p
                        .verifying_key_from_sec1(curve, &vk.to_sec1_uncompressed())
                        .unwrap();
                    vk2.verify(&msg, &sig).unwrap();
                    assert_eq!(vk2, vk);
                }
                // Tampering fails.
                let mut bad = msg.clone();
                if bad.is_empty() {
                    bad.push(0);
                } else {
                    let i = (rng.next_u32() as usize) % bad.len();
                    bad[i] ^= 1 << (rng.next_u32() % 8);
                }
                assert_eq!(vk.verify(&bad, &sig), Err(CryptoError::BadSignature));
                let mut bad_sig = sig;
                bad_sig[(rng.next_u32() % 64) as usize] ^= 0x10;
                assert!(vk.verify(&msg, &bad_sig).is_err());
                assert!(matches!(
                    vk.verify(&msg, &sig[..63]),
                    Err(CryptoError::MalformedSignature(_))
                ));
                // DER form verifies too.
                vk.verify_der(&msg, &raw_to_der(&sig).unwrap()).unwrap();
            }
        }
    }
}

#[test]
fn zero_and_out_of_range_signatures_rejected() {
    for p in providers() {
        let k = p.generate_signing_key(Curve::P256).unwrap();
        let vk = k.verifying_key().unwrap();
        assert!(vk.verify(b"m", &[0u8; 64]).is_err());
        assert!(vk.verify(b"m", &[0xFFu8; 64]).is_err());
        let sig = k.sign(b"m").unwrap();
        vk.verify(b"m", &sig).unwrap();
        assert_ne!(k.sign(b"m").unwrap(), sig, "random nonces");
    }
}

#[test]
fn key_encodings_round_trip() {
    for p in providers() {
        for curve in [Curve::P256, Curve::BrainpoolP256r1] {
            let k = p.generate_signing_key(curve).unwrap();
            assert_eq!(k.curve(), curve);
            let der = k.to_pkcs8_der().unwrap();
            let pem = k.to_pkcs8_pem().unwrap();
            assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
            for q in providers() {
                let k2 = q.signing_key_from_der(&der).unwrap();
                assert_eq!(k2.curve(), curve);
                assert_eq!(k2.public_key_sec1(), k.public_key_sec1());
                let k3 = q.signing_key_from_pem(&pem).unwrap();
                assert_eq!(k3.to_scalar_bytes().unwrap(), k.to_scalar_bytes().unwrap());
                let vk = k.verifying_key().unwrap();
                let spki = vk.to_spki_der();
                let vk2 = q.verifying_key_from_spki_der(&spki).unwrap();
                assert_eq!(vk2, vk);
                assert_eq!(
                    q.verifying_key_from_spki_pem(&vk.to_spki_pem()).unwrap(),
                    vk
                );
            }
        }
        assert!(p.signing_key_from_der(b"\x30\x00").is_err());
        assert!(p.signing_key_from_scalar(Curve::P256, &[0u8; 32]).is_err());
        assert!(p.signing_key_from_scalar(Curve::P256, &[0xFF; 32]).is_err());
        assert!(p.signing_key_from_scalar(Curve::P256, &[1u8; 31]).is_err());
        assert!(p.signing_key_from_scalar(Curve::P256, &[1u8; 33]).is_err());
        // The group order n is out of range, n - 1 is the largest scalar.
        let n = hex::decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551")
            .unwrap();
        assert!(p.signing_key_from_scalar(Curve::P256, &n).is_err());
        let mut n_1 = n.clone();
        n_1[31] -= 1;
        let k = p.signing_key_from_scalar(Curve::P256, &n_1).unwrap();
        // (n - 1) G = -G: the generator's x, y negated.
        assert_eq!(
            hex::encode(&k.public_key_sec1()[..33]),
            "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
        );
        let sig = k.sign(b"n-1").unwrap();
        k.verifying_key().unwrap().verify(b"n-1", &sig).unwrap();
        assert!(p.verifying_key_from_sec1(Curve::P256, &[4u8; 65]).is_err());
        assert!(
            p.verifying_key_from_spki_der(&[0x30, 0x03, 1, 2, 3])
                .is_err()
        );
    }
    // The P-256 SPKI prefix is the well-known one.
    let k = provider(Backend::AwsLc)
        .generate_signing_key(Curve::P256)
        .unwrap();
    let spki = k.verifying_key().unwrap().to_spki_der();
    assert_eq!(
        hex::encode(&spki[..26]),
        "3059301306072a8648ce3d020106082a8648ce3d030107034200"
    );
}

/// The eimSignature of a real GetEimPackageResponse (SGP.32 2.11.1.1): BF4F { BF51 {
/// 30 EuiccPackageSigned, 5F37 40 r||s } }, signed over DER(EuiccPackageSigned) || 84 01 01
/// (the eIM association token) with the sample eIM key.
#[test]
fn real_eim_package_signature() {
    let (t, v, _, rest) = tlv(PSMO);
    assert_eq!((t.as_slice(), rest.len()), (&[0xBF, 0x4F][..], 0));
    let (t, v, _, _) = tlv(v);
    assert_eq!(t, [0xBF, 0x51]);
    let parts = children(v);
    assert_eq!(parts[0].0, [0x30]);
    assert_eq!(parts[1].0, [0x5F, 0x37]);
    let sig = parts[1].1;
    assert_eq!(sig.len(), 64);
    let signed = [parts[0].2, &[0x84, 0x01, 0x01][..]].concat();
    for p in providers() {
        let vk = p.verifying_key_from_certificate_pem(EIM_CERT).unwrap();
        assert_eq!(vk.curve(), Curve::P256);
        vk.verify(&signed, sig).unwrap();
        for i in 0..signed.len() {
            let mut bad = signed.clone();
            bad[i] ^= 0x01;
            assert!(
                vk.verify(&bad, sig).is_err(),
                "flip at {i} ({:?})",
                p.backend()
            );
        }
        // Without the association token it fails as well.
        assert!(vk.verify(parts[0].2, sig).is_err());
        // The sample key file (SEC1 "EC PRIVATE KEY") is the certificate's key.
        let sk = p.signing_key_from_pem(EIM_KEY).unwrap();
        assert_eq!(sk.verifying_key().unwrap(), vk);
        vk.verify(b"x", &sk.sign(b"x").unwrap()).unwrap();
    }
}

/// SGP.26 test certificates: each EUM certificate's signature verifies with the CI key, on
/// the NIST and the brainpool variant (ecdsa-with-SHA256, DER signature).
#[test]
fn sgp26_certificate_signatures_nist_and_brainpool() {
    use der::{Decode, Encode};
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/spec/certs/sgp26-v1.2/"
    );
    for (variant, curve) in [("NIST", Curve::P256), ("BRP", Curve::BrainpoolP256r1)] {
        let ci = std::fs::read(format!("{dir}CERT_CI_ECDSA_{variant}.der")).unwrap();
        let eum = std::fs::read(format!("{dir}CERT_EUM_ECDSA_{variant}.der")).unwrap();
        let cert = x509_cert::Certificate::from_der(&eum).unwrap();
        let tbs = cert.tbs_certificate().to_der().unwrap();
        let sig = cert.signature().raw_bytes();
        for p in providers() {
            let ci_key = p.verifying_key_from_certificate_der(&ci).unwrap();
            assert_eq!(ci_key.curve(), curve);
            ci_key.verify_der(&tbs, sig).unwrap();
            let mut bad = tbs.clone();
            bad[40] ^= 1;
            assert!(ci_key.verify_der(&bad, sig).is_err());
        }
    }
}

// ------------------------------------------------------------------------------------------
// ECKA.

#[test]
fn ecka_known_answer_and_cross_backend() {
    // NIST CAVS ECC CDH primitive, P-256, COUNT = 0.
    let peer = hex::decode(
        "04700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287\
         db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac",
    )
    .unwrap();
    let d =
        hex::decode("7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534").unwrap();
    for p in providers() {
        let k = p.ecka_key_from_scalar(&d).unwrap();
        assert_eq!(
            hex::encode(k.agree(&peer).unwrap()),
            "46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b"
        );
        assert!(k.agree(&[4u8; 65]).is_err(), "point not on the curve");
        assert!(k.agree(&peer[..64]).is_err());
    }
    for a in providers() {
        for b in providers() {
            let ka = a.generate_ecka_key().unwrap();
            let kb = b.generate_ecka_key().unwrap();
            let z1 = ka.agree(&kb.public_key_sec1()).unwrap();
            let z2 = kb.agree(&ka.public_key_sec1()).unwrap();
            assert_eq!(z1, z2);
            // Both sides derive the same session keys and talk SCP03t.
            let host = [0x80u8; 8];
            let eid = [0x89u8; 16];
            let ks1 = a.derive_session_keys(&z1, 0x88, 16, &host, &eid).unwrap();
            let ks2 = b.derive_session_keys(&z2, 0x88, 16, &host, &eid).unwrap();
            let mut tx = Bsp::new(a, &ks1).unwrap();
            let mut rx = Bsp::new(b, &ks2).unwrap();
            let seg = tx.protect(0x87, b"\xbf\x24\x00").unwrap();
            assert_eq!(rx.unprotect(&seg).unwrap(), b"\xbf\x24\x00");
        }
    }
}
