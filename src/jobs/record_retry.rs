//! Recording a send must survive the database going away for a moment: a message that went out
//! but was never recorded would be sent again once its lease runs out. So the dispatcher tries to
//! record it again until the database answers, for as long as the lease still holds the row.

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::Result;

/// Runs `record` until it succeeds, trying again after a short pause while fewer than
/// `lease_seconds` have passed; then returns its last error.
pub async fn until_recorded<T, F, Fut>(lease_seconds: u32, mut record: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let give_up = Instant::now() + Duration::from_secs(u64::from(lease_seconds));
    let mut pause = Duration::from_millis(100);
    loop {
        match record().await {
            Ok(done) => return Ok(done),
            Err(e) if Instant::now() + pause < give_up => {
                tracing::warn!("recording a send failed, trying again: {e:#}");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
            Err(e) => return Err(e),
        }
    }
}
