//! One load run: the SUT (the embedded reference eIM or a SUT profile), provisioning, the
//! dispatcher, the goose workers and the poll driver, and the summary. See the module docs of
//! [`crate::load`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use goose::prelude::*;
use hdrhistogram::Histogram;

use super::LoadError;
use super::fleet::{DeviceRow, Rows};
use super::scenario::{PackageKind, Scenario, TICK};
use super::schedule::Wheel;
use super::summary::{self, LoadSummary, new_histogram};
use crate::asn1::rsp::Iccid;
use crate::asn1::sgp32::{
    EuiccPackageRequest, EuiccPackageResult, EuiccPackageResultChoice, EuiccResultData,
    ProfileInfoListResponseChoice, Psmo, PsmoEnable,
};
use crate::crypto::Backend;
use crate::eim::server::{EimCoapOptions, EimServerOptions, RunningEim};
use crate::eim::{Eim, EimConfig, EimFaults, EimPublicConfig, MAX_BULK_REGISTRATION};
use crate::euicc::{Euicc, FleetTemplate, Profile, Settings};
use crate::ipa::{Ipa, IpaAction, IpaConfig, IpaEvent, IpaOutcome};
use crate::pki::{Pki, euicc_eid};
use crate::sut::adapter::{pem_der, public_config};
use crate::sut::{Order, ReferenceAdapter, ReferenceApiAdapter, SutAdapter, SutProfile};
use crate::transport::{ClientOptions, EsipaClient, HttpClient, TlsClientConfig};

/// Which SUT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SutChoice {
    /// The embedded reference eIM on 127.0.0.1 (in-process provisioning and orders).
    Reference,
    /// A SUT profile (`serve eim --write-sut`).
    Profile(PathBuf),
}

/// `--shard K/N`: this process takes part K (0-based) of N of the device-index range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based part.
    pub k: u64,
    /// Parts.
    pub n: u64,
}

impl Shard {
    /// The whole range.
    pub const ALL: Shard = Shard { k: 0, n: 1 };

    /// Parses `K/N` (0 <= K < N).
    pub fn parse(text: &str) -> Result<Shard, LoadError> {
        let bad = || LoadError::Usage(format!("--shard {text:?}: expected K/N with 0 <= K < N"));
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let k: u64 = k.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k >= n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    /// The slice of `0..devices` this shard takes: `(offset, count)`.
    pub fn slice(&self, devices: u64) -> (u64, u64) {
        let start = devices * self.k / self.n;
        let end = devices * (self.k + 1) / self.n;
        (start, end - start)
    }
}

/// Everything `sgp32 load` was asked for.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub scenario: Scenario,
    /// Where the scenario came from (for reports).
    pub scenario_path: String,
    pub sut: SutChoice,
    /// `http`, `https`, `coap`, `coaps`.
    pub transport: String,
    /// Faults of the embedded reference eIM.
    pub faults: EimFaults,
    pub shard: Shard,
    /// Output directory (load-summary.json, goose reports).
    pub out: PathBuf,
    pub pki: Arc<Pki>,
    pub backend: Backend,
    /// Progress lines on stderr.
    pub progress: bool,
}

/// What a run concluded.
#[derive(Debug, Clone)]
pub struct LoadOutcome {
    pub summary: LoadSummary,
    /// All gates met.
    pub gates_passed: bool,
}

/// The SUT as the run uses it.
struct Sut {
    name: String,
    esipa_url: String,
    tls: Option<TlsClientConfig>,
    eim: EimPublicConfig,
    /// Order adapters (the workers use them round robin).
    orderers: Vec<Arc<dyn SutAdapter>>,
    registrar: Registrar,
    running: Option<RunningEim>,
}

/// Bulk registration of an EID range.
enum Registrar {
    InProcess(Arc<Eim>),
    Api(String),
}

impl Registrar {
    async fn register(&self, count: u64, seed: u64, first: u64) -> Result<(), LoadError> {
        let mut done = 0;
        // Over HTTP, requests of 100k EIDs with a generous timeout (a busy SUT takes seconds
        // for each); in-process, the largest batches the eIM takes.
        let chunk = match self {
            Registrar::InProcess(_) => MAX_BULK_REGISTRATION,
            Registrar::Api(_) => API_BULK_CHUNK,
        };
        while done < count {
            let n = (count - done).min(chunk);
            match self {
                Registrar::InProcess(eim) => {
                    eim.register_range(n, seed, first + done)
                        .map_err(|e| LoadError::Sut(format!("bulk registration: {e}")))?;
                }
                Registrar::Api(url) => {
                    let options = ClientOptions {
                        request_timeout: Duration::from_secs(300),
                        ..ClientOptions::default()
                    };
                    let mut client = HttpClient::connect(url, None, options)
                        .await
                        .map_err(|e| LoadError::Sut(format!("order API {url}: {e}")))?;
                    let body = serde_json::json!({
                        "count": n, "seed": seed, "firstIndex": first + done
                    });
                    let headers = [("Content-Type".to_string(), "application/json".to_string())];
                    let r = client
                        .request("POST", "/euiccs/bulk", &headers, body.to_string().into())
                        .await
                        .map_err(|e| LoadError::Sut(format!("POST {url}/euiccs/bulk: {e}")))?;
                    if !(200..300).contains(&r.status) {
                        return Err(LoadError::Sut(format!(
                            "POST {url}/euiccs/bulk answered {}: {}",
                            r.status,
                            String::from_utf8_lossy(&r.body)
                        )));
                    }
                }
            }
            done += n;
        }
        Ok(())
    }
}

