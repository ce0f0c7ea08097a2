//! `sgp32 run` (the conformance catalogue against a SUT) and `sgp32 list` (the catalogue).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::{GlobalArgs, Outcome};
use crate::conformance::catalogue::{self, list_line};
use crate::conformance::{Observer, RunOptions, SutChoice, TagFilter, run};
use crate::crypto::Backend;
use crate::eim::EimFaults;
use crate::pki::Pki;
use crate::report::{self, CaseResult, Expectations, Verdict};
use crate::transport::{CoapConfig, LinkProfile};

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The SUT: `reference` (the embedded reference eIM, started on 127.0.0.1) or a SUT
    /// profile (TOML, as `sgp32 serve eim --write-sut` writes).
    #[arg(long, default_value = "reference", value_name = "reference|FILE")]
    pub sut: String,
    /// ESipa transport: https, http, coap (CoAP over UDP) or coaps (CoAP over DTLS).
    #[arg(long, default_value = "https")]
    pub transport: String,
    /// CoAP ACK_TIMEOUT in milliseconds (RFC 7252 4.8) for coap/coaps runs.
    #[arg(long, default_value_t = 2000, value_name = "MS")]
    pub coap_ack_timeout: u64,
    /// CoAP MAX_RETRANSMIT.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub coap_max_retransmit: u32,
    /// CoAP block size (16 to 1024, a power of two).
    #[arg(long, default_value_t = 1024, value_name = "BYTES")]
    pub coap_block_size: usize,
    /// An emulated lossy link between the devices and the SUT's CoAP endpoints, e.g.
    /// `loss=0.1,reorder=0.1,delay=5ms,jitter=5ms,duplicate=0.01,seed=7`.
    #[arg(long, value_name = "PROFILE")]
    pub link: Option<LinkProfile>,
    /// coaps with a DTLS pre-shared key instead of certificates: by default the harness's
    /// identity and key of device 0 (its EID in hex, the key derived from --seed).
    #[arg(long)]
    pub dtls_psk: bool,
    /// The PSK identity (text) for --dtls-psk.
    #[arg(long, value_name = "TEXT", requires = "dtls_psk_key")]
    pub dtls_psk_identity: Option<String>,
    /// The PSK (hex) for --dtls-psk.
    #[arg(long, value_name = "HEX", requires = "dtls_psk_identity")]
    pub dtls_psk_key: Option<String>,
    /// Which cases: a cucumber tag expression, e.g. `@psmo and not @slow`.
    #[arg(long, value_name = "EXPR", default_value = "")]
    pub tags: String,
    /// SGP.32 version of the simulated devices: 1.2 or 1.0.
    #[arg(long = "sgp32-version", default_value = "1.2")]
    pub sgp32_version: String,
    /// Switch a fault of the embedded reference eIM on (repeatable; `serve eim --list-faults`).
    #[arg(long = "eim-fault", value_name = "NAME")]
    pub eim_faults: Vec<String>,
    /// Known failures (TOML: `[cases."PSMO-003"] verdict = "FAIL"`, `reason = "..."`).
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
    /// Report directory (default `reports/<run-id>/`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The catalogue root (default `features/` here, else the source tree's).
    #[arg(long, value_name = "DIR")]
    pub features: Option<PathBuf>,
    /// Scenarios run at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Crypto backend of the simulated devices and the embedded eIM: aws-lc or rustcrypto.
    #[arg(long, default_value = "aws-lc")]
    pub crypto: Backend,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Which cases: a cucumber tag expression, e.g. `@psmo and @must`.
    #[arg(long, value_name = "EXPR", default_value = "")]
    pub tags: String,
    /// The catalogue root (default `features/` here, else the source tree's).
    #[arg(long, value_name = "DIR")]
    pub features: Option<PathBuf>,
}

/// `sgp32 list`: one case a line (id, level, spec section, title).
pub fn list(args: &ListArgs) -> anyhow::Result<Outcome> {
    let root = args
        .features
        .clone()
        .unwrap_or_else(catalogue::default_root);
    let tags = TagFilter::parse(&args.tags)?;
    let cases = crate::conformance::runner::list(&root, &tags)?;
    for case in &cases {
        println!("{}", list_line(case));
    }
    Ok(Outcome::Success)
}

