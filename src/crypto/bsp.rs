//! SCP03t, the BSP (bound profile package) segment protection of SGP.22 2.6.4.3-2.6.4.5 and 5.5:
//! AES-128-CBC encryption with a per-segment ICV, C-MAC with MAC chaining.
//!
//! The rules are on [`Bsp`].

use super::{Aes128Key, CmacKey, CryptoError, CryptoProvider, Result, SessionKeys, ct_eq};

/// Length of the truncated C-MAC carried in each segment.
pub const MAC_LEN: usize = 8;

/// Size of the protected segments (tag, length, data, C-MAC) that [`Bsp::protect_split`] makes:
/// 1020 bytes, as in the `ppk_segments` known answers. [`Bsp::protect`] and [`Bsp::unprotect`]
/// accept larger segments (up to a 65535-byte value): the `bpp_decode` package of the same KAT
/// file carries 1036-byte segments.
pub const MAX_SEGMENT_LEN: usize = 1020;

/// Whether a segment is encrypted (`86`, `87`) or MAC-only (`88`, StoreMetadata).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    /// Encrypted and MACed (`encrypt_and_mac`).
    Encrypted,
    /// MACed only.
    MacOnly,
}

impl SegmentKind {
    /// The kind SGP.22 uses for a BPP segment tag: `88` is MAC-only, others are encrypted.
    pub fn of_tag(tag: u8) -> SegmentKind {
        if tag == 0x88 {
            SegmentKind::MacOnly
        } else {
            SegmentKind::Encrypted
        }
    }
}

/// One SCP03t session: S-ENC, S-MAC, the MAC chaining value and the segment counter.
///
/// Rules (all reproduced by `shared/spec/vectors/bsp/scp03t-kat.json`):
/// - **Counter / ICV**: a segment counter starts at 1 for a new key set and is incremented by one
///   for *every* segment, encrypted or MAC-only. The ICV of an encrypted segment is
///   `AES-ECB(S-ENC, counter as a 16-byte big-endian block)`.
/// - **Padding**: `80` then `00` bytes up to a multiple of 16, always added (a 16-byte plaintext
///   gets a whole block of padding).
/// - **C-MAC**: `CMAC(S-MAC, MCV || tag || length || data)` where `length` is the BER length of
///   `data || C-MAC` (short form, `81 xx` or `82 xx xx`), `data` the ciphertext (or the plaintext
///   for MAC-only segments); the segment is `tag || length || data || CMAC[0..8]` and the full
///   16-byte CMAC becomes the next MAC chaining value (MCV).
/// - After ReplaceSessionKeys (PPK), a new [`Bsp`] starts with the PPK keys and their initial MCV,
///   counter 1.
///
/// Every operation either succeeds and advances the state, or fails and leaves it unchanged.
#[derive(Debug, Clone)]
pub struct Bsp {
    enc: Aes128Key,
    mac: CmacKey,
    mcv: [u8; 16],
    counter: u64,
}

fn structure(msg: impl Into<String>) -> CryptoError {
    CryptoError::Scp03tStructure(msg.into())
}

fn push_ber_len(out: &mut Vec<u8>, len: usize) -> Result<()> {
    match len {
        0..=0x7F => out.push(len as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, len as u8]),
        0x100..=0xFFFF => out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]),
        _ => return Err(structure(format!("segment value of {len} bytes"))),
    }
    Ok(())
}

