//! A synthetic but realistic program, written as the CSV files a brand would bring (the Seller
//! Center affiliate orders export plus our creators / products / samples / videos formats), so
//! the demo and the benchmark go through the real import. Sales follow a power law: a Zipf
//! distribution over the creators who sell, so a few percent of creators make most of the GMV.
//! The same spec (seed included) always produces byte-identical files.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal, WeightedAliasIndex};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthSpec {
    pub creators: usize,
    pub order_lines: usize,
    /// Days of order history, ending the day before `end`.
    pub days: u32,
    /// First day after the generated history (exclusive end).
    pub end: NaiveDate,
    pub seed: u64,
    /// Share of creators who make at least one sale.
    pub selling_share: f64,
    /// Zipf exponent of sales across selling creators.
    pub zipf_exponent: f64,
}

impl SynthSpec {
    /// The demo program: about 500 creators and 90 days of sales.
    pub fn demo(end: NaiveDate, seed: u64) -> SynthSpec {
        SynthSpec {
            creators: 500,
            order_lines: 20_000,
            days: 90,
            end,
            seed,
            selling_share: 0.6,
            zipf_exponent: 1.2,
        }
    }
}

/// Paths of the generated files, and the program they describe.
#[derive(Debug, Clone)]
pub struct SynthFiles {
    pub products: PathBuf,
    pub creators: PathBuf,
    pub samples: PathBuf,
    pub videos: PathBuf,
    pub orders: PathBuf,
    pub world: World,
}

/// The generated program as the generator knows it, so that its life can go on after the files
/// end (the console demo): who sells how much, where they live, and the ids used so far.
#[derive(Debug, Clone, PartialEq)]
pub struct World {
    pub creators: Vec<SynthCreator>,
    /// The last order and video ids written (later ones must be larger).
    pub last_order_id: u64,
    pub last_video_id: u64,
}

/// One generated creator.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthCreator {
    pub handle: String,
    pub niche: &'static str,
    pub timezone: &'static str,
    /// Share of sales (Zipf weight; 0 for creators who never sell).
    pub weight: f64,
    pub rate_bp: i64,
    /// Their videos' content ids.
    pub videos: Vec<u64>,
}

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Jess", "Maya", "Ava", "Chloe", "Zoe", "Lily", "Emma", "Nia", "Priya", "Sofia", "Grace",
    "Ella", "Mia", "Leah", "Aria", "Ruby", "Isla", "Hana", "Tara", "Kira", "Jade", "Sam", "Alex",
    "Jordan", "Taylor", "Casey", "Riley", "Morgan", "Jamie", "Drew", "Noah", "Liam", "Eli", "Owen",
    "Kai", "Luca", "Theo", "Milo", "Ezra", "Jon",
];
pub(crate) const NICHES: &[&str] = &[
    "skincare",
    "beauty",
    "lifestyle",
    "fitness",
    "momlife",
    "wellness",
];
pub(crate) const TIMEZONES: &[&str] = &[
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
];
/// Name, price and unit cost (cents) of each product.
pub(crate) const PRODUCTS: &[(&str, i64, i64)] = &[
    ("Glow Vitamin C Serum", 2800, 620),
    ("Hydra Barrier Moisturizer", 3200, 710),
    ("Overnight Lip Mask", 1600, 300),
    ("Gentle Foam Cleanser", 1800, 380),
    ("Retinol Night Cream", 4200, 940),
    ("SPF 50 Daily Fluid", 2400, 520),
    ("Hyaluronic Toner", 2200, 450),
    ("Under-Eye Patches (30)", 1900, 350),
    ("Clay Detox Mask", 2600, 560),
    ("Niacinamide Drops", 2500, 480),
    ("Body Glow Oil", 3400, 760),
    ("Travel Mini Set", 4800, 1320),
];

/// The Seller Center affiliate orders export header (US layout).
pub const ORDERS_HEADER: &[&str] = &[
    "Order ID",
    "Product ID",
    "Product Name",
    "SKU ID",
    "Price",
    "Payment Amount",
    "Currency",
    "Quantity",
    "Fully returned or refunded",
    "Payment method",
    "Order Status",
    "Creator Username",
    "Content Type",
    "Content ID",
    "Standard commission rate",
    "Est. Commission Base",
    "Est. standard commission payment",
    "Actual Commission Payment",
    "Shop Ads commission rate",
    "Est. Shop Ads commission payment",
    "Actual Shop Ads commission payment",
    "Est. co-funded creator bonus",
    "Actual co-funded creator bonus",
    "Time Created",
];

