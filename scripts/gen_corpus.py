#!/usr/bin/env python3
"""Generates the benchmark corpus: the same N guides as a guidesmith site, a Hugo site and a Zola site.

The layouts hold identical content, so the generators can be timed side by side:

  guides/   a guidesmith site: site.toml and guides/<slug>.md, YAML front matter with
            title, description, date, tags, steps[{title, body}], faqs[{q, a}],
            checklists[{id, title, items[]}], dos_donts[{title, rows[{do, dont}]}],
            then a markdown body; guides are served at /<slug>/.
  hugo/     a complete Hugo site (hugo.toml, content/guides/*.md, layouts/, static/)
  zola/     a complete Zola site (config.toml, content/guides/*.md with YAML
            front matter, structured parts under `extra`, templates/, static/)
  mdbook/   an mdBook (book.toml, src/SUMMARY.md, src/guides/*.md); mdBook has no
            front matter, so the structured parts are written as plain markdown.
            A reference for plain markdown rendering, not a like-for-like peer.

corpus.json in the output folder records N, the seed and the files and bytes per layout.
Guide i depends only on (seed, i), so the corpus for N=100 is a prefix of N=1000, and the
same seed gives the same corpus on every machine. Python 3 standard library only;
scripts/bench and scripts/bench-serve.sh run it with seed 42.

Usage:
  python3 scripts/gen_corpus.py --n 1000 --out DATA_DIR/n1000 [--seed 42] [--layouts guides,hugo,zola,mdbook] [--force]
"""

import argparse
import json
import os
import random
import re
import shutil
import sys
from datetime import date, timedelta

# ---------------------------------------------------------------------------
# Word lists (relationships / communication / self-improvement)
# ---------------------------------------------------------------------------

TAG_POOL = [
    "active listening", "boundaries", "conflict resolution", "empathy", "feedback",
    "trust", "apologies", "gratitude", "self-care", "habits", "motivation",
    "mindfulness", "stress", "anxiety", "confidence", "assertiveness",
    "negotiation", "difficult conversations", "small talk", "friendship",
    "dating", "marriage", "parenting", "siblings", "family", "remote work",
    "teamwork", "leadership", "mentoring", "career growth", "public speaking",
    "journaling", "time management", "focus", "procrastination", "sleep",
    "burnout", "resilience", "emotional intelligence", "vulnerability",
    "forgiveness", "long-distance", "co-parenting", "roommates", "neighbours",
    "online communication", "first impressions", "body language", "goal setting",
    "decision making",
]

SUBJECTS = [
    "you", "your partner", "a close friend", "the other person", "most people",
    "your manager", "a good listener", "each of us", "your family", "the team",
    "your roommate", "a new colleague", "your teenager", "a sibling", "both of you",
    "everyone involved", "a mentor", "your future self", "the person you are helping",
    "a careful speaker",
]

MODALS = ["can", "should", "will often", "might", "tends to", "needs to", "is able to",
          "may want to", "usually has to", "can learn to"]

VERBS = [
    "notice", "name", "acknowledge", "revisit", "practice", "protect", "share",
    "ask about", "reflect on", "clarify", "repair", "schedule", "slow down",
    "write down", "celebrate", "question", "listen for", "respect", "rebuild",
    "summarise", "explore", "negotiate", "let go of", "check in on", "prepare for",
    "make room for", "pay attention to", "follow up on", "set aside", "agree on",
]

OBJECTS = [
    "the underlying need", "a small boundary", "your own assumptions",
    "the tone of the conversation", "a shared goal", "the first ten minutes",
    "what went well", "the unspoken expectations", "a recurring argument",
    "the feelings behind the words", "a realistic plan", "one clear request",
    "the promises you made", "a quiet moment together", "the bigger picture",
    "an honest apology", "their point of view", "a weekly ritual",
    "the hardest part", "your energy levels", "a simple routine", "the next step",
    "a difficult topic", "the original question", "a fair compromise",
    "the small wins", "a moment of silence", "the evidence you have",
    "your default reaction", "a trusted friend",
]

ADVERBIALS = [
    "before the conversation starts", "without rushing to fix it",
    "in a calm voice", "at the end of each week", "when emotions run high",
    "even when it feels awkward", "over a cup of tea", "on a long walk",
    "in writing first", "as early as possible", "without keeping score",
    "one day at a time", "in plain language", "with genuine curiosity",
    "after a good night's sleep", "in front of nobody else", "during a quiet evening",
    "before making any decision", "while the details are fresh",
    "with a little humour",
]

CONNECTORS = [
    "Over time,", "In practice,", "If it helps,", "Most of the time,",
    "Once that is clear,", "At first,", "Sooner or later,", "In many cases,",
    "For example,", "On a good day,", "Even so,", "As a rule,", "Afterwards,",
    "Above all,", "Quite often,",
]

