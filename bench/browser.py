"""msglab browser benchmark: the simulator page in headless Chromium, 300 messages in flight.

Run from the repo root:

    python bench/browser.py            # the full report (about 45 s)
    python bench/browser.py --quick    # 1 s windows: a smoke check, not the report
    python bench/browser.py --smoke    # 0.3 s windows from the first token: the tests' run

Starts Daphne (tests/servers.py) with bench/scenarios/ added (MSGLAB_SCENARIO_DIRS) and drives
Debian's Chromium (/usr/bin/chromium, headless) through Playwright. Figures: the frame rate of
/sim/browser-300/ while about 300 tokens fly, against the same browser's bare frame rate and a
page moving 300 plain SVG circles; the same run's frame rate with the Sequence tab shown (the
sequence diagram growing by about 140 arrows a second, windowed); the bytes /sim/order-flow/
and the editor /sim/ transfer on a cold load (the editor also once Run has loaded its run
controls), and their requests to other origins. Exit status 0 when it ran (goals not met are
reported); 2 when no token was ever visible (the frame rate would mean nothing). See
bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, CDPSession, Page, ViewportSize, sync_playwright  # noqa: E402

from bench.engine import machine  # noqa: E402
from bench.live import cpu_seconds, pressure  # noqa: E402
from bench.report import add_size_flags, met, print_summary, size_of  # noqa: E402
from tests.servers import daphne_server  # noqa: E402

GOAL_FPS, GOAL_KB = 55.0, 150.0  # KB = 1,000 bytes
CHROMIUM = "/usr/bin/chromium"
SCENARIO = "browser-300"
# (name, path, what says the page is ready): a run page is ready once live, the editor once
# the engine has checked its document; "editor, run" presses Run and waits for the run
WEIGHED = (
    ("/sim/order-flow/", "/sim/order-flow/", "live"),
    ("/sim/ (editor)", "/sim/?scenario=order-flow", "checked"),
    ("/sim/ after Run", "/sim/?scenario=order-flow", "run"),
)
TARGET, READY = 300, 285  # tokens the scenario keeps in flight; the window opens at READY
SPEED = 2  # 20 simulated ms per wall second: the scenario is full 3.5 s after Play
TOKENS = ".sim-diagram .token"
# The Sequence tab: its rows in the DOM (a window of them), and how many arrows it holds. Its
# window opens at 500 arrows: the scenario is full by then (about 140 hops a wall second), and
# the view holds more records than a snapshot carries.
SEQ_ROWS = ".seq-row"
SEQ_ARROWS = "[data-arrows]"
SEQ_READY = 500
VIEWPORT: ViewportSize = {"width": 1366, "height": 900}
METRICS = ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")
COUNTS = ("LayoutCount", "RecalcStyleCount")


@dataclass(frozen=True)
class Size:
    """How long each window lasts (the full report, --quick or --smoke)."""

    seconds: float  # each frame-rate window
    peer_warmup_s: float  # a peer page's first frames, not counted
    ready: int  # the diagram's window opens once this many tokens are visible
    arrows: int  # the sequence's window opens once it holds this many arrows
    note: str  # the summary's warning; empty for the full report


SIZES = {
    "full": Size(5.0, 1.0, READY, SEQ_READY, ""),
    "quick": Size(1.0, 1.0, READY, SEQ_READY, "--quick: 1 s windows, figures are NOT the report"),
    # The least that still runs every path: the window outlasts the token check 0.25 s in, and
    # opens at the first visible token instead of waiting the 3.5 s the scenario takes to fill.
    "smoke": Size(0.3, 0.1, 1, 1, "--smoke: 0.3 s windows, few tokens, figures are NOT the report"),
}

# How many elements matching a selector are visible (not display:none, hidden or transparent).
VISIBLE_JS = """(selector) => [...document.querySelectorAll(selector)]
  .filter((e) => e.checkVisibility({visibilityProperty: true, opacityProperty: true})).length"""
# Counts requestAnimationFrame callbacks for `seconds` (frame times from the callback's
# argument); samples the visible tokens every 250 ms when given a selector.
FRAMES_JS = """async ([seconds, selector]) => {
  const visible = () => (VISIBLE)(selector);
  const tokens = [], times = [];
  const sampler = selector && setInterval(() => tokens.push(visible()), 250);
  // which tokens moved during the window: a diagram that stops moving them would be fast too
  const start = selector ? [...document.querySelectorAll(selector)]
    .map((e) => [e, e.dataset.flight, e.getAttribute("transform")]) : [];
  let kept = [], moved = 0;
  setTimeout(() => {  // a quarter second in: every token has had several turns by then
    kept = start.filter(([e, flight]) => e.isConnected && e.dataset.flight === flight);
    moved = kept.filter(([e, , t]) => e.getAttribute("transform") !== t).length;
  }, 250);
  await new Promise((done) => {
    const tick = (now) => {
      times.push(now);
      if (now - times[0] < seconds * 1000) requestAnimationFrame(tick); else done();
    };
    requestAnimationFrame(tick);
  });
  if (selector) { clearInterval(sampler); tokens.push(visible()); }
  return {times, tokens, nodes: document.getElementsByTagName("*").length,
          moved, kept: kept.length};
}""".replace("VISIBLE", VISIBLE_JS)
RENDERER_JS = """() => {
  const gl = document.createElement("canvas").getContext("webgl");
  const info = gl && gl.getExtension("WEBGL_debug_renderer_info");
  return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : "unknown (no WebGL)";
}"""
CIRCLES_HTML = """<!doctype html><title>300 circles</title>
<svg width="1000" height="600" viewBox="0 0 1000 600"></svg><script>
const svg = document.querySelector("svg"), dots = [];
for (let i = 0; i < 300; i++) {
  const g = document.createElementNS("http://www.w3.org/2000/svg", "g");
  g.innerHTML = `<circle r="7" fill="hsl(${i * 7} 60% 50%)"/>`;
  svg.append(g); dots.push(g);
}
requestAnimationFrame(function frame(now) {
  dots.forEach((g, i) => g.setAttribute("transform",
    `translate(${100 + 800 * ((now / 3000 + i / 300) % 1)} ${50 + (i % 6) * 100})`));
  requestAnimationFrame(frame);
});
</script>"""


def origin(url: str) -> str:
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}"


def metrics(cdp: CDPSession) -> dict[str, float]:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def frames(page: Page, seconds: float, selector: str = "") -> dict[str, Any]:
    """The frame rate over ``seconds``, and where the renderer's main thread spent its time."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    before = metrics(cdp)
    raw = page.evaluate(FRAMES_JS, [seconds, selector])
    after = metrics(cdp)
    times: list[float] = raw["times"]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    span = (times[-1] - times[0]) / 1000
    return {
        "fps": len(gaps) / span,
        "span": span,
        "frames": len(gaps),
        "max_gap": max(gaps),
        "slow": sum(gap > 25 for gap in gaps),
        "tokens": raw["tokens"],
        "nodes": raw["nodes"],
        "moved": raw.get("moved", 0),
        "kept": raw.get("kept", 0),
        "busy": {k: (after[k] - before[k]) / span for k in METRICS + COUNTS},
    }


