//! The demo program's life after its history: day by day, new orders, videos, samples shipped and
//! delivered, and a few creators joining, drawn from the seed so the same seed lives the same
//! life. On the third day one creator goes viral: a video of theirs sells hundreds of orders in
//! a day, then fewer each day after (the tier check jumps them to All-Stars and tells staff).
//! Each stretch of time comes out as the CSV files a brand would import, so it goes through the
//! real import.

mod files;

pub use files::{Added, Stretch, import};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, Poisson, WeightedAliasIndex};

use super::synth::{FIRST_NAMES, NICHES, PRODUCTS, World};
use crate::domain::timefmt::{local_day, local_to_utc};

/// Where creators who join during the run live: farther afield than the history's, so some DMs
/// go out at hours far from the program's own.
const NEW_CREATOR_ZONES: &[&str] = &[
    "America/New_York",
    "America/Los_Angeles",
    "Europe/London",
    "Asia/Tokyo",
    "Australia/Sydney",
];

/// Weight of a creator who just joined (about that of a seller ranked 150th).
const NEWCOMER_WEIGHT: f64 = 0.002;

/// Extra orders of the creator who goes viral, from the third day on (about $12,000 on the
/// first day: over the viral threshold in a single day).
const VIRAL_LINES: &[f64] = &[0.0, 0.0, 420.0, 200.0, 100.0, 50.0, 25.0];

/// What All-Stars answer the weekly check-in.
const CHECKIN_ANSWERS: &[&str] = &[
    "Filming a get-ready-with-me with the Glow Vitamin C Serum. Could I try the SPF 50 Daily Fluid too?",
    "Two videos planned with the Body Glow Oil. Any chance of a better rate on it?",
    "A night-routine video with the Retinol Night Cream; I need a brief on what we may claim.",
    "Going LIVE on Thursday. Could you send two Travel Mini Sets for a giveaway?",
    "Re-filming my best video with the Hydra Barrier Moisturizer. All good on my side!",
    "Taking a few days off, back with new videos next week.",
];

/// Share of All-Stars who answer a check-in.
const CHECKIN_ANSWER_SHARE: f64 = 0.5;

struct Creator {
    handle: String,
    weight: f64,
    rate_bp: i64,
    videos: Vec<u64>,
}

/// Something that happens at an instant.
struct Event {
    at: DateTime<Utc>,
    /// Ties keep the order they were planned in.
    seq: u64,
    what: What,
}

enum What {
    Joined {
        creator: usize,
        first_name: &'static str,
        timezone: &'static str,
        niche: &'static str,
    },
    Order {
        creator: usize,
    },
    Video {
        creator: usize,
        product: usize,
    },
    Sample {
        creator: usize,
        product: usize,
        shipped_on: NaiveDate,
        delivered_on: Option<NaiveDate>,
        cost: i64,
    },
}

/// The program's life; see the module documentation.
pub struct Life {
    rng: ChaCha8Rng,
    /// Kept apart so answering check-ins does not change what else happens.
    answers: ChaCha8Rng,
    tz: Tz,
    creators: Vec<Creator>,
    pick: WeightedAliasIndex<f64>,
    lines_per_day: f64,
    last_order_id: u64,
    last_video_id: u64,
    /// Planned events, latest first (the next one is at the end).
    events: Vec<Event>,
    seq: u64,
    /// Days before this one are planned.
    planned_to: NaiveDate,
    /// The creator who goes viral, and the first day of the run.
    star: Option<(usize, NaiveDate)>,
    views: LogNormal<f64>,
}

