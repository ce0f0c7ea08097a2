//! `sgp32 load` as a user runs it: the smoke scenario against the embedded reference eIM with
//! zero errors (no timing assertion), a counter fault of the eIM counted as errors (exit 1),
//! two shards merged equal to one run over the same devices, and a run against `sgp32 serve
//! eim` in another process through its `--write-sut` profile.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::sgp32;
use sgp32_harness::load::LoadSummary;
use sgp32_harness::load::summary::decode_histogram;

/// Fewer devices than the scenario's 10k keep each run to a few seconds in a debug build.
const DEVICES: &str = "1500";

fn scratch(name: &str) -> PathBuf {
    common::scratch(&format!("load-cli-{name}"))
}

/// `sgp32 load --scenario scenarios/smoke.toml --devices DEVICES --quiet --out OUT EXTRA...`.
fn smoke(out: &Path, extra: &[&str]) -> (Output, LoadSummary) {
    let output = sgp32()
        .args(["load", "--scenario", "scenarios/smoke.toml", "--quiet"])
        .args(["--devices", DEVICES, "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    let summary =
        LoadSummary::read(out).unwrap_or_else(|e| panic!("no summary ({e}): {}", text(&output)));
    (output, summary)
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn the_smoke_scenario_runs_against_the_reference_eim_with_zero_errors() {
    let dir = scratch("smoke");
    let (out, s) = smoke(&dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(s.errors, 0, "{:?}", s.errors_by_kind);
    assert_eq!(s.devices, 1500);
    assert_eq!(s.missed, 0);
    // Every device polls at least once; some twice; packages of every kind were found.
    assert!(s.requests >= 1500, "{}", s.requests);
    for kind in ["empty", "psmo", "euicc-data", "download"] {
        assert!(s.polls_by_kind[kind] > 0, "{kind}: {:?}", s.polls_by_kind);
    }
    assert_eq!(s.polls_by_kind.values().sum::<u64>(), s.requests);
    // A PSMO poll is two exchanges (package, result), so there are more exchanges than polls.
    assert!(s.exchanges > s.requests);
    let h = decode_histogram(&s.histogram).unwrap();
    assert_eq!(h.len(), s.requests);
    assert!(s.p50_ms <= s.p99_ms && s.p99_ms <= s.max_ms);
    assert!(s.rss_bytes > 0);
    assert_eq!(s.gates.len(), 1);
    assert!(s.gates[0].passed);
    // goose's own reports show the exchanges and the polls.
    let md = std::fs::read_to_string(dir.join("goose-report.md")).unwrap();
    assert!(md.contains("getEimPackage"), "{md}");
    assert!(md.contains("provideEimPackageResult"), "{md}");
    assert!(md.contains("| POLL | psmo |"), "{md}");
    assert!(dir.join("goose-report.html").exists());
    assert!(dir.join("goose-report.json").exists());
}

#[test]
fn a_counter_fault_of_the_eim_is_counted_as_errors_and_exits_1() {
    let dir = scratch("fault");
    let (out, s) = smoke(&dir, &["--eim-fault", "counter-reused"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(s.errors > 0);
    assert!(
        s.errors_by_kind
            .contains_key("protocol: counterValue reused"),
        "{:?}",
        s.errors_by_kind
    );
    // Every PSMO poll failed, nothing else did.
    assert_eq!(s.errors, s.polls_by_kind["psmo"]);
    let gate = &s.gates[0];
    assert_eq!(gate.gate, "error_rate");
    assert!(!gate.passed);
    assert!(String::from_utf8_lossy(&out.stdout).contains("MISSED"));
}

#[test]
fn a_result_the_eim_does_not_acknowledge_is_a_lost_result() {
    let dir = scratch("lost");
    let (out, s) = smoke(&dir, &["--eim-fault", "acknowledgements-omitted"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(
        s.errors_by_kind
            .get("protocol: result not acknowledged (lost)"),
        Some(&s.polls_by_kind["psmo"]),
        "{:?}",
        s.errors_by_kind
    );
}

#[test]
fn two_shards_merged_equal_one_run_over_the_same_devices() {
    let dir = scratch("shards");
    let (o0, a) = smoke(&dir.join("shard0"), &["--shard", "0/2"]);
    assert_eq!(o0.status.code(), Some(0), "{}", text(&o0));
    let (o1, b) = smoke(&dir.join("shard1"), &["--shard", "1/2"]);
    assert_eq!(o1.status.code(), Some(0), "{}", text(&o1));
    assert_eq!(a.devices + b.devices, 1500);
    assert_eq!(a.shard.as_deref(), Some("0/2"));
    let (one_out, one) = smoke(&dir.join("one"), &[]);
    assert_eq!(one_out.status.code(), Some(0), "{}", text(&one_out));
    let merged_dir = dir.join("merged");
    let out = sgp32()
        .args(["load", "merge"])
        .arg(dir.join("shard0"))
        .arg(dir.join("shard1"))
        .arg("--out")
        .arg(&merged_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let m = LoadSummary::read(&merged_dir).unwrap();
    assert_eq!(m.shards, 2);
    assert_eq!(m.devices, one.devices);
    assert_eq!(m.requests, one.requests);
    assert_eq!(m.exchanges, one.exchanges);
    assert_eq!(m.polls_by_kind, one.polls_by_kind);
    assert_eq!(m.errors, 0);
    // The merged histogram is the sum of the shards', not an average of percentiles.
    assert_eq!(decode_histogram(&m.histogram).unwrap().len(), m.requests);
    assert!((m.target_rate - one.target_rate).abs() < 1e-6);
}

#[test]
fn bad_arguments_are_usage_errors() {
    for args in [
        vec!["load"],
        vec!["load", "--scenario", "scenarios/none.toml"],
        vec![
            "load",
            "--scenario",
            "scenarios/smoke.toml",
            "--shard",
            "2/2",
        ],
        vec![
            "load",
            "--scenario",
            "scenarios/smoke.toml",
            "--eim-fault",
            "no-such-fault",
        ],
        vec!["load", "merge", "/nonexistent-dir", "--out", "/tmp/x"],
    ] {
        let out = sgp32().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
    }
}

#[test]
fn load_runs_against_serve_eim_in_another_process_through_its_sut_profile() {
    let dir = scratch("serve");
    let sut = dir.join("sut.toml");
    let server = common::Serving::eim(&[], &sut);
    let (out, s) = smoke(&dir.join("out"), &["--sut", sut.to_str().unwrap()]);
    drop(server);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(s.errors, 0, "{:?}", s.errors_by_kind);
    assert_eq!(s.sut, sut.display().to_string());
    assert!(s.polls_by_kind["psmo"] > 0);
}

#[test]
fn the_smoke_scenario_runs_over_coap_and_coaps_with_zero_errors() {
    for transport in ["coap", "coaps"] {
        let dir = scratch(transport);
        let (out, s) = smoke(&dir, &["--transport", transport]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        assert_eq!(s.errors, 0, "{transport}: {:?}", s.errors_by_kind);
        assert_eq!(s.transport, transport);
        assert!(s.requests > 0, "{transport}: no polls");
    }
}
