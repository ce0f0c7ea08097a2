//! `load-summary.json` (`shared/design/CLI.md`): what a run measured, with the latency
//! histogram itself (HdrHistogram V2 serialization, base64) so that shard summaries merge
//! exactly ([`merge`]: histograms added, counts summed; never percentiles averaged), and the
//! gates ([`evaluate_gates`]).

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use serde::{Deserialize, Serialize};

use super::LoadError;
use super::scenario::Gates;

/// Latency histograms are in microseconds, 1 us to 1 hour, 3 significant digits.
pub const HIST_MAX_US: u64 = 3_600_000_000;

/// A new latency histogram.
pub fn new_histogram() -> Histogram<u64> {
    #[allow(clippy::expect_used)]
    Histogram::new_with_bounds(1, HIST_MAX_US, 3).expect("constant, valid histogram bounds")
}

/// The file name of a run's summary.
pub const SUMMARY_FILE: &str = "load-summary.json";

/// One gate's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GateResult {
    /// `p99_ms`, `error_rate` or `achieved_share`.
    pub gate: String,
    /// The threshold.
    pub threshold: f64,
    /// What the run measured.
    pub measured: f64,
    /// Whether it was met.
    pub passed: bool,
}

/// `load-summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadSummary {
    /// The scenario's name.
    pub scenario: String,
    /// `reference` or the SUT profile.
    pub sut: String,
    /// `http`, `https`, `coap`, `coaps`.
    pub transport: String,
    /// Shards merged into this summary (1 for one process).
    pub shards: u32,
    /// Which shard (`K/N`), for a single shard's summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// Devices held.
    pub devices: u64,
    /// Length of the clock (s).
    pub duration_s: f64,
    /// From the start of the clock to the last completed poll, at least `duration_s` (s):
    /// `achieved_rate` is `requests / elapsed_s`.
    pub elapsed_s: f64,
    /// Polls completed (each with its latency in the histogram).
    pub requests: u64,
    /// Polls that failed (transport or protocol).
    pub errors: u64,
    /// ESipa exchanges made (a poll with a package makes several).
    pub exchanges: u64,
    /// Polls whose intended start fell in the run but which never started (the generator or
    /// the SUT fell behind).
    pub missed: u64,
    /// Polls the schedule intended in the run, per second.
    pub target_rate: f64,
    /// Polls completed per second.
    pub achieved_rate: f64,
    /// Latency from the intended start (ms).
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    /// Resident memory of the generator at the end (bytes; the largest shard's in a merge).
    pub rss_bytes: u64,
    /// Errors by kind.
    pub errors_by_kind: BTreeMap<String, u64>,
    /// Polls by what they found (`empty`, `psmo`, `euicc-data`, `download`).
    pub polls_by_kind: BTreeMap<String, u64>,
    /// Gates of the scenario and their verdicts.
    pub gates: Vec<GateResult>,
    /// The latency histogram (us): HdrHistogram V2 serialization, base64.
    pub histogram: String,
}

/// Encodes a histogram (V2, base64).
pub fn encode_histogram(h: &Histogram<u64>) -> Result<String, LoadError> {
    let mut bytes = Vec::new();
    V2Serializer::new()
        .serialize(h, &mut bytes)
        .map_err(|e| LoadError::Histogram(format!("{e:?}")))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// Decodes a histogram written by [`encode_histogram`].
pub fn decode_histogram(text: &str) -> Result<Histogram<u64>, LoadError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| LoadError::Histogram(format!("bad base64: {e}")))?;
    Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(|e| LoadError::Histogram(format!("{e:?}")))
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

impl LoadSummary {
    /// Fills the latency fields, the rates and the histogram from `h`.
    pub fn set_histogram(&mut self, h: &Histogram<u64>) -> Result<(), LoadError> {
        let q = |x: f64| {
            if h.is_empty() {
                0.0
            } else {
                ms(h.value_at_quantile(x))
            }
        };
        self.p50_ms = q(0.50);
        self.p90_ms = q(0.90);
        self.p99_ms = q(0.99);
        self.p999_ms = q(0.999);
        self.max_ms = if h.is_empty() { 0.0 } else { ms(h.max()) };
        self.mean_ms = if h.is_empty() { 0.0 } else { h.mean() / 1000.0 };
        self.histogram = encode_histogram(h)?;
        Ok(())
    }

    /// The error rate (errors / requests; 0 without requests).
    pub fn error_rate(&self) -> f64 {
        if self.requests == 0 {
            if self.errors > 0 { 1.0 } else { 0.0 }
        } else {
            self.errors as f64 / self.requests as f64
        }
    }

