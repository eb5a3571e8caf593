//! `manage-remote-state migrate`: states moved to new keys, every move planned (and
//! refused on a collision, an occupied key or a lock) before anything is written; each
//! state copied under both keys' locks with its digest; the new layout's backend files
//! written through `backend-hcl`; old states retired by `--finish`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use backend_hcl::{BackendConfig, Layout, Planned, Slot};
use cli_support::confirm::{Terminal, confirm, confirm_typed};
use cli_support::output::print_json;
use cli_support::{Exit, Failure, Reporter};
use futures::StreamExt;
use naming::{KeyOwner, KeyScheme, LockMode};
use remote_state::Depth;
use remote_state::migrate::{self, Finish, Mapping, MigrationPlan, Move};
use serde_json::json;

use super::{Change, Place, backend_files_of, op_failure};

/// How many old states are retired at once.
const RETIRES_IN_FLIGHT: usize = 16;

/// What `migrate` was asked.
pub(super) struct Migration<'a> {
    pub from_scheme: Option<&'a str>,
    pub to_scheme: Option<&'a str>,
    pub map: Option<&'a Path>,
    pub layer_map: Option<&'a str>,
    pub all_versions: bool,
    pub finish: bool,
    pub backends_dir: Option<&'a Path>,
    pub confirm_bucket: Option<&'a str>,
    pub change: Change,
}

fn scheme(flag: &str, value: &str) -> Result<KeyScheme, Failure> {
    value.parse().map_err(|error: naming::NamingError| {
        Failure::usage(format!("{flag}: {error}"))
            .with_hint("one of: tenant, client-centric, layer, environment")
    })
}

/// The mapping asked for: two schemes of the project's deployment, or a map file.
fn mapping(place: &Place, asked: &Migration<'_>) -> Result<Mapping, Failure> {
    if let Some(path) = asked.map {
        let text = std::fs::read_to_string(path).map_err(|error| {
            Failure::usage(format!("cannot read --map {}: {error}", path.display()))
        })?;
        return migrate::parse_map(&text).map_err(|error| {
            Failure::usage(format!("--map {}: {error}", path.display()))
                .with_hint("write one `OLD-KEY NEW-KEY` pair a line; `#` starts a comment")
        });
    }
    let (Some(from), Some(to)) = (asked.from_scheme, asked.to_scheme) else {
        return Err(Failure::usage(
            "migrate needs --from-scheme and --to-scheme, or --map FILE",
        ));
    };
    let (from, to) = (scheme("--from-scheme", from)?, scheme("--to-scheme", to)?);
    if from == to {
        return Err(Failure::usage(format!(
            "--from-scheme and --to-scheme are both {from}: nothing would move"
        )));
    }
    let layers = asked
        .layer_map
        .map(migrate::parse_layer_map)
        .transpose()
        .map_err(|error| {
            Failure::usage(error.to_string())
                .with_hint("write --layer-map foundation=01-foundation,platform=02-platform")
        })?
        .unwrap_or_default();
    let deployment = place.deployment.clone().ok_or_else(|| {
        Failure::usage("migrating between key schemes needs the project's deployment").with_hint(
            "pass --project-name, --environment and --region (or set them in shared-config.toml)",
        )
    })?;
    Ok(Mapping::Schemes {
        from,
        to,
        deployment,
        layers,
    })
}

