//! schema.org structured data for a guide page: Article, BreadcrumbList, HowTo, FAQPage.
//!
//! The Article carries what search engines read today: `image` (the guide's or the site's),
//! `author` with its `url`, dates with the site's time zone, `publisher.logo`. The
//! BreadcrumbList is the trail shown above the guide ([`Site::guide_breadcrumbs`]). HowTo and
//! FAQPage stay: valid schema.org that other consumers read, though Google no longer shows
//! them as rich results.
//!
//! Typed structs that borrow from the guide, serialized once straight to text (building a
//! `serde_json::Value` tree first cost a tenth of a build). Fields are declared in
//! alphabetical order, the order the JSON has always had. `<`, `>` and `&` are escaped as
//! `\u003c` etc., so no text in a guide can close the `<script>` element that carries it.

use serde::Serialize;

use crate::model::guide::Date;
use crate::model::prepared_guide::PreparedGuide;
use crate::model::site::{Site, guide_path};
use crate::model::source::SourceView;
use crate::render::plain_text::html_to_text;

#[derive(Serialize)]
struct Document<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@graph")]
    graph: Vec<Node<'a>>,
}

/// One entry of the graph, serialized as just its fields.
#[derive(Serialize)]
#[serde(untagged)]
enum Node<'a> {
    Article(Box<Article<'a>>),
    BreadcrumbList(BreadcrumbList),
    HowTo(HowTo<'a>),
    FaqPage(FaqPage<'a>),
    WebPage(WebPage<'a>),
}

/// The page itself, given when the guide says when it was reviewed (`lastReviewed` and
/// `reviewedBy` belong to a WebPage in schema.org, not to an Article).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WebPage<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    last_reviewed: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reviewed_by: Option<Author<'a>>,
    url: &'a str,
}

#[derive(Serialize)]
struct Organization<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

/// The author: who wrote the guides, and a page about them.
#[derive(Serialize)]
struct Author<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct Publisher<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    logo: Option<ImageObject>,
    name: &'a str,
}

#[derive(Serialize)]
struct ImageObject {
    #[serde(rename = "@type")]
    kind: &'static str,
    url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Article<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    author: Author<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    citation: Vec<CreativeWork<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<String>,
    description: &'a str,
    headline: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    image: Vec<String>,
    in_language: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    keywords: Option<String>,
    main_entity_of_page: &'a str,
    publisher: Publisher<'a>,
    url: &'a str,
    word_count: usize,
}

/// A source of the guide, as schema.org `citation`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreativeWork<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<Organization<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BreadcrumbList {
    #[serde(rename = "@type")]
    kind: &'static str,
    item_list_element: Vec<ListItem>,
}

#[derive(Serialize)]
struct ListItem {
    #[serde(rename = "@type")]
    kind: &'static str,
    item: String,
    name: String,
    position: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HowTo<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    description: &'a str,
    name: &'a str,
    step: Vec<HowToStep<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_time: Option<String>,
}

#[derive(Serialize)]
struct HowToStep<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    position: usize,
    text: String,
    url: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FaqPage<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    main_entity: Vec<Question<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Question<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    accepted_answer: Answer,
    name: &'a str,
}

#[derive(Serialize)]
struct Answer {
    #[serde(rename = "@type")]
    kind: &'static str,
    text: String,
}

/// The JSON-LD of a guide page, ready to go inside `<script type="application/ld+json">`.
pub fn guide_json_ld(site: &Site, g: &PreparedGuide) -> String {
    let f = &g.guide.front;
    let url = site.permalink(&guide_path(&g.guide.slug));
    let mut graph = vec![
        Node::Article(Box::new(article(site, g, &url))),
        Node::BreadcrumbList(breadcrumbs(site, g)),
    ];
    graph.extend(g.steps.as_ref().map(|steps| {
        let all = || steps.phases.iter().flat_map(|p| &p.steps);
        Node::HowTo(HowTo {
            kind: "HowTo",
            description: &f.description,
            name: &f.title,
            step: all()
                .map(|s| HowToStep {
                    kind: "HowToStep",
                    name: &s.title,
                    position: s.number,
                    text: if s.body.is_empty() {
                        s.title.clone()
                    } else {
                        html_to_text(&s.body)
                    },
                    url: format!("{url}#{}", s.html_id),
                })
                .collect(),
            total_time: steps.total_time_iso.clone(),
        })
    }));
    graph.extend((!g.faqs.is_empty()).then(|| {
        Node::FaqPage(FaqPage {
            kind: "FAQPage",
            main_entity: g
                .faqs
                .iter()
                .map(|q| Question {
                    kind: "Question",
                    accepted_answer: Answer {
                        kind: "Answer",
                        text: html_to_text(&q.answer),
                    },
                    name: &q.question,
                })
                .collect(),
        })
    }));
    graph.extend(f.reviewed.map(|reviewed| {
        Node::WebPage(WebPage {
            kind: "WebPage",
            last_reviewed: reviewed.iso(),
            reviewed_by: f.reviewed_by.as_deref().map(|name| reviewer(site, name)),
            url: &url,
        })
    }));
    let doc = Document {
        context: "https://schema.org",
        graph,
    };
    let json = serde_json::to_string(&doc).expect("JSON-LD serializes");
    escape_for_script(&json)
}

