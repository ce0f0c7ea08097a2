//! JSON rendering conventions of the ASN.1 model (used by `sgp32 decode`, traces, snapshots).
//!
//! - object keys are the ASN.1 component names of the module (`eimId`, `euiccPackageSigned`);
//! - a CHOICE is `{"alternative": value}`; an absent OPTIONAL component is left out; NULL is `null`;
//! - OCTET STRING is lower-case hex; BIT STRING is the hex of its bits padded with zeros to whole
//!   octets, followed by `/N` when the number of bits N is not a multiple of 8 (`"a0/3"`);
//! - named INTEGERs and ENUMERATEDs are written by name (an unnamed value as its number);
//! - unknown extension elements appear as `"unknownExtensions": ["<TLV hex>", ...]`.

use rasn::types::{BitString, FixedOctetString, ObjectIdentifier};
use serde::Serializer;

/// Serializes bytes (OCTET STRING and the like) as lower-case hex.
pub fn hex<T: AsRef<[u8]>, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&::hex::encode(value.as_ref()))
}

/// [`hex()`] for an OPTIONAL component (use with `skip_serializing_if = "Option::is_none"`).
pub fn hex_opt<T: AsRef<[u8]>, S: Serializer>(
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => hex(v, serializer),
        None => serializer.serialize_none(),
    }
}

/// [`hex()`] for a SEQUENCE OF OCTET STRING.
pub fn hex_seq<T: AsRef<[u8]>, S: Serializer>(
    value: &[T],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(value.iter().map(|v| ::hex::encode(v.as_ref())))
}

/// [`hex()`] for a fixed-size OCTET STRING (rasn's `FixedOctetString` has no `AsRef<[u8]>`).
pub fn hex_fixed<const N: usize, S: Serializer>(
    value: &FixedOctetString<N>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&::hex::encode(&value[..]))
}

/// [`hex_fixed`] for an OPTIONAL component.
pub fn hex_fixed_opt<const N: usize, S: Serializer>(
    value: &Option<FixedOctetString<N>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => hex_fixed(v, serializer),
        None => serializer.serialize_none(),
    }
}

/// Serializes an OBJECT IDENTIFIER in dotted form (`1.3.6.1`).
pub fn oid<S: Serializer>(value: &ObjectIdentifier, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.to_string())
}

/// [`oid`] for an OPTIONAL component.
pub fn oid_opt<S: Serializer>(
    value: &Option<ObjectIdentifier>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => oid(v, serializer),
        None => serializer.serialize_none(),
    }
}

/// The text form of a BIT STRING (see the module docs).
pub fn bit_string_text(bits: &BitString) -> String {
    let mut bytes = vec![0u8; bits.len().div_ceil(8)];
    for (i, bit) in bits.iter().enumerate() {
        if *bit {
            bytes[i / 8] |= 0x80 >> (i % 8);
        }
    }
    let hex = ::hex::encode(bytes);
    if bits.len().is_multiple_of(8) {
        hex
    } else {
        format!("{hex}/{}", bits.len())
    }
}

/// Serializes a BIT STRING (see the module docs).
pub fn bits<S: Serializer>(value: &BitString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&bit_string_text(value))
}

/// [`bits`] for an OPTIONAL component.
pub fn bits_opt<S: Serializer>(
    value: &Option<BitString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => bits(v, serializer),
        None => serializer.serialize_none(),
    }
}

/// Declares a named INTEGER (`INTEGER { ok(0), ... }`): a newtype over `i64` that encodes as an
/// INTEGER, has one associated constant per name and serializes by name.
///
/// ```ignore
/// named_integer! {
///     /// SGP.32 ... enableResult
///     pub EnableResult { OK = 0 => "ok", ICCID_OR_AID_NOT_FOUND = 1 => "iccidOrAidNotFound" }
/// }
/// ```
#[macro_export]
macro_rules! named_integer {
    ($(#[$meta:meta])* $vis:vis $name:ident { $($konst:ident = $value:literal => $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis struct $name(pub i64);

        /// `Type(name(value))` for a named value, `Type(value)` otherwise: failure messages
        /// and logs show the ASN.1 name.
        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self.name() {
                    Some(n) => write!(f, "{}({}({}))", stringify!($name), n, self.0),
                    None => write!(f, "{}({})", stringify!($name), self.0),
                }
            }
        }

        impl ::rasn::AsnType for $name {
            const TAG: ::rasn::types::Tag = ::rasn::types::Tag::INTEGER;
        }

        impl ::rasn::Decode for $name {
            fn decode_with_tag_and_constraints<D: ::rasn::Decoder>(
                decoder: &mut D,
                tag: ::rasn::types::Tag,
                constraints: &::rasn::types::Constraints,
            ) -> Result<Self, D::Error> {
                <i64 as ::rasn::Decode>::decode_with_tag_and_constraints(decoder, tag, constraints).map(Self)
            }
        }

        impl ::rasn::Encode for $name {
            fn encode_with_tag_and_constraints<'b, E: ::rasn::Encoder<'b>>(
                &self,
                encoder: &mut E,
                tag: ::rasn::types::Tag,
                constraints: &::rasn::types::Constraints,
                identifier: ::rasn::types::Identifier,
            ) -> Result<(), E::Error> {
                ::rasn::Encode::encode_with_tag_and_constraints(&self.0, encoder, tag, constraints, identifier)
            }
        }

        #[allow(dead_code)]
        impl $name {
            $(
                #[doc = concat!("`", $text, "(", stringify!($value), ")`")]
                pub const $konst: Self = Self($value);
            )*

            /// The ASN.1 name of this value, if it has one.
            pub fn name(&self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($text),)*
                    _ => None,
                }
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self.name() {
                    Some(name) => write!(f, "{}({})", name, self.0),
                    None => write!(f, "{}", self.0),
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self.name() {
                    Some(name) => serializer.serialize_str(name),
                    None => serializer.serialize_i64(self.0),
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    named_integer! {
        /// A test type.
        pub TestResult { OK = 0 => "ok", UNDEFINED_ERROR = 127 => "undefinedError" }
    }

    #[test]
    fn named_integer_encodes_as_integer_and_prints_by_name() {
        assert_eq!(
            rasn::der::encode(&TestResult::UNDEFINED_ERROR).unwrap(),
            [0x02, 0x01, 0x7f]
        );
        assert_eq!(
            rasn::der::decode::<TestResult>(&[0x02, 0x01, 0x05]).unwrap(),
            TestResult(5)
        );
        assert_eq!(serde_json::to_string(&TestResult::OK).unwrap(), "\"ok\"");
        assert_eq!(serde_json::to_string(&TestResult(5)).unwrap(), "5");
    }

    #[test]
    fn bit_string_text_pads_and_counts() {
        let mut bits = BitString::new();
        bits.extend([true, false, true]);
        assert_eq!(bit_string_text(&bits), "a0/3");
        let bits = BitString::from_slice(&[0x05, 0x80]);
        assert_eq!(bit_string_text(&bits), "0580");
    }
}
