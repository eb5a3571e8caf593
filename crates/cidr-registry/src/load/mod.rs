//! The YAML loader: saphyr-parser's events read straight into [`Entry`] values, keeping the
//! line of every field, refusing what a registry never needs (anchors, aliases, tags, deep
//! nesting, more than one document) and every duplicate key.
//!
//! A large registry is read in parallel: the body of the top-level `clients:` mapping is cut
//! at lines that start a client (a key at the clients' indentation), each piece is parsed as
//! a YAML document of its own, and the rest of the file — everything but that body — is
//! parsed as one more. A cut can only land where the sequential parse also starts a client:
//! a line at that indentation that starts with a name character ends every block scalar and
//! plain scalar above it, and a quoted scalar or flow collection left open makes the piece
//! before it fail. On any failure, of any piece, the whole text is parsed sequentially, so
//! errors and results are always those of one sequential parse (the `chunked == sequential`
//! property test and the fuzz target check this).

mod entry;
mod fast;
mod reader;
mod split;

use rayon::prelude::*;

pub use self::entry::FIELDS;
use self::reader::Reader;
use self::split::{parse_split, split};
use crate::error::{LoadError, LoadErrorKind};
use crate::registry::{Entry, Registry};

/// The deepest nesting followed (the registry itself needs 4).
pub const MAX_DEPTH: u32 = 32;

/// From this size on, [`Strategy::Auto`] cuts the registry into pieces.
const CHUNKED_FROM_BYTES: usize = 1 << 20;

/// How to parse: the result is the same; only the speed differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// In pieces (in parallel) when the text is large.
    Auto,
    /// One parse of the whole text.
    Sequential,
    /// Cut the clients into about this many pieces when the text allows it.
    Chunked(usize),
}

/// Parses a registry.
pub fn parse(text: &str, strategy: Strategy) -> Result<Registry, LoadError> {
    let pieces = match strategy {
        Strategy::Sequential => 1,
        Strategy::Chunked(pieces) => pieces,
        Strategy::Auto if text.len() >= CHUNKED_FROM_BYTES => {
            rayon::current_num_threads().max(2) * 4
        }
        Strategy::Auto => 1,
    };
    let chunked = if pieces > 1 {
        split(text, pieces).and_then(|split| parse_split(&split).ok())
    } else {
        None
    };
    let mut registry = match chunked {
        Some(registry) => registry,
        None => {
            let mut registry = Registry::default();
            Reader::new(text, LineMap::default()).document(&mut registry)?;
            registry
        }
    };
    registry.notices.sort_by_key(|notice| notice.line);
    if let Some(duplicate) = duplicate_client(&registry.entries) {
        return Err(duplicate);
    }
    Ok(registry)
}

/// The first client (in file order) whose name an earlier client has.
fn duplicate_client(entries: &[Entry]) -> Option<LoadError> {
    let mut names: Vec<(&str, u32)> = entries
        .par_iter()
        .map(|entry| (entry.name.as_str(), entry.line))
        .collect();
    names.par_sort_unstable();
    names
        .windows(2)
        .filter(|pair| pair[0].0 == pair[1].0)
        .min_by_key(|pair| pair[1].1)
        .map(|pair| {
            LoadError::new(
                Some(pair[1].1),
                LoadErrorKind::DuplicateClient {
                    name: pair[1].0.to_owned(),
                    first: pair[0].1,
                },
            )
        })
}

/// Maps a line of the text parsed to a line of the registry.
#[derive(Debug, Clone, Copy, Default)]
struct LineMap {
    /// Added to every line.
    offset: u32,
    /// Lines after this one are moved down by `gap`.
    gap_after: u32,
    gap: u32,
}

