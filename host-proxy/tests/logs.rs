//! The binary's log: one line per request with the member id, route, status and duration, and
//! never a member's JWT, the operator's user name, password or token, or a file's bytes.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};

use common::*;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_nexudus-host-proxy");
const API_USER: &str = "api@sandbox.test";
const API_PASSWORD: &str = "sandbox-api-password";

#[tokio::test]
async fn the_log_names_members_and_routes_and_no_secret() {
    let sandbox = start_sandbox(sandbox_config()).await;
    let dir = uploads_dir();
    let (mut child, base) = start_binary(
        Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--upstream", &sandbox])
            .args(["--upstream-min-spacing-ms", "0"])
            .arg("--uploads-dir")
            .arg(&dir)
            .env_remove("NEXUDUS_API_TOKEN")
            .env("NEXUDUS_USERNAME", API_USER)
            .env("NEXUDUS_PASSWORD", API_PASSWORD)
            .env("MEMBER_JWT_SECRET", JWT_SECRET)
            .stderr(Stdio::piped()),
    );
    let http = client();
    let member = session(10, 1);
    let other = session(11, 1);
    let bytes = b"secret file bytes 0xC0FFEE".to_vec();

    let res = http
        .post(format!("{base}{THREADS}"))
        .bearer_auth(&member)
        .json(&json!({"Subject": "Logged", "Message": "M"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let thread = res.json::<serde_json::Value>().await.unwrap()["Value"]["Id"]
        .as_i64()
        .unwrap();
    let issued: serde_json::Value = http
        .post(format!("{base}/uploads"))
        .bearer_auth(&member)
        .json(&json!({"fileName": "s.txt", "contentType": "text/plain", "size": bytes.len()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let put = http
        .put(issued["uploadUrl"].as_str().unwrap())
        .header("Content-Type", "text/plain")
        .body(bytes.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 200);
    let attach = http
        .post(format!("{base}{FILES}"))
        .bearer_auth(&member)
        .json(
            &json!({"CommunityThreadId": thread, "Name": "s", "NewFileDataUrl": issued["fileUrl"]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(attach.status().as_u16(), 200);
    let refused = http
        .delete(format!("{base}{THREADS}/{thread}"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 404);
    let unsigned = http
        .get(format!("{base}{GROUPS}"))
        .bearer_auth(format!("{member}x"))
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 401);

    child.0.kill().unwrap();
    child.0.wait().unwrap();
    let mut log = String::new();
    child
        .0
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);

    for expected in [
        "member=10 method=POST route=/api/community/communitythreads status=200",
        "member=10 method=POST route=/uploads status=200",
        "member=- method=PUT route=/uploads/{id} status=200",
        "member=- method=GET route=/files/{key}/{name} status=200",
        "member=10 method=POST route=/api/community/communitythreadfiles status=200",
        "member=11 method=DELETE route=/api/community/communitythreads/{id} status=404",
        "member=- method=GET route=/api/community/communitygroups status=401",
        "duration_ms=",
    ] {
        assert!(log.contains(expected), "the log lacks {expected:?}:\n{log}");
    }
    let key = issued["fileUrl"]
        .as_str()
        .unwrap()
        .split('/')
        .nth_back(1)
        .unwrap()
        .to_string();
    let upload_id = issued["uploadUrl"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    for secret in [
        member.as_str(),
        other.as_str(),
        "eyJ",
        API_USER,
        API_PASSWORD,
        JWT_SECRET,
        "Bearer",
        "0xC0FFEE",
        key.as_str(),
        upload_id.as_str(),
    ] {
        assert!(!log.contains(secret), "the log shows {secret:?}:\n{log}");
    }
}
