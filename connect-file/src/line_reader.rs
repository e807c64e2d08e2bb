//! The byte-level line splitter behind
//! [`FileStreamSourceTask`](crate::FileStreamSourceTask).
//!
//! [`LineReader`] reads a byte stream in large chunks into one reused buffer and hands out
//! complete lines together with the byte position just after each line's terminator. It keeps
//! three promises, each of which the source task's offsets rely on:
//!
//! * **Terminators are Apache's:** `\n`, `\r\n` and a lone `\r`. A `\r` at the very end of the
//!   buffered data may be the first half of `\r\n`, so it is held back until the next byte
//!   decides (as Apache's `extractLine` does).
//! * **Only complete lines come out.** An unterminated tail stays buffered until its
//!   terminator arrives; it is never emitted, not even at the end of the stream.
//! * **Positions count bytes,** so that seeking to a position handed out here resumes exactly
//!   after that line, whatever the encoding of the text around it.
//!
//! Lines are decoded as UTF-8, replacing malformed sequences with U+FFFD as Java's decoder
//! does. Decoding each line on its own gives the same text as decoding the whole stream:
//! `\r` and `\n` are ASCII, and UTF-8 never uses ASCII bytes inside a multi-byte sequence,
//! so a terminator can never split a character.

use std::io::{self, Read};

/// How much to ask the stream for in one read. Large reads keep the number of system calls
/// per line small; the benchmark reads about a million lines a second.
pub(crate) const READ_CHUNK: usize = 64 * 1024;

/// What one [`LineReader::fill_from`] call got from the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    /// The stream had nothing to give: end of file (for now) or end of input.
    Nothing,
    /// Fewer bytes than asked for: the stream has been drained for the moment, so a further
    /// read would find nothing (a file) or block (a pipe).
    Drained,
    /// The read filled all the space offered: more data may be waiting.
    Full,
}

/// Splits a byte stream into lines, remembering the byte position after each one.
///
/// The buffer holds `buf[start..end]` as unconsumed bytes; `scan` marks how far the search for
/// a terminator has already looked, so that bytes are examined only once however many reads a
/// long line takes.
#[derive(Debug, Default)]
pub(crate) struct LineReader {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    scan: usize,
    /// The stream position of `buf[start]` (a Kafka `Long`, like the offsets it ends up in).
    position: i64,
}

impl LineReader {
    /// A reader whose first byte is at `position` in the stream (the resume point).
    pub(crate) fn starting_at(position: i64) -> LineReader {
        LineReader {
            position,
            ..LineReader::default()
        }
    }

    /// The stream position of the first byte not yet handed out in a line.
    #[cfg(test)]
    pub(crate) fn position(&self) -> i64 {
        self.position
    }

