//! `cargo xtask msrv`: checks that the declared `rust-version` is true, that is, no dependency
//! in the resolved graph (normal, build or dev, on any target) declares a newer one.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, ExitCode};

/// A `rust-version` as comparable numbers (`1.85` → `[1, 85, 0]`); `None` when unreadable.
fn parse(version: &str) -> Option<[u64; 3]> {
    let mut parts = version.trim().split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().flatten().unwrap_or(0);
    let patch = parts.next().flatten().unwrap_or(0);
    Some([major, minor, patch])
}

/// The packages whose declared `rust-version` is newer than `ours`, from `cargo metadata`
/// output: `(name, version, rust-version)`.
fn newer_than(metadata: &Value, ours: [u64; 3]) -> Vec<(String, String, String)> {
    let packages = metadata["packages"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let mut newer: Vec<_> = packages
        .iter()
        .filter_map(|p| {
            let declared = p["rust_version"].as_str()?;
            (parse(declared)? > ours).then(|| {
                let field = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
                (field("name"), field("version"), declared.to_owned())
            })
        })
        .collect();
    newer.sort();
    newer
}

/// Runs the check for the workspace at `root`.
pub(crate) fn run(root: &Path) -> Result<ExitCode, String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("running cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    let metadata: Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let members = metadata["workspace_members"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ours = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| members.contains(&p["id"]))
        .filter_map(|p| p["rust_version"].as_str())
        .filter_map(parse)
        .min()
        .ok_or("no workspace member declares a rust-version")?;
    let newer = newer_than(&metadata, ours);
    let declared = format!("{}.{}", ours[0], ours[1]);
    if newer.is_empty() {
        println!("rust-version {declared} holds: no dependency declares a newer one");
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!("rust-version {declared} is not true; these packages declare a newer one:");
    for (name, version, needs) in newer {
        eprintln!("  {name} {version}: rust-version {needs}");
    }
    Ok(ExitCode::FAILURE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_number_and_newer_packages_are_named() {
        assert!(parse("1.89").unwrap_or_default() > parse("1.85.1").unwrap_or_default());
        assert!(parse("1.100").unwrap_or_default() > parse("1.99").unwrap_or_default());
        assert_eq!(parse("x"), None);
        let metadata = serde_json::json!({"packages": [
            {"name": "old", "version": "1.0.0", "rust_version": "1.70"},
            {"name": "none", "version": "1.0.0", "rust_version": null},
            {"name": "new", "version": "2.0.0", "rust_version": "1.91"},
        ]});
        let newer = newer_than(&metadata, [1, 89, 0]);
        assert_eq!(
            newer,
            vec![("new".to_owned(), "2.0.0".to_owned(), "1.91".to_owned())]
        );
    }
}
