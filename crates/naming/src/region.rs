//! AWS regions and partitions, as published in the AWS SDKs' partition metadata
//! (botocore `partitions.json`, 2026).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Field, NamingError, Rule};

/// An AWS partition: a group of regions with its own ARNs, endpoints and accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Partition {
    /// The commercial regions (`aws`).
    Aws,
    /// AWS GovCloud (US) (`aws-us-gov`).
    UsGov,
    /// The China regions (`aws-cn`).
    China,
    /// The AWS European Sovereign Cloud (`aws-eusc`).
    EuropeanSovereign,
    /// AWS ISO (`aws-iso`).
    Iso,
    /// AWS ISOB (`aws-iso-b`).
    IsoB,
    /// AWS ISOE (`aws-iso-e`).
    IsoE,
    /// AWS ISOF (`aws-iso-f`).
    IsoF,
}

impl Partition {
    /// Every partition.
    pub const ALL: [Partition; 8] = [
        Partition::Aws,
        Partition::UsGov,
        Partition::China,
        Partition::EuropeanSovereign,
        Partition::Iso,
        Partition::IsoB,
        Partition::IsoE,
        Partition::IsoF,
    ];

    /// The partition id used in ARNs: `arn:{id}:s3:::bucket`.
    pub fn id(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::UsGov => "aws-us-gov",
            Partition::China => "aws-cn",
            Partition::EuropeanSovereign => "aws-eusc",
            Partition::Iso => "aws-iso",
            Partition::IsoB => "aws-iso-b",
            Partition::IsoE => "aws-iso-e",
            Partition::IsoF => "aws-iso-f",
        }
    }

    /// The DNS suffix of the partition's service endpoints.
    pub fn dns_suffix(self) -> &'static str {
        match self {
            Partition::Aws | Partition::UsGov => "amazonaws.com",
            Partition::China => "amazonaws.com.cn",
            Partition::EuropeanSovereign => "amazonaws.eu",
            Partition::Iso => "c2s.ic.gov",
            Partition::IsoB => "sc2s.sgov.gov",
            Partition::IsoE => "cloud.adc-e.uk",
            Partition::IsoF => "csp.hci.ic.gov",
        }
    }

    /// The partition's regions.
    pub fn regions(self) -> impl Iterator<Item = Region> {
        Region::all().filter(move |region| region.partition() == self)
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

const REGIONS: &[(&str, Partition)] = &[
    ("af-south-1", Partition::Aws),
    ("ap-east-1", Partition::Aws),
    ("ap-east-2", Partition::Aws),
    ("ap-northeast-1", Partition::Aws),
    ("ap-northeast-2", Partition::Aws),
    ("ap-northeast-3", Partition::Aws),
    ("ap-south-1", Partition::Aws),
    ("ap-south-2", Partition::Aws),
    ("ap-southeast-1", Partition::Aws),
    ("ap-southeast-2", Partition::Aws),
    ("ap-southeast-3", Partition::Aws),
    ("ap-southeast-4", Partition::Aws),
    ("ap-southeast-5", Partition::Aws),
    ("ap-southeast-6", Partition::Aws),
    ("ap-southeast-7", Partition::Aws),
    ("ca-central-1", Partition::Aws),
    ("ca-west-1", Partition::Aws),
    ("eu-central-1", Partition::Aws),
    ("eu-central-2", Partition::Aws),
    ("eu-north-1", Partition::Aws),
    ("eu-south-1", Partition::Aws),
    ("eu-south-2", Partition::Aws),
    ("eu-west-1", Partition::Aws),
    ("eu-west-2", Partition::Aws),
    ("eu-west-3", Partition::Aws),
    ("il-central-1", Partition::Aws),
    ("me-central-1", Partition::Aws),
    ("me-south-1", Partition::Aws),
    ("me-west-1", Partition::Aws),
    ("mx-central-1", Partition::Aws),
    ("sa-east-1", Partition::Aws),
    ("sa-west-1", Partition::Aws),
    ("us-east-1", Partition::Aws),
    ("us-east-2", Partition::Aws),
    ("us-west-1", Partition::Aws),
    ("us-west-2", Partition::Aws),
    ("us-gov-east-1", Partition::UsGov),
    ("us-gov-west-1", Partition::UsGov),
    ("cn-north-1", Partition::China),
    ("cn-northwest-1", Partition::China),
    ("eusc-de-east-1", Partition::EuropeanSovereign),
    ("us-iso-east-1", Partition::Iso),
    ("us-iso-west-1", Partition::Iso),
    ("us-isob-east-1", Partition::IsoB),
    ("us-isob-west-1", Partition::IsoB),
    ("eu-isoe-west-1", Partition::IsoE),
    ("us-isof-east-1", Partition::IsoF),
    ("us-isof-south-1", Partition::IsoF),
];

/// A real AWS region, such as `us-east-2`, in any partition.
///
/// ```
/// use naming::{Partition, Region};
/// let region: Region = "us-gov-west-1".parse()?;
/// assert_eq!(region.partition(), Partition::UsGov);
/// assert_eq!(region.short(), "us-gov-west");
/// let error = Region::new("us-east-7").unwrap_err();
/// assert_eq!(error.hint(), Some("did you mean `us-east-1`?"));
/// # Ok::<(), naming::NamingError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Region {
    name: &'static str,
    partition: Partition,
}

