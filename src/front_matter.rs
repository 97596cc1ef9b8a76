//! Reading a guide file: decode the bytes, split off the `---` front matter, deserialize it.
//!
//! This is the only module that touches YAML (serde_yaml is archived upstream, so it stays
//! behind this wall). Positions in its errors are lines of the guide file itself, not of the
//! YAML block: `guides/a.md:14:3`, counting the opening `---` as line 1.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Position, explain_serde_message};
use crate::guide::FrontMatter;

/// A guide file split in two; both parts borrow the normalized text.
#[derive(Debug, PartialEq)]
pub struct SplitFile<'a> {
    pub yaml: &'a str,
    /// Lines of the file before the first YAML line (1: the opening `---`).
    pub yaml_line_offset: usize,
    pub body: &'a str,
    /// Lines of the file before the first body line.
    pub body_line_offset: usize,
}

/// Turns raw bytes into text with LF line endings and no BOM, so that CRLF and BOM files
/// build exactly like LF ones. Line numbers are unchanged by this. An LF file without a BOM
/// keeps its buffer: nothing is copied.
pub fn decode_source(file: &Path, mut bytes: Vec<u8>) -> Result<String, Diagnostic> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let valid_up_to = e.utf8_error().valid_up_to();
        let valid = std::str::from_utf8(&bytes[..valid_up_to]).unwrap_or_default();
        Diagnostic::error(
            file,
            Position::of_offset(valid, valid.len()),
            "the file is not valid UTF-8 text",
        )
        .with_help("save the file as UTF-8 in your editor (this byte is in another encoding)")
    })?;
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    })
}

/// Splits `---\n<yaml>\n---\n<body>`.
pub fn split_front_matter<'a>(file: &Path, text: &'a str) -> Result<SplitFile<'a>, Diagnostic> {
    if text.trim().is_empty() {
        return Err(Diagnostic::error(file, Position::START, "the file is empty").with_help(
            "a guide starts with front matter: a line `---`, `title: ...` and `description: ...`, then `---`",
        ));
    }
    let Some(after_open) = text.strip_prefix("---\n") else {
        return Err(Diagnostic::error(file, Position::START, "the file does not start with front matter")
            .with_help("make the first line `---`, then `title:` and `description:`, then a closing `---` line"));
    };
    let mut offset = 0;
    for (index, line) in after_open.split_inclusive('\n').enumerate() {
        let bare = line.trim_end_matches('\n').trim_end();
        if bare == "---" || bare == "..." {
            return Ok(SplitFile {
                yaml: &after_open[..offset],
                yaml_line_offset: 1,
                body: &after_open[offset + line.len()..],
                body_line_offset: index + 2,
            });
        }
        offset += line.len();
    }
    Err(
        Diagnostic::error(file, Position::START, "the front matter is never closed").with_help(
            "add a line `---` after the last front-matter key, before the markdown body",
        ),
    )
}

/// Deserializes the YAML block of `file`. `line_offset` is `SplitFile::yaml_line_offset`.
pub fn parse_front_matter(
    file: &Path,
    yaml: &str,
    line_offset: usize,
) -> Result<FrontMatter, Vec<Diagnostic>> {
    if yaml.trim().is_empty() {
        return Err(vec![
            Diagnostic::error(file, Position::START, "the front matter is empty").with_help(
                "add at least `title: ...` and `description: ...` between the `---` lines",
            ),
        ]);
    }
    let ambiguous = find_yaml11_booleans(file, yaml, line_offset);
    match serde_yaml::from_str::<FrontMatter>(yaml) {
        Ok(front) if ambiguous.is_empty() => Ok(front),
        Ok(_) => Err(ambiguous),
        Err(e) => {
            let mut all = ambiguous;
            let d = yaml_error(file, yaml, line_offset, &e);
            if !all.iter().any(|a| a.line == d.line) {
                all.push(d);
            }
            Err(all)
        }
    }
}

fn yaml_error(file: &Path, yaml: &str, line_offset: usize, e: &serde_yaml::Error) -> Diagnostic {
    let pos = e.location().map_or(Position::START, |l| {
        let pos = Position::of_offset(yaml, l.index());
        pos.shifted(line_offset)
    });
    let raw = e.to_string();
    let raw = raw.rfind(" at line ").map_or(raw.as_str(), |i| &raw[..i]);
    // serde_yaml prefixes the path of the value (`steps[2].title: ...`); keep it apart.
    let (path, detail) = match raw.split_once(": ") {
        Some((p, rest)) if !p.contains(' ') => (Some(p), rest),
        _ => (None, raw),
    };
    let (message, help) = explain_serde_message(detail);
    let help = help.or_else(|| help_for_yaml_message(&message));
    let pos = quoted_value(&message)
        .and_then(|v| locate_from(yaml, line_offset, pos, v))
        .unwrap_or(pos);
    let message = message
        .replace("expected i64", "expected a whole number")
        .replace("expected u64", "expected a whole number");
    let message = match path {
        Some(p) => format!("in `{p}`: {message}"),
        None => message,
    };
    let d = Diagnostic::error(file, pos, message);
    match help {
        Some(h) => d.with_help(h),
        None => d,
    }
}

