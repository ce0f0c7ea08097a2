//! Load models (`scenarios/*.toml`): the population, when each device first polls (spread over
//! its poll interval, a reconnect storm within a window, a ramp-up), how often it polls again
//! (fixed, uniform jitter, exponential), which share of polls finds a package and of which
//! kind, the provisioning of the population at the SUT, and the gates of the run.
//!
//! ```toml
//! name = "smoke"
//! devices = 10000
//! duration = "4s"
//! workers = 64
//! connections = 64     # keep-alive ESipa connections the workers share (default: workers)
//!
//! [arrival]            # first poll of each device
//! kind = "spread"      # "spread": uniform over `window` (default: one poll interval);
//!                      # "storm": every device within `window` (a reconnect storm)
//! window = "3s"
//! ramp_up = "1s"       # the rate climbs linearly from 0 over the first `ramp_up`
//!
//! [poll]               # the polls after the first one
//! interval = "1h"
//! distribution = "fixed"   # "fixed", "uniform" (interval * (1 +- jitter)), "exponential"
//! jitter = 0.1
//!
//! [packages]
//! share = 0.1          # share of polls that find something
//! psmo = 0.8           # of those: an eUICC Package of PSMOs (enable the other profile)
//! euicc_data = 0.15    # an IpaEuiccDataRequest (tag list `euicc_data_tags`)
//! download = 0.05      # a ProfileDownloadTriggerRequest (refused by the IPA, see the module docs)
//!
//! [provision]
//! register = true      # bulk registration of the EID range before the clock starts
//!
//! [gates]
//! p99_ms = 50.0
//! error_rate = 0.0
//! achieved_share = 0.9
//! ```

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::LoadError;

/// One tick of the schedule: 100 microseconds. Intended start times are kept in ticks (u32:
/// up to 119 hours of run).
pub const TICK: Duration = Duration::from_micros(100);

/// Ticks in a second.
pub const TICKS_PER_SECOND: u64 = 10_000;

/// A load model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A name for reports.
    pub name: String,
    /// Population size (device indexes `first_index .. first_index + devices`).
    pub devices: u64,
    /// How long the clock runs (`"10s"`, `"5m"`, `"1h"`).
    #[serde(with = "duration_text")]
    pub duration: Duration,
    /// Goose users acting as workers.
    #[serde(default = "default_workers")]
    pub workers: usize,
    /// Keep-alive ESipa connections shared by the workers (default: one a worker); a worker
    /// takes one for each poll, waiting counts in the latency.
    #[serde(default)]
    pub connections: Option<usize>,
    /// Device index of the first device (its EID is `euicc_eid(first_index)`).
    #[serde(default = "default_first_index")]
    pub first_index: u64,
    /// Seed of the schedule's randomness (jitter, storm placement, package draws).
    #[serde(default)]
    pub seed: u64,
    /// First poll of each device.
    #[serde(default)]
    pub arrival: Arrival,
    /// Later polls.
    pub poll: Poll,
    /// What polls find.
    #[serde(default)]
    pub packages: Packages,
    /// Provisioning at the SUT.
    #[serde(default)]
    pub provision: Provision,
    /// Thresholds: a missed one makes `sgp32 load` exit 1.
    #[serde(default)]
    pub gates: Gates,
}

fn default_workers() -> usize {
    256
}

fn default_first_index() -> u64 {
    1
}

/// How the first polls are placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArrivalKind {
    /// Uniform over the window (default window: one poll interval): a fleet in steady state.
    #[default]
    Spread,
    /// Every device within the window: the fleet waking together after an outage.
    Storm,
}

/// First polls.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Arrival {
    /// Spread or storm.
    #[serde(default)]
    pub kind: ArrivalKind,
    /// The window the first polls fall in (default: the poll interval).
    #[serde(default, with = "duration_text_opt")]
    pub window: Option<Duration>,
    /// Linear ramp-up of the arrival rate at the start of the window.
    #[serde(default, with = "duration_text_opt")]
    pub ramp_up: Option<Duration>,
}

/// Distribution of the time between two polls of a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Distribution {
    /// Exactly the interval.
    #[default]
    Fixed,
    /// Uniform in `interval * (1 - jitter) .. interval * (1 + jitter)`.
    Uniform,
    /// Exponential with mean `interval` (a Poisson process per device).
    Exponential,
}

