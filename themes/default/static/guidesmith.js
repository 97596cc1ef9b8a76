/* guidesmith widgets: enhances the static pages of the default theme (see docs/widgets.md).
 *
 * Vanilla JavaScript, no dependencies, no build step, loaded with `defer`. Without it every page
 * is complete: checkboxes toggle, FAQs open, messages can be selected; the buttons below exist
 * only when this file runs. Progress is kept in localStorage, one key per ticked thing:
 *   guidesmith:<base path>:<guide slug>:<checklist id>:<item id>   a checklist item
 *   guidesmith:<base path>:<guide slug>:_steps:<step id>           a step marked done
 * with the value "1"; ids are slugs (no ":" or "_"), so keys never clash. If storage throws
 * (private mode, quota) or holds junk, state lives in memory for the visit. Nothing read from
 * storage or the URL is ever written as HTML: only textContent, properties and attributes. */
(function () {
  "use strict";
  var doc = document;
  var PREFIX = "guidesmith:" + (doc.documentElement.getAttribute("data-base-path") || "/") + ":";
  var STEPS = "_steps";

  /* Storage: writes go to memory first, then (if it works) to localStorage. */
  var memory = {};
  var has = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };
  function local() {
    try { return window.localStorage || null; } catch (e) { return null; }
  }
  function isDone(key) {
    if (has(memory, key)) return memory[key] === "1";
    try { var s = local(); return !!s && s.getItem(key) === "1"; } catch (e) { return false; }
  }
  function save(key, done) {
    memory[key] = done ? "1" : null;
    try {
      var s = local();
      if (s && done) s.setItem(key, "1");
      else if (s) s.removeItem(key);
    } catch (e) { /* kept in memory for this visit */ }
  }
  function keysUnder(prefix) {
    var keys = {}, k, i, s;
    try {
      s = local();
      for (i = 0; s && i < s.length; i++) {
        k = s.key(i);
        if (k && k.indexOf(prefix) === 0) keys[k] = 1;
      }
    } catch (e) { /* memory only */ }
    for (k in memory) if (has(memory, k) && k.indexOf(prefix) === 0) keys[k] = 1;
    return Object.keys(keys);
  }

  /* DOM helpers: elements are only ever filled with textContent. */
  function all(selector, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(selector)); }
  function make(tag, className, text) {
    var node = doc.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }
  function hiddenText(text) { return make("span", "visually-hidden", text); }
  function button(className, text, hidden) {
    var b = make("button", className, text);
    b.type = "button";
    if (hidden) b.appendChild(hiddenText(hidden));
    return b;
  }
  function live(className) {
    var p = make("p", className);
    p.setAttribute("role", "status");
    p.setAttribute("aria-live", "polite");
    return p;
  }
  function bar() {
    var b = make("div", "progress");
    b.setAttribute("aria-hidden", "true");
    b.appendChild(make("div", "progress-bar"));
    return b;
  }
  function fill(b, n, total) { b.firstChild.style.width = (total ? Math.round(100 * n / total) : 0) + "%"; }
  function label(node) { return node ? node.textContent.replace(/\s+/g, " ").trim() : ""; }

  var refreshers = [];
  var article = doc.querySelector("article.guide[data-guide]");
  var guideKey = article && PREFIX + article.getAttribute("data-guide") + ":";

  /* Checklists: remembered ticks, progress, reset. */
  function setUpChecklist(section) {
    var prefix = guideKey + section.getAttribute("data-checklist") + ":";
    var boxes = all("input[type=checkbox][data-item]", section);
    var keyOf = function (box) { return prefix + box.getAttribute("data-item"); };
    var tools = make("div", "checklist-progress");
    var meter = bar();
    var status = live("checklist-status");
    var reset = button("checklist-reset", "Reset", " " + label(section.querySelector("h2, h3")));
    tools.appendChild(meter);
    tools.appendChild(status);
    tools.appendChild(reset);
    section.appendChild(tools);

    function show() {
      var n = 0;
      boxes.forEach(function (box) {
        if (box.checked) n++;
        box.closest("li").classList.toggle("is-done", box.checked);
      });
      var finished = n === boxes.length;
      fill(meter, n, boxes.length);
      status.textContent = n + " of " + boxes.length + " done" + (finished ? ": checklist complete!" : "");
      section.classList.toggle("is-complete", finished);
      changed();
    }
    function load() {
      boxes.forEach(function (box) { box.checked = isDone(keyOf(box)); });
      show();
    }
    section.addEventListener("change", function (e) {
      var box = e.target;
      if (boxes.indexOf(box) < 0) return;
      save(keyOf(box), box.checked);
      show();
    });
    resetWithUndo(tools, reset, boxes, keyOf, show);
    load();
    refreshers.push(load);
    return boxes.map(keyOf);
  }

  /* Reset: clears the boxes at once and offers Undo, which puts back exactly what was ticked. */
  function resetWithUndo(tools, reset, boxes, keyOf, show) {
    var undo = button("undo-button", "Undo reset");
    var note = live("reset-status");
    undo.hidden = true;
    tools.appendChild(note);
    tools.appendChild(undo);
    var ticked = [];
    reset.addEventListener("click", function () {
      ticked = boxes.filter(function (box) { return box.checked; });
      boxes.forEach(function (box) {
        box.checked = false;
        save(keyOf(box), false);
      });
      show();
      note.textContent = ticked.length ? "Cleared " + ticked.length + "." : "Nothing to clear.";
      undo.hidden = !ticked.length;
      if (ticked.length) undo.focus();
    });
    undo.addEventListener("click", function () {
      ticked.forEach(function (box) {
        box.checked = true;
        save(keyOf(box), true);
      });
      show();
      note.textContent = "Restored " + ticked.length + ".";
      undo.hidden = true;
      reset.focus();
    });
  }

  /* Steps: "mark as done", "step 4 of 11", and a "continue at step N" link on return. */
  function setUpSteps(section) {
    var steps = all("li.step[data-step]", section);
    var keyOf = function (li) { return guideKey + STEPS + ":" + li.getAttribute("data-step"); };
    var status = live("steps-status");
    var meter = bar();
    var tools = make("div", "steps-progress");
    tools.appendChild(meter);
    tools.appendChild(status);
    var meta = section.querySelector(".steps-meta");
    section.insertBefore(tools, meta ? meta.nextSibling : section.firstChild);

    var boxes = steps.map(function (li, i) {
      var box = make("input");
      box.type = "checkbox";
      var control = make("label", "step-done");
      control.appendChild(box);
      control.appendChild(doc.createTextNode(" Mark as done"));
      control.appendChild(hiddenText(": " + label(li.querySelector(".step-title"))));
      li.appendChild(control);
      box.addEventListener("change", function () {
        save(keyOf(li), box.checked);
        show();
      });
      return box;
    });

    var resume = make("p", "resume");
    var link = make("a");
    resume.appendChild(link);
    var anchor = article.querySelector(".guide-header");
    article.insertBefore(resume, anchor ? anchor.nextSibling : article.firstChild);

    var returning = null; // progress found when the page loaded: only then offer to continue
    function show() {
      var done = 0, next = -1;
      boxes.forEach(function (box, i) {
        if (box.checked) done++;
        else if (next < 0) next = i;
        steps[i].classList.toggle("is-done", box.checked);
      });
      fill(meter, done, steps.length);
      status.textContent = next < 0 ? "All " + steps.length + " steps done" : done + " of " + steps.length + " steps done · next: step " + (next + 1);
      changed();
      if (returning === null) returning = done > 0;
      resume.hidden = !(returning && done > 0 && next >= 0);
      if (next >= 0) {
        link.href = "#" + steps[next].id;
        link.textContent = "Continue at step " + (next + 1) + ": " + label(steps[next].querySelector(".step-title"));
      }
    }
    function load() {
      boxes.forEach(function (box, i) { box.checked = isDone(keyOf(steps[i])); });
      show();
    }
    var reset = button("steps-reset", "Reset steps");
    tools.appendChild(reset);
    resetWithUndo(tools, reset, boxes, function (box) { return keyOf(steps[boxes.indexOf(box)]); }, show);
    load();
    refreshers.push(load);
    return steps.map(keyOf);
  }

  /* After any tick: the contents' ticks and the progress bar. */
  var ready = false;
  function changed() {
    if (!ready) return;
    all(".toc a[data-tracks]").forEach(function (a) {
      var el = doc.getElementById(a.getAttribute("data-tracks"));
      var boxes = el ? all("input[type=checkbox]", el) : [];
      var done = boxes.length > 0 && boxes.every(function (b) { return b.checked; });
      a.classList.toggle("is-done", done);
      var note = a.querySelector(".visually-hidden") || a.appendChild(hiddenText(""));
      note.textContent = done ? " (done)" : "";
    });
    showProgress();
  }
  function showProgress() {
    var out = doc.querySelector("[data-progress]");
    if (!out) return;
    var steps = all("li.step .step-done input");
    var items = all("section.checklist input[data-item]");
    var count = function (boxes) { return boxes.filter(function (b) { return b.checked; }).length; };
    out.textContent = "";
    if (steps.length) out.appendChild(make("span", "", "Steps " + count(steps) + "/" + steps.length));
    if (items.length) out.appendChild(make("span", "", "Checklist items " + count(items) + "/" + items.length));
    var next = steps.filter(function (b) { return !b.checked; })[0];
    if (next) {
      var li = next.closest("li.step");
      var a = make("a", "guide-progress-next", "Next: " + label(li.querySelector(".step-title")));
      a.href = "#" + li.id;
      out.appendChild(a);
    } else if (steps.length || items.length) {
      out.appendChild(make("span", "", count(steps) + count(items) === steps.length + items.length ? "All done" : "Steps done"));
    }
  }

  /* "On this page": marks the entry of the section being read. */
  function followContents() {
    var links = all(".toc a[href^='#']");
    var targets = links.map(function (a) { return doc.getElementById(decodeURIComponent(a.hash.slice(1))); });
    if (!links.length) return;
    function mark() {
      var at = -1, line = window.innerHeight * 0.25;
      targets.forEach(function (t, i) { if (t && t.getBoundingClientRect().top <= line) at = i; });
      links.forEach(function (a, i) {
        if (i === at) a.setAttribute("aria-current", "location");
        else a.removeAttribute("aria-current");
      });
    }
    if ("IntersectionObserver" in window) {
      var seen = new IntersectionObserver(mark, { rootMargin: "0px 0px -75% 0px" });
      targets.forEach(function (t) { if (t) seen.observe(t); });
    }
    window.addEventListener("resize", mark);
    mark();
    /* Wide screens: the contents column opens (it starts closed, which phones keep). */
    var details = doc.querySelector(".toc-details");
    if (details && window.matchMedia("(min-width: 1100px)").matches) details.open = true;
  }

  /* Guide cards and the series box: each shows the reader's progress in its guide. */
  function showCards() {
    all("[data-guide][data-checkable]").forEach(function (card) {
      var total = parseInt(card.getAttribute("data-checkable"), 10) || 0;
      var out = card.querySelector("[data-guide-progress]");
      if (!total || !out) return;
      var done = Math.min(total, keysUnder(PREFIX + card.getAttribute("data-guide") + ":").filter(isDone).length);
      out.hidden = !done;
      out.textContent = out.classList.contains("series-progress") ? done + "/" + total + " done"
        : done === total ? "All " + total + " done" : "Your progress: " + done + " of " + total + " done";
      card.classList.toggle("is-finished", done === total);
    });
  }

  /* Copy to the clipboard, with a visible confirmation next to the button. */
  function copy(text, btn, note) {
    function tell(ok) {
      note.textContent = ok ? "Copied!" : "Copy failed: select the text and copy it by hand.";
      clearTimeout(note.timer);
      note.timer = setTimeout(function () { note.textContent = ""; }, 5000);
    }
    function fallback() {
      var area = make("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "copy-buffer";
      doc.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
      doc.body.removeChild(area);
      btn.focus();
      tell(ok);
    }
    try {
      if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(function () { tell(true); }, fallback);
      else fallback();
    } catch (e) { fallback(); }
  }
  function copyControls(parent, text, name, hidden) {
    var btn = button("copy-button", name, hidden);
    var note = make("span", "copy-status");
    note.setAttribute("role", "status");
    parent.appendChild(btn);
    parent.appendChild(doc.createTextNode(" "));
    parent.appendChild(note);
    btn.addEventListener("click", function () { copy(text(), btn, note); });
  }

  /* Messages: each {placeholder} becomes a field named by it; the text copied is the message
     with the fields filled in (an empty one stays {as written}). */
  function fillIns(text) {
    var fields = [];
    all("*", text).concat([text]).forEach(function (el) {
      Array.prototype.slice.call(el.childNodes).forEach(function (node) {
        if (node.nodeType !== 3) return;
        var parts = node.nodeValue.split(/\{([^{}\n]{1,40})\}/);
        if (parts.length < 2) return;
        var frag = doc.createDocumentFragment();
        parts.forEach(function (part, i) {
          if (i % 2 === 0) { if (part) frag.appendChild(doc.createTextNode(part)); return; }
          var input = make("input", "fill-in");
          input.type = "text";
          input.placeholder = part;
          input.setAttribute("aria-label", part);
          input.size = Math.max(6, part.length);
          fields.push(input);
          frag.appendChild(input);
        });
        el.replaceChild(frag, node);
      });
    });
    return fields;
  }
  function messageText(node) {
    var out = "";
    Array.prototype.forEach.call(node.childNodes, function (n) {
      if (n.nodeType === 3) out += n.nodeValue;
      else if (n.tagName === "INPUT") out += n.value.trim() || "{" + n.placeholder + "}";
      else if (n.tagName === "BR") out += "\n";
      else out += messageText(n);
    });
    return out.trim();
  }

  /* Progress that travels: a file to save and load, and a link that carries the ticks in its
     #fragment (never sent to a server), applied only once the reader agrees. */
  var KEY = /^[a-z0-9-]+:[a-z0-9_-]+:[a-z0-9-]+$/;
  function ticks() { return keysUnder(PREFIX).filter(isDone).map(function (k) { return k.slice(PREFIX.length); }); }
  function applyTicks(list) {
    var ok = list.filter(function (k) { return typeof k === "string" && k.length < 300 && KEY.test(k); }).slice(0, 10000);
    ok.forEach(function (k) { save(PREFIX + k, true); });
    refreshers.forEach(function (f) { f(); });
    return ok.length;
  }
  function progressTools() {
    var footer = doc.querySelector(".site-footer .wrap");
    if (!footer) return;
    var box = make("div", "progress-tools");
    var note = live("progress-tools-status");
    var saveFile = button("progress-export", "Save progress to a file");
    var loadFile = button("progress-import", "Load progress from a file");
    var link = button("progress-link", "Copy a link for another device");
    var file = make("input");
    file.type = "file";
    file.accept = "application/json,.json";
    file.hidden = true;
    file.setAttribute("aria-label", "Progress file");
    [saveFile, loadFile, link, file, note].forEach(function (n) { box.appendChild(n); });
    footer.appendChild(box);
    saveFile.addEventListener("click", function () {
      var a = make("a");
      a.href = URL.createObjectURL(new Blob([JSON.stringify({ guidesmith: 1, ticks: ticks() })], { type: "application/json" }));
      a.download = "progress.json";
      doc.body.appendChild(a);
      a.click();
      doc.body.removeChild(a);
      note.textContent = "Saved " + ticks().length + " ticks.";
    });
    loadFile.addEventListener("click", function () { file.click(); });
    file.addEventListener("change", function () {
      var f = file.files && file.files[0];
      if (!f) return;
      f.text().then(function (t) {
        var data = JSON.parse(t);
        note.textContent = "Loaded " + applyTicks(data && Array.isArray(data.ticks) ? data.ticks : []) + " ticks.";
      }).catch(function () { note.textContent = "That file holds no progress."; });
      file.value = "";
    });
    link.addEventListener("click", function () {
      var url = location.href.split("#")[0] + "#progress=" + encodeURIComponent(ticks().join(","));
      copy(url, link, note);
    });
  }
  function offerLink() {
    var m = /^#progress=(.*)$/.exec(location.hash);
    if (!m || typeof doc.createElement("dialog").showModal !== "function") return;
    var list;
    try { list = decodeURIComponent(m[1]).split(",").filter(Boolean); } catch (e) { return; }
    var dialog = make("dialog", "progress-dialog");
    dialog.setAttribute("aria-labelledby", "progress-dialog-title");
    var title = make("h2", "", "Use progress from another device?");
    title.id = "progress-dialog-title";
    var yes = button("progress-apply", "Use it");
    var no = button("progress-ignore", "Not now");
    dialog.appendChild(title);
    dialog.appendChild(make("p", "", "This link carries " + list.length + " ticks. They are added to what this browser remembers."));
    dialog.appendChild(yes);
    dialog.appendChild(no);
    doc.body.appendChild(dialog);
    function close(apply) {
      if (apply) applyTicks(list);
      dialog.close();
      history.replaceState(null, "", location.href.split("#")[0]);
    }
    yes.addEventListener("click", function () { close(true); });
    no.addEventListener("click", function () { close(false); });
    dialog.addEventListener("cancel", function () { close(false); });
    dialog.showModal();
  }

  /* Colour scheme: auto (the system's), light or dark, remembered. */
  var SCHEME = "guidesmith-scheme";
  function setScheme(value) {
    if (value === "light" || value === "dark") doc.documentElement.setAttribute("data-scheme", value);
    else doc.documentElement.removeAttribute("data-scheme");
  }
  function schemeSwitch() {
    var saved = null;
    try { saved = localStorage.getItem(SCHEME); } catch (e) { /* auto */ }
    setScheme(saved);
    var footer = doc.querySelector(".site-footer .wrap");
    if (!footer) return;
    var wrap = make("p", "scheme-switch");
    var pick = make("select");
    pick.id = "scheme";
    var name = make("label", "", "Colours");
    name.htmlFor = "scheme";
    [["auto", "Automatic"], ["light", "Light"], ["dark", "Dark"]].forEach(function (o) {
      var opt = make("option", "", o[1]);
      opt.value = o[0];
      pick.appendChild(opt);
    });
    pick.value = saved === "light" || saved === "dark" ? saved : "auto";
    pick.addEventListener("change", function () {
      setScheme(pick.value);
      try { localStorage.setItem(SCHEME, pick.value); } catch (e) { /* this visit only */ }
    });
    wrap.appendChild(name);
    wrap.appendChild(doc.createTextNode(" "));
    wrap.appendChild(pick);
    footer.appendChild(wrap);
  }
  schemeSwitch();
  progressTools();
  offerLink();

  /* FAQs: a link to #faq-id opens that answer and scrolls to it. */
  function openTarget() {
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var target = id && doc.getElementById(id);
    var details = target && target.closest("details");
    if (!details) return;
    for (var d = details; d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
    target.scrollIntoView();
  }

  var current = [];
  if (article) {
    all("section.checklist[data-checklist]", article).forEach(function (s) { current = current.concat(setUpChecklist(s)); });
    all("section.steps", article).forEach(function (s) { current = current.concat(setUpSteps(s)); });
    /* Forget ticks of items the guide no longer has (reworded or removed), so counts stay true. */
    keysUnder(guideKey).forEach(function (k) { if (current.indexOf(k) < 0) save(k, false); });
    ready = true;
    changed();
    followContents();
  }
  showCards();
  refreshers.push(showCards);

  all("details.faq[id]").forEach(function (details) {
    var place = details.querySelector(".faq-link");
    if (!place) details.appendChild(place = make("p", "faq-link"));
    copyControls(place, function () { return location.href.split("#")[0] + "#" + details.id; }, "Copy link", " to: " + label(details.querySelector("summary")));
  });
  all("figure.message").forEach(function (figure) {
    var text = figure.querySelector(".message-text");
    if (!text) return;
    var fields = fillIns(text);
    var tools = make("div", "message-tools");
    var warning = live("message-warning");
    figure.appendChild(tools);
    copyControls(tools, function () {
      var empty = fields.filter(function (f) { return !f.value.trim(); });
      warning.textContent = empty.length ? "Fill in " + empty.map(function (f) { return f.placeholder; }).join(", ") + " before you send it." : "";
      return messageText(text);
    }, "Copy", " message: " + label(figure.querySelector("figcaption")));
    tools.appendChild(warning);
  });
  openTarget();
  window.addEventListener("hashchange", openTarget);

  /* A review past due, by the reader's clock (the page only knows the due date). */
  var today = new Date();
  var iso = today.getFullYear() + "-" + ("0" + (today.getMonth() + 1)).slice(-2) + "-" + ("0" + today.getDate()).slice(-2);
  all("[data-review-due]").forEach(function (note) {
    note.hidden = !(iso > note.getAttribute("data-review-due"));
  });

  /* Other tabs of this site: take their changes. */
  window.addEventListener("storage", function (e) {
    if (e.key === null) memory = {};
    else if (e.key.indexOf(PREFIX) === 0) memory[e.key] = e.newValue;
    else return;
    refreshers.forEach(function (f) { f(); });
  });

  /* Print: every FAQ answer expanded; closed again afterwards. */
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = all("details:not([open])");
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();

/* The search box (docs/search.md): shown only when this runs; `/` focuses it, and its script
 * and stylesheet (in the box's <template>) are added the first time it is focused, so a page
 * costs no search bytes until then. A page opened from a search hit opens that FAQ answer and
 * marks the hit. */
(function () {
  "use strict";
  var doc = document;
  var box = doc.querySelector("[data-search]");
  var loaded = false;
  function loadSearch() {
    if (loaded || !box) return;
    loaded = true;
    var assets = box.querySelector("template.site-search-assets");
    if (assets) doc.head.appendChild(doc.importNode(assets.content, true));
  }
  function showTarget() {
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var target = id && doc.getElementById(id);
    if (!target) return;
    if (target.tagName === "DETAILS") target.open = true;
    var hit;
    try { hit = sessionStorage.getItem("guidesmith-search-hit"); sessionStorage.removeItem("guidesmith-search-hit"); } catch (e) { hit = null; }
    if (hit !== location.pathname + location.hash) return;
    loadSearch();
    Array.prototype.forEach.call(doc.querySelectorAll(".search-hit"), function (el) { el.classList.remove("search-hit"); });
    target.classList.add("search-hit");
    target.scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", showTarget);
  showTarget();
  if (!box) return;
  var input = box.querySelector("input");
  box.hidden = false;
  input.addEventListener("focus", loadSearch);
  doc.addEventListener("keydown", function (e) {
    var t = e.target, typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
    if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      input.focus();
    }
  });
})();
