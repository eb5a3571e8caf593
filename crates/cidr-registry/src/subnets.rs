//! Subnet plans: a client VPC's public, private and EKS subnets in each availability zone
//! (seed 003's foundation layer), computed with Terraform's [`cidrsubnet`] so the plan is
//! the one Terraform builds, and named by the `naming` crate
//! (`{client}-{env}-{public|private|eks}-{az}`).
//!
//! Subnet `k` (public subnets first, then private, then EKS; zones in the order given) is
//! `cidrsubnet(vpc_cidr, newbits, cidr_offset + k)`: the client's `cidr_offset` says where
//! its numbering starts, so two plans can share a VPC or leave room below. `newbits`
//! defaults to 8 (a /16 VPC gets /24 subnets), less for a VPC smaller than /20 so that no
//! subnet is smaller than AWS's /28.

use ipnet::Ipv4Net;
use naming::{AvailabilityZone, Client, Environment, Region, SubnetTier};
use serde::Serialize;

use crate::terraform::{CidrFunctionError, cidrsubnet};

/// The smallest subnet AWS allows.
pub const MIN_SUBNET_PREFIX: u8 = 28;

/// What to plan.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    /// The client.
    pub client: Client,
    /// Its environment.
    pub environment: Environment,
    /// Its region: every zone must be one of its zones.
    pub region: Region,
    /// Its VPC block.
    pub vpc: Ipv4Net,
    /// The zones, in order.
    pub zones: Vec<AvailabilityZone>,
    /// Bits added to the VPC prefix for each subnet; `None` for [`default_newbits`].
    pub newbits: Option<u8>,
    /// The first subnet number.
    pub cidr_offset: u32,
}

/// One subnet of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedSubnet {
    /// Its `Name` tag.
    pub name: String,
    /// Public, private or EKS.
    pub tier: SubnetTier,
    /// Its availability zone.
    pub zone: String,
    /// Its block.
    pub cidr: Ipv4Net,
    /// Its subnet number.
    pub netnum: u32,
    /// The Terraform expression that computes it.
    pub expression: String,
}

/// A plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The VPC.
    pub vpc: Ipv4Net,
    /// Bits added to the VPC prefix.
    pub newbits: u8,
    /// The first subnet number.
    pub cidr_offset: u32,
    /// The subnets: public, private, then EKS, each in zone order.
    pub subnets: Vec<PlannedSubnet>,
}

/// Why a plan cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// No zones.
    #[error("no availability zones to plan for")]
    NoZones,
    /// A zone twice.
    #[error("availability zone {0} is listed twice")]
    DuplicateZone(String),
    /// A zone of another region.
    #[error("availability zone {zone} is not in the client's region {region}")]
    ZoneOutsideRegion {
        /// The zone.
        zone: String,
        /// The client's region.
        region: String,
    },
    /// A zone letter no region has.
    #[error("availability zone {0} does not exist: AWS zones are lettered a to f")]
    NoSuchZone(String),
    /// More zones than the region has.
    #[error("{zones} availability zones are listed, but {region} has {has}")]
    TooManyZones {
        /// Zones listed.
        zones: usize,
        /// The region.
        region: String,
        /// Its zones.
        has: usize,
    },
    /// Subnets smaller than AWS allows.
    #[error("{newbits} subnet bits make /{prefix} subnets; AWS subnets are /16 to /28")]
    TooSmall {
        /// The bits asked for.
        newbits: u8,
        /// The subnets' prefix length.
        prefix: u32,
    },
    /// Terraform's cidrsubnet refuses the numbers.
    #[error("{expression} fails in Terraform: {error}")]
    Terraform {
        /// The call that fails.
        expression: String,
        /// Terraform's message.
        error: CidrFunctionError,
    },
}

