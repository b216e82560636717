//! Attachments: data: URLs, the size cap, and the URLs the sandbox fetches or refuses.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::response::IntoResponse;
use reqwest::{Method, StatusCode};
use sandbox::Config;
use serde_json::{json, Value};

use super::common::*;
use super::{base64_encode, is_rfc3339_utc};

#[tokio::test]
async fn data_urls_are_stored() {
    let s = start(config()).await;
    let thread = s.create_thread("Pictures").await;
    let png = [0x89u8, b'P', b'N', b'G', 0, 1, 2, 255];
    let b64 = base64_encode(&png);
    let id = check(
        &s,
        post(
            MEMBER,
            FILES,
            json!({ "CommunityThreadId": thread, "Name": "Screenshot", "Description": "d",
                     "NewFileDataUrl": format!("data:image/png;base64,{b64}") }),
        )
        .expect("a base64 data: URL", StatusCode::OK)
        .is("/Message", "CommunityThreadFile was successfully created."),
    )
    .await
    .id();
    let record = check(
        &s,
        get(MEMBER, format!("{FILES}/{id}"))
            .expect("the file's record", StatusCode::OK)
            .fields([
                ("Id", json!(id)),
                ("CommunityThreadId", json!(thread)),
                ("Name", json!("Screenshot")),
                ("Description", json!("d")),
                ("FileContentType", json!("image/png")),
                ("FileSize", json!(png.len())),
                ("FileName", json!("Screenshot")),
            ]),
    )
    .await;
    assert!(is_rfc3339_utc(record.body["CreatedOn"].as_str().unwrap()));
    run(
        &s,
        [get(MEMBER, format!("{FILES}/{id}/content"))
            .expect("the file's bytes", StatusCode::OK)
            .header("content-type", "image/png")
            .bytes(png)],
    )
    .await;

    // Percent-encoded data URL.
    let encoded = "data:text/plain;charset=utf-8,caf%C3%A9%20ok";
    let id = check(&s, attach(thread, encoded).expect(encoded, StatusCode::OK))
        .await
        .id();
    run(
        &s,
        [get(MEMBER, format!("{FILES}/{id}/content"))
            .expect("the percent-decoded bytes", StatusCode::OK)
            .bytes("café ok")],
    )
    .await;

    // Malformed data URLs.
    run(
        &s,
        [
            "data:image/png;base64,@@@@",
            "data:image/png;base64",
            "data:nonsense,x",
        ]
        .map(|bad| {
            attach(thread, bad)
                .expect(bad, StatusCode::BAD_REQUEST)
                .only_error_containing("NewFileDataUrl", "not a valid data: URL")
                .is("/Errors/0/AttemptedValue", bad)
        }),
    )
    .await;

    // No URL, or ClearFileDataFile: a record without a file.
    let id = check(
        &s,
        post(
            MEMBER,
            FILES,
            json!({ "CommunityThreadId": thread, "Name": "n", "ClearFileDataFile": true,
                     "NewFileDataUrl": "data:text/plain,ignored" }),
        )
        .expect("ClearFileDataFile with a URL", StatusCode::OK),
    )
    .await
    .id();
    run(
        &s,
        [
            get(MEMBER, format!("{FILES}/{id}"))
                .expect("a record without a file", StatusCode::OK)
                .is("/FileSize", Value::Null),
            get(MEMBER, format!("{FILES}/{id}/content")).expect("no bytes", StatusCode::NOT_FOUND),
        ],
    )
    .await;
}

#[tokio::test]
async fn size_cap_applies_to_data_and_http_urls() {
    let s = start(Config {
        max_file_bytes: 1000,
        ..config()
    })
    .await;
    let thread = s.create_thread("Big").await;
    let of_size = |size: usize| {
        format!(
            "data:application/octet-stream;base64,{}",
            base64_encode(&vec![7u8; size])
        )
    };
    let too_big = "exceeds the maximum file size of 1000 bytes";
    let uploaded = s
        .upload("big.bin", "application/octet-stream", vec![1; 1001])
        .await;
    // A chunked answer without Content-Length is cut while downloading.
    let other = start_app(axum::Router::new().route(
        "/stream.bin",
        axum::routing::get(|| async {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                (0..20).map(|_| Ok(vec![0u8; 100])).collect();
            Body::from_stream(IterStream(chunks.into_iter())).into_response()
        }),
    ))
    .await;
    run(
        &s,
        [
            attach(thread, &of_size(1000)).expect("a data: URL of 1000 bytes", StatusCode::OK),
            attach(thread, &of_size(1001))
                .expect("a data: URL of 1001 bytes", StatusCode::BAD_REQUEST)
                .only_error("NewFileDataUrl", too_big),
            attach(thread, &uploaded)
                .expect("an upload of 1001 bytes", StatusCode::BAD_REQUEST)
                .only_error("NewFileDataUrl", too_big),
            attach(thread, &format!("{other}/stream.bin"))
                .expect("a chunked download of 2000 bytes", StatusCode::BAD_REQUEST)
                .only_error("NewFileDataUrl", too_big),
        ],
    )
    .await;
}

