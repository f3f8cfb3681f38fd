"""Each email once across nodes: `ckan helpdesk send-pending` run at the
same moment on two "nodes" (two processes) while an RQ worker delivers the
same notifications, and senders killed with SIGKILL in the middle of an
SMTP transaction. Emails are counted by Message-ID at a real SMTP server
that answers slowly, so the processes overlap."""
import asyncio
import collections
import contextlib
import os
import re
import signal
import subprocess
import threading
import time

import pytest

import ckan.model as model

from ckanext.helpdesk.model import Notification
from ckanext.helpdesk.notify.mail import message_id
from ckanext.helpdesk.tests.conftest import CKAN, TEST_INI, MailServer, \
    _Collect
from ckanext.helpdesk.tests.notify.conftest import notifications

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


class _Slow(_Collect):
    """Keeps every message, after `delay` seconds in DATA; with `stall`
    ("RCPT" or "DATA") it holds the first session at that stage for a
    minute instead (at DATA, after keeping the message, before saying
    250) and sets `stalled`."""

    def __init__(self, delay=0.0, stall=None):
        super().__init__()
        self.delay, self.stall = delay, stall
        self.stalled = threading.Event()
        self.active = self.most_active = 0

    async def _hold(self, stage):
        if self.stall == stage and not self.stalled.is_set():
            self.stalled.set()
            await asyncio.sleep(60)

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        await self._hold("RCPT")
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            await asyncio.sleep(self.delay)
            answer = await super().handle_DATA(server, session, envelope)
            await self._hold("DATA")
            return answer
        finally:
            self.active -= 1


@contextlib.contextmanager
def mail_server(smtp_server, handler):
    """The suite's SMTP server replaced, on its port, by one with
    `handler`."""
    smtp_server.stop()
    server = MailServer(smtp_server.host, smtp_server.port)
    server.handler = handler
    server.start()
    try:
        yield server
    finally:
        server.stop()
        smtp_server.start()
        smtp_server.clear()


def start(*args):
    return subprocess.Popen([str(CKAN), "-c", str(TEST_INI), *args],
                            env=os.environ.copy(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(proc):
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return out


def message_ids(server):
    return collections.Counter(m["Message-ID"].strip()
                               for _r, m in server.messages)


def claimable():
    """How many pending notifications this process could lock now."""
    rows = model.Session.query(Notification.id).filter_by(
        status="pending").with_for_update(skip_locked=True).all()
    model.Session.rollback()
    return len(rows)


def wait_until(check, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline and not check():
        time.sleep(0.1)
    return check()


def test_send_pending_on_two_nodes_while_a_worker_runs_sends_each_email_once(
        report, smtp_server):
    for number in range(15):  # 45 emails: admin, editor and reporter
        report(title=f"Stop {number} is missing")
    expected = {message_id(n): 1 for n in notifications()}
    assert len(expected) == 45

    with mail_server(smtp_server, _Slow(delay=0.3)) as server:
        processes = [start("helpdesk", "send-pending"),
                     start("helpdesk", "send-pending"),
                     start("jobs", "worker", "--burst")]
        outputs = [finish(proc) for proc in processes]

    # A node that found a notification already taken by the other node or
    # by the worker skips it: it is not a failure.
    counts = [re.fullmatch(r"(\d+) sent, (\d+) failed, 0 skipped",
                           out.strip()) for out in outputs[:2]]
    assert [int(count[2]) for count in counts] == [0, 0], outputs
    assert sum(int(count[1]) for count in counts) <= 45
    assert message_ids(server) == expected
    assert {(n.status, n.attempts) for n in notifications()} == {("sent", 1)}
    # The three senders really overlapped at the SMTP server.
    assert server.handler.most_active >= 2


@pytest.mark.parametrize("stage, copies", [("RCPT", 1), ("DATA", 2)])
def test_a_sender_killed_mid_send_leaves_the_email_to_the_next_run(
        report, smtp_server, ckan_cli, stage, copies):
    """Killed before the SMTP server accepted the message: sent once by the
    next run. Killed after it accepted (before our commit): sent again, the
    at-least-once window, under the same Message-ID."""
    report()
    expected = {message_id(n) for n in notifications()}
    assert len(expected) == 3

    with mail_server(smtp_server, _Slow(stall=stage)) as server:
        sweep = start("helpdesk", "send-pending")
        assert server.handler.stalled.wait(120)
        # The sweep holds the first notification's row lock.
        assert wait_until(lambda: claimable() == 2)
        os.kill(sweep.pid, signal.SIGKILL)
        sweep.wait(30)
        # Its connection died with it: the lock is free, nothing recorded.
        assert wait_until(lambda: claimable() == 3)
        assert {(n.status, n.attempts) for n in notifications()} == {
            ("pending", 0)}
        accepted_before = len(server.messages)

    assert accepted_before == copies - 1
    assert ckan_cli("helpdesk", "send-pending").stdout.strip() == (
        "3 sent, 0 failed, 0 skipped")
    assert {(n.status, n.attempts) for n in notifications()} == {("sent", 1)}
    received = message_ids(server) + message_ids(smtp_server)
    assert set(received) == expected
    assert sorted(received.values()) == [1, 1, copies]
