"""What the federation tests share: a real Open311 endpoint on loopback (a
small threaded HTTP server standing for another organization's system,
which a test can stop, slow down or make refuse, and which counts the
requests it is sent), and a small portal whose organization routes issues
there."""
import http.server
import json
import threading
import time
import types
import urllib.parse

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.helpdesk.tests.helpers import call_as
from ckanext.helpdesk.tests.views.conftest import make_user

SERVICES = [{"service_code": "defect", "service_name": "Defect"},
            {"service_code": "enquiry", "service_name": "Enquiry"}]


class Endpoint:
    """A GeoReport v2 endpoint. `behaviour` is what POST requests.json
    does: "ok", "refuse" (400), "slow" (creates the request, answers after
    the client's timeout), "error" (500 without creating). With `dedupes`
    it answers a repeated origin_key with the first request's id (as a
    help desk does); with `updates` it serves servicerequestupdates.json."""

    def __init__(self, dedupes=False, updates=False):
        self.dedupes, self.updates_served = dedupes, updates
        self.behaviour = "ok"
        self.created = {}  # id -> the POSTed form
        self.records = {}  # id -> {"status", "status_notes", ...}
        self.update_list = []
        self.calls = []  # (method, path, query)
        self.lock = threading.Lock()
        self.server = None
        self.port = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/open311/v2"

    def start(self):
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                endpoint._answer(self, "GET")

            def do_POST(self):
                endpoint._answer(self, "POST")

        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", self.port or 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def count(self, method, path):
        return sum(1 for call in self.calls
                   if call[0] == method and call[1].endswith(path))

    # -- answers ---------------------------------------------------------

    def _answer(self, handler, method):
        parts = urllib.parse.urlsplit(handler.path)
        query = dict(urllib.parse.parse_qsl(parts.query))
        form = {}
        if method == "POST":
            length = int(handler.headers.get("Content-Length") or 0)
            form = dict(urllib.parse.parse_qsl(
                handler.rfile.read(length).decode()))
        with self.lock:
            self.calls.append((method, parts.path, query))
        path = parts.path[len("/open311/v2"):]
        status, body = self._route(method, path, query, form)
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        try:
            handler.wfile.write(data)
        except BrokenPipeError:  # the client gave up waiting ("slow")
            pass

    def _route(self, method, path, query, form):
        if path == "/discovery.json":
            return 200, {"endpoints": [{
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": self.url}]}
        if path == "/services.json":
            return 200, SERVICES
        if path == "/openapi.json":
            fields = ["attribute[origin_key]"] if self.dedupes else []
            return 200, {"paths": {"/requests.json": {"fields": fields}}}
        if path == "/requests.json" and method == "POST":
            return self._create(form)
        if path == "/requests.json":
            ids = query.get("service_request_id", "").split(",")
            return 200, [dict(self.records[i], service_request_id=i)
                         for i in ids if i in self.records]
        if path.startswith("/requests/"):
            remote_id = path[len("/requests/"):-len(".json")]
            return 200, [{"service_request_id": remote_id,
                          "extended_attributes": {
                              "url": f"{self.url}/page/{remote_id}"}}]
        if path == "/servicerequestupdates.json" and self.updates_served:
            return 200, [update for update in self.update_list
                         if query["start_date"] <= update["updated_datetime"]
                         <= query["end_date"]]
        return 404, [{"code": 404, "description": "Not found"}]

    def _create(self, form):
        if self.behaviour == "refuse":
            return 400, [{"code": 400,
                          "description": "service_code is not known"}]
        if self.behaviour == "error":
            return 500, [{"code": 500, "description": "Out of order"}]
        key = form.get("attribute[origin_key]")
        with self.lock:
            if self.dedupes and key:
                for remote_id, seen in self.created.items():
                    if seen.get("attribute[origin_key]") == key:
                        return 200, [{"service_request_id": remote_id}]
            remote_id = str(4821 + len(self.created))
            self.created[remote_id] = form
            self.records[remote_id] = {"status": "open",
                                       "status_notes": None}
        if self.behaviour == "slow":
            time.sleep(tk.config["ckanext.helpdesk.forward.timeout"] + 1)
        return 200, [{"service_request_id": remote_id}]


@pytest.fixture
def endpoint():
    served = Endpoint()
    served.start()
    yield served
    served.stop()


@pytest.fixture
def helpdesk_endpoint():
    """An endpoint that deduplicates and serves updates, as a help desk."""
    served = Endpoint(dedupes=True, updates=True)
    served.start()
    yield served
    served.stop()


@pytest.fixture
def federated(with_plugins, clean_db):
    """An organization (admin, editor) with a public and a private
    dataset, a reporter, and a sysadmin."""
    admin, editor, reporter = (make_user() for _ in range(3))
    org = factories.Organization(users=[
        {"name": admin["name"], "capacity": "admin"},
        {"name": editor["name"], "capacity": "editor"}])
    tk.get_action("job_clear")({"ignore_auth": True}, {})
    return types.SimpleNamespace(
        admin=admin, editor=editor, reporter=reporter, org=org,
        public=factories.Dataset(owner_org=org["id"]),
        private=factories.Dataset(owner_org=org["id"], private=True),
        sysadmin=make_user(sysadmin=True))


def add_route(world, endpoint, codes=None, **extra):
    route = call_as(world.admin, "helpdesk_forward_route_create",
                    organization_id=world.org["id"], name="City works",
                    base_url=endpoint.url, **extra)
    return call_as(world.admin, "helpdesk_forward_route_update",
                   id=route["id"],
                   service_codes=codes or {"data-problem": "defect"})
