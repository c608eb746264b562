//! The order lines as the orders search reads them: sorted once by (create time, order id, sku
//! id), found by binary search, either held ([`FakeSku`]s a test gave) or made on demand from a
//! seed ([`FakeShop::generated`](super::FakeShop::generated), a million lines without a million
//! structs).

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::model::{FakeProduct, FakeSku};

/// Order and SKU ids of generated lines: 19 digits, so text order is numeric order.
const ORDER_BASE: u64 = 5_760_000_000_000_000_000;
const SKU_BASE: u64 = 1_731_000_000_000_000_000;
const PRODUCT_BASE: u64 = 1_729_000_000_000_000_100;
const PRODUCTS: u64 = 50;

/// Makes line `i` of a generated shop from its seed.
#[derive(Clone, Debug)]
pub struct Generator {
    lines: usize,
    creators: usize,
    from: i64,
    span: i64,
    seed: u64,
    orders: u64,
}

impl Generator {
    pub fn new(
        lines: usize,
        creators: usize,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        seed: u64,
    ) -> Generator {
        let mut generator = Generator {
            lines,
            creators: creators.max(1),
            from: from.timestamp(),
            span: (to.timestamp() - from.timestamp()).max(1),
            seed,
            orders: 1,
        };
        generator.orders = if lines == 0 {
            0
        } else {
            generator.order_of(lines - 1).0 + 1
        };
        generator
    }

    /// The products the lines refer to.
    pub fn products(&self) -> Vec<FakeProduct> {
        (0..PRODUCTS)
            .map(|p| FakeProduct::new(&(PRODUCT_BASE + p).to_string(), &format!("Product {p}")))
            .collect()
    }

    /// (order number, line within the order): orders of 1, 2 and 3 lines in turn.
    fn order_of(&self, i: usize) -> (u64, usize) {
        let (block, offset) = ((i / 6) as u64, i % 6);
        let (j, line) = match offset {
            0 => (0, 0),
            1 | 2 => (1, offset - 1),
            _ => (2, offset - 3),
        };
        (block * 3 + j, line)
    }

    fn order_time(&self, order: u64) -> i64 {
        self.from + (i128::from(order) * i128::from(self.span) / i128::from(self.orders)) as i64
    }

    fn time(&self, i: usize) -> i64 {
        self.order_time(self.order_of(i).0)
    }

    fn line(&self, i: usize) -> FakeSku {
        let (order, _) = self.order_of(i);
        let h = mix(self.seed ^ order.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let g = mix(self.seed.rotate_left(17) ^ (i as u64).wrapping_mul(0xd1b5_4a32_d192_ed03));
        let u = (h >> 11) as f64 / (1u64 << 53) as f64;
        let creator = ((u * u * u) * self.creators as f64) as usize;
        let time = DateTime::from_timestamp(self.order_time(order), 0).expect("a valid time");
        let quantity = 1 + (g >> 8) % 3;
        let price = 500 + ((g >> 16) % 9_500) as i64;
        let mut sku = FakeSku::new(
            &(ORDER_BASE + order).to_string(),
            &(SKU_BASE + i as u64).to_string(),
            &format!("creator{creator:05}"),
            time,
            price * quantity as i64,
        )
        .product(&(PRODUCT_BASE + g % PRODUCTS).to_string())
        .quantity(quantity as u32, price);
        sku = match (h >> 20) % 10 {
            0..=6 => sku.content(
                "VIDEO",
                Some(&format!("73{:017}", h % 100_000_000_000_000_000)),
            ),
            7 | 8 => sku.content(
                "LIVE",
                Some(&format!("74{:017}", h % 100_000_000_000_000_000)),
            ),
            _ => sku.content("SHOWCASE", None),
        };
        sku = match (g >> 32) % 20 {
            0 => sku.settlement("AWAITING_PAYMENT"),
            1 => sku.settlement("INELIGIBLE"),
            2 => sku.settlement("FROZEN"),
            3..=12 => sku,
            _ => sku.settled(),
        };
        if (g >> 40).is_multiple_of(25) {
            sku = sku.fully_returned();
        }
        sku
    }
}

/// splitmix64's finaliser.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Every order line, in search order.
pub struct Lines {
    held: Vec<FakeSku>,
    /// Per held line: its order's number in search order (for `total_count`).
    ordinals: Vec<u64>,
    generator: Option<Generator>,
    /// Generated lines a test changed, by (order id, sku id).
    changed: HashMap<(String, String), FakeSku>,
}

impl Lines {
    pub fn new(held: Vec<FakeSku>, generator: Option<Generator>) -> Lines {
        assert!(
            generator.is_none() || held.is_empty(),
            "a generated shop holds no lines of its own"
        );
        let mut lines = Lines {
            held,
            ordinals: Vec::new(),
            generator,
            changed: HashMap::new(),
        };
        lines.sort();
        lines
    }

