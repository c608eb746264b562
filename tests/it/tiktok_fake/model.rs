//! The shop the fake serves: its constants, affiliate order lines ([`FakeSku`]), products,
//! sample applications with their videos, token lifetimes, and [`FakeShop::generated`] for a
//! benchmark's million lines.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::generated::Generator;

/// The app's key (every API call's `app_key`, the token endpoints' `app_key`).
pub const APP_KEY: &str = "6fake0app";
/// The fake's own copy of the app secret; tests give the same string to the bot.
pub const APP_SECRET: &str = "fake-secret-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
pub const SHOP_ID: &str = "7494000000000000001";
/// Needs URL encoding (`+`, `/`, `=`), as real ciphers may.
pub const SHOP_CIPHER: &str = "ROW_fAkEcIpHeR+/=";
pub const SHOP_NAME: &str = "Glow Fake Shop";
pub const SHOP_CODE: &str = "USFAKE0001";
/// The seller's `open_id` in token answers.
pub const OPEN_ID: &str = "7fake0open0id";
/// Authorization codes valid from the start, each usable once (more: `FakeTikTok::issue_code`).
pub const AUTH_CODES: [&str; 3] = ["fake-code-1", "fake-code-2", "fake-code-3"];
/// `granted_scopes` in token answers.
pub const SCOPES: [&str; 4] = [
    "seller.authorization.info",
    "seller.affiliate_collaboration.read",
    "seller.affiliate_collaboration.write",
    "seller.product.basic",
];

/// The settlement statuses the API documents.
pub const SETTLEMENT_STATUSES: [&str; 5] = [
    "AWAITING_PAYMENT",
    "TO_SETTLE",
    "SETTLED",
    "INELIGIBLE",
    "FROZEN",
];

/// The sample application statuses of the 202508 search.
pub const SAMPLE_STATUSES: [&str; 9] = [
    "PENDING",
    "AWAITING_SHIPMENT",
    "SHIPPED",
    "CONTENT_PENDING",
    "COMPLETED",
    "REJECT_CANCELLED",
    "OVERDUE_CANCELLED",
    "WITHDRAW_CANCELLED",
    "SELLER_NOT_SHIP_CANCELLED",
];

/// The product of [`FakeSku::new`] unless set.
pub const DEFAULT_PRODUCT_ID: &str = "1729000000000000001";

/// One SKU line of an affiliate order. Money in cents of `currency`; rates in hundredths of a
/// percent (`1500` = 15 %). `None` fields are omitted from the answer.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeSku {
    pub order_id: String,
    pub create_time: DateTime<Utc>,
    pub sku_id: String,
    pub product_id: String,
    pub creator_username: Option<String>,
    /// `VIDEO`, `LIVE`, `SHOWCASE`...
    pub content_type: Option<String>,
    pub content_id: Option<String>,
    /// One of [`SETTLEMENT_STATUSES`] (not checked: a test may serve an unknown one).
    pub settlement_status: String,
    /// `fully_return`: `"Yes"` / `"No"`.
    pub fully_return: bool,
    pub quantity: u32,
    /// Unit price (`price`).
    pub price_cents: i64,
    /// The line's paid amount (`estimated_commission_base`).
    pub paid_cents: i64,
    pub commission_rate_bp: u32,
    pub shop_ads_rate_bp: u32,
    pub est_commission: i64,
    pub actual_commission: Option<i64>,
    pub est_shop_ads: i64,
    pub actual_shop_ads: Option<i64>,
    pub est_bonus: i64,
    pub actual_bonus: Option<i64>,
    pub currency: String,
    /// Fields served as these raw values instead of the model's (`Null`: omitted); others are
    /// added. See `FakeTikTok::set_raw_field`.
    pub raw: Vec<(String, Value)>,
}

