//! Terraform's `cidrsubnet` and `cidrsubnets` for IPv4, with the exact results and error
//! messages of Terraform 1.0.3 (its Go 1.16 CIDR parser and go-cidr 1.1.0), quirks
//! included, so a subnet plan computed here is the one Terraform computes:
//!
//! - the prefix parser accepts leading zeros (`010.0.0.0/16` is `10.0.0.0/16`) and clears
//!   host bits;
//! - `cidrsubnet` checks only `|netnum|`, so a small negative netnum gives an address
//!   outside the prefix (`cidrsubnet("10.0.0.0/16", 8, -1)` is `"0.0.1.0/24"`), and a
//!   negative `newbits` widens the prefix without clearing the address (`"10.1.0.0/15"`),
//!   down to `"<nil>"` below /0;
//! - where go-cidr's arithmetic overflows four bytes, Terraform panics
//!   ([`CidrFunctionError::Panic`]);
//! - `cidrsubnets` starts from the subnet just below the prefix, so a prefix of
//!   `0.0.0.0/0` never has room ("after 128.0.0.0/1").
//!
//! The integration tests compare every case of a table with the real `terraform console`.

use std::fmt;
use std::net::Ipv4Addr;

/// Why a call fails, in Terraform's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrFunctionError {
    /// The prefix does not parse.
    #[error("invalid CIDR expression: invalid CIDR address: {0}")]
    InvalidPrefix(String),
    /// An IPv6 prefix, which Terraform accepts and this module does not compute.
    #[error("`{0}` is IPv6; only IPv4 prefixes are computed here")]
    Ipv6(String),
    /// `cidrsubnet`: the new prefix would be longer than 32 bits.
    #[error("insufficient address space to extend prefix of {prefix} by {newbits}")]
    InsufficientSpace {
        /// The prefix length.
        prefix: u8,
        /// The bits asked for.
        newbits: i64,
    },
    /// `cidrsubnet`: the subnet number does not fit in `newbits`.
    #[error("prefix extension of {newbits} does not accommodate a subnet numbered {netnum}")]
    NetnumTooLarge {
        /// The bits asked for.
        newbits: i64,
        /// The subnet number.
        netnum: i64,
    },
    /// go-cidr's arithmetic leaves four bytes and Terraform panics.
    #[error("panic in function implementation (Terraform crashes on these arguments)")]
    Panic,
    /// `cidrsubnets`: a `newbits` below 1.
    #[error("must extend prefix by at least one bit")]
    AtLeastOneBit,
    /// `cidrsubnets`: a `newbits` above 32.
    #[error("may not extend prefix by more than 32 bits")]
    AtMost32Bits,
    /// `cidrsubnets`: the prefix plus `newbits` is longer than 32.
    #[error("would extend prefix to {0} bits, which is too long for an IPv4 address")]
    TooLong(i64),
    /// `cidrsubnets`: the next subnet does not fit in the prefix.
    #[error(
        "not enough remaining address space for a subnet with a prefix of {length} bits after {after}"
    )]
    NoSpaceAfter {
        /// The prefix length of the subnet that does not fit.
        length: i64,
        /// The subnet before it.
        after: String,
    },
}

/// A `cidrsubnets` error: Terraform names the parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid value for \"{parameter}\" parameter: {error}")]
pub struct CidrsubnetsError {
    /// `prefix` or `newbits`.
    pub parameter: &'static str,
    /// What is wrong with it.
    pub error: CidrFunctionError,
}

/// Go 1.16's `dtoi`: decimal digits up to 0xFFFFFF; the value and the digits used.
fn dtoi(text: &str) -> Option<(u32, usize)> {
    let mut value = 0u32;
    let mut used = 0;
    for byte in text.bytes().take_while(u8::is_ascii_digit) {
        value = value * 10 + u32::from(byte - b'0');
        if value >= 0xFF_FFFF {
            return None;
        }
        used += 1;
    }
    (used > 0).then_some((value, used))
}

/// Go 1.16's `parseIPv4`: four dotted decimals, leading zeros allowed.
fn parse_ipv4(mut text: &str) -> Option<u32> {
    let mut address = 0u32;
    for index in 0..4 {
        if index > 0 {
            text = text.strip_prefix('.')?;
        }
        let (value, used) = dtoi(text)?;
        if value > 0xFF {
            return None;
        }
        address = (address << 8) | value;
        text = &text[used..];
    }
    text.is_empty().then_some(address)
}

fn mask(prefix: i64) -> u32 {
    match prefix {
        ..=0 => 0,
        32.. => u32::MAX,
        bits => u32::MAX << (32 - bits),
    }
}

