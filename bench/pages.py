"""msglab lesson-pages benchmark: the server time of a lesson page (in-process and over HTTP
against a real Daphne) beside peer pages, and the bytes a cold lesson page transfers in Chromium.

Run from the repo root:

    python bench/pages.py            # the full report (about 1 min)
    python bench/pages.py --quick    # small samples: a smoke check, not the report
    python bench/pages.py --smoke    # a few requests per page: the tests' run

Figures: the time to a full response of two lesson pages (one with an exercise, one without)
and of two peers (the home page and /sim/order-flow/), requested in turn by a returning learner
(session cookie kept): 1. in-process with django.test.Client on a throw-away SQLite file,
2. over HTTP with a keep-alive http.client against Daphne (tests/servers.py) on loopback,
3. lesson / peer ratios; 4. each lesson page's weight on a cold load in Chromium (bench/browser.py)
until its run is live, and 5. its requests to other origins. Exit status 0 when it ran (goals
not met are reported); 2 when a page did not answer 200 (its time would mean nothing).
See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import http.client
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from bench.browser import CHROMIUM, GOAL_KB, page_weight  # noqa: E402
from bench.engine import calibrate, machine, noise_line  # noqa: E402
from bench.live import cpu_seconds, pressure  # noqa: E402
from bench.report import add_size_flags, met, print_summary, size_of  # noqa: E402
from tests.servers import daphne_server  # noqa: E402

GOAL_P50_MS = 10.0
WITH_EXERCISE, WITHOUT_EXERCISE = "order-flow", "what-is-a-message"  # preferred lessons
PEERS = (
    ("/", "peer: the home page"),
    ("/sim/order-flow/", "peer: the simulator page of the same run"),
    ("/static/favicon.svg", "floor: a static file, through Django's handler and WhiteNoise"),
)
RATIO_PEER = "/sim/order-flow/"  # the summary's ratio: the page closest to a lesson's run
# What a browser sends with a page request (the server compresses nothing whatever it says).
HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Encoding": "gzip, deflate, br",
    "User-Agent": "msglab-bench/1 (http.client)",
}


class BenchError(RuntimeError):
    pass


@dataclass(frozen=True)
class Size:
    """How many requests each figure makes (the full report, --quick or --smoke)."""

    warmup: int  # untimed requests per page first (the first one opens the lesson)
    timed: int  # timed requests per page
    rounds: int  # blocks, gc.collect() before each; the pages take turns within a block
    first_visits: int  # in-process: fresh learners (no cookie) per lesson page
    note: str  # the summary's warning; empty for the full report


SIZES = {
    "full": Size(30, 500, 5, 50, ""),
    "quick": Size(5, 60, 2, 10, "--quick: small samples, figures are NOT the report"),
    # The least that prints every figure: a warm-up that opens each lesson, 3 timed requests.
    "smoke": Size(1, 3, 1, 2, "--smoke: a few requests, figures are NOT the report"),
}


@dataclass(frozen=True)
class Page:
    path: str
    label: str  # what the page is, for the report
    lesson: bool


@dataclass
class Timings:
    """One page's samples (seconds) and what its responses were."""

    samples: list[float] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    size: int = 0  # body bytes of the last response
    encoding: str = "none"

    def rank(self, q: float) -> float:
        """Nearest rank, in ms: q = 0.95 is the 475th of 500 sorted samples."""
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000

    @property
    def p50(self) -> float:
        return self.rank(0.50)

    @property
    def p95(self) -> float:
        return self.rank(0.95)

    @property
    def max(self) -> float:
        return max(self.samples) * 1000


