//! `publish --to git`: the output as the new tip of a branch, with real git, then pushed.
//!
//! 1. A private bare repository in a temporary folder fetches the branch's tip (shallow: only
//!    the tip's tree is needed). A missing branch is created with no parent (an orphan).
//! 2. The tip must carry our trailer (`Published-by: guidesmith`). If it does not, someone
//!    else committed to the branch: publish stops and says so; nothing is overwritten.
//! 3. The output is written to a folder, staged with a private index, and committed with the
//!    old tip as parent (history kept) and a message naming the site's source commit.
//! 4. A plain push (never forced): if the branch moved meanwhile, git refuses and so do we.
//!
//! Plumbing commands (`write-tree`, `commit-tree`) are used instead of a checkout, so the
//! site's own repository and working tree are never touched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, anyhow, bail};

use super::Plan;
use crate::pipeline::RenderedSite;

/// The trailer that marks commits made by `guidesmith publish`.
pub const TRAILER: &str = "Published-by: guidesmith";

#[derive(Clone, Debug)]
pub struct GitTarget {
    /// A URL or path git understands (`git@github.com:u/r.git`, `file:///srv/site.git`).
    pub remote: String,
    pub branch: String,
    /// Commit on top of a tip guidesmith did not make (it stays in the history).
    pub accept_foreign: bool,
}

/// What was (or would be) published.
pub struct GitPublish {
    pub plan: Plan,
    /// The new tip, when one was pushed.
    pub commit: Option<String>,
}

/// Commits `site.files` as the new tip of `target.branch` and pushes it.
pub fn publish_to_git(
    root: &Path,
    target: &GitTarget,
    site: &RenderedSite,
    dry_run: bool,
) -> Result<GitPublish> {
    check_branch_name(&target.branch)?;
    check_remote(&target.remote)?;
    let remote = local_remote(&target.remote);
    let work = tempfile::Builder::new()
        .prefix("guidesmith-publish-")
        .tempdir()
        .context("creating a temporary folder for git")?;
    let repo = Git::init(&work.path().join("repo.git"))?;
    let tip = remote_tip(&repo, &remote, &target.branch)?;
    if let Some(tip) = &tip {
        fetch_own_tip(&repo, &remote, target, tip)?;
    }
    let tree_dir = work.path().join("tree");
    write_tree_dir(&tree_dir, site)?;
    let index = work.path().join("index");
    let staged = repo.with_index(&index).with_work_tree(&tree_dir);
    staged
        .run(&["add", "--all", "--force", "."])
        .context("staging the output")?;
    let tree = staged.run(&["write-tree"])?.trim().to_string();
    let plan = match &tip {
        Some(tip) => diff_plan(&repo, &format!("{tip}^{{tree}}"), &tree)?,
        None => Plan {
            added: site.files.iter().map(|f| f.path.clone()).collect(),
            ..Plan::default()
        },
    };
    if dry_run || plan.is_empty() {
        return Ok(GitPublish { plan, commit: None });
    }
    let message = commit_message(root, &site.config.title);
    let mut args = vec!["commit-tree", tree.as_str()];
    if let Some(tip) = &tip {
        args.extend(["-p", tip.as_str()]);
    }
    let commit = repo
        .with_identity()?
        .run_with_input(&args, &message)?
        .trim()
        .to_string();
    repo.run(&["push", "--quiet", "--", &remote, &format!("{commit}:refs/heads/{}", target.branch)]).map_err(|e| {
        anyhow!("pushing to branch {} of {}: {e:#}\n  help: if the branch moved while publishing, run publish again", target.branch, target.remote)
    })?;
    Ok(GitPublish {
        plan,
        commit: Some(commit),
    })
}

