//! The device-code login machine (RFC 8628 plus the platform's specifics).

use super::jwt::{decode_claims, truthy, workspace_claim};
use super::protocol::{
    bearer_get, form_post, identity_error, json_object, network_error, parse_workspaces,
    positive_secs, refresh_request, str_field, TokenResponse,
};
use super::types::{
    Credentials, DeviceCodeIssuance, IdentityRequest, LoginOptions, LoginStatus, Workspace,
};
use crate::call::attempt::AttemptOutcome;
use crate::call::redirect::{resolve_location, same_origin};
use crate::call::response::ResponseMeta;
use crate::call::retry::{Machine, Step, Time};
use crate::cancel::CancelToken;
use crate::credentials::Secret;
use crate::error::{Error, ErrorKind};
use bytes::Bytes;
use std::collections::VecDeque;
use std::time::Duration;
use web_time::Instant;

/// Poll interval when the service gives none (or ≤ 0).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// The shortest poll interval, whatever interval the service asks for: a hostile or broken
/// identity response cannot make the login poll in a tight loop.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);
/// How much `slow_down` adds to the interval, cumulatively.
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// The longest wait after transient poll failures.
pub const MAX_TRANSIENT_WAIT: Duration = Duration::from_secs(60);
/// Redirect hops followed for the membership GETs.
const MAX_GET_REDIRECTS: u32 = 5;
/// Lifetime assumed when the issuance states none.
const DEFAULT_CODE_LIFETIME: Duration = Duration::from_secs(900);

/// The machine's internal queue of steps, before they are turned into the shared [`Step`].
#[derive(Debug)]
enum LoginStep {
    Send(IdentityRequest),
    ShowCode(DeviceCodeIssuance),
    Status(LoginStatus),
    ChooseWorkspace(Vec<Workspace>),
    Wait(Instant),
    Done(Result<Credentials, Error>),
}

/// What a [`DeviceLogin`] hands to its user, as [`Step::Item`]s.
#[derive(Debug)]
pub enum LoginEvent {
    /// Show the code to the user (`on_code`): the code's lifetime starts at the next poll.
    Code(DeviceCodeIssuance),
    /// Progress of the poll loop (`on_status`).
    Status(LoginStatus),
    /// Ask the user to choose one of these workspaces (`on_workspace_required`) and answer
    /// with [`DeviceLogin::choose_workspace`] before polling again.
    ChooseWorkspace(Vec<Workspace>),
}

/// What the driver of a [`DeviceLogin`] must do next: the shared [`Step`] with
/// [`LoginEvent`] items and the credentials at the end. Its `Send`s are identity requests:
/// never follow redirects.
/// Which membership endpoint a GET is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Profile {
    SelfProfile,
    SelfFallback,
}

enum State {
    Start,
    AwaitIssue,
    CodeShown {
        expires_in: Duration,
    },
    Top,
    Sleeping {
        until: Instant,
    },
    PollReady,
    AwaitPoll,
    AwaitProfile {
        token: TokenResponse,
        which: Profile,
        hops: u32,
        url: String,
    },
    Choosing {
        token: TokenResponse,
        workspaces: Vec<Workspace>,
    },
    RefreshReady {
        refresh: Secret,
        workspace: String,
    },
    AwaitRefresh {
        workspace: String,
    },
    Finished,
}

