//! The reference eIM (SGP.32 v1.2), sans-IO: the ESipa functions of eIM Package Retrieval and
//! the order API logic. No sockets, threads or clocks beyond `SystemTime::now()` for the
//! last-poll time and the certificate validity check; the transport (`src/transport/`) maps
//! [`EsipaAnswer`] onto HTTP and puts [`Eim::handle_api`] behind a second port.
//!
//! # Entry points
//! - [`Eim::handle_esipa`]: one `EsipaMessageFromIpaToEim` (DER) in, an [`EsipaAnswer`] out:
//!   `Message(bytes)` (HTTP 200, `Content-Type` [`Eim::response_content_type`]), `NoContent`
//!   (HandleNotification: 204) or `Undecodable(reason)` (400).
//! - [`Eim::handle_api`]: the order API as JSON over HTTP (table below); the same logic as
//!   typed methods: [`Eim::config`], [`Eim::register_euicc`], [`Eim::register_range`],
//!   [`Eim::order_psmos`], [`Eim::order_ecos`], [`Eim::order_euicc_data`],
//!   [`Eim::order_download_trigger`], [`Eim::order`], [`Eim::devices`].
//! - [`Eim::response_content_type`]: `application/x-gsma-rsp-asn1`, or
//!   `application/octet-stream` with the `wrong-content-type` fault.
//!
//! # State ([`store`])
//! Behind the [`EimStore`] trait; [`MemStore`] keeps 64 shards of
//! `Mutex<HashMap<[u8; 16], DeviceRecord>>` chosen by an FNV-1a hash of the EID and 64 shards
//! of orders (`order id % 64`). A [`DeviceRecord`] holds the association token, the last
//! counterValue, the certificate reference ([`CertRef`]: none, derivable from a test PKI seed
//! and index — bulk registration stores no certificate — or known DER with its parsed key and
//! chain verdict cached), the outstanding package, the FIFO of queued orders and the last
//! known state ([`LastState`]: notifyStateChange, stateChangeCause, rPLMN, last poll time and
//! count, the profile known to be enabled, result and notification counters). A poll locks one
//! shard and does O(1) work; building a package (one ECDSA signature) happens under that shard
//! lock so that the counter step and the package are atomic per EID. Orders are
//! [`OrderRecord`]s (kind, state, counter, eimTransactionId, outcomes, failure reason).
//!
//! # GetEimPackage (SGP.32 6.3.2.6)
//! - `eidValue` with wrong SGP.29 check digits or non-decimal nibbles, or a `5A` whose length is
//!   not 16 -> `invalidEid`; **missingEid** (choice): the module makes `eidValue` mandatory, so a
//!   request lacking it does not decode; a 'BF4F' TLV whose content has no '5A' element is
//!   answered `missingEid` instead of 400; unknown EID -> `eidNotFound`; nothing queued ->
//!   `noEimPackageAvailable`.
//! - One package per answer, FIFO per EID. The package stays the answer (the same bytes, the
//!   same counter) until a result for it arrives; then the next order is built. A counter is
//!   spent when the package is built (stored + 1, exactly) and never reused, whatever the
//!   result. Only registering the EID again (the operator's explicit reset, like an updateEim
//!   counter reset) sets the counter back to the given initial value.
//! - notifyStateChange, stateChangeCause and rPLMN are recorded on every poll (the last values
//!   seen; an absent cause or rPLMN keeps the previous one).
//! - eUICC Packages: `EuiccPackageSigned { eimId, eidValue, counterValue, eimTransactionId,
//!   psmoList | ecoList }`, `eimSignature` raw r||s (64 bytes) over DER(EuiccPackageSigned) ||
//!   `84 len associationToken` (`84 01 00` without a token; SGP.32 2.11.1.1).
//! - **eimTransactionId** (choice): 16 bytes, the order id (8 bytes big-endian) followed by the
//!   first 8 bytes of SHA-256("sgp32-eim-txid" || eimId || order id); one per order, hence per
//!   package; it lets a result without `eidValue` be correlated to its EID.
//! - IpaEuiccDataRequest and ProfileDownloadTriggerRequest (activation code) packages carry the
//!   eimTransactionId and no counter.
//!
//! # ProvideEimPackageResult (SGP.32 6.3.2.7)
//! - `eidValue` invalid -> `provideEimPackageResultError invalidEid`; unknown -> `eidNotFound`;
//!   absent: the EID of the order named by the result's eimTransactionId; neither ->
//!   `missingEid`.
//! - euiccPackageResult / ePRAndNotifications: the signed result or signed error is checked in
//!   this order: the eUICC certificate (registered, learned from an IpaEuiccDataResponse, or
//!   derived from the test PKI of a bulk range) must chain to the configured CI through an EUM
//!   (the device's own EUM certificate when delivered, else the configured ones) whose EIN
//!   range contains the EID, and name the device's EID ([`crate::pki::check_euicc_chain`]);
//!   euiccSignEPR/EPE must verify over the received DER of the signed data ||
//!   `84 len associationToken`; eimId, counterValue and eimTransactionId must be those sent.
//!   Pass: the order is `done` with one outcome per operation (the `EuiccResultData` as JSON)
//!   and the device's known enabled profile follows the successful enable/disable/delete.
//!   An authentic result in which an operation did not succeed (a code other than `ok`;
//!   `lastEimDeleted` counts as done, `processingTerminated` as an error; SGP.32 2.11.2.1)
//!   fails the order: its outcomes are kept, its reason names each failed operation
//!   (`the eUICC reported 1: enableResult catBusy(5)`), and the device's known state still
//!   follows the operations that succeeded.
//!   Fail: the order is `failed` with the reason and no device state changes. A verified
//!   `euiccPackageErrorSigned` fails the order with its code; `euiccPackageErrorUnsigned`
//!   fails it as unauthenticated.
//! - The answer is `eimAcknowledgements` with the EPR's own seqNumber and those of the
//!   notificationList (**choice:** also when the result was rejected: the eIM has recorded it,
//!   so keeping it on the eUICC serves nothing). A repeated result (the eimTransactionId of the
//!   last processed package) is acknowledged again without effect. A result for no outstanding
//!   package -> `provideEimPackageResultError undefinedError` (choice).
//! - ipaEuiccDataResponse: the certificates and associationToken it carries are learned (the
//!   token only when none was registered); outcome: the data items present.
//!   profileDownloadTriggerResult: the PIR's finalResult is the outcome (an errorResult or a
//!   profileDownloadError fails the order). eimPackageResultResponseError fails the order
//!   (matched by eimTransactionId, else the outstanding package). These answer
//!   `eimAcknowledgements` with the seqNumbers they carry (the notificationsList, the PIR) or
//!   `emptyResponse` when there are none (choice).
//!
//! # Other ESipa functions
//! HandleNotification (6.3.2.4): recorded (kept in a bounded log of
//! [`NOTIFICATION_LOG`] entries), answered `NoContent`; a ProvideEimPackageResult inside it is
//! processed as above; a PIR ends its relay session, completes its download order and is
//! forwarded to its notificationAddress ([`relay`]). The indirect-download functions
//! (InitiateAuthentication, AuthenticateClient, GetBoundProfilePackage, CancelSession) are
//! relayed to the SM-DP+ over ES9+' (the SGP.22 JSON binding): [`Eim::handle_esipa`] answers
//! [`EsipaAnswer::Relay`], the transport makes the call and [`Eim::complete_relay`] gives the
//! answer; the checks (eimTransactionId 52, smdpAddress 50, unknown address 1) and the
//! ESipa <-> ES9+ mapping are in [`relay`]. The SM-DP+ URLs come from
//! [`EimConfig::smdp_urls`] (`serve eim --smdp ADDRESS=URL`). A TransferEimPackageResponse
//! (eIM Package Injection, not offered) is `Undecodable`.
//!
//! # Order API ([`Eim::handle_api`], JSON)
//! | Method | Path | Body | Answer |
//! |---|---|---|---|
//! | GET | `/config` | | 200 [`EimPublicConfig`] |
//! | POST | `/euiccs` | `{"eid", "associationToken"?, "counter"?, "certificate"? (hex DER)}` | 201 `{"eid","created"}` |
//! | POST | `/euiccs/bulk` | `{"count", "seed", "firstIndex"?}` | 201 `{"registered","firstEid","lastEid"}` |
//! | GET | `/euiccs?offset=&limit=` | | 200 `{"total","devices":[DeviceStatus]}` (limit default 100, max 10000) |
//! | POST | `/orders/psmo` | `{"eid","psmos":[{"enable":{"iccid","rollback"?}}, {"disable":{"iccid"}}, {"delete":{"iccid"}}, {"listProfileInfo":{}}, {"getRAT":{}}, {"setFallbackAttribute":{"iccid"}}, {"unsetFallbackAttribute":{}}, {"setDefaultDpAddress":{"address"}}, {"configureImmediateEnable":{"immediateEnable"?, "defaultSmdpAddress"?}}]}` | 201 `{"orderId"}` |
//! | POST | `/orders/eco` | `{"eid","ecos":[{"addEim":EimJson}, {"updateEim":EimJson}, {"deleteEim":{"eimId"}}, {"listEim":{}}]}`, EimJson = `{"eimId","eimFqdn"?,"counterValue"?,"associationToken"?,"eimCertificate"? (hex)}` | 201 `{"orderId"}` |
//! | POST | `/orders/euicc-data` | `{"eid","tagList" (hex)}` | 201 `{"orderId"}` |
//! | POST | `/orders/download` | `{"eid","activationCode"}` or `{"eid","contactDefaultSmdp":true}` | 201 `{"orderId"}` |
//! | GET | `/orders/{id}` | | 200 [`OrderStatus`] |
//!
//! Errors are `{"error": "..."}`: 400 bad JSON (syntax, unknown fields, unknown operation),
//! bad values (EID digits or check digits, ICCID, hex, empty list, activation code length,
//! paging parameters); 404 unknown path, order, or an order for an unregistered EID; 405 a
//! known path with another method. Registering an EID again replaces its record (queue and
//! outstanding package included): `created: false`.
//!
//! # Faults ([`EimFault`])
//! counter-reused, counter-skip, bad-package-signature, signature-without-association-token,
//! der-signature, package-for-other-eid (the EID's 30th digit changed, check digits
//! recomputed), choice-tag-twice (every GetEimPackageResponse), accept-bad-result-signature,
//! accept-counter-mismatch, accept-unknown-ci, eid-not-found-as-no-package,
//! wrong-content-type, result-codes-ignored (the pre-issue-5 behaviour: a signed result is
//! `done` whatever its codes), result-codes-dropped, result-data-dropped, wrong-operation
//! (enable<->disable, delete->enable, listProfileInfo/setFallbackAttribute->getRAT, the other
//! PSMOs->listProfileInfo; addEim<->updateEim, deleteEim->listEim, listEim->deleteEim of an
//! unknown eIM), rollback-flag-dropped, eid-errors-undefined, result-errors-acknowledged,
//! new-package-on-repoll (the outstanding package rebuilt with a new counter),
//! acknowledgements-omitted, notify-state-change-refused, data-tag-list-ignored,
//! euicc-data-result-refused, euicc-data-error-accepted, eid-required-in-result; and three of
//! the HTTP binding, applied in [`server`]: binding-violations-accepted, binding-errors-as-500,
//! admin-protocol-omitted; accept-wrong-transaction-id,
//! accept-result-for-other-eid, accept-eid-outside-eum-range, duplicate-result-processed-twice,
//! transaction-id-reused; and those of the download relay: relay-to-wrong-smdp,
//! eim-transaction-id-ignored, pir-not-forwarded, smdp-address-unchecked,
//! download-result-ignored, default-smdp-download-refused, ended-download-left-open,
//! compact-relayed-as-is, gbpp-transaction-id-kept, ext-card-resource-not-replaced. See [`EimFault::description`] and [`EimFault::ALL`] for the
//! whole list.
//!
//! # Left out
//! eIM Package Injection (TransferEimPackage), the JSON ESipa binding, CoAP, persistence; in
//! the relay: eIM-supplied ctxParams1/matchingId (a compactEuiccSigned1 without ctxParams1 is
//! refused), rebinding (compactEuiccSigned2 without euiccOtpk), compactOtherSignedNotification
//! (recorded, not rebuilt), the serverAddress check of eimDownloadDataHandling, SM-DS (ES11').

