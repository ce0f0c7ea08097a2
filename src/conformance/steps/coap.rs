//! Steps of the CoAP binding (SGP.32 6.2; RFC 7252, RFC 7959, RFC 9175): raw CoAP messages to
//! the SUT's CoAP endpoint (`ctx.esipa_url`, a `coap://` or `coaps://` URL: the runner hands
//! these cases the SUT's CoAP endpoint), through a channel of their own (plain UDP or DTLS,
//! never the run's lossy link) so each message id, token, block and Request-Tag is the step's
//! choice. Every message sent and received is recorded in the World's raw trace (interface
//! `CoAP`, the datagram's bytes).

use std::sync::Arc;
use std::time::{Duration, Instant};

use coap_lite::{CoapOption, MessageClass, MessageType, Packet};
use cucumber::step::Collection;

use super::robustness::{Answer, decode_package, describe, package_in, provide_der};
use super::{Args, re};
use crate::asn1::sgp32::EsipaMessageFromEimToIpa;
use crate::conformance::world::{EimWorld, StepError, StepResult, fail, harness};
use crate::ipa::IpaTraceEntry;
use crate::step;
use crate::transport::coap::blockwise::{BLOCK1, BLOCK2, BlockOpt, REQUEST_TAG, SIZE1};
use crate::transport::coap::{self, CoapTarget, EndpointSettings, code, code_string};
use crate::transport::esipa_http::coap_channel;
use crate::transport::{DatagramChannel, TransportError};

/// The trace's interface name of raw CoAP datagrams.
const COAP: &str = "CoAP";

pub fn register(c: Collection<EimWorld>) -> Collection<EimWorld> {
    c.when(
        None,
        re(r"^the device's GetEimPackageRequest is sent to the SUT in one confirmable CoAP request( and the answer is lost)?$"),
        step!(send_one),
    )
    .then(
        None,
        re(r"^the SUT answers with a CoAP success code and the request's token$"),
        step!(answered_success),
    )
    .then(
        None,
        re(r"^the CoAP answer is a GetEimPackageResponse$"),
        step!(answer_is_response),
    )
    .then(
        None,
        re(r"^the retransmission with the same message id is answered with the same message$"),
        step!(retransmission_answered),
    )
    .when(
        None,
        re(r"^the GetEimPackageRequests of devices 1 and 2 are sent to the SUT in 16-byte Block1 blocks, interleaved, each under its own Request-Tag$"),
        step!(interleaved),
    )
    .then(
        None,
        re(r"^each of the two answers is a GetEimPackageResponse for its own device$"),
        step!(interleaved_answers),
    )
    .when(
        None,
        re(r"^the device polls the SUT over CoAP asking for 16-byte Block2 blocks$"),
        step!(block2_poll),
    )
    .then(
        None,
        re(r"^the package arrived whole in blocks of at most 16 bytes$"),
        step!(block2_whole),
    )
    .when(
        None,
        re(r"^the device fetches its package over CoAP, executes it and delivers the result over CoAP$"),
        step!(fetch_execute_deliver),
    )
    .when(
        None,
        re(r"^the device's first CoAP request is sent again with the same message id$"),
        step!(first_again),
    )
    .then(
        None,
        re(r"^the SUT answers it with the same message as the first time$"),
        step!(same_as_first),
    )
    .when(
        None,
        re(r"^a CoAP request announcing a (\d+)-byte body in Size1 is sent to the SUT in Block1 blocks$"),
        step!(announce_large),
    )
    .then(
        None,
        re(r"^the SUT refuses it with 4\.13 Request Entity Too Large$"),
        step!(refused_4_13),
    )
    .when(
        None,
        re(r"^(\d+) datagrams that are not CoAP messages are sent to the SUT's CoAP endpoint$"),
        step!(junk),
    )
}

