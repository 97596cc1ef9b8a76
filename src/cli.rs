//! The command line: one `*Args` struct per command; doc comments are the `--help` text.
// The doc comments below are the command line's help text (clap), not rustdoc.
#![allow(
    rustdoc::invalid_html_tags,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links
)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// guidesmith: a static site generator for practical, step-by-step guides.
#[derive(Debug, Parser)]
#[command(name = "guidesmith", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder (public/ by default)
    Build(BuildArgs),
    /// Check config, front matter, ids and links; write nothing; exit 1 on any error
    Check(CheckArgs),
    /// Create a new site in DIR with a sample guide that uses every widget
    Init(InitArgs),
    /// Create guides/<slug>.md with a complete front-matter skeleton
    New(NewArgs),
    /// Build for production, check every link, and deploy to a folder, a git branch or an S3-compatible bucket
    Publish(PublishArgs),
    /// Serve the site locally, rebuild on every save and reload open pages
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct SiteArgs {
    /// The site's folder (the one holding site.toml)
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
    /// Include guides marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Output folder (default: output_dir from site.toml, relative to the root)
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Override base_url from site.toml, e.g. https://user.github.io/project/
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Production output: minified, fingerprinted assets, host files; links checked
    #[arg(long)]
    pub release: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Override base_url from site.toml
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Guides past their review date are errors (exit 1), not warnings
    #[arg(long)]
    pub deny_stale: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder for the new site (created if missing; existing files are never overwritten)
    pub dir: PathBuf,
    /// Also write a CI workflow that builds and deploys the site (github: GitHub Pages)
    #[arg(long, value_enum, value_name = "CI")]
    pub ci: Option<crate::init::Ci>,
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Where to publish: `dir` (a folder, given as PATH), `git` (a branch of --remote) or `s3`
    /// (an S3-compatible bucket; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)
    #[arg(long, value_enum, value_name = "KIND")]
    pub to: PublishTo,
    /// The folder to publish into, with --to dir
    #[arg(value_name = "PATH", required_if_eq("to", "dir"))]
    pub path: Option<PathBuf>,
    /// The repository to push to, with --to git (URL or path)
    #[arg(long, value_name = "URL", required_if_eq("to", "git"))]
    pub remote: Option<String>,
    /// The branch to commit to, with --to git
    #[arg(long, value_name = "NAME", default_value = "gh-pages")]
    pub branch: String,
    /// Override base_url from site.toml, e.g. https://user.github.io/project/
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Print what would be added, changed and removed; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// With --to git: publish even though the branch has commits guidesmith did not make
    /// (they stay in its history; their files are replaced by the site's output)
    #[arg(long)]
    pub accept_remote_changes: bool,
    #[command(flatten)]
    pub s3: S3Args,
}

/// `publish --to s3` flags; each falls back to `[publish.s3]` in site.toml.
#[derive(Debug, Args)]
pub struct S3Args {
    /// With --to s3: the bucket
    #[arg(long, value_name = "NAME")]
    pub bucket: Option<String>,
    /// With --to s3: the key prefix inside the bucket (default: the bucket's root)
    #[arg(long, value_name = "PATH")]
    pub prefix: Option<String>,
    /// With --to s3: an S3-compatible endpoint (Cloudflare R2, Backblaze B2, MinIO)
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// With --to s3: the bucket's region
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// With --to s3: stop, changing nothing, if more objects than this would be deleted [default: 256]
    #[arg(long, value_name = "N")]
    pub max_deletes: Option<usize>,
    /// With --to s3: uploads at once [default: 8]
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

impl S3Args {
    /// The first of these flags that was given, as typed (`--bucket`).
    pub fn first_given(&self) -> Option<&'static str> {
        [
            ("--bucket", self.bucket.is_some()),
            ("--prefix", self.prefix.is_some()),
            ("--endpoint", self.endpoint.is_some()),
            ("--region", self.region.is_some()),
            ("--max-deletes", self.max_deletes.is_some()),
            ("--jobs", self.jobs.is_some()),
        ]
        .into_iter()
        .find_map(|(flag, given)| given.then_some(flag))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum PublishTo {
    Dir,
    Git,
    S3,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The guide's title; the file name is a slug of it
    pub title: String,
    /// The site's folder (the one holding site.toml)
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub root: PathBuf,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub site: SiteArgs,
    /// Port to listen on; the next free one is taken if it is in use; 0 lets the system pick
    /// [default: [serve] port in site.toml, else 1111]
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// Address to listen on; anything but a loopback address exposes the site to the network
    /// [default: [serve] bind in site.toml, else 127.0.0.1]
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<std::net::IpAddr>,
    /// Watch by polling instead of file-system events (network drives, containers, WSL)
    #[arg(long)]
    pub poll: bool,
    /// Open the site in the default browser
    #[arg(long)]
    pub open: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
