//! IPv4 CIDR blocks: strict parsing that names the mistake and its fix, the private ranges a
//! VPC may use, and blocks as inclusive address intervals.

use std::fmt;
use std::net::Ipv4Addr;

use ipnet::Ipv4Net;

/// Why a string is not a CIDR block the registry accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    /// Nothing there.
    #[error("empty; expected a block such as 10.42.0.0/16")]
    Empty,
    /// An address without `/LENGTH`.
    #[error("no prefix length; write ADDRESS/LENGTH, such as {0}/16")]
    MissingPrefix(String),
    /// Not four decimal numbers 0–255 separated by dots.
    #[error("`{0}` is not an IPv4 address: expected four numbers from 0 to 255 separated by dots")]
    BadAddress(String),
    /// `010.0.0.0`: some tools read a leading zero as octal.
    #[error("`{0}` has a leading zero, which some tools read as octal")]
    LeadingZero(String),
    /// The part after `/` is not 0–32 written plainly.
    #[error("prefix length `{0}` is not a number from 0 to 32")]
    BadPrefix(String),
    /// `10.1.2.3/16`: the address is not the first of its block.
    #[error("host bits are set: {given} is an address inside {network}, not a network")]
    HostBits {
        /// The text as written.
        given: String,
        /// The network it lies in.
        network: Ipv4Net,
    },
    /// An IPv6 block.
    #[error("`{0}` is IPv6; VPC CIDRs in the registry are IPv4")]
    Ipv6(String),
}

impl CidrError {
    /// How to fix it, when the fix is mechanical.
    pub fn hint(&self) -> Option<String> {
        match self {
            CidrError::HostBits { network, .. } => Some(format!("use {network}")),
            CidrError::LeadingZero(text) => Some(format!("write {}", strip_leading_zeros(text))),
            _ => None,
        }
    }
}

fn strip_leading_zeros(text: &str) -> String {
    let strip = |part: &str| {
        let trimmed = part.trim_start_matches('0');
        if trimmed.is_empty() { "0" } else { trimmed }.to_owned()
    };
    match text.split_once('/') {
        Some((address, length)) => {
            let address: Vec<String> = address.split('.').map(strip).collect();
            format!("{}/{}", address.join("."), strip(length))
        }
        None => text.split('.').map(strip).collect::<Vec<_>>().join("."),
    }
}

/// Parses `a.b.c.d/len` strictly: four plain decimal octets, a prefix length from 0 to 32 and
/// no host bits. (Terraform's own parser is laxer: see [`crate::terraform`].)
///
/// ```
/// use cidr_registry::cidr::{CidrError, parse_strict};
///
/// assert_eq!(parse_strict("10.42.0.0/16")?.to_string(), "10.42.0.0/16");
/// let error = parse_strict("10.42.7.0/16").unwrap_err();
/// assert_eq!(error.hint().as_deref(), Some("use 10.42.0.0/16"));
/// assert!(matches!(parse_strict("10.42.0.0"), Err(CidrError::MissingPrefix(_))));
/// # Ok::<(), CidrError>(())
/// ```
pub fn parse_strict(text: &str) -> Result<Ipv4Net, CidrError> {
    if text.is_empty() {
        return Err(CidrError::Empty);
    }
    if text.contains(':') {
        return Err(CidrError::Ipv6(text.to_owned()));
    }
    let Some((address, length)) = text.split_once('/') else {
        parse_address(text, text)?;
        return Err(CidrError::MissingPrefix(text.to_owned()));
    };
    let address_value = parse_address(address, text)?;
    let prefix = match parse_number(length, 3) {
        Some(Number {
            value,
            leading_zero: false,
        }) if value <= 32 => value as u8,
        Some(Number {
            value,
            leading_zero: true,
        }) if value <= 32 => {
            return Err(CidrError::LeadingZero(text.to_owned()));
        }
        _ => return Err(CidrError::BadPrefix(length.to_owned())),
    };
    let network = Ipv4Net::new_assert(address_value, prefix);
    if network.network() != address_value {
        return Err(CidrError::HostBits {
            given: text.to_owned(),
            network: network.trunc(),
        });
    }
    Ok(network)
}

struct Number {
    value: u32,
    leading_zero: bool,
}

/// 1 to `max_digits` ASCII digits.
fn parse_number(text: &str, max_digits: usize) -> Option<Number> {
    if text.is_empty() || text.len() > max_digits || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value = text.bytes().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
    Some(Number {
        value,
        leading_zero: text.len() > 1 && text.starts_with('0'),
    })
}

fn parse_address(address: &str, whole: &str) -> Result<Ipv4Addr, CidrError> {
    let mut octets = [0u8; 4];
    let mut parts = address.split('.');
    let mut leading_zero = false;
    for octet in &mut octets {
        let number = parts
            .next()
            .and_then(|part| parse_number(part, 3))
            .filter(|number| number.value <= 255)
            .ok_or_else(|| CidrError::BadAddress(address.to_owned()))?;
        leading_zero |= number.leading_zero;
        *octet = number.value as u8;
    }
    if parts.next().is_some() {
        return Err(CidrError::BadAddress(address.to_owned()));
    }
    if leading_zero {
        return Err(CidrError::LeadingZero(whole.to_owned()));
    }
    Ok(Ipv4Addr::from(octets))
}

/// A block as the inclusive interval of its addresses, for sorting and sweeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// First address.
    pub start: u32,
    /// Last address (inclusive).
    pub end: u32,
}

