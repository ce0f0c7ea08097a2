//! ESipa over CoAP (SGP.32 6.2) on 127.0.0.1: the CoAP client and server (retransmission,
//! duplicate detection, separate responses, Block1 with Request-Tag, Block2), malformed
//! datagrams at both ends, a lossy link, and the reference eIM answering the IPA's client over
//! `coap://`. Timers are scaled down (ACK_TIMEOUT 20 ms) so lossy runs take seconds.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use coap_lite::{CoapOption, MessageClass, MessageType, Packet};
use common::poll_request;
use sgp32_harness::asn1::sgp32::*;
use sgp32_harness::crypto::Backend;
use sgp32_harness::eim::server::{EimCoapOptions, EimServerOptions, RunningEim};
use sgp32_harness::eim::{EimFault, EimFaults};
use sgp32_harness::pki::Pki;
use sgp32_harness::transport::coap::blockwise::{BLOCK1, BLOCK2, BlockOpt, REQUEST_TAG};
use sgp32_harness::transport::coap::server::ServerBehaviour;
use sgp32_harness::transport::coap::{
    CoapHandler, CoapReply, CoapRequest, EndpointSettings, POST, code, register_endpoint,
};
use sgp32_harness::transport::{
    ClientOptions, CoapClient, CoapConfig, CoapServer, DatagramChannel, DatagramEndpoint,
    EsipaClient, LinkProfile, LossyChannel, UdpChannel, UdpEndpoint,
};
use tokio::net::UdpSocket;

const LIMIT: Duration = Duration::from_secs(20);

fn fast() -> CoapConfig {
    CoapConfig::fast(Duration::from_millis(20))
}

/// [`fast`] with piggybacked answers only (however busy the machine), for tests reading raw
/// datagrams.
fn raw_fast() -> CoapConfig {
    CoapConfig {
        separate_after: Some(Duration::from_secs(5)),
        ..fast()
    }
}

/// Echoes the request (method, path and payload), counting its runs; sleeps `delay` first.
struct Echo {
    runs: AtomicU64,
    delay: Duration,
}

impl CoapHandler for Echo {
    fn handle(&self, request: &CoapRequest) -> CoapReply {
        self.runs.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        let mut payload = format!("{} {} ", request.method, request.path).into_bytes();
        payload.extend_from_slice(&request.payload);
        CoapReply {
            code: code(2, 4),
            payload,
        }
    }
}

struct Server {
    addr: SocketAddr,
    echo: Arc<Echo>,
    running: sgp32_harness::transport::coap::RunningCoap,
}

async fn echo_server(config: CoapConfig, behaviour: ServerBehaviour, delay: Duration) -> Server {
    let endpoint: Arc<dyn DatagramEndpoint> =
        Arc::new(UdpEndpoint::bind(([127, 0, 0, 1], 0).into()).await.unwrap());
    let echo = Arc::new(Echo {
        runs: AtomicU64::new(0),
        delay,
    });
    let running = CoapServer::start(endpoint, echo.clone(), config, behaviour).unwrap();
    Server {
        addr: running.local_addr(),
        echo,
        running,
    }
}

async fn client(addr: SocketAddr, config: CoapConfig) -> CoapClient {
    let channel: Arc<dyn DatagramChannel> = Arc::new(UdpChannel::connect(addr).await.unwrap());
    CoapClient::new(channel, config).unwrap()
}

fn expected_echo(path: &str, payload: &[u8]) -> Vec<u8> {
    let mut e = format!("{POST} {path} ").into_bytes();
    e.extend_from_slice(payload);
    e
}

fn body(n: usize, salt: u8) -> Vec<u8> {
    (0..n).map(|i| (i as u8).wrapping_mul(31) ^ salt).collect()
}

/// A raw confirmable POST to /e with `mid`, `token` and extra options.
fn raw_post(mid: u16, token: &[u8], options: &[(u16, Vec<u8>)], payload: &[u8]) -> Vec<u8> {
    let mut p = Packet::new();
    p.header.set_type(MessageType::Confirmable);
    p.header.code = MessageClass::from(POST);
    p.header.message_id = mid;
    p.set_token(token.to_vec());
    p.add_option(CoapOption::UriPath, b"e".to_vec());
    for (n, v) in options {
        p.add_option(CoapOption::from(*n), v.clone());
    }
    p.payload = payload.to_vec();
    p.to_bytes().unwrap()
}

