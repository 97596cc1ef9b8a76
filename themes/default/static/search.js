/* guidesmith search: the client of the index in search/ (docs/search.md).
 *
 * Vanilla JavaScript, no dependencies, no build step; guidesmith.js adds it the first time the
 * search box is focused. Queries are folded and stemmed exactly as the indexer does
 * (src/search/terms.rs: the fold table is checked to match). A query word loads the shard of
 * its first three letters (search/index.json lists them), the last word matches as a prefix,
 * and every word must match. The box is an ARIA combobox with a listbox of hits; text from the
 * index is only ever set as textContent, never as HTML. */
(function () {
  "use strict";
  var doc = document;
  var box = doc.querySelector("[data-search]");
  if (!box || box.getAttribute("data-ready")) return;
  box.setAttribute("data-ready", "1");
  var input = box.querySelector("input");
  var base = doc.documentElement.getAttribute("data-base-path") || "/";
  var MAX_HITS = 10;
  var KIND_LABELS = { guide: "Guide", step: "Step", faq: "FAQ", item: "Checklist item", dodont: "Do / Don\u2019t", message: "Message", heading: "Section" };

  /* Terms: the same as src/search/terms.rs. */
  var FOLD_FROM = "àáâãäåāăąçćĉċčďđðèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżž";
  var FOLD_TO = "aaaaaaaaacccccdddeeeeeeeeegggghhiiiiiiiiijklllllnnnnooooooooorrrsssstttuuuuuuuuuuwyyyzzz";
  var FOLD_WIDE = { "ß": "ss", "æ": "ae", "œ": "oe", "þ": "th" };
  var fromChars = Array.from(FOLD_FROM), toChars = Array.from(FOLD_TO), folds = {};
  fromChars.forEach(function (c, i) { folds[c] = toChars[i]; });
  Object.keys(FOLD_WIDE).forEach(function (c) { folds[c] = FOLD_WIDE[c]; });
  var WORD = /[\p{Alphabetic}\p{N}]+/gu;
  var stemming = "";

  function fold(text) {
    var out = "";
    for (var c of text.toLowerCase()) {
      if (c === "'" || c === "\u2019") continue;
      out += c.charCodeAt(0) < 128 ? c : (folds[c] || c);
    }
    return out;
  }
  function undouble(s) {
    var n = s.length, last = s[n - 1];
    return n >= 3 && last === s[n - 2] && "aeiouylsz".indexOf(last) < 0 ? s.slice(0, -1) : s;
  }
  function stem(w) {
    if (stemming !== "en" || !/^[\x00-\x7f]*$/.test(w)) return w;
    var n = w.length, end = function (e) { return w.slice(n - e.length) === e; };
    if (n > 4 && end("ies")) return w.slice(0, -3) + "y";
    if (n > 5 && end("ing")) return undouble(w.slice(0, -3));
    if (n > 4 && end("ed")) return undouble(w.slice(0, -2));
    var before = w.slice(0, -2);
    if (n > 3 && end("es") && ("xz".indexOf(w[n - 3]) >= 0 || /(ss|ch|sh)$/.test(before))) return before;
    if (n > 3 && end("s") && !end("ss") && !end("us") && !end("is")) return w.slice(0, -1);
    return w;
  }
  function words(text) {
    return (fold(text).match(WORD) || []).filter(function (w) { return Array.from(w).length >= 2; });
  }
  function shardKey(term) { return Array.from(term).slice(0, 3).join(""); }
  /* Code point order, as Rust compares strings. */
  function before(a, b) {
    var x = Array.from(a), y = Array.from(b);
    for (var i = 0; i < Math.min(x.length, y.length); i++) {
      var d = x[i].codePointAt(0) - y[i].codePointAt(0);
      if (d) return d < 0;
    }
    return x.length < y.length;
  }

  /* Loading: the manifest once, each shard once. */
  var manifest = null, shards = {};
  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }
  function loadManifest() {
    if (!manifest) manifest = fetchJson(box.getAttribute("data-search")).then(function (m) {
      stemming = m.stem;
      fillTags(m.tags);
      return m;
    });
    return manifest;
  }
  function shardOf(m, key) {
    var name = m.shards[0][1];
    m.shards.forEach(function (s) { if (!before(key, s[0])) name = s[1]; });
    if (!shards[name]) shards[name] = fetchJson(base + "search/" + name);
    return shards[name];
  }

  /* Hits of one query word: prefix (the word being typed) or whole. */
  function wordHits(shard, word, prefix, m) {
    var term = stem(word), found = [];
    var each = function (frag, t) {
      var list = frag.t[t];
      for (var i = 0; i < list.length; i += 2) found.push({ frag: frag, rec: list[i], weight: list[i + 1] });
    };
    Object.keys(shard.k).forEach(function (key) {
      var frag = shard.k[key];
      if (!prefix) { if (key === shardKey(term) && frag.t[term]) each(frag, term); return; }
      if (key.indexOf(shardKey(word)) !== 0 && shardKey(word).indexOf(key) !== 0) return;
      Object.keys(frag.t).forEach(function (t) {
        var typed = t.indexOf(term) === 0 || t.indexOf(word) === 0 ||
          (word.indexOf(t) === 0 && t.length >= 3 && word.length - t.length <= 3);
        if (typed) each(frag, t);
      });
    });
    return found.map(function (h) {
      var r = h.frag.r[h.rec], g = h.frag.g[r[0]];
      return { id: g[0] + "#" + r[2] + "#" + r[1] + "#" + r[3], kind: m.kinds[r[1]], slug: g[0], guide: g[1], tags: g[2], anchor: r[2], title: r[3], text: r[4], context: r[5], weight: h.weight };
    });
  }

  function search(query) {
    var list = words(query);
    if (!list.length) return Promise.resolve([]);
    var prefixLast = !/\s$/.test(query);
    return loadManifest().then(function (m) {
      return Promise.all(list.map(function (w) { return shardOf(m, shardKey(w)); })).then(function (loaded) {
        var hits = {};
        list.forEach(function (w, i) {
          wordHits(loaded[i], w, prefixLast && i === list.length - 1, m).forEach(function (h) {
            var seen = hits[h.id] || (hits[h.id] = { hit: h, best: {} });
            seen.best[i] = Math.max(seen.best[i] || 0, h.weight);
          });
        });
        return rank(hits, list);
      });
    });
  }

  /* Every word must match; a word a hit was not listed under may still stand in its text. */
  function rank(hits, list) {
    var kind = kindFilter.value, tag = tagFilter.value, out = [];
    Object.keys(hits).forEach(function (id) {
      var s = hits[id], h = s.hit, score = 0, own = null;
      if (kind && h.kind !== kind) return;
      if (tag && h.tags.indexOf(tag) < 0) return;
      for (var i = 0; i < list.length; i++) {
        if (s.best[i]) { score += s.best[i]; continue; }
        own = own || words(h.title + " " + h.context + " " + h.text).map(stem);
        var w = stem(list[i]);
        if (own.indexOf(w) < 0 && !(i === list.length - 1 && own.some(function (t) { return t.indexOf(w) === 0; }))) return;
        score += 1;
      }
      out.push({ hit: h, score: score });
    });
    out.sort(function (a, b) { return b.score - a.score || (a.hit.id < b.hit.id ? -1 : 1); });
    return out.slice(0, MAX_HITS).map(function (s) { return s.hit; });
  }

  /* The widget: the input (combobox), filters and the listbox. */
  function make(tag, className, text) {
    var el = doc.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }
  var panel = make("div", "site-search-panel");
  panel.hidden = true;
  var filters = make("div", "site-search-filters");
  function select(label, name) {
    var wrap = make("label", "site-search-filter");
    wrap.appendChild(make("span", "visually-hidden", label));
    var s = make("select");
    s.name = name;
    wrap.appendChild(s);
    filters.appendChild(wrap);
    return s;
  }
  var kindFilter = select("Kind of hit", "kind");
  var tagFilter = select("Tag", "tag");
  function option(s, value, text) {
    var o = make("option", "", text);
    o.value = value;
    s.appendChild(o);
  }
  option(kindFilter, "", "All kinds");
  Object.keys(KIND_LABELS).forEach(function (k) { option(kindFilter, k, KIND_LABELS[k]); });
  option(tagFilter, "", "All tags");
  function fillTags(tags) { tags.forEach(function (t) { option(tagFilter, t[0], t[1]); }); }
  var status = make("p", "site-search-status");
  status.setAttribute("role", "status");
  var results = make("ul", "site-search-results");
  results.id = "site-search-results";
  results.setAttribute("role", "listbox");
  results.setAttribute("aria-label", "Search results");
  panel.appendChild(filters);
  panel.appendChild(status);
  panel.appendChild(results);
  box.appendChild(panel);

  /* Text with the query's words marked (as nodes, never HTML). */
  function marked(text, list, className) {
    var el = make("span", className), want = list.map(stem), last = 0, m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text))) {
      var w = fold(m[0]), t = stem(w);
      var hit = want.some(function (q, i) { return t === q || w.indexOf(list[i]) === 0; });
      if (!hit) continue;
      el.appendChild(doc.createTextNode(text.slice(last, m.index)));
      el.appendChild(make("mark", "", m[0]));
      last = m.index + m[0].length;
    }
    el.appendChild(doc.createTextNode(text.slice(last)));
    return el;
  }
  /* A window of the text around its first marked word. */
  function snippet(text, list) {
    var folded = fold(text), at = -1;
    list.forEach(function (w) { var i = folded.indexOf(w); if (i >= 0 && (at < 0 || i < at)) at = i; });
    if (at < 60) return text.length > 160 ? text.slice(0, 160) + "\u2026" : text;
    var start = text.lastIndexOf(" ", at - 40);
    return "\u2026" + text.slice(start + 1, start + 161) + (start + 161 < text.length ? "\u2026" : "");
  }
  function hrefOf(h) { return base + h.slug + "/" + (h.anchor ? "#" + h.anchor : ""); }

  var active = -1, shown = [];
  function setActive(i) {
    var items = results.children;
    if (active >= 0 && items[active]) items[active].setAttribute("aria-selected", "false");
    active = i;
    if (i >= 0 && items[i]) {
      items[i].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[i].id);
      items[i].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  }
  function open(isOpen) {
    panel.hidden = !isOpen;
    input.setAttribute("aria-expanded", isOpen ? "true" : "false");
  }
  function render(hits, query) {
    var list = words(query);
    results.textContent = "";
    shown = hits;
    active = -1;
    input.removeAttribute("aria-activedescendant");
    hits.forEach(function (h, i) {
      var li = make("li", "site-search-hit");
      li.id = "site-search-hit-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-kind", h.kind);
      li.setAttribute("data-href", hrefOf(h));
      var a = make("div", "site-search-hit-body");
      a.appendChild(make("span", "site-search-kind", KIND_LABELS[h.kind] || h.kind));
      var title = h.kind === "dodont" ? "Do: " + h.title : h.title;
      a.appendChild(marked(title, list, "site-search-title"));
      var where = h.kind === "guide" ? "" : h.guide + (h.context ? " \u203a " + h.context : "");
      if (where) a.appendChild(make("span", "site-search-where", where));
      var text = h.kind === "dodont" && h.text ? "Don\u2019t: " + h.text : h.text;
      if (text) a.appendChild(marked(snippet(text, list), list, "site-search-snippet"));
      li.appendChild(a);
      results.appendChild(li);
    });
    status.textContent = hits.length ? hits.length + (hits.length === 1 ? " result" : " results") : "No results";
    open(true);
  }
  function follow(i) {
    var h = shown[i];
    if (!h) return;
    var href = hrefOf(h);
    try { sessionStorage.setItem("guidesmith-search-hit", href); } catch (e) { /* no mark then */ }
    open(false);
    location.href = href;
  }

  var serial = 0;
  function run() {
    var query = input.value, mine = ++serial, started = performance.now();
    if (!words(query).length) { results.textContent = ""; shown = []; open(false); return; }
    search(query).then(function (hits) {
      if (mine !== serial) return;
      render(hits, query);
      results.setAttribute("data-ms", String(Math.round((performance.now() - started) * 10) / 10));
    }, function (e) {
      if (mine !== serial) return;
      results.textContent = "";
      status.textContent = "Search is not available right now.";
      open(true);
      if (window.console) console.warn("guidesmith search: " + e.message);
    });
  }
  input.addEventListener("input", run);
  kindFilter.addEventListener("change", run);
  tagFilter.addEventListener("change", run);
  input.addEventListener("keydown", function (e) {
    var n = results.children.length;
    if (e.key === "ArrowDown") { e.preventDefault(); if (panel.hidden) run(); else if (n) setActive((active + 1) % n); }
    else if (e.key === "ArrowUp") { e.preventDefault(); if (n) setActive(active <= 0 ? n - 1 : active - 1); }
    else if (e.key === "Enter") { if (active >= 0) { e.preventDefault(); follow(active); } else if (n) { e.preventDefault(); follow(0); } }
    else if (e.key === "Escape") { if (!panel.hidden) { e.preventDefault(); open(false); setActive(-1); } else input.value = ""; }
  });
  results.addEventListener("click", function (e) {
    var li = e.target.closest ? e.target.closest("li[role=option]") : null;
    if (!li) return;
    e.preventDefault();
    follow(Array.prototype.indexOf.call(results.children, li));
  });
  doc.addEventListener("click", function (e) { if (!box.contains(e.target)) open(false); });
  if (input.value) run();
})();
