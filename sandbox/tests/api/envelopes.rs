//! Envelopes: the answer's shape, every validation problem, malformed and oversized bodies.

use reqwest::{Method, StatusCode};
use sandbox::Config;
use serde_json::{json, Value};

use super::common::*;
use super::is_rfc3339_utc;

#[tokio::test]
async fn seed_page_200_body_shape() {
    let s = start(config()).await;
    let created = check(
        &s,
        post(
            ADMIN,
            FILES,
            json!({ "CommunityThreadId": 1001, "Name": "notes" }),
        )
        .expect("a file record", StatusCode::OK)
        .header_starts("content-type", "application/json"),
    )
    .await;
    let mut body = created.body;
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
    let text = created.text;
    let positions: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");

    // Ids increment from 87654321.
    run(
        &s,
        [post(
            ADMIN,
            FILES,
            json!({ "CommunityThreadId": 1001, "Name": "b" }),
        )
        .expect("the next file record", StatusCode::OK)
        .is("/Value/Id", 87654322)],
    )
    .await;
}

#[tokio::test]
async fn seed_page_400_body_for_a_missing_name_is_exact() {
    let s = start(config()).await;
    run(&s, [
        post(ADMIN, FILES, json!({ "CommunityThreadId": 1001 }))
            .expect("a file without a Name", StatusCode::BAD_REQUEST)
            .text(r#"{"Message":"Name: is a required field","Value":null,"Errors":[{"AttemptedValue":null,"Message":"is a required field","PropertyName":"Name"}],"WasSuccessful":false}"#),
        // Even the reference's curl example (CommunityThreadId 0) gets envelope errors.
        post(ADMIN, FILES, json!({ "CommunityThreadId": 0 }))
            .expect("the reference's curl example", StatusCode::BAD_REQUEST)
            .len("/Errors", 2)
            .is("/Errors/0/PropertyName", "Name")
            .is("/Errors/1/PropertyName", "CommunityThread")
            .is("/Message", "Name: is a required field\nCommunityThread: was not found"),
    ])
    .await;
}

#[tokio::test]
async fn thread_validation_reports_every_problem() {
    let s = start(config()).await;
    run(&s, [post(MEMBER, THREADS, json!({}))
        .expect("an empty thread", StatusCode::BAD_REQUEST)
        .body(json!({
            "Message": "BusinessId: is a required field\nUserId: is a required field\nSubject: is a required field\nMessage: is a required field",
            "Value": null,
            "Errors": [
                {"AttemptedValue": null, "Message": "is a required field", "PropertyName": "BusinessId"},
                {"AttemptedValue": null, "Message": "is a required field", "PropertyName": "UserId"},
                {"AttemptedValue": null, "Message": "is a required field", "PropertyName": "Subject"},
                {"AttemptedValue": null, "Message": "is a required field", "PropertyName": "Message"}
            ],
            "WasSuccessful": false
        }))])
    .await;

    // Unknown references are reported on the entity name; blank strings are missing.
    let unknown = check(&s, post(
            MEMBER,
            THREADS,
            json!({ "BusinessId": 2, "UserId": 99, "Subject": "  ", "Message": "",
                     "CommunityGroupId": 42 }),
        )
        .expect("unknown references and blank strings", StatusCode::BAD_REQUEST)
        .is("/Errors", json!([
            {"AttemptedValue": "  ", "Message": "is a required field", "PropertyName": "Subject"},
            {"AttemptedValue": "", "Message": "is a required field", "PropertyName": "Message"},
            {"AttemptedValue": 2, "Message": "was not found", "PropertyName": "Business"},
            {"AttemptedValue": 99, "Message": "was not found", "PropertyName": "User"},
            {"AttemptedValue": 42, "Message": "was not found", "PropertyName": "CommunityGroup"}
        ])))
    .await;
    assert_eq!(unknown.body["Message"].as_str().unwrap().lines().count(), 5);

    // Subject: 254 characters as .NET counts them (UTF-16 units) is the limit.
    let ok = "😀".repeat(127);
    let long = "😀".repeat(127) + "a";
    let with = |subject: &str| {
        post(
            MEMBER,
            THREADS,
            json!({ "BusinessId": 1, "UserId": 10, "Message": "m", "Subject": subject }),
        )
    };
    run(
        &s,
        [
            with(&ok).expect("a subject of 254 UTF-16 units", StatusCode::OK),
            with(&long)
                .expect("a subject of 255 UTF-16 units", StatusCode::BAD_REQUEST)
                .only_error("Subject", "cannot be longer than 254 characters")
                .is("/Errors/0/AttemptedValue", long.as_str()),
            // Nothing was created by the failures.
            get(ADMIN, "/_sandbox/created")
                .expect("only the valid thread was created", StatusCode::OK)
                .len("/threads", 1),
        ],
    )
    .await;
}

#[tokio::test]
async fn wrong_types_are_errors_with_the_attempted_value() {
    let s = start(config()).await;
    let attempted = [
        ("BusinessId", json!(1.5)),
        ("UserId", json!("10")),
        ("Subject", json!(5)),
        ("CommunityGroupId", json!(true)),
        ("Private", json!("yes")),
        ("Guests", json!([1, "x"])),
    ];
    let every_field_wrong = post(
        MEMBER,
        THREADS,
        json!({ "BusinessId": 1.5, "UserId": "10", "Subject": 5, "Message": "m",
                 "Private": "yes", "Guests": [1, "x"], "CommunityGroupId": true }),
    )
    .expect(
        "a thread with every field of the wrong type",
        StatusCode::BAD_REQUEST,
    )
    .len("/Errors", attempted.len());
    let every_field_wrong =
        attempted
            .into_iter()
            .enumerate()
            .fold(every_field_wrong, |row, (i, (property, value))| {
                row.is(&format!("/Errors/{i}/PropertyName"), property)
                    .is(&format!("/Errors/{i}/AttemptedValue"), value)
            });
    run(
        &s,
        [
            post(
                MEMBER,
                FILES,
                json!({ "CommunityThreadId": "abc", "Name": "x" }),
            )
            .expect("a thread id that is text", StatusCode::BAD_REQUEST)
            .is(
                "/Errors",
                json!([{ "AttemptedValue": "abc", "Message": "is not a valid integer",
                         "PropertyName": "CommunityThreadId" }]),
            )
            .is("/Message", "CommunityThreadId: is not a valid integer"),
            every_field_wrong,
            post(
                MEMBER,
                FILES,
                json!({ "CommunityThreadId": null, "Name": "x" }),
            )
            .expect("null counts as absent", StatusCode::BAD_REQUEST)
            .only_error("CommunityThreadId", "is a required field"),
        ],
    )
    .await;
}

#[tokio::test]
async fn malformed_requests_get_the_envelope() {
    let s = start(config()).await;
    let send = |content_type: Option<&'static str>, body: &'static str| {
        let request = request(Method::POST, THREADS).bearer(MEMBER).raw(body);
        match content_type {
            Some(content_type) => request.header("Content-Type", content_type),
            None => request,
        }
    };
    let refused = |what: &str,
                   content_type: Option<&'static str>,
                   body: &'static str,
                   status: StatusCode,
                   needle: &str| {
        send(content_type, body)
            .expect(what, status)
            .is("/WasSuccessful", false)
            .is("/Value", Value::Null)
            .is("/Errors", json!([]))
            .contains("/Message", needle)
    };
    let json = Some("application/json");
    run(
        &s,
        [
            refused(
                "cut-off JSON",
                json,
                "{\"BusinessId\": 1,",
                StatusCode::BAD_REQUEST,
                "not valid JSON",
            ),
            refused("an empty body", json, "", StatusCode::BAD_REQUEST, "empty"),
            refused(
                "a JSON array",
                json,
                "[1,2]",
                StatusCode::BAD_REQUEST,
                "must be a JSON object",
            ),
            refused(
                "text/plain",
                Some("text/plain"),
                "{}",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "application/json",
            ),
            refused(
                "a form",
                Some("application/x-www-form-urlencoded"),
                "a=b",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "application/json",
            ),
            refused(
                "no content type",
                None,
                "{}",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Type",
            ),
            // JSON with a charset parameter is JSON.
            send(Some("application/json; charset=utf-8"), "{}")
                .expect("JSON with a charset", StatusCode::BAD_REQUEST),
            // Invalid UTF-8 is malformed JSON, not a crash.
            request(Method::POST, FILES)
                .bearer(MEMBER)
                .header("Content-Type", "application/json")
                .raw(vec![b'{', 0xff, 0xfe, b'}'])
                .expect("invalid UTF-8", StatusCode::BAD_REQUEST)
                .is("/WasSuccessful", false),
        ],
    )
    .await;
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
    run(
        &s,
        [post(
            MEMBER,
            FILES,
            json!({ "CommunityThreadId": 1001, "Name": big }),
        )
        .expect("a body over 1 MB", StatusCode::PAYLOAD_TOO_LARGE)
        .is("/WasSuccessful", false)
        .is("/Message", "The request body exceeds the limit of 1 MB.")],
    )
    .await;
    // Chunked (no Content-Length) is cut too.
    let stream = futures_stream(vec![
        b"{\"Name\":\"".to_vec(),
        vec![b'a'; 1100 * 1024],
        b"\"}".to_vec(),
    ]);
    let res = s
        .request(Method::POST, Some(MEMBER), FILES)
        .header("Content-Type", "application/json")
        .body(reqwest::Body::wrap(http_body_util::StreamBody::new(stream)))
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body = res.text().await.unwrap();
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
async fn long_attempted_values_are_cut() {
    let s = start(config()).await;
    let url = format!("data:image/png;base64,{}!", "A".repeat(5000));
    let refused = attach(1001, &url).expect("a long malformed URL", StatusCode::BAD_REQUEST);
    let body = check(&s, refused).await.body;
    let attempted = body["Errors"][0]["AttemptedValue"].as_str().unwrap();
    assert!(attempted.len() < 2100);
    assert!(attempted.ends_with(&format!("({} characters)", url.len())));
}
