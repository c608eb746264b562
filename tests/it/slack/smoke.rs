//! The harness itself: the adapter answers a staff member's `/help` in both modes.

use creator_bot::config::slack::SlackMode;
use sqlx::PgPool;

use super::{LENA, PATIENCE, SECRET, config, start_with, tokens, workspace};
use crate::slack_fake::{FakeSlack, SlashCommand};

fn now() -> chrono::DateTime<chrono::Utc> {
    "2026-12-01T17:00:00Z".parse().unwrap()
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn help_is_answered_privately_in_both_modes(pool: PgPool) {
    for mode in [SlackMode::Socket, SlackMode::Http] {
        let fake = FakeSlack::start(workspace()).await;
        let mut config = config(&fake, mode);
        config.slack.staff_user_ids = vec![LENA.to_string()];
        let bot = start_with(&pool, &fake, now(), config, tokens(mode)).await;
        let response = match mode {
            SlackMode::Socket => {
                let run = fake.slash_command(LENA, "/help", "");
                let ack = run.ack(PATIENCE).await.expect("acked");
                assert_eq!(ack.frame["envelope_id"], run.envelope_id.as_str());
                run.response(PATIENCE).await.expect("answered")
            }
            SlackMode::Http => {
                let payload = fake.http_slash_command(&SlashCommand::new(LENA, "/help", ""));
                let (status, body) = payload.sign(SECRET).post(&bot.url("/slack/commands")).await;
                assert_eq!((status, body.as_str()), (200, ""), "an empty ack");
                payload.response(PATIENCE).await.expect("answered")
            }
        };
        assert_eq!(response.body["response_type"], "ephemeral", "{mode:?}");
        assert_eq!(
            response.body["blocks"][0]["text"]["text"], "Commands you can use",
            "{mode:?}: {}",
            response.body
        );
        drop(bot);
    }
}
