//! The ESipa HTTP binding (SGP.32 6.1, 6.3): raw HTTP exchanges with the SUT's ESipa endpoint,
//! well-formed or violating one rule, and what the SUT answers (status and headers).
//!
//! Raw exchanges go through a fresh [`EsipaClient`] connection to `ctx.esipa_url` (with the
//! run's TLS trust) and are recorded in the World's `raw` trace: an `HTTP` entry with the
//! request line or status line and the headers (as text), then an `ESipa` entry with the body.

use cucumber::step::Collection;
use rasn::types::FixedOctetString;

use super::{Args, re};
use crate::asn1::sgp32::{
    EsipaMessageFromEimToIpa, EsipaMessageFromIpaToEim, GetEimPackageRequest,
};
use crate::conformance::world::{EimWorld, StepError, StepResult, check, fail, harness};
use crate::ipa::IpaTraceEntry;
use crate::step;
use crate::transport::esipa_http::{ADMIN_PROTOCOL, CONTENT_TYPE, USER_AGENT_IPAD};
use crate::transport::{ClientOptions, EsipaClient};

/// The interface name of the header entries of raw exchanges in traces.
const HTTP: &str = "HTTP";

/// A raw answer read back from the World's trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAnswer {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawAnswer {
    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The ESipa request headers of a well-formed request (SGP.32 6.1).
pub fn esipa_headers() -> Vec<(String, String)> {
    vec![
        ("User-Agent".into(), USER_AGENT_IPAD.into()),
        ("Content-Type".into(), CONTENT_TYPE.into()),
        ("X-Admin-Protocol".into(), ADMIN_PROTOCOL.into()),
    ]
}

/// DER of an `EsipaMessageFromIpaToEim`.
pub fn der(message: &EsipaMessageFromIpaToEim) -> Result<Vec<u8>, StepError> {
    rasn::der::encode(message).map_err(|e| harness(format!("cannot encode {message:?}: {e}")))
}

impl EimWorld {
    /// The SUT's ESipa path (the path of `ctx.esipa_url`).
    pub fn esipa_path(&self) -> Result<String, StepError> {
        let ctx = self.ctx()?;
        crate::transport::esipa_http::esipa_path_of(&ctx.esipa_url)
            .map_err(|e| harness(format!("ESipa URL {}: {e}", ctx.esipa_url)))
    }

