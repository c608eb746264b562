//! The one error type whose text is shown to the user who caused it. Domain and feature errors
//! that are the user's to fix are raised through [`for_user`], so the chat layer recognises every
//! one of them by this type alone; anything else is ours, logged, and answered with an apology.

/// Text fit to show the user (a refusal by the rules, a name that does not exist…).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

/// `e` raised as an error for the user: its own type stays reachable (`downcast_ref::<E>()`),
/// and its text is found as a [`UserError`] without knowing `E`.
pub fn for_user<E>(e: E) -> anyhow::Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    let text = e.to_string();
    anyhow::Error::new(e).context(UserError(text))
}

impl UserError {
    /// The user's part of `e`, if it carries one anywhere in its chain.
    pub fn of(e: &anyhow::Error) -> Option<&UserError> {
        e.downcast_ref::<UserError>()
    }
}

/// `e` with its causes, as `{:#}` writes it but without saying a user error's text twice (its
/// [`UserError`] and the error it wraps read the same).
pub fn describe(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
    }
    parts.join(": ")
}
