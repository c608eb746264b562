//! Posts with charts in the fake workspace: each chart uploaded first (Slack's external upload:
//! `files.getUploadURLExternal`, the bytes, `files.completeUploadExternal`, shared nowhere) and
//! shown by an image block referencing the file under the post's text.

use creator_bot::config::slack::SlackMode;
use serde_json::json;
use sqlx::PgPool;

use super::life::{channel_id, set_up};
use super::{start, workspace};
use crate::chart_posts::{may_charts, post_with_charts};
use crate::common::lifecycle::utc;
use crate::slack_fake::FakeSlack;

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_post_shows_its_charts_as_image_blocks(pool: PgPool) {
    let fake = FakeSlack::start(workspace()).await;
    let bot = start(&pool, &fake, utc("2026-06-02T15:00:00Z"), SlackMode::Socket).await;
    set_up(&fake, &bot).await;
    post_with_charts(&pool, &bot.program, "report:may", may_charts()).await;
    bot.dispatch().await;

    let uploads = fake.uploads();
    let names: Vec<&str> = uploads.iter().map(|u| u.filename.as_str()).collect();
    assert_eq!(names, vec!["gmv.png", "pareto.png"]);
    for upload in &uploads {
        assert!(upload.completed);
        assert!(
            upload.shared_to.is_empty(),
            "shared only by the post's blocks"
        );
        let bytes = upload.bytes.as_deref().unwrap();
        assert_eq!(bytes.len(), upload.declared_length);
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    }
    let posted = fake.messages_in(&channel_id(&fake, "staff"));
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].text.as_deref(), Some("The month in charts"));
    let blocks = posted[0].blocks.clone().unwrap();
    let blocks = blocks.as_array().unwrap();
    assert_eq!(blocks.len(), 3);
    assert_eq!(
        blocks[0],
        json!({"type": "section", "text": {"type": "mrkdwn", "text": "The month in charts"}})
    );
    for (block, upload) in blocks[1..].iter().zip(&uploads) {
        assert_eq!(block["type"], "image");
        assert_eq!(block["slack_file"], json!({"id": upload.id}));
        assert_eq!(block["alt_text"].as_str(), upload.title.as_deref());
    }
}
