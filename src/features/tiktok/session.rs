//! A program's session with its shop: the tokens unsealed, refreshed before they expire (and once
//! after TikTok says the access token expired), and the sync stopped — with one staff alert —
//! when the authorization is gone (revoked, or the refresh token expired or unknown).

use anyhow::{Context, Result};
use chrono::{DateTime, Duration, Utc};

use super::{Credentials, alerts};
use crate::app::App;
use crate::db::programs::Program;
use crate::db::tiktok::{self as db, StoredShop};
use crate::secret_key::SecretKey;
use crate::tiktok::{Api, ApiError, Caller, auth};

/// The access token is refreshed when it has less than this left.
pub const REFRESH_MARGIN: Duration = Duration::hours(1);

/// Why a call could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The authorization is gone; the sync is stopped until the shop is connected again.
    #[error("the TikTok Shop sync is stopped: {0}. Run `creator-bot tiktok connect` again")]
    Stopped(String),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// A sync of one program holding its lock (one sync of a kind at a time, across processes): a
/// session-level advisory lock on a connection of its own, let go by [`SyncLock::release`] (or
/// by the database when the process dies).
pub struct SyncLock {
    conn: sqlx::pool::PoolConnection<sqlx::Postgres>,
    name: &'static str,
    program_id: i64,
}

impl SyncLock {
    pub async fn release(mut self) {
        let _ = sqlx::query("SELECT pg_advisory_unlock(hashtextextended($1, $2))")
            .bind(self.name)
            .bind(self.program_id)
            .execute(&mut *self.conn)
            .await;
    }
}

/// What starting a sync found.
pub enum Start {
    Ready(Box<Session>, SyncLock),
    /// No sync now: not connected, stopped, or another sync holds the lock.
    Not(super::orders::Outcome),
}

/// Opens the program's session and takes the sync lock `name`.
pub async fn start(
    app: &App,
    creds: &Credentials,
    program: &Program,
    name: &'static str,
) -> Result<Start> {
    use super::orders::Outcome;
    let api = creds.api(&app.config.tiktok, program.id)?;
    let session = match Session::open(app, creds, program, api).await? {
        Opened::Ready(s) => s,
        Opened::NotConnected => return Ok(Start::Not(Outcome::NotConnected)),
        Opened::Stopped(reason) => return Ok(Start::Not(Outcome::Stopped(reason))),
    };
    let mut conn = app.pool.acquire().await?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtextextended($1, $2))")
        .bind(name)
        .bind(program.id)
        .fetch_one(&mut *conn)
        .await?;
    if !locked {
        return Ok(Start::Not(Outcome::Busy));
    }
    Ok(Start::Ready(
        session,
        SyncLock {
            conn,
            name,
            program_id: program.id,
        },
    ))
}

/// [`Caller`] with owned strings.
#[derive(Clone)]
pub struct OwnedCaller {
    pub access_token: String,
    pub shop_cipher: Option<String>,
}

impl OwnedCaller {
    pub fn get(&self) -> Caller<'_> {
        Caller {
            access_token: &self.access_token,
            shop_cipher: self.shop_cipher.as_deref(),
        }
    }
}

/// Opening a session found…
pub enum Opened {
    Ready(Box<Session>),
    /// …no shop connected to the program.
    NotConnected,
    /// …the sync stopped (the reason), waiting for a new connect.
    Stopped(String),
}

pub struct Session {
    pub api: Api,
    pub program: Program,
    pub shop_name: String,
    cipher: String,
    access: String,
    access_enc: Vec<u8>,
    access_expires_at: DateTime<Utc>,
}

pub(super) fn access_purpose(program_id: i64) -> String {
    format!("tiktok access token, program {program_id}")
}

pub(super) fn refresh_purpose(program_id: i64) -> String {
    format!("tiktok refresh token, program {program_id}")
}

impl Session {
    /// The program's session, its access token refreshed first when it is about to expire.
    pub async fn open(
        app: &App,
        creds: &Credentials,
        program: &Program,
        api: Api,
    ) -> Result<Opened> {
        let mut conn = app.pool.acquire().await?;
        let Some(stored) = db::shop(&mut conn, program.id, false).await? else {
            return Ok(Opened::NotConnected);
        };
        drop(conn);
        if let Some(reason) = &stored.stopped_reason {
            return Ok(Opened::Stopped(reason.clone()));
        }
        let key = creds.key()?;
        let mut session = Session::from_stored(api, program.clone(), &stored, key)?;
        if session.access_expires_at - Utc::now() < REFRESH_MARGIN {
            match session.refresh(app, key, false).await {
                Ok(()) => {}
                Err(SessionError::Stopped(reason)) => return Ok(Opened::Stopped(reason)),
                Err(e) => return Err(anyhow::Error::new(e)),
            }
        }
        Ok(Opened::Ready(Box::new(session)))
    }

