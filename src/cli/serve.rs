//! `sgp32 serve eim` (the reference eIM standalone) and `sgp32 serve smdp` (the mock SM-DP+).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::{GlobalArgs, Outcome};
use crate::crypto::Backend;
use crate::eim::server::{EimCoapOptions, EimServerOptions, RunningEim};
use crate::eim::{EimConfig, EimFault, EimFaults};
use crate::pki::Pki;
use crate::smdp::server::{RunningSmdp, SmdpServerOptions};
use crate::smdp::{SmdpConfig, sgp26_v3_dir};
use crate::transport::{CoapConfig, LinkProfile, TlsClientConfig};

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(subcommand)]
    pub command: ServeCommand,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub enum ServeCommand {
    /// Run the reference eIM: ESipa over HTTP(S) (and CoAP, CoAP/DTLS) and the JSON order
    /// API, until Ctrl-C.
    Eim(ServeEimArgs),
    /// Run the mock SM-DP+: ES9+ (JSON and ASN.1 bindings) and ES2+ over HTTP(S), until Ctrl-C.
    Smdp(ServeSmdpArgs),
}

#[derive(Debug, Args)]
pub struct ServeEimArgs {
    /// ESipa listen address (port 0: any free port; the one chosen is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// ESipa over HTTPS with the test PKI's eIM TLS certificate (TLS 1.2 and 1.3).
    #[arg(long)]
    pub tls: bool,
    /// ESipa over CoAP/UDP listen address (SGP.32 6.2), e.g. 127.0.0.1:5683.
    #[arg(long, value_name = "ADDR")]
    pub coap: Option<SocketAddr>,
    /// ESipa over CoAP/DTLS listen address, e.g. 127.0.0.1:5684: the test PKI's eIM TLS
    /// certificate (ECDHE-ECDSA) and PSKs derived from the seed (identity: the EID in hex).
    #[arg(long, value_name = "ADDR")]
    pub coaps: Option<SocketAddr>,
    /// CoAP block size for Block2 responses (16 to 1024, a power of two).
    #[arg(long, default_value_t = 1024, value_name = "BYTES")]
    pub coap_block_size: usize,
    /// CoAP ACK_TIMEOUT in milliseconds (RFC 7252 4.8; separate responses after half of it).
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    pub coap_ack_timeout: u64,
    /// An emulated lossy link in front of the CoAP listeners, one flow per device address,
    /// e.g. `loss=0.1,reorder=0.1,delay=50ms,jitter=20ms,seed=7`.
    #[arg(long, value_name = "PROFILE")]
    pub coap_link: Option<LinkProfile>,
    /// Order API listen address (JSON over HTTP).
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub api: SocketAddr,
    /// Switch a fault on (repeatable); see --list-faults.
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<String>,
    /// Print the fault names, one a line, each with a description after a tab, and exit.
    #[arg(long)]
    pub list_faults: bool,
    /// Write a SUT profile (TOML) for `run` and `load` in another process.
    #[arg(long, value_name = "FILE")]
    pub write_sut: Option<PathBuf>,
    /// Crypto backend for signing and verifying: aws-lc (default) or rustcrypto.
    #[arg(long, default_value = "aws-lc")]
    pub crypto: Backend,
    /// Relay ES9+' for SM-DP+ address ADDRESS to URL (`http(s)://host:port`; repeatable),
    /// e.g. `--smdp testsmdpplus1.example.com=https://127.0.0.1:8443`.
    #[arg(long = "smdp", value_name = "ADDRESS=URL", value_parser = parse_smdp)]
    pub smdp: Vec<(String, String)>,
    /// Trust exactly this SM-DP+ TLS certificate (PEM or DER file) instead of the test PKI's
    /// CI for HTTPS SM-DP+ URLs.
    #[arg(long, value_name = "FILE")]
    pub smdp_tls_pin: Option<PathBuf>,
}

/// `ADDRESS=URL` of `--smdp`.
fn parse_smdp(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((a, u))
            if !a.is_empty() && (u.starts_with("http://") || u.starts_with("https://")) =>
        {
            Ok((a.to_string(), u.to_string()))
        }
        _ => Err(format!("{s:?} is not ADDRESS=http(s)://host:port")),
    }
}

#[derive(Debug, Args)]
pub struct ServeSmdpArgs {
    /// Listen address (port 0: any free port; the one chosen is printed).
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
    /// Its SM-DP+ address (FQDN); requests naming another get 8.8.1/3.8. Default: the listen
    /// address actually bound.
    #[arg(long, value_name = "FQDN")]
    pub address: Option<String>,
    /// HTTPS with the test PKI's SM-DP+ TLS certificate (TLS 1.2 and 1.3).
    #[arg(long)]
    pub tls: bool,
    /// Sign with the harness PKI's DPauth/DPpb instead of the SGP.26 v3 test certificates.
    #[arg(long)]
    pub harness_pki: bool,
    /// The SGP.26 v3 certificate directory (default: shared/spec/certs/sgp26-v3).
    #[arg(long, value_name = "DIR")]
    pub sgp26: Option<PathBuf>,
    /// Crypto backend for signing and verifying: aws-lc (default) or rustcrypto.
    #[arg(long, default_value = "aws-lc")]
    pub crypto: Backend,
    /// Bind every package with ReplaceSessionKeys (SGP.22 5.5.3): the profile elements are
    /// protected with fresh PPK keys instead of the session keys.
    #[arg(long)]
    pub replace_session_keys: bool,
}

