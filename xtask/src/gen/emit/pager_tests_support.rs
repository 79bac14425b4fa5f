/// Pages served per test.
const PAGES: usize = 3;
/// Items per page.
const PER_PAGE: usize = 2;

/// A pager's cursor style.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Style {
    /// `continuation_token` in and out.
    Token,
    /// `offset` in, `next_offset` out.
    NextOffset,
    /// `offset` in, derived from the item count (and the page's own `offset`).
    DerivedOffset,
}

/// One pager's scripted listing.
struct Case<'a> {
    style: Style,
    /// The query parameter carrying the cursor.
    cursor: &'a str,
    /// A valid page (its list empty).
    page: &'a str,
    /// The page's list field.
    list: &'a str,
    /// A valid item.
    item: &'a str,
    /// A string field of the item that shows in its `Debug` (set to `item-<n>`).
    marker: Option<&'a str>,
    /// Whether the operation has a `limit` (set to `PER_PAGE`).
    limit: bool,
    /// Whether the last page's cursor field may be `null`.
    end_null: bool,
}

/// The value of query parameter `name`, if present.
fn query<'q>(q: Option<&'q str>, name: &str) -> Option<&'q str> {
    q?.split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The cursor the page after page `p` (0-based) is requested with.
fn next_cursor(style: Style, p: usize) -> usize {
    match style {
        Style::Token => 100 * (p + 1),
        Style::NextOffset | Style::DerivedOffset => (p + 1) * PER_PAGE,
    }
}

/// Page `p` (0-based) of the scripted listing.
fn page(c: &Case<'_>, p: usize) -> Value {
    let mut page: Value = serde_json::from_str(c.page).unwrap();
    let item: Value = serde_json::from_str(c.item).unwrap();
    let items = (0..PER_PAGE)
        .map(|i| {
            let mut it = item.clone();
            if let Some(k) = c.marker {
                it[k] = Value::from(format!("item-{}", p * PER_PAGE + i));
            }
            it
        })
        .collect();
    let more = p + 1 < PAGES;
    let o = page.as_object_mut().unwrap();
    o.insert(c.list.to_owned(), Value::Array(items));
    o.insert("has_more".to_owned(), more.into());
    o.insert("total".to_owned(), (PAGES * PER_PAGE).into());
    let end = |next: usize| match (more, c.end_null) {
        (true, _) | (false, false) => Value::from(next),
        (false, true) => Value::Null,
    };
    match c.style {
        Style::Token => o.insert("continuation_token".to_owned(), end(next_cursor(c.style, p))),
        Style::NextOffset => o.insert("next_offset".to_owned(), end(next_cursor(c.style, p))),
        Style::DerivedOffset => o.insert("offset".to_owned(), Value::from(p * PER_PAGE)),
    };
    page
}

/// Serves the scripted pages on a loopback server, auto-pages `op` with the blocking client and
/// checks the items and the requests.
#[track_caller]
fn run<O: Paginated>(op: O, c: Case<'_>)
where
    O::Item: std::fmt::Debug,
{
    let id = op.operation_id().to_owned();
    let server = MockServer::start();
    server.fault_all((0..PAGES).map(|p| Fault::status(200).json(page(&c, p))));
    let config = amigo_platform_core::Config::builder()
        .api_key(MockServer::API_KEY)
        .workspace_id("ws-test")
        .base_url(server.base_url())
        .timeout(std::time::Duration::from_secs(10))
        .max_retries(0)
        .build()
        .unwrap();
    let client = amigo_platform_ureq::Client::new(config);
    let items: Vec<O::Item> = client
        .call(op)
        .auto_paging()
        .send()
        .take(PAGES * PER_PAGE + 10)
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{id}: {e}"));
    assert_eq!(items.len(), PAGES * PER_PAGE, "{id}: item count");
    if c.marker.is_some() {
        let shown: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
        for n in 0..PAGES * PER_PAGE {
            let tag = format!("\"item-{n}\"");
            let hits = shown.iter().filter(|s| s.contains(&tag)).count();
            assert_eq!(hits, 1, "{id}: item-{n} arrived {hits} times");
        }
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), PAGES, "{id}: request count");
    for (p, r) in reqs.iter().enumerate() {
        assert_eq!(r.path, reqs[0].path, "{id}: request {p} path");
        assert_eq!(r.method, reqs[0].method, "{id}: request {p} method");
        let want = (p > 0).then(|| next_cursor(c.style, p - 1).to_string());
        assert_eq!(
            query(r.query.as_deref(), c.cursor),
            want.as_deref(),
            "{id}: request {p} `{}`",
            c.cursor
        );
        if c.limit {
            let per_page = PER_PAGE.to_string();
            assert_eq!(query(r.query.as_deref(), "limit"), Some(per_page.as_str()), "{id}: request {p} limit");
        }
    }
}

