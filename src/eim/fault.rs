//! Fault switches of the reference eIM: each one a way a real eIM could be wrong, so that every
//! conformance check has something to fail against (`sgp32 serve eim --fault NAME`).

use std::fmt;
use std::str::FromStr;

/// One fault switch. See [`EimFault::ALL`] and [`EimFault::description`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EimFault {
    /// A new eUICC Package reuses the last counterValue instead of stored + 1.
    CounterReused,
    /// A new eUICC Package skips a counterValue (stored + 2).
    CounterSkip,
    /// eimSignature is corrupted (one bit flipped).
    BadPackageSignature,
    /// eimSignature over DER(EuiccPackageSigned) || `84 01 00` even when a token exists.
    SignatureWithoutAssociationToken,
    /// eimSignature as a DER ECDSA-Sig-Value instead of raw r||s.
    DerSignature,
    /// EuiccPackageSigned names another EID than the polling device.
    PackageForOtherEid,
    /// The GetEimPackageResponse tag is written twice: `BF4F len BF4F len ...`.
    ChoiceTagTwice,
    /// An EuiccPackageResult whose eUICC signature does not verify is accepted.
    AcceptBadResultSignature,
    /// A result whose counterValue differs from the one sent is accepted.
    AcceptCounterMismatch,
    /// The eUICC certificate chain (CI, EUM range) is not checked.
    AcceptUnknownCi,
    /// An unknown EID gets noEimPackageAvailable instead of eidNotFound.
    EidNotFoundAsNoPackage,
    /// Answers carry a wrong Content-Type (a flag for the HTTP binding).
    WrongContentType,
    /// An order is reported done whatever result codes the eUICC returned.
    ResultCodesIgnored,
    /// A failed order's report carries neither the eUICC's outcomes nor its result codes.
    ResultCodesDropped,
    /// Result data (profile list, RAT, eIM list, association token) is dropped from the
    /// order's outcomes; only the result names remain.
    ResultDataDropped,
    /// The eUICC Package carries another PSMO / eCO alternative than the one ordered.
    WrongOperation,
    /// An enable PSMO ordered with rollback allowed is sent without rollbackFlag.
    RollbackFlagDropped,
    /// invalidEid and missingEid (GetEimPackage, ProvideEimPackageResult) are answered
    /// undefinedError(127).
    EidErrorsUndefined,
    /// ProvideEimPackageResult errors (eidNotFound, invalidEid, missingEid, a result for no
    /// package) are answered with emptyResponse, as if the result was taken.
    ResultErrorsAcknowledged,
    /// A repeated GetEimPackage before the result gets a newly built package (new counter).
    NewPackageOnRepoll,
    /// Results are answered emptyResponse instead of eimAcknowledgements.
    AcknowledgementsOmitted,
    /// A GetEimPackageRequest with notifyStateChange is answered undefinedError(127).
    NotifyStateChangeRefused,
    /// IpaEuiccDataRequest carries tagList 'BF20' whatever was ordered.
    DataTagListIgnored,
    /// An ipaEuiccData answer fails its order.
    EuiccDataResultRefused,
    /// An ipaEuiccDataResponseError completes its order as done.
    EuiccDataErrorAccepted,
    /// The HTTP binding does not check path, method, Content-Type or X-Admin-Protocol.
    BindingViolationsAccepted,
    /// The HTTP binding answers its violations (and undecodable bodies) with 500.
    BindingErrorsAs500,
    /// ESipa answers carry no X-Admin-Protocol header.
    AdminProtocolOmitted,
    /// A result without eidValue gets missingEid even when its eimTransactionId names the
    /// package.
    EidRequiredInResult,
    /// A result whose eimTransactionId is not the one sent is accepted.
    AcceptWrongTransactionId,
    /// A result is matched to its package by eimTransactionId alone: the eidValue of the
    /// ProvideEimPackageResult (another device's EID) is ignored.
    AcceptResultForOtherEid,
    /// An eUICC certificate whose EID lies outside its EUM's EIN range is accepted (the rest
    /// of the chain is still checked).
    AcceptEidOutsideEumRange,
    /// A repeated result (a package already processed) is not recognised as a repeat: it is
    /// checked against whatever package is outstanding now.
    DuplicateResultProcessedTwice,
    /// Every package carries the same eimTransactionId (that of order 0).
    TransactionIdReused,
    /// InitiateAuthentication is relayed to another configured SM-DP+ (or an unreachable
    /// one) than the activation code names.
    RelayToWrongSmdp,
    /// An InitiateAuthentication whose eimTransactionId names no outstanding download
    /// trigger is relayed (to the smdpAddress it gives) instead of invalidEimTransactionId.
    EimTransactionIdIgnored,
    /// A PIR received in HandleNotification is not forwarded to the SM-DP+.
    PirNotForwarded,
    /// An InitiateAuthentication naming another SM-DP+ than the activation code's is relayed to
    /// the named one instead of answered smdpAddressMismatch.
    SmdpAddressUnchecked,
    /// A profileDownloadTriggerResult (a direct download's report, SGP.32 3.2.3.1) is
    /// acknowledged but does not complete the download order.
    DownloadResultIgnored,
    /// A repeated result (a package already processed) is answered 200 with an empty body
    /// instead of a ProvideEimPackageResultResponse.
    RepeatedResultUnanswered,
    /// An ipaEuiccDataResponseError is acknowledged and the package taken off the device, but
    /// its order is never settled (stays delivered).
    DataErrorLeftOpen,
    /// An eUICC data request whose tag list names no IpaEuiccData element (empty, or only
    /// undefined tags) is accepted but never sent: the order stays queued.
    UnusableDataRequestStuck,
    /// The CoAP binding does not recognise duplicate requests by message id: every copy of a
    /// confirmable request runs the eIM again (RFC 7252 4.5).
    CoapDuplicatesReprocessed,
    /// The CoAP binding drops a recognised duplicate request instead of answering it again.
    CoapDuplicatesIgnored,
    /// The CoAP binding reassembles Block1 blocks per client, ignoring the Request-Tag
    /// (RFC 9175 3.3).
    CoapRequestTagIgnored,
    /// The compact download forms of an IPA with minimizeEsipaBytes (compactAuthenticateResponseOk,
    /// compactDownloadResponseOk, compactCancelSessionResponseOk, compactProfileInstallationResult)
    /// are relayed to the SM-DP+ as received instead of rebuilt into the full forms.
    CompactRelayedAsIs,
    /// The GetBoundProfilePackage answer to an IPA with minimizeEsipaBytes keeps the
    /// transactionId SGP.32 6.3.2.3 says to remove.
    GbppTransactionIdKept,
    /// A compactEuiccSigned1 is rebuilt with the stored euiccInfo2 as it is, without the
    /// extCardResource the eUICC sent (the eUICC signed the new one).
    ExtCardResourceNotReplaced,
    /// An InitiateAuthentication of a download triggered with contactDefaultSmdp (no
    /// activation code to compare the SM-DP+ address with) is refused with smdpAddressMismatch.
    DefaultSmdpDownloadRefused,
    /// A relayed download that ends without a PIR (cancelled by the IPA, or refused at
    /// InitiateAuthentication by the SM-DP+) leaves its order open: the trigger is sent again.
    EndedDownloadLeftOpen,
}

