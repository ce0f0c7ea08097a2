//! The simulated IoT eUICC (SGP.32 v1.2, v1.0 selectable): the ISD-R's ES10b/ES10c functions
//! with eUICC Packages (PSMOs, eCOs), eIM configuration, fallback and rollback. Sans-IO: no
//! sockets, threads or sleeping; the only inputs are the request bytes, the settings and the
//! seeds (the challenge stream comes from a seed, never from the clock).
//!
//! # State ([`Euicc`], `state.rs`)
//! - identity: EID, SK.EUICC.SIG (a [`crate::crypto::SigningKey`] of the selected backend),
//!   CERT.EUICC and CERT.EUM from the test PKI ([`crate::pki::Pki`]). The certificates are
//!   built on first use (GetCerts, notification retrieval): issuing one costs an ECDSA
//!   signature, which a fleet device executing a PSMO never needs;
//! - profiles ([`Profile`]): ICCID, ISD-P AID, enabled/disabled, profile class, fallback
//!   attribute, fallbackAllowed, PPRs, notification configuration, names;
//! - associated eIMs ([`AssociatedEim`]): the EimConfigurationData as received, the live
//!   counter, the association token and the eIM key parsed once into a
//!   [`crate::crypto::VerifyingKey`];
//! - default SM-DP+ address, root SM-DS address, the immediate-enable configuration, the
//!   pending notifications (eUICC Package Results and OtherSignedNotifications) with their
//!   seqNumbers from one monotonically increasing counter, the rollback point, the fallback
//!   state, the RAT, the last installed profile (for ImmediateEnable).
//!
//! Build one with [`Euicc::builder`] (profiles, eIMs, settings, faults) or, for fleets, from a
//! [`FleetTemplate`] and a [`CompactEuicc`].
//!
//! # Entry points
//! - [`Euicc::handle_es10`]: one BER-TLV in, one DER TLV out. Input that is not exactly one
//!   decodable [`Es10Request`] TLV is an [`Es10Error`] (the APDU layer maps it to a status
//!   word). The LoadEuiccPackage signature is checked over the bytes **as received**.
//! - [`Euicc::handle`]: the typed form (`Es10Request` -> `Es10Response`). A LoadEuiccPackage
//!   given as a value is checked over its DER re-encoding (the only bytes there are).
//!   It returns `Result` (a deviation from a plain `Es10Response`): some functions have no
//!   error form to answer with (see "Not implemented").
//! - [`Euicc::delay`]: the answer delay the driver should honour (fault knob).
//!
//! # ES10 functions
//! GetEUICCChallenge, GetEUICCInfo1, GetEUICCInfo2 (SGP.32 form with ipaMode and
//! iotSpecificInfo), GetEID, GetProfilesInfo (search by ICCID, ISD-P AID or class; tag list),
//! GetEimConfigurationData (search by eimId), AddInitialEim, GetCerts, LoadEuiccPackage,
//! RetrieveNotificationsList (all, seqNumber, profileManagementOperation, euiccPackageResults),
//! RemoveNotificationFromList, ProfileRollback, ImmediateEnable,
//! ConfigureImmediateProfileEnabling, ExecuteFallbackMechanism, ReturnFromFallback,
//! EuiccMemoryReset, SetDefaultDpAddress, GetRAT, GetEuiccConfiguredAddresses.
//!
//! # LoadEuiccPackage (SGP.32 2.11, 3.3.1; `package.rs`)
//! In this order:
//! 1. the eIM named by `eimId` is looked up; unknown, or known without a public key: the
//!    signature cannot be checked, so the answer is `euiccPackageErrorUnsigned` (eimId,
//!    eimTransactionId, and the stored associationToken if the eIM is known);
//! 2. `eimSignature` is verified over the received DER(EuiccPackageSigned) || `84 len token`
//!    (`84 01 00` without a token). **Choice:** a bad signature also gives
//!    `euiccPackageErrorUnsigned`: a signed error would vouch for data the eUICC could not
//!    authenticate;
//! 3. signed errors (`euiccPackageErrorSigned`, signed like results), nothing executed, counter
//!    not stored: other EID -> invalidEid; counter < 0 or above [`Settings::max_counter`]
//!    (default 0x7FFFFF, SGP.32's minimum) -> counterValueOutOfRange; counter not accepted by
//!    [`Settings::counter_rule`] -> replayError; more operations than
//!    [`Settings::max_package_operations`] -> sizeOverflow; [`Faults::ecall_active`] ->
//!    ecallActive;
//! 4. the counter is stored, any rollback point is dropped (the eIM reached the device), and
//!    every PSMO or eCO runs in order, one `EuiccResultData` each (a failed operation does not
//!    stop the following ones);
//! 5. `EuiccPackageResultSigned` gets the next seqNumber and is signed with SK.EUICC over
//!    DER(euiccPackageResultDataSigned) || `84 len token` (v1.2; `84 01 00` without a token)
//!    or || the `eimSignature` TLV as received (`5F37 40 ..`, v1.0: notes 3.2, S8). Errors are
//!    signed the same way. The result is kept as a pending notification (retrieved with the
//!    euiccPackageResults or seqNumber criterion, removed with RemoveNotificationFromList);
//!    signed and unsigned errors have no seqNumber and are not kept.
//!
//! **Counter rule** (the public sources don't settle it): [`CounterRule::StrictlyGreater`]
//! (default: counter > stored) or [`CounterRule::GreaterOrEqual`]. The stored value starts at
//! the `counterValue` of the eIM configuration (0 when absent).
//!
//! # Operations and result codes (notes 3.4, 3.5)
//! - enable: iccidOrAidNotFound; profileNotInDisabledState (already enabled);
//!   disallowedByPolicy (the enabled profile has PPR1); catBusy ([`Faults::cat_busy`]);
//!   rollbackNotAvailable (rollbackFlag when [`Settings::rollback_supported`] is off, or a
//!   second enable with rollbackFlag in one package). Enable disables the previously enabled
//!   profile. With rollbackFlag, a successful package leaves a rollback point for
//!   ProfileRollback. `rollbackFlag` is accepted as the module's `05 00` and as a tagged
//!   `80 00` (found among the unknown elements), which some eIMs send;
//! - disable: iccidOrAidNotFound, profileNotInEnabledState, disallowedByPolicy (PPR1), catBusy;
//! - delete: iccidOrAidNotFound, profileNotInDisabledState (the enabled profile),
//!   disallowedByPolicy (PPR2), rollbackNotAvailable (the profile a pending rollback would
//!   return to), returnFallbackProfile (the profile ReturnFromFallback would re-enable while
//!   the fallback mechanism is active);
//! - setFallbackAttribute: iccidOrAidNotFound; fallbackNotAllowed (the profile's
//!   fallbackAllowed is FALSE); fallbackProfileEnabled (the current Fallback Profile is
//!   enabled and would lose the attribute). Otherwise the attribute moves: at most one Fallback
//!   Profile;
//! - unsetFallbackAttribute: noFallbackAttribute, fallbackProfileEnabled;
//! - listProfileInfo: incorrectInputValues (malformed tag list); getRAT; setDefaultDpAddress;
//!   configureImmediateEnable: insufficientMemory ([`Faults::insufficient_memory`]);
//! - addEim: associatedEimAlreadyExists (same eimId), insufficientMemory (fault, or
//!   [`Settings::max_eims`] reached), ciPKUnknown (euiccCiPKId not one of ours),
//!   invalidAssociationToken (a token other than -1: the eUICC generates tokens),
//!   counterValueOutOfRange, commandError (eimPublicKeyData present but not a usable P-256 /
//!   brainpoolP256r1 key); associationToken -1 answers the generated token;
//! - deleteEim: eimNotFound; lastEimDeleted (the last eIM is deleted, after which
//!   AddInitialEim works again); updateEim: eimNotFound, ciPKUnknown, counterValueOutOfRange,
//!   commandError; the fields present replace the stored ones, counterValue resets the
//!   counter, the association token is kept; listEim.
//! - [`Faults::command_error`] / [`Faults::undefined_error`] make every operation whose code
//!   list has commandError(7) / undefinedError(127) answer it (how the remaining codes are
//!   reached). State changes are atomic here and every decodable operation is executed, so
//!   profileChangeOngoing and processingTerminated come only from faults:
//!   [`Faults::profile_change_ongoing`] and [`Faults::terminate_after`] (stop after N
//!   operations with the chosen reason).
//!
//! **Association tokens** come from one per-eUICC counter: a virgin eUICC hands out 1, then 2,
//! ...; deleting eIMs or a memory reset does not restart it (a token is never reused).
//!
//! # Notifications (choice)
//! A successful enable, disable or delete (by PSMO, fallback, rollback or ImmediateEnable)
//! creates an OtherSignedNotification for each entry of the profile's notification
//! configuration whose profileManagementOperation has the matching bit (enable 1, disable 2,
//! delete 3), with the next seqNumber; euiccNotificationSignature is SK.EUICC over
//! DER(NotificationMetadata) (`BF2F ...`, SGP.22 5.7.10). EuiccMemoryReset deletes without
//! notifications.
//!
//! # Other choices
//! - GetEimConfigurationData returns each eIM's configuration without counterValue,
//!   associationToken and eimPublicKeyData (they are the eUICC's to keep; tests read
//!   [`Euicc::eims`]).
//! - AddInitialEim is refused with associatedEimAlreadyExists once an eIM is associated; the
//!   request is validated as a whole (an error in one entry adds none).
//! - ConfigureImmediateProfileEnabling is refused with associatedEimAlreadyExists once an eIM
//!   is associated (the eIM configures it through the configureImmediateEnable PSMO).
//! - ProfileRollback answers cmdResult ok with an EuiccPackageResultSigned for the package that
//!   set the rollback point (same eimId, counterValue, eimTransactionId), its results followed
//!   by rollbackResult ok, under a new seqNumber (kept as a pending notification too).
//!   ImmediateEnable with refreshFlag drops the rollback point (CR111007R00).
//! - ImmediateEnable enables the profile marked as last installed ([`EuiccBuilder::installed`])
//!   when immediate enabling is configured; otherwise immediateEnableNotAvailable.
//! - ExecuteFallbackMechanism enables the Fallback Profile and remembers the profile it
//!   replaced; ReturnFromFallback re-enables it.
//! - EuiccMemoryReset: bits 1 and 3 both delete test-class profiles; bit 4 provisioning ones.
//!
//! # Settings and faults
//! [`Settings`]: counter rule, max counter, SGP.32 version, crypto backend, max eIMs, max
//! operations per package, rollback support, ipaMode, deterministic signatures.
//! [`Faults`] (all off by default): wrong result signature, stale counter echoed, wrong
//! eimTransactionId echoed, insufficient memory, eCall active, CAT busy, commandError,
//! undefinedError, processing terminated after N operations, profile change ongoing, answer
//! delay.
//!
//! # Fleets (`compact.rs`)
//! A [`FleetTemplate`] holds what every device of a fleet shares (seed/PKI, profile slots,
//! the eIM configuration set at provisioning, settings); a [`CompactEuicc`] (48 bytes) holds
//! one device's index, counters and state bits. [`FleetTemplate::materialise`] rebuilds the
//! full [`Euicc`] (key derived from the seed, certificates on demand) and
//! [`Euicc::to_compact`] folds it back; pending notifications are dropped on folding and
//! state outside the template (a rollback point, an eIM added by an eCO, ...) cannot be folded.
//!
//! # Test support
//! [`testing::TestEim`] signs packages for the eUICC with a test eIM key of the PKI;
//! [`testing::verify_result`] is the eIM-side check of a result's signature.
//!
//! # Download (SGP.22 3.1.3; `download.rs`, `trust.rs`)
//! **Trust.** Server certificates must be issued (issuer name and ECDSA signature) by a trusted
//! CI: the eUICC's own PKI CI (the only entry of euiccCiPKIdListForSigning) and
//! [`Settings::trusted_cis`] (default: the SGP.26 v3 NIST test CI, embedded); both are listed in
//! euiccCiPKIdListForVerification. Validity periods are not checked (an eUICC has no reliable
//! clock). The SM-DP+ OID is the certificate's subjectAltName registeredID; without one (the
//! harness PKI's DPauth/DPpb) [`UNKNOWN_SMDP_OID`] `2.999` is signed.
//!
//! **Signed data** (SK.EUICC / PK.DP*, raw `r||s`; pySim `osmo-smdpp.py` (notes S10) signs and
//! verifies exactly these, and the captured `es9-json/initiateAuthentication_resp.json`
//! serverSignature1 verifies over its serverSigned1):
//! - serverSignature1 (PK.DPauth): DER(serverSigned1) as received (`30 ..`);
//! - euiccSignature1: DER(euiccSigned1) (`30 ..`, the SGP.32 EUICCInfo2 inside);
//! - smdpSignature2 (PK.DPpb): DER(smdpSigned2) as received || the euiccSignature1 TLV
//!   (`5F37 40 ..`);
//! - euiccSignature2: DER(euiccSigned2) || the smdpSignature2 TLV (`5F37 40 ..`);
//! - euiccSignPIR: DER(ProfileInstallationResultData) (`BF27 ..`);
//! - euiccCancelSessionSignature: DER(EuiccCancelSessionSigned) (`30 ..`).
//!
//! **AuthenticateServer** (checks in this order): no challenge since the last
//! AuthenticateServer -> noSessionContext (a challenge serves one attempt; any
//! AuthenticateServer ends an ongoing session); euiccCiPKIdToBeUsed not in the verification
//! list -> ciPKUnknown; serverCertificate not issued by a trusted CI -> invalidCertificate, key
//! on another curve than P-256/brainpoolP256r1 -> unsupportedCurve, certificate policy not
//! id-rspRole-dp-auth/ds-auth -> invalidOid; serverSignature1 -> invalidSignature;
//! euiccChallenge -> euiccChallengeMismatch. serverAddress and ctxParams1 are copied into
//! euiccSigned1 (the address is not checked by the eUICC: SGP.32 puts that on the eIM/IPA);
//! the session ([`DownloadSession`]) keeps transactionId, serverAddress, serverChallenge, the
//! SM-DP+ OID, matchingId and the euiccSignature1 TLV.
//!
//! **PrepareDownload**: no session, or a session already prepared -> noSessionContext;
//! smdpCertificate not issued by a trusted CI, not id-rspRole-dp-pb, or with another SM-DP+ OID
//! than CERT.DPauth -> invalidCertificate (unsupportedCurve for the curve);
//! smdpSignature2 -> invalidSignature; transactionId of another session -> invalidTransactionId;
//! ccRequiredFlag without hashCc -> undefinedError (SGP.22 v2.5's DownloadErrorCode has no
//! hashCcMandatory). Errors keep the session (CancelSession still works). otSK.EUICC.ECKA is
//! derived from the seed, EID, transactionId and challenge count (reproducible); euiccSigned2
//! carries hashCc only when ccRequiredFlag is set. bppEuiccOtpk (rebinding) is ignored: a new
//! one-time key every time.
//!
//! **LoadBoundProfilePackage** always answers a signed ProfileInstallationResult and ends the
//! session. The BPP is one BF36 TLV, or the SGP.22 segmented form: a first STORE DATA
//! sequence holding the BF36 header (shorter than its declared length) starts buffering, the
//! following non-'BF' pieces are appended (each answered with no data) until the declared
//! length is reached (at most [`MAX_BPP_LEN`]); a request starting with 'BF' abandons the
//! partial BPP. Verification, key derivation, decryption and MAC checks are
//! [`crate::profile::open_bpp`]'s; its bppCommandId/errorReason go into errorResult. An ICCID
//! already installed -> storeMetadata / installFailedDueToIccidAlreadyExistsOnEuicc. Success
//! installs the profile disabled (metadata: ICCID, names, class, PPRs, notification
//! configuration; the first free ISD-P AID slot; marked last installed for ImmediateEnable) and
//! answers successResult (aid, simaResponse [`SIMA_RESPONSE_OK`]). The PIR (seqNumber from the
//! common counter, profileManagementOperation install, notificationAddress = serverAddress,
//! iccid on success) is kept as a pending notification (RetrieveNotificationsList: all,
//! seqNumber, or the install bit). Without a prepared session: errorResult
//! initialiseSecureChannel / invalidTransactionId naming the BPP's transactionId, not kept.
//!
//! **CancelSession**: no session or another transactionId -> invalidTransactionId; otherwise
//! EuiccCancelSessionSigned (transactionId, smdpOid, reason), signed; the session ends.
//!
//! **The compact forms** (compactAuthenticateResponseOk, ...; SGP.32 minimizeEsipaBytes) are not
//! produced here: the eUICC answers the full forms and an IPA with minimizeEsipaBytes compacts
//! them ([`crate::ipa::compact`]); the eIM rebuilds them ([`crate::eim::compact`]). The public
//! sources do not say which of the two a real device does; the ESipa bytes are the same.
//!
//! # Not implemented
//! ES10c EnableProfile/DisableProfile/DeleteProfile/SetNickname, ListNotification, LoadCRL,
//! emergency profiles, IpaeActivation and GetConnectivityParameters are
//! [`Es10Error::Unsupported`].

