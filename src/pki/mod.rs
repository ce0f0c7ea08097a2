//! Test PKI: CI -> EUM -> eUICC, CI -> SM-DP+ (auth, pb, tls), eIM signing and TLS keys.
