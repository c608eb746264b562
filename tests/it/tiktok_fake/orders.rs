//! `POST /affiliate_seller/202410/orders/search`: the lines created in `[create_time_ge,
//! create_time_lt)`, pages cut by SKU line, written straight into the answer's bytes.

use std::io::Write;

use serde_json::Value;

use super::api::{ApiError, Incoming};
use super::generated::Lines;
use super::model::FakeSku;
use super::signing::{page_token, read_page_token};

pub const MAX_PAGE_SIZE: usize = 100;
/// The longest window a search may ask for.
pub const MAX_WINDOW_SECS: i64 = 92 * 86_400;

/// The `data` of one page.
pub fn search(lines: &Lines, request: &Incoming<'_>, body: &Value) -> Result<Vec<u8>, ApiError> {
    let page_size = page_size(request.param("page_size"), MAX_PAGE_SIZE)?;
    let (Some(ge), Some(lt)) = (
        body.get("create_time_ge").and_then(Value::as_i64),
        body.get("create_time_lt").and_then(Value::as_i64),
    ) else {
        return Err(ApiError::params(
            "create_time_ge and create_time_lt are required",
        ));
    };
    if lt <= ge {
        return Err(ApiError::params(
            "create_time_lt must be after create_time_ge",
        ));
    }
    if lt - ge > MAX_WINDOW_SECS {
        return Err(ApiError::params("time range too long (at most 92 days)"));
    }
    let first = lines.first_at(ge);
    let end = lines.first_at(lt);
    let start = match request.param("page_token").filter(|t| !t.is_empty()) {
        None => first,
        Some(token) => resume(lines, token, ge, lt)?.clamp(first, end),
    };
    let stop = (start + page_size).min(end);
    let total = if first < end {
        lines.ordinal(end - 1) - lines.ordinal(first) + 1
    } else {
        0
    };
    let next = if stop < end {
        let line = lines.line(stop);
        page_token(&[
            "o",
            &ge.to_string(),
            &lt.to_string(),
            &line.create_time.timestamp().to_string(),
            &line.order_id,
            &line.sku_id,
        ])
    } else {
        String::new()
    };

    let mut out = Vec::with_capacity(256 + (stop - start) * 900);
    out.extend_from_slice(b"{\"orders\":[");
    let mut open_order: Option<String> = None;
    for i in start..stop {
        let line = lines.line(i);
        if open_order.as_deref() != Some(line.order_id.as_str()) {
            if open_order.is_some() {
                out.extend_from_slice(b"]},");
            }
            out.extend_from_slice(b"{\"id\":");
            string(&mut out, &line.order_id);
            write!(
                out,
                ",\"create_time\":{},\"skus\":[",
                line.create_time.timestamp()
            )
            .expect("Vec");
            open_order = Some(line.order_id.clone());
        } else {
            out.push(b',');
        }
        sku(&mut out, &line);
    }
    if open_order.is_some() {
        out.extend_from_slice(b"]}");
    }
    out.extend_from_slice(b"],\"next_page_token\":");
    string(&mut out, &next);
    write!(out, ",\"total_count\":{total}}}").expect("Vec");
    Ok(out)
}

/// `page_size`: a whole number in `1..=max`.
pub fn page_size(given: Option<&str>, max: usize) -> Result<usize, ApiError> {
    given
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| ApiError::params(&format!("page_size must be between 1 and {max}")))
}

/// Where a page token says to go on; it must be this search's.
fn resume(lines: &Lines, token: &str, ge: i64, lt: i64) -> Result<usize, ApiError> {
    let invalid = || ApiError::params("invalid page_token");
    let fields = read_page_token(token).ok_or_else(invalid)?;
    let [kind, token_ge, token_lt, time, order_id, sku_id] = fields.as_slice() else {
        return Err(invalid());
    };
    if kind != "o" || *token_ge != ge.to_string() || *token_lt != lt.to_string() {
        return Err(invalid());
    }
    let time = time.parse::<i64>().map_err(|_| invalid())?;
    Ok(lines.first_from((time, order_id, sku_id)))
}

fn string(out: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *out, s).expect("Vec");
}

/// Writes an object's fields, serving a line's raw overrides in place of (or after) them.
struct Fields<'a> {
    out: &'a mut Vec<u8>,
    raw: &'a [(String, Value)],
    first: bool,
}

