//! The compact form of a fleet eUICC: a [`FleetTemplate`] (seed, profile slots, eIM
//! configuration set at provisioning, settings) shared by every device, and a
//! [`CompactEuicc`] per device (device index, counters, profile state bits). The load
//! generator holds millions of `CompactEuicc` and materialises one [`Euicc`] only while it
//! executes a package, then folds it back ([`Euicc::to_compact`]).
//!
//! What the compact form keeps: which template profiles are still installed, which one is
//! enabled, which one has the fallback attribute, the fallback mechanism state, the immediate
//! enable flag, which template eIMs are still associated and their counters, the next
//! seqNumber, the next association token and the challenge count. What it does not keep:
//! pending notifications (dropped on folding: the load generator forwards results at once) and
//! the certificates (rebuilt on demand from the seed). State outside the template (a rollback
//! point, an eIM added or updated by an eCO, a changed default SM-DP+ address, ...) cannot be
//! folded: [`Euicc::to_compact`] answers [`CompactError::NotRepresentable`].

use std::cell::OnceCell;
use std::sync::Arc;

use super::state::{
    AssociatedEim, CertSource, DeviceScalar, Euicc, FallbackState, ImmediateEnableConfig, Profile,
    eim_key, isdp_aid,
};
use super::{EuiccError, Faults, Settings};
use crate::asn1::rsp::Iccid;
use crate::asn1::sgp32::EimConfigurationData;
use crate::crypto::{Curve, VerifyingKey, provider};
use crate::pki::{Pki, build::key_identifier};

/// Most profile slots of a template.
pub const MAX_TEMPLATE_PROFILES: usize = 8;
/// Most eIMs of a template.
pub const MAX_TEMPLATE_EIMS: usize = 4;

/// Errors of the compact form.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum CompactError {
    /// The eUICC has state the compact form cannot hold.
    #[error("state not representable in the compact form: {0}")]
    NotRepresentable(&'static str),
    /// The device belongs to another template.
    #[error("the device does not follow this template: {0}")]
    WrongTemplate(&'static str),
}

/// One fleet device in a few bytes (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct CompactEuicc {
    /// Device index (PKI key, EID, certificate serial, ICCIDs).
    pub index: u64,
    /// The stored counter of each template eIM.
    pub eim_counters: [u32; MAX_TEMPLATE_EIMS],
    /// The next seqNumber.
    pub next_seq: u32,
    /// How many challenges were handed out (the challenge stream position).
    pub challenges: u32,
    /// The next generated association token.
    pub next_association_token: u32,
    /// Bit s: profile slot s is installed.
    pub profiles_present: u8,
    /// The enabled slot + 1, 0 for none.
    pub enabled: u8,
    /// The Fallback Profile's slot + 1, 0 for none.
    pub fallback: u8,
    /// Fallback mechanism: 0 inactive, 1 active with no previous profile, slot + 2.
    pub fallback_previous: u8,
    /// Bit e: template eIM e is associated.
    pub eims_present: u8,
    /// Bit 0: immediate enabling configured.
    pub flags: u8,
}

/// What every device of a fleet shares.
#[derive(Debug, Clone)]
pub struct FleetTemplate {
    pki: Arc<Pki>,
    /// ICCID digits prefix (4 digits); slot and index follow.
    iccid_prefix: String,
    profiles: Vec<Profile>,
    eims: Vec<AssociatedEim>,
    settings: Settings,
    default_dp_address: Option<String>,
    ci_pk_ids: Vec<Vec<u8>>,
}

