//! The types of `format: date-time` and `format: uuid` model fields: [`DateTime`] and
//! [`Uuid`].
//!
//! Without the crate's `time` (date-times) or `uuid` (uuids) feature each is an alias of
//! `String`. With the feature it is a lossless wrapper: it keeps the text exactly as it came,
//! offers the parsed value when the text parses, and serialises back the same text, so a value
//! in a shape the SDK does not expect never fails a response nor is lost.

/// Defines a lossless wrapper of a string format: the raw text and, when it parses, the typed
/// value. Equality, hashing, `Display`, `Debug` and serialisation use the raw text.
#[cfg(any(feature = "time", feature = "uuid"))]
macro_rules! lossless_string {
    ($(#[$m:meta])* $name:ident($typed:ty) { parse: $parse:expr, format: $format:expr $(,)? }) => {
        $(#[$m])*
        #[derive(Clone)]
        pub struct $name {
            raw: String,
            parsed: Option<$typed>,
        }

        impl $name {
            /// The value of `raw`, parsed when it is well-formed and kept as text either way.
            pub fn parse(raw: impl Into<String>) -> Self {
                let raw = raw.into();
                let parsed = ($parse)(raw.as_str());
                Self { raw, parsed }
            }

            /// The parsed value, or `None` when the text is not well-formed.
            pub fn get(&self) -> Option<$typed> {
                self.parsed
            }

            /// The text exactly as received (or as formatted from a typed value).
            pub fn as_str(&self) -> &str {
                &self.raw
            }

            /// The text, consuming the value.
            pub fn into_string(self) -> String {
                self.raw
            }
        }

        impl From<$typed> for $name {
            /// The value, formatted in its canonical text form.
            fn from(value: $typed) -> Self {
                let raw: String = ($format)(value);
                Self { raw, parsed: Some(value) }
            }
        }

        impl From<&str> for $name {
            fn from(raw: &str) -> Self {
                Self::parse(raw)
            }
        }

        impl From<String> for $name {
            fn from(raw: String) -> Self {
                Self::parse(raw)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.raw
            }
        }

        /// The text as received, so that a value read from one response can name a path
        /// parameter of the next call (`client.api().agents().get(&agent.id)`).
        impl From<&$name> for String {
            fn from(value: &$name) -> Self {
                value.raw.clone()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.raw
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.raw == other.raw
            }
        }

        impl Eq for $name {}

        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.raw.hash(state)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.raw)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(&self.raw, f)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.raw)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                String::deserialize(d).map(Self::parse)
            }
        }

        impl From<$name> for amigo_platform_core::QueryValue {
            fn from(v: $name) -> Self {
                amigo_platform_core::QueryValue::Str(v.raw)
            }
        }
    };
}

#[cfg(feature = "time")]
lossless_string! {
    /// A `format: date-time` value (RFC 3339): the text as received, and
    /// [`get`](Self::get) → [`time::OffsetDateTime`] when it parses.
    ///
    /// ```
    /// use amigo_platform_api::models::DateTime;
    ///
    /// let t: DateTime = serde_json::from_str(r#""2024-01-02T03:04:05+01:00""#)?;
    /// assert_eq!(t.get().map(|t| t.unix_timestamp()), Some(1_704_161_045));
    /// // Text that does not parse is kept and written back unchanged.
    /// let odd: DateTime = serde_json::from_str(r#""yesterday""#)?;
    /// assert_eq!((odd.get(), serde_json::to_string(&odd)?.as_str()), (None, r#""yesterday""#));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    DateTime(time::OffsetDateTime) {
        parse: |s: &str| {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
        },
        // RFC 3339 cannot express years outside 0000-9999: those fall back to `Display`.
        format: |v: time::OffsetDateTime| {
            v.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| v.to_string())
        },
    }
}

/// A `format: date-time` value: a `String` (the `time` feature makes it a lossless wrapper
/// with the parsed date-time).
#[cfg(not(feature = "time"))]
pub type DateTime = String;

#[cfg(feature = "uuid")]
lossless_string! {
    /// A `format: uuid` value: the text as received, and [`get`](Self::get) →
    /// [`uuid::Uuid`] when it parses.
    ///
    /// ```
    /// use amigo_platform_api::models::Uuid;
    ///
    /// let id = Uuid::from("3FA85F64-5717-4562-B3FC-2C963F66AFA6");
    /// assert_eq!(id.get().map(|u| u.as_u128() >> 96), Some(0x3fa8_5f64));
    /// assert_eq!(id.as_str(), "3FA85F64-5717-4562-B3FC-2C963F66AFA6"); // the text unchanged
    /// assert_eq!(Uuid::from("agent-1").get(), None);
    /// ```
    Uuid(uuid::Uuid) {
        parse: |s: &str| uuid::Uuid::try_parse(s).ok(),
        format: |v: uuid::Uuid| v.hyphenated().to_string(),
    }
}

/// A `format: uuid` value: a `String` (the `uuid` feature makes it a lossless wrapper with the
/// parsed uuid).
#[cfg(not(feature = "uuid"))]
pub type Uuid = String;
