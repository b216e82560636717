//! Content types are parsed strictly (`type/subtype`, nothing else) before `--allowed-type`
//! is matched; SVG is refused even under `image/*` unless listed exactly; every served file
//! is an attachment with `nosniff` and the sandbox CSP.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn smuggled_and_active_types_are_refused_under_a_wildcard() {
    let (_sandbox, proxy) =
        stack_with(|c| c.allowed_types = vec!["image/*".into(), "text/*".into()]).await;
    let member = session(10, 1);
    for declared in [
        "image/png, text/html",
        "image/png,text/html",
        "image/png; charset=utf-8",
        "image/png;x=text/html",
        "image/svg+xml",
        "IMAGE/SVG+XML",
        "text/html",
        " image/png",
    ] {
        let (status, answer) = proxy
            .post(
                &member,
                "/uploads",
                &json!({"fileName": "a", "contentType": declared, "size": 3}),
            )
            .await;
        assert_eq!(status, 400, "{declared}: {answer}");
        assert_eq!(
            answer["Errors"][0]["PropertyName"], "NewFileDataUrl",
            "{answer}"
        );
        assert_eq!(
            answer["Errors"][0]["Message"], "this type of file is not accepted",
            "{answer}"
        );
    }
    // A plain type in any case is accepted and stored as parsed.
    let (status, issued) = proxy
        .post(
            &member,
            "/uploads",
            &json!({"fileName": "a.png", "contentType": "Image/PNG", "size": 3}),
        )
        .await;
    assert_eq!(status, 200, "{issued}");
    assert_eq!(issued["headers"]["Content-Type"], "image/png");
}

#[tokio::test]
async fn svg_listed_exactly_is_accepted_and_served_as_an_attachment() {
    let (_sandbox, proxy) =
        stack_with(|c| c.allowed_types = vec!["image/*".into(), "image/svg+xml".into()]).await;
    let member = session(10, 1);
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec();
    let url = proxy.upload(&member, "x.svg", "image/svg+xml", svg).await;
    let png_url = proxy
        .upload(&member, "plan b.png", "image/png", b"png".to_vec())
        .await;
    for (url, name) in [(url, "x.svg"), (png_url, "plan_b.png")] {
        let res = client().get(&url).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let h = res.headers();
        assert_eq!(
            h["content-disposition"],
            format!("attachment; filename=\"{name}\"").as_str()
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["content-security-policy"], "default-src 'none'; sandbox");
    }
}