async fn raw_socket(server: SocketAddr) -> UdpSocket {
    let s = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    s.connect(server).await.unwrap();
    s
}

async fn recv_packet(s: &UdpSocket, within: Duration) -> Option<Packet> {
    let mut buf = vec![0u8; 70_000];
    let n = tokio::time::timeout(within, s.recv(&mut buf))
        .await
        .ok()?
        .ok()?;
    Packet::from_bytes(&buf[..n]).ok()
}

#[tokio::test]
async fn a_small_request_is_answered_piggybacked() {
    let server = echo_server(fast(), ServerBehaviour::default(), Duration::ZERO).await;
    let c = client(server.addr, fast()).await;
    let r = c.request(POST, "/gsma/rsp2/asn1", b"hello").await.unwrap();
    assert_eq!(r.code, code(2, 4));
    assert_eq!(r.payload, expected_echo("/gsma/rsp2/asn1", b"hello"));
    assert_eq!(c.stats().separate.load(Ordering::Relaxed), 0);
    assert_eq!(server.echo.runs.load(Ordering::SeqCst), 1);
    server.running.shutdown().await;
}

#[tokio::test]
async fn a_duplicate_confirmable_request_is_answered_from_the_cache_and_handled_once() {
    let server = echo_server(raw_fast(), ServerBehaviour::default(), Duration::ZERO).await;
    let s = raw_socket(server.addr).await;
    let request = raw_post(0x1234, b"tk", &[], b"once");
    s.send(&request).await.unwrap();
    let first = recv_packet(&s, LIMIT).await.expect("an answer");
    assert_eq!(first.header.get_type(), MessageType::Acknowledgement);
    assert_eq!(first.header.message_id, 0x1234);
    assert_eq!(first.get_token(), b"tk");
    // The ACK was "lost": the same datagram again.
    s.send(&request).await.unwrap();
    let again = recv_packet(&s, LIMIT)
        .await
        .expect("the duplicate is answered");
    assert_eq!(again, first);
    assert_eq!(
        server.echo.runs.load(Ordering::SeqCst),
        1,
        "handler ran once"
    );
    assert_eq!(server.running.stats().duplicates.load(Ordering::Relaxed), 1);

    // Without duplicate detection the handler runs for each copy.
    let loose = echo_server(
        raw_fast(),
        ServerBehaviour {
            deduplicate: false,
            ..ServerBehaviour::default()
        },
        Duration::ZERO,
    )
    .await;
    let s = raw_socket(loose.addr).await;
    s.send(&request).await.unwrap();
    recv_packet(&s, LIMIT).await.unwrap();
    s.send(&request).await.unwrap();
    recv_packet(&s, LIMIT).await.unwrap();
    assert_eq!(loose.echo.runs.load(Ordering::SeqCst), 2);

    // Dropping duplicates: the retransmission gets nothing.
    let mute = echo_server(
        raw_fast(),
        ServerBehaviour {
            answer_duplicates: false,
            ..ServerBehaviour::default()
        },
        Duration::ZERO,
    )
    .await;
    let s = raw_socket(mute.addr).await;
    s.send(&request).await.unwrap();
    recv_packet(&s, LIMIT).await.unwrap();
    s.send(&request).await.unwrap();
    assert!(recv_packet(&s, Duration::from_millis(200)).await.is_none());
}

