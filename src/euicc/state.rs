//! The eUICC's state and its builder.

use std::cell::OnceCell;
use std::sync::Arc;
use std::time::Duration;

use rasn::types::{BitString, ObjectIdentifier};

use super::{EuiccError, Faults, Settings};
use crate::asn1::pkix::Certificate;
use crate::asn1::rsp::{
    Iccid, NotificationConfigurationInformation, NotificationMetadata, ProfileClass,
    RulesAuthorisationTable, TransactionId,
};
use crate::asn1::sgp32::{
    EimConfigurationData, EimPublicKeyData, EuiccPackageResult, EuiccResultData, named_bits,
};
use crate::crypto::{Curve, SigningKey, VerifyingKey, provider};
use crate::pki::{Eid, Pki, build::key_identifier};

/// One profile on the eUICC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// ICCID (EF.ICCID coding).
    pub iccid: Iccid,
    /// ISD-P AID.
    pub isdp_aid: Vec<u8>,
    /// Enabled or disabled.
    pub enabled: bool,
    /// Profile class.
    pub class: ProfileClass,
    /// fallbackAttribute: this is the Fallback Profile.
    pub fallback: bool,
    /// fallbackAllowed of the metadata (`Some(false)`: may not become the Fallback Profile).
    pub fallback_allowed: Option<bool>,
    /// ecallIndication.
    pub ecall_indication: Option<bool>,
    /// PPR1: may not be disabled.
    pub ppr1: bool,
    /// PPR2: may not be deleted.
    pub ppr2: bool,
    /// serviceProviderName.
    pub service_provider_name: String,
    /// profileName.
    pub profile_name: String,
    /// profileNickname.
    pub nickname: Option<String>,
    /// Where which notifications go.
    pub notification_configuration: Vec<NotificationConfigurationInformation>,
}

impl Profile {
    /// A disabled operational profile with no notification configuration.
    pub fn new(iccid: Iccid) -> Self {
        let digits = iccid.digits();
        Profile {
            iccid,
            isdp_aid: Vec::new(),
            enabled: false,
            class: ProfileClass::OPERATIONAL,
            fallback: false,
            fallback_allowed: None,
            ecall_indication: None,
            ppr1: false,
            ppr2: false,
            service_provider_name: "sgp32-harness".into(),
            profile_name: format!("Profile {digits}"),
            nickname: None,
            notification_configuration: Vec::new(),
        }
    }

    /// Enabled.
    pub fn enabled(mut self) -> Self {
        self.enabled = true;
        self
    }

    /// With the fallback attribute.
    pub fn fallback(mut self) -> Self {
        self.fallback = true;
        self
    }

    /// Of class `class`.
    pub fn class(mut self, class: ProfileClass) -> Self {
        self.class = class;
        self
    }

    /// Notifications for the events `bits` (0 install, 1 enable, 2 disable, 3 delete) go to
    /// `address`.
    pub fn notify(mut self, bits: &[usize], address: &str) -> Self {
        self.notification_configuration
            .push(NotificationConfigurationInformation {
                profile_management_operation: named_bits(bits),
                notification_address: address.to_owned(),
                extensions: Default::default(),
            });
        self
    }
}

/// An associated eIM.
#[derive(Debug, Clone)]
pub struct AssociatedEim {
    /// The configuration as received (counterValue and associationToken as first given).
    pub config: EimConfigurationData,
    /// The stored counter (the last accepted counterValue, initially the configured one).
    pub counter: i64,
    /// The association token (generated when the configuration asked with -1).
    pub association_token: Option<i64>,
    /// The package-signing key, parsed once.
    pub key: Option<VerifyingKey>,
}

/// The immediate-enable configuration (SGP.32 5.9.17).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImmediateEnableConfig {
    /// immediateEnableFlag.
    pub enabled: bool,
    /// defaultSmdpOid.
    pub default_smdp_oid: Option<ObjectIdentifier>,
    /// defaultSmdpAddress.
    pub default_smdp_address: Option<String>,
}

