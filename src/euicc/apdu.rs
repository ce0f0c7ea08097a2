//! APDU front end of the ISD-R: lets an IPA that speaks APDUs drive the simulated eUICC, whose
//! entry point is one ES10 BER-TLV request in, one BER-TLV response out ([`Es10Handler`]).
//! Sans-IO: bytes in, bytes out; no sockets, no threads, no clocks.
//!
//! Spec references:
//! - Command/response APDUs, short length cases 1-4: ISO/IEC 7816-3 12.1 and 7816-4 5.1;
//!   ETSI TS 102 221 10.1 (the UICC's APDU rules; extended length is not used by ES10).
//! - Class byte and logical channels 0-3 (`'0X'`/`'8X'`) and extended 4-19 (`'4X'`/`'CX'`):
//!   ISO/IEC 7816-4 5.4.1, ETSI TS 102 221 10.1.1; MANAGE CHANNEL: 7816-4 11.1.2, TS 102 221
//!   11.1.17.
//! - SELECT by DF name (AID) and the FCI template `'6F'`: 7816-4 11.2.2, GlobalPlatform Card
//!   Specification 2.3 11.9; the ISD-R AID `A0000005591010FFFFFFFF8900000100`: SGP.02 and
//!   SGP.22 (ISD-R; the value every LPA/IPA selects).
//! - `ISDRProprietaryApplicationTemplateIoT` (`'E1'`) in the ISD-R SELECT response, placed in the
//!   FCI after the GlobalPlatform objects: SGP.32 3.8.4.
//! - TERMINAL CAPABILITY: ETSI TS 102 221 11.1.19 (eUICC-related tags: 11.1.19.2.4; IPAd or
//!   IPAe: SGP.32 3.8.4).
//! - STORE DATA (`INS 'E2'`): GlobalPlatform Card Specification 2.3 11.11; "ES10 functions are
//!   transported in STORE DATA" with `P1 '11'` (more blocks) / `'91'` (last block) and `P2` =
//!   block number from 0: SGP.22 5.7 (5.7.2); shared notes `sgp32-notes.md` section 2 intro.
//! - `61xx` and GET RESPONSE (`INS 'C0'`): ISO/IEC 7816-3 12.2 (case 4 over T=0), ETSI TS 102 221
//!   7.3.1 and 12.1.1; status words: 7816-4 5.6, TS 102 221 10.2.1.
//!
//! Parts: [`Es10Handler`] (implemented by the eUICC), [`IsdrApduFrontEnd`] (card side),
//! [`store_data_apdus`] and [`ApduClient`] (IPA side), plus the APDU types and status words
//! shared by both sides ([`CommandApdu`], [`ResponseApdu`], [`sw`]).
//!
//! The status words of the front end are listed on [`IsdrApduFrontEnd`].

mod client;
mod front_end;

pub use client::{ApduClient, ApduClientError, MAX_RESPONSE_LEN, store_data_apdus};
pub use front_end::{FrontEndConfig, IsdrApduFrontEnd, ResponseDelivery};

use crate::asn1::sgp32::IsdrProprietaryApplicationTemplateIot;

/// AID of the ISD-R (SGP.02, SGP.22; the value onomondo-ipa, pySim and lpac select).
pub const ISDR_AID: [u8; 16] = [
    0xA0, 0x00, 0x00, 0x05, 0x59, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x89, 0x00, 0x00, 0x01, 0x00,
];

/// Number of logical channel numbers a class byte can address: 0-3 and extended 4-19 (ISO/IEC
/// 7816-4 5.4.1, ETSI TS 102 221 10.1.1).
pub const MAX_LOGICAL_CHANNELS: u8 = 20;

/// Largest command data field of a short APDU (ISO/IEC 7816-4 5.1), hence of a STORE DATA block.
pub const MAX_BLOCK_SIZE: usize = 255;

/// INS codes handled by the front end.
pub mod ins {
    /// MANAGE CHANNEL (ISO/IEC 7816-4 11.1.2, ETSI TS 102 221 11.1.17).
    pub const MANAGE_CHANNEL: u8 = 0x70;
    /// SELECT (ISO/IEC 7816-4 11.2.2, ETSI TS 102 221 11.1.1).
    pub const SELECT: u8 = 0xA4;
    /// GET RESPONSE (ISO/IEC 7816-4, ETSI TS 102 221 12.1.1).
    pub const GET_RESPONSE: u8 = 0xC0;
    /// TERMINAL CAPABILITY (ETSI TS 102 221 11.1.19).
    pub const TERMINAL_CAPABILITY: u8 = 0xAA;
    /// STORE DATA (GlobalPlatform Card Specification 2.3 11.11, SGP.22 5.7.2).
    pub const STORE_DATA: u8 = 0xE2;
}