def choose_pages() -> list[Page]:
    """Two lesson pages from the course as it is now (one with an exercise, one without, the
    preferred slugs when they exist), then the peers."""
    from lessons.content import load_course

    lessons = load_course().lessons
    pages = []
    for preferred, has_exercise in ((WITH_EXERCISE, True), (WITHOUT_EXERCISE, False)):
        fits = [lesson for lesson in lessons if (lesson.exercise is not None) == has_exercise]
        if not fits:
            continue
        lesson = next((x for x in fits if x.slug == preferred), fits[0])
        kind = "lesson with an exercise" if has_exercise else "lesson without an exercise"
        pages.append(
            Page(f"/lessons/{lesson.slug}/", f"{kind}: {lesson.number}. {lesson.title}", True)
        )
    if not pages:
        raise BenchError("the course has no lesson that loads (lessons.content.load_course())")
    return pages + [Page(path, label, False) for path, label in PEERS]


def interleaved(
    pages: list[Page], get: Callable[[str], tuple[int, int, str]], size: Size
) -> dict[str, Timings]:
    """Warm up each page, then time ``size.timed`` requests of each; the pages take turns
    request by request (the first page rotating), so a burst of other work hits all alike."""
    out = {page.path: Timings() for page in pages}
    for _ in range(size.warmup):
        for page in pages:
            status, _, _ = get(page.path)
            out[page.path].statuses.add(status)
    per_round = [
        size.timed // size.rounds + (r < size.timed % size.rounds) for r in range(size.rounds)
    ]
    turn = 0
    for count in per_round:
        gc.collect()
        for _ in range(count):
            turn += 1
            for page in pages[turn % len(pages) :] + pages[: turn % len(pages)]:
                t0 = time.perf_counter()
                status, length, encoding = get(page.path)
                elapsed = time.perf_counter() - t0
                timings = out[page.path]
                timings.samples.append(elapsed)
                timings.statuses.add(status)
                timings.size, timings.encoding = length, encoding
    return out


# -- figure 1: in-process ----------------------------------------------------------------


def setup_django(database: Path) -> None:
    """Django as Daphne runs it (DEBUG=1), on a fresh SQLite file, migrated."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DEBUG"] = "1"
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.pop("REDIS_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def in_process(pages: list[Page], size: Size) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()

    def get(path: str) -> tuple[int, int, str]:
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return response.status_code, len(body), response.get("Content-Encoding", "none")

    times = interleaved(pages, get, size)
    queries = {}
    for page in pages:  # a returning learner's request, once more, counting its SQL
        with CaptureQueriesContext(connection) as captured:
            client.get(page.path)
        queries[page.path] = len(captured.captured_queries)
    first: dict[str, Timings] = {}
    for page in pages:  # a new learner: no cookie, so the session is created and written
        if not page.lesson:
            continue
        first[page.path] = Timings()
        for _ in range(size.first_visits):
            fresh = Client()
            t0 = time.perf_counter()
            response = fresh.get(page.path)
            first[page.path].samples.append(time.perf_counter() - t0)
            first[page.path].statuses.add(response.status_code)
    return {"times": times, "queries": queries, "first": first}


def through_asgi(pages: list[Page], size: Size) -> dict[str, Timings]:
    """The same requests through Django's ASGI handler, in-process, without a socket
    (django.test.AsyncClient on one event loop): the sync view runs in asgiref's thread, as it
    does under Daphne. Each request is one ``run_until_complete`` (some 0.05 ms)."""
    from django.test import AsyncClient

    client = AsyncClient()
    loop = asyncio.new_event_loop()

    async def aget(path: str) -> tuple[int, int, str]:
        response = await client.get(path)
        if not response.streaming:
            body = response.content
        elif response.is_async:
            body = b"".join([chunk async for chunk in response.streaming_content])
        else:
            body = b"".join(response.streaming_content)
        return response.status_code, len(body), response.get("Content-Encoding", "none")

    try:
        return interleaved(pages, lambda path: loop.run_until_complete(aget(path)), size)
    finally:
        loop.close()


# -- figure 2: over HTTP -------------------------------------------------------------------


@dataclass
class Browserish:
    """A keep-alive HTTP/1.1 client that keeps the cookies it is given, like a browser tab."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    connections: int = 0
    _conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, int, str]:
        if self._conn is None or self._conn.sock is None:
            self._conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self._conn.connect()
            self.connections += 1
        headers = dict(HEADERS)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self._conn.request("GET", path, headers=headers)
        response = self._conn.getresponse()
        body = response.read()
        for line in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(line)
            self.cookies.update({name: morsel.value for name, morsel in jar.items()})
        if response.will_close:
            self._conn.close()
        return response.status, len(body), response.getheader("Content-Encoding", "none")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


