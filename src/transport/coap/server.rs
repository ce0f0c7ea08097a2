//! The CoAP server (RFC 7252 4, 5; RFC 7959; RFC 9175) over any [`DatagramEndpoint`].
//!
//! - Duplicate detection (RFC 7252 4.5): a request is remembered by (peer, message id) for
//!   EXCHANGE_LIFETIME; a duplicate confirmable request is answered with the answer sent the
//!   first time (the piggybacked response, or the empty ACK of a separate response), and the
//!   handler runs once.
//! - Separate responses (RFC 7252 5.2.2): the handler (synchronous) runs on the blocking pool;
//!   when it has not answered after [`CoapConfig::separate_after`], an empty ACK goes out and
//!   the response follows as a confirmable message of its own, retransmitted until the client
//!   acknowledges it.
//! - Block-wise (RFC 7959): Block1 blocks are reassembled per (peer, Request-Tag) and answered
//!   2.31 Continue; a response larger than the block size (the server's, or the smaller one a
//!   client asks for with Block2 in its request) goes out in Block2 blocks with an ETag, the
//!   rest served to Block2 continuation requests with the same token. A body over
//!   [`CoapConfig::max_body`] (announced in Size1 or reached) is answered 4.13 with Size1.
//! - Malformed datagrams are counted and dropped; a confirmable one whose header can be read is
//!   reset (RFC 7252 4.2). Requests to the server's own responses, pings and responses are
//!   reset or ignored. Nothing from the network can make the loop stop.
//!
//! [`ServerBehaviour`] can switch parts of this off for the reference eIM's fault switches.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use coap_lite::{CoapOption, MessageClass, MessageType, Packet};
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tracing::{debug, trace};

use super::blockwise::{
    self, BLOCK1, BLOCK2, Block1Outcome, Block1Store, Block2Store, BlockOpt, ETAG, REQUEST_TAG,
    SIZE1, SIZE2,
};
use super::client::{first_option, options_of, raw_code};
use super::{CoapConfig, code, empty_message};
use crate::transport::TransportError;
use crate::transport::datagram::{DatagramEndpoint, MAX_DATAGRAM};

/// One (reassembled) request handed to the handler.
#[derive(Debug, Clone)]
pub struct CoapRequest {
    /// The client.
    pub peer: SocketAddr,
    /// The method code (0.02 POST = 2).
    pub method: u8,
    /// The Uri-Path options joined: `/gsma/rsp2/asn1`.
    pub path: String,
    /// The whole payload.
    pub payload: Vec<u8>,
    /// The options of the (last) request message.
    pub options: Vec<(u16, Vec<u8>)>,
}

/// The handler's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoapReply {
    /// The response code (2.04 = 0x44).
    pub code: u8,
    /// The payload.
    pub payload: Vec<u8>,
}

impl CoapReply {
    /// A reply with a short text payload.
    pub fn text(code: u8, text: &str) -> CoapReply {
        CoapReply {
            code,
            payload: text.as_bytes().to_vec(),
        }
    }
}

/// What the server does with a request (synchronous: it runs on the blocking pool).
pub trait CoapHandler: Send + Sync + 'static {
    /// Answers one request.
    fn handle(&self, request: &CoapRequest) -> CoapReply;
}

/// Parts of the protocol the server can switch off (the reference eIM's fault switches).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerBehaviour {
    /// Duplicate requests are recognised by message id (RFC 7252 4.5); off: each copy runs
    /// the handler again.
    pub deduplicate: bool,
    /// A recognised duplicate is answered with the first answer; off: it is dropped.
    pub answer_duplicates: bool,
    /// Block1 reassembly is keyed by the Request-Tag too (RFC 9175 3.3); off: by peer only.
    pub request_tags: bool,
}

impl Default for ServerBehaviour {
    fn default() -> Self {
        ServerBehaviour {
            deduplicate: true,
            answer_duplicates: true,
            request_tags: true,
        }
    }
}

/// Counters of a running server.
#[derive(Debug, Default)]
pub struct CoapServerStats {
    /// Datagrams received.
    pub datagrams: AtomicU64,
    /// Datagrams that are not CoAP messages.
    pub malformed: AtomicU64,
    /// Duplicate requests recognised.
    pub duplicates: AtomicU64,
    /// Handler runs.
    pub handled: AtomicU64,
    /// Separate responses sent.
    pub separate: AtomicU64,
    /// Retransmissions of separate responses.
    pub retransmissions: AtomicU64,
}

struct Remembered {
    /// The answer sent to the request's message id (None while the handler runs).
    answer: Option<Vec<u8>>,
    expires: Instant,
}

