//! `.gz` and `.br` files beside text files, for hosts and servers that serve precompressed
//! files (`gzip_static`, Caddy's `precompressed`, S3 with Content-Encoding).
//!
//! Both encoders are deterministic: gzip (level 9) with no file name and a zero timestamp,
//! brotli at quality 11 for stylesheets, scripts and SVG (few, small, cached for a year) and 9
//! for pages (11 is several times slower for a small gain: on 1,000 guides, a minute instead
//! of ten seconds). A compressed file is written only when it is smaller than the original.

use std::io::Write;

use anyhow::{Context, Result};

use super::minify::extension;
use crate::render::pages::OutputFile;

const TEXT: &[&str] = &[
    "html",
    "htm",
    "css",
    "js",
    "mjs",
    "xml",
    "json",
    "txt",
    "svg",
    "webmanifest",
];

/// The `.gz` and `.br` companions of `f` if it is a text file, each only if smaller.
pub(crate) fn companions(f: &OutputFile) -> Result<Vec<OutputFile>> {
    let mut out = Vec::new();
    if !TEXT.contains(&extension(&f.path)) {
        return Ok(out);
    }
    let quality = if ["css", "js", "mjs", "svg"].contains(&extension(&f.path)) {
        11
    } else {
        9
    };
    for (suffix, bytes) in [("gz", gzip(&f.bytes)), ("br", brotli(&f.bytes, quality))] {
        let bytes = bytes.with_context(|| format!("compressing {}", f.path))?;
        if bytes.len() < f.bytes.len() {
            out.push(OutputFile {
                path: format!("{}.{suffix}", f.path),
                bytes,
            });
        }
    }
    Ok(out)
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes)?;
    encoder.finish()
}

fn brotli(bytes: &[u8], quality: i32) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn compresses_text_files_deterministically_and_round_trips() {
        let page = "<p>hello hello hello hello hello hello hello hello</p>".repeat(20);
        let files = vec![
            OutputFile {
                path: "index.html".into(),
                bytes: page.clone().into_bytes(),
            },
            OutputFile {
                path: "a.png".into(),
                bytes: page.clone().into_bytes(),
            },
            OutputFile {
                path: "tiny.css".into(),
                bytes: b"a{}".to_vec(),
            },
        ];
        let all = |files: &[OutputFile]| -> Vec<OutputFile> {
            files.iter().flat_map(|f| companions(f).unwrap()).collect()
        };
        let out = all(&files);
        let paths: Vec<&str> = out.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["index.html.gz", "index.html.br"]);
        assert_eq!(out, all(&files));
        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(&out[0].bytes[..])
            .read_to_string(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, page);
        let mut unbrotli = Vec::new();
        brotli::BrotliDecompress(&mut &out[1].bytes[..], &mut unbrotli).unwrap();
        assert_eq!(unbrotli, page.as_bytes());
    }
}
