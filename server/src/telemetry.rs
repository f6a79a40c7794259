//! Logs (tracing, one span per request with its request id) and Prometheus metrics.

use actix_web_prom::{PrometheusMetrics, PrometheusMetricsBuilder};
use tracing_subscriber::EnvFilter;

use crate::auth::password::Hasher;

/// Logs to stderr; `RUST_LOG` overrides the default level. Safe to call twice.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// Request counts, latencies and statuses by route pattern, and the password hasher's
/// counters, served at `/metrics`.
pub fn metrics(hasher: std::sync::Arc<Hasher>) -> anyhow::Result<PrometheusMetrics> {
    let metrics = PrometheusMetricsBuilder::new("flowwalk")
        .endpoint("/metrics")
        .mask_unmatched_patterns("UNKNOWN")
        .build()
        .map_err(|e| anyhow::anyhow!("setting up metrics: {e}"))?;
    for counter in [&hasher.hashed, &hasher.busy] {
        metrics
            .registry
            .register(Box::new(counter.clone()))
            .map_err(|e| anyhow::anyhow!("registering a metric: {e}"))?;
    }
    Ok(metrics)
}
