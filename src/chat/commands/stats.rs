//! `/kpi`, `/creator`, `/leaderboard` and `/mystats`: the stats features, worded for people. A
//! creator's leaderboard shows other creators by handle and rank only. The replies of the KPIs,
//! a creator's card and the staff leaderboard are built here once, for the chat and the command
//! line alike.

use anyhow::{Result, bail};
use chrono_tz::Tz;

use super::parse::CreatorRef;
use super::{Context, Reply, Rich, Role, Table};
use crate::charts::{self, ChartSpec};
use crate::db::chat as chat_db;
use crate::domain::{Handle, Period, PeriodSpec, format_cents};
use crate::features::stats::{
    self, CreatorCard, LeaderboardRow, Metric, ProgramKpis, SampleStatus,
};
use crate::features::tiers;

/// Places shown on a leaderboard.
const LEADERBOARD_SIZE: u32 = 10;
/// Shown for a quantity that has no value (e.g. AOV without orders).
const NONE: &str = "—";

fn period_of(ctx: &Context<'_>, spec: PeriodSpec) -> Period {
    spec.resolve(ctx.today())
}

pub(super) async fn kpi(ctx: &Context<'_>, spec: PeriodSpec) -> Result<Reply> {
    let period = period_of(ctx, spec);
    let k = stats::program_kpis(ctx.pool, ctx.program, period).await?;
    Ok(kpi_reply(&ctx.program.name, &k))
}

/// The program's KPIs: one field per KPI, then the Pareto shares.
pub fn kpi_reply(program_name: &str, k: &ProgramKpis) -> Reply {
    let period = Period {
        from: k.from,
        to: k.to,
    };
    Reply::titled(Rich::fill("KPIs for {}, ", &[program_name]).plain(period.to_string()))
        .fields(plain(kpi_rows(k)))
}

