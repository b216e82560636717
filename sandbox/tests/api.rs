//! The Nexudus endpoints: envelopes, validation, auth, lists, files and fetched URLs.

mod common;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::response::IntoResponse;
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
async fn thread_create_read_and_envelope() {
    let s = start(config()).await;
    run(
        &s,
        [post(
            MEMBER,
            THREADS,
            json!({
                "BusinessId": 1, "UserId": 10, "Subject": "Found keys", "Message": "At the desk",
                "CommunityGroupId": 2, "CoworkerId": 77, "Tags": "a,b", "Private": true,
                "InstantDelivery": true, "Guests": [3, 4], "SomethingUnknown": {"x": 1}
            }),
        )
        .expect("a thread with every field", StatusCode::OK)
        .is("/Message", "CommunityThread was successfully created.")
        .is("/Value", json!({ "Id": 5001 }))
        .is("/UpdatedBy", "ada.member@example.com")
        .is("/WasSuccessful", true)
        .is("/Errors", Value::Null)],
    )
    .await;

    let stored = check(
        &s,
        get(MEMBER, format!("{THREADS}/5001"))
            .expect("the thread as stored", StatusCode::OK)
            .fields([
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
            ])
            .absent("/SomethingUnknown"),
    )
    .await;
    assert!(is_rfc3339_utc(stored.body["CreatedOn"].as_str().unwrap()));
    assert!(is_rfc3339_utc(stored.body["UpdatedOn"].as_str().unwrap()));

    // Seed threads exist; the next id follows.
    run(
        &s,
        [get(ADMIN, format!("{THREADS}/1001"))
            .expect("a seed thread", StatusCode::OK)
            .is("/Subject", "Welcome to the board")
            .is("/UserId", 11)
            .is("/CommunityGroupId", 1)],
    )
    .await;
    assert_eq!(s.create_thread("Second").await, 5002);

    // Property names match case-insensitively; no group is fine.
    run(
        &s,
        [
            post(
                ADMIN,
                THREADS,
                json!({ "businessid": 1, "USERID": 11, "subject": "x", "message": "y" }),
            )
            .expect("property names in any case", StatusCode::OK)
            .is("/UpdatedBy", "admin@example.com"),
            get(ADMIN, format!("{THREADS}/5003"))
                .expect("a thread without a group", StatusCode::OK)
                .is("/CommunityGroupId", Value::Null),
        ],
    )
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
    let denied = json!({ "Message": "Authorization has been denied for this request." });
    // Missing header: empty body.
    let mut rows = vec![request(Method::POST, THREADS)
        .json(thread.clone())
        .expect("no Authorization header", StatusCode::UNAUTHORIZED)
        .header("www-authenticate", "Bearer")
        .text("")];
    // Malformed header: an HTML page.
    rows.extend(
        [
            "Basic dXNlcjpwYXNz",
            "Bearer",
            "Bearer   ",
            "sandbox-admin-token",
        ]
        .map(|value| {
            request(Method::GET, GROUPS)
                .header("Authorization", value)
                .expect(
                    format!("Authorization: {value:?}"),
                    StatusCode::UNAUTHORIZED,
                )
                .header_starts("content-type", "text/html")
                .contains("", "401")
        }),
    );
    // Unknown and expired tokens: the ASP.NET JSON message.
    rows.extend(["nope", EXPIRED, "custom-expired"].map(|token| {
        post(token, THREADS, thread.clone())
            .expect(format!("the token {token}"), StatusCode::UNAUTHORIZED)
            .body(denied.clone())
    }));
    rows.push(
        get(EXPIRED, GROUPS)
            .expect("an expired token is told so", StatusCode::UNAUTHORIZED)
            .header_contains("www-authenticate", "expired"),
    );
    // Valid token without the role: 401 (never 403) with the envelope naming the role.
    rows.push(
        post(
            NO_FILES,
            FILES,
            json!({ "CommunityThreadId": 1001, "Name": "x" }),
        )
        .expect("a valid token without the role", StatusCode::UNAUTHORIZED)
        .is("/Status", 401)
        .is("/WasSuccessful", false)
        .is("/Errors", Value::Null)
        .contains("/Message", "CommunityThreadFile-Create"),
    );
    rows.push(post(NO_FILES, FILES, json!({})).expect(
        "the role check comes before validation",
        StatusCode::UNAUTHORIZED,
    ));
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
        rows.push(
            request(method, path)
                .bearer(token)
                .json(thread.clone())
                .expect(format!("{token} lacks the role"), StatusCode::UNAUTHORIZED),
        );
    }
    rows.extend([
        // Reads need a valid token, no role.
        get("reader-token", THREADS).expect("a read without a role", StatusCode::OK),
        request(Method::GET, THREADS).expect("a read without a token", StatusCode::UNAUTHORIZED),
        // Custom admins may do everything; NO_FILES may create threads and list groups.
        post("custom-admin", THREADS, thread.clone())
            .expect("a custom administrator writes", StatusCode::OK),
        post(NO_FILES, THREADS, thread.clone())
            .expect("the no-files token creates a thread", StatusCode::OK),
        get(NO_FILES, GROUPS).expect("the no-files token lists the boards", StatusCode::OK),
        // Scheme is case-insensitive.
        request(Method::GET, GROUPS)
            .header("Authorization", format!("bearer {MEMBER}"))
            .expect("the scheme in lower case", StatusCode::OK),
    ]);
    run(&s, rows).await;
}

