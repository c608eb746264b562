//! The dispatcher: workers fan due outbox messages out into one delivery per platform, claim the
//! due deliveries of the platforms their process is connected to (`FOR UPDATE SKIP LOCKED`, under
//! a lease), resolve each recipient to the platform's own ids (creator → chat user → DM channel,
//! opened once and remembered; program channel → mapped channel; tier → mapped role or channel),
//! send it through that [`ChatPlatform`] at the configured rates, and record what happened: the
//! platform's message id, a retry (exponential backoff with a cap, or the platform's own
//! retry-after), a wait for an unmapped channel, or a failure that staff are told about. Any
//! number of workers, in any number of processes, may run at once: a delivery is held by one
//! worker at a time, and a worker that dies lets it come due again when the lease runs out.
//! Delivery is at least once: a worker that sends and dies before recording it sends again after
//! the lease.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::app::App;
use crate::charts::{Chart, ChartSpec};
use crate::chat::platforms::{ChatPlatform, Platforms};
use crate::chat::{Address, MessageKind, Outgoing, Platform, Recipient, SendError};
use crate::config::{Config, DispatchConfig};
use crate::db::deliveries::{self, Claimed, Outcome};
use crate::db::outbox::{self, NewMessage};
use crate::domain::Tier;
use crate::domain::channels::ProgramChannel;
use crate::domain::daytime::Daytime;
use crate::domain::messages::Message;
use crate::jobs::Clock;
use crate::templates::{Templates, Vars};

/// What one pass over a claimed batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub claimed: u64,
    pub sent: u64,
    pub retried: u64,
    /// DMs claimed outside the creator's daytime, put back until morning.
    pub deferred: u64,
    /// Deliveries whose channel or role is not mapped on their platform yet.
    pub waiting: u64,
    pub failed: u64,
    pub cancelled: u64,
    /// Rows whose lease ran out while this worker held them (another worker took over).
    pub lost: u64,
    /// Claimed rows handed back unsent because the worker was told to stop.
    pub handed_back: u64,
}

impl std::ops::AddAssign for Pass {
    fn add_assign(&mut self, o: Pass) {
        self.claimed += o.claimed;
        self.sent += o.sent;
        self.retried += o.retried;
        self.deferred += o.deferred;
        self.waiting += o.waiting;
        self.failed += o.failed;
        self.cancelled += o.cancelled;
        self.lost += o.lost;
        self.handed_back += o.handed_back;
    }
}

/// The delay before retry number `attempt` (1 = the first retry): `base · 2^(attempt-1)`, at most
/// `cap`.
pub fn backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
    base.checked_mul(factor).unwrap_or(cap).min(cap)
}

pub struct Dispatcher {
    pool: PgPool,
    platforms: Platforms,
    clock: Arc<dyn Clock>,
    config: DispatchConfig,
    daytime: Daytime,
    templates: Arc<Templates>,
    /// The whole configuration, for drawing the charts posts carry.
    app_config: Arc<Config>,
    global: Option<DefaultDirectRateLimiter>,
    per_platform: HashMap<Platform, DefaultDirectRateLimiter>,
    /// Only this program's rows, when set.
    program_id: Option<i64>,
}

fn limiter(per_second: u32) -> Option<DefaultDirectRateLimiter> {
    NonZeroU32::new(per_second).map(|n| RateLimiter::direct(Quota::per_second(n)))
}

impl Dispatcher {
    /// A dispatcher sending through `app`'s platforms, at the rates of `app`'s config.
    pub fn new(app: &App) -> Dispatcher {
        Dispatcher::with_config(app, &app.config.dispatch)
    }

    /// The same with other worker and rate settings.
    pub fn with_config(app: &App, config: &DispatchConfig) -> Dispatcher {
        let mut per_platform = HashMap::new();
        for (platform, rate) in [
            (Platform::Discord, config.discord_per_second),
            (Platform::Slack, config.slack_per_second),
            (Platform::Console, config.console_per_second),
        ] {
            if let Some(l) = limiter(rate) {
                per_platform.insert(platform, l);
            }
        }
        Dispatcher {
            pool: app.pool.clone(),
            platforms: app.platforms.clone(),
            clock: app.clock.clone(),
            config: config.clone(),
            daytime: app.config.lifecycle.daytime(),
            templates: app.templates.clone(),
            app_config: app.config.clone(),
            global: limiter(config.global_per_second),
            per_platform,
            program_id: None,
        }
    }

