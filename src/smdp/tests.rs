use super::*;
// x
