//! The message types `sgp32 decode` knows, by ASN.1 name, and the order it guesses in.

use super::es10::{Es10Request, Es10Response};
use super::message::{MessageError, MessageType};
use super::{pkix, rsp, sgp32};
use crate::message_type;

/// The types tried, in this order, when no `--type` is given: the ESipa message from the IPA,
/// the ESipa message from the eIM, the ES10 request, the ES10 response. Requests and responses
/// share tags (BF4F, BF39, BF51, ...), so the first that decodes the whole input wins.
pub fn guess_order() -> Vec<MessageType> {
    vec![
        message_type!("EsipaMessageFromIpaToEim", sgp32::EsipaMessageFromIpaToEim),
        message_type!("EsipaMessageFromEimToIpa", sgp32::EsipaMessageFromEimToIpa),
        message_type!("Es10Request", Es10Request),
        message_type!("Es10Response", Es10Response),
    ]
}

/// Every type that can be named with `--type`: the four envelopes, then single messages.
pub fn all_types() -> Vec<MessageType> {
    let mut types = guess_order();
    types.extend([
        // ESipa (SGP.32 6.3.2)
        message_type!(
            "InitiateAuthenticationRequestEsipa",
            sgp32::InitiateAuthenticationRequestEsipa
        ),
        message_type!(
            "InitiateAuthenticationResponseEsipa",
            sgp32::InitiateAuthenticationResponseEsipa
        ),
        message_type!(
            "AuthenticateClientRequestEsipa",
            sgp32::AuthenticateClientRequestEsipa
        ),
        message_type!(
            "AuthenticateClientResponseEsipa",
            sgp32::AuthenticateClientResponseEsipa
        ),
        message_type!(
            "GetBoundProfilePackageRequestEsipa",
            sgp32::GetBoundProfilePackageRequestEsipa
        ),
        message_type!(
            "GetBoundProfilePackageResponseEsipa",
            sgp32::GetBoundProfilePackageResponseEsipa
        ),
        message_type!("HandleNotificationEsipa", sgp32::HandleNotificationEsipa),
        message_type!(
            "CancelSessionRequestEsipa",
            sgp32::CancelSessionRequestEsipa
        ),
        message_type!(
            "CancelSessionResponseEsipa",
            sgp32::CancelSessionResponseEsipa
        ),
        message_type!("GetEimPackageRequest", sgp32::GetEimPackageRequest),
        message_type!("GetEimPackageResponse", sgp32::GetEimPackageResponse),
        message_type!("ProvideEimPackageResult", sgp32::ProvideEimPackageResult),
        message_type!(
            "ProvideEimPackageResultResponse",
            sgp32::ProvideEimPackageResultResponse
        ),
        message_type!(
            "TransferEimPackageRequest",
            sgp32::TransferEimPackageRequest
        ),
        message_type!(
            "TransferEimPackageResponse",
            sgp32::TransferEimPackageResponse
        ),
        // eIM packages and their results (SGP.32 2.11)
        message_type!("EuiccPackageRequest", sgp32::EuiccPackageRequest),
        message_type!("EuiccPackageSigned", sgp32::EuiccPackageSigned),
        message_type!("EuiccPackageResult", sgp32::EuiccPackageResult),
        message_type!("IpaEuiccDataRequest", sgp32::IpaEuiccDataRequest),
        message_type!("IpaEuiccDataResponse", sgp32::IpaEuiccDataResponse),
        message_type!(
            "ProfileDownloadTriggerRequest",
            sgp32::ProfileDownloadTriggerRequest
        ),
        message_type!(
            "ProfileDownloadTriggerResult",
            sgp32::ProfileDownloadTriggerResult
        ),
        message_type!("EimAcknowledgements", sgp32::EimAcknowledgements),
        message_type!("EimConfigurationData", sgp32::EimConfigurationData),
        message_type!("IpaCapabilities", sgp32::IpaCapabilities),
        // ES10 (SGP.32 5.9, SGP.22 5.7)
        message_type!("AddInitialEimRequest", sgp32::AddInitialEimRequest),
        message_type!("EUICCInfo2", sgp32::EuiccInfo2),
        message_type!("ProfileInfo", sgp32::ProfileInfo),
        message_type!("BoundProfilePackage", rsp::BoundProfilePackage),
        message_type!("EUICCInfo1", rsp::EuiccInfo1),
        message_type!("PendingNotification", sgp32::PendingNotification),
        // ES9+ ASN.1 binding (SGP.22 6.6)
        message_type!(
            "RemoteProfileProvisioningRequest",
            rsp::RemoteProfileProvisioningRequest
        ),
        message_type!(
            "RemoteProfileProvisioningResponse",
            rsp::RemoteProfileProvisioningResponse
        ),
        // X.509
        message_type!("Certificate", pkix::Certificate),
    ]);
    types
}

/// Finds a type by its ASN.1 name (case-insensitive; the `SGP32-` prefix may be given).
pub fn find(name: &str) -> Result<MessageType, MessageError> {
    let wanted = name.strip_prefix("SGP32-").unwrap_or(name);
    all_types()
        .into_iter()
        .find(|t| t.name.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| MessageError::UnknownType(name.to_string()))
}
