//! The CoAP client (RFC 7252 4, 5; RFC 7959; RFC 9175) over any [`DatagramChannel`].
//!
//! Every request is confirmable: it is retransmitted after a random timeout between
//! ACK_TIMEOUT and ACK_TIMEOUT x ACK_RANDOM_FACTOR, doubling each time, at most MAX_RETRANSMIT
//! times (RFC 7252 4.2). A reader task takes every datagram from the channel: ACKs and resets
//! are matched to the request by message id, responses by token (a piggybacked response in the
//! ACK, or a separate response after an empty ACK, which the client acknowledges; RFC 7252
//! 5.2). At most NSTART requests are outstanding at once (RFC 7252 4.7). A body larger than
//! the block size goes in Block1 blocks carrying one Request-Tag; a response with Block2 is
//! fetched block by block with the same token (RFC 7959 2.4, 2.5; RFC 9175 3).

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use coap_lite::{CoapOption, MessageClass, MessageType, Packet};
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio::task::JoinHandle;
use tracing::{debug, trace};

use super::blockwise::{self, BLOCK1, BLOCK2, BlockOpt, ETAG, REQUEST_TAG, SIZE1};
use super::{CoapConfig, code, code_string, empty_message};
use crate::transport::TransportError;
use crate::transport::datagram::{DatagramChannel, MAX_DATAGRAM};

/// A response as the client sees it (after reassembling Block2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoapResponse {
    /// The response code (raw byte: 0x44 is 2.04).
    pub code: u8,
    /// The whole payload.
    pub payload: Vec<u8>,
    /// The options of the (last) response message, in order: (number, value).
    pub options: Vec<(u16, Vec<u8>)>,
}

impl CoapResponse {
    /// The code as `c.dd`.
    pub fn code_string(&self) -> String {
        code_string(self.code)
    }

    /// The first value of option `number`.
    pub fn option(&self, number: u16) -> Option<&[u8]> {
        self.options
            .iter()
            .find(|(n, _)| *n == number)
            .map(|(_, v)| v.as_slice())
    }
}

/// Counters of one client.
#[derive(Debug, Default)]
pub struct ClientStats {
    /// Requests (messages) sent for the first time.
    pub messages: AtomicU64,
    /// Retransmissions.
    pub retransmissions: AtomicU64,
    /// Separate responses received (after an empty ACK).
    pub separate: AtomicU64,
}

#[derive(Default)]
struct State {
    by_mid: HashMap<u16, oneshot::Sender<Packet>>,
    by_token: HashMap<Vec<u8>, mpsc::UnboundedSender<Packet>>,
    /// Tokens of finished exchanges, so a repeated separate response is still acknowledged.
    recent: VecDeque<Vec<u8>>,
}

struct Shared {
    state: Mutex<State>,
    stats: ClientStats,
}

/// A CoAP client over one channel.
pub struct CoapClient {
    channel: Arc<dyn DatagramChannel>,
    config: CoapConfig,
    shared: Arc<Shared>,
    permits: Semaphore,
    next_mid: AtomicU16,
    next_token: AtomicU64,
    rng: Mutex<u64>,
    reader: JoinHandle<()>,
}

impl Drop for CoapClient {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

fn random_u64() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x5eed);
    h.finish()
}

/// The raw code byte of a packet.
pub(crate) fn raw_code(p: &Packet) -> u8 {
    u8::from(p.header.code)
}

/// The options of a packet, in order.
pub(crate) fn options_of(p: &Packet) -> Vec<(u16, Vec<u8>)> {
    p.options()
        .flat_map(|(n, vs)| vs.iter().map(move |v| (*n, v.clone())))
        .collect()
}

/// The first value of option `number`.
pub(crate) fn first_option(p: &Packet, number: u16) -> Option<&Vec<u8>> {
    p.get_first_option(CoapOption::from(number))
}

/// Adds `path` as Uri-Path options.
pub(crate) fn set_path(p: &mut Packet, path: &str) {
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        p.add_option(CoapOption::UriPath, segment.as_bytes().to_vec());
    }
}

