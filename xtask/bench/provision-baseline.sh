#!/usr/bin/env bash
# BASELINE for `cargo xtask bench provision` — not part of the toolkit.
#
# What provision-s3-client-centric.sh did: the same settings the toolkit applies, with the
# aws CLI, one call at a time, checking for each bucket whether it exists first. The
# benchmark times this against provision-s3-client-centric on the same emulator.
#
# Usage: provision-baseline.sh PROJECT REGION ENVIRONMENT TABLE
# Needs: aws (awscli), AWS_ENDPOINT_URL and credentials in the environment.
set -euo pipefail
project=$1 region=$2 environment=$3 table=$4
state="${project}-terraform-state-${environment}"
logs="${project}-${region}-logs-${environment}"

aws sts get-caller-identity --output text >/dev/null

harden() {
  local bucket=$1
  if ! aws s3api head-bucket --bucket "$bucket" 2>/dev/null; then
    aws s3api create-bucket --bucket "$bucket" --region "$region" \
      --create-bucket-configuration "LocationConstraint=$region" >/dev/null
  fi
  aws s3api put-bucket-ownership-controls --bucket "$bucket" \
    --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerEnforced}]'
  aws s3api put-public-access-block --bucket "$bucket" --public-access-block-configuration \
    BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
  aws s3api put-bucket-encryption --bucket "$bucket" --server-side-encryption-configuration \
    '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'
  aws s3api put-bucket-versioning --bucket "$bucket" --versioning-configuration Status=Enabled
  aws s3api put-bucket-tagging --bucket "$bucket" --tagging \
    "TagSet=[{Key=Project,Value=$project},{Key=Environment,Value=$environment},{Key=ManagedBy,Value=script}]"
  aws s3api put-bucket-metrics-configuration --bucket "$bucket" --id EntireBucket \
    --metrics-configuration Id=EntireBucket
  aws s3api put-bucket-policy --bucket "$bucket" --policy "$(policy "$bucket")"
}

policy() {
  local bucket=$1 extra=""
  if [ "$bucket" = "$logs" ]; then
    extra=',{"Sid":"AllowAccessLogs","Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::'"$logs"'/s3-access-logs/'"$state"'/*"}'
  fi
  echo '{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":["arn:aws:s3:::'"$bucket"'","arn:aws:s3:::'"$bucket"'/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}'"$extra"']}'
}

lifecycle() {
  local bucket=$1 days=$2 transition=${3:-}
  aws s3api put-bucket-lifecycle-configuration --bucket "$bucket" --lifecycle-configuration \
    '{"Rules":[{"ID":"retention","Status":"Enabled","Filter":{"Prefix":""},"Expiration":{"Days":'"$days"'},'"$transition"'"NoncurrentVersionExpiration":{"NoncurrentDays":30},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}]}'
}

harden "$state"
for kind in logs traces metrics audit-logs; do
  harden "${project}-${region}-${kind}-${environment}"
done
lifecycle "$logs" 90
lifecycle "${project}-${region}-traces-${environment}" 30
lifecycle "${project}-${region}-metrics-${environment}" 90
lifecycle "${project}-${region}-audit-logs-${environment}" 2555 '"Transitions":[{"Days":90,"StorageClass":"GLACIER"}],'
aws s3api put-bucket-logging --bucket "$state" --bucket-logging-status \
  '{"LoggingEnabled":{"TargetBucket":"'"$logs"'","TargetPrefix":"s3-access-logs/'"$state"'/"}}'

if ! aws dynamodb describe-table --table-name "$table" --region "$region" >/dev/null 2>&1; then
  aws dynamodb create-table --table-name "$table" --region "$region" \
    --attribute-definitions AttributeName=LockID,AttributeType=S \
    --key-schema AttributeName=LockID,KeyType=HASH --billing-mode PAY_PER_REQUEST \
    --sse-specification Enabled=true --deletion-protection-enabled >/dev/null
  aws dynamodb wait table-exists --table-name "$table" --region "$region"
fi
aws dynamodb update-continuous-backups --table-name "$table" --region "$region" \
  --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true >/dev/null
