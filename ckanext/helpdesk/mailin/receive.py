"""Taking in one message: the one code path of `ckan helpdesk
receive-mail` and of `ckan helpdesk mail-server`.

`receive(raw, recipient)` reads the message delivered to one envelope
recipient and answers an `Outcome`: an SMTP reply (250 taken, 4xx try
again later, 5xx refused) and the sysexits code a pipe transport exits
with, so the MTA bounces a refusal with its text. A reply becomes a
comment, a write-in an issue, each through the help desk's action as the
sender, so visibility, rate limits, moderation and notifications apply as
on the web. A message is taken once per Message-ID however often it is
delivered. Mail sent by machines (auto-replies, bounces, mailing lists)
is accepted and dropped: answering it could loop. Every refusal and drop
is recorded (MailRefusal, shown on the sysadmins' email page) and logged;
nothing is ever mailed back by this module, beyond the notifications the
actions write (the reporter's confirmation of a write-in). A failure of
the database (or a bug) defers the message (451, EX_TEMPFAIL): the MTA
keeps it and tries again.
"""
import dataclasses
import logging
import re

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.helpdesk import ratelimit
from ckanext.helpdesk.categories import configured_categories
from ckanext.helpdesk.logic.stats import DATA_REQUEST
from ckanext.helpdesk.mailin import addresses, parse
from ckanext.helpdesk.model import MailMessage, MailRefusal
from ckanext.helpdesk.notify import mail

log = logging.getLogger(__name__)

# sysexits.h: what a pipe transport's exit status tells the MTA.
EX_OK, EX_DATAERR, EX_NOUSER, EX_TEMPFAIL, EX_NOPERM = 0, 65, 67, 75, 77
TITLE_LENGTH = 200
QUESTION = "question"
# "[bus-stops]" in a subject, "/dataset/bus-stops" in a body: CKAN's names.
SUBJECT_DATASET = re.compile(r"\[([a-z0-9_-]{2,100})\]")
BODY_DATASET = re.compile(r"https?://\S+?/dataset/([a-z0-9_-]{2,100})\b")


@dataclasses.dataclass(frozen=True)
class Outcome:
    """The answer to the MTA: an SMTP reply code with its enhanced status
    code and text, and the exit code of a pipe transport."""
    code: int
    status: str
    text: str
    exit_code: int

    @property
    def accepted(self):
        return self.code < 300

    def smtp_reply(self):
        return f"{self.code} {self.status} {self.text}"


def _taken(text):
    return Outcome(250, "2.0.0", text, EX_OK)


def receive(raw, recipient):
    """Take in the message `raw` (bytes, as delivered) sent to the envelope
    recipient `recipient`; the Outcome."""
    with mail.request_context():
        try:
            return _receive(raw, recipient)
        except Exception:  # the database, or a bug: the MTA keeps the mail
            model.Session.rollback()
            log.exception("Inbound mail to %s deferred", recipient)
            return Outcome(451, "4.3.0", tk._("The help desk cannot take "
                                              "mail now; try again later."),
                           EX_TEMPFAIL)


@dataclasses.dataclass
class _Delivery:
    recipient: str
    message: object
    message_id: str
    sender: str
    sender_name: str


def _receive(raw, recipient):
    if addresses.domain() is None:
        return Outcome(550, "5.1.1", tk._("This portal takes no email."),
                       EX_NOUSER)
    limit = tk.config["ckanext.helpdesk.mail.max_size"]
    too_large = len(raw) > limit
    # A message too large is not parsed: its headers name it in the log.
    message = parse.read_headers(raw) if too_large else parse.read(raw)
    sender_name, sender = parse.sender(message)
    delivery = _Delivery(recipient, message, parse.message_id(message, raw),
                         sender, sender_name)
    if too_large:
        return _refuse(delivery, "too_large", Outcome(
            552, "5.3.4", tk._("The message is larger than the help desk "
                               "takes ({size} bytes at most).").format(
                size=limit), EX_DATAERR))
    machine = parse.automatic(message)
    if machine:
        # Accepted, so no bounce answers it; dropped, so nothing loops.
        return _refuse(delivery, machine, _taken(
            tk._("Sent by a machine: dropped.")))
    target = addresses.target(recipient)
    if target is None:
        return _refuse(delivery, "unknown_recipient", Outcome(
            550, "5.1.1", tk._("No such help desk address."), EX_NOUSER))
    if sender is None:
        return _refuse(delivery, "no_sender", Outcome(
            550, "5.1.7", tk._("The message names no single sender in "
                               "From."), EX_DATAERR))
    if _taken_before(delivery.message_id):
        return _taken(tk._("Already received."))
    try:
        ratelimit.check_sender("mail", sender)
        if target.kind == "organization":
            return _write_in(delivery, target.value)
        return _reply(delivery, target.value)
    except ratelimit.RateLimited as error:
        model.Session.rollback()
        return _refuse(delivery, "rate_limited", Outcome(
            451, "4.7.1", error.message, EX_TEMPFAIL))


