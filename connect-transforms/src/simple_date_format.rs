//! A subset of Java's `java.text.SimpleDateFormat`, always in UTC, for TimestampConverter and
//! TimestampRouter.
//!
//! Supported pattern letters: `G y Y M L d D F E u a H k K h m s S z Z X w W`, quoted text
//! (`'T'`, `''` for a quote) and literal punctuation; any other ASCII letter is rejected as
//! Java does (`Illegal pattern character`). Formatting follows Java's rules for padding and
//! text forms (English names). Parsing is lenient like Java's default: fields may overflow
//! (month 13 is January of the next year), trailing text after the pattern is ignored, and
//! adjacent numeric fields without a separator take exactly their pattern width.
//!
//! Known differences from Java: the proleptic Gregorian calendar is used for all dates (Java
//! switches to the Julian calendar before 1582-10-15), `Y` (week year) is formatted as the
//! calendar year, and week fields use Java's US-locale rules (weeks start on Sunday).

use std::time::{SystemTime, UNIX_EPOCH};

use connect_api::data::java_format::{civil_from_days, days_from_civil, split_millis};

const MILLIS_PER_DAY: i64 = 86_400_000;
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const LETTERS: &str = "GyYMLdDFEuaHkKhmsSzZXwW";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Field(char, usize),
    Literal(String),
}

/// A compiled `SimpleDateFormat` pattern that formats and parses in UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleDateFormat {
    pattern: String,
    tokens: Vec<Token>,
}