/// A progress bar on stderr (hidden when stderr is not a terminal), with a line per case that
/// does not pass.
struct Progress(ProgressBar);

impl Observer for Progress {
    fn started(&self, total: usize) {
        self.0.set_length(total as u64);
    }

    fn finished(&self, case: &CaseResult) {
        self.0.inc(1);
        self.0.set_message(case.id.clone());
        if case.verdict != Verdict::Pass {
            let detail = if case.requirement.is_empty() {
                case.actual.clone()
            } else {
                format!(
                    "{}: expected {}, saw {}",
                    case.requirement, case.expected, case.actual
                )
            };
            self.0.suspend(|| {
                eprintln!("{} {} {}: {detail}", case.verdict, case.id, case.title);
            });
        }
    }
}

/// `sgp32 run`.
pub fn run_catalogue(global: &GlobalArgs, args: &RunArgs) -> anyhow::Result<Outcome> {
    let faults = EimFaults::parse_names(&args.eim_faults)
        .map_err(|e| anyhow::anyhow!("{e} (see `sgp32 serve eim --list-faults`)"))?;
    if !matches!(args.sgp32_version.as_str(), "1.2" | "1.0") {
        anyhow::bail!(
            "--sgp32-version {} is not supported (1.2, 1.0)",
            args.sgp32_version
        );
    }
    let expectations = args.expect.as_deref().map(Expectations::read).transpose()?;
    let pki = Pki::from_seed_or_dir(global.seed, global.pki.as_deref(), 0)
        .context("cannot set up the test PKI")?;
    let started = time::OffsetDateTime::now_utc();
    let out = match &args.out {
        Some(dir) => dir.clone(),
        None => report::default_out_dir(&report::run_id(started)?),
    };
    let pki = Arc::new(pki);
    let dtls_psk = match (&args.dtls_psk_identity, &args.dtls_psk_key) {
        (Some(identity), Some(key)) => Some((
            identity.as_bytes().to_vec(),
            hex::decode(key).context("--dtls-psk-key is not hex")?,
        )),
        _ if args.dtls_psk => Some(crate::conformance::runner::default_psk(&pki)?),
        _ => None,
    };
    let options = RunOptions {
        sut: if args.sut == "reference" {
            SutChoice::Reference
        } else {
            SutChoice::Profile(PathBuf::from(&args.sut))
        },
        transport: args.transport.clone(),
        tags: TagFilter::parse(&args.tags)?,
        faults,
        sgp32_version: args.sgp32_version.clone(),
        root: args
            .features
            .clone()
            .unwrap_or_else(catalogue::default_root),
        out: Some(out.clone()),
        pki,
        backend: args.crypto,
        concurrency: args.concurrency,
        coap: CoapConfig {
            ack_timeout: std::time::Duration::from_millis(args.coap_ack_timeout),
            max_retransmit: args.coap_max_retransmit,
            block_size: args.coap_block_size,
            ..CoapConfig::default()
        },
        link: args.link,
        dtls_psk,
    };
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress = Arc::new(Progress(bar.clone()));
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let mut results = runtime.block_on(run(&options, Some(progress)))?;
    bar.finish_and_clear();
    if let Some(exp) = &expectations {
        for warning in exp.apply(&mut results) {
            eprintln!("warning: {warning}");
        }
    }
    report::write_all(&results, &out)
        .with_context(|| format!("cannot write the reports to {}", out.display()))?;
    let gate = report::gate(&results);
    for p in &gate.unexpected_passes {
        eprintln!("unexpected pass: {p} (expected not to pass; tighten the expectations file)");
    }
    println!("{}", results.summary_line());
    println!("reports: {}", out.join("index.html").display());
    if results.cases.is_empty() {
        anyhow::bail!("no case matches --tags {:?}", args.tags);
    }
    match gate.exit_code {
        0 => Ok(Outcome::Success),
        1 => Ok(Outcome::CheckFailed),
        _ => anyhow::bail!(
            "the harness could not run {} case(s): {} (see the reports)",
            gate.unexpected
                .iter()
                .filter(|u| u.verdict == Verdict::Error)
                .count(),
            gate.unexpected
                .iter()
                .filter(|u| u.verdict == Verdict::Error)
                .map(|u| u.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