REASONS = [
    "because trust grows from small, repeated actions",
    "so that both people feel heard",
    "which makes the next conversation easier",
    "since nobody can read minds",
    "because habits are built in tiny steps",
    "so the real issue does not get buried",
    "which keeps resentment from piling up",
    "because clarity is a form of kindness",
    "so you can respond instead of react",
    "which gives everyone a chance to reset",
    "because feeling understood comes before problem solving",
    "so that progress is visible",
]

NOUN_TOPICS = [
    "Active Listening", "Healthy Boundaries", "Honest Feedback", "Difficult Conversations",
    "Rebuilding Trust", "Saying Sorry", "Daily Gratitude", "Morning Routines",
    "Saying No", "Asking for Help", "Handling Criticism", "Making Friends as an Adult",
    "Staying Close at a Distance", "Calm Disagreements", "Meaningful Check-ins",
    "Weekly Reviews", "Better Sleep Habits", "Remote Team Rituals", "First Dates",
    "Family Dinners", "Sharing Chores", "Giving Compliments", "Setting Goals",
    "Managing Stress", "Overcoming Procrastination", "Public Speaking Nerves",
    "Mentoring Conversations", "Co-parenting Schedules", "Roommate Agreements",
    "Repairing After a Fight",
]

TITLE_PATTERNS = [
    "How to {verb} {object}",
    "A Practical Guide to {topic}",
    "{topic}: A Step-by-Step Guide",
    "{num} Ways to {verb} {object}",
    "Getting Started with {topic}",
    "{topic} for Busy People",
    "What Nobody Tells You About {topic}",
    "The Beginner's Checklist for {topic}",
]

H2_HEADINGS = [
    "Why it matters", "Before you start", "Common mistakes", "What to say",
    "When it goes wrong", "Building the habit", "Signs of progress", "Going deeper",
    "A simple framework", "Real-life examples", "Questions to ask yourself",
    "Making it stick", "What the research suggests", "A note on timing",
    "When to ask for help",
]

H3_HEADINGS = [
    "The short version", "A gentle opening", "If you only have five minutes",
    "Small steps", "A worked example", "What to avoid", "Useful phrases",
    "Keeping it light", "For couples", "For teams", "For families",
    "On a bad day", "Tracking it", "A quick exercise",
]

LINK_TARGETS = [
    "https://example.org/articles/listening", "https://example.org/research/trust",
    "https://example.com/blog/boundaries", "https://example.net/podcast/episode-12",
    "https://example.org/worksheets/weekly-review", "https://example.com/books/conversations",
]

QUESTION_PATTERNS = [
    "What if {subject} does not want to {verb} {object}?",
    "How long does it take to {verb} {object}?",
    "Is it normal to struggle to {verb} {object}?",
    "Should I {verb} {object} {adverbial}?",
    "What is the best way to {verb} {object}?",
    "Can I {verb} {object} if {subject} is not ready?",
]

CHECKLIST_TITLES = [
    "Before the conversation", "During the conversation", "Afterwards",
    "Daily practice", "Weekly review", "Preparation", "Warning signs",
    "First week", "When you feel stuck",
]

# ---------------------------------------------------------------------------
# Text building
# ---------------------------------------------------------------------------


def cap(s):
    return s[:1].upper() + s[1:]


def slugify(s):
    s = s.lower()
    s = re.sub(r"[^a-z0-9]+", "-", s)
    return s.strip("-")


