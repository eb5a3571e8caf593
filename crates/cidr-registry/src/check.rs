//! Every check of a loaded registry, as pure functions of its entries: each finding names
//! the clients, their CIDRs and lines, and how to fix it.
//!
//! Per client: the CIDR's strict format, the VPC size (/16 to /28), a private range, the
//! reserved ranges, the client name, region, environment and allocation date. Across clients:
//! duplicates and every overlapping pair (see [`crate::overlap`]), within a [`Scope`].

use ipnet::Ipv4Net;
use rayon::prelude::*;
use serde::Serialize;

use crate::cidr::{self, CidrError, Span, VPC_PREFIX};
use crate::overlap::overlapping_pairs;
use crate::registry::{Entry, Located, Registry};
use crate::reserved::{self, Reserved, Severity};

/// Which clients must not overlap one another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Every client (seed 003: "each client MUST have a unique VPC CIDR range").
    #[default]
    Global,
    /// Clients in the same region.
    Region,
    /// Clients in the same environment.
    Environment,
}

impl Scope {
    /// The field that narrows the comparison.
    fn key(self, entry: &Entry) -> Option<&str> {
        match self {
            Scope::Global => Some(""),
            Scope::Region => entry.region.as_ref().map(|region| region.value.as_str()),
            Scope::Environment => entry.environment.as_ref().map(|env| env.value.as_str()),
        }
    }
}

/// Which check a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The CIDR's text.
    Format,
    /// /16 to /28.
    Size,
    /// Inside RFC 1918 or 100.64.0.0/10.
    Private,
    /// Clear of the reserved ranges.
    Reserved,
    /// The same block twice.
    Duplicate,
    /// Blocks that share addresses.
    Overlap,
    /// The client name.
    Name,
    /// The region.
    Region,
    /// The environment.
    Environment,
    /// The allocation date.
    Date,
    /// A field that should be there.
    Missing,
    /// The registry and Terraform's `clients.auto.tfvars` disagree.
    Drift,
}

/// A client a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientRef {
    /// Its name.
    pub name: String,
    /// Its CIDR as written.
    pub cidr: String,
    /// The line the finding points at.
    pub line: u32,
}

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Error (fails validation) or warning.
    pub severity: Severity,
    /// The check.
    pub check: Check,
    /// What is wrong. For a finding about one client, the text that follows its name.
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The client (one) or the pair (two).
    pub clients: Vec<ClientRef>,
}

/// How many duplicate or overlapping pairs are listed for one client: a registry of many
/// identical blocks has a number of pairs that grows with the square of its clients, and
/// listing them all made a report of gigabytes.
pub const PAIRS_LISTED_PER_CLIENT: usize = 10;

/// A client's duplicate and overlapping pairs beyond the ones listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unlisted {
    /// The client.
    pub client: ClientRef,
    /// Pairs not listed.
    pub pairs: u64,
}

/// The outcome of validating a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validation {
    /// Per entry: its block when the CIDR parses (host bits cleared when they were set).
    pub blocks: Vec<Option<Ipv4Net>>,
    /// Findings about one client, with the entry's index, in file order.
    pub entry_findings: Vec<(usize, Finding)>,
    /// Duplicates and overlaps, ordered by their lines; at most
    /// [`PAIRS_LISTED_PER_CLIENT`] a client.
    pub pair_findings: Vec<Finding>,
    /// The clients with more duplicate or overlapping pairs than are listed, and how many
    /// more (each one an error all the same).
    pub unlisted_pairs: Vec<Unlisted>,
    /// The reserved ranges checked.
    pub reserved: Vec<Reserved>,
}

impl Validation {
    /// Findings that fail validation, the unlisted pairs included.
    pub fn errors(&self) -> usize {
        let unlisted: u64 = self.unlisted_pairs.iter().map(|more| more.pairs).sum();
        self.findings()
            .filter(|finding| finding.severity == Severity::Error)
            .count()
            + usize::try_from(unlisted).unwrap_or(usize::MAX)
    }

