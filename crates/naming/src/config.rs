//! `shared-config.toml` and the precedence of settings: flag > environment variable >
//! file > default.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::{ConfigError, Field, NamingError};
use crate::label::{Company, Environment, Project};
use crate::names::NamingRules;
use crate::region::Region;
use crate::scheme::{KeyScheme, LockMode, SettingGroup};

/// The file name looked for at the repository root.
pub const FILE_NAME: &str = "shared-config.toml";

/// The environment variable that names the config file, overriding discovery.
pub const CONFIG_ENV: &str = "TFSTATE_CONFIG";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    project: Option<Spanned<String>>,
    company: Option<Spanned<String>>,
    region: Option<Spanned<String>>,
    environment: Option<Spanned<String>>,
    key_scheme: Option<Spanned<String>>,
    lock: Option<Spanned<String>>,
    #[serde(default)]
    skip: Vec<Spanned<String>>,
    #[serde(default)]
    naming: RawNaming,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawNaming {
    state_bucket: Option<Spanned<String>>,
    observability_bucket: Option<Spanned<String>>,
    lock_table: Option<Spanned<String>>,
}

/// The settings recorded in `shared-config.toml`, every value validated.
///
/// ```toml
/// project     = "ohio-01"
/// company     = "Ohio Corp"
/// region      = "us-east-2"
/// environment = "production"
/// key_scheme  = "client-centric"
/// lock        = "dynamodb"
/// skip        = ["request-metrics"]   # settings provisioning leaves out
///
/// [naming]   # optional overrides of the contract's patterns
/// state_bucket         = "{project}-terraform-state-{environment}"
/// observability_bucket = "{project}-{region}-{kind}-{environment}"
/// lock_table           = "terraform-locks-{region_short}"
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedConfig {
    /// The file it was read from.
    pub path: PathBuf,
    /// `project`
    pub project: Option<Project>,
    /// `company`
    pub company: Option<Company>,
    /// `region`: the default region.
    pub region: Option<Region>,
    /// `environment`: the default environment.
    pub environment: Option<Environment>,
    /// `key_scheme`
    pub key_scheme: Option<KeyScheme>,
    /// `lock`
    pub lock: Option<LockMode>,
    /// `skip`: the setting groups provisioning leaves out.
    pub skip: Vec<SettingGroup>,
    /// `[naming]`: the patterns, defaults where not overridden.
    pub naming: NamingRules,
}

impl SharedConfig {
    /// Parses the text of a config file; `path` is used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<SharedConfig, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|error| ConfigError::Syntax {
            path: path.to_owned(),
            message: error.to_string().trim_end().replace('\n', "\n  "),
        })?;
        let origin = |key: &str, value: &Spanned<String>| {
            let line = text[..value.span().start].matches('\n').count() + 1;
            format!("{} line {line}, `{key}`", path.display())
        };
        fn field<T>(
            value: Option<&Spanned<String>>,
            key: &str,
            origin: &dyn Fn(&str, &Spanned<String>) -> String,
            parse: impl Fn(&str) -> Result<T, NamingError>,
        ) -> Result<Option<T>, ConfigError> {
            value
                .map(|value| {
                    parse(value.get_ref()).map_err(|error| ConfigError::Value {
                        origin: origin(key, value),
                        error: Box::new(error),
                    })
                })
                .transpose()
        }
        let naming = &raw.naming;
        fn pattern(value: &Option<Spanned<String>>) -> Option<&str> {
            value.as_ref().map(|v| v.get_ref().as_str())
        }
        let rules = NamingRules::new(
            pattern(&naming.state_bucket),
            pattern(&naming.observability_bucket),
            pattern(&naming.lock_table),
        )
        .map_err(|error| {
            let (key, value) = match error.field() {
                Some(Field::Pattern("state_bucket")) => {
                    ("naming.state_bucket", &naming.state_bucket)
                }
                Some(Field::Pattern("observability_bucket")) => {
                    ("naming.observability_bucket", &naming.observability_bucket)
                }
                _ => ("naming.lock_table", &naming.lock_table),
            };
            ConfigError::Value {
                origin: value
                    .as_ref()
                    .map_or_else(|| path.display().to_string(), |v| origin(key, v)),
                error: Box::new(error),
            }
        })?;
        Ok(SharedConfig {
            path: path.to_owned(),
            project: field(raw.project.as_ref(), "project", &origin, str::parse)?,
            company: field(raw.company.as_ref(), "company", &origin, str::parse)?,
            region: field(raw.region.as_ref(), "region", &origin, str::parse)?,
            environment: field(raw.environment.as_ref(), "environment", &origin, str::parse)?,
            key_scheme: field(raw.key_scheme.as_ref(), "key_scheme", &origin, str::parse)?,
            lock: field(raw.lock.as_ref(), "lock", &origin, str::parse)?,
            skip: raw
                .skip
                .iter()
                .map(|group| field(Some(group), "skip", &origin, str::parse).map(Option::unwrap))
                .collect::<Result<_, _>>()?,
            naming: rules,
        })
    }

    /// Reads and parses a config file.
    pub fn load(path: &Path) -> Result<SharedConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        SharedConfig::parse(&text, path)
    }

    /// Finds `shared-config.toml` in `start` or the nearest parent up to the repository
    /// root (the nearest directory holding `.git`), and loads it. Outside a repository only
    /// `start` itself is looked in, so a file planted in a shared parent folder (`/tmp`) is
    /// never picked up. `Ok(None)` when there is none: the file is optional.
    pub fn discover(start: &Path) -> Result<Option<SharedConfig>, ConfigError> {
        let root = repository_root(start);
        let searched: Vec<&Path> = match root {
            Some(root) => start
                .ancestors()
                .take_while(|dir| *dir != root)
                .chain([root])
                .collect(),
            None => vec![start],
        };
        for dir in searched {
            let candidate = dir.join(FILE_NAME);
            if candidate.is_file() {
                return SharedConfig::load(&candidate).map(Some);
            }
        }
        Ok(None)
    }
}

