//! [`Patch`]: a request-body field with three states — left out, sent as JSON `null`, or sent

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A tri-state request field: [`Unset`](Patch::Unset) (omitted), [`Null`](Patch::Null) (sent
/// as JSON `null`) or [`Value`](Patch::Value) (sent as the value).
///
/// The API tells an absent field ("leave unchanged") from an explicit `null` ("clear it"), so
/// every optional *and* nullable field of a request body is a `Patch<T>` rather than an
/// `Option<T>`. Generated models declare such fields with
/// `#[serde(default, skip_serializing_if = "Patch::is_unset")]`, so [`Patch::Unset`] (the
/// default) is omitted from the JSON, [`Patch::Null`] is written as `null` and [`Patch::Value`]
/// as the value. Decoding maps a missing field to `Unset` (through `#[serde(default)]`), `null`
/// to `Null` and anything else to `Value`.
///
/// ```
/// use amigo_platform_core::Patch;
///
/// #[derive(Default, serde::Serialize)]
/// struct UpdateBody {
///     #[serde(default, skip_serializing_if = "Patch::is_unset")]
///     name: Patch<String>,
///     #[serde(default, skip_serializing_if = "Patch::is_unset")]
///     description: Patch<String>,
///     #[serde(default, skip_serializing_if = "Patch::is_unset")]
///     region: Patch<String>,
/// }
///
/// let body = UpdateBody {
///     name: "Ada".to_owned().into(), // Patch::Value: sent
///     description: Patch::Null,      // sent as `null`: clears it
///     ..UpdateBody::default()        // region: Patch::Unset, left out
/// };
/// assert_eq!(
///     serde_json::to_string(&body)?,
///     r#"{"name":"Ada","description":null}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Patch<T> {
    /// Not set: the field is left out of the request body (with the generated
    /// `skip_serializing_if = "Patch::is_unset"`). The default.
    #[default]
    Unset,
    /// Explicitly `null`: the field is sent as JSON `null`, which clears it on the server.
    Null,
    /// A value: the field is sent with this value.
    Value(T),
}

impl<T> Patch<T> {
    /// Whether the field is [`Unset`](Patch::Unset) (left out of the body). Used as the
    /// generated `skip_serializing_if` predicate.
    #[inline]
    pub fn is_unset(&self) -> bool {
        matches!(self, Patch::Unset)
    }

    /// Whether the field is an explicit [`Null`](Patch::Null).
    #[inline]
    pub fn is_null(&self) -> bool {
        matches!(self, Patch::Null)
    }

    /// Whether the field holds a [`Value`](Patch::Value).
    #[inline]
    pub fn is_value(&self) -> bool {
        matches!(self, Patch::Value(_))
    }

    /// The value, if any (`None` for both `Unset` and `Null`).
    #[inline]
    pub fn as_value(&self) -> Option<&T> {
        match self {
            Patch::Value(v) => Some(v),
            Patch::Unset | Patch::Null => None,
        }
    }

    /// The value, mutably, if any.
    #[inline]
    pub fn as_value_mut(&mut self) -> Option<&mut T> {
        match self {
            Patch::Value(v) => Some(v),
            Patch::Unset | Patch::Null => None,
        }
    }

    /// Consumes the field, returning the value if any (`None` for both `Unset` and `Null`).
    #[inline]
    pub fn into_value(self) -> Option<T> {
        match self {
            Patch::Value(v) => Some(v),
            Patch::Unset | Patch::Null => None,
        }
    }

    /// Consumes the field into the nested-option form: `Unset` → `None`, `Null` →
    /// `Some(None)`, `Value(v)` → `Some(Some(v))`.
    #[inline]
    pub fn into_option(self) -> Option<Option<T>> {
        match self {
            Patch::Unset => None,
            Patch::Null => Some(None),
            Patch::Value(v) => Some(Some(v)),
        }
    }

    /// The inverse of [`into_option`](Patch::into_option): `None` → `Unset`, `Some(None)` →
    /// `Null`, `Some(Some(v))` → `Value(v)`.
    #[inline]
    pub fn from_option(value: Option<Option<T>>) -> Self {
        match value {
            None => Patch::Unset,
            Some(None) => Patch::Null,
            Some(Some(v)) => Patch::Value(v),
        }
    }

    /// `Some(v)` → `Value(v)`, `None` → `Null`: for an optional value where "none" means
    /// *clear the field*.
    #[inline]
    pub fn some_or_null(value: Option<T>) -> Self {
        value.map_or(Patch::Null, Patch::Value)
    }

    /// `Some(v)` → `Value(v)`, `None` → `Unset`: for an optional value where "none" means
    /// *leave the field unchanged*.
    #[inline]
    pub fn some_or_unset(value: Option<T>) -> Self {
        value.map_or(Patch::Unset, Patch::Value)
    }

    /// Borrows the value: `Patch<&T>` in the same state.
    #[inline]
    pub fn as_ref(&self) -> Patch<&T> {
        match self {
            Patch::Unset => Patch::Unset,
            Patch::Null => Patch::Null,
            Patch::Value(v) => Patch::Value(v),
        }
    }