    /// Sends only `program_id`'s messages (a simulated clock must not reach other programs').
    pub fn only_program(mut self, program_id: i64) -> Dispatcher {
        self.program_id = Some(program_id);
        self
    }

    /// Fans out the messages that fell due, then claims one batch of deliveries as `worker` and
    /// handles every one of them.
    pub async fn run_once(&self, worker: &str) -> Result<Pass> {
        self.run_batch(worker, None).await
    }

    /// [`Dispatcher::run_once`], handing back at once the rest of the batch when `stop` turns true
    /// (the delivery being sent is finished first).
    async fn run_batch(&self, worker: &str, stop: Option<&watch::Receiver<bool>>) -> Result<Pass> {
        let now = self.clock.now();
        let lease = chrono::Duration::seconds(i64::from(self.config.lease_seconds));
        let kinds: Vec<&str> = self.platforms.kinds().iter().map(|p| p.as_str()).collect();
        let batch = i64::from(self.config.batch_size);
        let rows = {
            let mut conn = self.pool.acquire().await.context("connecting to send")?;
            deliveries::fan_out(&mut conn, now, batch, self.program_id).await?;
            if kinds.is_empty() {
                Vec::new()
            } else {
                deliveries::claim(
                    &mut conn,
                    worker,
                    &kinds,
                    now,
                    lease,
                    batch,
                    self.program_id,
                )
                .await?
            }
        };
        let mut pass = Pass {
            claimed: rows.len() as u64,
            ..Pass::default()
        };
        for row in rows {
            if stop.is_some_and(|s| *s.borrow()) {
                let mut conn = self.pool.acquire().await.context("handing back a claim")?;
                deliveries::release_one(&mut conn, row.id, worker).await?;
                pass.handed_back += 1;
                continue;
            }
            let outcome = self.handle(&row).await;
            let recorded =
                crate::jobs::record_retry::until_recorded(self.config.lease_seconds, || {
                    self.record(&row, worker, &outcome)
                })
                .await?;
            if !recorded {
                pass.lost += 1;
                continue;
            }
            match outcome {
                Outcome::Sent { .. } => pass.sent += 1,
                Outcome::Retry { .. } => pass.retried += 1,
                Outcome::Defer { .. } => pass.deferred += 1,
                Outcome::Wait { .. } => pass.waiting += 1,
                Outcome::Failed { .. } => pass.failed += 1,
                Outcome::Cancelled { .. } => pass.cancelled += 1,
            }
        }
        Ok(pass)
    }

    /// Runs passes as `worker` until nothing is due at the clock's current time.
    pub async fn drain(&self, worker: &str) -> Result<Pass> {
        let mut total = Pass::default();
        loop {
            let pass = self.run_once(worker).await?;
            total += pass;
            if pass.claimed == 0 {
                return Ok(total);
            }
        }
    }

