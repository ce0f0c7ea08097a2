//! A record of the exchanges on an interface: one entry per message, with the time since the
//! trace started, the direction, the HTTP status (responses), the headers and the body as hex.
//! The [`EsipaClient`](super::EsipaClient) appends to its trace when tracing is enabled;
//! reports serialize it as JSON.

use std::time::{Duration, Instant};

use serde::Serialize;

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Direction {
    /// IPA (the client) to eIM (the server): a request.
    #[serde(rename = "IPA->eIM")]
    IpaToEim,
    /// eIM to IPA: a response.
    #[serde(rename = "eIM->IPA")]
    EimToIpa,
}

/// One message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceEntry {
    /// Time since the trace started, in microseconds.
    #[serde(rename = "atMicros")]
    pub at_micros: u64,
    /// The direction.
    pub direction: Direction,
    /// The interface (`ESipa`).
    pub interface: &'static str,
    /// `METHOD path` of a request.
    #[serde(rename = "request", skip_serializing_if = "Option::is_none")]
    pub request_line: Option<String>,
    /// The status of a response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body, hex.
    #[serde(rename = "bodyHex")]
    pub body_hex: String,
}

impl TraceEntry {
    /// The time since the trace started.
    pub fn at(&self) -> Duration {
        Duration::from_micros(self.at_micros)
    }
}

/// The entries of one client (or one procedure).
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    #[serde(skip)]
    start: Instant,
    /// The messages, in order.
    pub entries: Vec<TraceEntry>,
}

impl Default for Trace {
    fn default() -> Self {
        Trace::new()
    }
}

impl Trace {
    /// An empty trace starting now.
    pub fn new() -> Trace {
        Trace {
            start: Instant::now(),
            entries: Vec::new(),
        }
    }

    /// Appends a request.
    pub fn request(
        &mut self,
        interface: &'static str,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) {
        self.push(TraceEntry {
            at_micros: self.elapsed_micros(),
            direction: Direction::IpaToEim,
            interface,
            request_line: Some(format!("{method} {path}")),
            status: None,
            headers: headers.to_vec(),
            body_hex: hex::encode(body),
        });
    }

    /// Appends a response.
    pub fn response(
        &mut self,
        interface: &'static str,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
    ) {
        self.push(TraceEntry {
            at_micros: self.elapsed_micros(),
            direction: Direction::EimToIpa,
            interface,
            request_line: None,
            status: Some(status),
            headers: headers.to_vec(),
            body_hex: hex::encode(body),
        });
    }

    /// Appends an entry.
    pub fn push(&mut self, entry: TraceEntry) {
        self.entries.push(entry);
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn elapsed_micros(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_and_json() {
        let mut t = Trace::new();
        assert!(t.is_empty());
        let h = vec![("content-type".to_string(), "x".to_string())];
        t.request("ESipa", "POST", "/gsma/rsp2/asn1", &h, &[0xbf, 0x4f, 0x00]);
        t.response("ESipa", 204, &[], &[]);
        assert_eq!(t.len(), 2);
        assert!(t.entries[0].at() <= t.entries[1].at());
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(v["entries"][0]["direction"], "IPA->eIM");
        assert_eq!(v["entries"][0]["request"], "POST /gsma/rsp2/asn1");
        assert_eq!(v["entries"][0]["bodyHex"], "bf4f00");
        assert!(v["entries"][0].get("status").is_none());
        assert_eq!(v["entries"][1]["status"], 204);
        assert_eq!(v["entries"][1]["direction"], "eIM->IPA");
    }
}