/// Go 1.16's `net.ParseCIDR` for IPv4: the masked address and the prefix length.
fn parse_prefix(prefix: &str) -> Result<(u32, u8), CidrFunctionError> {
    let invalid = || CidrFunctionError::InvalidPrefix(prefix.to_owned());
    let (address, length) = prefix.split_once('/').ok_or_else(invalid)?;
    let Some(address) = parse_ipv4(address) else {
        return Err(if address.contains(':') {
            CidrFunctionError::Ipv6(prefix.to_owned())
        } else {
            invalid()
        });
    };
    match dtoi(length) {
        Some((bits, used)) if used == length.len() && bits <= 32 => {
            Ok((address & mask(i64::from(bits)), bits as u8))
        }
        _ => Err(invalid()),
    }
}

fn show(address: u32, prefix: i64) -> String {
    format!("{}/{prefix}", Ipv4Addr::from(address))
}

/// `cidrsubnet(prefix, newbits, netnum)`.
///
/// ```
/// use cidr_registry::terraform::cidrsubnet;
///
/// assert_eq!(cidrsubnet("10.42.0.0/16", 8, 3)?, "10.42.3.0/24");
/// assert_eq!(
///     cidrsubnet("10.42.0.0/16", 8, 256).unwrap_err().to_string(),
///     "prefix extension of 8 does not accommodate a subnet numbered 256"
/// );
/// # Ok::<(), cidr_registry::terraform::CidrFunctionError>(())
/// ```
pub fn cidrsubnet(prefix: &str, newbits: i64, netnum: i64) -> Result<String, CidrFunctionError> {
    let (address, parent) = parse_prefix(prefix)?;
    let new_prefix = i64::from(parent).wrapping_add(newbits);
    if new_prefix > 32 {
        return Err(CidrFunctionError::InsufficientSpace {
            prefix: parent,
            newbits,
        });
    }
    // uint64(1 << uint64(newbits)) - 1: Go shifts of 64 or more give 0.
    let max = match u64::try_from(newbits) {
        Ok(bits) if bits < 64 => (1u64 << bits) - 1,
        _ => u64::MAX,
    };
    if netnum.unsigned_abs() > max {
        return Err(CidrFunctionError::NetnumTooLarge { newbits, netnum });
    }
    // insertNumIntoIP: the address OR netnum << (32 - new prefix), in big.Int's two's
    // complement; then the magnitude's bytes, which must fit in four.
    let shifted = match 32 - i128::from(new_prefix) {
        _ if netnum == 0 => 0,
        shift @ 0..=64 => i128::from(netnum) << shift,
        _ => return Err(CidrFunctionError::Panic),
    };
    let magnitude = (i128::from(address) | shifted).unsigned_abs();
    let subnet = u32::try_from(magnitude).map_err(|_| CidrFunctionError::Panic)?;
    if new_prefix < 0 {
        // net.CIDRMask gives nil below 0 bits, and the IPNet prints as "<nil>".
        return Ok("<nil>".to_owned());
    }
    Ok(show(subnet, new_prefix))
}

/// `cidrsubnets(prefix, newbits...)`: consecutive subnets, each aligned after the last.
///
/// ```
/// use cidr_registry::terraform::cidrsubnets;
///
/// assert_eq!(
///     cidrsubnets("10.0.0.0/16", &[4, 4, 8, 4])?,
///     ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/24", "10.0.48.0/20"]
/// );
/// # Ok::<(), cidr_registry::terraform::CidrsubnetsError>(())
/// ```
pub fn cidrsubnets(prefix: &str, newbits: &[i64]) -> Result<Vec<String>, CidrsubnetsError> {
    let argument = |error| CidrsubnetsError {
        parameter: "newbits",
        error,
    };
    let (network, start) = parse_prefix(prefix).map_err(|error| CidrsubnetsError {
        parameter: "prefix",
        error,
    })?;
    let start = i64::from(start);
    let Some(&first) = newbits.first() else {
        return Ok(Vec::new());
    };
    // PreviousSubnet: the subnet of the first length just below the prefix.
    let first_length = start.wrapping_add(first);
    let mut current = (network.wrapping_sub(1) & mask(first_length), first_length);
    let mut subnets = Vec::with_capacity(newbits.len());
    for &bits in newbits {
        if bits < 1 {
            return Err(argument(CidrFunctionError::AtLeastOneBit));
        }
        if bits > 32 {
            return Err(argument(CidrFunctionError::AtMost32Bits));
        }
        let length = bits + start;
        if length > 32 {
            return Err(argument(CidrFunctionError::TooLong(length)));
        }
        // NextSubnet: from the last address of the current subnet, the next of this length.
        let (address, current_length) = current;
        let last = address | !mask(current_length);
        let next_last = (last & mask(length)) | !mask(length);
        let next = next_last.wrapping_add(1);
        let rollover = next == 0;
        if rollover || next & mask(start) != network {
            return Err(argument(CidrFunctionError::NoSpaceAfter {
                length,
                after: show(address, current_length),
            }));
        }
        current = (next & mask(length), length);
        subnets.push(show(current.0, length));
    }
    Ok(subnets)
}

