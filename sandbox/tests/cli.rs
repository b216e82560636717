//! The binary's contract: the listening line, the flags, signals.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_sandbox");

/// Spawns the binary and reads its first stdout line.
fn spawn(args: &[&str]) -> (Child, String, BufReader<std::process::ChildStdout>) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    (child, line, out)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    for _ in 0..100 {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("the sandbox did not stop on SIGTERM");
}

#[tokio::test]
async fn prints_the_listening_line_and_serves() {
    let (mut child, line, mut out) = spawn(&[
        "--addr",
        "127.0.0.1:0",
        "--enable-faults",
        "--no-throttle",
        "--token",
        "cli-secret-token=CommunityGroup-List",
        "--token",
        "cli-admin-token=admin",
        "--api-user",
        "cli-bot@host.test:cli-secret-password=CommunityGroup-List",
        "--access-token-lifetime",
        "120",
    ]);
    let line = line.trim_end_matches('\n');
    let base = line
        .strip_prefix("sandbox listening on http://127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected line {line:?}"));
    let port: u16 = base.parse().unwrap();
    assert_ne!(port, 0);
    let base = format!("http://127.0.0.1:{port}");
    let http = client();

    let res = http
        .get(format!("{base}/_sandbox/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = http
        .get(format!("{base}/api/community/communitygroups"))
        .bearer_auth("cli-secret-token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = http
        .post(format!("{base}/api/community/communitythreads"))
        .bearer_auth("cli-secret-token")
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = http
        .post(format!("{base}/api/community/communitythreads"))
        .bearer_auth("cli-admin-token")
        .json(&serde_json::json!({"BusinessId":1,"UserId":10,"Subject":"s","Message":"m"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The --api-user signs in at /api/token, with the configured lifetime.
    let res = http
        .post(format!("{base}/api/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=password&username=cli-bot%40host.test&password=cli-secret-password")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let issued: serde_json::Value = res.json().await.unwrap();
    assert_eq!(issued["expires_in"], 120);
    let access = issued["access_token"].as_str().unwrap().to_string();
    let res = http
        .get(format!("{base}/api/community/communitygroups"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = http
        .get(format!("{base}/_sandbox/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let status = terminate(&mut child);
    assert!(status.success(), "{status:?}");
    // Exactly one line on stdout.
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "");
    // The log never shows a token.
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("/api/community/communitygroups"), "{err}");
    assert!(!err.contains("cli-secret-token") && !err.contains("cli-admin-token"));
    assert!(err.contains("/api/token"), "{err}");
    assert!(!err.contains("cli-secret-password") && !err.contains(&access));
}

#[test]
fn help_documents_every_flag() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--addr",
        "--enable-faults",
        "--no-throttle",
        "--write-limit-per-minute",
        "--request-limit-per-minute",
        "--min-spacing-ms",
        "--request-limit-per-hour",
        "--request-limit-per-day",
        "--write-limit-per-day",
        "--throttle-status",
        "--token",
        "--api-user",
        "--access-token-lifetime",
        "api@sandbox.test",
        "sandbox-api-password",
        "--max-file-bytes",
        "--max-body-bytes",
        "--max-upload-bytes",
        "--allow-remote-urls",
        "--accept-data-urls",
        "--fetch-timeout-secs",
        "--cors-origin",
        "--expose-retry-after",
        "--state-file",
        "--quiet",
        "127.0.0.1:8787",
        "26214400",
        "sandbox-member-token",
        "sandbox-portal-token",
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
    }
}

#[test]
fn bad_arguments_fail_without_echoing_a_token() {
    let out = Command::new(BIN)
        .args(["--addr", "127.0.0.1:0", "--token", "very-secret-value"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("TOKEN=ROLES"), "{err}");
    assert!(!err.contains("very-secret-value"), "{err}");
    assert!(out.stdout.is_empty());

    for arg in [
        "bot@host.test:very-secret-pass",
        "bot@host.test:very-secret-pass=expired",
    ] {
        let out = Command::new(BIN)
            .args(["--addr", "127.0.0.1:0", "--api-user", arg])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--api-user"), "{err}");
        assert!(!err.contains("very-secret-pass"), "{err}");
    }

    let out = Command::new(BIN)
        .args(["--addr", "nonsense"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}
