//! Reading a guide file: decode the bytes, split off the `---` front matter, deserialize it.
//!
//! This is the only module that touches YAML (serde_yaml is archived upstream, so it stays
//! behind this wall). Positions in its errors are lines of the guide file itself, not of the
//! YAML block: `guides/a.md:14:3`, counting the opening `---` as line 1.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Position, explain_serde_message};
use crate::model::guide::FrontMatter;

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
    // The opening line may carry trailing spaces, as the closing one may.
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let after_open = (text[..first_line_end].trim_end() == "---").then(|| &text[first_line_end..]);
    let Some(after_open) = after_open else {
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
    let ambiguous = find_ambiguous_scalars(file, yaml, line_offset);
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
    let raw = without_locations(&e.to_string());
    if raw.contains("while scanning a quoted scalar") {
        return unclosed_quote(file, yaml, line_offset, pos);
    }
    let raw = raw.as_str();
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
    let message = without_type_names(&message);
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

/// The message without the " at line N column M" parts: the diagnostic has its own position.
fn without_locations(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(at) = rest.find(" at line ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " at line ".len()..];
        let digits = |t: &str| t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let mut skip = digits(after);
        if let Some(col) = after[skip..].strip_prefix(" column ") {
            skip += " column ".len() + digits(col);
        }
        rest = &after[skip..];
    }
    out.push_str(rest);
    out
}

/// serde's words for Rust types, in the author's words.
fn without_type_names(message: &str) -> String {
    let mut out = message
        .replace("expected i64", "expected a whole number")
        .replace("expected u64", "expected a whole number");
    for suffix in [" as u128", " as i128", " as u64", " as i64", " as f64"] {
        out = out.replace(suffix, "");
    }
    for (name, words) in [
        (
            "struct FrontMatter",
            "keys such as `title: ...` and `description: ...`",
        ),
        (
            "struct Step",
            "a step: keys such as `title: ...` and `body: ...`",
        ),
        (
            "struct Checklist",
            "a checklist: keys `title: ...` and `items:`",
        ),
        ("struct Faq", "a FAQ: keys `q: ...` and `a: ...`"),
        ("struct DoDont", "a do/don't table: a key `rows:`"),
        ("struct DoDontRow", "a row: keys `do: ...` and `dont: ...`"),
        (
            "struct Callout",
            "a callout: keys `kind: ...` and `body: ...`",
        ),
        (
            "struct Message",
            "a message: keys such as `title: ...` and `text: ...`",
        ),
    ] {
        out = out.replace(name, words);
    }
    // Any other type name: `struct Name` becomes words, whatever the name.
    while let Some(i) = out.find("struct ") {
        let name_end = out[i + 7..]
            .find(|c: char| !c.is_alphanumeric())
            .map_or(out.len(), |e| i + 7 + e);
        out.replace_range(i..name_end, "a map of keys");
    }
    out
}

/// A quoted value that never closes: serde_yaml reports where the file ends; the mistake is
/// where the quote opened, the last line before that with an odd number of its quote marks.
fn unclosed_quote(file: &Path, yaml: &str, line_offset: usize, end: Position) -> Diagnostic {
    let last_line = end.line.saturating_sub(line_offset);
    let opened = yaml
        .lines()
        .enumerate()
        .take(last_line.max(1))
        .filter_map(|(index, line)| {
            let value = line
                .split_once(": ")
                .map_or(line.trim_start().trim_start_matches("- "), |(_, v)| v);
            let quote = value
                .trim_start()
                .chars()
                .next()
                .filter(|c| *c == '"' || *c == '\'')?;
            let count = value.matches(quote).count();
            (count % 2 == 1).then(|| {
                let col = line.len() - value.trim_start().len();
                Position::new(index + 1 + line_offset, line[..col].chars().count() + 1)
            })
        })
        .last();
    Diagnostic::error(
        file,
        opened.unwrap_or(end),
        "this quoted value is never closed",
    )
    .with_help("end the value with the same quote mark it starts with; inside double quotes write \\\" for a quote")
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
    } else if message.contains("did not find expected") || message.contains("while parsing a block")
    {
        Some("check the indentation of this line and the lines above it: the keys of one map, and the `- ` items of one list, start at the same column".into())
    } else if message.contains("unknown anchor") {
        Some("YAML aliases (`*name`) are not supported in front matter: write the value out in full, or put text that starts with `*` in double quotes".into())
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

/// Keys whose value is text: a plain `2024`, `true` or `null` there is a mistake, which
/// serde_yaml would silently turn into the text "2024", "true" or "null".
const TEXT_KEYS: &[&str] = &[
    "title",
    "description",
    "q",
    "a",
    "text",
    "body",
    "do",
    "dont",
    "phase",
    "cite",
];

/// What an unquoted YAML value would be read as, when that is not plain text.
fn non_text_kind(token: &str) -> Option<&'static str> {
    match token {
        "null" | "Null" | "NULL" | "~" => Some("null (no value)"),
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => Some("a boolean"),
        ".inf" | ".Inf" | ".INF" | "-.inf" | "+.inf" | ".nan" | ".NaN" | ".NAN" => Some("a number"),
        _ if token.starts_with("0x") || token.starts_with("0o") => Some("a number"),
        _ if token.bytes().any(|b| b.is_ascii_digit())
            && token
                .bytes()
                .all(|b| b.is_ascii_digit() || b"+-._eE".contains(&b))
            && token.replace('_', "").parse::<f64>().is_ok() =>
        {
            Some("a number")
        }
        _ => None,
    }
}

/// Looks at every unquoted value outside block scalars before the YAML is deserialized, and
/// refuses what would be read as something other than what it looks like:
/// - words that YAML 1.1 reads as booleans (`title: no`, `- yes`): serde_yaml reads them as
///   text, other tools as true/false;
/// - numbers, booleans and null where text is expected (`title: 2024`);
/// - anchors and aliases (`&name`, `*name`): an alias repeats a whole subtree, so a small file
///   of nested aliases can expand to gigabytes; without anchors no alias can resolve.
fn find_ambiguous_scalars(file: &Path, yaml: &str, line_offset: usize) -> Vec<Diagnostic> {
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
        let Some(LineValue { key, value, column }) = value_of_line(line) else {
            continue;
        };
        let mut check = |col: usize, token: &str, key: Option<&str>| {
            let pos = Position::new(
                index + 1 + line_offset,
                line[..col.min(line.len())].chars().count() + 1,
            );
            found.extend(ambiguous_scalar(file, pos, token, key));
        };
        if value.starts_with('&') {
            check(
                column,
                value.split_whitespace().next().unwrap_or(value),
                key,
            );
            continue;
        }
        let block = value.trim_start_matches('|').trim_start_matches('>');
        if value.starts_with(['|', '>']) && matches!(block, "" | "-" | "+") {
            block_indent = Some(indent);
            continue;
        }
        match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
            Some(inner) => {
                let mut at = column + 1;
                for t in inner.split(',') {
                    let col = at + (t.len() - t.trim_start().len());
                    at += t.len() + 1;
                    check(col, t.trim(), None);
                }
            }
            None => check(column, value, key),
        }
    }
    found
}

