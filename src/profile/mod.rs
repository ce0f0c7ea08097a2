//! Profile packages and Bound Profile Packages (SGP.22 2.5.5, 5.5; issue 6).
//!
//! The mock SM-DP+ builds a BPP with [`build_bpp`]; the simulated eUICC opens one with
//! [`open_bpp`] (LoadBoundProfilePackage, SGP.22 5.7.6). This file is the contract both sides
//! code against; the implementation is in `bpp.rs` (what `smdpSign` covers, the segment
//! layout) and `package.rs` (the sample profile package).
//!
//! Failures at the eUICC name their SGP.22 `bppCommandId` and `errorReason`:
//!
//! | Where | bppCommandId | errorReason |
//! |---|---|---|
//! | BF36 / BF23 TLV broken, bytes after BF36 | initialiseSecureChannel | scp03tStructureError |
//! | BF23 contents don't decode, smdpOtpk not a point | initialiseSecureChannel | incorrectInputValues |
//! | remoteOpId not installBoundProfilePackage(1) | initialiseSecureChannel | unsupportedRemoteOperationType |
//! | transactionId not the session's | initialiseSecureChannel | invalidTransactionId |
//! | keyType not '88' or keyLen not '10' | initialiseSecureChannel | unsupportedCrtValues |
//! | smdpSign does not verify with PK.DPpb (also: another eUICC one-time key) | initialiseSecureChannel | invalidSignature |
//! | A0 / A1 / A2 / A3 container or a segment TLV broken, wrong segment tag, nothing after BF23 | the container's command | scp03tStructureError |
//! | a segment's C-MAC (or padding) wrong | configureISDP, storeMetadata (1st '88'), storeMetadata2 (next '88'), replaceSessionKeys, loadProfileElements | scp03tSecurityError |
//! | BF24 / BF25 / BF26 plaintext doesn't decode, PPK not 16 bytes | its command | incorrectInputValues |
//! | the profile package is not TLVs starting with a ProfileHeader | loadProfileElements | installFailedDueToPEProcessingError |
//! | ProfileHeader ICCID differs from StoreMetadata's | loadProfileElements | installFailedDueToDataMismatch |
//!
//! Checks are made in the order the eUICC receives the package (BF23 first, then the
//! containers in order); within BF23 in the order of the table.

mod bpp;
pub mod package;

pub use bpp::{HOST_ID, KEY_LEN_AES128, KEY_TYPE_AES, smdp_signed_data};
pub use package::{PackageError, PackageSummary, sample_elements, summarize};

use crate::asn1::rsp::{Iccid, StoreMetadataRequest, TransactionId};
use crate::crypto::{CryptoProvider, EckaPrivateKey, SessionKeys, SigningKey, VerifyingKey};
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
///
/// Segments: ConfigureISDP and ReplaceSessionKeys are cut every 1007 plaintext bytes,
/// StoreMetadata every 1008, the profile package every `segment_size` bytes (at most 1007, so
/// that no segment exceeds 1020 bytes; larger values are lowered to 1007, 0 is an error). With
/// `replace_session_keys`, fresh random PPK-ENC/PPK-MAC/initial MCV are sent and protect the
/// '86' segments from counter 1.
pub fn build_bpp(
    params: &BindingParams<'_>,
    profile: &ProfileContent,
) -> Result<Vec<u8>, BppBuildError> {
    bpp::build(params, profile)
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
///
/// The package is read leniently (BER lengths, unknown trailing BF23 elements) but always from
/// the received bytes: the signature is checked over them, the segments are MACed as received.
/// The failures are listed in the module documentation. Never panics.
pub fn open_bpp(bpp: &[u8], params: &OpeningParams<'_>) -> Result<OpenedProfile, BppInstallError> {
    bpp::open(bpp, params)
}

/// Opens a BoundProfilePackage with session keys given directly, skipping
/// InitialiseSecureChannel (its TLV must still be first): for known-answer packages whose
/// one-time keys are unknown. `ppk`, when given, protects the profile elements of a package
/// without ReplaceSessionKeys (new counter 1), as in the `bpp_decode` known answer; a package
/// with ReplaceSessionKeys uses the keys it carries.
pub fn open_bpp_with_session_keys(
    bpp: &[u8],
    provider: &dyn CryptoProvider,
    session_keys: &SessionKeys,
    ppk: Option<&SessionKeys>,
) -> Result<OpenedProfile, BppInstallError> {
    let (_, rest) = bpp::envelope(bpp)?;
    let fallback = match ppk {
        Some(k) => bpp::PpkFallback::Given(k),
        None => bpp::PpkFallback::Continue,
    };
    bpp::open_segments(rest, provider, session_keys, fallback)
}

/// The service provider name of [`sample_profile`]'s metadata.
pub const SAMPLE_SERVICE_PROVIDER: &str = "SGP32 Harness";

/// A small, structurally valid profile for `iccid`, with its metadata; `name` is the profile
/// name (cut to 64 characters, the ASN.1 size limit).
///
/// The elements are [`sample_elements`]: a ProfileHeader (version 2.3, the ICCID), an MF, a
/// genericFileManagement element creating EF '2F50' that holds the name, and an End element.
/// The metadata: the ICCID, serviceProviderName [`SAMPLE_SERVICE_PROVIDER`], profileName
/// `name`, and profileClass operational — left out of the encoding, as DER requires for a
/// DEFAULT value (`profile_class` is `None`, `profile_class_or_default()` is operational).
pub fn sample_profile(iccid: Iccid, name: &str) -> ProfileContent {
    let profile_name: String = name.chars().take(64).collect();
    ProfileContent {
        elements: sample_elements(&iccid, name),
        metadata: StoreMetadataRequest {
            iccid: iccid.clone(),
            service_provider_name: SAMPLE_SERVICE_PROVIDER.to_owned(),
            profile_name,
            ..Default::default()
        },
        iccid,
    }
}

impl ProfileContent {
    /// Whether an installed profile is this one: same ICCID, metadata and elements.
    pub fn matches(&self, opened: &OpenedProfile) -> bool {
        self.iccid == opened.iccid
            && self.metadata == opened.metadata
            && self.elements == opened.elements
    }

    /// The ProfileHeader and element list of the package.
    pub fn summary(&self) -> Result<PackageSummary, PackageError> {
        summarize(&self.elements)
    }
}

impl PartialEq<OpenedProfile> for ProfileContent {
    fn eq(&self, other: &OpenedProfile) -> bool {
        self.matches(other)
    }
}

impl From<OpenedProfile> for ProfileContent {
    fn from(p: OpenedProfile) -> Self {
        ProfileContent {
            iccid: p.iccid,
            metadata: p.metadata,
            elements: p.elements,
        }
    }
}