impl Fields<'_> {
    /// Starts field `name` unless a raw value replaces it (written here, or omitted when
    /// `Null`); true when the caller writes the value.
    fn key(&mut self, name: &str) -> bool {
        let raw = self.raw.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        if matches!(raw, Some(Value::Null)) {
            return false;
        }
        if !std::mem::replace(&mut self.first, false) {
            self.out.push(b',');
        }
        string(self.out, name);
        self.out.push(b':');
        match raw {
            Some(value) => {
                serde_json::to_writer(&mut *self.out, value).expect("Vec");
                false
            }
            None => true,
        }
    }

    fn str(&mut self, name: &str, value: &str) {
        if self.key(name) {
            string(self.out, value);
        }
    }

    fn opt_str(&mut self, name: &str, value: Option<&str>) {
        match value {
            Some(value) => self.str(name, value),
            None => self.extra(name),
        }
    }

    fn num(&mut self, name: &str, value: u64) {
        if self.key(name) {
            write!(self.out, "{value}").expect("Vec");
        }
    }

    fn money(&mut self, name: &str, cents: Option<i64>, currency: &str) {
        let Some(cents) = cents else {
            return self.extra(name);
        };
        if self.key(name) {
            let sign = if cents < 0 { "-" } else { "" };
            let abs = cents.unsigned_abs();
            write!(
                self.out,
                "{{\"amount\":\"{sign}{}.{:02}\",\"currency\":",
                abs / 100,
                abs % 100
            )
            .expect("Vec");
            string(self.out, currency);
            self.out.push(b'}');
        }
    }

    /// A field the model leaves out: only a raw value can put it in.
    fn extra(&mut self, name: &str) {
        if self.raw.iter().any(|(k, _)| k == name) {
            self.key(name);
        }
    }
}

/// Raw fields the model does not have; written after the model's.
const MODEL_FIELDS: [&str; 18] = [
    "sku_id",
    "product_id",
    "settlement_status",
    "fully_return",
    "creator_username",
    "content_type",
    "content_id",
    "quantity",
    "price",
    "commission_rate",
    "shop_ads_commission_rate",
    "estimated_commission_base",
    "estimated_paid_commission",
    "actual_paid_commission",
    "estimated_paid_shop_ads_commission",
    "actual_paid_shop_ads_commission",
    "estimated_cofunded_creator_bonus_amount",
    "actual_cofunded_creator_bonus_amount",
];

fn sku(out: &mut Vec<u8>, sku: &FakeSku) {
    out.push(b'{');
    let mut f = Fields {
        out,
        raw: &sku.raw,
        first: true,
    };
    let currency = sku.currency.as_str();
    f.str("sku_id", &sku.sku_id);
    f.str("product_id", &sku.product_id);
    f.str("settlement_status", &sku.settlement_status);
    f.str("fully_return", if sku.fully_return { "Yes" } else { "No" });
    f.opt_str("creator_username", sku.creator_username.as_deref());
    f.opt_str("content_type", sku.content_type.as_deref());
    f.opt_str("content_id", sku.content_id.as_deref());
    f.num("quantity", u64::from(sku.quantity));
    f.money("price", Some(sku.price_cents), currency);
    f.str("commission_rate", &sku.commission_rate_bp.to_string());
    f.str(
        "shop_ads_commission_rate",
        &sku.shop_ads_rate_bp.to_string(),
    );
    f.money("estimated_commission_base", Some(sku.paid_cents), currency);
    f.money(
        "estimated_paid_commission",
        Some(sku.est_commission),
        currency,
    );
    f.money("actual_paid_commission", sku.actual_commission, currency);
    let est_shop_ads = Some(sku.est_shop_ads);
    f.money("estimated_paid_shop_ads_commission", est_shop_ads, currency);
    f.money(
        "actual_paid_shop_ads_commission",
        sku.actual_shop_ads,
        currency,
    );
    let est_bonus = Some(sku.est_bonus);
    f.money(
        "estimated_cofunded_creator_bonus_amount",
        est_bonus,
        currency,
    );
    f.money(
        "actual_cofunded_creator_bonus_amount",
        sku.actual_bonus,
        currency,
    );
    for (name, _) in sku.raw.iter() {
        if !MODEL_FIELDS.contains(&name.as_str()) {
            f.extra(name);
        }
    }
    f.out.push(b'}');
}
