//! A fake TikTok Shop Open API on 127.0.0.1:0: the authorization host's token endpoints and the
//! API host's shops, affiliate orders, products and sample applications, with the real wire
//! protocol (signed requests, the `{code, message, request_id, data}` envelope, opaque page
//! tokens), so the bot's own HTTP client runs against it unchanged.
//!
//! ```ignore
//! let fake = FakeTikTok::start(
//!     FakeShop::new()
//!         .sku(FakeSku::new("5760001", "1731001", "maya", t0, 2_500).settlement("SETTLED"))
//!         .product(FakeProduct::new(DEFAULT_PRODUCT_ID, "Glow serum")),
//! ).await;
//! // The bot: api base and auth base = fake.url() ("http://127.0.0.1:PORT", no slash),
//! // app key APP_KEY, app secret APP_SECRET, then it exchanges fake.issue_code().
//! fake.fail_next("/affiliate_seller/202410/orders/search", 1, Fault::RateLimited);
//! fake.update_sku("5760001", "1731001", |s| s.actual_commission = Some(375));
//! assert_eq!(fake.calls_to("/affiliate_seller/202410/orders").len(), 3);
//! ```
//!
//! # Model ([`FakeShop`], [`FakeSku`], [`FakeProduct`], [`FakeSample`], [`FakeVideo`])
//! One shop: [`SHOP_ID`], [`SHOP_NAME`], [`SHOP_CODE`], cipher [`SHOP_CIPHER`] (holds `+/=`, so
//! it must be URL-encoded). App [`APP_KEY`] / [`APP_SECRET`] (the fake's own copy). Order lines
//! are [`FakeSku`]s (money in cents, rates in hundredths of a percent; `None` fields omitted);
//! [`FakeShop::generated`] makes a million lines on demand from a seed (no line is held; a page
//! is written straight into its bytes; the start is found by binary search on create time).
//! Change the model mid-test: [`FakeTikTok::update_sku`], [`FakeTikTok::add_skus`] (not on a
//! generated shop), [`FakeTikTok::set_raw_field`] (serve any JSON for one field of one line,
//! `Null` = omit it), [`FakeTikTok::add_products`], [`FakeTikTok::add_samples`],
//! [`FakeTikTok::set_sample_status`], [`FakeTikTok::update_sample`].
//!
//! # Authorization host (same listener)
//! `GET /api/v2/token/get?app_key&app_secret&auth_code&grant_type=authorized_code`: codes are
//! [`AUTH_CODES`] and [`FakeTikTok::issue_code`], each usable once. `GET
//! /api/v2/token/refresh?app_key&app_secret&refresh_token&grant_type=refresh_token`: a new
//! access token (the old one stops working: 105001); the refresh token rotates only after
//! [`FakeTikTok::set_rotate_refresh`]`(true)` (else the same token and expiry). Expiries are
//! absolute Unix seconds ([`FakeShop::access_ttl`], 7 days; [`FakeShop::refresh_ttl`], 365).
//! Errors (HTTP 200): wrong app key or secret 36004003; wrong `grant_type` 36009003; unknown or
//! used code 36004004; unknown, rotated-away or revoked refresh token 36004005; expired refresh
//! token 36004001. Levers: [`FakeTikTok::revoke`] (until the next successful `token/get`),
//! [`FakeTikTok::expire_access_token`], [`FakeTikTok::expire_refresh_token`],
//! [`FakeTikTok::grant`] (authorized without a call, as if the bot had stored tokens).
//!
//! # API host: the checks, in order (HTTP 200 unless noted)
//! 0. unknown method and path: HTTP 404, code 404; the rate limit
//!    ([`FakeTikTok::set_rate_limit`]: a sliding 1-second window over admitted API requests,
//!    all paths together): HTTP 429, code 36009002;
//! 1. query `app_key` ≠ [`APP_KEY`]: 106002; 2. `timestamp` missing, more than 300 s old or
//!    more than 30 s ahead: 36009004; 3. `sign` (see [`sign`]; query values decoded, so a page
//!    token sent unencoded fails here): 106001; 4. `x-tts-access-token` missing, unknown,
//!    superseded or revoked: 105001, expired: 105002; 5. `shop_cipher` ≠ [`SHOP_CIPHER`] (every
//!    path but `/authorization/...`): 106011; 6. a POST without `content-type:
//!    application/json`, or whose body is not a JSON object (empty = `{}`): 36009003.
//!
//! Endpoints (parameter errors are 36009003 with a message saying which):
//! - `GET /authorization/202309/shops` → `shops: [{id, name, region, seller_type, cipher, code}]`.
//! - `POST /affiliate_seller/202410/orders/search?page_size(1..=100)&page_token`, body
//!   `{create_time_ge, create_time_lt}` (both required, ge inclusive, lt exclusive, at most 92
//!   days) → `{orders: [{id, create_time, skus: [...]}], next_page_token ("" last), total_count
//!   (orders)}`. Sorted by (create time, order id, sku id); `page_size` counts SKU lines, so an
//!   order can straddle two pages. Page tokens are base64 holding `+/=`; a garbled token or one
//!   from another window: 36009003 `invalid page_token`.
//! - `GET /product/202309/products/{id}` → `{id, title, status, ...}`; unknown: 12052048.
//!   [`FakeTikTok::product_calls`] counts requests to the path.
//! - `POST /affiliate_seller/202508/sample_applications/search?page_size(1..=50)&page_token`,
//!   body `{}` or `{"status"}` → `{sample_applications: [{id, status, creator: {creator_open_id,
//!   username}, product: {id, title, sku_id}, commission_rate}], next_page_token, total_count}`.
//! - `POST /affiliate_seller/202409/sample_applications/{id}/fulfillments/search`, body
//!   `{"content_format": "VIDEO"}` (or `LIVE`: none) → `{fulfillments: [{content: {id,
//!   description, view_count, like_count, comment_count, create_time}}]}`; unknown id: 36009003.
//!
//! # Recording and faults
//! Every request is a [`RecordedCall`] (method, path, decoded query, body, token, `at`, HTTP
//! status and envelope code): [`FakeTikTok::calls`], [`FakeTikTok::calls_to`],
//! [`FakeTikTok::request_count`], [`FakeTikTok::token_calls`]. [`FakeTikTok::fail_next`] makes
//! the next `n` requests under a path prefix (either host) fail after being recorded, before
//! any check: [`Fault::RateLimited`] (429, 36009002), [`Fault::Server`] (that status, a
//! plain-text body), [`Fault::ExpiredToken`] (105002 once), [`Fault::Hang`] (then answered
//! normally), [`Fault::Malformed`] (200, truncated JSON).
//!
//! Real wall-clock time throughout. Stops when dropped.