/// The value an error message quotes: `soon` in "`soon` is not a duration", heavy in
/// `string "heavy"`.
fn quoted_value(message: &str) -> Option<&str> {
    let between = |open: &str, close: char| {
        let start = message.find(open)? + open.len();
        let end = message[start..].find(close)? + start;
        (end > start).then(|| &message[start..end])
    };
    between("string \"", '"').or_else(|| {
        message
            .starts_with('`')
            .then(|| between("`", '`'))
            .flatten()
    })
}

/// The first place at or after `from` where `value` stands in the YAML.
fn locate_from(yaml: &str, line_offset: usize, from: Position, value: &str) -> Option<Position> {
    yaml.lines()
        .enumerate()
        .skip((from.line).saturating_sub(line_offset + 1))
        .find_map(|(index, line)| {
            line.find(value)
                .map(|col| Position::new(index + 1 + line_offset, line[..col].chars().count() + 1))
        })
}

fn help_for_yaml_message(message: &str) -> Option<String> {
    if message.contains("expected a string") {
        Some("put the value in double quotes, e.g. title: \"2024 plans\"".into())
    } else if message.contains("expected a boolean") {
        Some("write true or false".into())
    } else if message.starts_with("missing field") {
        Some("add the key; `title` and `description` are required for every guide, and each part lists its own required keys in docs/guide-format.md".into())
    } else if message.contains("expected i64") || message.contains("expected u64") {
        Some("write a whole number, e.g. weight: 3".into())
    } else if message.contains("expected a sequence") {
        Some("write a list: one `- item` per line, or [a, b]".into())
    } else if message.contains("mapping values are not allowed") {
        Some("a value containing `: ` must be quoted".into())
    } else {
        None
    }
}

const YAML11_BOOLEANS: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF",
];

/// Unquoted words that YAML 1.1 reads as booleans (`title: no`, `- yes`). serde_yaml reads
/// them as text, other tools as true/false; we refuse the guess and ask for quotes.
fn find_yaml11_booleans(file: &Path, yaml: &str, line_offset: usize) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut block_indent: Option<usize> = None;
    for (index, line) in yaml.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        if let Some(min) = block_indent {
            if line.trim().is_empty() || indent > min {
                continue;
            }
            block_indent = None;
        }
        let mut rest = line.trim_start();
        let mut column = indent;
        while let Some(r) = rest.strip_prefix("- ") {
            column += 2 + (r.len() - r.trim_start().len());
            rest = r.trim_start();
        }
        let value_start = match rest.find(": ") {
            Some(i) if !rest.starts_with(['"', '\'']) => i + 2,
            _ if rest.ends_with(':') => continue,
            _ if column > indent => 0,
            _ => continue,
        };
        let value = &rest[value_start..];
        let value_col = column + value_start + (value.len() - value.trim_start().len());
        let value = value.trim_start();
        let value = value.split(" #").next().unwrap_or("").trim_end();
        if matches!(value, "|" | "|-" | "|+" | ">" | ">-" | ">+") {
            block_indent = Some(indent);
            continue;
        }
        let mut check = |col: usize, token: &str| {
            if YAML11_BOOLEANS.contains(&token) {
                let pos = Position::new(
                    index + 1 + line_offset,
                    line[..col.min(line.len())].chars().count() + 1,
                );
                found.push(
                    Diagnostic::error(file, pos, format!("unquoted `{token}` is ambiguous: YAML 1.1 reads it as a boolean, YAML 1.2 as text"))
                        .with_help(format!("write \"{token}\" in quotes for the text, or true/false for a yes/no value")),
                );
            }
        };
        match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            Some(inner) => {
                let mut at = value_col + 1;
                for t in inner.split(',') {
                    let col = at + (t.len() - t.trim_start().len());
                    at += t.len() + 1;
                    check(col, t.trim());
                }
            }
            None => check(value_col, value),
        }
    }
    found
}

/// Where `key: value` stands in the YAML (the `nth` occurrence, 0-based), as a file position.
/// Used to point validation errors (duplicate ids, bad slugs) at the right line.
pub fn locate_value(
    yaml: &str,
    line_offset: usize,
    key: &str,
    value: &str,
    nth: usize,
) -> Option<Position> {
    let unquote = |v: &str| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string();
    yaml.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let trimmed = line.trim_start().trim_start_matches("- ");
            let rest = trimmed.strip_prefix(key)?.strip_prefix(':')?;
            (unquote(rest) == value).then(|| {
                let col = line.len() - trimmed.len();
                Position::new(index + 1 + line_offset, line[..col].chars().count() + 1)
            })
        })
        .nth(nth)
}

