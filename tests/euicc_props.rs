//! Property test of the simulated eUICC (issue 3): random sequences of signed PSMO and eCO
//! packages (and the IPA's rollback and fallback functions) keep the invariants: at most one
//! enabled profile, at most one Fallback Profile, each eIM's accepted counters strictly
//! increasing, and every signed result verifying with the eUICC certificate, checked with the
//! other crypto backend than the one that signed.

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use sgp32_harness::asn1::rsp::Iccid;
use sgp32_harness::asn1::sgp32::*;
use sgp32_harness::crypto::Backend;
use sgp32_harness::euicc::testing::{TestEim, verify_result};
use sgp32_harness::euicc::{Euicc, Profile, Settings};
use sgp32_harness::pki::Pki;

fn pki() -> Arc<Pki> {
    static PKI: OnceLock<Arc<Pki>> = OnceLock::new();
    PKI.get_or_init(|| Arc::new(Pki::generate(11, 0).unwrap()))
        .clone()
}

fn iccid(n: u8) -> Iccid {
    Iccid::from_digits(&format!("8944000000000000{n:02}")).unwrap()
}

#[derive(Debug, Clone)]
enum Op {
    Enable(u8, bool),
    Disable(u8),
    Delete(u8),
    SetFallback(u8),
    UnsetFallback,
    ListProfileInfo,
    GetRat,
    ConfigureImmediateEnable(bool),
    SetDefaultDp,
}

#[derive(Debug, Clone)]
enum Step {
    /// A PSMO package from eIM `0` or `1`; `replay` reuses the last counter.
    Psmos(usize, Vec<Op>, bool),
    /// An eCO package from eIM 0 about eIM 1: add (token -1 or none), delete, update counter.
    AddSecond(bool),
    DeleteSecond,
    UpdateSecond(u8),
    Rollback,
    Fallback,
    ReturnFromFallback,
}

fn op() -> impl Strategy<Value = Op> {
    let n = 1u8..=5; // 5 is never installed: iccidOrAidNotFound
    prop_oneof![
        4 => (n.clone(), any::<bool>()).prop_map(|(n, r)| Op::Enable(n, r)),
        2 => n.clone().prop_map(Op::Disable),
        1 => n.clone().prop_map(Op::Delete),
        2 => n.prop_map(Op::SetFallback),
        1 => Just(Op::UnsetFallback),
        1 => Just(Op::ListProfileInfo),
        1 => Just(Op::GetRat),
        1 => any::<bool>().prop_map(Op::ConfigureImmediateEnable),
        1 => Just(Op::SetDefaultDp),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0usize..2, prop::collection::vec(op(), 1..4), prop::bool::weighted(0.1))
            .prop_map(|(e, ops, replay)| Step::Psmos(e, ops, replay)),
        1 => any::<bool>().prop_map(Step::AddSecond),
        1 => Just(Step::DeleteSecond),
        1 => (0u8..20).prop_map(Step::UpdateSecond),
        1 => Just(Step::Rollback),
        1 => Just(Step::Fallback),
        1 => Just(Step::ReturnFromFallback),
    ]
}

fn psmo(op: &Op) -> Psmo {
    let id = |n| PsmoIccid {
        iccid: iccid(n),
        extensions: Default::default(),
    };
    match op {
        Op::Enable(n, rollback) => Psmo::Enable(PsmoEnable {
            iccid: iccid(*n),
            rollback_flag: rollback.then_some(()),
            extensions: Default::default(),
        }),
        Op::Disable(n) => Psmo::Disable(id(*n)),
        Op::Delete(n) => Psmo::Delete(id(*n)),
        Op::SetFallback(n) => Psmo::SetFallbackAttribute(id(*n)),
        Op::UnsetFallback => Psmo::UnsetFallbackAttribute(PsmoEmpty::default()),
        Op::ListProfileInfo => Psmo::ListProfileInfo(Box::default()),
        Op::GetRat => Psmo::GetRat(PsmoEmpty::default()),
        Op::ConfigureImmediateEnable(on) => {
            Psmo::ConfigureImmediateEnable(PsmoConfigureImmediateEnable {
                immediate_enable_flag: on.then_some(()),
                ..Default::default()
            })
        }
        Op::SetDefaultDp => Psmo::SetDefaultDpAddress(SetDefaultDpAddressRequest {
            default_dp_address: "dp.example.com".into(),
            extensions: Default::default(),
        }),
    }
}

