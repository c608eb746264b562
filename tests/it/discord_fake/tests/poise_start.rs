//! poise against the fake: its start-up requests are answered (the application's owners, the
//! command registration in `setup`) and a slash command runs through it to a reply.

use serde_json::json;
use serenity::all::{ClientBuilder, GatewayIntents, GuildId};

use super::harness::{CREATOR, GUILD, PATIENCE, guild, http};
use crate::discord_fake::{APPLICATION_ID, FakeDiscord, FakeMember, OWNER_USER_ID};

type Error = Box<dyn std::error::Error + Send + Sync>;
type Context<'a> = poise::Context<'a, Data, Error>;

struct Data {
    owners: Vec<u64>,
}

/// Says pong.
#[poise::command(slash_command)]
async fn ping(ctx: Context<'_>) -> Result<(), Error> {
    let owners = ctx.data().owners.len();
    ctx.send(
        poise::CreateReply::default()
            .content(format!("pong ({owners} owner)"))
            .ephemeral(true),
    )
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poise_starts_registers_its_commands_and_runs_one() {
    let fake = FakeDiscord::start(guild()).await;
    let framework = poise::Framework::builder()
        .options(poise::FrameworkOptions {
            commands: vec![ping()],
            ..Default::default()
        })
        .setup(|ctx, _ready, framework| {
            Box::pin(async move {
                poise::builtins::register_in_guild(
                    ctx,
                    &framework.options().commands,
                    GuildId::new(GUILD),
                )
                .await?;
                let owners = framework
                    .options()
                    .owners
                    .iter()
                    .map(|id| id.get())
                    .collect();
                Ok(Data { owners })
            })
        })
        .build();
    let mut client = ClientBuilder::new_with_http(http(&fake), GatewayIntents::GUILDS)
        .framework(framework)
        .await
        .expect("a client");
    let running = tokio::spawn(async move { client.start_autosharded().await });

    let app = fake
        .wait_for_request("GET", "/oauth2/applications/@me", PATIENCE)
        .await
        .expect("poise asked");
    assert_eq!(app.status, 200);
    let path = format!("/applications/{APPLICATION_ID}/guilds/{GUILD}/commands");
    let registered = fake
        .wait_for(|r| r.method == "PUT" && r.path == path, PATIENCE)
        .await
        .expect("setup registered");
    assert_eq!(registered.status, 200);
    assert_eq!(registered.json().unwrap()[0]["name"], "ping");
    assert_eq!(fake.commands(GUILD)[0]["description"], "Says pong.");

    let run = fake.interaction_command(
        GUILD,
        &FakeMember::new(CREATOR, "maya"),
        "ping",
        json!([]),
        None,
    );
    let callback = run.callback(PATIENCE).await.expect("poise answered");
    assert_eq!(callback.status, 204);
    assert_eq!(
        callback.json().unwrap()["data"]["content"],
        "pong (1 owner)"
    );
    assert_eq!(callback.json().unwrap()["data"]["flags"], 64);
    assert!(
        fake.unknown_requests().is_empty(),
        "{:?}",
        fake.unknown_requests()
    );
    assert_eq!(OWNER_USER_ID, fake.guild(GUILD).unwrap().owner_id);
    running.abort();
}
