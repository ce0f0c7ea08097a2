//! The ISD-R APDU front end against mock ES10 handlers: the onomondo-ipa start-up sequence,
//! STORE DATA chaining, GET RESPONSE chunking, every error status word, logical channel
//! interleaving, the IPA-side client, and random APDUs that never panic.

use proptest::prelude::*;
use sgp32_harness::asn1::Extensions;
use sgp32_harness::asn1::rsp::named_bits;
use sgp32_harness::asn1::sgp32::{IsdrProprietaryApplicationTemplateIot, euicc_configuration};
use sgp32_harness::euicc::apdu::{
    ApduClient, ApduClientError, Es10Handler, FrontEndConfig, ISDR_AID, IsdrApduFrontEnd,
    ResponseDelivery, find_tlv, store_data_apdus,
};

const EID: &str = "89049032123451234512345678901235";

#[derive(Debug, thiserror::Error)]
#[error("mock refusal")]
struct Refused;

/// Answers `prefix || request`; GetEID (`BF3E035C015A`) with the EID; records the requests.
#[derive(Debug, Default)]
struct Echo {
    prefix: Vec<u8>,
    requests: Vec<Vec<u8>>,
}

impl Es10Handler for Echo {
    type Error = Refused;
    fn handle_es10(&mut self, request: &[u8]) -> Result<Vec<u8>, Refused> {
        self.requests.push(request.to_vec());
        if request == hex::decode("BF3E035C015A").unwrap() {
            return Ok(hex::decode(format!("BF3E125A10{EID}")).unwrap());
        }
        Ok([self.prefix.as_slice(), request].concat())
    }
}

/// Refuses everything.
#[derive(Debug, Default)]
struct Failing;

impl Es10Handler for Failing {
    type Error = Refused;
    fn handle_es10(&mut self, _: &[u8]) -> Result<Vec<u8>, Refused> {
        Err(Refused)
    }
}

/// Answers 600 bytes `i mod 251`, whatever the request; an SGP.22-style ISD-R without `E1`.
#[derive(Debug, Default)]
struct Big;

fn big_response() -> Vec<u8> {
    (0..600u32).map(|i| (i % 251) as u8).collect()
}

impl Es10Handler for Big {
    type Error = Refused;
    fn handle_es10(&mut self, _: &[u8]) -> Result<Vec<u8>, Refused> {
        Ok(big_response())
    }
    fn isdr_proprietary_template(&self) -> Option<IsdrProprietaryApplicationTemplateIot> {
        None
    }
}

/// An IoT eUICC with an enabled profile.
#[derive(Debug, Default)]
struct Enabled;

impl Es10Handler for Enabled {
    type Error = Refused;
    fn handle_es10(&mut self, _: &[u8]) -> Result<Vec<u8>, Refused> {
        Ok(Vec::new())
    }
    fn isdr_proprietary_template(&self) -> Option<IsdrProprietaryApplicationTemplateIot> {
        Some(IsdrProprietaryApplicationTemplateIot {
            euicc_configuration: named_bits(&[euicc_configuration::ENABLED_PROFILE]),
            extensions: Extensions::default(),
        })
    }
}

fn echo(prefix: &str) -> IsdrApduFrontEnd<Echo> {
    IsdrApduFrontEnd::new(Echo {
        prefix: hex::decode(prefix).unwrap(),
        requests: Vec::new(),
    })
}

/// Sends a hex APDU, returns the hex response.
fn tx<H: Es10Handler>(fe: &mut IsdrApduFrontEnd<H>, apdu: &str) -> String {
    hex::encode_upper(fe.transmit(&hex::decode(apdu.replace(' ', "")).unwrap()))
}

fn select(channel_cla: &str) -> String {
    format!("{channel_cla}A4040410{}", hex::encode_upper(ISDR_AID))
}

const FCI: &str = "6F1D8410A0000005591010FFFFFFFF8900000100A5049F6501FFE103800100";

