//! The thank-you after a creator's very first video, sent once it has had time to gather views:
//! high and medium performers are offered a new product to film, general performers are thanked
//! and reminded that their link keeps earning.

use anyhow::Result;
use chrono::Duration;
use serde_json::json;
use sqlx::PgConnection;

use super::{Run, Scheduled, enqueue};
use crate::db::sequences::{self as seq_db, milestones::first_posts};
use crate::domain::messages::{Message, format_count};
use crate::domain::sequences::{catch_up, first_post_message};
use crate::templates::Vars;

pub(super) async fn run(conn: &mut PgConnection, run: &Run<'_>, out: &mut Scheduled) -> Result<()> {
    let cfg = &run.config.sequences;
    let wait = Duration::hours(i64::from(cfg.first_post_thanks_after_hours));
    let posted_to = run.now - wait;
    let due = first_posts(
        conn,
        run.program.id,
        run.program.timezone.name(),
        posted_to - catch_up(cfg),
        posted_to,
    )
    .await?;
    if due.is_empty() {
        return Ok(());
    }
    let newest = seq_db::newest_products(&mut *conn, run.program.id, run.today, 2).await?;
    let mut dms = Vec::with_capacity(due.len());
    for d in &due {
        let message = first_post_message(d.views, cfg);
        let mut vars = Vars::new()
            .set("first_name", d.first_name.as_str())
            .set("views", format_count(d.views))
            .set("product", d.product.clone());
        if message != Message::FirstPostGeneral {
            // Something new to film: the newest product that is not the one they just posted.
            let offer = newest
                .iter()
                .find(|(id, _)| d.product_id.as_deref() != Some(id.as_str()))
                .map(|(_, name)| name.clone());
            vars = vars.set("new_product", offer);
        }
        dms.push(run.dm(
            d.creator_id,
            &d.dedupe_key,
            message,
            &vars,
            d.posted_at + wait,
            run.tz(&d.tz),
            json!({"sequence": "first_post", "video_id": d.video_id, "views": d.views}),
        )?);
    }
    out.first_posts += enqueue(conn, &dms).await?;
    Ok(())
}