/// Splits a segment into (header = tag and length, value). The length must describe exactly
/// the rest of the segment and be minimally encoded.
fn split_segment(segment: &[u8]) -> Result<(usize, &[u8])> {
    let (&tag, rest) = segment
        .split_first()
        .ok_or_else(|| structure("empty segment"))?;
    if tag & 0x1F == 0x1F {
        return Err(structure(format!("multi-byte tag {tag:02X}..")));
    }
    let (&l0, rest) = rest
        .split_first()
        .ok_or_else(|| structure("truncated: no length"))?;
    let (len, rest, minimal) = match l0 {
        0x00..=0x7F => (usize::from(l0), rest, true),
        0x81 => match rest {
            [l1, tail @ ..] => (usize::from(*l1), tail, *l1 >= 0x80),
            _ => return Err(structure("truncated length")),
        },
        0x82 => match rest {
            [l1, l2, tail @ ..] => {
                let len = usize::from(*l1) << 8 | usize::from(*l2);
                (len, tail, len >= 0x100)
            }
            _ => return Err(structure("truncated length")),
        },
        _ => return Err(structure(format!("unsupported length byte {l0:02X}"))),
    };
    if !minimal {
        return Err(structure("non-minimal length encoding"));
    }
    if rest.len() != len {
        return Err(structure(format!(
            "length {len} but {} bytes of value",
            rest.len()
        )));
    }
    Ok((segment.len() - len, rest))
}

impl Bsp {
    /// A new session with `keys` (S-ENC, S-MAC, initial MCV, or the PPK set), counter 1.
    pub fn new(provider: &dyn CryptoProvider, keys: &SessionKeys) -> Result<Self> {
        Ok(Bsp {
            enc: provider.aes128(&keys.s_enc)?,
            mac: provider.cmac_aes128(&keys.s_mac)?,
            mcv: keys.initial_mcv,
            counter: 1,
        })
    }

    /// The current MAC chaining value.
    pub fn mac_chaining_value(&self) -> [u8; 16] {
        self.mcv
    }

    /// The counter of the next segment (1 for the first).
    pub fn segment_counter(&self) -> u64 {
        self.counter
    }

    /// Largest plaintext of one encrypted segment (1007 bytes: 1020 with padding and C-MAC).
    pub const MAX_ENCRYPTED_PLAINTEXT: usize = 1007;

    /// Largest payload of one MAC-only segment (1008 bytes).
    pub const MAX_MAC_ONLY_PAYLOAD: usize = 1008;

    fn icv(&self) -> Result<[u8; 16]> {
        let mut block = [0u8; 16];
        block[8..].copy_from_slice(&self.counter.to_be_bytes());
        self.enc.encrypt_block(&mut block)?;
        Ok(block)
    }

    fn next_counter(&self) -> Result<u64> {
        self.counter
            .checked_add(1)
            .ok_or_else(|| structure("segment counter exhausted"))
    }

    /// MAC `header || data`, build the segment, advance the state.
    fn finish(&mut self, mut segment: Vec<u8>) -> Result<Vec<u8>> {
        let next = self.next_counter()?;
        let mac = self.mac.mac(&[&self.mcv, &segment])?;
        segment.extend_from_slice(&mac[..MAC_LEN]);
        self.mcv = mac;
        self.counter = next;
        Ok(segment)
    }

