//! Invariants under proptest: accepted inputs always make names AWS accepts, and every
//! invalid component is rejected. The oracles here are written independently of the crate.

use naming::{
    Client, Deployment, Environment, KeyScheme, Layer, NamingError, NamingRules, ObservabilityKind,
    Project, Region, StateKey,
};
use proptest::prelude::*;
use regex::Regex;

/// S3's bucket naming rules, restated from the S3 user guide (dots refused, as the contract
/// asks).
fn oracle_bucket(name: &str) -> bool {
    let shape = Regex::new(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$").unwrap();
    shape.is_match(name)
        && !["xn--", "sthree-", "amzn-s3-demo-"]
            .iter()
            .any(|p| name.starts_with(p))
        && !["-s3alias", "--ol-s3", "--x-s3", "--table-s3"]
            .iter()
            .any(|s| name.ends_with(s))
}

fn oracle_table(name: &str) -> bool {
    Regex::new(r"^[A-Za-z0-9_.-]{3,255}$")
        .unwrap()
        .is_match(name)
}

fn oracle_label(name: &str) -> bool {
    Regex::new(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
        .unwrap()
        .is_match(name)
}

/// Strings that are mostly valid, with now and then a character that matters: uppercase,
/// separators, unicode. Lengths straddle the 63-character limit.
fn any_component() -> impl Strategy<Value = String> {
    let good = proptest::char::ranges(vec!['a'..='z', '0'..='9', '-'..='-'].into());
    let bad = proptest::sample::select(vec!['A', 'Z', '_', '.', ' ', 'é', '/', '\n']);
    let ch = prop_oneof![20 => good, 1 => bad];
    proptest::collection::vec(ch, 0..70).prop_map(|chars| chars.into_iter().collect())
}

/// A valid DNS label of 1 to 63 characters.
fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::string::string_regex(r"[a-z0-9]").unwrap(),
        proptest::string::string_regex(r"[a-z0-9][a-z0-9-]{0,61}[a-z0-9]").unwrap(),
    ]
}

fn region() -> impl Strategy<Value = Region> {
    let all: Vec<Region> = Region::all().collect();
    proptest::sample::select(all)
}

fn deployment() -> impl Strategy<Value = Deployment> {
    (label(), label(), region()).prop_map(|(project, environment, region)| Deployment {
        project: Project::new(project).unwrap(),
        environment: Environment::new(environment).unwrap(),
        region,
    })
}

/// A pattern of placeholders and literal runs, some of which make invalid names.
fn pattern(with_kind: bool) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{project}".to_owned()),
        Just("{environment}".to_owned()),
        Just("{region}".to_owned()),
        Just("{region_short}".to_owned()),
        proptest::string::string_regex(r"[a-z0-9-]{1,12}").unwrap(),
        proptest::string::string_regex(r"[A-Z_.]{1,3}").unwrap(),
        // AWS's reserved prefixes and suffixes, so the rules about them are exercised.
        proptest::sample::select(vec![
            "xn--",
            "sthree-",
            "amzn-s3-demo-",
            "-s3alias",
            "--ol-s3",
            "--x-s3",
            "--table-s3"
        ])
        .prop_map(str::to_owned),
    ];
    proptest::collection::vec(piece, 1..6).prop_map(move |mut pieces| {
        if with_kind {
            pieces.push("{kind}".to_owned());
        }
        pieces.concat()
    })
}

/// What a pattern renders to, computed by plain text substitution.
fn substitute(pattern: &str, d: &Deployment, kind: Option<ObservabilityKind>) -> String {
    pattern
        .replace("{project}", d.project.as_str())
        .replace("{environment}", d.environment.as_str())
        .replace("{region_short}", d.region.short())
        .replace("{region}", d.region.name())
        .replace("{kind}", kind.map_or("", |kind| kind.as_str()))
}

