//! One renderer per surface for a [`Reply`](crate::chat::commands::Reply): console and command
//! line text, Discord's message and embeds, Slack's Block Kit. Each is a pure function into plain
//! data, and each keeps within its platform's limits by cutting with "…and N more", never failing.

mod console;
pub mod discord;
pub mod slack;

pub use console::console;
pub use discord::{DiscordFile, DiscordReply, Embed, EmbedField, discord, escape_discord};
pub use slack::{escape_slack, slack};

/// At most `limit` characters of `lines` joined by `\n`: whole lines while they fit, then a line
/// saying how many were left out (`unit`: "lines", "rows"). A first line longer than the limit is
/// cut by characters.
pub(crate) fn cut_lines(lines: &[String], limit: usize, unit: &str) -> String {
    let total: usize = lines.iter().map(|l| l.chars().count()).sum::<usize>() + lines.len();
    if total.saturating_sub(1) <= limit {
        return lines.join("\n");
    }
    let mut out: Vec<&str> = Vec::new();
    let mut used = 0;
    for (i, line) in lines.iter().enumerate() {
        let note = more(lines.len() - i, unit);
        let with_line = used + line.chars().count() + 1;
        if with_line + note.chars().count() > limit {
            if out.is_empty() {
                return cut_chars(line, limit);
            }
            return format!("{}\n{note}", out.join("\n"));
        }
        out.push(line);
        used = with_line;
    }
    out.join("\n")
}

/// At most `limit` characters of `text`, cut at a line boundary where possible.
pub(crate) fn cut_text(text: &str, limit: usize) -> String {
    let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    cut_lines(&lines, limit, "lines")
}

/// `text` cut by characters to `limit`, saying how many were left out.
pub(crate) fn cut_chars(text: &str, limit: usize) -> String {
    let n = text.chars().count();
    if n <= limit {
        return text.to_string();
    }
    // The note's length depends on the number it carries; one pass with the widest is enough.
    let note_len = more(n, "characters").chars().count() + 1;
    let keep = limit.saturating_sub(note_len);
    let kept: String = text.chars().take(keep).collect();
    format!("{kept} {}", more(n - keep, "characters"))
}

/// "…and 3 more rows".
pub(crate) fn more(n: usize, unit: &str) -> String {
    format!("…and {n} more {unit}")
}

#[cfg(test)]
mod tests;
