//! What real AWS does that moto does not (`../shared/design/aws-behaviour.md`), each row a
//! named rule of the [`FaultProxy`](crate::FaultProxy) that reproduces it, citing its
//! source, so a test can switch one on, or all of them at once ([`real_account`]).
//!
//! Each behaviour here is reproduced as AWS documents it; the ones not yet here are in the
//! table of aws-behaviour.md and in the open issue that adds them.

use std::time::Duration;

use crate::proxy::{AwsAnswer, Fault, FaultRule, RequestRecord, Rewrite};

/// One documented AWS behaviour, and the proxy rules that reproduce it.
#[derive(Debug, Clone, Copy)]
pub struct Behaviour {
    /// Its row in aws-behaviour.md, such as `P2`.
    pub id: &'static str,
    /// What AWS does.
    pub summary: &'static str,
    /// Where AWS documents it, or where it was reported.
    pub source: &'static str,
    rules: fn() -> Vec<FaultRule>,
}

impl Behaviour {
    /// The proxy rules that make the emulator behave so.
    pub fn rules(&self) -> Vec<FaultRule> {
        (self.rules)()
    }
}

/// A rule that answers every request it matches with AWS's error `code`.
fn answering(status: u16, code: &'static str, message: &'static str) -> FaultRule {
    FaultRule::new(
        Fault::Error(AwsAnswer {
            status,
            code,
            message,
            header: None,
        }),
        1.0,
    )
}

fn operation_is(record: &RequestRecord, name: &str) -> bool {
    record.operation.as_deref() == Some(name)
}

/// S3's DeleteBucket, path-style: `DELETE /{bucket}` with no key and no query.
fn is_delete_bucket(record: &RequestRecord) -> bool {
    record.method == "DELETE"
        && record.query.is_empty()
        && record.path.trim_matches('/').split('/').count() == 1
}

/// S3's DeleteObjects: `POST /{bucket}?delete`.
fn is_delete_objects(record: &RequestRecord) -> bool {
    record.method == "POST"
        && record
            .query
            .split('&')
            .any(|pair| pair == "delete" || pair == "delete=")
}

/// P2: point-in-time recovery cannot be turned on for a while after a table is created:
/// UpdateContinuousBackups answers 400 `ContinuousBackupsUnavailableException`. Reproduced
/// for the first two calls within a minute of a CreateTable.
pub const PITR_UNAVAILABLE_AFTER_CREATE: Behaviour = Behaviour {
    id: "P2",
    summary: "UpdateContinuousBackups answers ContinuousBackupsUnavailableException for a while \
              after CreateTable",
    source: "aws-amplify/amplify-backend#1654, scalar-labs/scalardb#347, boto/botocore#2102",
    rules: || {
        vec![
            FaultRule::first(
                Fault::Error(AwsAnswer {
                    status: 400,
                    code: "ContinuousBackupsUnavailableException",
                    message: "Backups are being enabled for the table. Please retry later",
                    header: None,
                }),
                2,
            )
            .matching(|record| operation_is(record, "UpdateContinuousBackups"))
            .within(Duration::from_secs(60), |record| {
                operation_is(record, "CreateTable")
            }),
        ]
    },
};

/// T6: DeleteBucket can answer 409 `BucketNotEmpty` for a while after the last object is
/// deleted. Reproduced for 1.5 s after each DeleteObjects.
pub const BUCKET_NOT_EMPTY_AFTER_DELETES: Behaviour = Behaviour {
    id: "T6",
    summary: "DeleteBucket answers BucketNotEmpty for a while after the last delete",
    source: "S3 user guide, \"Amazon S3 data consistency model\"",
    rules: || {
        vec![
            answering(
                409,
                "BucketNotEmpty",
                "The bucket you tried to delete is not empty",
            )
            .matching(is_delete_bucket)
            .within(Duration::from_millis(1_500), is_delete_objects),
        ]
    },
};