/// The first line of the YAML that contains `text`, as a file position.
pub fn locate_text(yaml: &str, line_offset: usize, text: &str) -> Option<Position> {
    locate_text_nth(yaml, line_offset, text, 0)
}

/// The `nth` (0-based) line of the YAML that contains `text`, as a file position.
pub fn locate_text_nth(yaml: &str, line_offset: usize, text: &str, nth: usize) -> Option<Position> {
    if text.is_empty()
        || text.contains(['\n', '\r'])
        || memchr::memchr(b'\r', yaml.as_bytes()).is_some()
    {
        return locate_text_by_lines(yaml, line_offset, text, nth);
    }
    // One substring search over the whole YAML instead of one per line: this runs for every
    // link in the front matter, so a scan per line would make it quadratic in the file.
    // memchr's searches are vectorized; the match of UTF-8 in UTF-8 is at a char boundary.
    let bytes = yaml.as_bytes();
    let finder = memchr::memmem::Finder::new(text.as_bytes());
    let mut from = 0;
    let mut line = 0;
    let mut line_start = 0;
    let mut seen = 0;
    loop {
        let at = from + finder.find(&bytes[from..])?;
        line += memchr::memchr_iter(b'\n', &bytes[line_start..at]).count();
        line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        if seen == nth {
            let column = yaml[line_start..at].chars().count() + 1;
            return Some(Position::new(line + 1 + line_offset, column));
        }
        seen += 1;
        // The next match must be on a later line.
        from = match memchr::memchr(b'\n', &bytes[at..]) {
            Some(i) => at + i + 1,
            None => return None,
        };
    }
}

/// `locate_text_nth` line by line, for the cases the fast search does not cover.
fn locate_text_by_lines(
    yaml: &str,
    line_offset: usize,
    text: &str,
    nth: usize,
) -> Option<Position> {
    yaml.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            line.find(text)
                .map(|col| Position::new(index + 1 + line_offset, line[..col].chars().count() + 1))
        })
        .nth(nth)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> &'static Path {
        Path::new("guides/a.md")
    }

    #[test]
    fn locating_text_matches_the_line_by_line_search() {
        let yaml = "title: a\nsteps:\n  - body: see [x](/a/) and [y](/a/)\n  - body: café /a/\n/a/";
        for text in ["/a/", "title", "x", "é /", "nope", "", "\n", "a\n"] {
            for nth in 0..4 {
                assert_eq!(
                    locate_text_nth(yaml, 1, text, nth),
                    locate_text_by_lines(yaml, 1, text, nth),
                    "{text:?} {nth}"
                );
            }
        }
    }

    #[test]
    fn splits_and_counts_lines() {
        let text = "---\ntitle: A\n---\nBody\n";
        let s = split_front_matter(file(), text).unwrap();
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line_offset, 3);
    }

    #[test]
    fn crlf_and_bom_decode_like_lf() {
        let a = decode_source(
            file(),
            b"\xEF\xBB\xBF---\r\ntitle: A\r\n---\r\nx\r\n".to_vec(),
        )
        .unwrap();
        assert_eq!(a, "---\ntitle: A\n---\nx\n");
    }

    #[test]
    fn invalid_utf8_names_its_position() {
        let e = decode_source(file(), b"---\ntitle: caf\xE9\n".to_vec()).unwrap_err();
        assert_eq!((e.line, e.column), (2, 11));
    }

    #[test]
    fn yaml_errors_are_file_lines() {
        let errs =
            parse_front_matter(file(), "title: A\ndescription: B\nsteps: 5\n", 1).unwrap_err();
        assert_eq!(errs[0].line, 4);
        assert!(
            errs[0].message.contains("invalid type"),
            "{}",
            errs[0].message
        );
    }

    #[test]
    fn yaml11_booleans_are_refused() {
        let errs = parse_front_matter(file(), "title: no\ndescription: B\ntags: [a, yes]\n", 1)
            .unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!((errs[0].line, errs[0].column), (2, 8));
        assert_eq!((errs[1].line, errs[1].column), (4, 11));
        assert!(parse_front_matter(file(), "title: \"no\"\ndescription: |\n  no\n", 1).is_ok());
    }

    #[test]
    fn unknown_keys_suggest() {
        let errs =
            parse_front_matter(file(), "title: A\ndescription: B\nstpes: []\n", 1).unwrap_err();
        assert_eq!(errs[0].message, "unknown key `stpes`");
        assert_eq!(errs[0].line, 4);
        assert!(errs[0].help.as_deref().unwrap().contains("`steps`"));
    }
}
