//! Robustness (SGP.32 3.3.1, 6.3.2.6, 6.3.2.7): IPA retries, answers lost on the way, the same
//! result delivered twice, a connection dropped mid-procedure, ProfileRollback when a result
//! can't be delivered, and many EIDs at once.
//!
//! Besides the IPA driver, these steps run parts of the procedure "by hand": the harness posts
//! ESipa messages for a device on connections of its own (recorded in [`EimWorld::raw`]) and
//! hands the packages to the device's eUICC itself, so that it can lose answers, repeat
//! results or drop connections where a real IPA might. The helpers are shared with
//! `security.rs`.

use std::time::Instant;

use cucumber::step::Collection;

use super::{Args, re};
use crate::asn1::sgp32::{
    EsipaMessageFromEimToIpa, EsipaMessageFromIpaToEim, EuiccPackageRequest, GetEimPackageRequest,
    Psmo, PsmoEnable,
};
use crate::asn1::tlv;
use crate::conformance::context::RunContext;
use crate::conformance::world::{
    EimWorld, StepError, StepResult, add_initial_eim, check, fail, harness, iccid,
};
use crate::euicc::{Euicc, Profile, Settings};
use crate::ipa::{IpaOutcome, IpaTraceEntry};
use crate::pki::Eid;
use crate::step;
use crate::sut::{DeviceRegistration, Order, OrderProgress};
use crate::transport::{ClientOptions, EsipaClient};

