//! The explorer's indexes and `/v1/submissions`: statuses from docket-core's clock,
//! every filter, paging, CSV, and refused statements counting for nothing. The log runs
//! on a clock the test moves, so late and overdue reviews appear without waiting.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod explorer_support;

use common::*;
use explorer_support::*;
use serde_json::{Value, json};

/// The statuses of a table answer, by submission index.
fn statuses(body: &Value) -> Vec<(u64, String)> {
    body["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["index"].as_u64().unwrap(),
                row["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn statuses_filters_and_paging_come_from_the_indexes() {
    let c = start_clocked().await;
    let s = scenario(&c).await;
    let log = &c.log;

    let (code, all) = log.get_json("/v1/submissions").await;
    assert_eq!(code, 200, "{all}");
    let expected = vec![
        (s.pending, "pending".to_string()),
        (s.withdrawn, "withdrawn".to_string()),
        (s.overdue, "overdue".to_string()),
        (s.late, "decided_late".to_string()),
        (s.on_time, "decided_on_time".to_string()),
    ];
    assert_eq!(statuses(&all), expected, "{all}");

    // Each row's status agrees with the per-submission view (docket-core's clock).
    for (index, status) in &expected {
        let (_, one) = log.get_json(&format!("/v1/submissions/{index}")).await;
        assert_eq!(one["status"].as_str().unwrap(), status, "{one}");
    }

    // One filter per status finds exactly that submission.
    for (index, status) in &expected {
        let (_, body) = log
            .get_json(&format!("/v1/submissions?status={status}"))
            .await;
        assert_eq!(
            statuses(&body),
            vec![(*index, status.clone())],
            "{status}: {body}"
        );
    }

    // Organisation (case-insensitive), agency, and both combined with a status.
    let (_, globex) = log.get_json("/v1/submissions?org=GLOBEX").await;
    assert_eq!(
        statuses(&globex).iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![s.pending, s.overdue]
    );
    let (_, nsa) = log
        .get_json("/v1/submissions?agency=nsa&order=oldest")
        .await;
    assert_eq!(
        statuses(&nsa).iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![s.on_time, s.late]
    );
    let (_, none) = log
        .get_json("/v1/submissions?org=acme&status=overdue")
        .await;
    assert_eq!(statuses(&none), vec![]);

    // Disclosures and agencies are on the row.
    let late_row = all["submissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["index"] == s.late)
        .unwrap();
    assert_eq!(late_row["disclosure_count"], 1);
    assert_eq!(
        late_row["disclosures"][0]["sectors"],
        json!(["energy", "water"])
    );
    assert_eq!(late_row["agencies"], json!(["nsa"]));

    // Date range: everything was submitted on 2026-06-02 (UTC).
    let (_, day) = log
        .get_json("/v1/submissions?from=2026-06-02&to=2026-06-02")
        .await;
    assert_eq!(statuses(&day).len(), 5);
    let (_, before) = log.get_json("/v1/submissions?to=2026-06-01").await;
    assert_eq!(statuses(&before), vec![]);
    let (_, after_late) = log
        .get_json("/v1/submissions?from=2026-06-02T00:02:00Z")
        .await;
    assert_eq!(statuses(&after_late), vec![(s.pending, "pending".into())]);

    // Paging: two at a time, following `next`, gives every row once, in order.
    let mut seen = Vec::new();
    let mut after: Option<u64> = None;
    for _ in 0..10 {
        let path = match after {
            Some(a) => format!("/v1/submissions?limit=2&after={a}"),
            None => "/v1/submissions?limit=2".to_string(),
        };
        let (_, page) = log.get_json(&path).await;
        seen.extend(statuses(&page));
        match page["next"].as_u64() {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn bad_filters_are_refused_with_a_reason() {
    let c = start_clocked().await;
    let log = &c.log;
    for (path, needle) in [
        ("/v1/submissions?status=late", "unknown status"),
        ("/v1/submissions?from=yesterday", "neither YYYY-MM-DD"),
        ("/v1/submissions?order=sideways", "order"),
        ("/v1/submissions?limit=abc", ""),
        ("/v1/submissions?after=-1", ""),
    ] {
        let (code, body) = log.get_json(path).await;
        assert_eq!(code, 400, "{path}: {body}");
        assert!(body.to_string().contains(needle), "{path}: {body}");
    }
    // An empty log answers an empty table.
    let (code, body) = log.get_json("/v1/submissions").await;
    assert_eq!(code, 200);
    assert_eq!(statuses(&body), vec![]);
}

#[tokio::test]
async fn csv_export_has_the_same_rows_and_neutralises_formulas() {
    let c = start_clocked().await;
    let log = &c.log;
    let cast = cast(log).await;
    log.log(submission("acme", "=HYPERLINK(\"x\")"), &cast.developer)
        .await;
    log.log(submission("acme", "plain, with comma"), &cast.developer)
        .await;
    let (code, headers, body) = log.get("/submissions.csv?org=acme").await;
    assert_eq!(code, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let text = String::from_utf8(body).unwrap();
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("index,organisation,model"));
    assert!(lines[1].contains("\"plain, with comma\""), "{text}");
    assert!(lines[2].contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
}

#[tokio::test]
async fn indexes_survive_a_restart() {
    let c = start_clocked().await;
    let s = scenario(&c).await;
    let (_, before) = c.log.get_json("/v1/submissions").await;
    let now = c.now.clone();
    let (dir, witnesses) = c.log.stop().await;
    let log = restart_clocked(dir, witnesses, now).await.log;
    let (_, after) = log.get_json("/v1/submissions").await;
    assert_eq!(statuses(&after), statuses(&before));
    assert!(statuses(&after).contains(&(s.overdue, "overdue".into())));
}
