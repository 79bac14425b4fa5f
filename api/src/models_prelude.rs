//! Hand-written helpers of the generated models, re-exported by `models::shared` (and so by
//! `models`): the `string_enum!` macro of every generated string enum, the token-paged
//! [`Page<T>`], the `integer | string` and `number | string` unions and the multipart
//! [`FilePart`]. The generator emits no Rust for them: it names them.

use serde::{Deserialize, Serialize};

pub use amigo_platform_core::Patch;

/// Defines a forward-compatible string enum: a unit variant per known value plus
/// `Unknown(String)`, with `as_str`, `From<&str>`, `Display`, hand-written serde and the
/// query-string conversion. Unseen values round-trip unchanged.
macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $value:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vm])* $variant,)*
            /// A value this SDK version does not know, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unknown(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($value => Self::$variant,)*
                    _ => Self::Unknown(s),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map(Self::from)
            }
        }

        impl From<$name> for amigo_platform_core::QueryValue {
            fn from(v: $name) -> Self {
                amigo_platform_core::QueryValue::Str(v.as_str().to_owned())
            }
        }
    };
}
pub(crate) use string_enum;

/// Every `PaginatedResponse_<T>_` schema: a token-paged list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Page<T> {
    /// `items`.
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    /// `has_more`.
    #[serde(default)]
    pub has_more: bool,
    /// `continuation_token`: the next offset, or null.
    #[serde(default)]
    pub continuation_token: Option<i64>,
    /// `total`.
    #[serde(default)]
    pub total: Option<i64>,
}

/// An `integer | string` value (integers first).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum IntOrString {
    /// An integer.
    Int(i64),
    /// A string.
    String(String),
}

impl From<i64> for IntOrString {
    fn from(v: i64) -> Self {
        IntOrString::Int(v)
    }
}
impl From<i32> for IntOrString {
    fn from(v: i32) -> Self {
        IntOrString::Int(v.into())
    }
}
impl From<&str> for IntOrString {
    fn from(v: &str) -> Self {
        IntOrString::String(v.to_owned())
    }
}
impl From<String> for IntOrString {
    fn from(v: String) -> Self {
        IntOrString::String(v)
    }
}
impl std::fmt::Display for IntOrString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IntOrString::Int(i) => write!(f, "{i}"),
            IntOrString::String(s) => f.write_str(s),
        }
    }
}
impl From<IntOrString> for amigo_platform_core::QueryValue {
    fn from(v: IntOrString) -> Self {
        match v {
            IntOrString::Int(i) => amigo_platform_core::QueryValue::Int(i),
            IntOrString::String(s) => amigo_platform_core::QueryValue::Str(s),
        }
    }
}

/// A `number | string` value (numbers first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NumberOrString {
    /// A number.
    Number(f64),
    /// A string.
    String(String),
}

impl From<f64> for NumberOrString {
    fn from(v: f64) -> Self {
        NumberOrString::Number(v)
    }
}
impl From<&str> for NumberOrString {
    fn from(v: &str) -> Self {
        NumberOrString::String(v.to_owned())
    }
}
impl From<String> for NumberOrString {
    fn from(v: String) -> Self {
        NumberOrString::String(v)
    }
}
impl std::fmt::Display for NumberOrString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NumberOrString::Number(n) => {
                f.write_str(&amigo_platform_core::__private::format_float(*n))
            }
            NumberOrString::String(s) => f.write_str(s),
        }
    }
}
impl From<NumberOrString> for amigo_platform_core::QueryValue {
    fn from(v: NumberOrString) -> Self {
        match v {
            NumberOrString::Number(n) => amigo_platform_core::QueryValue::Float(n),
            NumberOrString::String(s) => amigo_platform_core::QueryValue::Str(s),
        }
    }
}

/// A file part of a multipart body: file name, content type and the bytes, in memory or
/// streamed from a file or reader.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FilePart {
    /// The file name sent in `Content-Disposition`.
    pub filename: String,
    /// The part's content type, e.g. `audio/ogg`.
    pub content_type: String,
    /// The file bytes, or the source they are streamed from.
    pub data: amigo_platform_core::Source,
}

impl FilePart {
    /// A file part of bytes in memory.
    pub fn new(
        filename: impl Into<String>,
        content_type: impl Into<String>,
        data: impl Into<bytes::Bytes>,
    ) -> Self {
        FilePart::source(
            filename,
            content_type,
            amigo_platform_core::Source::Bytes(data.into()),
        )
    }

    /// A file part streamed from the file at `path` (reopened for every attempt), named by
    /// the path's last component.
    pub fn file(path: impl AsRef<std::path::Path>, content_type: impl Into<String>) -> Self {
        let path = path.as_ref();
        let filename = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        FilePart::source(
            filename,
            content_type,
            amigo_platform_core::Source::file(path),
        )
    }

    /// A file part streamed from `source` (see [`Source`](amigo_platform_core::Source): a
    /// seekable reader, a one-shot reader or async stream).
    pub fn source(
        filename: impl Into<String>,
        content_type: impl Into<String>,
        source: amigo_platform_core::Source,
    ) -> Self {
        FilePart {
            filename: filename.into(),
            content_type: content_type.into(),
            data: source,
        }
    }
}