#[tokio::test]
async fn thread_list_paging_filters_and_order() {
    let s = start(config()).await;
    for subject in ["Charlie", "alpha", "Bravo"] {
        s.create_thread(subject).await;
    }
    let list = |query: &str| get(MEMBER, format!("{THREADS}?{query}"));
    // Default: ordered by Id ascending, size 25.
    let first_page = get(MEMBER, THREADS)
        .expect("the default page", StatusCode::OK)
        .column("Id", json!([1001, 1002, 5001, 5002, 5003]))
        .fields([
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
        ]);
    let first_page = [
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
    ]
    .into_iter()
    .fold(first_page, |row, field| {
        row.present(&format!("/Records/2/{field}"))
    });
    run(
        &s,
        [
            first_page,
            // Paging.
            list("page=2&size=2")
                .expect("page 2 of pages of 2", StatusCode::OK)
                .column("Id", json!([5001, 5002]))
                .fields([
                    ("FirstItem", json!(3)),
                    ("LastItem", json!(4)),
                    ("TotalPages", json!(3)),
                    ("HasNextPage", json!(true)),
                    ("HasPreviousPage", json!(true)),
                ]),
            list("page=9&size=2")
                .expect("a page past the end", StatusCode::OK)
                .is("/Records", json!([]))
                .is("/TotalItems", 5),
            list("size=5000")
                .expect("a page size over the cap", StatusCode::OK)
                .is("/CurrentPageSize", 1000),
            // Order.
            list("orderBy=Subject&dir=Descending")
                .expect("by subject, descending", StatusCode::OK)
                .column(
                    "Subject",
                    json!([
                        "Welcome to the board",
                        "Lost and found",
                        "Charlie",
                        "Bravo",
                        "alpha"
                    ]),
                )
                .is("/CurrentOrderField", "Subject")
                .is("/CurrentSortDirection", 1),
            list("orderby=createdon&dir=1")
                .expect("newest first, named in any case", StatusCode::OK)
                .is("/Records/0/Id", 5003)
                .is("/Records/4/Id", 1001),
            list("orderBy=Id&dir=Ascending")
                .expect("by id, ascending", StatusCode::OK)
                .is("/Records/0/Id", 1001),
            // Filters.
            list("CommunityThread_User=11")
                .expect("one member's threads", StatusCode::OK)
                .column("Subject", json!(["Welcome to the board"])),
            list("CommunityThread_Subject=ALPHA&CommunityThread_User=10")
                .expect("a subject in any case, and a member", StatusCode::OK)
                .column("Subject", json!(["alpha"]))
                .is("/TotalItems", 1),
            list("CommunityThread_Subject=alph")
                .expect("a subject matches whole", StatusCode::OK)
                .is("/TotalItems", 0),
            list("CommunityThread_Subject=Lost%20and%20found")
                .expect("a subject with encoded spaces", StatusCode::OK)
                .is("/TotalItems", 1),
            list("CommunityThread_CommunityGroup=2")
                .expect("one board's threads", StatusCode::OK)
                .column("Subject", json!(["Lost and found"])),
            list("CommunityThread_User=abc")
                .expect("a member filter that is no number", StatusCode::BAD_REQUEST)
                .only_error("CommunityThread_User", "is not a valid integer"),
        ],
    )
    .await;
}

