//! A generic HTTP/1.1 server (tokio + hyper 1), optionally over TLS (rustls).
//!
//! - One tokio task per connection; HTTP/1.1 keep-alive (a connection serves requests until
//!   the client closes it, the server shuts down, or a request body was left unread, e.g. 413).
//! - Each request is read whole (up to [`ServerOptions::max_body`], default 1 MiB; a larger
//!   body gets `413 Content Too Large`: up to [`ServerOptions::max_drain`] more bytes are read
//!   and discarded first so the answer is delivered and the connection stays usable; a body or
//!   `Content-Length` beyond that gets the 413 with `Connection: close`) and handed
//!   to a synchronous [`HttpHandler`] as an owned [`HttpRequest`]. The handler runs inline on
//!   the connection's task (the ESipa handlers are O(1) and never block; that keeps the poll
//!   path free of thread hand-offs). A handler panic is caught (`catch_unwind`) and answered
//!   with `500 Internal Server Error`; the server and the connection go on.
//! - A response the handler builds badly (status outside 100..=999, an invalid header name or
//!   value) is logged and answered with 500.
//! - TLS (when a [`TlsServerConfig`] is given): the handshake runs on the connection's task with
//!   a timeout ([`ServerOptions::tls_handshake_timeout`]); a failed handshake closes that
//!   connection only.
//! - [`RunningServer::shutdown`] stops accepting, asks every connection to finish its current
//!   request and close (idle keep-alive connections close at once), waits at most
//!   [`ServerOptions::shutdown_grace`], then aborts what is left. Dropping a [`RunningServer`]
//!   starts the same shutdown without waiting.
//! - Nothing read from the network is unwrapped: malformed HTTP is answered by hyper (400) or
//!   closes the connection; accept errors (e.g. out of file descriptors) are logged and the
//!   accept loop pauses briefly.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{debug, error, info, warn};

use super::TransportError;
use super::tls::TlsServerConfig;

/// A request as the handler sees it.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    /// The method (`POST`, `GET`, ...).
    pub method: String,
    /// The request target as sent: path and query (`/gsma/rsp2/asn1?x=1`).
    pub path: String,
    /// The headers in order; names lower case, values lossily decoded as UTF-8.
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Bytes,
    /// The client's address.
    pub peer: SocketAddr,
    /// A number unique per accepted connection of this server (starts at 1): requests with the
    /// same number came over the same (keep-alive) connection.
    pub connection_id: u64,
}

impl HttpRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The path without the query.
    pub fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or("")
    }
}

/// A response from the handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers (`Content-Length` is added by the server).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

impl HttpResponse {
    /// A response with status `status`, no header and body `body`.
    pub fn new(status: u16, body: impl Into<Bytes>) -> HttpResponse {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// A `text/plain` response (used for the error statuses).
    pub fn text(status: u16, text: &str) -> HttpResponse {
        HttpResponse::new(status, Bytes::copy_from_slice(text.as_bytes()))
            .with_header("Content-Type", "text/plain; charset=utf-8")
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> HttpResponse {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The application behind the server. Called on the connection's task: must not block long.
pub trait HttpHandler: Send + Sync + 'static {
    /// Answers one request.
    fn handle(&self, request: HttpRequest) -> HttpResponse;
}

/// Server tuning.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Largest request body accepted (default 1 MiB); larger gets 413.
    pub max_body: usize,
    /// How long [`RunningServer::shutdown`] lets open requests finish (default 5 s).
    pub shutdown_grace: Duration,
    /// Limit for the TLS handshake (default 10 s).
    pub tls_handshake_timeout: Duration,
    /// Limit for reading a request's headers, idle keep-alive included (default 60 s).
    pub header_read_timeout: Duration,
    /// How many bytes past `max_body` are read and discarded before answering 413, so the
    /// answer arrives and the connection stays usable (default 4 MiB; beyond, or with a larger
    /// `Content-Length`, the 413 closes the connection).
    pub max_drain: usize,
    /// Time limit for that draining (default 2 s).
    pub drain_timeout: Duration,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            max_body: 1024 * 1024,
            shutdown_grace: Duration::from_secs(5),
            tls_handshake_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(60),
            max_drain: 4 * 1024 * 1024,
            drain_timeout: Duration::from_secs(2),
        }
    }
}

/// The HTTP/1.1 server.
pub struct HttpServer;

impl HttpServer {
    /// Binds `addr` and serves `handler` with the default [`ServerOptions`]; TLS when `tls` is
    /// given. Needs a tokio runtime (it spawns the accept task).
    pub async fn bind(
        addr: SocketAddr,
        tls: Option<TlsServerConfig>,
        handler: Arc<dyn HttpHandler>,
    ) -> Result<RunningServer, TransportError> {
        HttpServer::bind_with(addr, tls, handler, ServerOptions::default()).await
    }