def busy_line(f: dict[str, Any]) -> str:
    """Main-thread shares (CDP Performance.getMetrics); more than one layout a frame means
    scripts forced some (reading geometry after changing the DOM)."""
    busy = f["busy"]
    share = ", ".join(f"{k.removesuffix('Duration')} {busy[k]:.0%}" for k in METRICS)
    per_frame = busy["LayoutCount"] / f["fps"], busy["RecalcStyleCount"] / f["fps"]
    return (
        f"main thread busy (share of wall time): {share}; "
        f"{per_frame[0]:.1f} layouts and {per_frame[1]:.1f} style recalcs per frame"
    )


def page_weight(browser: Browser, base: str, path: str, ready: str) -> dict[str, Any]:
    """Cold load of a page until ``ready``: every HTTP response as transferred (CDP), sockets."""
    context = browser.new_context(viewport=VIEWPORT)  # fresh context: empty cache
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    seen: dict[str, dict[str, Any]] = {}
    sockets: list[str] = []

    def sent(e: dict[str, Any]) -> None:
        seen.setdefault(e["requestId"], {"url": e["request"]["url"], "bytes": 0, "enc": "-"})

    def answered(e: dict[str, Any]) -> None:
        headers = {k.lower(): v for k, v in e["response"]["headers"].items()}
        seen[e["requestId"]].update(status=e["response"]["status"], type=e["type"])
        seen[e["requestId"]]["enc"] = headers.get("content-encoding", "none")

    def finished(e: dict[str, Any]) -> None:
        seen[e["requestId"]]["bytes"] = e["encodedDataLength"]

    cdp.on("Network.requestWillBeSent", sent)
    cdp.on("Network.responseReceived", answered)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.webSocketCreated", lambda e: sockets.append(e["url"]))
    cdp.send("Network.enable")
    page.goto(f"{base}{path}")
    if ready == "checked":
        page.wait_for_selector("[data-editor=run-why]:not(:empty):text-matches('^(?!Checking)')")
    else:
        if ready == "run":
            page.locator("[data-editor=run]:enabled").click()
        page.wait_for_selector('[data-ws="open"]', state="attached")
    page.wait_for_load_state("networkidle")
    for rid, item in seen.items():  # what gzip would leave of each body (headers kept)
        if item["url"].startswith("http") and item["enc"] == "none":
            body = cdp.send("Network.getResponseBody", {"requestId": rid})
            text = body["body"]
            raw = base64.b64decode(text) if body["base64Encoded"] else text.encode()
            item["gzip"] = item["bytes"] - len(raw) + len(gzip.compress(raw, 6))
    context.close()
    urls = [item["url"] for item in seen.values()] + sockets
    network = [u for u in urls if urlsplit(u).scheme in ("http", "https", "ws", "wss")]
    items = list(seen.values())
    return {
        "items": items,
        "sockets": sockets,
        "bytes": sum(item["bytes"] for item in items),
        "gzip": sum(item.get("gzip", item["bytes"]) for item in items),
        "foreign": [u for u in network if origin(u) != base],
        "not_network": len(urls) - len(network),  # data: or blob: URLs: no request made
    }