impl FakeSku {
    /// A `VIDEO` line of one unit, `TO_SETTLE`, 15 % commission on `paid_cents`, no shop ads or
    /// bonus, nothing paid yet, USD, product [`DEFAULT_PRODUCT_ID`].
    pub fn new(
        order_id: &str,
        sku_id: &str,
        creator: &str,
        create_time: DateTime<Utc>,
        paid_cents: i64,
    ) -> FakeSku {
        FakeSku {
            order_id: order_id.to_owned(),
            create_time,
            sku_id: sku_id.to_owned(),
            product_id: DEFAULT_PRODUCT_ID.to_owned(),
            creator_username: Some(creator.to_owned()),
            content_type: Some("VIDEO".to_owned()),
            content_id: Some(format!(
                "73{:017}",
                hash_str(sku_id) % 100_000_000_000_000_000
            )),
            settlement_status: "TO_SETTLE".to_owned(),
            fully_return: false,
            quantity: 1,
            price_cents: paid_cents,
            paid_cents,
            commission_rate_bp: 1500,
            shop_ads_rate_bp: 0,
            est_commission: paid_cents * 1500 / 10_000,
            actual_commission: None,
            est_shop_ads: 0,
            actual_shop_ads: None,
            est_bonus: 0,
            actual_bonus: None,
            currency: "USD".to_owned(),
            raw: Vec::new(),
        }
    }

    pub fn product(mut self, product_id: &str) -> Self {
        self.product_id = product_id.to_owned();
        self
    }

    pub fn settlement(mut self, status: &str) -> Self {
        self.settlement_status = status.to_owned();
        self
    }

    pub fn fully_returned(mut self) -> Self {
        self.fully_return = true;
        self
    }

    /// `content_type` and `content_id` (`None` id: a showcase sale, say).
    pub fn content(mut self, content_type: &str, content_id: Option<&str>) -> Self {
        self.content_type = Some(content_type.to_owned());
        self.content_id = content_id.map(str::to_owned);
        self
    }

    /// `quantity` units at `price_cents` each (the paid amount stays as it is).
    pub fn quantity(mut self, quantity: u32, price_cents: i64) -> Self {
        self.quantity = quantity;
        self.price_cents = price_cents;
        self
    }

    /// The commission rate, and the estimate recomputed from the paid amount.
    pub fn commission_rate_bp(mut self, rate_bp: u32) -> Self {
        self.commission_rate_bp = rate_bp;
        self.est_commission = self.paid_cents * i64::from(rate_bp) / 10_000;
        self
    }

    /// A shop-ads rate and its estimate on the paid amount.
    pub fn shop_ads_rate_bp(mut self, rate_bp: u32) -> Self {
        self.shop_ads_rate_bp = rate_bp;
        self.est_shop_ads = self.paid_cents * i64::from(rate_bp) / 10_000;
        self
    }

    /// `SETTLED` with the estimates paid as they stand.
    pub fn settled(mut self) -> Self {
        self.settlement_status = "SETTLED".to_owned();
        self.actual_commission = Some(self.est_commission);
        self.actual_shop_ads = Some(self.est_shop_ads);
        self.actual_bonus = Some(self.est_bonus);
        self
    }

    /// The sort key of the orders search.
    pub(crate) fn key(&self) -> (i64, &str, &str) {
        (self.create_time.timestamp(), &self.order_id, &self.sku_id)
    }
}

/// A product (`GET /product/202309/products/{id}`).
#[derive(Clone, Debug, PartialEq)]
pub struct FakeProduct {
    pub id: String,
    pub title: String,
    /// `ACTIVATE` unless set.
    pub status: String,
}

impl FakeProduct {
    pub fn new(id: &str, title: &str) -> FakeProduct {
        FakeProduct {
            id: id.to_owned(),
            title: title.to_owned(),
            status: "ACTIVATE".to_owned(),
        }
    }
}

/// A video that fulfilled a sample application.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeVideo {
    pub id: String,
    pub description: String,
    pub view_count: u64,
    pub like_count: u64,
    pub comment_count: u64,
    pub create_time: DateTime<Utc>,
}

impl FakeVideo {
    pub fn new(id: &str, create_time: DateTime<Utc>, view_count: u64) -> FakeVideo {
        FakeVideo {
            id: id.to_owned(),
            description: format!("video {id}"),
            view_count,
            like_count: view_count / 10,
            comment_count: view_count / 100,
            create_time,
        }
    }
}

