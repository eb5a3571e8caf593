//! `-v` turns on tracing logs on stderr; `RUST_LOG` overrides the level.

use tracing_subscriber::EnvFilter;

/// The filter for a verbosity: nothing extra by default, this workspace's crates at
/// `info` with `-v` and `debug` with `-vv`, and the AWS SDK's requests too with `-vvv`.
pub fn filter_for(verbosity: u8) -> &'static str {
    match verbosity {
        0 => "off",
        1 => "info,aws=warn,aws_config=warn,aws_smithy_runtime=warn,hyper=warn",
        2 => "debug,aws=info,aws_config=info,aws_smithy_runtime=info,hyper=info,rustls=info",
        _ => "trace,hyper=debug,rustls=info",
    }
}

/// Installs the stderr logger; call once, first thing in `main`. Colour follows the same
/// rule as report lines.
pub fn init(verbosity: u8) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.is_empty() => EnvFilter::new(spec),
        _ => EnvFilter::new(filter_for(verbosity)),
    };
    let color = crate::output::use_color(
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(color)
        .with_target(true)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_verbosity_is_a_valid_filter_and_louder_means_more() {
        for verbosity in 0..=4 {
            EnvFilter::try_new(filter_for(verbosity)).unwrap();
        }
        assert_eq!(filter_for(0), "off");
        assert!(filter_for(1).starts_with("info"));
        assert!(filter_for(2).starts_with("debug"));
        assert!(filter_for(3).starts_with("trace"));
    }
}