#[tokio::test]
async fn groups_list() {
    let s = start(config()).await;
    run(&s, [
        get(MEMBER, GROUPS)
            .expect("the boards", StatusCode::OK)
            .is("/Records", json!([
                {"Id": 1, "Name": "General", "Description": "Everything about life at Sandbox Coworking.", "GroupAccess": 2, "BusinessId": 1},
                {"Id": 2, "Name": "Events", "Description": "Talks, socials and workshops.", "GroupAccess": 2, "BusinessId": 1},
                {"Id": 3, "Name": "Managers", "Description": "For the community managers.", "GroupAccess": 3, "BusinessId": 1},
                {"Id": 4, "Name": "Founders circle", "Description": "Founders only; members join on request.", "GroupAccess": 1, "BusinessId": 1}
            ]))
            .is("/TotalItems", 4)
            .is("/CurrentPageSize", 25),
        get(MEMBER, format!("{GROUPS}?page=2&size=3"))
            .expect("page 2 of pages of 3", StatusCode::OK)
            .len("/Records", 1)
            .is("/Records/0/Name", "Founders circle")
            .is("/TotalPages", 2)
            .is("/HasPreviousPage", true)
            .is("/HasNextPage", false),
        get(MEMBER, format!("{GROUPS}?orderBy=Name"))
            .expect("by name", StatusCode::OK)
            .is("/Records/0/Name", "Events")
            .is("/CurrentOrderField", "Name"),
    ])
    .await;
}

#[tokio::test]
async fn not_found_is_the_bare_json_string() {
    let s = start(config()).await;
    let mut rows: Vec<Exchange> = [
        format!("{THREADS}/999"),
        format!("{THREADS}/abc"),
        format!("{THREADS}/%FF"),
        format!("{FILES}/%FF/content"),
        format!("{FILES}/1"),
        format!("{FILES}/1/content"),
        "/api/community/nothing".to_string(),
        "/nothing".to_string(),
    ]
    .into_iter()
    .map(|path| {
        get(ADMIN, path)
            .expect("nothing there", StatusCode::NOT_FOUND)
            .header_starts("content-type", "application/json")
            .text("\"Not found\"")
    })
    .collect();
    rows.extend([
        delete(ADMIN, format!("{THREADS}/999"))
            .expect("deleting an unknown thread", StatusCode::NOT_FOUND)
            .body(json!("Not found")),
        delete(ADMIN, format!("{FILES}/999"))
            .expect("deleting an unknown file", StatusCode::NOT_FOUND)
            .body(json!("Not found")),
        // A known path with another method: 405 with Allow, JSON body.
        request(Method::PUT, THREADS)
            .bearer(ADMIN)
            .expect(
                "another method on a known path",
                StatusCode::METHOD_NOT_ALLOWED,
            )
            .header_contains("allow", "POST")
            .contains("/Message", "PUT"),
    ]);
    run(&s, rows).await;
}