struct ServerState {
    seen: HashMap<(SocketAddr, u16), Remembered>,
    /// The keys of `seen` in arrival order, with their expiry, to forget the oldest.
    order: VecDeque<((SocketAddr, u16), Instant)>,
    block1: Block1Store,
    block2: Block2Store,
    outstanding: HashMap<(SocketAddr, u16), oneshot::Sender<()>>,
}

struct Inner {
    endpoint: Arc<dyn DatagramEndpoint>,
    handler: Arc<dyn CoapHandler>,
    config: CoapConfig,
    behaviour: ServerBehaviour,
    szx: u8,
    state: Mutex<ServerState>,
    stats: CoapServerStats,
    next_mid: AtomicU16,
}

/// Starts CoAP servers.
pub struct CoapServer;

impl CoapServer {
    /// Serves `handler` on `endpoint` until [`RunningCoap::shutdown`].
    pub fn start(
        endpoint: Arc<dyn DatagramEndpoint>,
        handler: Arc<dyn CoapHandler>,
        config: CoapConfig,
        behaviour: ServerBehaviour,
    ) -> Result<RunningCoap, TransportError> {
        config.validate()?;
        let lifetime = config.exchange_lifetime();
        let local = endpoint.local_addr();
        let max_body = config.max_body;
        let inner = Arc::new(Inner {
            szx: config.szx()?,
            endpoint,
            handler,
            behaviour,
            state: Mutex::new(ServerState {
                seen: HashMap::new(),
                order: VecDeque::new(),
                block1: Block1Store::new(max_body, lifetime),
                block2: Block2Store::new(lifetime),
                outstanding: HashMap::new(),
            }),
            config,
            stats: CoapServerStats::default(),
            next_mid: AtomicU16::new(
                (std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or(0)
                    & 0xffff) as u16,
            ),
        });
        let stop = Arc::new(Notify::new());
        let task = tokio::spawn(serve(inner.clone(), stop.clone()));
        Ok(RunningCoap {
            local,
            inner,
            stop,
            task,
        })
    }
}

/// A running CoAP server.
pub struct RunningCoap {
    local: SocketAddr,
    inner: Arc<Inner>,
    stop: Arc<Notify>,
    task: JoinHandle<()>,
}

impl RunningCoap {
    /// The address listened on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The counters.
    pub fn stats(&self) -> &CoapServerStats {
        &self.inner.stats
    }

    /// The configuration.
    pub fn config(&self) -> &CoapConfig {
        &self.inner.config
    }

    /// Stops receiving (answers in progress still go out).
    pub async fn shutdown(mut self) {
        self.stop.notify_one();
        let _ = tokio::time::timeout(Duration::from_secs(2), &mut self.task).await;
    }
}

