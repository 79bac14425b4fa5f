//! Tests of the Pager machine.

use super::*;
use crate::call::operation::{Operation, PageData, RequestParts};
use crate::call::options::RequestOptions;
use crate::call::query::Query;
use crate::call::request::prepare;
use crate::call::test_ops::{Agent, ListAgents, TokenPage};
use crate::config::Config;
use crate::error::ErrorKind;
use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::Deserialize;

const MAX_STEPS: usize = 100;

fn meta() -> ResponseMeta {
    ResponseMeta::new(StatusCode::OK, HeaderMap::new(), web_time::UNIX_EPOCH)
}

fn resp<T>(data: T) -> Response<T> {
    Response { data, meta: meta() }
}

fn config() -> Config {
    Config::builder()
        .api_key("sk-test")
        .workspace_id("ws-001")
        .base_url("https://api.test")
        .build()
        .unwrap()
}

fn url_of<O: Operation>(op: &O) -> String {
    prepare(op, &config(), &RequestOptions::new(), None)
        .unwrap()
        .url
}

fn agent(id: &str) -> Agent {
    Agent {
        id: id.to_owned(),
        workspace_id: "ws-001".into(),
        name: id.to_owned(),
        description: String::new(),
        created_at: "2024-01-01T00:00:00Z".into(),
        updated_at: "2024-01-01T00:00:00Z".into(),
        latest_version: None,
    }
}

fn token_page(ids: &[&str], has_more: bool, token: Option<i64>) -> TokenPage<Agent> {
    TokenPage {
        items: ids.iter().map(|i| agent(i)).collect(),
        has_more,
        continuation_token: token,
        total: Some(2),
    }
}

/// What a full pager run produced.
#[derive(Debug)]
struct Outcome<O, I> {
    requests: Vec<O>,
    items: Vec<I>,
    error: Option<Error>,
}

/// Drives a pager against `respond(request_index, op)`; bounded to `MAX_STEPS` pages.
fn drive<O: Paginated>(
    mut pager: Pager<O>,
    mut respond: impl FnMut(usize, &O) -> O::Output,
) -> Outcome<O, O::Item> {
    let mut out = Outcome {
        requests: Vec::new(),
        items: Vec::new(),
        error: None,
    };
    for _ in 0..MAX_STEPS {
        match pager.next_request() {
            None => return out,
            Some(Err(e)) => {
                assert!(out.error.is_none(), "second error after {:?}", out.error);
                out.error = Some(e);
            }
            Some(Ok(op)) => {
                let data = respond(out.requests.len(), &op);
                out.requests.push(op);
                let page = pager.handle_page(resp(data));
                out.items.extend(page.items);
            }
        }
    }
    panic!("pager did not end within {MAX_STEPS} steps");
}

// ---------------------------------------------------------------------------------------------
// Token
// ---------------------------------------------------------------------------------------------

#[test]
fn token_pages_follow_the_cursor_and_keep_the_limit() {
    let first = ListAgents {
        search: Some("bot".into()),
        limit: Some(5),
        ..ListAgents::default()
    };
    let pager = Pager::new(first, 10_000);
    let out = drive(pager, |i, _| match i {
        0 => token_page(&["a"], true, Some(1)),
        _ => token_page(&["b"], false, None),
    });
    assert!(out.error.is_none());
    let ids: Vec<&str> = out.items.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(out.requests.len(), 2);
    assert_eq!(out.requests[0].cursor(), None);
    assert_eq!(out.requests[1].cursor(), Some(1));
    assert_eq!(out.requests[1].limit, Some(5));
    assert_eq!(out.requests[1].search.as_deref(), Some("bot"));
    assert_eq!(
        url_of(&out.requests[0]),
        "https://api.test/v1/ws-001/agents?search=bot&limit=5"
    );
    assert_eq!(
        url_of(&out.requests[1]),
        "https://api.test/v1/ws-001/agents?search=bot&limit=5&continuation_token=1"
    );
}

#[test]
fn first_request_is_the_callers_unchanged() {
    let first = ListAgents {
        limit: Some(2),
        continuation_token: Some(40),
        ..ListAgents::default()
    };
    let mut pager = Pager::new(first.clone(), 10);
    let op = pager.next_request().unwrap().unwrap();
    assert_eq!(op, first);
    assert_eq!(pager.pages_fetched(), 1);
}

