//! Tidy checks: the invariants of docs/ARCHITECTURE.md, kept true by CI.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::project_root;

/// The eight library crates: products other Rust tools may link.
pub(crate) const LIBRARY_CRATES: [&str; 8] = [
    "naming",
    "aws-client",
    "cidr-registry",
    "backend-hcl",
    "aws-provisioner",
    "s3-audit",
    "s3-destroy",
    "remote-state",
];
/// Helpers that only serve this workspace.
const HELPER_CRATES: [&str; 3] = ["cli-support", "test-support", "xtask"];
/// The only crates that may depend on the AWS SDK (test-support sets up and reads back
/// what the toolkit did, in tests only).
const AWS_CRATES: [&str; 2] = ["aws-client", "test-support"];
/// The AWS SDK's crates: aws-sdk-*, and these.
const SDK_CRATES: [&str; 5] = [
    "aws-config",
    "aws-types",
    "aws-credential-types",
    "aws-smithy-types",
    "aws-smithy-async",
];
/// The domain crates that talk to AWS through aws-client: none depends on another.
const AWS_DOMAIN_CRATES: [&str; 4] = ["aws-provisioner", "s3-audit", "s3-destroy", "remote-state"];
/// Paths of SDK types that aws-client's public API never names.
const SDK_PATHS: [&str; 9] = [
    "aws_sdk_",
    "aws_types",
    "aws_config",
    "aws_smithy",
    "aws_credential_types",
    "SdkConfig",
    "SdkError",
    "s3t::",
    "HttpResponse",
];
/// Crates that do no network I/O.
const PURE_CRATES: [&str; 3] = ["naming", "cidr-registry", "backend-hcl"];
/// Dependencies that mean network I/O or an async runtime.
const NETWORK_DEPENDENCIES: [&str; 5] = ["tokio", "hyper", "hyper-util", "reqwest", "aws-config"];
/// One binary per original script.
/// The tools no original script had (they follow the others' conventions).
pub(crate) const NEW_BINARIES: [&str; 1] = ["manage-remote-state"];

/// Every binary of the toolkit: one per original script, then the new tools.
pub(crate) fn all_binaries() -> impl Iterator<Item = &'static str> {
    SCRIPT_BINARIES.into_iter().chain(NEW_BINARIES)
}

pub(crate) const SCRIPT_BINARIES: [&str; 8] = [
    "provision-s3-infrastructure",
    "provision-s3-client-centric",
    "manage-tenant-backends",
    "generate-client-backend",
    "validate-cidr",
    "verify-s3-security",
    "destroy-s3-buckets",
    "emergency-s3-cleanup",
];

struct Package {
    name: String,
    version: String,
    publishable: bool,
    dir: PathBuf,
    /// (dependency name, kind: "normal" | "dev" | "build", path if a path dependency)
    dependencies: Vec<(String, String, Option<PathBuf>)>,
}

fn packages(root: &Path) -> Result<Vec<Package>> {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(root)
        .output()
        .context("run cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)?;
    let packages = metadata["packages"].as_array().context("packages")?;
    Ok(packages
        .iter()
        .map(|package| Package {
            name: package["name"].as_str().unwrap_or_default().to_owned(),
            version: package["version"].as_str().unwrap_or_default().to_owned(),
            publishable: !package["publish"].as_array().is_some_and(Vec::is_empty),
            dir: Path::new(package["manifest_path"].as_str().unwrap_or_default())
                .parent()
                .map(Path::to_owned)
                .unwrap_or_default(),
            dependencies: package["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|dependency| {
                    (
                        dependency["name"].as_str().unwrap_or_default().to_owned(),
                        dependency["kind"].as_str().unwrap_or("normal").to_owned(),
                        dependency["path"].as_str().map(PathBuf::from),
                    )
                })
                .collect(),
        })
        .collect())
}

