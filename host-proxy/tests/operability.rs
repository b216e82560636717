//! What an operator runs the backend with: `/healthz`, `/readyz`, `/metrics`, JSON logs, and a
//! SIGTERM that lets requests in flight finish within `--shutdown-grace-seconds`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_nexudus-host-proxy");

/// The value of the sample of `name` whose labels include every one of `labels`.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_count_routes_refusals_replays_and_upstream_time() {
    let (_sandbox, proxy) = stack_with(|c| c.member_writes_per_minute = 2).await;
    let member = session(10, 1);
    assert_eq!(proxy.get(&member, THREADS).await.0.as_u16(), 200);
    let keyed = || {
        proxy
            .request(Method::POST, Some(&member), "/uploads")
            .header("Idempotency-Key", "metrics-key")
            .json(&json!({"fileName": "a.txt", "contentType": "text/plain", "size": 3}))
            .send()
    };
    assert_eq!(keyed().await.unwrap().status().as_u16(), 200);
    let replay = keyed().await.unwrap();
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let upload = json!({"fileName": "b.txt", "contentType": "text/plain", "size": 3});
    assert_eq!(
        proxy.post(&member, "/uploads", &upload).await.0.as_u16(),
        200
    );
    assert_eq!(
        proxy.post(&member, "/uploads", &upload).await.0.as_u16(),
        429
    );
    let (status, _) = read(
        proxy
            .http
            .get(proxy.url("/nowhere/x1"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status.as_u16(), 404);

    let res = proxy.http.get(proxy.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = res.text().await.unwrap();
    let requests = "nexudus_host_proxy_requests_total";
    let threads = format!("route=\"{THREADS}\"");
    assert_eq!(
        sample(
            &text,
            requests,
            &[&threads, "method=\"GET\"", "status=\"200\""]
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, requests, &["route=\"/uploads\"", "status=\"429\""]),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, requests, &["route=\"(none)\"", "status=\"404\""]),
        Some(1.0),
        "a path no route matched is one label, not one per path: {text}"
    );
    assert!(!text.contains("nowhere"), "{text}");
    assert_eq!(
        sample(
            &text,
            "nexudus_host_proxy_refusals_total",
            &["reason=\"write_limit\""]
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "nexudus_host_proxy_idempotency_replays_total", &[]),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            "nexudus_host_proxy_upstream_seconds_count",
            &["method=\"GET\""]
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "nexudus_host_proxy_upstream_queue_depth", &[]),
        Some(0.0)
    );
    assert!(!text.contains(OPERATOR_TOKEN) && !text.contains(&member));
}

