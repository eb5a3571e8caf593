#!/usr/bin/env bash
# BASELINE for `cargo xtask bench audit` — not part of the toolkit.
#
# What verify-s3-security.sh did: the seed's eight checks, with the aws CLI, one call at a
# time, bucket after bucket. Prints one line per failed check, `FAIL <bucket> <check>`, so
# the benchmark can compare its findings with the toolkit's.
#
# Usage: audit-baseline.sh BUCKET...
# Needs: aws (awscli), AWS_ENDPOINT_URL and credentials in the environment.
set -uo pipefail

fail() { echo "FAIL $1 $2"; }

for bucket in "$@"; do
  echo "[INFO] Verifying bucket: $bucket" >&2

  # 1. Public Access Block: all four settings.
  settings=$(aws s3api get-public-access-block --bucket "$bucket" --output text \
    --query 'PublicAccessBlockConfiguration.[BlockPublicAcls,IgnorePublicAcls,BlockPublicPolicy,RestrictPublicBuckets]' 2>/dev/null)
  if [ "$(echo "$settings" | tr -s '\t ' '\n\n' | grep -c True)" != 4 ]; then
    fail "$bucket" public-access-block
  fi

  # 2. Server-side encryption.
  if ! aws s3api get-bucket-encryption --bucket "$bucket" >/dev/null 2>&1; then
    fail "$bucket" encryption
  fi

  # 3. Versioning.
  status=$(aws s3api get-bucket-versioning --bucket "$bucket" --query Status --output text 2>/dev/null)
  [ "$status" = Enabled ] || fail "$bucket" versioning

  # 4. A bucket policy that allows everyone.
  policy=$(aws s3api get-bucket-policy --bucket "$bucket" --query Policy --output text 2>/dev/null)
  if echo "$policy" | tr -d ' \n' | grep -Eq '"Effect":"Allow","Principal":("\*"|\{"AWS":"\*"\})'; then
    fail "$bucket" policy-public
  fi

  # 5. Object ownership.
  ownership=$(aws s3api get-bucket-ownership-controls --bucket "$bucket" \
    --query 'OwnershipControls.Rules[0].ObjectOwnership' --output text 2>/dev/null)
  [ "$ownership" = BucketOwnerEnforced ] || fail "$bucket" object-ownership

  # 6. Server access logging.
  target=$(aws s3api get-bucket-logging --bucket "$bucket" --query LoggingEnabled.TargetBucket --output text 2>/dev/null)
  if [ -z "$target" ] || [ "$target" = None ]; then
    fail "$bucket" access-logging
  fi

  # 7. ACL grants to everyone or to any authenticated AWS user.
  if aws s3api get-bucket-acl --bucket "$bucket" --query 'Grants[].Grantee.URI' --output text 2>/dev/null |
    grep -Eq 'AllUsers|AuthenticatedUsers'; then
    fail "$bucket" acl-public
  fi

  # 8. CloudWatch request metrics.
  metrics=$(aws s3api list-bucket-metrics-configurations --bucket "$bucket" \
    --query 'MetricsConfigurationList[].Id' --output text 2>/dev/null)
  if [ -z "$metrics" ] || [ "$metrics" = None ]; then
    fail "$bucket" request-metrics
  fi
done
