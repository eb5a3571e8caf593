//! The harness virtualenv: created from `xtask/requirements.txt`, reinstalled when the pins
//! change, checked before use.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use test_support::Harness;

use crate::{project_root, run};

const REQUIREMENTS: &str = include_str!("../requirements.txt");
const BENCH_REQUIREMENTS: &str = include_str!("../requirements-bench.txt");
const PROWLER_REQUIREMENTS: &str = include_str!("../requirements-prowler.txt");
const LOCALSTACK_REQUIREMENTS: &str = include_str!("../requirements-localstack.txt");
const STAMP: &str = ".tfstate-requirements.txt";

/// Where the virtualenv lives: `$TFSTATE_HARNESS_VENV` or `<root>/.venv`.
pub(crate) fn location() -> PathBuf {
    std::env::var_os(test_support::harness::VENV_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| project_root().join(".venv"))
}

/// Makes sure the virtualenv exists with exactly the pinned requirements, and returns it.
pub(crate) fn ensure() -> Result<Harness> {
    let venv = location();
    ensure_at(
        &venv,
        "xtask/requirements.txt",
        REQUIREMENTS,
        "moto, terraform 1.0.3",
    )?;
    let harness = Harness::at(venv.clone()).map_err(|error| anyhow::anyhow!("{error}"))?;
    harness
        .terraform()
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    Ok(harness)
}

/// The benchmark peers' virtualenv (`.venv-bench`), created on demand; returns its `bin/`.
pub(crate) fn ensure_bench() -> Result<PathBuf> {
    let venv = project_root().join(".venv-bench");
    ensure_at(
        &venv,
        "xtask/requirements-bench.txt",
        BENCH_REQUIREMENTS,
        "the aws CLI",
    )?;
    Ok(venv.join("bin"))
}

/// Prowler's virtualenv (`.venv-prowler`), created only when a benchmark asks for it: its
/// dependencies are many and slow to install. Returns its `bin/`.
pub(crate) fn ensure_prowler() -> Result<PathBuf> {
    let venv = project_root().join(".venv-prowler");
    ensure_at(
        &venv,
        "xtask/requirements-prowler.txt",
        PROWLER_REQUIREMENTS,
        "Prowler",
    )?;
    Ok(venv.join("bin"))
}

/// LocalStack's virtualenv (`.venv-localstack`): `localstack-core` and its 115 pins,
/// installed without dependency resolution (newer cbor2 and pyOpenSSL releases break it).
/// Returns the virtualenv.
pub(crate) fn ensure_localstack() -> Result<PathBuf> {
    let venv = project_root().join(".venv-localstack");
    let stamp = venv.join(STAMP);
    let current = std::fs::read_to_string(&stamp).unwrap_or_default();
    if current != LOCALSTACK_REQUIREMENTS || !venv.join("bin/python").exists() {
        install(
            &venv,
            "xtask/requirements-localstack.txt",
            "LocalStack (localstack-core 4.8.1)",
            &["--no-deps"],
        )?;
        std::fs::write(&stamp, LOCALSTACK_REQUIREMENTS).context("write the virtualenv's stamp")?;
    }
    Ok(venv)
}

/// Creates or updates the virtualenv at `venv` when its stamp differs from `requirements`.
fn ensure_at(venv: &Path, file: &str, requirements: &str, what: &str) -> Result<()> {
    let stamp = venv.join(STAMP);
    let current = std::fs::read_to_string(&stamp).unwrap_or_default();
    if current != requirements || !venv.join("bin/python").exists() {
        install(venv, file, what, &[])?;
        std::fs::write(&stamp, requirements).context("write the virtualenv's stamp")?;
    }
    Ok(())
}

fn install(venv: &Path, file: &str, what: &str, options: &[&str]) -> Result<()> {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    eprintln!(
        "[xtask] installing {what} into {} (from PyPI, pinned)",
        venv.display()
    );
    if !venv.join("bin/python").exists() {
        run(Command::new(&python).args(["-m", "venv"]).arg(venv)).with_context(|| {
            format!(
                "`{python} -m venv` failed; install Python 3.9+ with its venv module \
                 (Debian: apt install python3-venv), or set PYTHON"
            )
        })?;
    }
    let requirements = project_root().join(file);
    let pip = venv.join("bin/python");
    let mut attempt = 0;
    loop {
        attempt += 1;
        let status = Command::new(&pip)
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--no-input",
                "-q",
            ])
            .args(options)
            .arg("-r")
            .arg(&requirements)
            .status()
            .context("run pip")?;
        if status.success() {
            break;
        }
        if attempt == 3 {
            bail!(
                "pip could not install {} (3 attempts); is PyPI reachable?",
                requirements.display()
            );
        }
        eprintln!("[xtask] pip failed; trying again ({attempt}/3)");
    }
    Ok(())
}
