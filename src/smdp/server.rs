//! The mock SM-DP+ on sockets (HTTP or HTTPS with the harness PKI's `dp_tls`): ES9+ JSON
//! (`/gsma/rsp2/es9plus/*`), ES2+ JSON (`/gsma/rsp2/es2plus/*`) and the ES9+ ASN.1 binding
//! (`POST /gsma/rsp2/asn1`, `application/x-gsma-rsp-asn1`). `sgp32 serve smdp` runs this.
//!
//! HTTP statuses: 200 with the JSON answer (success or Failed with its status code); 204 for
//! HandleNotification; 404 an unknown path; 405 another method than POST; ASN.1 binding: 400 a
//! body that is not a RemoteProfileProvisioningRequest or the wrong content type.
//! The SM-DP+ is created once its socket is bound, so that its address defaults to the
//! address actually listened on (also with port 0).

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use super::es9_json::{
    ES2_PREFIX, ES9_PREFIX, JSON_CONTENT_TYPE, JsonAnswer, answer_admin_protocol, check_headers,
};
use super::{ASN1_CONTENT_TYPE, Asn1Answer, Smdp, SmdpConfig};
use crate::pki::Pki;
use crate::transport::{
    HttpHandler, HttpRequest, HttpResponse, HttpServer, RunningServer, TlsServerConfig,
    TransportError,
};

/// The ASN.1 binding's path.
pub const ASN1_PATH: &str = "/gsma/rsp2/asn1";

/// The SM-DP+ behind the server, set right after the socket is bound.
#[derive(Default)]
struct SmdpSlot(OnceLock<Arc<Smdp>>);

impl HttpHandler for SmdpSlot {
    fn handle(&self, request: HttpRequest) -> HttpResponse {
        match self.0.get() {
            Some(smdp) => handle_http(smdp, &request),
            None => HttpResponse::text(503, "the SM-DP+ is starting"),
        }
    }
}

/// Answers one HTTP request (the routing of the module docs).
pub fn handle_http(smdp: &Smdp, request: &HttpRequest) -> HttpResponse {
    let path = request.path_only();
    let json_function = path
        .strip_prefix(ES9_PREFIX)
        .map(|f| (true, f))
        .or_else(|| path.strip_prefix(ES2_PREFIX).map(|f| (false, f)));
    if path != ASN1_PATH && json_function.is_none() {
        return HttpResponse::text(404, "not found");
    }
    if request.method != "POST" {
        return HttpResponse::text(405, "only POST").with_header("Allow", "POST");
    }
    let admin = request.header("X-Admin-Protocol");
    let protocol = answer_admin_protocol(admin);
    let Some((es9, function)) = json_function else {
        let ct_ok = request
            .header("Content-Type")
            .is_some_and(|c| c.trim().eq_ignore_ascii_case(ASN1_CONTENT_TYPE));
        if !ct_ok {
            return HttpResponse::text(400, "Content-Type must be application/x-gsma-rsp-asn1");
        }
        return match smdp.handle_asn1(&request.body) {
            Asn1Answer::Message(der) => HttpResponse::new(200, der)
                .with_header("Content-Type", ASN1_CONTENT_TYPE)
                .with_header("X-Admin-Protocol", &protocol),
            Asn1Answer::NoContent => {
                HttpResponse::new(204, Vec::new()).with_header("X-Admin-Protocol", &protocol)
            }
            Asn1Answer::Undecodable(reason) => HttpResponse::text(400, &reason),
        };
    };
    let answer = match check_headers(request.header("Content-Type"), admin) {
        Err(status) => JsonAnswer::failed(status),
        Ok(()) if es9 => smdp.handle_es9_json(function, &request.body),
        Ok(()) => smdp.handle_es2_json(function, &request.body),
    };
    match answer.status {
        404 => HttpResponse::text(404, "no such function"),
        204 => HttpResponse::new(204, Vec::new()).with_header("X-Admin-Protocol", &protocol),
        status => HttpResponse::new(status, answer.body_bytes())
            .with_header("Content-Type", JSON_CONTENT_TYPE)
            .with_header("X-Admin-Protocol", &protocol),
    }
}

/// How to run the SM-DP+.
#[derive(Debug, Clone)]
pub struct SmdpServerOptions {
    /// The listen address.
    pub listen: SocketAddr,
    /// HTTPS with the harness PKI's `dp_tls` certificate.
    pub tls: bool,
    /// Its SM-DP+ address; None: the bound address (`127.0.0.1:PORT`).
    pub address: Option<String>,
}

/// Why the SM-DP+ could not start.
#[derive(Debug, thiserror::Error)]
pub enum SmdpServerError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Smdp(#[from] super::SmdpError),
}

/// A running SM-DP+.
pub struct RunningSmdp {
    smdp: Arc<Smdp>,
    server: RunningServer,
    tls_cert_der: Vec<u8>,
}

impl RunningSmdp {
    /// Binds and starts answering; `config.address` is replaced by `options.address` or the
    /// bound address.
    pub async fn start(
        pki: &Pki,
        mut config: SmdpConfig,
        options: &SmdpServerOptions,
    ) -> Result<RunningSmdp, SmdpServerError> {
        let slot = Arc::new(SmdpSlot::default());
        let tls = if options.tls {
            Some(TlsServerConfig::from_credential(&pki.dp_tls)?)
        } else {
            None
        };
        let handler: Arc<dyn HttpHandler> = slot.clone();
        let server = HttpServer::bind(options.listen, tls, handler).await?;
        config.address = options
            .address
            .clone()
            .unwrap_or_else(|| server.local_addr().to_string());
        let smdp = Arc::new(Smdp::new(config));
        let _ = slot.0.set(smdp.clone());
        Ok(RunningSmdp {
            smdp,
            server,
            tls_cert_der: pki.dp_tls.cert_der.clone(),
        })
    }

    /// The SM-DP+ itself.
    pub fn smdp(&self) -> &Arc<Smdp> {
        &self.smdp
    }

    /// `http://127.0.0.1:PORT` or `https://...`.
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// The ES9+ JSON base URL (`.../gsma/rsp2/es9plus`).
    pub fn es9_url(&self) -> String {
        format!("{}{}", self.base_url(), ES9_PREFIX.trim_end_matches('/'))
    }

    /// The ES2+ JSON base URL (`.../gsma/rsp2/es2plus`).
    pub fn es2_url(&self) -> String {
        format!("{}{}", self.base_url(), ES2_PREFIX.trim_end_matches('/'))
    }

    /// The ASN.1 binding URL.
    pub fn asn1_url(&self) -> String {
        format!("{}{ASN1_PATH}", self.base_url())
    }

    /// The socket address.
    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// The TLS certificate (DER) clients should trust when TLS is on.
    pub fn tls_cert_der(&self) -> &[u8] {
        &self.tls_cert_der
    }

    /// Stops (open requests finish first).
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}