    /// Achieved / target rate.
    pub fn achieved_share(&self) -> f64 {
        if self.target_rate <= 0.0 {
            1.0
        } else {
            self.achieved_rate / self.target_rate
        }
    }

    /// Writes `DIR/load-summary.json`.
    pub fn write(&self, dir: &Path) -> Result<(), LoadError> {
        std::fs::create_dir_all(dir).map_err(|e| LoadError::io(dir, e))?;
        let path = dir.join(SUMMARY_FILE);
        let text =
            serde_json::to_string_pretty(self).map_err(|e| LoadError::Histogram(e.to_string()))?;
        std::fs::write(&path, text + "\n").map_err(|e| LoadError::io(&path, e))
    }

    /// Reads `DIR/load-summary.json` (or the file itself).
    pub fn read(path: &Path) -> Result<LoadSummary, LoadError> {
        let file = if path.is_dir() {
            path.join(SUMMARY_FILE)
        } else {
            path.to_path_buf()
        };
        let text = std::fs::read_to_string(&file).map_err(|e| LoadError::io(&file, e))?;
        serde_json::from_str(&text).map_err(|e| LoadError::Summary {
            path: file.display().to_string(),
            reason: e.to_string(),
        })
    }

    /// A one-line summary for the console.
    pub fn line(&self) -> String {
        format!(
            "{} devices, {} polls in {:.1}s ({:.0}/s of {:.0}/s target), {} errors, {} missed; \
             latency p50 {:.2} ms p90 {:.2} ms p99 {:.2} ms p99.9 {:.2} ms max {:.2} ms; rss {} MiB",
            self.devices,
            self.requests,
            self.duration_s,
            self.achieved_rate,
            self.target_rate,
            self.errors,
            self.missed,
            self.p50_ms,
            self.p90_ms,
            self.p99_ms,
            self.p999_ms,
            self.max_ms,
            self.rss_bytes / (1024 * 1024)
        )
    }
}

/// Evaluates the gates against a summary (sets `summary.gates`); true when all passed.
pub fn evaluate_gates(summary: &mut LoadSummary, gates: &Gates) -> bool {
    let mut results = Vec::new();
    if let Some(t) = gates.p99_ms {
        results.push(GateResult {
            gate: "p99_ms".into(),
            threshold: t,
            measured: summary.p99_ms,
            passed: summary.p99_ms <= t,
        });
    }
    if let Some(t) = gates.error_rate {
        let m = summary.error_rate();
        results.push(GateResult {
            gate: "error_rate".into(),
            threshold: t,
            measured: m,
            passed: m <= t,
        });
    }
    if let Some(t) = gates.achieved_share {
        let m = summary.achieved_share();
        results.push(GateResult {
            gate: "achieved_share".into(),
            threshold: t,
            measured: m,
            passed: m >= t,
        });
    }
    let ok = results.iter().all(|g| g.passed);
    summary.gates = results;
    ok
}

