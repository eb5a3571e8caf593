//! A state's identity (bucket, object path, workspace) and what its bytes say: Terraform's
//! JSON header and the names of its resources and outputs, or OpenTofu's encrypted envelope
//! (S5). Values are never kept: a resource or output is its name and a fingerprint of its
//! content, so two versions can be compared without printing a secret.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::records::md5_hex;

/// Terraform's default `workspace_key_prefix` (S3).
pub const WORKSPACE_PREFIX: &str = "env:";

/// The largest state read here: 256 MiB. Terraform keeps a state in memory whole; a bigger
/// object under a state's name is refused, named, before a byte of it is read.
pub const MAX_STATE_BYTES: u64 = 256 * 1024 * 1024;

/// A state's workspace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Workspace {
    /// `default`: the object path is the backend's `key`.
    Default,
    /// A named workspace: `env:/{name}/{key}`.
    Named(String),
}

impl fmt::Display for Workspace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Workspace::Default => f.write_str("default"),
            Workspace::Named(name) => f.write_str(name),
        }
    }
}

/// Where a state lives.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct StateId {
    /// The bucket.
    pub bucket: String,
    /// The object path (with the workspace prefix when not the default workspace).
    pub key: String,
    /// The workspace the path belongs to.
    pub workspace: Workspace,
    /// The backend's `key`: the path without the workspace prefix.
    pub backend_key: String,
}

impl StateId {
    /// The state at `key` in `bucket`, its workspace read from the path (`env:/{ws}/...`).
    pub fn new(bucket: &str, key: &str) -> StateId {
        let named = key
            .strip_prefix(WORKSPACE_PREFIX)
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.split_once('/'))
            .filter(|(workspace, rest)| !workspace.is_empty() && !rest.is_empty());
        let (workspace, backend_key) = match named {
            Some((workspace, rest)) => (Workspace::Named(workspace.to_owned()), rest.to_owned()),
            None => (Workspace::Default, key.to_owned()),
        };
        StateId {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            workspace,
            backend_key,
        }
    }
}

impl fmt::Display for StateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// Whether an object is a state: its name ends in `.tfstate` (every key scheme of the
/// toolkit, and Terraform's own default `terraform.tfstate`).
pub fn is_state_key(key: &str) -> bool {
    key.ends_with(".tfstate")
}

/// What a state version's bytes are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Content {
    /// Terraform's JSON, readable.
    Plain(Summary),
    /// OpenTofu's client-side encryption envelope: serial, lineage and resources are
    /// unreadable without the key; the digest still covers the stored bytes (S5).
    Encrypted {
        /// The envelope's `encryption_version`.
        encryption_version: String,
    },
}

impl Content {
    /// The readable summary, when not encrypted.
    pub fn summary(&self) -> Option<&Summary> {
        match self {
            Content::Plain(summary) => Some(summary),
            Content::Encrypted { .. } => None,
        }
    }
}

/// A readable state's header and the names of what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The state format (`version`: 4 today, 3 before Terraform 0.12).
    pub format: u64,
    /// The Terraform version that wrote it.
    pub terraform_version: String,
    /// Incremented by Terraform on every write.
    pub serial: u64,
    /// The state's identity across its life; never changes.
    pub lineage: String,
    /// Each resource by address, with a fingerprint of its instances.
    pub resources: BTreeMap<String, String>,
    /// Each output by name.
    pub outputs: BTreeMap<String, Output>,
}

/// An output, without its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Output {
    /// Marked sensitive.
    pub sensitive: bool,
    /// A fingerprint of the value (never the value).
    #[serde(skip)]
    pub fingerprint: String,
}

/// Bytes that are not a state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// Not JSON at all.
    #[error("not JSON ({message})")]
    NotJson {
        /// serde_json's message.
        message: String,
    },
    /// JSON, but not a Terraform state: a field is missing or of the wrong type.
    #[error("not a Terraform state: `{field}` is missing or not {expected}")]
    NotAState {
        /// The field.
        field: &'static str,
        /// What it should be.
        expected: &'static str,
    },
    /// A state format this toolkit does not read.
    #[error("state format {format} is not one Terraform 0.12 or later writes (3 or 4)")]
    UnknownFormat {
        /// The `version` field.
        format: u64,
    },
}

