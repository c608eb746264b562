//! One line of the Seller Center affiliate orders export (US and UK layouts), checked and turned
//! into integer cents, basis points and a UTC instant plus its program-local day.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;

use super::{ColumnSpec, FieldError, Row};
use crate::domain::money::Cents;
use crate::domain::timefmt;

/// Indexes into [`COLUMNS`].
pub mod col {
    pub const ORDER_ID: usize = 0;
    pub const PRODUCT_ID: usize = 1;
    pub const PRODUCT_NAME: usize = 2;
    pub const SKU_ID: usize = 3;
    pub const PRICE: usize = 4;
    pub const PAYMENT_AMOUNT: usize = 5;
    pub const CURRENCY: usize = 6;
    pub const QUANTITY: usize = 7;
    pub const REFUNDED: usize = 8;
    pub const PAYMENT_METHOD: usize = 9;
    pub const ORDER_STATUS: usize = 10;
    pub const CREATOR_USERNAME: usize = 11;
    pub const CONTENT_TYPE: usize = 12;
    pub const CONTENT_ID: usize = 13;
    pub const STANDARD_RATE: usize = 14;
    pub const EST_COMMISSION_BASE: usize = 15;
    pub const EST_STANDARD_COMMISSION: usize = 16;
    pub const ACTUAL_STANDARD_COMMISSION: usize = 17;
    pub const SHOP_ADS_RATE: usize = 18;
    pub const EST_SHOP_ADS_COMMISSION: usize = 19;
    pub const ACTUAL_SHOP_ADS_COMMISSION: usize = 20;
    pub const EST_COFUNDED_BONUS: usize = 21;
    pub const ACTUAL_COFUNDED_BONUS: usize = 22;
    pub const TIME_CREATED: usize = 23;
}

/// The export's columns as Seller Center names them (UK exports add `Creator Region`, ignored).
pub const COLUMNS: &[ColumnSpec] = &[
    ColumnSpec::required("Order ID"),
    ColumnSpec::optional("Product ID"),
    ColumnSpec::optional("Product Name"),
    ColumnSpec::required("SKU ID"),
    ColumnSpec::optional("Price"),
    ColumnSpec::required("Payment Amount"),
    ColumnSpec::optional("Currency"),
    ColumnSpec::optional("Quantity"),
    ColumnSpec::optional("Fully returned or refunded"),
    ColumnSpec::optional("Payment method"),
    ColumnSpec::required("Order Status"),
    ColumnSpec::required("Creator Username"),
    ColumnSpec::optional("Content Type"),
    ColumnSpec::optional("Content ID"),
    ColumnSpec::optional("Standard commission rate"),
    ColumnSpec::optional("Est. Commission Base"),
    ColumnSpec::optional("Est. standard commission payment"),
    ColumnSpec::optional("Actual Commission Payment"),
    ColumnSpec::optional("Shop Ads commission rate"),
    ColumnSpec::optional("Est. Shop Ads commission payment"),
    ColumnSpec::optional("Actual Shop Ads commission payment"),
    ColumnSpec::optional("Est. co-funded creator bonus"),
    ColumnSpec::optional("Actual co-funded creator bonus"),
    ColumnSpec::required("Time Created"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    CustomerUnpaid,
    Pending,
    Settled,
    Ineligible,
    Frozen,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderFieldError {
    #[error(
        "{0:?} is not an order status (Customer Unpaid, Pending, Settled, Ineligible or Frozen)"
    )]
    Status(String),
    #[error("{0:?} is not Yes or No")]
    YesNo(String),
    #[error("{0:?} is not a quantity (a whole number)")]
    Quantity(String),
    #[error("{0:?} is not a three-letter currency code (e.g. USD)")]
    Currency(String),
}

impl OrderStatus {
    pub fn parse(raw: &str) -> Result<OrderStatus, OrderFieldError> {
        let s = raw.trim();
        let is = |name: &str| s.eq_ignore_ascii_case(name);
        Ok(if is("Settled") {
            OrderStatus::Settled
        } else if is("Pending") {
            OrderStatus::Pending
        } else if is("Customer Unpaid") || is("customer_unpaid") {
            OrderStatus::CustomerUnpaid
        } else if is("Ineligible") {
            OrderStatus::Ineligible
        } else if is("Frozen") {
            OrderStatus::Frozen
        } else {
            return Err(OrderFieldError::Status(s.to_string()));
        })
    }

