//! `sgp32 decode` as a user runs it: exit status, chosen type, --check, bad input.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn vector(path: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/spec/vectors"
    ))
    .join(path)
}

fn sgp32(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sgp32"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        // A child that fails before reading (a usage error) closes the pipe: not an error here.
        if let Err(e) = input.write_all(bytes) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn decodes_a_vector_and_names_the_type_it_chose() {
    let f = vector("esipa-live/getEimPackage_psmo_enable_resp.der");
    let out = sgp32(&["decode", f.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["type"], "EsipaMessageFromEimToIpa");
    let signed =
        &json["value"]["getEimPackageResponse"]["euiccPackageRequest"]["euiccPackageSigned"];
    assert_eq!(signed["eimId"], "eIM");
    assert_eq!(signed["counterValue"], 2);
}

#[test]
fn check_passes_on_der_and_fails_naming_the_offset_on_non_der() {
    let bytes = std::fs::read(vector("esipa-live/getEimPackageRequest_req.der")).unwrap();
    let out = sgp32(&["decode", "--check", "-"], Some(&bytes));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Same message with a long-form length where the short form fits: decodes, but is not DER.
    assert_eq!(&bytes[..3], [0xbf, 0x4f, 0x12]);
    let mut long = vec![0xbf, 0x4f, 0x81];
    long.extend_from_slice(&bytes[2..]);
    let out = sgp32(&["decode", "--check", "-"], Some(&long));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("offset 2"), "{err}");
    assert!(err.contains("nonMinimalLength"), "{err}");
}

#[test]
fn a_v13_style_extra_element_is_kept_reported_and_round_trips() {
    let bytes = std::fs::read(vector("esipa-live/getEimPackageRequest_req.der")).unwrap();
    // GetEimPackageRequest with an element [5] that v1.2 doesn't define, appended.
    let mut extended = vec![0xbf, 0x4f, bytes[2] + 3];
    extended.extend_from_slice(&bytes[3..]);
    extended.extend_from_slice(&[0x85, 0x01, 0x07]);
    let out = sgp32(&["decode", "--check", "-"], Some(&extended));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unknown extension element kept: 850107"),
        "{}",
        stderr(&out)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json["value"]["getEimPackageRequest"]["unknownExtensions"],
        serde_json::json!(["850107"])
    );
}

#[test]
fn text_format_and_explicit_type() {
    let f = vector("esipa-live/getEimPackage_psmo_enable_resp.der");
    let out = sgp32(
        &[
            "decode",
            "--type",
            "GetEimPackageResponse",
            "--format",
            "text",
            f.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("GetEimPackageResponse\n"), "{text}");
    assert!(text.contains("eimId: eIM"), "{text}");
    assert!(text.contains("iccid: 98001032547698103285"), "{text}");
}

#[test]
fn no_known_message_exits_2_with_one_line() {
    for (input, expect) in [
        (&[0x30, 0x03, 0x02, 0x01, 0x05][..], "offset 0"),
        (&[0xbf, 0x4f, 0x10, 0x5a][..], "offset"),
        (&[][..], "empty"),
        (&[0xbf, 0x4f, 0x00, 0x00][..], "offset 3"),
    ] {
        let out = sgp32(&["decode", "-"], Some(input));
        assert_eq!(out.status.code(), Some(2), "{input:02x?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(expect), "{input:02x?}: {err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = sgp32(
        &["decode", "--type", "NoSuchType", "-"],
        Some(&[0x30, 0x00]),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown type name"));
    let out = sgp32(&["decode", "/nonexistent/file.der"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read"));
    let out = sgp32(&["decode"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = sgp32(&["--log", "=[", "decode", "-"], Some(&[0x30, 0x00]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("invalid --log filter"),
        "{}",
        stderr(&out)
    );
}