/// EIDs per bulk registration request over the order API.
const API_BULK_CHUNK: u64 = 100_000;

/// Connections to a SUT's order API used for orders during the run.
const API_CONNECTIONS: usize = 8;

async fn setup_sut(o: &LoadOptions) -> Result<Sut, LoadError> {
    match &o.sut {
        SutChoice::Reference => {
            let loopback: std::net::SocketAddr = ([127, 0, 0, 1], 0).into();
            let coap = match o.transport.as_str() {
                "http" | "https" => EimCoapOptions::default(),
                "coap" => EimCoapOptions {
                    coap: Some(loopback),
                    ..EimCoapOptions::default()
                },
                "coaps" => EimCoapOptions {
                    coaps: Some(loopback),
                    ..EimCoapOptions::default()
                },
                other => {
                    return Err(LoadError::Usage(format!(
                        "--transport {other}: one of http, https, coap, coaps"
                    )));
                }
            };
            let tls = matches!(o.transport.as_str(), "https" | "coaps");
            let config = EimConfig::from_pki(&o.pki, o.backend)
                .map_err(|e| LoadError::Sut(e.to_string()))?
                .with_faults(o.faults);
            let server = EimServerOptions {
                listen: loopback,
                tls: o.transport == "https",
                api: None,
            };
            let running = RunningEim::start_with_coap(&o.pki, config, &server, &coap)
                .await
                .map_err(|e| LoadError::Sut(format!("cannot start the reference eIM: {e}")))?;
            let eim = running.eim().clone();
            let esipa_url = match o.transport.as_str() {
                "coap" => running.coap_url(),
                "coaps" => running.coaps_url(),
                _ => Some(running.esipa_url()),
            }
            .ok_or_else(|| LoadError::Sut("the reference eIM has no such endpoint".into()))?;
            Ok(Sut {
                name: "reference".into(),
                esipa_url,
                tls: tls.then(|| TlsClientConfig::trusting(vec![o.pki.ci.cert_der.clone()])),
                eim: eim.config(),
                orderers: vec![Arc::new(ReferenceAdapter::new(eim.clone()))],
                registrar: Registrar::InProcess(eim),
                running: Some(running),
            })
        }
        SutChoice::Profile(path) => {
            if !o.faults.is_empty() {
                return Err(LoadError::Usage(
                    "--eim-fault switches faults of the embedded reference eIM; it can't be used with --sut FILE".into(),
                ));
            }
            let profile = SutProfile::read(path).map_err(|e| LoadError::Sut(e.to_string()))?;
            if profile.api.adapter != "reference" {
                return Err(LoadError::Sut(format!(
                    "{}: no adapter named {:?} (known: reference)",
                    path.display(),
                    profile.api.adapter
                )));
            }
            let esipa_url = profile.esipa.get(&o.transport).cloned().ok_or_else(|| {
                LoadError::Sut(format!(
                    "{} has no {} ESipa endpoint (it has: {})",
                    path.display(),
                    o.transport,
                    profile.esipa.keys().cloned().collect::<Vec<_>>().join(", ")
                ))
            })?;
            let tls = match (&profile.tls.trusted_certificate_pem, o.transport.as_str()) {
                (Some(pem), "https" | "coaps") => {
                    let der = pem_der(pem).map_err(|e| LoadError::Sut(e.to_string()))?;
                    Some(if crate::pki::is_ca_certificate(&der) {
                        TlsClientConfig::trusting(vec![der])
                    } else {
                        TlsClientConfig::pinning(der)
                    })
                }
                _ => None,
            };
            let mut orderers: Vec<Arc<dyn SutAdapter>> = Vec::new();
            for _ in 0..API_CONNECTIONS {
                orderers.push(Arc::new(
                    ReferenceApiAdapter::connect(&profile)
                        .await
                        .map_err(|e| LoadError::Sut(e.to_string()))?,
                ));
            }
            Ok(Sut {
                name: path.display().to_string(),
                esipa_url,
                tls,
                eim: public_config(&profile).map_err(|e| LoadError::Sut(e.to_string()))?,
                orderers,
                registrar: Registrar::Api(profile.api.url.clone()),
                running: None,
            })
        }
    }
}

/// Latency histograms shared by the workers (a worker uses stripe `worker % HIST_STRIPES`).
const HIST_STRIPES: usize = 16;

/// What the workers share.
struct Shared {
    scenario: Scenario,
    template: FleetTemplate,
    rows: Rows,
    wheel: Wheel,
    queue: flume::Receiver<u32>,
    /// The ESipa connections (`connections` of the scenario; `None`: not connected yet or
    /// dropped after a failure): a worker takes one for each poll and puts it back.
    connections: (
        flume::Sender<Option<EsipaClient>>,
        flume::Receiver<Option<EsipaClient>>,
    ),
    /// The start of the clock (set when the workers start).
    t0: std::sync::OnceLock<Instant>,
    end_ticks: u64,
    esipa_url: String,
    tls: Option<TlsClientConfig>,
    ipa: IpaConfig,
    orderers: Vec<Arc<dyn SutAdapter>>,
    method: &'static str,
    hist: Vec<Mutex<Histogram<u64>>>,
    requests: AtomicU64,
    /// The last completion, microseconds after the start of the clock.
    last_done_us: AtomicU64,
    errors: AtomicU64,
    exchanges: AtomicU64,
    /// Intended starts in the run (the schedule's, whatever the SUT does).
    intended: AtomicU64,
    next_worker: AtomicU64,
    errors_by_kind: Mutex<BTreeMap<String, u64>>,
    polls_by_kind: [AtomicU64; 4],
}

