//! The simulated eUICC driven the way an APDU-speaking IPA drives a chip: TERMINAL CAPABILITY,
//! MANAGE CHANNEL, SELECT ISD-R (its `E1` template follows the eUICC's state), then the
//! vectors' AddInitialEim and signed PSMO package through STORE DATA chaining and GET RESPONSE.

use std::sync::Arc;

use sgp32_harness::asn1::rsp::{GetEuiccDataResponse, Iccid};
use sgp32_harness::asn1::sgp32::{EuiccPackageResult, EuiccPackageResultChoice};
use sgp32_harness::euicc::apdu::{ApduClient, IsdrApduFrontEnd, find_tlv};
use sgp32_harness::euicc::{Euicc, Profile};
use sgp32_harness::pki::{Eid, Pki};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/spec/vectors");
const EID: &str = "89049032123451234512345678901235";

fn vector(path: &str) -> Vec<u8> {
    std::fs::read(format!("{VECTORS}/{path}")).unwrap()
}

fn euicc() -> Euicc {
    let pki = Arc::new(Pki::generate(0, 0).unwrap());
    let iccid = Iccid::try_from(&hex::decode("98001032547698103285").unwrap()[..]).unwrap();
    Euicc::builder(pki, 0)
        .eid(Eid::from_digits(EID).unwrap())
        .profile(Profile::new(iccid))
        .build()
        .unwrap()
}

/// The `E1` template's euiccConfiguration bits from a SELECT response (FCI `6F`).
fn euicc_configuration(fci: &[u8]) -> Vec<u8> {
    let fci = find_tlv(fci, 0x6f).expect("FCI");
    let e1 = find_tlv(fci, 0xe1).expect("E1 template");
    find_tlv(e1, 0x80).expect("euiccConfiguration").to_vec()
}

#[test]
fn an_ipa_speaking_apdus_provisions_and_enables_through_the_front_end() {
    let mut front = IsdrApduFrontEnd::new(euicc());
    let mut client = ApduClient::new(|apdu: &[u8]| front.transmit(apdu));
    client
        .terminal_capability(&hex::decode("a903830107").unwrap())
        .unwrap();
    let channel = client.open_channel().unwrap();
    assert_eq!(channel, 1);
    let fci = client.select_isdr().unwrap();
    assert_eq!(euicc_configuration(&fci), [0x00], "no profile enabled yet");

    // GetEID
    let eid = client.es10(&hex::decode("bf3e035c015a").unwrap()).unwrap();
    let eid: GetEuiccDataResponse = rasn::der::decode(&eid).unwrap();
    assert_eq!(hex::encode(eid.eid_value.as_ref()), EID);

    // AddInitialEim from the vector, then the signed enable package (137 bytes: one block),
    // and the same package split into 40-byte STORE DATA blocks is a replay.
    let answer = client.es10(&vector("bpp/sample_eim_cfg.ber")).unwrap();
    assert_eq!(&answer[..2], [0xbf, 0x57]);
    let package = vector("esipa-live/getEimPackage_psmo_enable_resp.der")[4..].to_vec();
    let result: EuiccPackageResult = rasn::der::decode(&client.es10(&package).unwrap()).unwrap();
    assert!(
        matches!(
            result.0,
            EuiccPackageResultChoice::EuiccPackageResultSigned(_)
        ),
        "{result:?}"
    );
    let mut small = client.with_block_size(40);
    let replay: EuiccPackageResult = rasn::der::decode(&small.es10(&package).unwrap()).unwrap();
    assert!(
        matches!(
            replay.0,
            EuiccPackageResultChoice::EuiccPackageErrorSigned(_)
        ),
        "{replay:?}"
    );

    // A fresh SELECT now reports an enabled profile (enabledProfile is bit 1: '40').
    let fci = small.select_isdr().unwrap();
    assert_eq!(euicc_configuration(&fci), [0x06, 0x40]);
}

#[test]
fn an_undecodable_es10_request_is_6a80_and_the_card_keeps_working() {
    let mut front = IsdrApduFrontEnd::new(euicc());
    let mut client = ApduClient::new(|apdu: &[u8]| front.transmit(apdu));
    client.select_isdr().unwrap();
    let err = client.es10(&[0xbf, 0x3e, 0x03, 0x5c]).unwrap_err();
    assert!(err.to_string().contains("6A80"), "{err}");
    let eid = client.es10(&hex::decode("bf3e035c015a").unwrap()).unwrap();
    assert_eq!(&eid[..2], [0xbf, 0x3e]);
}
