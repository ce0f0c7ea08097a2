//! RSPDefinitions (SGP.22 v2.5, `shared/spec/asn1/v1.2/RSPDefinitions.asn`): the types SGP.32
//! imports and the rest an eUICC, IPA or SM-DP+ uses (ES10a/b/c, ES8+ BPP, ES9+ ASN.1 binding).
//!
//! The module is `AUTOMATIC TAGS` and `EXTENSIBILITY IMPLIED`: every SEQUENCE ends with an
//! [`Extensions`] field. Automatic tagging only applies to a SEQUENCE/CHOICE none of whose
//! components is written with a tag (X.680 25.3); those use `#[rasn(automatic_tags)]`, the others
//! carry the module's tags per field (untagged components keep their universal tag).
//!
//! Naming: Rust names are the ASN.1 names, except that a leading `EUICC`/`UICC` is written
//! `Euicc`/`Uicc` (`EUICCInfo2` is [`EuiccInfo2`], `UICCCapability` is [`UiccCapability`]; type
//! aliases with the ASN.1 spelling exist for the types SGP.32 imports). Anonymous inner types are
//! named after their component (`ProfileInfoListRequest.searchCriteria` is
//! [`ProfileInfoListSearchCriteria`]).
//!
//! OCTET STRING types of the module (`Octet16`, `VersionType`, `Iccid`, `TransactionId`, ...) are
//! newtypes that serialize as hex by themselves and implement `AsRef<[u8]>` (so
//! `json::hex`/`hex_opt`/`hex_seq` also work on them); rasn's `FixedOctetString` does not
//! implement `AsRef<[u8]>`. A type-level tag (`Iccid ::= [APPLICATION 26] ...`) is on the newtype,
//! so fields of that type need no tag attribute. Named-bit BIT STRINGs are `BitString` aliases
//! (serialize with `json::bits`).

use rasn::prelude::*;
use serde::{Serialize, Serializer};

use crate::asn1::Extensions;
use crate::asn1::pkix::{Certificate, CertificateList, SubjectKeyIdentifier};
use crate::named_integer;

// ---------------------------------------------------------------------------------------------
// Basic types
// ---------------------------------------------------------------------------------------------

/// Declares an OCTET STRING newtype (hex in JSON, `AsRef<[u8]>`, `Deref<Target = [u8]>`).
macro_rules! octets {
    ($(#[$meta:meta])* $name:ident, fixed $n:literal) => {
        #[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $(#[$meta])*
        pub struct $name(pub FixedOctetString<$n>);

        impl $name {
            /// Wraps the bytes.
            pub fn new(bytes: [u8; $n]) -> Self {
                Self(FixedOctetString::from(bytes))
            }
        }

        impl From<[u8; $n]> for $name {
            fn from(value: [u8; $n]) -> Self {
                Self::new(value)
            }
        }

        impl TryFrom<&[u8]> for $name {
            type Error = core::array::TryFromSliceError;
            fn try_from(value: &[u8]) -> Result<Self, Self::Error> {
                Ok(Self::new(<[u8; $n]>::try_from(value)?))
            }
        }

        octets!(@common $name);
    };
    ($(#[$meta:meta])* $name:ident, variable) => {
        #[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $(#[$meta])*
        pub struct $name(pub OctetString);

        impl $name {
            /// Wraps the bytes.
            pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
                Self(OctetString::from(bytes.into()))
            }
        }

        impl From<Vec<u8>> for $name {
            fn from(value: Vec<u8>) -> Self {
                Self::new(value)
            }
        }

        impl From<&[u8]> for $name {
            fn from(value: &[u8]) -> Self {
                Self::new(value.to_vec())
            }
        }

        octets!(@common $name);
    };
    (@common $name:ident) => {
        impl AsRef<[u8]> for $name {
            fn as_ref(&self) -> &[u8] {
                &self.0[..]
            }
        }

        impl core::ops::Deref for $name {
            type Target = [u8];
            fn deref(&self) -> &[u8] {
                &self.0[..]
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&hex::encode(self.as_ref()))
            }
        }
    };
}

octets! {
    /// SGP.22 `Octet1 ::= OCTET STRING (SIZE(1))`.
    #[rasn(delegate)]
    Octet1, fixed 1
}
octets! {
    /// SGP.22 `Octet2 ::= OCTET STRING (SIZE(2))`.
    #[rasn(delegate)]
    Octet2, fixed 2
}
octets! {
    /// SGP.22 `Octet4 ::= OCTET STRING (SIZE(4))`.
    #[rasn(delegate)]
    Octet4, fixed 4
}
octets! {
    /// SGP.22 `Octet8 ::= OCTET STRING (SIZE(8))`.
    #[rasn(delegate)]
    Octet8, fixed 8
}
octets! {
    /// SGP.22 `Octet16 ::= OCTET STRING (SIZE(16))`.
    #[rasn(delegate)]
    Octet16, fixed 16
}
octets! {
    /// SGP.22 `Octet32 ::= OCTET STRING (SIZE(32))`.
    #[rasn(delegate)]
    Octet32, fixed 32
}
octets! {
    /// SGP.22 `OctetTo16 ::= OCTET STRING (SIZE(1..16))` (the size is checked when decoding and
    /// encoding).
    #[rasn(delegate, size("1..=16"))]
    OctetTo16, variable
}
octets! {
    /// SGP.22 `VersionType ::= OCTET STRING(SIZE(3))`: major/minor/revision, e.g. `02 05 00`.
    #[rasn(delegate)]
    VersionType, fixed 3
}
octets! {
    /// SGP.22 `Iccid ::= [APPLICATION 26] OCTET STRING (SIZE(10))`, tag '5A' (the EFiccid coding,
    /// nibble-swapped BCD).
    #[rasn(delegate, tag(application, 26))]
    Iccid, fixed 10
}
octets! {
    /// SGP.22 `TransactionId ::= OCTET STRING (SIZE(1..16))` (the size is checked when decoding
    /// and encoding).
    #[rasn(delegate, size("1..=16"))]
    TransactionId, variable
}
octets! {
    /// SGP.22 `EuiccSignPIR ::= [APPLICATION 55] OCTET STRING`, tag '5F37': the eUICC's signature
    /// over the ProfileInstallationResultData.
    #[rasn(delegate, tag(application, 55))]
    EuiccSignPIR, variable
}

impl VersionType {
    /// `major.minor.revision`.
    pub fn from_parts(major: u8, minor: u8, revision: u8) -> Self {
        Self::new([major, minor, revision])
    }
}

impl Iccid {
    /// Builds the EFiccid coding (nibble-swapped BCD, padded with 'F') from the ICCID digits
    /// (18 to 20 decimal digits); `None` for anything else.
    pub fn from_digits(digits: &str) -> Option<Self> {
        if !(18..=20).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let mut nibbles: Vec<u8> = digits.bytes().map(|b| b - b'0').collect();
        nibbles.resize(20, 0x0f);
        let mut bytes = [0u8; 10];
        for (byte, pair) in bytes.iter_mut().zip(nibbles.chunks(2)) {
            if let [low, high] = pair {
                *byte = (high << 4) | low;
            }
        }
        Some(Self::new(bytes))
    }

    /// The ICCID digits (the nibble-swapped BCD decoded, 'F' padding dropped).
    pub fn digits(&self) -> String {
        self.0
            .iter()
            .flat_map(|b| [b & 0x0f, b >> 4])
            .take_while(|n| *n != 0x0f)
            .map(|n| char::from_digit(u32::from(n), 16).unwrap_or('?'))
            .collect()
    }
}

impl core::fmt::Display for VersionType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{}.{}", self.0[0], self.0[1], self.0[2])
    }
}

/// SGP.22 `RspCapability ::= BIT STRING { additionalProfile(0), crlSupport(1), rpmSupport(2),
/// testProfileSupport(3), deviceInfoExtensibilitySupport(4), serviceSpecificDataSupport(5) }`.
pub type RspCapability = BitString;

/// `UICCCapability` of the eUICC Profile Package specification (PEDefinitions, imported by
/// SGP.22; not in our module files): a BIT STRING of named bits (contactlessSupport(0),
/// usimSupport(1), ...), kept as a plain [`BitString`].
pub type UiccCapability = BitString;
/// The ASN.1 spelling of [`UiccCapability`].
pub type UICCCapability = UiccCapability;

/// SGP.22 `PprIds ::= BIT STRING { pprUpdateControl(0), ppr1(1), ppr2(2) }`.
pub type PprIds = BitString;

/// SGP.22 `NotificationEvent ::= BIT STRING { notificationInstall(0), notificationEnable(1),
/// notificationDisable(2), notificationDelete(3) }`.
pub type NotificationEvent = BitString;

/// SGP.22 `CertificateInfo ::= BIT STRING { reserved(0), certSigningX509(1), rfu2(2), rfu3(3),
/// reserved2(4), certVerificationX509(5) }`.
pub type CertificateInfo = BitString;

/// SGP.22 `CatSupportedClasses ::= BIT STRING`.
pub type CatSupportedClasses = BitString;

/// SGP.22 `EuiccFormFactorType ::= INTEGER`.
pub type EuiccFormFactorType = i64;

named_integer! {
    /// SGP.22 `IconType`.
    pub IconType { JPG = 0 => "jpg", PNG = 1 => "png" }
}

named_integer! {
    /// SGP.22 `ProfileState`.
    pub ProfileState { DISABLED = 0 => "disabled", ENABLED = 1 => "enabled" }
}

named_integer! {
    /// SGP.22 `ProfileClass`.
    pub ProfileClass { TEST = 0 => "test", PROVISIONING = 1 => "provisioning", OPERATIONAL = 2 => "operational" }
}

named_integer! {
    /// SGP.22 `CancelSessionReason` (5.7.14).
    pub CancelSessionReason {
        END_USER_REJECTION = 0 => "endUserRejection",
        POSTPONED = 1 => "postponed",
        TIMEOUT = 2 => "timeout",
        PPR_NOT_ALLOWED = 3 => "pprNotAllowed",
        METADATA_MISMATCH = 4 => "metadataMismatch",
        LOAD_BPP_EXECUTION_ERROR = 5 => "loadBppExecutionError",
        UNDEFINED_REASON = 127 => "undefinedReason",
    }
}

named_integer! {
    /// SGP.22 `RemoteOpId ::= [2] INTEGER {installBoundProfilePackage(1)}`. The type-level tag
    /// `[2]` is on the one field that uses it ([`InitialiseSecureChannelRequest::remote_op_id`]).
    pub RemoteOpId { INSTALL_BOUND_PROFILE_PACKAGE = 1 => "installBoundProfilePackage" }
}