impl Shared {
    fn error(&self, kind: &str) {
        if let Ok(mut m) = self.errors_by_kind.lock() {
            *m.entry(kind.to_string()).or_default() += 1;
        }
    }

    fn instant(&self, ticks: u64) -> Instant {
        let t0 = self.t0.get().copied().unwrap_or_else(Instant::now);
        t0 + TICK * u32::try_from(ticks).unwrap_or(u32::MAX)
    }
}

/// Runs a load scenario and writes `load-summary.json` and goose's reports under `out`.
pub async fn run(o: LoadOptions) -> Result<LoadOutcome, LoadError> {
    let s = &o.scenario;
    let (offset, count) = o.shard.slice(s.devices);
    if count == 0 {
        return Err(LoadError::Usage(format!(
            "shard {}/{} of {} devices is empty",
            o.shard.k, o.shard.n, s.devices
        )));
    }
    let first_index = s.first_index + offset;
    std::fs::create_dir_all(&o.out).map_err(|e| LoadError::io(&o.out, e))?;
    let sut = setup_sut(&o).await?;
    // One connection before anything else: an unreachable endpoint or a carrier this build
    // does not have is a harness error (exit 2), not a run full of failed polls.
    EsipaClient::connect(&sut.esipa_url, sut.tls.clone(), ClientOptions::default())
        .await
        .map_err(|e| {
            LoadError::Sut(format!("cannot connect to ESipa at {}: {e}", sut.esipa_url))
        })?;
    let template = FleetTemplate::new(
        o.pki.clone(),
        "8988",
        vec![
            Profile::new(Iccid::default()).enabled(),
            Profile::new(Iccid::default()),
        ],
        vec![sut.eim.eim_configuration_data(Some(0), Some(-1))],
        Settings {
            backend: o.backend,
            ..Settings::default()
        },
    )
    .map_err(|e| LoadError::Sut(format!("fleet template: {e}")))?;
    let started = Instant::now();
    let count32 = u32::try_from(count)
        .map_err(|_| LoadError::Usage("at most 4294967295 devices a shard".into()))?;
    let rows = Rows::provisioned(&template, first_index, count32)
        .map_err(|e| LoadError::Sut(e.to_string()))?;
    if s.provision.register {
        sut.registrar
            .register(count, o.pki.seed, first_index)
            .await?;
    }
    let end_ticks = s.duration_ticks();
    let wheel = Wheel::new(end_ticks);
    let (tx, rx) = flume::bounded::<u32>(s.workers.max(16));
    let shared = Arc::new(Shared {
        scenario: s.clone(),
        template,
        rows,
        wheel,
        queue: rx,
        connections: {
            let n = s.connections.unwrap_or(s.workers).max(1);
            let (ctx, crx) = flume::bounded(n);
            for _ in 0..n {
                let _ = ctx.send(None);
            }
            (ctx, crx)
        },
        t0: std::sync::OnceLock::new(),
        end_ticks,
        esipa_url: sut.esipa_url.clone(),
        tls: sut.tls.clone(),
        ipa: IpaConfig {
            retries: 0,
            backoff_base: Duration::from_millis(10),
            ..IpaConfig::default()
        },
        orderers: sut.orderers.clone(),
        method: method_label(&o.transport),
        hist: (0..HIST_STRIPES)
            .map(|_| Mutex::new(new_histogram()))
            .collect(),
        requests: AtomicU64::new(0),
        last_done_us: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        exchanges: AtomicU64::new(0),
        intended: AtomicU64::new(0),
        next_worker: AtomicU64::new(0),
        errors_by_kind: Mutex::new(BTreeMap::new()),
        polls_by_kind: Default::default(),
    });
    // The first polls and the packages they should find.
    provision_schedule(&shared).await?;
    if o.progress {
        eprintln!(
            "load: {} devices (indexes {}..{}) provisioned in {:.1}s; {} polls scheduled in the first window; rows {} MiB; rss {} MiB",
            count,
            first_index,
            first_index + count,
            started.elapsed().as_secs_f64(),
            shared.wheel.pending(),
            shared.rows.bytes() / (1024 * 1024),
            summary::rss_bytes() / (1024 * 1024)
        );
    }
    let goose_result = run_goose(&o, &shared, tx)
        .await
        .map_err(|e| LoadError::Goose(format!("{e:?}")));
    let duration_s = s.duration.as_secs_f64();
    // Polls completed per second of the time they took: the clock, or longer when the last
    // polls ended after it.
    let elapsed_s = duration_s.max(shared.last_done_us.load(Ordering::Relaxed) as f64 / 1e6);
    let mut hist = new_histogram();
    for h in &shared.hist {
        if let Ok(h) = h.lock() {
            hist.add(&*h)
                .map_err(|e| LoadError::Histogram(format!("{e:?}")))?;
        }
    }
    let requests = shared.requests.load(Ordering::Relaxed);
    let mut out = LoadSummary {
        scenario: s.name.clone(),
        sut: sut.name.clone(),
        transport: o.transport.clone(),
        shards: 1,
        shard: (o.shard.n > 1).then(|| format!("{}/{}", o.shard.k, o.shard.n)),
        devices: count,
        duration_s,
        elapsed_s,
        requests,
        errors: shared.errors.load(Ordering::Relaxed),
        exchanges: shared.exchanges.load(Ordering::Relaxed),
        missed: shared
            .intended
            .load(Ordering::Relaxed)
            .saturating_sub(requests),
        target_rate: shared.intended.load(Ordering::Relaxed) as f64 / duration_s,
        achieved_rate: requests as f64 / elapsed_s,
        p50_ms: 0.0,
        p90_ms: 0.0,
        p99_ms: 0.0,
        p999_ms: 0.0,
        max_ms: 0.0,
        mean_ms: 0.0,
        rss_bytes: summary::rss_bytes(),
        errors_by_kind: shared
            .errors_by_kind
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default(),
        polls_by_kind: [
            PackageKind::None,
            PackageKind::Psmo,
            PackageKind::EuiccData,
            PackageKind::Download,
        ]
        .iter()
        .map(|k| {
            (
                k.name().to_string(),
                shared.polls_by_kind[k.code() as usize].load(Ordering::Relaxed),
            )
        })
        .collect(),
        gates: Vec::new(),
        histogram: String::new(),
    };
    out.set_histogram(&hist)?;
    let gates_passed = summary::evaluate_gates(&mut out, &s.gates);
    out.write(&o.out)?;
    if let Some(r) = sut.running {
        r.shutdown().await;
    }
    goose_result?;
    Ok(LoadOutcome {
        summary: out,
        gates_passed,
    })
}

