//! Security of eUICC Packages and results (SGP.32 2.11.1.1, 2.11.2.1, SGP.22 4.5.2): the SUT's
//! package signature, EID, counterValue and eimTransactionId as seen on the wire, and the
//! results the SUT must refuse (bad eUICC signature, wrong counter, wrong eimTransactionId,
//! another device's EID, a certificate that does not chain to the CI, an EID outside the
//! EUM's range).
//!
//! The package checks read the packages the device received (its IPA's trace) and verify them
//! with the crate's own crypto, independently of the simulated eUICC.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use cucumber::step::Collection;

use super::robustness::{
    Answer, connect, decode_package, describe, is_result_response, package_in, provide_der,
};
use super::{Args, re};
use crate::asn1::sgp32::{
    EuiccPackageRequest, association_token_tlv, received_euicc_package_signed,
};
use crate::conformance::world::{
    DeviceSpec, EimWorld, StepError, StepResult, check, fail, harness,
};
use crate::crypto::provider;
use crate::euicc::Faults;
use crate::ipa::IpaOutcome;
use crate::pki::{Eid, Pki};
use crate::step;
use crate::sut::{DeviceRegistration, OrderProgress};

pub fn register(c: Collection<EimWorld>) -> Collection<EimWorld> {
    c.given(
        None,
        re(r"^a device registered at the SUT whose eUICC (signs its results with a corrupted signature|echoes a stale counterValue in its results|echoes a wrong eimTransactionId in its results)$"),
        step!(faulty_euicc),
    )
    .given(
        None,
        re(r"^a device registered at the SUT with a certificate from a CI the SUT does not trust$"),
        step!(foreign_ci),
    )
    .given(
        None,
        re(r"^a device registered at the SUT whose EID lies outside its EUM's EIN range$"),
        step!(outside_range),
    )
    .given(
        None,
        re(r"^a device registered at the SUT with the certificate of another eUICC$"),
        step!(other_certificate),
    )
    .when(
        None,
        re(r"^device (\d+) executes its package but the result is delivered with device (\d+)'s EID$"),
        step!(result_under_other_eid),
    )
    .then(
        None,
        re(r"^every eUICC package the device received verifies with the signing key the SUT declares$"),
        step!(signatures_verify),
    )
    .then(
        None,
        re(r"^every eUICC package the device received names the device's EID$"),
        step!(packages_name_eid),
    )
    .then(
        None,
        re(r"^the eUICC packages the device received count up by one from counterValue (\d+)$"),
        step!(counters_count_up),
    )
    .then(
        None,
        re(r"^every eUICC package the device received carries its own eimTransactionId$"),
        step!(transaction_ids_unique),
    )
    .then(
        None,
        re(r"^the SUT refuses the eUICC's result$"),
        step!(refuses),
    )
}

/// A test PKI with another CI than the run's (generated once).
fn foreign_pki(run_seed: u64) -> Result<Arc<Pki>, StepError> {
    static PKI: OnceLock<Result<Arc<Pki>, String>> = OnceLock::new();
    PKI.get_or_init(|| {
        Pki::generate(run_seed.wrapping_add(0x5ec), 0)
            .map(Arc::new)
            .map_err(|e| e.to_string())
    })
    .clone()
    .map_err(|e| harness(format!("cannot build the foreign test PKI: {e}")))
}

async fn faulty_euicc(w: &mut EimWorld, a: Args) -> StepResult {
    let mut faults = Faults::default();
    match a.str(1)? {
        s if s.starts_with("signs") => faults.wrong_result_signature = true,
        s if s.contains("counterValue") => faults.stale_counter = true,
        _ => faults.wrong_eim_transaction_id = true,
    }
    let spec = DeviceSpec {
        faults,
        ..DeviceSpec::default()
    };
    w.add_device(spec).await.map(|_| ())
}

async fn foreign_ci(w: &mut EimWorld, _: Args) -> StepResult {
    let ctx = w.ctx()?;
    let spec = DeviceSpec {
        pki: Some(foreign_pki(ctx.pki.seed)?),
        ..DeviceSpec::default()
    };
    w.add_device(spec).await.map(|_| ())
}

async fn outside_range(w: &mut EimWorld, _: Args) -> StepResult {
    let ctx = w.ctx()?;
    // The index the device will get: EIDs stay unique per run.
    let index = ctx.allocate(1);
    let eid = Eid::from_ein_and_index("89049033", index)
        .map_err(|e| harness(format!("cannot build an EID outside the EIN: {e}")))?;
    let spec = DeviceSpec {
        eid: Some(eid),
        ..DeviceSpec::default()
    };
    w.add_device(spec).await.map(|_| ())
}

