# Starts moto's S3/DynamoDB/STS/... emulator on 127.0.0.1 and prints the port it bound.
# Run by test-support with `python -c`; the test process holds our stdin open, so when it
# exits (however it exits) stdin reaches EOF and this server exits too.
import os
import sys
import threading


def _exit_with_parent():
    sys.stdin.buffer.read()
    os._exit(0)


threading.Thread(target=_exit_with_parent, daemon=True).start()

from werkzeug.serving import make_server  # noqa: E402
from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


# Seven gaps of moto 5.2.5 that the toolkit's requests meet, filled the way S3 behaves, so the
# requests under test still go over HTTP to this server and are answered as S3 answers:
# - no S3 request-metrics configurations (PutBucketMetricsConfiguration is routed to
#   CreateBucket and fails); the contract asks every bucket to have one;
# - no x-amz-expected-bucket-owner check;
# - an empty GetBucketNotificationConfiguration answered under the wrong root element;
# - no GetObjectRetention (the request falls through to GetObject and answers 500);
# - no Get/PutBucketRequestPayment (the GET falls through to ListObjects);
# - GetBucketReplication answers every rule with delete-marker replication Disabled and
#   without its source selection criteria, whatever was put; S3 answers what was put;
# - bucket policies: moto evaluates only StringEquals conditions and counts any other as
#   matching, so the TLS-only statement (Deny unless aws:SecureTransport) denies every
#   object request. Here loopback HTTP stands in for the HTTPS every SDK uses with AWS, so
#   aws:SecureTransport is evaluated as true.
from moto.s3 import responses as _s3_responses  # noqa: E402

_S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"
_original_bucket_response = _s3_responses.S3Response._bucket_response


def _s3_error(status, code, message):
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        "<RequestId>harness</RequestId></Error>"
    )
    return status, {"content-type": "application/xml"}, body


