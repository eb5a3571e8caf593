#!/usr/bin/env bash
# BASELINE for `cargo xtask bench remote-state` — not part of the toolkit.
#
# What seed 002's "state file integrity validation" does by hand: for each state, the aws
# CLI one call at a time: get-object, md5sum, get-item of the digest row, compare. Prints
# `MISMATCH <key>` for each state whose digest row is not the MD5 of its bytes.
#
# Usage: remote-state-baseline.sh BUCKET TABLE KEY...
# Needs: aws (awscli), md5sum, AWS_ENDPOINT_URL and credentials in the environment.
set -uo pipefail

bucket=$1
table=$2
shift 2
body=$(mktemp)
trap 'rm -f "$body"' EXIT

for key in "$@"; do
  aws s3api get-object --bucket "$bucket" --key "$key" "$body" >/dev/null || { echo "UNREADABLE $key"; continue; }
  actual=$(md5sum "$body" | cut -d' ' -f1)
  stored=$(aws dynamodb get-item --table-name "$table" \
    --key "{\"LockID\": {\"S\": \"$bucket/$key-md5\"}}" \
    --query 'Item.Digest.S' --output text)
  [ "$actual" = "$stored" ] || echo "MISMATCH $key"
done