def over_http(pages: list[Page], size: Size, base: str, pid: int) -> dict[str, Any]:
    parts = urlsplit(base)
    client = Browserish(parts.hostname or "127.0.0.1", parts.port or 80)
    try:
        cpu0, own0 = cpu_seconds(pid), time.process_time()
        times = interleaved(pages, client.get, size)
        server_cpu, own_cpu = cpu_seconds(pid) - cpu0, time.process_time() - own0
    finally:
        client.close()
    requests = (size.warmup + size.timed) * len(pages)
    return {
        "times": times,
        "connections": client.connections,
        "requests": requests,
        "cookies": sorted(client.cookies),
        "server_cpu_ms": server_cpu / requests * 1000,
        "client_cpu_ms": own_cpu / requests * 1000,
    }


# -- report --------------------------------------------------------------------------------


def timing_lines(pages: list[Page], times: dict[str, Timings], extra: dict[str, str]) -> None:
    width = max(len(page.path) for page in pages)
    for page in pages:
        t = times[page.path]
        print(
            f"  {page.path:<{width}}  p50 {t.p50:6.2f} ms  p95 {t.p95:6.2f} ms  "
            f"max {t.max:6.2f} ms  ({t.size:,} B, content-encoding {t.encoding}"
            f"{extra.get(page.path, '')}) {page.label}"
        )


def ratio_lines(pages: list[Page], times: dict[str, Timings]) -> None:
    peers = [page for page in pages if not page.lesson]
    for page in (page for page in pages if page.lesson):
        ratios = ", ".join(
            f"/ {peer.path} {times[page.path].p50 / times[peer.path].p50:.2f}x" for peer in peers
        )
        print(f"  lesson / peer, p50: {page.path} {ratios}")


def report_times(
    pages: list[Page], size: Size, inproc: dict[str, Any], http: dict[str, Any]
) -> None:
    blocks = f"{size.rounds} block{'s' * (size.rounds > 1)}"
    print(
        f"\n## 1. Server time in-process: django.test.Client, returning learner (cookie kept), "
        f"{size.timed} timed requests per page after {size.warmup} warm-up, pages in turn, "
        f"in {blocks} (goal p50 <= {GOAL_P50_MS:g} ms for a lesson page)"
    )
    sql = {
        path: f", {n} SQL quer{'y' if n == 1 else 'ies'}" for path, n in inproc["queries"].items()
    }
    timing_lines(pages, inproc["times"], sql)
    for path, t in inproc["first"].items():
        print(
            f"  first visit (new learner, no cookie: session created and written): {path} "
            f"p50 {t.p50:.2f} ms, p95 {t.p95:.2f} ms over {len(t.samples)} fresh clients"
        )
    print(
        f"\n## 2. Server time over HTTP: Daphne on loopback, keep-alive http.client in this "
        f"process, time to the full response, cookies kept; {size.timed} timed requests per "
        f"page after {size.warmup} warm-up, in {blocks} (goal p50 <= {GOAL_P50_MS:g} ms)"
    )
    timing_lines(pages, http["times"], {})
    print(
        f"  connections opened: {http['connections']} for {http['requests']} requests "
        f"(keep-alive {'held' if http['connections'] == 1 else 'NOT held'}); cookies kept: "
        f"{', '.join(http['cookies']) or 'none'}"
    )
    print(
        f"  Daphne CPU per request {http['server_cpu_ms']:.2f} ms (/proc ticks of 10 ms, "
        f"roughly); this client's CPU per request {http['client_cpu_ms']:.2f} ms"
    )
    overs = (
        f"{page.path} {http['times'][page.path].p50 / inproc['times'][page.path].p50:.2f}x"
        for page in pages
    )
    print(f"  HTTP / in-process, p50: {', '.join(overs)}")
    print(
        "  where it goes: the same requests through Django's ASGI handler in-process "
        "(django.test.AsyncClient, no socket; the view runs in asgiref's thread, as under Daphne):"
    )
    timing_lines(pages, inproc["asgi"], {})
    print("  p50, test client (WSGI) -> ASGI handler in-process -> Daphne over HTTP:")
    width = max(len(page.path) for page in pages)
    for page in pages:
        wsgi, asgi, over = (
            t[page.path].p50 for t in (inproc["times"], inproc["asgi"], http["times"])
        )
        print(
            f"    {page.path:<{width}}  {wsgi:6.2f} -> {asgi:6.2f} -> {over:6.2f} ms "
            f"(ASGI handler +{asgi - wsgi:.2f} ms, Daphne and the socket +{over - asgi:.2f} ms)"
        )
    print("\n## 3. Peers, same run, same client, requested in turn with the lessons")
    print("  in-process:")
    ratio_lines(pages, inproc["times"])
    print("  over HTTP:")
    ratio_lines(pages, http["times"])