pub(super) async fn run(
    place: &Place,
    asked: Migration<'_>,
    reporter: &Reporter,
) -> Result<Exit, Failure> {
    let mapping = mapping(place, &asked)?;
    if asked.finish {
        return finish(place, &mapping, &asked, reporter).await;
    }
    let depth = if asked.all_versions {
        Depth::Every
    } else {
        Depth::Current
    };
    let survey = place.survey("", depth).await?;
    let plan = migrate::plan(&survey.states, &mapping, asked.all_versions);
    let files = planned_files(place, &mapping, &plan, asked.backends_dir)?;
    show(place, &plan, &files, reporter);
    if !plan.refusals.is_empty() {
        if place.json {
            print_json(&json!({"plan": plan, "refused": true}))?;
            return Ok(Exit::Refused);
        }
        return Err(Failure::refused(format!(
            "nothing was moved: {} refusal(s) above",
            plan.refusals.len()
        ))
        .with_hint("resolve each one, then run the same command again"));
    }
    let pending: Vec<&Move> = plan.moves.iter().filter(|m| !m.is_done()).collect();
    if asked.change.dry_run {
        if place.json {
            print_json(
                &json!({"plan": plan, "files": files_json(&files.planned), "dry_run": true}),
            )?;
        } else {
            reporter.info("Dry run: nothing changed");
        }
        return Ok(Exit::Success);
    }
    if !pending.is_empty() {
        confirm(
            &mut Terminal,
            &format!(
                "move {} state(s) in s3://{}",
                pending.len(),
                place.target.bucket
            ),
            asked.change.force,
        )?;
    }
    let moved = remote_state::ops::move_states(&place.aws, &place.target, &pending).await;
    let results: Vec<(&Move, Result<(), remote_state::OpError>)> =
        pending.into_iter().zip(moved).collect();
    let mut failed = Vec::new();
    for (planned, result) in &results {
        match result {
            Ok(()) if !place.json => reporter.success(format!(
                "Moved {} → {} ({} version(s))",
                planned.from.key,
                planned.to.key,
                planned.copies.len()
            )),
            Ok(()) => {}
            Err(error) => failed.push(format!("{}: {error}", planned.from.key)),
        }
    }
    // Backend files only for the states that are where they point.
    let moved: Vec<&str> = plan
        .moves
        .iter()
        .filter(|m| {
            !results
                .iter()
                .any(|(planned, result)| planned.from.key == m.from.key && result.is_err())
        })
        .map(|m| m.to.backend_key.as_str())
        .collect();
    let planned: Vec<Planned> = files
        .planned
        .iter()
        .filter(|file| {
            file.slot
                .key
                .as_ref()
                .is_some_and(|key| moved.contains(&key.as_str()))
        })
        .cloned()
        .collect();
    // With a map the old files themselves are rewritten with their new key; with two
    // schemes the new layout's files are new, and one that holds something else is left.
    let rewrite = matches!(mapping, Mapping::Keys(_));
    let written = backend_hcl::files::write_all(&files.root, files.style, &planned, rewrite)
        .map_err(|error| Failure::external(error.to_string()))?;
    if place.json {
        print_json(&json!({
            "plan": plan,
            "files": written,
            "failed": failed,
        }))?;
    } else {
        super::report_written(reporter, &files.root, &written, "with its state's new key");
        for failure in &failed {
            reporter.error(failure);
        }
    }
    if !failed.is_empty() {
        return Err(op_failure_summary(&failed));
    }
    if !place.json {
        reporter.hint(
            "the old states stay until `manage-remote-state migrate --finish` (with the same mapping) retires them",
        );
    }
    Ok(Exit::Success)
}

fn op_failure_summary(failed: &[String]) -> Failure {
    Failure::external(format!(
        "{} state(s) did not move: {}",
        failed.len(),
        failed.join("; ")
    ))
    .with_hint("run the same command again: what moved is kept, the rest goes on where it stopped")
}

/// The backend files the new layout gets, and where they go.
pub(super) struct Files {
    root: PathBuf,
    style: backend_hcl::Style,
    planned: Vec<Planned>,
    /// New keys no file of the new layout names.
    unnamed: Vec<String>,
}

