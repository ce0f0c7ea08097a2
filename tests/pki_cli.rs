//! `sgp32 pki init`: exit status, files written, determinism, errors.

use std::path::PathBuf;
use std::process::Command;

fn unique_dir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!(
        "sgp32-pki-cli-{name}-{}-{nanos}",
        std::process::id()
    ))
}

fn sgp32() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sgp32"))
}

#[test]
fn init_writes_manifest_and_files() {
    let dir = unique_dir("ok");
    let out = sgp32()
        .args(["pki", "init"])
        .arg(&dir)
        .args(["--seed", "9", "--euiccs", "3"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    // 7 roles + 3 eUICCs, certificate and key each, plus pki.json.
    assert_eq!(stdout.lines().count(), 21, "{stdout}");
    assert!(stdout.contains("pki.json"));
    assert!(stdout.contains("euicc[2] (EID 890490320000000000000000000002"));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("pki.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], 9);
    assert_eq!(manifest["files"].as_array().unwrap().len(), 10);
    for f in manifest["files"].as_array().unwrap() {
        for key in ["certificate", "privateKey"] {
            let name = f[key].as_str().unwrap();
            assert!(dir.join(name).is_file(), "{name} missing");
        }
    }
    // The library reads it back and the chain holds.
    let pki = sgp32_harness::pki::Pki::load(&dir).unwrap();
    assert_eq!(pki.seed, 9);
    let e = &pki.euiccs[2];
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_893_456_000);
    assert_eq!(pki.check_euicc(&e.credential.cert_der, at).unwrap(), e.eid);

    // Same seed again: identical bytes.
    let dir2 = unique_dir("ok2");
    let out2 = sgp32()
        .args(["--seed", "9", "pki", "init", "--euiccs", "3"])
        .arg(&dir2)
        .output()
        .unwrap();
    assert_eq!(out2.status.code(), Some(0));
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name();
        assert_eq!(
            std::fs::read(dir.join(&name)).unwrap(),
            std::fs::read(dir2.join(&name)).unwrap(),
            "{name:?} differs"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&dir2).unwrap();
}

#[test]
fn unwritable_dir_exits_2() {
    // A directory path below a regular file cannot be created, whoever runs the test.
    let file = unique_dir("file");
    std::fs::write(&file, b"not a directory").unwrap();
    let out = sgp32()
        .args(["pki", "init"])
        .arg(file.join("sub"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("writing the test PKI"), "{stderr}");
    std::fs::remove_file(&file).unwrap();
}
