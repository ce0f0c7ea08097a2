//! The cucumber World: one per scenario, holding a fresh fleet of simulated devices (an IPA and
//! its eUICC each) provisioned at the SUT, the orders placed, and what was seen.
//!
//! Steps return [`StepResult`]: `Err(StepError::Sut(..))` is the SUT's failure (the case's
//! verdict follows its level: FAIL for `@must`, NON_STRICT otherwise), `Err(StepError::Harness)`
//! is the harness's (ERROR, never blamed on the SUT).

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use crate::asn1::es10::{Es10Request, Es10Response};
use crate::asn1::rsp::Iccid;
use crate::asn1::sgp32::{AddInitialEimOkEntry, AddInitialEimRequest, AddInitialEimResponseChoice};
use crate::euicc::{Euicc, Faults, Profile, Settings, Sgp32Version};
use crate::ipa::{IpaConfig, IpaDriver, IpaOutcome, IpaTraceEntry};
use crate::pki::{Eid, Pki};
use crate::sut::{DeviceRegistration, Order, OrderProgress, OrderReport, SutError};

use super::catalogue::CaseInfo;
use super::context::RunContext;
use super::trace::{self, TraceLine};

/// A requirement the SUT did not meet: what it says, what was expected, what was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub requirement: String,
    pub expected: String,
    pub actual: String,
}

/// Why a step did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepError {
    /// The SUT did not meet a requirement.
    Sut(Finding),
    /// The harness could not do its part (never the SUT's fault).
    Harness(String),
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StepError::Sut(x) => write!(
                f,
                "{}: expected {}, saw {}",
                x.requirement, x.expected, x.actual
            ),
            StepError::Harness(m) => write!(f, "harness error: {m}"),
        }
    }
}

impl From<SutError> for StepError {
    fn from(e: SutError) -> Self {
        StepError::Harness(e.to_string())
    }
}

/// What a step returns.
pub type StepResult = Result<(), StepError>;

/// The SUT failed `requirement`: `expected` was expected, `actual` seen.
pub fn fail(
    requirement: impl Into<String>,
    expected: impl Into<String>,
    actual: impl Into<String>,
) -> StepError {
    StepError::Sut(Finding {
        requirement: requirement.into(),
        expected: expected.into(),
        actual: actual.into(),
    })
}

/// The harness could not do its part.
pub fn harness(message: impl Into<String>) -> StepError {
    StepError::Harness(message.into())
}

/// Checks `ok`; otherwise the SUT failed `requirement`.
pub fn check(
    ok: bool,
    requirement: &str,
    expected: impl Into<String>,
    actual: impl fmt::Debug,
) -> StepResult {
    if ok {
        Ok(())
    } else {
        Err(fail(requirement, expected, format!("{actual:?}")))
    }
}

/// The ICCIDs of the standard profiles: `A` (enabled on a new device), `B` and `C`
/// (installed, disabled). Any other name is taken as ICCID digits.
pub const PROFILES: [(&str, &str); 3] = [
    ("A", "89440000000000000011"),
    ("B", "89440000000000000022"),
    ("C", "89440000000000000033"),
];

/// The ICCID a step names: `A`, `B`, `C` or digits.
pub fn iccid(name: &str) -> Result<Iccid, StepError> {
    let digits = PROFILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, d)| *d)
        .unwrap_or(name);
    Iccid::from_digits(digits).ok_or_else(|| harness(format!("bad ICCID {name:?} in a step")))
}

/// How a new device looks.
#[derive(Debug, Clone)]
pub struct DeviceSpec {
    /// Installed profiles (the first enabled) by name or ICCID.
    pub profiles: Vec<String>,
    /// Whether the SUT is told about the device.
    pub registered: bool,
    /// Whether the SUT gets CERT.EUICC with the registration.
    pub with_certificate: bool,
    /// Whether the eIM is added to the eUICC (AddInitialEim).
    pub eim_added: bool,
    /// The eUICC's fault knobs.
    pub faults: Faults,
    /// The eUICC's settings (a run with `--sgp32-version 1.0` makes every eUICC a v1.0 one).
    pub settings: Settings,
    /// The IPA's settings (defaults: the run's).
    pub ipa: Option<IpaConfig>,
    /// Another PKI than the run's for the eUICC's key and certificate (a CI the SUT does not
    /// trust).
    pub pki: Option<Arc<Pki>>,
    /// Another EID than the index's (its certificate issued for it by the PKI's EUM).
    pub eid: Option<Eid>,
}

impl Default for DeviceSpec {
    fn default() -> Self {
        DeviceSpec {
            profiles: vec!["A".into(), "B".into(), "C".into()],
            registered: true,
            with_certificate: true,
            eim_added: true,
            faults: Faults::default(),
            settings: Settings::default(),
            ipa: None,
            pki: None,
            eid: None,
        }
    }
}

/// One simulated device: an IPA driving its eUICC over a connection to the SUT.
pub struct Device {
    pub index: u64,
    pub eid: Eid,
    /// The association token the eUICC gave the eIM.
    pub association_token: Option<i64>,
    pub driver: IpaDriver<Euicc>,
    /// Outcomes of the procedures run so far, in order.
    pub outcomes: Vec<IpaOutcome>,
}

