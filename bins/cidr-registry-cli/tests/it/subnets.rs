//! `--subnets`: a client's plan, each subnet the one the real Terraform computes from the
//! printed expression.

use crate::support::{console_json, terraform_console, validate_cidr, with_registry};

const REGISTRY: &str = "clients:\n  acme:\n    vpc_cidr: \"10.42.0.0/16\"\n    region: us-east-2\n    environment: production\n    allocated_date: \"2026-01-05\"\n    cidr_offset: 16\n  small:\n    vpc_cidr: \"10.43.0.0/24\"\n    region: eu-west-1\n    environment: staging\n    allocated_date: \"2026-01-05\"\n";

#[test]
fn the_plan_names_each_subnet_and_terraform_agrees_with_every_block() {
    let dir = with_registry(REGISTRY);
    let output = validate_cidr(
        dir.path(),
        &["--quiet", "--subnets", "acme", "--azs", "a,b,us-east-2c"],
        &[],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let table: Vec<&str> = output
        .stderr
        .lines()
        .skip_while(|line| !line.starts_with("╭─"))
        .take(10)
        .collect();
    assert_eq!(
        table[0],
        "╭─ Subnets of acme: 10.42.0.0/16, 8 bits per subnet, numbered from 16"
    );
    assert_eq!(
        table[1],
        "  acme-production-public-us-east-2a   10.42.16.0/24  cidrsubnet(\"10.42.0.0/16\", 8, 16)"
    );
    assert_eq!(
        table[9],
        "  acme-production-eks-us-east-2c      10.42.24.0/24  cidrsubnet(\"10.42.0.0/16\", 8, 24)"
    );

    let json = validate_cidr(dir.path(), &["--subnets", "small", "--output", "json"], &[]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let plan = &json.json()["subnets"];
    assert_eq!(plan["client"], "small");
    assert_eq!(plan["newbits"], 4);
    let subnets = plan["subnets"].as_array().expect("subnets");
    assert_eq!(subnets.len(), 6);
    assert_eq!(subnets[3]["name"], "small-staging-private-eu-west-1b");
    let expressions: Vec<&str> = subnets
        .iter()
        .map(|subnet| subnet["expression"].as_str().expect("expression"))
        .collect();
    let terraform = console_json(&terraform_console(
        dir.path(),
        &format!("jsonencode([{}])", expressions.join(", ")),
    ));
    let ours: Vec<&serde_json::Value> = subnets.iter().map(|subnet| &subnet["cidr"]).collect();
    assert_eq!(
        terraform
            .as_array()
            .expect("list")
            .iter()
            .collect::<Vec<_>>(),
        ours
    );
}

#[test]
fn plans_that_do_not_fit_fail_with_terraforms_message() {
    let dir = with_registry(REGISTRY);
    let cases: [(&[&str], &str); 4] = [
        (
            &["--subnets", "acme", "--subnet-bits", "2"],
            "[ERROR] cidrsubnet(\"10.42.0.0/16\", 2, 16) fails in Terraform: prefix extension of 2 does not accommodate a subnet numbered 16\n",
        ),
        (
            &["--subnets", "small", "--subnet-bits", "6"],
            "[ERROR] 6 subnet bits make /30 subnets; AWS subnets are /16 to /28\n",
        ),
        (
            &["--subnets", "nobody"],
            "[ERROR] client `nobody` is not in the registry\n",
        ),
        (
            &["--subnets", "acme", "--azs", "a,eu-west-1a"],
            "[ERROR] availability zone eu-west-1a is not in the client's region us-east-2\n",
        ),
    ];
    for (args, message) in cases {
        let output = validate_cidr(dir.path(), args, &[]);
        assert_eq!(output.code, 2, "{args:?}: {}", output.stderr);
        assert!(
            output.stderr.contains(message),
            "{args:?}: {}",
            output.stderr
        );
    }
}

#[test]
fn a_new_client_can_be_allocated_and_planned_in_one_run() {
    let dir = with_registry(REGISTRY);
    let output = validate_cidr(
        dir.path(),
        &[
            "--allocate",
            "newco",
            "--region",
            "us-east-2",
            "--environment",
            "production",
            "--subnets",
            "newco",
            "--output",
            "json",
        ],
        &[],
    );
    assert_eq!(output.code, 0, "{}", output.stderr);
    let document = output.json();
    assert_eq!(document["allocation"]["vpc_cidr"], "10.0.0.0/16");
    assert_eq!(document["subnets"]["subnets"][0]["cidr"], "10.0.0.0/24");
}

/// A public pool, zones of another region, more zones than the region has, or a zone named
/// twice: exit 2 with the rule, and the registry as it was (before: all accepted, exit 0,
/// and the next plain run failed the registry).
#[test]
fn pools_and_zones_that_cannot_work_are_exit_2() {
    let registry = "clients:\n  acme:\n    vpc_cidr: \"10.0.0.0/16\"\n    region: \"us-east-2\"\n    environment: \"production\"\n    allocated_date: \"2026-01-05\"\n";
    let dir = with_registry(registry);
    let public = validate_cidr(
        dir.path(),
        &[
            "--allocate",
            "newco",
            "--pool",
            "8.0.0.0/8",
            "--region",
            "us-east-2",
            "--environment",
            "production",
        ],
        &[],
    );
    assert_eq!(public.code, 2, "{}", public.stderr);
    assert!(
        public.stderr.contains("VPC blocks must be private"),
        "{}",
        public.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("cidr-registry.yaml")).unwrap(),
        registry
    );
    for (azs, rule) in [
        (
            "eu-west-1a,eu-west-1b",
            "availability zone eu-west-1a is not in the client's region us-east-2",
        ),
        (
            "a,b,c,d",
            "4 availability zones are listed, but us-east-2 has 3",
        ),
        ("a,a", "availability zone us-east-2a is listed twice"),
        ("z", "availability zone us-east-2z does not exist"),
    ] {
        let output = validate_cidr(dir.path(), &["--subnets", "acme", "--azs", azs], &[]);
        assert_eq!(output.code, 2, "{azs}: {}", output.stderr);
        assert!(output.stderr.contains(rule), "{azs}: {}", output.stderr);
    }
}