#[tokio::test]
async fn thread_files_list_filtered_by_conversation() {
    let s = start(config()).await;
    let thread = s.create_thread("With files").await;
    let mut ids = Vec::new();
    for text in ["one", "two"] {
        let url = format!("data:text/plain,{text}");
        let file = check(&s, attach(thread, &url).expect(url, StatusCode::OK)).await;
        ids.push(file.id());
    }
    run(
        &s,
        [attach(1001, "data:text/plain,elsewhere")
            .expect("a file on another thread", StatusCode::OK)],
    )
    .await;
    run(
        &s,
        [
            get(
                MEMBER,
                format!(
                    "{FILES}?CommunityThreadFile_CommunityThread={thread}&orderBy=Id&dir=Descending"
                ),
            )
            .expect("one conversation's files, newest first", StatusCode::OK)
            .column("Id", json!([ids[1], ids[0]]))
            .column("CommunityThreadId", json!([thread, thread]))
            .is("/TotalItems", 2),
            get(
                MEMBER,
                format!("{FILES}?CommunityThreadFile_CommunityThread=x"),
            )
            .expect("a conversation that is no number", StatusCode::BAD_REQUEST),
        ],
    )
    .await;
}

#[tokio::test]
async fn delete_thread_and_its_files() {
    let s = start(config()).await;
    let thread = s.create_thread("To delete").await;
    let file_id = check(
        &s,
        attach(thread, "data:text/plain,hi").expect("a file to delete", StatusCode::OK),
    )
    .await
    .id();
    let other_id = check(
        &s,
        attach(1001, "data:text/plain,keep").expect("a file to keep", StatusCode::OK),
    )
    .await
    .id();
    let file = |id: i64| format!("{FILES}/{id}");
    run(
        &s,
        [
            delete(MEMBER, format!("{THREADS}/{thread}"))
                .expect("deleting the thread", StatusCode::OK)
                .is("/Message", "CommunityThread was successfully deleted.")
                .is("/Value/Id", thread)
                .is("/WasSuccessful", true),
            get(MEMBER, format!("{THREADS}/{thread}"))
                .expect("the thread is gone", StatusCode::NOT_FOUND),
            get(MEMBER, file(file_id)).expect("its file went with it", StatusCode::NOT_FOUND),
            get(MEMBER, file(other_id)).expect("another thread's file stays", StatusCode::OK),
            delete(MEMBER, file(other_id))
                .expect("deleting a file", StatusCode::OK)
                .is("/Message", "CommunityThreadFile was successfully deleted."),
            get(MEMBER, file(other_id)).expect("the file is gone", StatusCode::NOT_FOUND),
            delete(MEMBER, file(other_id)).expect("deleting it again", StatusCode::NOT_FOUND),
        ],
    )
    .await;
}

