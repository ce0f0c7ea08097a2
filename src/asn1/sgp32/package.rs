//! SGP.32 v1.2 eUICC Packages and eIM Packages (SGP32Definitions lines 14-352 and 836-921):
//! the signed `EuiccPackageRequest` with its PSMOs and eCOs, `EimConfigurationData`, the
//! `EuiccPackageResult` with every result code, `IpaEuiccDataRequest`/`IpaEuiccDataResponse`,
//! `ProfileDownloadTriggerRequest`/`ProfileDownloadTriggerResult`, the ESipa GetEimPackage,
//! ProvideEimPackageResult and TransferEimPackage messages, and the helpers that build the
//! bytes the eIM and the eUICC sign (SGP.32 2.11.1.1, 2.11.2.1).
//!
//! Tagging follows X.680 for an `AUTOMATIC TAGS` module: a SEQUENCE or CHOICE is tagged
//! automatically only when none of its components has a tag written in the module. So
//! `EuiccPackage` gets 'A0'/'A1' and `EuiccPackageResult` 'A0'/'A1'/'A2', but `rollbackFlag`
//! of the enable PSMO (next to `iccid [APPLICATION 26]`) is a universal NULL '05 00' and
//! `eimPackageError` of `GetEimPackageResponse` a universal INTEGER '02'.
//!
//! A tagged CHOICE (`EuiccPackageResult ::= [81] CHOICE {...}`) is explicitly tagged. It is
//! modelled as a `#[rasn(delegate, tag(explicit(...)))]` newtype with the ASN.1 name around a
//! plain CHOICE enum named `...Choice`: rasn 0.30 drops the tag of a
//! `#[rasn(choice, tag(explicit(..)))]` enum when that enum is an untagged alternative of
//! another CHOICE (and doubles it when the alternative repeats the tag), while the delegate
//! newtype encodes 'BF51 { A0 ... }' in every position (top level, field, OPTIONAL field,
//! CHOICE alternative, with or without the same tag repeated on the field).

use rasn::prelude::*;
use rasn::types::{FixedOctetString, ObjectIdentifier};
use serde::Serialize;

use crate::asn1::Extensions;
use crate::asn1::json::{bits, bits_opt, hex, hex_fixed, hex_fixed_opt, hex_opt, oid_opt};
use crate::asn1::pkix::{Certificate, SubjectKeyIdentifier, SubjectPublicKeyInfo};
use crate::asn1::rsp::{
    DeviceInfo, EuiccInfo1, Iccid, NotificationEvent, ProfileInfoListRequest,
    RulesAuthorisationTable, TransactionId,
};
use crate::asn1::sgp32::{
    EuiccInfo2, PendingNotification, ProfileInfo, ProfileInstallationResult,
    SetDefaultDpAddressRequest, SetDefaultDpAddressResponse,
};
use crate::named_integer;

/// Errors of the package helpers.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    /// DER encoding failed.
    #[error("DER encoding failed: {0}")]
    Encode(#[from] rasn::error::EncodeError),
    /// The received bytes are not the expected TLV structure.
    #[error("malformed TLV: {0}")]
    Tlv(&'static str),
}

/// A DER BIT STRING with the named bits `set` (bit numbers) and no trailing zero bits, as
/// X.690 11.2.2 requires for a BIT STRING with a named-bit list.
pub fn named_bits(set: &[usize]) -> BitString {
    let len = set.iter().map(|b| b + 1).max().unwrap_or(0);
    let mut bits = BitString::repeat(false, len);
    for &b in set {
        bits.set(b, true);
    }
    bits
}

// ---------------------------------------------------------------------------------------------
// eUICC Package request (SGP.32 2.11.1)
// ---------------------------------------------------------------------------------------------

/// `EuiccPackageRequest` (SGP.32 2.11.1.1, ES10b.LoadEuiccPackage). Tag 'BF51'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 81))]
pub struct EuiccPackageRequest {
    /// '30'.
    #[serde(rename = "euiccPackageSigned")]
    pub euicc_package_signed: EuiccPackageSigned,
    /// 64-byte r||s over [`eim_signed_data`], tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "eimSignature", serialize_with = "hex")]
    pub eim_signature: OctetString,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `EuiccPackageSigned` (SGP.32 2.11.1.1): the part of the package the eIM signs.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EuiccPackageSigned {
    /// Tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "eimId")]
    pub eim_id: String,
    /// EID, tag '5A'.
    #[rasn(tag(application, 26))]
    #[serde(rename = "eidValue", serialize_with = "hex_fixed")]
    pub eid_value: FixedOctetString<16>,
    /// Tag '81'.
    #[rasn(tag(context, 1))]
    #[serde(rename = "counterValue")]
    pub counter_value: i64,
    /// Tag '82'.
    #[rasn(tag(context, 2))]
    #[serde(
        rename = "eimTransactionId",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub eim_transaction_id: Option<TransactionId>,
    /// 'A0' (PSMOs) or 'A1' (eCOs).
    #[serde(rename = "euiccPackage")]
    pub euicc_package: EuiccPackage,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

impl EuiccPackageSigned {
    /// DER(EuiccPackageSigned), the first part of the eIM's signed data.
    pub fn to_der(&self) -> Result<Vec<u8>, PackageError> {
        Ok(rasn::der::encode(self)?)
    }
}

/// The associationToken TLV appended to signed data (SGP.32 2.11.1.1, 2.11.2.1): '84', the
/// length, and the DER INTEGER content of the token; `84 01 00` when there is none.
pub fn association_token_tlv(association_token: Option<i64>) -> Result<Vec<u8>, PackageError> {
    let mut tlv = rasn::der::encode(&association_token.unwrap_or(0))?;
    // An i64 INTEGER is at most 9 content octets: '02' and a one-octet length.
    if let Some(tag) = tlv.first_mut() {
        *tag = 0x84;
    }
    Ok(tlv)
}

/// The bytes the eIM signs into `eimSignature` (SGP.32 2.11.1.1):
/// DER(EuiccPackageSigned) || `84 len associationToken` (`84 01 00` when `None`).
pub fn eim_signed_data(
    signed: &EuiccPackageSigned,
    association_token: Option<i64>,
) -> Result<Vec<u8>, PackageError> {
    let mut data = signed.to_der()?;
    data.extend(association_token_tlv(association_token)?);
    Ok(data)
}

/// Splits off the TLV at the start of `bytes` ([`crate::asn1::tlv::split`]).
fn split_tlv(bytes: &[u8]) -> Result<crate::asn1::tlv::Tlv<'_>, PackageError> {
    crate::asn1::tlv::split(bytes).map_err(|e| PackageError::Tlv(e.as_str()))
}

/// The first element inside the constructed TLV `bytes` whose tag is `outer` (hex octets).
fn first_inner<'a>(bytes: &'a [u8], outer: &[u8]) -> Result<&'a [u8], PackageError> {
    let tlv = split_tlv(bytes)?;
    if tlv.tag != outer {
        return Err(PackageError::Tlv("unexpected tag"));
    }
    if tlv.whole.len() != bytes.len() {
        return Err(PackageError::Tlv("trailing bytes"));
    }
    Ok(split_tlv(tlv.content)?.whole)
}

/// The `EuiccPackageSigned` TLV ('30 ...') exactly as received inside an
/// `EuiccPackageRequest` ('BF51 ...'). A verifier should check `eimSignature` over these bytes
/// (see [`eim_signed_data_received`]): rasn's DER decoder accepts some non-DER encodings (long
/// length forms, padded INTEGERs), which re-encoding would silently normalise.
pub fn received_euicc_package_signed(request: &[u8]) -> Result<&[u8], PackageError> {
    first_inner(request, &[0xbf, 0x51])
}

/// [`eim_signed_data`] over the received bytes of an `EuiccPackageRequest`.
pub fn eim_signed_data_received(
    request: &[u8],
    association_token: Option<i64>,
) -> Result<Vec<u8>, PackageError> {
    let mut data = received_euicc_package_signed(request)?.to_vec();
    data.extend(association_token_tlv(association_token)?);
    Ok(data)
}

/// The signed data TLV ('30 ...', `euiccPackageResultDataSigned` or
/// `euiccPackageErrorDataSigned`) exactly as received inside an `EuiccPackageResult`
/// ('BF51 { A0 | A1 { 30 ..., 5F37 ... } }'); append [`association_token_tlv`] to verify
/// `euiccSignEPR`/`euiccSignEPE` over it.
pub fn received_euicc_package_result_data(result: &[u8]) -> Result<&[u8], PackageError> {
    let alternative = first_inner(result, &[0xbf, 0x51])?;
    match alternative.first() {
        Some(0xa0) => first_inner(alternative, &[0xa0]),
        Some(0xa1) => first_inner(alternative, &[0xa1]),
        _ => Err(PackageError::Tlv("not a signed result or error")),
    }
}

/// `EuiccPackage` (SGP.32 2.11.1.1). Automatic tags: 'A0' / 'A1'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum EuiccPackage {
    #[serde(rename = "psmoList")]
    PsmoList(Vec<Psmo>),
    #[serde(rename = "ecoList")]
    EcoList(Vec<Eco>),
}

/// `EimConfigurationData` (SGP.32 2.11.1, eIM Configuration Data): an eIM as the eUICC knows it.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EimConfigurationData {
    /// Tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "eimId")]
    pub eim_id: String,
    /// FQDN of the eIM or an intermediate server, tag '81'.
    #[rasn(tag(context, 1))]
    #[serde(rename = "eimFqdn", skip_serializing_if = "Option::is_none")]
    pub eim_fqdn: Option<String>,
    /// Tag '82'.
    #[rasn(tag(context, 2))]
    #[serde(rename = "eimIdType", skip_serializing_if = "Option::is_none")]
    pub eim_id_type: Option<EimIdType>,
    /// Initial counterValue, tag '83'.
    #[rasn(tag(context, 3))]
    #[serde(rename = "counterValue", skip_serializing_if = "Option::is_none")]
    pub counter_value: Option<i64>,
    /// Tag '84'; -1 asks the eUICC to generate one.
    #[rasn(tag(context, 4))]
    #[serde(rename = "associationToken", skip_serializing_if = "Option::is_none")]
    pub association_token: Option<i64>,
    /// 'A5' around 'A0' (SPKI) / 'A1' (certificate).
    #[rasn(tag(explicit(context, 5)))]
    #[serde(rename = "eimPublicKeyData", skip_serializing_if = "Option::is_none")]
    pub eim_public_key_data: Option<EimPublicKeyData>,
    /// 'A6' around 'A0' (SPKI) / 'A1' (certificate).
    #[rasn(tag(explicit(context, 6)))]
    #[serde(
        rename = "trustedPublicKeyDataTls",
        skip_serializing_if = "Option::is_none"
    )]
    pub trusted_public_key_data_tls: Option<TrustedPublicKeyDataTls>,
    /// [`EimSupportedProtocol`] bits, tag '87'.
    #[rasn(tag(context, 7))]
    #[serde(
        rename = "eimSupportedProtocol",
        serialize_with = "bits_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub eim_supported_protocol: Option<EimSupportedProtocol>,
    /// Tag '88'.
    #[rasn(tag(context, 8))]
    #[serde(
        rename = "euiccCiPKId",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub euicc_ci_pk_id: Option<SubjectKeyIdentifier>,
    /// Tag '89' (v1.1+).
    #[rasn(tag(context, 9))]
    #[serde(
        rename = "indirectProfileDownload",
        skip_serializing_if = "Option::is_none"
    )]
    pub indirect_profile_download: Option<()>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `eimPublicKeyData` of [`EimConfigurationData`] (automatic tags 'A0' / 'A1').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum EimPublicKeyData {
    #[serde(rename = "eimPublicKey")]
    EimPublicKey(SubjectPublicKeyInfo),
    #[serde(rename = "eimCertificate")]
    EimCertificate(Box<Certificate>),
}

/// `trustedPublicKeyDataTls` of [`EimConfigurationData`] (automatic tags 'A0' / 'A1').
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum TrustedPublicKeyDataTls {
    #[serde(rename = "trustedEimPkTls")]
    TrustedEimPkTls(SubjectPublicKeyInfo),
    #[serde(rename = "trustedCertificateTls")]
    TrustedCertificateTls(Box<Certificate>),
}

named_integer! {
    /// `EimIdType` (SGP.32 2.11.1, eIM Configuration Data).
    pub EimIdType {
        EIM_ID_TYPE_OID = 1 => "eimIdTypeOid",
        EIM_ID_TYPE_FQDN = 2 => "eimIdTypeFqdn",
        EIM_ID_TYPE_PROPRIETARY = 3 => "eimIdTypeProprietary",
    }
}

/// `EimSupportedProtocol` (SGP.32 2.11.1, eIM Configuration Data): a BIT STRING with the named bits
/// of
/// [`eim_supported_protocol`]; build it with [`named_bits`].
pub type EimSupportedProtocol = BitString;

/// Named bits of [`EimSupportedProtocol`].
pub mod eim_supported_protocol {
    /// `eimRetrieveHttps(0)`.
    pub const EIM_RETRIEVE_HTTPS: usize = 0;
    /// `eimRetrieveCoaps(1)`.
    pub const EIM_RETRIEVE_COAPS: usize = 1;
    /// `eimInjectHttps(2)`.
    pub const EIM_INJECT_HTTPS: usize = 2;
    /// `eimInjectCoaps(3)`.
    pub const EIM_INJECT_COAPS: usize = 3;
    /// `eimProprietary(4)`.
    pub const EIM_PROPRIETARY: usize = 4;
}