/// Merges shard summaries into one: counts and rates summed, the duration the longest, the
/// histograms added and the percentiles read from the sum; `rss_bytes` the largest. The gates
/// are re-evaluated with the thresholds the shards carried (those of the first shard).
pub fn merge(parts: &[LoadSummary]) -> Result<LoadSummary, LoadError> {
    let first = parts
        .first()
        .ok_or_else(|| LoadError::Usage("nothing to merge".into()))?;
    let mut hist = new_histogram();
    let mut out = LoadSummary {
        scenario: first.scenario.clone(),
        sut: first.sut.clone(),
        transport: first.transport.clone(),
        shards: 0,
        shard: None,
        devices: 0,
        duration_s: 0.0,
        elapsed_s: 0.0,
        requests: 0,
        errors: 0,
        exchanges: 0,
        missed: 0,
        target_rate: 0.0,
        achieved_rate: 0.0,
        p50_ms: 0.0,
        p90_ms: 0.0,
        p99_ms: 0.0,
        p999_ms: 0.0,
        max_ms: 0.0,
        mean_ms: 0.0,
        rss_bytes: 0,
        errors_by_kind: BTreeMap::new(),
        polls_by_kind: BTreeMap::new(),
        gates: Vec::new(),
        histogram: String::new(),
    };
    for p in parts {
        if p.scenario != first.scenario {
            return Err(LoadError::Usage(format!(
                "shards of different scenarios: {:?} and {:?}",
                first.scenario, p.scenario
            )));
        }
        let h = decode_histogram(&p.histogram)?;
        hist.add(&h)
            .map_err(|e| LoadError::Histogram(format!("{e:?}")))?;
        out.shards += p.shards.max(1);
        out.devices += p.devices;
        out.duration_s = out.duration_s.max(p.duration_s);
        out.elapsed_s = out.elapsed_s.max(p.elapsed_s);
        out.requests += p.requests;
        out.errors += p.errors;
        out.exchanges += p.exchanges;
        out.missed += p.missed;
        out.target_rate += p.target_rate;
        out.achieved_rate += p.achieved_rate;
        out.rss_bytes = out.rss_bytes.max(p.rss_bytes);
        for (k, v) in &p.errors_by_kind {
            *out.errors_by_kind.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &p.polls_by_kind {
            *out.polls_by_kind.entry(k.clone()).or_default() += v;
        }
    }
    out.set_histogram(&hist)?;
    let gates = Gates {
        p99_ms: gate(first, "p99_ms"),
        error_rate: gate(first, "error_rate"),
        achieved_share: gate(first, "achieved_share"),
    };
    evaluate_gates(&mut out, &gates);
    Ok(out)
}

fn gate(s: &LoadSummary, name: &str) -> Option<f64> {
    s.gates.iter().find(|g| g.gate == name).map(|g| g.threshold)
}

/// Resident memory of this process (bytes), from `/proc/self/status` (0 where unavailable).
pub fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(values: &[u64], errors: u64) -> LoadSummary {
        let mut h = new_histogram();
        for v in values {
            h.record(*v).unwrap();
        }
        let mut s = LoadSummary {
            scenario: "t".into(),
            sut: "reference".into(),
            transport: "http".into(),
            shards: 1,
            shard: None,
            devices: 10,
            duration_s: 2.0,
            elapsed_s: 2.0,
            requests: values.len() as u64,
            errors,
            exchanges: values.len() as u64,
            missed: 0,
            target_rate: values.len() as f64 / 2.0,
            achieved_rate: values.len() as f64 / 2.0,
            p50_ms: 0.0,
            p90_ms: 0.0,
            p99_ms: 0.0,
            p999_ms: 0.0,
            max_ms: 0.0,
            mean_ms: 0.0,
            rss_bytes: 1,
            errors_by_kind: BTreeMap::new(),
            polls_by_kind: BTreeMap::from([("empty".into(), values.len() as u64)]),
            gates: Vec::new(),
            histogram: String::new(),
        };
        s.set_histogram(&h).unwrap();
        s
    }

    #[test]
    fn histograms_round_trip_through_base64() {
        let s = summary(&[1000, 2000, 3000, 100_000], 0);
        let h = decode_histogram(&s.histogram).unwrap();
        assert_eq!(h.len(), 4);
        assert_eq!(h.max(), h.highest_equivalent(100_000));
        assert!((s.p50_ms - 2.0).abs() < 0.01, "{}", s.p50_ms);
        assert!((s.max_ms - 100.0).abs() < 0.1);
        assert!(decode_histogram("not base64!").is_err());
    }

    #[test]
    fn merge_adds_histograms_instead_of_averaging_percentiles() {
        // Shard a: 99 fast polls; shard b: 1 slow poll. Averaging p99s would say ~50 ms.
        let a = summary(&[1000; 99], 0);
        let b = summary(&[100_000], 1);
        let m = merge(&[a, b]).unwrap();
        assert_eq!((m.requests, m.errors, m.devices, m.shards), (100, 1, 20, 2));
        assert!((m.p99_ms - 1.0).abs() < 0.01, "{}", m.p99_ms);
        assert!((m.max_ms - 100.0).abs() < 0.1);
        assert_eq!(m.polls_by_kind["empty"], 100);
        assert_eq!(decode_histogram(&m.histogram).unwrap().len(), 100);
        assert!(merge(&[]).is_err());
    }

    #[test]
    fn gates_pass_and_fail() {
        let mut s = summary(&[1000, 2000, 50_000], 1);
        let gates = Gates {
            p99_ms: Some(10.0),
            error_rate: Some(0.5),
            achieved_share: Some(0.9),
        };
        assert!(!evaluate_gates(&mut s, &gates));
        let failed: Vec<&str> = s
            .gates
            .iter()
            .filter(|g| !g.passed)
            .map(|g| g.gate.as_str())
            .collect();
        assert_eq!(failed, vec!["p99_ms"]);
        assert!(evaluate_gates(&mut s, &Gates::default()));
        let mut clean = summary(&[1000], 0);
        assert!(evaluate_gates(
            &mut clean,
            &Gates {
                p99_ms: Some(10.0),
                error_rate: Some(0.0),
                achieved_share: Some(1.0)
            }
        ));
    }

    #[test]
    fn rss_is_measured_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(rss_bytes() > 1024 * 1024);
        }
    }
}
