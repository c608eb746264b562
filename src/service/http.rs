//! The service's HTTP endpoints: `/healthz` (the process lives), `/readyz` (the database answers
//! and every configured chat platform is connected), `/metrics` (Prometheus text format) and, when
//! Slack runs in `http` mode, Slack's signed `/slack/…` endpoints; and `/tiktok/callback`, where
//! TikTok Shop returns a seller who authorized the app.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::app::App;
use crate::db;
use crate::metrics;

/// How long `/readyz` and `/metrics` wait for the database before calling it unreachable.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct Endpoints {
    pub app: App,
    /// Set once the process is stopping: it is no longer ready for work.
    pub stopping: Arc<AtomicBool>,
    /// Slack in `http` mode: its endpoints are served here too.
    pub slack: Option<Arc<crate::chat::slack::Slack>>,
}

pub fn router(endpoints: Endpoints) -> Router {
    let slack = endpoints.slack.as_ref().map(|s| s.router());
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/tiktok/callback", get(tiktok_callback))
        .with_state(endpoints);
    match slack {
        Some(slack) => router.merge(slack),
        None => router,
    }
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// 200 with `{"ready": true, "not_ready": [], "missing_channels": []}`, else 503 naming what is
/// not ready: `database`, a platform (`discord`, `slack`, …), or `stopping`. `missing_channels`
/// lists the program channels not mapped on a connected platform (`glow: #staff on slack`):
/// posts to them wait, but the process itself is ready.
async fn readyz(State(e): State<Endpoints>) -> Response {
    let mut not_ready: Vec<&str> = Vec::new();
    if e.stopping.load(Ordering::Relaxed) {
        not_ready.push("stopping");
    }
    let mut missing_channels = Vec::new();
    if db::service::answers(&e.app.pool, DATABASE_TIMEOUT).await {
        let kinds: Vec<&str> = e.app.platforms.kinds().iter().map(|p| p.as_str()).collect();
        match db::channels::missing(&e.app.pool, &kinds).await {
            Ok(missing) => {
                missing_channels = missing
                    .into_iter()
                    .map(|(program, platform, channel)| {
                        format!("{program}: {channel} on {platform}")
                    })
                    .collect();
            }
            Err(e) => tracing::warn!("{e:#}"),
        }
    } else {
        not_ready.push("database");
    }
    let platforms = e.app.platforms.not_ready();
    not_ready.extend(platforms.iter().map(|p| p.as_str()));
    let status = if not_ready.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "ready": not_ready.is_empty(),
        "not_ready": not_ready,
        "missing_channels": missing_channels,
    });
    (status, axum::Json(body)).into_response()
}

/// Where TikTok Shop sends the seller after they authorize the app (the app's redirect URL in
/// Partner Center): checks `state`, exchanges `code` for the shop's tokens, and says how it went.
async fn tiktok_callback(
    State(e): State<Endpoints>,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> Response {
    let page = |status: StatusCode, text: String| {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            text + "\n",
        )
            .into_response()
    };
    let (Some(code), Some(state)) = (q.get("code"), q.get("state")) else {
        return page(
            StatusCode::BAD_REQUEST,
            "This address is where TikTok Shop returns after a seller authorizes the app; it \
             needs the code and state TikTok Shop adds."
                .into(),
        );
    };
    let creds = match e.app.tiktok() {
        Ok(c) => c,
        Err(err) => return page(StatusCode::SERVICE_UNAVAILABLE, format!("{err:#}")),
    };
    match crate::features::tiktok::connect::callback(&e.app, creds, code, state).await {
        Ok(c) => page(
            StatusCode::OK,
            format!(
                "Connected: the shop {} is now synced with the program {}. You can close this page.",
                c.shop.name, c.program
            ),
        ),
        Err(err) => {
            tracing::warn!("TikTok Shop authorization failed: {err:#}");
            let status = if err
                .downcast_ref::<crate::features::tiktok::connect::UnknownState>()
                .is_some()
            {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::BAD_GATEWAY
            };
            page(status, format!("The shop could not be connected: {err:#}"))
        }
    }
}

async fn metrics(State(e): State<Endpoints>) -> Response {
    let gauges = tokio::time::timeout(
        DATABASE_TIMEOUT,
        db::service::outbox_gauges(&e.app.pool, e.app.now()),
    )
    .await;
    let gauges = match gauges {
        Ok(Ok(g)) => Some(g),
        Ok(Err(err)) => {
            tracing::warn!("reading the outbox gauges: {err:#}");
            None
        }
        Err(_) => None,
    };
    (
        [(header::CONTENT_TYPE, metrics::CONTENT_TYPE)],
        metrics::render(gauges.as_ref()),
    )
        .into_response()
}
