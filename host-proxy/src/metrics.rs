//! `GET /metrics` in the Prometheus text format, one registry per proxy:
//!
//! | metric | what |
//! | --- | --- |
//! | `nexudus_host_proxy_requests_total{route, method, status}` | answered requests, by route template |
//! | `nexudus_host_proxy_upstream_seconds{method}` | time of each call to Nexudus, from its slot to its whole answer |
//! | `nexudus_host_proxy_upstream_queue_depth` | calls of this instance waiting for an upstream slot |
//! | `nexudus_host_proxy_refusals_total{reason}` | requests refused by the proxy itself, by reason |
//! | `nexudus_host_proxy_idempotency_replays_total` | answers replayed under an `Idempotency-Key` |
//!
//! Refusals are counted from a [`Refusal`] mark that the envelope puts on each refusal it
//! makes, so the reason is named where the refusal is decided. The numbers hold no member or
//! secret; still, expose `/metrics` to the monitoring network only (the load balancer need not
//! route it).

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

use crate::AppState;

/// Why the proxy refused a request, put on the response by the envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal(pub &'static str);

/// The proxy's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    upstream: HistogramVec,
    queue_depth: IntGauge,
    refusals: IntCounterVec,
    replays: IntCounter,
}

const PREFIX: &str = "nexudus_host_proxy";

impl Metrics {
    /// A registry with every metric at zero.
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new_custom(Some(PREFIX.to_string()), None)?;
        let requests = IntCounterVec::new(
            Opts::new(
                "requests_total",
                "Answered requests by route, method and status.",
            ),
            &["route", "method", "status"],
        )?;
        let upstream = HistogramVec::new(
            HistogramOpts::new(
                "upstream_seconds",
                "Time of each call to Nexudus, from its slot to its whole answer.",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
            ]),
            &["method"],
        )?;
        let queue_depth = IntGauge::new(
            "upstream_queue_depth",
            "Calls of this instance waiting for an upstream slot.",
        )?;
        let refusals = IntCounterVec::new(
            Opts::new(
                "refusals_total",
                "Requests refused by the proxy itself, by reason.",
            ),
            &["reason"],
        )?;
        let replays = IntCounter::new(
            "idempotency_replays_total",
            "Answers replayed under an Idempotency-Key.",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(upstream.clone()))?;
        registry.register(Box::new(queue_depth.clone()))?;
        registry.register(Box::new(refusals.clone()))?;
        registry.register(Box::new(replays.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            upstream,
            queue_depth,
            refusals,
            replays,
        })
    }

    /// Records one upstream call's time.
    pub fn upstream_call(&self, method: &str, seconds: f64) {
        self.upstream.with_label_values(&[method]).observe(seconds);
    }

    fn answered(&self, route: &str, method: &str, res: &Response) {
        let status = res.status().as_u16().to_string();
        self.requests
            .with_label_values(&[route, method, &status])
            .inc();
        if let Some(Refusal(reason)) = res.extensions().get::<Refusal>() {
            self.refusals.with_label_values(&[reason]).inc();
        }
        if res
            .headers()
            .contains_key(crate::idempotency::recorded::REPLAYED)
        {
            self.replays.inc();
        }
    }

    fn render(&self, queued: usize) -> Result<Vec<u8>, prometheus::Error> {
        self.queue_depth
            .set(i64::try_from(queued).unwrap_or(i64::MAX));
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(out)
    }
}

/// Middleware: counts every answered request under its route template (`(none)` for paths
/// no route matched, so a scan cannot make a label per path).
pub(crate) async fn count(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(none)".to_string(), |p| p.as_str().to_string());
    let method = req.method().as_str().to_string();
    let res = next.run(req).await;
    st.metrics.answered(&route, &method, &res);
    res
}

/// `GET /metrics`.
pub(crate) async fn serve(State(st): State<Arc<AppState>>) -> Response {
    match st.metrics.render(st.upstream.queued()) {
        Ok(text) => (
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "metrics could not be encoded");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