    /// Decides about one claimed delivery and, when it should go out, sends it.
    async fn handle(&self, row: &Claimed) -> Outcome {
        let now = self.clock.now();
        let failed = |reason: String| Outcome::Failed { reason, at: now };
        let Some(kind) = MessageKind::parse(&row.kind) else {
            return failed(format!("unknown message kind {:?}", row.kind));
        };
        let Some(platform) = self
            .platforms
            .iter()
            .find(|p| p.platform().as_str() == row.platform)
        else {
            return Outcome::Retry {
                due_at: now,
                error: format!("{} is not connected", row.platform),
                counts: false,
            };
        };
        let to = match (kind, row.creator_id, &row.handle, &row.channel) {
            (MessageKind::Dm | MessageKind::Membership, Some(id), Some(handle), _) => {
                Recipient::Creator {
                    creator_id: id,
                    handle: handle.clone(),
                }
            }
            (MessageKind::Dm, None, _, _) if row.payload["to"]["user_id"].is_string() => {
                Recipient::ChatUser {
                    user_id: row.payload["to"]["user_id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                }
            }
            (MessageKind::Dm | MessageKind::Membership, _, _, _) => {
                return failed("the creator it was for no longer exists".into());
            }
            (_, _, _, Some(channel)) => match channel.parse::<ProgramChannel>() {
                Ok(channel) => Recipient::Channel(channel),
                Err(e) => return failed(e.to_string()),
            },
            (_, _, _, None) => return failed("the message names no channel".into()),
        };
        if kind == MessageKind::Dm {
            if row.opted_out {
                return Outcome::Cancelled {
                    reason: "creator opted out".into(),
                };
            }
            let tz: Tz = row.timezone.parse().unwrap_or(Tz::UTC);
            if !self.daytime.contains(now, tz) {
                return Outcome::Defer {
                    due_at: self.daytime.next_allowed(now, tz),
                };
            }
        }
        let address = match self.address(row, kind, platform.as_ref()).await {
            Ok(address) => address,
            Err(outcome) => return outcome,
        };
        let mut text = match self.text(row, kind) {
            Ok(text) => text,
            Err(e) => return failed(format!("{e:#}")),
        };
        let (charts, missing) = self.charts(row).await;
        for kind in missing {
            text.push_str(&format!("\n(The {kind} chart could not be drawn.)"));
        }
        let message = Outgoing {
            outbox_id: row.outbox_id,
            delivery_id: row.id,
            program_id: row.program_id,
            dedupe_key: row.dedupe_key.clone(),
            kind,
            to,
            address,
            template: row.template.clone(),
            text,
            payload: row.payload.clone(),
            charts,
        };
        self.wait_for_rate(platform.platform()).await;
        let result = crate::metrics::timed_send(platform.platform(), platform.send(&message)).await;
        if let (Err(e), Address::Direct { user_id, .. } | Address::Membership { user_id, .. }) =
            (&result, &message.address)
        {
            self.note_gone(row, user_id, e).await;
        }
        self.outcome(row, result.map(|d| d.message_id))
    }

    /// A recipient who left the workspace: their account there is marked as left, so nothing
    /// more is fanned out to it (a later delivery already queued finds no account and is
    /// cancelled).
    async fn note_gone(&self, row: &Claimed, user_id: &str, error: &SendError) {
        if !matches!(error, SendError::Gone(_)) {
            return;
        }
        let workspace = row.workspace_id.as_deref().unwrap_or_default();
        let marked = async {
            let mut conn = self.pool.acquire().await?;
            crate::db::chat::mark_left(
                &mut *conn,
                row.program_id,
                &row.platform,
                workspace,
                user_id,
                self.clock.now(),
            )
            .await
        };
        if let Err(e) = marked.await {
            tracing::warn!(delivery = row.id, "marking the chat account as left: {e:#}");
        }
    }

    /// The delivery's address on its platform, or the outcome that stops it here: the creator's
    /// account is gone, the channel or role is not mapped yet, the DM channel could not be opened.
    async fn address(
        &self,
        row: &Claimed,
        kind: MessageKind,
        platform: &dyn ChatPlatform,
    ) -> Result<Address, Outcome> {
        let name = platform.platform().as_str();
        let unmapped = |what: String| Outcome::Wait {
            reason: format!(
                "{what} is not mapped on {name}: run the {name} setup or `creator-bot channels set`"
            ),
        };
        match kind {
            MessageKind::Dm => {
                let Some(user_id) = row.user_id.clone() else {
                    return Err(Outcome::Cancelled {
                        reason: format!("the creator's {name} account is no longer linked"),
                    });
                };
                let channel_id = match &row.dm_channel_id {
                    Some(id) => id.clone(),
                    None => {
                        let opened = platform.open_dm(&user_id).await;
                        let id = match opened {
                            Ok(id) => id,
                            Err(e) => {
                                self.note_gone(row, &user_id, &e).await;
                                return Err(self.outcome(row, Err(e)));
                            }
                        };
                        if let Err(e) = self.remember_dm(row, &user_id, &id).await {
                            tracing::warn!(delivery = row.id, "keeping the DM channel: {e:#}");
                        }
                        id
                    }
                };
                Ok(Address::Direct {
                    user_id,
                    channel_id,
                })
            }
            MessageKind::Membership => {
                let Some(user_id) = row.user_id.clone() else {
                    return Err(Outcome::Cancelled {
                        reason: format!("the creator's {name} account is no longer linked"),
                    });
                };
                let tier = row.payload["tier"].as_str().unwrap_or_default();
                if tier == Tier::NewAndPromising.as_str() {
                    // The bottom tier has no channel and no role: nothing to grant or revoke.
                    return Err(Outcome::Cancelled {
                        reason: "New & Promising has no channel or role".into(),
                    });
                }
                if row.role_id.is_none() && row.channel_id.is_none() {
                    let channel = tier
                        .parse::<ProgramChannel>()
                        .map_or(format!("the {tier} tier"), |c| c.to_string());
                    return Err(unmapped(format!("{channel} (its channel and role)")));
                }
                Ok(Address::Membership {
                    workspace_id: row.workspace_id.clone().unwrap_or_default(),
                    user_id,
                    grant: row.payload["action"].as_str() != Some("revoke"),
                    role_id: row.role_id.clone(),
                    channel_id: row.channel_id.clone(),
                })
            }
            MessageKind::Channel | MessageKind::StaffAlert => match &row.channel_id {
                Some(id) => Ok(Address::Channel {
                    channel_id: id.clone(),
                }),
                None => {
                    let key = row.channel.as_deref().unwrap_or_default();
                    Err(unmapped(ProgramChannel::display_key(key)))
                }
            },
        }
    }

    async fn remember_dm(&self, row: &Claimed, user_id: &str, id: &str) -> Result<()> {
        let workspace = row.workspace_id.as_deref().unwrap_or_default();
        let mut conn = self.pool.acquire().await?;
        deliveries::remember_dm_channel(
            &mut conn,
            row.program_id,
            &row.platform,
            workspace,
            user_id,
            id,
        )
        .await
    }

    /// What a send's result means for the delivery.
    fn outcome(&self, row: &Claimed, result: Result<String, SendError>) -> Outcome {
        let now = self.clock.now();
        match result {
            Ok(message_id) => Outcome::Sent {
                message_id,
                at: now,
            },
            Err(SendError::RetryAfter(wait)) => Outcome::Retry {
                due_at: now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX),
                error: SendError::RetryAfter(wait).to_string(),
                counts: false,
            },
            Err(SendError::Transient(error)) => {
                let attempt = u32::try_from(row.attempts).unwrap_or(u32::MAX);
                if attempt >= self.config.max_attempts {
                    Outcome::Failed {
                        reason: format!("gave up after {attempt} attempts: {error}"),
                        at: now,
                    }
                } else {
                    let wait = backoff(
                        attempt,
                        Duration::from_secs(u64::from(self.config.backoff_base_seconds)),
                        Duration::from_secs(u64::from(self.config.backoff_cap_seconds)),
                    );
                    Outcome::Retry {
                        due_at: now + chrono::Duration::from_std(wait).unwrap_or_default(),
                        error,
                        counts: true,
                    }
                }
            }
            Err(SendError::Permanent(reason) | SendError::Gone(reason)) => {
                Outcome::Failed { reason, at: now }
            }
        }
    }

    /// The row's text as queued, or rendered now from its template and `vars` (a membership
    /// action has none).
    fn text(&self, row: &Claimed, kind: MessageKind) -> Result<String> {
        if let Some(text) = row.payload.get("text").and_then(|t| t.as_str())
            && !text.is_empty()
        {
            return Ok(text.to_string());
        }
        if kind == MessageKind::Membership {
            return Ok(String::new());
        }
        match (&row.template, row.payload.get("vars")) {
            (Some(template), Some(vars)) => self.templates.render_json(template, vars),
            _ => anyhow::bail!("the message has no text"),
        }
    }

    /// The charts the row carries, drawn from the data as it is now; and the kinds of those that
    /// could not be drawn (the post goes out without them, saying so, rather than not at all).
    async fn charts(&self, row: &Claimed) -> (Vec<Chart>, Vec<String>) {
        let Some(specs) = row.payload.get("charts").and_then(|c| c.as_array()) else {
            return (Vec::new(), Vec::new());
        };
        let (mut drawn, mut missing) = (Vec::new(), Vec::new());
        let program = match crate::db::programs::by_id(&self.pool, row.program_id).await {
            Ok(Some(program)) => Some(program),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(outbox_id = row.outbox_id, "reading a post's program: {e:#}");
                None
            }
        };
        for spec in specs {
            let kind = spec["kind"].as_str().unwrap_or("requested").to_string();
            let chart = match (&program, serde_json::from_value::<ChartSpec>(spec.clone())) {
                (Some(program), Ok(spec)) => {
                    crate::charts::draw(&self.pool, &self.app_config, program, &spec).await
                }
                (None, _) => Err(anyhow::anyhow!("the post's program no longer exists")),
                (_, Err(e)) => Err(anyhow::anyhow!("the chart's description is not valid: {e}")),
            };
            match chart {
                Ok(chart) => drawn.push(chart),
                Err(e) => {
                    tracing::warn!(outbox_id = row.outbox_id, chart = %kind, "drawing a chart: {e:#}");
                    missing.push(kind);
                }
            }
        }
        (drawn, missing)
    }

