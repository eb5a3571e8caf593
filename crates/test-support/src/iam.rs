//! A moto server that enforces IAM, for proving what a policy allows with moto's own
//! policy evaluator: after its first `setup_requests` requests (made with any credentials),
//! every request is authenticated and authorized against the IAM users' policies.
//! IAM itself is driven with plain query-protocol requests, which moto routes by the
//! service named in the `Authorization` header (not checked while setting up).

use std::io::{Read, Write};
use std::net::TcpStream;

use crate::harness::{Harness, MotoOptions, MotoServer};

/// A moto server of its own that enforces IAM after `setup_requests` requests.
pub fn enforcing_moto(setup_requests: u32) -> MotoServer {
    let harness = Harness::locate().unwrap_or_else(|error| panic!("the harness: {error}"));
    MotoServer::start(
        &harness,
        &MotoOptions {
            env: vec![(
                "INITIAL_NO_AUTH_ACTION_COUNT".to_owned(),
                setup_requests.to_string(),
            )],
            ..MotoOptions::default()
        },
    )
    .unwrap_or_else(|error| panic!("start an IAM-enforcing moto: {error}"))
}

/// IAM requests an IAM user with `policy` as its inline policy and an access key take.
pub const USER_SETUP_REQUESTS: u32 = 3;

/// Creates the IAM user `user` with the inline policy `policy` (a JSON document) and an
/// access key; returns the key id and secret. Three requests ([`USER_SETUP_REQUESTS`]).
pub fn user_with_policy(endpoint: &str, user: &str, policy: &str) -> (String, String) {
    iam(endpoint, &[("Action", "CreateUser"), ("UserName", user)]);
    iam(
        endpoint,
        &[
            ("Action", "PutUserPolicy"),
            ("UserName", user),
            ("PolicyName", "client-isolation"),
            ("PolicyDocument", policy),
        ],
    );
    let answer = iam(
        endpoint,
        &[("Action", "CreateAccessKey"), ("UserName", user)],
    );
    let field = |name: &str| {
        let open = format!("<{name}>");
        let start = answer.find(&open).map(|at| at + open.len());
        let end = answer.find(&format!("</{name}>"));
        match (start, end) {
            (Some(start), Some(end)) => answer[start..end].to_owned(),
            _ => panic!("no {name} in CreateAccessKey's answer: {answer}"),
        }
    };
    (field("AccessKeyId"), field("SecretAccessKey"))
}

/// One IAM query-protocol request; the answer's body, panicking on an error status.
fn iam(endpoint: &str, params: &[(&str, &str)]) -> String {
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let mut body = String::from("Version=2010-05-08");
    for (name, value) in params {
        body.push('&');
        body.push_str(name);
        body.push('=');
        body.push_str(&percent_encode(value));
    }
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(host).expect("connect to moto");
    stream.write_all(request.as_bytes()).expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let status_ok = answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200");
    assert!(status_ok, "IAM {params:?} failed: {answer}");
    answer
}

fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