// An API for other tests: not every part is used by every test.
#![allow(dead_code)]

mod api;
mod auth;
mod catalog;
mod failures;
mod generated;
mod model;
mod orders;
mod recording;
mod signing;

mod tests;

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::any;
use serde_json::Value;
use tokio::sync::watch;

// The API other tests use; this module's own tests do not need every name.
#[allow(unused_imports)]
pub use api::{ACCESS_TOKEN_HEADER, INVALID_PARAMS};
#[allow(unused_imports)]
pub use auth::{TokenCalls, Tokens};
#[allow(unused_imports)]
pub use catalog::PRODUCT_NOT_FOUND;
#[allow(unused_imports)]
pub use failures::Fault;
#[allow(unused_imports)]
pub use model::{
    APP_KEY, APP_SECRET, AUTH_CODES, DEFAULT_PRODUCT_ID, FakeProduct, FakeSample, FakeShop,
    FakeSku, FakeVideo, OPEN_ID, SAMPLE_STATUSES, SCOPES, SETTLEMENT_STATUSES, SHOP_CIPHER,
    SHOP_CODE, SHOP_ID, SHOP_NAME,
};
#[allow(unused_imports)]
pub use recording::RecordedCall;
#[allow(unused_imports)]
pub use signing::{encode_query, sign, signed_query, signed_query_at};