/// What the CoAP steps of one scenario keep.
#[derive(Default)]
struct CoapScratch {
    channel: Option<Arc<dyn DatagramChannel>>,
    next_mid: u16,
    /// The requests sent (datagram bytes) and their answers, in order.
    sent: Vec<(Vec<u8>, Option<Packet>)>,
    /// The interleaved requests' answers.
    pair: Vec<Result<Packet, String>>,
    /// Block2 sizes seen and the reassembled body.
    block2: Option<(Vec<usize>, Vec<u8>)>,
}

impl EimWorld {
    fn coap(&mut self) -> &mut CoapScratch {
        if !self.scratch.as_ref().is_some_and(|s| s.is::<CoapScratch>()) {
            self.scratch = Some(Box::new(CoapScratch {
                next_mid: 0x4000,
                ..CoapScratch::default()
            }));
        }
        #[allow(clippy::expect_used)] // set just above
        self.scratch
            .as_mut()
            .and_then(|s| s.downcast_mut::<CoapScratch>())
            .expect("CoAP scratch")
    }

    /// The scenario's CoAP channel to the SUT (opened on first use).
    async fn coap_channel(&mut self) -> Result<Arc<dyn DatagramChannel>, StepError> {
        if let Some(c) = &self.coap().channel {
            return Ok(c.clone());
        }
        let ctx = self.ctx()?;
        let target = CoapTarget::parse(&ctx.esipa_url).map_err(|e| {
            harness(format!(
                "{} is not a CoAP endpoint: {e} (a CoAP binding case needs a coap:// URL)",
                ctx.esipa_url
            ))
        })?;
        // The endpoint's settings, without the run's lossy link: the steps choose every loss.
        let settings = EndpointSettings {
            link: None,
            ..coap::endpoint_settings(&target.authority())
        };
        let channel = coap_channel(&target, ctx.tls.as_ref(), &settings)
            .await
            .map_err(|e| {
                harness(format!(
                    "cannot open a CoAP channel to {}: {e}",
                    ctx.esipa_url
                ))
            })?;
        self.coap().channel = Some(channel.clone());
        Ok(channel)
    }

    fn next_mid(&mut self) -> u16 {
        let s = self.coap();
        s.next_mid = s.next_mid.wrapping_add(1);
        s.next_mid
    }

    /// A confirmable POST to the SUT's ESipa path with a fresh message id and a token made of
    /// it, `options` and `payload`.
    fn coap_post(
        &mut self,
        options: &[(u16, Vec<u8>)],
        payload: &[u8],
    ) -> Result<Packet, StepError> {
        let mid = self.next_mid();
        let path = self.esipa_path()?;
        let ctx = self.ctx()?;
        let method = coap::endpoint_settings(
            &CoapTarget::parse(&ctx.esipa_url)
                .map(|t| t.authority())
                .unwrap_or_default(),
        )
        .config
        .method;
        let mut p = Packet::new();
        p.header.set_type(MessageType::Confirmable);
        p.header.code = MessageClass::from(method);
        p.header.message_id = mid;
        p.set_token(mid.to_be_bytes().to_vec());
        for segment in path.split('/').filter(|s| !s.is_empty()) {
            p.add_option(CoapOption::UriPath, segment.as_bytes().to_vec());
        }
        for (n, v) in options {
            p.add_option(CoapOption::from(*n), v.clone());
        }
        p.payload = payload.to_vec();
        Ok(p)
    }

    /// Sends `datagram` (a confirmable request) and waits for its answer: the piggybacked
    /// response, or the separate response after an empty ACK (acknowledged). Retransmits
    /// the same datagram `retries` times, 500 ms apart. `Ok(None)`: no answer at all.
    async fn coap_send(
        &mut self,
        datagram: &[u8],
        retries: u32,
    ) -> Result<Option<Packet>, StepError> {
        let patience = self.ctx()?.patience;
        self.coap_send_within(datagram, retries, patience).await
    }