/// The device-code login as a sans-IO state machine.
///
/// # Driving contract
///
/// Loop on [`poll`](DeviceLogin::poll) with the current [`Time`] and do what each
/// [`Step`] says (it is a [`Machine`]). Every `Send` is answered by exactly one
/// `handle_outcome` before the next poll; every [`LoginEvent::ChooseWorkspace`] item by one
/// [`choose_workspace`](DeviceLogin::choose_workspace) (or hand items to
/// [`deliver`](DeviceLogin::deliver), which calls your callbacks and answers for them).
/// The machine never reads a clock and never sleeps: waits are instants to sleep until.
///
/// ```
/// use amigo_platform_core::auth::{DeviceLogin, LoginEvent, LoginOptions};
/// use amigo_platform_core::auth::jwt::unsigned_jwt;
/// use amigo_platform_core::transport::AttemptOutcome;
/// use amigo_platform_core::{Machine, Step, Time};
/// use bytes::Bytes;
/// use web_time::{Instant, SystemTime};
///
/// let mut time = Time { now: Instant::now(), wall: SystemTime::now() };
/// let mut login = DeviceLogin::new(LoginOptions::new("https://id.example"));
/// let token = unsigned_jwt(&serde_json::json!({"workspace_id": "ws1", "exp": 4_000_000_000u64}));
/// let creds = loop {
///     match login.poll(time) {
///         Step::Send(req) => {
///             let body = if req.request.uri().path() == "/device/code" {
///                 r#"{"device_code":"dc","user_code":"ABCD-EFGH","verification_uri":"https://v",
///                     "expires_in":900,"interval":1}"#.to_owned()
///             } else {
///                 format!(r#"{{"access_token":"{token}","refresh_token":"rt"}}"#)
///             };
///             let resp = http::Response::builder().status(200).body(Bytes::from(body))?;
///             login.handle_outcome(AttemptOutcome::Response(resp), time);
///         }
///         Step::Item(LoginEvent::Code(code)) => println!("enter {}", code.user_code),
///         Step::Item(LoginEvent::Status(status)) => println!("{status}"),
///         Step::Item(LoginEvent::ChooseWorkspace(list)) => {
///             login.choose_workspace(Some(list[0].workspace_id.clone()))
///         }
///         Step::Wait(until) => time.now = until, // a fake clock: no real sleeping
///         Step::Done(result) => break result?,
///         Step::Refresh(_) | Step::Read(_) => unreachable!("a login neither refreshes nor streams"),
///     }
/// };
/// assert_eq!(creds.workspace_id, "ws1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct DeviceLogin {
    opts: LoginOptions,
    state: State,
    queue: VecDeque<LoginStep>,
    device_code: Option<Secret>,
    interval: Duration,
    deadline: Option<Instant>,
    next_wait: Duration,
    transient: u32,
    cancelled: bool,
}

impl std::fmt::Debug for DeviceLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceLogin")
            .field("identity_base_url", &self.opts.identity_base_url)
            .field("interval", &self.interval)
            .field("transient", &self.transient)
            .finish_non_exhaustive()
    }
}

fn err(kind: ErrorKind, code: &str, message: &str) -> Error {
    Error::other(kind, Some(code), message)
}

/// DeviceCodeExpired.
pub fn device_code_expired() -> Error {
    err(
        ErrorKind::DeviceCode,
        "device_code_expired",
        "Device code expired. Please restart the login flow.",
    )
}

/// DeviceCodeDenied.
pub fn device_code_denied() -> Error {
    err(
        ErrorKind::DeviceCode,
        "device_code_denied",
        "Authorization request was denied.",
    )
}

/// LoginCancelled.
pub fn login_cancelled() -> Error {
    err(ErrorKind::Cancelled, "login_cancelled", "Login cancelled")
}

impl DeviceLogin {
    /// A login that has not sent anything yet.
    pub fn new(options: LoginOptions) -> Self {
        DeviceLogin {
            opts: options,
            state: State::Start,
            queue: VecDeque::new(),
            device_code: None,
            interval: DEFAULT_INTERVAL,
            deadline: None,
            next_wait: DEFAULT_INTERVAL,
            transient: 0,
            cancelled: false,
        }
    }

    /// The options.
    pub fn options(&self) -> &LoginOptions {
        &self.opts
    }

    /// The current poll interval: the service's, at least [`MIN_INTERVAL`], growing by 5 s on
    /// every `slow_down`.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Cancels the login: the next poll answers LoginCancelled.
    pub fn cancel(&mut self) {
        self.cancelled = true;
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled || self.opts.cancel.as_ref().is_some_and(|c| c.is_cancelled())
    }

    fn finish(&mut self, result: Result<Credentials, Error>) {
        self.state = State::Finished;
        self.queue.push_back(LoginStep::Done(result));
    }

    fn fail(&mut self, e: Error) {
        self.finish(Err(e));
    }

