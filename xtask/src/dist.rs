//! `cargo xtask dist`: the release archive for this platform.
//!
//! Builds the nine binaries (optimized and stripped by the release profile), asks each for
//! its man page and its bash, zsh and fish completions (the hidden `--generate KIND`, so the
//! files come from the clap definitions the binaries run with), and packs them with the docs
//! and `install.sh` into `tfstate-toolkit-{version}-{target}.tar.gz`, laid out as the prefix
//! they install into:
//!
//! ```text
//! bin/{binary}
//! share/man/man1/{binary}.1
//! share/bash-completion/completions/{binary}
//! share/zsh/site-functions/_{binary}
//! share/fish/vendor_completions.d/{binary}.fish
//! share/doc/tfstate-toolkit/{README.md, docs/...}
//! install.sh, SHA256SUMS
//! ```
//!
//! `SHA256SUMS` lists every file (the install script checks it before copying anything) and
//! `{archive}.sha256` the archive itself. The archive is reproducible: entries in sorted
//! order, folder by folder, owned by root, with fixed times.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::tidy::all_binaries;
use crate::{project_root, stdout};

/// The install script shipped at the archive's root.
const INSTALL_SCRIPT: &str = include_str!("../dist/install.sh");

/// What `cargo xtask dist` made.
#[derive(Debug)]
pub(crate) struct Release {
    /// `tfstate-toolkit-{version}-{target}`: the archive's top folder.
    pub(crate) name: String,
    pub(crate) archive: PathBuf,
    pub(crate) checksum: PathBuf,
}

/// How hard to compress: the release is packed once and downloaded many times; a test's
/// unoptimized binaries are only unpacked once.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Compression {
    Best,
    Fast,
}

/// `cargo xtask dist`: builds with `profile` and packs into `out`.
pub(crate) fn run(profile: &str, out: &Path) -> Result<Release> {
    let mut build = Command::new(env!("CARGO"));
    build.args(["build", "--locked", "--profile", profile]);
    for binary in all_binaries() {
        build.args(["--bin", binary]);
    }
    crate::run(&mut build)?;
    let binaries = crate::profile_dir(profile)?;
    let compression = if binaries.ends_with("debug") {
        Compression::Fast
    } else {
        Compression::Best
    };
    let release = package(&binaries, out, compression)?;
    let size = std::fs::metadata(&release.archive)?.len();
    eprintln!(
        "[xtask] dist: {} ({:.1} MiB)\n  {}\n  unpack it and run ./{}/install.sh [--prefix DIR]",
        release.archive.display(),
        size as f64 / 1_048_576.0,
        release.checksum.display(),
        release.name
    );
    Ok(release)
}

/// Packs the nine binaries found in `binaries` into a release archive in `out`.
pub(crate) fn package(binaries: &Path, out: &Path, compression: Compression) -> Result<Release> {
    let version = version(binaries)?;
    let name = format!("tfstate-toolkit-{version}-{}", host_target()?);
    std::fs::create_dir_all(out).with_context(|| format!("create {}", out.display()))?;
    let stage = out.join(&name);
    if stage.exists() {
        std::fs::remove_dir_all(&stage)?;
    }
    for binary in all_binaries() {
        let built = binaries.join(binary);
        let installed = stage.join("bin").join(binary);
        write(&installed, &std::fs::read(&built)?, 0o755)?;
        for (kind, path) in generated_paths(binary) {
            write(&stage.join(path), &generate(&built, kind)?, 0o644)?;
        }
    }
    let root = project_root();
    let docs = stage.join("share/doc/tfstate-toolkit");
    write(
        &docs.join("README.md"),
        &std::fs::read(root.join("README.md"))?,
        0o644,
    )?;
    copy_tree(&root.join("docs"), &docs.join("docs"))?;
    write(&stage.join("install.sh"), INSTALL_SCRIPT.as_bytes(), 0o755)?;

    let files = files_under(&stage)?;
    let mut sums = String::new();
    for file in &files {
        let relative = file
            .strip_prefix(&stage)?
            .to_string_lossy()
            .replace('\\', "/");
        sums.push_str(&format!("{}  {relative}\n", sha256(&std::fs::read(file)?)));
    }
    write(&stage.join("SHA256SUMS"), sums.as_bytes(), 0o644)?;

    let archive = out.join(format!("{name}.tar.gz"));
    pack(&stage, &name, &archive, compression)?;
    let checksum = out.join(format!("{name}.tar.gz.sha256"));
    let line = format!("{}  {name}.tar.gz\n", sha256(&std::fs::read(&archive)?));
    std::fs::write(&checksum, line)?;
    std::fs::remove_dir_all(&stage)?;
    Ok(Release {
        name,
        archive,
        checksum,
    })
}

