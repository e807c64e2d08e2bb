//! A small JSON reader that accepts exactly what Apache's JsonConverter accepts.
//!
//! JsonConverter reads with Jackson 2.16 (`ObjectMapper.readTree`) configured to allow leading
//! zeros in numbers and to keep floating point numbers as exact `BigDecimal`s. This reader
//! follows the same rules so the same bytes are accepted or rejected:
//!
//! * only the first JSON value is read; anything after it is ignored (`{"a":1} x` is fine), but a
//!   root-level number must be followed by whitespace or the end (`12x` fails);
//! * empty input (or whitespace only) is a *missing* value, not an error;
//! * numbers may have leading zeros (`0012`); `NaN`, `Infinity`, `+1`, `.5`, `1.` are rejected;
//! * strings must not contain raw control characters and must be valid UTF-8; only the JSON
//!   escapes are accepted; a lone surrogate escape becomes U+FFFD (Java keeps it, Rust strings
//!   cannot);
//! * duplicate object keys: the last value wins, at the position of the first;
//! * Jackson's default stream limits: nesting depth 1000, numbers of at most 1000 characters,
//!   strings of at most 20,000,000 characters.
//!
//! Numbers are kept as their text ([`Number`]) and converted on demand with Jackson's (Java's)
//! semantics, so no precision is lost and no allocation is made for them.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use bigdecimal::BigDecimal;

/// Jackson's `StreamReadConstraints.DEFAULT_MAX_DEPTH`.
pub(crate) const MAX_DEPTH: usize = 1000;
/// Jackson's `StreamReadConstraints.DEFAULT_MAX_NUM_LEN`.
const MAX_NUMBER_LEN: usize = 1000;
/// Jackson's `StreamReadConstraints.DEFAULT_MAX_STRING_LEN`.
const MAX_STRING_LEN: usize = 20_000_000;

/// A parsed JSON value borrowing from the input where it can.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    Number(Number<'a>),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    /// Members in order, keys unique (duplicates resolved at parse time).
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// Jackson's `JsonNode.getNodeType()` name, used in Apache's error messages.
    pub(crate) fn node_type(node: Option<&Node<'_>>) -> &'static str {
        match node {
            None => "MISSING",
            Some(Node::Null) => "NULL",
            Some(Node::Bool(_)) => "BOOLEAN",
            Some(Node::Number(_)) => "NUMBER",
            Some(Node::String(_)) => "STRING",
            Some(Node::Array(_)) => "ARRAY",
            Some(Node::Object(_)) => "OBJECT",
        }
    }

    /// The member `key` of an object (`None` for other nodes or a missing key).
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            Node::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string of a string node (Jackson's `textValue()`).
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Node::String(s) => Some(s),
            _ => None,
        }
    }
}

/// A JSON number kept as its (validated) text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Number<'a> {
    text: &'a str,
    /// No fraction and no exponent (Jackson's `isIntegralNumber()`).
    integral: bool,
}

impl<'a> Number<'a> {
    /// Jackson's `isIntegralNumber()`: no fraction and no exponent in the text.
    pub(crate) fn is_integral(&self) -> bool {
        self.integral
    }

    /// Jackson's `isInt()`: integral and within the range of a Java `int`.
    pub(crate) fn is_int(&self) -> bool {
        self.integral && self.text.parse::<i32>().is_ok()
    }

    /// The exact integral value, if integral and within `i64`.
    pub(crate) fn as_i64(&self) -> Option<i64> {
        if self.integral {
            self.text.parse::<i64>().ok()
        } else {
            None
        }
    }

