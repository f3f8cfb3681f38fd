"""Benchmark of the core reads on 1,000,000 issues (not part of the tests).

Run from the repository root, with the stack started::

    python bench/bench_core.py

It creates the database ``helpdesk_bench`` (``python stack/stack.py
createdb helpdesk_bench``; ``HELPDESK_BENCH_DATABASE`` names another, so
parallel runs do not share one, and ``HELPDESK_BENCH_REDIS_DB`` picks the
Redis database, 6 by default), CKAN's tables (``ckan db init``) and the help
desk's (``ckan db upgrade -p helpdesk``), then loads with SQL
``generate_series`` 100 organizations, 10,000 datasets (one in ten private,
one in fifty deleted) and 100 issues per dataset (1% hidden). Loading is
skipped when the data is already there, so a second run only measures.

It prints the median time of four reads, each through the real action
(auth checked, as an anonymous visitor and as a signed-in member of one
organization, so the visibility rule is in the query) beside the bare SQL
that answers the same question on the same data without any permission
rule, and the ratio action / bare SQL:

- dataset counts: helpdesk_issue_counts for a page of 20 datasets;
- a dataset's first page: helpdesk_issue_search(dataset_id), 20 newest;
- an organization's first page: helpdesk_issue_search(organization_id);
- a text search: helpdesk_issue_search(q), 20 newest, for a common word
  (one issue in seven) and a rare one (one in 5,000).

The bare SQL of a page is the page plus its counts by status and category
(which add up to the total), as the action answers, but without the
permission rule and the names beside each issue. A first line gives the
fixed cost of calling any action (CKAN's access check reads the user
twice), which dominates the ratio of the sub-millisecond reads.
"""
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATABASE = os.environ.get("HELPDESK_BENCH_DATABASE", "helpdesk_bench")
REDIS_DB = os.environ.get("HELPDESK_BENCH_REDIS_DB", "6")
URL = f"postgresql://postgres@/{DATABASE}?host={ROOT}/.work/pgdata"
ORGANIZATIONS, DATASETS, ISSUES_PER_DATASET = 100, 10_000, 100
ISSUES = DATASETS * ISSUES_PER_DATASET
RUNS = 21
PAGE = 20
# A word in one issue of seven, and a ticket code in one of 5,000.
SEARCH_TERMS = ("bridge", "t1234")
MEMBER = "bench-member"

os.environ.update(CKAN_SQLALCHEMY_URL=URL, CKAN_SITE_ID=DATABASE,
                  CKAN_REDIS_URL=f"redis://127.0.0.1:6390/{REDIS_DB}")
CKAN = [str(pathlib.Path(sys.executable).parent / "ckan"),
        "-c", str(ROOT / "test.ini")]

# The words titles and descriptions are made of, seven of these forty in
# each issue; descriptions end with one of 5,000 ticket codes.
WORDS = """bridge station budget school river census permit tram street
library tax park hospital water energy traffic waste housing crime museum
election airport forest harbour noise bicycle parking tree weather
pollution grant contract salary vaccine rail bus ferry road toilet bench
playground""".split()