#[test]
fn onomondo_ipa_start_up_sequence() {
    let mut fe = echo("");
    assert_eq!(tx(&mut fe, "80AA000005A903830107"), "9000");
    assert_eq!(fe.terminal_capability_tlv(0x83), Some(&[0x07][..]));
    assert_eq!(tx(&mut fe, "00 70 00 00 01"), "019000");
    assert_eq!(tx(&mut fe, &select("01")), "611F");
    assert_eq!(tx(&mut fe, "01C000001F"), format!("{FCI}9000"));
    assert_eq!(tx(&mut fe, "81 E2 91 00 06 BF3E035C015A"), "6115");
    assert_eq!(tx(&mut fe, "01C0000015"), format!("BF3E125A10{EID}9000"));
    assert_eq!(
        fe.handler().requests,
        vec![hex::decode("BF3E035C015A").unwrap()]
    );
    // GetEimConfigurationData and RetrieveNotificationsList follow the same path.
    assert_eq!(tx(&mut fe, "81E2910003BF5500"), "6103");
    assert_eq!(tx(&mut fe, "01C0000003"), "BF55009000");
    assert_eq!(tx(&mut fe, "81E2910003BF2B00"), "6103");
    assert_eq!(tx(&mut fe, "01C0000003"), "BF2B009000");
    // The real onomondo-ipa opens a fixed channel number in the T=0 form `00 70 00 ch 00`.
    assert_eq!(tx(&mut fe, "0070000200"), "9000");
    assert_eq!(tx(&mut fe, "0070800200"), "9000");
    assert_eq!(tx(&mut fe, "0070800100"), "9000");
    assert!(!fe.is_channel_open(1));
}

#[test]
fn fci_template_follows_the_handler() {
    let mut fe = IsdrApduFrontEnd::new(Enabled);
    assert_eq!(tx(&mut fe, &select("00")), "6120");
    let fci = fe.transmit(&hex::decode("00C0000020").unwrap());
    let body = find_tlv(&fci, 0x6F).unwrap();
    assert_eq!(find_tlv(body, 0x84), Some(&ISDR_AID[..]));
    assert_eq!(
        hex::encode_upper(find_tlv(body, 0xE1).unwrap()),
        "80020640",
        "enabledProfile(1)"
    );
    let mut fe = IsdrApduFrontEnd::new(Big);
    assert_eq!(tx(&mut fe, &select("00")), "611A");
    let fci = fe.transmit(&hex::decode("00C000001A").unwrap());
    assert_eq!(find_tlv(find_tlv(&fci, 0x6F).unwrap(), 0xE1), None);
}

#[test]
fn a_700_byte_request_chained_over_3_blocks() {
    let mut fe = echo("A0");
    assert_eq!(tx(&mut fe, &select("00")), "611F");
    let request: Vec<u8> = (0..700u32).map(|i| (i * 7) as u8).collect();
    let blocks = store_data_apdus(0, &request, 255);
    assert_eq!(blocks.len(), 3);
    let answers: Vec<String> = blocks
        .iter()
        .map(|b| hex::encode_upper(fe.transmit(b)))
        .collect();
    // 701 bytes of response: 6100 (256 or more).
    assert_eq!(answers, ["9000", "9000", "6100"]);
    assert_eq!(fe.handler().requests, vec![request.clone()]);
    let mut got = Vec::new();
    loop {
        let r = fe.transmit(&[0x00, 0xC0, 0x00, 0x00, 0x00]);
        let (data, sw) = r.split_at(r.len() - 2);
        got.extend_from_slice(data);
        if sw == [0x90, 0x00] {
            break;
        }
        assert_eq!(sw[0], 0x61);
    }
    assert_eq!(got, [&[0xA0][..], &request].concat());
}