    async fn wait_for_rate(&self, platform: Platform) {
        if let Some(global) = &self.global {
            global.until_ready().await;
        }
        if let Some(l) = self.per_platform.get(&platform) {
            l.until_ready().await;
        }
    }

    /// Stores the outcome; a failure also queues a staff alert in the same transaction (unless
    /// the failed message was itself a staff alert, which is logged instead).
    async fn record(&self, row: &Claimed, worker: &str, outcome: &Outcome) -> Result<bool> {
        if !matches!(outcome, Outcome::Failed { .. }) {
            // One statement: no transaction round trips on the common path.
            let mut conn = self.pool.acquire().await.context("recording a send")?;
            return deliveries::settle(&mut conn, row.id, worker, outcome).await;
        }
        let mut tx = self.pool.begin().await.context("recording a send")?;
        let held = deliveries::settle(&mut tx, row.id, worker, outcome).await?;
        if held && let Outcome::Failed { reason, at } = outcome {
            if row.kind == MessageKind::StaffAlert.as_str() {
                tracing::error!(
                    outbox_id = row.outbox_id,
                    platform = %row.platform,
                    %reason,
                    "a staff alert could not be delivered"
                );
            } else {
                let alert = failure_alert(&self.templates, row, reason, *at)?;
                outbox::enqueue(&mut tx, &alert).await?;
            }
        }
        tx.commit().await.context("recording a send")?;
        Ok(held)
    }