    /// Jackson's `longValue()`: the integer part (fraction truncated toward zero) reduced to its
    /// low 64 bits, as Java's `BigInteger.longValue()` / `BigDecimal.longValue()` do.
    pub(crate) fn long_value(&self) -> i64 {
        if let Some(v) = self.as_i64() {
            return v;
        }
        let (negative, digits, shift) = self.decompose();
        let mut acc: u64 = 0;
        let keep = if shift < 0 {
            let drop = shift.unsigned_abs();
            if drop >= digits.len() as u64 {
                0
            } else {
                digits.len() - drop as usize
            }
        } else {
            digits.len()
        };
        for &d in &digits[..keep] {
            acc = acc.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
        }
        if shift > 0 {
            // 10^64 is a multiple of 2^64, so large shifts give 0, as in Java.
            let shift = u32::try_from(shift).unwrap_or(u32::MAX);
            acc = acc.wrapping_mul(10u64.wrapping_pow(shift));
        }
        let v = acc as i64;
        if negative {
            v.wrapping_neg()
        } else {
            v
        }
    }

    /// Jackson's `intValue()`: the low 32 bits of [`Number::long_value`].
    pub(crate) fn int_value(&self) -> i32 {
        self.long_value() as i32
    }

    /// Jackson's `doubleValue()` (correctly rounded; a zero is always positive, as Java's
    /// `BigDecimal` has no negative zero).
    pub(crate) fn double_value(&self) -> f64 {
        let v = self.text.parse::<f64>().unwrap_or(0.0);
        if v == 0.0 && self.is_zero() {
            0.0
        } else {
            v
        }
    }

    /// Jackson's `floatValue()`.
    pub(crate) fn float_value(&self) -> f32 {
        let v = self.text.parse::<f32>().unwrap_or(0.0);
        if v == 0.0 && self.is_zero() {
            0.0
        } else {
            v
        }
    }

    /// Jackson's `decimalValue()`: the exact value with the scale as written.
    pub(crate) fn decimal_value(&self) -> Option<BigDecimal> {
        BigDecimal::from_str(self.text).ok()
    }

    fn is_zero(&self) -> bool {
        let mantissa = self.text.split(['e', 'E']).next().unwrap_or("");
        mantissa.bytes().all(|b| matches!(b, b'0' | b'.' | b'-'))
    }

    /// (negative, significant digits, power of ten to apply to them).
    fn decompose(&self) -> (bool, Vec<u8>, i64) {
        let bytes = self.text.as_bytes();
        let negative = bytes.first() == Some(&b'-');
        let body = if negative { &bytes[1..] } else { bytes };
        let (mantissa, exponent) = match body.iter().position(|&b| b == b'e' || b == b'E') {
            Some(i) => (&body[..i], &body[i + 1..]),
            None => (body, &b""[..]),
        };
        let mut digits = Vec::with_capacity(mantissa.len());
        let mut frac_len: i64 = 0;
        let mut in_frac = false;
        for &b in mantissa {
            if b == b'.' {
                in_frac = true;
            } else {
                digits.push(b);
                if in_frac {
                    frac_len += 1;
                }
            }
        }
        // The exponent was bounded when the number was scanned.
        let exp = std::str::from_utf8(exponent)
            .ok()
            .and_then(|e| e.trim_start_matches('+').parse::<i64>().ok())
            .unwrap_or(0);
        (negative, digits, exp - frac_len)
    }
}

/// Why the input is not JSON (the cause of Apache's "Converting byte[] to Kafka Connect data
/// failed due to serialization error: ").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    message: String,
    offset: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte offset {}", self.message, self.offset)
    }
}

impl std::error::Error for ParseError {}

type PResult<T> = Result<T, ParseError>;

/// A raw, validated but not yet parsed JSON value: its byte range in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The root of a JsonConverter envelope: either an object whose `schema` member is kept raw (so
/// a schema cache can be consulted by its bytes before parsing it) or any other value.
pub(crate) enum Root<'a> {
    /// Empty input.
    Missing,
    /// An object: its members in order (`schema` raw, the others parsed).
    Object(Vec<(Cow<'a, str>, Member<'a>)>),
    /// Any other value.
    Other,
}

