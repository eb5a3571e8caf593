//! What validate-cidr says: the script's lines (`[INFO] Found N client VPC CIDRs`,
//! `[INFO] ✓ Valid CIDR: ...`, `[SUCCESS] CIDR Registry Validation: PASSED`) with every
//! problem in between, or one JSON document.

use std::path::Path;

use cidr_registry::allocate::Allocation;
use cidr_registry::reserved::Reserved;
use cidr_registry::subnets::Plan;
use cidr_registry::{Check, Finding, Notice, Registry, Severity, Validation};
use cli_support::{Exit, Failure, OutputFormat, Reporter};
use serde::Serialize;

/// Everything validate-cidr found and did.
pub(crate) struct Report<'a> {
    path: &'a Path,
    registry: &'a Registry,
    validation: &'a Validation,
    /// The new client, and whether the registry was written (not a dry run).
    pub(crate) allocation: Option<(Allocation, bool)>,
    /// The client and its subnet plan.
    pub(crate) plan: Option<(String, Plan)>,
    /// The number of tfvars files compared, and the drift found.
    pub(crate) drift: Option<(usize, Vec<Finding>)>,
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// `✗ Invalid CIDR: 10.1.2.3/16 (acme, line 4): host bits are set...`, and the like.
fn entry_line(finding: &Finding) -> String {
    let client = &finding.clients[0];
    let place = format!("{} ({}, line {})", client.cidr, client.name, client.line);
    match (finding.severity, finding.check) {
        (Severity::Error, Check::Format) => format!("✗ Invalid CIDR: {place}: {}", finding.message),
        (Severity::Error, _) => format!("✗ {place}: {}", finding.message),
        (Severity::Warning, _) => format!("{place}: {}", finding.message),
    }
}

fn report_finding(reporter: &Reporter, finding: &Finding, line: String) {
    match finding.severity {
        Severity::Error => reporter.error(line),
        Severity::Warning => reporter.warning(line),
    }
    if let Some(hint) = &finding.hint {
        reporter.hint(hint);
    }
}

#[derive(Serialize)]
struct AllocationDocument<'a> {
    #[serde(flatten)]
    allocation: &'a Allocation,
    written: bool,
}

#[derive(Serialize)]
struct PlanDocument<'a> {
    client: &'a str,
    #[serde(flatten)]
    plan: &'a Plan,
}

#[derive(Serialize)]
struct DriftDocument<'a> {
    files: usize,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct Document<'a> {
    registry: String,
    clients: usize,
    valid: bool,
    errors: usize,
    warnings: usize,
    notices: &'a [Notice],
    findings: Vec<&'a Finding>,
    /// Clients with more duplicate or overlapping pairs than are listed in `findings`.
    unlisted_pairs: &'a [cidr_registry::check::Unlisted],
    reserved: &'a [Reserved],
    #[serde(skip_serializing_if = "Option::is_none")]
    allocation: Option<AllocationDocument<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subnets: Option<PlanDocument<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    drift: Option<DriftDocument<'a>>,
}

