"""Two real CKAN portals, each with its own database and site id, both
running the help desk as `ckan run` servers on 127.0.0.1: the aggregator
also runs ckanext-harvest (its CKAN harvester, with the real gather and
fetch consumers on Redis) and harvests the source. A report about a
harvested dataset made on the aggregator, while the source is down, is
retried and arrives exactly once when it is back; the source's publisher
is emailed, replies and resolves; `ckan helpdesk sync` brings the reply
and the resolution back to the aggregator, whose reporter is emailed.

Slow (two portals, a harvest): one test covers the whole journey."""
import os
import re
import subprocess
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

import ckan.plugins.toolkit as tk

from ckanext.helpdesk.tests.conftest import CKAN, ROOT, _free_port, \
    _serving
from ckanext.helpdesk.tests.notify.conftest import ini_with

PASSWORD = "correct-horse-42"


class Portal:
    """A CKAN portal of its own: database, site id, ini, server."""

    def __init__(self, name, tmp_path, **options):
        self.name = name
        # Named after the suite's own database and site id, so suites run
        # side by side (another CKAN version, another checkout) never share
        # a portal.
        suite_database = sa.engine.make_url(
            tk.config["sqlalchemy.url"]).database
        self.database = f"{suite_database}_forward_{name}"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ini = ini_with(tmp_path / f"{name}.ini", **options)
        self.server = None
        self.env = dict(
            os.environ, CKAN_SITE_URL=self.url,
            CKAN_SITE_ID=f"{tk.config['ckan.site_id']}_forward_{name}",
            CKAN_SQLALCHEMY_URL=(
                f"postgresql://postgres@/{self.database}"
                f"?host={ROOT / '.work' / 'pgdata'}"))

    def ckan(self, *args, check=True):
        done = subprocess.run([str(CKAN), "-c", str(self.ini), *args],
                              env=self.env, capture_output=True, text=True,
                              timeout=300)
        assert not check or done.returncode == 0, done.stderr[-3000:]
        return done

    def popen(self, *args):
        log = open(ROOT / ".work" / "log" / f"{self.database}.log", "ab")
        return subprocess.Popen([str(CKAN), "-c", str(self.ini), *args],
                                env=self.env, stdout=log,
                                stderr=subprocess.STDOUT)

    def create(self, *plugin_migrations):
        subprocess.run(["python", str(ROOT / "stack" / "stack.py"),
                        "createdb", self.database], check=True,
                       capture_output=True, env=self.env)
        self.ckan("db", "clean", "--yes")
        self.ckan("db", "init")
        for plugin in ("helpdesk", *plugin_migrations):
            self.ckan("db", "upgrade", "-p", plugin)
        self.ckan("search-index", "clear", check=False)
        self.ckan("user", "add", "boss", "email=boss@example.org",
                  f"password={PASSWORD}")
        self.ckan("sysadmin", "add", "boss")
        self.token = self.ckan("user", "token", "add", "boss",
                               "tests").stdout.strip().splitlines()[-1]
        self.token = self.token.strip()

    def start(self):
        self.server = _serving(
            [str(CKAN), "-c", str(self.ini), "run", "-H", "127.0.0.1", "-p",
             str(self.port), "--disable-reloader"], self.url, self.env)
        self.server.__enter__()

    def stop(self):
        if self.server is not None:
            self.server.__exit__(None, None, None)
            self.server = None

    def act(self, action, token=None, **data):
        answer = requests.post(f"{self.url}/api/3/action/{action}",
                               json=data, timeout=60, headers={
                                   "Authorization": token or self.token})
        assert answer.status_code == 200, answer.text[:2000]
        return answer.json()["result"]

    def user(self, name, email):
        self.act("user_create", name=name, email=email, password=PASSWORD)
        return self.act("api_token_create", user=name, name="t")["token"]


@pytest.fixture
def portals(tmp_path):
    source = Portal("source", tmp_path, ckan__plugins="helpdesk")
    made = [source]
    try:
        source.create()
        source.start()
        yield source, lambda **options: made.append(
            Portal("aggregator", tmp_path, **options)) or made[-1]
    finally:
        for portal in made:
            portal.stop()


def recipients(mail):
    return {rcpt: message for rcpts, message in mail.messages
            for rcpt in rcpts}


def body(message):
    part = message.get_body(("plain",))
    return part.get_content() if part else ""