/// A container being parsed.
enum Frame<'a> {
    Array(Vec<Node<'a>>),
    /// Members so far and the key of the member being parsed.
    Object(Vec<(Cow<'a, str>, Node<'a>)>, Cow<'a, str>),
}

/// A member of the root object.
pub(crate) enum Member<'a> {
    Raw(Span),
    Parsed(Node<'a>),
}

/// The reader over one input.
pub(crate) struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    /// A reader over `input`, skipping a UTF-8 byte order mark as Jackson does.
    pub(crate) fn new(input: &'a [u8]) -> Self {
        let pos = if input.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        Parser {
            input,
            pos,
            depth: 0,
        }
    }

    /// A reader over a span already validated by another reader, nested `depth` levels deep.
    pub(crate) fn nested(input: &'a [u8], span: Span, depth: usize) -> Self {
        Parser {
            input: &input[..span.end],
            pos: span.start,
            depth,
        }
    }

    fn error<T>(&self, message: impl Into<String>) -> PResult<T> {
        Err(ParseError {
            message: message.into(),
            offset: self.pos,
        })
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn unexpected<T>(&self, expected: &str) -> PResult<T> {
        match self.peek() {
            None => self.error(format!("Unexpected end-of-input: expected {expected}")),
            Some(b) => self.error(format!(
                "Unexpected character ({}) : expected {expected}",
                describe(b)
            )),
        }
    }

    /// Reads the first value of the input (`None` for empty input); the rest is ignored.
    pub(crate) fn parse_root(&mut self) -> PResult<Option<Node<'a>>> {
        self.skip_ws();
        if self.peek().is_none() {
            return Ok(None);
        }
        let node = self.parse_value()?;
        if matches!(node, Node::Number(_)) {
            self.verify_root_space()?;
        }
        Ok(Some(node))
    }

    /// Reads the first value of the input as a JsonConverter envelope: an object's `schema`
    /// member is validated but kept raw. Syntax errors anywhere in the value are reported.
    pub(crate) fn parse_envelope(&mut self) -> PResult<Root<'a>> {
        self.skip_ws();
        match self.peek() {
            None => Ok(Root::Missing),
            Some(b'{') => {
                self.enter()?;
                self.pos += 1;
                let mut members: Vec<(Cow<'a, str>, Member<'a>)> = Vec::with_capacity(2);
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        let key = self.parse_key()?;
                        let member = if key == "schema" {
                            self.skip_ws();
                            let start = self.pos;
                            self.skip_value()?;
                            Member::Raw(Span {
                                start,
                                end: self.pos,
                            })
                        } else {
                            Member::Parsed(self.parse_value()?)
                        };
                        match members.iter_mut().find(|(k, _)| *k == key) {
                            Some(slot) => slot.1 = member,
                            None => members.push((key, member)),
                        }
                        if self.object_continues()? {
                            continue;
                        }
                        break;
                    }
                }
                self.depth -= 1;
                Ok(Root::Object(members))
            }
            Some(_) => {
                let node = self.parse_value()?;
                if matches!(node, Node::Number(_)) {
                    self.verify_root_space()?;
                }
                Ok(Root::Other)
            }
        }
    }

    /// Jackson's `_verifyRootSpace`: a root-level number must be followed by whitespace or end.
    fn verify_root_space(&self) -> PResult<()> {
        match self.peek() {
            None | Some(b' ' | b'\t' | b'\n' | b'\r') => Ok(()),
            Some(b) => self.error(format!(
                "Unexpected character ({}): Expected space separating root-level values",
                describe(b)
            )),
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.error(format!(
                "Document nesting depth ({}) exceeds the maximum allowed ({MAX_DEPTH}, from `StreamReadConstraints.getMaxNestingDepth()`)",
                self.depth
            ));
        }
        Ok(())
    }

    /// Parses one value (leading whitespace allowed).
    ///
    /// Iterative, with an explicit stack, so deeply nested input cannot overflow the thread's
    /// stack (the depth limit bounds the heap used instead).
    pub(crate) fn parse_value(&mut self) -> PResult<Node<'a>> {
        let mut stack: Vec<Frame<'a>> = Vec::new();
        loop {
            self.skip_ws();
            let mut node = match self.peek() {
                Some(b'{') => {
                    self.enter()?;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        self.depth -= 1;
                        Node::Object(Vec::new())
                    } else {
                        let key = self.parse_key()?;
                        stack.push(Frame::Object(Vec::with_capacity(8), key));
                        continue;
                    }
                }
                Some(b'[') => {
                    self.enter()?;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        self.depth -= 1;
                        Node::Array(Vec::new())
                    } else {
                        stack.push(Frame::Array(Vec::new()));
                        continue;
                    }
                }
                Some(b'"') => Node::String(self.parse_string()?),
                Some(b'-' | b'0'..=b'9') => Node::Number(self.scan_number()?),
                Some(b't') => self.literal(b"true", Node::Bool(true))?,
                Some(b'f') => self.literal(b"false", Node::Bool(false))?,
                Some(b'n') => self.literal(b"null", Node::Null)?,
                _ => return self.unexpected("JSON value"),
            };
            // Attach the value to its container, closing every container it completes.
            loop {
                let Some(frame) = stack.last_mut() else {
                    return Ok(node);
                };
                let closed = match frame {
                    Frame::Array(items) => {
                        items.push(node);
                        !self.array_continues()?
                    }
                    Frame::Object(members, key) => {
                        members.push((std::mem::take(key), node));
                        if self.object_continues()? {
                            *key = self.parse_key()?;
                            false
                        } else {
                            true
                        }
                    }
                };
                if !closed {
                    break;
                }
                self.depth -= 1;
                node = match stack.pop() {
                    Some(Frame::Array(items)) => Node::Array(items),
                    Some(Frame::Object(mut members, _)) => {
                        dedupe(&mut members);
                        Node::Object(members)
                    }
                    None => Node::Null,
                };
            }
        }
    }

    /// Validates one value without building it (iterative, like [`Parser::parse_value`]).
    pub(crate) fn skip_value(&mut self) -> PResult<()> {
        // One entry per open container: `true` for an object, `false` for an array.
        let mut stack: Vec<bool> = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'{') => {
                    self.enter()?;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                        self.depth -= 1;
                    } else {
                        self.skip_key()?;
                        stack.push(true);
                        continue;
                    }
                }
                Some(b'[') => {
                    self.enter()?;
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                        self.depth -= 1;
                    } else {
                        stack.push(false);
                        continue;
                    }
                }
                Some(b'"') => {
                    self.scan_string()?;
                }
                Some(b'-' | b'0'..=b'9') => {
                    self.scan_number()?;
                }
                Some(b't') => self.literal(b"true", ())?,
                Some(b'f') => self.literal(b"false", ())?,
                Some(b'n') => self.literal(b"null", ())?,
                _ => return self.unexpected("JSON value"),
            }
            loop {
                let Some(&is_object) = stack.last() else {
                    return Ok(());
                };
                let more = if is_object {
                    self.object_continues()? && {
                        self.skip_key()?;
                        true
                    }
                } else {
                    self.array_continues()?
                };
                if more {
                    break;
                }
                stack.pop();
                self.depth -= 1;
            }
        }
    }

    fn skip_key(&mut self) -> PResult<()> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return self.unexpected("double-quote to start field name");
        }
        self.scan_string()?;
        self.colon()
    }

    fn parse_key(&mut self) -> PResult<Cow<'a, str>> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return self.unexpected("double-quote to start field name");
        }
        let key = self.parse_string()?;
        self.colon()?;
        Ok(key)
    }

    fn colon(&mut self) -> PResult<()> {
        self.skip_ws();
        if self.peek() != Some(b':') {
            return self.unexpected("a colon to separate field name and value");
        }
        self.pos += 1;
        Ok(())
    }

    /// After an object member: `true` after a comma, `false` after the closing brace.
    fn object_continues(&mut self) -> PResult<bool> {
        self.skip_ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b'}') => {
                self.pos += 1;
                Ok(false)
            }
            _ => self.unexpected("comma to separate Object entries"),
        }
    }

    /// After an array element: `true` after a comma, `false` after the closing bracket.
    fn array_continues(&mut self) -> PResult<bool> {
        self.skip_ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b']') => {
                self.pos += 1;
                Ok(false)
            }
            _ => self.unexpected("comma to separate Array entries"),
        }
    }

    fn literal<T>(&mut self, word: &'static [u8], value: T) -> PResult<T> {
        if self.input[self.pos..].starts_with(word) {
            self.pos += word.len();
            // Jackson's `_matchToken`: the token must not run on into an identifier.
            if let Some(b) = self.peek() {
                if b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80 {
                    return self.error("Unrecognized token: was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')");
                }
            }
            Ok(value)
        } else {
            self.error("Unrecognized token: was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')")
        }
    }

    fn scan_number(&mut self) -> PResult<Number<'a>> {
        let start = self.pos;
        let bytes = self.input;
        let mut pos = self.pos;
        if bytes.get(pos) == Some(&b'-') {
            pos += 1;
        }
        let digits_start = pos;
        while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
        if pos == digits_start {
            self.pos = pos;
            return self.error("Unexpected character: expected digit (0-9) to follow minus sign, for valid numeric value");
        }
        let mut integral = true;
        if bytes.get(pos) == Some(&b'.') {
            integral = false;
            pos += 1;
            let frac_start = pos;
            while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
                pos += 1;
            }
            if pos == frac_start {
                self.pos = pos;
                return self.error("Unexpected character: Decimal point not followed by a digit");
            }
        }
        if let Some(b'e' | b'E') = bytes.get(pos) {
            integral = false;
            pos += 1;
            if let Some(b'+' | b'-') = bytes.get(pos) {
                pos += 1;
            }
            let exp_start = pos;
            while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
                pos += 1;
            }
            if pos == exp_start {
                self.pos = pos;
                return self
                    .error("Unexpected character: Exponent indicator not followed by a digit");
            }
            // Java's BigDecimal rejects exponents beyond the int range; Jackson then fails.
            let exp = &bytes[exp_start..pos];
            let significant = exp.iter().skip_while(|&&b| b == b'0').count();
            if significant > 10 || (significant == 10 && exp[exp.len() - 10..] > b"2147483647"[..])
            {
                self.pos = start;
                return self.error("Malformed numeric value: exponent out of range");
            }
        }
        if pos - start > MAX_NUMBER_LEN {
            self.pos = start;
            return self.error(format!(
                "Number value length ({}) exceeds the maximum allowed ({MAX_NUMBER_LEN}, from `StreamReadConstraints.getMaxNumberLength()`)",
                pos - start
            ));
        }
        self.pos = pos;
        // The scanned bytes are ASCII digits, signs, '.', 'e' and 'E'.
        let text = std::str::from_utf8(&bytes[start..pos]).unwrap_or("0");
        Ok(Number { text, integral })
    }

    /// Validates a string starting at the opening quote; returns the raw content (between the
    /// quotes) and whether it contains escapes.
    fn scan_string(&mut self) -> PResult<(&'a str, bool)> {
        let bytes = self.input;
        let start = self.pos + 1;
        let mut pos = start;
        let mut escaped = false;
        loop {
            match bytes.get(pos) {
                None => {
                    self.pos = pos;
                    return self.error(
                        "Unexpected end-of-input: was expecting closing quote for a string value",
                    );
                }
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    match bytes.get(pos + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => pos += 2,
                        Some(b'u') => {
                            let hex = bytes.get(pos + 2..pos + 6);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                self.pos = pos;
                                return self.error("Unexpected character: expected a hex-digit for character escape sequence");
                            }
                            pos += 6;
                        }
                        Some(&b) => {
                            self.pos = pos;
                            return self
                                .error(format!("Unrecognized character escape ({})", describe(b)));
                        }
                        None => {
                            self.pos = pos;
                            return self
                                .error("Unexpected end-of-input in character escape sequence");
                        }
                    }
                }
                Some(&b) if b < 0x20 => {
                    self.pos = pos;
                    return self.error(format!(
                        "Illegal unquoted character ((CTRL-CHAR, code {b})): has to be escaped using backslash to be included in string value"
                    ));
                }
                Some(_) => pos += 1,
            }
        }
        let raw = match std::str::from_utf8(&bytes[start..pos]) {
            Ok(s) => s,
            Err(e) => {
                self.pos = start + e.valid_up_to();
                return self.error("Invalid UTF-8 middle byte or start byte");
            }
        };
        if raw.len() > MAX_STRING_LEN && raw.chars().count() > MAX_STRING_LEN {
            self.pos = start;
            return self.error(format!(
                "String value length exceeds the maximum allowed ({MAX_STRING_LEN}, from `StreamReadConstraints.getMaxStringLength()`)"
            ));
        }
        self.pos = pos + 1;
        Ok((raw, escaped))
    }

    fn parse_string(&mut self) -> PResult<Cow<'a, str>> {
        let (raw, escaped) = self.scan_string()?;
        if escaped {
            Ok(Cow::Owned(unescape(raw)))
        } else {
            Ok(Cow::Borrowed(raw))
        }
    }
}

