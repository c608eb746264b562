//! Suggestions while an option is typed (Discord's autocomplete; the console could offer them
//! too): up to 25 choices matching what was typed, from the option's source in the registry.
//! Nothing is suggested for a command the caller may not use, and a creator is offered no
//! handle but their own.

use anyhow::Result;

use super::registry::{self, Choice, METRICS, OptionKind, OptionSpec, Source, TIERS};
use super::{App, Caller, Role, refusal, resolve};
use crate::db::suggest;

/// Discord's limit on autocomplete choices.
pub const MAX_CHOICES: usize = 25;

/// One suggestion: what is shown, and what the option receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub label: String,
    pub value: String,
}

const PERIODS: &[&str] = &["7d", "30d", "90d", "this-month", "last-month"];

/// Suggestions for `option` of `command` (and `subcommand`, if any) given what was `typed`. A
/// failure is logged and suggests nothing: the command itself still works.
pub async fn complete(
    app: &App,
    caller: &Caller,
    command: &str,
    subcommand: Option<&str>,
    option: &str,
    typed: &str,
) -> Vec<Suggestion> {
    match suggestions(app, caller, command, subcommand, option, typed).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(command, option, "suggestions failed: {e:#}");
            Vec::new()
        }
    }
}

async fn suggestions(
    app: &App,
    caller: &Caller,
    command: &str,
    subcommand: Option<&str>,
    option: &str,
    typed: &str,
) -> Result<Vec<Suggestion>> {
    let Some(spec) = registry::find(command) else {
        return Ok(Vec::new());
    };
    let options = match subcommand.and_then(|s| spec.subcommand(s)) {
        Some(sub) => sub.options,
        None => spec.options,
    };
    let Some(o) = options.iter().find(|o| o.name == option) else {
        return Ok(Vec::new());
    };
    let Some(resolved) = resolve(&app.pool, caller).await? else {
        return Ok(Vec::new());
    };
    if refusal(spec, &resolved.role).is_some() {
        return Ok(Vec::new());
    }
    let typed = typed.trim();
    let mut out = match source(o) {
        None => Vec::new(),
        Some(Source::Handles) => {
            let prefix = typed.trim_start_matches('@').to_lowercase();
            match &resolved.role {
                Role::Creator { handle, .. } => {
                    if handle.starts_with(&prefix) {
                        vec![handle_choice(handle.clone())]
                    } else {
                        Vec::new()
                    }
                }
                _ => suggest::handles_starting_with(
                    &app.pool,
                    resolved.program.id,
                    &prefix,
                    MAX_CHOICES as i64,
                )
                .await?
                .into_iter()
                .map(handle_choice)
                .collect(),
            }
        }
        Some(Source::Competitions) => {
            suggest::competition_names(&app.pool, resolved.program.id, typed, MAX_CHOICES as i64)
                .await?
                .into_iter()
                .map(|name| Suggestion {
                    label: name.clone(),
                    value: name,
                })
                .collect()
        }
        Some(Source::Tiers) => fixed(choices_of(o).unwrap_or(TIERS), typed),
        Some(Source::Metrics) => fixed(choices_of(o).unwrap_or(METRICS), typed),
        Some(Source::Periods) => PERIODS
            .iter()
            .filter(|p| p.starts_with(&typed.to_lowercase()))
            .map(|p| Suggestion {
                label: p.to_string(),
                value: p.to_string(),
            })
            .collect(),
        Some(Source::Commands) => registry::registry()
            .iter()
            .filter(|c| refusal(c, &resolved.role).is_none())
            .filter(|c| {
                c.name
                    .starts_with(&typed.trim_start_matches('/').to_lowercase())
            })
            .map(|c| Suggestion {
                label: format!("/{}", c.name),
                value: c.name.to_string(),
            })
            .collect(),
    };
    out.truncate(MAX_CHOICES);
    Ok(out)
}

/// The option's source; a fixed choice suggests its choices.
fn source(o: &OptionSpec) -> Option<Source> {
    o.suggest.or(match o.kind {
        OptionKind::Choice(_) => Some(Source::Tiers),
        _ => None,
    })
}

fn choices_of(o: &OptionSpec) -> Option<&'static [Choice]> {
    match o.kind {
        OptionKind::Choice(c) => Some(c),
        _ => None,
    }
}

fn handle_choice(handle: String) -> Suggestion {
    Suggestion {
        label: format!("@{handle}"),
        value: handle,
    }
}

/// The fixed choices whose value or label starts with what was typed.
fn fixed(choices: &[Choice], typed: &str) -> Vec<Suggestion> {
    let typed = typed.to_lowercase();
    choices
        .iter()
        .filter(|c| c.value.starts_with(&typed) || c.label.to_lowercase().starts_with(&typed))
        .map(|c| Suggestion {
            label: c.label.to_string(),
            value: c.value.to_string(),
        })
        .collect()
}
