//! One SKU line of a TikTok Shop affiliate order (`POST /affiliate_seller/202410/orders/search`),
//! checked and turned into the same [`OrderLine`] a Seller Center export line becomes, so the API
//! and the CSV import merge through the same code into the same rows. A line with a missing or
//! malformed field is rejected with its order id, SKU id, field and reason.
//!
//! Mapping (the current API; `order.status` and `refunded_quantity` are deprecated and unused):
//! `settlement_status` AWAITING_PAYMENT → Customer Unpaid, TO_SETTLE → Pending, SETTLED →
//! Settled, INELIGIBLE → Ineligible, FROZEN → Frozen; `fully_return` "Yes" → fully returned or
//! refunded; `estimated_commission_base` is the line's paid amount; `commission_rate` and
//! `shop_ads_commission_rate` are in hundredths of a percent, which are basis points.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde_json::{Map, Value};

use super::handle::Handle;
use super::import_rows::money;
use super::import_rows::orders::{OrderLine, OrderStatus};
use super::money::Cents;
use super::timefmt::local_day;

/// A line left out of a sync, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RejectedLine {
    pub order_id: String,
    pub sku_id: String,
    pub field: String,
    pub reason: String,
}

impl RejectedLine {
    /// `order 5771…, SKU 1729…: field "price": "abc" is not an amount of money`.
    pub fn describe(&self) -> String {
        format!(
            "order {}, SKU {}: field {:?}: {}",
            self.order_id, self.sku_id, self.field, self.reason
        )
    }
}

type Field<T> = Result<T, (&'static str, String)>;

fn text<'v>(obj: &'v Map<String, Value>, field: &'static str) -> Field<Option<&'v str>> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(other) => Err((field, format!("{other} is not text"))),
    }
}

fn required<'v>(obj: &'v Map<String, Value>, field: &'static str) -> Field<&'v str> {
    text(obj, field)?.ok_or((field, "is missing".to_string()))
}

/// A money object `{"amount": "12.34", "currency": "USD"}`: its cents and currency.
fn amount<'v>(obj: &'v Map<String, Value>, field: &'static str) -> Field<Option<(Cents, &'v str)>> {
    let m = match obj.get(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(m)) => m,
        Some(other) => return Err((field, format!("{other} is not an amount of money"))),
    };
    let cents = match m.get("amount") {
        Some(Value::String(s)) => {
            money(s.trim()).map_err(|_| (field, format!("{s:?} is not an amount of money")))?
        }
        Some(Value::Number(n)) => {
            money(&n.to_string()).map_err(|_| (field, format!("{n} is not an amount of money")))?
        }
        None | Some(Value::Null) => return Err((field, "has no amount".to_string())),
        Some(other) => return Err((field, format!("{other} is not an amount of money"))),
    };
    let currency = m.get("currency").and_then(Value::as_str).unwrap_or("");
    Ok(Some((cents, currency)))
}

/// A rate in hundredths of a percent ("1500" = 15 %), which is basis points.
fn rate_bp(obj: &Map<String, Value>, field: &'static str) -> Field<Option<i32>> {
    let raw = match obj.get(field) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => return Ok(None),
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => return Err((field, format!("{other} is not a rate"))),
    };
    raw.parse::<i32>()
        .ok()
        .filter(|bp| (0..=10_000).contains(bp))
        .map(Some)
        .ok_or((
            field,
            format!("{raw:?} is not a rate in hundredths of a percent (0 to 10000)"),
        ))
}

