//! Two instances on one real Redis in front of the sandbox, requests spread over both: the
//! member limit and the upstream pacer hold for both together, a key used on one is replayed by
//! the other, an instance killed in the middle of a create leaves one conversation, and with
//! Redis stopped writes fail closed while reads are served.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::redis_server::RedisServer;
use common::*;
use nexudus_host_proxy::Config;
use reqwest::Method;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_nexudus-host-proxy");

/// The upstream spacing of the pacer tests.
const SPACING: Duration = Duration::from_millis(150);

/// Two in-process instances on `redis` in front of `sandbox`, each with `adjust` applied.
async fn pair(sandbox: &str, redis: &RedisServer, adjust: impl Fn(&mut Config)) -> [Running; 2] {
    let dir = uploads_dir();
    let mut instances = Vec::new();
    for _ in 0..2 {
        let mut config = proxy_config(sandbox);
        config.redis_url = Some(nexudus_host_proxy::Secret::new(redis.url()));
        // One shared folder, as on a shared volume.
        config.uploads_dir = dir.clone();
        adjust(&mut config);
        instances.push(start_proxy(config).await);
    }
    let [a, b]: [Running; 2] = instances.try_into().ok().unwrap();
    [a, b]
}

fn upload_request() -> Value {
    json!({"fileName": "a.txt", "contentType": "text/plain", "size": 5})
}

#[tokio::test]
async fn the_member_limit_holds_across_instances_exactly() {
    let redis = RedisServer::start();
    let sandbox = start_sandbox(sandbox_config()).await;
    let both = pair(&sandbox, &redis, |c| c.member_writes_per_minute = 7).await;
    let member = session(10, 1);
    // 20 writes at once, alternating between the instances.
    let request = upload_request();
    let sends = (0..20).map(|i| both[i % 2].post(&member, "/uploads", &request));
    let answers = futures_util::future::join_all(sends).await;
    let admitted = answers.iter().filter(|(s, _)| s.as_u16() == 200).count();
    let refused = answers.iter().filter(|(s, _)| s.as_u16() == 429).count();
    assert_eq!((admitted, refused), (7, 13), "{answers:?}");
    // Another member has their own allowance, on either instance.
    let other = session(11, 1);
    let (status, _) = both[1].post(&other, "/uploads", &upload_request()).await;
    assert_eq!(status.as_u16(), 200);
}

/// Reads from two members through both instances at once; `spacing` between upstream calls.
async fn flood(both: &[Running; 2], calls: usize) -> Vec<u16> {
    let members = [session(10, 1), session(11, 1)];
    let sends = (0..calls).map(|i| {
        let member = &members[i % 2];
        both[i % 2].get(member, THREADS)
    });
    futures_util::future::join_all(sends)
        .await
        .into_iter()
        .map(|(s, _)| s.as_u16())
        .collect()
}

fn throttled_sandbox() -> sandbox::Config {
    let mut config = sandbox_config();
    // Nexudus's own limit: 1 call per 100 ms per credential, refused with a 409.
    config.throttle = sandbox::ThrottleConfig::default();
    config
}

#[tokio::test]
async fn the_upstream_pacer_is_one_allowance_for_all_instances() {
    let redis = RedisServer::start();
    let sandbox = start_sandbox(throttled_sandbox()).await;
    // 150 ms, not the default 110: a margin of 50 ms over the sandbox's 100 for a send that a
    // busy test machine delays after its slot (the spacing is kept at the slots).
    let both = pair(&sandbox, &redis, |c| c.upstream_min_spacing = SPACING).await;
    let started = Instant::now();
    let statuses = flood(&both, 16).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    // 16 calls 150 ms apart, whichever instance sent them.
    assert!(started.elapsed() >= SPACING * 15, "{:?}", started.elapsed());
}

