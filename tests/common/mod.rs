//! What the integration tests share: the captured vectors and how to garble them.
#![allow(dead_code)] // each test binary uses part of it

use std::path::{Path, PathBuf};
use std::process::Command;

use proptest::sample::Index;

/// The `sgp32` binary, run in the package root (where a user's checkout has `features/` and
/// `scenarios/`).
pub fn sgp32() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sgp32"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// An empty directory `NAME` under the target's test scratch directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The DER messages under `shared/spec/vectors/` (every `.der`/`.ber` file there).
pub const VECTOR_FILES: &[&str] = &[
    "esipa-live/getEimPackageRequest_req.der",
    "esipa-live/getEimPackageRequest_resp.der",
    "esipa-live/getEimPackage_download_resp.der",
    "esipa-live/getEimPackage_edr_resp.der",
    "esipa-live/getEimPackage_psmo_enable_resp.der",
    "esipa-to-es9/1_getEimPackage_resp.der",
    "esipa-to-es9/2_initiateAuthenticationResponseEsipa.der",
    "esipa-to-es9/initiateAuthenticationRequestEsipa_req.der",
    "bpp/bpp.ber",
    "bpp/sample_eim_cfg.ber",
];

/// `shared/spec/vectors`, beside the repository.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/spec/vectors"
    ))
}

/// One vector's bytes.
pub fn read_vector(path: &str) -> Vec<u8> {
    let full = vectors_dir().join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// Every vector's bytes, in [`VECTOR_FILES`] order.
pub fn all_vectors() -> Vec<Vec<u8>> {
    VECTOR_FILES.iter().map(|p| read_vector(p)).collect()
}

/// `bytes` with each `(position, value)` written over it.
pub fn garble(bytes: &[u8], edits: &[(Index, u8)]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for (at, value) in edits {
        let i = at.index(out.len());
        out[i] = *value;
    }
    out
}

/// A `sgp32 serve ...` process started by a test; killed when dropped, so a failing test never
/// leaves a server running (or a test run hanging on it).
pub struct Serving {
    child: Option<std::process::Child>,
    stdout: Option<std::io::BufReader<std::process::ChildStdout>>,
    /// The lines it printed up to the one the test waited for.
    pub banner: String,
}

impl Serving {
    /// Starts `sgp32 ARGS` and reads its stdout up to the line starting with `last` (at most
    /// 20 lines).
    pub fn start<I, S>(args: I, last: &str) -> Serving
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sgp32"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn sgp32");
        let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut banner = String::new();
        for _ in 0..20 {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            let done = line.starts_with(last);
            banner.push_str(&line);
            if done {
                break;
            }
        }
        Serving {
            child: Some(child),
            stdout: Some(stdout),
            banner,
        }
    }

    /// `sgp32 serve eim` on free ports of 127.0.0.1 (`--listen`, `--api`) with `extra`
    /// arguments, writing its SUT profile to `sut`; returns once the profile is written.
    pub fn eim(extra: &[&str], sut: &Path) -> Serving {
        let fixed = [
            "serve",
            "eim",
            "--listen",
            "127.0.0.1:0",
            "--api",
            "127.0.0.1:0",
        ];
        let mut args: Vec<&std::ffi::OsStr> =
            fixed.iter().chain(extra).map(|a| a.as_ref()).collect();
        args.push("--write-sut".as_ref());
        args.push(sut.as_os_str());
        Serving::start(args, "SUT profile:")
    }

    /// The value after `prefix` on a banner line (`ESipa: URL` -> `URL`).
    pub fn line(&self, prefix: &str) -> Option<String> {
        self.banner
            .lines()
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::to_string)
    }

    /// Sends SIGINT, waits, and returns the exit code and the rest of stdout.
    pub fn interrupt(mut self) -> (Option<i32>, String) {
        use std::io::Read;
        let mut child = self.child.take().expect("running");
        let killed = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let mut rest = String::new();
        if let Some(mut out) = self.stdout.take() {
            let _ = out.read_to_string(&mut rest);
        }
        let status = child.wait().expect("wait");
        (status.code(), rest)
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A run against the reference eIM over HTTPS whose cases (all `@must`) have these verdicts.
pub fn run_with(
    verdicts: &[(&str, sgp32_harness::report::Verdict)],
) -> sgp32_harness::report::RunResults {
    use sgp32_harness::report::{CaseResult, Level, RunResults};
    RunResults {
        run_id: "2026-11-27T08-33-09Z".to_owned(),
        sut: "reference".to_owned(),
        transport: "https".to_owned(),
        sgp32_version: "1.2".to_owned(),
        started: "2026-11-27T08:33:09Z".to_owned(),
        cases: verdicts
            .iter()
            .map(|(id, verdict)| CaseResult {
                id: (*id).to_owned(),
                title: "t".to_owned(),
                feature: "psmo/x.feature".to_owned(),
                spec: "2.11.1.1".to_owned(),
                level: Level::Must,
                tags: Vec::new(),
                verdict: *verdict,
                requirement: String::new(),
                expected: String::new(),
                actual: String::new(),
                duration_ms: 1,
                trace: None,
                expectation: None,
            })
            .collect(),
    }
}

/// The DER of a plain ESipa GetEimPackageRequest (SGP.32 6.3.2.6) for `eid`: the usual poll.
pub fn poll_request(eid: &sgp32_harness::pki::Eid) -> Vec<u8> {
    use sgp32_harness::asn1::sgp32::{EsipaMessageFromIpaToEim, GetEimPackageRequest};
    rasn::der::encode(&EsipaMessageFromIpaToEim::GetEimPackageRequest(Box::new(
        GetEimPackageRequest {
            eid_value: (*eid.as_bcd()).into(),
            ..Default::default()
        },
    )))
    .unwrap_or_default()
}
