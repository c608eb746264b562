//! The Events API (`slack.mode = "http"`): Slack's signed requests on the service's own HTTP
//! server. A correctly signed command or event works as over Socket Mode; anything not signed
//! with the secret, or signed too long ago or ahead, is refused with 401 before any of it runs.

use creator_bot::chat::slack::http::MAX_BODY;
use creator_bot::config::slack::SlackMode;
use sqlx::PgPool;

use super::commands::{Glow, assert_kpi_30d, outbox_inserts, wait_outbox_inserts, welcome};
use super::{LENA, PATIENCE, SECRET};
use crate::slack_fake::{
    FakeUser, HttpPayload, SIGNATURE_HEADER, SignedRequest, SlashCommand, TIMESTAMP_HEADER,
};

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The November program in `http` mode; Lena is staff as a member of #staff.
async fn glow(pool: &PgPool) -> Glow {
    Glow::start_in(pool, SlackMode::Http, |_| {}).await
}

fn without(request: SignedRequest, header: &str) -> SignedRequest {
    let mut request = request;
    request
        .headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case(header));
    request
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_signed_kpi_from_staff_is_acked_empty_then_answered(pool: PgPool) {
    let glow = glow(&pool).await;
    let payload = glow
        .fake
        .http_slash_command(&SlashCommand::new(LENA, "/kpi", "30d"));
    let (status, body) = payload
        .sign(SECRET)
        .post(&glow.bot.url("/slack/commands"))
        .await;
    assert_eq!((status, body.as_str()), (200, ""), "an empty ack");
    let response = payload.response(PATIENCE).await.expect("answered");
    assert_eq!(response.body["response_type"], "ephemeral");
    assert_kpi_30d(&response.body);
    assert_eq!(payload.responses().len(), 1);
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn unsigned_stale_or_oversized_requests_are_refused_and_nothing_runs(pool: PgPool) {
    let glow = glow(&pool).await;
    let commands = glow.bot.url("/slack/commands");
    let events = glow.bot.url("/slack/events");
    let kpi = || {
        glow.fake
            .http_slash_command(&SlashCommand::new(LENA, "/kpi", "30d"))
    };
    let requests_before = glow.fake.requests().len();
    let outbox_before = outbox_inserts(&pool).await;

    let mut refused: Vec<(&str, HttpPayload, SignedRequest)> = Vec::new();
    let p = kpi();
    let tampered = p.sign(SECRET);
    let tampered_body = tampered.body.replace("30d", "90d");
    refused.push(("a tampered body", p, tampered.with_body(&tampered_body)));
    let p = kpi();
    let signed = p.sign("another-secret");
    refused.push(("a wrong secret", p, signed));
    let p = kpi();
    let signed = without(p.sign(SECRET), SIGNATURE_HEADER);
    refused.push(("no signature", p, signed));
    let p = kpi();
    let signed = without(p.sign(SECRET), TIMESTAMP_HEADER);
    refused.push(("no timestamp", p, signed));
    let p = kpi();
    let signed = p.sign_at(SECRET, unix_now() - 6 * 60);
    refused.push(("6 minutes old", p, signed));
    let p = kpi();
    let signed = p.sign_at(SECRET, unix_now() + 6 * 60);
    refused.push(("6 minutes ahead", p, signed));
    for (why, payload, request) in &refused {
        let (status, body) = request.post(&commands).await;
        assert_eq!((status, body.as_str()), (401, ""), "{why}");
        assert!(payload.responses().is_empty(), "{why}");
    }

    // The same on the Events URL: a join with a wrong signature welcomes nobody.
    let join = glow.fake.http_event(serde_json::json!({"type": "team_join",
            "user": FakeUser::new("U0NINA", "nina").to_json(crate::slack_fake::TEAM_ID)}));
    let (status, _) = join.sign("another-secret").post(&events).await;
    assert_eq!(status, 401);

    // A body over the limit is refused unread, signed or not.
    let huge = kpi();
    let padding = "x".repeat(MAX_BODY);
    let body = format!("{}&pad={padding}", huge.body);
    let signed = crate::slack_fake::signed_request(SECRET, unix_now(), &body)
        .set_header("Content-Type", huge.content_type);
    let (status, _) = signed.post(&commands).await;
    assert_eq!(status, 413);

    // Then a signed /help, answered: the refused ones ran nothing before it or since.
    let help = glow
        .fake
        .http_slash_command(&SlashCommand::new(LENA, "/help", ""));
    let (status, _) = help.sign(SECRET).post(&commands).await;
    assert_eq!(status, 200);
    help.response(PATIENCE).await.expect("answered");
    for (why, payload, _) in &refused {
        assert!(payload.responses().is_empty(), "{why}");
    }
    assert!(huge.responses().is_empty());
    let since: Vec<String> = glow.fake.requests()[requests_before..]
        .iter()
        .map(|c| c.method.clone())
        .collect();
    let help_path = help
        .response_url
        .as_deref()
        .unwrap()
        .strip_prefix(&glow.fake.base_url())
        .unwrap()
        .to_string();
    // Lena's /help looked up #staff's members once, then answered.
    assert_eq!(
        since,
        ["conversations.members".to_string(), help_path],
        "no Web API call for the refused requests"
    );
    assert_eq!(
        outbox_inserts(&pool).await,
        outbox_before,
        "nobody welcomed"
    );
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn url_verification_echoes_the_challenge(pool: PgPool) {
    let glow = glow(&pool).await;
    let challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P";
    let payload = glow.fake.http_url_verification(challenge);
    let request = payload.sign(SECRET);
    let mut post = reqwest::Client::new()
        .post(glow.bot.url("/slack/events"))
        .body(request.body.clone());
    for (name, value) in &request.headers {
        post = post.header(name.as_str(), value.as_str());
    }
    let response = post.send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "Slack accepts the challenge as JSON"
    );
    assert_eq!(
        response.text().await.unwrap(),
        format!("{{\"challenge\":\"{challenge}\"}}")
    );
    // Unsigned, it is refused like anything else.
    let (status, body) = payload
        .sign("another-secret")
        .post(&glow.bot.url("/slack/events"))
        .await;
    assert_eq!((status, body.as_str()), (401, ""));
}

#[sqlx::test(migrator = "creator_bot::db::MIGRATOR")]
async fn a_signed_team_join_welcomes_the_new_member_once(pool: PgPool) {
    let glow = glow(&pool).await;
    let events = glow.bot.url("/slack/events");
    // Shown by her display name, "nina".
    let nina = FakeUser::new("U0NINA", "nina").real_name("Nina Ray");
    let join = || {
        glow.fake.http_event(serde_json::json!({"type": "team_join",
            "user": nina.to_json(crate::slack_fake::TEAM_ID)}))
    };
    // Slack adds the member to the workspace, then tells the bot.
    glow.fake.update_workspace(|w| w.users.push(nina.clone()));
    let before = outbox_inserts(&pool).await;
    let (status, body) = join().sign(SECRET).post(&events).await;
    assert_eq!((status, body.as_str()), (200, ""));
    wait_outbox_inserts(&pool, before + 1).await;
    glow.bot.dispatch().await;
    let dms = glow.fake.dms_to("U0NINA");
    assert_eq!(dms.len(), 1);
    assert_eq!(dms[0].text.as_deref(), Some(welcome("nina").as_str()));

    // Delivered again (Slack retries), it is not a second welcome.
    let (status, _) = join().sign(SECRET).post(&events).await;
    assert_eq!(status, 200);
    wait_outbox_inserts(&pool, before + 2).await;
    glow.bot.dispatch().await;
    assert_eq!(glow.fake.dms_to("U0NINA").len(), 1);
}