impl FleetTemplate {
    /// A template: `profiles` are the slots (their ICCIDs are replaced by
    /// [`FleetTemplate::iccid`]), `eims` the eIM configuration set at provisioning (an
    /// associationToken of -1 takes tokens 1, 2, ... in order on every device).
    pub fn new(
        pki: Arc<Pki>,
        iccid_prefix: &str,
        profiles: Vec<Profile>,
        eims: Vec<EimConfigurationData>,
        settings: Settings,
    ) -> Result<FleetTemplate, EuiccError> {
        if profiles.len() > MAX_TEMPLATE_PROFILES {
            return Err(EuiccError::Profiles("too many template profiles"));
        }
        if profiles.iter().filter(|p| p.enabled).count() > 1 {
            return Err(EuiccError::Profiles("more than one enabled profile"));
        }
        if profiles.iter().filter(|p| p.fallback).count() > 1 {
            return Err(EuiccError::Profiles("more than one fallback profile"));
        }
        if eims.len() > MAX_TEMPLATE_EIMS {
            return Err(EuiccError::Eim {
                eim_id: String::new(),
                reason: "too many template eIMs".into(),
            });
        }
        if iccid_prefix.len() != 4 || !iccid_prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EuiccError::Profiles("the ICCID prefix must be 4 digits"));
        }
        let mut next_token = 1;
        let mut associated = Vec::with_capacity(eims.len());
        for config in eims {
            let key = eim_key(&config, settings.backend).map_err(|reason| EuiccError::Eim {
                eim_id: config.eim_id.clone(),
                reason,
            })?;
            let association_token = match config.association_token {
                Some(-1) => {
                    next_token += 1;
                    Some(next_token - 1)
                }
                other => other,
            };
            associated.push(AssociatedEim {
                counter: config.counter_value.unwrap_or(0),
                association_token,
                key,
                config,
            });
        }
        let ci_point = provider(settings.backend)
            .verifying_key_from_certificate_der(&pki.ci.cert_der)?
            .to_sec1_uncompressed();
        Ok(FleetTemplate {
            pki,
            iccid_prefix: iccid_prefix.to_owned(),
            profiles,
            eims: associated,
            settings,
            default_dp_address: None,
            ci_pk_ids: vec![key_identifier(&ci_point)],
        })
    }

    /// The ICCID of profile slot `slot` on device `index`: prefix, two slot digits, 14 index
    /// digits (the index modulo 10^14).
    pub fn iccid(&self, index: u64, slot: usize) -> Iccid {
        let digits = format!(
            "{}{:02}{:014}",
            self.iccid_prefix,
            slot % 100,
            index % 100_000_000_000_000
        );
        Iccid::from_digits(&digits).unwrap_or_default()
    }

    /// The state of device `index` right after provisioning.
    pub fn provisioned(&self, index: u64) -> CompactEuicc {
        let mut counters = [0u32; MAX_TEMPLATE_EIMS];
        for (c, e) in counters.iter_mut().zip(&self.eims) {
            *c = u32::try_from(e.counter).unwrap_or(0);
        }
        let slot_of =
            |f: fn(&Profile) -> bool| self.profiles.iter().position(f).map_or(0, |s| s as u8 + 1);
        CompactEuicc {
            index,
            eim_counters: counters,
            next_seq: 1,
            challenges: 0,
            next_association_token: 1 + self
                .eims
                .iter()
                .filter(|e| e.config.association_token == Some(-1))
                .count() as u32,
            profiles_present: ((1u16 << self.profiles.len()) - 1) as u8,
            enabled: slot_of(|p| p.enabled),
            fallback: slot_of(|p| p.fallback),
            fallback_previous: 0,
            eims_present: ((1u16 << self.eims.len()) - 1) as u8,
            flags: 0,
        }
    }

    /// The template eIM configurations as the eIMs know them (with the generated tokens).
    pub fn eims(&self) -> &[AssociatedEim] {
        &self.eims
    }

    /// Rebuilds the full eUICC of `compact` (its key is derived from the seed; the
    /// certificates are issued only if asked for).
    pub fn materialise(&self, compact: &CompactEuicc) -> Result<Euicc, EuiccError> {
        let index = compact.index;
        let scalar = self.pki.euicc_scalar(index);
        let key = provider(self.settings.backend).signing_key_from_scalar(Curve::P256, &scalar)?;
        let eid = crate::pki::euicc_eid(index)?;
        let profiles = self
            .profiles
            .iter()
            .enumerate()
            .filter(|(s, _)| compact.profiles_present & (1 << s) != 0)
            .map(|(s, p)| {
                let mut p = p.clone();
                p.iccid = self.iccid(index, s);
                p.isdp_aid = isdp_aid(s);
                p.enabled = usize::from(compact.enabled) == s + 1;
                p.fallback = usize::from(compact.fallback) == s + 1;
                p
            })
            .collect();
        let eims = self
            .eims
            .iter()
            .enumerate()
            .filter(|(e, _)| compact.eims_present & (1 << e) != 0)
            .map(|(e, eim)| AssociatedEim {
                counter: i64::from(compact.eim_counters[e]),
                ..eim.clone()
            })
            .collect();
        let fallback_active = match compact.fallback_previous {
            0 => None,
            1 => Some(FallbackState { previous: None }),
            n => Some(FallbackState {
                previous: Some(self.iccid(index, usize::from(n) - 2)),
            }),
        };
        Ok(Euicc {
            eid,
            device_index: index,
            key,
            certs: CertSource {
                pki: Some(self.pki.clone()),
                serial_index: index,
                scalar: DeviceScalar(scalar),
                cell: OnceCell::new(),
            },
            ci_pk_ids: self.ci_pk_ids.clone(),
            settings: self.settings.clone(),
            faults: Faults::default(),
            profiles,
            eims,
            default_dp_address: self.default_dp_address.clone(),
            root_ds_address: "lpa.ds.gsma.com".into(),
            immediate_enable: ImmediateEnableConfig {
                enabled: compact.flags & 1 != 0,
                ..Default::default()
            },
            pending: Vec::new(),
            next_seq: i64::from(compact.next_seq),
            next_association_token: i64::from(compact.next_association_token),
            rollback: None,
            fallback_active,
            last_installed: None,
            rat: Vec::new(),
            challenge_seed: index,
            challenges: u64::from(compact.challenges),
            last_challenge: None,
            session: None,
            bpp_buffer: None,
        })
    }

    fn slot_of(&self, index: u64, iccid: &Iccid) -> Option<usize> {
        (0..self.profiles.len()).find(|&s| &self.iccid(index, s) == iccid)
    }
}

