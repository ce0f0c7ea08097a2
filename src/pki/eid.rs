//! EID: the 32-digit eUICC identifier and its SGP.29 check digits.
//!
//! SGP.29 2.2: an EID is 32 decimal digits; the last two are check digits computed as in
//! ISO/IEC 7064 MOD 97-10 over the whole 32-digit number: set the check digits to `00`, take
//! `n mod 97`, the check digits are `98 - (n mod 97)`. A valid EID satisfies `n mod 97 == 1`.
//! The EID is carried as 16 bytes of packed BCD (ES10 `[APPLICATION 26]` = tag `5A`) and as the
//! 32-digit `serialNumber` of the eUICC certificate subject (SGP.22 4.5.2.1.0.2).

use std::fmt;
use std::str::FromStr;

/// Errors of EID parsing and construction.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EidError {
    /// The text is neither 32 decimal digits nor 32 hex characters of BCD.
    #[error("EID must be 32 decimal digits, got {0:?}")]
    BadFormat(String),
    /// A BCD nibble above 9.
    #[error("EID BCD contains a non-decimal nibble")]
    NotDecimal,
    /// The EIN (EID prefix) is empty, too long or not decimal.
    #[error("EIN must be 1 to 30 decimal digits, got {0:?}")]
    BadEin(String),
    /// The device index does not fit the digits left between the EIN and the check digits.
    #[error("index {index} does not fit in {digits} digits after EIN {ein}")]
    IndexTooLarge {
        /// EIN used.
        ein: String,
        /// Requested index.
        index: u64,
        /// Digits available for the index.
        digits: usize,
    },
}

/// The number written in packed BCD `bcd` (first digit in the high nibble) mod 97, eight
/// digits per step: four dependent reductions for an EID instead of 32 (the eIM checks the EID
/// of every poll, benches/poll_cycle.rs). Nibbles are taken at face value.
fn bcd_mod97(bcd: &[u8]) -> u32 {
    let rem = bcd.chunks(4).fold(0u64, |rem, chunk| {
        let value = chunk.iter().fold(0u64, |v, b| {
            v * 100 + u64::from(b >> 4) * 10 + u64::from(b & 0x0f)
        });
        // rem < 97, value < 2 * 10^8 even with non-decimal nibbles: far below u64::MAX.
        (rem * 100u64.pow(chunk.len() as u32) + value) % 97
    });
    rem as u32
}

/// An EID: 32 decimal digits stored as 16 bytes of packed BCD (first digit in the high nibble).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Eid([u8; 16]);

impl Eid {
    /// From 16 bytes of BCD (e.g. the value of a `5A` TLV); every nibble must be 0-9.
    pub fn from_bcd(bytes: [u8; 16]) -> Result<Self, EidError> {
        if bytes.iter().any(|b| (b >> 4) > 9 || (b & 0x0f) > 9) {
            return Err(EidError::NotDecimal);
        }
        Ok(Eid(bytes))
    }

    /// From 32 decimal digits (no separators). The check digits are not verified: use
    /// [`Eid::is_valid`].
    pub fn from_digits(text: &str) -> Result<Self, EidError> {
        let digits = text.as_bytes();
        if digits.len() != 32 || !digits.iter().all(u8::is_ascii_digit) {
            return Err(EidError::BadFormat(text.to_string()));
        }
        let mut out = [0u8; 16];
        for (o, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
            if let [hi, lo] = pair {
                *o = ((hi - b'0') << 4) | (lo - b'0');
            }
        }
        Ok(Eid(out))
    }

    /// From the hex form of the BCD bytes (32 hex characters, upper or lower case). Since the
    /// digits of a valid EID are all decimal, this is the same text as [`Eid::from_digits`];
    /// hex letters are rejected.
    pub fn from_hex(text: &str) -> Result<Self, EidError> {
        let bytes = hex::decode(text).map_err(|_| EidError::BadFormat(text.to_string()))?;
        let arr: [u8; 16] = bytes
            .try_into()
            .map_err(|_| EidError::BadFormat(text.to_string()))?;
        Self::from_bcd(arr)
    }

