//! What each command does, in terms of the library; prints for the user, returns errors.

use anyhow::Result;

use crate::build::{BuildOptions, build, render_site_files};
use crate::cli::Command;
use crate::init::{init_site, new_guide};

pub fn run(command: Command) -> Result<()> {
    match command {
        Command::Build(args) => {
            let options = BuildOptions {
                output: args.output,
                base_url: args.base_url,
                drafts: args.site.drafts,
            };
            let report = build(&args.site.root, &options)?;
            for w in &report.warnings {
                eprintln!("{w}");
            }
            println!(
                "Built {} guide{} ({} pages, {} files) into {} in {} ms",
                report.guide_count,
                if report.guide_count == 1 { "" } else { "s" },
                report.page_count,
                report.file_count,
                report.output_dir.display(),
                report.elapsed.as_millis()
            );
            Ok(())
        }
        Command::Check(args) => {
            let options = BuildOptions {
                base_url: args.base_url,
                drafts: args.site.drafts,
                ..Default::default()
            };
            let site = render_site_files(&args.site.root, &options)?;
            for w in &site.warnings {
                eprintln!("{w}");
            }
            println!(
                "No errors: {} guides, {} pages checked",
                site.guide_count, site.page_count
            );
            Ok(())
        }
        Command::Init(args) => {
            let written = init_site(&args.dir)?;
            for path in written {
                println!("created {}", path.display());
            }
            println!("Next: cd {} && guidesmith build", args.dir.display());
            Ok(())
        }
        Command::New(args) => {
            let path = new_guide(&args.root, &args.title)?;
            println!("created {}", path.display());
            Ok(())
        }
    }
}