impl Euicc {
    /// Folds a device of `template` back into its compact form (pending notifications are
    /// dropped; see the module docs for what cannot be folded).
    pub fn to_compact(&self, template: &FleetTemplate) -> Result<CompactEuicc, CompactError> {
        use CompactError::NotRepresentable as No;
        let index = self.device_index;
        if self.eid != crate::pki::euicc_eid(index).map_err(|_| No("EID"))? {
            return Err(CompactError::WrongTemplate("EID"));
        }
        if self.rollback.is_some() {
            return Err(No("rollback point"));
        }
        if self.last_installed.is_some() {
            return Err(No("last installed profile"));
        }
        if self.default_dp_address != template.default_dp_address {
            return Err(No("default SM-DP+ address"));
        }
        if self.immediate_enable.default_smdp_oid.is_some()
            || self.immediate_enable.default_smdp_address.is_some()
        {
            return Err(No("immediate enable SM-DP+ data"));
        }
        let mut c = CompactEuicc {
            index,
            next_seq: u32::try_from(self.next_seq).map_err(|_| No("seqNumber"))?,
            challenges: u32::try_from(self.challenges).map_err(|_| No("challenge count"))?,
            next_association_token: u32::try_from(self.next_association_token)
                .map_err(|_| No("association token"))?,
            flags: u8::from(self.immediate_enable.enabled),
            ..Default::default()
        };
        let mut last_slot = None;
        for p in &self.profiles {
            let slot = template
                .slot_of(index, &p.iccid)
                .ok_or(CompactError::WrongTemplate("profile"))?;
            if last_slot.is_some_and(|l| l >= slot) {
                return Err(No("profile order"));
            }
            last_slot = Some(slot);
            c.profiles_present |= 1 << slot;
            if p.enabled {
                c.enabled = slot as u8 + 1;
            }
            if p.fallback {
                c.fallback = slot as u8 + 1;
            }
        }
        c.fallback_previous = match &self.fallback_active {
            None => 0,
            Some(FallbackState { previous: None }) => 1,
            Some(FallbackState {
                previous: Some(iccid),
            }) => {
                template
                    .slot_of(index, iccid)
                    .ok_or(No("fallback previous"))? as u8
                    + 2
            }
        };
        let mut last_eim = None;
        for eim in &self.eims {
            let e = template
                .eims
                .iter()
                .position(|t| t.config.eim_id == eim.config.eim_id)
                .ok_or(No("eIM outside the template"))?;
            let t = &template.eims[e];
            if last_eim.is_some_and(|l| l >= e)
                || t.association_token != eim.association_token
                || !same_key(&t.key, &eim.key)
                || t.config.eim_fqdn != eim.config.eim_fqdn
            {
                return Err(No("eIM configuration changed"));
            }
            last_eim = Some(e);
            c.eims_present |= 1 << e;
            c.eim_counters[e] = u32::try_from(eim.counter).map_err(|_| No("counter"))?;
        }
        Ok(c)
    }
}

fn same_key(a: &Option<VerifyingKey>, b: &Option<VerifyingKey>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.to_sec1_uncompressed() == b.to_sec1_uncompressed(),
        _ => false,
    }
}
