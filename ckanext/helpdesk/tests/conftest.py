"""Fixtures that run the real parts the help desk talks to.

PostgreSQL, Redis and Solr come from `python stack/stack.py start` (bin/test
starts them). The suite runs its own SMTP server (aiosmtpd, in process, so a
test can stop and restart it), real RQ workers (`ckan jobs worker`) and, for
the browser tests, a real CKAN web server driven by headless Chromium.
"""
import contextlib
import email
import email.policy
import os
import pathlib
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from aiosmtpd.controller import Controller
from pytest_factoryboy import register

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests import factories

ROOT = pathlib.Path(__file__).resolve().parents[3]
TEST_INI = ROOT / "test.ini"
CKAN = pathlib.Path(sys.executable).parent / "ckan"


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db, plus the help desk's own tables (as ckanext/activity
    does): reset_db() recreates only CKAN core's tables."""
    reset_db()
    migrate_db_for("helpdesk")


@register
class IssueFactory(factories.Issue):
    """The `issue_factory` and `issue` fixtures, as CKAN registers its own
    factories (ckan/tests/pytest_ckan/fixtures.py)."""


# -- SMTP ----------------------------------------------------------------------

class _Collect:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(
            envelope.original_content or envelope.content,
            policy=email.policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class MailServer:
    """A real SMTP server that keeps what it receives, for assertions."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.handler = _Collect()
        self.controller = None

    def start(self):
        self.controller = Controller(
            self.handler, hostname=self.host, port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def clear(self):
        with self.handler.lock:
            self.handler.messages.clear()

    @property
    def messages(self):
        """(envelope recipients, email.message.EmailMessage) pairs."""
        with self.handler.lock:
            return list(self.handler.messages)

    def wait_for(self, count, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.messages) < count:
            time.sleep(0.1)
        return self.messages


@pytest.fixture(scope="session")
def smtp_server():
    host, port = tk.config["smtp.server"].rsplit(":", 1)
    server = MailServer(host, int(port))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail(smtp_server):
    """The SMTP server, emptied for this test (and started if a test
    stopped it)."""
    if smtp_server.controller is None:
        smtp_server.start()
    smtp_server.clear()
    return smtp_server


# -- RQ worker -----------------------------------------------------------------

def _ckan_command(*args, environment=None, **popen):
    return subprocess.run([str(CKAN), "-c", str(TEST_INI), *args],
                          env=dict(os.environ, **(environment or {})),
                          capture_output=True, text=True, timeout=300,
                          **popen)


@pytest.fixture
def run_jobs():
    """Run a real RQ worker (`ckan jobs worker --burst`) until the queues
    are empty, with CKAN_* `environment` on top of the tests' own; returns
    its completed process for inspection."""
    def run(*queues, environment=None):
        done = _ckan_command("jobs", "worker", "--burst", *queues,
                             environment=environment)
        assert done.returncode == 0, done.stderr
        return done
    return run


@pytest.fixture
def ckan_cli():
    """Run a `ckan -c test.ini ...` command in a separate process."""
    return _ckan_command


# -- web server and browser ----------------------------------------------------

def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(url, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout}s")


@contextlib.contextmanager
def ckan_server(ini=TEST_INI, **environment):
    """A real CKAN web server (`ckan run`) with the given ini, on a free
    port; its base URL. It shares PostgreSQL, Redis and Solr (and the CKAN_*
    environment, with `environment` on top) with the test process."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with _serving([str(CKAN), "-c", str(ini), "run", "-H", "127.0.0.1",
                   "-p", str(port), "--disable-reloader"],
                  url, dict(os.environ, CKAN_SITE_URL=url, **environment)):
        yield url


@contextlib.contextmanager
def gunicorn_server():
    """The test portal served by gunicorn, as in production (the WSGI
    entry of stack/wsgi.py, one worker): unlike `ckan run`, it speaks
    HTTP/1.1, so an answer of unknown length goes out in chunks."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    gunicorn = pathlib.Path(sys.executable).parent / "gunicorn"
    with _serving([str(gunicorn), "--workers", "1",
                   "--bind", f"127.0.0.1:{port}", "--no-control-socket",
                   "--pythonpath", str(ROOT / "stack"), "wsgi:application"],
                  url, dict(os.environ, CKAN_INI=str(TEST_INI))):
        yield url


@contextlib.contextmanager
def _serving(command, url, env):
    """Run the server `command` until it answers at `url`, then until the
    block ends."""
    with open(ROOT / ".work" / "log" / "live_server.log", "ab") as log:
        proc = subprocess.Popen(command, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        _wait_http(url + "/api/3/action/status_show", 90)
        yield url
    finally:
        proc.terminate()
        proc.wait(20)


@pytest.fixture(scope="session")
def live_server():
    """The test portal served by a real `ckan run` (test.ini)."""
    with ckan_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()