pub mod apdu;
mod compact;
mod download;
mod functions;
mod package;
mod state;
pub mod testing;
mod trust;

use std::time::Duration;

pub use compact::{
    CompactError, CompactEuicc, FleetTemplate, MAX_TEMPLATE_EIMS, MAX_TEMPLATE_PROFILES,
};
pub use download::{
    DownloadSession, MAX_BPP_LEN, PreparedDownload, SIMA_RESPONSE_OK, UNKNOWN_SMDP_OID,
};
pub use state::{
    AssociatedEim, Euicc, EuiccBuilder, EuiccCerts, FallbackState, ISDP_AID_TEMPLATE,
    ImmediateEnableConfig, PendingItem, Profile, RollbackPoint,
};
pub use trust::{TrustError, TrustedCi, TrustedCis};

pub use crate::asn1::es10::{Es10Request, Es10Response};
use crate::crypto::Backend;

/// The ISD-R as APDUs reach it ([`apdu::IsdrApduFrontEnd`]): STORE DATA carries ES10
/// requests to [`Euicc::handle_es10`]; the SELECT response's `E1` template (SGP.32 3.8.4) says
/// whether a profile is enabled and whether this eUICC runs an IPAe.
impl apdu::Es10Handler for Euicc {
    type Error = Es10Error;