/// P7 and T4: a bucket in another region answers every request of this region's endpoint
/// with 301 PermanentRedirect and `x-amz-bucket-region` (HeadBucket before checking who
/// owns it), and the Rust SDK does not follow it. A fact about one bucket, so a rule to
/// add for it rather than a part of [`real_account`].
pub fn bucket_in_region(bucket: &str, region: &'static str) -> FaultRule {
    redirect_to(bucket, region, |_| true)
}

/// T4 as S3 does it for a bucket of this account in `region`: a request signed for another
/// region is answered 301 with `x-amz-bucket-region`; one signed for `region` goes through.
/// (moto keeps every region's buckets in one place and answers any region.)
pub fn bucket_only_in_region(bucket: &str, region: &'static str) -> FaultRule {
    redirect_to(bucket, region, move |record| {
        record.signed_region.as_deref() != Some(region)
    })
}

/// 301 PermanentRedirect to `region` for the requests on `bucket` that `also` picks.
fn redirect_to(
    bucket: &str,
    region: &'static str,
    also: impl Fn(&RequestRecord) -> bool + Send + Sync + 'static,
) -> FaultRule {
    let path = format!("/{bucket}");
    FaultRule::new(
        Fault::Error(AwsAnswer {
            status: 301,
            code: "PermanentRedirect",
            message: "The bucket you are attempting to access must be addressed using the specified endpoint.",
            header: Some(("x-amz-bucket-region", region)),
        }),
        1.0,
    )
    .matching(move |record| {
        (record.path == path || record.path.starts_with(&format!("{path}/"))) && also(record)
    })
}

/// P1: DynamoDB reports a table's KMS key as its full key ARN
/// (`SSEDescription.KMSMasterKeyArn`), whatever form it was given in; moto reports it as
/// given. For the key `given` (an alias or key id) whose ARN is `arn`: every DescribeTable
/// answer that reports `given` reports `arn` instead. A fact about one key, like a bucket's
/// region, so a rule to add for it rather than a part of [`real_account`].
pub fn table_key_reported_as_arn(given: &str, arn: &str) -> FaultRule {
    let (given, arn) = (given.to_owned(), arn.to_owned());
    let rewrite = Rewrite::new("a table's KMS key as its ARN", move |_, _, body| {
        let Ok(mut answer) = serde_json::from_str::<serde_json::Value>(&body) else {
            return body;
        };
        let key = answer.pointer_mut("/Table/SSEDescription/KMSMasterKeyArn");
        match key {
            Some(key) if key.as_str() == Some(given.as_str()) => {
                *key = serde_json::Value::String(arn.clone());
                answer.to_string()
            }
            _ => body,
        }
    });
    FaultRule::new(Fault::Rewrite(rewrite), 1.0)
        .matching(|record| operation_is(record, "DescribeTable"))
}

/// P11: S3 honours `x-amz-expected-bucket-owner` on every bucket request. For `bucket`,
/// owned (in this rule) by `account`: a request whose expected owner is another account is
/// refused with 403 `AccessDenied`; a request without the header goes through, as it does
/// on AWS when the bucket's policy allows the caller. A fact about one bucket, so not part
/// of [`real_account`].
pub fn bucket_of_another_account(bucket: &str, account: &'static str) -> FaultRule {
    let bucket = bucket.to_owned();
    answering(403, "AccessDenied", "Access Denied").matching(move |record| {
        record.bucket() == Some(bucket.as_str())
            && record
                .header("x-amz-expected-bucket-owner")
                .is_some_and(|owner| owner != account)
    })
}