/// Runs every check and reports all violations at once.
pub(crate) fn check() -> Result<()> {
    let root = project_root();
    let mut problems = Vec::new();
    let packages = packages(&root)?;
    let architecture = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md"))
        .context("read docs/ARCHITECTURE.md")?;

    let mut binaries: Vec<String> = Vec::new();
    for package in &packages {
        let name = package.name.as_str();
        let relative = package.dir.strip_prefix(&root).unwrap_or(&package.dir);
        let folder = relative
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default();
        if folder != name {
            problems.push(format!(
                "{}: folder name differs from package `{name}`",
                relative.display()
            ));
        }
        let parent = relative
            .parent()
            .and_then(|p| p.to_str())
            .unwrap_or_default();
        match parent {
            "crates" if !LIBRARY_CRATES.contains(&name) && !HELPER_CRATES.contains(&name) => {
                problems.push(format!(
                    "crates/{name}: not one of the library crates {LIBRARY_CRATES:?} or helpers"
                ))
            }
            "bins" => check_command_package(package, name, &mut binaries, &mut problems),
            _ => {}
        }
        if LIBRARY_CRATES.contains(&name) {
            if package.version == "0.0.0" || !package.publishable {
                problems.push(format!(
                    "{name}: a library crate has a real version and is publishable"
                ));
            }
            let lib = std::fs::read_to_string(package.dir.join("src/lib.rs")).unwrap_or_default();
            if !lib.starts_with("//!") {
                problems.push(format!(
                    "{name}: src/lib.rs must open with a `//!` overview"
                ));
            }
            if !lib.contains("#![warn(missing_docs)]") {
                problems.push(format!(
                    "{name}: src/lib.rs must have #![warn(missing_docs)]"
                ));
            }
        }
        if HELPER_CRATES.contains(&name) && (package.version != "0.0.0" || package.publishable) {
            problems.push(format!(
                "{name}: helper crates stay at 0.0.0 with publish = false"
            ));
        }
        let manifest = std::fs::read_to_string(package.dir.join("Cargo.toml")).unwrap_or_default();
        if !manifest.contains("[lints]\nworkspace = true") {
            problems.push(format!(
                "{name}: Cargo.toml needs `[lints] workspace = true`"
            ));
        }
        if !architecture.contains(&format!("`{name}`")) {
            problems.push(format!(
                "{name}: docs/ARCHITECTURE.md's code map does not mention `{name}`"
            ));
        }
        for (dependency, kind, path) in &package.dependencies {
            let sdk =
                dependency.starts_with("aws-sdk-") || SDK_CRATES.contains(&dependency.as_str());
            if sdk && !AWS_CRATES.contains(&name) {
                problems.push(format!(
                    "{name}: depends on {dependency}; only {AWS_CRATES:?} may use the AWS SDK"
                ));
            }
            if kind != "dev"
                && AWS_DOMAIN_CRATES.contains(&name)
                && AWS_DOMAIN_CRATES.contains(&dependency.as_str())
            {
                problems.push(format!(
                    "{name}: depends on {dependency}; the AWS domain crates share aws-client, never each other"
                ));
            }
            if name == "cli-support"
                && kind != "dev"
                && LIBRARY_CRATES.contains(&dependency.as_str())
                && !["naming", "aws-client"].contains(&dependency.as_str())
            {
                problems.push(format!(
                    "cli-support: depends on {dependency}; the plumbing depends on no domain crate (a command lives in its bins/ package)"
                ));
            }
            if LIBRARY_CRATES.contains(&name) && dependency == "cli-support" {
                problems.push(format!(
                    "{name}: depends on cli-support; libraries know nothing of the command line"
                ));
            }
            if PURE_CRATES.contains(&name)
                && kind != "dev"
                && (NETWORK_DEPENDENCIES.contains(&dependency.as_str())
                    || dependency.starts_with("aws-"))
            {
                problems.push(format!(
                    "{name}: depends on {dependency}; it must do no network I/O"
                ));
            }
            if dependency == "anyhow" && kind != "dev" && parent != "bins" && name != "xtask" {
                problems.push(format!(
                    "{name}: anyhow belongs in bins/ and xtask; use a thiserror enum"
                ));
            }
            if let Some(path) = path {
                let target = path.strip_prefix(&root).unwrap_or(path);
                if target.starts_with("bins") || target.starts_with("xtask") {
                    problems.push(format!(
                        "{name}: depends on {}; nothing depends on bins/ or xtask",
                        target.display()
                    ));
                }
            }
        }
        check_tests_layout(package, relative, &mut problems);
    }
    binaries.sort();
    let mut scripts: Vec<String> = all_binaries().map(str::to_owned).collect();
    scripts.sort();
    if binaries != scripts {
        problems.push(format!(
            "bins/: the binaries are {binaries:?}; there must be exactly one per original script, and the new tools, {scripts:?}"
        ));
    }

    let support =
        std::fs::read_to_string(root.join("crates/cli-support/Cargo.toml")).unwrap_or_default();
    let features: Vec<&str> = support
        .split("[features]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .into_iter()
        .flat_map(str::lines)
        .filter_map(|line| line.split_once(" = ").map(|(feature, _)| feature.trim()))
        .collect();
    if features
        .iter()
        .any(|feature| !["default", "aws"].contains(feature))
    {
        problems.push(format!(
            "cli-support: features {features:?}; only `aws` (the AWS clients) may be switched, never a command"
        ));
    }
    check_no_sdk_in("cidr-registry-cli", &root, &mut problems)?;
    check_sources(&root, &mut problems)?;
    check_public_api(&root.join("crates/aws-client/src"), &mut problems)?;
    if problems.is_empty() {
        eprintln!(
            "[xtask] tidy: {} packages, every invariant holds",
            packages.len()
        );
        return Ok(());
    }
    for problem in &problems {
        eprintln!("tidy: {problem}");
    }
    bail!("tidy found {} problem(s)", problems.len())
}

/// `validate-cidr` calls no AWS service, so its package links no AWS crate at all.
fn check_no_sdk_in(package: &str, root: &Path, problems: &mut Vec<String>) -> Result<()> {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--locked",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "-p",
            package,
        ])
        .current_dir(root)
        .output()
        .context("run cargo tree")?;
    if !output.status.success() {
        bail!(
            "cargo tree failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let tree = String::from_utf8_lossy(&output.stdout);
    let mut linked: Vec<&str> = tree
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|crate_name| crate_name.starts_with("aws-"))
        .collect();
    linked.sort_unstable();
    linked.dedup();
    if !linked.is_empty() {
        problems.push(format!(
            "{package}: links {linked:?}; it calls no AWS service"
        ));
    }
    Ok(())
}