#[test]
fn a_600_byte_response_over_several_get_responses() {
    let mut fe = IsdrApduFrontEnd::new(Big);
    let big = big_response();
    assert_eq!(tx(&mut fe, &select("00")), "611A");
    assert_eq!(tx(&mut fe, "80E2910002BF2D"), "6100");
    // Le 00 = 256; 344 left -> 6100.
    let r = fe.transmit(&[0x00, 0xC0, 0x00, 0x00, 0x00]);
    assert_eq!((&r[..256], &r[256..]), (&big[..256], &[0x61, 0x00][..]));
    // Le smaller than available: 16 bytes, 72 + 256 = 328 left -> still 6100.
    let r = fe.transmit(&[0x00, 0xC0, 0x00, 0x00, 0x10]);
    assert_eq!((&r[..16], &r[16..]), (&big[256..272], &[0x61, 0x00][..]));
    let r = fe.transmit(&[0x00, 0xC0, 0x00, 0x00, 0x48]);
    assert_eq!((&r[..72], &r[72..]), (&big[272..344], &[0x61, 0x00][..]));
    // 256 left: Le FF leaves one.
    let r = fe.transmit(&[0x00, 0xC0, 0x00, 0x00, 0xFF]);
    assert_eq!((&r[..255], &r[255..]), (&big[344..599], &[0x61, 0x01][..]));
    // Le larger than what is left: what is left, 9000.
    assert_eq!(tx(&mut fe, "00C0000000"), format!("{:02X}9000", big[599]));
    assert_eq!(tx(&mut fe, "00C0000000"), "6985");
}

#[test]
fn malformed_apdus_are_6700() {
    let mut fe = echo("");
    for apdu in [
        "",
        "00",
        "00A404",
        "00A4040410A000",   // Lc 16, 2 bytes
        "00A4040401A0A0A0", // Lc 1, 3 bytes
        "00A40404000010A0", // extended length
        "00A40404",         // SELECT without AID
        "80AA0000",         // TERMINAL CAPABILITY without data
        "00C00000",         // GET RESPONSE without Le
        "00C0000001AA",     // GET RESPONSE with data
        "00700000020101",   // MANAGE CHANNEL with data
    ] {
        assert_eq!(tx(&mut fe, apdu), "6700", "{apdu}");
    }
    assert_eq!(tx(&mut fe, &select("00")), "611F");
    assert_eq!(tx(&mut fe, "80E29100"), "6700", "STORE DATA without data");
    assert_eq!(tx(&mut fe, "80E2910000"), "6700", "STORE DATA with Le only");
}

#[test]
fn store_data_sequence_errors_discard_the_chain() {
    let mut fe = echo("");
    assert_eq!(tx(&mut fe, "80E2910002AABB"), "6985", "before SELECT");
    assert_eq!(tx(&mut fe, &select("00")), "611F");
    // Wrong block number: 6A86, and the chain is gone.
    assert_eq!(tx(&mut fe, "80E2110001AA"), "9000");
    assert_eq!(tx(&mut fe, "80E2110201BB"), "6A86");
    assert_eq!(
        tx(&mut fe, "80E2910101BB"),
        "6A86",
        "the old chain is discarded"
    );
    // Wrong P1: 6A86, chain discarded.
    assert_eq!(tx(&mut fe, "80E2110001AA"), "9000");
    assert_eq!(tx(&mut fe, "80E2010101BB"), "6A86");
    assert_eq!(tx(&mut fe, "80E2910101BB"), "6A86");
    // Restarting at block 0 in the middle of a chain is out of sequence too.
    assert_eq!(tx(&mut fe, "80E2110001AA"), "9000");
    assert_eq!(tx(&mut fe, "80E2110001AA"), "6A86");
    // A clean chain still works afterwards and the handler saw only it.
    assert_eq!(tx(&mut fe, "80E2110001CC"), "9000");
    assert_eq!(tx(&mut fe, "80E2910101DD"), "6102");
    assert_eq!(tx(&mut fe, "00C0000002"), "CCDD9000");
    assert_eq!(fe.handler().requests, vec![vec![0xCC, 0xDD]]);
}

