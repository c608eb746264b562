//! HTTP-mode bodies parse as slack-morphism's models and their signatures pass its verifier;
//! tampering with the body, the secret or the timestamp fails it.

use std::time::Duration;

use serde_json::{Value, json};
use slack_morphism::prelude::*;
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;

use super::harness::*;
use crate::slack_fake::{
    FORM, JSON, SIGNATURE_HEADER, SignedRequest, SlashCommand, TIMESTAMP_HEADER, form_fields,
    signed_request,
};

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

fn verify(request: &SignedRequest, secret: &str) -> bool {
    let verifier = SlackEventSignatureVerifier::new(&SlackSigningSecret::new(secret.to_owned()));
    let signature = request.header(SIGNATURE_HEADER).expect("a signature");
    let timestamp = request.header(TIMESTAMP_HEADER).expect("a timestamp");
    verifier.verify(signature, &request.body, timestamp).is_ok()
}

#[tokio::test]
async fn signed_slash_commands_pass_slack_morphisms_verifier_and_tampering_fails_it() {
    let fake = start().await;
    let command =
        fake.http_slash_command(&SlashCommand::new(MAYA, "/kpi", "30d & more").channel(GENERAL));
    assert_eq!(command.content_type, FORM);
    let signed = command.sign(SECRET);
    assert_eq!(signed.header("content-type"), Some(FORM));
    assert!(verify(&signed, SECRET));
    assert!(!verify(&signed, "another-secret"));
    assert!(!verify(&signed.clone().with_body("text=tampered"), SECRET));
    let old = command.sign_at(SECRET, unix_now() - 600);
    assert!(!verify(&old, SECRET));

    // The form decodes into slack-morphism's model with the exact fields.
    let fields = Value::Object(form_fields(&signed.body));
    assert_eq!(fields["text"], json!("30d & more"));
    assert_eq!(fields["user_name"], json!("maya"));
    assert_eq!(fields["is_enterprise_install"], json!("false"));
    let parsed: SlackCommandEvent = serde_json::from_value(fields).expect("a command event");
    assert_eq!(parsed.command.to_string(), "/kpi");
    assert_eq!(
        Some(parsed.response_url.0.to_string()),
        command.response_url
    );

    // The response_url on the fake records what the bot posts.
    let client = client(&fake);
    let reply =
        SlackApiPostWebhookMessageRequest::new(SlackMessageContent::new().with_text("done".into()));
    client
        .respond_to_event(&parsed.response_url, &reply)
        .await
        .expect("posted");
    let posted = command
        .response(Duration::from_secs(5))
        .await
        .expect("recorded");
    assert_eq!(posted.body, json!({ "text": "done" }));
}

#[tokio::test]
async fn signed_events_and_url_verification_parse_as_push_events() {
    let fake = start().await;
    let event = fake.http_event(json!({
        "type": "member_joined_channel", "user": LEO, "channel": GENERAL,
        "channel_type": "C", "team": "T0GLOW",
    }));
    assert_eq!(event.content_type, JSON);
    let signed = event.sign(SECRET);
    assert!(verify(&signed, SECRET));
    match serde_json::from_str::<SlackPushEvent>(&signed.body).expect("a push event") {
        SlackPushEvent::EventCallback(callback) => match callback.event {
            SlackEventCallbackBody::MemberJoinedChannel(joined) => {
                assert_eq!(joined.user.to_string(), LEO);
                assert_eq!(joined.channel.to_string(), GENERAL);
            }
            other => panic!("expected member_joined_channel, got {other:?}"),
        },
        other => panic!("expected an event callback, got {other:?}"),
    }
    let challenge =
        fake.http_url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    match serde_json::from_str::<SlackPushEvent>(&challenge.sign(SECRET).body).unwrap() {
        SlackPushEvent::UrlVerification(v) => {
            assert_eq!(
                v.challenge,
                "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
            );
        }
        other => panic!("expected url_verification, got {other:?}"),
    }
    let press = fake.http_block_action(MAYA, GENERAL, "claim_sample", "s-1");
    let payload = form_fields(&press.sign(SECRET).body)["payload"].clone();
    let payload: Value = serde_json::from_str(payload.as_str().unwrap()).unwrap();
    let parsed: SlackInteractionEvent = serde_json::from_value(payload).expect("an interaction");
    assert!(matches!(parsed, SlackInteractionEvent::BlockActions(_)));
}

/// The example in Slack's "Verifying requests from Slack" guide.
#[test]
fn signatures_match_slacks_documented_example() {
    let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    let signed = signed_request(SECRET, 1_531_420_618, body);
    assert_eq!(signed.header(TIMESTAMP_HEADER), Some("1531420618"));
    assert_eq!(
        signed.header(SIGNATURE_HEADER),
        Some("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")
    );
    assert_eq!(signed.body, body);
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