pub fn register(c: Collection<EimWorld>) -> Collection<EimWorld> {
    c.given(
        None,
        re(r"^the device's next (\d+) attempts? to deliver a result fail in transport$"),
        step!(deliveries_fail),
    )
    .given(
        None,
        re(r"^the device's result can't be delivered at all$"),
        step!(deliveries_all_fail),
    )
    .given(
        None,
        re(r#"^(\d+) more devices registered at the SUT without an IPA connection each, each ordered to enable profile "([^"]+)"$"#),
        step!(bulk_fleet),
    )
    .when(
        None,
        re(r"^the device polls the SUT but the answer is lost$"),
        step!(poll_lost),
    )
    .when(
        None,
        re(r"^the device polls the SUT (\d+) times at once on separate connections$"),
        step!(poll_at_once),
    )
    .when(
        None,
        re(r"^the device fetches its package, executes it and delivers the result by hand( on a new connection)?$"),
        step!(by_hand),
    )
    .when(
        None,
        re(r"^the device fetches its next package by hand$"),
        step!(fetch_next),
    )
    .when(
        None,
        re(r"^the device delivers its last result again$"),
        step!(deliver_again),
    )
    .when(
        None,
        re(r"^all of them poll the SUT twice at once over (\d+) connections$"),
        step!(bulk_poll),
    )
    .then(
        None,
        re(r"^every poll got the same package, with counterValue (\d+)$"),
        step!(same_package),
    )
    .then(
        None,
        re(r"^the device executed the package whose answer was lost$"),
        step!(executed_lost),
    )
    .then(
        None,
        re(r"^the device rolled back and delivered the rollback result$"),
        step!(rolled_back),
    )
    .then(
        None,
        re(r"^the SUT answered the repeated result with a ProvideEimPackageResultResponse$"),
        step!(repeat_answered),
    )
    .then(
        None,
        re(r"^the SUT reports order (\d+) (done|failed|delivered|queued)$"),
        step!(order_n_state),
    )
    .then(
        None,
        re(r"^each of them got one package for its own EID, the same on both polls, with counterValue (\d+)$"),
        step!(bulk_packages),
    )
    .then(
        None,
        re(r"^each of them executes its package and the SUT reports every order done$"),
        step!(bulk_done),
    )
}

// -------------------------------------------------------------------------------------------
// By-hand ESipa exchanges (shared with security.rs)

/// What the SUT answered to one by-hand ESipa request.
#[derive(Debug, Clone)]
pub(super) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// The last result delivered by hand (the ProvideEimPackageResult), to deliver again.
struct HandResult(Vec<u8>);

/// A new ESipa connection to the SUT, as an IPA opens one.
pub(super) async fn connect(ctx: &RunContext) -> Result<EsipaClient, StepError> {
    EsipaClient::connect(&ctx.esipa_url, ctx.tls.clone(), ClientOptions::default())
        .await
        .map_err(|e| harness(format!("cannot connect to {}: {e}", ctx.esipa_url)))
}

/// Posts one ESipa message; a transport failure is the SUT's (ESipa answers every request).
async fn post(client: &mut EsipaClient, der: &[u8]) -> Result<Answer, String> {
    client
        .post(der)
        .await
        .map(|r| Answer {
            status: r.status,
            body: r.body.to_vec(),
        })
        .map_err(|e| e.to_string())
}

impl EimWorld {
    /// Posts `der` on `client` and records both directions in [`EimWorld::raw`].
    pub(super) async fn exchange(
        &mut self,
        client: &mut EsipaClient,
        der: &[u8],
    ) -> Result<Answer, StepError> {
        self.raw
            .push(IpaTraceEntry::now("ipa->eim", "ESipa", None, der, None));
        match post(client, der).await {
            Ok(a) => {
                self.raw.push(IpaTraceEntry::now(
                    "eim->ipa",
                    "ESipa",
                    Some(a.status),
                    &a.body,
                    None,
                ));
                Ok(a)
            }
            Err(e) => {
                self.raw.push(IpaTraceEntry::now(
                    "eim->ipa",
                    "ESipa",
                    None,
                    &[],
                    Some(e.clone()),
                ));
                Err(fail(
                    "SGP.32 6.1: the eIM answers every ESipa request",
                    "an HTTP answer",
                    e,
                ))
            }
        }
    }

    /// GetEimPackage for device `position` on `client`; the EuiccPackageRequest ('BF51') as
    /// received. No package is the SUT's failure (the scenario ordered one).
    pub(super) async fn fetch_package(
        &mut self,
        position: usize,
        client: &mut EsipaClient,
    ) -> Result<Vec<u8>, StepError> {
        let eid = self.device_at(position)?.eid;
        let answer = self.exchange(client, &get_package_der(eid)).await?;
        package_of(&answer).ok_or_else(|| {
            fail(
                "SGP.32 6.3.2.6: GetEimPackage delivers the ordered eUICC Package",
                "an euiccPackageRequest",
                describe(&answer),
            )
        })
    }

    /// Hands a package to device `position`'s eUICC (ES10b.LoadEuiccPackage); its
    /// EuiccPackageResult as returned.
    pub(super) fn execute_package(
        &mut self,
        position: usize,
        package: &[u8],
    ) -> Result<Vec<u8>, StepError> {
        let device = self.device_at(position)?;
        let result = device.driver.card_mut().handle_es10(package).map_err(|e| {
            fail(
                "SGP.32 5.9.1: the eUICC Package the SUT sends is a well-formed LoadEuiccPackage",
                "a package the eUICC can decode",
                format!("the eUICC could not take it: {e}"),
            )
        })?;
        self.raw.push(IpaTraceEntry::now(
            "ipa->euicc",
            "ES10",
            None,
            package,
            None,
        ));
        self.raw.push(IpaTraceEntry::now(
            "euicc->ipa",
            "ES10",
            None,
            &result,
            None,
        ));
        Ok(result)
    }

    fn device_at(
        &mut self,
        position: usize,
    ) -> Result<&mut crate::conformance::world::Device, StepError> {
        let n = self.devices.len();
        self.devices
            .get_mut(position)
            .ok_or_else(|| harness(format!("no device at position {position} (have {n})")))
    }
}

/// A GetEimPackageRequest for `eid`.
pub(super) fn get_package_der(eid: Eid) -> Vec<u8> {
    let request = EsipaMessageFromIpaToEim::GetEimPackageRequest(Box::new(GetEimPackageRequest {
        eid_value: (*eid.as_bcd()).into(),
        ..Default::default()
    }));
    rasn::der::encode(&request).unwrap_or_default()
}

/// A ProvideEimPackageResult (`BF50 { 5A eid, BF51 result }`) carrying the eUICC's result
/// bytes exactly as the eUICC returned them.
pub(super) fn provide_der(eid: Eid, result: &[u8]) -> Vec<u8> {
    let mut content = tlv::encode(&[0x5a], eid.as_bcd());
    content.extend_from_slice(result);
    tlv::encode(&[0xbf, 0x50], &content)
}

/// The EuiccPackageRequest ('BF51', as received) in a GetEimPackageResponse, if it is one.
pub(super) fn package_of(answer: &Answer) -> Option<Vec<u8>> {
    if !(200..300).contains(&answer.status) {
        return None;
    }
    package_in(&answer.body)
}

/// The 'BF51' inside a 'BF4F' body.
pub(super) fn package_in(body: &[u8]) -> Option<Vec<u8>> {
    let outer = tlv::split(body).ok()?;
    if outer.tag != [0xbf, 0x4f] || outer.whole.len() != body.len() {
        return None;
    }
    let inner = tlv::split(outer.content).ok()?;
    (inner.tag == [0xbf, 0x51] && inner.whole.len() == outer.content.len())
        .then(|| inner.whole.to_vec())
}

/// The decoded package of a 'BF51'.
pub(super) fn decode_package(bf51: &[u8]) -> Option<EuiccPackageRequest> {
    rasn::der::decode::<EuiccPackageRequest>(bf51).ok()
}

/// An answer in a few words, for failure messages.
pub(super) fn describe(answer: &Answer) -> String {
    match rasn::der::decode::<EsipaMessageFromEimToIpa>(&answer.body) {
        Ok(m) => format!("HTTP {} {m:?}", answer.status),
        Err(_) => format!("HTTP {} body {}", answer.status, hex::encode(&answer.body)),
    }
}

/// Whether an answer is a well-formed ProvideEimPackageResultResponse.
pub(super) fn is_result_response(answer: &Answer) -> bool {
    (200..300).contains(&answer.status)
        && matches!(
            rasn::der::decode::<EsipaMessageFromEimToIpa>(&answer.body),
            Ok(EsipaMessageFromEimToIpa::ProvideEimPackageResultResponse(_))
        )
}

/// The last by-hand answer to a ProvideEimPackageResult.
fn last_raw_result_answer(w: &EimWorld) -> Option<Answer> {
    w.raw
        .windows(2)
        .rev()
        .find(|p| p[0].direction == "ipa->eim" && p[0].hex.starts_with("bf50"))
        .map(|p| Answer {
            status: p[1].status.unwrap_or(0),
            body: hex::decode(&p[1].hex).unwrap_or_default(),
        })
}

/// The last by-hand GetEimPackage answer for `eid`.
fn last_raw_package(w: &EimWorld, eid: Eid) -> Option<Vec<u8>> {
    let request = hex::encode(get_package_der(eid));
    w.raw
        .windows(2)
        .rev()
        .find(|p| p[0].direction == "ipa->eim" && p[0].hex == request)
        .and_then(|p| package_in(&hex::decode(&p[1].hex).unwrap_or_default()))
}

// -------------------------------------------------------------------------------------------
// Steps

async fn deliveries_fail(w: &mut EimWorld, a: Args) -> StepResult {
    let n = a.parse::<u32>(1)?;
    w.device(None)?.driver.fail_provide_deliveries = n;
    Ok(())
}

async fn deliveries_all_fail(w: &mut EimWorld, _: Args) -> StepResult {
    let device = w.device(None)?;
    let attempts = device.driver.ipa().config().retries + 1;
    device.driver.fail_provide_deliveries = attempts;
    Ok(())
}

async fn poll_lost(w: &mut EimWorld, _: Args) -> StepResult {
    let ctx = w.ctx()?;
    let position = w.last_position()?;
    let mut client = connect(&ctx).await?;
    w.fetch_package(position, &mut client).await.map(|_| ())
}

async fn poll_at_once(w: &mut EimWorld, a: Args) -> StepResult {
    let n = a.parse::<usize>(1)?;
    let ctx = w.ctx()?;
    let eid = w.device(None)?.eid;
    let der = get_package_der(eid);
    let mut tasks = Vec::new();
    for _ in 0..n {
        let mut client = connect(&ctx).await?;
        let der = der.clone();
        tasks.push(tokio::spawn(async move {
            let answer = post(&mut client, &der).await;
            (der, answer)
        }));
    }
    for task in tasks {
        let (der, answer) = task
            .await
            .map_err(|e| harness(format!("a poll task failed: {e}")))?;
        w.raw
            .push(IpaTraceEntry::now("ipa->eim", "ESipa", None, &der, None));
        match answer {
            Ok(a) => w.raw.push(IpaTraceEntry::now(
                "eim->ipa",
                "ESipa",
                Some(a.status),
                &a.body,
                None,
            )),
            Err(e) => {
                return Err(fail(
                    "SGP.32 6.1: the eIM answers every ESipa request",
                    "an HTTP answer to each concurrent poll",
                    e,
                ));
            }
        }
    }
    Ok(())
}

/// Fetch, execute, deliver by hand; keeps the delivered message for "again".
async fn by_hand(w: &mut EimWorld, a: Args) -> StepResult {
    let ctx = w.ctx()?;
    let position = w.last_position()?;
    let eid = w.device_at(position)?.eid;
    let mut client = connect(&ctx).await?;
    let package = w.fetch_package(position, &mut client).await?;
    if a.opt(1).is_some() {
        // The connection drops between GetEimPackage and the result.
        client.http().close();
        drop(client);
        client = connect(&ctx).await?;
    }
    let result = w.execute_package(position, &package)?;
    let provide = provide_der(eid, &result);
    let answer = w.exchange(&mut client, &provide).await?;
    w.scratch = Some(Box::new(HandResult(provide)));
    check(
        is_result_response(&answer),
        "SGP.32 6.3.2.7: ProvideEimPackageResult is answered with a \
         ProvideEimPackageResultResponse",
        "HTTP 200 with eimAcknowledgements, emptyResponse or provideEimPackageResultError",
        describe(&answer),
    )
}

async fn fetch_next(w: &mut EimWorld, _: Args) -> StepResult {
    let ctx = w.ctx()?;
    let position = w.last_position()?;
    let mut client = connect(&ctx).await?;
    w.fetch_package(position, &mut client).await.map(|_| ())
}

async fn deliver_again(w: &mut EimWorld, _: Args) -> StepResult {
    let ctx = w.ctx()?;
    let provide = match w
        .scratch
        .as_ref()
        .and_then(|s| s.downcast_ref::<HandResult>())
    {
        Some(r) => r.0.clone(),
        None => return Err(harness("no result was delivered by hand before")),
    };
    let mut client = connect(&ctx).await?;
    w.exchange(&mut client, &provide).await.map(|_| ())
}

async fn same_package(w: &mut EimWorld, a: Args) -> StepResult {
    let want = a.parse::<i64>(1)?;
    let eid = w.device(None)?.eid;
    let request = hex::encode(get_package_der(eid));
    let answers: Vec<Option<(i64, Option<Vec<u8>>)>> = w
        .raw
        .windows(2)
        .filter(|p| p[0].direction == "ipa->eim" && p[0].hex == request)
        .map(|p| {
            package_in(&hex::decode(&p[1].hex).unwrap_or_default())
                .and_then(|b| decode_package(&b))
                .map(|p| {
                    let s = p.euicc_package_signed;
                    (s.counter_value, s.eim_transaction_id.map(|t| t.to_vec()))
                })
        })
        .collect();
    let first = answers.first().cloned().flatten();
    check(
        !answers.is_empty()
            && answers.iter().all(|x| *x == first)
            && first.as_ref().is_some_and(|(c, _)| *c == want),
        "SGP.32 3.3.1, 6.3.2.6: one outstanding eUICC Package per EID; every poll before its \
         result gets that same package",
        format!("the same package (counterValue {want}, one eimTransactionId) on every poll"),
        answers
            .iter()
            .map(|x| match x {
                Some((c, t)) => format!(
                    "counterValue {c} eimTransactionId {}",
                    t.as_deref().map(hex::encode).unwrap_or_default()
                ),
                None => "no package".into(),
            })
            .collect::<Vec<_>>(),
    )
}

async fn executed_lost(w: &mut EimWorld, _: Args) -> StepResult {
    let eid = w.device(None)?.eid;
    let lost = last_raw_package(w, eid)
        .and_then(|b| decode_package(&b))
        .ok_or_else(|| harness("no lost package was recorded"))?;
    let outcome = w.last_outcome(None)?;
    let lost_counter = lost.euicc_package_signed.counter_value;
    check(
        matches!(outcome, IpaOutcome::PackageExecuted { counter_value, .. } if counter_value == lost_counter),
        "SGP.32 3.3.1, 6.3.2.6: a poll repeated after a lost answer gets the same outstanding \
         package, not a second one",
        format!("the package with counterValue {lost_counter} executed"),
        outcome,
    )
}

async fn rolled_back(w: &mut EimWorld, _: Args) -> StepResult {
    let outcome = w.last_outcome(None)?;
    check(
        matches!(
            outcome,
            IpaOutcome::PackageExecuted {
                rolled_back: true,
                ..
            }
        ),
        "SGP.32 3.3.1 (notes 4.3): after ProfileRollback the rollback's EuiccPackageResult is \
         delivered and acknowledged",
        "the rollback result delivered and acknowledged",
        outcome,
    )
}

async fn repeat_answered(w: &mut EimWorld, _: Args) -> StepResult {
    let answer = last_raw_result_answer(w).ok_or_else(|| harness("no result was delivered"))?;
    check(
        is_result_response(&answer),
        "SGP.32 6.3.2.7: a repeated ProvideEimPackageResult is answered (acknowledged again or \
         refused with provideEimPackageResultError), never left unanswered or garbled",
        "HTTP 200 with a ProvideEimPackageResultResponse",
        describe(&answer),
    )
}

async fn order_n_state(w: &mut EimWorld, a: Args) -> StepResult {
    let n = a.parse::<usize>(1)?;
    let want = a.str(2)?.to_string();
    let ctx = w.ctx()?;
    let reference = w
        .orders
        .get(n.wrapping_sub(1))
        .ok_or_else(|| harness(format!("there is no order {n}")))?
        .reference
        .clone();
    let settles = want == "done" || want == "failed";
    let deadline = Instant::now() + ctx.patience;
    let report = loop {
        let report = ctx.adapter.report(&reference).await?;
        let settled = matches!(report.progress, OrderProgress::Done | OrderProgress::Failed);
        if !settles || settled || Instant::now() >= deadline {
            break report;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    };
    let seen = match report.progress {
        OrderProgress::Done => "done",
        OrderProgress::Failed => "failed",
        OrderProgress::Delivered => "delivered",
        OrderProgress::Queued => "queued",
    };
    check(
        seen == want,
        "SGP.32 3.3.1: an order's outcome follows its own result, once",
        format!("order {n} {want}"),
        report,
    )
}

// -------------------------------------------------------------------------------------------
// Many EIDs at once

/// A device of a bulk fleet: an eUICC without an IPA connection of its own.
struct BulkDevice {
    euicc: Euicc,
    order: String,
    /// The GetEimPackage answers it got.
    answers: Vec<Result<Answer, String>>,
}

struct Bulk(Vec<BulkDevice>);

fn bulk(w: &mut EimWorld) -> Result<&mut Vec<BulkDevice>, StepError> {
    w.scratch
        .as_mut()
        .and_then(|s| s.downcast_mut::<Bulk>())
        .map(|b| &mut b.0)
        .ok_or_else(|| harness("no bulk fleet was set up"))
}

async fn bulk_fleet(w: &mut EimWorld, a: Args) -> StepResult {
    let n = a.parse::<u64>(1)?;
    let target = iccid(a.str(2)?)?;
    let ctx = w.ctx()?;
    let first = ctx.allocate(n);
    let started = Instant::now();
    let mut fleet = Vec::new();
    for index in first..first + n {
        let mut euicc = Euicc::builder(ctx.pki.clone(), index)
            .settings(Settings {
                backend: ctx.backend,
                ..Settings::default()
            })
            .profile(Profile::new(iccid("A")?).enabled())
            .profile(Profile::new(target.clone()))
            .build()
            .map_err(|e| harness(format!("cannot build eUICC {index}: {e}")))?;
        let token = add_initial_eim(&mut euicc, &ctx)?;
        let eid = euicc.eid();
        let cert = ctx
            .pki
            .issue_euicc(index, eid, ctx.pki.euicc_key(index))
            .map_err(|e| harness(format!("test PKI: {e}")))?
            .cert_der;
        ctx.adapter
            .register(&DeviceRegistration {
                eid,
                association_token: token,
                counter: 0,
                certificate_der: Some(cert),
            })
            .await?;
        let psmo = Psmo::Enable(PsmoEnable {
            iccid: target.clone(),
            rollback_flag: None,
            extensions: Default::default(),
        });
        let order = ctx.adapter.order(eid, &Order::Psmos(vec![psmo])).await?;
        fleet.push(BulkDevice {
            euicc,
            order,
            answers: Vec::new(),
        });
    }
    tracing::info!(devices = n, elapsed = ?started.elapsed(), "bulk fleet set up");
    w.scratch = Some(Box::new(Bulk(fleet)));
    Ok(())
}

/// Posts `messages[i]` for every i, over `connections` connections at once (each connection
/// takes every `connections`-th message, in order); the answers in the same order.
async fn post_all(
    ctx: &RunContext,
    messages: Vec<Vec<u8>>,
    connections: usize,
    rounds: usize,
) -> Result<Vec<Vec<Result<Answer, String>>>, StepError> {
    let connections = connections.clamp(1, messages.len().max(1));
    let mut tasks = Vec::new();
    for k in 0..connections {
        let mut client = connect(ctx).await?;
        let mine: Vec<(usize, Vec<u8>)> = messages
            .iter()
            .enumerate()
            .skip(k)
            .step_by(connections)
            .map(|(i, m)| (i, m.clone()))
            .collect();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for _ in 0..rounds {
                for (i, m) in &mine {
                    out.push((*i, post(&mut client, m).await));
                }
            }
            out
        }));
    }
    let mut answers: Vec<Vec<Result<Answer, String>>> = vec![Vec::new(); messages.len()];
    for task in tasks {
        for (i, a) in task
            .await
            .map_err(|e| harness(format!("a poll task failed: {e}")))?
        {
            if let Some(slot) = answers.get_mut(i) {
                slot.push(a);
            }
        }
    }
    Ok(answers)
}

