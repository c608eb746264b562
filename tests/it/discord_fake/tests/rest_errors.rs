//! Failures as serenity's caller sees them: injected 429s and 5xx, Discord JSON errors, real
//! permission refusals, unknown routes.

use serenity::all::{ChannelId, CreateMessage, GuildId, RoleId, UserId};
use serenity::http::HttpError;

use super::harness::{ADMIN_ROLE, CREATOR, CREATOR_ROLE, GUILD, guild, http};
use super::rest_messages::discord_code;
use crate::discord_fake::{Failure, FakeDiscord};

fn status(error: &serenity::Error) -> Option<u16> {
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(response)) => {
            Some(response.status_code.as_u16())
        }
        _ => None,
    }
}

#[tokio::test]
async fn an_injected_429_comes_back_as_an_error_and_the_next_request_succeeds() {
    let fake = FakeDiscord::start(guild()).await;
    let http = http(&fake);
    let general = ChannelId::new(fake.guild(GUILD).unwrap().general_channel_id());
    fake.fail_next(
        "POST",
        "/channels/{channel}/messages",
        1,
        Failure::rate_limited(2.5),
    );

    let error = general
        .send_message(&http, CreateMessage::new().content("hi"))
        .await
        .unwrap_err();
    let retried = general
        .send_message(&http, CreateMessage::new().content("hi"))
        .await;

    assert_eq!(status(&error), Some(429));
    // Discord's 429 body has no `code`, so serenity cannot decode it: code -1, body lost.
    assert_eq!(discord_code(&error), Some(-1));
    let answered = &fake.requests_to("POST", "/channels/*/messages")[0];
    assert_eq!(answered.status, 429);
    assert_eq!(answered.response.as_ref().unwrap()["retry_after"], 2.5);
    assert_eq!(answered.response.as_ref().unwrap()["global"], false);
    assert!(retried.is_ok());
    assert_eq!(fake.messages_in(general.get()).len(), 1);
}

#[tokio::test]
async fn discord_json_errors_reach_the_caller_with_their_code() {
    let fake = FakeDiscord::start(guild()).await;
    let http = http(&fake);

    fake.set_dms_open(CREATOR, false);
    let dm = UserId::new(CREATOR)
        .create_dm_channel(&http)
        .await
        .expect("opening a DM works even when closed");
    let closed = dm
        .id
        .send_message(&http, CreateMessage::new().content("hi"))
        .await
        .unwrap_err();
    assert_eq!(
        (status(&closed), discord_code(&closed)),
        (Some(403), Some(50007))
    );

    let above = http
        .add_member_role(
            GuildId::new(GUILD),
            UserId::new(CREATOR),
            RoleId::new(ADMIN_ROLE),
            None,
        )
        .await;
    let above = above.unwrap_err();
    assert_eq!(
        (status(&above), discord_code(&above)),
        (Some(403), Some(50013))
    );
    assert_eq!(fake.member_roles(GUILD, CREATOR), [CREATOR_ROLE]);

    fake.fail_next("GET", "/guilds/*/members/*", 1, Failure::unknown_member());
    let gone = GuildId::new(GUILD)
        .member(&http, UserId::new(CREATOR))
        .await
        .unwrap_err();
    assert_eq!(
        (status(&gone), discord_code(&gone)),
        (Some(404), Some(10007))
    );
    let stranger = GuildId::new(GUILD)
        .member(&http, UserId::new(42))
        .await
        .unwrap_err();
    assert_eq!(discord_code(&stranger), Some(10007));

    fake.fail_next("*", "/users/@me/channels", 2, Failure::unknown_user());
    let unknown = UserId::new(43).create_dm_channel(&http).await.unwrap_err();
    assert_eq!(
        (status(&unknown), discord_code(&unknown)),
        (Some(404), Some(10013))
    );
    fake.fail_next("POST", "/users/@me/channels", 1, Failure::server_error(502));
    fake.clear_failures();
    assert!(
        UserId::new(43).create_dm_channel(&http).await.is_ok(),
        "cleared failures no longer apply"
    );
}

#[tokio::test]
async fn a_server_error_is_an_error_with_its_status() {
    let fake = FakeDiscord::start(guild()).await;
    let http = http(&fake);
    fake.fail_next("GET", "/guilds/*", 1, Failure::server_error(503));

    let error = GuildId::new(GUILD)
        .to_partial_guild(&http)
        .await
        .unwrap_err();

    assert_eq!((status(&error), discord_code(&error)), (Some(503), Some(0)));
}

#[tokio::test]
async fn an_unknown_route_answers_404_and_is_recorded() {
    let fake = FakeDiscord::start(guild()).await;
    let http = http(&fake);

    let error = GuildId::new(GUILD).webhooks(&http).await.unwrap_err();

    assert_eq!((status(&error), discord_code(&error)), (Some(404), Some(0)));
    let unknown = fake.unknown_requests();
    assert_eq!(unknown.len(), 1);
    assert_eq!(
        (unknown[0].method.as_str(), unknown[0].path.as_str()),
        ("GET", "/guilds/1000/webhooks")
    );
}
