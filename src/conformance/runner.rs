//! One conformance run: the SUT is set up (the embedded reference eIM, or a SUT profile and its
//! adapter), the selected cases of the catalogue run under cucumber (a World each, several at
//! once), and every case gets a verdict and a trace.
//!
//! # Transports
//!
//! `--transport http|https|coap|coaps` carries ESipa for every feature that is not about one
//! binding. The binding features say which binding they check with a tag on the feature:
//! `@transport:http` (the HTTP binding, SGP.32 6.1) or `@transport:coap` (the CoAP binding,
//! SGP.32 6.2). Such a case runs against the SUT's endpoint of ITS binding: the run's own
//! endpoint when the run's transport is of that binding, else the SUT's other endpoint of that
//! binding (`https` before `http`, `coap` before `coaps`); when the SUT has none, the case is
//! UNSUPPORTED ("not applicable"), never a FAIL. The embedded reference eIM always listens on
//! HTTP(S) and CoAP (and CoAP/DTLS for a `coaps` run), so every binding case runs against it
//! whatever the transport.
//!
//! CoAP clients (the simulated IPAs, the binding steps) take their CoAP parameters and the
//! optional lossy link from [`RunOptions::coap`] and [`RunOptions::link`], registered for the
//! SUT's CoAP endpoints for the run ([`crate::transport::coap::register_endpoint`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cucumber::event::ScenarioFinished;
use cucumber::writer::{Basic, Coloring, Verbosity};
use cucumber::{Cucumber, parser, runner};
use time::OffsetDateTime;

use super::catalogue::{self, CaseInfo, CatalogueError, TagFilter};
use super::context::{RunContext, first_index};
use super::steps;
use super::trace;
use super::world::{EimWorld, StepError};
use crate::crypto::Backend;
use crate::eim::server::{EimCoapOptions, EimServerOptions, RunningEim};
use crate::eim::{EimConfig, EimFaults};
use crate::pki::Pki;
use crate::report::{CaseResult, ReportError, RunResults, Verdict};
use crate::smdp::server::{RunningSmdp, SmdpServerOptions};
use crate::smdp::{SmdpConfig, sgp26_v3_dir};
use crate::sut::adapter::pem_der;
use crate::sut::{ReferenceAdapter, ReferenceApiAdapter, SutAdapter, SutError, SutProfile};
use crate::transport::coap::{self, CoapTarget, EndpointSettings};
use crate::transport::{
    CoapConfig, DtlsChannel, DtlsClientConfig, LinkProfile, Target, TlsClientConfig,
};

/// Why a run could not be made (exit 2: a harness or usage problem, never a verdict).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Catalogue(#[from] CatalogueError),
    #[error("cannot start the reference eIM: {0}")]
    Reference(String),
    #[error("cannot use the SUT profile: {0}")]
    Profile(String),
    #[error(transparent)]
    Sut(#[from] SutError),
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error("{0}")]
    Usage(String),
}

/// The SUT of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SutChoice {
    /// The embedded reference eIM, started for the run on 127.0.0.1.
    Reference,
    /// A SUT profile (TOML).
    Profile(PathBuf),
}

/// What to run and against what.
#[derive(Clone)]
pub struct RunOptions {
    pub sut: SutChoice,
    /// `https` or `http`.
    pub transport: String,
    pub tags: TagFilter,
    /// Fault switches of the embedded reference eIM.
    pub faults: EimFaults,
    /// `1.2` or `1.0`.
    pub sgp32_version: String,
    /// The catalogue root (`features/`).
    pub root: PathBuf,
    /// Where traces go (`DIR/traces/ID.jsonl`); none when not set.
    pub out: Option<PathBuf>,
    pub pki: Arc<Pki>,
    pub backend: Backend,
    /// Scenarios run at once.
    pub concurrency: usize,
    /// CoAP parameters of the run's CoAP clients and of the embedded eIM's CoAP server.
    pub coap: CoapConfig,
    /// A lossy link between the run's CoAP clients and the SUT (`--link`), if any.
    pub link: Option<LinkProfile>,
    /// DTLS PSK (identity, key) for `coaps` instead of certificates, if any: one for the run's
    /// devices (see [`default_psk`]).
    pub dtls_psk: Option<(Vec<u8>, Vec<u8>)>,
}

