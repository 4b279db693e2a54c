//! A progress bar on standard error for long runs: drawn only when standard
//! error is a terminal, and only once the run has lasted more than a moment,
//! so short runs, pipes and CI logs never see it; redrawn at most
//! [`HZ`] times a second: the count moves and output goes by the bar in
//! batches, not once per file.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before the bar appears.
const DELAY: Duration = Duration::from_millis(400);

/// Most redraws of the bar a second.
pub const HZ: u8 = 10;

pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    shown: AtomicBool,
    /// Files done; the bar learns it at each tick.
    done: AtomicU64,
    /// When the bar was last brought up to date (see [`Progress::due`]).
    ticks: Mutex<Ticks>,
}

/// Says when a period has passed since the last time it said so.
#[derive(Debug)]
struct Ticks {
    last: Option<Instant>,
    period: Duration,
}

impl Ticks {
    fn due(&mut self, now: Instant) -> bool {
        if self
            .last
            .is_some_and(|last| now.duration_since(last) < self.period)
        {
            return false;
        }
        self.last = Some(now);
        true
    }
}

impl Progress {
    /// A bar for `len` files; inert unless `wanted` and standard error is a
    /// terminal.
    pub fn new(len: usize, wanted: bool) -> Progress {
        let bar = (wanted && len > 1 && std::io::stderr().is_terminal()).then(|| {
            let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::hidden());
            if let Ok(style) =
                ProgressStyle::with_template("{bar:40} {pos}/{len} files  {elapsed} (eta {eta})")
            {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            shown: AtomicBool::new(false),
            done: AtomicU64::new(0),
            // A tick draws the bar at most twice: once after the output that
            // went by, once for the new count.
            ticks: Mutex::new(Ticks {
                last: None,
                period: Duration::from_secs(2) / u32::from(HZ),
            }),
        }
    }

    /// True while the bar is drawn.
    pub fn is_shown(&self) -> bool {
        self.bar.is_some() && self.shown.load(Ordering::Relaxed)
    }

    /// True when it is time for a [`Progress::tick`]: at most
    /// [`HZ`] / 2 times a second, since a tick draws the bar up to twice.
    pub fn due(&self) -> bool {
        self.ticks
            .lock()
            .map_or(true, |mut t| t.due(Instant::now()))
    }

    /// One more file done (callable from any thread); the bar shows it at
    /// the next tick.
    pub fn inc(&self) {
        let Some(bar) = &self.bar else { return };
        self.done.fetch_add(1, Ordering::Relaxed);
        if self.started.elapsed() > DELAY && !self.shown.swap(true, Ordering::Relaxed) {
            bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(HZ));
        }
    }

    /// Runs `f` (which may print) with the bar out of the way, then brings
    /// the bar up to date.
    pub fn tick<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) if self.shown.load(Ordering::Relaxed) => {
                let r = bar.suspend(f);
                bar.set_position(self.done.load(Ordering::Relaxed));
                r
            }
            _ => f(),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_come_at_most_once_a_period() {
        let mut t = Ticks {
            last: None,
            period: Duration::from_millis(100),
        };
        let start = Instant::now();
        // A report every millisecond for a second: ten ticks.
        let n = (0..1000)
            .filter(|&ms| t.due(start + Duration::from_millis(ms)))
            .count();
        assert_eq!(n, 10);
    }
}
