//! A small site written into a temp dir for one test, and the binary run on it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use super::{guidesmith, html, sel, stderr};

/// A site in a temp dir: `site.toml` with `extra` appended, and one file per guide.
pub struct TempSite {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub out: PathBuf,
}

impl TempSite {
    pub fn new(extra_toml: &str, guides: &[(&str, &str)]) -> TempSite {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        fs::create_dir_all(root.join("guides")).unwrap();
        fs::write(
            root.join("site.toml"),
            format!("title = \"Trust\"\nbase_url = \"https://example.org/\"\n{extra_toml}\n"),
        )
        .unwrap();
        for (name, text) in guides {
            fs::write(root.join("guides").join(name), text).unwrap();
        }
        let out = tmp.path().join("out");
        TempSite {
            _tmp: tmp,
            root,
            out,
        }
    }

    pub fn run(&self, command: &str, more: &[&str]) -> Output {
        let mut args = vec![command, "--root", self.root.to_str().unwrap()];
        if command == "build" {
            args.extend(["--output", self.out.to_str().unwrap()]);
        }
        args.extend(more);
        guidesmith(&args)
    }

    pub fn build(&self) -> &Path {
        let result = self.run("build", &[]);
        assert!(result.status.success(), "build failed: {}", stderr(&result));
        &self.out
    }

    pub fn page(&self, slug: &str) -> scraper::Html {
        html(&self.out.join(slug).join("index.html"))
    }
}

pub fn text_of(doc: &scraper::Html, selector: &str) -> String {
    doc.select(&sel(selector))
        .next()
        .unwrap_or_else(|| panic!("no {selector}"))
        .text()
        .collect::<String>()
}

pub fn guide(front: &str) -> String {
    format!("---\ntitle: \"A guide\"\ndescription: \"About it.\"\n{front}---\nThe body.\n")
}