/// Reads a state version's bytes.
pub fn parse(bytes: &[u8]) -> Result<Content, StateError> {
    let document: Value = serde_json::from_slice(bytes).map_err(|error| StateError::NotJson {
        message: error.to_string(),
    })?;
    if let (Some(_), Some(version)) = (
        document.get("encrypted_data"),
        document.get("encryption_version").and_then(Value::as_str),
    ) {
        return Ok(Content::Encrypted {
            encryption_version: version.to_owned(),
        });
    }
    let format = number(&document, "version")?;
    let serial = number(&document, "serial")?;
    let lineage = text(&document, "lineage")?;
    let terraform_version = document
        .get("terraform_version")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let (resources, outputs) = match format {
        4 => (resources_v4(&document)?, outputs(document.get("outputs"))?),
        3 => contents_v3(&document)?,
        format => return Err(StateError::UnknownFormat { format }),
    };
    Ok(Content::Plain(Summary {
        format,
        terraform_version,
        serial,
        lineage,
        resources,
        outputs,
    }))
}

fn number(document: &Value, field: &'static str) -> Result<u64, StateError> {
    document
        .get(field)
        .and_then(Value::as_u64)
        .ok_or(StateError::NotAState {
            field,
            expected: "a whole number",
        })
}

fn text(document: &Value, field: &'static str) -> Result<String, StateError> {
    document
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or(StateError::NotAState {
            field,
            expected: "a string",
        })
}

fn fingerprint(value: &Value) -> String {
    md5_hex(value.to_string().as_bytes())
}

fn resources_v4(document: &Value) -> Result<BTreeMap<String, String>, StateError> {
    let Some(resources) = document.get("resources") else {
        return Ok(BTreeMap::new());
    };
    let resources = resources.as_array().ok_or(StateError::NotAState {
        field: "resources",
        expected: "a list",
    })?;
    let mut found = BTreeMap::new();
    for resource in resources {
        let part = |field: &'static str| {
            resource
                .get(field)
                .and_then(Value::as_str)
                .ok_or(StateError::NotAState {
                    field,
                    expected: "a string in every resource",
                })
        };
        let (kind, name) = (part("type")?, part("name")?);
        let mut address = String::new();
        if let Some(module) = resource.get("module").and_then(Value::as_str) {
            address.push_str(module);
            address.push('.');
        }
        if resource.get("mode").and_then(Value::as_str) == Some("data") {
            address.push_str("data.");
        }
        address.push_str(kind);
        address.push('.');
        address.push_str(name);
        let instances = resource.get("instances").cloned().unwrap_or(Value::Null);
        found.insert(address, fingerprint(&instances));
    }
    Ok(found)
}

fn outputs(outputs: Option<&Value>) -> Result<BTreeMap<String, Output>, StateError> {
    let Some(outputs) = outputs else {
        return Ok(BTreeMap::new());
    };
    let outputs = outputs.as_object().ok_or(StateError::NotAState {
        field: "outputs",
        expected: "an object",
    })?;
    Ok(outputs
        .iter()
        .map(|(name, output)| {
            let sensitive = output
                .get("sensitive")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let value = output.get("value").cloned().unwrap_or(Value::Null);
            (
                name.clone(),
                Output {
                    sensitive,
                    fingerprint: fingerprint(&value),
                },
            )
        })
        .collect())
}

type Contents = (BTreeMap<String, String>, BTreeMap<String, Output>);

