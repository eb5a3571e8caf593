//! A fault-injecting HTTP proxy on loopback, put between an SDK client and the emulator.
//!
//! Point a client's endpoint at [`FaultProxy::endpoint`] instead of moto's. Each
//! [`FaultRule`] picks a share of the requests it matches, deterministically: with share
//! `0.25`, exactly every fourth matching request. When several rules pick one request, every
//! latency is served and the first rule's other fault wins; pick shares that do not share
//! a period (1/5, 1/7, 1/11) to see each fault. The proxy records every request it saw,
//! with the operation name where the protocol carries one, so a test can also prove that a
//! run sent no mutating request.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Either, Full};
use hyper::body::Incoming;
use hyper::http::request::Parts;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

type ProxyBody = Either<Incoming, Full<Bytes>>;

/// What the proxy does to a chosen request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer as a throttled service would: S3's `503 SlowDown`, or DynamoDB's
    /// `ThrottlingException`. The request never reaches the emulator.
    SlowDown,
    /// Answer `500 InternalError` without forwarding.
    InternalError,
    /// Close the connection without answering.
    DropConnection,
    /// For S3's DeleteObjects: answer `200 OK` listing every key of the request under
    /// `<Error>` (codes `SlowDown` and `InternalError` in turn), deleting nothing, as S3 does
    /// when it fails single keys of a batch. Other requests get `500 InternalError`.
    KeyErrors,
    /// Wait this long, then forward the request normally.
    Latency(Duration),
    /// Wait `mean` give or take up to `jitter` (spread evenly, the same sequence on every
    /// run), then forward the request normally: a service's latency as a client sees it.
    Jittered {
        /// The mean wait.
        mean: Duration,
        /// The most a wait is off the mean, either way (at most `mean`).
        jitter: Duration,
    },
    /// Answer as AWS answers this error, without forwarding: an S3 XML `<Error>`, or for
    /// the JSON protocol (DynamoDB) a `__type` of the code.
    Error(AwsAnswer),
    /// Forward the request, then change the emulator's answer as AWS would have answered.
    /// Every chosen rewrite is applied, in the order of the rules.
    Rewrite(Rewrite),
}

/// A change to the emulator's answer: its headers and its body, knowing the request.
#[derive(Clone)]
pub struct Rewrite {
    /// What it does, such as "the key's ARN for its alias"; two rewrites are equal when
    /// their names are.
    pub name: &'static str,
    apply: RewriteFn,
}

type RewriteFn = Arc<dyn Fn(&RequestRecord, &mut hyper::HeaderMap, String) -> String + Send + Sync>;

impl Rewrite {
    /// A rewrite named `name`: `apply` takes the request, the answer's headers and its
    /// body, and returns the new body.
    pub fn new(
        name: &'static str,
        apply: impl Fn(&RequestRecord, &mut hyper::HeaderMap, String) -> String + Send + Sync + 'static,
    ) -> Rewrite {
        Rewrite {
            name,
            apply: Arc::new(apply),
        }
    }
}

impl fmt::Debug for Rewrite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Rewrite").field(&self.name).finish()
    }
}

impl PartialEq for Rewrite {
    fn eq(&self, other: &Rewrite) -> bool {
        self.name == other.name
    }
}

impl Eq for Rewrite {}

/// An error answer of AWS's: the HTTP status, the error code and the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The error code, such as `BucketNotEmpty`.
    pub code: &'static str,
    /// The message.
    pub message: &'static str,
    /// A header of the answer, such as `x-amz-bucket-region`.
    pub header: Option<(&'static str, &'static str)>,
}

/// One request as the proxy saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// HTTP method.
    pub method: String,
    /// Path, without the query.
    pub path: String,
    /// Query string, without `?`.
    pub query: String,
    /// The operation, where the protocol names it: DynamoDB's `X-Amz-Target`, the query
    /// protocol's `Action` (STS), the RPC v2 path (CloudWatch). `None` for REST (S3).
    pub operation: Option<String>,
    /// The request's `x-amz-*` headers but the signature's, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The region the request was signed for (its SigV4 credential scope), which is the
    /// region of the endpoint it was meant for.
    pub signed_region: Option<String>,
    /// The body of a small request that carries a document: a form, a JSON call
    /// (DynamoDB), a bucket configuration write (S3's `PUT /{bucket}?{configuration}`).
    /// Empty for object uploads and other streams.
    pub body: String,
    /// The status the client got (0 for a dropped connection).
    pub status: u16,
    /// The fault injected, if any.
    pub fault: Option<Fault>,
}

