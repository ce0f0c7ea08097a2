//! `sgp32 serve eim` as a user runs it: the fault list, a port it can't bind, and a server
//! that prints where it listens, writes its SUT profile, answers, and stops cleanly on SIGINT.

mod common;

use std::process::Command;

use sgp32_harness::sut::SutProfile;
use sgp32_harness::transport::{ClientOptions, HttpClient};

fn sgp32() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sgp32"))
}

#[test]
fn list_faults_prints_name_tab_description_lines() {
    let out = sgp32()
        .args(["serve", "eim", "--list-faults"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), sgp32_harness::eim::EimFault::ALL.len());
    for line in lines {
        let (name, description) = line.split_once('\t').expect(line);
        assert!(!name.is_empty() && !name.contains(' '), "{line}");
        assert!(!description.is_empty(), "{line}");
    }
    assert!(text.contains("counter-reused\t"), "{text}");
}

#[test]
fn an_unknown_fault_and_a_port_in_use_exit_2_with_a_clear_message() {
    let out = sgp32()
        .args(["serve", "eim", "--fault", "no-such-fault"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-fault"));

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = sgp32()
        .args(["serve", "eim", "--listen", &addr, "--api", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&addr), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn serves_writes_its_sut_profile_and_stops_on_sigint() {
    let dir = std::env::temp_dir().join(format!("sgp32-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sut = dir.join("sut.toml");
    let server = common::Serving::eim(&["--tls", "--fault", "counter-skip"], &sut);
    let text = server.banner.clone();
    assert!(text.contains("ESipa: https://127.0.0.1:"), "{text}");
    assert!(text.contains("fault: counter-skip"), "{text}");
    let profile = SutProfile::read(&sut).unwrap();
    let url = &profile.esipa["https"];
    assert!(text.contains(url.as_str()), "{text}");
    assert!(profile.tls.trusted_certificate_pem.is_some());
    assert!(profile.api.url.starts_with("http://127.0.0.1:"));

    // Answers on the order API (through the harness's own HTTP client), then stops on SIGINT.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (status, body) = runtime.block_on(async {
        let mut client = HttpClient::connect(&profile.api.url, None, ClientOptions::default())
            .await
            .unwrap();
        let response = client
            .request("GET", "/config", &[], bytes::Bytes::new())
            .await
            .unwrap();
        (response.status, response.body)
    });
    assert_eq!(status, 200);
    let config: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(config["eimFqdn"].as_str(), url.split('/').nth(2));

    let (code, rest) = server.interrupt();
    assert_eq!(code, Some(0));
    assert!(rest.contains("stopped"), "{rest}");
    let _ = std::fs::remove_dir_all(&dir);
}
