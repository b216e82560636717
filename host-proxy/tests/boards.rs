//! Issue 26: through the proxy a member posts only where Nexudus would let them post. The
//! sandbox (like live Nexudus for the operator's credential) accepts any board, so every
//! refusal here is the proxy's: the 400 envelope on `CommunityGroupId`, nothing created.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::{json, Value};

fn conversation(board: Value) -> Value {
    json!({"Subject": "Board rule", "Message": "Hello", "CommunityGroupId": board})
}

/// The one field error of a 400 answer: (PropertyName, Message).
fn field_error(body: &Value) -> (String, String) {
    let errors = body["Errors"].as_array().expect("Errors[]");
    assert_eq!(errors.len(), 1, "{body}");
    (
        errors[0]["PropertyName"].as_str().unwrap().to_string(),
        errors[0]["Message"].as_str().unwrap().to_string(),
    )
}

async fn created_boards(sandbox: &str) -> Vec<Value> {
    created(sandbox).await["threads"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|t| t["CommunityGroupId"].clone())
        .collect()
}

/// Posts on `board` as `token`; the status and the answer.
async fn post_on(proxy: &Running, token: &str, board: Value) -> (u16, Value) {
    let (status, body) = proxy.post(token, THREADS, &conversation(board)).await;
    (status.as_u16(), body)
}

async fn refused(proxy: &Running, token: &str, board: Value) -> (String, String) {
    let (status, body) = post_on(proxy, token, board.clone()).await;
    assert_eq!(status, 400, "{board}: {body}");
    assert_eq!(body["Errors"][0]["AttemptedValue"], board, "{body}");
    field_error(&body)
}

#[tokio::test]
async fn public_boards_and_no_board_are_open_to_every_member() {
    let (sandbox, proxy) = stack().await;
    let grace = session(11, 1);
    for board in [json!(1), json!(2), json!("2"), Value::Null] {
        let (status, body) = post_on(&proxy, &grace, board.clone()).await;
        assert_eq!(status, 200, "{board}: {body}");
    }
    let (status, _) = proxy
        .post(
            &grace,
            THREADS,
            &json!({"Subject": "No board", "Message": "Hi"}),
        )
        .await;
    assert_eq!(status, 200);
    // A board given as digits reaches Nexudus as the number.
    assert_eq!(
        created_boards(&sandbox).await,
        [json!(1), json!(2), json!(2), Value::Null, Value::Null]
    );
}

