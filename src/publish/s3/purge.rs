//! The CDN purge after a publish, when `[publish.s3] purge_url` is set: exactly the URLs whose
//! content changed or went away are sent, as `POST purge_url` with the JSON body
//! `{"files": [URL, ...]}` (the body of Cloudflare's `purge_cache`), at most
//! [`URLS_PER_REQUEST`] a request, with `Authorization: Bearer $GUIDESMITH_PURGE_TOKEN` when
//! that variable is set. New keys are not sent (nothing is cached under them), nor the `.gz` /
//! `.br` variants (they are served under the plain file's URL).

use std::time::Duration;

use anyhow::{Result, anyhow};

use crate::publish::Plan;

/// Cloudflare takes at most 30 URLs in one purge request on every plan.
pub(crate) const URLS_PER_REQUEST: usize = 30;

/// The environment variable whose value is sent as the bearer token.
pub(crate) const TOKEN_VARIABLE: &str = "GUIDESMITH_PURGE_TOKEN";

/// The URLs to purge for `plan`, sorted: a page `guides/a/index.html` is purged both as
/// `BASE/guides/a/index.html` and as `BASE/guides/a/`, the URL the site links to.
pub(crate) fn purge_urls(plan: &Plan, base_url: &str) -> Vec<String> {
    let base = base_url.trim_end_matches('/');
    let mut urls: Vec<String> = plan
        .changed
        .iter()
        .chain(&plan.removed)
        .filter(|p| !p.ends_with(".gz") && !p.ends_with(".br"))
        .flat_map(|path| {
            let file = format!("{base}/{path}");
            let folder = path
                .strip_suffix("index.html")
                .filter(|dir| dir.is_empty() || dir.ends_with('/'))
                .map(|dir| format!("{base}/{dir}"));
            std::iter::once(file).chain(folder)
        })
        .collect();
    urls.sort();
    urls.dedup();
    urls
}

/// Sends `urls` to `purge_url`; the first failure names the purge URL and the status.
pub(crate) async fn purge(purge_url: &str, urls: &[String]) -> Result<()> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| anyhow!("publish --to s3: cannot set up the purge client: {e}"))?;
    let token = std::env::var(TOKEN_VARIABLE).ok().filter(|t| !t.is_empty());
    for batch in urls.chunks(URLS_PER_REQUEST) {
        let body = serde_json::json!({ "files": batch }).to_string();
        let mut request = client
            .post(purge_url)
            .header("Content-Type", "application/json")
            .body(body);
        if let Some(token) = &token {
            request = request.bearer_auth(token);
        }
        let failed = |what: String| {
            anyhow!(
                "publish --to s3: the bucket is up to date, but purging {} URLs at {purge_url} failed: {what}\n  help: check purge_url and {TOKEN_VARIABLE}; the CDN serves the old copies until their Cache-Control runs out",
                urls.len()
            )
        };
        let response = request
            .send()
            .await
            .map_err(|e| failed(format!("no answer ({})", root_cause(&e))))?;
        let status = response.status();
        if !status.is_success() {
            return Err(failed(format!("the server answered {status}")));
        }
    }
    Ok(())
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_and_removed_pages_are_purged_as_files_and_folders() {
        let plan = Plan {
            added: vec!["new/index.html".into(), "style.12345678.css".into()],
            changed: vec![
                "index.html".into(),
                "index.html.gz".into(),
                "alpha/index.html".into(),
                "atom.xml".into(),
            ],
            removed: vec!["old/index.html".into(), "old/index.html.br".into()],
        };
        assert_eq!(
            purge_urls(&plan, "https://example.org/sub/"),
            [
                "https://example.org/sub/",
                "https://example.org/sub/alpha/",
                "https://example.org/sub/alpha/index.html",
                "https://example.org/sub/atom.xml",
                "https://example.org/sub/index.html",
                "https://example.org/sub/old/",
                "https://example.org/sub/old/index.html",
            ]
        );
    }

    #[test]
    fn a_file_named_like_an_index_is_not_a_folder() {
        let plan = Plan {
            changed: vec!["notindex.html".into()],
            ..Plan::default()
        };
        assert_eq!(
            purge_urls(&plan, "https://example.org"),
            ["https://example.org/notindex.html"]
        );
    }
}