    /// Reads once from `input` into the buffer, making room first.
    ///
    /// Room is made by moving the unconsumed bytes to the front of the buffer, or, when they
    /// already fill most of it (a line longer than the buffer), by doubling the buffer. The
    /// buffer is allocated on the first read and then reused for the life of the reader.
    pub(crate) fn fill_from(&mut self, input: &mut impl Read) -> io::Result<Fill> {
        let min_space = READ_CHUNK / 2;
        if self.start == self.end {
            // Everything was consumed: start over at the front, for free.
            self.start = 0;
            self.end = 0;
            self.scan = 0;
        } else if self.start > 0 && self.buf.len() - self.end < min_space {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.scan -= self.start;
            self.start = 0;
        }
        if self.buf.len() - self.end < min_space {
            let grown = (self.buf.len() * 2).max(READ_CHUNK);
            self.buf.resize(grown, 0);
        }
        let space = &mut self.buf[self.end..];
        let wanted = space.len();
        let n = loop {
            match input.read(space) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.end += n;
        Ok(match n {
            0 => Fill::Nothing,
            n if n < wanted => Fill::Drained,
            _ => Fill::Full,
        })
    }

    /// The next complete line in the buffer and the stream position just after its
    /// terminator, or `None` if the buffer holds no complete line yet.
    pub(crate) fn next_line(&mut self) -> Option<(String, i64)> {
        let data = &self.buf[..self.end];
        let found = data[self.scan..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .map(|i| self.scan + i);
        let Some(at) = found else {
            self.scan = self.end;
            return None;
        };
        let terminator_len = if data[at] == b'\n' {
            1
        } else if at + 1 == self.end {
            // A `\r` with nothing after it yet: it may be the start of `\r\n`. Wait for the
            // next byte, and look at this `\r` again then.
            self.scan = at;
            return None;
        } else if data[at + 1] == b'\n' {
            2
        } else {
            1
        };
        // Valid UTF-8 (the common case) is checked by the fast validator and copied once;
        // only malformed input takes the replacing path.
        let bytes = &data[self.start..at];
        let line = match std::str::from_utf8(bytes) {
            Ok(s) => s.to_owned(),
            Err(_) => String::from_utf8_lossy(bytes).into_owned(),
        };
        let next = at + terminator_len;
        // A line's length fits an i64 on every supported platform.
        self.position += (next - self.start) as i64;
        self.start = next;
        self.scan = next;
        Some((line, self.position))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream that returns its pieces one read at a time, like a file being appended to.
    struct Pieces(Vec<Vec<u8>>);

    impl Read for Pieces {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Ok(0);
            }
            let piece = &mut self.0[0];
            let n = piece.len().min(out.len());
            out[..n].copy_from_slice(&piece[..n]);
            piece.drain(..n);
            if piece.is_empty() {
                self.0.remove(0);
            }
            Ok(n)
        }
    }

    fn lines(reader: &mut LineReader) -> Vec<(String, i64)> {
        std::iter::from_fn(|| reader.next_line()).collect()
    }

    fn read_all(pieces: &[&[u8]]) -> Vec<(String, i64)> {
        let mut input = Pieces(pieces.iter().map(|p| p.to_vec()).collect());
        let mut reader = LineReader::default();
        let mut out = Vec::new();
        while reader.fill_from(&mut input).unwrap() != Fill::Nothing {
            out.extend(lines(&mut reader));
        }
        out
    }

    fn owned(expected: &[(&str, i64)]) -> Vec<(String, i64)> {
        expected
            .iter()
            .map(|(l, p)| ((*l).to_owned(), *p))
            .collect()
    }

    #[test]
    fn splits_on_all_three_terminators() {
        assert_eq!(
            read_all(&[b"a\nbb\r\nccc\rd"]),
            owned(&[("a", 2), ("bb", 6), ("ccc", 10)])
        );
    }

    #[test]
    fn a_trailing_cr_waits_for_the_next_byte() {
        let mut input = Pieces(vec![b"one\r".to_vec(), b"\ntwo\r".to_vec(), b"x".to_vec()]);
        let mut reader = LineReader::default();
        reader.fill_from(&mut input).unwrap();
        assert_eq!(lines(&mut reader), vec![]);
        reader.fill_from(&mut input).unwrap();
        // The held-back `\r` turned out to be half of `\r\n`: one line, not an extra empty one.
        assert_eq!(lines(&mut reader), owned(&[("one", 5)]));
        reader.fill_from(&mut input).unwrap();
        assert_eq!(lines(&mut reader), owned(&[("two", 9)]));
        // `x` has no terminator: it stays buffered.
        assert_eq!(reader.position(), 9);
    }

    #[test]
    fn lines_split_across_reads_come_out_whole() {
        assert_eq!(
            read_all(&[b"par", b"tial li", b"ne\nnext", b"\n"]),
            owned(&[("partial line", 13), ("next", 18)])
        );
    }

    #[test]
    fn positions_count_bytes_of_multi_byte_text() {
        // "é" is 2 bytes, "😀" is 4: Apache would count 1 and 2 UTF-16 units.
        let text = "héllo\r\nwörld 😀\n";
        assert_eq!(
            read_all(&[text.as_bytes()]),
            owned(&[("héllo", 8), ("wörld 😀", 8 + 12)])
        );
    }

    #[test]
    fn malformed_utf8_is_replaced() {
        assert_eq!(read_all(&[b"a\xffb\n"]), owned(&[("a\u{fffd}b", 4)]));
    }

    #[test]
    fn starting_position_offsets_every_line() {
        let mut input = Pieces(vec![b"x\ny\n".to_vec()]);
        let mut reader = LineReader::starting_at(100);
        reader.fill_from(&mut input).unwrap();
        assert_eq!(lines(&mut reader), owned(&[("x", 102), ("y", 104)]));
    }

    #[test]
    fn lines_longer_than_the_buffer_grow_it() {
        let long = "*".repeat(3 * READ_CHUNK + 17);
        let text = format!("a\n{long}\nb\n");
        let got = read_all(&[text.as_bytes()]);
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].0, long);
        assert_eq!(got[2], ("b".to_owned(), text.len() as i64));
    }

    #[test]
    fn many_chunks_keep_positions_exact() {
        let text: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
        let got = read_all(&[text.as_bytes()]);
        assert_eq!(got.len(), 20_000);
        assert_eq!(got[12_345].0, "line 12345");
        assert_eq!(got.last().map(|l| l.1), Some(text.len() as i64));
    }

    #[test]
    fn fill_reports_how_much_it_got() {
        let mut reader = LineReader::default();
        assert_eq!(
            reader.fill_from(&mut Pieces(vec![])).unwrap(),
            Fill::Nothing
        );
        assert_eq!(
            reader.fill_from(&mut Pieces(vec![b"ab".to_vec()])).unwrap(),
            Fill::Drained
        );
        let big = vec![b'x'; 4 * READ_CHUNK];
        assert_eq!(
            reader.fill_from(&mut Pieces(vec![big])).unwrap(),
            Fill::Full
        );
    }
}