    /// Asks what to do next.
    pub fn poll(&mut self, time: Time) -> Step<LoginEvent, Result<Credentials, Error>> {
        match self.next_step(time) {
            LoginStep::Send(request) => Step::Send(request.into()),
            LoginStep::ShowCode(code) => Step::Item(LoginEvent::Code(code)),
            LoginStep::Status(status) => Step::Item(LoginEvent::Status(status)),
            LoginStep::ChooseWorkspace(list) => Step::Item(LoginEvent::ChooseWorkspace(list)),
            LoginStep::Wait(until) => Step::Wait(until),
            LoginStep::Done(result) => Step::Done(result),
        }
    }

    /// Hands an item to the callbacks, answering a workspace choice (what every driver does
    /// with a login's items).
    pub fn deliver<C: super::LoginCallbacks + ?Sized>(
        &mut self,
        event: LoginEvent,
        callbacks: &mut C,
    ) {
        match event {
            LoginEvent::Code(code) => callbacks.on_code(&code),
            LoginEvent::Status(status) => callbacks.on_status(status),
            LoginEvent::ChooseWorkspace(list) => {
                let choice = callbacks.on_workspace_required(&list);
                self.choose_workspace(choice);
            }
        }
    }

    fn next_step(&mut self, time: Time) -> LoginStep {
        if let Some(step) = self.queue.pop_front() {
            return step;
        }
        match std::mem::replace(&mut self.state, State::Finished) {
            State::Start => self.issue(),
            State::CodeShown { expires_in } => {
                self.deadline = Some(time.now.checked_add(expires_in).unwrap_or(time.now));
                self.state = State::Top;
                self.next_step(time)
            }
            State::Top => {
                if self.deadline.is_some_and(|d| time.now >= d) {
                    self.queue
                        .push_back(LoginStep::Status(LoginStatus::Expired));
                    self.fail(device_code_expired());
                } else if self.is_cancelled() {
                    self.fail(login_cancelled());
                } else {
                    let until = time.now.checked_add(self.next_wait).unwrap_or(time.now);
                    self.state = State::Sleeping { until };
                    return LoginStep::Wait(until);
                }
                self.next_step(time)
            }
            State::Sleeping { until } => {
                if self.is_cancelled() {
                    self.fail(login_cancelled());
                    return self.next_step(time);
                }
                if time.now < until {
                    self.state = State::Sleeping { until };
                    return LoginStep::Wait(until);
                }
                self.state = State::PollReady;
                LoginStep::Status(LoginStatus::Polling)
            }
            State::PollReady => self.send_poll(),
            State::RefreshReady { refresh, workspace } => {
                match refresh_request(
                    &self.opts.identity_base_url,
                    &refresh,
                    Some(&workspace),
                    self.opts.scope.as_deref(),
                    self.opts.timeout,
                ) {
                    Ok(req) => {
                        self.state = State::AwaitRefresh { workspace };
                        LoginStep::Send(req)
                    }
                    Err(e) => {
                        self.fail(e);
                        self.next_step(time)
                    }
                }
            }
            State::Choosing { token, workspaces } => {
                self.state = State::Choosing { token, workspaces };
                LoginStep::Done(Err(Error::config(
                    "choose_workspace must be called before polling again",
                )))
            }
            State::Finished => {
                LoginStep::Done(Err(Error::driver("the login has already finished")))
            }
            s @ (State::AwaitIssue
            | State::AwaitPoll
            | State::AwaitProfile { .. }
            | State::AwaitRefresh { .. }) => {
                self.state = s;
                LoginStep::Done(Err(Error::driver(
                    "poll called while an identity request is in flight",
                )))
            }
        }
    }

    fn issue(&mut self) -> LoginStep {
        let mut fields = Vec::new();
        if let Some(d) = &self.opts.client_description {
            fields.push(("client_description".to_owned(), d.clone()));
        }
        if let Some(s) = &self.opts.scope {
            fields.push(("scope".to_owned(), s.clone()));
        }
        match form_post(
            &self.opts.identity_base_url,
            "/device/code",
            fields,
            self.opts.timeout,
        ) {
            Ok(req) => {
                self.state = State::AwaitIssue;
                LoginStep::Send(req)
            }
            Err(e) => {
                self.state = State::Finished;
                LoginStep::Done(Err(e))
            }
        }
    }

