//! DynamoDB: the lock table's description and settings as values, its creation and
//! changes, one paginated Scan for every reader of its rows, rows read in batches, and the
//! conditional writes Terraform's locking rests on.

use std::fmt;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    PointInTimeRecoverySpecification, PointInTimeRecoveryStatus, ScalarAttributeType,
    SseSpecification, SseStatus, SseType,
};
use serde::Serialize;

use crate::Aws;
use crate::error::{AwsError, AwsErrorKind, build_error, classify, code};
use crate::s3::Tags;

/// A DynamoDB table's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TableStatus {
    /// Being created.
    Creating,
    /// Ready.
    Active,
    /// Being changed.
    Updating,
    /// Being deleted.
    Deleting,
    /// Another status, as AWS names it.
    Other(String),
}

impl fmt::Display for TableStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TableStatus::Creating => "CREATING",
            TableStatus::Active => "ACTIVE",
            TableStatus::Updating => "UPDATING",
            TableStatus::Deleting => "DELETING",
            TableStatus::Other(status) => status,
        })
    }
}

/// A key attribute of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyAttribute {
    /// The attribute name.
    pub name: String,
    /// Its scalar type: `S`, `N` or `B`.
    pub attribute_type: String,
    /// `HASH` or `RANGE`.
    pub key_type: String,
}

impl fmt::Display for KeyAttribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, {})",
            self.name, self.attribute_type, self.key_type
        )
    }
}

/// The lock table key Terraform needs: `LockID`, a string, the hash key.
pub fn lock_key() -> KeyAttribute {
    KeyAttribute {
        name: "LockID".to_owned(),
        attribute_type: "S".to_owned(),
        key_type: "HASH".to_owned(),
    }
}

/// What DescribeTable, DescribeContinuousBackups and ListTagsOfResource say of a table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableFacts {
    /// The table ARN.
    pub arn: String,
    /// Its status.
    pub status: TableStatus,
    /// Its key schema.
    pub key_schema: Vec<KeyAttribute>,
    /// Whether billing is on demand (`PAY_PER_REQUEST`).
    pub on_demand: bool,
    /// Server-side encryption with KMS (`SSEDescription` ENABLED), and its key if any.
    pub sse: Option<Option<String>>,
    /// Point-in-time recovery, or why it could not be read: a least-privilege caller can be
    /// refused DescribeContinuousBackups while DescribeTable works (aws-behaviour.md P10).
    pub point_in_time_recovery: Result<bool, AwsError>,
    /// Deletion protection.
    pub deletion_protection: bool,
    /// Tags, or why they could not be read (ListTagsOfResource refused, P10).
    pub tags: Result<Tags, AwsError>,
}

impl TableFacts {
    /// These facts as they are after `write` succeeds.
    pub fn apply(&mut self, write: &TableWrite) {
        match write.clone() {
            TableWrite::OnDemand => self.on_demand = true,
            TableWrite::Encryption(key) => self.sse = Some(key),
            TableWrite::PointInTimeRecovery => self.point_in_time_recovery = Ok(true),
            TableWrite::DeletionProtection => self.deletion_protection = true,
            TableWrite::Tags(tags) => match &mut self.tags {
                Ok(found) => found.extend(tags),
                Err(_) => self.tags = Ok(tags),
            },
        }
    }
}

/// The lock table to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableSpec {
    /// The KMS key for server-side encryption (the AWS-managed key when `None`).
    pub kms_key_id: Option<String>,
    /// Tags.
    pub tags: Tags,
}

/// The result of CreateTable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableCreated {
    /// Created now.
    Created,
    /// It exists already (another run created it): success.
    AlreadyExists,
}

/// One change to the lock table: one API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableWrite {
    /// Billing mode PAY_PER_REQUEST.
    OnDemand,
    /// Server-side encryption with KMS.
    Encryption(Option<String>),
    /// Point-in-time recovery on.
    PointInTimeRecovery,
    /// Deletion protection on.
    DeletionProtection,
    /// Add or overwrite these tags (others are left alone).
    Tags(Tags),
}

/// One row of a Scan: the string attributes asked for, by name (a missing or non-string
/// attribute is left out).
pub type Row = std::collections::BTreeMap<String, String>;

fn sse(kms_key_id: Option<String>) -> SseSpecification {
    SseSpecification::builder()
        .enabled(true)
        .sse_type(SseType::Kms)
        .set_kms_master_key_id(kms_key_id)
        .build()
}

