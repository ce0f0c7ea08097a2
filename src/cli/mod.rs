//! The `sgp32` command line (`shared/design/CLI.md`): argument parsing and wiring only.
//!
//! Exit status, for every subcommand: 0 success; 1 a check failed (a FAIL verdict, a missed
//! load gate, a worse comparison, a `decode --check` mismatch); 2 usage or harness error (bad
//! arguments, unreadable input, a port that can't be bound, an internal error).
//! Logs go to stderr through `tracing` (`--log`, or `RUST_LOG`); results go to files under
//! `--out DIR` and a short summary to stdout.

pub mod compare;
pub mod decode;
pub mod load;
pub mod pki;
pub mod run;
pub mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// What a subcommand concluded, mapped onto the exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything checked passed (exit 0).
    Success,
    /// A check failed: a FAIL verdict, a missed gate, a worse comparison, a mismatch (exit 1).
    CheckFailed,
}

/// Exit status for a usage or harness error.
pub const EXIT_HARNESS_ERROR: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "sgp32",
    version,
    about = "Conformance and load-testing harness for GSMA SGP.32 (IoT eSIM remote provisioning)",
    long_about = "Conformance and load-testing harness for GSMA SGP.32 (IoT eSIM remote provisioning).\n\n\
        Exit status: 0 success; 1 a check failed (FAIL verdict, missed gate, worse comparison, \
        decode --check mismatch); 2 usage or harness error."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Seed of the deterministic test PKI (same seed, same keys and certificates).
    #[arg(long, global = true, default_value_t = 0)]
    pub seed: u64,
    /// Load the test PKI from a directory written by `sgp32 pki init` instead of deriving it
    /// from --seed.
    #[arg(long, global = true, value_name = "DIR")]
    pub pki: Option<PathBuf>,
    /// Log filter for stderr (tracing EnvFilter syntax, e.g. `info`, `sgp32_harness=debug`);
    /// RUST_LOG is used when not given.
    #[arg(long, global = true, value_name = "FILTER")]
    pub log: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the conformance catalogue against a SUT (the embedded reference eIM by default);
    /// reports under --out; exit 1 on an unexpected FAIL, 2 on an unexpected ERROR.
    Run(run::RunArgs),
    /// List the conformance catalogue: id, level, spec section, title.
    List(run::ListArgs),
    /// Compare two results.json files; exit 1 when a case's verdict got worse.
    Compare(compare::CompareArgs),
    /// Serve the reference eIM (ESipa over HTTP(S) and its order API) or the mock SM-DP+
    /// standalone, until Ctrl-C.
    Serve(serve::ServeArgs),
    /// Generate load against a SUT with goose (a scenario of scenarios/); `load merge` combines
    /// shard outputs; exit 1 when a gate of the scenario is missed.
    Load(load::LoadArgs),
    /// Decode a DER message (ESipa or ES10) to JSON or text; --check verifies DER round trip.
    Decode(decode::DecodeArgs),
    /// Test PKI: write a deterministic CI/EUM/eUICC/SM-DP+/eIM hierarchy.
    Pki(pki::PkiArgs),
}

/// Parses the command line, runs the subcommand and maps the result onto the exit status.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(err) = init_logging(cli.global.log.as_deref()) {
        eprintln!("error: {err:#}");
        return ExitCode::from(EXIT_HARNESS_ERROR);
    }
    match dispatch(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::CheckFailed) => ExitCode::from(1),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(EXIT_HARNESS_ERROR)
        }
    }
}

/// Logs to stderr; `--log` must be a valid filter (a usage error otherwise), a bad `RUST_LOG`
/// falls back to `warn`.
fn init_logging(filter: Option<&str>) -> anyhow::Result<()> {
    use anyhow::Context;
    use tracing_subscriber::EnvFilter;
    let filter = match filter {
        Some(f) => EnvFilter::try_new(f).with_context(|| format!("invalid --log filter `{f}`"))?,
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    Ok(())
}

fn dispatch(cli: Cli) -> anyhow::Result<Outcome> {
    match cli.command {
        Command::Run(args) => run::run_catalogue(&cli.global, &args),
        Command::List(args) => run::list(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Serve(args) => serve::run(&cli.global, &args),
        Command::Load(args) => load::run(&cli.global, &args),
        Command::Decode(args) => decode::run(&args),
        Command::Pki(args) => pki::run(&cli.global, &args),
    }
}
