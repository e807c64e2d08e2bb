//! Text formats of Java's `toString` for numbers and dates, so that what sinks print and what
//! `Values` writes is byte-identical to Apache Kafka Connect.

use bigdecimal::BigDecimal;
use num_bigint::Sign;

const MILLIS_PER_DAY: i64 = 86_400_000;

/// Java's `Double.toString(d)`: shortest round-trip digits; plain notation for
/// `1e-3 <= |d| < 1e7` (always with a fractional part, `1.0`), otherwise computerized scientific
/// notation (`1.0E10`, `1.5E-5`).
pub fn double_to_string(d: f64) -> String {
    if d.is_nan() {
        return "NaN".to_owned();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let abs = d.abs();
    if d == 0.0 {
        return if d.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    if (1e-3..1e7).contains(&abs) {
        plain(format!("{d}"))
    } else {
        let shortest = format!("{d:e}");
        if one_digit(&shortest) {
            // Java's rule for a one-digit shortest form: choose the closest decimal of one or two
            // digits that still reads back as `d`. For normal doubles that is `d.0`, but near the
            // bottom of the subnormals it is not: 5e-324 prints as `4.9E-324`.
            let two = format!("{d:.1e}");
            if two.parse::<f64>() == Ok(d) {
                return scientific(two);
            }
        }
        scientific(shortest)
    }
}

/// Java's `Float.toString(f)`, with the same rules as [`double_to_string`] over `f32` digits.
pub fn float_to_string(f: f32) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    let abs = f.abs();
    if (1e-3..1e7).contains(&abs) {
        plain(format!("{f}"))
    } else {
        let shortest = format!("{f:e}");
        if one_digit(&shortest) {
            // As in `double_to_string`: the smallest subnormal prints as `1.4E-45`.
            let two = format!("{f:.1e}");
            if two.parse::<f32>() == Ok(f) {
                return scientific(two);
            }
        }
        scientific(shortest)
    }
}

/// Whether Rust's shortest `{:e}` form (`5e-324`, `-1e10`) has a single significant digit.
///
/// Java prints at least two significant digits in scientific notation and, when the shortest
/// form has one, picks the closest two-digit decimal rather than appending `.0` (JDK 19+
/// `Double.toString` specification; older JDKs print the same for these values).
fn one_digit(shortest: &str) -> bool {
    let mantissa = shortest.split_once('e').map_or(shortest, |(m, _)| m);
    !mantissa.contains('.')
}

fn plain(s: String) -> String {
    if s.contains('.') {
        s
    } else {
        s + ".0"
    }
}

/// Rust's `{:e}` (`1.5e10`, `1e-5`) to Java's (`1.5E10`, `1.0E-5`).
fn scientific(s: String) -> String {
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let mut out = String::with_capacity(s.len() + 3);
    out.push_str(mantissa);
    if !mantissa.contains('.') {
        out.push_str(".0");
    }
    out.push('E');
    out.push_str(exp);
    out
}

/// Java's `BigDecimal.toString()`: plain notation when the scale is non-negative and the
/// adjusted exponent is at least -6, otherwise scientific notation with an explicit exponent
/// sign (`1E+3`, `1.5E-10`).
pub fn big_decimal_to_string(d: &BigDecimal) -> String {
    let (unscaled, scale) = d.as_bigint_and_exponent();
    let negative = unscaled.sign() == Sign::Minus;
    let coeff = unscaled.magnitude().to_string();
    let adjusted = -scale + (coeff.len() as i64 - 1);
    let mut out = String::with_capacity(coeff.len() + 8);
    if negative {
        out.push('-');
    }
    if scale >= 0 && adjusted >= -6 {
        let scale = scale as usize;
        if scale == 0 {
            out.push_str(&coeff);
        } else if coeff.len() > scale {
            let (int_part, frac) = coeff.split_at(coeff.len() - scale);
            out.push_str(int_part);
            out.push('.');
            out.push_str(frac);
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', scale - coeff.len()));
            out.push_str(&coeff);
        }
    } else {
        out.push_str(&coeff[..1]);
        if coeff.len() > 1 {
            out.push('.');
            out.push_str(&coeff[1..]);
        }
        out.push('E');
        if adjusted >= 0 {
            out.push('+');
        }
        out.push_str(&adjusted.to_string());
    }
    out
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31) in the proleptic Gregorian calendar.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    // Howard Hinnant's algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month 1-12, day 1-31) to days since 1970-01-01; `None` for an invalid month or day.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> Option<i64> {
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Splits epoch milliseconds into (days since epoch, millis within the day), flooring.
pub fn split_millis(millis: i64) -> (i64, i64) {
    (
        millis.div_euclid(MILLIS_PER_DAY),
        millis.rem_euclid(MILLIS_PER_DAY),
    )
}

/// Java's `java.util.Date.toString()` in UTC: `Thu Jan 01 00:00:00 UTC 1970`.
///
/// Java formats in the JVM's default time zone; Connect workers normally run in UTC, and we
/// always use UTC so the output does not depend on the host.
pub fn date_to_string(millis: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (days, ms) = split_millis(millis);
    let (y, m, d) = civil_from_days(days);
    let secs = ms / 1000;
    format!(
        "{} {} {:02} {:02}:{:02}:{:02} UTC {}",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(m - 1) as usize],
        d,
        secs / 3600,
        (secs / 60) % 60,
        secs % 60,
        y
    )
}