impl SimpleDateFormat {
    /// Compiles a pattern; the error is Java's `IllegalArgumentException` message.
    pub fn new(pattern: &str) -> Result<Self, String> {
        let mut tokens = Vec::new();
        let chars: Vec<char> = pattern.chars().collect();
        let mut i = 0;
        let mut literal = String::new();
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                if chars.get(i + 1) == Some(&'\'') {
                    literal.push('\'');
                    i += 2;
                    continue;
                }
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("Unterminated quote".to_owned()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            literal.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(&ch) => {
                            literal.push(ch);
                            i += 1;
                        }
                    }
                }
            } else if c.is_ascii_alphabetic() {
                if !LETTERS.contains(c) {
                    return Err(format!("Illegal pattern character '{c}'"));
                }
                if !literal.is_empty() {
                    tokens.push(Token::Literal(std::mem::take(&mut literal)));
                }
                let start = i;
                while i < chars.len() && chars[i] == c {
                    i += 1;
                }
                tokens.push(Token::Field(c, i - start));
            } else {
                literal.push(c);
                i += 1;
            }
        }
        if !literal.is_empty() {
            tokens.push(Token::Literal(literal));
        }
        Ok(SimpleDateFormat {
            pattern: pattern.to_owned(),
            tokens,
        })
    }

    /// The pattern (Java's `toPattern()`).
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Formats epoch millis in UTC.
    pub fn format(&self, millis: i64) -> String {
        let (days, ms) = split_millis(millis);
        let (year, month, day) = civil_from_days(days);
        let dow = (days + 4).rem_euclid(7) as usize; // 1970-01-01 was a Thursday; 0 = Sunday
        let day_of_year = days - days_from_civil(year, 1, 1).unwrap_or(days) + 1;
        let hour = ms / 3_600_000;
        let minute = (ms / 60_000) % 60;
        let second = (ms / 1000) % 60;
        let milli = ms % 1000;
        let mut out = String::new();
        for token in &self.tokens {
            match token {
                Token::Literal(s) => out.push_str(s),
                Token::Field(c, n) => {
                    let n = *n;
                    let num = |out: &mut String, v: i64| out.push_str(&format!("{v:0n$}"));
                    match c {
                        'G' => out.push_str(if year > 0 { "AD" } else { "BC" }),
                        'y' | 'Y' => {
                            let y = if year > 0 { year } else { 1 - year };
                            if n == 2 {
                                num(&mut out, y % 100);
                            } else {
                                num(&mut out, y);
                            }
                        }
                        'M' | 'L' => match n {
                            1 | 2 => num(&mut out, i64::from(month)),
                            3 => out.push_str(&MONTHS[(month - 1) as usize][..3]),
                            _ => out.push_str(MONTHS[(month - 1) as usize]),
                        },
                        'd' => num(&mut out, i64::from(day)),
                        'D' => num(&mut out, day_of_year),
                        'F' => num(&mut out, (i64::from(day) - 1) / 7 + 1),
                        'E' => {
                            if n >= 4 {
                                out.push_str(DAYS[dow]);
                            } else {
                                out.push_str(&DAYS[dow][..3]);
                            }
                        }
                        'u' => num(&mut out, if dow == 0 { 7 } else { dow as i64 }),
                        'a' => out.push_str(if hour < 12 { "AM" } else { "PM" }),
                        'H' => num(&mut out, hour),
                        'k' => num(&mut out, if hour == 0 { 24 } else { hour }),
                        'K' => num(&mut out, hour % 12),
                        'h' => num(&mut out, if hour % 12 == 0 { 12 } else { hour % 12 }),
                        'm' => num(&mut out, minute),
                        's' => num(&mut out, second),
                        'S' => num(&mut out, milli),
                        'z' => out.push_str(if n >= 4 {
                            "Coordinated Universal Time"
                        } else {
                            "UTC"
                        }),
                        'Z' => out.push_str("+0000"),
                        'X' => out.push('Z'),
                        'w' => num(&mut out, week_of_year(days, year)),
                        'W' => {
                            let first = days - i64::from(day) + 1;
                            let first_dow = (first + 4).rem_euclid(7);
                            num(&mut out, (i64::from(day) - 1 + first_dow) / 7 + 1);
                        }
                        _ => {}
                    }
                }
            }
        }
        out
    }

    /// Parses text into epoch millis (Java's lenient `parse(String)`), or `None` where Java
    /// throws `ParseException`.
    pub fn parse(&self, text: &str) -> Option<i64> {
        let chars: Vec<char> = text.chars().collect();
        let mut pos = 0usize;
        let mut year: Option<i64> = None;
        let mut bc = false;
        let mut month = 1i64;
        let mut day = 1i64;
        let mut day_of_year: Option<i64> = None;
        let mut hour = 0i64;
        let mut hour12: Option<i64> = None;
        let mut pm: Option<bool> = None;
        let mut minute = 0i64;
        let mut second = 0i64;
        let mut milli = 0i64;
        let mut offset_millis = 0i64;
        for (idx, token) in self.tokens.iter().enumerate() {
            match token {
                Token::Literal(s) => {
                    for lc in s.chars() {
                        if chars.get(pos) != Some(&lc) {
                            return None;
                        }
                        pos += 1;
                    }
                }
                Token::Field(c, n) => {
                    let n = *n;
                    let abutting = matches!(self.tokens.get(idx + 1), Some(Token::Field(next, m)) if is_numeric(*next, *m));
                    let text_month = matches!(c, 'M' | 'L') && n >= 3;
                    if is_numeric(*c, n) && !text_month {
                        let (v, digits) =
                            parse_number(&chars, &mut pos, if abutting { Some(n) } else { None })?;
                        match c {
                            'y' | 'Y' => {
                                year = Some(if n <= 2 && digits == 2 && v >= 0 {
                                    two_digit_year(v)
                                } else {
                                    v
                                });
                            }
                            'M' | 'L' => month = v,
                            'd' => day = v,
                            'D' => day_of_year = Some(v),
                            'H' => hour = v,
                            'k' => hour = if v == 24 { 0 } else { v },
                            'K' => hour12 = Some(v),
                            'h' => hour12 = Some(if v == 12 { 0 } else { v }),
                            'm' => minute = v,
                            's' => second = v,
                            'S' => milli = v,
                            // day-of-week-in-month, weeks and day numbers do not change the date
                            _ => {}
                        }
                    } else {
                        match c {
                            'M' | 'L' => {
                                month = match_names(&chars, &mut pos, &MONTHS)? as i64 + 1;
                            }
                            'E' => {
                                match_names(&chars, &mut pos, &DAYS)?;
                            }
                            'a' => {
                                let i = match_names(&chars, &mut pos, &["AM", "PM"])?;
                                pm = Some(i == 1);
                            }
                            'G' => {
                                let i = match_names(&chars, &mut pos, &["BC", "AD"])?;
                                bc = i == 0;
                            }
                            'z' | 'Z' | 'X' => offset_millis = parse_zone(&chars, &mut pos)?,
                            _ => return None,
                        }
                    }
                }
            }
        }
        if pos == 0 && !self.tokens.is_empty() {
            return None;
        }
        // `a` only affects the 12-hour fields, as in Java.
        if let Some(h) = hour12 {
            hour = h + if pm == Some(true) { 12 } else { 0 };
        }
        let mut y = year.unwrap_or(1970);
        if bc {
            y = 1 - y;
        }
        // Lenient: overflowing months roll into years, days into months.
        let m0 = month - 1;
        let y = y + m0.div_euclid(12);
        let m = (m0.rem_euclid(12) + 1) as u32;
        let days = match day_of_year {
            Some(doy) => days_from_civil(y, 1, 1)? + doy - 1,
            None => days_from_civil(y, m, 1)? + day - 1,
        };
        Some(
            days * MILLIS_PER_DAY + hour * 3_600_000 + minute * 60_000 + second * 1000 + milli
                - offset_millis,
        )
    }
}

