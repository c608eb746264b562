//! `/help`: the commands the caller may use, from the registry, or one command explained.

use super::registry::{find, registry};
use super::{Reply, Rich, Role, refusal};

pub(super) fn help(role: &Role, command: Option<&str>) -> Reply {
    if let Some(name) = command {
        return match find(name) {
            Some(spec) => Reply::done(spec.help_text()),
            None => Reply::refused(Rich::user(format!(
                "Unknown command /{}. Type /help for the list.",
                name.trim().trim_start_matches('/')
            ))),
        };
    }
    let mut reply = Reply::titled("Commands you can use");
    for spec in registry().iter().filter(|c| refusal(c, role).is_none()) {
        let usage = spec.usage_lines();
        let mut text = format!("{} — {}", usage[0], spec.description);
        for line in &usage[1..] {
            text.push_str(&format!("\n{line}"));
        }
        reply = reply.line(text);
    }
    reply.footer("Type /help <command> to see its options.")
}
