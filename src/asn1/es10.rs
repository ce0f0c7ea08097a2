//! ES10a/b/c commands as the ISD-R sees them: one BER-TLV request in, one BER-TLV response out.
//!
//! The modules define no envelope for ES10 (each function is its own tagged type), and requests
//! and responses share tags (`BF51` is EuiccPackageRequest in, EuiccPackageResult out), so these
//! two CHOICEs are the harness's own: [`Es10Request`] and [`Es10Response`], one alternative per
//! function, named after the function (SGP.22 5.6/5.7, SGP.32 5.9). The simulated eUICC
//! dispatches on them and `sgp32 decode` guesses with them. The SGP.32 form of a type is used
//! where SGP.32 overrides the SGP.22 one (EUICCInfo2, ProfileInfo, RetrieveNotificationsList,
//! EuiccMemoryReset BF64, SetDefaultDpAddress BF65, ...).

use rasn::prelude::*;
use serde::Serialize;

use super::{rsp, sgp32};

/// An ES10 request (IPA -> eUICC).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::large_enum_variant)] // mirrors the wire; boxing would only move the size
pub enum Es10Request {
    /// ES10b.GetEUICCInfo1, BF20.
    GetEuiccInfo1(rsp::GetEuiccInfo1Request),
    /// ES10b.PrepareDownload, BF21.
    PrepareDownload(rsp::PrepareDownloadRequest),
    /// ES10b.GetEUICCInfo2, BF22.
    GetEuiccInfo2(rsp::GetEuiccInfo2Request),
    /// ES10b.ListNotification, BF28.
    ListNotification(rsp::ListNotificationRequest),
    /// ES10c.SetNickname, BF29.
    SetNickname(rsp::SetNicknameRequest),
    /// ES10b.RetrieveNotificationsList (SGP.32 form), BF2B.
    RetrieveNotificationsList(sgp32::RetrieveNotificationsListRequest),
    /// ES10c.GetProfilesInfo, BF2D.
    GetProfilesInfo(rsp::ProfileInfoListRequest),
    /// ES10b.GetEUICCChallenge, BF2E.
    GetEuiccChallenge(rsp::GetEuiccChallengeRequest),
    /// ES10b.RemoveNotificationFromList (NotificationSent), BF30.
    RemoveNotificationFromList(rsp::NotificationSentRequest),
    /// ES10c.EnableProfile, BF31.
    EnableProfile(rsp::EnableProfileRequest),
    /// ES10c.DisableProfile, BF32.
    DisableProfile(rsp::DisableProfileRequest),
    /// ES10c.DeleteProfile, BF33.
    DeleteProfile(rsp::DeleteProfileRequest),
    /// ES10b.LoadCRL, BF35.
    LoadCrl(rsp::LoadCRLRequest),
    /// ES10b.LoadBoundProfilePackage (the whole BPP), BF36.
    LoadBoundProfilePackage(rsp::BoundProfilePackage),
    /// ES10b.AuthenticateServer, BF38.
    AuthenticateServer(rsp::AuthenticateServerRequest),
    /// ES10a.GetEuiccConfiguredAddresses, BF3C.
    GetEuiccConfiguredAddresses(rsp::EuiccConfiguredAddressesRequest),
    /// ES10c.GetEID (GetEuiccData), BF3E.
    GetEid(rsp::GetEuiccDataRequest),
    /// ES10b.CancelSession, BF41.
    CancelSession(rsp::CancelSessionRequest),
    /// IpaeActivation, BF42.
    IpaeActivation(sgp32::IpaeActivationRequest),
    /// ES10b.GetRAT, BF43.
    GetRat(rsp::GetRatRequest),
    /// ES10b.LoadEuiccPackage, BF51.
    LoadEuiccPackage(sgp32::EuiccPackageRequest),
    /// ES10b.GetEimConfigurationData, BF55.
    GetEimConfigurationData(sgp32::GetEimConfigurationDataRequest),
    /// ES10b.GetCerts, BF56.
    GetCerts(sgp32::GetCertsRequest),
    /// ES10b.AddInitialEim, BF57.
    AddInitialEim(sgp32::AddInitialEimRequest),
    /// ES10b.ProfileRollback, BF58.
    ProfileRollback(sgp32::ProfileRollbackRequest),
    /// ES10b.ConfigureImmediateProfileEnabling, BF59.
    ConfigureImmediateProfileEnabling(sgp32::ConfigureImmediateProfileEnablingRequest),
    /// ES10b.ImmediateEnable, BF5A.
    ImmediateEnable(sgp32::ImmediateEnableRequest),
    /// ES10b.EnableEmergencyProfile, BF5B.
    EnableEmergencyProfile(sgp32::EnableEmergencyProfileRequest),
    /// ES10b.DisableEmergencyProfile, BF5C.
    DisableEmergencyProfile(sgp32::DisableEmergencyProfileRequest),
    /// ES10b.ExecuteFallbackMechanism, BF5D.
    ExecuteFallbackMechanism(sgp32::ExecuteFallbackMechanismRequest),
    /// ES10b.ReturnFromFallback, BF5E.
    ReturnFromFallback(sgp32::ReturnFromFallbackRequest),
    /// ES10b.GetConnectivityParameters, BF5F.
    GetConnectivityParameters(sgp32::GetConnectivityParametersRequest),
    /// ES10b.EuiccMemoryReset (SGP.32 tag), BF64.
    EuiccMemoryReset(sgp32::EuiccMemoryResetRequest),
    /// ES10b.SetDefaultDpAddress (SGP.32 tag), BF65.
    SetDefaultDpAddress(sgp32::SetDefaultDpAddressRequest),
}

