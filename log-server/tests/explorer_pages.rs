//! Every explorer page renders for an empty log, a demo-like log with hostile text in
//! its statements, and a log with more submissions than a page holds; statement text is
//! always escaped; bad input gets a clear error page.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod explorer_support;

use common::*;
use explorer_support::*;
use serde_json::json;

/// Hostile text: markup and script in a model name.
const HOSTILE: &str = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'&";

/// The page paths to check for a log whose submissions include `subs`.
fn paths(subs: &[u64], entries: u64) -> Vec<String> {
    let mut paths: Vec<String> = [
        "/",
        "/submissions",
        "/submissions?status=overdue",
        "/submissions?status=pending&org=acme&agency=nsa&from=2026-01-01&to=2027-01-01&order=oldest",
        "/search",
        "/search?q=Alpha",
        "/search?q=acme",
        "/search?q=3",
        "/search?q=0707070707070707070707070707070707070707070707070707070707070707",
        "/participants",
        "/witnesses",
        "/verify",
        "/policy",
        "/submissions.csv",
        "/v1/submissions",
        "/v1/overview",
        "/feeds/decisions.atom",
        "/feeds/overdue.atom",
        "/feeds/disclosures.atom",
        "/explorer/explorer.css",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for s in subs {
        paths.push(format!("/submission/{s}"));
    }
    for e in 0..entries {
        paths.push(format!("/entry/{e}"));
    }
    paths
}

async fn all_render(log: &TestLog, paths: &[String]) -> Vec<String> {
    let mut bodies = Vec::new();
    for path in paths {
        let (code, headers, body) = log.get(path).await;
        let body = String::from_utf8(body).unwrap();
        assert_eq!(code, 200, "{path}: {body}");
        let kind = headers["content-type"].to_str().unwrap().to_string();
        if kind.starts_with("text/html") {
            assert!(body.starts_with("<!doctype html>"), "{path}");
            assert!(body.contains("<main id=\"main\">"), "{path}");
            // No asset from another host.
            assert!(!body.contains("src=\"http"), "{path}");
            assert!(!body.contains("href=\"http"), "{path}");
        }
        bodies.push(body);
    }
    bodies
}

#[tokio::test]
async fn every_page_renders_for_an_empty_log() {
    let c = start_clocked().await;
    let bodies = all_render(&c.log, &paths(&[], 1)).await;
    assert!(bodies[0].contains("All submissions</a>: <strong>0</strong>"));
    // The genesis entry's page says what it is.
    assert!(bodies.last().unwrap().contains("started the log"));
}

#[tokio::test]
async fn every_page_renders_for_a_demo_like_log_and_escapes_statement_text() {
    let c = start_clocked().await;
    let s = scenario_named(&c, HOSTILE).await;
    let subs = [s.on_time, s.late, s.overdue, s.withdrawn, s.pending];
    let size = c.log.size();
    let mut all = paths(&subs, size);
    all.push(format!("/search?q={}", "%3Cscript%3E"));
    let bodies = all_render(&c.log, &all).await;
    for (path, body) in all.iter().zip(&bodies) {
        if path.ends_with(".csv") || path.starts_with("/v1/") {
            continue;
        }
        assert!(
            !body.contains("<script>alert"),
            "{path} prints markup from a statement"
        );
        assert!(
            !body.contains("<img src=x"),
            "{path} prints markup from a statement"
        );
        assert!(
            !body.contains("<b>x</b>"),
            "{path} prints markup from a statement"
        );
    }
    // The hostile model names are shown, escaped.
    let table = &bodies[1];
    assert!(
        table.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{table}"
    );
    // The overview counts one of each status.
    let overview = &bodies[0];
    for status in [
        "Pending",
        "Decided on time",
        "Decided late",
        "Overdue",
        "Withdrawn",
    ] {
        assert!(
            overview.contains(&format!("{status}</a>: <strong>1</strong>")),
            "{status}: {overview}"
        );
    }
    assert!(overview.contains("witness-a.test"), "witness names shown");
    // The submission page shows the whole timeline, each step linked to its entry.
    let (_, _, page) = c.log.get(&format!("/submission/{}", s.late)).await;
    let page = String::from_utf8(page).unwrap();
    for kind in ["submission", "decision", "disclosure"] {
        assert!(page.contains(&format!("<strong>{kind}</strong>")), "{kind}");
    }
    assert!(page.contains("decided late"));
    assert!(page.contains("energy, water"));
    // The search finds a model by name and an entry by number.
    let (_, _, found) = c
        .log
        .get("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    let found = String::from_utf8(found).unwrap();
    assert!(
        found.contains(&format!("/submission/{}", s.on_time)),
        "{found}"
    );
    // The feeds carry the decisions, the overdue review and the disclosure.
    let (_, _, feed) = c.log.get("/feeds/overdue.atom").await;
    let feed = String::from_utf8(feed).unwrap();
    assert!(
        feed.contains(&format!("/submission/{}", s.overdue)),
        "{feed}"
    );
    assert!(!feed.contains("<script>"));
}

#[tokio::test]
async fn a_log_larger_than_a_page_is_paged() {
    let c = start_clocked().await;
    let log = &c.log;
    let cast = cast(log).await;
    let mut subs = Vec::new();
    for i in 0..120 {
        let org = if i % 3 == 0 { "globex" } else { "acme" };
        let key = if i % 3 == 0 {
            &cast.other_developer
        } else {
            &cast.developer
        };
        subs.push(index_of(
            &log.log(submission(org, &format!("model-{i}")), key).await,
        ));
        if i % 10 == 0 {
            log.log(decision("nsa", subs[i]), &cast.reviewer).await;
        }
    }
    let size = log.size();
    all_render(log, &paths(&subs[..3], 3)).await;
    // Follow the HTML table's "Next page" links: 50 rows a page, every row once.
    let mut path = "/submissions".to_string();
    let mut seen = 0;
    for _ in 0..5 {
        let (code, _, body) = log.get(&path).await;
        assert_eq!(code, 200);
        let body = String::from_utf8(body).unwrap();
        seen += body.matches("<a href=\"/submission/").count();
        match body
            .split("<a href=\"/submissions?")
            .find(|p| p.contains("rel=\"next\""))
        {
            Some(rest) => {
                let query = rest.split('"').next().unwrap().replace("&amp;", "&");
                path = format!("/submissions?{query}");
            }
            None => break,
        }
    }
    assert_eq!(seen, 120);
    // JSON: an org filter pages the same way.
    let (_, body) = log.get_json("/v1/submissions?org=globex&limit=25").await;
    assert_eq!(body["submissions"].as_array().unwrap().len(), 25);
    assert!(body["next"].is_u64());
    assert_eq!(body["size"], json!(size));
}

#[tokio::test]
async fn bad_page_requests_get_error_pages() {
    let c = start_clocked().await;
    let log = &c.log;
    for (path, status) in [
        ("/entry/999999", 404),
        ("/entry/abc", 400),
        ("/submission/0", 404),
        ("/submission/-1", 400),
        ("/submissions?status=bogus", 400),
        ("/feeds/nothing.atom", 404),
    ] {
        let (code, _, body) = log.get(path).await;
        assert_eq!(code, status, "{path}");
        let body = String::from_utf8(body).unwrap();
        assert!(!body.is_empty(), "{path}");
    }
    let long = format!("/search?q={}", "a".repeat(500));
    let (code, _, _) = log.get(&long).await;
    assert_eq!(code, 400);
}
