//! The backend configuration model: the attributes of a `-backend-config` file for
//! Terraform's S3 backend, parsed and rendered with hcl-rs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use hcl::{Attribute, Body, Expression, Structure};

/// The largest backend file read; real ones are a few hundred bytes.
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// The type a setting of the S3 backend takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String,
    Bool,
    Number,
    List,
    Map,
    /// An object or a nested block (`assume_role`, `endpoints`).
    Nested,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Kind::String => "a string",
            Kind::Bool => "a bool (true or false)",
            Kind::Number => "a number",
            Kind::List => "a list",
            Kind::Map => "a map",
            Kind::Nested => "an object or block",
        }
    }
}

/// Every setting Terraform's S3 backend accepts (Terraform 1.0 to 1.10), with its type.
const S3_BACKEND_SETTINGS: &[(&str, Kind)] = &[
    ("bucket", Kind::String),
    ("key", Kind::String),
    ("region", Kind::String),
    ("encrypt", Kind::Bool),
    ("kms_key_id", Kind::String),
    ("dynamodb_table", Kind::String),
    ("use_lockfile", Kind::Bool),
    ("workspace_key_prefix", Kind::String),
    ("acl", Kind::String),
    ("sse_customer_key", Kind::String),
    ("access_key", Kind::String),
    ("secret_key", Kind::String),
    ("token", Kind::String),
    ("profile", Kind::String),
    ("shared_credentials_file", Kind::String),
    ("shared_credentials_files", Kind::List),
    ("shared_config_files", Kind::List),
    ("role_arn", Kind::String),
    ("session_name", Kind::String),
    ("external_id", Kind::String),
    ("assume_role_duration_seconds", Kind::Number),
    ("assume_role_policy", Kind::String),
    ("assume_role_policy_arns", Kind::List),
    ("assume_role_tags", Kind::Map),
    ("assume_role_transitive_tag_keys", Kind::List),
    ("assume_role", Kind::Nested),
    ("assume_role_with_web_identity", Kind::Nested),
    ("endpoints", Kind::Nested),
    ("endpoint", Kind::String),
    ("dynamodb_endpoint", Kind::String),
    ("iam_endpoint", Kind::String),
    ("sts_endpoint", Kind::String),
    ("sts_region", Kind::String),
    ("force_path_style", Kind::Bool),
    ("use_path_style", Kind::Bool),
    ("skip_credentials_validation", Kind::Bool),
    ("skip_metadata_api_check", Kind::Bool),
    ("skip_region_validation", Kind::Bool),
    ("skip_requesting_account_id", Kind::Bool),
    ("skip_s3_checksum", Kind::Bool),
    ("max_retries", Kind::Number),
    ("custom_ca_bundle", Kind::String),
    ("ec2_metadata_service_endpoint", Kind::String),
    ("ec2_metadata_service_endpoint_mode", Kind::String),
    ("http_proxy", Kind::String),
    ("https_proxy", Kind::String),
    ("no_proxy", Kind::String),
    ("insecure", Kind::Bool),
    ("use_dualstack_endpoint", Kind::Bool),
    ("use_fips_endpoint", Kind::Bool),
    ("use_legacy_workflow", Kind::Bool),
];

fn kind_of(key: &str) -> Option<Kind> {
    S3_BACKEND_SETTINGS
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(_, kind)| *kind)
}

/// The settings the toolkit writes, in the order of seeds 001 and 003 ([`Style::Standard`]).
pub const MANAGED: [&str; 7] = [
    "bucket",
    "key",
    "region",
    "encrypt",
    "dynamodb_table",
    "use_lockfile",
    "kms_key_id",
];

/// The order of the managed settings in a file: each seed writes its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Seed 000: bucket, key, region, dynamodb_table, encrypt.
    Tenant,
    /// Seeds 001 and 003: bucket, key, region, encrypt, dynamodb_table.
    Standard,
}

impl Style {
    fn order(self) -> [&'static str; 7] {
        match self {
            Style::Tenant => [
                "bucket",
                "key",
                "region",
                "dynamodb_table",
                "encrypt",
                "use_lockfile",
                "kms_key_id",
            ],
            Style::Standard => MANAGED,
        }
    }
}

/// A setting the toolkit does not write, kept as it was found.
#[derive(Debug, Clone, PartialEq)]
pub struct Other {
    key: String,
    structure: Structure,
}

impl Other {
    /// The setting's name.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether Terraform's S3 backend knows the setting.
    pub fn is_s3_backend_setting(&self) -> bool {
        kind_of(&self.key).is_some()
    }
}