async fn other_certificate(w: &mut EimWorld, _: Args) -> StepResult {
    let ctx = w.ctx()?;
    let spec = DeviceSpec {
        registered: false,
        ..DeviceSpec::default()
    };
    let position = w.add_device(spec).await?;
    let device = w.device(Some(position + 1))?;
    let (eid, token, index) = (device.eid, device.association_token, device.index);
    // A certificate the EUM really issued, for the device's own key but another EID (the
    // EID of an eUICC that exists elsewhere): only the EID binding can refuse it.
    let other_eid =
        crate::pki::euicc_eid(index + 1_000_000).map_err(|e| harness(format!("test PKI: {e}")))?;
    let other = ctx
        .pki
        .issue_euicc(index, other_eid, ctx.pki.euicc_key(index))
        .map_err(|e| harness(format!("test PKI: {e}")))?;
    ctx.adapter
        .register(&DeviceRegistration {
            eid,
            association_token: token,
            counter: 0,
            certificate_der: Some(other.cert_der),
        })
        .await?;
    Ok(())
}

async fn result_under_other_eid(w: &mut EimWorld, a: Args) -> StepResult {
    let one = a.parse::<usize>(1)?;
    let two = a.parse::<usize>(2)?;
    let ctx = w.ctx()?;
    let other = w.device(Some(two))?.eid;
    w.device(Some(one))?;
    let mut client = connect(&ctx).await?;
    let package = w.fetch_package(one - 1, &mut client).await?;
    let result = w.execute_package(one - 1, &package)?;
    w.exchange(&mut client, &provide_der(other, &result))
        .await
        .map(|_| ())
}

/// The eUICC packages ('BF51' as received) in the device's trace and in by-hand exchanges
/// for its EID, in time order, each once (a repeated answer is the same package).
fn received_packages(w: &mut EimWorld) -> Result<Vec<(Vec<u8>, EuiccPackageRequest)>, StepError> {
    let device = w.device(None)?;
    let eid = device.eid;
    let mut entries: Vec<(u64, String)> = device
        .driver
        .trace()
        .iter()
        .filter(|e| e.direction == "eim->ipa" && e.interface == "ESipa")
        .map(|e| (e.time_us, e.hex.clone()))
        .collect();
    let request = hex::encode(super::robustness::get_package_der(eid));
    entries.extend(
        w.raw
            .windows(2)
            .filter(|p| p[0].direction == "ipa->eim" && p[0].hex == request)
            .map(|p| (p[1].time_us, p[1].hex.clone())),
    );
    entries.sort_by_key(|(t, _)| *t);
    let mut out: Vec<(Vec<u8>, EuiccPackageRequest)> = Vec::new();
    for (_, h) in entries {
        let Some(bf51) = package_in(&hex::decode(&h).unwrap_or_default()) else {
            continue;
        };
        if out.iter().any(|(b, _)| *b == bf51) {
            continue;
        }
        let decoded = decode_package(&bf51).ok_or_else(|| {
            fail(
                "SGP.32 2.11.1.1: an EuiccPackageRequest decodes",
                "a decodable EuiccPackageRequest",
                hex::encode(&bf51),
            )
        })?;
        out.push((bf51, decoded));
    }
    if out.is_empty() {
        return Err(fail(
            "SGP.32 6.3.2.6: GetEimPackage delivers the ordered eUICC Package",
            "at least one euiccPackageRequest",
            "none received",
        ));
    }
    Ok(out)
}

async fn signatures_verify(w: &mut EimWorld, _: Args) -> StepResult {
    let ctx = w.ctx()?;
    let key = provider(ctx.backend)
        .verifying_key_from_certificate_der(&ctx.eim.signing_cert_der)
        .map_err(|e| harness(format!("the SUT's declared signing certificate: {e}")))?;
    let token = w.device(None)?.association_token;
    const REQ: &str = "SGP.32 2.11.1.1: eimSignature is ECDSA (raw r||s, 64 bytes) with the eIM's \
                       key over the received DER(EuiccPackageSigned) || '84' associationToken";
    for (bf51, package) in received_packages(w)? {
        let signed = received_euicc_package_signed(&bf51).map_err(|e| {
            fail(
                REQ,
                "a package whose EuiccPackageSigned can be read",
                e.to_string(),
            )
        })?;
        let tlv = |t| association_token_tlv(t).map_err(|e| harness(e.to_string()));
        let mut data = signed.to_vec();
        data.extend(tlv(token)?);
        let signature = &package.eim_signature[..];
        let counter = package.euicc_package_signed.counter_value;
        if signature.len() != 64 {
            return Err(fail(
                REQ,
                "a 64-byte r||s eimSignature",
                format!(
                    "{} bytes{} (package counterValue {counter})",
                    signature.len(),
                    if signature.first() == Some(&0x30) {
                        ", a DER ECDSA-Sig-Value"
                    } else {
                        ""
                    }
                ),
            ));
        }
        if key.verify(&data, signature).is_err() {
            let mut without = signed.to_vec();
            without.extend(tlv(None)?);
            let hint = if token.is_some() && key.verify(&without, signature).is_ok() {
                "it verifies over '84 01 00' instead of the device's associationToken"
            } else {
                "it does not verify"
            };
            return Err(fail(
                REQ,
                format!(
                    "a signature verifying with the declared key over the data || {}",
                    hex::encode(tlv(token)?)
                ),
                format!("{hint} (package counterValue {counter})"),
            ));
        }
    }
    Ok(())
}

