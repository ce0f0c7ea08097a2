//! The aws-lc-rs backend: the fast one (default). Everything comes from aws-lc-rs (ECDSA with
//! `ECDSA_P256_SHA256_FIXED[_SIGNING]` = `r||s`, `agreement` for ECKA, `cipher` for AES-CBC and
//! the ECB block of the SCP03t ICV, `cmac`, `digest`) except:
//! - brainpoolP256r1, which aws-lc-rs does not offer: those keys are RustCrypto keys;
//! - RFC 6979 deterministic signing, which aws-lc-rs does not offer: it goes through the
//!   RustCrypto code (same bytes whatever the backend).

use std::sync::Arc;

use aws_lc_rs::agreement;
use aws_lc_rs::cipher::{
    AES_128, DecryptingKey, DecryptionContext, EncryptingKey, EncryptionContext, UnboundCipherKey,
};
use aws_lc_rs::cmac;
use aws_lc_rs::digest;
use aws_lc_rs::encoding::AsBigEndian;
use aws_lc_rs::iv::FixedLength;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair,
    ParsedPublicKey,
};

use super::rustcrypto;
use super::{
    Aes128Key, Backend, BlockCipherOps, CmacKey, CmacOps, CryptoError, CryptoProvider, Curve,
    EckaOps, EckaPrivateKey, RawSignature, Result, SigningKey, SigningKeyOps, VerifyingKey,
    VerifyingKeyOps,
};

const BACKEND: Backend = Backend::AwsLc;

fn failed(what: &'static str) -> CryptoError {
    CryptoError::Backend {
        backend: BACKEND,
        what,
    }
}

fn invalid(msg: &str) -> CryptoError {
    CryptoError::InvalidKey(msg.to_owned())
}

fn point65(bytes: &[u8]) -> Result<[u8; 65]> {
    bytes
        .try_into()
        .map_err(|_| failed("public key is not an uncompressed point"))
}

/// The aws-lc-rs provider.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct AwsLcProvider;

struct Sk {
    pair: EcdsaKeyPair,
    point: [u8; 65],
    rng: SystemRandom,
}

impl Sk {
    fn new(pair: EcdsaKeyPair) -> Result<Self> {
        let point = point65(pair.public_key().as_ref())?;
        Ok(Sk {
            pair,
            point,
            rng: SystemRandom::new(),
        })
    }
}

impl SigningKeyOps for Sk {
    fn backend(&self) -> Backend {
        BACKEND
    }

    fn curve(&self) -> Curve {
        Curve::P256
    }

    fn sign(&self, msg: &[u8]) -> Result<RawSignature> {
        let sig = self
            .pair
            .sign(&self.rng, msg)
            .map_err(|_| failed("ECDSA signing"))?;
        sig.as_ref()
            .try_into()
            .map_err(|_| failed("signature is not 64 bytes"))
    }

    fn scalar(&self) -> Result<[u8; 32]> {
        let bin = self
            .pair
            .private_key()
            .as_be_bytes()
            .map_err(|_| failed("private key export"))?;
        bin.as_ref()
            .try_into()
            .map_err(|_| failed("private scalar is not 32 bytes"))
    }

    fn public_point(&self) -> [u8; 65] {
        self.point
    }

    fn verifying_key(&self) -> Result<VerifyingKey> {
        verifying_key_p256(&self.point)
    }
}

struct Vk {
    key: ParsedPublicKey,
    point: [u8; 65],
}

impl VerifyingKeyOps for Vk {
    fn backend(&self) -> Backend {
        BACKEND
    }

    fn curve(&self) -> Curve {
        Curve::P256
    }

    fn verify(&self, msg: &[u8], sig: &RawSignature) -> bool {
        self.key.verify_sig(msg, sig).is_ok()
    }

    fn public_point(&self) -> [u8; 65] {
        self.point
    }
}

fn verifying_key_p256(point: &[u8]) -> Result<VerifyingKey> {
    // aws-lc parses compressed points too; keep the uncompressed form for export.
    let key = ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
        .map_err(|_| invalid("not a valid SEC1 point on P-256"))?;
    let point = if point.len() == 65 {
        point65(point)?
    } else {
        // Decompress through RustCrypto (rare: SGP.22 uses uncompressed points).
        rustcrypto::verifying_key_from_sec1(Curve::P256, point)?.to_sec1_uncompressed()
    };
    Ok(VerifyingKey(Arc::new(Vk { key, point })))
}

struct Ecka {
    key: agreement::PrivateKey,
    point: [u8; 65],
}

impl Ecka {
    fn new(key: agreement::PrivateKey) -> Result<Self> {
        let public = key
            .compute_public_key()
            .map_err(|_| failed("ECKA public key"))?;
        let point = point65(public.as_ref())?;
        Ok(Ecka { key, point })
    }
}

impl EckaOps for Ecka {
    fn backend(&self) -> Backend {
        BACKEND
    }

    fn public_point(&self) -> [u8; 65] {
        self.point
    }

    fn agree(&self, peer_point: &[u8]) -> Result<[u8; 32]> {
        let peer = agreement::UnparsedPublicKey::new(&agreement::ECDH_P256, peer_point);
        agreement::agree(
            &self.key,
            peer,
            invalid("peer ECKA public key is not a valid P-256 point"),
            |z| {
                z.try_into()
                    .map_err(|_| failed("ECDH shared secret is not 32 bytes"))
            },
        )
    }
}

struct Aes {
    ecb: EncryptingKey,
    cbc_enc: EncryptingKey,
    cbc_dec: DecryptingKey,
}

