//! Ctrl-C and `kill`: the first SIGINT or SIGTERM asks the run to stop (no
//! file is started, what is in hand is finished, temporary files are
//! removed, the summary so far is printed, and the exit code is 128 plus the
//! signal's number: 130, 143); a second one ends the process at once with
//! that code.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The stop flag a run watches, and the signal that set it.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    pub stop: Arc<AtomicBool>,
    signal: Arc<AtomicUsize>,
}

impl Interrupt {
    /// Installs the handlers; where they cannot be installed the signals
    /// keep their default action (the flag is then never set).
    pub fn install() -> Interrupt {
        let it = Interrupt::default();
        #[cfg(unix)]
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // The order matters: a signal arriving when the flag is already
            // set (the second one) exits before setting it again.
            let _ =
                signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, it.stop.clone());
            let _ = signal_hook::flag::register_usize(sig, it.signal.clone(), sig as usize);
            let _ = signal_hook::flag::register(sig, it.stop.clone());
        }
        it
    }

    /// The signal that stopped the run, if one did: its name and the exit
    /// code it calls for.
    pub fn caught(&self) -> Option<(&'static str, u8)> {
        if !self.stop.load(Ordering::SeqCst) {
            return None;
        }
        let sig = self.signal.load(Ordering::SeqCst);
        #[cfg(unix)]
        let name = match sig as i32 {
            signal_hook::consts::SIGINT => "SIGINT",
            signal_hook::consts::SIGTERM => "SIGTERM",
            _ => "a signal",
        };
        #[cfg(not(unix))]
        let name = "a signal";
        Some((name, (128 + sig.min(127)) as u8))
    }
}