/// STORE DATA `P1` values of the ES10 transport (SGP.22 5.7.2).
pub mod store_data_p1 {
    /// More blocks follow (BER-TLV structure, not the last block).
    pub const MORE_BLOCKS: u8 = 0x11;
    /// Last block of the ES10 request.
    pub const LAST_BLOCK: u8 = 0x91;
}

/// Status words (ISO/IEC 7816-4 5.6, ETSI TS 102 221 10.2.1) used by the front end and the client.
pub mod sw {
    /// Normal ending.
    pub const OK: u16 = 0x9000;
    /// `61xx`: response bytes still available, xx of them (`00` = 256 or more); fetch with GET
    /// RESPONSE.
    pub const BYTES_AVAILABLE: u16 = 0x6100;
    /// Wrong length (malformed APDU, missing or unexpected data field or Le).
    pub const WRONG_LENGTH: u16 = 0x6700;
    /// Logical channel not supported (channel not open, or beyond the configured number).
    pub const LOGICAL_CHANNEL_NOT_SUPPORTED: u16 = 0x6881;
    /// Conditions of use not satisfied (STORE DATA without the ISD-R selected, GET RESPONSE with
    /// nothing pending, opening a channel that is already open).
    pub const CONDITIONS_NOT_SATISFIED: u16 = 0x6985;
    /// Incorrect parameters in the data field (the ES10 handler rejected the request).
    pub const INCORRECT_DATA: u16 = 0x6A80;
    /// Function not supported (MANAGE CHANNEL open with no channel left).
    pub const FUNCTION_NOT_SUPPORTED: u16 = 0x6A81;
    /// File or application not found (SELECT of an AID other than the ISD-R).
    pub const NOT_FOUND: u16 = 0x6A82;
    /// Incorrect parameters P1-P2 (including a STORE DATA block out of sequence).
    pub const INCORRECT_P1P2: u16 = 0x6A86;
    /// Instruction code not supported.
    pub const INS_NOT_SUPPORTED: u16 = 0x6D00;
    /// Class not supported (secure messaging, ISO command chaining, RFU classes, or a class that
    /// does not go with the INS).
    pub const CLA_NOT_SUPPORTED: u16 = 0x6E00;

    /// `61xx` for `remaining` bytes still available (`6100` when 256 or more).
    pub fn bytes_available(remaining: usize) -> u16 {
        BYTES_AVAILABLE | u16::from(u8::try_from(remaining).unwrap_or(0))
    }
}

/// The ES10 entry point of the eUICC: one BER-TLV request in, one BER-TLV response out
/// (SGP.22 5.7, SGP.32 5.9). The front end reassembles the STORE DATA blocks into `request` and
/// delivers the returned bytes with `61xx`/GET RESPONSE. An `Err` becomes SW `6A80`; ES10
/// function-level errors belong in the response data (with `9000`), as on a real eUICC.
pub trait Es10Handler {
    /// Why a request could not be answered at all (e.g. not decodable).
    type Error: std::error::Error;

    /// Handles one complete ES10 request (a BER-TLV such as `BF3E035C015A`).
    fn handle_es10(&mut self, request: &[u8]) -> Result<Vec<u8>, Self::Error>;

    /// The `ISDRProprietaryApplicationTemplateIoT` (`'E1'`) the ISD-R SELECT response carries
    /// (SGP.32 3.8.4). Default: present with no `euiccConfiguration` bit set (no IPAe, no enabled
    /// profile); `None` leaves it out, as an SGP.22 eUICC does.
    fn isdr_proprietary_template(&self) -> Option<IsdrProprietaryApplicationTemplateIot> {
        Some(IsdrProprietaryApplicationTemplateIot::default())
    }
}

impl<H: Es10Handler + ?Sized> Es10Handler for &mut H {
    type Error = H::Error;

    fn handle_es10(&mut self, request: &[u8]) -> Result<Vec<u8>, Self::Error> {
        (**self).handle_es10(request)
    }

    fn isdr_proprietary_template(&self) -> Option<IsdrProprietaryApplicationTemplateIot> {
        (**self).isdr_proprietary_template()
    }
}