#[tokio::test]
async fn a_25_mb_file_fits_as_a_data_url_and_one_byte_more_does_not() {
    let s = start(config()).await;
    let max = 25 * 1024 * 1024;
    // Built by hand: serialising a 34 MB string through serde_json is slow in debug builds.
    let post_of = |size: usize| {
        request(Method::POST, FILES)
            .bearer(MEMBER)
            .header("Content-Type", "application/json")
            .raw(format!(
                r#"{{"CommunityThreadId":1001,"Name":"big.jpg","NewFileDataUrl":"data:image/jpeg;base64,{}"}}"#,
                base64_encode(&vec![0xAB; size])
            ))
    };
    let id = check(&s, post_of(max).expect("25 MB", StatusCode::OK))
        .await
        .id();
    run(
        &s,
        [
            get(MEMBER, format!("{FILES}/{id}"))
                .expect("its record", StatusCode::OK)
                .is("/FileSize", max),
            post_of(max + 1)
                .expect("25 MB and one byte", StatusCode::BAD_REQUEST)
                .only_error("NewFileDataUrl", "exceeds the maximum file size of 25 MB"),
        ],
    )
    .await;
}

struct IterStream<I>(I);

impl<I: Iterator + Unpin> futures_core::Stream for IterStream<I> {
    type Item = I::Item;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<I::Item>> {
        std::task::Poll::Ready(self.0.next())
    }
}

#[tokio::test]
async fn loopback_urls_are_fetched_and_others_refused() {
    let s = start(Config {
        fetch_timeout: Duration::from_millis(500),
        ..config()
    })
    .await;
    let thread = s.create_thread("Fetch").await;
    let fetched =
        |url: &str| attach(thread, url).expect(format!("{url} is fetched"), StatusCode::OK);
    let refused = |url: &str, needle: &str| {
        attach(thread, url)
            .expect(format!("{url} is refused"), StatusCode::BAD_REQUEST)
            .only_error_containing("NewFileDataUrl", needle)
            .is("/Errors/0/AttemptedValue", url)
    };

    // From the upload store (loopback): name from the URL path, type from Content-Type.
    let url = s
        .upload("team photo.jpg", "image/jpeg", b"JPEGDATA".to_vec())
        .await;
    assert!(url.starts_with(&s.base));
    let id = check(&s, fetched(&url)).await.id();
    run(
        &s,
        [
            get(MEMBER, format!("{FILES}/{id}"))
                .expect("the fetched file's record", StatusCode::OK)
                .fields([
                    ("FileName", json!("team_photo.jpg")),
                    ("FileContentType", json!("image/jpeg")),
                    ("FileSize", json!(8)),
                ]),
            get(MEMBER, format!("{FILES}/{id}/content"))
                .expect("the fetched bytes", StatusCode::OK)
                .bytes(*b"JPEGDATA"),
        ],
    )
    .await;

    // localhost and other loopback spellings are loopback.
    let port = s.base.rsplit(':').next().unwrap().to_string();
    let path = url.split_once(&format!(":{port}")).unwrap().1.to_string();
    let mut rows: Vec<Exchange> = ["localhost", "127.0.0.1"]
        .map(|host| fetched(&format!("http://{host}:{port}{path}")))
        .into();
    // Non-loopback hosts are refused before any connection is made.
    rows.extend(
        [
            "http://example.com/a.png",
            "http://10.1.2.3/a.png",
            "http://0.0.0.0/a.png",
            "http://localhost.example.com/a.png",
        ]
        .map(|remote| refused(remote, "loopback")),
    );
    // Other schemes.
    rows.extend(
        [
            ("https://127.0.0.1/a.png", "https"),
            ("ftp://127.0.0.1/a.png", "scheme"),
            ("file:///etc/passwd", "scheme"),
            ("not a url", "not a valid URL"),
        ]
        .map(|(url, needle)| refused(url, needle)),
    );
    // 404 from the URL.
    rows.push(refused(&s.url("/uploads/none/x.png"), "HTTP 404"));
    // Connection refused.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    rows.push(refused(
        &format!("http://{closed}/a.png"),
        "could not connect",
    ));

    // Redirects: followed on loopback, refused towards another host (never contacted).
    let redirector = start_app(
        axum::Router::new()
            .route(
                "/away",
                axum::routing::get(|| async {
                    axum::response::Redirect::temporary("http://example.com/x.png")
                }),
            )
            .route(
                "/slow",
                axum::routing::get(|| async {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    "late"
                }),
            ),
    )
    .await;
    let target = url.clone();
    let redirector2 = start_app(axum::Router::new().route(
        "/home",
        axum::routing::get(move || {
            let t = target.clone();
            async move { axum::response::Redirect::temporary(&t) }
        }),
    ))
    .await;
    rows.push(fetched(&format!("{redirector2}/home")));
    rows.push(refused(&format!("{redirector}/away"), "non-loopback"));
    run(&s, rows).await;

    // Bounded download time.
    let started = Instant::now();
    run(
        &s,
        [refused(&format!("{redirector}/slow"), "within 0.5 seconds")],
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(5));

    // Nothing is fetched while other fields are wrong: only the field errors come back.
    run(
        &s,
        [post(
            MEMBER,
            FILES,
            json!({ "CommunityThreadId": 424242, "Name": "x",
                    "NewFileDataUrl": "http://example.com/a" }),
        )
        .expect(
            "an unknown thread and a remote URL",
            StatusCode::BAD_REQUEST,
        )
        .only_error("CommunityThread", "was not found")],
    )
    .await;
}