impl RequestRecord {
    /// The value of request header `name` (lower case), if it was sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header == name)
            .map(|(_, value)| value.as_str())
    }

    /// Whether the query names `parameter` (`?versioning`, `?encoding-type=url`).
    pub fn has_query(&self, parameter: &str) -> bool {
        self.query
            .split('&')
            .any(|pair| pair.split('=').next() == Some(parameter))
    }

    /// The bucket of a path-style S3 request, such as `b` for `/b/key`.
    pub fn bucket(&self) -> Option<&str> {
        self.path
            .trim_start_matches('/')
            .split('/')
            .next()
            .filter(|bucket| !bucket.is_empty())
    }

    /// Whether this is a request to a bucket itself (`/{bucket}` or `/{bucket}/`), not to
    /// one of its objects.
    pub fn is_bucket_request(&self) -> bool {
        self.bucket().is_some() && self.path.trim_matches('/').split('/').count() == 1
    }

    /// Whether the request may change something: an operation that does not start with
    /// a read verb, or for REST calls any method but GET and HEAD.
    pub fn is_mutating(&self) -> bool {
        const READS: [&str; 9] = [
            "Get", "List", "Describe", "Head", "Query", "Scan", "BatchGet", "Select", "Lookup",
        ];
        match &self.operation {
            Some(operation) => !READS.iter().any(|verb| operation.starts_with(verb)),
            None => !matches!(self.method.as_str(), "GET" | "HEAD"),
        }
    }
}

type Matcher = Arc<dyn Fn(&RequestRecord) -> bool + Send + Sync>;

/// A fault applied to a share of the requests that match.
#[derive(Clone)]
pub struct FaultRule {
    fault: Fault,
    share: f64,
    matcher: Option<Matcher>,
    /// At most this many requests are chosen.
    limit: Option<u64>,
    /// Only within this long after the last request the trigger matched.
    window: Option<(Matcher, Duration)>,
    /// Only until a request this matches succeeds.
    until: Option<Matcher>,
}

impl fmt::Debug for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultRule")
            .field("fault", &self.fault)
            .field("share", &self.share)
            .field("filtered", &self.matcher.is_some())
            .field("limit", &self.limit)
            .field("window", &self.window.as_ref().map(|(_, window)| window))
            .finish()
    }
}

impl FaultRule {
    /// `fault` on `share` (0.0 to 1.0) of all requests.
    pub fn new(fault: Fault, share: f64) -> FaultRule {
        assert!((0.0..=1.0).contains(&share), "a share is between 0 and 1");
        FaultRule {
            fault,
            share,
            matcher: None,
            limit: None,
            window: None,
            until: None,
        }
    }

    /// `fault` on the first `count` requests that match (and none after).
    pub fn first(fault: Fault, count: u64) -> FaultRule {
        FaultRule {
            limit: Some(count),
            ..FaultRule::new(fault, 1.0)
        }
    }

    /// Only requests before the first successful one that `cleared` matches count: a state
    /// that lasts until a request changes it.
    pub fn until(
        mut self,
        cleared: impl Fn(&RequestRecord) -> bool + Send + Sync + 'static,
    ) -> FaultRule {
        self.until = Some(Arc::new(cleared));
        self
    }

    /// Only requests within `window` after the last request `trigger` matched count (none
    /// before the trigger was seen): a state AWS reaches for a while after a change.
    pub fn within(
        mut self,
        window: Duration,
        trigger: impl Fn(&RequestRecord) -> bool + Send + Sync + 'static,
    ) -> FaultRule {
        self.window = Some((Arc::new(trigger), window));
        self
    }

    /// Only requests for which `matches` is true count (method, path, query and operation
    /// are filled in; status and fault are not yet).
    pub fn matching(
        mut self,
        matches: impl Fn(&RequestRecord) -> bool + Send + Sync + 'static,
    ) -> FaultRule {
        self.matcher = Some(Arc::new(matches));
        self
    }
}

