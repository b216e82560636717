//! Beyond the board's own form (issue 13) through the proxy: `Tags` and `Private` reach
//! Nexudus and come back, the proxy keeps the form's 50-character `Tags`, a conversation takes
//! several files up to `--max-files-per-thread` with every check on each attach, and the
//! upstream's answer to one failing attach passes through for the panel to retry it alone.

mod common;

use common::*;
use serde_json::{json, Value};

fn only_error(body: &Value) -> (&str, &str) {
    let errors = body["Errors"].as_array().expect("Errors[]");
    assert_eq!(errors.len(), 1, "{body}");
    (
        errors[0]["PropertyName"].as_str().unwrap(),
        errors[0]["Message"].as_str().unwrap(),
    )
}

fn conversation(extra: Value) -> Value {
    let mut body = json!({"Subject": "Tagged", "Message": "Hello", "CommunityGroupId": 1});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    body
}

/// Attaches `url` to `thread` under `name`; the answer.
async fn attach(proxy: &Running, member: &str, thread: i64, name: &str, url: &str) -> (u16, Value) {
    let (status, answer) = proxy
        .post(
            member,
            FILES,
            &json!({"CommunityThreadId": thread, "Name": name, "NewFileDataUrl": url}),
        )
        .await;
    (status.as_u16(), answer)
}