impl Span {
    /// The addresses of `net`.
    pub fn of(net: Ipv4Net) -> Span {
        Span {
            start: u32::from(net.network()),
            end: u32::from(net.broadcast()),
        }
    }

    /// Whether the two share an address.
    pub fn overlaps(self, other: Span) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    /// Whether every address of `other` is in `self`.
    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            Ipv4Addr::from(self.start),
            Ipv4Addr::from(self.end)
        )
    }
}

/// The address ranges a VPC may be carved from: RFC 1918 and RFC 6598's shared address space
/// (which [`Ipv4Addr::is_private`] leaves out).
pub const PRIVATE_RANGES: [(Ipv4Net, &str); 4] = [
    (
        Ipv4Net::new_assert(Ipv4Addr::new(10, 0, 0, 0), 8),
        "RFC 1918",
    ),
    (
        Ipv4Net::new_assert(Ipv4Addr::new(172, 16, 0, 0), 12),
        "RFC 1918",
    ),
    (
        Ipv4Net::new_assert(Ipv4Addr::new(192, 168, 0, 0), 16),
        "RFC 1918",
    ),
    (
        Ipv4Net::new_assert(Ipv4Addr::new(100, 64, 0, 0), 10),
        "RFC 6598 shared address space",
    ),
];

/// Whether `net` lies wholly inside one of [`PRIVATE_RANGES`].
pub fn is_private(net: Ipv4Net) -> bool {
    PRIVATE_RANGES.iter().any(|(range, _)| range.contains(&net))
}

/// The smallest and largest VPC AWS allows.
pub const VPC_PREFIX: std::ops::RangeInclusive<u8> = 16..=28;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_parsing_names_each_mistake() {
        let cases: [(&str, CidrError); 11] = [
            ("", CidrError::Empty),
            ("10.0.0.0", CidrError::MissingPrefix("10.0.0.0".into())),
            ("10.0.0/16", CidrError::BadAddress("10.0.0".into())),
            ("10.0.0.0.0/16", CidrError::BadAddress("10.0.0.0.0".into())),
            ("10.0.0.256/24", CidrError::BadAddress("10.0.0.256".into())),
            ("10.0.x.0/24", CidrError::BadAddress("10.0.x.0".into())),
            (" 10.0.0.0/16", CidrError::BadAddress(" 10.0.0.0".into())),
            (
                "010.0.0.0/16",
                CidrError::LeadingZero("010.0.0.0/16".into()),
            ),
            (
                "10.0.0.0/016",
                CidrError::LeadingZero("10.0.0.0/016".into()),
            ),
            ("10.0.0.0/33", CidrError::BadPrefix("33".into())),
            ("fd00::/8", CidrError::Ipv6("fd00::/8".into())),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_strict(text), Err(expected), "{text:?}");
        }
        assert_eq!(
            parse_strict("10.0.0.0/"),
            Err(CidrError::BadPrefix(String::new()))
        );
        assert_eq!(
            parse_strict("10.0.0.0/+8"),
            Err(CidrError::BadPrefix("+8".into()))
        );
    }

    #[test]
    fn host_bits_and_leading_zeros_come_with_the_fix() {
        let error = parse_strict("172.16.5.4/12").unwrap_err();
        assert_eq!(
            error.to_string(),
            "host bits are set: 172.16.5.4/12 is an address inside 172.16.0.0/12, not a network"
        );
        assert_eq!(error.hint().as_deref(), Some("use 172.16.0.0/12"));
        let error = parse_strict("010.001.000.0/016").unwrap_err();
        assert_eq!(error.hint().as_deref(), Some("write 10.1.0.0/16"));
    }

    #[test]
    fn every_prefix_length_parses() {
        for prefix in 0..=32u8 {
            let net = Ipv4Net::new_assert(Ipv4Addr::new(0, 0, 0, 0), prefix);
            assert_eq!(parse_strict(&net.to_string()), Ok(net));
        }
        assert_eq!(
            parse_strict("255.255.255.255/32").map(Span::of),
            Ok(Span {
                start: u32::MAX,
                end: u32::MAX
            })
        );
    }

    #[test]
    fn private_means_rfc_1918_or_shared_address_space() {
        for inside in [
            "10.0.0.0/8",
            "10.255.0.0/16",
            "172.31.0.0/16",
            "192.168.10.0/24",
            "100.64.0.0/10",
            "100.127.255.240/28",
        ] {
            assert!(is_private(parse_strict(inside).unwrap()), "{inside}");
        }
        for outside in [
            "172.32.0.0/16",
            "11.0.0.0/16",
            "100.128.0.0/16",
            "0.0.0.0/0",
            "10.0.0.0/7",
            "192.169.0.0/16",
        ] {
            assert!(!is_private(parse_strict(outside).unwrap()), "{outside}");
        }
    }

    #[test]
    fn spans_overlap_and_contain() {
        let a = Span::of(parse_strict("10.0.0.0/16").unwrap());
        let b = Span::of(parse_strict("10.0.4.0/24").unwrap());
        let c = Span::of(parse_strict("10.1.0.0/16").unwrap());
        assert!(a.overlaps(b) && b.overlaps(a) && a.contains(b) && !b.contains(a));
        assert!(!a.overlaps(c) && !c.overlaps(b));
        assert_eq!(b.to_string(), "10.0.4.0-10.0.4.255");
    }
}
