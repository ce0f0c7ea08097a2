//! What the eUICC reported per operation (SGP.32 2.11.2.1 `EuiccResultData`), as seen on the
//! wire (the last EuiccPackageResult a device delivered to the SUT) and in the SUT's order
//! report; the eUICC conditions that make it report errors (its fault knobs, a RAT, a fallback
//! profile set at manufacturing).
//!
//! The SUT's report is its own representation: a result code counts as carried when its ASN.1
//! name (`iccidOrAidNotFound`) appears in the report's outcomes or reason; result data when
//! its identifying values (ICCIDs as digits or as the EF coding in hex, mccMnc hex, eimIds,
//! the association token) do.

use cucumber::step::Collection;
use serde_json::Value;

use super::{Args, re};
use crate::asn1::rsp::{OperatorId, ProfilePolicyAuthorisationRule};
use crate::asn1::sgp32::{
    AddEimResult, EimPackageResult, EsipaMessageFromIpaToEim, EuiccPackageResult,
    EuiccPackageResultChoice, EuiccResultData, HandleNotificationEsipaChoice, ListEimResult,
    ProcessingTerminated, ProfileInfoListResponseChoice, named_bits,
};
use crate::conformance::world::{EimWorld, StepError, StepResult, check, fail, harness, iccid};
use crate::euicc::{Euicc, EuiccBuilder, Profile};
use crate::ipa::IpaTraceEntry;
use crate::step;
use crate::sut::{OrderProgress, OrderReport};

