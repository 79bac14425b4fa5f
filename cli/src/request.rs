//! One operation's request, built from the command line: the generic operation every command
//! sends ([`CliOp`]), and the checks of parameter values against their spec.

use crate::body;
use crate::errors::CliError;
use crate::spec::{BodySpec, Limits, Loc, OpSpec, Output, ParamSpec, ValueType};
use amigo_platform_core::parse;
use amigo_platform_core::{
    Binary, Body, Error, Multipart, Operation, PageData, PagerKind, Paginated, Query, QueryValue,
    RequestParts,
};
use bytes::Bytes;
use clap::ArgMatches;
use serde_json::Value;

/// The decoded answer of a command's request.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The 2xx body was empty.
    Empty,
    /// A JSON value.
    Json(Value),
    /// A page of a listing, with how it pages.
    Page(Value, crate::spec::PagerSpec),
    /// Bytes and their content type.
    Bytes(Binary),
}

/// The request of one command: any operation of the table with the values given on the
/// command line. It implements the SDK's [`Operation`] (and [`Paginated`] for listings), so it
/// is sent, retried and paged by the same machinery as the SDK's typed operations, and puts
/// its parameters on the request in the same order.
#[derive(Debug, Clone)]
pub struct CliOp {
    spec: &'static OpSpec,
    path: Vec<(&'static str, String)>,
    query: Query,
    headers: Vec<(&'static str, String)>,
    body: Body,
}

impl CliOp {
    /// The operation's row in the table.
    pub fn spec(&self) -> &'static OpSpec {
        self.spec
    }

    /// The request of `spec` without parameters or body.
    pub fn new(spec: &'static OpSpec) -> CliOp {
        CliOp {
            spec,
            path: Vec::new(),
            query: Query::new(),
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    /// Builds the request of `spec` from a command's matches (values already checked by the
    /// parsers of [`crate::commands`]); reads `--data` and file arguments.
    pub fn from_matches(spec: &'static OpSpec, m: &ArgMatches) -> Result<CliOp, CliError> {
        let mut op = CliOp::new(spec);
        for p in spec.params {
            if let Some(k) = p.konst {
                if p.loc == Loc::Query {
                    op.query.push(p.wire, k);
                }
                continue;
            }
            let values: Vec<&String> = m
                .get_many::<String>(p.wire)
                .map(|v| v.collect())
                .unwrap_or_default();
            if values.is_empty() {
                continue;
            }
            match p.loc {
                Loc::Path => op.path.push((p.wire, values[0].clone())),
                Loc::Header => op.headers.push((p.wire, values[0].clone())),
                Loc::Query if p.list => {
                    let list = values.iter().map(|v| query_value(p.ty, v)).collect();
                    op.query.push(p.wire, QueryValue::List(list));
                }
                Loc::Query => {
                    op.query.push(p.wire, query_value(p.ty, values[0]));
                }
            }
        }
        op.body = match &spec.body {
            BodySpec::None => Body::Empty,
            BodySpec::Json { model, check, .. } => match m.get_one::<String>("data") {
                None => Body::Empty,
                Some(d) => {
                    let raw = body::read_data(d)?;
                    Body::Json(Bytes::from(body::json_body(&raw, model, *check)?))
                }
            },
            BodySpec::Raw => {
                let d = m
                    .get_one::<String>("data")
                    .map(String::as_str)
                    .unwrap_or("-");
                let content_type = m
                    .get_one::<String>("content-type")
                    .cloned()
                    .unwrap_or_else(|| "application/octet-stream".to_owned());
                match d.strip_prefix('@') {
                    // A file is streamed by the SDK, never read whole.
                    Some(path) => {
                        body::readable_file(path, "--data")?;
                        Body::file(path, content_type)
                    }
                    None => Body::Raw {
                        bytes: Bytes::from(body::read_data(d)?),
                        content_type,
                    },
                }
            }
            BodySpec::Multipart { fields } => {
                let mut mp = Multipart::new();
                for f in *fields {
                    let Some(v) = m.get_one::<String>(f.wire) else {
                        continue;
                    };
                    mp = if f.file {
                        body::add_file(mp, f.wire, v)?
                    } else {
                        mp.text(f.wire, v.clone())
                    };
                }
                Body::Multipart(mp)
            }
        };
        Ok(op)
    }
}

/// The query value of a checked command-line text, typed as the SDK types it.
fn query_value(ty: ValueType, text: &str) -> QueryValue {
    match ty {
        ValueType::Int => text
            .parse()
            .map_or_else(|_| QueryValue::Str(text.to_owned()), QueryValue::Int),
        ValueType::Float => text
            .parse()
            .map_or_else(|_| QueryValue::Str(text.to_owned()), QueryValue::Float),
        ValueType::Bool => match text {
            "true" => QueryValue::Bool(true),
            "false" => QueryValue::Bool(false),
            other => QueryValue::Str(other.to_owned()),
        },
        ValueType::IntOrStr => text
            .parse()
            .map_or_else(|_| QueryValue::Str(text.to_owned()), QueryValue::Int),
        ValueType::NumOrStr => text
            .parse()
            .map_or_else(|_| QueryValue::Str(text.to_owned()), QueryValue::Float),
        ValueType::Str | ValueType::Enum(_) => QueryValue::Str(text.to_owned()),
    }
}

/// Checks one command-line value of `p` against its type and limits; the text to send
/// (integers normalised, `2` for `02`).
pub fn check_value(p: &ParamSpec, text: &str) -> Result<String, String> {
    let number = |n: f64| check_limits(&p.limits, n);
    match p.ty {
        ValueType::Int => {
            let n: i64 = text
                .parse()
                .map_err(|_| format!("`{text}` is not an integer"))?;
            number(n as f64)?;
            Ok(n.to_string())
        }
        ValueType::Float => {
            let n: f64 = text
                .parse()
                .ok()
                .filter(|n: &f64| n.is_finite())
                .ok_or_else(|| format!("`{text}` is not a number"))?;
            number(n)?;
            Ok(text.to_owned())
        }
        ValueType::Bool => match text {
            "true" | "false" => Ok(text.to_owned()),
            _ => Err(format!("`{text}` is not `true` or `false`")),
        },
        ValueType::Enum(values) => {
            if values.contains(&text) {
                Ok(text.to_owned())
            } else {
                Err(format!("`{text}` is not one of: {}", values.join(", ")))
            }
        }
        ValueType::IntOrStr | ValueType::NumOrStr | ValueType::Str => {
            let len = text.chars().count() as u64;
            if let Some(min) = p.limits.min_len.filter(|m| len < *m) {
                return Err(format!("at least {min} characters"));
            }
            if let Some(max) = p.limits.max_len.filter(|m| len > *m) {
                return Err(format!("at most {max} characters"));
            }
            if let (ValueType::IntOrStr, Ok(n)) = (p.ty, text.parse::<i64>()) {
                number(n as f64)?;
            }
            Ok(text.to_owned())
        }
    }
}

fn check_limits(l: &Limits, n: f64) -> Result<(), String> {
    if let Some(min) = l.min.filter(|m| n < *m) {
        return Err(format!("must be at least {min}"));
    }
    if let Some(max) = l.max.filter(|m| n > *m) {
        return Err(format!("must be at most {max}"));
    }
    if let Some(min) = l.exclusive_min.filter(|m| n <= *m) {
        return Err(format!("must be greater than {min}"));
    }
    if let Some(max) = l.exclusive_max.filter(|m| n >= *m) {
        return Err(format!("must be less than {max}"));
    }
    Ok(())
}

impl Operation for CliOp {
    type Output = Answer;

    fn method(&self) -> http::Method {
        http::Method::from_bytes(self.spec.method.as_bytes()).unwrap_or(http::Method::GET)
    }

    fn path_template(&self) -> &str {
        self.spec.path
    }

    fn operation_id(&self) -> &str {
        self.spec.id
    }

    fn accept(&self) -> &'static str {
        match self.spec.output {
            Output::Binary => "*/*",
            _ => "application/json",
        }
    }

    fn parts(&self) -> Result<RequestParts, Error> {
        let mut p = RequestParts::new();
        for (name, value) in &self.path {
            p = p.path(name, value);
        }
        p = p.query(self.query.clone());
        for (name, value) in &self.headers {
            p = p.header(name, value)?;
        }
        Ok(p.body(self.body.clone()))
    }

    fn parse(&self, response: http::Response<Bytes>) -> Result<Answer, Error> {
        if self.spec.output == Output::Binary {
            return parse::binary(response).map(Answer::Bytes);
        }
        if response.body().is_empty() {
            return Ok(Answer::Empty);
        }
        let value = parse::json::<Value>(response)?;
        Ok(match self.spec.pager {
            Some(pager) => Answer::Page(value, pager),
            None => Answer::Json(value),
        })
    }
}

/// A command's request as an operation whose answer is a file, which the SDK's streamed
/// download (`Call::stream`) takes: the same request, the body handed over as it arrives.
#[derive(Debug, Clone)]
pub struct FileRequest(pub CliOp);

impl Operation for FileRequest {
    type Output = Binary;

    fn method(&self) -> http::Method {
        self.0.method()
    }

    fn path_template(&self) -> &str {
        self.0.path_template()
    }

    fn operation_id(&self) -> &str {
        self.0.operation_id()
    }

    fn accept(&self) -> &'static str {
        "*/*"
    }

    fn parts(&self) -> Result<RequestParts, Error> {
        self.0.parts()
    }

    fn parse(&self, response: http::Response<Bytes>) -> Result<Binary, Error> {
        parse::binary(response)
    }
}

impl Paginated for CliOp {
    type Item = Value;