use auth::Auth;
use failures::{Faults, RateLimit};
use generated::Lines;
use recording::Recorder;

/// The shop as calls find it.
pub(crate) struct World {
    lines: Lines,
    products: HashMap<String, FakeProduct>,
    samples: Vec<FakeSample>,
    auth: Auth,
}

/// What the server's tasks share.
pub(crate) struct Shared {
    world: Mutex<World>,
    recorder: Recorder,
    faults: Faults,
    rate: RateLimit,
    request_ids: AtomicU64,
    shutdown: watch::Sender<bool>,
    /// `http://127.0.0.1:PORT`
    base_url: String,
}

/// A running fake TikTok Shop. See the module documentation.
pub struct FakeTikTok {
    shared: Arc<Shared>,
}

impl Drop for FakeTikTok {
    fn drop(&mut self) {
        self.shared.shutdown.send_replace(true);
    }
}

impl FakeTikTok {
    /// Binds 127.0.0.1:0 and serves `shop` on the current runtime until dropped.
    pub async fn start(shop: FakeShop) -> FakeTikTok {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let base_url = format!("http://{}", listener.local_addr().expect("local address"));
        let world = World {
            lines: Lines::new(shop.skus, shop.generator),
            products: shop
                .products
                .into_iter()
                .map(|p| (p.id.clone(), p))
                .collect(),
            samples: shop.samples,
            auth: Auth::new(shop.access_ttl, shop.refresh_ttl),
        };
        let shared = Arc::new(Shared {
            world: Mutex::new(world),
            recorder: Recorder::new(),
            faults: Faults::new(),
            rate: RateLimit::new(),
            request_ids: AtomicU64::new(1),
            shutdown: watch::channel(false).0,
            base_url,
        });
        let app = Router::new()
            .fallback(any(api::handle))
            .with_state(Arc::clone(&shared));
        let mut stop = shared.shutdown.subscribe();
        tokio::spawn(async move {
            let stopped = async move {
                let _ = stop.wait_for(|stop| *stop).await;
            };
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await;
        });
        FakeTikTok { shared }
    }

