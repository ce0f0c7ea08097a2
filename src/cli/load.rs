//! `sgp32 load` (a load scenario against a SUT, on goose) and `sgp32 load merge` (shard
//! summaries into one). Exit status 1 when a gate of the scenario is missed.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand};

use super::{GlobalArgs, Outcome};
use crate::crypto::Backend;
use crate::eim::EimFaults;
use crate::load::{self, LoadOptions, LoadSummary, Scenario, Shard, SutChoice};
use crate::pki::Pki;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct LoadArgs {
    #[command(subcommand)]
    pub command: Option<LoadCommand>,
    /// The load model (TOML; see `scenarios/`).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
    /// The SUT: `reference` (the embedded reference eIM on 127.0.0.1) or a SUT profile (TOML,
    /// as `sgp32 serve eim --write-sut` writes).
    #[arg(long, default_value = "reference", value_name = "reference|FILE")]
    pub sut: String,
    /// ESipa transport: http, https, coap or coaps (the SUT profile's endpoint of that name).
    #[arg(long, default_value = "http")]
    pub transport: String,
    /// Population size (overrides the scenario's).
    #[arg(long, value_name = "N")]
    pub devices: Option<u64>,
    /// How long the clock runs (overrides the scenario's), e.g. `30s`, `5m`.
    #[arg(long, value_name = "D")]
    pub duration: Option<String>,
    /// Goose users acting as workers (overrides the scenario's).
    #[arg(long, value_name = "N")]
    pub workers: Option<usize>,
    /// Keep-alive ESipa connections the workers share (overrides the scenario's).
    #[arg(long, value_name = "N")]
    pub connections: Option<usize>,
    /// Switch a fault of the embedded reference eIM on (repeatable; `serve eim --list-faults`).
    #[arg(long = "eim-fault", value_name = "NAME")]
    pub eim_faults: Vec<String>,
    /// Take part K (0-based) of N of the device-index range.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Output directory (default `reports/<run-id>/`): load-summary.json, goose-report.*.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Crypto backend of the simulated eUICCs and the embedded eIM: aws-lc or rustcrypto.
    #[arg(long, default_value = "aws-lc")]
    pub crypto: Backend,
    /// No progress lines on stderr.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum LoadCommand {
    /// Merge shard outputs (each a directory with load-summary.json) into one summary:
    /// histograms added, counts summed; exit 1 when a gate is missed.
    Merge(MergeArgs),
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard output directories (or load-summary.json files).
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Where the merged load-summary.json goes.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// `sgp32 load` / `sgp32 load merge`.
pub fn run(global: &GlobalArgs, args: &LoadArgs) -> anyhow::Result<Outcome> {
    if let Some(LoadCommand::Merge(m)) = &args.command {
        return merge(m);
    }
    let path = args
        .scenario
        .as_ref()
        .context("--scenario FILE is required (see scenarios/)")?;
    let mut scenario = Scenario::read(path)?;
    if let Some(n) = args.devices {
        scenario.devices = n;
    }
    if let Some(d) = &args.duration {
        scenario.duration = load::scenario::parse_duration(d).map_err(anyhow::Error::msg)?;
    }
    if let Some(w) = args.workers {
        scenario.workers = w;
    }
    if let Some(c) = args.connections {
        scenario.connections = Some(c);
    }
    scenario
        .check()
        .map_err(|e| anyhow::anyhow!("scenario {}: {e}", path.display()))?;
    let faults = EimFaults::parse_names(&args.eim_faults)
        .map_err(|e| anyhow::anyhow!("{e} (see `sgp32 serve eim --list-faults`)"))?;
    let shard = match &args.shard {
        Some(s) => Shard::parse(s)?,
        None => Shard::ALL,
    };
    let out = match &args.out {
        Some(d) => d.clone(),
        None => {
            crate::report::default_out_dir(&crate::report::run_id(time::OffsetDateTime::now_utc())?)
        }
    };
    let pki = Pki::from_seed_or_dir(global.seed, global.pki.as_deref(), 0)
        .context("cannot set up the test PKI")?;
    let options = LoadOptions {
        scenario,
        scenario_path: path.display().to_string(),
        sut: if args.sut == "reference" {
            SutChoice::Reference
        } else {
            SutChoice::Profile(PathBuf::from(&args.sut))
        },
        transport: args.transport.clone(),
        faults,
        shard,
        out: out.clone(),
        pki: Arc::new(pki),
        backend: args.crypto,
        progress: !args.quiet,
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let outcome = runtime.block_on(load::run(options))?;
    report(&outcome.summary, &out);
    Ok(if outcome.gates_passed {
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
}

fn merge(args: &MergeArgs) -> anyhow::Result<Outcome> {
    let parts = args
        .dirs
        .iter()
        .map(|d| LoadSummary::read(d))
        .collect::<Result<Vec<_>, _>>()?;
    let merged = load::merge(&parts)?;
    merged.write(&args.out)?;
    report(&merged, &args.out);
    Ok(if merged.gates.iter().all(|g| g.passed) {
        Outcome::Success
    } else {
        Outcome::CheckFailed
    })
}

fn report(summary: &LoadSummary, out: &std::path::Path) {
    println!("{}", summary.line());
    for (kind, n) in &summary.errors_by_kind {
        println!("  error {kind}: {n}");
    }
    for g in &summary.gates {
        println!(
            "  gate {} {} {}: measured {:.4} -> {}",
            g.gate,
            if g.gate == "achieved_share" {
                ">="
            } else {
                "<="
            },
            g.threshold,
            g.measured,
            if g.passed { "ok" } else { "MISSED" }
        );
    }
    println!(
        "summary: {}",
        out.join(load::summary::SUMMARY_FILE).display()
    );
}
