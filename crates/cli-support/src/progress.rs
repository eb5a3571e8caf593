//! Progress for long jobs (a large audit, a teardown): drawn on a terminal, nothing at all
//! off one, so logs and pipes stay clean.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A counter of `total` items doing `what`, drawn on stderr when it is a terminal and
/// hidden otherwise.
pub fn counter(total: u64, what: &str) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(total), target);
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {pos}/{len} [{elapsed}]") {
        bar.set_style(style);
    }
    bar.set_message(what.to_owned());
    bar
}

/// Progress of a teardown: `total` entries of `bucket`, with the rate and an estimate; the
/// message carries the bytes deleted.
pub fn deletion(total: u64, bucket: &str) -> ProgressBar {
    let bar = counter(total, bucket);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} deleting {msg} {pos}/{len} entries ({per_sec}, about {eta} left)",
    ) {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_a_terminal_the_counter_counts_and_draws_nothing() {
        let bar = counter(3, "auditing buckets");
        bar.inc(2);
        assert_eq!(bar.position(), 2);
        assert!(bar.is_hidden(), "tests run without a terminal on stderr");
        bar.finish_and_clear();
    }
}
