//! Truncated, garbled and random inputs to the decoder behind `sgp32 decode` never panic, and
//! whatever decodes re-encodes to DER that decodes to the same value.

use proptest::prelude::*;
use sgp32_harness::cli::decode::decode;

mod common;
use common::{all_vectors as vectors, garble};

fn stable(bytes: &[u8]) {
    if let Ok(m) = decode(bytes, None) {
        let again = decode(&m.reencoded, Some(m.type_name)).expect("re-encoding decodes");
        assert_eq!(again.reencoded, m.reencoded);
        assert_eq!(again.json, m.json);
    }
}

#[test]
fn every_truncation_of_every_vector_is_handled() {
    for v in vectors() {
        for len in 0..v.len() {
            stable(&v[..len]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        stable(&bytes);
    }

    #[test]
    fn garbled_vectors_never_panic(
        which in 0usize..16,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let all = vectors();
        stable(&garble(&all[which % all.len()], &edits));
    }

    #[test]
    fn tagged_random_bodies_never_panic(
        tag in prop::sample::select(vec![0x4fu8, 0x50, 0x51, 0x39, 0x3b, 0x3a, 0x3d, 0x41, 0x22, 0x2d, 0x57, 0x36]),
        body in proptest::collection::vec(any::<u8>(), 0..120),
    ) {
        let mut v = vec![0xbf, tag];
        v.push(body.len() as u8);
        v.extend(body);
        stable(&v);
    }
}