/// The unquoted value a line of YAML gives, if any: after `key: `, or a list item's own.
struct LineValue<'a> {
    key: Option<&'a str>,
    /// Without a trailing comment.
    value: &'a str,
    /// The byte column the value starts at.
    column: usize,
}

fn value_of_line(line: &str) -> Option<LineValue<'_>> {
    let indent = line.len() - line.trim_start().len();
    let mut rest = line.trim_start();
    let mut column = indent;
    while let Some(r) = rest.strip_prefix("- ") {
        column += 2 + (r.len() - r.trim_start().len());
        rest = r.trim_start();
    }
    let (key, value_start) = match rest.find(": ") {
        Some(i) if !rest.starts_with(['"', '\'']) => (Some(&rest[..i]), i + 2),
        _ if rest.ends_with(':') => return None,
        _ if column > indent => (None, 0),
        _ => return None,
    };
    let value = &rest[value_start..];
    let column = column + value_start + (value.len() - value.trim_start().len());
    let value = value.trim_start();
    let value = value.split(" #").next().unwrap_or("").trim_end();
    Some(LineValue { key, value, column })
}

/// The error for an unquoted `token` (the value of `key`, if any) at `pos`, if it is one.
fn ambiguous_scalar(
    file: &Path,
    pos: Position,
    token: &str,
    key: Option<&str>,
) -> Option<Diagnostic> {
    if YAML11_BOOLEANS.contains(&token) {
        return Some(
            Diagnostic::error(file, pos, format!("unquoted `{token}` is ambiguous: YAML 1.1 reads it as a boolean, YAML 1.2 as text"))
                .with_help(format!("write \"{token}\" in quotes for the text, or true/false for a yes/no value")),
        );
    }
    if token.starts_with(['&', '*']) {
        let what = if token.starts_with('&') {
            "anchors"
        } else {
            "aliases"
        };
        return Some(
            Diagnostic::error(file, pos, format!("YAML {what} (`{token}`) are not supported in front matter"))
                .with_help("write the value out in full; if it is text that starts with `&` or `*`, put it in double quotes"),
        );
    }
    let key = key.filter(|k| TEXT_KEYS.contains(k))?;
    let kind = non_text_kind(token)?;
    Some(
        Diagnostic::error(
            file,
            pos,
            format!("`{key}` must be text, but unquoted `{token}` is read as {kind}"),
        )
        .with_help(format!("put it in double quotes: {key}: \"{token}\"")),
    )
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

/// Finds many texts in one YAML block, in the order they are asked for, in linear time overall:
/// each search starts where the last match was (front-matter links are asked for mostly in
/// the order they stand), wraps around once, and once the bytes searched reach a few times the
/// YAML's size, the rest are given the block's first line instead of being searched for.
pub struct YamlLocator<'a> {
    yaml: &'a str,
    line_offset: usize,
    lines: crate::diagnostic::LineIndex,
    cursor: usize,
    budget: usize,
}