    /// As [`EimWorld::coap_send`], waiting at most `separate` for a separate response after
    /// an empty ACK; when none comes, the empty ACK is the answer (the answer to a duplicate
    /// of a request whose response went separately, RFC 7252 4.5).
    async fn coap_send_within(
        &mut self,
        datagram: &[u8],
        retries: u32,
        separate: Duration,
    ) -> Result<Option<Packet>, StepError> {
        let channel = self.coap_channel().await?;
        let request =
            Packet::from_bytes(datagram).map_err(|e| harness(format!("own datagram: {e}")))?;
        let mid = request.header.message_id;
        let token = request.get_token().to_vec();
        let mut empty_ack = None;
        for _ in 0..=retries {
            self.raw
                .push(IpaTraceEntry::now("ipa->eim", COAP, None, datagram, None));
            channel
                .send(datagram)
                .await
                .map_err(|e| harness(e.to_string()))?;
            let mut deadline = Instant::now() + Duration::from_millis(500);
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                let Ok(received) = tokio::time::timeout(left, channel.recv()).await else {
                    break;
                };
                let d = match received {
                    Ok(d) => d,
                    Err(TransportError::Io(_)) => continue,
                    Err(e) => return Err(harness(format!("CoAP channel: {e}"))),
                };
                self.raw
                    .push(IpaTraceEntry::now("eim->ipa", COAP, None, &d, None));
                let Ok(p) = Packet::from_bytes(&d) else {
                    continue;
                };
                let kind = p.header.get_type();
                if kind == MessageType::Acknowledgement && p.header.message_id == mid {
                    if p.header.code == MessageClass::Empty {
                        // The answer follows separately.
                        deadline = Instant::now() + separate;
                        empty_ack = Some(p);
                        continue;
                    }
                    return Ok(Some(p));
                }
                if kind == MessageType::Reset && p.header.message_id == mid {
                    return Ok(Some(p));
                }
                if matches!(kind, MessageType::Confirmable | MessageType::NonConfirmable)
                    && p.get_token() == token.as_slice()
                {
                    if kind == MessageType::Confirmable {
                        let mut ack = Packet::new();
                        ack.header.set_type(MessageType::Acknowledgement);
                        ack.header.message_id = p.header.message_id;
                        let _ = channel.send(&ack.to_bytes().unwrap_or_default()).await;
                    }
                    return Ok(Some(p));
                }
            }
            if empty_ack.is_some() {
                break;
            }
        }
        Ok(empty_ack)
    }

    /// Sends a fresh request and records it with its answer.
    async fn coap_request(
        &mut self,
        options: &[(u16, Vec<u8>)],
        payload: &[u8],
    ) -> Result<Option<Packet>, StepError> {
        let p = self.coap_post(options, payload)?;
        let datagram = p
            .to_bytes_with_limit(65_000)
            .map_err(|e| harness(format!("cannot encode a CoAP request: {e}")))?;
        let answer = self.coap_send(&datagram, 3).await?;
        self.coap().sent.push((datagram, answer.clone()));
        Ok(answer)
    }

    fn last_coap(&mut self) -> Result<(Vec<u8>, Option<Packet>), StepError> {
        self.coap()
            .sent
            .last()
            .cloned()
            .ok_or_else(|| harness("no CoAP request was sent"))
    }
}

fn describe_packet(p: &Packet) -> String {
    let c = u8::from(p.header.code);
    if p.header.code == MessageClass::Empty {
        return format!("an empty {:?}", p.header.get_type());
    }
    if let Some(package) = package_in(&p.payload).and_then(|bf51| decode_package(&bf51)) {
        let signed = &package.euicc_package_signed;
        return format!(
            "CoAP {} GetEimPackageResponse with a package of counterValue {}, eimTransactionId {}",
            code_string(c),
            signed.counter_value,
            signed
                .eim_transaction_id
                .as_ref()
                .map(|t| hex::encode(t.as_ref()))
                .unwrap_or_else(|| "none".into())
        );
    }
    match rasn::der::decode::<EsipaMessageFromEimToIpa>(&p.payload) {
        Ok(m) => format!("CoAP {} {m:?}", code_string(c)),
        Err(_) => match std::str::from_utf8(&p.payload) {
            // Diagnostic payloads of error codes are text (RFC 7252 5.5.2).
            Ok(text) if !text.is_empty() && !text.chars().any(char::is_control) => format!(
                "CoAP {} {:?} \"{text}\"",
                code_string(c),
                p.header.get_type()
            ),
            _ => format!(
                "CoAP {} {:?} payload {}",
                code_string(c),
                p.header.get_type(),
                hex::encode(&p.payload)
            ),
        },
    }
}

