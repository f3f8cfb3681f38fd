"""Benchmark of federation (not part of the tests): forwarding 1,000
issues to a second portal, and one `ckan helpdesk sync` pass over 10,000
forwarded issues.

Run from the repository root, with the stack started::

    python bench/bench_federation.py

Two portals on 127.0.0.1, each with its own database and site id: the
receiver is a real `ckan run` server (database
``helpdesk_bench_fed_remote``), the sender runs in this process (database
``helpdesk_bench_fed``), Redis database ``HELPDESK_BENCH_REDIS_DB`` (12).
Both databases are emptied first. It prints:

- forwarding: 1,000 issues reported on the sender, sent by the sweep
  (``forwarding.send_pending``) to the receiver's Open311 POST, one by
  one as the jobs do: issues per second, HTTP requests made;
- sync: 9,000 more forwards (rows written with SQL, their remote ids the
  1,000 real ones in turn) and one ``sync.sync()`` pass over the 10,000:
  HTTP requests made and seconds (batched: the receiver's
  servicerequestupdates.json where it serves it, else requests.json with
  ``ckanext.helpdesk.forward.sync_batch`` ids per call).

It stops by itself: the receiver is stopped when it ends or fails.
"""
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
PGDATA = ROOT / ".work" / "pgdata"
SENDER, RECEIVER = "helpdesk_bench_fed", "helpdesk_bench_fed_remote"
REDIS_DB = os.environ.get("HELPDESK_BENCH_REDIS_DB", "12")
FORWARDED, SYNCED = 1_000, 10_000
CKAN = str(pathlib.Path(sys.executable).parent / "ckan")
INI = str(ROOT / "test.ini")


sys.path.insert(0, str(ROOT))
# The test suite's helpers to find a free port and wait for a server.
from ckanext.helpdesk.tests.conftest import (  # noqa: E402
    _free_port, _wait_http)


def env_of(database, site_url):
    return dict(os.environ,
                CKAN_SQLALCHEMY_URL=f"postgresql://postgres@/{database}"
                                    f"?host={PGDATA}",
                CKAN_SITE_ID=database, CKAN_SITE_URL=site_url,
                CKAN_REDIS_URL=f"redis://127.0.0.1:6390/{REDIS_DB}")


