"""Load test of the production shape (not part of the tests).

Run from the repository root, in the venv (``. bin/_env``), with nothing
else on ports 5100-5101, 2700 and 6391::

    python bench/load.py                      # 10 users, 20 s: a smoke run
    python bench/load.py --users 50 --duration 60 --web-workers 4 \\
        --rq-workers 2                        # the measured run

It starts the production shape afresh (``python stack/stack.py production
start --own-postgres``: gunicorn, RQ workers, its own PostgreSQL, Redis and
SMTP server; Solr shared, under the site id helpdesk_load), seeds it through
the Action API (4 organizations with a publisher each, 20 datasets, visitors
with API tokens, 2 issues per dataset), then runs bench/locustfile.py with
locust, headless, against 127.0.0.1 only, bounded by --duration and
--max-requests. Meanwhile "cron" runs ``ckan helpdesk send-pending`` on two
nodes at the same moment every --cron-interval seconds. After the load it
lets the workers and two more sweeps deliver what is pending, runs the
integrity check (bench/integrity.py) and prints per route: requests,
failures, p50/p95/p99 (ms) and the ratio of the route's p95 to CKAN's own
dataset page's. The shape keeps running (``python stack/stack.py production
stop`` stops it); everything it wrote is under .work/load/.
"""
import argparse
import concurrent.futures
import csv
import json
import pathlib
import random
import shutil
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "stack"), str(ROOT / "bench")]
import integrity  # noqa: E402
import stack  # noqa: E402

OUT = stack.WORK / "load"
SEED, WRITES, REQUESTS = (OUT / name for name in (
    "seed.json", "writes.jsonl", "requests.jsonl"))
DATABASE_URI = stack.postgres_uri(stack.PRODUCTION_DATABASE,
                                  stack.PRODUCTION_PGDATA)
BASELINE = "ckan: dataset page"
PASSWORD = "load-test-password-1"


def ckan(*args):
    return stack.production_ckan(True, *args, check=True,
                                 capture_output=True, text=True)


