//! The ASN.1 model: rasn types written by hand from the SGP.32 v1.2 and SGP.22 v2.5 modules
//! (`shared/spec/asn1/v1.2/`), their JSON form, and a strict DER check.
//!
//! Conventions (see `json` and `ext`): every SEQUENCE ends with an [`Extensions`] field that
//! keeps unknown (v1.3-style) trailing elements; named INTEGERs are [`named_integer!`](crate::named_integer) newtypes;
//! Rust names are the ASN.1 names (types in CamelCase as in the module, fields in snake_case with
//! a serde rename to the ASN.1 component name).

pub mod der_check;
pub mod es10;
pub mod ext;
pub mod json;
pub mod message;
pub mod registry;
pub mod tlv;

pub use ext::{ExtensionFinding, Extensions, take_findings};
pub mod pkix;
pub mod rsp;
pub mod sgp32;
