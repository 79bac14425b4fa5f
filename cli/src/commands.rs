//! The command tree, built at run time from the operation table with clap's builder API (one
//! generic builder instead of a type per command keeps the build small), plus the built-in
//! commands (login, events, webhooks, completions).

use crate::errors::EXIT_CODES_HELP;
use crate::request::check_value;
use crate::spec::{kebab, BodySpec, Loc, OpSpec, Output, ParamSpec, ValueType};
use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, Command};
use std::collections::BTreeMap;

const ABOUT: &str = "A command-line client for the Amigo Platform API.";

const AFTER_HELP: &str =
    "Every operation of the API is a command: amigo <namespace> <method> [path args] [flags].
Credentials: AMIGO_API_KEY (or `amigo login`), AMIGO_WORKSPACE_ID, AMIGO_BASE_URL.
Output: pretty JSON on a terminal, compact JSON when piped; errors on stderr.";

/// A namespace's commands before they become clap commands.
#[derive(Default)]
struct Node {
    children: BTreeMap<String, Node>,
    ops: Vec<&'static OpSpec>,
}

/// The whole `amigo` command.
pub fn build() -> Command {
    build_only(None)
}

/// The `amigo` command for this command line: the namespace it names is built in full, the
/// others only by name (enough for `--help` and suggestions), so a run does not build the
/// flags of every operation of the API. `completions` and anything unclear get the whole tree.
pub fn build_for(args: &[std::ffi::OsString]) -> Command {
    let first = first_word(args.get(1..).unwrap_or_default());
    match first.as_deref() {
        None | Some("completions") => build(),
        Some(word) => build_only(Some(word)),
    }
}

/// The first word after the program name that is not a global flag or its value.
fn first_word(args: &[std::ffi::OsString]) -> Option<String> {
    let mut it = args.iter().map(|a| a.to_string_lossy());
    // Bounded by the number of arguments.
    while let Some(a) = it.next() {
        match a.as_ref() {
            "--workspace" | "--base-url" | "--timeout" | "--retries" | "--fields" => {
                it.next();
            }
            s if s.starts_with('-') => {}
            s => return Some(s.to_owned()),
        }
    }
    None
}

/// The command tree with every namespace in full (`None`) or only `only`'s.
fn build_only(only: Option<&str>) -> Command {
    let mut tree = Node::default();
    for op in crate::OPERATIONS {
        let mut node = &mut tree;
        for seg in op.namespace.split('.').filter(|s| !s.is_empty()) {
            node = node.children.entry(kebab(seg)).or_default();
        }
        node.ops.push(op);
    }
    let mut root = Command::new("amigo")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .after_help(format!("{AFTER_HELP}\n\n{EXIT_CODES_HELP}"))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(global_args());
    root = root.subcommands(builtins());
    for (name, node) in tree.children {
        if only.is_some_and(|o| o != name) {
            root = root
                .subcommand(Command::new(name.clone()).about(format!("Operations of `{name}`.")));
            continue;
        }
        let mut cmd = namespace(&name, node);
        if name == "events" {
            cmd = cmd.subcommand(events_tail());
        }
        root = root.subcommand(cmd);
    }
    for op in tree.ops {
        root = root.subcommand(operation(op));
    }
    root
}

fn namespace(name: &str, node: Node) -> Command {
    let mut cmd = Command::new(name.to_owned())
        .about(format!("Operations of `{name}`."))
        .subcommand_required(true)
        .arg_required_else_help(true);
    for (child, n) in node.children {
        cmd = cmd.subcommand(namespace(&child, n));
    }
    for op in node.ops {
        cmd = cmd.subcommand(operation(op));
    }
    cmd
}

/// Flags every command takes.
fn global_args() -> Vec<Arg> {
    let args = vec![
        Arg::new("workspace")
            .long("workspace")
            .global(true)
            .value_name("ID")
            .help("The workspace (default: AMIGO_WORKSPACE_ID, or the one you logged in to)"),
        Arg::new("base-url")
            .long("base-url")
            .global(true)
            .value_name("URL")
            .help("The API base URL (default: AMIGO_BASE_URL, or https://api.platform.amigo.ai)"),
        Arg::new("timeout")
            .long("timeout")
            .global(true)
            .value_name("DURATION")
            .value_parser(crate::exec::parse_duration)
            .help("Per-attempt timeout: seconds, or with a unit (500ms, 30s, 2m)"),
        Arg::new("retries")
            .long("retries")
            .global(true)
            .value_name("N")
            .value_parser(clap::value_parser!(u32).range(0..=20))
            .help("Retries after the first attempt (default 2)"),
        Arg::new("verbose")
            .long("verbose")
            .short('v')
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Show each attempt on stderr: method, URL (secrets redacted), status, timing"),
        Arg::new("fields")
            .long("fields")
            .global(true)
            .value_name("A,B")
            .value_delimiter(',')
            .help("Print only these fields (dotted paths) of each object or listed item"),
    ];
    args.into_iter()
        .map(|a| a.help_heading("Global options"))
        .collect()
}

