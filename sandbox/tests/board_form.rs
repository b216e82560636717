//! Beyond the board's own form (issue 13): `Tags` and `Private` on a conversation, several
//! files on one conversation, faults that fail one attach or name any field, the rate limits
//! on consecutive attaches, and the upload store with large files.

mod common;

use std::time::Duration;

use common::*;
use reqwest::{Method, StatusCode};
use sandbox::{Config, ThrottleConfig};
use serde_json::{json, Value};

/// The member's conversation with these extra fields; the answer.
async fn create_with(s: &Server, extra: Value) -> (StatusCode, Value) {
    let mut body = json!({
        "BusinessId": 1, "UserId": 10, "Subject": "Board form", "Message": "Hello",
        "CommunityGroupId": 1, "Guests": []
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    s.post(MEMBER, THREADS, &body).await
}

/// Attaches `url` under the display name `name`.
async fn attach_named(s: &Server, thread: i64, name: &str, url: &str) -> (StatusCode, Value) {
    s.post(
        MEMBER,
        FILES,
        &json!({ "CommunityThreadId": thread, "Name": name, "NewFileDataUrl": url }),
    )
    .await
}

/// The display names of the thread's files, in id order.
async fn file_names(s: &Server, thread: i64) -> Vec<String> {
    let path = format!("{FILES}?CommunityThreadFile_CommunityThread={thread}");
    let (status, list) = s.get(ADMIN, &path).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let records = list["Records"].as_array().cloned().unwrap_or_default();
    records
        .iter()
        .map(|r| r["Name"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Posts a fault (or an array of them); the sandbox's status.
async fn post_fault(s: &Server, spec: &Value) -> StatusCode {
    let res = s.http.post(s.url("/_sandbox/faults")).json(spec).send();
    res.await.unwrap().status()
}

/// The bytes the sandbox stored for file record `id` (what Nexudus downloaded).
async fn stored_bytes(s: &Server, id: i64) -> Vec<u8> {
    let path = format!("{FILES}/{id}/content");
    let res = s.request(Method::GET, Some(ADMIN), &path).send().await;
    res.unwrap().bytes().await.unwrap().to_vec()
}

async fn arm(s: &Server, spec: Value) {
    assert_eq!(post_fault(s, &spec).await, StatusCode::OK, "{spec}");
}

fn with_faults() -> Config {
    Config {
        enable_faults: true,
        ..config()
    }
}

/// `len` bytes that do not repeat within a file (so a cut or a shift would show).
fn bytes(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761).max(1);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect()
}

fn created_count(created: &Value, kind: &str) -> usize {
    created[kind].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn tags_and_private_round_trip() {
    let s = start(config()).await;
    let (status, v) = create_with(&s, json!({ "Tags": "design,events", "Private": true })).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let id = v["Value"]["Id"].as_i64().unwrap();
    let (_, thread) = s.get(MEMBER, &format!("{THREADS}/{id}")).await;
    assert_eq!(
        (&thread["Tags"], &thread["Private"]),
        (&json!("design,events"), &json!(true))
    );
    let (_, list) = s
        .get(
            MEMBER,
            &format!("{THREADS}?CommunityThread_Subject=Board%20form"),
        )
        .await;
    assert_eq!(list["Records"][0]["Tags"], "design,events");
    assert_eq!(list["Records"][0]["Private"], true);
    // Neither sent: no tags, not private.
    let (_, v) = create_with(&s, json!({})).await;
    let id = v["Value"]["Id"].as_i64().unwrap();
    let (_, thread) = s.get(MEMBER, &format!("{THREADS}/{id}")).await;
    assert_eq!(
        (&thread["Tags"], &thread["Private"]),
        (&json!(null), &json!(false))
    );
}

#[tokio::test]
async fn tags_over_the_forms_fifty_characters_are_refused_by_default() {
    let s = start(config()).await;
    // 50 UTF-16 code units exactly: 48 letters and one emoji (two units).
    let fifty = format!("{},🙂", "a".repeat(47));
    assert_eq!(fifty.encode_utf16().count(), 50);
    assert_eq!(
        create_with(&s, json!({ "Tags": fifty })).await.0,
        StatusCode::OK
    );
    let long = format!("{fifty}b");
    let (status, v) = create_with(&s, json!({ "Tags": long, "Subject": "" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let errors = v["Errors"].as_array().unwrap();
    let tags = errors.iter().find(|e| e["PropertyName"] == "Tags").unwrap();
    assert_eq!(tags["AttemptedValue"], json!(long));
    assert_eq!(tags["Message"], "cannot be longer than 50 characters");
    assert_eq!(errors.len(), 2, "every problem at once: {v}");
    assert_eq!(v["WasSuccessful"], false);
    let created: Value = s.get(ADMIN, "/_sandbox/created").await.1;
    assert_eq!(
        created_count(&created, "threads"),
        1,
        "the refused one is not created"
    );

    let relaxed = start(Config {
        accept_long_tags: true,
        ..config()
    })
    .await;
    assert_eq!(
        create_with(&relaxed, json!({ "Tags": "x".repeat(80) }))
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn private_must_be_a_boolean() {
    let s = start(config()).await;
    for sent in [json!("true"), json!(1), json!(["yes"])] {
        let (status, v) = create_with(&s, json!({ "Private": sent })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
        assert_eq!(only_error(&v).0, "Private");
        assert_eq!(v["Errors"][0]["AttemptedValue"], sent);
    }
    let (status, v) = create_with(&s, json!({ "Tags": 5 })).await;
    assert_eq!(
        (status, only_error(&v).0),
        (StatusCode::BAD_REQUEST, "Tags")
    );
}

#[tokio::test]
async fn a_field_errors_fault_names_any_property_and_echoes_what_was_sent() {
    let s = start(with_faults()).await;
    arm(
        &s,
        json!({ "method": "POST", "path": THREADS, "fieldErrors": [
            "Tags", { "propertyName": "Private", "message": "is not allowed on this board" }
        ] }),
    )
    .await;
    let (status, v) = create_with(&s, json!({ "tags": "a,b", "Private": true })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        v,
        json!({
            "Message": "Tags: is not valid\nPrivate: is not allowed on this board",
            "Value": null,
            "Errors": [
                { "AttemptedValue": "a,b", "Message": "is not valid", "PropertyName": "Tags" },
                { "AttemptedValue": true, "Message": "is not allowed on this board", "PropertyName": "Private" }
            ],
            "WasSuccessful": false
        })
    );
    let created: Value = s.get(ADMIN, "/_sandbox/created").await.1;
    assert_eq!(
        created_count(&created, "threads"),
        0,
        "the handler did not run"
    );
    // Consumed: the same request now goes through.
    let (status, _) = create_with(&s, json!({ "Tags": "a,b", "Private": true })).await;
    assert_eq!(status, StatusCode::OK);

    // On HTTP 200, as business-rule failures are seen in the wild: `Status: 500` in the body.
    arm(
        &s,
        json!({ "method": "POST", "path": THREADS, "status": 200, "fieldErrors": ["Subject"] }),
    )
    .await;
    let (status, v) = create_with(&s, json!({})).await;
    assert_eq!((status, &v["Status"]), (StatusCode::OK, &json!(500)));
    assert_eq!(v["Errors"][0]["AttemptedValue"], "Board form");
}

#[tokio::test]
async fn several_files_attach_to_one_thread_and_all_are_listed() {
    let s = start(config()).await;
    let thread = s.create_thread("Three files").await;
    let other = s.create_thread("Another").await;
    let mut sent = Vec::new();
    for (i, name) in ["a.png", "b.pdf", "c.txt"].into_iter().enumerate() {
        let content = bytes(1000 + i, i as u32 + 1);
        let url = s
            .upload(name, "application/octet-stream", content.clone())
            .await;
        let (status, v) = attach_named(&s, thread, name, &url).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        sent.push((v["Value"]["Id"].as_i64().unwrap(), content));
    }
    let url = s.upload("d.txt", "text/plain", b"elsewhere".to_vec()).await;
    assert_eq!(
        attach_named(&s, other, "d.txt", &url).await.0,
        StatusCode::OK
    );
    assert_eq!(file_names(&s, thread).await, ["a.png", "b.pdf", "c.txt"]);
    for (id, content) in sent {
        assert_eq!(stored_bytes(&s, id).await, content);
    }
}

#[tokio::test]
async fn a_skip_fault_fails_exactly_the_second_attach_which_then_succeeds_alone() {
    let s = start(with_faults()).await;
    let thread = s.create_thread("Second fails").await;
    arm(
        &s,
        json!({ "method": "POST", "path": FILES, "skip": 1, "status": 500,
                "body": r#"{"Message":"Ooops! There was a problem while running this action. Please try again later."}"# }),
    )
    .await;
    let mut urls = Vec::new();
    for name in ["a.png", "b.png", "c.png"] {
        urls.push(s.upload(name, "image/png", bytes(64, 7)).await);
    }
    let statuses = [
        attach_named(&s, thread, "a.png", &urls[0]).await,
        attach_named(&s, thread, "b.png", &urls[1]).await,
        attach_named(&s, thread, "c.png", &urls[2]).await,
    ];
    let codes: Vec<_> = statuses.iter().map(|(c, _)| *c).collect();
    assert_eq!(
        codes,
        [
            StatusCode::OK,
            StatusCode::INTERNAL_SERVER_ERROR,
            StatusCode::OK
        ]
    );
    assert!(statuses[1].1["Message"]
        .as_str()
        .is_some_and(|m| m.starts_with("Ooops!")));
    assert_eq!(file_names(&s, thread).await, ["a.png", "c.png"]);
    // The retry of the missing one alone: the upload URL is still good, the fault is spent.
    let (status, v) = attach_named(&s, thread, "b.png", &urls[1]).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(file_names(&s, thread).await, ["a.png", "c.png", "b.png"]);
    let created: Value = s.get(ADMIN, "/_sandbox/created").await.1;
    assert_eq!(created_count(&created, "files"), 3, "nothing twice");
}

#[tokio::test]
async fn a_when_body_fault_puts_a_field_error_on_one_named_file() {
    let s = start(with_faults()).await;
    let thread = s.create_thread("File errors").await;
    arm(
        &s,
        json!([
            { "method": "POST", "path": FILES, "whenBody": { "Name": "b.png" },
              "fieldErrors": [{ "propertyName": "Name", "message": "is already used by another file" }] },
            { "method": "POST", "path": FILES, "whenBody": { "Name": "c.png" },
              "fieldErrors": [{ "propertyName": "NewFileDataUrl", "message": "could not be downloaded" }] }
        ]),
    )
    .await;
    let a = s.upload("a.png", "image/png", bytes(10, 1)).await;
    let c = s.upload("c.png", "image/png", bytes(10, 3)).await;
    // The order does not matter: c first, then a (untouched), then b.
    let (status, v) = attach_named(&s, thread, "c.png", &c).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["Errors"][0]["PropertyName"], "NewFileDataUrl");
    assert_eq!(v["Errors"][0]["AttemptedValue"], json!(c));
    assert_eq!(
        attach_named(&s, thread, "a.png", &a).await.0,
        StatusCode::OK
    );
    let (status, v) = attach_named(&s, thread, "b.png", &a).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        v["Errors"],
        json!([{ "AttemptedValue": "b.png", "Message": "is already used by another file", "PropertyName": "Name" }])
    );
    assert_eq!(file_names(&s, thread).await, ["a.png"]);
    let pending: Value = s.get(ADMIN, "/_sandbox/faults").await.1;
    assert_eq!(pending["faults"], json!([]));
}

#[tokio::test]
async fn invalid_narrowing_is_refused_when_armed() {
    let s = start(with_faults()).await;
    for bad in [
        json!({ "path": FILES, "skip": -1 }),
        json!({ "path": FILES, "whenBody": {} }),
        json!({ "path": FILES, "whenBody": "Name" }),
        json!({ "path": FILES, "fieldErrors": ["Name"], "body": "x" }),
        json!({ "path": FILES, "fieldErrors": [{ "property": "Name" }] }),
    ] {
        assert_eq!(post_fault(&s, &bad).await, StatusCode::BAD_REQUEST, "{bad}");
    }
}

/// Posts an attach, waiting as told (`Retry-After`) after each 409; returns the 409s seen.
async fn attach_waiting_as_told(s: &Server, thread: i64, name: &str, url: &str) -> u32 {
    let mut refusals = 0;
    loop {
        let res = s
            .request(Method::POST, Some(MEMBER), FILES)
            .json(&json!({ "CommunityThreadId": thread, "Name": name, "NewFileDataUrl": url }))
            .send()
            .await
            .unwrap();
        if res.status() != StatusCode::CONFLICT {
            assert_eq!(res.status(), StatusCode::OK);
            return refusals;
        }
        refusals += 1;
        assert!(refusals < 5, "still refused after waiting as told");
        let wait: u64 = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(res.bytes().await.unwrap().is_empty());
        tokio::time::sleep(Duration::from_secs(wait)).await;
    }
}

#[tokio::test]
async fn consecutive_attaches_meet_the_spacing_rule() {
    // The documented rule (one request per 100 ms) with a 1 s spacing, so "right after" holds
    // however slow the machine, and one documented `Retry-After: 1` is always enough.
    let s = start(Config {
        throttle: ThrottleConfig {
            min_spacing: Duration::from_secs(1),
            ..ThrottleConfig::default()
        },
        ..config()
    })
    .await;
    let thread = s.create_thread("Spaced").await;
    let url = s.upload("a.png", "image/png", bytes(10, 1)).await;
    // Right after the create: too soon, refused with the documented 409.
    let first = attach_waiting_as_told(&s, thread, "a.png", &url).await;
    assert_eq!(first, 1, "an attach right after the create is too soon");
    let url = s.upload("b.png", "image/png", bytes(10, 2)).await;
    assert_eq!(attach_waiting_as_told(&s, thread, "b.png", &url).await, 1);
    let created: Value = s.get(ADMIN, "/_sandbox/created").await.1;
    assert_eq!(
        created_count(&created, "files"),
        2,
        "a refused attach creates nothing"
    );
}

#[tokio::test]
async fn attaches_count_against_the_writes_per_minute() {
    let s = start(throttled(3, 100, 0)).await;
    let thread = s.create_thread("Counted").await;
    let url = s.upload("a.png", "image/png", bytes(10, 1)).await;
    assert_eq!(
        attach_named(&s, thread, "a.png", &url).await.0,
        StatusCode::OK
    );
    let url = s.upload("b.png", "image/png", bytes(10, 2)).await;
    assert_eq!(
        attach_named(&s, thread, "b.png", &url).await.0,
        StatusCode::OK
    );
    let url = s.upload("c.png", "image/png", bytes(10, 3)).await;
    let res = s
        .request(Method::POST, Some(MEMBER), FILES)
        .json(&json!({ "CommunityThreadId": thread, "Name": "c.png", "NewFileDataUrl": url }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::CONFLICT,
        "the fourth write in a minute"
    );
    assert_eq!(res.headers()["retry-after"], "1");
}

#[tokio::test]
async fn the_upload_store_returns_five_5_mb_files_and_a_12_mb_photo_exactly() {
    const MB: usize = 1024 * 1024;
    let s = start(config()).await;
    let files: Vec<Vec<u8>> = (0..5).map(|i| bytes(5 * MB, i + 1)).collect();
    let up = |i: usize| s.upload("part.jpg", "image/jpeg", files[i].clone());
    // Concurrently, as the panel uploads with small bounded concurrency.
    let (a, b, c, d, e) = tokio::join!(up(0), up(1), up(2), up(3), up(4));
    let urls = [a, b, c, d, e];
    for (url, content) in urls.iter().zip(&files) {
        let res = s.http.get(url).send().await.unwrap();
        assert_eq!(res.headers()["content-type"], "image/jpeg");
        assert_eq!(res.bytes().await.unwrap().as_ref(), content.as_slice());
    }

    let photo = bytes(12 * MB, 99);
    let url = s.upload("IMG_0001.jpg", "image/jpeg", photo.clone()).await;
    let thread = s.create_thread("Big photo").await;
    let (status, v) = attach_named(&s, thread, "IMG_0001.jpg", &url).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let id = v["Value"]["Id"].as_i64().unwrap();
    let (_, record) = s.get(ADMIN, &format!("{FILES}/{id}")).await;
    assert_eq!(record["FileSize"], json!(12 * MB));
    assert_eq!(stored_bytes(&s, id).await, photo);
}