    /// The key stored in `order_lines.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::CustomerUnpaid => "customer_unpaid",
            OrderStatus::Pending => "pending",
            OrderStatus::Settled => "settled",
            OrderStatus::Ineligible => "ineligible",
            OrderStatus::Frozen => "frozen",
        }
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One checked export line; text borrows from the CSV record.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderLine<'r> {
    pub order_id: &'r str,
    pub sku_id: &'r str,
    pub creator: Cow<'r, str>,
    pub product_id: Option<&'r str>,
    pub product_name: Option<&'r str>,
    /// `None`: the file does not say, so the program's currency.
    pub currency: Option<Cow<'r, str>>,
    pub price: Option<Cents>,
    pub payment_amount: Cents,
    pub quantity: i32,
    pub refunded: bool,
    pub payment_method: Option<&'r str>,
    pub status: OrderStatus,
    pub content_type: Option<&'r str>,
    pub content_id: Option<&'r str>,
    pub standard_rate_bp: Option<i32>,
    pub est_commission_base: Option<Cents>,
    pub est_standard_commission: Cents,
    /// `None`: TikTok has not reported it yet.
    pub actual_standard_commission: Option<Cents>,
    pub shop_ads_rate_bp: Option<i32>,
    pub est_shop_ads_commission: Cents,
    pub actual_shop_ads_commission: Option<Cents>,
    pub est_cofunded_bonus: Cents,
    pub actual_cofunded_bonus: Option<Cents>,
    pub created_at: DateTime<Utc>,
    /// The program-local calendar day of `created_at`.
    pub created_on: NaiveDate,
}

/// How a line counts in the daily totals; the same rules as the rollups' SQL
/// (`db::rollups::NET_LINE_SQL`, `COMMISSION_SQL`, `ESTIMATED_SQL`, `ACTUAL_SQL`).
impl OrderLine<'_> {
    /// Paid: its amount counts in gross GMV.
    pub fn is_paid(&self) -> bool {
        self.status != OrderStatus::CustomerUnpaid
    }

    /// Paid, not `Ineligible`, not fully refunded.
    pub fn is_net(&self) -> bool {
        self.is_paid() && self.status != OrderStatus::Ineligible && !self.refunded
    }

    /// Standard + shop ads + co-funded bonus, as estimated.
    pub fn estimated_commission(&self) -> Cents {
        self.est_standard_commission + self.est_shop_ads_commission + self.est_cofunded_bonus
    }

    /// The actual payments reported so far (0 when none yet).
    pub fn actual_commission(&self) -> Cents {
        self.actual_standard_commission.unwrap_or(0)
            + self.actual_shop_ads_commission.unwrap_or(0)
            + self.actual_cofunded_bonus.unwrap_or(0)
    }

    /// The actual payments once TikTok has reported any, else the estimate.
    pub fn commission(&self) -> Cents {
        let reported = self.actual_standard_commission.is_some()
            || self.actual_shop_ads_commission.is_some()
            || self.actual_cofunded_bonus.is_some();
        if reported {
            self.actual_commission()
        } else {
            self.estimated_commission()
        }
    }
}

