//! Text as a reader of a built page sees it, and what the showcase is compared with: words,
//! eight-word runs of the seed articles (as hashes, so the repository holds none of their text)
//! and phone numbers.

use std::collections::HashSet;
use std::path::Path;

use scraper::{ElementRef, Html};

use super::sel;

/// The text of `article.guide`, leaving out the elements `skip` selects; text nodes are joined
/// with spaces so words of neighbouring elements do not run together.
pub fn article_text(doc: &Html, skip: &[&str]) -> String {
    let article = doc
        .select(&sel("article.guide"))
        .next()
        .expect("an article");
    text_without(article, skip)
}

pub fn text_without(root: ElementRef, skip: &[&str]) -> String {
    let skipped: HashSet<_> = skip
        .iter()
        .flat_map(|s| root.select(&sel(s)).map(|e| e.id()).collect::<Vec<_>>())
        .collect();
    let mut out = String::new();
    for node in root.descendants() {
        if let Some(text) = node.value().as_text()
            && !node.ancestors().any(|a| skipped.contains(&a.id()))
        {
            out.push_str(text);
            out.push(' ');
        }
    }
    out
}

/// Lowercase words; an apostrophe (' or ’) inside a word is kept as '.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if matches!(c, '\'' | '’')
            && !word.is_empty()
            && chars.peek().is_some_and(|n| n.is_alphanumeric())
        {
            word.push('\'');
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// FNV-1a over the words of a run, cut to 48 bits.
pub fn run_hash(run: &[String]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in run.join(" ").bytes() {
        h = (h ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    h & 0xffff_ffff_ffff
}

/// Hashes of every run of `n` words of `text`.
pub fn runs(text: &str, n: usize) -> Vec<u64> {
    words(text).windows(n).map(run_hash).collect()
}

/// The eight-word runs of the seed articles (`seeds`, one text per article), as hashes.
pub fn seed_runs(seeds: &[String]) -> HashSet<u64> {
    seeds.iter().flat_map(|s| runs(s, 8)).collect()
}

/// The seed articles in `dir` (`*.txt` other than the README), sorted by name; none when the
/// folder is missing.
pub fn read_seeds(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// Phone-number-like runs of `text`: digits joined by single spaces or hyphens, five digits
/// or more in all (`1-800-799-7233`, `88788`, `116 123`), and the three-digit
/// emergency and crisis numbers standing alone.
pub fn phone_numbers(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let boundary = i == 0 || !chars[i - 1].is_alphanumeric();
        if !(chars[i].is_ascii_digit() && boundary) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        while end < chars.len()
            && (chars[end].is_ascii_digit()
                || (matches!(chars[end], ' ' | '-')
                    && chars.get(end + 1).is_some_and(char::is_ascii_digit)
                    && chars[end - 1].is_ascii_digit()))
        {
            end += 1;
        }
        let run: String = chars[start..end].iter().collect();
        let digits = run.chars().filter(char::is_ascii_digit).count();
        let alone = chars.get(end).is_none_or(|c| !c.is_alphanumeric());
        if alone && (digits >= 5 || matches!(run.as_str(), "911" | "999" | "988" | "112")) {
            found.push(run);
        }
        i = end.max(i + 1);
    }
    found
}
