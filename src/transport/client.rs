//! A keep-alive HTTP/1.1 client holding ONE connection (hyper's `client::conn::http1` over a
//! `TcpStream` or a tokio-rustls stream).
//!
//! An IPA keeps its ESipa connection open for a whole procedure (SGP.32 3.1.1.1; the notes,
//! 1.2: an eIM may tell procedures apart by connection), so the client never pools or opens a
//! second connection while one is usable. When the server closed the connection between two
//! requests (idle timeout, shutdown, `Connection: close`), the next request opens a new one;
//! a request is re-sent on a new connection only when hyper reports it was never written
//! (`is_canceled`), so a request is never processed twice because of a retry.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::net::TcpStream;
use tracing::debug;

use super::TransportError;
use super::tls::{TlsClientConfig, TlsVersion};

/// Where the client connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Whether to speak TLS.
    pub tls: bool,
    /// The host (name or IP address, without brackets).
    pub host: String,
    /// The port.
    pub port: u16,
    /// The path of the URL, if it had one other than `/`.
    pub path: Option<String>,
}

/// The `host[:port][/path]` part of a URL (IPv6 hosts in brackets): the host without
/// brackets, the port (`default_port` when none is written), the path (`None` for none or
/// `/`). `Err` says why it is not usable.
pub(crate) fn host_port_path(
    rest: &str,
    default_port: Option<u16>,
) -> Result<(String, u16, Option<String>), &'static str> {
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or("unclosed '['")?;
        match after.strip_prefix(':') {
            Some(p) => (host, Some(p)),
            None if after.is_empty() => (host, None),
            None => return Err("junk after ']'"),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("no host");
    }
    let port = match port {
        Some(p) => p.parse::<u16>().map_err(|_| "bad port")?,
        None => default_port.ok_or("no port")?,
    };
    let path = (!path.is_empty() && path != "/").then(|| path.to_string());
    Ok((host.to_string(), port, path))
}

impl Target {
    /// Parses `http://host[:port][/path]`, `https://host[:port][/path]` or `host:port`
    /// (plain unless a TLS configuration is given to the client). IPv6 hosts go in brackets.
    pub fn parse(target: &str) -> Result<Target, TransportError> {
        let bad = |reason: &str| TransportError::Target {
            target: target.to_string(),
            reason: reason.to_string(),
        };
        let (tls, rest, default_port) = if let Some(r) = target.strip_prefix("https://") {
            (true, r, Some(443))
        } else if let Some(r) = target.strip_prefix("http://") {
            (false, r, Some(80))
        } else if target.contains("://") {
            return Err(bad("scheme must be http or https"));
        } else {
            (false, target, None)
        };
        let (host, port, path) = host_port_path(rest, default_port).map_err(bad)?;
        Ok(Target {
            tls,
            host,
            port,
            path,
        })
    }

    /// The `Host` header value.
    pub fn host_header(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl From<SocketAddr> for Target {
    fn from(addr: SocketAddr) -> Target {
        Target {
            tls: false,
            host: addr.ip().to_string(),
            port: addr.port(),
            path: None,
        }
    }
}

/// Client tuning and the headers sent with every ESipa request.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// `User-Agent` (default `gsma-rsp-ipad`, SGP.32 6.1 CR111005R00); `None` sends none.
    pub user_agent: Option<String>,
    /// `X-Admin-Protocol` (default `gsma/rsp/v2.1.0`); `None` sends none.
    pub admin_protocol: Option<String>,
    /// `Content-Type` of ESipa posts (default `application/x-gsma-rsp-asn1`); `None` sends none.
    pub content_type: Option<String>,
    /// More headers sent with every ESipa post.
    pub extra_headers: Vec<(String, String)>,
    /// The path of ESipa posts when the URL has none (default `/gsma/rsp2/asn1`).
    pub path: String,
    /// Limit for opening the TCP connection (default 5 s).
    pub connect_timeout: Duration,
    /// Limit for the TLS handshake (default 5 s).
    pub tls_handshake_timeout: Duration,
    /// Limit for one request: sending it and reading the whole response (default 10 s).
    pub request_timeout: Duration,
    /// Largest response body accepted (default 16 MiB).
    pub max_response_body: usize,
    /// Whether to record a [`Trace`](super::Trace) from the start.
    pub trace: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            user_agent: Some(super::esipa_http::USER_AGENT_IPAD.to_string()),
            admin_protocol: Some(super::esipa_http::ADMIN_PROTOCOL.to_string()),
            content_type: Some(super::esipa_http::CONTENT_TYPE.to_string()),
            extra_headers: Vec::new(),
            path: super::esipa_http::ESIPA_PATH.to_string(),
            connect_timeout: Duration::from_secs(5),
            tls_handshake_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(10),
            max_response_body: 16 * 1024 * 1024,
            trace: false,
        }
    }
}