named_integer! {
    /// SGP.22 `DownloadErrorCode` (PrepareDownload).
    pub DownloadErrorCode {
        INVALID_CERTIFICATE = 1 => "invalidCertificate",
        INVALID_SIGNATURE = 2 => "invalidSignature",
        UNSUPPORTED_CURVE = 3 => "unsupportedCurve",
        NO_SESSION_CONTEXT = 4 => "noSessionContext",
        INVALID_TRANSACTION_ID = 5 => "invalidTransactionId",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// SGP.22 `AuthenticateErrorCode` (AuthenticateServer).
    pub AuthenticateErrorCode {
        INVALID_CERTIFICATE = 1 => "invalidCertificate",
        INVALID_SIGNATURE = 2 => "invalidSignature",
        UNSUPPORTED_CURVE = 3 => "unsupportedCurve",
        NO_SESSION_CONTEXT = 4 => "noSessionContext",
        INVALID_OID = 5 => "invalidOid",
        EUICC_CHALLENGE_MISMATCH = 6 => "euiccChallengeMismatch",
        CI_PK_UNKNOWN = 7 => "ciPKUnknown",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// SGP.22 `BppCommandId`.
    pub BppCommandId {
        INITIALISE_SECURE_CHANNEL = 0 => "initialiseSecureChannel",
        CONFIGURE_ISDP = 1 => "configureISDP",
        STORE_METADATA = 2 => "storeMetadata",
        STORE_METADATA2 = 3 => "storeMetadata2",
        REPLACE_SESSION_KEYS = 4 => "replaceSessionKeys",
        LOAD_PROFILE_ELEMENTS = 5 => "loadProfileElements",
    }
}

named_integer! {
    /// SGP.22 `ErrorReason` (ProfileInstallationResult).
    pub ErrorReason {
        INCORRECT_INPUT_VALUES = 1 => "incorrectInputValues",
        INVALID_SIGNATURE = 2 => "invalidSignature",
        INVALID_TRANSACTION_ID = 3 => "invalidTransactionId",
        UNSUPPORTED_CRT_VALUES = 4 => "unsupportedCrtValues",
        UNSUPPORTED_REMOTE_OPERATION_TYPE = 5 => "unsupportedRemoteOperationType",
        UNSUPPORTED_PROFILE_CLASS = 6 => "unsupportedProfileClass",
        SCP03T_STRUCTURE_ERROR = 7 => "scp03tStructureError",
        SCP03T_SECURITY_ERROR = 8 => "scp03tSecurityError",
        INSTALL_FAILED_DUE_TO_ICCID_ALREADY_EXISTS_ON_EUICC = 9 => "installFailedDueToIccidAlreadyExistsOnEuicc",
        INSTALL_FAILED_DUE_TO_INSUFFICIENT_MEMORY_FOR_PROFILE = 10 => "installFailedDueToInsufficientMemoryForProfile",
        INSTALL_FAILED_DUE_TO_INTERRUPTION = 11 => "installFailedDueToInterruption",
        INSTALL_FAILED_DUE_TO_PE_PROCESSING_ERROR = 12 => "installFailedDueToPEProcessingError",
        INSTALL_FAILED_DUE_TO_DATA_MISMATCH = 13 => "installFailedDueToDataMismatch",
        TEST_PROFILE_INSTALL_FAILED_DUE_TO_INVALID_NAA_KEY = 14 => "testProfileInstallFailedDueToInvalidNaaKey",
        PPR_NOT_ALLOWED = 15 => "pprNotAllowed",
        INSTALL_FAILED_DUE_TO_UNKNOWN_ERROR = 127 => "installFailedDueToUnknownError",
    }
}

// ---------------------------------------------------------------------------------------------
// EUICCInfo1, DeviceInfo, RAT, operator and metadata building blocks
// ---------------------------------------------------------------------------------------------

/// SGP.22 5.7.8 `EUICCInfo1 ::= [32] SEQUENCE`, tag 'BF20' (also `GetEuiccInfo1` answer).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 32))]
pub struct EuiccInfo1 {
    /// `svn [2] VersionType`.
    #[rasn(tag(context, 2))]
    #[serde(rename = "svn")]
    pub svn: VersionType,
    /// `euiccCiPKIdListForVerification [9] SEQUENCE OF SubjectKeyIdentifier`.
    #[rasn(tag(context, 9))]
    #[serde(rename = "euiccCiPKIdListForVerification")]
    pub euicc_ci_pk_id_list_for_verification: Vec<SubjectKeyIdentifier>,
    /// `euiccCiPKIdListForSigning [10] SEQUENCE OF SubjectKeyIdentifier`.
    #[rasn(tag(context, 10))]
    #[serde(rename = "euiccCiPKIdListForSigning")]
    pub euicc_ci_pk_id_list_for_signing: Vec<SubjectKeyIdentifier>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}
/// The ASN.1 spelling of [`EuiccInfo1`].
pub type EUICCInfo1 = EuiccInfo1;

/// SGP.22 `CertificationDataObject ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct CertificationDataObject {
    /// `platformLabel UTF8String`.
    #[serde(rename = "platformLabel")]
    pub platform_label: String,
    /// `discoveryBaseURL UTF8String`.
    #[serde(rename = "discoveryBaseURL")]
    pub discovery_base_url: String,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.13 `DeviceInfo ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct DeviceInfo {
    /// `tac Octet4`.
    #[serde(rename = "tac")]
    pub tac: Octet4,
    /// `deviceCapabilities DeviceCapabilities`.
    #[serde(rename = "deviceCapabilities")]
    pub device_capabilities: DeviceCapabilities,
    /// `imei Octet8 OPTIONAL`.
    #[serde(rename = "imei", skip_serializing_if = "Option::is_none")]
    pub imei: Option<Octet8>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.13 `DeviceCapabilities ::= SEQUENCE` (highest fully supported release per
/// technology).
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct DeviceCapabilities {
    /// `gsmSupportedRelease VersionType OPTIONAL`.
    #[serde(
        rename = "gsmSupportedRelease",
        skip_serializing_if = "Option::is_none"
    )]
    pub gsm_supported_release: Option<VersionType>,
    /// `utranSupportedRelease VersionType OPTIONAL`.
    #[serde(
        rename = "utranSupportedRelease",
        skip_serializing_if = "Option::is_none"
    )]
    pub utran_supported_release: Option<VersionType>,
    /// `cdma2000onexSupportedRelease VersionType OPTIONAL`.
    #[serde(
        rename = "cdma2000onexSupportedRelease",
        skip_serializing_if = "Option::is_none"
    )]
    pub cdma2000onex_supported_release: Option<VersionType>,
    /// `cdma2000hrpdSupportedRelease VersionType OPTIONAL`.
    #[serde(
        rename = "cdma2000hrpdSupportedRelease",
        skip_serializing_if = "Option::is_none"
    )]
    pub cdma2000hrpd_supported_release: Option<VersionType>,
    /// `cdma2000ehrpdSupportedRelease VersionType OPTIONAL`.
    #[serde(
        rename = "cdma2000ehrpdSupportedRelease",
        skip_serializing_if = "Option::is_none"
    )]
    pub cdma2000ehrpd_supported_release: Option<VersionType>,
    /// `eutranEpcSupportedRelease VersionType OPTIONAL`.
    #[serde(
        rename = "eutranEpcSupportedRelease",
        skip_serializing_if = "Option::is_none"
    )]
    pub eutran_epc_supported_release: Option<VersionType>,
    /// `contactlessSupportedRelease VersionType OPTIONAL`.
    #[serde(
        rename = "contactlessSupportedRelease",
        skip_serializing_if = "Option::is_none"
    )]
    pub contactless_supported_release: Option<VersionType>,
    /// `rspCrlSupportedVersion VersionType OPTIONAL`.
    #[serde(
        rename = "rspCrlSupportedVersion",
        skip_serializing_if = "Option::is_none"
    )]
    pub rsp_crl_supported_version: Option<VersionType>,
    /// `nrEpcSupportedRelease VersionType OPTIONAL`.
    #[serde(
        rename = "nrEpcSupportedRelease",
        skip_serializing_if = "Option::is_none"
    )]
    pub nr_epc_supported_release: Option<VersionType>,
    /// `nr5gcSupportedRelease VersionType OPTIONAL`.
    #[serde(
        rename = "nr5gcSupportedRelease",
        skip_serializing_if = "Option::is_none"
    )]
    pub nr5gc_supported_release: Option<VersionType>,
    /// `eutran5gcSupportedRelease VersionType OPTIONAL`.
    #[serde(
        rename = "eutran5gcSupportedRelease",
        skip_serializing_if = "Option::is_none"
    )]
    pub eutran5gc_supported_release: Option<VersionType>,
    /// `lpaSvn VersionType OPTIONAL`.
    #[serde(rename = "lpaSvn", skip_serializing_if = "Option::is_none")]
    pub lpa_svn: Option<VersionType>,
    /// `catSupportedClasses CatSupportedClasses OPTIONAL`.
    #[serde(
        rename = "catSupportedClasses",
        serialize_with = "crate::asn1::json::bits_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub cat_supported_classes: Option<CatSupportedClasses>,
    /// `euiccFormFactorType EuiccFormFactorType OPTIONAL`.
    #[serde(
        rename = "euiccFormFactorType",
        skip_serializing_if = "Option::is_none"
    )]
    pub euicc_form_factor_type: Option<EuiccFormFactorType>,
    /// `deviceAdditionalFeatureSupport DeviceAdditionalFeatureSupport OPTIONAL`.
    #[serde(
        rename = "deviceAdditionalFeatureSupport",
        skip_serializing_if = "Option::is_none"
    )]
    pub device_additional_feature_support: Option<DeviceAdditionalFeatureSupport>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 `DeviceAdditionalFeatureSupport ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct DeviceAdditionalFeatureSupport {
    /// `naiSupport VersionType OPTIONAL`.
    #[serde(rename = "naiSupport", skip_serializing_if = "Option::is_none")]
    pub nai_support: Option<VersionType>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 `OperatorId ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct OperatorId {
    /// `mccMnc OCTET STRING (SIZE(3))`.
    #[serde(rename = "mccMnc")]
    pub mcc_mnc: MccMnc,
    /// `gid1 OCTET STRING OPTIONAL`.
    #[serde(
        rename = "gid1",
        serialize_with = "crate::asn1::json::hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub gid1: Option<OctetString>,
    /// `gid2 OCTET STRING OPTIONAL`.
    #[serde(
        rename = "gid2",
        serialize_with = "crate::asn1::json::hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub gid2: Option<OctetString>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

octets! {
    /// `OperatorId.mccMnc OCTET STRING (SIZE(3))`: MCC and MNC as coded in 3GPP TS 24.008.
    #[rasn(delegate)]
    MccMnc, fixed 3
}

/// SGP.22 `RulesAuthorisationTable ::= SEQUENCE OF ProfilePolicyAuthorisationRule`.
pub type RulesAuthorisationTable = Vec<ProfilePolicyAuthorisationRule>;

/// SGP.22 `ProfilePolicyAuthorisationRule ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct ProfilePolicyAuthorisationRule {
    /// `pprIds PprIds`.
    #[serde(rename = "pprIds", serialize_with = "crate::asn1::json::bits")]
    pub ppr_ids: PprIds,
    /// `allowedOperators SEQUENCE OF OperatorId`.
    #[serde(rename = "allowedOperators")]
    pub allowed_operators: Vec<OperatorId>,
    /// `pprFlags BIT STRING {consentRequired(0)}`.
    #[serde(rename = "pprFlags", serialize_with = "crate::asn1::json::bits")]
    pub ppr_flags: BitString,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 `NotificationConfigurationInformation ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct NotificationConfigurationInformation {
    /// `profileManagementOperation NotificationEvent`.
    #[serde(
        rename = "profileManagementOperation",
        serialize_with = "crate::asn1::json::bits"
    )]
    pub profile_management_operation: NotificationEvent,
    /// `notificationAddress UTF8String`.
    #[serde(rename = "notificationAddress")]
    pub notification_address: String,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 `VendorSpecificExtension ::= SEQUENCE OF SEQUENCE { vendorOid, vendorSpecificData }`.
pub type VendorSpecificExtension = Vec<VendorSpecificExtensionElement>;

/// One element of [`VendorSpecificExtension`] (the anonymous inner SEQUENCE).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VendorSpecificExtensionElement {
    /// `vendorOid [0] OPENTYPE.&typeId` (an OBJECT IDENTIFIER).
    #[rasn(tag(context, 0))]
    #[serde(rename = "vendorOid", serialize_with = "crate::asn1::json::oid")]
    pub vendor_oid: ObjectIdentifier,
    /// `vendorSpecificData [1] OPENTYPE.&Type`: an open type, so the tag is explicit
    /// (`A1 <TLV>`); the inner TLV is kept whole.
    #[rasn(tag(explicit(context, 1)))]
    #[serde(
        rename = "vendorSpecificData",
        serialize_with = "crate::asn1::pkix::any_hex"
    )]
    pub vendor_specific_data: Any,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 `DpProprietaryData ::= SEQUENCE { dpOid OBJECT IDENTIFIER, ... }` (automatic tags:
/// `dpOid` is '80'); the further data objects an SM-DP+ MAY add land in `extensions`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct DpProprietaryData {
    /// `dpOid OBJECT IDENTIFIER`.
    #[serde(rename = "dpOid", serialize_with = "crate::asn1::json::oid")]
    pub dp_oid: ObjectIdentifier,
    /// Unknown trailing elements (the SM-DP+'s additional data objects).
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

// ---------------------------------------------------------------------------------------------
// ProfileInfoListRequest
// ---------------------------------------------------------------------------------------------

/// SGP.22 5.7.15 `ProfileInfoListRequest ::= [45] SEQUENCE`, tag 'BF2D'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 45))]
pub struct ProfileInfoListRequest {
    /// `searchCriteria [0] CHOICE {...} OPTIONAL` (explicit: 'A0').
    #[rasn(tag(context, 0))]
    #[serde(rename = "searchCriteria", skip_serializing_if = "Option::is_none")]
    pub search_criteria: Option<ProfileInfoListSearchCriteria>,
    /// `tagList [APPLICATION 28] OCTET STRING OPTIONAL`, tag '5C'.
    #[rasn(tag(application, 28))]
    #[serde(
        rename = "tagList",
        serialize_with = "crate::asn1::json::hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub tag_list: Option<OctetString>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `ProfileInfoListRequest.searchCriteria`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum ProfileInfoListSearchCriteria {
    /// `isdpAid [APPLICATION 15] OctetTo16`, tag '4F'.
    #[rasn(tag(application, 15))]
    #[serde(rename = "isdpAid")]
    IsdpAid(OctetTo16),
    /// `iccid Iccid`, tag '5A'.
    #[serde(rename = "iccid")]
    Iccid(Iccid),
    /// `profileClass [21] ProfileClass`, tag '95'.
    #[rasn(tag(context, 21))]
    #[serde(rename = "profileClass")]
    ProfileClass(ProfileClass),
}

// ---------------------------------------------------------------------------------------------
// PrepareDownload, AuthenticateServer building blocks
// ---------------------------------------------------------------------------------------------

/// SGP.22 5.7.5 `SmdpSigned2 ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SmdpSigned2 {
    /// `transactionId [0] TransactionId`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `ccRequiredFlag BOOLEAN`.
    #[serde(rename = "ccRequiredFlag")]
    pub cc_required_flag: bool,
    /// `bppEuiccOtpk [APPLICATION 73] OCTET STRING OPTIONAL`, tag '5F49'.
    #[rasn(tag(application, 73))]
    #[serde(
        rename = "bppEuiccOtpk",
        serialize_with = "crate::asn1::json::hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub bpp_euicc_otpk: Option<OctetString>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.5 `PrepareDownloadResponseOk ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrepareDownloadResponseOk {
    /// `euiccSigned2 EUICCSigned2`.
    #[serde(rename = "euiccSigned2")]
    pub euicc_signed2: EuiccSigned2,
    /// `euiccSignature2 [APPLICATION 55] OCTET STRING`, tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "euiccSignature2", serialize_with = "crate::asn1::json::hex")]
    pub euicc_signature2: OctetString,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.5 `EUICCSigned2 ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EuiccSigned2 {
    /// `transactionId [0] TransactionId`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `euiccOtpk [APPLICATION 73] OCTET STRING`, tag '5F49'.
    #[rasn(tag(application, 73))]
    #[serde(rename = "euiccOtpk", serialize_with = "crate::asn1::json::hex")]
    pub euicc_otpk: OctetString,
    /// `hashCc Octet32 OPTIONAL`.
    #[serde(rename = "hashCc", skip_serializing_if = "Option::is_none")]
    pub hash_cc: Option<Octet32>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}
/// The ASN.1 spelling of [`EuiccSigned2`].
pub type EUICCSigned2 = EuiccSigned2;

/// SGP.22 5.7.5 `PrepareDownloadResponseError ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrepareDownloadResponseError {
    /// `transactionId [0] TransactionId`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `downloadErrorCode DownloadErrorCode`.
    #[serde(rename = "downloadErrorCode")]
    pub download_error_code: DownloadErrorCode,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.13 `ServerSigned1 ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerSigned1 {
    /// `transactionId [0] TransactionId`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `euiccChallenge [1] Octet16`.
    #[rasn(tag(context, 1))]
    #[serde(rename = "euiccChallenge")]
    pub euicc_challenge: Octet16,
    /// `serverAddress [3] UTF8String`.
    #[rasn(tag(context, 3))]
    #[serde(rename = "serverAddress")]
    pub server_address: String,
    /// `serverChallenge [4] Octet16`.
    #[rasn(tag(context, 4))]
    #[serde(rename = "serverChallenge")]
    pub server_challenge: Octet16,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.13 `CtxParams1 ::= CHOICE` (automatic tags: the one alternative is 'A0').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum CtxParams1 {
    /// `ctxParamsForCommonAuthentication CtxParamsForCommonAuthentication`.
    #[serde(rename = "ctxParamsForCommonAuthentication")]
    CtxParamsForCommonAuthentication(CtxParamsForCommonAuthentication),
}

/// SGP.22 5.7.13 `CtxParamsForCommonAuthentication ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct CtxParamsForCommonAuthentication {
    /// `matchingId UTF8String OPTIONAL`.
    #[serde(rename = "matchingId", skip_serializing_if = "Option::is_none")]
    pub matching_id: Option<String>,
    /// `deviceInfo DeviceInfo`.
    #[serde(rename = "deviceInfo")]
    pub device_info: DeviceInfo,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.13 `AuthenticateResponseError ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthenticateResponseError {
    /// `transactionId [0] TransactionId`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `authenticateErrorCode AuthenticateErrorCode`.
    #[serde(rename = "authenticateErrorCode")]
    pub authenticate_error_code: AuthenticateErrorCode,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

// ---------------------------------------------------------------------------------------------
// Cancel session
// ---------------------------------------------------------------------------------------------

/// SGP.22 5.7.14 `CancelSessionResponseOk ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CancelSessionResponseOk {
    /// `euiccCancelSessionSigned EuiccCancelSessionSigned`.
    #[serde(rename = "euiccCancelSessionSigned")]
    pub euicc_cancel_session_signed: EuiccCancelSessionSigned,
    /// `euiccCancelSessionSignature [APPLICATION 55] OCTET STRING`, tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(
        rename = "euiccCancelSessionSignature",
        serialize_with = "crate::asn1::json::hex"
    )]
    pub euicc_cancel_session_signature: OctetString,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.14 `EuiccCancelSessionSigned ::= SEQUENCE` (automatic tags: '80', '81', '82').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct EuiccCancelSessionSigned {
    /// `transactionId TransactionId`.
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `smdpOid OBJECT IDENTIFIER`.
    #[serde(rename = "smdpOid", serialize_with = "crate::asn1::json::oid")]
    pub smdp_oid: ObjectIdentifier,
    /// `reason CancelSessionReason`.
    #[serde(rename = "reason")]
    pub reason: CancelSessionReason,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

// ---------------------------------------------------------------------------------------------
// Bound Profile Package
// ---------------------------------------------------------------------------------------------

/// SGP.22 2.5.5 `BoundProfilePackage ::= [54] SEQUENCE`, tag 'BF36'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 54))]
pub struct BoundProfilePackage {
    /// `initialiseSecureChannelRequest [35] InitialiseSecureChannelRequest`, tag 'BF23'.
    #[rasn(tag(context, 35))]
    #[serde(rename = "initialiseSecureChannelRequest")]
    pub initialise_secure_channel_request: InitialiseSecureChannelRequest,
    /// `firstSequenceOf87 [0] SEQUENCE OF [7] OCTET STRING` ('A0' of '87' TLVs: ConfigureISDP).
    #[rasn(tag(context, 0))]
    #[serde(rename = "firstSequenceOf87")]
    pub first_sequence_of87: Vec<BppSegment87>,
    /// `sequenceOf88 [1] SEQUENCE OF [8] OCTET STRING` ('A1' of '88' TLVs: StoreMetadata).
    #[rasn(tag(context, 1))]
    #[serde(rename = "sequenceOf88")]
    pub sequence_of88: Vec<BppSegment88>,
    /// `secondSequenceOf87 [2] SEQUENCE OF [7] OCTET STRING OPTIONAL` ('A2': ReplaceSessionKeys).
    #[rasn(tag(context, 2))]
    #[serde(rename = "secondSequenceOf87", skip_serializing_if = "Option::is_none")]
    pub second_sequence_of87: Option<Vec<BppSegment87>>,
    /// `sequenceOf86 [3] SEQUENCE OF [6] OCTET STRING` ('A3' of '86' TLVs: profile elements).
    #[rasn(tag(context, 3))]
    #[serde(rename = "sequenceOf86")]
    pub sequence_of86: Vec<BppSegment86>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

octets! {
    /// A `[7] OCTET STRING` ('87') segment of a [`BoundProfilePackage`].
    #[rasn(delegate, tag(context, 7))]
    BppSegment87, variable
}
octets! {
    /// An `[8] OCTET STRING` ('88') segment of a [`BoundProfilePackage`].
    #[rasn(delegate, tag(context, 8))]
    BppSegment88, variable
}
octets! {
    /// A `[6] OCTET STRING` ('86') segment of a [`BoundProfilePackage`].
    #[rasn(delegate, tag(context, 6))]
    BppSegment86, variable
}

/// SGP.22 5.5.1 `InitialiseSecureChannelRequest ::= [35] SEQUENCE`, tag 'BF23'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 35))]
pub struct InitialiseSecureChannelRequest {
    /// `remoteOpId RemoteOpId` (`RemoteOpId ::= [2] INTEGER`, tag '82').
    #[rasn(tag(context, 2))]
    #[serde(rename = "remoteOpId")]
    pub remote_op_id: RemoteOpId,
    /// `transactionId [0] TransactionId`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `controlRefTemplate [6] IMPLICIT ControlRefTemplate`, tag 'A6'.
    #[rasn(tag(context, 6))]
    #[serde(rename = "controlRefTemplate")]
    pub control_ref_template: ControlRefTemplate,
    /// `smdpOtpk [APPLICATION 73] OCTET STRING`, tag '5F49'.
    #[rasn(tag(application, 73))]
    #[serde(rename = "smdpOtpk", serialize_with = "crate::asn1::json::hex")]
    pub smdp_otpk: OctetString,
    /// `smdpSign [APPLICATION 55] OCTET STRING`, tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "smdpSign", serialize_with = "crate::asn1::json::hex")]
    pub smdp_sign: OctetString,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.5.1 `ControlRefTemplate ::= SEQUENCE` (a GlobalPlatform CRT).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlRefTemplate {
    /// `keyType [0] Octet1` (AES = '88'), tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "keyType")]
    pub key_type: Octet1,
    /// `keyLen [1] Octet1` ('10'), tag '81'.
    #[rasn(tag(context, 1))]
    #[serde(rename = "keyLen")]
    pub key_len: Octet1,
    /// `hostId [4] OctetTo16`, tag '84'.
    #[rasn(tag(context, 4))]
    #[serde(rename = "hostId")]
    pub host_id: OctetTo16,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

// ---------------------------------------------------------------------------------------------
// Profile installation result, notifications
// ---------------------------------------------------------------------------------------------

/// SGP.22 5.7.7 `ProfileInstallationResultData ::= [39] SEQUENCE`, tag 'BF27'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 39))]
pub struct ProfileInstallationResultData {
    /// `transactionId [0] TransactionId`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `notificationMetadata [47] NotificationMetadata`, tag 'BF2F'.
    #[rasn(tag(context, 47))]
    #[serde(rename = "notificationMetadata")]
    pub notification_metadata: NotificationMetadata,
    /// `smdpOid OBJECT IDENTIFIER` (universal tag '06').
    #[serde(rename = "smdpOid", serialize_with = "crate::asn1::json::oid")]
    pub smdp_oid: ObjectIdentifier,
    /// `finalResult [2] CHOICE {...}` (explicit: 'A2').
    #[rasn(tag(context, 2))]
    #[serde(rename = "finalResult")]
    pub final_result: FinalResult,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `ProfileInstallationResultData.finalResult` (automatic tags: 'A0' / 'A1').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum FinalResult {
    /// `successResult SuccessResult`.
    #[serde(rename = "successResult")]
    SuccessResult(SuccessResult),
    /// `errorResult ErrorResult`.
    #[serde(rename = "errorResult")]
    ErrorResult(ErrorResult),
}

/// SGP.22 5.7.7 `SuccessResult ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuccessResult {
    /// `aid [APPLICATION 15] OCTET STRING (SIZE (5..16))`, tag '4F': AID of the ISD-P.
    #[rasn(tag(application, 15))]
    #[serde(rename = "aid", serialize_with = "crate::asn1::json::hex")]
    pub aid: OctetString,
    /// `simaResponse OCTET STRING` (EUICCResponse(s)).
    #[serde(rename = "simaResponse", serialize_with = "crate::asn1::json::hex")]
    pub sima_response: OctetString,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.7 `ErrorResult ::= SEQUENCE` (automatic tags: '80', '81', '82').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct ErrorResult {
    /// `bppCommandId BppCommandId`.
    #[serde(rename = "bppCommandId")]
    pub bpp_command_id: BppCommandId,
    /// `errorReason ErrorReason`.
    #[serde(rename = "errorReason")]
    pub error_reason: ErrorReason,
    /// `simaResponse OCTET STRING OPTIONAL`.
    #[serde(
        rename = "simaResponse",
        serialize_with = "crate::asn1::json::hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub sima_response: Option<OctetString>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.7 `ProfileInstallationResult ::= [55] SEQUENCE`, tag 'BF37'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 55))]
pub struct ProfileInstallationResult {
    /// `profileInstallationResultData [39] ProfileInstallationResultData`, tag 'BF27'.
    #[rasn(tag(context, 39))]
    #[serde(rename = "profileInstallationResultData")]
    pub profile_installation_result_data: ProfileInstallationResultData,
    /// `euiccSignPIR EuiccSignPIR`, tag '5F37'.
    #[serde(rename = "euiccSignPIR")]
    pub euicc_sign_pir: EuiccSignPIR,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.10 `NotificationMetadata ::= [47] SEQUENCE`, tag 'BF2F'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 47))]
pub struct NotificationMetadata {
    /// `seqNumber [0] INTEGER`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "seqNumber")]
    pub seq_number: i64,
    /// `profileManagementOperation [1] NotificationEvent` (one bit set).
    #[rasn(tag(context, 1))]
    #[serde(
        rename = "profileManagementOperation",
        serialize_with = "crate::asn1::json::bits"
    )]
    pub profile_management_operation: NotificationEvent,
    /// `notificationAddress UTF8String` (FQDN).
    #[serde(rename = "notificationAddress")]
    pub notification_address: String,
    /// `iccid Iccid OPTIONAL`, tag '5A'.
    #[serde(rename = "iccid", skip_serializing_if = "Option::is_none")]
    pub iccid: Option<Iccid>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.10 `OtherSignedNotification ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtherSignedNotification {
    /// `tbsOtherNotification NotificationMetadata`, tag 'BF2F'.
    #[serde(rename = "tbsOtherNotification")]
    pub tbs_other_notification: NotificationMetadata,
    /// `euiccNotificationSignature [APPLICATION 55] OCTET STRING`, tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(
        rename = "euiccNotificationSignature",
        serialize_with = "crate::asn1::json::hex"
    )]
    pub euicc_notification_signature: OctetString,
    /// `euiccCertificate Certificate`.
    #[serde(rename = "euiccCertificate")]
    pub euicc_certificate: Certificate,
    /// `eumCertificate Certificate`.
    #[serde(rename = "eumCertificate")]
    pub eum_certificate: Certificate,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

// ---------------------------------------------------------------------------------------------
// Named INTEGERs of the ES10/ES9+ responses
// ---------------------------------------------------------------------------------------------

named_integer! {
    /// SGP.22 `EUICCInfo2.euiccCategory`.
    pub EuiccCategory {
        OTHER = 0 => "other",
        BASIC_EUICC = 1 => "basicEuicc",
        MEDIUM_EUICC = 2 => "mediumEuicc",
        CONTACTLESS_EUICC = 3 => "contactlessEuicc",
    }
}

named_integer! {
    /// SGP.22 `ProfileInfoListError`.
    pub ProfileInfoListError {
        INCORRECT_INPUT_VALUES = 1 => "incorrectInputValues",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// SGP.22 `CancelSessionResponse.cancelSessionResponseError`.
    pub CancelSessionResponseError {
        INVALID_TRANSACTION_ID = 5 => "invalidTransactionId",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// SGP.22 `ListNotificationResponse.listNotificationsResultError`.
    pub ListNotificationsResultError { UNDEFINED_ERROR = 127 => "undefinedError" }
}

named_integer! {
    /// SGP.22 `RetrieveNotificationsListResponse.notificationsListResultError`.
    pub NotificationsListResultError { UNDEFINED_ERROR = 127 => "undefinedError" }
}

named_integer! {
    /// SGP.22 `NotificationSentResponse.deleteNotificationStatus`.
    pub DeleteNotificationStatus {
        OK = 0 => "ok",
        NOTHING_TO_DELETE = 1 => "nothingToDelete",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// SGP.22 `EnableProfileResponse.enableResult`.
    pub EnableResult {
        OK = 0 => "ok",
        ICCID_OR_AID_NOT_FOUND = 1 => "iccidOrAidNotFound",
        PROFILE_NOT_IN_DISABLED_STATE = 2 => "profileNotInDisabledState",
        DISALLOWED_BY_POLICY = 3 => "disallowedByPolicy",
        WRONG_PROFILE_REENABLING = 4 => "wrongProfileReenabling",
        CAT_BUSY = 5 => "catBusy",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// SGP.22 `DisableProfileResponse.disableResult`.
    pub DisableResult {
        OK = 0 => "ok",
        ICCID_OR_AID_NOT_FOUND = 1 => "iccidOrAidNotFound",
        PROFILE_NOT_IN_ENABLED_STATE = 2 => "profileNotInEnabledState",
        DISALLOWED_BY_POLICY = 3 => "disallowedByPolicy",
        CAT_BUSY = 5 => "catBusy",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// SGP.22 `DeleteProfileResponse.deleteResult`.
    pub DeleteResult {
        OK = 0 => "ok",
        ICCID_OR_AID_NOT_FOUND = 1 => "iccidOrAidNotFound",
        PROFILE_NOT_IN_DISABLED_STATE = 2 => "profileNotInDisabledState",
        DISALLOWED_BY_POLICY = 3 => "disallowedByPolicy",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// SGP.22 `EuiccMemoryResetResponse.resetResult`.
    pub ResetResult {
        OK = 0 => "ok",
        NOTHING_TO_DELETE = 1 => "nothingToDelete",
        CAT_BUSY = 5 => "catBusy",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// SGP.22 `SetNicknameResponse.setNicknameResult`.
    pub SetNicknameResult {
        OK = 0 => "ok",
        ICCID_NOT_FOUND = 1 => "iccidNotFound",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// SGP.22 `SetDefaultDpAddressResponse.setDefaultDpAddressResult`.
    pub SetDefaultDpAddressResult { OK = 0 => "ok", UNDEFINED_ERROR = 127 => "undefinedError" }
}

named_integer! {
    /// SGP.22 `LpaeActivationResponse.lpaeActivationResult`.
    pub LpaeActivationResult { OK = 0 => "ok", NOT_SUPPORTED = 1 => "notSupported" }
}

named_integer! {
    /// SGP.22 `LoadCRLResponseError`.
    pub LoadCRLResponseError {
        INVALID_SIGNATURE = 1 => "invalidSignature",
        INVALID_CRL_FORMAT = 2 => "invalidCRLFormat",
        NOT_ENOUGH_MEMORY_SPACE = 3 => "notEnoughMemorySpace",
        VERIFICATION_KEY_NOT_FOUND = 4 => "verificationKeyNotFound",
        FRESHER_CRL_ALREADY_LOADED = 5 => "fresherCrlAlreadyLoaded",
        BASE_CRL_MISSING = 6 => "baseCrlMissing",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// SGP.22 `InitiateAuthenticationResponse.initiateAuthenticationError` (ES9+).
    pub InitiateAuthenticationError {
        INVALID_DP_ADDRESS = 1 => "invalidDpAddress",
        EUICC_VERSION_NOT_SUPPORTED_BY_DP = 2 => "euiccVersionNotSupportedByDp",
        CI_PK_NOT_SUPPORTED = 3 => "ciPKNotSupported",
    }
}

named_integer! {
    /// SGP.22 `AuthenticateClientResponseEs9.authenticateClientError` (ES9+).
    pub AuthenticateClientError {
        EUM_CERTIFICATE_INVALID = 1 => "eumCertificateInvalid",
        EUM_CERTIFICATE_EXPIRED = 2 => "eumCertificateExpired",
        EUICC_CERTIFICATE_INVALID = 3 => "euiccCertificateInvalid",
        EUICC_CERTIFICATE_EXPIRED = 4 => "euiccCertificateExpired",
        EUICC_SIGNATURE_INVALID = 5 => "euiccSignatureInvalid",
        MATCHING_ID_REFUSED = 6 => "matchingIdRefused",
        EID_MISMATCH = 7 => "eidMismatch",
        NO_ELIGIBLE_PROFILE = 8 => "noEligibleProfile",
        CI_PK_UNKNOWN = 9 => "ciPKUnknown",
        INVALID_TRANSACTION_ID = 10 => "invalidTransactionId",
        INSUFFICIENT_MEMORY = 11 => "insufficientMemory",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// SGP.22 `AuthenticateClientResponseEs11.authenticateClientError` (ES11).
    pub AuthenticateClientErrorEs11 {
        EUM_CERTIFICATE_INVALID = 1 => "eumCertificateInvalid",
        EUM_CERTIFICATE_EXPIRED = 2 => "eumCertificateExpired",
        EUICC_CERTIFICATE_INVALID = 3 => "euiccCertificateInvalid",
        EUICC_CERTIFICATE_EXPIRED = 4 => "euiccCertificateExpired",
        EUICC_SIGNATURE_INVALID = 5 => "euiccSignatureInvalid",
        EVENT_ID_UNKNOWN = 6 => "eventIdUnknown",
        INVALID_TRANSACTION_ID = 7 => "invalidTransactionId",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// SGP.22 `GetBoundProfilePackageResponse.getBoundProfilePackageError` (ES9+).
    pub GetBoundProfilePackageError {
        EUICC_SIGNATURE_INVALID = 1 => "euiccSignatureInvalid",
        CONFIRMATION_CODE_MISSING = 2 => "confirmationCodeMissing",
        CONFIRMATION_CODE_REFUSED = 3 => "confirmationCodeRefused",
        CONFIRMATION_CODE_RETRIES_EXCEEDED = 4 => "confirmationCodeRetriesExceeded",
        BPP_REBINDING_REFUSED = 5 => "bppRebindingRefused",
        DOWNLOAD_ORDER_EXPIRED = 6 => "downloadOrderExpired",
        INVALID_TRANSACTION_ID = 95 => "invalidTransactionId",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// SGP.22 `CancelSessionResponseEs9.cancelSessionError` (ES9+).
    pub CancelSessionError {
        INVALID_TRANSACTION_ID = 1 => "invalidTransactionId",
        EUICC_SIGNATURE_INVALID = 2 => "euiccSignatureInvalid",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

// ---------------------------------------------------------------------------------------------
// ES10b/ES10c: eUICC information
// ---------------------------------------------------------------------------------------------

/// SGP.22 5.7.8 `GetEuiccInfo1Request ::= [32] SEQUENCE {}`, tag 'BF20'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 32))]
pub struct GetEuiccInfo1Request {
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.8 `GetEuiccInfo2Request ::= [34] SEQUENCE {}`, tag 'BF22'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 34))]
pub struct GetEuiccInfo2Request {
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.8 `EUICCInfo2 ::= [34] SEQUENCE`, tag 'BF22' (the SGP.22 form; SGP.32 has its own).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 34))]
pub struct EuiccInfo2 {
    /// `profileVersion [1] VersionType`.
    #[rasn(tag(context, 1))]
    #[serde(rename = "profileVersion")]
    pub profile_version: VersionType,
    /// `svn [2] VersionType`.
    #[rasn(tag(context, 2))]
    #[serde(rename = "svn")]
    pub svn: VersionType,
    /// `euiccFirmwareVer [3] VersionType`.
    #[rasn(tag(context, 3))]
    #[serde(rename = "euiccFirmwareVer")]
    pub euicc_firmware_ver: VersionType,
    /// `extCardResource [4] OCTET STRING` (ETSI TS 102 226).
    #[rasn(tag(context, 4))]
    #[serde(rename = "extCardResource", serialize_with = "crate::asn1::json::hex")]
    pub ext_card_resource: OctetString,
    /// `uiccCapability [5] UICCCapability`.
    #[rasn(tag(context, 5))]
    #[serde(rename = "uiccCapability", serialize_with = "crate::asn1::json::bits")]
    pub uicc_capability: UiccCapability,
    /// `ts102241Version [6] VersionType OPTIONAL`.
    #[rasn(tag(context, 6))]
    #[serde(rename = "ts102241Version", skip_serializing_if = "Option::is_none")]
    pub ts102241_version: Option<VersionType>,
    /// `globalplatformVersion [7] VersionType OPTIONAL`.
    #[rasn(tag(context, 7))]
    #[serde(
        rename = "globalplatformVersion",
        skip_serializing_if = "Option::is_none"
    )]
    pub globalplatform_version: Option<VersionType>,
    /// `rspCapability [8] RspCapability`.
    #[rasn(tag(context, 8))]
    #[serde(rename = "rspCapability", serialize_with = "crate::asn1::json::bits")]
    pub rsp_capability: RspCapability,
    /// `euiccCiPKIdListForVerification [9] SEQUENCE OF SubjectKeyIdentifier`.
    #[rasn(tag(context, 9))]
    #[serde(rename = "euiccCiPKIdListForVerification")]
    pub euicc_ci_pk_id_list_for_verification: Vec<SubjectKeyIdentifier>,
    /// `euiccCiPKIdListForSigning [10] SEQUENCE OF SubjectKeyIdentifier`.
    #[rasn(tag(context, 10))]
    #[serde(rename = "euiccCiPKIdListForSigning")]
    pub euicc_ci_pk_id_list_for_signing: Vec<SubjectKeyIdentifier>,
    /// `euiccCategory [11] INTEGER {...} OPTIONAL`.
    #[rasn(tag(context, 11))]
    #[serde(rename = "euiccCategory", skip_serializing_if = "Option::is_none")]
    pub euicc_category: Option<EuiccCategory>,
    /// `forbiddenProfilePolicyRules [25] PprIds OPTIONAL`, tag '99'.
    #[rasn(tag(context, 25))]
    #[serde(
        rename = "forbiddenProfilePolicyRules",
        serialize_with = "crate::asn1::json::bits_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub forbidden_profile_policy_rules: Option<PprIds>,
    /// `ppVersion VersionType` (universal tag '04').
    #[serde(rename = "ppVersion")]
    pub pp_version: VersionType,
    /// `sasAcreditationNumber UTF8String (SIZE(0..64))`.
    #[serde(rename = "sasAcreditationNumber")]
    pub sas_acreditation_number: String,
    /// `certificationDataObject [12] CertificationDataObject OPTIONAL`.
    #[rasn(tag(context, 12))]
    #[serde(
        rename = "certificationDataObject",
        skip_serializing_if = "Option::is_none"
    )]
    pub certification_data_object: Option<CertificationDataObject>,
    /// `treProperties [13] BIT STRING { isDiscrete(0), isIntegrated(1), usesRemoteMemory(2) }
    /// OPTIONAL`.
    #[rasn(tag(context, 13))]
    #[serde(
        rename = "treProperties",
        serialize_with = "crate::asn1::json::bits_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub tre_properties: Option<BitString>,
    /// `treProductReference [14] UTF8String OPTIONAL`.
    #[rasn(tag(context, 14))]
    #[serde(
        rename = "treProductReference",
        skip_serializing_if = "Option::is_none"
    )]
    pub tre_product_reference: Option<String>,
    /// `additionalEuiccProfilePackageVersions [15] SEQUENCE OF VersionType OPTIONAL`.
    #[rasn(tag(context, 15))]
    #[serde(
        rename = "additionalEuiccProfilePackageVersions",
        skip_serializing_if = "Option::is_none"
    )]
    pub additional_euicc_profile_package_versions: Option<Vec<VersionType>>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}
/// The ASN.1 spelling of [`EuiccInfo2`].
pub type EUICCInfo2 = EuiccInfo2;

// ---------------------------------------------------------------------------------------------
// ES10c: profile information and metadata
// ---------------------------------------------------------------------------------------------

/// SGP.22 5.7.15 `ProfileInfoListResponse ::= [45] CHOICE`, tag 'BF2D' (automatic tags:
/// 'A0' / '81').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[rasn(choice, automatic_tags, tag(explicit(context, 45)))]
pub enum ProfileInfoListResponse {
    /// `profileInfoListOk SEQUENCE OF ProfileInfo`.
    ProfileInfoListOk(Vec<ProfileInfo>),
    /// `profileInfoListError ProfileInfoListError`.
    ProfileInfoListError(ProfileInfoListError),
}

/// SGP.22 5.7.15 `ProfileInfo ::= [PRIVATE 3] SEQUENCE`, tag 'E3'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(private, 3))]
pub struct ProfileInfo {
    /// `iccid Iccid OPTIONAL`, tag '5A'.
    #[serde(rename = "iccid", skip_serializing_if = "Option::is_none")]
    pub iccid: Option<Iccid>,
    /// `isdpAid [APPLICATION 15] OctetTo16 OPTIONAL`, tag '4F'.
    #[rasn(tag(application, 15))]
    #[serde(rename = "isdpAid", skip_serializing_if = "Option::is_none")]
    pub isdp_aid: Option<OctetTo16>,
    /// `profileState [112] ProfileState OPTIONAL`, tag '9F70'.
    #[rasn(tag(context, 112))]
    #[serde(rename = "profileState", skip_serializing_if = "Option::is_none")]
    pub profile_state: Option<ProfileState>,
    /// `profileNickname [16] UTF8String (SIZE(0..64)) OPTIONAL`, tag '90'.
    #[rasn(tag(context, 16))]
    #[serde(rename = "profileNickname", skip_serializing_if = "Option::is_none")]
    pub profile_nickname: Option<String>,
    /// `serviceProviderName [17] UTF8String (SIZE(0..32)) OPTIONAL`, tag '91'.
    #[rasn(tag(context, 17))]
    #[serde(
        rename = "serviceProviderName",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_provider_name: Option<String>,
    /// `profileName [18] UTF8String (SIZE(0..64)) OPTIONAL`, tag '92'.
    #[rasn(tag(context, 18))]
    #[serde(rename = "profileName", skip_serializing_if = "Option::is_none")]
    pub profile_name: Option<String>,
    /// `iconType [19] IconType OPTIONAL`, tag '93'.
    #[rasn(tag(context, 19))]
    #[serde(rename = "iconType", skip_serializing_if = "Option::is_none")]
    pub icon_type: Option<IconType>,
    /// `icon [20] OCTET STRING (SIZE(0..1024)) OPTIONAL`, tag '94'.
    #[rasn(tag(context, 20))]
    #[serde(
        rename = "icon",
        serialize_with = "crate::asn1::json::hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub icon: Option<OctetString>,
    /// `profileClass [21] ProfileClass OPTIONAL`, tag '95'.
    #[rasn(tag(context, 21))]
    #[serde(rename = "profileClass", skip_serializing_if = "Option::is_none")]
    pub profile_class: Option<ProfileClass>,
    /// `notificationConfigurationInfo [22] SEQUENCE OF NotificationConfigurationInformation
    /// OPTIONAL`, tag 'B6'.
    #[rasn(tag(context, 22))]
    #[serde(
        rename = "notificationConfigurationInfo",
        skip_serializing_if = "Option::is_none"
    )]
    pub notification_configuration_info: Option<Vec<NotificationConfigurationInformation>>,
    /// `profileOwner [23] OperatorId OPTIONAL`, tag 'B7'.
    #[rasn(tag(context, 23))]
    #[serde(rename = "profileOwner", skip_serializing_if = "Option::is_none")]
    pub profile_owner: Option<OperatorId>,
    /// `dpProprietaryData [24] DpProprietaryData OPTIONAL`, tag 'B8'.
    #[rasn(tag(context, 24))]
    #[serde(rename = "dpProprietaryData", skip_serializing_if = "Option::is_none")]
    pub dp_proprietary_data: Option<DpProprietaryData>,
    /// `profilePolicyRules [25] PprIds OPTIONAL`, tag '99'.
    #[rasn(tag(context, 25))]
    #[serde(
        rename = "profilePolicyRules",
        serialize_with = "crate::asn1::json::bits_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub profile_policy_rules: Option<PprIds>,
    /// `serviceSpecificDataStoredInEuicc [34] VendorSpecificExtension OPTIONAL`, tag 'BF22'.
    #[rasn(tag(context, 34))]
    #[serde(
        rename = "serviceSpecificDataStoredInEuicc",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_specific_data_stored_in_euicc: Option<VendorSpecificExtension>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.5.3 `StoreMetadataRequest ::= [37] SEQUENCE`, tag 'BF25'.
///
/// `profileClass` is `DEFAULT operational`; it is kept as an `Option` so that a received
/// encoding (with or without the default value) re-encodes byte-identically:
/// [`StoreMetadataRequest::profile_class_or_default`] gives the effective value.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 37))]
pub struct StoreMetadataRequest {
    /// `iccid Iccid`, tag '5A'.
    #[serde(rename = "iccid")]
    pub iccid: Iccid,
    /// `serviceProviderName [17] UTF8String (SIZE(0..32))`, tag '91'.
    #[rasn(tag(context, 17))]
    #[serde(rename = "serviceProviderName")]
    pub service_provider_name: String,
    /// `profileName [18] UTF8String (SIZE(0..64))`, tag '92'.
    #[rasn(tag(context, 18))]
    #[serde(rename = "profileName")]
    pub profile_name: String,
    /// `iconType [19] IconType OPTIONAL`, tag '93'.
    #[rasn(tag(context, 19))]
    #[serde(rename = "iconType", skip_serializing_if = "Option::is_none")]
    pub icon_type: Option<IconType>,
    /// `icon [20] OCTET STRING (SIZE(0..1024)) OPTIONAL`, tag '94'.
    #[rasn(tag(context, 20))]
    #[serde(
        rename = "icon",
        serialize_with = "crate::asn1::json::hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub icon: Option<OctetString>,
    /// `profileClass [21] ProfileClass DEFAULT operational`, tag '95'.
    #[rasn(tag(context, 21))]
    #[serde(rename = "profileClass", skip_serializing_if = "Option::is_none")]
    pub profile_class: Option<ProfileClass>,
    /// `notificationConfigurationInfo [22] SEQUENCE OF NotificationConfigurationInformation
    /// OPTIONAL`, tag 'B6'.
    #[rasn(tag(context, 22))]
    #[serde(
        rename = "notificationConfigurationInfo",
        skip_serializing_if = "Option::is_none"
    )]
    pub notification_configuration_info: Option<Vec<NotificationConfigurationInformation>>,
    /// `profileOwner [23] OperatorId OPTIONAL`, tag 'B7'.
    #[rasn(tag(context, 23))]
    #[serde(rename = "profileOwner", skip_serializing_if = "Option::is_none")]
    pub profile_owner: Option<OperatorId>,
    /// `profilePolicyRules [25] PprIds OPTIONAL`, tag '99'.
    #[rasn(tag(context, 25))]
    #[serde(
        rename = "profilePolicyRules",
        serialize_with = "crate::asn1::json::bits_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub profile_policy_rules: Option<PprIds>,
    /// `serviceSpecificDataStoredInEuicc [34] VendorSpecificExtension OPTIONAL`, tag 'BF22'.
    #[rasn(tag(context, 34))]
    #[serde(
        rename = "serviceSpecificDataStoredInEuicc",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_specific_data_stored_in_euicc: Option<VendorSpecificExtension>,
    /// `serviceSpecificDataNotStoredInEuicc [35] VendorSpecificExtension OPTIONAL`, tag 'BF23'.
    #[rasn(tag(context, 35))]
    #[serde(
        rename = "serviceSpecificDataNotStoredInEuicc",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_specific_data_not_stored_in_euicc: Option<VendorSpecificExtension>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

impl StoreMetadataRequest {
    /// The effective profile class (`DEFAULT operational` when absent).
    pub fn profile_class_or_default(&self) -> ProfileClass {
        self.profile_class.unwrap_or(ProfileClass::OPERATIONAL)
    }
}

/// SGP.22 5.4.1 `UpdateMetadataRequest ::= [42] SEQUENCE`, tag 'BF2A'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 42))]
pub struct UpdateMetadataRequest {
    /// `serviceProviderName [17] UTF8String (SIZE(0..32)) OPTIONAL`, tag '91'.
    #[rasn(tag(context, 17))]
    #[serde(
        rename = "serviceProviderName",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_provider_name: Option<String>,
    /// `profileName [18] UTF8String (SIZE(0..64)) OPTIONAL`, tag '92'.
    #[rasn(tag(context, 18))]
    #[serde(rename = "profileName", skip_serializing_if = "Option::is_none")]
    pub profile_name: Option<String>,
    /// `iconType [19] IconType OPTIONAL`, tag '93'.
    #[rasn(tag(context, 19))]
    #[serde(rename = "iconType", skip_serializing_if = "Option::is_none")]
    pub icon_type: Option<IconType>,
    /// `icon [20] OCTET STRING (SIZE(0..1024)) OPTIONAL`, tag '94'.
    #[rasn(tag(context, 20))]
    #[serde(
        rename = "icon",
        serialize_with = "crate::asn1::json::hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub icon: Option<OctetString>,
    /// `profilePolicyRules [25] PprIds OPTIONAL`, tag '99'.
    #[rasn(tag(context, 25))]
    #[serde(
        rename = "profilePolicyRules",
        serialize_with = "crate::asn1::json::bits_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub profile_policy_rules: Option<PprIds>,
    /// `serviceSpecificDataStoredInEuicc [34] VendorSpecificExtension OPTIONAL`, tag 'BF22'.
    #[rasn(tag(context, 34))]
    #[serde(
        rename = "serviceSpecificDataStoredInEuicc",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_specific_data_stored_in_euicc: Option<VendorSpecificExtension>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

// ---------------------------------------------------------------------------------------------
// ES10b: PrepareDownload, AuthenticateServer, CancelSession, GetEuiccChallenge
// ---------------------------------------------------------------------------------------------

/// SGP.22 5.7.5 `PrepareDownloadRequest ::= [33] SEQUENCE`, tag 'BF21'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 33))]
pub struct PrepareDownloadRequest {
    /// `smdpSigned2 SmdpSigned2`.
    #[serde(rename = "smdpSigned2")]
    pub smdp_signed2: SmdpSigned2,
    /// `smdpSignature2 [APPLICATION 55] OCTET STRING`, tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "smdpSignature2", serialize_with = "crate::asn1::json::hex")]
    pub smdp_signature2: OctetString,
    /// `hashCc Octet32 OPTIONAL` (universal tag '04').
    #[serde(rename = "hashCc", skip_serializing_if = "Option::is_none")]
    pub hash_cc: Option<Octet32>,
    /// `smdpCertificate Certificate` (CERT.DPpb.ECDSA).
    #[serde(rename = "smdpCertificate")]
    pub smdp_certificate: Certificate,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.5 `PrepareDownloadResponse ::= [33] CHOICE`, tag 'BF21' (automatic tags:
/// 'A0' / 'A1').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[rasn(choice, automatic_tags, tag(explicit(context, 33)))]
pub enum PrepareDownloadResponse {
    /// `downloadResponseOk PrepareDownloadResponseOk`.
    DownloadResponseOk(PrepareDownloadResponseOk),
    /// `downloadResponseError PrepareDownloadResponseError`.
    DownloadResponseError(PrepareDownloadResponseError),
}

/// SGP.22 5.7.13 `AuthenticateServerRequest ::= [56] SEQUENCE`, tag 'BF38'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 56))]
pub struct AuthenticateServerRequest {
    /// `serverSigned1 ServerSigned1`.
    #[serde(rename = "serverSigned1")]
    pub server_signed1: ServerSigned1,
    /// `serverSignature1 [APPLICATION 55] OCTET STRING`, tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "serverSignature1", serialize_with = "crate::asn1::json::hex")]
    pub server_signature1: OctetString,
    /// `euiccCiPKIdToBeUsed SubjectKeyIdentifier` (universal tag '04').
    #[serde(rename = "euiccCiPKIdToBeUsed")]
    pub euicc_ci_pk_id_to_be_used: SubjectKeyIdentifier,
    /// `serverCertificate Certificate` (CERT.XXauth.ECDSA).
    #[serde(rename = "serverCertificate")]
    pub server_certificate: Certificate,
    /// `ctxParams1 CtxParams1`.
    #[serde(rename = "ctxParams1")]
    pub ctx_params1: CtxParams1,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.13 `AuthenticateServerResponse ::= [56] CHOICE`, tag 'BF38' (automatic tags:
/// 'A0' / 'A1').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[rasn(choice, automatic_tags, tag(explicit(context, 56)))]
#[allow(clippy::large_enum_variant)] // a message, built and matched once
pub enum AuthenticateServerResponse {
    /// `authenticateResponseOk AuthenticateResponseOk`.
    AuthenticateResponseOk(AuthenticateResponseOk),
    /// `authenticateResponseError AuthenticateResponseError`.
    AuthenticateResponseError(AuthenticateResponseError),
}

/// SGP.22 5.7.13 `AuthenticateResponseOk ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthenticateResponseOk {
    /// `euiccSigned1 EuiccSigned1`.
    #[serde(rename = "euiccSigned1")]
    pub euicc_signed1: EuiccSigned1,
    /// `euiccSignature1 [APPLICATION 55] OCTET STRING`, tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "euiccSignature1", serialize_with = "crate::asn1::json::hex")]
    pub euicc_signature1: OctetString,
    /// `euiccCertificate Certificate` (CERT.EUICC.ECDSA).
    #[serde(rename = "euiccCertificate")]
    pub euicc_certificate: Certificate,
    /// `eumCertificate Certificate` (CERT.EUM.ECDSA).
    #[serde(rename = "eumCertificate")]
    pub eum_certificate: Certificate,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.13 `EuiccSigned1 ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EuiccSigned1 {
    /// `transactionId [0] TransactionId`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `serverAddress [3] UTF8String`.
    #[rasn(tag(context, 3))]
    #[serde(rename = "serverAddress")]
    pub server_address: String,
    /// `serverChallenge [4] Octet16`.
    #[rasn(tag(context, 4))]
    #[serde(rename = "serverChallenge")]
    pub server_challenge: Octet16,
    /// `euiccInfo2 [34] EUICCInfo2`, tag 'BF22'.
    #[rasn(tag(context, 34))]
    #[serde(rename = "euiccInfo2")]
    pub euicc_info2: EuiccInfo2,
    /// `ctxParams1 CtxParams1`.
    #[serde(rename = "ctxParams1")]
    pub ctx_params1: CtxParams1,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.14 `CancelSessionRequest ::= [65] SEQUENCE`, tag 'BF41' (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 65), automatic_tags)]
pub struct CancelSessionRequest {
    /// `transactionId TransactionId`.
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `reason CancelSessionReason`.
    #[serde(rename = "reason")]
    pub reason: CancelSessionReason,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.14 `CancelSessionResponse ::= [65] CHOICE`, tag 'BF41' (automatic tags:
/// 'A0' / '81').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[rasn(choice, automatic_tags, tag(explicit(context, 65)))]
pub enum CancelSessionResponse {
    /// `cancelSessionResponseOk CancelSessionResponseOk`.
    CancelSessionResponseOk(CancelSessionResponseOk),
    /// `cancelSessionResponseError INTEGER {invalidTransactionId(5), undefinedError(127)}`.
    CancelSessionResponseError(CancelSessionResponseError),
}

/// SGP.22 5.7.6 `GetEuiccChallengeRequest ::= [46] SEQUENCE {}`, tag 'BF2E'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 46))]
pub struct GetEuiccChallengeRequest {
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.6 `GetEuiccChallengeResponse ::= [46] SEQUENCE`, tag 'BF2E' (automatic tags:
/// `euiccChallenge` is '80').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 46), automatic_tags)]
pub struct GetEuiccChallengeResponse {
    /// `euiccChallenge Octet16`.
    #[serde(rename = "euiccChallenge")]
    pub euicc_challenge: Octet16,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

// ---------------------------------------------------------------------------------------------
// ES10b: notifications
// ---------------------------------------------------------------------------------------------

/// SGP.22 5.7.9 `ListNotificationRequest ::= [40] SEQUENCE`, tag 'BF28'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 40))]
pub struct ListNotificationRequest {
    /// `profileManagementOperation [1] NotificationEvent OPTIONAL`, tag '81'.
    #[rasn(tag(context, 1))]
    #[serde(
        rename = "profileManagementOperation",
        serialize_with = "crate::asn1::json::bits_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub profile_management_operation: Option<NotificationEvent>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.9 `ListNotificationResponse ::= [40] CHOICE`, tag 'BF28' (automatic tags:
/// 'A0' / '81').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[rasn(choice, automatic_tags, tag(explicit(context, 40)))]
pub enum ListNotificationResponse {
    /// `notificationMetadataList SEQUENCE OF NotificationMetadata`.
    NotificationMetadataList(Vec<NotificationMetadata>),
    /// `listNotificationsResultError INTEGER {undefinedError(127)}`.
    ListNotificationsResultError(ListNotificationsResultError),
}

/// SGP.22 5.7.10 `RetrieveNotificationsListRequest ::= [43] SEQUENCE`, tag 'BF2B' (automatic
/// tags: `searchCriteria` is 'A0', explicit).
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 43), automatic_tags)]
pub struct RetrieveNotificationsListRequest {
    /// `searchCriteria CHOICE {...} OPTIONAL`.
    #[serde(rename = "searchCriteria", skip_serializing_if = "Option::is_none")]
    pub search_criteria: Option<RetrieveNotificationsSearchCriteria>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `RetrieveNotificationsListRequest.searchCriteria`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum RetrieveNotificationsSearchCriteria {
    /// `seqNumber [0] INTEGER`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "seqNumber")]
    SeqNumber(i64),
    /// `profileManagementOperation [1] NotificationEvent`.
    #[rasn(tag(context, 1))]
    #[serde(
        rename = "profileManagementOperation",
        serialize_with = "crate::asn1::json::bits"
    )]
    ProfileManagementOperation(NotificationEvent),
}

/// SGP.22 5.7.10 `RetrieveNotificationsListResponse ::= [43] CHOICE`, tag 'BF2B' (automatic
/// tags: 'A0' / '81').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[rasn(choice, automatic_tags, tag(explicit(context, 43)))]
pub enum RetrieveNotificationsListResponse {
    /// `notificationList SEQUENCE OF PendingNotification`.
    NotificationList(Vec<PendingNotification>),
    /// `notificationsListResultError INTEGER {undefinedError(127)}`.
    NotificationsListResultError(NotificationsListResultError),
}

/// SGP.22 5.7.10 `PendingNotification ::= CHOICE` ('BF37' / '30').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum PendingNotification {
    /// `profileInstallationResult [55] ProfileInstallationResult`, tag 'BF37'.
    #[rasn(tag(context, 55))]
    #[serde(rename = "profileInstallationResult")]
    ProfileInstallationResult(ProfileInstallationResult),
    /// `otherSignedNotification OtherSignedNotification`.
    #[serde(rename = "otherSignedNotification")]
    OtherSignedNotification(OtherSignedNotification),
}

/// SGP.22 5.7.11 `NotificationSentRequest ::= [48] SEQUENCE`, tag 'BF30'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 48))]
pub struct NotificationSentRequest {
    /// `seqNumber [0] INTEGER`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "seqNumber")]
    pub seq_number: i64,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.11 `NotificationSentResponse ::= [48] SEQUENCE`, tag 'BF30' (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 48), automatic_tags)]
pub struct NotificationSentResponse {
    /// `deleteNotificationStatus INTEGER {...}`.
    #[serde(rename = "deleteNotificationStatus")]
    pub delete_notification_status: DeleteNotificationStatus,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

// ---------------------------------------------------------------------------------------------
// ES8+ (BPP commands)
// ---------------------------------------------------------------------------------------------

/// SGP.22 5.5.2 `ConfigureISDPRequest ::= [36] SEQUENCE`, tag 'BF24'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 36))]
pub struct ConfigureISDPRequest {
    /// `dpProprietaryData [24] DpProprietaryData OPTIONAL`, tag 'B8'.
    #[rasn(tag(context, 24))]
    #[serde(rename = "dpProprietaryData", skip_serializing_if = "Option::is_none")]
    pub dp_proprietary_data: Option<DpProprietaryData>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.5.4 `ReplaceSessionKeysRequest ::= [38] SEQUENCE`, tag 'BF26' (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 38), automatic_tags)]
pub struct ReplaceSessionKeysRequest {
    /// `initialMacChainingValue OCTET STRING`.
    #[serde(
        rename = "initialMacChainingValue",
        serialize_with = "crate::asn1::json::hex"
    )]
    pub initial_mac_chaining_value: OctetString,
    /// `ppkEnc OCTET STRING`.
    #[serde(rename = "ppkEnc", serialize_with = "crate::asn1::json::hex")]
    pub ppk_enc: OctetString,
    /// `ppkCmac OCTET STRING`.
    #[serde(rename = "ppkCmac", serialize_with = "crate::asn1::json::hex")]
    pub ppk_cmac: OctetString,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

// ---------------------------------------------------------------------------------------------
// ES10c: local profile management
// ---------------------------------------------------------------------------------------------

/// `EnableProfileRequest.profileIdentifier` / `DisableProfileRequest.profileIdentifier`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum ProfileIdentifier {
    /// `isdpAid [APPLICATION 15] OctetTo16`, tag '4F'.
    #[rasn(tag(application, 15))]
    #[serde(rename = "isdpAid")]
    IsdpAid(OctetTo16),
    /// `iccid Iccid`, tag '5A'.
    #[serde(rename = "iccid")]
    Iccid(Iccid),
}

/// SGP.22 5.7.16 `EnableProfileRequest ::= [49] SEQUENCE`, tag 'BF31' (automatic tags:
/// `profileIdentifier` 'A0' explicit, `refreshFlag` '81').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 49), automatic_tags)]
pub struct EnableProfileRequest {
    /// `profileIdentifier CHOICE {...}`.
    #[serde(rename = "profileIdentifier")]
    pub profile_identifier: ProfileIdentifier,
    /// `refreshFlag BOOLEAN`.
    #[serde(rename = "refreshFlag")]
    pub refresh_flag: bool,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.16 `EnableProfileResponse ::= [49] SEQUENCE`, tag 'BF31' (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 49), automatic_tags)]
pub struct EnableProfileResponse {
    /// `enableResult INTEGER {...}`.
    #[serde(rename = "enableResult")]
    pub enable_result: EnableResult,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.17 `DisableProfileRequest ::= [50] SEQUENCE`, tag 'BF32' (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 50), automatic_tags)]
pub struct DisableProfileRequest {
    /// `profileIdentifier CHOICE {...}`.
    #[serde(rename = "profileIdentifier")]
    pub profile_identifier: ProfileIdentifier,
    /// `refreshFlag BOOLEAN`.
    #[serde(rename = "refreshFlag")]
    pub refresh_flag: bool,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.17 `DisableProfileResponse ::= [50] SEQUENCE`, tag 'BF32' (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 50), automatic_tags)]
pub struct DisableProfileResponse {
    /// `disableResult INTEGER {...}`.
    #[serde(rename = "disableResult")]
    pub disable_result: DisableResult,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.18 `DeleteProfileRequest ::= [51] CHOICE`, tag 'BF33' ('BF33 4F..' / 'BF33 5A..').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[rasn(choice, tag(explicit(context, 51)))]
pub enum DeleteProfileRequest {
    /// `isdpAid [APPLICATION 15] OctetTo16`, tag '4F'.
    #[rasn(tag(application, 15))]
    IsdpAid(OctetTo16),
    /// `iccid Iccid`, tag '5A'.
    Iccid(Iccid),
}

/// SGP.22 5.7.18 `DeleteProfileResponse ::= [51] SEQUENCE`, tag 'BF33' (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 51), automatic_tags)]
pub struct DeleteProfileResponse {
    /// `deleteResult INTEGER {...}`.
    #[serde(rename = "deleteResult")]
    pub delete_result: DeleteResult,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.19 `EuiccMemoryResetRequest ::= [52] SEQUENCE`, tag 'BF34'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 52))]
pub struct EuiccMemoryResetRequest {
    /// `resetOptions [2] BIT STRING { deleteOperationalProfiles(0),
    /// deleteFieldLoadedTestProfiles(1), resetDefaultSmdpAddress(2) }`, tag '82'.
    #[rasn(tag(context, 2))]
    #[serde(rename = "resetOptions", serialize_with = "crate::asn1::json::bits")]
    pub reset_options: BitString,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.19 `EuiccMemoryResetResponse ::= [52] SEQUENCE`, tag 'BF34' (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 52), automatic_tags)]
pub struct EuiccMemoryResetResponse {
    /// `resetResult INTEGER {...}`.
    #[serde(rename = "resetResult")]
    pub reset_result: ResetResult,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.20 `GetEuiccDataRequest ::= [62] SEQUENCE`, tag 'BF3E' (GetEID).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 62))]
pub struct GetEuiccDataRequest {
    /// `tagList [APPLICATION 28] Octet1`, tag '5C' (value '5A').
    #[rasn(tag(application, 28))]
    #[serde(rename = "tagList")]
    pub tag_list: Octet1,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.20 `GetEuiccDataResponse ::= [62] SEQUENCE`, tag 'BF3E'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 62))]
pub struct GetEuiccDataResponse {
    /// `eidValue [APPLICATION 26] Octet16`, tag '5A'.
    #[rasn(tag(application, 26))]
    #[serde(rename = "eidValue")]
    pub eid_value: Octet16,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.21 `GetRatRequest ::= [67] SEQUENCE {}`, tag 'BF43'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 67))]