/// The run-wide DTLS PSK by default: the harness's identity and key of device 0 of the PKI's
/// seed (its EID in hex, the key derived from the seed), which the reference eIM's `--coaps`
/// accepts (SGP.32 6.2; `transport::dtls::derive_psk`).
pub fn default_psk(pki: &Pki) -> Result<(Vec<u8>, Vec<u8>), RunError> {
    let eid = crate::pki::euicc_eid(0).map_err(|e| RunError::Usage(format!("PSK EID: {e}")))?;
    Ok((
        crate::transport::dtls::default_psk_identity(&eid),
        crate::transport::dtls::derive_psk(pki.seed, &eid),
    ))
}

impl RunOptions {
    /// The embedded eIM over HTTPS, the whole catalogue, no traces.
    pub fn reference(pki: Arc<Pki>) -> RunOptions {
        RunOptions {
            sut: SutChoice::Reference,
            transport: "https".into(),
            tags: TagFilter::ALL,
            faults: EimFaults::NONE,
            sgp32_version: "1.2".into(),
            root: catalogue::default_root(),
            out: None,
            pki,
            backend: Backend::AwsLc,
            concurrency: 8,
            coap: CoapConfig::default(),
            link: None,
            dtls_psk: None,
        }
    }
}

/// Told about each case as it ends (a progress bar, a console line).
pub trait Observer: Send + Sync {
    /// Before the first case: how many will run or be reported.
    fn started(&self, _total: usize) {}
    /// One case is finished.
    fn finished(&self, case: &CaseResult);
}

/// The SUT set up for a run.
struct Sut {
    name: String,
    profile: SutProfile,
    adapter: Arc<dyn SutAdapter>,
    /// The trust for the SUT's secure endpoints (https, coaps).
    tls: Option<TlsClientConfig>,
    running: Option<RunningEim>,
    /// The harness's mock SM-DP+ the SUT relays downloads to.
    smdp: Option<RunningSmdp>,
}

/// The SM-DP+ address of the harness's mock SM-DP+ in activation codes; the embedded eIM maps
/// it to the SM-DP+'s URL on 127.0.0.1.
pub const SMDP_ADDRESS: &str = "smdp.sgp32-harness.test";

/// Starts the mock SM-DP+ (on `listen`, over TLS when `tls`): the SGP.26 v3 DPauth/DPpb keys
/// when the reference material is there, else the harness PKI's.
async fn start_smdp(
    options: &RunOptions,
    listen: SocketAddr,
    tls: bool,
) -> Result<RunningSmdp, RunError> {
    let config = SmdpConfig::sgp26_default(&options.pki, &sgp26_v3_dir(), options.backend)
        .or_else(|_| SmdpConfig::from_harness_pki(&options.pki, options.backend))
        .map_err(|e| RunError::Reference(format!("mock SM-DP+: {e}")))?;
    let server = SmdpServerOptions {
        listen,
        tls,
        address: Some(SMDP_ADDRESS.into()),
    };
    RunningSmdp::start(&options.pki, config, &server)
        .await
        .map_err(|e| RunError::Reference(format!("mock SM-DP+: {e}")))
}

