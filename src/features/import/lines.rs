//! Physical line numbers of CSV records. The csv crate counts only LF bytes, and a record read
//! from a CRLF file ends at its CR, so its positions run one line short after the first CRLF
//! (and never move in a file that ends lines with CR alone); it also reports a record after blank
//! lines on the first blank one. We count line breaks ourselves in the bytes the csv reader read.

use std::collections::VecDeque;
use std::io::{self, Read};

/// A reader that keeps what it handed out until [`LineCounter::record_line`] has counted it.
/// What it keeps is bounded by the csv reader's buffer plus one record: the csv reader never
/// reads further ahead than that.
pub(super) struct LineCounter<R> {
    inner: R,
    /// Bytes read but not yet counted; the first one is at offset `counted`.
    pending: VecDeque<u8>,
    counted: u64,
    /// The physical line of the byte at offset `counted` (the first line is 1).
    line: u64,
    /// The last counted byte was a CR, so a LF next finishes the same line break.
    after_cr: bool,
}

impl<R> LineCounter<R> {
    pub fn new(inner: R) -> LineCounter<R> {
        LineCounter {
            inner,
            pending: VecDeque::new(),
            counted: 0,
            line: 1,
            after_cr: false,
        }
    }

    /// The line on which the record that the csv reader started reading at byte `start` begins.
    /// Call it with each record's `position().byte()`, in order.
    pub fn record_line(&mut self, start: u64) -> u64 {
        let n = usize::try_from(start.saturating_sub(self.counted))
            .unwrap_or(usize::MAX)
            .min(self.pending.len());
        self.count(n);
        // The csv reader skips blank lines and the LF of a CRLF before a record, so the record
        // itself begins at the first byte that ends no line.
        let skipped = self
            .pending
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n')
            .count();
        self.count(skipped);
        self.line
    }

    /// Counts the line breaks (CRLF, LF or CR) in the first `n` pending bytes and lets them go.
    fn count(&mut self, n: usize) {
        if n == 0 {
            return;
        }
        let (front, back) = self.pending.as_slices();
        let split = n.min(front.len());
        for part in [&front[..split], &back[..n - split]] {
            let Some(&last) = part.last() else { continue };
            let lf = part.iter().filter(|&&b| b == b'\n').count();
            let cr = part.iter().filter(|&&b| b == b'\r').count();
            let mut crlf = if cr == 0 {
                0
            } else {
                part.windows(2).filter(|w| *w == b"\r\n").count()
            };
            if self.after_cr && part[0] == b'\n' {
                crlf += 1;
            }
            self.line += (lf + cr - crlf) as u64;
            self.after_cr = last == b'\r';
        }
        self.pending.drain(..n);
        self.counted += n as u64;
    }
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pending.extend(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line of every record of `text`, as the import reads it.
    fn lines(text: &[u8]) -> Vec<u64> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .buffer_capacity(4)
            .from_reader(LineCounter::new(text));
        let mut record = csv::ByteRecord::new();
        let mut lines = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let start = record.position().unwrap().byte();
            lines.push(reader.get_mut().record_line(start));
        }
        lines
    }

    #[test]
    fn every_line_ending_counts_once() {
        assert_eq!(lines(b"a\nb\nc\n"), [1, 2, 3]);
        assert_eq!(lines(b"a\r\nb\r\nc\r\n"), [1, 2, 3]);
        assert_eq!(lines(b"a\rb\rc"), [1, 2, 3]);
        assert_eq!(lines(b"a\r\nb\nc\rd"), [1, 2, 3, 4]);
    }

    #[test]
    fn blank_lines_count() {
        assert_eq!(lines(b"a\n\nb\r\n\r\n\r\nc\r\rd"), [1, 3, 6, 8]);
        assert_eq!(lines(b"\n\na"), [3]);
    }

    #[test]
    fn a_quoted_value_spanning_lines_is_on_the_line_it_starts() {
        assert_eq!(lines(b"a,\"x\r\ny\r\nz\"\r\nb\r\n"), [1, 4]);
        assert_eq!(lines(b"a,\"x\ny\"\nb\n"), [1, 3]);
        assert_eq!(lines(b"\"x\ry\"\rb"), [1, 3]);
    }
}