fn is_success(p: &Packet) -> bool {
    u8::from(p.header.code) >> 5 == 2
}

const SINGLE: &str =
    "SGP.32 6.2, RFC 7252 5.2: a confirmable ESipa request is answered with its token";

async fn send_one(w: &mut EimWorld, a: Args) -> StepResult {
    let der = w.get_eim_package_der(None)?;
    let lost = a.opt(1).is_some();
    let p = w.coap_post(&[], &der)?;
    let datagram = p
        .to_bytes()
        .map_err(|e| harness(format!("cannot encode a CoAP request: {e}")))?;
    // "Lost": the answer is received (so it was sent) but treated as never seen.
    let answer = w.coap_send(&datagram, if lost { 0 } else { 3 }).await?;
    if lost && answer.is_none() {
        return Err(fail(SINGLE, "an answer to the first transmission", "none"));
    }
    w.coap()
        .sent
        .push((datagram, if lost { None } else { answer }));
    Ok(())
}

async fn answered_success(w: &mut EimWorld, _: Args) -> StepResult {
    let (datagram, answer) = w.last_coap()?;
    let answer =
        answer.ok_or_else(|| fail(SINGLE, "an answer", "no answer after 4 transmissions"))?;
    let token = Packet::from_bytes(&datagram)
        .map(|p| p.get_token().to_vec())
        .unwrap_or_default();
    if answer.get_token() != token.as_slice() {
        return Err(fail(
            SINGLE,
            format!("token {}", hex::encode(&token)),
            format!("token {}", hex::encode(answer.get_token())),
        ));
    }
    if !is_success(&answer) {
        return Err(fail(SINGLE, "a 2.xx code", describe_packet(&answer)));
    }
    Ok(())
}

async fn answer_is_response(w: &mut EimWorld, _: Args) -> StepResult {
    let (_, answer) = w.last_coap()?;
    let answer = answer.ok_or_else(|| fail(SINGLE, "an answer", "none"))?;
    match rasn::der::decode::<EsipaMessageFromEimToIpa>(&answer.payload) {
        Ok(EsipaMessageFromEimToIpa::GetEimPackageResponse(_))
            if rasn::der::decode::<EsipaMessageFromEimToIpa>(&answer.payload).is_ok()
                && package_or_error_is_whole(&answer.payload) =>
        {
            Ok(())
        }
        _ => Err(fail(
            "SGP.32 6.2, 6.3.2.6: the CoAP answer carries the DER GetEimPackageResponse",
            "a GetEimPackageResponse ('BF4F')",
            describe_packet(&answer),
        )),
    }
}

/// Whether the body is one 'BF4F' TLV whose content is one TLV (no doubled tag).
fn package_or_error_is_whole(body: &[u8]) -> bool {
    let Ok(outer) = crate::asn1::tlv::split(body) else {
        return false;
    };
    outer.tag == [0xbf, 0x4f]
        && outer.whole.len() == body.len()
        && crate::asn1::tlv::split(outer.content).is_ok_and(|inner| {
            inner.tag != [0xbf, 0x4f] && inner.whole.len() == outer.content.len()
        })
}