    /// The 16 BCD bytes.
    pub fn as_bcd(&self) -> &[u8; 16] {
        &self.0
    }

    /// The 32 digits as a string.
    pub fn digits(&self) -> String {
        hex::encode(self.0)
    }

    #[cfg(test)]
    fn digit_values(&self) -> impl Iterator<Item = u8> + '_ {
        self.0.iter().flat_map(|b| [b >> 4, b & 0x0f])
    }

    /// SGP.29 2.2: the two check digits this EID should carry (its first 30 digits followed by
    /// `00`, mod 97, subtracted from 98).
    pub fn compute_check_digits(&self) -> u8 {
        let rem = bcd_mod97(self.0.get(..15).unwrap_or_default()) * 100 % 97;
        // 98 - rem is in 1..=98, fits u8.
        (98 - rem) as u8
    }

    /// The check digits the EID carries (its last two digits).
    pub fn check_digits(&self) -> u8 {
        let last = self.0[15];
        (last >> 4) * 10 + (last & 0x0f)
    }

    /// SGP.29 2.2: the 32-digit number mod 97 equals 1.
    pub fn is_valid(&self) -> bool {
        bcd_mod97(&self.0) == 1
    }

    /// This EID with its last two digits replaced by the computed check digits.
    pub fn with_check_digits(mut self) -> Self {
        let c = self.compute_check_digits();
        self.0[15] = ((c / 10) << 4) | (c % 10);
        self
    }

    /// Whether the EID starts with the given EIN digits (SGP.22 4.5.2.1.0.2: the EUM's
    /// permitted EIN is a prefix of the EIDs it may certify).
    pub fn starts_with(&self, ein: &str) -> bool {
        self.digits().starts_with(ein)
    }

    /// Builds the EID of device `index` under `ein`: the EIN digits, then `index` in decimal,
    /// left-padded with zeros to fill digits up to the 30th, then the valid check digits.
    /// E.g. EIN `89049032`, index 7 -> `89049032` `0000000000000000000007` + check digits.
    pub fn from_ein_and_index(ein: &str, index: u64) -> Result<Self, EidError> {
        if ein.is_empty() || ein.len() > 30 || !ein.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EidError::BadEin(ein.to_string()));
        }
        let width = 30 - ein.len();
        let idx = index.to_string();
        if idx.len() > width {
            return Err(EidError::IndexTooLarge {
                ein: ein.to_string(),
                index,
                digits: width,
            });
        }
        let text = format!("{ein}{index:0width$}00");
        Ok(Self::from_digits(&text)?.with_check_digits())
    }
}

impl FromStr for Eid {
    type Err = EidError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_digits(s)
    }
}

impl fmt::Display for Eid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits())
    }
}

