//! Ranges a client VPC must not use, or should not: the defaults every AWS platform team
//! meets, and the registry's own `reserved:` list, which adds ranges and can relax or drop a
//! default.
//!
//! ```yaml
//! reserved:
//!   - cidr: "10.200.0.0/16"
//!     reason: "the on-premises data centre, reached over the VPN"
//!   - cidr: "172.20.0.0/16"
//!     severity: ignore        # our clusters set service_ipv4_cidr explicitly
//! ```

use std::net::Ipv4Addr;

use ipnet::Ipv4Net;
use serde::Serialize;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Reported; does not fail validation.
    Warning,
    /// Fails validation (exit 1).
    Error,
}

/// What the registry's `reserved:` list says of a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReservedLevel {
    /// A client VPC overlapping it is an error (the default).
    Error,
    /// A client VPC overlapping it is a warning.
    Warning,
    /// Not reserved: drops a default with the same CIDR.
    Ignore,
}

impl ReservedLevel {
    /// Parses `error`, `warning` or `ignore`.
    pub fn parse(text: &str) -> Option<ReservedLevel> {
        match text {
            "error" => Some(ReservedLevel::Error),
            "warning" => Some(ReservedLevel::Warning),
            "ignore" => Some(ReservedLevel::Ignore),
            _ => None,
        }
    }
}

/// A range client VPCs must avoid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reserved {
    /// The range.
    pub cidr: Ipv4Net,
    /// Whether overlapping it is an error or a warning.
    pub severity: Severity,
    /// Why, as said to the user.
    pub reason: String,
    /// The line of the registry's `reserved:` entry; `None` for a default.
    pub line: Option<u32>,
}

const fn net(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), prefix)
}

/// The default ranges, before the registry's `reserved:` list.
pub const DEFAULTS: [(Ipv4Net, Severity, &str); 7] = [
    (
        net(172, 17, 0, 0, 16),
        Severity::Error,
        "Docker's default bridge network, also used by SageMaker notebooks and Cloud9: hosts there cannot reach a VPC in it",
    ),
    (
        net(10, 100, 0, 0, 16),
        Severity::Warning,
        "EKS's default Kubernetes service range: pods cannot reach VPC addresses in it unless the cluster sets service_ipv4_cidr",
    ),
    (
        net(172, 20, 0, 0, 16),
        Severity::Warning,
        "EKS's default Kubernetes service range: pods cannot reach VPC addresses in it unless the cluster sets service_ipv4_cidr",
    ),
    (net(127, 0, 0, 0, 8), Severity::Error, "loopback"),
    (
        net(169, 254, 0, 0, 16),
        Severity::Error,
        "link-local (instance metadata, DNS, VPN tunnel addresses)",
    ),
    (net(224, 0, 0, 0, 4), Severity::Error, "multicast"),
    (
        net(198, 19, 0, 0, 16),
        Severity::Error,
        "reserved by AWS for its own services; VPCs may not use it",
    ),
];

/// A `reserved:` entry as written in the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReservedEntry {
    /// The range.
    pub cidr: Ipv4Net,
    /// Error, warning or ignore.
    pub level: ReservedLevel,
    /// Why; `None` keeps a default's reason or says "reserved in the registry".
    pub reason: Option<String>,
    /// Its line in the registry.
    pub line: u32,
}

/// The defaults, then the registry's entries: an entry with a default's CIDR replaces it
/// (`ignore` drops it); other entries add ranges.
pub fn resolve(entries: &[ReservedEntry]) -> Vec<Reserved> {
    let mut ranges: Vec<Reserved> = DEFAULTS
        .iter()
        .map(|&(cidr, severity, reason)| Reserved {
            cidr,
            severity,
            reason: reason.to_owned(),
            line: None,
        })
        .collect();
    for entry in entries {
        let previous = ranges.iter().position(|range| range.cidr == entry.cidr);
        let reason = entry
            .reason
            .clone()
            .or_else(|| previous.map(|index| ranges[index].reason.clone()))
            .unwrap_or_else(|| "reserved in the registry".to_owned());
        if let Some(index) = previous {
            ranges.remove(index);
        }
        let severity = match entry.level {
            ReservedLevel::Error => Severity::Error,
            ReservedLevel::Warning => Severity::Warning,
            ReservedLevel::Ignore => continue,
        };
        ranges.push(Reserved {
            cidr: entry.cidr,
            severity,
            reason,
            line: Some(entry.line),
        });
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(cidr: &str, level: ReservedLevel, reason: Option<&str>) -> ReservedEntry {
        ReservedEntry {
            cidr: cidr.parse().unwrap(),
            level,
            reason: reason.map(str::to_owned),
            line: 9,
        }
    }

    #[test]
    fn the_defaults_are_the_ones_every_aws_team_meets() {
        let ranges = resolve(&[]);
        let listed: Vec<(String, Severity)> = ranges
            .iter()
            .map(|range| (range.cidr.to_string(), range.severity))
            .collect();
        assert_eq!(
            listed,
            [
                ("172.17.0.0/16".to_owned(), Severity::Error),
                ("10.100.0.0/16".to_owned(), Severity::Warning),
                ("172.20.0.0/16".to_owned(), Severity::Warning),
                ("127.0.0.0/8".to_owned(), Severity::Error),
                ("169.254.0.0/16".to_owned(), Severity::Error),
                ("224.0.0.0/4".to_owned(), Severity::Error),
                ("198.19.0.0/16".to_owned(), Severity::Error),
            ]
        );
    }

    #[test]
    fn the_registry_adds_relaxes_and_drops_ranges() {
        let ranges = resolve(&[
            entry("10.200.0.0/16", ReservedLevel::Error, Some("on-premises")),
            entry("172.20.0.0/16", ReservedLevel::Ignore, None),
            entry("172.17.0.0/16", ReservedLevel::Warning, None),
        ]);
        assert!(
            !ranges
                .iter()
                .any(|range| range.cidr.to_string() == "172.20.0.0/16")
        );
        let docker = ranges
            .iter()
            .find(|range| range.cidr.to_string() == "172.17.0.0/16")
            .unwrap();
        assert_eq!(docker.severity, Severity::Warning);
        assert!(docker.reason.starts_with("Docker"), "{}", docker.reason);
        assert_eq!(docker.line, Some(9));
        let on_premises = ranges
            .iter()
            .find(|range| range.line.is_some() && range.severity == Severity::Error)
            .unwrap();
        assert_eq!(
            (on_premises.cidr.to_string(), on_premises.reason.as_str()),
            ("10.200.0.0/16".to_owned(), "on-premises")
        );
        assert_eq!(ranges.len(), DEFAULTS.len());
    }
}