class Writer:
    def __init__(self, rng, slugs_before):
        self.r = rng
        self.slugs_before = slugs_before  # list of earlier guide slugs (for internal links)

    def clause(self):
        r = self.r
        return "%s %s %s %s" % (r.choice(SUBJECTS), r.choice(MODALS), r.choice(VERBS), r.choice(OBJECTS))

    def sentence(self, markup=False):
        r = self.r
        parts = []
        if r.random() < 0.35:
            parts.append(r.choice(CONNECTORS))
        subj = r.choice(SUBJECTS)
        obj = r.choice(OBJECTS)
        adv = r.choice(ADVERBIALS) if r.random() < 0.6 else None
        if markup:
            x = r.random()
            if x < 0.2:
                obj = "**%s**" % obj
            elif x < 0.35 and adv:
                adv = "*%s*" % adv
        parts.append(subj)
        parts.append(r.choice(MODALS))
        parts.append(r.choice(VERBS))
        parts.append(obj)
        if adv:
            parts.append(adv)
        if r.random() < 0.4:
            parts[-1] = parts[-1] + ","
            parts.append(r.choice(REASONS))
        s = " ".join(parts)
        # capitalise first letter of first word (skip markup)
        s = s[0].upper() + s[1:]
        return s + ("!" if r.random() < 0.04 else ".")

    def link(self):
        r = self.r
        if self.slugs_before and r.random() < 0.5:
            slug = r.choice(self.slugs_before)
            return "[%s](/guides/%s/)" % (r.choice(["this related guide", "a companion guide",
                                                    "an earlier guide", "our guide on the topic"]), slug)
        return "[%s](%s)" % (r.choice(["a short article", "this worksheet", "a helpful summary",
                                       "one study", "a longer discussion"]), r.choice(LINK_TARGETS))

    def paragraph(self, nmin=3, nmax=6, markup=True, with_link=None):
        r = self.r
        n = r.randint(nmin, nmax)
        sents = [self.sentence(markup=markup) for _ in range(n)]
        if with_link is None:
            with_link = r.random() < 0.5
        if with_link:
            k = r.randrange(n)
            sents[k] = sents[k][:-1] + " (see %s)%s" % (self.link(), sents[k][-1])
        return " ".join(sents)

    def short(self):
        """A short imperative phrase, e.g. for list items."""
        r = self.r
        s = "%s %s" % (cap(r.choice(VERBS)), r.choice(OBJECTS))
        if r.random() < 0.5:
            s += " " + r.choice(ADVERBIALS)
        return s

    def bullet_list(self, nmin=3, nmax=6, ordered=False):
        r = self.r
        n = r.randint(nmin, nmax)
        lines = []
        for i in range(n):
            item = self.short()
            if r.random() < 0.3:
                item = "**%s**: %s" % (item, self.sentence().lower()[:-1] + ".")
            lines.append(("%d. " % (i + 1) if ordered else "- ") + item)
        return "\n".join(lines)

    def task_list(self):
        r = self.r
        n = r.randint(3, 5)
        return "\n".join("- [%s] %s" % ("x" if r.random() < 0.3 else " ", self.short()) for _ in range(n))

    def table(self):
        r = self.r
        cols = r.choice([["Situation", "What to try", "Why it helps"],
                         ["Moment", "Instead of", "Try"],
                         ["Day", "Focus", "Time needed"]])
        rows = []
        for _ in range(r.randint(3, 6)):
            if cols[0] == "Day":
                rows.append([r.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Weekend"]),
                             self.short(), "%d minutes" % r.choice([5, 10, 15, 20, 30])])
            else:
                rows.append([cap(r.choice(ADVERBIALS)), self.short(), cap(r.choice(REASONS))])
        out = ["| " + " | ".join(cols) + " |", "| " + " | ".join("---" for _ in cols) + " |"]
        out += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(out)

    def blockquote(self):
        r = self.r
        lines = [self.sentence(markup=True) for _ in range(r.randint(1, 3))]
        q = "> " + " ".join(lines)
        if r.random() < 0.5:
            q += "\n>\n> — %s" % r.choice(["a reader", "a family therapist", "an old friend",
                                           "a team lead", "my grandmother"])
        return q

    def body(self, target_words):
        """Markdown body with h2/h3, lists, a GFM table, a blockquote and task list items."""
        r = self.r
        blocks = [self.paragraph(3, 5)]
        h2s = r.sample(H2_HEADINGS, r.randint(4, 6))
        specials = ["table", "quote", "tasks", "list", "olist"]
        r.shuffle(specials)
        words = len(blocks[0].split())
        si = 0
        for i, h2 in enumerate(h2s):
            blocks.append("## " + h2)
            blocks.append(self.paragraph(3, 6))
            if si < len(specials) and (r.random() < 0.7 or i >= len(h2s) - (len(specials) - si)):
                kind = specials[si]
                si += 1
                blocks.append({"table": self.table, "quote": self.blockquote, "tasks": self.task_list,
                               "list": self.bullet_list,
                               "olist": lambda: self.bullet_list(ordered=True)}[kind]())
            if r.random() < 0.5:
                blocks.append("### " + r.choice(H3_HEADINGS))
                blocks.append(self.paragraph(2, 5))
            words = sum(len(b.split()) for b in blocks)
            if words >= target_words and si >= len(specials):
                break
        while si < len(specials):
            kind = specials[si]
            si += 1
            blocks.append({"table": self.table, "quote": self.blockquote, "tasks": self.task_list,
                           "list": self.bullet_list,
                           "olist": lambda: self.bullet_list(ordered=True)}[kind]())
        words = sum(len(b.split()) for b in blocks)
        extra = 0
        while words < target_words and extra < 6:
            if r.random() < 0.4:
                blocks.append("### " + r.choice(H3_HEADINGS))
            p = self.paragraph(3, 6)
            blocks.append(p)
            words += len(p.split())
            extra += 1
        return "\n\n".join(blocks) + "\n"