    fn pager_kind(&self) -> PagerKind {
        self.spec.pager.map_or(PagerKind::Token, |p| p.kind)
    }

    fn cursor(&self) -> Option<i64> {
        let pager = self.spec.pager?;
        match self.query.get(pager.cursor)? {
            QueryValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    fn with_cursor(&self, cursor: i64) -> Self {
        let mut next = self.clone();
        if let Some(pager) = self.spec.pager {
            next.query.set(pager.cursor, cursor);
        }
        next
    }

    fn page(output: Answer) -> PageData<Value> {
        let (Value::Object(mut o), pager) = (match output {
            Answer::Page(v, pager) => (v, pager),
            _ => (
                Value::Null,
                crate::spec::PagerSpec {
                    kind: PagerKind::Token,
                    items: "",
                    cursor: "",
                },
            ),
        }) else {
            return PageData {
                items: Vec::new(),
                has_more: Some(false),
                next_cursor: None,
                total: None,
                offset: None,
            };
        };
        let int = |o: &serde_json::Map<String, Value>, k: &str| o.get(k).and_then(Value::as_i64);
        let items = match o.remove(pager.items) {
            Some(Value::Array(a)) => a,
            _ => Vec::new(),
        };
        let next_cursor = match pager.kind {
            PagerKind::Token => int(&o, "continuation_token"),
            PagerKind::NextOffset => int(&o, "next_offset"),
            _ => None,
        };
        PageData {
            items,
            has_more: o.get("has_more").and_then(Value::as_bool),
            next_cursor,
            total: int(&o, "total"),
            offset: if pager.kind == PagerKind::DerivedOffset {
                int(&o, "offset")
            } else {
                None
            },
        }
    }
}