/// Later polls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Poll {
    /// Mean time between two polls of one device.
    #[serde(with = "duration_text")]
    pub interval: Duration,
    /// Its distribution.
    #[serde(default)]
    pub distribution: Distribution,
    /// Relative jitter of `uniform` (0..1).
    #[serde(default)]
    pub jitter: f64,
}

/// What a poll finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageKind {
    /// `noEimPackageAvailable`.
    None,
    /// An eUICC Package of PSMOs: enable the profile that is not enabled (slots 0 and 1).
    Psmo,
    /// An IpaEuiccDataRequest.
    EuiccData,
    /// A ProfileDownloadTriggerRequest.
    Download,
}

impl PackageKind {
    /// The row encoding.
    pub fn code(self) -> u8 {
        match self {
            PackageKind::None => 0,
            PackageKind::Psmo => 1,
            PackageKind::EuiccData => 2,
            PackageKind::Download => 3,
        }
    }

    /// From the row encoding (anything unknown is `None`).
    pub fn from_code(code: u8) -> PackageKind {
        match code {
            1 => PackageKind::Psmo,
            2 => PackageKind::EuiccData,
            3 => PackageKind::Download,
            _ => PackageKind::None,
        }
    }

    /// A short name for reports and goose request names.
    pub fn name(self) -> &'static str {
        match self {
            PackageKind::None => "empty",
            PackageKind::Psmo => "psmo",
            PackageKind::EuiccData => "euicc-data",
            PackageKind::Download => "download",
        }
    }
}

/// The package mix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Packages {
    /// Share of polls that find something (0..1).
    #[serde(default)]
    pub share: f64,
    /// Weight of PSMO packages.
    #[serde(default = "one")]
    pub psmo: f64,
    /// Weight of eUICC data requests.
    #[serde(default)]
    pub euicc_data: f64,
    /// Weight of download triggers.
    #[serde(default)]
    pub download: f64,
    /// The tag list of eUICC data requests (hex).
    #[serde(default = "default_tags")]
    pub euicc_data_tags: String,
    /// The activation code of download triggers.
    #[serde(default = "default_activation_code")]
    pub activation_code: String,
}

fn one() -> f64 {
    1.0
}

fn default_tags() -> String {
    "BF20".into()
}

fn default_activation_code() -> String {
    "1$smdp.sgp32-harness.test$LOAD-0001".into()
}

impl Default for Packages {
    fn default() -> Self {
        Packages {
            share: 0.0,
            psmo: 1.0,
            euicc_data: 0.0,
            download: 0.0,
            euicc_data_tags: default_tags(),
            activation_code: default_activation_code(),
        }
    }
}

/// Provisioning of the population at the SUT before the clock starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provision {
    /// Bulk-register the EID range (token 1, counter 0, certificates derived from the seed).
    #[serde(default = "yes")]
    pub register: bool,
}

fn yes() -> bool {
    true
}

impl Default for Provision {
    fn default() -> Self {
        Provision { register: true }
    }
}

/// Gates: thresholds the run must meet.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gates {
    /// p99 latency at most (ms).
    #[serde(default)]
    pub p99_ms: Option<f64>,
    /// Errors / requests at most.
    #[serde(default)]
    pub error_rate: Option<f64>,
    /// Achieved rate / target rate at least.
    #[serde(default)]
    pub achieved_share: Option<f64>,
}

impl Scenario {
    /// Parses and checks a scenario.
    pub fn from_toml(text: &str, origin: &str) -> Result<Scenario, LoadError> {
        let s: Scenario = toml::from_str(text).map_err(|e| LoadError::Scenario {
            origin: origin.to_string(),
            reason: e.to_string(),
        })?;
        s.check().map_err(|reason| LoadError::Scenario {
            origin: origin.to_string(),
            reason,
        })?;
        Ok(s)
    }

