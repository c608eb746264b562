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