impl<'a> YamlLocator<'a> {
    pub fn new(yaml: &'a str, line_offset: usize) -> Self {
        YamlLocator {
            yaml,
            line_offset,
            lines: crate::diagnostic::LineIndex::new(yaml),
            cursor: 0,
            budget: yaml.len().saturating_mul(4).max(4096),
        }
    }

    /// The position of the next occurrence of `text` at or after the last match.
    pub fn locate(&mut self, text: &str) -> Position {
        let fallback = Position::START.shifted(self.line_offset);
        if text.is_empty() || self.budget == 0 {
            return fallback;
        }
        let bytes = self.yaml.as_bytes();
        let finder = memchr::memmem::Finder::new(text.as_bytes());
        let after = finder.find(&bytes[self.cursor..]).map(|i| self.cursor + i);
        let searched_after = after.map_or(bytes.len() - self.cursor, |at| at - self.cursor);
        let found = after.or_else(|| {
            let end = (self.cursor + text.len()).min(bytes.len());
            finder.find(&bytes[..end])
        });
        let searched = match (after, found) {
            (Some(_), _) => searched_after,
            (None, Some(at)) => searched_after + at,
            (None, None) => bytes.len(),
        };
        self.budget = self.budget.saturating_sub(searched + text.len());
        match found {
            Some(at) => {
                self.cursor = at;
                self.lines.position(self.yaml, at).shifted(self.line_offset)
            }
            None => fallback,
        }
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
    fn the_locator_finds_texts_in_order_and_wraps_around() {
        let yaml = "a: x1\nb: x2\nc: x1\n";
        let mut locator = YamlLocator::new(yaml, 1);
        assert_eq!(locator.locate("x2"), Position::new(3, 4));
        assert_eq!(locator.locate("x1"), Position::new(4, 4));
        assert_eq!(locator.locate("x2"), Position::new(3, 4));
        assert_eq!(locator.locate("nope"), Position::new(2, 1));
    }

    #[test]
    fn the_locator_stops_searching_after_its_budget() {
        let yaml = "k: v\n".repeat(2000);
        let mut locator = YamlLocator::new(&yaml, 0);
        for _ in 0..100 {
            locator.locate("missing");
        }
        assert_eq!(locator.budget, 0);
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