    /// One raw HTTP exchange with the SUT's ESipa endpoint on a new connection, recorded in
    /// `raw`. A failure after connecting (e.g. the SUT closed the connection) is recorded and
    /// gives `None`; not being able to connect is a harness error.
    pub async fn raw_exchange(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Option<RawAnswer>, StepError> {
        let ctx = self.ctx()?;
        let mut client =
            EsipaClient::connect(&ctx.esipa_url, ctx.tls.clone(), ClientOptions::default())
                .await
                .map_err(|e| harness(format!("cannot connect to {}: {e}", ctx.esipa_url)))?;
        let mut head = format!("{method} {path}\r\n");
        for (n, v) in headers {
            head.push_str(&format!("{n}: {v}\r\n"));
        }
        self.raw.push(IpaTraceEntry::now(
            "ipa->eim",
            HTTP,
            None,
            head.as_bytes(),
            None,
        ));
        self.raw
            .push(IpaTraceEntry::now("ipa->eim", "ESipa", None, body, None));
        match client.raw_request(method, path, headers, body).await {
            Ok(r) => {
                let mut head = format!("HTTP {}\r\n", r.status);
                for (n, v) in &r.headers {
                    head.push_str(&format!("{}: {v}\r\n", n.to_ascii_lowercase()));
                }
                self.raw.push(IpaTraceEntry::now(
                    "eim->ipa",
                    HTTP,
                    Some(r.status),
                    head.as_bytes(),
                    None,
                ));
                self.raw.push(IpaTraceEntry::now(
                    "eim->ipa",
                    "ESipa",
                    Some(r.status),
                    &r.body,
                    None,
                ));
                Ok(Some(RawAnswer {
                    status: r.status,
                    headers: r
                        .headers
                        .iter()
                        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                        .collect(),
                    body: r.body.to_vec(),
                }))
            }
            Err(e) => {
                self.raw.push(IpaTraceEntry::now(
                    "eim->ipa",
                    HTTP,
                    None,
                    &[],
                    Some(e.to_string()),
                ));
                Ok(None)
            }
        }
    }

    /// Posts a DER ESipa message with the well-formed headers to the SUT's ESipa path.
    pub async fn raw_post(&mut self, body: &[u8]) -> Result<Option<RawAnswer>, StepError> {
        let path = self.esipa_path()?;
        self.raw_exchange("POST", &path, &esipa_headers(), body)
            .await
    }

    /// The `n`-th last raw answer (0 = the last), read back from the trace; `Err` names what
    /// happened instead (no answer).
    pub fn raw_answer(&self, n: usize) -> Result<Result<RawAnswer, String>, StepError> {
        let heads: Vec<usize> = self
            .raw
            .iter()
            .enumerate()
            .filter(|(_, e)| e.direction == "eim->ipa" && e.interface == HTTP)
            .map(|(i, _)| i)
            .collect();
        let index = heads
            .len()
            .checked_sub(n + 1)
            .and_then(|k| heads.get(k))
            .copied()
            .ok_or_else(|| harness("no raw exchange was made"))?;
        let Some(head) = self.raw.get(index) else {
            return Err(harness("no raw exchange was made"));
        };
        if let Some(e) = &head.error {
            return Ok(Err(format!("no HTTP answer: {e}")));
        }
        let text = hex::decode(&head.hex)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let headers = text
            .split("\r\n")
            .skip(1)
            .filter_map(|l| l.split_once(": "))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        let body = self
            .raw
            .get(index + 1)
            .and_then(|e| hex::decode(&e.hex).ok())
            .unwrap_or_default();
        Ok(Ok(RawAnswer {
            status: head.status.unwrap_or_default(),
            headers,
            body,
        }))
    }

    /// The last raw answer, which must be a 200 with a decodable `EsipaMessageFromEimToIpa`.
    pub fn raw_message(&self, requirement: &str) -> Result<EsipaMessageFromEimToIpa, StepError> {
        let answer = self
            .raw_answer(0)?
            .map_err(|e| fail(requirement, "HTTP 200 with an ESipa message", e))?;
        if answer.status != 200 {
            return Err(fail(
                requirement,
                "HTTP 200 with an ESipa message",
                format!(
                    "HTTP {} {}",
                    answer.status,
                    String::from_utf8_lossy(&answer.body)
                ),
            ));
        }
        rasn::der::decode::<EsipaMessageFromEimToIpa>(&answer.body).map_err(|e| {
            fail(
                requirement,
                "a DER EsipaMessageFromEimToIpa",
                format!("{} ({e})", hex::encode(&answer.body)),
            )
        })
    }

    /// DER of a GetEimPackageRequest of a device (1-based number, or the last one).
    pub fn get_eim_package_der(&mut self, number: Option<usize>) -> Result<Vec<u8>, StepError> {
        let eid = self.device(number)?.eid;
        der(&EsipaMessageFromIpaToEim::GetEimPackageRequest(Box::new(
            GetEimPackageRequest {
                eid_value: FixedOctetString::from(*eid.as_bcd()),
                ..Default::default()
            },
        )))
    }
}

pub fn register(c: Collection<EimWorld>) -> Collection<EimWorld> {
    c.when(
        None,
        re(r#"^a GetEimPackageRequest of the device is sent to the SUT(?: (on another path|with method (\w+)|with Content-Type "([^"]*)"|without Content-Type|without X-Admin-Protocol|with X-Admin-Protocol "([^"]*)"))?$"#),
        step!(send_request),
    )
    .when(
        None,
        re(r"^a request with an empty body is sent to the SUT$"),
        step!(send_empty),
    )
    .when(
        None,
        re(r"^the bytes ([0-9A-Fa-f]+) are sent to the SUT as an ESipa message$"),
        step!(send_bytes),
    )
    .then(
        None,
        re(r"^the SUT answers with a 4xx status$"),
        step!(answers_4xx),
    )
    .then(
        None,
        re(r"^the SUT answers with HTTP 200$"),
        step!(answers_200),
    )
    .then(
        None,
        re(r"^the answer's Content-Type is application/x-gsma-rsp-asn1$"),
        step!(answer_content_type),
    )
    .then(
        None,
        re(r"^the answer carries X-Admin-Protocol gsma/rsp/v<version>$"),
        step!(answer_admin_protocol),
    )
    .then(
        None,
        re(r"^the answer is a GetEimPackageResponse$"),
        step!(answer_is_get_eim_package_response),
    )
}

async fn send_request(w: &mut EimWorld, a: Args) -> StepResult {
    let body = w.get_eim_package_der(None)?;
    let mut path = w.esipa_path()?;
    let mut method = "POST".to_string();
    let mut headers = esipa_headers();
    let set = |headers: &mut Vec<(String, String)>, name: &str, value: Option<&str>| {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        if let Some(v) = value {
            headers.push((name.to_string(), v.to_string()));
        }
    };
    match a.opt(1) {
        None => {}
        Some("on another path") => path.push('x'),
        Some(v) if v.starts_with("with method") => method = a.str(2)?.to_string(),
        Some(v) if v.starts_with("with Content-Type") => {
            set(&mut headers, "Content-Type", Some(a.opt(3).unwrap_or("")))
        }
        Some("without Content-Type") => set(&mut headers, "Content-Type", None),
        Some("without X-Admin-Protocol") => set(&mut headers, "X-Admin-Protocol", None),
        Some(_) => set(
            &mut headers,
            "X-Admin-Protocol",
            Some(a.opt(4).unwrap_or("")),
        ),
    }
    w.raw_exchange(&method, &path, &headers, &body)
        .await
        .map(|_| ())
}

async fn send_empty(w: &mut EimWorld, _: Args) -> StepResult {
    w.raw_post(&[]).await.map(|_| ())
}

async fn send_bytes(w: &mut EimWorld, a: Args) -> StepResult {
    let bytes = hex::decode(a.str(1)?).map_err(|e| harness(format!("bad hex in a step: {e}")))?;
    w.raw_post(&bytes).await.map(|_| ())
}

const VIOLATION: &str =
    "SGP.32 6.1: a request that violates the HTTP binding is refused with a 4xx status";

async fn answers_4xx(w: &mut EimWorld, _: Args) -> StepResult {
    match w.raw_answer(0)? {
        Ok(answer) => check(
            (400..500).contains(&answer.status),
            VIOLATION,
            "HTTP 4xx",
            format!(
                "HTTP {} {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            ),
        ),
        Err(e) => Err(fail(VIOLATION, "HTTP 4xx", e)),
    }
}

const WELL_FORMED: &str = "SGP.32 6.1, 6.3: an ESipa request on POST /gsma/rsp2/asn1 is answered 200 with the ASN.1 binding's headers";

fn last_answer(w: &EimWorld) -> Result<RawAnswer, StepError> {
    w.raw_answer(0)?
        .map_err(|e| fail(WELL_FORMED, "an HTTP answer", e))
}

async fn answers_200(w: &mut EimWorld, _: Args) -> StepResult {
    let answer = last_answer(w)?;
    check(
        answer.status == 200,
        WELL_FORMED,
        "HTTP 200",
        format!(
            "HTTP {} {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        ),
    )
}

async fn answer_content_type(w: &mut EimWorld, _: Args) -> StepResult {
    let answer = last_answer(w)?;
    let value = answer.header("content-type").map(str::to_string);
    let media = value
        .as_deref()
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    check(
        media.as_deref() == Some(CONTENT_TYPE),
        WELL_FORMED,
        format!("Content-Type {CONTENT_TYPE}"),
        value.unwrap_or_else(|| "no Content-Type".into()),
    )
}

async fn answer_admin_protocol(w: &mut EimWorld, _: Args) -> StepResult {
    let answer = last_answer(w)?;
    let value = answer.header("x-admin-protocol").map(str::to_string);
    let ok = value.as_deref().is_some_and(|v| {
        v.trim().strip_prefix("gsma/rsp/v").is_some_and(|version| {
            let parts: Vec<&str> = version.split('.').collect();
            parts.len() == 3
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
    });
    check(
        ok,
        WELL_FORMED,
        "X-Admin-Protocol gsma/rsp/vX.Y.Z",
        value.unwrap_or_else(|| "no X-Admin-Protocol".into()),
    )
}

async fn answer_is_get_eim_package_response(w: &mut EimWorld, _: Args) -> StepResult {
    match w.raw_message(WELL_FORMED)? {
        EsipaMessageFromEimToIpa::GetEimPackageResponse(_) => Ok(()),
        other => Err(fail(
            WELL_FORMED,
            "a GetEimPackageResponse",
            format!("{other:?}"),
        )),
    }
}