@pytest.mark.usefixtures("with_plugins")
def test_a_report_on_an_aggregator_reaches_the_source_once_and_its_answer_comes_back(  # noqa: E501
        portals, mail):
    source, aggregator_with = portals
    suffix = uuid.uuid4().hex[:6]
    dataset_name = f"bus-stops-{suffix}"

    # The source: a publisher (editor of the organization) and a dataset.
    source.user("publisher", "publisher@source.example.org")
    bot = source.user("aggregator-bot", "bot@aggregator.example.org")
    source.act("organization_create", name="city-works",
               title="City Works", users=[{"name": "publisher",
                                           "capacity": "editor"}])
    remote = source.act("package_create", name=dataset_name,
                        title="Bus stops", owner_org="city-works")

    # The aggregator harvests the source with the real consumers.
    aggregator = aggregator_with(**{
        "ckan__plugins": "helpdesk harvest ckan_harvester",
        "ckan__harvest__mq__type": "redis",
        "ckanext__helpdesk__forward__api_keys":
            f"{source.url}/open311/v2={bot}",
        "ckanext__helpdesk__forward__timeout": 5})
    aggregator.create("harvest")
    aggregator.start()
    aggregator.act("organization_create", name="aggregated",
                   title="Aggregated")
    # Through the API: ckanext-harvest 1.6.3's `harvester source create`
    # fails printing the source it made on CKAN 2.12 (in
    # ckanext.harvest.utils._print_harvest_source); the CLI will do again
    # once that is mended there.
    harvest_source = aggregator.act(
        "harvest_source_create", name="source-portal", url=source.url + "/",
        source_type="ckan", title="Source portal", active=True,
        owner_org="aggregated", frequency="MANUAL")
    consumers = [aggregator.popen("harvester", "gather-consumer"),
                 aggregator.popen("harvester", "fetch-consumer")]
    try:
        aggregator.act("harvest_job_create", source_id=harvest_source["id"])
        aggregator.ckan("harvester", "run")
        harvested = _wait_for_dataset(aggregator, dataset_name)
    finally:
        for consumer in consumers:
            consumer.terminate()
            consumer.wait(20)
    # A copy, in the aggregator's own organization.
    assert harvested["organization"]["name"] == "aggregated"

    # A visitor reports on the aggregator while the source is down.
    reporter = aggregator.user("rita", "rita@aggregator.example.org")
    source.stop()
    issue = aggregator.act(
        "helpdesk_issue_create", reporter, dataset_id=dataset_name,
        category="data-problem", title="Stop 12 is missing",
        description="The stop on Main Street is not in the file.")
    aggregator.ckan("jobs", "worker", "--burst")
    [waiting] = aggregator.act("helpdesk_forward_list", id=issue["id"])
    assert (waiting["state"], waiting["route_kind"]) == ("pending",
                                                         "harvest")
    assert "unreachable" in waiting["last_error"]

    # The source is back: the sweep delivers it, once.
    source.start()
    assert aggregator.ckan("helpdesk", "forward-pending", "--retry-now"
                           ).stdout.startswith("1 delivered")
    assert aggregator.ckan("helpdesk", "forward-pending", "--retry-now"
                           ).stdout.startswith("0 delivered")
    [forward] = aggregator.act("helpdesk_forward_list", id=issue["id"])
    assert forward["state"] == "delivered"
    assert forward["base_url"] == f"{source.url}/open311/v2"
    received = source.act("helpdesk_issue_search", dataset_id=remote["id"])
    assert received["count"] == 1
    [there] = received["results"]
    assert forward["remote_id"] == there["id"]
    assert there["title"] == "Stop 12 is missing"
    page = requests.get(f"{source.url}/dataset/{dataset_name}/issues",
                        timeout=30).text
    assert "Stop 12 is missing" in page

    # The source's publisher is emailed, replies and resolves.
    mail.clear()
    source.ckan("jobs", "worker", "--burst")
    assert "publisher@source.example.org" in recipients(mail)
    publisher = source.act("api_token_create", user="publisher",
                           name="p")["token"]
    source.act("helpdesk_issue_update", publisher, id=there["id"],
               status="resolved", comment="Stop 12 is back in the file.")

    # The aggregator syncs: the reply and the resolution, and its
    # reporter is emailed.
    mail.clear()
    synced = aggregator.ckan("helpdesk", "sync").stdout
    assert synced.startswith("1 updates applied from 1 endpoints")
    assert aggregator.ckan("helpdesk", "sync").stdout.startswith(
        "0 updates applied")
    here = aggregator.act("helpdesk_issue_show", id=issue["id"])
    assert here["status"] == "resolved"
    comments = aggregator.act("helpdesk_comment_list", issue_id=issue["id"])
    assert [c["body"] for c in comments] == ["Stop 12 is back in the file."]
    aggregator.ckan("jobs", "worker", "--burst")
    told = recipients(mail)
    assert "rita@aggregator.example.org" in told
    assert "Stop 12 is back in the file." in body(
        told["rita@aggregator.example.org"])
    shown = requests.get(f"{aggregator.url}/dataset/{dataset_name}/issues/"
                         f"{issue['number']}", timeout=30).text
    assert "Stop 12 is back in the file." in shown
    assert re.search(r"Resolved", shown)


def _wait_for_dataset(portal, name, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        answer = requests.post(f"{portal.url}/api/3/action/package_show",
                               json={"id": name}, timeout=30,
                               headers={"Authorization": portal.token})
        if answer.status_code == 200:
            return answer.json()["result"]
        time.sleep(2)
    raise AssertionError(f"{name} was not harvested in {timeout}s")