/// The command of one operation.
fn operation(op: &'static OpSpec) -> Command {
    let mut about = format!("{} {} ({})", op.method, op.path, op.id);
    if !op.about.is_empty() {
        about = format!("{about}: {}", op.about);
    }
    let mut cmd = Command::new(kebab(op.name)).about(about);
    // Positionals in order, an optional one (the target workspace) last; then the flags.
    let path = |p: &&ParamSpec| p.loc == Loc::Path;
    let params = op.params.iter().filter(|p| p.konst.is_none());
    let required = params.clone().filter(|p| path(p) && p.required);
    let optional = params.clone().filter(|p| path(p) && !p.required);
    for p in required.chain(optional).chain(params.filter(|p| !path(p))) {
        cmd = cmd.arg(param_arg(p));
    }
    match &op.body {
        BodySpec::None => {}
        BodySpec::Json {
            required, model, ..
        } => {
            cmd = cmd.arg(
                Arg::new("data")
                    .long("data")
                    .short('d')
                    .value_name("JSON|@FILE|-")
                    .required(*required)
                    .help(format!(
                        "The {model} body: JSON text, @FILE, or - for stdin (checked before sending)"
                    )),
            );
        }
        BodySpec::Raw => {
            cmd = cmd
                .arg(
                    Arg::new("data")
                        .long("data")
                        .short('d')
                        .value_name("TEXT|@FILE|-")
                        .required(true)
                        .help("The body: text, @FILE, or - for stdin"),
                )
                .arg(
                    Arg::new("content-type")
                        .long("content-type")
                        .value_name("MIME")
                        .required(true)
                        .help("The body's content type"),
                );
        }
        BodySpec::Multipart { fields } => {
            for f in *fields {
                let mut help = if f.file {
                    "A file: PATH or PATH;type=MIME".to_owned()
                } else {
                    "Form field".to_owned()
                };
                if !f.help.is_empty() {
                    help = format!("{help}. {}", f.help);
                }
                cmd = cmd.arg(
                    Arg::new(f.wire)
                        .long(kebab(f.wire))
                        .value_name(if f.file { "PATH" } else { "VALUE" })
                        .required(f.required)
                        .help(help),
                );
            }
        }
    }
    if op.output == Output::Binary {
        cmd = cmd.arg(
            Arg::new("output")
                .long("output")
                .short('o')
                .value_name("FILE")
                .help("Write the bytes to FILE (default: stdout, when it is not a terminal)"),
        );
    }
    if op.pager.is_some() {
        cmd = cmd.arg(
            Arg::new("all")
                .long("all")
                .action(ArgAction::SetTrue)
                .help("Fetch every page; print one JSON item per line as they arrive"),
        );
    }
    cmd.arg(
        Arg::new("dry-run")
            .long("dry-run")
            .action(ArgAction::SetTrue)
            .help("Print the request (method, URL, headers redacted, body) instead of sending it"),
    )
}

/// A positional argument (path) or flag (query, header) for one parameter, with its type and
/// constraints in the help and checked by its parser.
fn param_arg(p: &'static ParamSpec) -> Arg {
    let mut arg = Arg::new(p.wire).required(p.required);
    let ty = match p.ty {
        ValueType::Str => "text",
        ValueType::Int => "integer",
        ValueType::Float => "number",
        ValueType::Bool => "true|false",
        ValueType::IntOrStr => "integer or text",
        ValueType::NumOrStr => "number or text",
        ValueType::Enum(_) => "one of the values",
    };
    let mut help = ty.to_owned();
    if !p.help.is_empty() {
        help = format!("{help}; {}", p.help);
    }
    if p.list {
        help.push_str("; repeat for several");
    }
    arg = arg.help(help);
    arg = match p.ty {
        ValueType::Enum(values) => {
            arg.value_parser(PossibleValuesParser::new(values.iter().copied()))
        }
        _ => arg.value_parser(move |s: &str| check_value(p, s)),
    };
    match p.loc {
        Loc::Path => arg.value_name(p.wire.to_ascii_uppercase()),
        Loc::Query | Loc::Header => {
            let arg = arg.long(kebab(p.wire)).value_name(value_name(p));
            if p.list {
                arg.action(ArgAction::Append)
            } else {
                arg
            }
        }
    }
}

