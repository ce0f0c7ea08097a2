//! SGP.32 v1.2 ESipa messages (SGP32Definitions lines 712-835; SGP.32 6.3 ASN.1 function
//! binding). Every ESipa request of the IPA is one [`EsipaMessageFromIpaToEim`], every answer of
//! the eIM one [`EsipaMessageFromEimToIpa`]; both are untagged CHOICEs whose alternatives carry
//! the tags of their types:
//!
//! | `EsipaMessageFromIpaToEim` alternative | Type | Tag |
//! |---|---|---|
//! | `initiateAuthenticationRequestEsipa` | [`InitiateAuthenticationRequestEsipa`] | `[57]` 'BF39' |
//! | `authenticateClientRequestEsipa` | [`AuthenticateClientRequestEsipa`] | `[59]` 'BF3B' |
//! | `getBoundProfilePackageRequestEsipa` | [`GetBoundProfilePackageRequestEsipa`] | `[58]` 'BF3A' |
//! | `cancelSessionRequestEsipa` | [`CancelSessionRequestEsipa`] | `[65]` 'BF41' |
//! | `handleNotificationEsipa` | [`HandleNotificationEsipa`] | `[61]` 'BF3D' |
//! | `transferEimPackageResponse` | [`TransferEimPackageResponse`] | `[78]` 'BF4E' |
//! | `getEimPackageRequest` | [`GetEimPackageRequest`] | `[79]` 'BF4F' |
//! | `provideEimPackageResult` | [`ProvideEimPackageResult`] | `[80]` 'BF50' |
//!
//! | `EsipaMessageFromEimToIpa` alternative | Type | Tag |
//! |---|---|---|
//! | `initiateAuthenticationResponseEsipa` | [`InitiateAuthenticationResponseEsipa`] | `[57]` 'BF39' |
//! | `authenticateClientResponseEsipa` | [`AuthenticateClientResponseEsipa`] | `[59]` 'BF3B' |
//! | `getBoundProfilePackageResponseEsipa` | [`GetBoundProfilePackageResponseEsipa`] | `[58]` 'BF3A' |
//! | `cancelSessionResponseEsipa` | [`CancelSessionResponseEsipa`] | `[65]` 'BF41' |
//! | `transferEimPackageRequest` | [`TransferEimPackageRequest`] | `[78]` 'BF4E' |
//! | `getEimPackageResponse` | [`GetEimPackageResponse`] | `[79]` 'BF4F' |
//! | `provideEimPackageResultResponse` | [`ProvideEimPackageResultResponse`] | `[80]` 'BF50' |
//!
//! HandleNotification has no response (SGP.32 6.3.2.4). The response types that are tagged
//! CHOICEs (`InitiateAuthenticationResponseEsipa ::= [57] CHOICE`, ...) are explicitly tagged:
//! 'BF39' around the alternative, e.g. `BF39 { A0 { initiateAuthenticationOkEsipa } }`, never
//! a doubled 'BF39 BF39'. They are delegate newtypes around a `...Choice` enum (see `es10`).
//! The alternative tags inside the envelopes equal the tags of the types; they are written on
//! the variants as well.

use rasn::prelude::*;
use serde::Serialize;

use crate::asn1::Extensions;
use crate::asn1::json::hex;
use crate::asn1::pkix::Certificate;
use crate::asn1::rsp::{
    BoundProfilePackage, CtxParams1, EuiccInfo1, Octet16, Octet32, ServerSigned1, SmdpSigned2,
    TransactionId,
};
use crate::asn1::sgp32::{
    AuthenticateServerResponse, CancelSessionResponse, GetEimPackageRequest, GetEimPackageResponse,
    PendingNotification, PrepareDownloadResponse, ProfileDownloadTriggerRequest,
    ProvideEimPackageResult, ProvideEimPackageResultResponse, StoreMetadataRequest,
    TransferEimPackageRequest, TransferEimPackageResponse,
};
use crate::named_integer;

/// `EsipaMessageFromIpaToEim` (SGP.32 6.3): every message the IPA sends to the eIM.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum EsipaMessageFromIpaToEim {
    /// 'BF39'.
    #[rasn(tag(context, 57))]
    #[serde(rename = "initiateAuthenticationRequestEsipa")]
    InitiateAuthenticationRequestEsipa(Box<InitiateAuthenticationRequestEsipa>),
    /// 'BF3B'.
    #[rasn(tag(context, 59))]
    #[serde(rename = "authenticateClientRequestEsipa")]
    AuthenticateClientRequestEsipa(Box<AuthenticateClientRequestEsipa>),
    /// 'BF3A'.
    #[rasn(tag(context, 58))]
    #[serde(rename = "getBoundProfilePackageRequestEsipa")]
    GetBoundProfilePackageRequestEsipa(Box<GetBoundProfilePackageRequestEsipa>),
    /// 'BF41'.
    #[rasn(tag(context, 65))]
    #[serde(rename = "cancelSessionRequestEsipa")]
    CancelSessionRequestEsipa(Box<CancelSessionRequestEsipa>),
    /// 'BF3D'.
    #[rasn(tag(context, 61))]
    #[serde(rename = "handleNotificationEsipa")]
    HandleNotificationEsipa(Box<HandleNotificationEsipa>),
    /// 'BF4E'.
    #[rasn(tag(context, 78))]
    #[serde(rename = "transferEimPackageResponse")]
    TransferEimPackageResponse(Box<TransferEimPackageResponse>),
    /// 'BF4F'.
    #[rasn(tag(context, 79))]
    #[serde(rename = "getEimPackageRequest")]
    GetEimPackageRequest(Box<GetEimPackageRequest>),
    /// 'BF50'.
    #[rasn(tag(context, 80))]
    #[serde(rename = "provideEimPackageResult")]
    ProvideEimPackageResult(Box<ProvideEimPackageResult>),
}