def _bucket_response(self, request, full_url):
    # S3 refuses a request whose x-amz-expected-bucket-owner is not the bucket's owner;
    # moto ignores the header. The toolkit sends it so it never configures a bucket that
    # another account owns.
    expected_owner = request.headers.get("x-amz-expected-bucket-owner")
    if expected_owner:
        try:
            owner = self.backend.get_bucket(self.parse_bucket_name_from_url(request, full_url)).account_id
        except Exception:
            owner = None
        if owner is not None and owner != expected_owner:
            if request.method == "HEAD":
                return 403, {}, ""
            return _s3_error(403, "AccessDenied", "Access Denied")
    querystring = self._get_querystring(request, full_url)
    if "requestPayment" in querystring and request.method in ("GET", "PUT"):
        bucket = self.backend.get_bucket(self.parse_bucket_name_from_url(request, full_url))
        if request.method == "PUT":
            body = self.body.decode() if isinstance(self.body, bytes) else (self.body or "")
            payer = "Requester" if "<Payer>Requester</Payer>" in body else "BucketOwner"
            bucket.__dict__["_harness_payer"] = payer
            return 200, {}, ""
        payer = bucket.__dict__.get("_harness_payer", "BucketOwner")
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<RequestPaymentConfiguration xmlns="{_S3_NS}">'
            f"<Payer>{payer}</Payer></RequestPaymentConfiguration>"
        )
        return 200, {"content-type": "application/xml"}, body
    if "replication" in querystring and request.method in ("GET", "PUT", "DELETE"):
        answer = _original_bucket_response(self, request, full_url)
        if not isinstance(answer, tuple) or len(answer) != 3:
            status, headers, body = 200, {}, answer if isinstance(answer, str) else ""
        else:
            status, headers, body = answer
        if str(status).startswith("2"):
            bucket = self.backend.get_bucket(self.parse_bucket_name_from_url(request, full_url))
            if request.method == "PUT":
                put = self.body.decode() if isinstance(self.body, bytes) else (self.body or "")
                bucket.__dict__["_harness_replication"] = put[put.find("<ReplicationConfiguration"):]
            elif request.method == "DELETE":
                bucket.__dict__.pop("_harness_replication", None)
            elif "_harness_replication" in bucket.__dict__:
                body = '<?xml version="1.0" encoding="UTF-8"?>\n' + bucket.__dict__["_harness_replication"]
        return status, headers, body
    if "notification" in querystring and request.method == "GET":
        # With no configuration moto answers an empty `GetBucketNotificationResponse`; S3
        # answers an empty `NotificationConfiguration`, the only root the SDKs accept.
        status, headers, body = _original_bucket_response(self, request, full_url)
        text = body.decode() if isinstance(body, bytes) else body
        if "<GetBucketNotificationResponse" in text:
            text = f'<?xml version="1.0" encoding="UTF-8"?>\n<NotificationConfiguration xmlns="{_S3_NS}"/>'
        return status, headers, text
    if "metrics" not in querystring or request.method not in ("GET", "PUT", "DELETE"):
        return _original_bucket_response(self, request, full_url)
    bucket = self.backend.get_bucket(self.parse_bucket_name_from_url(request, full_url))
    configs = bucket.__dict__.setdefault("_harness_metrics", {})
    config_id = querystring.get("id", [None])[0]
    if request.method == "PUT":
        body = self.body.decode() if isinstance(self.body, bytes) else (self.body or "")
        start = body.find("<MetricsConfiguration")
        if config_id is None or start < 0:
            return _s3_error(400, "MalformedXML", "The XML you provided was not well-formed")
        inner = body[body.index(">", start) + 1 : body.rindex("</MetricsConfiguration>")]
        configs[config_id] = inner
        return 204, {}, ""
    if request.method == "DELETE":
        configs.pop(config_id, None)
        return 204, {}, ""
    if config_id is not None:
        if config_id not in configs:
            return _s3_error(404, "NoSuchConfiguration", "The specified configuration does not exist.")
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n<MetricsConfiguration xmlns="{_S3_NS}">{configs[config_id]}</MetricsConfiguration>'
        return 200, {"content-type": "application/xml"}, body
    items = "".join(f"<MetricsConfiguration>{inner}</MetricsConfiguration>" for inner in configs.values())
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ListMetricsConfigurationsResult xmlns="{_S3_NS}">'
        f"<IsTruncated>false</IsTruncated>{items}</ListMetricsConfigurationsResult>"
    )
    return 200, {"content-type": "application/xml"}, body


_s3_responses.S3Response._bucket_response = _bucket_response

_original_key_response = _s3_responses.S3Response._key_response


def _key_response(self, request, full_url):
    # GetObjectRetention as S3 answers it: the version's mode and date, or 404
    # NoSuchObjectLockConfiguration when it has no retention.
    from urllib.parse import parse_qs, urlparse

    query = parse_qs(urlparse(full_url).query, keep_blank_values=True)
    if request.method != "GET" or "retention" not in query:
        return _original_key_response(self, request, full_url)
    version_id = query.get("versionId", [None])[0]
    try:
        key = self.backend.get_object(
            self.parse_bucket_name_from_url(request, full_url),
            self.parse_key_name(),
            version_id=version_id,
        )
    except Exception:
        key = None
    if key is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    if not key.lock_mode:
        return _s3_error(
            404,
            "NoSuchObjectLockConfiguration",
            "The specified object does not have a ObjectLock configuration",
        )
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Retention xmlns="{_S3_NS}">'
        f"<Mode>{key.lock_mode}</Mode><RetainUntilDate>{key.lock_until}</RetainUntilDate></Retention>"
    )
    return 200, {"content-type": "application/xml"}, body


_s3_responses.S3Response._key_response = _key_response

from moto.iam.access_control import IAMPolicyStatement, PermissionResult  # noqa: E402

_original_statement_check = IAMPolicyStatement.is_action_permitted