/// A sample application (202508 search shape).
#[derive(Clone, Debug, PartialEq)]
pub struct FakeSample {
    pub id: String,
    /// One of [`SAMPLE_STATUSES`].
    pub status: String,
    pub creator_username: String,
    pub creator_open_id: String,
    pub product_id: String,
    /// The product's title as the sample search shows it.
    pub title: String,
    pub sku_id: String,
    /// A fraction as text (`"0.15"`).
    pub commission_rate: String,
    /// The videos that fulfilled it (fulfillments search, `content_format: VIDEO`).
    pub videos: Vec<FakeVideo>,
}

impl FakeSample {
    /// `PENDING`, open id `open-{creator}`, product [`DEFAULT_PRODUCT_ID`], 15 %, no videos.
    pub fn new(id: &str, creator: &str, title: &str) -> FakeSample {
        FakeSample {
            id: id.to_owned(),
            status: "PENDING".to_owned(),
            creator_username: creator.to_owned(),
            creator_open_id: format!("open-{creator}"),
            product_id: DEFAULT_PRODUCT_ID.to_owned(),
            title: title.to_owned(),
            sku_id: "1731000000000000001".to_owned(),
            commission_rate: "0.15".to_owned(),
            videos: Vec::new(),
        }
    }

    pub fn status(mut self, status: &str) -> Self {
        self.status = status.to_owned();
        self
    }

    pub fn product(mut self, product_id: &str) -> Self {
        self.product_id = product_id.to_owned();
        self
    }

    pub fn video(mut self, video: FakeVideo) -> Self {
        self.videos.push(video);
        self
    }
}

/// What the fake starts with.
#[derive(Clone, Debug)]
pub struct FakeShop {
    pub skus: Vec<FakeSku>,
    pub products: Vec<FakeProduct>,
    pub samples: Vec<FakeSample>,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub(crate) generator: Option<Generator>,
}

impl Default for FakeShop {
    fn default() -> Self {
        FakeShop::new()
    }
}

impl FakeShop {
    /// No lines, no products, no samples; access tokens live 7 days, refresh tokens 365.
    pub fn new() -> FakeShop {
        FakeShop {
            skus: Vec::new(),
            products: Vec::new(),
            samples: Vec::new(),
            access_ttl: Duration::from_secs(7 * 86_400),
            refresh_ttl: Duration::from_secs(365 * 86_400),
            generator: None,
        }
    }

    /// `lines` order lines over `[from, to)` for `creators` creators, made on demand from
    /// `seed` (nothing per line is held in memory): orders of 1, 2 and 3 lines in turn, their
    /// create times spread evenly, creators skewed towards the first ones (`creator00000`), 50
    /// products (`1729000000000000100`...) that the products endpoint knows. Deterministic.
    pub fn generated(
        lines: usize,
        creators: usize,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        seed: u64,
    ) -> FakeShop {
        let generator = Generator::new(lines, creators, from, to, seed);
        let mut shop = FakeShop::new();
        shop.products = generator.products();
        shop.generator = Some(generator);
        shop
    }

    pub fn sku(mut self, sku: FakeSku) -> Self {
        self.skus.push(sku);
        self
    }

    pub fn skus(mut self, skus: impl IntoIterator<Item = FakeSku>) -> Self {
        self.skus.extend(skus);
        self
    }

    pub fn product(mut self, product: FakeProduct) -> Self {
        self.products.push(product);
        self
    }

    pub fn products(mut self, products: impl IntoIterator<Item = FakeProduct>) -> Self {
        self.products.extend(products);
        self
    }

    pub fn sample(mut self, sample: FakeSample) -> Self {
        self.samples.push(sample);
        self
    }

    pub fn access_ttl(mut self, ttl: Duration) -> Self {
        self.access_ttl = ttl;
        self
    }

    pub fn refresh_ttl(mut self, ttl: Duration) -> Self {
        self.refresh_ttl = ttl;
        self
    }
}

/// A stable 64-bit hash (FNV-1a) for made-up ids.
pub(crate) fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Unix seconds now.
pub(crate) fn unix_now() -> i64 {
    Utc::now().timestamp()
}
