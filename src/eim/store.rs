//! The eIM's state behind [`EimStore`], and its in-memory implementation [`MemStore`]:
//! 64 shards of `Mutex<HashMap<[u8; 16], DeviceRecord>>` chosen by a hash of the EID, and 64
//! shards of `Mutex<HashMap<u64, OrderRecord>>` for orders. A poll locks one device shard for
//! O(1) work; nothing takes a global lock.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use serde::Serialize;

use crate::asn1::sgp32::{Eco, IpaEuiccDataRequest, Psmo};
use crate::crypto::VerifyingKey;

/// Number of shards of each map.
pub const SHARDS: usize = 64;

/// What an order asks for: one eIM Package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderKind {
    /// An EuiccPackageRequest with a PSMO list.
    Psmo(Vec<Psmo>),
    /// An EuiccPackageRequest with an eCO list.
    Eco(Vec<Eco>),
    /// An IpaEuiccDataRequest (its eimTransactionId is set when the package is built).
    EuiccData(Box<IpaEuiccDataRequest>),
    /// A ProfileDownloadTriggerRequest with an activation code, or with contactDefaultSmdp
    /// (`None`: the eUICC's default SM-DP+).
    Download(Option<String>),
}

impl OrderKind {
    /// `psmo`, `eco`, `euicc-data` or `download`.
    pub fn name(&self) -> &'static str {
        match self {
            OrderKind::Psmo(_) => "psmo",
            OrderKind::Eco(_) => "eco",
            OrderKind::EuiccData(_) => "euicc-data",
            OrderKind::Download(_) => "download",
        }
    }

    /// Whether the package is an eUICC Package (signed, with a counterValue).
    pub fn is_euicc_package(&self) -> bool {
        matches!(self, OrderKind::Psmo(_) | OrderKind::Eco(_))
    }
}

/// An order's life: queued -> delivered (its package was answered to a poll) -> done | failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderState {
    /// Waiting in the device's queue.
    Queued,
    /// Its package was answered to a GetEimPackage; no result yet.
    Delivered,
    /// A result arrived and passed every check.
    Done,
    /// A result arrived and failed a check, or reported an error.
    Failed,
}

/// An order as stored.
#[derive(Debug, Clone)]
pub struct OrderRecord {
    /// The device.
    pub eid: [u8; 16],
    /// What was ordered.
    pub kind: Arc<OrderKind>,
    /// Its state.
    pub state: OrderState,
    /// The counterValue of its eUICC Package, once built.
    pub counter: Option<i64>,
    /// The eimTransactionId of its package.
    pub transaction_id: [u8; 16],
    /// One outcome per operation (or one for the whole package), as JSON.
    pub outcomes: Vec<serde_json::Value>,
    /// Why it failed.
    pub reason: Option<String>,
}

/// The package a device is answered until its result arrives.
#[derive(Debug, Clone)]
pub struct Outstanding {
    /// The order.
    pub order_id: u64,
    /// What it carries.
    pub kind: Arc<OrderKind>,
    /// The encoded answer (`EsipaMessageFromEimToIpa`), repeated byte for byte.
    pub answer: Arc<Vec<u8>>,
    /// Its counterValue (eUICC Packages).
    pub counter: Option<i64>,
    /// Its eimTransactionId.
    pub transaction_id: [u8; 16],
}

/// A queued order: its id and what to build.
#[derive(Debug, Clone)]
pub struct Queued {
    /// The order.
    pub order_id: u64,
    /// What to build.
    pub kind: Arc<OrderKind>,
}

/// An eUICC certificate the eIM knows, with its parsed key and chain verdict cached.
#[derive(Debug)]
pub struct DeviceCert {
    /// CERT.EUICC, DER.
    pub euicc_der: Vec<u8>,
    /// CERT.EUM, DER, when the device delivered it (else the configured EUMs are tried).
    pub eum_der: Option<Vec<u8>>,
    /// The public key, parsed once.
    pub key: OnceLock<Result<VerifyingKey, String>>,
    /// The chain check verdict, computed once.
    pub chain: OnceLock<Result<(), String>>,
}