def make_guide(seed, i):
    r = random.Random("%s-%d" % (seed, i))
    # slugs of earlier guides (deterministic, cheap: recompute titles only for a few)
    earlier = [slug_for(seed, j) for j in r.sample(range(i), min(i, 4))] if i > 0 else []
    w = Writer(r, earlier)
    title = title_for(seed, i)
    slug = slug_for(seed, i)
    d = date(2021, 1, 1) + timedelta(days=r.randrange(0, 1400))
    tags = r.sample(TAG_POOL, r.randint(2, 4))
    description = cap(w.clause()) + " " + r.choice(ADVERBIALS) + "."
    # texts drawn for one guide are kept distinct: a generator that derives ids from text
    # (as guidesmith does) would otherwise see the same id twice in a guide
    used = set()

    def distinct(draw):
        while True:
            text = draw()
            if slugify(text) not in used:
                used.add(slugify(text))
                return text

    steps = []
    for k in range(r.randint(5, 11)):
        paras = [w.paragraph(2, 3, with_link=(k == 0 or None)) for _ in range(r.choice([1, 1, 1, 2, 2, 3]))]
        if r.random() < 0.3:
            paras.insert(r.randint(1, len(paras)), w.bullet_list(2, 4))
        steps.append({"title": distinct(w.short), "body": "\n\n".join(paras)})
    faqs = []
    for _ in range(r.randint(3, 6)):
        q = distinct(lambda: r.choice(QUESTION_PATTERNS).format(
            subject=r.choice(SUBJECTS), verb=r.choice(VERBS), object=r.choice(OBJECTS),
            adverbial=r.choice(ADVERBIALS)))
        a = w.paragraph(2, 3)
        if r.random() < 0.2:
            a += "\n\n" + w.paragraph(1, 2, with_link=False)
        faqs.append({"q": q, "a": a})
    checklists = []
    for ct in r.sample(CHECKLIST_TITLES, r.randint(1, 2)):
        checklists.append({"id": slugify(ct), "title": ct,
                           "items": [distinct(w.short) for _ in range(r.randint(4, 8))]})
    rows = []
    for _ in range(r.randint(4, 6)):
        rows.append({"do": w.short(), "dont": cap(r.choice(VERBS)) + " " + r.choice(OBJECTS) + " "
                     + r.choice(["in anger", "by text message", "in public", "at midnight",
                                 "while distracted", "to win the argument", "all at once"])})
    dos_donts = [{"title": "Do and don't: " + r.choice(NOUN_TOPICS).lower(), "rows": rows}]
    body = w.body(r.randint(520, 1000))
    return {
        "slug": slug, "title": title, "description": description, "date": d.isoformat(),
        "tags": tags, "steps": steps, "faqs": faqs, "checklists": checklists,
        "dos_donts": dos_donts, "body": body,
    }


def title_for(seed, i):
    r = random.Random("%s-title-%d" % (seed, i))
    pat = r.choice(TITLE_PATTERNS)
    return pat.format(verb=r.choice(VERBS), object=r.choice(OBJECTS), topic=r.choice(NOUN_TOPICS),
                      num=r.choice([3, 5, 7, 10, 12]))


def slug_for(seed, i):
    return "%s-%05d" % (slugify(title_for(seed, i))[:60].rstrip("-"), i)


# ---------------------------------------------------------------------------
# YAML emission (all scalars quoted; markdown bodies as literal blocks)
# ---------------------------------------------------------------------------


def q(s):
    return json.dumps(s, ensure_ascii=False)


def block(s, indent):
    pad = " " * indent
    lines = s.rstrip("\n").split("\n")
    return "|-\n" + "\n".join((pad + l) if l else "" for l in lines)


def yaml_structured(g, base):
    """steps/faqs/checklists/dos_donts as YAML lines, each key at `base` spaces."""
    p = " " * base
    out = [p + "steps:"]
    for s in g["steps"]:
        out.append(p + "  - title: " + q(s["title"]))
        out.append(p + "    body: " + block(s["body"], base + 6))
    out.append(p + "faqs:")
    for f in g["faqs"]:
        out.append(p + "  - q: " + q(f["q"]))
        out.append(p + "    a: " + block(f["a"], base + 6))
    out.append(p + "checklists:")
    for c in g["checklists"]:
        out.append(p + "  - id: " + q(c["id"]))
        out.append(p + "    title: " + q(c["title"]))
        out.append(p + "    items:")
        for it in c["items"]:
            out.append(p + "      - " + q(it))
    out.append(p + "dos_donts:")
    for t in g["dos_donts"]:
        out.append(p + "  - title: " + q(t["title"]))
        out.append(p + "    rows:")
        for row in t["rows"]:
            out.append(p + "      - do: " + q(row["do"]))
            out.append(p + "        dont: " + q(row["dont"]))
    return out


def neutral_md(g):
    """Neutral layout; also used verbatim for Hugo (all keys at top level)."""
    out = ["---", "title: " + q(g["title"]), "description: " + q(g["description"]),
           "date: " + g["date"], "tags: [" + ", ".join(q(t) for t in g["tags"]) + "]"]
    out += yaml_structured(g, 0)
    out.append("---")
    return "\n".join(out) + "\n\n" + g["body"]


