//! Block-wise transfer (RFC 7959) and the Request-Tag option (RFC 9175), both ends.
//!
//! SGP.32 6.2 (the notes, 1.3): an ESipa message that does not fit one datagram travels in
//! blocks, Block1 for the request and Block2 for the response, with a Request-Tag tying the
//! request blocks together. The block option's NUM is 20 bits (RFC 7959 2.2, up to 3 bytes);
//! nothing here caps it at 16 bits (coap-lite's own helper does).
//!
//! Server side: [`Block1Store`] reassembles request bodies per (peer, Request-Tag): blocks
//! carrying different Request-Tags never mix (RFC 9175 3.3); [`Block2Store`] keeps the bodies of
//! large responses for the client to fetch block by block, per (peer, token).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The Request-Tag option number (RFC 9175 3.2).
pub const REQUEST_TAG: u16 = 292;
/// The Block2 option number (RFC 7959 2.1).
pub const BLOCK2: u16 = 23;
/// The Block1 option number (RFC 7959 2.1).
pub const BLOCK1: u16 = 27;
/// The Size1 option number (RFC 7959 4).
pub const SIZE1: u16 = 60;
/// The Size2 option number (RFC 7959 4).
pub const SIZE2: u16 = 28;
/// The ETag option number (RFC 7252 5.10.6).
pub const ETAG: u16 = 4;
/// Largest block NUM (20 bits, RFC 7959 2.2).
pub const MAX_NUM: u32 = (1 << 20) - 1;

/// Why a block option is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    /// More than 3 bytes (RFC 7959 2.2).
    #[error("block option of {0} bytes (at most 3)")]
    TooLong(usize),
    /// SZX 7 is reserved (RFC 7959 2.2).
    #[error("block option with the reserved SZX 7")]
    ReservedSzx,
    /// A block size that is not a power of two between 16 and 1024.
    #[error("block size {0} is not a power of two from 16 to 1024")]
    BadSize(usize),
}

/// A Block1 or Block2 option value (RFC 7959 2.2): block number, more flag, size exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockOpt {
    /// NUM: the block's number (20 bits).
    pub num: u32,
    /// M: more blocks follow.
    pub more: bool,
    /// SZX: the block size is `16 << szx` (0..=6).
    pub szx: u8,
}

impl BlockOpt {
    /// The block size in bytes.
    pub fn size(&self) -> usize {
        16usize << self.szx
    }

    /// The offset of the block's first byte.
    pub fn offset(&self) -> usize {
        (self.num as usize).saturating_mul(self.size())
    }

    /// Decodes an option value (0 to 3 bytes, big-endian).
    pub fn decode(bytes: &[u8]) -> Result<BlockOpt, BlockError> {
        if bytes.len() > 3 {
            return Err(BlockError::TooLong(bytes.len()));
        }
        let v = bytes.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
        let szx = (v & 7) as u8;
        if szx == 7 {
            return Err(BlockError::ReservedSzx);
        }
        Ok(BlockOpt {
            num: v >> 4,
            more: v & 8 != 0,
            szx,
        })
    }

    /// Encodes the value in the fewest bytes (zero bytes for NUM 0, M 0, SZX 0).
    pub fn encode(&self) -> Vec<u8> {
        let v = (self.num.min(MAX_NUM) << 4) | (u32::from(self.more) << 3) | u32::from(self.szx);
        uint_bytes(v)
    }
}

/// An unsigned integer option value in the fewest bytes (RFC 7252 3.2).
pub fn uint_bytes(v: u32) -> Vec<u8> {
    let b = v.to_be_bytes();
    let skip = b.iter().take_while(|x| **x == 0).count();
    b.get(skip..).unwrap_or_default().to_vec()
}

/// Decodes an unsigned integer option value (at most 4 bytes; longer is `None`).
pub fn uint_value(bytes: &[u8]) -> Option<u32> {
    (bytes.len() <= 4).then(|| bytes.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b)))
}

/// The SZX of a block size (16, 32, ..., 1024).
pub fn szx_for(size: usize) -> Result<u8, BlockError> {
    match size {
        16 => Ok(0),
        32 => Ok(1),
        64 => Ok(2),
        128 => Ok(3),
        256 => Ok(4),
        512 => Ok(5),
        1024 => Ok(6),
        other => Err(BlockError::BadSize(other)),
    }
}