impl LineMap {
    fn map(self, line: usize) -> u32 {
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        let gap = if line > self.gap_after { self.gap } else { 0 };
        line.saturating_add(self.offset).saturating_add(gap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Located;

    const SEED: &str = "\
# CIDR registry: every client's VPC block, unique across the company.
clients:
  acme:
    vpc_cidr: \"10.100.0.0/16\"
    region: \"us-east-2\"
    environment: \"production\"
    allocated_date: \"2026-01-05\"
    notes: \"First client\"

  # Onboarded in January.
  beta-corp:
    vpc_cidr: 10.101.0.0/16
    region: us-east-2
    environment: production
    allocated_date: 2026-01-12
    notes: |
      Multi-line notes
      clients:
        not: a key
  'gamma':
    vpc_cidr: \"10.102.0.0/16\"
    cidr_offset: 102
reserved:
  - cidr: 10.200.0.0/16
    reason: on-premises
";

    fn sequential(text: &str) -> Result<Registry, LoadError> {
        parse(text, Strategy::Sequential)
    }

    #[test]
    fn the_seed_format_loads_with_the_line_of_every_field() {
        let registry = sequential(SEED).unwrap();
        let names: Vec<&str> = registry
            .entries
            .iter()
            .map(|entry| entry.name.as_str())
            .collect();
        assert_eq!(names, ["acme", "beta-corp", "gamma"]);
        let acme = &registry.entries[0];
        assert_eq!((acme.line, acme.vpc_cidr.line), (3, 4));
        assert_eq!(acme.vpc_cidr.value, "10.100.0.0/16");
        assert_eq!(
            acme.region
                .as_ref()
                .map(|region| (region.value.as_str(), region.line)),
            Some(("us-east-2", 5))
        );
        let beta = &registry.entries[1];
        assert_eq!(beta.allocated_date.as_ref().unwrap().value, "2026-01-12");
        assert_eq!(
            registry.entries[2].cidr_offset,
            Some(Located {
                value: 102,
                line: 22
            })
        );
        assert_eq!(registry.reserved.len(), 1);
        assert_eq!(registry.reserved[0].line, 24);
        assert!(registry.notices.is_empty());
    }

    #[test]
    fn chunked_parsing_gives_the_sequential_result() {
        for pieces in 2..8 {
            assert_eq!(
                parse(SEED, Strategy::Chunked(pieces)),
                sequential(SEED),
                "{pieces} pieces"
            );
        }
        let split = split(SEED, 3).unwrap();
        assert_eq!(split.clients_line, 2);
        assert!(split.chunks.len() > 1, "{split:?}");
        assert!(
            split.skeleton.ends_with(
                "clients:\nreserved:\n  - cidr: 10.200.0.0/16\n    reason: on-premises\n"
            )
        );
    }

    #[test]
    fn a_shape_that_cannot_be_cut_is_parsed_whole() {
        for text in [
            "clients: {a: {vpc_cidr: 10.0.0.0/16}}\n",
            "clients:\n- a\n",
            "clients:\n",
            "reserved: []\n",
            "clients:   \n  # nothing yet\n",
            "clients:\n  a:\n    vpc_cidr: x\r    region: y\n  b:\n    vpc_cidr: z\n",
        ] {
            assert!(split(text, 4).is_none(), "{text:?}");
        }
    }

    #[test]
    fn unknown_fields_and_keys_are_noticed_and_skipped() {
        let text = "owner: platform\nclients:\n  a:\n    vpc_cidr: 10.0.0.0/16\n    tags: {team: x, more: [1, 2]}\n";
        let registry = sequential(text).unwrap();
        let lines: Vec<u32> = registry.notices.iter().map(|notice| notice.line).collect();
        assert_eq!(lines, [1, 5]);
        assert!(registry.notices[1].message.contains("unknown field `tags`"));
        assert_eq!(registry.entries.len(), 1);
    }

    fn load_error(text: &str) -> LoadError {
        let error = sequential(text).unwrap_err();
        assert_eq!(
            parse(text, Strategy::Chunked(4)).unwrap_err(),
            error,
            "{text:?}"
        );
        error
    }

    #[test]
    fn structural_mistakes_are_errors_with_their_line() {
        let cases: [(&str, &str); 16] = [
            ("", "the registry is empty"),
            ("# only a comment\n", "the registry is empty"),
            (
                "- a\n",
                "line 1: the registry must be a mapping, found a list",
            ),
            ("reserved: []\n", "no top-level `clients:` mapping"),
            (
                "clients: [a, b]\n",
                "line 1: `clients` must be a mapping, found a list",
            ),
            (
                "clients:\n  a: 10.0.0.0/16\n",
                "line 2: client `a` must be a mapping, found a value",
            ),
            ("clients:\n  a:\n", "line 2: client `a` has no vpc_cidr"),
            (
                "clients:\n  a:\n    region: x\n",
                "line 2: client `a` has no vpc_cidr",
            ),
            (
                "clients:\n  a:\n    vpc_cidr: [10.0.0.0/16]\n",
                "line 3: vpc_cidr of client `a` must be a single value, found a list",
            ),
            (
                "clients:\n  a:\n    vpc_cidr: 10.0.0.0/16\n    vpc_cidr: 10.1.0.0/16\n",
                "line 4: duplicate key `vpc_cidr` in client `a` (first at line 3)",
            ),
            (
                "clients:\n  a:\n    vpc_cidr: 10.0.0.0/16\n  a:\n    vpc_cidr: 10.1.0.0/16\n",
                "line 4: client `a` is defined twice (first at line 2)",
            ),
            (
                "clients: {}\nclients: {}\n",
                "line 2: duplicate key `clients` in the registry (first at line 1)",
            ),
            (
                "clients:\n  a:\n    vpc_cidr: 10.0.0.0/16\n    cidr_offset: -1\n",
                "line 4: cidr_offset of client `a` must be a whole number, found `-1`",
            ),
            (
                "clients: {}\n---\nclients: {}\n",
                "line 2: more than one YAML document",
            ),
            (
                "clients:\n  ? [a]\n  : {vpc_cidr: 10.0.0.0/16}\n",
                "line 2: a key must be a plain name, not a mapping or list",
            ),
            (
                "clients:\n  a:\n    vpc_cidr: !!str 10.0.0.0/16\n",
                "line 3: tags such as `!!str` are not allowed in the registry",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(load_error(text).to_string(), expected, "{text:?}");
        }
    }

    #[test]
    fn anchors_aliases_and_merge_keys_are_refused() {
        let text = "base: &base\n  region: us-east-2\nclients:\n  a:\n    <<: *base\n    vpc_cidr: 10.0.0.0/16\n";
        let error = load_error(text);
        assert_eq!(error.kind, LoadErrorKind::AnchorOrAlias);
        assert_eq!(error.line, Some(1));
        let laughs = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\nclients: {}\n";
        assert_eq!(load_error(laughs).kind, LoadErrorKind::AnchorOrAlias);
    }

    #[test]
    fn deep_nesting_stops_at_the_limit() {
        let deep = format!(
            "clients:\n  a:\n    vpc_cidr: 10.0.0.0/16\n    extra: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let error = load_error(&deep);
        assert_eq!(error.kind, LoadErrorKind::TooDeep { limit: MAX_DEPTH });
        let unclosed = format!("clients: {}", "{a: ".repeat(50_000));
        assert_eq!(
            load_error(&unclosed).kind,
            LoadErrorKind::TooDeep { limit: MAX_DEPTH }
        );
        let mut block = String::from("clients:\n  a:\n    vpc_cidr: 10.0.0.0/16\n    extra:\n");
        for level in 0..200 {
            block.push_str(&format!("{}k{level}:\n", " ".repeat(6 + 2 * level)));
        }
        let error = load_error(&block);
        assert_eq!(error.kind, LoadErrorKind::TooDeep { limit: MAX_DEPTH });
        assert_eq!(error.line, Some(MAX_DEPTH + 2));
    }

    #[test]
    fn bad_reserved_items_say_what_to_write() {
        let error = load_error("clients: {}\nreserved:\n  - cidr: 10.0.0.1/16\n");
        assert_eq!(
            error.to_string(),
            "line 3: reserved cidr `10.0.0.1/16`: host bits are set: 10.0.0.1/16 is an address inside 10.0.0.0/16, not a network"
        );
        assert_eq!(error.hint().as_deref(), Some("use 10.0.0.0/16"));
        let error =
            load_error("clients: {}\nreserved:\n  - cidr: 10.0.0.0/16\n    severity: fatal\n");
        assert!(
            error
                .to_string()
                .starts_with("line 4: reserved severity `fatal`"),
            "{error}"
        );
        let error = load_error("clients: {}\nreserved: {cidr: 10.0.0.0/16}\n");
        assert_eq!(
            error.to_string(),
            "line 2: `reserved` must be a list, found a mapping"
        );
    }

    #[test]
    fn syntax_errors_carry_the_parsers_words_and_line() {
        let error = load_error("clients:\n  a:\n    vpc_cidr: \"10.0.0.0/16\n");
        assert!(matches!(error.kind, LoadErrorKind::Syntax(_)), "{error:?}");
        assert!(error.line.is_some());
    }

    /// One client entry in one of the shapes people write, including broken ones.
    fn entry() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let name = "[a-z][a-z0-9-]{0,6}";
        let cidr = "10\\.[0-9]{1,2}\\.0\\.0/(16|24)";
        prop_oneof![
            6 => (name, cidr).prop_map(|(name, cidr)| format!("  {name}:\n    vpc_cidr: \"{cidr}\"\n    region: \"us-east-2\"\n    environment: production\n")),
            1 => (name, cidr).prop_map(|(name, cidr)| format!("  {name}:\n    vpc_cidr: '{cidr}'\n    notes: >\n      folded\n      text\n")),
            1 => (name, cidr).prop_map(|(name, cidr)| format!("  {name}: {{vpc_cidr: {cidr}, region: us-east-2}}\n")),
            1 => (name, cidr).prop_map(|(name, cidr)| format!("  {name}:\n      vpc_cidr: {cidr}   # deeper\n      owner: {{team: [a, b]}}\n")),
            1 => (name, cidr).prop_map(|(name, cidr)| format!("  {name}:\n    vpc_cidr: \"{cidr}\"\n    vpc_cidr: \"{cidr}\"\n")),
            1 => (name, cidr).prop_map(|(name, cidr)| format!("  {name}:\n    vpc_cidr: \"{cidr}\n  continued\"\n")),
            1 => (name, cidr).prop_map(|(name, cidr)| format!("  {name}:\n    notes: |\n      clients:\n        {name}: x\n    vpc_cidr: {cidr}\n")),
            1 => Just("# a comment in column 0\n\n".to_owned()),
            1 => Just("  # an indented comment\n".to_owned()),
            1 => "[ -~]{0,12}\\n",
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]

        /// However the text is cut, and whichever reader reads each piece, the answer is the
        /// sequential parse's, errors included.
        #[test]
        fn any_cut_gives_the_sequential_answer(
            head in proptest::sample::select(vec!["", "# registry\n", "version: 1\n", "reserved: []\n"]),
            entries in proptest::collection::vec(entry(), 0..16),
            tail in proptest::sample::select(vec!["", "reserved:\n  - cidr: 10.200.0.0/16\n", "---\nclients: {}\n", "other: 1\n"]),
            pieces in 2usize..9,
        ) {
            let text = format!("{head}clients:\n{}{tail}", entries.concat());
            proptest::prop_assert_eq!(parse(&text, Strategy::Chunked(pieces)), sequential(&text), "{:?}", text);
        }
    }
}
