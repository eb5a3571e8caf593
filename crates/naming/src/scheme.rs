//! The four state-key schemes of the seeds, the layers each one uses, and lock modes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Deployment;
use crate::aws_names::StateKey;
use crate::error::{Field, NamingError, one_of};
use crate::label::{Client, Layer};

/// How Terraform state keys are laid out in the state bucket (`--key-scheme`).
///
/// | scheme | shared layer key | client/tenant key |
/// |---|---|---|
/// | `tenant` | — | `tenants/{tenant}/layers/{layer}/{env}/terraform.tfstate` |
/// | `client-centric` | `providers/aws/regions/{region}/shared/layers/{layer}/terraform.tfstate` | `providers/aws/regions/{region}/clients/{client}/layers/{layer}/terraform.tfstate` |
/// | `layer` | `providers/aws/regions/{region}/layers/{layer}/{env}/terraform.tfstate` | — |
/// | `environment` | `{env}/{region}/{layer}/terraform.tfstate` | `{env}/{region}/clients/{client}/terraform.tfstate` |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyScheme {
    /// Seed 000: one set of layers per tenant (`manage-tenant-backends`).
    Tenant,
    /// Seed 001: shared layers plus per-client layers under `providers/aws/regions/...`.
    ClientCentric,
    /// Seed 003: one state per layer and environment.
    Layer,
    /// Seed 002: `{env}/{region}/...`, one state per client.
    Environment,
}

/// The cloud provider segment of the client-centric and layer keys; this toolkit is for AWS.
pub const PROVIDER: &str = "aws";

/// The file name of every Terraform state object.
pub const STATE_FILE: &str = "terraform.tfstate";

/// A layer a seed uses, with the stem of its backend file (`foundation` for `foundation.hcl`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerSpec {
    /// The layer as it appears in state keys, such as `01-foundation`.
    pub name: &'static str,
    /// The backend file stem the seed uses for it, such as `foundation`.
    pub file_stem: &'static str,
}

impl LayerSpec {
    /// The layer as a validated [`Layer`].
    pub fn layer(&self) -> Layer {
        Layer::new(self.name).expect("built-in layer names are valid")
    }
}

const fn spec(name: &'static str, file_stem: &'static str) -> LayerSpec {
    LayerSpec { name, file_stem }
}

const TENANT_LAYERS: &[LayerSpec] = &[
    spec("foundation", "foundation"),
    spec("platform", "platform"),
    spec("observability", "observability"),
    spec("shared-services", "shared-services"),
    spec("default", "backend"),
];
const CLIENT_CENTRIC_SHARED_LAYERS: &[LayerSpec] = &[
    spec("01-foundation", "foundation"),
    spec("02-platform", "platform"),
    spec("05-shared-services", "shared-services"),
    spec("06-observability", "observability"),
];
const CLIENT_CENTRIC_CLIENT_LAYERS: &[LayerSpec] = &[
    spec("03-database-layer", "03-database-layer"),
    spec("04-standalone-compute", "04-standalone-compute"),
];
const LAYER_LAYERS: &[LayerSpec] = &[
    spec("01-foundation", "backend"),
    spec("02-platform", "backend"),
    spec("03-database", "backend"),
    spec("04-standalone-compute", "backend"),
    spec("05-cluster-services", "backend"),
    spec("06-observability", "backend"),
];
const ENVIRONMENT_LAYERS: &[LayerSpec] = &[
    spec("01-foundation", "01-foundation"),
    spec("02-platform", "02-platform"),
    spec("03-databases", "03-databases"),
    spec("04-applications", "04-applications"),
];

/// The layers a scheme's seed uses: shared layers and per-client (per-tenant) layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemeLayers {
    /// Layers whose state is shared by all clients.
    pub shared: &'static [LayerSpec],
    /// Layers each client or tenant has its own state for.
    pub client: &'static [LayerSpec],
}

