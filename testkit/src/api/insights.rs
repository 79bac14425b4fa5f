//! Read-only summaries over the seeded data: the analytics dashboard and call statistics, and
//! world search over the seeded entities.
//!
//! | Method | Path | Behaviour |
//! |---|---|---|
//! | `GET` | `/v1/{ws}/analytics/dashboard` | counts of agents, calls, conversations and entities over `days` (default 7) |
//! | `GET` | `/v1/{ws}/analytics/calls` | the `CallStatsResponse` shape: totals, average duration and calls per day over `days` (default 30) |
//! | `GET` | `/v1/{ws}/world/search` | entities whose name, type or id contain `q` (required), filtered by `entity_type`, paged by `limit`/`offset` |

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use http::{Method, StatusCode};
use serde_json::{json, Value};

use super::areas::AreaReq;
use super::params::{int_param, last, IntRule, LIMIT_20_OF_100, OFFSET};
use super::{Reply, Store};
use crate::util::rfc3339;

/// `days` of the dashboard.
const DASHBOARD_DAYS: IntRule = IntRule {
    name: "days",
    default: 7,
    gt: None,
    ge: Some(1),
    le: Some(90),
};

/// `days` of the call statistics.
const CALL_DAYS: IntRule = IntRule {
    name: "days",
    default: 30,
    gt: None,
    ge: Some(1),
    le: Some(90),
};

/// Whether `rest` (after `/v1/{ws}`) is one of these paths.
pub(super) fn knows(rest: &[&str]) -> bool {
    matches!(
        rest,
        ["analytics", "dashboard"] | ["analytics", "calls"] | ["world", "search"]
    )
}

/// The summary routes (all `GET`).
pub(super) fn route(store: &mut Store, ws: &str, a: &AreaReq<'_>) -> Option<Reply> {
    if a.req.method != Method::GET {
        return None;
    }
    let mut errors = Vec::new();
    let w = store.ws(ws);
    let reply = match a.rest {
        ["analytics", "dashboard"] => {
            let days = int_param(a.query, &DASHBOARD_DAYS, &mut errors);
            json!({
                "days": days,
                "agents": w.agents.len(),
                "calls": w.calls.len(),
                "conversations": w.conversations.len(),
                "entities": w.entities.len(),
            })
        }
        ["analytics", "calls"] => {
            let days = int_param(a.query, &CALL_DAYS, &mut errors);
            // Calls per day (the date part of `started_at`), oldest first.
            let mut by_date: BTreeMap<String, (i64, f64)> = BTreeMap::new();
            let mut seconds = 0.0;
            for call in &w.calls {
                let at = call["started_at"].as_str().unwrap_or_default();
                let day = by_date.entry(at.chars().take(10).collect()).or_default();
                let duration = call["duration_seconds"].as_f64().unwrap_or(0.0);
                day.0 += 1;
                day.1 += duration;
                seconds += duration;
            }
            let total = w.calls.len();
            let average = if total == 0 {
                0.0
            } else {
                seconds / total as f64
            };
            let now = SystemTime::now();
            let span = Duration::from_secs(u64::try_from(days).unwrap_or(0) * 86_400);
            let date = |t: SystemTime| rfc3339(t).chars().take(10).collect::<String>();
            let daily: Vec<Value> = by_date
                .into_iter()
                .map(|(date, (count, secs))| {
                    json!({"date": date, "count": count, "avg_duration_seconds": secs / count as f64})
                })
                .collect();
            json!({
                "workspace_id": ws,
                "period_start": date(now.checked_sub(span).unwrap_or(now)),
                "period_end": date(now),
                "total_calls": total,
                "total_duration_seconds": seconds,
                "avg_duration_seconds": average,
                "calls_by_date": daily,
            })
        }
        ["world", "search"] => {
            let limit = int_param(a.query, &LIMIT_20_OF_100, &mut errors);
            let offset = int_param(a.query, &OFFSET, &mut errors);
            let Some(q) = last(a.query, "q").map(str::to_lowercase) else {
                errors.push(json!({
                    "type": "missing",
                    "loc": ["query", "q"],
                    "msg": "Field required",
                    "input": null,
                }));
                return Some(Reply::validation(errors));
            };
            let entity_type = last(a.query, "entity_type");
            let hits: Vec<Value> = w
                .entities
                .iter()
                .filter(|e| entity_type.is_none_or(|t| e["entity_type"] == t))
                .filter(|e| {
                    ["name", "display_name", "entity_type", "canonical_id", "id"]
                        .iter()
                        .filter_map(|f| e[*f].as_str())
                        .any(|v| v.to_lowercase().contains(&q))
                })
                .cloned()
                .collect();
            let total = hits.len();
            let skip = usize::try_from(offset).unwrap_or(0);
            let take = usize::try_from(limit).unwrap_or(0);
            let results: Vec<Value> = hits
                .into_iter()
                .skip(skip)
                .take(take)
                .map(|e| json!({"entity": e, "score": 1.0}))
                .collect();
            json!({"query": q, "total": total, "results": results})
        }
        _ => return None,
    };
    if !errors.is_empty() {
        return Some(Reply::validation(errors));
    }
    Some(Reply::json(StatusCode::OK, &reply))
}

#[cfg(test)]
mod tests {
    use super::super::areas::{body_json, send};
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn search_and_summaries_read_the_seeded_data() {
        let store = Mutex::new(Store::default());
        {
            let mut s = store.lock().unwrap_or_else(|e| e.into_inner());
            s.seed_entities("ws-1", 12);
            s.seed_calls("ws-1", 2);
        }
        let hits = body_json(&send(
            &store,
            Method::GET,
            "/v1/ws-1/world/search?q=ENTITY-1&limit=2",
            &[],
            b"",
        ));
        // entity-1, entity-10, entity-11 and entity-12 match; two fit the page.
        assert_eq!(
            (
                hits["total"].as_u64(),
                hits["results"].as_array().map(Vec::len)
            ),
            (Some(4), Some(2))
        );
        let typed = body_json(&send(
            &store,
            Method::GET,
            "/v1/ws-1/world/search?q=entity&entity_type=organization",
            &[],
            b"",
        ));
        assert_eq!(typed["total"], 4);
        let missing = send(&store, Method::GET, "/v1/ws-1/world/search", &[], b"");
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        let dash = body_json(&send(
            &store,
            Method::GET,
            "/v1/ws-1/analytics/dashboard",
            &[],
            b"",
        ));
        assert_eq!(
            (
                dash["days"].as_i64(),
                dash["entities"].as_u64(),
                dash["calls"].as_u64()
            ),
            (Some(7), Some(12), Some(2))
        );
        let calls = body_json(&send(
            &store,
            Method::GET,
            "/v1/ws-1/analytics/calls?days=3",
            &[],
            b"",
        ));
        assert_eq!(
            (
                calls["total_calls"].as_u64(),
                calls["calls_by_date"][0]["count"].as_u64(),
                calls["period_end"].as_str().map(str::len)
            ),
            (Some(2), Some(2), Some(10))
        );
        let bad = send(
            &store,
            Method::GET,
            "/v1/ws-1/analytics/calls?days=0",
            &[],
            b"",
        );
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}