// ---------------------------------------------------------------------------------------------
// eCOs and PSMOs (SGP.32 2.11.1.1)
// ---------------------------------------------------------------------------------------------

/// `Eco` (SGP.32 2.11.1.1, eIM Configuration Operation).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum Eco {
    /// 'A8'.
    #[rasn(tag(context, 8))]
    #[serde(rename = "addEim")]
    AddEim(Box<EimConfigurationData>),
    /// 'A9'.
    #[rasn(tag(context, 9))]
    #[serde(rename = "deleteEim")]
    DeleteEim(EcoDeleteEim),
    /// 'AA'.
    #[rasn(tag(context, 10))]
    #[serde(rename = "updateEim")]
    UpdateEim(Box<EimConfigurationData>),
    /// 'AB'.
    #[rasn(tag(context, 11))]
    #[serde(rename = "listEim")]
    ListEim(EcoListEim),
}

/// `deleteEim` of [`Eco`]: `SEQUENCE { eimId [0] UTF8String }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EcoDeleteEim {
    #[rasn(tag(context, 0))]
    #[serde(rename = "eimId")]
    pub eim_id: String,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `listEim` of [`Eco`]: `SEQUENCE {}`.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EcoListEim {
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `Psmo` (SGP.32 2.11.1.1, Profile State Management Operation).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum Psmo {
    /// 'A3'.
    #[rasn(tag(context, 3))]
    #[serde(rename = "enable")]
    Enable(PsmoEnable),
    /// 'A4'.
    #[rasn(tag(context, 4))]
    #[serde(rename = "disable")]
    Disable(PsmoIccid),
    /// 'A5'.
    #[rasn(tag(context, 5))]
    #[serde(rename = "delete")]
    Delete(PsmoIccid),
    /// 'BF2D'.
    #[rasn(tag(context, 45))]
    #[serde(rename = "listProfileInfo")]
    ListProfileInfo(Box<ProfileInfoListRequest>),
    /// 'A6'.
    #[rasn(tag(context, 6))]
    #[serde(rename = "getRAT")]
    GetRat(PsmoEmpty),
    /// 'A7'.
    #[rasn(tag(context, 7))]
    #[serde(rename = "configureImmediateEnable")]
    ConfigureImmediateEnable(PsmoConfigureImmediateEnable),
    /// 'A8'.
    #[rasn(tag(context, 8))]
    #[serde(rename = "setFallbackAttribute")]
    SetFallbackAttribute(PsmoIccid),
    /// 'A9'.
    #[rasn(tag(context, 9))]
    #[serde(rename = "unsetFallbackAttribute")]
    UnsetFallbackAttribute(PsmoEmpty),
    /// 'BF65'.
    #[rasn(tag(context, 101))]
    #[serde(rename = "setDefaultDpAddress")]
    SetDefaultDpAddress(SetDefaultDpAddressRequest),
}

/// `enable` of [`Psmo`]: `SEQUENCE { iccid [APPLICATION 26] Iccid, rollbackFlag NULL OPTIONAL }`.
/// `iccid` carries a tag, so the SEQUENCE is not automatically tagged: `rollbackFlag` is
/// '05 00' (an '80 00' from a peer that tagged it lands in `extensions`).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PsmoEnable {
    /// Tag '5A' (EF.ICCID coding, nibble-swapped BCD).
    #[rasn(tag(application, 26))]
    #[serde(rename = "iccid")]
    pub iccid: Iccid,
    /// '05 00'.
    #[serde(rename = "rollbackFlag", skip_serializing_if = "Option::is_none")]
    pub rollback_flag: Option<()>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `disable`, `delete` and `setFallbackAttribute` of [`Psmo`]:
/// `SEQUENCE { iccid [APPLICATION 26] Iccid }`.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PsmoIccid {
    /// Tag '5A'.
    #[rasn(tag(application, 26))]
    #[serde(rename = "iccid")]
    pub iccid: Iccid,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `getRAT` and `unsetFallbackAttribute` of [`Psmo`]: `SEQUENCE {}`.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PsmoEmpty {
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `configureImmediateEnable` of [`Psmo`].
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PsmoConfigureImmediateEnable {
    /// Tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(
        rename = "immediateEnableFlag",
        skip_serializing_if = "Option::is_none"
    )]
    pub immediate_enable_flag: Option<()>,
    /// Tag '81'.
    #[rasn(tag(context, 1))]
    #[serde(
        rename = "defaultSmdpOid",
        serialize_with = "oid_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub default_smdp_oid: Option<ObjectIdentifier>,
    /// Tag '82'.
    #[rasn(tag(context, 2))]
    #[serde(rename = "defaultSmdpAddress", skip_serializing_if = "Option::is_none")]
    pub default_smdp_address: Option<String>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

// ---------------------------------------------------------------------------------------------
// Other eIM Packages (SGP.32 2.11.1.1, 3.7)
// ---------------------------------------------------------------------------------------------

/// `IpaEuiccDataRequest` (SGP.32 2.11.1.1, eUICC data request). Tag 'BF52'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 82))]
pub struct IpaEuiccDataRequest {
    /// The tags of the wanted data objects, tag '5C'.
    #[rasn(tag(application, 28))]
    #[serde(rename = "tagList", serialize_with = "hex")]
    pub tag_list: OctetString,
    /// Universal OCTET STRING '04' (the SEQUENCE has written tags, so no automatic tag).
    #[serde(
        rename = "euiccCiPKIdentifierToBeUsed",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub euicc_ci_pk_identifier_to_be_used: Option<OctetString>,
    /// 'A1' around the alternative.
    #[rasn(tag(explicit(context, 1)))]
    #[serde(
        rename = "searchCriteriaNotification",
        skip_serializing_if = "Option::is_none"
    )]
    pub search_criteria_notification: Option<SearchCriteriaNotification>,
    /// 'A2' around the alternative.
    #[rasn(tag(explicit(context, 2)))]
    #[serde(
        rename = "searchCriteriaEuiccPackageResult",
        skip_serializing_if = "Option::is_none"
    )]
    pub search_criteria_euicc_package_result: Option<SearchCriteriaEuiccPackageResult>,
    /// Tag '83'.
    #[rasn(tag(context, 3))]
    #[serde(
        rename = "eimTransactionId",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub eim_transaction_id: Option<TransactionId>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `searchCriteriaNotification` of [`IpaEuiccDataRequest`].
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum SearchCriteriaNotification {
    /// '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "seqNumber")]
    SeqNumber(i64),
    /// '81'.
    #[rasn(tag(context, 1))]
    #[serde(rename = "profileManagementOperation", serialize_with = "bits")]
    ProfileManagementOperation(NotificationEvent),
}

/// `searchCriteriaEuiccPackageResult` of [`IpaEuiccDataRequest`].
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum SearchCriteriaEuiccPackageResult {
    /// '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "seqNumber")]
    SeqNumber(i64),
}

/// `ProfileDownloadTriggerRequest` (SGP.32 2.11.1.1, 3.2.3). Tag 'BF54'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 84))]
pub struct ProfileDownloadTriggerRequest {
    /// 'A0' around the alternative.
    #[rasn(tag(explicit(context, 0)))]
    #[serde(
        rename = "profileDownloadData",
        skip_serializing_if = "Option::is_none"
    )]
    pub profile_download_data: Option<ProfileDownloadData>,
    /// Tag '82'.
    #[rasn(tag(context, 2))]
    #[serde(
        rename = "eimTransactionId",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub eim_transaction_id: Option<TransactionId>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `ProfileDownloadData` (SGP.32 2.11.1.1).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum ProfileDownloadData {
    /// Activation Code (SGP.22 4.1), tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "activationCode")]
    ActivationCode(String),
    /// Tag '81'.
    #[rasn(tag(context, 1))]
    #[serde(rename = "contactDefaultSmdp")]
    ContactDefaultSmdp(()),
    /// Tag 'A2'.
    #[rasn(tag(context, 2))]
    #[serde(rename = "contactSmds")]
    ContactSmds(ContactSmds),
}

/// `contactSmds` of [`ProfileDownloadData`] (automatic tags: `smdsAddress` is '80').
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags)]
pub struct ContactSmds {
    #[serde(rename = "smdsAddress", skip_serializing_if = "Option::is_none")]
    pub smds_address: Option<String>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `EimAcknowledgements` (SGP.32 6.3.2.7): the sequence numbers of the notifications and
/// results the eIM has processed. Tag 'BF53'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(context, 83))]
pub struct EimAcknowledgements(pub Vec<SequenceNumber>);

/// `SequenceNumber ::= [0] INTEGER` ('80').
#[derive(AsnType, Decode, Encode, Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[rasn(delegate, tag(context, 0))]
pub struct SequenceNumber(pub i64);

// ---------------------------------------------------------------------------------------------
// eUICC Package result (SGP.32 2.11.2)
// ---------------------------------------------------------------------------------------------

/// `EuiccPackageResult ::= [81] CHOICE` (SGP.32 2.11.2.1): 'BF51' around 'A0' / 'A1' / 'A2'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 81)))]
pub struct EuiccPackageResult(pub EuiccPackageResultChoice);

/// The alternatives of [`EuiccPackageResult`] (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum EuiccPackageResultChoice {
    /// 'A0'.
    #[serde(rename = "euiccPackageResultSigned")]
    EuiccPackageResultSigned(Box<EuiccPackageResultSigned>),
    /// 'A1'.
    #[serde(rename = "euiccPackageErrorSigned")]
    EuiccPackageErrorSigned(Box<EuiccPackageErrorSigned>),
    /// 'A2'.
    #[serde(rename = "euiccPackageErrorUnsigned")]
    EuiccPackageErrorUnsigned(EuiccPackageErrorUnsigned),
}

/// `EuiccPackageResultSigned` (SGP.32 2.11.2.1).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EuiccPackageResultSigned {
    /// '30'.
    #[serde(rename = "euiccPackageResultDataSigned")]
    pub euicc_package_result_data_signed: EuiccPackageResultDataSigned,
    /// Signature over [`euicc_package_result_signed_data`], tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "euiccSignEPR", serialize_with = "hex")]
    pub euicc_sign_epr: OctetString,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `EuiccPackageResultDataSigned` (SGP.32 2.11.2.1).
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EuiccPackageResultDataSigned {
    /// Tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "eimId")]
    pub eim_id: String,
    /// Tag '81'.
    #[rasn(tag(context, 1))]
    #[serde(rename = "counterValue")]
    pub counter_value: i64,
    /// Tag '82'.
    #[rasn(tag(context, 2))]
    #[serde(
        rename = "eimTransactionId",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub eim_transaction_id: Option<TransactionId>,
    /// Notification sequence number of this result, tag '83'.
    #[rasn(tag(context, 3))]
    #[serde(rename = "seqNumber")]
    pub seq_number: i64,
    /// One result per PSMO/eCO, in order; '30'.
    #[serde(rename = "euiccResult")]
    pub euicc_result: Vec<EuiccResultData>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

impl EuiccPackageResultDataSigned {
    /// DER(EuiccPackageResultDataSigned).
    pub fn to_der(&self) -> Result<Vec<u8>, PackageError> {
        Ok(rasn::der::encode(self)?)
    }
}

/// The bytes the eUICC signs into `euiccSignEPR` (SGP.32 v1.2 2.11.2.1):
/// DER(EuiccPackageResultDataSigned) || `84 len associationToken` (`84 01 00` when `None`).
pub fn euicc_package_result_signed_data(
    data: &EuiccPackageResultDataSigned,
    association_token: Option<i64>,
) -> Result<Vec<u8>, PackageError> {
    let mut bytes = data.to_der()?;
    bytes.extend(association_token_tlv(association_token)?);
    Ok(bytes)
}

/// `EuiccResultData` (SGP.32 2.11.2.1): the result of one PSMO or eCO.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum EuiccResultData {
    /// '83'.
    #[rasn(tag(context, 3))]
    #[serde(rename = "enableResult")]
    EnableResult(EnableProfileResult),
    /// '84'.
    #[rasn(tag(context, 4))]
    #[serde(rename = "disableResult")]
    DisableResult(DisableProfileResult),
    /// '85'.
    #[rasn(tag(context, 5))]
    #[serde(rename = "deleteResult")]
    DeleteResult(DeleteProfileResult),
    /// 'BF2D' around the alternative (the tag of [`ProfileInfoListResponse`]).
    #[serde(rename = "listProfileInfoResult")]
    ListProfileInfoResult(ProfileInfoListResponse),
    /// 'A6'.
    #[rasn(tag(context, 6))]
    #[serde(rename = "getRATResult")]
    GetRatResult(RulesAuthorisationTable),
    /// '87'.
    #[rasn(tag(context, 7))]
    #[serde(rename = "configureImmediateEnableResult")]
    ConfigureImmediateEnableResult(ConfigureImmediateEnableResult),
    /// 'A8' around the alternative ('84' / '02').
    #[rasn(tag(explicit(context, 8)))]
    #[serde(rename = "addEimResult")]
    AddEimResult(AddEimResult),
    /// '89'.
    #[rasn(tag(context, 9))]
    #[serde(rename = "deleteEimResult")]
    DeleteEimResult(DeleteEimResult),
    /// '8A'.
    #[rasn(tag(context, 10))]
    #[serde(rename = "updateEimResult")]
    UpdateEimResult(UpdateEimResult),
    /// 'AB' around the alternative ('A0' / '81').
    #[rasn(tag(explicit(context, 11)))]
    #[serde(rename = "listEimResult")]
    ListEimResult(ListEimResult),
    /// '8C'.
    #[rasn(tag(context, 12))]
    #[serde(rename = "rollbackResult")]
    RollbackResult(RollbackProfileResult),
    /// '8D'.
    #[rasn(tag(context, 13))]
    #[serde(rename = "setFallbackAttributeResult")]
    SetFallbackAttributeResult(SetFallbackAttributeResult),
    /// '8E'.
    #[rasn(tag(context, 14))]
    #[serde(rename = "unsetFallbackAttributeResult")]
    UnsetFallbackAttributeResult(UnsetFallbackAttributeResult),
    /// Universal INTEGER '02'.
    #[serde(rename = "processingTerminated")]
    ProcessingTerminated(ProcessingTerminated),
    /// 'BF65'.
    #[rasn(tag(context, 101))]
    #[serde(rename = "setDefaultDpAddressResult")]
    SetDefaultDpAddressResult(SetDefaultDpAddressResponse),
}