/// What ProfileRollback reverts to (set by a package whose enable had rollbackFlag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollbackPoint {
    /// The eIM of the package.
    pub eim_id: String,
    /// Its counterValue.
    pub counter: i64,
    /// Its eimTransactionId.
    pub eim_transaction_id: Option<TransactionId>,
    /// The association token of the eIM when the package ran.
    pub association_token: Option<i64>,
    /// The eimSignature TLV of the package (v1.0 signing input).
    pub eim_signature_tlv: Vec<u8>,
    /// The profile enabled before the package.
    pub previous: Option<Iccid>,
    /// The results of the package.
    pub results: Vec<EuiccResultData>,
}

/// The fallback mechanism is active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FallbackState {
    /// The profile enabled before ExecuteFallbackMechanism.
    pub previous: Option<Iccid>,
}

/// A pending notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingItem {
    /// An eUICC Package Result (`euiccPackageResultList`).
    PackageResult {
        /// Its seqNumber.
        seq_number: i64,
        /// The result as returned.
        result: EuiccPackageResult,
    },
    /// A ProfileInstallationResult (LoadBoundProfilePackage), signed.
    Pir {
        /// Its seqNumber.
        seq_number: i64,
        /// The PIR as returned.
        result: Box<crate::asn1::sgp32::ProfileInstallationResult>,
    },
    /// An OtherSignedNotification; the certificates are attached on retrieval.
    Other {
        /// tbsOtherNotification.
        metadata: NotificationMetadata,
        /// euiccNotificationSignature.
        signature: Vec<u8>,
    },
}

impl PendingItem {
    /// The seqNumber.
    pub fn seq_number(&self) -> i64 {
        match self {
            PendingItem::PackageResult { seq_number, .. } => *seq_number,
            PendingItem::Pir { seq_number, .. } => *seq_number,
            PendingItem::Other { metadata, .. } => metadata.seq_number,
        }
    }
}

/// CERT.EUICC and CERT.EUM, DER and decoded.
#[derive(Debug, Clone)]
pub struct EuiccCerts {
    /// CERT.EUICC.SIG, DER.
    pub euicc_der: Vec<u8>,
    /// CERT.EUM, DER.
    pub eum_der: Vec<u8>,
    /// CERT.EUICC.SIG.
    pub euicc: Certificate,
    /// CERT.EUM.
    pub eum: Certificate,
}

/// Where the certificates come from: given, or issued by the PKI on first use.
#[derive(Debug, Clone)]
pub(crate) struct CertSource {
    pub(crate) pki: Option<Arc<Pki>>,
    pub(crate) serial_index: u64,
    /// The private scalar of SK.EUICC.SIG: the certificate's public key is computed from it
    /// only when a certificate is issued (a materialised fleet device that executes a PSMO
    /// never needs it).
    pub(crate) scalar: DeviceScalar,
    pub(crate) cell: OnceCell<Result<Arc<EuiccCerts>, String>>,
}

/// A private scalar (test material derived from the PKI seed), not shown by `Debug`.
#[derive(Clone)]
pub(crate) struct DeviceScalar(pub(crate) [u8; 32]);

impl std::fmt::Debug for DeviceScalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceScalar(..)")
    }
}

impl CertSource {
    pub(crate) fn get(&self, eid: Eid) -> Result<Arc<EuiccCerts>, String> {
        self.cell
            .get_or_init(|| {
                let pki = self.pki.as_ref().ok_or("no PKI and no certificates")?;
                let key = p256::ecdsa::SigningKey::from_slice(&self.scalar.0)
                    .map_err(|e| format!("eUICC key: {e}"))?;
                let cred = pki
                    .issue_euicc(self.serial_index, eid, key)
                    .map_err(|e| e.to_string())?;
                certs(cred.cert_der, pki.eum.cert_der.clone()).map(Arc::new)
            })
            .clone()
    }
}

