//! DTLS 1.2 carrier for coaps (SGP.32 6.2, RFC 6347): both modes on loopback, several clients,
//! refused certificates and keys, garbage datagrams, idle and closed sessions.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use sgp32_harness::pki::{Pki, euicc_eid};
use sgp32_harness::transport::dtls::{
    DtlsChannel, DtlsClientConfig, DtlsEndpoint, DtlsOptions, DtlsServerConfig,
    default_psk_identity, derive_psk, seed_psk_lookup,
};
use sgp32_harness::transport::{DatagramChannel, DatagramEndpoint, TransportError};
use tokio::net::UdpSocket;
use tokio::time::timeout;

const SEED: u64 = 7;
/// Bound of every test step.
const STEP: Duration = Duration::from_secs(10);

fn pki() -> &'static Pki {
    static PKI: std::sync::OnceLock<Pki> = std::sync::OnceLock::new();
    PKI.get_or_init(|| Pki::generate(SEED, 0).unwrap())
}

fn loopback() -> SocketAddr {
    ([127, 0, 0, 1], 0).into()
}

fn cert_server() -> DtlsServerConfig {
    DtlsServerConfig::from_credential(&pki().eim_tls)
        .unwrap()
        .with_options(DtlsOptions::fast())
}

fn ca_client() -> DtlsClientConfig {
    DtlsClientConfig::trusting(vec![pki().ci.cert_der.clone()]).with_options(DtlsOptions::fast())
}

fn psk_client(index: u64) -> DtlsClientConfig {
    DtlsClientConfig::psk_for_eid(SEED, &euicc_eid(index).unwrap())
        .with_options(DtlsOptions::fast())
}

/// Binds an endpoint that echoes every datagram back with the prefix `echo:`.
async fn echo_server(config: DtlsServerConfig) -> Arc<DtlsEndpoint> {
    let endpoint = Arc::new(DtlsEndpoint::bind(loopback(), &config).await.unwrap());
    let e = endpoint.clone();
    tokio::spawn(async move {
        while let Ok((peer, data)) = e.recv_from().await {
            let mut reply = b"echo:".to_vec();
            reply.extend_from_slice(&data);
            if let Err(err) = e.send_to(peer, &reply).await {
                eprintln!("echo to {peer} failed: {err}");
            }
        }
    });
    endpoint
}

async fn connect(server: &DtlsEndpoint, config: &DtlsClientConfig) -> DtlsChannel {
    timeout(STEP, DtlsChannel::connect(server.local_addr(), config))
        .await
        .expect("handshake bounded")
        .expect("handshake succeeds")
}

async fn assert_echo(client: &DtlsChannel, payload: &[u8]) {
    timeout(STEP, client.send(payload)).await.unwrap().unwrap();
    let got = timeout(STEP, client.recv()).await.unwrap().unwrap();
    let mut want = b"echo:".to_vec();
    want.extend_from_slice(payload);
    assert_eq!(got, want);
}

