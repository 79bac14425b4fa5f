//! Text-stream and session-connect frames, both directions.

use crate::ws::observer::parse_typed_object;
use crate::ws::session::WsMessage;
use serde_json::{json, Map, Value};

/// A client → server text-stream frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextStreamClientFrame {
    /// `{"type":"message","text":"…"}`: a user message.
    Message {
        /// The user's text.
        text: String,
    },
    /// `{"type":"stop"}`: end the session.
    Stop,
}

impl TextStreamClientFrame {
    /// A user message frame.
    pub fn message(text: impl Into<String>) -> Self {
        TextStreamClientFrame::Message { text: text.into() }
    }
    /// The frame's JSON text.
    pub fn to_json(&self) -> String {
        match self {
            TextStreamClientFrame::Message { text } => {
                json!({"type": "message", "text": text}).to_string()
            }
            TextStreamClientFrame::Stop => json!({"type": "stop"}).to_string(),
        }
    }
}

impl From<TextStreamClientFrame> for WsMessage {
    fn from(f: TextStreamClientFrame) -> Self {
        WsMessage::Text(f.to_json())
    }
}

/// The typed view of a server → client text-stream frame.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TextStreamServerFrame {
    /// `session_started`: the first frame after connect.
    SessionStarted {
        /// The session id.
        session_id: String,
        /// The conversation id (pass it back as `conversation_id` to resume).
        conversation_id: String,
    },
    /// `typing`: the agent is working.
    Typing,
    /// `tool_call_started` (only with `tool_events=true`).
    ToolCallStarted {
        /// The tool.
        tool_name: String,
        /// The call id.
        call_id: String,
        /// The input (a JSON object here).
        input: Value,
    },
    /// `tool_call_completed` (only with `tool_events=true`).
    ToolCallCompleted {
        /// The tool.
        tool_name: String,
        /// The call id.
        call_id: String,
        /// The result text.
        result: String,
        /// Whether the call succeeded.
        succeeded: bool,
    },
    /// `message`: the agent's reply.
    Message {
        /// The reply text.
        text: String,
    },
    /// `error`: an error; the connection stays open.
    Error {
        /// The error message.
        message: String,
    },
    /// `session_ended`: the session ended; the socket is closing.
    SessionEnded {
        /// Why.
        reason: String,
    },
    /// A `type` this SDK does not know.
    Unknown {
        /// The `type` value.
        event_type: String,
    },
}

fn s(m: &Map<String, Value>, k: &str) -> String {
    m.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// A decoded server frame: its `type`, the typed view and the raw JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct TextStreamFrame {
    /// The `type` discriminator.
    pub event_type: String,
    /// The typed view (missing fields are empty).
    pub data: TextStreamServerFrame,
    /// The whole frame.
    pub raw: Map<String, Value>,
}

impl TextStreamFrame {
    /// Decodes a frame; `None` unless it is a JSON object with a string `type`.
    pub fn parse(text: &str) -> Option<TextStreamFrame> {
        let (t, m) = parse_typed_object(text)?;
        let data = match t.as_str() {
            "session_started" => TextStreamServerFrame::SessionStarted {
                session_id: s(&m, "session_id"),
                conversation_id: s(&m, "conversation_id"),
            },
            "typing" => TextStreamServerFrame::Typing,
            "tool_call_started" => TextStreamServerFrame::ToolCallStarted {
                tool_name: s(&m, "tool_name"),
                call_id: s(&m, "call_id"),
                input: m.get("input").cloned().unwrap_or(Value::Null),
            },
            "tool_call_completed" => TextStreamServerFrame::ToolCallCompleted {
                tool_name: s(&m, "tool_name"),
                call_id: s(&m, "call_id"),
                result: s(&m, "result"),
                succeeded: m.get("succeeded").and_then(Value::as_bool).unwrap_or(false),
            },
            "message" => TextStreamServerFrame::Message {
                text: s(&m, "text"),
            },
            "error" => TextStreamServerFrame::Error {
                message: s(&m, "message"),
            },
            "session_ended" => TextStreamServerFrame::SessionEnded {
                reason: s(&m, "reason"),
            },
            other => TextStreamServerFrame::Unknown {
                event_type: other.to_owned(),
            },
        };
        Some(TextStreamFrame {
            event_type: t,
            data,
            raw: m,
        })
    }

    /// Decodes a WebSocket message (binary frames as lossy UTF-8).
    pub fn from_message(message: &WsMessage) -> Option<TextStreamFrame> {
        Self::parse(&message.to_text())
    }
}

/// A session-connect frame (undocumented protocol): the `type` and the raw JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionConnectFrame {
    /// The `type` discriminator.
    pub event_type: String,
    /// The whole frame.
    pub raw: Map<String, Value>,
}

impl SessionConnectFrame {
    /// Decodes a frame; `None` unless it is a JSON object with a string `type`.
    pub fn parse(text: &str) -> Option<SessionConnectFrame> {
        let (event_type, raw) = parse_typed_object(text)?;
        Some(SessionConnectFrame { event_type, raw })
    }

    /// The only known client frame: `{"type":"user_text","text":"…"}`.
    pub fn user_text(text: &str) -> WsMessage {
        WsMessage::Text(json!({"type": "user_text", "text": text}).to_string())
    }
}
