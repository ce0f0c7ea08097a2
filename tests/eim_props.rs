//! Random bodies never make the reference eIM panic: random bytes, random content under the
//! ESipa request tags, and mutated or truncated copies of the captured GetEimPackageRequest
//! (a body shorter than a TLV header is always `Undecodable`).

use proptest::prelude::*;
use sgp32_harness::crypto::Backend;
use sgp32_harness::eim::{Eim, EimFaults, EsipaAnswer};
use std::sync::OnceLock;

fn eim() -> &'static Eim {
    static EIM: OnceLock<Eim> = OnceLock::new();
    EIM.get_or_init(|| {
        let eim = Eim::from_seed(7, Backend::AwsLc, EimFaults::NONE).unwrap();
        let eid = sgp32_harness::pki::Eid::from_digits("89049032123451234512345678901235").unwrap();
        eim.register_euicc(eid, Some(1), 0, None).unwrap();
        eim.order_psmos(
            eid,
            vec![sgp32_harness::asn1::sgp32::Psmo::GetRat(Default::default())],
        )
        .unwrap();
        eim
    })
}

const VECTOR: &[u8] = &[
    0xbf, 0x4f, 0x12, 0x5a, 0x10, 0x89, 0x04, 0x90, 0x32, 0x12, 0x34, 0x51, 0x23, 0x45, 0x12, 0x34,
    0x56, 0x78, 0x90, 0x12, 0x35,
];

fn tlv(tag: &[u8], content: &[u8]) -> Vec<u8> {
    let mut out = tag.to_vec();
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        out.extend([0x82, (len >> 8) as u8, len as u8]);
    }
    out.extend_from_slice(content);
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_bytes_never_panic(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = eim().handle_esipa(&body);
    }

    #[test]
    fn random_content_under_request_tags_never_panics(
        tag in prop::sample::select(vec![
            vec![0xbf, 0x4f], vec![0xbf, 0x50], vec![0xbf, 0x3d], vec![0xbf, 0x39],
            vec![0xbf, 0x3b], vec![0xbf, 0x3a], vec![0xbf, 0x41], vec![0xbf, 0x4e],
        ]),
        content in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let _ = eim().handle_esipa(&tlv(&tag, &content));
    }

    #[test]
    fn mutated_poll_never_panics(at in 0usize..21, value in any::<u8>(), cut in 0usize..22) {
        let mut body = VECTOR.to_vec();
        body[at] = value;
        body.truncate(cut.max(1));
        let answer = eim().handle_esipa(&body);
        if body.len() < 3 {
            prop_assert!(matches!(answer, EsipaAnswer::Undecodable(_)));
        }
    }
}