#[test]
fn every_other_error_status_word() {
    let mut fe = IsdrApduFrontEnd::new(Failing);
    assert_eq!(
        tx(&mut fe, "00A4040410A0000005591010FFFFFFFF89000001FF"),
        "6A82"
    );
    assert!(!fe.is_isdr_selected(0), "a failed SELECT selects nothing");
    assert_eq!(tx(&mut fe, "00A4000402 3F00"), "6A86", "SELECT by file id");
    assert_eq!(
        tx(&mut fe, &select("00").replacen("A4040410", "A4040210", 1)),
        "6A86"
    );
    assert_eq!(tx(&mut fe, &select("00")), "611F");
    assert_eq!(tx(&mut fe, "80E2910003BF2000"), "6A80", "handler error");
    assert_eq!(tx(&mut fe, "00C0000000"), "6985", "nothing pending");
    assert_eq!(tx(&mut fe, "00C0010000"), "6A86");
    assert_eq!(tx(&mut fe, "00B0000000"), "6D00", "READ BINARY");
    assert_eq!(tx(&mut fe, "80CA9F7F00"), "6D00", "GET DATA");
    for cla in ["04", "10", "20", "84", "90", "A0", "E0", "FF"] {
        assert_eq!(tx(&mut fe, &format!("{cla}C0000000")), "6E00", "CLA {cla}");
    }
    assert_eq!(
        tx(&mut fe, "00E2910003BF2000"),
        "6E00",
        "STORE DATA in ISO class"
    );
    assert_eq!(
        tx(&mut fe, &select("80")),
        "6E00",
        "SELECT in proprietary class"
    );
    assert_eq!(tx(&mut fe, "01C0000000"), "6881", "channel 1 is not open");
    assert_eq!(
        tx(&mut fe, "C5E2910003BF2000"),
        "6881",
        "channel 9 is not open"
    );
    let config = FrontEndConfig {
        logical_channels: 2,
        ..FrontEndConfig::default()
    };
    let mut fe = IsdrApduFrontEnd::with_config(Failing, config);
    assert_eq!(tx(&mut fe, "0070000001"), "019000");
    assert_eq!(tx(&mut fe, "0070000001"), "6A81", "no channel left");
    assert_eq!(
        tx(&mut fe, "0070000300"),
        "6881",
        "beyond the configured channels"
    );
    assert_eq!(tx(&mut fe, "0070800000"), "6A86", "the basic channel stays");
}

#[test]
fn two_channels_interleave_independently() {
    let mut fe = echo("");
    assert_eq!(tx(&mut fe, "0070000001"), "019000");
    assert_eq!(tx(&mut fe, "0070000001"), "029000");
    assert_eq!(tx(&mut fe, &select("01")), "611F");
    assert_eq!(
        tx(&mut fe, "82E2910001EE"),
        "6985",
        "channel 2 selected nothing yet"
    );
    assert_eq!(tx(&mut fe, &select("02")), "611F");
    // Channel 1's FCI is still pending after a command on channel 2.
    assert_eq!(tx(&mut fe, "01C000001F"), format!("{FCI}9000"));
    assert_eq!(tx(&mut fe, "81E2110002A1A2"), "9000");
    assert_eq!(tx(&mut fe, "82E2110002B1B2"), "9000");
    assert_eq!(tx(&mut fe, "81E2910102A3A4"), "6104");
    assert_eq!(tx(&mut fe, "82E2110102B3B4"), "9000");
    assert_eq!(tx(&mut fe, "01C0000002"), "A1A26102");
    assert_eq!(tx(&mut fe, "82E2910202B5B6"), "6106");
    assert_eq!(tx(&mut fe, "02C0000003"), "B1B2B36103");
    assert_eq!(tx(&mut fe, "01C0000002"), "A3A49000");
    assert_eq!(tx(&mut fe, "02C0000003"), "B4B5B69000");
    assert_eq!(
        fe.handler().requests,
        vec![
            hex::decode("A1A2A3A4").unwrap(),
            hex::decode("B1B2B3B4B5B6").unwrap()
        ]
    );
    // Another command on the same channel drops its pending response.
    assert_eq!(tx(&mut fe, "81E2910001C1"), "6101");
    assert_eq!(
        tx(&mut fe, "80AA000005A903840101"),
        "9000",
        "on channel 0: no effect"
    );
    assert_eq!(tx(&mut fe, "81AA000005A903840101"), "9000");
    assert_eq!(tx(&mut fe, "01C0000001"), "6985");
    // Closing channel 1 leaves channel 2 as it was.
    assert_eq!(tx(&mut fe, "0070800100"), "9000");
    assert_eq!(tx(&mut fe, "81E2910001C1"), "6881");
    assert_eq!(tx(&mut fe, "82E2910001C2"), "6101");
    assert_eq!(tx(&mut fe, "02C0000001"), "C29000");
}

