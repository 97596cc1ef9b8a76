//! `publish --to s3`: the checked release output, uploaded to an S3-compatible bucket
//! (AWS S3, Cloudflare R2, Backblaze B2, MinIO) under a key prefix.
//!
//! 1. `bucket::Bucket::read_remote` reads the `manifest` object (or, when it is missing,
//!    lists the prefix and compares ETags with MD5s).
//! 2. `plan::plan_objects` diffs the local files, with their `headers`, against it; a dry
//!    run stops here. Nothing changed means no request beyond that one read. More than
//!    `max_deletes` deletes stops the publish here too, before anything is changed.
//! 3. A widened manifest is written (the old one plus every key about to be added), then the
//!    uploads run in `plan::upload_batches` order (assets, new pages and listings, changed
//!    pages, changed listings), `jobs` at a time; then a manifest of the new files plus the
//!    keys left to delete; then the deletes in `plan::delete_batches` order (pages, then
//!    assets); then the final manifest.
//!
//! A publish stopped at any point leaves every page's references resolvable (a page is uploaded
//! only after the assets it names, and nothing is deleted before the new pages are up), and the
//! next publish completes it. `failure` turns a failed request into one sentence; with a
//! `purge_url`, `purge` then tells the CDN which URLs changed, and with a
//! `cloudfront_distribution`, `cloudfront` invalidates their paths. `profile` reads the keys of
//! an AWS CLI profile when the environment has none.

pub(crate) mod bucket;
pub(crate) mod cloudfront;
pub(crate) mod failure;
pub(crate) mod headers;
pub(crate) mod manifest;
pub(crate) mod plan;
pub(crate) mod profile;
pub(crate) mod purge;

use std::collections::HashMap;

use anyhow::{Context, Result, bail};
use futures_util::{StreamExt, TryStreamExt};

use super::Plan;
use crate::diagnostic::Diagnostics;
use crate::model::config::{S3HeaderRule, SiteConfig};
use crate::render::pages::OutputFile;
use bucket::Bucket;
use manifest::{MANIFEST_KEY, Manifest};
use plan::{
    LocalObject, Remote, delete_batches, final_manifest, local_objects, manifest_before_deletes,
    plan_objects, upload_batches, widened_manifest,
};

/// A bucket to publish into; flags over `[publish.s3]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Target {
    pub bucket: String,
    /// Without leading or trailing `/`; empty for the bucket's root.
    pub prefix: String,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub max_deletes: usize,
    pub jobs: usize,
    pub retries: usize,
    /// Header overrides by key pattern, from `[[publish.s3.headers]]`.
    pub headers: Vec<S3HeaderRule>,
    /// The CDN purge endpoint, from `[publish.s3] purge_url`.
    pub purge_url: Option<String>,
    /// From `[publish.s3] cloudfront_distribution`.
    pub cloudfront_distribution: Option<String>,
}

