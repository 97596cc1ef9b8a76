#!/usr/bin/env python3
"""Search benchmark: what the index costs to build and what it costs a reader.

Usage: scripts/bench-search.py [--sizes 1000 10000] [--runs 3] [--no-browser] [--no-pagefind]

Python 3 standard library only; scripts/bench runs it after the build table (unless
--no-search). For each size, on the corpus of scripts/bench (DATA_DIR/n<N>/, made by it):

1. index cost: clean `guidesmith build` with search and without (`[search] enabled = false`
   in its site.toml), interleaved; the ratio of the medians. Where the
   Pagefind CLI is installed (`pip install pagefind-bin`, or `pagefind` on PATH) and Hugo is
   found, also Hugo's build plus `pagefind --site` on its output, the way a Hugo site gets search,
   and its ratio to our build with search;
2. reader cost (largest size only, unless --no-browser): the built site served on 127.0.0.1,
   opened in headless Chromium (chromedriver, plain WebDriver over HTTP); the box is focused and
   ten queries are typed one after the other. Bytes are what the page fetched for search
   (script, stylesheet, manifest, shards), counted gzipped (gzip -6, as hosts send them):
   before the first query's results, and after all ten. Latency: from a keystroke (an input
   event) to the hits in the page, once the query's shard is loaded: median and worst over
   the ten queries' last keystrokes.

The corpus is only read: both builds use roots of their own (site.toml and a link to the
corpus's guides), and every output goes into a temporary folder (under WORK_DIR if set).

Environment: GUIDESMITH_BIN (default target/release/guidesmith), DATA_DIR (default
/tmp/guidesmith-bench), WORK_DIR, HUGO, PAGEFIND.
"""

import argparse
import gzip
import http.server
import json
import os
import shutil
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QUERIES = ["apology", "boundary", "partner", "listen", "weekly ritual", "trust", "difficult topic",
           "celebrate", "compromise", "feelings"]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def timed(argv):
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("failed: %s\n%s" % (" ".join(argv), err.decode("utf-8", "replace")[-2000:]))
    return {"wall_s": time.perf_counter() - t0, "cpu_s": ru.ru_utime + ru.ru_stime, "rss_mib": ru.ru_maxrss / 1024}


def files_under(path, prefix=""):
    count = size = 0
    for folder, _, names in os.walk(os.path.join(path, prefix)):
        for name in names:
            count += 1
            size += os.path.getsize(os.path.join(folder, name))
    return count, size


def median(runs, key="wall_s"):
    return statistics.median(r[key] for r in runs)


def site_roots(site, work):
    """Two roots over the corpus's guides (a symbolic link: the corpus is left as it is): one
    with the search index, one with `[search] enabled = false`."""
    with open(os.path.join(site, "guides", "site.toml"), encoding="utf-8") as f:
        toml = f.read()
    roots = {}
    for name, extra in (("with", ""), ("without", "\n[search]\nenabled = false\n")):
        root = os.path.join(work, name)
        os.makedirs(root, exist_ok=True)
        with open(os.path.join(root, "site.toml"), "w", encoding="utf-8") as f:
            f.write(toml + "\n[build]\nfollow_external_links = true\n" + extra)
        link = os.path.join(root, "guides")
        if not os.path.lexists(link):
            os.symlink(os.path.join(site, "guides", "guides"), link)
        roots[name] = root
    return roots


def index_cost(binary, site, n, runs, work):
    roots = site_roots(site, os.path.join(work, "roots-n%d" % n))
    out = os.path.join(work, "search-n%d" % n)
    times = {"with": [], "without": []}
    for _ in range(runs):
        for name, root in roots.items():
            shutil.rmtree(out, ignore_errors=True)
            os.sync()
            times[name].append(timed([binary, "build", "--root", root, "--output", out]))
    shutil.rmtree(out, ignore_errors=True)
    timed([binary, "build", "--root", roots["with"], "--output", out])
    count, size = files_under(out, "search")
    return {"n": n, "with": times["with"], "without": times["without"], "index_files": count,
            "index_bytes": size, "out": out}