fn is_numeric(c: char, n: usize) -> bool {
    match c {
        'M' | 'L' => n < 3,
        'G' | 'E' | 'a' | 'z' | 'Z' | 'X' => false,
        _ => true,
    }
}

/// Digits at `pos` (at most `width` when given), with an optional leading minus sign.
fn parse_number(chars: &[char], pos: &mut usize, width: Option<usize>) -> Option<(i64, usize)> {
    let mut i = *pos;
    let negative = chars.get(i) == Some(&'-');
    if negative {
        i += 1;
    }
    let start = i;
    while i < chars.len() && chars[i].is_ascii_digit() && width.is_none_or(|w| i - start < w) {
        i += 1;
    }
    if i == start {
        return None;
    }
    let digits: String = chars[start..i].iter().collect();
    let v: i64 = digits.parse().ok()?;
    *pos = i;
    Some((if negative { -v } else { v }, i - start))
}

/// Java's default two-digit-year window: within 80 years before and 20 years after now.
fn two_digit_year(v: i64) -> i64 {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let (now_year, _, _) = civil_from_days(now_ms.div_euclid(MILLIS_PER_DAY));
    let start = now_year - 80;
    let century = start - start.rem_euclid(100);
    let y = century + v;
    if y < start {
        y + 100
    } else {
        y
    }
}

/// Matches one of `names` (full or three-letter, case-insensitive) at `pos`; the longest wins.
fn match_names(chars: &[char], pos: &mut usize, names: &[&str]) -> Option<usize> {
    let rest: String = chars[*pos..]
        .iter()
        .collect::<String>()
        .to_ascii_lowercase();
    let mut best: Option<(usize, usize)> = None;
    for (i, name) in names.iter().enumerate() {
        let full = name.to_ascii_lowercase();
        let short: String = full.chars().take(3).collect();
        for candidate in [full, short] {
            if rest.starts_with(&candidate) && best.is_none_or(|(_, l)| candidate.len() > l) {
                best = Some((i, candidate.len()));
            }
        }
    }
    let (i, len) = best?;
    *pos += len;
    Some(i)
}

/// A time zone at `pos`: `UTC`, `GMT`, `Z`, `Coordinated Universal Time`, `+hh:mm`, `+hhmm`,
/// `+hh`, or `GMT+hh:mm`; returns the offset in millis.
fn parse_zone(chars: &[char], pos: &mut usize) -> Option<i64> {
    let rest: String = chars[*pos..].iter().collect();
    for (name, len) in [
        ("Coordinated Universal Time", 26),
        ("UTC", 3),
        ("GMT", 3),
        ("Z", 1),
    ] {
        if rest.starts_with(name) {
            *pos += len;
            if name == "GMT" {
                if let Some(off) = parse_offset(chars, pos) {
                    return Some(off);
                }
            }
            return Some(0);
        }
    }
    parse_offset(chars, pos)
}

