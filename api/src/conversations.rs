//! Curated members of the `conversations` namespace that are not one REST call:
//! [`send_message`](crate::namespaces::Conversations::send_message), a composite of the
//! generated `conversations().create` and `conversations().create_turn`.
//!
//! ```no_run
//! use amigo_platform_api::conversations::{created_conversation_id, SendMessageRequest};
//! use amigo_platform_api::ApiExt;
//! use amigo_platform_core::Config;
//!
//! let client = amigo_platform_ureq::Client::new(Config::from_env()?);
//! let chat = client.api().conversations();
//!
//! // Without a conversation id: creates one (no greeting), then sends the first turn.
//! let first = chat.send_message(SendMessageRequest::new("service-id", "Hello!")).send()?;
//! for turn in &first.messages {
//!     println!("agent: {}", turn.text);
//! }
//!
//! // With one: only the turn.
//! let next = SendMessageRequest::new("service-id", "Tuesday, please")
//!     .conversation_id(&first.conversation_id);
//! match chat.send_message(next).send() {
//!     Ok(reply) => println!("{} agent turns", reply.messages.len()),
//!     // A failed turn after a conversation was created names it (it is left open).
//!     Err(e) => println!("failed in {:?}: {e}", created_conversation_id(&e)),
//! }
//! # Ok::<(), amigo_platform_core::Error>(())
//! ```
//!
//! On the async clients the same value is `.await`ed (`chat.send_message(req).await?`).
//!
//! ## How it runs on every transport
//!
//! The method is written once, over the core's [`Transport`]: its sends are chained with
//! [`Transport::then`] and [`Transport::ready`], which each transport implements in its own
//! shape (a plain function call on the blocking client, one future on the async ones). Both
//! requests are built up front from the namespace, so its scope (`with_options`) and the
//! client's apply to each; the turn's conversation id is filled in once the create answers.

use crate::call::Call;
use crate::generated::models as m;
use crate::generated::namespaces::Conversations;
use crate::generated::ops::conversations::{CreateConversation, CreateTurn};
use amigo_platform_core::Transport;
use amigo_platform_core::{CancelToken, Error, RequestOptions};
use serde_json::Value;
use std::time::Duration;

/// The key of [`Error::extra`] under which a failed [`SendMessage`] records the conversation
/// it created (read it with [`created_conversation_id`]).
pub const CREATED_CONVERSATION_ID: &str = "conversation_id";

/// The input of [`Conversations::send_message`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SendMessageRequest {
    /// The service to start a conversation with (unused when `conversation_id` is set).
    pub service_id: String,
    /// The user's message: the turn's text.
    pub message: String,
    /// The entity (for example the patient) a new conversation is about, if any.
    pub entity_id: Option<String>,
    /// An existing conversation to continue; `None` creates a new one.
    pub conversation_id: Option<String>,
}

impl SendMessageRequest {
    /// A message for a new conversation with `service_id`.
    pub fn new(service_id: impl Into<String>, message: impl Into<String>) -> Self {
        SendMessageRequest {
            service_id: service_id.into(),
            message: message.into(),
            entity_id: None,
            conversation_id: None,
        }
    }

    /// Sets the entity a new conversation is about.
    pub fn entity_id(mut self, entity_id: impl Into<String>) -> Self {
        self.entity_id = Some(entity_id.into());
        self
    }

    /// Continues an existing conversation instead of creating one.
    pub fn conversation_id(mut self, conversation_id: impl Into<String>) -> Self {
        self.conversation_id = Some(conversation_id.into());
        self
    }
}

/// The result of [`Conversations::send_message`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SendMessageResponse {
    /// The conversation the message went to (the new one when it was created).
    pub conversation_id: String,
    /// The agent's answer: the turn's `output` (schema `ConversationTurn`, each with `text`).
    pub messages: Vec<m::ConversationTurn>,
}

/// A [`Conversations::send_message`] call: set per-call options, then `.send()` (blocking)
/// or `.await` (async).
///
/// Per-call options apply to each request it makes (the create, if any, and the turn).
#[must_use = "a call does nothing until it is sent"]
pub struct SendMessage<'c, E> {
    create: Option<Call<'c, E, CreateConversation>>,
    turn: Call<'c, E, CreateTurn>,
}

impl<E> std::fmt::Debug for SendMessage<'_, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendMessage")
            .field("create", &self.create)
            .field("turn", &self.turn)
            .finish()
    }
}

impl<'c, E: Transport> Conversations<'c, E> {
    /// Sends a user message and returns the agent's answer, creating the conversation first
    /// when `request.conversation_id` is `None`.
    ///
    /// - Without a conversation id: `create({service_id, entity_id, auto_greet: false})`, then
    ///   `create_turn(new_id, {message})` — two requests.
    /// - With one: `create_turn(id, {message})` only.
    ///
    /// Returns `{conversation_id, messages}`, `messages` being the turn's `output`. When the
    /// turn fails after a conversation was created, the error is the turn's, with the new id
    /// added to its [`extra`](Error::extra) (see [`created_conversation_id`]); the
    /// conversation is not closed.
    pub fn send_message(&self, request: SendMessageRequest) -> SendMessage<'c, E> {
        let SendMessageRequest {
            service_id,
            message,
            entity_id,
            conversation_id,
        } = request;
        let turn = m::TurnRequest::new(message);
        match conversation_id {
            Some(id) => SendMessage {
                create: None,
                turn: self.create_turn(id, turn),
            },
            None => {
                let mut body = m::CreateConversationRequest::new(service_id).auto_greet(false);
                if let Some(entity_id) = entity_id {
                    body = body.entity_id(entity_id);
                }
                SendMessage {
                    create: Some(self.create(body)),
                    // The id is filled in from the create's answer before this is sent.
                    turn: self.create_turn(String::new(), turn),
                }
            }
        }
    }
}

