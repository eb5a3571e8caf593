//! LocalStack's S3 (with its STS, S3 Control, CloudWatch and KMS) as a second, independent
//! S3 implementation, started on the host without Docker from the pinned `localstack-core`
//! (`xtask/requirements-localstack.txt`, as `../shared/emulators/localstack/` found it to
//! work). Its DynamoDB cannot run here, so DynamoDB stays at moto, through
//! `AWS_ENDPOINT_URL_DYNAMODB`.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// A running LocalStack; dropping it stops it (SIGTERM, then SIGKILL after 15 s).
pub(crate) struct LocalStack {
    child: Child,
    endpoint: String,
}

impl LocalStack {
    /// Starts LocalStack from the virtualenv `venv` on a free loopback port, its state in
    /// `root`, and waits until it answers (a few seconds).
    pub(crate) fn start(venv: &Path, root: &Path) -> Result<LocalStack> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .context("find a free port")?
            .port();
        let _ = std::fs::remove_dir_all(root);
        std::fs::create_dir_all(root).context("LocalStack's folder")?;
        let log = std::fs::File::create(root.join("localstack.log")).context("its log")?;
        let child = Command::new(venv.join("bin/python"))
            .args(["-m", "localstack.runtime.main"])
            .current_dir(root)
            .env("SERVICES", "s3,sts,s3control,cloudwatch,kms")
            .env("GATEWAY_LISTEN", format!("127.0.0.1:{port}"))
            .env("GATEWAY_SERVER", "hypercorn")
            .env("DISABLE_EVENTS", "1")
            .env("SKIP_SSL_CERT_DOWNLOAD", "1")
            .env("DNS_ADDRESS", "0")
            .env("LOCALSTACK_VOLUME_DIR", root.join("volume"))
            .env("FILESYSTEM_ROOT", root.join("filesystem"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().context("its log")?)
            .stderr(log)
            .spawn()
            .context("start LocalStack")?;
        let endpoint = format!("http://127.0.0.1:{port}");
        let mut localstack = LocalStack { child, endpoint };
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            if let Some(status) = localstack.child.try_wait()? {
                bail!(
                    "LocalStack exited ({status}); see {}",
                    root.join("localstack.log").display()
                );
            }
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(localstack);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        bail!("LocalStack did not answer within 60 s")
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

impl Drop for LocalStack {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let stopping = Instant::now();
        while stopping.elapsed() < Duration::from_secs(15) {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
