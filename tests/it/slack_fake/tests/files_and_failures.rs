//! Files both ways and injected failures, through slack-morphism's client where it has a call
//! and raw HTTP where the bot would use its own client (downloads).

use std::time::Duration;

use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use super::harness::*;
use crate::slack_fake::{BOT_TOKEN, Failure, TokenKind};

#[tokio::test]
async fn the_external_upload_flow_stores_the_bytes_and_shares_the_file() {
    let fake = start().await;
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);
    let bytes = b"handle,gmv\nmaya,120.50\n".to_vec();
    let url = session
        .get_upload_url_external(&SlackApiFilesGetUploadUrlExternalRequest::new(
            "kpi.csv".into(),
            bytes.len(),
        ))
        .await
        .expect("an upload URL");
    session
        .files_upload_via_url(&SlackApiFilesUploadViaUrlRequest::new(
            url.upload_url.clone(),
            bytes.clone(),
            "text/csv".into(),
        ))
        .await
        .expect("bytes uploaded");
    let completed = session
        .files_complete_upload_external(
            &SlackApiFilesCompleteUploadExternalRequest::new(vec![
                SlackApiFilesComplete::new(url.file_id.clone()).with_title("KPI export".into()),
            ])
            .with_channel_id(channel_id(GENERAL))
            .with_initial_comment("Here it is".into()),
        )
        .await
        .expect("completed");
    assert_eq!(completed.files.len(), 1);
    assert_eq!(completed.files[0].id, url.file_id);
    assert_eq!(completed.files[0].title.as_deref(), Some("KPI export"));

    let uploads = fake.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].filename, "kpi.csv");
    assert_eq!(uploads[0].bytes.as_deref(), Some(bytes.as_slice()));
    assert_eq!(uploads[0].shared_to, vec![GENERAL]);
    let shared = fake.messages_in(GENERAL);
    assert_eq!(shared.len(), 1);
    assert_eq!(shared[0].files, vec![url.file_id.to_string()]);
    assert_eq!(shared[0].text.as_deref(), Some("Here it is"));

    let download = completed.files[0]
        .url_private_download
        .clone()
        .expect("a download URL");
    let fetched = reqwest::Client::new()
        .get(download.as_str())
        .bearer_auth(BOT_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.bytes().await.unwrap().to_vec(), bytes);

    let unknown =
        SlackApiFilesCompleteUploadExternalRequest::new(vec![SlackApiFilesComplete::new(
            SlackFileId::new("F0NEVERSENT".into()),
        )]);
    assert_eq!(
        api_error(session.files_complete_upload_external(&unknown).await),
        "file_not_found"
    );
}

#[tokio::test]
async fn a_users_file_downloads_with_the_bot_token_and_redirects_to_sign_in_without() {
    let fake = start().await;
    let file = fake.user_file(MAYA, "roster 2024.csv", b"@maya\n@leo\n".to_vec());
    assert_eq!(file["name"], "roster 2024.csv");
    assert_eq!(file["mimetype"], "text/csv");
    assert_eq!(file["size"], 11);
    let url = file["url_private_download"]
        .as_str()
        .expect("a URL")
        .to_owned();
    assert!(
        url.starts_with(&format!("{}/files-pri/T0GLOW-F", fake.base_url())),
        "{url}"
    );

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let with_token = http.get(&url).bearer_auth(BOT_TOKEN).send().await.unwrap();
    assert_eq!(with_token.status().as_u16(), 200);
    assert_eq!(with_token.bytes().await.unwrap().as_ref(), b"@maya\n@leo\n");
    let without = http.get(&url).send().await.unwrap();
    assert_eq!(without.status().as_u16(), 302);
    let location = without.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{}/signin", fake.base_url())),
        "{location}"
    );
    let followed = reqwest::get(&url).await.unwrap();
    assert_eq!(followed.status().as_u16(), 200);
    assert!(
        followed
            .text()
            .await
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );

    let downloads: Vec<TokenKind> = fake
        .requests()
        .into_iter()
        .filter(|c| c.method.starts_with("/files-pri/"))
        .map(|c| c.token)
        .collect();
    assert_eq!(
        downloads,
        vec![TokenKind::Bot, TokenKind::Missing, TokenKind::Missing]
    );
}

#[tokio::test]
async fn injected_failures_surface_as_slack_morphism_errors() {
    let fake = start().await;
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);
    let post = |channel: &str| {
        SlackApiChatPostMessageRequest::new(
            channel_id(channel),
            SlackMessageContent::new().with_text("hello".into()),
        )
    };

    fake.fail_next("chat.postMessage", Failure::rate_limited(7));
    match session.chat_post_message(&post(GENERAL)).await {
        Err(SlackClientError::RateLimitError(limited)) => {
            assert_eq!(limited.retry_after, Some(Duration::from_secs(7)));
            assert_eq!(limited.code.as_deref(), Some("ratelimited"));
        }
        other => panic!("expected a rate limit error, got {other:?}"),
    }
    fake.fail_next("chat.postMessage", Failure::Server(503));
    match session.chat_post_message(&post(GENERAL)).await {
        Err(SlackClientError::HttpError(error)) => assert_eq!(error.status_code.as_u16(), 503),
        other => panic!("expected an HTTP error, got {other:?}"),
    }
    fake.fail_next_where(
        "chat.postMessage",
        "channel",
        MAYA,
        Failure::error("user_not_found"),
    );
    session
        .chat_post_message(&post(GENERAL))
        .await
        .expect("another channel is not scoped");
    assert_eq!(
        api_error(session.chat_post_message(&post(MAYA)).await),
        "user_not_found"
    );
    session
        .chat_post_message(&post(MAYA))
        .await
        .expect("only the next one failed");

    fake.fail_next("users.info", Failure::Hang(Duration::from_millis(200)));
    let info = session
        .users_info(&SlackApiUsersInfoRequest::new(user_id(LEO)))
        .await
        .expect("answered after the hang");
    assert_eq!(info.user.id.to_string(), LEO);

    let statuses: Vec<u16> = fake
        .calls("chat.postMessage")
        .iter()
        .map(|c| c.status)
        .collect();
    assert_eq!(statuses, vec![429, 503, 200, 200, 200]);
    assert_eq!(fake.messages_in(GENERAL).len(), 1);
    assert_eq!(fake.dms_to(MAYA).len(), 1);
    assert_eq!(fake.calls("users.info")[0].status, 0);
}