    fn sort(&mut self) {
        self.held.sort_by(|a, b| a.key().cmp(&b.key()));
        let mut ordinal = 0;
        self.ordinals = (0..self.held.len())
            .map(|i| {
                if i > 0 && self.held[i - 1].order_id != self.held[i].order_id {
                    ordinal += 1;
                }
                ordinal
            })
            .collect();
    }

    pub fn len(&self) -> usize {
        match &self.generator {
            Some(generator) => generator.lines,
            None => self.held.len(),
        }
    }

    pub fn line(&self, i: usize) -> Cow<'_, FakeSku> {
        match &self.generator {
            None => Cow::Borrowed(&self.held[i]),
            Some(generator) => {
                let sku = generator.line(i);
                match self
                    .changed
                    .get(&(sku.order_id.clone(), sku.sku_id.clone()))
                {
                    Some(changed) => Cow::Owned(changed.clone()),
                    None => Cow::Owned(sku),
                }
            }
        }
    }

    fn time(&self, i: usize) -> i64 {
        match &self.generator {
            Some(generator) => generator.time(i),
            None => self.held[i].create_time.timestamp(),
        }
    }

    /// Line `i`'s order number in search order (one more at every new order).
    pub fn ordinal(&self, i: usize) -> u64 {
        match &self.generator {
            Some(generator) => generator.order_of(i).0,
            None => self.ordinals[i],
        }
    }

    /// The first line created at or after `t` (Unix seconds).
    pub fn first_at(&self, t: i64) -> usize {
        partition_point(self.len(), |i| self.time(i) < t)
    }

    /// The first line whose key is at or after `key`.
    pub fn first_from(&self, key: (i64, &str, &str)) -> usize {
        partition_point(self.len(), |i| {
            let time = self.time(i);
            if time != key.0 {
                return time < key.0;
            }
            let line = self.line(i);
            (line.order_id.as_str(), line.sku_id.as_str()) < (key.1, key.2)
        })
    }

    /// Changes one line; false when there is no such line.
    pub fn update(
        &mut self,
        order_id: &str,
        sku_id: &str,
        change: impl FnOnce(&mut FakeSku),
    ) -> bool {
        if self.generator.is_some() {
            let Some(i) = self.find_generated(order_id, sku_id) else {
                return false;
            };
            let mut sku = self.line(i).into_owned();
            change(&mut sku);
            self.changed
                .insert((order_id.to_owned(), sku_id.to_owned()), sku);
            return true;
        }
        let Some(sku) = self
            .held
            .iter_mut()
            .find(|s| s.order_id == order_id && s.sku_id == sku_id)
        else {
            return false;
        };
        change(sku);
        self.sort();
        true
    }

    fn find_generated(&self, order_id: &str, sku_id: &str) -> Option<usize> {
        let i = sku_id.parse::<u64>().ok()?.checked_sub(SKU_BASE)? as usize;
        (i < self.len() && self.line(i).order_id == order_id).then_some(i)
    }

    /// The held lines, in search order (none for a generated shop).
    pub fn held(&self) -> Vec<FakeSku> {
        self.held.clone()
    }

    /// Adds held lines (not to a generated shop).
    pub fn add(&mut self, skus: impl IntoIterator<Item = FakeSku>) {
        assert!(
            self.generator.is_none(),
            "a generated shop takes no more lines"
        );
        self.held.extend(skus);
        self.sort();
    }
}

/// The first index in `0..len` for which `before` is false (`before` true, then false).
fn partition_point(len: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut low, mut high) = (0, len);
    while low < high {
        let mid = low + (high - low) / 2;
        if before(mid) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    low
}
