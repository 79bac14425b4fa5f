//! Lenient typed views of event payloads.
//!
//! Every field is read leniently: a missing field, or one of the wrong type, becomes the
//! type's empty value (`""`, `0`, `false`, `None`), and the event is still delivered with
//! its raw JSON. Enumerations are kept as strings so that new server values pass through.

use serde_json::{Map, Value};

/// A value that can be read leniently from one JSON field.
pub trait LenientField: Sized + Default {
    /// The value, when `v` has the right JSON type.
    fn from_json(v: &Value) -> Option<Self>;
}

impl LenientField for String {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_str().map(str::to_owned)
    }
}

impl LenientField for f64 {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_f64()
    }
}

impl LenientField for i64 {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_i64()
    }
}

impl LenientField for bool {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_bool()
    }
}

impl LenientField for Value {
    fn from_json(v: &Value) -> Option<Self> {
        Some(v.clone())
    }
}

impl LenientField for Vec<String> {
    fn from_json(v: &Value) -> Option<Self> {
        v.as_array().map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
    }
}

impl<T: LenientField> LenientField for Option<T> {
    fn from_json(v: &Value) -> Option<Self> {
        Some(if v.is_null() { None } else { T::from_json(v) })
    }
}

/// Reads `key` from `m` leniently.
pub(crate) fn field<T: LenientField>(m: &Map<String, Value>, key: &str) -> T {
    m.get(key).and_then(T::from_json).unwrap_or_default()
}

