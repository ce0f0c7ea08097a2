//! SGP32Definitions (SGP.32 v1.2, `shared/spec/asn1/v1.2/SGP32Definitions.asn`).
//!
//! The `SGP32-` name prefixes of the source module (a TTCN-3 tool-chain workaround) are dropped:
//! `SGP32-ProfileInfo` is [`ProfileInfo`] here, and the SGP.22 type of the same name is
//! `crate::asn1::rsp::ProfileInfo`. `AsnNull` is `()`.

mod es10;
mod esipa;
mod package;

pub use es10::*;
pub use esipa::*;
pub use package::*;
