//! `cargo bench -p amigo-platform-bench [-- FILTER..]`: every SDK-vs-floor figure, one line
//! each (see the crate docs of `amigo_platform_bench`).

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    amigo_platform_bench::main()
}