async fn connect_err(server: SocketAddr, config: &DtlsClientConfig) -> TransportError {
    match timeout(STEP, DtlsChannel::connect(server, config))
        .await
        .expect("a failing handshake must end within its timeout")
    {
        Ok(_) => panic!("handshake should have failed"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn certificate_mode_exchanges_datagrams_both_ways() {
    let server = DtlsEndpoint::bind(loopback(), &cert_server())
        .await
        .unwrap();
    let client = connect(&server, &ca_client()).await;
    assert_eq!(client.peer_addr(), server.local_addr());

    client.send(b"ping").await.unwrap();
    let (peer, got) = timeout(STEP, server.recv_from()).await.unwrap().unwrap();
    assert_eq!(got, b"ping");
    assert_eq!(peer.port(), client.local_addr().port());
    server.send_to(peer, b"pong").await.unwrap();
    assert_eq!(
        timeout(STEP, client.recv()).await.unwrap().unwrap(),
        b"pong"
    );

    // Larger than the handshake MTU, both ways, and datagram boundaries kept.
    let big: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    client.send(&big).await.unwrap();
    client.send(b"second").await.unwrap();
    let (_, got) = timeout(STEP, server.recv_from()).await.unwrap().unwrap();
    assert_eq!(got, big);
    let (_, got) = timeout(STEP, server.recv_from()).await.unwrap().unwrap();
    assert_eq!(got, b"second");
    server.send_to(peer, &big).await.unwrap();
    assert_eq!(timeout(STEP, client.recv()).await.unwrap().unwrap(), big);
    assert_eq!(server.session_count().await, 1);
}

#[tokio::test]
async fn psk_mode_with_the_default_identity_and_key() {
    let server =
        echo_server(DtlsServerConfig::psk_from_seed(SEED).with_options(DtlsOptions::fast())).await;
    let client = connect(&server, &psk_client(3)).await;
    assert_echo(&client, b"hello over PSK").await;
    assert_echo(&client, &[0u8; 1]).await;

    // An explicit identity and key through a custom lookup.
    let lookup: sgp32_harness::transport::PskLookup =
        Arc::new(|identity: &[u8]| (identity == b"device-a").then(|| b"0123456789abcdef".to_vec()));
    let server = echo_server(DtlsServerConfig::psk(lookup).with_options(DtlsOptions::fast())).await;
    let config = DtlsClientConfig::psk(b"device-a".to_vec(), b"0123456789abcdef".to_vec())
        .with_options(DtlsOptions::fast());
    let client = connect(&server, &config).await;
    assert_echo(&client, b"custom").await;
}

#[tokio::test]
async fn one_endpoint_serves_certificate_and_psk_clients_at_once() {
    let config = cert_server().with_psk(seed_psk_lookup(SEED));
    let server = echo_server(config).await;
    let mut tasks = Vec::new();
    for i in 0..8u64 {
        let addr = server.local_addr();
        let config = if i % 2 == 0 {
            ca_client()
        } else {
            psk_client(i)
        };
        tasks.push(tokio::spawn(async move {
            let client = timeout(STEP, DtlsChannel::connect(addr, &config))
                .await
                .unwrap()
                .unwrap();
            for n in 0..5 {
                let msg = format!("client {i} message {n}");
                assert_echo(&client, msg.as_bytes()).await;
            }
            client
        }));
    }
    let mut clients = Vec::new();
    for t in tasks {
        clients.push(t.await.unwrap());
    }
    assert_eq!(server.session_count().await, 8);
    // Each client got only its own replies (checked in assert_echo); all still work.
    for c in &clients {
        assert_echo(c, b"again").await;
    }
}

#[tokio::test]
async fn wrong_psk_or_unknown_identity_fails_at_once_and_the_server_goes_on() {
    let server =
        echo_server(DtlsServerConfig::psk_from_seed(SEED).with_options(DtlsOptions::fast())).await;
    let eid = euicc_eid(1).unwrap();

    let wrong_key = DtlsClientConfig::psk(default_psk_identity(&eid), derive_psk(SEED + 1, &eid))
        .with_options(DtlsOptions::fast());
    let unknown = DtlsClientConfig::psk(b"not-an-eid".to_vec(), vec![1; 16])
        .with_options(DtlsOptions::fast());
    for config in [wrong_key, unknown] {
        let err = connect_err(server.local_addr(), &config).await;
        // The server rejects the client's Finished and says so with a fatal alert.
        assert!(
            matches!(&err, TransportError::Dtls(m) if m.contains("alert")),
            "{err}"
        );
    }
    assert_eq!(server.session_count().await, 0);

    let client = connect(&server, &psk_client(1)).await;
    assert_echo(&client, b"still serving").await;
}

#[tokio::test]
async fn untrusted_certificate_or_wrong_name_is_refused() {
    let server = echo_server(cert_server()).await;
    let other = Pki::generate(SEED + 100, 0).unwrap();
    let config = DtlsClientConfig::trusting(vec![other.ci.cert_der.clone()])
        .with_options(DtlsOptions::fast());
    let err = connect_err(server.local_addr(), &config).await;
    match &err {
        TransportError::Dtls(m) => assert!(m.contains("refused"), "{m}"),
        other => panic!("expected a refused certificate, got {other}"),
    }

    let named = ca_client().with_server_name("eim.example.org");
    let err = connect_err(server.local_addr(), &named).await;
    assert!(
        matches!(&err, TransportError::Dtls(m) if m.contains("refused")),
        "{err}"
    );

    // The name the certificate carries is accepted, and so is the IP address by default.
    let client = connect(&server, &ca_client().with_server_name("localhost")).await;
    assert_echo(&client, b"by name").await;
}

#[tokio::test]
async fn pinned_certificate_works_and_another_pin_is_refused() {
    let server = echo_server(cert_server()).await;
    let pinned =
        DtlsClientConfig::pinning(pki().eim_tls.cert_der.clone()).with_options(DtlsOptions::fast());
    let client = connect(&server, &pinned).await;
    assert_echo(&client, b"pinned").await;

    let wrong =
        DtlsClientConfig::pinning(pki().dp_tls.cert_der.clone()).with_options(DtlsOptions::fast());
    let err = connect_err(server.local_addr(), &wrong).await;
    assert!(
        matches!(&err, TransportError::Dtls(m) if m.contains("pinned")),
        "{err}"
    );
}

#[tokio::test]
async fn psk_client_against_a_certificate_only_server_fails_at_once() {
    let server = echo_server(cert_server()).await;
    let err = connect_err(server.local_addr(), &psk_client(0)).await;
    // The server's handshake_failure alert ends it (an alert, not the handshake timeout).
    assert!(
        matches!(&err, TransportError::Dtls(m) if m.contains("alert")),
        "{err}"
    );
    assert_eq!(server.session_count().await, 0);
}

#[tokio::test]
async fn a_refused_certificate_ends_the_server_session_at_once() {
    let server = echo_server(cert_server()).await;
    let wrong =
        DtlsClientConfig::pinning(pki().dp_tls.cert_der.clone()).with_options(DtlsOptions::fast());
    connect_err(server.local_addr(), &wrong).await;
    // The client's bad_certificate alert: the half-open session is gone well before the
    // server's own 3 s handshake timeout.
    let mut n = usize::MAX;
    for _ in 0..25 {
        n = server.session_count().await;
        if n == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(n, 0);
}

#[tokio::test]
async fn garbage_datagrams_do_not_hurt_the_server() {
    let server = echo_server(cert_server().with_psk(seed_psk_lookup(SEED))).await;
    let attacker = UdpSocket::bind(loopback()).await.unwrap();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..400u32 {
        let len = (next() % 300) as usize;
        let mut d: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        // Some look like handshake records, some like truncated ClientHellos.
        match i % 4 {
            0 if d.len() > 13 => {
                d[0] = 22;
                d[1] = 0xfe;
                d[2] = 0xfd;
                d[3] = 0;
                d[4] = 0;
                d[13] = 1;
            }
            1 if d.len() > 1 => d[0] = 23,
            _ => {}
        }
        attacker.send_to(&d, server.local_addr()).await.unwrap();
    }
    attacker.send_to(&[], server.local_addr()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let client = connect(&server, &ca_client()).await;
    assert_echo(&client, b"after the storm").await;
    let client = connect(&server, &psk_client(2)).await;
    assert_echo(&client, b"psk after the storm").await;

    // The junk ClientHellos left no half-open sessions behind that block the good ones.
    assert_eq!(server.session_count().await, 2);
}

#[tokio::test]
async fn idle_sessions_are_dropped_and_closed_sessions_forgotten() {
    let server = echo_server(cert_server().with_idle_timeout(Duration::from_millis(300))).await;
    let client = connect(&server, &ca_client()).await;
    assert_echo(&client, b"x").await;
    assert_eq!(server.session_count().await, 1);
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(server.session_count().await, 0);
    // The server has forgotten the session: the client's data goes nowhere.
    client.send(b"lost").await.unwrap();
    assert!(
        timeout(Duration::from_millis(300), client.recv())
            .await
            .is_err()
    );

    // A dropped client says close_notify; the server forgets the session at once.
    let server = echo_server(cert_server()).await;
    let client = connect(&server, &ca_client()).await;
    assert_echo(&client, b"y").await;
    drop(client);
    let mut n = 1;
    for _ in 0..50 {
        n = server.session_count().await;
        if n == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(n, 0);
}

#[tokio::test]
async fn no_server_means_a_bounded_handshake_timeout() {
    // A bound UDP socket that never answers; retries enough to outlast the timeout, so the
    // handshake timeout is what ends it.
    let silent = UdpSocket::bind(loopback()).await.unwrap();
    let options = DtlsOptions {
        handshake_timeout: Duration::from_millis(800),
        flight_retries: 100,
        ..DtlsOptions::fast()
    };
    let err = tokio::time::timeout(
        Duration::from_secs(30),
        connect_err(
            silent.local_addr().unwrap(),
            &ca_client().with_options(options),
        ),
    )
    .await
    .expect("the handshake timeout ends the attempt");
    assert!(
        matches!(&err, TransportError::Timeout { .. })
            || matches!(&err, TransportError::Dtls(m) if m.contains("timeout")),
        "{err}"
    );
}

#[tokio::test]
async fn send_to_an_unknown_peer_is_an_error() {
    let server = DtlsEndpoint::bind(loopback(), &cert_server())
        .await
        .unwrap();
    let err = server
        .send_to(([127, 0, 0, 1], 9).into(), b"nobody")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, TransportError::Dtls(m) if m.contains("no DTLS session")),
        "{err}"
    );
}

/// Datagrams a relay passed from the client to the server, in order.
type Captured = Arc<std::sync::Mutex<Vec<Vec<u8>>>>;

/// A UDP relay between a client and the server (the latest client that sent through it);
/// what it sends to the server comes from the one address the server knows as the client's.
async fn relay(server: SocketAddr) -> (Arc<UdpSocket>, SocketAddr, Captured) {
    let socket = Arc::new(UdpSocket::bind(loopback()).await.unwrap());
    let addr = socket.local_addr().unwrap();
    let captured: Captured = Arc::default();
    let (s, c) = (socket.clone(), captured.clone());
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65_535];
        let mut client: Option<SocketAddr> = None;
        while let Ok((n, from)) = s.recv_from(&mut buf).await {
            let to = if from == server {
                match client {
                    Some(c) => c,
                    None => continue,
                }
            } else {
                client = Some(from);
                c.lock().unwrap().push(buf[..n].to_vec());
                server
            };
            let _ = s.send_to(&buf[..n], to).await;
        }
    });
    (socket, addr, captured)
}

#[tokio::test]
async fn garbage_from_an_established_peer_address_does_not_end_its_session() {
    let server = echo_server(cert_server()).await;
    let (relay_socket, relay_addr, _) = relay(server.local_addr()).await;
    let client = timeout(STEP, DtlsChannel::connect(relay_addr, &ca_client()))
        .await
        .unwrap()
        .unwrap();
    assert_echo(&client, b"before").await;

    let mut junk: Vec<Vec<u8>> = vec![
        vec![],
        vec![23],
        vec![0xff; 40],
        // Application data at epoch 1 that does not authenticate.
        [
            &[23u8, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 99, 0, 30][..],
            &[0x5a; 30],
        ]
        .concat(),
        // A record claiming more bytes than it has.
        vec![
            23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 100, 0xff, 0xff, 1, 2, 3,
        ],
        // An alert at epoch 0 (unauthenticated after the handshake).
        vec![21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 50, 0, 2, 2, 40],
        // A handshake record at epoch 1 with junk.
        [
            &[22u8, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 101, 0, 20][..],
            &[7; 20],
        ]
        .concat(),
    ];
    for len in [1usize, 13, 14, 100, 1500] {
        junk.push((0..len).map(|i| (i * 37 % 256) as u8).collect());
    }
    for j in &junk {
        relay_socket.send_to(j, server.local_addr()).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.session_count().await, 1);
    assert_echo(&client, b"after").await;
}

#[tokio::test]
async fn a_half_open_handshake_is_forgotten_after_the_handshake_timeout() {
    let options = DtlsOptions {
        handshake_timeout: Duration::from_millis(400),
        ..DtlsOptions::fast()
    };
    let server = echo_server(cert_server().with_options(options)).await;
    // A socket that sends one real ClientHello (taken from a client talking to it) and then
    // nothing: capture the client's first datagram, replay it to the server.
    let trap = UdpSocket::bind(loopback()).await.unwrap();
    let trap_addr = trap.local_addr().unwrap();
    let client = tokio::spawn(async move {
        let _ = DtlsChannel::connect(trap_addr, &ca_client()).await;
    });
    let mut buf = vec![0u8; 65_535];
    let (n, _) = timeout(STEP, trap.recv_from(&mut buf))
        .await
        .unwrap()
        .unwrap();
    client.abort();
    let sender = UdpSocket::bind(loopback()).await.unwrap();
    sender
        .send_to(&buf[..n], server.local_addr())
        .await
        .unwrap();
    let mut n = 0;
    for _ in 0..25 {
        n = server.session_count().await;
        if n == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(n, 1, "the ClientHello opened a session");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(server.session_count().await, 0);
}

#[tokio::test]
async fn dropping_the_endpoint_closes_the_client_sessions() {
    let server = DtlsEndpoint::bind(loopback(), &cert_server())
        .await
        .unwrap();
    let client = connect(&server, &ca_client()).await;
    // The endpoint's driver says close_notify to every session when the endpoint goes.
    drop(server);
    let err = timeout(STEP, client.recv()).await.unwrap().unwrap_err();
    assert!(
        matches!(&err, TransportError::Dtls(m) if m.contains("closed")),
        "{err}"
    );
    assert!(client.send(b"x").await.is_err());
}

/// A relay that drops the client-to-server datagrams whose number (from 0) `drop_up` picks
/// and the server-to-client ones `drop_down` picks, and sends every other datagram `copies`
/// times.
async fn faulty_relay(
    server: SocketAddr,
    drop_up: fn(usize) -> bool,
    drop_down: fn(usize) -> bool,
    copies: usize,
) -> SocketAddr {
    let socket = UdpSocket::bind(loopback()).await.unwrap();
    let addr = socket.local_addr().unwrap();
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65_535];
        let mut client: Option<SocketAddr> = None;
        let (mut up, mut down) = (0usize, 0usize);
        while let Ok((n, from)) = socket.recv_from(&mut buf).await {
            let (to, dropped) = if from == server {
                let Some(c) = client else { continue };
                down += 1;
                (c, drop_down(down - 1))
            } else {
                client = Some(from);
                up += 1;
                (server, drop_up(up - 1))
            };
            if !dropped {
                for _ in 0..copies {
                    let _ = socket.send_to(&buf[..n], to).await;
                }
            }
        }
    });
    addr
}

