//! Reading the rows of an imported CSV file: matching headers to the columns a format knows, and
//! turning each field into a checked value, or into an error that names the column, the value and
//! what is wrong with it. One submodule per file format.
//!
//! The hot path (a million-line orders export) borrows every text field from the CSV record and
//! parses numbers without allocating; only a rejected field allocates, for its message.

pub mod activity;
pub mod orders;
pub mod roster;

use std::borrow::Cow;

use chrono::NaiveDate;

use super::handle::Handle;
use super::money::{Cents, parse_money, parse_rate_bp};
use super::timefmt;

/// A column a format knows, by the name its documentation uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    pub name: &'static str,
    pub required: bool,
}

impl ColumnSpec {
    pub const fn required(name: &'static str) -> ColumnSpec {
        ColumnSpec {
            name,
            required: true,
        }
    }
    pub const fn optional(name: &'static str) -> ColumnSpec {
        ColumnSpec {
            name,
            required: false,
        }
    }
}

/// The key a header is matched by: lower case, without spaces, `_`, `.` or a byte-order mark, so
/// `Est. Commission Base`, `est_commission_base` and ` EST COMMISSION BASE ` are the same column.
pub fn header_key(header: &str) -> String {
    header
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '.' | '\u{feff}' | '\t' | '\u{a0}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where each known column sits in the file, and the headers as the file wrote them.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    specs: &'static [ColumnSpec],
    /// Per spec: the index of its field in a record, if the file has that column.
    slots: Vec<Option<usize>>,
    headers: Vec<String>,
}

impl ColumnMap {
    /// Matches `headers` to `specs`; unknown headers are ignored, a repeated one counts once (the
    /// first). Fails with the names of every missing required column, in the format's order.
    pub fn resolve(
        headers: &[String],
        specs: &'static [ColumnSpec],
    ) -> Result<ColumnMap, Vec<&'static str>> {
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        let slots: Vec<Option<usize>> = specs
            .iter()
            .map(|spec| {
                let key = header_key(spec.name);
                keys.iter().position(|k| *k == key)
            })
            .collect();
        let missing: Vec<&'static str> = specs
            .iter()
            .zip(&slots)
            .filter(|(spec, slot)| spec.required && slot.is_none())
            .map(|(spec, _)| spec.name)
            .collect();
        if !missing.is_empty() {
            return Err(missing);
        }
        Ok(ColumnMap {
            specs,
            slots,
            headers: headers
                .iter()
                .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
                .collect(),
        })
    }

    /// Whether the file has column `col` (an index into the format's specs).
    pub fn has(&self, col: usize) -> bool {
        self.slots[col].is_some()
    }

    /// The column's name as the file's header wrote it (the format's name when absent).
    pub fn header_name(&self, col: usize) -> &str {
        match self.slots[col] {
            Some(i) => &self.headers[i],
            None => self.specs[col].name,
        }
    }

    /// The header of the file's `i`th column (0-based), as the file wrote it.
    pub fn physical_header(&self, i: usize) -> Option<&str> {
        self.headers.get(i).map(String::as_str)
    }

    /// Number of fields every record should have.
    pub fn width(&self) -> usize {
        self.headers.len()
    }

    pub fn row<'r>(&'r self, record: &'r csv::ByteRecord) -> Row<'r> {
        Row { record, map: self }
    }
}

/// Why one field (or, with no column, a whole row) was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Index into the format's specs; `None` when the row as a whole is wrong.
    pub column: Option<usize>,
    pub value: Option<String>,
    pub reason: String,
}

impl FieldError {
    pub fn new(column: usize, value: &str, reason: impl ToString) -> FieldError {
        FieldError {
            column: Some(column),
            value: Some(value.to_string()),
            reason: reason.to_string(),
        }
    }

    /// A row whose number of fields differs from the header's.
    pub fn field_count(found: usize, expected: usize) -> FieldError {
        FieldError {
            column: None,
            value: None,
            reason: format!("the line has {found} fields but the header has {expected}"),
        }
    }
}

/// One record seen through the column map.
pub struct Row<'r> {
    record: &'r csv::ByteRecord,
    map: &'r ColumnMap,
}

