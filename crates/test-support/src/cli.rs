//! Running the toolkit's binaries as processes, the way users and CI do: in a working
//! directory of their own (a `.git` stops `shared-config.toml` discovery there), with no AWS
//! profile of the developer's, and the emulator as endpoint.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A temporary working directory that looks like a repository root.
#[derive(Debug)]
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    /// An empty repository root (it has a `.git` directory).
    pub fn new() -> Workdir {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::create_dir(dir.path().join(".git")).expect("create .git");
        Workdir { dir }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `content` to `relative` (creating parent directories) and returns its path.
    pub fn write(&self, relative: &str, content: &str) -> PathBuf {
        let path = self.dir.path().join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create parent directories");
        }
        std::fs::write(&path, content).expect("write the file");
        path
    }
}

impl Default for Workdir {
    fn default() -> Self {
        Workdir::new()
    }
}

/// What a finished process left.
#[derive(Debug)]
pub struct Output {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Everything on stdout.
    pub stdout: String,
    /// Everything on stderr.
    pub stderr: String,
}

impl Output {
    /// stdout parsed as one JSON document.
    ///
    /// # Panics
    ///
    /// When stdout is not JSON, showing both streams.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "stdout is not JSON ({error}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// A command for `program` in `dir`, with a clean AWS environment: test credentials, no
/// profile or config files of the developer's, no instance metadata lookups, and
/// `endpoint` (if any) as `AWS_ENDPOINT_URL`.
pub fn command(program: &str, dir: &Path, endpoint: Option<&str>) -> Command {
    let mut command = Command::new(program);
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env("AWS_ACCESS_KEY_ID", crate::harness::TEST_ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", crate::harness::TEST_SECRET_KEY)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", dir.join(".aws-config-none"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            dir.join(".aws-credentials-none"),
        )
        .stdin(Stdio::null());
    if let Some(endpoint) = endpoint {
        command.env("AWS_ENDPOINT_URL", endpoint);
    }
    command
}

/// Runs `program args…` in `dir` against `endpoint` and waits for it.
pub fn run(program: &str, dir: &Path, endpoint: Option<&str>, args: &[&str]) -> Output {
    run_command(command(program, dir, endpoint).args(args))
}

/// Runs a prepared command and waits for it.
pub fn run_command(command: &mut Command) -> Output {
    let output = command.output().expect("the binary runs");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `program --generate KIND` for the man page and each shell with stdout on
/// `/dev/full`, asserting that each ends with exit 3 and a message, never a panic.
pub fn assert_generate_into_a_full_disk_fails_cleanly(program: &str) {
    let dir = Workdir::new();
    for kind in ["man", "bash", "zsh", "fish"] {
        let mut command = command(program, dir.path(), None);
        command
            .args(["--generate", kind])
            .stdout(std::fs::File::create("/dev/full").expect("/dev/full"));
        let output = run_command(&mut command);
        assert_eq!(output.code, 3, "{kind}: {}", output.stderr);
        assert!(
            output.stderr.contains("cannot write"),
            "{kind}: {}",
            output.stderr
        );
        assert!(
            !output.stderr.contains("panicked"),
            "{kind}: {}",
            output.stderr
        );
    }
}