async fn set_up(options: &RunOptions) -> Result<Sut, RunError> {
    match &options.sut {
        SutChoice::Reference => {
            let smdp = start_smdp(options, ([127, 0, 0, 1], 0).into(), false).await?;
            let server = EimServerOptions {
                listen: ([127, 0, 0, 1], 0).into(),
                tls: options.transport == "https",
                api: None,
            };
            let coap = EimCoapOptions {
                coap: Some(([127, 0, 0, 1], 0).into()),
                coaps: (options.transport == "coaps").then(|| ([127, 0, 0, 1], 0).into()),
                config: options.coap.clone(),
                dtls: None,
                link: None,
            };
            let config = EimConfig::from_pki(&options.pki, options.backend)
                .map_err(|e| RunError::Reference(e.to_string()))?
                .with_faults(options.faults)
                .with_smdp(SMDP_ADDRESS, smdp.base_url());
            let running = RunningEim::start_with_coap(&options.pki, config, &server, &coap)
                .await
                .map_err(|e| RunError::Reference(e.to_string()))?;
            let tls = Some(TlsClientConfig::trusting(vec![
                options.pki.ci.cert_der.clone(),
            ]));
            Ok(Sut {
                name: "reference".into(),
                profile: running.sut_profile(),
                adapter: Arc::new(ReferenceAdapter::new(running.eim().clone())),
                tls,
                running: Some(running),
                smdp: Some(smdp),
            })
        }
        SutChoice::Profile(path) => {
            if !options.faults.is_empty() {
                return Err(RunError::Usage(
                    "--eim-fault switches faults of the embedded reference eIM; it can't be used with --sut FILE".into(),
                ));
            }
            let profile = SutProfile::read(path).map_err(|e| RunError::Profile(e.to_string()))?;
            let adapter: Arc<dyn SutAdapter> = match profile.api.adapter.as_str() {
                "reference" => Arc::new(ReferenceApiAdapter::connect(&profile).await?),
                other => {
                    return Err(RunError::Profile(format!(
                        "{}: no adapter named {other:?} (known: reference)",
                        path.display()
                    )));
                }
            };
            let tls = match &profile.tls.trusted_certificate_pem {
                Some(pem) => {
                    let der = pem_der(pem)?;
                    Some(if crate::pki::is_ca_certificate(&der) {
                        TlsClientConfig::trusting(vec![der])
                    } else {
                        TlsClientConfig::pinning(der)
                    })
                }
                None => None,
            };
            // Downloads need an SM-DP+ the SUT relays to: when the profile maps the harness's
            // SM-DP+ address to a URL on this machine, the mock SM-DP+ is started there;
            // otherwise the cases needing it are UNSUPPORTED.
            let mut profile = profile;
            let smdp = match harness_smdp_listen(&profile)? {
                Some((listen, tls)) => Some(start_smdp(options, listen, tls).await?),
                None => {
                    profile.features.absent.push("smdp".into());
                    None
                }
            };
            Ok(Sut {
                name: path.display().to_string(),
                profile,
                adapter,
                tls,
                running: None,
                smdp,
            })
        }
    }
}

/// Where the harness's mock SM-DP+ must listen for a SUT profile: the profile's `[smdp]` URL
/// of [`SMDP_ADDRESS`] (`http://IP:PORT` or `https://IP:PORT`, an IP address of this machine),
/// with whether it is TLS; `None` when the profile has no such entry.
fn harness_smdp_listen(profile: &SutProfile) -> Result<Option<(SocketAddr, bool)>, RunError> {
    let Some((_, url)) = profile
        .smdp
        .iter()
        .find(|(a, _)| a.eq_ignore_ascii_case(SMDP_ADDRESS))
    else {
        return Ok(None);
    };
    let bad = |reason: String| {
        RunError::Profile(format!(
            "[smdp] {SMDP_ADDRESS} = {url:?}: {reason} (the harness starts its SM-DP+ there)"
        ))
    };
    let target = Target::parse(url).map_err(|e| bad(e.to_string()))?;
    if !url.contains("://") {
        return Err(bad("give http:// or https://".into()));
    }
    let ip: std::net::IpAddr = target
        .host
        .parse()
        .map_err(|_| bad("the host must be an IP address".into()))?;
    Ok(Some((SocketAddr::new(ip, target.port), target.tls)))
}