    /// Maps the value with `f`, keeping `Unset` and `Null`.
    #[inline]
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Patch<U> {
        match self {
            Patch::Unset => Patch::Unset,
            Patch::Null => Patch::Null,
            Patch::Value(v) => Patch::Value(f(v)),
        }
    }

    /// Takes the field out, leaving [`Unset`](Patch::Unset) in its place.
    #[inline]
    pub fn take(&mut self) -> Patch<T> {
        std::mem::take(self)
    }
}

impl<T> From<T> for Patch<T> {
    /// `Patch::Value(value)`.
    #[inline]
    fn from(value: T) -> Self {
        Patch::Value(value)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    /// `Value(v)` as `v`; `Null` as `null`. `Unset` is meant to be skipped by the field's
    /// `skip_serializing_if = "Patch::is_unset"`; serialised on its own it is also `null`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Value(v) => serializer.serialize_some(v),
            Patch::Unset | Patch::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    /// `null` → `Null`, any other value → `Value`. A missing field never reaches this: the
    /// field's `#[serde(default)]` makes it `Unset`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(|v| v.map_or(Patch::Null, Patch::Value))
    }
}

#[cfg(test)]
mod tests {
    use super::Patch;
    use serde::{Deserialize, Serialize};
    use serde_json::json;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Body {
        #[serde(default, skip_serializing_if = "Patch::is_unset")]
        name: Patch<String>,
        #[serde(default, skip_serializing_if = "Patch::is_unset")]
        tags: Patch<Vec<u32>>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        plain: Option<bool>,
    }

    #[test]
    fn patch_unset_is_skipped() {
        let b = Body::default();
        assert_eq!(serde_json::to_string(&b).unwrap(), "{}");
    }

    #[test]
    fn patch_null_is_sent_as_null() {
        let b = Body {
            name: Patch::Null,
            ..Body::default()
        };
        assert_eq!(serde_json::to_value(&b).unwrap(), json!({"name": null}));
    }

    #[test]
    fn patch_value_is_sent_as_value() {
        let b = Body {
            name: "Ada".to_owned().into(),
            tags: Patch::Value(vec![1, 2]),
            plain: Some(true),
        };
        assert_eq!(
            serde_json::to_value(&b).unwrap(),
            json!({"name": "Ada", "tags": [1, 2], "plain": true})
        );
    }

    #[test]
    fn patch_decodes_missing_null_and_value() {
        let b: Body = serde_json::from_str(r#"{"name": null, "tags": [3]}"#).unwrap();
        assert_eq!(b.name, Patch::Null);
        assert_eq!(b.tags, Patch::Value(vec![3]));
        let b: Body = serde_json::from_str("{}").unwrap();
        assert_eq!(b, Body::default());
        assert!(serde_json::from_str::<Body>(r#"{"tags": "x"}"#).is_err());
    }

    #[test]
    fn patch_round_trips() {
        for text in [
            "{}",
            r#"{"name":null}"#,
            r#"{"name":"x","tags":null}"#,
            r#"{"name":"x","tags":[1],"plain":false}"#,
        ] {
            let b: Body = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&b).unwrap(), text);
        }
    }

    #[test]
    fn patch_standalone_serialisation() {
        assert_eq!(serde_json::to_string(&Patch::<u8>::Unset).unwrap(), "null");
        assert_eq!(serde_json::to_string(&Patch::<u8>::Null).unwrap(), "null");
        assert_eq!(serde_json::to_string(&Patch::Value(7u8)).unwrap(), "7");
        assert_eq!(
            serde_json::from_str::<Patch<u8>>("null").unwrap(),
            Patch::Null
        );
        assert_eq!(
            serde_json::from_str::<Patch<u8>>("7").unwrap(),
            Patch::Value(7)
        );
    }

    #[test]
    fn patch_accessors_and_conversions() {
        let mut p: Patch<String> = "a".to_owned().into();
        assert!(p.is_value() && !p.is_null() && !p.is_unset());
        assert_eq!(p.as_value().map(String::as_str), Some("a"));
        if let Some(v) = p.as_value_mut() {
            v.push('b');
        }
        assert_eq!(p.as_ref().map(String::len), Patch::Value(2));
        assert_eq!(p.clone().into_value().as_deref(), Some("ab"));
        assert_eq!(p.take(), Patch::Value("ab".to_owned()));
        assert!(p.is_unset());
        assert_eq!(Patch::<u8>::default(), Patch::Unset);
        assert_eq!(Patch::<u8>::Null.into_value(), None);

        for p in [Patch::Unset, Patch::Null, Patch::Value(1u8)] {
            assert_eq!(Patch::from_option(p.into_option()), p);
        }
        assert_eq!(Patch::<u8>::Unset.into_option(), None);
        assert_eq!(Patch::<u8>::Null.into_option(), Some(None));
        assert_eq!(Patch::some_or_null(None::<u8>), Patch::Null);
        assert_eq!(Patch::some_or_unset(None::<u8>), Patch::Unset);
        assert_eq!(Patch::some_or_null(Some(1u8)), Patch::Value(1));
        assert_eq!(Patch::some_or_unset(Some(1u8)), Patch::Value(1));
        assert_eq!(format!("{:?}", Patch::Value(1u8)), "Value(1)");
        assert_eq!(Patch::<u8>::Null.map(|v| v + 1), Patch::Null);
    }
}