#[tokio::test]
async fn lost_flights_are_retransmitted_and_duplicates_ignored() {
    let server = echo_server(cert_server()).await;
    // The first ClientHello, the first server answer and the client's second flight lost.
    let lossy = faulty_relay(server.local_addr(), |n| n == 0 || n == 2, |n| n == 0, 1).await;
    let client = timeout(STEP, DtlsChannel::connect(lossy, &ca_client()))
        .await
        .unwrap()
        .unwrap();
    assert_echo(&client, b"through the loss").await;

    // Every datagram twice, both ways: one handshake, each record delivered once.
    let server =
        echo_server(DtlsServerConfig::psk_from_seed(SEED).with_options(DtlsOptions::fast())).await;
    let doubled = faulty_relay(server.local_addr(), |_| false, |_| false, 2).await;
    let client = timeout(STEP, DtlsChannel::connect(doubled, &psk_client(4)))
        .await
        .unwrap()
        .unwrap();
    assert_echo(&client, b"once").await;
    assert_echo(&client, b"twice").await;
    assert!(
        timeout(Duration::from_millis(200), client.recv())
            .await
            .is_err(),
        "no replayed copy"
    );
    assert_eq!(server.session_count().await, 1);
}

#[tokio::test]
async fn a_flight_lost_every_time_ends_in_a_bounded_error() {
    let server = echo_server(cert_server()).await;
    // Every server answer lost: the client gives up after its retransmissions or its
    // handshake timeout, whichever comes first.
    let black_hole = faulty_relay(server.local_addr(), |_| false, |_| true, 1).await;
    // A handshake timeout far beyond the back-off (100 + 200 + 400 ms): the retries, not the
    // timeout, end it.
    let options = DtlsOptions {
        flight_retries: 2,
        handshake_timeout: Duration::from_secs(20),
        ..DtlsOptions::fast()
    };
    let err = connect_err(black_hole, &ca_client().with_options(options)).await;
    assert!(matches!(err, TransportError::Dtls(_)), "{err}");
}