    /// [`Self::start`] on a thread of its own with its own multi-thread runtime (for a
    /// benchmark: the fake's work does not wait for the bot's runtime). Stops when dropped.
    pub fn start_on_own_thread(shop: FakeShop) -> FakeTikTok {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("fake-tiktok".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .expect("a runtime for the fake");
                runtime.block_on(async move {
                    let fake = FakeTikTok::start(shop).await;
                    let mut stop = fake.shared.shutdown.subscribe();
                    if tx.send(fake).is_ok() {
                        let _ = stop.wait_for(|stop| *stop).await;
                    }
                });
            })
            .expect("a thread for the fake");
        rx.recv().expect("the fake started")
    }

    /// `http://127.0.0.1:PORT` (no trailing slash): both the API base and the auth base.
    pub fn url(&self) -> String {
        self.shared.base_url.clone()
    }

    fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.shared.world.lock().unwrap()
    }

    // ---- authorization ----

    /// A new single-use authorization code.
    pub fn issue_code(&self) -> String {
        self.world().auth.issue_code()
    }

    /// Authorizes without a call (as a `token/get` would): new tokens, revocation lifted.
    pub fn grant(&self) -> Tokens {
        self.world().auth.grant()
    }

    /// The seller revokes the app: API calls 105001, refreshes 36004005, until a `token/get`.
    pub fn revoke(&self) {
        self.world().auth.revoke();
    }

    /// Whether a refresh issues a new refresh token (default false: the same one, same expiry).
    pub fn set_rotate_refresh(&self, rotate: bool) {
        self.world().auth.set_rotate(rotate);
    }

    /// The current access token expires now (API calls 105002 until a refresh).
    pub fn expire_access_token(&self) {
        self.world().auth.expire_access();
    }

    /// The current refresh token expires now (refreshes 36004001).
    pub fn expire_refresh_token(&self) {
        self.world().auth.expire_refresh();
    }

    pub fn current_access_token(&self) -> Option<String> {
        self.world().auth.tokens().map(|t| t.access_token.clone())
    }

    pub fn current_refresh_token(&self) -> Option<String> {
        self.world().auth.tokens().map(|t| t.refresh_token.clone())
    }

    /// The tokens now, with their expiries.
    pub fn tokens(&self) -> Option<Tokens> {
        self.world().auth.tokens().cloned()
    }

    pub fn token_calls(&self) -> TokenCalls {
        self.world().auth.calls
    }

    // ---- the model ----

    /// Changes one order line; false when there is none.
    pub fn update_sku(
        &self,
        order_id: &str,
        sku_id: &str,
        change: impl FnOnce(&mut FakeSku),
    ) -> bool {
        self.world().lines.update(order_id, sku_id, change)
    }

    /// More order lines (panics on a generated shop).
    pub fn add_skus(&self, skus: impl IntoIterator<Item = FakeSku>) {
        self.world().lines.add(skus);
    }

    /// Serves `value` as the line's `field` (e.g. `price` = `{"amount": "abc", ...}`); `Null`
    /// omits it. False when there is no such line.
    pub fn set_raw_field(&self, order_id: &str, sku_id: &str, field: &str, value: Value) -> bool {
        self.update_sku(order_id, sku_id, |sku| {
            sku.raw.retain(|(k, _)| k != field);
            sku.raw.push((field.to_owned(), value));
        })
    }

    /// The order lines as they are now (a generated shop's are not held: none).
    pub fn skus(&self) -> Vec<FakeSku> {
        self.world().lines.held()
    }

    /// How many order lines the shop has.
    pub fn line_count(&self) -> usize {
        self.world().lines.len()
    }

    /// Adds (or replaces, by id) products.
    pub fn add_products(&self, products: impl IntoIterator<Item = FakeProduct>) {
        let mut world = self.world();
        for product in products {
            world.products.insert(product.id.clone(), product);
        }
    }

    /// Requests to `GET /product/202309/products/{id}` (every one, failed ones included).
    pub fn product_calls(&self, id: &str) -> usize {
        let path = format!("/product/202309/products/{id}");
        self.shared.recorder.matching(|c| c.path == path).len()
    }

    pub fn add_samples(&self, samples: impl IntoIterator<Item = FakeSample>) {
        self.world().samples.extend(samples);
    }

    /// False when there is no such sample application.
    pub fn set_sample_status(&self, id: &str, status: &str) -> bool {
        self.update_sample(id, |s| s.status = status.to_owned())
    }

    /// Changes a sample application (status, videos...); false when there is none.
    pub fn update_sample(&self, id: &str, change: impl FnOnce(&mut FakeSample)) -> bool {
        let mut world = self.world();
        let Some(sample) = world.samples.iter_mut().find(|s| s.id == id) else {
            return false;
        };
        change(sample);
        true
    }

    pub fn samples(&self) -> Vec<FakeSample> {
        self.world().samples.clone()
    }

    // ---- recording, faults, rate limit ----

    /// Every request so far, in arrival order.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.shared.recorder.all()
    }

    /// Requests whose path starts with `path_prefix`, in order.
    pub fn calls_to(&self, path_prefix: &str) -> Vec<RecordedCall> {
        self.shared
            .recorder
            .matching(|c| c.path.starts_with(path_prefix))
    }

    pub fn request_count(&self) -> usize {
        self.shared.recorder.count()
    }

    /// The next `n` requests whose path starts with `path_prefix` (`""`: any) fail with
    /// `fault`. Pending faults are used in the order they were added.
    pub fn fail_next(&self, path_prefix: &str, n: usize, fault: Fault) {
        self.shared.faults.add(path_prefix, n, fault);
    }

    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// At most `per_second` API requests in any one-second window (`None`: no limit).
    pub fn set_rate_limit(&self, per_second: Option<u32>) {
        self.shared.rate.set(per_second);
    }
}
