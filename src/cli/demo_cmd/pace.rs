//! How fast the demo's simulated clock runs against the real one.

use std::time::Instant;

use chrono::{DateTime, Utc};

/// How fast the simulated clock runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speed {
    /// As fast as the machine goes (tests, CI).
    Max,
    HoursPerSecond(f64),
}

/// Keeps the simulated clock at its speed: after each step it waits for the real instant that
/// step corresponds to (a slow step is not made up for by rushing the next ones past it).
pub(super) struct Pace {
    speed: Speed,
    real_start: Instant,
    sim_start: DateTime<Utc>,
}

impl Pace {
    pub fn new(speed: Speed, sim_start: DateTime<Utc>) -> Pace {
        Pace {
            speed,
            real_start: Instant::now(),
            sim_start,
        }
    }

    /// Counts from here again (after a pause).
    pub fn restart(&mut self, now: DateTime<Utc>) {
        self.real_start = Instant::now();
        self.sim_start = now;
    }

    pub async fn wait(&mut self, now: DateTime<Utc>) {
        let Speed::HoursPerSecond(hours) = self.speed else {
            return;
        };
        let simulated = (now - self.sim_start).num_milliseconds() as f64 / 3_600_000.0;
        let target = self.real_start + std::time::Duration::from_secs_f64(simulated / hours);
        if target < Instant::now() {
            // Behind: take the late step as the new start instead of racing to catch up.
            self.restart(now);
            return;
        }
        tokio::time::sleep_until(target.into()).await;
    }
}