async fn retransmission_answered(w: &mut EimWorld, _: Args) -> StepResult {
    let (datagram, _) = w.last_coap()?;
    const REQ: &str = "RFC 7252 4.5 (SGP.32 6.2): a duplicate confirmable request is acknowledged with the same answer";
    // The first answer, as the endpoint sent it (the trace's last received datagram).
    let first = w
        .raw
        .iter()
        .rev()
        .find(|e| e.direction == "eim->ipa" && e.interface == COAP)
        .and_then(|e| hex::decode(&e.hex).ok())
        .and_then(|d| Packet::from_bytes(&d).ok());
    let again = w
        .coap_send_within(&datagram, 0, Duration::from_millis(500))
        .await?;
    match (first, again) {
        // The response went separately (and was acknowledged): the empty ACK again.
        (Some(f), Some(a))
            if f.header.get_type() == MessageType::Confirmable
                && a.header.code == MessageClass::Empty =>
        {
            Ok(())
        }
        (_, None) => Err(fail(
            REQ,
            "an answer to the retransmission",
            "none within 500 ms",
        )),
        (Some(f), Some(a)) if f.payload != a.payload || f.header.code != a.header.code => {
            Err(fail(REQ, describe_packet(&f), describe_packet(&a)))
        }
        (_, Some(a)) if !is_success(&a) => Err(fail(REQ, "a 2.xx answer", describe_packet(&a))),
        _ => Ok(()),
    }
}

/// `body` cut in 16-byte Block1 blocks: (payload, option value).
fn blocks16(body: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let n = body.len().div_ceil(16).max(1);
    (0..n)
        .map(|i| {
            let chunk = body
                .get(i * 16..((i + 1) * 16).min(body.len()))
                .unwrap_or_default();
            let opt = BlockOpt {
                num: i as u32,
                more: i + 1 < n,
                szx: 0,
            };
            (chunk.to_vec(), opt.encode())
        })
        .collect()
}

async fn interleaved(w: &mut EimWorld, _: Args) -> StepResult {
    let a = w.get_eim_package_der(Some(1))?;
    let b = w.get_eim_package_der(Some(2))?;
    let (ba, bb) = (blocks16(&a), blocks16(&b));
    let n = ba.len().max(bb.len());
    let mut last: [Result<Packet, String>; 2] = [Err("not sent".into()), Err("not sent".into())];
    for i in 0..n {
        for (k, (tag, blocks)) in [(b"tag-A", &ba), (b"tag-B", &bb)].into_iter().enumerate() {
            let Some((chunk, opt)) = blocks.get(i) else {
                continue;
            };
            let options = [(BLOCK1, opt.clone()), (REQUEST_TAG, tag.to_vec())];
            let answer = w.coap_request(&options, chunk).await?;
            let more = BlockOpt::decode(opt).map(|b| b.more).unwrap_or(false);
            match answer {
                Some(p) if more && u8::from(p.header.code) != code(2, 31) => {
                    // Not continued: the request ends here.
                    if let Some(slot) = last.get_mut(k) {
                        *slot = Err(format!("block {i} answered {}", describe_packet(&p)));
                    }
                }
                Some(p) if !more => {
                    if let Some(slot) = last.get_mut(k) {
                        *slot = Ok(p);
                    }
                }
                Some(_) => {}
                None => {
                    if let Some(slot) = last.get_mut(k) {
                        *slot = Err(format!("no answer to block {i}"));
                    }
                }
            }
        }
    }
    w.coap().pair = last.into_iter().collect();
    Ok(())
}

async fn interleaved_answers(w: &mut EimWorld, _: Args) -> StepResult {
    const REQ: &str = "SGP.32 6.2, RFC 9175 3.3: request blocks with different Request-Tags belong to different requests";
    let pair = std::mem::take(&mut w.coap().pair);
    for (k, answer) in pair.iter().enumerate() {
        let p = answer
            .as_ref()
            .map_err(|e| fail(REQ, format!("request {} answered 2.04", k + 1), e.clone()))?;
        if !is_success(p) || !package_or_error_is_whole(&p.payload) {
            return Err(fail(
                REQ,
                format!("request {}: a GetEimPackageResponse", k + 1),
                describe_packet(p),
            ));
        }
    }
    if pair.len() != 2 {
        return Err(harness("the interleaved requests were not sent"));
    }
    Ok(())
}

