//! `sgp32 pki init DIR [--seed N] [--euiccs N]`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

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

pub fn run(_global: &GlobalArgs, _args: &PkiArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`sgp32 pki init` is being built")
}
