//! The `sgp32` binary: see `sgp32_harness::cli`.

fn main() -> std::process::ExitCode {
    sgp32_harness::cli::main()
}