fn certs(euicc_der: Vec<u8>, eum_der: Vec<u8>) -> Result<EuiccCerts, String> {
    let euicc = Certificate::from_der(&euicc_der).map_err(|e| e.to_string())?;
    let eum = Certificate::from_der(&eum_der).map_err(|e| e.to_string())?;
    Ok(EuiccCerts {
        euicc_der,
        eum_der,
        euicc,
        eum,
    })
}

/// The simulated eUICC. See the module docs.
#[derive(Debug, Clone)]
pub struct Euicc {
    pub(crate) eid: Eid,
    pub(crate) device_index: u64,
    pub(crate) key: SigningKey,
    pub(crate) certs: CertSource,
    pub(crate) ci_pk_ids: Vec<Vec<u8>>,
    pub(crate) settings: Settings,
    pub(crate) faults: Faults,
    pub(crate) profiles: Vec<Profile>,
    pub(crate) eims: Vec<AssociatedEim>,
    pub(crate) default_dp_address: Option<String>,
    pub(crate) root_ds_address: String,
    pub(crate) immediate_enable: ImmediateEnableConfig,
    pub(crate) pending: Vec<PendingItem>,
    pub(crate) next_seq: i64,
    pub(crate) next_association_token: i64,
    pub(crate) rollback: Option<RollbackPoint>,
    pub(crate) fallback_active: Option<FallbackState>,
    pub(crate) last_installed: Option<Iccid>,
    pub(crate) rat: RulesAuthorisationTable,
    pub(crate) challenge_seed: u64,
    pub(crate) challenges: u64,
    pub(crate) last_challenge: Option<[u8; 16]>,
    pub(crate) session: Option<super::download::DownloadSession>,
    pub(crate) bpp_buffer: Option<Vec<u8>>,
}

impl Euicc {
    /// A builder for eUICC number `index` of `pki` (its key, EID and certificate).
    pub fn builder(pki: Arc<Pki>, index: u64) -> EuiccBuilder {
        EuiccBuilder {
            pki,
            index,
            eid: None,
            profiles: Vec::new(),
            eims: Vec::new(),
            settings: Settings::default(),
            faults: Faults::default(),
            default_dp_address: None,
            root_ds_address: "lpa.ds.gsma.com".into(),
            installed: None,
            challenge_seed: index,
            rat: Vec::new(),
        }
    }

    /// The EID.
    pub fn eid(&self) -> Eid {
        self.eid
    }

    /// The device index (in the PKI and the fleet).
    pub fn device_index(&self) -> u64 {
        self.device_index
    }

    /// The profiles.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// The associated eIMs.
    pub fn eims(&self) -> &[AssociatedEim] {
        &self.eims
    }

