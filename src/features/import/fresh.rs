//! Daily totals of the days an orders file brings for the first time. When no line of a day is
//! stored yet, that day's totals are those of the file's lines alone, so the reader adds them up
//! as the lines stream past (much cheaper than the database grouping a million lines again after
//! inserting them). An export is sorted by time, so one day is added up at a time and written
//! out as COPY text when the next begins: memory holds one day's creators and orders, plus the
//! finished rows up to a bound. A day met again after another (a file out of order), and every
//! day once the bound is passed, is left to the database's own refresh.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;

use crate::db::import::copy_text as ct;
use crate::db::import::orders::CreatorIds;
use crate::domain::import_rows::orders::OrderLine;

/// Finished rows kept at most (COPY text of creator, program and product days): 16 MB.
const MAX_BYTES: usize = 16 << 20;

#[derive(Default, Clone, Copy)]
struct Totals {
    gross: i64,
    refunded: i64,
    net_lines: i64,
    orders: i64,
    commission: i64,
    estimated: i64,
    actual: i64,
}

impl Totals {
    /// In the order of the rollup columns.
    fn values(&self) -> [i64; 7] {
        [
            self.gross,
            self.refunded,
            self.net_lines,
            self.orders,
            self.commission,
            self.estimated,
            self.actual,
        ]
    }
}

#[derive(Default)]
struct CreatorDay {
    totals: Totals,
    /// Orders with a net line of this creator: counted once.
    orders: HashSet<Box<str>>,
}

/// One day being added up. Keys are allocated once per creator, order and product, not per line.
#[derive(Default)]
struct Day {
    creators: HashMap<Box<str>, CreatorDay>,
    /// Orders with a net line: counted once for the program.
    orders: HashSet<Box<str>>,
    /// Per product: (net GMV, net GMV of lines that earn commission).
    products: HashMap<Box<str>, (i64, i64)>,
}

/// The entry of `key` in `map`, allocating the key only when it is new.
fn entry<'m, V: Default>(map: &'m mut HashMap<Box<str>, V>, key: &str) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.into(), V::default());
    }
    map.get_mut(key).expect("just inserted")
}

/// Adds `key` to `set`; answers whether it was new.
fn insert(set: &mut HashSet<Box<str>>, key: &str) -> bool {
    !set.contains(key) && set.insert(key.into())
}

/// The rows the reader added up, as COPY text, and the days they cover.
#[derive(Default)]
pub(super) struct FreshDays {
    pub program_id: i64,
    current: Option<(NaiveDate, Day)>,
    /// Days written out whole.
    pub done: BTreeSet<NaiveDate>,
    /// Days met again after another, or past the bound: the database refreshes them.
    pub mixed: BTreeSet<NaiveDate>,
    /// The days of the creators whose ids the reader holds: (creator id, day, totals).
    creator_days: Vec<(i64, NaiveDate, Totals)>,
    /// Their first day with a net line among these days, where earlier than the one stored.
    pub first_sales: HashMap<i64, NaiveDate>,
    /// The other creators' rows: `handle, day, gross, refunded, net lines, orders, commission,
    /// estimated, actual`.
    pub creator_rows: Vec<u8>,
    /// `day, gross, refunded, orders, commission, estimated, actual`.
    pub program_rows: Vec<u8>,
    /// `day, product id, gmv, commission gmv`.
    pub product_rows: Vec<u8>,
    /// The lookups of stored lines stopped: which days are new is no longer known.
    abandoned: bool,
}

impl FreshDays {
    pub fn new(program_id: i64) -> FreshDays {
        FreshDays {
            program_id,
            ..FreshDays::default()
        }
    }

