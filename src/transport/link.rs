//! A lossy-link emulator for the datagram carriers: loss, delay with jitter, duplication and
//! reordering, in both directions, to model an NB-IoT link between an IPA and an eIM (the
//! notes, 7.8: the numbers are parameters, none are published).
//!
//! [`LossyChannel`] wraps any [`DatagramChannel`] (plain UDP, DTLS): what the client sends and
//! what it receives pass the link. Every channel is one flow with its own random streams,
//! derived from the profile's seed and the flow number, one per direction: the same seed and
//! flow number give the same losses, delays and duplicates whatever other flows do at the same
//! time (the timing of the network under them still varies).
//!
//! [`LossyEndpoint`] does the same on the server side around any [`DatagramEndpoint`], for
//! devices the harness does not drive (`sgp32 serve eim --coap-link`): each peer address is a
//! flow, numbered in the order peers first appear.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::TransportError;
use super::datagram::{DatagramChannel, DatagramEndpoint};

/// What the link does to each datagram.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LinkProfile {
    /// Probability that a datagram is lost (0..=1).
    pub loss: f64,
    /// Fixed one-way delay.
    pub delay: Duration,
    /// Extra one-way delay, uniform in 0..=jitter.
    pub jitter: Duration,
    /// Probability that a datagram arrives twice.
    pub duplicate: f64,
    /// Probability that a datagram is held back so later ones overtake it.
    pub reorder: f64,
    /// The seed of the random streams.
    pub seed: u64,
}

impl LinkProfile {
    /// How long a reordered datagram is held back: twice the largest normal delay, at least
    /// 5 ms.
    pub fn reorder_delay(&self) -> Duration {
        ((self.delay + self.jitter) * 2).max(Duration::from_millis(5))
    }
}

impl fmt::Display for LinkProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "loss={},delay={}ms,jitter={}ms,duplicate={},reorder={},seed={}",
            self.loss,
            self.delay.as_millis(),
            self.jitter.as_millis(),
            self.duplicate,
            self.reorder,
            self.seed
        )
    }
}

/// Why a link profile text is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("link profile {text:?}: {reason}")]
pub struct LinkProfileError {
    text: String,
    reason: String,
}

impl FromStr for LinkProfile {
    type Err = LinkProfileError;

    /// `loss=0.1,delay=20ms,jitter=5ms,duplicate=0.01,reorder=0.1,seed=7` (any subset; times
    /// in ms, s or us).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| LinkProfileError {
            text: s.to_string(),
            reason,
        };
        let mut p = LinkProfile::default();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (k, v) = item
                .split_once('=')
                .ok_or_else(|| err(format!("{item:?} is not KEY=VALUE")))?;
            let prob = |v: &str| {
                v.parse::<f64>()
                    .ok()
                    .filter(|x| (0.0..=1.0).contains(x))
                    .ok_or_else(|| err(format!("{k}={v}: a probability from 0 to 1")))
            };
            let time = |v: &str| {
                let (n, unit) = if let Some(n) = v.strip_suffix("ms") {
                    (n, 1e-3)
                } else if let Some(n) = v.strip_suffix("us") {
                    (n, 1e-6)
                } else if let Some(n) = v.strip_suffix('s') {
                    (n, 1.0)
                } else {
                    (v, 1e-3)
                };
                n.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x >= 0.0)
                    .map(|x| Duration::from_secs_f64(x * unit))
                    .ok_or_else(|| err(format!("{k}={v}: a time like 20ms")))
            };
            match k {
                "loss" => p.loss = prob(v)?,
                "duplicate" | "dup" => p.duplicate = prob(v)?,
                "reorder" => p.reorder = prob(v)?,
                "delay" => p.delay = time(v)?,
                "jitter" => p.jitter = time(v)?,
                "seed" => p.seed = v.parse().map_err(|_| err(format!("seed={v}")))?,
                other => return Err(err(format!("unknown key {other:?}"))),
            }
        }
        Ok(p)
    }
}

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct FlowRng(u64);

