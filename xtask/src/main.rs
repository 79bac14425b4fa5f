//! `cargo xtask codegen [--spec PATH] [--names PATH] [--check]`: generates the `amigo-platform-api`
//! crate's `api/src/generated/` and its table-driven tests `api/tests/generated_*.rs` from the
//! OpenAPI spec and the surface table (their default paths are below; `--spec` and `--names`
//! override them).

mod gen;
mod names;
mod sha256;

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
    "usage: cargo xtask codegen [--spec PATH] [--names PATH] [--check]".to_owned()
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(usage());
    };
    if cmd != "codegen" {
        return Err(usage());
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace root")?
        .to_path_buf();
    let mut spec = root.join("../shared/openapi.json");
    let mut names = root.join("../shared/surface.tsv");
    let mut check = false;
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--spec" => spec = PathBuf::from(it.next().ok_or("--spec needs a path")?),
            "--names" => names = PathBuf::from(it.next().ok_or("--names needs a path")?),
            "--check" => check = true,
            other => return Err(format!("unknown argument `{other}`\n{}", usage())),
        }
    }
    let spec_bytes =
        std::fs::read(&spec).map_err(|e| format!("reading {}: {e}", spec.display()))?;
    let surface =
        std::fs::read_to_string(&names).map_err(|e| format!("reading {}: {e}", names.display()))?;
    let files = gen::generate(&spec_bytes, &surface)?;
    let mut formatted = BTreeMap::new();
    for (path, text) in files {
        formatted.insert(path, rustfmt(&text)?);
    }
    let out_dir = root.join("api");
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
        std::fs::create_dir_all(p.parent().unwrap()).map_err(|e| e.to_string())?;
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

/// The generated files present under `api/`: everything in `src/generated/` and the
/// `tests/generated_*.rs` files (hand-written files are never touched).
fn existing_files(api: &Path) -> Vec<String> {
    let mut out = Vec::new();
    walk(api, &api.join("src/generated"), &mut out);
    walk(api, &api.join("tests/prism_cases"), &mut out);
    if let Ok(rd) = std::fs::read_dir(api.join("tests")) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("generated_") && name.ends_with(".rs") {
                out.push(format!("tests/{name}"));
            }
        }
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
            out.push(
                p.strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

/// Formats one file's text in memory with `rustfmt --edition 2021` (stdin → stdout).
fn rustfmt(text: &str) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running rustfmt: {e}"))?;
    let mut stdin = child.stdin.take().unwrap();
    let input = text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    writer.join().unwrap().map_err(|e| e.to_string())?;
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