/// The new layout's files, one for each new backend key (a state's workspaces share it):
/// for two schemes, the file the new scheme's layout has for the key, holding what the old
/// file held (the key changed) or what the project's files hold; for a map, the old
/// files rewritten in place with their new key.
fn planned_files(
    place: &Place,
    mapping: &Mapping,
    plan: &MigrationPlan,
    dir: Option<&Path>,
) -> Result<Files, Failure> {
    let new_keys: BTreeMap<&str, &str> = plan
        .moves
        .iter()
        .map(|m| (m.to.backend_key.as_str(), m.from.backend_key.as_str()))
        .collect();
    // The old layout's files: the --from-scheme's, or the project's scheme with a map.
    let old_scheme = match mapping {
        Mapping::Schemes { from, .. } => *from,
        Mapping::Keys(_) => place.scheme,
    };
    let (old_root, old_files) = backend_files_of(old_scheme, dir)?;
    let old_config = |old_key: &str| -> Option<BackendConfig> {
        old_files
            .iter()
            .find(|file| {
                file.bucket.as_deref() == Some(place.target.bucket.as_str())
                    && file.key.as_deref() == Some(old_key)
            })
            .map(|file| file.config.clone())
    };
    let config = |new_key: &str, old_key: &str| -> Result<BackendConfig, Failure> {
        let fresh = backend_target(place)?.config(None);
        let mut config = match old_config(old_key) {
            Some(old) => BackendConfig { key: None, ..old },
            None => fresh,
        };
        config.key = Some(new_key.to_owned());
        Ok(config)
    };
    match mapping {
        Mapping::Keys(_) => {
            let layout = Layout::in_repository(place.scheme, dir);
            let mut planned = Vec::new();
            let mut unnamed = Vec::new();
            for (new_key, old_key) in &new_keys {
                let Some(file) = old_files.iter().find(|file| {
                    file.bucket.as_deref() == Some(place.target.bucket.as_str())
                        && file.key.as_deref() == Some(*old_key)
                }) else {
                    unnamed.push((*new_key).to_owned());
                    continue;
                };
                let relative = file
                    .path
                    .strip_prefix(&old_root)
                    .unwrap_or(&file.path)
                    .to_owned();
                planned.push(Planned {
                    slot: Slot {
                        path: relative,
                        key: naming::StateKey::new(*new_key).ok(),
                        owner: None,
                    },
                    config: config(new_key, old_key)?,
                });
            }
            Ok(Files {
                root: old_root,
                style: layout.style(),
                planned,
                unnamed,
            })
        }
        Mapping::Schemes { to, deployment, .. } => {
            let layout = Layout::in_repository(*to, dir);
            let mut planned = Vec::new();
            let mut unnamed = Vec::new();
            for (new_key, old_key) in &new_keys {
                let slots = match to.owner_of_key(deployment, new_key) {
                    Some(KeyOwner::Shared(_)) => layout.shared_slots(deployment),
                    Some(KeyOwner::Client(client, layer)) => {
                        layout.client_slots(deployment, &client, layer.as_ref())
                    }
                    None => Ok(Vec::new()),
                }
                .unwrap_or_default();
                let Some(slot) = slots
                    .into_iter()
                    .find(|slot| slot.key.as_ref().map(|k| k.as_str()) == Some(*new_key))
                else {
                    unnamed.push((*new_key).to_owned());
                    continue;
                };
                planned.push(Planned {
                    config: config(new_key, old_key)?,
                    slot,
                });
            }
            Ok(Files {
                root: layout.root().to_owned(),
                style: layout.style(),
                planned,
                unnamed,
            })
        }
    }
}

/// What the project's backend files name: this bucket, its region, its lock settings.
fn backend_target(place: &Place) -> Result<backend_hcl::Target, Failure> {
    let bucket = naming::BucketName::new(&place.target.bucket)?;
    let table = place
        .target
        .table
        .as_deref()
        .map(naming::TableName::new)
        .transpose()?;
    let lock = match (table.is_some(), place.target.lockfiles) {
        (true, true) => LockMode::Both,
        (false, true) => LockMode::S3,
        _ => LockMode::Dynamodb,
    };
    Ok(backend_hcl::Target {
        bucket,
        region: place.region,
        table,
        lock,
        kms_key_id: None,
    })
}

fn files_json(planned: &[Planned]) -> Vec<serde_json::Value> {
    planned
        .iter()
        .map(|file| json!({"path": file.slot.path, "key": file.config.key}))
        .collect()
}

