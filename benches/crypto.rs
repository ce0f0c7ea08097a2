//! criterion benchmarks of the crypto hot paths (filled in by the crypto work).
use criterion::{Criterion, criterion_group, criterion_main};

fn sha256(c: &mut Criterion) {
    let data = vec![0x5au8; 1024];
    c.bench_function("sha256_1k", |b| {
        b.iter(|| {
            use sha2::Digest;
            sha2::Sha256::digest(std::hint::black_box(&data))
        })
    });
}

criterion_group!(benches, sha256);
criterion_main!(benches);