impl CoapClient {
    /// A client on `channel` (which it reads from exclusively).
    pub fn new(
        channel: Arc<dyn DatagramChannel>,
        config: CoapConfig,
    ) -> Result<CoapClient, TransportError> {
        config.validate()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            stats: ClientStats::default(),
        });
        let reader = tokio::spawn(read_loop(channel.clone(), shared.clone()));
        let seed = random_u64();
        Ok(CoapClient {
            permits: Semaphore::new(config.nstart),
            channel,
            config,
            shared,
            next_mid: AtomicU16::new(seed as u16),
            next_token: AtomicU64::new(seed.rotate_left(17)),
            rng: Mutex::new(seed | 1),
            reader,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &CoapConfig {
        &self.config
    }

    /// The channel's peer.
    pub fn peer_addr(&self) -> std::net::SocketAddr {
        self.channel.peer_addr()
    }

    /// The counters.
    pub fn stats(&self) -> &ClientStats {
        &self.shared.stats
    }

    /// A fresh token (8 bytes).
    pub fn new_token(&self) -> Vec<u8> {
        self.next_token
            .fetch_add(1, Ordering::Relaxed)
            .to_be_bytes()
            .to_vec()
    }

    fn jitter(&self) -> f64 {
        let mut g = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        // xorshift64
        let mut x = *g;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *g = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Sends one confirmable message (its message id and type are set here; the token and the
    /// rest are the caller's) and returns the response: piggybacked in the ACK, or separate
    /// after an empty ACK. An error when no ACK came after MAX_RETRANSMIT retransmissions,
    /// on a reset, or when the separate response did not come within the response timeout.
    pub async fn exchange(&self, mut packet: Packet) -> Result<Packet, TransportError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| TransportError::Coap("client closed".into()))?;
        let mid = self.next_mid.fetch_add(1, Ordering::Relaxed);
        packet.header.message_id = mid;
        packet.header.set_type(MessageType::Confirmable);
        let token = packet.get_token().to_vec();
        let bytes = packet
            .to_bytes_with_limit(MAX_DATAGRAM)
            .map_err(|e| TransportError::Coap(format!("cannot encode the request: {e}")))?;
        let (ack_tx, mut ack_rx) = oneshot::channel();
        let (resp_tx, mut resp_rx) = mpsc::unbounded_channel();
        {
            let mut s = self.lock();
            s.by_mid.insert(mid, ack_tx);
            s.by_token.insert(token.clone(), resp_tx);
        }
        let _guard = Registration {
            shared: &self.shared,
            mid,
            token: token.clone(),
        };
        self.shared.stats.messages.fetch_add(1, Ordering::Relaxed);
        let c = &self.config;
        let mut timeout = c
            .ack_timeout
            .mul_f64(1.0 + (c.ack_random_factor.max(1.0) - 1.0) * self.jitter());
        let mut retransmissions = 0;
        let ack = loop {
            self.channel.send(&bytes).await?;
            tokio::select! {
                a = &mut ack_rx => match a {
                    Ok(p) => break p,
                    Err(_) => return Err(TransportError::Coap("client reader stopped".into())),
                },
                r = resp_rx.recv() => match r {
                    // A separate response overtook the lost empty ACK (RFC 7252 5.2.2).
                    Some(p) => {
                        self.shared.stats.separate.fetch_add(1, Ordering::Relaxed);
                        return Ok(p);
                    }
                    None => return Err(TransportError::Coap("client reader stopped".into())),
                },
                _ = tokio::time::sleep(timeout) => {
                    if retransmissions >= c.max_retransmit {
                        return Err(TransportError::Coap(format!(
                            "no acknowledgement from {} after {} retransmissions",
                            self.channel.peer_addr(), retransmissions
                        )));
                    }
                    retransmissions += 1;
                    self.shared.stats.retransmissions.fetch_add(1, Ordering::Relaxed);
                    trace!(mid, retransmissions, "CoAP retransmission");
                    timeout *= 2;
                }
            }
        };
        if ack.header.get_type() == MessageType::Reset {
            return Err(TransportError::Coap(format!(
                "the server reset message {mid}"
            )));
        }
        if ack.header.code == MessageClass::Empty {
            // Empty ACK: the response follows separately.
            let r = tokio::time::timeout(c.response_timeout, resp_rx.recv())
                .await
                .map_err(|_| TransportError::Timeout {
                    what: "CoAP separate response",
                    after: c.response_timeout,
                })?;
            self.shared.stats.separate.fetch_add(1, Ordering::Relaxed);
            return r.ok_or_else(|| TransportError::Coap("client reader stopped".into()));
        }
        if ack.get_token() != token.as_slice() {
            return Err(TransportError::Coap(format!(
                "piggybacked response with token {} to a request with token {}",
                hex::encode(ack.get_token()),
                hex::encode(&token)
            )));
        }
        Ok(ack)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A request of `method` to `path` with `payload`, block-wise as needed: Block1 with a
    /// Request-Tag when the payload exceeds the block size, Block2 when the response says
    /// more blocks follow.
    pub async fn request(
        &self,
        method: u8,
        path: &str,
        payload: &[u8],
    ) -> Result<CoapResponse, TransportError> {
        let mut szx = self.config.szx()?;
        let token = self.new_token();
        let tag = (payload.len() > self.config.block_size && self.config.request_tag)
            .then(|| self.new_token().split_off(4));
        let base = |token: &[u8]| {
            let mut p = Packet::new();
            p.header.code = MessageClass::from(method);
            p.set_token(token.to_vec());
            set_path(&mut p, path);
            if let Some(t) = &tag {
                p.add_option(CoapOption::Unknown(REQUEST_TAG), t.clone());
            }
            p
        };
        let mut response = if payload.len() <= 16usize << szx {
            let mut p = base(&token);
            p.payload = payload.to_vec();
            self.exchange(p).await?
        } else {
            let mut offset = 0usize;
            loop {
                let size = 16usize << szx;
                let num = u32::try_from(offset / size)
                    .ok()
                    .filter(|n| *n <= blockwise::MAX_NUM)
                    .ok_or_else(|| TransportError::Coap("request too large for Block1".into()))?;
                let (chunk, block) = blockwise::slice(payload, num, szx)
                    .ok_or_else(|| TransportError::Coap("Block1 slicing failed".into()))?;
                let mut p = base(&token);
                p.add_option(CoapOption::Unknown(BLOCK1), block.encode());
                if num == 0 {
                    p.add_option(
                        CoapOption::Unknown(SIZE1),
                        blockwise::uint_bytes(u32::try_from(payload.len()).unwrap_or(u32::MAX)),
                    );
                }
                p.payload = chunk.to_vec();
                let r = self.exchange(p).await?;
                if !block.more {
                    break r;
                }
                if raw_code(&r) != code(2, 31) {
                    // The server answered before the last block (4.13, 4.08, ...).
                    break r;
                }
                // The server may ask for smaller blocks (RFC 7959 2.5).
                if let Some(echo) = first_option(&r, BLOCK1).and_then(|v| BlockOpt::decode(v).ok())
                    && echo.szx < szx
                {
                    debug!(
                        from = szx,
                        to = echo.szx,
                        "server asked for smaller Block1 blocks"
                    );
                    szx = echo.szx;
                }
                offset += chunk.len();
            }
        };
        let first = first_option(&response, BLOCK2).map(|v| BlockOpt::decode(v));
        let Some(first) = first else {
            return Ok(CoapResponse {
                code: raw_code(&response),
                options: options_of(&response),
                payload: std::mem::take(&mut response.payload),
            });
        };
        let mut block = first.map_err(|e| TransportError::Coap(format!("Block2: {e}")))?;
        let etag = first_option(&response, ETAG).cloned();
        let mut body = std::mem::take(&mut response.payload);
        if block.num != 0 {
            return Err(TransportError::Coap(format!(
                "the first response block is block {}",
                block.num
            )));
        }
        while block.more {
            if body.len() > self.config.max_body {
                return Err(TransportError::ResponseTooLarge {
                    limit: self.config.max_body,
                });
            }
            let next = BlockOpt {
                num: u32::try_from(body.len() / block.size())
                    .map_err(|_| TransportError::Coap("response too large for Block2".into()))?,
                more: false,
                szx: block.szx,
            };
            let mut p = base(&token);
            p.add_option(CoapOption::Unknown(BLOCK2), next.encode());
            response = self.exchange(p).await?;
            let got = first_option(&response, BLOCK2)
                .ok_or_else(|| TransportError::Coap("a Block2 continuation without Block2".into()))
                .and_then(|v| {
                    BlockOpt::decode(v).map_err(|e| TransportError::Coap(format!("Block2: {e}")))
                })?;
            if !(200..300).contains(&super::esipa::http_status(raw_code(&response), true)) {
                // The server lost the body (4.08) or failed: that answer is the response.
                break;
            }
            if got.offset() != body.len() {
                return Err(TransportError::Coap(format!(
                    "Block2 block {} starts at byte {}, expected byte {}",
                    got.num,
                    got.offset(),
                    body.len()
                )));
            }
            if first_option(&response, ETAG) != etag.as_ref() {
                return Err(TransportError::Coap(
                    "the ETag changed between Block2 blocks".into(),
                ));
            }
            body.extend_from_slice(&response.payload);
            block = got;
        }
        Ok(CoapResponse {
            code: raw_code(&response),
            options: options_of(&response),
            payload: body,
        })
    }
}

/// Removes an exchange's registrations however it ends.
struct Registration<'a> {
    shared: &'a Shared,
    mid: u16,
    token: Vec<u8>,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        let mut s = self.shared.state.lock().unwrap_or_else(|e| e.into_inner());
        s.by_mid.remove(&self.mid);
        s.by_token.remove(&self.token);
        if !s.recent.contains(&self.token) {
            s.recent.push_back(std::mem::take(&mut self.token));
            if s.recent.len() > 64 {
                s.recent.pop_front();
            }
        }
    }
}

