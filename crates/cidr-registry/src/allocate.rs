//! Allocation: the first free aligned block of a prefix length in a pool, and the registry
//! text with the new client added at the end of `clients:` — every other byte (comments,
//! order, quoting, blank lines) as it was — written atomically.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ipnet::Ipv4Net;
use serde::Serialize;

use crate::check::{Scope, Validation};
use crate::cidr::{Span, VPC_PREFIX};
use crate::registry::Registry;
use crate::reserved::Severity;

/// Why a block cannot be allocated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AllocateError {
    /// Another allocation held the registry's lock for longer than the wait.
    #[error(
        "{} is locked by another allocation (waited {} s); nothing was written",
        path.display(),
        waited.as_secs()
    )]
    Locked {
        /// The registry.
        path: PathBuf,
        /// How long this run waited.
        waited: Duration,
    },
    /// The registry already has the client.
    #[error("client `{name}` is already in the registry (line {line}) with {cidr}")]
    Exists {
        /// The client.
        name: String,
        /// Its line.
        line: u32,
        /// Its block.
        cidr: String,
    },
    /// Not a VPC size.
    #[error("--prefix-length {0} is not a VPC size; AWS allows /16 to /28")]
    PrefixLength(u8),
    /// The block would be larger than the pool.
    #[error("a /{prefix_len} is larger than the pool {pool}")]
    LargerThanPool {
        /// The prefix length asked for.
        prefix_len: u8,
        /// The pool.
        pool: Ipv4Net,
    },
    /// No free block is left.
    #[error(
        "no free /{prefix_len} is left in {pool}: every aligned block overlaps a client or a reserved range"
    )]
    PoolFull {
        /// The prefix length asked for.
        prefix_len: u8,
        /// The pool.
        pool: Ipv4Net,
    },
    /// `clients:` is written in flow style.
    #[error(
        "line {0}: `clients:` is written in flow style ({{...}}); allocation appends in block style"
    )]
    FlowStyle(u32),
    /// The edited text did not read back as the registry plus the new client.
    #[error("the edited registry does not read back as expected: {0}")]
    ReadBack(String),
    /// The file changed between reading and writing.
    #[error("{0} changed while the block was being allocated")]
    Changed(PathBuf),
    /// Writing failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

impl AllocateError {
    /// How to fix it.
    pub fn hint(&self) -> Option<String> {
        match self {
            AllocateError::Exists { name, .. } => Some(format!(
                "pick another name, or remove `{name}` from the registry first to give it a new block"
            )),
            AllocateError::PrefixLength(_) | AllocateError::LargerThanPool { .. } => {
                Some("use --prefix-length between the pool's and 28, such as 16".to_owned())
            }
            AllocateError::PoolFull { .. } => {
                Some("use another --pool, or a longer --prefix-length".to_owned())
            }
            AllocateError::FlowStyle(_) => {
                Some("write `clients:` as a block mapping, one client per indented key".to_owned())
            }
            AllocateError::Changed(_) | AllocateError::Locked { .. } => {
                Some("run the allocation again".to_owned())
            }
            AllocateError::ReadBack(_) | AllocateError::Io { .. } => None,
        }
    }
}