impl EimFault {
    /// Every fault switch, in `--list-faults` order.
    pub const ALL: [EimFault; 50] = [
        EimFault::CounterReused,
        EimFault::CounterSkip,
        EimFault::BadPackageSignature,
        EimFault::SignatureWithoutAssociationToken,
        EimFault::DerSignature,
        EimFault::PackageForOtherEid,
        EimFault::ChoiceTagTwice,
        EimFault::AcceptBadResultSignature,
        EimFault::AcceptCounterMismatch,
        EimFault::AcceptUnknownCi,
        EimFault::EidNotFoundAsNoPackage,
        EimFault::WrongContentType,
        EimFault::ResultCodesIgnored,
        EimFault::ResultCodesDropped,
        EimFault::ResultDataDropped,
        EimFault::WrongOperation,
        EimFault::RollbackFlagDropped,
        EimFault::EidErrorsUndefined,
        EimFault::ResultErrorsAcknowledged,
        EimFault::NewPackageOnRepoll,
        EimFault::AcknowledgementsOmitted,
        EimFault::NotifyStateChangeRefused,
        EimFault::DataTagListIgnored,
        EimFault::EuiccDataResultRefused,
        EimFault::EuiccDataErrorAccepted,
        EimFault::BindingViolationsAccepted,
        EimFault::BindingErrorsAs500,
        EimFault::AdminProtocolOmitted,
        EimFault::EidRequiredInResult,
        EimFault::AcceptWrongTransactionId,
        EimFault::AcceptResultForOtherEid,
        EimFault::AcceptEidOutsideEumRange,
        EimFault::DuplicateResultProcessedTwice,
        EimFault::TransactionIdReused,
        EimFault::RelayToWrongSmdp,
        EimFault::EimTransactionIdIgnored,
        EimFault::PirNotForwarded,
        EimFault::SmdpAddressUnchecked,
        EimFault::DownloadResultIgnored,
        EimFault::RepeatedResultUnanswered,
        EimFault::DataErrorLeftOpen,
        EimFault::UnusableDataRequestStuck,
        EimFault::CoapDuplicatesReprocessed,
        EimFault::CoapDuplicatesIgnored,
        EimFault::CoapRequestTagIgnored,
        EimFault::CompactRelayedAsIs,
        EimFault::GbppTransactionIdKept,
        EimFault::ExtCardResourceNotReplaced,
        EimFault::DefaultSmdpDownloadRefused,
        EimFault::EndedDownloadLeftOpen,
    ];

