//! Records: a thread as stored, lists (paging, order, filters), not found, deletes.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::common::*;
use super::is_rfc3339_utc;

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
    let file_id = s.attach_file(thread, "data:text/plain,hi").await;
    let other_id = s.attach_file(1001, "data:text/plain,keep").await;
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