impl Life {
    /// The life of the program `world` describes, from the program-local day `start`, with
    /// about `lines_per_day` order lines a day.
    pub fn new(world: &World, seed: u64, start: NaiveDate, tz: Tz, lines_per_day: f64) -> Life {
        let creators: Vec<Creator> = world
            .creators
            .iter()
            .map(|c| Creator {
                handle: c.handle.clone(),
                weight: c.weight,
                rate_bp: c.rate_bp,
                videos: c.videos.clone(),
            })
            .collect();
        // A creator well outside the top sellers, who is not an All-Star yet.
        let mut by_weight: Vec<usize> = (0..creators.len()).collect();
        by_weight.sort_by(|a, b| creators[*b].weight.total_cmp(&creators[*a].weight));
        let star = by_weight
            .get((creators.len() / 6).min(creators.len().saturating_sub(1)))
            .map(|&i| (i, start));
        let mut life = Life {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x11fe_11fe),
            answers: ChaCha8Rng::seed_from_u64(seed ^ 0xc4ec_c1a5),
            tz,
            pick: weights(&creators),
            creators,
            lines_per_day,
            last_order_id: world.last_order_id,
            last_video_id: world.last_video_id,
            events: Vec::new(),
            seq: 0,
            planned_to: start,
            star,
            views: LogNormal::new(8.0, 1.4).expect("valid lognormal"),
        };
        life.plan_through(start);
        life
    }

    /// Who of `all_stars` answers this week's check-in, and what.
    pub fn checkin_answers(&mut self, all_stars: &[String]) -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        for handle in all_stars {
            if self.answers.gen_bool(CHECKIN_ANSWER_SHARE) {
                let answer = CHECKIN_ANSWERS[self.answers.gen_range(0..CHECKIN_ANSWERS.len())];
                out.push((handle.clone(), answer));
            }
        }
        out
    }

    /// Everything that happens in `[from, to)`.
    pub fn stretch(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Stretch {
        self.plan_through(local_day(to - Duration::nanoseconds(1), self.tz));
        let mut out = Stretch::default();
        while self.events.last().is_some_and(|e| e.at < to) {
            let event = self.events.pop().expect("checked above");
            debug_assert!(event.at >= from, "an event was planned in the past");
            self.write(event, &mut out);
        }
        out
    }

    /// Plans every day up to and including `day`.
    fn plan_through(&mut self, day: NaiveDate) {
        while self.planned_to <= day {
            let d = self.planned_to;
            self.plan_day(d);
            self.planned_to = d + Duration::days(1);
        }
        self.events
            .sort_by(|a, b| b.at.cmp(&a.at).then(b.seq.cmp(&a.seq)));
    }

    fn plan_day(&mut self, day: NaiveDate) {
        // Those who joined before today; today's newcomers act from tomorrow.
        let existing = self.creators.len();
        self.pick = weights(&self.creators);
        // Creators joining (about one every other day).
        for _ in 0..self.poisson(0.6) {
            let at = self.at(day, 8, 22);
            let first_name = FIRST_NAMES[self.rng.gen_range(0..FIRST_NAMES.len())];
            let niche = NICHES[self.rng.gen_range(0..NICHES.len())];
            let timezone = NEW_CREATOR_ZONES[self.rng.gen_range(0..NEW_CREATOR_ZONES.len())];
            let creator = self.creators.len();
            self.creators.push(Creator {
                handle: format!("{}{}{}", first_name.to_lowercase(), niche, creator + 1),
                weight: NEWCOMER_WEIGHT,
                rate_bp: 1500,
                videos: Vec::new(),
            });
            self.push(
                at,
                What::Joined {
                    creator,
                    first_name,
                    timezone,
                    niche,
                },
            );
            // Half of them post a first video within a week.
            if self.rng.gen_bool(0.5) {
                let after = Duration::days(self.rng.gen_range(1..7));
                let posted = self.at(day + after, 9, 23);
                let product = self.rng.gen_range(0..PRODUCTS.len());
                self.push(posted, What::Video { creator, product });
            }
        }
        // Samples shipped; delivered a few days later; often a video of it some days after.
        let shipped = self.poisson(existing as f64 * 0.005);
        for _ in 0..shipped {
            let creator = self.rng.gen_range(0..existing);
            let product = self.rng.gen_range(0..PRODUCTS.len());
            let cost = 450 + self.rng.gen_range(0..300);
            let at = self.at(day, 10, 17);
            self.push(
                at,
                What::Sample {
                    creator,
                    product,
                    shipped_on: day,
                    delivered_on: None,
                    cost,
                },
            );
            let delivered_on = day + Duration::days(self.rng.gen_range(2..7));
            let at = self.at(delivered_on, 10, 18);
            self.push(
                at,
                What::Sample {
                    creator,
                    product,
                    shipped_on: day,
                    delivered_on: Some(delivered_on),
                    cost,
                },
            );
            if self.rng.gen_bool(0.55) {
                let after = Duration::days(self.rng.gen_range(1..15));
                let posted = self.at(delivered_on + after, 9, 23);
                self.push(posted, What::Video { creator, product });
            }
        }
        // Videos: a few from anyone, more from those who sell.
        let top = self.creators[..existing]
            .iter()
            .map(|c| c.weight)
            .fold(f64::MIN_POSITIVE, f64::max);
        for creator in 0..existing {
            let activity = (self.creators[creator].weight / top).sqrt();
            if self.rng.gen_bool((0.015 + 0.5 * activity).min(1.0)) {
                let at = self.at(day, 9, 23);
                let product = self.rng.gen_range(0..PRODUCTS.len());
                self.push(at, What::Video { creator, product });
            }
        }
        // The video that goes viral, early on the big day.
        if let Some((star, start)) = self.star
            && day == start + Duration::days(2)
        {
            let at = self.at(day, 6, 8);
            let product = self.rng.gen_range(0..PRODUCTS.len());
            self.push(
                at,
                What::Video {
                    creator: star,
                    product,
                },
            );
        }
        // Orders, more in the evening; the viral creator's on top.
        let mut orders: Vec<usize> = (0..self.poisson(self.lines_per_day))
            .map(|_| self.pick.sample(&mut self.rng))
            .collect();
        if let Some((star, start)) = self.star {
            let extra = usize::try_from((day - start).num_days())
                .ok()
                .and_then(|d| VIRAL_LINES.get(d))
                .copied()
                .unwrap_or(0.0);
            let n = self.poisson(extra);
            orders.extend(std::iter::repeat_n(star, n as usize));
        }
        for creator in orders {
            let at = if self.rng.gen_bool(0.5) {
                self.at(day, 18, 24)
            } else {
                self.at(day, 7, 24)
            };
            self.push(at, What::Order { creator });
        }
    }

    fn poisson(&mut self, mean: f64) -> u64 {
        if mean <= 0.0 {
            return 0;
        }
        Poisson::new(mean)
            .map(|p| p.sample(&mut self.rng) as u64)
            .unwrap_or(0)
    }

    /// A random instant on the program-local `day` between the hours `from` and `to`.
    fn at(&mut self, day: NaiveDate, from: u32, to: u32) -> DateTime<Utc> {
        let seconds = self.rng.gen_range(from * 3600..to * 3600);
        let time = NaiveTime::from_num_seconds_from_midnight_opt(seconds, 0).expect("within a day");
        local_to_utc(day.and_time(time), self.tz)
    }

    fn push(&mut self, at: DateTime<Utc>, what: What) {
        self.seq += 1;
        self.events.push(Event {
            at,
            seq: self.seq,
            what,
        });
    }
}

fn weights(creators: &[Creator]) -> WeightedAliasIndex<f64> {
    let w: Vec<f64> = creators.iter().map(|c| c.weight).collect();
    WeightedAliasIndex::new(w).expect("someone sells")
}
