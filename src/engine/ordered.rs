//! The ordered scheduler: map items in parallel, hand the results on in
//! order, with a bounded number waiting.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};

use rayon::prelude::*;

/// How many finished reports may wait for an earlier, slower file before the
/// workers pause: it bounds what a run holds, whatever its number of files.
const REORDER_WINDOW: usize = 64;

/// How many consecutive files a worker claims at once and hands over in one
/// go: fewer wake-ups of the thread that hands reports out in order (one per
/// file made thousands of context switches on a run of 2,000 files).
const CLAIM: usize = 8;

/// Maps `items` with `f` on rayon's pool and hands the results to `each` on
/// the calling thread in the order of `items`, each as soon as it and all
/// before it are done. Workers stay at most [`REORDER_WINDOW`] items ahead
/// of `each`, so at most that many results wait at once.
pub(super) fn ordered_map<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
    mut each: impl FnMut(R),
) {
    if items.is_empty() {
        return;
    }
    if rayon::current_thread_index().is_some() {
        // Called from a worker of a pool: waiting here for the other workers
        // could wait for this very thread. Ordered chunks instead.
        for chunk in items.chunks(REORDER_WINDOW) {
            let done: Vec<R> = chunk.par_iter().map(&f).collect();
            done.into_iter().for_each(&mut each);
        }
        return;
    }
    let next = AtomicUsize::new(0);
    // How many results `each` has had; `usize::MAX` stops the workers (the
    // consumer unwound).
    let handed = (Mutex::new(0usize), Condvar::new());
    struct StopOnUnwind<'a>(&'a (Mutex<usize>, Condvar));
    impl Drop for StopOnUnwind<'_> {
        fn drop(&mut self) {
            if std::thread::panicking() {
                *self.0.0.lock().unwrap_or_else(|e| e.into_inner()) = usize::MAX;
                self.0.1.notify_all();
            }
        }
    }
    let (tx, rx) = mpsc::channel::<(usize, Vec<R>)>();
    let workers = rayon::current_num_threads().clamp(1, items.len());
    rayon::in_place_scope(|s| {
        let (next, handed, f) = (&next, &handed, &f);
        for _ in 0..workers {
            let tx = tx.clone();
            s.spawn(move |_| {
                loop {
                    // Claimed in order, a few at a time, so the earliest
                    // unfinished item is always being worked on and never
                    // waits here. Handing results over a few at a time wakes
                    // the consumer a few times less.
                    let i = next.fetch_add(CLAIM, Ordering::Relaxed);
                    if i >= items.len() {
                        return;
                    }
                    let end = (i + CLAIM).min(items.len());
                    let mut n = handed.0.lock().unwrap_or_else(|e| e.into_inner());
                    while *n != usize::MAX && end > *n + REORDER_WINDOW {
                        n = handed.1.wait(n).unwrap_or_else(|e| e.into_inner());
                    }
                    if *n == usize::MAX {
                        return;
                    }
                    drop(n);
                    let done: Vec<R> = items[i..end].iter().map(f).collect();
                    if tx.send((i, done)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(tx);
        let _stop = StopOnUnwind(handed);
        let mut waiting: VecDeque<Option<R>> = VecDeque::new();
        let mut want = 0;
        for (i, done) in rx {
            let first = i - want;
            if waiting.len() < first + done.len() {
                waiting.resize_with(first + done.len(), || None);
            }
            for (slot, r) in waiting.range_mut(first..).zip(done) {
                *slot = Some(r);
            }
            let before = want;
            while let Some(Some(_)) = waiting.front() {
                if let Some(Some(r)) = waiting.pop_front() {
                    each(r);
                }
                want += 1;
            }
            if want != before {
                *handed.0.lock().unwrap_or_else(|e| e.into_inner()) = want;
                handed.1.notify_all();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_map_hands_results_over_in_order_with_a_bounded_window() {
        let items: Vec<usize> = (0..500).collect();
        let in_flight = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let mut seen = Vec::new();
        {
            ordered_map(
                &items,
                |&i| {
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    // Early items are slow, so later ones finish first.
                    if i % 97 == 0 {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                    }
                    i * 2
                },
                |r| {
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    seen.push(r);
                },
            )
        }
        let doubled: Vec<usize> = items.iter().map(|i| i * 2).collect();
        assert_eq!(seen, doubled);
        // Finished but not yet handed over, plus one in hand per worker.
        let workers = rayon::current_num_threads();
        assert!(
            most.load(Ordering::SeqCst) <= REORDER_WINDOW + workers,
            "{most:?}"
        );
        // From inside a pool of one thread (no waiting on itself).
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let mut again = Vec::new();
        pool.install(|| ordered_map(&items, |&i| i * 2, |r| again.push(r)));
        assert_eq!(again, doubled);
    }
}