impl KeyScheme {
    /// Every scheme, in the order of the seeds that introduced them.
    pub const ALL: [KeyScheme; 4] = [
        KeyScheme::Tenant,
        KeyScheme::ClientCentric,
        KeyScheme::Layer,
        KeyScheme::Environment,
    ];

    /// The scheme's name as given to `--key-scheme`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyScheme::Tenant => "tenant",
            KeyScheme::ClientCentric => "client-centric",
            KeyScheme::Layer => "layer",
            KeyScheme::Environment => "environment",
        }
    }

    /// The layers of the seed that introduced the scheme.
    ///
    /// The tenant scheme's `default` layer (file `backend.hcl`, seed 000's "default backend
    /// config") and the client-centric scheme's `06-observability` (file `observability.hcl`)
    /// have no state key in their seeds; these names are this toolkit's choice.
    pub fn layers(self) -> SchemeLayers {
        match self {
            KeyScheme::Tenant => SchemeLayers {
                shared: &[],
                client: TENANT_LAYERS,
            },
            KeyScheme::ClientCentric => SchemeLayers {
                shared: CLIENT_CENTRIC_SHARED_LAYERS,
                client: CLIENT_CENTRIC_CLIENT_LAYERS,
            },
            KeyScheme::Layer => SchemeLayers {
                shared: LAYER_LAYERS,
                client: &[],
            },
            KeyScheme::Environment => SchemeLayers {
                shared: ENVIRONMENT_LAYERS,
                client: &[],
            },
        }
    }

    /// Whether client keys of this scheme have a layer segment. In the `environment`
    /// scheme each client has one state; in `layer` there are no client keys at all.
    pub fn client_keys_have_layers(self) -> bool {
        matches!(self, KeyScheme::Tenant | KeyScheme::ClientCentric)
    }

    /// Whether the scheme has state shared by all clients.
    pub fn has_shared_keys(self) -> bool {
        !matches!(self, KeyScheme::Tenant)
    }

    /// Whether the scheme has per-client (per-tenant) state.
    pub fn has_client_keys(self) -> bool {
        !matches!(self, KeyScheme::Layer)
    }

    /// The key of a shared layer's state.
    ///
    /// ```
    /// use naming::{Deployment, KeyScheme, Layer};
    /// let d = Deployment::parse("ohio-01", "production", "us-east-2")?;
    /// let key = KeyScheme::ClientCentric.shared_key(&d, &Layer::new("01-foundation")?)?;
    /// assert_eq!(key.as_str(), "providers/aws/regions/us-east-2/shared/layers/01-foundation/terraform.tfstate");
    /// # Ok::<(), naming::NamingError>(())
    /// ```
    pub fn shared_key(
        self,
        deployment: &Deployment,
        layer: &Layer,
    ) -> Result<StateKey, NamingError> {
        let region = deployment.region.name();
        let env = &deployment.environment;
        let key = match self {
            KeyScheme::Tenant => {
                return Err(NamingError::NotInScheme {
                    scheme: self,
                    what: "shared",
                });
            }
            KeyScheme::ClientCentric => {
                format!("providers/{PROVIDER}/regions/{region}/shared/layers/{layer}/{STATE_FILE}")
            }
            KeyScheme::Layer => {
                format!("providers/{PROVIDER}/regions/{region}/layers/{layer}/{env}/{STATE_FILE}")
            }
            KeyScheme::Environment => format!("{env}/{region}/{layer}/{STATE_FILE}"),
        };
        StateKey::new(key)
    }

    /// The key of a client's (or tenant's) state. `layer` is required by the `tenant` and
    /// `client-centric` schemes and refused by `environment`, whose clients have one state.
    ///
    /// ```
    /// use naming::{Client, Deployment, KeyScheme, Layer};
    /// let d = Deployment::parse("myproject", "production", "us-west-2")?;
    /// let tenant = Client::tenant("mtn-ghana")?;
    /// let key = KeyScheme::Tenant.client_key(&d, &tenant, Some(&Layer::new("foundation")?))?;
    /// assert_eq!(key.as_str(), "tenants/mtn-ghana/layers/foundation/production/terraform.tfstate");
    /// # Ok::<(), naming::NamingError>(())
    /// ```
    pub fn client_key(
        self,
        deployment: &Deployment,
        client: &Client,
        layer: Option<&Layer>,
    ) -> Result<StateKey, NamingError> {
        let region = deployment.region.name();
        let env = &deployment.environment;
        let needs_layer = self.client_keys_have_layers();
        let layer_error = NamingError::ClientLayer {
            scheme: self,
            needs_layer,
        };
        let key = match (self, layer) {
            (KeyScheme::Layer, _) => {
                return Err(NamingError::NotInScheme {
                    scheme: self,
                    what: "client",
                });
            }
            (KeyScheme::Tenant, Some(layer)) => {
                format!("tenants/{client}/layers/{layer}/{env}/{STATE_FILE}")
            }
            (KeyScheme::ClientCentric, Some(layer)) => format!(
                "providers/{PROVIDER}/regions/{region}/clients/{client}/layers/{layer}/{STATE_FILE}"
            ),
            (KeyScheme::Environment, None) => {
                format!("{env}/{region}/clients/{client}/{STATE_FILE}")
            }
            _ => return Err(layer_error),
        };
        StateKey::new(key)
    }

    /// The key prefix under which all of a client's state lives, in every region where the
    /// scheme puts the region in the key (`*` then stands for any region): the resource of
    /// the client-isolation IAM policy (seed 001), without a trailing `*`.
    pub fn client_prefix(
        self,
        deployment: &Deployment,
        client: &Client,
    ) -> Result<String, NamingError> {
        let env = &deployment.environment;
        let region = &deployment.region;
        // No wildcard inside the prefix: in IAM `*` also matches `/`, so
        // `regions/*/clients/layers/` would match `regions/r/clients/clients/layers/`, the
        // state of a client named `clients`.
        match self {
            KeyScheme::Tenant => Ok(format!("tenants/{client}/")),
            KeyScheme::ClientCentric => Ok(format!(
                "providers/{PROVIDER}/regions/{region}/clients/{client}/"
            )),
            KeyScheme::Environment => Ok(format!("{env}/{region}/clients/{client}/")),
            KeyScheme::Layer => Err(NamingError::NotInScheme {
                scheme: self,
                what: "client",
            }),
        }
    }
}

