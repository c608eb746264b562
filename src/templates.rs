//! The message templates under `templates/` (one `.txt` file per message, minijinja syntax),
//! loaded and checked once at start: a missing file, a syntax error or a placeholder the message
//! does not offer stops the bot with the file and line, instead of a DM going out wrong later.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use minijinja::syntax::SyntaxConfig;
use minijinja::{Environment, UndefinedBehavior, Value};

use crate::domain::messages::Message;

/// Every template, parsed and checked.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
    /// The best-practice tips the Steady Earners update rotates through.
    tips: Vec<String>,
}

/// The file of best-practice tips, one paragraph each.
pub const TIPS_FILE: &str = "steady_earners_tips.txt";

/// Why the templates cannot be used: one line per problem, each naming the file (and line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", problems.join("\n"))]
pub struct TemplateError {
    pub problems: Vec<String>,
}

/// The values a message is rendered with, by variable name.
#[derive(Debug, Clone, Default)]
pub struct Vars(BTreeMap<&'static str, Value>);

impl Vars {
    pub fn new() -> Vars {
        Vars::default()
    }

    pub fn set(mut self, name: &'static str, value: impl Into<Value>) -> Vars {
        self.0.insert(name, value.into());
        self
    }
}

impl Templates {
    /// Reads and checks the template of every message from `dir`.
    pub fn load(dir: &Path) -> Result<Templates, TemplateError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        // Block tags on their own line leave no blank line behind.
        env.set_syntax(
            SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .build()
                .expect("the default delimiters are valid"),
        );
        let globals: Vec<String> = env.globals().map(|(name, _)| name.to_string()).collect();
        let mut problems = Vec::new();
        for message in Message::ALL {
            let path = dir.join(message.file_name());
            let shown = path.display();
            let source = match std::fs::read_to_string(&path) {
                Ok(source) => source,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    problems.push(format!(
                        "{shown}: missing template file for the {} message",
                        message.name()
                    ));
                    continue;
                }
                Err(e) => {
                    problems.push(format!("{shown}: cannot be read: {e}"));
                    continue;
                }
            };
            if let Err(e) = env.add_template_owned(message.name(), source.clone()) {
                problems.push(format!(
                    "{shown}:{}: {}: {}",
                    e.line().unwrap_or(1),
                    e.kind(),
                    e.detail().unwrap_or("cannot be parsed")
                ));
                continue;
            }
            let template = env
                .get_template(message.name())
                .expect("the template was just added");
            let known = message.variables();
            let mut unknown: Vec<(usize, String)> = template
                .undeclared_variables(false)
                .into_iter()
                .filter(|name| !known.contains(&name.as_str()) && !globals.contains(name))
                .map(|name| (line_of(&source, &name), name))
                .collect();
            unknown.sort();
            for (line, name) in unknown {
                problems.push(format!(
                    "{shown}:{line}: unknown placeholder {{{{ {name} }}}} (known: {})",
                    known.join(", ")
                ));
            }
        }
        let tips = read_tips(dir, &mut problems);
        if problems.is_empty() {
            Ok(Templates { env, tips })
        } else {
            Err(TemplateError { problems })
        }
    }

    /// Renders `message` with exactly its declared variables, without trailing whitespace.
    pub fn render(&self, message: Message, vars: &Vars) -> Result<String> {
        let declared = message.variables();
        if let Some(extra) = vars.0.keys().find(|k| !declared.contains(k)) {
            bail!(
                "{extra:?} is not a variable of the {} message",
                message.name()
            );
        }
        if let Some(missing) = declared.iter().find(|k| !vars.0.contains_key(*k)) {
            bail!("the {} message needs {missing:?}", message.name());
        }
        let template = self
            .env
            .get_template(message.name())
            .with_context(|| format!("finding the {} template", message.name()))?;
        let context = Value::from_pairs(vars.0.iter().map(|(k, v)| (*k, v.clone())));
        let text = template
            .render(context)
            .with_context(|| format!("rendering the {} message", message.name()))?;
        Ok(text.trim_end().to_string())
    }
}

impl Templates {
    /// Renders the message named `name` with the variables of a JSON object (an outbox row
    /// whose text is rendered when it is sent).
    pub fn render_json(&self, name: &str, vars: &serde_json::Value) -> Result<String> {
        let Some(message) = Message::ALL.iter().copied().find(|m| m.name() == name) else {
            bail!("there is no message template called {name:?}");
        };
        let Some(object) = vars.as_object() else {
            bail!("the variables of the {name} message are not an object");
        };
        let mut out = Vars::new();
        for (key, value) in object {
            let Some(declared) = message.variables().iter().find(|v| **v == key.as_str()) else {
                bail!("{key:?} is not a variable of the {name} message");
            };
            out = out.set(declared, Value::from(minijinja::value::Serde(value)));
        }
        self.render(message, &out)
    }

    /// The `n`th tip, counting round the list.
    pub fn tip(&self, n: usize) -> &str {
        &self.tips[n % self.tips.len()]
    }
}

/// The tips file's paragraphs (blank lines separate them), trimmed; a problem when there are none.
fn read_tips(dir: &Path, problems: &mut Vec<String>) -> Vec<String> {
    let path = dir.join(TIPS_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            problems.push(format!("{}: cannot be read: {e}", path.display()));
            return Vec::new();
        }
    };
    let tips: Vec<String> = text
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect();
    if tips.is_empty() {
        problems.push(format!(
            "{}: holds no tip (one paragraph per tip)",
            path.display()
        ));
    }
    tips
}

/// The line of the first place `name` is read inside a `{{ }}` or `{% %}` tag (1 when it cannot
/// be found, which static analysis and this scan would have to disagree about).
fn line_of(source: &str, name: &str) -> usize {
    let bytes = source.as_bytes();
    let mut i = 0;
    let mut closing: Option<&[u8]> = None;
    let mut previous: u8 = b' ';
    while i < bytes.len() {
        let rest = &bytes[i..];
        let Some(close) = closing else {
            if rest.starts_with(b"{{") {
                closing = Some(b"}}");
                i += 2;
            } else if rest.starts_with(b"{%") {
                closing = Some(b"%}");
                i += 2;
            } else if rest.starts_with(b"{#") {
                i += source[i..].find("#}").map_or(bytes.len() - i, |n| n + 2);
            } else {
                i += 1;
            }
            previous = b' ';
            continue;
        };
        let c = bytes[i];
        if rest.starts_with(close) {
            closing = None;
            i += 2;
        } else if c == b'"' || c == b'\'' {
            i += 1;
            while i < bytes.len() && bytes[i] != c {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            previous = c;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            if &source[start..i] == name && previous != b'.' {
                return source[..start].matches('\n').count() + 1;
            }
            previous = b'a';
        } else {
            if !c.is_ascii_whitespace() {
                previous = c;
            }
            i += 1;
        }
    }
    1
}

#[cfg(test)]
mod tests {
    use super::line_of;

    #[test]
    fn finds_the_line_of_a_placeholder() {
        let source =
            "Hi {{ first_name }},\n\n{% if x %}{{ user.prodct }}{% endif %}\n{{ prodct }}\n";
        assert_eq!(line_of(source, "prodct"), 4);
        assert_eq!(line_of(source, "first_name"), 1);
        assert_eq!(line_of(source, "x"), 3);
        assert_eq!(line_of("prodct {{ 'prodct' ~ prodct }}", "prodct"), 1);
        assert_eq!(line_of("{# {{ a }} #}\n{{ a }}", "a"), 2);
    }
}