struct RuleState {
    rule: FaultRule,
    seen: u64,
    chosen: u64,
    triggered: Option<std::time::Instant>,
    cleared: bool,
}

impl RuleState {
    fn new(rule: FaultRule) -> RuleState {
        RuleState {
            rule,
            seen: 0,
            chosen: 0,
            triggered: None,
            cleared: false,
        }
    }

    /// Notes a successful request that starts the rule's window or ends the rule.
    fn observe(&mut self, request: &RequestRecord) {
        if let Some(cleared) = &self.rule.until
            && cleared(request)
        {
            self.cleared = true;
        }
        if let Some((trigger, _)) = &self.rule.window
            && trigger(request)
        {
            self.triggered = Some(std::time::Instant::now());
        }
    }
}

impl RuleState {
    /// Whether the next matching request is one of the share: the n-th (from 0) is chosen
    /// when `floor((n + 1) * share) > floor(n * share)`.
    fn chooses(&mut self, request: &RequestRecord) -> bool {
        if self
            .rule
            .matcher
            .as_ref()
            .is_some_and(|matches| !matches(request))
        {
            return false;
        }
        if let Some((_, window)) = &self.rule.window
            && self.triggered.is_none_or(|at| at.elapsed() > *window)
        {
            return false;
        }
        if self.rule.limit.is_some_and(|limit| self.chosen >= limit) || self.cleared {
            return false;
        }
        let n = self.seen as f64;
        self.seen += 1;
        let chosen = ((n + 1.0) * self.rule.share).floor() > (n * self.rule.share).floor();
        self.chosen += u64::from(chosen);
        chosen
    }
}

struct State {
    upstream: String,
    rules: Mutex<Vec<RuleState>>,
    records: Mutex<Vec<RequestRecord>>,
    client: Client<HttpConnector, ProxyBody>,
    /// Counts the jittered waits, which seeds each one's share of the jitter.
    waits: std::sync::atomic::AtomicU64,
}

/// A running proxy; dropping it stops it.
pub struct FaultProxy {
    endpoint: String,
    state: Arc<State>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultProxy")
            .field("endpoint", &self.endpoint)
            .field("upstream", &self.state.upstream)
            .finish()
    }
}