/// The repository `start` is in: the nearest of it and its parents that holds `.git`.
pub fn repository_root(start: &Path) -> Option<&Path> {
    start.ancestors().find(|dir| dir.join(".git").exists())
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag, such as `--region`.
    Flag(&'static str),
    /// An environment variable, such as `AWS_REGION`.
    Env(&'static str),
    /// The config file.
    File(PathBuf),
    /// The binary's default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "{flag}"),
            Source::Env(var) => write!(f, "${var}"),
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Default => f.write_str("default"),
        }
    }
}

/// A resolved setting and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: Source,
}

/// The raw values of the common flags, as the command line gave them.
#[derive(Debug, Clone, Default)]
pub struct Flags<'a> {
    /// `--project-name`
    pub project: Option<&'a str>,
    /// `--company-name`
    pub company: Option<&'a str>,
    /// `--region`
    pub region: Option<&'a str>,
    /// `--environment`
    pub environment: Option<&'a str>,
    /// `--key-scheme`
    pub key_scheme: Option<&'a str>,
    /// `--lock`
    pub lock: Option<&'a str>,
}

/// A binary's defaults, used when neither flag, variable nor file gives a value.
#[derive(Debug, Clone, Copy, Default)]
pub struct Defaults<'a> {
    /// The default environment, if the binary has one.
    pub environment: Option<&'a str>,
    /// The default region, if the binary has one.
    pub region: Option<&'a str>,
    /// The default key scheme, if the binary has one.
    pub key_scheme: Option<KeyScheme>,
}

/// Settings after precedence: flag > environment variable > file > default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The project, if any source gave one.
    pub project: Option<Sourced<Project>>,
    /// The company, if any source gave one.
    pub company: Option<Sourced<Company>>,
    /// The region, if any source gave one.
    pub region: Option<Sourced<Region>>,
    /// The environment, if any source gave one.
    pub environment: Option<Sourced<Environment>>,
    /// The key scheme, if any source gave one.
    pub key_scheme: Option<Sourced<KeyScheme>>,
    /// The lock mode; `dynamodb` by default, as in the seeds.
    pub lock: Sourced<LockMode>,
    /// The naming patterns of the file, or the contract's.
    pub naming: NamingRules,
    /// The setting groups the file says provisioning leaves out (the binaries' `--skip-*`
    /// flags add to them).
    pub skip: Vec<SettingGroup>,
    /// The config file that was used, if any.
    pub config_path: Option<PathBuf>,
}

/// The environment variables read, per setting, in order of precedence.
pub mod env_vars {
    /// Project name.
    pub const PROJECT: &[&str] = &["TFSTATE_PROJECT"];
    /// Company name.
    pub const COMPANY: &[&str] = &["TFSTATE_COMPANY"];
    /// Region: ours, then the AWS SDKs' own.
    pub const REGION: &[&str] = &["TFSTATE_REGION", "AWS_REGION", "AWS_DEFAULT_REGION"];
    /// Environment: ours, then the Terraform variable of seed 003's appendix.
    pub const ENVIRONMENT: &[&str] = &["TFSTATE_ENVIRONMENT", "TF_VAR_environment"];
    /// Key scheme.
    pub const KEY_SCHEME: &[&str] = &["TFSTATE_KEY_SCHEME"];
    /// Lock mode.
    pub const LOCK: &[&str] = &["TFSTATE_LOCK"];
}

