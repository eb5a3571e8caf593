//! What changed between two versions of a state: resources and outputs by name, never by
//! value (a changed output is named, its values are not printed, sensitive or not).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::state::Summary;

/// Names added, removed and changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// In the newer version only.
    pub added: Vec<String>,
    /// In the older version only.
    pub removed: Vec<String>,
    /// In both, with other content.
    pub changed: Vec<String>,
}

impl Changes {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Two versions compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Serial from → to.
    pub serial: (u64, u64),
    /// Whether the lineages differ (two states, not two versions of one).
    pub lineage_differs: bool,
    /// Resources, by address.
    pub resources: Changes,
    /// Outputs, by name.
    pub outputs: Changes,
}

/// Compares `from` (older) with `to` (newer).
pub fn diff(from: &Summary, to: &Summary) -> Diff {
    let outputs = |summary: &Summary| -> BTreeMap<String, String> {
        summary
            .outputs
            .iter()
            .map(|(name, output)| {
                (
                    name.clone(),
                    format!("{}{}", output.sensitive, output.fingerprint),
                )
            })
            .collect()
    };
    Diff {
        serial: (from.serial, to.serial),
        lineage_differs: from.lineage != to.lineage,
        resources: changes(&from.resources, &to.resources),
        outputs: changes(&outputs(from), &outputs(to)),
    }
}

fn changes(from: &BTreeMap<String, String>, to: &BTreeMap<String, String>) -> Changes {
    let mut found = Changes::default();
    for (name, fingerprint) in to {
        match from.get(name) {
            None => found.added.push(name.clone()),
            Some(old) if old != fingerprint => found.changed.push(name.clone()),
            Some(_) => {}
        }
    }
    found.removed = from
        .keys()
        .filter(|name| !to.contains_key(*name))
        .cloned()
        .collect();
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::parse;

    fn summary(serial: u64, bucket: &str, extra: bool, secret: &str) -> Summary {
        let extra = if extra {
            r#",{"mode":"managed","type":"aws_s3_bucket","name":"extra","instances":[]}"#
        } else {
            ""
        };
        let text = format!(
            r#"{{"version":4,"serial":{serial},"lineage":"l","terraform_version":"1.0.3",
            "outputs":{{"name":{{"value":"{bucket}"}},"secret":{{"value":"{secret}","sensitive":true}}}},
            "resources":[{{"mode":"managed","type":"aws_s3_bucket","name":"data","instances":[{{"attributes":{{"bucket":"{bucket}"}}}}]}}{extra}]}}"#
        );
        parse(text.as_bytes()).unwrap().summary().cloned().unwrap()
    }

    #[test]
    fn names_what_was_added_removed_and_changed_never_values() {
        let from = summary(1, "one", true, "s1");
        let to = summary(2, "two", false, "s2");
        let found = diff(&from, &to);
        assert_eq!(found.serial, (1, 2));
        assert!(!found.lineage_differs);
        assert_eq!(found.resources.removed, ["aws_s3_bucket.extra"]);
        assert_eq!(found.resources.changed, ["aws_s3_bucket.data"]);
        assert_eq!(found.outputs.changed, ["name", "secret"]);
        let json = serde_json::to_string(&found).unwrap();
        for value in ["one", "two", "s1", "s2"] {
            assert!(!json.contains(&format!("\"{value}\"")), "{json}");
        }
        assert!(diff(&to, &to).resources.is_empty());
        assert_eq!(diff(&to, &from).resources.added, ["aws_s3_bucket.extra"]);
    }
}
