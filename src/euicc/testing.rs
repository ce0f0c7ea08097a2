//! Test support: an eIM that signs eUICC Packages for a simulated eUICC, and the eIM-side
//! check of a result's signature (SGP.32 2.11.1.1, 2.11.2.1). Used by the tests, the bench and
//! the fleet template; test keys only.

use rasn::types::{FixedOctetString, OctetString};

use crate::asn1::pkix::{Certificate, SubjectPublicKeyInfo};
use crate::asn1::rsp::TransactionId;
use crate::asn1::sgp32::{
    EimConfigurationData, EimIdType, EimPublicKeyData, EuiccPackage, EuiccPackageRequest,
    EuiccPackageResult, EuiccPackageResultChoice, EuiccPackageSigned, association_token_tlv,
    eim_signed_data, received_euicc_package_result_data,
};
use crate::crypto::{Backend, Curve, SigningKey, provider};
use crate::pki::{Eid, Pki, Role, derive_key};

/// An eIM for tests: its id, signing key, optional certificate and its counter.
#[derive(Debug, Clone)]
pub struct TestEim {
    /// eimId.
    pub eim_id: String,
    /// The package-signing key.
    pub key: SigningKey,
    /// Its certificate (the PKI's eIM certificate for key number 0), else the SPKI is used.
    pub cert_der: Option<Vec<u8>>,
    /// The last counterValue used.
    pub counter: i64,
    /// The association token the eUICC gave.
    pub association_token: Option<i64>,
}

impl TestEim {
    /// eIM number `n` of `pki`: key 0 is the PKI's eIM signing credential (with certificate),
    /// the others derive from the seed (SPKI only).
    pub fn from_pki(pki: &Pki, n: u64, eim_id: &str, backend: Backend) -> Self {
        let (p256, cert_der) = if n == 0 {
            (
                pki.eim_sign.key.clone(),
                Some(pki.eim_sign.cert_der.clone()),
            )
        } else {
            (derive_key(pki.seed, Role::EimSign, n), None)
        };
        let key = provider(backend)
            .signing_key_from_scalar(Curve::P256, &p256.to_bytes())
            .unwrap_or_else(|_| unreachable_key());
        TestEim {
            eim_id: eim_id.to_owned(),
            key,
            cert_der,
            counter: 0,
            association_token: None,
        }
    }

    /// Its eimPublicKeyData: the certificate when there is one, else the SPKI.
    pub fn public_key_data(&self) -> Option<EimPublicKeyData> {
        if let Some(der) = &self.cert_der {
            return Certificate::from_der(der)
                .ok()
                .map(|c| EimPublicKeyData::EimCertificate(Box::new(c)));
        }
        let spki = self.key.verifying_key().ok()?.to_spki_der();
        rasn::der::decode::<SubjectPublicKeyInfo>(&spki)
            .ok()
            .map(EimPublicKeyData::EimPublicKey)
    }

    /// Its EimConfigurationData with an initial counter and an association token request.
    pub fn config(&self, counter: i64, association_token: Option<i64>) -> EimConfigurationData {
        EimConfigurationData {
            eim_id: self.eim_id.clone(),
            eim_fqdn: Some("eim.example.com".into()),
            eim_id_type: Some(EimIdType::EIM_ID_TYPE_FQDN),
            counter_value: Some(counter),
            association_token,
            eim_public_key_data: self.public_key_data(),
            ..Default::default()
        }
    }

    /// A signed EuiccPackageRequest (DER) with the next counter.
    pub fn package(
        &mut self,
        eid: &Eid,
        package: EuiccPackage,
        transaction_id: Option<&[u8]>,
    ) -> Vec<u8> {
        self.counter += 1;
        self.package_with_counter(eid, self.counter, package, transaction_id)
    }

    /// A signed EuiccPackageRequest (DER) with a given counter (the eIM's counter is left).
    pub fn package_with_counter(
        &self,
        eid: &Eid,
        counter: i64,
        package: EuiccPackage,
        transaction_id: Option<&[u8]>,
    ) -> Vec<u8> {
        let signed = EuiccPackageSigned {
            eim_id: self.eim_id.clone(),
            eid_value: FixedOctetString::from(*eid.as_bcd()),
            counter_value: counter,
            eim_transaction_id: transaction_id.map(|t| TransactionId::new(t.to_vec())),
            euicc_package: package,
            extensions: Default::default(),
        };
        let data = eim_signed_data(&signed, self.association_token).unwrap_or_default();
        let signature = self.key.sign(&data).map(|s| s.to_vec()).unwrap_or_default();
        rasn::der::encode(&EuiccPackageRequest {
            euicc_package_signed: signed,
            eim_signature: OctetString::from(signature),
            extensions: Default::default(),
        })
        .unwrap_or_default()
    }
}

fn unreachable_key() -> SigningKey {
    // A P-256 scalar of 1 is valid: only reached if the PKI key could not be imported.
    let mut one = [0u8; 32];
    one[31] = 1;
    provider(Backend::RustCrypto)
        .signing_key_from_scalar(Curve::P256, &one)
        .expect("scalar 1 is a valid P-256 key")
}

/// The eIM's check of an EuiccPackageResult (DER bytes as received): decodes it and, for the
/// signed alternatives, verifies euiccSignEPR/EPE with the eUICC certificate over the received
/// data || `84 len token` (v1.2) using `backend`.
pub fn verify_result(
    bytes: &[u8],
    euicc_cert_der: &[u8],
    association_token: Option<i64>,
    backend: Backend,
) -> Result<EuiccPackageResult, String> {
    let result: EuiccPackageResult = rasn::der::decode(bytes).map_err(|e| e.to_string())?;
    let signature = match &result.0 {
        EuiccPackageResultChoice::EuiccPackageResultSigned(s) => s.euicc_sign_epr.to_vec(),
        EuiccPackageResultChoice::EuiccPackageErrorSigned(s) => s.euicc_sign_epe.to_vec(),
        EuiccPackageResultChoice::EuiccPackageErrorUnsigned(_) => return Ok(result),
    };
    let mut data = received_euicc_package_result_data(bytes)
        .map_err(|e| e.to_string())?
        .to_vec();
    data.extend(association_token_tlv(association_token).map_err(|e| e.to_string())?);
    provider(backend)
        .verifying_key_from_certificate_der(euicc_cert_der)
        .map_err(|e| e.to_string())?
        .verify(&data, &signature)
        .map_err(|e| e.to_string())?;
    Ok(result)
}
