//! The RustCrypto backend (`p256`, `bp256`, `sha2`, `aes`, `cbc`, `cmac`): the portable
//! reference. It also provides brainpoolP256r1 and RFC 6979 signing to the aws-lc-rs backend.

use std::sync::Arc;

use aes::cipher::{
    Array, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, KeyInit,
};
use cmac::Mac;
use ecdsa::signature::{RandomizedSigner, Signer, Verifier};
use elliptic_curve::sec1::ToSec1Point;
use getrandom::SysRng;
use sha2::Digest;

use super::{
    Aes128Key, Backend, BlockCipherOps, CmacKey, CmacOps, CryptoError, CryptoProvider, Curve,
    EckaOps, EckaPrivateKey, RawSignature, Result, SigningKey, SigningKeyOps, VerifyingKey,
    VerifyingKeyOps,
};

type Bp = bp256::BrainpoolP256r1;

const BACKEND: Backend = Backend::RustCrypto;

fn rng_error(_: getrandom::Error) -> CryptoError {
    CryptoError::Backend {
        backend: BACKEND,
        what: "OS random number generator",
    }
}

fn invalid(msg: &str) -> CryptoError {
    CryptoError::InvalidKey(msg.to_owned())
}

/// The RustCrypto provider.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RustCryptoProvider;

/// Random 32-byte big-endian scalar material (rejection of out-of-range values by the caller).
fn random_bytes() -> Result<[u8; 32]> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(rng_error)?;
    Ok(b)
}

fn scalar_array(scalar: &[u8]) -> Result<&[u8; 32]> {
    scalar
        .try_into()
        .map_err(|_| invalid("private scalar must be 32 bytes"))
}

enum Sk {
    P256(p256::ecdsa::SigningKey),
    Bp(ecdsa::SigningKey<Bp>),
}

impl Sk {
    fn from_scalar(curve: Curve, scalar: &[u8]) -> Result<Self> {
        let scalar = scalar_array(scalar)?;
        match curve {
            Curve::P256 => p256::ecdsa::SigningKey::from_slice(scalar).map(Sk::P256),
            Curve::BrainpoolP256r1 => ecdsa::SigningKey::<Bp>::from_slice(scalar).map(Sk::Bp),
        }
        .map_err(|_| invalid("private scalar out of range"))
    }
}

fn to_raw(bytes: &[u8]) -> Result<RawSignature> {
    bytes.try_into().map_err(|_| CryptoError::Backend {
        backend: BACKEND,
        what: "signature is not 64 bytes",
    })
}

/// RFC 6979 deterministic ECDSA-SHA256 (also used by the aws-lc-rs backend).
pub(crate) fn sign_deterministic(curve: Curve, scalar: &[u8], msg: &[u8]) -> Result<RawSignature> {
    Sk::from_scalar(curve, scalar)?.sign_deterministic(msg)
}

impl Sk {
    fn sign_deterministic(&self, msg: &[u8]) -> Result<RawSignature> {
        let failed = |_| CryptoError::Backend {
            backend: BACKEND,
            what: "ECDSA signing",
        };
        match self {
            Sk::P256(k) => {
                let sig: p256::ecdsa::Signature = k.try_sign(msg).map_err(failed)?;
                to_raw(&sig.to_bytes())
            }
            Sk::Bp(k) => {
                let sig: ecdsa::Signature<Bp> = k.try_sign(msg).map_err(failed)?;
                to_raw(&sig.to_bytes())
            }
        }
    }
}

impl SigningKeyOps for Sk {
    fn backend(&self) -> Backend {
        BACKEND
    }

    fn curve(&self) -> Curve {
        match self {
            Sk::P256(_) => Curve::P256,
            Sk::Bp(_) => Curve::BrainpoolP256r1,
        }
    }