#[tokio::test]
async fn a_slow_handler_gets_an_empty_ack_then_a_separate_response() {
    let config = CoapConfig {
        separate_after: Some(Duration::from_millis(30)),
        ..fast()
    };
    let server = echo_server(
        config.clone(),
        ServerBehaviour::default(),
        Duration::from_millis(200),
    )
    .await;
    // Raw: an empty ACK with the request's message id, then a CON response with the token.
    let s = raw_socket(server.addr).await;
    s.send(&raw_post(7, b"sep", &[], b"x")).await.unwrap();
    let ack = recv_packet(&s, LIMIT).await.unwrap();
    assert_eq!(ack.header.get_type(), MessageType::Acknowledgement);
    assert_eq!(ack.header.code, MessageClass::Empty);
    assert_eq!(ack.header.message_id, 7);
    let response = recv_packet(&s, LIMIT).await.unwrap();
    assert_eq!(response.header.get_type(), MessageType::Confirmable);
    assert_eq!(response.get_token(), b"sep");
    assert_eq!(response.payload, expected_echo("/e", b"x"));
    // Not acknowledged: the server retransmits it.
    let again = recv_packet(&s, LIMIT).await.unwrap();
    assert_eq!(again.header.message_id, response.header.message_id);
    // The client does all this itself.
    let c = client(server.addr, fast()).await;
    let r = c.request(POST, "/slow", b"y").await.unwrap();
    assert_eq!(r.payload, expected_echo("/slow", b"y"));
    assert_eq!(c.stats().separate.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn large_requests_and_responses_travel_block_wise() {
    for block_size in [16usize, 64, 1024] {
        let config = CoapConfig {
            block_size,
            ..fast()
        };
        let server = echo_server(config.clone(), ServerBehaviour::default(), Duration::ZERO).await;
        let c = client(server.addr, config).await;
        let big = body(5000, block_size as u8);
        let r = c.request(POST, "/big", &big).await.unwrap();
        assert_eq!(r.code, code(2, 4), "block size {block_size}");
        assert_eq!(
            r.payload,
            expected_echo("/big", &big),
            "block size {block_size}"
        );
        assert_eq!(server.echo.runs.load(Ordering::SeqCst), 1);
        let messages = c.stats().messages.load(Ordering::Relaxed);
        assert!(
            messages as usize >= 2 * 5000 / block_size,
            "{messages} messages at block size {block_size}"
        );
    }
}

#[tokio::test]
async fn a_response_larger_than_one_block_arrives_whole_through_block2() {
    // Server blocks of 64 bytes, client blocks of 1024: a small request, a 1 KB+ answer.
    let server = echo_server(
        CoapConfig {
            block_size: 64,
            ..fast()
        },
        ServerBehaviour::default(),
        Duration::ZERO,
    )
    .await;
    let c = client(server.addr, fast()).await;
    let payload = body(900, 1);
    let r = c.request(POST, "/b2", &payload).await.unwrap();
    assert_eq!(r.payload, expected_echo("/b2", &payload));
    // The last block's option says no more.
    let last = BlockOpt::decode(r.option(BLOCK2).unwrap()).unwrap();
    assert!(!last.more);
    assert_eq!(last.size(), 64);
}

#[tokio::test]
async fn blocks_with_different_request_tags_are_kept_apart() {
    let server = echo_server(raw_fast(), ServerBehaviour::default(), Duration::ZERO).await;
    let s = raw_socket(server.addr).await;
    let b = |num, more| BlockOpt { num, more, szx: 0 }.encode();
    let a0 = body(16, 0xa);
    let b0 = body(16, 0xb);
    // Interleaved: A0, B0, A1 (last), B1 (last).
    type Step<'a> = (u16, &'a [u8], Vec<u8>, &'a [u8]);
    let steps: [Step; 4] = [
        (1, b"A", b(0, true), &a0),
        (2, b"B", b(0, true), &b0),
        (3, b"A", b(1, false), b"tail-a"),
        (4, b"B", b(1, false), b"tail-b"),
    ];
    let mut finals = Vec::new();
    for (mid, tag, block, payload) in steps {
        let options = [(BLOCK1, block), (REQUEST_TAG, tag.to_vec())];
        s.send(&raw_post(mid, tag, &options, payload))
            .await
            .unwrap();
        let r = recv_packet(&s, LIMIT).await.unwrap();
        if mid <= 2 {
            assert_eq!(u8::from(r.header.code), code(2, 31));
        } else {
            // The final response acknowledges the last block (RFC 7959 2.3).
            let echo = r.get_first_option(CoapOption::Block1).expect("Block1 echo");
            assert_eq!(
                BlockOpt::decode(echo).unwrap(),
                BlockOpt {
                    num: 1,
                    more: false,
                    szx: 0
                }
            );
            finals.push(r.payload);
        }
    }
    assert_eq!(
        finals[0],
        expected_echo("/e", &[a0.clone(), b"tail-a".to_vec()].concat())
    );
    assert_eq!(
        finals[1],
        expected_echo("/e", &[b0.clone(), b"tail-b".to_vec()].concat())
    );

    // A server ignoring the Request-Tag mixes them up (the fault the catalogue catches).
    let mixed = echo_server(
        raw_fast(),
        ServerBehaviour {
            request_tags: false,
            ..ServerBehaviour::default()
        },
        Duration::ZERO,
    )
    .await;
    let s = raw_socket(mixed.addr).await;
    let mut answers = Vec::new();
    for (mid, tag, block, payload) in [
        (1, b"A", b(0, true), a0.as_slice()),
        (2, b"B", b(0, true), b0.as_slice()),
        (3, b"A", b(1, false), b"tail-a".as_slice()),
    ] {
        let options = [(BLOCK1, block), (REQUEST_TAG, tag.to_vec())];
        s.send(&raw_post(mid, tag, &options, payload))
            .await
            .unwrap();
        answers.push(recv_packet(&s, LIMIT).await.unwrap());
    }
    assert_ne!(
        answers[2].payload,
        expected_echo("/e", &[a0, b"tail-a".to_vec()].concat())
    );
}

#[tokio::test]
async fn concurrent_block_wise_requests_of_one_client_stay_apart() {
    let config = CoapConfig {
        block_size: 32,
        nstart: 2,
        ..fast()
    };
    let server = echo_server(config.clone(), ServerBehaviour::default(), Duration::ZERO).await;
    let c = Arc::new(client(server.addr, config).await);
    let (x, y) = (body(700, 1), body(900, 2));
    let (rx, ry) = tokio::join!(c.request(POST, "/x", &x), c.request(POST, "/y", &y));
    assert_eq!(rx.unwrap().payload, expected_echo("/x", &x));
    assert_eq!(ry.unwrap().payload, expected_echo("/y", &y));
}

#[tokio::test]
async fn an_oversized_request_is_refused_with_4_13() {
    let config = CoapConfig {
        max_body: 1000,
        block_size: 256,
        ..fast()
    };
    let server = echo_server(config.clone(), ServerBehaviour::default(), Duration::ZERO).await;
    let c = client(server.addr, config).await;
    let r = c.request(POST, "/big", &body(5000, 0)).await.unwrap();
    assert_eq!(r.code_string(), "4.13");
    assert_eq!(server.echo.runs.load(Ordering::SeqCst), 0);
    // A single-datagram request over the limit too.
    let small_limit = echo_server(
        CoapConfig {
            max_body: 10,
            ..fast()
        },
        ServerBehaviour::default(),
        Duration::ZERO,
    )
    .await;
    let c = client(small_limit.addr, fast()).await;
    assert_eq!(
        c.request(POST, "/x", &[0; 20]).await.unwrap().code_string(),
        "4.13"
    );
}

#[tokio::test]
async fn no_acknowledgement_is_an_error_after_max_retransmit() {
    // A socket nobody answers on.
    let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let config = CoapConfig {
        max_retransmit: 2,
        ..fast()
    };
    let c = client(silent.local_addr().unwrap(), config).await;
    let e = tokio::time::timeout(LIMIT, c.request(POST, "/x", b"x"))
        .await
        .expect("bounded")
        .unwrap_err()
        .to_string();
    assert!(e.contains("no acknowledgement"), "{e}");
    assert_eq!(c.stats().retransmissions.load(Ordering::Relaxed), 2);
}

#[tokio::test]
async fn malformed_datagrams_never_stop_the_server() {
    let server = echo_server(fast(), ServerBehaviour::default(), Duration::ZERO).await;
    let s = raw_socket(server.addr).await;
    // Deterministic junk: random bytes, truncated headers, bad option deltas, a bad Block1.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..2000usize {
        let len = (next() % 80) as usize;
        let mut d: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if i % 3 == 0 && !d.is_empty() {
            d[0] = 0x40 | (d[0] & 0x0f); // version 1, CON: more get past the header
        }
        s.send(&d).await.unwrap();
    }
    // Bad block options and a reserved SZX.
    s.send(&raw_post(9, b"b", &[(BLOCK1, vec![0x07])], b"x"))
        .await
        .unwrap();
    s.send(&raw_post(10, b"b", &[(BLOCK1, vec![1, 2, 3, 4])], b"x"))
        .await
        .unwrap();
    s.send(&raw_post(11, b"b", &[(BLOCK2, vec![0x17])], b""))
        .await
        .unwrap();
    let c = client(server.addr, fast()).await;
    let r = c.request(POST, "/alive", b"ok").await.unwrap();
    assert_eq!(r.payload, expected_echo("/alive", b"ok"));
    assert!(server.running.stats().malformed.load(Ordering::Relaxed) > 100);
}

#[tokio::test]
async fn malformed_answers_never_stop_the_client() {
    // A fake server: junk first, then the right piggybacked answer.
    let fake = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = fake.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let mut buf = vec![0u8; 2048];
        let (n, peer) = fake.recv_from(&mut buf).await.unwrap();
        let request = Packet::from_bytes(&buf[..n]).unwrap();
        for junk in [&[0xffu8, 0, 1][..], &[0x40, 0x44], &[0x6f; 30], &[]] {
            fake.send_to(junk, peer).await.unwrap();
        }
        let mut ack = Packet::new();
        ack.header.set_type(MessageType::Acknowledgement);
        ack.header.code = MessageClass::from(code(2, 5));
        ack.header.message_id = request.header.message_id;
        ack.set_token(request.get_token().to_vec());
        ack.payload = b"fine".to_vec();
        fake.send_to(&ack.to_bytes().unwrap(), peer).await.unwrap();
    });
    let c = client(addr, fast()).await;
    let r = c.request(POST, "/x", b"x").await.unwrap();
    assert_eq!((r.code, r.payload.as_slice()), (code(2, 5), &b"fine"[..]));
    task.await.unwrap();
}