#[test]
fn page_carries_links_and_metadata() {
    let mut pager = Pager::new(ListAgents::default(), 10);
    let _ = pager.next_request().unwrap().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert("x-request-id", "rid-1".parse().unwrap());
    let page = pager.handle_page(Response {
        data: token_page(&["a", "b"], true, Some(2)),
        meta: ResponseMeta::new(StatusCode::OK, headers, web_time::UNIX_EPOCH),
    });
    assert_eq!(page.items.len(), 2);
    assert!(page.has_more);
    assert_eq!(page.total, Some(2));
    assert_eq!(page.next_cursor, Some(2));
    assert_eq!(page.meta.request_id.as_deref(), Some("rid-1"));
}

#[test]
fn repeated_token_is_a_pagination_error_after_that_pages_items() {
    let pager = Pager::new(ListAgents::default(), 10_000);
    let out = drive(pager, |i, _| match i {
        0 => token_page(&["a"], true, Some(1)),
        1 => token_page(&["b"], true, Some(1)),
        _ => panic!("a third page must not be requested"),
    });
    let ids: Vec<&str> = out.items.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(out.requests.len(), 2);
    let e = out.error.expect("pagination error");
    assert_eq!(e.kind(), ErrorKind::Pagination);
    assert_eq!(e.message(), "Pagination stopped: repeated cursor 1");
}

#[test]
fn token_returning_to_the_start_is_repeated() {
    // An unset cursor counts as offset 0.
    let pager = Pager::new(ListAgents::default(), 10_000);
    let out = drive(pager, |i, _| match i {
        0 => token_page(&["a"], true, Some(1)),
        1 => token_page(&["b"], true, Some(0)),
        _ => panic!("no third page"),
    });
    assert_eq!(out.requests.len(), 2);
    assert_eq!(
        out.error.unwrap().message(),
        "Pagination stopped: repeated cursor 0"
    );
}

#[test]
fn page_limit_stops_an_endless_listing() {
    let pager = Pager::new(ListAgents::default(), 3);
    let out = drive(pager, |i, _| token_page(&["x"], true, Some(i as i64 + 1)));
    assert_eq!(out.requests.len(), 3);
    assert_eq!(out.items.len(), 3);
    let e = out.error.expect("page limit error");
    assert_eq!(e.kind(), ErrorKind::Pagination);
    assert_eq!(e.message(), "Pagination stopped: page limit 3 reached");
}

#[test]
fn page_limit_not_reported_when_the_last_allowed_page_is_final() {
    let pager = Pager::new(ListAgents::default(), 2);
    let out = drive(pager, |i, _| match i {
        0 => token_page(&["a"], true, Some(1)),
        _ => token_page(&["b"], false, None),
    });
    assert_eq!(out.requests.len(), 2);
    assert!(out.error.is_none());
}

#[test]
fn has_more_without_a_cursor_stops() {
    let pager = Pager::new(ListAgents::default(), 10_000);
    let out = drive(pager, |i, _| {
        assert_eq!(i, 0, "only one page");
        token_page(&["a"], true, None)
    });
    assert_eq!(out.requests.len(), 1);
    assert_eq!(out.items.len(), 1);
    assert!(out.error.is_none());
}

#[test]
fn has_more_false_stops_even_with_a_cursor() {
    let pager = Pager::new(ListAgents::default(), 10_000);
    let out = drive(pager, |_, _| token_page(&["a"], false, Some(7)));
    assert_eq!(out.requests.len(), 1);
    assert!(out.error.is_none());
}

#[test]
fn fail_ends_the_pager() {
    let mut pager = Pager::new(ListAgents::default(), 10_000);
    let _ = pager.next_request().unwrap().unwrap();
    let _ = pager.handle_page(resp(token_page(&["a"], true, Some(1))));
    let op = pager.next_request().unwrap().unwrap();
    assert_eq!(op.cursor(), Some(1));
    // The page-2 call failed; the driver yields its error and reports it.
    pager.fail();
    assert!(pager.next_request().is_none());
    assert!(pager.next_request().is_none());
}

#[test]
fn fail_before_any_page_ends_the_pager() {
    let mut pager = Pager::new(ListAgents::default(), 10_000);
    let _ = pager.next_request().unwrap().unwrap();
    pager.fail();
    assert!(pager.next_request().is_none());
}

// ---------------------------------------------------------------------------------------------
// Offset pagers via a test-only operation
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
struct OffsetList {
    kind: PagerKind,
    limit: Option<i64>,
    offset: Option<i64>,
    filter: Option<String>,
}