    fn handle_es10(&mut self, request: &[u8]) -> Result<Vec<u8>, Es10Error> {
        Euicc::handle_es10(self, request)
    }

    fn isdr_proprietary_template(
        &self,
    ) -> Option<crate::asn1::sgp32::IsdrProprietaryApplicationTemplateIot> {
        use crate::asn1::sgp32::{euicc_configuration, named_bits};
        let mut bits = Vec::new();
        if self.settings().ipa_mode == 1 {
            bits.push(euicc_configuration::IPAE_SUPPORTED);
        }
        if self.enabled_index().is_some() {
            bits.push(euicc_configuration::ENABLED_PROFILE);
        }
        Some(crate::asn1::sgp32::IsdrProprietaryApplicationTemplateIot {
            euicc_configuration: named_bits(&bits),
            ..Default::default()
        })
    }
}

/// Errors of the ES10 entry points: the request is not an ES10 function this eUICC answers.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Es10Error {
    /// Not one decodable ES10 request TLV.
    #[error("undecodable ES10 request: {0}")]
    Undecodable(String),
    /// Bytes after the request TLV.
    #[error("{0} bytes after the ES10 request TLV")]
    TrailingBytes(usize),
    /// A well-formed request with data the function does not accept (e.g. GetEID with a tag
    /// list other than '5A').
    #[error("incorrect data: {0}")]
    IncorrectData(&'static str),
    /// A function this simulated eUICC does not implement (see the module docs).
    #[error("ES10 function not supported: {0}")]
    Unsupported(&'static str),
    /// The response could not be encoded.
    #[error("encoding the response failed: {0}")]
    Encode(String),
}

/// Errors building an eUICC.
#[derive(Debug, thiserror::Error)]
pub enum EuiccError {
    /// The test PKI failed.
    #[error(transparent)]
    Pki(#[from] crate::pki::PkiError),
    /// A key could not be imported.
    #[error(transparent)]
    Crypto(#[from] crate::crypto::CryptoError),
    /// An EID could not be built.
    #[error(transparent)]
    Eid(#[from] crate::pki::EidError),
    /// An eIM configuration is unusable.
    #[error("eIM configuration {eim_id:?}: {reason}")]
    Eim {
        /// The eimId.
        eim_id: String,
        /// What is wrong.
        reason: String,
    },
    /// Two profiles are enabled, two have the fallback attribute, or an ICCID repeats.
    #[error("inconsistent profiles: {0}")]
    Profiles(&'static str),
}

/// When a package's counterValue is accepted (SGP.32 2.11.1.1: the sources don't settle it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CounterRule {
    /// counterValue > stored (default).
    #[default]
    StrictlyGreater,
    /// counterValue >= stored.
    GreaterOrEqual,
}

impl CounterRule {
    /// Whether `received` is accepted after `stored`.
    pub fn accepts(self, stored: i64, received: i64) -> bool {
        match self {
            CounterRule::StrictlyGreater => received > stored,
            CounterRule::GreaterOrEqual => received >= stored,
        }
    }
}

/// The SGP.32 version the eUICC implements (it changes the result signature input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sgp32Version {
    /// v1.0: results signed over data || eimSignature TLV.
    V1_0,
    /// v1.2 (default): results signed over data || associationToken TLV.
    #[default]
    V1_2,
}

impl Sgp32Version {
    /// The iotVersion of EUICCInfo2.
    pub fn version_bytes(self) -> [u8; 3] {
        match self {
            Sgp32Version::V1_0 => [1, 0, 0],
            Sgp32Version::V1_2 => [1, 2, 0],
        }
    }
}

/// Behaviour settings of one eUICC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Replay rule (default strictly greater).
    pub counter_rule: CounterRule,
    /// Highest accepted counterValue (default 0x7FFFFF = 8 388 607).
    pub max_counter: i64,
    /// SGP.32 version (default v1.2).
    pub version: Sgp32Version,
    /// Crypto backend for signing and verifying (default aws-lc).
    pub backend: Backend,
    /// How many eIMs fit (default 8); more: insufficientMemory.
    pub max_eims: usize,
    /// Most PSMOs/eCOs in one package (default 32); more: sizeOverflow.
    pub max_package_operations: usize,
    /// Whether the rollback mechanism exists (default true).
    pub rollback_supported: bool,
    /// ipaMode of EUICCInfo2: 0 ipad (default), 1 ipae.
    pub ipa_mode: i64,
    /// RFC 6979 signatures (reproducible bytes; slower on aws-lc). Default false.
    pub deterministic_signatures: bool,
    /// CIs trusted for RSP server certificates besides the eUICC's own PKI CI (SGP.22
    /// 5.7.13); default: the SGP.26 v3 NIST test CI. Listed in euiccCiPKIdListForVerification.
    pub trusted_cis: TrustedCis,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            counter_rule: CounterRule::StrictlyGreater,
            max_counter: 0x7F_FFFF,
            version: Sgp32Version::V1_2,
            backend: Backend::AwsLc,
            max_eims: 8,
            max_package_operations: 32,
            rollback_supported: true,
            ipa_mode: 0,
            deterministic_signatures: false,
            trusted_cis: TrustedCis::default(),
        }
    }
}