fn parse_offset(chars: &[char], pos: &mut usize) -> Option<i64> {
    let sign = match chars.get(*pos) {
        Some('+') => 1,
        Some('-') => -1,
        _ => return None,
    };
    let mut i = *pos + 1;
    let digit = |i: usize| chars.get(i).and_then(|c| c.to_digit(10)).map(i64::from);
    let h = digit(i)? * 10 + digit(i + 1)?;
    i += 2;
    if chars.get(i) == Some(&':') {
        i += 1;
    }
    let m = match (digit(i), digit(i + 1)) {
        (Some(a), Some(b)) => {
            i += 2;
            a * 10 + b
        }
        _ => 0,
    };
    *pos = i;
    Some(sign * (h * 3_600_000 + m * 60_000))
}

/// Week of year with Java's US rules (weeks start on Sunday; week 1 contains January 1).
fn week_of_year(days: i64, year: i64) -> i64 {
    let next_jan1 = days_from_civil(year + 1, 1, 1).unwrap_or(i64::MAX);
    let dow = (days + 4).rem_euclid(7);
    let week_start = days - dow;
    if week_start + 6 >= next_jan1 {
        return 1;
    }
    let jan1 = days_from_civil(year, 1, 1).unwrap_or(days);
    let jan1_dow = (jan1 + 4).rem_euclid(7);
    (days - jan1 + jan1_dow) / 7 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 86_401_234; // 1970-01-02T00:00:01.234Z

    #[test]
    fn formats_like_java() {
        let f = SimpleDateFormat::new("yyyy MM dd HH mm ss SSS z").unwrap();
        assert_eq!(f.format(T), "1970 01 02 00 00 01 234 UTC");
        assert_eq!(
            SimpleDateFormat::new("yyyyMMdd")
                .unwrap()
                .format(1_483_425_001_864),
            "20170103"
        );
        let f = SimpleDateFormat::new("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").unwrap();
        assert_eq!(f.format(1_483_425_001_864), "2017-01-03T06:30:01.864Z");
        let f = SimpleDateFormat::new("EEE, d MMM yy h:mm a Z").unwrap();
        assert_eq!(f.format(1_483_425_001_864), "Tue, 3 Jan 17 6:30 AM +0000");
        let f = SimpleDateFormat::new("EEEE MMMM D w W u k K G ''").unwrap();
        assert_eq!(
            f.format(1_483_425_001_864),
            "Tuesday January 3 1 1 2 6 6 AD '"
        );
        assert_eq!(
            SimpleDateFormat::new("w")
                .unwrap()
                .format(days_ms(2016, 12, 31)),
            "53"
        );
        assert_eq!(
            SimpleDateFormat::new("w")
                .unwrap()
                .format(days_ms(2017, 12, 31)),
            "1"
        );
    }

    fn days_ms(y: i64, m: u32, d: u32) -> i64 {
        days_from_civil(y, m, d).unwrap() * MILLIS_PER_DAY
    }

    #[test]
    fn parses_like_java() {
        let f = SimpleDateFormat::new("yyyy MM dd HH mm ss SSS z").unwrap();
        assert_eq!(f.parse("1970 01 02 00 00 01 234 UTC"), Some(T));
        let f = SimpleDateFormat::new("yyyyMMddHHmmss").unwrap();
        assert_eq!(f.parse("19700102000001"), Some(86_401_000));
        let f = SimpleDateFormat::new("yyyy-MM-dd").unwrap();
        assert_eq!(f.parse("1970-13-01"), Some(days_ms(1971, 1, 1)));
        assert_eq!(f.parse("1970-01-02 trailing"), Some(MILLIS_PER_DAY));
        assert_eq!(f.parse("nope"), None);
        let f = SimpleDateFormat::new("dd MMM yyyy hh:mm a Z").unwrap();
        assert_eq!(
            f.parse("03 Jan 2017 06:30 PM +0100"),
            Some(days_ms(2017, 1, 3) + 17 * 3_600_000 + 30 * 60_000)
        );
        let f = SimpleDateFormat::new("yyyy-MM-dd'T'HH:mm:ssXXX").unwrap();
        assert_eq!(f.parse("2017-01-03T06:30:01Z"), Some(1_483_425_001_000));
    }

    #[test]
    fn invalid_patterns() {
        assert_eq!(
            SimpleDateFormat::new("yyyy-qq").unwrap_err(),
            "Illegal pattern character 'q'"
        );
        assert_eq!(
            SimpleDateFormat::new("'abc").unwrap_err(),
            "Unterminated quote"
        );
    }
}
