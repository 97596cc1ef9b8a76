#!/usr/bin/env python3
"""Edit-to-reload latency of a running `guidesmith serve` (Python 3 standard library only).

Opens the live-reload event stream (/__guidesmith/events), then, for each run, appends a
unique marker line to one guide and measures, from just before the write:
  - reload: until the `reload` event arrives on the stream;
  - served: until a GET of the guide's page contains the marker (polled every 2 ms on a
    separate connection, independently of the event: "edit served");
  - the same for a second kind of edit, a new title, after which the listings (home, tags,
    feed, neighbours) are re-rendered too; a rebuild publishes all its files at once, so the
    guide's page showing the title means the listings are served too;
  - the same for a new guide (a copy of the guide under a new file name) and its deletion:
    until its page is served, and until it is gone.
The file is restored after each run (and the restore's reload awaited). Loopback only.

Usage: bench-serve.py --url http://127.0.0.1:PORT/ --site SITE_DIR --slug SLUG [--runs 10]
"""

import argparse
import json
import os
import socket
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except OSError:
        return ""


class EventStream:
    """Reads SSE events in a thread; `wait(name, after)` returns the arrival time."""

    def __init__(self, host, port):
        self.events = []
        self.cond = threading.Condition()
        sock = socket.create_connection((host, port))
        sock.sendall(
            f"GET /__guidesmith/events HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        threading.Thread(target=self._read, args=(sock,), daemon=True).start()

    def _read(self, sock):
        name = None
        for raw in sock.makefile("rb"):
            now = time.perf_counter()
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line == "" and name:
                with self.cond:
                    self.events.append((name, now))
                    self.cond.notify_all()
                name = None

    def wait(self, name, after, timeout=30):
        end = time.perf_counter() + timeout
        with self.cond:
            while True:
                for n, t in self.events:
                    if n == name and t >= after:
                        return t
                left = end - time.perf_counter()
                if left <= 0:
                    return None
                self.cond.wait(left)


def poll_until(url, predicate, timeout=30):
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        body = fetch(url)
        if predicate(body):
            return time.perf_counter()
        time.sleep(0.002)
    return None


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return "no data"
    return "median %.1f ms (min %.1f, max %.1f, n=%d)" % (
        statistics.median(values), min(values), max(values), len(values))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--site", required=True)
    ap.add_argument("--slug", required=True)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--json")
    args = ap.parse_args()
    u = urllib.parse.urlparse(args.url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("loopback URLs only")
    page = urllib.parse.urljoin(args.url, f"{args.slug}/")
    path = f"{args.site}/guides/{args.slug}.md"
    original = open(path, encoding="utf-8").read()
    events = EventStream(u.hostname, u.port)
    time.sleep(0.5)

    results = {f"{kind}_{what}": [] for kind in ("body", "title", "new", "delete")
               for what in ("reload", "served")}

    def timed(kind, change, url, predicate):
        """Makes `change`; records until `url` passes `predicate` and until the reload event."""
        t0 = time.perf_counter()
        change()
        served = poll_until(url, predicate)
        reload = events.wait("reload", t0)
        results[f"{kind}_reload"].append(None if reload is None else (reload - t0) * 1000)
        results[f"{kind}_served"].append(None if served is None else (served - t0) * 1000)
        time.sleep(0.4)

    def write(target, text):
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)

    created = None
    try:
        for run in range(args.runs):
            # 1. A body edit: the guide's page changes, no listing does.
            marker = f"bench-marker-{run}-{time.time_ns()}"
            timed("body", lambda: write(path, original + f"\n{marker}\n"), page,
                  lambda body: marker in body)
            # 2. A title edit: the home page, tag pages, feed and neighbours change too. One
            #    rebuild's files are published together, so the guide's page (small, cheap to
            #    poll) shows the new title exactly when the home page and tag pages do.
            title = f"Bench title {run} {time.time_ns()}"
            edited = original.replace("title: ", f"title: \"{title}\"\nx-old-title: ", 1)
            edited = "\n".join(l for l in edited.split("\n") if not l.startswith("x-old-title: "))
            timed("title", lambda: write(path, edited), page, lambda body: title in body)
            write(path, original)
            events.wait("reload", time.perf_counter() - 0.001, timeout=10)
            time.sleep(0.4)
            # 3. A new guide (a copy under a new file name, so a new slug), then its deletion:
            #    every listing and the sitemap change, and the site is sorted again.
            new_slug = f"bench-new-guide-{run}"
            created = f"{args.site}/guides/{new_slug}.md"
            new_page = urllib.parse.urljoin(args.url, f"{new_slug}/")
            timed("new", lambda: write(created, original), new_page,
                  lambda body: new_slug in body)
            timed("delete", lambda: os.remove(created), new_page,
                  lambda body: new_slug not in body)
            created = None
    finally:
        write(path, original)
        if created and os.path.exists(created):
            os.remove(created)

    for kind, label, served in [("body", "body edit  ", "page served: "),
                                ("title", "title edit ", "pages served:"),
                                ("new", "new guide  ", "page served: "),
                                ("delete", "deletion   ", "page gone:   ")]:
        print(f"{label} -> reload event: {summary(results[kind + '_reload'])}")
        print(f"{label} -> {served} {summary(results[kind + '_served'])}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
