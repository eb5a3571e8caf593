//! Render → parse → render is stable, and parse(render(c)) == c, for any configuration.

use std::path::Path;

use backend_hcl::{BackendConfig, Style};
use proptest::prelude::*;

/// Strings with the characters that need care in HCL: quotes, backslashes, `${`, `%{`,
/// newlines, unicode.
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex(r#"([a-z0-9/._-]|"|\\|\$\{|%\{|\$|%|\n|\t|é|🪣| ){0,40}"#)
        .unwrap()
}

fn config() -> impl Strategy<Value = BackendConfig> {
    (
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(text()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(text()),
    )
        .prop_map(
            |(bucket, key, region, encrypt, dynamodb_table, use_lockfile, kms_key_id)| {
                BackendConfig {
                    bucket,
                    key,
                    region,
                    encrypt,
                    dynamodb_table,
                    use_lockfile,
                    kms_key_id,
                    others: Vec::new(),
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn render_parse_render_is_stable(config in config(), tenant_style in any::<bool>()) {
        let style = if tenant_style { Style::Tenant } else { Style::Standard };
        let rendered = config.render(style);
        let parsed = BackendConfig::parse(&rendered, Path::new("p.hcl"))
            .map_err(|error| TestCaseError::fail(format!("{error}\n{rendered}")))?;
        prop_assert_eq!(&parsed, &config);
        prop_assert_eq!(parsed.render(style), rendered);
    }

    #[test]
    fn files_with_settings_the_toolkit_does_not_write_round_trip_too(
        config in config(),
        profile in text(),
        retries in 0u32..20,
    ) {
        let mut text = config.render(Style::Standard);
        let quoted = backend_hcl::quote(&profile);
        text.push_str(&format!("profile = {quoted}\nmax_retries = {retries}\n"));
        let parsed = BackendConfig::parse(&text, Path::new("p.hcl")).unwrap();
        let keys: Vec<&str> = parsed.others.iter().map(|o| o.key()).collect();
        prop_assert_eq!(keys, ["profile", "max_retries"]);
        let again = parsed.render(Style::Standard);
        prop_assert_eq!(BackendConfig::parse(&again, Path::new("p.hcl")).unwrap(), parsed);
    }

    #[test]
    fn arbitrary_text_never_panics_and_errors_name_the_file(text in ".{0,200}") {
        if let Err(error) = BackendConfig::parse(&text, Path::new("dir/hostile.hcl")) {
            prop_assert!(error.to_string().starts_with("dir/hostile.hcl: "));
        }
    }
}

#[test]
fn the_rendered_layout_is_terraform_fmt_s() {
    // Aligned `=` across the attribute run, one space after, values as HCL literals.
    let config = BackendConfig {
        bucket: Some("b".to_owned()),
        key: Some("k\"q".to_owned()),
        region: Some("us-east-2".to_owned()),
        encrypt: Some(true),
        dynamodb_table: Some("t".to_owned()),
        use_lockfile: Some(true),
        kms_key_id: None,
        others: Vec::new(),
    };
    assert_eq!(
        config.render(Style::Standard),
        "bucket         = \"b\"\nkey            = \"k\\\"q\"\nregion         = \"us-east-2\"\nencrypt        = true\n\
         dynamodb_table = \"t\"\nuse_lockfile   = true\n"
    );
}