impl FlowRng {
    /// The stream of `seed`, flow `flow`, direction `direction` (0 up, 1 down).
    pub fn new(seed: u64, flow: u64, direction: u64) -> FlowRng {
        let mut r = FlowRng(seed ^ flow.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (direction << 62));
        r.next_u64();
        r
    }

    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..1.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What happens to one datagram: no copy (lost), one, or two (duplicated), each with its delay.
pub fn fate(profile: &LinkProfile, rng: &mut FlowRng) -> Vec<Duration> {
    // Draw every number every time so one decision does not shift the others.
    let lost = rng.unit() < profile.loss;
    let dup = rng.unit() < profile.duplicate;
    let reorder = rng.unit() < profile.reorder;
    let j1 = rng.unit();
    let j2 = rng.unit();
    if lost {
        return Vec::new();
    }
    let base = |j: f64| profile.delay + profile.jitter.mul_f64(j);
    let mut first = base(j1);
    if reorder {
        first += profile.reorder_delay();
    }
    let mut copies = vec![first];
    if dup {
        copies.push(base(j2));
    }
    copies
}

/// Counters of one flow.
#[derive(Debug, Default)]
pub struct LinkStats {
    /// Datagrams offered to the link (both directions).
    pub offered: AtomicU64,
    /// Datagrams lost.
    pub lost: AtomicU64,
    /// Extra copies delivered.
    pub duplicated: AtomicU64,
}

/// A channel whose traffic passes an emulated lossy link.
pub struct LossyChannel {
    inner: Arc<dyn DatagramChannel>,
    profile: LinkProfile,
    up: Mutex<FlowRng>,
    rx: tokio::sync::Mutex<mpsc::UnboundedReceiver<Vec<u8>>>,
    stats: Arc<LinkStats>,
    reader: JoinHandle<()>,
}

impl Drop for LossyChannel {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl LossyChannel {
    /// Wraps `inner` as flow `flow` of `profile`.
    pub fn new(inner: Arc<dyn DatagramChannel>, profile: LinkProfile, flow: u64) -> LossyChannel {
        let (tx, rx) = mpsc::unbounded_channel();
        let stats = Arc::new(LinkStats::default());
        let reader = tokio::spawn(down_loop(
            inner.clone(),
            profile,
            FlowRng::new(profile.seed, flow, 1),
            tx,
            stats.clone(),
        ));
        LossyChannel {
            inner,
            profile,
            up: Mutex::new(FlowRng::new(profile.seed, flow, 0)),
            rx: tokio::sync::Mutex::new(rx),
            stats,
            reader,
        }
    }

    /// The counters.
    pub fn stats(&self) -> &LinkStats {
        &self.stats
    }
}

async fn down_loop(
    inner: Arc<dyn DatagramChannel>,
    profile: LinkProfile,
    mut rng: FlowRng,
    tx: mpsc::UnboundedSender<Vec<u8>>,
    stats: Arc<LinkStats>,
) {
    loop {
        let d = match inner.recv().await {
            Ok(d) => d,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
        };
        stats.offered.fetch_add(1, Ordering::Relaxed);
        let copies = fate(&profile, &mut rng);
        if copies.is_empty() {
            stats.lost.fetch_add(1, Ordering::Relaxed);
        }
        if copies.len() > 1 {
            stats.duplicated.fetch_add(1, Ordering::Relaxed);
        }
        for delay in copies {
            let tx = tx.clone();
            let d = d.clone();
            if delay.is_zero() {
                let _ = tx.send(d);
            } else {
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let _ = tx.send(d);
                });
            }
        }
        if tx.is_closed() {
            break;
        }
    }
}

#[async_trait]
impl DatagramChannel for LossyChannel {
    async fn send(&self, datagram: &[u8]) -> Result<(), TransportError> {
        let copies = {
            let mut rng = self.up.lock().unwrap_or_else(|e| e.into_inner());
            fate(&self.profile, &mut rng)
        };
        self.stats.offered.fetch_add(1, Ordering::Relaxed);
        if copies.is_empty() {
            self.stats.lost.fetch_add(1, Ordering::Relaxed);
        }
        if copies.len() > 1 {
            self.stats.duplicated.fetch_add(1, Ordering::Relaxed);
        }
        for delay in copies {
            if delay.is_zero() {
                self.inner.send(datagram).await?;
            } else {
                let inner = self.inner.clone();
                let d = datagram.to_vec();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let _ = inner.send(&d).await;
                });
            }
        }
        Ok(())
    }

    async fn recv(&self) -> Result<Vec<u8>, TransportError> {
        self.rx
            .lock()
            .await
            .recv()
            .await
            .ok_or_else(|| TransportError::Coap("the emulated link is closed".into()))
    }

    fn peer_addr(&self) -> SocketAddr {
        self.inner.peer_addr()
    }
}

struct PeerFlows {
    up: std::collections::HashMap<SocketAddr, FlowRng>,
    down: std::collections::HashMap<SocketAddr, FlowRng>,
    next: u64,
}