impl PlanError {
    /// How to fix it.
    pub fn hint(&self) -> Option<String> {
        match self {
            PlanError::NoSuchZone(_) | PlanError::TooManyZones { .. } => Some(
                "see the region's zones: aws ec2 describe-availability-zones --region REGION"
                    .to_owned(),
            ),
            PlanError::NoZones
            | PlanError::DuplicateZone(_)
            | PlanError::ZoneOutsideRegion { .. } => Some(
                "list zones as letters (--azs a,b,c) or names of the client's region".to_owned(),
            ),
            PlanError::TooSmall { .. } => Some("use fewer --subnet-bits".to_owned()),
            PlanError::Terraform { .. } => {
                Some("use fewer zones, a smaller cidr_offset, or more --subnet-bits".to_owned())
            }
        }
    }
}

/// 8 bits (/24 subnets of a /16), fewer when that would make subnets smaller than /28.
pub fn default_newbits(vpc: Ipv4Net) -> u8 {
    8.min(MIN_SUBNET_PREFIX.saturating_sub(vpc.prefix_len()))
}

/// Plans the subnets.
///
/// ```
/// use cidr_registry::subnets::{PlanRequest, plan};
///
/// let request = PlanRequest {
///     client: naming::Client::new("acme")?,
///     environment: naming::Environment::new("production")?,
///     region: naming::Region::new("us-east-2")?,
///     vpc: "10.42.0.0/16".parse()?,
///     zones: vec![naming::AvailabilityZone::new("us-east-2a")?, naming::AvailabilityZone::new("us-east-2b")?],
///     newbits: None,
///     cidr_offset: 0,
/// };
/// let plan = plan(&request)?;
/// assert_eq!(plan.subnets[0].name, "acme-production-public-us-east-2a");
/// assert_eq!(plan.subnets[0].cidr.to_string(), "10.42.0.0/24");
/// assert_eq!(plan.subnets[5].name, "acme-production-eks-us-east-2b");
/// assert_eq!(plan.subnets[5].expression, "cidrsubnet(\"10.42.0.0/16\", 8, 5)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan(request: &PlanRequest) -> Result<Plan, PlanError> {
    let zones = &request.zones;
    let region = request.region;
    if zones.is_empty() {
        return Err(PlanError::NoZones);
    }
    for (index, zone) in zones.iter().enumerate() {
        if zones[..index].contains(zone) {
            return Err(PlanError::DuplicateZone(zone.to_string()));
        }
        // The client's region, not the first zone's: zones all of another region are
        // just as wrong.
        if zone.region() != region {
            return Err(PlanError::ZoneOutsideRegion {
                zone: zone.to_string(),
                region: region.to_string(),
            });
        }
        if zone.letter() > 'f' {
            return Err(PlanError::NoSuchZone(zone.to_string()));
        }
    }
    if zones.len() > region.zone_count() {
        return Err(PlanError::TooManyZones {
            zones: zones.len(),
            region: region.to_string(),
            has: region.zone_count(),
        });
    }
    let newbits = request
        .newbits
        .unwrap_or_else(|| default_newbits(request.vpc));
    let prefix = u32::from(request.vpc.prefix_len()) + u32::from(newbits);
    if prefix > u32::from(MIN_SUBNET_PREFIX) || prefix < 16 {
        return Err(PlanError::TooSmall { newbits, prefix });
    }
    let vpc = request.vpc.to_string();
    let mut subnets = Vec::with_capacity(zones.len() * SubnetTier::ALL.len());
    let tiers = SubnetTier::ALL
        .iter()
        .flat_map(|tier| zones.iter().map(move |zone| (*tier, zone)));
    for (index, (tier, zone)) in tiers.enumerate() {
        let netnum = u64::from(request.cidr_offset) + index as u64;
        let expression = format!("cidrsubnet({vpc:?}, {newbits}, {netnum})");
        let cidr = cidrsubnet(&vpc, i64::from(newbits), netnum as i64)
            .map_err(|error| PlanError::Terraform {
                expression: expression.clone(),
                error,
            })?
            .parse()
            .expect("cidrsubnet of a valid prefix and in-range numbers is a CIDR");
        subnets.push(PlannedSubnet {
            name: naming::subnet_name(&request.client, &request.environment, tier, zone),
            tier,
            zone: zone.to_string(),
            cidr,
            netnum: netnum as u32,
            expression,
        });
    }
    Ok(Plan {
        vpc: request.vpc,
        newbits,
        cidr_offset: request.cidr_offset,
        subnets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(vpc: &str, zones: &[&str], newbits: Option<u8>, offset: u32) -> PlanRequest {
        PlanRequest {
            client: Client::new("acme").unwrap(),
            environment: Environment::new("production").unwrap(),
            region: zones
                .first()
                .map_or(Region::new("us-east-2").unwrap(), |zone| {
                    AvailabilityZone::new(zone).unwrap().region()
                }),
            vpc: vpc.parse().unwrap(),
            zones: zones
                .iter()
                .map(|zone| AvailabilityZone::new(zone).unwrap())
                .collect(),
            newbits,
            cidr_offset: offset,
        }
    }

    #[test]
    fn tiers_then_zones_from_the_offset() {
        let plan = plan(&request(
            "10.42.0.0/16",
            &["us-east-2a", "us-east-2b", "us-east-2c"],
            None,
            10,
        ))
        .unwrap();
        let listed: Vec<(String, String)> = plan
            .subnets
            .iter()
            .map(|subnet| (subnet.name.clone(), subnet.cidr.to_string()))
            .collect();
        let expected = [
            ("acme-production-public-us-east-2a", "10.42.10.0/24"),
            ("acme-production-public-us-east-2b", "10.42.11.0/24"),
            ("acme-production-public-us-east-2c", "10.42.12.0/24"),
            ("acme-production-private-us-east-2a", "10.42.13.0/24"),
            ("acme-production-private-us-east-2b", "10.42.14.0/24"),
            ("acme-production-private-us-east-2c", "10.42.15.0/24"),
            ("acme-production-eks-us-east-2a", "10.42.16.0/24"),
            ("acme-production-eks-us-east-2b", "10.42.17.0/24"),
            ("acme-production-eks-us-east-2c", "10.42.18.0/24"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(listed, expected);
        assert_eq!(
            plan.subnets[8].expression,
            "cidrsubnet(\"10.42.0.0/16\", 8, 18)"
        );
    }

    #[test]
    fn small_vpcs_get_fewer_bits_and_never_subnets_below_slash_28() {
        assert_eq!(default_newbits("10.0.0.0/16".parse().unwrap()), 8);
        assert_eq!(default_newbits("10.0.0.0/22".parse().unwrap()), 6);
        assert_eq!(default_newbits("10.0.0.0/28".parse().unwrap()), 0);
        let plan = plan(&request(
            "10.0.0.0/24",
            &["us-east-2a", "us-east-2b"],
            None,
            0,
        ))
        .unwrap();
        assert!(
            plan.subnets
                .iter()
                .all(|subnet| subnet.cidr.prefix_len() == 28)
        );
        assert_eq!(
            super::plan(&request("10.0.0.0/24", &["us-east-2a"], Some(5), 0)),
            Err(PlanError::TooSmall {
                newbits: 5,
                prefix: 29
            })
        );
    }

    #[test]
    fn numbers_beyond_the_vpc_fail_as_terraform_fails() {
        let error = plan(&request(
            "10.0.0.0/16",
            &["us-east-2a", "us-east-2b"],
            Some(2),
            0,
        ))
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "cidrsubnet(\"10.0.0.0/16\", 2, 4) fails in Terraform: prefix extension of 2 does not accommodate a subnet numbered 4"
        );
        let error = plan(&request("10.0.0.0/16", &["us-east-2a"], None, 254)).unwrap_err();
        assert!(error.to_string().contains("subnet numbered 256"), "{error}");
    }

    #[test]
    fn zones_must_be_distinct_and_of_one_region() {
        assert_eq!(
            plan(&request("10.0.0.0/16", &[], None, 0)),
            Err(PlanError::NoZones)
        );
        assert_eq!(
            plan(&request(
                "10.0.0.0/16",
                &["us-east-2a", "us-east-2a"],
                None,
                0
            )),
            Err(PlanError::DuplicateZone("us-east-2a".to_owned()))
        );
        assert!(matches!(
            plan(&request(
                "10.0.0.0/16",
                &["us-east-2a", "eu-west-1a"],
                None,
                0
            )),
            Err(PlanError::ZoneOutsideRegion { .. })
        ));
    }
}
