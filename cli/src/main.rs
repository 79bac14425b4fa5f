//! The `amigo` binary: see `amigo --help`.

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(amigo_platform_cli::run(std::env::args_os()) as u8)
}