    fn header(tag: u8, value_len: usize) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(value_len + 4);
        out.push(tag);
        push_ber_len(&mut out, value_len)?;
        Ok(out)
    }

    /// Encrypts and MACs one segment (`encrypt_and_mac`): `tag || L || AES-CBC(pad(plain)) ||
    /// C-MAC`. Use [`Self::protect_split`] to cut data into segments of [`MAX_SEGMENT_LEN`].
    pub fn protect(&mut self, tag: u8, plaintext: &[u8]) -> Result<Vec<u8>> {
        let padded_len = (plaintext.len() / 16 + 1) * 16;
        let mut segment = Self::header(tag, padded_len + MAC_LEN)?;
        let start = segment.len();
        segment.extend_from_slice(plaintext);
        segment.push(0x80);
        segment.resize(start + padded_len, 0);
        let icv = self.icv()?;
        self.enc.cbc_encrypt_in_place(&icv, &mut segment[start..])?;
        self.finish(segment)
    }

    /// MACs one segment without encrypting it (StoreMetadata, tag `88`): `tag || L || data ||
    /// C-MAC`. The segment counter advances as for an encrypted segment.
    pub fn protect_mac_only(&mut self, tag: u8, data: &[u8]) -> Result<Vec<u8>> {
        let mut segment = Self::header(tag, data.len() + MAC_LEN)?;
        segment.extend_from_slice(data);
        self.finish(segment)
    }

    /// Protects `data` as one or more segments of at most [`MAX_SEGMENT_LEN`] bytes.
    pub fn protect_split(
        &mut self,
        kind: SegmentKind,
        tag: u8,
        data: &[u8],
    ) -> Result<Vec<Vec<u8>>> {
        let chunk = match kind {
            SegmentKind::Encrypted => Self::MAX_ENCRYPTED_PLAINTEXT,
            SegmentKind::MacOnly => Self::MAX_MAC_ONLY_PAYLOAD,
        };
        let mut out = Vec::with_capacity(data.len() / chunk + 1);
        for part in data.chunks(chunk) {
            out.push(match kind {
                SegmentKind::Encrypted => self.protect(tag, part)?,
                SegmentKind::MacOnly => self.protect_mac_only(tag, part)?,
            });
        }
        Ok(out)
    }

    /// Checks the C-MAC of a segment; returns (value without the C-MAC, full new MCV).
    fn check_mac<'a>(&self, segment: &'a [u8]) -> Result<(&'a [u8], [u8; 16])> {
        let (header_len, value) = split_segment(segment)?;
        if value.len() < MAC_LEN {
            return Err(structure("segment shorter than its C-MAC"));
        }
        let (covered, received) = segment.split_at(segment.len() - MAC_LEN);
        let mac = self.mac.mac(&[&self.mcv, covered])?;
        if !ct_eq(&mac[..MAC_LEN], received) {
            return Err(CryptoError::Scp03tMac);
        }
        let data = &covered[header_len..];
        Ok((data, mac))
    }

    /// Verifies and decrypts one encrypted segment (`86`/`87` TLV); returns the plaintext.
    /// Errors: bad TLV or length (structure), wrong C-MAC, ciphertext not a multiple of 16,
    /// bad `80 00..` padding. On error the state is unchanged.
    pub fn unprotect(&mut self, segment: &[u8]) -> Result<Vec<u8>> {
        let next = self.next_counter()?;
        let (data, mac) = self.check_mac(segment)?;
        if data.is_empty() || !data.len().is_multiple_of(16) {
            return Err(structure(format!(
                "ciphertext of {} bytes is not a non-empty multiple of 16",
                data.len()
            )));
        }
        let mut plain = data.to_vec();
        let icv = self.icv()?;
        self.enc.cbc_decrypt_in_place(&icv, &mut plain)?;
        // Strict '80 00..' padding inside the last block.
        let last = plain
            .iter()
            .rposition(|&b| b != 0)
            .ok_or(CryptoError::Scp03tPadding)?;
        if plain.get(last) != Some(&0x80) || plain.len() - last > 16 {
            return Err(CryptoError::Scp03tPadding);
        }
        plain.truncate(last);
        self.mcv = mac;
        self.counter = next;
        Ok(plain)
    }

    /// Verifies one MAC-only segment (`88` TLV); returns its data.
    pub fn unprotect_mac_only(&mut self, segment: &[u8]) -> Result<Vec<u8>> {
        let next = self.next_counter()?;
        let (data, mac) = self.check_mac(segment)?;
        let data = data.to_vec();
        self.mcv = mac;
        self.counter = next;
        Ok(data)
    }

    /// [`Self::unprotect`] or [`Self::unprotect_mac_only`] by the segment's tag
    /// ([`SegmentKind::of_tag`]).
    pub fn unprotect_by_tag(&mut self, segment: &[u8]) -> Result<Vec<u8>> {
        match segment.first().map(|&t| SegmentKind::of_tag(t)) {
            Some(SegmentKind::MacOnly) => self.unprotect_mac_only(segment),
            _ => self.unprotect(segment),
        }
    }
}