/// The attributes of a `-backend-config` file for the S3 backend.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BackendConfig {
    /// `bucket`
    pub bucket: Option<String>,
    /// `key`
    pub key: Option<String>,
    /// `region`
    pub region: Option<String>,
    /// `encrypt`
    pub encrypt: Option<bool>,
    /// `dynamodb_table`
    pub dynamodb_table: Option<String>,
    /// `use_lockfile` (Terraform ≥ 1.10)
    pub use_lockfile: Option<bool>,
    /// `kms_key_id`
    pub kms_key_id: Option<String>,
    /// Every other setting, in file order: S3 backend settings the toolkit does not write
    /// (`profile`, `role_arn`, `workspace_key_prefix`, ...) and keys it does not know.
    pub others: Vec<Other>,
}

/// What is wrong with a backend file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct FileError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong, and where.
    pub problem: String,
}

/// The bytes of `path`, a regular file of at most [`MAX_FILE_BYTES`] (a symbolic link is
/// followed; what it leads to must be a regular file too).
pub(crate) fn read_regular(path: &Path) -> Result<Vec<u8>, FileError> {
    use std::io::Read;
    let cannot = |error: std::io::Error| FileError::new(path, format!("cannot read: {error}"));
    let metadata = std::fs::metadata(path).map_err(cannot)?;
    if !metadata.is_file() {
        return Err(FileError::new(
            path,
            format!(
                "is not a regular file ({}); backend files are plain files",
                file_kind(&metadata.file_type())
            ),
        ));
    }
    let too_big = |size: u64| {
        FileError::new(
            path,
            format!(
                "is {size} bytes; a backend file is a few lines, so files over 1 MiB are refused"
            ),
        )
    };
    if metadata.len() > MAX_FILE_BYTES {
        return Err(too_big(metadata.len()));
    }
    // At most one byte more than the limit, should the file grow while it is read.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// What a file that is not a regular file is, in words.
pub(crate) fn file_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a folder"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "a device"
    } else {
        "not a plain file"
    }
}

impl FileError {
    pub(crate) fn new(path: &Path, problem: impl Into<String>) -> FileError {
        FileError {
            path: path.to_owned(),
            problem: problem.into(),
        }
    }
}

/// The 1-based line where `key` is assigned for the `nth` time (0-based), for messages.
fn line_of(text: &str, key: &str, nth: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            let line = line.trim_start();
            line.strip_prefix(key).is_some_and(|rest| {
                rest.trim_start().starts_with('=') || rest.trim_start().starts_with('{')
            })
        })
        .nth(nth)
        .map(|(index, _)| index + 1)
}

fn type_name(expression: &Expression) -> &'static str {
    match expression {
        Expression::Null => "null",
        Expression::Bool(_) => "a bool",
        Expression::Number(_) => "a number",
        Expression::String(_) => "a string",
        Expression::Array(_) => "a list",
        Expression::Object(_) => "an object",
        Expression::TemplateExpr(_) => "a template with interpolation",
        _ => "an expression",
    }
}

fn fits(kind: Kind, expression: &Expression) -> bool {
    matches!(
        (kind, expression),
        (Kind::String, Expression::String(_))
            | (Kind::Bool, Expression::Bool(_))
            | (Kind::Number, Expression::Number(_))
            | (Kind::List, Expression::Array(_))
            | (Kind::Map | Kind::Nested, Expression::Object(_))
    )
}

