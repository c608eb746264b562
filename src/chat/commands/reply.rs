//! What a command answers, platform-neutral: who may see it, how it went, and its content as
//! semantic blocks (title, text, fields, table, image, footer). Text that came from users is kept
//! marked ([`Span::User`]) so each renderer in `chat::render` escapes it for its own markup; nothing
//! here is pre-escaped.

/// Who sees a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Only the user who ran the command.
    Ephemeral,
    /// Everyone in the channel.
    InChannel,
}

/// How the command went, for adapters that show refusals and failures differently (and logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Not done, and the caller can do something about it: not allowed, not linked, a wrong
    /// argument, a request the rules refuse. The text says what.
    Refused,
    /// Something broke on our side; the details are in the log.
    Failed,
}

/// A piece of text: ours, or a user's (a handle, a name, an answer), escaped when rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    Plain(String),
    User(String),
}

/// A line or paragraph made of spans.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rich {
    pub spans: Vec<Span>,
}

impl Rich {
    /// Text that is entirely a user's (or quotes what they typed).
    pub fn user(text: impl Into<String>) -> Rich {
        Rich {
            spans: vec![Span::User(text.into())],
        }
    }

    pub fn plain(mut self, text: impl Into<String>) -> Rich {
        self.spans.push(Span::Plain(text.into()));
        self
    }

    pub fn and_user(mut self, text: impl Into<String>) -> Rich {
        self.spans.push(Span::User(text.into()));
        self
    }

    /// `template` with each `{}` replaced by the next of `values`, which are user data.
    pub fn fill(template: &str, values: &[&str]) -> Rich {
        let mut out = Rich::default();
        let mut values = values.iter();
        let mut parts = template.split("{}").peekable();
        while let Some(part) = parts.next() {
            if !part.is_empty() {
                out = out.plain(part);
            }
            if parts.peek().is_some() {
                out = out.and_user(values.next().copied().unwrap_or_default());
            }
        }
        out
    }

    /// The text as typed, no markup.
    pub fn text(&self) -> String {
        self.spans
            .iter()
            .map(|s| match s {
                Span::Plain(t) | Span::User(t) => t.as_str(),
            })
            .collect()
    }
}

impl From<&str> for Rich {
    fn from(text: &str) -> Rich {
        Rich::default().plain(text)
    }
}

impl From<String> for Rich {
    fn from(text: String) -> Rich {
        Rich::default().plain(text)
    }
}

/// One labelled value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: String,
    pub value: Rich,
    /// May sit beside its neighbours (Discord embeds, Slack section fields).
    pub inline: bool,
}

/// One part of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Title(Rich),
    /// Lines separated by `\n`.
    Text(Rich),
    Fields(Vec<Field>),
    /// Rows shown in a monospace font, columns aligned.
    Table(Table),
    Image {
        png: Vec<u8>,
        file_name: String,
        alt: String,
    },
    Footer(Rich),
}

/// Rows of cells; every cell is treated as user data. Numeric columns are right-aligned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub header: Option<Vec<String>>,
    pub rows: Vec<Vec<String>>,
    /// Columns (by index) aligned to the right.
    pub right_aligned: Vec<usize>,
}

impl Table {
    /// Name/value rows, values right-aligned.
    pub fn pairs(rows: impl IntoIterator<Item = (String, String)>) -> Table {
        Table {
            header: None,
            rows: rows.into_iter().map(|(k, v)| vec![k, v]).collect(),
            right_aligned: vec![1],
        }
    }

    /// The table as monospace lines: columns two spaces apart, no trailing spaces.
    pub fn render(&self) -> String {
        self.lines().join("\n")
    }

    /// The header line (if any), then one line per row.
    pub fn lines(&self) -> Vec<String> {
        let all: Vec<&Vec<String>> = self.header.iter().chain(self.rows.iter()).collect();
        let columns = all.iter().map(|r| r.len()).max().unwrap_or(0);
        let mut widths = vec![0; columns];
        for row in &all {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        all.into_iter()
            .map(|row| {
                let mut line = String::new();
                for (i, cell) in row.iter().enumerate() {
                    if i > 0 {
                        line.push_str("  ");
                    }
                    let pad = " ".repeat(widths[i] - cell.chars().count());
                    if self.right_aligned.contains(&i) {
                        line.push_str(&pad);
                        line.push_str(cell);
                    } else {
                        line.push_str(cell);
                        line.push_str(&pad);
                    }
                }
                line.trim_end().to_string()
            })
            .collect()
    }
}

/// A command's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub visibility: Visibility,
    pub outcome: Outcome,
    pub blocks: Vec<Block>,
}

impl Reply {
    fn empty(outcome: Outcome) -> Reply {
        Reply {
            visibility: Visibility::Ephemeral,
            outcome,
            blocks: Vec::new(),
        }
    }

    /// A private answer that did what was asked, starting with this text.
    pub fn done(text: impl Into<Rich>) -> Reply {
        Reply::empty(Outcome::Done).line(text)
    }

    /// A private answer that did what was asked, under this title.
    pub fn titled(title: impl Into<Rich>) -> Reply {
        let mut r = Reply::empty(Outcome::Done);
        r.blocks.push(Block::Title(title.into()));
        r
    }

    /// A private answer with this outcome and text.
    pub fn of(outcome: Outcome, text: impl Into<Rich>) -> Reply {
        Reply::empty(outcome).line(text)
    }

    /// Not done; the text tells the caller what to do instead.
    pub fn refused(text: impl Into<Rich>) -> Reply {
        Reply::of(Outcome::Refused, text)
    }

    pub fn table(mut self, table: Table) -> Reply {
        self.blocks.push(Block::Table(table));
        self
    }

    pub fn line(mut self, text: impl Into<Rich>) -> Reply {
        self.blocks.push(Block::Text(text.into()));
        self
    }

    /// Label/value pairs; every value is ours unless built as [`Rich::user`].
    pub fn fields(mut self, fields: impl IntoIterator<Item = (String, Rich)>) -> Reply {
        self.blocks.push(Block::Fields(
            fields
                .into_iter()
                .map(|(label, value)| Field {
                    label,
                    value,
                    inline: true,
                })
                .collect(),
        ));
        self
    }

    pub fn footer(mut self, text: impl Into<Rich>) -> Reply {
        self.blocks.push(Block::Footer(text.into()));
        self
    }

    pub fn image(mut self, png: Vec<u8>, file_name: &str, alt: &str) -> Reply {
        self.blocks.push(Block::Image {
            png,
            file_name: file_name.to_string(),
            alt: alt.to_string(),
        });
        self
    }

    /// The whole reply as the console and the command line print it.
    pub fn text(&self) -> String {
        crate::chat::render::console(self)
    }
}
