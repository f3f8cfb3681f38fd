"""Benchmark of the streamed exports over 1,000,000 issues (not part of the
tests): memory stays flat whatever the row count.

Run from the repository root, with the stack started::

    python bench/bench_export.py [csv json]

It uses the data of bench/bench_core.py (the database ``helpdesk_bench``,
or ``HELPDESK_BENCH_DATABASE``; loaded by the same code when missing:
1,000,000 issues, 1% hidden, over 10,000 datasets). Each export runs in a
fresh process serving CKAN's whole WSGI app (the real view, its filters,
the visibility rule, Flask's streaming response) and is read chunk by
chunk, as a client would:

- the portal-wide /issues.csv of a sysadmin (every issue but the hidden
  ones, which no export carries: 990,000 rows), and the same as JSON;
- the anonymous /issues.csv (the public issues only, as publish-stats
  publishes them).

For each it prints the rows, the seconds, rows/s, and the serving
process's memory: its resident size once CKAN is loaded (before the
export), and its peak resident size during the export (VmHWM, reset just
before it through /proc/self/clear_refs), whose difference is what the
export cost. The limit is 100 MB of that difference.
"""
import pathlib
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench_core  # noqa: E402  (its database, loader and settings)

ROOT = bench_core.ROOT
SYSADMIN = "bench-sysadmin"
LIMIT_MB = 100
RUNS = [("sysadmin", "csv"), ("sysadmin", "json"), ("anonymous", "csv")]


def _status_kb(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


def _sysadmin_token():
    """An API token of a sysadmin of the benchmark database (created the
    first time)."""
    import ckan.model as model
    import ckan.plugins.toolkit as tk

    if model.User.by_name(SYSADMIN) is None:
        model.Session.add(model.User(name=SYSADMIN, sysadmin=True,
                                     email="bench@example.org",
                                     password="not-used-42"))
        model.Session.commit()
    return tk.get_action("api_token_create")(
        {"ignore_auth": True, "user": SYSADMIN},
        {"user": SYSADMIN, "name": "bench-export"})["token"]


def export_once(who, format):
    """In this (fresh) process: serve one export through CKAN's app and
    print its figures as one line."""
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.model as model

    app = make_app(load_config(str(ROOT / "test.ini")))
    headers = {}
    if who == "sysadmin":
        with app._wsgi_app.test_request_context():
            headers["Authorization"] = _sysadmin_token()
        model.Session.remove()
    client = app._wsgi_app.test_client()
    # Warm up (templates, plans, the first connection): a one-row export.
    client.get("/issues.csv?q=t1234", headers=headers).close()
    baseline_kb = _status_kb("VmRSS")
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # the peak resident size starts again here
    start = time.perf_counter()
    response = client.get(f"/issues.{format}", headers=headers,
                          buffered=False)
    assert response.status_code == 200, response.status
    lines = size = 0
    for chunk in response.response:
        size += len(chunk)
        lines += chunk.count(b"\n")
    response.close()
    seconds = time.perf_counter() - start
    peak_kb = _status_kb("VmHWM")
    # CSV: a header line; JSON: "[" and "]" lines (no text here spans
    # lines: the benchmark's descriptions are one line each).
    rows = lines - (1 if format == "csv" else 2)
    print(f"{who:9} /issues.{format:4} {rows:>9,} rows {size / 1e6:7.1f} MB "
          f"{seconds:6.1f}s {rows / seconds:>8,.0f} rows/s   "
          f"RSS before {baseline_kb / 1024:5.0f} MB, "
          f"peak {peak_kb / 1024:5.0f} MB, "
          f"export +{(peak_kb - baseline_kb) / 1024:4.0f} MB")
    sys.stdout.flush()
    return peak_kb - baseline_kb


def ensure_data():
    """bench_core's database and data, created and loaded if missing."""
    import sqlalchemy as sa

    engine = sa.create_engine(bench_core.URL)
    try:
        with engine.connect() as connection:
            ready = bench_core.loaded(connection)
    except sa.exc.SQLAlchemyError:
        ready = False
    engine.dispose()
    if ready:
        return
    bench_core.create_database()
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.model as model
    make_app(load_config(str(ROOT / "test.ini")))
    bench_core.load(model.meta.engine)


def main(formats):
    ensure_data()
    print(f"{bench_core.ISSUES:,} issues in {bench_core.DATABASE}; "
          f"limit: the export's peak memory under {LIMIT_MB} MB")
    for who, format in RUNS:
        if format in formats:
            subprocess.run([sys.executable, __file__, "--one", who, format],
                           check=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        grown_kb = export_once(*sys.argv[2:4])
        sys.exit(0 if grown_kb < LIMIT_MB * 1024 else 1)
    main(sys.argv[1:] or ["csv", "json"])
