//! Profile packages and Bound Profile Packages (SGP.22 2.5.5, 5.5; issue 6).
//!
//! The mock SM-DP+ builds a BPP with [`build_bpp`]; the simulated eUICC opens one with
//! [`open_bpp`] (LoadBoundProfilePackage, SGP.22 5.7.6). This file is the contract both sides
//! code against; the implementation fills in the bodies.

use crate::asn1::rsp::{Iccid, StoreMetadataRequest, TransactionId};
use crate::crypto::{CryptoProvider, EckaPrivateKey, SigningKey, VerifyingKey};
use crate::pki::Eid;

/// A profile as an SM-DP+ prepares it: its ICCID, its metadata and the profile elements (the
/// DER of a small but structurally valid profile package: a header naming the ICCID and a few
/// profile elements).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileContent {
    pub iccid: Iccid,
    /// StoreMetadata as the eUICC keeps it (ICCID, service provider, profile name, class, ...).
    pub metadata: StoreMetadataRequest,
    /// The profile package (the concatenated DER profile elements).
    pub elements: Vec<u8>,
}

/// What an SM-DP+ needs to bind a profile to one eUICC's download session.
pub struct BindingParams<'a> {
    pub provider: &'a dyn CryptoProvider,
    /// The session's TransactionId.
    pub transaction_id: TransactionId,
    /// The eUICC's EID (its bytes go into the key derivation's shared info).
    pub eid: Eid,
    /// otPK.EUICC.ECKA, uncompressed SEC1 (`euiccOtpk` of EUICCSigned2).
    pub euicc_otpk: &'a [u8],
    /// SK.DPpb: signs InitialiseSecureChannel (`smdpSign`).
    pub dp_pb_key: &'a SigningKey,
    /// The SM-DP+ one-time key; None generates a fresh one.
    pub smdp_otsk: Option<EckaPrivateKey>,
    /// Send ReplaceSessionKeys (PPK-ENC/PPK-MAC) before the profile elements.
    pub replace_session_keys: bool,
    /// Largest plaintext per profile element segment ('86').
    pub segment_size: usize,
}

/// Why a BPP could not be built (a harness problem).
#[derive(Debug, thiserror::Error)]
pub enum BppBuildError {
    #[error("cannot build the bound profile package: {0}")]
    Build(String),
}

/// Where a BPP failed at the eUICC: the SGP.22 `bppCommandId` and `errorReason`
/// (ProfileInstallationResultData, SGP.22 5.5 / 5.7.6) and a description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{command:?}: {reason:?}: {detail}")]
pub struct BppInstallError {
    pub command: crate::asn1::rsp::BppCommandId,
    pub reason: crate::asn1::rsp::ErrorReason,
    pub detail: String,
}

/// What the eUICC takes from a valid BPP: the metadata and the decrypted profile elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedProfile {
    pub iccid: Iccid,
    pub metadata: StoreMetadataRequest,
    pub elements: Vec<u8>,
}

/// Builds the BoundProfilePackage ('BF36' DER) of `profile` for one session (SGP.22 2.5.5):
/// InitialiseSecureChannel signed with SK.DPpb over its content || euiccOtpk, ConfigureISDP,
/// StoreMetadata, optional ReplaceSessionKeys, the profile element segments, each protected with
/// SCP03t under the session keys from ECKA(otSK.DP, otPK.EUICC) and the SGP.22 KDF.
pub fn build_bpp(
    _params: &BindingParams<'_>,
    _profile: &ProfileContent,
) -> Result<Vec<u8>, BppBuildError> {
    Err(BppBuildError::Build("not built yet".into()))
}

/// What the eUICC needs to open a BPP of its session.
pub struct OpeningParams<'a> {
    pub provider: &'a dyn CryptoProvider,
    /// The TransactionId of the session (must match InitialiseSecureChannel's).
    pub transaction_id: &'a TransactionId,
    pub eid: Eid,
    /// otSK.EUICC.ECKA generated at PrepareDownload.
    pub euicc_otsk: &'a EckaPrivateKey,
    /// PK.DPpb from the CERT.DPpb received in PrepareDownload (verifies `smdpSign`).
    pub dp_pb: &'a VerifyingKey,
}

/// Verifies and opens a BoundProfilePackage as the eUICC does in LoadBoundProfilePackage
/// (SGP.22 3.1.3.3, 5.7.6): smdpSign, the session keys, every segment's MAC and decryption, the
/// metadata; the first failure gives its bppCommandId and errorReason (e.g. invalidSignature,
/// invalidTransactionId, scp03tSecurityError, scp03tStructureError).
pub fn open_bpp(_bpp: &[u8], _params: &OpeningParams<'_>) -> Result<OpenedProfile, BppInstallError> {
    Err(BppInstallError {
        command: Default::default(),
        reason: Default::default(),
        detail: "not built yet".into(),
    })
}

/// A small, structurally valid profile for `iccid` (header, MF, a USIM and an end element),
/// with its metadata; `name` is the profile name.
pub fn sample_profile(_iccid: Iccid, _name: &str) -> ProfileContent {
    unimplemented_profile(_iccid)
}

fn unimplemented_profile(iccid: Iccid) -> ProfileContent {
    ProfileContent {
        iccid,
        metadata: StoreMetadataRequest::default(),
        elements: Vec::new(),
    }
}
