//! Case traces as JSON Lines: one message a line, so any other tool can re-check them.
//!
//! ```json
//! {"time":"2026-11-27T09:30:01.123456Z","device":"89049032...","direction":"ipa->eim",
//!  "interface":"ESipa","status":200,"hex":"bf4f...","type":"EsipaMessageFromIpaToEim",
//!  "decoded":{...}}
//! ```
//! `status` is the HTTP status of an ESipa answer; `error` replaces the bytes when an exchange
//! failed; `type` and `decoded` are present when the bytes decode (as the message the
//! direction implies: ESipa from the IPA or the eIM, an ES10 request or response). Raw
//! exchanges of the binding checks add `HTTP` lines whose bytes are the request or status line
//! and the headers, with that text as `decoded`.

use std::io::Write as _;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::asn1::registry;
use crate::ipa::IpaTraceEntry;

/// One line of a trace file.
#[derive(Debug, Clone, Serialize)]
pub struct TraceLine {
    pub time: String,
    /// The device (EID digits) the message belongs to; empty for raw exchanges.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub device: String,
    pub direction: String,
    pub interface: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    pub hex: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub type_name: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decoded: Option<Value>,
    #[serde(skip)]
    time_us: u64,
}

impl TraceLine {
    /// A line for one recorded exchange of `device`, decoded when it can be.
    pub fn from_entry(device: &str, e: &IpaTraceEntry) -> TraceLine {
        let bytes = hex::decode(&e.hex).unwrap_or_default();
        let (type_name, decoded) = if e.interface == "HTTP" {
            // The request or status line and headers of a raw exchange, as text.
            (
                None,
                Some(Value::String(String::from_utf8_lossy(&bytes).into_owned())),
            )
        } else {
            decode(e.direction, &bytes)
        };
        TraceLine {
            time: rfc3339_us(e.time_us),
            device: device.to_string(),
            direction: e.direction.to_string(),
            interface: e.interface.to_string(),
            status: e.status,
            hex: e.hex.clone(),
            error: e.error.clone(),
            type_name,
            decoded,
            time_us: e.time_us,
        }
    }
}

/// Decodes `bytes` as the message its direction implies.
fn decode(direction: &str, bytes: &[u8]) -> (Option<&'static str>, Option<Value>) {
    if bytes.is_empty() {
        return (None, None);
    }
    let index = match direction {
        "ipa->eim" => 0,
        "eim->ipa" => 1,
        "ipa->euicc" => 2,
        "euicc->ipa" => 3,
        _ => return (None, None),
    };
    match registry::guess_order()
        .get(index)
        .map(|t| (t.decode)(bytes))
    {
        Some(Ok(m)) => (Some(m.type_name), Some(m.json)),
        _ => (None, None),
    }
}

fn rfc3339_us(time_us: u64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(time_us) * 1000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Sorts lines by time (stable: equal times keep their order).
pub fn sort(lines: &mut [TraceLine]) {
    lines.sort_by_key(|l| l.time_us);
}

/// Writes `lines` as JSON Lines to `path` (creating its folder).
pub fn write(path: &Path, lines: &[TraceLine]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for line in lines {
        serde_json::to_writer(&mut out, line)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_bytes_and_the_decoded_form() {
        let e = IpaTraceEntry::now(
            "ipa->eim",
            "ESipa",
            None,
            &hex::decode("bf4f125a1089049032123451234512345678901235").unwrap(),
            None,
        );
        let line = TraceLine::from_entry("89049032123451234512345678901235", &e);
        let json = serde_json::to_value(&line).unwrap();
        assert_eq!(json["direction"], "ipa->eim");
        assert_eq!(json["type"], "EsipaMessageFromIpaToEim");
        assert!(json["decoded"].is_object(), "{json}");
        assert!(json["time"].as_str().unwrap().ends_with('Z'), "{json}");
        // Undecodable bytes keep their hex and have no decoded form.
        let bad = IpaTraceEntry::now("eim->ipa", "ESipa", Some(200), &[0xff], None);
        let json = serde_json::to_value(TraceLine::from_entry("", &bad)).unwrap();
        assert_eq!(json["hex"], "ff");
        assert!(json.get("decoded").is_none());
        assert_eq!(json["status"], 200);
    }
}
