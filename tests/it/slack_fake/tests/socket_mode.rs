//! slack-morphism's Socket Mode listener on the fake: hello, slash commands acked with their
//! reply, events and interactions parsed into typed models, and reconnection after a
//! `disconnect`, a dropped connection and a refusal.

use std::time::Duration;

use serde_json::json;
use slack_morphism::prelude::*;

use super::harness::*;
use crate::slack_fake::{APP_ID, FakeUser, SlashCommand, TEAM_ID, TokenKind};

#[tokio::test]
async fn a_slash_command_reaches_the_callback_and_its_ack_carries_the_reply() {
    let fake = start().await;
    let mut listener = Listener::start(&fake, 1).await;
    let hello = listener
        .next(|s| {
            if let Seen::Hello(h) = s {
                Some(h)
            } else {
                None
            }
        })
        .await;
    assert_eq!(hello["connection_info"]["app_id"], json!(APP_ID));
    assert_eq!(hello["num_connections"], json!(1));
    assert_eq!(fake.calls("apps.connections.open")[0].token, TokenKind::App);

    let run = fake.push_slash_command(&SlashCommand::new(MAYA, "/kpi", "30d").channel(GENERAL));
    let command = listener
        .next(|s| {
            if let Seen::Command(c) = s {
                Some(c)
            } else {
                None
            }
        })
        .await;
    assert_eq!(command.command.to_string(), "/kpi");
    assert_eq!(command.text.as_deref(), Some("30d"));
    assert_eq!(command.user_id.to_string(), MAYA);
    assert_eq!(command.channel_id.to_string(), GENERAL);
    assert_eq!(command.channel_name.as_deref(), Some("general"));
    assert_eq!(command.team_id.to_string(), TEAM_ID);
    assert_eq!(Some(command.response_url.0.to_string()), run.response_url);

    let ack = run.ack(PATIENCE).await.expect("acked");
    assert_eq!(ack.payload, Some(json!({ "text": "pong 30d" })));
    assert_eq!(ack.frame["envelope_id"], json!(run.envelope_id));
    assert_eq!(Some(ack.connection), run.delivery().map(|d| d.connection));
    let later = run
        .response(PATIENCE)
        .await
        .expect("answered through the response_url");
    assert_eq!(later.body, json!({ "text": "later 30d" }));
    assert_eq!(fake.responses("/kpi"), vec![json!({ "text": "later 30d" })]);
    assert!(run.ack_latency().is_some());
    listener.shutdown().await;
}

async fn next_event(listener: &mut Listener) -> SlackEventCallbackBody {
    listener
        .next(|s| {
            if let Seen::Event(e) = s {
                Some(e.event)
            } else {
                None
            }
        })
        .await
}

#[tokio::test]
async fn events_parse_as_slack_morphisms_typed_events_and_are_acked() {
    let fake = start().await;
    let mut listener = Listener::start(&fake, 1).await;
    let joined = fake.team_join(FakeUser::new("U0NEW", "nova").real_name("Nova Park"));
    match next_event(&mut listener).await {
        SlackEventCallbackBody::TeamJoin(event) => {
            assert_eq!(event.user.id.to_string(), "U0NEW");
            assert_eq!(event.user.real_name.as_deref(), Some("Nova Park"));
        }
        other => panic!("expected team_join, got {other:?}"),
    }
    assert!(fake.workspace().find_user("U0NEW").is_some());

    let member = fake.member_joined_channel(LEO, VIP);
    match next_event(&mut listener).await {
        SlackEventCallbackBody::MemberJoinedChannel(event) => {
            assert_eq!(event.user.to_string(), LEO);
            assert_eq!(event.channel.to_string(), VIP);
            assert_eq!(event.channel_type.to_string(), "G");
        }
        other => panic!("expected member_joined_channel, got {other:?}"),
    }
    assert_eq!(fake.members(VIP), vec![crate::slack_fake::BOT_USER_ID, LEO]);

    let file = fake.user_file(MAYA, "orders.csv", b"order_id\n1\n".to_vec());
    let upload = fake.dm_files(MAYA, "import these", vec![file.clone()]);
    match next_event(&mut listener).await {
        SlackEventCallbackBody::Message(message) => {
            assert_eq!(
                message
                    .origin
                    .channel_type
                    .map(|t| t.to_string())
                    .as_deref(),
                Some("im")
            );
            assert_eq!(
                message.origin.channel.map(|c| c.to_string()).as_deref(),
                Some("D0MAYA")
            );
            assert_eq!(
                message.sender.user.map(|u| u.to_string()).as_deref(),
                Some(MAYA)
            );
            assert_eq!(message.subtype, Some(SlackMessageEventType::FileShare));
            let files = message.content.and_then(|c| c.files).expect("files");
            assert_eq!(files.len(), 1);
            assert_eq!(files[0].name.as_deref(), Some("orders.csv"));
            assert_eq!(
                files[0].mimetype.as_ref().map(|m| m.to_string()).as_deref(),
                Some("text/csv")
            );
            assert_eq!(
                files[0]
                    .url_private_download
                    .as_ref()
                    .map(|u| u.to_string()),
                file["url_private_download"].as_str().map(str::to_owned)
            );
        }
        other => panic!("expected a message, got {other:?}"),
    }
    for handle in [joined, member, upload] {
        let ack = handle.ack(PATIENCE).await.expect("acked");
        assert_eq!(ack.frame, json!({ "envelope_id": handle.envelope_id }));
    }
    listener.shutdown().await;
}

