//! The scripts' text output, as lines: what exists, what will be or was created, what was
//! repaired (naming the setting), and a summary. The binaries print them.

use serde::Serialize;

use crate::apply::{Outcome, Report};
use crate::model::Caller;
use crate::plan::{Action, BucketPlan, Plan};
use crate::spec::BucketRole;

/// The level of a line, as the scripts tag them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Level {
    /// `[INFO]`
    Info,
    /// `[SUCCESS]`
    Success,
    /// `[WARNING]`
    Warning,
    /// `[ERROR]`
    Error,
}

/// One line of output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A section heading (`╭─ ...`).
    Heading(String),
    /// A tagged line.
    Report(Level, String),
    /// An indented detail line, printed as it is.
    Detail(String),
}

fn role(role: BucketRole) -> String {
    match role {
        BucketRole::State => "state".to_owned(),
        BucketRole::Observability(kind) => kind.to_string(),
        BucketRole::LogTarget => "access-log target".to_owned(),
    }
}

/// The lines for the caller's identity.
pub fn caller_lines(caller: &Caller) -> Vec<Line> {
    vec![
        Line::Report(Level::Info, "🔐 Checking AWS credentials...".to_owned()),
        Line::Report(
            Level::Success,
            format!("✅ AWS account {} ({})", caller.account, caller.arn),
        ),
    ]
}

fn bucket_lines(plan: &BucketPlan, lines: &mut Vec<Line>) {
    let name = format!("{} ({})", plan.bucket, role(plan.role));
    match plan.action {
        Action::Create => {
            lines.push(Line::Report(
                Level::Info,
                format!("🪣 S3 bucket {name}: will be created"),
            ));
            let settings: Vec<&str> = plan.changes.iter().map(|c| c.setting.as_str()).collect();
            lines.push(Line::Detail(format!("     with {}", settings.join(", "))));
        }
        Action::Update => {
            lines.push(Line::Report(
                Level::Warning,
                format!("🔧 S3 bucket {name}: exists, will be repaired"),
            ));
            for change in &plan.changes {
                lines.push(Line::Detail(format!(
                    "     {}: {} → {}",
                    change.setting, change.from, change.to
                )));
            }
        }
        Action::Unchanged => {
            lines.push(Line::Report(
                Level::Success,
                format!("✓ S3 bucket {name}: exists, every setting right"),
            ));
        }
    }
}

/// The lines for a plan.
pub fn plan_lines(report_heading: &str, plan: &Plan, dry_run: bool) -> Vec<Line> {
    let mut lines = vec![Line::Heading(report_heading.to_owned())];
    for bucket in &plan.buckets {
        bucket_lines(bucket, &mut lines);
    }
    if let Some(table) = &plan.table {
        let name = format!("DynamoDB table {} (lock table)", table.table);
        if let Some(status) = &table.waits_for {
            lines.push(Line::Report(
                Level::Info,
                format!("⏳ {name} is {status}; provisioning waits for it"),
            ));
        }
        match table.action {
            Action::Create => {
                lines.push(Line::Report(
                    Level::Info,
                    format!("🗃️  {name}: will be created"),
                ));
                let settings: Vec<String> = table
                    .changes
                    .iter()
                    .map(|c| format!("{}: {}", c.setting, c.to))
                    .collect();
                lines.push(Line::Detail(format!("     with {}", settings.join("; "))));
            }
            Action::Update => {
                lines.push(Line::Report(
                    Level::Warning,
                    format!("🔧 {name}: exists, will be repaired"),
                ));
                for change in &table.changes {
                    lines.push(Line::Detail(format!(
                        "     {}: {} → {}",
                        change.setting, change.from, change.to
                    )));
                }
            }
            Action::Unchanged => {
                lines.push(Line::Report(
                    Level::Success,
                    format!("✓ {name}: exists, every setting right"),
                ));
            }
        }
    }
    for alarm in &plan.alarms {
        let text = match alarm.action {
            Action::Create => (
                Level::Info,
                format!("⏰ CloudWatch alarm {}: will be created", alarm.alarm.name),
            ),
            Action::Update => (
                Level::Warning,
                format!("🔧 CloudWatch alarm {}: will be updated", alarm.alarm.name),
            ),
            Action::Unchanged => (
                Level::Success,
                format!("✓ CloudWatch alarm {}: exists, unchanged", alarm.alarm.name),
            ),
        };
        lines.push(Line::Report(text.0, text.1));
    }
    for warning in &plan.warnings {
        lines.push(Line::Report(Level::Warning, format!("⚠️  {warning}")));
    }
    for problem in &plan.problems {
        lines.push(Line::Report(Level::Error, format!("❌ {problem}")));
    }
    if dry_run {
        lines.push(Line::Report(
            Level::Info,
            "Dry run: nothing was changed. Run again without --dry-run to apply.".to_owned(),
        ));
    }
    lines
}