def _refuse(delivery, reason, outcome):
    """Record and log why a message was refused or dropped; the outcome."""
    model.Session.rollback()
    model.Session.add(MailRefusal(
        sender=delivery.sender, recipient=delivery.recipient[:500],
        reason=reason, detail=outcome.smtp_reply()[:2000],
        message_id=delivery.message_id))
    model.Session.commit()
    log.warning("Inbound mail from %s to %s %s (%s): %s", delivery.sender,
                delivery.recipient,
                "dropped" if outcome.accepted else "refused", reason,
                outcome.text)
    return outcome


def _taken_before(message_id):
    return model.Session.execute(sa.select(MailMessage.message_id).where(
        MailMessage.message_id == message_id).limit(1)).first() is not None


def _claim(delivery):
    """Record the message as taken, in the transaction that takes it; False
    when it was taken meanwhile (a concurrent delivery waits on the unique
    key until the first commits, then finds it)."""
    return model.Session.execute(pg_insert(MailMessage.__table__).values(
        message_id=delivery.message_id, sender=delivery.sender,
        recipient=delivery.recipient, created=sa.func.now()
    ).on_conflict_do_nothing().returning(
        MailMessage.message_id)).first() is not None


def _as_sender(user):
    """The context of an action called by the sender (a visitor without
    an account), committed by us with the record of the message."""
    return {"user": user.name if user else "", "ignore_auth": False,
            "defer_commit": True}


def _with_attachments_note(text, message):
    names = parse.attachments(message)
    if not names:
        return text
    return text + "\n\n" + tk._(
        "(Attachments are not kept by the help desk; left out: {names}.)"
    ).format(names=", ".join(names))


def _refusal_by_action(error):
    """The Outcome of an action's refusal."""
    if isinstance(error, tk.ObjectNotFound):
        return "no_access", Outcome(550, "5.7.1", tk._(
            "You may not see this issue or dataset any more."), EX_NOPERM)
    if isinstance(error, tk.NotAuthorized):
        return "not_authorized", Outcome(550, "5.7.1", tk._(
            "You may not write this: {reason}").format(
            reason=str(error) or tk._("not authorized")), EX_NOPERM)
    problems = "; ".join(
        f"{field}: {' '.join(map(str, messages))}"
        for field, messages in error.error_dict.items())
    return "invalid", Outcome(550, "5.6.0", tk._(
        "The help desk refused the message: {problems}").format(
        problems=problems), EX_DATAERR)


def _reply(delivery, token):
    """A reply to a notification: a comment by its recipient."""
    notification = addresses.notification_of(token)
    if notification is None:
        return _refuse(delivery, "invalid_token", Outcome(
            550, "5.1.1", tk._("This reply address is not valid."),
            EX_NOUSER))
    if addresses.expired(notification):
        return _refuse(delivery, "expired_token", Outcome(
            550, "5.1.1", tk._("This reply address has expired: answer on "
                               "the issue's page."), EX_NOUSER))
    if delivery.sender.lower() != notification.email.strip().lower():
        return _refuse(delivery, "wrong_sender", Outcome(
            550, "5.7.1", tk._("Replies to this address are taken only "
                               "from the address the email was sent to."),
            EX_NOPERM))
    user = model.User.get(notification.user_id)
    if user is None or user.state != "active":
        return _refuse(delivery, "no_access", Outcome(
            550, "5.7.1", tk._("The account this email was sent to is "
                               "gone."), EX_NOPERM))
    body = parse.reply(parse.text(delivery.message))
    if not body:
        return _refuse(delivery, "empty", Outcome(
            550, "5.6.0", tk._("The reply has no text above the quoted "
                               "email."), EX_DATAERR))
    if not _claim(delivery):
        return _taken(tk._("Already received."))
    try:
        comment = tk.get_action("helpdesk_comment_create")(
            _as_sender(user), {
                "issue_id": notification.issue_id,
                "body": _with_attachments_note(body, delivery.message),
                "internal": addresses.internal(notification)})
    except (tk.ObjectNotFound, tk.NotAuthorized) as error:
        return _refuse(delivery, *_refusal_by_action(error))
    except ratelimit.RateLimited:
        raise
    except tk.ValidationError as error:
        return _refuse(delivery, *_refusal_by_action(error))
    _record(delivery, comment["issue_id"], comment["id"])
    return _taken(tk._("Comment added."))


