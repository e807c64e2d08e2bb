//! Base64 as Jackson reads and writes it for JSON strings.
//!
//! Writing is the standard alphabet with `=` padding and no line breaks. Reading follows
//! Jackson's `Base64Variant.decode` for its default (MIME, no line feeds) variant: the text is
//! trimmed, characters up to U+0020 are skipped *between* four-character groups (never inside
//! one), padding is required, unused trailing bits are ignored, and anything else fails.

use base64::Engine as _;

/// Appends the base64 text of `bytes` (no quotes).
pub(crate) fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    let len = bytes.len().div_ceil(3) * 4;
    out.resize(start + len, 0);
    // The buffer is exactly the encoded size, so this cannot fail.
    let written = base64::engine::general_purpose::STANDARD
        .encode_slice(bytes, &mut out[start..])
        .unwrap_or(0);
    out.truncate(start + written);
}

/// Why a string is not base64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Base64Error(String);

impl std::fmt::Display for Base64Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Base64Error {}

const PADDING: i32 = -2;

fn decode_char(c: u8) -> i32 {
    match c {
        b'A'..=b'Z' => i32::from(c - b'A'),
        b'a'..=b'z' => i32::from(c - b'a') + 26,
        b'0'..=b'9' => i32::from(c - b'0') + 52,
        b'+' => 62,
        b'/' => 63,
        b'=' => PADDING,
        _ => -1,
    }
}

fn invalid(c: u8, index: usize) -> Base64Error {
    Base64Error(format!(
        "Illegal character (code 0x{c:x}) in base64 content, at char #{index} of 4-char base64 unit"
    ))
}

fn eof() -> Base64Error {
    Base64Error("Unexpected end of base64-encoded String: base64 variant 'MIME-NO-LINEFEEDS' expects padding (one or more '=' characters) at the end".to_owned())
}

/// Decodes as Jackson's `TextNode.binaryValue()` does.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, Base64Error> {
    // Java's String.trim(): removes chars <= U+0020 at both ends.
    let s = text.trim_matches(|c: char| c <= ' ').as_bytes();
    let mut out = Vec::with_capacity(s.len() / 4 * 3 + 3);
    let mut i = 0;
    let next = |i: &mut usize| -> Option<u8> {
        let c = s.get(*i).copied();
        *i += 1;
        c
    };
    loop {
        // Skip white space (anything <= ' ') before a unit.
        let c = loop {
            match next(&mut i) {
                None => return Ok(out),
                Some(c) if c <= b' ' => continue,
                Some(c) => break c,
            }
        };
        let mut bits = decode_char(c);
        if bits < 0 {
            return Err(invalid(c, 0));
        }
        let mut data = bits;
        let c = next(&mut i).ok_or_else(eof)?;
        bits = decode_char(c);
        if bits < 0 {
            return Err(invalid(c, 1));
        }
        data = (data << 6) | bits;
        let c = next(&mut i).ok_or_else(eof)?;
        bits = decode_char(c);
        if bits < 0 {
            if bits != PADDING {
                return Err(invalid(c, 2));
            }
            let c = next(&mut i).ok_or_else(eof)?;
            if c != b'=' {
                return Err(Base64Error(format!(
                    "Illegal character (code 0x{c:x}) in base64 content, at char #3 of 4-char base64 unit: expected padding character '='"
                )));
            }
            out.push((data >> 4) as u8);
            continue;
        }
        data = (data << 6) | bits;
        let c = next(&mut i).ok_or_else(eof)?;
        bits = decode_char(c);
        if bits < 0 {
            if bits != PADDING {
                return Err(invalid(c, 3));
            }
            data >>= 2;
            out.push((data >> 8) as u8);
            out.push(data as u8);
        } else {
            data = (data << 6) | bits;
            out.push((data >> 16) as u8);
            out.push((data >> 8) as u8);
            out.push(data as u8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_jackson_leniency() {
        let mut out = Vec::new();
        encode_into(b"test-string", &mut out);
        assert_eq!(out, b"dGVzdC1zdHJpbmc=");
        assert_eq!(decode("dGVzdC1zdHJpbmc=").unwrap(), b"test-string");
        assert_eq!(decode("AJw=").unwrap(), vec![0x00, 0x9C]);
        assert_eq!(decode("").unwrap(), Vec::<u8>::new());
        assert_eq!(decode(" AJw= ").unwrap(), vec![0x00, 0x9C]);
        assert_eq!(decode("AAAA AJw=").unwrap(), vec![0, 0, 0, 0x00, 0x9C]);
        // Unused bits are ignored, as in Jackson.
        assert_eq!(decode("AJx=").unwrap(), vec![0x00, 0x9C]);
        for bad in ["AJw", "AJ w=", "AJ-_", "A===", "=AAA", "AJw=A", "é"] {
            assert!(decode(bad).is_err(), "{bad}");
        }
    }
}
