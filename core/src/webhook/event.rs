//! The event envelope and the post-verification steps of `parse_event`.

use serde::de::DeserializeOwned;
use serde_json::Value;
use std::fmt;

use super::error::WebhookError;
use super::replay::ReplayGuard;

/// A verified webhook event: the four envelope fields (each optional) plus the raw JSON.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WebhookEvent {
    /// The event id (`id`), when it is a string.
    pub id: Option<String>,
    /// The event type (`type`, e.g. `call.completed`), when it is a string.
    pub event_type: Option<String>,
    /// The event time (`timestamp`, ISO 8601), when it is a string.
    pub timestamp: Option<String>,
    /// The event payload (`data`), when present (JSON `null` is `Some(Value::Null)`).
    pub data: Option<Value>,
    /// The whole decoded JSON document.
    pub raw: Value,
}

impl WebhookEvent {
    /// Builds the envelope from a decoded JSON document, performing no structural check.
    pub fn from_value(raw: Value) -> Self {
        let text = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_owned);
        Self {
            id: text("id"),
            event_type: text("type"),
            timestamp: text("timestamp"),
            data: raw.get("data").cloned(),
            raw,
        }
    }

    /// Deserializes `data` (JSON `null` when absent) into `T`; failure is `InvalidJson`.
    pub fn data_as<T: DeserializeOwned>(&self) -> Result<T, WebhookError> {
        T::deserialize(self.data.as_ref().unwrap_or(&Value::Null))
            .map_err(|_| WebhookError::InvalidJson)
    }
}

/// A caller check run last by `parse_event*`; `Err(message)` rejects the event.
pub type EventValidator<'a> = dyn Fn(&WebhookEvent) -> Result<(), String> + 'a;

/// Optional checks applied by `parse_event` after verification: expected type and validator.
#[derive(Clone, Copy, Default)]
pub struct ParseOptions<'a> {
    expected_type: Option<&'a str>,
    validator: Option<&'a EventValidator<'a>>,
}

impl<'a> ParseOptions<'a> {
    /// Options with no expected type and no validator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Requires the event's `type` to equal `event_type` (otherwise `UnexpectedType`).
    pub fn expected_type(mut self, event_type: &'a str) -> Self {
        self.expected_type = Some(event_type);
        self
    }

    /// Runs `validator` last; an `Err(message)` becomes `Rejected { message }`.
    pub fn validator(mut self, validator: &'a EventValidator<'a>) -> Self {
        self.validator = Some(validator);
        self
    }
}

impl fmt::Debug for ParseOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParseOptions")
            .field("expected_type", &self.expected_type)
            .field("validator", &self.validator.map(|_| "<fn>"))
            .finish()
    }
}

/// Where the replay guard should remember an accepted event until.
pub(crate) struct ReplayWindow<'g> {
    pub(crate) guard: &'g ReplayGuard,
    pub(crate) now: i128,
    pub(crate) expires_at: i128,
}

/// The post-verification steps, for a payload that has already been verified.
pub(crate) fn parse_verified(
    body: &[u8],
    replay: Option<ReplayWindow<'_>>,
    options: &ParseOptions<'_>,
) -> Result<WebhookEvent, WebhookError> {
    let text = String::from_utf8_lossy(body);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let raw: Value = serde_json::from_str(text).map_err(|_| WebhookError::InvalidJson)?;
    let event = WebhookEvent::from_value(raw);

    if let Some(expected) = options.expected_type {
        if event.event_type.as_deref() != Some(expected) {
            return Err(WebhookError::UnexpectedType {
                expected: expected.to_owned(),
                received: event.event_type.clone(),
            });
        }
    }

    let remembered = match (&replay, &event.id) {
        (Some(window), Some(id)) => {
            window
                .guard
                .check_and_remember(id, window.expires_at, window.now)?;
            Some((window, id))
        }
        _ => None,
    };

    if let Some(validator) = options.validator {
        if let Err(message) = validator(&event) {
            // A rejected event was not accepted: let a corrected redelivery through.
            if let Some((window, id)) = remembered {
                window.guard.forget(id, window.expires_at);
            }
            return Err(WebhookError::Rejected { message });
        }
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn envelope_fields_are_optional_and_typed_loosely() {
        let e = WebhookEvent::from_value(json!({"id": 5, "type": "x", "data": null}));
        assert_eq!(e.id, None);
        assert_eq!(e.event_type.as_deref(), Some("x"));
        assert_eq!(e.timestamp, None);
        assert_eq!(e.data, Some(Value::Null));
        let e = WebhookEvent::from_value(json!([1, 2]));
        assert_eq!((e.id, e.event_type, e.data), (None, None, None));
    }

    #[test]
    fn bom_and_invalid_utf8_are_handled() {
        let opts = ParseOptions::new();
        let e = parse_verified("\u{feff}{\"id\":\"a\"}".as_bytes(), None, &opts);
        assert_eq!(e.map(|e| e.id), Ok(Some("a".to_owned())));
        // Invalid UTF-8 inside a string is replaced, not fatal.
        let e = parse_verified(b"{\"id\":\"a\xff\"}", None, &opts);
        assert_eq!(e.map(|e| e.id), Ok(Some("a\u{fffd}".to_owned())));
        assert_eq!(
            parse_verified(b"", None, &opts),
            Err(WebhookError::InvalidJson)
        );
        assert_eq!(
            parse_verified(b"{} x", None, &opts),
            Err(WebhookError::InvalidJson)
        );
    }

    #[test]
    fn data_as_deserializes_or_reports_invalid_json() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Call {
            call_id: String,
        }
        let e = WebhookEvent::from_value(json!({"data": {"call_id": "c1"}}));
        assert_eq!(
            e.data_as::<Call>(),
            Ok(Call {
                call_id: "c1".into()
            })
        );
        let e = WebhookEvent::from_value(json!({}));
        assert_eq!(e.data_as::<Call>(), Err(WebhookError::InvalidJson));
        assert_eq!(e.data_as::<Option<Call>>(), Ok(None));
    }

    #[test]
    fn options_debug_hides_the_closure() {
        let f = |_: &WebhookEvent| Ok(());
        let o = ParseOptions::new().expected_type("a").validator(&f);
        assert_eq!(
            format!("{o:?}"),
            r#"ParseOptions { expected_type: Some("a"), validator: Some("<fn>") }"#
        );
    }
}
