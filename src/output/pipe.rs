//! Standard output that a closed pipe does not break: once the reader has
//! gone (`mdscrub diff … | head`), further output is dropped and the run ends
//! as it would have, with its exit code, instead of failing with "Broken
//! pipe".

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a write to standard output found the pipe closed.
static CLOSED: AtomicBool = AtomicBool::new(false);

/// A writer that drops what it is given once its reader is gone.
pub struct PipeSafe<W>(pub W);

impl<W: Write> PipeSafe<W> {
    fn guard<T>(&mut self, r: io::Result<T>, done: T) -> io::Result<T> {
        match r {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                CLOSED.store(true, Ordering::Relaxed);
                Ok(done)
            }
            r => r,
        }
    }
}

impl<W: Write> Write for PipeSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if CLOSED.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        let r = self.0.write(buf);
        self.guard(r, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if CLOSED.load(Ordering::Relaxed) {
            return Ok(());
        }
        let r = self.0.flush();
        self.guard(r, ())
    }
}

/// Standard output, locked, raw (no colour filtering), closed-pipe safe.
pub fn stdout() -> PipeSafe<io::StdoutLock<'static>> {
    PipeSafe(io::stdout().lock())
}

/// Standard output for people (colour stripped when it is not a terminal),
/// closed-pipe safe.
pub fn text_stdout() -> PipeSafe<anstream::AutoStream<io::StdoutLock<'static>>> {
    PipeSafe(anstream::stdout().lock())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
    }

    #[test]
    fn a_closed_pipe_swallows_output_and_other_errors_pass() {
        let mut w = PipeSafe(Closed);
        assert!(w.write_all(b"abc").is_ok());
        assert!(w.flush().is_ok());
    }
}