#[tokio::test]
async fn probes_say_alive_and_ready_and_name_what_fails() {
    let (_sandbox, proxy) = stack().await;
    let health = proxy.http.get(proxy.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let (status, ready) = read(proxy.http.get(proxy.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(status.as_u16(), 200, "{ready}");
    assert_eq!(ready["checks"]["redis"], "not configured");

    // An API user Nexudus refuses: not ready, on the credential.
    let sandbox = start_sandbox(sandbox_config()).await;
    let mut config = proxy_config(&sandbox);
    config.credential = nexudus_host_proxy::OperatorCredential::Password {
        username: nexudus_host_proxy::Secret::new("api@sandbox.test"),
        password: nexudus_host_proxy::Secret::new("not-the-password"),
    };
    let refused = start_proxy(config).await;
    let (status, ready) = read(
        refused
            .http
            .get(refused.url("/readyz"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status.as_u16(), 503, "{ready}");
    assert_eq!(ready["checks"]["credential"], "failing", "{ready}");
    assert!(!ready.to_string().contains("not-the-password"));
}

/// Starts the binary in front of `sandbox` with `extra` flags; returns it, its base URL and
/// its stderr.
fn spawn(sandbox: &str, extra: &[&str]) -> (Child, String, std::process::ChildStderr) {
    let (mut child, base) = start_binary(
        Command::new(BIN)
            .args(["--listen", "127.0.0.1:0", "--upstream", sandbox])
            .args(["--upstream-min-spacing-ms", "0"])
            .args(extra)
            .arg("--uploads-dir")
            .arg(uploads_dir())
            .env_remove("REDIS_URL")
            .env("NEXUDUS_API_TOKEN", OPERATOR_TOKEN)
            .env("MEMBER_JWT_SECRET", JWT_SECRET)
            .stderr(Stdio::piped()),
    );
    let stderr = child.0.stderr.take().unwrap();
    (child, base, stderr)
}

#[tokio::test]
async fn json_logs_are_one_object_per_line() {
    let sandbox = start_sandbox(sandbox_config()).await;
    let (_child, base, stderr) = spawn(&sandbox, &["--log-format", "json"]);
    let member = session(10, 1);
    let res = client()
        .get(format!("{base}{THREADS}"))
        .bearer_auth(&member)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let line = tokio::task::spawn_blocking(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .find(|l| l.contains("\"request\""))
    })
    .await
    .unwrap()
    .unwrap();
    let entry: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(entry["fields"]["message"], "request", "{entry}");
    assert_eq!(entry["fields"]["route"], THREADS, "{entry}");
    assert_eq!(entry["fields"]["status"], 200, "{entry}");
    assert!(!line.contains(&member));
}

/// Sends SIGTERM to `child`.
fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Arms a slow `GET` of the threads and starts one; returns once the sandbox has it.
async fn slow_read_in_flight(
    sandbox: &str,
    base: &str,
    delay_ms: u64,
) -> tokio::task::JoinHandle<Result<reqwest::Response, reqwest::Error>> {
    fault(
        sandbox,
        json!({"method": "GET", "path": THREADS, "delayMs": delay_ms}),
    )
    .await;
    let request = client()
        .get(format!("{base}{THREADS}"))
        .bearer_auth(session(10, 1))
        .send();
    let in_flight = tokio::spawn(request);
    let reached = wait_until(Duration::from_secs(10), || async {
        let faults: Value = client()
            .get(format!("{sandbox}/_sandbox/faults"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        faults["faults"].as_array().unwrap().is_empty()
    })
    .await;
    assert!(reached, "the slow request reached the sandbox");
    in_flight
}

/// Waits (off the runtime) for the process to exit, at most `limit`.
async fn exits_within(child: Child, limit: Duration) -> Option<std::process::ExitStatus> {
    tokio::task::spawn_blocking(move || {
        let mut child = child;
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = child.0.try_wait() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish_and_takes_no_new_one() {
    let sandbox = start_sandbox(sandbox_config()).await;
    let (child, base, _stderr) = spawn(&sandbox, &["--shutdown-grace-seconds", "10"]);
    let in_flight = slow_read_in_flight(&sandbox, &base, 1500).await;
    let started = Instant::now();
    terminate(&child);
    // New connections are refused at once...
    let closed = wait_until(Duration::from_secs(5), || async {
        client()
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_err()
    })
    .await;
    assert!(closed, "the listener closed");
    // ...while the one in flight gets its whole answer.
    let res = in_flight.await.unwrap().unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert!(res.json::<Value>().await.is_ok());
    let status = exits_within(child, Duration::from_secs(10)).await;
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn sigterm_cuts_what_is_still_running_at_the_deadline() {
    let sandbox = start_sandbox(sandbox_config()).await;
    let (child, base, _stderr) = spawn(&sandbox, &["--shutdown-grace-seconds", "1"]);
    let in_flight = slow_read_in_flight(&sandbox, &base, 8000).await;
    let started = Instant::now();
    terminate(&child);
    let status = exits_within(child, Duration::from_secs(6)).await;
    assert!(
        status.is_some(),
        "exited within the grace, not after the slow call"
    );
    assert!(started.elapsed() < Duration::from_secs(6));
    assert!(in_flight.await.unwrap().is_err(), "the request was cut");
}