mod api;
pub mod compact;
mod esipa;
mod fault;
pub mod relay;
pub mod server;
pub mod store;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;

pub use api::{DeviceStatus, OrderStatus};
pub use fault::{EimFault, EimFaults, UnknownFault};
pub use relay::{RelayOutcome, RelayRequest, RelaySession, RelayTicket};
pub use store::{
    CertRef, DeviceCert, DeviceRecord, EimStore, LastState, MemStore, OrderKind, OrderRecord,
    OrderState,
};

use crate::asn1::pkix::Certificate;
use crate::asn1::sgp32::{
    Eco, EimConfigurationData, EimIdType, EimPublicKeyData, IpaEuiccDataRequest, Psmo,
    TrustedPublicKeyDataTls, eim_supported_protocol, named_bits,
};
use crate::crypto::{Backend, Curve, SigningKey, provider};
use crate::pki::{Eid, Pki, euicc_eid};
use crate::transport::TlsClientConfig;

/// An order's id.
pub type OrderId = u64;

/// Entries kept in the HandleNotification log.
pub const NOTIFICATION_LOG: usize = 1024;

/// The ASN.1 binding's content type (SGP.32 6.1).
pub const CONTENT_TYPE: &str = "application/x-gsma-rsp-asn1";

/// Errors of the eIM's order API and construction.
#[derive(Debug, thiserror::Error)]
pub enum EimError {
    /// The EID is not registered.
    #[error("unknown EID {0}")]
    UnknownEid(String),
    /// The EID is malformed or has wrong SGP.29 check digits.
    #[error("invalid EID {0}")]
    InvalidEid(String),
    /// A request value is wrong.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The test PKI failed.
    #[error("PKI: {0}")]
    Pki(String),
    /// A key or certificate could not be used.
    #[error("crypto: {0}")]
    Crypto(String),
}