    /// Reads a scenario file.
    pub fn read(path: &std::path::Path) -> Result<Scenario, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| LoadError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Scenario::from_toml(&text, &path.display().to_string())
    }

    /// Checks the values.
    pub fn check(&self) -> Result<(), String> {
        if self.devices == 0 || self.devices > u64::from(u32::MAX) {
            return Err(format!("devices must be 1 to {}", u32::MAX));
        }
        let max = Duration::from_secs(u64::from(u32::MAX) / TICKS_PER_SECOND);
        if self.duration.is_zero() || self.duration > max {
            return Err(format!("duration must be above 0 and at most {max:?}"));
        }
        if self.workers == 0 || self.workers > 100_000 {
            return Err("workers must be 1 to 100000".into());
        }
        if self.connections.is_some_and(|c| c == 0 || c > 100_000) {
            return Err("connections must be 1 to 100000".into());
        }
        if self.poll.interval < Duration::from_millis(1) {
            return Err("poll.interval must be at least 1ms".into());
        }
        if !(0.0..1.0).contains(&self.poll.jitter) {
            return Err("poll.jitter must be in 0..1".into());
        }
        let p = &self.packages;
        if !(0.0..=1.0).contains(&p.share) {
            return Err("packages.share must be in 0..1".into());
        }
        if [p.psmo, p.euicc_data, p.download].iter().any(|w| *w < 0.0)
            || (p.share > 0.0 && p.psmo + p.euicc_data + p.download <= 0.0)
        {
            return Err("package weights must be >= 0 with a positive sum".into());
        }
        if hex::decode(&p.euicc_data_tags).map_or(true, |t| t.is_empty()) {
            return Err("packages.euicc_data_tags must be non-empty hex".into());
        }
        if let (Some(w), Some(r)) = (self.arrival.window, self.arrival.ramp_up)
            && r > w
        {
            return Err("arrival.ramp_up must not exceed arrival.window".into());
        }
        Ok(())
    }

    /// The window of first polls.
    pub fn window(&self) -> Duration {
        self.arrival.window.unwrap_or(self.poll.interval)
    }

    /// Intended start of device `index`'s first poll, in ticks from the start of the clock.
    pub fn first_poll(&self, index: u64) -> u64 {
        let u = unit(draw(self.seed, index, u64::MAX));
        let window = self.window().as_secs_f64();
        let ramp = self.arrival.ramp_up.map_or(0.0, |r| r.as_secs_f64());
        // Inverse CDF of a density rising linearly over [0, ramp] then flat until `window`.
        let mass = u * (window - ramp / 2.0);
        let t = if mass < ramp / 2.0 {
            (2.0 * mass * ramp).sqrt()
        } else {
            ramp + (mass - ramp / 2.0)
        };
        seconds_to_ticks(t)
    }

    /// Ticks from poll `poll` to the next one of device `index`.
    pub fn next_gap(&self, index: u64, poll: u32) -> u64 {
        let interval = self.poll.interval.as_secs_f64();
        let u = unit(draw(self.seed ^ 0x9e37, index, u64::from(poll)));
        let gap = match self.poll.distribution {
            Distribution::Fixed => interval,
            Distribution::Uniform => interval * (1.0 + self.poll.jitter * (2.0 * u - 1.0)),
            Distribution::Exponential => -interval * (1.0 - u).ln(),
        };
        seconds_to_ticks(gap).max(1)
    }

    /// What poll `poll` of device `index` finds.
    pub fn package_for(&self, index: u64, poll: u32) -> PackageKind {
        let p = &self.packages;
        if p.share <= 0.0 {
            return PackageKind::None;
        }
        let u = unit(draw(self.seed ^ 0x7f4a, index, u64::from(poll)));
        if u >= p.share {
            return PackageKind::None;
        }
        let v = u / p.share * (p.psmo + p.euicc_data + p.download);
        if v < p.psmo {
            PackageKind::Psmo
        } else if v < p.psmo + p.euicc_data {
            PackageKind::EuiccData
        } else {
            PackageKind::Download
        }
    }

    /// The duration in ticks.
    pub fn duration_ticks(&self) -> u64 {
        seconds_to_ticks(self.duration.as_secs_f64())
    }
}

fn seconds_to_ticks(s: f64) -> u64 {
    if s.is_finite() && s > 0.0 {
        (s * TICKS_PER_SECOND as f64) as u64
    } else {
        0
    }
}