async fn bulk_poll(w: &mut EimWorld, a: Args) -> StepResult {
    let connections = a.parse::<usize>(1)?;
    let ctx = w.ctx()?;
    let started = Instant::now();
    let polls: Vec<Vec<u8>> = bulk(w)?
        .iter()
        .map(|d| get_package_der(d.euicc.eid()))
        .collect();
    let answers = post_all(&ctx, polls.clone(), connections, 2).await?;
    // A sample goes into the trace: the first device's exchanges.
    if let (Some(p), Some(list)) = (polls.first(), answers.first()) {
        for answer in list.iter().flatten() {
            w.raw
                .push(IpaTraceEntry::now("ipa->eim", "ESipa", None, p, None));
            w.raw.push(IpaTraceEntry::now(
                "eim->ipa",
                "ESipa",
                Some(answer.status),
                &answer.body,
                None,
            ));
        }
    }
    for (d, list) in bulk(w)?.iter_mut().zip(answers) {
        d.answers = list;
    }
    tracing::info!(elapsed = ?started.elapsed(), "bulk fleet polled twice");
    Ok(())
}

/// counterValue, eidValue and eimTransactionId of a package a poll got (None: no package).
type SeenPackage = Option<(i64, [u8; 16], Option<Vec<u8>>)>;

