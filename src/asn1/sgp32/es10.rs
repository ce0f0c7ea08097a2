//! SGP.32 v1.2 ES10b types (SGP32Definitions lines 353-711): the SGP.32 forms of SGP.22 types
//! (`SGP32-ProfileInfo`, `SGP32-EUICCInfo2`, ...), the SGP.32-only ES10b functions and the
//! compact formats.
//!
//! Tagging follows X.680 for an `AUTOMATIC TAGS` module: a SEQUENCE or CHOICE whose components
//! carry no tag gets automatic tags (`#[rasn(automatic_tags)]`); as soon as one component has a
//! tag written in the module, none is tagged automatically and the untagged ones keep the tag
//! of their type (e.g. `cmdResult` of `ProfileRollbackResponse` is a universal INTEGER `02`,
//! `addOk` of `AddInitialEimResponse` a universal NULL `05 00`). Such types tag each field by
//! hand. A tagged component whose type is an untagged CHOICE is explicitly tagged
//! (`tag(explicit(context, N))`).
//!
//! A tagged CHOICE type (`SGP32-AuthenticateServerResponse ::= [56] CHOICE {...}`) is
//! explicitly tagged: a `#[rasn(delegate, tag(explicit(context, N)))]` newtype with the ASN.1
//! name around a plain CHOICE enum named `...Choice` ('BF38 { A0 ... }'), as in `package`.
//! rasn 0.30 would drop the tag of a `#[rasn(choice, tag(explicit(..)))]` enum used as an
//! untagged alternative of another CHOICE (it encodes through `encode_with_identifier`), and
//! rejects `#[serde]` attributes on its variants; the delegate newtype has neither problem.

use rasn::prelude::*;
use rasn::types::{FixedOctetString, ObjectIdentifier};
use serde::Serialize;

use crate::asn1::Extensions;
use crate::asn1::json::{bits, bits_opt, hex, hex_fixed, hex_opt, oid_opt};
use crate::asn1::pkix::{Certificate, SubjectKeyIdentifier};
use crate::asn1::rsp::{
    AuthenticateResponseError, CancelSessionReason, CancelSessionResponseOk, CtxParams1,
    DpProprietaryData, ErrorResult, EuiccSignPIR, Iccid, IconType,
    NotificationConfigurationInformation, NotificationEvent, NotificationMetadata, Octet16,
    Octet32, OctetTo16, OperatorId, OtherSignedNotification, PprIds, PrepareDownloadResponseError,
    PrepareDownloadResponseOk, ProfileClass, ProfileInstallationResultData, ProfileState,
    RspCapability, TransactionId, UiccCapability, VendorSpecificExtension, VersionType,
};
use crate::asn1::sgp32::{EimConfigurationData, EuiccPackageResult, PendingNotificationList};
use crate::named_integer;

fn default_true() -> bool {
    true
}

fn default_profile_class() -> ProfileClass {
    ProfileClass::OPERATIONAL
}

/// `SGP32-ProfileInfo` (SGP.32 5.9.x GetProfilesInfo; SGP.22 5.7.15 with the SGP.32 additions
/// `ecallIndication`, `fallbackAttribute`, `fallbackAllowed`). Tag 'E3'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(private, 3))]
pub struct ProfileInfo {
    #[serde(rename = "iccid", skip_serializing_if = "Option::is_none")]
    pub iccid: Option<Iccid>,
    #[rasn(tag(application, 15))]
    #[serde(rename = "isdpAid", skip_serializing_if = "Option::is_none")]
    pub isdp_aid: Option<OctetTo16>,
    #[rasn(tag(context, 112))]
    #[serde(rename = "profileState", skip_serializing_if = "Option::is_none")]
    pub profile_state: Option<ProfileState>,
    #[rasn(tag(context, 16))]
    #[serde(rename = "profileNickname", skip_serializing_if = "Option::is_none")]
    pub profile_nickname: Option<String>,
    #[rasn(tag(context, 17))]
    #[serde(
        rename = "serviceProviderName",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_provider_name: Option<String>,
    #[rasn(tag(context, 18))]
    #[serde(rename = "profileName", skip_serializing_if = "Option::is_none")]
    pub profile_name: Option<String>,
    #[rasn(tag(context, 19))]
    #[serde(rename = "iconType", skip_serializing_if = "Option::is_none")]
    pub icon_type: Option<IconType>,
    #[rasn(tag(context, 20))]
    #[serde(
        rename = "icon",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub icon: Option<OctetString>,
    #[rasn(tag(context, 21))]
    #[serde(rename = "profileClass", skip_serializing_if = "Option::is_none")]
    pub profile_class: Option<ProfileClass>,
    #[rasn(tag(context, 22))]
    #[serde(
        rename = "notificationConfigurationInfo",
        skip_serializing_if = "Option::is_none"
    )]
    pub notification_configuration_info: Option<Vec<NotificationConfigurationInformation>>,
    #[rasn(tag(context, 23))]
    #[serde(rename = "profileOwner", skip_serializing_if = "Option::is_none")]
    pub profile_owner: Option<OperatorId>,
    #[rasn(tag(context, 24))]
    #[serde(rename = "dpProprietaryData", skip_serializing_if = "Option::is_none")]
    pub dp_proprietary_data: Option<DpProprietaryData>,
    #[rasn(tag(context, 25))]
    #[serde(
        rename = "profilePolicyRules",
        serialize_with = "bits_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub profile_policy_rules: Option<PprIds>,
    #[rasn(tag(context, 34))]
    #[serde(
        rename = "serviceSpecificDataStoredInEuicc",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_specific_data_stored_in_euicc: Option<VendorSpecificExtension>,
    #[rasn(tag(context, 123))]
    #[serde(rename = "ecallIndication", skip_serializing_if = "Option::is_none")]
    pub ecall_indication: Option<bool>,
    /// `DEFAULT FALSE`: TRUE marks a Fallback Profile.
    #[rasn(tag(context, 38), default)]
    #[serde(rename = "fallbackAttribute")]
    pub fallback_attribute: bool,
    #[rasn(tag(context, 103))]
    #[serde(rename = "fallbackAllowed", skip_serializing_if = "Option::is_none")]
    pub fallback_allowed: Option<bool>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `SGP32-StoreMetadataRequest` (SGP.22 5.5.3 with `ecallIndication`, `fallbackAllowed`).
/// Tag 'BF25'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 37))]
pub struct StoreMetadataRequest {
    #[serde(rename = "iccid")]
    pub iccid: Iccid,
    #[rasn(tag(context, 17))]
    #[serde(rename = "serviceProviderName")]
    pub service_provider_name: String,
    #[rasn(tag(context, 18))]
    #[serde(rename = "profileName")]
    pub profile_name: String,
    #[rasn(tag(context, 19))]
    #[serde(rename = "iconType", skip_serializing_if = "Option::is_none")]
    pub icon_type: Option<IconType>,
    #[rasn(tag(context, 20))]
    #[serde(
        rename = "icon",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub icon: Option<OctetString>,
    /// `DEFAULT operational`.
    #[rasn(tag(context, 21), default = "default_profile_class")]
    #[serde(rename = "profileClass")]
    pub profile_class: ProfileClass,
    #[rasn(tag(context, 22))]
    #[serde(
        rename = "notificationConfigurationInfo",
        skip_serializing_if = "Option::is_none"
    )]
    pub notification_configuration_info: Option<Vec<NotificationConfigurationInformation>>,
    #[rasn(tag(context, 23))]
    #[serde(rename = "profileOwner", skip_serializing_if = "Option::is_none")]
    pub profile_owner: Option<OperatorId>,
    #[rasn(tag(context, 25))]
    #[serde(
        rename = "profilePolicyRules",
        serialize_with = "bits_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub profile_policy_rules: Option<PprIds>,
    #[rasn(tag(context, 34))]
    #[serde(
        rename = "serviceSpecificDataStoredInEuicc",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_specific_data_stored_in_euicc: Option<VendorSpecificExtension>,
    #[rasn(tag(context, 35))]
    #[serde(
        rename = "serviceSpecificDataNotStoredInEuicc",
        skip_serializing_if = "Option::is_none"
    )]
    pub service_specific_data_not_stored_in_euicc: Option<VendorSpecificExtension>,
    #[rasn(tag(context, 123))]
    #[serde(rename = "ecallIndication", skip_serializing_if = "Option::is_none")]
    pub ecall_indication: Option<bool>,
    #[rasn(tag(context, 103))]
    #[serde(rename = "fallbackAllowed", skip_serializing_if = "Option::is_none")]
    pub fallback_allowed: Option<bool>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `SGP32-AuthenticateClientRequest` (ES9+'/ES11' AuthenticateClient as relayed for SGP.32).
/// Tag 'BF3B'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 59))]
pub struct AuthenticateClientRequest {
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// 'BF38' around the alternative.
    #[rasn(tag(context, 56))]
    #[serde(rename = "authenticateServerResponse")]
    pub authenticate_server_response: AuthenticateServerResponse,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `euiccCategory` of `SGP32-EUICCInfo2` (SGP.22 5.7.8).
    pub EuiccCategory {
        OTHER = 0 => "other",
        BASIC_EUICC = 1 => "basicEuicc",
        MEDIUM_EUICC = 2 => "mediumEuicc",
        CONTACTLESS_EUICC = 3 => "contactlessEuicc",
    }
}