#[tokio::test]
async fn without_the_shared_pacer_two_instances_are_refused_by_nexudus() {
    // The control of the test above: each instance pacing alone sends twice the allowance.
    let sandbox = start_sandbox(throttled_sandbox()).await;
    let mut instances = Vec::new();
    for _ in 0..2 {
        let mut config = proxy_config(&sandbox);
        config.upstream_min_spacing = SPACING;
        instances.push(start_proxy(config).await);
    }
    let both: [Running; 2] = instances.try_into().ok().unwrap();
    let statuses = flood(&both, 16).await;
    assert!(statuses.contains(&409), "{statuses:?}");
}

#[tokio::test]
async fn a_key_used_on_one_instance_is_replayed_by_the_other() {
    let redis = RedisServer::start();
    let sandbox = start_sandbox(sandbox_config()).await;
    let both = pair(&sandbox, &redis, |_| {}).await;
    let member = session(10, 1);
    let body = json!({"Subject": "Shared key", "Message": "Once", "CommunityGroupId": 1});
    const KEY: &str = "0f5d1c7e-2b3a-4c5d-8e9f-aabbccddeeff";
    let first = keyed_create(&both[0], &member, KEY, &body).await;
    assert_eq!(first.status().as_u16(), 200);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.unwrap();
    let again = keyed_create(&both[1], &member, KEY, &body).await;
    assert_eq!(again.status().as_u16(), 200);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let threads = created(&sandbox).await["threads"]
        .as_array()
        .cloned()
        .unwrap();
    assert_eq!(threads.len(), 1, "{threads:?}");
    // The same key with another body, on either instance: 422.
    let other = json!({"Subject": "Other", "Message": "M", "CommunityGroupId": 1});
    let other = keyed_create(&both[0], &member, KEY, &other).await;
    assert_eq!(other.status().as_u16(), 422);
}

#[tokio::test]
async fn an_upload_issued_by_one_instance_is_taken_and_served_by_the_other() {
    let redis = RedisServer::start();
    let sandbox = start_sandbox(sandbox_config()).await;
    let both = pair(&sandbox, &redis, |_| {}).await;
    let member = session(10, 1);
    let (status, issued) = both[0].post(&member, "/uploads", &upload_request()).await;
    assert_eq!(status.as_u16(), 200, "{issued}");
    // The URL names the first instance; send the PUT to the second one's address instead.
    let path = issued["uploadUrl"]
        .as_str()
        .unwrap()
        .replace(&both[0].base, "");
    let put = |body: &'static [u8]| {
        both[1]
            .http
            .put(both[1].url(&path))
            .header("Content-Type", "text/plain")
            .body(body)
            .send()
    };
    assert_eq!(put(b"hello").await.unwrap().status().as_u16(), 200);
    assert_eq!(
        put(b"hello").await.unwrap().status().as_u16(),
        404,
        "used once"
    );
    let file = issued["fileUrl"]
        .as_str()
        .unwrap()
        .replace(&both[0].base, "");
    let got = both[1].http.get(both[1].url(&file)).send().await.unwrap();
    assert_eq!(got.status().as_u16(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), b"hello");
}

/// Starts the binary on `redis` in front of `sandbox`; returns it and its base URL.
fn spawn(sandbox: &str, redis: &RedisServer, dir: &std::path::Path) -> (Child, String) {
    start_binary(
        Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--upstream", sandbox, "--quiet"])
            .args(["--upstream-min-spacing-ms", "0"])
            .args(["--idempotency-lease-seconds", "1"])
            .arg("--uploads-dir")
            .arg(dir)
            .env("REDIS_URL", redis.url())
            .env("NEXUDUS_API_TOKEN", OPERATOR_TOKEN)
            .env("MEMBER_JWT_SECRET", JWT_SECRET)
            .stderr(Stdio::null()),
    )
}