impl BackendConfig {
    /// Parses the text of a backend file; `path` names the file in errors. Every S3 backend
    /// setting is checked for its type; a key assigned twice, interpolation, and anything that
    /// is not HCL are errors. Keys the S3 backend does not know are kept (see
    /// [`BackendConfig::unknown_keys`]).
    pub fn parse(text: &str, path: &Path) -> Result<BackendConfig, FileError> {
        let body: Body =
            hcl::parse(text).map_err(|error| FileError::new(path, describe_parse_error(&error)))?;
        let mut config = BackendConfig::default();
        let mut seen: Vec<String> = Vec::new();
        for structure in body.into_iter() {
            let key = match &structure {
                Structure::Attribute(attribute) => attribute.key.to_string(),
                Structure::Block(block) => block.identifier.to_string(),
            };
            if seen.contains(&key) {
                let line = line_of(text, &key, 1)
                    .map(|line| format!(" (line {line})"))
                    .unwrap_or_default();
                return Err(FileError::new(
                    path,
                    format!("`{key}` is set twice{line}; Terraform takes one value"),
                ));
            }
            seen.push(key.clone());
            let line = || {
                line_of(text, &key, 0)
                    .map(|line| format!("line {line}: "))
                    .unwrap_or_default()
            };
            let expected = kind_of(&key);
            if let Structure::Attribute(Attribute { expr, .. }) = &structure {
                if let Some(kind) = expected
                    && !fits(kind, expr)
                {
                    return Err(FileError::new(
                        path,
                        format!(
                            "{}`{key}` must be {}, found {}",
                            line(),
                            kind.describe(),
                            type_name(expr)
                        ),
                    ));
                }
                if config.set_managed(&key, expr) {
                    continue;
                }
            } else if expected.is_some_and(|kind| kind != Kind::Nested) {
                let kind = expected.expect("checked");
                return Err(FileError::new(
                    path,
                    format!(
                        "{}`{key}` must be {}, found a block",
                        line(),
                        kind.describe()
                    ),
                ));
            }
            config.others.push(Other { key, structure });
        }
        Ok(config)
    }

    /// Sets a setting the toolkit writes, if `key` is one (its type was checked).
    fn set_managed(&mut self, key: &str, expression: &Expression) -> bool {
        let text = || match expression {
            Expression::String(value) => Some(value.clone()),
            _ => None,
        };
        let flag = match expression {
            Expression::Bool(value) => Some(*value),
            _ => None,
        };
        match key {
            "bucket" => self.bucket = text(),
            "key" => self.key = text(),
            "region" => self.region = text(),
            "dynamodb_table" => self.dynamodb_table = text(),
            "kms_key_id" => self.kms_key_id = text(),
            "encrypt" => self.encrypt = flag,
            "use_lockfile" => self.use_lockfile = flag,
            _ => return false,
        }
        true
    }

    /// Reads and parses a backend file: a regular file (never a FIFO, device or socket,
    /// which could hang the read or never end) of at most [`MAX_FILE_BYTES`].
    pub fn read(path: &Path) -> Result<BackendConfig, FileError> {
        let bytes = read_regular(path)?;
        let text =
            String::from_utf8(bytes).map_err(|_| FileError::new(path, "is not UTF-8 text"))?;
        BackendConfig::parse(&text, path)
    }

    /// Keys that are not settings of Terraform's S3 backend (Terraform would refuse them).
    pub fn unknown_keys(&self) -> Vec<&str> {
        self.others
            .iter()
            .filter(|other| !other.is_s3_backend_setting())
            .map(Other::key)
            .collect()
    }

    /// This configuration's managed settings with `others` taken from `existing`: what a
    /// regenerated file keeps of the file it replaces.
    pub fn keeping_others_of(mut self, existing: &BackendConfig) -> BackendConfig {
        self.others = existing.others.clone();
        self
    }

    /// Renders the file as `terraform fmt` lays it out: one attribute a line, `=` aligned
    /// across the run of single-line attributes, blocks after a blank line.
    pub fn render(&self, style: Style) -> String {
        let mut attributes: Vec<(String, String)> = Vec::new();
        for name in style.order() {
            let value = match name {
                "bucket" => self.bucket.clone().map(Expression::String),
                "key" => self.key.clone().map(Expression::String),
                "region" => self.region.clone().map(Expression::String),
                "dynamodb_table" => self.dynamodb_table.clone().map(Expression::String),
                "kms_key_id" => self.kms_key_id.clone().map(Expression::String),
                "encrypt" => self.encrypt.map(Expression::Bool),
                "use_lockfile" => self.use_lockfile.map(Expression::Bool),
                _ => None,
            };
            if let Some(value) = value {
                attributes.push((name.to_owned(), format_expression(&value)));
            }
        }
        let mut blocks = Vec::new();
        for other in &self.others {
            match &other.structure {
                Structure::Attribute(attribute) => {
                    attributes.push((other.key.clone(), format_expression(&attribute.expr)))
                }
                Structure::Block(block) => {
                    blocks.push(hcl::format::to_string(block).expect("a parsed block formats"))
                }
            }
        }
        let width = attributes
            .iter()
            .filter(|(_, value)| !value.contains('\n'))
            .map(|(key, _)| key.len())
            .max()
            .unwrap_or(0);
        let mut text = String::new();
        for (key, value) in &attributes {
            let _ = writeln!(text, "{key:<width$} = {value}");
        }
        for block in blocks {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&block);
        }
        text
    }
}