/// Errors of APDU parsing and encoding (ISO/IEC 7816-4 5.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApduError {
    /// A command APDU has at least CLA INS P1 P2.
    #[error("command APDU of {0} bytes is shorter than the 4-byte header")]
    TooShort(usize),
    /// `Lc = 00` followed by more bytes announces an extended-length APDU.
    #[error("extended-length APDUs are not supported")]
    Extended,
    /// The APDU length matches none of the short cases 3 and 4 for its `Lc`.
    #[error("Lc {lc} does not fit an APDU of {len} bytes")]
    LengthMismatch {
        /// The `Lc` byte.
        lc: u8,
        /// The whole APDU length.
        len: usize,
    },
    /// A short APDU carries at most 255 data bytes.
    #[error("command data of {0} bytes exceeds 255")]
    DataTooLong(usize),
    /// Short `Le` is 1..=256 (256 coded `00`).
    #[error("Le {0} is outside 1..=256")]
    LeOutOfRange(u16),
    /// A response APDU ends with SW1 SW2.
    #[error("response APDU of {0} bytes has no status word")]
    ResponseTooShort(usize),
}

/// Class of a CLA byte (ISO/IEC 7816-4 5.4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassKind {
    /// `'0X'` / `'4X'`: ISO commands (SELECT, MANAGE CHANNEL, GET RESPONSE).
    Interindustry,
    /// `'8X'` / `'CX'`: ETSI TS 102 221 and GlobalPlatform commands (TERMINAL CAPABILITY,
    /// STORE DATA).
    Proprietary,
}

/// Class byte for `kind` on `channel` without secure messaging or command chaining:
/// `'00'-'03'`/`'80'-'83'` for channels 0-3, `'40'-'4F'`/`'C0'-'CF'` for 4-19 (ISO/IEC 7816-4
/// 5.4.1, ETSI TS 102 221 10.1.1). `None` for channels above 19.
pub fn cla_for_channel(kind: ClassKind, channel: u8) -> Option<u8> {
    let base = match kind {
        ClassKind::Interindustry => 0x00,
        ClassKind::Proprietary => 0x80,
    };
    match channel {
        0..=3 => Some(base | channel),
        4..=19 => Some(base | 0x40 | (channel - 4)),
        _ => None,
    }
}

/// Class kind and logical channel of a CLA byte; `None` for what the front end doesn't support
/// (secure messaging, ISO command chaining, RFU classes such as `'2X'`, `'AX'`, `'FF'`).
pub fn parse_cla(cla: u8) -> Option<(ClassKind, u8)> {
    match cla {
        0x00..=0x03 => Some((ClassKind::Interindustry, cla)),
        0x40..=0x4F => Some((ClassKind::Interindustry, 4 + (cla & 0x0F))),
        0x80..=0x83 => Some((ClassKind::Proprietary, cla & 0x03)),
        0xC0..=0xCF => Some((ClassKind::Proprietary, 4 + (cla & 0x0F))),
        _ => None,
    }
}

/// A short command APDU (ISO/IEC 7816-4 5.1): case 1 (header), 2 (`Le`), 3 (`Lc` data),
/// 4 (`Lc` data `Le`). `le` is the decoded Ne, 1..=256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandApdu<'a> {
    /// Class byte.
    pub cla: u8,
    /// Instruction byte.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data (empty in cases 1 and 2).
    pub data: &'a [u8],
    /// Maximum number of response bytes expected (`Le` `00` = 256), `None` in cases 1 and 3.
    pub le: Option<u16>,
}

impl<'a> CommandApdu<'a> {
    /// Parses a short APDU. A 5-byte APDU is case 2 (`P3` = `Le`), which is also how a T=0
    /// terminal sends a case 1 command (`P3 = 00`); extended-length APDUs are refused.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ApduError> {
        let [cla, ins, p1, p2, body @ ..] = bytes else {
            return Err(ApduError::TooShort(bytes.len()));
        };
        let (data, le) = match body {
            [] => (&[][..], None),
            [le] => (&[][..], Some(decode_le(*le))),
            [0, ..] => return Err(ApduError::Extended),
            [lc, rest @ ..] => {
                let lc_len = usize::from(*lc);
                if rest.len() == lc_len {
                    (rest, None)
                } else if rest.len() == lc_len + 1 {
                    let (data, le) = rest.split_at(lc_len);
                    (data, le.first().map(|b| decode_le(*b)))
                } else {
                    return Err(ApduError::LengthMismatch {
                        lc: *lc,
                        len: bytes.len(),
                    });
                }
            }
        };
        Ok(Self {
            cla: *cla,
            ins: *ins,
            p1: *p1,
            p2: *p2,
            data,
            le,
        })
    }

    /// Encodes the APDU in the shortest short form for its case.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ApduError> {
        let mut out = Vec::with_capacity(6 + self.data.len());
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        if !self.data.is_empty() {
            let lc = u8::try_from(self.data.len())
                .map_err(|_| ApduError::DataTooLong(self.data.len()))?;
            out.push(lc);
            out.extend_from_slice(self.data);
        }
        if let Some(le) = self.le {
            out.push(encode_le(le)?);
        }
        Ok(out)
    }
}

