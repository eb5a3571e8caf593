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

impl Aws {
    /// The largest S3 replication latency (seconds) CloudWatch reports for one rule over
    /// the last hour (`AWS/S3 ReplicationLatency`, published in the source's region once the
    /// rule's replication metrics are on), or `None` when it reports no datapoint.
    pub async fn replication_latency(
        &self,
        source: &str,
        destination: &str,
        rule_id: &str,
    ) -> Result<Option<f64>, AwsError> {
        let now = std::time::SystemTime::now();
        let hour_ago = now - std::time::Duration::from_secs(3600);
        let dimension =
            |name: &str, value: &str| Dimension::builder().name(name).value(value).build();
        let output = self
            .cloudwatch
            .get_metric_statistics()
            .namespace("AWS/S3")
            .metric_name("ReplicationLatency")
            .dimensions(dimension("SourceBucket", source))
            .dimensions(dimension("DestinationBucket", destination))
            .dimensions(dimension("RuleId", rule_id))
            .start_time(aws_smithy_types::DateTime::from(hour_ago))
            .end_time(aws_smithy_types::DateTime::from(now))
            .period(300)
            .statistics(Statistic::Maximum)
            .send()
            .await
            .map_err(|error| classify("GetMetricStatistics", source, error))?;
        Ok(output
            .datapoints()
            .iter()
            .filter_map(|point| point.maximum())
            .reduce(f64::max))
    }
}