/// What the HTTP binding should answer to an ESipa request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EsipaAnswer {
    /// An `EsipaMessageFromEimToIpa` (HTTP 200).
    Message(Vec<u8>),
    /// No response body (HandleNotification; HTTP 204).
    NoContent,
    /// The body is not an `EsipaMessageFromIpaToEim` (HTTP 400).
    Undecodable(String),
    /// An ES9+' call to make to an SM-DP+ first; its answer goes to [`Eim::complete_relay`],
    /// which gives the answer to send ([`relay`]).
    Relay(RelayRequest),
}

/// Most eUICCs one bulk registration may add (`register_range`, `POST /euiccs/bulk`); larger
/// device lists come in several requests.
pub const MAX_BULK_REGISTRATION: u64 = 1_000_000;

/// Most test PKIs (one per bulk-registration seed) kept for deriving eUICC certificates.
pub const MAX_CACHED_PKIS: usize = 16;

/// The eIM's configuration.
#[derive(Debug, Clone)]
pub struct EimConfig {
    /// eimId.
    pub eim_id: String,
    /// eimFqdn.
    pub fqdn: String,
    /// The package-signing key.
    pub signing_key: SigningKey,
    /// Its certificate, DER.
    pub signing_cert_der: Vec<u8>,
    /// The TLS certificate, DER.
    pub tls_cert_der: Vec<u8>,
    /// eimSupportedProtocol bit numbers ([`eim_supported_protocol`]).
    pub supported_protocols: Vec<usize>,
    /// The trusted CI certificate, DER.
    pub ci_cert_der: Vec<u8>,
    /// EUM certificates tried when a device did not deliver its own.
    pub eum_certs_der: Vec<Vec<u8>>,
    /// Fault switches.
    pub faults: EimFaults,
    /// Crypto backend.
    pub backend: Backend,
    /// SM-DP+ addresses (as activation codes and notificationAddress name them, compared
    /// case-insensitively) to the base URLs ES9+' is relayed to (`http(s)://host:port`).
    pub smdp_urls: BTreeMap<String, String>,
    /// What HTTPS connections to those URLs trust (default: the test PKI's CI, which issues
    /// the mock SM-DP+'s TLS certificate).
    pub smdp_tls: TlsClientConfig,
    /// The ISD-P AID a compactAid (bytes 14-15) is put into when a compact PIR is rebuilt
    /// (default [`compact::ISDP_AID_TEMPLATE`]).
    pub isdp_aid_template: [u8; 16],
}