impl<'c, E: Transport> SendMessage<'c, E> {
    /// Whether sending makes two requests (create, then turn) rather than the turn alone.
    pub fn creates_conversation(&self) -> bool {
        self.create.is_some()
    }

    /// Layers per-call options over the scopes, for each request.
    pub fn options(self, options: RequestOptions) -> Self {
        SendMessage {
            create: self.create.map(|c| c.options(options.clone())),
            turn: self.turn.options(options),
        }
    }

    /// A per-call header on each request (`Authorization` is ignored).
    pub fn header(self, name: &str, value: &str) -> Self {
        self.options(RequestOptions::new().header(name, value))
    }

    /// The per-attempt timeout of each request; zero disables the client's.
    pub fn timeout(self, timeout: Duration) -> Self {
        self.options(RequestOptions::new().timeout(timeout))
    }

    /// The overall deadline of each request (counted per request, not for both together);
    /// zero disables the client's.
    pub fn deadline(self, deadline: Duration) -> Self {
        self.options(RequestOptions::new().deadline(deadline))
    }

    /// A cancellation token for both requests: once cancelled, nothing more is sent.
    pub fn cancel_token(self, token: CancelToken) -> Self {
        self.options(RequestOptions::new().cancel_token(token))
    }

    /// Sends the message: returns the answer (blocking) or a future of it (async).
    pub fn send(self) -> E::Sent<SendMessageResponse> {
        let exec = self.turn.client().transport().clone();
        let mut turn = self.turn.into_context();
        let Some(create) = self.create else {
            let id = turn.op.conversation_id.clone();
            return E::map(exec.execute_data(turn), move |output| {
                Ok(answer(id, output?))
            });
        };
        E::then(create.send(), move |created| {
            let id = match created {
                // A `String`, also when the `uuid` feature types the field.
                Ok(conversation) => conversation.id.to_string(),
                Err(e) => return E::ready(Err(e)),
            };
            turn.op.conversation_id = id.clone();
            E::map(exec.execute_data(turn), move |output| match output {
                Ok(output) => Ok(answer(id, output)),
                Err(e) => Err(with_created_conversation_id(e, &id)),
            })
        })
    }
}

impl<'c, E: Transport> std::future::IntoFuture for SendMessage<'c, E>
where
    E::Sent<SendMessageResponse>: std::future::Future,
{
    type Output = <E::Sent<SendMessageResponse> as std::future::Future>::Output;
    type IntoFuture = E::Sent<SendMessageResponse>;
    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

/// The conversation a failed [`SendMessage`] created before its turn failed, if it did.
///
/// `None` for every other error, including a failed create (nothing was created) and a failed
/// turn in a conversation the caller named.
pub fn created_conversation_id(error: &Error) -> Option<&str> {
    error.extra()?.get(CREATED_CONVERSATION_ID)?.as_str()
}

fn answer(conversation_id: String, turn: m::TurnResponse) -> SendMessageResponse {
    SendMessageResponse {
        conversation_id,
        messages: turn.output,
    }
}

/// Adds the created conversation's id to the error's extra data, keeping what was there.
fn with_created_conversation_id(error: Error, id: &str) -> Error {
    let extra = match error.extra().cloned() {
        Some(Value::Object(mut map)) => {
            map.insert(CREATED_CONVERSATION_ID.to_owned(), Value::from(id));
            Value::Object(map)
        }
        None => serde_json::json!({ CREATED_CONVERSATION_ID: id }),
        Some(other) => serde_json::json!({ CREATED_CONVERSATION_ID: id, "extra": other }),
    };
    error.with_extra(extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_created_id_is_added_without_losing_extra_data() {
        let plain = with_created_conversation_id(Error::config("x"), "c-1");
        assert_eq!(created_conversation_id(&plain), Some("c-1"));
        assert_eq!(plain.message(), "x");

        let framed = Error::config("x").with_extra(serde_json::json!({"code": 7}));
        let framed = with_created_conversation_id(framed, "c-2");
        assert_eq!(created_conversation_id(&framed), Some("c-2"));
        assert_eq!(
            framed.extra().and_then(|e| e.get("code")),
            Some(&Value::from(7))
        );

        let scalar = Error::config("x").with_extra(Value::from("raw"));
        let scalar = with_created_conversation_id(scalar, "c-3");
        assert_eq!(created_conversation_id(&scalar), Some("c-3"));
        assert_eq!(
            scalar.extra().and_then(|e| e.get("extra")),
            Some(&Value::from("raw"))
        );

        assert_eq!(created_conversation_id(&Error::config("x")), None);
    }

    #[test]
    fn request_builder_sets_each_field() {
        let r = SendMessageRequest::new("svc", "hi")
            .entity_id("ent")
            .conversation_id("conv");
        assert_eq!(
            r,
            SendMessageRequest {
                service_id: "svc".into(),
                message: "hi".into(),
                entity_id: Some("ent".into()),
                conversation_id: Some("conv".into()),
            }
        );
    }
}
