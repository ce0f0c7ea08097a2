//! The devices of a load run as rows: a [`DeviceRow`] (28 bytes) per device holds the next
//! intended poll time, the poll count, what the next poll should find and the state of the
//! device's [`CompactEuicc`] (the eUICC issue's compact form) without its index, which is the
//! row's position. A device becomes a full simulated eUICC
//! ([`FleetTemplate::materialise`]) only while a package is executed, and is folded back
//! ([`Euicc::to_compact`](crate::euicc::Euicc::to_compact)) afterwards.
//!
//! Rows live in [`Rows`]: lock-striped vectors (device `i` in stripe `i % STRIPES`), locked only
//! to copy a row in or out; a device is held by at most one worker at a time (it is in exactly
//! one place: the schedule, the dispatch queue, or a worker).

use std::sync::Mutex;

use crate::euicc::{CompactEuicc, FleetTemplate, MAX_TEMPLATE_EIMS};

/// One device (see the module docs). `#[repr(C)]`, 28 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(C)]
pub struct DeviceRow {
    /// Intended start of the next poll, in ticks ([`super::scenario::TICK`]) from the start
    /// of the clock.
    pub due: u32,
    /// Polls made so far.
    pub polls: u32,
    /// The stored counter of the template's first eIM (the SUT).
    pub counter: u32,
    /// The next seqNumber.
    pub next_seq: u32,
    /// Challenges handed out.
    pub challenges: u32,
    /// The next generated association token (the compact form's, at most 255 here).
    pub next_association_token: u8,
    /// Bit s: profile slot s installed.
    pub profiles_present: u8,
    /// Enabled slot + 1 (0: none).
    pub enabled: u8,
    /// Fallback slot + 1 (0: none).
    pub fallback: u8,
    /// Fallback mechanism state (as in [`CompactEuicc`]).
    pub fallback_previous: u8,
    /// Bit e: template eIM e associated.
    pub eims_present: u8,
    /// Bit 0: immediate enabling configured.
    pub flags: u8,
    /// What the next poll should find ([`super::scenario::PackageKind::code`]).
    pub expect: u8,
}

