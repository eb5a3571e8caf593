//! The real Terraform client against the emulator: a stack whose only configuration is an
//! empty S3 backend and an output, initialised with a generated backend file plus the
//! endpoint override of testing.md. No provider is needed, so it works offline.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::cli::Output;

/// A Terraform working directory.
#[derive(Debug)]
pub struct Stack {
    dir: tempfile::TempDir,
    terraform: PathBuf,
    endpoint: String,
}

impl Stack {
    /// A stack with one output, `name = value`, that talks to `endpoint`.
    pub fn new(terraform: &Path, endpoint: &str, value: &str) -> Stack {
        Stack::with_endpoints(terraform, endpoint, endpoint, value)
    }

    /// A stack whose S3 is at `endpoint` and DynamoDB at `dynamodb_endpoint`.
    pub fn with_endpoints(
        terraform: &Path,
        endpoint: &str,
        dynamodb_endpoint: &str,
        value: &str,
    ) -> Stack {
        let dir = tempfile::tempdir().expect("a temporary directory");
        write_main(dir.path(), value);
        let override_file = format!(
            "endpoint                    = \"{endpoint}\"\n\
             dynamodb_endpoint           = \"{dynamodb_endpoint}\"\n\
             force_path_style            = true\n\
             skip_credentials_validation = true\n\
             skip_metadata_api_check     = true\n\
             skip_region_validation      = true\n"
        );
        std::fs::write(dir.path().join("emulator.hcl"), override_file).expect("write the override");
        Stack {
            dir,
            terraform: terraform.to_owned(),
            endpoint: endpoint.to_owned(),
        }
    }

    /// Changes the output's value (the next apply writes a new state version).
    pub fn set_value(&self, value: &str) {
        write_main(self.dir.path(), value);
    }

    /// `terraform output -raw name`: the output's value as the state holds it.
    pub fn output(&self) -> Output {
        let mut command = self.command();
        command.args(["output", "-no-color", "-raw", "name"]);
        crate::cli::run_command(&mut command)
    }

    /// The working directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The emulator endpoint the stack talks to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.terraform);
        command
            .current_dir(self.dir.path())
            .env("AWS_ACCESS_KEY_ID", crate::harness::TEST_ACCESS_KEY)
            .env("AWS_SECRET_ACCESS_KEY", crate::harness::TEST_SECRET_KEY)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_PLUGIN_CACHE_DIR", "")
            .env_remove("AWS_PROFILE")
            .env_remove("TF_CLI_ARGS");
        command
    }

    /// `terraform init` with the generated backend file (unchanged) and the override.
    pub fn init(&self, backend_file: &Path) -> Output {
        let mut command = self.command();
        command
            .args(["init", "-input=false", "-no-color", "-reconfigure"])
            .arg(format!("-backend-config={}", backend_file.display()))
            .arg("-backend-config=emulator.hcl");
        crate::cli::run_command(&mut command)
    }

    /// `terraform apply -auto-approve`, failing at once if the state is locked.
    pub fn apply(&self) -> Output {
        let mut command = self.command();
        command.args([
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-lock-timeout=0s",
        ]);
        crate::cli::run_command(&mut command)
    }

    /// `terraform plan -detailed-exitcode`: exit 0 when the state matches the configuration,
    /// 2 when there are changes.
    pub fn plan(&self) -> Output {
        let mut command = self.command();
        command.args([
            "plan",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            "-lock-timeout=0s",
        ]);
        crate::cli::run_command(&mut command)
    }

    /// `terraform apply` stopped at its approval prompt, holding the state lock until the
    /// returned child's stdin is answered or closed. Returns once the prompt is shown
    /// (Terraform takes and releases the lock once before, while it reads the backend), or
    /// once Terraform exits without prompting.
    pub fn apply_waiting_for_approval(&self) -> Child {
        use std::io::Read;
        use std::os::unix::process::CommandExt;
        let mut command = self.command();
        command
            .args(["apply", "-no-color"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own process group, so `kill` reaches the process panicwrap re-executes.
            .process_group(0);
        let mut child = command.spawn().expect("terraform starts");
        let mut stdout = child.stdout.take().expect("stdout is piped");
        let (mut seen, mut chunk) = (Vec::new(), [0u8; 4096]);
        while let Ok(read @ 1..) = stdout.read(&mut chunk) {
            seen.extend_from_slice(&chunk[..read]);
            if String::from_utf8_lossy(&seen).contains("Enter a value") {
                break;
            }
        }
        child.stdout = Some(stdout);
        child
    }
}

/// Kills a Terraform started by [`Stack::apply_waiting_for_approval`] as a crash would:
/// SIGKILL to its whole process group. Terraform runs itself again as a child (panicwrap),
/// and that child, not the parent, holds the lock: killing the parent alone lets the child
/// see its stdin close and release the lock cleanly.
pub fn kill(child: &mut Child) {
    let group = format!("-{}", child.id());
    let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
    let _ = child.wait();
}

fn write_main(dir: &Path, value: &str) {
    let main = format!(
        "terraform {{\n  backend \"s3\" {{}}\n}}\n\noutput \"name\" {{\n  value = \"{value}\"\n}}\n"
    );
    std::fs::write(dir.join("main.tf"), main).expect("write main.tf");
}

/// `terraform console` in `dir` (which may hold variables and `*.auto.tfvars`), evaluating
/// one expression; offline, no provider needed. The console stops at its first error, so
/// one expression per run.
pub fn console(dir: &Path, expression: &str) -> Output {
    use std::io::Write;

    let mut child = Command::new(crate::harness::terraform())
        .args(["console", "-no-color"])
        .current_dir(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_IN_AUTOMATION", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("terraform console starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{expression}\n").as_bytes())
        .expect("expression written");
    let output = child.wait_with_output().expect("terraform console ends");
    Output {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
