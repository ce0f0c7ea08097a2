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
//!
//! `asn1/euicc_package_request_breakdown` shows where rasn's time goes on the
//! GetEimPackageResponse (the target is rasn within 5x of the TLV walk): the same bytes decoded
//! level by level (the whole message, the EuiccPackageRequest 'BF51', the EuiccPackageSigned
//! '30'), and a hand-written zero-copy view of the same fields (tags checked, UTF-8, INTEGER
//! and fixed sizes validated, nothing allocated): what a borrowing decoder would cost. The
//! heap allocations of each rasn decode are counted once (a counting allocator, off while
//! measuring) and printed.
//!
//! `cargo test` runs this once in criterion's test mode.
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rasn::{Decode, Encode};
use sgp32_harness::asn1::rsp::BoundProfilePackage;
use sgp32_harness::asn1::sgp32::{
    EsipaMessageFromEimToIpa, EsipaMessageFromIpaToEim, EuiccPackageRequest, EuiccPackageSigned,
};
use sgp32_harness::asn1::tlv::{self, Tlv};
use sgp32_harness::crypto::Backend;
use sgp32_harness::ipa::IpaOutcome;

mod common;

/// The system allocator, counting allocations while [`COUNTING`] is on (a relaxed load per
/// allocation otherwise: nothing measurable).
struct CountingAlloc;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
static ALLOC_BYTES: AtomicUsize = AtomicUsize::new(0);

fn count(layout: Layout) {
    if COUNTING.load(Ordering::Relaxed) {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        ALLOC_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to `System`.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout);
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout);
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(layout);
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Heap allocations (count, bytes) made by `f`.
fn allocations<R>(f: impl FnOnce() -> R) -> (usize, usize) {
    ALLOCS.store(0, Ordering::Relaxed);
    ALLOC_BYTES.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    let r = f();
    COUNTING.store(false, Ordering::Relaxed);
    drop(black_box(r));
    (
        ALLOCS.load(Ordering::Relaxed),
        ALLOC_BYTES.load(Ordering::Relaxed),
    )
}

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
    let (n, bytes) = allocations(|| rasn::der::decode::<T>(der));
    println!(
        "asn1/{name}: {} bytes, {} TLVs; rasn decode makes {n} heap allocations ({bytes} bytes)",
        der.len(),
        tlv_walk(der)
    );
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

/// The fields of a GetEimPackageResponse carrying an EuiccPackageRequest, borrowed from the
/// message (SGP.32 6.3.2.6 / 2.11.1.1): what the IPA and eUICC need, without allocating.
#[derive(Debug, PartialEq, Eq)]
struct PackageView<'a> {
    /// DER of EuiccPackageSigned as received (the signed data).
    signed: &'a [u8],
    eim_id: &'a str,
    eid: &'a [u8; 16],
    counter: i64,
    transaction_id: Option<&'a [u8]>,
    /// The euiccPackage CHOICE TLV ('A0' psmoList, 'A1' ecoList).
    package: Tlv<'a>,
    signature: &'a [u8],
}

fn next<'a>(rest: &mut &'a [u8], tag: &[u8]) -> Option<Tlv<'a>> {
    let t = tlv::split(rest).ok()?;
    if t.tag != tag {
        return None;
    }
    *rest = rest.get(t.whole.len()..)?;
    Some(t)
}

fn optional<'a>(rest: &mut &'a [u8], tag: &[u8]) -> Option<Tlv<'a>> {
    if rest.starts_with(tag) {
        next(rest, tag)
    } else {
        None
    }
}

/// A DER INTEGER that fits in i64 (minimal, 1..=8 octets).
fn integer(content: &[u8]) -> Option<i64> {
    let (&first, tail) = content.split_first()?;
    if content.len() > 8
        || (tail
            .first()
            .is_some_and(|&b| (first == 0 && b < 0x80) || (first == 0xff && b >= 0x80)))
    {
        return None;
    }
    let init = if first & 0x80 != 0 { -1i64 } else { 0 };
    Some(content.iter().fold(init, |v, &b| (v << 8) | i64::from(b)))
}