const BLOCK2_REQ: &str = "SGP.32 6.2, RFC 7959 2.4: a response larger than the block size asked for travels in Block2 blocks of that size";

async fn block2_poll(w: &mut EimWorld, _: Args) -> StepResult {
    let der = w.get_eim_package_der(None)?;
    let ask = BlockOpt {
        num: 0,
        more: false,
        szx: 0,
    };
    let first = w.coap_request(&[(BLOCK2, ask.encode())], &der).await?;
    let first = first.ok_or_else(|| fail(BLOCK2_REQ, "an answer", "none"))?;
    let mut sizes = vec![first.payload.len()];
    let mut body = first.payload.clone();
    let mut block = match first.get_first_option(CoapOption::Block2) {
        None => {
            w.coap().block2 = Some((sizes, body));
            return Ok(());
        }
        Some(v) => BlockOpt::decode(v)
            .map_err(|e| fail(BLOCK2_REQ, "a valid Block2 option", e.to_string()))?,
    };
    let mut guard = 0;
    while block.more {
        guard += 1;
        if guard > 4096 {
            return Err(fail(
                BLOCK2_REQ,
                "an end to the blocks",
                "more than 4096 blocks",
            ));
        }
        let next = BlockOpt {
            num: block.num + 1,
            more: false,
            szx: block.szx,
        };
        // Same token as the first request (RFC 7959 2.4).
        let mut p = w.coap_post(&[(BLOCK2, next.encode())], &[])?;
        p.set_token(first.get_token().to_vec());
        let d = p
            .to_bytes()
            .map_err(|e| harness(format!("cannot encode: {e}")))?;
        let r = w
            .coap_send(&d, 3)
            .await?
            .ok_or_else(|| fail(BLOCK2_REQ, format!("block {}", next.num), "no answer"))?;
        let got = r
            .get_first_option(CoapOption::Block2)
            .and_then(|v| BlockOpt::decode(v).ok())
            .ok_or_else(|| fail(BLOCK2_REQ, "a Block2 option", describe_packet(&r)))?;
        if got.num != next.num {
            return Err(fail(
                BLOCK2_REQ,
                format!("block {}", next.num),
                format!("block {}", got.num),
            ));
        }
        sizes.push(r.payload.len());
        body.extend_from_slice(&r.payload);
        block = got;
    }
    w.coap().block2 = Some((sizes, body));
    Ok(())
}

async fn block2_whole(w: &mut EimWorld, _: Args) -> StepResult {
    let (sizes, body) = w
        .coap()
        .block2
        .take()
        .ok_or_else(|| harness("no Block2 poll was made"))?;
    if let Some(s) = sizes.iter().find(|s| **s > 16) {
        return Err(fail(
            BLOCK2_REQ,
            "blocks of at most 16 bytes",
            format!("a block of {s} bytes (sizes {sizes:?})"),
        ));
    }
    if sizes.len() < 2 {
        return Err(fail(
            BLOCK2_REQ,
            "a package in several blocks",
            format!("{} bytes in one message", body.len()),
        ));
    }
    if package_in(&body).is_none() {
        return Err(fail(
            BLOCK2_REQ,
            "the blocks put together: a GetEimPackageResponse with the ordered package",
            describe(&Answer { status: 200, body }),
        ));
    }
    Ok(())
}

async fn fetch_execute_deliver(w: &mut EimWorld, _: Args) -> StepResult {
    let position = w.last_position()?;
    let eid = w
        .devices
        .get(position)
        .map(|d| d.eid)
        .ok_or_else(|| harness("no device"))?;
    let der = w.get_eim_package_der(None)?;
    let answer = w
        .coap_request(&[], &der)
        .await?
        .ok_or_else(|| fail(SINGLE, "an answer to GetEimPackage", "none"))?;
    let package = package_in(&answer.payload).ok_or_else(|| {
        fail(
            "SGP.32 6.3.2.6: GetEimPackage delivers the ordered eUICC Package",
            "an euiccPackageRequest",
            describe_packet(&answer),
        )
    })?;
    let result = w.execute_package(position, &package)?;
    let delivered = w
        .coap_request(&[], &provide_der(eid, &result))
        .await?
        .ok_or_else(|| fail(SINGLE, "an answer to ProvideEimPackageResult", "none"))?;
    if !is_success(&delivered) {
        return Err(fail(
            "SGP.32 6.3.2.7: the result is taken",
            "a 2.xx answer",
            describe_packet(&delivered),
        ));
    }
    Ok(())
}