impl FaultProxy {
    /// Starts a proxy on a free loopback port in front of `upstream` (`http://host:port`),
    /// on its own thread and runtime, so it outlives any one test's runtime.
    pub fn start(upstream: &str, rules: Vec<FaultRule>) -> FaultProxy {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let address = listener.local_addr().expect("a bound address");
        let state = Arc::new(State {
            upstream: upstream.trim_end_matches('/').to_owned(),
            rules: Mutex::new(rules.into_iter().map(RuleState::new).collect()),
            records: Mutex::new(Vec::new()),
            client: Client::builder(TokioExecutor::new()).build_http(),
            waits: std::sync::atomic::AtomicU64::new(0),
        });
        let (shutdown, stop) = oneshot::channel();
        let serving = Arc::clone(&state);
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a runtime for the proxy");
            runtime.block_on(serve(listener, serving, stop));
        });
        FaultProxy {
            endpoint: format!("http://{address}"),
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`, to use as a client's endpoint.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Every request seen so far, in order of arrival.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.state.records.lock().expect("records lock").clone()
    }

    /// Forgets the requests seen so far.
    pub fn clear(&self) {
        self.state.records.lock().expect("records lock").clear();
    }

    /// Replaces the fault rules (their counters start again).
    pub fn set_rules(&self, rules: Vec<FaultRule>) {
        *self.state.rules.lock().expect("rules lock") =
            rules.into_iter().map(RuleState::new).collect();
    }
}

/// [`Stores`](crate::Stores) behind recording proxies, one per endpoint, so a test sees
/// every request a run sends, to S3 and to DynamoDB alike, wherever each store is.
#[derive(Debug)]
pub struct RecordingStores {
    stores: crate::Stores,
    s3: FaultProxy,
    dynamodb: Option<FaultProxy>,
}

impl RecordingStores {
    /// Starts the proxies in front of `stores` (one when a single server answers both).
    pub fn start(stores: crate::Stores) -> RecordingStores {
        RecordingStores {
            s3: FaultProxy::start(stores.s3, Vec::new()),
            dynamodb: (stores.dynamodb != stores.s3)
                .then(|| FaultProxy::start(stores.dynamodb, Vec::new())),
            stores,
        }
    }

    /// The toolkit's client config in `region`, every service through the proxies.
    pub fn client_config(&self, region: &str) -> aws_client::Config {
        let mut config = self.stores.client_config_via(self.s3.endpoint(), region);
        if let Some(dynamodb) = &self.dynamodb {
            config.dynamodb_endpoint_url = Some(dynamodb.endpoint().to_owned());
        }
        config
    }

    /// Every request seen so far: S3's (and its neighbours') first, then DynamoDB's.
    pub fn requests(&self) -> Vec<RequestRecord> {
        let mut requests = self.s3.requests();
        if let Some(dynamodb) = &self.dynamodb {
            requests.extend(dynamodb.requests());
        }
        requests
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The `n`-th jittered wait: `mean` moved by a share of `jitter` between -1 and 1, from a
/// SplitMix64 sequence (evenly spread, and the same on every run).
fn jittered(mean: Duration, jitter: Duration, n: u64) -> Duration {
    let mut z = n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let share = (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
    let jitter = jitter.min(mean).as_secs_f64();
    Duration::from_secs_f64((mean.as_secs_f64() + share * jitter).max(0.0))
}

async fn serve(
    listener: std::net::TcpListener,
    state: Arc<State>,
    mut stop: oneshot::Receiver<()>,
) {
    let listener = TcpListener::from_std(listener).expect("a tokio listener");
    loop {
        let accepted = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else { continue };
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = service_fn(move |request| handle(Arc::clone(&state), request));
            // A dropped connection ends here with an error; that is the point of it.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The operation a request names, where its protocol carries one in the headers or path.
fn operation_of(parts: &Parts) -> Option<String> {
    if let Some(target) = parts.headers.get("x-amz-target") {
        let target = target.to_str().unwrap_or_default();
        return Some(target.rsplit('.').next().unwrap_or(target).to_owned());
    }
    let path = parts.uri.path();
    if let Some((_, operation)) = path.split_once("/operation/") {
        return Some(operation.trim_end_matches('/').to_owned());
    }
    None
}

/// The `Action` of a query-protocol body (`Action=GetCallerIdentity&Version=...`).
fn form_action(body: &[u8]) -> Option<String> {
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .map(str::to_owned)
}

async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<ProxyBody>, DroppedConnection> {
    let (mut parts, body) = request.into_parts();
    let operation = operation_of(&parts);
    let headers = parts
        .headers
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-amz-") && *name != "x-amz-content-sha256")
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect();
    // `Authorization: AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request, ...`
    let signed_region = parts
        .headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split("Credential=").nth(1))
        .and_then(|scope| scope.split('/').nth(2))
        .map(str::to_owned);
    let mut record = RequestRecord {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or_default().to_owned(),
        operation,
        headers,
        signed_region,
        body: String::new(),
        status: 0,
        fault: None,
    };
    // Documents are small: read them, so rules can see them (and forms name the operation).
    let mut body: ProxyBody = if carries_document(&parts, &record) {
        let bytes = body
            .collect()
            .await
            .map(|collected| collected.to_bytes())
            .unwrap_or_default();
        record.body = String::from_utf8_lossy(&bytes).into_owned();
        if record.operation.is_none() {
            record.operation = form_action(&bytes);
        }
        Either::Right(Full::new(bytes))
    } else {
        Either::Left(body)
    };
    let chosen = {
        let mut rules = state.rules.lock().expect("rules lock");
        let mut chosen = Vec::new();
        for rule in rules.iter_mut() {
            if rule.chooses(&record) {
                chosen.push(rule.rule.fault.clone());
            }
        }
        chosen
    };
    // Every chosen latency is served and every rewrite applied; of the other faults, the
    // first rule's wins.
    let mut failure = None;
    let mut rewrites = Vec::new();
    for fault in chosen {
        match fault {
            Fault::Latency(delay) => {
                tokio::time::sleep(delay).await;
                record.fault.get_or_insert(fault.clone());
            }
            Fault::Jittered { mean, jitter } => {
                let n = state
                    .waits
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(jittered(mean, jitter, n)).await;
                record.fault.get_or_insert(fault.clone());
            }
            Fault::Rewrite(rewrite) => rewrites.push(rewrite),
            _ if failure.is_none() => failure = Some(fault),
            _ => {}
        }
    }
    let mut answer = None;
    match failure {
        Some(Fault::DropConnection) => {
            record.fault = Some(Fault::DropConnection);
            state.records.lock().expect("records lock").push(record);
            return Err(DroppedConnection);
        }
        Some(Fault::KeyErrors)
            if record
                .query
                .split('&')
                .any(|pair| pair == "delete" || pair == "delete=") =>
        {
            record.fault = Some(Fault::KeyErrors);
            let bytes = match body {
                Either::Left(incoming) => incoming
                    .collect()
                    .await
                    .map(|c| c.to_bytes())
                    .unwrap_or_default(),
                Either::Right(full) => full
                    .collect()
                    .await
                    .map(|c| c.to_bytes())
                    .unwrap_or_default(),
            };
            answer = Some(key_errors_response(&String::from_utf8_lossy(&bytes)));
            body = Either::Right(Full::new(Bytes::new()));
        }
        Some(fault) => {
            let json_protocol = parts.headers.contains_key("x-amz-target");
            answer = Some(fault_response(&fault, json_protocol));
            record.fault = Some(fault);
        }
        None => {}
    }
    let response = match answer {
        Some(response) => response,
        None => {
            let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
            parts.uri = format!("{}{path_and_query}", state.upstream)
                .parse()
                .expect("an upstream URI");
            match state.client.request(Request::from_parts(parts, body)).await {
                Ok(response) if rewrites.is_empty() => response.map(Either::Left),
                Ok(response) => {
                    record
                        .fault
                        .get_or_insert(Fault::Rewrite(rewrites[0].clone()));
                    rewrite(response, &record, &rewrites).await
                }
                Err(error) => {
                    text_response(StatusCode::BAD_GATEWAY, format!("upstream failed: {error}"))
                }
            }
        }
    };
    record.status = response.status().as_u16();
    if response.status().is_success() {
        for rule in state.rules.lock().expect("rules lock").iter_mut() {
            rule.observe(&record);
        }
    }
    state.records.lock().expect("records lock").push(record);
    Ok(response)
}

/// Whether a request's body is a small document rather than a stream of object data.
fn carries_document(parts: &Parts, record: &RequestRecord) -> bool {
    let small = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok())
        .is_some_and(|length| length <= 1 << 20);
    let form_or_json = parts
        .headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value.starts_with("application/x-www-form-urlencoded")
                || value.starts_with("application/x-amz-json")
        });
    let configuration =
        record.method == "PUT" && record.is_bucket_request() && !record.query.is_empty();
    small && (form_or_json || configuration)
}

/// The emulator's answer, changed by every rewrite in turn.
async fn rewrite(
    response: Response<Incoming>,
    record: &RequestRecord,
    rewrites: &[Rewrite],
) -> Response<ProxyBody> {
    let (mut parts, body) = response.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    for rewrite in rewrites {
        text = (rewrite.apply)(record, &mut parts.headers, text);
    }
    parts.headers.remove(hyper::header::CONTENT_LENGTH);
    parts.headers.remove("x-amz-crc32");
    Response::from_parts(parts, Either::Right(Full::new(Bytes::from(text))))
}

/// Returned by the service to make hyper close the connection without a response.
#[derive(Debug)]
struct DroppedConnection;

impl fmt::Display for DroppedConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by the fault proxy")
    }
}

impl std::error::Error for DroppedConnection {}

fn text_response(status: StatusCode, body: String) -> Response<ProxyBody> {
    let mut response = Response::new(Either::Right(Full::new(Bytes::from(body))));
    *response.status_mut() = status;
    response
}

/// A DeleteObjects answer that fails every key of `request` (the request's XML body).
fn key_errors_response(request: &str) -> Response<ProxyBody> {
    let mut body = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
    );
    let between = |text: &str, open: &str, close: &str| {
        let start = text.find(open)? + open.len();
        let end = text[start..].find(close)? + start;
        Some(text[start..end].to_owned())
    };
    for (index, object) in request.split("<Object>").skip(1).enumerate() {
        let key = between(object, "<Key>", "</Key>").unwrap_or_default();
        let version = between(object, "<VersionId>", "</VersionId>")
            .map(|version| format!("<VersionId>{version}</VersionId>"))
            .unwrap_or_default();
        let (code, message) = if index % 2 == 0 {
            ("SlowDown", "Please reduce your request rate.")
        } else {
            (
                "InternalError",
                "We encountered an internal error. Please try again.",
            )
        };
        body.push_str(&format!(
            "<Error><Key>{key}</Key>{version}<Code>{code}</Code><Message>{message}</Message></Error>"
        ));
    }
    body.push_str("</DeleteResult>");
    let mut response = text_response(StatusCode::OK, body);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/xml"),
    );
    response
}

fn fault_response(fault: &Fault, json_protocol: bool) -> Response<ProxyBody> {
    if let Fault::Error(answer) = fault {
        return error_response(*answer, json_protocol);
    }
    let (status, code, message) = match fault {
        Fault::SlowDown => (
            StatusCode::SERVICE_UNAVAILABLE,
            "SlowDown",
            "Please reduce your request rate.",
        ),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "We encountered an internal error. Please try again.",
        ),
    };
    if json_protocol {
        // DynamoDB's JSON protocol: throttling is a 400 with this type; other errors a 500.
        let (status, kind) = match fault {
            Fault::SlowDown => (StatusCode::BAD_REQUEST, "ThrottlingException"),
            _ => (status, "InternalServerError"),
        };
        let body = format!(
            r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{kind}","message":"{message}"}}"#
        );
        let mut response = text_response(status, body);
        response.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/x-amz-json-1.0"),
        );
        return response;
    }
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>fault-proxy</RequestId></Error>"
    );
    let mut response = text_response(status, body);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/xml"),
    );
    response
}

/// AWS's answer for an error: S3's XML `<Error>`, or the JSON protocol's `__type`.
fn error_response(answer: AwsAnswer, json_protocol: bool) -> Response<ProxyBody> {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_REQUEST);
    let AwsAnswer { code, message, .. } = answer;
    let (body, content_type) = match json_protocol {
        true => (
            format!(
                r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{code}","message":"{message}"}}"#
            ),
            "application/x-amz-json-1.0",
        ),
        false => (
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>aws-behaviour</RequestId></Error>"
            ),
            "application/xml",
        ),
    };
    let mut response = text_response(status, body);
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(content_type),
    );
    if let Some((name, value)) = answer.header {
        response.headers_mut().insert(
            hyper::header::HeaderName::from_static(name),
            hyper::header::HeaderValue::from_static(value),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jittered_waits_spread_evenly_around_the_mean_within_the_jitter() {
        let (mean, jitter) = (Duration::from_millis(20), Duration::from_millis(5));
        let waits: Vec<f64> = (0..10_000)
            .map(|n| jittered(mean, jitter, n).as_secs_f64() * 1000.0)
            .collect();
        assert!(waits.iter().all(|ms| (15.0..=25.0).contains(ms)));
        let average = waits.iter().sum::<f64>() / waits.len() as f64;
        assert!((average - 20.0).abs() < 0.1, "{average}");
        // Even: about a quarter of the waits in each quarter of the range.
        for quarter in 0..4 {
            let low = 15.0 + 2.5 * f64::from(quarter);
            let share = waits
                .iter()
                .filter(|ms| (low..low + 2.5).contains(*ms))
                .count();
            assert!((2_300..2_700).contains(&share), "{quarter}: {share}");
        }
        assert_eq!(jittered(mean, jitter, 7), jittered(mean, jitter, 7));
    }

    #[test]
    fn a_jitter_larger_than_the_mean_never_waits_less_than_nothing() {
        let mean = Duration::from_millis(2);
        let waits = (0..1_000).map(|n| jittered(mean, Duration::from_millis(50), n));
        assert!(waits.clone().all(|wait| wait <= Duration::from_millis(4)));
        assert!(waits.clone().any(|wait| wait < Duration::from_micros(200)));
    }
}
