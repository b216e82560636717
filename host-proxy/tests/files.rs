//! Files: uploaded through the proxy's store, downloaded by the sandbox exactly; attaching is
//! refused, in the Nexudus envelope naming the field, onto someone else's conversation or with
//! a URL this proxy did not issue to the member; the store's limits and expiry.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

/// A small PNG-like payload with every byte value.
fn picture() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(70_000));
    bytes
}

#[tokio::test]
async fn a_file_uploaded_through_the_proxy_is_what_the_sandbox_downloads() {
    let (sandbox, proxy) = stack().await;
    let member = session(10, 1);
    let thread = proxy.create_thread(&member, "With a picture").await;
    let (status, issued) = proxy
        .post(
            &member,
            "/uploads",
            &json!({"fileName": "plan b.png", "contentType": "image/png", "size": picture().len()}),
        )
        .await;
    assert_eq!(status, 200, "{issued}");
    assert_eq!(issued["method"], "PUT");
    assert_eq!(issued["headers"], json!({"Content-Type": "image/png"}));
    let upload_url = issued["uploadUrl"].as_str().unwrap();
    let file_url = issued["fileUrl"].as_str().unwrap();
    assert!(upload_url.starts_with(&format!("{}/uploads/", proxy.base)));
    assert!(
        file_url.starts_with(&format!("{}/files/", proxy.base))
            && file_url.ends_with("/plan_b.png")
    );
    // Not served before the bytes arrive.
    assert_eq!(
        client()
            .get(file_url)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    let put = client()
        .put(upload_url)
        .header("Content-Type", "image/png")
        .body(picture())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);
    // Served without auth, with the type declared and headers that keep it inert.
    let got = client().get(file_url).send().await.unwrap();
    assert_eq!(got.status().as_u16(), 200);
    assert_eq!(got.headers()["content-type"], "image/png");
    assert_eq!(got.headers()["x-content-type-options"], "nosniff");
    assert_eq!(got.bytes().await.unwrap().to_vec(), picture());

    let (status, answer) = proxy
        .post(
            &member,
            FILES,
            &json!({"CommunityThreadId": thread, "Name": "Plan", "NewFileDataUrl": file_url}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let file_id = answer["Value"]["Id"].as_i64().unwrap();
    let downloaded = sandbox_file(&sandbox, file_id).await;
    assert_eq!(downloaded, ("image/png".to_string(), picture()));
    let c = created(&sandbox).await;
    assert_eq!(c["files"][0]["FileName"], "plan_b.png");
    assert_eq!(c["files"][0]["CommunityThreadId"], thread);
}

fn only_error(body: &Value) -> (String, String) {
    let errors = body["Errors"].as_array().expect("Errors[]");
    assert_eq!(errors.len(), 1, "{body}");
    (
        errors[0]["PropertyName"].as_str().unwrap().to_string(),
        errors[0]["Message"].as_str().unwrap().to_string(),
    )
}

/// Attaches `file_url` to `thread` as `token`, expecting a refusal: its status and the
/// one `PropertyName` it names.
async fn refused_on(proxy: &Running, token: &str, thread: &Value, file_url: &str) -> (u16, String) {
    let (status, answer) = proxy
        .post(
            token,
            FILES,
            &json!({"CommunityThreadId": thread, "Name": "a", "NewFileDataUrl": file_url}),
        )
        .await;
    (status.as_u16(), only_error(&answer).0)
}

#[tokio::test]
async fn attaching_elsewhere_or_with_a_foreign_url_is_refused_on_the_field() {
    let (sandbox, proxy) = stack().await;
    let ada = session(10, 1);
    let grace = session(11, 1);
    let mine = proxy.create_thread(&ada, "Mine").await;
    let my_file = proxy.upload(&ada, "a.png", "image/png", picture()).await;
    let graces_file = proxy.upload(&grace, "g.png", "image/png", picture()).await;
    // A URL of the sandbox's own store: public and fetchable, but not issued by this proxy.
    let sandbox_upload: Value = client()
        .post(format!("{sandbox}/uploads"))
        .bearer_auth(OPERATOR_TOKEN)
        .json(&json!({"fileName": "x.png", "contentType": "image/png"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let foreign = sandbox_upload["fileUrl"]
        .as_str()
        .expect("the sandbox's file URL")
        .to_string();
    let put = client()
        .put(sandbox_upload["uploadUrl"].as_str().unwrap())
        .body(picture())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    let big_data_url = format!("data:image/png;base64,{}", "A".repeat(2 * 1024 * 1024));
    let cases = [
        // Someone else's conversation (1001 is Grace's), or one that does not exist.
        (
            json!({"CommunityThreadId": 1001, "Name": "a", "NewFileDataUrl": my_file}),
            "CommunityThread",
        ),
        (
            json!({"CommunityThreadId": 999999, "Name": "a", "NewFileDataUrl": my_file}),
            "CommunityThread",
        ),
        // No usable thread id.
        (
            json!({"CommunityThreadId": "x", "Name": "a", "NewFileDataUrl": my_file}),
            "CommunityThreadId",
        ),
        // URLs this proxy did not issue to Ada.
        (
            json!({"CommunityThreadId": mine, "Name": "a", "NewFileDataUrl": graces_file}),
            "NewFileDataUrl",
        ),
        (
            json!({"CommunityThreadId": mine, "Name": "a", "NewFileDataUrl": foreign}),
            "NewFileDataUrl",
        ),
        (
            json!({"CommunityThreadId": mine, "Name": "a", "NewFileDataUrl": "data:image/png;base64,iVBORw0KGgo="}),
            "NewFileDataUrl",
        ),
        (
            json!({"CommunityThreadId": mine, "Name": "a", "NewFileDataUrl": big_data_url}),
            "NewFileDataUrl",
        ),
        (
            json!({"CommunityThreadId": mine, "Name": "a", "NewFileDataUrl": format!("{my_file}x")}),
            "NewFileDataUrl",
        ),
        (
            json!({"CommunityThreadId": mine, "Name": "a"}),
            "NewFileDataUrl",
        ),
    ];
    for (body, property) in &cases {
        let (status, answer) = proxy.post(&ada, FILES, body).await;
        assert_eq!(status, 400, "{property}: {answer}");
        assert_eq!(answer["WasSuccessful"], false);
        assert_eq!(only_error(&answer).0, *property, "{answer}");
        assert!(
            !answer.to_string().contains(&"A".repeat(300)),
            "the data: URL is echoed whole"
        );
    }
    // Another business's member cannot use Ada's thread even with their own file.
    let other = session(10, 2);
    let theirs = proxy.upload(&other, "o.png", "image/png", picture()).await;
    assert_eq!(
        refused_on(&proxy, &other, &json!(mine), &theirs).await,
        (400, "CommunityThread".to_owned())
    );
    assert_eq!(created(&sandbox).await["files"], json!([]));
    // Ada's own file onto Ada's own thread goes.
    let (status, answer) = proxy
        .post(
            &ada,
            FILES,
            &json!({"CommunityThreadId": mine, "Name": "a", "NewFileDataUrl": my_file}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
}

#[tokio::test]
async fn the_store_keeps_its_limits() {
    let (_sandbox, proxy) = stack_with(|config| config.max_upload_bytes = 1000).await;
    let member = session(10, 1);
    let issue = |size: u64, ct: &str| json!({"fileName": "f", "contentType": ct, "size": size});
    // Refusals land on the attachment field, in the Nexudus envelope.
    for (body, message) in [
        (
            issue(1001, "image/png"),
            "the file is larger than the limit of 1000 bytes",
        ),
        (issue(10, "text/html"), "this type of file is not accepted"),
        (issue(0, "image/png"), "the file is empty"),
        (json!({"size": 3}), "this type of file is not accepted"),
        (
            json!({"contentType": "image/png"}),
            "the file's size is missing",
        ),
    ] {
        let (status, answer) = proxy.post(&member, "/uploads", &body).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(
            only_error(&answer),
            ("NewFileDataUrl".to_string(), message.to_string())
        );
    }

    // One PUT only.
    let (_, issued) = proxy
        .post(&member, "/uploads", &issue(3, "image/png"))
        .await;
    let url = issued["uploadUrl"].as_str().unwrap();
    let put = |body: &'static [u8], ct: &'static str| {
        client()
            .put(url)
            .header("Content-Type", ct)
            .body(body)
            .send()
    };
    assert_eq!(
        put(b"abc", "image/png").await.unwrap().status().as_u16(),
        200
    );
    assert_eq!(
        put(b"xyz", "image/png").await.unwrap().status().as_u16(),
        404
    );
    let stored = client()
        .get(issued["fileUrl"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(stored.bytes().await.unwrap().as_ref(), b"abc");

    // Another type than declared, more or fewer bytes than declared: refused, URL spent.
    for (body, ct, expected) in [
        (&b"abc"[..], "text/plain", 415),
        (&b"abcd"[..], "image/png", 413),
        (&b"ab"[..], "image/png", 400),
    ] {
        let (_, issued) = proxy
            .post(&member, "/uploads", &issue(3, "image/png"))
            .await;
        let url = issued["uploadUrl"].as_str().unwrap();
        let res = client()
            .put(url)
            .header("Content-Type", ct)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), expected, "{ct} {body:?}");
        let again = client()
            .put(url)
            .header("Content-Type", "image/png")
            .body(&b"abc"[..])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status().as_u16(), 404);
        assert_eq!(
            client()
                .get(issued["fileUrl"].as_str().unwrap())
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
            404
        );
    }
    // Nothing half-written is left behind.
    let mut names: Vec<String> = std::fs::read_dir(&proxy.uploads_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names[0].ends_with(".bin") && names[1].ends_with(".json"),
        "{names:?}"
    );
    // A file's URL with another name is not served.
    let file_url = issued_name_changed(&proxy, &member).await;
    assert_eq!(
        client()
            .get(file_url)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
}

async fn issued_name_changed(proxy: &Running, member: &str) -> String {
    let url = proxy
        .upload(member, "real.png", "image/png", b"abc".to_vec())
        .await;
    url.replace("real.png", "other.png")
}

#[tokio::test]
async fn files_expire_and_are_removed() {
    let sandbox = start_sandbox(sandbox_config()).await;
    let mut config = proxy_config(&sandbox);
    config.file_ttl = Duration::from_secs(1);
    config.cleanup_interval = Duration::from_millis(100);
    let proxy = run_proxy(config).await;
    let member = session(10, 1);
    let file_url = proxy
        .upload(&member, "a.txt", "text/plain", b"soon gone".to_vec())
        .await;
    assert_eq!(
        client()
            .get(&file_url)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    let dir = proxy.uploads_dir.clone();
    let gone = wait_until(Duration::from_secs(10), || {
        let dir = dir.clone();
        async move {
            std::fs::read_dir(&dir)
                .map(|d| d.count() == 0)
                .unwrap_or(false)
        }
    })
    .await;
    assert!(gone, "the expired file is still on disk");
    assert_eq!(
        client()
            .get(&file_url)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        404
    );
    // And it can no longer be attached.
    let thread = proxy.create_thread(&member, "Late").await;
    assert_eq!(
        refused_on(&proxy, &member, &json!(thread), &file_url).await,
        (400, "NewFileDataUrl".to_owned())
    );
}

#[tokio::test]
async fn files_survive_a_restart_until_they_expire() {
    let sandbox = start_sandbox(sandbox_config()).await;
    let config = proxy_config(&sandbox);
    let dir = config.uploads_dir.clone();
    let first = start_proxy(config.clone()).await;
    let member = session(10, 1);
    let url = first
        .upload(&member, "keep.txt", "text/plain", b"kept".to_vec())
        .await;
    // A second proxy on the same folder and public URL serves it.
    let mut again = config;
    again.uploads_dir = dir;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    again.public_base_url = first.base.clone();
    let proxy = nexudus_host_proxy::Proxy::new(again).await.unwrap();
    let router = proxy.router();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let path = url.strip_prefix(&first.base).unwrap();
    let got = client().get(format!("{base}{path}")).send().await.unwrap();
    assert_eq!(got.status().as_u16(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), b"kept");
}