/// `EsipaMessageFromEimToIpa` (SGP.32 6.3): every message the eIM sends to the IPA.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum EsipaMessageFromEimToIpa {
    /// 'BF39'.
    #[rasn(tag(context, 57))]
    #[serde(rename = "initiateAuthenticationResponseEsipa")]
    InitiateAuthenticationResponseEsipa(Box<InitiateAuthenticationResponseEsipa>),
    /// 'BF3B'.
    #[rasn(tag(context, 59))]
    #[serde(rename = "authenticateClientResponseEsipa")]
    AuthenticateClientResponseEsipa(Box<AuthenticateClientResponseEsipa>),
    /// 'BF3A'.
    #[rasn(tag(context, 58))]
    #[serde(rename = "getBoundProfilePackageResponseEsipa")]
    GetBoundProfilePackageResponseEsipa(Box<GetBoundProfilePackageResponseEsipa>),
    /// 'BF41'.
    #[rasn(tag(context, 65))]
    #[serde(rename = "cancelSessionResponseEsipa")]
    CancelSessionResponseEsipa(Box<CancelSessionResponseEsipa>),
    /// 'BF4E'.
    #[rasn(tag(context, 78))]
    #[serde(rename = "transferEimPackageRequest")]
    TransferEimPackageRequest(Box<TransferEimPackageRequest>),
    /// 'BF4F'.
    #[rasn(tag(context, 79))]
    #[serde(rename = "getEimPackageResponse")]
    GetEimPackageResponse(Box<GetEimPackageResponse>),
    /// 'BF50'.
    #[rasn(tag(context, 80))]
    #[serde(rename = "provideEimPackageResultResponse")]
    ProvideEimPackageResultResponse(Box<ProvideEimPackageResultResponse>),
}

/// `InitiateAuthenticationRequestEsipa` (SGP.32 6.3.2.1 ESipa.InitiateAuthentication).
/// Tag 'BF39'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 57))]
pub struct InitiateAuthenticationRequestEsipa {
    /// Random eUICC challenge, tag '81'.
    #[rasn(tag(context, 1))]
    #[serde(rename = "euiccChallenge")]
    pub euicc_challenge: Octet16,
    /// Tag '83'.
    #[rasn(tag(context, 3))]
    #[serde(rename = "smdpAddress", skip_serializing_if = "Option::is_none")]
    pub smdp_address: Option<String>,
    /// Tag 'BF20' (the tag of `EUICCInfo1`); omitted only with minimizeEsipaBytes.
    #[serde(rename = "euiccInfo1", skip_serializing_if = "Option::is_none")]
    pub euicc_info1: Option<EuiccInfo1>,
    /// Tag '82'.
    #[rasn(tag(context, 2))]
    #[serde(rename = "eimTransactionId", skip_serializing_if = "Option::is_none")]
    pub eim_transaction_id: Option<TransactionId>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `initiateAuthenticationErrorEsipa` (SGP.32 6.3.2.1).
    pub InitiateAuthenticationErrorEsipa {
        INVALID_DP_ADDRESS = 1 => "invalidDpAddress",
        EUICC_VERSION_NOT_SUPPORTED_BY_DP = 2 => "euiccVersionNotSupportedByDp",
        CI_PK_ID_NOT_SUPPORTED = 3 => "ciPKIdNotSupported",
        SMDP_ADDRESS_MISMATCH = 50 => "smdpAddressMismatch",
        SMDP_OID_MISMATCH = 51 => "smdpOidMismatch",
        INVALID_EIM_TRANSACTION_ID = 52 => "invalidEimTransactionId",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `InitiateAuthenticationResponseEsipa` (SGP.32 6.3.2.1). 'BF39' around 'A0' / '81'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 57)))]
pub struct InitiateAuthenticationResponseEsipa(pub InitiateAuthenticationResponseEsipaChoice);

/// The alternatives of [`InitiateAuthenticationResponseEsipa`] (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum InitiateAuthenticationResponseEsipaChoice {
    #[serde(rename = "initiateAuthenticationOkEsipa")]
    InitiateAuthenticationOkEsipa(Box<InitiateAuthenticationOkEsipa>),
    #[serde(rename = "initiateAuthenticationErrorEsipa")]
    InitiateAuthenticationErrorEsipa(InitiateAuthenticationErrorEsipa),
}

/// `InitiateAuthenticationOkEsipa` (SGP.32 6.3.2.1).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InitiateAuthenticationOkEsipa {
    /// The TransactionID generated by the SM-DP+, tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId", skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<TransactionId>,
    /// Universal SEQUENCE ('30').
    #[serde(rename = "serverSigned1")]
    pub server_signed1: ServerSigned1,
    /// Tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "serverSignature1", serialize_with = "hex")]
    pub server_signature1: OctetString,
    /// Key identifier (possibly truncated) of the CI public key to use; universal OCTET STRING.
    #[serde(rename = "euiccCiPKIdentifierToBeUsed", serialize_with = "hex")]
    pub euicc_ci_pk_identifier_to_be_used: OctetString,
    #[serde(rename = "serverCertificate")]
    pub server_certificate: Certificate,
    /// Universal UTF8String ('0C').
    #[serde(rename = "matchingId", skip_serializing_if = "Option::is_none")]
    pub matching_id: Option<String>,
    /// Explicit `[2]` around the CHOICE ('A2').
    #[rasn(tag(explicit(context, 2)))]
    #[serde(rename = "ctxParams1", skip_serializing_if = "Option::is_none")]
    pub ctx_params1: Option<CtxParams1>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `AuthenticateClientRequestEsipa` (SGP.32 6.3.2.2 ESipa.AuthenticateClient). Tag 'BF3B'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 59))]