/// Misbehaviour knobs for testing eIMs against a faulty device; all off by default.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Faults {
    /// euiccSignEPR/euiccSignEPE with one bit flipped.
    pub wrong_result_signature: bool,
    /// Results echo the previously stored counter instead of the package's.
    pub stale_counter: bool,
    /// Results echo a different eimTransactionId (last byte flipped, or `00` when none).
    pub wrong_eim_transaction_id: bool,
    /// addEim, AddInitialEim, configureImmediateEnable and ConfigureImmediateProfileEnabling
    /// answer insufficientMemory.
    pub insufficient_memory: bool,
    /// An eCall is ongoing: LoadEuiccPackage (signed error), EuiccMemoryReset and
    /// ExecuteFallbackMechanism answer ecallActive.
    pub ecall_active: bool,
    /// The CAT is busy: enable/disable PSMOs and the refresh functions answer catBusy.
    pub cat_busy: bool,
    /// Operations with commandError(7) in their codes answer it.
    pub command_error: bool,
    /// Every operation with undefinedError(127) in its codes answers it (PSMOs except getRAT,
    /// eCOs, AddInitialEim, SetDefaultDpAddress, the rollback, immediate-enable, fallback and
    /// memory-reset functions).
    pub undefined_error: bool,
    /// Processing of a package stops after this many operations: the result lists their
    /// results, then `processingTerminated` with the given reason (SGP.32 2.11.2.1:
    /// resultSizeOverflow, unknownOrDamagedCommand, interruption, undefinedError), and the
    /// remaining operations are not executed.
    pub terminate_after: Option<(usize, crate::asn1::sgp32::ProcessingTerminated)>,
    /// A profile change is ongoing: the listProfileInfo PSMO answers profileChangeOngoing.
    pub profile_change_ongoing: bool,
    /// How long the driver should wait before delivering each answer (sans-IO: exposed only).
    pub delay: Duration,
}

#[cfg(test)]
mod tests;