#[tokio::test]
async fn a_button_press_arrives_as_block_actions_with_a_response_url() {
    let fake = start().await;
    let mut listener = Listener::start(&fake, 1).await;
    let press = fake.block_action(MAYA, GENERAL, "claim_sample", "sample-42");
    let event = listener
        .next(|s| {
            if let Seen::Interaction(i) = s {
                Some(i)
            } else {
                None
            }
        })
        .await;
    let SlackInteractionEvent::BlockActions(actions) = *event else {
        panic!("expected block_actions, got {event:?}");
    };
    assert_eq!(
        actions.user.map(|u| u.id.to_string()).as_deref(),
        Some(MAYA)
    );
    let action = &actions.actions.expect("actions")[0];
    assert_eq!(action.action_id.to_string(), "claim_sample");
    assert_eq!(action.value.as_deref(), Some("sample-42"));
    assert_eq!(
        actions.response_url.map(|u| u.0.to_string()),
        press.response_url
    );
    let ack = press.ack(PATIENCE).await.expect("acked");
    assert_eq!(ack.frame, json!({ "envelope_id": press.envelope_id }));
    listener.shutdown().await;
}

#[tokio::test]
async fn envelopes_wait_for_a_connection_then_go_round_robin() {
    let fake = start().await;
    let early = fake.slash_command(MAYA, "/kpi", "early");
    assert_eq!(early.delivery(), None);
    let mut listener = Listener::start(&fake, 2).await;
    assert!(fake.wait_connected(2, PATIENCE).await);
    let ack = early.ack(PATIENCE).await.expect("delivered once connected");
    assert_eq!(ack.payload, Some(json!({ "text": "pong early" })));

    let ids = fake.connection_ids();
    assert_eq!(ids.len(), 2);
    let runs: Vec<_> = (0..4)
        .map(|n| fake.slash_command(LEO, "/kpi", &format!("r{n}")))
        .collect();
    let mut went_to = Vec::new();
    for run in &runs {
        run.ack(PATIENCE).await.expect("acked");
        went_to.push(run.delivery().expect("delivered").connection);
    }
    assert_eq!(went_to, vec![ids[0], ids[1], ids[0], ids[1]]);
    let mut seen = Vec::new();
    for _ in 0..5 {
        let command = listener
            .next(|s| {
                if let Seen::Command(c) = s {
                    Some(c)
                } else {
                    None
                }
            })
            .await;
        seen.push(command.text.unwrap_or_default());
    }
    seen.sort();
    assert_eq!(seen, vec!["early", "r0", "r1", "r2", "r3"]);
    listener.shutdown().await;
}

#[tokio::test]
async fn a_disconnect_frame_makes_the_listener_open_a_new_connection() {
    let fake = start().await;
    let mut listener = Listener::start(&fake, 1).await;
    assert!(fake.wait_connected(1, PATIENCE).await);
    let first = fake.connection_ids();
    // slack-morphism may leave the old connection open when the disconnect comes within a
    // millisecond of connecting; Slack (and the fake) close it after the grace period.
    fake.set_disconnect_grace(Duration::from_secs(1));
    assert_eq!(fake.disconnect("refresh_requested"), 1);
    assert!(
        fake.wait_socket(|s| s.opened == 2 && s.open == 1, PATIENCE)
            .await
    );
    assert_ne!(fake.connection_ids(), first);
    assert_eq!(fake.calls("apps.connections.open").len(), 2);
    let hellos = [
        listener
            .next(|s| {
                if let Seen::Hello(h) = s {
                    Some(h)
                } else {
                    None
                }
            })
            .await,
        listener
            .next(|s| {
                if let Seen::Hello(h) = s {
                    Some(h)
                } else {
                    None
                }
            })
            .await,
    ];
    // The second hello counts the old connection too if the client had not closed it yet.
    assert_eq!(hellos[0]["num_connections"], json!(1));
    assert_eq!(hellos[1]["connection_info"]["app_id"], json!(APP_ID));

    let run = fake.slash_command(MAYA, "/kpi", "after");
    let ack = run
        .ack(PATIENCE)
        .await
        .expect("acked on the new connection");
    assert_eq!(ack.connection, fake.connection_ids()[0]);
    listener.shutdown().await;
}

#[tokio::test]
async fn a_dropped_connection_is_reopened_once_slack_accepts_connections_again() {
    let fake = start().await;
    let listener = Listener::start(&fake, 1).await;
    assert!(fake.wait_connected(1, PATIENCE).await);
    fake.refuse_connections(true);
    assert_eq!(fake.drop_connections(), 1);
    assert!(
        fake.wait_socket(|s| s.open == 0 && s.refused >= 1, PATIENCE)
            .await
    );
    let refused = fake.calls("apps.connections.open");
    assert_eq!(
        refused.last().and_then(|c| c.error()),
        Some("internal_error")
    );
    fake.refuse_connections(false);
    assert!(
        fake.wait_socket(|s| s.opened == 2 && s.open == 1, PATIENCE)
            .await
    );
    let run = fake.slash_command(LEO, "/kpi", "back");
    let ack = run.ack(PATIENCE).await.expect("acked after reconnecting");
    assert_eq!(ack.payload, Some(json!({ "text": "pong back" })));
    listener.shutdown().await;
}