#[test]
fn apdu_client_round_trip_through_the_front_end() {
    for delivery in [ResponseDelivery::GetResponse, ResponseDelivery::Direct] {
        let config = FrontEndConfig {
            response_delivery: delivery,
            ..FrontEndConfig::default()
        };
        let mut fe = IsdrApduFrontEnd::with_config(
            Echo {
                prefix: vec![0x5A; 300],
                requests: Vec::new(),
            },
            config,
        );
        let mut log = Vec::new();
        {
            let mut client = ApduClient::new(|apdu: &[u8]| {
                log.push(hex::encode_upper(apdu));
                fe.transmit(apdu)
            });
            client
                .terminal_capability(&hex::decode("A903830107").unwrap())
                .unwrap();
            assert_eq!(client.open_channel(), Ok(1));
            let fci = client.select_isdr().unwrap();
            assert_eq!(hex::encode_upper(&fci), FCI);
            assert_eq!(
                client.es10(&hex::decode("BF3E035C015A").unwrap()).unwrap(),
                hex::decode(format!("BF3E125A10{EID}")).unwrap()
            );
            let request: Vec<u8> = (0..700u32).map(|i| i as u8).collect();
            let response = client.es10(&request).unwrap();
            assert_eq!(response, [vec![0x5A; 300], request].concat());
            client.close_channel().unwrap();
            assert_eq!(client.channel(), 0);
            assert!(matches!(
                client.es10(&[0xBF, 0x2D, 0x00]),
                Err(ApduClientError::UnexpectedStatus { sw: 0x6985, .. })
            ));
        }
        assert_eq!(log[0], "80AA000005A903830107");
        assert_eq!(log[1], "0070000001");
        assert_eq!(
            log[2],
            format!("01A4040010{}00", hex::encode_upper(ISDR_AID))
        );
        // STORE DATA goes without Le (case 3), so even Direct delivery answers 61xx.
        let expected_get_eid = ["81E2910006BF3E035C015A", "01C0000015"];
        let at = log.iter().position(|l| l.starts_with("81E29100")).unwrap();
        assert_eq!(&log[at..at + 2], expected_get_eid);
        assert_eq!(fe.handler().requests.len(), 2);
    }
}

#[test]
fn apdu_client_reports_front_end_errors() {
    let mut fe = IsdrApduFrontEnd::new(Failing);
    let mut client = ApduClient::new(fe.transport());
    assert_eq!(
        client.es10(&[0xBF, 0x2D, 0x00]),
        Err(ApduClientError::UnexpectedStatus {
            command: "STORE DATA block 0".into(),
            sw: 0x6985
        })
    );
    client.select_isdr().unwrap();
    assert_eq!(
        client.es10(&[0xBF, 0x2D, 0x00]),
        Err(ApduClientError::UnexpectedStatus {
            command: "STORE DATA block 0".into(),
            sw: 0x6A80
        })
    );
    assert!(matches!(
        client.terminal_capability(&[0u8; 256]),
        Err(ApduClientError::Apdu(_))
    ));
}

