//! What a command answers, platform-neutral: who may see it, how it went, and its content as
//! plain text blocks and aligned tables. The console prints [`Reply::text`]; Discord and Slack
//! render tables as code blocks.

/// Who sees a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Only the user who ran the command.
    Ephemeral,
    /// Everyone in the channel.
    InChannel,
}

/// How the command went, for adapters that show errors differently (and for logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// The caller may not run this command (or is not linked yet).
    Denied,
    /// The arguments were wrong, or the request cannot be carried out as asked.
    Invalid,
    /// The command exists but this workspace does not offer it yet.
    Unavailable,
    /// Something broke on our side; the details are in the log.
    Failed,
}

/// One part of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Plain text; lines separated by `\n`.
    Text(String),
    /// Rows shown in a monospace font, columns aligned.
    Table(Table),
}

/// Rows of cells; numeric columns are right-aligned.
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
        let all: Vec<&Vec<String>> = self.header.iter().chain(self.rows.iter()).collect();
        let columns = all.iter().map(|r| r.len()).max().unwrap_or(0);
        let mut widths = vec![0; columns];
        for row in &all {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut lines = Vec::with_capacity(all.len());
        for row in all {
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
            lines.push(line.trim_end().to_string());
        }
        lines.join("\n")
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
    /// A private answer that did what was asked.
    pub fn done(text: impl Into<String>) -> Reply {
        Reply::of(Outcome::Done, text)
    }

    /// A private answer with this outcome and text.
    pub fn of(outcome: Outcome, text: impl Into<String>) -> Reply {
        Reply {
            visibility: Visibility::Ephemeral,
            outcome,
            blocks: vec![Block::Text(text.into())],
        }
    }

    pub fn table(mut self, table: Table) -> Reply {
        self.blocks.push(Block::Table(table));
        self
    }

    pub fn line(mut self, text: impl Into<String>) -> Reply {
        self.blocks.push(Block::Text(text.into()));
        self
    }

    /// The whole reply as plain text, blocks one after the other.
    pub fn text(&self) -> String {
        self.blocks
            .iter()
            .map(|b| match b {
                Block::Text(t) => t.clone(),
                Block::Table(t) => t.render(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_by_characters() {
        let t = Table {
            header: Some(vec!["#".into(), "Creator".into(), "GMV".into()]),
            rows: vec![
                vec!["1".into(), "@ava".into(), "$1,180.00".into()],
                vec!["10".into(), "@cleo".into(), "—".into()],
            ],
            right_aligned: vec![0, 2],
        };
        assert_eq!(
            t.render(),
            " #  Creator        GMV\n 1  @ava     $1,180.00\n10  @cleo            —"
        );
        let reply = Reply::done("Top creators").table(t).line("You: #4");
        assert_eq!(reply.text().lines().count(), 5);
        assert_eq!(reply.visibility, Visibility::Ephemeral);
    }
}
