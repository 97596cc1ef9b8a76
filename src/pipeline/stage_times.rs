//! [`StageTimes`]: how long each stage of one build took, for `cargo bench --bench stages`.

use std::time::{Duration, Instant};

/// The stages of one build in the order they ran, each with its wall time.
#[derive(Clone, Debug)]
pub struct StageTimes {
    laps: Vec<(&'static str, Duration)>,
    since: Instant,
}

impl StageTimes {
    /// Starts the clock.
    pub fn start() -> StageTimes {
        StageTimes {
            laps: Vec::new(),
            since: Instant::now(),
        }
    }

    /// Ends the stage `name` now; the next one starts.
    pub(crate) fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.laps.push((name, now - self.since));
        self.since = now;
    }

    /// Each stage's name and wall time.
    pub fn laps(&self) -> &[(&'static str, Duration)] {
        &self.laps
    }
}