/// An APDU built from pieces the front end knows, so random sequences reach deep states.
fn plausible_apdu() -> impl Strategy<Value = Vec<u8>> {
    let cla = prop::sample::select(vec![
        0x00u8, 0x01, 0x02, 0x03, 0x40, 0x4F, 0x80, 0x81, 0x82, 0x83, 0xC0, 0xCF, 0x84, 0xFF,
    ]);
    let ins = prop::sample::select(vec![0x70u8, 0xA4, 0xC0, 0xAA, 0xE2, 0xB0]);
    let p1 = prop::sample::select(vec![0x00u8, 0x04, 0x11, 0x80, 0x91]);
    let p2 = prop_oneof![Just(0u8), 0u8..4, any::<u8>()];
    let data = prop_oneof![
        Just(ISDR_AID.to_vec()),
        prop::collection::vec(any::<u8>(), 0..300),
    ];
    let le = prop::option::of(any::<u8>());
    (cla, ins, p1, p2, data, le).prop_map(|(cla, ins, p1, p2, data, le)| {
        let mut apdu = vec![cla, ins, p1, p2];
        if !data.is_empty() {
            apdu.push(data.len() as u8);
            apdu.extend_from_slice(&data);
        }
        apdu.extend(le);
        apdu
    })
}

fn assert_well_formed(response: &[u8]) {
    assert!(response.len() >= 2, "no status word: {response:02X?}");
    let sw = &response[response.len() - 2..];
    assert!(
        matches!(sw[0], 0x61 | 0x67 | 0x68 | 0x69 | 0x6A | 0x6D | 0x6E | 0x90),
        "status word {sw:02X?}"
    );
    if response.len() > 2 {
        assert!(sw[0] == 0x90 || sw[0] == 0x61, "data with {sw:02X?}");
        assert!(response.len() - 2 <= 256);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut fe = echo("");
        assert_well_formed(&fe.transmit(&bytes));
        assert_eq!(tx(&mut fe, &select("00")), "611F");
        assert_well_formed(&fe.transmit(&bytes));
    }

    #[test]
    fn random_apdu_sequences_never_panic(
        apdus in prop::collection::vec(plausible_apdu(), 1..40),
        direct in any::<bool>(),
    ) {
        let config = FrontEndConfig {
            response_delivery: if direct {
                ResponseDelivery::Direct
            } else {
                ResponseDelivery::GetResponse
            },
            ..FrontEndConfig::default()
        };
        let mut fe = IsdrApduFrontEnd::with_config(Big, config);
        for apdu in &apdus {
            assert_well_formed(&fe.transmit(apdu));
            prop_assert!(fe.is_channel_open(0));
        }
    }

    #[test]
    fn any_request_any_block_size_round_trips(
        request in prop::collection::vec(any::<u8>(), 1..3000),
        block_size in 1usize..=255,
        channel in 0u8..20,
    ) {
        let mut fe = echo("77");
        let mut client =
            ApduClient::new(|apdu: &[u8]| fe.transmit(apdu)).with_block_size(block_size);
        if channel != 0 {
            // Terminal-assigned number, then SELECT on it.
            let open = [0x00, 0x70, 0x00, channel, 0x00];
            assert_eq!(client.transmit("open", &open).unwrap().sw, 0x9000);
            client.set_channel(channel).unwrap();
        }
        client.select_isdr().unwrap();
        let response = client.es10(&request);
        if request.len().div_ceil(block_size) > 256 {
            prop_assert!(
                matches!(response, Err(ApduClientError::RequestTooLong { .. })),
                "expected RequestTooLong"
            );
        } else {
            prop_assert_eq!(response.unwrap(), [&[0x77][..], &request].concat());
        }
    }
}

#[test]
fn a_card_announcing_more_data_but_sending_none_is_an_error_not_a_hang() {
    use sgp32_harness::euicc::apdu::{ApduClient, ApduClientError};
    let mut calls = 0u32;
    let mut client = ApduClient::new(|_apdu: &[u8]| {
        calls += 1;
        vec![0x61, 0x00]
    });
    let err = client.es10(&[0xbf, 0x2e, 0x00]).unwrap_err();
    assert!(matches!(err, ApduClientError::NoProgress { .. }), "{err}");
    assert!(calls <= 3, "{calls} APDUs");
}
