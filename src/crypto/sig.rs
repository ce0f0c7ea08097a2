//! Conversion between the plain `r||s` signature format (BSI TR-03111 5.2.1, used by SGP.22 and
//! SGP.32) and the DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 5480, X.509).

use super::{CryptoError, RawSignature, Result};

const HALF: usize = 32;

fn malformed(msg: impl Into<String>) -> CryptoError {
    CryptoError::MalformedSignature(msg.into())
}

/// `r||s` (64 bytes) to DER `ECDSA-Sig-Value`. Each half is a 32-byte unsigned big-endian
/// integer; it is encoded minimally (leading zeros removed, a `00` added when the top bit is set).
/// Errors when `raw` is not 64 bytes or when `r` or `s` is zero (never a valid ECDSA value).
pub fn raw_to_der(raw: &[u8]) -> Result<Vec<u8>> {
    if raw.len() != 2 * HALF {
        return Err(malformed(format!(
            "r||s signature must be 64 bytes, got {}",
            raw.len()
        )));
    }
    let (r, s) = raw.split_at(HALF);
    let mut body = Vec::with_capacity(2 * (HALF + 3));
    push_integer(&mut body, r)?;
    push_integer(&mut body, s)?;
    let mut out = Vec::with_capacity(body.len() + 3);
    out.push(0x30);
    push_len(&mut out, body.len());
    out.extend_from_slice(&body);
    Ok(out)
}

fn push_integer(out: &mut Vec<u8>, unsigned_be: &[u8]) -> Result<()> {
    let first = unsigned_be
        .iter()
        .position(|&b| b != 0)
        .ok_or_else(|| malformed("r or s is zero"))?;
    let digits = &unsigned_be[first..];
    let pad = digits.first().is_some_and(|&b| b & 0x80 != 0);
    out.push(0x02);
    push_len(out, digits.len() + usize::from(pad));
    if pad {
        out.push(0);
    }
    out.extend_from_slice(digits);
    Ok(())
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    // At most 2 * 35 bytes here: short form or 81 xx.
    if len < 0x80 {
        out.push(len as u8);
    } else {
        out.push(0x81);
        out.push(len as u8);
    }
}

/// DER `ECDSA-Sig-Value` to `r||s` (64 bytes), strictly: exactly one SEQUENCE of two INTEGERs,
/// definite minimal lengths, minimal positive integers (no superfluous leading `00`, no negative
/// values), `0 < r, s < 2^256`, no trailing bytes. Never panics.
pub fn der_to_raw(der: &[u8]) -> Result<RawSignature> {
    let (tag, body, rest) = read_tlv(der)?;
    if tag != 0x30 {
        return Err(malformed(format!(
            "expected SEQUENCE (30), got tag {tag:02X}"
        )));
    }
    if !rest.is_empty() {
        return Err(malformed(format!(
            "{} trailing bytes after the SEQUENCE",
            rest.len()
        )));
    }
    let mut out = [0u8; 64];
    let (r_tag, r, after_r) = read_tlv(body)?;
    let (s_tag, s, after_s) = read_tlv(after_r)?;
    if r_tag != 0x02 || s_tag != 0x02 {
        return Err(malformed("SEQUENCE must hold two INTEGERs"));
    }
    if !after_s.is_empty() {
        return Err(malformed("extra elements after s in the SEQUENCE"));
    }
    let (r_out, s_out) = out.split_at_mut(HALF);
    copy_integer(r, r_out)?;
    copy_integer(s, s_out)?;
    Ok(out)
}

/// One DER TLV with a single-byte tag and a minimal definite length.
fn read_tlv(input: &[u8]) -> Result<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input
        .split_first()
        .ok_or_else(|| malformed("truncated: missing tag"))?;
    if tag & 0x1F == 0x1F {
        return Err(malformed("multi-byte tag"));
    }
    let (&l0, rest) = rest
        .split_first()
        .ok_or_else(|| malformed("truncated: missing length"))?;
    let (len, rest) = match l0 {
        0x00..=0x7F => (usize::from(l0), rest),
        0x81 => {
            let (&l1, rest) = rest
                .split_first()
                .ok_or_else(|| malformed("truncated length"))?;
            if l1 < 0x80 {
                return Err(malformed("non-minimal length encoding"));
            }
            (usize::from(l1), rest)
        }
        0x80 => return Err(malformed("indefinite length")),
        _ => return Err(malformed("length too long for an ECDSA signature")),
    };
    if rest.len() < len {
        return Err(malformed(format!(
            "truncated: length {len}, {} bytes left",
            rest.len()
        )));
    }
    let (value, rest) = rest.split_at(len);
    Ok((tag, value, rest))
}

