//! The Web API through slack-morphism's real client: answers parse into its models, Slack's
//! errors come back as `SlackClientError::ApiError` with the code, and the model changes.

use serde_json::json;
use slack_morphism::prelude::*;

use super::harness::*;
use crate::slack_fake::{APP_TOKEN, BOT_ID, BOT_TOKEN, BOT_USER_ID, TEAM_ID, TEAM_NAME, TokenKind};

#[tokio::test]
async fn auth_test_names_the_team_and_the_bot_and_records_the_bot_token() {
    let fake = start().await;
    let client = client(&fake);
    let answer = client
        .open_session(&bot_token())
        .auth_test()
        .await
        .expect("auth.test");
    assert_eq!(answer.team_id.to_string(), TEAM_ID);
    assert_eq!(answer.user_id.to_string(), BOT_USER_ID);
    assert_eq!(
        answer.bot_id.map(|b| b.to_string()),
        Some(BOT_ID.to_owned())
    );
    assert_eq!(answer.team, TEAM_NAME);
    assert_eq!(answer.url.0.to_string(), "https://glow.slack.com/");
    let calls = fake.calls("auth.test");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].token, TokenKind::Bot);
    assert_eq!(calls[0].http_method, "GET");
}

#[tokio::test]
async fn wrong_tokens_are_refused_as_slack_refuses_them() {
    let fake = start().await;
    let client = client(&fake);
    let post = SlackApiChatPostMessageRequest::new(
        channel_id(GENERAL),
        SlackMessageContent::new().with_text("hi".into()),
    );
    let unknown = client
        .open_session(&token("xoxb-not-ours"))
        .chat_post_message(&post)
        .await;
    assert_eq!(api_error(unknown), "invalid_auth");
    let app = client
        .open_session(&app_token())
        .chat_post_message(&post)
        .await;
    assert_eq!(api_error(app), "not_allowed_token_type");
    let bot_opens_socket = client
        .open_session(&bot_token())
        .apps_connections_open(&SlackApiAppsConnectionOpenRequest::new())
        .await;
    assert_eq!(api_error(bot_opens_socket), "not_allowed_token_type");

    // Raw HTTP: no token at all, then a form body carrying the token as a parameter.
    let url = format!("{}/chat.postMessage", fake.api_url());
    let http = reqwest::Client::new();
    let none = http
        .post(&url)
        .json(&json!({ "channel": GENERAL, "text": "hi" }));
    let none: serde_json::Value = none.send().await.unwrap().json().await.unwrap();
    assert_eq!(none, json!({ "ok": false, "error": "not_authed" }));
    let form = http.post(&url).form(&[
        ("token", BOT_TOKEN),
        ("channel", GENERAL),
        ("text", "by form"),
    ]);
    let form: serde_json::Value = form.send().await.unwrap().json().await.unwrap();
    assert_eq!(form["ok"], json!(true));
    assert_eq!(form["channel"], json!(GENERAL));
    let texts: Vec<Option<String>> = fake
        .messages_in(GENERAL)
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(texts, vec![Some("by form".to_owned())]);
    assert_eq!(fake.calls("chat.postMessage").len(), 4);
    assert_eq!(fake.calls("chat.postMessage")[3].token, TokenKind::Bot);
    assert_eq!(fake.calls("apps.connections.open")[0].token, TokenKind::Bot);
    assert_ne!(APP_TOKEN, BOT_TOKEN);
}

