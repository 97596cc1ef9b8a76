//! The manifest object `.guidesmith-manifest.json` kept under the publish prefix: for every key
//! publish wrote, its SHA-256, size and headers. The next publish diffs against it instead of
//! downloading objects, and deletes only keys it lists, so objects publish did not write are
//! never touched.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::headers::Headers;

/// The manifest's key, relative to the prefix.
pub(crate) const MANIFEST_KEY: &str = ".guidesmith-manifest.json";

/// One key publish wrote. An empty `sha256` marks a key that was about to be uploaded when the
/// manifest was written, so the next publish uploads it again.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub(crate) struct ManifestEntry {
    pub sha256: String,
    pub size: u64,
    pub headers: Headers,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub(crate) struct Manifest {
    pub files: BTreeMap<String, ManifestEntry>,
}

impl Manifest {
    pub(crate) fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a manifest always serializes")
    }

    pub(crate) fn from_json(bytes: &[u8]) -> Result<Manifest, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_round_trips_through_json() {
        let mut m = Manifest::default();
        m.files.insert(
            "index.html".into(),
            ManifestEntry {
                sha256: "ab".into(),
                size: 2,
                headers: Headers {
                    content_type: "text/html; charset=utf-8".into(),
                    cache_control: "max-age=60".into(),
                    content_encoding: None,
                },
            },
        );
        assert_eq!(Manifest::from_json(&m.to_json()).unwrap(), m);
    }
}
