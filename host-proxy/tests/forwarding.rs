//! The forwarding routes against the sandbox: the member's identity forced into creates and
//! lookups, boards restricted to the member's business, deletes of their own records only,
//! upstream answers passed through unchanged, 502 when it is unreachable, 404 elsewhere, and
//! CORS for the portal's origins.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn a_conversation_is_posted_as_the_member_whatever_the_body_says() {
    let (sandbox, proxy) = stack().await;
    let member = session(10, 1);
    let twice = json!({"Subject": "a", "subject": "b", "Message": "M"});
    let (status, answer) = proxy.post(&member, THREADS, &twice).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["Errors"][0]["PropertyName"], "Subject");
    let body = json!({
        "BusinessId": 99, "UserId": 11, "userid": 12, "CoworkerId": 5, "Id": 1001,
        "Subject": "Posted as whom?", "Message": "Hello", "CommunityGroupId": 2, "Guests": [],
        "Tags": "a,b", "Private": false
    });
    let (status, answer) = proxy.post(&member, THREADS, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["WasSuccessful"], true);
    let id = answer["Value"]["Id"].as_i64().unwrap();
    let created = created(&sandbox).await;
    let thread = &created["threads"][0];
    assert_eq!(thread["Id"], id);
    assert_eq!(thread["UserId"], 10);
    assert_eq!(thread["BusinessId"], 1);
    assert_eq!(thread["CoworkerId"], Value::Null);
    assert_eq!(thread["Subject"], "Posted as whom?");
    assert_eq!(thread["CommunityGroupId"], 2);
    assert_eq!(thread["Tags"], "a,b");
}