#[tokio::test]
async fn conversations_list_pages_with_cursors_and_shows_only_the_bots_private_channels() {
    let fake = start().await;
    let session_client = client(&fake);
    let token = bot_token();
    let session = session_client.open_session(&token);
    let mut names = Vec::new();
    let mut cursor: Option<SlackCursorId> = None;
    let mut pages = 0;
    loop {
        let request = SlackApiConversationsListRequest::new()
            .with_types(vec![
                SlackConversationType::Public,
                SlackConversationType::Private,
            ])
            .with_exclude_archived(true)
            .with_limit(2)
            .opt_cursor(cursor.clone());
        let page = session.conversations_list(&request).await.expect("a page");
        pages += 1;
        names.extend(
            page.channels
                .iter()
                .map(|c| c.name.clone().unwrap_or_default()),
        );
        cursor = page.response_metadata.and_then(|m| m.next_cursor);
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(names, vec!["general", "lounge", "vip"]);
    assert_eq!(pages, 2);
    let first = &fake.calls("conversations.list")[0];
    assert_eq!(first.http_method, "GET");
    assert_eq!(first.param("types"), Some("public_channel,private_channel"));

    let everything = session
        .conversations_list(&SlackApiConversationsListRequest::new())
        .await
        .expect("public channels, archived too");
    let listed: Vec<(String, Option<bool>)> = everything
        .channels
        .iter()
        .map(|c| (c.id.to_string(), c.flags.is_member))
        .collect();
    assert_eq!(
        listed,
        vec![
            (GENERAL.to_owned(), Some(true)),
            (LOUNGE.to_owned(), Some(false)),
            (OLD.to_owned(), Some(true)),
        ]
    );
}

#[tokio::test]
async fn channels_are_created_joined_and_invited_to_with_slacks_errors() {
    let fake = start().await;
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);
    let create = |name: &str| SlackApiConversationsCreateRequest::new(name.to_owned());

    let created = session
        .conversations_create(&create("kpi-weekly").with_is_private(true))
        .await
        .expect("created");
    let id = created.channel.id.to_string();
    assert_eq!(created.channel.flags.is_private, Some(true));
    assert_eq!(fake.members(&id), vec![BOT_USER_ID]);
    assert_eq!(
        fake.channel_by_name("kpi-weekly").map(|c| c.id),
        Some(id.clone())
    );
    assert_eq!(
        api_error(session.conversations_create(&create("kpi-weekly")).await),
        "name_taken"
    );
    assert_eq!(
        api_error(session.conversations_create(&create("KPI Weekly")).await),
        "invalid_name_specials"
    );

    let invite = |channel: &str, users: &[&str]| {
        SlackApiConversationsInviteRequest::new(
            channel_id(channel),
            users.iter().map(|u| user_id(u)).collect(),
        )
    };
    session
        .conversations_invite(&invite(&id, &[MAYA, LEO]))
        .await
        .expect("invited");
    assert_eq!(fake.members(&id), vec![BOT_USER_ID, MAYA, LEO]);
    let errors = [
        (invite(&id, &[MAYA]), "already_in_channel"),
        (invite(&id, &[BOT_USER_ID]), "cant_invite_self"),
        (invite(&id, &["U0NOBODY"]), "user_not_found"),
        (invite(LOUNGE, &[LEO]), "not_in_channel"),
        (invite(SECRET, &[MAYA]), "channel_not_found"),
        (invite(OLD, &[MAYA]), "is_archived"),
    ];
    for (request, code) in errors {
        assert_eq!(
            api_error(session.conversations_invite(&request).await),
            code
        );
    }

    let join = |channel: &str| SlackApiConversationsJoinRequest::new(channel_id(channel));
    session
        .conversations_join(&join(LOUNGE))
        .await
        .expect("joined");
    assert_eq!(fake.members(LOUNGE), vec![MAYA, LEO, BOT_USER_ID]);
    assert_eq!(
        api_error(session.conversations_join(&join(VIP)).await),
        "method_not_supported_for_channel_type"
    );
    assert_eq!(
        api_error(session.conversations_join(&join(SECRET)).await),
        "channel_not_found"
    );

    let kick = |channel: &str, user: &str| {
        SlackApiConversationsKickRequest::new(channel_id(channel), user_id(user))
    };
    session
        .conversations_kick(&kick(&id, MAYA))
        .await
        .expect("kicked");
    assert_eq!(fake.members(&id), vec![BOT_USER_ID, LEO]);
    assert_eq!(
        api_error(session.conversations_kick(&kick(&id, MAYA)).await),
        "not_in_channel"
    );
    assert_eq!(
        api_error(session.conversations_kick(&kick(&id, BOT_USER_ID)).await),
        "cant_kick_self"
    );

    let members = session
        .conversations_members(
            &SlackApiConversationsMembersRequest::new()
                .with_channel(channel_id(LOUNGE))
                .with_limit(2),
        )
        .await
        .expect("members");
    let first_page: Vec<String> = members.members.iter().map(|m| m.to_string()).collect();
    assert_eq!(first_page, vec![MAYA, LEO]);
    assert!(
        members
            .response_metadata
            .and_then(|m| m.next_cursor)
            .is_some()
    );
}