/// A response as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpClientResponse {
    /// The status code.
    pub status: u16,
    /// The headers in order; names lower case, values lossily decoded as UTF-8.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Bytes,
}

impl HttpClientResponse {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Conn {
    sender: SendRequest<Full<Bytes>>,
    driver: tokio::task::JoinHandle<()>,
    local_addr: Option<SocketAddr>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

/// One keep-alive HTTP/1.1 connection to one server, reopened on demand.
pub struct HttpClient {
    target: Target,
    tls: Option<(Arc<rustls::ClientConfig>, ServerName<'static>)>,
    options: ClientOptions,
    conn: Option<Conn>,
    connections_opened: u64,
    tls_version: Option<TlsVersion>,
}

impl HttpClient {
    /// Connects to `target` (see [`Target::parse`]); TLS when the URL says `https` or `tls` is
    /// given (an `https` URL without `tls` is an error: there is nothing to trust).
    pub async fn connect(
        target: &str,
        tls: Option<TlsClientConfig>,
        options: ClientOptions,
    ) -> Result<HttpClient, TransportError> {
        let mut t = Target::parse(target)?;
        if t.tls && tls.is_none() {
            return Err(TransportError::Target {
                target: target.to_string(),
                reason: "https needs a TLS client configuration (what to trust)".into(),
            });
        }
        t.tls = tls.is_some();
        HttpClient::connect_target(t, tls, options).await
    }

    /// Connects to a parsed target.
    pub async fn connect_target(
        target: Target,
        tls: Option<TlsClientConfig>,
        options: ClientOptions,
    ) -> Result<HttpClient, TransportError> {
        let tls = match tls {
            Some(cfg) => {
                let name = cfg
                    .server_name
                    .clone()
                    .unwrap_or_else(|| target.host.clone());
                let server_name =
                    ServerName::try_from(name.clone()).map_err(|e| TransportError::Target {
                        target: name,
                        reason: format!("not a valid TLS server name: {e}"),
                    })?;
                Some((cfg.build()?, server_name))
            }
            None => None,
        };
        let mut client = HttpClient {
            target: Target {
                tls: tls.is_some(),
                ..target
            },
            tls,
            options,
            conn: None,
            connections_opened: 0,
            tls_version: None,
        };
        client.open().await?;
        Ok(client)
    }

    /// The target.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// The options.
    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// How many connections were opened so far (1 after `connect`; more after reconnects).
    pub fn connections_opened(&self) -> u64 {
        self.connections_opened
    }

    /// The TLS version of the last handshake.
    pub fn tls_version(&self) -> Option<TlsVersion> {
        self.tls_version
    }

    /// The local address of the current connection.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.conn.as_ref().and_then(|c| c.local_addr)
    }

    /// Whether a connection is open and usable now.
    pub fn is_connected(&self) -> bool {
        self.conn.as_ref().is_some_and(|c| !c.sender.is_closed())
    }

    /// Closes the connection (the next request opens a new one).
    pub fn close(&mut self) {
        self.conn = None;
    }

    async fn open(&mut self) -> Result<(), TransportError> {
        self.conn = None;
        let addr = format!("{}:{}", self.target.host, self.target.port);
        let connect_timeout = self.options.connect_timeout;
        let tcp = tokio::time::timeout(connect_timeout, TcpStream::connect(addr.as_str()))
            .await
            .map_err(|_| TransportError::Timeout {
                what: "connect",
                after: connect_timeout,
            })?
            .map_err(|source| TransportError::Connect {
                addr: addr.clone(),
                source,
            })?;
        let _ = tcp.set_nodelay(true);
        let local_addr = tcp.local_addr().ok();
        let (sender, driver) = match &self.tls {
            None => handshake(tcp).await?,
            Some((config, name)) => {
                let connector = tokio_rustls::TlsConnector::from(config.clone());
                let limit = self.options.tls_handshake_timeout;
                let stream = tokio::time::timeout(limit, connector.connect(name.clone(), tcp))
                    .await
                    .map_err(|_| TransportError::Timeout {
                        what: "TLS handshake",
                        after: limit,
                    })?
                    .map_err(|e| {
                        let mut reason = e.to_string();
                        if reason.contains("invalid peer certificate") {
                            reason.push_str(
                                " (the server's certificate does not chain to a trusted CA \
                                 or does not name this host)",
                            );
                        }
                        TransportError::TlsHandshake {
                            server: name.to_str().into_owned(),
                            reason,
                        }
                    })?;
                self.tls_version = TlsVersion::from_rustls(stream.get_ref().1.protocol_version());
                handshake(stream).await?
            }
        };
        self.connections_opened += 1;
        self.conn = Some(Conn {
            sender,
            driver,
            local_addr,
        });
        Ok(())
    }

