"""The browser benchmark still runs against a real Daphne and a real Chromium and prints every
figure (no timings or sizes are asserted: those are measured in benchmarks, not in tests)."""

from __future__ import annotations

import pytest

from tests.benchmarks import assert_mentions, run_smoke, summary_line, summary_of

pytestmark = pytest.mark.browser


def test_the_smoke_browser_benchmark_prints_every_figure_and_exits_0() -> None:
    out = run_smoke("browser.py", timeout=180)

    assert_mentions(
        out,
        (
            "machine: ",
            "Chromium ",
            "## 1.1 Page weight: /sim/order-flow/",
            "/sim/order-flow/\n",
            "/static/js/sim-page.js\n",
            "## 1.2 Page weight: /sim/ (editor)",
            "/static/js/editor-page.js\n",
            "## 1.3 Page weight: /sim/ after Run",
            "/static/js/run-panel.js\n",
            "KB transferred in",
            "requests to other origins: ",
            "## 2. Frame rate: /sim/browser-300/",
            "visible tokens: ",
            "tokens that moved in the window's first 0.25 s: ",
            "diagram: ",
            "main thread busy",
            "bare page (about:blank): ",
            "300 plain SVG circles moved by transform: ",
            "## 4. Frame rate: the Sequence tab of /sim/browser-300/",
            "arrows held: ",
            "sequence: ",
            "peers: sequence / bare = ",
        ),
    )
    summary = summary_of(out)
    assert "NOT the report" in summary.splitlines()[0]
    assert_mentions(
        summary,
        (
            "diagram fps, ~300 in flight",
            "tokens visible, min / mean / max",
            "longest frame gap",
            "bare page fps (ceiling)",
            "diagram / ceiling",
            "300 SVG circles peer",
            "sequence fps, browser-300 playing",
            "sequence rows in the DOM, min / max",
            "sequence / ceiling",
            "page weight, /sim/order-flow/",
            "page weight, /sim/ (editor)",
            "page weight, /sim/ after Run",
            "requests to other origins",
        ),
    )
    for figure in ("diagram fps", "sequence fps"):
        fps = summary_line(summary, figure)
        assert fps.endswith((">= 55 fps  MET", ">= 55 fps  NOT MET"))
    weight = summary_line(summary, "page weight")
    assert weight.endswith(("<= 150 KB  MET", "<= 150 KB  NOT MET"))