#[tokio::test]
async fn a_restricted_board_needs_the_member_in_it() {
    let (sandbox, proxy) = stack().await;
    let outside = (
        "CommunityGroupId".to_string(),
        "You cannot post on this board.".to_string(),
    );
    assert_eq!(refused(&proxy, &session(10, 1), json!(4)).await, outside);
    assert_eq!(
        refused(&proxy, &session_in(10, 1, &[3]), json!(4)).await,
        outside
    );
    assert_eq!(
        refused(&proxy, &session_in(10, 1, &[]), json!("4")).await,
        outside
    );
    assert!(
        created_boards(&sandbox).await.is_empty(),
        "nothing reached Nexudus"
    );
    let (status, body) = post_on(&proxy, &session_in(10, 1, &[4]), json!(4)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(created_boards(&sandbox).await, [json!(4)]);
}

#[tokio::test]
async fn a_private_board_needs_the_member_in_it() {
    let (sandbox, proxy) = stack().await;
    for token in [
        session(10, 1),
        session_in(10, 1, &[4]),
        session_in(10, 1, &[1, 2]),
    ] {
        let (field, _) = refused(&proxy, &token, json!(3)).await;
        assert_eq!(field, "CommunityGroupId");
    }
    assert!(created_boards(&sandbox).await.is_empty());
    let (status, body) = post_on(&proxy, &session_in(11, 1, &[3]), json!(3)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(created_boards(&sandbox).await, [json!(3)]);
}

#[tokio::test]
async fn unknown_and_foreign_boards_get_the_same_refusal() {
    let (sandbox, proxy) = stack().await;
    // Business 2 has no boards in the sandbox: board 1 (public, of business 1) is foreign to
    // its members, even with the claim naming it.
    let foreign = refused(&proxy, &session_in(10, 2, &[1]), json!(1)).await;
    let unknown = refused(&proxy, &session_in(10, 1, &[999]), json!(999)).await;
    let private = refused(&proxy, &session(10, 1), json!(3)).await;
    assert_eq!(foreign, unknown);
    assert_eq!(unknown, private);
    for bad in [
        json!(0),
        json!(-1),
        json!(1.5),
        json!("1 "),
        json!("x"),
        json!(true),
        json!([1]),
        json!({"Id": 1}),
    ] {
        assert_eq!(
            refused(&proxy, &session_in(10, 1, &[1]), bad).await,
            unknown
        );
    }
    assert!(created_boards(&sandbox).await.is_empty());
}

#[tokio::test]
async fn a_malformed_groups_claim_refuses_the_session() {
    let double = start_double(|_| json_response(200, &json!({"Records": []}))).await;
    let proxy = start_proxy(proxy_config(&double.base)).await;
    let exp = nexudus_host_proxy::claims::unix_now() + 600;
    for groups in [
        json!(null),
        json!(4),
        json!("4"),
        json!("3,4"),
        json!({"4": true}),
        json!([4, -1]),
        json!([0]),
        json!([4.5]),
        json!(["four"]),
        json!([9_007_199_254_740_993u64]),
        Value::Array(vec![json!(1); 1001]),
    ] {
        let token = session_with_claims(
            &json!({"sub": "10", "businessId": 1, "exp": exp, "groups": groups}),
        );
        let (status, _) = proxy.get(&token, GROUPS).await;
        assert_eq!(status, 401, "{groups}");
        let (status, _) = proxy.post(&token, THREADS, &conversation(json!(1))).await;
        assert_eq!(status, 401, "{groups}");
    }
    assert!(double.seen().is_empty(), "nothing reached Nexudus");
    let fine =
        session_with_claims(&json!({"sub": "10", "businessId": 1, "exp": exp, "groups": ["4", 3]}));
    assert_eq!(proxy.get(&fine, GROUPS).await.0, 200);
}

fn ids(list: &Value) -> Vec<u64> {
    list["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn the_board_list_holds_exactly_the_boards_the_member_may_post_on() {
    let (_sandbox, proxy) = stack().await;
    for (token, expected) in [
        (session(10, 1), vec![1, 2]),
        (session_in(10, 1, &[4]), vec![1, 2, 4]),
        (session_in(11, 1, &[3, 4, 999]), vec![1, 2, 3, 4]),
        (session_in(10, 2, &[1, 4]), vec![]),
    ] {
        let (status, list) = proxy.get(&token, &format!("{GROUPS}?size=200")).await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(ids(&list), expected);
        assert_eq!(list["TotalItems"], expected.len(), "{list}");
        assert_eq!(
            list["TotalPages"],
            u64::from(!expected.is_empty()),
            "{list}"
        );
        assert_eq!(list["HasNextPage"], false);
        for record in list["Records"].as_array().unwrap() {
            assert_eq!(record["MemberCanPost"], true, "{record}");
        }
    }
    // GroupAccess stays as Nexudus says it.
    let (_, list) = proxy.get(&session_in(10, 1, &[4]), GROUPS).await;
    assert_eq!(list["Records"][2]["GroupAccess"], 1);
    // Pages count only the kept boards.
    let (_, second) = proxy
        .get(&session_in(10, 1, &[4]), &format!("{GROUPS}?size=2&page=2"))
        .await;
    assert_eq!(ids(&second), [4]);
    assert_eq!(
        (&second["TotalItems"], &second["TotalPages"]),
        (&json!(3), &json!(2))
    );
}

/// A double of Nexudus whose board list is `boards` (every business's, unfiltered, served in
/// pages of `page_size` whatever the request asks), answering creates with 200.
async fn boards_double(boards: Arc<Mutex<Vec<Value>>>, page_size: usize) -> Double {
    start_double(move |seen| {
        if seen.method == "POST" {
            return json_response(200, &json!({"Status": 200, "Value": {"Id": 5000}, "WasSuccessful": true}));
        }
        let page: usize = seen
            .path_and_query
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix("page="))
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        let all = boards.lock().unwrap().clone();
        let records: Vec<Value> = all.iter().skip((page - 1) * page_size).take(page_size).cloned().collect();
        json_response(
            200,
            &json!({"Records": records, "TotalItems": all.len(), "HasNextPage": page * page_size < all.len()}),
        )
    })
    .await
}

fn board(id: u64, access: u64, business: u64) -> Value {
    json!({"Id": id, "Name": format!("Board {id}"), "GroupAccess": access, "BusinessId": business})
}

fn listings(double: &Double) -> usize {
    double
        .seen()
        .iter()
        .filter(|s| s.method == "GET" && s.path_and_query.starts_with(GROUPS))
        .count()
}

#[tokio::test]
async fn the_board_list_is_cached_briefly_and_read_whole() {
    let boards = Arc::new(Mutex::new(vec![
        board(1, 2, 1),
        board(8, 2, 2),
        board(9, 3, 1),
        board(10, 7, 1),
        board(11, 2, 1),
    ]));
    let double = boards_double(boards.clone(), 2).await;
    let mut config = proxy_config(&double.base);
    config.board_cache_ttl = Duration::from_millis(600);
    config.member_writes_per_minute = 0;
    let proxy = start_proxy(config).await;
    let ada = session_in(10, 1, &[10]);

    // Board 11 is on the third page; board 8 is another business's though listed.
    assert_eq!(post_on(&proxy, &ada, json!(11)).await.0, 200);
    assert_eq!(post_on(&proxy, &ada, json!(8)).await.0, 400);
    assert_eq!(post_on(&proxy, &ada, json!(9)).await.0, 400);
    // An undocumented GroupAccess: members only.
    assert_eq!(post_on(&proxy, &ada, json!(10)).await.0, 200);
    assert_eq!(post_on(&proxy, &session(11, 1), json!(10)).await.0, 400);
    let (_, list) = proxy.get(&ada, GROUPS).await;
    assert_eq!(ids(&list), [1, 10, 11]);
    assert_eq!(listings(&double), 3, "one listing, three pages");
    for s in double.seen().iter().filter(|s| s.method == "GET") {
        assert!(
            s.path_and_query.contains("CommunityGroup_Business=1"),
            "{}",
            s.path_and_query
        );
        assert!(
            s.path_and_query.contains("size=1000"),
            "{}",
            s.path_and_query
        );
    }

    // A flood of creates lists the boards no more.
    let before = listings(&double);
    let mut flood = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let request = proxy
            .request(reqwest::Method::POST, Some(&ada), THREADS)
            .json(&conversation(json!(1)));
        flood.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    while let Some(status) = flood.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    let posts = double.seen().iter().filter(|s| s.method == "POST").count();
    assert_eq!(posts, 42);
    assert!(
        listings(&double) - before <= 3,
        "at most one more listing (the entry may expire)"
    );

    // A board added upstream: refused while the entry lasts, allowed once it expires.
    boards.lock().unwrap().push(board(12, 2, 1));
    let settled = wait_until(Duration::from_secs(5), || async {
        post_on(&proxy, &ada, json!(12)).await.0 == 200
    })
    .await;
    assert!(settled, "the added board is seen after the TTL");
}

#[tokio::test]
async fn instant_delivery_and_guests_only_when_the_operator_allows() {
    let (sandbox, proxy) = stack().await;
    let ada = session(10, 1);
    let with = |extra: Value| {
        let mut body = conversation(json!(1));
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    for (extra, field) in [
        (json!({"InstantDelivery": true}), "InstantDelivery"),
        (json!({"instantdelivery": "yes"}), "InstantDelivery"),
        (json!({"Guests": [11]}), "Guests"),
        (json!({"guests": "11"}), "Guests"),
    ] {
        let (status, body) = proxy.post(&ada, THREADS, &with(extra.clone())).await;
        assert_eq!(status, 400, "{extra}");
        assert_eq!(field_error(&body).0, field);
    }
    assert!(created(&sandbox).await["threads"]
        .as_array()
        .unwrap()
        .is_empty());
    // Their neutral values are dropped, so the panel's `Guests: []` still posts.
    let (status, body) = proxy
        .post(
            &ada,
            THREADS,
            &with(json!({"InstantDelivery": false, "Guests": []})),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let (sandbox, proxy) = stack_with(|c| {
        c.allow_instant_delivery = true;
        c.allow_guests = true;
    })
    .await;
    let (status, body) = proxy
        .post(
            &ada,
            THREADS,
            &with(json!({"InstantDelivery": true, "Guests": [11]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let thread = &created(&sandbox).await["threads"][0];
    assert_eq!(
        (&thread["InstantDelivery"], &thread["Guests"]),
        (&json!(true), &json!([11]))
    );
}

#[tokio::test]
async fn a_member_flooding_reads_does_not_hold_the_board_list_behind_them() {
    // Conversation reads always go upstream, one slot per 110 ms: 150 of them queue the
    // flooder for 16.5 s. The board listing their next request starts serves every member
    // of the business, so it must not wait behind that flood.
    let double = start_double(|seen| {
        if seen.path_and_query.starts_with(GROUPS) {
            json_response(
                200,
                &json!({"Records": [board(1, 2, 1)], "HasNextPage": false}),
            )
        } else {
            json_response(200, &json!({"Records": [], "TotalItems": 0}))
        }
    })
    .await;
    let mut config = proxy_config(&double.base);
    config.upstream_min_spacing = Duration::from_millis(110);
    config.member_queue_depth = 200;
    let proxy = start_proxy(config).await;
    let flooder = session(10, 1);
    let calls: Vec<_> = (0..150)
        .map(|_| {
            proxy
                .request(reqwest::Method::GET, Some(&flooder), THREADS)
                .send()
        })
        .collect();
    let flood = tokio::spawn(futures_util::future::join_all(calls));
    assert!(
        wait_until(Duration::from_secs(5), || async {
            double.seen().len() >= 3
        })
        .await
    );
    for token in [&flooder, &session(11, 1)] {
        let started = std::time::Instant::now();
        let (status, list) = proxy.get(token, GROUPS).await;
        assert_eq!((status.as_u16(), ids(&list)), (200, vec![1]), "{list}");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    }
    assert!(!flood.is_finished());
    flood.abort();
}

#[tokio::test]
async fn the_board_field_is_checked_whatever_its_spelling() {
    let (sandbox, proxy) = stack().await;
    let outsider = session(11, 1);
    for body in [
        json!({"Subject": "S", "Message": "M", "communitygroupid": 4}),
        json!({"Subject": "S", "Message": "M", "COMMUNITYGROUPID": "4"}),
    ] {
        let (status, answer) = proxy.post(&outsider, THREADS, &body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(field_error(&answer).0, "CommunityGroupId");
    }
    // Two spellings at once: refused, not one of them picked.
    let (status, _) = proxy
        .post(
            &outsider,
            THREADS,
            &json!({"Subject": "S", "Message": "M", "CommunityGroupId": 1, "communityGroupId": 4}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(created_boards(&sandbox).await.is_empty());
}

#[tokio::test]
async fn a_failed_board_listing_is_answered_and_not_kept() {
    // The first listing fails (Nexudus's 500); the next one succeeds.
    let failures = Arc::new(Mutex::new(1));
    let double = {
        let failures = failures.clone();
        start_double(move |seen| {
            if seen.method == "POST" {
                return json_response(
                    200,
                    &json!({"Status": 200, "Value": {"Id": 5000}, "WasSuccessful": true}),
                );
            }
            let mut left = failures.lock().unwrap();
            if *left > 0 {
                *left -= 1;
                return json_response(500, &json!({"Message": "An error has occurred."}));
            }
            json_response(
                200,
                &json!({"Records": [board(1, 2, 1)], "HasNextPage": false}),
            )
        })
        .await
    };
    let proxy = start_proxy(proxy_config(&double.base)).await;
    let ada = session(10, 1);
    let (status, body) = post_on(&proxy, &ada, json!(1)).await;
    assert_eq!(status, 500, "{body}");
    assert!(
        double.seen().iter().all(|s| s.method == "GET"),
        "the create was not forwarded"
    );
    // Not kept: the next create lists again and goes through.
    let (status, body) = post_on(&proxy, &ada, json!(1)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(listings(&double), 2);
}
