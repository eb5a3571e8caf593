//! Drift between the registry and Terraform: the `clients` variable of every layer's
//! `clients.auto.tfvars` (seed 003: "each layer reads the same file"), parsed with hcl-rs.
//!
//! Reported, each as an error: a client whose `network.vpc_cidr` (or `network.cidr_offset`)
//! differs from the registry; a client in Terraform but not in the registry, or in the
//! registry but in none of the files of its region and environment; and a client defined
//! differently in two layers, or missing from some layers, with the attributes that differ.
//!
//! A file under `.../regions/{region}/layers/{layer}/{environment}/clients.auto.tfvars` is
//! compared with the registry's clients of that region and environment; any other file with
//! all of them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use hcl::eval::{Context, Evaluate};
use serde::Serialize;

use crate::check::{Check, ClientRef, Finding};
use crate::cidr::parse_strict;
use crate::registry::{Entry, Registry};
use crate::reserved::Severity;

/// Where seed 003 keeps the files, relative to the repository root.
pub const DEFAULT_PATTERN: &str = "providers/aws/regions/*/layers/*/*/clients.auto.tfvars";

/// Where a file sits in seed 003's layout.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Place {
    /// The region folder.
    pub region: String,
    /// The layer folder.
    pub layer: String,
    /// The environment folder.
    pub environment: String,
}

impl Place {
    /// Reads `regions/{region}/layers/{layer}/{environment}/{file}` from the end of `path`.
    pub fn of(path: &Path) -> Option<Place> {
        let parts: Vec<&str> = path.iter().filter_map(|part| part.to_str()).collect();
        match parts.as_slice() {
            [.., "regions", region, "layers", layer, environment, _file] => Some(Place {
                region: (*region).to_owned(),
                layer: (*layer).to_owned(),
                environment: (*environment).to_owned(),
            }),
            _ => None,
        }
    }
}

/// The `clients` of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct TfvarsFile {
    /// The file, as found.
    pub path: PathBuf,
    /// Its place in the layout, when it has one.
    pub place: Option<Place>,
    /// Its clients by name.
    pub clients: BTreeMap<String, hcl::Value>,
}

/// A file that cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum TfvarsError {
    /// A pattern that is not a glob.
    #[error("--tfvars pattern `{pattern}` is not a valid glob: {message}")]
    Pattern {
        /// The pattern.
        pattern: String,
        /// What is wrong.
        message: String,
    },
    /// A pattern given that matches nothing.
    #[error("--tfvars pattern `{0}` matches no file")]
    NoMatch(String),
    /// A file that cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A file that is not valid HCL, or whose `clients` is not a map of objects.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The files matching `patterns`, sorted; relative patterns are taken from `base`.
pub fn find(patterns: &[String], base: &Path, explicit: bool) -> Result<Vec<PathBuf>, TfvarsError> {
    let mut paths = Vec::new();
    for pattern in patterns {
        let full = if Path::new(pattern).is_absolute() {
            pattern.clone()
        } else {
            format!(
                "{}/{pattern}",
                glob::Pattern::escape(&base.to_string_lossy())
            )
        };
        let matches = glob::glob(&full).map_err(|error| TfvarsError::Pattern {
            pattern: pattern.clone(),
            message: error.msg.to_owned(),
        })?;
        let before = paths.len();
        for entry in matches {
            let path = entry.map_err(|error| TfvarsError::Io {
                path: error.path().to_owned(),
                source: std::io::Error::new(error.error().kind(), error.error().to_string()),
            })?;
            if path.is_file() {
                paths.push(path);
            }
        }
        if explicit && paths.len() == before {
            return Err(TfvarsError::NoMatch(pattern.clone()));
        }
    }
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// Reads the `clients` variable of a file.
pub fn read(path: &Path) -> Result<TfvarsFile, TfvarsError> {
    let text = std::fs::read_to_string(path).map_err(|source| TfvarsError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(&text, path)
}

/// Parses the `clients` variable of a file's text.
pub fn parse(text: &str, path: &Path) -> Result<TfvarsFile, TfvarsError> {
    let invalid = |message: String| TfvarsError::Invalid {
        path: path.to_owned(),
        message,
    };
    let body = hcl::parse(text).map_err(|error| {
        invalid(match &error {
            hcl::Error::Parse(parse) => format!(
                "not valid HCL at line {}, column {}: {}",
                parse.location().line(),
                parse.location().column(),
                parse.message()
            ),
            other => format!("not valid HCL: {other}"),
        })
    })?;
    let mut clients = BTreeMap::new();
    let Some(attribute) = body
        .attributes()
        .find(|attribute| attribute.key() == "clients")
    else {
        return Err(invalid("no `clients = {...}` variable".to_owned()));
    };
    let value = attribute
        .expr()
        .evaluate(&Context::new())
        .map_err(|error| invalid(format!("`clients` is not a constant value: {error}")))?;
    let hcl::Value::Object(map) = value else {
        return Err(invalid(
            "`clients` must be a map of client name to settings".to_owned(),
        ));
    };
    for (name, settings) in map {
        if !matches!(settings, hcl::Value::Object(_)) {
            return Err(invalid(format!(
                "client `{name}` must be an object of settings"
            )));
        }
        clients.insert(name, settings);
    }
    Ok(TfvarsFile {
        path: path.to_owned(),
        place: Place::of(path),
        clients,
    })
}

fn attribute<'a>(value: &'a hcl::Value, path: &[&str]) -> Option<&'a hcl::Value> {
    path.iter().try_fold(value, |value, key| match value {
        hcl::Value::Object(map) => map.get(*key),
        _ => None,
    })
}

