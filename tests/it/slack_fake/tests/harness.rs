//! slack-morphism pointed at the fake: a Web API client over plain HTTP, a workspace with one of
//! every kind of user and channel, and a Socket Mode listener whose callbacks forward what
//! slack-morphism parsed.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::client::legacy::connect::HttpConnector;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use tokio::sync::mpsc;

use crate::slack_fake::{APP_TOKEN, BOT_TOKEN, FakeChannel, FakeSlack, FakeUser, FakeWorkspace};

/// Long enough for a debug build on a busy machine.
pub const PATIENCE: Duration = Duration::from_secs(30);

pub const MAYA: &str = "U0MAYA";
pub const LEO: &str = "U0LEO";
/// A deactivated account.
pub const GONE: &str = "U0GONE";
/// Another app's bot user.
pub const HELPER_BOT: &str = "U0HELPER";
/// Public, the bot and Maya in it.
pub const GENERAL: &str = "C0GENERAL";
/// Public, the bot not in it.
pub const LOUNGE: &str = "C0LOUNGE";
/// Private, the bot in it.
pub const VIP: &str = "C0VIP";
/// Private, the bot not in it.
pub const SECRET: &str = "C0SECRET";
/// Public and archived, the bot in it.
pub const OLD: &str = "C0OLD";

pub type Connector = SlackClientHyperConnector<HttpConnector>;
pub type Client = SlackClient<Connector>;

pub fn workspace() -> FakeWorkspace {
    FakeWorkspace::new()
        .user(FakeUser::new(MAYA, "maya").real_name("Maya Lopez"))
        .user(FakeUser::new(LEO, "leo"))
        .user(FakeUser::new(GONE, "gone").deleted())
        .user(FakeUser::new(HELPER_BOT, "helper").bot())
        .channel(
            FakeChannel::public(GENERAL, "general")
                .with_bot()
                .members([MAYA]),
        )
        .channel(FakeChannel::public(LOUNGE, "lounge").members([MAYA, LEO]))
        .channel(FakeChannel::private(VIP, "vip").with_bot())
        .channel(FakeChannel::private(SECRET, "secret").members([LEO]))
        .channel(FakeChannel::public(OLD, "old-news").with_bot().archived())
}

pub async fn start() -> FakeSlack {
    FakeSlack::start(workspace()).await
}

pub fn client(fake: &FakeSlack) -> Arc<Client> {
    let connector = SlackClientHyperConnector::with_connector(HttpConnector::new())
        .with_slack_api_url(&fake.api_url());
    Arc::new(SlackClient::new(connector))
}

pub fn token(value: &str) -> SlackApiToken {
    SlackApiToken::new(SlackApiTokenValue::new(value.to_owned()))
}

pub fn bot_token() -> SlackApiToken {
    token(BOT_TOKEN)
}

pub fn app_token() -> SlackApiToken {
    token(APP_TOKEN)
}

pub fn channel_id(id: &str) -> SlackChannelId {
    SlackChannelId::new(id.to_owned())
}

pub fn user_id(id: &str) -> SlackUserId {
    SlackUserId::new(id.to_owned())
}

/// The Slack error code of a failed call (panics on success or another kind of error).
pub fn api_error<T: std::fmt::Debug>(result: ClientResult<T>) -> String {
    match result {
        Err(SlackClientError::ApiError(error)) => error.code,
        other => panic!("expected a Slack API error, got {other:?}"),
    }
}

/// What the listener's callbacks were given, in order.
#[derive(Debug)]
pub enum Seen {
    /// The hello as JSON: its type, `SlackSocketModeHelloEvent`, cannot be named outside
    /// slack-morphism (`models::socket_mode` is shadowed by the crate's own `socket_mode`).
    Hello(serde_json::Value),
    Command(Box<SlackCommandEvent>),
    Event(Box<SlackPushEventCallback>),
    Interaction(Box<SlackInteractionEvent>),
}

struct Forward(mpsc::UnboundedSender<Seen>);

async fn forward(states: &SlackClientEventsUserState, seen: Seen) {
    if let Some(Forward(sender)) = states.read().await.get_user_state::<Forward>() {
        let _ = sender.send(seen);
    }
}

/// Generic because the hello's type cannot be named; `with_hello_events` infers it.
async fn on_hello<E: serde::Serialize>(
    event: E,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) {
    let hello = serde_json::to_value(&event).unwrap_or_default();
    forward(&states, Seen::Hello(hello)).await;
}

/// Answers `pong {text}` in the ack, and `later {text}` through the response_url.
async fn on_command(
    event: SlackCommandEvent,
    client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    let text = event.text.clone().unwrap_or_default();
    let later = SlackApiPostWebhookMessageRequest::new(
        SlackMessageContent::new().with_text(format!("later {text}")),
    );
    client.respond_to_event(&event.response_url, &later).await?;
    forward(&states, Seen::Command(Box::new(event))).await;
    Ok(SlackCommandEventResponse::new(
        SlackMessageContent::new().with_text(format!("pong {text}")),
    ))
}

async fn on_event(
    event: SlackPushEventCallback,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    forward(&states, Seen::Event(Box::new(event))).await;
    Ok(())
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _client: Arc<Client>,
    states: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    forward(&states, Seen::Interaction(Box::new(event))).await;
    Ok(())
}

/// slack-morphism's Socket Mode listener on the fake, with `connections` connections that
/// reconnect after 1 s when refused.
pub struct Listener {
    listener: SlackClientSocketModeListener<Connector>,
    seen: mpsc::UnboundedReceiver<Seen>,
}

impl Listener {
    pub async fn start(fake: &FakeSlack, connections: u32) -> Listener {
        let (sender, seen) = mpsc::unbounded_channel();
        let environment = Arc::new(
            SlackClientEventsListenerEnvironment::new(client(fake))
                .with_user_state(Forward(sender)),
        );
        let callbacks = SlackSocketModeListenerCallbacks::new()
            .with_hello_events(on_hello)
            .with_command_events(on_command)
            .with_push_events(on_event)
            .with_interaction_events(on_interaction);
        let config = SlackClientSocketModeConfig::new()
            .with_max_connections_count(connections)
            .with_initial_backoff_in_seconds(0)
            .with_reconnect_timeout_in_seconds(1);
        let listener = SlackClientSocketModeListener::new(&config, environment, callbacks);
        listener
            .listen_for(&app_token())
            .await
            .expect("listen with the app token");
        listener.start().await;
        Listener { listener, seen }
    }

    /// The next thing seen that `pick` accepts (others are skipped); panics after
    /// [`PATIENCE`].
    pub async fn next<T>(&mut self, mut pick: impl FnMut(Seen) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            match tokio::time::timeout_at(deadline, self.seen.recv()).await {
                Ok(Some(seen)) => {
                    if let Some(found) = pick(seen) {
                        return found;
                    }
                }
                Ok(None) | Err(_) => panic!("the listener saw nothing wanted in time"),
            }
        }
    }

    pub async fn shutdown(self) {
        self.listener.shutdown().await;
    }
}
