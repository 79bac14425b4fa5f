//! Figure 6: peak memory of auto-paging. A fresh child process (this binary, re-executed with
//! [`CHILD_ENV`] set) pages through `N` agents with the blocking client's
//! `list_auto_paging()`, 20 per page, against the bench server, then prints its `VmHWM` from
//! `/proc/self/status`. Auto-paging holds one page at a time, so 100,000 items should peak
//! where 1,000 do.

use super::http::sdk_config;
use super::Context;
use crate::fixtures::{PAGED_PREFIX, PAGE_SIZE};
use crate::harness::median;
use crate::report::{Line, Reading};
use amigo_platform::ApiExt;
use std::io::Read;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// Set in the child's environment to `<base url>|<items>`: page and report, nothing else.
pub const CHILD_ENV: &str = "AMIGO_BENCH_PAGING_CHILD";

/// The two listing sizes.
const SMALL: u64 = 1_000;
const LARGE: u64 = 100_000;

/// How long a child may take before it is killed.
pub const CHILD_TIMEOUT: Duration = Duration::from_secs(60);

/// 6: peak RSS of auto-paging 100,000 versus 1,000 items, each in fresh processes.
pub fn peak_rss(ctx: &Context<'_>) -> Result<Line, String> {
    let base = ctx.server()?.base_url();
    let rounds = ctx.settings.rss_rounds.max(1);
    let mut small = Vec::with_capacity(rounds);
    let mut large = Vec::with_capacity(rounds);
    for round in 0..rounds {
        if round % 2 == 0 {
            small.push(run_child(&base, SMALL)?);
            large.push(run_child(&base, LARGE)?);
        } else {
            large.push(run_child(&base, LARGE)?);
            small.push(run_child(&base, SMALL)?);
        }
    }
    let small = median(&mut small);
    let large = median(&mut large);
    Ok(Line {
        name: "paging.rss",
        a_label: "100k",
        a: format!("{:.2} MiB", large / 1024.0),
        b_label: "1k",
        b: format!("{:.2} MiB", small / 1024.0),
        ratio_label: "100k/1k",
        ratio: large / small,
        reading: Reading::Memory,
        note: String::new(),
    })
}

/// Runs one child for `items` and returns its peak RSS in KiB; kills it past the timeout.
fn run_child(base_url: &str, items: u64) -> Result<f64, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current exe: {e}"))?;
    let mut child = Command::new(exe)
        .env(CHILD_ENV, format!("{base_url}|{items}"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn child: {e}"))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > CHILD_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "the {items}-item child did not finish within {} s",
                    CHILD_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("wait for child: {e}")),
        }
    };
    // The child prints one short line, well within a pipe's buffer, so reading after the
    // exit cannot block.
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut out);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut err);
    }
    if !status.success() {
        return Err(format!(
            "the {items}-item child failed ({status}): {}",
            err.trim()
        ));
    }
    parse_report(&out, items)
}

/// Parses the child's `vmhwm_kib=<n> items=<m>` line.
fn parse_report(out: &str, expected_items: u64) -> Result<f64, String> {
    let mut kib = None;
    let mut items = None;
    for field in out.split_whitespace() {
        match field.split_once('=') {
            Some(("vmhwm_kib", v)) => kib = v.parse::<f64>().ok(),
            Some(("items", v)) => items = v.parse::<u64>().ok(),
            _ => {}
        }
    }
    match (kib, items) {
        (Some(kib), Some(n)) if n == expected_items => Ok(kib),
        (Some(_), Some(n)) => Err(format!("child paged {n} items, expected {expected_items}")),
        _ => Err(format!("unreadable child report: {:?}", out.trim())),
    }
}

/// The child's entry: page through the listing named by `spec` (`<base url>|<items>`), then
/// print `vmhwm_kib=<peak RSS in KiB> items=<count>`.
pub fn child_main(spec: &str) -> ExitCode {
    match child_run(spec) {
        Ok((kib, items)) => {
            println!("vmhwm_kib={kib} items={items}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn child_run(spec: &str) -> Result<(u64, u64), String> {
    let (base_url, items) = spec
        .split_once('|')
        .ok_or_else(|| format!("bad {CHILD_ENV}: {spec:?}"))?;
    let items: u64 = items
        .parse()
        .map_err(|e| format!("bad item count {items:?}: {e}"))?;
    let workspace = format!("{PAGED_PREFIX}{items}");
    let client = amigo_platform::blocking::Client::new(sdk_config(base_url, &workspace)?);
    let mut count = 0u64;
    for agent in client
        .api()
        .agents()
        .list_auto_paging()
        .limit(PAGE_SIZE as i64)
    {
        let agent = agent.map_err(|e| format!("after {count} items: {e}"))?;
        std::hint::black_box(&agent);
        count += 1;
    }
    Ok((vm_hwm_kib()?, count))
}

/// `VmHWM` (peak resident set) of this process, in KiB.
fn vm_hwm_kib() -> Result<u64, String> {
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("/proc/self/status: {e}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmHWM in /proc/self/status".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_report_round_trips() {
        assert_eq!(
            parse_report("vmhwm_kib=6144 items=1000\n", 1000),
            Ok(6144.0)
        );
        assert!(parse_report("vmhwm_kib=6144 items=999\n", 1000).is_err());
        assert!(parse_report("", 1000).is_err());
    }

    #[test]
    fn reads_own_peak_rss() {
        assert!(vm_hwm_kib().expect("linux /proc") > 0);
    }
}