pub struct AuthenticateClientRequestEsipa {
    /// Tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// 'BF38' around the alternative; possibly compact.
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
    /// `authenticateClientErrorEsipa` (SGP.32 6.3.2.2).
    pub AuthenticateClientErrorEsipa {
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
        PPR_NOT_ALLOWED = 50 => "pprNotAllowed",
        EVENT_ID_UNKNOWN = 56 => "eventIdUnknown",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `AuthenticateClientResponseEsipa` (SGP.32 6.3.2.2). 'BF3B' around 'A0' / 'A1' / '82'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 59)))]
pub struct AuthenticateClientResponseEsipa(pub AuthenticateClientResponseEsipaChoice);

/// The alternatives of [`AuthenticateClientResponseEsipa`] (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum AuthenticateClientResponseEsipaChoice {
    #[serde(rename = "authenticateClientOkDPEsipa")]
    AuthenticateClientOkDPEsipa(Box<AuthenticateClientOkDPEsipa>),
    #[serde(rename = "authenticateClientOkDSEsipa")]
    AuthenticateClientOkDSEsipa(Box<AuthenticateClientOkDSEsipa>),
    #[serde(rename = "authenticateClientErrorEsipa")]
    AuthenticateClientErrorEsipa(AuthenticateClientErrorEsipa),
}

/// `AuthenticateClientOkDPEsipa` (SGP.32 6.3.2.2): the SM-DP+ answer.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthenticateClientOkDPEsipa {
    /// Tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId", skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<TransactionId>,
    /// Tag 'BF25'.
    #[rasn(tag(context, 37))]
    #[serde(rename = "profileMetaData", skip_serializing_if = "Option::is_none")]
    pub profile_meta_data: Option<StoreMetadataRequest>,
    /// Universal SEQUENCE ('30').
    #[serde(rename = "smdpSigned2")]
    pub smdp_signed2: SmdpSigned2,
    /// Tag '5F37'.
    #[rasn(tag(application, 55))]
    #[serde(rename = "smdpSignature2", serialize_with = "hex")]
    pub smdp_signature2: OctetString,
    /// CERT.DPpb.ECDSA.
    #[serde(rename = "smdpCertificate")]
    pub smdp_certificate: Certificate,
    /// Hash of the confirmation code; universal OCTET STRING ('04').
    #[serde(rename = "hashCc", skip_serializing_if = "Option::is_none")]
    pub hash_cc: Option<Octet32>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `AuthenticateClientOkDSEsipa` (SGP.32 6.3.2.2): the SM-DS answer.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthenticateClientOkDSEsipa {
    /// The TransactionID generated by the SM-DS, tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// Tag 'BF54'.
    #[rasn(tag(context, 84))]
    #[serde(
        rename = "profileDownloadTrigger",
        skip_serializing_if = "Option::is_none"
    )]
    pub profile_download_trigger: Option<ProfileDownloadTriggerRequest>,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `GetBoundProfilePackageRequestEsipa` (SGP.32 6.3.2.3 ESipa.GetBoundProfilePackage).
/// Tag 'BF3A'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(tag(context, 58))]
pub struct GetBoundProfilePackageRequestEsipa {
    /// Tag '80'.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// 'BF21' around the alternative; possibly compact.
    #[rasn(tag(context, 33))]
    #[serde(rename = "prepareDownloadResponse")]
    pub prepare_download_response: PrepareDownloadResponse,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `getBoundProfilePackageErrorEsipa` (SGP.32 6.3.2.3).
    pub GetBoundProfilePackageErrorEsipa {
        EUICC_SIGNATURE_INVALID = 1 => "euiccSignatureInvalid",
        CONFIRMATION_CODE_MISSING = 2 => "confirmationCodeMissing",
        CONFIRMATION_CODE_REFUSED = 3 => "confirmationCodeRefused",
        CONFIRMATION_CODE_RETRIES_EXCEEDED = 4 => "confirmationCodeRetriesExceeded",
        BPP_REBINDING_REFUSED = 5 => "bppRebindingRefused",
        DOWNLOAD_ORDER_EXPIRED = 6 => "downloadOrderExpired",
        METADATA_MISMATCH = 50 => "metadataMismatch",
        INVALID_TRANSACTION_ID = 95 => "invalidTransactionId",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `GetBoundProfilePackageResponseEsipa` (SGP.32 6.3.2.3). 'BF3A' around 'A0' / '81'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 58)))]
pub struct GetBoundProfilePackageResponseEsipa(pub GetBoundProfilePackageResponseEsipaChoice);

/// The alternatives of [`GetBoundProfilePackageResponseEsipa`] (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum GetBoundProfilePackageResponseEsipaChoice {
    #[serde(rename = "getBoundProfilePackageOkEsipa")]
    GetBoundProfilePackageOkEsipa(Box<GetBoundProfilePackageOkEsipa>),
    #[serde(rename = "getBoundProfilePackageErrorEsipa")]
    GetBoundProfilePackageErrorEsipa(GetBoundProfilePackageErrorEsipa),
}

/// `GetBoundProfilePackageOkEsipa` (SGP.32 6.3.2.3).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GetBoundProfilePackageOkEsipa {
    /// Tag '80'; removed with minimizeEsipaBytes.
    #[rasn(tag(context, 0))]
    #[serde(rename = "transactionId", skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<TransactionId>,
    /// Tag 'BF36'.
    #[rasn(tag(context, 54))]
    #[serde(rename = "boundProfilePackage")]
    pub bound_profile_package: BoundProfilePackage,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

