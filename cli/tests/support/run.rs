//! Running the built `amigo` binary against a mock server, with every wait bounded.

use amigo_platform_testkit::MockServer;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The longest any one run may take before the test kills it and fails.
pub const RUN_LIMIT: Duration = Duration::from_secs(60);

/// What a finished run printed and returned.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output's lines.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }
}

/// A scratch directory for one test (also its `HOME`, so no real credentials are read).
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("amigo-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `amigo` command with a clean environment pointing at `server` (when given).
pub fn command(server: Option<&MockServer>, home: &PathBuf, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_amigo"));
    cmd.args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(s) = server {
        cmd.env("AMIGO_API_KEY", MockServer::API_KEY)
            .env("AMIGO_WORKSPACE_ID", MockServer::WORKSPACE_ID)
            .env("AMIGO_BASE_URL", s.base_url());
    }
    cmd
}

/// Runs `amigo args…` with `stdin`, waiting at most [`RUN_LIMIT`].
pub fn amigo(server: Option<&MockServer>, home: &PathBuf, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = command(server, home, args).spawn().expect("spawn amigo");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin).expect("write stdin");
    }
    finish(child, RUN_LIMIT)
}

/// Waits for `child` at most `limit` (killing it and failing the test after that) and
/// collects its output.
pub fn finish(mut child: Child, limit: Duration) -> Run {
    let mut out = child.stdout.take().expect("stdout");
    // A test may have taken stderr to read it as the command runs.
    let err = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut err) = err {
            let _ = err.read_to_string(&mut s);
        }
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("amigo did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}
