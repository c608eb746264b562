//! Who is staff on Slack: the members of the program's #staff channel (read with
//! `conversations.members`, kept for a minute so a burst of commands asks Slack once) and the
//! user ids in `slack.staff_user_ids`. Before #staff is mapped, only those configured ids are
//! vouched for, and staff are otherwise the chat accounts linked to a staff member.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::api::{Api, ApiError};
use crate::chat::commands::StaffSignal;
use crate::domain::channels::ProgramChannel;

/// Members of a channel, as read at one instant.
type Members = Arc<HashSet<String>>;

pub struct StaffCache {
    ttl: Duration,
    channels: Mutex<HashMap<String, (Instant, Members)>>,
}

impl StaffCache {
    pub fn new(ttl: Duration) -> StaffCache {
        StaffCache {
            ttl,
            channels: Mutex::new(HashMap::new()),
        }
    }

    /// The members of `channel`, from the cache while fresh.
    async fn members(&self, api: &Api, channel: &str) -> Result<Members, ApiError> {
        let now = Instant::now();
        if let Some((at, members)) = self
            .channels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(channel)
            && now.duration_since(*at) < self.ttl
        {
            return Ok(members.clone());
        }
        let mut members = HashSet::new();
        let mut cursor = String::new();
        loop {
            let mut params = vec![("channel", channel), ("limit", "1000")];
            if !cursor.is_empty() {
                params.push(("cursor", cursor.as_str()));
            }
            let page = api.get("conversations.members", &params).await?;
            members.extend(
                page["members"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m.as_str().map(str::to_string)),
            );
            cursor = page["response_metadata"]["next_cursor"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if cursor.is_empty() {
                break;
            }
        }
        let members = Arc::new(members);
        self.channels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(channel.to_string(), (now, members.clone()));
        Ok(members)
    }

    /// What Slack says about `user_id` in `team_id` being staff.
    pub async fn signal(
        &self,
        api: &Api,
        pool: &sqlx::PgPool,
        configured: &[String],
        team_id: &str,
        user_id: &str,
        name: &str,
    ) -> StaffSignal {
        let staff = || StaffSignal::Staff {
            name: name.to_string(),
        };
        if configured.iter().any(|u| u == user_id) {
            return staff();
        }
        let channel =
            crate::db::channels::workspace_channel(pool, "slack", team_id, ProgramChannel::Staff)
                .await;
        let channel = match channel {
            Ok(Some(channel)) => channel,
            Ok(None) => return StaffSignal::Unknown,
            Err(e) => {
                tracing::warn!("looking up the Slack #staff channel: {e:#}");
                return StaffSignal::Unknown;
            }
        };
        match self.members(api, &channel).await {
            Ok(members) if members.contains(user_id) => staff(),
            Ok(_) => StaffSignal::NotStaff,
            Err(e) => {
                // Without Slack's answer, staff are the accounts linked to a staff member.
                tracing::warn!("reading the members of #staff: {e}");
                StaffSignal::Unknown
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::Json;
    use axum::extract::State;
    use serde_json::{Value, json};

    use super::*;

    /// What the stand-in holds: the members it answers now, and how many calls it had.
    type Shared = (Arc<Mutex<Vec<String>>>, Arc<AtomicUsize>);

    async fn list_members(State((members, calls)): State<Shared>) -> Json<Value> {
        calls.fetch_add(1, Ordering::SeqCst);
        let members = members.lock().unwrap().clone();
        Json(json!({ "ok": true, "members": members,
                     "response_metadata": { "next_cursor": "" } }))
    }

    /// A stand-in for `conversations.members` on 127.0.0.1 that counts its calls and answers
    /// the members it holds now.
    async fn members_server(members: Arc<Mutex<Vec<String>>>) -> (String, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let app = axum::Router::new()
            .route(
                "/api/conversations.members",
                axum::routing::get(list_members),
            )
            .with_state((members, calls.clone()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (format!("http://{address}/api"), calls)
    }

    #[tokio::test]
    async fn staff_are_read_again_once_the_cache_expires() {
        let members = Arc::new(Mutex::new(vec!["U1".to_string()]));
        let (base, calls) = members_server(members.clone()).await;
        let api = Api::new(&base, "xoxb-test").unwrap();
        let cache = StaffCache::new(Duration::from_millis(300));
        let first = cache.members(&api, "C0STAFF").await.unwrap();
        assert!(first.contains("U1"));
        // Someone joins #staff: within the minute (here 300 ms) the cached list still answers.
        members.lock().unwrap().push("U2".to_string());
        let cached = cache.members(&api, "C0STAFF").await.unwrap();
        assert!(!cached.contains("U2"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        tokio::time::sleep(Duration::from_millis(350)).await;
        let fresh = cache.members(&api, "C0STAFF").await.unwrap();
        assert!(fresh.contains("U1") && fresh.contains("U2"));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