/// Runs the catalogue as `options` say. Every selected case gets a verdict; cases that can't
/// run get ERROR (or UNSUPPORTED when the SUT declares their feature absent).
pub async fn run(
    options: &RunOptions,
    observer: Option<Arc<dyn Observer>>,
) -> Result<RunResults, RunError> {
    if !matches!(
        options.transport.as_str(),
        "https" | "http" | "coap" | "coaps"
    ) {
        return Err(RunError::Usage(format!(
            "transport {} is not one of https, http, coap, coaps",
            options.transport
        )));
    }
    options
        .coap
        .validate()
        .map_err(|e| RunError::Usage(format!("CoAP settings: {e}")))?;
    let cases = catalogue::load(&options.root)?;
    let selected: Vec<CaseInfo> = cases
        .into_iter()
        .filter(|c| options.tags.matches(&c.tags))
        .collect();
    let sut = set_up(options).await?;
    let started = OffsetDateTime::now_utc();
    let mut results = RunResults::new(
        &sut.name,
        &options.transport,
        &options.sgp32_version,
        started,
    )?;
    // The run's CoAP parameters and link for the SUT's CoAP endpoints.
    let registered: Vec<String> = sut
        .profile
        .esipa
        .iter()
        .filter(|(scheme, _)| scheme.starts_with("coap"))
        .filter_map(|(_, url)| CoapTarget::parse(url).ok())
        .map(|t| t.authority())
        .collect();
    let connector: Option<coap::Connector> = options.dtls_psk.clone().map(|(identity, key)| {
        let config = DtlsClientConfig::psk(identity, key);
        let connector: coap::Connector = Arc::new(move |addr| {
            let config = config.clone();
            Box::pin(async move {
                let channel: Arc<dyn crate::transport::DatagramChannel> =
                    Arc::new(DtlsChannel::connect(addr, &config).await?);
                Ok(channel)
            })
        });
        connector
    });
    for authority in &registered {
        coap::register_endpoint(
            authority,
            EndpointSettings {
                config: options.coap.clone(),
                link: options.link,
                connector: connector.clone(),
            },
        );
    }
    let outcome = run_cases(options, &sut, &selected, observer).await;
    for authority in &registered {
        coap::unregister_endpoint(authority);
    }
    if let Some(running) = sut.running {
        running.shutdown().await;
    }
    if let Some(smdp) = sut.smdp {
        smdp.shutdown().await;
    }
    let mut done = outcome?;
    for case in &selected {
        let result = done.remove(&case.id).unwrap_or_else(|| {
            case_result(
                case,
                Verdict::Error,
                None,
                "the scenario did not run (cucumber did not report it)".into(),
                0,
            )
        });
        results.cases.push(result);
    }
    Ok(results)
}

