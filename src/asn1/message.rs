//! Decoding a message whose type is known by name or guessed, with its JSON form and
//! re-encoding: the machinery behind `sgp32 decode` and the traces.
//!
//! Decoding is lenient (BER, so that a non-DER message from a SUT can still be shown as
//! evidence); strictness is reported separately by [`crate::asn1::der_check`] and by comparing
//! the DER re-encoding with the input (`--check`).

use std::fmt::Debug;

use rasn::{Decode, Encode};
use serde::Serialize;

use super::ext::{ExtensionFinding, take_findings};

/// A message decoded as one ASN.1 type.
#[derive(Debug, Clone)]
pub struct DecodedMessage {
    /// The ASN.1 type it was decoded as.
    pub type_name: &'static str,
    /// The JSON form (conventions in [`crate::asn1::json`]).
    pub json: serde_json::Value,
    /// The DER encoding of the decoded value.
    pub reencoded: Vec<u8>,
    /// Unknown extension elements met while decoding (kept in the value).
    pub extension_findings: Vec<ExtensionFinding>,
}

/// Why bytes could not be decoded as a type.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("empty input")]
    Empty,
    #[error("{type_name}: {source}")]
    Decode {
        type_name: &'static str,
        #[source]
        source: rasn::error::DecodeError,
    },
    #[error("{type_name}: {len} byte(s) left over after the message at offset {offset}")]
    TrailingBytes {
        type_name: &'static str,
        offset: usize,
        len: usize,
    },
    #[error("{type_name}: decoded, but cannot be re-encoded: {source}")]
    Encode {
        type_name: &'static str,
        #[source]
        source: rasn::error::EncodeError,
    },
    #[error("{type_name}: cannot render as JSON: {source}")]
    Json {
        type_name: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("unknown type name `{0}` (see `sgp32 decode --help` for the list)")]
    UnknownType(String),
}

/// One decodable type: its ASN.1 name and its decoder.
#[derive(Clone, Copy)]
pub struct MessageType {
    /// ASN.1 type name as in the module (without the `SGP32-` prefix).
    pub name: &'static str,
    /// Decodes the whole input as this type.
    pub decode: fn(&[u8]) -> Result<DecodedMessage, MessageError>,
}

impl Debug for MessageType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageType")
            .field("name", &self.name)
            .finish()
    }
}

/// Decodes all of `bytes` as `T` (BER, lenient), re-encodes it as DER and renders JSON.
pub fn decode_as<T>(type_name: &'static str, bytes: &[u8]) -> Result<DecodedMessage, MessageError>
where
    T: Decode + Encode + Serialize,
{
    if bytes.is_empty() {
        return Err(MessageError::Empty);
    }
    let _ = take_findings();
    let decoded = rasn::ber::decode_with_remainder::<T>(bytes);
    let extension_findings = take_findings();
    let (value, rest) = decoded.map_err(|source| MessageError::Decode { type_name, source })?;
    if !rest.is_empty() {
        return Err(MessageError::TrailingBytes {
            type_name,
            offset: bytes.len() - rest.len(),
            len: rest.len(),
        });
    }
    let reencoded =
        rasn::der::encode(&value).map_err(|source| MessageError::Encode { type_name, source })?;
    let json =
        serde_json::to_value(&value).map_err(|source| MessageError::Json { type_name, source })?;
    Ok(DecodedMessage {
        type_name,
        json,
        reencoded,
        extension_findings,
    })
}

/// Declares a [`MessageType`] for a Rust type, named after the ASN.1 type.
#[macro_export]
macro_rules! message_type {
    ($name:literal, $ty:ty) => {
        $crate::asn1::message::MessageType {
            name: $name,
            decode: |bytes| $crate::asn1::message::decode_as::<$ty>($name, bytes),
        }
    };
}

/// Renders a JSON value as indented `key: value` text lines (the `--format text` output).
pub fn json_to_text(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_text(value, 0, &mut out);
    out
}

fn write_text(value: &serde_json::Value, indent: usize, out: &mut String) {
    use serde_json::Value;
    let pad = "  ".repeat(indent);
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match v {
                    Value::Object(_) | Value::Array(_) if !is_empty(v) => {
                        out.push_str(&format!("{pad}{key}:\n"));
                        write_text(v, indent + 1, out);
                    }
                    _ => out.push_str(&format!("{pad}{key}: {}\n", scalar(v))),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                match v {
                    Value::Object(_) | Value::Array(_) if !is_empty(v) => {
                        out.push_str(&format!("{pad}[{i}]:\n"));
                        write_text(v, indent + 1, out);
                    }
                    _ => out.push_str(&format!("{pad}[{i}]: {}\n", scalar(v))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", scalar(other))),
    }
}

fn is_empty(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(m) => m.is_empty(),
        serde_json::Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn scalar(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "NULL".to_string(),
        serde_json::Value::Object(_) => "{}".to_string(),
        serde_json::Value::Array(_) => "[]".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::Extensions;
    use rasn::prelude::*;

    #[derive(AsnType, Decode, Encode, Debug, PartialEq, Serialize)]
    #[rasn(automatic_tags)]
    struct Probe {
        #[serde(rename = "counterValue")]
        counter_value: i64,
        #[serde(
            rename = "unknownExtensions",
            skip_serializing_if = "Extensions::is_empty"
        )]
        extensions: Extensions,
    }

    const PROBE: MessageType = message_type!("Probe", Probe);

    #[test]
    fn decodes_renders_and_reencodes() {
        let m = (PROBE.decode)(&[0x30, 0x03, 0x80, 0x01, 0x05]).unwrap();
        assert_eq!(m.type_name, "Probe");
        assert_eq!(m.json, serde_json::json!({"counterValue": 5}));
        assert_eq!(m.reencoded, [0x30, 0x03, 0x80, 0x01, 0x05]);
        assert_eq!(json_to_text(&m.json), "counterValue: 5\n");
    }

    #[test]
    fn non_der_input_decodes_and_reencodes_differently() {
        // long-form length where the short form fits
        let m = (PROBE.decode)(&[0x30, 0x81, 0x03, 0x80, 0x01, 0x05]).unwrap();
        assert_eq!(m.reencoded, [0x30, 0x03, 0x80, 0x01, 0x05]);
    }

    #[test]
    fn trailing_bytes_and_garbage_are_errors() {
        let err = (PROBE.decode)(&[0x30, 0x03, 0x80, 0x01, 0x05, 0x00]).unwrap_err();
        assert!(
            matches!(
                err,
                MessageError::TrailingBytes {
                    offset: 5,
                    len: 1,
                    ..
                }
            ),
            "{err}"
        );
        assert!((PROBE.decode)(&[0x30, 0x05, 0x80]).is_err());
        assert!(matches!((PROBE.decode)(&[]), Err(MessageError::Empty)));
    }

    #[test]
    fn unknown_extension_is_reported_and_kept() {
        let m = (PROBE.decode)(&[0x30, 0x06, 0x80, 0x01, 0x05, 0x81, 0x01, 0x07]).unwrap();
        assert_eq!(m.extension_findings.len(), 1);
        assert_eq!(m.json["unknownExtensions"], serde_json::json!(["810107"]));
        assert_eq!(
            m.reencoded,
            [0x30, 0x06, 0x80, 0x01, 0x05, 0x81, 0x01, 0x07]
        );
    }
}