/// Block `num` of `body` cut in blocks of `16 << szx` bytes, and whether more follow.
/// `None` when the block starts beyond the body (block 0 of an empty body is empty).
pub fn slice(body: &[u8], num: u32, szx: u8) -> Option<(&[u8], BlockOpt)> {
    let size = 16usize << szx;
    let start = (num as usize).checked_mul(size)?;
    if start > body.len() || (start == body.len() && num > 0) {
        return None;
    }
    let end = start.saturating_add(size).min(body.len());
    let chunk = body.get(start..end)?;
    Some((
        chunk,
        BlockOpt {
            num,
            more: end < body.len(),
            szx,
        },
    ))
}

/// What one Block1 block did to its reassembly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block1Outcome {
    /// Stored; more blocks expected: answer 2.31 Continue echoing this option.
    Continue(BlockOpt),
    /// The last block: the whole body.
    Complete(Vec<u8>),
    /// Not the block expected next (none started, a gap, a size change mid-way): 4.08.
    Incomplete(String),
    /// The body would exceed the limit: 4.13 with Size1 = the limit.
    TooLarge,
}

struct Partial {
    body: Vec<u8>,
    touched: Instant,
}

/// Reassemblies (and Block2 bodies) kept at once at most; beyond, the least recently used is
/// dropped (its client gets 4.08 for its next block and starts again).
pub const MAX_PARTIAL: usize = 1024;

/// Server-side Block1 reassembly, one body per (peer, Request-Tag) (RFC 7959 2.5, RFC 9175 3.3).
pub struct Block1Store {
    max_body: usize,
    lifetime: Duration,
    partial: HashMap<(SocketAddr, Vec<u8>), Partial>,
}

impl Block1Store {
    /// A store refusing bodies over `max_body` bytes and forgetting reassemblies idle for
    /// `lifetime`.
    pub fn new(max_body: usize, lifetime: Duration) -> Block1Store {
        Block1Store {
            max_body,
            lifetime,
            partial: HashMap::new(),
        }
    }

    /// Reassemblies in progress.
    pub fn len(&self) -> usize {
        self.partial.len()
    }

    /// Whether none is in progress.
    pub fn is_empty(&self) -> bool {
        self.partial.is_empty()
    }

    /// Adds one block of the request from `peer` tagged `tag` (empty: no Request-Tag);
    /// `size1` is the Size1 the client announced, if any.
    pub fn add(
        &mut self,
        peer: SocketAddr,
        tag: &[u8],
        block: BlockOpt,
        payload: &[u8],
        size1: Option<u32>,
    ) -> Block1Outcome {
        let now = Instant::now();
        let lifetime = self.lifetime;
        self.partial
            .retain(|_, p| now.duration_since(p.touched) < lifetime);
        if size1.is_some_and(|s| s as usize > self.max_body) {
            self.partial.remove(&(peer, tag.to_vec()));
            return Block1Outcome::TooLarge;
        }
        if block.more && payload.len() != block.size() {
            return Block1Outcome::Incomplete(format!(
                "block {} carries {} bytes, not its size {}",
                block.num,
                payload.len(),
                block.size()
            ));
        }
        let key = (peer, tag.to_vec());
        let offset = block.offset();
        if block.num == 0 {
            // A new body (or the restart of one) under this Request-Tag.
            if self.partial.len() >= MAX_PARTIAL && !self.partial.contains_key(&key) {
                let oldest = self
                    .partial
                    .iter()
                    .min_by_key(|(_, p)| p.touched)
                    .map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    self.partial.remove(&k);
                }
            }
            self.partial.insert(
                key.clone(),
                Partial {
                    body: Vec::new(),
                    touched: now,
                },
            );
        }
        let Some(partial) = self.partial.get_mut(&key) else {
            return Block1Outcome::Incomplete(format!(
                "block {} with no block 0 before it under this Request-Tag",
                block.num
            ));
        };
        if offset != partial.body.len() {
            let have = partial.body.len();
            if offset < have && offset.saturating_add(payload.len()) <= have {
                // A block repeated with a new message id: already stored.
                return if block.more {
                    Block1Outcome::Continue(block)
                } else {
                    Block1Outcome::Incomplete("the last block repeated".into())
                };
            }
            self.partial.remove(&key);
            return Block1Outcome::Incomplete(format!(
                "block {} starts at byte {offset}, expected byte {have}",
                block.num
            ));
        }
        if offset.saturating_add(payload.len()) > self.max_body {
            self.partial.remove(&key);
            return Block1Outcome::TooLarge;
        }
        partial.body.extend_from_slice(payload);
        partial.touched = now;
        if block.more {
            Block1Outcome::Continue(block)
        } else {
            match self.partial.remove(&key) {
                Some(p) => Block1Outcome::Complete(p.body),
                None => Block1Outcome::Incomplete("reassembly lost".into()),
            }
        }
    }
}

