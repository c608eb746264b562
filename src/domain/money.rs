//! Money in integer minor units (cents) and commission rates in basis points, parsed from the
//! strings TikTok Shop exports contain (`$1,234.50`, `£12`, `15%`).

/// An amount in minor units of the program's currency.
pub type Cents = i64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("{0:?} is not an amount of money")]
    NotMoney(String),
    #[error("{0:?} has more than 2 decimal places")]
    TooPrecise(String),
    #[error("{0:?} is too large")]
    TooLarge(String),
    #[error("{0:?} is not a percentage")]
    NotRate(String),
}

const CURRENCY_MARKS: &[&str] = &[
    "US$", "USD", "GBP", "EUR", "CAD", "AUD", "$", "£", "€", "¥", "₩", "₱", "RM", "Rp",
];

/// Parses a decimal amount with an optional sign, currency symbol or code, and thousands
/// separators (`,` or a space). `(12.50)` is negative. Up to two decimal places are accepted.
pub fn parse_money(raw: &str) -> Result<Cents, AmountError> {
    let not_money = || AmountError::NotMoney(raw.trim().to_string());
    let mut s = raw.trim();
    let mut negative = false;
    if let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        negative = true;
        s = inner.trim();
    }
    if let Some(rest) = s.strip_prefix('-') {
        negative = !negative;
        s = rest.trim_start();
    }
    // Currency marks may lead or trail ("$12", "12.00 USD", "-£3").
    loop {
        let before = s;
        for mark in CURRENCY_MARKS {
            if let Some(rest) = s.strip_prefix(mark) {
                s = rest.trim_start();
            }
            if let Some(rest) = s.strip_suffix(mark) {
                s = rest.trim_end();
            }
        }
        if s == before {
            break;
        }
    }
    if let Some(rest) = s.strip_prefix('-') {
        negative = !negative;
        s = rest.trim_start();
    }
    if s.is_empty() {
        return Err(not_money());
    }
    let (int_part, frac_part) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    let int_digits: String = int_part
        .chars()
        .filter(|c| *c != ',' && *c != ' ' && *c != '\u{a0}')
        .collect();
    if int_digits.is_empty() && frac_part.is_empty() {
        return Err(not_money());
    }
    if !int_digits.chars().all(|c| c.is_ascii_digit())
        || !frac_part.chars().all(|c| c.is_ascii_digit())
        || !valid_grouping(int_part)
    {
        return Err(not_money());
    }
    if frac_part.len() > 2 {
        return Err(AmountError::TooPrecise(raw.trim().to_string()));
    }
    let whole: i64 = if int_digits.is_empty() {
        0
    } else {
        int_digits
            .parse()
            .map_err(|_| AmountError::TooLarge(raw.trim().to_string()))?
    };
    let frac: i64 = match frac_part.len() {
        0 => 0,
        1 => frac_part.parse::<i64>().unwrap() * 10,
        _ => frac_part.parse::<i64>().unwrap(),
    };
    let cents = whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(|| AmountError::TooLarge(raw.trim().to_string()))?;
    Ok(if negative { -cents } else { cents })
}

/// Thousands separators, when present, must group digits by three ("1,234", not "12,34").
fn valid_grouping(int_part: &str) -> bool {
    let groups: Vec<&str> = int_part.split([',', ' ', '\u{a0}']).collect();
    if groups.len() == 1 {
        return true;
    }
    !groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3)
}

/// Parses a rate such as `15%`, `15.5 %` or `15` (percent) into basis points (1500, 1550, 1500).
pub fn parse_rate_bp(raw: &str) -> Result<i32, AmountError> {
    let s = raw.trim();
    let s = s.strip_suffix('%').unwrap_or(s).trim_end();
    let not_rate = || AmountError::NotRate(raw.trim().to_string());
    let (int_part, frac_part) = s.split_once('.').unwrap_or((s, ""));
    if int_part.is_empty() && frac_part.is_empty()
        || !int_part.chars().all(|c| c.is_ascii_digit())
        || !frac_part.chars().all(|c| c.is_ascii_digit())
        || frac_part.len() > 2
        || int_part.len() > 3
    {
        return Err(not_rate());
    }
    let whole: i32 = if int_part.is_empty() {
        0
    } else {
        int_part.parse().map_err(|_| not_rate())?
    };
    let frac: i32 = match frac_part.len() {
        0 => 0,
        1 => frac_part.parse::<i32>().unwrap() * 10,
        _ => frac_part.parse::<i32>().unwrap(),
    };
    let bp = whole * 100 + frac;
    if bp > 10_000 {
        return Err(not_rate());
    }
    Ok(bp)
}

/// Formats cents for people: `$1,234.50`, `-$3.00`, `£12.00`.
pub fn format_cents(cents: Cents, currency: &str) -> String {
    let symbol = match currency {
        "USD" => "$",
        "GBP" => "£",
        "EUR" => "€",
        _ => "",
    };
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let whole = abs / 100;
    let frac = abs % 100;
    let digits = whole.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if symbol.is_empty() {
        format!("{sign}{grouped}.{frac:02} {currency}")
    } else {
        format!("{sign}{symbol}{grouped}.{frac:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_variants() {
        assert_eq!(parse_money("12.5"), Ok(1250));
        assert_eq!(parse_money("$1,234.56"), Ok(123_456));
        assert_eq!(parse_money("£1 234.5"), Ok(123_450));
        assert_eq!(parse_money("  -$3 "), Ok(-300));
        assert_eq!(parse_money("(4.10)"), Ok(-410));
        assert_eq!(parse_money("12.00 USD"), Ok(1200));
        assert_eq!(parse_money("US$0.99"), Ok(99));
        assert_eq!(parse_money(".5"), Ok(50));
        assert_eq!(parse_money("0"), Ok(0));
    }

    #[test]
    fn money_errors_name_the_value() {
        assert_eq!(parse_money("abc"), Err(AmountError::NotMoney("abc".into())));
        assert_eq!(parse_money(""), Err(AmountError::NotMoney("".into())));
        assert_eq!(
            parse_money("12,34"),
            Err(AmountError::NotMoney("12,34".into()))
        );
        assert_eq!(
            parse_money("1.234"),
            Err(AmountError::TooPrecise("1.234".into()))
        );
        assert_eq!(
            AmountError::NotMoney("x".into()).to_string(),
            "\"x\" is not an amount of money"
        );
    }

    #[test]
    fn rates_in_basis_points() {
        assert_eq!(parse_rate_bp("15%"), Ok(1500));
        assert_eq!(parse_rate_bp("15.5 %"), Ok(1550));
        assert_eq!(parse_rate_bp("7.25%"), Ok(725));
        assert_eq!(parse_rate_bp("20"), Ok(2000));
        assert_eq!(parse_rate_bp("0%"), Ok(0));
        assert_eq!(
            parse_rate_bp("abc%"),
            Err(AmountError::NotRate("abc%".into()))
        );
        assert_eq!(
            parse_rate_bp("150%"),
            Err(AmountError::NotRate("150%".into()))
        );
    }

    #[test]
    fn formats_money() {
        assert_eq!(format_cents(123_456, "USD"), "$1,234.56");
        assert_eq!(format_cents(-300, "GBP"), "-£3.00");
        assert_eq!(format_cents(5, "USD"), "$0.05");
        assert_eq!(format_cents(100_000_000, "USD"), "$1,000,000.00");
        assert_eq!(format_cents(1050, "JPY"), "10.50 JPY");
    }
}