    /// The switch's name (`--fault NAME`).
    pub fn name(self) -> &'static str {
        match self {
            EimFault::CounterReused => "counter-reused",
            EimFault::CounterSkip => "counter-skip",
            EimFault::BadPackageSignature => "bad-package-signature",
            EimFault::SignatureWithoutAssociationToken => "signature-without-association-token",
            EimFault::DerSignature => "der-signature",
            EimFault::PackageForOtherEid => "package-for-other-eid",
            EimFault::ChoiceTagTwice => "choice-tag-twice",
            EimFault::AcceptBadResultSignature => "accept-bad-result-signature",
            EimFault::AcceptCounterMismatch => "accept-counter-mismatch",
            EimFault::AcceptUnknownCi => "accept-unknown-ci",
            EimFault::EidNotFoundAsNoPackage => "eid-not-found-as-no-package",
            EimFault::WrongContentType => "wrong-content-type",
            EimFault::ResultCodesIgnored => "result-codes-ignored",
            EimFault::ResultCodesDropped => "result-codes-dropped",
            EimFault::ResultDataDropped => "result-data-dropped",
            EimFault::WrongOperation => "wrong-operation",
            EimFault::RollbackFlagDropped => "rollback-flag-dropped",
            EimFault::EidErrorsUndefined => "eid-errors-undefined",
            EimFault::ResultErrorsAcknowledged => "result-errors-acknowledged",
            EimFault::NewPackageOnRepoll => "new-package-on-repoll",
            EimFault::AcknowledgementsOmitted => "acknowledgements-omitted",
            EimFault::NotifyStateChangeRefused => "notify-state-change-refused",
            EimFault::DataTagListIgnored => "data-tag-list-ignored",
            EimFault::EuiccDataResultRefused => "euicc-data-result-refused",
            EimFault::EuiccDataErrorAccepted => "euicc-data-error-accepted",
            EimFault::BindingViolationsAccepted => "binding-violations-accepted",
            EimFault::BindingErrorsAs500 => "binding-errors-as-500",
            EimFault::AdminProtocolOmitted => "admin-protocol-omitted",
            EimFault::EidRequiredInResult => "eid-required-in-result",
            EimFault::AcceptWrongTransactionId => "accept-wrong-transaction-id",
            EimFault::AcceptResultForOtherEid => "accept-result-for-other-eid",
            EimFault::AcceptEidOutsideEumRange => "accept-eid-outside-eum-range",
            EimFault::DuplicateResultProcessedTwice => "duplicate-result-processed-twice",
            EimFault::TransactionIdReused => "transaction-id-reused",
            EimFault::RelayToWrongSmdp => "relay-to-wrong-smdp",
            EimFault::EimTransactionIdIgnored => "eim-transaction-id-ignored",
            EimFault::PirNotForwarded => "pir-not-forwarded",
            EimFault::SmdpAddressUnchecked => "smdp-address-unchecked",
            EimFault::DownloadResultIgnored => "download-result-ignored",
            EimFault::RepeatedResultUnanswered => "repeated-result-unanswered",
            EimFault::DataErrorLeftOpen => "data-error-left-open",
            EimFault::UnusableDataRequestStuck => "unusable-data-request-stuck",
            EimFault::CoapDuplicatesReprocessed => "coap-duplicates-reprocessed",
            EimFault::CoapDuplicatesIgnored => "coap-duplicates-ignored",
            EimFault::CoapRequestTagIgnored => "coap-request-tag-ignored",
            EimFault::CompactRelayedAsIs => "compact-relayed-as-is",
            EimFault::GbppTransactionIdKept => "gbpp-transaction-id-kept",
            EimFault::ExtCardResourceNotReplaced => "ext-card-resource-not-replaced",
            EimFault::DefaultSmdpDownloadRefused => "default-smdp-download-refused",
            EimFault::EndedDownloadLeftOpen => "ended-download-left-open",
        }
    }

    /// One line saying what goes wrong.
    pub fn description(self) -> &'static str {
        match self {
            EimFault::CounterReused => "a new eUICC Package reuses the last counterValue",
            EimFault::CounterSkip => "a new eUICC Package skips a counterValue (+2)",
            EimFault::BadPackageSignature => "eimSignature is corrupted",
            EimFault::SignatureWithoutAssociationToken => {
                "eimSignature covers 84 01 00 even when an associationToken exists"
            }
            EimFault::DerSignature => "eimSignature is DER ECDSA-Sig-Value instead of raw r||s",
            EimFault::PackageForOtherEid => "the eUICC Package names another EID",
            EimFault::ChoiceTagTwice => "GetEimPackageResponse tag BF4F written twice",
            EimFault::AcceptBadResultSignature => {
                "accepts an eUICC Package Result with a bad eUICC signature"
            }
            EimFault::AcceptCounterMismatch => {
                "accepts a result whose counterValue is not the one sent"
            }
            EimFault::AcceptUnknownCi => {
                "accepts eUICC certificates without the CI/EUM chain and EID range check"
            }
            EimFault::EidNotFoundAsNoPackage => {
                "answers noEimPackageAvailable instead of eidNotFound for an unknown EID"
            }
            EimFault::WrongContentType => {
                "ESipa answers carry Content-Type application/octet-stream"
            }
            EimFault::ResultCodesIgnored => {
                "an order is reported done whatever result codes the eUICC returned"
            }
            EimFault::ResultCodesDropped => {
                "a failed order's report carries neither the eUICC's outcomes nor its codes"
            }
            EimFault::ResultDataDropped => {
                "result data (profile list, RAT, eIM list, association token) is dropped from the report"
            }
            EimFault::WrongOperation => {
                "the eUICC Package carries another PSMO/eCO alternative than the one ordered"
            }
            EimFault::RollbackFlagDropped => {
                "an enable ordered with rollback allowed is sent without rollbackFlag"
            }
            EimFault::EidErrorsUndefined => {
                "invalidEid and missingEid are answered undefinedError(127)"
            }
            EimFault::ResultErrorsAcknowledged => {
                "ProvideEimPackageResult errors are answered emptyResponse"
            }
            EimFault::NewPackageOnRepoll => {
                "a repeated GetEimPackage before the result gets a new package (new counter)"
            }
            EimFault::AcknowledgementsOmitted => {
                "results are answered emptyResponse instead of eimAcknowledgements"
            }
            EimFault::NotifyStateChangeRefused => {
                "a GetEimPackageRequest with notifyStateChange gets undefinedError(127)"
            }
            EimFault::DataTagListIgnored => {
                "IpaEuiccDataRequest carries tagList BF20 whatever was ordered"
            }
            EimFault::EuiccDataResultRefused => "an ipaEuiccData answer fails its order",
            EimFault::EuiccDataErrorAccepted => {
                "an ipaEuiccDataResponseError completes its order as done"
            }
            EimFault::BindingViolationsAccepted => {
                "path, method, Content-Type and X-Admin-Protocol of requests are not checked"
            }
            EimFault::BindingErrorsAs500 => {
                "binding violations and undecodable bodies are answered HTTP 500"
            }
            EimFault::AdminProtocolOmitted => "ESipa answers carry no X-Admin-Protocol",
            EimFault::EidRequiredInResult => {
                "a result without eidValue gets missingEid even when its eimTransactionId is known"
            }
            EimFault::AcceptWrongTransactionId => {
                "accepts a result whose eimTransactionId is not the one sent"
            }
            EimFault::AcceptResultForOtherEid => {
                "matches a result by eimTransactionId alone, ignoring its eidValue"
            }
            EimFault::AcceptEidOutsideEumRange => {
                "accepts an eUICC certificate whose EID is outside the EUM's EIN range"
            }
            EimFault::DuplicateResultProcessedTwice => {
                "a repeated result is checked against the package outstanding now"
            }
            EimFault::TransactionIdReused => "every package carries the same eimTransactionId",
            EimFault::RelayToWrongSmdp => {
                "the download is relayed to another SM-DP+ than the activation code names"
            }
            EimFault::EimTransactionIdIgnored => {
                "InitiateAuthentication with an unknown eimTransactionId is relayed, not refused (52)"
            }
            EimFault::PirNotForwarded => "a PIR is not forwarded to the SM-DP+",
            EimFault::SmdpAddressUnchecked => {
                "an InitiateAuthentication naming another SM-DP+ than the activation code is relayed to it"
            }
            EimFault::DownloadResultIgnored => {
                "a profileDownloadTriggerResult does not complete the download order"
            }
            EimFault::RepeatedResultUnanswered => {
                "a repeated result is answered 200 with an empty body, no ProvideEimPackageResultResponse"
            }
            EimFault::DataErrorLeftOpen => {
                "an ipaEuiccDataResponseError is acknowledged but its order never settles"
            }
            EimFault::UnusableDataRequestStuck => {
                "a data request naming no IpaEuiccData tag is accepted but never sent (stays queued)"
            }
            EimFault::CoapDuplicatesReprocessed => {
                "CoAP: every copy of a confirmable request (same message id) runs the eIM again"
            }
            EimFault::CoapDuplicatesIgnored => {
                "CoAP: a duplicate confirmable request is dropped, not answered again"
            }
            EimFault::CoapRequestTagIgnored => {
                "CoAP: Block1 blocks are put together per client, whatever their Request-Tag"
            }
            EimFault::CompactRelayedAsIs => {
                "the compact download forms of a minimizeEsipaBytes IPA are relayed as received, not rebuilt"
            }
            EimFault::GbppTransactionIdKept => {
                "the GetBoundProfilePackage answer to a minimizeEsipaBytes IPA keeps its transactionId"
            }
            EimFault::ExtCardResourceNotReplaced => {
                "a compact EuiccSigned1 is rebuilt with the stored extCardResource, not the one sent"
            }
            EimFault::DefaultSmdpDownloadRefused => {
                "a download triggered with contactDefaultSmdp is refused at InitiateAuthentication (50)"
            }
            EimFault::EndedDownloadLeftOpen => {
                "a cancelled or refused download leaves its order open (the trigger is sent again)"
            }
        }
    }

    /// `name\tdescription` lines, one per fault (`sgp32 serve eim --list-faults`).
    pub fn list() -> String {
        EimFault::ALL
            .iter()
            .map(|f| format!("{}\t{}\n", f.name(), f.description()))
            .collect()
    }
}

