//! The fast path for a piece of `clients:` written the way this tool writes it (and the seed
//! shows it): one client key per line at the clients' indentation, then its fields one per
//! line at one deeper indentation, each value a double-quoted ASCII string without escapes
//! or a plain word of `A-Z a-z 0-9 . _ / + -` and inner spaces; blank and comment lines
//! anywhere; printable ASCII throughout.
//!
//! It reads such a piece line by line, about ten times faster than the YAML parser, into the
//! same entries through the same [`EntryBuilder`]. Anything else — another indentation, a
//! multi-line or escaped or single-quoted value, flow style, a tab, a carriage return, a
//! null, a duplicate key, a missing `vpc_cidr` — makes it answer `None`, and the piece goes
//! to the YAML parser, which stays the reader of record. The property test in this module
//! checks that whenever it answers, its answer is the parser's.

use super::entry::EntryBuilder;
use crate::registry::{Entry, Located, Notice};

/// Reads `chunk` (whose first line is line `offset + 1`) if it has the canonical layout with
/// client keys at `indent` spaces.
pub(super) fn parse_chunk(
    chunk: &str,
    indent: usize,
    offset: u32,
) -> Option<(Vec<Entry>, Vec<Notice>)> {
    let mut entries = Vec::new();
    let mut notices = Vec::new();
    let mut current: Option<EntryBuilder> = None;
    let mut field_indent = None;
    let mut line = offset;
    let mut start = 0;
    let bytes = chunk.as_bytes();
    while start < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |index| start + index);
        let text = &chunk[start..end];
        start = end + 1;
        line += 1;
        // Printable ASCII only, comments included: YAML refuses control characters anywhere,
        // and the rest of Unicode is left to the parser.
        if !text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return None;
        }
        let spaces = text.bytes().take_while(|&b| b == b' ').count();
        let rest = &text[spaces..];
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        if spaces == indent {
            let (name, tail) = split_word(rest, is_name_byte)?;
            // YAML caps implicit keys at 1024 characters; stay well inside.
            let starts_well = name
                .as_bytes()
                .first()
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
            if !starts_well || name.len() > 512 {
                return None;
            }
            if !ends_line(tail.strip_prefix(':')?) {
                return None;
            }
            if let Some(entry) = current.take() {
                entries.push(entry.finish().ok()?);
            }
            current = Some(EntryBuilder::new(name.to_owned(), line));
        } else if spaces > indent && *field_indent.get_or_insert(spaces) == spaces {
            let entry = current.as_mut()?;
            let (key, tail) = split_word(rest, |b| b.is_ascii_lowercase() || b == b'_')?;
            let value = value(tail.strip_prefix(": ")?)?;
            if let Some(index) = entry.key(key, line, &mut notices).ok()? {
                entry.set(
                    index,
                    Some(Located {
                        value: value.to_owned(),
                        line,
                    }),
                );
            }
        } else {
            return None;
        }
    }
    entries.push(current?.finish().ok()?);
    Some((entries, notices))
}

fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.')
}

/// The leading run of bytes `keep` accepts (not empty), and what follows.
fn split_word(text: &str, keep: impl Fn(u8) -> bool) -> Option<(&str, &str)> {
    let length = text.bytes().take_while(|&b| keep(b)).count();
    (length > 0).then(|| text.split_at(length))
}

/// Whether `tail` is nothing, spaces, or spaces and a comment.
fn ends_line(tail: &str) -> bool {
    let trimmed = tail.trim_start_matches(' ');
    trimmed.is_empty() || (trimmed.len() < tail.len() && trimmed.starts_with('#'))
}

