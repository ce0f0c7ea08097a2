//! The ES9+ JSON binding (SGP.22 6.5: 6.5.1 common rules, 6.5.2.x the functions):
//! `POST /gsma/rsp2/es9plus/<function>`, `Content-Type: application/json;charset=UTF-8`,
//! `X-Admin-Protocol: gsma/rsp/v2.x.y`; binary fields base64 (standard alphabet, padded) of
//! their DER TLV (`serverSignature1` is the whole '5F37' TLV, `euiccCiPKIdToBeUsed` the '04'
//! TLV), `transactionId` as upper-case hex; every answer carries
//! `header.functionExecutionStatus {status: Executed-Success | Failed, statusCodeData
//! {subjectCode, reasonCode, message}}` with HTTP 200; HandleNotification answers 204 without a
//! body.
//!
//! | Function | Request fields | Answer fields |
//! |---|---|---|
//! | initiateAuthentication | euiccChallenge, euiccInfo1, smdpAddress | serverSigned1, serverSignature1, transactionId, euiccCiPKIdToBeUsed, serverCertificate |
//! | authenticateClient | transactionId, authenticateServerResponse | transactionId, profileMetadata, smdpSigned2, smdpSignature2, smdpCertificate |
//! | getBoundProfilePackage | transactionId, prepareDownloadResponse | transactionId, boundProfilePackage |
//! | handleNotification | pendingNotification | (204) |
//! | cancelSession | transactionId, cancelSessionResponse | (header only) |
//!
//! Binding errors (SGP.22 6.5.1, as osmo-smdpp answers them): a Content-Type other than
//! `application/json` 1.2.1/2.1; `X-Admin-Protocol` missing or not `gsma/rsp/v2.*` 1.2.2/2.1.
//! **Choice:** a body that is not a JSON object, or a field of the wrong type or not valid
//! base64/hex/DER 1.1/2.1; a mandatory field missing 1.1/2.2.

use serde_json::{Map, Value};

use super::{Es9Function, Smdp, Status};
use crate::asn1::Extensions;
use crate::asn1::rsp::{
    AuthenticateClientRequest, AuthenticateServerResponse, CancelSessionRequestEs9,
    CancelSessionResponse, EuiccInfo1, GetBoundProfilePackageRequest, HandleNotification,
    InitiateAuthenticationRequest, Octet16, PendingNotification, PrepareDownloadResponse,
    TransactionId,
};

/// The content type of the JSON binding's answers.
pub const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// The X-Admin-Protocol of the answers when the request's is unusable.
pub const ADMIN_PROTOCOL: &str = "gsma/rsp/v2.1.0";

/// The path prefix of ES9+.
pub const ES9_PREFIX: &str = "/gsma/rsp2/es9plus/";

/// The path prefix of ES2+.
pub const ES2_PREFIX: &str = "/gsma/rsp2/es2plus/";

/// An answer of the JSON bindings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonAnswer {
    /// HTTP status (200, 204, 404).
    pub status: u16,
    /// The JSON body (None for 204 / 404).
    pub body: Option<Value>,
}

impl JsonAnswer {
    /// `Executed-Success` with these fields (the header is added last).
    pub fn success(mut fields: Map<String, Value>) -> JsonAnswer {
        fields.insert(
            "header".into(),
            serde_json::json!({"functionExecutionStatus": {"status": "Executed-Success"}}),
        );
        JsonAnswer {
            status: 200,
            body: Some(Value::Object(fields)),
        }
    }

    /// `Failed` with the status code.
    pub fn failed(s: Status) -> JsonAnswer {
        JsonAnswer {
            status: 200,
            body: Some(serde_json::json!({
                "header": {"functionExecutionStatus": {
                    "status": "Failed",
                    "statusCodeData": {
                        "subjectCode": s.subject,
                        "reasonCode": s.reason,
                        "message": s.message,
                    }
                }}
            })),
        }
    }

    /// 204 without a body.
    pub fn no_content() -> JsonAnswer {
        JsonAnswer {
            status: 204,
            body: None,
        }
    }

    /// 404: no such function.
    pub fn not_found() -> JsonAnswer {
        JsonAnswer {
            status: 404,
            body: None,
        }
    }

    /// The status code of a `Failed` answer.
    pub fn status_code(&self) -> Option<(String, String)> {
        let data = self
            .body
            .as_ref()?
            .pointer("/header/functionExecutionStatus/statusCodeData")?;
        Some((
            data.get("subjectCode")?.as_str()?.to_string(),
            data.get("reasonCode")?.as_str()?.to_string(),
        ))
    }

    /// The body as bytes (empty for none).
    pub fn body_bytes(&self) -> Vec<u8> {
        self.body
            .as_ref()
            .map(|b| serde_json::to_vec(b).unwrap_or_default())
            .unwrap_or_default()
    }
}