/// Publishes `files` of the site at `base_url` to the bucket; returns what changed (on a dry
/// run, what would).
pub fn publish_to_s3(
    target: &S3Target,
    files: &[OutputFile],
    base_url: &str,
    dry_run: bool,
) -> Result<Plan> {
    if files.iter().any(|f| f.path == MANIFEST_KEY) {
        bail!(
            "the site's output has a file named {MANIFEST_KEY}, which publish --to s3 keeps for itself\n  help: rename that file"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the upload runtime")?;
    runtime.block_on(async {
        let bucket = Bucket::connect(target)?;
        let plan = publish_async(&bucket, target, files, dry_run).await?;
        if !dry_run {
            tell_cdn(&bucket, target, &plan, base_url).await?;
        }
        Ok(plan)
    })
}

/// After the upload: the purge hook and the CloudFront invalidation, each only when set and
/// when something changed or went away.
async fn tell_cdn(bucket: &Bucket, target: &S3Target, plan: &Plan, base_url: &str) -> Result<()> {
    if let Some(purge_url) = target.purge_url.as_deref() {
        let urls = purge::purge_urls(plan, base_url);
        if !urls.is_empty() {
            purge::purge(purge_url, &urls).await?;
        }
    }
    if let Some(distribution) = target.cloudfront_distribution.as_deref() {
        let paths = cloudfront::invalidation_paths(plan, base_url);
        if !paths.is_empty() {
            cloudfront::invalidate(bucket, distribution, &paths).await?;
        }
    }
    Ok(())
}

async fn publish_async(
    bucket: &Bucket,
    target: &S3Target,
    files: &[OutputFile],
    dry_run: bool,
) -> Result<Plan> {
    let local = local_objects(files, &target.headers);
    let remote = bucket.read_remote().await?;
    let mut plan = plan_objects(&local, &remote);
    if let Remote::Listing(_) = &remote {
        plan.changed
            .extend(listed_with_other_headers(bucket, target.jobs, &local, &plan).await?);
        plan.changed.sort();
    }
    if plan.removed.len() > target.max_deletes && !dry_run {
        bail!(
            "publish --to s3: {} objects would be deleted from bucket {}, more than --max-deletes {}; nothing was changed\n  help: check the site's output, then raise --max-deletes (or [publish.s3] max_deletes)",
            plan.removed.len(),
            target.bucket,
            target.max_deletes
        );
    }
    if dry_run || plan.is_empty() {
        return Ok(plan);
    }
    let previous = match &remote {
        Remote::Manifest(m) => m.clone(),
        Remote::Listing(_) => Manifest::default(),
    };
    let mut written = previous.clone();
    put_manifest_if_changed(
        bucket,
        &mut written,
        widened_manifest(&previous, &plan, &local),
    )
    .await?;
    let by_path: HashMap<&str, &LocalObject<'_>> = local.iter().map(|o| (o.path, o)).collect();
    for batch in upload_batches(&plan) {
        run_all(
            target.jobs,
            batch.iter().map(|path| {
                let object = by_path[path.as_str()];
                bucket.put(object.path, object.bytes.to_vec(), &object.entry.headers)
            }),
        )
        .await?;
    }
    put_manifest_if_changed(
        bucket,
        &mut written,
        manifest_before_deletes(&previous, &plan, &local),
    )
    .await?;
    for batch in delete_batches(&plan) {
        bucket.delete_all(&batch).await?;
    }
    put_manifest_if_changed(bucket, &mut written, final_manifest(&local)).await?;
    Ok(plan)
}

/// Without a manifest, the listing shows an object's bytes but not its headers: each object
/// whose bytes match is asked for them, and those stored with other headers (uploaded by
/// another tool, say without Cache-Control) are uploaded again.
async fn listed_with_other_headers(
    bucket: &Bucket,
    jobs: usize,
    local: &[LocalObject<'_>],
    plan: &Plan,
) -> Result<Vec<String>> {
    let planned: std::collections::HashSet<&str> = plan
        .added
        .iter()
        .chain(&plan.changed)
        .map(String::as_str)
        .collect();
    let matching = local.iter().filter(|o| !planned.contains(o.path));
    let differing: Vec<Option<String>> = futures_util::stream::iter(matching.map(|o| async move {
        let stored = bucket.stored_headers(o.path).await?;
        Ok::<_, anyhow::Error>((stored != o.entry.headers).then(|| o.path.to_string()))
    }))
    .buffer_unordered(jobs.max(1))
    .try_collect()
    .await?;
    Ok(differing.into_iter().flatten().collect())
}

/// Writes `next` as the manifest unless it is what the bucket already holds (`written`).
async fn put_manifest_if_changed(
    bucket: &Bucket,
    written: &mut Manifest,
    next: Manifest,
) -> Result<()> {
    if *written == next {
        return Ok(());
    }
    let headers = headers::Headers {
        content_type: "application/json".to_string(),
        cache_control: "no-store".to_string(),
        content_encoding: None,
    };
    bucket.put(MANIFEST_KEY, next.to_json(), &headers).await?;
    *written = next;
    Ok(())
}

/// Runs the requests `jobs` at a time and stops at the first error: requests not yet started
/// are not sent, so a publish that lost its server gives up at once.
async fn run_all<F>(jobs: usize, requests: impl Iterator<Item = F>) -> Result<()>
where
    F: std::future::Future<Output = Result<()>>,
{
    futures_util::stream::iter(requests)
        .buffer_unordered(jobs.max(1))
        .try_collect::<()>()
        .await
}

/// What the command line says about the bucket; each `None` falls back to `[publish.s3]`.
#[derive(Clone, Debug, Default)]
pub struct S3Overrides {
    pub bucket: Option<String>,
    pub prefix: Option<String>,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub max_deletes: Option<usize>,
    pub jobs: Option<usize>,
}

/// The target from `publish --to s3` flags, each falling back to `[publish.s3]` in site.toml.
pub fn s3_target(root: &std::path::Path, flags: S3Overrides) -> Result<S3Target> {
    let config = SiteConfig::load(root)
        .map_err(|d| Diagnostics(vec![d]))?
        .publish
        .s3;
    let bucket = flags.bucket.or(config.bucket).ok_or_else(|| {
        anyhow::anyhow!(
            "publish --to s3 needs a bucket\n  help: pass --bucket NAME or set bucket under [publish.s3] in site.toml"
        )
    })?;
    Ok(S3Target {
        bucket,
        prefix: flags
            .prefix
            .unwrap_or(config.prefix)
            .trim_matches('/')
            .to_string(),
        endpoint: flags.endpoint.or(config.endpoint),
        region: flags.region.or(config.region),
        max_deletes: flags.max_deletes.unwrap_or(config.max_deletes),
        jobs: flags.jobs.unwrap_or(config.jobs),
        retries: config.retries,
        headers: config.headers,
        purge_url: config.purge_url,
        cloudfront_distribution: config.cloudfront_distribution,
    })
}