#[tokio::test]
async fn the_lookup_shows_only_the_members_own_conversations() {
    let (_sandbox, proxy) = stack().await;
    // 1001 was started by user 11, 1002 by user 10.
    let (status, list) = proxy
        .get(
            &session(10, 1),
            &format!(
                "{THREADS}?CommunityThread_User=11&orderBy=CreatedOn&dir=Descending&page=1&size=5"
            ),
        )
        .await;
    assert_eq!(status, 200, "{list}");
    let ids: Vec<i64> = list["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![1002]);
    let (_, list) = proxy
        .get(
            &session(11, 1),
            &format!("{THREADS}?CommunityThread_Subject=Lost%20and%20found"),
        )
        .await;
    assert_eq!(list["Records"], json!([]));
    let (_, list) = proxy
        .get(
            &session(11, 1),
            &format!("{THREADS}?CommunityThread_Subject=Welcome%20to%20the%20board"),
        )
        .await;
    assert_eq!(list["Records"][0]["Id"], 1001);
}

#[tokio::test]
async fn the_queries_sent_upstream_are_the_members() {
    let double = start_double(|seen| {
        if seen.path_and_query.starts_with(GROUPS) {
            json_response(200, &json!({"Records": [
                {"Id": 1, "BusinessId": 1, "GroupAccess": 2}, {"Id": 7, "BusinessId": 2, "GroupAccess": 2}
            ], "TotalItems": 2}))
        } else {
            json_response(
                200,
                &json!({"Records": [
                {"Id": 5, "UserId": 10, "BusinessId": 1}, {"Id": 6, "UserId": 11, "BusinessId": 1}
            ], "TotalItems": 4123, "TotalPages": 825, "HasNextPage": true, "CurrentPage": 1}),
            )
        }
    })
    .await;
    let proxy = start_proxy(proxy_config(&double.base)).await;
    let member = session(10, 1);
    let (_, groups) = proxy
        .get(
            &member,
            &format!("{GROUPS}?page=1&size=100&CommunityGroup_Business=2"),
        )
        .await;
    // The member's query does not reach Nexudus: the proxy lists the business's boards.
    assert_eq!(
        groups["Records"],
        json!([{"Id": 1, "BusinessId": 1, "GroupAccess": 2, "MemberCanPost": true}])
    );
    let (_, threads) = proxy
        .get(
            &member,
            &format!("{THREADS}?CommunityThread_User=11&CommunityThread_Subject=Hi&size=5"),
        )
        .await;
    assert_eq!(
        threads["Records"],
        json!([{"Id": 5, "UserId": 10, "BusinessId": 1}])
    );
    // The counts are of what the member may see, not of the upstream's other records.
    assert_eq!(
        [
            &groups["TotalItems"],
            &threads["TotalItems"],
            &threads["TotalPages"]
        ],
        [&json!(1), &json!(1), &json!(1)]
    );
    assert_eq!(threads["HasNextPage"], false);
    let seen = double.seen();
    assert_eq!(
        seen[0].path_and_query,
        format!("{GROUPS}?CommunityGroup_Business=1&page=1&size=1000")
    );
    assert_eq!(
        seen[1].path_and_query,
        format!("{THREADS}?CommunityThread_Subject=Hi&size=5&CommunityThread_User=10&CommunityThread_Business=1")
    );
}

#[tokio::test]
async fn boards_are_those_of_the_members_business() {
    let (_sandbox, proxy) = stack().await;
    let (status, list) = proxy
        .get(&session(10, 1), &format!("{GROUPS}?page=1&size=100"))
        .await;
    assert_eq!(status, 200);
    // The public ones (the restricted and private boards need the `groups` claim).
    assert_eq!(list["Records"].as_array().unwrap().len(), 2);
    let (status, list) = proxy.get(&session(10, 2), GROUPS).await;
    assert_eq!(status, 200);
    assert_eq!(list["Records"], json!([]));
}

#[tokio::test]
async fn only_the_members_own_records_can_be_deleted() {
    let (sandbox, proxy) = stack().await;
    let ada = session(10, 1);
    let grace = session(11, 1);
    let mine = proxy.create_thread(&ada, "Mine").await;
    // Someone else's conversation, another business's member, a file of someone else's.
    let (status, body) = proxy.delete(&ada, &format!("{THREADS}/1001")).await;
    assert_eq!((status.as_u16(), body), (404, json!("Not found")));
    let (status, _) = proxy
        .delete(&session(10, 2), &format!("{THREADS}/{mine}"))
        .await;
    assert_eq!(status, 404);
    let url = proxy
        .upload(&ada, "a.txt", "text/plain", b"abc".to_vec())
        .await;
    let (status, file) = proxy
        .post(
            &ada,
            FILES,
            &json!({"CommunityThreadId": mine, "Name": "a", "NewFileDataUrl": url}),
        )
        .await;
    assert_eq!(status, 200, "{file}");
    let file_id = file["Value"]["Id"].as_i64().unwrap();
    let (status, _) = proxy.delete(&grace, &format!("{FILES}/{file_id}")).await;
    assert_eq!(status, 404);
    let (status, _) = proxy.delete(&ada, &format!("{FILES}/abc")).await;
    assert_eq!(status, 404);
    // Nothing was deleted.
    let c = created(&sandbox).await;
    assert_eq!(c["threads"][0]["Deleted"], false);
    assert_eq!(c["files"][0]["Deleted"], false);
    // The member's own go.
    let (status, body) = proxy.delete(&ada, &format!("{FILES}/{file_id}")).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = proxy.delete(&ada, &format!("{THREADS}/{mine}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["WasSuccessful"], true);
    let c = created(&sandbox).await;
    assert_eq!(c["threads"][0]["Deleted"], true);
    // 1001 is still there.
    let res = client()
        .get(format!("{sandbox}{THREADS}/1001"))
        .bearer_auth(OPERATOR_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
}

/// Status, `Retry-After`, `Content-Type` and body bytes of an answer.
async fn whole(res: reqwest::Response) -> (u16, Option<String>, Option<String>, Vec<u8>) {
    let header = |n: &str| {
        res.headers()
            .get(n)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (ra, ct) = (header("retry-after"), header("content-type"));
    (
        res.status().as_u16(),
        ra,
        ct,
        res.bytes().await.unwrap().to_vec(),
    )
}

#[tokio::test]
async fn upstream_failures_pass_through_unchanged() {
    let (sandbox, proxy) = stack().await;
    let member = session(10, 1);
    let body = json!({"Subject": "S", "Message": "M", "Guests": []});
    let faults = [
        json!({"path": THREADS, "method": "POST", "status": 400,
               "body": "{\"Message\":\"Subject: is a required field\",\"Value\":null,\"Errors\":[{\"AttemptedValue\":null,\"Message\":\"is a required field\",\"PropertyName\":\"Subject\"}],\"WasSuccessful\":false}"}),
        json!({"path": THREADS, "method": "POST", "status": 409, "headers": {"Retry-After": "1"}}),
        json!({"path": THREADS, "method": "POST", "status": 429, "body": "Wait 7 seconds", "headers": {"Retry-After": "7"}}),
        json!({"path": THREADS, "method": "POST", "status": 500, "body": "{\"Message\":\"An error has occurred.\"}"}),
        json!({"path": THREADS, "method": "POST", "status": 502, "body": "<html>Bad gateway</html>", "contentType": "text/html"}),
    ];
    for spec in faults {
        // Directly to the sandbox, then through the proxy: the same answer.
        fault(&sandbox, spec.clone()).await;
        let direct = whole(
            client()
                .post(format!("{sandbox}{THREADS}"))
                .bearer_auth(OPERATOR_TOKEN)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        fault(&sandbox, spec.clone()).await;
        let through = whole(
            proxy
                .request(Method::POST, Some(&member), THREADS)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(through, direct, "{spec}");
        assert_eq!(through.0, spec["status"].as_u64().unwrap() as u16);
    }
    // A GET's failure too.
    fault(
        &sandbox,
        json!({"path": GROUPS, "status": 409, "headers": {"Retry-After": "1"}}),
    )
    .await;
    let res = proxy
        .request(Method::GET, Some(&member), GROUPS)
        .send()
        .await
        .unwrap();
    let (status, retry_after, _, bytes) = whole(res).await;
    assert_eq!(
        (status, retry_after.as_deref(), bytes.len()),
        (409, Some("1"), 0)
    );
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_502_envelope() {
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let proxy = start_proxy(proxy_config(&dead)).await;
    let member = session(10, 1);
    for (method, path) in [
        (Method::GET, GROUPS.to_string()),
        (Method::POST, THREADS.to_string()),
        (Method::DELETE, format!("{THREADS}/5")),
    ] {
        let res = proxy
            .request(method.clone(), Some(&member), &path)
            .json(&json!({"Subject": "a"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 502, "{method} {path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["WasSuccessful"], false);
        assert_eq!(body["Errors"], json!([]));
        assert!(body["Message"]
            .as_str()
            .unwrap()
            .contains("could not be reached"));
    }
}

#[tokio::test]
async fn everything_else_is_not_found() {
    let (_sandbox, proxy) = stack().await;
    let member = session(10, 1);
    for (method, path) in [
        (Method::GET, format!("{THREADS}/1002")),
        (Method::PUT, format!("{THREADS}/1002")),
        (Method::GET, format!("{FILES}/1")),
        (
            Method::GET,
            "/api/community/communitythreadfiles/1/content".to_string(),
        ),
        (Method::POST, "/api/token".to_string()),
        (
            Method::GET,
            "/api/public/community/board/threads".to_string(),
        ),
        (Method::POST, "/_sandbox/reset".to_string()),
        (Method::GET, "/".to_string()),
        (Method::GET, "/uploads".to_string()),
        (Method::GET, "/files/abc/def".to_string()),
        (
            Method::PUT,
            "/uploads/00000000000000000000000000000000".to_string(),
        ),
    ] {
        let res = proxy
            .request(method.clone(), Some(&member), &path)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 404, "{method} {path}");
    }
}

#[tokio::test]
async fn cors_lets_the_portal_in_and_exposes_retry_after() {
    let (sandbox, proxy) =
        stack_with(|config| config.cors_origins = vec!["http://127.0.0.1:8080".into()]).await;
    let preflight = proxy
        .http
        .request(Method::OPTIONS, proxy.url(THREADS))
        .header("Origin", "http://127.0.0.1:8080")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    let h = preflight.headers();
    assert_eq!(h["access-control-allow-origin"], "http://127.0.0.1:8080");
    let allowed = h["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );
    assert!(h["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("PUT"));

    fault(
        &sandbox,
        json!({"path": GROUPS, "status": 409, "headers": {"Retry-After": "1"}}),
    )
    .await;
    let res = proxy
        .request(Method::GET, Some(&session(10, 1)), GROUPS)
        .header("Origin", "http://127.0.0.1:8080")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 409);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "http://127.0.0.1:8080"
    );
    let exposed = res.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("retry-after"), "{exposed}");

    let other = proxy
        .http
        .request(Method::OPTIONS, proxy.url(THREADS))
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}