fn show(value: &hcl::Value) -> String {
    match value {
        hcl::Value::String(text) => format!("{text:?}"),
        other => hcl::format::to_string(other)
            .map_or_else(|_| format!("{other:?}"), |text| text.trim().to_owned()),
    }
}

/// The attribute paths where two settings differ, as `path: left vs right`.
fn differences(left: &hcl::Value, right: &hcl::Value, path: &str, out: &mut Vec<String>) {
    match (left, right) {
        (hcl::Value::Object(a), hcl::Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match (a.get(key), b.get(key)) {
                    (Some(a), Some(b)) => differences(a, b, &path, out),
                    (Some(a), None) => out.push(format!("{path}: {} vs absent", show(a))),
                    (None, Some(b)) => out.push(format!("{path}: absent vs {}", show(b))),
                    (None, None) => {}
                }
            }
        }
        (a, b) if a != b => out.push(format!("{path}: {} vs {}", show(a), show(b))),
        _ => {}
    }
}

fn finding(message: String, hint: &str, clients: Vec<ClientRef>) -> Finding {
    Finding {
        severity: Severity::Error,
        check: Check::Drift,
        message,
        hint: Some(hint.to_owned()),
        clients,
    }
}

fn client_ref(entry: &Entry) -> ClientRef {
    ClientRef {
        name: entry.name.clone(),
        cidr: entry.vpc_cidr.value.clone(),
        line: entry.vpc_cidr.line,
    }
}

fn label(place: &Option<Place>) -> String {
    match place {
        Some(place) => format!("{}/{}", place.region, place.environment),
        None => "the files outside the layout".to_owned(),
    }
}

