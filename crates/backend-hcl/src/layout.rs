//! Where each key scheme puts its backend files, and which files belong to a tenant.
//!
//! | scheme | shared layer files | tenant or client files |
//! |---|---|---|
//! | `tenant` (seed 000) | — | `aws/{env}/{region}/tenants/{tenant}/{foundation,platform,observability,shared-services,backend}.hcl` |
//! | `client-centric` (seed 001) | `aws/{env}/{region}/{foundation,platform,shared-services,observability}.hcl` | `aws/{env}/{region}/clients/{client}.hcl` (other layers: `clients/{client}/{layer}.hcl`) |
//! | `layer` (seed 003) | `providers/aws/regions/{region}/layers/{layer}/{env}/backend.hcl` | — |
//! | `environment` (seed 002) | `shared/backend-configs/{env}.hcl` (no key), `{env}/{region}/{layer}.hcl` | `{env}/{region}/clients/{client}.hcl` |
//!
//! Paths are relative to the backends directory (`--backends-dir`, default `backends/`), or
//! to the repository root for the `layer` scheme, whose files live in each layer's folder.

use std::path::{Path, PathBuf};

use naming::{Client, Deployment, Environment, KeyScheme, Layer, LayerSpec, Region, StateKey};

use crate::config::Style;

/// The client layer that gets the plain `clients/{client}.hcl` file (seed 001's default).
pub const DEFAULT_CLIENT_LAYER: &str = "04-standalone-compute";

/// One backend file a scheme calls for: where it goes and the state key it names (`None` for
/// seed 002's per-environment file, which has no key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The file, relative to the layout's root.
    pub path: PathBuf,
    /// The state key it names.
    pub key: Option<StateKey>,
    /// The tenant or client it belongs to, if any.
    pub owner: Option<Client>,
}

/// A key scheme's folder layout under a root directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    scheme: KeyScheme,
    root: PathBuf,
}

impl Layout {
    /// The layout of `scheme` under `root`, or under the scheme's default root: `backends/`,
    /// or `.` (the repository root) for the `layer` scheme.
    pub fn new(scheme: KeyScheme, root: Option<&Path>) -> Layout {
        Layout {
            scheme,
            root: root.map_or_else(
                || PathBuf::from(Layout::default_dir(scheme)),
                Path::to_owned,
            ),
        }
    }

    /// The layout of `scheme` under `dir` when given, else under the scheme's default
    /// folder at the repository root that holds the current directory (or here, outside a
    /// repository); paths stay relative when the run starts at the root.
    pub fn in_repository(scheme: KeyScheme, dir: Option<&Path>) -> Layout {
        if let Some(dir) = dir {
            return Layout::new(scheme, Some(dir));
        }
        let here = std::env::current_dir().ok();
        let root = here
            .as_deref()
            .and_then(naming::config::repository_root)
            .filter(|root| Some(*root) != here.as_deref());
        match root {
            Some(root) => match Layout::default_dir(scheme) {
                "." => Layout::new(scheme, Some(root)),
                dir => Layout::new(scheme, Some(&root.join(dir))),
            },
            None => Layout::new(scheme, None),
        }
    }