/// T1: HeadObject carries the Object Lock headers only to a caller allowed
/// `s3:GetObjectRetention` and `s3:GetObjectLegalHold`, and GetObjectRetention and
/// GetObjectLegalHold answer 403 `AccessDenied` to one that is not. Reproduced for such a
/// caller: the headers are taken out of every HeadObject answer, and both reads refused.
/// A fact about the caller's permissions, so not part of [`real_account`].
pub const OBJECT_LOCK_READS_DENIED: Behaviour = Behaviour {
    id: "T1",
    summary: "without s3:GetObjectRetention and s3:GetObjectLegalHold, HeadObject hides the \
              Object Lock headers and the two reads are refused",
    source: "S3 API reference, HeadObject (x-amz-object-lock-mode: \"you must have the \
             s3:GetObjectRetention permission\"), GetObjectRetention, GetObjectLegalHold",
    rules: || {
        let hidden = Rewrite::new(
            "HeadObject without the Object Lock headers",
            |_, headers, body| {
                for name in [
                    "x-amz-object-lock-mode",
                    "x-amz-object-lock-retain-until-date",
                    "x-amz-object-lock-legal-hold",
                ] {
                    headers.remove(name);
                }
                body
            },
        );
        vec![
            answering(403, "AccessDenied", "Access Denied").matching(|record| {
                record.method == "GET"
                    && !record.is_bucket_request()
                    && (record.has_query("retention") || record.has_query("legal-hold"))
            }),
            FaultRule::new(Fault::Rewrite(hidden), 1.0).matching(|record| {
                record.method == "HEAD" && record.bucket().is_some() && !record.is_bucket_request()
            }),
        ]
    },
};

/// A1: GetBucketPolicyStatus answers S3's own verdict on a policy ("The meaning of
/// public"), which moto reaches its own way. For `bucket`, whose policy S3 judges public:
/// the answer says `IsPublic` true. A fact about one bucket's policy, so not part of
/// [`real_account`].
pub fn policy_judged_public(bucket: &str) -> FaultRule {
    let bucket = bucket.to_owned();
    let verdict = Rewrite::new("S3's verdict: public", |_, headers, _| {
        headers.insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/xml"),
        );
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PolicyStatus \
         xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><IsPublic>true</IsPublic></PolicyStatus>"
            .to_owned()
    });
    FaultRule::new(Fault::Rewrite(verdict), 1.0).matching(move |record| {
        record.method == "GET"
            && record.bucket() == Some(bucket.as_str())
            && record.is_bucket_request()
            && record.has_query("policyStatus")
    })
}

/// P6: PutBucketLifecycleConfiguration resets `TransitionDefaultMinimumObjectSize` to the
/// default when the request leaves it out; moto keeps no such setting. For `bucket`, whose
/// owner chose `value` (`varies_by_storage_class`): lifecycle reads report it (the
/// `x-amz-transition-default-minimum-object-size` header) until a Put without it resets it.
/// A fact about one bucket, so not part of [`real_account`].
pub fn bucket_with_minimum_object_size(bucket: &str, value: &'static str) -> FaultRule {
    const HEADER: &str = "x-amz-transition-default-minimum-object-size";
    let path = format!("/{bucket}");
    let is_lifecycle = move |record: &RequestRecord, method: &str| {
        record.method == method
            && record.path.trim_end_matches('/') == path
            && record.has_query("lifecycle")
    };
    let reset = is_lifecycle.clone();
    let reported = Rewrite::new(
        "the bucket's minimum object size",
        move |_, headers, body| {
            headers.insert(HEADER, hyper::header::HeaderValue::from_static(value));
            body
        },
    );
    FaultRule::new(Fault::Rewrite(reported), 1.0)
        .matching(move |record| is_lifecycle(record, "GET"))
        .until(move |record| reset(record, "PUT") && record.header(HEADER) != Some(value))
}

/// P8: under Block Public Access's BlockPublicPolicy, a policy write that makes the bucket
/// public is refused with 403 `AccessDenied`; moto accepts it. For `bucket`, whose block is
/// on: a PutBucketPolicy whose document allows `*` without any condition is refused. A fact
/// about one bucket's block, so not part of [`real_account`].
pub fn bucket_blocking_public_policies(bucket: &str) -> FaultRule {
    let path = format!("/{bucket}");
    answering(
        403,
        "AccessDenied",
        "User is not authorized to perform: s3:PutBucketPolicy on resource \
                      because public policies are blocked by the BlockPublicPolicy block public \
                      access setting.",
    )
    .matching(move |record| {
        record.method == "PUT"
            && record.path.trim_end_matches('/') == path
            && record.has_query("policy")
            && grants_everyone_unconditionally(&record.body)
    })
}

