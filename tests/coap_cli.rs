//! `sgp32 serve eim --coap ... --coaps ...` and `sgp32 run --transport coap|coaps` against it
//! through its written SUT profile, in separate processes, as a user runs them.

mod common;

use std::process::Command;

use sgp32_harness::sut::SutProfile;

#[test]
fn serve_with_coap_and_run_over_coap_and_coaps_through_the_sut_profile() {
    let dir = std::env::temp_dir().join(format!("sgp32-coap-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sut = dir.join("sut.toml");
    let server = common::Serving::eim(
        &[
            "--coap",
            "127.0.0.1:0",
            "--coaps",
            "127.0.0.1:0",
            "--coap-ack-timeout",
            "200",
        ],
        &sut,
    );
    let coap = server.line("ESipa CoAP: ").expect("a CoAP line");
    let coaps = server.line("ESipa CoAPS: ").expect("a CoAPS line");
    assert!(coap.starts_with("coap://127.0.0.1:"), "{}", server.banner);
    assert!(coaps.starts_with("coaps://127.0.0.1:"), "{}", server.banner);
    let profile = SutProfile::read(&sut).unwrap();
    assert_eq!(profile.esipa.get("coap"), Some(&coap));
    assert_eq!(profile.esipa.get("coaps"), Some(&coaps));
    assert!(profile.tls.trusted_certificate_pem.is_some());
    assert!(
        !profile
            .features
            .absent
            .iter()
            .any(|f| f.starts_with("coap"))
    );

    for transport in ["coap", "coaps"] {
        let out_dir = dir.join(format!("run-{transport}"));
        let out = Command::new(env!("CARGO_BIN_EXE_sgp32"))
            .args([
                "run",
                "--sut",
                sut.to_str().unwrap(),
                "--transport",
                transport,
                "--tags",
                "(@esipa or @binding) and not @slow",
                "--out",
                out_dir.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{transport}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("PASS"), "{stdout}");
        let results = std::fs::read_to_string(out_dir.join("results.json")).unwrap();
        assert!(
            results.contains(&format!("\"transport\": \"{transport}\""))
                || results.contains(&format!("\"transport\":\"{transport}\"")),
            "{results}"
        );
        assert!(results.contains("COAP-002"), "the CoAP binding cases ran");
    }
    let (code, rest) = server.interrupt();
    assert_eq!(code, Some(0), "{rest}");
    let _ = std::fs::remove_dir_all(&dir);
}