/// A call and Terraform's answer, for tables of cases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call<'a> {
    /// `cidrsubnet(prefix, newbits, netnum)`.
    Cidrsubnet(&'a str, i64, i64),
    /// `cidrsubnets(prefix, newbits...)`.
    Cidrsubnets(&'a str, &'a [i64]),
}

impl Call<'_> {
    /// The result as Terraform's console prints it (a quoted string, or a `tolist([...])`),
    /// or the error message.
    pub fn evaluate(&self) -> Result<String, String> {
        match self {
            Call::Cidrsubnet(prefix, newbits, netnum) => cidrsubnet(prefix, *newbits, *netnum)
                .map(|subnet| format!("{subnet:?}"))
                .map_err(|error| error.to_string()),
            Call::Cidrsubnets(prefix, newbits) => cidrsubnets(prefix, newbits)
                .map(|subnets| {
                    let items: Vec<String> = subnets
                        .iter()
                        .map(|subnet| format!("  {subnet:?},\n"))
                        .collect();
                    if items.is_empty() {
                        "tolist([])".to_owned()
                    } else {
                        format!("tolist([\n{}])", items.concat())
                    }
                })
                .map_err(|error| error.to_string()),
        }
    }
}

impl fmt::Display for Call<'_> {
    /// The call in Terraform syntax.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Call::Cidrsubnet(prefix, newbits, netnum) => {
                write!(f, "cidrsubnet({prefix:?}, {newbits}, {netnum})")
            }
            Call::Cidrsubnets(prefix, newbits) => {
                write!(f, "cidrsubnets({prefix:?}")?;
                for bits in *newbits {
                    write!(f, ", {bits}")?;
                }
                f.write_str(")")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn cidrsubnet_matches_what_terraform_1_0_3_printed() {
        let cases: [(&str, i64, i64, &str); 10] = [
            ("10.0.0.0/16", 8, 1, "10.0.1.0/24"),
            ("10.1.2.3/16", 8, 1, "10.1.1.0/24"),
            ("010.0.0.0/16", 8, 1, "10.0.1.0/24"),
            ("10.0.0.0/16", 0, 0, "10.0.0.0/16"),
            ("10.1.0.0/16", -1, 0, "10.1.0.0/15"),
            ("10.0.0.0/16", 8, -1, "0.0.1.0/24"),
            ("10.0.0.0/8", -8, 0, "10.0.0.0/0"),
            ("10.0.0.0/8", -9, 0, "<nil>"),
            ("0.0.0.0/0", 32, 4_294_967_295, "255.255.255.255/32"),
            ("192.168.0.0/24", 4, 15, "192.168.0.240/28"),
        ];
        for (prefix, newbits, netnum, expected) in cases {
            assert_eq!(
                cidrsubnet(prefix, newbits, netnum).as_deref(),
                Ok(expected),
                "{prefix} {newbits} {netnum}"
            );
        }
    }

    #[test]
    fn cidrsubnet_errors_are_terraforms() {
        let cases: [(&str, i64, i64, &str); 7] = [
            (
                "10.0.0.0",
                8,
                1,
                "invalid CIDR expression: invalid CIDR address: 10.0.0.0",
            ),
            (
                "10.0.0.256/16",
                8,
                1,
                "invalid CIDR expression: invalid CIDR address: 10.0.0.256/16",
            ),
            (
                "10.0.0.0/33",
                1,
                1,
                "invalid CIDR expression: invalid CIDR address: 10.0.0.0/33",
            ),
            (
                "10.0.0.0/16",
                17,
                0,
                "insufficient address space to extend prefix of 16 by 17",
            ),
            (
                "10.0.0.0/16",
                8,
                256,
                "prefix extension of 8 does not accommodate a subnet numbered 256",
            ),
            (
                "10.0.0.0/16",
                8,
                -300,
                "prefix extension of 8 does not accommodate a subnet numbered -300",
            ),
            (
                "10.0.0.0/8",
                -8,
                1,
                "panic in function implementation (Terraform crashes on these arguments)",
            ),
        ];
        for (prefix, newbits, netnum, expected) in cases {
            assert_eq!(
                cidrsubnet(prefix, newbits, netnum).unwrap_err().to_string(),
                expected,
                "{prefix} {newbits} {netnum}"
            );
        }
    }

    #[test]
    fn cidrsubnets_matches_what_terraform_1_0_3_printed() {
        assert_eq!(cidrsubnets("10.0.0.0/16", &[]), Ok(vec![]));
        assert_eq!(
            cidrsubnets("255.255.255.0/24", &[1, 1]).unwrap(),
            ["255.255.255.0/25", "255.255.255.128/25"]
        );
        let errors: [(&str, &[i64], &str); 5] = [
            (
                "0.0.0.0/0",
                &[1, 1, 1],
                "Invalid value for \"newbits\" parameter: not enough remaining address space for a subnet with a prefix of 1 bits after 128.0.0.0/1",
            ),
            (
                "10.0.0.0/16",
                &[4, 0],
                "Invalid value for \"newbits\" parameter: must extend prefix by at least one bit",
            ),
            (
                "10.0.0.0/16",
                &[33],
                "Invalid value for \"newbits\" parameter: may not extend prefix by more than 32 bits",
            ),
            (
                "10.0.0.0/16",
                &[17],
                "Invalid value for \"newbits\" parameter: would extend prefix to 33 bits, which is too long for an IPv4 address",
            ),
            (
                "10.0.0.0/8x",
                &[1],
                "Invalid value for \"prefix\" parameter: invalid CIDR expression: invalid CIDR address: 10.0.0.0/8x",
            ),
        ];
        for (prefix, newbits, expected) in errors {
            assert_eq!(
                cidrsubnets(prefix, newbits).unwrap_err().to_string(),
                expected,
                "{prefix} {newbits:?}"
            );
        }
    }

    #[test]
    fn calls_print_as_terraform_syntax_and_results_as_the_console_does() {
        let call = Call::Cidrsubnets("10.0.0.0/16", &[4, 8]);
        assert_eq!(call.to_string(), "cidrsubnets(\"10.0.0.0/16\", 4, 8)");
        assert_eq!(
            call.evaluate(),
            Ok("tolist([\n  \"10.0.0.0/20\",\n  \"10.0.16.0/24\",\n])".to_owned())
        );
        assert_eq!(
            Call::Cidrsubnet("10.0.0.0/16", 8, 2).evaluate(),
            Ok("\"10.0.2.0/24\"".to_owned())
        );
    }

    proptest! {
        /// For the arguments a plan uses, cidrsubnet is plain arithmetic.
        #[test]
        fn sane_arguments_give_the_aligned_subnet(base in any::<u32>(), prefix in 0u8..=32, newbits in 0i64..=32, netnum in any::<u32>()) {
            prop_assume!(i64::from(prefix) + newbits <= 32);
            let netnum = i64::from(netnum) & ((1i64 << newbits) - 1);
            let network = base & mask(i64::from(prefix));
            let length = i64::from(prefix) + newbits;
            let expected = show(network | ((netnum as u32).checked_shl((32 - length) as u32).unwrap_or(0)), length);
            prop_assert_eq!(cidrsubnet(&show(base, i64::from(prefix)), newbits, netnum), Ok(expected));
        }

        /// Any arguments give an answer, never a panic of ours.
        #[test]
        fn any_arguments_are_answered(address in any::<u32>(), prefix in 0u8..=32, newbits in any::<i64>(), netnum in any::<i64>(), more in prop::collection::vec(any::<i64>(), 0..4)) {
            let base = show(address, i64::from(prefix));
            let _ = cidrsubnet(&base, newbits, netnum);
            let _ = cidrsubnet(&base, newbits % 40, netnum % 1000);
            let _ = cidrsubnets(&base, &more);
        }

        /// cidrsubnets packs aligned, disjoint subnets inside the prefix, in order.
        #[test]
        fn cidrsubnets_are_aligned_disjoint_and_inside(prefix in 8u8..=24, newbits in prop::collection::vec(1i64..=8, 0..10)) {
            let base = format!("10.0.0.0/{prefix}");
            if let Ok(subnets) = cidrsubnets(&base, &newbits) {
                let parsed: Vec<ipnet::Ipv4Net> = subnets.iter().map(|subnet| subnet.parse().unwrap()).collect();
                let outer: ipnet::Ipv4Net = base.parse().unwrap();
                for (index, subnet) in parsed.iter().enumerate() {
                    prop_assert!(outer.contains(subnet));
                    prop_assert_eq!(subnet.trunc(), *subnet);
                    prop_assert_eq!(i64::from(subnet.prefix_len()), i64::from(prefix) + newbits[index]);
                    if index > 0 {
                        prop_assert!(parsed[index - 1].broadcast() < subnet.network());
                    }
                }
            }
        }
    }
}
