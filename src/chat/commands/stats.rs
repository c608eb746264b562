//! `/kpi`, `/creator`, `/leaderboard` and `/mystats`: the stats features, worded for chat. A
//! creator's leaderboard shows other creators by handle and rank only.

use anyhow::{Result, bail};
use chrono_tz::Tz;

use super::parse::CreatorRef;
use super::{Context, Outcome, Reply, Role, Table};
use crate::db::chat as chat_db;
use crate::domain::{Handle, Period, PeriodSpec, format_cents};
use crate::features::stats::{self, CreatorCard, Metric, ProgramKpis, SampleStatus};
use crate::features::tiers;

/// Places shown on a leaderboard.
const LEADERBOARD_SIZE: u32 = 10;
/// Shown for a quantity that has no value (e.g. AOV without orders).
const NONE: &str = "—";

fn period_of(ctx: &Context<'_>, spec: PeriodSpec) -> Period {
    spec.resolve(ctx.today())
}

pub async fn kpi(ctx: &Context<'_>, spec: PeriodSpec) -> Result<Reply> {
    let period = period_of(ctx, spec);
    let k = stats::program_kpis(ctx.pool, ctx.program, period).await?;
    Ok(Reply::done(format!("KPIs for {}, {period}", ctx.program.name)).table(kpi_table(&k)))
}

fn kpi_table(k: &ProgramKpis) -> Table {
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
                .map_or(NONE.to_string(), |d| format!("{d:.1}")),
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
    Table::pairs(rows)
}

pub async fn creator(ctx: &Context<'_>, who: CreatorRef, spec: PeriodSpec) -> Result<Reply> {
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
                    return Ok(Reply::of(
                        Outcome::Invalid,
                        "That user isn't linked to a creator. Give their TikTok handle instead.",
                    ));
                }
            }
        }
    };
    let period = period_of(ctx, spec);
    let card = stats::creator_card(ctx.pool, ctx.program, &handle, period).await?;
    let tz = ctx.program.timezone;
    let mut reply = Reply::done(format!("@{}, {period}", card.handle)).table(staff_card(&card, tz));
    if !card.samples.is_empty() {
        reply = reply.line("Samples").table(samples_table(&card, tz));
    }
    Ok(reply)
}

fn staff_card(c: &CreatorCard, tz: Tz) -> Table {
    let money = |cents: i64| format_cents(cents, &c.currency);
    let opt_money = |cents: Option<i64>| cents.map_or(NONE.to_string(), money);
    let s = &c.sales;
    let tier = if c.tier_pinned {
        format!("{} (pinned)", c.tier)
    } else {
        c.tier.to_string()
    };
    Table::pairs(
        [
            ("Tier", tier),
            ("Tier reason", c.tier_reason.clone().unwrap_or(NONE.into())),
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
            ("Commission / revenue", percent(s.commission_to_revenue)),
            ("Videos", count(c.videos)),
            ("Views", count(c.views)),
            ("Engagement rate", percent(c.engagement_rate)),
            ("Sample conversion", percent(c.sample_conversion_rate)),
            ("Program cost", money(c.program_cost_cents)),
            ("ROI", percent(c.roi)),
            ("Last video", last_video(c, tz)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v)),
    )
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
                    day(s.first_video_at.map(|t| t.with_timezone(&tz).date_naive())),
                    s.status.as_str().replace('_', " "),
                ]
            })
            .collect(),
        right_aligned: vec![],
    }
}

pub async fn my_stats(ctx: &Context<'_>, spec: PeriodSpec) -> Result<Reply> {
    let Role::Creator { handle, .. } = ctx.role else {
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
    Ok(reply)
}

pub async fn leaderboard(ctx: &Context<'_>, metric: Metric, spec: PeriodSpec) -> Result<Reply> {
    let period = period_of(ctx, spec);
    let rows = stats::leaderboard(ctx.pool, ctx.program, metric, period, LEADERBOARD_SIZE).await?;
    let heading = format!("Leaderboard by {}, {period}", metric_name(metric));
    let value = |v: i64| match metric {
        Metric::Gmv => format_cents(v, &ctx.program.currency),
        Metric::Videos | Metric::Views => count(v),
    };
    let creator_id = match ctx.role {
        Role::Creator { creator_id, .. } => Some(*creator_id),
        _ => None,
    };
    if rows.is_empty() {
        return Ok(Reply::done(format!("{heading}: nobody yet")));
    }
    let Some(creator_id) = creator_id else {
        let table = Table {
            header: Some(vec![
                "#".into(),
                "Creator".into(),
                metric_name(metric).into(),
            ]),
            rows: rows
                .iter()
                .map(|r| vec![r.rank.to_string(), format!("@{}", r.handle), value(r.value)])
                .collect(),
            right_aligned: vec![0, 2],
        };
        return Ok(Reply::done(heading).table(table));
    };
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
    Ok(Reply::done(heading).table(table).line(you))
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