/// `HTTP`, `HTTPS`, `COAP`, `COAPS`: goose's method label of ESipa exchanges.
fn method_label(transport: &str) -> &'static str {
    match transport {
        "https" => "HTTPS",
        "coap" => "COAP",
        "coaps" => "COAPS",
        _ => "HTTP",
    }
}

/// Schedules every device's first poll and orders what it should find.
async fn provision_schedule(shared: &Arc<Shared>) -> Result<(), LoadError> {
    let s = &shared.scenario;
    let mut to_order = Vec::new();
    for id in 0..shared.rows.len() {
        let index = shared.rows.index(id);
        let due = s.first_poll(index);
        if due >= shared.end_ticks {
            continue;
        }
        let Some(mut row) = shared.rows.get(id) else {
            continue;
        };
        row.due = due as u32;
        let kind = s.package_for(index, 0);
        row.expect = kind.code();
        shared.rows.set(id, row);
        if kind != PackageKind::None {
            to_order.push((id, row));
        }
        shared.wheel.insert(id, due);
        // Every poll the schedule intends in the run (the target), whatever the SUT does.
        let (mut t, mut n) = (due, 0u32);
        while t < shared.end_ticks {
            shared.intended.fetch_add(1, Ordering::Relaxed);
            t += s.next_gap(index, n);
            n = n.saturating_add(1);
        }
    }
    // Orders, over every order connection at once.
    let per = to_order.len().div_ceil(shared.orderers.len().max(1)).max(1);
    let mut tasks = Vec::new();
    for (k, chunk) in to_order.chunks(per).enumerate() {
        let shared = shared.clone();
        let chunk = chunk.to_vec();
        tasks.push(tokio::spawn(async move {
            let adapter = shared.orderers[k % shared.orderers.len()].clone();
            for (id, row) in chunk {
                order(&shared, adapter.as_ref(), id, &row).await?;
            }
            Ok::<(), LoadError>(())
        }));
    }
    for t in tasks {
        t.await
            .map_err(|e| LoadError::Sut(format!("an order task failed: {e}")))??;
    }
    Ok(())
}

/// Orders at the SUT what `row.expect` says device `id`'s next poll should find.
async fn order(
    shared: &Shared,
    adapter: &dyn SutAdapter,
    id: u32,
    row: &DeviceRow,
) -> Result<(), LoadError> {
    let index = shared.rows.index(id);
    let eid = euicc_eid(index).map_err(|e| LoadError::Sut(e.to_string()))?;
    let p = &shared.scenario.packages;
    let order = match PackageKind::from_code(row.expect) {
        PackageKind::None => return Ok(()),
        PackageKind::Psmo => {
            // Enable the profile that is not enabled (slots 0 and 1).
            let slot = if row.enabled == 1 { 1 } else { 0 };
            Order::Psmos(vec![Psmo::Enable(PsmoEnable {
                iccid: shared.template.iccid(index, slot),
                rollback_flag: None,
                extensions: Default::default(),
            })])
        }
        PackageKind::EuiccData => Order::EuiccData {
            tag_list: hex::decode(&p.euicc_data_tags).unwrap_or_default(),
        },
        PackageKind::Download => Order::DownloadTrigger {
            activation_code: p.activation_code.clone(),
        },
    };
    adapter
        .order(eid, &order)
        .await
        .map(|_| ())
        .map_err(|e| LoadError::Sut(format!("order for {eid}: {e}")))
}