fn value_name(p: &ParamSpec) -> String {
    match p.ty {
        ValueType::Int => "INT".to_owned(),
        ValueType::Float => "NUM".to_owned(),
        ValueType::Bool => "BOOL".to_owned(),
        _ => kebab(p.wire).to_ascii_uppercase(),
    }
}

/// `login`, `logout`, `whoami`, `webhook`, `completions`.
fn builtins() -> Vec<Command> {
    vec![
        Command::new("login")
            .about("Log in with a device code: opens the browser, stores refreshing credentials")
            .arg(
                Arg::new("identity-url")
                    .long("identity-url")
                    .value_name("URL")
                    .help(
                        "The identity service (default: AMIGO_IDENTITY_URL, else the API base URL)",
                    ),
            )
            .arg(
                Arg::new("no-browser")
                    .long("no-browser")
                    .action(ArgAction::SetTrue)
                    .help("Only print the URL and code; do not open a browser"),
            ),
        Command::new("logout").about("Forget the stored login credentials"),
        Command::new("whoami").about("Show the credentials in use and who they belong to"),
        Command::new("webhook")
            .about("Verify webhook deliveries")
            .subcommand_required(true)
            .arg_required_else_help(true)
            .subcommand(
                Command::new("verify")
                    .about("Verify one delivery: the body on stdin, the headers' values as flags")
                    .arg(secret_arg())
                    .arg(
                        Arg::new("signature")
                            .long("signature")
                            .value_name("SIG")
                            .required(true)
                            .help("The x-amigo-signature header"),
                    )
                    .arg(
                        Arg::new("timestamp")
                            .long("timestamp")
                            .value_name("T")
                            .help("The x-amigo-timestamp header"),
                    )
                    .arg(legacy_arg()),
            )
            .subcommand(
                Command::new("listen")
                    .about("Receive deliveries on 127.0.0.1: verify each, print it as a JSON line")
                    .arg(
                        Arg::new("port")
                            .long("port")
                            .value_name("P")
                            .value_parser(clap::value_parser!(u16))
                            .default_value("8787")
                            .help("The port on 127.0.0.1 (0: any free port, printed on stderr)"),
                    )
                    .arg(secret_arg())
                    .arg(legacy_arg())
                    .arg(
                        Arg::new("max-deliveries")
                            .long("max-deliveries")
                            .value_name("N")
                            .value_parser(clap::value_parser!(u64))
                            .help("Stop after N deliveries (verified or not)"),
                    ),
            ),
        Command::new("completions")
            .about("Print a shell completion script")
            .arg(
                Arg::new("shell")
                    .required(true)
                    .value_parser(PossibleValuesParser::new(["bash", "zsh", "fish"])),
            ),
    ]
}

fn secret_arg() -> Arg {
    Arg::new("secret")
        .long("secret")
        .value_name("S")
        .required(true)
        .action(ArgAction::Append)
        .help("The signing secret (repeat during a rotation)")
}

fn legacy_arg() -> Arg {
    Arg::new("allow-legacy")
        .long("allow-legacy")
        .action(ArgAction::SetTrue)
        .help("Accept deliveries without a timestamp (signature over the body alone)")
}

/// `events tail`.
fn events_tail() -> Command {
    Command::new("tail")
        .about("Follow the workspace's events (reconnects and resumes); one JSON line per event")
        .arg(
            Arg::new("type")
                .long("type")
                .value_name("T")
                .action(ArgAction::Append)
                .help("Only events of this type (repeat for several)"),
        )
        .arg(
            Arg::new("max-events")
                .long("max-events")
                .value_name("N")
                .value_parser(clap::value_parser!(u64))
                .help("Stop after N events"),
        )
        .arg(
            Arg::new("for")
                .long("for")
                .value_name("DURATION")
                .value_parser(crate::exec::parse_duration)
                .help("Stop after this long (500ms, 30s, 2m)"),
        )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_tree_is_consistent() {
        // clap's own checks over every command: unique names, flags and positionals.
        super::build().debug_assert();
    }

    #[test]
    fn a_run_builds_only_the_namespace_it_names() {
        let args: Vec<std::ffi::OsString> = ["amigo", "--workspace", "w", "-v", "agents", "list"]
            .iter()
            .map(Into::into)
            .collect();
        let cmd = super::build_for(&args);
        let count = |name: &str| {
            cmd.find_subcommand(name)
                .map_or(0, |c| c.get_subcommands().count())
        };
        assert!(count("agents") > 0);
        assert_eq!(count("calls"), 0);
        assert!(super::build()
            .find_subcommand("calls")
            .is_some_and(|c| c.get_subcommands().count() > 0));
    }
}
