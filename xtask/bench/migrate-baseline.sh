#!/usr/bin/env bash
# BASELINE for `cargo xtask bench remote-state` (migrate) — not part of the toolkit.
#
# How a team scripts a move of states to new keys with the aws CLI, one call at a time: for
# each pair, copy-object of the current version to the new key, then put-item of the new
# key's digest row with the copy's ETag (the MD5 of an unencrypted or SSE-S3 object). No
# lock is taken and the copy is not read back. Prints `FAILED <key>` for a move that failed.
#
# Usage: migrate-baseline.sh BUCKET TABLE OLD-KEY NEW-KEY [OLD-KEY NEW-KEY]...
# Needs: aws (awscli), AWS_ENDPOINT_URL and credentials in the environment.
set -uo pipefail

bucket=$1
table=$2
shift 2

while [ $# -ge 2 ]; do
  old=$1
  new=$2
  shift 2
  etag=$(aws s3api copy-object --bucket "$bucket" --copy-source "$bucket/$old" --key "$new" \
    --query CopyObjectResult.ETag --output text) || { echo "FAILED $old"; continue; }
  digest=${etag//\"/}
  aws dynamodb put-item --table-name "$table" \
    --item "{\"LockID\": {\"S\": \"$bucket/$new-md5\"}, \"Digest\": {\"S\": \"$digest\"}}" \
    >/dev/null || echo "FAILED $new"
done
