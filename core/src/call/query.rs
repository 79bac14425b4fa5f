//! Query-string values and their serialisation.

use crate::call::encode::encode_component_into;
use crate::error::Error;
use std::borrow::Cow;
use std::fmt::Write as _;

/// One query parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryValue {
    /// Omitted from the query string.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// Decimal text.
    Int(i64),
    /// Shortest round-trip decimal; integral values without a fraction.
    Float(f64),
    /// Percent-encoded text.
    Str(String),
    /// Repeated key, one per element, in order; an empty list is omitted.
    List(Vec<QueryValue>),
    /// deepObject, one level: `obj[a]=1`.
    Object(Vec<(String, QueryValue)>),
}

impl From<bool> for QueryValue {
    fn from(v: bool) -> Self {
        QueryValue::Bool(v)
    }
}
impl From<i64> for QueryValue {
    fn from(v: i64) -> Self {
        QueryValue::Int(v)
    }
}
impl From<i32> for QueryValue {
    fn from(v: i32) -> Self {
        QueryValue::Int(v.into())
    }
}
impl From<u32> for QueryValue {
    fn from(v: u32) -> Self {
        QueryValue::Int(v.into())
    }
}
impl From<u64> for QueryValue {
    fn from(v: u64) -> Self {
        i64::try_from(v).map_or(QueryValue::Str(v.to_string()), QueryValue::Int)
    }
}
impl From<f64> for QueryValue {
    fn from(v: f64) -> Self {
        QueryValue::Float(v)
    }
}
impl From<String> for QueryValue {
    fn from(v: String) -> Self {
        QueryValue::Str(v)
    }
}
impl From<&str> for QueryValue {
    fn from(v: &str) -> Self {
        QueryValue::Str(v.to_owned())
    }
}
impl<T: Into<QueryValue>> From<Option<T>> for QueryValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(QueryValue::Null, Into::into)
    }
}
impl<T: Into<QueryValue>> From<Vec<T>> for QueryValue {
    fn from(v: Vec<T>) -> Self {
        QueryValue::List(v.into_iter().map(Into::into).collect())
    }
}

/// An ordered list of query parameters, serialised in insertion order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pairs: Vec<(Cow<'static, str>, QueryValue)>,
}

impl Query {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a parameter (nulls and empty lists are dropped at serialisation).
    pub fn push(
        &mut self,
        key: impl Into<Cow<'static, str>>,
        value: impl Into<QueryValue>,
    ) -> &mut Self {
        self.pairs.push((key.into(), value.into()));
        self
    }

    /// Replaces every parameter named `key` with `value` (appends if absent).
    pub fn set(&mut self, key: &str, value: impl Into<QueryValue>) -> &mut Self {
        let value = value.into();
        if let Some(pos) = self.pairs.iter().position(|(k, _)| k == key) {
            self.pairs[pos].1 = value;
            let mut i = pos + 1;
            while i < self.pairs.len() {
                if self.pairs[i].0 == key {
                    self.pairs.remove(i);
                } else {
                    i += 1;
                }
            }
        } else {
            self.pairs.push((Cow::Owned(key.to_owned()), value));
        }
        self
    }