fn decode_le(byte: u8) -> u16 {
    if byte == 0 { 256 } else { u16::from(byte) }
}

fn encode_le(le: u16) -> Result<u8, ApduError> {
    match le {
        256 => Ok(0),
        1..=255 => u8::try_from(le).map_err(|_| ApduError::LeOutOfRange(le)),
        _ => Err(ApduError::LeOutOfRange(le)),
    }
}

/// A response APDU: response data followed by SW1 SW2 (ISO/IEC 7816-4 5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseApdu {
    /// Response data.
    pub data: Vec<u8>,
    /// SW1 SW2 as one number, e.g. `0x9000`.
    pub sw: u16,
}

impl ResponseApdu {
    /// Splits `data || SW1 SW2`.
    pub fn parse(bytes: &[u8]) -> Result<Self, ApduError> {
        match bytes {
            [data @ .., sw1, sw2] => Ok(Self {
                data: data.to_vec(),
                sw: u16::from_be_bytes([*sw1, *sw2]),
            }),
            _ => Err(ApduError::ResponseTooShort(bytes.len())),
        }
    }

    /// `data || SW1 SW2`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len() + 2);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.to_be_bytes());
        out
    }

    /// SW1 alone.
    pub fn sw1(&self) -> u8 {
        self.sw.to_be_bytes()[0]
    }

    /// SW2 alone.
    pub fn sw2(&self) -> u8 {
        self.sw.to_be_bytes()[1]
    }
}

/// Appends a BER-TLV with a one- or two-byte `tag` and a definite length (ISO/IEC 7816-4 5.2,
/// X.690 8.1.3).
pub(crate) fn push_tlv(out: &mut Vec<u8>, tag: u16, value: &[u8]) {
    let [hi, lo] = tag.to_be_bytes();
    let tag: &[u8] = if hi != 0 { &[hi, lo] } else { &[lo] };
    crate::asn1::tlv::push(out, tag, value);
}