/// `SGP32-EUICCInfo2` (SGP.32 5.9.x GetEUICCInfo; SGP.22 5.7.8 plus `ipaMode` and
/// `iotSpecificInfo`). Tag 'BF22'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 34))]
pub struct EuiccInfo2 {
    #[rasn(tag(context, 1))]
    #[serde(rename = "profileVersion")]
    pub profile_version: VersionType,
    #[rasn(tag(context, 2))]
    #[serde(rename = "svn")]
    pub svn: VersionType,
    #[rasn(tag(context, 3))]
    #[serde(rename = "euiccFirmwareVer")]
    pub euicc_firmware_ver: VersionType,
    #[rasn(tag(context, 4))]
    #[serde(rename = "extCardResource", serialize_with = "hex")]
    pub ext_card_resource: OctetString,
    #[rasn(tag(context, 5))]
    #[serde(rename = "uiccCapability", serialize_with = "bits")]
    pub uicc_capability: UiccCapability,
    #[rasn(tag(context, 6))]
    #[serde(rename = "ts102241Version", skip_serializing_if = "Option::is_none")]
    pub ts102241_version: Option<VersionType>,
    #[rasn(tag(context, 7))]
    #[serde(
        rename = "globalplatformVersion",
        skip_serializing_if = "Option::is_none"
    )]
    pub globalplatform_version: Option<VersionType>,
    #[rasn(tag(context, 8))]
    #[serde(rename = "rspCapability", serialize_with = "bits")]
    pub rsp_capability: RspCapability,
    #[rasn(tag(context, 9))]
    #[serde(rename = "euiccCiPKIdListForVerification")]
    pub euicc_ci_pk_id_list_for_verification: Vec<SubjectKeyIdentifier>,
    #[rasn(tag(context, 10))]
    #[serde(rename = "euiccCiPKIdListForSigning")]
    pub euicc_ci_pk_id_list_for_signing: Vec<SubjectKeyIdentifier>,
    #[rasn(tag(context, 11))]
    #[serde(rename = "euiccCategory", skip_serializing_if = "Option::is_none")]
    pub euicc_category: Option<EuiccCategory>,
    #[rasn(tag(context, 25))]
    #[serde(
        rename = "forbiddenProfilePolicyRules",
        serialize_with = "bits_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub forbidden_profile_policy_rules: Option<PprIds>,
    /// Universal OCTET STRING ('04'): the SEQUENCE has written tags, so no automatic tag.
    #[serde(rename = "ppVersion")]
    pub pp_version: VersionType,
    /// Universal UTF8String ('0C'). (The module's spelling `sasAcreditationNumber`.)
    #[serde(rename = "sasAcreditationNumber")]
    pub sas_acreditation_number: String,
    #[rasn(tag(context, 12))]
    #[serde(
        rename = "certificationDataObject",
        skip_serializing_if = "Option::is_none"
    )]
    pub certification_data_object: Option<crate::asn1::rsp::CertificationDataObject>,
    /// BIT STRING { isDiscrete(0), isIntegrated(1), usesRemoteMemory(2) }.
    #[rasn(tag(context, 13))]
    #[serde(
        rename = "treProperties",
        serialize_with = "bits_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub tre_properties: Option<BitString>,
    #[rasn(tag(context, 14))]
    #[serde(
        rename = "treProductReference",
        skip_serializing_if = "Option::is_none"
    )]
    pub tre_product_reference: Option<String>,
    #[rasn(tag(context, 15))]
    #[serde(
        rename = "additionalEuiccProfilePackageVersions",
        skip_serializing_if = "Option::is_none"
    )]
    pub additional_euicc_profile_package_versions: Option<Vec<VersionType>>,
    /// The active IPA; mandatory within SGP.32.
    #[rasn(tag(context, 16))]
    #[serde(rename = "ipaMode", skip_serializing_if = "Option::is_none")]
    pub ipa_mode: Option<IpaMode>,
    /// Not used by SGP.32 v1.2.
    #[rasn(tag(context, 17))]
    #[serde(
        rename = "euiccCiPKIdListForSigningV3",
        skip_serializing_if = "Option::is_none"
    )]
    pub euicc_ci_pk_id_list_for_signing_v3: Option<Vec<SubjectKeyIdentifier>>,
    /// Not used by SGP.32 v1.2.
    #[rasn(tag(context, 18))]
    #[serde(
        rename = "additionalEuiccInfo",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub additional_euicc_info: Option<OctetString>,
    /// Not used by SGP.32 v1.2.
    #[rasn(tag(context, 19))]
    #[serde(rename = "highestSvn", skip_serializing_if = "Option::is_none")]
    pub highest_svn: Option<VersionType>,
    /// Mandatory within SGP.32.
    #[rasn(tag(context, 20))]
    #[serde(rename = "iotSpecificInfo", skip_serializing_if = "Option::is_none")]
    pub iot_specific_info: Option<IoTSpecificInfo>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `IoTSpecificInfo` of `SGP32-EUICCInfo2` (SGP.32 5.9.x).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IoTSpecificInfo {
    /// SGP.32 version(s) supported by the eUICC (at least one).
    #[rasn(tag(context, 0))]
    #[serde(rename = "iotVersion")]
    pub iot_version: Vec<VersionType>,
    /// Present if the eUICC supports the Emergency Mechanism.
    #[rasn(tag(context, 1))]
    #[serde(rename = "ecallSupported", skip_serializing_if = "Option::is_none")]
    pub ecall_supported: Option<()>,
    /// Present if the eUICC supports the Fallback Mechanism.
    #[rasn(tag(context, 2))]
    #[serde(rename = "fallbackSupported", skip_serializing_if = "Option::is_none")]
    pub fallback_supported: Option<()>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `IpaMode` (SGP.32 5.9.x): which IPA is active.
    pub IpaMode { IPAD = 0 => "ipad", IPAE = 1 => "ipae" }
}

/// `AddInitialEimRequest` (SGP.32 5.9.4 ES10b.AddInitialEim). Tag 'BF57'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 87))]
pub struct AddInitialEimRequest {
    #[rasn(tag(context, 0))]
    #[serde(rename = "eimConfigurationDataList")]
    pub eim_configuration_data_list: Vec<EimConfigurationData>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `addInitialEimError` of `AddInitialEimResponse` (SGP.32 5.9.4).
    pub AddInitialEimError {
        INSUFFICIENT_MEMORY = 1 => "insufficientMemory",
        ASSOCIATED_EIM_ALREADY_EXISTS = 2 => "associatedEimAlreadyExists",
        CI_PK_UNKNOWN = 3 => "ciPKUnknown",
        INVALID_ASSOCIATION_TOKEN = 5 => "invalidAssociationToken",
        COUNTER_VALUE_OUT_OF_RANGE = 6 => "counterValueOutOfRange",
        COMMAND_ERROR = 7 => "commandError",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// One entry of `addInitialEimOk` (SGP.32 5.9.4): per eIM of the request, its association
/// token or `addOk`. The CHOICE has a written tag, so `addOk` is a universal NULL ('05 00').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum AddInitialEimOkEntry {
    #[rasn(tag(context, 4))]
    #[serde(rename = "associationToken")]
    AssociationToken(i64),
    #[serde(rename = "addOk")]
    AddOk(()),
}

/// `AddInitialEimResponse` (SGP.32 5.9.4). Tag 'BF57' around the alternative.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 87)))]
pub struct AddInitialEimResponse(pub AddInitialEimResponseChoice);

/// The alternatives of [`AddInitialEimResponse`] (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum AddInitialEimResponseChoice {
    #[serde(rename = "addInitialEimOk")]
    AddInitialEimOk(Vec<AddInitialEimOkEntry>),
    #[serde(rename = "addInitialEimError")]
    AddInitialEimError(AddInitialEimError),
}

/// `SGP32-EuiccMemoryResetRequest` (SGP.32 5.9.5 ES10b.eUICCMemoryReset). Tag 'BF64'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 100))]
pub struct EuiccMemoryResetRequest {
    /// BIT STRING { deleteOperationalProfiles(0), deleteFieldLoadedTestProfiles(1),
    /// resetDefaultSmdpAddress(2), deletePreLoadedTestProfiles(3), deleteProvisioningProfiles(4),
    /// resetEimConfigData(5), resetImmediateEnableConfig(6) }.
    #[rasn(tag(context, 2))]
    #[serde(rename = "resetOptions", serialize_with = "bits")]
    pub reset_options: BitString,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `resetResult` of `SGP32-EuiccMemoryResetResponse` (SGP.32 5.9.5).
    pub ResetResult {
        OK = 0 => "ok",
        NOTHING_TO_DELETE = 1 => "nothingToDelete",
        CAT_BUSY = 5 => "catBusy",
        ECALL_ACTIVE = 104 => "ecallActive",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// `resetEimResult` of `SGP32-EuiccMemoryResetResponse` (SGP.32 5.9.5).
    pub ResetEimResult {
        OK = 0 => "ok",
        NOTHING_TO_DELETE = 1 => "nothingToDelete",
        EIM_RESET_NOT_SUPPORTED = 2 => "eimResetNotSupported",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// `resetImmediateEnableConfigResult` of `SGP32-EuiccMemoryResetResponse` (SGP.32 5.9.5).
    pub ResetImmediateEnableConfigResult {
        OK = 0 => "ok",
        RESET_IEC_NOT_SUPPORTED = 1 => "resetIECNotSupported",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `SGP32-EuiccMemoryResetResponse` (SGP.32 5.9.5). Tag 'BF64'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags, tag(context, 100))]
pub struct EuiccMemoryResetResponse {
    #[serde(rename = "resetResult")]
    pub reset_result: ResetResult,
    #[serde(rename = "resetEimResult", skip_serializing_if = "Option::is_none")]
    pub reset_eim_result: Option<ResetEimResult>,
    #[serde(
        rename = "resetImmediateEnableConfigResult",
        skip_serializing_if = "Option::is_none"
    )]
    pub reset_immediate_enable_config_result: Option<ResetImmediateEnableConfigResult>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `GetCertsRequest` (SGP.32 5.9.10 ES10b.GetCerts). Tag 'BF56'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags, tag(context, 86))]