    /// As [`HttpServer::bind`] with explicit options.
    pub async fn bind_with(
        addr: SocketAddr,
        tls: Option<TlsServerConfig>,
        handler: Arc<dyn HttpHandler>,
        options: ServerOptions,
    ) -> Result<RunningServer, TransportError> {
        let acceptor = match &tls {
            Some(t) => Some(tokio_rustls::TlsAcceptor::from(t.build()?)),
            None => None,
        };
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| TransportError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| TransportError::Bind { addr, source })?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            handler,
            options,
            next_connection: AtomicU64::new(1),
        });
        info!(%local_addr, tls = acceptor.is_some(), "HTTP server listening");
        let task = tokio::spawn(accept_loop(listener, acceptor, shared, shutdown_rx));
        Ok(RunningServer {
            local_addr,
            tls: tls.is_some(),
            shutdown_tx,
            task: Some(task),
        })
    }
}

/// A server accepting connections. Dropping it starts a shutdown without waiting for it.
pub struct RunningServer {
    local_addr: SocketAddr,
    tls: bool,
    shutdown_tx: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl RunningServer {
    /// The address it listens on (with the real port when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Whether it speaks TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// `http://ADDR` or `https://ADDR`.
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.local_addr)
    }

    /// Stops accepting, lets open requests finish (bounded by
    /// [`ServerOptions::shutdown_grace`]), then returns.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        if let Some(task) = self.task.take()
            && let Err(e) = task.await
        {
            error!("HTTP server accept task ended abnormally: {e}");
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
    }
}

