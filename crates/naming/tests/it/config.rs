//! `shared-config.toml`: parsing, discovery and the precedence flag > env > file > default.

use std::path::Path;

use naming::config::{Defaults, Flags, Source, resolve};
use naming::{ConfigError, KeyScheme, LockMode, SharedConfig};

const FULL: &str = r#"
project     = "ohio-01"
company     = "Ohio Corp"
region      = "us-east-2"
environment = "production"
key_scheme  = "client-centric"
lock        = "both"

[naming]
lock_table = "terraform-state-lock"
"#;

fn no_env(_: &str) -> Option<String> {
    None
}

fn file() -> SharedConfig {
    SharedConfig::parse(FULL, Path::new("/repo/shared-config.toml")).unwrap()
}

#[test]
fn a_full_file_is_read_with_every_value_validated() {
    let config = file();
    assert_eq!(config.project.unwrap().as_str(), "ohio-01");
    assert_eq!(config.company.unwrap().as_str(), "Ohio Corp");
    assert_eq!(config.region.unwrap().name(), "us-east-2");
    assert_eq!(config.key_scheme, Some(KeyScheme::ClientCentric));
    assert_eq!(config.lock, Some(LockMode::Both));
    assert_eq!(
        config.naming.lock_table_pattern().as_str(),
        "terraform-state-lock"
    );
    assert_eq!(
        config.naming.state_bucket_pattern().as_str(),
        "{project}-terraform-state-{environment}"
    );
}

#[test]
fn a_bad_value_in_the_file_names_the_file_line_key_value_and_rule() {
    let text = "project = \"ohio-01\"\nregion = \"us-east-7\"\n";
    let error = SharedConfig::parse(text, Path::new("shared-config.toml")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid region `us-east-7`: is not an AWS region (from shared-config.toml line 2, `region`)"
    );
    assert_eq!(error.hint(), Some("did you mean `us-east-1`?"));

    let text = "[naming]\n\nstate_bucket = \"{project}-{bucket}\"\n";
    let error = SharedConfig::parse(text, Path::new("shared-config.toml")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid naming pattern `state_bucket` `{project}-{bucket}`: has an unknown placeholder \
         `{bucket}` (from shared-config.toml line 3, `naming.state_bucket`)"
    );
    assert_eq!(
        error.hint(),
        Some("placeholders: {project}, {environment}, {region}, {region_short}")
    );

    let text = "[naming]\nobservability_bucket = \"{project}-obs\"\n";
    let error = SharedConfig::parse(text, Path::new("shared-config.toml")).unwrap_err();
    assert!(
        error.to_string().contains("must contain `{kind}`"),
        "{error}"
    );
}

#[test]
fn unknown_keys_and_bad_toml_are_syntax_errors_with_a_position() {
    for text in [
        "projct = \"x\"\n",
        "project = \n",
        "[naming]\nbucket = \"x\"\n",
        "project = 3\n",
    ] {
        let error = SharedConfig::parse(text, Path::new("shared-config.toml")).unwrap_err();
        assert!(
            matches!(error, ConfigError::Syntax { .. }),
            "{text:?} gave {error:?}"
        );
        assert!(error.to_string().contains("line"), "{error}");
        assert!(error.hint().is_some());
    }
}

#[test]
fn a_flag_beats_a_variable_beats_the_file_beats_the_default() {
    let config = file();
    let env = |name: &str| match name {
        "TFSTATE_ENVIRONMENT" => Some("staging".to_owned()),
        "AWS_REGION" => Some("eu-west-1".to_owned()),
        "TFSTATE_PROJECT" => Some(String::new()), // empty counts as unset
        _ => None,
    };
    let flags = Flags {
        region: Some("us-west-2"),
        ..Flags::default()
    };
    let defaults = Defaults {
        environment: Some("development"),
        key_scheme: Some(KeyScheme::Tenant),
        ..Defaults::default()
    };
    let settings = resolve(&flags, &env, Some(&config), defaults).unwrap();
    let region = settings.region.unwrap();
    assert_eq!(
        (region.value.name(), region.source),
        ("us-west-2", Source::Flag("--region"))
    );
    let environment = settings.environment.unwrap();
    assert_eq!(
        (environment.value.as_str(), environment.source),
        ("staging", Source::Env("TFSTATE_ENVIRONMENT"))
    );
    let project = settings.project.unwrap();
    assert_eq!(
        (project.value.as_str(), project.source),
        ("ohio-01", Source::File("/repo/shared-config.toml".into()))
    );
    assert_eq!(settings.key_scheme.unwrap().value, KeyScheme::ClientCentric);
    assert_eq!(settings.lock.value, LockMode::Both);
    assert_eq!(
        settings.naming.lock_table_pattern().as_str(),
        "terraform-state-lock"
    );

    let settings = resolve(&Flags::default(), &no_env, None, defaults).unwrap();
    assert_eq!(settings.environment.unwrap().source, Source::Default);
    assert_eq!(settings.key_scheme.unwrap().value, KeyScheme::Tenant);
    assert_eq!(settings.lock.value, LockMode::Dynamodb);
    assert_eq!(settings.lock.source, Source::Default);
    assert!(settings.project.is_none() && settings.region.is_none());
}