fn settlement_status(raw: &str) -> Option<OrderStatus> {
    let key: String = raw
        .trim()
        .chars()
        .map(|c| {
            if c == ' ' {
                '_'
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect();
    Some(match key.as_str() {
        "AWAITING_PAYMENT" | "UNPAID" => OrderStatus::CustomerUnpaid,
        "TO_SETTLE" | "PENDING" => OrderStatus::Pending,
        "SETTLED" => OrderStatus::Settled,
        "INELIGIBLE" => OrderStatus::Ineligible,
        "FROZEN" => OrderStatus::Frozen,
        _ => return None,
    })
}

/// The content type as the Seller Center export writes it, so a line read from both stays one.
fn content_type(raw: &str) -> &str {
    match raw {
        "VIDEO" => "Video",
        "SHOWCASE" => "Showcase",
        other => other,
    }
}

/// The order's id and create time, checked once for all its lines.
pub struct OrderHead<'v> {
    pub order_id: &'v str,
    pub created_at: DateTime<Utc>,
}

/// Checks an order object's id and `create_time` (Unix seconds).
pub fn order_head(order: &Map<String, Value>) -> Result<OrderHead<'_>, (String, String)> {
    let order_id = required(order, "id").map_err(|(f, r)| (f.to_string(), r))?;
    let created_at = match order.get("create_time") {
        Some(Value::Number(n)) => n.as_i64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .and_then(|secs| DateTime::from_timestamp(secs, 0))
    .ok_or_else(|| {
        (
            "create_time".to_string(),
            match order.get("create_time") {
                None | Some(Value::Null) => "is missing".to_string(),
                Some(v) => format!("{v} is not a Unix time"),
            },
        )
    })?;
    Ok(OrderHead {
        order_id,
        created_at,
    })
}

/// Checks one SKU object of an order; `tz` gives the program-local day, `currency` is the
/// program's (a line in another currency is rejected, as in the import).
pub fn order_line<'v>(
    head: &OrderHead<'v>,
    sku: &'v Map<String, Value>,
    tz: Tz,
    currency: &str,
) -> Result<OrderLine<'v>, RejectedLine> {
    let sku_id = text(sku, "sku_id").ok().flatten();
    parse(head, sku, tz, currency).map_err(|(field, reason)| RejectedLine {
        order_id: head.order_id.to_string(),
        sku_id: sku_id.unwrap_or("").to_string(),
        field: field.to_string(),
        reason,
    })
}

