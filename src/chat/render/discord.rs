//! Replies as a Discord message: one embed coloured by the outcome, tables in code blocks, images
//! as attached files. Users' text is escaped for
//! Discord's markdown and its mentions are neutralised. Limits: content 2,000 characters, embed
//! description 4,096, 25 fields of 1,024 characters (names 256), title 256, footer 2,048.

use super::{cut_chars, cut_lines, cut_text, more};
use crate::chat::commands::reply::{Block, Field, Outcome, Reply, Rich, Span, Table, Visibility};

/// A plain message's content (the outbox's posts and DMs).
pub const CONTENT_LIMIT: usize = 2_000;
pub const DESCRIPTION_LIMIT: usize = 4_096;
pub const FIELDS_LIMIT: usize = 25;
pub const FIELD_VALUE_LIMIT: usize = 1_024;
const FIELD_NAME_LIMIT: usize = 256;
const TITLE_LIMIT: usize = 256;
const FOOTER_LIMIT: usize = 2_048;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscordReply {
    pub content: String,
    pub embeds: Vec<Embed>,
    pub files: Vec<DiscordFile>,
    /// Seen only by the caller (interaction flag 64).
    pub ephemeral: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Embed {
    pub title: Option<String>,
    pub description: Option<String>,
    pub fields: Vec<EmbedField>,
    pub footer: Option<String>,
    /// `attachment://<file name>` of an attached file.
    pub image: Option<String>,
    /// The bar down the embed's side, as 0xRRGGBB.
    pub colour: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbedField {
    pub name: String,
    pub value: String,
    pub inline: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscordFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A user's text as Discord shows it literally: markdown characters backslash-escaped, and
/// `@everyone`/`@here` broken so they ping no one (`<@…>` is escaped with its `<`).
pub fn escape_discord(text: &str) -> String {
    escape(text, true)
}

/// An outbox text (a template or report filled with names and handles) as Discord shows it:
/// like [`escape_discord`] outside code, while code spans and blocks stay code, as written (the
/// texts write commands between backticks and tables in fenced blocks, where Discord would show
/// a backslash as it is). A backtick left unclosed is escaped like the rest.
pub fn escape_discord_keeping_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('`') {
        out.push_str(&escape(&rest[..start], false));
        let code = &rest[start..];
        let fence = if code.starts_with("```") { "```" } else { "`" };
        match code[fence.len()..].find(fence) {
            Some(end) => {
                let end = fence.len() + end + fence.len();
                out.push_str(&code[..end]);
                rest = &code[end..];
            }
            None => {
                out.push_str(&escape(code, true));
                return out;
            }
        }
    }
    out.push_str(&escape(rest, false));
    out
}

fn escape(text: &str, backticks: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '~' | '|' | '>' | '<' | '#' | '[' | ']'
        ) || (backticks && c == '`')
        {
            out.push('\\');
        }
        out.push(c);
    }
    out.replace("@everyone", "@\u{200b}everyone")
        .replace("@here", "@\u{200b}here")
}

fn rich(r: &Rich) -> String {
    r.spans
        .iter()
        .map(|s| match s {
            Span::Plain(t) => t.clone(),
            Span::User(t) => escape_discord(t),
        })
        .collect()
}

/// A table inside a code block, cut by rows to fit `limit` characters with its fences.
fn code_block(t: &Table, limit: usize) -> String {
    // Three backticks in a cell would close the block early.
    let lines: Vec<String> = t
        .lines()
        .iter()
        .map(|l| l.replace("```", "`\u{200b}`\u{200b}`"))
        .collect();
    format!(
        "```\n{}\n```",
        cut_lines(&lines, limit.saturating_sub(8), "rows")
    )
}

/// Text and tables, in order, within `limit` characters.
fn body(blocks: &[&Block], limit: usize) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut used = 0;
    for (i, b) in blocks.iter().enumerate() {
        let room = limit.saturating_sub(used + usize::from(!parts.is_empty()));
        let note = more(blocks.len() - i, "parts");
        if room < note.chars().count() + 16 {
            parts.push(note);
            break;
        }
        let part = match b {
            Block::Table(t) => code_block(t, room),
            Block::Text(t) | Block::Title(t) | Block::Footer(t) => cut_text(&rich(t), room),
            _ => continue,
        };
        used += part.chars().count() + usize::from(!parts.is_empty());
        parts.push(part);
    }
    parts.join("\n")
}

fn field(f: &Field) -> EmbedField {
    let value = rich(&f.value);
    EmbedField {
        name: cut_chars(&f.label, FIELD_NAME_LIMIT),
        // Discord refuses an empty value.
        value: if value.is_empty() {
            "\u{200b}".to_string()
        } else {
            cut_text(&value, FIELD_VALUE_LIMIT)
        },
        inline: f.inline,
    }
}

