//! Crypto provider: ECDSA P-256 (raw r||s), ECKA + SGP.22 key derivation, AES-CBC/CMAC for
//! SCP03t, SHA-256; a RustCrypto backend (portable reference) and an aws-lc-rs backend (fast).