/// A value that reads the same to every YAML parser; `None` for anything else.
fn value(text: &str) -> Option<&str> {
    let text = text.trim_start_matches(' ');
    if let Some(quoted) = text.strip_prefix('"') {
        let close = memchr::memchr(b'"', quoted.as_bytes())?;
        let (inner, tail) = quoted.split_at(close);
        let plain_ascii = inner
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'\\');
        return (plain_ascii && ends_line(&tail[1..])).then_some(inner);
    }
    if !text.as_bytes().first()?.is_ascii_alphanumeric() {
        return None;
    }
    let word =
        |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'+' | b'-' | b' ');
    let length = text.bytes().take_while(|&b| word(b)).count();
    let (value, tail) = text.split_at(length);
    let value = value.trim_end_matches(' ');
    let comment_or_end =
        tail.is_empty() || (tail.starts_with('#') && text[..length].ends_with(' '));
    let null = matches!(value, "null" | "Null" | "NULL");
    (comment_or_end && !null).then_some(value)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::load::reader::parse_piece;

    /// The reader of record on the same piece.
    fn parser(chunk: &str, offset: u32) -> Result<(Vec<Entry>, Vec<Notice>), crate::LoadError> {
        parse_piece(chunk, offset)
    }

    #[test]
    fn the_canonical_layout_is_read_with_its_lines() {
        let chunk = "  acme:\n    vpc_cidr: \"10.0.0.0/16\"\n    region: us-east-2  # Ohio\n\n  # next\n  b_2:\n    vpc_cidr: 10.1.0.0/16\n    owner: \"x\"\n";
        let (entries, notices) = parse_chunk(chunk, 2, 10).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!((entries[0].line, entries[0].vpc_cidr.line), (11, 12));
        assert_eq!(entries[0].region.as_ref().unwrap().value, "us-east-2");
        assert_eq!(entries[1].vpc_cidr.value, "10.1.0.0/16");
        assert_eq!(notices.len(), 1);
        assert_eq!((entries, notices), parser(chunk, 10).unwrap());
    }

    #[test]
    fn anything_else_goes_to_the_parser() {
        for chunk in [
            "  a:\n    vpc_cidr: 'single'\n",
            "  a:\n    vpc_cidr: \"esc\\\"aped\"\n",
            "  a:\n    vpc_cidr: \"open\n      more\"\n",
            "  a:\n    notes: plain\n      continued\n    vpc_cidr: x\n",
            "  a:\n    vpc_cidr: {x: 1}\n",
            "  a:\n    vpc_cidr:\n",
            "  a:\n    vpc_cidr: null\n",
            "  a:\n    vpc_cidr: x\r\n",
            "  a:\n\tvpc_cidr: x\n",
            "  a: {vpc_cidr: x}\n",
            "  a:\n    vpc_cidr: x\n    vpc_cidr: y\n",
            "  a:\n    region: x\n",
            "  a:\n    vpc_cidr: x\n     region: y\n",
            "  a:\n    vpc_cidr: x#y\n",
            "  a:\n    vpc_cidr: a: b\n",
            "  a:\n    cidr_offset: x\n    vpc_cidr: x\n",
            "    vpc_cidr: x\n",
            "  -a:\n    vpc_cidr: x\n",
            "  \"a\":\n    vpc_cidr: x\n",
            "  a:\n    vpc_cidr: \"caf\u{e9}\"\n",
            "  a:\n    vpc_cidr: x\n# nul \u{0} in a comment\n",
        ] {
            assert_eq!(parse_chunk(chunk, 2, 0), None, "{chunk:?}");
        }
    }

    /// Lines of the canonical layout, and lines just outside it.
    fn line() -> impl Strategy<Value = String> {
        let name = "[a-z0-9_][a-z0-9_.-]{0,8}";
        let key = prop_oneof![
            Just("vpc_cidr".to_owned()),
            Just("region".to_owned()),
            Just("notes".to_owned()),
            Just("cidr_offset".to_owned()),
            "[a-z_]{1,6}",
        ];
        let value = prop_oneof![
            "[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}",
            "\"[ -~]{0,12}\"",
            "[A-Za-z0-9][A-Za-z0-9 ._/+:#-]{0,12}",
            "'[a-z ]{0,5}'",
            Just("null".to_owned()),
            Just(String::new()),
            "\\{[a-z]: [0-9]\\}",
        ];
        let comment = prop_oneof![
            Just(String::new()),
            Just("  # c".to_owned()),
            Just("#c".to_owned())
        ];
        prop_oneof![
            4 => (name, comment.clone()).prop_map(|(name, comment)| format!("  {name}:{comment}")),
            12 => (key, value, comment).prop_map(|(key, value, comment)| format!("    {key}: {value}{comment}")),
            1 => "[ ]{0,6}(#[ -~]{0,5})?",
            1 => "[ ]{1,7}[a-z:\"'#{}\\[\\] -]{1,8}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn whenever_the_fast_path_answers_the_parser_agrees(
            lines in prop::collection::vec(line(), 1..12),
            offset in 0u32..1000,
        ) {
            let chunk = format!("{}\n", lines.join("\n"));
            if let Some(fast) = parse_chunk(&chunk, 2, offset) {
                prop_assert_eq!(Ok(fast), parser(&chunk, offset), "{:?}", chunk);
            }
        }
    }
}