    /// The value of the first parameter named `key`.
    pub fn get(&self, key: &str) -> Option<&QueryValue> {
        self.pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The parameters in order.
    pub fn pairs(&self) -> &[(Cow<'static, str>, QueryValue)] {
        &self.pairs
    }

    /// Serialises to `k=v&k2=v2` (no leading `?`); nested objects deeper than one level are a Config error.
    pub fn to_query_string(&self) -> Result<String, Error> {
        let mut out = String::new();
        self.write_to(&mut out)?;
        Ok(out)
    }

    /// Appends the serialised pairs to `out`, `&`-separated (nothing for an empty query);
    /// on a Config error `out` may hold a partial query.
    pub(crate) fn write_to(&self, out: &mut String) -> Result<(), Error> {
        let mut w = PairWriter {
            out,
            first: true,
            key: String::new(),
        };
        for (key, value) in &self.pairs {
            match value {
                QueryValue::Object(fields) => {
                    for (fk, fv) in fields {
                        if matches!(fv, QueryValue::Object(_)) {
                            return Err(Error::config(format!(
                                "query parameter `{key}` nests objects more than one level deep"
                            )));
                        }
                        w.key.clear();
                        encode_component_into(&mut w.key, key);
                        w.key.push('[');
                        encode_component_into(&mut w.key, fk);
                        w.key.push(']');
                        w.scalar_or_list(fv)?;
                    }
                }
                other => {
                    w.key.clear();
                    encode_component_into(&mut w.key, key);
                    w.scalar_or_list(other)?;
                }
            }
        }
        Ok(())
    }
}

/// Writes `key=value` pairs into one buffer; `key` holds the current encoded name.
struct PairWriter<'a> {
    out: &'a mut String,
    first: bool,
    key: String,
}

impl PairWriter<'_> {
    fn scalar_or_list(&mut self, value: &QueryValue) -> Result<(), Error> {
        match value {
            QueryValue::List(items) => {
                for item in items {
                    match item {
                        QueryValue::List(_) | QueryValue::Object(_) => {
                            return Err(Error::config(format!(
                                "query parameter `{}` contains a nested list or object",
                                self.key
                            )))
                        }
                        scalar => self.scalar(scalar),
                    }
                }
                Ok(())
            }
            QueryValue::Object(_) => Err(Error::config(format!(
                "query parameter `{}` nests objects more than one level deep",
                self.key
            ))),
            scalar => {
                self.scalar(scalar);
                Ok(())
            }
        }
    }

    fn scalar(&mut self, value: &QueryValue) {
        if matches!(
            value,
            QueryValue::Null | QueryValue::List(_) | QueryValue::Object(_)
        ) {
            return;
        }
        if !std::mem::take(&mut self.first) {
            self.out.push('&');
        }
        self.out.push_str(&self.key);
        self.out.push('=');
        match value {
            QueryValue::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            QueryValue::Int(i) => {
                let _ = write!(self.out, "{i}");
            }
            QueryValue::Float(f) => self.out.push_str(&format_float(*f)),
            QueryValue::Str(s) => encode_component_into(self.out, s),
            QueryValue::Null | QueryValue::List(_) | QueryValue::Object(_) => {}
        }
    }
}

/// Shortest round-trip decimal text; integral values print without a fraction.
pub fn format_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_per_protocol() {
        let mut q = Query::new();
        q.push("entity_type", vec!["patient", "contact"])
            .push("empty", Vec::<String>::new())
            .push("none", None::<i64>)
            .push("flag", true)
            .push("off", false)
            .push("limit", 5)
            .push("ratio", 2.0)
            .push("half", 0.5)
            .push("q", "a b&c+d")
            .push(
                "obj",
                QueryValue::Object(vec![("a".into(), 1.into()), ("b".into(), "x y".into())]),
            );
        assert_eq!(
            q.to_query_string().unwrap(),
            "entity_type=patient&entity_type=contact&flag=true&off=false&limit=5&ratio=2&half=0.5&q=a%20b%26c%2Bd&obj[a]=1&obj[b]=x%20y"
        );
    }

    #[test]
    fn two_level_object_is_config_error() {
        let mut q = Query::new();
        q.push(
            "obj",
            QueryValue::Object(vec![(
                "a".into(),
                QueryValue::Object(vec![("b".into(), 1.into())]),
            )]),
        );
        let err = q.to_query_string().unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Config);
    }

    #[test]
    fn set_replaces_all_occurrences() {
        let mut q = Query::new();
        q.push("a", 1).push("b", 2).push("a", 3);
        q.set("a", 9);
        assert_eq!(q.to_query_string().unwrap(), "a=9&b=2");
        q.set("c", "x");
        assert_eq!(q.to_query_string().unwrap(), "a=9&b=2&c=x");
    }
}
