"""`ckan helpdesk mail-server`: an LMTP (or SMTP) listener the MTA
delivers the help desk's mail to, with aiosmtpd.

Each message goes through receive.receive() once per envelope recipient,
in a worker thread (the database work must not stall the event loop); the
MTA delivers with the envelope sender, which the message gets as
Return-Path, as a final delivery adds it. LMTP answers each recipient
(RFC 2033); SMTP, which has one answer per message, answers the first
refusal, and the MTA's retry of a deferred message takes nothing twice
(receive.py takes each Message-ID once).
"""
import asyncio
import concurrent.futures
import logging
import signal

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk.mailin import addresses, receive

log = logging.getLogger(__name__)
WORKERS = 4


def _receive_in_thread(raw, recipient):
    try:
        return receive.receive(raw, recipient)
    finally:
        model.Session.remove()  # each thread's session, returned to the pool


class Handler:
    """aiosmtpd's handler: takes each recipient's copy at DATA."""

    def __init__(self, lmtp, executor):
        self.lmtp = lmtp
        self.executor = executor

    async def handle_DATA(self, server, session, envelope):
        raw = (b"Return-Path: <" + (envelope.mail_from or "").encode(
            "utf-8", "replace") + b">\r\n"
            + (envelope.original_content or envelope.content))
        loop = asyncio.get_running_loop()
        outcomes = [await loop.run_in_executor(
            self.executor, _receive_in_thread, raw, recipient)
            for recipient in envelope.rcpt_tos]
        if self.lmtp:
            return "\r\n".join(outcome.smtp_reply() for outcome in outcomes)
        refused = [outcome for outcome in outcomes if not outcome.accepted]
        return (refused or outcomes)[0].smtp_reply()


def serve(host, port, smtp=False, ready=None):
    """Listen until SIGTERM or SIGINT; `ready(host, port)` is called once
    the socket listens."""
    loop = asyncio.new_event_loop()
    executor = concurrent.futures.ThreadPoolExecutor(WORKERS)
    handler = Handler(not smtp, executor)
    protocol = SMTP if smtp else LMTP
    # Room above the help desk's own limit, so receive() refuses (and
    # records) what is too large rather than aiosmtpd silently.
    data_size_limit = 2 * tk.config["ckanext.helpdesk.mail.max_size"]
    server = loop.run_until_complete(loop.create_server(
        lambda: protocol(handler, hostname=addresses.domain() or host,
                         enable_SMTPUTF8=True, loop=loop,
                         data_size_limit=data_size_limit),
        host, port))
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, loop.stop)
    if ready:
        ready(host, port)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())
        executor.shutdown()
        loop.close()