/// The first block of `prefix_len` in `pool`, aligned to its size, that overlaps none of
/// `used`; `None` when there is none.
///
/// ```
/// use cidr_registry::allocate::first_fit;
/// use cidr_registry::cidr::Span;
///
/// let used = [Span::of("10.0.0.0/16".parse()?), Span::of("10.1.128.0/17".parse()?)];
/// let block = first_fit("10.0.0.0/8".parse()?, 16, &used);
/// assert_eq!(block.map(|block| block.to_string()).as_deref(), Some("10.2.0.0/16"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn first_fit(pool: Ipv4Net, prefix_len: u8, used: &[Span]) -> Option<Ipv4Net> {
    if prefix_len < pool.prefix_len() || prefix_len > 32 {
        return None;
    }
    let size = 1u64 << (32 - prefix_len);
    let pool = Span::of(pool);
    let (first, last) = (u64::from(pool.start), u64::from(pool.end));
    let mut taken: Vec<(u64, u64)> = used
        .iter()
        .filter(|span| span.overlaps(pool))
        .map(|span| (u64::from(span.start), u64::from(span.end)))
        .collect();
    taken.sort_unstable();
    let block =
        |start: u64| Ipv4Net::new_assert(std::net::Ipv4Addr::from(start as u32), prefix_len);
    let mut cursor = first;
    for (start, end) in taken {
        let candidate = cursor.div_ceil(size) * size;
        if candidate + size - 1 > last {
            return None;
        }
        if candidate + size - 1 < start {
            return Some(block(candidate));
        }
        cursor = cursor.max(end + 1);
    }
    let candidate = cursor.div_ceil(size) * size;
    (candidate + size - 1 <= last).then(|| block(candidate))
}

/// What an allocation needs to know.
#[derive(Debug, Clone)]
pub struct Request {
    /// The new client.
    pub name: naming::Client,
    /// The prefix length of its block.
    pub prefix_len: u8,
    /// Where to take the block from.
    pub pool: Ipv4Net,
    /// Its region.
    pub region: naming::Region,
    /// Its environment.
    pub environment: naming::Environment,
    /// The allocation date, `YYYY-MM-DD`.
    pub date: String,
    /// Notes.
    pub notes: String,
    /// Whose blocks it must avoid.
    pub scope: Scope,
}

/// The new entry, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allocation {
    /// The client.
    pub client: String,
    /// Its block.
    pub vpc_cidr: Ipv4Net,
    /// The pool it came from.
    pub pool: Ipv4Net,
    /// Its region.
    pub region: String,
    /// Its environment.
    pub environment: String,
    /// The allocation date.
    pub allocated_date: String,
    /// Notes.
    pub notes: String,
    /// The line of its name in the edited registry.
    pub line: u32,
}

/// Finds the block and edits the registry text; nothing is written.
pub fn allocate(
    registry: &Registry,
    validation: &Validation,
    text: &str,
    request: &Request,
) -> Result<(Allocation, String), AllocateError> {
    if let Some(entry) = registry.entry(request.name.as_str()) {
        return Err(AllocateError::Exists {
            name: entry.name.clone(),
            line: entry.line,
            cidr: entry.vpc_cidr.value.clone(),
        });
    }
    if !VPC_PREFIX.contains(&request.prefix_len) {
        return Err(AllocateError::PrefixLength(request.prefix_len));
    }
    if request.prefix_len < request.pool.prefix_len() {
        return Err(AllocateError::LargerThanPool {
            prefix_len: request.prefix_len,
            pool: request.pool,
        });
    }
    let in_scope = |entry: &crate::Entry| {
        let field = match request.scope {
            Scope::Global => return true,
            Scope::Region => (&entry.region, request.region.name()),
            Scope::Environment => (&entry.environment, request.environment.as_str()),
        };
        field.0.as_ref().is_none_or(|value| value.value == field.1)
    };
    let used: Vec<Span> = registry
        .entries
        .iter()
        .zip(&validation.blocks)
        .filter(|(entry, _)| in_scope(entry))
        .filter_map(|(_, block)| block.map(Span::of))
        .chain(
            validation
                .reserved
                .iter()
                .filter(|range| matches!(range.severity, Severity::Error | Severity::Warning))
                .map(|range| Span::of(range.cidr)),
        )
        .collect();
    let block =
        first_fit(request.pool, request.prefix_len, &used).ok_or(AllocateError::PoolFull {
            prefix_len: request.prefix_len,
            pool: request.pool,
        })?;
    let mut allocation = Allocation {
        client: request.name.to_string(),
        vpc_cidr: block,
        pool: request.pool,
        region: request.region.to_string(),
        environment: request.environment.to_string(),
        allocated_date: request.date.clone(),
        notes: request.notes.clone(),
        line: 0,
    };
    let (edited, line) = insert(text, &allocation)?;
    allocation.line = line;
    read_back(registry, &edited, &allocation)?;
    Ok((allocation, edited))
}