def diagram_fps(
    browser: Browser, base: str, seconds: float, ready: int, pid: int
) -> dict[str, Any]:
    page = browser.new_page(viewport=VIEWPORT)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/sim/{SCENARIO}/")
    page.wait_for_selector('[data-ws="open"]', state="attached")
    page.get_by_label("Speed").fill(str(SPEED))
    page.get_by_role("button", name="Play", exact=True).click()
    page.locator(".sim-diagram").scroll_into_view_if_needed()
    best, t0 = 0, time.monotonic()
    while best < ready and time.monotonic() - t0 < 30:  # the scenario fills in about 3.5 s
        best = max(best, page.evaluate(VISIBLE_JS, TOKENS))
        time.sleep(0.25)
    ramp = time.monotonic() - t0
    cpu0 = cpu_seconds(pid)
    out = frames(page, seconds, TOKENS)
    out["server_cpu"] = (cpu_seconds(pid) - cpu0) / out["span"]
    out.update(
        ramp=ramp,
        ready=best,
        opens_at=ready,
        in_dom=page.locator(TOKENS).count(),
        errors=errors,
    )
    page.close()
    return out


def arrows_held(page: Page) -> int:
    held = page.locator(SEQ_ARROWS).get_attribute("data-arrows")
    return int(held or 0)


def sequence_fps(
    browser: Browser, base: str, seconds: float, ready: int, pid: int
) -> dict[str, Any]:
    """The same run with the Sequence tab shown: the diagram's panel hidden, the sequence diagram
    following the newest arrow while about 140 arrive a second."""
    page = browser.new_page(viewport=VIEWPORT)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/sim/{SCENARIO}/")
    page.wait_for_selector('[data-ws="open"]', state="attached")
    page.get_by_role("tab", name="Sequence", exact=True).click()
    page.wait_for_selector(SEQ_ARROWS, state="attached")
    page.get_by_label("Speed").fill(str(SPEED))
    page.get_by_role("button", name="Play", exact=True).click()
    page.locator(".sim-views").scroll_into_view_if_needed()
    held, t0 = 0, time.monotonic()
    while held < ready and time.monotonic() - t0 < 30:
        held = arrows_held(page)
        time.sleep(0.25)
    ramp = time.monotonic() - t0
    cpu0 = cpu_seconds(pid)
    out = frames(page, seconds, SEQ_ROWS)
    out["server_cpu"] = (cpu_seconds(pid) - cpu0) / out["span"]
    # the newest arrow drawn is the newest held: the view followed the run to the end
    newest = page.evaluate(
        """() => {
          const rows = [...document.querySelectorAll(".seq-row")];
          const seqs = rows.map((row) => Number(row.dataset.seq));
          return Math.max(0, ...seqs);
        }"""
    )
    out.update(
        ramp=ramp,
        ready=held,
        opens_at=ready,
        arrows_end=arrows_held(page),
        newest_drawn=newest,
        diagram_hidden=page.locator(".sim-diagram").is_hidden(),
        errors=errors,
    )
    page.close()
    return out