/// Whether a policy document has an Allow for `*` (or `{"AWS": "*"}`) with no condition.
fn grants_everyone_unconditionally(document: &str) -> bool {
    let Ok(policy) = serde_json::from_str::<serde_json::Value>(document) else {
        return false;
    };
    let statements = match &policy["Statement"] {
        serde_json::Value::Array(statements) => statements.clone(),
        statement => vec![statement.clone()],
    };
    statements.iter().any(|statement| {
        let everyone = statement["Principal"] == "*" || statement["Principal"]["AWS"] == "*";
        statement["Effect"] == "Allow" && everyone && statement.get("Condition").is_none()
    })
}

/// S3's CreateBucket, path-style: `PUT /{bucket}` with no key and no query.
fn is_create_bucket(record: &RequestRecord) -> bool {
    record.method == "PUT"
        && record.query.is_empty()
        && record.path.trim_matches('/').split('/').count() == 1
}

/// A configuration write to a bucket: `PUT /{bucket}?{configuration}`.
fn is_bucket_configuration_write(record: &RequestRecord) -> bool {
    record.method == "PUT"
        && !record.query.is_empty()
        && record.path.trim_matches('/').split('/').count() == 1
}

/// P3: bucket configuration is eventually consistent: right after CreateBucket a write to
/// the new bucket can answer 404 `NoSuchBucket`. Reproduced for the first three
/// configuration writes within 30 s of a CreateBucket.
pub const NO_SUCH_BUCKET_AFTER_CREATE: Behaviour = Behaviour {
    id: "P3",
    summary: "a configuration write right after CreateBucket answers NoSuchBucket",
    source: "S3 user guide, \"Amazon S3 data consistency model\"; \
             hashicorp/terraform-provider-aws#372",
    rules: || {
        vec![
            FaultRule::first(
                Fault::Error(AwsAnswer {
                    status: 404,
                    code: "NoSuchBucket",
                    message: "The specified bucket does not exist",
                    header: None,
                }),
                3,
            )
            .matching(is_bucket_configuration_write)
            .within(Duration::from_secs(30), is_create_bucket),
        ]
    },
};

/// P3 (reads): a read right after a Put can return the previous configuration; for
/// lifecycle rules for minutes. Reproduced for a new bucket, whose previous configuration
/// is none: the first two GetBucketLifecycleConfiguration within 10 s of a
/// PutBucketLifecycleConfiguration answer 404 `NoSuchLifecycleConfiguration`.
pub const STALE_LIFECYCLE_AFTER_PUT: Behaviour = Behaviour {
    id: "P3",
    summary: "a lifecycle read right after a Put returns the previous configuration",
    source: "S3 user guide, \"Amazon S3 data consistency model\" and \"Setting lifecycle \
             configuration\" (changes take a while to propagate); \
             hashicorp/terraform-provider-aws#41764",
    rules: || {
        let is_lifecycle = |record: &RequestRecord, method: &str| {
            record.method == method && record.is_bucket_request() && record.has_query("lifecycle")
        };
        vec![
            FaultRule::first(
                Fault::Error(AwsAnswer {
                    status: 404,
                    code: "NoSuchLifecycleConfiguration",
                    message: "The lifecycle configuration does not exist",
                    header: None,
                }),
                2,
            )
            .matching(move |record| is_lifecycle(record, "GET"))
            .within(Duration::from_secs(10), move |record| {
                is_lifecycle(record, "PUT")
            }),
        ]
    },
};