/// SplitMix64 of (seed, index, n): the schedule's deterministic randomness.
pub fn draw(seed: u64, index: u64, n: u64) -> u64 {
    let mut z = seed
        .wrapping_add(index.wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .wrapping_add(n.wrapping_mul(0xd1b5_4a32_d192_ed03))
        .wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A u64 as a uniform number in [0, 1).
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Parses `"250ms"`, `"10s"`, `"5m"`, `"2h"` or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number
        .parse()
        .map_err(|_| format!("bad duration {text:?} (e.g. 500ms, 10s, 5m, 1h)"))?;
    let factor = match unit.trim() {
        "ms" => 0.001,
        "" | "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(format!("bad duration unit in {text:?} (ms, s, m, h)")),
    };
    let secs = n * factor;
    if !secs.is_finite() || !(0.0..=1e9).contains(&secs) {
        return Err(format!("duration {text:?} out of range"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A duration as the TOML text it came from.
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms.is_multiple_of(3_600_000) && ms > 0 {
        format!("{}h", ms / 3_600_000)
    } else if ms.is_multiple_of(60_000) && ms > 0 {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

mod duration_text {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_duration(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_duration(&text).map_err(serde::de::Error::custom)
    }
}

mod duration_text_opt {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::format_duration(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| super::parse_duration(&t).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smoke() -> Scenario {
        Scenario::from_toml(
            r#"
            name = "t"
            devices = 1000
            duration = "10s"
            [arrival]
            kind = "storm"
            window = "4s"
            ramp_up = "2s"
            [poll]
            interval = "2s"
            distribution = "uniform"
            jitter = 0.5
            [packages]
            share = 0.3
            psmo = 2
            euicc_data = 1
            "#,
            "test",
        )
        .unwrap()
    }

    #[test]
    fn durations_parse_and_print() {
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("5m").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("").is_err());
        assert_eq!(format_duration(Duration::from_secs(3600)), "1h");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1500ms");
    }

    #[test]
    fn bad_scenarios_are_refused() {
        let base = "name = \"x\"\nduration = \"1s\"\n[poll]\ninterval = \"1s\"\n";
        assert!(Scenario::from_toml(&format!("devices = 0\n{base}"), "t").is_err());
        assert!(Scenario::from_toml(&format!("devices = 5\nbogus = 1\n{base}"), "t").is_err());
        assert!(
            Scenario::from_toml(
                &format!("devices = 5\n{base}[packages]\nshare = 1.5\n"),
                "t"
            )
            .is_err()
        );
        assert!(Scenario::from_toml(&format!("devices = 5\n{base}"), "t").is_ok());
    }

    #[test]
    fn first_polls_fall_in_the_window_and_ramp_up() {
        let s = smoke();
        let ticks: Vec<u64> = (0..1000).map(|i| s.first_poll(i)).collect();
        assert!(ticks.iter().all(|&t| t <= 4 * TICKS_PER_SECOND));
        // Ramp over 2 s then flat until 4 s: mass before 1 s is 0.25/3 of the total.
        let early = ticks.iter().filter(|&&t| t < TICKS_PER_SECOND).count();
        assert!((50..120).contains(&early), "{early}");
        // Deterministic.
        assert_eq!(s.first_poll(17), smoke().first_poll(17));
    }

    #[test]
    fn gaps_follow_the_distribution() {
        let s = smoke();
        let gaps: Vec<u64> = (0..1000).map(|i| s.next_gap(i, 0)).collect();
        assert!(gaps.iter().all(|&g| (10_000..=30_000).contains(&g)));
        let mut fixed = smoke();
        fixed.poll.distribution = Distribution::Fixed;
        assert_eq!(fixed.next_gap(3, 9), 20_000);
        let mut exp = smoke();
        exp.poll.distribution = Distribution::Exponential;
        let mean = (0..10_000).map(|i| exp.next_gap(i, 1)).sum::<u64>() as f64 / 10_000.0;
        assert!((18_000.0..22_000.0).contains(&mean), "{mean}");
    }

    #[test]
    fn package_draws_follow_share_and_weights() {
        let s = smoke();
        let kinds: Vec<PackageKind> = (0..30_000).map(|i| s.package_for(i, 0)).collect();
        let count = |k| kinds.iter().filter(|&&x| x == k).count();
        assert!((8_500..9_500).contains(&(30_000 - count(PackageKind::None))));
        assert!((5_600..6_400).contains(&count(PackageKind::Psmo)));
        assert!((2_700..3_300).contains(&count(PackageKind::EuiccData)));
        assert_eq!(count(PackageKind::Download), 0);
        for k in [
            PackageKind::None,
            PackageKind::Psmo,
            PackageKind::EuiccData,
            PackageKind::Download,
        ] {
            assert_eq!(PackageKind::from_code(k.code()), k);
        }
    }
}
