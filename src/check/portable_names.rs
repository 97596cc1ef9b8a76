//! Output names that work here but break on other systems: two paths that differ only by case
//! (one overwrites the other on macOS and Windows checkouts and on case-insensitive hosts),
//! and names Windows reserves for devices (`con`, `nul`, `aux`, `com1`, ...), which cannot be
//! created there at all. Reported as warnings, or as errors with `[build] portable = true`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Position};

const WINDOWS_RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// One output path and the file it comes from (a guide, a static file), for messages.
pub struct OutputName<'a> {
    pub path: &'a str,
    pub source: PathBuf,
}

/// Every case collision and reserved name among `outputs`, each reported once.
pub fn find_unportable_names(outputs: &[OutputName], portable: bool) -> Vec<Diagnostic> {
    let report = |source: &Path, message: String, help: &str| {
        let d = if portable {
            Diagnostic::error(source, Position::START, message)
        } else {
            Diagnostic::warning(source, Position::START, message)
        };
        d.with_help(format!("{help} (set `[build] portable = false` in site.toml to only warn; see docs/configuration.md)"))
    };
    let mut problems = Vec::new();
    // Every folder and file path, lowercased, to the first spelling seen of it.
    let mut spellings: HashMap<String, &str> = HashMap::new();
    let mut reported: HashSet<String> = HashSet::new();
    for output in outputs {
        let mut end = 0;
        for part in output.path.split('/') {
            end += part.len();
            let prefix = &output.path[..end];
            end += 1;
            let stem = part.split('.').next().unwrap_or(part);
            if WINDOWS_RESERVED.contains(&stem.to_ascii_lowercase().as_str()) {
                problems.push(report(
                    &output.source,
                    format!(
                        "`{prefix}` uses the name `{part}`, which Windows reserves for a device"
                    ),
                    "give it another name (for a guide, another `slug:`)",
                ));
                break;
            }
            let folded = prefix.to_lowercase();
            match spellings.get(folded.as_str()) {
                Some(&first) if first != prefix => {
                    if !reported.insert(folded) {
                        break;
                    }
                    problems.push(report(
                        &output.source,
                        format!("`{prefix}` and `{first}` differ only by case: on case-insensitive systems one overwrites the other"),
                        "rename one of them so that the names differ by more than case",
                    ));
                    break;
                }
                Some(_) => {}
                None => {
                    spellings.insert(folded, prefix);
                }
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(paths: &[&'static str]) -> Vec<OutputName<'static>> {
        paths
            .iter()
            .map(|p| OutputName {
                path: p,
                source: PathBuf::from(p),
            })
            .collect()
    }

    #[test]
    fn case_collisions_of_files_and_folders_are_found_once() {
        let found = find_unportable_names(
            &names(&[
                "getting-started/index.html",
                "Getting-Started/a.png",
                "Getting-Started/b.png",
                "style.css",
                "Style.css",
                "fine/index.html",
            ]),
            false,
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0]
                .message
                .contains("`Getting-Started` and `getting-started`")
        );
        assert!(found[1].message.contains("`Style.css` and `style.css`"));
    }

    #[test]
    fn reserved_names_are_found_and_portable_makes_them_errors() {
        let found = find_unportable_names(
            &names(&[
                "con/index.html",
                "Nul.txt",
                "com1/index.html",
                "console/index.html",
            ]),
            true,
        );
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found
                .iter()
                .all(|d| d.severity == crate::diagnostic::Severity::Error)
        );
    }
}