/// P4: PutBucketOwnershipControls(BucketOwnerEnforced) answers 400
/// `InvalidBucketAclWithObjectOwnership` while the bucket ACL grants anyone but the owner:
/// for `bucket`, until its ACL is reset (a successful PutBucketAcl). A fact about one
/// bucket (one the old scripts made with `log-delivery-write`), so not part of
/// [`real_account`].
pub fn bucket_with_legacy_acl(bucket: &str) -> FaultRule {
    let path = format!("/{bucket}");
    let is_this = move |record: &RequestRecord, configuration: &str| {
        record.path.trim_end_matches('/') == path
            && record.method == "PUT"
            && record
                .query
                .split('&')
                .any(|pair| pair.split('=').next() == Some(configuration))
    };
    let ownership = is_this.clone();
    answering(
        400,
        "InvalidBucketAclWithObjectOwnership",
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
    )
    .matching(move |record| ownership(record, "ownershipControls"))
    .until(move |record| is_this(record, "acl"))
}

/// A3: an S3-compatible store (MinIO, Ceph RGW, R2, Wasabi, LocalStack) answers 501
/// `NotImplemented` for APIs it lacks: here request metrics, ownership controls and policy
/// status (LocalStack has no GetBucketPolicyStatus). Not
/// AWS's behaviour, so not part of [`real_account`].
pub const S3_COMPATIBLE_STORE: Behaviour = Behaviour {
    id: "A3",
    summary: "an S3-compatible store answers NotImplemented for metrics, ownership controls \
              and policy status",
    source: "the API compatibility pages of MinIO, Ceph RGW and Cloudflare R2",
    rules: || {
        let lacks = |record: &RequestRecord| {
            record.method == "GET"
                && record.query.split('&').any(|pair| {
                    let name = pair.split('=').next().unwrap_or_default();
                    matches!(name, "metrics" | "ownershipControls" | "policyStatus")
                })
        };
        vec![
            answering(
                501,
                "NotImplemented",
                "A header or query you provided implies functionality that is not implemented.",
            )
            .matching(lacks),
        ]
    },
};

/// P10: a least-privilege caller may be refused DescribeContinuousBackups and
/// ListTagsOfResource while DescribeTable works: both answer 400 `AccessDeniedException`.
/// A fact about the caller's permissions, so not part of [`real_account`].
pub const LEAST_PRIVILEGE_TABLE_READS: Behaviour = Behaviour {
    id: "P10",
    summary: "DescribeContinuousBackups and ListTagsOfResource are refused while DescribeTable \
              works",
    source: "IAM service authorization reference, Amazon DynamoDB actions",
    rules: || {
        vec![
            answering(
                400,
                "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/ci is not authorized to \
                              perform this operation because no identity-based policy allows it",
            )
            .matching(|record| {
                operation_is(record, "DescribeContinuousBackups")
                    || operation_is(record, "ListTagsOfResource")
            }),
        ]
    },
};

/// T7: ListObjectVersions (and the other listings) carry keys URL-encoded when the request
/// asks `encoding-type=url`, the only way XML 1.0 carries every character a key may hold;
/// moto ignores the parameter. Reproduced: when asked, the answer's keys and markers are
/// encoded as S3 encodes them (a form's encoding: a space is `+`) and the answer says
/// `<EncodingType>url</EncodingType>`.
pub const LISTINGS_URL_ENCODED: Behaviour = Behaviour {
    id: "T7",
    summary: "listings asked for encoding-type=url carry URL-encoded keys",
    source: "S3 API reference, ListObjectVersions (encoding-type)",
    rules: || {
        let encoded = Rewrite::new("listing keys URL-encoded", |_, _, body| {
            url_encode_listing(&body)
        });
        vec![
            FaultRule::new(Fault::Rewrite(encoded), 1.0).matching(|record| {
                record.method == "GET"
                    && record.is_bucket_request()
                    && record
                        .query
                        .split('&')
                        .any(|pair| pair == "encoding-type=url")
            }),
        ]
    },
};

