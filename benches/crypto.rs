//! criterion benchmarks of the crypto hot paths, each on every backend side by side (the
//! backend is the benchmark parameter). Key parsing and other setup stay outside the measured
//! closures. `cargo test` runs this once in criterion's test mode.
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sgp32_harness::crypto::{
    Backend, Bsp, CryptoProvider, Curve, MAX_SEGMENT_LEN, SessionKeys, provider,
};

mod common;

const SCALAR: [u8; 32] = [
    0xc9, 0xaf, 0xa9, 0xd8, 0x45, 0xba, 0x75, 0x16, 0x6b, 0x5c, 0x21, 0x57, 0x67, 0xb1, 0xd6, 0x93,
    0x4e, 0x50, 0xc3, 0xdb, 0x36, 0xe8, 0x9b, 0x12, 0x7b, 0x8a, 0x62, 0x2b, 0x12, 0x0f, 0x67, 0x21,
];

fn providers() -> impl Iterator<Item = (Backend, &'static dyn CryptoProvider)> {
    Backend::ALL.into_iter().map(|b| (b, provider(b)))
}

/// A signed eIM package is ~130 bytes; sign a message of that size.
fn ecdsa(c: &mut Criterion) {
    let msg = vec![0x30u8; 130];
    let mut g = c.benchmark_group("ecdsa_p256_sign_rs");
    for (b, p) in providers() {
        let key = p.signing_key_from_scalar(Curve::P256, &SCALAR).unwrap();
        g.bench_with_input(BenchmarkId::from_parameter(b), &key, |bench, key| {
            bench.iter(|| key.sign(black_box(&msg)).unwrap())
        });
    }
    g.finish();

    let mut g = c.benchmark_group("ecdsa_p256_verify_rs");
    for (b, p) in providers() {
        let key = p.signing_key_from_scalar(Curve::P256, &SCALAR).unwrap();
        let sig = key.sign(&msg).unwrap();
        let vk = p
            .verifying_key_from_sec1(Curve::P256, &key.public_key_sec1())
            .unwrap();
        g.bench_with_input(BenchmarkId::from_parameter(b), &vk, |bench, vk| {
            bench.iter(|| vk.verify(black_box(&msg), black_box(&sig)).unwrap())
        });
    }
    g.finish();
}

/// One side of the SGP.22 key agreement: ECKA with the peer's one-time key, then the KDF.
fn ecka_kdf(c: &mut Criterion) {
    let mut g = c.benchmark_group("ecka_p256_plus_kdf");
    for (b, p) in providers() {
        let ours = p.ecka_key_from_scalar(&SCALAR).unwrap();
        let peer = p.generate_ecka_key().unwrap().public_key_sec1();
        let host = [0x80u8; 8];
        let eid = [0x89u8; 16];
        g.bench_function(BenchmarkId::from_parameter(b), |bench| {
            bench.iter(|| {
                let z = ours.agree(black_box(&peer)).unwrap();
                p.derive_session_keys(&z, 0x88, 16, &host, &eid).unwrap()
            })
        });
    }
    g.finish();
}

/// SCP03t: check the C-MAC and decrypt one profile segment: the 1020-byte '86' segment of the
/// `ppk_segments` known answers (`shared/spec/vectors/bsp/scp03t-kat.json`), the size the
/// SM-DP+ cuts the profile into.
fn scp03t_unprotect(c: &mut Criterion) {
    let kat: serde_json::Value =
        serde_json::from_slice(&common::vector("bsp/scp03t-kat.json")).expect("KAT JSON");
    let hex16 = |v: &serde_json::Value| -> [u8; 16] {
        hex::decode(v.as_str().expect("hex"))
            .expect("hex")
            .try_into()
            .expect("16 bytes")
    };
    let ppk = &kat["ppk_segments"];
    let keys = SessionKeys {
        s_enc: hex16(&ppk["keys"]["ppk_enc"]),
        s_mac: hex16(&ppk["keys"]["ppk_mac"]),
        initial_mcv: hex16(&ppk["keys"]["initial_mac_chaining_value"]),
    };
    let op = &ppk["operations"][0];
    let segment = hex::decode(op["protected"].as_str().expect("hex")).expect("hex");
    let plain = hex::decode(op["plain"].as_str().expect("hex")).expect("hex");
    assert_eq!(segment.len(), MAX_SEGMENT_LEN);
    let mut g = c.benchmark_group("scp03t_unprotect_segment_1020");
    g.throughput(Throughput::Bytes(segment.len() as u64));
    for (b, p) in providers() {
        let fresh = Bsp::new(p, &keys).unwrap();
        assert_eq!(
            fresh.clone().unprotect(&segment).unwrap(),
            plain,
            "{b}: KAT"
        );
        g.bench_function(BenchmarkId::from_parameter(b), |bench| {
            // Cloning the session (two Arc increments and 24 bytes) restores counter and MCV.
            bench.iter(|| fresh.clone().unprotect(black_box(&segment)).unwrap())
        });
    }
    g.finish();
}

fn sha256(c: &mut Criterion) {
    let data = vec![0x5au8; 1024];
    let mut g = c.benchmark_group("sha256_1k");
    g.throughput(Throughput::Bytes(data.len() as u64));
    for (b, p) in providers() {
        g.bench_function(BenchmarkId::from_parameter(b), |bench| {
            bench.iter(|| p.sha256(black_box(&data)))
        });
    }
    g.finish();
}

criterion_group!(benches, ecdsa, ecka_kdf, scp03t_unprotect, sha256);
criterion_main!(benches);