    /// A usable connection: the current one if still open, else a new one.
    async fn ready(&mut self) -> Result<(), TransportError> {
        if let Some(c) = self.conn.as_mut()
            && !c.sender.is_closed()
            && c.sender.ready().await.is_ok()
        {
            return Ok(());
        }
        debug!(target = %self.target.host_header(), "reconnecting");
        self.open().await
    }

    /// Sends one request on the kept connection and reads the whole response, within
    /// [`ClientOptions::request_timeout`]. Only the `Host` header is added.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Bytes,
    ) -> Result<HttpClientResponse, TransportError> {
        let limit = self.options.request_timeout;
        match tokio::time::timeout(limit, self.request_inner(method, path, headers, body)).await {
            Ok(r) => r,
            Err(_) => {
                // The connection is in an unknown state: drop it.
                self.conn = None;
                Err(TransportError::Timeout {
                    what: "request",
                    after: limit,
                })
            }
        }
    }

    async fn request_inner(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: Bytes,
    ) -> Result<HttpClientResponse, TransportError> {
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|e| TransportError::InvalidRequest(format!("method {method:?}: {e}")))?;
        let mut built = Vec::with_capacity(headers.len());
        for (n, v) in headers {
            let name = HeaderName::from_bytes(n.as_bytes())
                .map_err(|e| TransportError::InvalidRequest(format!("header name {n:?}: {e}")))?;
            let value = HeaderValue::from_str(v)
                .map_err(|e| TransportError::InvalidRequest(format!("header {n}: {e}")))?;
            built.push((name, value));
        }
        let host = HeaderValue::from_str(&self.target.host_header())
            .map_err(|e| TransportError::InvalidRequest(format!("host: {e}")))?;
        let make = || -> Result<Request<Full<Bytes>>, TransportError> {
            let mut req = Request::builder()
                .method(method.clone())
                .uri(path)
                .body(Full::new(body.clone()))
                .map_err(|e| TransportError::InvalidRequest(e.to_string()))?;
            let h = req.headers_mut();
            h.insert(hyper::header::HOST, host.clone());
            for (n, v) in &built {
                h.append(n.clone(), v.clone());
            }
            Ok(req)
        };
        let mut retried = false;
        let response = loop {
            let req = make()?;
            self.ready().await?;
            let Some(conn) = self.conn.as_mut() else {
                return Err(TransportError::Http("no connection".into()));
            };
            match conn.sender.send_request(req).await {
                Ok(r) => break r,
                Err(e) if e.is_canceled() && !retried => {
                    debug!("request not sent (connection closing): retrying on a new one");
                    retried = true;
                    self.conn = None;
                }
                Err(e) => {
                    self.conn = None;
                    return Err(TransportError::Http(e.to_string()));
                }
            }
        };
        let status = response.status().as_u16();
        let close = response
            .headers()
            .get(hyper::header::CONNECTION)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let max = self.options.max_response_body;
        let body = match Limited::new(response.into_body(), max).collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => {
                self.conn = None;
                if e.downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some()
                {
                    return Err(TransportError::ResponseTooLarge { limit: max });
                }
                return Err(TransportError::Http(e.to_string()));
            }
        };
        if close {
            self.conn = None;
        }
        Ok(HttpClientResponse {
            status,
            headers,
            body,
        })
    }
}

async fn handshake<I>(
    io: I,
) -> Result<(SendRequest<Full<Bytes>>, tokio::task::JoinHandle<()>), TransportError>
where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| TransportError::Http(e.to_string()))?;
    let driver = tokio::spawn(async move {
        if let Err(e) = conn.await {
            debug!("client connection ended: {e}");
        }
    });
    Ok((sender, driver))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_targets() {
        let t = Target::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(
            t,
            Target {
                tls: false,
                host: "127.0.0.1".into(),
                port: 8080,
                path: None
            }
        );
        let t = Target::parse("https://eim.example/gsma/rsp2/asn1").unwrap();
        assert!(t.tls);
        assert_eq!(t.port, 443);
        assert_eq!(t.path.as_deref(), Some("/gsma/rsp2/asn1"));
        assert_eq!(t.host_header(), "eim.example:443");
        let t = Target::parse("[::1]:9000").unwrap();
        assert_eq!(t.host, "::1");
        assert_eq!(t.host_header(), "[::1]:9000");
        let t = Target::parse("http://localhost:1/").unwrap();
        assert_eq!(t.path, None);
        for bad in [
            "ftp://x:1",
            "x",
            "http://:80",
            "http://h:99999",
            "[::1",
            "[::1]x",
            "h:p",
        ] {
            assert!(
                matches!(Target::parse(bad), Err(TransportError::Target { .. })),
                "{bad}"
            );
        }
        let t = Target::from("127.0.0.1:5".parse::<SocketAddr>().unwrap());
        assert_eq!(t.host_header(), "127.0.0.1:5");
    }
}
