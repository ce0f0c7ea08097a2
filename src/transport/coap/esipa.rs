//! The ESipa ASN.1 binding over CoAP (SGP.32 6.2 with 6.3): one DER
//! `EsipaMessageFromIpaToEim` in a confirmable request (POST `/gsma/rsp2/asn1` unless
//! configured otherwise), no Content-Format (the content type is implied by the path; the
//! notes, 1.3), the DER `EsipaMessageFromEimToIpa` in the response.
//!
//! Server side, [`EsipaCoap`] in front of an [`EsipaHandler`]:
//!
//! | Condition | Code |
//! |---|---|
//! | path is not the ESipa path | 4.04 |
//! | method is not the ESipa method | 4.05 |
//! | empty payload | 4.00 |
//! | body over the limit | 4.13 with Size1 (server layer) |
//! | [`EsipaReply::Undecodable`] | 4.00 with the reason |
//! | [`EsipaReply::Message`] | 2.04 Changed with the DER |
//! | [`EsipaReply::NoContent`] (HandleNotification) | 2.04 without payload |
//!
//! Client side, the [`EsipaClient`](crate::transport::EsipaClient) maps the CoAP code to the
//! HTTP-like status the IPA already understands ([`http_status`], after RFC 8075 7): a 2.xx
//! with payload is 200, an empty 2.xx is 204, 4.xx and 5.xx become the matching 4xx and 5xx.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use super::server::{CoapHandler, CoapReply, CoapRequest};
use super::{POST, code};
use crate::transport::esipa_http::{ESIPA_PATH, EsipaContext, EsipaHandler, EsipaReply};

/// What the ESipa binding over CoAP checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EsipaCoapOptions {
    /// The ESipa path (default `/gsma/rsp2/asn1`).
    pub path: String,
    /// The ESipa method code (default POST).
    pub method: u8,
}

impl Default for EsipaCoapOptions {
    fn default() -> Self {
        EsipaCoapOptions {
            path: ESIPA_PATH.to_string(),
            method: POST,
        }
    }
}

/// The ESipa binding over CoAP: a [`CoapHandler`] in front of an [`EsipaHandler`].
pub struct EsipaCoap<H: EsipaHandler + ?Sized = dyn EsipaHandler> {
    handler: Arc<H>,
    options: EsipaCoapOptions,
}

impl<H: EsipaHandler + ?Sized> EsipaCoap<H> {
    /// The binding with `options`.
    pub fn new(handler: Arc<H>, options: EsipaCoapOptions) -> EsipaCoap<H> {
        EsipaCoap { handler, options }
    }
}

impl<H: EsipaHandler + ?Sized> CoapHandler for EsipaCoap<H> {
    fn handle(&self, request: &CoapRequest) -> CoapReply {
        if request.path != self.options.path {
            return CoapReply::text(
                code(4, 4),
                &format!("not found: ESipa is {}", self.options.path),
            );
        }
        if request.method != self.options.method {
            return CoapReply::text(code(4, 5), "method not allowed");
        }
        if request.payload.is_empty() {
            return CoapReply::text(code(4, 0), "empty payload: an ESipa message is expected");
        }
        // CoAP has no connection: the client's address stands for it.
        let mut h = DefaultHasher::new();
        request.peer.hash(&mut h);
        let context = EsipaContext {
            peer: request.peer,
            connection_id: h.finish(),
            user_agent: None,
        };
        match self.handler.handle_esipa_with(&request.payload, &context) {
            EsipaReply::Message(der) => CoapReply {
                code: code(2, 4),
                payload: der,
            },
            EsipaReply::NoContent => CoapReply {
                code: code(2, 4),
                payload: Vec::new(),
            },
            EsipaReply::Undecodable(reason) => {
                CoapReply::text(code(4, 0), &format!("undecodable ESipa message: {reason}"))
            }
        }
    }
}

/// The HTTP-like status of a CoAP response code (RFC 8075 7): 2.xx -> 200 with a payload,
/// 204 without; 4.xx -> 4xx (4.02 Bad Option and 4.08 Request Entity Incomplete -> 400);
/// 5.xx -> 5xx (5.05 Proxying Not Supported -> 502); anything else -> 502.
pub fn http_status(coap_code: u8, has_payload: bool) -> u16 {
    let class = coap_code >> 5;
    let detail = u16::from(coap_code & 0x1f);
    match (class, detail) {
        (2, _) if has_payload => 200,
        (2, _) => 204,
        (4, 2) | (4, 8) => 400,
        (4, d) => 400 + d,
        (5, 5) => 502,
        (5, d) => 500 + d,
        _ => 502,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(EsipaReply);
    impl EsipaHandler for Fixed {
        fn handle_esipa(&self, _body: &[u8]) -> EsipaReply {
            self.0.clone()
        }
    }

    fn req(method: u8, path: &str, payload: &[u8]) -> CoapRequest {
        CoapRequest {
            peer: ([127, 0, 0, 1], 9).into(),
            method,
            path: path.into(),
            payload: payload.to_vec(),
            options: vec![],
        }
    }

    #[test]
    fn code_table() {
        let b = EsipaCoap::new(
            Arc::new(Fixed(EsipaReply::Message(vec![0xbf, 0x4f, 0]))),
            EsipaCoapOptions::default(),
        );
        let r = b.handle(&req(POST, ESIPA_PATH, &[1]));
        assert_eq!((r.code, r.payload), (0x44, vec![0xbf, 0x4f, 0]));
        assert_eq!(b.handle(&req(POST, "/other", &[1])).code, code(4, 4));
        assert_eq!(b.handle(&req(0x03, ESIPA_PATH, &[1])).code, code(4, 5));
        assert_eq!(b.handle(&req(POST, ESIPA_PATH, &[])).code, code(4, 0));
        let none = EsipaCoap::new(
            Arc::new(Fixed(EsipaReply::NoContent)),
            EsipaCoapOptions::default(),
        );
        let r = none.handle(&req(POST, ESIPA_PATH, &[1]));
        assert_eq!((r.code, r.payload.len()), (0x44, 0));
        let bad = EsipaCoap::new(
            Arc::new(Fixed(EsipaReply::Undecodable("x".into()))),
            EsipaCoapOptions::default(),
        );
        assert_eq!(bad.handle(&req(POST, ESIPA_PATH, &[1])).code, code(4, 0));
    }

    #[test]
    fn status_mapping_follows_rfc8075() {
        assert_eq!(http_status(code(2, 4), true), 200);
        assert_eq!(http_status(code(2, 5), true), 200);
        assert_eq!(http_status(code(2, 4), false), 204);
        assert_eq!(http_status(code(4, 0), true), 400);
        assert_eq!(http_status(code(4, 4), true), 404);
        assert_eq!(http_status(code(4, 5), true), 405);
        assert_eq!(http_status(code(4, 8), true), 400);
        assert_eq!(http_status(code(4, 13), true), 413);
        assert_eq!(http_status(code(4, 15), true), 415);
        assert_eq!(http_status(code(5, 0), true), 500);
        assert_eq!(http_status(code(5, 3), false), 503);
        assert_eq!(http_status(code(5, 5), false), 502);
        assert_eq!(http_status(code(7, 1), false), 502);
    }
}
