//! The flags every binary shares.

use std::path::PathBuf;

use crate::exit::Failure;
use crate::output::OutputFormat;

/// The values of `--output`: [`OutputFormat`] for most binaries; a binary with more formats
/// (verify-s3-security's SARIF and JUnit) brings its own enum, which says which of text and
/// JSON its failures are reported in.
pub trait OutputChoice: clap::ValueEnum + Clone + Copy + Send + Sync + Default + 'static {
    /// The format failures are reported in: JSON for JSON, text for anything else.
    fn format(self) -> OutputFormat;
}

impl OutputChoice for OutputFormat {
    fn format(self) -> OutputFormat {
        self
    }
}

/// `--output`, `--config`, `-v`: the flags of every binary, the ones that never call AWS
/// (validate-cidr) included.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BaseArgs<O: OutputChoice = OutputFormat> {
    /// Output format: human lines on stderr, or one document on stdout
    #[arg(
        long,
        value_enum,
        default_value = "text",
        value_name = "FORMAT",
        global = true
    )]
    pub output: O,

    /// shared-config.toml to read instead of looking for one at the repository root
    #[arg(long, env = "TFSTATE_CONFIG", value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Log what happens (-v), in detail (-vv), with every AWS request (-vvv)
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

impl<O: OutputChoice> BaseArgs<O> {
    /// `shared-config.toml`: the `--config` file, or the one found by walking up from the
    /// current directory to the repository root, or none.
    pub fn shared_config(&self) -> Result<Option<naming::SharedConfig>, Failure> {
        let config = match &self.config {
            Some(path) if path.as_os_str().is_empty() => {
                return Err(Failure::usage("--config (or TFSTATE_CONFIG) is empty")
                    .with_hint("name a shared-config.toml file, or unset TFSTATE_CONFIG"));
            }
            Some(path) => naming::SharedConfig::load(path).map_err(|error| {
                let missing = matches!(
                    &error,
                    naming::ConfigError::Read { source, .. }
                        if source.kind() == std::io::ErrorKind::NotFound
                );
                if missing {
                    Failure::usage(error.to_string()).with_hint(
                        "--config and TFSTATE_CONFIG name a file that must exist; fix the path or unset it",
                    )
                } else {
                    Failure::from(error)
                }
            })?,
            None => {
                let cwd = std::env::current_dir()?;
                match naming::SharedConfig::discover(&cwd)? {
                    Some(config) => config,
                    None => {
                        crate::output::config_used(None, self.output.format());
                        return Ok(None);
                    }
                }
            }
        };
        crate::output::config_used(Some(&config.path), self.output.format());
        Ok(Some(config))
    }
}

/// `--profile`, `--endpoint-url`, and the [`BaseArgs`]: flatten into the clap definition
/// of each binary that calls AWS with `#[command(flatten)]`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct CommonArgs<O: OutputChoice = OutputFormat> {
    /// AWS profile to use (from ~/.aws/config); the standard credential chain otherwise
    #[arg(long, env = "AWS_PROFILE", value_name = "NAME", global = true)]
    pub profile: Option<String>,

    /// Send every AWS request to this S3/DynamoDB-compatible endpoint (path-style addressing)
    #[arg(long, env = "AWS_ENDPOINT_URL", value_name = "URL", global = true)]
    pub endpoint_url: Option<String>,

    /// Seconds to wait for a connection to AWS or the endpoint (1 to 300) [default: 5]
    #[arg(long, env = "TFSTATE_CONNECT_TIMEOUT", value_name = "SECONDS", global = true,
          value_parser = clap::value_parser!(u16).range(1..=300))]
    pub connect_timeout: Option<u16>,

    /// Seconds to wait for one attempt of a request before it is retried (1 to 3600); a
    /// request gives up after three times this [default: 30]
    #[arg(long, env = "TFSTATE_REQUEST_TIMEOUT", value_name = "SECONDS", global = true,
          value_parser = clap::value_parser!(u16).range(1..=3600))]
    pub request_timeout: Option<u16>,

    /// `--output`, `--config`, `-v`.
    #[command(flatten)]
    pub base: BaseArgs<O>,
}