async fn first_again(w: &mut EimWorld, _: Args) -> StepResult {
    let (datagram, _) = w
        .coap()
        .sent
        .first()
        .cloned()
        .ok_or_else(|| harness("no CoAP request was sent"))?;
    let again = w
        .coap_send_within(&datagram, 0, Duration::from_millis(500))
        .await?;
    w.coap().sent.push((datagram, again));
    Ok(())
}

async fn same_as_first(w: &mut EimWorld, _: Args) -> StepResult {
    const REQ: &str = "RFC 7252 4.5 (SGP.32 6.2): a duplicate (same message id within EXCHANGE_LIFETIME) gets the first answer; the request is processed once";
    let s = w.coap();
    let first = s.sent.first().and_then(|(_, a)| a.clone());
    let last = s.sent.last().and_then(|(_, a)| a.clone());
    match (first, last) {
        (Some(f), Some(l)) if f.payload == l.payload && f.header.code == l.header.code => Ok(()),
        // The first response went separately: the duplicate gets the empty ACK again.
        (Some(f), Some(l))
            if f.header.get_type() == MessageType::Confirmable
                && l.header.code == MessageClass::Empty =>
        {
            Ok(())
        }
        (Some(f), Some(l)) => Err(fail(REQ, describe_packet(&f), describe_packet(&l))),
        (_, None) => Err(fail(REQ, "the first answer again", "no answer")),
        (None, _) => Err(harness("the first request had no answer")),
    }
}

async fn announce_large(w: &mut EimWorld, a: Args) -> StepResult {
    let size: u32 = a.parse(1)?;
    let der = w.get_eim_package_der(None)?;
    let mut first = der.clone();
    first.resize(16, 0);
    let opt = BlockOpt {
        num: 0,
        more: true,
        szx: 0,
    };
    let options = [
        (BLOCK1, opt.encode()),
        (SIZE1, crate::transport::coap::blockwise::uint_bytes(size)),
        (REQUEST_TAG, b"big".to_vec()),
    ];
    w.coap_request(&options, first.get(..16).unwrap_or_default())
        .await?;
    Ok(())
}

async fn refused_4_13(w: &mut EimWorld, _: Args) -> StepResult {
    const REQ: &str = "SGP.32 6.2, RFC 7959 4: a request body over the server's limit is refused with 4.13 (Size1)";
    let (_, answer) = w.last_coap()?;
    let answer = answer.ok_or_else(|| fail(REQ, "4.13", "no answer"))?;
    let c = u8::from(answer.header.code);
    if c != code(4, 13) {
        return Err(fail(REQ, "4.13", describe_packet(&answer)));
    }
    Ok(())
}

async fn junk(w: &mut EimWorld, a: Args) -> StepResult {
    let n: usize = a.parse(1)?;
    let channel = w.coap_channel().await?;
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 60) as usize;
        let mut d: Vec<u8> = x.to_be_bytes().iter().cycle().take(len).copied().collect();
        if let Some(first) = d.first_mut() {
            // Half of them pass as version 1 with a bad token length or options.
            if i % 2 == 0 {
                *first = 0x4f;
            }
        }
        channel
            .send(&d)
            .await
            .map_err(|e| harness(format!("CoAP channel: {e}")))?;
    }
    // Drain the resets the SUT may answer with.
    let until = Instant::now() + Duration::from_millis(100);
    while let Ok(Ok(_)) = tokio::time::timeout(
        until.saturating_duration_since(Instant::now()),
        channel.recv(),
    )
    .await
    {}
    Ok(())
}