impl OffsetList {
    fn new(kind: PagerKind) -> Self {
        OffsetList {
            kind,
            limit: Some(2),
            offset: None,
            filter: Some("f".into()),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
struct OffsetPage {
    #[serde(default)]
    items: Vec<i64>,
    has_more: Option<bool>,
    next_offset: Option<i64>,
    offset: Option<i64>,
    total: Option<i64>,
}

fn page(items: &[i64], has_more: bool) -> OffsetPage {
    OffsetPage {
        items: items.to_vec(),
        has_more: Some(has_more),
        ..OffsetPage::default()
    }
}

impl Operation for OffsetList {
    type Output = OffsetPage;
    fn method(&self) -> Method {
        Method::GET
    }
    fn path_template(&self) -> &str {
        "/v1/{workspace_id}/things"
    }
    fn operation_id(&self) -> &str {
        "list-things"
    }
    fn parts(&self) -> Result<RequestParts, Error> {
        let mut q = Query::new();
        q.push("filter", self.filter.clone())
            .push("limit", self.limit)
            .push("offset", self.offset);
        Ok(RequestParts::new().query(q))
    }
    fn parse(&self, response: http::Response<Bytes>) -> Result<OffsetPage, Error> {
        crate::call::parse::json(response)
    }
}

impl Paginated for OffsetList {
    type Item = i64;
    fn pager_kind(&self) -> PagerKind {
        self.kind
    }
    fn cursor(&self) -> Option<i64> {
        self.offset
    }
    fn with_cursor(&self, cursor: i64) -> Self {
        OffsetList {
            offset: Some(cursor),
            ..self.clone()
        }
    }
    fn page(o: OffsetPage) -> PageData<i64> {
        PageData {
            items: o.items,
            has_more: o.has_more,
            next_cursor: o.next_offset,
            total: o.total,
            offset: o.offset,
        }
    }
}

#[test]
fn next_offset_follows_next_offset() {
    let pager = Pager::new(OffsetList::new(PagerKind::NextOffset), 10_000);
    let out = drive(pager, |i, _| match i {
        0 => OffsetPage {
            next_offset: Some(1),
            ..page(&[10], true)
        },
        _ => OffsetPage {
            next_offset: None,
            ..page(&[11], true)
        },
    });
    assert!(out.error.is_none());
    assert_eq!(out.items, [10, 11]);
    assert_eq!(out.requests.len(), 2);
    assert_eq!(out.requests[1].cursor(), Some(1));
    assert_eq!(
        url_of(&out.requests[1]),
        "https://api.test/v1/ws-001/things?filter=f&limit=2&offset=1"
    );
}

#[test]
fn next_offset_stops_on_has_more_false() {
    let pager = Pager::new(OffsetList::new(PagerKind::NextOffset), 10_000);
    let out = drive(pager, |_, _| OffsetPage {
        next_offset: Some(5),
        ..page(&[1], false)
    });
    assert_eq!(out.requests.len(), 1);
    assert!(out.error.is_none());
}

#[test]
fn non_advancing_next_offset_is_a_pagination_error() {
    for stuck in [0, 2, 1] {
        let first = OffsetList {
            offset: Some(2),
            ..OffsetList::new(PagerKind::NextOffset)
        };
        let pager = Pager::new(first, 10_000);
        let out = drive(pager, |i, _| {
            assert_eq!(i, 0);
            OffsetPage {
                next_offset: Some(stuck),
                ..page(&[7], true)
            }
        });
        assert_eq!(out.items, [7], "items of the page are still yielded");
        let e = out.error.expect("error");
        assert_eq!(e.kind(), ErrorKind::Pagination);
        assert_eq!(
            e.message(),
            format!("Pagination stopped: repeated cursor {stuck}")
        );
    }
}

#[test]
fn derived_offset_adds_the_item_count() {
    let first = OffsetList {
        offset: Some(4),
        ..OffsetList::new(PagerKind::DerivedOffset)
    };
    let pager = Pager::new(first, 10_000);
    let out = drive(pager, |i, op| match i {
        0 => {
            assert_eq!(op.offset, Some(4));
            page(&[1, 2], true)
        }
        1 => {
            assert_eq!(op.offset, Some(6));
            page(&[3], true)
        }
        2 => {
            assert_eq!(op.offset, Some(7));
            page(&[4, 5], false)
        }
        _ => panic!("no fourth page"),
    });
    assert!(out.error.is_none());
    assert_eq!(out.items, [1, 2, 3, 4, 5]);
    assert_eq!(
        url_of(&out.requests[1]),
        "https://api.test/v1/ws-001/things?filter=f&limit=2&offset=6"
    );
}

#[test]
fn derived_offset_starts_from_zero_when_unset() {
    let pager = Pager::new(OffsetList::new(PagerKind::DerivedOffset), 10_000);
    let out = drive(pager, |i, _| match i {
        0 => page(&[1, 2], true),
        _ => page(&[3], false),
    });
    assert_eq!(out.requests[0].offset, None);
    assert_eq!(out.requests[1].offset, Some(2));
}

#[test]
fn derived_offset_uses_the_response_offset_audit_style() {
    // audit.list: page 1 {events:[2 items], offset:0, limit:2, has_more:true} → offset=2.
    let pager = Pager::new(OffsetList::new(PagerKind::DerivedOffset), 10_000);
    let out = drive(pager, |i, _| match i {
        0 => OffsetPage {
            offset: Some(0),
            total: Some(3),
            ..page(&[1, 2], true)
        },
        1 => OffsetPage {
            offset: Some(2),
            ..page(&[3], false)
        },
        _ => panic!("no third page"),
    });
    assert_eq!(out.requests[1].offset, Some(2));
    assert_eq!(out.items, [1, 2, 3]);

    // The response's offset wins over the request's.
    let first = OffsetList {
        offset: Some(3),
        ..OffsetList::new(PagerKind::DerivedOffset)
    };
    let pager = Pager::new(first, 10_000);
    let out = drive(pager, |i, _| match i {
        0 => OffsetPage {
            offset: Some(10),
            ..page(&[1, 2], true)
        },
        _ => page(&[], false),
    });
    assert_eq!(out.requests[1].offset, Some(12));
}

#[test]
fn derived_offset_stops_on_an_empty_page() {
    let pager = Pager::new(OffsetList::new(PagerKind::DerivedOffset), 10_000);
    let out = drive(pager, |i, _| match i {
        0 => page(&[1], true),
        _ => page(&[], true),
    });
    assert_eq!(out.requests.len(), 2);
    assert!(out.error.is_none());
}

#[test]
fn derived_offset_that_does_not_advance_is_a_pagination_error() {
    // Request offset 10, but the response claims offset 0 with 2 items → next 2 ≤ 10.
    let first = OffsetList {
        offset: Some(10),
        ..OffsetList::new(PagerKind::DerivedOffset)
    };
    let pager = Pager::new(first, 10_000);
    let out = drive(pager, |i, _| {
        assert_eq!(i, 0);
        OffsetPage {
            offset: Some(0),
            ..page(&[1, 2], true)
        }
    });
    assert_eq!(out.items, [1, 2]);
    let e = out.error.expect("error");
    assert_eq!(e.kind(), ErrorKind::Pagination);
    assert_eq!(e.message(), "Pagination stopped: repeated cursor 2");
}

#[test]
fn offset_page_limit_applies_too() {
    let pager = Pager::new(OffsetList::new(PagerKind::NextOffset), 3);
    let out = drive(pager, |i, _| OffsetPage {
        next_offset: Some(i as i64 + 1),
        ..page(&[i as i64], true)
    });
    assert_eq!(out.requests.len(), 3);
    assert_eq!(out.items, [0, 1, 2]);
    assert_eq!(
        out.error.unwrap().message(),
        "Pagination stopped: page limit 3 reached"
    );
}

/// The generic `paginate` helper.
mod paginate {
    use super::super::*;
    use crate::call::operation::PageData;

    fn page(items: Vec<u32>, has_more: Option<bool>, next: Option<i64>) -> PageData<u32> {
        PageData {
            items,
            has_more,
            next_cursor: next,
            total: None,
            offset: None,
        }
    }

    #[test]
    fn stops_when_cursor_absent_even_with_has_more() {
        let mut calls = Vec::new();
        let out: Vec<_> = paginate(100, |c| {
            calls.push(c);
            Ok(page(vec![1, 2], Some(true), None))
        })
        .collect();
        assert_eq!(out.len(), 2);
        assert_eq!(calls, vec![None]);
    }

    #[test]
    fn follows_cursors_and_guards() {
        let mut calls = Vec::new();
        let out: Vec<_> = paginate(100, |c| {
            calls.push(c);
            Ok(match c {
                None => page(vec![1], Some(true), Some(1)),
                Some(1) => page(vec![2], Some(true), Some(1)),
                _ => page(vec![], Some(false), None),
            })
        })
        .collect();
        assert_eq!(calls, vec![None, Some(1)]);
        assert_eq!(out.len(), 3);
        assert_eq!(
            out[2].as_ref().unwrap_err().message(),
            "Pagination stopped: repeated cursor 1"
        );
        let limited: Vec<_> = paginate(2, |c| {
            Ok(page(vec![0], Some(true), Some(c.unwrap_or(0) + 1)))
        })
        .collect();
        assert_eq!(limited.len(), 3);
        assert!(limited[2].is_err());
    }
}