struct Shared {
    handler: Arc<dyn HttpHandler>,
    options: ServerOptions,
    next_connection: AtomicU64,
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    mut shutdown_rx: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            changed = shutdown_rx.changed() => {
                if changed.is_err() || *shutdown_rx.borrow() {
                    break;
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let id = shared.next_connection.fetch_add(1, Ordering::Relaxed);
                    let shared = shared.clone();
                    let acceptor = acceptor.clone();
                    let rx = shutdown_rx.clone();
                    connections.spawn(connection(stream, peer, id, acceptor, shared, rx));
                }
                Err(e) => {
                    // EMFILE and the like: don't spin.
                    warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let grace = shared.options.shutdown_grace;
    let open = connections.len();
    debug!(open, "HTTP server stopping");
    let drained = tokio::time::timeout(grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        warn!(
            left = connections.len(),
            "connections still open after {grace:?}: aborted"
        );
        connections.abort_all();
        while connections.join_next().await.is_some() {}
    }
    info!("HTTP server stopped");
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    id: u64,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    mut shutdown_rx: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    match acceptor {
        None => serve(stream, peer, id, shared, shutdown_rx).await,
        Some(acceptor) => {
            let limit = shared.options.tls_handshake_timeout;
            let handshake = tokio::time::timeout(limit, acceptor.accept(stream));
            let tls = tokio::select! {
                r = handshake => r,
                _ = shutdown_rx.changed() => return,
            };
            match tls {
                Ok(Ok(tls)) => serve(tls, peer, id, shared, shutdown_rx).await,
                Ok(Err(e)) => debug!(%peer, "TLS handshake failed: {e}"),
                Err(_) => debug!(%peer, "TLS handshake timed out"),
            }
        }
    }
}

async fn serve<I>(
    io: I,
    peer: SocketAddr,
    id: u64,
    shared: Arc<Shared>,
    mut shutdown_rx: watch::Receiver<bool>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let svc_shared = shared.clone();
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let shared = svc_shared.clone();
        async move { Ok::<_, Infallible>(respond(req, peer, id, &shared).await) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(shared.options.header_read_timeout)
        .keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    let mut shutting_down = *shutdown_rx.borrow();
    if shutting_down {
        conn.as_mut().graceful_shutdown();
    }
    loop {
        tokio::select! {
            r = conn.as_mut() => {
                if let Err(e) = r {
                    debug!(%peer, connection = id, "connection ended: {e}");
                }
                return;
            }
            changed = shutdown_rx.changed(), if !shutting_down => {
                if changed.is_err() || *shutdown_rx.borrow() {
                    shutting_down = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

async fn respond(
    req: Request<Incoming>,
    peer: SocketAddr,
    connection_id: u64,
    shared: &Shared,
) -> Response<Full<Bytes>> {
    let max = shared.options.max_body;
    let (parts, body) = req.into_parts();
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let body = match read_body(body, declared, &shared.options).await {
        BodyRead::Complete(b) => b,
        BodyRead::TooLarge { drained } => return too_large(max, !drained),
        BodyRead::Failed(e) => {
            debug!(%peer, "reading the request body failed: {e}");
            return plain(400, "cannot read the request body", true);
        }
    };
    let headers = parts
        .headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| parts.uri.to_string());
    let request = HttpRequest {
        method: parts.method.as_str().to_string(),
        path,
        headers,
        body,
        peer,
        connection_id,
    };
    let handler = shared.handler.clone();
    match std::panic::catch_unwind(AssertUnwindSafe(move || handler.handle(request))) {
        Ok(response) => to_hyper(response),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            error!(%peer, connection = connection_id, "handler panicked: {what}");
            plain(500, "internal error", false)
        }
    }
}

fn too_large(max: usize, close: bool) -> Response<Full<Bytes>> {
    plain(413, &format!("request body larger than {max} bytes"), close)
}

enum BodyRead {
    Complete(Bytes),
    /// Over `max_body`; `drained` when the rest was read and discarded (the connection can
    /// stay open), else the connection is closed after the 413.
    TooLarge {
        drained: bool,
    },
    Failed(String),
}

/// Reads the body up to `max_body`. Past it, reads and discards up to `max_drain` more bytes
/// (within `drain_timeout`) so the 413 reaches the client before the connection is closed
/// (closing a socket with unread input makes the kernel send RST, which can destroy the
/// response in flight) and the connection can be reused.
async fn read_body(mut body: Incoming, declared: Option<u64>, options: &ServerOptions) -> BodyRead {
    let max = options.max_body;
    let drain_limit = max.saturating_add(options.max_drain) as u64;
    if declared.is_some_and(|n| n > drain_limit) {
        return BodyRead::TooLarge { drained: false };
    }
    let mut first: Option<Bytes> = None;
    let mut buffer: Option<bytes::BytesMut> = None;
    let mut total: u64 = 0;
    if declared.is_none_or(|n| n <= max as u64) {
        loop {
            let frame = match body.frame().await {
                None => break,
                Some(Ok(f)) => f,
                Some(Err(e)) => return BodyRead::Failed(e.to_string()),
            };
            let Ok(data) = frame.into_data() else {
                continue; // trailers
            };
            total += data.len() as u64;
            if total > max as u64 {
                break;
            }
            match (&mut first, &mut buffer) {
                (None, _) => first = Some(data),
                (Some(f), None) => {
                    let mut b = bytes::BytesMut::with_capacity(
                        declared.map_or(f.len() + data.len(), |n| n as usize),
                    );
                    b.extend_from_slice(f);
                    b.extend_from_slice(&data);
                    buffer = Some(b);
                }
                (Some(_), Some(b)) => b.extend_from_slice(&data),
            }
        }
        if total <= max as u64 {
            return BodyRead::Complete(match buffer {
                Some(b) => b.freeze(),
                None => first.unwrap_or_default(),
            });
        }
    }
    drop((first, buffer));
    let drain = async {
        loop {
            match body.frame().await {
                None => return true,
                Some(Ok(f)) => {
                    if let Ok(d) = f.into_data() {
                        total += d.len() as u64;
                        if total > drain_limit {
                            return false;
                        }
                    }
                }
                Some(Err(_)) => return false,
            }
        }
    };
    let drained = tokio::time::timeout(options.drain_timeout, drain)
        .await
        .unwrap_or(false);
    BodyRead::TooLarge { drained }
}

fn plain(status: u16, text: &str, close: bool) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::copy_from_slice(text.as_bytes())));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if close {
        r.headers_mut()
            .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
    }
    r
}

fn to_hyper(response: HttpResponse) -> Response<Full<Bytes>> {
    let Ok(status) = StatusCode::from_u16(response.status) else {
        error!(
            status = response.status,
            "handler returned an invalid status"
        );
        return plain(500, "internal error", false);
    };
    let mut r = Response::new(Full::new(response.body));
    *r.status_mut() = status;
    let headers = r.headers_mut();
    headers.reserve(response.headers.len());
    for (name, value) in &response.headers {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(n), Ok(v)) => {
                headers.append(n, v);
            }
            _ => {
                error!(%name, %value, "handler returned an invalid header");
                return plain(500, "internal error", false);
            }
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_helpers() {
        let r = HttpRequest {
            method: "POST".into(),
            path: "/a/b?x=1".into(),
            headers: vec![("content-type".into(), "t".into())],
            body: Bytes::new(),
            peer: "127.0.0.1:1".parse().unwrap(),
            connection_id: 1,
        };
        assert_eq!(r.path_only(), "/a/b");
        assert_eq!(r.header("Content-Type"), Some("t"));
        assert_eq!(r.header("x"), None);
    }

    #[test]
    fn bad_responses_become_500() {
        let r = to_hyper(HttpResponse::new(1000, Bytes::new()));
        assert_eq!(r.status(), 500);
        let r = to_hyper(HttpResponse::new(200, Bytes::new()).with_header("bad name", "v"));
        assert_eq!(r.status(), 500);
        let r = to_hyper(HttpResponse::new(200, Bytes::new()).with_header("x", "a\nb"));
        assert_eq!(r.status(), 500);
        let r = to_hyper(HttpResponse::text(418, "teapot").with_header("x-a", "1"));
        assert_eq!(r.status(), 418);
        assert_eq!(r.headers()["x-a"], "1");
        assert_eq!(r.headers()["content-type"], "text/plain; charset=utf-8");
    }
}
