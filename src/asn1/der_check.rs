//! A strict DER check over raw bytes (X.690 clauses 8, 10 and 11), independent of the ASN.1 types.
//!
//! [`check_der`] walks the BER tag-length-value structure of one encoded value (identifier octets
//! including high tag numbers, length octets, primitive and constructed forms, recursion into
//! constructed values, definite and indefinite lengths) and reports, each with the byte offset
//! where it starts, what a lenient BER decoder accepts but DER forbids:
//!
//! - non-minimal lengths (long form where the short form fits, leading `00` length octets),
//!   the indefinite length (`80`), the reserved length octet `FF` (X.690 8.1.3, 10.1);
//! - non-minimal high tag numbers (a leading `80` subsequent octet, or the high-tag-number form
//!   for a number below 31; X.690 8.1.2.4);
//! - bytes after the top-level value;
//! - content rules of the universal primitive types: BIT STRING unused bits (X.690 8.6.2, 11.2),
//!   constructed strings (X.690 10.2), BOOLEAN (11.1), INTEGER and ENUMERATED minimality
//!   (8.3.2), NULL (8.8);
//! - a tag written twice: a constructed context, application or private value whose only element
//!   has the very same identifier, e.g. `BF39 { BF39 { ... } }`. This is how Erlang asn1ct
//!   double-tagged tagged CHOICE types (`X ::= [57] CHOICE {...}`; notes 1.4 and 7.3). It is a
//!   **heuristic**: without the schema a legitimate nesting (a `[0]` component whose CHOICE
//!   alternative is also `[0]` and constructed) looks the same, so treat it as a warning to be
//!   confirmed against the module;
//! - structural errors (truncated identifier, length or content, a length beyond the enclosing
//!   value, a misplaced or missing end-of-contents, a primitive SEQUENCE, ...) as
//!   [`DerFindingKind::Malformed`], and nesting deeper than [`MAX_DEPTH`] as
//!   [`DerFindingKind::TooDeep`].
//!
//! Limits: only universal-class values are checked by content. An implicitly tagged value
//! (`[1] IMPLICIT INTEGER`, the rule under AUTOMATIC TAGS) carries a context tag, and what type
//! it has cannot be known without the schema, so its content is not checked; decoding into the
//! rasn types and re-encoding catches those. The order of SET / SET OF elements, the time types
//! and the restricted character string alphabets are not checked either.
//!
//! The check never panics and its recursion is bounded by [`MAX_DEPTH`], whatever the input.

use std::fmt;

use serde::Serialize;

/// Nesting depth of constructed values below which the check descends (the top-level value is
/// depth 0). Real SGP.32 and SGP.22 messages nest about a dozen levels deep.
pub const MAX_DEPTH: usize = 64;

/// What is wrong at a [`DerFinding`]'s offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DerFindingKind {
    /// Long-form length where the short form fits, or leading `00` length octets (X.690 10.1).
    NonMinimalLength,
    /// Indefinite length `80` (X.690 10.1: DER uses the definite form only).
    IndefiniteLength,
    /// The length octet `FF`, reserved by X.690 8.1.3.5 c).
    ReservedLength,
    /// High-tag-number form with a leading `80` octet or for a number below 31 (X.690 8.1.2.4).
    NonMinimalTag,
    /// Bytes after the end of the top-level value.
    TrailingBytes,
    /// BIT STRING whose initial octet (the number of unused bits) is above 7 (X.690 8.6.2.2).
    BitStringUnusedBitsTooLarge,
    /// Empty BIT STRING declaring unused bits (X.690 8.6.2.3).
    BitStringEmptyWithUnusedBits,
    /// BIT STRING whose unused (padding) bits are not all zero (X.690 11.2.1).
    BitStringNonZeroPadding,
    /// BIT STRING, OCTET STRING or a character string in the constructed form (X.690 10.2).
    ConstructedString,
    /// BOOLEAN whose content is not the single octet `00` or `FF` (X.690 11.1).
    BadBoolean,
    /// INTEGER or ENUMERATED with a redundant leading `00` or `FF` octet (X.690 8.3.2).
    NonMinimalInteger,
    /// INTEGER or ENUMERATED without content octets (X.690 8.3.1).
    EmptyInteger,
    /// NULL with content octets (X.690 8.8.2).
    NullWithContent,
    /// A constructed tagged value whose only element carries the same tag again (heuristic for
    /// a tagged CHOICE encoded with its tag twice, see the module docs).
    DoubleTag,
    /// Not a valid BER encoding at all (truncation, bad length, misplaced end-of-contents, ...).
    Malformed,
    /// Nesting deeper than [`MAX_DEPTH`]; the content below was not checked.
    TooDeep,
}