#[tokio::test]
async fn an_instance_killed_during_a_create_leaves_one_conversation() {
    let redis = RedisServer::start();
    let sandbox = start_sandbox(sandbox_config()).await;
    let dir = uploads_dir();
    let (mut doomed, a) = spawn(&sandbox, &redis, &dir);
    let (_survivor, b) = spawn(&sandbox, &redis, &dir);
    // Nexudus creates the conversation, then is slow to say so.
    fault(
        &sandbox,
        json!({"method": "POST", "path": THREADS, "delayMs": 4000, "delayAfterHandling": true}),
    )
    .await;
    let member = session(10, 1);
    let body = json!({"Subject": "Killed mid-create", "Message": "M", "CommunityGroupId": 1});
    let http = client();
    let send = |base: &str| {
        http.post(format!("{base}{THREADS}"))
            .bearer_auth(&member)
            .header("Idempotency-Key", "killed-instance-key")
            .json(&body)
            .send()
    };
    let in_flight = tokio::spawn(send(&a));
    let made = wait_until(Duration::from_secs(10), || async {
        !created(&sandbox).await["threads"]
            .as_array()
            .unwrap()
            .is_empty()
    })
    .await;
    assert!(made, "the create reached the sandbox");
    doomed.0.kill().unwrap();
    let _ = doomed.0.wait();
    assert!(
        in_flight.await.unwrap().is_err(),
        "the first answer was lost"
    );
    // The member retries on the other instance, as told, until the key settles.
    let deadline = Instant::now() + Duration::from_secs(20);
    let answer = loop {
        let res = send(&b).await.unwrap();
        let status = res.status().as_u16();
        if status != 409 {
            break (status, res.json::<Value>().await.unwrap());
        }
        assert!(Instant::now() < deadline, "the key never settled");
        let wait = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        tokio::time::sleep(Duration::from_secs(wait)).await;
    };
    assert_eq!(answer.0, 200, "{answer:?}");
    let threads = created(&sandbox).await["threads"]
        .as_array()
        .cloned()
        .unwrap();
    assert_eq!(threads.len(), 1, "{threads:?}");
    assert_eq!(
        answer.1["Value"]["Id"], threads[0]["Id"],
        "{answer:?} {threads:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn with_redis_stopped_writes_fail_closed_and_reads_are_served() {
    let mut redis = RedisServer::start();
    let sandbox = start_sandbox(sandbox_config()).await;
    let both = pair(&sandbox, &redis, |_| {}).await;
    let member = session(10, 1);
    let ready = both[0]
        .http
        .get(both[0].url("/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    redis.stop();

    let ready = both[0]
        .http
        .get(both[0].url("/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 503);
    let checks: Value = ready.json().await.unwrap();
    assert_eq!(checks["checks"]["redis"], "failing", "{checks}");
    let health = both[1]
        .http
        .get(both[1].url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200, "alive, if not ready");

    let (status, body) = both[0].post(&member, "/uploads", &upload_request()).await;
    assert_eq!(status.as_u16(), 503, "{body}");
    assert_eq!(body["WasSuccessful"], false, "{body}");
    let down = json!({"Subject": "Down", "Message": "M", "CommunityGroupId": 1});
    let keyed = keyed_create(&both[1], &member, "while-redis-is-down", &down).await;
    assert_eq!(keyed.status().as_u16(), 503);
    assert!(keyed.headers().contains_key("retry-after"));
    let (status, body) = both[1]
        .post(
            &member,
            THREADS,
            &json!({"Subject": "Down", "Message": "M", "CommunityGroupId": 1}),
        )
        .await;
    assert_eq!(status.as_u16(), 503, "{body}");
    assert!(created(&sandbox).await["threads"]
        .as_array()
        .unwrap()
        .is_empty());

    let (status, body) = both[1].get(&member, THREADS).await;
    assert_eq!(status.as_u16(), 200, "{body}");
}

/// A create on `on` as `member` under the Idempotency-Key `key`.
async fn keyed_create(on: &Running, member: &str, key: &str, body: &Value) -> reqwest::Response {
    on.request(Method::POST, Some(member), THREADS)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}
