//! The reader of record: saphyr-parser's events, read into the registry.

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScalarStyle, StrInput};

use super::entry::{EntryBuilder, FIELDS};
use super::{LineMap, MAX_DEPTH};
use crate::cidr::parse_strict;
use crate::error::{LoadError, LoadErrorKind};
use crate::registry::{Entry, Located, Notice, Registry};
use crate::reserved::{ReservedEntry, ReservedLevel};

struct Item<'a> {
    event: Event<'a>,
    line: u32,
}

fn found(event: &Event<'_>) -> &'static str {
    match event {
        Event::Scalar(..) => "a value",
        Event::MappingStart(..) => "a mapping",
        Event::SequenceStart(..) => "a list",
        _ => "nothing",
    }
}

fn is_null(value: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

fn error(line: u32, kind: LoadErrorKind) -> LoadError {
    LoadError::new(Some(line), kind)
}

/// Parses a piece of the clients' body whose first line is line `offset + 1`.
pub(super) fn parse_piece(
    piece: &str,
    offset: u32,
) -> Result<(Vec<Entry>, Vec<Notice>), LoadError> {
    let mut entries = Vec::new();
    let mut notices = Vec::new();
    let lines = LineMap {
        offset,
        gap_after: u32::MAX,
        gap: 0,
    };
    Reader::new(piece, lines).chunk(&mut entries, &mut notices)?;
    Ok((entries, notices))
}

pub(super) struct Reader<'a> {
    events: Parser<'a, StrInput<'a>>,
    lines: LineMap,
    depth: u32,
}

impl<'a> Reader<'a> {
    pub(super) fn new(text: &'a str, lines: LineMap) -> Reader<'a> {
        Reader {
            events: Parser::new_from_str(text),
            lines,
            depth: 0,
        }
    }

    /// The next event, refusing anchors, aliases, tags and deep nesting.
    fn next(&mut self) -> Result<Item<'a>, LoadError> {
        let (event, span) = match self.events.next() {
            Some(Ok(pair)) => pair,
            Some(Err(scan)) => {
                // The scanner stops flow collections (`[[[...`) nested 255 deep on its own.
                let kind = if scan.info() == "recursion limit exceeded" {
                    LoadErrorKind::TooDeep { limit: MAX_DEPTH }
                } else {
                    LoadErrorKind::Syntax(scan.info().to_owned())
                };
                return Err(error(self.lines.map(scan.marker().line()), kind));
            }
            None => {
                return Err(LoadError::new(
                    None,
                    LoadErrorKind::Syntax("unexpected end of input".to_owned()),
                ));
            }
        };
        let line = self.lines.map(span.start.line());
        let (anchor, tag) = match &event {
            Event::Alias(_) => return Err(error(line, LoadErrorKind::AnchorOrAlias)),
            Event::Scalar(_, _, anchor, tag) => (*anchor, tag),
            Event::MappingStart(anchor, tag) | Event::SequenceStart(anchor, tag) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(error(line, LoadErrorKind::TooDeep { limit: MAX_DEPTH }));
                }
                (*anchor, tag)
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.depth = self.depth.saturating_sub(1);
                (0, &None)
            }
            _ => (0, &None),
        };
        if anchor != 0 {
            return Err(error(line, LoadErrorKind::AnchorOrAlias));
        }
        if let Some(tag) = tag {
            let handle = match tag.handle.as_str() {
                "tag:yaml.org,2002:" => "!!",
                handle => handle,
            };
            let tag = format!("{handle}{}", tag.suffix);
            return Err(error(line, LoadErrorKind::Tag(tag)));
        }
        Ok(Item { event, line })
    }

    fn expect_start(&mut self) -> Result<Option<Item<'a>>, LoadError> {
        let stream = self.next()?;
        if !matches!(stream.event, Event::StreamStart) {
            return Err(error(
                stream.line,
                LoadErrorKind::Syntax("no stream start".to_owned()),
            ));
        }
        let document = self.next()?;
        match document.event {
            Event::StreamEnd => Ok(None),
            Event::DocumentStart(_) => Ok(Some(self.next()?)),
            _ => Err(error(
                document.line,
                LoadErrorKind::Syntax("no document start".to_owned()),
            )),
        }
    }

    fn expect_end(&mut self) -> Result<(), LoadError> {
        let end = self.next()?;
        if !matches!(end.event, Event::DocumentEnd) {
            return Err(error(
                end.line,
                LoadErrorKind::Syntax("expected the end of the document".to_owned()),
            ));
        }
        let stream = self.next()?;
        match stream.event {
            Event::StreamEnd => Ok(()),
            Event::DocumentStart(_) => Err(error(stream.line, LoadErrorKind::MultipleDocuments)),
            _ => Err(error(
                stream.line,
                LoadErrorKind::Syntax("expected the end of the stream".to_owned()),
            )),
        }
    }

    /// A mapping key: `None` at the end of the mapping.
    fn key(&mut self) -> Result<Option<Located<Cow<'a, str>>>, LoadError> {
        let item = self.next()?;
        match item.event {
            Event::MappingEnd => Ok(None),
            Event::Scalar(value, ..) => Ok(Some(Located {
                value,
                line: item.line,
            })),
            _ => Err(error(item.line, LoadErrorKind::ComplexKey)),
        }
    }

    /// A single value; `None` for null.
    fn scalar(
        &mut self,
        what: impl FnOnce() -> String,
    ) -> Result<Option<Located<String>>, LoadError> {
        let item = self.next()?;
        match item.event {
            Event::Scalar(value, style, ..) if is_null(&value, style) => Ok(None),
            Event::Scalar(value, ..) => Ok(Some(Located {
                value: value.into_owned(),
                line: item.line,
            })),
            other => Err(error(
                item.line,
                LoadErrorKind::NotScalar {
                    what: what(),
                    found: found(&other),
                },
            )),
        }
    }

    /// Skips a value of any shape.
    fn skip(&mut self) -> Result<(), LoadError> {
        let depth = self.depth;
        self.next()?;
        while self.depth > depth {
            self.next()?;
        }
        Ok(())
    }

    /// The whole registry document.
    pub(super) fn document(
        &mut self,
        registry: &mut Registry,
    ) -> Result<Option<(u32, bool)>, LoadError> {
        let Some(root) = self.expect_start()? else {
            return Err(LoadError::new(None, LoadErrorKind::Empty));
        };
        match root.event {
            Event::MappingStart(..) => {}
            Event::Scalar(value, style, ..) if is_null(&value, style) => {
                return Err(error(root.line, LoadErrorKind::Empty));
            }
            other => {
                return Err(error(
                    root.line,
                    LoadErrorKind::NotMapping {
                        what: "the registry".to_owned(),
                        found: found(&other),
                    },
                ));
            }
        }
        let mut clients = None;
        let mut seen: Vec<(String, u32)> = Vec::new();
        while let Some(key) = self.key()? {
            if let Some((_, first)) = seen.iter().find(|(name, _)| *name == key.value) {
                return Err(error(
                    key.line,
                    LoadErrorKind::DuplicateKey {
                        key: key.value.into_owned(),
                        within: "the registry".to_owned(),
                        first: *first,
                    },
                ));
            }
            seen.push((key.value.to_string(), key.line));
            match key.value.as_ref() {
                "clients" => {
                    let value = self.next()?;
                    let empty = match value.event {
                        Event::MappingStart(..) => {
                            self.clients(&mut registry.entries, &mut registry.notices)?;
                            false
                        }
                        Event::Scalar(value, style, ..) if is_null(&value, style) => true,
                        other => {
                            return Err(error(
                                value.line,
                                LoadErrorKind::NotMapping {
                                    what: "`clients`".to_owned(),
                                    found: found(&other),
                                },
                            ));
                        }
                    };
                    clients = Some((key.line, empty));
                }
                "reserved" => self.reserved(&mut registry.reserved)?,
                other => {
                    registry.notices.push(Notice {
                        line: key.line,
                        message: format!(
                            "unknown top-level key `{other}` ignored (known: clients, reserved)"
                        ),
                    });
                    self.skip()?;
                }
            }
        }
        self.expect_end()?;
        if clients.is_none() {
            return Err(LoadError::new(None, LoadErrorKind::MissingClients));
        }
        Ok(clients)
    }

    /// A piece of the clients' body, parsed as a document of its own.
    pub(super) fn chunk(
        &mut self,
        entries: &mut Vec<Entry>,
        notices: &mut Vec<Notice>,
    ) -> Result<(), LoadError> {
        match self.expect_start()? {
            Some(Item {
                event: Event::MappingStart(..),
                ..
            }) => {}
            _ => {
                return Err(LoadError::new(
                    None,
                    LoadErrorKind::Syntax("not a mapping".to_owned()),
                ));
            }
        }
        self.clients(entries, notices)?;
        self.expect_end()
    }

    /// The entries of the `clients:` mapping, after its start.
    fn clients(
        &mut self,
        entries: &mut Vec<Entry>,
        notices: &mut Vec<Notice>,
    ) -> Result<(), LoadError> {
        while let Some(name) = self.key()? {
            let entry = self.entry(name.value.into_owned(), name.line, notices)?;
            entries.push(entry);
        }
        Ok(())
    }

    fn entry(
        &mut self,
        name: String,
        line: u32,
        notices: &mut Vec<Notice>,
    ) -> Result<Entry, LoadError> {
        let mut entry = EntryBuilder::new(name, line);
        let start = self.next()?;
        match start.event {
            Event::MappingStart(..) => {}
            Event::Scalar(value, style, ..) if is_null(&value, style) => {
                return Err(entry.missing_cidr());
            }
            other => {
                return Err(error(
                    start.line,
                    LoadErrorKind::NotMapping {
                        what: entry.what(),
                        found: found(&other),
                    },
                ));
            }
        }
        while let Some(key) = self.key()? {
            match entry.key(&key.value, key.line, notices)? {
                Some(index) => {
                    let value =
                        self.scalar(|| format!("{} of client `{}`", FIELDS[index], entry.name()))?;
                    entry.set(index, value);
                }
                None => self.skip()?,
            }
        }
        entry.finish()
    }

    /// The `reserved:` list.
    fn reserved(&mut self, out: &mut Vec<ReservedEntry>) -> Result<(), LoadError> {
        let start = self.next()?;
        match start.event {
            Event::SequenceStart(..) => {}
            Event::Scalar(value, style, ..) if is_null(&value, style) => return Ok(()),
            other => {
                return Err(error(
                    start.line,
                    LoadErrorKind::NotSequence {
                        what: "`reserved`".to_owned(),
                        found: found(&other),
                    },
                ));
            }
        }
        loop {
            let item = self.next()?;
            match item.event {
                Event::SequenceEnd => return Ok(()),
                Event::MappingStart(..) => {}
                other => {
                    return Err(error(
                        item.line,
                        LoadErrorKind::NotMapping {
                            what: "an item of `reserved`".to_owned(),
                            found: found(&other),
                        },
                    ));
                }
            }
            out.push(self.reserved_item(item.line)?);
        }
    }

    fn reserved_item(&mut self, line: u32) -> Result<ReservedEntry, LoadError> {
        const KEYS: [&str; 3] = ["cidr", "reason", "severity"];
        let what = || "an item of `reserved`".to_owned();
        let mut values: [Option<Located<String>>; 3] = Default::default();
        let mut seen: [Option<u32>; 3] = [None; 3];
        while let Some(key) = self.key()? {
            let Some(index) = KEYS.iter().position(|known| *known == key.value) else {
                return Err(error(
                    key.line,
                    LoadErrorKind::BadReserved {
                        message: format!("unknown key `{}` in an item of `reserved`", key.value),
                        hint: Some(
                            "each item has `cidr`, and optionally `reason` and `severity`"
                                .to_owned(),
                        ),
                    },
                ));
            };
            if let Some(first) = seen[index].replace(key.line) {
                return Err(error(
                    key.line,
                    LoadErrorKind::DuplicateKey {
                        key: key.value.into_owned(),
                        within: what(),
                        first,
                    },
                ));
            }
            values[index] =
                self.scalar(|| format!("`{}` of an item of `reserved`", KEYS[index]))?;
        }
        let [cidr, reason, severity] = values;
        let Some(cidr) = cidr else {
            return Err(error(
                line,
                LoadErrorKind::MissingField {
                    what: what(),
                    field: "cidr",
                },
            ));
        };
        let parsed = parse_strict(&cidr.value).map_err(|problem| {
            error(
                cidr.line,
                LoadErrorKind::BadReserved {
                    message: format!("reserved cidr `{}`: {problem}", cidr.value),
                    hint: problem.hint(),
                },
            )
        })?;
        let level = match &severity {
            None => ReservedLevel::Error,
            Some(severity) => ReservedLevel::parse(&severity.value).ok_or_else(|| {
                error(
                    severity.line,
                    LoadErrorKind::BadReserved {
                        message: format!("reserved severity `{}` is not error, warning or ignore", severity.value),
                        hint: Some("use `severity: warning` to report without failing, `ignore` to drop a default".to_owned()),
                    },
                )
            })?,
        };
        Ok(ReservedEntry {
            cidr: parsed,
            level,
            reason: reason.map(|reason| reason.value),
            line,
        })
    }
}
