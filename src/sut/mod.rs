//! How the harness reaches a system under test: SUT profiles (TOML) and the adapters that order
//! operations at a SUT and read their outcome.

pub mod adapter;
pub mod profile;

pub use adapter::{
    DeviceRegistration, Order, OrderProgress, OrderReport, ReferenceAdapter, ReferenceApiAdapter,
    SutAdapter, SutError,
};
pub use profile::{SutProfile, SutProfileError};