/// Whose state a key is in a scheme: a shared layer's, or a client's (or tenant's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOwner {
    /// A shared layer's state.
    Shared(Layer),
    /// A client's or tenant's state: in a layer, or (the environment scheme) the client's
    /// one state.
    Client(Client, Option<Layer>),
}

impl KeyScheme {
    /// Whose state `key` is in this scheme for `deployment`: the inverse of
    /// [`shared_key`](Self::shared_key) and [`client_key`](Self::client_key). `None` when
    /// `key` is not one of the scheme's keys for this environment and region.
    ///
    /// ```
    /// use naming::{Client, Deployment, KeyOwner, KeyScheme, Layer};
    /// let d = Deployment::parse("myproject", "production", "us-west-2")?;
    /// let key = "tenants/mtn-ghana/layers/foundation/production/terraform.tfstate";
    /// assert_eq!(
    ///     KeyScheme::Tenant.owner_of_key(&d, key),
    ///     Some(KeyOwner::Client(Client::new("mtn-ghana")?, Some(Layer::new("foundation")?)))
    /// );
    /// let staging = "tenants/mtn-ghana/layers/foundation/staging/terraform.tfstate";
    /// assert_eq!(KeyScheme::Tenant.owner_of_key(&d, staging), None);
    /// # Ok::<(), naming::NamingError>(())
    /// ```
    pub fn owner_of_key(self, deployment: &Deployment, key: &str) -> Option<KeyOwner> {
        let parts: Vec<&str> = key.split('/').collect();
        let layer = |name: &str| Layer::new(name).ok();
        let client = |name: &str| Client::new(name).ok();
        let owner = match (self, parts.as_slice()) {
            (KeyScheme::Tenant, ["tenants", tenant, "layers", name, _, STATE_FILE]) => {
                KeyOwner::Client(client(tenant)?, Some(layer(name)?))
            }
            (
                KeyScheme::ClientCentric,
                [
                    "providers",
                    _,
                    "regions",
                    _,
                    "shared",
                    "layers",
                    name,
                    STATE_FILE,
                ],
            )
            | (KeyScheme::Layer, ["providers", _, "regions", _, "layers", name, _, STATE_FILE])
            | (KeyScheme::Environment, [_, _, name, STATE_FILE]) => KeyOwner::Shared(layer(name)?),
            (
                KeyScheme::ClientCentric,
                [
                    "providers",
                    _,
                    "regions",
                    _,
                    "clients",
                    owner,
                    "layers",
                    name,
                    STATE_FILE,
                ],
            ) => KeyOwner::Client(client(owner)?, Some(layer(name)?)),
            (KeyScheme::Environment, [_, _, "clients", owner, STATE_FILE]) => {
                KeyOwner::Client(client(owner)?, None)
            }
            _ => return None,
        };
        // The key must be the very one the scheme gives this owner here: environment,
        // region and provider included.
        let again = match &owner {
            KeyOwner::Shared(layer) => self.shared_key(deployment, layer),
            KeyOwner::Client(client, layer) => self.client_key(deployment, client, layer.as_ref()),
        };
        again
            .ok()
            .filter(|again| again.as_str() == key)
            .map(|_| owner)
    }
}

