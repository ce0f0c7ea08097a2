//! Tolerance of unknown extension elements (the modules are `EXTENSIBILITY IMPLIED`).
//!
//! rasn 0.30 rejects a SEQUENCE whose contents are not fully consumed
//! (`UnexpectedExtraData`), so an SGP.32 v1.3 peer that appends a new element to a v1.2
//! SEQUENCE would make every message containing it undecodable. Every SEQUENCE in
//! [`crate::asn1`] therefore ends with an [`Extensions`] field: it takes whatever elements are
//! left after the known ones, keeps them as raw TLVs (so re-encoding is byte-identical and
//! signatures over the re-encoded data still verify), and records each one as an
//! [`ExtensionFinding`] that [`take_findings`] hands to the caller.

use std::cell::RefCell;

use rasn::prelude::*;
use rasn::types::Identifier;
use serde::{Serialize, Serializer};

/// Elements found after the last known element of a SEQUENCE, kept verbatim.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Extensions(pub Vec<Any>);

impl Extensions {
    /// No unknown elements were present (the usual case; JSON output omits the field then).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// An unknown trailing element seen while decoding: its encoding, kept for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtensionFinding {
    /// The whole TLV of the unknown element, hex.
    #[serde(serialize_with = "crate::asn1::json::hex")]
    pub element: Vec<u8>,
}

/// At most this many findings wait on a thread for [`take_findings`]; later ones are dropped,
/// so a long-running decoder that never asks (a simulated eUICC under load facing a v1.3 peer)
/// does not accumulate memory.
pub const MAX_PENDING_FINDINGS: usize = 256;

thread_local! {
    static FINDINGS: RefCell<Vec<ExtensionFinding>> = const { RefCell::new(Vec::new()) };
}

fn record(finding: ExtensionFinding) {
    FINDINGS.with(|f| {
        let mut f = f.borrow_mut();
        if f.len() < MAX_PENDING_FINDINGS {
            f.push(finding);
        }
    });
}

/// Takes (and clears) the unknown elements recorded on this thread since the last call (at
/// most [`MAX_PENDING_FINDINGS`]). Call it before and after a decode to get that decode's.
pub fn take_findings() -> Vec<ExtensionFinding> {
    FINDINGS.with(|f| std::mem::take(&mut *f.borrow_mut()))
}

impl AsnType for Extensions {
    const TAG: Tag = Tag::EOC;
}

impl Decode for Extensions {
    fn decode_with_tag_and_constraints<D: Decoder>(
        decoder: &mut D,
        _tag: Tag,
        _constraints: &Constraints,
    ) -> Result<Self, D::Error> {
        let mut elements = Vec::new();
        while let Some(element) = decoder.decode_optional_with_tag::<Any>(Tag::EOC)? {
            record(ExtensionFinding {
                element: element.as_bytes().to_vec(),
            });
            elements.push(element);
        }
        Ok(Self(elements))
    }
}

impl Encode for Extensions {
    fn encode_with_tag_and_constraints<'b, E: Encoder<'b>>(
        &self,
        encoder: &mut E,
        _tag: Tag,
        _constraints: &Constraints,
        _identifier: Identifier,
    ) -> Result<(), E::Error> {
        for element in &self.0 {
            encoder.encode_any(Tag::EOC, element, Identifier::EMPTY)?;
        }
        Ok(())
    }
}

impl Serialize for Extensions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|a| hex::encode(a.as_bytes())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(AsnType, Decode, Encode, Debug, PartialEq)]
    #[rasn(automatic_tags)]
    struct Inner {
        a: i64,
        b: Option<OctetString>,
        extensions: Extensions,
    }

    #[derive(AsnType, Decode, Encode, Debug, PartialEq)]
    #[rasn(automatic_tags)]
    struct Outer {
        x: Inner,
        y: Option<i64>,
        extensions: Extensions,
    }

    #[test]
    fn unknown_trailing_elements_are_kept_and_reported_at_every_level() {
        // Outer { Inner { a 1, [5] 0A, [7] 01 }, y 2, [7] 01 }
        let bytes = hex::decode("3011a00980010185010a870101810102870101").unwrap();
        let _ = take_findings();
        let outer: Outer = rasn::der::decode(&bytes).unwrap();
        assert_eq!(outer.x.a, 1);
        assert_eq!(outer.y, Some(2));
        assert_eq!(outer.x.extensions.0.len(), 2);
        assert_eq!(outer.extensions.0.len(), 1);
        let findings = take_findings();
        assert_eq!(findings.len(), 3);
        assert_eq!(findings[0].element, [0x85, 0x01, 0x0a]);
        assert_eq!(rasn::der::encode(&outer).unwrap(), bytes);
    }

    #[test]
    fn findings_nobody_takes_stay_bounded() {
        let bytes = hex::decode("3011a00980010185010a870101810102870101").unwrap();
        let _ = take_findings();
        for _ in 0..MAX_PENDING_FINDINGS {
            let _: Outer = rasn::der::decode(&bytes).unwrap();
        }
        assert_eq!(take_findings().len(), MAX_PENDING_FINDINGS);
        assert!(take_findings().is_empty());
    }

    #[test]
    fn without_unknown_elements_nothing_is_reported() {
        let bytes = hex::decode("3008a003800101810102").unwrap();
        let _ = take_findings();
        let outer: Outer = rasn::der::decode(&bytes).unwrap();
        assert!(outer.extensions.is_empty() && outer.x.extensions.is_empty());
        assert!(take_findings().is_empty());
        assert_eq!(rasn::der::encode(&outer).unwrap(), bytes);
    }
}