    /// Adds a line of a day with no stored line.
    pub fn add(&mut self, line: &OrderLine<'_>, ids: &CreatorIds) {
        let day = line.created_on;
        if self.abandoned || self.mixed.contains(&day) {
            return;
        }
        if self.current.as_ref().is_none_or(|(d, _)| *d != day) {
            self.finish_day(ids);
            if self.done.remove(&day) || self.full() {
                // Met again, or no room left: the database adds it up.
                self.mixed.insert(day);
                return;
            }
            self.current = Some((day, Day::default()));
        }
        let Some((_, d)) = self.current.as_mut() else {
            return;
        };
        let net = line.is_net();
        let c = entry(&mut d.creators, &line.creator);
        let t = &mut c.totals;
        if line.is_paid() {
            t.gross += line.payment_amount;
            if !net {
                t.refunded += line.payment_amount;
            }
        }
        let (estimated, actual) = (line.estimated_commission(), line.actual_commission());
        let commission = line.commission();
        if net {
            t.net_lines += 1;
            t.commission += commission;
            t.estimated += estimated;
            t.actual += actual;
            if insert(&mut c.orders, line.order_id) {
                t.orders += 1;
            }
            insert(&mut d.orders, line.order_id);
        }
        if let Some(product) = line.product_id {
            let p = entry(&mut d.products, product);
            if net {
                p.0 += line.payment_amount;
                if commission > 0 {
                    p.1 += line.payment_amount;
                }
            }
        }
    }

    /// Writes out the day being added up.
    pub fn finish_day(&mut self, ids: &CreatorIds) {
        let Some((day, d)) = self.current.take() else {
            return;
        };
        let mut program = Totals::default();
        for (handle, c) in &d.creators {
            let t = &c.totals;
            match ids.get(handle) {
                Some(creator) => {
                    self.creator_days.push((creator.id, day, *t));
                    // Only an earlier first sale than the one stored is news.
                    if t.net_lines > 0 && creator.first_sale.is_none_or(|f| f > day) {
                        let first = self.first_sales.entry(creator.id).or_insert(day);
                        *first = (*first).min(day);
                    }
                }
                None => {
                    let rows = &mut self.creator_rows;
                    ct::text(rows, handle);
                    ct::date(rows, day);
                    for n in t.values() {
                        ct::int(rows, n);
                    }
                    ct::end_row(rows);
                }
            }
            program.gross += t.gross;
            program.refunded += t.refunded;
            program.commission += t.commission;
            program.estimated += t.estimated;
            program.actual += t.actual;
        }
        ct::date(&mut self.program_rows, day);
        for n in [
            program.gross,
            program.refunded,
            d.orders.len() as i64,
            program.commission,
            program.estimated,
            program.actual,
        ] {
            ct::int(&mut self.program_rows, n);
        }
        ct::end_row(&mut self.program_rows);
        for (product, (gmv, commission_gmv)) in &d.products {
            ct::date(&mut self.product_rows, day);
            ct::text(&mut self.product_rows, product);
            ct::int(&mut self.product_rows, *gmv);
            ct::int(&mut self.product_rows, *commission_gmv);
            ct::end_row(&mut self.product_rows);
        }
        self.done.insert(day);
    }

    /// The `creator_daily` rows of the creators whose ids the reader holds, as COPY text:
    /// `program, creator id, day, gross, refunded, net lines, orders, commission, estimated,
    /// actual`, sorted by creator and day (the order of the table's key, which the index takes in
    /// about a quarter faster than in any order).
    pub fn take_creator_days(&mut self) -> Vec<u8> {
        let mut days = std::mem::take(&mut self.creator_days);
        // A day met again after another is the database's to add up.
        days.retain(|(_, day, _)| self.done.contains(day));
        self.first_sales.retain(|_, day| self.done.contains(day));
        days.sort_unstable_by_key(|(id, day, _)| (*id, *day));
        let mut rows = Vec::with_capacity(days.len() * 80);
        for (id, day, t) in days {
            ct::int(&mut rows, self.program_id);
            ct::int(&mut rows, id);
            ct::date(&mut rows, day);
            for n in t.values() {
                ct::int(&mut rows, n);
            }
            ct::end_row(&mut rows);
        }
        rows
    }

    /// Nothing added up is used: the database adds up every day.
    pub fn abandon(&mut self) {
        if !self.abandoned {
            *self = FreshDays {
                program_id: self.program_id,
                abandoned: true,
                ..FreshDays::default()
            };
        }
    }

    fn full(&self) -> bool {
        self.creator_days.len() * std::mem::size_of::<(i64, NaiveDate, Totals)>()
            + self.creator_rows.len()
            + self.program_rows.len()
            + self.product_rows.len()
            + self.first_sales.len() * 16
            > MAX_BYTES
    }
}
