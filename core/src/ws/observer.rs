//! Typed voice-call observer events (schema `ObserverSSEEvent`).
//!
//! A frame is a JSON object whose `type` names one of 20 event types. Decoding is lenient:
//! every field is decoded on its own, so a missing or mistyped field is empty (its default) in
//! the typed view; the whole object, extra fields included, is kept in [`ObserverEvent::raw`].
//! Frames that are not JSON objects with a string `type` are dropped; unknown types become
//! [`ObserverEventData::Unknown`].

use crate::ws::session::WsMessage;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

fn field<T: DeserializeOwned + Default>(m: &Map<String, Value>, key: &str) -> T {
    m.get(key)
        .and_then(|v| T::deserialize(v).ok())
        .unwrap_or_default()
}

/// Parses a frame as a JSON object with a string `type`; `None` otherwise.
pub(crate) fn parse_typed_object(text: &str) -> Option<(String, Map<String, Value>)> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => {
            let t = m.get("type")?.as_str()?.to_owned();
            Some((t, m))
        }
        _ => None,
    }
}

macro_rules! events {
    ($(
        $(#[$m:meta])* $variant:ident($name:ident) = $wire:literal { $( $field:ident : $ty:ty ),* $(,)? }
    )*) => {
        $(
            $(#[$m])*
            #[derive(Debug, Clone, Default, PartialEq)]
            pub struct $name {
                $(
                    #[doc = concat!("The `", stringify!($field), "` field.")]
                    pub $field: $ty,
                )*
            }
            impl $name {
                fn from_map(_m: &Map<String, Value>) -> Self {
                    $name { $( $field: field(_m, stringify!($field)), )* }
                }
            }
        )*

        /// The typed view of an observer event, by `type`.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        #[allow(clippy::large_enum_variant)]
        pub enum ObserverEventData {
            $(
                #[doc = concat!("`", $wire, "`")]
                $variant($name),
            )*
            /// A `type` this SDK does not know; see [`ObserverEvent::raw`].
            Unknown {
                /// The `type` value.
                event_type: String,
            },
        }

        impl ObserverEventData {
            fn decode(t: &str, m: &Map<String, Value>) -> Self {
                match t {
                    $( $wire => ObserverEventData::$variant($name::from_map(m)), )*
                    other => ObserverEventData::Unknown { event_type: other.to_owned() },
                }
            }
        }

        /// Every known observer event `type`.
        pub const OBSERVER_EVENT_TYPES: [&str; 20] = [$($wire),*];
    };
}

/// `EmotionScore`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct EmotionScore {
    /// The emotion name.
    pub name: String,
    /// Its score.
    pub score: f64,
}

/// `EmotionBurst`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct EmotionBurst {
    /// The burst score.
    pub score: f64,
    /// The burst type.
    #[serde(rename = "type")]
    pub burst_type: String,
}

/// `SpeakerAcoustics`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct SpeakerAcoustics {
    /// Energy change.
    pub energy_delta: Option<f64>,
    /// `rising`, `falling` or `stable`.
    pub energy_trend: Option<String>,
    /// Whether the values are normalized.
    pub normalized: Option<bool>,
    /// Pitch change.
    pub pitch_delta: Option<f64>,
    /// Zero-crossing-rate change.
    pub zcr_delta: Option<f64>,
}

