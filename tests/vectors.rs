//! Every DER message captured from real SGP.32/SGP.22 implementations
//! (`shared/spec/vectors/{esipa-live,esipa-to-es9,bpp}`) decodes, re-encodes byte-identically,
//! passes the strict DER check, and decodes to the reviewed form in `tests/snapshots/`.

use sgp32_harness::asn1::der_check::check_der;
use sgp32_harness::asn1::registry;

mod common;
use common::{VECTOR_FILES, read_vector, vectors_dir};

/// (file under vectors/, the type `sgp32 decode` must choose without `--type`)
const VECTORS: &[(&str, &str)] = &[
    (
        "esipa-live/getEimPackageRequest_req.der",
        "EsipaMessageFromIpaToEim",
    ),
    (
        "esipa-live/getEimPackageRequest_resp.der",
        "EsipaMessageFromEimToIpa",
    ),
    (
        "esipa-live/getEimPackage_download_resp.der",
        "EsipaMessageFromEimToIpa",
    ),
    (
        "esipa-live/getEimPackage_edr_resp.der",
        "EsipaMessageFromEimToIpa",
    ),
    (
        "esipa-live/getEimPackage_psmo_enable_resp.der",
        "EsipaMessageFromEimToIpa",
    ),
    (
        "esipa-to-es9/1_getEimPackage_resp.der",
        "EsipaMessageFromEimToIpa",
    ),
    (
        "esipa-to-es9/2_initiateAuthenticationResponseEsipa.der",
        "EsipaMessageFromEimToIpa",
    ),
    (
        "esipa-to-es9/initiateAuthenticationRequestEsipa_req.der",
        "EsipaMessageFromIpaToEim",
    ),
    ("bpp/bpp.ber", "Es10Request"),
    ("bpp/sample_eim_cfg.ber", "Es10Request"),
];

fn snapshot_name(file: &str) -> String {
    file.replace(['/', '.'], "_")
}

#[test]
fn every_vector_decodes_reencodes_identically_and_matches_its_snapshot() {
    for (file, expected_type) in VECTORS {
        let bytes = read_vector(file);
        let decoded = sgp32_harness::cli::decode::decode(&bytes, None)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(decoded.type_name, *expected_type, "{file}");
        assert_eq!(decoded.reencoded, bytes, "{file}: re-encoding differs");
        assert!(decoded.extension_findings.is_empty(), "{file}");
        insta::assert_json_snapshot!(snapshot_name(file), decoded.json);
    }
}

#[test]
fn every_vector_is_strict_der() {
    for (file, _) in VECTORS {
        let bytes = read_vector(file);
        let findings = check_der(&bytes);
        assert!(findings.is_empty(), "{file}: {findings:?}");
    }
}

#[test]
fn no_vector_file_is_left_out() {
    for dir in ["esipa-live", "esipa-to-es9", "bpp"] {
        for entry in std::fs::read_dir(vectors_dir().join(dir)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".der") || name.ends_with(".ber") {
                let path = format!("{dir}/{name}");
                assert!(
                    VECTORS.iter().any(|(f, _)| *f == path),
                    "{path} is not tested"
                );
                assert!(
                    VECTOR_FILES.contains(&path.as_str()),
                    "{path}: add it to common"
                );
            }
        }
    }
}

#[test]
fn every_named_type_is_reachable_by_name() {
    for ty in registry::all_types() {
        assert_eq!(registry::find(ty.name).unwrap().name, ty.name);
    }
}
