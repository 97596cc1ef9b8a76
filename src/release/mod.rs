//! The release step of `guidesmith build --release` and `guidesmith publish`: turns the
//! rendered files into production output, in memory.
//!
//! 1. [`minify`]: HTML (minify-html), CSS (lightningcss) and JS (oxc), unless
//!    `[publish] minify = false`.
//! 2. [`fingerprint`]: CSS, JS, image and font files get a content hash in their name
//!    (`style.3f2a1b9c.css`) and every reference in HTML, CSS and XML is rewritten, so hosts can
//!    cache them forever.
//! 3. [`host_files`]: `_headers`, `_redirects`, `.nojekyll` and `CNAME` from site.toml.
//! 4. [`precompress`]: `.gz` and `.br` beside text files when `[publish] precompress = true`.
//!
//! Then [`output_check`] checks every link of the result before anything is written or sent.
//!
//! Every step is a pure function of its input, and the result is sorted by path, so the same
//! site gives the same bytes on every machine.

pub mod fingerprint;
pub mod host_files;
pub mod minify;
pub mod output_check;
pub mod precompress;
pub mod urls;

use anyhow::Result;

use crate::model::config::SiteConfig;
use crate::render::pages::OutputFile;

/// Applies the release steps to a rendered site.
pub fn apply_release(files: Vec<OutputFile>, config: &SiteConfig) -> Result<Vec<OutputFile>> {
    let files = if config.publish.minify {
        minify::minify_files(files)?
    } else {
        files
    };
    let site = urls::SiteUrls::new(config);
    let (mut files, renamed) = fingerprint::fingerprint_files(files, &site)?;
    files.extend(host_files::host_files(config, &renamed)?);
    if config.publish.precompress {
        let compressed = precompress::precompress_files(&files)?;
        files.extend(compressed);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