/// Format 3 (Terraform 0.11): resources and outputs per module.
fn contents_v3(document: &Value) -> Result<Contents, StateError> {
    let modules =
        document
            .get("modules")
            .and_then(Value::as_array)
            .ok_or(StateError::NotAState {
                field: "modules",
                expected: "a list",
            })?;
    let (mut resources, mut all_outputs) = (BTreeMap::new(), BTreeMap::new());
    for module in modules {
        let path: Vec<&str> = module
            .get("path")
            .and_then(Value::as_array)
            .map(|path| path.iter().filter_map(Value::as_str).skip(1).collect())
            .unwrap_or_default();
        let prefix: String = path.iter().map(|name| format!("module.{name}.")).collect();
        if let Some(found) = module.get("resources").and_then(Value::as_object) {
            for (address, resource) in found {
                resources.insert(format!("{prefix}{address}"), fingerprint(resource));
            }
        }
        for (name, output) in outputs(module.get("outputs"))? {
            all_outputs.insert(format!("{prefix}{name}"), output);
        }
    }
    Ok((resources, all_outputs))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) const STATE: &str = r#"{
      "version": 4, "terraform_version": "1.0.3", "serial": 7,
      "lineage": "a1b2c3d4-0000-1111-2222-333344445555",
      "outputs": {
        "bucket": {"value": "acme-data", "type": "string"},
        "password": {"value": "hunter2", "type": "string", "sensitive": true}
      },
      "resources": [
        {"mode": "managed", "type": "aws_s3_bucket", "name": "data", "provider": "p",
         "instances": [{"attributes": {"bucket": "acme-data"}}]},
        {"module": "module.net", "mode": "data", "type": "aws_vpc", "name": "main",
         "provider": "p", "instances": []}
      ]
    }"#;

    #[test]
    fn a_state_reads_as_its_header_and_names() {
        let Content::Plain(summary) = parse(STATE.as_bytes()).unwrap() else {
            panic!("plain")
        };
        assert_eq!(
            (
                summary.format,
                summary.serial,
                summary.terraform_version.as_str()
            ),
            (4, 7, "1.0.3")
        );
        assert_eq!(summary.lineage, "a1b2c3d4-0000-1111-2222-333344445555");
        assert_eq!(
            summary.resources.keys().collect::<Vec<_>>(),
            ["aws_s3_bucket.data", "module.net.data.aws_vpc.main"]
        );
        assert!(summary.outputs["password"].sensitive);
        assert!(!summary.outputs["bucket"].sensitive);
        // Nothing of a value is printed, even in a debug dump or JSON.
        let json = serde_json::to_string(&summary).unwrap();
        assert!(
            !json.contains("hunter2") && !json.contains("acme-data"),
            "{json}"
        );
    }

    #[test]
    fn an_opentofu_envelope_is_recognised_without_its_key() {
        let envelope = br#"{"meta":{"key_provider.pbkdf2.main":"eyJ..."},"encrypted_data":"AAEC","encryption_version":"v0"}"#;
        assert_eq!(
            parse(envelope).unwrap(),
            Content::Encrypted {
                encryption_version: "v0".to_owned()
            }
        );
    }

    #[test]
    fn bad_bytes_are_named() {
        assert!(matches!(
            parse(b"{ not json"),
            Err(StateError::NotJson { .. })
        ));
        assert_eq!(
            parse(br#"{"version": 4, "serial": 1}"#),
            Err(StateError::NotAState {
                field: "lineage",
                expected: "a string"
            })
        );
        assert_eq!(
            parse(br#"{"version": 9, "serial": 1, "lineage": "x"}"#),
            Err(StateError::UnknownFormat { format: 9 })
        );
        let message = parse(br#"{"version": "4"}"#).unwrap_err().to_string();
        assert_eq!(
            message,
            "not a Terraform state: `version` is missing or not a whole number"
        );
    }

    #[test]
    fn a_format_3_state_names_its_module_resources() {
        let v3 = br#"{"version": 3, "terraform_version": "0.11.14", "serial": 2, "lineage": "l",
          "modules": [{"path": ["root"], "outputs": {"id": {"sensitive": false, "type": "string", "value": "x"}},
                       "resources": {"aws_s3_bucket.a": {"type": "aws_s3_bucket"}}},
                      {"path": ["root", "net"], "outputs": {}, "resources": {"aws_vpc.main": {}}}]}"#;
        let summary = parse(v3).unwrap().summary().cloned().unwrap();
        assert_eq!(
            summary.resources.keys().collect::<Vec<_>>(),
            ["aws_s3_bucket.a", "module.net.aws_vpc.main"]
        );
        assert_eq!(summary.outputs.keys().collect::<Vec<_>>(), ["id"]);
    }

    #[test]
    fn workspaces_are_read_from_the_path() {
        let default = StateId::new("b", "tenants/acme/terraform.tfstate");
        assert_eq!(default.workspace, Workspace::Default);
        assert_eq!(default.backend_key, "tenants/acme/terraform.tfstate");
        let named = StateId::new("b", "env:/staging/tenants/acme/terraform.tfstate");
        assert_eq!(named.workspace, Workspace::Named("staging".to_owned()));
        assert_eq!(named.backend_key, "tenants/acme/terraform.tfstate");
        assert_eq!(
            named.to_string(),
            "s3://b/env:/staging/tenants/acme/terraform.tfstate"
        );
        assert_eq!(StateId::new("b", "env:/x").workspace, Workspace::Default);
        assert!(is_state_key("a/terraform.tfstate"));
        assert!(!is_state_key("a/terraform.tfstate.tflock"));
    }
}
