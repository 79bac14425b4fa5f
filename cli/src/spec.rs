//! The shape of the generated operation table: what one command sends and how its answer is
//! read. `cargo xtask codegen` writes the rows (`OPERATIONS`) from the same description of the
//! API as the SDK's typed operations.

pub use amigo_platform_core::PagerKind;

/// One operation of the API as a command: `amigo <namespace…> <name> [path args] [flags]`.
#[derive(Debug)]
pub struct OpSpec {
    /// The spec's operation id (`list-agents`).
    pub id: &'static str,
    /// The SDK namespace, dotted for nested ones (`crm.contacts`); empty at the root.
    pub namespace: &'static str,
    /// The SDK method name (`list`, `get_version`).
    pub name: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template (`/v1/{workspace_id}/agents/{agent_id}`).
    pub path: &'static str,
    /// Notes on the operation (may be empty).
    pub about: &'static str,
    /// A public route: sent without credentials (and without needing any).
    pub public: bool,
    /// Path parameters in template order, then query and header parameters.
    pub params: &'static [ParamSpec],
    /// The request body.
    pub body: BodySpec,
    /// How the 2xx answer is read.
    pub output: Output,
    /// How the listing pages, when it does.
    pub pager: Option<PagerSpec>,
}

impl OpSpec {
    /// The command words: the namespace segments and the method, in kebab-case.
    pub fn command_words(&self) -> Vec<String> {
        self.namespace
            .split('.')
            .filter(|s| !s.is_empty())
            .chain([self.name])
            .map(kebab)
            .collect()
    }
}

/// `snake_case` → `kebab-case` (leading underscores dropped: `_count` → `count`).
pub fn kebab(s: &str) -> String {
    s.trim_start_matches('_')
        .replace('_', "-")
        .to_ascii_lowercase()
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loc {
    /// A path segment: a positional argument.
    Path,
    /// A query parameter: a flag.
    Query,
    /// A header: a flag.
    Header,
}

/// The type of a parameter's value (of each value, for a list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// Text.
    Str,
    /// A 64-bit integer.
    Int,
    /// A number.
    Float,
    /// `true` or `false`.
    Bool,
    /// An integer or text.
    IntOrStr,
    /// A number or text.
    NumOrStr,
    /// One of the listed values.
    Enum(&'static [&'static str]),
}

/// Numeric and length limits from the spec (checked before sending).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Limits {
    /// Inclusive minimum.
    pub min: Option<f64>,
    /// Inclusive maximum.
    pub max: Option<f64>,
    /// Exclusive minimum.
    pub exclusive_min: Option<f64>,
    /// Exclusive maximum.
    pub exclusive_max: Option<f64>,
    /// Minimum length of text.
    pub min_len: Option<u64>,
    /// Maximum length of text.
    pub max_len: Option<u64>,
}

/// One path, query or header parameter.
#[derive(Debug)]
pub struct ParamSpec {
    /// The name on the wire (`sort_by`); the flag is its kebab-case (`--sort-by`).
    pub wire: &'static str,
    /// Where it goes.
    pub loc: Loc,
    /// Its value type.
    pub ty: ValueType,
    /// Whether it takes several values (the flag repeats).
    pub list: bool,
    /// Whether it must be given.
    pub required: bool,
    /// A constant value the SDK always sends (no flag).
    pub konst: Option<&'static str>,
    /// The spec's constraints, for `--help`.
    pub help: &'static str,
    /// The limits checked before sending.
    pub limits: Limits,
}

/// Reads a JSON body into the request model and writes it back as the SDK would send it;
/// the error names the offending field.
pub type BodyCheck = fn(&[u8]) -> Result<Vec<u8>, String>;

/// The request body of an operation.
#[derive(Debug)]
pub enum BodySpec {
    /// No body.
    None,
    /// A JSON body from `--data`.
    Json {
        /// Whether `--data` is required.
        required: bool,
        /// The request model's name (for messages).
        model: &'static str,
        /// The model check, when the model can be read from JSON.
        check: Option<BodyCheck>,
    },
    /// A multipart form: one flag per field; file fields take a path.
    Multipart {
        /// The form's fields in order.
        fields: &'static [FieldSpec],
    },
    /// Raw bytes from `--data` with `--content-type`.
    Raw,
}

/// One field of a multipart form.
#[derive(Debug)]
pub struct FieldSpec {
    /// The part name (the flag is its kebab-case).
    pub wire: &'static str,
    /// Whether it is a file (the flag takes a path, optionally `PATH;type=MIME`).
    pub file: bool,
    /// Whether it must be given.
    pub required: bool,
    /// The field's description.
    pub help: &'static str,
}

/// How the 2xx answer is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// JSON (an empty body prints nothing).
    Json,
    /// No content.
    Empty,
    /// Bytes (`--output FILE`, or stdout when it is not a terminal).
    Binary,
}

/// How a listing pages (`--all`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagerSpec {
    /// The cursor style.
    pub kind: PagerKind,
    /// The field of the page holding the items.
    pub items: &'static str,
    /// The query parameter carrying the cursor.
    pub cursor: &'static str,
}

/// The operation of a command, by its words (`["agents", "list"]`).
pub fn find_operation(words: &[&str]) -> Option<&'static OpSpec> {
    crate::OPERATIONS.iter().find(|op| {
        op.command_words()
            .iter()
            .map(String::as_str)
            .eq(words.iter().copied())
    })
}