/// A package in bins/ is named `<library>-cli` for a library crate, holds its scripts'
/// binaries as `src/bin/<script>.rs` (each only parses flags and calls its command: one
/// function, `main`) and their commands in its library, and has no `src/main.rs`.
fn check_command_package(
    package: &Package,
    name: &str,
    binaries: &mut Vec<String>,
    problems: &mut Vec<String>,
) {
    let library = name.strip_suffix("-cli").unwrap_or_default();
    if !LIBRARY_CRATES.contains(&library) {
        problems.push(format!(
            "bins/{name}: a command package is named <library>-cli, for one of {LIBRARY_CRATES:?}"
        ));
    }
    if package.dir.join("src/main.rs").exists() {
        problems.push(format!(
            "bins/{name}: src/main.rs; binaries are src/bin/<script>.rs"
        ));
    }
    let Ok(entries) = std::fs::read_dir(package.dir.join("src/bin")) else {
        problems.push(format!("bins/{name}: no src/bin/"));
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(binary) = path.file_stem().and_then(|stem| stem.to_str()) else {
            continue;
        };
        if !SCRIPT_BINARIES.contains(&binary) && !NEW_BINARIES.contains(&binary) {
            problems.push(format!(
                "bins/{name}/src/bin/{binary}.rs: binaries are named exactly as the original scripts, {SCRIPT_BINARIES:?}, or are one of the new tools, {NEW_BINARIES:?}"
            ));
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let functions = text.matches("fn ").count();
        if functions != 1 || !text.contains("fn main()") {
            problems.push(format!(
                "bins/{name}/src/bin/{binary}.rs: a binary only parses its flags and calls its command (one `fn main`); the command lives in the package's library"
            ));
        }
        binaries.push(binary.to_owned());
    }
}

/// One integration-test binary per crate: `tests/it/main.rs`, no other top-level test files.
fn check_tests_layout(package: &Package, relative: &Path, problems: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(package.dir.join("tests")) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "rs") {
            problems.push(format!(
                "{}: {} is a separate test binary; put it in tests/it/",
                relative.display(),
                path.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
    }
}

/// No ignored tests and no should_panic anywhere in the sources.
fn check_sources(root: &Path, problems: &mut Vec<String>) -> Result<()> {
    let forbidden = [concat!("#[", "ignore"), concat!("#[", "should_panic")];
    let mut stack: Vec<PathBuf> = ["crates", "bins", "xtask"]
        .iter()
        .map(|dir| root.join(dir))
        .collect();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|name| name != "target") {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path)?;
            for pattern in forbidden {
                if text.contains(pattern) {
                    let relative = path.strip_prefix(root).unwrap_or(&path);
                    problems.push(format!(
                        "{}: contains {pattern}]: a test is run, never skipped",
                        relative.display()
                    ));
                }
            }
        }
    }
    Ok(())
}

