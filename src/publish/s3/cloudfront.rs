//! `[publish.s3] cloudfront_distribution`: after the upload, one CloudFront invalidation of
//! exactly the paths whose content changed or went away (those `purge` would send, without the
//! site's host), signed with the bucket's credentials by object_store's SigV4 signer. More than
//! [`MAX_PATHS`] paths become one wildcard for the whole site. The API is
//! `https://cloudfront.amazonaws.com`, or what `AWS_ENDPOINT_URL_CLOUDFRONT` names.

use std::time::Duration;

use anyhow::{Result, anyhow};
use object_store::aws::AwsAuthorizer;
use object_store::client::{HttpRequest, HttpRequestBody};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::bucket::Bucket;
use super::failure::s3_error_code;
use super::purge::purge_urls;
use crate::publish::Plan;

/// Above this many paths one `/*` is cheaper: AWS bills invalidations per path (a wildcard
/// counts as one), and allows 3,000 paths in progress at a time.
pub(crate) const MAX_PATHS: usize = 1000;

/// The variable the AWS SDKs read for CloudFront's endpoint.
pub(crate) const ENDPOINT_VARIABLE: &str = "AWS_ENDPOINT_URL_CLOUDFRONT";

/// Characters kept as they are in a path; the rest is percent-encoded, `*` included, since
/// CloudFront reads a plain `*` as a wildcard.
const KEPT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The paths to invalidate for `plan`, sorted: `/guides/a/` and `/guides/a/index.html` for a
/// page; `/sub/*` alone (for a site under `/sub/`) when there would be more than [`MAX_PATHS`].
pub(crate) fn invalidation_paths(plan: &Plan, base_url: &str) -> Vec<String> {
    let base = base_url.trim_end_matches('/');
    let origin_end = base
        .find("://")
        .and_then(|i| base[i + 3..].find('/').map(|j| i + 3 + j))
        .unwrap_or(base.len());
    let base_path = &base[origin_end..];
    let urls = purge_urls(plan, base_url);
    if urls.len() > MAX_PATHS {
        return vec![format!("{base_path}/*")];
    }
    urls.iter()
        .map(|url| utf8_percent_encode(&url[origin_end..], KEPT).to_string())
        .collect()
}

/// Creates one invalidation of `paths` on `distribution`.
pub(crate) async fn invalidate(
    bucket: &Bucket,
    distribution: &str,
    paths: &[String],
) -> Result<()> {
    let failed = |what: String| {
        anyhow!(
            "publish --to s3: the bucket is up to date, but invalidating {} paths of CloudFront distribution {distribution} failed: {what}\n  help: check cloudfront_distribution, and that the credentials may cloudfront:CreateInvalidation; the CDN serves the old copies until their Cache-Control runs out",
            paths.len()
        )
    };
    let endpoint = std::env::var(ENDPOINT_VARIABLE)
        .ok()
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| "https://cloudfront.amazonaws.com".to_string());
    let url = format!(
        "{}/2020-05-31/distribution/{}/invalidation",
        endpoint.trim_end_matches('/'),
        utf8_percent_encode(distribution, NON_ALPHANUMERIC)
    );
    let credential = bucket.credential().await?;
    let mut request: HttpRequest = http::Request::post(&url)
        .header("content-type", "text/xml")
        .body(HttpRequestBody::from(invalidation_batch(paths)))
        .map_err(|e| failed(format!("the endpoint {url} is not a URL ({e})")))?;
    // CloudFront is a global service, signed for us-east-1.
    AwsAuthorizer::new(&credential, "cloudfront", "us-east-1")
        .try_authorize(&mut request, None)
        .map_err(|e| failed(format!("cannot sign the request ({e})")))?;
    let (parts, body) = request.into_parts();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| failed(format!("cannot set up the client ({e})")))?;
    let response = client
        .post(&url)
        .headers(parts.headers)
        .body(body.as_bytes().map(|b| b.to_vec()).unwrap_or_default())
        .send()
        .await
        .map_err(|e| failed(format!("no answer from {url} ({e})")))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let text = response.text().await.unwrap_or_default();
    let code = s3_error_code(&text).map_or(String::new(), |c| format!(" ({c})"));
    Err(failed(format!("the server answered {status}{code}")))
}

/// The body of CreateInvalidation; the caller reference only has to be new each time.
fn invalidation_batch(paths: &[String]) -> String {
    let items: String = paths
        .iter()
        .map(|p| format!("<Path>{}</Path>", escape_xml(p)))
        .collect();
    let reference = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><InvalidationBatch xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Paths><Quantity>{}</Quantity><Items>{items}</Items></Paths><CallerReference>guidesmith-{reference}</CallerReference></InvalidationBatch>"#,
        paths.len()
    )
}

/// Paths are percent-encoded already, so only `&` could need escaping; kept for safety.
fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_the_purged_urls_without_the_host_and_encoded() {
        let plan = Plan {
            added: vec!["new/index.html".into()],
            changed: vec!["index.html".into(), "files/notes~v2[1].pdf".into()],
            removed: vec!["old/index.html".into(), "a*b.txt".into()],
        };
        assert_eq!(
            invalidation_paths(&plan, "https://example.org/sub/"),
            [
                "/sub/",
                "/sub/a%2Ab.txt",
                "/sub/files/notes~v2%5B1%5D.pdf",
                "/sub/index.html",
                "/sub/old/",
                "/sub/old/index.html",
            ]
        );
        let at_root = invalidation_paths(&plan, "https://d1.cloudfront.net");
        assert_eq!(at_root[0], "/");
    }

    #[test]
    fn too_many_paths_become_one_wildcard() {
        let plan = Plan {
            changed: (0..=MAX_PATHS).map(|i| format!("p{i}.txt")).collect(),
            ..Plan::default()
        };
        assert_eq!(
            invalidation_paths(&plan, "https://example.org/sub/"),
            ["/sub/*"]
        );
        assert_eq!(invalidation_paths(&plan, "https://example.org"), ["/*"]);
    }
}
