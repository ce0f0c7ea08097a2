//! The schedule: a time wheel over the run's clock. Bucket `b` holds the local ids of the
//! devices whose next poll is intended in `[b * width, (b + 1) * width)`; the dispatcher
//! takes the buckets in order, when their time comes, sorts each by the rows' exact intended
//! times and hands the ids to the workers (who wait until the exact intended time before they
//! send). A device whose next poll falls after the end of the run is not scheduled at all.
//!
//! Insertion races with the dispatcher are settled under the bucket's lock: the dispatcher
//! advances `next` while it holds the lock of the bucket it takes, so an insertion that finds
//! `next` past its bucket retries in bucket `next` (due already: dispatched at once).

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Most buckets of a wheel (the bucket width grows with the run's duration).
pub const MAX_BUCKETS: u64 = 200_000;

/// The time wheel (see the module docs).
pub struct Wheel {
    buckets: Vec<Mutex<Vec<u32>>>,
    /// Width of a bucket in ticks.
    width: u64,
    /// The end of the run in ticks (exclusive).
    end: u64,
    /// The next bucket the dispatcher takes.
    next: AtomicUsize,
}

impl Wheel {
    /// A wheel for a run of `end` ticks: buckets of at least 10 ticks (1 ms).
    pub fn new(end: u64) -> Wheel {
        let width = end.div_ceil(MAX_BUCKETS).max(10);
        let n = end.div_ceil(width).max(1) as usize;
        Wheel {
            buckets: (0..n).map(|_| Mutex::new(Vec::new())).collect(),
            width,
            end,
            next: AtomicUsize::new(0),
        }
    }

    /// How many buckets.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    /// Whether the wheel has no buckets (never: at least one).
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// Bucket width in ticks.
    pub fn width(&self) -> u64 {
        self.width
    }

    /// Schedules device `id` at tick `due`; false (not scheduled) when `due` is at or after
    /// the end of the run, or the dispatcher is done.
    pub fn insert(&self, id: u32, due: u64) -> bool {
        if due >= self.end {
            return false;
        }
        let mut b = (due / self.width) as usize;
        loop {
            b = b.max(self.next.load(Ordering::Acquire));
            let Some(bucket) = self.buckets.get(b) else {
                return false;
            };
            let Ok(mut guard) = bucket.lock() else {
                return false;
            };
            if self.next.load(Ordering::Acquire) > b {
                continue;
            }
            guard.push(id);
            return true;
        }
    }

    /// Takes bucket `b` (the dispatcher, in order); `None` past the last bucket.
    pub fn take(&self, b: usize) -> Option<Vec<u32>> {
        let bucket = self.buckets.get(b)?;
        let mut guard = bucket.lock().ok()?;
        self.next.store(b + 1, Ordering::Release);
        Some(std::mem::take(&mut *guard))
    }

    /// The start of bucket `b` in ticks.
    pub fn start_of(&self, b: usize) -> u64 {
        b as u64 * self.width
    }

    /// Devices still scheduled (not yet taken).
    pub fn pending(&self) -> usize {
        let from = self.next.load(Ordering::Acquire);
        self.buckets
            .iter()
            .skip(from)
            .map(|b| b.lock().map(|g| g.len()).unwrap_or(0))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_come_out_in_bucket_order_and_late_ones_go_to_the_next_bucket() {
        let w = Wheel::new(1_000);
        assert_eq!((w.width(), w.len()), (10, 100));
        assert!(w.insert(1, 25));
        assert!(w.insert(2, 5));
        assert!(w.insert(3, 29));
        assert!(!w.insert(4, 1_000));
        assert_eq!(w.pending(), 3);
        assert_eq!(w.take(0).unwrap(), vec![2]);
        assert_eq!(w.take(1).unwrap(), Vec::<u32>::new());
        // Due in a bucket already taken: goes to the next one.
        assert!(w.insert(5, 3));
        assert_eq!(w.take(2).unwrap(), vec![1, 3, 5]);
        assert_eq!(w.start_of(2), 20);
        for b in 3..100 {
            assert!(w.take(b).unwrap().is_empty());
        }
        assert!(w.take(100).is_none());
        assert!(!w.insert(6, 999));
    }

    #[test]
    fn long_runs_get_wider_buckets() {
        let w = Wheel::new(36_000_000);
        assert!(w.len() as u64 <= MAX_BUCKETS);
        assert_eq!(w.width(), 180);
    }
}