impl EimConfig {
    /// The defaults: the test PKI's eIM signing and TLS credentials, its CI and EUM, eimId
    /// `sgp32-harness-eim`, FQDN `localhost`, HTTPS retrieval, no faults.
    pub fn from_pki(pki: &Pki, backend: Backend) -> Result<Self, EimError> {
        let signing_key = provider(backend)
            .signing_key_from_scalar(Curve::P256, &pki.eim_sign.key.to_bytes())
            .map_err(|e| EimError::Crypto(e.to_string()))?;
        Ok(EimConfig {
            eim_id: "sgp32-harness-eim".into(),
            fqdn: "localhost".into(),
            signing_key,
            signing_cert_der: pki.eim_sign.cert_der.clone(),
            tls_cert_der: pki.eim_tls.cert_der.clone(),
            supported_protocols: vec![eim_supported_protocol::EIM_RETRIEVE_HTTPS],
            ci_cert_der: pki.ci.cert_der.clone(),
            eum_certs_der: vec![pki.eum.cert_der.clone()],
            faults: EimFaults::NONE,
            backend,
            smdp_urls: BTreeMap::new(),
            smdp_tls: TlsClientConfig::trusting(vec![pki.ci.cert_der.clone()]),
            isdp_aid_template: compact::ISDP_AID_TEMPLATE,
        })
    }

