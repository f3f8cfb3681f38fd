"""`ckan helpdesk ...` commands."""
import contextlib
import datetime
import email.utils

import click
import sqlalchemy as sa

import ckan.plugins.toolkit as tk

from ckanext.helpdesk import ckanext_issues, publish
from ckanext.helpdesk.categories import category_codes, configured_categories
from ckanext.helpdesk.federation import forwarding, sync as federation_sync
from ckanext.helpdesk.mailin import addresses, parse, receive, server
from ckanext.helpdesk.notify import digests
from ckanext.helpdesk.notify import jobs as notify_jobs
from ckanext.helpdesk.webhooks import delivery as webhook_delivery


@click.group(short_help="Help desk commands")
def helpdesk():
    """Commands of ckanext-helpdesk."""


@contextlib.contextmanager
def _database_needed(then):
    """A database that is down is said in a line (exit 1), with what
    `then` happens, instead of a traceback."""
    try:
        yield
    except sa.exc.SQLAlchemyError as error:
        raise click.ClickException(f"The database is unavailable; {then} "
                                   f"({type(error).__name__}).") from None


def _sweep(run, retry_now, left, summary):
    """Run a cron sweep of due work (emails, forwards, webhook deliveries)
    and print the count of each outcome; when the database is down, what
    was `left` waits for the next run."""
    with _database_needed(f"{left} for the next run"):
        outcomes = run(retry_now=retry_now)
    click.echo(summary.format(**outcomes))


@helpdesk.command("send-pending")
@click.option("--retry-now", is_flag=True,
              help="Also send the emails still waiting for their next retry "
                   "(e.g. once the mail server is fixed).")
def send_pending(retry_now):
    """Send the help desk emails that are pending and due (run from cron,
    e.g. every 5 minutes)."""
    _sweep(notify_jobs.send_pending, retry_now,
           "the unsent emails stay pending",
           "{sent} sent, {failed} failed, {skipped} skipped")


@helpdesk.command("remind")
@click.option("--weekly/--no-weekly", default=None,
              help="Also write the weekly summaries (default: on Mondays).")