/// A parse error in one line: where, and what the parser expected.
fn describe_parse_error(error: &hcl::Error) -> String {
    match error {
        hcl::Error::Parse(parse) => {
            let location = parse.location();
            let message = parse.message();
            if message.contains("redefined attribute") {
                format!(
                    "line {}: a key is set twice; Terraform takes one value",
                    location.line()
                )
            } else {
                format!(
                    "not valid HCL at line {}, column {}: {message}",
                    location.line(),
                    location.column()
                )
            }
        }
        other => format!(
            "not valid HCL: {}",
            other.to_string().trim_end().replace('\n', " ")
        ),
    }
}

fn format_expression(expression: &Expression) -> String {
    match expression {
        Expression::String(text) => quote(text),
        other => hcl::format::to_string(other).expect("a parsed or built expression formats"),
    }
}

/// An HCL string literal that Terraform (and hcl-rs) read back as `text`: quotes,
/// backslashes and control characters escaped, and every `${` and `%{` doubled so it is not
/// an interpolation. (hcl-rs's own formatter loses a `${` that follows a `$`.)
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<BackendConfig, FileError> {
        BackendConfig::parse(text, Path::new("foundation.hcl"))
    }

    #[test]
    fn the_seed_000_example_parses_and_renders_back_character_for_character() {
        let text = "bucket         = \"myproject-terraform-state-production\"\n\
                    key            = \"tenants/mtn-ghana/layers/foundation/production/terraform.tfstate\"\n\
                    region         = \"us-west-2\"\n\
                    dynamodb_table = \"terraform-locks-us-west\"\n\
                    encrypt        = true\n";
        let config = parse(text).unwrap();
        assert_eq!(
            config.bucket.as_deref(),
            Some("myproject-terraform-state-production")
        );
        assert_eq!(config.encrypt, Some(true));
        assert_eq!(config.render(Style::Tenant), text);
    }

    #[test]
    fn unmodeled_keys_are_kept_in_order_and_unknown_ones_reported() {
        let text = "bucket = \"b\"\nprofile = \"prod\"\nkey = \"k\"\nmystery = 3\n\nassume_role {\n  role_arn = \"arn:aws:iam::1:role/x\"\n}\n";
        let config = parse(text).unwrap();
        let keys: Vec<&str> = config.others.iter().map(Other::key).collect();
        assert_eq!(keys, ["profile", "mystery", "assume_role"]);
        assert_eq!(config.unknown_keys(), ["mystery"]);
        let rendered = config.render(Style::Standard);
        assert_eq!(
            rendered,
            "bucket  = \"b\"\nkey     = \"k\"\nprofile = \"prod\"\nmystery = 3\n\nassume_role {\n  role_arn = \"arn:aws:iam::1:role/x\"\n}\n"
        );
        assert_eq!(parse(&rendered).unwrap(), config);
    }

    #[test]
    fn strings_are_quoted_so_terraform_reads_them_back_unchanged() {
        // Checked against `terraform console` (Terraform 1.0.3).
        assert_eq!(quote("${$${"), "\"$${$$${\"");
        assert_eq!(quote("a%{x} \"q\" \\"), "\"a%%{x} \\\"q\\\" \\\\\"");
        assert_eq!(quote("line\nnext\u{7}"), "\"line\\nnext\\u0007\"");
    }

    #[test]
    fn hostile_input_gets_one_clear_error_naming_the_file() {
        let cases = [
            (
                "this is not hcl {{{",
                "foundation.hcl: not valid HCL at line 1, column",
            ),
            (
                "bucket = \"a\"\nbucket = \"b\"\n",
                "foundation.hcl: line 2: a key is set twice; Terraform takes one value",
            ),
            (
                "encrypt = \"yes\"\n",
                "foundation.hcl: line 1: `encrypt` must be a bool (true or false), found a string",
            ),
            (
                "bucket = 5\n",
                "foundation.hcl: line 1: `bucket` must be a string, found a number",
            ),
            (
                "key = [\"a\"]\n",
                "foundation.hcl: line 1: `key` must be a string, found a list",
            ),
            (
                "bucket = \"${var.x}\"\n",
                "foundation.hcl: line 1: `bucket` must be a string, found a template with interpolation",
            ),
            (
                "region {\n}\n",
                "foundation.hcl: line 1: `region` must be a string, found a block",
            ),
        ];
        for (text, message) in cases {
            let error = parse(text).unwrap_err().to_string();
            assert!(error.starts_with(message), "{text:?} gave {error}");
        }
    }
}