/// The zero-copy view of `der` (a whole EsipaMessageFromEimToIpa), None if it is not a
/// GetEimPackageResponse with an EuiccPackageRequest or breaks the schema.
fn package_view(der: &[u8]) -> Option<PackageView<'_>> {
    let mut all = der;
    let message = next(&mut all, &[0xBF, 0x4F])?;
    if !all.is_empty() {
        return None;
    }
    let mut inner = message.content;
    let request = next(&mut inner, &[0xBF, 0x51])?;
    let mut fields = request.content;
    let signed = next(&mut fields, &[0x30])?;
    let signature = next(&mut fields, &[0x5F, 0x37])?.content;
    let mut s = signed.content;
    let eim_id = std::str::from_utf8(next(&mut s, &[0x80])?.content).ok()?;
    let eid = next(&mut s, &[0x5A])?.content.try_into().ok()?;
    let counter = integer(next(&mut s, &[0x81])?.content)?;
    let transaction_id = optional(&mut s, &[0x82]).map(|t| t.content);
    let package = tlv::split(s).ok()?;
    if !matches!(package.tag, [0xA0] | [0xA1]) {
        return None;
    }
    Some(PackageView {
        signed: signed.whole,
        eim_id,
        eid,
        counter,
        transaction_id,
        package,
        signature,
    })
}

/// Where rasn's time goes on the GetEimPackageResponse: the levels of the message, and the
/// zero-copy view of the same fields.
fn breakdown(c: &mut Criterion, der: &[u8]) {
    let view = package_view(der).expect("view");
    let EsipaMessageFromEimToIpa::GetEimPackageResponse(response) =
        rasn::der::decode(der).expect("decode")
    else {
        panic!("not a GetEimPackageResponse")
    };
    let sgp32_harness::asn1::sgp32::GetEimPackageResponseChoice::EuiccPackageRequest(request) =
        response.0
    else {
        panic!("not an EuiccPackageRequest")
    };
    // The view agrees with rasn.
    let signed = &request.euicc_package_signed;
    assert_eq!(view.eim_id, signed.eim_id);
    assert_eq!(view.eid, &*signed.eid_value);
    assert_eq!(view.counter, signed.counter_value);
    assert_eq!(
        view.transaction_id,
        signed.eim_transaction_id.as_ref().map(|t| &t[..])
    );
    assert_eq!(view.signature, &request.eim_signature[..]);
    assert_eq!(view.signed, &signed.to_der().expect("encode")[..]);
    assert_eq!(
        view.package.whole,
        &rasn::der::encode(&signed.euicc_package).expect("encode")[..]
    );
    // And refuses what isn't one.
    assert!(package_view(&der[..der.len() - 1]).is_none());
    assert!(package_view(&common::vector("esipa-live/getEimPackageRequest_resp.der")).is_none());

    let request_tlv = tlv::split(tlv::split(der).expect("BF4F").content).expect("BF51");
    let signed_tlv = tlv::split(request_tlv.content).expect("30");
    for (what, bytes) in [
        ("EuiccPackageRequest", request_tlv.whole),
        ("EuiccPackageSigned", signed_tlv.whole),
    ] {
        let (n, b) = if what == "EuiccPackageRequest" {
            allocations(|| rasn::der::decode::<EuiccPackageRequest>(bytes))
        } else {
            allocations(|| rasn::der::decode::<EuiccPackageSigned>(bytes))
        };
        println!(
            "asn1/euicc_package_request_breakdown: {what} alone: {} bytes, rasn decode makes {n} heap allocations ({b} bytes)",
            bytes.len()
        );
    }

    let mut g = c.benchmark_group("asn1/euicc_package_request_breakdown");
    g.throughput(Throughput::ElementsAndBytes {
        elements: 1,
        bytes: der.len() as u64,
    });
    g.bench_function("rasn_decode_message", |b| {
        b.iter(|| rasn::der::decode::<EsipaMessageFromEimToIpa>(black_box(der)).expect("decode"))
    });
    g.bench_function("rasn_decode_euicc_package_request", |b| {
        b.iter(|| {
            rasn::der::decode::<EuiccPackageRequest>(black_box(request_tlv.whole)).expect("decode")
        })
    });
    g.bench_function("rasn_decode_euicc_package_signed", |b| {
        b.iter(|| {
            rasn::der::decode::<EuiccPackageSigned>(black_box(signed_tlv.whole)).expect("decode")
        })
    });
    g.bench_function("zero_copy_view", |b| {
        b.iter(|| package_view(black_box(der)).expect("view"))
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
    let psmo_response = common::vector("esipa-live/getEimPackage_psmo_enable_resp.der");
    group::<EsipaMessageFromEimToIpa>(c, "get_eim_package_response_psmo", &psmo_response);
    breakdown(c, &psmo_response);

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
    println!(
        "asn1/provide_eim_package_result: ePRAndNotifications with {notifications} notifications"
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