impl fmt::Display for EimFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown fault name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown eIM fault {0:?} (see --list-faults)")]
pub struct UnknownFault(pub String);

impl FromStr for EimFault {
    type Err = UnknownFault;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EimFault::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| UnknownFault(s.to_string()))
    }
}

/// A set of fault switches (a bit per fault).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EimFaults(u64);

impl EimFaults {
    /// No fault.
    pub const NONE: EimFaults = EimFaults(0);

    /// The set named by `names` (fault names as `--list-faults` prints them).
    pub fn parse_names(names: &[String]) -> Result<EimFaults, String> {
        names.iter().try_fold(EimFaults::NONE, |set, name| {
            name.parse::<EimFault>()
                .map(|f| set.with(f))
                .map_err(|e| e.to_string())
        })
    }

    /// Whether no fault is switched on.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    fn bit(fault: EimFault) -> u64 {
        1 << (fault as u32)
    }

    /// With `fault` switched on.
    pub fn with(self, fault: EimFault) -> Self {
        EimFaults(self.0 | Self::bit(fault))
    }

    /// Whether `fault` is on.
    pub fn has(self, fault: EimFault) -> bool {
        self.0 & Self::bit(fault) != 0
    }

    /// The faults switched on.
    pub fn iter(self) -> impl Iterator<Item = EimFault> {
        EimFault::ALL.into_iter().filter(move |f| self.has(*f))
    }
}

