//! What every scenario of one run shares: the SUT (its adapter, ESipa endpoint, TLS trust,
//! declared features), the test PKI, and the allocation of fresh device indexes.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::asn1::sgp32::IpaCapabilities;
use crate::crypto::Backend;
use crate::eim::EimPublicConfig;
use crate::ipa::IpaConfig;
use crate::pki::Pki;
use crate::sut::SutAdapter;
use crate::transport::TlsClientConfig;

/// The shared state of a run.
pub struct RunContext {
    /// The test PKI: eUICC keys and certificates, the CI the SUT trusts.
    pub pki: Arc<Pki>,
    /// How scenarios order operations at the SUT.
    pub adapter: Arc<dyn SutAdapter>,
    /// The eIM's identity as the devices get it (AddInitialEim).
    pub eim: EimPublicConfig,
    /// The ESipa URL for the run's transport.
    pub esipa_url: String,
    /// `https` or `http`.
    pub transport: String,
    /// TLS trust for the ESipa endpoint (None over plain HTTP).
    pub tls: Option<TlsClientConfig>,
    /// The SGP.32 version run (`1.2`, `1.0`).
    pub sgp32_version: String,
    /// The crypto backend of the simulated devices.
    pub backend: Backend,
    /// The IPA settings every device starts from.
    pub ipa: IpaConfig,
    /// The longest a scenario waits for an asynchronous outcome at the SUT.
    pub patience: Duration,
    /// The harness's mock SM-DP+ the SUT relays downloads to, when the run has one.
    pub smdp: Option<Arc<crate::smdp::Smdp>>,
    next_index: AtomicU64,
}

impl RunContext {
    /// A context whose device indexes start at `first_index`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pki: Arc<Pki>,
        adapter: Arc<dyn SutAdapter>,
        eim: EimPublicConfig,
        esipa_url: String,
        transport: String,
        tls: Option<TlsClientConfig>,
        sgp32_version: String,
        backend: Backend,
        first_index: u64,
    ) -> Self {
        RunContext {
            pki,
            adapter,
            eim,
            esipa_url,
            transport,
            tls,
            sgp32_version,
            backend,
            ipa: IpaConfig {
                retries: 2,
                backoff_base: Duration::from_millis(20),
                // The devices take part in indirect profile download (SGP.32 3.2.3.2).
                capabilities: indirect_download_capabilities(),
                ..IpaConfig::default()
            },
            patience: Duration::from_secs(5),
            smdp: None,
            next_index: AtomicU64::new(first_index),
        }
    }

    /// `n` consecutive unused device indexes (fresh EIDs at the SUT); returns the first.
    pub fn allocate(&self, n: u64) -> u64 {
        self.next_index.fetch_add(n, Ordering::Relaxed)
    }
}

/// The first device index of a run: 1 against the embedded eIM (fresh every run); against a
/// SUT that outlives runs, a base derived from the clock, so that EIDs registered by an earlier
/// run are not reused (10,000 indexes a run, repeating after about 11 days).
pub fn first_index(fresh_sut: bool) -> u64 {
    if fresh_sut {
        return 1;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    1_000_000 + (secs % 1_000_000) * 10_000
}

impl RunContext {
    /// The IPA settings of a device that downloads directly from the SM-DP+ (SGP.32 3.2.3.1):
    /// the run's, with directRspServerCommunication (ipaFeatures bit 0) and not
    /// indirectRspServerCommunication; the SM-DP+ URLs are the run's
    /// ([`IpaConfig::smdp_urls`], set by the runner for its mock SM-DP+).
    pub fn direct_download_ipa(&self) -> IpaConfig {
        IpaConfig {
            capabilities: IpaCapabilities {
                ipa_features: crate::asn1::sgp32::named_bits(&[0]),
                ..IpaCapabilities::default()
            },
            ..self.ipa.clone()
        }
    }
}

/// IPA capabilities with indirectRspServerCommunication (ipaFeatures bit 1).
fn indirect_download_capabilities() -> IpaCapabilities {
    IpaCapabilities {
        ipa_features: crate::asn1::sgp32::named_bits(&[1]),
        ..IpaCapabilities::default()
    }
}
