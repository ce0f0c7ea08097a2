//! criterion benchmarks of the CPU cost of one whole poll, in memory, no sockets: the sans-IO
//! IPA, the simulated eUICC (`Euicc::handle_es10`) and the reference eIM (`Eim::handle_esipa`)
//! exchanging the real DER messages (`common::poll`), on each crypto backend.
//! - `nothing_queued`: GetEimPackageRequest -> noEimPackageAvailable.
//! - `psmo_enable`: an enable PSMO queued at the eIM: GetEimPackage (the eIM signs the package),
//!   LoadEuiccPackage (the eUICC verifies it, enables, signs the result), the result and the
//!   profile notifications retrieved, ProvideEimPackageResult (the eIM verifies the eUICC's
//!   signature with the cached CERT.EUICC key, acknowledges), RemoveNotificationFromList. Each
//!   iteration enables the profile the previous one left disabled; queueing the order at the
//!   eIM is outside the measured time (`iter_custom`).
//!
//! `cargo test` runs this once in criterion's test mode.
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use sgp32_harness::crypto::Backend;
use sgp32_harness::ipa::IpaOutcome;

mod common;

fn polls(c: &mut Criterion) {
    let mut g = c.benchmark_group("poll_cycle/nothing_queued");
    for backend in Backend::ALL {
        let mut world = common::World::new(5, backend);
        assert_eq!(world.poll(None), IpaOutcome::NothingToDo);
        g.bench_function(BenchmarkId::from_parameter(backend), |b| {
            b.iter(|| black_box(world.poll(None)))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("poll_cycle/psmo_enable");
    for backend in Backend::ALL {
        let mut world = common::World::new(5, backend);
        let eid = world.euicc.eid();
        let mut next = [common::ICCID_B, common::ICCID_A].into_iter().cycle();
        let mut one = |world: &mut common::World| -> Duration {
            world
                .eim
                .order_psmos(eid, common::enable(next.next().expect("cycle")))
                .expect("order");
            let start = Instant::now();
            let outcome = world.poll(None);
            let spent = start.elapsed();
            assert!(
                matches!(
                    &outcome,
                    IpaOutcome::PackageExecuted { acknowledged, removed, .. }
                        if !acknowledged.is_empty() && removed.len() == acknowledged.len()
                ),
                "{outcome:?}"
            );
            spent
        };
        // The first result also checks the certificate chain (then cached): outside.
        one(&mut world);
        g.bench_function(BenchmarkId::from_parameter(backend), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| one(&mut world)).sum())
        });
    }
    g.finish();
}

criterion_group!(benches, polls);
criterion_main!(benches);
