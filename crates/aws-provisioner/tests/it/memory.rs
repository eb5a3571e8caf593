//! The executor against an in-memory cloud: the cases moto cannot produce on demand — a
//! table still CREATING, a bucket or table created by another run a moment earlier.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use aws_provisioner::api::{Account, Alarms, Buckets, Keys, LockTables, Roles};
use aws_provisioner::model::{
    AlarmSpec, BucketPresence, BucketSettings, BucketWrite, Caller, Created, Reads, TableCreated,
    TableFacts, TableSpec, TableStatus, TableWrite, lock_key,
};
use aws_provisioner::replication::ObservedRole;
use aws_provisioner::{
    Action, AwsError, Options, Outcome, ProvisionError, Scope, Spec, WaitPolicy, provision,
};
use naming::{BucketName, Region, TableName};

use crate::support::{Recorder, options};

const ACCOUNT: &str = "111122223333";

#[derive(Default)]
struct State {
    buckets: BTreeMap<String, (String, String, BucketSettings)>,
    table: Option<TableFacts>,
    /// Statuses `describe_table` reports, one per call, before the table's own.
    scripted: VecDeque<TableStatus>,
    describes: usize,
    /// What CreateBucket answers instead of creating, if set.
    create_bucket: Option<Created>,
    /// A table another run creates just before this one's CreateTable.
    raced_table: Option<TableFacts>,
    alarms: Vec<AlarmSpec>,
    writes: Vec<String>,
    /// KMS keys by every name they go by (alias, id), to their ARN.
    keys: BTreeMap<String, String>,
    /// IAM roles by name.
    roles: BTreeMap<String, ObservedRole>,
    /// How many PutBucketReplication calls S3 refuses with `InvalidRequest` before it sees
    /// a new role (IAM is eventually consistent).
    role_unseen: usize,
}

#[derive(Default)]
struct Memory(Mutex<State>);

impl Memory {
    fn with(state: State) -> Memory {
        Memory(Mutex::new(state))
    }
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap()
    }
}

fn active_table(name: &str) -> TableFacts {
    TableFacts {
        arn: format!("arn:aws:dynamodb:us-east-2:{ACCOUNT}:table/{name}"),
        status: TableStatus::Active,
        key_schema: vec![lock_key()],
        on_demand: true,
        sse: Some(None),
        point_in_time_recovery: Ok(false),
        deletion_protection: true,
        tags: Ok(Default::default()),
    }
}

impl Buckets for Memory {
    async fn bucket_presence(
        &self,
        bucket: &BucketName,
        owner: &str,
    ) -> Result<BucketPresence, AwsError> {
        Ok(match self.state().buckets.get(bucket.as_str()) {
            None => BucketPresence::Absent,
            Some((found, region, _)) if found == owner => BucketPresence::Owned {
                region: Some(region.clone()),
            },
            Some(_) => BucketPresence::Forbidden,
        })
    }

    async fn bucket_settings(
        &self,
        bucket: &BucketName,
        _: Reads,
    ) -> Result<BucketSettings, AwsError> {
        Ok(self.state().buckets[bucket.as_str()].2.clone())
    }

    async fn create_bucket(
        &self,
        bucket: &BucketName,
        region: Region,
    ) -> Result<Created, AwsError> {
        let mut state = self.state();
        if let Some(answer) = state.create_bucket {
            if answer == Created::AlreadyOwned {
                state.buckets.insert(
                    bucket.to_string(),
                    (
                        ACCOUNT.to_owned(),
                        region.to_string(),
                        BucketSettings::default(),
                    ),
                );
            }
            return Ok(answer);
        }
        state.buckets.insert(
            bucket.to_string(),
            (
                ACCOUNT.to_owned(),
                region.to_string(),
                BucketSettings::default(),
            ),
        );
        Ok(Created::Created)
    }