impl<'r> Row<'r> {
    /// The trimmed field; empty when the file has no such column.
    pub fn text(&self, col: usize) -> Result<&'r str, FieldError> {
        let Some(i) = self.map.slots[col] else {
            return Ok("");
        };
        let bytes = self.record.get(i).unwrap_or_default();
        match std::str::from_utf8(bytes) {
            // PostgreSQL text cannot hold a NUL character.
            Ok(s) if !bytes.contains(&0) => Ok(s.trim()),
            _ => Err(FieldError {
                column: Some(col),
                value: Some(String::from_utf8_lossy(bytes).replace('\0', "\u{fffd}")),
                reason: "is not valid UTF-8 text".into(),
            }),
        }
    }

    /// The trimmed field, `None` when blank or absent.
    pub fn opt(&self, col: usize) -> Result<Option<&'r str>, FieldError> {
        let s = self.text(col)?;
        Ok(if s.is_empty() { None } else { Some(s) })
    }

    pub fn required(&self, col: usize) -> Result<&'r str, FieldError> {
        match self.opt(col)? {
            Some(s) => Ok(s),
            None => Err(FieldError {
                column: Some(col),
                value: None,
                reason: "a value is required".into(),
            }),
        }
    }

    pub fn money(&self, col: usize) -> Result<Option<Cents>, FieldError> {
        match self.opt(col)? {
            None => Ok(None),
            Some(s) => money(s).map(Some).map_err(|e| FieldError::new(col, s, e)),
        }
    }

    pub fn required_money(&self, col: usize) -> Result<Cents, FieldError> {
        let s = self.required(col)?;
        money(s).map_err(|e| FieldError::new(col, s, e))
    }

    pub fn rate_bp(&self, col: usize) -> Result<Option<i32>, FieldError> {
        match self.opt(col)? {
            None => Ok(None),
            Some(s) => parse_rate_bp(s)
                .map(Some)
                .map_err(|e| FieldError::new(col, s, e)),
        }
    }

    /// A whole number ≥ 0 such as `12` or `1,234`; `None` when blank.
    pub fn count(&self, col: usize) -> Result<Option<i64>, FieldError> {
        match self.opt(col)? {
            None => Ok(None),
            Some(s) => parse_count(s)
                .map(Some)
                .ok_or_else(|| FieldError::new(col, s, format!("{s:?} is not a whole number"))),
        }
    }

    pub fn date(&self, col: usize) -> Result<Option<NaiveDate>, FieldError> {
        match self.opt(col)? {
            None => Ok(None),
            Some(s) => timefmt::parse_date(s)
                .map(Some)
                .map_err(|e| FieldError::new(col, s, e)),
        }
    }

    pub fn required_date(&self, col: usize) -> Result<NaiveDate, FieldError> {
        let s = self.required(col)?;
        timefmt::parse_date(s).map_err(|e| FieldError::new(col, s, e))
    }

    /// A TikTok handle, lower case and without `@` (borrowed when the file already wrote it so).
    pub fn handle(&self, col: usize) -> Result<Cow<'r, str>, FieldError> {
        let s = self.required(col)?;
        if s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
        {
            return Ok(Cow::Borrowed(s));
        }
        Handle::parse(s)
            .map(|h| Cow::Owned(h.as_str().to_string()))
            .map_err(|e| FieldError::new(col, s, e))
    }
}

/// [`parse_money`] with a fast path for the plain forms exports use (`1234.5`, `$1,234.56`,
/// `-£3`); anything else goes to `parse_money`, which decides and words the error.
pub fn money(s: &str) -> Result<Cents, super::money::AmountError> {
    money_fast(s.as_bytes()).map_or_else(|| parse_money(s), Ok)
}

fn money_fast(s: &[u8]) -> Option<Cents> {
    let mut s = s;
    let negative = if let [b'-', rest @ ..] = s {
        s = rest;
        true
    } else {
        false
    };
    for mark in [&b"$"[..], "£".as_bytes(), "€".as_bytes()] {
        if let Some(rest) = s.strip_prefix(mark) {
            s = rest;
            break;
        }
    }
    let (int_part, frac_part) = match s.iter().position(|&b| b == b'.') {
        Some(dot) => (&s[..dot], &s[dot + 1..]),
        None => (s, &[][..]),
    };
    if int_part.is_empty() || int_part.len() > 15 || frac_part.len() > 2 {
        return None;
    }
    let mut whole: i64 = 0;
    let mut group = 0usize;
    let mut saw_comma = false;
    for (i, &b) in int_part.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                whole = whole * 10 + i64::from(b - b'0');
                group += 1;
            }
            // "1,234": the first group 1–3 digits, every later one exactly 3.
            b',' if i > 0 && group <= 3 && (!saw_comma || group == 3) => {
                saw_comma = true;
                group = 0;
            }
            _ => return None,
        }
    }
    if saw_comma && group != 3 {
        return None;
    }
    let mut frac: i64 = 0;
    for &b in frac_part {
        if !b.is_ascii_digit() {
            return None;
        }
        frac = frac * 10 + i64::from(b - b'0');
    }
    if frac_part.len() == 1 {
        frac *= 10;
    }
    let cents = whole * 100 + frac;
    Some(if negative { -cents } else { cents })
}

/// A whole number ≥ 0, with optional thousands commas.
pub fn parse_count(s: &str) -> Option<i64> {
    let digits = s.bytes().filter(|&b| b != b',');
    if s.is_empty() || s.starts_with(',') || s.len() > 20 {
        return None;
    }
    let mut n: i64 = 0;
    for b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_keys_ignore_case_spaces_underscores_and_dots() {
        assert_eq!(header_key("Est. Commission Base"), "estcommissionbase");
        assert_eq!(header_key("\u{feff}order_id "), "orderid");
        assert_eq!(header_key("SKU ID"), "skuid");
    }

    #[test]
    fn missing_columns_are_named_in_the_formats_order() {
        const SPECS: &[ColumnSpec] = &[
            ColumnSpec::required("Order ID"),
            ColumnSpec::optional("Price"),
            ColumnSpec::required("Order Status"),
            ColumnSpec::required("Time Created"),
        ];
        let headers = vec!["order id".to_string(), "Price".to_string()];
        assert_eq!(
            ColumnMap::resolve(&headers, SPECS).unwrap_err(),
            vec!["Order Status", "Time Created"]
        );
    }

    #[test]
    fn fast_money_agrees_with_parse_money() {
        for s in [
            "0",
            "12",
            "12.5",
            "12.50",
            "$1,234.56",
            "-£3",
            "€1,000,000.00",
            "1234567.89",
            "-0.01",
            "12,34",
            "1,2345",
            ",123",
            "1.234",
            "abc",
            "$",
            "12.",
            ".5",
            "1,234,56",
            "US$3",
        ] {
            assert_eq!(money(s), parse_money(s), "{s}");
        }
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("1,234"), Some(1234));
        assert_eq!(parse_count("0"), Some(0));
        assert_eq!(parse_count("-1"), None);
        assert_eq!(parse_count("1.5"), None);
    }
}
