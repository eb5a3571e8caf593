#!/usr/bin/env bash
# BASELINE for `cargo xtask bench destroy` — not part of the toolkit.
#
# What destroy-s3-buckets.sh did: list-object-versions, delete-objects for each page of up to
# 1,000 versions and delete markers, until a listing finds nothing; abort the multipart
# uploads one by one; delete the bucket. One aws CLI call at a time.
#
# Usage: destroy-baseline.sh BUCKET
# Needs: aws (awscli), AWS_ENDPOINT_URL and credentials in the environment.
set -euo pipefail
bucket=$1
batch=$(mktemp)
trap 'rm -f "$batch"' EXIT

while true; do
  aws s3api list-object-versions --bucket "$bucket" --max-items 1000 --output json \
    --query '{Objects: [Versions[].{Key:Key,VersionId:VersionId}, DeleteMarkers[].{Key:Key,VersionId:VersionId}][][] , Quiet: `true`}' >"$batch"
  if grep -q '"Objects": \[\]' "$batch" || grep -q '"Objects": null' "$batch"; then
    break
  fi
  aws s3api delete-objects --bucket "$bucket" --delete "file://$batch" >/dev/null
done

aws s3api list-multipart-uploads --bucket "$bucket" --output text \
  --query 'Uploads[].[Key,UploadId]' | while read -r key upload; do
  if [ -n "$key" ] && [ "$key" != None ]; then
    aws s3api abort-multipart-upload --bucket "$bucket" --key "$key" --upload-id "$upload"
  fi
done

aws s3api delete-bucket --bucket "$bucket"