struct World {
    euicc: Euicc,
    eims: [TestEim; 2],
    cert: Vec<u8>,
    verify_with: Backend,
    /// The counter of each eIM's last accepted package.
    accepted: [Option<i64>; 2],
}

impl World {
    fn new(signer: Backend) -> World {
        let verify_with = match signer {
            Backend::AwsLc => Backend::RustCrypto,
            Backend::RustCrypto => Backend::AwsLc,
        };
        let mut first = TestEim::from_pki(&pki(), 0, "eim-1", Backend::RustCrypto);
        first.association_token = Some(1);
        let mut config = first.config(0, Some(-1));
        config.counter_value = Some(0);
        let euicc = Euicc::builder(pki(), 1)
            .settings(Settings {
                backend: signer,
                ..Settings::default()
            })
            .profile(Profile::new(iccid(1)).enabled())
            .profile(Profile::new(iccid(2)).fallback())
            .profile(Profile::new(iccid(3)))
            .profile(Profile::new(iccid(4)))
            .eim(config)
            .build()
            .unwrap();
        let cert = euicc.certs().unwrap().euicc_der.clone();
        World {
            euicc,
            eims: [first, TestEim::from_pki(&pki(), 1, "eim-2", Backend::AwsLc)],
            cert,
            verify_with,
            accepted: [None, None],
        }
    }

    /// Sends a package from eIM `e` and checks the answer.
    fn send(&mut self, e: usize, package: EuiccPackage, replay: bool) -> Result<(), TestCaseError> {
        let eid = self.euicc.eid();
        let stored = self
            .euicc
            .eims()
            .iter()
            .find(|x| x.config.eim_id == self.eims[e].eim_id)
            .map(|x| x.counter);
        let request = if replay && self.eims[e].counter > 0 {
            let c = self.eims[e].counter;
            self.eims[e].package_with_counter(&eid, c, package, Some(&[e as u8]))
        } else {
            self.eims[e].package(&eid, package, Some(&[e as u8]))
        };
        let sent: EuiccPackageRequest = rasn::der::decode(&request).unwrap();
        let counter = sent.euicc_package_signed.counter_value;
        let answer = self.euicc.handle_es10(&request).unwrap();
        let result = verify_result(
            &answer,
            &self.cert,
            self.eims[e].association_token,
            self.verify_with,
        )
        .map_err(|err| TestCaseError::fail(format!("result signature: {err}")))?;
        match result.0 {
            EuiccPackageResultChoice::EuiccPackageResultSigned(s) => {
                let data = s.euicc_package_result_data_signed;
                prop_assert_eq!(data.counter_value, counter);
                prop_assert!(
                    stored.is_some_and(|s| counter > s),
                    "accepted {counter} after {stored:?}"
                );
                if let Some(last) = self.accepted[e] {
                    // Strictly increasing unless an updateEim reset the counter in between.
                    prop_assert!(counter > last || stored < Some(last));
                }
                self.accepted[e] = Some(counter);
                let PackageKind::Eco = kind(&sent) else {
                    return Ok(());
                };
                // eCO results update the second eIM's association token.
                for r in data.euicc_result {
                    if let EuiccResultData::AddEimResult(AddEimResult::AssociationToken(t)) = r {
                        self.eims[1].association_token = Some(t);
                    }
                }
            }
            EuiccPackageResultChoice::EuiccPackageErrorSigned(s) => {
                let code = s.euicc_package_error_data_signed.euicc_package_error_code;
                prop_assert_eq!(code, EuiccPackageErrorCode::REPLAY_ERROR);
                prop_assert!(replay);
            }
            EuiccPackageResultChoice::EuiccPackageErrorUnsigned(_) => {
                // Only an eIM that is not associated (or was deleted) gets these.
                prop_assert!(stored.is_none(), "unsigned error for an associated eIM");
            }
        }
        Ok(())
    }

