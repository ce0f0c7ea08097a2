//! The ESipa HTTP(S) transport over real sockets on 127.0.0.1: the binding's status table,
//! keep-alive, HTTPS with TLS 1.2 and 1.3, shutdown, robustness against random input, bind
//! errors. Every test is bounded by a timeout.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sgp32_harness::pki::Pki;
use sgp32_harness::transport::esipa_http::{ADMIN_PROTOCOL, CONTENT_TYPE, ESIPA_PATH};
use sgp32_harness::transport::{
    BindingOptions, ClientOptions, EsipaBinding, EsipaClient, EsipaContext, EsipaHandler,
    EsipaReply, HttpHandler, HttpRequest, HttpResponse, HttpServer, NoContentStatus, RunningServer,
    ServerOptions, TlsClientConfig, TlsServerConfig, TlsVersion, TlsVersions, TransportError,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A mock eIM: echoes the body, except for a few magic bodies.
#[derive(Default)]
struct Mock {
    connections: Mutex<Vec<u64>>,
    user_agents: Mutex<Vec<Option<String>>>,
}

impl EsipaHandler for Mock {
    fn handle_esipa(&self, body: &[u8]) -> EsipaReply {
        match body {
            b"NOCONTENT" => EsipaReply::NoContent,
            b"UNDECODABLE" => EsipaReply::Undecodable("not an EsipaMessageFromIpaToEim".into()),
            b"PANIC" => panic!("mock handler panics on purpose"),
            b"SLEEP" => {
                std::thread::sleep(Duration::from_millis(300));
                EsipaReply::Message(b"SLEPT".to_vec())
            }
            b"FIXED" => EsipaReply::Message(vec![0xbf, 0x4f, 0x03, 0x81, 0x01, 0x01]),
            _ => EsipaReply::Message(body.to_vec()),
        }
    }

    fn handle_esipa_with(&self, body: &[u8], context: &EsipaContext<'_>) -> EsipaReply {
        if let Ok(mut c) = self.connections.lock() {
            c.push(context.connection_id);
        }
        if let Ok(mut u) = self.user_agents.lock() {
            u.push(context.user_agent.map(str::to_string));
        }
        self.handle_esipa(body)
    }
}

const LIMIT: Duration = Duration::from_secs(5);

async fn bounded<F: Future>(f: F) -> F::Output {
    tokio::time::timeout(LIMIT, f)
        .await
        .expect("test took too long")
}

fn localhost() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

async fn start(
    tls: Option<TlsServerConfig>,
    options: BindingOptions,
) -> (RunningServer, Arc<Mock>, Arc<EsipaBinding<Mock>>) {
    let mock = Arc::new(Mock::default());
    let binding = Arc::new(EsipaBinding::with_options(mock.clone(), options));
    let server = HttpServer::bind(localhost(), tls, binding.clone())
        .await
        .unwrap();
    (server, mock, binding)
}

async fn plain_client(server: &RunningServer) -> EsipaClient {
    EsipaClient::connect(&server.base_url(), None, ClientOptions::default())
        .await
        .unwrap()
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_fixed_nocontent_undecodable() {
    bounded(async {
        let (server, mock, _) = start(None, BindingOptions::default()).await;
        let mut c = plain_client(&server).await;
        let r = c.post(&[0xbf, 0x4f, 0x02, 0x5a, 0x00]).await.unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(&r.body[..], &[0xbf, 0x4f, 0x02, 0x5a, 0x00]);
        assert_eq!(r.header("content-type"), Some(CONTENT_TYPE));
        assert_eq!(r.header("x-admin-protocol"), Some(ADMIN_PROTOCOL));
        let r = c.post(b"FIXED").await.unwrap();
        assert_eq!(&r.body[..], &[0xbf, 0x4f, 0x03, 0x81, 0x01, 0x01]);
        let r = c.post(b"NOCONTENT").await.unwrap();
        assert_eq!((r.status, r.body.len()), (204, 0));
        assert_eq!(r.header("x-admin-protocol"), Some(ADMIN_PROTOCOL));
        let r = c.post(b"UNDECODABLE").await.unwrap();
        assert_eq!(r.status, 400);
        assert!(String::from_utf8_lossy(&r.body).contains("not an EsipaMessageFromIpaToEim"));
        // The client's default User-Agent reached the handler.
        let uas = mock.user_agents.lock().unwrap().clone();
        assert!(uas.iter().all(|u| u.as_deref() == Some("gsma-rsp-ipad")));
        assert_eq!(uas.len(), 4);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nocontent_as_200_and_configurable_headers() {
    bounded(async {
        let options = BindingOptions {
            no_content: NoContentStatus::OkEmpty,
            response_content_type: "application/octet-stream".into(),
            response_admin_protocol: "gsma/rsp/v9".into(),
            ..BindingOptions::default()
        };
        let (server, _, _) = start(None, options).await;
        let mut c = plain_client(&server).await;
        let r = c.post(b"NOCONTENT").await.unwrap();
        assert_eq!((r.status, r.body.len()), (200, 0));
        let r = c.post(b"FIXED").await.unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-type"), Some("application/octet-stream"));
        assert_eq!(r.header("x-admin-protocol"), Some("gsma/rsp/v9"));
        server.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_one_connection_per_client() {
    bounded(async {
        let (server, mock, _) = start(None, BindingOptions::default()).await;
        let mut a = plain_client(&server).await;
        let mut b = plain_client(&server).await;
        for i in 0..5u8 {
            assert_eq!(a.post(&[i]).await.unwrap().status, 200);
            assert_eq!(b.post(&[i]).await.unwrap().status, 200);
        }
        let ids = mock.connections.lock().unwrap().clone();
        assert_eq!(ids.len(), 10);
        let a_ids: Vec<u64> = ids.iter().copied().step_by(2).collect();
        let b_ids: Vec<u64> = ids.iter().copied().skip(1).step_by(2).collect();
        assert!(a_ids.iter().all(|&i| i == a_ids[0]), "{ids:?}");
        assert!(b_ids.iter().all(|&i| i == b_ids[0]), "{ids:?}");
        assert_ne!(a_ids[0], b_ids[0]);
        assert_eq!(a.connections_opened(), 1);
        assert_eq!(b.connections_opened(), 1);
        server.shutdown().await;
    })
    .await;
}

/// A handler that closes the connection after each answer (`Connection: close`).
struct Closing(Mutex<Vec<u64>>);
impl HttpHandler for Closing {
    fn handle(&self, request: HttpRequest) -> HttpResponse {
        self.0.lock().unwrap().push(request.connection_id);
        HttpResponse::new(200, request.body).with_header("Connection", "close")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnects_when_the_server_closed_the_connection() {
    bounded(async {
        let handler = Arc::new(Closing(Mutex::new(Vec::new())));
        let server = HttpServer::bind(localhost(), None, handler.clone())
            .await
            .unwrap();
        let mut c = plain_client(&server).await;
        for i in 0..3u8 {
            let r = c.post(&[i]).await.unwrap();
            assert_eq!((r.status, &r.body[..]), (200, &[i][..]));
        }
        assert_eq!(c.connections_opened(), 3);
        let ids = handler.0.lock().unwrap().clone();
        assert_eq!(ids.len(), 3);
        assert!(ids[0] != ids[1] && ids[1] != ids[2], "{ids:?}");
        server.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binding_violations_get_their_status() {
    bounded(async {
        let (server, _, binding) = start(None, BindingOptions::default()).await;
        let mut c = plain_client(&server).await;
        let good = h(&[
            ("Content-Type", CONTENT_TYPE),
            ("X-Admin-Protocol", ADMIN_PROTOCOL),
            ("User-Agent", "gsma-rsp-ipad"),
        ]);
        let body = [0xbf, 0x4f, 0x00];
        // Baseline: the raw request with the right headers is accepted.
        let r = c
            .raw_request("POST", ESIPA_PATH, &good, &body)
            .await
            .unwrap();
        assert_eq!(r.status, 200);
        // Wrong method.
        for m in ["GET", "PUT", "DELETE", "PATCH"] {
            let r = c.raw_request(m, ESIPA_PATH, &good, &body).await.unwrap();
            assert_eq!(r.status, 405, "{m}");
            assert_eq!(r.header("allow"), Some("POST"));
        }
        // Wrong path.
        for p in [
            "/",
            "/gsma/rsp2/asn",
            "/gsma/rsp2/asn1/x",
            "/gsma/rsp2/esipa/getEimPackage",
        ] {
            let r = c.raw_request("POST", p, &good, &body).await.unwrap();
            assert_eq!(r.status, 404, "{p}");
        }
        // Missing, then wrong X-Admin-Protocol.
        let r = c
            .raw_request(
                "POST",
                ESIPA_PATH,
                &h(&[("Content-Type", CONTENT_TYPE)]),
                &body,
            )
            .await
            .unwrap();
        assert_eq!(r.status, 400);
        let wrong_ap = h(&[
            ("Content-Type", CONTENT_TYPE),
            ("X-Admin-Protocol", "gsma/rsp/v2.0.0"),
        ]);
        let r = c
            .raw_request("POST", ESIPA_PATH, &wrong_ap, &body)
            .await
            .unwrap();
        assert_eq!(r.status, 400);
        assert_eq!(&r.body[..], b"Unsupported x-admin-protocol");
        // Missing, then wrong Content-Type.
        let r = c
            .raw_request(
                "POST",
                ESIPA_PATH,
                &h(&[("X-Admin-Protocol", ADMIN_PROTOCOL)]),
                &body,
            )
            .await
            .unwrap();
        assert_eq!(r.status, 415);
        for ct in [
            "application/json",
            "application/x-gsma-rsp-asn",
            "text/plain",
        ] {
            let hs = h(&[("Content-Type", ct), ("X-Admin-Protocol", ADMIN_PROTOCOL)]);
            let r = c.raw_request("POST", ESIPA_PATH, &hs, &body).await.unwrap();
            assert_eq!(r.status, 415, "{ct}");
        }
        // Empty body, undecodable body.
        let r = c.raw_request("POST", ESIPA_PATH, &good, &[]).await.unwrap();
        assert_eq!(r.status, 400);
        let r = c.post(b"UNDECODABLE").await.unwrap();
        assert_eq!(r.status, 400);
        // A missing or odd User-Agent is only observed.
        let no_ua = h(&[
            ("Content-Type", CONTENT_TYPE),
            ("X-Admin-Protocol", ADMIN_PROTOCOL),
        ]);
        let r = c
            .raw_request("POST", ESIPA_PATH, &no_ua, &body)
            .await
            .unwrap();
        assert_eq!(r.status, 200);
        let mut odd = no_ua.clone();
        odd.push(("User-Agent".into(), "curl/8.5".into()));
        let r = c
            .raw_request("POST", ESIPA_PATH, &odd, &body)
            .await
            .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(binding.user_agents().other(), 1);
        assert_eq!(
            binding.user_agents().last_other().as_deref(),
            Some("curl/8.5")
        );
        assert!(binding.user_agents().missing() >= 1);
        // All of this on one connection.
        assert_eq!(c.connections_opened(), 1);
        // Body too large: 413 (the excess is drained, the connection stays usable).
        let big = vec![0x30u8; 1024 * 1024 + 1];
        let r = c.post(&big).await.unwrap();
        assert_eq!(r.status, 413);
        let exact = vec![0x30u8; 1024 * 1024];
        let r = c.post(&exact).await.unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.body.len(), exact.len());
        assert_eq!(c.connections_opened(), 1);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_limit_is_configurable_and_chunked_bodies_are_limited() {
    bounded(async {
        let binding = Arc::new(EsipaBinding::new(Arc::new(Mock::default())));
        let options = ServerOptions {
            max_body: 100,
            ..ServerOptions::default()
        };
        let server = HttpServer::bind_with(localhost(), None, binding, options)
            .await
            .unwrap();
        let mut c = plain_client(&server).await;
        assert_eq!(c.post(&[7u8; 100]).await.unwrap().status, 200);
        let r = c.post(&[7u8; 101]).await.unwrap();
        assert_eq!((r.status, r.header("connection")), (413, None));
        assert_eq!(c.post(&[7u8; 3]).await.unwrap().status, 200);
        assert_eq!(c.connections_opened(), 1);
        // Beyond max_body + max_drain: 413 and the connection is closed.
        let binding = Arc::new(EsipaBinding::new(Arc::new(Mock::default())));
        let options = ServerOptions {
            max_body: 100,
            max_drain: 10,
            ..ServerOptions::default()
        };
        let strict = HttpServer::bind_with(localhost(), None, binding, options)
            .await
            .unwrap();
        let mut d = plain_client(&strict).await;
        let r = d.post(&[7u8; 200]).await.unwrap();
        assert_eq!((r.status, r.header("connection")), (413, Some("close")));
        assert_eq!(d.post(&[7u8; 3]).await.unwrap().status, 200);
        assert_eq!(d.connections_opened(), 2);
        strict.shutdown().await;
        // A chunked body without Content-Length goes over the limit while being read.
        let mut s = tokio::net::TcpStream::connect(server.local_addr()).await.unwrap();
        let head = format!(
            "POST {ESIPA_PATH} HTTP/1.1\r\nHost: x\r\nContent-Type: {CONTENT_TYPE}\r\n\
             X-Admin-Protocol: {ADMIN_PROTOCOL}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        // One write: the server answers 413 as soon as the limit is crossed and closes.
        let mut request = head.into_bytes();
        for _ in 0..3 {
            request.extend_from_slice(b"40\r\n");
            request.extend_from_slice(&[b'a'; 0x40]);
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"0\r\n\r\n");
        s.write_all(&request).await.unwrap();
        let mut answer = Vec::new();
        let _ = s.read_to_end(&mut answer).await;
        let text = String::from_utf8_lossy(&answer);
        assert!(text.starts_with("HTTP/1.1 413"), "{text}");
        server.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_panic_is_500_and_the_server_goes_on() {
    bounded(async {
        let (server, _, _) = start(None, BindingOptions::default()).await;
        let mut c = plain_client(&server).await;
        let r = c.post(b"PANIC").await.unwrap();
        assert_eq!(r.status, 500);
        let r = c.post(b"after").await.unwrap();
        assert_eq!((r.status, &r.body[..]), (200, &b"after"[..]));
        assert_eq!(c.connections_opened(), 1);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_records_every_exchange() {
    bounded(async {
        let (server, _, _) = start(None, BindingOptions::default()).await;
        let options = ClientOptions {
            trace: true,
            ..ClientOptions::default()
        };
        let mut c = EsipaClient::connect(&server.base_url(), None, options)
            .await
            .unwrap();
        c.post(&[0xbf, 0x4f, 0x00]).await.unwrap();
        c.post(b"NOCONTENT").await.unwrap();
        let t = c.trace().unwrap();
        assert_eq!(t.len(), 4);
        assert_eq!(t.entries[0].body_hex, "bf4f00");
        assert_eq!(
            t.entries[0].request_line.as_deref(),
            Some("POST /gsma/rsp2/asn1")
        );
        assert!(
            t.entries[0]
                .headers
                .contains(&("X-Admin-Protocol".into(), ADMIN_PROTOCOL.into()))
        );
        assert_eq!(t.entries[1].status, Some(200));
        assert_eq!(t.entries[1].body_hex, "bf4f00");
        assert_eq!(t.entries[3].status, Some(204));
        assert!(t.entries.iter().all(|e| e.interface == "ESipa"));
        let taken = c.take_trace().unwrap();
        assert_eq!(taken.len(), 4);
        assert_eq!(c.trace().unwrap().len(), 0);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_tls12_and_tls13_with_the_test_pki() {
    bounded(async {
        let pki = Pki::generate(11, 0).unwrap();
        let tls = TlsServerConfig::from_credential(&pki.eim_tls).unwrap();
        let (server, _, _) = start(Some(tls), BindingOptions::default()).await;
        assert!(server.base_url().starts_with("https://127.0.0.1:"));
        let port = server.local_addr().port();
        for (versions, expected) in [
            (TlsVersions::Tls12Only, TlsVersion::Tls12),
            (TlsVersions::Tls13Only, TlsVersion::Tls13),
            (TlsVersions::Both, TlsVersion::Tls13),
        ] {
            // By IP address and by name (both are in the certificate's SAN).
            for url in [
                server.base_url(),
                format!("https://localhost:{port}/gsma/rsp2/asn1"),
            ] {
                let cfg = TlsClientConfig::trusting(vec![pki.ci.cert_der.clone()])
                    .with_versions(versions);
                let mut c = EsipaClient::connect(&url, Some(cfg), ClientOptions::default())
                    .await
                    .unwrap();
                assert_eq!(c.tls_version(), Some(expected));
                for i in 0..3u8 {
                    let r = c.post(&[0xbf, 0x4f, i]).await.unwrap();
                    assert_eq!((r.status, &r.body[..]), (200, &[0xbf, 0x4f, i][..]));
                }
                assert_eq!(c.connections_opened(), 1);
            }
        }
        // Pinning the eIM TLS certificate itself.
        let cfg = TlsClientConfig::pinning(pki.eim_tls.cert_der.clone())
            .with_versions(TlsVersions::Tls12Only);
        let mut c = EsipaClient::connect(&server.base_url(), Some(cfg), ClientOptions::default())
            .await
            .unwrap();
        assert_eq!(c.post(b"FIXED").await.unwrap().status, 200);
        assert_eq!(c.tls_version(), Some(TlsVersion::Tls12));
        server.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_fails_clearly_without_trust() {
    bounded(async {
        let pki = Pki::generate(11, 0).unwrap();
        let other = Pki::generate(12, 0).unwrap();
        let tls = TlsServerConfig::from_credential(&pki.eim_tls).unwrap();
        let (server, _, _) = start(Some(tls), BindingOptions::default()).await;
        // Another CA.
        let cfg = TlsClientConfig::trusting(vec![other.ci.cert_der.clone()]);
        let err = EsipaClient::connect(&server.base_url(), Some(cfg), ClientOptions::default())
            .await
            .err()
            .expect("handshake must fail");
        let text = err.to_string();
        assert!(
            matches!(err, TransportError::TlsHandshake { .. }),
            "{err:?}"
        );
        // Same CA name, other key: webpki reports BadSignature (UnknownIssuer for other names).
        assert!(text.contains("invalid peer certificate"), "{text}");
        // Another pinned certificate.
        let cfg = TlsClientConfig::pinning(other.eim_tls.cert_der.clone());
        let err = EsipaClient::connect(&server.base_url(), Some(cfg), ClientOptions::default())
            .await
            .err()
            .expect("handshake must fail");
        assert!(err.to_string().contains("pinned"), "{err}");
        // A name not in the certificate.
        let mut cfg = TlsClientConfig::trusting(vec![pki.ci.cert_der.clone()]);
        cfg.server_name = Some("eim.example".into());
        let err = EsipaClient::connect(&server.base_url(), Some(cfg), ClientOptions::default())
            .await
            .err()
            .expect("handshake must fail");
        assert!(
            matches!(err, TransportError::TlsHandshake { .. }),
            "{err:?}"
        );
        // https without anything to trust; plain HTTP to a TLS port.
        assert!(matches!(
            EsipaClient::connect(&server.base_url(), None, ClientOptions::default()).await,
            Err(TransportError::Target { .. })
        ));
        let plain = format!("http://{}", server.local_addr());
        let mut c = EsipaClient::connect(&plain, None, ClientOptions::default())
            .await
            .unwrap();
        assert!(c.post(b"x").await.is_err());
        // The server still serves a good client.
        let cfg = TlsClientConfig::trusting(vec![pki.ci.cert_der.clone()]);
        let mut c = EsipaClient::connect(&server.base_url(), Some(cfg), ClientOptions::default())
            .await
            .unwrap();
        assert_eq!(c.post(b"ok").await.unwrap().status, 200);
        server.shutdown().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_open_requests_finish_then_refuses() {
    bounded(async {
        let (server, _, _) = start(None, BindingOptions::default()).await;
        let addr = server.local_addr();
        let mut idle = plain_client(&server).await;
        assert_eq!(idle.post(b"x").await.unwrap().status, 200);
        let mut busy = plain_client(&server).await;
        let in_flight = tokio::spawn(async move { busy.post(b"SLEEP").await });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = std::time::Instant::now();
        server.shutdown().await;
        let took = started.elapsed();
        let r = in_flight.await.unwrap().unwrap();
        assert_eq!((r.status, &r.body[..]), (200, &b"SLEPT"[..]));
        assert!(took < Duration::from_secs(2), "{took:?}");
        // Nothing listens any more; the idle client can't reconnect.
        assert!(tokio::net::TcpStream::connect(addr).await.is_err());
        assert!(idle.post(b"y").await.is_err());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_bounded_by_the_grace_period() {
    bounded(async {
        let binding = Arc::new(EsipaBinding::new(Arc::new(Mock::default())));
        let options = ServerOptions {
            shutdown_grace: Duration::from_millis(100),
            ..ServerOptions::default()
        };
        let server = HttpServer::bind_with(localhost(), None, binding, options)
            .await
            .unwrap();
        // A client that sends half a request and stalls.
        let mut s = tokio::net::TcpStream::connect(server.local_addr())
            .await
            .unwrap();
        s.write_all(b"POST /gsma/rsp2/asn1 HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        server.shutdown().await;
        assert!(started.elapsed() < Duration::from_secs(1));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bind_on_a_used_port_is_a_bind_error() {
    bounded(async {
        let (server, _, binding) = start(None, BindingOptions::default()).await;
        let addr = server.local_addr();
        let err = HttpServer::bind(addr, None, binding.clone())
            .await
            .err()
            .expect("second bind must fail");
        match &err {
            TransportError::Bind { addr: a, source } => {
                assert_eq!(*a, addr);
                assert_eq!(source.kind(), std::io::ErrorKind::AddrInUse);
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains(&addr.to_string()));
        server.shutdown().await;
    })
    .await;
}

/// xorshift64*: deterministic test input without a dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_requests_get_the_predicted_status_and_never_crash_the_server() {
    bounded(async {
        let (server, _, _) = start(None, BindingOptions::default()).await;
        let mut c = plain_client(&server).await;
        let mut rng = Rng(0x5eed_1234_abcd_0001);
        let methods = ["POST", "POST", "POST", "GET", "PUT", "OPTIONS"];
        let paths = [
            ESIPA_PATH,
            ESIPA_PATH,
            "/gsma/rsp2/asn1?q=1",
            "/",
            "/x/y",
            "/gsma/rsp2/ASN1",
        ];
        let cts = [
            Some(CONTENT_TYPE),
            Some("application/json"),
            Some("x/y; a=b"),
            None,
        ];
        let aps = [
            Some(ADMIN_PROTOCOL),
            Some("gsma/rsp/v2.2.0"),
            Some(""),
            None,
        ];
        let uas = [Some("gsma-rsp-ipad"), Some("random agent"), None];
        for round in 0..300 {
            let method = methods[rng.below(methods.len())];
            let path = paths[rng.below(paths.len())];
            let ct = cts[rng.below(cts.len())];
            let ap = aps[rng.below(aps.len())];
            let ua = uas[rng.below(uas.len())];
            let len = match rng.below(4) {
                0 => 0,
                1 => rng.below(8),
                _ => rng.below(3000),
            };
            let body = rng.bytes(len);
            let mut headers = Vec::new();
            if let Some(v) = ct {
                headers.push(("Content-Type".to_string(), v.to_string()));
            }
            if let Some(v) = ap {
                headers.push(("X-Admin-Protocol".to_string(), v.to_string()));
            }
            if let Some(v) = ua {
                headers.push(("User-Agent".to_string(), v.to_string()));
            }
            for i in 0..rng.below(4) {
                let n = rng.below(20);
                let value = hex::encode(rng.bytes(n));
                headers.push((format!("X-Random-{i}"), value));
            }
            let expected = if !path.starts_with(ESIPA_PATH) || path.starts_with("/gsma/rsp2/asn1/")
            {
                404
            } else if method != "POST" {
                405
            } else if ap != Some(ADMIN_PROTOCOL) {
                400
            } else if ct != Some(CONTENT_TYPE) {
                415
            } else if body.is_empty() {
                400
            } else {
                200
            };
            let r = c.raw_request(method, path, &headers, &body).await.unwrap();
            assert_eq!(
                r.status, expected,
                "round {round}: {method} {path} {headers:?}"
            );
            if expected == 200 {
                assert_eq!(r.body[..], body[..]);
            }
        }
        // Raw garbage on fresh connections.
        for _ in 0..40 {
            let mut s = tokio::net::TcpStream::connect(server.local_addr())
                .await
                .unwrap();
            let n = rng.below(600) + 1;
            let mut junk = rng.bytes(n);
            if rng.below(2) == 0 {
                // Half of them start like a request line.
                let mut start = b"POST /gsma/rsp2/asn1 HTTP/1.1\r\n".to_vec();
                start.append(&mut junk);
                junk = start;
            }
            let _ = s.write_all(&junk).await;
            let _ = s.shutdown().await;
            let mut sink = Vec::new();
            let _ =
                tokio::time::timeout(Duration::from_millis(200), s.read_to_end(&mut sink)).await;
        }
        // Still answering, on the old connection and on a new one.
        assert_eq!(c.post(b"still").await.unwrap().status, 200);
        let mut fresh = plain_client(&server).await;
        assert_eq!(fresh.post(b"alive").await.unwrap().status, 200);
        server.shutdown().await;
    })
    .await;
}