/// Configures goose programmatically (never from `std::env::args`), runs the workers and the
/// dispatcher; returns goose's result.
async fn run_goose(
    o: &LoadOptions,
    shared: &Arc<Shared>,
    tx: flume::Sender<u32>,
) -> Result<(), GooseError> {
    let s = &o.scenario;
    let users = s.workers;
    let host = goose_host(&shared.esipa_url);
    let mut args: Vec<String> = vec![
        "--host".into(),
        host,
        "--users".into(),
        users.to_string(),
        "--increase-rate".into(),
        (users * 20).to_string(),
        "--iterations".into(),
        "1".into(),
        "--no-telnet".into(),
        "--no-print-metrics".into(),
        "--no-error-summary".into(),
        "--quiet".into(),
    ];
    for ext in ["html", "json", "md"] {
        args.push("--report-file".into());
        args.push(
            o.out
                .join(format!("goose-report.{ext}"))
                .display()
                .to_string(),
        );
    }
    // The clock starts once the workers had time to start (users / (users * 20) s = 50 ms).
    let t0 = *shared
        .t0
        .get_or_init(|| Instant::now() + Duration::from_millis(300));
    let dispatcher = tokio::spawn(dispatch(shared.clone(), tx));
    let progress = o
        .progress
        .then(|| tokio::spawn(progress(shared.clone(), t0)));
    let result = async {
        let config = goose::config::GooseConfiguration::parse_args_default(&args)?;
        let worker_shared = shared.clone();
        let transaction = Transaction::new(Arc::new(move |user| {
            let shared = worker_shared.clone();
            Box::pin(worker(shared, user))
        }))
        .set_name("worker");
        GooseAttack::initialize_with_config(config)?
            .set_client_builder_without_cookies(
                goose::client::GooseClientBuilder::new().without_cookies(),
            )?
            .register_scenario(
                goose::prelude::Scenario::new("devices").register_transaction(transaction),
            )
            .execute()
            .await
            .map(|_| ())
    }
    .await;
    // goose ended (or failed): stop the dispatcher if it still runs.
    dispatcher.abort();
    let _ = dispatcher.await;
    if let Some(p) = progress {
        p.abort();
        let _ = p.await;
    }
    result
}

/// The `scheme://host:port` of an ESipa URL (goose wants a host).
fn goose_host(url: &str) -> String {
    match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            let end = rest.find('/').unwrap_or(rest.len());
            let scheme = &url[..i];
            // goose's host check parses the URL; keep it http(s)-shaped for other carriers.
            let scheme = if scheme.starts_with("coap") {
                "http"
            } else {
                scheme
            };
            format!("{scheme}://{}", &rest[..end])
        }
        None => format!("http://{url}"),
    }
}

/// How long after the end of the clock the dispatcher still releases polls intended before
/// the end (a generator or SUT that fell behind); what is not released by then is missed.
pub const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// Releases devices to the workers at their intended start (in bucket order, sorted by exact
/// intended time; a device is released at most 1 ms early, the worker waits the rest). Every
/// poll intended before the end is released, late if need be, until [`DRAIN_GRACE`] after the
/// end.
async fn dispatch(shared: Arc<Shared>, tx: flume::Sender<u32>) {
    let end = shared.instant(shared.end_ticks) + DRAIN_GRACE;
    'buckets: for b in 0..shared.wheel.len() {
        let start = shared.instant(shared.wheel.start_of(b));
        if !sleep_unless_stopped(start.checked_sub(Duration::from_millis(1)).unwrap_or(start)).await
        {
            break;
        }
        let Some(mut ids) = shared.wheel.take(b) else {
            break;
        };
        let mut keyed: Vec<(u32, u32)> = ids
            .drain(..)
            .map(|id| (shared.rows.get(id).map_or(0, |r| r.due), id))
            .collect();
        keyed.sort_unstable();
        for (due, id) in &keyed {
            let at = shared.instant(u64::from(*due));
            if at > Instant::now() + Duration::from_millis(1)
                && !sleep_unless_stopped(at - Duration::from_millis(1)).await
            {
                break 'buckets;
            }
            if Instant::now() >= end || goose::is_killswitch_triggered() {
                break 'buckets;
            }
            if tx.send_async(*id).await.is_err() {
                break 'buckets;
            }
        }
    }
    drop(tx);
}

/// Sleeps until `at` in steps of at most 100 ms; false when goose's killswitch (Ctrl-C) was
/// triggered meanwhile: the dispatcher then stops and the run ends with what was done.
async fn sleep_unless_stopped(at: Instant) -> bool {
    loop {
        if goose::is_killswitch_triggered() {
            return false;
        }
        let now = Instant::now();
        if now >= at {
            return true;
        }
        sleep_until(at.min(now + Duration::from_millis(100))).await;
    }
}

async fn sleep_until(at: Instant) {
    tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
}

/// A progress line on stderr every second (every 10 s after the first minute).
async fn progress(shared: Arc<Shared>, t0: Instant) {
    sleep_until(t0).await;
    let mut last = 0;
    let mut tick = 0u64;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        tick += 1;
        if tick > 60 && !tick.is_multiple_of(10) {
            continue;
        }
        let done = shared.requests.load(Ordering::Relaxed);
        let p99 = shared
            .hist
            .iter()
            .filter_map(|h| h.lock().ok().map(|h| h.value_at_quantile(0.99)))
            .max()
            .unwrap_or(0);
        eprintln!(
            "load: t={:>5.1}s polls {done} (+{}/s) errors {} queued {} p99~{:.2} ms rss {} MiB",
            t0.elapsed().as_secs_f64(),
            (done - last) / if tick > 60 { 10 } else { 1 },
            shared.errors.load(Ordering::Relaxed),
            shared.queue.len(),
            p99 as f64 / 1000.0,
            summary::rss_bytes() / (1024 * 1024)
        );
        last = done;
    }
}