    /// The Content-Type of ESipa answers (SGP.32 6.1): `application/x-gsma-rsp-asn1`, or
    /// `application/octet-stream` with [`EimFault::WrongContentType`].
    pub fn response_content_type(&self) -> &'static str {
        if self.faults.has(EimFault::WrongContentType) {
            "application/octet-stream"
        } else {
            CONTENT_TYPE
        }
    }

    /// With these faults.
    pub fn with_faults(mut self, faults: EimFaults) -> Self {
        self.faults = faults;
        self
    }

    /// With an SM-DP+ address relayed to `url`.
    pub fn with_smdp(mut self, address: impl Into<String>, url: impl Into<String>) -> Self {
        self.smdp_urls.insert(address.into(), url.into());
        self
    }
}

/// What a device needs to know of this eIM (AddInitialEim).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EimPublicConfig {
    /// eimId.
    #[serde(rename = "eimId")]
    pub eim_id: String,
    /// eimFqdn.
    #[serde(rename = "eimFqdn")]
    pub eim_fqdn: String,
    /// The eIM signing certificate, hex DER.
    #[serde(
        rename = "eimSigningCertificate",
        serialize_with = "crate::asn1::json::hex"
    )]
    pub signing_cert_der: Vec<u8>,
    /// The TLS certificate, hex DER.
    #[serde(rename = "tlsCertificate", serialize_with = "crate::asn1::json::hex")]
    pub tls_cert_der: Vec<u8>,
    /// Supported protocols by name (`eimRetrieveHttps`, ...).
    #[serde(rename = "supportedProtocols")]
    pub supported_protocols: Vec<String>,
    /// The EimConfigurationData for AddInitialEim (counter 0, token -1), hex DER.
    #[serde(
        rename = "eimConfigurationData",
        serialize_with = "crate::asn1::json::hex"
    )]
    pub eim_configuration_data: Vec<u8>,
}

impl EimPublicConfig {
    /// The `EimConfigurationData` (SGP.32 2.11.1) of this eIM: eimId, eimFqdn, eimIdType
    /// proprietary, the given initial counter and association token (-1 asks the eUICC to
    /// generate one), the signing certificate, the TLS certificate as trusted TLS data, the
    /// supported protocols.
    pub fn eim_configuration_data(
        &self,
        counter: Option<i64>,
        association_token: Option<i64>,
    ) -> EimConfigurationData {
        let cert = |der: &[u8]| Certificate::from_der(der).ok().map(Box::new);
        let bits: Vec<usize> = self
            .supported_protocols
            .iter()
            .filter_map(|n| PROTOCOLS.iter().position(|p| p == n))
            .collect();
        EimConfigurationData {
            eim_id: self.eim_id.clone(),
            eim_fqdn: Some(self.eim_fqdn.clone()),
            eim_id_type: Some(EimIdType::EIM_ID_TYPE_PROPRIETARY),
            counter_value: counter,
            association_token,
            eim_public_key_data: cert(&self.signing_cert_der).map(EimPublicKeyData::EimCertificate),
            trusted_public_key_data_tls: cert(&self.tls_cert_der)
                .map(TrustedPublicKeyDataTls::TrustedCertificateTls),
            eim_supported_protocol: Some(named_bits(&bits)),
            ..Default::default()
        }
    }
}