def peer_fps(browser: Browser, seconds: float, warmup_s: float, html: str = "") -> dict[str, Any]:
    page = browser.new_page(viewport=VIEWPORT)
    if html:
        page.set_content(html)
    # a new page's first frames are slow: not the steady rate
    page.wait_for_timeout(warmup_s * 1000)
    out = frames(page, seconds)
    page.close()
    return out


def report(
    weights: dict[str, dict[str, Any]],
    d: dict[str, Any],
    bare: dict[str, Any],
    dots: dict[str, Any],
    seq: dict[str, Any],
) -> None:
    for n, (name, w) in enumerate(weights.items(), 1):
        print(f"\n## 1.{n} Page weight: {name}, cold cache, until ready")
        for item in w["items"]:
            path = urlsplit(item["url"]).path or item["url"]
            print(f"  {item['bytes']:>8,} B  {item.get('status', '-')}  {item['enc']:<5} {path}")
        enc = {item["enc"] for item in w["items"]}
        print(
            f"  total {w['bytes']:,} B = {w['bytes'] / 1000:.1f} KB transferred in "
            f"{len(w['items'])} responses (headers included; content-encoding: "
            f"{', '.join(enc)}); gzip -6 of the uncompressed bodies would transfer "
            f"{w['gzip'] / 1000:.1f} KB"
        )
        print(f"  WebSocket: {', '.join(w['sockets']) or 'none'}")
        print(
            f"  requests to other origins: {len(w['foreign'])} {w['foreign'] or ''}; "
            f"non-network URLs (data:, blob:): {w['not_network']}"
        )
    print(f"\n## 2. Frame rate: /sim/{SCENARIO}/ at speed {SPEED}, {d['span']:.2f} s window")
    tokens = d["tokens"]
    print(
        f"  visible tokens: {d['ready']} after {d['ramp']:.1f} s of play (window opens at "
        f"{d['opens_at']}); in the window min {min(tokens)}, mean {statistics.fmean(tokens):.0f}, "
        f"max {max(tokens)}; {d['in_dom']} tokens in the DOM at the end, {d['nodes']:,} elements"
    )
    print(
        f"  tokens that moved in the window's first 0.25 s: {d['moved']} of the {d['kept']} "
        "still in flight then (past 150 moving tokens, tokens take turns to move)"
    )
    print(
        f"  diagram: {d['fps']:.1f} fps ({d['frames']} frames), longest frame gap "
        f"{d['max_gap']:.1f} ms, {d['slow']} gaps > 25 ms (goal >= {GOAL_FPS:g} fps)"
    )
    print(f"  {busy_line(d)}")
    print(f"  Daphne CPU during the window: {d['server_cpu']:.0%} of a core")
    print(f"  uncaught errors in the page: {len(d['errors'])} {d['errors'][:3] or ''}")
    print(f"\n## 3. Peers, same browser, same run, {bare['span']:.2f} s windows")
    print(
        f"  bare page (about:blank): {bare['fps']:.1f} fps, longest gap {bare['max_gap']:.1f} ms; "
        f"diagram / bare = {d['fps'] / bare['fps']:.2f}"
    )
    print(f"    {busy_line(bare)}")
    print(
        f"  300 plain SVG circles moved by transform: {dots['fps']:.1f} fps, longest gap "
        f"{dots['max_gap']:.1f} ms; diagram / circles = {d['fps'] / dots['fps']:.2f}"
    )
    print(f"    {busy_line(dots)}")
    print(
        f"\n## 4. Frame rate: the Sequence tab of /sim/{SCENARIO}/ at speed {SPEED}, "
        f"{seq['span']:.2f} s window"
    )
    rows = seq["tokens"]  # the sampler counts the rows in the DOM
    print(
        f"  arrows held: {seq['ready']} after {seq['ramp']:.1f} s of play (window opens at "
        f"{seq['opens_at']}), {seq['arrows_end']} at the end; rows in the DOM (a window of "
        f"them) min {min(rows)}, mean {statistics.fmean(rows):.0f}, max {max(rows)}; "
        f"{seq['nodes']:,} elements; diagram panel hidden: {seq['diagram_hidden']}"
    )
    print(
        f"  sequence: {seq['fps']:.1f} fps ({seq['frames']} frames), longest frame gap "
        f"{seq['max_gap']:.1f} ms, {seq['slow']} gaps > 25 ms (goal >= {GOAL_FPS:g} fps); "
        f"newest row drawn: record {seq['newest_drawn']}"
    )
    print(f"  {busy_line(seq)}")
    print(f"  Daphne CPU during the window: {seq['server_cpu']:.0%} of a core")
    print(f"  uncaught errors in the page: {len(seq['errors'])} {seq['errors'][:3] or ''}")
    print(
        f"  peers: sequence / bare = {seq['fps'] / bare['fps']:.2f}, sequence / diagram = "
        f"{seq['fps'] / d['fps']:.2f}, sequence / circles = {seq['fps'] / dots['fps']:.2f}"
    )