/// One goose user: takes released devices until the dispatcher is done.
async fn worker(shared: Arc<Shared>, user: &mut GooseUser) -> TransactionResult {
    let me = shared.next_worker.fetch_add(1, Ordering::Relaxed) as usize;
    let adapter = shared.orderers[me % shared.orderers.len()].clone();
    while let Ok(id) = shared.queue.recv_async().await {
        let Some(mut row) = shared.rows.get(id) else {
            continue;
        };
        let index = shared.rows.index(id);
        let intended = shared.instant(u64::from(row.due));
        // Released at most ~1 ms early: sending at once beats tokio's 1 ms timer, whose late
        // wake-ups would add up to 1 ms to every latency. Only a longer wait sleeps.
        if intended > Instant::now() + Duration::from_millis(2) {
            sleep_until(intended).await;
        }
        // Latency from the intended start; from the real start when that was earlier (never
        // less than the SUT's own time).
        let from = intended.min(Instant::now());
        // A connection of the pool (connected on first use); waiting for one counts.
        let Ok(mut client) = shared.connections.1.recv_async().await else {
            break;
        };
        let result = poll(&shared, &mut client, user, index, &mut row).await;
        let _ = shared.connections.0.send(client);
        let latency = from.elapsed();
        let us = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        if let Some(h) = shared.hist.get(me % HIST_STRIPES)
            && let Ok(mut h) = h.lock()
        {
            h.saturating_record(us);
        }
        shared.requests.fetch_add(1, Ordering::Relaxed);
        if let Some(t0) = shared.t0.get() {
            let us = u64::try_from(t0.elapsed().as_micros()).unwrap_or(u64::MAX);
            shared.last_done_us.fetch_max(us, Ordering::Relaxed);
        }
        if let Some(k) = shared.polls_by_kind.get(result.found.code() as usize) {
            k.fetch_add(1, Ordering::Relaxed);
        }
        let failure = result.error.as_deref();
        if let Some(kind) = failure {
            shared.errors.fetch_add(1, Ordering::Relaxed);
            shared.error(kind);
        }
        let _ = user
            .record_custom_request_duration(
                "POLL",
                result.found.name(),
                latency,
                failure.is_none(),
                None,
                failure,
            )
            .await;
        // The next poll, an interval after this one's intended start.
        let next = u64::from(row.due) + shared.scenario.next_gap(index, row.polls);
        row.polls = row.polls.saturating_add(1);
        row.expect = PackageKind::None.code();
        if next < shared.end_ticks {
            row.due = next as u32;
            let kind = shared.scenario.package_for(index, row.polls);
            row.expect = kind.code();
            if kind != PackageKind::None
                && let Err(e) = order(&shared, adapter.as_ref(), id, &row).await
            {
                tracing::warn!("{e}");
                shared.error("order refused");
                row.expect = PackageKind::None.code();
            }
        }
        shared.rows.set(id, row);
        if next < shared.end_ticks {
            shared.wheel.insert(id, next);
        }
    }
    Ok(())
}

/// How one poll went.
struct PollResult {
    /// What it found.
    found: PackageKind,
    /// The first failure (its kind, for errors_by_kind and goose).
    error: Option<String>,
}

impl PollResult {
    /// Records a failure (the first one counts).
    fn fail(&mut self, kind: String) {
        if self.error.is_none() {
            self.error = Some(kind);
        }
    }
}