/// A YAML double-quoted string.
fn quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\t' => quoted.push_str("\\t"),
            '\r' => quoted.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                quoted.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// The text with `allocation` added as the last client; the line of its name.
fn insert(text: &str, allocation: &Allocation) -> Result<(String, u32), AllocateError> {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let content = |line: &str| line.trim_end_matches(['\n', '\r']).to_owned();
    let indent = |line: &str| line.bytes().take_while(|&b| b == b' ').count();
    let is_blank_or_comment = |line: &str| {
        let trimmed = line.trim();
        trimmed.is_empty() || trimmed.starts_with('#')
    };
    let Some(clients) = lines.iter().position(|line| line.starts_with("clients:")) else {
        return Err(AllocateError::ReadBack(
            "no `clients:` line in column 0".to_owned(),
        ));
    };
    let mut edited_clients_line = None;
    let rest = content(&lines[clients]["clients:".len()..]);
    let value = rest.split(" #").next().unwrap_or("").trim();
    match value {
        "" => {}
        "{}" => {
            edited_clients_line = Some(format!(
                "clients:{}{newline}",
                rest.replacen(" {}", "", 1).trim_end()
            ))
        }
        _ => return Err(AllocateError::FlowStyle(clients as u32 + 1)),
    }
    // The body: the lines after `clients:` up to the next line with content in column 0.
    let body_end = lines[clients + 1..]
        .iter()
        .position(|line| indent(line) == 0 && !is_blank_or_comment(line))
        .map_or(lines.len(), |offset| clients + 1 + offset);
    let body = &lines[clients + 1..body_end];
    let content_lines: Vec<&&str> = body
        .iter()
        .filter(|line| !is_blank_or_comment(line))
        .collect();
    let key_indent = content_lines.first().map_or(2, |line| indent(line));
    let field_indent = content_lines
        .iter()
        .map(|line| indent(line))
        .find(|&spaces| spaces > key_indent)
        .unwrap_or(key_indent + 2);
    // After the last line indented under `clients:` (comments in column 0 stay with what follows).
    let insert_at = body
        .iter()
        .rposition(|line| indent(line) > 0 && !line.trim().is_empty())
        .map_or(clients + 1, |offset| clients + 1 + offset + 1);
    let (key, field) = (" ".repeat(key_indent), " ".repeat(field_indent));
    let fields = [
        ("vpc_cidr", allocation.vpc_cidr.to_string()),
        ("region", allocation.region.clone()),
        ("environment", allocation.environment.clone()),
        ("allocated_date", allocation.allocated_date.clone()),
        ("notes", allocation.notes.clone()),
    ];
    let mut block = format!("{key}{}:{newline}", allocation.client);
    for (name, value) in fields {
        block.push_str(&format!("{field}{name}: {}{newline}", quote(&value)));
    }
    let mut edited = String::with_capacity(text.len() + block.len() + 2);
    for (index, line) in lines[..insert_at].iter().enumerate() {
        match (&edited_clients_line, index == clients) {
            (Some(replacement), true) => edited.push_str(replacement),
            _ => edited.push_str(line),
        }
    }
    if !edited.is_empty() && !edited.ends_with('\n') {
        edited.push_str(newline);
    }
    let line = edited.matches('\n').count() as u32 + 1;
    edited.push_str(&block);
    for line in &lines[insert_at..] {
        edited.push_str(line);
    }
    Ok((edited, line))
}