    fn sign(&self, msg: &[u8]) -> Result<RawSignature> {
        // RFC 6979 with added randomness ("hedged"): a fresh nonce per signature.
        let failed = |_| CryptoError::Backend {
            backend: BACKEND,
            what: "ECDSA signing (OS RNG)",
        };
        match self {
            Sk::P256(k) => {
                let sig: p256::ecdsa::Signature =
                    k.try_sign_with_rng(&mut SysRng, msg).map_err(failed)?;
                to_raw(&sig.to_bytes())
            }
            Sk::Bp(k) => {
                let sig: ecdsa::Signature<Bp> =
                    k.try_sign_with_rng(&mut SysRng, msg).map_err(failed)?;
                to_raw(&sig.to_bytes())
            }
        }
    }

    fn sign_deterministic(&self, msg: &[u8]) -> Result<RawSignature> {
        Sk::sign_deterministic(self, msg)
    }

    fn scalar(&self) -> Result<[u8; 32]> {
        let mut out = [0u8; 32];
        match self {
            Sk::P256(k) => out.copy_from_slice(&k.to_bytes()),
            Sk::Bp(k) => out.copy_from_slice(&k.to_bytes()),
        }
        Ok(out)
    }

    fn public_point(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        match self {
            Sk::P256(k) => out.copy_from_slice(k.verifying_key().to_sec1_point(false).as_bytes()),
            Sk::Bp(k) => out.copy_from_slice(k.verifying_key().to_sec1_point(false).as_bytes()),
        }
        out
    }

    fn verifying_key(&self) -> Result<VerifyingKey> {
        Ok(VerifyingKey(Arc::new(match self {
            Sk::P256(k) => Vk::P256(*k.verifying_key()),
            Sk::Bp(k) => Vk::Bp(*k.verifying_key()),
        })))
    }
}

enum Vk {
    P256(p256::ecdsa::VerifyingKey),
    Bp(ecdsa::VerifyingKey<Bp>),
}

impl VerifyingKeyOps for Vk {
    fn backend(&self) -> Backend {
        BACKEND
    }

    fn curve(&self) -> Curve {
        match self {
            Vk::P256(_) => Curve::P256,
            Vk::Bp(_) => Curve::BrainpoolP256r1,
        }
    }

    fn verify(&self, msg: &[u8], sig: &RawSignature) -> bool {
        match self {
            Vk::P256(k) => {
                p256::ecdsa::Signature::from_slice(sig).is_ok_and(|s| k.verify(msg, &s).is_ok())
            }
            Vk::Bp(k) => {
                ecdsa::Signature::<Bp>::from_slice(sig).is_ok_and(|s| k.verify(msg, &s).is_ok())
            }
        }
    }

    fn public_point(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        match self {
            Vk::P256(k) => out.copy_from_slice(k.to_sec1_point(false).as_bytes()),
            Vk::Bp(k) => out.copy_from_slice(k.to_sec1_point(false).as_bytes()),
        }
        out
    }
}

pub(crate) fn verifying_key_from_sec1(curve: Curve, point: &[u8]) -> Result<VerifyingKey> {
    let vk = match curve {
        Curve::P256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map(Vk::P256),
        Curve::BrainpoolP256r1 => ecdsa::VerifyingKey::<Bp>::from_sec1_bytes(point).map(Vk::Bp),
    }
    .map_err(|_| invalid("not a valid SEC1 point on the curve"))?;
    Ok(VerifyingKey(Arc::new(vk)))
}

pub(crate) fn signing_key_from_scalar(curve: Curve, scalar: &[u8]) -> Result<SigningKey> {
    Ok(SigningKey(Arc::new(Sk::from_scalar(curve, scalar)?)))
}

pub(crate) fn generate_signing_key(curve: Curve) -> Result<SigningKey> {
    loop {
        // Out-of-range values (probability < 2^-32 on both curves) are drawn again.
        if let Ok(k) = Sk::from_scalar(curve, &random_bytes()?) {
            return Ok(SigningKey(Arc::new(k)));
        }
    }
}

struct Ecka {
    secret: p256::SecretKey,
}

impl EckaOps for Ecka {
    fn backend(&self) -> Backend {
        BACKEND
    }

    fn public_point(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out.copy_from_slice(self.secret.public_key().to_sec1_point(false).as_bytes());
        out
    }