pub struct GetRatRequest {
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.21 `GetRatResponse ::= [67] SEQUENCE`, tag 'BF43' (automatic tags: `rat` 'A0').
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 67), automatic_tags)]
pub struct GetRatResponse {
    /// `rat RulesAuthorisationTable`.
    #[serde(rename = "rat")]
    pub rat: RulesAuthorisationTable,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.21 `SetNicknameRequest ::= [41] SEQUENCE`, tag 'BF29'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 41))]
pub struct SetNicknameRequest {
    /// `iccid Iccid`, tag '5A'.
    #[serde(rename = "iccid")]
    pub iccid: Iccid,
    /// `profileNickname [16] UTF8String (SIZE(0..64))`, tag '90'.
    #[rasn(tag(context, 16))]
    #[serde(rename = "profileNickname")]
    pub profile_nickname: String,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.21 `SetNicknameResponse ::= [41] SEQUENCE`, tag 'BF29' (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 41), automatic_tags)]
pub struct SetNicknameResponse {
    /// `setNicknameResult INTEGER {...}`.
    #[serde(rename = "setNicknameResult")]
    pub set_nickname_result: SetNicknameResult,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.22 `EuiccConfiguredAddressesRequest ::= [60] SEQUENCE {}`, tag 'BF3C'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 60))]