impl FromIterator<EimFault> for EimFaults {
    fn from_iter<I: IntoIterator<Item = EimFault>>(iter: I) -> Self {
        iter.into_iter().fold(EimFaults::NONE, EimFaults::with)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for f in EimFault::ALL {
            assert_eq!(f.name().parse::<EimFault>().unwrap(), f);
            assert!(!f.description().contains('\t'));
        }
        let mut names: Vec<_> = EimFault::ALL.iter().map(|f| f.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), EimFault::ALL.len());
        assert!("no-such-fault".parse::<EimFault>().is_err());
    }

    #[test]
    fn list_has_one_tab_separated_line_per_fault() {
        let list = EimFault::list();
        let lines: Vec<_> = list.lines().collect();
        assert_eq!(lines.len(), EimFault::ALL.len());
        assert_eq!(
            lines[0],
            "counter-reused\ta new eUICC Package reuses the last counterValue"
        );
        assert!(lines.iter().all(|l| l.split('\t').count() == 2));
    }

    #[test]
    fn fault_sets() {
        let set: EimFaults = [EimFault::DerSignature, EimFault::CounterSkip]
            .into_iter()
            .collect();
        assert!(set.has(EimFault::DerSignature) && set.has(EimFault::CounterSkip));
        assert!(!set.has(EimFault::CounterReused));
        assert_eq!(set.iter().count(), 2);
        assert!(!EimFaults::NONE.has(EimFault::WrongContentType));
    }
}
