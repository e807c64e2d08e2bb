//! The Java character sets StringConverter supports, encoded and decoded as Java's
//! `String.getBytes(charset)` and `new String(bytes, charset)` do: unmappable characters become
//! `?` when encoding, malformed input becomes U+FFFD when decoding; never an error.

/// A character set, looked up by a Java charset name or alias (case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// `UTF-8`.
    Utf8,
    /// `UTF-16`: big-endian with a byte order mark when encoding; the mark decides when decoding.
    Utf16,
    /// `UTF-16BE`, no byte order mark.
    Utf16Be,
    /// `UTF-16LE`, no byte order mark.
    Utf16Le,
    /// `UTF-32`: big-endian, no mark when encoding; a mark is honoured when decoding.
    Utf32,
    /// `UTF-32BE`.
    Utf32Be,
    /// `UTF-32LE`.
    Utf32Le,
    /// `US-ASCII`.
    UsAscii,
    /// `ISO-8859-1` (Latin-1).
    Iso8859_1,
}

impl Charset {
    /// Looks up a Java charset name or one of its aliases; `None` for charsets not supported.
    pub fn for_name(name: &str) -> Option<Charset> {
        let n = name.to_ascii_lowercase();
        Some(match n.as_str() {
            "utf-8" | "utf8" | "unicode-1-1-utf-8" => Charset::Utf8,
            "utf-16" | "utf_16" | "utf16" | "unicode" => Charset::Utf16,
            "utf-16be" | "utf_16be" | "iso-10646-ucs-2" | "x-utf-16be" | "unicodebigunmarked" => {
                Charset::Utf16Be
            }
            "utf-16le" | "utf_16le" | "x-utf-16le" | "unicodelittleunmarked" => Charset::Utf16Le,
            "utf-32" | "utf_32" | "utf32" => Charset::Utf32,
            "utf-32be" | "utf_32be" | "x-utf-32be" => Charset::Utf32Be,
            "utf-32le" | "utf_32le" | "x-utf-32le" => Charset::Utf32Le,
            "us-ascii" | "ascii" | "us" | "iso646-us" | "iso_646.irv:1991" | "csascii"
            | "ansi_x3.4-1968" | "ansi_x3.4-1986" | "cp367" | "ibm367" | "646" | "default"
            | "iso-ir-6" => Charset::UsAscii,
            "iso-8859-1" | "iso8859_1" | "iso_8859_1" | "iso_8859-1" | "iso8859-1" | "latin1"
            | "l1" | "ibm819" | "cp819" | "csisolatin1" | "819" | "ibm-819" | "iso-ir-100"
            | "iso_8859-1:1987" | "8859_1" => Charset::Iso8859_1,
            _ => return None,
        })
    }

    /// Appends the encoding of `s`.
    pub fn encode_into(self, s: &str, out: &mut Vec<u8>) {
        match self {
            Charset::Utf8 => out.extend_from_slice(s.as_bytes()),
            Charset::Utf16 => {
                out.extend_from_slice(&[0xFE, 0xFF]);
                s.encode_utf16()
                    .for_each(|u| out.extend_from_slice(&u.to_be_bytes()));
            }
            Charset::Utf16Be => s
                .encode_utf16()
                .for_each(|u| out.extend_from_slice(&u.to_be_bytes())),
            Charset::Utf16Le => s
                .encode_utf16()
                .for_each(|u| out.extend_from_slice(&u.to_le_bytes())),
            Charset::Utf32 | Charset::Utf32Be => s
                .chars()
                .for_each(|c| out.extend_from_slice(&u32::from(c).to_be_bytes())),
            Charset::Utf32Le => s
                .chars()
                .for_each(|c| out.extend_from_slice(&u32::from(c).to_le_bytes())),
            Charset::UsAscii => {
                out.extend(s.chars().map(|c| if c.is_ascii() { c as u8 } else { b'?' }))
            }
            Charset::Iso8859_1 => out.extend(
                s.chars()
                    .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')),
            ),
        }
    }