impl<O: OutputChoice> CommonArgs<O> {
    /// The endpoint URL, checked to be an http(s) URL with a valid host and port.
    pub fn endpoint(&self) -> Result<Option<&str>, Failure> {
        self.endpoint_url
            .as_deref()
            .map(|url| checked_endpoint(url, "--endpoint-url (or AWS_ENDPOINT_URL)"))
            .transpose()
    }

    /// The per-service endpoints of the AWS SDKs' convention, each checked as
    /// [`CommonArgs::endpoint`] is: `AWS_ENDPOINT_URL_S3` and `AWS_ENDPOINT_URL_DYNAMODB`,
    /// so S3 can be one store and DynamoDB another. Each goes before `--endpoint-url` for its
    /// service.
    pub fn service_endpoints(&self) -> Result<ServiceEndpoints, Failure> {
        let read = |variable: &str| match std::env::var(variable) {
            Ok(url) => checked_endpoint(&url, variable).map(|url| Some(url.to_owned())),
            Err(_) => Ok(None),
        };
        Ok(ServiceEndpoints {
            s3: read("AWS_ENDPOINT_URL_S3")?,
            dynamodb: read("AWS_ENDPOINT_URL_DYNAMODB")?,
        })
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.connect_timeout.unwrap_or(5)))
    }

    /// The timeout of one attempt of a request.
    pub fn request_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.request_timeout.unwrap_or(30)))
    }

    /// `shared-config.toml`: see [`BaseArgs::shared_config`].
    pub fn shared_config(&self) -> Result<Option<naming::SharedConfig>, Failure> {
        self.base.shared_config()
    }
}

/// Per-service endpoints (`AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL_DYNAMODB`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceEndpoints {
    /// S3's.
    pub s3: Option<String>,
    /// DynamoDB's.
    pub dynamodb: Option<String>,
}

/// `url` if it is a usable endpoint; otherwise a usage error naming `source`.
fn checked_endpoint<'a>(url: &'a str, source: &str) -> Result<&'a str, Failure> {
    if valid_endpoint(url) {
        return Ok(url);
    }
    let shown = crate::output::escape_controls(url);
    let why = if url.is_empty() {
        "is empty (an empty value would silently send every request to AWS)".to_owned()
    } else {
        format!(
            "`{shown}` must be an http:// or https:// URL with a host name or address and an optional port of 1 to 65535"
        )
    };
    Err(
        Failure::usage(format!("invalid {source}: {why}")).with_hint(
            "for the local emulator: --endpoint-url http://127.0.0.1:5000; to use AWS, leave it \
         out and unset AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB)",
        ),
    )
}

