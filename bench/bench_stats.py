"""Benchmark of the portal statistics page over 1,000,000 issues (not part
of the tests).

Run from the repository root, with the stack started::

    python bench/bench_stats.py

It loads bench/bench_core.py's data (100 organizations, 10,000 datasets,
1,000,000 issues over the last 1,042 days, one in ten on a private
dataset, 1% hidden) into a database of its own, ``helpdesk_bench_stats``
(``HELPDESK_BENCH_DATABASE`` names another), and adds what statistics are
made of: a publisher (editor of every organization) whose public reply
answers two issues in three, 1 to 200 hours after the report, and
resolved_at 1 to 240 hours after the report on the closed issues (half of
them). Loading is skipped when the data is already there.

Then it serves the portal with a real ``ckan run`` and prints the median
time of ``GET /issues/stats`` (the default 90-day window, and 365 days),
as an anonymous visitor and as a member of ten organizations (an API
token), beside the median time of the bare SQL aggregates answering the
same questions on the same data (no permission rule, no page), and the
ratio. The figures are computed on every request (no cache): they are as
fresh as the database.
"""
import os
import pathlib
import statistics
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
os.environ.setdefault("HELPDESK_BENCH_DATABASE", "helpdesk_bench_stats")
os.environ.setdefault("HELPDESK_BENCH_REDIS_DB", "8")
import bench_core as core  # noqa: E402 (reads the two variables above)
from ckanext.helpdesk.tests.conftest import ckan_server  # noqa: E402

RUNS = 7
PUBLISHER = "bench-publisher"
WINDOWS = (90, 365)

RESPONSES_SQL = """
INSERT INTO "user" (id, name, state, sysadmin, created, password)
VALUES (md5('publisher')::uuid::text, '{publisher}', 'active', false, now(),
        '');
INSERT INTO member (id, table_name, table_id, group_id, capacity, state)
SELECT md5('publisher' || o)::uuid::text, 'user',
       md5('publisher')::uuid::text, md5('org' || o)::uuid::text, 'editor',
       'active'
FROM generate_series(0, {organizations} - 1) AS o;
UPDATE helpdesk_issue
SET resolved_at = created + (1 + abs(hashtext(id)) % 240) * interval '1 hour'
WHERE status IN ('resolved', 'wont_fix', 'duplicate');
INSERT INTO helpdesk_comment (id, issue_id, author_id, body, internal,
                              hidden, created, updated)
SELECT md5('reply' || id)::uuid::text, id, md5('publisher')::uuid::text,
       'Thanks, we are looking into it.', false, false,
       created + (1 + abs(hashtext(id)) % 200) * interval '1 hour',
       created + (1 + abs(hashtext(id)) % 200) * interval '1 hour'
FROM helpdesk_issue WHERE abs(hashtext(id)) % 3 <> 0;
""".format(publisher=PUBLISHER, organizations=core.ORGANIZATIONS)