/// SGP.22 6.5.1: the request headers of both JSON bindings.
pub fn check_headers(
    content_type: Option<&str>,
    admin_protocol: Option<&str>,
) -> Result<(), Status> {
    let ct_ok = content_type.is_some_and(|ct| {
        ct.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
    });
    if !ct_ok {
        return Err(Status::new("1.2.1", "2.1", "Invalid Content-Type"));
    }
    if !admin_protocol.is_some_and(|p| p.trim().starts_with("gsma/rsp/v2.")) {
        return Err(Status::new("1.2.2", "2.1", "Unsupported X-Admin-Protocol"));
    }
    Ok(())
}

/// The X-Admin-Protocol to answer with: the request's when it is a v2 one.
pub fn answer_admin_protocol(request: Option<&str>) -> String {
    match request.map(str::trim) {
        Some(p) if p.starts_with("gsma/rsp/v2.") && p.len() <= 32 && p.is_ascii() => p.to_string(),
        _ => ADMIN_PROTOCOL.to_string(),
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Base64 (RFC 4648 4, padded).
pub fn b64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Base64 decoding (padding optional; no whitespace).
pub fn b64_decode(text: &str) -> Option<Vec<u8>> {
    let t = text.trim_end_matches('=');
    if text.len() - t.len() > 2 || t.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(t.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in t.bytes() {
        let v = B64.iter().position(|&x| x == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// A mandatory string field.
pub fn field_str<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<&'a str, Status> {
    match obj.get(name) {
        None | Some(Value::Null) => Err(Status::new(
            "1.1",
            "2.2",
            format!("Mandatory Element Missing: {name}"),
        )),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(invalid(name)),
    }
}

fn invalid(name: &str) -> Status {
    Status::new("1.1", "2.1", format!("Invalid: {name}"))
}

fn field_b64(obj: &Map<String, Value>, name: &str) -> Result<Vec<u8>, Status> {
    b64_decode(field_str(obj, name)?).ok_or_else(|| invalid(name))
}

fn field_der<T: rasn::Decode>(
    obj: &Map<String, Value>,
    name: &str,
) -> Result<(T, Vec<u8>), Status> {
    let bytes = field_b64(obj, name)?;
    let v = rasn::der::decode::<T>(&bytes).map_err(|_| invalid(name))?;
    Ok((v, bytes))
}

fn field_txid(obj: &Map<String, Value>) -> Result<TransactionId, Status> {
    let bytes =
        hex::decode(field_str(obj, "transactionId")?).map_err(|_| invalid("transactionId"))?;
    if bytes.is_empty() || bytes.len() > 16 {
        return Err(invalid("transactionId"));
    }
    Ok(TransactionId::new(bytes))
}

fn der_b64<T: rasn::Encode>(v: &T) -> Result<Value, Status> {
    rasn::der::encode(v)
        .map(|b| Value::String(b64_encode(&b)))
        .map_err(|e| Status::new("8.2", "3.7", format!("encoding: {e}")))
}

impl Smdp {
    /// The ES9+ JSON binding: `function` is the last path segment, `body` the request body
    /// (the headers are checked by the caller with [`check_headers`]).
    pub fn handle_es9_json(&self, function: &str, body: &[u8]) -> JsonAnswer {
        let Some(f) = Es9Function::from_path_name(function) else {
            return JsonAnswer::not_found();
        };
        let obj: Map<String, Value> = match serde_json::from_slice(body) {
            Ok(Value::Object(o)) => o,
            _ => return JsonAnswer::failed(invalid("the body is not a JSON object")),
        };
        let result = match f {
            Es9Function::InitiateAuthentication => self.json_initiate_authentication(&obj),
            Es9Function::AuthenticateClient => self.json_authenticate_client(&obj),
            Es9Function::GetBoundProfilePackage => self.json_get_bpp(&obj),
            Es9Function::CancelSession => self.json_cancel_session(&obj),
            Es9Function::HandleNotification => {
                return match field_der::<PendingNotification>(&obj, "pendingNotification") {
                    Ok((n, raw)) => {
                        let req = HandleNotification {
                            pending_notification: n,
                            extensions: Extensions::default(),
                        };
                        self.handle_notification(&req, Some(&raw));
                        JsonAnswer::no_content()
                    }
                    Err(s) => JsonAnswer::failed(s),
                };
            }
        };
        match result {
            Ok(fields) => JsonAnswer::success(fields),
            Err(s) => JsonAnswer::failed(s),
        }
    }

    fn json_initiate_authentication(
        &self,
        obj: &Map<String, Value>,
    ) -> Result<Map<String, Value>, Status> {
        let address = field_str(obj, "smdpAddress")?;
        if !address.eq_ignore_ascii_case(&self.config.address) {
            return Err(Status::new("8.8.1", "3.8", "Invalid SM-DP+ Address"));
        }
        let challenge = Octet16::try_from(field_b64(obj, "euiccChallenge")?.as_slice())
            .map_err(|_| invalid("euiccChallenge"))?;
        let (info, _) = field_der::<EuiccInfo1>(obj, "euiccInfo1")?;
        let req = InitiateAuthenticationRequest {
            euicc_challenge: challenge,
            smdp_address: address.to_string(),
            euicc_info1: info,
            extensions: Extensions::default(),
        };
        let ok = self.initiate_authentication(&req)?;
        let mut m = Map::new();
        m.insert("serverSigned1".into(), der_b64(&ok.server_signed1)?);
        m.insert(
            "serverSignature1".into(),
            Value::String(b64_encode(&super::sig_tlv(&ok.server_signature1))),
        );
        m.insert(
            "transactionId".into(),
            Value::String(hex::encode_upper(&ok.transaction_id)),
        );
        m.insert(
            "euiccCiPKIdToBeUsed".into(),
            der_b64(&ok.euicc_ci_pk_id_to_be_used)?,
        );
        m.insert("serverCertificate".into(), der_b64(&ok.server_certificate)?);
        Ok(m)
    }

    fn json_authenticate_client(
        &self,
        obj: &Map<String, Value>,
    ) -> Result<Map<String, Value>, Status> {
        let txid = field_txid(obj)?;
        let (response, raw) =
            field_der::<AuthenticateServerResponse>(obj, "authenticateServerResponse")?;
        let req = AuthenticateClientRequest {
            transaction_id: txid,
            authenticate_server_response: response,
            extensions: Extensions::default(),
        };
        let ok = self.authenticate_client(&req, Some(&raw))?;
        let mut m = Map::new();
        m.insert(
            "transactionId".into(),
            Value::String(hex::encode_upper(&ok.transaction_id)),
        );
        m.insert("profileMetadata".into(), der_b64(&ok.profile_meta_data)?);
        m.insert("smdpSigned2".into(), der_b64(&ok.smdp_signed2)?);
        m.insert(
            "smdpSignature2".into(),
            Value::String(b64_encode(&super::sig_tlv(&ok.smdp_signature2))),
        );
        m.insert("smdpCertificate".into(), der_b64(&ok.smdp_certificate)?);
        Ok(m)
    }

    fn json_get_bpp(&self, obj: &Map<String, Value>) -> Result<Map<String, Value>, Status> {
        let txid = field_txid(obj)?;
        let (response, raw) = field_der::<PrepareDownloadResponse>(obj, "prepareDownloadResponse")?;
        let req = GetBoundProfilePackageRequest {
            transaction_id: txid,
            prepare_download_response: response,
            extensions: Extensions::default(),
        };
        let (txid, bpp) = self.get_bound_profile_package(&req, Some(&raw))?;
        let mut m = Map::new();
        m.insert(
            "transactionId".into(),
            Value::String(hex::encode_upper(&txid)),
        );
        m.insert(
            "boundProfilePackage".into(),
            Value::String(b64_encode(&bpp)),
        );
        Ok(m)
    }

    fn json_cancel_session(&self, obj: &Map<String, Value>) -> Result<Map<String, Value>, Status> {
        let txid = field_txid(obj)?;
        let (response, raw) = field_der::<CancelSessionResponse>(obj, "cancelSessionResponse")?;
        let req = CancelSessionRequestEs9 {
            transaction_id: txid,
            cancel_session_response: response,
            extensions: Extensions::default(),
        };
        self.cancel_session(&req, Some(&raw))?;
        Ok(Map::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_rejects_garbage() {
        for (plain, enc) in [
            (&b""[..], ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"fooba", "Zm9vYmE="),
            (b"foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(b64_encode(plain), enc);
            assert_eq!(b64_decode(enc).unwrap(), plain);
        }
        assert_eq!(b64_decode("Zm8").unwrap(), b"fo");
        assert!(b64_decode("Z").is_none());
        assert!(b64_decode("Zm9v!").is_none());
        assert!(b64_decode("Zg===").is_none());
        // The captured serverSignature1 starts with the '5F37 40' TLV header.
        assert_eq!(&b64_decode("XzdADuo8").unwrap()[..3], &[0x5f, 0x37, 0x40]);
    }

    #[test]
    fn headers_are_checked() {
        let ct = Some("application/json;charset=UTF-8");
        let ap = Some("gsma/rsp/v2.2.0");
        assert!(check_headers(ct, ap).is_ok());
        assert!(check_headers(Some("Application/JSON"), ap).is_ok());
        assert!(
            check_headers(Some("text/plain"), ap)
                .unwrap_err()
                .is("1.2.1", "2.1")
        );
        assert!(check_headers(None, ap).unwrap_err().is("1.2.1", "2.1"));
        assert!(check_headers(ct, None).unwrap_err().is("1.2.2", "2.1"));
        assert!(
            check_headers(ct, Some("gsma/rsp/v1.0.0"))
                .unwrap_err()
                .is("1.2.2", "2.1")
        );
        assert_eq!(answer_admin_protocol(ap), "gsma/rsp/v2.2.0");
        assert_eq!(answer_admin_protocol(None), ADMIN_PROTOCOL);
    }
}