    /// Where the scheme's files live by default, from the repository root: `backends`, or
    /// the root itself (`.`) for the layer scheme, whose `backend.hcl` files sit beside
    /// each layer's code.
    pub fn default_dir(scheme: KeyScheme) -> &'static str {
        match scheme {
            KeyScheme::Layer => ".",
            _ => "backends",
        }
    }

    /// The scheme.
    pub fn scheme(&self) -> KeyScheme {
        self.scheme
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The order the scheme's seed writes settings in.
    pub fn style(&self) -> Style {
        match self.scheme {
            KeyScheme::Tenant => Style::Tenant,
            _ => Style::Standard,
        }
    }

    fn env_region(&self, place: Place<'_>) -> PathBuf {
        let (env, region) = (place.environment.as_str(), place.region.name());
        match self.scheme {
            KeyScheme::Tenant | KeyScheme::ClientCentric => ["aws", env, region].iter().collect(),
            KeyScheme::Environment => [env, region].iter().collect(),
            KeyScheme::Layer => ["providers", "aws", "regions", region].iter().collect(),
        }
    }

    /// The directory under the root that holds the files of one environment and region
    /// (the files `--check-sync` looks at), and for the `environment` scheme also its
    /// per-environment file.
    pub fn scope(&self, place: Place<'_>) -> Vec<PathBuf> {
        let mut scope = vec![self.env_region(place)];
        if self.scheme == KeyScheme::Environment {
            scope.push(environment_file(place.environment));
        }
        scope
    }

    /// Whether a file (relative to the root) is one of this deployment's, for the
    /// `layer` scheme whose region folder holds every environment's files.
    pub fn in_scope(&self, place: Place<'_>, relative: &Path) -> bool {
        let in_dir = self
            .scope(place)
            .iter()
            .any(|scope| relative.starts_with(scope));
        match self.scheme {
            KeyScheme::Layer => {
                in_dir
                    && relative
                        .parent()
                        .and_then(Path::file_name)
                        .and_then(|n| n.to_str())
                        == Some(place.environment.as_str())
            }
            _ => in_dir,
        }
    }

    /// The files of the scheme's shared layers.
    pub fn shared_slots(&self, deployment: &Deployment) -> Result<Vec<Slot>, naming::NamingError> {
        let mut slots = Vec::new();
        if self.scheme == KeyScheme::Environment {
            slots.push(Slot {
                path: environment_file(&deployment.environment),
                key: None,
                owner: None,
            });
        }
        for spec in self.scheme.layers().shared {
            let key = self.scheme.shared_key(deployment, &spec.layer())?;
            let dir = self.env_region(Place::of(deployment));
            let path = match self.scheme {
                KeyScheme::Layer => dir
                    .join("layers")
                    .join(spec.name)
                    .join(deployment.environment.as_str())
                    .join("backend.hcl"),
                _ => dir.join(format!("{}.hcl", spec.file_stem)),
            };
            slots.push(Slot {
                path,
                key: Some(key),
                owner: None,
            });
        }
        Ok(slots)
    }

    /// The files of one tenant (tenant scheme) or one client in `layer` (client-centric; the
    /// environment scheme's clients have one state and take no layer).
    pub fn client_slots(
        &self,
        deployment: &Deployment,
        client: &Client,
        layer: Option<&Layer>,
    ) -> Result<Vec<Slot>, naming::NamingError> {
        let dir = self.env_region(Place::of(deployment));
        let slot = |path: PathBuf, key: StateKey| Slot {
            path,
            key: Some(key),
            owner: Some(client.clone()),
        };
        match self.scheme {
            KeyScheme::Tenant => self
                .scheme
                .layers()
                .client
                .iter()
                .map(|spec: &LayerSpec| {
                    let key = self
                        .scheme
                        .client_key(deployment, client, Some(&spec.layer()))?;
                    let path = dir
                        .join("tenants")
                        .join(client.as_str())
                        .join(format!("{}.hcl", spec.file_stem));
                    Ok(slot(path, key))
                })
                .collect(),
            KeyScheme::ClientCentric => {
                let layer = match layer {
                    Some(layer) => layer.clone(),
                    None => Layer::new(DEFAULT_CLIENT_LAYER)?,
                };
                let key = self.scheme.client_key(deployment, client, Some(&layer))?;
                let clients = dir.join("clients");
                let path = if layer.as_str() == DEFAULT_CLIENT_LAYER {
                    clients.join(format!("{client}.hcl"))
                } else {
                    clients.join(client.as_str()).join(format!("{layer}.hcl"))
                };
                Ok(vec![slot(path, key)])
            }
            KeyScheme::Environment => {
                let key = self.scheme.client_key(deployment, client, None)?;
                Ok(vec![slot(
                    dir.join("clients").join(format!("{client}.hcl")),
                    key,
                )])
            }
            KeyScheme::Layer => Err(naming::NamingError::NotInScheme {
                scheme: self.scheme,
                what: "client",
            }),
        }
    }

    /// The tenant or client a file belongs to, from its path relative to the root.
    pub fn owner_of(&self, relative: &Path) -> Option<String> {
        let parts: Vec<&str> = relative.iter().filter_map(|part| part.to_str()).collect();
        let position = |marker: &str| parts.iter().position(|part| *part == marker);
        match self.scheme {
            KeyScheme::Tenant => position("tenants")
                .and_then(|i| parts.get(i + 1))
                .map(|s| (*s).to_owned()),
            KeyScheme::ClientCentric | KeyScheme::Environment => {
                let i = position("clients")?;
                let next = parts.get(i + 1)?;
                Some(next.strip_suffix(".hcl").unwrap_or(next).to_owned())
            }
            KeyScheme::Layer => None,
        }
    }
}

