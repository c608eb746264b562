//! Samples recorded by hand: staff say a product shipped to a creator or arrived. The nudges and
//! the sample conversion KPI read these rows like the ones the samples import writes.

use crate::domain::for_user;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use sqlx::PgPool;

use crate::db::creators as creator_db;
use crate::db::programs::Program;
use crate::db::samples as sample_db;
use crate::domain::Handle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleEvent {
    Shipped,
    Delivered,
}

impl SampleEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            SampleEvent::Shipped => "shipped",
            SampleEvent::Delivered => "delivered",
        }
    }
}

/// What was recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleRecorded {
    pub handle: String,
    pub product_id: String,
    pub product_name: String,
    pub event: SampleEvent,
    pub on: NaiveDate,
    pub shipped_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SampleError {
    #[error("there is no creator {handle} in program {program}")]
    UnknownCreator { handle: Handle, program: String },
    #[error(
        "there is no product {product_id} in program {program}: check the id, or import the product catalogue first"
    )]
    UnknownProduct { product_id: String, program: String },
    #[error("{day} is in the future (today is {today} in the program's time zone)")]
    Future { day: NaiveDate, today: NaiveDate },
    #[error("the sample of {product_id} shipped to @{handle} on {day} is recorded already")]
    AlreadyShipped {
        handle: String,
        product_id: String,
        day: NaiveDate,
    },
    #[error("no sample of {product_id} was shipped to @{handle}: record the shipment first")]
    NotShipped { handle: String, product_id: String },
    #[error(
        "the sample of {product_id} to @{handle} shipped on {shipped_on}, after {day}: check the date"
    )]
    ShippedAfter {
        handle: String,
        product_id: String,
        shipped_on: NaiveDate,
        day: NaiveDate,
    },
    #[error(
        "the sample of {product_id} shipped to @{handle} on {shipped_on} was delivered on {delivered_on} already"
    )]
    AlreadyDelivered {
        handle: String,
        product_id: String,
        shipped_on: NaiveDate,
        delivered_on: NaiveDate,
    },
}

/// Records that a sample of `product_id` shipped to (or reached) the creator on `day`, which may
/// not be after `today` (program-local). A delivery completes the latest shipment not yet
/// delivered that shipped on or before `day`.
pub async fn record(
    pool: &PgPool,
    program: &Program,
    event: SampleEvent,
    handle: &Handle,
    product_id: &str,
    day: NaiveDate,
    today: NaiveDate,
) -> Result<SampleRecorded> {
    if day > today {
        return Err(for_user(SampleError::Future { day, today }));
    }
    let mut tx = pool.begin().await?;
    let creator = creator_db::by_handle(&mut *tx, program.id, handle.as_str())
        .await?
        .ok_or_else(|| {
            for_user(SampleError::UnknownCreator {
                handle: handle.clone(),
                program: program.slug.clone(),
            })
        })?;
    let product_name = sample_db::product_name(&mut *tx, program.id, product_id)
        .await?
        .ok_or_else(|| {
            for_user(SampleError::UnknownProduct {
                product_id: product_id.to_string(),
                program: program.slug.clone(),
            })
        })?;
    let shipped_on = match event {
        SampleEvent::Shipped => {
            let new = sample_db::insert_shipped(
                &mut tx,
                program.id,
                creator.id,
                product_id,
                day,
                program.timezone.name(),
            )
            .await?;
            if !new {
                return Err(for_user(SampleError::AlreadyShipped {
                    handle: creator.handle,
                    product_id: product_id.to_string(),
                    day,
                }));
            }
            day
        }
        SampleEvent::Delivered => {
            let shipments =
                sample_db::lock_shipments(&mut tx, program.id, creator.id, product_id).await?;
            let shipment = delivered_shipment(&shipments, &creator.handle, product_id, day)
                .map_err(for_user)?;
            sample_db::set_delivered(&mut tx, program.id, shipment.id, day).await?;
            shipment.shipped_on
        }
    };
    tx.commit().await.context("saving the sample")?;
    Ok(SampleRecorded {
        handle: creator.handle,
        product_id: product_id.to_string(),
        product_name,
        event,
        on: day,
        shipped_on,
    })
}

/// The shipment a delivery on `day` completes (`shipments` newest first).
fn delivered_shipment<'a>(
    shipments: &'a [sample_db::Shipment],
    handle: &str,
    product_id: &str,
    day: NaiveDate,
) -> Result<&'a sample_db::Shipment, SampleError> {
    let shipped_by_then: Vec<_> = shipments.iter().filter(|s| s.shipped_on <= day).collect();
    if let Some(open) = shipped_by_then.iter().find(|s| s.delivered_on.is_none()) {
        return Ok(open);
    }
    let (handle, product_id) = (handle.to_string(), product_id.to_string());
    match (shipped_by_then.first(), shipments.last()) {
        (Some(latest), _) => Err(SampleError::AlreadyDelivered {
            handle,
            product_id,
            shipped_on: latest.shipped_on,
            delivered_on: latest.delivered_on.unwrap_or(day),
        }),
        (None, Some(earliest)) => Err(SampleError::ShippedAfter {
            handle,
            product_id,
            shipped_on: earliest.shipped_on,
            day,
        }),
        (None, None) => Err(SampleError::NotShipped { handle, product_id }),
    }
}
