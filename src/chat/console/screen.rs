//! Where the console workspace writes: one shared output (stdout, or a [`Transcript`] in tests)
//! that the sender and the typed commands print to, an entry at a time so lines never interleave.

use std::io::{self, Write};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The shared output. Cloning shares it.
#[derive(Clone)]
pub struct Screen(Arc<Mutex<Box<dyn Write + Send>>>);

impl Screen {
    pub fn new(out: impl Write + Send + 'static) -> Screen {
        Screen(Arc::new(Mutex::new(Box::new(out))))
    }

    /// Writes `text` (ending it with a newline when it has none) and flushes.
    pub fn print(&self, text: &str) -> io::Result<()> {
        let mut out = self.0.lock().unwrap_or_else(|e| e.into_inner());
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            out.write_all(b"\n")?;
        }
        out.flush()
    }
}

/// `Mon 23 Nov 10:00 EST`: an instant as the console shows it, in `tz`.
pub fn stamp(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz)
        .format("%a %-d %b %H:%M %Z")
        .to_string()
}

/// One entry: `[stamp] who: first line`, the text's further lines indented under it by two
/// spaces (blank lines stay blank). An empty text leaves just `[stamp] who`.
pub fn entry(stamp: &str, who: &str, text: &str) -> String {
    let text = text.trim_end();
    let mut lines = text.lines();
    let mut out = match lines.next() {
        Some(first) if !first.trim().is_empty() => format!("[{stamp}] {who}: {first}\n"),
        Some(_) => format!("[{stamp}] {who}:\n"),
        None => return format!("[{stamp}] {who}\n"),
    };
    for line in lines {
        if line.trim().is_empty() {
            out.push('\n');
        } else {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// An in-memory output whose text can be read while it is being written (the tests' stdout).
#[derive(Clone, Default)]
pub struct Transcript(Arc<Mutex<Vec<u8>>>);

impl Transcript {
    pub fn new() -> Transcript {
        Transcript::default()
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

impl Write for Transcript {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_in_the_zone_given() {
        let at: DateTime<Utc> = "2026-11-23T15:00:00Z".parse().unwrap();
        assert_eq!(
            stamp(at, chrono_tz::America::New_York),
            "Mon 23 Nov 10:00 EST"
        );
        assert_eq!(stamp(at, chrono_tz::Asia::Tokyo), "Tue 24 Nov 00:00 JST");
        assert_eq!(stamp(at, chrono_tz::Europe::London), "Mon 23 Nov 15:00 GMT");
    }

    #[test]
    fn entries_indent_further_lines_and_keep_blank_ones_blank() {
        assert_eq!(
            entry("Mon 23 Nov 10:00 EST", "#staff", "one line\n"),
            "[Mon 23 Nov 10:00 EST] #staff: one line\n"
        );
        assert_eq!(
            entry("s", "#all-stars", "Title\n\nBody line\n• item"),
            "[s] #all-stars: Title\n\n  Body line\n  • item\n"
        );
        assert_eq!(entry("s", "@ava", ""), "[s] @ava\n");
    }

    #[test]
    fn the_screen_ends_every_print_with_a_newline() {
        let t = Transcript::new();
        let screen = Screen::new(t.clone());
        screen.print("a").unwrap();
        screen.print("b\n").unwrap();
        assert_eq!(t.text(), "a\nb\n");
    }
}
