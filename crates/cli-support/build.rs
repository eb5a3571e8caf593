//! Records the commit the binaries are built from, for `--version`: the
//! `TFSTATE_TOOLKIT_COMMIT` variable when set (a build from a source archive), else
//! `git log -1` of the checkout, else "unknown commit".

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=TFSTATE_TOOLKIT_COMMIT");
    let commit = std::env::var("TFSTATE_TOOLKIT_COMMIT")
        .ok()
        .filter(|commit| !commit.trim().is_empty())
        .or_else(from_git)
        .unwrap_or_else(|| "unknown commit".to_owned());
    println!("cargo:rustc-env=TFSTATE_TOOLKIT_COMMIT={}", commit.trim());
}

/// `abc1234 2026-11-22`: the short hash and commit date of HEAD, rebuilt when HEAD moves.
fn from_git() -> Option<String> {
    let git_dir = git(&["rev-parse", "--absolute-git-dir"])?;
    let git_dir = Path::new(git_dir.trim());
    // HEAD names the branch; the branch file (or packed-refs) moves with each commit.
    let mut watched = vec![git_dir.join("HEAD"), git_dir.join("packed-refs")];
    if let Ok(head) = std::fs::read_to_string(git_dir.join("HEAD"))
        && let Some(reference) = head.trim().strip_prefix("ref: ")
    {
        watched.push(git_dir.join(reference));
    }
    for path in watched.iter().filter(|path| path.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    git(&["log", "-1", "--format=%h %cs"]).filter(|line| !line.trim().is_empty())
}

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}