/// A large response kept for its Block2 continuation requests.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    /// The response code (raw byte, e.g. 0x44 for 2.04).
    pub code: u8,
    /// The whole body.
    pub body: Vec<u8>,
    /// The ETag sent with every block.
    pub etag: Vec<u8>,
    touched: Instant,
}

/// Server-side Block2 bodies, per (peer, token) (RFC 7959 2.4).
pub struct Block2Store {
    lifetime: Duration,
    stored: HashMap<(SocketAddr, Vec<u8>), StoredResponse>,
    next_etag: u32,
}

impl Block2Store {
    /// A store forgetting bodies not fetched for `lifetime`.
    pub fn new(lifetime: Duration) -> Block2Store {
        Block2Store {
            lifetime,
            stored: HashMap::new(),
            next_etag: 1,
        }
    }

    /// Keeps `body` for `(peer, token)`; returns its ETag.
    pub fn put(&mut self, peer: SocketAddr, token: &[u8], code: u8, body: Vec<u8>) -> Vec<u8> {
        let now = Instant::now();
        let lifetime = self.lifetime;
        self.stored
            .retain(|_, s| now.duration_since(s.touched) < lifetime);
        if self.stored.len() >= MAX_PARTIAL {
            // Bounded: the least recently fetched body goes (its client gets 4.08).
            let oldest = self
                .stored
                .iter()
                .min_by_key(|(_, s)| s.touched)
                .map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                self.stored.remove(&k);
            }
        }
        let etag = self.next_etag.to_be_bytes().to_vec();
        self.next_etag = self.next_etag.wrapping_add(1);
        self.stored.insert(
            (peer, token.to_vec()),
            StoredResponse {
                code,
                body,
                etag: etag.clone(),
                touched: now,
            },
        );
        etag
    }

    /// The body kept for `(peer, token)`.
    pub fn get(&mut self, peer: SocketAddr, token: &[u8]) -> Option<&StoredResponse> {
        let s = self.stored.get_mut(&(peer, token.to_vec()))?;
        s.touched = Instant::now();
        Some(s)
    }

    /// Forgets the body of `(peer, token)` (its last block was fetched).
    pub fn remove(&mut self, peer: SocketAddr, token: &[u8]) {
        self.stored.remove(&(peer, token.to_vec()));
    }

    /// Bodies kept.
    pub fn len(&self) -> usize {
        self.stored.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.stored.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(port: u16) -> SocketAddr {
        ([127, 0, 0, 1], port).into()
    }

    #[test]
    fn block_option_known_answers() {
        // RFC 7959 2.2: NUM 0, M 0, SZX 0 is the empty value; NUM 1 M 1 SZX 6 = 0x1E.
        assert_eq!(
            BlockOpt::decode(&[]).unwrap(),
            BlockOpt {
                num: 0,
                more: false,
                szx: 0
            }
        );
        let b = BlockOpt {
            num: 1,
            more: true,
            szx: 6,
        };
        assert_eq!(b.encode(), vec![0x1e]);
        assert_eq!(BlockOpt::decode(&[0x1e]).unwrap(), b);
        assert_eq!(b.size(), 1024);
        assert_eq!(b.offset(), 1024);
        // NUM beyond 16 bits takes 3 bytes and survives the round trip.
        let big = BlockOpt {
            num: 70_000,
            more: false,
            szx: 0,
        };
        assert_eq!(big.encode().len(), 3);
        assert_eq!(BlockOpt::decode(&big.encode()).unwrap(), big);
        let max = BlockOpt {
            num: MAX_NUM,
            more: true,
            szx: 2,
        };
        assert_eq!(BlockOpt::decode(&max.encode()).unwrap(), max);
        assert_eq!(BlockOpt::decode(&[0x07]), Err(BlockError::ReservedSzx));
        assert_eq!(BlockOpt::decode(&[1, 2, 3, 4]), Err(BlockError::TooLong(4)));
        assert_eq!(szx_for(1024), Ok(6));
        assert_eq!(szx_for(16), Ok(0));
        assert_eq!(szx_for(100), Err(BlockError::BadSize(100)));
        assert_eq!(uint_bytes(0), Vec::<u8>::new());
        assert_eq!(uint_bytes(0x1234), vec![0x12, 0x34]);
        assert_eq!(uint_value(&[0x12, 0x34]), Some(0x1234));
        assert_eq!(uint_value(&[1, 2, 3, 4, 5]), None);
    }

    #[test]
    fn slicing_covers_the_body_exactly() {
        let body: Vec<u8> = (0..100u8).collect();
        let (a, oa) = slice(&body, 0, 1).unwrap();
        assert_eq!((a.len(), oa.more), (32, true));
        let (d, od) = slice(&body, 3, 1).unwrap();
        assert_eq!((d, od.more), (&body[96..], false));
        assert!(slice(&body, 4, 1).is_none());
        assert_eq!(slice(&[], 0, 0).unwrap().0, &[] as &[u8]);
        // A body of exactly two blocks: the second says no more.
        let two = [0u8; 32];
        assert!(!slice(&two, 1, 0).unwrap().1.more);
        assert!(slice(&two, 2, 0).is_none());
    }

    #[test]
    fn request_tags_keep_reassemblies_apart() {
        let mut s = Block1Store::new(1000, Duration::from_secs(10));
        let b = |num, more| BlockOpt { num, more, szx: 0 };
        let p = peer(1);
        assert_eq!(
            s.add(p, b"A", b(0, true), &[b'a'; 16], None),
            Block1Outcome::Continue(b(0, true))
        );
        assert_eq!(
            s.add(p, b"B", b(0, true), &[b'b'; 16], None),
            Block1Outcome::Continue(b(0, true))
        );
        assert_eq!(s.len(), 2);
        let Block1Outcome::Complete(a) = s.add(p, b"A", b(1, false), b"aa", None) else {
            panic!("A not complete");
        };
        assert_eq!(a, [vec![b'a'; 16], b"aa".to_vec()].concat());
        let Block1Outcome::Complete(bb) = s.add(p, b"B", b(1, false), b"bb", None) else {
            panic!("B not complete");
        };
        assert_eq!(bb, [vec![b'b'; 16], b"bb".to_vec()].concat());
        assert!(s.is_empty());
        // Another peer with the same tag is another body.
        s.add(p, b"A", b(0, true), &[1; 16], None);
        assert!(matches!(
            s.add(peer(2), b"A", b(1, false), b"x", None),
            Block1Outcome::Incomplete(_)
        ));
    }

    #[test]
    fn gaps_wrong_sizes_and_oversize_are_refused() {
        let mut s = Block1Store::new(40, Duration::from_secs(10));
        let b = |num, more| BlockOpt { num, more, szx: 0 };
        let p = peer(1);
        assert!(matches!(
            s.add(p, b"", b(1, true), &[0; 16], None),
            Block1Outcome::Incomplete(_)
        ));
        s.add(p, b"", b(0, true), &[0; 16], None);
        assert!(matches!(
            s.add(p, b"", b(2, true), &[0; 16], None),
            Block1Outcome::Incomplete(_)
        ));
        assert!(matches!(
            s.add(p, b"", b(0, true), &[0; 15], None),
            Block1Outcome::Incomplete(_)
        ));
        assert_eq!(
            s.add(p, b"", b(0, true), &[0; 16], Some(41)),
            Block1Outcome::TooLarge
        );
        s.add(p, b"", b(0, true), &[0; 16], None);
        s.add(p, b"", b(1, true), &[0; 16], None);
        // A repeated middle block is taken as already stored.
        assert_eq!(
            s.add(p, b"", b(1, true), &[0; 16], None),
            Block1Outcome::Continue(b(1, true))
        );
        assert_eq!(
            s.add(p, b"", b(2, true), &[0; 16], None),
            Block1Outcome::TooLarge
        );
    }

    #[test]
    fn reassemblies_are_bounded() {
        let mut s = Block1Store::new(1000, Duration::from_secs(10));
        let b0 = BlockOpt {
            num: 0,
            more: true,
            szx: 0,
        };
        for port in 0..(MAX_PARTIAL as u16 + 10) {
            s.add(peer(port), b"t", b0, &[0; 16], None);
        }
        assert_eq!(s.len(), MAX_PARTIAL);
        // The first ones were dropped: their next block is incomplete.
        let b1 = BlockOpt {
            num: 1,
            more: false,
            szx: 0,
        };
        assert!(matches!(
            s.add(peer(0), b"t", b1, b"x", None),
            Block1Outcome::Incomplete(_)
        ));
        let last = peer(MAX_PARTIAL as u16 + 9);
        assert!(matches!(
            s.add(last, b"t", b1, b"x", None),
            Block1Outcome::Complete(_)
        ));
    }

    #[test]
    fn block2_store_keys_by_peer_and_token() {
        let mut s = Block2Store::new(Duration::from_secs(10));
        let e1 = s.put(peer(1), b"t", 0x44, vec![1; 100]);
        let e2 = s.put(peer(1), b"u", 0x44, vec![2; 100]);
        assert_ne!(e1, e2);
        assert_eq!(s.get(peer(1), b"t").unwrap().body, vec![1; 100]);
        assert!(s.get(peer(2), b"t").is_none());
        s.remove(peer(1), b"t");
        assert_eq!(s.len(), 1);
    }
}
