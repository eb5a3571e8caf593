//! The contract's retention of each observability bucket: how long objects, noncurrent
//! versions and incomplete uploads are kept.

use std::fmt;

use serde::Serialize;

use crate::ObservabilityKind;

/// Days after which incomplete multipart uploads are aborted, in every observability bucket.
pub const ABORT_INCOMPLETE_UPLOADS_DAYS: i32 = 7;

/// The toolkit's retention rule for one observability bucket: applies to the whole bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Retention {
    /// Days after which current objects expire.
    pub expiration_days: i32,
    /// Days after which current objects move to a colder storage class, and which.
    pub transition: Option<(i32, String)>,
    /// Days after which noncurrent versions expire.
    pub noncurrent_expiration_days: i32,
    /// Days after which incomplete multipart uploads are aborted.
    pub abort_incomplete_upload_days: i32,
}

impl fmt::Display for Retention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expire after {} days", self.expiration_days)?;
        if let Some((days, class)) = &self.transition {
            write!(f, ", {class} after {days} days")?;
        }
        write!(
            f,
            ", noncurrent versions after {} days, abort uploads after {} days",
            self.noncurrent_expiration_days, self.abort_incomplete_upload_days
        )
    }
}

/// The contract's retention per kind: logs 90 days, traces 30 days, metrics 90 days,
/// audit-logs 7 years (2,555 days) moved to Glacier after 90 days. Noncurrent versions
/// expire after 30 days, except audit logs, which keep them for the full 7 years; uploads
/// left incomplete are aborted after 7 days.
impl ObservabilityKind {
    /// The contract's retention of this kind's bucket.
    pub fn retention(self) -> Retention {
        let kind = self;
        let (expiration_days, transition, noncurrent_expiration_days) = match kind {
            ObservabilityKind::Logs => (90, None, 30),
            ObservabilityKind::Traces => (30, None, 30),
            ObservabilityKind::Metrics => (90, None, 30),
            ObservabilityKind::AuditLogs => (2555, Some((90, "GLACIER".to_owned())), 2555),
        };
        Retention {
            expiration_days,
            transition,
            noncurrent_expiration_days,
            abort_incomplete_upload_days: ABORT_INCOMPLETE_UPLOADS_DAYS,
        }
    }
}
