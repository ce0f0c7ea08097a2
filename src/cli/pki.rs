//! `sgp32 pki init DIR [--seed N] [--euiccs N]`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::pki::Pki;

use super::{GlobalArgs, Outcome};

#[derive(Debug, Args)]
pub struct PkiArgs {
    #[command(subcommand)]
    pub command: PkiCommand,
}

#[derive(Debug, Subcommand)]
pub enum PkiCommand {
    /// Write a deterministic test PKI (PEM files and a pki.json manifest) into DIR.
    Init {
        /// Output directory.
        dir: PathBuf,
        /// Number of eUICC certificates to write (device keys beyond these derive on demand).
        #[arg(long, default_value_t = 2)]
        euiccs: u32,
    },
}

/// Runs `sgp32 pki ...`: `init` derives the PKI of `--seed` and writes it, printing one line
/// per file written.
pub fn run(global: &GlobalArgs, args: &PkiArgs) -> anyhow::Result<Outcome> {
    match &args.command {
        PkiCommand::Init { dir, euiccs } => {
            let pki = Pki::generate(global.seed, *euiccs)
                .with_context(|| format!("deriving the test PKI of seed {}", global.seed))?;
            let written = pki
                .write(dir)
                .with_context(|| format!("writing the test PKI to {}", dir.display()))?;
            for f in &written {
                println!("{}  {}", f.path.display(), f.what);
            }
            tracing::info!(
                seed = global.seed,
                files = written.len(),
                "test PKI written"
            );
            Ok(Outcome::Success)
        }
    }
}