struct Creator {
    handle: String,
    niche: &'static str,
    timezone: &'static str,
    joined_on: NaiveDate,
    rate_bp: i64,
    videos: Vec<u64>,
}

/// Writes the five files into `dir` and returns their paths.
pub fn generate(spec: &SynthSpec, dir: &Path) -> Result<SynthFiles> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut files = SynthFiles {
        products: dir.join("products.csv"),
        creators: dir.join("creators.csv"),
        samples: dir.join("samples.csv"),
        videos: dir.join("videos.csv"),
        orders: dir.join("orders.csv"),
        world: World {
            creators: Vec::new(),
            last_order_id: 0,
            last_video_id: 0,
        },
    };
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let start = spec.end - Duration::days(i64::from(spec.days));

    let mut w = writer(&files.products)?;
    w.write_record(["product_id", "name", "unit_cost", "launched_on"])?;
    for (i, (name, _, cost)) in PRODUCTS.iter().enumerate() {
        let launched = start - Duration::days(200) + Duration::days(i as i64 * 21);
        w.write_record([
            product_id(i),
            name.to_string(),
            dollars(*cost),
            launched.to_string(),
        ])?;
    }
    w.flush()?;

    // Creators: who sells, and how much (Zipf over a shuffled ranking of the sellers).
    let mut creators = Vec::with_capacity(spec.creators);
    let mut w = writer(&files.creators)?;
    w.write_record(["handle", "first_name", "joined_on", "timezone", "niche"])?;
    for i in 0..spec.creators {
        let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
        let niche = NICHES[rng.gen_range(0..NICHES.len())];
        let handle = format!("{}{}{}", first.to_lowercase(), niche, i + 1);
        // Joined up to 120 days before the history starts, or during its first 70 %.
        let span = 120 + i64::from(spec.days) * 7 / 10;
        let joined_on = start - Duration::days(120) + Duration::days(rng.gen_range(0..span));
        let tz = TIMEZONES[rng.gen_range(0..TIMEZONES.len())];
        w.write_record([handle.as_str(), first, &joined_on.to_string(), tz, niche])?;
        let rate_bp = [1000, 1200, 1500, 2000][rng.gen_range(0..4)];
        creators.push(Creator {
            handle,
            niche,
            timezone: tz,
            joined_on,
            rate_bp,
            videos: Vec::new(),
        });
    }
    w.flush()?;
    let sellers = ((spec.creators as f64 * spec.selling_share).round() as usize).max(1);
    let mut order: Vec<usize> = (0..spec.creators).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.gen_range(0..=i));
    }
    let mut weights = vec![0.0f64; spec.creators];
    for (rank, &c) in order.iter().take(sellers).enumerate() {
        weights[c] = 1.0 / ((rank + 1) as f64).powf(spec.zipf_exponent);
    }
    let top_weight = 1.0;

    // Samples, and videos (some of them of a sampled product, after it arrived).
    let mut samples = writer(&files.samples)?;
    samples.write_record(["handle", "product_id", "shipped_on", "delivered_on", "cost"])?;
    let mut videos = writer(&files.videos)?;
    videos.write_record([
        "content_id",
        "handle",
        "product_id",
        "posted_at",
        "views",
        "likes",
        "comments",
        "shares",
    ])?;
    let views_dist = LogNormal::new(8.0, 1.4).expect("valid lognormal");
    let mut next_video: u64 = 7_300_000_000_000_000_000;
    for (i, creator) in creators.iter_mut().enumerate() {
        let first_day = start.max(creator.joined_on + Duration::days(1));
        let open_days = (spec.end - first_day).num_days().max(1);
        let mut posts: Vec<(NaiveDate, usize)> = Vec::new();
        if rng.gen_bool(0.45) && open_days > 6 {
            let product = rng.gen_range(0..PRODUCTS.len());
            let shipped = first_day + Duration::days(rng.gen_range(0..open_days - 5));
            let delivered = shipped + Duration::days(rng.gen_range(2..7));
            let delivered_text = if delivered < spec.end {
                delivered.to_string()
            } else {
                String::new()
            };
            let cost = 450 + rng.gen_range(0..300);
            samples.write_record([
                creator.handle.as_str(),
                &product_id(product),
                &shipped.to_string(),
                &delivered_text,
                &dollars(cost),
            ])?;
            if delivered < spec.end && rng.gen_bool(0.55) {
                let posted = delivered + Duration::days(rng.gen_range(1..21));
                if posted < spec.end {
                    posts.push((posted, product));
                }
            }
        }
        let activity = weights[i] / top_weight;
        let extra = if weights[i] > 0.0 {
            1 + (activity * 40.0) as usize + rng.gen_range(0..3)
        } else if rng.gen_bool(0.4) {
            rng.gen_range(1..4)
        } else {
            0
        };
        for _ in 0..extra {
            let day = first_day + Duration::days(rng.gen_range(0..open_days));
            if day < spec.end {
                posts.push((day, rng.gen_range(0..PRODUCTS.len())));
            }
        }
        posts.sort();
        for (day, product) in posts {
            next_video += 1 + rng.gen_range(0..1000);
            let views = (views_dist.sample(&mut rng) * (1.0 + activity * 20.0)) as u64;
            let likes = (views as f64 * rng.gen_range(0.03..0.09)) as u64;
            let comments = (views as f64 * rng.gen_range(0.002..0.01)) as u64;
            let shares = (views as f64 * rng.gen_range(0.001..0.006)) as u64;
            let at = format!(
                "{day} {:02}:{:02}",
                rng.gen_range(9..23),
                rng.gen_range(0..60)
            );
            videos.write_record([
                next_video.to_string(),
                creator.handle.clone(),
                product_id(product),
                at,
                views.to_string(),
                likes.to_string(),
                comments.to_string(),
                shares.to_string(),
            ])?;
            creator.videos.push(next_video);
        }
    }
    samples.flush()?;
    videos.flush()?;

    let last_order_id = write_orders(spec, &creators, &weights, start, &mut rng, &files.orders)?;
    files.world = World {
        creators: creators
            .into_iter()
            .zip(weights)
            .map(|(c, weight)| SynthCreator {
                handle: c.handle,
                niche: c.niche,
                timezone: c.timezone,
                weight,
                rate_bp: c.rate_bp,
                videos: c.videos,
            })
            .collect(),
        last_order_id,
        last_video_id: next_video,
    };
    Ok(files)
}