def ckan(env, *args):
    done = subprocess.run([CKAN, "-c", INI, *args], env=env, text=True,
                          capture_output=True, timeout=600)
    if done.returncode:
        sys.exit(f"ckan {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def fresh_database(database, env):
    subprocess.run([sys.executable, str(ROOT / "stack" / "stack.py"),
                    "createdb", database], check=True, capture_output=True)
    ckan(env, "db", "clean", "--yes")
    ckan(env, "db", "init")
    ckan(env, "db", "upgrade", "-p", "helpdesk")


def receiver_setup(env, url):
    """A sysadmin's token, and a public dataset on the receiver."""
    import requests
    ckan(env, "user", "add", "boss", "email=boss@example.org",
         "password=correct-horse-42")
    ckan(env, "sysadmin", "add", "boss")
    token = ckan(env, "user", "token", "add", "boss",
                 "bench").strip().splitlines()[-1].strip()
    for action, data in (
            ("organization_create", {"name": "remote-org"}),
            ("package_create", {"name": "remote-data",
                                "owner_org": "remote-org"})):
        answer = requests.post(f"{url}/api/3/action/{action}", json=data,
                               headers={"Authorization": token}, timeout=60)
        answer.raise_for_status()
    return token


def main():
    receiver_url = f"http://127.0.0.1:{_free_port()}"
    receiver_env = env_of(RECEIVER, receiver_url)
    sender_env = env_of(SENDER, "http://127.0.0.1:5050")
    fresh_database(RECEIVER, receiver_env)
    fresh_database(SENDER, sender_env)
    with open(ROOT / ".work" / "log" / "bench_federation.log", "ab") as log:
        server = subprocess.Popen(
            [CKAN, "-c", INI, "run", "-H", "127.0.0.1", "-p",
             receiver_url.rsplit(":", 1)[1], "--disable-reloader"],
            env=receiver_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_http(receiver_url + "/api/3/action/status_show", 120)
        token = receiver_setup(receiver_env, receiver_url)
        os.environ.update({key: sender_env[key] for key in (
            "CKAN_SQLALCHEMY_URL", "CKAN_SITE_ID", "CKAN_SITE_URL",
            "CKAN_REDIS_URL")})
        measure(receiver_url + "/open311/v2", token)
    finally:
        server.terminate()
        server.wait(30)


def measure(endpoint, token):
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    import requests
    import sqlalchemy as sa

    make_app(load_config(INI))
    from ckanext.helpdesk.federation import forwarding, sync
    from ckanext.helpdesk.model import Forward

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context = {"ignore_auth": True, "user": site_user["name"]}
    org = tk.get_action("organization_create")(dict(context),
                                               {"name": "sender-org"})
    tk.get_action("package_create")(dict(context), {
        "name": "remote-data", "owner_org": org["id"]})
    tk.config["ckanext.helpdesk.forward.routes"] = [
        f"sender-org={endpoint}"]
    tk.config["ckanext.helpdesk.forward.api_keys"] = [f"{endpoint}={token}"]
    for number in range(FORWARDED):
        tk.get_action("helpdesk_issue_create")(dict(context), {
            "dataset_id": "remote-data", "category": "data-problem",
            "title": f"Wrong totals {number}",
            "description": "The totals of 2024 do not add up."})

    calls = _count_requests(requests)
    start = time.perf_counter()
    outcomes = forwarding.send_pending(limit=FORWARDED)
    seconds = time.perf_counter() - start
    print(f"forwarding: {outcomes['delivered']:,} of {FORWARDED:,} issues "
          f"delivered in {seconds:.1f}s = {FORWARDED / seconds:.1f} "
          f"issues/s, {calls['n']:,} HTTP requests")

    _more_forwards(model, sa, Forward, endpoint)
    calls["n"] = 0
    start = time.perf_counter()
    totals = sync.sync()
    seconds = time.perf_counter() - start
    print(f"sync: {SYNCED:,} forwarded issues in {seconds:.1f}s, "
          f"{totals['calls']:,} HTTP requests "
          f"({SYNCED / max(totals['calls'], 1):.0f} issues per request)")
    tk.get_action("job_clear")({"ignore_auth": True}, {})


def _count_requests(requests):
    """Count every HTTP request this process makes through requests."""
    calls = {"n": 0}
    original = requests.Session.request

    def counted(self, *args, **kwargs):
        calls["n"] += 1
        return original(self, *args, **kwargs)
    requests.Session.request = counted
    return calls


def _more_forwards(model, sa, Forward, endpoint):
    """Issues and delivered forwards up to SYNCED, with SQL: copies of the
    first issues, their remote ids the real ones in turn."""
    more = SYNCED - FORWARDED
    model.Session.execute(sa.text("""
        INSERT INTO helpdesk_issue (id, number, dataset_id, organization_id,
            category, title, description, status, hidden, comment_count,
            vote_count, created, updated)
        SELECT 'bench-' || n, 100000 + n, dataset_id, organization_id,
            category, title, description, status, false, 0, 0, now(), now()
        FROM generate_series(1, :more) AS n,
             (SELECT * FROM helpdesk_issue LIMIT 1) AS first
    """), {"more": more})
    model.Session.execute(sa.text("""
        INSERT INTO helpdesk_forward (id, issue_id, route_kind,
            endpoint_name, base_url, service_code, state, attempts,
            next_attempt_at, remote_id, delivered_at, created)
        SELECT 'bench-forward-' || n, 'bench-' || n, 'config', 'remote',
            :endpoint, 'data-problem', 'delivered', 1, now(),
            remote.ids[1 + n % array_length(remote.ids, 1)], now(), now()
        FROM generate_series(1, :more) AS n,
             (SELECT array_agg(remote_id) AS ids FROM helpdesk_forward
              WHERE remote_id IS NOT NULL) AS remote
    """), {"more": more, "endpoint": endpoint})
    model.Session.commit()
    assert model.Session.execute(sa.select(sa.func.count()).select_from(
        Forward)).scalar() == SYNCED


if __name__ == "__main__":
    main()