async fn files_created(sandbox: &str) -> Vec<String> {
    created(sandbox).await["files"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| f["Name"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn tags_and_private_reach_nexudus_and_come_back() {
    let (sandbox, proxy) = stack().await;
    let ada = session(10, 1);
    let body = conversation(json!({"tags": "design,events", "PRIVATE": true}));
    let (status, answer) = proxy.post(&ada, THREADS, &body).await;
    assert_eq!(status, 200, "{answer}");
    let id = answer["Value"]["Id"].as_i64().unwrap();
    let created = created(&sandbox).await;
    let thread = &created["threads"][0];
    assert_eq!(thread["Id"], id);
    assert_eq!(
        (&thread["Tags"], &thread["Private"]),
        (&json!("design,events"), &json!(true))
    );
    let (_, list) = proxy
        .get(&ada, &format!("{THREADS}?CommunityThread_Subject=Tagged"))
        .await;
    assert_eq!(list["Records"][0]["Tags"], "design,events");
    assert_eq!(list["Records"][0]["Private"], true);

    // Nexudus's own type check passes through: a Private that is not a boolean.
    let (status, answer) = proxy
        .post(&ada, THREADS, &conversation(json!({"Private": "yes"})))
        .await;
    assert_eq!(status, 400);
    assert_eq!(only_error(&answer).0, "Private");
    assert_eq!(answer["Errors"][0]["AttemptedValue"], "yes");
}

#[tokio::test]
async fn the_proxy_keeps_the_forms_fifty_character_tags_before_nexudus() {
    let double = start_double(|seen| {
        if seen.method == "GET" {
            // The board list the proxy checks `CommunityGroupId` against.
            let board = json!({"Id": 1, "GroupAccess": 2, "BusinessId": 1});
            return json_response(200, &json!({"Records": [board], "HasNextPage": false}));
        }
        json_response(200, &json!({"WasSuccessful": true, "Value": {"Id": 5001}}))
    })
    .await;
    let proxy = start_proxy(proxy_config(&double.base)).await;
    let ada = session(10, 1);
    let fifty = format!("{},🙂", "a".repeat(47));
    let (status, _) = proxy
        .post(&ada, THREADS, &conversation(json!({"Tags": fifty})))
        .await;
    assert_eq!(status, 200);
    let long = format!("{fifty}b");
    let (status, answer) = proxy
        .post(&ada, THREADS, &conversation(json!({"Tags": long})))
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        only_error(&answer),
        ("Tags", "cannot be longer than 50 characters")
    );
    assert_eq!(answer["Errors"][0]["AttemptedValue"], json!(long));
    assert_eq!(
        double.seen().iter().filter(|s| s.method == "POST").count(),
        1,
        "the refused one never reached Nexudus"
    );
}

#[tokio::test]
async fn a_conversation_takes_ten_files_and_the_eleventh_is_refused_on_the_thread() {
    let (sandbox, proxy) = stack().await;
    let ada = session(10, 1);
    let thread = proxy.create_thread(&ada, "Ten files").await;
    // The default write limit fits this whole submission: 1 create, 10 uploads, 10 attaches.
    for i in 0..10 {
        let name = format!("f{i}.png");
        let url = proxy.upload(&ada, &name, "image/png", vec![i; 10]).await;
        let (status, answer) = attach(&proxy, &ada, thread, &name, &url).await;
        assert_eq!(status, 200, "file {i}: {answer}");
    }
    let url = proxy
        .upload(&ada, "f10.png", "image/png", vec![1; 10])
        .await;
    let (status, answer) = attach(&proxy, &ada, thread, "f10.png", &url).await;
    assert_eq!(status, 400);
    assert_eq!(
        only_error(&answer),
        (
            "CommunityThread",
            "already has 10 files, the most a conversation may have here"
        )
    );
    assert_eq!(answer["Errors"][0]["AttemptedValue"], thread);
    assert_eq!(files_created(&sandbox).await.len(), 10);
    // The limit is per conversation.
    let other = proxy.create_thread(&ada, "Another").await;
    assert_eq!(attach(&proxy, &ada, other, "f10.png", &url).await.0, 200);
}

#[tokio::test]
async fn attaches_sent_at_once_cannot_pass_the_limit_together() {
    let (sandbox, proxy) = stack_with(|config| config.max_files_per_thread = 2).await;
    let ada = session(10, 1);
    let thread = proxy.create_thread(&ada, "At once").await;
    let mut urls = Vec::new();
    for i in 0..4u8 {
        urls.push(proxy.upload(&ada, "f.png", "image/png", vec![i; 10]).await);
    }
    let (a, b, c, d) = tokio::join!(
        attach(&proxy, &ada, thread, "a", &urls[0]),
        attach(&proxy, &ada, thread, "b", &urls[1]),
        attach(&proxy, &ada, thread, "c", &urls[2]),
        attach(&proxy, &ada, thread, "d", &urls[3]),
    );
    let mut statuses = [a.0, b.0, c.0, d.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 400, 400]);
    assert_eq!(files_created(&sandbox).await.len(), 2);
}

#[tokio::test]
async fn every_attach_of_a_conversation_goes_through_every_check() {
    let (sandbox, proxy) = stack().await;
    let ada = session(10, 1);
    let grace = session(11, 1);
    let mine = proxy.create_thread(&ada, "Mine").await;
    let graces = proxy.create_thread(&grace, "Grace's").await;
    let first = proxy.upload(&ada, "a.png", "image/png", vec![1; 10]).await;
    let second = proxy.upload(&ada, "b.png", "image/png", vec![2; 10]).await;
    let not_mine = proxy
        .upload(&grace, "g.png", "image/png", vec![3; 10])
        .await;
    assert_eq!(attach(&proxy, &ada, mine, "a", &first).await.0, 200);
    let (status, answer) = attach(&proxy, &ada, mine, "g", &not_mine).await;
    assert_eq!((status, only_error(&answer).0), (400, "NewFileDataUrl"));
    let (status, answer) = attach(&proxy, &ada, graces, "b", &second).await;
    assert_eq!((status, only_error(&answer).0), (400, "CommunityThread"));
    assert_eq!(attach(&proxy, &ada, mine, "b", &second).await.0, 200);
    assert_eq!(files_created(&sandbox).await, ["a", "b"]);
}

#[tokio::test]
async fn one_failing_attach_passes_through_unchanged_and_is_retried_alone() {
    let (sandbox, proxy) = stack().await;
    let ada = session(10, 1);
    let thread = proxy.create_thread(&ada, "Second fails").await;
    let generic = r#"{"Message":"Ooops! There was a problem while running this action. Please try again later."}"#;
    fault(
        &sandbox,
        json!([
            {"method": "POST", "path": FILES, "skip": 1, "status": 500, "body": generic},
            {"method": "POST", "path": FILES, "whenBody": {"Name": "d"},
             "fieldErrors": [{"propertyName": "Name", "message": "is not allowed"}]}
        ]),
    )
    .await;
    let mut urls = Vec::new();
    for i in 0..4u8 {
        urls.push(proxy.upload(&ada, "f.png", "image/png", vec![i; 10]).await);
    }
    assert_eq!(attach(&proxy, &ada, thread, "a", &urls[0]).await.0, 200);
    let res = proxy
        .request(reqwest::Method::POST, Some(&ada), FILES)
        .json(&json!({"CommunityThreadId": thread, "Name": "b", "NewFileDataUrl": urls[1]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 500);
    assert_eq!(res.text().await.unwrap(), generic);
    assert_eq!(attach(&proxy, &ada, thread, "c", &urls[2]).await.0, 200);
    let (status, answer) = attach(&proxy, &ada, thread, "d", &urls[3]).await;
    assert_eq!(status, 400);
    assert_eq!(only_error(&answer), ("Name", "is not allowed"));
    assert_eq!(answer["Errors"][0]["AttemptedValue"], "d");
    // The retry of the missing one alone, with its upload URL still good.
    assert_eq!(attach(&proxy, &ada, thread, "b", &urls[1]).await.0, 200);
    assert_eq!(files_created(&sandbox).await, ["a", "c", "b"]);
}