pub struct EuiccConfiguredAddressesRequest {
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.22 `EuiccConfiguredAddressesResponse ::= [60] SEQUENCE`, tag 'BF3C' (automatic
/// tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 60), automatic_tags)]
pub struct EuiccConfiguredAddressesResponse {
    /// `defaultDpAddress UTF8String OPTIONAL`.
    #[serde(rename = "defaultDpAddress", skip_serializing_if = "Option::is_none")]
    pub default_dp_address: Option<String>,
    /// `rootDsAddress UTF8String`.
    #[serde(rename = "rootDsAddress")]
    pub root_ds_address: String,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.23 `SetDefaultDpAddressRequest ::= [63] SEQUENCE`, tag 'BF3F' (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 63), automatic_tags)]
pub struct SetDefaultDpAddressRequest {
    /// `defaultDpAddress UTF8String`.
    #[serde(rename = "defaultDpAddress")]
    pub default_dp_address: String,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.23 `SetDefaultDpAddressResponse ::= [63] SEQUENCE`, tag 'BF3F' (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 63), automatic_tags)]
pub struct SetDefaultDpAddressResponse {
    /// `setDefaultDpAddressResult INTEGER { ok(0), undefinedError(127) }`.
    #[serde(rename = "setDefaultDpAddressResult")]
    pub set_default_dp_address_result: SetDefaultDpAddressResult,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

// ---------------------------------------------------------------------------------------------
// CRL loading, LPAe, ISD-R proprietary template
// ---------------------------------------------------------------------------------------------

/// SGP.22 `SegmentedCrlList ::= SEQUENCE OF CertificateList`.
pub type SegmentedCrlList = Vec<CertificateList>;

/// SGP.22 `ExpirationDate ::= Time` (certificate extension `id-rsp-expDate`).
pub type ExpirationDate = crate::asn1::pkix::Time;
/// SGP.22 `TotalPartialCrlNumber ::= INTEGER`.
pub type TotalPartialCrlNumber = i64;
/// SGP.22 `PartialCrlNumber ::= INTEGER`.
pub type PartialCrlNumber = i64;

/// SGP.22 5.7.12 `LoadCRLRequest ::= [53] SEQUENCE`, tag 'BF35' (automatic tags: `crl` 'A0').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 53), automatic_tags)]
pub struct LoadCRLRequest {
    /// `crl CertificateList`.
    #[serde(rename = "crl")]
    pub crl: CertificateList,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.12 `LoadCRLResponse ::= [53] CHOICE`, tag 'BF35' (automatic tags: 'A0' / '81').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[rasn(choice, automatic_tags, tag(explicit(context, 53)))]
pub enum LoadCRLResponse {
    /// `loadCRLResponseOk LoadCRLResponseOk`.
    LoadCRLResponseOk(LoadCRLResponseOk),
    /// `loadCRLResponseError LoadCRLResponseError`.
    LoadCRLResponseError(LoadCRLResponseError),
}

/// SGP.22 5.7.12 `LoadCRLResponseOk ::= SEQUENCE` (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct LoadCRLResponseOk {
    /// `missingParts SEQUENCE OF INTEGER OPTIONAL`.
    #[serde(rename = "missingParts", skip_serializing_if = "Option::is_none")]
    pub missing_parts: Option<Vec<i64>>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 `ISDRProprietaryApplicationTemplate ::= [PRIVATE 0] SEQUENCE`, tag 'E0'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(private, 0))]
