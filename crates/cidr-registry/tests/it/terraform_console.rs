//! `cidrsubnet` and `cidrsubnets` against the real `terraform console` of Terraform 1.0.3:
//! every result of a table in one console run, and each error case in a run of its own
//! (the console stops at the first error).

use cidr_registry::terraform::Call;

const RESULTS: &[Call<'static>] = &[
    Call::Cidrsubnet("10.0.0.0/16", 8, 0),
    Call::Cidrsubnet("10.0.0.0/16", 8, 1),
    Call::Cidrsubnet("10.0.0.0/16", 8, 255),
    Call::Cidrsubnet("10.42.0.0/16", 4, 15),
    Call::Cidrsubnet("10.42.0.0/16", 12, 4095),
    Call::Cidrsubnet("172.16.0.0/12", 4, 3),
    Call::Cidrsubnet("192.168.0.0/24", 4, 15),
    Call::Cidrsubnet("100.64.0.0/10", 6, 63),
    Call::Cidrsubnet("10.1.2.3/16", 8, 1),
    Call::Cidrsubnet("010.0.0.0/16", 8, 1),
    Call::Cidrsubnet("10.0.0.0/016", 8, 2),
    Call::Cidrsubnet("10.0.0.0/16", 0, 0),
    Call::Cidrsubnet("10.0.0.0/32", 0, 0),
    Call::Cidrsubnet("0.0.0.0/0", 32, 4_294_967_295),
    Call::Cidrsubnet("0.0.0.0/0", 1, 1),
    Call::Cidrsubnet("255.255.255.0/24", 8, 255),
    Call::Cidrsubnet("10.1.0.0/16", -1, 0),
    Call::Cidrsubnet("10.0.0.0/16", 8, -1),
    Call::Cidrsubnet("10.0.0.0/16", 8, -255),
    Call::Cidrsubnet("10.0.0.0/8", -8, 0),
    Call::Cidrsubnet("10.0.0.0/8", -9, 0),
    Call::Cidrsubnet("10.0.0.0/16", -20, 0),
    Call::Cidrsubnets("10.0.0.0/16", &[]),
    Call::Cidrsubnets("10.0.0.0/16", &[4, 4, 8, 4]),
    Call::Cidrsubnets("10.0.0.0/16", &[8, 8, 8, 8, 8, 8]),
    Call::Cidrsubnets("10.42.0.0/16", &[3, 3, 3, 3, 3, 3, 3, 3]),
    Call::Cidrsubnets("10.0.0.0/24", &[4, 2, 4]),
    Call::Cidrsubnets("255.255.255.0/24", &[1, 1]),
    Call::Cidrsubnets("10.1.2.3/16", &[8]),
    Call::Cidrsubnets("10.0.0.0/8", &[24, 8, 16]),
    Call::Cidrsubnets("192.168.0.0/28", &[4, 4, 4]),
];

const ERRORS: &[Call<'static>] = &[
    Call::Cidrsubnet("10.0.0.0", 8, 1),
    Call::Cidrsubnet("10.0.0.256/16", 8, 1),
    Call::Cidrsubnet("10.0.0.0/33", 1, 1),
    Call::Cidrsubnet("10.0.0/16", 8, 1),
    Call::Cidrsubnet("10.0.0.0/16", 17, 0),
    Call::Cidrsubnet("10.0.0.0/16", 40, 1),
    Call::Cidrsubnet("0.0.0.0/0", 33, 0),
    Call::Cidrsubnet("10.0.0.0/16", 8, 256),
    Call::Cidrsubnet("10.0.0.0/16", 8, -300),
    Call::Cidrsubnet("10.0.0.0/16", 0, 1),
    Call::Cidrsubnet("10.0.0.0/8", -8, 1),
    Call::Cidrsubnets("0.0.0.0/0", &[1]),
    Call::Cidrsubnets("0.0.0.0/0", &[1, 1, 1]),
    Call::Cidrsubnets("10.0.0.0/16", &[4, 0]),
    Call::Cidrsubnets("10.0.0.0/16", &[-1]),
    Call::Cidrsubnets("10.0.0.0/16", &[33]),
    Call::Cidrsubnets("10.0.0.0/16", &[17]),
    Call::Cidrsubnets("10.0.0.0/24", &[1, 1, 1]),
    Call::Cidrsubnets("10.0.0.0/16", &[2, 2, 2, 2, 1]),
    Call::Cidrsubnets("10.0.0.0/8x", &[1]),
];

/// Runs `expression` in `terraform console`: its output, and whether it succeeded.
fn console(expression: &str) -> (String, bool) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let output = test_support::terraform::console(dir.path(), expression);
    (
        format!("{}{}", output.stdout, output.stderr),
        output.code == 0,
    )
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_result_equals_terraforms() {
    let calls: Vec<String> = RESULTS.iter().map(ToString::to_string).collect();
    let (output, ok) = console(&format!("jsonencode([{}])", calls.join(", ")));
    assert!(ok, "terraform console failed:\n{output}");
    let json: String = serde_json::from_str(output.trim()).expect("a quoted JSON string");
    let results: Vec<serde_json::Value> = serde_json::from_str(&json).expect("a JSON list");
    assert_eq!(results.len(), RESULTS.len());
    for (call, terraform) in RESULTS.iter().zip(results) {
        let ours = match call {
            Call::Cidrsubnet(prefix, newbits, netnum) => {
                serde_json::json!(
                    cidr_registry::terraform::cidrsubnet(prefix, *newbits, *netnum)
                        .unwrap_or_else(|error| panic!("{call}: {error}"))
                )
            }
            Call::Cidrsubnets(prefix, newbits) => {
                serde_json::json!(
                    cidr_registry::terraform::cidrsubnets(prefix, newbits)
                        .unwrap_or_else(|error| panic!("{call}: {error}"))
                )
            }
        };
        assert_eq!(ours, terraform, "{call}");
    }
}

#[test]
fn every_error_is_terraforms() {
    let failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = ERRORS
            .chunks(ERRORS.len().div_ceil(3))
            .map(|calls| {
                scope.spawn(move || {
                    let mut failures = Vec::new();
                    for call in calls {
                        let Err(ours) = call.evaluate() else {
                            panic!("{call} succeeds here")
                        };
                        let (output, ok) = console(&call.to_string());
                        let expected = if ours.starts_with("panic in function implementation") {
                            "panic in function implementation".to_owned()
                        } else {
                            format!("{ours}.")
                        };
                        if ok || !words(&output).contains(&expected) {
                            failures.push(format!(
                                "{call}: we say `{ours}`, terraform said:\n{output}"
                            ));
                        }
                    }
                    failures
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("worker"))
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