LOAD_SQL = """
INSERT INTO "group" (id, name, title, type, is_organization, state,
                     approval_status, created)
SELECT md5('org' || o)::uuid::text, 'bench-org-' || o,
       'Bench organization ' || o, 'organization', true, 'active',
       'approved', now()
FROM generate_series(0, {organizations} - 1) AS o;

INSERT INTO package (id, name, title, type, state, private, owner_org,
                     metadata_created, metadata_modified)
SELECT md5('ds' || d)::uuid::text, 'bench-dataset-' || d,
       'Bench dataset ' || d, 'dataset',
       CASE WHEN d % 50 = 7 THEN 'deleted' ELSE 'active' END,
       d % 10 = 3, md5('org' || (d % {organizations}))::uuid::text,
       now(), now()
FROM generate_series(0, {datasets} - 1) AS d;

INSERT INTO "user" (id, name, state, sysadmin, created, password)
VALUES (md5('member')::uuid::text, '{member}', 'active', false, now(), '');

-- The member belongs to the organizations of datasets 0..9.
INSERT INTO member (id, table_name, table_id, group_id, capacity, state)
SELECT md5('member' || o)::uuid::text, 'user', md5('member')::uuid::text,
       md5('org' || o)::uuid::text, 'member', 'active'
FROM generate_series(0, 9) AS o;

INSERT INTO helpdesk_issue (
    id, number, dataset_id, organization_id, category, title, description,
    status, hidden, comment_count, vote_count, created, updated)
SELECT md5('issue' || i)::uuid::text,
       i / {datasets} + 1,
       md5('ds' || (i % {datasets}))::uuid::text,
       md5('org' || (i % {datasets} % {organizations}))::uuid::text,
       (ARRAY['data-problem', 'improvement', 'question'])[1 + i % 3],
       w[1 + i % n] || ' ' || w[1 + (i / 7) % n] || ' ' || w[1 + (i / 13) % n],
       'The ' || w[1 + (i / 3) % n] || ' figures for the ' ||
       w[1 + (i / 11) % n] || ' look wrong next to the ' ||
       w[1 + (i / 17) % n] || ' and the ' || w[1 + (i / 29) % n] ||
       ' (ticket t' || i % 5000 || ').',
       (ARRAY['new', 'acknowledged', 'in_progress', 'resolved', 'wont_fix',
              'duplicate'])[1 + i % 6],
       i % 100 = 42, i % 7, i % 5,
       now() - i * interval '90 seconds',
       now() - i * interval '60 seconds'
FROM generate_series(0, {issues} - 1) AS i,
     (SELECT ARRAY[{words}] AS w, {word_count} AS n) AS words;

INSERT INTO helpdesk_issue_counter (scope, last_number)
SELECT md5('ds' || d)::uuid::text, {per_dataset}
FROM generate_series(0, {datasets} - 1) AS d;
""".format(organizations=ORGANIZATIONS, datasets=DATASETS, issues=ISSUES,
           per_dataset=ISSUES_PER_DATASET, member=MEMBER,
           words=", ".join(f"'{word}'" for word in WORDS),
           word_count=len(WORDS))


def run(*args):
    subprocess.run([*CKAN, *args], check=True, capture_output=True)


def create_database():
    subprocess.run([sys.executable, str(ROOT / "stack" / "stack.py"),
                    "createdb", DATABASE], check=True)
    run("db", "init")
    run("db", "upgrade", "-p", "helpdesk")


def sql(connection, statement, **parameters):
    import sqlalchemy as sa
    return connection.execute(sa.text(statement), parameters)


def loaded(connection):
    return sql(connection,
               "SELECT count(*) FROM helpdesk_issue").scalar() == ISSUES


def load(engine):
    """Load everything in one transaction, with the issue indexes dropped
    during the insert and built again after (much faster than keeping
    them up to date row by row)."""
    with engine.begin() as connection:
        for table in ("helpdesk_issue_counter", "helpdesk_issue", "member",
                      '"user"', "package", '"group"'):
            sql(connection, f"TRUNCATE {table} CASCADE")
        indexes = sql(connection, 
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename = 'helpdesk_issue' "
            "AND indexname <> 'helpdesk_issue_pkey'").fetchall()
        for name, _definition in indexes:
            sql(connection, f"DROP INDEX {name}")
        # Straight to psycopg2: the script is many statements, and its
        # "%" are SQL's modulo, not parameter markers.
        with connection.connection.cursor() as cursor:
            cursor.execute(LOAD_SQL)
        for _name, definition in indexes:
            sql(connection, definition)
    with engine.connect() as connection:
        sql(connection.execution_options(isolation_level="AUTOCOMMIT"),
            "VACUUM ANALYZE")


def median_seconds(*functions):
    """The median time of each function over RUNS calls, called in turns:
    on a shared machine a load that comes and goes then weighs on each
    alike, and the ratios hold where separate series would drift."""
    for function in functions:
        function()  # warm the caches and the plans
    times = [[] for _ in functions]
    for _ in range(RUNS):
        for function, series in zip(functions, times):
            start = time.perf_counter()
            function()
            series.append(time.perf_counter() - start)
    return [statistics.median(series) for series in times]