async fn run_cases(
    options: &RunOptions,
    sut: &Sut,
    selected: &[CaseInfo],
    observer: Option<Arc<dyn Observer>>,
) -> Result<HashMap<String, CaseResult>, RunError> {
    if let Some(o) = &observer {
        o.started(selected.len());
    }
    let mut done = HashMap::new();
    let mut to_run = HashMap::new();
    // Binding cases run against their binding's endpoint (see the module docs).
    let run_binding = binding_of(&options.transport);
    let mut binding_endpoints: HashMap<&'static str, Option<(String, String)>> = HashMap::new();
    for binding in ["http", "coap"] {
        let endpoint = if binding == run_binding {
            None
        } else {
            let order: [&str; 2] = if binding == "http" {
                ["https", "http"]
            } else {
                ["coap", "coaps"]
            };
            order.iter().find_map(|scheme| {
                sut.profile
                    .esipa
                    .get(*scheme)
                    .map(|url| (scheme.to_string(), url.clone()))
            })
        };
        binding_endpoints.insert(binding, endpoint);
    }
    let mut other_binding: HashMap<String, &'static str> = HashMap::new();
    for case in selected {
        if let Some(binding) = case_binding(case).filter(|b| *b != run_binding) {
            if binding_endpoints.get(binding).is_none_or(Option::is_none) {
                let r = case_result(
                    case,
                    Verdict::Unsupported,
                    None,
                    format!(
                        "not applicable: a case of the {binding} binding, the run's transport is {} and the SUT has no {binding} endpoint",
                        options.transport
                    ),
                    0,
                );
                if let Some(o) = &observer {
                    o.finished(&r);
                }
                done.insert(case.id.clone(), r);
                continue;
            }
            other_binding.insert(case.id.clone(), binding);
        }
        if let Some(feature) = case.unsupported_by(&sut.profile.features.absent) {
            let r = case_result(
                case,
                Verdict::Unsupported,
                None,
                format!(
                    "{feature:?} is absent for this SUT (its profile declares it, or the harness can't provide it beside this SUT)"
                ),
                0,
            );
            if let Some(o) = &observer {
                o.finished(&r);
            }
            done.insert(case.id.clone(), r);
        } else {
            to_run.insert(case.id.clone(), case.clone());
        }
    }
    if to_run.is_empty() {
        return Ok(done);
    }
    let esipa_url = sut
        .profile
        .esipa
        .get(&options.transport)
        .cloned()
        .ok_or_else(|| {
            RunError::Profile(format!(
                "the SUT has no {} ESipa endpoint (it has: {})",
                options.transport,
                sut.profile
                    .esipa
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let eim = sut.adapter.eim_config().await?;
    let first = first_index(sut.running.is_some());
    let make_ctx = |url: String, scheme: &str, first: u64| {
        let secure = matches!(scheme, "https" | "coaps");
        let mut ctx = RunContext::new(
            options.pki.clone(),
            sut.adapter.clone(),
            eim.clone(),
            url,
            scheme.to_string(),
            if secure { sut.tls.clone() } else { None },
            options.sgp32_version.clone(),
            options.backend,
            first,
        );
        ctx.smdp = sut.smdp.as_ref().map(|s| s.smdp().clone());
        // Devices that download directly (SGP.32 3.2.3.1) reach the mock SM-DP+ themselves.
        if let Some(s) = &sut.smdp {
            ctx.ipa.smdp_urls.insert(SMDP_ADDRESS.into(), s.base_url());
        }
        Arc::new(ctx)
    };
    let ctx = make_ctx(esipa_url, &options.transport, first);
    // Contexts of the other binding's endpoint, with their own range of device indexes.
    let mut binding_ctx: HashMap<&'static str, Arc<RunContext>> = HashMap::new();
    for (n, (binding, endpoint)) in binding_endpoints.iter().enumerate() {
        if let Some((scheme, url)) = endpoint
            && other_binding.values().any(|b| b == binding)
        {
            let offset = 500_000 * (n as u64 + 1);
            binding_ctx.insert(binding, make_ctx(url.clone(), scheme, first + offset));
        }
    }
    let case_ctx: Arc<HashMap<String, Arc<RunContext>>> = Arc::new(
        other_binding
            .iter()
            .filter_map(|(id, b)| binding_ctx.get(b).map(|c| (id.clone(), c.clone())))
            .collect(),
    );
    let cases = Arc::new(to_run);
    let collected: Arc<Mutex<HashMap<String, CaseResult>>> = Arc::default();

    let filter_cases = cases.clone();
    let before_cases = cases.clone();
    let after_cases = cases.clone();
    let after_out = options.out.clone();
    let after_collected = collected.clone();
    let after_observer = observer.clone();
    let cucumber: Cucumber<EimWorld, _, PathBuf, _, _, cucumber::cli::Empty> = Cucumber::custom(
        parser::Basic::new(),
        runner::Basic::default(),
        Basic::new(std::io::sink(), Coloring::Never, Verbosity::Default),
    );
    let cucumber = cucumber
        .with_default_cli()
        .steps(steps::collection())
        .max_concurrent_scenarios(options.concurrency.max(1))
        .before(move |feature, rule, scenario, world: &mut EimWorld| {
            let id = case_id(&catalogue::scenario_tags(feature, rule, scenario));
            let own = id.as_ref().and_then(|id| case_ctx.get(id).cloned());
            let case = id.and_then(|id| before_cases.get(&id).cloned());
            world.attach(own.unwrap_or_else(|| ctx.clone()), case);
            Box::pin(async {})
        })
        .after(move |feature, rule, scenario, finished, world| {
            let tags = catalogue::scenario_tags(feature, rule, scenario);
            if let Some(case) = case_id(&tags).and_then(|id| after_cases.get(&id)) {
                let r = conclude(case, finished, world.map(|w| &*w), after_out.as_deref());
                if let Some(o) = &after_observer {
                    o.finished(&r);
                }
                if let Ok(mut all) = after_collected.lock() {
                    all.insert(case.id.clone(), r);
                }
            }
            Box::pin(async {})
        });
    cucumber
        .filter_run(options.root.clone(), move |feature, rule, scenario| {
            case_id(&catalogue::scenario_tags(feature, rule, scenario))
                .is_some_and(|id| filter_cases.contains_key(&id))
        })
        .await;
    let ran = std::mem::take(
        &mut *collected
            .lock()
            .map_err(|_| RunError::Usage("a step panicked while recording results".into()))?,
    );
    done.extend(ran);
    Ok(done)
}

/// The binding (`http` or `coap`) of a transport.
fn binding_of(transport: &str) -> &'static str {
    if transport.starts_with("coap") {
        "coap"
    } else {
        "http"
    }
}

/// The binding a case checks (`@transport:http`, `@transport:coap`), if any.
fn case_binding(case: &CaseInfo) -> Option<&'static str> {
    case.tags.iter().find_map(|t| match t.as_str() {
        "transport:http" => Some("http"),
        "transport:coap" => Some("coap"),
        _ => None,
    })
}

fn case_id(tags: &[String]) -> Option<String> {
    tags.iter()
        .find_map(|t| t.strip_prefix("id:"))
        .map(str::to_string)
}

fn case_result(
    case: &CaseInfo,
    verdict: Verdict,
    finding: Option<&super::world::Finding>,
    message: String,
    duration_ms: u64,
) -> CaseResult {
    CaseResult {
        id: case.id.clone(),
        title: case.title.clone(),
        feature: case.feature.clone(),
        spec: case.spec.clone(),
        level: case.level,
        tags: case.tags.clone(),
        verdict,
        requirement: finding.map(|f| f.requirement.clone()).unwrap_or_default(),
        expected: finding.map(|f| f.expected.clone()).unwrap_or_default(),
        actual: finding.map(|f| f.actual.clone()).unwrap_or(message),
        duration_ms,
        trace: None,
        expectation: None,
    }
}

/// A finished scenario's verdict, from how it ended and what its World recorded.
fn conclude(
    case: &CaseInfo,
    finished: &ScenarioFinished,
    world: Option<&EimWorld>,
    out: Option<&Path>,
) -> CaseResult {
    let duration_ms = world
        .map(|w| u64::try_from(w.started.elapsed().as_millis()).unwrap_or(u64::MAX))
        .unwrap_or_default();
    let mut result = match (finished, world.and_then(|w| w.error.as_ref())) {
        (ScenarioFinished::StepPassed, _) => {
            case_result(case, Verdict::Pass, None, String::new(), duration_ms)
        }
        (ScenarioFinished::StepFailed(..), Some(StepError::Sut(f))) => case_result(
            case,
            case.level.failed_verdict(),
            Some(f),
            String::new(),
            duration_ms,
        ),
        (ScenarioFinished::StepFailed(..), Some(StepError::Harness(m))) => {
            case_result(case, Verdict::Error, None, m.clone(), duration_ms)
        }
        (ScenarioFinished::StepFailed(_, _, e), None) => case_result(
            case,
            Verdict::Error,
            None,
            format!("a step failed inside the harness: {e}"),
            duration_ms,
        ),
        (ScenarioFinished::StepSkipped, _) => case_result(
            case,
            Verdict::Error,
            None,
            "a step of the scenario matches no step definition".into(),
            duration_ms,
        ),
        (ScenarioFinished::BeforeHookFailed(_), _) => case_result(
            case,
            Verdict::Error,
            None,
            "the scenario could not be set up".into(),
            duration_ms,
        ),
    };
    if let (Some(dir), Some(w)) = (out, world) {
        let name = format!("traces/{}.jsonl", case.id);
        match trace::write(&dir.join(&name), &w.trace_lines()) {
            Ok(()) => result.trace = Some(name),
            Err(e) => tracing::warn!(case = %case.id, "cannot write the trace: {e}"),
        }
    }
    result
}

/// The catalogue as `sgp32 list` shows it, filtered by tags.
pub fn list(root: &Path, tags: &TagFilter) -> Result<Vec<CaseInfo>, RunError> {
    Ok(catalogue::load(root)?
        .into_iter()
        .filter(|c| tags.matches(&c.tags))
        .collect())
}