pub struct ISDRProprietaryApplicationTemplate {
    /// `svn [2] VersionType`, tag '82'.
    #[rasn(tag(context, 2))]
    #[serde(rename = "svn")]
    pub svn: VersionType,
    /// `lpaeSupport BIT STRING { lpaeUsingCat(0), lpaeUsingScws(1) } OPTIONAL` (universal '03').
    #[serde(
        rename = "lpaeSupport",
        serialize_with = "crate::asn1::json::bits_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub lpae_support: Option<BitString>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.24 `LpaeActivationRequest ::= [66] SEQUENCE`, tag 'BF42' (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 66), automatic_tags)]
pub struct LpaeActivationRequest {
    /// `lpaeOption BIT STRING { activateCatBasedLpae(0), activateScwsBasedLpae(1) }`.
    #[serde(rename = "lpaeOption", serialize_with = "crate::asn1::json::bits")]
    pub lpae_option: BitString,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 5.7.24 `LpaeActivationResponse ::= [66] SEQUENCE`, tag 'BF42' (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 66), automatic_tags)]
pub struct LpaeActivationResponse {
    /// `lpaeActivationResult INTEGER {ok(0), notSupported(1)}`.
    #[serde(rename = "lpaeActivationResult")]
    pub lpae_activation_result: LpaeActivationResult,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

// ---------------------------------------------------------------------------------------------
// ES9+ / ES11 ASN.1 binding (SGP.22 6.6)
// ---------------------------------------------------------------------------------------------

/// SGP.22 6.6 `RemoteProfileProvisioningRequest ::= [2] CHOICE`, tag 'A2'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[rasn(choice, tag(explicit(context, 2)))]
#[allow(clippy::large_enum_variant)]
pub enum RemoteProfileProvisioningRequest {
    /// `initiateAuthenticationRequest [57] InitiateAuthenticationRequest`, tag 'BF39'.
    #[rasn(tag(context, 57))]
    InitiateAuthenticationRequest(InitiateAuthenticationRequest),
    /// `authenticateClientRequest [59] AuthenticateClientRequest`, tag 'BF3B'.
    #[rasn(tag(context, 59))]
    AuthenticateClientRequest(AuthenticateClientRequest),
    /// `getBoundProfilePackageRequest [58] GetBoundProfilePackageRequest`, tag 'BF3A'.
    #[rasn(tag(context, 58))]
    GetBoundProfilePackageRequest(GetBoundProfilePackageRequest),
    /// `cancelSessionRequestEs9 [65] CancelSessionRequestEs9`, tag 'BF41'.
    #[rasn(tag(context, 65))]
    CancelSessionRequestEs9(CancelSessionRequestEs9),
    /// `handleNotification [61] HandleNotification`, tag 'BF3D'.
    #[rasn(tag(context, 61))]
    HandleNotification(HandleNotification),
}

/// SGP.22 6.6 `RemoteProfileProvisioningResponse ::= [2] CHOICE`, tag 'A2'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[rasn(choice, tag(explicit(context, 2)))]
#[allow(clippy::large_enum_variant)]
pub enum RemoteProfileProvisioningResponse {
    /// `initiateAuthenticationResponse [57] InitiateAuthenticationResponse`, tag 'BF39'.
    #[rasn(tag(context, 57))]
    InitiateAuthenticationResponse(InitiateAuthenticationResponse),
    /// `authenticateClientResponseEs9 [59] AuthenticateClientResponseEs9`, tag 'BF3B'.
    #[rasn(tag(context, 59))]
    AuthenticateClientResponseEs9(AuthenticateClientResponseEs9),
    /// `getBoundProfilePackageResponse [58] GetBoundProfilePackageResponse`, tag 'BF3A'.
    #[rasn(tag(context, 58))]
    GetBoundProfilePackageResponse(GetBoundProfilePackageResponse),
    /// `cancelSessionResponseEs9 [65] CancelSessionResponseEs9`, tag 'BF41'.
    #[rasn(tag(context, 65))]
    CancelSessionResponseEs9(CancelSessionResponseEs9),
    /// `authenticateClientResponseEs11 [64] AuthenticateClientResponseEs11`, tag 'BF40'.
    #[rasn(tag(context, 64))]
    AuthenticateClientResponseEs11(AuthenticateClientResponseEs11),
}

/// SGP.22 6.6 `InitiateAuthenticationRequest ::= [57] SEQUENCE`, tag 'BF39'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 57))]
pub struct InitiateAuthenticationRequest {
    /// `euiccChallenge [1] Octet16`.
    #[rasn(tag(context, 1))]
    #[serde(rename = "euiccChallenge")]
    pub euicc_challenge: Octet16,
    /// `smdpAddress [3] UTF8String`.
    #[rasn(tag(context, 3))]
    #[serde(rename = "smdpAddress")]
    pub smdp_address: String,
    /// `euiccInfo1 EUICCInfo1`, tag 'BF20'.
    #[serde(rename = "euiccInfo1")]
    pub euicc_info1: EuiccInfo1,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 6.6 `InitiateAuthenticationResponse ::= [57] CHOICE`, tag 'BF39' (automatic tags:
/// 'A0' / '81').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[rasn(choice, automatic_tags, tag(explicit(context, 57)))]
#[allow(clippy::large_enum_variant)] // a message, built and matched once
pub enum InitiateAuthenticationResponse {
    /// `initiateAuthenticationOk InitiateAuthenticationOkEs9`.
    InitiateAuthenticationOk(InitiateAuthenticationOkEs9),
    /// `initiateAuthenticationError INTEGER {...}`.
    InitiateAuthenticationError(InitiateAuthenticationError),
}

/// SGP.22 6.6 `InitiateAuthenticationOkEs9 ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InitiateAuthenticationOkEs9 {
    /// `transactionId [0] TransactionId`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `serverSigned1 ServerSigned1`.
    #[serde(rename = "serverSigned1")]
    pub server_signed1: ServerSigned1,
    /// `serverSignature1 [APPLICATION 55] OCTET STRING`, tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "serverSignature1", serialize_with = "crate::asn1::json::hex")]
    pub server_signature1: OctetString,
    /// `euiccCiPKIdToBeUsed SubjectKeyIdentifier`.
    #[serde(rename = "euiccCiPKIdToBeUsed")]
    pub euicc_ci_pk_id_to_be_used: SubjectKeyIdentifier,
    /// `serverCertificate Certificate`.
    #[serde(rename = "serverCertificate")]
    pub server_certificate: Certificate,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 6.6 `AuthenticateClientRequest ::= [59] SEQUENCE`, tag 'BF3B'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 59))]
