//! `sgp32 serve smdp` as a user runs it: it prints where it listens, answers ES9+ JSON, and
//! stops cleanly on SIGINT.

mod common;

use std::process::Command;

use sgp32_harness::transport::{ClientOptions, HttpClient};

#[test]
fn serves_answers_and_stops_on_sigint() {
    let server = common::Serving::start(
        [
            "serve",
            "smdp",
            "--listen",
            "127.0.0.1:0",
            "--address",
            "testsmdpplus1.example.com",
        ],
        "ES9+ ASN.1:",
    );
    let text = server.banner.clone();
    assert!(
        text.contains("SM-DP+ address: testsmdpplus1.example.com"),
        "{text}"
    );
    let es9 = text
        .lines()
        .find_map(|l| l.strip_prefix("ES9+: "))
        .unwrap()
        .to_string();
    assert!(
        es9.starts_with("http://127.0.0.1:") && es9.ends_with("/gsma/rsp2/es9plus"),
        "{text}"
    );
    assert!(text.contains("ES2+: http://127.0.0.1:"), "{text}");
    let base = es9.trim_end_matches("/gsma/rsp2/es9plus").to_string();

    let body = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/spec/vectors/es9-json/initiateAuthentication_wrongaddr_req.json"),
    )
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (status, json) = runtime.block_on(async {
        let mut client = HttpClient::connect(&base, None, ClientOptions::default())
            .await
            .unwrap();
        let headers = vec![
            ("Content-Type".to_string(), "application/json".to_string()),
            (
                "X-Admin-Protocol".to_string(),
                "gsma/rsp/v2.1.0".to_string(),
            ),
        ];
        let r = client
            .request(
                "POST",
                "/gsma/rsp2/es9plus/initiateAuthentication",
                &headers,
                body.into(),
            )
            .await
            .unwrap();
        (
            r.status,
            serde_json::from_slice::<serde_json::Value>(&r.body).unwrap(),
        )
    });
    assert_eq!(status, 200);
    let data = &json["header"]["functionExecutionStatus"]["statusCodeData"];
    assert_eq!(data["subjectCode"], "8.8.1");
    assert_eq!(data["reasonCode"], "3.8");

    let (code, rest) = server.interrupt();
    assert_eq!(code, Some(0));
    assert!(rest.contains("stopped"), "{rest}");
}

#[test]
fn a_port_in_use_exits_2() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_sgp32"))
        .args(["serve", "smdp", "--listen", &addr])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&addr));
}
