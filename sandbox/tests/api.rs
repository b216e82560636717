//! The Nexudus endpoints: envelopes, validation, auth, lists, files and fetched URLs.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::response::IntoResponse;
use axum::routing::get;
use common::*;
use reqwest::{Method, StatusCode};
use sandbox::{Config, TokenSpec};
use serde_json::{json, Value};

fn is_rfc3339_utc(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
        && s.chars()
            .enumerate()
            .all(|(i, c)| [4, 7, 10, 13, 16, 19].contains(&i) || c.is_ascii_digit())
}

#[tokio::test]
async fn seed_page_200_body_shape() {
    let s = start(config()).await;
    let res = s
        .request(Method::POST, Some(ADMIN), FILES)
        .json(&json!({ "CommunityThreadId": 1001, "Name": "notes" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let text = res.text().await.unwrap();
    let mut body: Value = serde_json::from_str(&text).unwrap();
    assert!(
        is_rfc3339_utc(body["UpdatedOn"].as_str().unwrap()),
        "{body}"
    );
    body["UpdatedOn"] = json!("2025-01-15T10:30:00Z");
    let expected = json!({
      "Status": 200,
      "Message": "CommunityThreadFile was successfully created.",
      "Value": { "Id": 87654321 },
      "OpenInDialog": false,
      "OpenInWindow": false,
      "RedirectURL": null,
      "JavaScript": null,
      "UpdatedOn": "2025-01-15T10:30:00Z",
      "UpdatedBy": "admin@example.com",
      "Errors": null,
      "WasSuccessful": true
    });
    assert_eq!(body, expected);
    // Same field order as the reference page.
    let keys = [
        "\"Status\"",
        "\"Message\"",
        "\"Value\"",
        "\"OpenInDialog\"",
        "\"OpenInWindow\"",
        "\"RedirectURL\"",
        "\"JavaScript\"",
        "\"UpdatedOn\"",
        "\"UpdatedBy\"",
        "\"Errors\"",
        "\"WasSuccessful\"",
    ];
    let positions: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");

    // Ids increment from 87654321.
    let (_, second) = s
        .post(
            ADMIN,
            FILES,
            &json!({ "CommunityThreadId": 1001, "Name": "b" }),
        )
        .await;
    assert_eq!(second["Value"]["Id"], 87654322);
}

#[tokio::test]
async fn seed_page_400_body_for_a_missing_name_is_exact() {
    let s = start(config()).await;
    let res = s
        .request(Method::POST, Some(ADMIN), FILES)
        .json(&json!({ "CommunityThreadId": 1001 }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let text = res.text().await.unwrap();
    assert_eq!(
        text,
        r#"{"Message":"Name: is a required field","Value":null,"Errors":[{"AttemptedValue":null,"Message":"is a required field","PropertyName":"Name"}],"WasSuccessful":false}"#
    );
    // Even the reference's curl example (CommunityThreadId 0) gets envelope errors.
    let (status, body) = s
        .post(ADMIN, FILES, &json!({ "CommunityThreadId": 0 }))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let props: Vec<_> = body["Errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["PropertyName"].as_str().unwrap())
        .collect();
    assert_eq!(props, ["Name", "CommunityThread"]);
    assert_eq!(
        body["Message"],
        "Name: is a required field\nCommunityThread: was not found"
    );
}

#[tokio::test]
async fn thread_create_read_and_envelope() {
    let s = start(config()).await;
    let (status, body) = s
        .post(
            MEMBER,
            THREADS,
            &json!({
                "BusinessId": 1, "UserId": 10, "Subject": "Found keys", "Message": "At the desk",
                "CommunityGroupId": 2, "CoworkerId": 77, "Tags": "a,b", "Private": true,
                "InstantDelivery": true, "Guests": [3, 4], "SomethingUnknown": {"x": 1}
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["Message"], "CommunityThread was successfully created.");
    assert_eq!(body["Value"], json!({ "Id": 5001 }));
    assert_eq!(body["UpdatedBy"], "ada.member@example.com");
    assert_eq!(body["WasSuccessful"], true);
    assert_eq!(body["Errors"], Value::Null);

    let (status, t) = s.get(MEMBER, &format!("{THREADS}/5001")).await;
    assert_eq!(status, StatusCode::OK);
    for (k, v) in [
        ("Id", json!(5001)),
        ("BusinessId", json!(1)),
        ("UserId", json!(10)),
        ("Subject", json!("Found keys")),
        ("Message", json!("At the desk")),
        ("CommunityGroupId", json!(2)),
        ("CoworkerId", json!(77)),
        ("Tags", json!("a,b")),
        ("Private", json!(true)),
        ("InstantDelivery", json!(true)),
        ("Guests", json!([3, 4])),
    ] {
        assert_eq!(t[k], v, "{k}");
    }
    assert!(is_rfc3339_utc(t["CreatedOn"].as_str().unwrap()));
    assert!(is_rfc3339_utc(t["UpdatedOn"].as_str().unwrap()));
    assert!(t.get("SomethingUnknown").is_none());

    // Seed threads exist; the next id follows.
    let (_, seed) = s.get(ADMIN, &format!("{THREADS}/1001")).await;
    assert_eq!(seed["Subject"], "Welcome to the board");
    assert_eq!(seed["UserId"], 11);
    assert_eq!(seed["CommunityGroupId"], 1);
    assert_eq!(s.create_thread("Second").await, 5002);

    // Property names match case-insensitively; no group is fine.
    let (status, body) = s
        .post(
            ADMIN,
            THREADS,
            &json!({ "businessid": 1, "USERID": 11, "subject": "x", "message": "y" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["UpdatedBy"], "admin@example.com");
    let (_, t) = s.get(ADMIN, &format!("{THREADS}/5003")).await;
    assert_eq!(t["CommunityGroupId"], Value::Null);
}

#[tokio::test]
async fn thread_validation_reports_every_problem() {
    let s = start(config()).await;
    let (status, body) = s.post(MEMBER, THREADS, &json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({
            "Message": "BusinessId: is a required field\nUserId: is a required field\nSubject: is a required field\nMessage: is a required field",
            "Value": null,
            "Errors": [
                {"AttemptedValue": null, "Message": "is a required field", "PropertyName": "BusinessId"},
                {"AttemptedValue": null, "Message": "is a required field", "PropertyName": "UserId"},
                {"AttemptedValue": null, "Message": "is a required field", "PropertyName": "Subject"},
                {"AttemptedValue": null, "Message": "is a required field", "PropertyName": "Message"}
            ],
            "WasSuccessful": false
        })
    );

    // Unknown references are reported on the entity name; blank strings are missing.
    let (status, body) = s
        .post(
            MEMBER,
            THREADS,
            &json!({ "BusinessId": 2, "UserId": 99, "Subject": "  ", "Message": "",
                     "CommunityGroupId": 42 }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let errors: Vec<(String, Value, String)> = body["Errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["PropertyName"].as_str().unwrap().to_string(),
                e["AttemptedValue"].clone(),
                e["Message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            ("Subject".into(), json!("  "), "is a required field".into()),
            ("Message".into(), json!(""), "is a required field".into()),
            ("Business".into(), json!(2), "was not found".into()),
            ("User".into(), json!(99), "was not found".into()),
            ("CommunityGroup".into(), json!(42), "was not found".into()),
        ]
    );
    assert_eq!(body["Message"].as_str().unwrap().lines().count(), 5);

    // Subject: 254 characters as .NET counts them (UTF-16 units) is the limit.
    let ok = "😀".repeat(127);
    let long = "😀".repeat(127) + "a";
    let base = json!({ "BusinessId": 1, "UserId": 10, "Message": "m" });
    let with = |subject: &str| {
        let mut v = base.clone();
        v["Subject"] = json!(subject);
        v
    };
    assert_eq!(s.post(MEMBER, THREADS, &with(&ok)).await.0, StatusCode::OK);
    let (status, body) = s.post(MEMBER, THREADS, &with(&long)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        only_error(&body),
        ("Subject", "cannot be longer than 254 characters")
    );
    assert_eq!(body["Errors"][0]["AttemptedValue"], json!(long));
    // Nothing was created by the failures.
    let (_, created) = s.get(ADMIN, "/_sandbox/created").await;
    assert_eq!(created["threads"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn wrong_types_are_errors_with_the_attempted_value() {
    let s = start(config()).await;
    let (status, body) = s
        .post(
            MEMBER,
            FILES,
            &json!({ "CommunityThreadId": "abc", "Name": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body["Errors"],
        json!([{ "AttemptedValue": "abc", "Message": "is not a valid integer",
                 "PropertyName": "CommunityThreadId" }])
    );
    assert_eq!(body["Message"], "CommunityThreadId: is not a valid integer");

    let (status, body) = s
        .post(
            MEMBER,
            THREADS,
            &json!({ "BusinessId": 1.5, "UserId": "10", "Subject": 5, "Message": "m",
                     "Private": "yes", "Guests": [1, "x"], "CommunityGroupId": true }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let got: Vec<(&str, &Value)> = body["Errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["PropertyName"].as_str().unwrap(), &e["AttemptedValue"]))
        .collect();
    assert_eq!(
        got,
        vec![
            ("BusinessId", &json!(1.5)),
            ("UserId", &json!("10")),
            ("Subject", &json!(5)),
            ("CommunityGroupId", &json!(true)),
            ("Private", &json!("yes")),
            ("Guests", &json!([1, "x"])),
        ]
    );
    // null counts as absent.
    let (status, body) = s
        .post(
            MEMBER,
            FILES,
            &json!({ "CommunityThreadId": null, "Name": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        only_error(&body),
        ("CommunityThreadId", "is a required field")
    );
}

#[tokio::test]
async fn malformed_requests_get_the_envelope() {
    let s = start(config()).await;
    let send = |ct: Option<&'static str>, body: &'static str| {
        let rb = s.request(Method::POST, Some(MEMBER), THREADS).body(body);
        let rb = match ct {
            Some(ct) => rb.header("Content-Type", ct),
            None => rb,
        };
        async move { read(rb.send().await.unwrap()).await }
    };
    let check = |(status, body): (StatusCode, Value), want: StatusCode, needle: &str| {
        assert_eq!(status, want, "{body}");
        assert_eq!(body["WasSuccessful"], false, "{body}");
        assert_eq!(body["Value"], Value::Null);
        assert_eq!(body["Errors"], json!([]));
        let message = body["Message"].as_str().unwrap();
        assert!(message.contains(needle), "{message}");
    };
    check(
        send(Some("application/json"), "{\"BusinessId\": 1,").await,
        StatusCode::BAD_REQUEST,
        "not valid JSON",
    );
    check(
        send(Some("application/json"), "").await,
        StatusCode::BAD_REQUEST,
        "empty",
    );
    check(
        send(Some("application/json"), "[1,2]").await,
        StatusCode::BAD_REQUEST,
        "must be a JSON object",
    );
    check(
        send(Some("text/plain"), "{}").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "application/json",
    );
    check(
        send(Some("application/x-www-form-urlencoded"), "a=b").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "application/json",
    );
    check(
        send(None, "{}").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Content-Type",
    );
    // JSON with a charset parameter is JSON.
    let (status, _) = send(Some("application/json; charset=utf-8"), "{}").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Invalid UTF-8 is malformed JSON, not a crash.
    let (status, body) = read(
        s.request(Method::POST, Some(MEMBER), FILES)
            .header("Content-Type", "application/json")
            .body(vec![b'{', 0xff, 0xfe, b'}'])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["WasSuccessful"], false);
}

#[tokio::test]
async fn body_over_the_limit_is_413_with_the_envelope() {
    let s = start(Config {
        max_file_bytes: 1000,
        max_body_bytes: 1024 * 1024,
        ..config()
    })
    .await;
    let big = "x".repeat(1024 * 1024);
    let (status, body) = s
        .post(
            MEMBER,
            FILES,
            &json!({ "CommunityThreadId": 1001, "Name": big }),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["WasSuccessful"], false);
    assert_eq!(
        body["Message"],
        "The request body exceeds the limit of 1 MB."
    );
    // Chunked (no Content-Length) is cut too.
    let stream = futures_stream(vec![
        b"{\"Name\":\"".to_vec(),
        vec![b'a'; 1100 * 1024],
        b"\"}".to_vec(),
    ]);
    let (status, body) = read(
        s.request(Method::POST, Some(MEMBER), FILES)
            .header("Content-Type", "application/json")
            .body(reqwest::Body::wrap(http_body_util::StreamBody::new(stream)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
}

/// A stream of chunks, for chunked request bodies.
fn futures_stream(
    chunks: Vec<Vec<u8>>,
) -> impl futures_core::Stream<Item = Result<hyper::body::Frame<axum::body::Bytes>, std::io::Error>>
       + Send
       + Sync
       + 'static {
    struct Chunks(std::collections::VecDeque<Vec<u8>>);
    impl futures_core::Stream for Chunks {
        type Item = Result<hyper::body::Frame<axum::body::Bytes>, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(
                self.0
                    .pop_front()
                    .map(|c| Ok(hyper::body::Frame::data(c.into()))),
            )
        }
    }
    Chunks(chunks.into())
}

#[tokio::test]
async fn default_body_limit_takes_a_25_mb_file_as_a_data_url() {
    let c = Config::default();
    assert_eq!(c.max_file_bytes, 25 * 1024 * 1024);
    let base64_len = (c.max_file_bytes as usize).div_ceil(3) * 4;
    assert!(c.effective_body_limit() as usize > base64_len + 1000);
}

#[tokio::test]
async fn unauthorized_cases_are_all_401() {
    let s = start(Config {
        extra_tokens: vec![
            ("reader-token".into(), TokenSpec::Roles(vec![])),
            ("custom-admin".into(), TokenSpec::Admin),
            ("custom-expired".into(), TokenSpec::Expired),
        ],
        ..config()
    })
    .await;
    let thread = json!({ "BusinessId": 1, "UserId": 10, "Subject": "s", "Message": "m" });

    // Missing header: empty body.
    let res = s
        .request(Method::POST, None, THREADS)
        .json(&thread)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    assert_eq!(res.text().await.unwrap(), "");

    // Malformed header: an HTML page.
    for value in [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer   ",
        "sandbox-admin-token",
    ] {
        let res = s
            .http
            .get(s.url(GROUPS))
            .header("Authorization", value)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{value}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(res.text().await.unwrap().contains("401"));
    }

    // Unknown and expired tokens: the ASP.NET JSON message.
    for token in ["nope", EXPIRED, "custom-expired"] {
        let (status, body) = s.post(token, THREADS, &thread).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token}");
        assert_eq!(
            body,
            json!({ "Message": "Authorization has been denied for this request." })
        );
    }
    let res = s
        .request(Method::GET, Some(EXPIRED), GROUPS)
        .send()
        .await
        .unwrap();
    assert!(res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("expired"));

    // Valid token without the role: 401 (never 403) with the envelope naming the role.
    let (status, body) = s
        .post(
            NO_FILES,
            FILES,
            &json!({ "CommunityThreadId": 1001, "Name": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["Status"], 401);
    assert_eq!(body["WasSuccessful"], false);
    assert_eq!(body["Errors"], Value::Null);
    assert!(body["Message"]
        .as_str()
        .unwrap()
        .contains("CommunityThreadFile-Create"));
    // The role check comes before validation.
    let (status, _) = s.post(NO_FILES, FILES, &json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for (token, method, path) in [
        ("reader-token", Method::POST, THREADS),
        ("reader-token", Method::GET, GROUPS),
        (
            NO_FILES,
            Method::DELETE,
            "/api/community/communitythreads/1001",
        ),
        (
            NO_FILES,
            Method::DELETE,
            "/api/community/communitythreadfiles/1",
        ),
    ] {
        let res = s
            .request(method.clone(), Some(token), path)
            .json(&thread)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::UNAUTHORIZED,
            "{token} {method} {path}"
        );
    }
    // Reads need a valid token, no role.
    assert_eq!(s.get("reader-token", THREADS).await.0, StatusCode::OK);
    let res = s.request(Method::GET, None, THREADS).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Custom admins may do everything; NO_FILES may create threads and list groups.
    assert_eq!(
        s.post("custom-admin", THREADS, &thread).await.0,
        StatusCode::OK
    );
    assert_eq!(s.post(NO_FILES, THREADS, &thread).await.0, StatusCode::OK);
    assert_eq!(s.get(NO_FILES, GROUPS).await.0, StatusCode::OK);
    // Scheme is case-insensitive.
    let res = s
        .http
        .get(s.url(GROUPS))
        .header("Authorization", format!("bearer {MEMBER}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn thread_list_paging_filters_and_order() {
    let s = start(config()).await;
    for subject in ["Charlie", "alpha", "Bravo"] {
        s.create_thread(subject).await;
    }
    // Default: ordered by Id ascending, size 25.
    let (status, list) = s.get(MEMBER, THREADS).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<i64> = list["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [1001, 1002, 5001, 5002, 5003]);
    for (k, v) in [
        ("CurrentPage", json!(1)),
        ("CurrentPageSize", json!(25)),
        ("CurrentOrderField", json!("Id")),
        ("CurrentSortDirection", json!(0)),
        ("FirstItem", json!(1)),
        ("LastItem", json!(5)),
        ("TotalItems", json!(5)),
        ("TotalPages", json!(1)),
        ("HasNextPage", json!(false)),
        ("HasPreviousPage", json!(false)),
    ] {
        assert_eq!(list[k], v, "{k}");
    }
    let record = &list["Records"][2];
    for field in [
        "Id",
        "BusinessId",
        "UserId",
        "Subject",
        "Message",
        "CommunityGroupId",
        "Tags",
        "Private",
        "InstantDelivery",
        "CreatedOn",
        "UpdatedOn",
    ] {
        assert!(record.get(field).is_some(), "{field}");
    }

    // Paging.
    let (_, page) = s.get(MEMBER, &format!("{THREADS}?page=2&size=2")).await;
    let ids: Vec<i64> = page["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [5001, 5002]);
    assert_eq!(page["FirstItem"], 3);
    assert_eq!(page["LastItem"], 4);
    assert_eq!(page["TotalPages"], 3);
    assert_eq!(page["HasNextPage"], true);
    assert_eq!(page["HasPreviousPage"], true);
    let (_, page) = s.get(MEMBER, &format!("{THREADS}?page=9&size=2")).await;
    assert_eq!(page["Records"], json!([]));
    assert_eq!(page["TotalItems"], 5);
    let (_, page) = s.get(MEMBER, &format!("{THREADS}?size=5000")).await;
    assert_eq!(page["CurrentPageSize"], 1000);

    // Order.
    let subjects = |v: &Value| -> Vec<String> {
        v["Records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["Subject"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, sorted) = s
        .get(MEMBER, &format!("{THREADS}?orderBy=Subject&dir=Descending"))
        .await;
    assert_eq!(
        subjects(&sorted),
        [
            "Welcome to the board",
            "Lost and found",
            "Charlie",
            "Bravo",
            "alpha"
        ]
    );
    assert_eq!(sorted["CurrentOrderField"], "Subject");
    assert_eq!(sorted["CurrentSortDirection"], 1);
    let (_, sorted) = s
        .get(MEMBER, &format!("{THREADS}?orderby=createdon&dir=1"))
        .await;
    assert_eq!(sorted["Records"][0]["Id"], 5003);
    assert_eq!(sorted["Records"][4]["Id"], 1001);
    let (_, sorted) = s
        .get(MEMBER, &format!("{THREADS}?orderBy=Id&dir=Ascending"))
        .await;
    assert_eq!(sorted["Records"][0]["Id"], 1001);

    // Filters.
    let (_, mine) = s
        .get(MEMBER, &format!("{THREADS}?CommunityThread_User=11"))
        .await;
    assert_eq!(subjects(&mine), ["Welcome to the board"]);
    let (_, found) = s
        .get(
            MEMBER,
            &format!("{THREADS}?CommunityThread_Subject=ALPHA&CommunityThread_User=10"),
        )
        .await;
    assert_eq!(subjects(&found), ["alpha"]);
    assert_eq!(found["TotalItems"], 1);
    let (_, none) = s
        .get(MEMBER, &format!("{THREADS}?CommunityThread_Subject=alph"))
        .await;
    assert_eq!(none["TotalItems"], 0);
    let (_, spaced) = s
        .get(
            MEMBER,
            &format!("{THREADS}?CommunityThread_Subject=Lost%20and%20found"),
        )
        .await;
    assert_eq!(spaced["TotalItems"], 1);
    let (_, group) = s
        .get(
            MEMBER,
            &format!("{THREADS}?CommunityThread_CommunityGroup=2"),
        )
        .await;
    assert_eq!(subjects(&group), ["Lost and found"]);
    let (status, body) = s
        .get(MEMBER, &format!("{THREADS}?CommunityThread_User=abc"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        only_error(&body),
        ("CommunityThread_User", "is not a valid integer")
    );
}

#[tokio::test]
async fn groups_list() {
    let s = start(config()).await;
    let (status, list) = s.get(MEMBER, GROUPS).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        list["Records"],
        json!([
            {"Id": 1, "Name": "General", "Description": "Everything about life at Sandbox Coworking.", "GroupAccess": 2, "BusinessId": 1},
            {"Id": 2, "Name": "Events", "Description": "Talks, socials and workshops.", "GroupAccess": 2, "BusinessId": 1},
            {"Id": 3, "Name": "Managers", "Description": "For the community managers.", "GroupAccess": 3, "BusinessId": 1},
            {"Id": 4, "Name": "Founders circle", "Description": "Founders only; members join on request.", "GroupAccess": 1, "BusinessId": 1}
        ])
    );
    assert_eq!(list["TotalItems"], 4);
    assert_eq!(list["CurrentPageSize"], 25);
    let (_, page) = s.get(MEMBER, &format!("{GROUPS}?page=2&size=3")).await;
    assert_eq!(page["Records"].as_array().unwrap().len(), 1);
    assert_eq!(page["Records"][0]["Name"], "Founders circle");
    assert_eq!(page["TotalPages"], 2);
    assert_eq!(page["HasPreviousPage"], true);
    assert_eq!(page["HasNextPage"], false);
    let (_, by_name) = s.get(MEMBER, &format!("{GROUPS}?orderBy=Name")).await;
    assert_eq!(by_name["Records"][0]["Name"], "Events");
    assert_eq!(by_name["CurrentOrderField"], "Name");
}

#[tokio::test]
async fn not_found_is_the_bare_json_string() {
    let s = start(config()).await;
    for path in [
        format!("{THREADS}/999"),
        format!("{THREADS}/abc"),
        format!("{THREADS}/%FF"),
        format!("{FILES}/%FF/content"),
        format!("{FILES}/1"),
        format!("{FILES}/1/content"),
        "/api/community/nothing".to_string(),
        "/nothing".to_string(),
    ] {
        let res = s
            .request(Method::GET, Some(ADMIN), &path)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        assert_eq!(res.text().await.unwrap(), "\"Not found\"", "{path}");
    }
    assert_eq!(
        s.delete(ADMIN, &format!("{THREADS}/999")).await,
        (StatusCode::NOT_FOUND, json!("Not found"))
    );
    assert_eq!(
        s.delete(ADMIN, &format!("{FILES}/999")).await,
        (StatusCode::NOT_FOUND, json!("Not found"))
    );
    // A known path with another method: 405 with Allow, JSON body.
    let res = s
        .request(Method::PUT, Some(ADMIN), THREADS)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(res.headers()["allow"].to_str().unwrap().contains("POST"));
    let body: Value = res.json().await.unwrap();
    assert!(body["Message"].as_str().unwrap().contains("PUT"));
}

#[tokio::test]
async fn thread_files_list_filtered_by_conversation() {
    let s = start(config()).await;
    let thread = s.create_thread("With files").await;
    let mut ids = Vec::new();
    for text in ["one", "two"] {
        let (status, file) = s.attach(thread, &format!("data:text/plain,{text}")).await;
        assert_eq!(status, StatusCode::OK, "{file}");
        ids.push(file["Value"]["Id"].as_i64().unwrap());
    }
    s.attach(1001, "data:text/plain,elsewhere").await;
    let path =
        format!("{FILES}?CommunityThreadFile_CommunityThread={thread}&orderBy=Id&dir=Descending");
    let (status, list) = s.get(MEMBER, &path).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let listed: Vec<(i64, i64)> = list["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["Id"].as_i64().unwrap(),
                r["CommunityThreadId"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, [(ids[1], thread), (ids[0], thread)]);
    assert_eq!(list["TotalItems"], 2);
    let (status, _) = s
        .get(
            MEMBER,
            &format!("{FILES}?CommunityThreadFile_CommunityThread=x"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn delete_thread_and_its_files() {
    let s = start(config()).await;
    let thread = s.create_thread("To delete").await;
    let (status, file) = s.attach(thread, "data:text/plain,hi").await;
    assert_eq!(status, StatusCode::OK, "{file}");
    let file_id = file["Value"]["Id"].as_i64().unwrap();
    let (status, other) = s.attach(1001, "data:text/plain,keep").await;
    assert_eq!(status, StatusCode::OK);
    let other_id = other["Value"]["Id"].as_i64().unwrap();

    let (status, body) = s.delete(MEMBER, &format!("{THREADS}/{thread}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["Message"], "CommunityThread was successfully deleted.");
    assert_eq!(body["Value"]["Id"], thread);
    assert_eq!(body["WasSuccessful"], true);
    assert_eq!(
        s.get(MEMBER, &format!("{THREADS}/{thread}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.get(MEMBER, &format!("{FILES}/{file_id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.get(MEMBER, &format!("{FILES}/{other_id}")).await.0,
        StatusCode::OK
    );

    let (status, body) = s.delete(MEMBER, &format!("{FILES}/{other_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["Message"],
        "CommunityThreadFile was successfully deleted."
    );
    assert_eq!(
        s.get(MEMBER, &format!("{FILES}/{other_id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.delete(MEMBER, &format!("{FILES}/{other_id}")).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn data_urls_are_stored() {
    let s = start(config()).await;
    let thread = s.create_thread("Pictures").await;
    let png = [0x89u8, b'P', b'N', b'G', 0, 1, 2, 255];
    let b64 = base64_encode(&png);
    let (status, body) = s
        .post(
            MEMBER,
            FILES,
            &json!({ "CommunityThreadId": thread, "Name": "Screenshot", "Description": "d",
                     "NewFileDataUrl": format!("data:image/png;base64,{b64}") }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body["Message"],
        "CommunityThreadFile was successfully created."
    );
    let id = body["Value"]["Id"].as_i64().unwrap();
    let (status, record) = s.get(MEMBER, &format!("{FILES}/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(record["Id"], id);
    assert_eq!(record["CommunityThreadId"], thread);
    assert_eq!(record["Name"], "Screenshot");
    assert_eq!(record["Description"], "d");
    assert_eq!(record["FileContentType"], "image/png");
    assert_eq!(record["FileSize"], png.len());
    assert_eq!(record["FileName"], "Screenshot");
    assert!(is_rfc3339_utc(record["CreatedOn"].as_str().unwrap()));
    let res = s
        .request(Method::GET, Some(MEMBER), &format!("{FILES}/{id}/content"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().as_ref(), png);

    // Percent-encoded data URL.
    let (status, body) = s
        .attach(thread, "data:text/plain;charset=utf-8,caf%C3%A9%20ok")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["Value"]["Id"].as_i64().unwrap();
    let bytes = s
        .request(Method::GET, Some(MEMBER), &format!("{FILES}/{id}/content"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.as_ref(), "café ok".as_bytes());

    // Malformed data URLs.
    for bad in [
        "data:image/png;base64,@@@@",
        "data:image/png;base64",
        "data:nonsense,x",
    ] {
        let (status, body) = s.attach(thread, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        let (prop, message) = only_error(&body);
        assert_eq!(prop, "NewFileDataUrl");
        assert!(message.contains("not a valid data: URL"), "{message}");
        assert_eq!(body["Errors"][0]["AttemptedValue"], bad);
    }

    // No URL, or ClearFileDataFile: a record without a file.
    let (status, body) = s
        .post(
            MEMBER,
            FILES,
            &json!({ "CommunityThreadId": thread, "Name": "n", "ClearFileDataFile": true,
                     "NewFileDataUrl": "data:text/plain,ignored" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["Value"]["Id"].as_i64().unwrap();
    let (_, record) = s.get(MEMBER, &format!("{FILES}/{id}")).await;
    assert_eq!(record["FileSize"], Value::Null);
    assert_eq!(
        s.get(MEMBER, &format!("{FILES}/{id}/content")).await.0,
        StatusCode::NOT_FOUND
    );
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn size_cap_applies_to_data_and_http_urls() {
    let s = start(Config {
        max_file_bytes: 1000,
        ..config()
    })
    .await;
    let thread = s.create_thread("Big").await;
    let exact = format!(
        "data:application/octet-stream;base64,{}",
        base64_encode(&[7u8; 1000])
    );
    assert_eq!(s.attach(thread, &exact).await.0, StatusCode::OK);
    let over = format!(
        "data:application/octet-stream;base64,{}",
        base64_encode(&[7u8; 1001])
    );
    let (status, body) = s.attach(thread, &over).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        only_error(&body),
        (
            "NewFileDataUrl",
            "exceeds the maximum file size of 1000 bytes"
        )
    );
    let url = s
        .upload("big.bin", "application/octet-stream", vec![1; 1001])
        .await;
    let (status, body) = s.attach(thread, &url).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        only_error(&body),
        (
            "NewFileDataUrl",
            "exceeds the maximum file size of 1000 bytes"
        )
    );
    // A chunked answer without Content-Length is cut while downloading.
    let other = start_app(axum::Router::new().route(
        "/stream.bin",
        get(|| async {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                (0..20).map(|_| Ok(vec![0u8; 100])).collect();
            Body::from_stream(IterStream(chunks.into_iter())).into_response()
        }),
    ))
    .await;
    let (status, body) = s.attach(thread, &format!("{other}/stream.bin")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        only_error(&body).1,
        "exceeds the maximum file size of 1000 bytes"
    );
}

#[tokio::test]
async fn a_25_mb_file_fits_as_a_data_url_and_one_byte_more_does_not() {
    let s = start(config()).await;
    let max = 25 * 1024 * 1024;
    // Built by hand: serialising a 34 MB string through serde_json is slow in debug builds.
    let post = |size: usize| {
        let body = format!(
            r#"{{"CommunityThreadId":1001,"Name":"big.jpg","NewFileDataUrl":"data:image/jpeg;base64,{}"}}"#,
            base64_encode(&vec![0xAB; size])
        );
        let rb = s
            .request(Method::POST, Some(MEMBER), FILES)
            .header("Content-Type", "application/json")
            .body(body);
        async move { read(rb.send().await.unwrap()).await }
    };
    let (status, body) = post(max).await;
    assert_eq!(status, StatusCode::OK, "{}", body["Message"]);
    let id = body["Value"]["Id"].as_i64().unwrap();
    let (_, record) = s.get(MEMBER, &format!("{FILES}/{id}")).await;
    assert_eq!(record["FileSize"], max);
    let (status, body) = post(max + 1).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        only_error(&body),
        ("NewFileDataUrl", "exceeds the maximum file size of 25 MB")
    );
}

struct IterStream<I>(I);

impl<I: Iterator + Unpin> futures_core::Stream for IterStream<I> {
    type Item = I::Item;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<I::Item>> {
        std::task::Poll::Ready(self.0.next())
    }
}

#[tokio::test]
async fn loopback_urls_are_fetched_and_others_refused() {
    let s = start(Config {
        fetch_timeout: Duration::from_millis(500),
        ..config()
    })
    .await;
    let thread = s.create_thread("Fetch").await;

    // From the upload store (loopback): name from the URL path, type from Content-Type.
    let url = s
        .upload("team photo.jpg", "image/jpeg", b"JPEGDATA".to_vec())
        .await;
    assert!(url.starts_with(&s.base));
    let (status, body) = s.attach(thread, &url).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["Value"]["Id"].as_i64().unwrap();
    let (_, record) = s.get(MEMBER, &format!("{FILES}/{id}")).await;
    assert_eq!(record["FileName"], "team_photo.jpg");
    assert_eq!(record["FileContentType"], "image/jpeg");
    assert_eq!(record["FileSize"], 8);
    let content = s
        .request(Method::GET, Some(MEMBER), &format!("{FILES}/{id}/content"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(content.as_ref(), b"JPEGDATA");

    // localhost and other loopback spellings are loopback.
    let port = s.base.rsplit(':').next().unwrap().to_string();
    let path = url.split_once(&format!(":{port}")).unwrap().1.to_string();
    for host in ["localhost", "127.0.0.1"] {
        let (status, body) = s
            .attach(thread, &format!("http://{host}:{port}{path}"))
            .await;
        assert_eq!(status, StatusCode::OK, "{host}: {body}");
    }

    // Non-loopback hosts are refused before any connection is made.
    for remote in [
        "http://example.com/a.png",
        "http://10.1.2.3/a.png",
        "http://0.0.0.0/a.png",
        "http://localhost.example.com/a.png",
    ] {
        let (status, body) = s.attach(thread, remote).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{remote}");
        let (prop, message) = only_error(&body);
        assert_eq!(prop, "NewFileDataUrl");
        assert!(message.contains("loopback"), "{message}");
        assert_eq!(body["Errors"][0]["AttemptedValue"], remote);
    }
    // Other schemes.
    for (url, needle) in [
        ("https://127.0.0.1/a.png", "https"),
        ("ftp://127.0.0.1/a.png", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("not a url", "not a valid URL"),
    ] {
        let (status, body) = s.attach(thread, url).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}");
        assert!(only_error(&body).1.contains(needle), "{body}");
    }

    // 404 from the URL.
    let (status, body) = s.attach(thread, &s.url("/uploads/none/x.png")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(only_error(&body).1.contains("HTTP 404"), "{body}");

    // Connection refused.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let (status, body) = s.attach(thread, &format!("http://{closed}/a.png")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(only_error(&body).1.contains("could not connect"), "{body}");

    // Redirects: followed on loopback, refused towards another host (never contacted).
    let redirector = start_app(
        axum::Router::new()
            .route(
                "/away",
                get(|| async { axum::response::Redirect::temporary("http://example.com/x.png") }),
            )
            .route(
                "/slow",
                get(|| async {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    "late"
                }),
            ),
    )
    .await;
    let target = url.clone();
    let redirector2 = start_app(axum::Router::new().route(
        "/home",
        get(move || {
            let t = target.clone();
            async move { axum::response::Redirect::temporary(&t) }
        }),
    ))
    .await;
    let (status, body) = s.attach(thread, &format!("{redirector2}/home")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = s.attach(thread, &format!("{redirector}/away")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(only_error(&body).1.contains("non-loopback"), "{body}");

    // Bounded download time.
    let started = std::time::Instant::now();
    let (status, body) = s.attach(thread, &format!("{redirector}/slow")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(only_error(&body).1.contains("within 0.5 seconds"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(5));

    // Nothing is fetched while other fields are wrong: only the field errors come back.
    let (status, body) = s
        .post(
            MEMBER,
            FILES,
            &json!({ "CommunityThreadId": 424242, "Name": "x",
                                      "NewFileDataUrl": "http://example.com/a" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(only_error(&body), ("CommunityThread", "was not found"));
}

#[tokio::test]
async fn long_attempted_values_are_cut() {
    let s = start(config()).await;
    let url = format!("data:image/png;base64,{}!", "A".repeat(5000));
    let (status, body) = s.attach(1001, &url).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let attempted = body["Errors"][0]["AttemptedValue"].as_str().unwrap();
    assert!(attempted.len() < 2100);
    assert!(attempted.ends_with(&format!("({} characters)", url.len())));
}
