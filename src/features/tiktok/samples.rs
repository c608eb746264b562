//! The sample application sync. The API gives each application's status but no dates, so the bot
//! stamps each status the first time it sees it: awaiting shipment → shipped (the sample's
//! shipped day) → content pending (delivered) → completed (the video, read from the
//! application's fulfillments); a cancelled application closes its sample. A status seen first
//! stamps the ones before it too. The sample follow-up nudges then run on these samples.

use std::collections::HashMap;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::orders::Outcome;
use super::session::{self, Session, Start};
use super::{Credentials, SyncKind};
use crate::app::App;
use crate::db;
use crate::db::programs::Program;
use crate::db::tiktok::Progress;
use crate::db::tiktok_samples::{self as store, Application, NewVideo};
use crate::domain::handle::Handle;
use crate::domain::timefmt::local_day;
use crate::tiktok::calls::{self, FulfillmentVideo};

/// How far along an application is; `None` for a status that moves nothing.
fn stage(status: &str) -> Option<u8> {
    Some(match status {
        "PENDING" => 0,
        "AWAITING_SHIPMENT" => 1,
        "SHIPPED" => 2,
        "CONTENT_PENDING" => 3,
        "COMPLETED" | "OPS_COMPLETED" => 4,
        _ => return None,
    })
}

fn cancelled(status: &str) -> bool {
    status.ends_with("_CANCELLED") || status == "DEL_OPEN_COLLAB"
}

/// One application as read.
struct Seen {
    id: String,
    status: String,
    handle: String,
    product_id: String,
    title: Option<String>,
}

fn read(app: &Map<String, Value>) -> Result<Seen, String> {
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let id = text(app.get("id")).ok_or("an application without an id")?;
    let status = text(app.get("status")).ok_or(format!("application {id}: no status"))?;
    let creator = app.get("creator").and_then(Value::as_object);
    let user = text(creator.and_then(|c| c.get("username")))
        .ok_or(format!("application {id}: no creator username"))?;
    let handle =
        Handle::parse(&user).map_err(|e| format!("application {id}: creator username: {e}"))?;
    let product = app.get("product").and_then(Value::as_object);
    let product_id = text(product.and_then(|p| p.get("id")))
        .ok_or(format!("application {id}: no product id"))?;
    Ok(Seen {
        id,
        status: status.to_ascii_uppercase(),
        handle: handle.as_str().to_string(),
        product_id,
        title: text(product.and_then(|p| p.get("title"))),
    })
}

/// Reads every sample application and records what changed since the last time.
pub async fn sync(app: &App, creds: &Credentials, program: &Program) -> Result<Outcome> {
    let (mut session, lock) =
        match session::start(app, creds, program, "creator-bot:tiktok-samples").await? {
            Start::Ready(session, lock) => (session, lock),
            Start::Not(outcome) => return Ok(outcome),
        };
    let result = locked_sync(app, creds, &mut session).await;
    lock.release().await;
    result
}

async fn locked_sync(app: &App, creds: &Credentials, session: &mut Session) -> Result<Outcome> {
    let program = session.program.clone();
    let kind = SyncKind::Samples;
    let run = match db::tiktok::unfinished_run(&app.pool, program.id, kind.as_str()).await? {
        Some(run) => run,
        None => {
            db::tiktok::start_run(&app.pool, program.id, kind.as_str(), None, app.now()).await?
        }
    };
    let mut token = run.page_token.clone();
    let failure = loop {
        let t = token.clone();
        let page =
            match session
                .call(app, creds, |api, caller| {
                    let t = t.clone();
                    async move {
                        calls::sample_applications_page(&api, caller.get(), t.as_deref()).await
                    }
                })
                .await
            {
                Ok(p) => p,
                Err(e) => {
                    break Some(anyhow::Error::new(e).context("reading the sample applications"));
                }
            };
        if let Err(e) = write_page(
            app,
            creds,
            session,
            run.id,
            &page.items,
            page.next_page_token.as_deref(),
        )
        .await
        {
            break Some(e);
        }
        match page.next_page_token {
            Some(next) => token = Some(next),
            None => break None,
        }
    };
    super::orders::finish(app, session, run.id, kind, None, failure).await
}