/// The value of the first TLV with a one-byte `tag` among the BER-TLVs in `data` (definite
/// lengths, one- or two-byte tags); `None` if absent or malformed.
pub fn find_tlv(data: &[u8], tag: u8) -> Option<&[u8]> {
    let mut rest = data;
    while !rest.is_empty() {
        let (t, after_tag) = match rest {
            [first, second, tail @ ..] if first & 0x1F == 0x1F => {
                if second & 0x80 != 0 {
                    return None;
                }
                (None, tail)
            }
            [first, tail @ ..] => (Some(*first), tail),
            [] => return None,
        };
        let (len, after_len) = match after_tag {
            [l, tail @ ..] if *l < 0x80 => (usize::from(*l), tail),
            [0x81, l, tail @ ..] => (usize::from(*l), tail),
            [0x82, h, l, tail @ ..] => (usize::from(u16::from_be_bytes([*h, *l])), tail),
            _ => return None,
        };
        if after_len.len() < len {
            return None;
        }
        let (value, next) = after_len.split_at(len);
        if t == Some(tag) {
            return Some(value);
        }
        rest = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_four_short_cases() {
        let c1 = CommandApdu::parse(&[0x00, 0x70, 0x80, 0x01]).unwrap();
        assert_eq!((c1.data, c1.le), (&[][..], None));
        let c2 = CommandApdu::parse(&[0x00, 0xC0, 0x00, 0x00, 0x00]).unwrap();
        assert_eq!((c2.data, c2.le), (&[][..], Some(256)));
        let b3 = hex::decode("81E2910006BF3E035C015A").unwrap();
        let c3 = CommandApdu::parse(&b3).unwrap();
        assert_eq!(
            (c3.cla, c3.ins, c3.p1, c3.p2, c3.le),
            (0x81, 0xE2, 0x91, 0x00, None)
        );
        assert_eq!(c3.data, hex::decode("BF3E035C015A").unwrap());
        let b4 = hex::decode("00A4040002AABB10").unwrap();
        let c4 = CommandApdu::parse(&b4).unwrap();
        assert_eq!((c4.data, c4.le), (&[0xAA, 0xBB][..], Some(16)));
        for apdu in [c1, c2, c3, c4] {
            let bytes = apdu.to_bytes().unwrap();
            assert_eq!(CommandApdu::parse(&bytes).unwrap(), apdu);
        }
    }

    #[test]
    fn refuses_malformed_apdus() {
        assert_eq!(
            CommandApdu::parse(&[0x00, 0xA4, 0x04]),
            Err(ApduError::TooShort(3))
        );
        assert_eq!(
            CommandApdu::parse(&[0x00, 0xA4, 0x04, 0x00, 0x00, 0x00, 0x02]),
            Err(ApduError::Extended)
        );
        assert_eq!(
            CommandApdu::parse(&[0x00, 0xA4, 0x04, 0x00, 0x03, 0xAA]),
            Err(ApduError::LengthMismatch { lc: 3, len: 6 })
        );
        assert_eq!(
            CommandApdu::parse(&[0x00, 0xA4, 0x04, 0x00, 0x01, 0xAA, 0x00, 0x00]),
            Err(ApduError::LengthMismatch { lc: 1, len: 8 })
        );
        let long = [0u8; 256];
        let apdu = CommandApdu {
            cla: 0,
            ins: 0,
            p1: 0,
            p2: 0,
            data: &long,
            le: None,
        };
        assert_eq!(apdu.to_bytes(), Err(ApduError::DataTooLong(256)));
        let apdu = CommandApdu {
            data: &[],
            le: Some(257),
            ..apdu
        };
        assert_eq!(apdu.to_bytes(), Err(ApduError::LeOutOfRange(257)));
    }

    #[test]
    fn class_bytes_and_channels() {
        assert_eq!(parse_cla(0x00), Some((ClassKind::Interindustry, 0)));
        assert_eq!(parse_cla(0x03), Some((ClassKind::Interindustry, 3)));
        assert_eq!(parse_cla(0x40), Some((ClassKind::Interindustry, 4)));
        assert_eq!(parse_cla(0x4F), Some((ClassKind::Interindustry, 19)));
        assert_eq!(parse_cla(0x81), Some((ClassKind::Proprietary, 1)));
        assert_eq!(parse_cla(0xCF), Some((ClassKind::Proprietary, 19)));
        for bad in [0x04, 0x0C, 0x10, 0x20, 0x60, 0x84, 0x90, 0xA0, 0xE0, 0xFF] {
            assert_eq!(parse_cla(bad), None, "{bad:02X}");
        }
        for ch in 0..MAX_LOGICAL_CHANNELS {
            for kind in [ClassKind::Interindustry, ClassKind::Proprietary] {
                let cla = cla_for_channel(kind, ch).unwrap();
                assert_eq!(parse_cla(cla), Some((kind, ch)));
            }
        }
        assert_eq!(cla_for_channel(ClassKind::Proprietary, 20), None);
    }

    #[test]
    fn status_word_helpers() {
        assert_eq!(sw::bytes_available(0x2A), 0x612A);
        assert_eq!(sw::bytes_available(255), 0x61FF);
        assert_eq!(sw::bytes_available(256), 0x6100);
        assert_eq!(sw::bytes_available(600), 0x6100);
        let r = ResponseApdu::parse(&[0x01, 0x61, 0x10]).unwrap();
        assert_eq!(
            (r.data.as_slice(), r.sw, r.sw1(), r.sw2()),
            (&[1][..], 0x6110, 0x61, 0x10)
        );
        assert_eq!(r.to_bytes(), [0x01, 0x61, 0x10]);
        assert_eq!(
            ResponseApdu::parse(&[0x90]),
            Err(ApduError::ResponseTooShort(1))
        );
    }

    #[test]
    fn tlv_helpers() {
        let mut out = Vec::new();
        push_tlv(&mut out, 0x84, &[1, 2]);
        push_tlv(&mut out, 0x9F65, &[0xFF]);
        push_tlv(&mut out, 0xA5, &[0u8; 200]);
        assert_eq!(&out[..9], &[0x84, 0x02, 1, 2, 0x9F, 0x65, 0x01, 0xFF, 0xA5]);
        assert_eq!(&out[9..11], &[0x81, 200]);
        assert_eq!(find_tlv(&out, 0x84), Some(&[1u8, 2][..]));
        assert_eq!(find_tlv(&out, 0xA5).map(<[u8]>::len), Some(200));
        assert_eq!(
            find_tlv(&out, 0x65),
            None,
            "the second byte of 9F65 is no tag"
        );
        assert_eq!(find_tlv(&[0x84, 0x05, 1], 0x84), None);
        let mut big = Vec::new();
        push_tlv(&mut big, 0x6F, &[0u8; 300]);
        assert_eq!(&big[..4], &[0x6F, 0x82, 0x01, 0x2C]);
    }
}