#[tokio::test]
async fn a_client_restarting_from_the_same_address_gets_a_new_session() {
    // RFC 6347 4.2.8: the new handshake replaces the established session when it completes.
    let server = echo_server(cert_server().with_psk(seed_psk_lookup(SEED))).await;
    let (_relay, relay_addr, _) = relay(server.local_addr()).await;
    let first = connect_via(relay_addr, &ca_client()).await;
    assert_echo(&first, b"first").await;
    let second = connect_via(relay_addr, &psk_client(5)).await;
    assert_echo(&second, b"second").await;
    assert_eq!(server.session_count().await, 1);
}

#[tokio::test]
async fn a_stray_old_client_hello_does_not_end_an_established_session() {
    let options = DtlsOptions {
        handshake_timeout: Duration::from_millis(300),
        ..DtlsOptions::fast()
    };
    let server = echo_server(cert_server().with_options(options)).await;
    let (relay_socket, relay_addr, captured) = relay(server.local_addr()).await;
    let client = connect_via(relay_addr, &ca_client()).await;
    assert_echo(&client, b"before").await;
    // Both ClientHellos of the handshake (without and with the cookie) arrive again late.
    let hellos: Vec<Vec<u8>> = captured.lock().unwrap().iter().take(2).cloned().collect();
    for h in &hellos {
        relay_socket.send_to(h, server.local_addr()).await.unwrap();
    }
    assert_echo(&client, b"during").await;
    // The successor handshake nobody completes is dropped; the session lives on.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_echo(&client, b"after").await;
    assert_eq!(server.session_count().await, 1);
}

