//! Reading CSV records with bounded memory, and the physical line each starts on. The csv crate
//! keeps a whole record in memory however long its fields are, so one unterminated quote makes
//! the rest of a file one giant field; this reader (on csv-core, the csv crate's own parser)
//! keeps at most `max_field` bytes of a field, reports a longer one by its line and column, and
//! tells an unterminated quote from a wrong field count. Line breaks are CRLF, LF or CR; blank
//! lines count; a quoted value spanning lines is on the line it starts.

use std::io::{self, Read};

use csv_core::{ReadRecordResult, ReaderBuilder};

/// What reading the next record found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Next {
    /// A record (in the caller's `ByteRecord`), starting on this line.
    Record {
        line: u64,
    },
    /// A record whose field number `field` (0-based) is longer than allowed (or that has more
    /// fields than a record may); its fields are not kept.
    TooLong {
        line: u64,
        field: usize,
    },
    /// A quote opened in the record starting on this line is never closed: the rest of the file
    /// was read as its field.
    Unterminated {
        line: u64,
    },
    End,
}

pub(super) struct Records<R> {
    input: R,
    core: csv_core::Reader,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
    out: Vec<u8>,
    ends: Vec<usize>,
    max_field: usize,
    /// Bytes consumed so far.
    consumed: u64,
    /// The physical line of the next byte to consume (the first line is 1).
    line: u64,
    after_cr: bool,
    /// The last byte consumed that was not a line break.
    last_raw: u8,
}

const INPUT: usize = 256 * 1024;

impl<R: Read> Records<R> {
    pub fn new(input: R, max_field: usize) -> Records<R> {
        Records {
            input,
            core: ReaderBuilder::new().build(),
            buf: vec![0; INPUT].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            out: vec![0; 4096],
            ends: vec![0; 64],
            max_field: max_field.max(1),
            consumed: 0,
            line: 1,
            after_cr: false,
            last_raw: 0,
        }
    }

    /// The same reader with another field limit (the header's is larger).
    pub fn with_max_field(mut self, max_field: usize) -> Records<R> {
        self.max_field = max_field.max(1);
        self
    }

    /// Bytes read from the input so far (for a progress bar).
    pub fn position(&self) -> u64 {
        self.consumed
    }

    /// Counts the line breaks in consumed bytes.
    fn count(&mut self, bytes: &[u8]) {
        let Some(&last) = bytes.last() else { return };
        for i in memchr::memchr2_iter(b'\r', b'\n', bytes) {
            let crlf_tail = bytes[i] == b'\n'
                && if i == 0 {
                    self.after_cr
                } else {
                    bytes[i - 1] == b'\r'
                };
            if !crlf_tail {
                self.line += 1;
            }
        }
        self.after_cr = last == b'\r';
        if let Some(&b) = bytes.iter().rev().find(|&&b| b != b'\r' && b != b'\n') {
            self.last_raw = b;
        }
        self.consumed += bytes.len() as u64;
    }

    /// Skips the line breaks before a record (csv-core skips them too), so the record's line is
    /// the line of its first byte.
    fn skip_blank_lines(&mut self) -> io::Result<()> {
        loop {
            if self.start == self.end && !self.refill()? {
                return Ok(());
            }
            let n = self.buf[self.start..self.end]
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
            let skipped = self.buf[self.start..self.start + n].to_vec();
            self.count(&skipped);
            self.start += n;
            if self.start < self.end {
                return Ok(());
            }
        }
    }