impl BlockCipherOps for Aes {
    fn backend(&self) -> Backend {
        BACKEND
    }

    fn encrypt_block(&self, block: &mut [u8; 16]) -> Result<()> {
        self.ecb
            .encrypt(block)
            .map(|_| ())
            .map_err(|_| failed("AES-ECB"))
    }

    fn cbc_encrypt(&self, iv: &[u8; 16], buf: &mut [u8]) -> Result<()> {
        let ctx = EncryptionContext::Iv128(FixedLength::from(iv));
        self.cbc_enc
            .less_safe_encrypt(buf, ctx)
            .map(|_| ())
            .map_err(|_| failed("AES-CBC encryption"))
    }

    fn cbc_decrypt(&self, iv: &[u8; 16], buf: &mut [u8]) -> Result<()> {
        let ctx = DecryptionContext::Iv128(FixedLength::from(iv));
        self.cbc_dec
            .decrypt(buf, ctx)
            .map(|_| ())
            .map_err(|_| failed("AES-CBC decryption"))
    }
}

struct Cmac(cmac::Key);

impl CmacOps for Cmac {
    fn backend(&self) -> Backend {
        BACKEND
    }

    fn mac(&self, parts: &[&[u8]]) -> Result<[u8; 16]> {
        let mut ctx = cmac::Context::with_key(&self.0);
        for p in parts {
            ctx.update(p).map_err(|_| failed("CMAC update"))?;
        }
        let tag = ctx.sign().map_err(|_| failed("CMAC"))?;
        tag.as_ref()
            .try_into()
            .map_err(|_| failed("CMAC tag is not 16 bytes"))
    }
}

fn unbound(key: &[u8; 16]) -> Result<UnboundCipherKey> {
    UnboundCipherKey::new(&AES_128, key).map_err(|_| failed("AES key"))
}

impl CryptoProvider for AwsLcProvider {
    fn backend(&self) -> Backend {
        BACKEND
    }

    fn sha256_parts(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut ctx = digest::Context::new(&digest::SHA256);
        for p in parts {
            ctx.update(p);
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.finish().as_ref());
        out
    }

    fn generate_signing_key(&self, curve: Curve) -> Result<SigningKey> {
        match curve {
            Curve::P256 => {
                let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
                    .map_err(|_| failed("ECDSA key generation"))?;
                Ok(SigningKey(Arc::new(Sk::new(pair)?)))
            }
            Curve::BrainpoolP256r1 => rustcrypto::generate_signing_key(curve),
        }
    }

    fn signing_key_from_scalar(&self, curve: Curve, scalar: &[u8]) -> Result<SigningKey> {
        match curve {
            Curve::P256 => {
                // An RFC 5915 ECPrivateKey without parameters or public key: aws-lc computes
                // the public point once and checks the key once (two base-point
                // multiplications; going through `agreement` and
                // `from_private_key_and_public_key` took four). The fleet eUICC imports its
                // key at every materialisation (benches/euicc.rs).
                let scalar: &[u8; 32] = scalar
                    .try_into()
                    .map_err(|_| invalid("private scalar must be 32 bytes"))?;
                let mut der = [0u8; 39];
                der[..7].copy_from_slice(&[0x30, 0x25, 0x02, 0x01, 0x01, 0x04, 0x20]);
                der[7..].copy_from_slice(scalar);
                let pair =
                    EcdsaKeyPair::from_private_key_der(&ECDSA_P256_SHA256_FIXED_SIGNING, &der)
                        .map_err(|_| invalid("private scalar out of range"))?;
                Ok(SigningKey(Arc::new(Sk::new(pair)?)))
            }
            Curve::BrainpoolP256r1 => rustcrypto::signing_key_from_scalar(curve, scalar),
        }
    }

    fn verifying_key_from_sec1(&self, curve: Curve, point: &[u8]) -> Result<VerifyingKey> {
        match curve {
            Curve::P256 => verifying_key_p256(point),
            Curve::BrainpoolP256r1 => rustcrypto::verifying_key_from_sec1(curve, point),
        }
    }

    fn generate_ecka_key(&self) -> Result<EckaPrivateKey> {
        let key = agreement::PrivateKey::generate(&agreement::ECDH_P256)
            .map_err(|_| failed("ECKA key generation"))?;
        Ok(EckaPrivateKey(Arc::new(Ecka::new(key)?)))
    }

    fn ecka_key_from_scalar(&self, scalar: &[u8]) -> Result<EckaPrivateKey> {
        if scalar.len() != 32 {
            return Err(invalid("ECKA private scalar must be 32 bytes"));
        }
        let key = agreement::PrivateKey::from_private_key(&agreement::ECDH_P256, scalar)
            .map_err(|_| invalid("ECKA private scalar out of range"))?;
        Ok(EckaPrivateKey(Arc::new(Ecka::new(key)?)))
    }

    fn aes128(&self, key: &[u8; 16]) -> Result<Aes128Key> {
        let map = |_| failed("AES key");
        Ok(Aes128Key(Arc::new(Aes {
            ecb: EncryptingKey::ecb(unbound(key)?).map_err(map)?,
            cbc_enc: EncryptingKey::cbc(unbound(key)?).map_err(map)?,
            cbc_dec: DecryptingKey::cbc(unbound(key)?).map_err(map)?,
        })))
    }

    fn cmac_aes128(&self, key: &[u8; 16]) -> Result<CmacKey> {
        let key = cmac::Key::new(cmac::AES_128, key).map_err(|_| failed("CMAC key"))?;
        Ok(CmacKey(Arc::new(Cmac(key))))
    }
}