pub fn run(global: &GlobalArgs, args: &ServeArgs) -> anyhow::Result<Outcome> {
    match &args.command {
        ServeCommand::Eim(eim) => serve_eim(global, eim),
        ServeCommand::Smdp(smdp) => serve_smdp(global, smdp),
    }
}

fn serve_eim(global: &GlobalArgs, args: &ServeEimArgs) -> anyhow::Result<Outcome> {
    if args.list_faults {
        print!("{}", EimFault::list());
        return Ok(Outcome::Success);
    }
    let faults = EimFaults::parse_names(&args.faults)
        .map_err(|e| anyhow::anyhow!("{e} (see `sgp32 serve eim --list-faults`)"))?;
    let pki = Pki::from_seed_or_dir(global.seed, global.pki.as_deref(), 0)
        .context("cannot set up the test PKI")?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let options = EimServerOptions {
            listen: args.listen,
            tls: args.tls,
            api: Some(args.api),
        };
        let mut config = EimConfig::from_pki(&pki, args.crypto)?.with_faults(faults);
        for (address, url) in &args.smdp {
            config = config.with_smdp(address, url);
        }
        if let Some(path) = &args.smdp_tls_pin {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let der = match pem::parse(&bytes) {
                Ok(p) => p.contents().to_vec(),
                Err(_) => bytes,
            };
            config.smdp_tls = TlsClientConfig::pinning(der);
        }
        let coap = EimCoapOptions {
            coap: args.coap,
            coaps: args.coaps,
            config: CoapConfig {
                block_size: args.coap_block_size,
                ack_timeout: std::time::Duration::from_millis(args.coap_ack_timeout),
                ..CoapConfig::default()
            },
            dtls: None,
            link: args.coap_link,
        };
        coap.config
            .validate()
            .map_err(|e| anyhow::anyhow!("bad CoAP settings: {e}"))?;
        let running = RunningEim::start_with_coap(&pki, config, &options, &coap).await?;
        // Listen for the stop signal before saying where we listen, so a stop sent right after
        // reading that line is never missed.
        let stop = StopSignal::install()?;
        println!("ESipa: {}", running.esipa_url());
        if let Some(url) = running.coap_url() {
            println!("ESipa CoAP: {url}");
        }
        if let Some(url) = running.coaps_url() {
            println!("ESipa CoAPS: {url}");
        }
        if let Some(link) = args.coap_link {
            println!("CoAP link: {link}");
        }
        if let Some(api) = running.api_url() {
            println!("order API: {api}");
        }
        for fault in faults.iter() {
            println!("fault: {}", fault.name());
        }
        for (address, url) in &args.smdp {
            println!("SM-DP+ {address}: {url}");
        }
        if let Some(path) = &args.write_sut {
            running.sut_profile().write(path)?;
            println!("SUT profile: {}", path.display());
        }
        tracing::info!("serving until Ctrl-C");
        stop.wait().await;
        running.shutdown().await;
        println!("stopped");
        Ok(Outcome::Success)
    })
}

fn serve_smdp(global: &GlobalArgs, args: &ServeSmdpArgs) -> anyhow::Result<Outcome> {
    let pki = Pki::from_seed_or_dir(global.seed, global.pki.as_deref(), 0)
        .context("cannot set up the test PKI")?;
    let config = if args.harness_pki {
        SmdpConfig::from_harness_pki(&pki, args.crypto)?
    } else {
        let dir = args.sgp26.clone().unwrap_or_else(sgp26_v3_dir);
        SmdpConfig::sgp26_default(&pki, &dir, args.crypto).with_context(|| {
            format!(
                "cannot load the SGP.26 v3 certificates from {}",
                dir.display()
            )
        })?
    };
    let config = SmdpConfig {
        replace_session_keys: args.replace_session_keys,
        ..config
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let options = SmdpServerOptions {
            listen: args.listen,
            tls: args.tls,
            address: args.address.clone(),
        };
        let running = RunningSmdp::start(&pki, config, &options).await?;
        let stop = StopSignal::install()?;
        println!("SM-DP+ address: {}", running.smdp().address());
        println!("ES9+: {}", running.es9_url());
        println!("ES2+: {}", running.es2_url());
        println!("ES9+ ASN.1: {}", running.asn1_url());
        tracing::info!("serving until Ctrl-C");
        stop.wait().await;
        running.shutdown().await;
        println!("stopped");
        Ok(Outcome::Success)
    })
}

/// Ctrl-C (SIGINT) or, on Unix, SIGTERM: registered when installed, not when first awaited.
struct StopSignal {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignal {
    fn install() -> anyhow::Result<StopSignal> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignal {
                interrupt: signal(SignalKind::interrupt()).context("cannot handle SIGINT")?,
                terminate: signal(SignalKind::terminate()).context("cannot handle SIGTERM")?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(StopSignal {})
        }
    }

    async fn wait(mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => {}
                _ = self.terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = &mut self;
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smdp_mappings_parse() {
        assert_eq!(
            parse_smdp("testsmdpplus1.example.com=https://127.0.0.1:8443").unwrap(),
            (
                "testsmdpplus1.example.com".to_string(),
                "https://127.0.0.1:8443".to_string()
            )
        );
        assert!(parse_smdp("a=127.0.0.1:80").is_err());
        assert!(parse_smdp("=http://x:1").is_err());
        assert!(parse_smdp("no-equals").is_err());
    }
}
