//! Interactions end to end: the fake pushes INTERACTION_CREATE, serenity parses it, the test
//! answers through serenity, and the fake records and checks the answer.

use std::time::Duration;

use serde_json::json;
use serenity::all::{
    CommandDataOptionValue, CreateAutocompleteResponse, CreateEmbed, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, EditInteractionResponse,
    GatewayIntents, Interaction,
};

use super::harness::{Bot, CREATOR, CREATOR_ROLE, GUILD, PATIENCE, Seen, guild};
use crate::discord_fake::{FakeDiscord, FakeMember};

fn creator() -> FakeMember {
    FakeMember::new(CREATOR, "maya").roles([CREATOR_ROLE])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slash_command_reaches_serenity_and_its_ephemeral_embed_reaches_the_fake() {
    let fake = FakeDiscord::start(guild()).await;
    let mut bot = Bot::start(&fake, GatewayIntents::GUILDS).await;
    bot.connected().await;

    let options = json!([{ "name": "handle", "type": 3, "value": "@maya" }]);
    let run = fake.interaction_command(GUILD, &creator(), "stats", options, None);
    let command = bot.next(Seen::command).await;

    assert_eq!(run.delivered, 1);
    assert_eq!(command.data.name, "stats");
    assert_eq!(
        command.data.options[0].value,
        CommandDataOptionValue::String("@maya".into())
    );
    assert_eq!(
        command.member.as_ref().unwrap().roles[0].get(),
        CREATOR_ROLE
    );
    assert_eq!(command.user.id.get(), CREATOR);
    assert_eq!(command.guild_id.map(|g| g.get()), Some(GUILD));

    let embed = CreateEmbed::new()
        .title("maya · Silver")
        .field("GMV", "$1,200.00", true);
    let reply = CreateInteractionResponseMessage::new()
        .embed(embed)
        .ephemeral(true);
    command
        .create_response(&bot.http, CreateInteractionResponse::Message(reply))
        .await
        .expect("answered");

    let callback = run
        .callback(PATIENCE)
        .await
        .expect("the callback was recorded");
    let body = callback.json().unwrap();
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 64);
    assert_eq!(body["data"]["embeds"][0]["title"], "maya · Silver");
    assert_eq!(body["data"]["embeds"][0]["fields"][0]["value"], "$1,200.00");
    assert_eq!(run.callback_type(), Some(4));

    command
        .edit_response(&bot.http, EditInteractionResponse::new().content("Updated"))
        .await
        .expect("edited");
    let follow = CreateInteractionResponseFollowup::new()
        .content("One more thing")
        .ephemeral(true);
    command
        .create_followup(&bot.http, follow)
        .await
        .expect("followed up");
    let original = command.get_response(&bot.http).await.expect("the original");

    assert_eq!(
        run.edit(PATIENCE).await.unwrap().json().unwrap()["content"],
        "Updated"
    );
    assert_eq!(original.content, "Updated");
    assert_eq!(
        run.original().unwrap()["embeds"][0]["title"],
        "maya · Silver"
    );
    assert_eq!(run.followups()[0]["content"], "One more thing");
    assert_eq!(run.followups()[0]["flags"], 64);
    let second = command
        .create_response(&bot.http, CreateInteractionResponse::Acknowledge)
        .await
        .unwrap_err();
    assert_eq!(
        super::rest_messages::discord_code(&second),
        Some(40060),
        "an interaction is answered once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deferred_answer_is_filled_in_by_the_edit_and_a_late_callback_fails() {
    let fake = FakeDiscord::start(guild()).await;
    let mut bot = Bot::start(&fake, GatewayIntents::GUILDS).await;
    bot.connected().await;

    let run = fake.interaction_command(GUILD, &creator(), "leaderboard", json!([]), None);
    let command = bot.next(Seen::command).await;
    command.defer_ephemeral(&bot.http).await.expect("deferred");
    assert_eq!(
        run.original().unwrap()["flags"],
        64 | 128,
        "ephemeral and loading"
    );
    command
        .edit_response(&bot.http, EditInteractionResponse::new().content("Top 10"))
        .await
        .expect("filled in");
    assert_eq!(run.original().unwrap()["flags"], 64);
    assert_eq!(run.original().unwrap()["content"], "Top 10");

    // As if the bot took longer than Discord's 3 s: every callback from now on is late.
    fake.set_interaction_deadline(Duration::ZERO);
    fake.interaction_command(GUILD, &creator(), "leaderboard", json!([]), None);
    let late = bot.next(Seen::command).await;
    let error = late.defer(&bot.http).await.unwrap_err();
    assert_eq!(super::rest_messages::discord_code(&error), Some(10062));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_and_attachments_reach_serenity() {
    let fake = FakeDiscord::start(guild()).await;
    let mut bot = Bot::start(&fake, GatewayIntents::GUILDS).await;
    bot.connected().await;

    let typing = json!([{ "name": "handle", "type": 3, "value": "ma", "focused": true }]);
    let complete = fake.interaction_autocomplete(GUILD, &creator(), "stats", typing);
    let seen = bot.next(Seen::interaction).await;
    let Interaction::Autocomplete(typed) = *seen else {
        panic!("not autocomplete: {seen:?}")
    };
    assert_eq!(typed.data.autocomplete().map(|a| a.value), Some("ma"));
    let choices = CreateAutocompleteResponse::new().add_string_choice("@maya", "@maya");
    typed
        .create_response(&bot.http, CreateInteractionResponse::Autocomplete(choices))
        .await
        .expect("answered");
    complete
        .callback(PATIENCE)
        .await
        .expect("the choices were recorded");
    assert_eq!(complete.choices().unwrap()[0]["value"], "@maya");

    let csv = b"order_id,gmv\n1,12.50\n".to_vec();
    let file = fake.attachment("orders.csv", "text/csv", csv.clone());
    let options = json!([{ "name": "file", "type": 11, "value": file["id"] }]);
    let resolved = json!({ "attachments": { file["id"].as_str().unwrap(): file } });
    fake.interaction_command(GUILD, &creator(), "import", options, Some(resolved));
    let command = bot.next(Seen::command).await;
    let CommandDataOptionValue::Attachment(id) = command.data.options[0].value else {
        panic!("not an attachment")
    };
    let attachment = &command.data.resolved.attachments[&id];
    assert_eq!(attachment.filename, "orders.csv");
    assert_eq!(attachment.download().await.expect("downloaded"), csv);
}