impl fmt::Display for KeyScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyScheme {
    type Err = NamingError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        one_of(
            Field::KeyScheme,
            "a key scheme",
            s,
            &KeyScheme::ALL,
            KeyScheme::as_str,
        )
    }
}

/// How Terraform locks state (`--lock`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LockMode {
    /// A DynamoDB lock table (`dynamodb_table`), as in the seeds.
    #[default]
    Dynamodb,
    /// S3 lock files (`use_lockfile = true`, Terraform ≥ 1.10); no table.
    S3,
    /// Both, for migrating from the table to lock files.
    Both,
}

impl LockMode {
    /// Every lock mode.
    pub const ALL: [LockMode; 3] = [LockMode::Dynamodb, LockMode::S3, LockMode::Both];

    /// The mode's name as given to `--lock`.
    pub fn as_str(self) -> &'static str {
        match self {
            LockMode::Dynamodb => "dynamodb",
            LockMode::S3 => "s3",
            LockMode::Both => "both",
        }
    }

    /// Whether the mode needs the DynamoDB lock table.
    pub fn uses_table(self) -> bool {
        matches!(self, LockMode::Dynamodb | LockMode::Both)
    }

    /// Whether the mode sets `use_lockfile = true`.
    pub fn uses_lockfile(self) -> bool {
        matches!(self, LockMode::S3 | LockMode::Both)
    }
}

impl fmt::Display for LockMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LockMode {
    type Err = NamingError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        one_of(
            Field::LockMode,
            "a lock mode",
            s,
            &LockMode::ALL,
            LockMode::as_str,
        )
    }
}

/// A group of bucket settings that provisioning can leave out, for a store or an
/// organisation that forbids it (an S3-compatible store without request metrics, an SCP
/// that denies PutBucketOwnershipControls): `--skip-<group>`, or `skip = ["<group>"]` in
/// shared-config.toml. What is left out is neither written nor expected when the run
/// verifies, and the plan says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SettingGroup {
    /// Bucket versioning.
    Versioning,
    /// Default encryption.
    Encryption,
    /// The four public-access-block settings.
    PublicAccessBlock,
    /// Object ownership (BucketOwnerEnforced, ACLs off).
    ObjectOwnership,
    /// The TLS-only statement of the bucket policy.
    TlsPolicy,
    /// Server access logging of the state bucket, and the log target's delivery grant.
    AccessLogging,
    /// The `EntireBucket` request-metrics configuration.
    RequestMetrics,
    /// The retention lifecycle rules.
    Lifecycle,
    /// Bucket tags.
    Tags,
}