def zola_md(g):
    out = ["---", "title: " + q(g["title"]), "description: " + q(g["description"]),
           "date: " + g["date"], "taxonomies:",
           "  tags: [" + ", ".join(q(t) for t in g["tags"]) + "]", "extra:"]
    out += yaml_structured(g, 2)
    out.append("---")
    return "\n".join(out) + "\n\n" + g["body"]


def mdbook_md(g):
    """No front matter in mdBook: everything as plain markdown."""
    out = ["# " + g["title"], "", "*" + g["description"] + "*", "",
           "Tags: " + ", ".join(g["tags"]), "", "## Steps", ""]
    for k, s in enumerate(g["steps"], 1):
        out += ["### %d. %s" % (k, s["title"]), "", s["body"], ""]
    out.append(g["body"])
    for c in g["checklists"]:
        out += ["## " + c["title"], ""] + ["- [ ] " + it for it in c["items"]] + [""]
    for t in g["dos_donts"]:
        out += ["## " + t["title"], "", "| Do | Don't |", "| --- | --- |"]
        out += ["| %s | %s |" % (row["do"], row["dont"]) for row in t["rows"]] + [""]
    out += ["## FAQ", ""]
    for f in g["faqs"]:
        out += ["### " + f["q"], "", f["a"], ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Shared static assets (identical for every peer)
# ---------------------------------------------------------------------------

STYLE_CSS = """body{font-family:system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;line-height:1.55}
header,footer{padding:.5rem 0;border-bottom:1px solid #ddd}footer{border-top:1px solid #ddd;border-bottom:0}
.tags{list-style:none;padding:0;display:flex;gap:.5rem;flex-wrap:wrap}.tags li{background:#eef;padding:0 .4rem;border-radius:.3rem}
.toc{background:#f7f7f7;padding:.5rem 1rem}.steps>ol>li{margin-bottom:1rem}
details.faq{border:1px solid #ddd;border-radius:.3rem;padding:.4rem;margin:.4rem 0}summary{font-weight:600;cursor:pointer}
.checklist ul{list-style:none;padding-left:0}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem}
.guide-list li{margin-bottom:.6rem}
"""

GUIDE_JS = """// Persist checklist state and mark completed steps (progressive enhancement).
document.querySelectorAll('input[type=checkbox][data-key]').forEach(function (box) {
  var key = 'guide:' + location.pathname + ':' + box.dataset.key;
  box.checked = localStorage.getItem(key) === '1';
  box.addEventListener('change', function () { localStorage.setItem(key, box.checked ? '1' : '0'); });
});
"""

# ---------------------------------------------------------------------------
# Hugo site
# ---------------------------------------------------------------------------

HUGO_CONFIG = """baseURL = "https://guides.example.org/"
languageCode = "en"
title = "Guides benchmark site"
disableKinds = ["RSS"]        # Zola side has feeds off (its default)
enableRobotsTXT = true        # Zola writes robots.txt by default
[params]
  description = "Practical guides about relationships, communication and self-improvement."
[taxonomies]
  tag = "tags"                # only tags (Hugo would add categories by default)
[sitemap]
  changefreq = ""
[markup]
  [markup.goldmark]
    [markup.goldmark.extensions]
      typographer = false     # Zola: smart_punctuation = false (default)
      linkify = false         # pulldown-cmark does not autolink bare URLs
  [markup.tableOfContents]
    startLevel = 2
    endLevel = 3
"""

HUGO_BASEOF = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Site.Title }}{{ end }}</title>
<meta name="description" content="{{ with .Description }}{{ . }}{{ else }}{{ .Site.Params.description }}{{ end }}">
<link rel="stylesheet" href="{{ "style.css" | absURL }}">
</head>
<body>
<header><a href="{{ "/" | absURL }}">{{ .Site.Title }}</a> · <a href="{{ "guides/" | absURL }}">All guides</a> · <a href="{{ "tags/" | absURL }}">Tags</a></header>
<main>
{{ block "main" . }}{{ end }}
</main>
<footer>Generated benchmark site.</footer>
<script src="{{ "guide.js" | absURL }}" defer></script>
</body>
</html>
"""

HUGO_SINGLE = """{{ define "title" }}{{ .Title }} | {{ .Site.Title }}{{ end }}
{{ define "main" }}
<article class="guide">
<h1>{{ .Title }}</h1>
<p class="description">{{ .Description }}</p>
<p class="meta"><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "January 2, 2006" }}</time></p>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .Permalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<nav class="toc" aria-label="Contents">{{ .TableOfContents }}</nav>
{{ with .Params.steps }}
<section class="steps" id="steps">
<h2>Steps</h2>
<ol>
{{ range $i, $s := . }}<li class="step" id="step-{{ add $i 1 }}">
<h3>{{ $s.title }}</h3>
<div class="step-body">{{ $s.body | markdownify }}</div>
</li>
{{ end }}</ol>
</section>
{{ end }}
<div class="content">
{{ .Content }}
</div>
{{ range $c := .Params.checklists }}
<section class="checklist" id="checklist-{{ $c.id }}">
<h2>{{ $c.title }}</h2>
<ul>
{{ range $j, $item := $c.items }}<li><label><input type="checkbox" data-key="{{ $c.id }}-{{ $j }}"> {{ $item }}</label></li>
{{ end }}</ul>
</section>
{{ end }}
{{ range .Params.dos_donts }}
<table class="dos-donts">
<caption>{{ .title }}</caption>
<thead><tr><th>Do</th><th>Don't</th></tr></thead>
<tbody>
{{ range .rows }}<tr><td>{{ .do }}</td><td>{{ .dont }}</td></tr>
{{ end }}</tbody>
</table>
{{ end }}
{{ with .Params.faqs }}
<section class="faqs" id="faq">
<h2>Frequently asked questions</h2>
{{ range . }}<details class="faq"><summary>{{ .q }}</summary>
<div class="answer">{{ .a | markdownify }}</div>
</details>
{{ end }}</section>
{{ end }}
</article>
{{ end }}
"""

HUGO_LIST = """{{ define "title" }}{{ .Title }} | {{ .Site.Title }}{{ end }}
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul class="guide-list">
{{ range .Pages }}<li><a href="{{ .Permalink }}">{{ .Title }}</a>{{ if eq .Kind "page" }} <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006-01-02" }}</time><br>{{ .Description }}{{ else }} ({{ len .Pages }}){{ end }}</li>
{{ end }}</ul>
{{ end }}
"""

HUGO_INDEX = """{{ define "main" }}
<h1>{{ .Site.Title }}</h1>
<p>{{ .Site.Params.description }}</p>
<ul class="guide-list">
{{ range where .Site.RegularPages "Section" "guides" }}<li><a href="{{ .Permalink }}">{{ .Title }}</a> <time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006-01-02" }}</time><br>{{ .Description }}
<span class="tags">{{ range .GetTerms "tags" }}<a href="{{ .Permalink }}">{{ .LinkTitle }}</a> {{ end }}</span></li>
{{ end }}</ul>
{{ end }}
"""

HUGO_404 = """{{ define "main" }}<h1>Page not found</h1><p><a href="{{ "/" | absURL }}">Home</a></p>{{ end }}
"""

# ---------------------------------------------------------------------------
# Zola site
# ---------------------------------------------------------------------------

ZOLA_CONFIG = """base_url = "https://guides.example.org"
title = "Guides benchmark site"
description = "Practical guides about relationships, communication and self-improvement."
default_language = "en"
compile_sass = false
build_search_index = false
generate_feeds = false        # Hugo side has RSS disabled
generate_sitemap = true
generate_robots_txt = true
taxonomies = [
  { name = "tags" },
]