pub fn register(c: Collection<EimWorld>) -> Collection<EimWorld> {
    c.given(
        None,
        re(r"^the eUICC of (?:the device|device (\d+)) (answers catBusy|answers undefinedError|has insufficient memory|has a profile change ongoing|does not support rollback|stops processing after (\d+) operations?)$"),
        step!(euicc_condition),
    )
    .given(
        None,
        re(r#"^the eUICC of (?:the device|device (\d+)) has a RAT rule for operator "([0-9a-fA-F]{6})"$"#),
        step!(euicc_rat),
    )
    .given(
        None,
        re(r#"^profile "([^"]+)" of (?:the device|device (\d+)) has the fallback attribute$"#),
        step!(euicc_fallback),
    )
    .then(
        None,
        re(r"^the eUICC reported (\w+) (\w+) for operation (\d+)$"),
        step!(wire_result),
    )
    .then(
        None,
        re(r"^the SUT does not report the order successful$"),
        step!(not_successful),
    )
    .then(
        None,
        re(r"^the SUT's report carries the eUICC's (\w+)$"),
        step!(report_carries_code),
    )
    .then(
        None,
        re(r"^the SUT's report carries the (profile list|RAT|eIM list|association token) the eUICC sent$"),
        step!(report_carries_data),
    )
}

impl EimWorld {
    /// Rebuilds the eUICC of a device before its first poll as its manufacturer would have
    /// made it: the same index, profiles and settings, the SUT's eIM first (the same
    /// association token as registered), plus what `change` adds (a RAT, more eIMs, ...).
    pub fn rebuild_euicc(
        &mut self,
        number: Option<usize>,
        change: impl FnOnce(EuiccBuilder) -> EuiccBuilder,
    ) -> StepResult {
        self.rebuild_euicc_with(number, |_| {}, change)
    }

    /// [`EimWorld::rebuild_euicc`] with each profile changed by `edit` first.
    pub fn rebuild_euicc_with(
        &mut self,
        number: Option<usize>,
        edit: impl Fn(&mut Profile),
        change: impl FnOnce(EuiccBuilder) -> EuiccBuilder,
    ) -> StepResult {
        let ctx = self.ctx()?;
        let device = self.device(number)?;
        if !device.outcomes.is_empty() {
            return Err(harness("an eUICC is rebuilt only before its device polls"));
        }
        let card = device.driver.card();
        let mut builder =
            Euicc::builder(ctx.pki.clone(), device.index).settings(card.settings().clone());
        for p in card.profiles() {
            let mut p = p.clone();
            edit(&mut p);
            builder = builder.profile(p);
        }
        if !card.eims().is_empty() {
            builder = builder.eim(ctx.eim.eim_configuration_data(Some(0), Some(-1)));
        }
        let rebuilt = change(builder)
            .build()
            .map_err(|e| harness(format!("cannot rebuild the eUICC: {e}")))?;
        let token = rebuilt.eims().first().and_then(|e| e.association_token);
        if token != device.association_token {
            return Err(harness(format!(
                "the rebuilt eUICC gave the SUT's eIM token {token:?}, registered {:?}",
                device.association_token
            )));
        }
        *device.driver.card_mut() = rebuilt;
        Ok(())
    }

    /// The operation results of the last EuiccPackageResultSigned a device delivered to the
    /// SUT (ProvideEimPackageResult, or inside HandleNotification), decoded from the wire.
    pub fn delivered_results(
        &mut self,
        number: Option<usize>,
    ) -> Result<Vec<EuiccResultData>, StepError> {
        let device = self.device(number)?;
        device
            .driver
            .trace()
            .iter()
            .rev()
            .find_map(results_in)
            .ok_or_else(|| {
                fail(
                    "SGP.32 3.3.1: the ordered eUICC Package reaches the eUICC and its signed result goes back to the SUT",
                    "an EuiccPackageResultSigned delivered by the device",
                    "none on the wire",
                )
            })
    }
}

/// The results of an `ipa->eim` message carrying an EuiccPackageResultSigned.
fn results_in(e: &IpaTraceEntry) -> Option<Vec<EuiccResultData>> {
    if e.direction != "ipa->eim" {
        return None;
    }
    let bytes = hex::decode(&e.hex).ok()?;
    let provided = match rasn::der::decode::<EsipaMessageFromIpaToEim>(&bytes).ok()? {
        EsipaMessageFromIpaToEim::ProvideEimPackageResult(p) => p,
        EsipaMessageFromIpaToEim::HandleNotificationEsipa(h) => match h.0 {
            HandleNotificationEsipaChoice::ProvideEimPackageResult(p) => p,
            HandleNotificationEsipaChoice::PendingNotification(_) => return None,
        },
        _ => return None,
    };
    let epr: &EuiccPackageResult = match &provided.eim_package_result {
        EimPackageResult::EuiccPackageResult(e) => e,
        EimPackageResult::EprAndNotifications(e) => &e.euicc_package_result,
        _ => return None,
    };
    match &epr.0 {
        EuiccPackageResultChoice::EuiccPackageResultSigned(s) => {
            Some(s.euicc_package_result_data_signed.euicc_result.clone())
        }
        _ => None,
    }
}

/// A named INTEGER's ASN.1 name, else its number.
fn named(name: Option<&'static str>, value: i64) -> String {
    name.map_or_else(|| value.to_string(), str::to_string)
}

/// An operation result as `(resultName, what)`: the code's name, or for data the alternative
/// (`profileInfoListOk`, `rat`, `associationToken`, `eimIdList`).
pub fn describe(r: &EuiccResultData) -> (&'static str, String) {
    match r {
        EuiccResultData::EnableResult(c) => ("enableResult", named(c.name(), c.0)),
        EuiccResultData::DisableResult(c) => ("disableResult", named(c.name(), c.0)),
        EuiccResultData::DeleteResult(c) => ("deleteResult", named(c.name(), c.0)),
        EuiccResultData::ListProfileInfoResult(l) => (
            "listProfileInfoResult",
            match &l.0 {
                ProfileInfoListResponseChoice::ProfileInfoListOk(_) => "profileInfoListOk".into(),
                ProfileInfoListResponseChoice::ProfileInfoListError(e) => named(e.name(), e.0),
            },
        ),
        EuiccResultData::GetRatResult(_) => ("getRATResult", "rat".into()),
        EuiccResultData::ConfigureImmediateEnableResult(c) => {
            ("configureImmediateEnableResult", named(c.name(), c.0))
        }
        EuiccResultData::AddEimResult(AddEimResult::AssociationToken(_)) => {
            ("addEimResult", "associationToken".into())
        }
        EuiccResultData::AddEimResult(AddEimResult::AddEimResultCode(c)) => {
            ("addEimResult", named(c.name(), c.0))
        }
        EuiccResultData::DeleteEimResult(c) => ("deleteEimResult", named(c.name(), c.0)),
        EuiccResultData::UpdateEimResult(c) => ("updateEimResult", named(c.name(), c.0)),
        EuiccResultData::ListEimResult(ListEimResult::EimIdList(_)) => {
            ("listEimResult", "eimIdList".into())
        }
        EuiccResultData::ListEimResult(ListEimResult::ListEimError(e)) => {
            ("listEimResult", named(e.name(), e.0))
        }
        EuiccResultData::RollbackResult(c) => ("rollbackResult", named(c.name(), c.0)),
        EuiccResultData::SetFallbackAttributeResult(c) => {
            ("setFallbackAttributeResult", named(c.name(), c.0))
        }
        EuiccResultData::UnsetFallbackAttributeResult(c) => {
            ("unsetFallbackAttributeResult", named(c.name(), c.0))
        }
        EuiccResultData::ProcessingTerminated(c) => ("processingTerminated", named(c.name(), c.0)),
        EuiccResultData::SetDefaultDpAddressResult(r) => {
            let c = r.set_default_dp_address_result;
            ("setDefaultDpAddressResult", named(c.name(), c.0))
        }
    }
}

/// Every string and number of the report's outcomes and reason, lower-cased.
fn report_texts(report: &OrderReport) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.to_lowercase()),
            Value::Number(n) => out.push(n.to_string()),
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(o) => o.iter().for_each(|(k, x)| {
                out.push(k.to_lowercase());
                walk(x, out);
            }),
            Value::Bool(_) | Value::Null => {}
        }
    }
    let mut out = Vec::new();
    report.outcomes.iter().for_each(|v| walk(v, &mut out));
    if let Some(r) = &report.reason {
        out.push(r.to_lowercase());
    }
    out
}

