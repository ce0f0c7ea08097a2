//! criterion benchmarks of the ASN.1 codec on the ESipa messages of the load generator: rasn
//! DER decode and encode of each, and, in the same group over the same bytes, a zero-copy TLV
//! walk (`asn1::tlv::split`, every TLV visited, constructed ones entered): the floor a decoder
//! can't beat. Throughput in messages/s and bytes/s.
//!
//! Inputs: the captured vectors of `shared/spec/vectors/esipa-live` (GetEimPackageRequest, and
//! the GetEimPackageResponse carrying a signed PSMO EuiccPackageRequest); the rest comes from one
//! real poll in memory (`common::World`: IPA, simulated eUICC, reference eIM, mock SM-DP+): a
//! ProvideEimPackageResult with the signed EuiccPackageResult and the profile notifications,
//! an AuthenticateClientRequestEsipa, and the GetBoundProfilePackageResponseEsipa carrying a
//! bound profile package (the SGP.22 '86' segments of the profile, 1020 bytes each); plus the
//! captured `bpp/bpp.ber` BoundProfilePackage decoded as the eUICC does.
//! `cargo test` runs this once in criterion's test mode.
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rasn::{Decode, Encode};
use sgp32_harness::asn1::rsp::BoundProfilePackage;
use sgp32_harness::asn1::sgp32::{EsipaMessageFromEimToIpa, EsipaMessageFromIpaToEim};
use sgp32_harness::asn1::tlv;
use sgp32_harness::crypto::Backend;
use sgp32_harness::ipa::IpaOutcome;

mod common;

/// Every TLV in `bytes`, constructed ones entered (X.690 8.1.2.5: bit 6 of the first tag
/// octet); returns how many, so that nothing is optimised away. No allocation, no copy.
fn tlv_walk(mut bytes: &[u8]) -> usize {
    let mut n = 0;
    while let Ok(t) = tlv::split(bytes) {
        n += 1;
        if t.tag.first().is_some_and(|b| b & 0x20 != 0) {
            n += tlv_walk(t.content);
        }
        bytes = bytes.get(t.whole.len()..).unwrap_or_default();
    }
    n
}

/// One group per message: rasn decode, rasn encode (of the decoded value), TLV walk.
fn group<T: Decode + Encode>(c: &mut Criterion, name: &str, der: &[u8]) {
    let value: T = rasn::der::decode(der).unwrap_or_else(|e| panic!("{name}: {e}"));
    let reencoded = rasn::der::encode(&value).expect("encode");
    assert_eq!(reencoded, der, "{name}: DER round trip");
    assert!(tlv_walk(der) >= 2, "{name}: TLV walk");
    let mut g = c.benchmark_group(format!("asn1/{name}"));
    g.throughput(Throughput::ElementsAndBytes {
        elements: 1,
        bytes: der.len() as u64,
    });
    g.bench_function("rasn_decode", |b| {
        b.iter(|| rasn::der::decode::<T>(black_box(der)).expect("decode"))
    });
    g.bench_function("rasn_encode", |b| {
        b.iter(|| rasn::der::encode(black_box(&value)).expect("encode"))
    });
    g.bench_function("tlv_walk", |b| b.iter(|| tlv_walk(black_box(der))));
    g.finish();
}

fn esipa(c: &mut Criterion) {
    // Captured vectors.
    group::<EsipaMessageFromIpaToEim>(
        c,
        "get_eim_package_request",
        &common::vector("esipa-live/getEimPackageRequest_req.der"),
    );
    group::<EsipaMessageFromEimToIpa>(
        c,
        "get_eim_package_response_psmo",
        &common::vector("esipa-live/getEimPackage_psmo_enable_resp.der"),
    );

    // A real PSMO poll: the result with its notifications.
    let mut world = common::World::new(3, Backend::AwsLc);
    world
        .eim
        .order_psmos(world.euicc.eid(), common::enable(common::ICCID_B))
        .expect("order");
    let (outcome, log) = common::capture(&mut world);
    assert!(
        matches!(outcome, IpaOutcome::PackageExecuted { .. }),
        "{outcome:?}"
    );
    let provide = log
        .iter()
        .map(|x| &x.request)
        .find(|r| r.starts_with(&[0xBF, 0x50]))
        .expect("ProvideEimPackageResult 'BF50'");
    let EsipaMessageFromIpaToEim::ProvideEimPackageResult(p) =
        rasn::der::decode(provide).expect("decode")
    else {
        panic!("not a ProvideEimPackageResult")
    };
    let notifications = match &p.eim_package_result {
        sgp32_harness::asn1::sgp32::EimPackageResult::EprAndNotifications(e) => {
            e.notification_list.len()
        }
        other => panic!("not ePRAndNotifications: {other:?}"),
    };
    assert!(
        notifications >= 2,
        "enable B notifies disable A and enable B"
    );
    group::<EsipaMessageFromIpaToEim>(c, "provide_eim_package_result", provide);

    // A real indirect profile download: AuthenticateClient and the BPP.
    world.order_download();
    let (outcome, log) = common::capture(&mut world);
    assert!(
        matches!(
            outcome,
            IpaOutcome::ProfileDownloaded {
                installed: true,
                ..
            }
        ),
        "{outcome:?}"
    );
    let authenticate = log
        .iter()
        .map(|x| &x.request)
        .find(|r| r.starts_with(&[0xBF, 0x3B]))
        .expect("AuthenticateClientRequestEsipa 'BF3B'");
    group::<EsipaMessageFromIpaToEim>(c, "authenticate_client_request", authenticate);
    let bpp = log
        .iter()
        .map(|x| &x.answer)
        .find(|a| a.starts_with(&[0xBF, 0x3A]))
        .expect("GetBoundProfilePackageResponseEsipa 'BF3A'");
    group::<EsipaMessageFromEimToIpa>(c, "get_bpp_response", bpp);

    // The captured BPP, as the eUICC reads it.
    group::<BoundProfilePackage>(
        c,
        "bound_profile_package_vector",
        &common::vector("bpp/bpp.ber"),
    );
}

criterion_group!(benches, esipa);
criterion_main!(benches);