#[tokio::test]
async fn a_lossy_reordering_link_is_survived() {
    let server = echo_server(
        CoapConfig {
            block_size: 128,
            ..fast()
        },
        ServerBehaviour::default(),
        Duration::ZERO,
    )
    .await;
    let profile = LinkProfile {
        loss: 0.1,
        reorder: 0.1,
        duplicate: 0.02,
        delay: Duration::from_millis(1),
        jitter: Duration::from_millis(2),
        seed: 2026,
    };
    let udp: Arc<dyn DatagramChannel> = Arc::new(UdpChannel::connect(server.addr).await.unwrap());
    let link = Arc::new(LossyChannel::new(udp, profile, 1));
    let config = CoapConfig {
        block_size: 128,
        max_retransmit: 6,
        ..fast()
    };
    let c = CoapClient::new(link.clone(), config).unwrap();
    for i in 0..60usize {
        let payload = body(if i % 10 == 0 { 1500 } else { 40 }, i as u8);
        let r = tokio::time::timeout(LIMIT, c.request(POST, "/l", &payload))
            .await
            .expect("bounded")
            .unwrap_or_else(|e| panic!("request {i}: {e}"));
        assert_eq!(r.payload, expected_echo("/l", &payload), "request {i}");
    }
    assert!(
        link.stats().lost.load(Ordering::Relaxed) > 0,
        "the link lost nothing"
    );
    assert!(c.stats().retransmissions.load(Ordering::Relaxed) > 0);
}