    /// Findings that do not.
    pub fn warnings(&self) -> usize {
        self.findings()
            .filter(|finding| finding.severity == Severity::Warning)
            .count()
    }

    /// Every finding: per client in file order, then the pairs.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.entry_findings
            .iter()
            .map(|(_, finding)| finding)
            .chain(&self.pair_findings)
    }

    /// How many findings of `check` there are.
    pub fn count(&self, check: Check) -> usize {
        self.findings()
            .filter(|finding| finding.check == check)
            .count()
    }
}

/// Validates every entry and pair of `registry`.
pub fn validate(registry: &Registry, scope: Scope) -> Validation {
    let reserved = reserved::resolve(&registry.reserved);
    let per_entry: Vec<(Option<Ipv4Net>, Vec<Finding>)> = registry
        .entries
        .par_iter()
        .map(|entry| check_entry(entry, &reserved))
        .collect();
    let mut blocks = Vec::with_capacity(per_entry.len());
    let mut entry_findings = Vec::new();
    for (index, (block, findings)) in per_entry.into_iter().enumerate() {
        blocks.push(block);
        entry_findings.extend(findings.into_iter().map(|finding| (index, finding)));
    }
    let (pair_findings, unlisted_pairs) = check_pairs(&registry.entries, &blocks, scope);
    Validation {
        blocks,
        entry_findings,
        pair_findings,
        unlisted_pairs,
        reserved,
    }
}

fn client_ref(entry: &Entry, line: u32) -> ClientRef {
    ClientRef {
        name: entry.name.clone(),
        cidr: entry.vpc_cidr.value.clone(),
        line,
    }
}

fn finding(
    entry: &Entry,
    line: u32,
    severity: Severity,
    check: Check,
    message: String,
    hint: Option<String>,
) -> Finding {
    Finding {
        severity,
        check,
        message,
        hint,
        clients: vec![client_ref(entry, line)],
    }
}

/// The checks of one entry; its block when the CIDR parses.
fn check_entry(entry: &Entry, reserved: &[Reserved]) -> (Option<Ipv4Net>, Vec<Finding>) {
    let mut findings = Vec::new();
    let cidr_line = entry.vpc_cidr.line;
    let mut error = |line: u32, check: Check, message: String, hint: Option<String>| {
        findings.push(finding(entry, line, Severity::Error, check, message, hint));
    };
    if let Err(problem) = naming::Client::check(&entry.name) {
        error(
            entry.line,
            Check::Name,
            problem.to_string(),
            problem.hint().map(str::to_owned),
        );
    }
    let block = match cidr::parse_strict(&entry.vpc_cidr.value) {
        Ok(block) => Some(block),
        Err(problem) => {
            error(
                cidr_line,
                Check::Format,
                problem.to_string(),
                problem.hint(),
            );
            match problem {
                CidrError::HostBits { network, .. } => Some(network),
                _ => None,
            }
        }
    };
    if let Some(block) = block {
        if !VPC_PREFIX.contains(&block.prefix_len()) {
            error(
                cidr_line,
                Check::Size,
                format!("a /{} VPC; AWS allows /16 to /28", block.prefix_len()),
                Some("use a block from /16 (65,536 addresses) to /28 (16 addresses)".to_owned()),
            );
        }
        let span = Span::of(block);
        let mut reserved_error = false;
        for range in reserved
            .iter()
            .filter(|range| span.overlaps(Span::of(range.cidr)))
        {
            reserved_error |= range.severity == Severity::Error;
            let reserved_span = Span::of(range.cidr);
            let relation = if reserved_span == span {
                "is"
            } else if reserved_span.contains(span) {
                "is inside"
            } else {
                "overlaps"
            };
            findings.push(finding(
                entry,
                cidr_line,
                range.severity,
                Check::Reserved,
                format!(
                    "{relation} the reserved range {}: {}",
                    range.cidr, range.reason
                ),
                Some(match range.line {
                    Some(line) => format!(
                        "pick another block, or change the `reserved:` entry at line {line}"
                    ),
                    None => format!(
                        "pick another block, or list {} under `reserved:` with `severity: ignore`",
                        range.cidr
                    ),
                }),
            ));
        }
        if !reserved_error && !cidr::is_private(block) {
            findings.push(finding(
                entry,
                cidr_line,
                Severity::Error,
                Check::Private,
                "is not in a private range".to_owned(),
                Some("VPC blocks come from 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918) or 100.64.0.0/10 (RFC 6598)".to_owned()),
            ));
        }
    }
    let missing = |field: &str| {
        finding(
            entry,
            entry.line,
            Severity::Warning,
            Check::Missing,
            format!("has no {field}"),
            Some(format!(
                "add `{field}:` so the registry says where the block is used"
            )),
        )
    };
    match &entry.region {
        None => findings.push(missing("region")),
        Some(Located { value, line }) => {
            if let Err(problem) = naming::Region::new(value) {
                findings.push(finding(
                    entry,
                    *line,
                    Severity::Error,
                    Check::Region,
                    problem.to_string(),
                    problem.hint().map(str::to_owned),
                ));
            }
        }
    }
    match &entry.environment {
        None => findings.push(missing("environment")),
        Some(Located { value, line }) => {
            if let Err(problem) = naming::Environment::check(value) {
                findings.push(finding(
                    entry,
                    *line,
                    Severity::Error,
                    Check::Environment,
                    problem.to_string(),
                    problem.hint().map(str::to_owned),
                ));
            }
        }
    }
    match &entry.allocated_date {
        None => findings.push(missing("allocated_date")),
        Some(Located { value, line }) => {
            if let Err(problem) = check_date(value) {
                findings.push(finding(
                    entry,
                    *line,
                    Severity::Error,
                    Check::Date,
                    format!("allocated_date `{value}` is not a date: {problem}"),
                    Some("write the date as YYYY-MM-DD, such as 2026-01-05".to_owned()),
                ));
            }
        }
    }
    (block, findings)
}

