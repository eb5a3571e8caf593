//! s3-destroy against moto over HTTP (the key scenarios on LocalStack's S3 too): full buckets end gone with nothing left; faults
//! (SlowDown, per-key errors, dropped connections) change nothing in the result and never
//! touch a bucket that was not named; backups hold every object with matching checksums or
//! fail whole; Object Lock refuses what it must.

mod backup;
mod faults;
mod locks;
mod teardown;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_client::Aws as DestroyAws;
use s3_destroy::{Options, Tally, Tuning};
use test_support::{Stores, aws, moto};

pub(crate) const REGION: &str = "us-east-1";

pub(crate) fn s3() -> aws::S3 {
    aws::s3(&aws::sdk_config())
}

pub(crate) fn store() -> Arc<DestroyAws> {
    Arc::new(DestroyAws::new(&aws::client_config()))
}

/// The toolkit's clients for `stores`, in [`REGION`].
pub(crate) fn store_on(stores: &Stores) -> Arc<DestroyAws> {
    Arc::new(DestroyAws::new(&stores.client_config(REGION)))
}

/// Inventory, plan and execute `bucket` with `store`; the tally and the entries the
/// progress callback counted.
pub(crate) async fn destroy(
    store: Arc<DestroyAws>,
    bucket: &str,
    options: Options,
    tuning: Tuning,
) -> (Tally, u64) {
    let inventory = s3_destroy::inventory(&*store, bucket)
        .await
        .expect("inventory");
    let plan = s3_destroy::plan(&inventory, options, chrono::Utc::now()).expect("a plan");
    let counted = Arc::new(AtomicU64::new(0));
    let progress = Arc::clone(&counted);
    let tally = s3_destroy::execute(
        store,
        &plan,
        &inventory,
        tuning,
        Arc::new(move |entries: u64, _bytes: u64| {
            progress.fetch_add(entries, Ordering::Relaxed);
        }),
    )
    .await
    .expect("executed");
    (tally, counted.load(Ordering::Relaxed))
}

#[test]
fn moto_is_running() {
    assert!(moto().endpoint().starts_with("http://127.0.0.1:"));
}