impl DerFindingKind {
    /// The kind's name as it appears in JSON (camelCase).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NonMinimalLength => "nonMinimalLength",
            Self::IndefiniteLength => "indefiniteLength",
            Self::ReservedLength => "reservedLength",
            Self::NonMinimalTag => "nonMinimalTag",
            Self::TrailingBytes => "trailingBytes",
            Self::BitStringUnusedBitsTooLarge => "bitStringUnusedBitsTooLarge",
            Self::BitStringEmptyWithUnusedBits => "bitStringEmptyWithUnusedBits",
            Self::BitStringNonZeroPadding => "bitStringNonZeroPadding",
            Self::ConstructedString => "constructedString",
            Self::BadBoolean => "badBoolean",
            Self::NonMinimalInteger => "nonMinimalInteger",
            Self::EmptyInteger => "emptyInteger",
            Self::NullWithContent => "nullWithContent",
            Self::DoubleTag => "doubleTag",
            Self::Malformed => "malformed",
            Self::TooDeep => "tooDeep",
        }
    }
}

impl fmt::Display for DerFindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One departure from DER found by [`check_der`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct DerFinding {
    /// Offset in the input of the first octet concerned: the identifier octet for tag, form and
    /// double-tag findings, the first length octet for length findings, the first content octet
    /// for content findings (the last one for BIT STRING padding), the first trailing byte.
    pub offset: usize,
    /// What kind of departure it is.
    pub kind: DerFindingKind,
    /// One line for a human, naming the octets involved.
    pub message: String,
}

impl fmt::Display for DerFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "offset {} (0x{:x}): {}: {}",
            self.offset, self.offset, self.kind, self.message
        )
    }
}

/// Checks that `bytes` is exactly one value in strict DER; returns the findings sorted by offset
/// (empty = strict DER as far as can be told without the schema).
pub fn check_der(bytes: &[u8]) -> Vec<DerFinding> {
    let mut walker = Walker {
        bytes,
        findings: Vec::new(),
    };
    if bytes.is_empty() {
        walker.report(0, DerFindingKind::Malformed, "empty input: no value".into());
        return walker.findings;
    }
    if let Ok(tlv) = walker.value(0, bytes.len(), 0)
        && tlv.end < bytes.len()
    {
        let n = bytes.len() - tlv.end;
        walker.report(
            tlv.end,
            DerFindingKind::TrailingBytes,
            format!("{n} byte(s) after the end of the top-level value"),
        );
    }
    // Stable: findings at one offset keep the order the walk met them in.
    walker.findings.sort_by_key(|f| f.offset);
    walker.findings
}

/// `true` if [`check_der`] finds nothing.
pub fn is_strict_der(bytes: &[u8]) -> bool {
    check_der(bytes).is_empty()
}

/// The walk could not go on inside the current value (a finding has been recorded).
struct Stop;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Universal,
    Application,
    Context,
    Private,
}

