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

/// Detail lines fit this many columns.
const WIDTH: usize = 80;

/// `text` as detail lines of at most [`WIDTH`] columns, indented by five spaces, and by
/// seven on continuation lines. A word longer than a line stays whole.
fn details(text: &str, lines: &mut Vec<Line>) {
    let mut line = String::from("     ");
    for word in text.split(' ') {
        if !line.trim().is_empty() && line.chars().count() + 1 + word.chars().count() > WIDTH {
            lines.push(Line::Detail(std::mem::replace(
                &mut line,
                String::from("       "),
            )));
        }
        if !line.trim().is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(Line::Detail(line));
}

/// How a bucket is named in lines: its name says its role, except for a foreign log target.
fn bucket_name(plan: &BucketPlan) -> String {
    match plan.role {
        BucketRole::LogTarget => format!("{} (access-log target)", plan.bucket),
        _ => plan.bucket.to_string(),
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
    let name = bucket_name(plan);
    if plan.action == Action::Create {
        lines.push(Line::Report(
            Level::Info,
            format!("🪣 {name}: will be created"),
        ));
        let settings: Vec<&str> = plan.changes.iter().map(|c| c.setting.as_str()).collect();
        details(&format!("with {}", settings.join(", ")), lines);
        return;
    }
    resource_lines("🪣", &name, plan.action, &plan.changes, lines);
}

/// The lines for a plan.
pub fn plan_lines(report_heading: &str, plan: &Plan, dry_run: bool) -> Vec<Line> {
    let mut lines = vec![Line::Heading(report_heading.to_owned())];
    for bucket in &plan.buckets {
        bucket_lines(bucket, &mut lines);
    }
    if let Some(table) = &plan.table {
        let name = format!("{} (lock table)", table.table);
        if let Some(status) = &table.waits_for {
            lines.push(Line::Report(
                Level::Info,
                format!("⏳ {name} is {status}; provisioning waits for it"),
            ));
        }
        resource_lines("🗃️ ", &name, table.action, &table.changes, &mut lines);
    }
    if let Some(role) = &plan.role {
        let name = format!("{} (IAM role S3 replication assumes)", role.name);
        resource_lines("🔑", &name, role.action, &role.changes, &mut lines);
    }
    for alarm in &plan.alarms {
        let name = &alarm.alarm.name;
        lines.push(match alarm.action {
            Action::Create => {
                Line::Report(Level::Info, format!("⏰ alarm {name}: will be created"))
            }
            Action::Update => {
                Line::Report(Level::Warning, format!("🔧 alarm {name}: will be updated"))
            }
            Action::Unchanged => {
                Line::Report(Level::Success, format!("✓ alarm {name}: exists, unchanged"))
            }
        });
    }
    for warning in &plan.warnings {
        tagged(Level::Warning, &format!("⚠️  {warning}"), &mut lines);
    }
    for problem in &plan.problems {
        tagged(Level::Error, &format!("❌ {problem}"), &mut lines);
    }
    if dry_run {
        lines.push(Line::Report(
            Level::Info,
            "Dry run: nothing was changed. Run again without --dry-run to apply.".to_owned(),
        ));
    }
    lines
}

/// A tagged line whose text is wrapped onto detail lines past 80 columns.
fn tagged(level: Level, text: &str, lines: &mut Vec<Line>) {
    let mut wrapped = Vec::new();
    details(text, &mut wrapped);
    let mut texts = wrapped.into_iter().filter_map(|line| match line {
        Line::Detail(text) => Some(text),
        _ => None,
    });
    lines.push(Line::Report(
        level,
        texts.next().unwrap_or_default().trim().to_owned(),
    ));
    lines.extend(texts.map(Line::Detail));
}

/// A resource's lines: created with its settings, repaired setting by setting, or
/// unchanged.
fn resource_lines(
    icon: &str,
    name: &str,
    action: Action,
    changes: &[crate::plan::Change],
    lines: &mut Vec<Line>,
) {
    match action {
        Action::Create => {
            lines.push(Line::Report(
                Level::Info,
                format!("{icon} {name}: will be created"),
            ));
            for change in changes {
                details(&format!("{}: {}", change.setting, change.to), lines);
            }
        }
        Action::Update => {
            lines.push(Line::Report(
                Level::Warning,
                format!("🔧 {name}: exists, will be repaired"),
            ));
            for change in changes {
                details(
                    &format!("{}: {} → {}", change.setting, change.from, change.to),
                    lines,
                );
            }
        }
        Action::Unchanged => {
            lines.push(Line::Report(
                Level::Success,
                format!("✓ {name}: exists, unchanged"),
            ));
        }
    }
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
            .chain(plan.alarms.iter().map(|a| a.action))
            .chain(plan.role.iter().map(|r| r.action));
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
        if let Some(role) = plan.role.as_ref().filter(|r| r.action != Action::Unchanged) {
            let verb = match role.action {
                Action::Create => "Created",
                _ => "Repaired",
            };
            lines.push(Line::Report(
                Level::Success,
                format!("✅ {verb} IAM role: {}", role.name),
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
            format!("✅ {summary}; every setting verified"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_wrap_at_80_columns_with_a_hanging_indent() {
        let mut lines = Vec::new();
        let text = "lifecycle: no rules → expire after 2555 days, GLACIER after 90 days, noncurrent versions after 2555 days, abort uploads after 7 days";
        details(text, &mut lines);
        let texts: Vec<String> = lines
            .into_iter()
            .map(|line| match line {
                Line::Detail(text) => text,
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(texts.len() > 1);
        assert!(
            texts.iter().all(|t| t.chars().count() <= WIDTH),
            "{texts:#?}"
        );
        assert!(texts[0].starts_with("     lifecycle:"));
        assert!(texts[1].starts_with("       ") && !texts[1].starts_with("        "));
        assert_eq!(
            texts
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            text
        );
    }
}
