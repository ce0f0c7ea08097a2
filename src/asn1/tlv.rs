//! Raw BER-TLV walking and building (X.690 8.1), for where the exact received bytes matter
//! (signatures are verified over them, not over a re-encoding) or where no schema applies
//! (tag lists, APDU templates). Definite lengths only, long form up to 4 length octets;
//! multi-octet tags. [`crate::asn1::der_check`] is the strict, finding-reporting walk.

/// One TLV inside some bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The identifier (tag) octets.
    pub tag: &'a [u8],
    /// The value (contents) octets.
    pub content: &'a [u8],
    /// Tag, length and value.
    pub whole: &'a [u8],
}

/// Why the bytes don't start with a TLV this walker reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    #[error("empty")]
    Empty,
    #[error("truncated tag")]
    TruncatedTag,
    #[error("truncated length")]
    TruncatedLength,
    #[error("indefinite length")]
    IndefiniteLength,
    #[error("length too long")]
    LengthTooLong,
    #[error("truncated value")]
    TruncatedValue,
}

impl TlvError {
    /// The reason as a static text (for error types that carry `&'static str`).
    pub fn as_str(self) -> &'static str {
        match self {
            TlvError::Empty => "empty",
            TlvError::TruncatedTag => "truncated tag",
            TlvError::TruncatedLength => "truncated length",
            TlvError::IndefiniteLength => "indefinite length",
            TlvError::LengthTooLong => "length too long",
            TlvError::TruncatedValue => "truncated value",
        }
    }
}

/// The number of identifier octets at the start of `bytes` (X.690 8.1.2).
pub fn tag_len(bytes: &[u8]) -> Result<usize, TlvError> {
    let first = *bytes.first().ok_or(TlvError::Empty)?;
    let mut at = 1;
    if first & 0x1f == 0x1f {
        loop {
            let b = *bytes.get(at).ok_or(TlvError::TruncatedTag)?;
            at += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    Ok(at)
}

/// Splits off the TLV at the start of `bytes`.
pub fn split(bytes: &[u8]) -> Result<Tlv<'_>, TlvError> {
    let tag_end = tag_len(bytes)?;
    let mut at = tag_end;
    let l = *bytes.get(at).ok_or(TlvError::TruncatedLength)?;
    at += 1;
    let len = match l {
        0x80 => return Err(TlvError::IndefiniteLength),
        0x00..=0x7f => usize::from(l),
        _ => {
            let n = usize::from(l & 0x7f);
            if n > 4 {
                return Err(TlvError::LengthTooLong);
            }
            let octets = bytes.get(at..at + n).ok_or(TlvError::TruncatedLength)?;
            at += n;
            octets
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
        }
    };
    let end = at
        .checked_add(len)
        .filter(|&end| end <= bytes.len())
        .ok_or(TlvError::TruncatedValue)?;
    Ok(Tlv {
        tag: &bytes[..tag_end],
        content: &bytes[at..end],
        whole: &bytes[..end],
    })
}

/// The TLVs one after another in `content`, up to the first that doesn't parse.
pub fn children(mut content: &[u8]) -> Vec<Tlv<'_>> {
    let mut out = Vec::new();
    while let Ok(t) = split(content) {
        content = content.get(t.whole.len()..).unwrap_or_default();
        out.push(t);
    }
    out
}

/// Appends tag, minimal definite length and `value` to `out`.
pub fn push(out: &mut Vec<u8>, tag: &[u8], value: &[u8]) {
    out.extend_from_slice(tag);
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(value);
}

/// Tag, minimal definite length and `value`.
pub fn encode(tag: &[u8], value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(tag.len() + 5 + value.len());
    push(&mut out, tag, value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_short_long_and_high_tag_forms() {
        let t = split(&[0xbf, 0x4f, 0x02, 0x80, 0x00, 0xff]).unwrap();
        assert_eq!(
            (t.tag, t.content, t.whole.len()),
            (&[0xbf, 0x4f][..], &[0x80, 0x00][..], 5)
        );
        let one = encode(&[0x04], &[0u8; 0x80]);
        assert_eq!((&one[..3], one.len()), (&[0x04, 0x81, 0x80][..], 3 + 0x80));
        let long = encode(&[0x04], &[7u8; 0x1234]);
        assert_eq!(&long[..4], [0x04, 0x82, 0x12, 0x34]);
        assert_eq!(split(&long).unwrap().content.len(), 0x1234);
        assert_eq!(encode(&[0x5f, 0x37], &[1, 2]), [0x5f, 0x37, 2, 1, 2]);
        assert_eq!(tag_len(&[0x9f, 0x81, 0x01]), Ok(3));
    }

    #[test]
    fn every_malformation_has_its_reason() {
        assert_eq!(split(&[]), Err(TlvError::Empty));
        assert_eq!(split(&[0xbf]), Err(TlvError::TruncatedTag));
        assert_eq!(split(&[0x04]), Err(TlvError::TruncatedLength));
        assert_eq!(split(&[0x04, 0x80]), Err(TlvError::IndefiniteLength));
        assert_eq!(
            split(&[0x04, 0x85, 0, 0, 0, 0, 1]),
            Err(TlvError::LengthTooLong)
        );
        assert_eq!(split(&[0x04, 0x82, 0x01]), Err(TlvError::TruncatedLength));
        assert_eq!(split(&[0x04, 0x05, 0x00]), Err(TlvError::TruncatedValue));
        assert_eq!(children(&[0x80, 0x00, 0x81, 0x01, 0x07, 0x82]).len(), 2);
    }
}