    async fn write_bucket(&self, bucket: &BucketName, write: &BucketWrite) -> Result<(), AwsError> {
        let mut state = self.state();
        if let BucketWrite::Replication(replication) = write {
            let role = replication.role.rsplit('/').next().unwrap();
            if !state.roles.contains_key(role) || state.role_unseen > 0 {
                state.role_unseen = state.role_unseen.saturating_sub(1);
                return Err(AwsError::new(
                    "PutBucketReplication",
                    bucket.as_str(),
                    aws_provisioner::AwsErrorKind::Invalid,
                    "Invalid role",
                )
                .with_code("InvalidRequest"));
            }
        }
        state
            .writes
            .push(format!("{bucket}: {write:?}").chars().take(80).collect());
        state
            .buckets
            .get_mut(bucket.as_str())
            .unwrap()
            .2
            .apply(write);
        Ok(())
    }
}

impl LockTables for Memory {
    async fn describe_table(&self, _: &TableName) -> Result<Option<TableFacts>, AwsError> {
        let mut state = self.state();
        state.describes += 1;
        let status = state.scripted.pop_front();
        Ok(state.table.clone().map(|mut facts| {
            if let Some(status) = status {
                facts.status = status;
            }
            facts
        }))
    }

    async fn create_table(
        &self,
        table: &TableName,
        spec: &TableSpec,
    ) -> Result<TableCreated, AwsError> {
        let mut state = self.state();
        if let Some(raced) = state.raced_table.take() {
            state.table = Some(raced);
            return Ok(TableCreated::AlreadyExists);
        }
        if state.table.is_some() {
            return Ok(TableCreated::AlreadyExists);
        }
        let mut facts = active_table(table.as_str());
        facts.tags = Ok(spec.tags.clone());
        // DynamoDB reports the key as its ARN, whatever form it was given in (P1).
        facts.sse = Some(spec.kms_key_id.as_ref().map(|key| state.arn_of(key)));
        state.table = Some(facts);
        Ok(TableCreated::Created)
    }

    async fn write_table(
        &self,
        _: &TableName,
        _: &str,
        write: &TableWrite,
    ) -> Result<(), AwsError> {
        let mut state = self.state();
        state.writes.push(format!("table: {write:?}"));
        let reported = match write {
            TableWrite::Encryption(Some(key)) => TableWrite::Encryption(Some(state.arn_of(key))),
            other => other.clone(),
        };
        state.table.as_mut().unwrap().apply(&reported);
        Ok(())
    }
}

impl State {
    /// The ARN DynamoDB reports for `key`.
    fn arn_of(&self, key: &str) -> String {
        self.keys
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }
}

impl Keys for Memory {
    async fn key_arn(&self, key: &str) -> Result<Option<String>, AwsError> {
        Ok(self.state().keys.get(key).cloned())
    }
}

impl Account for Memory {
    async fn caller(&self) -> Result<Caller, AwsError> {
        Ok(Caller {
            account: ACCOUNT.to_owned(),
            arn: format!("arn:aws:iam::{ACCOUNT}:user/test"),
        })
    }
}

impl Roles for Memory {
    async fn role(&self, name: &str, _: &str) -> Result<Option<ObservedRole>, AwsError> {
        Ok(self.state().roles.get(name).cloned())
    }
    async fn create_role(
        &self,
        name: &str,
        trust_policy: &str,
        _: &aws_provisioner::model::Tags,
    ) -> Result<(), AwsError> {
        let mut state = self.state();
        state.writes.push(format!("CreateRole {name}"));
        state.roles.insert(
            name.to_owned(),
            ObservedRole {
                trust_policy: trust_policy.to_owned(),
                policy: None,
            },
        );
        Ok(())
    }
    async fn set_trust_policy(&self, name: &str, trust_policy: &str) -> Result<(), AwsError> {
        let mut state = self.state();
        state.writes.push(format!("UpdateAssumeRolePolicy {name}"));
        state.roles.get_mut(name).unwrap().trust_policy = trust_policy.to_owned();
        Ok(())
    }
    async fn put_role_policy(&self, name: &str, _: &str, document: &str) -> Result<(), AwsError> {
        let mut state = self.state();
        state.writes.push(format!("PutRolePolicy {name}"));
        state.roles.get_mut(name).unwrap().policy = Some(document.to_owned());
        Ok(())
    }
}