/// eimSupportedProtocol bit names, by bit number.
const PROTOCOLS: [&str; 5] = [
    "eimRetrieveHttps",
    "eimRetrieveCoaps",
    "eimInjectHttps",
    "eimInjectCoaps",
    "eimProprietary",
];

/// A HandleNotification as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationRecord {
    /// seqNumber.
    #[serde(rename = "seqNumber")]
    pub seq_number: i64,
    /// `profileInstallationResult`, `otherSignedNotification` or their compact forms.
    pub kind: &'static str,
}

/// The reference eIM. `Sync`: share it behind an `Arc` between transport tasks.
#[derive(Debug)]
pub struct Eim {
    config: EimConfig,
    store: Arc<dyn EimStore>,
    next_order: AtomicU64,
    pkis: Mutex<HashMap<u64, Arc<Pki>>>,
    notifications: Mutex<VecDeque<NotificationRecord>>,
    notification_count: AtomicU64,
    relay_sessions: Mutex<relay::RelaySessions>,
    /// Pre-encoded GetEimPackage errors: noEimPackageAvailable, eidNotFound, invalidEid,
    /// missingEid.
    package_errors: [Vec<u8>; 4],
}

impl Eim {
    /// An eIM with an in-memory store.
    pub fn new(config: EimConfig) -> Self {
        Self::with_store(config, Arc::new(MemStore::new()))
    }

    /// An eIM on a given store.
    pub fn with_store(config: EimConfig, store: Arc<dyn EimStore>) -> Self {
        let mut eim = Eim {
            config,
            store,
            next_order: AtomicU64::new(1),
            pkis: Mutex::new(HashMap::new()),
            notifications: Mutex::new(VecDeque::new()),
            notification_count: AtomicU64::new(0),
            relay_sessions: Mutex::new(relay::RelaySessions::default()),
            package_errors: Default::default(),
        };
        eim.package_errors = [1, 2, 3, 4].map(|c| eim.encode_package_error(c));
        eim
    }

    /// The default eIM of the test PKI of `seed` (see [`EimConfig::from_pki`]).
    pub fn from_seed(seed: u64, backend: Backend, faults: EimFaults) -> Result<Self, EimError> {
        let pki = Arc::new(Pki::generate(seed, 0).map_err(|e| EimError::Pki(e.to_string()))?);
        let eim = Eim::new(EimConfig::from_pki(&pki, backend)?.with_faults(faults));
        if let Ok(mut pkis) = eim.pkis.lock() {
            pkis.insert(seed, pki);
        }
        Ok(eim)
    }

    /// Its configuration.
    pub fn eim_config(&self) -> &EimConfig {
        &self.config
    }

    /// Its store.
    pub fn store(&self) -> &Arc<dyn EimStore> {
        &self.store
    }

    /// Whether a fault is on.
    pub fn has_fault(&self, fault: EimFault) -> bool {
        self.config.faults.has(fault)
    }

