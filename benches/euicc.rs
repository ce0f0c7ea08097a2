//! criterion benchmarks of the fleet eUICC (issue 3): materialising a device from its compact
//! form, folding it back, and a whole ES10 LoadEuiccPackage of one enable PSMO (verify the eIM
//! signature, execute, sign the result) on a materialised device. The eUICC signs with the
//! default backend (aws-lc). `cargo test` runs this once in criterion's test mode.
use std::hint::black_box;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use sgp32_harness::asn1::rsp::Iccid;
use sgp32_harness::asn1::sgp32::{EuiccPackage, Psmo, PsmoEnable};
use sgp32_harness::crypto::Backend;
use sgp32_harness::euicc::testing::TestEim;
use sgp32_harness::euicc::{FleetTemplate, Profile, Settings};
use sgp32_harness::pki::Pki;

fn fleet() -> (FleetTemplate, TestEim) {
    let pki = Arc::new(Pki::generate(1, 0).expect("test PKI"));
    let mut eim = TestEim::from_pki(&pki, 0, "bench-eim", Backend::AwsLc);
    let config = eim.config(0, Some(-1));
    eim.association_token = Some(1);
    let slot = || Profile::new(Iccid::default());
    let template = FleetTemplate::new(
        pki,
        "8988",
        vec![slot().enabled(), slot(), slot().fallback()],
        vec![config],
        Settings::default(),
    )
    .expect("template");
    (template, eim)
}

fn compact(c: &mut Criterion) {
    let (template, mut eim) = fleet();
    let device = template.provisioned(123_456);
    println!(
        "size_of::<CompactEuicc>() = {} bytes",
        std::mem::size_of_val(&device)
    );

    c.bench_function("euicc_materialise", |b| {
        b.iter(|| {
            template
                .materialise(black_box(&device))
                .expect("materialise")
        })
    });

    let euicc = template.materialise(&device).expect("materialise");
    c.bench_function("euicc_to_compact", |b| {
        b.iter(|| black_box(&euicc).to_compact(&template).expect("fold"))
    });

    let package = EuiccPackage::PsmoList(vec![Psmo::Enable(PsmoEnable {
        iccid: template.iccid(123_456, 1),
        rollback_flag: None,
        extensions: Default::default(),
    })]);
    let request = eim.package(&euicc.eid(), package, Some(&[1, 2, 3, 4]));
    c.bench_function("euicc_load_package_enable", |b| {
        b.iter_batched(
            || template.materialise(&device).expect("materialise"),
            |mut euicc| euicc.handle_es10(black_box(&request)).expect("answer"),
            BatchSize::SmallInput,
        )
    });
    c.bench_function("euicc_materialise_load_fold", |b| {
        b.iter(|| {
            let mut euicc = template.materialise(&device).expect("materialise");
            let answer = euicc.handle_es10(black_box(&request)).expect("answer");
            (answer, euicc.to_compact(&template).expect("fold"))
        })
    });
}

criterion_group!(benches, compact);
criterion_main!(benches);
