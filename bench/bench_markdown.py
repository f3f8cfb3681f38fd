"""Benchmark of the help desk's Markdown renderer on the texts written to
make a backtracking renderer crawl (not part of the tests).

Run from the repository root (no service needed)::

    python bench/bench_markdown.py

For each pathological input of tests/views/test_markdown.py, at the
longest a description or comment may be (schema.TEXT_LENGTH), it times
rendering.render (uncached, median of RUNS) beside ordinary prose of the
same length, and prints the ratio (goal: at most 10, so a stored text
costs a page view about what a long ordinary one does). For comparison it
runs CKAN's own h.render_markdown (python-markdown) once on each input,
in a process of its own stopped after LIMIT seconds.
"""
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import ckan.lib.helpers as h  # noqa: E402

from ckanext.helpdesk import rendering  # noqa: E402
from ckanext.helpdesk.logic.schema import TEXT_LENGTH  # noqa: E402
from ckanext.helpdesk.tests.views.test_markdown import (  # noqa: E402
    PATHOLOGICAL, _at_most)

RUNS = 5
LIMIT = 30  # seconds CKAN's renderer may take on one input
PROSE = _at_most(
    "The 2019 figures for *stop 42* are missing from the **weekly** file; "
    "see [the source](https://example.org/source) and "
    "https://example.org/issues.\n\n")

CORE_RENDER = """
import sys, time, ckan.lib.helpers as h
h.load_plugin_helpers()
text = sys.stdin.read()
start = time.perf_counter()
h.render_markdown(text)
print(time.perf_counter() - start)
"""


def ours(text):
    """Median seconds of rendering.render on `text`, its cache bypassed."""
    times = []
    for _run in range(RUNS):
        rendering._rendered.cache_clear()
        start = time.perf_counter()
        rendering.render(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ckan_core(text):
    """Seconds h.render_markdown takes on `text` (its process's start not
    counted), or None past LIMIT."""
    try:
        done = subprocess.run([sys.executable, "-c", CORE_RENDER],
                              input=text, text=True, check=True,
                              timeout=LIMIT, capture_output=True)
    except subprocess.TimeoutExpired:
        return None
    return float(done.stdout)


def main():
    h.load_plugin_helpers()  # CKAN's own helpers, which render() links with
    prose = ours(PROSE)
    print(f"{TEXT_LENGTH:,} characters each; ours: median of {RUNS} runs; "
          f"CKAN's h.render_markdown: one run, stopped after {LIMIT} s")
    print(f"{'input':22} {'ours':>9} {'/ prose':>8} {'CKAN core':>10}")
    print(f"{'ordinary prose':22} {prose * 1000:7.1f}ms {1:7.1f}x "
          f"{ckan_core(PROSE):9.2f}s")
    for name, text in PATHOLOGICAL.items():
        seconds = ours(text)
        core = ckan_core(text)
        core_text = f"> {LIMIT} s" if core is None else f"{core:9.2f}s"
        print(f"{name:22} {seconds * 1000:7.1f}ms {seconds / prose:7.1f}x "
              f"{core_text:>10}")


if __name__ == "__main__":
    main()