    fn send_poll(&mut self) -> LoginStep {
        let code = self.device_code.clone().unwrap_or_else(|| Secret::new(""));
        let mut fields = vec![
            ("grant_type".to_owned(), "device_code".to_owned()),
            ("device_code".to_owned(), code.expose().to_owned()),
        ];
        if let Some(s) = &self.opts.scope {
            fields.push(("scope".to_owned(), s.clone()));
        }
        if let Some(w) = &self.opts.workspace_id {
            fields.push(("workspace_id".to_owned(), w.clone()));
        }
        match form_post(
            &self.opts.identity_base_url,
            "/token",
            fields,
            self.opts.timeout,
        ) {
            Ok(req) => {
                self.state = State::AwaitPoll;
                LoginStep::Send(req)
            }
            Err(e) => {
                self.state = State::Finished;
                LoginStep::Done(Err(e))
            }
        }
    }

    /// Answers a [`LoginEvent::ChooseWorkspace`]: `None` (or an empty id) cancels the login.
    pub fn choose_workspace(&mut self, workspace_id: Option<String>) {
        let State::Choosing { token, .. } = std::mem::replace(&mut self.state, State::Finished)
        else {
            return;
        };
        match (workspace_id.filter(|s| !s.is_empty()), token.refresh_token) {
            (None, _) => self.fail(login_cancelled()),
            (Some(workspace), Some(refresh)) => {
                self.state = State::RefreshReady { refresh, workspace }
            }
            (Some(_), None) => self.fail(err(
                ErrorKind::Identity,
                "server_error",
                "Multi-workspace response missing refresh_token",
            )),
        }
    }

    /// Reports a transport failure (no response, or the request's time limit expired).
    pub(crate) fn handle_failure(&mut self, _error: Error, _time: Time) {
        if matches!(self.state, State::Finished) {
            return;
        }
        self.fail(network_error());
    }

    /// Reports the response to the last `Send`.
    pub(crate) fn handle_response(&mut self, response: http::Response<Bytes>, time: Time) {
        match std::mem::replace(&mut self.state, State::Finished) {
            State::AwaitIssue => self.on_issue(response, time),
            State::AwaitPoll => self.on_poll(response, time),
            State::AwaitProfile {
                token,
                which,
                hops,
                url,
            } => self.on_profile(response, token, which, hops, url, time),
            State::AwaitRefresh { workspace } => {
                let status = response.status().as_u16();
                if !response.status().is_success() {
                    return self.fail(identity_error(status, response.body()));
                }
                match TokenResponse::parse(response.body(), true) {
                    Ok(t) => {
                        let ws = self.opts.workspace_id.clone().unwrap_or(workspace);
                        self.finish(Ok(t.into_credentials(ws, time.wall)));
                    }
                    Err(e) => self.fail(e),
                }
            }
            other => self.state = other,
        }
    }

