//! The bucket: connecting with credentials from the environment, reading the manifest or a
//! listing, uploading with headers, deleting. Every failure becomes one sentence naming the
//! bucket and the operation, with a hint, never a backtrace.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Result, anyhow};
use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder, AwsCredential};
use object_store::path::Path as Key;
use object_store::{
    Attribute, Attributes, BackoffConfig, GetOptions, ObjectStore, ObjectStoreExt, PutOptions,
    PutPayload, RetryConfig,
};

use super::S3Target;
use super::failure::Failure;
use super::headers::Headers;
use super::manifest::{MANIFEST_KEY, Manifest};
use super::plan::Remote;
use super::profile;

/// Environment variables any one of which gives object_store credentials to sign with.
const CREDENTIAL_VARIABLES: [&str; 4] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
];

/// A connected bucket and the prefix publish writes under.
pub(crate) struct Bucket {
    store: AmazonS3,
    name: String,
    prefix: String,
}

impl Bucket {
    pub(crate) fn connect(target: &S3Target) -> Result<Bucket> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut builder = AmazonS3Builder::from_env();
        // As with the AWS CLI: keys in the environment win over a profile, and a profile over
        // web identity and container credentials.
        if var("AWS_ACCESS_KEY_ID").is_none() {
            match profile::find_profile(&var)? {
                Some(profile) => builder = with_profile(builder, profile, target),
                None if !CREDENTIAL_VARIABLES.iter().any(|v| var(v).is_some()) => {
                    return Err(anyhow!(
                        "publish --to s3: no credentials for bucket {}\n  help: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), or AWS_PROFILE to a profile in ~/.aws/credentials",
                        target.bucket
                    ));
                }
                None => {}
            }
        }
        builder = builder
            .with_bucket_name(&target.bucket)
            .with_retry(RetryConfig {
                backoff: BackoffConfig {
                    init_backoff: Duration::from_millis(100),
                    max_backoff: Duration::from_secs(5),
                    base: 2.0,
                },
                max_retries: target.retries,
                retry_timeout: Duration::from_secs(120),
            });
        if let Some(region) = &target.region {
            builder = builder.with_region(region);
        }
        if let Some(endpoint) = &target.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        let store = builder.build().map_err(|e| {
            anyhow!(
                "publish --to s3: cannot set up bucket {}: {e}\n  help: check --endpoint and --region",
                target.bucket
            )
        })?;
        Ok(Bucket {
            store,
            name: target.bucket.clone(),
            prefix: target.prefix.clone(),
        })
    }

    /// The credentials the bucket's requests are signed with, for other AWS APIs (CloudFront).
    pub(crate) async fn credential(&self) -> Result<std::sync::Arc<AwsCredential>> {
        self.store
            .credentials()
            .get_credential()
            .await
            .map_err(|e| self.error("getting credentials for", e))
    }

    /// The key of an output path: taken as it is (`notes~v2.pdf` stays `notes~v2.pdf`, the
    /// name a browser asks for), not percent-encoded the way `Key::from` would. Only a name
    /// `Key::parse` refuses (a control character) falls back to that encoding.
    fn key(&self, path: &str) -> Key {
        let joined = if self.prefix.is_empty() {
            path.to_string()
        } else {
            format!("{}/{path}", self.prefix)
        };
        Key::parse(&joined).unwrap_or_else(|_| Key::from(joined))
    }

    /// The manifest if there is one, else a listing of the keys under the prefix.
    pub(crate) async fn read_remote(&self) -> Result<Remote> {
        match self.store.get(&self.key(MANIFEST_KEY)).await {
            Ok(got) => {
                let bytes = got
                    .bytes()
                    .await
                    .map_err(|e| self.error("reading the manifest of", e))?;
                let manifest = Manifest::from_json(&bytes).map_err(|e| {
                    anyhow!(
                        "publish --to s3: {} in bucket {} is not a manifest guidesmith can read: {e}\n  help: delete it to diff by listing instead",
                        self.key(MANIFEST_KEY),
                        self.name
                    )
                })?;
                Ok(Remote::Manifest(manifest))
            }
            Err(object_store::Error::NotFound { source, .. })
                if !source.to_string().contains("NoSuchBucket") =>
            {
                self.list().await.map(Remote::Listing)
            }
            Err(e) => Err(self.error("reading the manifest of", e)),
        }
    }

    async fn list(&self) -> Result<HashMap<String, (u64, String)>> {
        let prefix = (!self.prefix.is_empty()).then(|| Key::from(self.prefix.as_str()));
        let mut stream = self.store.list(prefix.as_ref());
        let strip = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let mut listing = HashMap::new();
        while let Some(meta) = stream.next().await {
            let meta = meta.map_err(|e| self.error("listing", e))?;
            let key = meta.location.as_ref();
            let path = key.strip_prefix(&strip).unwrap_or(key).to_string();
            let etag = meta.e_tag.unwrap_or_default().trim_matches('"').to_string();
            listing.insert(path, (meta.size, etag));
        }
        Ok(listing)
    }

    /// The headers an object is stored with (a HEAD request).
    pub(crate) async fn stored_headers(&self, path: &str) -> Result<Headers> {
        let options = GetOptions {
            head: true,
            ..Default::default()
        };
        let got = self
            .store
            .get_opts(&self.key(path), options)
            .await
            .map_err(|e| self.error(&format!("reading the headers of {path} in"), e))?;
        let text = |a: Attribute| got.attributes.get(&a).map(|v| v.as_ref().to_string());
        Ok(Headers {
            content_type: text(Attribute::ContentType).unwrap_or_default(),
            cache_control: text(Attribute::CacheControl).unwrap_or_default(),
            content_encoding: text(Attribute::ContentEncoding),
        })
    }

    pub(crate) async fn put(&self, path: &str, bytes: Vec<u8>, headers: &Headers) -> Result<()> {
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::ContentType, headers.content_type.clone().into());
        attributes.insert(
            Attribute::CacheControl,
            headers.cache_control.clone().into(),
        );
        if let Some(encoding) = &headers.content_encoding {
            attributes.insert(Attribute::ContentEncoding, encoding.clone().into());
        }
        let options = PutOptions {
            attributes,
            ..Default::default()
        };
        self.store
            .put_opts(&self.key(path), PutPayload::from(bytes), options)
            .await
            .map(|_| ())
            .map_err(|e| self.error(&format!("uploading {path} to"), e))
    }

    /// Deletes `paths` in as few requests as the store allows (S3's DeleteObjects takes up to
    /// 1,000 keys a request).
    pub(crate) async fn delete_all(&self, paths: &[String]) -> Result<()> {
        let keys: Vec<object_store::Result<Key>> = paths.iter().map(|p| Ok(self.key(p))).collect();
        let mut results = self
            .store
            .delete_stream(futures_util::stream::iter(keys).boxed());
        while let Some(result) = results.next().await {
            if let Err(e) = result {
                let what = match paths {
                    [one] => one.clone(),
                    _ => format!("{} objects", paths.len()),
                };
                return Err(self.error(&format!("deleting {what} from"), e));
            }
        }
        Ok(())
    }

    fn error(&self, operation: &str, e: object_store::Error) -> anyhow::Error {
        let (what, help) = Failure::from_error(&e).describe();
        anyhow!(
            "publish --to s3: {operation} bucket {} failed: {what}\n  help: {help}",
            self.name
        )
    }
}

/// Signs with the profile's keys; its region applies when neither the flags, site.toml nor
/// `AWS_REGION` / `AWS_DEFAULT_REGION` give one.
fn with_profile(
    builder: AmazonS3Builder,
    profile: profile::Profile,
    target: &S3Target,
) -> AmazonS3Builder {
    let mut builder = builder
        .with_access_key_id(profile.access_key_id)
        .with_secret_access_key(profile.secret_access_key);
    if let Some(token) = profile.session_token {
        builder = builder.with_token(token);
    }
    let region_set = ["AWS_REGION", "AWS_DEFAULT_REGION"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
    match profile.region {
        Some(region) if target.region.is_none() && !region_set => builder.with_region(region),
        _ => builder,
    }
}
