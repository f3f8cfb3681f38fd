"""Benchmark of the dataset page with and without the help desk (not part
of the tests).

Run from the repository root, with the stack started::

    python bench/bench_page.py

It creates the database ``helpdesk_bench_page`` (``python stack/stack.py
createdb``), CKAN's tables and the help desk's, one organization and one
public dataset through CKAN's actions (so Solr indexes it), and 10,000
issues on that dataset with SQL ``generate_series`` (one in three open).
Loading is skipped when the data is already there.

Then it starts three real CKAN servers (``ckan run``) on that database:
one with no plugin, one with ``ckan.plugins = helpdesk`` as configured by
default (anonymous visitors' counts kept in Redis for a minute), and one
with ``ckanext.helpdesk.anonymous_counts_cache = 0`` (a count query on
every view). It requests the dataset page from each in turn, as an
anonymous visitor, after a warm-up, and prints the median times and the
ratios to the page without the plugin (goal: at most 1.05).
"""
import contextlib
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from ckanext.helpdesk.tests.conftest import ckan_server  # noqa

# Another CKAN has another schema: its own database and Solr site id, as
# bin/_env gives them (CKAN_VERSION=2.10.11 runs the bench on 2.10).
VERSION = os.environ.get("CKAN_VERSION", "2.11.6")
SUFFIX = "" if VERSION == "2.11.6" else "_" + VERSION.replace(".", "_")
DATABASE = "helpdesk_bench_page" + SUFFIX
URL = f"postgresql://postgres@/{DATABASE}?host={ROOT}/.work/pgdata"
DATASET = "bench-dataset"
ISSUES = 10_000
WARM_UP, RUNS = 20, 201
TEST_INI = ROOT / "test.ini"
CKAN = str(pathlib.Path(sys.executable).parent / "ckan")

os.environ.update(CKAN_SQLALCHEMY_URL=URL, CKAN_SITE_ID=DATABASE,
                  CKAN_REDIS_URL="redis://127.0.0.1:6390/3")

LOAD_SQL = """
INSERT INTO helpdesk_issue (id, number, dataset_id, organization_id,
    category, title, description, status, created, updated)
SELECT md5('bench-issue-' || n), n, :dataset_id, :organization_id,
    (ARRAY['data-problem', 'improvement', 'question'])[n % 3 + 1],
    'Issue number ' || n, 'The row ' || n || ' looks wrong.',
    CASE WHEN n % 3 = 0 THEN 'new' ELSE 'resolved' END,
    now() - make_interval(mins => n), now() - make_interval(mins => n)
FROM generate_series(1, :issues) AS n;
INSERT INTO helpdesk_issue_counter (scope, last_number)
VALUES (:dataset_id, :issues);
ANALYZE helpdesk_issue
"""


def write_ini(folder, name, options):
    """test.ini with other options (logging sections copied, as `ckan run`
    configures logging from the file it is given)."""
    ini = pathlib.Path(folder) / f"bench-{name}.ini"
    logging = TEST_INI.read_text().split("[loggers]", 1)[1]
    ini.write_text(f"[app:main]\nuse = config:{TEST_INI}\n{options}\n\n"
                   f"[loggers]{logging}")
    return ini


def ckan(ini, *args):
    subprocess.run([CKAN, "-c", str(ini), *args], check=True,
                   capture_output=True)


def load(ini):
    """The organization, the dataset and its issues, unless there."""
    subprocess.run([sys.executable, str(ROOT / "stack" / "stack.py"),
                    "createdb", DATABASE], check=True, capture_output=True)
    ckan(ini, "db", "init")
    ckan(ini, "db", "upgrade", "-p", "helpdesk")
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    make_app(load_config(str(ini)))
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa
    if model.Package.get(DATASET):
        return
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"user": site_user["name"], "ignore_auth": True}
    org = tk.get_action("organization_create")(
        dict(context), {"name": "bench-org", "title": "Bench organization"})
    dataset = tk.get_action("package_create")(dict(context), {
        "name": DATASET, "title": "Bench dataset", "owner_org": org["id"],
        "notes": "A dataset with ten thousand issues.",
        "resources": [{"url": "http://example.org/data.csv",
                       "name": "data.csv"}]})
    for statement in LOAD_SQL.strip().split(";\n"):
        model.Session.execute(sa.text(statement), {
            "dataset_id": dataset["id"], "organization_id": org["id"],
            "issues": ISSUES})
    model.Session.commit()


def fetch_seconds(url):
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        body = response.read()
    elapsed = time.perf_counter() - start
    assert response.status == 200, url
    return elapsed, body


def measure(urls):
    """Median seconds of each server's dataset page, fetching them in turn
    so all see the same machine load."""
    page = f"/dataset/{DATASET}"
    for name, url in urls.items():
        body = fetch_seconds(url + page)[1].decode()
        assert ("helpdesk-open-count" in body) == (name != "without"), name
    for _ in range(WARM_UP):
        for url in urls.values():
            fetch_seconds(url + page)
    times = {name: [] for name in urls}
    for _ in range(RUNS):
        for name, url in urls.items():
            times[name].append(fetch_seconds(url + page)[0])
    return {name: statistics.median(values) for name, values in times.items()}


# test.ini turns the statistics cache off for the tests; a portal has it
# (the organization's typical response time on the dataset page).
WITH = "ckan.plugins = helpdesk\nckanext.helpdesk.stats_cache = 600"
CONFIGURATIONS = {
    "without": "ckan.plugins =",
    "with": WITH,
    "with, no counts cache": WITH + "\n"
                             "ckanext.helpdesk.anonymous_counts_cache = 0",
}


def main():
    with tempfile.TemporaryDirectory() as folder:
        inis = {name: write_ini(folder, str(number), options)
                for number, (name, options)
                in enumerate(CONFIGURATIONS.items())}
        load(inis["with"])
        with contextlib.ExitStack() as servers:
            medians = measure({name: servers.enter_context(ckan_server(ini))
                               for name, ini in inis.items()})
    print(f"CKAN {VERSION}: dataset page with {ISSUES:,} issues, anonymous "
          f"visitor, median of {RUNS} requests each")
    for name, median in medians.items():
        ratio = median / medians["without"]
        print(f"  {name:24} {median * 1000:7.1f} ms   ratio {ratio:.3f}")
    print("  goal: ratio <= 1.05")


if __name__ == "__main__":
    main()