#[tokio::test]
async fn data_urls_are_stored() {
    let s = start(config()).await;
    let thread = s.create_thread("Pictures").await;
    let png = [0x89u8, b'P', b'N', b'G', 0, 1, 2, 255];
    let b64 = base64_encode(&png);
    let id = check(
        &s,
        post(
            MEMBER,
            FILES,
            json!({ "CommunityThreadId": thread, "Name": "Screenshot", "Description": "d",
                     "NewFileDataUrl": format!("data:image/png;base64,{b64}") }),
        )
        .expect("a base64 data: URL", StatusCode::OK)
        .is("/Message", "CommunityThreadFile was successfully created."),
    )
    .await
    .id();
    let record = check(
        &s,
        get(MEMBER, format!("{FILES}/{id}"))
            .expect("the file's record", StatusCode::OK)
            .fields([
                ("Id", json!(id)),
                ("CommunityThreadId", json!(thread)),
                ("Name", json!("Screenshot")),
                ("Description", json!("d")),
                ("FileContentType", json!("image/png")),
                ("FileSize", json!(png.len())),
                ("FileName", json!("Screenshot")),
            ]),
    )
    .await;
    assert!(is_rfc3339_utc(record.body["CreatedOn"].as_str().unwrap()));
    run(
        &s,
        [get(MEMBER, format!("{FILES}/{id}/content"))
            .expect("the file's bytes", StatusCode::OK)
            .header("content-type", "image/png")
            .bytes(png)],
    )
    .await;

    // Percent-encoded data URL.
    let encoded = "data:text/plain;charset=utf-8,caf%C3%A9%20ok";
    let id = check(&s, attach(thread, encoded).expect(encoded, StatusCode::OK))
        .await
        .id();
    run(
        &s,
        [get(MEMBER, format!("{FILES}/{id}/content"))
            .expect("the percent-decoded bytes", StatusCode::OK)
            .bytes("café ok")],
    )
    .await;

    // Malformed data URLs.
    run(
        &s,
        [
            "data:image/png;base64,@@@@",
            "data:image/png;base64",
            "data:nonsense,x",
        ]
        .map(|bad| {
            attach(thread, bad)
                .expect(bad, StatusCode::BAD_REQUEST)
                .only_error_containing("NewFileDataUrl", "not a valid data: URL")
                .is("/Errors/0/AttemptedValue", bad)
        }),
    )
    .await;

    // No URL, or ClearFileDataFile: a record without a file.
    let id = check(
        &s,
        post(
            MEMBER,
            FILES,
            json!({ "CommunityThreadId": thread, "Name": "n", "ClearFileDataFile": true,
                     "NewFileDataUrl": "data:text/plain,ignored" }),
        )
        .expect("ClearFileDataFile with a URL", StatusCode::OK),
    )
    .await
    .id();
    run(
        &s,
        [
            get(MEMBER, format!("{FILES}/{id}"))
                .expect("a record without a file", StatusCode::OK)
                .is("/FileSize", Value::Null),
            get(MEMBER, format!("{FILES}/{id}/content")).expect("no bytes", StatusCode::NOT_FOUND),
        ],
    )
    .await;
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
    let of_size = |size: usize| {
        format!(
            "data:application/octet-stream;base64,{}",
            base64_encode(&vec![7u8; size])
        )
    };
    let too_big = "exceeds the maximum file size of 1000 bytes";
    let uploaded = s
        .upload("big.bin", "application/octet-stream", vec![1; 1001])
        .await;
    // A chunked answer without Content-Length is cut while downloading.
    let other = start_app(axum::Router::new().route(
        "/stream.bin",
        axum::routing::get(|| async {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                (0..20).map(|_| Ok(vec![0u8; 100])).collect();
            Body::from_stream(IterStream(chunks.into_iter())).into_response()
        }),
    ))
    .await;
    run(
        &s,
        [
            attach(thread, &of_size(1000)).expect("a data: URL of 1000 bytes", StatusCode::OK),
            attach(thread, &of_size(1001))
                .expect("a data: URL of 1001 bytes", StatusCode::BAD_REQUEST)
                .only_error("NewFileDataUrl", too_big),
            attach(thread, &uploaded)
                .expect("an upload of 1001 bytes", StatusCode::BAD_REQUEST)
                .only_error("NewFileDataUrl", too_big),
            attach(thread, &format!("{other}/stream.bin"))
                .expect("a chunked download of 2000 bytes", StatusCode::BAD_REQUEST)
                .only_error("NewFileDataUrl", too_big),
        ],
    )
    .await;
}