impl SettingGroup {
    /// Every group.
    pub const ALL: [SettingGroup; 9] = [
        SettingGroup::Versioning,
        SettingGroup::Encryption,
        SettingGroup::PublicAccessBlock,
        SettingGroup::ObjectOwnership,
        SettingGroup::TlsPolicy,
        SettingGroup::AccessLogging,
        SettingGroup::RequestMetrics,
        SettingGroup::Lifecycle,
        SettingGroup::Tags,
    ];

    /// The group's name, as in `--skip-<name>` and shared-config.toml.
    pub fn as_str(self) -> &'static str {
        match self {
            SettingGroup::Versioning => "versioning",
            SettingGroup::Encryption => "encryption",
            SettingGroup::PublicAccessBlock => "public-access-block",
            SettingGroup::ObjectOwnership => "object-ownership",
            SettingGroup::TlsPolicy => "tls-policy",
            SettingGroup::AccessLogging => "access-logging",
            SettingGroup::RequestMetrics => "request-metrics",
            SettingGroup::Lifecycle => "lifecycle",
            SettingGroup::Tags => "tags",
        }
    }
}

impl fmt::Display for SettingGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SettingGroup {
    type Err = NamingError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        one_of(
            Field::SettingGroup,
            "a setting group",
            s,
            &SettingGroup::ALL,
            SettingGroup::as_str,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_a_scheme_gives_is_owned_by_whom_it_was_given_for() {
        let d = Deployment::parse("ohio-01", "production", "us-east-2").unwrap();
        let other_env = Deployment::parse("ohio-01", "staging", "us-east-2").unwrap();
        let other_region = Deployment::parse("ohio-01", "production", "eu-west-1").unwrap();
        let client = Client::new("acme").unwrap();
        for scheme in KeyScheme::ALL {
            let mut given = Vec::new();
            for spec in scheme.layers().shared {
                let key = scheme.shared_key(&d, &spec.layer()).unwrap();
                given.push((key, KeyOwner::Shared(spec.layer())));
            }
            if scheme.has_client_keys() {
                let layer = scheme
                    .client_keys_have_layers()
                    .then(|| Layer::new("db").unwrap());
                let key = scheme.client_key(&d, &client, layer.as_ref()).unwrap();
                given.push((key, KeyOwner::Client(client.clone(), layer)));
            }
            assert!(!given.is_empty(), "{scheme}");
            for (key, owner) in given {
                assert_eq!(scheme.owner_of_key(&d, key.as_str()), Some(owner), "{key}");
                // Client-centric keys name no environment, tenant keys no region.
                if scheme != KeyScheme::ClientCentric {
                    assert_eq!(scheme.owner_of_key(&other_env, key.as_str()), None, "{key}");
                }
                if scheme != KeyScheme::Tenant {
                    assert_eq!(
                        scheme.owner_of_key(&other_region, key.as_str()),
                        None,
                        "{key}"
                    );
                }
                for another in KeyScheme::ALL.into_iter().filter(|s| *s != scheme) {
                    assert_eq!(
                        another.owner_of_key(&d, key.as_str()),
                        None,
                        "{another}: {key}"
                    );
                }
            }
        }
        for foreign in [
            "terraform.tfstate",
            "tenants/Acme/layers/db/production/terraform.tfstate",
            "tenants/acme/layers/db/production/other.tfstate",
            "env:/dev/tenants/acme/layers/db/production/terraform.tfstate",
        ] {
            assert_eq!(
                KeyScheme::Tenant.owner_of_key(&d, foreign),
                None,
                "{foreign}"
            );
        }
    }
}