named_integer! {
    /// `processingTerminated` of [`EuiccResultData`] (SGP.32 2.11.2.1).
    pub ProcessingTerminated {
        RESULT_SIZE_OVERFLOW = 1 => "resultSizeOverflow",
        UNKNOWN_OR_DAMAGED_COMMAND = 2 => "unknownOrDamagedCommand",
        INTERRUPTION = 3 => "interruption",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `EuiccPackageErrorSigned` (SGP.32 2.11.2.1).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EuiccPackageErrorSigned {
    /// '30'.
    #[serde(rename = "euiccPackageErrorDataSigned")]
    pub euicc_package_error_data_signed: EuiccPackageErrorDataSigned,
    /// Signature over [`euicc_package_error_signed_data`], tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "euiccSignEPE", serialize_with = "hex")]
    pub euicc_sign_epe: OctetString,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `EuiccPackageErrorDataSigned` (SGP.32 2.11.2.1).
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EuiccPackageErrorDataSigned {
    /// Tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "eimId")]
    pub eim_id: String,
    /// Tag '81'.
    #[rasn(tag(context, 1))]
    #[serde(rename = "counterValue")]
    pub counter_value: i64,
    /// Tag '82'.
    #[rasn(tag(context, 2))]
    #[serde(
        rename = "eimTransactionId",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub eim_transaction_id: Option<TransactionId>,
    /// Universal INTEGER '02'.
    #[serde(rename = "euiccPackageErrorCode")]
    pub euicc_package_error_code: EuiccPackageErrorCode,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

impl EuiccPackageErrorDataSigned {
    /// DER(EuiccPackageErrorDataSigned).
    pub fn to_der(&self) -> Result<Vec<u8>, PackageError> {
        Ok(rasn::der::encode(self)?)
    }
}

/// The bytes the eUICC signs into `euiccSignEPE` (SGP.32 v1.2 2.11.2.1):
/// DER(EuiccPackageErrorDataSigned) || `84 len associationToken` (`84 01 00` when `None`).
pub fn euicc_package_error_signed_data(
    data: &EuiccPackageErrorDataSigned,
    association_token: Option<i64>,
) -> Result<Vec<u8>, PackageError> {
    let mut bytes = data.to_der()?;
    bytes.extend(association_token_tlv(association_token)?);
    Ok(bytes)
}

named_integer! {
    /// `EuiccPackageErrorCode` (SGP.32 2.11.2.1).
    pub EuiccPackageErrorCode {
        INVALID_EID = 3 => "invalidEid",
        REPLAY_ERROR = 4 => "replayError",
        COUNTER_VALUE_OUT_OF_RANGE = 6 => "counterValueOutOfRange",
        SIZE_OVERFLOW = 15 => "sizeOverflow",
        ECALL_ACTIVE = 104 => "ecallActive",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `EuiccPackageErrorUnsigned` (SGP.32 2.11.2.1). v1.3 appends
/// `euiccPackageUnsignedErrorCode [15]`, kept in `extensions`.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EuiccPackageErrorUnsigned {
    /// Tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "eimId")]
    pub eim_id: String,
    /// Tag '82'.
    #[rasn(tag(context, 2))]
    #[serde(
        rename = "eimTransactionId",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub eim_transaction_id: Option<TransactionId>,
    /// Tag '84'.
    #[rasn(tag(context, 4))]
    #[serde(rename = "associationToken", skip_serializing_if = "Option::is_none")]
    pub association_token: Option<i64>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `ConfigureImmediateEnableResult` (SGP.32 2.11.2.1).
    pub ConfigureImmediateEnableResult {
        OK = 0 => "ok",
        INSUFFICIENT_MEMORY = 1 => "insufficientMemory",
        COMMAND_ERROR = 7 => "commandError",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// `EnableProfileResult` (SGP.32 2.11.2.1, enable PSMO).
    pub EnableProfileResult {
        OK = 0 => "ok",
        ICCID_OR_AID_NOT_FOUND = 1 => "iccidOrAidNotFound",
        PROFILE_NOT_IN_DISABLED_STATE = 2 => "profileNotInDisabledState",
        DISALLOWED_BY_POLICY = 3 => "disallowedByPolicy",
        CAT_BUSY = 5 => "catBusy",
        ROLLBACK_NOT_AVAILABLE = 20 => "rollbackNotAvailable",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// `DisableProfileResult` (SGP.32 2.11.2.1, disable PSMO).
    pub DisableProfileResult {
        OK = 0 => "ok",
        ICCID_OR_AID_NOT_FOUND = 1 => "iccidOrAidNotFound",
        PROFILE_NOT_IN_ENABLED_STATE = 2 => "profileNotInEnabledState",
        DISALLOWED_BY_POLICY = 3 => "disallowedByPolicy",
        CAT_BUSY = 5 => "catBusy",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// `DeleteProfileResult` (SGP.32 2.11.2.1, delete PSMO).
    pub DeleteProfileResult {
        OK = 0 => "ok",
        ICCID_OR_AID_NOT_FOUND = 1 => "iccidOrAidNotFound",
        PROFILE_NOT_IN_DISABLED_STATE = 2 => "profileNotInDisabledState",
        DISALLOWED_BY_POLICY = 3 => "disallowedByPolicy",
        ROLLBACK_NOT_AVAILABLE = 20 => "rollbackNotAvailable",
        RETURN_FALLBACK_PROFILE = 21 => "returnFallbackProfile",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `SGP32-ProfileInfoListResponse ::= [45] CHOICE` (SGP.32 2.11.2.1, listProfileInfo PSMO):
/// 'BF2D' around 'A0' / '81'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 45)))]
pub struct ProfileInfoListResponse(pub ProfileInfoListResponseChoice);

/// The alternatives of [`ProfileInfoListResponse`] (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum ProfileInfoListResponseChoice {
    /// 'A0'.
    #[serde(rename = "profileInfoListOk")]
    ProfileInfoListOk(Vec<ProfileInfo>),
    /// '81'.
    #[serde(rename = "profileInfoListError")]
    ProfileInfoListError(ProfileInfoListError),
}

named_integer! {
    /// `SGP32-ProfileInfoListError` (SGP.32 2.11.2.1).
    pub ProfileInfoListError {
        INCORRECT_INPUT_VALUES = 1 => "incorrectInputValues",
        PROFILE_CHANGE_ONGOING = 11 => "profileChangeOngoing",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// `RollbackProfileResult` (SGP.32 2.11.2.1, 5.9.16).
    pub RollbackProfileResult { OK = 0 => "ok", UNDEFINED_ERROR = 127 => "undefinedError" }
}

named_integer! {
    /// `SetFallbackAttributeResult` (SGP.32 2.11.2.1).
    pub SetFallbackAttributeResult {
        OK = 0 => "ok",
        ICCID_OR_AID_NOT_FOUND = 1 => "iccidOrAidNotFound",
        FALLBACK_NOT_ALLOWED = 2 => "fallbackNotAllowed",
        FALLBACK_PROFILE_ENABLED = 3 => "fallbackProfileEnabled",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// `UnsetFallbackAttributeResult` (SGP.32 2.11.2.1).
    pub UnsetFallbackAttributeResult {
        OK = 0 => "ok",
        NO_FALLBACK_ATTRIBUTE = 2 => "noFallbackAttribute",
        FALLBACK_PROFILE_ENABLED = 3 => "fallbackProfileEnabled",
        COMMAND_ERROR = 7 => "commandError",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `AddEimResult` (SGP.32 2.11.2.1, addEim eCO). One alternative has a written tag, so
/// `addEimResultCode` is a universal INTEGER '02'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum AddEimResult {
    /// '84'.
    #[rasn(tag(context, 4))]
    #[serde(rename = "associationToken")]
    AssociationToken(i64),
    /// '02'.
    #[serde(rename = "addEimResultCode")]
    AddEimResultCode(AddEimResultCode),
}

named_integer! {
    /// `addEimResultCode` of [`AddEimResult`].
    pub AddEimResultCode {
        OK = 0 => "ok",
        INSUFFICIENT_MEMORY = 1 => "insufficientMemory",
        ASSOCIATED_EIM_ALREADY_EXISTS = 2 => "associatedEimAlreadyExists",
        CI_PK_UNKNOWN = 3 => "ciPKUnknown",
        INVALID_ASSOCIATION_TOKEN = 5 => "invalidAssociationToken",
        COUNTER_VALUE_OUT_OF_RANGE = 6 => "counterValueOutOfRange",
        COMMAND_ERROR = 7 => "commandError",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// `DeleteEimResult` (SGP.32 2.11.2.1, deleteEim eCO).
    pub DeleteEimResult {
        OK = 0 => "ok",
        EIM_NOT_FOUND = 1 => "eimNotFound",
        LAST_EIM_DELETED = 2 => "lastEimDeleted",
        COMMAND_ERROR = 7 => "commandError",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// `UpdateEimResult` (SGP.32 2.11.2.1, updateEim eCO).
    pub UpdateEimResult {
        OK = 0 => "ok",
        EIM_NOT_FOUND = 1 => "eimNotFound",
        CI_PK_UNKNOWN = 3 => "ciPKUnknown",
        COUNTER_VALUE_OUT_OF_RANGE = 6 => "counterValueOutOfRange",
        COMMAND_ERROR = 7 => "commandError",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `ListEimResult` (SGP.32 2.11.2.1, listEim eCO). Automatic tags 'A0' / '81'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum ListEimResult {
    #[serde(rename = "eimIdList")]
    EimIdList(Vec<EimIdInfo>),
    #[serde(rename = "listEimError")]
    ListEimError(ListEimError),
}

named_integer! {
    /// `listEimError` of [`ListEimResult`].
    pub ListEimError { UNDEFINED_ERROR = 127 => "undefinedError" }
}

/// `EimIdInfo` (SGP.32 2.11.2.1).
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EimIdInfo {
    /// Tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "eimId")]
    pub eim_id: String,
    /// Tag '82'.
    #[rasn(tag(context, 2))]
    #[serde(rename = "eimIdType", skip_serializing_if = "Option::is_none")]
    pub eim_id_type: Option<EimIdType>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

// ---------------------------------------------------------------------------------------------
// eUICC data (SGP.32 2.11, eIM Package "eUICC Data Request")
// ---------------------------------------------------------------------------------------------

named_integer! {
    /// `IpaEuiccDataErrorCode` (SGP.32 2.11, eUICC Data Request).
    pub IpaEuiccDataErrorCode {
        INCORRECT_TAG_LIST = 1 => "incorrectTagList",
        EUICC_CI_PK_ID_NOT_FOUND = 5 => "euiccCiPKIdNotFound",
        ECALL_ACTIVE = 104 => "ecallActive",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `IpaEuiccDataResponseError` (SGP.32 2.11, eUICC Data Request).
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IpaEuiccDataResponseError {
    /// Tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(
        rename = "eimTransactionId",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub eim_transaction_id: Option<TransactionId>,
    /// Universal INTEGER '02'.
    #[serde(rename = "ipaEuiccDataErrorCode")]
    pub ipa_euicc_data_error_code: IpaEuiccDataErrorCode,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `IpaEuiccDataResponse ::= [82] CHOICE` (SGP.32 2.11, eUICC Data Request): 'BF52' around 'A0' /
/// 'A1'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 82)))]
pub struct IpaEuiccDataResponse(pub IpaEuiccDataResponseChoice);

/// The alternatives of [`IpaEuiccDataResponse`] (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum IpaEuiccDataResponseChoice {
    /// 'A0'.
    #[serde(rename = "ipaEuiccData")]
    IpaEuiccData(Box<IpaEuiccData>),
    /// 'A1'.
    #[serde(rename = "ipaEuiccDataResponseError")]
    IpaEuiccDataResponseError(IpaEuiccDataResponseError),
}

/// `PendingNotificationList ::= SEQUENCE OF SGP32-PendingNotification`.
pub type PendingNotificationList = Vec<PendingNotification>;

/// `EuiccPackageResultList ::= SEQUENCE OF EuiccPackageResult`.
pub type EuiccPackageResultList = Vec<EuiccPackageResult>;

/// `IpaEuiccData` (SGP.32 2.11, eUICC Data Request): the data objects asked for by an
/// [`IpaEuiccDataRequest`].
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IpaEuiccData {
    /// Tag 'A0'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "notificationsList", skip_serializing_if = "Option::is_none")]
    pub notifications_list: Option<PendingNotificationList>,
    /// Tag '81'.
    #[rasn(tag(context, 1))]
    #[serde(rename = "defaultSmdpAddress", skip_serializing_if = "Option::is_none")]
    pub default_smdp_address: Option<String>,
    /// Tag 'A2'.
    #[rasn(tag(context, 2))]
    #[serde(
        rename = "euiccPackageResultList",
        skip_serializing_if = "Option::is_none"
    )]
    pub euicc_package_result_list: Option<EuiccPackageResultList>,
    /// Tag 'BF20'.
    #[rasn(tag(context, 32))]
    #[serde(rename = "euiccInfo1", skip_serializing_if = "Option::is_none")]
    pub euicc_info1: Option<EuiccInfo1>,
    /// Tag 'BF22'.
    #[rasn(tag(context, 34))]
    #[serde(rename = "euiccInfo2", skip_serializing_if = "Option::is_none")]
    pub euicc_info2: Option<EuiccInfo2>,
    /// Tag '83'.
    #[rasn(tag(context, 3))]
    #[serde(rename = "rootSmdsAddress", skip_serializing_if = "Option::is_none")]
    pub root_smds_address: Option<String>,
    /// Tag '84'.
    #[rasn(tag(context, 4))]
    #[serde(rename = "associationToken", skip_serializing_if = "Option::is_none")]
    pub association_token: Option<i64>,
    /// Tag 'A5'.
    #[rasn(tag(context, 5))]
    #[serde(rename = "eumCertificate", skip_serializing_if = "Option::is_none")]
    pub eum_certificate: Option<Certificate>,
    /// Tag 'A6'.
    #[rasn(tag(context, 6))]
    #[serde(rename = "euiccCertificate", skip_serializing_if = "Option::is_none")]
    pub euicc_certificate: Option<Certificate>,
    /// Tag '87'.
    #[rasn(tag(context, 7))]
    #[serde(
        rename = "eimTransactionId",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub eim_transaction_id: Option<TransactionId>,
    /// Tag 'A8'.
    #[rasn(tag(context, 8))]
    #[serde(rename = "ipaCapabilities", skip_serializing_if = "Option::is_none")]
    pub ipa_capabilities: Option<IpaCapabilities>,
    /// Tag 'A9'.
    #[rasn(tag(context, 9))]
    #[serde(rename = "deviceInfo", skip_serializing_if = "Option::is_none")]
    pub device_info: Option<DeviceInfo>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `ProfileDownloadTriggerResult` (SGP.32 3.2.3.1). Tag 'BF54'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 84))]
pub struct ProfileDownloadTriggerResult {
    /// Tag '82'.
    #[rasn(tag(context, 2))]
    #[serde(
        rename = "eimTransactionId",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub eim_transaction_id: Option<TransactionId>,
    /// 'BF37' or '30'.
    #[serde(rename = "profileDownloadTriggerResultData")]
    pub profile_download_trigger_result_data: ProfileDownloadTriggerResultData,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `profileDownloadTriggerResultData` of [`ProfileDownloadTriggerResult`].
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum ProfileDownloadTriggerResultData {
    /// 'BF37'.
    #[rasn(tag(context, 55))]
    #[serde(rename = "profileInstallationResult")]
    ProfileInstallationResult(Box<ProfileInstallationResult>),
    /// Universal SEQUENCE '30'.
    #[serde(rename = "profileDownloadError")]
    ProfileDownloadError(ProfileDownloadError),
}

/// `profileDownloadError` of [`ProfileDownloadTriggerResultData`].
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProfileDownloadError {
    /// Tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "profileDownloadErrorReason")]
    pub profile_download_error_reason: ProfileDownloadErrorReason,
    /// Universal OCTET STRING '04'.
    #[serde(
        rename = "errorResponse",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub error_response: Option<OctetString>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `profileDownloadErrorReason` of [`ProfileDownloadError`].
    pub ProfileDownloadErrorReason {
        ECALL_ACTIVE = 104 => "ecallActive",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

// ---------------------------------------------------------------------------------------------
// IPAe (SGP.32 5.9, ES10b)
// ---------------------------------------------------------------------------------------------

/// `ISDRProprietaryApplicationTemplateIoT` (SGP.32, ISD-R SELECT response). Tag 'E1'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags, tag(private, 1))]
pub struct IsdrProprietaryApplicationTemplateIot {
    /// Bits [`euicc_configuration`], tag '80'.
    #[serde(rename = "euiccConfiguration", serialize_with = "bits")]
    pub euicc_configuration: BitString,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// Named bits of `euiccConfiguration`.
pub mod euicc_configuration {
    /// `ipaeSupported(0)`.
    pub const IPAE_SUPPORTED: usize = 0;
    /// `enabledProfile(1)`.
    pub const ENABLED_PROFILE: usize = 1;
}

/// `IpaeActivationRequest` (SGP.32 5.9, ES10b.IpaeActivation). Tag 'BF42'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags, tag(context, 66))]
pub struct IpaeActivationRequest {
    /// `activateIpae(0)`, tag '80'.
    #[serde(rename = "ipaeOption", serialize_with = "bits")]
    pub ipae_option: BitString,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `IpaeActivationResponse` (SGP.32 5.9, ES10b.IpaeActivation). Tag 'BF42'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags, tag(context, 66))]
pub struct IpaeActivationResponse {
    /// Tag '80'.
    #[serde(rename = "ipaeActivationResult")]
    pub ipae_activation_result: IpaeActivationResult,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `ipaeActivationResult` of [`IpaeActivationResponse`].
    pub IpaeActivationResult { OK = 0 => "ok", NOT_SUPPORTED = 1 => "notSupported" }
}

/// `IpaCapabilities` (SGP.32 2.11, eUICC Data Request).
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IpaCapabilities {
    /// Bits [`ipa_features`], tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "ipaFeatures", serialize_with = "bits")]
    pub ipa_features: BitString,
    /// Bits [`ipa_supported_protocols`], tag '81'.
    #[rasn(tag(context, 1))]
    #[serde(
        rename = "ipaSupportedProtocols",
        serialize_with = "bits_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub ipa_supported_protocols: Option<BitString>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// Named bits of `ipaFeatures`.
pub mod ipa_features {
    /// `directRspServerCommunication(0)`.
    pub const DIRECT_RSP_SERVER_COMMUNICATION: usize = 0;
    /// `indirectRspServerCommunication(1)`.
    pub const INDIRECT_RSP_SERVER_COMMUNICATION: usize = 1;
    /// `eimDownloadDataHandling(2)`.
    pub const EIM_DOWNLOAD_DATA_HANDLING: usize = 2;
    /// `eimCtxParams1Generation(3)`.
    pub const EIM_CTX_PARAMS1_GENERATION: usize = 3;
    /// `eimProfileMetadataVerification(4)`.
    pub const EIM_PROFILE_METADATA_VERIFICATION: usize = 4;
    /// `minimizeEsipaBytes(5)`.
    pub const MINIMIZE_ESIPA_BYTES: usize = 5;
}

/// Named bits of `ipaSupportedProtocols`.
pub mod ipa_supported_protocols {
    /// `ipaRetrieveHttps(0)`.
    pub const IPA_RETRIEVE_HTTPS: usize = 0;
    /// `ipaRetrieveCoaps(1)`.
    pub const IPA_RETRIEVE_COAPS: usize = 1;
    /// `ipaInjectHttps(2)`.
    pub const IPA_INJECT_HTTPS: usize = 2;
    /// `ipaInjectCoaps(3)`.
    pub const IPA_INJECT_COAPS: usize = 3;
    /// `ipaProprietary(4)`.
    pub const IPA_PROPRIETARY: usize = 4;
}

// ---------------------------------------------------------------------------------------------
// ESipa eIM Package functions (SGP.32 6.3.2.6, 6.3.2.7, TransferEimPackage)
// ---------------------------------------------------------------------------------------------

named_integer! {
    /// `StateChangeCause` (SGP.32 6.3.2.6).
    pub StateChangeCause {
        OTHER_EIM = 0 => "otherEim",
        FALLBACK = 1 => "fallback",
        EMERGENCY_PROFILE = 2 => "emergencyProfile",
        LOCAL = 3 => "local",
        RESET = 4 => "reset",
        IMMEDIATE_ENABLE_PROFILE = 5 => "immediateEnableProfile",
        DEVICE_CHANGE = 6 => "deviceChange",
        UNDEFINED = 127 => "undefined",
    }
}

/// `GetEimPackageRequest` (SGP.32 6.3.2.6 ESipa.GetEimPackage). Tag 'BF4F'.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 79))]
pub struct GetEimPackageRequest {
    /// EID, tag '5A'.
    #[rasn(tag(application, 26))]
    #[serde(rename = "eidValue", serialize_with = "hex_fixed")]
    pub eid_value: FixedOctetString<16>,
    /// Tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "notifyStateChange", skip_serializing_if = "Option::is_none")]
    pub notify_state_change: Option<()>,
    /// Tag '81'.
    #[rasn(tag(context, 1))]
    #[serde(rename = "stateChangeCause", skip_serializing_if = "Option::is_none")]
    pub state_change_cause: Option<StateChangeCause>,
    /// MCC/MNC of the last registered PLMN (3GPP TS 24.008), tag '82'.
    #[rasn(tag(context, 2))]
    #[serde(
        rename = "rPLMN",
        serialize_with = "hex_fixed_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub r_plmn: Option<FixedOctetString<3>>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `GetEimPackageResponse ::= [79] CHOICE` (SGP.32 6.3.2.6): 'BF4F' around the alternative.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 79)))]
pub struct GetEimPackageResponse(pub GetEimPackageResponseChoice);

/// The alternatives of [`GetEimPackageResponse`].
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum GetEimPackageResponseChoice {
    /// 'BF51'.
    #[rasn(tag(context, 81))]
    #[serde(rename = "euiccPackageRequest")]
    EuiccPackageRequest(Box<EuiccPackageRequest>),
    /// 'BF52'.
    #[rasn(tag(context, 82))]
    #[serde(rename = "ipaEuiccDataRequest")]
    IpaEuiccDataRequest(Box<IpaEuiccDataRequest>),
    /// 'BF54'.
    #[rasn(tag(context, 84))]
    #[serde(rename = "profileDownloadTriggerRequest")]
    ProfileDownloadTriggerRequest(Box<ProfileDownloadTriggerRequest>),
    /// Universal INTEGER '02'.
    #[serde(rename = "eimPackageError")]
    EimPackageError(GetEimPackageError),
}

named_integer! {
    /// `eimPackageError` of [`GetEimPackageResponse`] (SGP.32 6.3.2.6).
    pub GetEimPackageError {
        NO_EIM_PACKAGE_AVAILABLE = 1 => "noEimPackageAvailable",
        EID_NOT_FOUND = 2 => "eidNotFound",
        INVALID_EID = 3 => "invalidEid",
        MISSING_EID = 4 => "missingEid",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

named_integer! {
    /// `EimPackageResultErrorCode` (SGP.32 6.3.2.7).
    pub EimPackageResultErrorCode {
        INVALID_PACKAGE_FORMAT = 1 => "invalidPackageFormat",
        UNKNOWN_PACKAGE = 2 => "unknownPackage",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `EimPackageResultResponseError` (SGP.32 6.3.2.7).
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EimPackageResultResponseError {
    /// Tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(
        rename = "eimTransactionId",
        serialize_with = "hex_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub eim_transaction_id: Option<TransactionId>,
    /// Universal INTEGER '02'.
    #[serde(rename = "eimPackageResultErrorCode")]
    pub eim_package_result_error_code: EimPackageResultErrorCode,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `EimPackageResult` (SGP.32 6.3.2.7).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum EimPackageResult {
    /// 'BF51'.
    #[serde(rename = "euiccPackageResult")]
    EuiccPackageResult(EuiccPackageResult),
    /// Universal SEQUENCE '30'.
    #[serde(rename = "ePRAndNotifications")]
    EprAndNotifications(EprAndNotifications),
    /// 'BF52'.
    #[serde(rename = "ipaEuiccDataResponse")]
    IpaEuiccDataResponse(IpaEuiccDataResponse),
    /// 'BF54'.
    #[rasn(tag(context, 84))]
    #[serde(rename = "profileDownloadTriggerResult")]
    ProfileDownloadTriggerResult(Box<ProfileDownloadTriggerResult>),
    /// 'A0'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "eimPackageResultResponseError")]
    EimPackageResultResponseError(EimPackageResultResponseError),
}

/// `ePRAndNotifications` of [`EimPackageResult`] and [`TransferEimPackageResponse`].
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EprAndNotifications {
    /// 'BF51'.
    #[serde(rename = "euiccPackageResult")]
    pub euicc_package_result: EuiccPackageResult,
    /// Tag 'A0'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "notificationList")]
    pub notification_list: PendingNotificationList,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `ProvideEimPackageResult` (SGP.32 6.3.2.7 ESipa.ProvideEimPackageResult). Tag 'BF50'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 80))]
pub struct ProvideEimPackageResult {
    /// EID, tag '5A' (CR12014R02: may be absent).
    #[rasn(tag(application, 26))]
    #[serde(
        rename = "eidValue",
        serialize_with = "hex_fixed_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub eid_value: Option<FixedOctetString<16>>,
    #[serde(rename = "eimPackageResult")]
    pub eim_package_result: EimPackageResult,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `ProvideEimPackageResultResponse ::= [80] CHOICE` (SGP.32 6.3.2.7): 'BF50' around the
/// alternative.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 80)))]
pub struct ProvideEimPackageResultResponse(pub ProvideEimPackageResultResponseChoice);

/// The alternatives of [`ProvideEimPackageResultResponse`].
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum ProvideEimPackageResultResponseChoice {
    /// 'BF53'.
    #[serde(rename = "eimAcknowledgements")]
    EimAcknowledgements(EimAcknowledgements),
    /// Universal SEQUENCE '30 00'.
    #[serde(rename = "emptyResponse")]
    EmptyResponse(EmptyResponse),
    /// Universal INTEGER '02'.
    #[serde(rename = "provideEimPackageResultError")]
    ProvideEimPackageResultError(ProvideEimPackageResultError),
}

/// `emptyResponse SEQUENCE {}` of [`ProvideEimPackageResultResponse`].
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EmptyResponse {
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `provideEimPackageResultError` of [`ProvideEimPackageResultResponse`] (SGP.32 6.3.2.7).
    pub ProvideEimPackageResultError {
        EID_NOT_FOUND = 2 => "eidNotFound",
        INVALID_EID = 3 => "invalidEid",
        MISSING_EID = 4 => "missingEid",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `TransferEimPackageRequest ::= [78] CHOICE` (SGP.32 ESipa.TransferEimPackage, eIM Package
/// Injection): 'BF4E' around the alternative.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 78)))]
pub struct TransferEimPackageRequest(pub TransferEimPackageRequestChoice);

/// The alternatives of [`TransferEimPackageRequest`].
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum TransferEimPackageRequestChoice {
    /// 'BF51'.
    #[rasn(tag(context, 81))]
    #[serde(rename = "euiccPackageRequest")]
    EuiccPackageRequest(Box<EuiccPackageRequest>),
    /// 'BF52'.
    #[rasn(tag(context, 82))]
    #[serde(rename = "ipaEuiccDataRequest")]
    IpaEuiccDataRequest(Box<IpaEuiccDataRequest>),
    /// 'BF53'.
    #[serde(rename = "eimAcknowledgements")]
    EimAcknowledgements(EimAcknowledgements),
    /// 'BF54'.
    #[rasn(tag(context, 84))]
    #[serde(rename = "profileDownloadTriggerRequest")]
    ProfileDownloadTriggerRequest(Box<ProfileDownloadTriggerRequest>),
}

/// `TransferEimPackageResponse ::= [78] CHOICE` (SGP.32 ESipa.TransferEimPackage): 'BF4E'
/// around the alternative.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 78)))]
pub struct TransferEimPackageResponse(pub TransferEimPackageResponseChoice);

/// The alternatives of [`TransferEimPackageResponse`].
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum TransferEimPackageResponseChoice {
    /// 'BF51'.
    #[serde(rename = "euiccPackageResult")]
    EuiccPackageResult(EuiccPackageResult),
    /// Universal SEQUENCE '30'.
    #[serde(rename = "ePRAndNotifications")]
    EprAndNotifications(EprAndNotifications),
    /// 'BF52'.
    #[serde(rename = "ipaEuiccDataResponse")]
    IpaEuiccDataResponse(IpaEuiccDataResponse),
    /// Universal NULL '05 00'.
    #[serde(rename = "eimPackageReceived")]
    EimPackageReceived(()),
    /// Universal INTEGER '02'.
    #[serde(rename = "eimPackageError")]
    EimPackageError(TransferEimPackageError),
}

named_integer! {
    /// `eimPackageError` of [`TransferEimPackageResponse`].
    pub TransferEimPackageError {
        INVALID_PACKAGE_FORMAT = 1 => "invalidPackageFormat",
        UNKNOWN_PACKAGE = 2 => "unknownPackage",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::sgp32::{AddInitialEimRequest, SetDefaultDpAddressResult};
    use crate::asn1::take_findings;

    const EID: &str = "89049032123451234512345678901235";

    fn vector(path: &str) -> Vec<u8> {
        let full = format!(
            "{}/../shared/spec/vectors/{path}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
    }

    fn eid() -> FixedOctetString<16> {
        FixedOctetString::try_from(hex::decode(EID).unwrap()).unwrap()
    }

    fn iccid(hex_digits: &str) -> Iccid {
        Iccid::try_from(&hex::decode(hex_digits).unwrap()[..]).unwrap()
    }

    fn tid(bytes: &[u8]) -> TransactionId {
        TransactionId::from(bytes.to_vec())
    }

    /// Encodes, checks the encoding starts with `prefix` (hex), decodes, compares.
    fn round_trip<T>(value: &T, prefix: &str) -> Vec<u8>
    where
        T: Encode + Decode + PartialEq + std::fmt::Debug,
    {
        let der = rasn::der::encode(value).unwrap();
        assert!(
            hex::encode(&der).starts_with(prefix),
            "{} does not start with {prefix}",
            hex::encode(&der)
        );
        let back: T = rasn::der::decode(&der).unwrap();
        assert_eq!(&back, value);
        assert_eq!(rasn::der::encode(&back).unwrap(), der);
        der
    }

    fn decode_reencode<T: Encode + Decode>(bytes: &[u8]) -> T {
        let value: T = rasn::der::decode(bytes).unwrap();
        assert_eq!(
            hex::encode(rasn::der::encode(&value).unwrap()),
            hex::encode(bytes)
        );
        value
    }

    fn psmo_enable_response() -> GetEimPackageResponse {
        decode_reencode(&vector("esipa-live/getEimPackage_psmo_enable_resp.der"))
    }

    fn psmo_package_request() -> EuiccPackageRequest {
        match psmo_enable_response().0 {
            GetEimPackageResponseChoice::EuiccPackageRequest(r) => *r,
            other => panic!("not a package request: {other:?}"),
        }
    }

    #[test]
    fn every_live_get_eim_package_response_decodes_and_reencodes_identically() {
        let dir = format!(
            "{}/../shared/spec/vectors/esipa-live",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with("_resp.der"))
            .collect();
        names.sort();
        assert_eq!(names.len(), 4, "{names:?}");
        for name in names.iter().map(|n| format!("esipa-live/{n}")) {
            let bytes = vector(&name);
            let _: GetEimPackageResponse = decode_reencode(&bytes);
            assert_eq!(&bytes[..2], [0xbf, 0x4f], "{name}");
        }
        let _: GetEimPackageResponse =
            decode_reencode(&vector("esipa-to-es9/1_getEimPackage_resp.der"));
    }

    #[test]
    fn live_psmo_enable_package_has_the_captured_values() {
        let request = psmo_package_request();
        let signed = &request.euicc_package_signed;
        assert_eq!(signed.eim_id, "eIM");
        assert_eq!(hex::encode(&signed.eid_value[..]), EID);
        assert_eq!(signed.counter_value, 2);
        assert_eq!(
            signed.eim_transaction_id.as_ref().map(hex::encode),
            Some("633eae19b033509cb21d2e7bd0b1f90b".to_string())
        );
        let EuiccPackage::PsmoList(psmos) = &signed.euicc_package else {
            panic!("not a PSMO list: {:?}", signed.euicc_package);
        };
        assert_eq!(psmos.len(), 1);
        let Psmo::Enable(enable) = &psmos[0] else {
            panic!("not enable: {:?}", psmos[0]);
        };
        assert_eq!(hex::encode(&enable.iccid[..]), "98001032547698103285");
        assert_eq!(enable.rollback_flag, None);
        assert_eq!(request.eim_signature.len(), 64);
        assert_eq!(
            hex::encode(&request.eim_signature),
            "2408f5d5c2c3c8983b33d7957111fda7322f5d9741509abfc22507b425a1013f\
             b098d80a68f2b211ae63c251e08d8aaab9436b2f9466f9a6a4355ff49e8ce62a"
        );
        assert!(request.extensions.is_empty() && signed.extensions.is_empty());
    }

    #[test]
    fn live_other_get_eim_package_responses_have_the_captured_values() {
        let none: GetEimPackageResponse =
            decode_reencode(&vector("esipa-live/getEimPackageRequest_resp.der"));
        assert_eq!(
            none.0,
            GetEimPackageResponseChoice::EimPackageError(
                GetEimPackageError::NO_EIM_PACKAGE_AVAILABLE
            )
        );

        let edr: GetEimPackageResponse =
            decode_reencode(&vector("esipa-live/getEimPackage_edr_resp.der"));
        let GetEimPackageResponseChoice::IpaEuiccDataRequest(edr) = edr.0 else {
            panic!("not an eUICC data request");
        };
        assert_eq!(hex::encode(&edr.tag_list), "80bf20bf228384a5a688a9bf2b");
        assert!(edr.euicc_ci_pk_identifier_to_be_used.is_none());
        assert!(edr.search_criteria_notification.is_none());
        assert!(edr.eim_transaction_id.is_none());

        for (path, code) in [
            (
                "esipa-live/getEimPackage_download_resp.der",
                "1$testsmdpplus1.example.com$TS48V1-B-UNIQUE",
            ),
            (
                "esipa-to-es9/1_getEimPackage_resp.der",
                "1$127.0.0.1:8009$TS48V1-B-UNIQUE",
            ),
        ] {
            let trigger: GetEimPackageResponse = decode_reencode(&vector(path));
            let GetEimPackageResponseChoice::ProfileDownloadTriggerRequest(trigger) = trigger.0
            else {
                panic!("{path}: not a download trigger");
            };
            assert_eq!(
                trigger.profile_download_data,
                Some(ProfileDownloadData::ActivationCode(code.to_string()))
            );
            assert!(trigger.eim_transaction_id.is_none());
        }
    }

    #[test]
    fn live_get_eim_package_request_decodes() {
        let bytes = vector("esipa-live/getEimPackageRequest_req.der");
        let request: GetEimPackageRequest = decode_reencode(&bytes);
        assert_eq!(request.eid_value, eid());
        assert_eq!(request.notify_state_change, None);
        assert_eq!(request.state_change_cause, None);
        assert_eq!(request.r_plmn, None);
        // The request is not a response, and a response is not a request.
        assert!(rasn::der::decode::<GetEimPackageResponse>(&bytes).is_err());
        assert!(
            rasn::der::decode::<GetEimPackageRequest>(&vector(
                "esipa-live/getEimPackageRequest_resp.der"
            ))
            .is_err()
        );
    }

    #[test]
    fn damaged_vectors_are_rejected() {
        let bytes = vector("esipa-live/getEimPackage_psmo_enable_resp.der");
        // Truncated.
        assert!(rasn::der::decode::<GetEimPackageResponse>(&bytes[..bytes.len() - 1]).is_err());
        // Trailing garbage after the message.
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(rasn::der::decode::<GetEimPackageResponse>(&longer).is_err());
        // Double tagging (BF4F BF4F ...), the Erlang asn1ct mistake.
        let mut doubled = vec![0xbf, 0x4f, 0x81, 0x88];
        doubled.extend(&bytes);
        assert!(rasn::der::decode::<GetEimPackageResponse>(&doubled).is_err());
        // The signature tag 5F37 replaced by 5F38.
        let mut wrong = bytes.clone();
        let at = wrong.windows(2).position(|w| w == [0x5f, 0x37]).unwrap();
        wrong[at + 1] = 0x38;
        assert!(rasn::der::decode::<GetEimPackageResponse>(&wrong).is_err());
    }

    #[test]
    fn eim_signed_data_is_der_of_the_signed_part_and_the_association_token() {
        let request = psmo_package_request();
        let der = request.euicc_package_signed.to_der().unwrap();
        // DER(EuiccPackageSigned) is the original '30 3c ...' of the vector.
        let bytes = vector("esipa-live/getEimPackage_psmo_enable_resp.der");
        assert_eq!(der.len(), 0x3e);
        assert_eq!(&bytes[8..8 + der.len()], &der[..]);
        let data = eim_signed_data(&request.euicc_package_signed, Some(1)).unwrap();
        assert_eq!(data[..der.len()], der[..]);
        assert_eq!(data[der.len()..], [0x84, 0x01, 0x01]);
        let none = eim_signed_data(&request.euicc_package_signed, None).unwrap();
        assert_eq!(none[der.len()..], [0x84, 0x01, 0x00]);
    }

    #[test]
    fn received_signed_parts_are_the_bytes_on_the_wire() {
        let response = vector("esipa-live/getEimPackage_psmo_enable_resp.der");
        // GetEimPackageResponse 'BF4F 81 85 { BF51 81 81 { 30 3C ... } }'.
        let request = &response[4..];
        let raw = received_euicc_package_signed(request).unwrap();
        assert_eq!(raw, &request[4..4 + 0x3e]);
        let decoded = psmo_package_request();
        assert_eq!(raw, decoded.euicc_package_signed.to_der().unwrap());
        assert_eq!(
            eim_signed_data_received(request, Some(1)).unwrap(),
            eim_signed_data(&decoded.euicc_package_signed, Some(1)).unwrap()
        );
        // A non-DER request (long-form length of the counter) decodes with rasn, but only the
        // received bytes give what the eIM signed.
        let mut bent = request[..4].to_vec();
        bent.extend([0x30, 0x3d]);
        let counter = request
            .windows(3)
            .position(|w| w == [0x81, 0x01, 0x02])
            .unwrap();
        bent.extend(&request[6..counter]);
        bent.extend([0x81, 0x81, 0x01, 0x02]);
        bent.extend(&request[counter + 3..]);
        bent[3] += 1;
        let relaxed: EuiccPackageRequest = rasn::der::decode(&bent).unwrap();
        let raw = received_euicc_package_signed(&bent).unwrap();
        assert_eq!(raw.len(), 0x3f);
        assert_ne!(raw, relaxed.euicc_package_signed.to_der().unwrap());
        // Malformed inputs are errors, not panics.
        for bad in [
            &[][..],
            &[0xbf][..],
            &[0xbf, 0x51][..],
            &[0xbf, 0x51, 0x80, 0x30, 0x00, 0x00, 0x00][..],
            &[0xbf, 0x51, 0x85, 1, 1, 1, 1, 1][..],
            &[0xbf, 0x51, 0x03, 0x30, 0x05, 0x00][..],
            &[0xbf, 0x52, 0x02, 0x30, 0x00][..],
            &[0xbf, 0x51, 0x02, 0x30, 0x00, 0x00][..],
            &request[..request.len() - 1],
        ] {
            assert!(received_euicc_package_signed(bad).is_err(), "{bad:02x?}");
        }

        let result = rasn::der::encode(&signed_result(vec![EuiccResultData::EnableResult(
            EnableProfileResult::OK,
        )]))
        .unwrap();
        let data = received_euicc_package_result_data(&result).unwrap();
        assert_eq!(data, &result[5..5 + 2 + 0x14]);
        let error = EuiccPackageResult(EuiccPackageResultChoice::EuiccPackageErrorSigned(
            Box::new(EuiccPackageErrorSigned {
                euicc_package_error_data_signed: EuiccPackageErrorDataSigned {
                    eim_id: "eIM".into(),
                    counter_value: 3,
                    eim_transaction_id: None,
                    euicc_package_error_code: EuiccPackageErrorCode::REPLAY_ERROR,
                    extensions: Extensions::default(),
                },
                euicc_sign_epe: OctetString::from(vec![0x22; 64]),
                extensions: Extensions::default(),
            }),
        ));
        let error = rasn::der::encode(&error).unwrap();
        assert_eq!(
            hex::encode(received_euicc_package_result_data(&error).unwrap()),
            "300b800365494d810103020104"
        );
        let unsigned = hex::decode("bf510da20b800365494d8401018f010f").unwrap();
        assert!(received_euicc_package_result_data(&unsigned).is_err());
    }

    #[test]
    fn association_token_tlv_uses_der_integer_content() {
        let tlv = |t| hex::encode(association_token_tlv(t).unwrap());
        assert_eq!(tlv(None), "840100");
        assert_eq!(tlv(Some(0)), "840100");
        assert_eq!(tlv(Some(1)), "840101");
        assert_eq!(tlv(Some(127)), "84017f");
        assert_eq!(tlv(Some(128)), "84020080");
        assert_eq!(tlv(Some(-1)), "8401ff");
        assert_eq!(tlv(Some(0x7fffff)), "84037fffff");
    }

    #[test]
    fn sample_eim_configuration_data_names_the_sample_eim() {
        let bytes = vector("bpp/sample_eim_cfg.ber");
        // BF57 7C A0 7A { EimConfigurationData }
        assert_eq!(bytes[..5], [0xbf, 0x57, 0x7c, 0xa0, 0x7a]);
        let cfg: EimConfigurationData = decode_reencode(&bytes[5..]);
        let request: AddInitialEimRequest = decode_reencode(&bytes);
        assert_eq!(
            request.eim_configuration_data_list,
            std::slice::from_ref(&cfg)
        );
        assert_eq!(cfg.eim_id, "eIM");
        assert_eq!(cfg.eim_fqdn.as_deref(), Some("127.0.0.1:8000"));
        assert_eq!(cfg.counter_value, Some(1));
        assert_eq!(cfg.association_token, Some(-1));
        let Some(EimPublicKeyData::EimPublicKey(spki)) = &cfg.eim_public_key_data else {
            panic!("no eIM public key: {:?}", cfg.eim_public_key_data);
        };
        let point = spki.public_key_bytes();
        assert_eq!(point.len(), 65);
        assert_eq!(hex::encode(&point[..5]), "04fe584a6f");
        assert!(
            cfg.trusted_public_key_data_tls.is_none() && cfg.indirect_profile_download.is_none()
        );
    }

    fn signed_package(euicc_package: EuiccPackage) -> EuiccPackageRequest {
        EuiccPackageRequest {
            euicc_package_signed: EuiccPackageSigned {
                eim_id: "eim.example.com".into(),
                eid_value: eid(),
                counter_value: 0x7fffff,
                eim_transaction_id: Some(tid(&[1, 2, 3, 4])),
                euicc_package,
                extensions: Extensions::default(),
            },
            eim_signature: OctetString::from(vec![0x52; 64]),
            extensions: Extensions::default(),
        }
    }

    #[test]
    fn every_psmo_round_trips_with_its_tag() {
        let icc = "98001032547698103285";
        let cases: Vec<(Psmo, &str)> = vec![
            (
                Psmo::Enable(PsmoEnable {
                    iccid: iccid(icc),
                    rollback_flag: Some(()),
                    extensions: Extensions::default(),
                }),
                "a30e5a0a980010325476981032850500",
            ),
            (
                Psmo::Enable(PsmoEnable {
                    iccid: iccid(icc),
                    rollback_flag: None,
                    extensions: Extensions::default(),
                }),
                "a30c5a0a98001032547698103285",
            ),
            (
                Psmo::Disable(PsmoIccid {
                    iccid: iccid(icc),
                    extensions: Extensions::default(),
                }),
                "a40c5a0a",
            ),
            (
                Psmo::Delete(PsmoIccid {
                    iccid: iccid(icc),
                    extensions: Extensions::default(),
                }),
                "a50c5a0a",
            ),
            (Psmo::ListProfileInfo(Box::default()), "bf2d"),
            (Psmo::GetRat(PsmoEmpty::default()), "a600"),
            (
                Psmo::ConfigureImmediateEnable(PsmoConfigureImmediateEnable {
                    immediate_enable_flag: Some(()),
                    default_smdp_oid: Some(ObjectIdentifier::new(vec![2, 999, 10]).unwrap()),
                    default_smdp_address: Some("smdp.example.com".into()),
                    extensions: Extensions::default(),
                }),
                "a7198000810388370a8210736d64702e6578616d706c652e636f6d",
            ),
            (
                Psmo::SetFallbackAttribute(PsmoIccid {
                    iccid: iccid(icc),
                    extensions: Extensions::default(),
                }),
                "a80c5a0a",
            ),
            (Psmo::UnsetFallbackAttribute(PsmoEmpty::default()), "a900"),
            (
                Psmo::SetDefaultDpAddress(SetDefaultDpAddressRequest {
                    default_dp_address: "dp.example.com".into(),
                    extensions: Extensions::default(),
                }),
                "bf6510800e64702e6578616d706c652e636f6d",
            ),
        ];
        for (psmo, prefix) in &cases {
            round_trip(psmo, prefix);
        }
        let all: Vec<Psmo> = cases.into_iter().map(|(p, _)| p).collect();
        let request = signed_package(EuiccPackage::PsmoList(all));
        let der = round_trip(&request, "bf51");
        // psmoList is 'A0' right after eimTransactionId '82 04 01020304'.
        let hex = hex::encode(&der);
        assert!(hex.contains("820401020304a0"), "{hex}");
        // Inside GetEimPackageResponse and TransferEimPackageRequest: one outer tag each.
        let get = GetEimPackageResponse(GetEimPackageResponseChoice::EuiccPackageRequest(
            Box::new(request.clone()),
        ));
        round_trip(&get, "bf4f81f7bf5181f33081ad800f");
        let transfer = TransferEimPackageRequest(
            TransferEimPackageRequestChoice::EuiccPackageRequest(Box::new(request)),
        );
        round_trip(&transfer, "bf4e81f7bf5181f33081ad800f");
    }

    fn eim_config(eim_id: &str) -> EimConfigurationData {
        EimConfigurationData {
            eim_id: eim_id.into(),
            eim_fqdn: Some("eim.example.com".into()),
            eim_id_type: Some(EimIdType::EIM_ID_TYPE_FQDN),
            counter_value: Some(1),
            association_token: Some(-1),
            eim_public_key_data: None,
            trusted_public_key_data_tls: None,
            eim_supported_protocol: Some(named_bits(&[
                eim_supported_protocol::EIM_RETRIEVE_HTTPS,
                eim_supported_protocol::EIM_INJECT_HTTPS,
            ])),
            euicc_ci_pk_id: Some(SubjectKeyIdentifier::new(
                hex::decode("f54172bdf98a95d65cbeb88a38a1c11d800a85c3").unwrap(),
            )),
            indirect_profile_download: Some(()),
            extensions: Extensions::default(),
        }
    }

    #[test]
    fn every_eco_round_trips_with_its_tag() {
        let sample = vector("bpp/sample_eim_cfg.ber");
        let sample: EimConfigurationData = rasn::der::decode(&sample[5..]).unwrap();
        let cases = vec![
            (Eco::AddEim(Box::new(eim_config("eim-1"))), "a8"),
            (Eco::AddEim(Box::new(sample.clone())), "a878800365494d"),
            (
                Eco::DeleteEim(EcoDeleteEim {
                    eim_id: "eim-1".into(),
                    extensions: Extensions::default(),
                }),
                "a907800565696d2d31",
            ),
            (Eco::UpdateEim(Box::new(sample)), "aa78"),
            (Eco::ListEim(EcoListEim::default()), "ab00"),
        ];
        let der = round_trip(&cases[0].0, cases[0].1);
        // eimSupportedProtocol bits 0 and 2: '87 02 05 a0'; indirectProfileDownload '89 00'.
        let hex = hex::encode(&der);
        assert!(hex.contains("870205a0") && hex.ends_with("8900"), "{hex}");
        for (eco, prefix) in &cases {
            round_trip(eco, prefix);
        }
        let request = signed_package(EuiccPackage::EcoList(
            cases.into_iter().map(|(e, _)| e).collect(),
        ));
        let hex = hex::encode(round_trip(&request, "bf51"));
        assert!(hex.contains("820401020304a1"), "{hex}");
    }

    #[test]
    fn eim_public_key_data_alternatives_are_explicitly_tagged() {
        let sample = vector("bpp/sample_eim_cfg.ber");
        let sample: EimConfigurationData = rasn::der::decode(&sample[5..]).unwrap();
        let Some(EimPublicKeyData::EimPublicKey(spki)) = sample.eim_public_key_data.clone() else {
            panic!("no key");
        };
        let mut cfg = eim_config("eim-2");
        cfg.trusted_public_key_data_tls = Some(TrustedPublicKeyDataTls::TrustedEimPkTls(spki));
        let hex = hex::encode(round_trip(&cfg, "30"));
        assert!(hex.contains("a65ba059301306072a8648ce3d0201"), "{hex}");
        // The non-conformant form 'A5 { 30 ... }' (S14) is rejected.
        let mut bad = vector("bpp/sample_eim_cfg.ber")[5..].to_vec();
        let at = bad
            .windows(3)
            .position(|w| w == [0xa5, 0x5b, 0xa0])
            .unwrap();
        bad[at + 2] = 0x30;
        assert!(rasn::der::decode::<EimConfigurationData>(&bad).is_err());
    }

    fn result_data_signed(results: Vec<EuiccResultData>) -> EuiccPackageResultDataSigned {
        EuiccPackageResultDataSigned {
            eim_id: "eIM".into(),
            counter_value: 2,
            eim_transaction_id: Some(tid(&[0x63, 0x3e])),
            seq_number: 7,
            euicc_result: results,
            extensions: Extensions::default(),
        }
    }

    fn signed_result(results: Vec<EuiccResultData>) -> EuiccPackageResult {
        EuiccPackageResult(EuiccPackageResultChoice::EuiccPackageResultSigned(
            Box::new(EuiccPackageResultSigned {
                euicc_package_result_data_signed: result_data_signed(results),
                euicc_sign_epr: OctetString::from(vec![0x11; 64]),
                extensions: Extensions::default(),
            }),
        ))
    }

    #[test]
    fn every_euicc_result_data_alternative_round_trips_with_its_tag() {
        let cases: Vec<(EuiccResultData, &str)> = vec![
            (
                EuiccResultData::EnableResult(EnableProfileResult::OK),
                "830100",
            ),
            (
                EuiccResultData::DisableResult(DisableProfileResult::PROFILE_NOT_IN_ENABLED_STATE),
                "840102",
            ),
            (
                EuiccResultData::DeleteResult(DeleteProfileResult::RETURN_FALLBACK_PROFILE),
                "850115",
            ),
            (
                EuiccResultData::ListProfileInfoResult(ProfileInfoListResponse(
                    ProfileInfoListResponseChoice::ProfileInfoListOk(vec![ProfileInfo {
                        iccid: Some(iccid("98001032547698103285")),
                        ..ProfileInfo::default()
                    }]),
                )),
                "bf2d10a00ee30c5a0a98001032547698103285",
            ),
            (
                EuiccResultData::ListProfileInfoResult(ProfileInfoListResponse(
                    ProfileInfoListResponseChoice::ProfileInfoListError(
                        ProfileInfoListError::PROFILE_CHANGE_ONGOING,
                    ),
                )),
                "bf2d0381010b",
            ),
            (
                EuiccResultData::GetRatResult(RulesAuthorisationTable::default()),
                "a600",
            ),
            (
                EuiccResultData::ConfigureImmediateEnableResult(
                    ConfigureImmediateEnableResult::COMMAND_ERROR,
                ),
                "870107",
            ),
            (
                EuiccResultData::AddEimResult(AddEimResult::AssociationToken(1)),
                "a803840101",
            ),
            (
                EuiccResultData::AddEimResult(AddEimResult::AddEimResultCode(
                    AddEimResultCode::CI_PK_UNKNOWN,
                )),
                "a803020103",
            ),
            (
                EuiccResultData::DeleteEimResult(DeleteEimResult::LAST_EIM_DELETED),
                "890102",
            ),
            (
                EuiccResultData::UpdateEimResult(UpdateEimResult::COUNTER_VALUE_OUT_OF_RANGE),
                "8a0106",
            ),
            (
                EuiccResultData::ListEimResult(ListEimResult::EimIdList(vec![EimIdInfo {
                    eim_id: "eIM".into(),
                    eim_id_type: Some(EimIdType::EIM_ID_TYPE_OID),
                    extensions: Extensions::default(),
                }])),
                "ab0ca00a3008800365494d820101",
            ),
            (
                EuiccResultData::ListEimResult(ListEimResult::ListEimError(
                    ListEimError::UNDEFINED_ERROR,
                )),
                "ab0381017f",
            ),
            (
                EuiccResultData::RollbackResult(RollbackProfileResult::OK),
                "8c0100",
            ),
            (
                EuiccResultData::SetFallbackAttributeResult(
                    SetFallbackAttributeResult::FALLBACK_NOT_ALLOWED,
                ),
                "8d0102",
            ),
            (
                EuiccResultData::UnsetFallbackAttributeResult(
                    UnsetFallbackAttributeResult::NO_FALLBACK_ATTRIBUTE,
                ),
                "8e0102",
            ),
            (
                EuiccResultData::ProcessingTerminated(ProcessingTerminated::INTERRUPTION),
                "020103",
            ),
            (
                EuiccResultData::SetDefaultDpAddressResult(SetDefaultDpAddressResponse {
                    set_default_dp_address_result: SetDefaultDpAddressResult::OK,
                    extensions: Extensions::default(),
                }),
                "bf6503800100",
            ),
        ];
        for (result, encoding) in &cases {
            let der = round_trip(result, encoding);
            assert_eq!(hex::encode(der), *encoding);
        }
        let result = signed_result(cases.into_iter().map(|(r, _)| r).collect());
        // 'BF51 81 B5 A0 81 B2 30 6D ...'
        round_trip(&result, "bf5181b5a081b2306d800365494d");
    }

    #[test]
    fn every_euicc_package_result_alternative_round_trips() {
        let signed = signed_result(vec![EuiccResultData::EnableResult(EnableProfileResult::OK)]);
        let der = round_trip(
            &signed,
            "bf515ba0593014800365494d8101028202633e830107300383010\
             05f3740",
        );
        assert_eq!(der.len(), 0x5e);
        assert_eq!(der[der.len() - 64..], [0x11; 64]);

        let error_signed = EuiccPackageResult(EuiccPackageResultChoice::EuiccPackageErrorSigned(
            Box::new(EuiccPackageErrorSigned {
                euicc_package_error_data_signed: EuiccPackageErrorDataSigned {
                    eim_id: "eIM".into(),
                    counter_value: 3,
                    eim_transaction_id: None,
                    euicc_package_error_code: EuiccPackageErrorCode::REPLAY_ERROR,
                    extensions: Extensions::default(),
                },
                euicc_sign_epe: OctetString::from(vec![0x22; 64]),
                extensions: Extensions::default(),
            }),
        ));
        round_trip(&error_signed, "bf5152a150300b800365494d8101030201045f3740");

        let unsigned = EuiccPackageResult(EuiccPackageResultChoice::EuiccPackageErrorUnsigned(
            EuiccPackageErrorUnsigned {
                eim_id: "eIM".into(),
                eim_transaction_id: Some(tid(&[9])),
                association_token: Some(1),
                extensions: Extensions::default(),
            },
        ));
        let der = round_trip(&unsigned, "bf510da20b800365494d820109840101");
        assert_eq!(der.len(), 16);
    }

    #[test]
    fn result_and_error_signed_data_append_the_association_token() {
        let data = result_data_signed(vec![EuiccResultData::EnableResult(EnableProfileResult::OK)]);
        let der = data.to_der().unwrap();
        let signed = euicc_package_result_signed_data(&data, Some(1)).unwrap();
        assert_eq!(signed[..der.len()], der[..]);
        assert_eq!(signed[der.len()..], [0x84, 0x01, 0x01]);
        assert_eq!(der[0], 0x30);

        let error = EuiccPackageErrorDataSigned {
            eim_id: "eIM".into(),
            counter_value: 9,
            eim_transaction_id: None,
            euicc_package_error_code: EuiccPackageErrorCode::INVALID_EID,
            extensions: Extensions::default(),
        };
        let signed = euicc_package_error_signed_data(&error, None).unwrap();
        assert_eq!(hex::encode(signed), "300b800365494d810109020103840100");
    }

    #[test]
    fn unknown_trailing_element_of_result_data_is_kept_and_reencoded() {
        // A v1.3-style EuiccPackageResultDataSigned with an extra '94 01 05' ([20]) at the end.
        let signed = signed_result(vec![EuiccResultData::EnableResult(EnableProfileResult::OK)]);
        let der = rasn::der::encode(&signed).unwrap();
        // 'BF51 5B A0 59 30 14 ...': grow the three lengths by 3 and append inside the '30'.
        assert_eq!(der[..6], [0xbf, 0x51, 0x5b, 0xa0, 0x59, 0x30]);
        let data_end = 7 + usize::from(der[6]);
        let mut v13 = der.clone();
        v13.splice(data_end..data_end, [0x94, 0x01, 0x05]);
        for at in [2, 4, 6] {
            v13[at] += 3;
        }
        let _ = take_findings();
        let decoded: EuiccPackageResult = rasn::der::decode(&v13).unwrap();
        let EuiccPackageResultChoice::EuiccPackageResultSigned(inner) = &decoded.0 else {
            panic!("not signed: {decoded:?}");
        };
        let data = &inner.euicc_package_result_data_signed;
        assert_eq!(data.seq_number, 7);
        assert_eq!(data.euicc_result.len(), 1);
        assert_eq!(data.extensions.0.len(), 1);
        assert_eq!(data.extensions.0[0].as_bytes(), [0x94, 0x01, 0x05]);
        assert!(inner.extensions.is_empty());
        assert_eq!(take_findings().len(), 1);
        assert_eq!(rasn::der::encode(&decoded).unwrap(), v13);
        // The signed data covers the unknown element as received, then the token.
        let signed_data = euicc_package_result_signed_data(data, Some(1)).unwrap();
        assert_eq!(signed_data[..signed_data.len() - 3], v13[5..data_end + 3]);
        // JSON shows it.
        let json = serde_json::to_value(&decoded).unwrap();
        assert_eq!(
            json["euiccPackageResultSigned"]["euiccPackageResultDataSigned"]["unknownExtensions"],
            serde_json::json!(["940105"])
        );
        // Without the extension it is the v1.2 encoding again.
        assert!(rasn::der::decode::<EuiccPackageResult>(&der).unwrap().0 != decoded.0);
    }

    #[test]
    fn v13_trailing_elements_of_other_sequences_are_kept() {
        // EimConfigurationData + eSipaProprietaryProtocolInformation [10] (v1.3).
        let mut cfg = rasn::der::encode(&eim_config("x")).unwrap();
        cfg.extend([0xaa, 0x03, 0x80, 0x01, 0x01]);
        assert!(cfg[1] < 0x7b, "short length form expected");
        cfg[1] += 5;
        let _ = take_findings();
        let decoded: EimConfigurationData = decode_reencode(&cfg);
        assert_eq!(decoded.extensions.0.len(), 1);
        assert_eq!(decoded.indirect_profile_download, Some(()));
        // EuiccPackageErrorUnsigned + euiccPackageUnsignedErrorCode [15] sizeOverflow (v1.3).
        let bytes = hex::decode("bf510da20b800365494d8401018f010f").unwrap();
        let decoded: EuiccPackageResult = decode_reencode(&bytes);
        let EuiccPackageResultChoice::EuiccPackageErrorUnsigned(unsigned) = &decoded.0 else {
            panic!("not unsigned: {decoded:?}");
        };
        assert_eq!(unsigned.association_token, Some(1));
        assert_eq!(unsigned.extensions.0[0].as_bytes(), [0x8f, 0x01, 0x0f]);
        // IpaCapabilities + eSipaProprietaryProtocolInformation [2] (v1.3).
        let bytes = hex::decode("3009800202848201ff8200").unwrap();
        let decoded: IpaCapabilities = decode_reencode(&bytes);
        assert_eq!(decoded.ipa_supported_protocols, None);
        assert_eq!(decoded.extensions.0.len(), 2);
        assert_eq!(take_findings().len(), 4);
    }

    #[test]
    fn package_messages_keep_their_tags_inside_the_esipa_envelopes() {
        use crate::asn1::sgp32::{EsipaMessageFromEimToIpa, EsipaMessageFromIpaToEim};
        for path in [
            "esipa-live/getEimPackage_psmo_enable_resp.der",
            "esipa-live/getEimPackageRequest_resp.der",
            "esipa-to-es9/1_getEimPackage_resp.der",
        ] {
            let message: EsipaMessageFromEimToIpa = decode_reencode(&vector(path));
            assert!(
                matches!(message, EsipaMessageFromEimToIpa::GetEimPackageResponse(_)),
                "{path}: {message:?}"
            );
        }
        let message: EsipaMessageFromIpaToEim =
            decode_reencode(&vector("esipa-live/getEimPackageRequest_req.der"));
        assert!(matches!(
            message,
            EsipaMessageFromIpaToEim::GetEimPackageRequest(_)
        ));
        let provide =
            EsipaMessageFromIpaToEim::ProvideEimPackageResult(Box::new(ProvideEimPackageResult {
                eid_value: Some(eid()),
                eim_package_result: EimPackageResult::EuiccPackageResult(signed_result(vec![])),
                extensions: Extensions::default(),
            }));
        round_trip(&provide, "bf50");
        let ack = EsipaMessageFromEimToIpa::ProvideEimPackageResultResponse(Box::new(
            ProvideEimPackageResultResponse(ProvideEimPackageResultResponseChoice::EmptyResponse(
                EmptyResponse::default(),
            )),
        ));
        assert_eq!(hex::encode(round_trip(&ack, "bf50")), "bf50023000");
        let transfer = EsipaMessageFromIpaToEim::TransferEimPackageResponse(Box::new(
            TransferEimPackageResponse(TransferEimPackageResponseChoice::EimPackageReceived(())),
        ));
        assert_eq!(hex::encode(round_trip(&transfer, "bf4e")), "bf4e020500");
    }

    #[test]
    fn rollback_flag_tagged_80_is_an_unknown_extension_not_the_flag() {
        // 'A3 0E 5A 0A <iccid> 80 00': the flag with an (incorrect) automatic tag.
        let bytes = hex::decode("a30e5a0a980010325476981032858000").unwrap();
        let _ = take_findings();
        let psmo: Psmo = decode_reencode(&bytes);
        let Psmo::Enable(enable) = psmo else { panic!() };
        assert_eq!(enable.rollback_flag, None);
        assert_eq!(enable.extensions.0.len(), 1);
        assert_eq!(take_findings().len(), 1);
    }

    #[test]
    fn ipa_euicc_data_request_and_response_round_trip() {
        let request = IpaEuiccDataRequest {
            tag_list: OctetString::from(hex::decode("80bf20bf228384a5a688a9bf2b").unwrap()),
            euicc_ci_pk_identifier_to_be_used: Some(OctetString::from(vec![0xf5, 0x41])),
            search_criteria_notification: Some(SearchCriteriaNotification::SeqNumber(5)),
            search_criteria_euicc_package_result: Some(
                SearchCriteriaEuiccPackageResult::SeqNumber(6),
            ),
            eim_transaction_id: Some(tid(&[1])),
            extensions: Extensions::default(),
        };
        let hex = hex::encode(round_trip(
            &request,
            "bf52205c0d80bf20bf228384a5a688a9bf2b0402f541",
        ));
        assert!(hex.ends_with("a103800105a203800106830101"), "{hex}");
        let mut by_event = request.clone();
        by_event.search_criteria_notification = Some(
            SearchCriteriaNotification::ProfileManagementOperation(named_bits(&[1, 2])),
        );
        let hex = hex::encode(round_trip(&by_event, "bf52"));
        assert!(hex.contains("a10481020560"), "{hex}");

        let data = IpaEuiccData {
            notifications_list: Some(vec![]),
            default_smdp_address: Some("smdp.example.com".into()),
            euicc_package_result_list: Some(vec![signed_result(vec![
                EuiccResultData::EnableResult(EnableProfileResult::OK),
            ])]),
            root_smds_address: Some("lpa.ds.gsma.com".into()),
            association_token: Some(1),
            eim_transaction_id: Some(tid(&[1])),
            ipa_capabilities: Some(IpaCapabilities {
                ipa_features: named_bits(&[
                    ipa_features::DIRECT_RSP_SERVER_COMMUNICATION,
                    ipa_features::MINIMIZE_ESIPA_BYTES,
                ]),
                ipa_supported_protocols: Some(named_bits(&[
                    ipa_supported_protocols::IPA_RETRIEVE_HTTPS,
                ])),
                extensions: Extensions::default(),
            }),
            ..IpaEuiccData::default()
        };
        let response =
            IpaEuiccDataResponse(IpaEuiccDataResponseChoice::IpaEuiccData(Box::new(data)));
        let der = round_trip(&response, "bf52");
        let hex = hex::encode(&der);
        // 'BF52 81 98 A0 81 95 { A0 00, 81 10 ..., A2 5E { BF51 ... } ...'
        assert!(hex.starts_with("bf528198a08195a000811073"), "{hex}");
        assert!(hex.contains("a25ebf515ba059"), "{hex}");
        // ipaCapabilities: 'A8 08 80 02 02 84 81 02 07 80'.
        assert!(hex.ends_with("a8088002028481020780"), "{hex}");
        let error = IpaEuiccDataResponse(IpaEuiccDataResponseChoice::IpaEuiccDataResponseError(
            IpaEuiccDataResponseError {
                eim_transaction_id: Some(tid(&[1])),
                ipa_euicc_data_error_code: IpaEuiccDataErrorCode::INCORRECT_TAG_LIST,
                extensions: Extensions::default(),
            },
        ));
        assert_eq!(
            hex::encode(round_trip(&error, "bf52")),
            "bf5208a106800101020101"
        );
    }

    /// A profile installation result (errorResult in loadProfileElements), hand-made:
    /// BF37 { BF27 { 80 transactionId, BF2F { 80 seqNumber, 81 install, 0C "a" },
    /// 06 smdpOid 2.999.1, A2 { A1 { 80 bppCommandId 5, 81 errorReason 1 } } }, 5F37 sig }.
    fn sample_pir() -> ProfileInstallationResult {
        let bytes = hex::decode(format!(
            "bf3765bf271f800101bf2f0a800101810207800c0161060388370\
             1a208a1068001058101015f3740{}",
            "33".repeat(64)
        ))
        .unwrap();
        decode_reencode(&bytes)
    }

    #[test]
    fn profile_download_trigger_request_and_result_round_trip() {
        for (data, encoding) in [
            (
                Some(ProfileDownloadData::ActivationCode("1$a.b$X".into())),
                "bf540ba00980073124612e622458",
            ),
            (
                Some(ProfileDownloadData::ContactDefaultSmdp(())),
                "bf5404a0028100",
            ),
            (
                Some(ProfileDownloadData::ContactSmds(ContactSmds {
                    smds_address: Some("ds".into()),
                    extensions: Extensions::default(),
                })),
                "bf5408a006a20480026473",
            ),
            (
                Some(ProfileDownloadData::ContactSmds(ContactSmds::default())),
                "bf5404a002a200",
            ),
            (None, "bf5400"),
        ] {
            let request = ProfileDownloadTriggerRequest {
                profile_download_data: data,
                eim_transaction_id: None,
                extensions: Extensions::default(),
            };
            assert_eq!(hex::encode(round_trip(&request, "bf54")), encoding);
        }
        let with_tid = ProfileDownloadTriggerRequest {
            profile_download_data: None,
            eim_transaction_id: Some(tid(&[7, 8])),
            extensions: Extensions::default(),
        };
        assert_eq!(hex::encode(round_trip(&with_tid, "bf54")), "bf540482020708");

        let error = ProfileDownloadTriggerResult {
            eim_transaction_id: Some(tid(&[7])),
            profile_download_trigger_result_data:
                ProfileDownloadTriggerResultData::ProfileDownloadError(ProfileDownloadError {
                    profile_download_error_reason: ProfileDownloadErrorReason::ECALL_ACTIVE,
                    error_response: Some(OctetString::from(vec![0xab])),
                    extensions: Extensions::default(),
                }),
            extensions: Extensions::default(),
        };
        assert_eq!(
            hex::encode(round_trip(&error, "bf54")),
            "bf540b82010730068001680401ab"
        );
        let installed = ProfileDownloadTriggerResult {
            eim_transaction_id: None,
            profile_download_trigger_result_data:
                ProfileDownloadTriggerResultData::ProfileInstallationResult(Box::new(sample_pir())),
            extensions: Extensions::default(),
        };
        round_trip(&installed, "bf5468bf3765bf271f");
    }

    #[test]
    fn eim_acknowledgements_round_trip() {
        let acks = EimAcknowledgements(vec![SequenceNumber(1), SequenceNumber(300)]);
        assert_eq!(
            hex::encode(round_trip(&acks, "bf53")),
            "bf53078001018002012c"
        );
        assert_eq!(
            hex::encode(round_trip(&EimAcknowledgements::default(), "bf53")),
            "bf5300"
        );
        assert_eq!(serde_json::to_string(&acks).unwrap(), "[1,300]");
    }

    #[test]
    fn every_eim_package_result_alternative_round_trips_in_provide_eim_package_result() {
        let epr = signed_result(vec![EuiccResultData::EnableResult(EnableProfileResult::OK)]);
        let cases: Vec<(EimPackageResult, &str)> = vec![
            (EimPackageResult::EuiccPackageResult(epr.clone()), "bf51"),
            (
                EimPackageResult::EprAndNotifications(EprAndNotifications {
                    euicc_package_result: epr,
                    notification_list: vec![],
                    extensions: Extensions::default(),
                }),
                "30",
            ),
            (
                EimPackageResult::IpaEuiccDataResponse(IpaEuiccDataResponse(
                    IpaEuiccDataResponseChoice::IpaEuiccDataResponseError(
                        IpaEuiccDataResponseError::default(),
                    ),
                )),
                "bf5205a103020100",
            ),
            (
                EimPackageResult::ProfileDownloadTriggerResult(Box::new(
                    ProfileDownloadTriggerResult {
                        eim_transaction_id: None,
                        profile_download_trigger_result_data:
                            ProfileDownloadTriggerResultData::ProfileDownloadError(
                                ProfileDownloadError::default(),
                            ),
                        extensions: Extensions::default(),
                    },
                )),
                "bf540530038001",
            ),
            (
                EimPackageResult::EimPackageResultResponseError(EimPackageResultResponseError {
                    eim_transaction_id: Some(tid(&[1, 2])),
                    eim_package_result_error_code: EimPackageResultErrorCode::UNKNOWN_PACKAGE,
                    extensions: Extensions::default(),
                }),
                "a0078002010202010",
            ),
        ];
        for (result, prefix) in cases {
            round_trip(&result, prefix);
            for eid_value in [Some(eid()), None] {
                let with_eid = eid_value.is_some();
                let provide = ProvideEimPackageResult {
                    eid_value,
                    eim_package_result: result.clone(),
                    extensions: Extensions::default(),
                };
                let der = round_trip(&provide, "bf50");
                let body = hex::encode(&der[if der[2] & 0x80 != 0 { 4 } else { 3 }..]);
                if with_eid {
                    assert!(body.starts_with(&format!("5a10{EID}{prefix}")), "{body}");
                } else {
                    assert!(body.starts_with(prefix), "{body}");
                }
            }
        }
    }

    #[test]
    fn provide_eim_package_result_response_alternatives_round_trip() {
        for (choice, encoding) in [
            (
                ProvideEimPackageResultResponseChoice::EimAcknowledgements(EimAcknowledgements(
                    vec![SequenceNumber(7)],
                )),
                "bf5006bf5303800107",
            ),
            (
                ProvideEimPackageResultResponseChoice::EmptyResponse(EmptyResponse::default()),
                "bf50023000",
            ),
            (
                ProvideEimPackageResultResponseChoice::ProvideEimPackageResultError(
                    ProvideEimPackageResultError::EID_NOT_FOUND,
                ),
                "bf5003020102",
            ),
        ] {
            let response = ProvideEimPackageResultResponse(choice);
            assert_eq!(hex::encode(round_trip(&response, "bf50")), encoding);
        }
    }

    #[test]
    fn transfer_eim_package_request_and_response_alternatives_round_trip() {
        for (choice, encoding) in [
            (
                TransferEimPackageRequestChoice::IpaEuiccDataRequest(Box::default()),
                "bf4e05bf52025c00",
            ),
            (
                TransferEimPackageRequestChoice::EimAcknowledgements(EimAcknowledgements(vec![
                    SequenceNumber(2),
                ])),
                "bf4e06bf5303800102",
            ),
            (
                TransferEimPackageRequestChoice::ProfileDownloadTriggerRequest(Box::default()),
                "bf4e03bf5400",
            ),
        ] {
            let request = TransferEimPackageRequest(choice);
            assert_eq!(hex::encode(round_trip(&request, "bf4e")), encoding);
        }
        let epr = signed_result(vec![EuiccResultData::EnableResult(EnableProfileResult::OK)]);
        for (choice, prefix) in [
            (
                TransferEimPackageResponseChoice::EuiccPackageResult(epr.clone()),
                "bf4e5ebf515b",
            ),
            (
                TransferEimPackageResponseChoice::EprAndNotifications(EprAndNotifications {
                    euicc_package_result: epr,
                    notification_list: vec![],
                    extensions: Extensions::default(),
                }),
                "bf4e623060bf515b",
            ),
            (
                TransferEimPackageResponseChoice::IpaEuiccDataResponse(IpaEuiccDataResponse(
                    IpaEuiccDataResponseChoice::IpaEuiccData(Box::default()),
                )),
                "bf4e05bf5202a000",
            ),
            (
                TransferEimPackageResponseChoice::EimPackageReceived(()),
                "bf4e020500",
            ),
            (
                TransferEimPackageResponseChoice::EimPackageError(
                    TransferEimPackageError::INVALID_PACKAGE_FORMAT,
                ),
                "bf4e03020101",
            ),
        ] {
            round_trip(&TransferEimPackageResponse(choice), prefix);
        }
    }

    #[test]
    fn get_eim_package_request_with_every_field_round_trips() {
        let request = GetEimPackageRequest {
            eid_value: eid(),
            notify_state_change: Some(()),
            state_change_cause: Some(StateChangeCause::DEVICE_CHANGE),
            r_plmn: Some(FixedOctetString::from([0x62, 0xf2, 0x10])),
            extensions: Extensions::default(),
        };
        assert_eq!(
            hex::encode(round_trip(&request, "bf4f")),
            format!("bf4f1c5a10{EID}8000810106820362f210")
        );
        // rPLMN must be 3 octets.
        let bad = hex::decode(format!("bf4f165a10{EID}82026210")).unwrap();
        assert!(rasn::der::decode::<GetEimPackageRequest>(&bad).is_err());
    }

    #[test]
    fn ipae_and_isdr_template_round_trip() {
        let template = IsdrProprietaryApplicationTemplateIot {
            euicc_configuration: named_bits(&[euicc_configuration::ENABLED_PROFILE]),
            extensions: Extensions::default(),
        };
        assert_eq!(hex::encode(round_trip(&template, "e1")), "e10480020640");
        let request = IpaeActivationRequest {
            ipae_option: named_bits(&[0]),
            extensions: Extensions::default(),
        };
        assert_eq!(hex::encode(round_trip(&request, "bf42")), "bf420480020780");
        let response = IpaeActivationResponse {
            ipae_activation_result: IpaeActivationResult::NOT_SUPPORTED,
            extensions: Extensions::default(),
        };
        assert_eq!(hex::encode(round_trip(&response, "bf42")), "bf4203800101");
    }

    #[test]
    fn json_uses_the_asn1_names() {
        let json = serde_json::to_value(psmo_enable_response()).unwrap();
        let signed = &json["euiccPackageRequest"]["euiccPackageSigned"];
        assert_eq!(signed["eimId"], "eIM");
        assert_eq!(signed["eidValue"], EID);
        assert_eq!(signed["counterValue"], 2);
        assert_eq!(
            signed["eimTransactionId"],
            "633eae19b033509cb21d2e7bd0b1f90b"
        );
        assert_eq!(
            signed["euiccPackage"]["psmoList"][0]["enable"]["iccid"],
            "98001032547698103285"
        );
        assert!(signed.get("unknownExtensions").is_none());
        let none = serde_json::to_value(GetEimPackageResponse(
            GetEimPackageResponseChoice::EimPackageError(GetEimPackageError::INVALID_EID),
        ))
        .unwrap();
        assert_eq!(none, serde_json::json!({"eimPackageError": "invalidEid"}));
        let cfg = serde_json::to_value(eim_config("x")).unwrap();
        assert_eq!(cfg["eimSupportedProtocol"], "a0/3");
        assert_eq!(cfg["indirectProfileDownload"], serde_json::Value::Null);
        assert_eq!(cfg["eimIdType"], "eimIdTypeFqdn");
    }

    #[test]
    fn named_bits_has_no_trailing_zeros() {
        assert_eq!(
            crate::asn1::json::bit_string_text(&named_bits(&[0, 2])),
            "a0/3"
        );
        assert_eq!(named_bits(&[]).len(), 0);
        assert_eq!(
            rasn::der::encode(&named_bits(&[5])).unwrap(),
            [0x03, 0x02, 0x02, 0x04]
        );
    }
}
