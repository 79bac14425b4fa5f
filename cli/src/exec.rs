//! Running a command: the client configuration, the generic executor every operation goes
//! through, and the dispatch to the built-in commands.

use crate::errors::{CliError, Exit};
use crate::output::Printer;
use crate::request::{Answer, CliOp};
use crate::spec::{find_operation, Output};
use amigo_platform_api::ApiExt;
use amigo_platform_core::auth::{FileStorage, TokenManager, TokenStorage};
use amigo_platform_core::{
    Config, ErrorHookContext, HookError, Hooks, RequestHookContext, RequestOptions,
    ResponseHookContext,
};
use clap::ArgMatches;
use std::ffi::OsString;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

/// The blocking client every command uses.
pub type Client = amigo_platform_ureq::Client;

/// Runs `amigo` with these arguments (the first is the program name) and returns its exit code.
pub fn run<I, T>(args: I) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let matches = match crate::commands::build_for(&args).try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Ok
            };
        }
    };
    match dispatch(&matches) {
        Ok(()) => Exit::Ok,
        Err(e) => {
            let _ = std::io::stderr().write_all(e.render().as_bytes());
            e.exit()
        }
    }
}

/// The options every command takes.
#[derive(Debug, Clone, Default)]
pub struct Globals {
    /// `--workspace`.
    pub workspace: Option<String>,
    /// `--base-url`.
    pub base_url: Option<String>,
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// `--retries`.
    pub retries: Option<u32>,
    /// `--verbose`.
    pub verbose: bool,
    /// `--fields`.
    pub fields: Vec<String>,
}

impl Globals {
    /// The global flags of the innermost command (clap propagates them down).
    pub fn from_matches(m: &ArgMatches) -> Globals {
        Globals {
            workspace: m.get_one::<String>("workspace").cloned(),
            base_url: m.get_one::<String>("base-url").cloned(),
            timeout: m.get_one::<Duration>("timeout").copied(),
            retries: m.get_one::<u32>("retries").copied(),
            verbose: m.get_flag("verbose"),
            fields: m
                .get_many::<String>("fields")
                .map(|v| v.filter(|s| !s.is_empty()).cloned().collect())
                .unwrap_or_default(),
        }
    }

    /// The API base URL: `--base-url`, else `AMIGO_BASE_URL`, else the SDK's default.
    pub fn base_url(&self) -> Option<String> {
        self.base_url.clone().or_else(|| env("AMIGO_BASE_URL"))
    }
}

/// A non-empty environment variable.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Where `amigo login` keeps credentials: `~/.amigo/credentials.json`.
pub fn credentials_storage() -> Result<FileStorage, CliError> {
    Ok(FileStorage::default_location()?)
}

/// The identity service: `AMIGO_IDENTITY_URL`, else the API base URL, else the SDK's default.
pub fn identity_url(g: &Globals) -> String {
    env("AMIGO_IDENTITY_URL")
        .or_else(|| g.base_url())
        .unwrap_or_else(|| amigo_platform_core::auth::DEFAULT_IDENTITY_BASE_URL.to_owned())
}

/// The client configuration: `AMIGO_API_KEY` when set, else the stored login; the workspace
/// from `--workspace`, `AMIGO_WORKSPACE_ID` or the login; the flags' timeout and retries; the
/// verbose hooks.
pub fn config(g: &Globals) -> Result<Config, CliError> {
    configure(g, false)
}

/// The configuration of a call: anonymous for a public route, else as [`config`].
fn configure(g: &Globals, public: bool) -> Result<Config, CliError> {
    let mut b = Config::builder();
    let mut workspace = g.workspace.clone().or_else(|| env("AMIGO_WORKSPACE_ID"));
    if public {
        b = b.anonymous();
    } else if let Some(key) = env("AMIGO_API_KEY") {
        b = b.api_key(key);
    } else {
        let storage = credentials_storage()?;
        let Some(stored) = storage.load()? else {
            return Err(amigo_platform_core::Error::credentials(
                "no credentials: set AMIGO_API_KEY or run `amigo login`",
            )
            .into());
        };
        workspace = workspace.or(Some(stored.workspace_id));
        let manager = TokenManager::builder()
            .storage(Arc::new(storage))
            .identity_base_url(identity_url(g))
            .build();
        b = b.credentials(Arc::new(manager));
    }
    if let Some(w) = workspace {
        b = b.workspace_id(w);
    }
    if let Some(url) = g.base_url() {
        b = b.base_url(url);
    }
    if let Some(t) = g.timeout {
        b = b.timeout(t);
    }
    if let Some(n) = g.retries {
        b = b.max_retries(n);
    }
    if g.verbose {
        b = b.hooks(Arc::new(Verbose));
    }
    Ok(b.build()?)
}

/// `--verbose`: one stderr line per attempt and per outcome. URLs and headers come from the
/// SDK's hook contexts, which redact secrets.
#[derive(Debug)]
pub struct Verbose;

impl Hooks for Verbose {
    fn on_request(&self, ctx: &mut RequestHookContext<'_>) -> Result<(), HookError> {
        let i = ctx.info;
        eprintln!(
            "> {} {} (attempt {}/{})",
            i.method, i.url, i.attempt, i.max_attempts
        );
        Ok(())
    }

    fn on_response(&self, ctx: &ResponseHookContext<'_>) -> Result<(), HookError> {
        let next = retry_note(&ctx.decision);
        eprintln!(
            "< {} {} in {} ms{}{next}",
            ctx.status.as_u16(),
            ctx.status.canonical_reason().unwrap_or(""),
            ctx.elapsed.as_millis(),
            ctx.request_id
                .map(|r| format!(" (request id {r})"))
                .unwrap_or_default(),
        );
        Ok(())
    }