async fn connect_via(addr: SocketAddr, config: &DtlsClientConfig) -> DtlsChannel {
    timeout(STEP, DtlsChannel::connect(addr, config))
        .await
        .expect("handshake bounded")
        .expect("handshake succeeds")
}

#[tokio::test]
async fn datagrams_up_to_the_record_limit_pass_and_larger_ones_are_refused() {
    use sgp32_harness::transport::dtls::MAX_PLAINTEXT;
    let server =
        echo_server(DtlsServerConfig::psk_from_seed(SEED).with_options(DtlsOptions::fast())).await;
    let client = connect(&server, &psk_client(6)).await;
    // The echo adds 5 bytes, so the largest round trip is 5 bytes short of the limit.
    let big: Vec<u8> = (0..MAX_PLAINTEXT - 5).map(|i| (i % 253) as u8).collect();
    assert_echo(&client, &big).await;
    let too_big = vec![0u8; MAX_PLAINTEXT + 1];
    let err = client.send(&too_big).await.unwrap_err();
    assert!(
        matches!(&err, TransportError::Dtls(m) if m.contains("record limit")),
        "{err}"
    );
    let err = server
        .send_to(client.local_addr(), &too_big)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, TransportError::Dtls(m) if m.contains("record limit")),
        "{err}"
    );
    assert_echo(&client, b"still fine").await;
}