    /// More input; false at the end of the file.
    fn refill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let n = loop {
            match self.input.read(&mut self.buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.start = 0;
        self.end = n;
        self.eof = n == 0;
        Ok(n > 0)
    }

    /// Reads the next record into `record`.
    pub fn next(&mut self, record: &mut csv::ByteRecord) -> io::Result<Next> {
        self.skip_blank_lines()?;
        let line = self.line;
        let (mut out_len, mut ends_len) = (0usize, 0usize);
        // The number of the field that grew too long; from then on nothing of the record is
        // kept (only whether what was dropped crossed a line break).
        let mut too_long: Option<usize> = None;
        let mut dropped_break = false;
        loop {
            if self.start == self.end && !self.eof {
                self.refill()?;
            }
            let input = &self.buf[self.start..self.end];
            let (result, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.out[out_len..], &mut self.ends[ends_len..]);
            let consumed = input[..nin].to_vec();
            self.count(&consumed);
            self.start += nin;
            out_len += nout;
            ends_len += nend;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    let field_start = match too_long {
                        Some(_) => 0,
                        None if ends_len == 0 => 0,
                        None => self.ends[ends_len - 1].min(out_len),
                    };
                    if too_long.is_some() || out_len - field_start > self.max_field {
                        dropped_break |= has_break(&self.out[field_start..out_len]);
                        too_long.get_or_insert(ends_len);
                        out_len = 0;
                    } else {
                        let grown = self.out.len() * 2;
                        self.out.resize(grown, 0);
                    }
                }
                ReadRecordResult::OutputEndsFull => {
                    if self.ends.len() >= MAX_FIELDS {
                        too_long.get_or_insert(ends_len);
                        ends_len = 0;
                    } else {
                        let grown = self.ends.len() * 2;
                        self.ends.resize(grown, 0);
                    }
                }
                ReadRecordResult::Record => {
                    let at_end = self.eof && self.start == self.end;
                    let (out, ends) = (&self.out[..out_len], &self.ends[..ends_len]);
                    let long = too_long.or_else(|| {
                        let mut from = 0;
                        ends.iter().position(|&to| {
                            let long = to - from > self.max_field;
                            from = to;
                            long
                        })
                    });
                    // A quoted field closed at the end of the file ends with its quote.
                    let open_quote = at_end
                        && self.last_raw != b'"'
                        && (dropped_break || (too_long.is_none() && last_field_breaks(out, ends)));
                    if open_quote {
                        return Ok(Next::Unterminated { line });
                    }
                    if let Some(field) = long {
                        return Ok(Next::TooLong { line, field });
                    }
                    record.clear();
                    let mut from = 0;
                    for &to in ends {
                        record.push_field(&out[from..to]);
                        from = to;
                    }
                    return Ok(Next::Record { line });
                }
                ReadRecordResult::End => return Ok(Next::End),
            }
        }
    }
}

/// Fields a record may have before the rest of it is dropped.
const MAX_FIELDS: usize = 4096;

fn has_break(bytes: &[u8]) -> bool {
    memchr::memchr2(b'\n', b'\r', bytes).is_some()
}

/// Whether the record's last field crossed a line break: at the end of the file, and not ending
/// with a quote, that is a quote never closed.
fn last_field_breaks(out: &[u8], ends: &[usize]) -> bool {
    let from = if ends.len() >= 2 {
        ends[ends.len() - 2]
    } else {
        0
    };
    has_break(&out[from..*ends.last().unwrap_or(&0)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8], max_field: usize) -> Vec<Next> {
        let mut records = Records::new(text, max_field);
        let mut record = csv::ByteRecord::new();
        let mut out = Vec::new();
        loop {
            match records.next(&mut record).unwrap() {
                Next::End => return out,
                n => out.push(n),
            }
        }
    }

    fn lines(text: &[u8]) -> Vec<u64> {
        read(text, 1 << 20)
            .into_iter()
            .map(|n| match n {
                Next::Record { line } => line,
                other => panic!("{other:?}"),
            })
            .collect()
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
        // Closed at the very end of the file, no line break after it.
        assert_eq!(lines(b"a\nb,\"x\ny\""), [1, 2]);
    }

    #[test]
    fn a_long_field_is_reported_without_keeping_it() {
        let long = "x".repeat(5_000_000);
        let text = format!("a,b\n1,{long}\n2,ok\n3,\"{long}\"\n");
        assert_eq!(
            read(text.as_bytes(), 4096),
            [
                Next::Record { line: 1 },
                Next::TooLong { line: 2, field: 1 },
                Next::Record { line: 3 },
                Next::TooLong { line: 4, field: 1 },
            ]
        );
        let mut records = Records::new(text.as_bytes(), 4096);
        let mut record = csv::ByteRecord::new();
        while records.next(&mut record).unwrap() != Next::End {}
        assert!(records.out.len() <= 4 * 4096, "{}", records.out.len());
        // Just over the limit, found after the record was read whole.
        assert_eq!(
            read(format!("{}\n", "y".repeat(4097)).as_bytes(), 4096),
            [Next::TooLong { line: 1, field: 0 }]
        );
        assert_eq!(
            read(format!("{}\n", "y".repeat(4096)).as_bytes(), 4096),
            [Next::Record { line: 1 }]
        );
    }

    #[test]
    fn an_unterminated_quote_is_told_apart() {
        assert_eq!(
            read(b"a,b\n1,\"never closed\n2,x\n3,y\n", 4096),
            [Next::Record { line: 1 }, Next::Unterminated { line: 2 }]
        );
        let rest = "z,".repeat(100_000);
        assert_eq!(
            read(format!("a,b\n1,\"open\n{rest}\n").as_bytes(), 4096),
            [Next::Record { line: 1 }, Next::Unterminated { line: 2 }]
        );
    }
}