impl PeerFlows {
    /// The stream of `peer` in `direction` (0: from the peer, 1: to it).
    fn rng(&mut self, seed: u64, peer: SocketAddr, direction: u64) -> &mut FlowRng {
        if !self.up.contains_key(&peer) {
            let flow = self.next;
            self.next += 1;
            self.up.insert(peer, FlowRng::new(seed, flow, 0));
            self.down.insert(peer, FlowRng::new(seed, flow, 1));
        }
        let map = if direction == 0 {
            &mut self.up
        } else {
            &mut self.down
        };
        map.entry(peer)
            .or_insert_with(|| FlowRng::new(seed, u64::MAX, direction))
    }
}

/// A server endpoint whose traffic passes an emulated lossy link, one flow per peer.
pub struct LossyEndpoint {
    inner: Arc<dyn DatagramEndpoint>,
    profile: LinkProfile,
    flows: Arc<Mutex<PeerFlows>>,
    rx: tokio::sync::Mutex<mpsc::UnboundedReceiver<(SocketAddr, Vec<u8>)>>,
    stats: Arc<LinkStats>,
    reader: JoinHandle<()>,
}

impl Drop for LossyEndpoint {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl LossyEndpoint {
    /// Wraps `inner` with `profile`.
    pub fn new(inner: Arc<dyn DatagramEndpoint>, profile: LinkProfile) -> LossyEndpoint {
        let (tx, rx) = mpsc::unbounded_channel();
        let stats = Arc::new(LinkStats::default());
        let flows = Arc::new(Mutex::new(PeerFlows {
            up: Default::default(),
            down: Default::default(),
            next: 0,
        }));
        let reader = tokio::spawn(endpoint_in(
            inner.clone(),
            profile,
            flows.clone(),
            tx,
            stats.clone(),
        ));
        LossyEndpoint {
            inner,
            profile,
            flows,
            rx: tokio::sync::Mutex::new(rx),
            stats,
            reader,
        }
    }

    /// The counters (all flows).
    pub fn stats(&self) -> &LinkStats {
        &self.stats
    }
}

fn count(stats: &LinkStats, copies: &[Duration]) {
    stats.offered.fetch_add(1, Ordering::Relaxed);
    if copies.is_empty() {
        stats.lost.fetch_add(1, Ordering::Relaxed);
    }
    if copies.len() > 1 {
        stats.duplicated.fetch_add(1, Ordering::Relaxed);
    }
}

async fn endpoint_in(
    inner: Arc<dyn DatagramEndpoint>,
    profile: LinkProfile,
    flows: Arc<Mutex<PeerFlows>>,
    tx: mpsc::UnboundedSender<(SocketAddr, Vec<u8>)>,
    stats: Arc<LinkStats>,
) {
    loop {
        let (peer, d) = match inner.recv_from().await {
            Ok(x) => x,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
        };
        let copies = {
            let mut f = flows.lock().unwrap_or_else(|e| e.into_inner());
            fate(&profile, f.rng(profile.seed, peer, 0))
        };
        count(&stats, &copies);
        for delay in copies {
            let tx = tx.clone();
            let d = d.clone();
            if delay.is_zero() {
                let _ = tx.send((peer, d));
            } else {
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let _ = tx.send((peer, d));
                });
            }
        }
        if tx.is_closed() {
            break;
        }
    }
}

#[async_trait]
impl DatagramEndpoint for LossyEndpoint {
    async fn recv_from(&self) -> Result<(SocketAddr, Vec<u8>), TransportError> {
        self.rx
            .lock()
            .await
            .recv()
            .await
            .ok_or_else(|| TransportError::Coap("the emulated link is closed".into()))
    }