    fn on_issue(&mut self, response: http::Response<Bytes>, time: Time) {
        let status = response.status();
        if status.as_u16() == 429 {
            let meta = ResponseMeta::new(status, response.headers().clone(), time.wall);
            let e = Error::from_http(meta, None, Some(response.body()), &[])
                .with_message("Rate limited");
            return self.fail(e);
        }
        if !status.is_success() {
            return self.fail(identity_error(status.as_u16(), response.body()));
        }
        let m = json_object(response.body());
        let text = |k: &str| {
            str_field(&m, k)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let (Some(device_code), Some(user_code), Some(verification_uri)) = (
            text("device_code"),
            text("user_code"),
            text("verification_uri"),
        ) else {
            return self.fail(err(
                ErrorKind::Identity,
                "invalid_response",
                "Identity service returned an incomplete device code",
            ));
        };
        let issuance = DeviceCodeIssuance {
            device_code: Secret::new(device_code),
            user_code,
            verification_uri,
            verification_uri_complete: text("verification_uri_complete"),
            expires_in: positive_secs(m.get("expires_in")).unwrap_or(DEFAULT_CODE_LIFETIME),
            interval: positive_secs(m.get("interval")),
        };
        self.interval = issuance
            .interval
            .unwrap_or(DEFAULT_INTERVAL)
            .max(MIN_INTERVAL);
        self.next_wait = self.interval;
        self.device_code = Some(issuance.device_code.clone());
        self.state = State::CodeShown {
            expires_in: issuance.expires_in,
        };
        self.queue.push_back(LoginStep::ShowCode(issuance));
    }

    fn on_poll(&mut self, response: http::Response<Bytes>, time: Time) {
        let status = response.status().as_u16();
        match status {
            200 | 300 => {
                self.queue
                    .push_back(LoginStep::Status(LoginStatus::Approved));
                self.resolve(status, response.body(), time);
            }
            400 => {
                self.transient = 0;
                self.next_wait = self.interval;
                let m = json_object(response.body());
                let code = str_field(&m, "error").unwrap_or("unknown");
                match code {
                    "authorization_pending" => {
                        self.queue
                            .push_back(LoginStep::Status(LoginStatus::AuthorizationPending));
                        self.state = State::Top;
                    }
                    "slow_down" => {
                        self.interval = self.interval.saturating_add(SLOW_DOWN_STEP);
                        self.next_wait = self.interval;
                        self.queue
                            .push_back(LoginStep::Status(LoginStatus::SlowDown));
                        self.state = State::Top;
                    }
                    "expired_token" => {
                        self.queue
                            .push_back(LoginStep::Status(LoginStatus::Expired));
                        self.fail(device_code_expired());
                    }
                    "access_denied" => {
                        self.queue.push_back(LoginStep::Status(LoginStatus::Denied));
                        self.fail(device_code_denied());
                    }
                    other => {
                        let message = str_field(&m, "error_description")
                            .filter(|s| !s.is_empty())
                            .unwrap_or(other)
                            .to_owned();
                        let message = if message.is_empty() {
                            "Identity error (400)".to_owned()
                        } else {
                            message
                        };
                        self.fail(Error::other(ErrorKind::Identity, Some(other), message));
                    }
                }
            }
            429 | 500..=599 => {
                self.transient = self.transient.saturating_add(1);
                let retry_after = response
                    .headers()
                    .get(http::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| crate::call::retry_after::parse_retry_after(v, time.wall));
                self.next_wait = match retry_after {
                    Some(ra) => self.interval.max(ra.min(MAX_TRANSIENT_WAIT)),
                    None => {
                        let factor = 1u32.checked_shl(self.transient).unwrap_or(u32::MAX);
                        self.interval
                            .checked_mul(factor)
                            .unwrap_or(MAX_TRANSIENT_WAIT)
                            .min(MAX_TRANSIENT_WAIT)
                    }
                };
                self.state = State::Top;
            }
            _ => self.fail(Error::other(
                ErrorKind::Identity,
                None,
                format!("Identity error ({status})"),
            )),
        }
    }

    /// Workspace resolution after approval.
    fn resolve(&mut self, status: u16, body: &[u8], time: Time) {
        if status == 300 {
            let token = match TokenResponse::parse(body, false) {
                Ok(t) => t,
                Err(e) => return self.fail(e),
            };
            if token.refresh_token.is_none() {
                return self.fail(err(
                    ErrorKind::Identity,
                    "server_error",
                    "Multi-workspace response missing refresh_token",
                ));
            }
            let workspaces = token.workspaces.clone();
            self.state = State::Choosing {
                token,
                workspaces: workspaces.clone(),
            };
            self.queue.push_back(LoginStep::ChooseWorkspace(workspaces));
            return;
        }
        let token = match TokenResponse::parse(body, true) {
            Ok(t) => t,
            Err(e) => return self.fail(e),
        };
        let claims = decode_claims(token.access_token.expose()).unwrap_or_default();
        let claim_ws = workspace_claim(&claims);
        let bootstrap = (truthy(claims.get("workspace_bootstrap")) || claim_ws.is_none())
            && token.refresh_token.is_some();
        if !bootstrap {
            return match self.opts.workspace_id.clone().or(claim_ws) {
                Some(ws) => self.finish(Ok(token.into_credentials(ws, time.wall))),
                None => self.fail(err(
                    ErrorKind::Identity,
                    "missing_workspace",
                    "Token does not contain a workspace_id claim",
                )),
            };
        }
        let refresh = token
            .refresh_token
            .clone()
            .unwrap_or_else(|| Secret::new(""));
        if let Some(ws) = self.opts.workspace_id.clone() {
            self.state = State::RefreshReady {
                refresh,
                workspace: ws,
            };
            return;
        }
        let url = format!("{}/self/profile", self.opts.identity_base_url);
        self.send_profile(token, Profile::SelfProfile, 0, url);
    }

    fn send_profile(&mut self, token: TokenResponse, which: Profile, hops: u32, url: String) {
        match bearer_get(&url, Some(&token.access_token), self.opts.timeout) {
            Ok(req) => {
                self.state = State::AwaitProfile {
                    token,
                    which,
                    hops,
                    url,
                };
                self.queue.push_back(LoginStep::Send(req));
            }
            Err(e) => self.fail(e),
        }
    }

    fn on_profile(
        &mut self,
        response: http::Response<Bytes>,
        token: TokenResponse,
        which: Profile,
        hops: u32,
        url: String,
        _time: Time,
    ) {
        let status = response.status().as_u16();
        if matches!(status, 301 | 302 | 303 | 307 | 308) && hops < MAX_GET_REDIRECTS {
            let next = response
                .headers()
                .get(http::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|loc| resolve_location(&url, loc));
            if let Some(next) = next {
                // Followed only on the identity origin: the bearer token goes along.
                if same_origin(&next, &url) {
                    return self.send_profile(token, which, hops + 1, next);
                }
            }
        }
        let workspaces = if response.status().is_success() {
            parse_workspaces(response.body())
        } else if status == 404 && which == Profile::SelfProfile {
            let url = format!("{}/self", self.opts.identity_base_url);
            return self.send_profile(token, Profile::SelfFallback, 0, url);
        } else if status == 404 {
            Vec::new()
        } else {
            return self.fail(Error::other(
                ErrorKind::Identity,
                None,
                format!("Failed to fetch workspaces ({status})"),
            ));
        };
        let refresh = token
            .refresh_token
            .clone()
            .unwrap_or_else(|| Secret::new(""));
        match workspaces.len() {
            0 => self.fail(err(
                ErrorKind::Identity,
                "no_workspaces",
                "No workspace memberships found. Create a workspace or request an invitation.",
            )),
            1 => {
                self.state = State::RefreshReady {
                    refresh,
                    workspace: workspaces[0].workspace_id.clone(),
                }
            }
            _ => {
                self.state = State::Choosing {
                    token,
                    workspaces: workspaces.clone(),
                };
                self.queue.push_back(LoginStep::ChooseWorkspace(workspaces));
            }
        }
    }
}

impl Machine for DeviceLogin {
    type Item = LoginEvent;
    type Output = Result<Credentials, Error>;
    fn poll(&mut self, time: Time) -> Step<LoginEvent, Result<Credentials, Error>> {
        DeviceLogin::poll(self, time)
    }
    /// A buffered response is the identity service's answer; anything else (no response, a
    /// failed body, a timeout, a cancellation) is a network failure of the login.
    fn handle_outcome(&mut self, outcome: AttemptOutcome, time: Time) {
        match outcome {
            AttemptOutcome::Response(response) => self.handle_response(response, time),
            AttemptOutcome::BodyFailed { error, .. } | AttemptOutcome::Failed(error) => {
                self.handle_failure(error, time)
            }
            AttemptOutcome::TimedOut | AttemptOutcome::Cancelled => {
                self.handle_failure(super::protocol::network_error(), time)
            }
        }
    }
    fn handle_refresh(&mut self, _result: Result<(), Error>, _time: Time) {}
    fn cancel_tokens(&self) -> &[CancelToken] {
        self.opts.cancel.as_slice()
    }
}
