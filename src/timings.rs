//! How long each phase of a build took, for `--timings`, with the peak
//! memory at its end.

use std::time::{Duration, Instant};

/// One phase: its name, how long it took, and the process's peak resident
/// set (KiB) at its end, where the platform tells.
pub type Phase = (&'static str, Duration, Option<u64>);

#[derive(Debug)]
pub struct Timings {
    pub phases: Vec<Phase>,
    last: Instant,
}

impl Timings {
    pub fn start() -> Timings {
        Timings { phases: Vec::new(), last: Instant::now() }
    }

    /// Ends the phase `name` now.
    pub fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.phases.push((name, now - self.last, peak_rss_kib()));
        self.last = now;
    }
}

/// The process's peak resident set so far (Linux: VmHWM).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
