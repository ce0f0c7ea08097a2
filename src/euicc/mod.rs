//! The simulated IoT eUICC (issue 3); this file holds only the APDU front end until merged.
pub mod apdu;