impl Alarms for Memory {
    async fn describe_alarms(&self, names: &[String]) -> Result<Vec<AlarmSpec>, AwsError> {
        Ok(self
            .state()
            .alarms
            .iter()
            .filter(|a| names.contains(&a.name))
            .cloned()
            .collect())
    }
    async fn put_alarm(&self, alarm: &AlarmSpec) -> Result<(), AwsError> {
        let mut state = self.state();
        state.alarms.retain(|a| a.name != alarm.name);
        state.alarms.push(alarm.clone());
        Ok(())
    }
}

fn fast(scope: Scope) -> Spec {
    Spec::new(Options {
        wait: WaitPolicy {
            attempts: 4,
            interval: Duration::from_millis(1),
        },
        alarm_topic_arn: Some("arn:aws:sns:us-east-2:111122223333:alerts".to_owned()),
        ..options(scope, "us-east-2")
    })
    .unwrap()
}

#[tokio::test]
async fn a_model_cloud_converges_in_one_run_and_the_next_changes_nothing() {
    let cloud = Memory::default();
    let spec = fast(Scope::Full);
    let mut ui = Recorder::default();
    let report = provision(&cloud, &spec, false, &mut ui).await.unwrap();
    assert_eq!((report.outcome, ui.asked), (Outcome::Applied, 1));
    let writes = cloud.state().writes.len();
    let report = provision(&cloud, &spec, false, &mut ui).await.unwrap();
    assert_eq!(
        (report.outcome, ui.asked),
        (Outcome::Unchanged, 1),
        "no change, no question"
    );
    assert_eq!(cloud.state().writes.len(), writes);
}

#[tokio::test]
async fn replication_waits_for_s3_to_see_the_new_role_and_then_changes_nothing() {
    let spec = Spec::new(Options {
        replicate_to: Some(Region::new("us-west-2").unwrap()),
        wait: WaitPolicy {
            attempts: 6,
            interval: Duration::from_millis(1),
        },
        ..options(Scope::BackendOnly, "us-east-2")
    })
    .unwrap();
    let replica = spec.replica().unwrap();
    let cloud = Memory::with(State {
        role_unseen: 2,
        ..State::default()
    });
    let mut ui = Recorder::default();
    // The replica first, as the command runs them: versioned before anything replicates
    // into it.
    let report = provision(&cloud, &replica, false, &mut ui).await.unwrap();
    assert_eq!(report.outcome, Outcome::Applied);
    let report = provision(&cloud, &spec, false, &mut ui).await.unwrap();
    assert_eq!(report.outcome, Outcome::Applied);
    let role = report.plan.role.as_ref().unwrap();
    assert_eq!(role.action, Action::Create);
    let writes = {
        let source = spec.state_bucket.as_ref().unwrap();
        let state = cloud.state();
        let replication = state.buckets[source.as_str()]
            .2
            .replication
            .clone()
            .unwrap();
        let target = replica.state_bucket.as_ref().unwrap();
        assert_eq!(
            replication.destinations(),
            [format!("arn:aws:s3:::{target}")]
        );
        assert!(replication.rules[0].delete_markers);
        assert_eq!(state.role_unseen, 0, "the refused writes were tried again");
        let policy = state.roles[&role.name].policy.clone().unwrap();
        assert!(policy.contains("s3:ReplicateObject"), "{policy}");
        state.writes.len()
    };
    let again = provision(&cloud, &spec, false, &mut ui).await.unwrap();
    assert_eq!(again.outcome, Outcome::Unchanged);
    assert_eq!(cloud.state().writes.len(), writes);
}