async fn bulk_packages(w: &mut EimWorld, a: Args) -> StepResult {
    let want = a.parse::<i64>(1)?;
    let mut wrong = Vec::new();
    let fleet = bulk(w)?;
    let total = fleet.len();
    for d in fleet.iter() {
        let eid = d.euicc.eid();
        let seen: Vec<SeenPackage> = d
            .answers
            .iter()
            .map(|a| {
                a.as_ref()
                    .ok()
                    .and_then(package_of)
                    .and_then(|b| decode_package(&b))
                    .map(|p| {
                        let s = p.euicc_package_signed;
                        (
                            s.counter_value,
                            *s.eid_value,
                            s.eim_transaction_id.map(|t| t.to_vec()),
                        )
                    })
            })
            .collect();
        let ok = seen.len() == 2
            && seen[0] == seen[1]
            && seen[0]
                .as_ref()
                .is_some_and(|(c, e, t)| *c == want && e == eid.as_bcd() && t.is_some());
        if !ok {
            wrong.push(format!(
                "{eid}: {}",
                seen.iter()
                    .map(|s| match s {
                        Some((c, e, t)) => format!(
                            "counterValue {c} eid {} txid {}",
                            hex::encode(e),
                            t.as_deref().map(hex::encode).unwrap_or_default()
                        ),
                        None => "no package".into(),
                    })
                    .collect::<Vec<_>>()
                    .join(" / ")
            ));
        }
    }
    let count = wrong.len();
    wrong.truncate(3);
    check(
        count == 0,
        "SGP.32 3.3.1, 2.11.1.1: under load every EID has exactly one outstanding eUICC Package, \
         for its own EID, with counterValue stored + 1",
        format!(
            "for each of {total} EIDs the same package on both polls, counterValue {want}, its EID"
        ),
        format!("{count} of {total} wrong, e.g. {wrong:?}"),
    )
}

