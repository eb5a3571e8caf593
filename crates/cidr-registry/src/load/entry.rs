//! A client entry being read, shared by both readers so they agree on duplicates, unknown
//! fields, `cidr_offset` and a missing `vpc_cidr`.

use crate::error::{LoadError, LoadErrorKind};
use crate::registry::{Entry, Located, Notice};

/// The fields of a client entry.
pub const FIELDS: [&str; 6] = [
    "vpc_cidr",
    "region",
    "environment",
    "allocated_date",
    "notes",
    "cidr_offset",
];

pub(super) struct EntryBuilder {
    name: String,
    line: u32,
    values: [Option<Located<String>>; FIELDS.len()],
    seen: [Option<u32>; FIELDS.len()],
    unknown: Vec<(String, u32)>,
}

impl EntryBuilder {
    pub(super) fn new(name: String, line: u32) -> EntryBuilder {
        EntryBuilder {
            name,
            line,
            values: Default::default(),
            seen: [None; FIELDS.len()],
            unknown: Vec::new(),
        }
    }

    pub(super) fn name(&self) -> &str {
        &self.name
    }

    /// `client `NAME``, for messages.
    pub(super) fn what(&self) -> String {
        format!("client `{}`", self.name)
    }

    /// The error of a client without `vpc_cidr`.
    pub(super) fn missing_cidr(&self) -> LoadError {
        LoadError::new(
            Some(self.line),
            LoadErrorKind::MissingField {
                what: self.what(),
                field: "vpc_cidr",
            },
        )
    }

    /// Registers a key: the index of a known field, or `None` for an unknown one (noticed;
    /// its value is to be skipped). A key seen before is an error.
    pub(super) fn key(
        &mut self,
        key: &str,
        line: u32,
        notices: &mut Vec<Notice>,
    ) -> Result<Option<usize>, LoadError> {
        let known = FIELDS.iter().position(|field| *field == key);
        let first = match known {
            Some(index) => self.seen[index].replace(line),
            None => self
                .unknown
                .iter()
                .find(|(seen, _)| seen == key)
                .map(|(_, first)| *first),
        };
        if let Some(first) = first {
            return Err(LoadError::new(
                Some(line),
                LoadErrorKind::DuplicateKey {
                    key: key.to_owned(),
                    within: self.what(),
                    first,
                },
            ));
        }
        if known.is_none() {
            notices.push(Notice {
                line,
                message: format!(
                    "client `{}`: unknown field `{key}` ignored (known: {})",
                    self.name,
                    FIELDS.join(", ")
                ),
            });
            self.unknown.push((key.to_owned(), line));
        }
        Ok(known)
    }

    /// Sets the value of the field `index`; `None` for null.
    pub(super) fn set(&mut self, index: usize, value: Option<Located<String>>) {
        self.values[index] = value;
    }

    pub(super) fn finish(self) -> Result<Entry, LoadError> {
        let [
            vpc_cidr,
            region,
            environment,
            allocated_date,
            _notes,
            cidr_offset,
        ] = self.values;
        let cidr_offset = match cidr_offset {
            None => None,
            Some(Located { value, line }) => match value.parse::<u32>() {
                Ok(offset) if value.bytes().all(|b| b.is_ascii_digit()) => Some(Located {
                    value: offset,
                    line,
                }),
                _ => {
                    return Err(LoadError::new(
                        Some(line),
                        LoadErrorKind::NotInteger {
                            what: format!("cidr_offset of client `{}`", self.name),
                            value,
                        },
                    ));
                }
            },
        };
        let Some(vpc_cidr) = vpc_cidr else {
            return Err(LoadError::new(
                Some(self.line),
                LoadErrorKind::MissingField {
                    what: format!("client `{}`", self.name),
                    field: "vpc_cidr",
                },
            ));
        };
        Ok(Entry {
            name: self.name,
            line: self.line,
            vpc_cidr,
            region,
            environment,
            allocated_date,
            cidr_offset,
        })
    }
}
