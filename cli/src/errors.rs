//! What can go wrong, how it is shown on stderr and the exit code it gives.

use amigo_platform_core::{Error, ErrorKind, ValidationIssue};
use std::fmt::Write as _;

/// The exit codes of `amigo` (also listed in `amigo --help`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// Any other failure (an HTTP error without a code of its own, a file that cannot be written).
    Failure = 1,
    /// The command line is wrong (unknown command, bad flag value, missing argument).
    Usage = 2,
    /// Authentication or permission (401, 403), or no credentials.
    Auth = 3,
    /// Not found (404, 410).
    NotFound = 4,
    /// Validation: the server's 400 or 422, or a `--data` body that does not fit the request model.
    Validation = 5,
    /// Rate limited (429).
    RateLimited = 6,
    /// A server error (5xx).
    Server = 7,
    /// A network failure or a timeout.
    Network = 8,
    /// Webhook verification failed.
    Webhook = 9,
}

/// The text of the exit-code table in `amigo --help`.
pub const EXIT_CODES_HELP: &str = "Exit codes:
  0  success
  1  other failure (another HTTP error, a local I/O error)
  2  usage error (unknown command, bad or missing argument)
  3  authentication or permission (401, 403, no credentials)
  4  not found (404, 410)
  5  validation (400, 422, or --data not matching the request model)
  6  rate limited (429)
  7  server error (5xx)
  8  network failure or timeout
  9  webhook verification failed";

/// A failure of one `amigo` run.
#[derive(Debug)]
pub enum CliError {
    /// A usage error found by `amigo` itself.
    Usage(String),
    /// A `--data` body that does not fit the request model.
    InvalidBody(String),
    /// An error of the SDK (HTTP, network, credentials...).
    Sdk(Error),
    /// A webhook that failed verification.
    Webhook(String),
    /// Anything else (a local file).
    Other(String),
}

impl CliError {
    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Self {
        CliError::Usage(message.into())
    }

    /// A body that does not fit its model.
    pub fn invalid_body(message: impl Into<String>) -> Self {
        CliError::InvalidBody(message.into())
    }

    /// Another failure.
    pub fn other(message: impl Into<String>) -> Self {
        CliError::Other(message.into())
    }

    /// The exit code of this failure.
    pub fn exit(&self) -> Exit {
        match self {
            CliError::Usage(_) => Exit::Usage,
            CliError::InvalidBody(_) => Exit::Validation,
            CliError::Webhook(_) => Exit::Webhook,
            CliError::Other(_) => Exit::Failure,
            CliError::Sdk(e) => sdk_exit(e),
        }
    }

    /// The text printed on stderr (never a secret: the SDK's errors are redacted).
    pub fn render(&self) -> String {
        match self {
            CliError::Usage(m) => format!("error: {m}\n"),
            CliError::InvalidBody(m) => format!("error: validation: {m}\n"),
            CliError::Webhook(m) => format!("error: webhook verification failed: {m}\n"),
            CliError::Other(m) => format!("error: {m}\n"),
            CliError::Sdk(e) => render_sdk(e),
        }
    }
}

impl From<Error> for CliError {
    fn from(e: Error) -> Self {
        CliError::Sdk(e)
    }
}

fn sdk_exit(e: &Error) -> Exit {
    match e.kind() {
        ErrorKind::Authentication
        | ErrorKind::Permission
        | ErrorKind::Credentials
        | ErrorKind::Identity
        | ErrorKind::DeviceCode => Exit::Auth,
        ErrorKind::NotFound | ErrorKind::Gone => Exit::NotFound,
        ErrorKind::Validation | ErrorKind::BadRequest => Exit::Validation,
        ErrorKind::RateLimited => Exit::RateLimited,
        ErrorKind::Server | ErrorKind::ServiceUnavailable => Exit::Server,
        ErrorKind::Network | ErrorKind::Timeout => Exit::Network,
        ErrorKind::Config => Exit::Usage,
        ErrorKind::Webhook => Exit::Webhook,
        _ => Exit::Failure,
    }
}

/// `error: NotFound (HTTP 404): Agent not found`, then the error code, each validation issue
/// and the request id on their own lines.
fn render_sdk(e: &Error) -> String {
    let mut s = format!("error: {:?}", e.kind());
    if let Some(status) = e.status() {
        let _ = write!(s, " (HTTP {status})");
    }
    let _ = writeln!(s, ": {}", e.message());
    if let Some(code) = e.error_code() {
        let _ = writeln!(s, "  error code: {code}");
    }
    for issue in e.validation_errors() {
        let _ = writeln!(s, "  invalid: {}", issue_line(issue));
    }
    if let Some(after) = e.retry_after() {
        let _ = writeln!(s, "  retry after: {:.1}s", after.as_secs_f64());
    }
    if let Some(id) = e.request_id() {
        let _ = writeln!(s, "  request id: {id}");
    }
    s
}

/// `body.name: field required` (the offending input is not shown: it may be a secret).
fn issue_line(issue: &ValidationIssue) -> String {
    match issue {
        ValidationIssue::Item { loc, msg, .. } => {
            let at: Vec<String> = loc.iter().map(ToString::to_string).collect();
            if at.is_empty() {
                msg.clone()
            } else {
                format!("{}: {msg}", at.join("."))
            }
        }
        ValidationIssue::Raw(v) => v
            .get("msg")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("(unreadable validation item)")
            .to_owned(),
    }
}
