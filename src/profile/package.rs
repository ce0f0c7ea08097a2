//! A small profile package in the SIMalliance / TCA eUICC Profile Package format
//! ("Interoperable Profile Package", PEDefinitions, `AUTOMATIC TAGS`), as the plaintext of a
//! bound profile package's '86' segments (SGP.22 2.5.5).
//!
//! [`sample_elements`] writes four profile elements, DER, by hand (the harness needs no full
//! model of PEDefinitions):
//!
//! | Element | Tag | What it carries |
//! |---|---|---|
//! | `header` ProfileHeader | `A0` | major-version 2 (`80`), minor-version 3 (`81`), profileType (`82`), **iccid** (`83`, 10 bytes), eUICC-Mandatory-services (`A5`, empty), eUICC-Mandatory-GFSTEList (`A6`: the MF template OID 2.23.143.1.2.1) |
//! | `mf` PE-MF | `B0` | mf-header (`A0`: mandated, identification 1), templateID (`81`: 2.23.143.1.2.1), mf (`A2`), ef-iccid (`A4`, fillFileContent `83` = the ICCID), ef-dir (`A5`), ef-arr (`A6`); empty `File`s take the template's defaults |
//! | `genericFileManagement` | `A1` | gfm-header (identification 2), fileManagementCMD (`A1`): one `SEQUENCE` creating a transparent EF `2F50` under the MF (createFCP `62`: descriptor `82 02 41 21`, file id `83`, LCSI `8A 01 05`, size `80`) and filling it (`81`) with the profile name (UTF-8, at most 64 bytes, at least one byte) |
//! | `end` PE-End | `AA` | end-header (identification 3) |
//!
//! [`summarize`] reads such a package back: every element a TLV, the first the header, its
//! ICCID and version (the eUICC checks the header's ICCID against StoreMetadata's).

use crate::asn1::rsp::Iccid;
use crate::asn1::tlv;

/// ProfileHeader `major-version` of [`sample_elements`].
pub const SAMPLE_MAJOR_VERSION: u8 = 2;
/// ProfileHeader `minor-version` of [`sample_elements`].
pub const SAMPLE_MINOR_VERSION: u8 = 3;
/// ProfileHeader `profileType` of [`sample_elements`].
pub const SAMPLE_PROFILE_TYPE: &str = "SGP32 harness sample profile";
/// The file id of the transparent EF the sample's genericFileManagement element creates.
pub const SAMPLE_EF_ID: [u8; 2] = [0x2F, 0x50];

/// The DER of the MF template OID 2.23.143.1.2.1 (`06 06 67 81 0F 01 02 01`).
const MF_TEMPLATE_OID: [u8; 8] = [0x06, 0x06, 0x67, 0x81, 0x0F, 0x01, 0x02, 0x01];

/// Profile element tags (the ProfileElement CHOICE, automatic tags, constructed).
pub mod pe_tag {
    /// `header [0] ProfileHeader`.
    pub const HEADER: u8 = 0xA0;
    /// `genericFileManagement [1]`.
    pub const GENERIC_FILE_MANAGEMENT: u8 = 0xA1;
    /// `end [10] PE-End`.
    pub const END: u8 = 0xAA;
    /// `mf [16] PE-MF`.
    pub const MF: u8 = 0xB0;
}

/// `PEHeader ::= SEQUENCE { mandated NULL OPTIONAL, identification UInt15 }` under `tag`.
fn pe_header(tag: u8, identification: u8) -> Vec<u8> {
    tlv::encode(&[tag], &[0x80, 0x00, 0x81, 0x01, identification])
}

