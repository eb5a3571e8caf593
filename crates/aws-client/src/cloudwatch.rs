//! CloudWatch: metric alarms, as the toolkit sets them and reads them back.

use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic};
use serde::Serialize;

use crate::Aws;
use crate::error::{AwsError, classify};

/// A CloudWatch metric alarm, as the toolkit sets it and reads it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlarmSpec {
    /// The alarm name.
    pub name: String,
    /// What it watches, in words.
    pub description: String,
    /// `AWS/DynamoDB`, `AWS/S3`.
    pub namespace: String,
    /// The metric name.
    pub metric: String,
    /// Dimensions, sorted by name.
    pub dimensions: Vec<(String, String)>,
    /// `Sum`.
    pub statistic: String,
    /// The period in seconds.
    pub period: i32,
    /// How many periods.
    pub evaluation_periods: i32,
    /// The threshold.
    pub threshold: i64,
    /// The comparison, as CloudWatch names it.
    pub comparison: String,
    /// The SNS topics notified.
    pub actions: Vec<String>,
}

impl Aws {
    /// The alarms with these names that exist.
    pub async fn describe_alarms(&self, names: &[String]) -> Result<Vec<AlarmSpec>, AwsError> {
        let output = self
            .cloudwatch
            .describe_alarms()
            .set_alarm_names(Some(names.to_vec()))
            .send()
            .await
            .map_err(|error| classify("DescribeAlarms", &names.join(", "), error))?;
        Ok(output
            .metric_alarms()
            .iter()
            .map(|alarm| {
                let mut dimensions: Vec<(String, String)> = alarm
                    .dimensions()
                    .iter()
                    .map(|d| {
                        (
                            d.name().unwrap_or_default().to_owned(),
                            d.value().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect();
                dimensions.sort();
                AlarmSpec {
                    name: alarm.alarm_name().unwrap_or_default().to_owned(),
                    description: alarm.alarm_description().unwrap_or_default().to_owned(),
                    namespace: alarm.namespace().unwrap_or_default().to_owned(),
                    metric: alarm.metric_name().unwrap_or_default().to_owned(),
                    dimensions,
                    statistic: alarm
                        .statistic()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    period: alarm.period().unwrap_or_default(),
                    evaluation_periods: alarm.evaluation_periods().unwrap_or_default(),
                    threshold: alarm.threshold().unwrap_or_default().round() as i64,
                    comparison: alarm
                        .comparison_operator()
                        .map(|c| c.as_str().to_owned())
                        .unwrap_or_default(),
                    actions: alarm.alarm_actions().to_vec(),
                }
            })
            .collect())
    }

    /// Creates or overwrites an alarm.
    pub async fn put_alarm(&self, alarm: &AlarmSpec) -> Result<(), AwsError> {
        let dimensions = alarm
            .dimensions
            .iter()
            .map(|(name, value)| Dimension::builder().name(name).value(value).build())
            .collect();
        self.cloudwatch
            .put_metric_alarm()
            .alarm_name(&alarm.name)
            .alarm_description(&alarm.description)
            .namespace(&alarm.namespace)
            .metric_name(&alarm.metric)
            .set_dimensions(Some(dimensions))
            .statistic(Statistic::from(alarm.statistic.as_str()))
            .period(alarm.period)
            .evaluation_periods(alarm.evaluation_periods)
            .threshold(alarm.threshold as f64)
            .comparison_operator(ComparisonOperator::from(alarm.comparison.as_str()))
            .set_alarm_actions(Some(alarm.actions.clone()))
            .treat_missing_data("notBreaching")
            .send()
            .await
            .map(drop)
            .map_err(|error| classify("PutMetricAlarm", &alarm.name, error))
    }
}
