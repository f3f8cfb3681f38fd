"""Faults during the load (not part of the tests).

Run from the repository root, in the venv (``. bin/_env``)::

    python bench/faults.py                     # 10 users, 150 s
    python bench/faults.py --users 30 --web-workers 4 --rq-workers 2

It runs bench/load.py's load against the production shape with its own
PostgreSQL, Redis and SMTP server (so stopping them disturbs nothing else
on the machine; Solr is shared under its own site id) and, on a fixed
schedule while the load runs:

- ``kill -9`` of one gunicorn web worker (its master starts another);
- ``kill -9`` of an RQ work horse in the middle of a job;
- Redis stopped for 10 s;
- PostgreSQL restarted (``pg_ctl restart -m fast``);
- the SMTP server down for 30 s.

Afterwards it lets the workers and two sweeps deliver what is pending and
prints, per fault, what the clients saw in its window (HTTP status and
error), the failures outside every window (there should be none), the
per-route table and the integrity check (bench/integrity.py), which must
pass: no 2xx write lost, contiguous issue numbers, each email once.
"""
import os
import pathlib
import signal
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "stack"), str(ROOT / "bench")]
import load  # noqa: E402
import stack  # noqa: E402

# Seconds after the load starts, and how long clients may see the fault
# (the fault itself plus the time to recover).
SCHEDULE = [(15, "kill -9 a web worker"), (35, "kill -9 an RQ work horse"),
            (50, "Redis stopped 10 s"), (75, "PostgreSQL restarted"),
            (95, "SMTP down 30 s")]
RECOVERY = 10
RESEND_FAULTS = {"kill -9 an RQ work horse", "PostgreSQL restarted"}


def children(pid):
    path = pathlib.Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def kill_web_worker():
    worker = children(stack.pid_of("production-web-0"))[0]
    os.kill(worker, signal.SIGKILL)
    return f"killed gunicorn worker {worker}"


def kill_work_horse():
    """Wait (up to 20 s) for an RQ worker to fork a work horse for a job,
    and kill it."""
    deadline = time.time() + 20
    while time.time() < deadline:
        for name in stack.production_names():
            if name.startswith("production-worker-") and stack.pid_of(name):
                horses = children(stack.pid_of(name))
                if horses:
                    os.kill(horses[0], signal.SIGKILL)
                    return f"killed work horse {horses[0]} of {name}"
        time.sleep(0.05)
    return "no job ran in 20 s: nothing killed"


def stop_redis():
    stack.terminate("production-redis")
    time.sleep(10)
    stack.start_redis(stack.PRODUCTION_REDIS_PORT, "production-redis")
    return "Redis stopped and started again"


def restart_postgres():
    started = time.time()
    stack.pg_ctl(stack.PRODUCTION_PGDATA, "restart")
    return f"PostgreSQL restarted in {time.time() - started:.1f} s"


def smtp_down():
    stack.terminate("production-smtp")
    time.sleep(30)
    stack.start_smtp("production-smtp", stack.PRODUCTION_SMTP_PORT,
                     stack.PRODUCTION_MAILDIR)
    return "SMTP server down 30 s and started again"


def supervise(args):
    """Start again what died, as systemd or supervisord would: an RQ
    worker exits when it loses Redis."""
    restarted = []
    for number in range(args.rq_workers):
        if not stack.pid_of(f"production-worker-{number}"):
            stack.start_production_worker(number, own_postgres=True)
            restarted.append(f"production-worker-{number}")
    return restarted


FAULTS = [kill_web_worker, kill_work_horse, stop_redis, restart_postgres,
          smtp_down]


def main():
    parser = load.arguments(__doc__)
    parser.set_defaults(duration=SCHEDULE[-1][0] + 30 + 25)
    args = parser.parse_args()
    seed_data = load.prepare(args)
    windows = []

    def inject():
        start = time.time()
        for (at, label), fault in zip(SCHEDULE, FAULTS):
            time.sleep(max(0, start + at - time.time()))
            began = time.time()
            print(f"[faults] {label}: {fault()}", flush=True)
            windows.append((began, time.time() + RECOVERY, label))
            time.sleep(RECOVERY)
            print(f"[faults] restarted by the supervisor: "
                  f"{supervise(args) or 'nothing'}", flush=True)

    load.run_load(args, seed_data, during=inject)
    load.drain()
    # Where a sender may be cut off between SMTP and its commit.
    resend = [(start, end) for start, end, label in windows
              if label in RESEND_FAULTS]
    sys.exit(0 if load.report(seed_data, windows, resend) else 1)


if __name__ == "__main__":
    main()