def report_weights(weights: dict[str, dict[str, Any]]) -> None:
    for n, (path, w) in enumerate(weights.items(), 1):
        print(f"\n## 4.{n} Page weight: {path}, cold cache, until its run is live")
        for item in w["items"]:
            where = urlsplit(item["url"]).path or item["url"]
            print(f"  {item['bytes']:>8,} B  {item.get('status', '-')}  {item['enc']:<5} {where}")
        encodings = ", ".join(sorted({item["enc"] for item in w["items"]}))
        print(
            f"  total {w['bytes']:,} B = {w['bytes'] / 1000:.1f} KB transferred in "
            f"{len(w['items'])} responses (headers included; content-encoding: {encodings}) "
            f"(goal <= {GOAL_KB:g} KB)"
        )
        largest = sorted(w["items"], key=lambda item: -item["bytes"])[:3]
        print(
            "  largest: "
            + ", ".join(f"{urlsplit(i['url']).path} {i['bytes'] / 1000:.1f} KB" for i in largest)
        )
        plain = [i for i in w["items"] if i.get("enc") in ("none", "-")]
        if w["bytes"] - w["gzip"] > 1000:
            print(
                f"  if gzipped (-6) by the server, the same responses would transfer "
                f"{w['gzip'] / 1000:.1f} KB (headers kept; {len(plain)} responses were sent "
                f"uncompressed)"
            )
        print(f"  WebSocket: {', '.join(w['sockets']) or 'none'}")
        print(
            f"  requests to other origins: {listed(w['foreign'])}; "
            f"non-network URLs (data:, blob:): {w['not_network']}"
        )
    foreign = [url for w in weights.values() for url in w["foreign"]]
    requests = sum(len(w["items"]) + len(w["sockets"]) for w in weights.values())
    print(
        f"\n## 5. Requests to other origins, all {len(weights)} cold loads (HTTP and WebSocket, "
        f"{requests} requests): {listed(foreign)} (goal 0)"
    )


def listed(urls: list[str]) -> str:
    """How many, then which."""
    return f"{len(urls)} {urls}" if urls else "0"