    fn check(&self) -> Result<(), TestCaseError> {
        let profiles = self.euicc.profiles();
        prop_assert!(profiles.iter().filter(|p| p.enabled).count() <= 1);
        prop_assert!(profiles.iter().filter(|p| p.fallback).count() <= 1);
        Ok(())
    }

    fn es10(&mut self, request: &impl rasn::Encode) -> Vec<u8> {
        self.euicc
            .handle_es10(&rasn::der::encode(request).unwrap())
            .unwrap()
    }
}

enum PackageKind {
    Psmo,
    Eco,
}

fn kind(request: &EuiccPackageRequest) -> PackageKind {
    match request.euicc_package_signed.euicc_package {
        EuiccPackage::PsmoList(_) => PackageKind::Psmo,
        EuiccPackage::EcoList(_) => PackageKind::Eco,
    }
}

fn run(signer: Backend, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let mut w = World::new(signer);
    for step in steps {
        match step {
            Step::Psmos(e, ops, replay) => {
                w.send(
                    e,
                    EuiccPackage::PsmoList(ops.iter().map(psmo).collect()),
                    replay,
                )?;
            }
            Step::AddSecond(token) => {
                let config = w.eims[1].config(w.eims[1].counter, token.then_some(-1));
                w.send(
                    0,
                    EuiccPackage::EcoList(vec![Eco::AddEim(Box::new(config))]),
                    false,
                )?;
                if !token && w.euicc.eims().iter().any(|x| x.config.eim_id == "eim-2") {
                    w.eims[1].association_token = w.euicc.eims()[1].association_token;
                }
            }
            Step::DeleteSecond => {
                let eco = Eco::DeleteEim(EcoDeleteEim {
                    eim_id: "eim-2".into(),
                    extensions: Default::default(),
                });
                w.send(0, EuiccPackage::EcoList(vec![eco]), false)?;
            }
            Step::UpdateSecond(counter) => {
                let mut config = w.eims[1].config(i64::from(counter), None);
                config.eim_public_key_data = None;
                w.send(
                    0,
                    EuiccPackage::EcoList(vec![Eco::UpdateEim(Box::new(config))]),
                    false,
                )?;
                if w.euicc.eims().iter().any(|x| x.config.eim_id == "eim-2") {
                    w.eims[1].counter = i64::from(counter);
                }
            }
            Step::Rollback => {
                let answer = w.es10(&ProfileRollbackRequest::default());
                let answer: ProfileRollbackResponse = rasn::der::decode(&answer).unwrap();
                if let Some(result) = answer.euicc_package_result {
                    let bytes = rasn::der::encode(&result).unwrap();
                    let EuiccPackageResultChoice::EuiccPackageResultSigned(s) = &result.0 else {
                        return Err(TestCaseError::fail("rollback result not signed"));
                    };
                    let e = usize::from(s.euicc_package_result_data_signed.eim_id == "eim-2");
                    verify_result(&bytes, &w.cert, w.eims[e].association_token, w.verify_with)
                        .map_err(|err| TestCaseError::fail(format!("rollback: {err}")))?;
                }
            }
            Step::Fallback => {
                w.es10(&ExecuteFallbackMechanismRequest::default());
            }
            Step::ReturnFromFallback => {
                w.es10(&ReturnFromFallbackRequest::default());
            }
        }
        w.check()?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_signed_with_aws_lc(steps in prop::collection::vec(step(), 1..12)) {
        run(Backend::AwsLc, steps)?;
    }

    #[test]
    fn invariants_hold_signed_with_rustcrypto(steps in prop::collection::vec(step(), 1..12)) {
        run(Backend::RustCrypto, steps)?;
    }
}