/// Every drift between the registry and `files`.
pub fn drift(registry: &Registry, files: &[TfvarsFile]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut groups: BTreeMap<Option<(String, String)>, Vec<&TfvarsFile>> = BTreeMap::new();
    for file in files {
        let key = file
            .place
            .as_ref()
            .map(|place| (place.region.clone(), place.environment.clone()));
        groups.entry(key).or_default().push(file);
    }
    let registered: BTreeMap<&str, &Entry> = registry
        .entries
        .iter()
        .map(|entry| (entry.name.as_str(), entry))
        .collect();
    for (scope, files) in &groups {
        let place = files[0].place.clone();
        let in_scope = |entry: &Entry| match scope {
            None => true,
            Some((region, environment)) => {
                entry
                    .region
                    .as_ref()
                    .is_some_and(|value| &value.value == region)
                    && entry
                        .environment
                        .as_ref()
                        .is_some_and(|value| &value.value == environment)
            }
        };
        let names: std::collections::BTreeSet<&String> =
            files.iter().flat_map(|file| file.clients.keys()).collect();
        for name in names {
            let holders: Vec<&&TfvarsFile> = files
                .iter()
                .filter(|file| file.clients.contains_key(name))
                .collect();
            let first = holders[0];
            let settings = &first.clients[name];
            let missing: Vec<String> = files
                .iter()
                .filter(|file| !file.clients.contains_key(name))
                .map(|file| file.path.display().to_string())
                .collect();
            let entry = registered.get(name.as_str()).copied();
            let refs = entry.map(client_ref).into_iter().collect::<Vec<_>>();
            if !missing.is_empty() {
                findings.push(finding(
                    format!(
                        "client `{name}` is in {} but missing from {}",
                        first.path.display(),
                        missing.join(", ")
                    ),
                    "copy the same clients.auto.tfvars into every layer (or symlink it)",
                    refs.clone(),
                ));
            }
            for other in &holders[1..] {
                let mut diff = Vec::new();
                differences(settings, &other.clients[name], "", &mut diff);
                if !diff.is_empty() {
                    let mut message = format!(
                        "client `{name}` differs between {} and {}: ",
                        first.path.display(),
                        other.path.display()
                    );
                    let shown = diff.len().min(3);
                    message.push_str(&diff[..shown].join("; "));
                    if diff.len() > shown {
                        let _ = write!(message, "; and {} more", diff.len() - shown);
                    }
                    findings.push(finding(
                        message,
                        "keep clients.auto.tfvars identical in every layer",
                        refs.clone(),
                    ));
                }
            }
            let Some(entry) = entry.filter(|entry| in_scope(entry)) else {
                let message = match entry {
                    Some(entry) => format!(
                        "client `{name}` is in {} but the registry has it in {}/{} (line {})",
                        first.path.display(),
                        entry
                            .region
                            .as_ref()
                            .map_or("no region", |value| value.value.as_str()),
                        entry
                            .environment
                            .as_ref()
                            .map_or("no environment", |value| value.value.as_str()),
                        entry.line
                    ),
                    None => format!(
                        "client `{name}` is in {} but not in the registry",
                        first.path.display()
                    ),
                };
                findings.push(finding(message, "register it: validate-cidr --allocate NAME, or copy its vpc_cidr into the registry", refs));
                continue;
            };
            match attribute(settings, &["network", "vpc_cidr"]) {
                Some(hcl::Value::String(cidr)) => {
                    let same = match (parse_strict(cidr), parse_strict(&entry.vpc_cidr.value)) {
                        (Ok(a), Ok(b)) => a == b,
                        _ => *cidr == entry.vpc_cidr.value,
                    };
                    if !same {
                        findings.push(finding(
                            format!(
                                "client `{name}`: network.vpc_cidr {cidr} in {} differs from the registry's {} (line {})",
                                first.path.display(),
                                entry.vpc_cidr.value,
                                entry.vpc_cidr.line
                            ),
                            "the registry is the source of truth: change the tfvars, or allocate and register a new block",
                            refs.clone(),
                        ));
                    }
                }
                other => findings.push(finding(
                    format!(
                        "client `{name}` in {} has {} network.vpc_cidr",
                        first.path.display(),
                        if other.is_some() {
                            "a non-string"
                        } else {
                            "no"
                        }
                    ),
                    "set network = { vpc_cidr = \"...\" } to the registry's block",
                    refs.clone(),
                )),
            }
            let offset =
                attribute(settings, &["network", "cidr_offset"]).and_then(hcl::Value::as_u64);
            if let (Some(offset), Some(registered)) = (offset, &entry.cidr_offset)
                && offset != u64::from(registered.value)
            {
                findings.push(finding(
                        format!(
                            "client `{name}`: network.cidr_offset {offset} in {} differs from the registry's {} (line {})",
                            first.path.display(),
                            registered.value,
                            registered.line
                        ),
                        "make them equal; subnet numbers start at cidr_offset",
                        refs,
                    ));
            }
        }
        for entry in registry.entries.iter().filter(|entry| in_scope(entry)) {
            if !files
                .iter()
                .any(|file| file.clients.contains_key(&entry.name))
            {
                findings.push(finding(
                    format!(
                        "client `{}` (registry line {}) is in no clients.auto.tfvars of {}",
                        entry.name,
                        entry.line,
                        label(&place)
                    ),
                    "add it to every layer's clients.auto.tfvars, or remove it from the registry",
                    vec![client_ref(entry)],
                ));
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> TfvarsFile {
        parse(text, Path::new(path)).unwrap()
    }

    const FOUNDATION: &str =
        "providers/aws/regions/us-east-2/layers/01-foundation/production/clients.auto.tfvars";
    const PLATFORM: &str =
        "providers/aws/regions/us-east-2/layers/02-platform/production/clients.auto.tfvars";

    const CLIENTS: &str = r#"
clients = {
  "acme" = {
    enabled = true
    network = {
      vpc_cidr    = "10.42.0.0/16"
      cidr_offset = 42
    }
    eks = { max_size = 5, instance_types = ["t3.medium"] }
  }
}
"#;

    fn messages(registry: &Registry, files: &[TfvarsFile]) -> Vec<String> {
        drift(registry, files)
            .into_iter()
            .map(|finding| finding.message)
            .collect()
    }

    fn registry(text: &str) -> Registry {
        Registry::parse(text).unwrap()
    }

    const REGISTRY: &str = "clients:\n  acme:\n    vpc_cidr: 10.42.0.0/16\n    region: us-east-2\n    environment: production\n    cidr_offset: 42\n";

    #[test]
    fn the_layout_gives_region_layer_and_environment() {
        assert_eq!(
            Place::of(Path::new(FOUNDATION)),
            Some(Place {
                region: "us-east-2".to_owned(),
                layer: "01-foundation".to_owned(),
                environment: "production".to_owned()
            })
        );
        assert_eq!(Place::of(Path::new("elsewhere/clients.auto.tfvars")), None);
    }

    #[test]
    fn identical_layers_matching_the_registry_have_no_drift() {
        let files = [file(FOUNDATION, CLIENTS), file(PLATFORM, CLIENTS)];
        assert_eq!(drift(&registry(REGISTRY), &files), []);
    }

    #[test]
    fn each_kind_of_drift_is_reported() {
        let changed = CLIENTS
            .replace("10.42.0.0/16", "10.43.0.0/16")
            .replace("max_size = 5", "max_size = 6");
        let files = [file(FOUNDATION, CLIENTS), file(PLATFORM, &changed)];
        let registry = registry(&format!(
            "{REGISTRY}  beta:\n    vpc_cidr: 10.50.0.0/16\n    region: us-east-2\n    environment: production\n"
        ));
        let messages: Vec<String> = messages(&registry, &files);
        assert_eq!(
            messages,
            [
                format!("client `acme` differs between {FOUNDATION} and {PLATFORM}: eks.max_size: 5 vs 6; network.vpc_cidr: \"10.42.0.0/16\" vs \"10.43.0.0/16\""),
                "client `beta` (registry line 7) is in no clients.auto.tfvars of us-east-2/production".to_owned(),
            ]
        );
    }

    #[test]
    fn cidr_and_offset_mismatches_and_strangers_are_reported() {
        let text = CLIENTS
            .replace("10.42.0.0/16", "10.99.0.0/16")
            .replace("cidr_offset = 42", "cidr_offset = 7")
            + "clients_extra = 1\n";
        let stranger = text.replace(
            "\"acme\" = {",
            "\"newco\" = {\n    network = { vpc_cidr = \"10.1.0.0/16\" }\n  }\n  \"acme\" = {",
        );
        let files = [file(FOUNDATION, &stranger)];
        let messages: Vec<String> = messages(&registry(REGISTRY), &files);
        assert_eq!(
            messages,
            [
                format!(
                    "client `acme`: network.vpc_cidr 10.99.0.0/16 in {FOUNDATION} differs from the registry's 10.42.0.0/16 (line 3)"
                ),
                format!(
                    "client `acme`: network.cidr_offset 7 in {FOUNDATION} differs from the registry's 42 (line 6)"
                ),
                format!("client `newco` is in {FOUNDATION} but not in the registry"),
            ]
        );
    }

    #[test]
    fn a_client_missing_from_one_layer_is_named() {
        let files = [file(FOUNDATION, CLIENTS), file(PLATFORM, "clients = {}\n")];
        let messages: Vec<String> = messages(&registry(REGISTRY), &files);
        assert_eq!(
            messages,
            [format!(
                "client `acme` is in {FOUNDATION} but missing from {PLATFORM}"
            )]
        );
    }

    #[test]
    fn files_that_are_not_tfvars_of_clients_are_refused() {
        for (text, expected) in [
            ("clients = {\n", "not valid HCL at line"),
            ("region = \"x\"\n", "no `clients = {...}` variable"),
            ("clients = [1]\n", "`clients` must be a map"),
            ("clients = { a = 1 }\n", "client `a` must be an object"),
            (
                "clients = { a = { x = var.y } }\n",
                "`clients` is not a constant value",
            ),
        ] {
            let error = parse(text, Path::new("f.tfvars")).unwrap_err().to_string();
            assert!(
                error.starts_with("f.tfvars: ") && error.contains(expected),
                "{text:?}: {error}"
            );
        }
    }
}
