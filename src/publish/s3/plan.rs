//! What a publish to object storage changes, and in which order, so a site served from the
//! bucket never has a page referencing an object that is not there yet:
//!
//! 1. new and changed assets (styles, scripts, images: everything that is not a page or a
//!    listing),
//! 2. new pages and new listings, so that no page links to a page or feed that is not there,
//! 3. changed pages,
//! 4. changed listings (the sitemap, the feed, `robots.txt`: `.xml`, `.txt`),
//! 5. the manifest (written by the caller),
//! 6. deletes, last: pages and listings, then the assets only they used.
//!
//! A new page may link to another new page or a new feed uploaded in the same stage; none of
//! them is linked from a page that was already there until stage 3.

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::headers::headers_for;
use super::manifest::{Manifest, ManifestEntry};
use crate::model::config::S3HeaderRule;
use crate::publish::Plan;
use crate::render::pages::OutputFile;

/// One local file ready to upload.
#[derive(Clone, Debug)]
pub(crate) struct LocalObject<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
    pub entry: ManifestEntry,
}

/// Hashes every file (on every core: a 10,000-guide site is about 380 MB) and works out its
/// headers.
pub(crate) fn local_objects<'a>(
    files: &'a [OutputFile],
    rules: &[S3HeaderRule],
) -> Vec<LocalObject<'a>> {
    files
        .par_iter()
        .map(|f| LocalObject {
            path: &f.path,
            bytes: &f.bytes,
            entry: ManifestEntry {
                sha256: sha256_hex(&f.bytes),
                size: f.bytes.len() as u64,
                headers: headers_for(&f.path, rules),
            },
        })
        .collect()
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut hex = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// What the bucket holds, as far as publish knows.
#[derive(Debug)]
pub(crate) enum Remote {
    /// From the manifest: hashes and headers of the keys publish wrote.
    Manifest(Manifest),
    /// No manifest: a listing, key → (size, ETag without quotes). Nothing is deleted then,
    /// since publish cannot tell its own objects from others.
    Listing(HashMap<String, (u64, String)>),
}

/// Compares local objects with the remote state.
pub(crate) fn plan_objects(local: &[LocalObject<'_>], remote: &Remote) -> Plan {
    let mut plan = Plan::default();
    for object in local {
        let state = match remote {
            Remote::Manifest(m) => m.files.get(object.path).map(|e| e == &object.entry),
            Remote::Listing(list) => list
                .get(object.path)
                .map(|(size, etag)| *size == object.entry.size && *etag == md5_hex(object.bytes)),
        };
        match state {
            None => plan.added.push(object.path.to_string()),
            Some(false) => plan.changed.push(object.path.to_string()),
            Some(true) => {}
        }
    }
    if let Remote::Manifest(m) = remote {
        let local: std::collections::HashSet<&str> = local.iter().map(|o| o.path).collect();
        plan.removed = m
            .files
            .keys()
            .filter(|k| !local.contains(k.as_str()))
            .cloned()
            .collect();
    }
    plan.added.sort();
    plan.changed.sort();
    plan.removed.sort();
    plan
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::Digest as _;
    md5::Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// When a key is uploaded: lower stages first, each stage finished before the next starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum UploadStage {
    Asset,
    NewDocument,
    ChangedPage,
    ChangedListing,
}

/// What kind of object an output path is, judged by its name (a `.br` / `.gz` variant is
/// the kind of its original).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ObjectKind {
    Asset,
    Page,
    Listing,
}

pub(crate) fn object_kind(path: &str) -> ObjectKind {
    let original = path
        .strip_suffix(".br")
        .or_else(|| path.strip_suffix(".gz"))
        .unwrap_or(path);
    if original.ends_with(".html") {
        ObjectKind::Page
    } else if original.ends_with(".xml") || original.ends_with(".txt") {
        ObjectKind::Listing
    } else {
        ObjectKind::Asset
    }
}

fn upload_stage(path: &str, is_new: bool) -> UploadStage {
    match (object_kind(path), is_new) {
        (ObjectKind::Asset, _) => UploadStage::Asset,
        (ObjectKind::Page | ObjectKind::Listing, true) => UploadStage::NewDocument,
        (ObjectKind::Page, false) => UploadStage::ChangedPage,
        (ObjectKind::Listing, false) => UploadStage::ChangedListing,
    }
}