# The same questions as the page, answered by plain SQL: no visibility
# rule, replies by anyone counted, a flat 3-day target.
BARE_SQL = [
    """SELECT id, name, title FROM "group"
       WHERE is_organization AND state = 'active'""",
    """WITH issues AS (
         SELECT i.organization_id, i.category, i.created,
                (SELECT min(c.created) FROM helpdesk_comment c
                 WHERE c.issue_id = i.id AND NOT c.internal
                 AND NOT c.hidden) AS responded,
                CASE WHEN i.status IN ('resolved', 'wont_fix', 'duplicate')
                     THEN i.resolved_at END AS closed_at
         FROM helpdesk_issue i
         WHERE NOT i.hidden AND i.created >= now() - :days * interval '1 day')
       SELECT organization_id, category, count(*), count(closed_at),
              count(responded),
              percentile_cont(0.5) WITHIN GROUP (ORDER BY
                  extract(epoch FROM responded - created)),
              percentile_cont(0.9) WITHIN GROUP (ORDER BY
                  extract(epoch FROM responded - created)),
              percentile_cont(0.5) WITHIN GROUP (ORDER BY
                  extract(epoch FROM closed_at - created)),
              percentile_cont(0.9) WITHIN GROUP (ORDER BY
                  extract(epoch FROM closed_at - created)),
              count(*) FILTER (WHERE responded <= created + interval '3 days')
       FROM issues
       GROUP BY GROUPING SETS ((organization_id), (category), ())""",
    """SELECT organization_id, count(*),
              count(*) FILTER (WHERE created > now() - interval '7 days'),
              count(*) FILTER (WHERE created <= now() - interval '7 days'
                               AND created > now() - interval '30 days'),
              count(*) FILTER (WHERE created <= now() - interval '30 days'
                               AND created > now() - interval '91 days'),
              count(*) FILTER (WHERE created <= now() - interval '91 days')
       FROM helpdesk_issue
       WHERE NOT hidden AND status IN ('new', 'acknowledged', 'in_progress')
       GROUP BY ROLLUP (organization_id)""",
    """SELECT week, organization_id, category, sum(opened), sum(closed) FROM (
         SELECT date_trunc('week', created) AS week, organization_id,
                category, 1 AS opened, 0 AS closed
         FROM helpdesk_issue
         WHERE NOT hidden AND created >= now() - interval '52 weeks'
         UNION ALL
         SELECT date_trunc('week', resolved_at), organization_id, category,
                0, 1
         FROM helpdesk_issue
         WHERE NOT hidden AND resolved_at >= now() - interval '52 weeks'
         AND status IN ('resolved', 'wont_fix', 'duplicate')) AS events
       GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
    """SELECT dataset_id, count(*), sum(vote_count) FROM helpdesk_issue
       WHERE NOT hidden AND dataset_id IS NOT NULL
       AND status IN ('new', 'acknowledged', 'in_progress')
       GROUP BY dataset_id ORDER BY 2 DESC, 1 LIMIT 10""",
    """SELECT dataset_id, count(*), sum(vote_count) FROM helpdesk_issue
       WHERE NOT hidden AND dataset_id IS NOT NULL
       AND status IN ('new', 'acknowledged', 'in_progress')
       GROUP BY dataset_id ORDER BY 3 DESC, 1 LIMIT 10""",
    """SELECT id, number, title, vote_count FROM helpdesk_issue
       WHERE NOT hidden AND category = 'data-request'
       AND dataset_id IS NULL AND vote_count > 0
       AND status IN ('new', 'acknowledged', 'in_progress')
       ORDER BY vote_count DESC, created LIMIT 10""",
]


def load_responses(engine):
    with engine.begin() as connection:
        with connection.connection.cursor() as cursor:
            cursor.execute(RESPONSES_SQL)
    with engine.connect() as connection:
        core.sql(connection.execution_options(isolation_level="AUTOCOMMIT"),
                 "VACUUM ANALYZE")


def member_token():
    """An API token of bench_core's member (of ten organizations): pages
    take it as CKAN's Authorization header."""
    import ckan.plugins.toolkit as tk
    return tk.get_action("api_token_create")(
        {"ignore_auth": True, "user": core.MEMBER},
        {"user": core.MEMBER, "name": "bench-stats"})["token"]


def fetch(url, token=None):
    def get():
        request = urllib.request.Request(
            url, headers={"Authorization": token} if token else {})
        with urllib.request.urlopen(request, timeout=600) as response:
            assert response.status == 200
            response.read()
    return get


def median_seconds(function):
    function()  # warm the caches and the plans
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    core.create_database()
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.model as model

    app = make_app(load_config(str(core.ROOT / "test.ini")))
    engine = model.meta.engine
    with engine.connect() as connection:
        loaded = core.loaded(connection)
        answered = loaded and core.sql(
            connection, "SELECT count(*) FROM helpdesk_comment").scalar()
    if not loaded:
        start = time.perf_counter()
        core.load(engine)
        print(f"loaded {core.ISSUES:,} issues in "
              f"{time.perf_counter() - start:.0f}s")
    if not answered:
        start = time.perf_counter()
        load_responses(engine)
        print(f"added the replies and resolutions in "
              f"{time.perf_counter() - start:.0f}s")
    with engine.connect() as connection:
        replies = core.sql(connection,
                           "SELECT count(*) FROM helpdesk_comment").scalar()
    print(f"{core.ISSUES:,} issues, {replies:,} replies in "
          f"{core.DATABASE}; median of {RUNS} runs each")
    with app._wsgi_app.test_request_context():
        token = member_token()
    print(f"{'GET /issues/stats':26} {'who':10} {'page':>10} {'bare SQL':>10}"
          f" {'ratio':>7}")
    with ckan_server(core.ROOT / "test.ini") as url:
        for days in WINDOWS:
            bare = median_seconds(core.bare_sql(engine, BARE_SQL, days=days))
            for who, user_token in (("anonymous", None),
                                    ("member", token)):
                page = median_seconds(fetch(
                    f"{url}/issues/stats?window={days}", user_token))
                print(f"{'window=' + str(days):26} {who:10} "
                      f"{page * 1000:8.0f}ms {bare * 1000:8.0f}ms "
                      f"{page / bare:6.1f}x")


if __name__ == "__main__":
    main()
