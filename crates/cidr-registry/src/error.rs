//! Why a registry could not be loaded: each error names the line, what is wrong, and (through
//! [`LoadError::hint`]) how to fix it.

use std::fmt;

use crate::registry::MAX_BYTES;

/// A registry that is not the seed's format, or is hostile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The line (1-based), when the error has one.
    pub line: Option<u32>,
    /// What is wrong.
    pub kind: LoadErrorKind,
}

/// What is wrong with a registry's structure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// Larger than [`MAX_BYTES`].
    TooLarge {
        /// Its size.
        bytes: u64,
    },
    /// Not UTF-8 text.
    NotUtf8,
    /// YAML syntax, as the parser words it.
    Syntax(String),
    /// `&anchor` or `*alias` (including `<<` merge keys): refused, so no entry is defined
    /// by reference and no alias expands into a billion nodes.
    AnchorOrAlias,
    /// An explicit tag such as `!!binary`.
    Tag(String),
    /// Nesting deeper than the loader follows.
    TooDeep {
        /// The deepest nesting followed.
        limit: u32,
    },
    /// A second YAML document after `---`.
    MultipleDocuments,
    /// No content at all.
    Empty,
    /// No top-level `clients:`.
    MissingClients,
    /// A mapping was expected.
    NotMapping {
        /// What should have been a mapping.
        what: String,
        /// What was there.
        found: &'static str,
    },
    /// A single value was expected.
    NotScalar {
        /// What should have been a value.
        what: String,
        /// What was there.
        found: &'static str,
    },
    /// A list was expected.
    NotSequence {
        /// What should have been a list.
        what: String,
        /// What was there.
        found: &'static str,
    },
    /// A mapping key that is itself a mapping or a list.
    ComplexKey,
    /// A client without `vpc_cidr`.
    MissingField {
        /// Where it is missing.
        what: String,
        /// The missing field.
        field: &'static str,
    },
    /// The same key twice in one mapping.
    DuplicateKey {
        /// The key.
        key: String,
        /// The mapping it is in.
        within: String,
        /// The line of the first.
        first: u32,
    },
    /// The same client twice in `clients:`.
    DuplicateClient {
        /// The client.
        name: String,
        /// The line of the first.
        first: u32,
    },
    /// A field that must be a whole number.
    NotInteger {
        /// The field.
        what: String,
        /// The value found.
        value: String,
    },
    /// A bad value in `reserved:`.
    BadReserved {
        /// What is wrong with it.
        message: String,
        /// How to fix it.
        hint: Option<String>,
    },
}

impl LoadError {
    pub(crate) fn new(line: Option<u32>, kind: LoadErrorKind) -> LoadError {
        LoadError { line, kind }
    }

    /// How to fix it.
    pub fn hint(&self) -> Option<String> {
        use LoadErrorKind::*;
        Some(match &self.kind {
            TooLarge { .. } => "split the registry per region, or check the path is the registry".to_owned(),
            NotUtf8 => "save the file as UTF-8".to_owned(),
            AnchorOrAlias => "write each client's fields out in full".to_owned(),
            Tag(_) => "remove the tag; every field is a plain string or number".to_owned(),
            MultipleDocuments => "keep one document: remove the `---` line and merge what follows".to_owned(),
            Empty | MissingClients => {
                "start the file with `clients:`, one client per key (or `clients: {}` for none)".to_owned()
            }
            NotMapping { .. } | NotScalar { .. } | MissingField { .. } | ComplexKey => {
                "each client is `NAME:` with indented `vpc_cidr: \"10.X.0.0/16\"`, `region`, `environment`, `allocated_date`, `notes`".to_owned()
            }
            NotSequence { .. } => "write `reserved:` as a list of `- cidr: ...` items".to_owned(),
            DuplicateKey { .. } => "keep one of them; YAML does not allow a key twice".to_owned(),
            DuplicateClient { .. } => {
                "rename one of them, or merge them if they are the same client".to_owned()
            }
            NotInteger { .. } => "write a whole number such as 42".to_owned(),
            BadReserved { hint, .. } => return hint.clone(),
            Syntax(_) | TooDeep { .. } => return None,
        })
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        fmt::Display::fmt(&self.kind, f)
    }
}

impl std::error::Error for LoadError {}

impl fmt::Display for LoadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use LoadErrorKind::*;
        match self {
            TooLarge { bytes } => write!(
                f,
                "the registry is {} MiB; registries larger than {} MiB are refused",
                bytes.div_ceil(1024 * 1024),
                MAX_BYTES / 1024 / 1024
            ),
            NotUtf8 => f.write_str("not UTF-8 text"),
            Syntax(message) => write!(f, "YAML syntax: {message}"),
            AnchorOrAlias => f.write_str(
                "anchors and aliases (&name, *name, <<) are not allowed in the registry",
            ),
            Tag(tag) => write!(f, "tags such as `{tag}` are not allowed in the registry"),
            TooDeep { limit } => write!(f, "nested deeper than {limit} levels"),
            MultipleDocuments => f.write_str("more than one YAML document"),
            Empty => f.write_str("the registry is empty"),
            MissingClients => f.write_str("no top-level `clients:` mapping"),
            NotMapping { what, found } => write!(f, "{what} must be a mapping, found {found}"),
            NotScalar { what, found } => write!(f, "{what} must be a single value, found {found}"),
            NotSequence { what, found } => write!(f, "{what} must be a list, found {found}"),
            ComplexKey => f.write_str("a key must be a plain name, not a mapping or list"),
            MissingField { what, field } => write!(f, "{what} has no {field}"),
            DuplicateKey { key, within, first } => {
                write!(
                    f,
                    "duplicate key `{key}` in {within} (first at line {first})"
                )
            }
            DuplicateClient { name, first } => {
                write!(
                    f,
                    "client `{name}` is defined twice (first at line {first})"
                )
            }
            NotInteger { what, value } => {
                write!(f, "{what} must be a whole number, found `{value}`")
            }
            BadReserved { message, .. } => f.write_str(message),
        }
    }
}

/// Reading a registry file failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be read.
    #[error(transparent)]
    Io(std::io::Error),
    /// The file is not a valid registry.
    #[error(transparent)]
    Load(#[from] LoadError),
}