[markdown]
smart_punctuation = false
render_emoji = false
external_links_external = false   # Hugo adds no rel="external"
# no [markdown.highlighting] table: no code highlighting (corpus has no code blocks)

[extra]
"""

ZOLA_SECTION_INDEX = """+++
title = "All guides"
sort_by = "date"
+++
"""

ZOLA_BASE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{{ config.title }}{% endblock title %}</title>
<meta name="description" content="{% block description %}{{ config.description }}{% endblock description %}">
<link rel="stylesheet" href="{{ get_url(path='style.css') }}">
</head>
<body>
<header><a href="{{ config.base_url | safe }}/">{{ config.title }}</a> · <a href="{{ config.base_url | safe }}/guides/">All guides</a> · <a href="{{ config.base_url | safe }}/tags/">Tags</a></header>
<main>
{% block content %}{% endblock content %}
</main>
<footer>Generated benchmark site.</footer>
<script src="{{ get_url(path='guide.js') }}" defer></script>
</body>
</html>
"""

ZOLA_PAGE = """{% extends "base.html" %}
{% block title %}{{ page.title }} | {{ config.title }}{% endblock title %}
{% block description %}{{ page.description }}{% endblock description %}
{% block content %}
<article class="guide">
<h1>{{ page.title }}</h1>
<p class="description">{{ page.description }}</p>
<p class="meta"><time datetime="{{ page.date | date(format='%Y-%m-%d') }}">{{ page.date | date(format='%B %-d, %Y') }}</time></p>
<ul class="tags">{% for tag in page.taxonomies.tags %}<li><a href="{{ get_taxonomy_url(kind='tags', name=tag) }}">{{ tag }}</a></li>{% endfor %}</ul>
<nav class="toc" aria-label="Contents"><ul>
{% for h2 in page.toc %}<li><a href="#{{ h2.id }}">{{ h2.title }}</a>{% if h2.children %}<ul>{% for h3 in h2.children %}<li><a href="#{{ h3.id }}">{{ h3.title }}</a></li>{% endfor %}</ul>{% endif %}</li>
{% endfor %}</ul></nav>
{% if page.extra.steps %}
<section class="steps" id="steps">
<h2>Steps</h2>
<ol>
{% for s in page.extra.steps %}<li class="step" id="step-{{ loop.index }}">
<h3>{{ s.title }}</h3>
<div class="step-body">{{ s.body | markdown | safe }}</div>
</li>
{% endfor %}</ol>
</section>
{% endif %}
<div class="content">
{{ page.content | safe }}
</div>
{% for c in page.extra.checklists %}
<section class="checklist" id="checklist-{{ c.id }}">
<h2>{{ c.title }}</h2>
<ul>
{% for item in c.items %}<li><label><input type="checkbox" data-key="{{ c.id }}-{{ loop.index0 }}"> {{ item }}</label></li>
{% endfor %}</ul>
</section>
{% endfor %}
{% for t in page.extra.dos_donts %}
<table class="dos-donts">
<caption>{{ t.title }}</caption>
<thead><tr><th>Do</th><th>Don't</th></tr></thead>
<tbody>
{% for row in t.rows %}<tr><td>{{ row.do }}</td><td>{{ row.dont }}</td></tr>
{% endfor %}</tbody>
</table>
{% endfor %}
{% if page.extra.faqs %}
<section class="faqs" id="faq">
<h2>Frequently asked questions</h2>
{% for f in page.extra.faqs %}<details class="faq"><summary>{{ f.q }}</summary>
<div class="answer">{{ f.a | markdown | safe }}</div>
</details>
{% endfor %}</section>
{% endif %}
</article>
{% endblock content %}
"""

