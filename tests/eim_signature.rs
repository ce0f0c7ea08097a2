//! The eimSignature of a real eIM package (SGP.32 2.11.1.1) verifies with the sample eIM
//! certificate, with both crypto backends, through the ASN.1 model: over
//! DER(EuiccPackageSigned) || `84 01 01` (association token 1, which a virgin eUICC hands out
//! for the AddInitialEim of `bpp/sample_eim_cfg.ber`). Any change to the signed data breaks it.

use sgp32_harness::asn1::sgp32::{
    EsipaMessageFromEimToIpa, GetEimPackageResponseChoice, eim_signed_data,
    eim_signed_data_received,
};
use sgp32_harness::crypto::{Backend, provider};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared");

fn package() -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let bytes = std::fs::read(format!(
        "{SHARED}/spec/vectors/esipa-live/getEimPackage_psmo_enable_resp.der"
    ))
    .unwrap();
    let EsipaMessageFromEimToIpa::GetEimPackageResponse(response) =
        rasn::der::decode::<EsipaMessageFromEimToIpa>(&bytes).unwrap()
    else {
        panic!("not a GetEimPackageResponse")
    };
    let GetEimPackageResponseChoice::EuiccPackageRequest(request) = response.0 else {
        panic!("not an EuiccPackageRequest")
    };
    let signed = eim_signed_data(&request.euicc_package_signed, Some(1)).unwrap();
    // The same bytes taken straight from the wire (BF4F 81 85 { BF51 {...} }).
    let received = eim_signed_data_received(&bytes[4..], Some(1)).unwrap();
    assert_eq!(signed, received);
    assert_eq!(&signed[signed.len() - 3..], [0x84, 0x01, 0x01]);
    (bytes, signed, request.eim_signature.to_vec())
}

#[test]
fn eim_signature_of_the_live_vector_verifies_with_both_backends() {
    let (_, signed, signature) = package();
    assert_eq!(signature.len(), 64);
    let cert = std::fs::read_to_string(format!(
        "{SHARED}/spec/certs/eim-sample/sample_eim_cert_nist.crt"
    ))
    .unwrap();
    for backend in Backend::ALL {
        let key = provider(backend)
            .verifying_key_from_certificate_pem(&cert)
            .unwrap();
        key.verify(&signed, &signature)
            .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        // A different association token (none: 84 01 00) is a different signed input.
        let mut no_token = signed.clone();
        let last = no_token.len() - 1;
        no_token[last] = 0;
        assert!(key.verify(&no_token, &signature).is_err(), "{backend:?}");
        for i in 0..signed.len() {
            let mut flipped = signed.clone();
            flipped[i] ^= 0x01;
            assert!(
                key.verify(&flipped, &signature).is_err(),
                "{backend:?}: byte {i}"
            );
        }
    }
}
