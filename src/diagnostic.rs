//! Errors and warnings about a site's own files, with a position in that file.
//!
//! A [`Diagnostic`] always names the file (relative to the site root), the line and column in
//! that file (1-based, counted in characters) and, where we know one, the fix. Loading collects
//! every diagnostic of a run into [`Diagnostics`] instead of stopping at the first.

use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a diagnostic is: errors fail the build, warnings are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one file, at one position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(file: &Path, pos: Position, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_path_buf(),
            line: pos.line,
            column: pos.column,
            message: message.into(),
            help: None,
        }
    }

    pub fn warning(file: &Path, pos: Position, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, pos, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn position(&self) -> Position {
        Position::new(self.line, self.column)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {kind}: {}",
            printable(&self.file.display().to_string()),
            self.line,
            self.column,
            printable(&self.message)
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {}", printable(help))?;
        }
        Ok(())
    }
}

/// `text` with control characters but line breaks written as escapes (`\u{1b}`), so that a
/// message quoting what a file holds cannot move the cursor, recolour or clear the terminal.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && c != '\n' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// A line and column, both 1-based; the column counts characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub const START: Position = Position { line: 1, column: 1 };

    pub fn new(line: usize, column: usize) -> Self {
        Position { line, column }
    }

    /// The position of byte `offset` in `text`.
    pub fn of_offset(text: &str, offset: usize) -> Self {
        let offset = offset.min(text.len());
        let before = &text[..floor_char_boundary(text, offset)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Position::new(line, before[line_start..].chars().count() + 1)
    }

    /// This position moved down by `lines` (for text that starts `lines` lines into a file).
    pub fn shifted(self, lines: usize) -> Self {
        Position::new(self.line + lines, self.column)
    }
}

/// Where each line of a text starts, so that many offsets map to positions in linear time
/// (`Position::of_offset` scans from the start on every call).
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 40 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// The position of byte `offset` in `text`, the text this index was made from.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&s| s <= offset);
        let line_start = self.starts[line - 1];
        Position::new(line, text[line_start..offset].chars().count() + 1)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// All the diagnostics of a run; an `Err` of this type lists every error, sorted by file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Warning)
    }

    pub fn sort(&mut self) {
        self.0
            .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    }

    /// Only the errors, as an error value; warnings are dropped.
    pub fn into_errors(self) -> Diagnostics {
        Diagnostics(
            self.0
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect(),
        )
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        let n = self.errors().count();
        write!(f, "{n} error{}", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Diagnostics {}

/// Rewrites serde's "unknown field `x`, expected one of `a`, `b`" into our wording, with the
/// nearest valid key as a suggestion. Other messages pass through unchanged.
pub fn explain_serde_message(message: &str) -> (String, Option<String>) {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return (message.to_string(), None);
    };
    let Some((key, expected)) = rest.split_once('`') else {
        return (message.to_string(), None);
    };
    let valid: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    let help = match nearest(key, &valid) {
        Some(best) => format!(
            "did you mean `{best}`? Valid keys here: {}",
            valid.join(", ")
        ),
        None => format!("remove it; valid keys here: {}", valid.join(", ")),
    };
    (format!("unknown key `{key}`"), Some(help))
}

/// `n` and the noun, plural unless `n` is 1: "1 guide", "8 guides".
pub fn counted(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The candidate closest to `word`, if any is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_printed_as_escapes() {
        assert_eq!(printable("plain\ntext"), "plain\ntext");
        assert_eq!(printable("a\u{1b}[2Jb\rc\td"), "a\\u{1b}[2Jb\\rc\\td");
        let d = Diagnostic::error(Path::new("g\u{7}.md"), Position::START, "tag `\u{1b}]0;x`")
            .with_help("\u{9b}31m");
        assert_eq!(
            d.to_string(),
            "g\\u{7}.md:1:1: error: tag `\\u{1b}]0;x`\n  help: \\u{9b}31m"
        );
    }

    #[test]
    fn offsets_map_to_lines_and_char_columns() {
        let text = "ab\ncé d\n";
        assert_eq!(Position::of_offset(text, 0), Position::new(1, 1));
        assert_eq!(Position::of_offset(text, 3), Position::new(2, 1));
        assert_eq!(Position::of_offset(text, 7), Position::new(2, 4));
    }

    #[test]
    fn the_line_index_agrees_with_a_scan() {
        let text = "ab\ncé d\n\nx";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                index.position(text, offset),
                Position::of_offset(text, offset),
                "{offset}"
            );
        }
    }

    #[test]
    fn unknown_field_gets_a_suggestion() {
        let (msg, help) =
            explain_serde_message("unknown field `titel`, expected one of `title`, `description`");
        assert_eq!(msg, "unknown key `titel`");
        assert!(help.unwrap().starts_with("did you mean `title`?"));
    }
}