/// Fetches the branch's tip `tip` and makes sure guidesmith made it (or the user accepts
/// foreign commits).
fn fetch_own_tip(repo: &Git, remote: &str, target: &GitTarget, tip: &str) -> Result<()> {
    repo.run(&[
        "fetch",
        "--quiet",
        "--depth=1",
        "--",
        remote,
        &format!("+refs/heads/{0}:refs/heads/{0}", target.branch),
    ])
    .with_context(|| format!("fetching branch {} from {}", target.branch, target.remote))?;
    let message = repo.run(&["log", "-1", "--format=%B", tip])?;
    if !target.accept_foreign && !message.lines().any(|l| l.trim_start().starts_with(TRAILER)) {
        let who = repo.run(&["log", "-1", "--format=%h by %an: %s", tip])?;
        bail!(
            "branch {} of {} has a commit guidesmith did not make ({}); nothing was published\n  help: someone pushed to it by hand or with another tool. Move what you want to keep into the site's source, then publish again with --accept-remote-changes (their commits stay in the branch's history; the files are replaced by the site's output), or publish to another branch with --branch",
            target.branch,
            target.remote,
            who.trim()
        );
    }
    Ok(())
}

fn check_branch_name(branch: &str) -> Result<()> {
    let ok = !branch.is_empty()
        && !branch.starts_with(['-', '/'])
        && !branch.ends_with(['/', '.'])
        && !branch.contains("..")
        && !branch
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c));
    if ok {
        Ok(())
    } else {
        bail!("`{branch}` is not a valid branch name\n  help: use a name such as gh-pages")
    }
}

/// A remote is a URL or a path, never something git would read as one of its options.
fn check_remote(remote: &str) -> Result<()> {
    if remote.is_empty() || remote.starts_with('-') || remote.chars().any(char::is_control) {
        bail!(
            "`{remote}` is not a git remote\n  help: give --remote a URL such as https://github.com/you/site.git or a path; a value starting with `-` is refused (write ./{remote} for a folder of that name)"
        )
    }
    Ok(())
}

/// A remote given as a relative local path is made absolute: git runs in a private folder.
fn local_remote(remote: &str) -> String {
    let path = Path::new(remote);
    if !remote.contains("://")
        && path.exists()
        && let Ok(abs) = path.canonicalize()
    {
        return abs.to_string_lossy().into_owned();
    }
    remote.to_string()
}

fn remote_tip(repo: &Git, remote: &str, branch: &str) -> Result<Option<String>> {
    let listed = repo
        .run(&[
            "ls-remote",
            "--heads",
            "--",
            remote,
            &format!("refs/heads/{branch}"),
        ])
        .with_context(|| format!("reaching the git remote {remote}"))?;
    Ok(listed
        .lines()
        .find(|l| l.ends_with(&format!("\trefs/heads/{branch}")))
        .and_then(|l| l.split('\t').next())
        .map(str::to_string))
}

