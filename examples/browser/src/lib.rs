//! A minimal browser page over the wasm transport: lists the workspace's agents and appends
//! live workspace events as they arrive. Build and run it with `.ci/browser-example` (see the
//! README section "Browser example").

#![forbid(unsafe_code)]

#[cfg(target_arch = "wasm32")]
mod page {
    use amigo_platform::browser::sse::{subscribe, StreamItem};
    use amigo_platform::browser::Client;
    use amigo_platform::core::sse::SseOptions;
    use amigo_platform::{ApiExt, Config};
    use wasm_bindgen::prelude::*;

    fn append(list_id: &str, text: &str) -> Result<(), JsValue> {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or_else(|| JsValue::from_str("no document"))?;
        let list = document
            .get_element_by_id(list_id)
            .ok_or_else(|| JsValue::from_str("missing list element"))?;
        let item = document.create_element("li")?;
        item.set_text_content(Some(text));
        list.append_child(&item)?;
        Ok(())
    }

    fn set_status(text: &str) -> Result<(), JsValue> {
        let document = web_sys::window()
            .and_then(|w| w.document())
            .ok_or_else(|| JsValue::from_str("no document"))?;
        if let Some(el) = document.get_element_by_id("status") {
            el.set_text_content(Some(text));
        }
        Ok(())
    }

    /// Lists agents into `#agents`, then streams workspace events into `#events` forever.
    #[wasm_bindgen]
    pub async fn start(
        base_url: String,
        api_key: String,
        workspace: String,
    ) -> Result<(), JsValue> {
        let config = Config::builder()
            .api_key(api_key)
            .workspace_id(workspace)
            .base_url(base_url)
            .build()
            .map_err(|e| JsValue::from_str(e.message()))?;
        let client = Client::new(config);
        let mut agents = client.api().agents().list_auto_paging().send();
        let mut n = 0;
        while let Some(agent) = agents.next_item().await {
            let agent = agent.map_err(|e| JsValue::from_str(e.message()))?;
            append("agents", &agent.name)?;
            n += 1;
        }
        set_status(&format!("{n} agents; waiting for events"))?;
        let mut events = subscribe(&client, SseOptions::new());
        while let Some(item) = events.next_item().await {
            match item {
                Ok(StreamItem::Event(e)) => append(
                    "events",
                    &format!("{} {}", e.event_type, serde_json_text(&e.data)),
                )?,
                Ok(StreamItem::State(s)) => {
                    use amigo_platform::core::sse::StreamState;
                    let text = match s {
                        StreamState::Connecting { .. } => "connecting".to_owned(),
                        StreamState::Open | StreamState::Opened(_) => "live".to_owned(),
                        // Whole milliseconds: `{delay:?}` would link Duration's Debug.
                        StreamState::Reconnecting { attempt, delay, .. } => format!(
                            "reconnecting (attempt {attempt}, in {} ms)",
                            delay.as_millis()
                        ),
                        StreamState::Closed { .. } => "closed".to_owned(),
                    };
                    set_status(&format!("{n} agents; events: {text}"))?
                }
                Err(e) => {
                    set_status(&format!("stream ended: {}", e.message()))?;
                    break;
                }
            }
        }
        Ok(())
    }

    /// `key=value` pairs of an event's data (its `event_type` left out), in the map's order:
    /// sorted by key, as serde_json's default map is a `BTreeMap` (no sort linked in here).
    fn serde_json_text(map: &serde_json::Map<String, serde_json::Value>) -> String {
        use std::fmt::Write as _;
        let mut text = String::new();
        for (k, v) in map.iter().filter(|(k, _)| *k != "event_type") {
            let sep = if text.is_empty() { "" } else { " " };
            let _ = write!(text, "{sep}{k}={v}");
        }
        text
    }
}
