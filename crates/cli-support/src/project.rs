//! `--region`, `--environment`, `--project-name`: the flags that say which deployment a
//! binary works on, resolved with `shared-config.toml` and the environment.

use naming::config::{Defaults, Flags, Settings, Sourced, resolve};
#[cfg(feature = "aws")]
use naming::{Deployment, Environment, Project, Region};

use crate::args::{BaseArgs, CommonArgs, OutputChoice};
use crate::exit::Failure;

/// The deployment flags of the seeds' scripts.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ProjectArgs {
    /// AWS region, such as us-east-2 [env: TFSTATE_REGION, AWS_REGION; default: the profile's]
    #[arg(long, value_name = "REGION", global = true)]
    pub region: Option<String>,

    /// Environment, such as production [env: TFSTATE_ENVIRONMENT, TF_VAR_environment]
    #[arg(long, value_name = "ENV", global = true)]
    pub environment: Option<String>,

    /// Project name, the prefix of every bucket [env: TFSTATE_PROJECT]
    #[arg(long, value_name = "NAME", global = true)]
    pub project_name: Option<String>,
}

/// Where a missing setting can come from, for the error that says it is missing.
fn missing(flag: &str, key: &str, variable: &str) -> Failure {
    Failure::usage(format!("missing {flag}")).with_hint(format!(
        "pass {flag}, set {variable}, or add `{key} = ...` to shared-config.toml"
    ))
}

/// The value of a required setting, or the error that names every way to give it.
pub fn required<T>(
    value: Option<Sourced<T>>,
    flag: &str,
    key: &str,
    variable: &str,
) -> Result<T, Failure> {
    value
        .map(|sourced| sourced.value)
        .ok_or_else(|| missing(flag, key, variable))
}

impl ProjectArgs {
    /// Resolves these flags (and `extra`: company, key scheme, lock) with the environment and
    /// `shared-config.toml` by precedence flag > variable > file > default.
    pub fn settings<O: OutputChoice>(
        &self,
        common: &CommonArgs<O>,
        extra: Flags<'_>,
        defaults: Defaults<'_>,
    ) -> Result<Settings, Failure> {
        let flags = Flags {
            project: self.project_name.as_deref(),
            region: self.region.as_deref(),
            environment: self.environment.as_deref(),
            ..extra
        };
        resolve_settings(&common.base, &flags, defaults)
    }
}

/// Resolves `flags` with the environment and `shared-config.toml` by precedence flag >
/// variable > file > default.
pub fn resolve_settings<O: OutputChoice>(
    base: &BaseArgs<O>,
    flags: &Flags<'_>,
    defaults: Defaults<'_>,
) -> Result<Settings, Failure> {
    let file = base.shared_config()?;
    let env = |name: &str| std::env::var(name).ok();
    let settings = resolve(flags, &env, file.as_ref(), defaults)?;
    tracing::debug!(?settings, "settings resolved");
    Ok(settings)
}

/// The region from the settings, else from the AWS profile or environment, else an error.
#[cfg(feature = "aws")]
pub async fn region<O: OutputChoice>(
    settings: &Settings,
    common: &CommonArgs<O>,
) -> Result<Region, Failure> {
    if let Some(region) = &settings.region {
        return Ok(region.value);
    }
    match crate::aws::default_region(common).await {
        Some(name) => Ok(Region::new(&name).map_err(|error| {
            Failure::from(error).with_hint("the region comes from the AWS profile; pass --region")
        })?),
        None => Err(missing(
            "--region",
            "region",
            "TFSTATE_REGION or AWS_REGION",
        )),
    }
}

/// Project, environment and region, all required.
#[cfg(feature = "aws")]
pub async fn deployment<O: OutputChoice>(
    settings: &Settings,
    common: &CommonArgs<O>,
) -> Result<Deployment, Failure> {
    let project: Project = required(
        settings.project.clone(),
        "--project-name",
        "project",
        "TFSTATE_PROJECT",
    )?;
    let environment: Environment = required(
        settings.environment.clone(),
        "--environment",
        "environment",
        "TFSTATE_ENVIRONMENT",
    )?;
    Ok(Deployment {
        project,
        environment,
        region: region(settings, common).await?,
    })
}

#[cfg(test)]
mod tests {
    use naming::Project;

    use super::*;

    #[test]
    fn a_missing_setting_names_the_flag_the_variable_and_the_file_key() {
        let failure =
            required::<Project>(None, "--project-name", "project", "TFSTATE_PROJECT").unwrap_err();
        assert_eq!(failure.exit(), crate::Exit::Usage);
        assert_eq!(failure.message(), "missing --project-name");
        assert_eq!(
            failure.hint(),
            Some(
                "pass --project-name, set TFSTATE_PROJECT, or add `project = ...` to shared-config.toml"
            )
        );
    }
}