fn write_tree_dir(dir: &Path, site: &RenderedSite) -> Result<()> {
    for f in &site.files {
        let path = dir.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, &f.bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

fn diff_plan(repo: &Git, old_tree: &str, new_tree: &str) -> Result<Plan> {
    let out = repo.run(&[
        "diff-tree",
        "-r",
        "--no-renames",
        "--name-status",
        "-z",
        old_tree,
        new_tree,
    ])?;
    let mut plan = Plan::default();
    let mut fields = out.split('\0').filter(|s| !s.is_empty());
    while let (Some(status), Some(path)) = (fields.next(), fields.next()) {
        let list = match status.chars().next() {
            Some('A') => &mut plan.added,
            Some('D') => &mut plan.removed,
            _ => &mut plan.changed,
        };
        list.push(path.to_string());
    }
    Ok(plan)
}

/// `Publish <title> from <source commit>` with the trailers; the source is the site's git HEAD.
fn commit_message(root: &Path, title: &str) -> String {
    let source = Git::in_dir(root)
        .run(&["rev-parse", "HEAD"])
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let dirty = Git::in_dir(root)
        .run(&["status", "--porcelain", "--", "."])
        .is_ok_and(|s| !s.trim().is_empty());
    match source {
        Some(sha) => {
            let note = if dirty {
                " (with uncommitted changes)"
            } else {
                ""
            };
            format!(
                "Publish {title} from {}{note}\n\nSource-commit: {sha}\n{TRAILER} {}\n",
                &sha[..sha.len().min(12)],
                env!("CARGO_PKG_VERSION")
            )
        }
        None => format!(
            "Publish {title}\n\nSource-commit: none (the site is not in a git repository)\n{TRAILER} {}\n",
            env!("CARGO_PKG_VERSION")
        ),
    }
}

/// A `git` command line bound to one repository (and optionally an index and work tree).
#[derive(Clone)]
struct Git {
    cwd: Option<PathBuf>,
    env: BTreeMap<&'static str, String>,
}

impl Git {
    fn init(dir: &Path) -> Result<Git> {
        Git {
            cwd: None,
            env: BTreeMap::new(),
        }
        .run(&["init", "--quiet", "--bare", &dir.to_string_lossy()])?;
        let mut git = Git {
            cwd: Some(dir.to_path_buf()),
            env: BTreeMap::new(),
        };
        git.env
            .insert("GIT_DIR", dir.to_string_lossy().into_owned());
        Ok(git)
    }

    fn in_dir(dir: &Path) -> Git {
        Git {
            cwd: Some(dir.to_path_buf()),
            env: BTreeMap::new(),
        }
    }

    fn with_index(&self, index: &Path) -> Git {
        let mut git = self.clone();
        git.env
            .insert("GIT_INDEX_FILE", index.to_string_lossy().into_owned());
        git
    }

    fn with_work_tree(&self, dir: &Path) -> Git {
        let mut git = self.clone();
        git.env
            .insert("GIT_WORK_TREE", dir.to_string_lossy().into_owned());
        git.cwd = Some(dir.to_path_buf());
        git
    }

    /// Uses the configured identity (git config or `GIT_*` variables), or `guidesmith` for
    /// what is not set, so a CI machine without git config can publish.
    fn with_identity(&self) -> Result<Git> {
        let mut git = self.clone();
        let configured = |key: &str| {
            self.run(&["config", "--get", key])
                .is_ok_and(|v| !v.trim().is_empty())
        };
        let (name, email) = (configured("user.name"), configured("user.email"));
        for (var, set, fallback) in [
            ("GIT_AUTHOR_NAME", name, "guidesmith"),
            ("GIT_COMMITTER_NAME", name, "guidesmith"),
            ("GIT_AUTHOR_EMAIL", email, "guidesmith@localhost"),
            ("GIT_COMMITTER_EMAIL", email, "guidesmith@localhost"),
        ] {
            if !set && std::env::var_os(var).is_none() {
                git.env.insert(var, fallback.to_string());
            }
        }
        Ok(git)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("git");
        cmd.args([
            "-c",
            "core.autocrlf=false",
            "-c",
            "core.safecrlf=false",
            "-c",
            "gc.auto=0",
        ])
        .args(args);
        // A caller's repository settings (e.g. when run from a git hook) must not leak in.
        for key in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_OBJECT_DIRECTORY",
            "GIT_PREFIX",
        ] {
            cmd.env_remove(key);
        }
        cmd.envs(&self.env);
        if let Some(cwd) = &self.cwd {
            cmd.current_dir(cwd);
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Result<String> {
        self.run_with_input(args, "")
    }

    fn run_with_input(&self, args: &[&str], input: &str) -> Result<String> {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| anyhow!("running git: {e}\n  help: publish --to git needs the git command; install git and make sure it is on PATH"))?;
        if let Some(mut stdin) = child.stdin.take() {
            std::io::Write::write_all(&mut stdin, input.as_bytes()).context("writing to git")?;
        }
        let out = child.wait_with_output().context("running git")?;
        if !out.status.success() {
            bail!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_names_are_checked() {
        assert!(check_branch_name("gh-pages").is_ok());
        assert!(check_branch_name("deploy/site").is_ok());
        for bad in ["", "-x", "a..b", "a b", "x:y", "a/"] {
            assert!(check_branch_name(bad).is_err(), "{bad}");
        }
    }
}
