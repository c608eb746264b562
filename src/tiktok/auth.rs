//! Authorization: the page a seller opens to let the app read their shop, the exchange of the
//! code it hands back for tokens, their refresh, and the shop (with its cipher) they unlock.
//! Expiry times come from TikTok as absolute Unix timestamps.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::Value;

use super::client::{Api, ApiError, Caller};
use crate::config::tiktok::TikTokConfig;

/// A pair of tokens and when each stops working.
#[derive(Clone, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub access_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
    pub seller_name: Option<String>,
    pub region: Option<String>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("access_expires_at", &self.access_expires_at)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("seller_name", &self.seller_name)
            .finish_non_exhaustive()
    }
}

/// The shop the authorization covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shop {
    pub id: String,
    pub name: String,
    pub cipher: String,
    pub region: Option<String>,
}

/// The page the seller opens: the current one (`tiktok.authorize_url`, given the app's
/// `service_id`) when a service id is configured, else the older one on the auth host
/// (`/oauth/authorize`, given the app key).
pub fn authorize_url(config: &TikTokConfig, app_key: &str, state: &str) -> String {
    let (base, key, value) = match &config.service_id {
        Some(id) => (config.authorize_url.clone(), "service_id", id.as_str()),
        None => (
            format!("{}/oauth/authorize", config.auth_base()),
            "app_key",
            app_key,
        ),
    };
    let mut url = url::Url::parse(&base).expect("validated at start");
    url.query_pairs_mut()
        .append_pair(key, value)
        .append_pair("state", state);
    url.into()
}

/// Exchanges an authorization code for tokens.
pub async fn exchange_code(api: &Api, code: &str) -> Result<Tokens, ApiError> {
    let data = api
        .token_call(
            "/api/v2/token/get",
            &[("auth_code", code), ("grant_type", "authorized_code")],
        )
        .await?;
    tokens(&data)
}

/// New tokens for a refresh token (which may come back rotated: keep the newest).
pub async fn refresh(api: &Api, refresh_token: &str) -> Result<Tokens, ApiError> {
    let data = api
        .token_call(
            "/api/v2/token/refresh",
            &[
                ("refresh_token", refresh_token),
                ("grant_type", "refresh_token"),
            ],
        )
        .await?;
    tokens(&data)
}

/// The shops the access token may read (`GET /authorization/202309/shops`).
pub async fn shops(api: &Api, access_token: &str) -> Result<Vec<Shop>, ApiError> {
    let data = api
        .call(
            Method::GET,
            "/authorization/202309/shops",
            &[],
            None,
            Caller {
                access_token,
                shop_cipher: None,
            },
        )
        .await?;
    let list = data
        .get("shops")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::Malformed("the shops answer has no shops list".into()))?;
    list.iter()
        .map(|s| {
            let text = |k: &str| s.get(k).and_then(Value::as_str).map(str::to_string);
            Ok(Shop {
                id: text("id").ok_or_else(|| ApiError::Malformed("a shop without an id".into()))?,
                name: text("name").unwrap_or_default(),
                cipher: text("cipher")
                    .ok_or_else(|| ApiError::Malformed("a shop without a cipher".into()))?,
                region: text("region"),
            })
        })
        .collect()
}

fn tokens(data: &Value) -> Result<Tokens, ApiError> {
    let text = |k: &str| {
        data.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .ok_or_else(|| ApiError::Malformed(format!("the token answer has no {k}")))
    };
    let at = |k: &str| {
        data.get(k)
            .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
            .and_then(|secs| DateTime::from_timestamp(secs, 0))
            .ok_or_else(|| ApiError::Malformed(format!("the token answer has no valid {k}")))
    };
    Ok(Tokens {
        access_token: text("access_token")?,
        access_expires_at: at("access_token_expire_in")?,
        refresh_token: text("refresh_token")?,
        refresh_expires_at: at("refresh_token_expire_in")?,
        seller_name: text("seller_name").ok(),
        region: text("seller_base_region").ok(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authorize_url_uses_the_service_id_when_there_is_one() {
        let mut config = TikTokConfig::default();
        assert_eq!(
            authorize_url(&config, "6abc", "s t"),
            "https://auth.tiktok-shops.com/oauth/authorize?app_key=6abc&state=s+t"
        );
        config.service_id = Some("7123".into());
        assert_eq!(
            authorize_url(&config, "6abc", "xyz"),
            "https://services.tiktokshop.com/open/authorize?service_id=7123&state=xyz"
        );
    }

    #[test]
    fn expiry_times_are_absolute() {
        let t = tokens(&serde_json::json!({
            "access_token": "TTP_access_42", "access_token_expire_in": 1_800_000_000,
            "refresh_token": "TTP_refresh_42", "refresh_token_expire_in": "1900000000",
            "seller_name": "Glow"
        }))
        .unwrap();
        assert_eq!(t.access_expires_at.timestamp(), 1_800_000_000);
        assert_eq!(t.refresh_expires_at.timestamp(), 1_900_000_000);
        assert_eq!(t.seller_name.as_deref(), Some("Glow"));
        let shown = format!("{t:?}");
        assert!(!shown.contains("TTP_"), "{shown}");
    }
}