fn copy_integer(value: &[u8], out: &mut [u8]) -> Result<()> {
    let (&first, tail) = value
        .split_first()
        .ok_or_else(|| malformed("empty INTEGER"))?;
    if first & 0x80 != 0 {
        return Err(malformed("negative INTEGER"));
    }
    let digits = if first == 0 {
        match tail.first() {
            None => return Err(malformed("r or s is zero")),
            Some(&b) if b & 0x80 == 0 => return Err(malformed("non-minimal INTEGER")),
            Some(_) => tail,
        }
    } else {
        value
    };
    if digits.len() > out.len() {
        return Err(malformed(format!(
            "INTEGER of {} bytes does not fit in {} bytes",
            digits.len(),
            out.len()
        )));
    }
    let start = out.len() - digits.len();
    out[start..].copy_from_slice(digits);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(r: &[u8], s: &[u8]) -> Vec<u8> {
        let mut v = vec![0u8; 64];
        v[32 - r.len()..32].copy_from_slice(r);
        v[64 - s.len()..].copy_from_slice(s);
        v
    }

    #[test]
    fn known_encodings() {
        // Small values, high bit set (needs 00), leading zero bytes stripped.
        let r = raw(&[0x01], &[0x80]);
        assert_eq!(
            raw_to_der(&r).unwrap(),
            hex::decode("3007020101020200 80".replace(' ', "")).unwrap()
        );
        let full = [0xffu8; 64];
        let der = raw_to_der(&full).unwrap();
        assert_eq!(der.len(), 2 + 2 * 35);
        assert_eq!(&der[..5], &[0x30, 0x46, 0x02, 0x21, 0x00]);
        assert_eq!(der_to_raw(&der).unwrap(), full);
        let der = raw_to_der(&raw(&[0x7f; 32], &[0x01, 0x02])).unwrap();
        assert_eq!(&der[..4], &[0x30, 0x26, 0x02, 0x20]);
    }

    #[test]
    fn round_trip_many() {
        let mut x: u64 = 0x1234_5678_9abc_def0;
        for i in 0..2000 {
            let mut v = [0u8; 64];
            for b in v.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
            // Vary the leading zeros of r and s.
            let zr = i % 33;
            let zs = (i / 33) % 33;
            v[..zr.min(31)].fill(0);
            v[32..32 + zs.min(31)].fill(0);
            v[31] |= 1;
            v[63] |= 1;
            let der = raw_to_der(&v).unwrap();
            assert_eq!(der_to_raw(&der).unwrap(), v, "case {i}");
        }
    }

    #[test]
    fn rejects_malformed() {
        let good = raw_to_der(&raw(&[0x42; 32], &[0x81; 32])).unwrap();
        assert!(der_to_raw(&good).is_ok());
        let bad: Vec<(&str, Vec<u8>)> = vec![
            ("empty", vec![]),
            ("tag only", vec![0x30]),
            ("wrong outer tag", [&[0x31][..], &good[1..]].concat()),
            ("trailing byte", [&good[..], &[0x00][..]].concat()),
            ("truncated", good[..good.len() - 1].to_vec()),
            ("indefinite", hex::decode("30800201010201010000").unwrap()),
            (
                "non-minimal length",
                hex::decode("3081060201010201 01".replace(' ', "")).unwrap(),
            ),
            ("negative r", hex::decode("3006020181020101").unwrap()),
            ("zero r", hex::decode("3006020100020101").unwrap()),
            ("empty r", hex::decode("30050200020101").unwrap()),
            ("non-minimal r", hex::decode("300702020001020101").unwrap()),
            ("r too big", {
                let mut v = vec![0x30, 0x27, 0x02, 0x21];
                v.extend([0x01; 33]);
                v.extend([0x02, 0x01, 0x01]);
                v
            }),
            ("one integer", hex::decode("3003020101").unwrap()),
            (
                "three integers",
                hex::decode("3009020101020101020101").unwrap(),
            ),
            ("s not integer", hex::decode("3006020101040101").unwrap()),
            (
                "inner length overruns",
                hex::decode("3006020501020101").unwrap(),
            ),
            (
                "long-form 82",
                hex::decode("308200060201010201 01".replace(' ', "")).unwrap(),
            ),
        ];
        for (name, der) in bad {
            assert!(der_to_raw(&der).is_err(), "{name} accepted");
        }
        assert!(raw_to_der(&[0u8; 63]).is_err());
        assert!(raw_to_der(&raw(&[], &[1])).is_err(), "zero r");
        assert!(raw_to_der(&raw(&[1], &[])).is_err(), "zero s");
    }

    #[test]
    fn never_panics_on_garbage() {
        let mut x: u32 = 7;
        for len in 0..200usize {
            for _ in 0..20 {
                let v: Vec<u8> = (0..len)
                    .map(|_| {
                        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                        (x >> 16) as u8
                    })
                    .collect();
                let _ = der_to_raw(&v);
                // Also mutate a valid encoding.
                let mut good = raw_to_der(&[0x55; 64]).unwrap();
                if let Some(b) = good.get_mut(len % 70) {
                    *b = (x >> 8) as u8;
                }
                let _ = der_to_raw(&good);
            }
        }
    }
}