impl Drop for RunningCoap {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(inner: Arc<Inner>, stop: Arc<Notify>) {
    loop {
        let received = tokio::select! {
            _ = stop.notified() => break,
            r = inner.endpoint.recv_from() => r,
        };
        match received {
            Ok((peer, datagram)) => on_datagram(&inner, peer, &datagram).await,
            Err(e) => {
                trace!("CoAP server receive error: {e}");
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, ServerState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn send(&self, peer: SocketAddr, bytes: &[u8]) {
        if let Err(e) = self.endpoint.send_to(peer, bytes).await {
            debug!(%peer, "CoAP send failed: {e}");
        }
    }

    fn remember(&self, peer: SocketAddr, mid: u16, answer: &[u8]) {
        if let Some(r) = self.lock().seen.get_mut(&(peer, mid)) {
            r.answer = Some(answer.to_vec());
        }
    }
}

async fn on_datagram(inner: &Arc<Inner>, peer: SocketAddr, datagram: &[u8]) {
    inner.stats.datagrams.fetch_add(1, Ordering::Relaxed);
    let packet = match Packet::from_bytes(datagram) {
        Ok(p) if p.header.get_version() == 1 => p,
        _ => {
            inner.stats.malformed.fetch_add(1, Ordering::Relaxed);
            // A confirmable message with a readable header is rejected (RFC 7252 4.2).
            if let [first, _, hi, lo, ..] = datagram
                && first >> 6 == 1
                && (first >> 4) & 3 == 0
            {
                let mid = u16::from_be_bytes([*hi, *lo]);
                inner
                    .send(peer, &empty_message(MessageType::Reset, mid))
                    .await;
            }
            return;
        }
    };
    let mid = packet.header.message_id;
    let kind = packet.header.get_type();
    let c = raw_code(&packet);
    match kind {
        MessageType::Acknowledgement | MessageType::Reset => {
            if let Some(tx) = inner.lock().outstanding.remove(&(peer, mid)) {
                let _ = tx.send(());
            }
            return;
        }
        MessageType::Confirmable | MessageType::NonConfirmable => {}
    }
    let is_request = (1..0x20).contains(&c);
    if !is_request {
        // A ping (empty CON), a response or a reserved code: reset a confirmable one.
        if kind == MessageType::Confirmable {
            inner
                .send(peer, &empty_message(MessageType::Reset, mid))
                .await;
        }
        return;
    }
    if inner.behaviour.deduplicate {
        let duplicate_answer = {
            let mut s = inner.lock();
            let now = Instant::now();
            match s.seen.get(&(peer, mid)) {
                Some(r) if r.expires > now => Some(r.answer.clone()),
                _ => {
                    let expires = now + inner.config.exchange_lifetime();
                    s.seen.insert(
                        (peer, mid),
                        Remembered {
                            answer: None,
                            expires,
                        },
                    );
                    s.order.push_back(((peer, mid), expires));
                    // Forget what expired, and the oldest beyond the cap.
                    let cap = inner.config.max_remembered.max(1);
                    while let Some((key, at)) = s.order.front().copied() {
                        if at > now && s.order.len() <= cap {
                            break;
                        }
                        s.order.pop_front();
                        if s.seen.get(&key).is_some_and(|r| r.expires == at) {
                            s.seen.remove(&key);
                        }
                    }
                    None
                }
            }
        };
        if let Some(answer) = duplicate_answer {
            inner.stats.duplicates.fetch_add(1, Ordering::Relaxed);
            trace!(%peer, mid, "duplicate CoAP request");
            if inner.behaviour.answer_duplicates
                && let Some(a) = answer
            {
                inner.send(peer, &a).await;
            }
            return;
        }
    }
    tokio::spawn(request(inner.clone(), peer, packet));
}

/// What a request message comes to before the handler.
enum Prepared {
    /// Answer at once (2.31, a Block2 block, 4.xx) with these extra options.
    Reply(u8, Vec<u8>, Vec<(u16, Vec<u8>)>),
    /// The whole request: run the handler; answer in blocks of at most this SZX, echoing
    /// the last Block1 block when the request came in blocks (RFC 7959 2.3).
    Handle(CoapRequest, u8, Option<BlockOpt>),
}

fn prepare(inner: &Inner, peer: SocketAddr, p: &Packet) -> Prepared {
    let bad_option = |what: &str| Prepared::Reply(code(4, 2), what.as_bytes().to_vec(), vec![]);
    let path: String = p
        .get_option(CoapOption::UriPath)
        .map(|segments| {
            segments
                .iter()
                .map(|s| format!("/{}", String::from_utf8_lossy(s)))
                .collect()
        })
        .unwrap_or_else(|| "/".to_string());
    let block1 = match first_option(p, BLOCK1).map(|v| BlockOpt::decode(v)) {
        None => None,
        Some(Ok(b)) => Some(b),
        Some(Err(e)) => return bad_option(&format!("Block1: {e}")),
    };
    let block2 = match first_option(p, BLOCK2).map(|v| BlockOpt::decode(v)) {
        None => None,
        Some(Ok(b)) => Some(b),
        Some(Err(e)) => return bad_option(&format!("Block2: {e}")),
    };
    let token = p.get_token();
    let szx = block2.map_or(inner.szx, |b| b.szx.min(inner.szx));
    if let Some(b2) = block2.filter(|b| b.num > 0) {
        // A Block2 continuation request (RFC 7959 2.4).
        let mut s = inner.lock();
        let Some(stored) = s.block2.get(peer, token) else {
            return Prepared::Reply(
                code(4, 8),
                b"no response body kept for this token".to_vec(),
                vec![],
            );
        };
        let Some((chunk, block)) = blockwise::slice(&stored.body, b2.num, b2.szx) else {
            return Prepared::Reply(code(4, 2), b"Block2 beyond the body".to_vec(), vec![]);
        };
        let reply = Prepared::Reply(
            stored.code,
            chunk.to_vec(),
            vec![(BLOCK2, block.encode()), (ETAG, stored.etag.clone())],
        );
        if !block.more {
            s.block2.remove(peer, token);
        }
        return reply;
    }
    let payload = if let Some(b1) = block1 {
        let tag = if inner.behaviour.request_tags {
            first_option(p, REQUEST_TAG).cloned().unwrap_or_default()
        } else {
            Vec::new()
        };
        let size1 = first_option(p, SIZE1).and_then(|v| blockwise::uint_value(v));
        let outcome = inner.lock().block1.add(peer, &tag, b1, &p.payload, size1);
        match outcome {
            Block1Outcome::Continue(b) => {
                // Echo the block, asking for our size when the client's is larger.
                let echo = BlockOpt {
                    szx: b.szx.min(inner.szx),
                    ..b
                };
                return Prepared::Reply(code(2, 31), vec![], vec![(BLOCK1, echo.encode())]);
            }
            Block1Outcome::Complete(body) => body,
            Block1Outcome::Incomplete(reason) => {
                return Prepared::Reply(code(4, 8), reason.into_bytes(), vec![]);
            }
            Block1Outcome::TooLarge => {
                return too_large(inner);
            }
        }
    } else {
        if p.payload.len() > inner.config.max_body {
            return too_large(inner);
        }
        p.payload.clone()
    };
    Prepared::Handle(
        CoapRequest {
            peer,
            method: raw_code(p),
            path,
            payload,
            options: options_of(p),
        },
        szx,
        block1,
    )
}

fn too_large(inner: &Inner) -> Prepared {
    Prepared::Reply(
        code(4, 13),
        b"request body over the limit".to_vec(),
        vec![(
            SIZE1,
            blockwise::uint_bytes(u32::try_from(inner.config.max_body).unwrap_or(u32::MAX)),
        )],
    )
}

/// Serves one (non-duplicate) request message.
async fn request(inner: Arc<Inner>, peer: SocketAddr, p: Packet) {
    let mid = p.header.message_id;
    let con = p.header.get_type() == MessageType::Confirmable;
    let token = p.get_token().to_vec();
    let (reply_code, payload, mut options, separate) = match prepare(&inner, peer, &p) {
        Prepared::Reply(c, payload, options) => (c, payload, options, false),
        Prepared::Handle(req, szx, block1) => {
            inner.stats.handled.fetch_add(1, Ordering::Relaxed);
            let handler = inner.handler.clone();
            let mut job = tokio::task::spawn_blocking(move || handler.handle(&req));
            let mut separate = false;
            let done = if con {
                tokio::select! {
                    r = &mut job => r,
                    _ = tokio::time::sleep(inner.config.separate_after()) => {
                        // The handler is slow: acknowledge now, answer later (RFC 7252 5.2.2).
                        let ack = empty_message(MessageType::Acknowledgement, mid);
                        inner.remember(peer, mid, &ack);
                        inner.send(peer, &ack).await;
                        separate = true;
                        job.await
                    }
                }
            } else {
                job.await
            };
            let reply = done.unwrap_or_else(|e| {
                CoapReply::text(code(5, 0), &format!("the handler failed: {e}"))
            });
            let mut options = Vec::new();
            if let Some(b1) = block1 {
                options.push((BLOCK1, b1.encode()));
            }
            let mut body = reply.payload;
            if body.len() > 16usize << szx {
                // Block2 (RFC 7959 2.4): the first block now, the rest on request.
                let total = body.len();
                let etag = inner
                    .lock()
                    .block2
                    .put(peer, &token, reply.code, body.clone());
                if let Some((chunk, block)) = blockwise::slice(&body, 0, szx) {
                    let chunk = chunk.to_vec();
                    options.push((BLOCK2, block.encode()));
                    options.push((ETAG, etag));
                    options.push((
                        SIZE2,
                        blockwise::uint_bytes(u32::try_from(total).unwrap_or(u32::MAX)),
                    ));
                    body = chunk;
                }
            }
            (reply.code, body, options, separate)
        }
    };
    let mut r = Packet::new();
    r.header.code = MessageClass::from(reply_code);
    r.set_token(token);
    options.sort_by_key(|(n, _)| *n);
    for (n, v) in options {
        r.add_option(CoapOption::from(n), v);
    }
    r.payload = payload;
    if separate {
        let smid = inner.next_mid.fetch_add(1, Ordering::Relaxed);
        r.header.set_type(MessageType::Confirmable);
        r.header.message_id = smid;
        inner.stats.separate.fetch_add(1, Ordering::Relaxed);
        send_confirmable(&inner, peer, r).await;
    } else if con {
        r.header.set_type(MessageType::Acknowledgement);
        r.header.message_id = mid;
        match r.to_bytes_with_limit(MAX_DATAGRAM) {
            Ok(bytes) => {
                inner.remember(peer, mid, &bytes);
                inner.send(peer, &bytes).await;
            }
            Err(e) => debug!("cannot encode a CoAP response: {e}"),
        }
    } else {
        r.header.set_type(MessageType::NonConfirmable);
        r.header.message_id = inner.next_mid.fetch_add(1, Ordering::Relaxed);
        if let Ok(bytes) = r.to_bytes_with_limit(MAX_DATAGRAM) {
            inner.send(peer, &bytes).await;
        }
    }
}

/// Sends a confirmable separate response, retransmitting until the client acknowledges it
/// (RFC 7252 4.2).
async fn send_confirmable(inner: &Inner, peer: SocketAddr, r: Packet) {
    let smid = r.header.message_id;
    let Ok(bytes) = r.to_bytes_with_limit(MAX_DATAGRAM) else {
        return;
    };
    let (tx, mut rx) = oneshot::channel();
    inner.lock().outstanding.insert((peer, smid), tx);
    let mut timeout = inner.config.ack_timeout;
    for attempt in 0..=inner.config.max_retransmit {
        if attempt > 0 {
            inner.stats.retransmissions.fetch_add(1, Ordering::Relaxed);
        }
        inner.send(peer, &bytes).await;
        tokio::select! {
            _ = &mut rx => return,
            _ = tokio::time::sleep(timeout) => timeout *= 2,
        }
    }
    inner.lock().outstanding.remove(&(peer, smid));
    debug!(%peer, smid, "separate response never acknowledged");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::datagram::UdpEndpoint;

    struct Fixed;
    impl CoapHandler for Fixed {
        fn handle(&self, request: &CoapRequest) -> CoapReply {
            CoapReply {
                code: code(2, 5),
                payload: request.path.as_bytes().to_vec(),
            }
        }
    }

    async fn start() -> (RunningCoap, tokio::net::UdpSocket) {
        let endpoint: Arc<dyn DatagramEndpoint> =
            Arc::new(UdpEndpoint::bind(([127, 0, 0, 1], 0).into()).await.unwrap());
        let running = CoapServer::start(
            endpoint,
            Arc::new(Fixed),
            CoapConfig {
                // Piggybacked answers only, however busy the machine.
                separate_after: Some(Duration::from_secs(5)),
                ..CoapConfig::fast(Duration::from_millis(20))
            },
            ServerBehaviour::default(),
        )
        .unwrap();
        let s = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        s.connect(running.local_addr()).await.unwrap();
        (running, s)
    }

    async fn recv(s: &tokio::net::UdpSocket) -> Vec<u8> {
        let mut buf = vec![0u8; 2048];
        let n = tokio::time::timeout(Duration::from_secs(5), s.recv(&mut buf))
            .await
            .unwrap()
            .unwrap();
        buf.truncate(n);
        buf
    }

    #[tokio::test]
    async fn known_answers_for_a_request_a_ping_and_a_malformed_con() {
        let (running, s) = start().await;
        // CON POST mid 0x0102 token 0xAA, Uri-Path "e": 41 02 01 02 AA B1 65.
        s.send(&[0x41, 0x02, 0x01, 0x02, 0xaa, 0xb1, b'e'])
            .await
            .unwrap();
        // ACK 2.05 mid 0x0102 token 0xAA, payload "/e": 61 45 01 02 AA FF 2F 65.
        assert_eq!(
            recv(&s).await,
            [0x61, 0x45, 0x01, 0x02, 0xaa, 0xff, b'/', b'e']
        );
        // A ping (empty CON) is reset (RFC 7252 4.3).
        s.send(&[0x40, 0x00, 0x00, 0x09]).await.unwrap();
        assert_eq!(recv(&s).await, [0x70, 0, 0, 9]);
        // A CON with a token length of 9 (a format error) is reset, no crash.
        s.send(&[0x49, 0x02, 0x00, 0x0a, 1, 2]).await.unwrap();
        assert_eq!(recv(&s).await, [0x70, 0, 0, 0x0a]);
        // A response sent to the server (CON 2.05) is reset too.
        s.send(&[0x40, 0x45, 0x00, 0x0b]).await.unwrap();
        assert_eq!(recv(&s).await, [0x70, 0, 0, 0x0b]);
        assert_eq!(running.stats().malformed.load(Ordering::Relaxed), 1);
        assert_eq!(running.stats().handled.load(Ordering::Relaxed), 1);
        running.shutdown().await;
    }

    #[tokio::test]
    async fn a_block2_continuation_with_nothing_kept_is_4_08() {
        let (running, s) = start().await;
        // CON POST mid 1, token 0xBB, Block2 NUM 1 SZX 0 (option 23: delta 13 + 10, len 1).
        s.send(&[0x41, 0x02, 0x00, 0x01, 0xbb, 0xd1, 0x0a, 0x10])
            .await
            .unwrap();
        let answer = Packet::from_bytes(&recv(&s).await).unwrap();
        assert_eq!(raw_code(&answer), code(4, 8));
        running.shutdown().await;
    }
}