fn tags(
    tags: &Tags,
) -> Result<Vec<aws_sdk_dynamodb::types::Tag>, aws_sdk_dynamodb::error::BuildError> {
    tags.iter()
        .map(|(key, value)| {
            aws_sdk_dynamodb::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
        })
        .collect()
}

impl Aws {
    /// The table's facts, or `None` when there is no such table.
    pub async fn describe_table(&self, name: &str) -> Result<Option<TableFacts>, AwsError> {
        let described = match self.dynamodb.describe_table().table_name(name).send().await {
            Ok(output) => output,
            Err(error) if code(&error) == Some("ResourceNotFoundException") => return Ok(None),
            Err(error) => return Err(classify("DescribeTable", name, error)),
        };
        let Some(description) = described.table() else {
            return Ok(None);
        };
        let arn = description.table_arn().unwrap_or_default().to_owned();
        let status = match description.table_status().map(|status| status.as_str()) {
            Some("CREATING") => TableStatus::Creating,
            Some("ACTIVE") => TableStatus::Active,
            Some("UPDATING") => TableStatus::Updating,
            Some("DELETING") => TableStatus::Deleting,
            other => TableStatus::Other(other.unwrap_or("UNKNOWN").to_owned()),
        };
        let key_schema = description
            .key_schema()
            .iter()
            .map(|key| KeyAttribute {
                name: key.attribute_name().to_owned(),
                attribute_type: description
                    .attribute_definitions()
                    .iter()
                    .find(|definition| definition.attribute_name() == key.attribute_name())
                    .map(|definition| definition.attribute_type().as_str().to_owned())
                    .unwrap_or_default(),
                key_type: key.key_type().as_str().to_owned(),
            })
            .collect();
        let on_demand = description
            .billing_mode_summary()
            .and_then(|summary| summary.billing_mode())
            == Some(&BillingMode::PayPerRequest);
        let sse = description
            .sse_description()
            .filter(|sse| {
                matches!(
                    sse.status(),
                    Some(SseStatus::Enabled | SseStatus::Enabling | SseStatus::Updating)
                )
            })
            .map(|sse| sse.kms_master_key_arn().map(str::to_owned));
        let deletion_protection = description.deletion_protection_enabled().unwrap_or(false);
        let backups = async {
            self.dynamodb
                .describe_continuous_backups()
                .table_name(name)
                .send()
                .await
                .map_err(|error| classify("DescribeContinuousBackups", name, error))
        };
        let tags = async {
            if arn.is_empty() {
                return Ok(Tags::new());
            }
            self.dynamodb
                .list_tags_of_resource()
                .resource_arn(&arn)
                .send()
                .await
                .map(|output| {
                    output
                        .tags()
                        .iter()
                        .map(|tag| (tag.key().to_owned(), tag.value().to_owned()))
                        .collect()
                })
                .map_err(|error| classify("ListTagsOfResource", name, error))
        };
        let (backups, tags) = futures::join!(backups, tags);
        let point_in_time_recovery = refused(backups)?.map(|backups| {
            backups
                .continuous_backups_description()
                .and_then(|backups| backups.point_in_time_recovery_description())
                .and_then(|pitr| pitr.point_in_time_recovery_status())
                == Some(&PointInTimeRecoveryStatus::Enabled)
        });
        Ok(Some(TableFacts {
            arn,
            status,
            key_schema,
            on_demand,
            sse,
            point_in_time_recovery,
            deletion_protection,
            tags: refused(tags)?,
        }))
    }

    /// Creates the table with the `LockID` key, on-demand, encrypted, protected from
    /// deletion.
    pub async fn create_table(
        &self,
        name: &str,
        spec: &TableSpec,
    ) -> Result<TableCreated, AwsError> {
        let key = AttributeDefinition::builder()
            .attribute_name("LockID")
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(|e| build_error("CreateTable", name, e))?;
        let schema = KeySchemaElement::builder()
            .attribute_name("LockID")
            .key_type(KeyType::Hash)
            .build()
            .map_err(|e| build_error("CreateTable", name, e))?;
        let tags = tags(&spec.tags).map_err(|e| build_error("CreateTable", name, e))?;
        let result = self
            .dynamodb
            .create_table()
            .table_name(name)
            .attribute_definitions(key)
            .key_schema(schema)
            .billing_mode(BillingMode::PayPerRequest)
            .sse_specification(sse(spec.kms_key_id.clone()))
            .deletion_protection_enabled(true)
            .set_tags(Some(tags))
            .send()
            .await;
        match result {
            Ok(_) => Ok(TableCreated::Created),
            Err(error) if code(&error) == Some("ResourceInUseException") => {
                Ok(TableCreated::AlreadyExists)
            }
            Err(error) => Err(classify("CreateTable", name, error)),
        }
    }