@click.option("--now", type=click.DateTime(
    formats=["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]), default=None,
    help="The moment (UTC) the digests are of, e.g. to write a day that "
         "cron missed; default: now.")
def remind(weekly, now):
    """Email each organization's editors and admins the digest of its
    issues that need an answer, and on Mondays the weekly summary (run
    from cron once a day; a second run the same day sends nothing new).
    What cannot be sent now waits for `ckan helpdesk send-pending`."""
    if now is not None:
        now = now.replace(tzinfo=datetime.timezone.utc)
    with _database_needed("run it again later"):
        claimed = digests.write(now, weekly)
        outcomes = notify_jobs.send_each(claimed)
    click.echo("{written} written, {sent} sent, {failed} failed, "
               "{skipped} skipped".format(written=len(claimed), **outcomes))


@helpdesk.command("deliver-webhooks")
@click.option("--retry-now", is_flag=True,
              help="Also retry the deliveries still waiting for their next "
                   "attempt (e.g. once a receiver is back).")
def deliver_webhooks(retry_now):
    """Retry the webhook deliveries that are due (run from cron, e.g.
    every minute)."""
    _sweep(webhook_delivery.deliver_due, retry_now,
           "the deliveries stay pending",
           "{delivered} delivered, {pending} to retry, {failed} given up")


@helpdesk.command("notifications")
@click.option("--limit", default=50, show_default=True)
def notifications(limit):
    """Show the help desk emails not sent yet: pending ones (with their
    attempts and last error) and failed ones."""
    for row in notify_jobs.unsent(limit):
        click.echo("  ".join([
            row.id, row.status, row.kind, row.email,
            f"attempts={row.attempts}",
            f"next={row.next_attempt_at.isoformat(timespec='seconds')}",
            row.last_error or ""]))


@helpdesk.command("publish-stats")
@click.option("--organization",
              help="The organization (name or id) the dataset belongs to "
                   "[default: ckanext.helpdesk.publish.organization].")
@click.option("--dataset",
              help="The dataset's name "
                   "[default: ckanext.helpdesk.publish.dataset].")
def publish_stats(organization, dataset):
    """Publish the help desk's public issues and weekly figures as CSV
    resources of a dataset, created the first time and updated by every
    later run (run from cron, e.g. daily)."""
    organization = organization or tk.config.get(
        "ckanext.helpdesk.publish.organization")
    if not organization:
        raise click.UsageError(
            "Name the organization: --organization or "
            "ckanext.helpdesk.publish.organization.")
    dataset = dataset or tk.config.get("ckanext.helpdesk.publish.dataset")
    try:
        published = publish.publish_stats(organization, dataset)
    except tk.ObjectNotFound:
        raise click.ClickException(
            f"No organization {organization!r}.") from None
    except tk.ValidationError as error:
        raise click.ClickException("CKAN refused the dataset: " + "; ".join(
            f"{field}: {' '.join(map(str, messages))}"
            for field, messages in error.error_dict.items())) from None
    click.echo("Published {name} ({count} resources): {url}".format(
        name=published["name"], count=len(published["resources"]),
        url=tk.h.url_for("dataset.read", id=published["name"],
                         _external=True)))


@helpdesk.command("import-ckanext-issues")
@click.option("--dry-run", is_flag=True,
              help="Print the report of what would be imported and change "
                   "nothing.")
@click.option("--category",
              help="The category (code) of the imported issues: those of "
                   "ckanext-issues name none [default: the first of "
                   "ckanext.helpdesk.categories].")
def import_ckanext_issues(dry_run, category):
    """Import the issues, comments and abuse reports of ckanext-issues
    from its tables in this database, keeping each issue's number in its
    dataset, and print what was imported and what could not be. A second
    run imports only what was added since."""
    category = category or configured_categories()[0]["code"]
    codes = category_codes()
    if category not in codes:
        raise click.BadParameter(
            f"{category!r} is none of the categories of "
            f"ckanext.helpdesk.categories ({', '.join(sorted(codes))})",
            param_hint="--category")
    try:
        report = ckanext_issues.import_issues(category, dry_run=dry_run)
    except ckanext_issues.SourceMissing as error:
        raise click.ClickException(str(error)) from None
    except sa.exc.SQLAlchemyError as error:
        raise click.ClickException(
            "The import failed and changed nothing (the database said: "
            f"{type(error).__name__}); run it again.") from None
    click.echo("\n".join(report.lines()))


@helpdesk.command("receive-mail")
@click.option("--recipient", envvar="RECIPIENT",
              help="The envelope recipient (Postfix: ${original_recipient}; "
                   "Exim sets $RECIPIENT) [default: the first To, Cc or "
                   "Delivered-To address at "
                   "ckanext.helpdesk.mail.reply_domain].")
def receive_mail(recipient):
    """Take in one email, read from standard input (for the MTA's pipe
    transport): a reply to a notification becomes a comment, an email to
    an organization's address an issue. Exits 0 when taken, otherwise as
    sysexits.h says (67 unknown address, 77 refused, 65 unreadable, 75
    try again later), printing why, which the MTA puts in its bounce."""
    raw = click.get_binary_stream("stdin").read()
    recipient = recipient or _recipient_in_headers(raw)
    outcome = receive.receive(raw, recipient or "")
    click.echo(outcome.smtp_reply(), err=not outcome.accepted)
    raise SystemExit(outcome.exit_code)


def _recipient_in_headers(raw):
    """The first address of the message at the reply domain, for an MTA
    that does not pass the envelope recipient."""
    message = parse.read_headers(raw)
    for header in ("Delivered-To", "To", "Cc"):
        for _name, address in email.utils.getaddresses(
                message.get_all(header, [])):
            if addresses.target(address) is not None:
                return address
    return None


@helpdesk.command("mail-server")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8024, show_default=True, type=int)
@click.option("--smtp", is_flag=True,
              help="Speak SMTP instead of LMTP.")
def mail_server(host, port, smtp):
    """Listen for the help desk's email (LMTP, or SMTP with --smtp), for the
    MTA to deliver to: replies to notifications and emails to the
    organizations' addresses. Runs until stopped (SIGTERM)."""
    def ready(host, port):
        click.echo(f"Taking help desk mail by {'SMTP' if smtp else 'LMTP'} "
                   f"on {host}:{port}", err=True)
    server.serve(host, port, smtp=smtp, ready=ready)


@helpdesk.command("forward-pending")
@click.option("--retry-now", is_flag=True,
              help="Also send the forwards still waiting for their next "
                   "retry (e.g. once the other side is back).")
def forward_pending(retry_now):
    """Forward the issues whose forwarding is pending and due to the other
    side's Open311 (run from cron, e.g. every 5 minutes)."""
    _sweep(forwarding.send_pending, retry_now, "the forwards stay pending",
           "{delivered} delivered, {failed} failed")


@helpdesk.command("sync")
def sync():
    """Bring back what changed on forwarded issues on the other side:
    status changes and public notes, batched per endpoint (run from cron,
    e.g. every 10 minutes)."""
    with _database_needed("run it again later"):
        totals = federation_sync.sync()
    click.echo("{applied} updates applied from {endpoints} endpoints in "
               "{calls} requests".format(**totals))


def get_commands():
    return [helpdesk]
