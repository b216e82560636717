//! Connection bounds: idle, header-trickling and body-trickling connections are closed, their
//! number is capped, and a full descriptor table is survived; after each flood a normal
//! request succeeds within a bounded time.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What one attacking connection does.
#[derive(Clone, Copy)]
enum Attack {
    /// Connects and sends nothing.
    Idle,
    /// Sends a request head a byte at a time, never finishing it.
    Head,
    /// Sends a whole head announcing a body, then the body a byte at a time.
    Body,
}

/// Runs one attacking connection until the server closes it; how long that took (`None`: not
/// closed within `limit`), and the first bytes the server answered.
async fn attack(
    addr: String,
    kind: Attack,
    token: String,
    limit: Duration,
) -> Option<(Duration, String)> {
    let started = Instant::now();
    let Ok(mut stream) = TcpStream::connect(addr).await else {
        eprintln!("connect failed");
        return None;
    };
    let (mut rd, mut wr) = stream.split();
    let trickle = async {
        match kind {
            Attack::Idle => std::future::pending::<()>().await,
            Attack::Head => {
                for b in b"GET /api/community/communitygroups HTTP/1.1\r\nHost: x\r\nX-Slow: "
                    .iter()
                    .cycle()
                {
                    if wr.write_all(&[*b]).await.is_err() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            Attack::Body => {
                let head = format!(
                    "POST /uploads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
                     Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                );
                if wr.write_all(head.as_bytes()).await.is_ok() {
                    loop {
                        if wr.write_all(b" ").await.is_err() {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        }
        std::future::pending::<()>().await;
    };
    let mut answer = Vec::new();
    let closed = async {
        let mut buf = [0u8; 512];
        loop {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    };
    let outcome = tokio::time::timeout(limit, async {
        tokio::select! {
            () = trickle => {},
            () = closed => {},
        }
    })
    .await;
    outcome.ok()?;
    Some((
        started.elapsed(),
        String::from_utf8_lossy(&answer).into_owned(),
    ))
}

/// Retries a normal read on fresh connections until it succeeds; how long it took.
async fn normal_read_succeeds(base: &str, token: &str, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        let client = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(2))
            .build()
            .unwrap();
        if let Ok(res) = client
            .get(format!("{base}{GROUPS}"))
            .bearer_auth(token)
            .send()
            .await
        {
            if res.status() == 200 {
                return Some(started.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

#[tokio::test]
async fn trickling_and_idle_connections_are_closed_and_capped() {
    let sandbox = start_sandbox(sandbox_config()).await;
    let mut config = proxy_config(&sandbox);
    config.max_connections = 100;
    config.header_read_timeout = Duration::from_secs(1);
    config.body_read_timeout = Duration::from_secs(1);
    let proxy = run_proxy(config).await;
    let addr = proxy.base.trim_start_matches("http://").to_string();
    let member = session(10, 1);
    // Connected a millisecond apart: a burst of SYNs makes the kernel itself drop some.
    let mut attacks = Vec::new();
    for i in 0..300 {
        let kind = [Attack::Idle, Attack::Head, Attack::Body][i % 3];
        let limit = Duration::from_secs(8);
        attacks.push(tokio::spawn(attack(
            addr.clone(),
            kind,
            member.clone(),
            limit,
        )));
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let recovered = normal_read_succeeds(&proxy.base, &member, Duration::from_secs(10)).await;
    eprintln!("a normal read succeeded {recovered:?} after 300 trickling connections began");
    let recovered = recovered.expect("no normal read succeeded within 10 s");
    assert!(recovered < Duration::from_secs(6), "{recovered:?}");
    let mut closed = Vec::new();
    let mut timed_out_bodies = 0;
    // A few idle connects of the burst can stay half-open in the kernel without ever
    // reaching the accept queue (the client sends nothing, so nothing tells it): the server
    // holds nothing for them. Every connection that sends data is closed.
    let mut never_closed = Vec::new();
    for (i, a) in attacks.into_iter().enumerate() {
        let Some((took, answer)) = a.await.unwrap() else {
            never_closed.push(i);
            continue;
        };
        timed_out_bodies += usize::from(answer.starts_with("HTTP/1.1 408"));
        closed.push(took);
    }
    closed.sort();
    eprintln!(
        "{} of 300 closed by the server, the last after {:?}; {timed_out_bodies} bodies answered 408; not closed: {never_closed:?}",
        closed.len(),
        closed[closed.len() - 1]
    );
    assert!(never_closed.iter().all(|i| i % 3 == 0), "{never_closed:?}");
    assert!(closed.len() >= 285, "{never_closed:?}");
    assert!(timed_out_bodies >= 85, "{timed_out_bodies}");
}

#[tokio::test]
async fn a_kept_alive_connection_is_closed_when_idle() {
    let sandbox = start_sandbox(sandbox_config()).await;
    let mut config = proxy_config(&sandbox);
    config.header_read_timeout = Duration::from_secs(1);
    let proxy = run_proxy(config).await;
    let mut stream = TcpStream::connect(proxy.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let member = session(10, 1);
    let request =
        format!("GET {GROUPS} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {member}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the idle kept-alive connection stayed open");
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn a_full_descriptor_table_is_survived() {
    let sandbox = start_sandbox(sandbox_config()).await;
    let dir = uploads_dir();
    // The binary with 128 descriptors and the default connection cap (512): accepting runs
    // into EMFILE.
    let mut child = Command::new("prlimit")
        .args(["--nofile=128:128", "--"])
        .arg(env!("CARGO_BIN_EXE_nexudus-host-proxy"))
        .args(["--listen", "127.0.0.1:0", "--upstream", &sandbox, "--quiet"])
        .args([
            "--upstream-min-spacing-ms",
            "0",
            "--header-read-timeout-seconds",
            "1",
        ])
        .arg("--uploads-dir")
        .arg(&dir)
        .env("NEXUDUS_API_TOKEN", OPERATOR_TOKEN)
        .env("MEMBER_JWT_SECRET", JWT_SECRET)
        .env_remove("NEXUDUS_USERNAME")
        .env_remove("NEXUDUS_PASSWORD")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map(Child)
        .unwrap();
    let stdout = child.0.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let base = line.trim().rsplit(' ').next().unwrap().to_string();
    let addr = base.trim_start_matches("http://").to_string();
    let member = session(10, 1);
    assert!(normal_read_succeeds(&base, &member, Duration::from_secs(5))
        .await
        .is_some());
    // 150 idle sockets: more than the table holds.
    let mut idle = Vec::new();
    for _ in 0..150 {
        idle.push(TcpStream::connect(&addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let recovered = normal_read_succeeds(&base, &member, Duration::from_secs(15)).await;
    eprintln!(
        "a normal read succeeded {recovered:?} after 150 idle sockets filled 128 descriptors"
    );
    assert!(
        recovered.is_some_and(|t| t < Duration::from_secs(8)),
        "{recovered:?}"
    );
    assert!(child.0.try_wait().unwrap().is_none(), "the proxy exited");
    drop(idle);
    let _ = child.0.kill();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.0.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(
        stderr.contains("cannot accept connections"),
        "the descriptor table never filled:\n{stderr}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn shutdown_lets_requests_in_progress_finish() {
    let double = start_double(|_| {
        std::thread::sleep(Duration::from_millis(400));
        json_response(200, &serde_json::json!({"Records": []}))
    })
    .await;
    let mut config = proxy_config(&double.base);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    config.public_base_url = base.clone();
    let proxy = nexudus_host_proxy::Proxy::new(config).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(proxy.run(listener, async {
        let _ = stopped.await;
    }));
    let member = session(10, 1);
    let in_progress = client()
        .get(format!("{base}{GROUPS}"))
        .bearer_auth(&member)
        .send();
    let in_progress = tokio::spawn(in_progress);
    assert!(
        wait_until(Duration::from_secs(5), || async {
            !double.seen().is_empty()
        })
        .await
    );
    stop.send(()).unwrap();
    let res = in_progress.await.unwrap().unwrap();
    assert_eq!(res.status(), 200);
    let ended = tokio::time::timeout(Duration::from_secs(5), server).await;
    assert!(matches!(ended, Ok(Ok(Ok(())))), "{ended:?}");
    // No longer accepting.
    assert!(client()
        .get(format!("{base}{GROUPS}"))
        .send()
        .await
        .is_err());
}