    fn on_error(&self, ctx: &ErrorHookContext<'_>) -> Result<(), HookError> {
        let next = retry_note(&ctx.decision);
        eprintln!(
            "< failed after {} ms: {}{next}",
            ctx.elapsed.as_millis(),
            ctx.error
        );
        Ok(())
    }
}

/// `, retrying in 250 ms` when another attempt follows.
fn retry_note(decision: &amigo_platform_core::Decision) -> String {
    match decision {
        amigo_platform_core::Decision::Retry { delay } => {
            format!(", retrying in {} ms", delay.as_millis())
        }
        _ => String::new(),
    }
}

/// `500ms`, `30s`, `2m`, or plain seconds (`1.5`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (num, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (500ms, 30s, 2m)"))?;
    Duration::try_from_secs_f64(v * scale).map_err(|_| format!("`{text}` is out of range"))
}

/// The words of the chosen command and its own matches.
fn leaf(m: &ArgMatches) -> (Vec<&str>, &ArgMatches) {
    let mut words = Vec::new();
    let mut cur = m;
    // Bounded by the depth of the command tree.
    while let Some((name, sub)) = cur.subcommand() {
        words.push(name);
        cur = sub;
    }
    (words, cur)
}

fn dispatch(m: &ArgMatches) -> Result<(), CliError> {
    let (words, sub) = leaf(m);
    let g = Globals::from_matches(sub);
    match words.as_slice() {
        ["login"] => crate::auth::login(&g, sub),
        ["logout"] => crate::auth::logout(),
        ["whoami"] => crate::auth::whoami(&g),
        ["completions"] => completions(sub),
        ["events", "tail"] => crate::events::tail(&g, sub),
        ["webhook", "verify"] => crate::webhook::verify(sub),
        ["webhook", "listen"] => crate::webhook::listen(sub),
        _ => {
            let op = find_operation(&words)
                .ok_or_else(|| CliError::usage(format!("unknown command `{}`", words.join(" "))))?;
            operation(&g, op, sub)
        }
    }
}

fn completions(m: &ArgMatches) -> Result<(), CliError> {
    let shell = match m.get_one::<String>("shell").map(String::as_str) {
        Some("zsh") => clap_complete::Shell::Zsh,
        Some("fish") => clap_complete::Shell::Fish,
        _ => clap_complete::Shell::Bash,
    };
    let mut cmd = crate::commands::build();
    clap_complete::generate(shell, &mut cmd, "amigo", &mut std::io::stdout());
    Ok(())
}

/// The generic executor: builds the operation's request and sends it (or prints it with
/// `--dry-run`), then prints the answer.
fn operation(
    g: &Globals,
    spec: &'static crate::spec::OpSpec,
    m: &ArgMatches,
) -> Result<(), CliError> {
    let op = CliOp::from_matches(spec, m)?;
    if m.get_flag("dry-run") {
        return dry_run(g, &op);
    }
    let client = Client::new(configure(g, spec.public)?);
    if spec.output == Output::Binary {
        let path = m
            .try_get_one::<String>("output")
            .ok()
            .flatten()
            .map(String::as_str);
        crate::download::check_destination(path)?;
        return crate::download::stream(&client, op, path);
    }
    let printer = Printer::for_stdout(g.fields.clone());
    let mut stdout = std::io::stdout().lock();
    let io = |e: std::io::Error| CliError::other(format!("writing the output: {e}"));
    if m.try_get_one::<bool>("all")
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
    {
        // Items print as they arrive, one page at a time.
        for item in client.call(op).auto_paging() {
            printer.print_line(&mut stdout, &item?).map_err(io)?;
        }
        return Ok(());
    }
    match client.call(op).send()? {
        Answer::Empty => Ok(()),
        Answer::Json(v) => printer.print(&mut stdout, &v, None).map_err(io),
        Answer::Page(v, pager) => printer
            .print(&mut stdout, &v, Some(pager.items))
            .map_err(io),
        Answer::Bytes(b) => stdout.write_all(&b.bytes).map_err(io),
    }
}

/// `--dry-run`: the prepared request (the `Authorization` header is added only when sending).
fn dry_run(g: &Globals, op: &CliOp) -> Result<(), CliError> {
    let config = dry_run_config(g)?;
    let req = amigo_platform_core::__private::prepare(op, &config, &RequestOptions::new(), None)?;
    let mut out = std::io::stdout().lock();
    let mut text = format!(
        "{} {}\n",
        req.method,
        amigo_platform_core::__private::redact_url(&req.url, Some(&req.path_template))
    );
    for (name, value) in &req.headers {
        let shown = if amigo_platform_core::__private::is_sensitive_key(name.as_str()) {
            "[REDACTED]"
        } else {
            value.to_str().unwrap_or("(binary)")
        };
        text.push_str(&format!("{name}: {shown}\n"));
    }
    if !req.body.is_empty() {
        text.push('\n');
        if op.spec().output == Output::Binary || std::str::from_utf8(&req.body).is_err() {
            text.push_str(&format!("({} bytes)\n", req.body.len()));
        } else {
            text.push_str(&String::from_utf8_lossy(&req.body));
            text.push('\n');
        }
    }
    out.write_all(text.as_bytes())
        .map_err(|e| CliError::other(format!("writing the output: {e}")))
}

/// A configuration for `--dry-run`: the same as sending, but no credentials are needed.
fn dry_run_config(g: &Globals) -> Result<Config, CliError> {
    let mut b = Config::builder().anonymous();
    if let Some(w) = g.workspace.clone().or_else(|| env("AMIGO_WORKSPACE_ID")) {
        b = b.workspace_id(w);
    }
    if let Some(url) = g.base_url() {
        b = b.base_url(url);
    }
    Ok(b.build()?)
}