    /// The Content-Type of ESipa answers (SGP.32 6.1): `application/x-gsma-rsp-asn1`, or
    /// `application/octet-stream` with [`EimFault::WrongContentType`].
    pub fn response_content_type(&self) -> &'static str {
        self.config.response_content_type()
    }

    /// What a device needs for AddInitialEim.
    pub fn config(&self) -> EimPublicConfig {
        let mut public = EimPublicConfig {
            eim_id: self.config.eim_id.clone(),
            eim_fqdn: self.config.fqdn.clone(),
            signing_cert_der: self.config.signing_cert_der.clone(),
            tls_cert_der: self.config.tls_cert_der.clone(),
            supported_protocols: self
                .config
                .supported_protocols
                .iter()
                .filter_map(|b| PROTOCOLS.get(*b).map(|s| s.to_string()))
                .collect(),
            eim_configuration_data: Vec::new(),
        };
        public.eim_configuration_data =
            rasn::der::encode(&public.eim_configuration_data(Some(0), Some(-1)))
                .unwrap_or_default();
        public
    }

    /// Registers (or re-registers, resetting it) one eUICC: EID (valid check digits), the
    /// association token it gave this eIM, the counterValue it starts from, and optionally
    /// CERT.EUICC (DER; e.g. from the eUICC's GetCerts). True when it was new.
    pub fn register_euicc(
        &self,
        eid: Eid,
        association_token: Option<i64>,
        initial_counter: i64,
        certificate: Option<Vec<u8>>,
    ) -> Result<bool, EimError> {
        if !eid.is_valid() {
            return Err(EimError::InvalidEid(eid.to_string()));
        }
        if initial_counter < 0 {
            return Err(EimError::BadRequest(format!(
                "initial counterValue {initial_counter} is negative"
            )));
        }
        let record = DeviceRecord {
            association_token,
            counter: initial_counter,
            cert: certificate
                .map(|der| CertRef::Known(Arc::new(DeviceCert::new(der, None))))
                .unwrap_or_default(),
            ..Default::default()
        };
        Ok(self.store.put_device(*eid.as_bcd(), record))
    }

    /// Registers `count` eUICCs in bulk, as an eUICC maker's device list: EIDs
    /// [`euicc_eid`]`(first_index + i)`, association token 1 (what a virgin eUICC gives its
    /// first eIM), counter 0, certificates derivable on demand from the test PKI of `seed`.
    /// Returns the first and last EID.
    pub fn register_range(
        &self,
        count: u64,
        seed: u64,
        first_index: u64,
    ) -> Result<(Eid, Eid), EimError> {
        if count == 0 || count > MAX_BULK_REGISTRATION {
            return Err(EimError::BadRequest(format!(
                "count must be 1 to {MAX_BULK_REGISTRATION} per request"
            )));
        }
        let eid_of = |i: u64| {
            first_index
                .checked_add(i)
                .ok_or_else(|| EimError::BadRequest("index overflow".into()))
                .and_then(|n| euicc_eid(n).map_err(|e| EimError::BadRequest(e.to_string())))
        };
        let first = eid_of(0)?;
        let last = eid_of(count - 1)?;
        for i in 0..count {
            let eid = eid_of(i)?;
            self.store.put_device(
                *eid.as_bcd(),
                DeviceRecord {
                    association_token: Some(1),
                    cert: CertRef::Derived {
                        seed,
                        index: first_index + i,
                    },
                    ..Default::default()
                },
            );
        }
        Ok((first, last))
    }

    fn order_kind(&self, eid: Eid, kind: OrderKind) -> Result<OrderId, EimError> {
        if !eid.is_valid() {
            return Err(EimError::InvalidEid(eid.to_string()));
        }
        let id = self.next_order.fetch_add(1, Ordering::Relaxed);
        let kind = Arc::new(kind);
        // The order exists before it is queued, so a poll never finds an unknown order.
        self.store.put_order(
            id,
            OrderRecord {
                eid: *eid.as_bcd(),
                kind: kind.clone(),
                state: OrderState::Queued,
                counter: None,
                transaction_id: self.transaction_id(id),
                outcomes: Vec::new(),
                reason: None,
            },
        );
        let queued = self.store.update_device(eid.as_bcd(), &mut |r| {
            r.queue.push_back(store::Queued {
                order_id: id,
                kind: kind.clone(),
            })
        });
        if !queued {
            self.store.update_order(id, &mut |o| {
                o.state = OrderState::Failed;
                o.reason = Some("unknown EID".into());
            });
            return Err(EimError::UnknownEid(eid.to_string()));
        }
        Ok(id)
    }

    /// Orders a PSMO list (one eUICC Package).
    pub fn order_psmos(&self, eid: Eid, psmos: Vec<Psmo>) -> Result<OrderId, EimError> {
        if psmos.is_empty() {
            return Err(EimError::BadRequest("empty PSMO list".into()));
        }
        self.order_kind(eid, OrderKind::Psmo(psmos))
    }

    /// Orders an eCO list (one eUICC Package).
    pub fn order_ecos(&self, eid: Eid, ecos: Vec<Eco>) -> Result<OrderId, EimError> {
        if ecos.is_empty() {
            return Err(EimError::BadRequest("empty eCO list".into()));
        }
        self.order_kind(eid, OrderKind::Eco(ecos))
    }

    /// Orders an IpaEuiccDataRequest with a tag list (e.g. `80BF20BF228384A5A688A9BF2B`).
    pub fn order_euicc_data(&self, eid: Eid, tag_list: Vec<u8>) -> Result<OrderId, EimError> {
        self.order_kind(
            eid,
            OrderKind::EuiccData(Box::new(IpaEuiccDataRequest {
                tag_list: tag_list.into(),
                ..Default::default()
            })),
        )
    }

    /// Orders a ProfileDownloadTriggerRequest with an activation code.
    pub fn order_download_trigger(
        &self,
        eid: Eid,
        activation_code: String,
    ) -> Result<OrderId, EimError> {
        if activation_code.is_empty() || activation_code.len() > 255 {
            return Err(EimError::BadRequest(
                "activation code must be 1 to 255 characters".into(),
            ));
        }
        self.order_kind(eid, OrderKind::Download(Some(activation_code)))
    }

    /// Orders a ProfileDownloadTriggerRequest with contactDefaultSmdp: the IPA downloads from
    /// the eUICC's default SM-DP+ (SGP.32 2.11.1.4; SGP.22 3.1.1 without a matchingId).
    pub fn order_default_smdp_trigger(&self, eid: Eid) -> Result<OrderId, EimError> {
        self.order_kind(eid, OrderKind::Download(None))
    }

    /// An order's state and outcome.
    pub fn order(&self, id: OrderId) -> Option<OrderStatus> {
        self.store.order(id).map(|o| OrderStatus::new(id, &o))
    }

    /// Devices in EID order with their last known state.
    pub fn devices(&self, offset: usize, limit: usize) -> Vec<DeviceStatus> {
        self.store
            .devices(offset, limit)
            .into_iter()
            .map(|(eid, r)| DeviceStatus::new(eid, &r))
            .collect()
    }

    /// The last HandleNotification records (at most [`NOTIFICATION_LOG`]) and the total count.
    pub fn notifications(&self) -> (Vec<NotificationRecord>, u64) {
        let log = self
            .notifications
            .lock()
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default();
        (log, self.notification_count.load(Ordering::Relaxed))
    }

    /// The eimTransactionId of an order (see the module docs).
    pub fn transaction_id(&self, order: OrderId) -> [u8; 16] {
        let digest = provider(self.config.backend).sha256_parts(&[
            b"sgp32-eim-txid",
            self.config.eim_id.as_bytes(),
            &order.to_be_bytes(),
        ]);
        let mut id = [0u8; 16];
        id[..8].copy_from_slice(&order.to_be_bytes());
        id[8..].copy_from_slice(&digest[..8]);
        id
    }

    /// The order an eimTransactionId names, if it is one of ours.
    fn order_of_transaction(&self, txid: &[u8]) -> Option<OrderId> {
        let head: [u8; 8] = txid.get(..8)?.try_into().ok()?;
        let id = u64::from_be_bytes(head);
        (self.transaction_id(id)[..] == *txid).then_some(id)
    }

    /// The test PKI of `seed`, generated once; at most [`MAX_CACHED_PKIS`] are kept (past that
    /// the cache starts over), so results naming many seeds can't grow memory without bound.
    fn pki(&self, seed: u64) -> Result<Arc<Pki>, String> {
        if let Some(p) = self.pkis.lock().ok().and_then(|m| m.get(&seed).cloned()) {
            return Ok(p);
        }
        let pki = Arc::new(Pki::generate(seed, 0).map_err(|e| e.to_string())?);
        if let Ok(mut m) = self.pkis.lock() {
            if m.len() >= MAX_CACHED_PKIS {
                m.clear();
            }
            m.insert(seed, pki.clone());
        }
        Ok(pki)
    }
}

#[cfg(test)]
mod tests;
