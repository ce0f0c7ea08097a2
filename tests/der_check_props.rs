//! Property tests: the strict DER check and rasn DER decoding never panic, whatever the bytes
//! (random, truncated or garbled real messages), and the check agrees with rasn's DER encoder.

use proptest::prelude::*;
use rasn::prelude::*;
use sgp32_harness::asn1::Extensions;
use sgp32_harness::asn1::der_check::{DerFindingKind, check_der};

mod common;
use common::{VECTOR_FILES as VECTORS, all_vectors as vectors, garble};

/// Every finding points inside the input (or just past it, for an empty input).
fn offsets_in_range(bytes: &[u8]) {
    for finding in check_der(bytes) {
        assert!(
            finding.offset <= bytes.len(),
            "{finding} beyond {}",
            bytes.len()
        );
        assert!(!finding.message.is_empty());
    }
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 2000,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn check_der_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        offsets_in_range(&bytes);
    }

    #[test]
    fn check_der_never_panics_on_tlv_shaped_bytes(
        bytes in proptest::collection::vec(
            prop_oneof![
                Just(0x30u8), Just(0xa0), Just(0xbf), Just(0x80), Just(0x81), Just(0x82),
                Just(0x00), Just(0x03), Just(0x02), Just(0xff), any::<u8>()
            ],
            0..300,
        )
    ) {
        offsets_in_range(&bytes);
    }

    #[test]
    fn a_truncated_vector_is_malformed(index in 0..VECTORS.len(), cut in any::<prop::sample::Index>()) {
        let all = vectors();
        let full = &all[index];
        let len = cut.index(full.len());
        let found = check_der(&full[..len]);
        prop_assert!(
            found.iter().any(|f| f.kind == DerFindingKind::Malformed),
            "{} cut at {len}: {found:?}", VECTORS[index]
        );
        offsets_in_range(&full[..len]);
    }

    #[test]
    fn a_garbled_vector_never_panics(
        index in 0..VECTORS.len(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        offsets_in_range(&garble(&vectors()[index], &flips));
    }

    #[test]
    fn bytes_after_a_vector_are_trailing(index in 0..VECTORS.len(), extra in proptest::collection::vec(any::<u8>(), 1..16)) {
        let mut bytes = vectors()[index].clone();
        let end = bytes.len();
        bytes.extend(extra);
        let found = check_der(&bytes);
        prop_assert!(
            found.iter().any(|f| f.kind == DerFindingKind::TrailingBytes && f.offset == end),
            "{found:?}"
        );
    }
}

// ---- rasn decoding of arbitrary bytes ----------------------------------------------------------

#[derive(AsnType, Decode, Encode, Debug, Clone, Copy, PartialEq, Eq)]
#[rasn(enumerated)]
enum Kind {
    First = 0,
    Second = 1,
    Tenth = 10,
}

#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice, automatic_tags)]
enum Alternative {
    Number(i64),
    Bytes(OctetString),
    Pair(Pair),
    Nothing(()),
}

/// A tagged CHOICE (`X ::= [57] CHOICE {...}`), explicitly tagged as X.680 31.2.7 says.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(choice, tag(explicit(context, 57)), automatic_tags)]
enum TaggedChoice {
    Ok(Pair),
    Error(i64),
}

#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(automatic_tags)]
struct Pair {
    a: i64,
    b: Option<OctetString>,
    extensions: Extensions,
}

#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq)]
#[rasn(automatic_tags)]
struct Sample {
    id: Integer,
    name: Utf8String,
    data: Option<OctetString>,
    flags: BitString,
    items: SequenceOf<Pair>,
    kind: Kind,
    flag: bool,
    identifier: FixedOctetString<4>,
    alternative: Alternative,
    tagged: Option<TaggedChoice>,
    extensions: Extensions,
}

/// Decodes `bytes` as each sample type; an `Ok` value must re-encode without error.
fn decode_all(bytes: &[u8]) {
    fn one<T: Decode + Encode>(bytes: &[u8]) {
        if let Ok(value) = rasn::der::decode::<T>(bytes) {
            let _ = rasn::der::encode(&value);
        }
    }
    one::<bool>(bytes);
    one::<i64>(bytes);
    one::<Integer>(bytes);
    one::<()>(bytes);
    one::<OctetString>(bytes);
    one::<BitString>(bytes);
    one::<Utf8String>(bytes);
    one::<ObjectIdentifier>(bytes);
    one::<GeneralizedTime>(bytes);
    one::<UtcTime>(bytes);
    one::<Any>(bytes);
    one::<SequenceOf<i64>>(bytes);
    one::<Kind>(bytes);
    one::<Alternative>(bytes);
    one::<TaggedChoice>(bytes);
    one::<Pair>(bytes);
    one::<Sample>(bytes);
}

fn pair() -> impl Strategy<Value = Pair> {
    (
        any::<i64>(),
        proptest::option::of(proptest::collection::vec(any::<u8>(), 0..40)),
    )
        .prop_map(|(a, b)| Pair {
            a,
            b: b.map(OctetString::from),
            extensions: Extensions::default(),
        })
}

