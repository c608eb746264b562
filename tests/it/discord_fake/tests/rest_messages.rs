//! Messages through serenity's Http: nonce de-duplication, DM channels, uploads served back.

use serde_json::json;
use serenity::all::{ChannelId, CreateAttachment, CreateEmbed, CreateMessage, Nonce, UserId};

use super::harness::{CREATOR, GUILD, guild, http};
use crate::discord_fake::{FakeDiscord, RecordedBody};

fn with_nonce(content: &str, nonce: &str) -> CreateMessage {
    CreateMessage::new()
        .content(content)
        .nonce(Nonce::String(nonce.into()))
        .enforce_nonce(true)
}

#[tokio::test]
async fn the_same_enforced_nonce_returns_the_earlier_message() {
    let fake = FakeDiscord::start(guild()).await;
    let http = http(&fake);
    let general = ChannelId::new(fake.guild(GUILD).unwrap().general_channel_id());

    let first = general
        .send_message(&http, with_nonce("Welcome!", "seq:1:welcome"))
        .await
        .expect("sent");
    let retry = general
        .send_message(&http, with_nonce("Welcome!", "seq:1:welcome"))
        .await
        .expect("sent");
    let other = general
        .send_message(&http, with_nonce("Nudge", "seq:1:nudge"))
        .await
        .expect("sent");

    assert_eq!(retry.id, first.id);
    assert_ne!(other.id, first.id);
    assert_eq!(fake.messages_in(general.get()).len(), 2);
    let posts = fake.requests_to("POST", "/channels/*/messages");
    assert_eq!(posts.len(), 3);
    assert_eq!(posts[1].json().unwrap()["nonce"], "seq:1:welcome");
    assert_eq!(posts[1].json().unwrap()["enforce_nonce"], true);

    fake.forget_nonces();
    let later = general
        .send_message(&http, with_nonce("Welcome!", "seq:1:welcome"))
        .await
        .expect("sent");
    assert_ne!(
        later.id, first.id,
        "after Discord's window the nonce no longer de-duplicates"
    );
}

#[tokio::test]
async fn a_dm_channel_is_opened_once_per_user_and_messages_land_in_it() {
    let fake = FakeDiscord::start(guild()).await;
    let http = http(&fake);

    let channel = UserId::new(CREATOR)
        .create_dm_channel(&http)
        .await
        .expect("opened");
    let again = UserId::new(CREATOR)
        .create_dm_channel(&http)
        .await
        .expect("opened");
    assert_eq!(channel.id, again.id);
    assert_eq!(channel.recipient.name, "maya");
    channel
        .id
        .send_message(&http, CreateMessage::new().content("Your sample shipped"))
        .await
        .expect("sent");

    let dms = fake.dms_to(CREATOR);
    assert_eq!(dms.len(), 1);
    assert_eq!(dms[0]["content"], "Your sample shipped");
    let open = fake.requests_to("POST", "/users/@me/channels");
    assert_eq!(open[0].json().unwrap()["recipient_id"], CREATOR.to_string());
}

#[tokio::test]
async fn an_uploaded_file_is_recorded_and_served_back_at_its_attachment_url() {
    let fake = FakeDiscord::start(guild()).await;
    let http = http(&fake);
    let general = ChannelId::new(fake.guild(GUILD).unwrap().general_channel_id());
    let png = vec![0x89, b'P', b'N', b'G', 1, 2, 3];

    let message = CreateMessage::new()
        .embed(
            CreateEmbed::new()
                .title("Leaderboard")
                .image("attachment://chart.png"),
        )
        .add_file(CreateAttachment::bytes(png.clone(), "chart.png"));
    let sent = general.send_message(&http, message).await.expect("sent");

    let post = fake
        .wait_for_request("POST", "/channels/*/messages", super::harness::PATIENCE)
        .await
        .unwrap();
    let RecordedBody::Multipart {
        files,
        payload_json,
        ..
    } = &post.body
    else {
        panic!("not multipart: {post:?}")
    };
    assert_eq!(
        (files[0].field.as_str(), files[0].filename.as_str()),
        ("files[0]", "chart.png")
    );
    assert_eq!(files[0].bytes, png);
    assert_eq!(
        payload_json.as_ref().unwrap()["embeds"][0]["image"]["url"],
        "attachment://chart.png"
    );
    assert_eq!(sent.attachments[0].filename, "chart.png");
    assert_eq!(
        sent.embeds[0].image.as_ref().unwrap().url,
        sent.attachments[0].url
    );
    assert_eq!(
        sent.attachments[0].download().await.expect("downloaded"),
        png
    );
}

#[tokio::test]
async fn discord_limits_on_messages_are_enforced() {
    let fake = FakeDiscord::start(guild()).await;
    let http = http(&fake);
    let general = ChannelId::new(fake.guild(GUILD).unwrap().general_channel_id());
    // serenity's builders check some limits themselves; raw bodies reach the fake's checks.
    let send = |body: serde_json::Value| {
        let http = &http;
        async move {
            http.send_message(general, Vec::new(), &body)
                .await
                .unwrap_err()
        }
    };

    let long = send(json!({ "content": "x".repeat(2001) })).await;
    let empty = send(json!({ "content": "" })).await;
    let title = send(json!({ "embeds": [{ "title": "t".repeat(257) }] })).await;
    let nonce =
        send(json!({ "content": "hi", "nonce": "n".repeat(26), "enforce_nonce": true })).await;

    assert_eq!(discord_code(&long), Some(50035));
    assert_eq!(discord_code(&empty), Some(50006));
    assert_eq!(discord_code(&title), Some(50035));
    let serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(response)) = &title
    else {
        panic!()
    };
    assert_eq!(response.error.errors[0].path, "embeds.0.title");
    assert_eq!(discord_code(&nonce), Some(50035));
    assert!(fake.messages_in(general.get()).is_empty());
}

/// The Discord error code serenity read from an error response.
pub fn discord_code(error: &serenity::Error) -> Option<isize> {
    match error {
        serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(response)) => {
            Some(response.error.code)
        }
        _ => None,
    }
}