    /// Makes one change; `arn` is the table's ARN (for tags).
    pub async fn write_table(
        &self,
        name: &str,
        arn: &str,
        write: &TableWrite,
    ) -> Result<(), AwsError> {
        let update = || self.dynamodb.update_table().table_name(name);
        match write {
            TableWrite::OnDemand => update()
                .billing_mode(BillingMode::PayPerRequest)
                .send()
                .await
                .map(drop)
                .map_err(|error| classify("UpdateTable", name, error)),
            TableWrite::Encryption(key) => update()
                .sse_specification(sse(key.clone()))
                .send()
                .await
                .map(drop)
                .map_err(|error| classify("UpdateTable", name, error)),
            TableWrite::DeletionProtection => update()
                .deletion_protection_enabled(true)
                .send()
                .await
                .map(drop)
                .map_err(|error| classify("UpdateTable", name, error)),
            TableWrite::PointInTimeRecovery => {
                let spec = PointInTimeRecoverySpecification::builder()
                    .point_in_time_recovery_enabled(true)
                    .build()
                    .map_err(|e| build_error("UpdateContinuousBackups", name, e))?;
                self.dynamodb
                    .update_continuous_backups()
                    .table_name(name)
                    .point_in_time_recovery_specification(spec)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("UpdateContinuousBackups", name, error))
            }
            TableWrite::Tags(new) => {
                let tags = tags(new).map_err(|e| build_error("TagResource", name, e))?;
                self.dynamodb
                    .tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(tags))
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| classify("TagResource", name, error))
            }
        }
    }

    /// Every row of `table` (every page of a Scan), with the string attributes named in
    /// `attributes`; with `key_prefix`, only the rows whose `LockID` begins with it.
    /// `None` when the table does not exist.
    pub async fn scan(
        &self,
        table: &str,
        attributes: &[&str],
        key_prefix: Option<&str>,
    ) -> Result<Option<Vec<Row>>, AwsError> {
        let mut rows = Vec::new();
        let mut start = None;
        loop {
            let mut request = self
                .dynamodb
                .scan()
                .table_name(table)
                .projection_expression(attributes.join(", "))
                .set_exclusive_start_key(start.take());
            if let Some(prefix) = key_prefix {
                request = request
                    .filter_expression("begins_with(LockID, :prefix)")
                    .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned()));
            }
            let output = match request.send().await {
                Ok(output) => output,
                Err(error) => {
                    let error = classify("Scan", table, error);
                    let missing = error.kind() == AwsErrorKind::NotFound
                        || error.code() == Some("ResourceNotFoundException");
                    return if missing { Ok(None) } else { Err(error) };
                }
            };
            for item in output.items() {
                rows.push(
                    attributes
                        .iter()
                        .filter_map(|name| {
                            let value = item.get(*name)?.as_s().ok()?;
                            Some(((*name).to_owned(), value.clone()))
                        })
                        .collect(),
                );
            }
            match output.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => return Ok(Some(rows)),
            }
        }
    }
}

/// The most keys one BatchGetItem may ask for.
pub const MAX_BATCH_GET: usize = 100;

fn item(lock_id: &str, attributes: &Row) -> std::collections::HashMap<String, AttributeValue> {
    std::iter::once(("LockID".to_owned(), AttributeValue::S(lock_id.to_owned())))
        .chain(
            attributes
                .iter()
                .map(|(name, value)| (name.clone(), AttributeValue::S(value.clone()))),
        )
        .collect()
}

fn is_condition_failure<E: aws_smithy_types::error::metadata::ProvideErrorMetadata>(
    error: &aws_sdk_dynamodb::error::SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>,
) -> bool {
    code(error) == Some("ConditionalCheckFailedException")
}