/// Resolves the escapes of a validated string.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let esc = &rest[i + 1..];
        let mut consumed = 1;
        match esc.as_bytes().first() {
            Some(b'"') => out.push('"'),
            Some(b'\\') => out.push('\\'),
            Some(b'/') => out.push('/'),
            Some(b'b') => out.push('\u{8}'),
            Some(b'f') => out.push('\u{c}'),
            Some(b'n') => out.push('\n'),
            Some(b'r') => out.push('\r'),
            Some(b't') => out.push('\t'),
            Some(b'u') => {
                let unit = hex4(&esc[1..5]);
                consumed = 5;
                if (0xD800..0xDC00).contains(&unit) {
                    // A high surrogate: combine with a following low surrogate escape.
                    let next = &esc[5..];
                    if next.len() >= 6 && next.starts_with("\\u") {
                        let low = hex4(&next[2..6]);
                        if (0xDC00..0xE000).contains(&low) {
                            let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                            out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                            consumed = 11;
                        } else {
                            out.push('\u{FFFD}');
                        }
                    } else {
                        out.push('\u{FFFD}');
                    }
                } else {
                    out.push(char::from_u32(unit).unwrap_or('\u{FFFD}'));
                }
            }
            _ => {}
        }
        rest = &esc[consumed..];
    }
    out.push_str(rest);
    out
}

