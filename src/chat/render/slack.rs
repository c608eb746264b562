//! Replies as Slack Block Kit: a header for the title, sections for text, fields (ten per
//! section) and tables (preformatted), an image block for a file the adapter uploads, a context
//! block for the footer. Users' text is escaped for mrkdwn. Limits: 50 blocks, 3,000 characters
//! per section text, 2,000 per field, 150 per header.

use serde_json::{Value, json};

use super::{cut_chars, cut_lines, cut_text, more};
use crate::chat::commands::reply::{Block, Reply, Rich, Span, Visibility};

pub const BLOCKS_LIMIT: usize = 50;
pub const TEXT_LIMIT: usize = 3_000;
const FIELD_LIMIT: usize = 2_000;
const FIELDS_PER_SECTION: usize = 10;
const HEADER_LIMIT: usize = 150;

/// Slack's three control characters as entities; the rest of mrkdwn has no escape.
pub fn escape_slack(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn rich(r: &Rich) -> String {
    // Our own text has no links or mentions either, so `<` and `&` are literal everywhere.
    r.spans
        .iter()
        .map(|s| match s {
            Span::Plain(t) | Span::User(t) => escape_slack(t),
        })
        .collect()
}

fn mrkdwn(text: String) -> Value {
    json!({"type": "mrkdwn", "text": text})
}

fn section(text: String) -> Value {
    json!({"type": "section", "text": mrkdwn(text)})
}

/// The reply as a message payload: `blocks`, the notification `text`, and `response_type`.
pub fn slack(reply: &Reply) -> Value {
    let mut blocks: Vec<Value> = Vec::new();
    let mut fallback: Option<String> = None;
    for b in &reply.blocks {
        match b {
            Block::Title(t) => {
                fallback.get_or_insert_with(|| t.text());
                blocks.push(json!({"type": "header", "text": {
                    "type": "plain_text", "text": cut_chars(&t.text(), HEADER_LIMIT), "emoji": true
                }}));
            }
            Block::Text(t) => {
                fallback.get_or_insert_with(|| t.text());
                blocks.push(section(cut_text(&rich(t), TEXT_LIMIT)));
            }
            Block::Fields(fields) => {
                for chunk in fields.chunks(FIELDS_PER_SECTION) {
                    let fields: Vec<Value> = chunk
                        .iter()
                        .map(|f| {
                            let text = format!("*{}*\n{}", escape_slack(&f.label), rich(&f.value));
                            mrkdwn(cut_text(&text, FIELD_LIMIT))
                        })
                        .collect();
                    blocks.push(json!({"type": "section", "fields": fields}));
                }
            }
            Block::Table(t) => {
                let lines: Vec<String> = t.lines().iter().map(|l| escape_slack(l)).collect();
                let rows = cut_lines(&lines, TEXT_LIMIT - 8, "rows");
                blocks.push(section(format!("```\n{rows}\n```")));
            }
            Block::Image { file_name, alt, .. } => {
                // The adapter uploads the bytes and swaps this for the uploaded file's id.
                blocks.push(json!({"type": "image", "alt_text": cut_chars(alt, 2_000),
                    "slack_file": {"url": format!("attachment://{file_name}")}}));
            }
            Block::Footer(t) => {
                blocks.push(json!({"type": "context", "elements": [mrkdwn(cut_text(&rich(t), TEXT_LIMIT))]}));
            }
        }
    }
    if blocks.len() > BLOCKS_LIMIT {
        let hidden = blocks.len() - (BLOCKS_LIMIT - 1);
        blocks.truncate(BLOCKS_LIMIT - 1);
        blocks.push(json!({"type": "context", "elements": [mrkdwn(more(hidden, "blocks"))]}));
    }
    let response_type = match reply.visibility {
        Visibility::Ephemeral => "ephemeral",
        Visibility::InChannel => "in_channel",
    };
    json!({
        "response_type": response_type,
        "text": cut_chars(&fallback.unwrap_or_default(), TEXT_LIMIT),
        "blocks": blocks,
    })
}