    fn from_stored(api: Api, program: Program, s: &StoredShop, key: &SecretKey) -> Result<Session> {
        let access = key
            .open(&access_purpose(program.id), &s.access_token_enc)
            .map_err(crate::domain::for_user)?;
        Ok(Session {
            api,
            shop_name: s.shop_name.clone(),
            cipher: s.shop_cipher.clone(),
            access,
            access_enc: s.access_token_enc.clone(),
            access_expires_at: s.access_expires_at,
            program,
        })
    }

    pub fn caller(&self) -> Caller<'_> {
        Caller {
            access_token: &self.access,
            shop_cipher: Some(&self.cipher),
        }
    }

    /// What a call needs, owned, so the call's future holds no borrow of the session.
    pub fn credentials(&self) -> (Api, OwnedCaller) {
        (
            self.api.clone(),
            OwnedCaller {
                access_token: self.access.clone(),
                shop_cipher: Some(self.cipher.clone()),
            },
        )
    }

    /// Makes a call; after TikTok says the access token expired, refreshes once and tries again.
    /// An authorization that is gone stops the sync (staff told once).
    pub async fn call<T, F, Fut>(
        &mut self,
        app: &App,
        creds: &Credentials,
        f: F,
    ) -> Result<T, SessionError>
    where
        F: Fn(Api, OwnedCaller) -> Fut,
        Fut: std::future::Future<Output = Result<T, ApiError>>,
    {
        let (api, caller) = self.credentials();
        let first = f(api, caller).await;
        let e = match first {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        if e.is_expired_token() {
            self.refresh(app, creds.key()?, true).await?;
            let (api, caller) = self.credentials();
            return match f(api, caller).await {
                Ok(v) => Ok(v),
                Err(e) => Err(self.lost(app, e).await),
            };
        }
        Err(self.lost(app, e).await)
    }

    /// An error that means the authorization is gone stops the sync; others pass through.
    async fn lost(&self, app: &App, e: ApiError) -> SessionError {
        if !e.is_authorization_lost() {
            return SessionError::Api(e);
        }
        let reason = format!(
            "TikTok Shop no longer accepts the shop's authorization ({})",
            e.brief()
        );
        match self.stop(app, &reason).await {
            Ok(()) => SessionError::Stopped(reason),
            Err(other) => SessionError::Other(other),
        }
    }

    async fn stop(&self, app: &App, reason: &str) -> Result<()> {
        let now = app.now();
        let mut tx = app.pool.begin().await?;
        if db::stop(&mut tx, self.program.id, reason, now).await? {
            alerts::disconnected(
                &mut tx,
                &app.templates,
                &self.program,
                &self.shop_name,
                reason,
                now,
            )
            .await?;
            tracing::error!(
                program = self.program.slug,
                "TikTok Shop sync stopped: {reason}"
            );
        }
        tx.commit().await.context("stopping the TikTok sync")?;
        Ok(())
    }

    /// New tokens, under the shop row's lock so two processes never spend the same refresh token.
    /// Unless `force`, a token another process refreshed meanwhile is adopted instead.
    async fn refresh(
        &mut self,
        app: &App,
        key: &SecretKey,
        force: bool,
    ) -> Result<(), SessionError> {
        let id = self.program.id;
        let mut tx = app.pool.begin().await.map_err(anyhow::Error::new)?;
        let stored = db::shop(&mut tx, id, true)
            .await?
            .context("the TikTok shop was disconnected meanwhile")?;
        if let Some(reason) = stored.stopped_reason {
            return Err(SessionError::Stopped(reason));
        }
        let someone_else = stored.access_token_enc != self.access_enc;
        if someone_else && (!force || stored.access_expires_at - Utc::now() >= REFRESH_MARGIN) {
            tx.commit().await.map_err(anyhow::Error::new)?;
            *self = Session::from_stored(self.api.clone(), self.program.clone(), &stored, key)?;
            return Ok(());
        }
        let refresh_token = key
            .open(&refresh_purpose(id), &stored.refresh_token_enc)
            .map_err(crate::domain::for_user)?;
        match auth::refresh(&self.api, &refresh_token).await {
            Ok(t) => {
                let access_enc = key.seal(&access_purpose(id), &t.access_token);
                let refresh_enc = key.seal(&refresh_purpose(id), &t.refresh_token);
                db::save_tokens(
                    &mut tx,
                    id,
                    &access_enc,
                    t.access_expires_at,
                    &refresh_enc,
                    t.refresh_expires_at,
                    app.now(),
                )
                .await?;
                tx.commit().await.map_err(anyhow::Error::new)?;
                tracing::info!(program = self.program.slug, expires = %t.access_expires_at, "TikTok access token refreshed");
                self.access = t.access_token;
                self.access_enc = access_enc;
                self.access_expires_at = t.access_expires_at;
                Ok(())
            }
            Err(e) if e.is_authorization_lost() || stored.refresh_expires_at <= Utc::now() => {
                drop(tx);
                let reason = format!("the access token could not be refreshed ({})", e.brief());
                self.stop(app, &reason).await?;
                Err(SessionError::Stopped(reason))
            }
            Err(e) => Err(SessionError::Api(e)),
        }
    }
}
