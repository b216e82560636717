//! The binary: `--help` documents every flag and variable; `mint-session` prints a session the
//! proxy accepts; missing or conflicting secrets stop it with a message that shows none; it
//! serves on the address it prints.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use nexudus_host_proxy::claims::{Member, Verifier};
use nexudus_host_proxy::Secret;

const BIN: &str = env!("CARGO_BIN_EXE_nexudus-host-proxy");
const KEY: &str = "cli-test-member-secret-0123456789abcdef";

fn proxy() -> Command {
    let mut c = Command::new(BIN);
    for var in [
        "NEXUDUS_API_TOKEN",
        "NEXUDUS_USERNAME",
        "NEXUDUS_PASSWORD",
        "MEMBER_JWT_SECRET",
    ] {
        c.env_remove(var);
    }
    c
}

#[test]
fn help_documents_every_flag_and_variable() {
    let out = proxy().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "--listen",
        "--upstream",
        "--cors-origin",
        "--uploads-dir",
        "--public-base-url",
        "--member-writes-per-minute",
        "--max-upload-bytes",
        "--allowed-type",
        "--upload-url-ttl-seconds",
        "--file-ttl-seconds",
        "--upstream-timeout-seconds",
        "--upstream-min-spacing-ms",
        "--jwt-leeway-seconds",
        "--member-queue-depth",
        "--max-connections",
        "--header-read-timeout-seconds",
        "--body-read-timeout-seconds",
        "--idle-timeout-seconds",
        "--max-session-seconds",
        "--member-storage-bytes-per-day",
        "--max-store-bytes",
        "--jwt-audience",
        "--jwt-issuer",
        "--board-cache-seconds",
        "--allow-instant-delivery",
        "--allow-guests",
        "--quiet",
        "mint-session",
        "NEXUDUS_API_TOKEN",
        "NEXUDUS_USERNAME",
        "NEXUDUS_PASSWORD",
        "MEMBER_JWT_SECRET",
        "127.0.0.1:8790",
        "https://spaces.nexudus.com",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
    let out = proxy().args(["mint-session", "--help"]).output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(
        help.contains("--sub")
            && help.contains("--business-id")
            && help.contains("--ttl-seconds")
            && help.contains("--groups")
    );
}

#[test]
fn mint_session_prints_a_session_the_proxy_accepts() {
    let out = proxy()
        .args(["mint-session", "--sub", "10", "--business-id", "1"])
        .env("MEMBER_JWT_SECRET", KEY)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap();
    let verifier = Verifier::new(&Secret::new(KEY), Duration::ZERO).unwrap();
    assert_eq!(
        verifier.verify(token.trim()),
        Ok(Member {
            user_id: 10,
            business_id: 1
        })
    );
    // With --groups: the claim the proxy reads; an id that is not one is refused.
    let out = proxy()
        .args(["mint-session", "--sub", "10", "--business-id", "1"])
        .args(["--groups", "4,3"])
        .env("MEMBER_JWT_SECRET", KEY)
        .output()
        .unwrap();
    assert!(out.status.success());
    let token = String::from_utf8(out.stdout).unwrap();
    let (_, groups) = verifier.verify_session(token.trim()).unwrap();
    assert_eq!(groups.0.iter().copied().collect::<Vec<_>>(), [3, 4]);
    for bad in ["0", "4,x", "9007199254740993"] {
        let out = proxy()
            .args([
                "mint-session",
                "--sub",
                "10",
                "--business-id",
                "1",
                "--groups",
                bad,
            ])
            .env("MEMBER_JWT_SECRET", KEY)
            .output()
            .unwrap();
        assert!(!out.status.success(), "--groups {bad}");
    }
    // Without the key, or with a short one: an error that shows no value.
    let out = proxy()
        .args(["mint-session", "--sub", "10", "--business-id", "1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("MEMBER_JWT_SECRET is not set"));
    let out = proxy()
        .args(["mint-session", "--sub", "10", "--business-id", "1"])
        .env("MEMBER_JWT_SECRET", "short-key")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("short-key"));
}

#[test]
fn secrets_come_from_the_environment_and_are_never_shown() {
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[], "MEMBER_JWT_SECRET is not set"),
        (
            &[("MEMBER_JWT_SECRET", KEY)],
            "set NEXUDUS_API_TOKEN, or NEXUDUS_USERNAME and NEXUDUS_PASSWORD",
        ),
        (
            &[
                ("MEMBER_JWT_SECRET", KEY),
                ("NEXUDUS_API_TOKEN", "tok-secret-1"),
                ("NEXUDUS_USERNAME", "u-secret"),
                ("NEXUDUS_PASSWORD", "p-secret"),
            ],
            "not both",
        ),
        (
            &[("MEMBER_JWT_SECRET", KEY), ("NEXUDUS_USERNAME", "u-secret")],
            "go together",
        ),
    ];
    for (env, expected) in cases {
        let mut c = proxy();
        c.args(["--listen", "127.0.0.1:0"]);
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expected), "{err}");
        for secret in [KEY, "tok-secret-1", "u-secret", "p-secret"] {
            assert!(!err.contains(secret), "{err}");
        }
    }
}

/// Kills the child when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serves_on_the_address_it_prints() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-uploads");
    let mut child = Child(
        proxy()
            .args([
                "--listen",
                "127.0.0.1:0",
                "--upstream",
                "http://127.0.0.1:9",
                "--quiet",
            ])
            .arg("--uploads-dir")
            .arg(&dir)
            .env("MEMBER_JWT_SECRET", KEY)
            .env("NEXUDUS_API_TOKEN", "tok-secret-2")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("nexudus-host-proxy listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_string();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        client
            .get(format!("{base}/nowhere"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(status, 404);
}
