//! What the integration tests share: the captured vectors and how to garble them.
#![allow(dead_code)] // each test binary uses part of it

use std::path::PathBuf;

use proptest::sample::Index;

/// The DER messages under `shared/spec/vectors/` (every `.der`/`.ber` file there).
pub const VECTOR_FILES: &[&str] = &[
    "esipa-live/getEimPackageRequest_req.der",
    "esipa-live/getEimPackageRequest_resp.der",
    "esipa-live/getEimPackage_download_resp.der",
    "esipa-live/getEimPackage_edr_resp.der",
    "esipa-live/getEimPackage_psmo_enable_resp.der",
    "esipa-to-es9/1_getEimPackage_resp.der",
    "esipa-to-es9/2_initiateAuthenticationResponseEsipa.der",
    "esipa-to-es9/initiateAuthenticationRequestEsipa_req.der",
    "bpp/bpp.ber",
    "bpp/sample_eim_cfg.ber",
];

/// `shared/spec/vectors`, beside the repository.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/spec/vectors"
    ))
}

/// One vector's bytes.
pub fn read_vector(path: &str) -> Vec<u8> {
    let full = vectors_dir().join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// Every vector's bytes, in [`VECTOR_FILES`] order.
pub fn all_vectors() -> Vec<Vec<u8>> {
    VECTOR_FILES.iter().map(|p| read_vector(p)).collect()
}

/// `bytes` with each `(position, value)` written over it.
pub fn garble(bytes: &[u8], edits: &[(Index, u8)]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for (at, value) in edits {
        let i = at.index(out.len());
        out[i] = *value;
    }
    out
}