pub struct AuthenticateClientRequest {
    /// `transactionId [0] TransactionId`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `authenticateServerResponse [56] AuthenticateServerResponse`, tag 'BF38'.
    #[rasn(tag(context, 56))]
    #[serde(rename = "authenticateServerResponse")]
    pub authenticate_server_response: AuthenticateServerResponse,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 6.6 `AuthenticateClientResponseEs9 ::= [59] CHOICE`, tag 'BF3B' (automatic tags:
/// 'A0' / '81').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[rasn(choice, automatic_tags, tag(explicit(context, 59)))]
#[allow(clippy::large_enum_variant)] // a message, built and matched once
pub enum AuthenticateClientResponseEs9 {
    /// `authenticateClientOk AuthenticateClientOk`.
    AuthenticateClientOk(AuthenticateClientOk),
    /// `authenticateClientError INTEGER {...}`.
    AuthenticateClientError(AuthenticateClientError),
}

/// SGP.22 6.6 `AuthenticateClientOk ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthenticateClientOk {
    /// `transactionId [0] TransactionId`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `profileMetaData [37] StoreMetadataRequest`, tag 'BF25'.
    #[rasn(tag(context, 37))]
    #[serde(rename = "profileMetaData")]
    pub profile_meta_data: StoreMetadataRequest,
    /// `smdpSigned2 SmdpSigned2`.
    #[serde(rename = "smdpSigned2")]
    pub smdp_signed2: SmdpSigned2,
    /// `smdpSignature2 [APPLICATION 55] OCTET STRING`, tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "smdpSignature2", serialize_with = "crate::asn1::json::hex")]
    pub smdp_signature2: OctetString,
    /// `smdpCertificate Certificate` (CERT.DPpb.ECDSA).
    #[serde(rename = "smdpCertificate")]
    pub smdp_certificate: Certificate,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 6.6 `GetBoundProfilePackageRequest ::= [58] SEQUENCE`, tag 'BF3A'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 58))]
