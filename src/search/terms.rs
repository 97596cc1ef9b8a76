//! Text to search terms: lowercased, apostrophes dropped, Latin diacritics folded, split into
//! words, and (for English sites) lightly stemmed.
//!
//! The browser client (`themes/default/static/search.js`) does exactly the same to a query:
//! the fold table and the stemming rules are written out identically there, and a test here
//! checks the table in the script against this one.

/// Letters folded to their base letter; [`FOLD_TO`] holds the replacement at the same place.
pub(crate) const FOLD_FROM: &str =
    "àáâãäåāăąçćĉċčďđðèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżž";
pub(crate) const FOLD_TO: &str =
    "aaaaaaaaacccccdddeeeeeeeeegggghhiiiiiiiiijklllllnnnnooooooooorrrsssstttuuuuuuuuuuwyyyzzz";

/// Letters folded to two letters.
const FOLD_WIDE: [(char, &str); 4] = [('ß', "ss"), ('æ', "ae"), ('œ', "oe"), ('þ', "th")];

/// Words shorter than this are not indexed (one letter says nothing).
pub(crate) const MIN_TERM_CHARS: usize = 2;

/// How a site's words are reduced to terms: stemming only where the rules fit the language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stemming {
    English,
    None,
}

impl Stemming {
    /// English rules for `en`, `en-GB`, ...; no stemming for any other language.
    pub(crate) fn for_language(language: &str) -> Stemming {
        let primary = language.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("en") {
            Stemming::English
        } else {
            Stemming::None
        }
    }

    /// The name the client reads from the manifest.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Stemming::English => "en",
            Stemming::None => "",
        }
    }
}

fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c);
    } else if let Some(i) = FOLD_FROM.chars().position(|f| f == c) {
        out.extend(FOLD_TO.chars().nth(i));
    } else if let Some((_, wide)) = FOLD_WIDE.iter().find(|(f, _)| *f == c) {
        out.push_str(wide);
    } else {
        out.push(c);
    }
}

/// `text` lowercased and folded, apostrophes dropped: what [`terms`] splits into words.
pub(crate) fn fold(text: &str) -> String {
    let lower = text.to_lowercase();
    let mut out = String::with_capacity(lower.len());
    for c in lower.chars() {
        if c != '\'' && c != '’' {
            fold_char(c, &mut out);
        }
    }
    out
}

/// Every term of `text`, in order, repeats included.
pub(crate) fn terms(text: &str, stemming: Stemming, mut each: impl FnMut(String)) {
    let folded = fold(text);
    for word in folded.split(|c: char| !c.is_alphanumeric()) {
        if word.chars().count() >= MIN_TERM_CHARS {
            each(stem(word, stemming));
        }
    }
}

/// A light English stemmer: plural `-s`/`-es`/`-ies`, `-ing` and `-ed`, on ASCII words only.
pub(crate) fn stem(word: &str, stemming: Stemming) -> String {
    if stemming == Stemming::None || !word.is_ascii() {
        return word.to_string();
    }
    let n = word.len();
    let b = word.as_bytes();
    if n > 4 && word.ends_with("ies") {
        return format!("{}y", &word[..n - 3]);
    }
    if n > 5 && word.ends_with("ing") {
        return undouble(&word[..n - 3]);
    }
    if n > 4 && word.ends_with("ed") {
        return undouble(&word[..n - 2]);
    }
    let before_es = &word[..n.saturating_sub(2)];
    if n > 3
        && word.ends_with("es")
        && (b"xz".contains(&b[n - 3]) || ["ss", "ch", "sh"].iter().any(|e| before_es.ends_with(e)))
    {
        return before_es.to_string();
    }
    if n > 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        return word[..n - 1].to_string();
    }
    word.to_string()
}

/// `plann` → `plan`: a doubled last consonant left by `-ing`/`-ed` (but `ll`, `ss`, `zz` stay).
fn undouble(stem: &str) -> String {
    let b = stem.as_bytes();
    let n = b.len();
    if n >= 3 && b[n - 1] == b[n - 2] && !b"aeiouylsz".contains(&b[n - 1]) {
        stem[..n - 1].to_string()
    } else {
        stem.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        terms(text, Stemming::English, |t| out.push(t));
        out
    }

    #[test]
    fn folds_cases_diacritics_and_apostrophes() {
        assert_eq!(all("Crème brûlée, Straße"), ["creme", "brulee", "strasse"]);
        assert_eq!(
            all("Don’t PANIC: it's a café"),
            ["dont", "panic", "its", "cafe"]
        );
    }

    #[test]
    fn stems_plurals_and_verb_endings() {
        assert_eq!(
            all("apologies planning planned boxes wishes classes cases partners class focus"),
            [
                "apology", "plan", "plan", "box", "wish", "class", "case", "partner", "class",
                "focus"
            ]
        );
        assert_eq!(
            all("falling needed sing bed"),
            ["fall", "need", "sing", "bed"]
        );
    }

    #[test]
    fn other_languages_are_not_stemmed() {
        let mut out = Vec::new();
        terms("Les maisons", Stemming::for_language("fr"), |t| out.push(t));
        assert_eq!(out, ["les", "maisons"]);
        assert_eq!(Stemming::for_language("en-GB"), Stemming::English);
    }

    #[test]
    fn the_client_folds_with_the_same_table() {
        let js = crate::render::theme::default_theme_file("static/search.js").unwrap();
        let js = std::str::from_utf8(js).unwrap();
        assert!(
            js.contains(&format!("FOLD_FROM = \"{FOLD_FROM}\"")),
            "FOLD_FROM differs"
        );
        assert!(
            js.contains(&format!("FOLD_TO = \"{FOLD_TO}\"")),
            "FOLD_TO differs"
        );
        for (from, to) in FOLD_WIDE {
            assert!(
                js.contains(&format!("\"{from}\": \"{to}\"")),
                "{from} differs"
            );
        }
        assert_eq!(FOLD_FROM.chars().count(), FOLD_TO.chars().count());
    }
}
