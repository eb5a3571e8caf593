//! The registry as loaded: every client entry with the line of each field, the `reserved:`
//! list, and notices (fields the loader does not know, and ignored).

use std::io::Read;
use std::path::Path;

use crate::error::{LoadError, LoadErrorKind, ReadError};
use crate::load::{self, Strategy};
use crate::reserved::ReservedEntry;

/// The largest registry read: about 1.5 million clients in the seed's format.
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// A value and the (1-based) line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Its line in the registry.
    pub line: u32,
}

/// One client of `clients:`, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The client name (the mapping key).
    pub name: String,
    /// The line of the name.
    pub line: u32,
    /// `vpc_cidr`, as written (checked by [`crate::check`]).
    pub vpc_cidr: Located<String>,
    /// `region`.
    pub region: Option<Located<String>>,
    /// `environment`.
    pub environment: Option<Located<String>>,
    /// `allocated_date`, `YYYY-MM-DD`.
    pub allocated_date: Option<Located<String>>,
    /// `cidr_offset`: where the client's subnet numbers start (see [`crate::subnets`]).
    pub cidr_offset: Option<Located<u32>>,
}

/// Something the loader ignored and says so.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notice {
    /// Its line.
    pub line: u32,
    /// What was ignored.
    pub message: String,
}

/// `cidr-registry.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Registry {
    /// The clients, in file order.
    pub entries: Vec<Entry>,
    /// The `reserved:` list.
    pub reserved: Vec<ReservedEntry>,
    /// What the loader ignored, by line.
    pub notices: Vec<Notice>,
}

impl Registry {
    /// Parses the text of a registry.
    ///
    /// ```
    /// let text = "clients:\n  acme:\n    vpc_cidr: \"10.42.0.0/16\"\n    region: us-east-2\n";
    /// let registry = cidr_registry::Registry::parse(text)?;
    /// assert_eq!(registry.entries[0].name, "acme");
    /// assert_eq!(registry.entries[0].vpc_cidr.line, 3);
    /// # Ok::<(), cidr_registry::LoadError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Registry, LoadError> {
        load::parse(text, Strategy::Auto)
    }

    /// Reads and parses a registry file of at most [`MAX_BYTES`]; returns the text as well,
    /// for allocation to edit.
    pub fn read(path: &Path) -> Result<(Registry, String), ReadError> {
        let file = std::fs::File::open(path).map_err(ReadError::Io)?;
        let bytes = file.metadata().map_err(ReadError::Io)?.len();
        if bytes > MAX_BYTES {
            return Err(LoadError::new(None, LoadErrorKind::TooLarge { bytes }).into());
        }
        let mut raw = Vec::with_capacity(bytes as usize);
        file.take(MAX_BYTES + 1)
            .read_to_end(&mut raw)
            .map_err(ReadError::Io)?;
        if raw.len() as u64 > MAX_BYTES {
            return Err(LoadError::new(
                None,
                LoadErrorKind::TooLarge {
                    bytes: raw.len() as u64,
                },
            )
            .into());
        }
        let text = String::from_utf8(raw).map_err(|error| {
            let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
            let line = memchr::memchr_iter(b'\n', valid).count() as u32 + 1;
            LoadError::new(Some(line), LoadErrorKind::NotUtf8)
        })?;
        let registry = Registry::parse(&text)?;
        Ok((registry, text))
    }

    /// The entry named `name`.
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.name == name)
    }
}