impl fmt::Debug for Eid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Eid({})", self.digits())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR: &str = "89049032123451234512345678901235";

    #[test]
    fn vector_is_valid() {
        let eid: Eid = VECTOR.parse().unwrap();
        assert!(eid.is_valid());
        assert_eq!(eid.check_digits(), 35);
        assert_eq!(eid.compute_check_digits(), 35);
        assert_eq!(eid.to_string(), VECTOR);
        assert_eq!(eid.as_bcd()[0], 0x89);
        assert_eq!(eid.as_bcd()[15], 0x35);
        assert_eq!(Eid::from_hex(VECTOR).unwrap(), eid);
    }

    /// The digit-by-digit definition (SGP.29 2.2), for comparison with the fast form.
    fn mod97_by_digit(eid: &Eid, digits: usize) -> u32 {
        eid.digit_values()
            .take(digits)
            .fold(0, |rem, d| (rem * 10 + u32::from(d)) % 97)
    }

    #[test]
    fn fast_mod97_matches_the_digit_by_digit_definition() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..20_000 {
            let mut bcd = [0u8; 16];
            for b in bcd.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                // Mostly decimal nibbles; every 7th EID with nibbles up to 15.
                let (hi, lo) = ((x >> 8) as u8 & 0x0f, x as u8 & 0x0f);
                *b = if i % 7 == 0 {
                    (hi << 4) | lo
                } else {
                    ((hi % 10) << 4) | (lo % 10)
                };
            }
            let eid = Eid(bcd);
            assert_eq!(bcd_mod97(&bcd), mod97_by_digit(&eid, 32), "{bcd:02x?}");
            assert_eq!(eid.is_valid(), mod97_by_digit(&eid, 32) == 1);
            let reference = 98 - mod97_by_digit(&eid, 30) * 100 % 97;
            assert_eq!(
                u32::from(eid.compute_check_digits()),
                reference,
                "{bcd:02x?}"
            );
            assert!(eid.with_check_digits().is_valid() || i % 7 == 0);
        }
        assert_eq!(bcd_mod97(&[]), 0);
        assert_eq!(bcd_mod97(&[0x97]), 0);
        assert_eq!(bcd_mod97(&[0x01, 0x00]), 3); // 100 mod 97
    }

    #[test]
    fn any_single_digit_change_is_invalid() {
        for pos in 0..32 {
            for d in b'0'..=b'9' {
                let mut s = VECTOR.as_bytes().to_vec();
                if s[pos] == d {
                    continue;
                }
                s[pos] = d;
                let eid = Eid::from_digits(std::str::from_utf8(&s).unwrap()).unwrap();
                assert!(!eid.is_valid(), "{eid} should be invalid");
            }
        }
    }

    #[test]
    fn generated_eids_are_valid_and_inside_ein() {
        for index in [0u64, 1, 2, 42, 999_999, 1_000_000, u64::MAX] {
            let eid = Eid::from_ein_and_index("89049032", index).unwrap();
            assert!(eid.is_valid(), "{eid}");
            assert!(eid.starts_with("89049032"));
            assert!(
                eid.digits()
                    .ends_with(&format!("{:02}", eid.check_digits()))
            );
        }
        assert_eq!(
            Eid::from_ein_and_index("89049032", 7).unwrap().to_string()[..30],
            *"890490320000000000000000000007"
        );
        // Distinct indices give distinct EIDs.
        assert_ne!(
            Eid::from_ein_and_index("89049032", 1).unwrap(),
            Eid::from_ein_and_index("89049032", 10).unwrap()
        );
    }

    #[test]
    fn check_digits_single_digit_are_zero_padded() {
        // Find an index whose check digits are below 10 and check the padding.
        let eid = (0..1000u64)
            .map(|i| Eid::from_ein_and_index("89049032", i).unwrap())
            .find(|e| e.check_digits() < 10)
            .unwrap();
        assert!(eid.is_valid());
        assert_eq!(&eid.digits()[30..31], "0");
    }

    #[test]
    fn bad_inputs() {
        assert!(matches!(
            Eid::from_digits("8904"),
            Err(EidError::BadFormat(_))
        ));
        assert!(matches!(
            Eid::from_digits("8904903212345123451234567890123A"),
            Err(EidError::BadFormat(_))
        ));
        assert_eq!(
            Eid::from_hex("8904903212345123451234567890123A"),
            Err(EidError::NotDecimal)
        );
        assert!(matches!(
            Eid::from_ein_and_index("", 1),
            Err(EidError::BadEin(_))
        ));
        assert!(matches!(
            Eid::from_ein_and_index("89x", 1),
            Err(EidError::BadEin(_))
        ));
        assert!(matches!(
            Eid::from_ein_and_index(&"8".repeat(28), 100),
            Err(EidError::IndexTooLarge { digits: 2, .. })
        ));
    }
}