fn parse<'v>(
    head: &OrderHead<'v>,
    sku: &'v Map<String, Value>,
    tz: Tz,
    currency: &str,
) -> Field<OrderLine<'v>> {
    let sku_id = required(sku, "sku_id")?;
    let user = required(sku, "creator_username")?;
    let creator = Handle::parse(user)
        .map(|h| Cow::Owned(h.as_str().to_string()))
        .map_err(|e| ("creator_username", e.to_string()))?;
    let status_raw = required(sku, "settlement_status")?;
    let status = settlement_status(status_raw).ok_or((
        "settlement_status",
        format!(
            "{status_raw:?} is not a settlement status (AWAITING_PAYMENT, TO_SETTLE, SETTLED, \
             INELIGIBLE or FROZEN)"
        ),
    ))?;
    let refunded = match text(sku, "fully_return")? {
        None => false,
        Some(s) => {
            super::import_rows::orders::yes_no(s).map_err(|e| ("fully_return", e.to_string()))?
        }
    };
    let quantity = match sku.get("quantity") {
        None | Some(Value::Null) => 1,
        Some(Value::Number(n)) => n
            .as_i64()
            .and_then(|q| i32::try_from(q).ok())
            .filter(|q| *q >= 0)
            .ok_or((
                "quantity",
                format!("{n} is not a quantity (a whole number)"),
            ))?,
        Some(other) => return Err(("quantity", format!("{other} is not a quantity"))),
    };
    let (paid, paid_currency) = amount(sku, "estimated_commission_base")?
        .ok_or(("estimated_commission_base", "is missing".to_string()))?;
    let price = amount(sku, "price")?;
    let line_currency = [Some(paid_currency), price.map(|p| p.1)]
        .into_iter()
        .flatten()
        .find(|c| !c.is_empty());
    if let Some(c) = line_currency
        && !c.eq_ignore_ascii_case(currency)
    {
        return Err((
            "estimated_commission_base",
            format!(
                "{c:?} is not this program's currency ({currency}); its amounts cannot be \
                 added to the program's"
            ),
        ));
    }
    let cents = |field| amount(sku, field).map(|a| a.map(|(c, _)| c));
    Ok(OrderLine {
        order_id: head.order_id,
        sku_id,
        creator,
        product_id: text(sku, "product_id")?,
        product_name: None,
        currency: None,
        price: price.map(|p| p.0),
        payment_amount: paid,
        quantity,
        refunded,
        payment_method: None,
        status,
        content_type: text(sku, "content_type")?.map(content_type),
        content_id: text(sku, "content_id")?,
        standard_rate_bp: rate_bp(sku, "commission_rate")?,
        est_commission_base: Some(paid),
        est_standard_commission: cents("estimated_paid_commission")?.unwrap_or(0),
        actual_standard_commission: cents("actual_paid_commission")?,
        shop_ads_rate_bp: rate_bp(sku, "shop_ads_commission_rate")?,
        est_shop_ads_commission: cents("estimated_paid_shop_ads_commission")?.unwrap_or(0),
        actual_shop_ads_commission: cents("actual_paid_shop_ads_commission")?,
        est_cofunded_bonus: cents("estimated_cofunded_creator_bonus_amount")?.unwrap_or(0),
        actual_cofunded_bonus: cents("actual_cofunded_creator_bonus_amount")?,
        created_at: head.created_at,
        created_on: local_day(head.created_at, tz),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_full_line_maps_onto_the_export_fields() {
        let order = obj(json!({"id": "5771", "create_time": 1_795_000_000}));
        let sku = obj(json!({
            "sku_id": "17", "product_id": "p1", "creator_username": "@GlowQueen",
            "settlement_status": "SETTLED", "fully_return": "No", "quantity": 2,
            "content_type": "VIDEO", "content_id": "v-1",
            "price": {"amount": "617.28", "currency": "USD"},
            "estimated_commission_base": {"amount": "1234.56", "currency": "USD"},
            "commission_rate": "1500", "shop_ads_commission_rate": "500",
            "estimated_paid_commission": {"amount": "185.18", "currency": "USD"},
            "actual_paid_commission": {"amount": "180.00", "currency": "USD"},
            "estimated_paid_shop_ads_commission": {"amount": "61.73", "currency": "USD"}
        }));
        let head = order_head(&order).unwrap();
        let line = order_line(&head, &sku, chrono_tz::America::New_York, "USD").unwrap();
        assert_eq!(line.creator, "glowqueen");
        assert_eq!(line.status, OrderStatus::Settled);
        assert_eq!(line.payment_amount, 123_456);
        assert_eq!(line.price, Some(61_728));
        assert_eq!(line.standard_rate_bp, Some(1500));
        assert_eq!(line.shop_ads_rate_bp, Some(500));
        assert_eq!(line.est_standard_commission, 18_518);
        assert_eq!(line.actual_standard_commission, Some(18_000));
        assert_eq!(line.actual_shop_ads_commission, None);
        assert_eq!(line.content_type, Some("Video"));
        assert_eq!(line.quantity, 2);
        assert!(!line.refunded);
        assert_eq!(line.created_at.timestamp(), 1_795_000_000);
    }

    #[test]
    fn a_bad_field_rejects_the_line_naming_it() {
        let order = obj(json!({"id": "5771", "create_time": 1_795_000_000}));
        let head = order_head(&order).unwrap();
        let reject = |sku: Value| {
            order_line(&head, &obj(sku), chrono_tz::UTC, "USD")
                .unwrap_err()
                .describe()
        };
        assert_eq!(
            reject(json!({"sku_id": "17", "settlement_status": "SETTLED",
                "estimated_commission_base": {"amount": "1", "currency": "USD"}})),
            "order 5771, SKU 17: field \"creator_username\": is missing"
        );
        assert_eq!(
            reject(
                json!({"sku_id": "17", "creator_username": "a", "settlement_status": "SETTLED",
                "estimated_commission_base": {"amount": "abc", "currency": "USD"}})
            ),
            "order 5771, SKU 17: field \"estimated_commission_base\": \"abc\" is not an amount of money"
        );
        assert_eq!(
            reject(
                json!({"sku_id": "17", "creator_username": "a", "settlement_status": "SHIPPED",
                "estimated_commission_base": {"amount": "1", "currency": "USD"}})
            ),
            "order 5771, SKU 17: field \"settlement_status\": \"SHIPPED\" is not a settlement status (AWAITING_PAYMENT, TO_SETTLE, SETTLED, INELIGIBLE or FROZEN)"
        );
        assert_eq!(
            reject(
                json!({"sku_id": "17", "creator_username": "a", "settlement_status": "SETTLED",
                "estimated_commission_base": {"amount": "1", "currency": "EUR"}})
            ),
            "order 5771, SKU 17: field \"estimated_commission_base\": \"EUR\" is not this program's currency (USD); its amounts cannot be added to the program's"
        );
        let bad_time = obj(json!({"id": "9", "create_time": "soon"}));
        assert!(order_head(&bad_time).is_err());
    }
}