    /// The pending notifications, by seqNumber.
    pub fn pending(&self) -> &[PendingItem] {
        &self.pending
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Changes the settings (e.g. the backend; the key is re-imported).
    pub fn set_settings(&mut self, settings: Settings) -> Result<(), EuiccError> {
        if settings.backend != self.settings.backend {
            let scalar = self.key.to_scalar_bytes()?;
            self.key = provider(settings.backend).signing_key_from_scalar(Curve::P256, &scalar)?;
        }
        self.settings = settings;
        Ok(())
    }

    /// The fault knobs, to change.
    pub fn faults_mut(&mut self) -> &mut Faults {
        &mut self.faults
    }

    /// How long the driver should wait before delivering an answer ([`Faults::delay`]).
    pub fn delay(&self) -> Duration {
        self.faults.delay
    }

    /// The default SM-DP+ address.
    pub fn default_dp_address(&self) -> Option<&str> {
        self.default_dp_address.as_deref()
    }

    /// The immediate-enable configuration.
    pub fn immediate_enable(&self) -> &ImmediateEnableConfig {
        &self.immediate_enable
    }

    /// The rollback point, if ProfileRollback is available.
    pub fn rollback_point(&self) -> Option<&RollbackPoint> {
        self.rollback.as_ref()
    }

    /// Whether the fallback mechanism is active.
    pub fn fallback_state(&self) -> Option<&FallbackState> {
        self.fallback_active.as_ref()
    }

    /// CERT.EUICC and CERT.EUM (issued on first use).
    pub fn certs(&self) -> Result<Arc<EuiccCerts>, String> {
        self.certs.get(self.eid)
    }

    /// The public key of SK.EUICC.
    pub fn verifying_key(&self) -> Result<VerifyingKey, crate::crypto::CryptoError> {
        self.key.verifying_key()
    }

    /// The index of the enabled profile.
    pub fn enabled_index(&self) -> Option<usize> {
        self.profiles.iter().position(|p| p.enabled)
    }

    pub(crate) fn profile_index(&self, iccid: &Iccid) -> Option<usize> {
        self.profiles.iter().position(|p| &p.iccid == iccid)
    }

    pub(crate) fn eim_index(&self, eim_id: &str) -> Option<usize> {
        self.eims.iter().position(|e| e.config.eim_id == eim_id)
    }

    pub(crate) fn next_seq_number(&mut self) -> i64 {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.saturating_add(1);
        seq
    }
}

/// Parses the eIM key of a configuration with `backend`: `Ok(None)` when absent.
pub(crate) fn eim_key(
    config: &EimConfigurationData,
    backend: crate::crypto::Backend,
) -> Result<Option<VerifyingKey>, String> {
    let p = provider(backend);
    match &config.eim_public_key_data {
        None => Ok(None),
        Some(EimPublicKeyData::EimPublicKey(spki)) => {
            let der = rasn::der::encode(spki).map_err(|e| e.to_string())?;
            p.verifying_key_from_spki_der(&der)
                .map(Some)
                .map_err(|e| e.to_string())
        }
        Some(EimPublicKeyData::EimCertificate(cert)) => {
            let der = rasn::der::encode(cert.as_ref()).map_err(|e| e.to_string())?;
            p.verifying_key_from_certificate_der(&der)
                .map(Some)
                .map_err(|e| e.to_string())
        }
    }
}

/// Builds an [`Euicc`].
#[derive(Debug, Clone)]
pub struct EuiccBuilder {
    pki: Arc<Pki>,
    index: u64,
    eid: Option<Eid>,
    profiles: Vec<Profile>,
    eims: Vec<EimConfigurationData>,
    settings: Settings,
    faults: Faults,
    default_dp_address: Option<String>,
    root_ds_address: String,
    installed: Option<Iccid>,
    challenge_seed: u64,
    rat: RulesAuthorisationTable,
}

impl EuiccBuilder {
    /// Another EID than the PKI's for this index (e.g. the vectors' test EID); the certificate
    /// is issued for it by the PKI's EUM.
    pub fn eid(mut self, eid: Eid) -> Self {
        self.eid = Some(eid);
        self
    }

    /// Adds a profile.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profiles.push(profile);
        self
    }

    /// Associates an eIM at provisioning (its counterValue is the stored counter; an
    /// associationToken of -1 takes the next generated one).
    pub fn eim(mut self, config: EimConfigurationData) -> Self {
        self.eims.push(config);
        self
    }

    /// Settings.
    pub fn settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Fault knobs.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// The default SM-DP+ address.
    pub fn default_dp_address(mut self, address: &str) -> Self {
        self.default_dp_address = Some(address.to_owned());
        self
    }

    /// Marks a profile as just installed (for ImmediateEnable).
    pub fn installed(mut self, iccid: Iccid) -> Self {
        self.installed = Some(iccid);
        self
    }

    /// The seed of the challenge stream (default: the device index).
    pub fn challenge_seed(mut self, seed: u64) -> Self {
        self.challenge_seed = seed;
        self
    }

    /// The RAT returned by GetRAT and the getRAT PSMO.
    pub fn rat(mut self, rat: RulesAuthorisationTable) -> Self {
        self.rat = rat;
        self
    }

