//! The `aurum` binary: everything lives in `aurum-cli`.

fn main() -> std::process::ExitCode {
    aurum_cli::main()
}