fn kpi_rows(k: &ProgramKpis) -> Vec<(String, String)> {
    let money = |c: i64| format_cents(c, &k.currency);
    let opt_money = |c: Option<i64>| c.map_or(NONE.to_string(), money);
    let s = &k.sales;
    let mut rows: Vec<(String, String)> = [
        ("GMV (net)", money(s.gmv_cents)),
        ("Gross GMV", money(s.gross_gmv_cents)),
        ("Refunded GMV", money(s.refunded_gmv_cents)),
        ("Orders", count(s.orders)),
        ("Average order value", opt_money(s.aov_cents)),
        ("Commission", money(s.commission_cents)),
        ("  estimated", money(s.commission_estimated_cents)),
        ("  actual", money(s.commission_actual_cents)),
        ("Commission / revenue", percent(s.commission_to_revenue)),
        ("Selling creators", count(k.selling_creators as i64)),
        (
            "GMV per selling creator",
            opt_money(k.gmv_per_creator_cents),
        ),
        ("Activated creators", count(k.activated_creators)),
        ("Sample conversion", percent(k.sample_conversion_rate)),
        (
            "Median days to first sale",
            k.median_days_to_first_sale
                .map_or(NONE.to_string(), |d| format!("{d:.1} days")),
        ),
        ("Program cost", money(k.program_cost_cents)),
        ("ROI", percent(k.roi)),
        ("Cost per order", opt_money(k.cpa_cents)),
        ("CLV (lifetime GMV per seller)", opt_money(k.clv_cents)),
        ("Views", count(k.views)),
        ("Engagement rate", percent(k.engagement_rate)),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect();
    for p in &k.pareto {
        let who = if p.creators == 1 {
            "creator"
        } else {
            "creators"
        };
        rows.push((
            format!("Top {}% ({} {who}) GMV share", p.top_percent, p.creators),
            percent(p.gmv_share),
        ));
    }
    rows
}

/// Values we computed, shown as they are.
fn plain(rows: Vec<(String, String)>) -> Vec<(String, Rich)> {
    rows.into_iter().map(|(k, v)| (k, Rich::from(v))).collect()
}

pub(super) async fn creator(ctx: &Context<'_>, who: CreatorRef, spec: PeriodSpec) -> Result<Reply> {
    let handle = match who {
        CreatorRef::Handle(h) => h,
        CreatorRef::ChatUser(user_id) => {
            let platform = ctx.caller.platform.as_str();
            let identity = chat_db::identity(
                ctx.pool,
                ctx.program.id,
                platform,
                &ctx.caller.workspace_id,
                &user_id,
            )
            .await?;
            match identity.and_then(|i| i.handle) {
                Some(handle) => Handle::parse(&handle)?,
                None => {
                    return Ok(Reply::refused(
                        "That user isn't linked to a creator. Give their TikTok handle instead.",
                    ));
                }
            }
        }
    };
    let period = period_of(ctx, spec);
    let card = stats::creator_card(ctx.pool, ctx.program, &handle, period).await?;
    Ok(creator_reply(&card, ctx.program.timezone))
}

/// A creator's card for staff: who they are, their numbers, their samples, then the last
/// messages the bot sent them. Times are shown in `tz`, the program's time zone.
pub fn creator_reply(card: &CreatorCard, tz: Tz) -> Reply {
    let period = Period {
        from: card.from,
        to: card.to,
    };
    let mut reply = Reply::titled(Rich::fill("@{}, ", &[&card.handle]).plain(period.to_string()))
        .fields(staff_card(card, tz));
    if !card.samples.is_empty() {
        reply = reply.line("Samples").table(samples_table(card, tz));
    }
    if !card.last_messages.is_empty() {
        reply = reply
            .line("Last messages")
            .table(last_messages_table(card, tz));
    }
    reply
}

/// What the bot last sent the creator and how each went: staff's first stop when a creator says
/// they never got a message. Errors come from the platforms, so cells stay user data.
fn last_messages_table(c: &CreatorCard, tz: Tz) -> Table {
    Table {
        header: Some(["Due", "Message", "State"].map(String::from).to_vec()),
        rows: c
            .last_messages
            .iter()
            .map(|m| {
                vec![
                    m.due_at
                        .with_timezone(&tz)
                        .format("%Y-%m-%d %H:%M %Z")
                        .to_string(),
                    m.message.clone(),
                    m.state.clone(),
                ]
            })
            .collect(),
        right_aligned: vec![],
    }
}

fn staff_card(c: &CreatorCard, tz: Tz) -> Vec<(String, Rich)> {
    let money = |cents: i64| format_cents(cents, &c.currency);
    let opt_money = |cents: Option<i64>| cents.map_or(NONE.to_string(), money);
    let s = &c.sales;
    let tier = if c.tier_pinned {
        format!("{} (pinned)", c.tier)
    } else {
        c.tier.to_string()
    };
    let reason = c
        .tier_reason
        .as_deref()
        .map_or(Rich::from(NONE), Rich::user);
    let last_video = c.last_video.as_ref().map_or(Rich::from(NONE), |v| {
        let views = v.views.map_or(NONE.to_string(), count);
        Rich::user(&v.content_id).plain(format!(
            " on {} ({views} views)",
            v.posted_at.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z")
        ))
    });
    let mut rows = vec![("Tier".to_string(), Rich::from(tier))];
    rows.push(("Tier reason".to_string(), reason));
    rows.extend(plain(
        [
            ("Rank by GMV", rank(c.rank)),
            ("Joined", c.joined_on.to_string()),
            (
                "First sale",
                c.first_sale_on.map_or(NONE.to_string(), |d| d.to_string()),
            ),
            ("Lifetime GMV", money(c.lifetime_gmv_cents)),
            ("GMV (net)", money(s.gmv_cents)),
            ("Gross GMV", money(s.gross_gmv_cents)),
            ("Refunded GMV", money(s.refunded_gmv_cents)),
            ("Orders", count(s.orders)),
            ("Average order value", opt_money(s.aov_cents)),
            ("Commission", money(s.commission_cents)),
            ("  estimated", money(s.commission_estimated_cents)),
            ("  actual", money(s.commission_actual_cents)),
            ("Commission / revenue", percent(s.commission_to_revenue)),
            ("Videos", count(c.videos)),
            ("Views", count(c.views)),
            ("Engagement rate", percent(c.engagement_rate)),
            ("Sample conversion", percent(c.sample_conversion_rate)),
            ("Program cost", money(c.program_cost_cents)),
            ("ROI", percent(c.roi)),
            ("Cost per order", opt_money(c.cpa_cents)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
    ));
    rows.push(("Last video".to_string(), last_video));
    rows
}

fn samples_table(c: &CreatorCard, tz: Tz) -> Table {
    let day = |d: Option<chrono::NaiveDate>| d.map_or(NONE.to_string(), |d| d.to_string());
    Table {
        header: Some(
            ["Product", "Shipped", "Delivered", "First video", "Status"]
                .map(String::from)
                .to_vec(),
        ),
        rows: c
            .samples
            .iter()
            .map(|s| {
                vec![
                    s.product_id.clone(),
                    s.shipped_on.to_string(),
                    day(s.delivered_on),
                    s.first_video_at.map_or(NONE.to_string(), |t| {
                        t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string()
                    }),
                    s.status.as_str().replace('_', " "),
                ]
            })
            .collect(),
        right_aligned: vec![],
    }
}

pub(super) async fn my_stats(ctx: &Context<'_>, spec: PeriodSpec) -> Result<Reply> {
    let Role::Creator {
        handle, creator_id, ..
    } = ctx.role
    else {
        bail!("/mystats reached without a creator");
    };
    let handle = Handle::parse(handle)?;
    let period = period_of(ctx, spec);
    let card = stats::creator_card(ctx.pool, ctx.program, &handle, period).await?;
    let why = tiers::why(ctx.pool, ctx.program, &ctx.config.tiers, &handle, ctx.now).await?;
    let money = |cents: i64| format_cents(cents, &card.currency);
    let s = &card.sales;
    let delivered = card.samples.iter().filter(|s| s.delivered_on.is_some());
    let posted = card
        .samples
        .iter()
        .filter(|s| s.status == SampleStatus::Posted);
    let table = Table::pairs(
        [
            ("Tier", card.tier.to_string()),
            ("GMV", money(s.gmv_cents)),
            ("Refunded", money(s.refunded_gmv_cents)),
            ("Orders", count(s.orders)),
            ("Commission", money(s.commission_cents)),
            ("Rank by GMV", rank(card.rank)),
            ("Videos", count(card.videos)),
            ("Views", count(card.views)),
            ("Engagement rate", percent(card.engagement_rate)),
            ("Lifetime GMV", money(card.lifetime_gmv_cents)),
            (
                "Samples",
                format!(
                    "{} received, {} with a video",
                    delivered.count(),
                    posted.count()
                ),
            ),
            ("Last video", last_video(&card, ctx.program.timezone)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v)),
    );
    let mut reply = Reply::done(format!("Your stats (@{}), {period}", card.handle)).table(table);
    // A pin's reason is a staff note; the rule their numbers meet is theirs to know.
    if !why.pinned {
        reply = reply.line(format!("Why {}: {}", why.tier, why.reason));
    }
    reply = match why.next_tier_hints.split_first() {
        Some((first, rest)) => {
            let mut text = format!("To move up: {first}");
            for hint in rest {
                text.push_str(&format!("\n        or: {hint}"));
            }
            reply.line(text)
        }
        None => reply.line("You're in the top tier. Keep it up!"),
    };
    // Their own sales and videos per day over the same days: the chart is drawn from their
    // creator id alone, so it cannot show anyone else's numbers.
    let spec = ChartSpec::Creator {
        creator_id: *creator_id,
        from: period.from,
        to: period.to,
    };
    let chart = charts::draw(ctx.pool, ctx.config, ctx.program, &spec).await?;
    Ok(reply.image(chart.png, &chart.file_name, &chart.alt))
}

pub(super) async fn leaderboard(
    ctx: &Context<'_>,
    metric: Metric,
    spec: PeriodSpec,
) -> Result<Reply> {
    let period = period_of(ctx, spec);
    let rows = stats::leaderboard(ctx.pool, ctx.program, metric, period, LEADERBOARD_SIZE).await?;
    let currency = &ctx.program.currency;
    let Role::Creator { creator_id, .. } = ctx.role else {
        return Ok(leaderboard_reply(metric, period, currency, &rows));
    };
    let creator_id = *creator_id;
    let heading = format!("Leaderboard by {}, {period}", metric_name(metric));
    if rows.is_empty() {
        return Ok(Reply::titled(format!("{heading}: nobody yet")));
    }
    let value = |v: i64| metric_value(metric, currency, v);
    let table = Table {
        header: Some(vec!["#".into(), "Creator".into()]),
        rows: rows
            .iter()
            .map(|r| vec![r.rank.to_string(), format!("@{}", r.handle)])
            .collect(),
        right_aligned: vec![0],
    };
    let own = stats::place_of(ctx.pool, ctx.program, metric, period, creator_id).await?;
    let you = match own {
        Some(place) => format!(
            "You: #{} with {}",
            place.rank,
            match metric {
                Metric::Gmv => value(place.value),
                Metric::Videos => plural(place.value, "video", "videos"),
                Metric::Views => plural(place.value, "view", "views"),
            }
        ),
        None => format!(
            "You're not on this board yet: {} in the period puts you on it.",
            match metric {
                Metric::Gmv => "a sale",
                Metric::Videos => "a video posted",
                Metric::Views => "a video with views",
            }
        ),
    };
    Ok(Reply::titled(heading).table(table).line(you))
}

/// The staff leaderboard: places, handles and values.
pub fn leaderboard_reply(
    metric: Metric,
    period: Period,
    currency: &str,
    rows: &[LeaderboardRow],
) -> Reply {
    let heading = format!("Leaderboard by {}, {period}", metric_name(metric));
    if rows.is_empty() {
        return Reply::titled(format!("{heading}: nobody yet"));
    }
    Reply::titled(heading).table(Table {
        header: Some(vec![
            "#".into(),
            "Creator".into(),
            metric_name(metric).into(),
        ]),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.rank.to_string(),
                    format!("@{}", r.handle),
                    metric_value(metric, currency, r.value),
                ]
            })
            .collect(),
        right_aligned: vec![0, 2],
    })
}

fn metric_value(metric: Metric, currency: &str, v: i64) -> String {
    match metric {
        Metric::Gmv => format_cents(v, currency),
        Metric::Videos | Metric::Views => count(v),
    }
}

fn metric_name(metric: Metric) -> &'static str {
    match metric {
        Metric::Gmv => "GMV",
        Metric::Videos => "Videos",
        Metric::Views => "Views",
    }
}

fn last_video(c: &CreatorCard, tz: Tz) -> String {
    c.last_video.as_ref().map_or(NONE.to_string(), |v| {
        format!(
            "{} ({} views)",
            v.posted_at.with_timezone(&tz).format("%Y-%m-%d"),
            v.views.map_or(NONE.to_string(), count)
        )
    })
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

fn rank(r: Option<i64>) -> String {
    r.map_or(NONE.to_string(), |r| format!("#{r}"))
}

fn percent(ratio: Option<f64>) -> String {
    ratio.map_or(NONE.to_string(), |r| format!("{:.2}%", r * 100.0))
}

/// `1234567` → `1,234,567`.
fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