/// Whether any text of the report contains one of `needles` (lower-cased).
fn carries(texts: &[String], needles: &[String]) -> bool {
    needles
        .iter()
        .any(|n| texts.iter().any(|t| t.contains(&n.to_lowercase())))
}

async fn euicc_condition(w: &mut EimWorld, a: Args) -> StepResult {
    let what = a.str(2)?.to_string();
    let after: Option<usize> = a.parse_opt(3)?;
    let card = w.device(a.parse_opt(1)?)?.driver.card_mut();
    match what.as_str() {
        "answers catBusy" => card.faults_mut().cat_busy = true,
        "answers undefinedError" => card.faults_mut().undefined_error = true,
        "has insufficient memory" => card.faults_mut().insufficient_memory = true,
        "has a profile change ongoing" => card.faults_mut().profile_change_ongoing = true,
        "does not support rollback" => {
            let mut settings = card.settings().clone();
            settings.rollback_supported = false;
            card.set_settings(settings)
                .map_err(|e| harness(format!("eUICC settings: {e}")))?;
        }
        _ => {
            let n = after.ok_or_else(|| harness("no operation count"))?;
            card.faults_mut().terminate_after = Some((n, ProcessingTerminated::INTERRUPTION));
        }
    }
    Ok(())
}

async fn euicc_rat(w: &mut EimWorld, a: Args) -> StepResult {
    let bytes = hex::decode(a.str(2)?).map_err(|e| harness(format!("mccMnc: {e}")))?;
    let mcc_mnc = <[u8; 3]>::try_from(bytes.as_slice())
        .map_err(|_| harness("mccMnc is 3 bytes"))?
        .into();
    let rule = ProfilePolicyAuthorisationRule {
        ppr_ids: named_bits(&[1]),
        allowed_operators: vec![OperatorId {
            mcc_mnc,
            gid1: None,
            gid2: None,
            extensions: Default::default(),
        }],
        ppr_flags: named_bits(&[0]),
        extensions: Default::default(),
    };
    w.rebuild_euicc(a.parse_opt(1)?, |b| b.rat(vec![rule]))
}

async fn euicc_fallback(w: &mut EimWorld, a: Args) -> StepResult {
    let id = iccid(a.str(1)?)?;
    let number = a.parse_opt(2)?;
    let has = w
        .device(number)?
        .driver
        .card()
        .profiles()
        .iter()
        .any(|p| p.iccid == id);
    if !has {
        return Err(harness(format!(
            "the device has no profile {}",
            id.digits()
        )));
    }
    w.rebuild_euicc_with(number, |p| p.fallback = p.iccid == id, |b| b)
}