/// aws-client's public API names no SDK type: every `pub` item's signature (up to its `{`,
/// `;` or `=`), every public field and every `pub use` is free of [`SDK_PATHS`].
fn check_public_api(dir: &Path, problems: &mut Vec<String>) -> Result<()> {
    let files = crate::dist::files_under(dir)?;
    for path in files
        .iter()
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
    {
        let text = std::fs::read_to_string(path)?;
        for (line, signature) in public_signatures(&text) {
            if let Some(found) = SDK_PATHS.iter().find(|sdk| signature.contains(**sdk)) {
                problems.push(format!(
                    "{}:{line}: a public item names the SDK ({found}): aws-client's API is in its own types",
                    path.strip_prefix(dir.parent().and_then(Path::parent).unwrap_or(dir)).unwrap_or(path).display()
                ));
            }
        }
    }
    Ok(())
}

/// The public items of a source file, each with its line: the text from `pub` to the first
/// `{`, `;` or ` =` (a signature, a field, a `pub use`), outside `#[cfg(test)]` modules.
fn public_signatures(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let tests_start = lines
        .iter()
        .position(|line| line.trim() == "#[cfg(test)]")
        .unwrap_or(lines.len());
    let mut index = 0;
    while index < tests_start {
        let trimmed = lines[index].trim_start();
        if trimmed.starts_with("pub ") {
            if trimmed.trim_end().ends_with(',') {
                // A field or a variant: one line.
                found.push((index + 1, trimmed.to_owned()));
                index += 1;
                continue;
            }
            let mut signature = String::new();
            let mut end = index;
            while end < tests_start {
                let part = lines[end];
                let stop = part.find(['{', ';']).or_else(|| part.find(" = "));
                match stop {
                    Some(at) => {
                        signature.push_str(&part[..at]);
                        break;
                    }
                    None => {
                        signature.push_str(part);
                        signature.push(' ');
                        end += 1;
                    }
                }
            }
            // A tuple struct's fields are private unless marked `pub`.
            if let Some(open) = signature.find('(')
                && signature.trim_start().starts_with("pub struct")
                && !signature[open..].contains("pub ")
            {
                signature.truncate(open);
            }
            found.push((index + 1, signature));
            index = end;
        }
        index += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_item_naming_an_sdk_type_is_found_and_a_private_one_is_not() {
        let text = "pub fn ok(bucket: &str) -> Result<(), AwsError> {\n}\n\
                    pub fn leaks(\n    error: SdkError<E>,\n) -> AwsError {\n}\n\
                    pub(crate) fn inner(e: SdkError<E>) {}\n\
                    pub struct S {\n    pub(crate) s3: aws_sdk_s3::Client,\n    pub raw: s3t::Tag,\n}\n\
                    pub struct Opaque(Box<s3t::Rule>);\npub struct Open(pub s3t::Rule);\n\
                    #[cfg(test)]\nmod tests {\n    pub fn t(_: aws_sdk_s3::Client) {}\n}\n";
        let flagged: Vec<usize> = public_signatures(text)
            .into_iter()
            .filter(|(_, signature)| SDK_PATHS.iter().any(|sdk| signature.contains(sdk)))
            .map(|(line, _)| line)
            .collect();
        assert_eq!(flagged, [3, 10, 13]);
    }
}
