//! `sgp32 compare BASE NEW` through the built binary on temporary files.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use sgp32_harness::report::{RunResults, Verdict, results_json};

fn run(verdicts: &[(&str, Verdict)]) -> RunResults {
    common::run_with(verdicts)
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("sgp32-compare-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, name: &str, run: &RunResults) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, results_json(run).unwrap()).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn compare(base: &Path, new: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sgp32"))
        .arg("compare")
        .arg(base)
        .arg(new)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn worse_exits_1() {
    let dir = TempDir::new("worse");
    let base = dir.write(
        "base.json",
        &run(&[("A", Verdict::Pass), ("B", Verdict::Fail)]),
    );
    let new = dir.write(
        "new.json",
        &run(&[("A", Verdict::Fail), ("B", Verdict::Pass)]),
    );
    let (code, stdout, _) = compare(&base, &new);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("worse       A  PASS -> FAIL"), "{stdout}");
    assert!(stdout.contains("better      B  FAIL -> PASS"), "{stdout}");
    assert!(
        stdout.ends_with("1 worse, 1 better, 0 same, 0 appeared, 0 disappeared\n"),
        "{stdout}"
    );
}

#[test]
fn new_error_is_worse_and_named_a_harness_error() {
    let dir = TempDir::new("error");
    let base = dir.write("base.json", &run(&[("A", Verdict::Pass)]));
    let new = dir.write("new.json", &run(&[("A", Verdict::Error)]));
    let (code, stdout, _) = compare(&base, &new);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("A  PASS -> ERROR  (harness error"),
        "{stdout}"
    );
}

#[test]
fn same_or_better_exits_0() {
    let dir = TempDir::new("same");
    let base = dir.write(
        "base.json",
        &run(&[
            ("A", Verdict::Pass),
            ("B", Verdict::NonStrict),
            ("GONE", Verdict::Fail),
        ]),
    );
    let new = dir.write(
        "new.json",
        &run(&[
            ("A", Verdict::Pass),
            ("B", Verdict::Pass),
            ("NEW", Verdict::Fail),
        ]),
    );
    let (code, stdout, _) = compare(&base, &new);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("appeared    NEW  - -> FAIL"), "{stdout}");
    assert!(stdout.contains("disappeared GONE  FAIL -> -"), "{stdout}");
    assert!(
        !stdout.contains(" A "),
        "unchanged cases are not listed: {stdout}"
    );
    let (code, _, _) = compare(&base, &base);
    assert_eq!(code, 0);
}

#[test]
fn unreadable_input_exits_2() {
    let dir = TempDir::new("bad");
    let base = dir.write("base.json", &run(&[("A", Verdict::Pass)]));
    let (code, _, stderr) = compare(&base, &dir.0.join("missing.json"));
    assert_eq!(code, 2);
    assert!(stderr.contains("missing.json"), "{stderr}");
    let garbage = dir.0.join("garbage.json");
    std::fs::write(&garbage, "{\"run_id\": 3}").unwrap();
    let (code, _, stderr) = compare(&garbage, &base);
    assert_eq!(code, 2);
    assert!(stderr.contains("not a valid results.json"), "{stderr}");
}