pub struct GetCertsRequest {
    #[serde(rename = "euiccCiPKId", skip_serializing_if = "Option::is_none")]
    pub euicc_ci_pk_id: Option<SubjectKeyIdentifier>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// The `certs` alternative of `GetCertsResponse` (SGP.32 5.9.10).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Certs {
    /// Tag 'A5'.
    #[rasn(tag(context, 5))]
    #[serde(rename = "eumCertificate")]
    pub eum_certificate: Certificate,
    /// Tag 'A6'.
    #[rasn(tag(context, 6))]
    #[serde(rename = "euiccCertificate")]
    pub euicc_certificate: Certificate,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `getCertsError` of `GetCertsResponse` (SGP.32 5.9.10; the module's spelling
    /// `undfinedError`).
    pub GetCertsError { INVALID_CI_PK_ID = 1 => "invalidCiPKId", UNDEFINED_ERROR = 127 => "undfinedError" }
}

/// `GetCertsResponse` (SGP.32 5.9.10). Tag 'BF56' around the alternative.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 86)))]
pub struct GetCertsResponse(pub GetCertsResponseChoice);

/// The alternatives of [`GetCertsResponse`] (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum GetCertsResponseChoice {
    #[serde(rename = "certs")]
    Certs(Box<Certs>),
    #[serde(rename = "getCertsError")]
    GetCertsError(GetCertsError),
}

/// `searchCriteria` of `SGP32-RetrieveNotificationsListRequest` (SGP.32 5.9.x).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum NotificationsSearchCriteria {
    #[rasn(tag(context, 0))]
    #[serde(rename = "seqNumber")]
    SeqNumber(i64),
    #[rasn(tag(context, 1))]
    #[serde(rename = "profileManagementOperation", serialize_with = "bits")]
    ProfileManagementOperation(NotificationEvent),
    #[rasn(tag(context, 2))]
    #[serde(rename = "euiccPackageResults")]
    EuiccPackageResults(()),
}

/// `SGP32-RetrieveNotificationsListRequest` (SGP.22 5.7.10 plus `euiccPackageResults`).
/// Tag 'BF2B'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 43))]
pub struct RetrieveNotificationsListRequest {
    /// Automatic tag `[0]`, explicit around the CHOICE ('A0').
    #[rasn(tag(explicit(context, 0)))]
    #[serde(rename = "searchCriteria", skip_serializing_if = "Option::is_none")]
    pub search_criteria: Option<NotificationsSearchCriteria>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `notificationsListResultError` of `SGP32-RetrieveNotificationsListResponse`.
    pub NotificationsListResultError { UNDEFINED_ERROR = 127 => "undefinedError" }
}

/// `SGP32-RetrieveNotificationsListResponse` (SGP.22 5.7.10 plus `euiccPackageResultList`).
/// Tag 'BF2B' around the alternative ('A0' / '81' / 'A2').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 43)))]
pub struct RetrieveNotificationsListResponse(pub RetrieveNotificationsListResponseChoice);

/// The alternatives of [`RetrieveNotificationsListResponse`] (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum RetrieveNotificationsListResponseChoice {
    #[serde(rename = "notificationList")]
    NotificationList(PendingNotificationList),
    #[serde(rename = "notificationsListResultError")]
    NotificationsListResultError(NotificationsListResultError),
    #[serde(rename = "euiccPackageResultList")]
    EuiccPackageResultList(Vec<EuiccPackageResult>),
}

/// Declares a `[N] SEQUENCE { refreshFlag BOOLEAN }` request and its
/// `[N] SEQUENCE { <result> [0] INTEGER {...} }` response.
macro_rules! refresh_flag_function {
    (
        $(#[$req_meta:meta])* $req:ident,
        $(#[$resp_meta:meta])* $resp:ident { $field:ident: $result:ident => $result_name:literal },
        $tag:literal
    ) => {
        $(#[$req_meta])*
        #[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
        #[rasn(automatic_tags, tag(context, $tag))]
        pub struct $req {
            /// Whether a REFRESH is required.
            #[serde(rename = "refreshFlag")]
            pub refresh_flag: bool,
            #[serde(rename = "unknownExtensions", skip_serializing_if = "Extensions::is_empty")]
            pub extensions: Extensions,
        }

        $(#[$resp_meta])*
        #[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
        #[rasn(tag(context, $tag))]
        pub struct $resp {
            #[rasn(tag(context, 0))]
            #[serde(rename = $result_name)]
            pub $field: $result,
            #[serde(rename = "unknownExtensions", skip_serializing_if = "Extensions::is_empty")]
            pub extensions: Extensions,
        }
    };
}

named_integer! {
    /// `immediateEnableResult` of `ImmediateEnableResponse` (SGP.32 5.9.15).
    pub ImmediateEnableResult {
        OK = 0 => "ok",
        IMMEDIATE_ENABLE_NOT_AVAILABLE = 1 => "immediateEnableNotAvailable",
        NO_SESSION_CONTEXT = 4 => "noSessionContext",
        CAT_BUSY = 5 => "catBusy",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

refresh_flag_function! {
    /// `ImmediateEnableRequest` (SGP.32 5.9.15 ES10b.ImmediateEnable). Tag 'BF5A'.
    ImmediateEnableRequest,
    /// `ImmediateEnableResponse` (SGP.32 5.9.15). Tag 'BF5A'.
    ImmediateEnableResponse { immediate_enable_result: ImmediateEnableResult => "immediateEnableResult" },
    90
}

/// `ProfileRollbackRequest` (SGP.32 5.9.16 ES10b.ProfileRollback). Tag 'BF58'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags, tag(context, 88))]
pub struct ProfileRollbackRequest {
    /// Whether a REFRESH is required.
    #[serde(rename = "refreshFlag")]
    pub refresh_flag: bool,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `cmdResult` of `ProfileRollbackResponse` (SGP.32 5.9.16).
    pub ProfileRollbackCmdResult {
        OK = 0 => "ok",
        ROLLBACK_NOT_ALLOWED = 1 => "rollbackNotAllowed",
        CAT_BUSY = 5 => "catBusy",
        COMMAND_ERROR = 7 => "commandError",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `ProfileRollbackResponse` (SGP.32 5.9.16). Tag 'BF58'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 88))]
pub struct ProfileRollbackResponse {
    /// A universal INTEGER ('02'): `eUICCPackageResult` has a written tag, so the SEQUENCE is
    /// not automatically tagged.
    #[serde(rename = "cmdResult")]
    pub cmd_result: ProfileRollbackCmdResult,
    /// 'BF51' around the alternative.
    #[rasn(tag(context, 81))]
    #[serde(rename = "eUICCPackageResult", skip_serializing_if = "Option::is_none")]
    pub euicc_package_result: Option<EuiccPackageResult>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `ConfigureImmediateProfileEnablingRequest` (SGP.32 5.9.17). Tag 'BF59'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 89))]
pub struct ConfigureImmediateProfileEnablingRequest {
    #[rasn(tag(context, 0))]
    #[serde(
        rename = "immediateEnableFlag",
        skip_serializing_if = "Option::is_none"
    )]
    pub immediate_enable_flag: Option<()>,
    #[rasn(tag(context, 1))]
    #[serde(
        rename = "defaultSmdpOid",
        serialize_with = "oid_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_smdp_oid: Option<ObjectIdentifier>,
    #[rasn(tag(context, 2))]
    #[serde(rename = "defaultSmdpAddress", skip_serializing_if = "Option::is_none")]
    pub default_smdp_address: Option<String>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `configImmediateEnableResult` of `ConfigureImmediateProfileEnablingResponse`
    /// (SGP.32 5.9.17).
    pub ConfigImmediateEnableResult {
        OK = 0 => "ok",
        INSUFFICIENT_MEMORY = 1 => "insufficientMemory",
        ASSOCIATED_EIM_ALREADY_EXISTS = 2 => "associatedEimAlreadyExists",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `ConfigureImmediateProfileEnablingResponse` (SGP.32 5.9.17). Tag 'BF59'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 89))]
pub struct ConfigureImmediateProfileEnablingResponse {
    #[rasn(tag(context, 0))]
    #[serde(rename = "configImmediateEnableResult")]
    pub config_immediate_enable_result: ConfigImmediateEnableResult,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `searchCriteria` of `GetEimConfigurationDataRequest` (SGP.32 5.9.18).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum EimSearchCriteria {
    #[rasn(tag(context, 0))]
    #[serde(rename = "eimId")]
    EimId(String),
}

/// `GetEimConfigurationDataRequest` (SGP.32 5.9.18 ES10b.GetEimConfigurationData).
/// Tag 'BF55'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 85))]
pub struct GetEimConfigurationDataRequest {
    /// Automatic tag `[0]`, explicit around the CHOICE ('A0').
    #[rasn(tag(explicit(context, 0)))]
    #[serde(rename = "searchCriteria", skip_serializing_if = "Option::is_none")]
    pub search_criteria: Option<EimSearchCriteria>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `GetEimConfigurationDataResponse` (SGP.32 5.9.18). Tag 'BF55'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 85))]