/// The site's author when the guide names it as the reviewer (so a team of editors is not
/// called a Person), else a Person of that name.
fn reviewer<'a>(site: &'a Site, name: &'a str) -> Author<'a> {
    let author = site_author(site);
    if name == author.name {
        return author;
    }
    Author {
        kind: "Person",
        name,
        url: None,
    }
}

/// The author of every guide: `author` of site.toml (the site's title if empty), an
/// Organization, with `author_url`.
fn site_author(site: &Site) -> Author<'_> {
    let c = &site.config;
    Author {
        kind: "Organization",
        name: if c.author.is_empty() {
            &c.title
        } else {
            &c.author
        },
        url: c.author_url.as_ref().map(|a| site.absolute_url(a)),
    }
}

fn article<'a>(site: &'a Site, g: &'a PreparedGuide, url: &'a str) -> Article<'a> {
    let (f, c) = (&g.guide.front, &site.config);
    let at_midnight = |d: Date| c.utc_offset.midnight_of(d);
    Article {
        kind: "Article",
        author: site_author(site),
        citation: g.sources.iter().map(citation).collect(),
        date_modified: f.updated.or(f.date).map(at_midnight),
        date_published: f.date.map(at_midnight),
        description: &f.description,
        headline: &f.title,
        image: f
            .image
            .as_ref()
            .or(c.image.as_ref())
            .map(|i| site.absolute_url(i))
            .into_iter()
            .collect(),
        in_language: &c.language,
        keywords: (!f.tags.is_empty()).then(|| f.tags.join(", ")),
        main_entity_of_page: url,
        publisher: Publisher {
            kind: "Organization",
            logo: c.logo.as_ref().map(|l| ImageObject {
                kind: "ImageObject",
                url: site.absolute_url(l),
            }),
            name: &c.title,
        },
        url,
        word_count: g.word_count,
    }
}

fn citation(s: &SourceView) -> CreativeWork<'_> {
    CreativeWork {
        kind: "CreativeWork",
        date_published: s.date.as_deref().filter(|d| is_iso_date(d)),
        name: &s.title,
        publisher: s.publisher.as_deref().map(|name| Organization {
            kind: "Organization",
            name,
        }),
        url: s.url.as_deref(),
    }
}

/// The trail shown above the guide, with absolute URLs.
fn breadcrumbs(site: &Site, g: &PreparedGuide) -> BreadcrumbList {
    BreadcrumbList {
        kind: "BreadcrumbList",
        item_list_element: site
            .guide_breadcrumbs(g)
            .into_iter()
            .enumerate()
            .map(|(i, crumb)| ListItem {
                kind: "ListItem",
                item: site.permalink(&crumb.path),
                name: crumb.name,
                position: i + 1,
            })
            .collect(),
    }
}

/// `2021`, `2021-03` or `2021-03-04`: a date schema.org reads (a source's date is free text).
fn is_iso_date(text: &str) -> bool {
    let b = text.as_bytes();
    matches!(b.len(), 4 | 7 | 10)
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// Makes JSON safe inside `<script>`: no `<`, `>` or `&` survives.
pub fn escape_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut rest = json;
    while let Some(i) = memchr::memchr3(b'<', b'>', b'&', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'<' => "\\u003c",
            b'>' => "\\u003e",
            _ => "\\u0026",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The typed structs write what a `serde_json::Value` (a sorted map) wrote before them:
    /// every object's keys in alphabetical order, so pages keep their bytes.
    #[test]
    fn keys_come_in_the_order_of_a_value_map() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        let options = crate::pipeline::BuildOptions {
            drafts: true,
            ..Default::default()
        };
        let site = crate::pipeline::render_site_files(&root, &options).unwrap();
        let mut checked = 0;
        for file in &site.files {
            let html = String::from_utf8_lossy(&file.bytes);
            let Some((_, rest)) = html.split_once("<script type=\"application/ld+json\">") else {
                continue;
            };
            let json = rest.split("</script>").next().unwrap();
            let value: serde_json::Value = serde_json::from_str(json).unwrap();
            assert_eq!(
                json,
                super::escape_for_script(&value.to_string()),
                "{}",
                file.path
            );
            checked += 1;
        }
        assert!(checked > 0, "no JSON-LD found");
    }

    #[test]
    fn script_escape() {
        assert_eq!(
            super::escape_for_script(r#"{"a":"</script>&"}"#),
            r#"{"a":"\u003c/script\u003e\u0026"}"#
        );
    }
}
