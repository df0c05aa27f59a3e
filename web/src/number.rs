//! Numbers as text without the standard library's float formatting and parsing.
//!
//! `f64`'s `Display` and `FromStr` link Rust's general float printing and parsing code and
//! tables into the bundle (about 10 KB gzipped). The playground only ever prints SVG
//! coordinates and speeds and reads speeds, so hundredths through integer formatting are
//! enough.

/// `v` rounded to hundredths (half away from zero) as text, without trailing zeros:
/// `12`, `12.5`, `0.25`, `-3.33`. Not-a-number prints as `0`; infinities and values beyond
/// `u64` saturate.
#[must_use]
pub fn num(v: f64) -> String {
    let hundredths = (v.abs() * 100.0).round();
    // `as` saturates: NaN becomes 0, huge values u64::MAX.
    let h = hundredths as u64;
    let mut text = String::new();
    if v < 0.0 && h != 0 {
        text.push('-');
    }
    text.push_str(&(h / 100).to_string());
    let frac = h % 100;
    if frac != 0 {
        text.push('.');
        text.push(digit(frac / 10));
        if !frac.is_multiple_of(10) {
            text.push(digit(frac % 10));
        }
    }
    text
}

fn digit(d: u64) -> char {
    char::from_digit(u32::try_from(d).unwrap_or(0), 10).unwrap_or('0')
}

/// Reads a plain decimal, `[+-]digits[.digits]` (`10`, `0.25`, `-1.5`, `.5`), as the nearest
/// `f64`, like `str::parse::<f64>` for such text (the digits as an integer divided by a
/// power of ten, both exact, is one correctly rounded division). `None` for anything else,
/// including exponents, `inf` and `NaN`, and for more than 15 significant digits.
#[must_use]
pub fn parse_decimal(text: &str) -> Option<f64> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut digits = 0;
    for byte in int.bytes().chain(frac.bytes()) {
        if !byte.is_ascii_digit() {
            return None;
        }
        mantissa = mantissa * 10 + u64::from(byte - b'0');
        if mantissa != 0 {
            digits += 1;
        }
        if digits > 15 {
            return None;
        }
    }
    let scale = u32::try_from(frac.len()).ok().filter(|&n| n <= 22)?;
    // Both operands are exact in f64 (at most 15 digits, 10^22 at most), so the quotient
    // is the correctly rounded value of the decimal.
    let value = mantissa as f64 / 10f64.powi(scale as i32);
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_hundredths_without_trailing_zeros() {
        assert_eq!(num(0.0), "0");
        assert_eq!(num(-0.0), "0");
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.5), "12.5");
        assert_eq!(num(0.25), "0.25");
        assert_eq!(num(0.1), "0.1");
        assert_eq!(num(100.0), "100");
        assert_eq!(num(10.0 / 3.0), "3.33");
        assert_eq!(num(2.0 / 3.0), "0.67");
        assert_eq!(num(-1.005), "-1");
        assert_eq!(num(-7.25), "-7.25");
        assert_eq!(num(0.004), "0");
        assert_eq!(num(-0.004), "0");
        assert_eq!(num(f64::NAN), "0");
        assert!(num(1e300).starts_with("184467440737095516."));
    }

    #[test]
    fn prints_what_display_prints_for_short_values() {
        for v in [
            0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 320.0, 106.0, 7.5,
        ] {
            assert_eq!(num(v), v.to_string());
        }
    }

    #[test]
    fn parses_plain_decimals_like_the_standard_library() {
        for text in [
            "0",
            "10",
            "0.25",
            "0.1",
            "100",
            "2.5",
            "-1.5",
            "+3",
            ".5",
            "5.",
            "0.3",
            "123.456",
            "007",
            "99999.99999",
        ] {
            assert_eq!(parse_decimal(text), text.parse::<f64>().ok(), "{text}");
        }
        for text in [
            "", ".", "-", "1e3", "inf", "NaN", "1.2.3", " 1", "1 ", "0x10", "--1",
        ] {
            assert_eq!(parse_decimal(text), None, "{text}");
        }
        assert_eq!(parse_decimal("1234567890123456"), None);
    }
}