impl<'a> Report<'a> {
    pub(crate) fn new(
        path: &'a Path,
        registry: &'a Registry,
        validation: &'a Validation,
    ) -> Report<'a> {
        Report {
            path,
            registry,
            validation,
            allocation: None,
            plan: None,
            drift: None,
        }
    }

    fn drift_findings(&self) -> &[Finding] {
        self.drift.as_ref().map_or(&[], |(_, findings)| findings)
    }

    fn errors(&self) -> usize {
        self.validation.errors() + self.drift_findings().len()
    }

    /// Reports, and answers exit 1 when anything is wrong.
    pub(crate) fn render(
        &self,
        reporter: &Reporter,
        format: OutputFormat,
        quiet: bool,
    ) -> Result<Exit, Failure> {
        match format {
            OutputFormat::Text => self.text(reporter, quiet),
            OutputFormat::Json => cli_support::print_json(&self.document())?,
        }
        Ok(if self.errors() > 0 {
            Exit::Findings
        } else {
            Exit::Success
        })
    }

    fn document(&self) -> Document<'_> {
        Document {
            registry: self.path.display().to_string(),
            clients: self.registry.entries.len(),
            valid: self.errors() == 0,
            errors: self.errors(),
            warnings: self.validation.warnings(),
            notices: &self.registry.notices,
            findings: self.validation.findings().collect(),
            unlisted_pairs: &self.validation.unlisted_pairs,
            reserved: &self.validation.reserved,
            allocation: self
                .allocation
                .as_ref()
                .map(|(allocation, written)| AllocationDocument {
                    allocation,
                    written: *written,
                }),
            subnets: self
                .plan
                .as_ref()
                .map(|(client, plan)| PlanDocument { client, plan }),
            drift: self.drift.as_ref().map(|(files, findings)| DriftDocument {
                files: *files,
                findings,
            }),
        }
    }

    fn text(&self, reporter: &Reporter, quiet: bool) {
        let validation = self.validation;
        reporter.info(format!("Validating CIDR registry: {}", self.path.display()));
        for notice in &self.registry.notices {
            reporter.warning(format!("line {}: {}", notice.line, notice.message));
        }
        if !quiet {
            let count = self.registry.entries.len();
            reporter.info(format!(
                "Found {}",
                plural(count, "client VPC CIDR", "client VPC CIDRs")
            ));
        }
        let mut findings = validation.entry_findings.iter().peekable();
        for (index, entry) in self.registry.entries.iter().enumerate() {
            let mut valid = true;
            let mut problems = Vec::new();
            while let Some((_, finding)) = findings.next_if(|(owner, _)| *owner == index) {
                valid &= finding.severity != Severity::Error;
                problems.push(finding);
            }
            if valid && !quiet {
                reporter.info(format!("✓ Valid CIDR: {}", entry.vpc_cidr.value));
            }
            for finding in problems {
                report_finding(reporter, finding, entry_line(finding));
            }
        }
        self.pairs(reporter, Check::Duplicate, "No duplicate CIDRs found");
        match validation.count(Check::Format) {
            0 => reporter.success("All CIDRs have valid format"),
            invalid => reporter.error(format!(
                "{} of {} an invalid format",
                invalid,
                plural(self.registry.entries.len(), "CIDR has", "CIDRs have")
            )),
        }
        self.pairs(reporter, Check::Overlap, "No overlapping CIDRs found");
        for more in &validation.unlisted_pairs {
            reporter.error(format!(
                "{} (line {}) is in {} more duplicate or overlapping pair(s), not listed",
                more.client.name, more.client.line, more.pairs
            ));
        }
        self.extras(reporter);
        let (errors, warnings) = (self.errors(), validation.warnings());
        let warned = if warnings > 0 {
            format!(" ({})", plural(warnings, "warning", "warnings"))
        } else {
            String::new()
        };
        if errors == 0 {
            reporter.success(format!("CIDR Registry Validation: PASSED{warned}"));
        } else {
            reporter.error(format!(
                "CIDR Registry Validation: FAILED ({}{})",
                plural(errors, "error", "errors"),
                if warnings > 0 {
                    format!(", {}", plural(warnings, "warning", "warnings"))
                } else {
                    String::new()
                }
            ));
        }
    }

    fn pairs(&self, reporter: &Reporter, check: Check, none: &str) {
        let mut found = false;
        for finding in self
            .validation
            .pair_findings
            .iter()
            .filter(|finding| finding.check == check)
        {
            found = true;
            report_finding(reporter, finding, finding.message.clone());
        }
        if !found {
            reporter.success(none);
        }
    }

    /// The allocation, the subnet plan and the drift, when asked for.
    fn extras(&self, reporter: &Reporter) {
        if let Some((allocation, written)) = &self.allocation {
            let what = format!(
                "{} to {} ({}, {}) from {}",
                allocation.vpc_cidr,
                allocation.client,
                allocation.region,
                allocation.environment,
                allocation.pool
            );
            if *written {
                reporter.success(format!(
                    "Allocated {what}: {} line {}",
                    self.path.display(),
                    allocation.line
                ));
            } else {
                reporter.info(format!(
                    "Dry run: would allocate {what}; {} not written",
                    self.path.display()
                ));
            }
        }
        if let Some((client, plan)) = &self.plan {
            reporter.heading(format!(
                "Subnets of {client}: {}, {} bits per subnet, numbered from {}",
                plan.vpc, plan.newbits, plan.cidr_offset
            ));
            let width = plan
                .subnets
                .iter()
                .map(|subnet| subnet.name.len())
                .max()
                .unwrap_or(0);
            let cidrs: Vec<String> = plan
                .subnets
                .iter()
                .map(|subnet| subnet.cidr.to_string())
                .collect();
            let cidr_width = cidrs.iter().map(String::len).max().unwrap_or(0);
            for (subnet, cidr) in plan.subnets.iter().zip(&cidrs) {
                reporter.raw(&format!(
                    "  {:width$}  {cidr:cidr_width$}  {}",
                    subnet.name, subnet.expression
                ));
            }
        }
        if let Some((files, findings)) = &self.drift {
            reporter.info(format!(
                "Compared with {}",
                plural(
                    *files,
                    "clients.auto.tfvars file",
                    "clients.auto.tfvars files"
                )
            ));
            for finding in findings {
                report_finding(reporter, finding, finding.message.clone());
            }
            if findings.is_empty() {
                reporter.success("Terraform's clients.auto.tfvars match the registry");
            }
        }
    }
}