pub struct GetBoundProfilePackageRequest {
    /// `transactionId [0] TransactionId`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `prepareDownloadResponse [33] PrepareDownloadResponse`, tag 'BF21'.
    #[rasn(tag(context, 33))]
    #[serde(rename = "prepareDownloadResponse")]
    pub prepare_download_response: PrepareDownloadResponse,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 6.6 `GetBoundProfilePackageResponse ::= [58] CHOICE`, tag 'BF3A' (automatic tags:
/// 'A0' / '81').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[rasn(choice, automatic_tags, tag(explicit(context, 58)))]
#[allow(clippy::large_enum_variant)] // a message, built and matched once
pub enum GetBoundProfilePackageResponse {
    /// `getBoundProfilePackageOk GetBoundProfilePackageOk`.
    GetBoundProfilePackageOk(GetBoundProfilePackageOk),
    /// `getBoundProfilePackageError INTEGER {...}`.
    GetBoundProfilePackageError(GetBoundProfilePackageError),
}

/// SGP.22 6.6 `GetBoundProfilePackageOk ::= SEQUENCE`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetBoundProfilePackageOk {
    /// `transactionId [0] TransactionId`.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `boundProfilePackage [54] BoundProfilePackage`, tag 'BF36'.
    #[rasn(tag(context, 54))]
    #[serde(rename = "boundProfilePackage")]
    pub bound_profile_package: BoundProfilePackage,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 6.6 `HandleNotification ::= [61] SEQUENCE`, tag 'BF3D' (automatic tags: the
/// untagged CHOICE `pendingNotification` gets an explicit `[0]`, i.e. 'BF3D A0 ...').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 61), automatic_tags)]
pub struct HandleNotification {
    /// `pendingNotification PendingNotification`.
    #[serde(rename = "pendingNotification")]
    pub pending_notification: PendingNotification,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 6.6 `CancelSessionRequestEs9 ::= [65] SEQUENCE`, tag 'BF41' (automatic tags:
/// `transactionId` '80', `cancelSessionResponse` 'A1' replacing its own `[65]`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 65), automatic_tags)]
pub struct CancelSessionRequestEs9 {
    /// `transactionId TransactionId`.
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `cancelSessionResponse CancelSessionResponse`.
    #[serde(rename = "cancelSessionResponse")]
    pub cancel_session_response: CancelSessionResponse,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 6.6 `CancelSessionResponseEs9 ::= [65] CHOICE`, tag 'BF41' (automatic tags:
/// 'A0' / '81').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[rasn(choice, automatic_tags, tag(explicit(context, 65)))]
pub enum CancelSessionResponseEs9 {
    /// `cancelSessionOk CancelSessionOk`.
    CancelSessionOk(CancelSessionOk),
    /// `cancelSessionError INTEGER {...}`.
    CancelSessionError(CancelSessionError),
}

/// SGP.22 6.6 `CancelSessionOk ::= SEQUENCE {}`.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CancelSessionOk {
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 6.6 `AuthenticateClientResponseEs11 ::= [64] CHOICE`, tag 'BF40' (automatic tags:
/// 'A0' / '81').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[rasn(choice, automatic_tags, tag(explicit(context, 64)))]
pub enum AuthenticateClientResponseEs11 {
    /// `authenticateClientOk AuthenticateClientOkEs11`.
    AuthenticateClientOk(AuthenticateClientOkEs11),
    /// `authenticateClientError INTEGER {...}`.
    AuthenticateClientError(AuthenticateClientErrorEs11),
}

/// SGP.22 6.6 `AuthenticateClientOkEs11 ::= SEQUENCE` (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct AuthenticateClientOkEs11 {
    /// `transactionId TransactionId`.
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// `eventEntries SEQUENCE OF EventEntries`.
    #[serde(rename = "eventEntries")]
    pub event_entries: Vec<EventEntries>,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// SGP.22 6.6 `EventEntries ::= SEQUENCE` (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct EventEntries {
    /// `eventId UTF8String`.
    #[serde(rename = "eventId")]
    pub event_id: String,
    /// `rspServerAddress UTF8String`.
    #[serde(rename = "rspServerAddress")]
    pub rsp_server_address: String,
    /// Unknown trailing elements.
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

// ---------------------------------------------------------------------------------------------
// Named bits and object identifiers
// ---------------------------------------------------------------------------------------------

/// Builds a named-bit BIT STRING with the given bits set, in the DER form for named bits
/// (X.690 11.2.2: no trailing zero bits, so the length is the highest set bit + 1).
pub fn named_bits(set: &[usize]) -> BitString {
    let len = set.iter().map(|n| n + 1).max().unwrap_or(0);
    let mut bits = BitString::repeat(false, len);
    for &n in set {
        bits.set(n, true);
    }
    bits
}

/// Whether bit `n` of a named-bit BIT STRING is set (absent trailing bits are zero).
pub fn bit_is_set(bits: &BitString, n: usize) -> bool {
    bits.get(n).is_some_and(|b| *b)
}

/// Bit numbers of [`RspCapability`].
pub mod rsp_capability {
    /// `additionalProfile(0)`.
    pub const ADDITIONAL_PROFILE: usize = 0;
    /// `crlSupport(1)`.
    pub const CRL_SUPPORT: usize = 1;
    /// `rpmSupport(2)`.
    pub const RPM_SUPPORT: usize = 2;
    /// `testProfileSupport(3)`.
    pub const TEST_PROFILE_SUPPORT: usize = 3;
    /// `deviceInfoExtensibilitySupport(4)`.
    pub const DEVICE_INFO_EXTENSIBILITY_SUPPORT: usize = 4;
    /// `serviceSpecificDataSupport(5)`.
    pub const SERVICE_SPECIFIC_DATA_SUPPORT: usize = 5;
}

/// Bit numbers of [`PprIds`].
pub mod ppr_ids {
    /// `pprUpdateControl(0)`.
    pub const PPR_UPDATE_CONTROL: usize = 0;
    /// `ppr1(1)`: disabling of this Profile is not allowed.
    pub const PPR1: usize = 1;
    /// `ppr2(2)`: deletion of this Profile is not allowed.
    pub const PPR2: usize = 2;
}

/// Bit numbers of [`NotificationEvent`].
pub mod notification_event {
    /// `notificationInstall(0)`.
    pub const NOTIFICATION_INSTALL: usize = 0;
    /// `notificationEnable(1)`.
    pub const NOTIFICATION_ENABLE: usize = 1;
    /// `notificationDisable(2)`.
    pub const NOTIFICATION_DISABLE: usize = 2;
    /// `notificationDelete(3)`.
    pub const NOTIFICATION_DELETE: usize = 3;
}

/// Bit numbers of [`CertificateInfo`].
pub mod certificate_info {
    /// `reserved(0)` (deprecated).
    pub const RESERVED: usize = 0;
    /// `certSigningX509(1)`.
    pub const CERT_SIGNING_X509: usize = 1;
    /// `rfu2(2)`.
    pub const RFU2: usize = 2;
    /// `rfu3(3)`.
    pub const RFU3: usize = 3;
    /// `reserved2(4)` (deprecated).
    pub const RESERVED2: usize = 4;
    /// `certVerificationX509(5)`.
    pub const CERT_VERIFICATION_X509: usize = 5;
}

/// Bit numbers of [`EuiccInfo2::tre_properties`].
pub mod tre_properties {
    /// `isDiscrete(0)`.
    pub const IS_DISCRETE: usize = 0;
    /// `isIntegrated(1)`.
    pub const IS_INTEGRATED: usize = 1;
    /// `usesRemoteMemory(2)`.
    pub const USES_REMOTE_MEMORY: usize = 2;
}

/// Bit numbers of [`EuiccMemoryResetRequest::reset_options`].
pub mod reset_options {
    /// `deleteOperationalProfiles(0)`.
    pub const DELETE_OPERATIONAL_PROFILES: usize = 0;
    /// `deleteFieldLoadedTestProfiles(1)`.
    pub const DELETE_FIELD_LOADED_TEST_PROFILES: usize = 1;
    /// `resetDefaultSmdpAddress(2)`.
    pub const RESET_DEFAULT_SMDP_ADDRESS: usize = 2;
}

/// Bit numbers of [`ProfilePolicyAuthorisationRule::ppr_flags`].
pub mod ppr_flags {
    /// `consentRequired(0)`.
    pub const CONSENT_REQUIRED: usize = 0;
}

/// SGP.22 object identifiers (`id-rsp` and the certificate-related OIDs of RSPDefinitions).
pub mod oid {
    use rasn::types::Oid;

    /// `id-rsp` {joint-iso-itu-t(2) international-organizations(23) gsma(146) rsp(1)}.
    pub const ID_RSP: &Oid = Oid::const_new(&[2, 23, 146, 1]);
    /// `id-rsp-cert-objects` {id-rsp 2}.
    pub const ID_RSP_CERT_OBJECTS: &Oid = Oid::const_new(&[2, 23, 146, 1, 2]);
    /// `id-rspExt` {id-rsp-cert-objects 0}.
    pub const ID_RSP_EXT: &Oid = Oid::const_new(&[2, 23, 146, 1, 2, 0]);
    /// `id-rspRole` {id-rsp-cert-objects 1}.
    pub const ID_RSP_ROLE: &Oid = Oid::const_new(&[2, 23, 146, 1, 2, 1]);
    /// `id-rspRole-ci`.
    pub const ID_RSP_ROLE_CI: &Oid = Oid::const_new(&[2, 23, 146, 1, 2, 1, 0]);
    /// `id-rspRole-euicc`.
    pub const ID_RSP_ROLE_EUICC: &Oid = Oid::const_new(&[2, 23, 146, 1, 2, 1, 1]);
    /// `id-rspRole-eum`.
    pub const ID_RSP_ROLE_EUM: &Oid = Oid::const_new(&[2, 23, 146, 1, 2, 1, 2]);
    /// `id-rspRole-dp-tls`.
    pub const ID_RSP_ROLE_DP_TLS: &Oid = Oid::const_new(&[2, 23, 146, 1, 2, 1, 3]);
    /// `id-rspRole-dp-auth`.
    pub const ID_RSP_ROLE_DP_AUTH: &Oid = Oid::const_new(&[2, 23, 146, 1, 2, 1, 4]);
    /// `id-rspRole-dp-pb`.
    pub const ID_RSP_ROLE_DP_PB: &Oid = Oid::const_new(&[2, 23, 146, 1, 2, 1, 5]);
    /// `id-rspRole-ds-tls`.
    pub const ID_RSP_ROLE_DS_TLS: &Oid = Oid::const_new(&[2, 23, 146, 1, 2, 1, 6]);
    /// `id-rspRole-ds-auth`.
    pub const ID_RSP_ROLE_DS_AUTH: &Oid = Oid::const_new(&[2, 23, 146, 1, 2, 1, 7]);
    /// `id-rsp-expDate` {id-rspExt 1} (extension: [`super::ExpirationDate`]).
    pub const ID_RSP_EXP_DATE: &Oid = Oid::const_new(&[2, 23, 146, 1, 2, 0, 1]);
    /// `id-rsp-totalPartialCrlNumber` {id-rspExt 2}.
    pub const ID_RSP_TOTAL_PARTIAL_CRL_NUMBER: &Oid = Oid::const_new(&[2, 23, 146, 1, 2, 0, 2]);
    /// `id-rsp-partialCrlNumber` {id-rspExt 3}.
    pub const ID_RSP_PARTIAL_CRL_NUMBER: &Oid = Oid::const_new(&[2, 23, 146, 1, 2, 0, 3]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(path: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../shared/spec/vectors/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn round_trip<T: Encode + Decode + PartialEq + core::fmt::Debug>(value: &T) -> Vec<u8> {
        let der = rasn::der::encode(value).unwrap();
        let back: T = rasn::der::decode(&der).unwrap();
        assert_eq!(&back, value);
        assert_eq!(rasn::der::encode(&back).unwrap(), der);
        der
    }

    #[test]
    fn bound_profile_package_vector_decodes_and_re_encodes_identically() {
        let bytes = vector("bpp/bpp.ber");
        // The file is BER by name, but its lengths are minimal and definite: it is also DER.
        let bpp: BoundProfilePackage = rasn::der::decode(&bytes).unwrap();
        let iscr = &bpp.initialise_secure_channel_request;
        assert_eq!(iscr.remote_op_id, RemoteOpId::INSTALL_BOUND_PROFILE_PACKAGE);
        assert_eq!(
            hex::encode(&iscr.transaction_id),
            "0e1c96ddec2f4603963d3c26f89e533e"
        );
        assert_eq!(iscr.control_ref_template.key_type.as_ref(), [0x88]);
        assert_eq!(iscr.control_ref_template.key_len.as_ref(), [0x10]);
        assert_eq!(iscr.control_ref_template.host_id.as_ref(), b"mahlzeit");
        assert_eq!(iscr.smdp_otpk.len(), 65);
        assert_eq!(iscr.smdp_sign.len(), 64);
        assert_eq!(bpp.first_sequence_of87.len(), 1);
        assert_eq!(bpp.first_sequence_of87[0].len(), 24);
        assert_eq!(bpp.sequence_of88.len(), 1);
        assert_eq!(bpp.sequence_of88[0].len(), 51);
        assert_eq!(bpp.second_sequence_of87.as_ref().map(Vec::len), Some(1));
        assert_eq!(bpp.sequence_of86.len(), 13);
        assert_eq!(bpp.sequence_of86[0].len(), 1032);
        assert_eq!(bpp.sequence_of86[12].len(), 120);
        assert!(bpp.extensions.is_empty() && iscr.extensions.is_empty());
        assert_eq!(rasn::der::encode(&bpp).unwrap(), bytes);
        let json = serde_json::to_value(&bpp).unwrap();
        assert_eq!(
            json["initialiseSecureChannelRequest"]["remoteOpId"],
            "installBoundProfilePackage"
        );
        assert_eq!(
            json["initialiseSecureChannelRequest"]["controlRefTemplate"]["hostId"],
            hex::encode(b"mahlzeit")
        );
    }

    #[test]
    fn es9_vectors_euicc_info1_and_server_signed1() {
        let info1 = hex::decode(
            "bf20618203020500a92c0414f54172bdf98a95d65cbeb88a38a1c11d800a85c30414c0bc70ba36929d\
             43b467ff57570530e57ab8fcd8aa2c0414f54172bdf98a95d65cbeb88a38a1c11d800a85c30414c0bc\
             70ba36929d43b467ff57570530e57ab8fcd8",
        )
        .unwrap();
        let v: EuiccInfo1 = rasn::der::decode(&info1).unwrap();
        assert_eq!(v.svn, VersionType::from_parts(2, 5, 0));
        assert_eq!(v.svn.to_string(), "2.5.0");
        assert_eq!(v.euicc_ci_pk_id_list_for_verification.len(), 2);
        assert_eq!(
            hex::encode(&v.euicc_ci_pk_id_list_for_signing[0]),
            "f54172bdf98a95d65cbeb88a38a1c11d800a85c3"
        );
        assert_eq!(rasn::der::encode(&v).unwrap(), info1);

        let ss1 = hex::decode(
            "30518010a57119935f68408289f85881cec45472811000112233445566778899aabbccddeeff8319746573\
             74736d6470706c7573312e6578616d706c652e636f6d8410a5f7e09e8c39b1e57dffb0fe530e9129",
        )
        .unwrap();
        let v: ServerSigned1 = rasn::der::decode(&ss1).unwrap();
        assert_eq!(v.server_address, "testsmdpplus1.example.com");
        assert_eq!(
            v.euicc_challenge,
            Octet16::new(*b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff")
        );
        assert_eq!(rasn::der::encode(&v).unwrap(), ss1);
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(json["transactionId"], "a57119935f68408289f85881cec45472");
        assert_eq!(json["euiccChallenge"], "00112233445566778899aabbccddeeff");
    }

    const ICCID: [u8; 10] = [0x98, 0x10, 0x32, 0x54, 0x76, 0x98, 0x10, 0x32, 0x54, 0xf6];

    fn cert(name: &str) -> Certificate {
        let der = std::fs::read(format!(
            "{}/../shared/spec/certs/sgp26-v1.2/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        Certificate::from_der(&der).unwrap()
    }

    fn bits(bits: &[bool]) -> BitString {
        bits.iter().copied().collect()
    }

    fn base64(text: &str) -> Vec<u8> {
        let value = |c: u8| match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        };
        let digits: Vec<u8> = text.bytes().filter(|&c| c != b'=').map(value).collect();
        let mut out = Vec::new();
        for chunk in digits.chunks(4) {
            let mut acc = 0u32;
            for (i, d) in chunk.iter().enumerate() {
                acc |= u32::from(*d) << (18 - 6 * i);
            }
            out.extend_from_slice(&acc.to_be_bytes()[1..chunk.len()]);
        }
        out
    }

    /// Re-frames a DER TLV with `element` appended to its contents (`tag_len` tag octets).
    fn with_trailing(der: &[u8], tag_len: usize, element: &[u8]) -> Vec<u8> {
        let (len, header) = match der[tag_len] {
            l if l < 0x80 => (usize::from(l), tag_len + 1),
            0x81 => (usize::from(der[tag_len + 1]), tag_len + 2),
            0x82 => (
                usize::from(der[tag_len + 1]) << 8 | usize::from(der[tag_len + 2]),
                tag_len + 3,
            ),
            other => panic!("length form {other:x}"),
        };
        assert_eq!(header + len, der.len());
        let mut contents = der[header..].to_vec();
        contents.extend_from_slice(element);
        let mut out = der[..tag_len].to_vec();
        match contents.len() {
            n if n < 0x80 => out.push(n as u8),
            n if n < 0x100 => out.extend([0x81, n as u8]),
            n => out.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        out.extend(contents);
        out
    }

    fn sample_euicc_info1() -> EuiccInfo1 {
        let ski = SubjectKeyIdentifier::new(
            hex::decode("f54172bdf98a95d65cbeb88a38a1c11d800a85c3").unwrap(),
        );
        EuiccInfo1 {
            svn: VersionType::from_parts(2, 5, 0),
            euicc_ci_pk_id_list_for_verification: vec![ski.clone()],
            euicc_ci_pk_id_list_for_signing: vec![ski],
            extensions: Extensions::default(),
        }
    }

    fn sample_euicc_info2() -> EuiccInfo2 {
        let ski = SubjectKeyIdentifier::new(
            hex::decode("f54172bdf98a95d65cbeb88a38a1c11d800a85c3").unwrap(),
        );
        EuiccInfo2 {
            profile_version: VersionType::from_parts(2, 3, 1),
            svn: VersionType::from_parts(2, 5, 0),
            euicc_firmware_ver: VersionType::from_parts(4, 6, 0),
            ext_card_resource: OctetString::from(hex::decode("810100820400012345").unwrap()),
            uicc_capability: BitString::from_slice(&[0x76, 0x7f, 0xfe]),
            ts102241_version: Some(VersionType::from_parts(9, 2, 0)),
            globalplatform_version: Some(VersionType::from_parts(2, 3, 0)),
            rsp_capability: bits(&[true, true, false, true]),
            euicc_ci_pk_id_list_for_verification: vec![ski.clone()],
            euicc_ci_pk_id_list_for_signing: vec![ski],
            euicc_category: Some(EuiccCategory::MEDIUM_EUICC),
            forbidden_profile_policy_rules: Some(bits(&[false, true])),
            pp_version: VersionType::from_parts(0, 0, 1),
            sas_acreditation_number: "GI-BA-UP-0419".into(),
            certification_data_object: Some(CertificationDataObject {
                platform_label: "1.2.840.1234567/myPlatformLabel".into(),
                discovery_base_url: "https://mydiscoveryURL.com".into(),
                extensions: Extensions::default(),
            }),
            tre_properties: None,
            tre_product_reference: None,
            additional_euicc_profile_package_versions: None,
            extensions: Extensions::default(),
        }
    }

    fn sample_profile_info() -> ProfileInfo {
        ProfileInfo {
            iccid: Some(Iccid::new(ICCID)),
            isdp_aid: Some(OctetTo16::new(
                hex::decode("a0000005591010ffffffff8900001000").unwrap(),
            )),
            profile_state: Some(ProfileState::ENABLED),
            profile_nickname: Some("nick".into()),
            service_provider_name: Some("SP".into()),
            profile_name: Some("Profile".into()),
            icon_type: None,
            icon: None,
            profile_class: Some(ProfileClass::OPERATIONAL),
            notification_configuration_info: None,
            profile_owner: Some(OperatorId {
                mcc_mnc: MccMnc::new([0x00, 0xf1, 0x10]),
                gid1: None,
                gid2: None,
                extensions: Extensions::default(),
            }),
            dp_proprietary_data: None,
            profile_policy_rules: Some(bits(&[false, true, true])),
            service_specific_data_stored_in_euicc: None,
            extensions: Extensions::default(),
        }
    }

    fn sample_notification_metadata() -> NotificationMetadata {
        NotificationMetadata {
            seq_number: 5,
            profile_management_operation: bits(&[true]),
            notification_address: "a.b".into(),
            iccid: Some(Iccid::new(ICCID)),
            extensions: Extensions::default(),
        }
    }

    fn sample_ctx_params1() -> CtxParams1 {
        CtxParams1::CtxParamsForCommonAuthentication(CtxParamsForCommonAuthentication {
            matching_id: Some("ABC-123".into()),
            device_info: DeviceInfo {
                tac: Octet4::new([0x35, 0x29, 0x06, 0x11]),
                device_capabilities: DeviceCapabilities {
                    eutran_epc_supported_release: Some(VersionType::from_parts(15, 0, 0)),
                    ..Default::default()
                },
                imei: None,
                extensions: Extensions::default(),
            },
            extensions: Extensions::default(),
        })
    }

    fn sample_iscr() -> InitialiseSecureChannelRequest {
        InitialiseSecureChannelRequest {
            remote_op_id: RemoteOpId::INSTALL_BOUND_PROFILE_PACKAGE,
            transaction_id: TransactionId::new(vec![1, 2, 3, 4]),
            control_ref_template: ControlRefTemplate {
                key_type: Octet1::new([0x88]),
                key_len: Octet1::new([0x10]),
                host_id: OctetTo16::new(b"host".to_vec()),
                extensions: Extensions::default(),
            },
            smdp_otpk: OctetString::from(vec![0x04; 65]),
            smdp_sign: OctetString::from(vec![0x55; 64]),
            extensions: Extensions::default(),
        }
    }

    #[test]
    fn euicc_info_round_trips_with_the_module_tags() {
        let der = round_trip(&sample_euicc_info1());
        assert_eq!(&der[..3], [0xbf, 0x20, 0x35]);
        assert_eq!(&der[3..8], [0x82, 0x03, 0x02, 0x05, 0x00]);
        assert_eq!(&der[8..12], [0xa9, 0x16, 0x04, 0x14]);

        let info2 = sample_euicc_info2();
        let der = round_trip(&info2);
        assert_eq!(&der[..2], [0xbf, 0x22]);
        let hex = hex::encode(&der);
        // profileVersion [1], euiccCategory [11], forbiddenProfilePolicyRules [25] ('99'),
        // then the untagged ppVersion (04) and sasAcreditationNumber (0C).
        assert!(hex.contains("8103020301"), "{hex}");
        assert!(hex.contains("8b0102"), "{hex}");
        assert!(hex.contains("990206400403000001"), "{hex}");
        assert!(hex.contains("0c0d47492d42412d55502d30343139"), "{hex}");
        let json = serde_json::to_value(&info2).unwrap();
        assert_eq!(json["svn"], "020500");
        assert_eq!(json["rspCapability"], "d0/4");
        assert_eq!(json["euiccCategory"], "mediumEuicc");
        assert_eq!(json["sasAcreditationNumber"], "GI-BA-UP-0419");
        assert!(json.get("unknownExtensions").is_none());
        assert!(json.get("treProperties").is_none());
    }

    #[test]
    fn profile_info_and_notification_metadata_round_trip() {
        let der = round_trip(&sample_profile_info());
        let hex = hex::encode(&der);
        assert!(hex.starts_with("e3"), "{hex}");
        assert!(hex.contains("5a0a981032547698103254f6"));
        assert!(hex.contains("9f700101"), "{hex}"); // profileState [112]
        assert!(hex.contains("950102"), "{hex}"); // profileClass [21]
        assert!(hex.contains("b705800300f110"), "{hex}");
        let json = serde_json::to_value(sample_profile_info()).unwrap();
        assert_eq!(json["iccid"], "981032547698103254f6");
        assert_eq!(json["profileState"], "enabled");
        assert_eq!(json["profileClass"], "operational");
        assert_eq!(json["profilePolicyRules"], "60/3");

        let der = round_trip(&sample_notification_metadata());
        assert_eq!(
            hex::encode(&der),
            "bf2f18800105810207800c03612e625a0a981032547698103254f6"
        );
    }

    #[test]
    fn unknown_trailing_elements_are_kept_in_profile_info_and_euicc_info2() {
        let element = [0x9f, 0x28, 0x01, 0x01];
        let plain = rasn::der::encode(&sample_profile_info()).unwrap();
        let extended = with_trailing(&plain, 1, &element);
        let _ = crate::asn1::take_findings();
        let decoded: ProfileInfo = rasn::der::decode(&extended).unwrap();
        assert_eq!(decoded.extensions.0, [Any::new(element.to_vec())]);
        assert_eq!(crate::asn1::take_findings().len(), 1);
        assert_eq!(
            ProfileInfo {
                extensions: Extensions::default(),
                ..decoded.clone()
            },
            sample_profile_info()
        );
        assert_eq!(rasn::der::encode(&decoded).unwrap(), extended);
        let json = serde_json::to_value(&decoded).unwrap();
        assert_eq!(json["unknownExtensions"], serde_json::json!(["9f280101"]));

        // A v3-style `euiccCiPKIdListForSigningV3 [17] SEQUENCE OF ...` after the last field.
        let element = hex::decode("b106040401020304").unwrap();
        let plain = rasn::der::encode(&sample_euicc_info2()).unwrap();
        let extended = with_trailing(&plain, 2, &element);
        let decoded: EuiccInfo2 = rasn::der::decode(&extended).unwrap();
        assert_eq!(decoded.extensions.0, [Any::new(element.clone())]);
        assert_eq!(decoded.sas_acreditation_number, "GI-BA-UP-0419");
        assert_eq!(rasn::der::encode(&decoded).unwrap(), extended);
        // Without the Extensions field the same bytes would be rejected: check the plain
        // encoding really differs.
        assert_ne!(plain, extended);
    }

    #[test]
    fn authenticate_server_response_round_trips() {
        let ok = AuthenticateServerResponse::AuthenticateResponseOk(AuthenticateResponseOk {
            euicc_signed1: EuiccSigned1 {
                transaction_id: TransactionId::new(vec![0xaa; 16]),
                server_address: "smdp.example.com".into(),
                server_challenge: Octet16::new([0x11; 16]),
                euicc_info2: sample_euicc_info2(),
                ctx_params1: sample_ctx_params1(),
                extensions: Extensions::default(),
            },
            euicc_signature1: OctetString::from(vec![0x42; 64]),
            euicc_certificate: cert("CERT_EUICC_ECDSA_NIST.der"),
            eum_certificate: cert("CERT_EUM_ECDSA_NIST.der"),
            extensions: Extensions::default(),
        });
        let der = round_trip(&ok);
        // BF38 82 LLLL A0 82 LLLL 30 82 LLLL 80 10 <transactionId>
        assert_eq!(&der[..2], [0xbf, 0x38]);
        assert_eq!(der[5], 0xa0);
        assert_eq!(der[9], 0x30);
        assert_eq!(&der[13..15], [0x80, 0x10]);
        let hex = hex::encode(&der);
        // ctxParams1: A0 { matchingId 80, deviceInfo A1 { tac 80, deviceCapabilities A1 { eutranEpc 85 } } }
        assert!(
            hex.contains("a01880074142432d313233a10d800435290611a10585030f0000"),
            "{hex}"
        );
        let json = serde_json::to_value(&ok).unwrap();
        let signed = &json["authenticateResponseOk"]["euiccSigned1"];
        assert_eq!(signed["serverAddress"], "smdp.example.com");
        assert_eq!(
            signed["ctxParams1"]["ctxParamsForCommonAuthentication"]["matchingId"],
            "ABC-123"
        );
        assert!(
            json["authenticateResponseOk"]["eumCertificate"]["subject"]
                .as_str()
                .unwrap()
                .contains("EUM")
        );

        let err =
            AuthenticateServerResponse::AuthenticateResponseError(AuthenticateResponseError {
                transaction_id: TransactionId::new(vec![1]),
                authenticate_error_code: AuthenticateErrorCode::CI_PK_UNKNOWN,
                extensions: Extensions::default(),
            });
        assert_eq!(hex::encode(round_trip(&err)), "bf3808a106800101020107");
        assert_eq!(
            serde_json::to_value(&err).unwrap()["authenticateResponseError"]["authenticateErrorCode"],
            "ciPKUnknown"
        );
    }

    #[test]
    fn prepare_download_response_round_trips() {
        let ok = PrepareDownloadResponse::DownloadResponseOk(PrepareDownloadResponseOk {
            euicc_signed2: EuiccSigned2 {
                transaction_id: TransactionId::new(vec![1, 2]),
                euicc_otpk: OctetString::from(vec![4, 5]),
                hash_cc: Some(Octet32::new([0x33; 32])),
                extensions: Extensions::default(),
            },
            euicc_signature2: OctetString::from(vec![6]),
            extensions: Extensions::default(),
        });
        let der = round_trip(&ok);
        assert_eq!(
            hex::encode(&der),
            format!(
                "bf2133a031302b800201025f490204050420{}5f370106",
                "33".repeat(32)
            )
        );
        let err = PrepareDownloadResponse::DownloadResponseError(PrepareDownloadResponseError {
            transaction_id: TransactionId::new(vec![1, 2, 3, 4]),
            download_error_code: DownloadErrorCode::INVALID_TRANSACTION_ID,
            extensions: Extensions::default(),
        });
        assert_eq!(
            hex::encode(round_trip(&err)),
            "bf210ba109800401020304020105"
        );
        assert_eq!(
            serde_json::to_string(&err).unwrap(),
            r#"{"downloadResponseError":{"transactionId":"01020304","downloadErrorCode":"invalidTransactionId"}}"#
        );
        // The CHOICE tag is explicit: an untagged alternative is not a PrepareDownloadResponse.
        assert!(rasn::der::decode::<PrepareDownloadResponse>(&der[3..]).is_err());
    }

    #[test]
    fn initialise_secure_channel_request_round_trips() {
        let der = round_trip(&sample_iscr());
        let hex = hex::encode(&der);
        assert!(
            hex.starts_with("bf23819e820101800401020304a60c8001888101108404686f7374"),
            "{hex}"
        );
        assert!(hex.contains("5f4941"));
        assert!(hex.contains("5f3740"));
    }

    #[test]
    fn pending_notifications_and_handle_notification() {
        let other = PendingNotification::OtherSignedNotification(OtherSignedNotification {
            tbs_other_notification: sample_notification_metadata(),
            euicc_notification_signature: OctetString::from(vec![0x77; 64]),
            euicc_certificate: cert("CERT_EUICC_ECDSA_NIST.der"),
            eum_certificate: cert("CERT_EUM_ECDSA_NIST.der"),
            extensions: Extensions::default(),
        });
        let der = round_trip(&other);
        assert_eq!(der[0], 0x30);
        assert_eq!(&der[4..6], [0xbf, 0x2f]);

        let pir = PendingNotification::ProfileInstallationResult(ProfileInstallationResult {
            profile_installation_result_data: ProfileInstallationResultData {
                transaction_id: TransactionId::new(vec![9]),
                notification_metadata: sample_notification_metadata(),
                smdp_oid: ObjectIdentifier::new(vec![2, 999, 10]).unwrap(),
                final_result: FinalResult::ErrorResult(ErrorResult {
                    bpp_command_id: BppCommandId::CONFIGURE_ISDP,
                    error_reason: ErrorReason::INSTALL_FAILED_DUE_TO_ICCID_ALREADY_EXISTS_ON_EUICC,
                    sima_response: None,
                    extensions: Extensions::default(),
                }),
                extensions: Extensions::default(),
            },
            euicc_sign_pir: EuiccSignPIR::new(vec![0x01, 0x02]),
            extensions: Extensions::default(),
        });
        let der = round_trip(&pir);
        let hex = hex::encode(&der);
        // BF37 { BF27 { 80 01 09, BF2F {...}, 06 03 8837 0a, A2 { A1 { 80 01 01, 81 01 09 } } }, 5F37 02 0102 }
        assert!(hex.starts_with("bf37"), "{hex}");
        assert!(hex.contains("060388370aa208a106800101810109"), "{hex}");
        assert!(hex.ends_with("5f37020102"), "{hex}");
        let json = serde_json::to_value(&pir).unwrap();
        let data = &json["profileInstallationResult"]["profileInstallationResultData"];
        assert_eq!(data["smdpOid"], "2.999.10");
        assert_eq!(
            data["finalResult"]["errorResult"]["errorReason"],
            "installFailedDueToIccidAlreadyExistsOnEuicc"
        );

        let handle = HandleNotification {
            pending_notification: pir.clone(),
            extensions: Extensions::default(),
        };
        let der = round_trip(&handle);
        // Automatic tagging of the untagged CHOICE component: explicit [0].
        assert_eq!(&der[..2], [0xbf, 0x3d]);
        assert_eq!(der[3], 0xa0);
        assert_eq!(&der[5..7], [0xbf, 0x37]);

        let list = RetrieveNotificationsListResponse::NotificationList(vec![pir, other]);
        let der = round_trip(&list);
        assert_eq!(&der[..2], [0xbf, 0x2b]);
    }

    #[test]
    fn es10c_requests_have_the_specified_encodings() {
        let enable = EnableProfileRequest {
            profile_identifier: ProfileIdentifier::Iccid(Iccid::new(ICCID)),
            refresh_flag: true,
            extensions: Extensions::default(),
        };
        assert_eq!(
            hex::encode(round_trip(&enable)),
            "bf3111a00c5a0a981032547698103254f68101ff"
        );
        let delete = DeleteProfileRequest::Iccid(Iccid::new(ICCID));
        assert_eq!(
            hex::encode(round_trip(&delete)),
            "bf330c5a0a981032547698103254f6"
        );
        let list = ProfileInfoListRequest {
            search_criteria: Some(ProfileInfoListSearchCriteria::Iccid(Iccid::new(ICCID))),
            tag_list: Some(OctetString::from(vec![0x5a])),
            extensions: Extensions::default(),
        };
        assert_eq!(
            hex::encode(round_trip(&list)),
            "bf2d11a00c5a0a981032547698103254f65c015a"
        );
        let retrieve = RetrieveNotificationsListRequest {
            search_criteria: Some(RetrieveNotificationsSearchCriteria::SeqNumber(3)),
            extensions: Extensions::default(),
        };
        assert_eq!(hex::encode(round_trip(&retrieve)), "bf2b05a003800103");
        let err =
            ProfileInfoListResponse::ProfileInfoListError(ProfileInfoListError::UNDEFINED_ERROR);
        assert_eq!(hex::encode(round_trip(&err)), "bf2d0381017f");
        let ok = ProfileInfoListResponse::ProfileInfoListOk(vec![sample_profile_info()]);
        let der = round_trip(&ok);
        assert_eq!(&der[..2], [0xbf, 0x2d]);
        assert_eq!(der[3], 0xa0);
        assert_eq!(der[5], 0xe3);
        let challenge = GetEuiccChallengeResponse {
            euicc_challenge: Octet16::new([0xab; 16]),
            extensions: Extensions::default(),
        };
        assert_eq!(
            hex::encode(round_trip(&challenge)),
            format!("bf2e128010{}", "ab".repeat(16))
        );
        assert_eq!(
            hex::encode(round_trip(&GetEuiccInfo1Request::default())),
            "bf2000"
        );
        let eid = GetEuiccDataResponse {
            eid_value: Octet16::new([0x89; 16]),
            extensions: Extensions::default(),
        };
        assert_eq!(
            hex::encode(round_trip(&eid)),
            format!("bf3e125a10{}", "89".repeat(16))
        );
    }

    #[test]
    fn es9_binding_encodings() {
        let cancel = CancelSessionRequestEs9 {
            transaction_id: TransactionId::new(vec![0xaa]),
            cancel_session_response: CancelSessionResponse::CancelSessionResponseError(
                CancelSessionResponseError::INVALID_TRANSACTION_ID,
            ),
            extensions: Extensions::default(),
        };
        // cancelSessionResponse [1] replaces the type's own [65]: A1 { 81 01 05 }.
        assert_eq!(hex::encode(round_trip(&cancel)), "bf41088001aaa103810105");
        let request = RemoteProfileProvisioningRequest::InitiateAuthenticationRequest(
            InitiateAuthenticationRequest {
                euicc_challenge: Octet16::new([0; 16]),
                smdp_address: "x".into(),
                euicc_info1: sample_euicc_info1(),
                extensions: Extensions::default(),
            },
        );
        let der = round_trip(&request);
        assert_eq!(&der[..4], [0xa2, 0x50, 0xbf, 0x39]);
        let response = RemoteProfileProvisioningResponse::CancelSessionResponseEs9(
            CancelSessionResponseEs9::CancelSessionOk(CancelSessionOk::default()),
        );
        assert_eq!(hex::encode(round_trip(&response)), "a205bf4102a000");
    }

    #[test]
    fn es9_json_initiate_authentication_components_assemble_and_decode() {
        let json: serde_json::Value =
            serde_json::from_slice(&vector("es9-json/initiateAuthentication_resp.json")).unwrap();
        let field = |name: &str| base64(json[name].as_str().unwrap());
        let transaction_id = hex::decode(json["transactionId"].as_str().unwrap()).unwrap();
        // The ES9+ JSON binding carries whole TLVs; assemble InitiateAuthenticationOkEs9.
        let mut contents = vec![0x80, transaction_id.len() as u8];
        contents.extend(&transaction_id);
        for name in [
            "serverSigned1",
            "serverSignature1",
            "euiccCiPKIdToBeUsed",
            "serverCertificate",
        ] {
            contents.extend(field(name));
        }
        let ok_der = with_trailing(&[0x30, 0x00], 1, &contents);
        let ok: InitiateAuthenticationOkEs9 = rasn::der::decode(&ok_der).unwrap();
        assert_eq!(
            ok.server_signed1.transaction_id.as_ref(),
            transaction_id.as_slice()
        );
        assert_eq!(ok.server_signature1.len(), 64);
        assert_eq!(
            hex::encode(&ok.euicc_ci_pk_id_to_be_used),
            "f54172bdf98a95d65cbeb88a38a1c11d800a85c3"
        );
        assert!(ok.server_certificate.to_x509().is_ok());
        assert_eq!(rasn::der::encode(&ok).unwrap(), ok_der);
    }

    #[test]
    fn esipa_relayed_initiate_authentication_decodes_as_es9_response() {
        // An eIM's InitiateAuthenticationResponseEsipa has the ES9+ layout. This capture wraps
        // serverSignature1 and euiccCiPKIdToBeUsed twice (the TLV inside the TLV), an interop
        // quirk of that eIM; the structure still decodes and re-encodes byte-identically.
        let bytes = vector("esipa-to-es9/2_initiateAuthenticationResponseEsipa.der");
        let response: InitiateAuthenticationResponse = rasn::der::decode(&bytes).unwrap();
        let InitiateAuthenticationResponse::InitiateAuthenticationOk(ok) = &response else {
            panic!("not ok: {response:?}");
        };
        assert!(ok.server_signed1.server_address.starts_with("127.0.0.1:"));
        assert_eq!(&ok.server_signature1[..3], [0x5f, 0x37, 0x40]);
        assert_eq!(&ok.euicc_ci_pk_id_to_be_used.as_ref()[..2], [0x04, 0x14]);
        assert!(ok.extensions.is_empty());
        assert_eq!(rasn::der::encode(&response).unwrap(), bytes);
    }

    #[test]
    fn malformed_input_is_rejected() {
        // ICCID of 9 bytes.
        assert!(
            rasn::der::decode::<Iccid>(&hex::decode("5a09981032547698103254").unwrap()).is_err()
        );
        // Wrong outer tag.
        let der = rasn::der::encode(&sample_notification_metadata()).unwrap();
        let mut wrong = der.clone();
        wrong[1] = 0x2e;
        assert!(rasn::der::decode::<NotificationMetadata>(&wrong).is_err());
        // Missing mandatory notificationAddress.
        assert!(
            rasn::der::decode::<NotificationMetadata>(
                &hex::decode("bf2f0780010581020780").unwrap()
            )
            .is_err()
        );
        // Truncated BPP.
        let bpp = vector("bpp/bpp.ber");
        assert!(rasn::der::decode::<BoundProfilePackage>(&bpp[..bpp.len() - 1]).is_err());
    }

    #[test]
    fn named_bits_are_minimal_and_readable() {
        let caps = named_bits(&[
            rsp_capability::ADDITIONAL_PROFILE,
            rsp_capability::TEST_PROFILE_SUPPORT,
        ]);
        // 4 bits, 4 unused: 03 02 04 90.
        assert_eq!(rasn::der::encode(&caps).unwrap(), [0x03, 0x02, 0x04, 0x90]);
        assert!(bit_is_set(&caps, rsp_capability::TEST_PROFILE_SUPPORT));
        assert!(!bit_is_set(&caps, rsp_capability::CRL_SUPPORT));
        assert!(!bit_is_set(
            &caps,
            rsp_capability::SERVICE_SPECIFIC_DATA_SUPPORT
        ));
        assert_eq!(
            rasn::der::encode(&named_bits(&[])).unwrap(),
            [0x03, 0x01, 0x00]
        );
        let event = named_bits(&[notification_event::NOTIFICATION_DELETE]);
        assert_eq!(crate::asn1::json::bit_string_text(&event), "10/4");
    }

    #[test]
    fn rsp_oids() {
        assert_eq!(oid::ID_RSP_ROLE_EUICC.to_string(), "2.23.146.1.2.1.1");
        let smdp_oid = ObjectIdentifier::new(vec![2, 23, 146, 1, 2, 1, 4]).unwrap();
        assert_eq!(&*smdp_oid, oid::ID_RSP_ROLE_DP_AUTH);
    }

    #[test]
    fn bpp_store_metadata_segment_decodes() {
        // The '88' segment is MAC-only (SCP03t): the StoreMetadataRequest, then an 8-byte C-MAC.
        let bpp: BoundProfilePackage = rasn::der::decode(&vector("bpp/bpp.ber")).unwrap();
        let (metadata, mac): (StoreMetadataRequest, _) =
            rasn::der::decode_with_remainder(&bpp.sequence_of88[0]).unwrap();
        assert_eq!(mac.len(), 8);
        assert_eq!(metadata.service_provider_name, "OsmocomSPN");
        assert_eq!(metadata.profile_name, "OsmocomProfile");
        assert_eq!(hex::encode(&metadata.iccid), "98001032547698103285");
        assert_eq!(metadata.profile_class, None);
        assert_eq!(
            metadata.profile_class_or_default(),
            ProfileClass::OPERATIONAL
        );
        assert_eq!(
            rasn::der::encode(&metadata).unwrap(),
            &bpp.sequence_of88[0][..bpp.sequence_of88[0].len() - 8]
        );
    }

    #[test]
    fn vendor_specific_and_dp_proprietary_data() {
        let info = ProfileInfo {
            dp_proprietary_data: Some(DpProprietaryData {
                dp_oid: ObjectIdentifier::new(vec![2, 999, 1]).unwrap(),
                // An SM-DP+ specific data object after the OID is kept.
                extensions: Extensions(vec![Any::new(vec![0x81, 0x01, 0x07])]),
            }),
            service_specific_data_stored_in_euicc: Some(vec![VendorSpecificExtensionElement {
                vendor_oid: ObjectIdentifier::new(vec![2, 999, 2]).unwrap(),
                vendor_specific_data: Any::new(vec![0x04, 0x01, 0xaa]),
                extensions: Extensions::default(),
            }]),
            ..Default::default()
        };
        let der = round_trip(&info);
        // B8 { 80 03 8837 01, 81 01 07 }, BF22 { 30 { 80 03 883702, A1 03 { 04 01 AA } } }
        assert_eq!(
            hex::encode(&der),
            "e319b8088003883701810107bf220c300a8003883702a1030401aa"
        );
        let json = serde_json::to_value(&info).unwrap();
        assert_eq!(json["dpProprietaryData"]["dpOid"], "2.999.1");
        assert_eq!(json["dpProprietaryData"]["unknownExtensions"][0], "810107");
        assert_eq!(
            json["serviceSpecificDataStoredInEuicc"][0]["vendorSpecificData"],
            "0401aa"
        );
    }

    #[test]
    fn size_constraints_of_transaction_id_and_octet_to_16() {
        assert!(rasn::der::decode::<TransactionId>(&[0x04, 0x00]).is_err());
        let mut long = vec![0x04, 17];
        long.extend([0u8; 17]);
        assert!(rasn::der::decode::<TransactionId>(&long).is_err());
        assert!(rasn::der::decode::<OctetTo16>(&long).is_err());
        long[1] = 16;
        long.pop();
        assert_eq!(rasn::der::decode::<TransactionId>(&long).unwrap().len(), 16);
        assert!(rasn::der::encode(&TransactionId::new(vec![0; 17])).is_err());
        // Inside a SEQUENCE with an implicit tag the constraint still applies.
        let bytes = hex::decode("bf2e128010abababababababababababababababab").unwrap();
        assert!(rasn::der::decode::<GetEuiccChallengeResponse>(&bytes).is_ok());
        let cancel = hex::decode("bf41068000810100").unwrap();
        assert!(rasn::der::decode::<CancelSessionRequest>(&cancel).is_err());
    }

    #[test]
    fn iccid_digits() {
        let iccid = Iccid::from_digits("8901234567890123455").unwrap();
        assert_eq!(hex::encode(&iccid), "981032547698103254f5");
        assert_eq!(iccid.digits(), "8901234567890123455");
        assert_eq!(Iccid::new(ICCID).digits(), "8901234567890123456");
        assert!(Iccid::from_digits("89012345678901234x").is_none());
        assert!(Iccid::from_digits("8901").is_none());
        assert_eq!(
            Iccid::from_digits("89012345678901234567").unwrap().digits(),
            "89012345678901234567"
        );
    }
}