#[tokio::test]
async fn declining_changes_nothing() {
    struct No;
    impl aws_provisioner::Ui for No {
        fn caller(&mut self, _: &Caller) {}
        fn plan(&mut self, _: &aws_provisioner::Plan, _: bool) {}
        fn approve(&mut self, _: &aws_provisioner::Plan) -> bool {
            false
        }
    }
    let cloud = Memory::default();
    let report = provision(&cloud, &fast(Scope::Full), false, &mut No)
        .await
        .unwrap();
    assert_eq!(report.outcome, Outcome::Declined);
    assert!(cloud.state().buckets.is_empty() && cloud.state().table.is_none());
}

#[tokio::test]
async fn a_table_still_creating_is_waited_for_then_repaired() {
    let spec = fast(Scope::BackendOnly);
    let table = spec.lock_table.clone().unwrap();
    let cloud = Memory::with(State {
        table: Some(active_table(table.as_str())),
        // Observe sees CREATING; apply then sees CREATING twice, then ACTIVE.
        scripted: VecDeque::from([
            TableStatus::Creating,
            TableStatus::Creating,
            TableStatus::Creating,
        ]),
        ..State::default()
    });
    let mut ui = Recorder::default();
    let report = provision(&cloud, &spec, false, &mut ui).await.unwrap();
    assert_eq!(report.outcome, Outcome::Applied);
    assert_eq!(
        report.plan.table.as_ref().unwrap().waits_for.as_deref(),
        Some("CREATING")
    );
    let state = cloud.state();
    assert_eq!(
        state.table.as_ref().unwrap().point_in_time_recovery,
        Ok(true)
    );
    assert!(
        state
            .writes
            .iter()
            .any(|w| w == "table: PointInTimeRecovery")
    );
}

#[tokio::test]
async fn a_table_that_stays_creating_is_a_bounded_wait_then_an_error() {
    let spec = fast(Scope::BackendOnly);
    let table = spec.lock_table.clone().unwrap();
    let cloud = Memory::with(State {
        table: Some(active_table(table.as_str())),
        scripted: std::iter::repeat_n(TableStatus::Creating, 20).collect(),
        ..State::default()
    });
    let error = provision(&cloud, &spec, false, &mut Recorder::default())
        .await
        .unwrap_err();
    assert_eq!(
        error,
        ProvisionError::TableNotReady {
            table: table.to_string(),
            status: "CREATING".to_owned(),
            waited_seconds: 0
        }
    );
    // One describe to observe, then the bounded four.
    assert_eq!(cloud.state().describes, 5);
    assert!(cloud.state().writes.iter().all(|w| !w.starts_with("table")));
}

#[tokio::test]
async fn a_bucket_created_a_moment_ago_by_another_run_counts_as_created() {
    let cloud = Memory::with(State {
        create_bucket: Some(Created::AlreadyOwned),
        ..State::default()
    });
    let report = provision(
        &cloud,
        &fast(Scope::BackendOnly),
        false,
        &mut Recorder::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.outcome, Outcome::Applied);
}

#[tokio::test]
async fn a_name_taken_by_another_account_at_create_time_stops_with_a_hint() {
    let cloud = Memory::with(State {
        create_bucket: Some(Created::Taken),
        ..State::default()
    });
    let error = provision(
        &cloud,
        &fast(Scope::BackendOnly),
        false,
        &mut Recorder::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&error, ProvisionError::Blocked(p) if p[0].message.contains("another AWS account"))
    );
    assert!(!error.is_input());
}

#[tokio::test]
async fn a_table_created_by_another_run_with_other_settings_is_converged() {
    let spec = fast(Scope::BackendOnly);
    let mut raced = active_table(spec.lock_table.clone().unwrap().as_str());
    raced.deletion_protection = false;
    raced.on_demand = false;
    let cloud = Memory::with(State {
        raced_table: Some(raced),
        ..State::default()
    });
    let report = provision(&cloud, &spec, false, &mut Recorder::default())
        .await
        .unwrap();
    assert_eq!(report.plan.table.as_ref().unwrap().action, Action::Create);
    let facts = cloud.state().table.clone().unwrap();
    assert!(
        facts.on_demand && facts.deletion_protection && facts.point_in_time_recovery == Ok(true)
    );
}