// ---------------------------------------------------------------------------------------------
// The reference eIM over coap://

fn pki() -> Arc<Pki> {
    static PKI: OnceLock<Arc<Pki>> = OnceLock::new();
    PKI.get_or_init(|| Arc::new(Pki::generate(3, 0).unwrap()))
        .clone()
}

async fn eim(faults: EimFaults, config: CoapConfig) -> RunningEim {
    let options = EimServerOptions {
        listen: ([127, 0, 0, 1], 0).into(),
        tls: false,
        api: None,
    };
    let coap = EimCoapOptions {
        coap: Some(([127, 0, 0, 1], 0).into()),
        config,
        ..EimCoapOptions::default()
    };
    let config = sgp32_harness::eim::EimConfig::from_pki(&pki(), Backend::AwsLc)
        .unwrap()
        .with_faults(faults);
    RunningEim::start_with_coap(&pki(), config, &options, &coap)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_reference_eim_answers_esipa_over_coap_like_over_http() {
    let running = eim(EimFaults::NONE, fast()).await;
    let url = running.coap_url().unwrap();
    assert!(
        url.starts_with("coap://127.0.0.1:") && url.ends_with("/gsma/rsp2/asn1"),
        "{url}"
    );
    let profile = running.sut_profile();
    assert_eq!(profile.esipa.get("coap"), Some(&url));
    assert!(profile.features.absent.contains(&"coaps".to_string()));
    assert!(!profile.features.absent.contains(&"coap".to_string()));

    let mut client = EsipaClient::connect(&url, None, ClientOptions::default())
        .await
        .unwrap();
    assert!(client.is_coap());
    let eid = sgp32_harness::pki::euicc_eid(77).unwrap();
    let r = client.post(&poll_request(&eid)).await.unwrap();
    assert_eq!(r.status, 200);
    let answer: EsipaMessageFromEimToIpa = rasn::der::decode(&r.body).unwrap();
    assert!(
        matches!(answer, EsipaMessageFromEimToIpa::GetEimPackageResponse(_)),
        "{answer:?}"
    );
    // Not an ESipa message: 4.00 -> 400; another path: 4.04 -> 404.
    assert_eq!(client.post(b"\x01\x02").await.unwrap().status, 400);
    let r = client
        .raw_request("POST", "/elsewhere", &[], b"x")
        .await
        .unwrap();
    assert_eq!(r.status, 404);
    let r = client
        .raw_request("PUT", "/gsma/rsp2/asn1", &[], b"x")
        .await
        .unwrap();
    assert_eq!(r.status, 405);
    // A new channel after close(), as after a device reboot.
    client.http().close();
    assert_eq!(client.post(&poll_request(&eid)).await.unwrap().status, 200);
    assert_eq!(client.connections_opened(), 2);
    running.shutdown().await;
}

#[tokio::test]
async fn registered_endpoint_settings_apply_to_esipa_clients() {
    let running = eim(EimFaults::NONE, fast()).await;
    let url = running.coap_url().unwrap();
    let authority = url
        .trim_start_matches("coap://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    register_endpoint(
        &authority,
        EndpointSettings {
            config: CoapConfig {
                block_size: 16,
                ..fast()
            },
            link: Some(LinkProfile {
                loss: 0.1,
                reorder: 0.1,
                seed: 9,
                ..LinkProfile::default()
            }),
            connector: None,
        },
    );
    let mut client = EsipaClient::connect(&url, None, ClientOptions::default())
        .await
        .unwrap();
    let eid = sgp32_harness::pki::euicc_eid(78).unwrap();
    for _ in 0..20 {
        let r = client.post(&poll_request(&eid)).await.unwrap();
        assert_eq!(r.status, 200);
    }
    let messages = match client.carrier().as_coap() {
        Some(c) => c.client().stats().messages.load(Ordering::Relaxed),
        None => panic!("not CoAP"),
    };
    // 16-byte blocks: every poll takes several messages.
    assert!(messages >= 40, "{messages}");
    sgp32_harness::transport::coap::unregister_endpoint(&authority);
    running.shutdown().await;
}

#[tokio::test]
async fn eim_coap_faults_shape_its_coap_server() {
    let running = eim(
        EimFaults::NONE.with(EimFault::CoapDuplicatesReprocessed),
        raw_fast(),
    )
    .await;
    let addr: SocketAddr = running.coap_server().unwrap().local_addr();
    let s = raw_socket(addr).await;
    let eid = sgp32_harness::pki::euicc_eid(79).unwrap();
    let mut p = Packet::from_bytes(&raw_post(5, b"t", &[], &poll_request(&eid))).unwrap();
    p.clear_option(CoapOption::UriPath);
    for seg in ["gsma", "rsp2", "asn1"] {
        p.add_option(CoapOption::UriPath, seg.as_bytes().to_vec());
    }
    let d = p.to_bytes().unwrap();
    s.send(&d).await.unwrap();
    recv_packet(&s, LIMIT).await.unwrap();
    s.send(&d).await.unwrap();
    recv_packet(&s, LIMIT).await.unwrap();
    let stats = running.coap_server().unwrap().stats();
    assert_eq!(stats.handled.load(Ordering::Relaxed), 2, "reprocessed");
    assert_eq!(stats.duplicates.load(Ordering::Relaxed), 0);
    running.shutdown().await;
}

/// CoAP polls per second on loopback: `cargo test --test coap -- --ignored --nocapture polls`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check"]
async fn polls_per_second_on_loopback() {
    let running = eim(EimFaults::NONE, CoapConfig::default()).await;
    let url = running.coap_url().unwrap();
    let devices = 32u64;
    let duration = Duration::from_secs(5);
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for d in 0..devices {
        let url = url.clone();
        let done = done.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = EsipaClient::connect(&url, None, ClientOptions::default())
                .await
                .unwrap();
            let poll = poll_request(&sgp32_harness::pki::euicc_eid(1000 + d).unwrap());
            while started.elapsed() < duration {
                let r = c.post(&poll).await.unwrap();
                assert_eq!(r.status, 200);
                done.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let n = done.load(Ordering::Relaxed);
    let secs = started.elapsed().as_secs_f64();
    println!(
        "CoAP polls on loopback: {n} in {secs:.2} s = {:.0} polls/s ({devices} devices, NSTART 1 each)",
        n as f64 / secs
    );
    running.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// A smoke subset of the catalogue over coap, coaps and a lossy coap link

/// The smoke subset: ESipa, PSMO and binding cases that take no second.
const SMOKE: &str = "(@esipa or @psmo or @binding) and not @slow";

async fn smoke(transport: &str, coap: CoapConfig, link: Option<LinkProfile>) {
    smoke_with(transport, coap, link, false).await;
}

async fn smoke_with(transport: &str, coap: CoapConfig, link: Option<LinkProfile>, psk: bool) {
    use sgp32_harness::conformance::runner::default_psk;
    use sgp32_harness::conformance::{RunOptions, TagFilter, run};
    use sgp32_harness::report::Verdict;
    let mut options = RunOptions::reference(pki());
    if psk {
        options.dtls_psk = Some(default_psk(&pki()).unwrap());
    }
    options.root = concat!(env!("CARGO_MANIFEST_DIR"), "/features").into();
    options.transport = transport.into();
    options.tags = TagFilter::parse(SMOKE).unwrap();
    options.coap = coap;
    options.link = link;
    let results = tokio::time::timeout(Duration::from_secs(120), run(&options, None))
        .await
        .expect("the smoke run is bounded")
        .unwrap();
    assert!(results.cases.len() >= 30, "{} cases", results.cases.len());
    let bad: Vec<String> = results
        .cases
        .iter()
        .filter(|c| c.verdict != Verdict::Pass)
        .map(|c| format!("{} {}: {} {}", c.id, c.verdict, c.requirement, c.actual))
        .collect();
    assert!(bad.is_empty(), "over {transport}: {bad:#?}");
    // The CoAP binding cases ran (over coaps too, through DTLS).
    assert!(
        results
            .cases
            .iter()
            .any(|c| c.id == "COAP-002" && c.verdict == Verdict::Pass)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_catalogue_over_coap() {
    smoke("coap", fast(), None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_catalogue_over_coaps() {
    smoke("coaps", fast(), None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_catalogue_over_coaps_with_a_psk() {
    smoke_with("coaps", fast(), None, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smoke_catalogue_over_coap_with_loss_and_reordering() {
    let link = LinkProfile {
        loss: 0.1,
        reorder: 0.1,
        jitter: Duration::from_millis(2),
        seed: 32,
        ..LinkProfile::default()
    };
    // 10% loss each way: an exchange fails only after 9 lost transmissions in a row.
    let coap = CoapConfig {
        max_retransmit: 8,
        ..fast()
    };
    smoke("coap", coap, Some(link)).await;
}

#[tokio::test]
async fn duplicate_memory_is_bounded() {
    let config = CoapConfig {
        max_remembered: 2,
        ..raw_fast()
    };
    let server = echo_server(config, ServerBehaviour::default(), Duration::ZERO).await;
    let s = raw_socket(server.addr).await;
    for mid in [1u16, 2, 3] {
        s.send(&raw_post(mid, b"m", &[], b"x")).await.unwrap();
        recv_packet(&s, LIMIT).await.unwrap();
    }
    assert_eq!(server.echo.runs.load(Ordering::SeqCst), 3);
    // Message id 3 is remembered: answered from the cache.
    s.send(&raw_post(3, b"m", &[], b"x")).await.unwrap();
    recv_packet(&s, LIMIT).await.unwrap();
    assert_eq!(server.echo.runs.load(Ordering::SeqCst), 3);
    // Message id 1 was forgotten (the cap is 2): handled again.
    s.send(&raw_post(1, b"m", &[], b"x")).await.unwrap();
    recv_packet(&s, LIMIT).await.unwrap();
    assert_eq!(server.echo.runs.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn the_client_takes_the_smaller_block1_size_the_server_asks_for() {
    let server = echo_server(
        CoapConfig {
            block_size: 64,
            ..fast()
        },
        ServerBehaviour::default(),
        Duration::ZERO,
    )
    .await;
    let c = client(server.addr, fast()).await; // 1024-byte blocks
    let big = body(3000, 7);
    let r = c.request(POST, "/nego", &big).await.unwrap();
    assert_eq!(r.payload, expected_echo("/nego", &big));
    // 1024 bytes, then 64-byte blocks for the rest, then the response's Block2 blocks.
    let messages = c.stats().messages.load(Ordering::Relaxed);
    assert!(messages > (3000 - 1024) / 64, "{messages}");
}

#[tokio::test]
async fn a_lossy_link_in_front_of_the_eim_is_survived_by_the_ipa_client() {
    let options = EimServerOptions {
        listen: ([127, 0, 0, 1], 0).into(),
        tls: false,
        api: None,
    };
    let coap = EimCoapOptions {
        coap: Some(([127, 0, 0, 1], 0).into()),
        config: fast(),
        link: Some(LinkProfile {
            loss: 0.15,
            reorder: 0.1,
            duplicate: 0.05,
            seed: 5,
            ..LinkProfile::default()
        }),
        ..EimCoapOptions::default()
    };
    let config = sgp32_harness::eim::EimConfig::from_pki(&pki(), Backend::AwsLc).unwrap();
    let running = RunningEim::start_with_coap(&pki(), config, &options, &coap)
        .await
        .unwrap();
    let url = running.coap_url().unwrap();
    let authority = url
        .trim_start_matches("coap://")
        .split('/')
        .next()
        .unwrap()
        .to_string();
    register_endpoint(
        &authority,
        EndpointSettings {
            config: CoapConfig {
                max_retransmit: 8,
                ..fast()
            },
            ..EndpointSettings::default()
        },
    );
    let mut client = EsipaClient::connect(&url, None, ClientOptions::default())
        .await
        .unwrap();
    let eid = sgp32_harness::pki::euicc_eid(80).unwrap();
    for _ in 0..40 {
        let r = tokio::time::timeout(LIMIT, client.post(&poll_request(&eid)))
            .await
            .expect("bounded")
            .unwrap();
        assert_eq!(r.status, 200);
    }
    let retransmissions = match client.carrier().as_coap() {
        Some(c) => c.client().stats().retransmissions.load(Ordering::Relaxed),
        None => panic!("not CoAP"),
    };
    assert!(retransmissions > 0, "nothing was lost");
    assert!(
        running
            .coap_server()
            .unwrap()
            .stats()
            .duplicates
            .load(Ordering::Relaxed)
            > 0
    );
    sgp32_harness::transport::coap::unregister_endpoint(&authority);
    running.shutdown().await;
}