events! {
    /// `AgentTranscriptEvent`: a complete agent utterance (text in `transcript`).
    AgentTranscript(AgentTranscriptEvent) = "agent_transcript" {
        action: Option<String>, filler_type: Option<String>, interrupted: bool,
        speaker_id: Option<String>, speaker_role: Option<String>, streaming: Option<bool>,
        transcript: String,
    }
    /// `AgentTranscriptDeltaEvent`: a streamed piece of agent text (in `delta`).
    AgentTranscriptDelta(AgentTranscriptDeltaEvent) = "agent_transcript_delta" { delta: String }
    /// `BargeInEvent`.
    BargeIn(BargeInEvent) = "barge_in" {
        discarded_texts: Option<Vec<String>>, interrupted_speaker_id: Option<String>,
        interrupted_text: Option<String>, interrupting_speaker_id: Option<String>,
        total_barge_ins: Option<i64>,
    }
    /// `CompoundEmotionEvent`.
    CompoundEmotion(CompoundEmotionEvent) = "compound_emotion" {
        compounds: Vec<EmotionScore>, turn_index: i64,
    }
    /// `EmotionEvent`.
    Emotion(EmotionEvent) = "emotion" {
        arousal: f64, barge_in_count: i64, call_duration_s: Option<f64>, coherence: Option<f64>,
        dominance: Option<f64>, dominant: String, emotional_shifts: Option<i64>,
        language_sentiment: Option<f64>, language_toxicity: Option<Map<String, Value>>,
        provider: Option<String>, recent_bursts: Option<Vec<EmotionBurst>>,
        scores: Option<Vec<EmotionScore>>, segment_arousal: Option<f64>,
        segment_dominant: Option<String>, segment_valence: Option<f64>,
        speaker: Option<SpeakerAcoustics>, speaker_similarity: Option<f64>,
        total_segments: Option<i64>, trend: Option<String>, turn_count: Option<i64>,
        valence: f64, verified_speaker_id: Option<String>,
    }
    /// `EmpathyClassifiedEvent`.
    EmpathyClassified(EmpathyClassifiedEvent) = "empathy_classified" {
        empathy_baseline: f64, filler_type: String, should_pause: bool, suppress_filler: bool,
        tier: i64, tier_name: String,
    }
    /// `ForwardCallResolvedEvent`.
    ForwardCallResolved(ForwardCallResolvedEvent) = "forward_call_resolved" {
        error: Option<String>, location_name: Option<String>, result: Option<String>,
        target_number: Option<String>,
    }
    /// `LatencyEvent`.
    Latency(LatencyEvent) = "latency" {
        audio_ttfb_ms: f64, continuation: bool, e2e_ttfb_ms: f64, engine_ms: f64,
        is_greeting: bool, nav_ms: f64, render_ms: f64,
    }
    /// `NavTimingEvent`.
    NavTiming(NavTimingEvent) = "nav_timing" {
        input_tokens: Option<i64>, model: Option<String>, nav_ms: f64, output_tokens: Option<i64>,
        render_ms: f64, retry_attempts: Option<i64>, selected_action: Option<String>,
        state: Option<String>, total_ms: f64, used_fallback: Option<bool>,
    }
    /// `ParticipantJoinedEvent`.
    ParticipantJoined(ParticipantJoinedEvent) = "participant_joined" {
        conference_sid: String, display_name: Option<String>, operator_entity_id: Option<String>,
        participant_id: String, participant_name: Option<String>, participant_role: String,
        phone_number: Option<String>,
    }
    /// `ParticipantLeftEvent`.
    ParticipantLeft(ParticipantLeftEvent) = "participant_left" {
        conference_sid: String, display_name: Option<String>, operator_entity_id: Option<String>,
        participant_id: String, participant_role: String, phone_number: Option<String>,
    }
    /// `SessionEndEvent`.
    SessionEnd(SessionEndEvent) = "session_end" {
        call_sid: Option<String>, completion_reason: String, duration_s: f64,
        emotional_summary: Option<Map<String, Value>>, final_state: String,
        has_recording: Option<bool>, session_id: Option<String>, trace_id: Option<String>,
        turns: i64,
    }
    /// `SessionInfoEvent`.
    SessionInfo(SessionInfoEvent) = "session_info" {
        call_sid: String, caller_id: String, current_state: String, direction: String,
        duration_seconds: f64, service_id: String, start_time: f64, workspace_id: String,
    }
    /// `SessionStartEvent`.
    SessionStart(SessionStartEvent) = "session_start" {
        call_sid: Option<String>, initial_state: Option<String>, mode: Option<String>,
        service_id: Option<String>, session_id: Option<String>, trace_id: Option<String>,
        workspace_id: Option<String>,
    }
    /// `SpeakerMutedEvent`.
    SpeakerMuted(SpeakerMutedEvent) = "speaker_muted" { muted: bool }
    /// `StateTransitionEvent`.
    StateTransition(StateTransitionEvent) = "state_transition" {
        annotation: Option<String>, next_state: String, previous_state: String,
        transition_type: Option<String>,
    }
    /// `ToolCallCompletedEvent`.
    ToolCallCompleted(ToolCallCompletedEvent) = "tool_call_completed" {
        call_id: String, duration_ms: Option<f64>, endpoint_name: Option<String>,
        error_message: Option<String>, integration_name: Option<String>, output: Option<String>,
        parent_call_id: Option<String>, protocol: Option<String>, succeeded: bool,
        tool_name: String,
    }
    /// `ToolCallStartedEvent` (`input` is an object, a string or null).
    ToolCallStarted(ToolCallStartedEvent) = "tool_call_started" {
        call_id: String, endpoint_name: Option<String>, input: Option<Value>,
        integration_name: Option<String>, parent_call_id: Option<String>,
        protocol: Option<String>, tool_name: String,
    }
    /// `UserTranscriptEvent` (text in `transcript`).
    UserTranscript(UserTranscriptEvent) = "user_transcript" {
        eot_confidence: Option<f64>, is_barge_in: Option<bool>, speaker_id: Option<String>,
        speaker_role: Option<String>, state: String, stt_confidence: Option<f64>,
        transcript: String,
    }
    /// `VoiceContextAppliedEvent`.
    VoiceContextApplied(VoiceContextAppliedEvent) = "voice_context_applied" {
        emotion_detection_enabled: bool, filler_enabled: bool, reasoning: String,
        tts_emotion: Option<String>, tts_speed: Option<f64>, tts_volume: Option<f64>,
    }
}

/// One observer event: its `type`, the typed view and the whole raw JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct ObserverEvent {
    /// The `type` discriminator.
    pub event_type: String,
    /// The typed view.
    pub data: ObserverEventData,
    /// The whole frame, extra fields included.
    pub raw: Map<String, Value>,
}

impl ObserverEvent {
    /// Decodes a frame's text; `None` for non-JSON, non-objects and a missing or non-string
    /// `type` (such frames are dropped).
    pub fn parse(text: &str) -> Option<ObserverEvent> {
        let (t, m) = parse_typed_object(text)?;
        Some(ObserverEvent {
            data: ObserverEventData::decode(&t, &m),
            event_type: t,
            raw: m,
        })
    }

    /// Decodes a WebSocket message (binary frames as lossy UTF-8).
    pub fn from_message(message: &WsMessage) -> Option<ObserverEvent> {
        Self::parse(&message.to_text())
    }
}