impl Aws {
    /// The rows of `table` whose `LockID` is one of `lock_ids`, with the string attributes
    /// named in `attributes`, read with BatchGetItem (100 keys a request, what it leaves
    /// unprocessed asked again). Rows that do not exist are absent from the answer.
    pub async fn rows(
        &self,
        table: &str,
        lock_ids: &[String],
        attributes: &[&str],
    ) -> Result<std::collections::BTreeMap<String, Row>, AwsError> {
        use aws_sdk_dynamodb::types::KeysAndAttributes;
        let mut found = std::collections::BTreeMap::new();
        let projection = std::iter::once("LockID")
            .chain(attributes.iter().copied())
            .collect::<Vec<_>>()
            .join(", ");
        for chunk in lock_ids.chunks(MAX_BATCH_GET) {
            let keys = chunk
                .iter()
                .map(|id| item(id, &Row::new()))
                .collect::<Vec<_>>();
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(keys))
                    .projection_expression(&projection)
                    .consistent_read(true)
                    .build()
                    .map_err(|e| build_error("BatchGetItem", table, e))?,
            );
            let mut rounds = 0;
            while let Some(request) = pending.take() {
                rounds += 1;
                if rounds > 1 {
                    tokio::time::sleep(std::time::Duration::from_millis(50 * rounds)).await;
                }
                let output = self
                    .dynamodb
                    .batch_get_item()
                    .request_items(table, request)
                    .send()
                    .await
                    .map_err(|error| classify("BatchGetItem", table, error))?;
                for item in output
                    .responses()
                    .and_then(|r| r.get(table))
                    .into_iter()
                    .flatten()
                {
                    let Some(lock_id) = item.get("LockID").and_then(|v| v.as_s().ok()) else {
                        continue;
                    };
                    let row: Row = attributes
                        .iter()
                        .filter_map(|name| {
                            let value = item.get(*name)?.as_s().ok()?;
                            Some(((*name).to_owned(), value.clone()))
                        })
                        .collect();
                    found.insert(lock_id.clone(), row);
                }
                pending = output
                    .unprocessed_keys()
                    .and_then(|unprocessed| unprocessed.get(table))
                    .filter(|left| !left.keys().is_empty())
                    .cloned();
                if pending.is_some() && rounds >= 10 {
                    return Err(AwsError::new(
                        "BatchGetItem",
                        table,
                        AwsErrorKind::Throttled,
                        "keys left unprocessed after 10 rounds",
                    ));
                }
            }
        }
        Ok(found)
    }

    /// Writes the row `lock_id` with `attributes` only if no such row exists
    /// (`attribute_not_exists(LockID)`), as Terraform takes its lock.
    pub async fn put_row_if_absent(
        &self,
        table: &str,
        lock_id: &str,
        attributes: &Row,
    ) -> Result<crate::objects::Condition, AwsError> {
        let result = self
            .dynamodb
            .put_item()
            .table_name(table)
            .set_item(Some(item(lock_id, attributes)))
            .condition_expression("attribute_not_exists(LockID)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(crate::objects::Condition::Held),
            Err(error) if is_condition_failure(&error) => Ok(crate::objects::Condition::Failed),
            Err(error) => Err(classify("PutItem", lock_id, error)),
        }
    }

    /// Writes (or overwrites) the row `lock_id` with `attributes`.
    pub async fn put_row(
        &self,
        table: &str,
        lock_id: &str,
        attributes: &Row,
    ) -> Result<(), AwsError> {
        self.dynamodb
            .put_item()
            .table_name(table)
            .set_item(Some(item(lock_id, attributes)))
            .send()
            .await
            .map(drop)
            .map_err(|error| classify("PutItem", lock_id, error))
    }

    /// Deletes the row `lock_id` only while its attribute `name` still equals `value` (a
    /// lock row still holding the same `Info`); with `expected` `None`, unconditionally.
    pub async fn delete_row(
        &self,
        table: &str,
        lock_id: &str,
        expected: Option<(&str, &str)>,
    ) -> Result<crate::objects::Condition, AwsError> {
        let mut request = self
            .dynamodb
            .delete_item()
            .table_name(table)
            .key("LockID", AttributeValue::S(lock_id.to_owned()));
        if let Some((name, value)) = expected {
            request = request
                .condition_expression("#attribute = :expected")
                .expression_attribute_names("#attribute", name)
                .expression_attribute_values(":expected", AttributeValue::S(value.to_owned()));
        }
        match request.send().await {
            Ok(_) => Ok(crate::objects::Condition::Held),
            Err(error) if is_condition_failure(&error) => Ok(crate::objects::Condition::Failed),
            Err(error) => Err(classify("DeleteItem", lock_id, error)),
        }
    }
}