impl Region {
    /// Looks `name` up among the regions of every partition.
    pub fn new(name: &str) -> Result<Region, NamingError> {
        if let Some(&(name, partition)) = REGIONS.iter().find(|(known, _)| *known == name) {
            return Ok(Region { name, partition });
        }
        let error = NamingError::invalid(
            Field::Region,
            name,
            Rule::Unknown {
                expected: "an AWS region",
            },
        );
        let lowered = name.trim().to_ascii_lowercase().replace('_', "-");
        let nearest = REGIONS
            .iter()
            .map(|(known, _)| (edit_distance(&lowered, known), *known))
            .min()
            .filter(|(distance, _)| *distance <= 2);
        Err(match nearest {
            Some((_, known)) => error.with_hint(format!("did you mean `{known}`?")),
            None => error.with_hint("use a region name such as `us-east-2` or `eu-west-1`"),
        })
    }

    /// Every region of every partition.
    pub fn all() -> impl Iterator<Item = Region> {
        REGIONS
            .iter()
            .map(|&(name, partition)| Region { name, partition })
    }

    /// The region name, such as `us-east-2`.
    pub fn name(self) -> &'static str {
        self.name
    }

    /// The partition the region belongs to.
    pub fn partition(self) -> Partition {
        self.partition
    }

    /// The region without its trailing number: `us-east-2` becomes `us-east`.
    /// Used in the lock table name (`terraform-locks-{region_short}`).
    pub fn short(self) -> &'static str {
        match self.name.rsplit_once('-') {
            Some((head, tail)) if tail.bytes().all(|b| b.is_ascii_digit()) => head,
            _ => self.name,
        }
    }

    /// How many availability zones the region has, as AWS lists them (six, the most any
    /// region has, for a region not in the list).
    pub fn zone_count(self) -> usize {
        match self.name {
            "us-east-1" => 6,
            "us-west-2" | "ap-northeast-1" | "ap-northeast-2" | "ca-central-1" => 4,
            "us-east-2" | "us-west-1" | "af-south-1" | "ap-east-1" | "ap-south-1"
            | "ap-south-2" | "ap-southeast-1" | "ap-southeast-2" | "ap-southeast-3"
            | "ap-southeast-4" | "ap-northeast-3" | "ca-west-1" | "eu-central-1"
            | "eu-central-2" | "eu-west-1" | "eu-west-2" | "eu-west-3" | "eu-south-1"
            | "eu-south-2" | "eu-north-1" | "il-central-1" | "me-south-1" | "me-central-1"
            | "sa-east-1" | "us-gov-west-1" | "us-gov-east-1" | "cn-north-1" | "cn-northwest-1" => {
                3
            }
            _ => 6,
        }
    }

    /// The availability zone with the given letter, such as `us-east-2a`.
    pub fn zone(self, letter: char) -> Result<AvailabilityZone, NamingError> {
        AvailabilityZone::new(&format!("{}{letter}", self.name))
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Region({})", self.name)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl FromStr for Region {
    type Err = NamingError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Region::new(s)
    }
}

impl TryFrom<String> for Region {
    type Error = NamingError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Region::new(&value)
    }
}

impl From<Region> for String {
    fn from(value: Region) -> String {
        value.name.to_owned()
    }
}

/// An availability zone of a [`Region`]: the region name followed by one letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AvailabilityZone {
    region: Region,
    letter: char,
}

impl AvailabilityZone {
    /// Parses a zone name such as `us-east-2a`.
    pub fn new(name: &str) -> Result<AvailabilityZone, NamingError> {
        let invalid = || {
            NamingError::invalid(
                Field::AvailabilityZone,
                name,
                Rule::Other(
                    "must be a region name followed by one lowercase letter, as in `us-east-2a`"
                        .to_owned(),
                ),
            )
        };
        let letter = name.chars().next_back().ok_or_else(invalid)?;
        if !letter.is_ascii_lowercase() {
            return Err(invalid());
        }
        let region = Region::new(&name[..name.len() - 1]).map_err(|_| invalid())?;
        Ok(AvailabilityZone { region, letter })
    }

    /// The zone's region.
    pub fn region(&self) -> Region {
        self.region
    }

    /// The zone's letter.
    pub fn letter(&self) -> char {
        self.letter
    }
}

impl fmt::Display for AvailabilityZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.region.name, self.letter)
    }
}

/// Levenshtein distance, for "did you mean" hints over a few dozen short names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_partition_has_regions_and_short_names_drop_the_number() {
        for partition in Partition::ALL {
            assert!(
                partition.regions().count() >= 1,
                "{partition} has no region"
            );
        }
        let shorts: Vec<_> = ["us-east-1", "us-east-2", "cn-northwest-1", "eusc-de-east-1"]
            .into_iter()
            .map(|name| Region::new(name).unwrap().short())
            .collect();
        assert_eq!(
            shorts,
            ["us-east", "us-east", "cn-northwest", "eusc-de-east"]
        );
    }

    #[test]
    fn unknown_regions_are_rejected_with_the_nearest_name() {
        let error = Region::new("US-EAST-2").unwrap_err();
        assert_eq!(error.hint(), Some("did you mean `us-east-2`?"));
        assert_eq!(
            error.to_string(),
            "invalid region `US-EAST-2`: is not an AWS region"
        );
        let error = Region::new("mars-north-1").unwrap_err();
        assert_eq!(
            error.hint(),
            Some("use a region name such as `us-east-2` or `eu-west-1`")
        );
        assert!(Region::new("").is_err());
        assert!(Region::new("aws-global").is_err());
    }

    #[test]
    fn zones_are_a_region_and_a_letter() {
        let zone = AvailabilityZone::new("us-east-2a").unwrap();
        assert_eq!((zone.region().name(), zone.letter()), ("us-east-2", 'a'));
        assert_eq!(
            Region::new("eu-west-1")
                .unwrap()
                .zone('c')
                .unwrap()
                .to_string(),
            "eu-west-1c"
        );
        for bad in ["us-east-2", "us-east-2A", "us-east-9a", "", "a"] {
            assert!(AvailabilityZone::new(bad).is_err(), "{bad} accepted");
        }
    }
}