/// Checks one record; `tz` is the program's time zone, in which `Time Created` is read.
pub fn parse_order_line<'r>(row: &Row<'r>, tz: Tz) -> Result<OrderLine<'r>, FieldError> {
    let time_raw = row.required(col::TIME_CREATED)?;
    let local = seller_center_time(time_raw)
        .map_err(|e| FieldError::new(col::TIME_CREATED, time_raw, e))?;
    let status_raw = row.required(col::ORDER_STATUS)?;
    let status = OrderStatus::parse(status_raw)
        .map_err(|e| FieldError::new(col::ORDER_STATUS, status_raw, e))?;
    let refunded = match row.opt(col::REFUNDED)? {
        None => false,
        Some(s) => yes_no(s).map_err(|e| FieldError::new(col::REFUNDED, s, e))?,
    };
    let quantity = match row.opt(col::QUANTITY)? {
        None => 1,
        Some(s) => super::parse_count(s)
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| {
                FieldError::new(col::QUANTITY, s, OrderFieldError::Quantity(s.to_string()))
            })?,
    };
    let currency = match row.opt(col::CURRENCY)? {
        None => None,
        Some(s) if s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase()) => {
            Some(Cow::Borrowed(s))
        }
        Some(s) if s.len() == 3 && s.bytes().all(|b| b.is_ascii_alphabetic()) => {
            Some(Cow::Owned(s.to_ascii_uppercase()))
        }
        Some(s) => {
            return Err(FieldError::new(
                col::CURRENCY,
                s,
                OrderFieldError::Currency(s.to_string()),
            ));
        }
    };
    Ok(OrderLine {
        order_id: row.required(col::ORDER_ID)?,
        sku_id: row.required(col::SKU_ID)?,
        creator: row.handle(col::CREATOR_USERNAME)?,
        product_id: row.opt(col::PRODUCT_ID)?,
        product_name: row.opt(col::PRODUCT_NAME)?,
        currency,
        price: row.money(col::PRICE)?,
        payment_amount: row.required_money(col::PAYMENT_AMOUNT)?,
        quantity,
        refunded,
        payment_method: row.opt(col::PAYMENT_METHOD)?,
        status,
        content_type: row.opt(col::CONTENT_TYPE)?,
        content_id: row.opt(col::CONTENT_ID)?,
        standard_rate_bp: row.rate_bp(col::STANDARD_RATE)?,
        est_commission_base: row.money(col::EST_COMMISSION_BASE)?,
        est_standard_commission: row.money(col::EST_STANDARD_COMMISSION)?.unwrap_or(0),
        actual_standard_commission: row.money(col::ACTUAL_STANDARD_COMMISSION)?,
        shop_ads_rate_bp: row.rate_bp(col::SHOP_ADS_RATE)?,
        est_shop_ads_commission: row.money(col::EST_SHOP_ADS_COMMISSION)?.unwrap_or(0),
        actual_shop_ads_commission: row.money(col::ACTUAL_SHOP_ADS_COMMISSION)?,
        est_cofunded_bonus: row.money(col::EST_COFUNDED_BONUS)?.unwrap_or(0),
        actual_cofunded_bonus: row.money(col::ACTUAL_COFUNDED_BONUS)?,
        created_at: timefmt::local_to_utc(local, tz),
        created_on: local.date(),
    })
}

/// `Yes`/`No` (also `Y`/`N`, `true`/`false`), any case.
pub fn yes_no(raw: &str) -> Result<bool, OrderFieldError> {
    let s = raw.trim();
    if ["yes", "y", "true"]
        .iter()
        .any(|v| s.eq_ignore_ascii_case(v))
    {
        Ok(true)
    } else if ["no", "n", "false"]
        .iter()
        .any(|v| s.eq_ignore_ascii_case(v))
    {
        Ok(false)
    } else {
        Err(OrderFieldError::YesNo(s.to_string()))
    }
}

/// [`timefmt::parse_seller_center_time`] with a fast path for the fixed-width forms
/// (`21/11/2026` and `21/11/2026 14:03:59`) that every export line carries.
pub fn seller_center_time(raw: &str) -> Result<NaiveDateTime, timefmt::TimeError> {
    fast_seller_center_time(raw.as_bytes())
        .map_or_else(|| timefmt::parse_seller_center_time(raw), Ok)
}

fn fast_seller_center_time(s: &[u8]) -> Option<NaiveDateTime> {
    fn num(s: &[u8]) -> Option<u32> {
        s.iter().try_fold(0u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    }
    if s.len() != 10 && s.len() != 19 || s[2] != b'/' || s[5] != b'/' {
        return None;
    }
    let year = num(&s[6..10]).filter(|y| *y >= 1)?;
    let date = NaiveDate::from_ymd_opt(year as i32, num(&s[3..5])?, num(&s[0..2])?)?;
    let time = if s.len() == 19 {
        if s[10] != b' ' || s[13] != b':' || s[16] != b':' {
            return None;
        }
        NaiveTime::from_hms_opt(num(&s[11..13])?, num(&s[14..16])?, num(&s[17..19])?)?
    } else {
        NaiveTime::MIN
    };
    Some(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_any_case() {
        assert_eq!(
            OrderStatus::parse("customer unpaid"),
            Ok(OrderStatus::CustomerUnpaid)
        );
        assert_eq!(OrderStatus::parse("SETTLED").unwrap().as_str(), "settled");
        assert_eq!(
            OrderStatus::parse("Shipped").unwrap_err().to_string(),
            "\"Shipped\" is not an order status (Customer Unpaid, Pending, Settled, Ineligible or Frozen)"
        );
    }

    #[test]
    fn fast_time_agrees_with_the_slow_one() {
        for s in [
            "21/11/2026 14:03:59",
            "01/02/2026",
            "31/02/2026",
            "21/11/2026 24:00:00",
            "21/11/2026 14:03",
            "2026-11-21",
            "1/2/2026",
        ] {
            assert_eq!(
                seller_center_time(s),
                timefmt::parse_seller_center_time(s),
                "{s}"
            );
        }
    }
}
