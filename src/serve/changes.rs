//! What a rebuild is asked to do ([`ChangeSet`]: the paths that changed since the last one)
//! and what it did ([`Update`]: the output files that changed or went away).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;

use crate::diagnostic::Diagnostic;

/// What changed since the last rebuild; paths are relative to the site root.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    /// Guide files, or folders under the guides folder.
    pub guides: BTreeSet<PathBuf>,
    /// Rescan the guides folder for added and removed files.
    pub rescan_guides: bool,
    pub templates: bool,
    pub statics: bool,
    pub config: bool,
}

impl ChangeSet {
    /// Everything: what a first build or a lost-events rescan needs.
    pub fn everything() -> ChangeSet {
        ChangeSet {
            config: true,
            ..ChangeSet::default()
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == ChangeSet::default()
    }

    pub fn merge(&mut self, other: ChangeSet) {
        self.guides.extend(other.guides);
        self.rescan_guides |= other.rescan_guides;
        self.templates |= other.templates;
        self.statics |= other.statics;
        self.config |= other.config;
    }

    /// How many paths or parts changed; large for a burst such as a `git checkout`.
    pub fn size(&self) -> usize {
        self.guides.len()
            + usize::from(self.templates)
            + usize::from(self.statics)
            + usize::from(self.config)
    }
}

/// What a successful rebuild changed in the output.
#[derive(Debug, Default)]
pub struct Update {
    /// New or changed output files.
    pub changed: Vec<(String, Bytes)>,
    /// Output files that no longer exist (deleted or renamed guides, removed tags).
    pub removed: Vec<String>,
    pub warnings: Vec<Diagnostic>,
    pub guide_count: usize,
    pub parsed: usize,
    pub rendered: usize,
    pub elapsed: Duration,
}

impl Update {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }

    /// Only stylesheets changed: browsers can swap them without a reload.
    pub fn css_only(&self) -> bool {
        !self.changed.is_empty()
            && self.removed.is_empty()
            && self.changed.iter().all(|(path, _)| path.ends_with(".css"))
    }
}
