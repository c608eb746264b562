//! A serenity bot for the tests: an Http pointed at the fake (rate limiter off, as a proxy
//! needs) and a gateway client whose event handler forwards what serenity parsed.

use std::sync::Arc;
use std::time::Duration;

use serenity::all::{
    ClientBuilder, CommandInteraction, Context, EventHandler, GatewayIntents, Guild,
    GuildMemberUpdateEvent, Http, HttpBuilder, Interaction, Member, Ready, ResumedEvent,
};
use serenity::async_trait;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::discord_fake::{FakeDiscord, FakeGuild, FakeMember, FakeRole};

/// Long enough for a debug build on a busy machine and for serenity's 5 s between shard starts.
pub const PATIENCE: Duration = Duration::from_secs(30);
pub const GUILD: u64 = 1_000;
pub const TOKEN: &str = "fake-bot-token";
/// A role the bot may grant (below its own at 10) and one it may not (above it).
pub const CREATOR_ROLE: u64 = 2_001;
pub const ADMIN_ROLE: u64 = 2_002;
pub const CREATOR: u64 = 3_001;

/// A guild with a creator role, an admin role above the bot's, and one creator.
pub fn guild() -> FakeGuild {
    FakeGuild::new(GUILD, "Glow Creators")
        .role(FakeRole::new(CREATOR_ROLE, "Creator", 2))
        .role(FakeRole::new(ADMIN_ROLE, "Admin", 20))
        .member(FakeMember::new(CREATOR, "maya").roles([CREATOR_ROLE]))
}

pub fn http(fake: &FakeDiscord) -> Http {
    HttpBuilder::new(TOKEN)
        .proxy(fake.api_url())
        .ratelimiter_disabled(true)
        .build()
}

/// What the event handler was given, in order.
#[derive(Debug)]
pub enum Seen {
    Ready(Box<Ready>),
    GuildCreate(Box<Guild>),
    Interaction(Box<Interaction>),
    MemberAdd(Box<Member>),
    MemberUpdate(Box<GuildMemberUpdateEvent>),
    Resumed,
}

/// Pickers for [`Bot::next`]: `bot.next(Seen::command).await`.
impl Seen {
    pub fn ready(self) -> Option<Box<Ready>> {
        if let Seen::Ready(ready) = self {
            Some(ready)
        } else {
            None
        }
    }

    pub fn guild(self) -> Option<Box<Guild>> {
        if let Seen::GuildCreate(guild) = self {
            Some(guild)
        } else {
            None
        }
    }

    pub fn interaction(self) -> Option<Box<Interaction>> {
        if let Seen::Interaction(interaction) = self {
            Some(interaction)
        } else {
            None
        }
    }

    /// A slash command (not autocomplete).
    pub fn command(self) -> Option<CommandInteraction> {
        self.interaction()
            .and_then(|interaction| interaction.command())
    }

    pub fn member_add(self) -> Option<Box<Member>> {
        if let Seen::MemberAdd(member) = self {
            Some(member)
        } else {
            None
        }
    }

    pub fn member_update(self) -> Option<Box<GuildMemberUpdateEvent>> {
        if let Seen::MemberUpdate(event) = self {
            Some(event)
        } else {
            None
        }
    }
}

struct Forward(mpsc::UnboundedSender<Seen>);

#[async_trait]
impl EventHandler for Forward {
    async fn ready(&self, _: Context, ready: Ready) {
        let _ = self.0.send(Seen::Ready(Box::new(ready)));
    }

    async fn guild_create(&self, _: Context, guild: Guild, _: Option<bool>) {
        let _ = self.0.send(Seen::GuildCreate(Box::new(guild)));
    }

    async fn interaction_create(&self, _: Context, interaction: Interaction) {
        let _ = self.0.send(Seen::Interaction(Box::new(interaction)));
    }

    async fn guild_member_addition(&self, _: Context, member: Member) {
        let _ = self.0.send(Seen::MemberAdd(Box::new(member)));
    }

    async fn guild_member_update(
        &self,
        _: Context,
        _: Option<Member>,
        _: Option<Member>,
        event: GuildMemberUpdateEvent,
    ) {
        let _ = self.0.send(Seen::MemberUpdate(Box::new(event)));
    }

    async fn resume(&self, _: Context, _: ResumedEvent) {
        let _ = self.0.send(Seen::Resumed);
    }
}

/// A running serenity client (autosharded, as production runs it).
pub struct Bot {
    pub http: Arc<Http>,
    events: mpsc::UnboundedReceiver<Seen>,
    client: JoinHandle<()>,
}

impl Bot {
    pub async fn start(fake: &FakeDiscord, intents: GatewayIntents) -> Bot {
        let (sender, events) = mpsc::unbounded_channel();
        // `Client::builder(token, ..)` would build an Http without the proxy: pass ours.
        let mut client = ClientBuilder::new_with_http(http(fake), intents)
            .event_handler(Forward(sender))
            .await
            .expect("a client");
        let http = Arc::clone(&client.http);
        let task = tokio::spawn(async move {
            let _ = client.start_autosharded().await;
        });
        Bot {
            http,
            events,
            client: task,
        }
    }

    /// The next event `pick` accepts, skipping others; panics after [`PATIENCE`].
    pub async fn next<T>(&mut self, mut pick: impl FnMut(Seen) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let seen = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .expect("serenity handed the expected event to the handler in time")
                .expect("the client is running");
            if let Some(found) = pick(seen) {
                return found;
            }
        }
    }

    /// Waits for READY and the GUILD_CREATE of [`GUILD`].
    pub async fn connected(&mut self) -> (Box<Ready>, Box<Guild>) {
        let ready = self.next(Seen::ready).await;
        let guild = self.next(Seen::guild).await;
        (ready, guild)
    }
}

impl Drop for Bot {
    fn drop(&mut self) {
        self.client.abort();
    }
}