#[tokio::test]
async fn a_25_mb_file_fits_as_a_data_url_and_one_byte_more_does_not() {
    let s = start(config()).await;
    let max = 25 * 1024 * 1024;
    // Built by hand: serialising a 34 MB string through serde_json is slow in debug builds.
    let post_of = |size: usize| {
        request(Method::POST, FILES)
            .bearer(MEMBER)
            .header("Content-Type", "application/json")
            .raw(format!(
                r#"{{"CommunityThreadId":1001,"Name":"big.jpg","NewFileDataUrl":"data:image/jpeg;base64,{}"}}"#,
                base64_encode(&vec![0xAB; size])
            ))
    };
    let id = check(&s, post_of(max).expect("25 MB", StatusCode::OK))
        .await
        .id();
    run(
        &s,
        [
            get(MEMBER, format!("{FILES}/{id}"))
                .expect("its record", StatusCode::OK)
                .is("/FileSize", max),
            post_of(max + 1)
                .expect("25 MB and one byte", StatusCode::BAD_REQUEST)
                .only_error("NewFileDataUrl", "exceeds the maximum file size of 25 MB"),
        ],
    )
    .await;
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
    let fetched =
        |url: &str| attach(thread, url).expect(format!("{url} is fetched"), StatusCode::OK);
    let refused = |url: &str, needle: &str| {
        attach(thread, url)
            .expect(format!("{url} is refused"), StatusCode::BAD_REQUEST)
            .only_error_containing("NewFileDataUrl", needle)
            .is("/Errors/0/AttemptedValue", url)
    };

    // From the upload store (loopback): name from the URL path, type from Content-Type.
    let url = s
        .upload("team photo.jpg", "image/jpeg", b"JPEGDATA".to_vec())
        .await;
    assert!(url.starts_with(&s.base));
    let id = check(&s, fetched(&url)).await.id();
    run(
        &s,
        [
            get(MEMBER, format!("{FILES}/{id}"))
                .expect("the fetched file's record", StatusCode::OK)
                .fields([
                    ("FileName", json!("team_photo.jpg")),
                    ("FileContentType", json!("image/jpeg")),
                    ("FileSize", json!(8)),
                ]),
            get(MEMBER, format!("{FILES}/{id}/content"))
                .expect("the fetched bytes", StatusCode::OK)
                .bytes(*b"JPEGDATA"),
        ],
    )
    .await;

    // localhost and other loopback spellings are loopback.
    let port = s.base.rsplit(':').next().unwrap().to_string();
    let path = url.split_once(&format!(":{port}")).unwrap().1.to_string();
    let mut rows: Vec<Exchange> = ["localhost", "127.0.0.1"]
        .map(|host| fetched(&format!("http://{host}:{port}{path}")))
        .into();
    // Non-loopback hosts are refused before any connection is made.
    rows.extend(
        [
            "http://example.com/a.png",
            "http://10.1.2.3/a.png",
            "http://0.0.0.0/a.png",
            "http://localhost.example.com/a.png",
        ]
        .map(|remote| refused(remote, "loopback")),
    );
    // Other schemes.
    rows.extend(
        [
            ("https://127.0.0.1/a.png", "https"),
            ("ftp://127.0.0.1/a.png", "scheme"),
            ("file:///etc/passwd", "scheme"),
            ("not a url", "not a valid URL"),
        ]
        .map(|(url, needle)| refused(url, needle)),
    );
    // 404 from the URL.
    rows.push(refused(&s.url("/uploads/none/x.png"), "HTTP 404"));
    // Connection refused.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    rows.push(refused(
        &format!("http://{closed}/a.png"),
        "could not connect",
    ));

    // Redirects: followed on loopback, refused towards another host (never contacted).
    let redirector = start_app(
        axum::Router::new()
            .route(
                "/away",
                axum::routing::get(|| async {
                    axum::response::Redirect::temporary("http://example.com/x.png")
                }),
            )
            .route(
                "/slow",
                axum::routing::get(|| async {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    "late"
                }),
            ),
    )
    .await;
    let target = url.clone();
    let redirector2 = start_app(axum::Router::new().route(
        "/home",
        axum::routing::get(move || {
            let t = target.clone();
            async move { axum::response::Redirect::temporary(&t) }
        }),
    ))
    .await;
    rows.push(fetched(&format!("{redirector2}/home")));
    rows.push(refused(&format!("{redirector}/away"), "non-loopback"));
    run(&s, rows).await;

    // Bounded download time.
    let started = Instant::now();
    run(
        &s,
        [refused(&format!("{redirector}/slow"), "within 0.5 seconds")],
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(5));

    // Nothing is fetched while other fields are wrong: only the field errors come back.
    run(
        &s,
        [post(
            MEMBER,
            FILES,
            json!({ "CommunityThreadId": 424242, "Name": "x",
                    "NewFileDataUrl": "http://example.com/a" }),
        )
        .expect(
            "an unknown thread and a remote URL",
            StatusCode::BAD_REQUEST,
        )
        .only_error("CommunityThread", "was not found")],
    )
    .await;
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
