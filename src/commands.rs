//! What each command does, in terms of the library; prints for the user, returns errors.

use anyhow::Result;

use crate::cli::{BuildArgs, CheckArgs, Command, InitArgs, PublishArgs, PublishTo};
use crate::diagnostic::counted;
use crate::init::{init_site_with_ci, new_guide};
use crate::pipeline::{BuildOptions, build, check};
use crate::publish::{Destination, PublishOptions, publish};

/// Runs one command of the command line.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Build(args) => run_build(args),
        Command::Check(args) => run_check(args),
        Command::Init(args) => run_init(args),
        Command::Publish(args) => run_publish(args),
        Command::Serve(args) => crate::serve::serve(&crate::serve::ServeOptions {
            root: args.site.root,
            port: args.port,
            bind: args.bind,
            drafts: args.site.drafts,
            poll: args.poll,
            open: args.open,
        }),
        Command::New(args) => {
            let path = new_guide(&args.root, &args.title)?;
            println!("created {}", path.display());
            Ok(())
        }
    }
}

fn run_build(args: BuildArgs) -> Result<()> {
    let options = BuildOptions {
        output: args.output,
        base_url: args.base_url,
        drafts: args.site.drafts,
        release: args.release,
        ..Default::default()
    };
    let report = build(&args.site.root, &options)?;
    for w in &report.warnings {
        eprintln!("{w}");
    }
    let what = format!(
        "{} ({} pages, {} files)",
        counted(report.guide_count, "guide"),
        report.page_count,
        report.file_count,
    );
    let (out, ms) = (report.output_dir.display(), report.elapsed.as_millis());
    if report.up_to_date {
        println!(
            "Up to date: {out} holds the last build of {what}, and nothing has changed since (checked in {ms} ms)"
        );
    } else {
        println!("Built {what} into {out} in {ms} ms");
    }
    Ok(())
}

fn run_check(args: CheckArgs) -> Result<()> {
    let options = BuildOptions {
        base_url: args.base_url,
        drafts: args.site.drafts,
        deny_stale: args.deny_stale,
        ..Default::default()
    };
    let site = check(&args.site.root, &options)?;
    for w in &site.warnings {
        eprintln!("{w}");
    }
    println!(
        "No errors: {}, {} checked",
        counted(site.guide_count, "guide"),
        counted(site.page_count, "page")
    );
    Ok(())
}

fn run_init(args: InitArgs) -> Result<()> {
    let written = init_site_with_ci(&args.dir, args.ci)?;
    for path in written {
        println!("created {}", path.display());
    }
    if args.ci.is_some() {
        println!(
            "The workflow needs one edit: set GUIDESMITH_SOURCE in .github/workflows/pages.yml (see docs/publishing.md)"
        );
    }
    println!("Next: cd {} && guidesmith build", args.dir.display());
    Ok(())
}

fn run_publish(args: PublishArgs) -> Result<()> {
    if args.to != PublishTo::S3
        && let Some(flag) = args.s3.first_given()
    {
        anyhow::bail!(
            "{flag} is for publish --to s3 only\n  help: remove it, or publish with --to s3"
        );
    }
    let destination = match args.to {
        PublishTo::Dir => Destination::Dir(
            args.path
                .ok_or_else(|| anyhow::anyhow!("publish --to dir needs a PATH"))?,
        ),
        PublishTo::Git => Destination::Git {
            remote: args
                .remote
                .ok_or_else(|| anyhow::anyhow!("publish --to git needs --remote URL"))?,
            branch: args.branch,
            accept_foreign: args.accept_remote_changes,
        },
        PublishTo::S3 => {
            let flags = crate::publish::s3::S3Overrides {
                bucket: args.s3.bucket,
                prefix: args.s3.prefix,
                endpoint: args.s3.endpoint,
                region: args.s3.region,
                max_deletes: args.s3.max_deletes,
                jobs: args.s3.jobs,
            };
            Destination::S3(crate::publish::s3::s3_target(&args.site.root, flags)?)
        }
    };
    let max_deletes = match &destination {
        Destination::S3(t) => Some(t.max_deletes),
        _ => None,
    };
    let to = match &destination {
        Destination::Dir(path) => path.display().to_string(),
        Destination::Git { remote, branch, .. } => format!("branch {branch} of {remote}"),
        Destination::S3(t) => format!(
            "bucket {}{}",
            t.bucket,
            if t.prefix.is_empty() {
                String::new()
            } else {
                format!(" under {}", t.prefix)
            }
        ),
    };
    let build = BuildOptions {
        base_url: args.base_url,
        drafts: args.site.drafts,
        release: true,
        ..Default::default()
    };
    let report = publish(
        &args.site.root,
        &PublishOptions {
            build,
            destination,
            dry_run: args.dry_run,
        },
    )?;
    for w in &report.warnings {
        eprintln!("{w}");
    }
    let timing = format!(
        "(built in {} ms, sent in {} ms)",
        report.built_in.as_millis(),
        report.sent_in.as_millis()
    );
    if report.dry_run {
        print!("{}", report.plan);
        println!(
            "Dry run: publishing to {to} would make {}; nothing was changed",
            report.plan.summary()
        );
        if let Some(limit) = max_deletes.filter(|&m| report.plan.removed.len() > m) {
            println!(
                "A publish would stop before changing anything: {} deletes are more than --max-deletes {limit}",
                report.plan.removed.len()
            );
        }
    } else if report.plan.is_empty() {
        println!(
            "Checked {} files; {to} is already up to date {timing}",
            report.file_count
        );
    } else {
        let commit = report.commit.as_deref().map_or(String::new(), |c| {
            format!(" as commit {}", &c[..c.len().min(12)])
        });
        println!(
            "Checked {} files and published to {to}{commit}: {} {timing}",
            report.file_count,
            report.plan.summary()
        );
    }
    Ok(())
}