fn assert_names_the_value(error: &NamingError, value: &str) {
    let message = error.to_string();
    assert!(
        message.contains(&format!("`{value}`")),
        "{message} does not name {value:?}"
    );
    assert!(message.starts_with("invalid "), "{message}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn components_are_accepted_exactly_when_they_are_dns_labels(value in any_component()) {
        let expected = oracle_label(&value);
        for result in [
            Project::new(value.as_str()).map(|_| ()),
            Environment::new(value.as_str()).map(|_| ()),
            Client::new(value.as_str()).map(|_| ()),
            Client::tenant(value.as_str()).map(|_| ()),
        ] {
            match result {
                Ok(()) => prop_assert!(expected, "{value:?} accepted"),
                Err(error) => {
                    prop_assert!(!expected, "{value:?} rejected: {error}");
                    assert_names_the_value(&error, &value);
                }
            }
        }
    }

    #[test]
    fn every_invalid_component_is_rejected(
        valid in label(),
        defect in prop_oneof![
            Just("upper"), Just("underscore"), Just("dot"), Just("space"), Just("lead"),
            Just("trail"), Just("long"), Just("empty"), Just("unicode"), Just("slash"),
        ],
        position in any::<prop::sample::Index>(),
    ) {
        let mut chars: Vec<char> = valid.chars().collect();
        let at = position.index(chars.len() + 1);
        let bad: String = match defect {
            "upper" => { chars.insert(at, 'Q'); chars.into_iter().collect() }
            "underscore" => { chars.insert(at, '_'); chars.into_iter().collect() }
            "dot" => { chars.insert(at, '.'); chars.into_iter().collect() }
            "space" => { chars.insert(at, ' '); chars.into_iter().collect() }
            "unicode" => { chars.insert(at, 'é'); chars.into_iter().collect() }
            "slash" => { chars.insert(at, '/'); chars.into_iter().collect() }
            "lead" => format!("-{valid}"),
            "trail" => format!("{valid}-"),
            "long" => format!("{valid}{}", "a".repeat(64)),
            _ => String::new(),
        };
        for error in [
            Project::new(bad.as_str()).unwrap_err(),
            Environment::new(bad.as_str()).unwrap_err(),
            Client::new(bad.as_str()).unwrap_err(),
            Layer::new(bad.as_str()).map(|_| ()).err().unwrap_or_else(|| {
                // Layers also allow underscores; every other defect is refused.
                assert_eq!(defect, "underscore");
                Project::new(bad.as_str()).unwrap_err()
            }),
        ] {
            assert_names_the_value(&error, &bad);
        }
    }

    #[test]
    fn default_names_are_valid_or_rejected_exactly_when_aws_would(d in deployment()) {
        let rules = NamingRules::default();
        let expected_state = format!("{}-terraform-state-{}", d.project, d.environment);
        match rules.state_bucket(&d) {
            Ok(name) => {
                prop_assert_eq!(name.as_str(), expected_state.as_str());
                prop_assert!(oracle_bucket(name.as_str()));
            }
            Err(error) => {
                prop_assert!(!oracle_bucket(&expected_state), "{expected_state} rejected: {error}");
                prop_assert!(error.hint().is_some(), "no hint for {error}");
            }
        }
        for kind in ObservabilityKind::ALL {
            let expected = format!("{}-{}-{}-{}", d.project, d.region, kind, d.environment);
            match rules.observability_bucket(&d, kind) {
                Ok(name) => prop_assert!(oracle_bucket(name.as_str()) && name.as_str() == expected),
                Err(_) => prop_assert!(!oracle_bucket(&expected)),
            }
        }
        let table = rules.lock_table(&d).unwrap();
        prop_assert!(oracle_table(table.as_str()));
        prop_assert_eq!(table.as_str(), format!("terraform-locks-{}", d.region.short()));
    }

    #[test]
    fn overridden_patterns_make_valid_names_or_clear_errors(
        d in deployment(),
        state in pattern(false),
        observability in pattern(true),
        table in pattern(false),
    ) {
        let rules = match NamingRules::new(Some(&state), Some(&observability), Some(&table)) {
            Ok(rules) => rules,
            Err(error) => {
                // The only refusal of well-formed patterns: two roles share a name.
                let text = error.to_string();
                prop_assert!(text.contains("the same name"), "{}", text);
                return Ok(());
            }
        };
        // No deployment gets one name for two roles: names() refuses it.
        match rules.names(&d) {
            Ok(names) => {
                let all: Vec<&str> = names.buckets().map(|(name, _)| name.as_str()).collect();
                let mut unique = all.clone();
                unique.sort_unstable();
                unique.dedup();
                prop_assert_eq!(unique.len(), all.len(), "{:?}", all);
            }
            Err(error) => {
                let shared = {
                    let state = substitute(&state, &d, None);
                    ObservabilityKind::ALL.iter().any(|kind| substitute(&observability, &d, Some(*kind)) == state)
                };
                prop_assert!(!shared || error.to_string().contains("the same name"), "{}", error);
            }
        }
        let expected = substitute(&state, &d, None);
        prop_assert_eq!(rules.state_bucket(&d).is_ok(), oracle_bucket(&expected), "{}", expected);
        if let Ok(name) = rules.state_bucket(&d) {
            prop_assert_eq!(name.as_str(), expected.as_str());
        }
        for kind in ObservabilityKind::ALL {
            let expected = substitute(&observability, &d, Some(kind));
            prop_assert_eq!(rules.observability_bucket(&d, kind).is_ok(), oracle_bucket(&expected));
        }
        let expected = substitute(&table, &d, None);
        match rules.lock_table(&d) {
            Ok(name) => prop_assert!(oracle_table(name.as_str()) && name.as_str() == expected),
            Err(error) => {
                prop_assert!(!oracle_table(&expected));
                assert_names_the_value(&error, &expected);
            }
        }
    }

    #[test]
    fn every_generated_state_key_is_a_valid_key(
        d in deployment(),
        client in label(),
        layer in label(),
        scheme in proptest::sample::select(KeyScheme::ALL.to_vec()),
    ) {
        let client = Client::new(client).unwrap();
        let layer = Layer::new(layer).unwrap();
        let mut keys = Vec::new();
        if scheme.has_shared_keys() {
            keys.push(scheme.shared_key(&d, &layer).unwrap());
        } else {
            prop_assert!(scheme.shared_key(&d, &layer).is_err());
        }
        if scheme.has_client_keys() {
            let with_layer = scheme.client_keys_have_layers().then_some(&layer);
            keys.push(scheme.client_key(&d, &client, with_layer).unwrap());
            // The wrong layer arity is refused, never silently ignored.
            let wrong = if with_layer.is_some() { None } else { Some(&layer) };
            prop_assert!(scheme.client_key(&d, &client, wrong).is_err());
        } else {
            prop_assert!(scheme.client_key(&d, &client, Some(&layer)).is_err());
        }
        for key in keys {
            prop_assert!(StateKey::new(key.as_str()).is_ok());
            prop_assert!(key.as_str().ends_with("/terraform.tfstate"));
            prop_assert!(key.as_str().len() <= 1024);
        }
    }

    #[test]
    fn shared_and_client_keys_never_collide(
        d in deployment(),
        client in label(),
        layer in label(),
        scheme in proptest::sample::select(KeyScheme::ALL.to_vec()),
    ) {
        prop_assume!(scheme.has_shared_keys() && scheme.has_client_keys());
        let client = Client::new(client).unwrap();
        let layer = Layer::new(layer).unwrap();
        let shared = scheme.shared_key(&d, &layer).unwrap();
        let with_layer = scheme.client_keys_have_layers().then_some(&layer);
        let own = scheme.client_key(&d, &client, with_layer).unwrap();
        prop_assert_ne!(shared, own);
    }
}