def bare_sql(engine, statements, **parameters):
    def query():
        with engine.connect() as connection:
            for statement in statements:
                sql(connection, statement, **parameters).fetchall()
    return query


def action(name, user, **data_dict):
    import ckan.model as model
    import ckan.plugins.toolkit as tk

    def call():
        tk.get_action(name)({"user": user, "ignore_auth": False},
                            dict(data_dict))
        model.Session.remove()
    return call


def page_sql(condition):
    """The page, and the counts by status and category (whose sum is the
    total): what the action answers, without the permission rule and the
    names."""
    return [
        f"SELECT * FROM helpdesk_issue WHERE {condition} "
        f"ORDER BY created DESC LIMIT {PAGE}",
        f"SELECT status, category, count(*) FROM helpdesk_issue "
        f"WHERE {condition} GROUP BY GROUPING SETS (status, category)",
    ]


def scenarios(engine, dataset_ids):
    dataset = dataset_ids[0]
    with engine.connect() as connection:
        organization = sql(connection,
                           "SELECT owner_org FROM package WHERE id = :id",
                           id=dataset_ids[1]).scalar()
    counts_sql = [
        "SELECT dataset_id, count(*) FILTER (WHERE status IN "
        "('new', 'acknowledged', 'in_progress')), count(*) "
        "FROM helpdesk_issue WHERE dataset_id = ANY(:ids) "
        "GROUP BY dataset_id"]
    text = "search_vector @@ websearch_to_tsquery('english', :q)"
    return [
        ("dataset counts (20 datasets)", "helpdesk_issue_counts",
         {"dataset_ids": dataset_ids},
         bare_sql(engine, counts_sql, ids=dataset_ids)),
        ("dataset first page", "helpdesk_issue_search",
         {"dataset_id": dataset, "limit": PAGE},
         bare_sql(engine, page_sql("dataset_id = :id"), id=dataset)),
        ("organization first page", "helpdesk_issue_search",
         {"organization_id": organization, "limit": PAGE},
         bare_sql(engine, page_sql("organization_id = :id"),
                  id=organization)),
    ] + [(f"text search '{term}'", "helpdesk_issue_search",
          {"q": term, "limit": PAGE},
          bare_sql(engine, page_sql(text), q=term))
         for term in SEARCH_TERMS]


def measure(engine):
    with engine.connect() as connection:
        # A page of datasets 0..19: public, private (3, 13) and deleted
        # (7) ones, of organizations 0..19 (the member is in 0..9).
        dataset_ids = [row[0] for row in sql(
            connection, "SELECT md5('ds' || d)::uuid::text "
            f"FROM generate_series(0, {PAGE - 1}) AS d ORDER BY d")]
    floor, = median_seconds(action("helpdesk_category_list", MEMBER))
    print(f"fixed cost of any action call (CKAN's check_access and user "
          f"lookups; helpdesk_category_list, no query of its own): "
          f"{floor * 1000:.2f}ms")
    print(f"{'read':32} {'who':10} {'action':>10} {'bare SQL':>10} "
          f"{'ratio':>7}")
    for label, name, data_dict, bare in scenarios(engine, dataset_ids):
        users = (("anonymous", ""), ("member", MEMBER))
        bare_time, *action_times = median_seconds(
            bare, *(action(name, user, **data_dict) for _who, user in users))
        for (who, _user), action_time in zip(users, action_times):
            print(f"{label:32} {who:10} {action_time * 1000:8.2f}ms "
                  f"{bare_time * 1000:8.2f}ms {action_time / bare_time:6.1f}x")


def main():
    create_database()
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.model as model

    app = make_app(load_config(str(ROOT / "test.ini")))
    engine = model.meta.engine
    with engine.connect() as connection:
        already = loaded(connection)
    if already:
        print(f"{ISSUES:,} issues already loaded in {DATABASE}")
    else:
        start = time.perf_counter()
        load(engine)
        print(f"loaded {ISSUES:,} issues over {DATASETS:,} datasets and "
              f"{ORGANIZATIONS} organizations in "
              f"{time.perf_counter() - start:.0f}s")
    print(f"median of {RUNS} runs each")
    with app._wsgi_app.test_request_context():
        measure(engine)


if __name__ == "__main__":
    main()