def api(action, token, **data):
    request = urllib.request.Request(
        f"{stack.production_web_url()}/api/3/action/{action}",
        data=json.dumps(data).encode(), method="POST",
        headers={"Authorization": token,
                 "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)["result"]


# -- a fresh production shape ------------------------------------------------

def fresh_start(args):
    """Stop the shape, forget its data (database, Redis, Maildir, Solr
    documents of its site id) and start it again."""
    stack.production_stop()
    shutil.rmtree(stack.WORK / "production-redis", ignore_errors=True)
    shutil.rmtree(stack.PRODUCTION_MAILDIR, ignore_errors=True)
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    stack.start_postgres(stack.PRODUCTION_PGDATA, ())
    import psycopg2
    conn = psycopg2.connect(stack.postgres_uri("postgres",
                                               stack.PRODUCTION_PGDATA))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {stack.PRODUCTION_DATABASE} "
                    "WITH (FORCE)")
    conn.close()
    stack.production_start(args.web_workers, args.rq_workers, args.nodes,
                           own_postgres=True)
    ckan("search-index", "clear")


def seed(visitors=20, organizations=4, datasets_per_organization=5):
    """Organizations with a publisher each, datasets, visitors with API
    tokens and two issues per dataset, through the Action API."""
    ckan("user", "add", "loadadmin", "email=loadadmin@example.org",
         f"password={PASSWORD}")
    ckan("sysadmin", "add", "loadadmin")
    admin = ckan("user", "token", "add", "loadadmin",
                 "load").stdout.split()[-1]

    def account(name):
        user = api("user_create", admin, name=name, password=PASSWORD,
                   email=f"{name}@example.org", fullname=name.title())
        token = api("api_token_create", admin, user=name, name="load")
        return {"id": user["id"], "name": name, "token": token["token"]}

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        people = list(pool.map(account, [
            f"load-publisher-{n}" for n in range(organizations)] + [
            f"load-visitor-{n}" for n in range(visitors)]))
        publishers = people[:organizations]

        def organization(n):
            org = api("organization_create", admin, name=f"load-org-{n}",
                      title=f"Load Office {n}")
            api("organization_member_create", admin, id=org["id"],
                username=publishers[n]["name"], role="admin")
            names = []
            for d in range(datasets_per_organization):
                dataset = api("package_create", admin,
                              name=f"load-dataset-{n}-{d}",
                              title=f"Bus stops {n}-{d}", owner_org=org["id"])
                names.append((dataset["name"], dataset["id"]))
            return names

        datasets = list(pool.map(organization, range(organizations)))
        for publisher, names in zip(publishers, datasets):
            publisher["datasets"] = [name for name, _id in names]
        dataset_ids = dict(name_id for names in datasets
                           for name_id in names)

        def report(name):
            issue = api("helpdesk_issue_create",
                        random.choice(people[organizations:])["token"],
                        dataset_id=dataset_ids[name], category="question",
                        title="Which stops are missing?",
                        description="The stop list looks wrong.")
            return {"id": issue["id"], "number": issue["number"],
                    "dataset": name}

        issues = list(pool.map(report, [n for n in dataset_ids] * 2))
    data = {"datasets": sorted(dataset_ids), "dataset_ids": dataset_ids,
            "visitors": people[organizations:], "publishers": publishers,
            "issues": issues, "publisher_of_dataset": {
                name: p["id"] for p in publishers for name in p["datasets"]}}
    SEED.write_text(json.dumps(data, indent=1))
    return data


# -- the load ----------------------------------------------------------------

def sweep_on_two_nodes():
    """`ckan helpdesk send-pending --retry-now` on two nodes at once, as
    two crons would."""
    procs = [subprocess.Popen(
        [str(pathlib.Path(sys.executable).parent / "ckan"), "-c",
         str(stack.PRODUCTION_INI), "helpdesk", "send-pending",
         "--retry-now"], env=stack.production_env(True),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _node in range(2)]
    return [proc.communicate(timeout=300)[0].strip().splitlines()[-1:]
            for proc in procs]


def cron(stop, interval, log):
    while not stop.wait(interval):
        log.append((time.time(), sweep_on_two_nodes()))


def run_load(args, seed_data, during=None):
    """Run locust (and cron, and `during`, e.g. the faults, in threads);
    returns the locust exit code."""
    nodes = [stack.production_web_url(n) for n in range(args.nodes)]
    env = dict(stack.production_env(True), LOAD_SEED=str(SEED),
               LOAD_NODES=",".join(nodes), LOAD_WRITES=str(WRITES),
               LOAD_REQUESTS=str(REQUESTS),
               LOAD_MAX_REQUESTS=str(args.max_requests),
               # about one user in ten, one per organization at most
               LOAD_PUBLISHERS=str(max(1, min(len(seed_data["publishers"]),
                                              args.users // 10))))
    stop, cron_log = threading.Event(), []
    threads = [threading.Thread(target=cron, daemon=True,
                                args=(stop, args.cron_interval, cron_log))]
    if during:
        threads.append(threading.Thread(target=during, daemon=True))
    for thread in threads:
        thread.start()
    done = subprocess.run([
        str(pathlib.Path(sys.executable).parent / "locust"),
        "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
        "-u", str(args.users), "-r", str(args.spawn_rate),
        "-t", f"{args.duration}s", "--stop-timeout", "10",
        "--host", nodes[0], "--csv", str(OUT / "stats"), "--only-summary",
        "--loglevel", "WARNING"], env=env, cwd=ROOT,
        timeout=args.duration + 300)
    stop.set()
    for thread in threads:
        thread.join(600)
    print(f"cron sweeps (two nodes at once): "
          f"{[outs for _t, outs in cron_log]}")
    return done.returncode


def pending_count():
    import psycopg2
    conn = psycopg2.connect(DATABASE_URI)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM helpdesk_notification "
                    "WHERE status = 'pending'")
        count = cur.fetchone()[0]
    conn.close()
    return count


def drain(timeout=300):
    """Let the RQ workers finish, then sweep on two nodes at once until
    nothing is pending."""
    deadline = time.time() + timeout
    time.sleep(5)
    while pending_count() and time.time() < deadline:
        print(f"draining: {pending_count()} pending; sweeps: "
              f"{sweep_on_two_nodes()}")
    time.sleep(3)  # jobs still queued find their rows sent: nothing to do


# -- the report --------------------------------------------------------------

def route_table():
    with open(OUT / "stats_stats.csv") as handle:
        rows = [row for row in csv.DictReader(handle)
                if row["Name"] != "Aggregated"]
    baseline = next(float(row["95%"]) for row in rows
                    if row["Name"] == BASELINE)
    lines = [f"{'route':48} {'requests':>8} {'fail':>5} {'p50':>6} "
             f"{'p95':>6} {'p99':>6} {'p95/ckan':>8}"]
    for row in sorted(rows, key=lambda r: r["Name"]):
        lines.append(
            f"{row['Name']:48} {row['Request Count']:>8} "
            f"{row['Failure Count']:>5} {row['50%']:>6} {row['95%']:>6} "
            f"{row['99%']:>6} {float(row['95%']) / baseline:>8.2f}")
    return "\n".join(lines)


def failures(windows=()):
    """Failed requests outside the given (start, end, label) windows, and
    per window what clients saw there: {label: {error: count}}."""
    outside, inside = [], {label: {} for _s, _e, label in windows}
    for line in REQUESTS.read_text().splitlines():
        request = json.loads(line)
        if "error" not in request:
            continue
        body = request.get("body", "").lstrip()
        answer = ("JSON error" if body.startswith("{") else
                  "HTML error page" if body.lower().startswith(
                      ("<!doctype", "<html")) else
                  request["error"][:80] if not request["status"] else
                  "other")
        seen = f"{request['status'] or 'no answer'} {answer}"
        for start, end, label in windows:
            if start <= request["t"] <= end:
                inside[label][seen] = inside[label].get(seen, 0) + 1
                break
        else:
            outside.append(request)
    return outside, inside


def report(seed_data, windows=(), resend_windows=()):
    print(route_table())
    outside, inside = failures(windows)
    for label, seen in inside.items():
        print(f"fault {label}: clients saw {seen or 'no error'}")
    print(f"failures outside fault windows: {len(outside)}")
    for request in outside[:10]:
        print("  ", request)
    problems, counts = integrity.check(DATABASE_URI, WRITES,
                                       stack.PRODUCTION_MAILDIR, seed_data,
                                       resend_windows)
    print(f"integrity: {counts}")
    for problem in problems:
        print(f"  PROBLEM: {problem}")
    print("integrity check " + ("FAILED" if problems else "passed"))
    return not problems and not outside


def arguments(description=__doc__):
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--duration", type=int, default=20, help="seconds")
    parser.add_argument("--max-requests", type=int, default=50_000)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--rq-workers", type=int, default=1)
    parser.add_argument("--nodes", type=int, default=1)
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--cron-interval", type=int, default=20)
    return parser


def prepare(args):
    started = time.time()
    fresh_start(args)
    seed_data = seed(args.visitors)
    print(f"started and seeded in {time.time() - started:.0f} s")
    return seed_data


def main():
    args = arguments().parse_args()
    seed_data = prepare(args)
    run_load(args, seed_data)
    drain()
    sys.exit(0 if report(seed_data) else 1)


if __name__ == "__main__":
    main()
