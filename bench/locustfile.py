"""The load test's visitors (locust), run by bench/load.py; not by hand.

Three kinds of users, on the data bench/load.py seeded (its JSON file is
named by LOAD_SEED):

- anonymous visitors (most of them): CKAN's own dataset page and
  package_show, and the help desk's issue lists, issue pages, searches,
  Atom feeds and Open311 reads;
- signed-in visitors (API tokens): report, comment, vote, subscribe, and
  read issue pages;
- publishers (API tokens): triage an issue of their organization and change
  the status of five at once.

Every write answered 2xx is appended to LOAD_WRITES (JSON lines: what the
integrity check looks for in the database); every request to LOAD_REQUESTS
(time, name, outcome; failures with the status and the start of the body),
so the fault script can tell what clients saw in each fault window. The run
stops by itself at locust's --run-time or after LOAD_MAX_REQUESTS
requests, whichever comes first. Traffic goes to 127.0.0.1 only.
"""
import itertools
import json
import os
import random
import threading
import time
import urllib.parse

import gevent
from locust import HttpUser, between, events, task

SEED = json.load(open(os.environ["LOAD_SEED"]))
NODES = os.environ["LOAD_NODES"].split(",")
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "100000"))
for node in NODES:
    assert urllib.parse.urlsplit(node).hostname == "127.0.0.1", node

_writes = open(os.environ["LOAD_WRITES"], "a", buffering=1)
_requests = open(os.environ["LOAD_REQUESTS"], "a", buffering=1)
_lock = threading.Lock()
_count = itertools.count(1)
_node = itertools.cycle(NODES)
_visitors = itertools.cycle(SEED["visitors"])
_publishers = itertools.cycle(SEED["publishers"])
# Issues known to everyone: the seeded ones, then the reported ones.
ISSUES = list(SEED["issues"])
WORDS = ["missing", "wrong", "stop", "update", "coordinates", "license"]


@events.request.add_listener
def _log_request(request_type, name, response_time, response_length,
                 response=None, exception=None, **kwargs):
    line = {"t": round(time.time(), 3), "name": name,
            "ms": round(response_time or 0)}
    if exception is not None:
        line["status"] = getattr(response, "status_code", 0) or 0
        line["error"] = f"{type(exception).__name__}: {exception}"[:300]
        body = getattr(response, "text", "") or ""
        line["body"] = body[:300]
    with _lock:
        _requests.write(json.dumps(line) + "\n")
    if next(_count) == MAX_REQUESTS:
        # Bounded in requests as well as in time.
        gevent.spawn(_environment[0].runner.quit)


_environment = []


@events.init.add_listener
def _keep_environment(environment, **kwargs):
    _environment.append(environment)


def fail(response):
    response.failure(f"HTTP {response.status_code}" if response.status_code
                     else f"no answer: {response.error}")


def record(kind, **values):
    with _lock:
        _writes.write(json.dumps(dict(values, kind=kind)) + "\n")


class _Portal(HttpUser):
    abstract = True
    wait_time = between(0.5, 2)

    def on_start(self):
        # Each user sticks to one node, as a proxy with sticky sessions
        # would send it.
        self.client.base_url = next(_node)

    def get(self, url, name):
        with self.client.get(url, name=name, catch_response=True,
                             timeout=60) as response:
            if response.status_code != 200:
                fail(response)

    def issue(self):
        return random.choice(ISSUES)


class Anonymous(_Portal):
    weight = 6

    @task(4)
    def dataset_page(self):
        self.get(f"/dataset/{random.choice(SEED['datasets'])}",
                 "ckan: dataset page")

    @task(2)
    def package_show(self):
        self.get("/api/3/action/package_show?id="
                 + random.choice(SEED["datasets"]), "ckan: package_show")

    @task(3)
    def issue_list(self):
        self.get(f"/dataset/{random.choice(SEED['datasets'])}/issues",
                 "helpdesk: issue list")

    @task(4)
    def issue_page(self):
        issue = self.issue()
        self.get(f"/dataset/{issue['dataset']}/issues/{issue['number']}",
                 "helpdesk: issue page")

    @task(2)
    def search(self):
        self.get(f"/issues?q={random.choice(WORDS)}", "helpdesk: search")

    @task(1)
    def feed(self):
        self.get(f"/dataset/{random.choice(SEED['datasets'])}/issues.atom",
                 "helpdesk: atom feed")

    @task(2)
    def open311_requests(self):
        self.get("/open311/v2/requests.json?status=open",
                 "open311: requests.json")

    @task(1)
    def open311_request(self):
        self.get(f"/open311/v2/requests/{self.issue()['id']}.json",
                 "open311: request")


