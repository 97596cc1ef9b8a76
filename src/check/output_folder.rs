//! Which folder a build may replace, and which a publish may write into. The output folder is
//! replaced wholesale on every build, so it must never be, hold or sit inside anything the
//! author wrote: the site root, `guides_dir`, `static/`, the theme, `site.toml` or a `.git`.
//! `check`, `build`, `serve` and `publish` all load the configuration through
//! `pipeline::load_config`, which runs this check, so they refuse the same folders.
//! `publish --to dir` adds files beside others, so its folder may hold sources (the site root
//! for GitHub Pages), but it may not be or sit inside the guides, `static/`, the theme, `.git`
//! or the output folder, which the next build would replace.

use std::path::{Component, Path, PathBuf};

use crate::diagnostic::{Diagnostic, Position};
use crate::model::config::{CONFIG_FILE, SiteConfig};

/// Why a folder cannot be the output, and what to do instead.
#[derive(Debug)]
pub struct RefusedOutput {
    pub message: String,
    pub help: &'static str,
}

impl RefusedOutput {
    /// As a diagnostic at the `output_dir` key of site.toml, whose text is `toml`.
    pub fn at_site_toml(self, toml: &str) -> Diagnostic {
        Diagnostic::error(
            Path::new(CONFIG_FILE),
            key_position(toml, "output_dir"),
            self.message,
        )
        .with_help(self.help)
    }
}

/// Refuses an output folder that is, contains or lies inside a folder or file of the site's
/// sources. `output` is the folder as given (relative to the working directory if relative).
pub fn check_output_folder(
    root: &Path,
    config: &SiteConfig,
    output: &Path,
) -> Result<(), RefusedOutput> {
    let root = resolve(root);
    let output = resolve(output);
    let theme = root.join("themes").join(&config.theme);
    let sources: [(PathBuf, &str, bool); 6] = [
        (root.clone(), "the site root", false),
        (root.join(&config.guides_dir), "the guides folder", true),
        (root.join("static"), "the static folder", true),
        (theme, "the theme folder", true),
        (root.join(CONFIG_FILE), "site.toml", false),
        (root.join(".git"), "the git repository", true),
    ];
    for (path, name, no_output_inside) in &sources {
        let path = resolve(path);
        let problem = if output == path {
            Some(format!("is {name}"))
        } else if path.starts_with(&output) {
            Some(format!("contains {name} ({})", shown(&root, &path)))
        } else if *no_output_inside && output.starts_with(&path) {
            Some(format!("is inside {name} ({})", shown(&root, &path)))
        } else {
            None
        };
        if let Some(problem) = problem {
            let message = format!(
                "the output folder {} {problem}: every build replaces the output folder, so this would delete what you wrote",
                shown(&root, &output)
            );
            let help = "write the site to a folder of its own, e.g. output_dir = \"public\" (to publish into a folder such as docs/ for GitHub Pages, use `guidesmith publish --to dir`)";
            return Err(RefusedOutput { message, help });
        }
    }
    Ok(())
}

/// Refuses a `publish --to dir` folder that is or lies inside the guides, `static/`, the
/// theme, `.git` or the output folder.
pub fn check_publish_folder(
    root: &Path,
    config: &SiteConfig,
    target: &Path,
) -> Result<(), RefusedOutput> {
    let root = resolve(root);
    let target = resolve(target);
    let places = [
        (root.join(&config.guides_dir), "the guides folder"),
        (root.join("static"), "the static folder"),
        (root.join("themes").join(&config.theme), "the theme folder"),
        (root.join(".git"), "the git repository"),
        (
            root.join(&config.output_dir),
            "the output folder, which every build replaces",
        ),
    ];
    for (path, name) in places {
        let path = resolve(&path);
        if target.starts_with(&path) {
            let how = if target == path { "is" } else { "is inside" };
            return Err(RefusedOutput {
                message: format!(
                    "the folder {} {how} {name} ({})",
                    shown(&root, &target),
                    shown(&root, &path)
                ),
                help: "publish into a folder of its own, e.g. `--to dir docs` for GitHub Pages, or `--to dir .` for the repository root",
            });
        }
    }
    Ok(())
}

/// An absolute path with `.` and `..` resolved and symlinks followed as far as the path exists.
fn resolve(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut clean = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    // Follow symlinks in the part that exists; keep the rest as written.
    let mut existing = clean.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_os_string()),
            None => break,
        }
        existing.pop();
    }
    let mut resolved = existing.canonicalize().unwrap_or(existing);
    resolved.extend(rest.iter().rev());
    resolved
}

fn shown(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) if rel.as_os_str().is_empty() => "`.`".to_string(),
        Ok(rel) => format!("`{}`", rel.display()),
        Err(_) => format!("`{}`", path.display()),
    }
}

/// The line of `key = ...` in a TOML text, column 1.
fn key_position(text: &str, key: &str) -> Position {
    text.lines()
        .position(|l| {
            l.trim_start()
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
        })
        .map_or(Position::START, |i| Position::new(i + 1, 1))
}