pub struct GetEimConfigurationDataResponse {
    #[rasn(tag(context, 0))]
    #[serde(rename = "eimConfigurationDataList")]
    pub eim_configuration_data_list: Vec<EimConfigurationData>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `executeFallbackMechanismResult` (SGP.32 5.9.20).
    pub ExecuteFallbackMechanismResult {
        OK = 0 => "ok",
        PROFILE_NOT_IN_DISABLED_STATE = 2 => "profileNotInDisabledState",
        CAT_BUSY = 5 => "catBusy",
        FALLBACK_NOT_AVAILABLE = 6 => "fallbackNotAvailable",
        COMMAND_ERROR = 7 => "commandError",
        ECALL_ACTIVE = 104 => "ecallActive",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

refresh_flag_function! {
    /// `ExecuteFallbackMechanismRequest` (SGP.32 5.9.20). Tag 'BF5D'.
    ExecuteFallbackMechanismRequest,
    /// `ExecuteFallbackMechanismResponse` (SGP.32 5.9.20). Tag 'BF5D'.
    ExecuteFallbackMechanismResponse {
        execute_fallback_mechanism_result: ExecuteFallbackMechanismResult => "executeFallbackMechanismResult"
    },
    93
}

named_integer! {
    /// `returnFromFallbackResult` (SGP.32 5.9.21).
    pub ReturnFromFallbackResult {
        OK = 0 => "ok",
        CAT_BUSY = 5 => "catBusy",
        FALLBACK_NOT_AVAILABLE = 6 => "fallbackNotAvailable",
        COMMAND_ERROR = 7 => "commandError",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

refresh_flag_function! {
    /// `ReturnFromFallbackRequest` (SGP.32 5.9.21). Tag 'BF5E'.
    ReturnFromFallbackRequest,
    /// `ReturnFromFallbackResponse` (SGP.32 5.9.21). Tag 'BF5E'.
    ReturnFromFallbackResponse {
        return_from_fallback_result: ReturnFromFallbackResult => "returnFromFallbackResult"
    },
    94
}

named_integer! {
    /// `enableEmergencyProfileResult` (SGP.32 5.9.22).
    pub EnableEmergencyProfileResult {
        OK = 0 => "ok",
        PROFILE_NOT_IN_DISABLED_STATE = 2 => "profileNotInDisabledState",
        CAT_BUSY = 5 => "catBusy",
        ECALL_NOT_AVAILABLE = 8 => "ecallNotAvailable",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

refresh_flag_function! {
    /// `EnableEmergencyProfileRequest` (SGP.32 5.9.22). Tag 'BF5B'.
    EnableEmergencyProfileRequest,
    /// `EnableEmergencyProfileResponse` (SGP.32 5.9.22). Tag 'BF5B'.
    EnableEmergencyProfileResponse {
        enable_emergency_profile_result: EnableEmergencyProfileResult => "enableEmergencyProfileResult"
    },
    91
}

named_integer! {
    /// `disableEmergencyProfileResult` (SGP.32 5.9.23).
    pub DisableEmergencyProfileResult {
        OK = 0 => "ok",
        PROFILE_NOT_IN_ENABLED_STATE = 2 => "profileNotInEnabledState",
        CAT_BUSY = 5 => "catBusy",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

refresh_flag_function! {
    /// `DisableEmergencyProfileRequest` (SGP.32 5.9.23). Tag 'BF5C'.
    DisableEmergencyProfileRequest,
    /// `DisableEmergencyProfileResponse` (SGP.32 5.9.23). Tag 'BF5C'.
    DisableEmergencyProfileResponse {
        disable_emergency_profile_result: DisableEmergencyProfileResult => "disableEmergencyProfileResult"
    },
    92
}

/// `GetConnectivityParametersRequest` (SGP.32 5.9.24). Tag 'BF5F', empty.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 95))]
pub struct GetConnectivityParametersRequest {
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `ConnectivityParameters` (SGP.32 5.9.24).
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConnectivityParameters {
    /// Also used for CoAP.
    #[rasn(tag(context, 1))]
    #[serde(
        rename = "httpParams",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub http_params: Option<OctetString>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `ConnectivityParametersError` (SGP.32 5.9.24).
    pub ConnectivityParametersError {
        PARAMETERS_NOT_AVAILABLE = 1 => "parametersNotAvailable",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `GetConnectivityParametersResponse` (SGP.32 5.9.24). Tag 'BF5F' around the alternative.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 95)))]
pub struct GetConnectivityParametersResponse(pub GetConnectivityParametersResponseChoice);

/// The alternatives of [`GetConnectivityParametersResponse`] (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum GetConnectivityParametersResponseChoice {
    #[serde(rename = "connectivityParameters")]
    ConnectivityParameters(ConnectivityParameters),
    #[serde(rename = "connectivityParametersError")]
    ConnectivityParametersError(ConnectivityParametersError),
}

/// `SGP32-SetDefaultDpAddressRequest` (SGP.32 5.9.25). Tag 'BF65' (SGP.22 uses 'BF3F').
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags, tag(context, 101))]
pub struct SetDefaultDpAddressRequest {
    /// Default SM-DP+ address (FQDN).
    #[serde(rename = "defaultDpAddress")]
    pub default_dp_address: String,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `setDefaultDpAddressResult` (SGP.32 5.9.25).
    pub SetDefaultDpAddressResult { OK = 0 => "ok", UNDEFINED_ERROR = 127 => "undefinedError" }
}

/// `SGP32-SetDefaultDpAddressResponse` (SGP.32 5.9.25). Tag 'BF65'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags, tag(context, 101))]
pub struct SetDefaultDpAddressResponse {
    #[serde(rename = "setDefaultDpAddressResult")]
    pub set_default_dp_address_result: SetDefaultDpAddressResult,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `SGP32-PrepareDownloadResponse` (SGP.22 5.7.5 plus `compactDownloadResponseOk`).
/// Tag 'BF21' around the alternative ('A0' / 'A1' / 'A2').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 33)))]
pub struct PrepareDownloadResponse(pub PrepareDownloadResponseChoice);

/// The alternatives of [`PrepareDownloadResponse`] (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum PrepareDownloadResponseChoice {
    #[serde(rename = "downloadResponseOk")]
    DownloadResponseOk(Box<PrepareDownloadResponseOk>),
    #[serde(rename = "downloadResponseError")]
    DownloadResponseError(PrepareDownloadResponseError),
    #[serde(rename = "compactDownloadResponseOk")]
    CompactDownloadResponseOk(CompactPrepareDownloadResponseOk),
}

/// `CompactPrepareDownloadResponseOk` (SGP.32 compact PrepareDownload response).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompactPrepareDownloadResponseOk {
    /// Universal SEQUENCE ('30').
    #[serde(rename = "compactEuiccSigned2")]
    pub compact_euicc_signed2: CompactEuiccSigned2,
    /// Signature on EuiccSigned2, tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "euiccSignature2", serialize_with = "hex")]
    pub euicc_signature2: OctetString,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `CompactEuiccSigned2` (compact EuiccSigned2).
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CompactEuiccSigned2 {
    /// otPK.EUICC.ECKA, tag '5F49'; absent only if the eUICC chose bppEuiccOtpk.
    #[rasn(tag(application, 73))]
    #[serde(
        rename = "euiccOtpk",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub euicc_otpk: Option<OctetString>,
    /// Hash of the confirmation code if not received from the eIM; universal OCTET STRING
    /// ('04').
    #[serde(rename = "hashCc", skip_serializing_if = "Option::is_none")]
    pub hash_cc: Option<Octet32>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `SGP32-EuiccSigned1` (SGP.22 5.7.13 with the SGP.32 `EUICCInfo2`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EuiccSigned1 {
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    #[rasn(tag(context, 3))]
    #[serde(rename = "serverAddress")]
    pub server_address: String,
    /// The RSP server challenge.
    #[rasn(tag(context, 4))]
    #[serde(rename = "serverChallenge")]
    pub server_challenge: Octet16,
    #[rasn(tag(context, 34))]
    #[serde(rename = "euiccInfo2")]
    pub euicc_info2: EuiccInfo2,
    /// An untagged CHOICE: its alternative's tag ('A0').
    #[serde(rename = "ctxParams1")]
    pub ctx_params1: CtxParams1,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `SGP32-AuthenticateResponseOk` (SGP.22 5.7.13).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthenticateResponseOk {
    #[serde(rename = "euiccSigned1")]
    pub euicc_signed1: EuiccSigned1,
    /// EUICC_Sign1, tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "euiccSignature1", serialize_with = "hex")]
    pub euicc_signature1: OctetString,
    /// CERT.EUICC.ECDSA.
    #[serde(rename = "euiccCertificate")]
    pub euicc_certificate: Certificate,
    /// CERT.EUM.ECDSA.
    #[serde(rename = "eumCertificate")]
    pub eum_certificate: Certificate,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `SGP32-AuthenticateServerResponse` (SGP.22 5.7.13 plus `compactAuthenticateResponseOk`).
/// Tag 'BF38' around the alternative ('A0' / 'A1' / 'A2').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 56)))]
pub struct AuthenticateServerResponse(pub AuthenticateServerResponseChoice);

/// The alternatives of [`AuthenticateServerResponse`] (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum AuthenticateServerResponseChoice {
    #[serde(rename = "authenticateResponseOk")]
    AuthenticateResponseOk(Box<AuthenticateResponseOk>),
    #[serde(rename = "authenticateResponseError")]
    AuthenticateResponseError(AuthenticateResponseError),
    #[serde(rename = "compactAuthenticateResponseOk")]
    CompactAuthenticateResponseOk(Box<CompactAuthenticateResponseOk>),
}

/// `signedData` of `CompactAuthenticateResponseOk`: the full or the compact EuiccSigned1
/// ('30' / 'A0'; the CHOICE has a written tag, so no automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum CompactSignedData {
    #[serde(rename = "euiccSigned1")]
    EuiccSigned1(Box<EuiccSigned1>),
    #[rasn(tag(context, 0))]
    #[serde(rename = "compactEuiccSigned1")]
    CompactEuiccSigned1(Box<CompactEuiccSigned1>),
}

/// `CompactAuthenticateResponseOk` (SGP.32 compact AuthenticateServer response).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompactAuthenticateResponseOk {
    /// An untagged CHOICE.
    #[serde(rename = "signedData")]
    pub signed_data: CompactSignedData,
    /// Signature on EuiccSigned1, tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "euiccSignature1", serialize_with = "hex")]
    pub euicc_signature1: OctetString,
    /// CERT.EUICC.ECDSA, tag 'A1'.
    #[rasn(tag(context, 1))]
    #[serde(rename = "euiccCertificate", skip_serializing_if = "Option::is_none")]
    pub euicc_certificate: Option<Certificate>,
    /// CERT.EUM.ECDSA, tag 'A2'.
    #[rasn(tag(context, 2))]
    #[serde(rename = "eumCertificate", skip_serializing_if = "Option::is_none")]
    pub eum_certificate: Option<Certificate>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `CompactEuiccSigned1` (compact EuiccSigned1).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompactEuiccSigned1 {
    /// Extended Card Resource Information (ETSI TS 102 226) from euiccInfo2.
    #[rasn(tag(context, 4))]
    #[serde(rename = "extCardResource", serialize_with = "hex")]
    pub ext_card_resource: OctetString,
    /// May be left out if the eIM provided ctxParams1. Explicit `[2]` around the CHOICE.
    #[rasn(tag(explicit(context, 2)))]
    #[serde(rename = "ctxParams1", skip_serializing_if = "Option::is_none")]
    pub ctx_params1: Option<CtxParams1>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `SGP32-PendingNotification` (SGP.22 5.7.10 plus the compact forms). Untagged CHOICE; its
/// alternatives are 'BF37' / '30' / 'A0' / 'A1'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum PendingNotification {
    #[rasn(tag(context, 55))]
    #[serde(rename = "profileInstallationResult")]
    ProfileInstallationResult(Box<ProfileInstallationResult>),
    #[serde(rename = "otherSignedNotification")]
    OtherSignedNotification(Box<OtherSignedNotification>),
    #[rasn(tag(context, 0))]
    #[serde(rename = "compactProfileInstallationResult")]
    CompactProfileInstallationResult(Box<CompactProfileInstallationResult>),
    #[rasn(tag(context, 1))]
    #[serde(rename = "compactOtherSignedNotification")]
    CompactOtherSignedNotification(Box<CompactOtherSignedNotification>),
}

/// `SGP32-ProfileInstallationResult` (SGP.22 5.7.6). Tag 'BF37'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 55))]
pub struct ProfileInstallationResult {
    /// Tag 'BF27'.
    #[rasn(tag(context, 39))]
    #[serde(rename = "profileInstallationResultData")]
    pub profile_installation_result_data: ProfileInstallationResultData,
    /// Tag '5F37' (the tag of `EuiccSignPIR`).
    #[serde(rename = "euiccSignPIR")]
    pub euicc_sign_pir: EuiccSignPIR,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `CompactProfileInstallationResult` (SGP.32 compact PIR).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompactProfileInstallationResult {
    #[rasn(tag(context, 0))]
    #[serde(rename = "compactProfileInstallationResultData")]
    pub compact_profile_installation_result_data: CompactProfileInstallationResultData,
    /// Tag '5F37'.
    #[serde(rename = "euiccSignPIR")]
    pub euicc_sign_pir: EuiccSignPIR,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `compactFinalResult` of `CompactProfileInstallationResultData` ('A0' / 'A1').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
#[serde(rename_all = "camelCase")]
pub enum CompactFinalResult {
    CompactSuccessResult(CompactSuccessResult),
    ErrorResult(ErrorResult),
}

/// `CompactProfileInstallationResultData` (compact ProfileInstallationResultData).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompactProfileInstallationResultData {
    /// The TransactionID generated by the SM-DP+.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// Universal INTEGER ('02').
    #[serde(rename = "seqNumber")]
    pub seq_number: i64,
    /// `DEFAULT TRUE`, universal BOOLEAN ('01').
    #[rasn(default = "default_true")]
    #[serde(rename = "iccidPresent")]
    pub iccid_present: bool,
    /// Explicit `[2]` around the CHOICE ('A2').
    #[rasn(tag(explicit(context, 2)))]
    #[serde(rename = "compactFinalResult")]
    pub compact_final_result: CompactFinalResult,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `CompactSuccessResult`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompactSuccessResult {
    /// Bytes 14 and 15 of the ISD-P AID, tag '4F'.
    #[rasn(tag(application, 15))]
    #[serde(rename = "compactAid", serialize_with = "hex_fixed")]
    pub compact_aid: FixedOctetString<2>,
    /// Present unless the simaResponse is the 9-byte success value '30 07 A0 05 30 03 80 01 00'.
    #[serde(
        rename = "simaResponse",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub sima_response: Option<OctetString>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `CompactOtherSignedNotification`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompactOtherSignedNotification {
    /// Tag '5A'.
    #[rasn(tag(application, 26))]
    #[serde(rename = "eidValue", skip_serializing_if = "Option::is_none")]
    pub eid_value: Option<Octet16>,
    /// Tag 'BF2F' (the tag of `NotificationMetadata`).
    #[serde(rename = "tbsOtherNotification")]
    pub tbs_other_notification: NotificationMetadata,
    /// Signature of tbsOtherNotification, tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "euiccNotificationSignature", serialize_with = "hex")]
    pub euicc_notification_signature: OctetString,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `cancelSessionResponseError` of `SGP32-CancelSessionResponse` (SGP.22 5.7.14).
    pub CancelSessionResponseError {
        INVALID_TRANSACTION_ID = 5 => "invalidTransactionId",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `SGP32-CancelSessionResponse` (SGP.22 5.7.14 plus `compactCancelSessionResponseOk`).
/// Tag 'BF41' around the alternative ('A0' / '81' / 'A2').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 65)))]
pub struct CancelSessionResponse(pub CancelSessionResponseChoice);

/// The alternatives of [`CancelSessionResponse`] (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum CancelSessionResponseChoice {
    #[serde(rename = "cancelSessionResponseOk")]
    CancelSessionResponseOk(Box<CancelSessionResponseOk>),
    #[serde(rename = "cancelSessionResponseError")]
    CancelSessionResponseError(CancelSessionResponseError),
    #[serde(rename = "compactCancelSessionResponseOk")]
    CompactCancelSessionResponseOk(CompactCancelSessionResponseOk),
}

/// `CompactCancelSessionResponseOk`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompactCancelSessionResponseOk {
    /// Universal SEQUENCE ('30').
    #[serde(rename = "compactEuiccCancelSessionSigned")]
    pub compact_euicc_cancel_session_signed: CompactEuiccCancelSessionSigned,
    /// Signature on euiccCancelSessionSigned, tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "euiccCancelSessionSignature", serialize_with = "hex")]
    pub euicc_cancel_session_signature: OctetString,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `CompactEuiccCancelSessionSigned`.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct CompactEuiccCancelSessionSigned {
    /// Tag '80'.
    #[serde(rename = "reason", skip_serializing_if = "Option::is_none")]
    pub reason: Option<CancelSessionReason>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::asn1::sgp32::esipa::tests::{
        SIG, TID, certificate, d, h, round_trip, round_trip_starts, tid, tlv, vector,
    };
    use crate::asn1::sgp32::{ProfileInfoListResponse, ProfileInfoListResponseChoice};
    use crate::asn1::take_findings;

    const ICCID: &str = "989209012143658709f5";
    const ADDRESS: &str = "3132372e302e302e313a38303039"; // "127.0.0.1:8009"

    fn notification_metadata() -> String {
        tlv(
            "bf2f",
            &("800105 81020780".to_string() + &tlv("0c", ADDRESS)),
        )
    }

    pub(crate) fn store_metadata_request() -> StoreMetadataRequest {
        StoreMetadataRequest {
            iccid: d(&tlv("5a", ICCID)),
            service_provider_name: "ACME".into(),
            profile_name: "Test profile".into(),
            icon_type: None,
            icon: None,
            profile_class: d("020101"),
            notification_configuration_info: None,
            profile_owner: None,
            profile_policy_rules: None,
            service_specific_data_stored_in_euicc: None,
            service_specific_data_not_stored_in_euicc: None,
            ecall_indication: Some(true),
            fallback_allowed: Some(false),
            extensions: Extensions::default(),
        }
    }

    /// One PendingNotification of each alternative.
    pub(crate) fn pending_notifications() -> Vec<PendingNotification> {
        let pir_data = tlv(
            "bf27",
            &(tlv("80", TID)
                + &notification_metadata()
                + "06052b06010401"
                + &tlv("a2", &tlv("a1", "800101 810108"))),
        );
        let other = tlv(
            "30",
            &(notification_metadata()
                + &tlv("5f37", SIG)
                + &hex::encode(rasn::der::encode(&certificate()).unwrap())
                + &hex::encode(rasn::der::encode(&certificate()).unwrap())),
        );
        vec![
            PendingNotification::ProfileInstallationResult(Box::new(ProfileInstallationResult {
                profile_installation_result_data: d(&pir_data),
                euicc_sign_pir: d(&tlv("5f37", SIG)),
                extensions: Extensions::default(),
            })),
            PendingNotification::OtherSignedNotification(Box::new(d(&other))),
            PendingNotification::CompactProfileInstallationResult(Box::new(
                CompactProfileInstallationResult {
                    compact_profile_installation_result_data:
                        CompactProfileInstallationResultData {
                            transaction_id: tid(),
                            seq_number: 3,
                            iccid_present: false,
                            compact_final_result: CompactFinalResult::CompactSuccessResult(
                                CompactSuccessResult {
                                    compact_aid: FixedOctetString::from([0x12, 0x34]),
                                    sima_response: None,
                                    extensions: Extensions::default(),
                                },
                            ),
                            extensions: Extensions::default(),
                        },
                    euicc_sign_pir: d(&tlv("5f37", SIG)),
                    extensions: Extensions::default(),
                },
            )),
            PendingNotification::CompactOtherSignedNotification(Box::new(
                CompactOtherSignedNotification {
                    eid_value: Some(Octet16::new([0x89; 16])),
                    tbs_other_notification: d(&notification_metadata()),
                    euicc_notification_signature: OctetString::from(h(SIG)),
                    extensions: Extensions::default(),
                },
            )),
        ]
    }

    #[test]
    fn pending_notifications_have_their_alternative_tags() {
        let prefixes = ["bf37", "30", "a0", "a1"];
        for (notification, prefix) in pending_notifications().iter().zip(prefixes) {
            round_trip_starts(notification, prefix);
        }
        // The compact PIR: A0 { A0 { 80 tid, 02 seq, 01 iccidPresent FALSE, A2 { A0 { 4F } } },
        // 5F37 }.
        let bytes = rasn::der::encode(&pending_notifications()[2]).unwrap();
        let data = tlv(
            "a0",
            &(tlv("80", TID) + "020103 010100" + &tlv("a2", &tlv("a0", "4f021234"))),
        );
        assert_eq!(hex::encode(bytes), tlv("a0", &(data + &tlv("5f37", SIG))));
        // iccidPresent TRUE is the DEFAULT and left out.
        let mut data = match &pending_notifications()[2] {
            PendingNotification::CompactProfileInstallationResult(c) => {
                c.compact_profile_installation_result_data.clone()
            }
            _ => unreachable!(),
        };
        data.iccid_present = true;
        let bytes = round_trip(&data);
        assert!(!hex::encode(bytes).contains("0101"));
    }

    fn profile_info() -> ProfileInfo {
        ProfileInfo {
            iccid: Some(d(&tlv("5a", ICCID))),
            isdp_aid: Some(OctetTo16::new(h("a0000005591010ffffffff8900001000"))),
            profile_state: Some(d("020101")),
            profile_nickname: Some("nick".into()),
            service_provider_name: Some("ACME".into()),
            profile_name: Some("Test".into()),
            icon_type: Some(d("020100")),
            icon: Some(OctetString::from(h("ffd8ffe0"))),
            profile_class: Some(d("020102")),
            profile_policy_rules: Some(d("03020640")),
            ecall_indication: Some(false),
            fallback_attribute: true,
            fallback_allowed: Some(true),
            ..ProfileInfo::default()
        }
    }

    #[test]
    fn profile_info_round_trips_with_sgp32_fields() {
        let bytes = round_trip_starts(&profile_info(), "e3");
        let text = hex::encode(&bytes);
        assert!(text.contains(&tlv("5a", ICCID)), "{text}");
        assert!(
            text.ends_with("9f7b0100 9f2601ff 9f6701ff".replace(' ', "").as_str()),
            "{text}"
        );
        // fallbackAttribute FALSE is the DEFAULT and left out.
        let info = ProfileInfo {
            fallback_attribute: false,
            ..profile_info()
        };
        assert!(hex::encode(round_trip(&info)).ends_with("9f7b01009f6701ff"));
        let json = serde_json::to_value(profile_info()).unwrap();
        assert_eq!(json["isdpAid"], "a0000005591010ffffffff8900001000");
        assert_eq!(json["fallbackAttribute"], true);
        assert_eq!(json["profileNickname"], "nick");
    }

    #[test]
    fn profile_info_keeps_an_unknown_trailing_element() {
        let body = tlv("5a", ICCID) + "9f700101 9f2601ff 9f6701ff";
        let plain: ProfileInfo = d(&tlv("e3", &body));
        // A v1.3 element after the last v1.2 one: [104] '9F68'.
        let bytes = h(&tlv("e3", &(body.clone() + "9f680105")));
        let _ = take_findings();
        let info: ProfileInfo = rasn::der::decode(&bytes).unwrap();
        assert_eq!(info.extensions.0.len(), 1);
        assert_eq!(info.extensions.0[0].as_bytes(), h("9f680105"));
        assert_eq!(take_findings().len(), 1);
        assert_eq!(
            ProfileInfo {
                extensions: Extensions::default(),
                ..info.clone()
            },
            plain
        );
        assert_eq!(rasn::der::encode(&info).unwrap(), bytes);
        let json = serde_json::to_value(&info).unwrap();
        assert_eq!(json["unknownExtensions"][0], "9f680105");

        // Nested: in the list of a ProfileInfoListResponse, next to a plain ProfileInfo.
        let list = tlv(
            "bf2d",
            &tlv(
                "a0",
                &(tlv("e3", &(body.clone() + "9f680105")) + &tlv("e3", &body)),
            ),
        );
        let bytes = h(&list);
        let response: ProfileInfoListResponse = rasn::der::decode(&bytes).unwrap();
        match &response.0 {
            ProfileInfoListResponseChoice::ProfileInfoListOk(list) => {
                assert_eq!(list.len(), 2);
                assert_eq!(list[0], info);
                assert_eq!(list[1], plain);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(take_findings().len(), 1);
        assert_eq!(rasn::der::encode(&response).unwrap(), bytes);
        // Once an unknown element is met, everything after it is kept as extension (here a
        // repeated fallbackAllowed), still byte-identical.
        let bytes = h(&tlv("e3", &(body + "9f680105 9f6701ff")));
        let info: ProfileInfo = rasn::der::decode(&bytes).unwrap();
        assert_eq!(info.extensions.0.len(), 2);
        assert_eq!(info.fallback_allowed, Some(true));
        assert_eq!(rasn::der::encode(&info).unwrap(), bytes);
        let _ = take_findings();
    }

    /// A SGP.32 v1.2 EUICCInfo2 as an IoT eUICC returns it (fields in module order).
    fn euicc_info2_body() -> String {
        euicc_info2_body_with("")
    }

    /// [`euicc_info2_body`] with `iot_extra` (hex) at the end of IoTSpecificInfo.
    fn euicc_info2_body_with(iot_extra: &str) -> String {
        let key1 = "f54172bdf98a95d65cbeb88a38a1c11d800a85c3";
        let key2 = "c0bc70ba36929d43b467ff57570530e57ab8fcd8";
        "810302030082030205008303010203".to_string()
            + &tlv("84", "0a0b0c")
            + "8502 0780"
            + "8802 0560"
            + &tlv("a9", &(tlv("04", key1) + &tlv("04", key2)))
            + &tlv("aa", &tlv("04", key1))
            + "8b0102"
            + "0403000100"
            + &tlv("0c", "4143")
            + "900100"
            + &tlv("b4", &(tlv("a0", "0403010200") + "8100 8200" + iot_extra))
    }

    #[test]
    fn euicc_info2_decodes_ipa_mode_and_iot_specific_info() {
        let bytes = h(&tlv("bf22", &euicc_info2_body()));
        let info: EuiccInfo2 = rasn::der::decode(&bytes).unwrap();
        assert_eq!(info.ipa_mode, Some(IpaMode::IPAD));
        assert_eq!(info.euicc_category, Some(EuiccCategory::MEDIUM_EUICC));
        assert_eq!(info.sas_acreditation_number, "AC");
        assert_eq!(info.euicc_ci_pk_id_list_for_verification.len(), 2);
        let iot = info.iot_specific_info.as_ref().unwrap();
        assert_eq!(iot.iot_version.len(), 1);
        assert_eq!(iot.ecall_supported, Some(()));
        assert_eq!(iot.fallback_supported, Some(()));
        assert!(info.extensions.is_empty());
        assert_eq!(round_trip(&info), bytes);
        let json = serde_json::to_value(&info).unwrap();
        assert_eq!(json["ipaMode"], "ipad");
        assert_eq!(json["euiccCategory"], "mediumEuicc");
        assert_eq!(json["ppVersion"], "000100");
        assert_eq!(json["iotSpecificInfo"]["iotVersion"][0], "010200");
        assert_eq!(
            json["euiccCiPKIdListForSigning"][0],
            "f54172bdf98a95d65cbeb88a38a1c11d800a85c3"
        );
    }

    #[test]
    fn euicc_info2_keeps_unknown_trailing_elements() {
        // v1.3: euiccMinimumSecurityLevel [21] after iotSpecificInfo, and a new element at the
        // end of IoTSpecificInfo.
        let body = euicc_info2_body_with("8301ff") + "950101";
        let bytes = h(&tlv("bf22", &body));
        let _ = take_findings();
        let info: EuiccInfo2 = rasn::der::decode(&bytes).unwrap();
        assert_eq!(info.extensions.0.len(), 1);
        assert_eq!(info.extensions.0[0].as_bytes(), h("950101"));
        let iot = info.iot_specific_info.as_ref().unwrap();
        assert_eq!(iot.extensions.0[0].as_bytes(), h("8301ff"));
        assert_eq!(take_findings().len(), 2);
        assert_eq!(rasn::der::encode(&info).unwrap(), bytes);

        // Nested inside EuiccSigned1 of an AuthenticateServerResponse.
        let signed1 = tlv(
            "30",
            &(tlv("80", TID)
                + &tlv("83", ADDRESS)
                + &tlv("84", &"42".repeat(16))
                + &tlv("bf22", &body)
                + &tlv("a0", &tlv("a1", "800435290611a100"))),
        );
        let bytes = h(&tlv(
            "bf38",
            &tlv(
                "a0",
                &(signed1
                    + &tlv("5f37", SIG)
                    + &hex::encode(rasn::der::encode(&certificate()).unwrap())
                    + &hex::encode(rasn::der::encode(&certificate()).unwrap())),
            ),
        ));
        let response: AuthenticateServerResponse = rasn::der::decode(&bytes).unwrap();
        match &response.0 {
            AuthenticateServerResponseChoice::AuthenticateResponseOk(ok) => {
                assert_eq!(ok.euicc_signed1.euicc_info2, info);
                assert_eq!(ok.euicc_signed1.server_address, "127.0.0.1:8009");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(take_findings().len(), 2);
        assert_eq!(rasn::der::encode(&response).unwrap(), bytes);
    }

    fn euicc_signed1() -> EuiccSigned1 {
        EuiccSigned1 {
            transaction_id: tid(),
            server_address: "127.0.0.1:8009".into(),
            server_challenge: Octet16::new([0x42; 16]),
            euicc_info2: d(&tlv("bf22", &euicc_info2_body())),
            ctx_params1: d(&tlv("a0", &tlv("a1", "800435290611a100"))),
            extensions: Extensions::default(),
        }
    }

    #[test]
    fn authenticate_server_response_alternatives_round_trip() {
        let ok =
            AuthenticateServerResponse(AuthenticateServerResponseChoice::AuthenticateResponseOk(
                Box::new(AuthenticateResponseOk {
                    euicc_signed1: euicc_signed1(),
                    euicc_signature1: OctetString::from(h(SIG)),
                    euicc_certificate: certificate(),
                    eum_certificate: certificate(),
                    extensions: Extensions::default(),
                }),
            ));
        let bytes = round_trip_starts(&ok, "bf38820");
        assert_eq!(hex::encode(&bytes)[10..14].to_string(), "a082");
        let error = AuthenticateServerResponse(
            AuthenticateServerResponseChoice::AuthenticateResponseError(d(&tlv(
                "30",
                &(tlv("80", TID) + "020106"),
            ))),
        );
        assert_eq!(
            hex::encode(round_trip(&error)),
            tlv("bf38", &tlv("a1", &(tlv("80", TID) + "020106")))
        );
        for signed_data in [
            CompactSignedData::EuiccSigned1(Box::new(euicc_signed1())),
            CompactSignedData::CompactEuiccSigned1(Box::new(CompactEuiccSigned1 {
                ext_card_resource: OctetString::from(h("0a0b0c")),
                ctx_params1: Some(d(&tlv("a0", &tlv("a1", "800435290611a100")))),
                extensions: Extensions::default(),
            })),
        ] {
            let compact = AuthenticateServerResponse(
                AuthenticateServerResponseChoice::CompactAuthenticateResponseOk(Box::new(
                    CompactAuthenticateResponseOk {
                        signed_data,
                        euicc_signature1: OctetString::from(h(SIG)),
                        euicc_certificate: None,
                        eum_certificate: Some(certificate()),
                        extensions: Extensions::default(),
                    },
                )),
            );
            round_trip_starts(&compact, "bf38");
        }
        // The compact EuiccSigned1: 'A0' { 84 ecr, A2 { A0 { ... } } }.
        let compact = CompactAuthenticateResponseOk {
            signed_data: CompactSignedData::CompactEuiccSigned1(Box::new(CompactEuiccSigned1 {
                ext_card_resource: OctetString::from(h("0a0b0c")),
                ctx_params1: Some(d(&tlv("a0", &tlv("a1", "800435290611a100")))),
                extensions: Extensions::default(),
            })),
            euicc_signature1: OctetString::from(h(SIG)),
            euicc_certificate: None,
            eum_certificate: None,
            extensions: Extensions::default(),
        };
        let signed = tlv(
            "a0",
            &("84030a0b0c".to_string() + &tlv("a2", &tlv("a0", &tlv("a1", "800435290611a100")))),
        );
        assert_eq!(
            hex::encode(round_trip(&compact)),
            tlv("30", &(signed + &tlv("5f37", SIG)))
        );
        let request = AuthenticateClientRequest {
            transaction_id: tid(),
            authenticate_server_response: error,
            extensions: Extensions::default(),
        };
        let bytes = round_trip_starts(&request, "bf3b");
        assert_eq!(
            hex::encode(bytes),
            tlv(
                "bf3b",
                &(tlv("80", TID) + &tlv("bf38", &tlv("a1", &(tlv("80", TID) + "020106"))))
            )
        );
    }

    #[test]
    fn prepare_download_and_cancel_session_alternatives_round_trip() {
        let euicc_signed2 = tlv("30", &(tlv("80", TID) + &tlv("5f49", &format!("04{SIG}"))));
        let ok = PrepareDownloadResponse(PrepareDownloadResponseChoice::DownloadResponseOk(
            Box::new(d(&tlv("30", &(euicc_signed2.clone() + &tlv("5f37", SIG))))),
        ));
        assert_eq!(
            hex::encode(round_trip(&ok)),
            tlv("bf21", &tlv("a0", &(euicc_signed2 + &tlv("5f37", SIG))))
        );
        let error = PrepareDownloadResponse(PrepareDownloadResponseChoice::DownloadResponseError(
            d(&tlv("30", &(tlv("80", TID) + "020105"))),
        ));
        assert_eq!(
            hex::encode(round_trip(&error)),
            tlv("bf21", &tlv("a1", &(tlv("80", TID) + "020105")))
        );
        let compact =
            PrepareDownloadResponse(PrepareDownloadResponseChoice::CompactDownloadResponseOk(
                CompactPrepareDownloadResponseOk {
                    compact_euicc_signed2: CompactEuiccSigned2 {
                        euicc_otpk: None,
                        hash_cc: Some(Octet32::new([0x33; 32])),
                        extensions: Extensions::default(),
                    },
                    euicc_signature2: OctetString::from(h(SIG)),
                    extensions: Extensions::default(),
                },
            ));
        assert_eq!(
            hex::encode(round_trip(&compact)),
            tlv(
                "bf21",
                &tlv(
                    "a2",
                    &(tlv("30", &tlv("04", &"33".repeat(32))) + &tlv("5f37", SIG))
                )
            )
        );

        let signed = tlv("30", &(tlv("80", TID) + "81052b06010401 820101"));
        let ok = CancelSessionResponse(CancelSessionResponseChoice::CancelSessionResponseOk(
            Box::new(d(&tlv("30", &(signed.clone() + &tlv("5f37", SIG))))),
        ));
        assert_eq!(
            hex::encode(round_trip(&ok)),
            tlv("bf41", &tlv("a0", &(signed + &tlv("5f37", SIG))))
        );
        let error = CancelSessionResponse(CancelSessionResponseChoice::CancelSessionResponseError(
            CancelSessionResponseError::INVALID_TRANSACTION_ID,
        ));
        assert_eq!(hex::encode(round_trip(&error)), "bf4103810105");
        let compact =
            CancelSessionResponse(CancelSessionResponseChoice::CompactCancelSessionResponseOk(
                CompactCancelSessionResponseOk {
                    compact_euicc_cancel_session_signed: CompactEuiccCancelSessionSigned::default(),
                    euicc_cancel_session_signature: OctetString::from(h(SIG)),
                    extensions: Extensions::default(),
                },
            ));
        assert_eq!(
            hex::encode(round_trip(&compact)),
            tlv(
                "bf41",
                &tlv("a2", &("3000".to_string() + &tlv("5f37", SIG)))
            )
        );
    }

    #[test]
    fn store_metadata_request_default_profile_class() {
        let request = store_metadata_request();
        let bytes = round_trip_starts(&request, "bf25");
        // profileClass provisioning(1) is written; operational(2), the DEFAULT, is not.
        assert!(hex::encode(&bytes).contains("950101"));
        let operational = StoreMetadataRequest {
            profile_class: ProfileClass::OPERATIONAL,
            ..request
        };
        let bytes = round_trip(&operational);
        assert!(!hex::encode(&bytes).contains("9501"));
        let decoded: StoreMetadataRequest = rasn::der::decode(&bytes).unwrap();
        assert_eq!(decoded.profile_class, ProfileClass::OPERATIONAL);
        assert_eq!(
            hex::encode(bytes),
            tlv(
                "bf25",
                &(tlv("5a", ICCID)
                    + "910441434d45"
                    + &tlv("92", "546573742070726f66696c65")
                    + "9f7b01ff 9f670100")
            )
            .replace(' ', "")
        );
    }

    #[test]
    fn add_initial_eim_vector_decodes_and_reencodes() {
        // The file is DER (definite short/long lengths, minimal INTEGERs).
        let bytes = vector("bpp/sample_eim_cfg.ber");
        let request: AddInitialEimRequest = rasn::der::decode(&bytes).unwrap();
        assert_eq!(request.eim_configuration_data_list.len(), 1);
        let eim = &request.eim_configuration_data_list[0];
        assert_eq!(eim.eim_id, "eIM");
        assert_eq!(eim.eim_fqdn.as_deref(), Some("127.0.0.1:8000"));
        assert_eq!(eim.counter_value, Some(1));
        assert_eq!(eim.association_token, Some(-1));
        assert!(eim.eim_public_key_data.is_some());
        assert_eq!(rasn::der::encode(&request).unwrap(), bytes);
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(json["eimConfigurationDataList"][0]["eimId"], "eIM");
    }

    #[test]
    fn add_initial_eim_response_alternatives() {
        let ok = AddInitialEimResponse(AddInitialEimResponseChoice::AddInitialEimOk(vec![
            AddInitialEimOkEntry::AssociationToken(1),
            AddInitialEimOkEntry::AddOk(()),
        ]));
        // addOk is a universal NULL: the inner CHOICE has a written tag.
        assert_eq!(hex::encode(round_trip(&ok)), "bf5707a0058401010500");
        let json = serde_json::to_value(&ok).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"addInitialEimOk": [{"associationToken": 1}, {"addOk": null}]})
        );
        let error = AddInitialEimResponse(AddInitialEimResponseChoice::AddInitialEimError(
            AddInitialEimError::ASSOCIATED_EIM_ALREADY_EXISTS,
        ));
        assert_eq!(hex::encode(round_trip(&error)), "bf5703810102");
        assert_eq!(
            serde_json::to_string(&error).unwrap(),
            r#"{"addInitialEimError":"associatedEimAlreadyExists"}"#
        );
    }

    #[test]
    fn memory_reset_certs_and_notification_list_round_trip() {
        let mut options = BitString::new();
        options.extend([false, false, false, false, false, true, true]);
        let request = EuiccMemoryResetRequest {
            reset_options: options,
            extensions: Extensions::default(),
        };
        assert_eq!(hex::encode(round_trip(&request)), "bf640482020106");
        let response = EuiccMemoryResetResponse {
            reset_result: ResetResult::OK,
            reset_eim_result: Some(ResetEimResult::EIM_RESET_NOT_SUPPORTED),
            reset_immediate_enable_config_result: Some(ResetImmediateEnableConfigResult::OK),
            extensions: Extensions::default(),
        };
        assert_eq!(
            hex::encode(round_trip(&response)),
            "bf6409800100810102820100"
        );

        assert_eq!(
            hex::encode(round_trip(&GetCertsRequest::default())),
            "bf5600"
        );
        let request = GetCertsRequest {
            euicc_ci_pk_id: Some(SubjectKeyIdentifier::new(h("f54172bd"))),
            extensions: Extensions::default(),
        };
        assert_eq!(
            hex::encode(round_trip(&request)),
            "bf560680 04f54172bd".replace(' ', "")
        );
        let certs = GetCertsResponse(GetCertsResponseChoice::Certs(Box::new(Certs {
            eum_certificate: certificate(),
            euicc_certificate: certificate(),
            extensions: Extensions::default(),
        })));
        let bytes = round_trip_starts(&certs, "bf5682");
        let cert = hex::encode(rasn::der::encode(&certificate()).unwrap());
        let cert_body = &cert[8..];
        assert_eq!(
            hex::encode(bytes),
            tlv(
                "bf56",
                &tlv("a0", &(tlv("a5", cert_body) + &tlv("a6", cert_body)))
            )
        );
        let error = GetCertsResponse(GetCertsResponseChoice::GetCertsError(
            GetCertsError::INVALID_CI_PK_ID,
        ));
        assert_eq!(hex::encode(round_trip(&error)), "bf5603810101");

        for (criteria, expected) in [
            (None, "bf2b00"),
            (
                Some(NotificationsSearchCriteria::SeqNumber(5)),
                "bf2b05a003800105",
            ),
            (
                Some(NotificationsSearchCriteria::ProfileManagementOperation(d(
                    "03020640",
                ))),
                "bf2b06a00481020640",
            ),
            (
                Some(NotificationsSearchCriteria::EuiccPackageResults(())),
                "bf2b04a0028200",
            ),
        ] {
            let request = RetrieveNotificationsListRequest {
                search_criteria: criteria,
                extensions: Extensions::default(),
            };
            assert_eq!(hex::encode(round_trip(&request)), expected);
        }
        let list = RetrieveNotificationsListResponse(
            RetrieveNotificationsListResponseChoice::NotificationList(pending_notifications()),
        );
        round_trip_starts(&list, "bf2b82");
        let error = RetrieveNotificationsListResponse(
            RetrieveNotificationsListResponseChoice::NotificationsListResultError(
                NotificationsListResultError::UNDEFINED_ERROR,
            ),
        );
        assert_eq!(hex::encode(round_trip(&error)), "bf2b0381017f");
        let results = RetrieveNotificationsListResponse(
            RetrieveNotificationsListResponseChoice::EuiccPackageResultList(vec![d(
                "bf510aa208800365494d840101",
            )]),
        );
        assert_eq!(
            hex::encode(round_trip(&results)),
            "bf2b0fa20dbf510aa208800365494d840101"
        );
    }

    #[test]
    fn sgp32_es10b_functions_round_trip() {
        // Every `{refreshFlag}` request and `{result [0]}` response.
        assert_eq!(
            hex::encode(round_trip(&ImmediateEnableRequest {
                refresh_flag: true,
                extensions: Extensions::default()
            })),
            "bf5a038001ff"
        );
        assert_eq!(
            hex::encode(round_trip(&ImmediateEnableResponse {
                immediate_enable_result: ImmediateEnableResult::NO_SESSION_CONTEXT,
                extensions: Extensions::default()
            })),
            "bf5a03800104"
        );
        assert_eq!(
            hex::encode(round_trip(&ProfileRollbackRequest::default())),
            "bf5803800100"
        );
        assert_eq!(
            hex::encode(round_trip(&ExecuteFallbackMechanismRequest::default())),
            "bf5d03800100"
        );
        assert_eq!(
            hex::encode(round_trip(&ExecuteFallbackMechanismResponse {
                execute_fallback_mechanism_result: ExecuteFallbackMechanismResult::ECALL_ACTIVE,
                extensions: Extensions::default()
            })),
            "bf5d03800168"
        );
        assert_eq!(
            hex::encode(round_trip(&ReturnFromFallbackRequest::default())),
            "bf5e03800100"
        );
        assert_eq!(
            hex::encode(round_trip(&ReturnFromFallbackResponse {
                return_from_fallback_result: ReturnFromFallbackResult::FALLBACK_NOT_AVAILABLE,
                extensions: Extensions::default()
            })),
            "bf5e03800106"
        );
        assert_eq!(
            hex::encode(round_trip(&EnableEmergencyProfileRequest::default())),
            "bf5b03800100"
        );
        assert_eq!(
            hex::encode(round_trip(&EnableEmergencyProfileResponse {
                enable_emergency_profile_result: EnableEmergencyProfileResult::ECALL_NOT_AVAILABLE,
                extensions: Extensions::default()
            })),
            "bf5b03800108"
        );
        assert_eq!(
            hex::encode(round_trip(&DisableEmergencyProfileRequest::default())),
            "bf5c03800100"
        );
        assert_eq!(
            hex::encode(round_trip(&DisableEmergencyProfileResponse::default())),
            "bf5c03800100"
        );

        // cmdResult is a universal INTEGER, eUICCPackageResult 'BF51'.
        let response = ProfileRollbackResponse {
            cmd_result: ProfileRollbackCmdResult::OK,
            euicc_package_result: Some(d("bf510aa208800365494d840101")),
            extensions: Extensions::default(),
        };
        assert_eq!(
            hex::encode(round_trip(&response)),
            "bf5810020100bf510aa208800365494d840101"
        );
        let response = ProfileRollbackResponse {
            cmd_result: ProfileRollbackCmdResult::ROLLBACK_NOT_ALLOWED,
            euicc_package_result: None,
            extensions: Extensions::default(),
        };
        assert_eq!(hex::encode(round_trip(&response)), "bf5803020101");

        let request = ConfigureImmediateProfileEnablingRequest {
            immediate_enable_flag: Some(()),
            default_smdp_oid: Some(ObjectIdentifier::new(vec![1, 3, 6, 1, 4, 1]).unwrap()),
            default_smdp_address: Some("AB".into()),
            extensions: Extensions::default(),
        };
        assert_eq!(
            hex::encode(round_trip(&request)),
            "bf590d8000 81052b06010401 82024142".replace(' ', "")
        );
        assert_eq!(
            serde_json::to_value(&request).unwrap()["defaultSmdpOid"],
            "1.3.6.1.4.1"
        );
        assert_eq!(
            hex::encode(round_trip(&ConfigureImmediateProfileEnablingResponse {
                config_immediate_enable_result: ConfigImmediateEnableResult::INSUFFICIENT_MEMORY,
                extensions: Extensions::default()
            })),
            "bf5903800101"
        );

        assert_eq!(
            hex::encode(round_trip(&GetEimConfigurationDataRequest::default())),
            "bf5500"
        );
        let request = GetEimConfigurationDataRequest {
            search_criteria: Some(EimSearchCriteria::EimId("eIM".into())),
            extensions: Extensions::default(),
        };
        assert_eq!(hex::encode(round_trip(&request)), "bf5507a005800365494d");
        let add: AddInitialEimRequest =
            rasn::der::decode(&vector("bpp/sample_eim_cfg.ber")).unwrap();
        let response = GetEimConfigurationDataResponse {
            eim_configuration_data_list: add.eim_configuration_data_list,
            extensions: Extensions::default(),
        };
        let bytes = round_trip_starts(&response, "bf557ca07a3078");
        // The same list as in AddInitialEim, under another tag.
        assert_eq!(bytes[2..], vector("bpp/sample_eim_cfg.ber")[2..]);

        assert_eq!(
            hex::encode(round_trip(&GetConnectivityParametersRequest::default())),
            "bf5f00"
        );
        let response = GetConnectivityParametersResponse(
            GetConnectivityParametersResponseChoice::ConnectivityParameters(
                ConnectivityParameters {
                    http_params: Some(OctetString::from(h("0102"))),
                    extensions: Extensions::default(),
                },
            ),
        );
        assert_eq!(hex::encode(round_trip(&response)), "bf5f06a00481020102");
        let response = GetConnectivityParametersResponse(
            GetConnectivityParametersResponseChoice::ConnectivityParametersError(
                ConnectivityParametersError::PARAMETERS_NOT_AVAILABLE,
            ),
        );
        assert_eq!(hex::encode(round_trip(&response)), "bf5f03810101");

        let request = SetDefaultDpAddressRequest {
            default_dp_address: "AB".into(),
            extensions: Extensions::default(),
        };
        assert_eq!(
            hex::encode(round_trip(&request)),
            "bf6504 80024142".replace(' ', "")
        );
        assert_eq!(
            hex::encode(round_trip(&SetDefaultDpAddressResponse::default())),
            "bf6503800100"
        );
    }
}