/// Checks a `YYYY-MM-DD` calendar date.
pub fn check_date(text: &str) -> Result<(), String> {
    let bytes = text.as_bytes();
    let shape = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&index| bytes[index].is_ascii_digit());
    if !shape {
        return Err("expected YYYY-MM-DD".to_owned());
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (number(0..4), number(5..7), number(8..10));
    if !(1..=12).contains(&month) {
        return Err(format!("there is no month {month}"));
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=days).contains(&day) {
        return Err(format!("{year:04}-{month:02} has {days} days"));
    }
    Ok(())
}

/// The `YYYY-MM-DD` of a day counted from 1970-01-01 (proleptic Gregorian calendar), for
/// today's `allocated_date`.
pub fn date_of_unix_day(days: i64) -> String {
    // Howard Hinnant's `civil_from_days`.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Duplicates and overlaps between entries in the same scope, at most
/// [`PAIRS_LISTED_PER_CLIENT`] listed a client, and the count of the rest per client.
fn check_pairs(
    entries: &[Entry],
    blocks: &[Option<Ipv4Net>],
    scope: Scope,
) -> (Vec<Finding>, Vec<Unlisted>) {
    let indexed: Vec<(usize, Ipv4Net)> = blocks
        .iter()
        .enumerate()
        .filter_map(|(index, block)| block.map(|block| (index, block)))
        .collect();
    let spans: Vec<Span> = indexed.iter().map(|&(_, block)| Span::of(block)).collect();
    let mut pairs: Vec<(usize, usize)> = overlapping_pairs(&spans)
        .into_iter()
        .map(|(a, b)| (indexed[a].0, indexed[b].0))
        .filter(|&(a, b)| {
            // An entry without the scope's field is compared with every other.
            match (scope.key(&entries[a]), scope.key(&entries[b])) {
                (Some(left), Some(right)) => left == right,
                _ => true,
            }
        })
        .collect();
    pairs.sort_unstable_by_key(|&(a, b)| {
        (
            entries[a].line.min(entries[b].line),
            entries[a].line.max(entries[b].line),
        )
    });
    // A pair is listed while both its clients have room; otherwise it counts for the
    // client that has none.
    let mut listed = vec![0usize; entries.len()];
    let mut more = vec![0u64; entries.len()];
    pairs.retain(|&(a, b)| {
        if listed[a] < PAIRS_LISTED_PER_CLIENT && listed[b] < PAIRS_LISTED_PER_CLIENT {
            listed[a] += 1;
            listed[b] += 1;
            true
        } else {
            more[if listed[a] >= PAIRS_LISTED_PER_CLIENT {
                a
            } else {
                b
            }] += 1;
            false
        }
    });
    let unlisted = more
        .iter()
        .enumerate()
        .filter(|(_, count)| **count > 0)
        .map(|(index, &pairs)| Unlisted {
            client: client_ref(&entries[index], entries[index].vpc_cidr.line),
            pairs,
        })
        .collect();
    let findings = pairs
        .into_iter()
        .map(|(a, b)| {
            let (first, second) = (&entries[a], &entries[b]);
            let (block_a, block_b) = (blocks[a].unwrap_or_default(), blocks[b].unwrap_or_default());
            let (check, message, hint) = if block_a == block_b {
                let (first, second) = if first.line <= second.line { (first, second) } else { (second, first) };
                (
                    Check::Duplicate,
                    format!(
                        "Duplicate CIDR {block_a}: {} (line {}) and {} (line {})",
                        first.name, first.vpc_cidr.line, second.name, second.vpc_cidr.line
                    ),
                    "keep the block for one of them and move the other to a free block (validate-cidr --allocate finds one)".to_owned(),
                )
            } else {
                let relation = if Span::of(block_a).contains(Span::of(block_b)) { "contains" } else { "overlaps" };
                (
                    Check::Overlap,
                    format!(
                        "Overlapping CIDRs: {} {} (line {}) {relation} {} {} (line {})",
                        first.name, first.vpc_cidr.value, first.vpc_cidr.line, second.name, second.vpc_cidr.value, second.vpc_cidr.line
                    ),
                    "move one of them to a free block (validate-cidr --allocate finds one)".to_owned(),
                )
            };
            Finding {
                severity: Severity::Error,
                check,
                message,
                hint: Some(hint),
                clients: vec![client_ref(first, first.vpc_cidr.line), client_ref(second, second.vpc_cidr.line)],
            }
        })
        .collect();
    (findings, unlisted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_days_become_dates() {
        assert_eq!(date_of_unix_day(0), "1970-01-01");
        assert_eq!(date_of_unix_day(20_414), "2025-11-22");
        assert_eq!(date_of_unix_day(20_779), "2026-11-22");
        assert_eq!(date_of_unix_day(11_016), "2000-02-29");
        assert_eq!(date_of_unix_day(-1), "1969-12-31");
        for day in (-700_000..2_900_000).step_by(997) {
            assert_eq!(check_date(&date_of_unix_day(day)), Ok(()), "{day}");
        }
    }

    #[test]
    fn dates_are_real_calendar_days() {
        for good in ["2026-01-05", "2024-02-29", "2000-02-29", "2026-12-31"] {
            assert_eq!(check_date(good), Ok(()), "{good}");
        }
        let bad = [
            ("2026-1-05", "expected YYYY-MM-DD"),
            ("05/01/2026", "expected YYYY-MM-DD"),
            ("2026-13-01", "there is no month 13"),
            ("2026-00-01", "there is no month 0"),
            ("2026-02-29", "2026-02 has 28 days"),
            ("1900-02-29", "1900-02 has 28 days"),
            ("2026-04-31", "2026-04 has 30 days"),
            ("2026-01-00", "2026-01 has 31 days"),
        ];
        for (text, expected) in bad {
            assert_eq!(check_date(text), Err(expected.to_owned()), "{text}");
        }
    }
}