/// `HandleNotificationEsipa` (SGP.32 6.3.2.4 ESipa.HandleNotification; no response).
/// 'BF3D' around 'A0' { PendingNotification } / 'BF50'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 61)))]
pub struct HandleNotificationEsipa(pub HandleNotificationEsipaChoice);

/// The alternatives of [`HandleNotificationEsipa`].
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
pub enum HandleNotificationEsipaChoice {
    /// Explicit `[0]` around the (untagged) PendingNotification CHOICE; possibly compact.
    #[rasn(tag(explicit(context, 0)))]
    #[serde(rename = "pendingNotification")]
    PendingNotification(Box<PendingNotification>),
    /// 'BF50'.
    #[rasn(tag(context, 80))]
    #[serde(rename = "provideEimPackageResult")]
    ProvideEimPackageResult(Box<ProvideEimPackageResult>),
}

/// `CancelSessionRequestEsipa` (SGP.32 6.3.2.5 ESipa.CancelSession). Tag 'BF41'.
///
/// Neither component has a written tag, so both are tagged automatically: `transactionId`
/// is '80' and `cancelSessionResponse` is `[1]` replacing the 'BF41' of its type: 'A1'
/// around the alternative of the CancelSessionResponse CHOICE.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(automatic_tags, tag(context, 65))]
pub struct CancelSessionRequestEsipa {
    #[serde(rename = "transactionId")]
    pub transaction_id: TransactionId,
    /// The ES10b.CancelSession response, possibly compact.
    #[serde(rename = "cancelSessionResponse")]
    pub cancel_session_response: CancelSessionResponse,
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

named_integer! {
    /// `cancelSessionError` of `CancelSessionResponseEsipa` (SGP.32 6.3.2.5).
    pub CancelSessionErrorEsipa {
        INVALID_TRANSACTION_ID = 1 => "invalidTransactionId",
        EUICC_SIGNATURE_INVALID = 2 => "euiccSignatureInvalid",
        UNDEFINED_ERROR = 127 => "undefinedError",
    }
}

/// `CancelSessionResponseEsipa` (SGP.32 6.3.2.5). 'BF41' around 'A0' / '81'.
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(delegate, tag(explicit(context, 65)))]
pub struct CancelSessionResponseEsipa(pub CancelSessionResponseEsipaChoice);

/// The alternatives of [`CancelSessionResponseEsipa`] (automatic tags).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice, automatic_tags)]
pub enum CancelSessionResponseEsipaChoice {
    #[serde(rename = "cancelSessionOk")]
    CancelSessionOk(CancelSessionOk),
    #[serde(rename = "cancelSessionError")]
    CancelSessionError(CancelSessionErrorEsipa),
}

