//! TikTok handles: stored lower case without the leading '@'.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Handle(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandleError {
    #[error("the handle is empty")]
    Empty,
    #[error("{0:?} is not a TikTok handle: use letters, digits, '_' and '.' (at most 64)")]
    Invalid(String),
}

impl Handle {
    pub fn parse(raw: &str) -> Result<Handle, HandleError> {
        let trimmed = raw.trim();
        let bare = trimmed.strip_prefix('@').unwrap_or(trimmed);
        if bare.is_empty() {
            return Err(HandleError::Empty);
        }
        let lower = bare.to_lowercase();
        if lower.len() > 64
            || !lower
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
        {
            return Err(HandleError::Invalid(raw.trim().to_string()));
        }
        Ok(Handle(lower))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_at_sign() {
        assert_eq!(
            Handle::parse(" @Glow.Queen_1 ").unwrap().as_str(),
            "glow.queen_1"
        );
        assert_eq!(Handle::parse("@Glow").unwrap().to_string(), "@glow");
    }

    #[test]
    fn rejects_bad_handles() {
        assert_eq!(Handle::parse("@"), Err(HandleError::Empty));
        assert_eq!(
            Handle::parse("glow queen"),
            Err(HandleError::Invalid("glow queen".into()))
        );
    }
}
