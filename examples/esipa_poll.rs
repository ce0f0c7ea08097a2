//! A small ESipa load client: N keep-alive connections (one tokio task and one `EsipaClient`
//! each) post the same DER body in a loop for a fixed time, then it prints requests/s, the
//! status counts and the p50/p99 latency.
//!
//! ```text
//! cargo run --release --example esipa_poll -- --url http://127.0.0.1:PORT \
//!     --body-hex bf4f125a10... --connections 32 --seconds 5
//! ```
//!
//! For HTTPS give `--ca FILE` (the CA certificate to trust, DER or PEM) and optionally
//! `--tls-version 1.2|1.3`.
//!
//! With `--serve-mock 127.0.0.1:PORT` it runs instead a mock ESipa server (the ESipa binding
//! in front of a handler that answers a fixed message, `--mock-reply-hex`, or echoes the body)
//! until Ctrl-C, to try the client without an eIM; `--mock-tls-ca-out FILE` makes it serve
//! HTTPS with the test PKI's eIM TLS certificate and writes the test CI certificate (DER) there.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use sgp32_harness::pki::Pki;
use sgp32_harness::transport::{
    BindingOptions, ClientOptions, EsipaBinding, EsipaClient, EsipaHandler, EsipaReply, HttpServer,
    TlsClientConfig, TlsServerConfig, TlsVersions,
};

#[derive(Parser, Debug)]
#[command(about = "ESipa keep-alive load client (and mock server)")]
struct Args {
    /// The eIM: http://HOST:PORT or https://HOST:PORT (path /gsma/rsp2/asn1 by default).
    #[arg(long)]
    url: Option<String>,
    /// The DER body to post, hex.
    #[arg(long)]
    body_hex: Option<String>,
    /// Number of keep-alive connections (one task each).
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Duration of the run, in seconds.
    #[arg(long, default_value_t = 5.0)]
    seconds: f64,
    /// CA certificate to trust for https (DER or PEM).
    #[arg(long)]
    ca: Option<PathBuf>,
    /// TLS version: 1.2, 1.3 or both.
    #[arg(long, default_value = "both")]
    tls_version: String,
    /// Run a mock ESipa server on this address instead (until Ctrl-C).
    #[arg(long)]
    serve_mock: Option<SocketAddr>,
    /// The mock's fixed answer, hex (default: echo the request body).
    #[arg(long)]
    mock_reply_hex: Option<String>,
    /// Serve HTTPS (test PKI, seed 1) and write the test CI certificate (DER) to this file.
    #[arg(long)]
    mock_tls_ca_out: Option<PathBuf>,
}

struct MockEim {
    reply: Option<Vec<u8>>,
}

impl EsipaHandler for MockEim {
    fn handle_esipa(&self, body: &[u8]) -> EsipaReply {
        EsipaReply::Message(self.reply.clone().unwrap_or_else(|| body.to_vec()))
    }
}

#[derive(Default)]
struct Stats {
    latencies_us: Vec<u32>,
    statuses: BTreeMap<u16, u64>,
    errors: BTreeMap<String, u64>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(addr) = args.serve_mock {
        return serve_mock(addr, &args).await;
    }
    let url = args.url.clone().context("--url is required")?;
    let body = hex::decode(args.body_hex.as_deref().context("--body-hex is required")?)
        .context("--body-hex is not hex")?;
    if args.connections == 0 || args.seconds.is_nan() || args.seconds <= 0.0 {
        bail!("--connections and --seconds must be positive");
    }
    let tls = match &args.ca {
        None => None,
        Some(path) => {
            let bytes = std::fs::read(path).with_context(|| format!("reading {path:?}"))?;
            let der = match pem::parse(&bytes) {
                Ok(p) => p.into_contents(),
                Err(_) => bytes,
            };
            let versions = match args.tls_version.as_str() {
                "1.2" => TlsVersions::Tls12Only,
                "1.3" => TlsVersions::Tls13Only,
                "both" => TlsVersions::Both,
                other => bail!("--tls-version {other}: use 1.2, 1.3 or both"),
            };
            Some(TlsClientConfig::trusting(vec![der]).with_versions(versions))
        }
    };
    let duration = Duration::from_secs_f64(args.seconds);
    let body = Arc::new(body);
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::with_capacity(args.connections);
    for _ in 0..args.connections {
        let (url, tls, body) = (url.clone(), tls.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            let mut stats = Stats::default();
            let mut client = match EsipaClient::connect(&url, tls, ClientOptions::default()).await {
                Ok(c) => c,
                Err(e) => {
                    *stats.errors.entry(e.to_string()).or_default() += 1;
                    return stats;
                }
            };
            while Instant::now() < deadline {
                let t = Instant::now();
                match client.post(&body).await {
                    Ok(r) => {
                        let us = u32::try_from(t.elapsed().as_micros()).unwrap_or(u32::MAX);
                        stats.latencies_us.push(us);
                        *stats.statuses.entry(r.status).or_default() += 1;
                    }
                    Err(e) => {
                        *stats.errors.entry(e.to_string()).or_default() += 1;
                        // Don't spin on a dead server.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            stats
        }));
    }
    let mut all = Stats::default();
    for t in tasks {
        let s = t.await.context("a client task failed")?;
        all.latencies_us.extend(s.latencies_us);
        for (k, v) in s.statuses {
            *all.statuses.entry(k).or_default() += v;
        }
        for (k, v) in s.errors {
            *all.errors.entry(k).or_default() += v;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let total = all.latencies_us.len();
    all.latencies_us.sort_unstable();
    let pct = |p: f64| -> f64 {
        if total == 0 {
            return 0.0;
        }
        let i = ((total as f64 * p).ceil() as usize).clamp(1, total) - 1;
        f64::from(all.latencies_us[i]) / 1000.0
    };
    println!("url            {url}");
    println!("connections    {}", args.connections);
    println!("body           {} bytes", body.len());
    println!("duration       {elapsed:.2} s");
    println!("requests       {total}");
    println!("requests/s     {:.0}", total as f64 / elapsed);
    let statuses: Vec<String> = all
        .statuses
        .iter()
        .map(|(s, n)| format!("{s}: {n}"))
        .collect();
    println!("statuses       {}", statuses.join(", "));
    println!(
        "latency ms     p50 {:.3}  p99 {:.3}  max {:.3}",
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
    for (e, n) in &all.errors {
        println!("error x{n}: {e}");
    }
    Ok(())
}

async fn serve_mock(addr: SocketAddr, args: &Args) -> Result<()> {
    let reply = match &args.mock_reply_hex {
        Some(h) => Some(hex::decode(h).context("--mock-reply-hex is not hex")?),
        None => None,
    };
    let tls = match &args.mock_tls_ca_out {
        None => None,
        Some(path) => {
            let pki = Pki::generate(1, 0)?;
            std::fs::write(path, &pki.ci.cert_der).with_context(|| format!("writing {path:?}"))?;
            Some(TlsServerConfig::from_credential(&pki.eim_tls)?)
        }
    };
    let binding = Arc::new(EsipaBinding::with_options(
        Arc::new(MockEim { reply }),
        BindingOptions::default(),
    ));
    let server = HttpServer::bind(addr, tls, binding).await?;
    println!("mock ESipa server on {}/gsma/rsp2/asn1", server.base_url());
    tokio::signal::ctrl_c().await?;
    server.shutdown().await;
    println!("stopped");
    Ok(())
}