/// The keys to upload, grouped by stage in upload order.
pub(crate) fn upload_batches(plan: &Plan) -> Vec<Vec<String>> {
    let mut stages: BTreeMap<UploadStage, Vec<String>> = BTreeMap::new();
    let keys =
        (plan.added.iter().map(|p| (p, true))).chain(plan.changed.iter().map(|p| (p, false)));
    for (path, is_new) in keys {
        stages
            .entry(upload_stage(path, is_new))
            .or_default()
            .push(path.clone());
    }
    stages.into_values().collect()
}

/// The keys to delete in two batches: pages and listings, then assets, so a page that is
/// still there never names an asset that is gone.
pub(crate) fn delete_batches(plan: &Plan) -> Vec<Vec<String>> {
    let (assets, others): (Vec<String>, Vec<String>) = plan
        .removed
        .iter()
        .cloned()
        .partition(|p| object_kind(p) == ObjectKind::Asset);
    [others, assets]
        .into_iter()
        .filter(|batch| !batch.is_empty())
        .collect()
}

/// The manifest to write before any upload: the old one plus a placeholder for every key about
/// to be written, so an interrupted publish still knows every key it may have written.
pub(crate) fn widened_manifest(
    previous: &Manifest,
    plan: &Plan,
    local: &[LocalObject<'_>],
) -> Manifest {
    let mut m = previous.clone();
    for object in local {
        if plan.added.iter().any(|p| p == object.path) {
            m.files.insert(
                object.path.to_string(),
                ManifestEntry {
                    sha256: String::new(),
                    ..object.entry.clone()
                },
            );
        }
    }
    m
}

/// The manifest of exactly the local objects.
pub(crate) fn final_manifest(local: &[LocalObject<'_>]) -> Manifest {
    Manifest {
        files: local
            .iter()
            .map(|o| (o.path.to_string(), o.entry.clone()))
            .collect(),
    }
}

/// The manifest written before the deletes: the local objects plus the keys about to be
/// deleted, so a publish stopped among the deletes still knows what is left to delete.
pub(crate) fn manifest_before_deletes(
    previous: &Manifest,
    plan: &Plan,
    local: &[LocalObject<'_>],
) -> Manifest {
    let mut m = final_manifest(local);
    for path in &plan.removed {
        if let Some(entry) = previous.files.get(path) {
            m.files.insert(path.clone(), entry.clone());
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile::new(path, text)
    }

    #[test]
    fn unchanged_manifest_plans_nothing_and_removed_keys_are_deleted() {
        let files = [file("index.html", "a"), file("old.html", "b")];
        let local = local_objects(&files, &[]);
        let remote = Remote::Manifest(final_manifest(&local));
        assert!(plan_objects(&local, &remote).is_empty());
        let plan = plan_objects(&local[..1], &remote);
        assert_eq!(plan.removed, vec!["old.html".to_string()]);
    }

    #[test]
    fn listing_fallback_compares_etags_and_deletes_nothing() {
        let files = [file("a.css", "x"), file("b.html", "y")];
        let local = local_objects(&files, &[]);
        let mut list = HashMap::new();
        list.insert("a.css".to_string(), (1, md5_hex(b"x")));
        list.insert("b.html".to_string(), (1, md5_hex(b"z")));
        list.insert("foreign.txt".to_string(), (1, md5_hex(b"q")));
        let plan = plan_objects(&local, &Remote::Listing(list));
        assert_eq!(plan.changed, vec!["b.html".to_string()]);
        assert!(plan.added.is_empty() && plan.removed.is_empty());
    }

    #[test]
    fn assets_go_before_new_documents_before_changed_pages_before_changed_listings() {
        let plan = Plan {
            added: vec![
                "tags/new/atom.xml".into(),
                "new/index.html".into(),
                "style.12345678.css".into(),
            ],
            changed: vec![
                "sitemap.xml".into(),
                "index.html".into(),
                "index.html.br".into(),
            ],
            removed: vec![],
        };
        assert_eq!(
            upload_batches(&plan),
            vec![
                vec!["style.12345678.css".to_string()],
                vec![
                    "tags/new/atom.xml".to_string(),
                    "new/index.html".to_string()
                ],
                vec!["index.html".to_string(), "index.html.br".to_string()],
                vec!["sitemap.xml".to_string()],
            ]
        );
    }

    #[test]
    fn pages_are_deleted_before_the_assets_they_use() {
        let plan = Plan {
            removed: vec![
                "old.1234abcd.css".into(),
                "old/index.html".into(),
                "old.xml".into(),
            ],
            ..Plan::default()
        };
        assert_eq!(
            delete_batches(&plan),
            vec![
                vec!["old/index.html".to_string(), "old.xml".to_string()],
                vec!["old.1234abcd.css".to_string()],
            ]
        );
    }
}
