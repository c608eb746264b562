//! Replies as plain text, for the console workspace and the command line: titles and text as
//! written, fields and tables as aligned columns, nothing escaped (a terminal has no markup).

use crate::chat::commands::reply::{Block, Reply, Table};

/// The reply's blocks one after the other, one per line or more.
pub fn console(reply: &Reply) -> String {
    reply
        .blocks
        .iter()
        .map(|b| match b {
            Block::Title(t) | Block::Text(t) | Block::Footer(t) => t.text(),
            Block::Fields(fields) => Table::pairs(
                fields
                    .iter()
                    .map(|f| (f.label.clone(), f.value.text()))
                    .collect::<Vec<_>>(),
            )
            .render(),
            Block::Table(t) => t.render(),
            Block::Image { file_name, alt, .. } => format!("[image {file_name}: {alt}]"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}