/// Declares payload structs and the enum that dispatches on the event name.
macro_rules! payloads {
    (
        $(#[$enum_doc:meta])*
        enum $enum:ident;
        $( $variant:ident($ty:ident) = $name:literal { $( $field:ident : $fty:ty ),* $(,)? } )*
    ) => {
        $(
            #[doc = concat!("Typed, leniently decoded payload of the `", $name, "` event.")]
            #[derive(Debug, Clone, Default, PartialEq)]
            #[non_exhaustive]
            pub struct $ty {
                $(
                    #[doc = concat!("The `", stringify!($field), "` field (empty when missing or mistyped).")]
                    pub $field: $fty,
                )*
            }

            impl $ty {
                /// Reads the payload leniently from a JSON object.
                pub fn from_map(_m: &Map<String, Value>) -> Self {
                    $ty { $( $field: field(_m, stringify!($field)), )* }
                }
            }
        )*

        $(#[$enum_doc])*
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum $enum {
            $(
                #[doc = concat!("`", $name, "`.")]
                $variant($ty),
            )*
            /// An event name this SDK does not know, with its raw JSON object.
            Unknown {
                /// The SSE event name.
                event_type: String,
                /// The raw JSON object.
                data: Value,
            },
        }

        impl $enum {
            /// Every event name with a typed variant.
            pub const NAMES: &'static [&'static str] = &[$($name),*];

            /// Decodes a payload by event name; unknown names give [`Self::Unknown`].
            pub fn decode(event_type: &str, m: &Map<String, Value>) -> Self {
                match event_type {
                    $( $name => $enum::$variant($ty::from_map(m)), )*
                    _ => $enum::Unknown {
                        event_type: event_type.to_owned(),
                        data: Value::Object(m.clone()),
                    },
                }
            }

            /// Whether `event_type` has a typed variant.
            pub fn is_known(event_type: &str) -> bool {
                Self::NAMES.contains(&event_type)
            }
        }
    };
}

payloads! {
    /// The typed payload of a workspace event: one variant per `WorkspaceSSEEvent` member.
    enum EventKind;
    CallEnded(CallEnded) = "call.ended" { call_sid: String, completion_reason: String, direction: String, duration_seconds: f64, escalated: Option<bool> }
    CallEscalated(CallEscalated) = "call.escalated" { call_sid: String, escalation_id: String, reason: String, trigger: String }
    CallStarted(CallStarted) = "call.started" { call_sid: String, caller_id: Option<String>, direction: String, service_id: String }
    ChannelEmailBounced(ChannelEmailBounced) = "channel.email_bounced" { bounce_subtype: Option<String>, bounce_type: Option<String>, email_id: String, from_address: String, to_address: String }
    ChannelEmailClicked(ChannelEmailClicked) = "channel.email_clicked" { email_id: String, to_address: String }
    ChannelEmailComplained(ChannelEmailComplained) = "channel.email_complained" { email_id: String, from_address: String, to_address: String }
    ChannelEmailDelayed(ChannelEmailDelayed) = "channel.email_delayed" { email_id: String, from_address: String, to_address: String }
    ChannelEmailDelivered(ChannelEmailDelivered) = "channel.email_delivered" { email_id: String, from_address: String, to_address: String }
    ChannelEmailOpened(ChannelEmailOpened) = "channel.email_opened" { email_id: String, to_address: String }
    ChannelEmailReceived(ChannelEmailReceived) = "channel.email_received" { from_address: String, in_reply_to_email_id: String, inbound_email_id: String, subject: String, to_address: String }
    ChannelEmailRejected(ChannelEmailRejected) = "channel.email_rejected" { email_id: String, from_address: String, to_address: String }
    ChannelVoicemailStatus(ChannelVoicemailStatus) = "channel.voicemail_status" { recipient_phone_number: String, status: String, voicemail_id: String }
    EncounterUpdated(EncounterUpdated) = "encounter.updated" { encounter_entity_id: String, session_id: String }
    OperatorJoinedCall(OperatorJoinedCall) = "operator.joined_call" { call_sid: String, mode: String, operator_id: String }
    OperatorLeftCall(OperatorLeftCall) = "operator.left_call" { call_sid: String, human_segment_turn_count: Option<i64>, operator_id: String }
    OperatorModeChanged(OperatorModeChanged) = "operator.mode_changed" { call_sid: String, mode: String, operator_id: String }
    OperatorProfileUpdated(OperatorProfileUpdated) = "operator.profile_updated" { changes: Option<Value>, operator_id: String }
    OperatorRegistered(OperatorRegistered) = "operator.registered" { operator_id: String, timestamp: Option<String> }
    OperatorStatusChanged(OperatorStatusChanged) = "operator.status_changed" { operator_id: String, status: String }
    OperatorWrapUp(OperatorWrapUp) = "operator.wrap_up" { call_sid: String, wrap_up_reason: Option<String> }
    PipelineError(PipelineError) = "pipeline.error" { data_source_id: String, error: String }
    PipelineSyncCompleted(PipelineSyncCompleted) = "pipeline.sync_completed" { data_source_id: String, duration_ms: i64, event_count: i64 }
    ReviewSubmitted(ReviewSubmitted) = "review.submitted" { action: String, count: Option<i64>, entity_id: Option<String>, entity_type: Option<String>, item_id: Option<String> }
    SelfImageBriefGenerated(NarrativeUpdated) = "self_image.brief_generated" { confidence: f64, event_count: i64, event_id: String, target_entity_id: String, target_entity_type: String, version: String }
    SimulationTurnStored(SimulationTurnStored) = "simulation.turn_stored" { is_terminal: bool, run_id: String, service_id: String, session_id: String, state_after: String, state_before: String, turn_index: i64 }
    SurfaceArchived(SurfaceArchived) = "surface.archived" { surface_id: String }
    SurfaceCreated(SurfaceCreated) = "surface.created" { channel: Option<String>, entity_id: String, fields_count: Option<i64>, form_template_id: Option<String>, review_required: Option<bool>, source: Option<String>, surface_id: String }
    SurfaceDelivered(SurfaceDelivered) = "surface.delivered" { channel: String, channel_address: Option<String>, delivery_status: Option<String>, entity_id: String, message_id: Option<String>, short_url: Option<String>, surface_id: String }
    SurfaceFieldSaved(SurfaceFieldSaved) = "surface.field_saved" { entity_id: String, field_key: String, surface_id: String }
    SurfaceOpened(SurfaceOpened) = "surface.opened" { entity_id: String, surface_id: String }
    SurfacePendingReview(SurfacePendingReview) = "surface.pending_review" { entity_id: String, form_template_id: Option<String>, review_required: Option<bool>, source: Option<String>, surface_id: String }
    SurfaceReshaped(SurfaceReshaped) = "surface.reshaped" { original_surface_id: String, surface_id: String }
    SurfaceReviewApproved(SurfaceReviewApproved) = "surface.review_approved" { surface_id: String }
    SurfaceReviewRejected(SurfaceReviewRejected) = "surface.review_rejected" { reason: Option<String>, surface_id: String }
    SurfaceSubmitted(SurfaceSubmitted) = "surface.submitted" { entity_id: String, fields_submitted: Option<Vec<String>>, submitted_at: Option<String>, surface_id: String }
    SurfaceUpdated(SurfaceUpdated) = "surface.updated" { surface_id: String }
    TextCompleted(TextCompleted) = "text.completed" { channel_kind: String, completion_reason: Option<String>, duration_seconds: f64, final_state: String, session_id: String, turn_count: i64 }
    TextStarted(TextStarted) = "text.started" { channel_kind: String, entity_id: Option<String>, service_id: String, session_id: String }
    TriggerCompleted(TriggerCompleted) = "trigger.completed" { status: String, trigger_id: String, trigger_name: String }
    TriggerFailed(TriggerFailed) = "trigger.failed" { status: String, trigger_id: String, trigger_name: String }
    TriggerFired(TriggerFired) = "trigger.fired" { manual: Option<bool>, trigger_id: String, trigger_name: String }
    WorkspaceInvitationAccepted(WorkspaceInvitationAccepted) = "workspace.invitation_accepted" { entity_id: String, role: String }
    WorkspaceInvitationSent(WorkspaceInvitationSent) = "workspace.invitation_sent" { invitation_id: String, resent: Option<bool>, role: String }
    WorkspaceMemberAdded(WorkspaceMemberAdded) = "workspace.member_added" { entity_id: String, role: String }
    WorkspaceMemberRoleUpdated(WorkspaceMemberRoleUpdated) = "workspace.member_role_updated" { entity_id: String, previous_role: String, role: String }
}

payloads! {
    /// The typed payload of a turn-stream frame; only these 7 names are accepted.
    enum TurnEventKind;
    Done(TurnDone) = "done" { conversation_id: String, status: String, turn_count: i64 }
    Error(TurnError) = "error" { code: Option<String>, message: String, retryable: Option<bool>, status_code: Option<i64> }
    Message(TurnMessage) = "message" { role: String, text: String }
    Thinking(TurnThinking) = "thinking" { tier: i64, tier_name: String }
    Token(TurnToken) = "token" { text: String }
    ToolCallCompleted(TurnToolCallCompleted) = "tool_call_completed" { call_id: String, result: String, succeeded: bool, tool_name: String }
    ToolCallStarted(TurnToolCallStarted) = "tool_call_started" { call_id: String, input: String, tool_name: String }
}