fn sample() -> impl Strategy<Value = Sample> {
    (
        (
            any::<i128>(),
            "[a-z$.é]{0,20}",
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..300)),
        ),
        (
            proptest::collection::vec(any::<bool>(), 0..20),
            proptest::collection::vec(pair(), 0..4),
        ),
        (0..3usize, any::<bool>(), any::<[u8; 4]>()),
        (0..4usize, any::<i64>(), pair()),
        proptest::option::of((any::<bool>(), pair())),
    )
        .prop_map(
            |((id, name, data), (flags, items), (kind, flag, identifier), (alt, n, p), tagged)| {
                Sample {
                    id: Integer::from(id),
                    name,
                    data: data.map(OctetString::from),
                    flags: flags.into_iter().collect(),
                    items,
                    kind: [Kind::First, Kind::Second, Kind::Tenth][kind],
                    flag,
                    identifier: FixedOctetString::new(identifier),
                    alternative: match alt {
                        0 => Alternative::Number(n),
                        1 => Alternative::Bytes(OctetString::from(n.to_be_bytes().to_vec())),
                        2 => Alternative::Pair(p.clone()),
                        _ => Alternative::Nothing(()),
                    },
                    tagged: tagged.map(|(ok, p)| {
                        if ok {
                            TaggedChoice::Ok(p)
                        } else {
                            TaggedChoice::Error(n)
                        }
                    }),
                    extensions: Extensions::default(),
                }
            },
        )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn rasn_decoding_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        decode_all(&bytes);
    }

    #[test]
    fn rasn_decoding_never_panics_on_garbled_or_truncated_encodings(
        value in sample(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = rasn::der::encode(&value).unwrap();
        for (at, v) in flips {
            let i = at.index(bytes.len());
            bytes[i] = v;
        }
        decode_all(&bytes);
        let len = cut.index(bytes.len());
        decode_all(&bytes[..len]);
        offsets_in_range(&bytes);
    }

    #[test]
    fn rasn_der_output_passes_the_check_and_round_trips(value in sample()) {
        let bytes = rasn::der::encode(&value).unwrap();
        let found = check_der(&bytes);
        prop_assert!(found.is_empty(), "{}: {found:?}", hex::encode(&bytes));
        let back: Sample = rasn::der::decode(&bytes).unwrap();
        prop_assert_eq!(back, value);
    }

    #[test]
    fn a_long_form_top_level_length_is_found(value in sample()) {
        // Rewrite the (short or long) top-level length of a DER encoding as 84 + 4 octets.
        let der = rasn::der::encode(&value).unwrap();
        let first = der[1];
        let skip = if first < 0x80 { 2 } else { 2 + usize::from(first & 0x7f) };
        let len = u32::try_from(der.len() - skip).unwrap();
        let mut bytes = vec![der[0], 0x84];
        bytes.extend(len.to_be_bytes());
        bytes.extend(&der[skip..]);
        let found = check_der(&bytes);
        prop_assert_eq!(found.len(), 1, "{:?}", found);
        prop_assert_eq!((found[0].offset, found[0].kind), (1, DerFindingKind::NonMinimalLength));
        // rasn's DER decoder accepts it: the reason the check exists.
        prop_assert_eq!(rasn::der::decode::<Sample>(&bytes).ok(), Some(value));
    }

    #[test]
    fn rasn_decoding_never_panics_on_garbled_vectors(
        index in 0..VECTORS.len(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
    ) {
        decode_all(&garble(&vectors()[index], &flips));
    }
}

#[test]
fn the_tagged_choice_is_tagged_once() {
    // [57] { [1] INTEGER 5 }: BF39 03 81 01 05 — the sample type really models a tagged CHOICE,
    // and the double-tagged form BF39 { BF39 {...} } is what the check flags.
    let bytes = rasn::der::encode(&TaggedChoice::Error(5)).unwrap();
    assert_eq!(hex::encode(&bytes), "bf3903810105");
    assert!(check_der(&bytes).is_empty());
    let doubled = hex::decode("bf3906bf3903810105").unwrap();
    let found = check_der(&doubled);
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].offset, found[0].kind),
        (3, DerFindingKind::DoubleTag)
    );
    assert!(rasn::der::decode::<TaggedChoice>(&doubled).is_err());
}

/// Known answers on rasn 0.30's DER decoder: what it lets through that the check reports (if a
/// rasn upgrade changes one, this fails and the note in the report should be updated).
#[test]
fn what_rasn_der_decoding_lets_through() {
    // (input, what, rasn::der::decode accepts it)
    let cases: Vec<(&str, &str, bool)> = vec![
        (
            "3081030201ff",
            "long-form length",
            decodes::<SequenceOf<i64>>("3081030201ff"),
        ),
        (
            "02020001",
            "INTEGER with a leading 00",
            decodes::<i64>("02020001"),
        ),
        (
            "03020681",
            "BIT STRING padding bits set",
            decodes::<BitString>("03020681"),
        ),
        ("010101", "BOOLEAN 01", decodes::<bool>("010101")),
        (
            "24040402abcd",
            "constructed OCTET STRING",
            decodes::<OctetString>("24040402abcd"),
        ),
        (
            "30800201010000",
            "indefinite length",
            decodes::<SequenceOf<i64>>("30800201010000"),
        ),
        ("050100", "NULL with content", decodes::<()>("050100")),
    ];
    let accepted: Vec<&str> = cases.iter().filter(|c| c.2).map(|c| c.1).collect();
    assert_eq!(
        accepted,
        [
            "long-form length",
            "INTEGER with a leading 00",
            "BIT STRING padding bits set"
        ]
    );
    for (input, what, _) in &cases {
        assert!(
            !check_der(&hex::decode(input).unwrap()).is_empty(),
            "{what}"
        );
    }
}

fn decodes<T: Decode>(input: &str) -> bool {
    rasn::der::decode::<T>(&hex::decode(input).unwrap()).is_ok()
}