fn write_orders(
    spec: &SynthSpec,
    creators: &[Creator],
    weights: &[f64],
    start: NaiveDate,
    rng: &mut ChaCha8Rng,
    path: &Path,
) -> Result<u64> {
    let mut w = writer(path)?;
    w.write_record(ORDERS_HEADER)?;
    let pick = WeightedAliasIndex::new(weights.to_vec()).context("no creator sells")?;
    let mut order_id: u64 = 576_400_000_000_000_000;
    let mut written = 0usize;
    let mut record: Vec<String> = Vec::with_capacity(ORDERS_HEADER.len());
    // Lines per day grow linearly over the period (a growing program), in chronological order
    // like a real export, so the newest lines of a file are its last ones.
    let days = i64::from(spec.days);
    let day_weights: Vec<f64> = (0..days)
        .map(|d| 1.0 + 2.0 * d as f64 / days as f64)
        .collect();
    let weight_sum: f64 = day_weights.iter().sum();
    let mut quota: Vec<usize> = day_weights
        .iter()
        .map(|w| (w / weight_sum * spec.order_lines as f64) as usize)
        .collect();
    let short = spec.order_lines - quota.iter().sum::<usize>();
    if let Some(last) = quota.last_mut() {
        *last += short;
    }
    let mut day_index = 0usize;
    let mut misses = 0;
    while written < spec.order_lines {
        while day_index + 1 < quota.len() && quota[day_index] == 0 {
            day_index += 1;
        }
        let day = start + Duration::days(day_index as i64);
        let c = &creators[pick.sample(rng)];
        if c.joined_on >= day {
            // Nobody who sells had joined yet: move this day's sales to the next day.
            misses += 1;
            if misses > 10_000 && day_index + 1 < quota.len() {
                quota[day_index + 1] += quota[day_index];
                quota[day_index] = 0;
                misses = 0;
            }
            continue;
        }
        misses = 0;
        let age = (spec.end - day).num_days();
        let time = format!(
            "{} {:02}:{:02}:{:02}",
            day.format("%d/%m/%Y"),
            rng.gen_range(0..24),
            rng.gen_range(0..60),
            rng.gen_range(0..60)
        );
        let (content_type, content_id) = match (rng.gen_range(0..100), c.videos.is_empty()) {
            (0..=79, false) => (
                "Video",
                c.videos[rng.gen_range(0..c.videos.len())].to_string(),
            ),
            (80..=94, _) => (
                "LIVE",
                format!(
                    "{}",
                    7_100_000_000_000_000_000u64 + rng.gen_range(0..1_000_000_000u64)
                ),
            ),
            _ => ("Showcase", String::new()),
        };
        order_id += 1 + rng.gen_range(0..50);
        let skus = if rng.gen_bool(0.1) { 2 } else { 1 };
        // A second SKU in the same order is always another product: (order, SKU) is the key.
        let first_product = rng.gen_range(0..PRODUCTS.len());
        for k in 0..skus {
            if written >= spec.order_lines {
                break;
            }
            let p =
                (first_product + k * (1 + rng.gen_range(0..PRODUCTS.len() - 1))) % PRODUCTS.len();
            let (name, price, _) = PRODUCTS[p];
            let quantity: i64 = if rng.gen_bool(0.85) { 1 } else { 2 };
            let discount = if rng.gen_bool(0.3) { price / 10 } else { 0 };
            let amount = (price - discount) * quantity;
            let roll = rng.gen_range(0..1000);
            let status = if age < 15 {
                match roll {
                    0..=39 => "Customer Unpaid",
                    40..=79 => "Ineligible",
                    80..=99 => "Frozen",
                    _ => "Pending",
                }
            } else {
                match roll {
                    0..=44 => "Ineligible",
                    45..=54 => "Frozen",
                    _ => "Settled",
                }
            };
            let refunded = status == "Ineligible" && rng.gen_bool(0.7);
            let settled = status == "Settled";
            let standard = amount * c.rate_bp / 10_000;
            let ads_rate = if content_type == "LIVE" { 500 } else { 0 };
            let ads = amount * ads_rate / 10_000;
            let bonus = if rng.gen_bool(0.02) { 100 } else { 0 };
            record.clear();
            record.push(order_id.to_string());
            record.push(product_id(p));
            record.push(name.to_string());
            record.push(format!(
                "{}{}",
                product_id(p),
                if rng.gen_bool(0.5) { "01" } else { "02" }
            ));
            record.push(dollars(price));
            record.push(dollars(amount));
            record.push("USD".into());
            record.push(quantity.to_string());
            record.push(if refunded { "Yes" } else { "No" }.into());
            record.push(["Credit card", "PayPal", "Apple Pay"][rng.gen_range(0..3)].into());
            record.push(status.into());
            record.push(c.handle.clone());
            record.push(content_type.into());
            record.push(content_id.clone());
            record.push(format!("{}%", c.rate_bp / 100));
            record.push(dollars(amount));
            record.push(dollars(standard));
            record.push(if settled {
                dollars(standard)
            } else {
                String::new()
            });
            record.push(format!("{}%", ads_rate / 100));
            record.push(dollars(ads));
            record.push(if settled { dollars(ads) } else { String::new() });
            record.push(dollars(bonus));
            record.push(if settled {
                dollars(bonus)
            } else {
                String::new()
            });
            record.push(time.clone());
            w.write_record(&record)?;
            written += 1;
            quota[day_index] = quota[day_index].saturating_sub(1);
        }
    }
    w.flush()?;
    Ok(order_id)
}

fn writer(path: &Path) -> Result<csv::Writer<BufWriter<File>>> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    Ok(csv::Writer::from_writer(BufWriter::with_capacity(
        1 << 20,
        file,
    )))
}

pub(crate) fn product_id(i: usize) -> String {
    format!("17295{:08}", 31_000 + i * 7)
}

/// `$1,234.50` with thousands separators, as the Seller Center writes money.
pub(crate) fn dollars(cents: i64) -> String {
    crate::domain::format_cents(cents, "USD")
}