/// The embed colour of each outcome, from the Okabe-Ito palette (told apart with any colour
/// vision): done bluish green, refused orange, failed vermillion.
pub fn colour(outcome: Outcome) -> u32 {
    match outcome {
        Outcome::Done => 0x009E73,
        Outcome::Refused => 0xE69F00,
        Outcome::Failed => 0xD55E00,
    }
}

/// The reply as one Discord message: one embed coloured by its outcome (text in its
/// description, fields, tables in code blocks, the first image shown), images as files.
pub fn discord(reply: &Reply) -> DiscordReply {
    let ephemeral = reply.visibility == Visibility::Ephemeral;
    let mut files = Vec::new();
    let mut embed = Embed {
        colour: Some(colour(reply.outcome)),
        ..Embed::default()
    };
    let mut fields: Vec<EmbedField> = Vec::new();
    let mut text: Vec<&Block> = Vec::new();
    for b in &reply.blocks {
        match b {
            Block::Title(t) if embed.title.is_none() => {
                embed.title = Some(cut_chars(&rich(t), TITLE_LIMIT));
            }
            Block::Fields(fs) => fields.extend(fs.iter().map(field)),
            Block::Footer(t) => embed.footer = Some(cut_text(&rich(t), FOOTER_LIMIT)),
            Block::Image { png, file_name, .. } => {
                embed
                    .image
                    .get_or_insert(format!("attachment://{file_name}"));
                files.push(DiscordFile {
                    file_name: file_name.clone(),
                    bytes: png.clone(),
                });
            }
            other => text.push(other),
        }
    }
    if fields.len() > FIELDS_LIMIT {
        let hidden = fields.len() - (FIELDS_LIMIT - 1);
        fields.truncate(FIELDS_LIMIT - 1);
        fields.push(EmbedField {
            name: "\u{200b}".into(),
            value: more(hidden, "fields"),
            inline: false,
        });
    }
    embed.fields = fields;
    if !text.is_empty() {
        embed.description = Some(body(&text, DESCRIPTION_LIMIT));
    }
    DiscordReply {
        content: String::new(),
        embeds: vec![embed],
        files,
        ephemeral,
    }
}

/// A long text as consecutive Discord messages of at most `limit` characters each, cut between
/// lines: a fenced code block cut in two is closed at the end of one message and opened again
/// at the start of the next, so a report's tables stay tables. A single line too long for a
/// message is cut inside.
pub fn split_message(text: &str, limit: usize) -> Vec<String> {
    const FENCE: &str = "```";
    // Room kept in every message for closing a fence (a line break and the fence).
    let room = limit.saturating_sub(FENCE.len() + 1).max(1);
    let mut messages = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    let mut in_code = false;
    for line in text.split('\n') {
        let mut line = line.to_string();
        loop {
            let len = line.chars().count();
            let joined = if current.is_empty() {
                len
            } else {
                current_len + 1 + len
            };
            if joined <= room {
                if !current.is_empty() {
                    current.push('\n');
                }
                current.push_str(&line);
                current_len = joined;
                break;
            }
            if current.is_empty() || current == FENCE {
                // The line alone does not fit: cut it.
                let (head, tail): (String, String) = {
                    let cut = room.saturating_sub(current_len + usize::from(!current.is_empty()));
                    let cut = cut.max(1);
                    let head: String = line.chars().take(cut).collect();
                    let tail: String = line.chars().skip(cut).collect();
                    (head, tail)
                };
                if !current.is_empty() {
                    current.push('\n');
                }
                current.push_str(&head);
                line = tail;
            }
            // This message is full: close a fence left open, and open it again in the next
            // (unless the line that did not fit was the fence's own end).
            if in_code && line.trim_start().starts_with(FENCE) {
                current.push('\n');
                current.push_str(FENCE);
                messages.push(std::mem::take(&mut current));
                current_len = 0;
                in_code = false;
                line.clear();
                break;
            }
            if in_code {
                current.push('\n');
                current.push_str(FENCE);
            }
            messages.push(std::mem::take(&mut current));
            current_len = 0;
            if in_code {
                current.push_str(FENCE);
                current_len = FENCE.len();
            }
            if line.is_empty() {
                break;
            }
        }
        if line.trim_start().starts_with(FENCE) {
            in_code = !in_code;
        }
    }
    if !(current.is_empty() || in_code && current == FENCE) {
        messages.push(current);
    }
    if messages.is_empty() {
        messages.push(String::new());
    }
    messages
}