const KEY_ARN: &str = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn with_key(key: &str, take_over_table: bool) -> Spec {
    Spec::new(Options {
        kms_key_id: Some(key.to_owned()),
        take_over_table,
        wait: WaitPolicy {
            attempts: 4,
            interval: Duration::from_millis(1),
        },
        ..options(Scope::BackendOnly, "us-east-2")
    })
    .unwrap()
}

fn known_key() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("alias/tfstate".to_owned(), KEY_ARN.to_owned()),
        (
            "1234abcd-12ab-34cd-56ef-1234567890ab".to_owned(),
            KEY_ARN.to_owned(),
        ),
    ])
}

#[tokio::test]
async fn a_lock_table_key_given_as_an_alias_or_id_converges_on_the_arn_aws_reports() {
    for key in ["alias/tfstate", "1234abcd-12ab-34cd-56ef-1234567890ab"] {
        let cloud = Memory::with(State {
            keys: known_key(),
            ..State::default()
        });
        let spec = with_key(key, false);
        let report = provision(&cloud, &spec, false, &mut Recorder::default())
            .await
            .unwrap_or_else(|error| panic!("{key}: {error}"));
        assert_eq!(report.outcome, Outcome::Applied, "{key}");
        assert_eq!(
            cloud.state().table.as_ref().unwrap().sse,
            Some(Some(KEY_ARN.to_owned()))
        );
        let again = provision(&cloud, &spec, false, &mut Recorder::default())
            .await
            .unwrap();
        assert_eq!(again.outcome, Outcome::Unchanged, "{key}: {:?}", again.plan);
        let writes = cloud.state().writes.clone();
        assert!(
            !writes
                .iter()
                .any(|write| write.starts_with("table: Encryption")),
            "{key}: the key was never written again: {writes:?}"
        );
    }
}

#[tokio::test]
async fn another_projects_key_and_tags_on_the_shared_lock_table_are_reported_and_left() {
    let spec = with_key("alias/tfstate", false);
    let mut theirs = active_table(spec.lock_table.clone().unwrap().as_str());
    let their_key = "arn:aws:kms:us-east-2:111122223333:key/other";
    theirs.sse = Some(Some(their_key.to_owned()));
    theirs.point_in_time_recovery = Ok(true);
    theirs.tags = Ok(BTreeMap::from([
        ("ManagedBy".to_owned(), "tfstate-toolkit".to_owned()),
        ("Purpose".to_owned(), "terraform-state-locking".to_owned()),
        ("Company".to_owned(), "them".to_owned()),
    ]));
    let company = Spec {
        company: Some(naming::Company::new("us").unwrap()),
        ..spec.clone()
    };
    let cloud = Memory::with(State {
        table: Some(theirs.clone()),
        keys: known_key(),
        ..State::default()
    });
    let report = provision(&cloud, &company, false, &mut Recorder::default())
        .await
        .unwrap();
    let table = report.plan.table.as_ref().unwrap();
    assert_eq!(table.action, Action::Unchanged, "{table:?}");
    assert_eq!(
        cloud.state().table.as_ref(),
        Some(&theirs),
        "the table is as it was"
    );
    let warnings = report.plan.warnings.join("\n");
    assert!(
        warnings.contains(their_key)
            && warnings.contains("Company=them")
            && warnings.contains("--take-over-lock-table"),
        "{warnings}"
    );

    // Told to take it over, the run sets its own key and tags.
    let take_over = Spec {
        take_over_table: true,
        ..company
    };
    let report = provision(&cloud, &take_over, false, &mut Recorder::default())
        .await
        .unwrap();
    assert_eq!(report.plan.table.as_ref().unwrap().action, Action::Update);
    let table = cloud.state().table.clone().unwrap();
    assert_eq!(table.sse, Some(Some(KEY_ARN.to_owned())));
    assert_eq!(table.tags.unwrap()["Company"], "us");
}
