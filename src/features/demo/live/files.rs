//! A stretch of the program's life as the files a brand would import (our creators, samples and
//! videos formats and the Seller Center orders export), and their import.

use anyhow::{Context, Result};
use rand::Rng;
use rand_distr::Distribution;
use sqlx::PgPool;

use super::{Event, Life, What};
use crate::config::Config;
use crate::db::programs::Program;
use crate::features::demo::synth::{ORDERS_HEADER, PRODUCTS, dollars, product_id};
use crate::features::import::{ImportKind, import_reader};

/// One stretch's activity: the rows of the files a brand would import.
#[derive(Debug, Default)]
pub struct Stretch {
    pub creators: Vec<Vec<String>>,
    pub samples: Vec<Vec<String>>,
    pub videos: Vec<Vec<String>>,
    pub orders: Vec<Vec<String>>,
}

impl Stretch {
    pub fn is_empty(&self) -> bool {
        self.creators.is_empty()
            && self.samples.is_empty()
            && self.videos.is_empty()
            && self.orders.is_empty()
    }
}

impl Life {
    /// Adds `event` to the stretch as the row a brand's file would have.
    pub(super) fn write(&mut self, event: Event, out: &mut Stretch) {
        let local = event.at.with_timezone(&self.tz);
        match event.what {
            What::Joined {
                creator,
                first_name,
                timezone,
                niche,
            } => out.creators.push(vec![
                self.creators[creator].handle.clone(),
                first_name.to_string(),
                local.date_naive().to_string(),
                timezone.to_string(),
                niche.to_string(),
            ]),
            What::Sample {
                creator,
                product,
                shipped_on,
                delivered_on,
                cost,
            } => out.samples.push(vec![
                self.creators[creator].handle.clone(),
                product_id(product),
                shipped_on.to_string(),
                delivered_on.map(|d| d.to_string()).unwrap_or_default(),
                dollars(cost),
            ]),
            What::Video { creator, product } => {
                self.last_video_id += 1 + self.rng.gen_range(0..1000);
                let c = &self.creators[creator];
                let boost = if self.star.is_some_and(|(s, _)| s == creator) {
                    30.0
                } else {
                    1.0 + c.weight * 20.0
                };
                let views = (self.views.sample(&mut self.rng) * boost) as u64;
                let likes = (views as f64 * self.rng.gen_range(0.03..0.09)) as u64;
                let comments = (views as f64 * self.rng.gen_range(0.002..0.01)) as u64;
                let shares = (views as f64 * self.rng.gen_range(0.001..0.006)) as u64;
                out.videos.push(vec![
                    self.last_video_id.to_string(),
                    c.handle.clone(),
                    product_id(product),
                    event.at.to_rfc3339(),
                    views.to_string(),
                    likes.to_string(),
                    comments.to_string(),
                    shares.to_string(),
                ]);
                self.creators[creator].videos.push(self.last_video_id);
            }
            What::Order { creator } => {
                let line = self.order_line(creator, &local.format("%d/%m/%Y %H:%M:%S").to_string());
                out.orders.push(line);
            }
        }
    }

    /// One affiliate order line, as the Seller Center exports a fresh one (not settled yet).
    fn order_line(&mut self, creator: usize, time: &str) -> Vec<String> {
        self.last_order_id += 1 + self.rng.gen_range(0..50);
        let p = self.rng.gen_range(0..PRODUCTS.len());
        let (name, price, _) = PRODUCTS[p];
        let quantity: i64 = if self.rng.gen_bool(0.85) { 1 } else { 2 };
        let amount = price * quantity;
        let status = match self.rng.gen_range(0..100) {
            0..=3 => "Customer Unpaid",
            4..=8 => "Ineligible",
            9..=11 => "Frozen",
            _ => "Pending",
        };
        let refunded = status == "Ineligible" && self.rng.gen_bool(0.7);
        let c = &self.creators[creator];
        let (content_type, content_id) = match c.videos.last() {
            Some(v) if self.rng.gen_bool(0.8) => ("Video", v.to_string()),
            _ => ("Showcase", String::new()),
        };
        let standard = amount * c.rate_bp / 10_000;
        vec![
            self.last_order_id.to_string(),
            product_id(p),
            name.to_string(),
            format!("{}01", product_id(p)),
            dollars(price),
            dollars(amount),
            "USD".into(),
            quantity.to_string(),
            if refunded { "Yes" } else { "No" }.into(),
            "Credit card".into(),
            status.into(),
            c.handle.clone(),
            content_type.into(),
            content_id,
            format!("{}%", c.rate_bp / 100),
            dollars(amount),
            dollars(standard),
            String::new(),
            "0%".into(),
            dollars(0),
            String::new(),
            dollars(0),
            String::new(),
            time.to_string(),
        ]
    }
}

/// What one stretch added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Added {
    pub creators: u64,
    pub samples: u64,
    pub videos: u64,
    pub orders: u64,
}

impl std::ops::AddAssign for Added {
    fn add_assign(&mut self, o: Added) {
        self.creators += o.creators;
        self.samples += o.samples;
        self.videos += o.videos;
        self.orders += o.orders;
    }
}

const CREATORS_HEADER: &[&str] = &["handle", "first_name", "joined_on", "timezone", "niche"];
const SAMPLES_HEADER: &[&str] = &["handle", "product_id", "shipped_on", "delivered_on", "cost"];
const VIDEOS_HEADER: &[&str] = &[
    "content_id",
    "handle",
    "product_id",
    "posted_at",
    "views",
    "likes",
    "comments",
    "shares",
];

/// Imports a stretch through the real import (creators first, orders last, as a brand would);
/// the orders import refreshes the rollups of the days it touches.
pub async fn import(
    pool: &PgPool,
    program: &Program,
    config: &Config,
    stretch: &Stretch,
) -> Result<Added> {
    let file = |kind, header, rows| File { kind, header, rows };
    Ok(Added {
        creators: file(ImportKind::Creators, CREATORS_HEADER, &stretch.creators)
            .import(pool, program, config)
            .await?,
        samples: file(ImportKind::Samples, SAMPLES_HEADER, &stretch.samples)
            .import(pool, program, config)
            .await?,
        videos: file(ImportKind::Videos, VIDEOS_HEADER, &stretch.videos)
            .import(pool, program, config)
            .await?,
        orders: file(ImportKind::Orders, ORDERS_HEADER, &stretch.orders)
            .import(pool, program, config)
            .await?,
    })
}

/// One CSV file of the stretch.
struct File<'a> {
    kind: ImportKind,
    header: &'static [&'static str],
    rows: &'a [Vec<String>],
}

impl File<'_> {
    /// Imports the file unless it is empty; returns its rows. A row refused is a bug in the
    /// generator, so it stops the demo.
    async fn import(&self, pool: &PgPool, program: &Program, config: &Config) -> Result<u64> {
        if self.rows.is_empty() {
            return Ok(0);
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(self.header)?;
        for row in self.rows {
            w.write_record(row)?;
        }
        let bytes = w.into_inner().context("writing the stretch's CSV")?;
        let name = format!("{}.csv", self.kind);
        let report = import_reader(
            pool,
            program,
            config,
            self.kind,
            &name,
            std::io::Cursor::new(bytes),
            None,
            false,
        )
        .await?;
        if let Some(r) = report.rejected.first() {
            anyhow::bail!("the demo's own {name} was refused: {}", r.describe(&name));
        }
        Ok(self.rows.len() as u64)
    }
}