def pagefind_command():
    if os.environ.get("PAGEFIND"):
        return [os.environ["PAGEFIND"]]
    if shutil.which("pagefind"):
        return ["pagefind"]
    try:
        subprocess.run([sys.executable, "-m", "pagefind_bin", "--version"], check=True, capture_output=True)
        return [sys.executable, "-m", "pagefind_bin"]
    except (OSError, subprocess.CalledProcessError):
        return None


def hugo_pagefind(site, n, runs, out_dir):
    hugo = os.environ.get("HUGO") or shutil.which("hugo")
    pagefind = pagefind_command()
    if not hugo or not pagefind:
        log("   hugo or the Pagefind CLI not found: Hugo + Pagefind skipped")
        return None
    out = os.path.join(out_dir, "hugo-pagefind-n%d" % n)
    total = []
    for _ in range(runs):
        shutil.rmtree(out, ignore_errors=True)
        os.sync()
        h = timed([hugo, "--quiet", "--source", os.path.join(site, "hugo"), "--destination", out])
        p = timed(pagefind + ["--site", out])
        total.append({"wall_s": h["wall_s"] + p["wall_s"], "cpu_s": h["cpu_s"] + p["cpu_s"],
                      "rss_mib": max(h["rss_mib"], p["rss_mib"]), "pagefind_wall_s": p["wall_s"]})
    count, size = files_under(out, "pagefind")
    shutil.rmtree(out, ignore_errors=True)
    return {"runs": total, "index_files": count, "index_bytes": size}


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def webdriver(url, method="GET", body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read().decode())["value"]


READER = r"""
var done = arguments[arguments.length - 1], queries = arguments[0];
var input = document.getElementById('site-search-input'), out = {queries: []};
function searchFiles() {
  return performance.getEntriesByType('resource').map(function (r) { return new URL(r.name).pathname; })
    .filter(function (p) { return /search/.test(p); });
}
function whenHits() {
  return new Promise(function (resolve) {
    var list = document.getElementById('site-search-results');
    var seen = new MutationObserver(function () {
      if (list.getAttribute('data-ms') !== 'pending') { seen.disconnect(); resolve(performance.now()); }
    });
    seen.observe(list, {attributes: true, attributeFilter: ['data-ms']});
  });
}
function type(value) {
  document.getElementById('site-search-results').setAttribute('data-ms', 'pending');
  var hits = whenHits(), t0 = performance.now();
  input.value = value;
  input.dispatchEvent(new Event('input', {bubbles: true}));
  return hits.then(function (t1) { return t1 - t0; });
}
input.focus();
(function ready() {
  if (!document.querySelector('[data-search][data-ready]')) return setTimeout(ready, 10);
  var i = 0;
  (function next() {
    if (i === queries.length) { out.files = searchFiles(); return done(out); }
    var q = queries[i++];
    type(q).then(function (first) {
      var files = searchFiles();
      return type(q.slice(0, -1)).then(function () { return type(q); }).then(function (loaded) {
        out.queries.push({q: q, first_ms: first, loaded_ms: loaded, files: files,
          hits: document.querySelectorAll('.site-search-hit').length});
        next();
      });
    });
  })();
})();
"""


def gz_size(root, path):
    local = os.path.join(root, path.lstrip("/"))
    with open(local, "rb") as f:
        return len(gzip.compress(f.read(), 6))


