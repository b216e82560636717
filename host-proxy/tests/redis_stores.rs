//! Each shared store against a real Redis, directly: many claims at once get one winner, leases
//! run out, tickets are taken once, counts hold under concurrency.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::redis_server::RedisServer;
use common::*;
use nexudus_host_proxy::idempotency::key::fingerprint;
use nexudus_host_proxy::idempotency::store::{Begin, KeyStore};
use nexudus_host_proxy::limit::WriteLimits;
use nexudus_host_proxy::quota::{Refused, StorageQuota};
use nexudus_host_proxy::shared::{keys::RedisKeys, limit::RedisLimit, quota::RedisQuota, Redis};
use nexudus_host_proxy::Member;
use reqwest::Method;
use serde_json::json;

const MEMBER: Member = Member {
    user_id: 10,
    business_id: 1,
};

#[tokio::test]
async fn of_many_claims_of_one_key_exactly_one_wins_and_a_dead_lease_is_unsettled() {
    let server = RedisServer::start();
    let redis = Redis::connect(&server.url()).unwrap();
    let keys = Arc::new(RedisKeys::new(
        redis,
        Duration::from_secs(60),
        100,
        Duration::from_millis(300),
    ));
    let claims = (0..32).map(|_| {
        let keys = keys.clone();
        tokio::spawn(async move { keys.begin(MEMBER, "k", [7; 32]).await })
    });
    let results = futures_util::future::join_all(claims).await;
    let started = results
        .iter()
        .filter(|r| matches!(r.as_ref().unwrap(), Ok(Begin::Started)))
        .count();
    let in_flight = results
        .iter()
        .filter(|r| matches!(r.as_ref().unwrap(), Ok(Begin::InFlight)))
        .count();
    assert_eq!((started, in_flight), (1, 31));
    assert!(matches!(
        keys.begin(MEMBER, "k", [8; 32]).await,
        Ok(Begin::OtherPayload)
    ));
    // Renewed, the lease holds; left alone, it runs out and the next claim is unsettled.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        keys.renew(MEMBER, "k").await;
        assert!(matches!(
            keys.begin(MEMBER, "k", [7; 32]).await,
            Ok(Begin::InFlight)
        ));
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(matches!(
        keys.begin(MEMBER, "k", [7; 32]).await,
        Ok(Begin::Unsettled)
    ));
    assert!(matches!(
        keys.begin(MEMBER, "k", [7; 32]).await,
        Ok(Begin::InFlight)
    ));
}

#[tokio::test]
async fn the_limit_and_the_quota_hold_under_concurrency() {
    let server = RedisServer::start();
    let redis = Redis::connect(&server.url()).unwrap();
    let limit = Arc::new(RedisLimit::new(redis.clone(), 5));
    let admits = (0..40).map(|_| {
        let limit = limit.clone();
        tokio::spawn(async move { limit.admit(10).await })
    });
    let admitted = futures_util::future::join_all(admits)
        .await
        .into_iter()
        .filter(|r| matches!(r, Ok(Ok(Ok(())))))
        .count();
    assert_eq!(admitted, 5);
    match limit.admit(10).await {
        Ok(Err(wait)) => assert!((1..=60).contains(&wait), "{wait}"),
        other => panic!("{other:?}"),
    }

    // 1,000 bytes a day, 10 reservations of 300 at once: 3 pass. The store's total (2,000)
    // is shared with another member.
    let quota = Arc::new(RedisQuota::new(redis, 1000, 2000));
    let hold = Duration::from_secs(60);
    let reserves = (0..10).map(|_| {
        let quota = quota.clone();
        tokio::spawn(async move { quota.reserve(10, 300, hold).await })
    });
    let results = futures_util::future::join_all(reserves).await;
    let kept: Vec<_> = results
        .into_iter()
        .filter_map(|r| r.unwrap().ok())
        .collect();
    assert_eq!(kept.len(), 3);
    match quota.reserve(10, 300, hold).await {
        Err(Refused::OverQuota(over)) => assert!(over.wait.is_some()),
        other => panic!("{other:?}"),
    }
    quota.release(kept[0]).await;
    assert!(quota.reserve(10, 300, hold).await.is_ok(), "given back");
    assert!(quota.reserve(11, 900, hold).await.is_ok());
    assert_eq!(
        quota.reserve(12, 900, hold).await.unwrap_err(),
        Refused::StoreFull,
        "900 + 900 + 300 past the store's 2,000"
    );
}

#[tokio::test]
async fn an_upload_request_whose_instance_died_is_simply_made_again() {
    let server = RedisServer::start();
    let sandbox = start_sandbox(sandbox_config()).await;
    let mut config = proxy_config(&sandbox);
    config.redis_url = Some(nexudus_host_proxy::Secret::new(server.url()));
    let proxy = start_proxy(config).await;
    // A claim left by an instance that died while issuing an upload URL.
    let body = json!({"fileName": "a.txt", "contentType": "text/plain", "size": 3}).to_string();
    let keys = RedisKeys::new(
        Redis::connect(&server.url()).unwrap(),
        Duration::from_secs(60),
        100,
        Duration::from_millis(100),
    );
    let fp = fingerprint(&Method::POST, "/uploads", body.as_bytes());
    assert!(matches!(
        keys.begin(MEMBER, "dead", fp).await,
        Ok(Begin::Started)
    ));
    tokio::time::sleep(Duration::from_millis(150)).await;
    let res = proxy
        .request(Method::POST, Some(&session(10, 1)), "/uploads")
        .header("Idempotency-Key", "dead")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "{}", res.text().await.unwrap());
}
