//! SGP.22 BSP key derivation (SGP.22 2.6.4.2, annex G): X9.63 KDF with SHA-256 over the ECKA
//! shared secret. Layout documented in the module above and checked against
//! `shared/spec/vectors/bsp/scp03t-kat.json`.

use std::fmt;

use super::{CryptoError, CryptoProvider, Result, default_provider};

/// The three SCP03t session values derived from the ECKA shared secret (or carried by
/// ReplaceSessionKeys as PPK-ENC / PPK-MAC / initial MCV, SGP.22 5.5.x `ReplaceSessionKeysRequest`).
#[derive(Clone, PartialEq, Eq)]
pub struct SessionKeys {
    /// S-ENC (or PPK-ENC): AES-128 key for segment encryption.
    pub s_enc: [u8; 16],
    /// S-MAC (or PPK-MAC): AES-128 CMAC key.
    pub s_mac: [u8; 16],
    /// The initial MAC chaining value.
    pub initial_mcv: [u8; 16],
}

impl fmt::Debug for SessionKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Test keys only in this harness, but keep them out of logs anyway.
        f.debug_struct("SessionKeys").finish_non_exhaustive()
    }
}

/// `SharedInfo` of the SGP.22 KDF: `keyType || keyLength || len(hostId) || hostId || len(EID) ||
/// EID`, each length a single byte.
pub fn shared_info(key_type: u8, key_length: u8, host_id: &[u8], eid: &[u8]) -> Result<Vec<u8>> {
    let host_len = u8::try_from(host_id.len())
        .map_err(|_| CryptoError::InvalidLength(format!("host id of {} bytes", host_id.len())))?;
    let eid_len = u8::try_from(eid.len())
        .map_err(|_| CryptoError::InvalidLength(format!("EID of {} bytes", eid.len())))?;
    let mut out = Vec::with_capacity(4 + host_id.len() + eid.len());
    out.extend_from_slice(&[key_type, key_length, host_len]);
    out.extend_from_slice(host_id);
    out.push(eid_len);
    out.extend_from_slice(eid);
    Ok(out)
}

/// SGP.22 session keys with the default provider's SHA-256 (the KDF is the same on every
/// backend; use [`CryptoProvider::derive_session_keys`] to pick one).
///
/// `key_type` is the CRT key type (`0x88` = AES), `key_length` the key length (16, the only
/// one SGP.22 defines), `host_id` the CRT host identifier, `eid` the 16-byte EID.
pub fn derive_session_keys(
    shared_secret: &[u8],
    key_type: u8,
    key_length: u8,
    host_id: &[u8],
    eid: &[u8],
) -> Result<SessionKeys> {
    default_provider().derive_session_keys(shared_secret, key_type, key_length, host_id, eid)
}

pub(crate) fn derive_session_keys_with<P: CryptoProvider + ?Sized>(
    provider: &P,
    shared_secret: &[u8],
    key_type: u8,
    key_length: u8,
    host_id: &[u8],
    eid: &[u8],
) -> Result<SessionKeys> {
    if key_length != 16 {
        return Err(CryptoError::InvalidLength(format!(
            "SCP03t key length {key_length} (only 16, AES-128, is supported)"
        )));
    }
    if shared_secret.is_empty() {
        return Err(CryptoError::InvalidLength("empty shared secret".into()));
    }
    let info = shared_info(key_type, key_length, host_id, eid)?;
    // X9.63: K_i = SHA-256(Z || counter_i (32-bit BE, from 1) || SharedInfo); 48 bytes needed.
    let k1 = provider.sha256_parts(&[shared_secret, &1u32.to_be_bytes(), &info]);
    let k2 = provider.sha256_parts(&[shared_secret, &2u32.to_be_bytes(), &info]);
    let mut keys = SessionKeys {
        s_enc: [0; 16],
        s_mac: [0; 16],
        initial_mcv: [0; 16],
    };
    keys.initial_mcv.copy_from_slice(&k1[..16]);
    keys.s_enc.copy_from_slice(&k1[16..]);
    keys.s_mac.copy_from_slice(&k2[..16]);
    Ok(keys)
}