/// The most writes one TransactWriteItems may carry (AWS's limit).
pub const MAX_TRANSACTION_WRITES: usize = 100;

/// One write of a transaction over a table's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RowWrite {
    /// Writes a row only if its `LockID` is free (how Terraform takes its lock).
    PutIfAbsent {
        /// The row's `LockID`.
        lock_id: String,
        /// Its other attributes.
        row: Row,
    },
    /// Writes (or overwrites) a row.
    Put {
        /// The row's `LockID`.
        lock_id: String,
        /// Its other attributes.
        row: Row,
    },
    /// Deletes a row only while its attribute `name` still equals `value`.
    DeleteIf {
        /// The row's `LockID`.
        lock_id: String,
        /// The attribute checked.
        name: String,
        /// The value it must still hold.
        value: String,
    },
}

/// What a transaction did: every write, or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transacted {
    /// Every write was made.
    Written,
    /// None was: the writes (by position) whose condition failed.
    Refused(Vec<usize>),
}

impl RowWrite {
    fn lock_id(&self) -> &str {
        match self {
            RowWrite::PutIfAbsent { lock_id, .. }
            | RowWrite::Put { lock_id, .. }
            | RowWrite::DeleteIf { lock_id, .. } => lock_id,
        }
    }

    fn item(&self, table: &str) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, AwsError> {
        use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};
        let built = |error| build_error("TransactWriteItems", self.lock_id(), error);
        let write = TransactWriteItem::builder();
        Ok(match self {
            RowWrite::PutIfAbsent { lock_id, row } => write.put(
                Put::builder()
                    .table_name(table)
                    .set_item(Some(item(lock_id, row)))
                    .condition_expression("attribute_not_exists(LockID)")
                    .build()
                    .map_err(built)?,
            ),
            RowWrite::Put { lock_id, row } => write.put(
                Put::builder()
                    .table_name(table)
                    .set_item(Some(item(lock_id, row)))
                    .build()
                    .map_err(built)?,
            ),
            RowWrite::DeleteIf {
                lock_id,
                name,
                value,
            } => write.delete(
                Delete::builder()
                    .table_name(table)
                    .key("LockID", AttributeValue::S(lock_id.clone()))
                    .condition_expression("#attribute = :expected")
                    .expression_attribute_names("#attribute", name)
                    .expression_attribute_values(":expected", AttributeValue::S(value.clone()))
                    .build()
                    .map_err(built)?,
            ),
        }
        .build())
    }
}

impl Aws {
    /// Makes every one of `writes` (on distinct rows, at most
    /// [`MAX_TRANSACTION_WRITES`]) in one TransactWriteItems, or none of them: a failed
    /// condition is [`Transacted::Refused`], naming which. A transaction cancelled for any
    /// other reason (another transaction on one of the rows) is an error.
    pub async fn write_rows(
        &self,
        table: &str,
        writes: &[RowWrite],
    ) -> Result<Transacted, AwsError> {
        use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
        assert!(
            (1..=MAX_TRANSACTION_WRITES).contains(&writes.len()),
            "a transaction carries 1 to {MAX_TRANSACTION_WRITES} writes"
        );
        let items = writes
            .iter()
            .map(|write| write.item(table))
            .collect::<Result<Vec<_>, _>>()?;
        let result = self
            .dynamodb
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let Err(error) = result else {
            return Ok(Transacted::Written);
        };
        if let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) =
            error.as_service_error()
        {
            let failed: Vec<usize> = cancelled
                .cancellation_reasons()
                .iter()
                .enumerate()
                .filter(|(_, reason)| reason.code() == Some("ConditionalCheckFailed"))
                .map(|(index, _)| index)
                .collect();
            if !failed.is_empty() {
                return Ok(Transacted::Refused(failed));
            }
        }
        Err(classify("TransactWriteItems", writes[0].lock_id(), error))
    }
}

/// A read the caller may not make is a value (P10): the caller learns which fact is
/// unknown. Any other failure is the call's.
fn refused<T>(result: Result<T, AwsError>) -> Result<Result<T, AwsError>, AwsError> {
    match result {
        Err(error) if error.kind() != AwsErrorKind::AccessDenied => Err(error),
        read => Ok(read),
    }
}
