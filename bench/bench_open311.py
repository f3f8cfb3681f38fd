"""Benchmark of the Open311 reads on 1,000,000 issues (not part of the tests).

Run from the repository root, with the stack started::

    python bench/bench_open311.py

It reuses bench_core.py's data set in the database ``helpdesk_bench`` (or
``HELPDESK_BENCH_DATABASE``, as bench_core.py reads it), loading it the
same idempotent way when it is not there yet: 10,000 datasets of 100
organizations, 100 issues each, one issue every 90 seconds back from the
load, so the last 90 days hold some 86,000 issues.

It prints the median time of two Open311 calls, each a full HTTP request
through CKAN's WSGI app as an anonymous client, beside the bare SQL that
returns the same rows (the issues an anonymous visitor may see, with the
dataset and organization names the answer shows), and the ratio:

- ``requests.json``: the spec's default window (the most recent 90 days),
  1000 results, newest first;
- ``requests/{id}.json``: one issue.
"""
import json
import pathlib
import sys
import time

import werkzeug.test

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench_core  # noqa: E402  (sets the bench database's environment)
from bench_core import median_seconds, sql  # noqa: E402

BASE = "/open311/v2"
LIMIT = 1000
# What an anonymous visitor may see: issues of public active datasets, and
# data requests (no dataset), unless hidden.
VISIBLE = """
    NOT i.hidden AND (i.dataset_id IS NULL
                      OR (p.state = 'active' AND NOT p.private))"""
SELECT = f"""
    SELECT i.*, p.name, p.title, g.title
    FROM helpdesk_issue i
    LEFT JOIN package p ON p.id = i.dataset_id
    LEFT JOIN "group" g ON g.id = i.organization_id
    WHERE {VISIBLE}"""
WINDOW_SQL = SELECT + f"""
    AND i.created >= now() - interval '90 days' AND i.created < now()
    ORDER BY i.created DESC LIMIT {LIMIT}"""
ONE_SQL = SELECT + " AND i.id = :id"


def open311_get(client, path):
    """The call, and the ids it answers (checked to be a 200)."""
    def call():
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return [request["service_request_id"]
                for request in json.loads(response.get_data())]
    return call


def bare_sql(engine, statement, **parameters):
    def query():
        with engine.connect() as connection:
            return [row[0] for row in sql(connection, statement,
                                          **parameters)]
    return query


def compare(label, api_call, sql_call):
    assert api_call() == sql_call(), f"{label}: not the same rows"
    api_time, sql_time = median_seconds(api_call, sql_call)
    print(f"{label:28} {api_time * 1000:9.1f}ms {sql_time * 1000:9.1f}ms "
          f"{api_time / sql_time:7.1f}x")


def main():
    bench_core.create_database()
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.model as model

    app = make_app(load_config(str(bench_core.ROOT / "test.ini")))
    engine = model.meta.engine
    with engine.connect() as connection:
        if not bench_core.loaded(connection):
            start = time.perf_counter()
            bench_core.load(engine)
            print(f"loaded {bench_core.ISSUES:,} issues in "
                  f"{time.perf_counter() - start:.0f}s")
    client = werkzeug.test.Client(app)
    window = bare_sql(engine, WINDOW_SQL)
    newest_id = window()[0]
    print(f"{bench_core.ISSUES:,} issues; median of {bench_core.RUNS} runs")
    print(f"{'call':28} {'Open311':>11} {'bare SQL':>11} {'ratio':>8}")
    compare(f"requests.json ({LIMIT})", open311_get(client, "requests.json"),
            window)
    compare("requests/{id}.json",
            open311_get(client, f"requests/{newest_id}.json"),
            bare_sql(engine, ONE_SQL, id=newest_id))


if __name__ == "__main__":
    main()
