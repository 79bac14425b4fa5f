//! `cargo xtask codegen [--spec PATH] [--names PATH] [--check]`: generates the `amigo-platform-api`
//! crate's `api/src/generated/`, its table-driven tests `api/tests/generated_*.rs` and the
//! surface-name test `tests/surface_names.rs` from the OpenAPI spec and the surface table.
//!
//! `cargo xtask msrv` checks the declared `rust-version` against every dependency's.
//!
//! The spec directory is the `AMIGO_SPEC_DIR` environment variable (it holds `openapi.json` and
//! `surface.tsv`); `--spec` and `--names` override either file.

#![forbid(unsafe_code)]

mod gen;
mod msrv;
mod names;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> String {
    "usage: AMIGO_SPEC_DIR=DIR cargo xtask codegen [--spec PATH] [--names PATH] [--check]\n\
     \x20      cargo xtask msrv   (no dependency declares a newer rust-version than ours)"
        .to_owned()
}

/// The spec directory: `AMIGO_SPEC_DIR` (holding `openapi.json` and `surface.tsv`).
fn spec_dir() -> Result<PathBuf, String> {
    match std::env::var_os("AMIGO_SPEC_DIR") {
        Some(d) if !d.is_empty() => Ok(PathBuf::from(d)),
        _ => Err(format!(
            "AMIGO_SPEC_DIR is not set: set it to the directory holding openapi.json and \
             surface.tsv, or pass --spec and --names\n{}",
            usage()
        )),
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(usage());
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace root")?
        .to_path_buf();
    match cmd.as_str() {
        "codegen" => {}
        "msrv" => return msrv::run(&root),
        _ => return Err(usage()),
    }
    let (mut spec, mut names) = (None, None);
    let mut check = false;
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--spec" => spec = Some(PathBuf::from(it.next().ok_or("--spec needs a path")?)),
            "--names" => names = Some(PathBuf::from(it.next().ok_or("--names needs a path")?)),
            "--check" => check = true,
            other => return Err(format!("unknown argument `{other}`\n{}", usage())),
        }
    }
    let spec = match spec {
        Some(p) => p,
        None => spec_dir()?.join("openapi.json"),
    };
    let names = match names {
        Some(p) => p,
        None => spec_dir()?.join("surface.tsv"),
    };
    let spec_bytes =
        std::fs::read(&spec).map_err(|e| format!("reading {}: {e}", spec.display()))?;
    let surface =
        std::fs::read_to_string(&names).map_err(|e| format!("reading {}: {e}", names.display()))?;
    let files = gen::generate(&spec_bytes, &surface)?;
    let mut formatted = BTreeMap::new();
    for (path, text) in files {
        formatted.insert(path, rustfmt(&root.join("rustfmt.toml"), &text)?);
    }
    let out_dir = root;
    if check {
        let mut diffs = Vec::new();
        for (rel, text) in &formatted {
            match std::fs::read_to_string(out_dir.join(rel)) {
                Ok(old) if &old == text => {}
                Ok(_) => diffs.push(format!("changed: {rel}")),
                Err(_) => diffs.push(format!("missing: {rel}")),
            }
        }
        for rel in existing_files(&out_dir) {
            if !formatted.contains_key(&rel) {
                diffs.push(format!("stale: {rel}"));
            }
        }
        if diffs.is_empty() {
            eprintln!("generated code is up to date ({} files)", formatted.len());
            return Ok(ExitCode::SUCCESS);
        }
        for d in &diffs {
            eprintln!("{d}");
        }
        eprintln!("generated code differs from the spec; run `cargo xtask codegen`");
        return Ok(ExitCode::FAILURE);
    }
    for rel in existing_files(&out_dir) {
        if !formatted.contains_key(&rel) {
            let _ = std::fs::remove_file(out_dir.join(&rel));
        }
    }
    let mut lines = 0;
    for (rel, text) in &formatted {
        let p = out_dir.join(rel);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        }
        let unchanged = std::fs::read_to_string(&p).is_ok_and(|old| &old == text);
        if !unchanged {
            std::fs::write(&p, text).map_err(|e| format!("writing {}: {e}", p.display()))?;
        }
        lines += text.lines().count();
    }
    eprintln!(
        "wrote {} files, {lines} lines, to {}",
        formatted.len(),
        out_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The generated files present in the workspace (paths relative to its root): everything in
/// `api/src/generated/`, `api/tests/prism_cases/` and `cli/src/generated/`, the
/// `api/tests/generated_*.rs` files, `cli/tests/generated_requests.rs` and
/// `tests/surface_names.rs` (hand-written files are never touched).
fn existing_files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    walk(root, &root.join("api/src/generated"), &mut out);
    walk(root, &root.join("api/tests/prism_cases"), &mut out);
    if let Ok(rd) = std::fs::read_dir(root.join("api/tests")) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("generated_") && name.ends_with(".rs") {
                out.push(format!("api/tests/{name}"));
            }
        }
    }
    walk(root, &root.join("cli/src/generated"), &mut out);
    if root.join(gen::CLI_REQUEST_TEST).is_file() {
        out.push(gen::CLI_REQUEST_TEST.to_owned());
    }
    if root.join(gen::SURFACE_NAMES_TEST).is_file() {
        out.push(gen::SURFACE_NAMES_TEST.to_owned());
    }
    out
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(base, &p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            if let Ok(rel) = p.strip_prefix(base) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
}

/// Formats one file's text in memory with rustfmt (stdin → stdout), configured by the
/// workspace's `rustfmt.toml` so the output does not depend on the installed rustfmt's defaults.
fn rustfmt(config: &Path, text: &str) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .arg("--config-path")
        .arg(config)
        .args(["--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running rustfmt: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("rustfmt: no stdin")?;
    let input = text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    writer
        .join()
        .map_err(|_| "rustfmt: the stdin writer panicked")?
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        let dump = std::env::temp_dir().join("xtask-rustfmt-failed.rs");
        let _ = std::fs::write(&dump, text);
        return Err(format!(
            "rustfmt failed (input saved to {}): {}",
            dump.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| e.to_string())
}
