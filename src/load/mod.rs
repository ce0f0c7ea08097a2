//! `sgp32 load`: millions of simulated devices polling an eIM, on goose 0.19, with latency
//! measured from the intended start of each poll (an open model).
//!
//! # How a run works
//! - **Devices are rows** ([`fleet`]): 28 bytes a device (next intended poll, poll count, what
//!   the next poll should find, the compact eUICC state of [`crate::euicc::CompactEuicc`]);
//!   a full simulated eUICC is materialised from the [`crate::euicc::FleetTemplate`] only while
//!   a package is executed, then folded back. Keys and certificates derive from the PKI seed
//!   and the device index, as in the conformance runner.
//! - **Provisioning** before the clock: the EID range is bulk-registered at the SUT (the
//!   reference eIM's `register_range`, in-process or `POST /euiccs/bulk`; association token
//!   1, counter 0, certificates derivable from the seed), and the packages the first polls
//!   should find are ordered through the SUT adapter ([`crate::sut::SutAdapter::order`]).
//!   The package a later poll should find is ordered right after the poll before it.
//! - **Schedule** ([`schedule`], [`scenario`]): a time wheel of intended start times. The
//!   first poll of each device falls in the arrival window (spread, or a storm, with an
//!   optional linear ramp-up); each next one an interval later (fixed, uniform jitter,
//!   exponential), counted from the previous *intended* start, so the schedule does not
//!   depend on how fast the SUT answers.
//! - **Workers** ([`run`](fn@run)): goose users (a few hundred to a few thousand, never one per
//!   device) take whichever device the dispatcher releases, wait for its intended start, and
//!   run its poll with the sans-IO IPA ([`crate::ipa::Ipa`]) over their own keep-alive
//!   [`crate::transport::EsipaClient`] (the URL's scheme picks the carrier). Each ESipa
//!   exchange is recorded with goose's `record_custom_request_duration` (so goose's HTML/JSON/
//!   Markdown reports show it) and each poll once more as `POLL <kind>` with its latency from
//!   the intended start.
//! - **Errors**: a transport failure, an HTTP error status, and every protocol-level failure:
//!   a package the eUICC refuses (bad signature, wrong EID), a counterValue other than the
//!   stored one plus 1 (reused, skipped, a duplicated package), a result the eIM does not
//!   acknowledge (lost), a poll that does not find the package ordered for it, or finds one
//!   nobody ordered.
//! - **Summary** ([`summary`]): `load-summary.json` with the HDR histogram (V2, base64);
//!   shards merge by adding histograms. Gates of the scenario decide the exit status.
//!
//! # What polls bring
//! `psmo`: an eUICC Package enabling the device's other profile, executed by the
//! materialised eUICC, its result delivered and acknowledged. `euicc-data`: an
//! IpaEuiccDataRequest answered from the eUICC. `download`: a ProfileDownloadTriggerRequest;
//! the load IPA declares no download capability, so it answers `profileDownloadError` as
//! SGP.32 3.3.1 allows (a downloaded profile would leave the fleet template, which the
//! compact form cannot hold, and an SM-DP+ would be needed beside the SUT): the trigger's
//! delivery and its result are measured, the download itself is not.

pub mod fleet;
pub mod run;
pub mod scenario;
pub mod schedule;
pub mod summary;

pub use run::{LoadOptions, LoadOutcome, Shard, SutChoice, run};
pub use scenario::{PackageKind, Scenario};
pub use summary::{LoadSummary, merge};

/// Errors of the load generator (all harness-side: exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The scenario file is not valid.
    #[error("scenario {origin}: {reason}")]
    Scenario { origin: String, reason: String },
    /// A file could not be read or written.
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    /// A summary file is not valid.
    #[error("summary {path}: {reason}")]
    Summary { path: String, reason: String },
    /// A histogram could not be (de)serialized.
    #[error("histogram: {0}")]
    Histogram(String),
    /// Bad options.
    #[error("{0}")]
    Usage(String),
    /// The SUT could not be set up or provisioned.
    #[error("SUT: {0}")]
    Sut(String),
    /// goose failed.
    #[error("goose: {0}")]
    Goose(String),
}

impl LoadError {
    fn io(path: &std::path::Path, e: impl std::fmt::Display) -> LoadError {
        LoadError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        }
    }
}
