//! How the harness reaches a system under test: SUT profiles (TOML) and, with the conformance
//! runner (issue 5), the adapters that order operations at a SUT.

pub mod profile;

pub use profile::{SutProfile, SutProfileError};