/// Counts of a plan: created, repaired, unchanged resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    /// Resources created.
    pub created: usize,
    /// Resources repaired.
    pub repaired: usize,
    /// Resources already right.
    pub unchanged: usize,
}

impl Counts {
    /// Counts the resources of a plan by action.
    pub fn of(plan: &Plan) -> Counts {
        let actions = plan
            .buckets
            .iter()
            .map(|b| b.action)
            .chain(plan.table.iter().map(|t| t.action))
            .chain(plan.alarms.iter().map(|a| a.action));
        let mut counts = Counts::default();
        for action in actions {
            match action {
                Action::Create => counts.created += 1,
                Action::Update => counts.repaired += 1,
                Action::Unchanged => counts.unchanged += 1,
            }
        }
        counts
    }
}

/// The lines for the end of a run.
pub fn outcome_lines(report: &Report) -> Vec<Line> {
    let plan = &report.plan;
    let mut lines = Vec::new();
    if report.outcome == Outcome::Applied {
        for bucket in &plan.buckets {
            let settings: Vec<&str> = bucket.changes.iter().map(|c| c.setting.as_str()).collect();
            match bucket.action {
                Action::Create => lines.push(Line::Report(
                    Level::Success,
                    format!("✅ Created S3 bucket: {}", bucket.bucket),
                )),
                Action::Update => lines.push(Line::Report(
                    Level::Success,
                    format!(
                        "🔧 Repaired S3 bucket {}: {}",
                        bucket.bucket,
                        settings.join(", ")
                    ),
                )),
                Action::Unchanged => {}
            }
        }
        if let Some(table) = &plan.table {
            let settings: Vec<&str> = table.changes.iter().map(|c| c.setting.as_str()).collect();
            match table.action {
                Action::Create => lines.push(Line::Report(
                    Level::Success,
                    format!("✅ Created DynamoDB table: {}", table.table),
                )),
                Action::Update => lines.push(Line::Report(
                    Level::Success,
                    format!(
                        "🔧 Repaired DynamoDB table {}: {}",
                        table.table,
                        settings.join(", ")
                    ),
                )),
                Action::Unchanged => {}
            }
        }
        for alarm in plan.alarms.iter().filter(|a| a.action != Action::Unchanged) {
            lines.push(Line::Report(
                Level::Success,
                format!("✅ Set CloudWatch alarm: {}", alarm.alarm.name),
            ));
        }
    }
    let counts = Counts::of(plan);
    lines.push(Line::Heading("Summary".to_owned()));
    let summary = format!(
        "{} created, {} repaired, {} unchanged",
        counts.created, counts.repaired, counts.unchanged
    );
    lines.push(match report.outcome {
        Outcome::Applied => Line::Report(
            Level::Success,
            format!("✅ {summary}; every setting read back as planned"),
        ),
        Outcome::Unchanged => Line::Report(
            Level::Success,
            "✅ Everything is already provisioned; nothing was changed".to_owned(),
        ),
        Outcome::DryRun => Line::Report(Level::Info, format!("Would be: {summary}")),
        Outcome::Declined => Line::Report(Level::Warning, "Nothing was changed".to_owned()),
    });
    lines
}
