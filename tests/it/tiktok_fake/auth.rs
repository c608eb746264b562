//! The authorization host: authorization codes, one access token and one refresh token at a
//! time, their expiry, rotation and revocation.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Value, json};

use super::api::ApiError;
use super::model::{APP_KEY, APP_SECRET, AUTH_CODES, OPEN_ID, SCOPES, SHOP_NAME, unix_now};

/// Tokens as the token endpoints hand them out (expiries: absolute Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tokens {
    pub access_token: String,
    pub access_token_expire_in: i64,
    pub refresh_token: String,
    pub refresh_token_expire_in: i64,
}

/// How many times each token endpoint was called (every request, failed ones included).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenCalls {
    pub get: usize,
    pub refresh: usize,
}

pub struct Auth {
    codes: HashSet<String>,
    issued: u64,
    tokens: Option<Tokens>,
    revoked: bool,
    rotate: bool,
    access_ttl: Duration,
    refresh_ttl: Duration,
    pub calls: TokenCalls,
}

impl Auth {
    pub fn new(access_ttl: Duration, refresh_ttl: Duration) -> Auth {
        Auth {
            codes: AUTH_CODES.iter().map(|c| (*c).to_owned()).collect(),
            issued: 0,
            tokens: None,
            revoked: false,
            rotate: false,
            access_ttl,
            refresh_ttl,
            calls: TokenCalls::default(),
        }
    }

    fn fresh(&mut self, kind: &str) -> String {
        self.issued += 1;
        format!(
            "ROW_{kind}{:04}_{:016x}",
            self.issued,
            rand::random::<u64>()
        )
    }

    pub fn issue_code(&mut self) -> String {
        let code = self.fresh("code");
        self.codes.insert(code.clone());
        code
    }

    /// Authorizes as a successful `token/get` would (new tokens, revocation lifted).
    pub fn grant(&mut self) -> Tokens {
        let now = unix_now();
        let tokens = Tokens {
            access_token: self.fresh("acc"),
            access_token_expire_in: now + self.access_ttl.as_secs() as i64,
            refresh_token: self.fresh("ref"),
            refresh_token_expire_in: now + self.refresh_ttl.as_secs() as i64,
        };
        self.tokens = Some(tokens.clone());
        self.revoked = false;
        tokens
    }

    pub fn tokens(&self) -> Option<&Tokens> {
        self.tokens.as_ref()
    }

    pub fn revoke(&mut self) {
        self.revoked = true;
    }

    pub fn set_rotate(&mut self, rotate: bool) {
        self.rotate = rotate;
    }

    pub fn expire_access(&mut self) {
        if let Some(tokens) = &mut self.tokens {
            tokens.access_token_expire_in = unix_now();
        }
    }

    pub fn expire_refresh(&mut self) {
        if let Some(tokens) = &mut self.tokens {
            tokens.refresh_token_expire_in = unix_now();
        }
    }

    /// The `x-tts-access-token` check: unknown, superseded or revoked → 105001, expired →
    /// 105002.
    pub fn check_access(&self, token: Option<&str>) -> Result<(), ApiError> {
        let invalid = || ApiError::new(105001, "invalid access token");
        let tokens = self.tokens.as_ref().ok_or_else(invalid)?;
        if token != Some(tokens.access_token.as_str()) || self.revoked {
            return Err(invalid());
        }
        if unix_now() >= tokens.access_token_expire_in {
            return Err(ApiError::new(105002, "access token expired"));
        }
        Ok(())
    }

    /// `GET /api/v2/token/get`.
    pub fn token_get(&mut self, query: &[(String, String)]) -> Result<Value, ApiError> {
        self.calls.get += 1;
        check_app(query, "authorized_code")?;
        let code = param(query, "auth_code").unwrap_or_default();
        if !self.codes.remove(code) {
            return Err(ApiError::new(36004004, "invalid or used auth_code"));
        }
        let tokens = self.grant();
        Ok(answer(&tokens))
    }

    /// `GET /api/v2/token/refresh`.
    pub fn token_refresh(&mut self, query: &[(String, String)]) -> Result<Value, ApiError> {
        self.calls.refresh += 1;
        check_app(query, "refresh_token")?;
        let given = param(query, "refresh_token").unwrap_or_default();
        let unknown = || ApiError::new(36004005, "invalid refresh_token");
        let current = self.tokens.as_ref().ok_or_else(unknown)?;
        if given != current.refresh_token || self.revoked {
            return Err(unknown());
        }
        if unix_now() >= current.refresh_token_expire_in {
            return Err(ApiError::new(36004001, "refresh_token expired"));
        }
        let (refresh_token, refresh_expiry) = if self.rotate {
            let now = unix_now();
            (self.fresh("ref"), now + self.refresh_ttl.as_secs() as i64)
        } else {
            (
                current.refresh_token.clone(),
                current.refresh_token_expire_in,
            )
        };
        let tokens = Tokens {
            access_token: self.fresh("acc"),
            access_token_expire_in: unix_now() + self.access_ttl.as_secs() as i64,
            refresh_token,
            refresh_token_expire_in: refresh_expiry,
        };
        self.tokens = Some(tokens.clone());
        Ok(answer(&tokens))
    }
}

fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Wrong `app_key` or `app_secret` → 36004003; a wrong `grant_type` → 36009003.
fn check_app(query: &[(String, String)], grant_type: &str) -> Result<(), ApiError> {
    if param(query, "app_key") != Some(APP_KEY) || param(query, "app_secret") != Some(APP_SECRET) {
        return Err(ApiError::new(36004003, "invalid app_key or app_secret"));
    }
    if param(query, "grant_type") != Some(grant_type) {
        return Err(ApiError::new(36009003, "invalid grant_type"));
    }
    Ok(())
}

fn answer(tokens: &Tokens) -> Value {
    json!({
        "access_token": tokens.access_token,
        "access_token_expire_in": tokens.access_token_expire_in,
        "refresh_token": tokens.refresh_token,
        "refresh_token_expire_in": tokens.refresh_token_expire_in,
        "open_id": OPEN_ID,
        "seller_name": SHOP_NAME,
        "seller_base_region": "US",
        "user_type": 0,
        "granted_scopes": SCOPES,
    })
}