class _SignedIn(_Portal):
    abstract = True

    def action(self, name, data, label=None):
        """POST an Action API call; its result, or None on failure."""
        with self.client.post(
                f"/api/3/action/{name}", json=data, timeout=60,
                headers={"Authorization": self.account["token"]},
                name=label or f"api: {name}",
                catch_response=True) as response:
            if response.status_code != 200:
                fail(response)
                return None
            return response.json()["result"]


class Visitor(_SignedIn):
    weight = 3

    def on_start(self):
        super().on_start()
        self.account = next(_visitors)

    @task(3)
    def read_issue(self):
        issue = self.issue()
        with self.client.get(
                f"/dataset/{issue['dataset']}/issues/{issue['number']}",
                headers={"Authorization": self.account["token"]},
                name="helpdesk: issue page (signed in)", timeout=60,
                catch_response=True) as response:
            if response.status_code != 200:
                fail(response)

    @task(2)
    def report(self):
        dataset = random.choice(SEED["datasets"])
        word = random.choice(WORDS)
        result = self.action("helpdesk_issue_create", {
            "dataset_id": SEED["dataset_ids"][dataset],
            "category": "data-problem",
            "title": f"Row {random.randint(1, 999)} looks {word}",
            "description": f"Seen under load: {word}."})
        if result:
            issue = {"id": result["id"], "number": result["number"],
                     "dataset": dataset}
            ISSUES.append(issue)
            record("issue", reporter=self.account["id"], **issue)

    @task(2)
    def comment(self):
        issue = self.issue()
        result = self.action("helpdesk_comment_create", {
            "issue_id": issue["id"], "body": "Same here, still wrong."})
        if result:
            record("comment", id=result["id"], issue_id=issue["id"],
                   author=self.account["id"])

    @task(2)
    def vote(self):
        issue = self.issue()
        if self.action("helpdesk_issue_vote", {"id": issue["id"]}) is not None:
            record("vote", issue_id=issue["id"], user_id=self.account["id"])

    @task(1)
    def subscribe(self):
        issue = self.issue()
        if self.action("helpdesk_issue_subscribe",
                       {"id": issue["id"]}) is not None:
            record("subscription", issue_id=issue["id"],
                   user_id=self.account["id"])


class Publisher(_SignedIn):
    # At most one user per publisher account: two people changing the
    # same issue at once would rightly get 409 (already in that status).
    fixed_count = int(os.environ["LOAD_PUBLISHERS"])

    def on_start(self):
        super().on_start()
        self.account = next(_publishers)

    def own_issues(self, count):
        mine = [issue for issue in ISSUES
                if issue["dataset"] in self.account["datasets"]]
        return random.sample(mine, min(count, len(mine)))

    def change(self, issue, statuses, label):
        """Open the issue, then give it one of `statuses` it has not."""
        shown = self.action("helpdesk_issue_show", {"id": issue["id"]})
        choices = [s for s in statuses if shown and s != shown["status"]]
        if choices:
            status = random.choice(choices)
            if self.action("helpdesk_issue_update",
                           {"id": issue["id"], "status": status}, label):
                record("update", issue_id=issue["id"], status=status)

    @task(3)
    def triage(self):
        for issue in self.own_issues(1):
            self.change(issue, ["acknowledged", "in_progress"],
                        "api: helpdesk_issue_update (triage)")

    @task(1)
    def bulk_change(self):
        status = random.choice(["resolved", "acknowledged"])
        for issue in self.own_issues(5):
            self.change(issue, [status], "api: helpdesk_issue_update (bulk)")