/// The four profile elements described in the module documentation, concatenated (DER).
pub fn sample_elements(iccid: &Iccid, name: &str) -> Vec<u8> {
    let iccid: &[u8] = iccid.as_ref();
    let mut out = Vec::with_capacity(256);

    // header [0] ProfileHeader.
    let mut header = Vec::new();
    tlv::push(&mut header, &[0x80], &[SAMPLE_MAJOR_VERSION]);
    tlv::push(&mut header, &[0x81], &[SAMPLE_MINOR_VERSION]);
    tlv::push(&mut header, &[0x82], SAMPLE_PROFILE_TYPE.as_bytes());
    tlv::push(&mut header, &[0x83], iccid);
    tlv::push(&mut header, &[0xA5], &[]);
    tlv::push(&mut header, &[0xA6], &MF_TEMPLATE_OID);
    tlv::push(&mut out, &[pe_tag::HEADER], &header);

    // mf [16] PE-MF.
    let mut mf = pe_header(0xA0, 1);
    tlv::push(&mut mf, &[0x81], &MF_TEMPLATE_OID[2..]);
    tlv::push(&mut mf, &[0xA2], &[]);
    tlv::push(&mut mf, &[0xA4], &tlv::encode(&[0x83], iccid));
    tlv::push(&mut mf, &[0xA5], &[]);
    tlv::push(&mut mf, &[0xA6], &[]);
    tlv::push(&mut out, &[pe_tag::MF], &mf);

    // genericFileManagement [1]: create EF 2F50 (transparent) and fill it with the name.
    let content = name_bytes(name);
    let size = u16::try_from(content.len()).unwrap_or(64).to_be_bytes();
    let mut fcp = Vec::new();
    tlv::push(&mut fcp, &[0x82], &[0x41, 0x21]);
    tlv::push(&mut fcp, &[0x83], &SAMPLE_EF_ID);
    tlv::push(&mut fcp, &[0x8A], &[0x05]);
    tlv::push(&mut fcp, &[0x80], &size);
    let mut cmd = tlv::encode(&[0x62], &fcp);
    tlv::push(&mut cmd, &[0x81], &content);
    let mut gfm = pe_header(0xA0, 2);
    tlv::push(&mut gfm, &[0xA1], &tlv::encode(&[0x30], &cmd));
    tlv::push(&mut out, &[pe_tag::GENERIC_FILE_MANAGEMENT], &gfm);

    // end [10] PE-End.
    tlv::push(&mut out, &[pe_tag::END], &pe_header(0xA0, 3));
    out
}

/// The sample EF's content: the name's UTF-8 bytes cut to 64 (on a character boundary), or
/// one space for an empty name.
fn name_bytes(name: &str) -> Vec<u8> {
    let mut end = name.len().min(64);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    if end == 0 {
        vec![b' ']
    } else {
        name.as_bytes()[..end].to_vec()
    }
}

/// What [`summarize`] reads from a profile package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageSummary {
    /// ProfileHeader major-version.
    pub major_version: u8,
    /// ProfileHeader minor-version.
    pub minor_version: u8,
    /// ProfileHeader profileType, when present and UTF-8.
    pub profile_type: Option<String>,
    /// ProfileHeader iccid.
    pub iccid: Iccid,
    /// The first tag octet of each profile element, in order (`A0` header ... `AA` end).
    pub element_tags: Vec<u8>,
}