ZOLA_SECTION = """{% extends "base.html" %}
{% block title %}{{ section.title }} | {{ config.title }}{% endblock title %}
{% block content %}
<h1>{{ section.title }}</h1>
<ul class="guide-list">
{% for p in section.pages %}<li><a href="{{ p.permalink | safe }}">{{ p.title }}</a> <time datetime="{{ p.date | date(format='%Y-%m-%d') }}">{{ p.date | date(format='%Y-%m-%d') }}</time><br>{{ p.description }}</li>
{% endfor %}</ul>
{% endblock content %}
"""

ZOLA_INDEX = """{% extends "base.html" %}
{% block content %}
<h1>{{ config.title }}</h1>
<p>{{ config.description }}</p>
{% set guides = get_section(path="guides/_index.md") %}
<ul class="guide-list">
{% for p in guides.pages %}<li><a href="{{ p.permalink | safe }}">{{ p.title }}</a> <time datetime="{{ p.date | date(format='%Y-%m-%d') }}">{{ p.date | date(format='%Y-%m-%d') }}</time><br>{{ p.description }}
<span class="tags">{% for tag in p.taxonomies.tags %}<a href="{{ get_taxonomy_url(kind='tags', name=tag) }}">{{ tag }}</a> {% endfor %}</span></li>
{% endfor %}</ul>
{% endblock content %}
"""

ZOLA_TAX_LIST = """{% extends "base.html" %}
{% block title %}Tags | {{ config.title }}{% endblock title %}
{% block content %}
<h1>Tags</h1>
<ul class="guide-list">
{% for term in terms %}<li><a href="{{ term.permalink | safe }}">{{ term.name }}</a> ({{ term.page_count }})</li>
{% endfor %}</ul>
{% endblock content %}
"""

ZOLA_TAX_SINGLE = """{% extends "base.html" %}
{% block title %}{{ term.name }} | {{ config.title }}{% endblock title %}
{% block content %}
<h1>{{ term.name }}</h1>
<ul class="guide-list">
{% for p in term.pages %}<li><a href="{{ p.permalink | safe }}">{{ p.title }}</a> <time datetime="{{ p.date | date(format='%Y-%m-%d') }}">{{ p.date | date(format='%Y-%m-%d') }}</time><br>{{ p.description }}</li>
{% endfor %}</ul>
{% endblock content %}
"""

ZOLA_404 = """{% extends "base.html" %}
{% block content %}<h1>Page not found</h1><p><a href="{{ config.base_url | safe }}/">Home</a></p>{% endblock content %}
"""

# ---------------------------------------------------------------------------
# mdBook
# ---------------------------------------------------------------------------

