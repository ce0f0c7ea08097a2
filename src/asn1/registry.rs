//! The message types `sgp32 decode` knows, by ASN.1 name, and the order it guesses in.

use super::message::{MessageError, MessageType};

/// The types tried, in this order, when no `--type` is given: the ESipa message from the IPA,
/// the ESipa message from the eIM, the ES10 request, the ES10 response. Requests and responses
/// share tags (BF4F, BF39, BF51, ...), so the first that decodes the whole input wins.
pub fn guess_order() -> Vec<MessageType> {
    Vec::new()
}

/// Every type that can be named with `--type`.
pub fn all_types() -> Vec<MessageType> {
    guess_order()
}

/// Finds a type by its ASN.1 name (case-insensitive; the `SGP32-` prefix may be given).
pub fn find(name: &str) -> Result<MessageType, MessageError> {
    let wanted = name.strip_prefix("SGP32-").unwrap_or(name);
    all_types()
        .into_iter()
        .find(|t| t.name.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| MessageError::UnknownType(name.to_string()))
}