/// ISO-style renderings used by `Values` (`yyyy-MM-dd`, `HH:mm:ss.SSS'Z'`,
/// `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'`), always in UTC.
pub fn format_date(millis: i64) -> String {
    let (days, _) = split_millis(millis);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `HH:mm:ss.SSS'Z'` of the time of day of `millis`, in UTC.
pub fn format_time(millis: i64) -> String {
    let (_, ms) = split_millis(millis);
    format!(
        "{:02}:{:02}:{:02}.{:03}Z",
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000
    )
}

/// `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` of `millis`, in UTC.
pub fn format_timestamp(millis: i64) -> String {
    format!("{}T{}", format_date(millis), format_time(millis))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn doubles_print_like_java() {
        for (v, s) in [
            (1.0, "1.0"),
            (12.34, "12.34"),
            (1.5e10, "1.5E10"),
            (1e10, "1.0E10"),
            (1e7, "1.0E7"),
            (9999999.0, "9999999.0"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (-2.5, "-2.5"),
            (0.0, "0.0"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (1.7976931348623157e308, "1.7976931348623157E308"),
        ] {
            assert_eq!(double_to_string(v), s, "{v}");
        }
        assert_eq!(float_to_string(1.1), "1.1");
        assert_eq!(float_to_string(3.4028235e38), "3.4028235E38");
        assert_eq!(float_to_string(12.5), "12.5");
    }

    #[test]
    fn one_digit_shortest_forms_print_two_digits_like_java() {
        // Values from `Double.toString` / `Float.toString` on JDK 21.
        for (v, s) in [
            (5e-324, "4.9E-324"),
            (-5e-324, "-4.9E-324"),
            (1e-323, "9.9E-324"),
            (1.5e-323, "1.5E-323"),
            (2e-323, "2.0E-323"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (1e10, "1.0E10"),
            (-1e10, "-1.0E10"),
            (1e23, "1.0E23"),
            (1e-5, "1.0E-5"),
            (2e-4, "2.0E-4"),
            (1e300, "1.0E300"),
            (1e-300, "1.0E-300"),
        ] {
            assert_eq!(double_to_string(v), s, "{v:e}");
        }
        for (v, s) in [
            (f32::from_bits(1), "1.4E-45"),
            (-f32::from_bits(1), "-1.4E-45"),
            (f32::from_bits(2), "2.8E-45"),
            (f32::from_bits(7), "9.8E-45"),
            (1e10, "1.0E10"),
            (1e-5, "1.0E-5"),
            (3e38, "3.0E38"),
        ] {
            assert_eq!(float_to_string(v), s, "{v:e}");
        }
    }

    #[test]
    fn big_decimals_print_like_java() {
        for (v, s) in [
            ("1.56", "1.56"),
            ("1.5600", "1.5600"),
            ("1E-10", "1E-10"),
            ("1E+3", "1E+3"),
            ("-1.56", "-1.56"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1E-7"),
            ("123", "123"),
            ("0", "0"),
            ("0.00", "0.00"),
        ] {
            let d = BigDecimal::from_str(v).unwrap();
            assert_eq!(big_decimal_to_string(&d), s, "{v}");
        }
    }

    #[test]
    fn dates() {
        assert_eq!(date_to_string(0), "Thu Jan 01 00:00:00 UTC 1970");
        assert_eq!(
            date_to_string(1_700_000_000_000),
            "Tue Nov 14 22:13:20 UTC 2023"
        );
        assert_eq!(date_to_string(-1), "Wed Dec 31 23:59:59 UTC 1969");
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 2, 29), Some(11_016));
        assert_eq!(days_from_civil(2001, 2, 29), None);
        for d in [-800_000, -1, 0, 1, 10_956, 2_000_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), Some(d));
        }
        assert_eq!(
            format_timestamp(1_700_000_000_123),
            "2023-11-14T22:13:20.123Z"
        );
        assert_eq!(format_time(45_296_789), "12:34:56.789Z");
    }
}