MDBOOK_TOML = """[book]
title = "Guides benchmark book"
authors = ["bench"]
language = "en"
src = "src"

[output.html]
# keep the build comparable to the SSG peers: no search index, no print page
print = { enable = false }
smart-punctuation = false   # the SSG peers have smart punctuation off

[output.html.search]
enable = false
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, required=True, help="number of guides")
    ap.add_argument("--out", required=True, help="output directory (created; layouts go in sub-folders)")
    ap.add_argument("--seed", default="42", help="seed (default 42)")
    ap.add_argument("--layouts", default="guides,hugo,zola,mdbook",
                    help="comma-separated subset of guides,hugo,zola,mdbook")
    ap.add_argument("--force", action="store_true", help="replace existing layout folders")
    args = ap.parse_args(argv)

    layouts = [l for l in args.layouts.split(",") if l]
    for l in layouts:
        if l not in ("guides", "hugo", "zola", "mdbook"):
            ap.error("unknown layout %r" % l)
    out = os.path.abspath(args.out)
    for l in layouts:
        d = os.path.join(out, l)
        if os.path.exists(d):
            if not args.force:
                ap.error("%s exists (use --force to replace)" % d)
            shutil.rmtree(d)

    if "guides" in layouts:
        write(os.path.join(out, "guides", "site.toml"),
              'title = "Benchmark guides"\ndescription = "A synthetic corpus"\nbase_url = "https://guides.example.org/"\n')
    if "hugo" in layouts:
        h = os.path.join(out, "hugo")
        write(os.path.join(h, "hugo.toml"), HUGO_CONFIG)
        write(os.path.join(h, "layouts/_default/baseof.html"), HUGO_BASEOF)
        write(os.path.join(h, "layouts/_default/single.html"), HUGO_SINGLE)
        write(os.path.join(h, "layouts/_default/list.html"), HUGO_LIST)
        write(os.path.join(h, "layouts/index.html"), HUGO_INDEX)
        write(os.path.join(h, "layouts/404.html"), HUGO_404)
        write(os.path.join(h, "content/guides/_index.md"), '---\ntitle: "All guides"\n---\n')
        write(os.path.join(h, "static/style.css"), STYLE_CSS)
        write(os.path.join(h, "static/guide.js"), GUIDE_JS)
    if "zola" in layouts:
        z = os.path.join(out, "zola")
        write(os.path.join(z, "config.toml"), ZOLA_CONFIG)
        write(os.path.join(z, "content/_index.md"), "+++\n+++\n")
        write(os.path.join(z, "content/guides/_index.md"), ZOLA_SECTION_INDEX)
        write(os.path.join(z, "templates/base.html"), ZOLA_BASE)
        write(os.path.join(z, "templates/page.html"), ZOLA_PAGE)
        write(os.path.join(z, "templates/section.html"), ZOLA_SECTION)
        write(os.path.join(z, "templates/index.html"), ZOLA_INDEX)
        write(os.path.join(z, "templates/taxonomy_list.html"), ZOLA_TAX_LIST)
        write(os.path.join(z, "templates/taxonomy_single.html"), ZOLA_TAX_SINGLE)
        write(os.path.join(z, "templates/404.html"), ZOLA_404)
        write(os.path.join(z, "static/style.css"), STYLE_CSS)
        write(os.path.join(z, "static/guide.js"), GUIDE_JS)
    if "mdbook" in layouts:
        m = os.path.join(out, "mdbook")
        write(os.path.join(m, "book.toml"), MDBOOK_TOML)

    stats = {l: {"files": 0, "bytes": 0} for l in layouts}
    summary = ["# Summary", ""]

    for i in range(args.n):
        g = make_guide(args.seed, i)
        files = {}
        if "guides" in layouts:
            # guidesmith serves a guide at /<slug>/, so its cross-links drop the /guides/ section
            files["guides"] = (os.path.join(out, "guides", "guides", g["slug"] + ".md"),
                               neutral_md(g).replace("](/guides/", "](/"))
        if "hugo" in layouts:
            files["hugo"] = (os.path.join(out, "hugo", "content", "guides", g["slug"] + ".md"), neutral_md(g))
        if "zola" in layouts:
            files["zola"] = (os.path.join(out, "zola", "content", "guides", g["slug"] + ".md"), zola_md(g))
        if "mdbook" in layouts:
            files["mdbook"] = (os.path.join(out, "mdbook", "src", "guides", g["slug"] + ".md"), mdbook_md(g))
            summary.append("- [%s](guides/%s.md)" % (g["title"].replace("[", "(").replace("]", ")"), g["slug"]))
        for l, (path, text) in files.items():
            write(path, text)
            stats[l]["files"] += 1
            stats[l]["bytes"] += len(text.encode("utf-8"))

    if "mdbook" in layouts:
        write(os.path.join(out, "mdbook", "src", "SUMMARY.md"), "\n".join(summary) + "\n")

    meta = {"n": args.n, "seed": args.seed, "layouts": layouts, "guide_files": stats}
    meta_path = os.path.join(out, "corpus.json")
    if os.path.exists(meta_path):  # keep stats of layouts generated earlier with the same n and seed
        try:
            old = json.load(open(meta_path))
        except ValueError:
            old = {}
        if old.get("n") == args.n and old.get("seed") == args.seed:
            merged = dict(old.get("guide_files", {}))
            merged.update(stats)
            meta["guide_files"] = merged
            meta["layouts"] = sorted(merged)
    write(meta_path, json.dumps(meta, indent=2) + "\n")
    json.dump(meta, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