/// A profile ordered and released at the harness's mock SM-DP+ (ES2+).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedDownload {
    /// The ICCID the SM-DP+ allocated (digits).
    pub iccid: String,
    pub matching_id: String,
    /// `1$ADDRESS$MATCHINGID`.
    pub activation_code: String,
    /// The eimTransactionId of the trigger, once the device fetched it by hand.
    pub eim_transaction_id: Option<crate::asn1::rsp::TransactionId>,
}

/// An order placed at the SUT in this scenario.
#[derive(Debug, Clone)]
pub struct PlacedOrder {
    /// The device (index into [`EimWorld::devices`]).
    pub device: usize,
    /// The SUT's reference.
    pub reference: String,
    pub order: Order,
}

/// The World of one scenario.
pub struct EimWorld {
    ctx: Option<Arc<RunContext>>,
    /// The case being run.
    pub case: Option<CaseInfo>,
    pub devices: Vec<Device>,
    pub orders: Vec<PlacedOrder>,
    /// Exchanges made by steps outside an IPA (raw HTTP requests of the binding checks).
    pub raw: Vec<IpaTraceEntry>,
    /// The first failure of the scenario.
    pub error: Option<StepError>,
    pub started: Instant,
    /// State a step file keeps between its own steps (e.g. a bulk fleet polled without an IPA
    /// connection each); only the file that set it reads it.
    pub scratch: Option<Box<dyn std::any::Any + Send>>,
    /// A profile the operator prepared at the harness's SM-DP+ for this scenario.
    pub download: Option<PreparedDownload>,
}

impl fmt::Debug for EimWorld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EimWorld")
            .field("case", &self.case.as_ref().map(|c| &c.id))
            .field("devices", &self.devices.len())
            .field("orders", &self.orders)
            .field("error", &self.error)
            .finish()
    }
}

impl cucumber::World for EimWorld {
    type Error = std::convert::Infallible;

    async fn new() -> Result<Self, Self::Error> {
        Ok(EimWorld {
            ctx: None,
            case: None,
            devices: Vec::new(),
            orders: Vec::new(),
            raw: Vec::new(),
            error: None,
            started: Instant::now(),
            scratch: None,
            download: None,
        })
    }
}

impl EimWorld {
    /// Attaches the run (done by the runner's before hook).
    pub fn attach(&mut self, ctx: Arc<RunContext>, case: Option<CaseInfo>) {
        self.ctx = Some(ctx);
        self.case = case;
        self.started = Instant::now();
    }

    /// The run's shared context.
    pub fn ctx(&self) -> Result<Arc<RunContext>, StepError> {
        self.ctx
            .clone()
            .ok_or_else(|| harness("the scenario runs outside a conformance run"))
    }

    /// The device a step means by its number (1-based), or the last one added.
    pub fn device(&mut self, number: Option<usize>) -> Result<&mut Device, StepError> {
        let index = self.position(number)?;
        Ok(&mut self.devices[index])
    }

    /// The position of device `number` (1-based, as the steps write it), or of the last device.
    pub fn position(&self, number: Option<usize>) -> Result<usize, StepError> {
        let n = self.devices.len();
        match number {
            Some(k) if k >= 1 && k <= n => Ok(k - 1),
            Some(k) => Err(harness(format!("there is no device {k} (have {n})"))),
            None if n > 0 => Ok(n - 1),
            None => Err(harness("no device was set up")),
        }
    }

    /// The last device's position.
    pub fn last_position(&self) -> Result<usize, StepError> {
        self.position(None)
    }

    /// Builds a device as `spec` says, adds the eIM to its eUICC (AddInitialEim with the SUT's
    /// configuration), registers it at the SUT and connects its IPA. Returns its position.
    pub async fn add_device(&mut self, spec: DeviceSpec) -> Result<usize, StepError> {
        let ctx = self.ctx()?;
        let index = ctx.allocate(1);
        let device = new_device(&ctx, index, &spec).await?;
        self.devices.push(device);
        Ok(self.devices.len() - 1)
    }

    /// Places `order` for device `device` (position) at the SUT.
    pub async fn place_order(&mut self, device: usize, order: Order) -> Result<usize, StepError> {
        let ctx = self.ctx()?;
        let eid = self
            .devices
            .get(device)
            .ok_or_else(|| harness(format!("no device at position {device}")))?
            .eid;
        let reference = ctx.adapter.order(eid, &order).await?;
        self.orders.push(PlacedOrder {
            device,
            reference,
            order,
        });
        Ok(self.orders.len() - 1)
    }

    /// The last order placed.
    pub fn last_order(&self) -> Result<&PlacedOrder, StepError> {
        self.orders
            .last()
            .ok_or_else(|| harness("no order was placed"))
    }