def renderer(browser: Browser) -> str:
    """The GPU Chromium draws with: SwiftShader means software rendering on the CPU."""
    page = browser.new_page()
    name: str = page.evaluate(RENDERER_JS)
    page.close()
    return name


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    add_size_flags(
        p,
        quick="1 s windows: a smoke check",
        smoke="0.3 s windows from the first token: checks the script runs, figures mean nothing",
    )
    args = p.parse_args(argv)
    mode = size_of(args)
    size = SIZES[mode]
    seconds = size.seconds
    print("# msglab browser benchmark" + ("" if mode == "full" else f" (--{mode})"))
    print(machine())
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(pressure())
    env = {"MSGLAB_SCENARIO_DIRS": str(ROOT / "bench" / "scenarios")}
    with (
        tempfile.TemporaryDirectory(prefix="msglab-bench-browser-") as tmp,
        daphne_server(Path(tmp), env) as server,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        print(
            f"Chromium {browser.version} headless ({CHROMIUM}), Playwright {version('playwright')}"
            f", Python {platform.python_version()}; Daphne on 127.0.0.1, DEBUG=1; viewport "
            f"{VIEWPORT['width']}x{VIEWPORT['height']}"
        )
        print(f"renderer (WebGL): {renderer(browser)}")
        weights = {
            name: page_weight(browser, server.url, path, ready) for name, path, ready in WEIGHED
        }
        bare = peer_fps(browser, seconds, size.peer_warmup_s)
        diagram = diagram_fps(browser, server.url, seconds, size.ready, server.pid)
        dots = peer_fps(browser, seconds, size.peer_warmup_s, CIRCLES_HTML)
        sequence = sequence_fps(browser, server.url, seconds, size.arrows, server.pid)
        browser.close()
    report(weights, diagram, bare, dots, sequence)
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(pressure())
    tokens, fps = diagram["tokens"], diagram["fps"]
    foreign = [url for w in weights.values() for url in w["foreign"]]
    rows = [
        ("diagram fps, ~300 in flight", f"{fps:.1f} fps", f">= {GOAL_FPS:g} fps",
         met(fps >= GOAL_FPS)),
        ("tokens visible, min / mean / max",
         f"{min(tokens)} / {statistics.fmean(tokens):.0f} / {max(tokens)}", f"~{TARGET}", "info"),
        ("longest frame gap", f"{diagram['max_gap']:.1f} ms", "-", "info"),
        ("bare page fps (ceiling)", f"{bare['fps']:.1f} fps", "-", "info"),
        ("diagram / ceiling", f"{fps / bare['fps']:.2f}", "-", "info"),
        ("300 SVG circles peer", f"{dots['fps']:.1f} fps", "-", "info"),
        ("sequence fps, browser-300 playing", f"{sequence['fps']:.1f} fps",
         f">= {GOAL_FPS:g} fps", met(sequence["fps"] >= GOAL_FPS)),
        ("sequence rows in the DOM, min / max",
         f"{min(sequence['tokens'])} / {max(sequence['tokens'])}", "a window", "info"),
        ("sequence / ceiling", f"{sequence['fps'] / bare['fps']:.2f}", "-", "info"),
        *[(f"page weight, {name}", f"{w['bytes'] / 1000:.1f} KB", f"<= {GOAL_KB:g} KB",
           met(w["bytes"] / 1000 <= GOAL_KB)) for name, w in weights.items()],
        ("requests to other origins", str(len(foreign)), "= 0", met(not foreign)),
    ]  # fmt: skip
    print_summary(rows, size.note)
    if max(tokens) == 0:
        print(f"\n!! no visible {TOKENS} during the window: the frame rate means nothing")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