/// Checks that the edited text reads back as the registry plus the new client.
fn read_back(
    before: &Registry,
    edited: &str,
    allocation: &Allocation,
) -> Result<(), AllocateError> {
    let after =
        Registry::parse(edited).map_err(|error| AllocateError::ReadBack(error.to_string()))?;
    let Some((added, kept)) = after.entries.split_last() else {
        return Err(AllocateError::ReadBack("no clients".to_owned()));
    };
    let same = |a: &crate::Entry, b: &crate::Entry| {
        (
            a.name.as_str(),
            a.vpc_cidr.value.as_str(),
            a.region.as_ref().map(|r| &r.value),
        ) == (
            b.name.as_str(),
            b.vpc_cidr.value.as_str(),
            b.region.as_ref().map(|r| &r.value),
        )
    };
    let kept_all = kept.len() == before.entries.len()
        && kept.iter().zip(&before.entries).all(|(a, b)| same(a, b));
    let value =
        |field: &Option<crate::Located<String>>| field.as_ref().map(|field| field.value.clone());
    let added_right = added.name == allocation.client
        && added.line == allocation.line
        && added.vpc_cidr.value == allocation.vpc_cidr.to_string()
        && value(&added.region).as_deref() == Some(allocation.region.as_str())
        && value(&added.environment).as_deref() == Some(allocation.environment.as_str())
        && value(&added.allocated_date).as_deref() == Some(allocation.allocated_date.as_str());
    let ranges = |registry: &Registry| -> Vec<_> {
        registry
            .reserved
            .iter()
            .map(|range| (range.cidr, range.level, range.reason.clone()))
            .collect()
    };
    if kept_all && added_right && ranges(&after) == ranges(before) {
        Ok(())
    } else {
        Err(AllocateError::ReadBack(format!(
            "expected the {} clients before and `{}` last",
            before.entries.len(),
            allocation.client
        )))
    }
}

/// How long an allocation waits for another one to finish with the registry.
pub const LOCK_WAIT: Duration = Duration::from_secs(30);

/// The registry's exclusive lock, held from the read to the rename (released on drop).
///
/// The lock is taken on the registry file itself (an advisory `flock`), so no lock file is
/// left behind. Since [`write()`] renames a new file into place, a lock taken on a file that
/// has since been replaced is dropped and taken again on the file now at the path.
#[derive(Debug)]
pub struct RegistryLock {
    _file: File,
}