    fn agree(&self, peer_point: &[u8]) -> Result<[u8; 32]> {
        let peer = p256::PublicKey::from_sec1_bytes(peer_point)
            .map_err(|_| invalid("peer ECKA public key is not a valid P-256 point"))?;
        let shared = self.secret.diffie_hellman(&peer);
        let mut out = [0u8; 32];
        out.copy_from_slice(shared.raw_secret_bytes());
        Ok(out)
    }
}

struct Aes(aes::Aes128);

impl BlockCipherOps for Aes {
    fn backend(&self) -> Backend {
        BACKEND
    }

    fn encrypt_block(&self, block: &mut [u8; 16]) -> Result<()> {
        self.0.encrypt_block(block.into());
        Ok(())
    }

    fn cbc_encrypt(&self, iv: &[u8; 16], buf: &mut [u8]) -> Result<()> {
        let (blocks, rest) = Array::slice_as_chunks_mut(buf);
        if !rest.is_empty() {
            return Err(CryptoError::InvalidLength(
                "CBC data not block aligned".into(),
            ));
        }
        cbc::Encryptor::<aes::Aes128>::inner_iv_init(self.0.clone(), iv.into())
            .encrypt_blocks(blocks);
        Ok(())
    }

    fn cbc_decrypt(&self, iv: &[u8; 16], buf: &mut [u8]) -> Result<()> {
        let (blocks, rest) = Array::slice_as_chunks_mut(buf);
        if !rest.is_empty() {
            return Err(CryptoError::InvalidLength(
                "CBC data not block aligned".into(),
            ));
        }
        // `aes::Aes128` holds both key schedules: cloning it re-uses them.
        cbc::Decryptor::<aes::Aes128>::inner_iv_init(self.0.clone(), iv.into())
            .decrypt_blocks(blocks);
        Ok(())
    }
}

struct Cmac(cmac::Cmac<aes::Aes128>);

impl CmacOps for Cmac {
    fn backend(&self) -> Backend {
        BACKEND
    }

    fn mac(&self, parts: &[&[u8]]) -> Result<[u8; 16]> {
        let mut m = self.0.clone();
        for p in parts {
            m.update(p);
        }
        Ok(m.finalize().into_bytes().into())
    }
}

impl CryptoProvider for RustCryptoProvider {
    fn backend(&self) -> Backend {
        BACKEND
    }

    fn sha256_parts(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut h = sha2::Sha256::new();
        for p in parts {
            h.update(p);
        }
        h.finalize().into()
    }

    fn generate_signing_key(&self, curve: Curve) -> Result<SigningKey> {
        generate_signing_key(curve)
    }

    fn signing_key_from_scalar(&self, curve: Curve, scalar: &[u8]) -> Result<SigningKey> {
        signing_key_from_scalar(curve, scalar)
    }

    fn verifying_key_from_sec1(&self, curve: Curve, point: &[u8]) -> Result<VerifyingKey> {
        verifying_key_from_sec1(curve, point)
    }

    fn generate_ecka_key(&self) -> Result<EckaPrivateKey> {
        loop {
            if let Ok(secret) = p256::SecretKey::from_slice(&random_bytes()?) {
                return Ok(EckaPrivateKey(Arc::new(Ecka { secret })));
            }
        }
    }

    fn ecka_key_from_scalar(&self, scalar: &[u8]) -> Result<EckaPrivateKey> {
        let secret = p256::SecretKey::from_slice(scalar_array(scalar)?)
            .map_err(|_| invalid("ECKA private scalar out of range"))?;
        Ok(EckaPrivateKey(Arc::new(Ecka { secret })))
    }

    fn aes128(&self, key: &[u8; 16]) -> Result<Aes128Key> {
        Ok(Aes128Key(Arc::new(Aes(aes::Aes128::new(key.into())))))
    }

    fn cmac_aes128(&self, key: &[u8; 16]) -> Result<CmacKey> {
        Ok(CmacKey(Arc::new(Cmac(cmac::Cmac::<aes::Aes128>::new(
            key.into(),
        )))))
    }
}