/// `scheme://host[:port][/path]` with scheme http or https, a host of letters, digits, `.`,
/// `-` and `_` (or an IPv6 address in brackets), and a port of 1 to 65535.
fn valid_endpoint(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let Some((address, rest)) = v6.split_once(']') else {
            return false;
        };
        if address.parse::<std::net::Ipv6Addr>().is_err() {
            return false;
        }
        match rest {
            "" => (address, None),
            rest => match rest.strip_prefix(':') {
                Some(port) => (address, Some(port)),
                None => return false,
            },
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let host_ok = !host.is_empty()
        && (authority.starts_with('[')
            || host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')));
    let port_ok = port.is_none_or(|port| port.parse::<u16>().is_ok_and(|port| port > 0));
    host_ok && port_ok
}

/// A duration flag: `90m`, `6h`, `2d` (whole minutes, hours or days, at most ten years).
pub fn duration(text: &str) -> Result<chrono::TimeDelta, String> {
    /// Ten years: longer than any lock is held, and far inside what dates can hold.
    const MAX_MINUTES: u32 = 10 * 366 * 24 * 60;
    let (number, unit) = text.split_at(text.trim_end_matches(char::is_alphabetic).len());
    let value: u32 = number.parse().map_err(|_| {
        format!(
            "`{text}` is not a duration such as 90m, 6h or 2d (a whole, positive number and a unit)"
        )
    })?;
    let minutes = match unit {
        "m" => Some(value),
        "h" => value.checked_mul(60),
        "d" => value.checked_mul(24 * 60),
        _ => return Err(format!("`{text}`: the unit must be m, h or d")),
    };
    match minutes {
        Some(minutes @ 1..=MAX_MINUTES) => Ok(chrono::TimeDelta::minutes(i64::from(minutes))),
        _ => Err(format!(
            "`{text}` is out of range: between 1m and {}d",
            MAX_MINUTES / (24 * 60)
        )),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_take_minutes_hours_and_days() {
        assert_eq!(duration("90m"), Ok(chrono::TimeDelta::minutes(90)));
        assert_eq!(duration("6h"), Ok(chrono::TimeDelta::hours(6)));
        assert_eq!(duration("2d"), Ok(chrono::TimeDelta::days(2)));
        assert!(
            duration("6")
                .unwrap_err()
                .contains("the unit must be m, h or d")
        );
        assert!(duration("x h").is_err());
        // Bounded at parse time: never a panic deeper down (chrono's range), never negative.
        for bad in ["106751991168d", "-5h", "0m", "99999999999m", "4000d"] {
            assert!(duration(bad).is_err(), "{bad}");
        }
        assert_eq!(duration("3660d"), Ok(chrono::TimeDelta::days(3660)));
    }

    use clap::Parser;

    use super::*;
    use crate::exit::Exit;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        common: CommonArgs,
    }

    #[test]
    fn the_common_flags_parse() {
        let cli = Cli::try_parse_from([
            "tool",
            "--profile",
            "prod",
            "--endpoint-url",
            "http://127.0.0.1:5000",
            "--output",
            "json",
            "-vv",
        ])
        .unwrap();
        assert_eq!(cli.common.profile.as_deref(), Some("prod"));
        assert_eq!(
            cli.common.endpoint().unwrap(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(cli.common.base.output, OutputFormat::Json);
        assert_eq!(cli.common.base.verbose, 2);
    }

    #[test]
    fn a_bad_endpoint_is_a_usage_error() {
        for url in ["127.0.0.1:5000", "ftp://x", "http://", "http:///path"] {
            let args: CommonArgs = CommonArgs {
                endpoint_url: Some(url.to_owned()),
                ..CommonArgs::default()
            };
            let failure = args.endpoint().unwrap_err();
            assert_eq!(failure.exit(), Exit::Usage, "{url}");
            assert!(failure.message().contains(url));
        }
    }

    #[test]
    fn endpoints_are_http_urls_with_a_host_and_a_port() {
        for good in [
            "http://127.0.0.1:5000",
            "https://s3.example.com",
            "http://localhost:4566/",
            "http://[::1]:5000",
            "https://minio_1.internal:9000/base",
        ] {
            assert!(valid_endpoint(good), "{good}");
        }
        for bad in [
            "",
            "localhost:5000",
            "http://",
            "http:///x",
            "http://exa mple.com",
            "http://host:0",
            "http://host:99999",
            "http://host:port",
            "ftp://host",
            "http://[::1",
            "http://[zz]:1",
            "http://h/\u{1b}[2J",
        ] {
            assert!(!valid_endpoint(bad), "{bad}");
        }
        let empty: CommonArgs = CommonArgs {
            endpoint_url: Some(String::new()),
            ..CommonArgs::default()
        };
        assert_eq!(empty.endpoint().unwrap_err().exit(), Exit::Usage);
    }

    #[test]
    fn an_explicit_config_file_that_is_missing_is_bad_input() {
        let args: CommonArgs = CommonArgs {
            base: BaseArgs {
                config: Some(PathBuf::from("/nonexistent/shared-config.toml")),
                ..BaseArgs::default()
            },
            ..CommonArgs::default()
        };
        let failure = args.shared_config().unwrap_err();
        // A path the user gave that does not exist is bad input (exit 2), not an I/O failure.
        assert_eq!(failure.exit(), Exit::Usage);
        assert!(
            failure
                .message()
                .contains("/nonexistent/shared-config.toml")
        );
    }
}
