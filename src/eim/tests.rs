//! Unit tests of the eIM.