/// Why a compact eUICC does not fit a row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the device state does not fit a load row: {0}")]
pub struct RowError(pub &'static str);

impl DeviceRow {
    /// The row of a compact eUICC (its index is the row's position; `due`, `polls` and
    /// `expect` start at 0).
    pub fn from_compact(c: &CompactEuicc) -> Result<DeviceRow, RowError> {
        if c.eim_counters.iter().skip(1).any(|&x| x != 0) {
            return Err(RowError("a second template eIM has a counter"));
        }
        Ok(DeviceRow {
            due: 0,
            polls: 0,
            counter: c.eim_counters[0],
            next_seq: c.next_seq,
            challenges: c.challenges,
            next_association_token: u8::try_from(c.next_association_token)
                .map_err(|_| RowError("association token above 255"))?,
            profiles_present: c.profiles_present,
            enabled: c.enabled,
            fallback: c.fallback,
            fallback_previous: c.fallback_previous,
            eims_present: c.eims_present,
            flags: c.flags,
            expect: 0,
        })
    }

    /// Keeps `due`, `polls` and `expect`, takes the eUICC state of `c`.
    pub fn update_from(&mut self, c: &CompactEuicc) -> Result<(), RowError> {
        let mut row = DeviceRow::from_compact(c)?;
        row.due = self.due;
        row.polls = self.polls;
        row.expect = self.expect;
        *self = row;
        Ok(())
    }

    /// The compact eUICC of device `index`.
    pub fn to_compact(&self, index: u64) -> CompactEuicc {
        let mut eim_counters = [0u32; MAX_TEMPLATE_EIMS];
        eim_counters[0] = self.counter;
        CompactEuicc {
            index,
            eim_counters,
            next_seq: self.next_seq,
            challenges: self.challenges,
            next_association_token: u32::from(self.next_association_token),
            profiles_present: self.profiles_present,
            enabled: self.enabled,
            fallback: self.fallback,
            fallback_previous: self.fallback_previous,
            eims_present: self.eims_present,
            flags: self.flags,
        }
    }
}

/// Lock stripes of [`Rows`].
pub const STRIPES: usize = 1024;

/// Every device of a run (local ids `0..len`, device index `first_index + id`).
pub struct Rows {
    stripes: Vec<Mutex<Vec<DeviceRow>>>,
    len: u32,
    first_index: u64,
}

impl Rows {
    /// `len` devices of `template`, provisioned, starting at device index `first_index`.
    pub fn provisioned(
        template: &FleetTemplate,
        first_index: u64,
        len: u32,
    ) -> Result<Rows, RowError> {
        let row = DeviceRow::from_compact(&template.provisioned(first_index))?;
        let per = (len as usize).div_ceil(STRIPES);
        let stripes = (0..STRIPES)
            .map(|s| {
                let n = (len as usize).saturating_sub(s).div_ceil(STRIPES).min(per);
                Mutex::new(vec![row; n])
            })
            .collect();
        Ok(Rows {
            stripes,
            len,
            first_index,
        })
    }

    /// How many devices.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The device index of local id `id`.
    pub fn index(&self, id: u32) -> u64 {
        self.first_index + u64::from(id)
    }

    /// A copy of row `id`.
    pub fn get(&self, id: u32) -> Option<DeviceRow> {
        let s = self.stripes.get(id as usize % STRIPES)?;
        s.lock().ok()?.get(id as usize / STRIPES).copied()
    }

    /// Writes row `id`; false when `id` is out of range.
    pub fn set(&self, id: u32, row: DeviceRow) -> bool {
        let Some(s) = self.stripes.get(id as usize % STRIPES) else {
            return false;
        };
        let Ok(mut s) = s.lock() else {
            return false;
        };
        match s.get_mut(id as usize / STRIPES) {
            Some(r) => {
                *r = row;
                true
            }
            None => false,
        }
    }

    /// Bytes held by the rows (without allocator overhead).
    pub fn bytes(&self) -> usize {
        self.len as usize * std::mem::size_of::<DeviceRow>()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::asn1::rsp::Iccid;
    use crate::euicc::{Profile, Settings};
    use crate::pki::Pki;

    pub(crate) fn template() -> FleetTemplate {
        let pki = Arc::new(Pki::generate(11, 0).unwrap());
        let eim = crate::eim::Eim::from_seed(11, crate::crypto::Backend::AwsLc, Default::default())
            .unwrap()
            .config()
            .eim_configuration_data(Some(0), Some(-1));
        FleetTemplate::new(
            pki,
            "8988",
            vec![
                Profile::new(Iccid::default()).enabled(),
                Profile::new(Iccid::default()),
            ],
            vec![eim],
            Settings::default(),
        )
        .unwrap()
    }

    #[test]
    fn a_row_is_28_bytes() {
        assert_eq!(std::mem::size_of::<DeviceRow>(), 28);
        const { assert!(std::mem::size_of::<DeviceRow>() <= 128) };
    }

    #[test]
    fn rows_round_trip_the_compact_form() {
        let t = template();
        let mut c = t.provisioned(77);
        c.eim_counters[0] = 41;
        c.next_seq = 9;
        c.challenges = 3;
        c.enabled = 2;
        let row = DeviceRow::from_compact(&c).unwrap();
        assert_eq!(row.to_compact(77), c);
        let mut bad = c;
        bad.eim_counters[1] = 1;
        assert!(DeviceRow::from_compact(&bad).is_err());
        bad = c;
        bad.next_association_token = 300;
        assert!(DeviceRow::from_compact(&bad).is_err());
        let mut kept = row;
        kept.due = 5;
        kept.polls = 6;
        kept.expect = 1;
        c.eim_counters[0] = 42;
        kept.update_from(&c).unwrap();
        assert_eq!(
            (kept.due, kept.polls, kept.expect, kept.counter),
            (5, 6, 1, 42)
        );
    }

    #[test]
    fn rows_are_striped_and_addressable() {
        let t = template();
        let rows = Rows::provisioned(&t, 100, 5000).unwrap();
        assert_eq!(rows.len(), 5000);
        assert_eq!(rows.index(7), 107);
        let total: usize = rows.stripes.iter().map(|s| s.lock().unwrap().len()).sum();
        assert_eq!(total, 5000);
        let mut r = rows.get(4999).unwrap();
        assert_eq!(r.to_compact(5099), t.provisioned(5099));
        r.polls = 3;
        assert!(rows.set(4999, r));
        assert_eq!(rows.get(4999).unwrap().polls, 3);
        assert!(rows.get(5000).is_none());
        assert!(!rows.set(5000, r));
        // The materialised eUICC of a row is the template's device.
        let e = t
            .materialise(&rows.get(0).unwrap().to_compact(100))
            .unwrap();
        assert_eq!(e.eid(), crate::pki::euicc_eid(100).unwrap());
    }
}