/// Takes the registry's exclusive lock, waiting at most `wait` for another allocation.
pub fn lock(path: &Path, wait: Duration) -> Result<RegistryLock, AllocateError> {
    let io = |source| AllocateError::Io {
        path: path.to_owned(),
        source,
    };
    let started = Instant::now();
    loop {
        let file = File::open(path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => {
                // Still the file at the path (not one a finished allocation renamed over)?
                let locked = file.metadata().map_err(io)?;
                let current = std::fs::metadata(path).map_err(io)?;
                if (locked.dev(), locked.ino()) == (current.dev(), current.ino()) {
                    return Ok(RegistryLock { _file: file });
                }
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                if started.elapsed() >= wait {
                    return Err(AllocateError::Locked {
                        path: path.to_owned(),
                        waited: started.elapsed(),
                    });
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::Error(source)) => return Err(io(source)),
        }
    }
}

/// Replaces `path` with `edited` atomically (a temporary file in the same directory, renamed
/// over it, with the same permissions), unless the file no longer holds `original`.
pub fn write(path: &Path, original: &str, edited: &str) -> Result<(), AllocateError> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| AllocateError::Io { path, source }
    };
    let target = std::fs::canonicalize(path).map_err(io(path))?;
    let directory = target.parent().unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(&target)
        .map_err(io(&target))?
        .permissions();
    let mut file = tempfile::NamedTempFile::new_in(directory).map_err(io(directory))?;
    file.write_all(edited.as_bytes()).map_err(io(file.path()))?;
    file.as_file().sync_all().map_err(io(file.path()))?;
    std::fs::set_permissions(file.path(), permissions).map_err(io(file.path()))?;
    if std::fs::read(&target).map_err(io(&target))? != original.as_bytes() {
        return Err(AllocateError::Changed(path.to_owned()));
    }
    file.persist(&target).map_err(|error| AllocateError::Io {
        path: target.clone(),
        source: error.error,
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::check::validate;

    fn net(text: &str) -> Ipv4Net {
        text.parse().unwrap()
    }

    fn request(name: &str, prefix_len: u8, pool: &str) -> Request {
        Request {
            name: naming::Client::new(name).unwrap(),
            prefix_len,
            pool: net(pool),
            region: naming::Region::new("us-east-2").unwrap(),
            environment: naming::Environment::new("production").unwrap(),
            date: "2026-11-22".to_owned(),
            notes: "New client \"onboarding\"".to_owned(),
            scope: Scope::Global,
        }
    }

    fn run(text: &str, request: &Request) -> Result<(Allocation, String), AllocateError> {
        let registry = Registry::parse(text).unwrap();
        let validation = validate(&registry, Scope::Global);
        allocate(&registry, &validation, text, request)
    }

    const REGISTRY: &str = "\
# The company's client VPCs.
clients:
  acme:   # the first
    vpc_cidr: \"10.0.0.0/16\"
    region: us-east-2

  beta:
      vpc_cidr: '10.1.0.0/16'   # odd indentation, kept
# What follows is not clients.
reserved:
  - cidr: 10.2.0.0/16
";

    #[test]
    fn the_new_client_goes_last_and_nothing_else_moves() {
        let (allocation, edited) = run(REGISTRY, &request("gamma", 16, "10.0.0.0/8")).unwrap();
        assert_eq!(allocation.vpc_cidr, net("10.3.0.0/16"));
        assert_eq!(allocation.line, 9);
        let expected = REGISTRY.replace(
            "# What follows",
            "  gamma:\n    vpc_cidr: \"10.3.0.0/16\"\n    region: \"us-east-2\"\n    environment: \"production\"\n    allocated_date: \"2026-11-22\"\n    notes: \"New client \\\"onboarding\\\"\"\n# What follows",
        );
        assert_eq!(edited, expected);
    }

    #[test]
    fn an_empty_registry_gets_its_first_client() {
        for (text, expected) in [
            ("clients: {}\n", "clients:\n  a:\n"),
            ("clients:\n", "clients:\n  a:\n"),
            ("clients: {}   # none yet", "clients:   # none yet\n  a:\n"),
            ("clients:\r\n", "clients:\r\n  a:\r\n"),
        ] {
            let (allocation, edited) = run(text, &request("a", 16, "10.0.0.0/8")).unwrap();
            assert!(edited.starts_with(expected), "{text:?} gave {edited:?}");
            assert_eq!(allocation.vpc_cidr, net("10.0.0.0/16"));
        }
    }

    #[test]
    fn refusals_name_the_reason() {
        let error = run(REGISTRY, &request("acme", 16, "10.0.0.0/8")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "client `acme` is already in the registry (line 3) with 10.0.0.0/16"
        );
        assert!(matches!(
            run(REGISTRY, &request("x", 8, "10.0.0.0/8")),
            Err(AllocateError::PrefixLength(8))
        ));
        assert!(matches!(
            run(REGISTRY, &request("x", 16, "10.0.0.0/20")),
            Err(AllocateError::LargerThanPool { .. })
        ));
        let error = run(REGISTRY, &request("x", 16, "10.0.0.0/15")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "no free /16 is left in 10.0.0.0/15: every aligned block overlaps a client or a reserved range"
        );
        assert!(matches!(
            run(
                "clients: {a: {vpc_cidr: 10.0.0.0/16}}\n",
                &request("x", 16, "10.0.0.0/8")
            ),
            Err(AllocateError::FlowStyle(1))
        ));
    }

    #[test]
    fn reserved_ranges_and_warnings_are_avoided() {
        let (allocation, _) = run("clients: {}\n", &request("a", 16, "10.100.0.0/15")).unwrap();
        assert_eq!(
            allocation.vpc_cidr,
            net("10.101.0.0/16"),
            "10.100.0.0/16 is EKS's service range"
        );
        let (allocation, _) = run("clients: {}\n", &request("a", 16, "172.16.0.0/12")).unwrap();
        assert_eq!(allocation.vpc_cidr, net("172.16.0.0/16"));
        let error = run("clients: {}\n", &request("a", 16, "172.17.0.0/16")).unwrap_err();
        assert!(
            matches!(error, AllocateError::PoolFull { .. }),
            "Docker's range"
        );
    }

    #[test]
    fn notes_are_quoted_so_they_read_back() {
        let mut odd = request("a", 16, "10.0.0.0/8");
        odd.notes = "tab\there, quote \" backslash \\ newline \n and \u{7}".to_owned();
        let (_, edited) = run("clients:\n", &odd).unwrap();
        let registry = Registry::parse(&edited).unwrap();
        assert_eq!(registry.entries.len(), 1);
    }

    fn brute_force(pool: Ipv4Net, prefix_len: u8, used: &[Span]) -> Option<Ipv4Net> {
        pool.subnets(prefix_len)
            .ok()?
            .find(|block| used.iter().all(|span| !span.overlaps(Span::of(*block))))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Through the registry: the new block is in the pool, clear of every client and
        /// every reserved range, and an allocation fails only when no aligned block is.
        #[test]
        fn an_allocated_block_overlaps_no_client_and_no_reserved_range(
            clients in prop::collection::vec((0u32..512, 17u8..=24), 0..24),
            prefix_len in 20u8..=24,
        ) {
            let mut text = String::from("clients:\n");
            for (index, (low, prefix)) in clients.iter().enumerate() {
                let address = std::net::Ipv4Addr::new(10, 100 + (*low / 256) as u8, (*low % 256) as u8, 0);
                let block = Ipv4Net::new_assert(address, *prefix).trunc();
                text.push_str(&format!("  c{index}:\n    vpc_cidr: \"{block}\"\n"));
            }
            text.push_str("reserved:\n  - cidr: 10.101.0.0/17\n");
            let pool = net("10.100.0.0/15");
            let registry = Registry::parse(&text).unwrap();
            let validation = validate(&registry, Scope::Global);
            let mut used: Vec<Span> = validation.blocks.iter().flatten().map(|block| Span::of(*block)).collect();
            used.extend(validation.reserved.iter().map(|range| Span::of(range.cidr)));
            let full = brute_force(pool, prefix_len, &used).is_none();
            match allocate(&registry, &validation, &text, &request("newco", prefix_len, "10.100.0.0/15")) {
                Ok((allocation, edited)) => {
                    let block = allocation.vpc_cidr;
                    prop_assert!(pool.contains(&block));
                    prop_assert_eq!(block.prefix_len(), prefix_len);
                    prop_assert!(used.iter().all(|span| !span.overlaps(Span::of(block))), "{} overlaps", block);
                    prop_assert_eq!(Registry::parse(&edited).unwrap().entries.len(), clients.len() + 1);
                }
                Err(AllocateError::PoolFull { .. }) => prop_assert!(full, "a free block was missed"),
                Err(other) => prop_assert!(false, "{other}"),
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        /// First fit returns exactly the first free aligned block (so never one that overlaps
        /// or leaves the pool) and fails only when no block is free.
        #[test]
        fn first_fit_is_the_first_free_aligned_block(
            pool_low in 0u32..16,
            pool_prefix in 18u8..=24,
            extra in 0u8..=6,
            used in prop::collection::vec((0u32..1 << 14, 16u8..=30), 0..40),
        ) {
            let pool = Ipv4Net::new_assert(std::net::Ipv4Addr::from(0x0A00_0000 | (pool_low << 14)), pool_prefix).trunc();
            let prefix_len = (pool_prefix + extra).min(30);
            let used: Vec<Span> = used
                .iter()
                .map(|&(low, prefix)| Span::of(Ipv4Net::new_assert(std::net::Ipv4Addr::from(0x0A00_0000 | low << 4), prefix).trunc()))
                .collect();
            let found = first_fit(pool, prefix_len, &used);
            prop_assert_eq!(found, brute_force(pool, prefix_len, &used));
            if let Some(block) = found {
                prop_assert!(pool.contains(&block));
                prop_assert!(used.iter().all(|span| !span.overlaps(Span::of(block))));
            }
        }
    }
}