#[test]
fn the_seed_appendix_variables_are_read_after_ours() {
    let env = |name: &str| match name {
        "TF_VAR_environment" => Some("staging".to_owned()),
        "AWS_DEFAULT_REGION" => Some("eu-central-1".to_owned()),
        _ => None,
    };
    let settings = resolve(&Flags::default(), &env, None, Defaults::default()).unwrap();
    assert_eq!(
        settings.environment.unwrap().source,
        Source::Env("TF_VAR_environment")
    );
    assert_eq!(settings.region.unwrap().value.name(), "eu-central-1");
}

#[test]
fn an_invalid_value_names_where_it_came_from() {
    let flags = Flags {
        project: Some("Ohio_01"),
        ..Flags::default()
    };
    let error = resolve(&flags, &no_env, None, Defaults::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid project name `Ohio_01`: may contain only lowercase letters, digits and hyphens \
         (found 'O' at position 1) (from --project-name)"
    );
    assert_eq!(error.hint(), Some("try `ohio-01`"));

    let env = |name: &str| (name == "TFSTATE_LOCK").then(|| "redis".to_owned());
    let error = resolve(&Flags::default(), &env, None, Defaults::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid lock mode `redis`: is not a lock mode (from $TFSTATE_LOCK)"
    );
}

#[test]
fn discovery_walks_up_to_the_repository_root_and_no_further() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(
        outer.path().join("shared-config.toml"),
        "project = \"outside\"\n",
    )
    .unwrap();
    let repo = outer.path().join("repo");
    let deep = repo.join("providers/aws/regions/us-east-2");
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::create_dir(repo.join(".git")).unwrap();

    // Inside a repository without the file: the file above the repository is not used.
    assert_eq!(SharedConfig::discover(&deep).unwrap(), None);

    std::fs::write(repo.join("shared-config.toml"), FULL).unwrap();
    let found = SharedConfig::discover(&deep).unwrap().unwrap();
    assert_eq!(found.path, repo.join("shared-config.toml"));
    assert_eq!(found.project.unwrap().as_str(), "ohio-01");

    std::fs::write(repo.join("shared-config.toml"), "lock = \"redis\"\n").unwrap();
    let error = SharedConfig::discover(&deep).unwrap_err();
    assert!(error.to_string().contains("line 1, `lock`"), "{error}");
}

/// Outside a repository only the current folder counts: a file planted in a shared parent
/// (`/tmp`) is not picked up. Before, discovery walked up to `/`.
#[test]
fn outside_a_repository_only_the_current_folder_is_looked_in() {
    let shared = tempfile::tempdir().unwrap();
    std::fs::write(
        shared.path().join("shared-config.toml"),
        "project = \"planted\"\n",
    )
    .unwrap();
    let victim = shared.path().join("victim/work");
    std::fs::create_dir_all(&victim).unwrap();
    assert_eq!(SharedConfig::discover(&victim).unwrap(), None);
    // In the current folder itself, it is used.
    let found = SharedConfig::discover(shared.path()).unwrap().unwrap();
    assert_eq!(found.project.unwrap().as_str(), "planted");
}

#[test]
fn skip_names_setting_groups_and_a_wrong_one_is_refused_with_the_choices() {
    let path = Path::new("/repo/shared-config.toml");
    let config =
        SharedConfig::parse("skip = [\"request-metrics\", \"object-ownership\"]\n", path).unwrap();
    assert_eq!(
        config.skip,
        [
            naming::SettingGroup::RequestMetrics,
            naming::SettingGroup::ObjectOwnership
        ]
    );
    let error = SharedConfig::parse("\nskip = [\"metrics\"]\n", path).unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("line 2, `skip`") && text.contains("`metrics`"),
        "{text}"
    );
    let hint = error.hint().unwrap_or_default();
    assert!(
        hint.contains("request-metrics") && hint.contains("tls-policy"),
        "{hint}"
    );
}