/// Why a profile package can't be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackageError {
    /// The bytes are not a sequence of complete TLVs.
    #[error("profile element {index} is not a TLV: {reason}")]
    NotTlv { index: usize, reason: &'static str },
    /// No elements at all.
    #[error("empty profile package")]
    Empty,
    /// The first element is not the ProfileHeader ('A0').
    #[error("the first profile element has tag {0:02X}, not the ProfileHeader A0")]
    NoHeader(u8),
    /// The header lacks a component or has one of the wrong size.
    #[error("ProfileHeader: {0}")]
    BadHeader(&'static str),
}

/// Reads the element list and the ProfileHeader of a profile package (see the module
/// documentation). Lenient: unknown header components and elements are skipped.
pub fn summarize(elements: &[u8]) -> Result<PackageSummary, PackageError> {
    let mut rest = elements;
    let mut tlvs = Vec::new();
    while !rest.is_empty() {
        let t = tlv::split(rest).map_err(|e| PackageError::NotTlv {
            index: tlvs.len(),
            reason: e.as_str(),
        })?;
        rest = &rest[t.whole.len()..];
        tlvs.push(t);
    }
    let first = tlvs.first().ok_or(PackageError::Empty)?;
    if first.tag != [pe_tag::HEADER] {
        return Err(PackageError::NoHeader(
            first.tag.first().copied().unwrap_or(0),
        ));
    }
    let mut major = None;
    let mut minor = None;
    let mut profile_type = None;
    let mut iccid = None;
    let mut body = first.content;
    while !body.is_empty() {
        let c = tlv::split(body).map_err(|_| PackageError::BadHeader("not a sequence of TLVs"))?;
        body = &body[c.whole.len()..];
        match (c.tag, c.content) {
            ([0x80], [v]) => major = Some(*v),
            ([0x81], [v]) => minor = Some(*v),
            ([0x82], v) => profile_type = std::str::from_utf8(v).ok().map(str::to_owned),
            ([0x83], v) => {
                iccid = Some(
                    Iccid::try_from(v)
                        .map_err(|_| PackageError::BadHeader("iccid not 10 bytes"))?,
                )
            }
            ([0x80 | 0x81], _) => return Err(PackageError::BadHeader("version not one byte")),
            _ => {}
        }
    }
    Ok(PackageSummary {
        major_version: major.ok_or(PackageError::BadHeader("no major-version"))?,
        minor_version: minor.ok_or(PackageError::BadHeader("no minor-version"))?,
        profile_type,
        iccid: iccid.ok_or(PackageError::BadHeader("no iccid"))?,
        element_tags: tlvs
            .iter()
            .map(|t| t.tag.first().copied().unwrap_or(0))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iccid() -> Iccid {
        Iccid::new([0x98, 0x10, 0x32, 0x54, 0x76, 0x98, 0x10, 0x32, 0x54, 0xF6])
    }

    #[test]
    fn sample_elements_have_the_documented_shape() {
        let pe = sample_elements(&iccid(), "Test");
        let s = summarize(&pe).unwrap();
        assert_eq!(s.element_tags, [0xA0, 0xB0, 0xA1, 0xAA]);
        assert_eq!((s.major_version, s.minor_version), (2, 3));
        assert_eq!(s.iccid, iccid());
        assert_eq!(s.profile_type.as_deref(), Some(SAMPLE_PROFILE_TYPE));
        // The header's first bytes and the end element, byte for byte.
        assert_eq!(hex::encode(&pe[..8]), "a03c800102810103");
        assert_eq!(hex::encode(&pe[pe.len() - 9..]), "aa07a0058000810103");
        // The ICCID is in the header and in EF ICCID; the name in EF 2F50.
        let hex = hex::encode(&pe);
        assert_eq!(hex.matches("830a981032547698103254f6").count(), 2);
        assert!(hex.contains("83022f50"));
        assert!(hex.contains(&format!("8104{}", hex::encode("Test"))));
        // Different names, different packages; empty and long names still valid.
        assert_ne!(pe, sample_elements(&iccid(), "Other"));
        assert!(summarize(&sample_elements(&iccid(), "")).is_ok());
        let long = "é".repeat(100);
        let pe = sample_elements(&iccid(), &long);
        assert!(hex::encode(&pe).contains(&format!("8140{}", hex::encode(&long[..64]))));
    }

    #[test]
    fn summarize_rejects_broken_packages() {
        let pe = sample_elements(&iccid(), "Test");
        assert_eq!(summarize(&[]), Err(PackageError::Empty));
        assert!(matches!(
            summarize(&pe[..pe.len() - 1]),
            Err(PackageError::NotTlv { index: 3, .. })
        ));
        let header_len = tlv::split(&pe).unwrap().whole.len();
        assert_eq!(
            summarize(&pe[header_len..]),
            Err(PackageError::NoHeader(0xB0))
        );
        assert_eq!(
            summarize(&[0xA0, 0x03, 0x81, 0x01, 0x02]),
            Err(PackageError::BadHeader("no major-version"))
        );
        assert_eq!(
            summarize(&[
                0xA0, 0x09, 0x80, 0x01, 0x02, 0x81, 0x01, 0x02, 0x83, 0x01, 0x00
            ]),
            Err(PackageError::BadHeader("iccid not 10 bytes"))
        );
    }
}