fn hex4(s: &str) -> u32 {
    u32::from_str_radix(&s[..4], 16).unwrap_or(0xFFFD)
}

fn describe(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}' (code {b})", b as char)
    } else {
        format!("code {b}")
    }
}

/// Resolves duplicate keys: the last value wins, at the position of the first occurrence (as
/// Jackson's `ObjectNode` backed by a `LinkedHashMap`).
fn dedupe<'a>(members: &mut Vec<(Cow<'a, str>, Node<'a>)>) {
    let n = members.len();
    if n < 2 {
        return;
    }
    let has_duplicates = if n <= 16 {
        (1..n).any(|i| members[..i].iter().any(|(k, _)| *k == members[i].0))
    } else {
        let mut seen = std::collections::HashSet::with_capacity(n);
        !members.iter().all(|(k, _)| seen.insert(k.as_ref()))
    };
    if !has_duplicates {
        return;
    }
    let mut index: std::collections::HashMap<Cow<'a, str>, usize> =
        std::collections::HashMap::with_capacity(n);
    let mut out: Vec<(Cow<'a, str>, Node<'a>)> = Vec::with_capacity(n);
    for (k, v) in members.drain(..) {
        match index.get(&k) {
            Some(&i) => out[i].1 = v,
            None => {
                index.insert(k.clone(), out.len());
                out.push((k, v));
            }
        }
    }
    *members = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> PResult<Option<Node<'_>>> {
        Parser::new(s.as_bytes()).parse_root()
    }

    fn num(s: &str) -> Number<'_> {
        match parse(s).unwrap().unwrap() {
            Node::Number(n) => n,
            other => panic!("not a number: {other:?}"),
        }
    }

    #[test]
    fn accepts_what_jackson_accepts() {
        assert_eq!(parse("").unwrap(), None);
        assert_eq!(parse("  \n").unwrap(), None);
        assert_eq!(parse("true").unwrap(), Some(Node::Bool(true)));
        assert!(parse("{\"a\":1} x").unwrap().unwrap().get("a").is_some());
        assert!(parse("0012").is_ok());
        assert!(parse("12 x").is_ok());
        assert!(parse("[1]]").is_ok());
        assert_eq!(parse("\u{feff}").unwrap(), None);
        let n = parse("{\"a\":1,\"b\":2,\"a\":3}").unwrap().unwrap();
        assert_eq!(
            n,
            Node::Object(vec![
                ("a".into(), Node::Number(num("3"))),
                ("b".into(), Node::Number(num("2")))
            ])
        );
    }

    #[test]
    fn rejects_what_jackson_rejects() {
        for bad in [
            "NaN",
            "Infinity",
            "-Infinity",
            "+1",
            ".5",
            "1.",
            "1e",
            "-",
            "12x",
            "truex",
            "nul",
            "[1,]",
            "[,1]",
            "{,}",
            "{\"a\" 1}",
            "{a:1}",
            "'a'",
            "\"a",
            "[1",
            "{\"a\":1",
            "\"\\x\"",
            "\"\\u12\"",
            "\"a\nb\"",
            "[1 2]",
            "1e99999999999",
        ] {
            assert!(parse(bad).is_err(), "{bad} should fail");
        }
        assert!(Parser::new(b"\"\xff\"").parse_root().is_err());
        let deep = "[".repeat(1001) + &"]".repeat(1001);
        assert!(parse(&deep).is_err());
        let ok = "[".repeat(1000) + &"]".repeat(1000);
        assert!(parse(&ok).is_ok());
        let long = "1".repeat(1001);
        assert!(parse(&long).is_err());
    }

    #[test]
    fn strings_unescape() {
        let n = parse(r#""a\"b\\c\/\b\f\n\r\t\u0041\uD83D\uDE00\uD800x""#)
            .unwrap()
            .unwrap();
        assert_eq!(
            n.text(),
            Some("a\"b\\c/\u{8}\u{c}\n\r\tA\u{1F600}\u{FFFD}x")
        );
    }

    #[test]
    fn numbers_follow_java() {
        assert_eq!(num("0012").long_value(), 12);
        assert!(num("0012").is_int());
        assert!(!num("2147483648").is_int());
        assert_eq!(num("12.7").int_value(), 12);
        assert_eq!(num("-12.7").int_value(), -12);
        assert_eq!(num("300").int_value() as i8, 44);
        assert_eq!(num("18446744073709551617").long_value(), 1);
        assert_eq!(num("1e2").long_value(), 100);
        assert_eq!(num("1e100").long_value(), 0);
        assert_eq!(num("1.5e-3").long_value(), 0);
        assert_eq!(num("-0").double_value().to_bits(), 0.0f64.to_bits());
        assert_eq!(num("-0.0").double_value().to_bits(), 0.0f64.to_bits());
        assert_eq!(num("12.34").float_value(), 12.34f32);
        assert_eq!(
            num("1.5600")
                .decimal_value()
                .unwrap()
                .as_bigint_and_exponent()
                .1,
            4
        );
    }
}
