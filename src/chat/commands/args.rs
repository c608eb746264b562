//! A command's argument text split into words: whitespace separates them, double quotes (straight
//! or curly, as phones type them) keep spaces inside one, and the rest of the line can be taken
//! as free text (a reason, a prize).

/// One word of the argument text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    /// Byte offset in the argument text where the word (its opening quote) starts.
    pub start: usize,
    pub quoted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a quote opened before {0:?} is never closed")]
pub struct UnclosedQuote(pub String);

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”')
}

pub fn split(text: &str) -> Result<Vec<Word>, UnclosedQuote> {
    let mut words = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut word = String::new();
        if is_quote(c) {
            chars.next();
            let mut closed = false;
            for (_, c) in chars.by_ref() {
                if is_quote(c) {
                    closed = true;
                    break;
                }
                word.push(c);
            }
            if !closed {
                return Err(UnclosedQuote(word));
            }
            words.push(Word {
                text: word,
                start,
                quoted: true,
            });
        } else {
            while let Some(&(_, c)) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                word.push(c);
                chars.next();
            }
            words.push(Word {
                text: word,
                start,
                quoted: false,
            });
        }
    }
    Ok(words)
}

/// The words of one command, read front to back.
#[derive(Debug, Clone)]
pub struct Args<'a> {
    text: &'a str,
    words: Vec<Word>,
    next: usize,
}

impl<'a> Args<'a> {
    pub fn new(text: &'a str) -> Result<Args<'a>, UnclosedQuote> {
        Ok(Args {
            text,
            words: split(text)?,
            next: 0,
        })
    }

    /// The next word, without taking it.
    pub fn peek(&self) -> Option<&str> {
        self.words.get(self.next).map(|w| w.text.as_str())
    }

    pub fn next_word(&mut self) -> Option<String> {
        let w = self.words.get(self.next)?;
        self.next += 1;
        Some(w.text.clone())
    }

    /// Everything left as typed (one quoted word loses its quotes); `None` when nothing is left.
    pub fn rest(&mut self) -> Option<String> {
        let first = self.words.get(self.next)?;
        let rest = if self.words.len() - self.next == 1 && first.quoted {
            first.text.clone()
        } else {
            self.text[first.start..].trim().to_string()
        };
        self.next = self.words.len();
        Some(rest).filter(|r| !r.is_empty())
    }

    pub fn is_empty(&self) -> bool {
        self.next >= self.words.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_keep_spaces_and_rest_keeps_the_text() {
        let mut a = Args::new(r#"set @ava "Steady Earners"  great month, "top" seller"#).unwrap();
        assert_eq!(a.next_word().as_deref(), Some("set"));
        assert_eq!(a.next_word().as_deref(), Some("@ava"));
        assert_eq!(a.next_word().as_deref(), Some("Steady Earners"));
        assert_eq!(a.rest().as_deref(), Some(r#"great month, "top" seller"#));
        assert!(a.is_empty());
        let mut a = Args::new("“Holiday Sprint” “a $500 gift card”").unwrap();
        assert_eq!(a.next_word().as_deref(), Some("Holiday Sprint"));
        assert_eq!(a.rest().as_deref(), Some("a $500 gift card"));
        assert_eq!(
            Args::new("\"open").unwrap_err().to_string(),
            "a quote opened before \"open\" is never closed"
        );
    }
}