/// The elements of a listing that S3 URL-encodes under `encoding-type=url`.
const ENCODED_ELEMENTS: [&str; 6] = [
    "Key",
    "Prefix",
    "KeyMarker",
    "NextKeyMarker",
    "Delimiter",
    "StartAfter",
];

/// `body` (a listing's XML) with the text of every [`ENCODED_ELEMENTS`] URL-encoded, and
/// `<EncodingType>url</EncodingType>` after the root's opening tag.
fn url_encode_listing(body: &str) -> String {
    let mut text = body.to_owned();
    for element in ENCODED_ELEMENTS {
        let (open, close) = (format!("<{element}>"), format!("</{element}>"));
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(start) = rest.find(&open) {
            let inner_start = start + open.len();
            let Some(length) = rest[inner_start..].find(&close) else {
                break;
            };
            let raw = xml_unescape(&rest[inner_start..inner_start + length]);
            out.push_str(&rest[..inner_start]);
            out.extend(form_urlencoded::byte_serialize(raw.as_bytes()));
            rest = &rest[inner_start + length..];
        }
        out.push_str(rest);
        text = out;
    }
    if text.contains("<EncodingType>") {
        return text;
    }
    // The root element is the first one after the XML declaration.
    let after_declaration = text.find("?>").map_or(0, |end| end + 2);
    match text[after_declaration..].find('>') {
        Some(end) => {
            let at = after_declaration + end + 1;
            format!(
                "{}<EncodingType>url</EncodingType>{}",
                &text[..at],
                &text[at..]
            )
        }
        None => text,
    }
}

fn xml_unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Every behaviour reproduced so far.
pub const ALL: [Behaviour; 5] = [
    PITR_UNAVAILABLE_AFTER_CREATE,
    NO_SUCH_BUCKET_AFTER_CREATE,
    STALE_LIFECYCLE_AFTER_PUT,
    BUCKET_NOT_EMPTY_AFTER_DELETES,
    LISTINGS_URL_ENCODED,
];

/// "A real account": every behaviour of [`ALL`] at once: what AWS does to every account,
/// as opposed to facts about one bucket, key or caller (the functions and constants not
/// in [`ALL`]).
pub fn real_account() -> Vec<FaultRule> {
    ALL.iter().flat_map(Behaviour::rules).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_behaviour_names_its_row_and_its_source() {
        for behaviour in ALL {
            assert!(
                behaviour.id.len() == 2 && behaviour.id.starts_with(['P', 'A', 'T']),
                "{behaviour:?}"
            );
            assert!(!behaviour.source.is_empty() && !behaviour.rules().is_empty());
        }
        assert_eq!(real_account().len(), ALL.len());
    }

    #[test]
    fn a_listing_is_url_encoded_as_s3_encodes_it() {
        let moto = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListVersionsResult \
                    xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><Prefix></Prefix>\
                    <Version><Key>dir/a b+c&amp;d.tfstate</Key></Version></ListVersionsResult>";
        let encoded = url_encode_listing(moto);
        assert!(
            encoded.contains("<Key>dir%2Fa+b%2Bc%26d.tfstate</Key>"),
            "{encoded}"
        );
        assert!(
            encoded.contains(
                "<ListVersionsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><EncodingType>url</EncodingType>"
            ),
            "{encoded}"
        );
    }

    #[test]
    fn delete_bucket_is_told_from_delete_objects_and_object_deletes() {
        let record = |method: &str, path: &str, query: &str| RequestRecord {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            operation: None,
            headers: Vec::new(),
            signed_region: None,
            body: String::new(),
            status: 0,
            fault: None,
        };
        assert!(is_delete_bucket(&record("DELETE", "/b", "")));
        assert!(!is_delete_bucket(&record("DELETE", "/b/key", "")));
        assert!(!is_delete_bucket(&record("DELETE", "/b", "policy")));
        assert!(is_delete_objects(&record("POST", "/b", "delete")));
        assert!(!is_delete_objects(&record("POST", "/b", "uploads")));
    }
}