/// An ES10 response (eUICC -> IPA).
#[derive(AsnType, Decode, Encode, Debug, Clone, PartialEq, Eq, Serialize)]
#[rasn(choice)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::large_enum_variant)] // mirrors the wire; boxing would only move the size
pub enum Es10Response {
    /// ES10b.GetEUICCInfo1, BF20.
    GetEuiccInfo1(rsp::EuiccInfo1),
    /// ES10b.PrepareDownload (SGP.32 form), BF21.
    PrepareDownload(sgp32::PrepareDownloadResponse),
    /// ES10b.GetEUICCInfo2 (SGP.32 form), BF22.
    GetEuiccInfo2(sgp32::EuiccInfo2),
    /// ES10b.ListNotification, BF28.
    ListNotification(rsp::ListNotificationResponse),
    /// ES10c.SetNickname, BF29.
    SetNickname(rsp::SetNicknameResponse),
    /// ES10b.RetrieveNotificationsList (SGP.32 form), BF2B.
    RetrieveNotificationsList(sgp32::RetrieveNotificationsListResponse),
    /// ES10c.GetProfilesInfo (SGP.32 ProfileInfo), BF2D.
    GetProfilesInfo(sgp32::ProfileInfoListResponse),
    /// ES10b.GetEUICCChallenge, BF2E.
    GetEuiccChallenge(rsp::GetEuiccChallengeResponse),
    /// ES10b.RemoveNotificationFromList, BF30.
    RemoveNotificationFromList(rsp::NotificationSentResponse),
    /// ES10c.EnableProfile, BF31.
    EnableProfile(rsp::EnableProfileResponse),
    /// ES10c.DisableProfile, BF32.
    DisableProfile(rsp::DisableProfileResponse),
    /// ES10c.DeleteProfile, BF33.
    DeleteProfile(rsp::DeleteProfileResponse),
    /// ES10b.LoadCRL, BF35.
    LoadCrl(rsp::LoadCRLResponse),
    /// ES10b.LoadBoundProfilePackage: ProfileInstallationResult (SGP.32 form), BF37.
    LoadBoundProfilePackage(sgp32::ProfileInstallationResult),
    /// ES10b.AuthenticateServer (SGP.32 form), BF38.
    AuthenticateServer(sgp32::AuthenticateServerResponse),
    /// ES10a.GetEuiccConfiguredAddresses, BF3C.
    GetEuiccConfiguredAddresses(rsp::EuiccConfiguredAddressesResponse),
    /// ES10c.GetEID, BF3E.
    GetEid(rsp::GetEuiccDataResponse),
    /// ES10b.CancelSession (SGP.32 form), BF41.
    CancelSession(sgp32::CancelSessionResponse),
    /// IpaeActivation, BF42.
    IpaeActivation(sgp32::IpaeActivationResponse),
    /// ES10b.GetRAT, BF43.
    GetRat(rsp::GetRatResponse),
    /// ES10b.LoadEuiccPackage, BF51.
    LoadEuiccPackage(sgp32::EuiccPackageResult),
    /// ES10b.GetEimConfigurationData, BF55.
    GetEimConfigurationData(sgp32::GetEimConfigurationDataResponse),
    /// ES10b.GetCerts, BF56.
    GetCerts(sgp32::GetCertsResponse),
    /// ES10b.AddInitialEim, BF57.
    AddInitialEim(sgp32::AddInitialEimResponse),
    /// ES10b.ProfileRollback, BF58.
    ProfileRollback(sgp32::ProfileRollbackResponse),
    /// ES10b.ConfigureImmediateProfileEnabling, BF59.
    ConfigureImmediateProfileEnabling(sgp32::ConfigureImmediateProfileEnablingResponse),
    /// ES10b.ImmediateEnable, BF5A.
    ImmediateEnable(sgp32::ImmediateEnableResponse),
    /// ES10b.EnableEmergencyProfile, BF5B.
    EnableEmergencyProfile(sgp32::EnableEmergencyProfileResponse),
    /// ES10b.DisableEmergencyProfile, BF5C.
    DisableEmergencyProfile(sgp32::DisableEmergencyProfileResponse),
    /// ES10b.ExecuteFallbackMechanism, BF5D.
    ExecuteFallbackMechanism(sgp32::ExecuteFallbackMechanismResponse),
    /// ES10b.ReturnFromFallback, BF5E.
    ReturnFromFallback(sgp32::ReturnFromFallbackResponse),
    /// ES10b.GetConnectivityParameters, BF5F.
    GetConnectivityParameters(sgp32::GetConnectivityParametersResponse),
    /// ES10b.EuiccMemoryReset (SGP.32 tag), BF64.
    EuiccMemoryReset(sgp32::EuiccMemoryResetResponse),
    /// ES10b.SetDefaultDpAddress (SGP.32 tag), BF65.
    SetDefaultDpAddress(sgp32::SetDefaultDpAddressResponse),
}