/// Resolves every setting by precedence: a flag wins over an environment variable, which
/// wins over the file, which wins over the binary's default. `env` looks variables up
/// (pass `|name| std::env::var(name).ok()`); empty values count as unset.
///
/// ```
/// use naming::config::{resolve, Defaults, Flags, Source};
/// let env = |name: &str| (name == "AWS_REGION").then(|| "eu-west-1".to_owned());
/// let flags = Flags { project: Some("acme"), ..Flags::default() };
/// let settings = resolve(&flags, &env, None, Defaults { environment: Some("production"), ..Defaults::default() })?;
/// assert_eq!(settings.region.unwrap().source, Source::Env("AWS_REGION"));
/// assert_eq!(settings.environment.unwrap().source, Source::Default);
/// # Ok::<(), naming::ConfigError>(())
/// ```
pub fn resolve(
    flags: &Flags<'_>,
    env: &dyn Fn(&str) -> Option<String>,
    file: Option<&SharedConfig>,
    defaults: Defaults<'_>,
) -> Result<Settings, ConfigError> {
    let file_source = || Source::File(file.map(|f| f.path.clone()).unwrap_or_default());
    Ok(Settings {
        project: pick(
            flags.project,
            "--project-name",
            env_vars::PROJECT,
            env,
            file.and_then(|f| f.project.clone()),
            &file_source,
            None,
            str::parse,
        )?,
        company: pick(
            flags.company,
            "--company-name",
            env_vars::COMPANY,
            env,
            file.and_then(|f| f.company.clone()),
            &file_source,
            None,
            str::parse,
        )?,
        region: pick(
            flags.region,
            "--region",
            env_vars::REGION,
            env,
            file.and_then(|f| f.region),
            &file_source,
            defaults.region,
            str::parse,
        )?,
        environment: pick(
            flags.environment,
            "--environment",
            env_vars::ENVIRONMENT,
            env,
            file.and_then(|f| f.environment.clone()),
            &file_source,
            defaults.environment,
            str::parse,
        )?,
        key_scheme: pick(
            flags.key_scheme,
            "--key-scheme",
            env_vars::KEY_SCHEME,
            env,
            file.and_then(|f| f.key_scheme),
            &file_source,
            defaults.key_scheme.map(KeyScheme::as_str),
            str::parse,
        )?,
        lock: pick(
            flags.lock,
            "--lock",
            env_vars::LOCK,
            env,
            file.and_then(|f| f.lock),
            &file_source,
            Some(LockMode::default().as_str()),
            str::parse,
        )?
        .expect("the lock mode has a default"),
        naming: file.map(|f| f.naming.clone()).unwrap_or_default(),
        skip: file.map(|f| f.skip.clone()).unwrap_or_default(),
        config_path: file.map(|f| f.path.clone()),
    })
}

#[allow(clippy::too_many_arguments)]
fn pick<T>(
    flag: Option<&str>,
    flag_name: &'static str,
    vars: &'static [&'static str],
    env: &dyn Fn(&str) -> Option<String>,
    from_file: Option<T>,
    file_source: &dyn Fn() -> Source,
    default: Option<&str>,
    parse: impl Fn(&str) -> Result<T, NamingError>,
) -> Result<Option<Sourced<T>>, ConfigError> {
    let parse_from = |value: &str, source: Source| {
        parse(value)
            .map(|value| {
                Some(Sourced {
                    value,
                    source: source.clone(),
                })
            })
            .map_err(|error| ConfigError::Value {
                origin: source.to_string(),
                error: Box::new(error),
            })
    };
    if let Some(value) = flag {
        return parse_from(value, Source::Flag(flag_name));
    }
    for var in vars {
        if let Some(value) = env(var).filter(|value| !value.is_empty()) {
            return parse_from(&value, Source::Env(var));
        }
    }
    if let Some(value) = from_file {
        return Ok(Some(Sourced {
            value,
            source: file_source(),
        }));
    }
    match default {
        Some(value) => parse_from(value, Source::Default),
        None => Ok(None),
    }
}
