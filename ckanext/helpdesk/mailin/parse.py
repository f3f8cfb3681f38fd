"""Reading an incoming message: who sent it, whether a machine did (an
auto-reply, a bounce, a mailing list: never answered, so no mail loops),
the text a person wrote (the newest part of a reply, without the quoted
original, signature or client boilerplate) and the attachments left out.

The reply is cut by mail-parser-reply, which knows the quote headers and
signatures of the common mail clients in many languages. Two structural
rules complete it: lines quoted with ">" before the reply (bottom-posting)
or after it (a quote header the library does not know, such as Spanish
clients' "El ... escribió:", which its pattern misses) are the original,
not the reply; quotes between paragraphs stay, as Markdown block quotes.
"""
import email
import email.parser
import email.policy
import email.utils
import hashlib
import re

from bs4 import BeautifulSoup
from mailparser_reply import EmailReplyParser

import ckan.plugins.toolkit as tk

# Precedence values of mail sent to many or by machines (RFC 3834).
AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list"}
WHITESPACE = re.compile(r"\s+")
# Elements after which HTML mail breaks the line.
BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
          "blockquote", "pre", "table", "ul", "ol", "hr")


def read(raw):
    return email.message_from_bytes(raw, policy=email.policy.default)


def read_headers(raw):
    """The message's headers alone (its body is not read)."""
    return email.parser.BytesHeaderParser(
        policy=email.policy.default).parsebytes(raw)


def sender(message):
    """(name, address) of the one From address, or (None, None)."""
    addresses = email.utils.getaddresses(message.get_all("From", []))
    if len(addresses) != 1 or "@" not in addresses[0][1]:
        return None, None
    name, address = addresses[0]
    return name or None, address


def message_id(message, raw):
    """The Message-ID, or one made from the content for a message without
    any (the same bytes delivered twice get the same)."""
    value = " ".join(str(message.get("Message-ID", "")).split())
    if value:
        return value[:500]
    return f"<{hashlib.sha256(raw).hexdigest()}@helpdesk.invalid>"


def automatic(message):
    """Why the message was sent by a machine ("bounce", "auto_reply",
    "mailing_list"), or None for mail a person wrote."""
    if message.get_content_type() == "multipart/report" or any(
            part.get_content_type() == "message/delivery-status"
            for part in message.walk()):
        return "bounce"
    if str(message.get("Return-Path", "")).strip() == "<>":
        return "bounce"
    submitted = str(message.get("Auto-Submitted", "no")).strip().lower()
    if submitted.split(";")[0].strip() != "no":
        return "auto_reply"
    if message.get("X-Autoreply") is not None or message.get(
            "X-Autorespond") is not None:
        return "auto_reply"
    if str(message.get("Precedence", "")).strip().lower(
            ) in AUTOMATIC_PRECEDENCE or message.get("List-Id") is not None:
        return "mailing_list"
    return None


def text(message):
    """The message's text: its plain-text body, or its HTML body as text;
    "" when it has neither."""
    body = message.get_body(("plain", "html"))
    if body is None:
        return ""
    content = body.get_content()
    if body.get_content_type() == "text/html":
        return html_to_text(content)
    return content


def html_to_text(html):
    """HTML mail as plain text: the text of its elements, one line per
    block; scripts and styles dropped. Nothing of the markup survives, so
    nothing of it reaches the page (the comment is Markdown without raw
    HTML, escaped again when rendered)."""
    soup = BeautifulSoup(html, "html.parser")
    for element in soup(["script", "style", "head", "title"]):
        element.decompose()
    # Line breaks in the source are spaces; the elements break lines.
    for string in soup.find_all(string=True):
        if string.parent.name != "pre":
            string.replace_with(WHITESPACE.sub(" ", string))
    for element in soup.find_all(BLOCKS):
        element.append("\n")
    lines = [line.strip() for line in soup.get_text().splitlines()]
    return _squeezed(lines)


def attachments(message):
    """The file names of the message's attachments (none is kept)."""
    return [part.get_filename() or part.get_content_type()
            for part in message.iter_attachments()]


def reply(text, languages=None):
    """What the sender wrote: the newest part of the message, without the
    quoted original, signature or client boilerplate."""
    languages = languages or tk.config[
        "ckanext.helpdesk.mail.reply_languages"].split()
    parsed = EmailReplyParser(languages=languages).read(
        text.replace("\r\n", "\n"))
    for part in parsed.replies:
        kept = _without_outer_quotes(part.body.splitlines())
        if kept:
            return kept
    return ""


def _without_outer_quotes(lines):
    lines = _squeezed(lines).splitlines()
    while lines and (_quoted(lines[0]) or not lines[0].strip()):
        lines.pop(0)
    if lines and _quoted(lines[-1]):
        while lines and (_quoted(lines[-1]) or not lines[-1].strip()):
            lines.pop()
        # The line introducing the quote ("El ..., Ana escribió:").
        if lines and lines[-1].rstrip().endswith(":"):
            lines.pop()
    return _squeezed(lines)


def _quoted(line):
    return line.lstrip().startswith(">")


def _squeezed(lines):
    """The lines without runs of blank lines, trimmed."""
    kept = []
    for line in lines:
        if line.strip() or (kept and kept[-1].strip()):
            kept.append(line.rstrip())
    return "\n".join(kept).strip()