    async fn send_to(&self, peer: SocketAddr, datagram: &[u8]) -> Result<(), TransportError> {
        let copies = {
            let mut f = self.flows.lock().unwrap_or_else(|e| e.into_inner());
            fate(&self.profile, f.rng(self.profile.seed, peer, 1))
        };
        count(&self.stats, &copies);
        for delay in copies {
            if delay.is_zero() {
                self.inner.send_to(peer, datagram).await?;
            } else {
                let inner = self.inner.clone();
                let d = datagram.to_vec();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let _ = inner.send_to(peer, &d).await;
                });
            }
        }
        Ok(())
    }

    fn local_addr(&self) -> SocketAddr {
        self.inner.local_addr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::datagram::{DatagramEndpoint, UdpChannel, UdpEndpoint};

    #[test]
    fn profiles_parse_and_print() {
        let p: LinkProfile = "loss=0.1,delay=20ms,jitter=5ms,dup=0.01,reorder=0.1,seed=7"
            .parse()
            .unwrap();
        assert_eq!(p.loss, 0.1);
        assert_eq!(p.delay, Duration::from_millis(20));
        assert_eq!(p.jitter, Duration::from_millis(5));
        assert_eq!((p.duplicate, p.reorder, p.seed), (0.01, 0.1, 7));
        assert_eq!(p.to_string().parse::<LinkProfile>().unwrap(), p);
        assert!("loss=2".parse::<LinkProfile>().is_err());
        assert!("speed=1".parse::<LinkProfile>().is_err());
        assert!("delay=-1ms".parse::<LinkProfile>().is_err());
        assert_eq!("".parse::<LinkProfile>().unwrap(), LinkProfile::default());
    }

    #[test]
    fn flows_are_repeatable_and_independent() {
        let p = LinkProfile {
            loss: 0.1,
            duplicate: 0.05,
            reorder: 0.1,
            jitter: Duration::from_millis(4),
            seed: 42,
            ..LinkProfile::default()
        };
        let run = |flow| {
            let mut r = FlowRng::new(p.seed, flow, 0);
            (0..2000).map(|_| fate(&p, &mut r)).collect::<Vec<_>>()
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1), run(2));
        let fates = run(3);
        let lost = fates.iter().filter(|f| f.is_empty()).count();
        let dup = fates.iter().filter(|f| f.len() == 2).count();
        // 10% loss, 5% duplication of 2000, within wide bounds.
        assert!((120..=280).contains(&lost), "lost {lost}");
        assert!((40..=170).contains(&dup), "duplicated {dup}");
        let no_link = LinkProfile::default();
        let mut r = FlowRng::new(0, 0, 0);
        assert_eq!(fate(&no_link, &mut r), vec![Duration::ZERO]);
    }

    #[tokio::test]
    async fn a_lossless_link_delivers_everything_and_a_dead_one_nothing() {
        let server = UdpEndpoint::bind(([127, 0, 0, 1], 0).into()).await.unwrap();
        let udp = Arc::new(UdpChannel::connect(server.local_addr()).await.unwrap());
        let link = LossyChannel::new(udp.clone(), LinkProfile::default(), 0);
        link.send(b"a").await.unwrap();
        let (peer, got) = server.recv_from().await.unwrap();
        assert_eq!(got, b"a");
        server.send_to(peer, b"b").await.unwrap();
        let back = tokio::time::timeout(Duration::from_secs(2), link.recv()).await;
        assert_eq!(back.unwrap().unwrap(), b"b");
        let dead = LossyChannel::new(
            udp,
            LinkProfile {
                loss: 1.0,
                ..LinkProfile::default()
            },
            0,
        );
        dead.send(b"c").await.unwrap();
        let none = tokio::time::timeout(Duration::from_millis(100), server.recv_from()).await;
        assert!(none.is_err(), "a datagram crossed a dead link");
        assert_eq!(dead.stats().lost.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn a_lossy_endpoint_impairs_each_peer_and_a_clear_one_passes_all() {
        let udp: Arc<dyn DatagramEndpoint> =
            Arc::new(UdpEndpoint::bind(([127, 0, 0, 1], 0).into()).await.unwrap());
        let clear = LossyEndpoint::new(udp.clone(), LinkProfile::default());
        let client = UdpChannel::connect(clear.local_addr()).await.unwrap();
        client.send(b"up").await.unwrap();
        let (peer, got) = tokio::time::timeout(Duration::from_secs(2), clear.recv_from())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, b"up");
        clear.send_to(peer, b"down").await.unwrap();
        assert_eq!(client.recv().await.unwrap(), b"down");
        drop(clear);
        let dead = LossyEndpoint::new(
            udp,
            LinkProfile {
                loss: 1.0,
                ..LinkProfile::default()
            },
        );
        dead.send_to(peer, b"x").await.unwrap();
        client.send(b"y").await.unwrap();
        let none = tokio::time::timeout(Duration::from_millis(100), dead.recv_from()).await;
        assert!(none.is_err(), "a datagram crossed a dead link");
        let back = tokio::time::timeout(Duration::from_millis(100), client.recv()).await;
        assert!(back.is_err(), "a datagram crossed a dead link");
        assert_eq!(dead.stats().lost.load(Ordering::Relaxed), 2);
    }
}