async fn bulk_done(w: &mut EimWorld, _: Args) -> StepResult {
    let ctx = w.ctx()?;
    let started = Instant::now();
    let mut results = Vec::new();
    for d in bulk(w)?.iter_mut() {
        let eid = d.euicc.eid();
        let package = d
            .answers
            .first()
            .and_then(|a| a.as_ref().ok())
            .and_then(package_of)
            .ok_or_else(|| harness("a device has no package to execute"))?;
        let result = d.euicc.handle_es10(&package).map_err(|e| {
            fail(
                "SGP.32 5.9.1: the eUICC Package the SUT sends is a well-formed LoadEuiccPackage",
                "a package the eUICC can decode",
                format!("the eUICC could not take it: {e}"),
            )
        })?;
        results.push(provide_der(eid, &result));
    }
    let answers = post_all(&ctx, results, 8, 1).await?;
    let mut bad = Vec::new();
    for (i, list) in answers.iter().enumerate() {
        match list.first() {
            Some(Ok(a)) if is_result_response(a) => {}
            Some(Ok(a)) => bad.push(format!("device {i}: {}", describe(a))),
            Some(Err(e)) => bad.push(format!("device {i}: {e}")),
            None => bad.push(format!("device {i}: not delivered")),
        }
    }
    let mut not_done = Vec::new();
    let total = bulk(w)?.len();
    let orders: Vec<String> = bulk(w)?.iter().map(|d| d.order.clone()).collect();
    for order in orders {
        let report = ctx.adapter.report(&order).await?;
        if report.progress != OrderProgress::Done {
            not_done.push(format!(
                "{order}: {:?} {:?}",
                report.progress, report.reason
            ));
        }
    }
    tracing::info!(elapsed = ?started.elapsed(), "bulk fleet executed and delivered");
    let (nb, nn) = (bad.len(), not_done.len());
    bad.truncate(3);
    not_done.truncate(3);
    check(
        nb == 0 && nn == 0,
        "SGP.32 3.3.1, 6.3.2.7: under load every result is answered and every order completes",
        format!("{total} results acknowledged and {total} orders done"),
        format!("{nb} answers wrong {bad:?}; {nn} orders not done {not_done:?}"),
    )
}
