//! Bounded waits for what AWS does "for a while": a configuration not yet visible after a
//! create (aws-behaviour.md P3), point-in-time recovery not yet available (P2), a bucket
//! not yet seen empty (T6), a read still returning the previous configuration (P3).
//!
//! One back-off for all of them: it doubles from a first delay up to a cap, with up to
//! half again of jitter so that concurrent runs do not retry in step.

use std::future::Future;
use std::time::Duration;

/// The delay before retry number `attempt` (from 1): `first × 2^attempt`, at most `cap`,
/// plus up to half of it again at random.
pub fn backoff(first: Duration, attempt: u32, cap: Duration) -> Duration {
    let delay = first.saturating_mul(1 << attempt.min(16)).min(cap);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |now| now.subsec_nanos());
    delay + delay.mul_f64(f64::from(nanos % 1000) / 2000.0)
}

/// How long to keep trying something AWS will allow soon: at most `attempts` tries, the
/// delays of [`backoff`] between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patience {
    /// Tries in all, the first included (at least one is made).
    pub attempts: u32,
    /// The first delay, before doubling.
    pub first: Duration,
    /// The longest delay.
    pub cap: Duration,
}

impl Patience {
    /// Calls `call` until it succeeds, fails with an error `not_yet` does not accept, or
    /// the tries are used up (the last error is returned). `waiting` is told of each retry.
    pub async fn retry<T, E, Call, Fut>(
        &self,
        mut call: Call,
        not_yet: impl Fn(&E) -> bool,
        mut waiting: impl FnMut(&E, u32),
    ) -> Result<T, E>
    where
        Call: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut attempt = 1;
        loop {
            match call().await {
                Err(error) if not_yet(&error) && attempt < self.attempts => {
                    waiting(&error, attempt);
                    tokio::time::sleep(backoff(self.first, attempt, self.cap)).await;
                    attempt += 1;
                }
                result => return result,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let first = Duration::from_millis(100);
        let cap = Duration::from_secs(5);
        let one = backoff(first, 1, cap);
        assert!(one >= Duration::from_millis(200) && one <= Duration::from_millis(300));
        let late = backoff(first, 12, cap);
        assert!(late >= cap && late <= Duration::from_millis(7500));
    }

    #[tokio::test(start_paused = true)]
    async fn retry_stops_at_success_at_another_error_and_after_its_tries() {
        let patience = Patience {
            attempts: 4,
            first: Duration::from_millis(10),
            cap: Duration::from_millis(40),
        };
        let calls = Cell::new(0);
        let waits = Cell::new(0);
        let succeeds_third = patience
            .retry(
                || {
                    calls.set(calls.get() + 1);
                    let n = calls.get();
                    async move { if n < 3 { Err("not yet") } else { Ok(n) } }
                },
                |error| *error == "not yet",
                |_, _| waits.set(waits.get() + 1),
            )
            .await;
        assert_eq!((succeeds_third, waits.get()), (Ok(3), 2));

        calls.set(0);
        let other: Result<(), &str> = patience
            .retry(
                || {
                    calls.set(calls.get() + 1);
                    async { Err("denied") }
                },
                |error| *error == "not yet",
                |_, _| {},
            )
            .await;
        assert_eq!((other, calls.get()), (Err("denied"), 1));

        calls.set(0);
        let never: Result<(), &str> = patience
            .retry(
                || {
                    calls.set(calls.get() + 1);
                    async { Err("not yet") }
                },
                |error| *error == "not yet",
                |_, _| {},
            )
            .await;
        assert_eq!((never, calls.get()), (Err("not yet"), 4));
    }
}