async fn wire_result(w: &mut EimWorld, a: Args) -> StepResult {
    let want = (a.str(1)?.to_string(), a.str(2)?.to_string());
    let n: usize = a.parse(3)?;
    let results = w.delivered_results(None)?;
    let seen = results.get(n.wrapping_sub(1)).map(describe);
    check(
        seen.as_ref()
            .is_some_and(|(name, code)| *name == want.0 && *code == want.1),
        "SGP.32 2.11.1: the eUICC Package carries the operations ordered, so the eUICC executes them",
        format!("operation {n}: {} {}", want.0, want.1),
        results.iter().map(describe).collect::<Vec<_>>(),
    )
}

async fn not_successful(w: &mut EimWorld, _: Args) -> StepResult {
    let report = w.settled_report().await?;
    check(
        report.progress == OrderProgress::Failed,
        "SGP.32 2.11.2.1, 3.3.1: an order whose operation the eUICC reports as not done is not reported successful",
        "order failed",
        report,
    )
}

async fn report_carries_code(w: &mut EimWorld, a: Args) -> StepResult {
    let code = a.str(1)?.to_string();
    let report = w.settled_report().await?;
    check(
        carries(&report_texts(&report), std::slice::from_ref(&code)),
        "SGP.32 2.11.2.1: the SUT reports the result code the eUICC returned for each operation",
        format!("the report names {code}"),
        report,
    )
}

/// What identifies the data of one result, for the report check.
fn data_needles(kind: &str, r: &EuiccResultData) -> Option<Vec<String>> {
    match (kind, r) {
        ("profile list", EuiccResultData::ListProfileInfoResult(l)) => match &l.0 {
            ProfileInfoListResponseChoice::ProfileInfoListOk(list) => Some(
                list.iter()
                    .filter_map(|p| p.iccid.as_ref())
                    .map(|i| i.digits())
                    .collect(),
            ),
            ProfileInfoListResponseChoice::ProfileInfoListError(_) => None,
        },
        ("RAT", EuiccResultData::GetRatResult(rat)) => Some(
            rat.iter()
                .flat_map(|r| r.allowed_operators.iter())
                .map(|o| hex::encode(o.mcc_mnc.as_ref()))
                .collect(),
        ),
        ("eIM list", EuiccResultData::ListEimResult(ListEimResult::EimIdList(list))) => {
            Some(list.iter().map(|e| e.eim_id.clone()).collect())
        }
        ("association token", EuiccResultData::AddEimResult(AddEimResult::AssociationToken(t))) => {
            Some(vec![t.to_string()])
        }
        _ => None,
    }
}

async fn report_carries_data(w: &mut EimWorld, a: Args) -> StepResult {
    let kind = a.str(1)?.to_string();
    let results = w.delivered_results(None)?;
    let needles = results
        .iter()
        .find_map(|r| data_needles(&kind, r))
        .ok_or_else(|| {
            fail(
                "SGP.32 2.11.1: the eUICC Package carries the operation ordered",
                format!("a result with the {kind} on the wire"),
                format!("{:?}", results.iter().map(describe).collect::<Vec<_>>()),
            )
        })?;
    if needles.is_empty() {
        return Err(harness(format!("the eUICC sent an empty {kind}")));
    }
    let report = w.settled_report().await?;
    let texts = report_texts(&report);
    // ICCIDs may be reported as digits or as the EF coding (nibbles swapped, hex).
    let missing: Vec<&String> = needles
        .iter()
        .filter(|n| {
            let mut forms = vec![(*n).clone()];
            if kind == "profile list"
                && let Ok(i) = iccid(n)
            {
                forms.push(hex::encode(i.as_ref()));
            }
            if kind == "association token" {
                return !texts.iter().any(|t| t == *n);
            }
            !carries(&texts, &forms)
        })
        .collect();
    check(
        missing.is_empty() && report.progress == OrderProgress::Done,
        "SGP.32 2.11.2.1: the SUT reports the data the eUICC returned (the order done, its result data in the report)",
        format!("order done, the report carries {needles:?}"),
        format!("missing {missing:?} in {report:?}"),
    )
}