/// `SGP32-CancelSessionOk` (SGP.32 6.3.2.5): an empty SEQUENCE.
#[derive(AsnType, Decode, Encode, Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CancelSessionOk {
    #[serde(
        rename = "unknownExtensions",
        skip_serializing_if = "Extensions::is_empty"
    )]
    pub extensions: Extensions,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::asn1::rsp::AuthenticateResponseError;
    use crate::asn1::sgp32::{
        AuthenticateServerResponseChoice, CancelSessionResponseChoice,
        CompactCancelSessionResponseOk, CompactEuiccCancelSessionSigned, CompactEuiccSigned2,
        CompactPrepareDownloadResponseOk, PrepareDownloadResponseChoice,
    };

    /// Reads a vector of `shared/spec/vectors/`.
    pub(crate) fn vector(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../shared/spec/vectors/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Hex without spaces.
    pub(crate) fn h(text: &str) -> Vec<u8> {
        hex::decode(text.replace(' ', "")).unwrap()
    }

    /// A TLV (hex) with the DER length of `value` (hex).
    pub(crate) fn tlv(tag: &str, value: &str) -> String {
        let len = value.replace(' ', "").len() / 2;
        let len = match len {
            0..=0x7f => format!("{len:02x}"),
            0x80..=0xff => format!("81{len:02x}"),
            _ => format!("82{len:04x}"),
        };
        format!("{tag}{len}{}", value.replace(' ', ""))
    }

    /// Decodes a DER value given in hex (for values of types of other modules).
    pub(crate) fn d<T: Decode>(text: &str) -> T {
        rasn::der::decode(&h(text)).unwrap()
    }

    /// DER-encodes, decodes, checks the value is unchanged and returns the encoding.
    pub(crate) fn round_trip<T: Encode + Decode + PartialEq + std::fmt::Debug>(
        value: &T,
    ) -> Vec<u8> {
        let bytes = rasn::der::encode(value).unwrap();
        let back: T = rasn::der::decode(&bytes).unwrap();
        assert_eq!(&back, value, "{}", hex::encode(&bytes));
        bytes
    }

    /// Checks that `value` round-trips and its encoding starts with `prefix` (hex).
    pub(crate) fn round_trip_starts<T: Encode + Decode + PartialEq + std::fmt::Debug>(
        value: &T,
        prefix: &str,
    ) -> Vec<u8> {
        let bytes = round_trip(value);
        assert!(
            hex::encode(&bytes).starts_with(prefix),
            "{} does not start with {prefix}",
            hex::encode(&bytes)
        );
        bytes
    }

    pub(crate) const TID: &str = "ca6042de2aed4658a76e35e6db0ffc84";
    pub(crate) const SIG: &str = "11111111111111111111111111111111111111111111111111111111111111112222222222222222222222222222222222222222222222222222222222222222";

    pub(crate) fn tid() -> TransactionId {
        d(&tlv("04", TID))
    }

    fn initiate_authentication_ok() -> InitiateAuthenticationOkEsipa {
        let message: InitiateAuthenticationResponseEsipa = rasn::der::decode(&vector(
            "esipa-to-es9/2_initiateAuthenticationResponseEsipa.der",
        ))
        .unwrap();
        match message.0 {
            InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationOkEsipa(ok) => *ok,
            other => panic!("{other:?}"),
        }
    }

    /// CERT.DPauth of the InitiateAuthentication vector.
    pub(crate) fn certificate() -> Certificate {
        initiate_authentication_ok().server_certificate
    }

    #[test]
    fn initiate_authentication_request_vector_decodes_and_reencodes() {
        let bytes = vector("esipa-to-es9/initiateAuthenticationRequestEsipa_req.der");
        let request: InitiateAuthenticationRequestEsipa = rasn::der::decode(&bytes).unwrap();
        assert_eq!(
            hex::encode(&request.euicc_challenge[..]),
            "00112233445566778899aabbccddeeff"
        );
        assert_eq!(request.smdp_address.as_deref(), Some("127.0.0.1:8009"));
        assert!(request.euicc_info1.is_some());
        assert!(request.eim_transaction_id.is_none());
        assert!(request.extensions.is_empty());
        assert_eq!(rasn::der::encode(&request).unwrap(), bytes);
        let euicc_info1 = rasn::der::encode(&request.euicc_info1).unwrap();
        assert!(hex::encode(&euicc_info1).starts_with("bf2061"));

        let message: EsipaMessageFromIpaToEim = rasn::der::decode(&bytes).unwrap();
        match &message {
            EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(inner) => {
                assert_eq!(**inner, request)
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(rasn::der::encode(&message).unwrap(), bytes);

        let json = serde_json::to_value(&message).unwrap();
        let inner = &json["initiateAuthenticationRequestEsipa"];
        assert_eq!(inner["euiccChallenge"], "00112233445566778899aabbccddeeff");
        assert_eq!(inner["smdpAddress"], "127.0.0.1:8009");
        assert!(inner.get("eimTransactionId").is_none());
    }

    #[test]
    fn initiate_authentication_response_vector_decodes_and_reencodes() {
        let bytes = vector("esipa-to-es9/2_initiateAuthenticationResponseEsipa.der");
        let response: InitiateAuthenticationResponseEsipa = rasn::der::decode(&bytes).unwrap();
        let ok = match &response.0 {
            InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationOkEsipa(ok) => ok,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            ok.transaction_id.as_ref().map(hex::encode),
            Some(TID.to_string())
        );
        assert_eq!(ok.server_signed1.server_address, "127.0.0.1:8009");
        assert_eq!(hex::encode(&ok.server_signed1.transaction_id), TID);
        assert_eq!(
            hex::encode(&ok.server_signed1.euicc_challenge[..]),
            "00112233445566778899aabbccddeeff"
        );
        // The relaying eIM of this capture put whole TLVs into the two OCTET STRINGs:
        // serverSignature1 holds '5F37 40 ...' and euiccCiPKIdentifierToBeUsed '04 14 ...'
        // (the ES9+ JSON values, which are TLVs, copied as they are).
        assert_eq!(ok.server_signature1.len(), 67);
        assert!(hex::encode(&ok.server_signature1).starts_with("5f3740"));
        assert_eq!(
            hex::encode(&ok.euicc_ci_pk_identifier_to_be_used),
            "0414f54172bdf98a95d65cbeb88a38a1c11d800a85c3"
        );
        assert!(ok.matching_id.is_none() && ok.ctx_params1.is_none());
        let cert = ok.server_certificate.to_x509().unwrap();
        let subject = cert.tbs_certificate().subject().to_string();
        assert!(subject.contains("CN=TEST SM-DP"), "{subject}");
        assert!(subject.contains("O=ACME"), "{subject}");
        assert_eq!(rasn::der::encode(&response).unwrap(), bytes);

        let message: EsipaMessageFromEimToIpa = rasn::der::decode(&bytes).unwrap();
        match &message {
            EsipaMessageFromEimToIpa::InitiateAuthenticationResponseEsipa(inner) => {
                assert_eq!(**inner, response)
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(rasn::der::encode(&message).unwrap(), bytes);
        let json = serde_json::to_value(&message).unwrap();
        let ok = &json["initiateAuthenticationResponseEsipa"]["initiateAuthenticationOkEsipa"];
        assert_eq!(ok["transactionId"], TID);
        assert_eq!(ok["serverSigned1"]["serverAddress"], "127.0.0.1:8009");
    }

    #[test]
    fn initiate_authentication_response_is_tagged_once() {
        // A doubled outer tag (BF39 BF39 A0 ...) is not a valid encoding.
        let bytes = vector("esipa-to-es9/2_initiateAuthenticationResponseEsipa.der");
        let doubled = [h(&format!("bf3982{:04x}", bytes.len())), bytes].concat();
        assert!(rasn::der::decode::<InitiateAuthenticationResponseEsipa>(&doubled).is_err());
        assert!(rasn::der::decode::<EsipaMessageFromEimToIpa>(&doubled).is_err());
    }

    #[test]
    fn get_eim_package_request_vector_is_an_ipa_to_eim_message() {
        let bytes = vector("esipa-live/getEimPackageRequest_req.der");
        let message: EsipaMessageFromIpaToEim = rasn::der::decode(&bytes).unwrap();
        match &message {
            EsipaMessageFromIpaToEim::GetEimPackageRequest(request) => assert_eq!(
                hex::encode(&request.eid_value[..]),
                "89049032123451234512345678901235"
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(rasn::der::encode(&message).unwrap(), bytes);
        // Not an eIM-to-IPA message.
        assert!(rasn::der::decode::<EsipaMessageFromEimToIpa>(&bytes).is_err());
    }

    #[test]
    fn get_eim_package_response_vector_is_an_eim_to_ipa_message() {
        let bytes = vector("esipa-to-es9/1_getEimPackage_resp.der");
        let message: EsipaMessageFromEimToIpa = rasn::der::decode(&bytes).unwrap();
        assert!(matches!(
            message,
            EsipaMessageFromEimToIpa::GetEimPackageResponse(_)
        ));
        assert_eq!(rasn::der::encode(&message).unwrap(), bytes);
    }

    /// ProvideEimPackageResult encodings: an eimPackageResultResponseError with the EID, a
    /// profileDownloadTriggerResult (profileDownloadError ecallActive) without.
    fn provide_eim_package_results() -> Vec<Vec<u8>> {
        let eid = "89049032123451234512345678901235";
        vec![
            h(&tlv(
                "bf50",
                &(tlv("5a", eid) + &tlv("a0", &(tlv("80", TID) + "020101"))),
            )),
            h(&tlv("bf50", &tlv("bf54", &tlv("30", "800168")))),
        ]
    }

    fn authenticate_server_response() -> AuthenticateServerResponse {
        AuthenticateServerResponse(AuthenticateServerResponseChoice::AuthenticateResponseError(
            d::<AuthenticateResponseError>(&tlv("30", &(tlv("80", TID) + "020103"))),
        ))
    }

    fn prepare_download_response() -> PrepareDownloadResponse {
        PrepareDownloadResponse(PrepareDownloadResponseChoice::CompactDownloadResponseOk(
            CompactPrepareDownloadResponseOk {
                compact_euicc_signed2: CompactEuiccSigned2 {
                    euicc_otpk: Some(OctetString::from(h(&format!("04{SIG}")))),
                    hash_cc: None,
                    extensions: Extensions::default(),
                },
                euicc_signature2: OctetString::from(h(SIG)),
                extensions: Extensions::default(),
            },
        ))
    }

    #[test]
    fn every_ipa_to_eim_alternative_round_trips() {
        let request: InitiateAuthenticationRequestEsipa = rasn::der::decode(&vector(
            "esipa-to-es9/initiateAuthenticationRequestEsipa_req.der",
        ))
        .unwrap();
        let minimal = InitiateAuthenticationRequestEsipa {
            euicc_challenge: Octet16::new([7u8; 16]),
            smdp_address: None,
            euicc_info1: None,
            eim_transaction_id: Some(tid()),
            extensions: Extensions::default(),
        };
        let bytes = round_trip(
            &EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(Box::new(minimal)),
        );
        assert_eq!(
            hex::encode(bytes),
            format!(
                "bf3924811007070707070707070707070707070707{}",
                tlv("82", TID)
            )
        );
        round_trip_starts(
            &EsipaMessageFromIpaToEim::InitiateAuthenticationRequestEsipa(Box::new(request)),
            "bf398186",
        );

        let bytes = round_trip(&EsipaMessageFromIpaToEim::AuthenticateClientRequestEsipa(
            Box::new(AuthenticateClientRequestEsipa {
                transaction_id: tid(),
                authenticate_server_response: authenticate_server_response(),
                extensions: Extensions::default(),
            }),
        ));
        let ase = tlv("a1", &(tlv("80", TID) + "020103"));
        assert_eq!(
            hex::encode(bytes),
            tlv("bf3b", &(tlv("80", TID) + &tlv("bf38", &ase)))
        );

        let bytes = round_trip(
            &EsipaMessageFromIpaToEim::GetBoundProfilePackageRequestEsipa(Box::new(
                GetBoundProfilePackageRequestEsipa {
                    transaction_id: tid(),
                    prepare_download_response: prepare_download_response(),
                    extensions: Extensions::default(),
                },
            )),
        );
        let compact = tlv(
            "a2",
            &(tlv("30", &tlv("5f49", &format!("04{SIG}"))) + &tlv("5f37", SIG)),
        );
        assert_eq!(
            hex::encode(bytes),
            tlv("bf3a", &(tlv("80", TID) + &tlv("bf21", &compact)))
        );

        // cancelSessionResponse is automatically tagged [1] (implicitly replacing 'BF41').
        let bytes = round_trip(&EsipaMessageFromIpaToEim::CancelSessionRequestEsipa(
            Box::new(CancelSessionRequestEsipa {
                transaction_id: tid(),
                cancel_session_response: CancelSessionResponse(
                    CancelSessionResponseChoice::CompactCancelSessionResponseOk(
                        CompactCancelSessionResponseOk {
                            compact_euicc_cancel_session_signed: CompactEuiccCancelSessionSigned {
                                reason: Some(d("020101")),
                                extensions: Extensions::default(),
                            },
                            euicc_cancel_session_signature: OctetString::from(h(SIG)),
                            extensions: Extensions::default(),
                        },
                    ),
                ),
                extensions: Extensions::default(),
            }),
        ));
        let compact = tlv("a2", &(tlv("30", "800101") + &tlv("5f37", SIG)));
        assert_eq!(
            hex::encode(bytes),
            tlv("bf41", &(tlv("80", TID) + &tlv("a1", &compact)))
        );

        for notification in crate::asn1::sgp32::es10::tests::pending_notifications() {
            let first = hex::encode(rasn::der::encode(&notification).unwrap());
            let bytes = round_trip(&EsipaMessageFromIpaToEim::HandleNotificationEsipa(
                Box::new(HandleNotificationEsipa(
                    HandleNotificationEsipaChoice::PendingNotification(Box::new(notification)),
                )),
            ));
            assert_eq!(hex::encode(bytes), tlv("bf3d", &tlv("a0", &first)));
        }

        for bytes in provide_eim_package_results() {
            let result: ProvideEimPackageResult = rasn::der::decode(&bytes).unwrap();
            let encoded = round_trip(&EsipaMessageFromIpaToEim::ProvideEimPackageResult(
                Box::new(result.clone()),
            ));
            assert_eq!(encoded, bytes);
            let encoded = round_trip(&EsipaMessageFromIpaToEim::HandleNotificationEsipa(
                Box::new(HandleNotificationEsipa(
                    HandleNotificationEsipaChoice::ProvideEimPackageResult(Box::new(result)),
                )),
            ));
            assert_eq!(hex::encode(encoded), tlv("bf3d", &hex::encode(&bytes)));
        }

        let bytes = h("bf4e020500");
        let message: EsipaMessageFromIpaToEim = rasn::der::decode(&bytes).unwrap();
        assert!(matches!(
            message,
            EsipaMessageFromIpaToEim::TransferEimPackageResponse(_)
        ));
        assert_eq!(round_trip(&message), bytes);

        let bytes = vector("esipa-live/getEimPackageRequest_req.der");
        let message: EsipaMessageFromIpaToEim = rasn::der::decode(&bytes).unwrap();
        assert_eq!(round_trip(&message), bytes);
    }

    #[test]
    fn every_eim_to_ipa_alternative_round_trips() {
        let ok = initiate_authentication_ok();
        let bytes = round_trip(
            &EsipaMessageFromEimToIpa::InitiateAuthenticationResponseEsipa(Box::new(
                InitiateAuthenticationResponseEsipa(
                    InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationOkEsipa(
                        Box::new(InitiateAuthenticationOkEsipa {
                            matching_id: Some("AC-1".into()),
                            ctx_params1: Some(d(&tlv("a0", &tlv("a1", "8004 35290611 a100")))),
                            ..ok
                        }),
                    ),
                ),
            )),
        );
        // ... matchingId '0C', ctxParams1 'A2 { A0 { ... } }' at the end.
        assert!(
            hex::encode(&bytes).ends_with(&format!(
                "0c0441432d31{}",
                tlv("a2", &tlv("a0", &tlv("a1", "800435290611a100")))
            )),
            "{}",
            hex::encode(&bytes)
        );
        let bytes = round_trip(
            &EsipaMessageFromEimToIpa::InitiateAuthenticationResponseEsipa(Box::new(
                InitiateAuthenticationResponseEsipa(
                    InitiateAuthenticationResponseEsipaChoice::InitiateAuthenticationErrorEsipa(
                        InitiateAuthenticationErrorEsipa::SMDP_ADDRESS_MISMATCH,
                    ),
                ),
            )),
        );
        assert_eq!(hex::encode(bytes), "bf3903810132");

        let smdp_signed2 = tlv("30", &(tlv("80", TID) + "010100"));
        let dp_ok = AuthenticateClientOkDPEsipa {
            transaction_id: Some(tid()),
            profile_meta_data: Some(crate::asn1::sgp32::es10::tests::store_metadata_request()),
            smdp_signed2: d(&smdp_signed2),
            smdp_signature2: OctetString::from(h(SIG)),
            smdp_certificate: certificate(),
            hash_cc: Some(Octet32::new([0x55; 32])),
            extensions: Extensions::default(),
        };
        let bytes = round_trip_starts(
            &EsipaMessageFromEimToIpa::AuthenticateClientResponseEsipa(Box::new(
                AuthenticateClientResponseEsipa(
                    AuthenticateClientResponseEsipaChoice::AuthenticateClientOkDPEsipa(Box::new(
                        dp_ok,
                    )),
                ),
            )),
            "bf3b82",
        );
        let text = hex::encode(&bytes);
        assert!(text[10..].starts_with("a082"), "{text}");
        assert!(text.contains(&format!("{}bf25", tlv("80", TID))), "{text}");
        assert!(text.ends_with(&tlv("04", &"55".repeat(32))), "{text}");

        let ds_ok = AuthenticateClientOkDSEsipa {
            transaction_id: tid(),
            profile_download_trigger: None,
            extensions: Extensions::default(),
        };
        let bytes = round_trip(&EsipaMessageFromEimToIpa::AuthenticateClientResponseEsipa(
            Box::new(AuthenticateClientResponseEsipa(
                AuthenticateClientResponseEsipaChoice::AuthenticateClientOkDSEsipa(Box::new(ds_ok)),
            )),
        ));
        assert_eq!(hex::encode(bytes), tlv("bf3b", &tlv("a1", &tlv("80", TID))));
        let bytes = round_trip(&EsipaMessageFromEimToIpa::AuthenticateClientResponseEsipa(
            Box::new(AuthenticateClientResponseEsipa(
                AuthenticateClientResponseEsipaChoice::AuthenticateClientErrorEsipa(
                    AuthenticateClientErrorEsipa::EVENT_ID_UNKNOWN,
                ),
            )),
        ));
        assert_eq!(hex::encode(bytes), "bf3b03820138");

        let bpp_bytes = vector("bpp/bpp.ber");
        let bytes = round_trip(
            &EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(Box::new(
                GetBoundProfilePackageResponseEsipa(
                    GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageOkEsipa(
                        Box::new(GetBoundProfilePackageOkEsipa {
                            transaction_id: None,
                            bound_profile_package: rasn::der::decode(&bpp_bytes).unwrap(),
                            extensions: Extensions::default(),
                        }),
                    ),
                ),
            )),
        );
        assert_eq!(
            hex::encode(bytes),
            tlv("bf3a", &tlv("a0", &hex::encode(&bpp_bytes)))
        );
        let bytes = round_trip(
            &EsipaMessageFromEimToIpa::GetBoundProfilePackageResponseEsipa(Box::new(
                GetBoundProfilePackageResponseEsipa(
                    GetBoundProfilePackageResponseEsipaChoice::GetBoundProfilePackageErrorEsipa(
                        GetBoundProfilePackageErrorEsipa::INVALID_TRANSACTION_ID,
                    ),
                ),
            )),
        );
        assert_eq!(hex::encode(bytes), "bf3a0381015f");

        let bytes = round_trip(&EsipaMessageFromEimToIpa::CancelSessionResponseEsipa(
            Box::new(CancelSessionResponseEsipa(
                CancelSessionResponseEsipaChoice::CancelSessionOk(CancelSessionOk::default()),
            )),
        ));
        assert_eq!(hex::encode(bytes), "bf4102a000");
        let bytes = round_trip(&EsipaMessageFromEimToIpa::CancelSessionResponseEsipa(
            Box::new(CancelSessionResponseEsipa(
                CancelSessionResponseEsipaChoice::CancelSessionError(
                    CancelSessionErrorEsipa::EUICC_SIGNATURE_INVALID,
                ),
            )),
        ));
        assert_eq!(hex::encode(bytes), "bf4103810102");

        for name in [
            "esipa-live/getEimPackageRequest_resp.der",
            "esipa-live/getEimPackage_download_resp.der",
            "esipa-live/getEimPackage_edr_resp.der",
            "esipa-live/getEimPackage_psmo_enable_resp.der",
        ] {
            let bytes = vector(name);
            let message: EsipaMessageFromEimToIpa = rasn::der::decode(&bytes).unwrap();
            assert!(
                matches!(message, EsipaMessageFromEimToIpa::GetEimPackageResponse(_)),
                "{name}"
            );
            assert_eq!(round_trip(&message), bytes, "{name}");
        }

        // TransferEimPackageRequest: eimAcknowledgements 'BF53' { 80 01 05 }.
        let bytes = h("bf4e06bf5303800105");
        let message: EsipaMessageFromEimToIpa = rasn::der::decode(&bytes).unwrap();
        assert!(matches!(
            message,
            EsipaMessageFromEimToIpa::TransferEimPackageRequest(_)
        ));
        assert_eq!(round_trip(&message), bytes);

        // ProvideEimPackageResultResponse: emptyResponse, a universal SEQUENCE (the CHOICE has
        // written tags, so no automatic ones).
        let bytes = h("bf50023000");
        let message: EsipaMessageFromEimToIpa = rasn::der::decode(&bytes).unwrap();
        assert!(matches!(
            message,
            EsipaMessageFromEimToIpa::ProvideEimPackageResultResponse(_)
        ));
        assert_eq!(round_trip(&message), bytes);
    }

    #[test]
    fn unknown_and_truncated_messages_are_rejected() {
        // 'BF3C' is no ESipa message.
        assert!(rasn::der::decode::<EsipaMessageFromIpaToEim>(&h("bf3c00")).is_err());
        assert!(rasn::der::decode::<EsipaMessageFromEimToIpa>(&h("bf3c00")).is_err());
        let bytes = vector("esipa-to-es9/initiateAuthenticationRequestEsipa_req.der");
        assert!(rasn::der::decode::<EsipaMessageFromIpaToEim>(&bytes[..bytes.len() - 1]).is_err());
        // euiccChallenge of 15 bytes.
        assert!(
            rasn::der::decode::<InitiateAuthenticationRequestEsipa>(&h(&tlv(
                "bf39",
                &tlv("81", &"00".repeat(15))
            )))
            .is_err()
        );
        // An unknown error code is kept as its number.
        let response: CancelSessionResponseEsipa = rasn::der::decode(&h("bf4103810109")).unwrap();
        assert_eq!(
            serde_json::to_string(&response).unwrap(),
            r#"{"cancelSessionError":9}"#
        );
    }

    #[test]
    fn every_truncation_of_the_vectors_is_an_error_not_a_panic() {
        for name in [
            "esipa-to-es9/initiateAuthenticationRequestEsipa_req.der",
            "esipa-live/getEimPackageRequest_req.der",
        ] {
            let bytes = vector(name);
            for end in 0..bytes.len() {
                assert!(
                    rasn::der::decode::<EsipaMessageFromIpaToEim>(&bytes[..end]).is_err(),
                    "{name} cut at {end}"
                );
            }
        }
        let bytes = vector("esipa-to-es9/2_initiateAuthenticationResponseEsipa.der");
        for end in 0..bytes.len() {
            assert!(rasn::der::decode::<EsipaMessageFromEimToIpa>(&bytes[..end]).is_err());
        }
        // Flipping any single bit of the request yields an error or another valid message,
        // never a panic.
        let bytes = vector("esipa-to-es9/initiateAuthenticationRequestEsipa_req.der");
        for i in 0..bytes.len() * 8 {
            let mut changed = bytes.clone();
            changed[i / 8] ^= 0x80 >> (i % 8);
            let _ = rasn::der::decode::<EsipaMessageFromIpaToEim>(&changed);
        }
    }
}