impl DeviceCert {
    /// A certificate not yet checked.
    pub fn new(euicc_der: Vec<u8>, eum_der: Option<Vec<u8>>) -> Self {
        DeviceCert {
            euicc_der,
            eum_der,
            key: OnceLock::new(),
            chain: OnceLock::new(),
        }
    }
}

/// Where a device's certificate comes from.
#[derive(Debug, Clone, Default)]
pub enum CertRef {
    /// None known.
    #[default]
    None,
    /// Derivable from the test PKI of `seed`, device `index` (bulk registration).
    Derived {
        /// PKI seed.
        seed: u64,
        /// Device index.
        index: u64,
    },
    /// Given at registration or learned from an IpaEuiccDataResponse.
    Known(Arc<DeviceCert>),
}

/// The last known state of a device, from its GetEimPackage requests and accepted results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LastState {
    /// notifyStateChange was present in the last poll.
    pub notify_state_change: bool,
    /// The last stateChangeCause received.
    pub state_change_cause: Option<i64>,
    /// The last rPLMN received.
    pub r_plmn: Option<[u8; 3]>,
    /// Unix seconds of the last poll (0: never).
    pub last_poll: u64,
    /// Number of polls.
    pub polls: u64,
    /// ICCID (EF.ICCID coding) of the profile known to be enabled, from accepted results.
    pub enabled_iccid: Option<[u8; 10]>,
    /// Results accepted.
    pub results_accepted: u32,
    /// Results rejected by a check.
    pub results_rejected: u32,
    /// Notifications received (HandleNotification and notification lists).
    pub notifications: u32,
}

/// One device: the compact per-EID record.
#[derive(Debug, Clone, Default)]
pub struct DeviceRecord {
    /// The association token the eUICC gave this eIM (signed data uses `84 01 00` without).
    pub association_token: Option<i64>,
    /// The last counterValue used.
    pub counter: i64,
    /// The eUICC certificate.
    pub cert: CertRef,
    /// The package answered until its result arrives.
    pub outstanding: Option<Box<Outstanding>>,
    /// The next packages, FIFO.
    pub queue: VecDeque<Queued>,
    /// The eimTransactionId of the last package whose result was processed (a repeated
    /// result is acknowledged again without effect).
    pub last_transaction_id: Option<[u8; 16]>,
    /// Last known state.
    pub state: LastState,
    /// What the device's eUICC data said, for rebuilding the compact download forms.
    pub euicc_info: Option<Box<StoredEuiccInfo>>,
}

/// What the eIM keeps from a device's IpaEuiccData (SGP.32 2.11.1.2) to rebuild the full ES9+
/// requests from the compact ESipa forms of an IPA with minimizeEsipaBytes (see
/// [`super::compact`]); the certificates are kept in [`DeviceRecord::cert`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredEuiccInfo {
    /// euiccInfo1 ('BF20'), DER.
    pub euicc_info1: Option<Vec<u8>>,
    /// euiccInfo2 ('BF22'), DER.
    pub euicc_info2: Option<Vec<u8>>,
    /// ipaCapabilities announced minimizeEsipaBytes (ipaFeatures bit 5).
    pub minimize_esipa_bytes: bool,
}

/// The eIM's state. Closures run under the lock of one shard: keep them short, and never call
/// back into the store from inside one.
pub trait EimStore: Send + Sync + std::fmt::Debug {
    /// Inserts or replaces a device; true when it was new.
    fn put_device(&self, eid: [u8; 16], record: DeviceRecord) -> bool;
    /// Runs `f` on the device's record; false when the EID is unknown.
    fn update_device(&self, eid: &[u8; 16], f: &mut dyn FnMut(&mut DeviceRecord)) -> bool;
    /// Number of devices.
    fn device_count(&self) -> usize;
    /// Devices in EID order, `offset` and `limit` applied (O(n log n): an admin view).
    fn devices(&self, offset: usize, limit: usize) -> Vec<([u8; 16], DeviceRecord)>;
    /// Inserts an order.
    fn put_order(&self, id: u64, order: OrderRecord);
    /// Runs `f` on an order; false when unknown.
    fn update_order(&self, id: u64, f: &mut dyn FnMut(&mut OrderRecord)) -> bool;
    /// A copy of an order.
    fn order(&self, id: u64) -> Option<OrderRecord>;
}

