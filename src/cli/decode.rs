//! `sgp32 decode [--check] [--type NAME] [--format json|text] FILE|-`.
//!
//! Without `--type`, the types of [`registry::guess_order`] are tried in order and the chosen
//! one is named (stdout JSON field `type`, and the first line of the text form). `--check`
//! re-encodes as DER and runs the strict DER check: exit 0 only if the bytes are identical and
//! there is no finding, else 1 naming the first differing offset. Input that is no known
//! message exits 2 with one line on stderr saying where and why.

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::Outcome;
use crate::asn1::der_check::check_der;
use crate::asn1::message::{DecodedMessage, MessageError, json_to_text};
use crate::asn1::registry;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Text,
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Re-encode and exit 0 only if the bytes are identical (and the strict DER check finds
    /// nothing), else 1 naming the first differing offset.
    #[arg(long)]
    pub check: bool,
    /// The ASN.1 type to decode as (e.g. GetEimPackageResponse); without it the ESipa message
    /// from the IPA, from the eIM, the ES10 request and the ES10 response are tried in order.
    #[arg(long = "type", value_name = "NAME")]
    pub type_name: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// The DER file, or `-` for standard input.
    pub input: PathBuf,
}

pub fn run(args: &DecodeArgs) -> anyhow::Result<Outcome> {
    let bytes = read_input(&args.input)?;
    let decoded = decode(&bytes, args.type_name.as_deref())?;
    tracing::info!(r#type = decoded.type_name, "decoded");
    for finding in &decoded.extension_findings {
        eprintln!(
            "note: unknown extension element kept: {}",
            hex::encode(&finding.element)
        );
    }
    match args.format {
        Format::Json => {
            let out = serde_json::json!({ "type": decoded.type_name, "value": decoded.json });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Text => {
            print!("{}\n{}", decoded.type_name, json_to_text(&decoded.json));
        }
    }
    if !args.check {
        return Ok(Outcome::Success);
    }
    let mut ok = true;
    for finding in check_der(&bytes) {
        eprintln!("check: {finding}");
        ok = false;
    }
    if let Some(offset) = first_difference(&bytes, &decoded.reencoded) {
        eprintln!(
            "check: DER re-encoding differs from the input at offset {offset} \
             (input {} bytes, re-encoded {} bytes)",
            bytes.len(),
            decoded.reencoded.len()
        );
        ok = false;
    }
    Ok(if ok {
        eprintln!("check: re-encoding is byte-identical");
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
}

fn read_input(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        Ok(buf)
    } else {
        std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
    }
}

/// Decodes as the named type, or guesses; the error is one line saying where and why.
pub fn decode(bytes: &[u8], type_name: Option<&str>) -> anyhow::Result<DecodedMessage> {
    if let Some(name) = type_name {
        let ty = registry::find(name)?;
        return (ty.decode)(bytes).map_err(|e| anyhow::anyhow!(describe_failure(bytes, &[e])));
    }
    let mut errors = Vec::new();
    for ty in registry::guess_order() {
        match (ty.decode)(bytes) {
            Ok(m) => return Ok(m),
            Err(e) => errors.push(e),
        }
    }
    anyhow::bail!(
        "{} (tried {})",
        describe_failure(bytes, &errors),
        registry::guess_order()
            .iter()
            .map(|t| t.name)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// One line: a structural problem with its offset if the strict check sees one, else the
/// decoder's own reason.
fn describe_failure(bytes: &[u8], errors: &[MessageError]) -> String {
    use crate::asn1::der_check::DerFindingKind;
    if bytes.is_empty() {
        return "empty input: no message".to_string();
    }
    if let Some(f) = check_der(bytes).into_iter().find(|f| {
        matches!(
            f.kind,
            DerFindingKind::Malformed | DerFindingKind::TrailingBytes
        )
    }) {
        return format!("not a message: {f}");
    }
    let tag = leading_tag_hex(bytes);
    // Candidates whose own CHOICE did not know the tag say nothing useful; the others got
    // past the tag and their reasons are the ones to show.
    let reasons: Vec<String> = errors
        .iter()
        .filter(|e| !tag_unknown_to(e))
        .map(ToString::to_string)
        .collect();
    if reasons.is_empty() {
        format!("offset 0: tag {tag} is no known message")
    } else {
        format!("offset 0 (tag {tag}): {}", reasons.join("; "))
    }
}

/// Whether decoding failed because the type's top-level CHOICE has no alternative for the tag.
fn tag_unknown_to(error: &MessageError) -> bool {
    match error {
        MessageError::Decode { type_name, source } => {
            let reason = source.to_string();
            reason.contains(&format!("No valid choice for `{type_name}`"))
                || reason.contains(&format!("No valid choice for `{type_name}Choice`"))
        }
        _ => false,
    }
}

/// The identifier octets of the first TLV, hex (one to four octets; `?` if unreadable).
fn leading_tag_hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "?".to_string();
    }
    let len = crate::asn1::tlv::tag_len(bytes)
        .unwrap_or(bytes.len())
        .min(4);
    hex::encode_upper(&bytes[..len])
}

fn first_difference(a: &[u8], b: &[u8]) -> Option<usize> {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => Some(i),
        None if a.len() != b.len() => Some(a.len().min(b.len())),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_difference_names_the_offset() {
        assert_eq!(first_difference(&[1, 2, 3], &[1, 2, 3]), None);
        assert_eq!(first_difference(&[1, 2, 3], &[1, 9, 3]), Some(1));
        assert_eq!(first_difference(&[1, 2], &[1, 2, 3]), Some(2));
    }

    #[test]
    fn leading_tag_handles_high_tag_numbers_and_short_input() {
        assert_eq!(leading_tag_hex(&[0xbf, 0x4f, 0x03]), "BF4F");
        assert_eq!(leading_tag_hex(&[0x30, 0x00]), "30");
        assert_eq!(leading_tag_hex(&[0xbf]), "BF");
        assert_eq!(leading_tag_hex(&[]), "?");
    }
}