    /// What the SUT reports on the last order once it settled (done or failed), or its last
    /// state when the run's patience ran out.
    pub async fn settled_report(&self) -> Result<OrderReport, StepError> {
        let ctx = self.ctx()?;
        let reference = self.last_order()?.reference.clone();
        let deadline = Instant::now() + ctx.patience;
        loop {
            let report = ctx.adapter.report(&reference).await?;
            let settled = matches!(report.progress, OrderProgress::Done | OrderProgress::Failed);
            if settled || Instant::now() >= deadline {
                return Ok(report);
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }

    /// Runs one ESipa procedure (a poll) on a device; returns its outcome.
    pub async fn poll(&mut self, number: Option<usize>) -> Result<IpaOutcome, StepError> {
        let device = self.device(number)?;
        let outcome = device.driver.run_procedure().await;
        device.outcomes.push(outcome.clone());
        Ok(outcome)
    }

    /// The last outcome of a device's procedures.
    pub fn last_outcome(&mut self, number: Option<usize>) -> Result<IpaOutcome, StepError> {
        self.device(number)?
            .outcomes
            .last()
            .cloned()
            .ok_or_else(|| harness("the device has not polled yet"))
    }

    /// Every message of the scenario, in time order, as trace lines.
    pub fn trace_lines(&self) -> Vec<TraceLine> {
        let mut lines: Vec<TraceLine> = self
            .devices
            .iter()
            .flat_map(|d| {
                let eid = d.eid.to_string();
                d.driver
                    .trace()
                    .iter()
                    .map(move |e| TraceLine::from_entry(&eid, e))
                    .collect::<Vec<_>>()
            })
            .chain(self.raw.iter().map(|e| TraceLine::from_entry("", e)))
            .collect();
        trace::sort(&mut lines);
        lines
    }

    /// Records the first failure of the scenario.
    pub fn record(&mut self, error: &StepError) {
        if self.error.is_none() {
            self.error = Some(error.clone());
        }
    }
}

/// Adds the SUT's eIM to `euicc` (ES10b.AddInitialEim with the SUT's EimConfigurationData,
/// counter 0, the token left to the eUICC); returns the association token it gave.
pub fn add_initial_eim(euicc: &mut Euicc, ctx: &RunContext) -> Result<Option<i64>, StepError> {
    let add = AddInitialEimRequest {
        eim_configuration_data_list: vec![ctx.eim.eim_configuration_data(Some(0), Some(-1))],
        extensions: Default::default(),
    };
    match euicc.handle(Es10Request::AddInitialEim(add)) {
        Ok(Es10Response::AddInitialEim(r)) => match r.0 {
            AddInitialEimResponseChoice::AddInitialEimOk(entries) => {
                Ok(entries.iter().find_map(|e| match e {
                    AddInitialEimOkEntry::AssociationToken(t) => Some(*t),
                    AddInitialEimOkEntry::AddOk(()) => None,
                }))
            }
            AddInitialEimResponseChoice::AddInitialEimError(e) => Err(harness(format!(
                "the simulated eUICC refused AddInitialEim: {e:?}"
            ))),
        },
        other => Err(harness(format!(
            "the simulated eUICC answered AddInitialEim with {other:?}"
        ))),
    }
}

/// Builds, provisions and connects one device.
async fn new_device(ctx: &RunContext, index: u64, spec: &DeviceSpec) -> Result<Device, StepError> {
    let pki = spec.pki.clone().unwrap_or_else(|| ctx.pki.clone());
    let mut builder = Euicc::builder(pki.clone(), index)
        .faults(spec.faults.clone())
        .settings(Settings {
            backend: ctx.backend,
            version: if ctx.sgp32_version == "1.0" {
                Sgp32Version::V1_0
            } else {
                spec.settings.version
            },
            ..spec.settings.clone()
        });
    for (i, name) in spec.profiles.iter().enumerate() {
        let profile = Profile::new(iccid(name)?).notify(&[0, 1, 2, 3], "smdp.example.com");
        builder = builder.profile(if i == 0 { profile.enabled() } else { profile });
    }
    if let Some(eid) = spec.eid {
        builder = builder.eid(eid);
    }
    let mut euicc = builder
        .build()
        .map_err(|e| harness(format!("cannot build eUICC {index}: {e}")))?;
    let eid = euicc.eid();
    let association_token = if spec.eim_added {
        add_initial_eim(&mut euicc, ctx)?
    } else {
        None
    };
    if spec.registered {
        let certificate_der = if spec.with_certificate {
            Some(
                pki.issue_euicc(index, eid, pki.euicc_key(index))
                    .map_err(|e| harness(format!("test PKI: {e}")))?
                    .cert_der,
            )
        } else {
            None
        };
        ctx.adapter
            .register(&DeviceRegistration {
                eid,
                association_token,
                counter: 0,
                certificate_der,
            })
            .await?;
    }
    let config = spec.ipa.clone().unwrap_or_else(|| ctx.ipa.clone());
    let driver = IpaDriver::connect(&ctx.esipa_url, ctx.tls.clone(), config, euicc)
        .await
        .map_err(|e| harness(format!("cannot connect the IPA to {}: {e}", ctx.esipa_url)))?;
    Ok(Device {
        index,
        eid,
        association_token,
        driver,
        outcomes: Vec::new(),
    })
}
