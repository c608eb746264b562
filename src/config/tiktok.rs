//! `[tiktok]`: how the bot reaches the TikTok Shop Open API to sync orders and sample
//! applications. The app secret and the key that encrypts the shop's tokens are secrets and come
//! only from the environment ([`APP_SECRET_ENV`], [`SECRET_KEY_ENV`]); everything here is safe to
//! keep in a file. When `app_key` is unset the sync is off.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// The app secret (Partner Center → App & Service → the app → App secret).
pub const APP_SECRET_ENV: &str = "TIKTOK_APP_SECRET";
/// 32 random bytes as base64 or hex (`openssl rand -base64 32`): encrypts the shop's tokens in
/// the database.
pub const SECRET_KEY_ENV: &str = "CREATOR_BOT_SECRET_KEY";

pub const DEFAULT_API_URL: &str = "https://open-api.tiktokglobalshop.com";
pub const DEFAULT_AUTH_URL: &str = "https://auth.tiktok-shops.com";
pub const DEFAULT_AUTHORIZE_URL: &str = "https://services.tiktokshop.com/open/authorize";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TikTokConfig {
    /// The app's key (Partner Center → App & Service). Unset: no TikTok Shop sync.
    pub app_key: Option<String>,
    /// The app's service id, which the authorization page needs.
    pub service_id: Option<String>,
    /// The Open API host.
    pub api_url: String,
    /// The host of the token endpoints (`/api/v2/token/get`, `/api/v2/token/refresh`).
    pub auth_url: String,
    /// The page a seller opens to authorize the app (given `service_id` and `state`).
    pub authorize_url: String,
    /// The orders sync re-reads this many minutes before the last sync's end, so an order that
    /// reached the API late is not missed.
    pub overlap_minutes: u32,
    /// The daily settlement sync re-reads orders created in the last this many days, because
    /// statuses, refunds and actual commissions change weeks after an order.
    pub settlement_days: u32,
    /// Requests per second to the Open API (TikTok allows 50 per app and shop).
    pub requests_per_second: u32,
    /// After this many failed syncs in a row, staff are told once.
    pub alert_after_failures: u32,
    /// Order lines per page (1 to 100).
    pub page_size: u32,
    /// A request that has not answered after this many seconds is tried again.
    pub timeout_seconds: u32,
}

impl Default for TikTokConfig {
    fn default() -> Self {
        TikTokConfig {
            app_key: None,
            service_id: None,
            api_url: DEFAULT_API_URL.into(),
            auth_url: DEFAULT_AUTH_URL.into(),
            authorize_url: DEFAULT_AUTHORIZE_URL.into(),
            overlap_minutes: 60,
            settlement_days: 60,
            requests_per_second: 40,
            alert_after_failures: 3,
            page_size: 100,
            timeout_seconds: 30,
        }
    }
}

impl TikTokConfig {
    pub fn validate(&self) -> Result<(), ConfigError> {
        let err = |key: &str, problem: String| Err(ConfigError(format!("tiktok.{key}: {problem}")));
        for (key, url) in [
            ("api_url", &self.api_url),
            ("auth_url", &self.auth_url),
            ("authorize_url", &self.authorize_url),
        ] {
            if !(url.starts_with("http://") || url.starts_with("https://"))
                || url.trim_end_matches('/').ends_with(':')
            {
                return err(
                    key,
                    format!("{url:?} must be a URL starting with http:// or https://"),
                );
            }
        }
        if let Some(key) = &self.app_key
            && (key.trim().is_empty() || key.chars().any(|c| c.is_whitespace()))
        {
            return err(
                "app_key",
                format!("{key:?} is not an app key (Partner Center → App & Service)"),
            );
        }
        if !(1..=100).contains(&self.page_size) {
            return err(
                "page_size",
                format!("must be between 1 and 100, got {}", self.page_size),
            );
        }
        if !(1..=50).contains(&self.requests_per_second) {
            return err(
                "requests_per_second",
                format!(
                    "must be between 1 and 50 (TikTok's limit per app and shop), got {}",
                    self.requests_per_second
                ),
            );
        }
        if !(1..=180).contains(&self.settlement_days) {
            return err(
                "settlement_days",
                format!("must be between 1 and 180, got {}", self.settlement_days),
            );
        }
        if self.overlap_minutes > 24 * 60 {
            return err(
                "overlap_minutes",
                format!("must be at most 1440 (a day), got {}", self.overlap_minutes),
            );
        }
        if self.alert_after_failures == 0 {
            return err("alert_after_failures", "must be at least 1".into());
        }
        if !(1..=600).contains(&self.timeout_seconds) {
            return err(
                "timeout_seconds",
                format!("must be between 1 and 600, got {}", self.timeout_seconds),
            );
        }
        Ok(())
    }

    /// The Open API host without a trailing slash.
    pub fn api_base(&self) -> &str {
        self.api_url.trim_end_matches('/')
    }

    /// The token host without a trailing slash.
    pub fn auth_base(&self) -> &str {
        self.auth_url.trim_end_matches('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_name_their_key() {
        let bad = |c: TikTokConfig| c.validate().unwrap_err().0;
        assert_eq!(
            bad(TikTokConfig {
                page_size: 101,
                ..Default::default()
            }),
            "tiktok.page_size: must be between 1 and 100, got 101"
        );
        assert!(
            bad(TikTokConfig {
                auth_url: "auth.tiktok-shops.com".into(),
                ..Default::default()
            })
            .starts_with("tiktok.auth_url: \"auth.tiktok-shops.com\" must be a URL")
        );
        assert_eq!(
            bad(TikTokConfig {
                requests_per_second: 60,
                ..Default::default()
            }),
            "tiktok.requests_per_second: must be between 1 and 50 (TikTok's limit per app and shop), got 60"
        );
        TikTokConfig::default().validate().unwrap();
    }
}