def _statement_check(self, action, resource="*", principal=None, incoming_condition_values=None):
    condition = self._statement.get("Condition") or {}
    secure = (condition.get("Bool") or {}).get("aws:SecureTransport")
    if secure is None:
        return _original_statement_check(self, action, resource, principal, incoming_condition_values)
    if str(secure).lower() != "true":
        # The statement is for requests without TLS; the harness's requests stand for TLS ones.
        return PermissionResult.NEUTRAL
    rest = {op: dict(values) for op, values in condition.items()}
    rest["Bool"].pop("aws:SecureTransport")
    rest = {op: values for op, values in rest.items() if values}
    statement = IAMPolicyStatement({**self._statement, "Condition": rest})
    return _original_statement_check(statement, action, resource, principal, incoming_condition_values)


IAMPolicyStatement.is_action_permitted = _statement_check

# DynamoDB's TransactWriteItems, as DynamoDB runs it: every condition is judged against the
# items as they are, and then every write is made or none is, isolated from other writes.
# moto 5.2.5 instead deep-copies each table the transaction names, once an item, before it
# writes (the cost grows with the table: thousands of rows make each call tens of
# milliseconds of CPU), writes item by item, and on a failed condition puts the copies back,
# which also undoes whatever other requests wrote to those tables meanwhile, and the copy
# can fail outright while another thread writes ("dictionary changed size"). Here the
# conditions are judged first, nothing is copied, and the transaction and single-item
# writes hold one lock, so a transaction is atomic and isolated as DynamoDB's is.
from moto.dynamodb.comparisons import get_filter_expression  # noqa: E402
from moto.dynamodb.exceptions import (  # noqa: E402
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend  # noqa: E402

_dynamodb_writes = threading.RLock()


def _serialised(write):
    def locked(self, *args, **kwargs):
        with _dynamodb_writes:
            return write(self, *args, **kwargs)

    return locked


for _name in ("put_item", "delete_item", "update_item"):
    setattr(DynamoDBBackend, _name, _serialised(getattr(DynamoDBBackend, _name)))


def _transact_write_items(self, transact_items):
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    with _dynamodb_writes:
        targets, writes, errors = set(), [], []
        for entry in transact_items:
            if len(entry) > 1:
                raise TransactWriteSingleOpException
            kind, op = next(iter(entry.items()))
            if kind not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            if kind == "Put":
                table = self.get_table(table_name)
                key = {table.hash_key_attr: op["Item"][table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = op["Item"][table.range_key_attr]
            else:
                key = op["Key"]
            target = (str(table_name), str(dict(sorted(key.items()))))
            if target in targets:
                raise MultipleTransactionsException()
            targets.add(target)
            condition = op.get("ConditionExpression")
            if condition is not None:
                judged = get_filter_expression(
                    condition,
                    op.get("ExpressionAttributeNames"),
                    op.get("ExpressionAttributeValues"),
                )
                current = self.get_item(table_name, key)
                if not judged.expr(current):
                    item = None
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        item = current.to_json()["Attributes"]
                    errors.append(("ConditionalCheckFailed", "The conditional request failed", item))
                    continue
            errors.append((None, None, None))
            writes.append((kind, op, key))
        if any(code is not None for code, _, _ in errors):
            raise TransactionCanceledException(errors)
        for kind, op, key in writes:
            names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
            if kind == "Put":
                self.put_item(op["TableName"], op["Item"])
            elif kind == "Delete":
                self.delete_item(op["TableName"], key)
            elif kind == "Update":
                self.update_item(
                    op["TableName"],
                    key,
                    update_expression=op["UpdateExpression"],
                    expression_attribute_names=names,
                    expression_attribute_values=values,
                )


DynamoDBBackend.transact_write_items = _transact_write_items

app = DomainDispatcherApplication(create_backend_app)
server = make_server(
    "127.0.0.1",
    int(os.environ.get("TFSTATE_MOTO_PORT", "0")),
    app,
    threaded=True,
    request_handler=MotoRequestHandler,
)
os.environ["MOTO_PORT"] = str(server.server_port)
print(server.server_port, flush=True)
server.serve_forever()
