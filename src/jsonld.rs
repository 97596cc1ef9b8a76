//! schema.org structured data for a guide page: Article, BreadcrumbList, HowTo, FAQPage.
//!
//! Built as JSON values and serialized once; `<`, `>` and `&` are escaped as `\u003c` etc., so
//! no text in a guide can close the `<script>` element that carries it.

use serde_json::{Value, json};

use crate::site::{Site, guide_path};
use crate::widgets::{PreparedGuide, html_to_text};

pub fn guide_json_ld(site: &Site, g: &PreparedGuide) -> String {
    let f = &g.guide.front;
    let url = site.permalink(&guide_path(&g.guide.slug));
    let author = if site.config.author.is_empty() {
        site.config.title.clone()
    } else {
        site.config.author.clone()
    };
    let mut article = json!({
        "@type": "Article",
        "headline": f.title,
        "description": f.description,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": site.config.language,
        "author": {"@type": "Organization", "name": author},
        "publisher": {"@type": "Organization", "name": site.config.title},
        "wordCount": g.word_count,
    });
    if let Some(d) = f.date {
        article["datePublished"] = json!(d.iso());
    }
    if let Some(d) = f.updated.or(f.date) {
        article["dateModified"] = json!(d.iso());
    }
    if !f.tags.is_empty() {
        article["keywords"] = json!(f.tags.join(", "));
    }
    let mut graph = vec![
        article,
        json!({
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": site.config.title, "item": site.base_url},
                {"@type": "ListItem", "position": 2, "name": f.title, "item": url},
            ]
        }),
    ];
    if let Some(steps) = &g.steps {
        let items: Vec<Value> = steps
            .phases
            .iter()
            .flat_map(|p| &p.steps)
            .map(|s| {
                json!({
                    "@type": "HowToStep",
                    "position": s.number,
                    "name": s.title,
                    "text": if s.body.is_empty() { s.title.clone() } else { html_to_text(&s.body) },
                    "url": format!("{url}#{}", s.html_id),
                })
            })
            .collect();
        let mut howto =
            json!({"@type": "HowTo", "name": f.title, "description": f.description, "step": items});
        let minutes: Vec<&str> = steps
            .phases
            .iter()
            .flat_map(|p| &p.steps)
            .filter_map(|s| s.duration_iso.as_deref())
            .collect();
        if minutes.len() == steps.count
            && let Some(total) = total_iso(g)
        {
            howto["totalTime"] = json!(total);
        }
        graph.push(howto);
    }
    if !g.faqs.is_empty() {
        let questions: Vec<Value> = g
            .faqs
            .iter()
            .map(|q| json!({"@type": "Question", "name": q.question, "acceptedAnswer": {"@type": "Answer", "text": html_to_text(&q.answer)}}))
            .collect();
        graph.push(json!({"@type": "FAQPage", "mainEntity": questions}));
    }
    let doc = json!({"@context": "https://schema.org", "@graph": graph});
    escape_for_script(&doc.to_string())
}

/// The sum of all step durations (upper bounds) in ISO 8601 days or minutes.
fn total_iso(g: &PreparedGuide) -> Option<String> {
    let minutes: u64 = g
        .guide
        .front
        .steps
        .iter()
        .filter_map(|s| s.duration.as_ref())
        .map(|d| d.max_minutes())
        .sum();
    if minutes == 0 {
        return None;
    }
    let (days, hours, mins) = (minutes / (60 * 24), minutes / 60 % 24, minutes % 60);
    let mut iso = String::from("P");
    if days > 0 {
        iso.push_str(&format!("{days}D"));
    }
    if hours > 0 || mins > 0 {
        iso.push('T');
        if hours > 0 {
            iso.push_str(&format!("{hours}H"));
        }
        if mins > 0 {
            iso.push_str(&format!("{mins}M"));
        }
    }
    Some(iso)
}

/// Makes JSON safe inside `<script>`: no `<`, `>` or `&` survives.
pub fn escape_for_script(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    #[test]
    fn script_escape() {
        assert_eq!(
            super::escape_for_script(r#"{"a":"</script>&"}"#),
            r#"{"a":"\u003c/script\u003e\u0026"}"#
        );
    }
}