impl Class {
    fn from_octet(octet: u8) -> Self {
        match octet >> 6 {
            0 => Self::Universal,
            1 => Self::Application,
            2 => Self::Context,
            _ => Self::Private,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct Ident {
    class: Class,
    constructed: bool,
    number: u32,
}

enum Length {
    Definite(usize),
    Indefinite,
}

struct Header {
    ident: Ident,
    /// Offset of the first identifier octet.
    offset: usize,
    /// Offset of the first length octet.
    length_offset: usize,
    content: usize,
    length: Length,
}

/// A value walked to its end.
struct Tlv {
    ident: Ident,
    offset: usize,
    end: usize,
}

const UNIVERSAL_EOC: u32 = 0;
const BOOLEAN: u32 = 1;
const INTEGER: u32 = 2;
const BIT_STRING: u32 = 3;
const NULL: u32 = 5;
const ENUMERATED: u32 = 10;

/// Universal types whose encoding is always primitive (X.690 8.2, 8.3, 8.5, 8.8, 8.19, 8.20).
fn always_primitive(number: u32) -> bool {
    matches!(number, 1 | 2 | 5 | 6 | 9 | 10 | 13)
}

/// Universal string types, primitive only in DER (X.690 10.2): BIT STRING, OCTET STRING,
/// ObjectDescriptor and the restricted character strings.
fn string_type(number: u32) -> bool {
    matches!(number, 3 | 4 | 7 | 12 | 18..=22 | 25..=30)
}

struct Walker<'a> {
    bytes: &'a [u8],
    findings: Vec<DerFinding>,
}

impl Walker<'_> {
    fn report(&mut self, offset: usize, kind: DerFindingKind, message: String) {
        self.findings.push(DerFinding {
            offset,
            kind,
            message,
        });
    }

    fn malformed(&mut self, offset: usize, message: String) -> Stop {
        self.report(offset, DerFindingKind::Malformed, message);
        Stop
    }

    /// Hex of `bytes[from..to]`, clamped to the input.
    fn hex(&self, from: usize, to: usize) -> String {
        let to = to.min(self.bytes.len());
        let from = from.min(to);
        self.bytes
            .get(from..to)
            .map(hex::encode)
            .unwrap_or_default()
    }

    fn octet(&self, pos: usize, limit: usize) -> Option<u8> {
        if pos < limit {
            self.bytes.get(pos).copied()
        } else {
            None
        }
    }

    /// Reads the identifier and length octets at `pos`; the value must end by `limit`.
    fn header(&mut self, pos: usize, limit: usize) -> Result<Header, Stop> {
        let Some(first) = self.octet(pos, limit) else {
            return Err(self.malformed(pos, "truncated: identifier octet missing".into()));
        };
        let class = Class::from_octet(first);
        let constructed = first & 0x20 != 0;
        let mut cursor = pos + 1;
        let number = if first & 0x1f != 0x1f {
            u32::from(first & 0x1f)
        } else {
            let mut number: u64 = 0;
            let mut count = 0usize;
            loop {
                let Some(octet) = self.octet(cursor, limit) else {
                    return Err(self.malformed(
                        pos,
                        format!(
                            "truncated identifier {}: a tag number octet is missing",
                            self.hex(pos, cursor)
                        ),
                    ));
                };
                if count == 0 && octet == 0x80 {
                    self.report(
                        pos,
                        DerFindingKind::NonMinimalTag,
                        "tag number with a leading 80 octet (X.690 8.1.2.4.2 c)".into(),
                    );
                }
                number = (number << 7) | u64::from(octet & 0x7f);
                cursor += 1;
                count += 1;
                if number > u64::from(u32::MAX) {
                    return Err(self.malformed(
                        pos,
                        format!("tag number in {} is too large", self.hex(pos, cursor)),
                    ));
                }
                if octet & 0x80 == 0 {
                    break;
                }
            }
            let number = u32::try_from(number).unwrap_or(u32::MAX);
            if number < 31 {
                self.report(
                    pos,
                    DerFindingKind::NonMinimalTag,
                    format!(
                        "identifier {} uses the high-tag-number form for tag number {number} \
                         (below 31 fits in one octet)",
                        self.hex(pos, cursor)
                    ),
                );
            }
            number
        };
        let ident = Ident {
            class,
            constructed,
            number,
        };
        let length_offset = cursor;
        let Some(first_length) = self.octet(cursor, limit) else {
            return Err(self.malformed(
                pos,
                format!(
                    "truncated after identifier {}: no length",
                    self.hex(pos, cursor)
                ),
            ));
        };
        cursor += 1;
        let length = match first_length {
            0x00..=0x7f => Length::Definite(usize::from(first_length)),
            0x80 => {
                self.report(
                    length_offset,
                    DerFindingKind::IndefiniteLength,
                    format!(
                        "indefinite length after identifier {}",
                        self.hex(pos, length_offset)
                    ),
                );
                Length::Indefinite
            }
            0xff => {
                self.report(
                    length_offset,
                    DerFindingKind::ReservedLength,
                    "reserved length octet ff (X.690 8.1.3.5 c)".into(),
                );
                return Err(Stop);
            }
            _ => {
                let count = usize::from(first_length & 0x7f);
                let end = cursor + count;
                if end > limit || end > self.bytes.len() {
                    return Err(self.malformed(
                        length_offset,
                        format!(
                            "truncated: {count} length octet(s) announced by {first_length:02x}"
                        ),
                    ));
                }
                let octets = self.bytes.get(cursor..end).unwrap_or_default();
                let significant: &[u8] = match octets.iter().position(|&b| b != 0) {
                    Some(i) => octets.get(i..).unwrap_or_default(),
                    None => &[],
                };
                if significant.len() > std::mem::size_of::<usize>() {
                    return Err(self.malformed(
                        length_offset,
                        format!("length {} is too large", self.hex(length_offset, end)),
                    ));
                }
                let value = significant
                    .iter()
                    .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
                if octets.first() == Some(&0) || value < 0x80 {
                    let why = if value < 0x80 {
                        "the short form fits"
                    } else {
                        "leading 00 length octet"
                    };
                    self.report(
                        length_offset,
                        DerFindingKind::NonMinimalLength,
                        format!(
                            "length {} encodes {value}: {why}",
                            self.hex(length_offset, end)
                        ),
                    );
                }
                cursor = end;
                Length::Definite(value)
            }
        };
        if let Length::Definite(len) = length {
            let available = limit.saturating_sub(cursor);
            if len > available {
                return Err(self.malformed(
                    length_offset,
                    format!(
                        "length {len} after identifier {} goes beyond the end: \
                         {available} octet(s) available",
                        self.hex(pos, length_offset)
                    ),
                ));
            }
        }
        Ok(Header {
            ident,
            offset: pos,
            length_offset,
            content: cursor,
            length,
        })
    }

    /// Walks the value at `pos`, which must end by `limit`, at nesting `depth`.
    fn value(&mut self, pos: usize, limit: usize, depth: usize) -> Result<Tlv, Stop> {
        let header = self.header(pos, limit)?;
        let ident = header.ident;
        if ident.class == Class::Universal && ident.number == UNIVERSAL_EOC {
            return Err(self.malformed(
                pos,
                "end-of-contents (universal 0) outside an indefinite-length value".into(),
            ));
        }
        self.check_form(&header);
        let end = match header.length {
            Length::Definite(len) => {
                let end = header.content + len;
                if ident.constructed {
                    self.constructed_definite(&header, end, depth);
                } else {
                    self.primitive(&header, end);
                }
                end
            }
            Length::Indefinite => {
                if !ident.constructed {
                    return Err(self.malformed(
                        header.length_offset,
                        "indefinite length on a primitive value (X.690 8.1.3.2 a)".into(),
                    ));
                }
                self.constructed_indefinite(&header, limit, depth)?
            }
        };
        Ok(Tlv {
            ident,
            offset: pos,
            end,
        })
    }

    /// Form rules of the universal types.
    fn check_form(&mut self, header: &Header) {
        let ident = header.ident;
        if ident.class != Class::Universal {
            return;
        }
        if ident.constructed && string_type(ident.number) {
            self.report(
                header.offset,
                DerFindingKind::ConstructedString,
                format!(
                    "universal {} string in the constructed form (X.690 10.2)",
                    ident.number
                ),
            );
        } else if ident.constructed && always_primitive(ident.number) {
            self.report(
                header.offset,
                DerFindingKind::Malformed,
                format!("universal {} must be primitive", ident.number),
            );
        } else if !ident.constructed && matches!(ident.number, 16 | 17) {
            self.report(
                header.offset,
                DerFindingKind::Malformed,
                format!(
                    "universal {} (SEQUENCE/SET) must be constructed",
                    ident.number
                ),
            );
        }
    }

    /// The children of a definite-length constructed value ending at `end`.
    fn constructed_definite(&mut self, header: &Header, end: usize, depth: usize) {
        if header.content == end {
            return;
        }
        if depth >= MAX_DEPTH {
            self.too_deep(header);
            return;
        }
        let mut pos = header.content;
        let mut children = 0usize;
        let mut only: Option<Tlv> = None;
        while pos < end {
            match self.value(pos, end, depth + 1) {
                Ok(child) => {
                    pos = child.end;
                    children += 1;
                    only = Some(child);
                }
                // The rest of this value can't be walked; its end is known, go on after it.
                Err(Stop) => return,
            }
        }
        if children == 1
            && let Some(child) = only
        {
            self.check_double_tag(header, &child);
        }
    }

    /// The children of an indefinite-length constructed value, up to its end-of-contents;
    /// returns the end of the value.
    fn constructed_indefinite(
        &mut self,
        header: &Header,
        limit: usize,
        depth: usize,
    ) -> Result<usize, Stop> {
        if depth >= MAX_DEPTH {
            self.too_deep(header);
            return Err(Stop);
        }
        let mut pos = header.content;
        let mut children = 0usize;
        let mut only: Option<Tlv> = None;
        loop {
            if pos >= limit {
                return Err(self.malformed(
                    header.offset,
                    format!(
                        "indefinite-length value {} has no end-of-contents",
                        self.hex(header.offset, header.length_offset)
                    ),
                ));
            }
            if self.octet(pos, limit) == Some(0) && self.octet(pos + 1, limit) == Some(0) {
                pos += 2;
                break;
            }
            let child = self.value(pos, limit, depth + 1)?;
            pos = child.end;
            children += 1;
            only = Some(child);
        }
        if children == 1
            && let Some(child) = only
        {
            self.check_double_tag(header, &child);
        }
        Ok(pos)
    }

    fn too_deep(&mut self, header: &Header) {
        self.report(
            header.offset,
            DerFindingKind::TooDeep,
            format!("nesting deeper than {MAX_DEPTH} levels: content not checked"),
        );
    }

    fn check_double_tag(&mut self, header: &Header, child: &Tlv) {
        if header.ident.class != Class::Universal && child.ident == header.ident {
            self.report(
                child.offset,
                DerFindingKind::DoubleTag,
                format!(
                    "tag {} written twice: its only element has the same tag \
                     (a tagged CHOICE double-tagged? heuristic)",
                    self.hex(header.offset, header.length_offset)
                ),
            );
        }
    }

    /// Content rules of the universal primitive types (other classes need the schema).
    fn primitive(&mut self, header: &Header, end: usize) {
        let ident = header.ident;
        if ident.class != Class::Universal {
            return;
        }
        let start = header.content;
        let content = self.bytes.get(start..end).unwrap_or_default();
        match ident.number {
            BOOLEAN if content != [0x00] && content != [0xff] => self.report(
                start,
                DerFindingKind::BadBoolean,
                format!(
                    "BOOLEAN content '{}' is not the single octet 00 or ff",
                    hex::encode(content)
                ),
            ),
            INTEGER | ENUMERATED => {
                let name = if ident.number == INTEGER {
                    "INTEGER"
                } else {
                    "ENUMERATED"
                };
                match content {
                    [] => self.report(
                        header.offset,
                        DerFindingKind::EmptyInteger,
                        format!("{name} without content octets"),
                    ),
                    [0x00, next, ..] if *next < 0x80 => self.report(
                        start,
                        DerFindingKind::NonMinimalInteger,
                        format!("{name} with a redundant leading 00 before {next:02x}"),
                    ),
                    [0xff, next, ..] if *next >= 0x80 => self.report(
                        start,
                        DerFindingKind::NonMinimalInteger,
                        format!("{name} with a redundant leading ff before {next:02x}"),
                    ),
                    _ => {}
                }
            }
            BIT_STRING => match content {
                [] => self.report(
                    header.offset,
                    DerFindingKind::Malformed,
                    "BIT STRING without its initial (unused bits) octet".into(),
                ),
                [unused, ..] if *unused > 7 => self.report(
                    start,
                    DerFindingKind::BitStringUnusedBitsTooLarge,
                    format!("BIT STRING declares {unused} unused bits (at most 7)"),
                ),
                [unused] if *unused != 0 => self.report(
                    start,
                    DerFindingKind::BitStringEmptyWithUnusedBits,
                    format!("empty BIT STRING declares {unused} unused bits (must be 0)"),
                ),
                [unused, .., last] if *last & ((1u8 << *unused) - 1) != 0 => self.report(
                    end - 1,
                    DerFindingKind::BitStringNonZeroPadding,
                    format!(
                        "BIT STRING last octet {last:02x} has non-zero bits among its \
                         {unused} unused bits"
                    ),
                ),
                _ => {}
            },
            NULL if !content.is_empty() => self.report(
                start,
                DerFindingKind::NullWithContent,
                format!("NULL with {} content octet(s)", content.len()),
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(hex_input: &str) -> Vec<(usize, DerFindingKind)> {
        let bytes = hex::decode(hex_input).unwrap();
        check_der(&bytes)
            .into_iter()
            .map(|f| (f.offset, f.kind))
            .collect()
    }

    fn one(hex_input: &str, offset: usize, kind: DerFindingKind) {
        assert_eq!(
            findings(hex_input),
            vec![(offset, kind)],
            "input {hex_input}"
        );
    }

    use DerFindingKind::*;

    #[test]
    fn good_encodings_have_no_findings() {
        for good in [
            "0500",
            "0101ff",
            "010100",
            "020100",
            "02017f",
            "02020080",
            "0201ff",
            "0202ff7f",
            "0a0101",
            "030100",
            "030206c0",
            "0403010203",
            "3000",
            "30060201010201ff",
            // High tag numbers 57 (one tag octet) and 128 (two), long-form length 128.
            "bf3903800100",
            "9f81000100",
            &format!("0481800{}", "0".repeat(255)),
            // A context tag containing a different context tag.
            "a104a0020500",
            "a0053003020101",
        ] {
            assert_eq!(findings(good), vec![], "input {good}");
        }
    }

    #[test]
    fn each_kind_is_found_at_its_offset() {
        // Long form where the short form fits: 30 81 03 ...
        one("3081030201ff", 1, NonMinimalLength);
        // Leading 00 length octet: 04 82 00 80 ... (length 128 in two octets).
        one(
            &format!("04820080{}", "00".repeat(128)),
            1,
            NonMinimalLength,
        );
        // Nested: the second element's length.
        one("3007020101048101aa", 6, NonMinimalLength);
        one("30800201010000", 1, IndefiniteLength);
        one("30ff", 1, ReservedLength);
        // Tag 57 with a leading 80 tag octet: bf 80 39.
        one("9f80390100", 0, NonMinimalTag);
        // High-tag form for tag number 5: 9f 05.
        one("9f050100", 0, NonMinimalTag);
        one("050000", 2, TrailingBytes);
        one("030208c0", 2, BitStringUnusedBitsTooLarge);
        one("030103", 2, BitStringEmptyWithUnusedBits);
        // 6 unused bits, last octet c1 has bit 0 set.
        one("03030680c1", 4, BitStringNonZeroPadding);
        one("2304030200c0", 0, ConstructedString);
        one("24040402abcd", 0, ConstructedString);
        one("010101", 2, BadBoolean);
        one("0100", 2, BadBoolean);
        one("02020001", 2, NonMinimalInteger);
        one("0202ff80", 2, NonMinimalInteger);
        one("0a020005", 2, NonMinimalInteger);
        one("0200", 0, EmptyInteger);
        one("050100", 2, NullWithContent);
        // BF39 { BF39 { 80 01 00 } }: the inner identifier is the finding.
        one("bf3906bf3903800100", 3, DoubleTag);
        // Application tag written twice, inside a SEQUENCE.
        one("3006620462020500", 4, DoubleTag);
    }

    #[test]
    fn double_tag_needs_the_only_element_to_have_the_same_identifier() {
        // Two elements with the same tag: not the CHOICE pattern.
        assert_eq!(findings("bf390cbf3903800100bf3903800100"), vec![]);
        // Same number, primitive inner: different identifier.
        assert_eq!(findings("a0038001ff"), vec![]);
        // Universal SEQUENCE { SEQUENCE } is ordinary.
        assert_eq!(findings("30023000"), vec![]);
    }

    #[test]
    fn structural_errors_are_malformed() {
        for (input, offset) in [
            ("30", 0),                     // no length
            ("3005020101", 1),             // length beyond the end
            ("bf", 0),                     // truncated high tag
            ("bf81", 0),                   // truncated high tag (continuation)
            ("0482", 1),                   // length octets missing
            ("3003000000", 2),             // end-of-contents inside definite length
            ("0000", 0),                   // end-of-contents at top level
            ("048000", 1),                 // indefinite primitive (also reported as indefinite)
            ("30800201", 3),               // truncated child in an indefinite value
            ("3080020101", 0),             // indefinite without end-of-contents
            ("2203020100", 0),             // constructed INTEGER
            ("1000", 0),                   // primitive SEQUENCE
            ("0300", 0),                   // BIT STRING without the unused-bits octet
            ("bf8fffffffff7f00", 0),       // tag number beyond u32
            ("0489ffffffffffffffffff", 1), // length beyond usize
        ] {
            let found = check_der(&hex::decode(input).unwrap());
            assert!(
                found
                    .iter()
                    .any(|f| f.kind == Malformed && f.offset == offset),
                "input {input}: {found:?}"
            );
        }
        assert_eq!(findings(""), vec![(0, Malformed)]);
    }

    #[test]
    fn the_walk_goes_on_after_a_broken_constructed_value() {
        // SEQUENCE { [0] { 02 05 (too long) }, BOOLEAN 01 }: malformed inside [0], then the
        // bad BOOLEAN after it is still found.
        assert_eq!(
            findings("3007a0020205010101"),
            vec![(5, Malformed), (8, BadBoolean)]
        );
    }

    #[test]
    fn indefinite_values_are_walked_to_their_end_of_contents() {
        assert_eq!(
            findings("3080020200010000"),
            vec![(1, IndefiniteLength), (4, NonMinimalInteger)]
        );
        assert_eq!(
            findings("30800500000001"),
            vec![(1, IndefiniteLength), (6, TrailingBytes)]
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let depth = MAX_DEPTH + 10;
        let mut deep = vec![0x05, 0x00];
        for _ in 0..depth {
            let mut outer = vec![0x30];
            let len = deep.len();
            if len < 0x80 {
                outer.push(len as u8);
            } else if len < 0x100 {
                outer.extend([0x81, len as u8]);
            } else {
                outer.extend([0x82, (len >> 8) as u8, len as u8]);
            }
            outer.extend(deep);
            deep = outer;
        }
        let found = check_der(&deep);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, TooDeep);
        // Indefinite nesting: 30 80 repeated, never closed.
        let found = check_der(&[0x30, 0x80].repeat(100_000));
        assert!(found.iter().any(|f| f.kind == TooDeep));
        assert!(found.len() <= MAX_DEPTH + 2);
    }

    #[test]
    fn display_and_json_name_offset_kind_and_message() {
        let found = check_der(&hex::decode("3081030201ff").unwrap());
        assert_eq!(
            found[0].to_string(),
            "offset 1 (0x1): nonMinimalLength: length 8103 encodes 3: the short form fits"
        );
        let json = serde_json::to_value(&found[0]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "offset": 1,
                "kind": "nonMinimalLength",
                "message": "length 8103 encodes 3: the short form fits"
            })
        );
        for kind in [DoubleTag, BitStringNonZeroPadding, TooDeep] {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::String(kind.as_str().into())
            );
        }
    }

    fn vector(path: &str) -> Vec<u8> {
        let full = format!(
            "{}/../shared/spec/vectors/{path}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
    }

    #[test]
    fn the_captured_esipa_vectors_are_strict_der() {
        for path in [
            "esipa-live/getEimPackageRequest_req.der",
            "esipa-live/getEimPackageRequest_resp.der",
            "esipa-live/getEimPackage_download_resp.der",
            "esipa-live/getEimPackage_edr_resp.der",
            "esipa-live/getEimPackage_psmo_enable_resp.der",
            "esipa-to-es9/1_getEimPackage_resp.der",
            "esipa-to-es9/2_initiateAuthenticationResponseEsipa.der",
            "esipa-to-es9/initiateAuthenticationRequestEsipa_req.der",
        ] {
            let found = check_der(&vector(path));
            assert!(found.is_empty(), "{path}: {found:#?}");
        }
    }

    #[test]
    fn the_bpp_vectors_are_strict_der_too() {
        // Both `.ber` files turn out to be strict DER (cross-checked by re-encoding every TLV
        // with minimal lengths): the bound profile package (BF36, nesting 3 levels; its
        // segments are opaque ciphertext) and the AddInitialEim request (BF57, its one
        // BIT STRING with 0 unused bits).
        for path in ["bpp/bpp.ber", "bpp/sample_eim_cfg.ber"] {
            let found = check_der(&vector(path));
            assert!(found.is_empty(), "{path}: {found:#?}");
        }
    }
}