/// Reads every datagram of the channel; malformed ones are dropped.
async fn read_loop(channel: Arc<dyn DatagramChannel>, shared: Arc<Shared>) {
    loop {
        let datagram = match channel.recv().await {
            Ok(d) => d,
            Err(e) => {
                // ICMP port unreachable and the like: keep reading.
                trace!("CoAP client receive error: {e}");
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
        };
        let Ok(p) = Packet::from_bytes(&datagram) else {
            debug!(len = datagram.len(), "malformed CoAP datagram dropped");
            continue;
        };
        if p.header.get_version() != 1 {
            continue;
        }
        let mid = p.header.message_id;
        let kind = p.header.get_type();
        let is_response = raw_code(&p) >= 0x40;
        let reply = {
            let mut s = shared.state.lock().unwrap_or_else(|e| e.into_inner());
            match kind {
                MessageType::Acknowledgement | MessageType::Reset => {
                    if let Some(tx) = s.by_mid.remove(&mid) {
                        let _ = tx.send(p);
                    }
                    None
                }
                MessageType::Confirmable | MessageType::NonConfirmable if is_response => {
                    let token = p.get_token().to_vec();
                    let known = if let Some(tx) = s.by_token.get(&token) {
                        let _ = tx.send(p);
                        true
                    } else {
                        s.recent.contains(&token)
                    };
                    match (kind, known) {
                        (MessageType::Confirmable, true) => {
                            Some(empty_message(MessageType::Acknowledgement, mid))
                        }
                        (MessageType::Confirmable, false) => {
                            Some(empty_message(MessageType::Reset, mid))
                        }
                        _ => None,
                    }
                }
                // A request or an empty CON (a ping) to the client: reset.
                MessageType::Confirmable => Some(empty_message(MessageType::Reset, mid)),
                MessageType::NonConfirmable => None,
            }
        };
        if let Some(r) = reply {
            let _ = channel.send(&r).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::datagram::{DatagramEndpoint, UdpChannel, UdpEndpoint};

    #[test]
    fn empty_messages_and_paths_known_answers() {
        // RFC 7252 3: version 1, type ACK (2), TKL 0 -> 0x60; code 0.00; message id.
        assert_eq!(
            empty_message(MessageType::Acknowledgement, 0x1234),
            [0x60, 0, 0x12, 0x34]
        );
        assert_eq!(empty_message(MessageType::Reset, 7), [0x70, 0, 0, 7]);
        let mut p = Packet::new();
        set_path(&mut p, "/gsma/rsp2/asn1");
        let segments: Vec<Vec<u8>> = options_of(&p).into_iter().map(|(_, v)| v).collect();
        assert_eq!(
            segments,
            vec![b"gsma".to_vec(), b"rsp2".to_vec(), b"asn1".to_vec()]
        );
        assert!(options_of(&p).iter().all(|(n, _)| *n == 11));
    }

    #[tokio::test]
    async fn a_reset_is_an_error_and_a_wrong_piggybacked_token_too() {
        let server = UdpEndpoint::bind(([127, 0, 0, 1], 0).into()).await.unwrap();
        let channel: Arc<dyn DatagramChannel> =
            Arc::new(UdpChannel::connect(server.local_addr()).await.unwrap());
        let client = CoapClient::new(channel, CoapConfig::fast(Duration::from_millis(20))).unwrap();
        let answer = async {
            let (peer, d) = server.recv_from().await.unwrap();
            let p = Packet::from_bytes(&d).unwrap();
            server
                .send_to(
                    peer,
                    &empty_message(MessageType::Reset, p.header.message_id),
                )
                .await
                .unwrap();
            let (peer, d) = server.recv_from().await.unwrap();
            let p = Packet::from_bytes(&d).unwrap();
            let mut ack = Packet::new();
            ack.header.set_type(MessageType::Acknowledgement);
            ack.header.code = MessageClass::from(0x44);
            ack.header.message_id = p.header.message_id;
            ack.set_token(b"other".to_vec());
            server
                .send_to(peer, &ack.to_bytes().unwrap())
                .await
                .unwrap();
        };
        let asks = async {
            let reset = client.request(super::super::POST, "/x", b"1").await;
            let wrong = client.request(super::super::POST, "/x", b"2").await;
            (reset, wrong)
        };
        let ((reset, wrong), ()) = tokio::join!(asks, answer);
        assert!(reset.unwrap_err().to_string().contains("reset"));
        assert!(wrong.unwrap_err().to_string().contains("token"));
    }
}