/// Where a binary's generated files go in the archive (and under the prefix).
pub(crate) fn generated_paths(binary: &str) -> [(&'static str, String); 4] {
    [
        ("man", format!("share/man/man1/{binary}.1")),
        (
            "bash",
            format!("share/bash-completion/completions/{binary}"),
        ),
        ("zsh", format!("share/zsh/site-functions/_{binary}")),
        (
            "fish",
            format!("share/fish/vendor_completions.d/{binary}.fish"),
        ),
    ]
}

/// The version every binary reports (`name 0.1.0 (abc1234 2026-11-22)`); they must agree.
fn version(binaries: &Path) -> Result<String> {
    let mut versions = Vec::new();
    for binary in all_binaries() {
        let path = binaries.join(binary);
        if !path.is_file() {
            bail!(
                "{} is not built: run `cargo build --workspace` (or `cargo xtask dist`)",
                path.display()
            );
        }
        let line = stdout(Command::new(&path).arg("--version"))?;
        let version = line
            .split_whitespace()
            .nth(1)
            .with_context(|| format!("{binary} --version printed `{line}`"))?
            .to_owned();
        versions.push(version);
    }
    versions.dedup();
    match versions.as_slice() {
        [one] => Ok(one.clone()),
        many => bail!("the binaries report different versions: {many:?}"),
    }
}

fn generate(binary: &Path, kind: &str) -> Result<Vec<u8>> {
    let output = Command::new(binary)
        .args(["--generate", kind])
        .output()
        .with_context(|| format!("run {}", binary.display()))?;
    if !output.status.success() || output.stdout.is_empty() {
        bail!(
            "`{} --generate {kind}` failed: {}",
            binary.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(output.stdout)
}

/// The host's target triple, from `rustc -vV`.
fn host_target() -> Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let info = stdout(Command::new(rustc).arg("-vV"))?;
    info.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
        .context("rustc -vV names no host")
}

fn write(path: &Path, contents: &[u8], mode: u32) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, contents).with_context(|| format!("write {}", path.display()))?;
    set_mode(path, mode)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(())
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> Result<()> {
    Ok(())
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    for file in files_under(from)? {
        let relative = file.strip_prefix(from)?;
        write(&to.join(relative), &std::fs::read(&file)?, 0o644)?;
    }
    Ok(())
}

/// Every file under `dir`, sorted.
pub(crate) fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).with_context(|| format!("read {}", dir.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A gzipped tar of `stage` under the top folder `name`: sorted, owned by root, fixed times.
fn pack(stage: &Path, name: &str, archive: &Path, compression: Compression) -> Result<()> {
    let level = match compression {
        Compression::Best => flate2::Compression::best(),
        Compression::Fast => flate2::Compression::fast(),
    };
    let file =
        std::fs::File::create(archive).with_context(|| format!("create {}", archive.display()))?;
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        std::io::BufWriter::new(file),
        level,
    ));
    tar.mode(tar::HeaderMode::Deterministic);
    tar.append_dir(name, stage)?;
    let mut paths = vec![stage.to_owned()];
    let mut index = 0;
    while let Some(dir) = paths.get(index).cloned() {
        index += 1;
        if dir.is_dir() {
            let mut children = std::fs::read_dir(&dir)?
                .map(|entry| entry.map(|entry| entry.path()))
                .collect::<std::io::Result<Vec<_>>>()?;
            children.sort();
            paths.extend(children);
        }
    }
    for path in &paths[1..] {
        let inside = Path::new(name).join(path.strip_prefix(stage)?);
        if path.is_dir() {
            tar.append_dir(&inside, path)?;
        } else {
            tar.append_path_with_name(path, &inside)?;
        }
    }
    let mut writer = tar.into_inner()?.finish()?;
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The unoptimized binaries `cargo test --workspace` built beside this test.
    fn built_binaries() -> PathBuf {
        let exe = std::env::current_exe().unwrap();
        let folder = exe.parent().and_then(Path::parent).unwrap().to_owned();
        for binary in all_binaries() {
            assert!(
                folder.join(binary).is_file(),
                "{} is missing: this test packs the binaries `cargo test --workspace` \
                 builds (run `cargo xtask test`, or `cargo build --workspace` first)",
                folder.join(binary).display()
            );
        }
        folder
    }

    fn sh(command: &mut Command) -> std::process::Output {
        command
            .output()
            .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
    }

    fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    /// Asks bash to complete `line` (ending in a partial word) with the installed script.
    fn bash_completions(script: &Path, binary: &str, line: &str) -> String {
        let words = line.split(' ').count() - 1;
        let program = format!(
            "source '{}' && function=$(complete -p {binary} | sed -n 's/.*-F \\([^ ]*\\).*/\\1/p') \
             && COMP_WORDS=({line}) && COMP_CWORD={words} && COMP_LINE='{line}' \
             && COMP_POINT=${{#COMP_LINE}} && \"$function\" {binary} \"${{COMP_WORDS[$COMP_CWORD]}}\" \
             \"${{COMP_WORDS[$COMP_CWORD-1]}}\" && printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display()
        );
        let output = sh(Command::new("bash").args(["-c", &program]));
        assert!(
            output.status.success(),
            "bash completion of `{line}` failed: {}",
            text(&output.stderr)
        );
        text(&output.stdout)
    }

    #[test]
    fn the_archive_installs_working_binaries_with_completions_and_man_pages() {
        let binaries = built_binaries();
        let work = tempfile::tempdir().unwrap();
        let release = package(&binaries, &work.path().join("out"), Compression::Fast).unwrap();
        assert!(
            release.name.starts_with("tfstate-toolkit-0."),
            "{}",
            release.name
        );

        // The archive's checksum, as a user checks a download.
        let checked = sh(Command::new("sha256sum")
            .args(["--check", "--strict"])
            .arg(release.checksum.file_name().unwrap())
            .current_dir(work.path().join("out")));
        assert!(checked.status.success(), "{}", text(&checked.stdout));

        // Unpack with tar and install into a temporary prefix.
        let unpacked = work.path().join("unpacked");
        std::fs::create_dir_all(&unpacked).unwrap();
        let untar = sh(Command::new("tar")
            .arg("-xzf")
            .arg(&release.archive)
            .arg("-C")
            .arg(&unpacked));
        assert!(untar.status.success(), "{}", text(&untar.stderr));
        let folder = unpacked.join(&release.name);
        let prefix = work.path().join("prefix");
        let install = || {
            sh(Command::new("sh")
                .arg(folder.join("install.sh"))
                .arg("--prefix")
                .arg(&prefix)
                .env("PATH", std::env::var("PATH").unwrap()))
        };
        let installed = install();
        assert!(installed.status.success(), "{}", text(&installed.stderr));
        assert!(
            text(&installed.stderr).contains("installed 9 binaries"),
            "{}",
            text(&installed.stderr)
        );
        assert!(text(&installed.stderr).contains("is not on PATH"));

        for binary in all_binaries() {
            let path = prefix.join("bin").join(binary);
            let version = sh(Command::new(&path).arg("--version"));
            assert!(version.status.success(), "{binary} --version failed");
            let version = text(&version.stdout);
            let built = sh(Command::new(binaries.join(binary)).arg("--version"));
            assert_eq!(
                version,
                text(&built.stdout),
                "{binary}: not the binary built"
            );
            // `name 0.1.0 (abc1234 2026-11-22)`: the version and the commit it was built from.
            let commit = version
                .trim()
                .strip_prefix(&format!(
                    "{binary} {} (",
                    release.name.split('-').nth(2).unwrap()
                ))
                .and_then(|rest| rest.strip_suffix(')'))
                .unwrap_or_else(|| panic!("{binary} --version printed {version}"));
            // A build outside a git checkout says so instead.
            let (hash, date) = match commit {
                "unknown commit" => ("0000000", "2000-01-01"),
                known => known.split_once(' ').unwrap(),
            };
            assert!(
                hash.len() >= 7 && hash.chars().all(|c| c.is_ascii_hexdigit()),
                "{binary}: {version}"
            );
            assert!(
                date.len() == 10 && date.starts_with("20"),
                "{binary}: {version}"
            );
            let help = sh(Command::new(&path).arg("--help"));
            assert!(help.status.success() && text(&help.stdout).contains("Usage:"));

            let man =
                std::fs::read_to_string(prefix.join(format!("share/man/man1/{binary}.1"))).unwrap();
            assert!(
                man.contains(&format!(".TH {binary} 1")),
                "{binary}.1: {man}"
            );
            assert!(man.contains("\\-\\-output"), "{binary}.1 lacks its flags");

            let zsh =
                std::fs::read_to_string(prefix.join(format!("share/zsh/site-functions/_{binary}")))
                    .unwrap();
            assert!(
                zsh.starts_with(&format!("#compdef {binary}")),
                "_{binary}: {zsh}"
            );
            let fish = std::fs::read_to_string(
                prefix.join(format!("share/fish/vendor_completions.d/{binary}.fish")),
            )
            .unwrap();
            // A tool with subcommands conditions each line (`-n "__fish_use_subcommand"`).
            assert!(
                fish.lines()
                    .any(|line| line.starts_with(&format!("complete -c {binary} "))
                        && line.contains("-l output")),
                "{binary}.fish: {fish}"
            );

            let bash = prefix.join(format!("share/bash-completion/completions/{binary}"));
            let offered = bash_completions(&bash, binary, &format!("{binary} --outp"));
            assert_eq!(
                offered.trim(),
                "--output",
                "{binary}: bash offered {offered}"
            );
        }
        let offered = bash_completions(
            &prefix.join("share/bash-completion/completions/destroy-s3-buckets"),
            "destroy-s3-buckets",
            "destroy-s3-buckets --type ",
        );
        assert_eq!(
            offered.split_whitespace().collect::<Vec<_>>(),
            [
                "logs",
                "traces",
                "metrics",
                "audit_logs",
                "backend-state",
                "all"
            ]
        );
        assert!(prefix.join("share/doc/tfstate-toolkit/README.md").is_file());

        // Installing again is harmless; --uninstall leaves no file behind.
        assert!(install().status.success());
        let removed = sh(Command::new("sh")
            .arg(folder.join("install.sh"))
            .args(["--uninstall", "--prefix"])
            .arg(&prefix));
        assert!(removed.status.success(), "{}", text(&removed.stderr));
        assert_eq!(files_under(&prefix).unwrap(), Vec::<PathBuf>::new());
    }

    #[test]
    fn the_archive_is_reproducible_and_sorted() {
        let work = tempfile::tempdir().unwrap();
        let stage = work.path().join("stage");
        write(&stage.join("share/b.txt"), b"b", 0o644).unwrap();
        write(&stage.join("bin/tool"), b"#!/bin/sh\n", 0o755).unwrap();
        write(&stage.join("a.txt"), b"a", 0o644).unwrap();
        let first = work.path().join("first.tar.gz");
        pack(&stage, "release", &first, Compression::Fast).unwrap();
        // Touch every file: times and creation order must not matter.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        std::fs::write(stage.join("a.txt"), b"a").unwrap();
        let second = work.path().join("second.tar.gz");
        pack(&stage, "release", &second, Compression::Fast).unwrap();
        assert_eq!(
            std::fs::read(&first).unwrap(),
            std::fs::read(&second).unwrap()
        );

        let listed = sh(Command::new("tar").arg("-tvzf").arg(&first));
        let listing = text(&listed.stdout);
        let names: Vec<&str> = listing
            .lines()
            .filter_map(|line| line.split_whitespace().last())
            .collect();
        assert_eq!(
            names,
            [
                "release",
                "release/a.txt",
                "release/bin",
                "release/share",
                "release/bin/tool",
                "release/share/b.txt"
            ]
        );
        assert!(
            listing.lines().all(|line| line.contains("0/0")),
            "{listing}"
        );
        assert!(listing.contains("-rwxr-xr-x 0/0"), "{listing}");
    }

    #[test]
    fn a_corrupt_file_or_a_bad_flag_installs_nothing() {
        let work = tempfile::tempdir().unwrap();
        let folder = work.path().join("release");
        write(
            &folder.join("bin/validate-cidr"),
            b"#!/bin/sh\necho ok\n",
            0o755,
        )
        .unwrap();
        write(
            &folder.join("share/man/man1/validate-cidr.1"),
            b".TH x 1\n",
            0o644,
        )
        .unwrap();
        write(&folder.join("install.sh"), INSTALL_SCRIPT.as_bytes(), 0o755).unwrap();
        let sums = format!(
            "{}  bin/validate-cidr\n{}  share/man/man1/validate-cidr.1\n",
            sha256(b"#!/bin/sh\necho ok\n"),
            sha256(b".TH x 1\n")
        );
        write(&folder.join("SHA256SUMS"), sums.as_bytes(), 0o644).unwrap();
        let prefix = work.path().join("prefix");
        let install = |args: &[&str]| {
            sh(Command::new("sh")
                .arg(folder.join("install.sh"))
                .args(args)
                .arg("--prefix")
                .arg(&prefix))
        };

        let bad = install(&["--frobnicate"]);
        assert_eq!(bad.status.code(), Some(2), "{}", text(&bad.stderr));
        assert!(text(&bad.stderr).contains("unknown argument '--frobnicate'"));

        std::fs::write(folder.join("bin/validate-cidr"), b"#!/bin/sh\necho evil\n").unwrap();
        let corrupt = install(&[]);
        assert_eq!(corrupt.status.code(), Some(3), "{}", text(&corrupt.stderr));
        assert!(text(&corrupt.stderr).contains("does not match SHA256SUMS"));
        assert!(!prefix.exists(), "a corrupt release wrote into the prefix");

        std::fs::write(folder.join("bin/validate-cidr"), b"#!/bin/sh\necho ok\n").unwrap();
        let good = install(&[]);
        assert!(good.status.success(), "{}", text(&good.stderr));
        assert!(text(&good.stderr).contains("installed 1 binary,"));
        let ran = sh(&mut Command::new(prefix.join("bin/validate-cidr")));
        assert_eq!(text(&ran.stdout), "ok\n");
    }
}
