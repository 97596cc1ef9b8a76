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
//! Then [`output_check`] checks every link of the result ([`scan`] reads each file, in the
//! same pass that renames references in a page) before the output is swapped in or sent.
//!
//! [`Release`] applies the steps one file at a time, so `build --release` streams pages to
//! disk as a plain build does; [`apply_release`] is the same on a site held in memory
//! (`publish`). Every step is a pure function of its input, so the same site gives the same
//! bytes on every machine.

pub mod fingerprint;
pub mod host_files;
pub mod minify;
pub mod output_check;
pub mod precompress;
pub(crate) mod scan;
pub mod urls;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Result;
use rayon::prelude::*;

use crate::model::config::SiteConfig;
use crate::release::fingerprint::Fingerprints;
use crate::release::scan::Scan;
use crate::render::pages::OutputFile;

/// The release steps for one site, applied file by file; see the module docs.
pub(crate) struct Release {
    fingerprints: Fingerprints,
    minify: bool,
    precompress: bool,
    scanned: Mutex<Scanned>,
}

/// Each file's scan, and every output path, for the output check at the end.
#[derive(Default)]
struct Scanned {
    scans: Vec<(String, Scan)>,
    paths: HashSet<String>,
}

impl Release {
    /// Starts a release with the site's static files, whose assets' new names the pages
    /// will refer to; gives the released static files.
    pub(crate) fn begin(
        config: &SiteConfig,
        statics: Vec<OutputFile>,
    ) -> Result<(Release, Vec<OutputFile>)> {
        let minify = config.publish.minify;
        let mut statics = if minify {
            minify::minify_files(statics)?
        } else {
            statics
        };
        let site = urls::SiteUrls::new(config);
        let release = Release {
            fingerprints: Fingerprints::of_assets(&mut statics, site),
            minify,
            precompress: config.publish.precompress,
            scanned: Mutex::default(),
        };
        let released = statics
            .into_par_iter()
            .map(|f| release.finish_file(f))
            .collect::<Result<Vec<_>>>()?;
        Ok((release, released.into_iter().flatten().collect()))
    }

    /// A rendered page, released: minified, references renamed, scanned; with its
    /// compressed companions when `[publish] precompress` is on.
    pub(crate) fn page(&self, page: OutputFile) -> Result<Vec<OutputFile>> {
        let page = if self.minify {
            minify::minify_file(page)?
        } else {
            page
        };
        self.finish_file(page)
    }

    fn finish_file(&self, mut file: OutputFile) -> Result<Vec<OutputFile>> {
        let scan = self.fingerprints.apply(&mut file);
        self.scanned_as_is(file, scan)
    }

    /// Records `file` for the output check; gives it with its compressed companions.
    fn scanned_as_is(&self, file: OutputFile, scan: Scan) -> Result<Vec<OutputFile>> {
        let mut files = vec![file];
        if self.precompress {
            files.extend(precompress::companions(&files[0])?);
        }
        let mut scanned = self.scanned.lock().unwrap_or_else(|e| e.into_inner());
        scanned.scans.push((files[0].path.clone(), scan));
        scanned.paths.extend(files.iter().map(|f| f.path.clone()));
        Ok(files)
    }

    /// Adds the host files (`_headers` and the like) and checks the whole output;
    /// `sources` maps guide pages to their guide files. Gives the host files.
    pub(crate) fn finish(
        self,
        config: &SiteConfig,
        sources: &BTreeMap<String, PathBuf>,
    ) -> Result<Vec<OutputFile>> {
        let mut files = Vec::new();
        for mut file in host_files::host_files(config, &self.fingerprints.renamed())? {
            let scan = scan::scan_file(&mut file, &|_| None);
            files.extend(self.scanned_as_is(file, scan)?);
        }
        let scanned = self.scanned.into_inner().unwrap_or_else(|e| e.into_inner());
        let site = urls::SiteUrls::new(config);
        output_check::check_output(&scanned.scans, &scanned.paths, &site, sources)?;
        Ok(files)
    }
}

/// The release steps and the output check on a site held in memory; the result is sorted by
/// path.
pub(crate) fn apply_release(
    files: Vec<OutputFile>,
    config: &SiteConfig,
    sources: &BTreeMap<String, PathBuf>,
) -> Result<Vec<OutputFile>> {
    let (release, mut files) = Release::begin(config, files)?;
    files.extend(release.finish(config, sources)?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