#[tokio::test]
async fn dms_open_stable_channels_and_messages_land_where_slack_puts_them() {
    let fake = start().await;
    let client = client(&fake);
    let token = bot_token();
    let session = client.open_session(&token);
    let open = |user: &str| SlackApiConversationsOpenRequest::new().with_users(vec![user_id(user)]);
    let first = session
        .conversations_open(&open(MAYA))
        .await
        .expect("opened");
    let again = session
        .conversations_open(&open(MAYA))
        .await
        .expect("opened again");
    assert_eq!(first.channel.id.to_string(), "D0MAYA");
    assert_eq!(again.channel.id.to_string(), "D0MAYA");
    assert_eq!((first.already_open, again.already_open), (None, Some(true)));
    assert_eq!(
        api_error(session.conversations_open(&open(GONE)).await),
        "account_inactive"
    );
    assert_eq!(
        api_error(session.conversations_open(&open(HELPER_BOT)).await),
        "cannot_dm_bot"
    );
    assert_eq!(
        api_error(session.conversations_open(&open("U0NOBODY")).await),
        "user_not_found"
    );

    let post = |channel: &str, text: &str| {
        SlackApiChatPostMessageRequest::new(
            channel_id(channel),
            SlackMessageContent::new().with_text(text.to_owned()),
        )
    };
    let to_leo = session
        .chat_post_message(&post(LEO, "welcome"))
        .await
        .expect("DM by user id");
    assert_eq!(to_leo.channel.to_string(), "D0LEO");
    assert_eq!(fake.dm_channel_of(LEO), Some("D0LEO".to_owned()));
    let blocks: Vec<SlackBlock> = vec![
        SlackSectionBlock::new()
            .with_text(SlackBlockText::MarkDown(SlackBlockMarkDownText::new(
                "*KPI*".into(),
            )))
            .into(),
    ];
    let with_blocks = post(GENERAL, "KPI").with_content(
        SlackMessageContent::new()
            .with_text("KPI".into())
            .with_blocks(blocks),
    );
    let posted = session
        .chat_post_message(&with_blocks)
        .await
        .expect("posted");
    assert_eq!(posted.channel.to_string(), GENERAL);
    let in_general = fake.messages_in(GENERAL);
    assert_eq!(in_general.len(), 1);
    assert_eq!(in_general[0].ts, posted.ts.to_string());
    assert_eq!(
        in_general[0].blocks,
        Some(json!([{ "type": "section", "text": { "type": "mrkdwn", "text": "*KPI*" } }]))
    );
    assert_eq!(
        fake.dms_to(LEO)
            .iter()
            .map(|m| m.text.clone())
            .collect::<Vec<_>>(),
        vec![Some("welcome".to_owned())]
    );
    for (channel, code) in [
        (LOUNGE, "not_in_channel"),
        (OLD, "is_archived"),
        (SECRET, "channel_not_found"),
        ("C0NOWHERE", "channel_not_found"),
    ] {
        assert_eq!(
            api_error(session.chat_post_message(&post(channel, "x")).await),
            code
        );
    }
    let user = session
        .users_info(&SlackApiUsersInfoRequest::new(user_id(MAYA)))
        .await
        .expect("users.info");
    assert_eq!(user.user.real_name.as_deref(), Some("Maya Lopez"));
    assert_eq!(user.user.name.as_deref(), Some("maya"));
}