fn show(place: &Place, plan: &MigrationPlan, files: &Files, reporter: &Reporter) {
    if place.json {
        return;
    }
    reporter.heading(format!(
        "Migrate {} state(s) in s3://{} ({} stay where they are)",
        plan.moves.len(),
        place.target.bucket,
        plan.staying
    ));
    let path_of = |new_key: &str| {
        files
            .planned
            .iter()
            .find(|file| file.config.key.as_deref() == Some(new_key))
            .map(|file| files.root.join(&file.slot.path).display().to_string())
    };
    for planned in &plan.moves {
        let state = if planned.is_done() {
            "done".to_owned()
        } else if planned.copies.is_empty() {
            "copied; the digest row to set".to_owned()
        } else if planned.copies.len() < planned.versions {
            format!(
                "{} of {} version(s) left to copy",
                planned.copies.len(),
                planned.versions
            )
        } else {
            format!("{} version(s) to copy", planned.versions)
        };
        reporter.raw(&format!(
            "  {} → {} [{state}]",
            planned.from.key, planned.to.key
        ));
        if let Some(path) = path_of(&planned.to.backend_key) {
            reporter.raw(&format!("      backend file: {path}"));
        }
    }
    for key in &files.unnamed {
        reporter.warning(format!(
            "no backend file of the new layout names {key}: write one for it"
        ));
    }
    for refusal in &plan.refusals {
        reporter.error(refusal.describe());
    }
}

async fn finish(
    place: &Place,
    mapping: &Mapping,
    asked: &Migration<'_>,
    reporter: &Reporter,
) -> Result<Exit, Failure> {
    let survey = place.survey("", Depth::Every).await?;
    let outcomes = migrate::finish(&survey.states, mapping);
    let retire: Vec<&Finish> = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Finish::Retire { .. }))
        .collect();
    let left = outcomes.len() - retire.len();
    if !place.json {
        reporter.heading(format!(
            "Finish the migration in s3://{}: retire {} old state(s)",
            place.target.bucket,
            retire.len()
        ));
        for outcome in &outcomes {
            match outcome {
                Finish::Retire { from, to, .. } => reporter.raw(&format!(
                    "  retire {} (moved to {to}): a delete marker, its versions kept; its digest row deleted",
                    from.key
                )),
                Finish::NotMoved { from, to } => {
                    reporter.warning(format!("{from} is not at {to} yet: left as it is"))
                }
                Finish::WrittenSince { from, to } => reporter.warning(format!(
                    "{from} was written since it was moved to {to}: left as it is; run migrate again to move its new version"
                )),
                Finish::Locked { from, holder } => {
                    reporter.warning(format!("{from} is locked by {holder}: left as it is"))
                }
            }
        }
    }
    if asked.change.dry_run || retire.is_empty() {
        if place.json {
            print_json(&json!({"finish": outcomes, "dry_run": asked.change.dry_run}))?;
        } else if asked.change.dry_run {
            reporter.info("Dry run: nothing changed");
        } else {
            reporter.info("Nothing to retire");
        }
        return Ok(if left > 0 {
            Exit::Findings
        } else {
            Exit::Success
        });
    }
    let bucket = place.target.bucket.as_str();
    confirm_typed(
        &mut Terminal,
        &format!("retire {} old state(s) in s3://{bucket}", retire.len()),
        bucket,
        asked.change.force && asked.confirm_bucket == Some(bucket),
        "pass --force --confirm-bucket <the bucket's name> to retire without a terminal",
    )?;
    let results: Vec<Result<(), String>> = futures::stream::iter(retire)
        .map(|outcome| async move {
            let Finish::Retire {
                from, version_id, ..
            } = outcome
            else {
                return Ok(());
            };
            remote_state::ops::retire(&place.aws, &place.target, from, version_id)
                .await
                .map_err(|error| format!("{}: {}", from.key, op_failure(error)))
        })
        .buffer_unordered(RETIRES_IN_FLIGHT)
        .collect()
        .await;
    let failed: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    if place.json {
        print_json(&json!({"finish": outcomes, "failed": failed}))?;
    } else {
        for failure in &failed {
            reporter.error(failure);
        }
    }
    if !failed.is_empty() {
        return Err(op_failure_summary(&failed));
    }
    if !place.json {
        reporter.success("Retired the old states; their versions stay in the bucket's history");
    }
    Ok(if left > 0 {
        Exit::Findings
    } else {
        Exit::Success
    })
}