/// Records one page of applications (and the videos of newly completed ones) in a transaction
/// with the run's progress.
async fn write_page(
    app: &App,
    creds: &Credentials,
    session: &mut Session,
    run_id: i64,
    items: &[Map<String, Value>],
    next: Option<&str>,
) -> Result<()> {
    let program = session.program.clone();
    let now = app.now();
    let mut seen = Vec::new();
    let mut rejected = 0i64;
    for item in items {
        match read(item) {
            Ok(s) => seen.push(s),
            Err(reason) => {
                rejected += 1;
                tracing::warn!(
                    program = program.slug,
                    "TikTok sample application skipped: {reason}"
                );
            }
        }
    }
    let ids: Vec<String> = seen.iter().map(|s| s.id.clone()).collect();
    let known = {
        let mut conn = app.pool.acquire().await?;
        store::applications(&mut conn, program.id, &ids).await?
    };
    // The videos of applications completed since the last look, read before the transaction.
    let mut videos: HashMap<String, Vec<FulfillmentVideo>> = HashMap::new();
    for s in &seen {
        let was_completed = known.get(&s.id).is_some_and(|a| a.completed_at.is_some());
        if stage(&s.status) == Some(4) && !was_completed {
            let id = s.id.clone();
            let found = session
                .call(app, creds, |api, caller| {
                    let id = id.clone();
                    async move { calls::fulfillment_videos(&api, caller.get(), &id).await }
                })
                .await
                .with_context(|| format!("reading the videos of sample application {id}"))?;
            videos.insert(s.id.clone(), found);
        }
    }
    let mut tx = app.pool.begin().await?;
    let handles: Vec<String> = seen.iter().map(|s| s.handle.clone()).collect();
    let today = local_day(now, program.timezone);
    let (creator_ids, new_creators) = store::creators(&mut tx, program.id, &handles, today).await?;
    let titles: Vec<(String, String)> = seen
        .iter()
        .filter_map(|s| Some((s.product_id.clone(), s.title.clone()?)))
        .collect();
    if !titles.is_empty() {
        db::tiktok::save_product_names(&mut tx, program.id, &titles).await?;
    }
    let tz = program.timezone.name();
    let mut changed = 0i64;
    for s in &seen {
        let creator_id = *creator_ids
            .get(&s.handle)
            .context("a creator just created is missing")?;
        let before = known.get(&s.id);
        if before.is_none_or(|b| b.status != s.status) {
            changed += 1;
        }
        let mut a = before.cloned().unwrap_or(Application {
            application_id: s.id.clone(),
            creator_id,
            product_id: s.product_id.clone(),
            status: s.status.clone(),
            first_seen_at: now,
            awaiting_shipment_at: None,
            shipped_at: None,
            content_pending_at: None,
            completed_at: None,
            cancelled_at: None,
            sample_id: None,
        });
        a.status = s.status.clone();
        a.creator_id = creator_id;
        a.product_id = s.product_id.clone();
        let reached = stage(&s.status).unwrap_or(0);
        let stamp = |at: &mut Option<DateTime<Utc>>, from: u8| {
            if reached >= from && at.is_none() {
                *at = Some(now);
            }
        };
        stamp(&mut a.awaiting_shipment_at, 1);
        stamp(&mut a.shipped_at, 2);
        stamp(&mut a.content_pending_at, 3);
        stamp(&mut a.completed_at, 4);
        if cancelled(&s.status) && a.cancelled_at.is_none() {
            a.cancelled_at = Some(now);
        }
        let found = videos.get(&s.id).map(Vec::as_slice).unwrap_or_default();
        // A video posted before the bot first saw the sample shipped means it shipped earlier.
        let first_video = found.iter().filter_map(|v| v.posted_at).min();
        if let (Some(shipped), None) = (a.shipped_at, a.sample_id) {
            let shipped = first_video.map_or(shipped, |v| v.min(shipped));
            let day = local_day(shipped, program.timezone);
            a.sample_id = Some(
                store::open_sample(&mut tx, program.id, creator_id, &s.product_id, day).await?,
            );
        }
        if let (Some(delivered), Some(sample)) = (a.content_pending_at, a.sample_id) {
            let delivered = first_video.map_or(delivered, |v| v.min(delivered));
            store::deliver_sample(&mut tx, sample, local_day(delivered, program.timezone)).await?;
        }
        if let (Some(at), Some(sample)) = (a.cancelled_at, a.sample_id) {
            store::close_sample(&mut tx, sample, at).await?;
        }
        if !found.is_empty() {
            let list: Vec<NewVideo<'_>> = found
                .iter()
                .map(|v| NewVideo {
                    content_id: &v.content_id,
                    posted_at: v.posted_at.unwrap_or(now),
                    views: v.views,
                    likes: v.likes,
                    comments: v.comments,
                })
                .collect();
            store::save_videos(&mut tx, program.id, creator_id, &s.product_id, &list, tz).await?;
        }
        store::save_application(&mut tx, program.id, &a, now).await?;
    }
    let progress = Progress {
        pages: 1,
        rejected,
        new_creators: new_creators as i64,
        samples_changed: changed,
        rejects: serde_json::json!([]),
        ..Default::default()
    };
    db::tiktok::record_progress(&mut tx, run_id, None, next, &progress).await?;
    tx.commit()
        .await
        .context("committing a page of sample applications")?;
    Ok(())
}