async fn packages_name_eid(w: &mut EimWorld, _: Args) -> StepResult {
    let eid = w.device(None)?.eid;
    for (_, p) in received_packages(w)? {
        let named = *p.euicc_package_signed.eid_value;
        check(
            named == *eid.as_bcd(),
            "SGP.32 2.11.1.1: EuiccPackageSigned.eidValue is the EID of the eUICC it is for",
            format!("eidValue {eid}"),
            Eid::from_bcd(named)
                .map(|e| e.to_string())
                .unwrap_or_else(|_| hex::encode(named)),
        )?;
    }
    Ok(())
}

async fn counters_count_up(w: &mut EimWorld, a: Args) -> StepResult {
    let start = a.parse::<i64>(1)?;
    let seen: Vec<i64> = received_packages(w)?
        .iter()
        .map(|(_, p)| p.euicc_package_signed.counter_value)
        .collect();
    let want: Vec<i64> = (0..seen.len() as i64).map(|i| start + i).collect();
    check(
        seen == want,
        "SGP.32 2.11.1.1: each new eUICC Package has counterValue = the last one + 1; a \
         counterValue is never reused",
        format!("counterValues {want:?}"),
        seen,
    )
}

async fn transaction_ids_unique(w: &mut EimWorld, _: Args) -> StepResult {
    let ids: Vec<Option<String>> = received_packages(w)?
        .iter()
        .map(|(_, p)| {
            p.euicc_package_signed
                .eim_transaction_id
                .as_ref()
                .map(|t| hex::encode(&t[..]))
        })
        .collect();
    let mut distinct = ids.clone();
    distinct.sort();
    distinct.dedup();
    check(
        ids.iter().all(Option::is_some) && distinct.len() == ids.len(),
        "SGP.32 2.11.1.1, 6.3.2.7: each eUICC Package carries an eimTransactionId of its own, \
         which the result echoes and the eIM matches",
        "one distinct eimTransactionId per package",
        ids,
    )
}

/// The SUT's answer to the last ProvideEimPackageResult of the scenario (an IPA's or a
/// by-hand one).
fn last_result_answer(w: &EimWorld) -> Option<Answer> {
    let mut best: Option<(u64, Answer)> = None;
    let traces = w
        .devices
        .iter()
        .map(|d| d.driver.trace())
        .chain(std::iter::once(&w.raw[..]));
    for trace in traces {
        for p in trace.windows(2) {
            if p[0].direction == "ipa->eim"
                && p[0].hex.starts_with("bf50")
                && p[1].direction == "eim->ipa"
                && best.as_ref().is_none_or(|(t, _)| p[1].time_us >= *t)
            {
                best = Some((
                    p[1].time_us,
                    Answer {
                        status: p[1].status.unwrap_or(0),
                        body: hex::decode(&p[1].hex).unwrap_or_default(),
                    },
                ));
            }
        }
    }
    best.map(|(_, a)| a)
}

async fn refuses(w: &mut EimWorld, _: Args) -> StepResult {
    let ctx = w.ctx()?;
    let answer = last_result_answer(w).ok_or_else(|| harness("no result was delivered"))?;
    // The SUT answered the result; give an asynchronous SUT a moment to settle.
    let reference = w.last_order()?.reference.clone();
    let deadline = Instant::now() + ctx.patience.min(Duration::from_secs(1));
    let report = loop {
        let report = ctx.adapter.report(&reference).await?;
        if matches!(report.progress, OrderProgress::Done | OrderProgress::Failed)
            || Instant::now() >= deadline
        {
            break report;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    let answered = describe(&answer);
    check(
        report.progress != OrderProgress::Done && report.outcomes.is_empty(),
        "SGP.32 2.11.2.1, 3.3.1: the eIM verifies a result (eUICC signature with CERT.EUICC \
         chained to the CI, EID in the EUM's range, counterValue, eimTransactionId, EID) before \
         acting on it; a refused result completes no order and records no outcome",
        "the order not reported done, no outcome recorded",
        format!("{report:?}; the SUT answered {answered}"),
    )?;
    let outcome = w.devices.last().and_then(|d| d.outcomes.last().cloned());
    check(
        is_result_response(&answer) || matches!(outcome, Some(IpaOutcome::ProvideResultError(_))),
        "SGP.32 6.3.2.7: a refused result is still answered with a \
         ProvideEimPackageResultResponse (acknowledgements or provideEimPackageResultError)",
        "HTTP 200 with a ProvideEimPackageResultResponse",
        answered,
    )
}