def _record(delivery, issue_id, comment_id=None):
    model.Session.execute(sa.update(MailMessage.__table__).where(
        MailMessage.message_id == delivery.message_id
    ).values(issue_id=issue_id, comment_id=comment_id))
    model.Session.commit()


def _write_in(delivery, organization_name):
    """An email to an organization's address: an issue of it, from the
    account with the sender's address or, where visitors may report, from
    the address (which confirms itself as the web form's does)."""
    organization = model.Group.get(organization_name)
    if organization is None or not organization.is_organization or (
            organization.state != "active"):
        return _refuse(delivery, "unknown_organization", Outcome(
            550, "5.1.1", tk._("There is no organization \"{name}\" on "
                               "{site}: check the address.").format(
                name=organization_name[:100],
                site=tk.config["ckan.site_title"]), EX_NOUSER))
    user = _account_of(delivery.sender)
    if user is None and not tk.config["ckanext.helpdesk.allow_anonymous"]:
        return _refuse(delivery, "unknown_sender", Outcome(
            550, "5.7.1", tk._("Only the address of an account of {site} "
                               "may write to its help desk.").format(
                site=tk.config["ckan.site_title"]), EX_NOPERM))
    text = parse.reply(parse.text(delivery.message))
    subject = mail.one_line(str(delivery.message.get("Subject", "")), 1000)
    dataset = _named_dataset(subject, text, organization, user)
    if dataset is not None:
        subject = mail.one_line(subject.replace(f"[{dataset.name}]", ""))
    title = subject or mail.one_line(text.split("\n", 1)[0])
    if not text:
        return _refuse(delivery, "empty", Outcome(
            550, "5.6.0", tk._("The message has no text."), EX_DATAERR))
    data = {"organization_id": organization.id,
            "category": _category(dataset is not None),
            "title": mail.one_line(title, TITLE_LENGTH),
            "description": _with_attachments_note(text, delivery.message)}
    if dataset is not None:
        data["dataset_id"] = dataset.id
    if user is None:
        data["reporter_name"] = mail.one_line(
            delivery.sender_name or delivery.sender.split("@")[0], 100)
        data["reporter_email"] = delivery.sender
    if not _claim(delivery):
        return _taken(tk._("Already received."))
    try:
        issue = tk.get_action("helpdesk_issue_create")(_as_sender(user),
                                                       data)
    except ratelimit.RateLimited:
        raise
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError) as error:
        return _refuse(delivery, *_refusal_by_action(error))
    _record(delivery, issue["id"])
    return _taken(tk._("Issue opened."))


def _account_of(address):
    """The active account with this address (CKAN keeps addresses unique),
    or None."""
    users = model.Session.execute(sa.select(model.User).where(
        sa.func.lower(model.User.email) == address.lower(),
        model.User.state == "active").limit(2)).scalars().all()
    return users[0] if len(users) == 1 else None


def _named_dataset(subject, text, organization, user):
    """The dataset named in the subject ("[bus-stops]") or linked in the
    body, when it is the organization's and the sender may see it."""
    names = SUBJECT_DATASET.findall(subject) + BODY_DATASET.findall(text)
    for name in names:
        try:
            shown = tk.get_action("package_show")(
                {"user": user.name if user else "", "ignore_auth": False},
                {"id": name})
        except (tk.ObjectNotFound, tk.NotAuthorized):
            continue
        if shown.get("owner_org") == organization.id:
            return model.Package.get(shown["id"])
    return None


def _category(about_dataset):
    """A question about a dataset, a data request to an organization (or
    the first configured category, where those are not configured)."""
    wanted = QUESTION if about_dataset else DATA_REQUEST
    codes = [category["code"] for category in configured_categories()]
    return wanted if wanted in codes else codes[0]


def recent_refusals(limit=50):
    """The latest refused or dropped messages, newest first."""
    return model.Session.execute(sa.select(MailRefusal).order_by(
        MailRefusal.created.desc()).limit(limit)).scalars().all()