/// Runs one poll of device `index` with the IPA state machine, materialising the eUICC only
/// when the poll brings it work; checks the protocol on the way.
async fn poll(
    shared: &Shared,
    client: &mut Option<EsipaClient>,
    user: &mut GooseUser,
    index: u64,
    row: &mut DeviceRow,
) -> PollResult {
    let mut result = PollResult {
        found: PackageKind::None,
        error: None,
    };
    let eid = match euicc_eid(index) {
        Ok(e) => e,
        Err(e) => {
            result.fail(format!("harness: EID of {index}: {e}"));
            return result;
        }
    };
    if client.is_none() {
        let options = ClientOptions::default();
        let start = Instant::now();
        match EsipaClient::connect(&shared.esipa_url, shared.tls.clone(), options).await {
            Ok(c) => *client = Some(c),
            Err(e) => {
                let msg = format!("transport: connect: {e}");
                let _ = user
                    .record_custom_request_duration(
                        shared.method,
                        "connect",
                        start.elapsed(),
                        false,
                        None,
                        Some(&msg),
                    )
                    .await;
                result.fail("transport: connect".into());
                return result;
            }
        }
    }
    let Some(conn) = client.as_mut() else {
        result.fail("harness: no connection".into());
        return result;
    };
    let mut ipa = Ipa::new(IpaConfig {
        eid: Some(*eid.as_bcd()),
        ..shared.ipa.clone()
    });
    let mut euicc: Option<Box<Euicc>> = None;
    let mut last_request_tag = [0u8; 2];
    let mut action = ipa.handle(IpaEvent::StartPoll);
    let mut steps = 0;
    let outcome = loop {
        steps += 1;
        if steps > 64 {
            break IpaOutcome::NothingToDo;
        }
        let event = match action {
            IpaAction::Finished(outcome) => break outcome,
            IpaAction::Wait(d) => {
                tokio::time::sleep(d).await;
                IpaEvent::WaitElapsed
            }
            IpaAction::SendEs9 { .. } => {
                IpaEvent::Es9Failed("no direct download under load".into())
            }
            IpaAction::SendEs10(request) => {
                if euicc.is_none() {
                    match shared.template.materialise(&row.to_compact(index)) {
                        Ok(e) => euicc = Some(Box::new(e)),
                        Err(e) => {
                            result.fail(format!("harness: materialise: {e}"));
                        }
                    }
                }
                let is_package = request.starts_with(&[0xbf, 0x51]);
                if is_package {
                    result.found = PackageKind::Psmo;
                    check_package(&request, row, &eid, &mut result);
                }
                match euicc.as_mut() {
                    Some(e) => match e.handle_es10(&request) {
                        Ok(response) => {
                            if is_package {
                                check_result(&response, &mut result);
                            }
                            IpaEvent::Es10Response(response)
                        }
                        Err(err) => {
                            result.fail("protocol: the eUICC could not answer".into());
                            IpaEvent::Es10Failed(err.to_string())
                        }
                    },
                    None => IpaEvent::Es10Failed("no eUICC".into()),
                }
            }
            IpaAction::SendEsipa(der) => {
                let name = esipa_name(&der);
                last_request_tag.copy_from_slice(der.get(..2).unwrap_or(&[0, 0]));
                let start = Instant::now();
                let answer = conn.post(&der).await;
                let took = start.elapsed();
                shared.exchanges.fetch_add(1, Ordering::Relaxed);
                match answer {
                    Ok(r) => {
                        let ok = (200..300).contains(&r.status);
                        let err = (!ok).then(|| format!("HTTP {}", r.status));
                        let _ = user
                            .record_custom_request_duration(
                                shared.method,
                                name,
                                took,
                                ok,
                                Some(r.status),
                                err.as_deref(),
                            )
                            .await;
                        if !ok {
                            result.fail(format!("transport: {name} HTTP {}", r.status));
                        }
                        IpaEvent::EsipaResponse {
                            status: r.status,
                            body: r.body.to_vec(),
                        }
                    }
                    Err(e) => {
                        let msg = e.to_string();
                        let _ = user
                            .record_custom_request_duration(
                                shared.method,
                                name,
                                took,
                                false,
                                None,
                                Some(&msg),
                            )
                            .await;
                        result.fail(format!("transport: {name}"));
                        // The connection is dropped; the next poll reconnects.
                        *client = None;
                        let _ = ipa.handle(IpaEvent::EsipaFailed(msg));
                        return result;
                    }
                }
            }
        };
        action = ipa.handle(event);
    };
    if steps > 64 {
        result.fail("harness: procedure did not end".into());
    }
    match outcome {
        IpaOutcome::NothingToDo => {}
        IpaOutcome::PackageExecuted {
            seq_number,
            acknowledged,
            ..
        } => {
            result.found = PackageKind::Psmo;
            if let Some(seq) = seq_number
                && !acknowledged.contains(&seq)
            {
                result.fail("protocol: result not acknowledged (lost)".into());
            }
        }
        IpaOutcome::EuiccDataProvided { .. } => result.found = PackageKind::EuiccData,
        IpaOutcome::DownloadTriggerRefused => result.found = PackageKind::Download,
        IpaOutcome::ProfileDownloaded { .. } | IpaOutcome::DownloadFailed { .. } => {
            result.found = PackageKind::Download;
            result.fail("harness: a download ran under load".into());
        }
        IpaOutcome::EimPackageError(e) => {
            result.fail(format!("protocol: eimPackageError {e}"));
        }
        IpaOutcome::ProvideResultError(e) => {
            result.fail(format!("protocol: provideEimPackageResultError {e}"));
        }
        IpaOutcome::Failed(e) => {
            let kind = match e {
                crate::ipa::IpaError::Transport { .. } | crate::ipa::IpaError::HttpStatus(_) => {
                    "transport: ESipa"
                }
                crate::ipa::IpaError::UndecodableEsipa { .. } => "protocol: undecodable answer",
                crate::ipa::IpaError::UnexpectedEsipa { .. } => "protocol: unexpected answer",
                _ => "protocol: procedure failed",
            };
            result.fail(kind.into());
        }
    }
    let expected = PackageKind::from_code(row.expect);
    if result.found != expected {
        let kind = match (expected, result.found) {
            (_, PackageKind::None) => "protocol: ordered package not found (lost)".to_string(),
            (PackageKind::None, _) => "protocol: package nobody ordered (duplicate)".to_string(),
            (e, f) => format!("protocol: {} found instead of {}", f.name(), e.name()),
        };
        result.fail(kind);
    }
    if let Some(e) = euicc {
        match e.to_compact(&shared.template) {
            Ok(c) => {
                if let Err(err) = row.update_from(&c) {
                    result.fail(format!("harness: {err}"));
                }
            }
            Err(err) => result.fail(format!("harness: fold: {err}")),
        }
    }
    result
}

/// Checks an eUICC Package against what the device knows: its own EID, counterValue exactly
/// stored + 1 (SGP.32 2.11.1.1: a reused counter, a skipped one or a package delivered twice
/// all fail this).
fn check_package(request: &[u8], row: &DeviceRow, eid: &crate::pki::Eid, result: &mut PollResult) {
    match rasn::der::decode::<EuiccPackageRequest>(request) {
        Ok(p) => {
            let signed = &p.euicc_package_signed;
            if *signed.eid_value != *eid.as_bcd() {
                result.fail("protocol: package for another EID".into());
            }
            let want = i64::from(row.counter) + 1;
            if signed.counter_value != want {
                result.fail(if signed.counter_value < want {
                    "protocol: counterValue reused".into()
                } else {
                    "protocol: counterValue skipped".into()
                });
            }
        }
        Err(_) => result.fail("protocol: undecodable eUICC Package".into()),
    }
}