fn environment_file(environment: &Environment) -> PathBuf {
    ["shared", "backend-configs"]
        .iter()
        .collect::<PathBuf>()
        .join(format!("{environment}.hcl"))
}

/// An environment and region: what scopes a deployment's backend files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    /// The environment.
    pub environment: &'a Environment,
    /// The region.
    pub region: Region,
}

impl<'a> Place<'a> {
    /// The environment and region of a deployment.
    pub fn of(deployment: &'a Deployment) -> Place<'a> {
        Place {
            environment: &deployment.environment,
            region: deployment.region,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment() -> Deployment {
        Deployment::parse("ohio-01", "production", "us-east-2").unwrap()
    }

    fn paths(slots: Vec<Slot>) -> Vec<String> {
        slots
            .into_iter()
            .map(|slot| slot.path.display().to_string())
            .collect()
    }

    #[test]
    fn the_seed_layouts() {
        let d = deployment();
        let tenant = Layout::new(KeyScheme::Tenant, None);
        assert_eq!(tenant.root(), Path::new("backends"));
        let mtn = Client::tenant("mtn-ghana").unwrap();
        assert_eq!(
            paths(tenant.client_slots(&d, &mtn, None).unwrap()),
            [
                "aws/production/us-east-2/tenants/mtn-ghana/foundation.hcl",
                "aws/production/us-east-2/tenants/mtn-ghana/platform.hcl",
                "aws/production/us-east-2/tenants/mtn-ghana/observability.hcl",
                "aws/production/us-east-2/tenants/mtn-ghana/shared-services.hcl",
                "aws/production/us-east-2/tenants/mtn-ghana/backend.hcl",
            ]
        );
        let client_centric = Layout::new(KeyScheme::ClientCentric, None);
        let est = Client::new("est-test-a").unwrap();
        assert_eq!(
            paths(client_centric.client_slots(&d, &est, None).unwrap()),
            ["aws/production/us-east-2/clients/est-test-a.hcl"]
        );
        let db = Layer::new("03-database-layer").unwrap();
        assert_eq!(
            paths(client_centric.client_slots(&d, &est, Some(&db)).unwrap()),
            ["aws/production/us-east-2/clients/est-test-a/03-database-layer.hcl"]
        );
        assert_eq!(
            paths(client_centric.shared_slots(&d).unwrap()),
            [
                "aws/production/us-east-2/foundation.hcl",
                "aws/production/us-east-2/platform.hcl",
                "aws/production/us-east-2/shared-services.hcl",
                "aws/production/us-east-2/observability.hcl",
            ]
        );
        let layer = Layout::new(KeyScheme::Layer, None);
        assert_eq!(layer.root(), Path::new("."));
        assert_eq!(
            paths(layer.shared_slots(&d).unwrap())[0],
            "providers/aws/regions/us-east-2/layers/01-foundation/production/backend.hcl"
        );
        assert!(layer.client_slots(&d, &est, None).is_err());
        let environment = Layout::new(KeyScheme::Environment, Some(Path::new("infra")));
        let shared = environment.shared_slots(&d).unwrap();
        assert_eq!(
            shared[0].path,
            Path::new("shared/backend-configs/production.hcl")
        );
        assert_eq!(shared[0].key, None);
        assert_eq!(
            shared[1].path,
            Path::new("production/us-east-2/01-foundation.hcl")
        );
    }

    #[test]
    fn owners_come_from_paths() {
        let tenant = Layout::new(KeyScheme::Tenant, None);
        assert_eq!(
            tenant
                .owner_of(Path::new(
                    "aws/production/us-east-2/tenants/acme/platform.hcl"
                ))
                .as_deref(),
            Some("acme")
        );
        let client_centric = Layout::new(KeyScheme::ClientCentric, None);
        assert_eq!(
            client_centric
                .owner_of(Path::new("aws/production/us-east-2/clients/acme.hcl"))
                .as_deref(),
            Some("acme")
        );
        assert_eq!(
            client_centric.owner_of(Path::new("aws/production/us-east-2/foundation.hcl")),
            None
        );
        let layer = Layout::new(KeyScheme::Layer, None);
        let d = deployment();
        let place = Place::of(&d);
        assert!(layer.in_scope(
            place,
            Path::new("providers/aws/regions/us-east-2/layers/02-platform/production/backend.hcl")
        ));
        assert!(!layer.in_scope(
            place,
            Path::new("providers/aws/regions/us-east-2/layers/02-platform/staging/backend.hcl")
        ));
    }
}
