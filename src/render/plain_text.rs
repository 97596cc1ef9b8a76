//! Rendered HTML back to plain text, for structured data (JSON-LD) that wants words, not
//! markup.

/// Tags that separate words: [`html_to_text`] leaves a space where one stood.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "br",
    "li",
    "ul",
    "ol",
    "div",
    "blockquote",
    "tr",
    "td",
    "th",
    "h2",
    "h3",
    "h4",
];

/// Plain text of an HTML fragment (tags dropped, common entities decoded), for JSON-LD.
pub fn html_to_text(html: &str) -> String {
    // Two passes without intermediate allocations per tag or entity.
    decode_and_collapse(&without_tags(html))
}

/// `html` with its tags dropped; a block tag leaves a space.
fn without_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |e| start + e + 1);
        let tag = rest[start + 1..end].trim_start_matches('/');
        let name_len = tag.bytes().take_while(u8::is_ascii_alphanumeric).count();
        if BLOCK_TAGS.contains(&&tag[..name_len]) {
            text.push(' ');
        }
        rest = &rest[end..];
    }
    text.push_str(rest);
    text
}

/// `text` with the five entities of escaped HTML decoded and each run of whitespace made one
/// space (none at the ends).
fn decode_and_collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        // A run of plain ASCII (no whitespace, no `&`) is copied at once.
        let plain = rest
            .bytes()
            .take_while(|&b| b.is_ascii_graphic() && b != b'&')
            .count();
        if c.is_whitespace() {
            space = true;
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        if plain > 0 {
            out.push_str(&rest[..plain]);
            rest = &rest[plain..];
            continue;
        }
        let (decoded, len) = decode_entity(rest).unwrap_or((c, c.len_utf8()));
        out.push(decoded);
        rest = &rest[len..];
    }
    out
}

/// The character an entity at the start of `text` stands for, and the entity's length.
fn decode_entity(text: &str) -> Option<(char, usize)> {
    [
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
        ("&amp;", '&'),
    ]
    .into_iter()
    .find(|(name, _)| text.starts_with(name))
    .map(|(name, c)| (c, name.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_to_text_drops_tags() {
        assert_eq!(
            html_to_text("<p>Say <em>sorry</em>. &amp; mean it</p><p>Then</p>"),
            "Say sorry. & mean it Then"
        );
    }

    /// The one-pass `html_to_text` gives what the first version (replace and split) gave.
    #[test]
    fn html_to_text_matches_the_replace_and_split_version() {
        fn reference(html: &str) -> String {
            let mut out = String::new();
            let mut rest = html;
            while let Some(start) = rest.find('<') {
                out.push_str(&rest[..start]);
                let end = rest[start..]
                    .find('>')
                    .map_or(rest.len(), |e| start + e + 1);
                let name: String = rest[start + 1..end]
                    .trim_start_matches('/')
                    .chars()
                    .take_while(char::is_ascii_alphanumeric)
                    .collect();
                if BLOCK_TAGS.contains(&name.as_str()) {
                    out.push(' ');
                }
                rest = &rest[end..];
            }
            out.push_str(rest);
            let decoded = out
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&");
            decoded.split_whitespace().collect::<Vec<_>>().join(" ")
        }
        for html in [
            "",
            "  <p> a\n\tb </p>\n<ul>\n<li>x</li><li>y &amp;amp; z</li></ul>",
            "&amp;lt;p&amp;gt; &lt;&gt;&quot;&#39; &am<b>p; &#x27; &",
            "<h2>Café</h2>naïve\u{a0}space<br/>end<hr>x<//p>y<p",
            "<p>Tags: <a href=\"/x/?a=1&amp;b=2\">link</a>, <code>&lt;b&gt;</code></p>",
        ] {
            assert_eq!(html_to_text(html), reference(html), "{html:?}");
        }
    }
}