    /// Builds the eUICC (no certificate work: certificates are issued on first use).
    pub fn build(self) -> Result<Euicc, EuiccError> {
        let scalar = self.pki.euicc_scalar(self.index);
        let eid = match self.eid {
            Some(eid) => eid,
            None => crate::pki::euicc_eid(self.index)?,
        };
        let key = provider(self.settings.backend).signing_key_from_scalar(Curve::P256, &scalar)?;
        if self.profiles.iter().filter(|p| p.enabled).count() > 1 {
            return Err(EuiccError::Profiles("more than one enabled profile"));
        }
        if self.profiles.iter().filter(|p| p.fallback).count() > 1 {
            return Err(EuiccError::Profiles("more than one fallback profile"));
        }
        for (i, p) in self.profiles.iter().enumerate() {
            if self.profiles[..i].iter().any(|q| q.iccid == p.iccid) {
                return Err(EuiccError::Profiles("repeated ICCID"));
            }
        }
        let ci_point = provider(self.settings.backend)
            .verifying_key_from_certificate_der(&self.pki.ci.cert_der)?
            .to_sec1_uncompressed();
        let mut euicc = Euicc {
            eid,
            device_index: self.index,
            key,
            certs: CertSource {
                pki: Some(self.pki.clone()),
                serial_index: self.index,
                scalar: DeviceScalar(scalar),
                cell: OnceCell::new(),
            },
            ci_pk_ids: vec![key_identifier(&ci_point)],
            settings: self.settings,
            faults: self.faults,
            profiles: self
                .profiles
                .into_iter()
                .enumerate()
                .map(|(i, mut p)| {
                    if p.isdp_aid.is_empty() {
                        p.isdp_aid = isdp_aid(i);
                    }
                    p
                })
                .collect(),
            eims: Vec::new(),
            default_dp_address: self.default_dp_address,
            root_ds_address: self.root_ds_address,
            immediate_enable: ImmediateEnableConfig::default(),
            pending: Vec::new(),
            next_seq: 1,
            next_association_token: 1,
            rollback: None,
            fallback_active: None,
            last_installed: self.installed,
            rat: self.rat,
            challenge_seed: self.challenge_seed,
            challenges: 0,
            last_challenge: None,
            session: None,
            bpp_buffer: None,
        };
        for config in self.eims {
            let key =
                eim_key(&config, euicc.settings.backend).map_err(|reason| EuiccError::Eim {
                    eim_id: config.eim_id.clone(),
                    reason,
                })?;
            let association_token = match config.association_token {
                Some(-1) => {
                    let t = euicc.next_association_token;
                    euicc.next_association_token += 1;
                    Some(t)
                }
                other => other,
            };
            euicc.eims.push(AssociatedEim {
                counter: config.counter_value.unwrap_or(0),
                association_token,
                key,
                config,
            });
        }
        Ok(euicc)
    }
}

/// The ISD-P AID pattern of the profile slots: `A0000005591010FFFFFFFF8900 00 1x 00`, the usual
/// ISD-P AIDs. Only bytes 14 and 15 (1-based) vary, so SGP.32's
/// `CompactSuccessResult.compactAid` (bytes 14 and 15) identifies the ISD-P; an eIM rebuilding a
/// compact PIR puts them back into this pattern (**\[guess\]**: SGP.32 names the two bytes, not
/// the rest of the AID).
pub const ISDP_AID_TEMPLATE: [u8; 16] = [
    0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x10, 0x00,
];

/// The ISD-P AID of profile slot `i`: [`ISDP_AID_TEMPLATE`] with byte 15 (1-based) `0x10 + i`
/// (slot 0: `...8900001000`, slot 1: `...8900001100`; it wraps after 240 slots, far beyond any
/// eUICC's profile count).
pub(crate) fn isdp_aid(i: usize) -> Vec<u8> {
    let mut aid = ISDP_AID_TEMPLATE;
    aid[14] = aid[14].wrapping_add(i as u8);
    aid.to_vec()
}

/// A NotificationEvent with bit `bit` set.
pub(crate) fn event_bits(bit: usize) -> BitString {
    named_bits(&[bit])
}
