"""A real webhook receiver: an HTTP server on 127.0.0.1 in a thread of the
test process, which keeps what it is sent (and can be down: its port
closed, then brought up on the same port)."""
import http.server
import json
import threading
import types

import pytest

from ckan.tests import factories

from ckanext.helpdesk.tests.conftest import _free_port


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.receiver.received.append(types.SimpleNamespace(
            path=self.path, headers=dict(self.headers), body=body,
            payload=json.loads(body)))
        self.send_response(self.server.receiver.status)
        self.end_headers()

    def log_message(self, *args):
        """Quiet."""


class Receiver:
    def __init__(self):
        self.port = _free_port()
        self.received = []
        self.status = 200
        self.server = None

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self):
        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", self.port), _Handler)
        self.server.receiver = self
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def events(self, path="/hook"):
        return [(request.payload["event"], request.payload["issue"]["title"])
                for request in self.received if request.path == path]


@pytest.fixture
def receiver():
    """A receiver that is up; `.stop()` closes its port."""
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def down_receiver():
    """A receiver whose port is closed until `.start()`."""
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def org_world(clean_db):
    """An organization with an admin, an editor and a member, a public and
    a private dataset, a reporter; another organization with its admin."""
    admin, editor, member, reporter, other_admin = (
        factories.User() for _ in range(5))
    org = factories.Organization(users=[
        {"name": admin["name"], "capacity": "admin"},
        {"name": editor["name"], "capacity": "editor"},
        {"name": member["name"], "capacity": "member"}])
    other_org = factories.Organization(users=[
        {"name": other_admin["name"], "capacity": "admin"}])
    return types.SimpleNamespace(
        admin=admin, editor=editor, member=member, reporter=reporter,
        other_admin=other_admin, org=org, other_org=other_org,
        public=factories.Dataset(owner_org=org["id"], title="Bus stops"),
        private=factories.Dataset(owner_org=org["id"], private=True,
                                  title="Secret plans"),
        other_public=factories.Dataset(owner_org=other_org["id"]))