/// The in-memory [`EimStore`].
#[derive(Debug)]
pub struct MemStore {
    devices: Vec<Mutex<HashMap<[u8; 16], DeviceRecord>>>,
    orders: Vec<Mutex<HashMap<u64, OrderRecord>>>,
}

impl Default for MemStore {
    fn default() -> Self {
        MemStore {
            devices: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            orders: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
        }
    }
}

/// FNV-1a over the EID: the shard index.
fn eid_shard(eid: &[u8; 16]) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in eid {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h % SHARDS as u64) as usize
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic under the lock leaves plain data; keep serving.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl MemStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn device_shard(&self, eid: &[u8; 16]) -> &Mutex<HashMap<[u8; 16], DeviceRecord>> {
        &self.devices[eid_shard(eid)]
    }

    fn order_shard(&self, id: u64) -> &Mutex<HashMap<u64, OrderRecord>> {
        &self.orders[(id % SHARDS as u64) as usize]
    }
}

impl EimStore for MemStore {
    fn put_device(&self, eid: [u8; 16], record: DeviceRecord) -> bool {
        lock(self.device_shard(&eid)).insert(eid, record).is_none()
    }

    fn update_device(&self, eid: &[u8; 16], f: &mut dyn FnMut(&mut DeviceRecord)) -> bool {
        match lock(self.device_shard(eid)).get_mut(eid) {
            Some(r) => {
                f(r);
                true
            }
            None => false,
        }
    }

    fn device_count(&self) -> usize {
        self.devices.iter().map(|s| lock(s).len()).sum()
    }

    fn devices(&self, offset: usize, limit: usize) -> Vec<([u8; 16], DeviceRecord)> {
        let mut eids: Vec<[u8; 16]> = self
            .devices
            .iter()
            .flat_map(|s| lock(s).keys().copied().collect::<Vec<_>>())
            .collect();
        eids.sort_unstable();
        eids.into_iter()
            .skip(offset)
            .take(limit)
            .filter_map(|eid| {
                lock(self.device_shard(&eid))
                    .get(&eid)
                    .map(|r| (eid, r.clone()))
            })
            .collect()
    }

    fn put_order(&self, id: u64, order: OrderRecord) {
        lock(self.order_shard(id)).insert(id, order);
    }

    fn update_order(&self, id: u64, f: &mut dyn FnMut(&mut OrderRecord)) -> bool {
        match lock(self.order_shard(id)).get_mut(&id) {
            Some(o) => {
                f(o);
                true
            }
            None => false,
        }
    }

    fn order(&self, id: u64) -> Option<OrderRecord> {
        lock(self.order_shard(id)).get(&id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_record_is_compact() {
        // 184 bytes today (+16 for the EID key, + the map overhead): ~210 MB per million EIDs.
        let size = std::mem::size_of::<DeviceRecord>();
        assert!(size <= 192, "{size}");
    }

    #[test]
    fn shards_spread_and_lookups_work() {
        let store = MemStore::new();
        let mut used = std::collections::HashSet::new();
        for i in 0..1000u64 {
            let mut eid = [0u8; 16];
            eid[8..].copy_from_slice(&i.to_be_bytes());
            used.insert(eid_shard(&eid));
            assert!(store.put_device(eid, DeviceRecord::default()));
        }
        assert_eq!(used.len(), SHARDS);
        assert_eq!(store.device_count(), 1000);
        let mut eid = [0u8; 16];
        eid[15] = 5;
        assert!(store.update_device(&eid, &mut |r| r.counter = 9));
        assert!(!store.update_device(&[9; 16], &mut |_| ()));
        let page = store.devices(5, 2);
        assert_eq!(page.len(), 2);
        assert_eq!(page[0].0, eid);
        assert_eq!(page[0].1.counter, 9);
        assert!(!store.put_device(eid, DeviceRecord::default()));
    }
}
