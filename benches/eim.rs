//! criterion benchmarks of the reference eIM (issue 4), sans-IO through `Eim::handle_esipa`:
//! a GetEimPackage with nothing queued (the poll hot path: decode, shard lookup, encode) on an
//! eIM holding 100 000 devices; a GetEimPackage that builds and signs a queued PSMO package;
//! and a ProvideEimPackageResult (ePRAndNotifications) of a real simulated-eUICC result
//! (decode, euiccSignEPR verification with the cached CERT.EUICC key, checks, acks).
//! aws-lc backend. The two stateful benches use `BatchSize::PerIteration` (every routine
//! needs its own setup: a queued order, an outstanding package). `cargo test` runs this once
//! in criterion's test mode.
use std::hint::black_box;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rasn::types::FixedOctetString;
use sgp32_harness::asn1::rsp::Iccid;
use sgp32_harness::asn1::sgp32::*;
use sgp32_harness::crypto::Backend;
use sgp32_harness::eim::{Eim, EimConfig, EsipaAnswer, OrderState};
use sgp32_harness::euicc::{Euicc, Profile};
use sgp32_harness::pki::{Eid, Pki, euicc_eid};

fn poll_body(eid: &Eid) -> Vec<u8> {
    rasn::der::encode(&EsipaMessageFromIpaToEim::GetEimPackageRequest(Box::new(
        GetEimPackageRequest {
            eid_value: FixedOctetString::from(*eid.as_bcd()),
            ..Default::default()
        },
    )))
    .expect("encode")
}

fn enable() -> Vec<Psmo> {
    vec![Psmo::Enable(PsmoEnable {
        iccid: Iccid::from_digits("894400000000000001").expect("iccid"),
        rollback_flag: None,
        extensions: Default::default(),
    })]
}

fn benches(c: &mut Criterion) {
    let pki = Arc::new(Pki::generate(1, 0).expect("test PKI"));
    let eim = Eim::new(EimConfig::from_pki(&pki, Backend::AwsLc).expect("config"));
    eim.register_range(100_000, 1, 0).expect("range");

    let idle = poll_body(&euicc_eid(54_321).expect("eid"));
    assert!(matches!(eim.handle_esipa(&idle), EsipaAnswer::Message(_)));
    c.bench_function("eim/get_eim_package_nothing_queued", |b| {
        b.iter(|| black_box(eim.handle_esipa(black_box(&idle))))
    });

    let busy_eid = euicc_eid(7).expect("eid");
    let busy = poll_body(&busy_eid);
    eim.register_euicc(busy_eid, Some(1), 0, None)
        .expect("register");
    let busy_order = eim.order_psmos(busy_eid, enable()).expect("order");
    let EsipaAnswer::Message(signed) = eim.handle_esipa(&busy) else {
        panic!("no answer")
    };
    assert!(signed.len() > 100, "not a package: {signed:02x?}");
    let status = eim.order(busy_order).expect("order");
    assert_eq!(status.state, OrderState::Delivered, "{status:?}");
    c.bench_function("eim/get_eim_package_psmo_queued_sign", |b| {
        b.iter_batched(
            || {
                eim.register_euicc(busy_eid, Some(1), 0, None)
                    .expect("register");
                eim.order_psmos(busy_eid, enable()).expect("order");
            },
            |()| black_box(eim.handle_esipa(black_box(&busy))),
            BatchSize::PerIteration,
        )
    });

    // A real result: the simulated eUICC of device 100 executes the eIM's package.
    let mut euicc = Euicc::builder(pki.clone(), 100)
        .profile(Profile::new(
            Iccid::from_digits("894400000000000001").expect("iccid"),
        ))
        .profile(Profile::new(Iccid::from_digits("894400000000000002").expect("iccid")).enabled())
        .build()
        .expect("euicc");
    let config = eim.config().eim_configuration_data(Some(0), Some(-1));
    euicc
        .handle_es10(
            &rasn::der::encode(&AddInitialEimRequest {
                eim_configuration_data_list: vec![config],
                extensions: Default::default(),
            })
            .expect("encode"),
        )
        .expect("AddInitialEim");
    let eid = euicc.eid();
    let order = eim.order_psmos(eid, enable()).expect("order");
    let EsipaAnswer::Message(answer) = eim.handle_esipa(&poll_body(&eid)) else {
        panic!("no package")
    };
    let EsipaMessageFromEimToIpa::GetEimPackageResponse(response) =
        rasn::der::decode(&answer).expect("decode")
    else {
        panic!("not a package")
    };
    let GetEimPackageResponseChoice::EuiccPackageRequest(request) = response.0 else {
        panic!("not an eUICC package")
    };
    let result = euicc
        .handle_es10(&rasn::der::encode(&*request).expect("encode"))
        .expect("LoadEuiccPackage");
    let body = rasn::der::encode(&EsipaMessageFromIpaToEim::ProvideEimPackageResult(
        Box::new(ProvideEimPackageResult {
            eid_value: Some(FixedOctetString::from(*eid.as_bcd())),
            eim_package_result: EimPackageResult::EprAndNotifications(EprAndNotifications {
                euicc_package_result: rasn::der::decode(&result).expect("result"),
                notification_list: Vec::new(),
                extensions: Default::default(),
            }),
            extensions: Default::default(),
        }),
    ))
    .expect("encode");
    let mut outstanding = None;
    eim.store()
        .update_device(eid.as_bcd(), &mut |r| outstanding = r.outstanding.clone());
    let outstanding = outstanding.expect("outstanding package");
    // First result: also the certificate chain check; then cached.
    let first = eim.handle_esipa(&body);
    assert!(matches!(first, EsipaAnswer::Message(_)));
    let status = eim.order(order).expect("order");
    assert_eq!(status.state, OrderState::Done, "{status:?}");
    eim.store().update_device(eid.as_bcd(), &mut |r| {
        r.outstanding = Some(outstanding.clone())
    });
    eim.store()
        .update_order(order, &mut |o| o.state = OrderState::Delivered);
    let again = eim.handle_esipa(&body);
    let status = eim.order(order).expect("order");
    assert_eq!(status.state, OrderState::Done, "{status:?} {again:02x?}");
    assert_eq!(eim.devices(100, 1)[0].results_accepted, 2);
    c.bench_function("eim/provide_eim_package_result_verify", |b| {
        b.iter_batched(
            || {
                eim.store().update_device(eid.as_bcd(), &mut |r| {
                    r.outstanding = Some(outstanding.clone())
                });
            },
            |()| black_box(eim.handle_esipa(black_box(&body))),
            BatchSize::PerIteration,
        )
    });
}

criterion_group!(eim_benches, benches);
criterion_main!(eim_benches);
