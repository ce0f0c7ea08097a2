//! sgp32-harness: a conformance and load-testing harness for GSMA SGP.32 (IoT eSIM remote
//! provisioning). See `README.md` and `shared/design/ARCHITECTURE.md` for the layers:
//! protocol parties are state machines without I/O, transports do I/O, the CLI wires them.

pub mod asn1;
pub mod cli;
pub mod conformance;
pub mod crypto;
pub mod eim;
pub mod euicc;
pub mod ipa;
pub mod load;
pub mod pki;
pub mod profile;
pub mod report;
pub mod smdp;
pub mod sut;
pub mod transport;
