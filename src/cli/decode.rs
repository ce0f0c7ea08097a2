//! `sgp32 decode [--check] [--type NAME] [--format json|text] FILE|-`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::Outcome;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Text,
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// Re-encode and exit 0 only if the bytes are identical, else 1 naming the first differing
    /// offset; also runs the strict DER check.
    #[arg(long)]
    pub check: bool,
    /// The ASN.1 type to decode as; without it, a fixed order of candidates is tried.
    #[arg(long = "type", value_name = "NAME")]
    pub type_name: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// The DER file, or `-` for standard input.
    pub input: PathBuf,
}

pub fn run(_args: &DecodeArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`sgp32 decode` is being built")
}