/// Checks the eUICC's EuiccPackageResult: a signed result whose operations all succeeded.
fn check_result(response: &[u8], result: &mut PollResult) {
    match rasn::der::decode::<EuiccPackageResult>(response) {
        Ok(EuiccPackageResult(EuiccPackageResultChoice::EuiccPackageResultSigned(s))) => {
            let bad = s
                .euicc_package_result_data_signed
                .euicc_result
                .iter()
                .any(|r| match r {
                    EuiccResultData::EnableResult(c) => c.0 != 0,
                    EuiccResultData::DisableResult(c) => c.0 != 0,
                    EuiccResultData::DeleteResult(c) => c.0 != 0,
                    EuiccResultData::ListProfileInfoResult(l) => {
                        !matches!(l.0, ProfileInfoListResponseChoice::ProfileInfoListOk(_))
                    }
                    _ => false,
                });
            if bad {
                result.fail("protocol: an operation failed on the eUICC".into());
            }
        }
        Ok(EuiccPackageResult(EuiccPackageResultChoice::EuiccPackageErrorSigned(_))) => {
            result.fail("protocol: the eUICC refused the package (signed error)".into())
        }
        Ok(EuiccPackageResult(EuiccPackageResultChoice::EuiccPackageErrorUnsigned(_))) => result
            .fail(
                "protocol: the eUICC refused the package (unsigned error, e.g. bad signature)"
                    .into(),
            ),
        Err(_) => result.fail("protocol: undecodable EuiccPackageResult".into()),
    }
}

/// The ESipa function of a request, by its tag (goose request names).
fn esipa_name(der: &[u8]) -> &'static str {
    match der.get(..2) {
        Some([0xbf, 0x4f]) => "getEimPackage",
        Some([0xbf, 0x50]) => "provideEimPackageResult",
        Some([0xbf, 0x3d]) => "handleNotification",
        Some([0xbf, 0x39]) => "initiateAuthentication",
        Some([0xbf, 0x3b]) => "authenticateClient",
        Some([0xbf, 0x3a]) => "getBoundProfilePackage",
        Some([0xbf, 0x41]) => "cancelSession",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_range_exactly_once() {
        for n in 1..7u64 {
            let mut next = 0;
            for k in 0..n {
                let (off, count) = Shard { k, n }.slice(1001);
                assert_eq!(off, next);
                next += count;
            }
            assert_eq!(next, 1001);
        }
        assert_eq!(Shard::parse("2/4").unwrap(), Shard { k: 2, n: 4 });
        assert!(Shard::parse("4/4").is_err());
        assert!(Shard::parse("1/0").is_err());
        assert!(Shard::parse("x").is_err());
    }

    fn package(eid: &crate::pki::Eid, counter: i64) -> Vec<u8> {
        use crate::asn1::sgp32::{EuiccPackage, EuiccPackageSigned};
        rasn::der::encode(&EuiccPackageRequest {
            euicc_package_signed: EuiccPackageSigned {
                eim_id: "eim".into(),
                eid_value: (*eid.as_bcd()).into(),
                counter_value: counter,
                eim_transaction_id: None,
                euicc_package: EuiccPackage::PsmoList(vec![]),
                extensions: Default::default(),
            },
            eim_signature: vec![0; 64].into(),
            extensions: Default::default(),
        })
        .unwrap()
    }

    fn checked(request: &[u8], counter: u32, eid: &crate::pki::Eid) -> Option<String> {
        let row = DeviceRow {
            counter,
            ..Default::default()
        };
        let mut r = PollResult {
            found: PackageKind::None,
            error: None,
        };
        check_package(request, &row, eid, &mut r);
        r.error
    }

    #[test]
    fn packages_must_carry_the_stored_counter_plus_one_and_the_own_eid() {
        let eid = euicc_eid(5).unwrap();
        let other = euicc_eid(6).unwrap();
        assert_eq!(checked(&package(&eid, 8), 7, &eid), None);
        assert_eq!(
            checked(&package(&eid, 7), 7, &eid).as_deref(),
            Some("protocol: counterValue reused")
        );
        assert_eq!(
            checked(&package(&eid, 9), 7, &eid).as_deref(),
            Some("protocol: counterValue skipped")
        );
        assert_eq!(
            checked(&package(&other, 8), 7, &eid).as_deref(),
            Some("protocol: package for another EID")
        );
        assert_eq!(
            checked(&[0xbf, 0x51, 0x00], 7, &eid).as_deref(),
            Some("protocol: undecodable eUICC Package")
        );
    }

    #[test]
    fn an_error_result_of_the_euicc_is_an_error() {
        use crate::asn1::sgp32::EuiccPackageErrorUnsigned;
        let mut r = PollResult {
            found: PackageKind::Psmo,
            error: None,
        };
        let unsigned = rasn::der::encode(&EuiccPackageResult(
            EuiccPackageResultChoice::EuiccPackageErrorUnsigned(EuiccPackageErrorUnsigned {
                eim_id: "eim".into(),
                ..Default::default()
            }),
        ))
        .unwrap();
        check_result(&unsigned, &mut r);
        assert!(r.error.unwrap().contains("unsigned error"));
        let mut r = PollResult {
            found: PackageKind::Psmo,
            error: None,
        };
        check_result(&[1, 2, 3], &mut r);
        assert_eq!(
            r.error.as_deref(),
            Some("protocol: undecodable EuiccPackageResult")
        );
    }

    #[test]
    fn goose_gets_a_host_and_requests_get_names() {
        assert_eq!(
            goose_host("http://127.0.0.1:8080/gsma/rsp2/asn1"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(goose_host("coap://10.0.0.1:5683/x"), "http://10.0.0.1:5683");
        assert_eq!(esipa_name(&[0xbf, 0x4f, 0x00]), "getEimPackage");
        assert_eq!(esipa_name(&[0xbf, 0x50, 0x00]), "provideEimPackageResult");
        assert_eq!(esipa_name(&[]), "other");
        assert_eq!(method_label("coaps"), "COAPS");
    }
}