def summary(
    pages: list[Page],
    inproc: dict[str, Any],
    http: dict[str, Any],
    weights: dict[str, dict[str, Any]],
    note: str,
) -> None:
    rows = []
    goal = f"<= {GOAL_P50_MS:g} ms"
    lessons = [page for page in pages if page.lesson]
    for how, times in (("in-process", inproc["times"]), ("HTTP", http["times"])):
        for page in lessons:
            t = times[page.path]
            rows.append(
                (f"{how} p50, {page.path}", f"{t.p50:.2f} ms", goal, met(t.p50 <= GOAL_P50_MS))
            )
            rows.append((f"{how} p95, {page.path}", f"{t.p95:.2f} ms", "-", "info"))
        for page in lessons:
            ratio = times[page.path].p50 / times[RATIO_PEER].p50
            rows.append((f"{how} {page.path} / {RATIO_PEER}, p50", f"{ratio:.2f}x", "-", "info"))
    for path, w in weights.items():
        kb = w["bytes"] / 1000
        rows.append(
            (f"page weight, {path}", f"{kb:.1f} KB", f"<= {GOAL_KB:g} KB", met(kb <= GOAL_KB))
        )
        if w["bytes"] - w["gzip"] > 1000:  # only where the server sent much uncompressed
            rows.append((f"  if gzipped, {path}", f"{w['gzip'] / 1000:.1f} KB", "-", "info"))
    foreign = [url for w in weights.values() for url in w["foreign"]]
    rows.append(("requests to other origins", str(len(foreign)), "= 0", met(not foreign)))
    print_summary(rows, note)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    add_size_flags(
        p,
        quick="60 requests per page: a smoke check",
        smoke="3 requests per page: checks the script runs, figures mean nothing",
    )
    args = p.parse_args(argv)
    mode = size_of(args)
    size = SIZES[mode]
    print("# msglab lesson-pages benchmark" + ("" if mode == "full" else f" (--{mode})"))
    print(machine())
    names = ("django", "daphne", "channels", "twisted", "whitenoise", "playwright")
    print(", ".join(f"{name} {version(name)}" for name in names))
    print(noise_line("noise before", calibrate()))
    print(pressure())
    with tempfile.TemporaryDirectory(prefix="msglab-bench-pages-") as tmp:
        setup_django(Path(tmp) / "inprocess.sqlite3")
        pages = choose_pages()
        print(
            "pages: "
            + "; ".join(f"{page.path} ({page.label})" for page in pages if page.lesson)
            + "; peers: "
            + ", ".join(page.path for page in pages if not page.lesson)
        )
        print(
            "server: DEBUG=1 (as Daphne runs in bench/), database sessions, SQLite file, "
            "GZipMiddleware (pages and static files gzipped for a browser that accepts it; "
            "WhiteNoise serves static files from the finders), the middleware chain run sync "
            "(config.middleware.SyncChain)"
        )
        inproc = in_process(pages, size)
        inproc["asgi"] = through_asgi(pages, size)
        with daphne_server(Path(tmp) / "daphne") as server:
            http = over_http(pages, size, server.url, server.pid)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                print(f"Chromium {browser.version} headless ({CHROMIUM})")
                weights = {
                    page.path: page_weight(browser, server.url, page.path, "live")
                    for page in pages
                    if page.lesson
                }
                browser.close()
    report_times(pages, size, inproc, http)
    report_weights(weights)
    print("\n" + noise_line("noise after", calibrate()))
    print(pressure())
    summary(pages, inproc, http, weights, size.note)
    bad = {
        f"{how} {path}: {sorted(t.statuses)}"
        for how, times in (
            ("in-process", inproc["times"]),
            ("ASGI in-process", inproc["asgi"]),
            ("HTTP", http["times"]),
        )
        for path, t in times.items()
        if t.statuses != {200}
    }
    bad |= {
        f"first visit {path}: {sorted(t.statuses)}"
        for path, t in inproc["first"].items()
        if t.statuses != {200}
    }
    if bad:
        print(
            "\n!! pages that did not answer 200 (their times mean nothing): "
            + "; ".join(sorted(bad))
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