def reader_cost(out):
    driver_bin = shutil.which("chromedriver")
    if not driver_bin or not os.path.exists("/usr/bin/chromium"):
        log("   chromium/chromedriver not found: reader cost skipped")
        return None
    handler = lambda *a, **k: Quiet(*a, directory=out, **k)
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = 9515 + os.getpid() % 1000
    driver = subprocess.Popen([driver_bin, "--port=%d" % port], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    profile = tempfile.mkdtemp()
    try:
        base = "http://127.0.0.1:%d" % port
        for _ in range(100):
            try:
                webdriver(base + "/status")
                break
            except OSError:
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--user-data-dir=" + profile]}}}}
        session = webdriver(base + "/session", "POST", caps)["sessionId"]
        s = base + "/session/" + session
        webdriver(s + "/timeouts", "POST", {"script": 300000})
        webdriver(s + "/url", "POST", {"url": "http://127.0.0.1:%d/" % server.server_address[1]})
        result = webdriver(s + "/execute/async", "POST", {"script": READER, "args": [QUERIES]})
        webdriver(s, "DELETE")
    finally:
        driver.kill()
        driver.wait()
        server.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    first = result["queries"][0]
    loaded = [q["loaded_ms"] for q in result["queries"]]
    return {
        "first_query_gz_bytes": sum(gz_size(out, p) for p in first["files"]),
        "ten_queries_gz_bytes": sum(gz_size(out, p) for p in set(result["files"])),
        "files_fetched": len(set(result["files"])),
        "first_query_ms": first["first_ms"],
        "loaded_median_ms": statistics.median(loaded),
        "loaded_max_ms": max(loaded),
        "hits": {q["q"]: q["hits"] for q in result["queries"]},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[int(x) for x in os.environ.get("SIZES", "1000 10000").split()])
    ap.add_argument("--runs", type=int, default=int(os.environ.get("RUNS", "3")))
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--no-pagefind", action="store_true")
    args = ap.parse_args()
    binary = os.environ.get("GUIDESMITH_BIN") or os.path.join(REPO, "target", "release", "guidesmith")
    data_dir = os.path.abspath(os.environ.get("DATA_DIR", "/tmp/guidesmith-bench"))
    # Outputs go to a folder of this run's own: the corpus folder may be shared.
    out_dir = tempfile.mkdtemp(prefix="bench-search-", dir=os.environ.get("WORK_DIR"))
    lines = ["| N | build with search s | without s | ratio | index files | files per 25 guides | index MB "
             "| Hugo + Pagefind s | Pagefind files | Hugo + Pagefind / ours |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    reader = None
    for n in args.sizes:
        site = os.path.join(data_dir, "n%d" % n)
        if not os.path.isdir(os.path.join(site, "guides")):
            sys.exit("no corpus at %s: run scripts/bench first (it generates it)" % site)
        log("== search: N=%d, %d runs with and without the index" % (n, args.runs))
        cost = index_cost(binary, site, n, args.runs, out_dir)
        peer = None if args.no_pagefind else hugo_pagefind(site, n, 1, out_dir)
        ours = median(cost["with"])
        peer_cols = ("%.2f | %d | %.1fx" % (median(peer["runs"]), peer["index_files"], median(peer["runs"]) / ours)
                     if peer else "- | - | -")
        lines.append("| %d | %.2f | %.2f | %.2fx | %d | %.2f | %.1f | %s |" % (
            n, ours, median(cost["without"]), ours / median(cost["without"]), cost["index_files"],
            25 * cost["index_files"] / n, cost["index_bytes"] / 1e6, peer_cols))
        if n == max(args.sizes) and not args.no_browser:
            log("== search: reader cost in headless Chromium, N=%d" % n)
            reader = reader_cost(cost["out"])
        shutil.rmtree(cost["out"], ignore_errors=True)
    report = "Search (medians of %d runs; Hugo + Pagefind one run):\n\n" % args.runs + "\n".join(lines)
    if reader:
        report += ("\n\nReader, N=%d, headless Chromium: %.1f KB gz before the first results of a one-word query, "
                   "%.1f KB gz for ten queries (%d files); first query %.0f ms (fetches included); keystroke to "
                   "results once loaded: median %.1f ms, worst %.1f ms.\nHits: %s" % (
                       max(args.sizes), reader["first_query_gz_bytes"] / 1000, reader["ten_queries_gz_bytes"] / 1000,
                       reader["files_fetched"], reader["first_query_ms"], reader["loaded_median_ms"],
                       reader["loaded_max_ms"], json.dumps(reader["hits"])))
    shutil.rmtree(out_dir, ignore_errors=True)
    print(report)


if __name__ == "__main__":
    main()