    /// Decodes `bytes`, replacing malformed input with U+FFFD.
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            // Valid UTF-8 is the common case, and `from_utf8` checks it several times faster
            // than the lossy decoder walks it.
            Charset::Utf8 => match std::str::from_utf8(bytes) {
                Ok(s) => s.to_owned(),
                Err(_) => String::from_utf8_lossy(bytes).into_owned(),
            },
            Charset::Utf16 => match bytes {
                [0xFE, 0xFF, rest @ ..] => decode_utf16(rest, u16::from_be_bytes),
                [0xFF, 0xFE, rest @ ..] => decode_utf16(rest, u16::from_le_bytes),
                _ => decode_utf16(bytes, u16::from_be_bytes),
            },
            Charset::Utf16Be => decode_utf16(bytes, u16::from_be_bytes),
            Charset::Utf16Le => decode_utf16(bytes, u16::from_le_bytes),
            Charset::Utf32 => match bytes {
                [0, 0, 0xFE, 0xFF, rest @ ..] => decode_utf32(rest, u32::from_be_bytes),
                [0xFF, 0xFE, 0, 0, rest @ ..] => decode_utf32(rest, u32::from_le_bytes),
                _ => decode_utf32(bytes, u32::from_be_bytes),
            },
            Charset::Utf32Be => decode_utf32(bytes, u32::from_be_bytes),
            Charset::Utf32Le => decode_utf32(bytes, u32::from_le_bytes),
            Charset::UsAscii => bytes
                .iter()
                .map(|&b| if b.is_ascii() { b as char } else { '\u{FFFD}' })
                .collect(),
            Charset::Iso8859_1 => bytes.iter().map(|&b| char::from(b)).collect(),
        }
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let chunks = bytes.chunks_exact(2);
    let odd = !chunks.remainder().is_empty();
    let mut s: String = char::decode_utf16(chunks.map(|c| unit([c[0], c[1]])))
        .map(|r| r.unwrap_or('\u{FFFD}'))
        .collect();
    if odd {
        s.push('\u{FFFD}');
    }
    s
}

fn decode_utf32(bytes: &[u8], unit: fn([u8; 4]) -> u32) -> String {
    let chunks = bytes.chunks_exact(4);
    let odd = !chunks.remainder().is_empty();
    let mut s: String = chunks
        .map(|c| char::from_u32(unit([c[0], c[1], c[2], c[3]])).unwrap_or('\u{FFFD}'))
        .collect();
    if odd {
        s.push('\u{FFFD}');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(c: Charset, s: &str) -> Vec<u8> {
        let mut out = Vec::new();
        c.encode_into(s, &mut out);
        out
    }

    #[test]
    fn java_behaviour() {
        assert_eq!(Charset::for_name("utf8"), Some(Charset::Utf8));
        assert_eq!(Charset::for_name("Latin1"), Some(Charset::Iso8859_1));
        assert_eq!(Charset::for_name("bogus"), None);
        assert_eq!(enc(Charset::Utf16, "a"), vec![0xFE, 0xFF, 0, b'a']);
        assert_eq!(Charset::Utf16.decode(&[0xFE, 0xFF, 0, b'a']), "a");
        assert_eq!(Charset::Utf16.decode(&[0xFF, 0xFE, b'a', 0]), "a");
        assert_eq!(Charset::Utf16.decode(&[0, b'a']), "a");
        assert_eq!(Charset::Utf16Le.decode(&[b'a', 0, 1]), "a\u{FFFD}");
        assert_eq!(enc(Charset::UsAscii, "aé😀"), b"a??");
        assert_eq!(enc(Charset::Iso8859_1, "aé😀"), vec![b'a', 0xE9, b'?']);
        assert_eq!(Charset::Iso8859_1.decode(&[0xE9]), "é");
        assert_eq!(Charset::UsAscii.decode(&[0xE9]), "\u{FFFD}");
        assert_eq!(Charset::Utf8.decode(&[b'a', 0xFF]), "a\u{FFFD}");
        assert_eq!(enc(Charset::Utf32, "a"), vec![0, 0, 0, b'a']);
    }
}