    /// Starts `config.workers` workers named `{name}-{n}` that claim and send until `stop` turns
    /// true; an idle worker looks again every `poll_interval_ms`. A worker that hits a database
    /// error logs it and tries again after the same pause. A worker stops claiming as soon as
    /// `stop` turns true; the delivery it is sending is finished first and the rest of its batch
    /// is handed back at once.
    pub fn spawn(
        self: &Arc<Self>,
        name: &str,
        stop: watch::Receiver<bool>,
    ) -> Vec<JoinHandle<Pass>> {
        (1..=self.config.workers)
            .map(|n| {
                let this = Arc::clone(self);
                let worker = format!("{name}-{n}");
                let mut stop = stop.clone();
                tokio::spawn(async move {
                    let mut total = Pass::default();
                    let idle = Duration::from_millis(u64::from(this.config.poll_interval_ms));
                    while !*stop.borrow() {
                        match this.run_batch(&worker, Some(&stop)).await {
                            Ok(pass) => {
                                total += pass;
                                if pass.claimed > 0 {
                                    continue;
                                }
                            }
                            Err(e) => tracing::warn!(worker, "sending failed: {e:#}"),
                        }
                        tokio::select! {
                            _ = stop.changed() => {}
                            _ = tokio::time::sleep(idle) => {}
                        }
                    }
                    total
                })
            })
            .collect()
    }
}

/// The staff alert for a message that will never be delivered.
fn failure_alert(
    templates: &Templates,
    row: &Claimed,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<NewMessage> {
    let what = match (row.kind.as_str(), &row.handle, &row.channel) {
        ("dm", Some(h), _) => format!("a DM to @{h}"),
        ("dm", None, None) => "a welcome DM to a new member".to_string(),
        ("membership", Some(h), _) => format!("a tier membership change for @{h}"),
        (_, _, Some(c)) => format!("a post in {}", ProgramChannel::display_key(c)),
        _ => "a message".to_string(),
    };
    let vars = Vars::new()
        .set("what", what)
        .set("template", row.template.clone())
        .set("reason", reason.to_string());
    Ok(NewMessage {
        program_id: row.program_id,
        dedupe_key: format!("alert:delivery_failed:{}", row.outbox_id),
        kind: MessageKind::StaffAlert,
        creator_id: row.creator_id,
        channel: Some(ProgramChannel::Staff),
        template: Some(Message::DeliveryFailedAlert.name().into()),
        text: templates.render(Message::DeliveryFailedAlert, &vars)?,
        extra: serde_json::json!({ "failed_outbox_id": row.outbox_id, "platform": row.platform }),
        due_at: at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let base = Duration::from_secs(30);
        let cap = Duration::from_secs(3600);
        let got: Vec<u64> = (1..=9).map(|a| backoff(a, base, cap).as_secs()).collect();
        assert_eq!(got, vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff(200, base, cap), cap);
    }
}
